"""Shared fixtures: temporary books and a fixed today."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tui.store import Book

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
TODAY = dt.date(2026, 11, 24)


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs with MILEPAY_TODAY fixed and no stray MILEPAY_DB."""
    monkeypatch.setenv("MILEPAY_TODAY", TODAY.isoformat())
    monkeypatch.delenv("MILEPAY_DB", raising=False)
    monkeypatch.setenv("MILEPAY_BUSY_TIMEOUT", "5")


@pytest.fixture
def book_path(tmp_path: Path) -> Path:
    """A path for a new book in a temporary folder."""
    return tmp_path / "book.duckdb"


@pytest.fixture
def book(book_path: Path) -> Book:
    """A new, empty book."""
    return Book.open(book_path)
