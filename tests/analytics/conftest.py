"""Analytics example tests build their books in memory (tests/builders.py), not in DuckDB."""

from __future__ import annotations

import pytest
from builders import MemoryBook


@pytest.fixture
def book() -> MemoryBook:
    """A new, empty book in memory, with the ``Book`` methods these tests call.

    It overrides the real ``book`` of tests/conftest.py: the analytics read frames only, and
    tests/test_builders.py proves the frames equal those of a real book. A test that must
    write through the store opens a ``Book`` at ``book_path`` itself.
    """
    return MemoryBook()
