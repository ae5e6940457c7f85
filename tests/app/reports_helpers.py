"""Shared by the report screens' tests: the sample book at a fixed date, table cells as text."""

from __future__ import annotations

from pathlib import Path

from tui.store import Book
from tui.store.exchange import import_folder
from tui.widgets.table import BookTable

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


def sample_book(path: Path) -> Book:
    """A new book at ``path`` with the sample folder imported (as ``milepay import`` does)."""
    book = Book.open(path)
    import_folder(book, SAMPLE)
    return book


def cells(table: BookTable) -> list[list[str]]:
    """Every row of a table as plain strings."""
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def plain_amount(text: str) -> str:
    """``12,345.00`` as shown -> ``12345.00`` as in the JSON reports (``-`` is zero)."""
    return "0.00" if text.strip() == "-" else text.replace(",", "").strip()
