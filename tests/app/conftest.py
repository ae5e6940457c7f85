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


@pytest.fixture(autouse=True)
def _accuracy_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """The forecast screen works its accuracy line out only after the user stays on it for
    ``ACCURACY_DELAY`` seconds. A test lingers on screens for a few real seconds: without this
    the line would change under a snapshot depending on the machine's speed. Tests of the line
    itself set a short delay (tests/app/test_forecast_budget.py)."""
    monkeypatch.setattr("tui.screens.forecast.ACCURACY_DELAY", 3600.0)
