"""Fixtures for driving the app by keys: the app on a fresh book, and a fresh Book to check."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tui.app import MilepayApp, make_app
from tui.store import Book

#: the date of the demo book used by the snapshot tests
DEMO_AS_OF = dt.date(2026, 11, 24)


@pytest.fixture
def app(book: Book) -> MilepayApp:
    """The app on a new, empty book."""
    return make_app(book)


@pytest.fixture
def reopen(book_path: Path):
    """A fresh Book on the same file, to check what was really written."""
    return lambda: Book(book_path)


@pytest.fixture
def demo_book(tmp_path: Path, demo_at) -> Book:
    """The demo book at a fixed date (DEMO_AS_OF, the suite's today)."""
    return demo_at(tmp_path / "demo.duckdb")
