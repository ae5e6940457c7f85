"""Fixtures for driving the app by keys: the app on a fresh book, and a fresh Book to check."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.app import MilepayApp, make_app
from tui.store import Book


@pytest.fixture
def app(book: Book) -> MilepayApp:
    """The app on a new, empty book."""
    return make_app(book)


@pytest.fixture
def reopen(book_path: Path):
    """A fresh Book on the same file, to check what was really written."""
    return lambda: Book(book_path)
