"""Snapshots of the chase queue, the message composer and the client scorecards (demo book,
as of 2026-11-24) at 80x24 and 120x40."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tui.app import make_app
from tui.store import Book
from tui.store.demo import write_demo

from .helpers import settle

AS_OF = dt.date(2026, 11, 24)
SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
VIEWS = {
    "chase": ("7",),
    "composer": ("7", "down", "down", "down", "down", "down", "down", "m"),  # Kettle: reminder
    "scorecards": ("2", "S", "w"),
}


@pytest.fixture
def demo_book(tmp_path: Path) -> Book:
    """The demo book at a fixed date."""
    book = Book.open(tmp_path / "demo.duckdb")
    write_demo(book, AS_OF)
    return book


def _go(*keys: str):
    async def run(pilot) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        pilot.app.screen.refresh()
        await settle(pilot)

    return run


@SIZES
@pytest.mark.parametrize("view", list(VIEWS))
def test_chase_views(snap_compare, demo_book: Book, view: str, size: tuple[int, int]) -> None:
    """The chase queue, a composed reminder and the scorecards render the same way."""
    assert snap_compare(make_app(demo_book), terminal_size=size, run_before=_go(*VIEWS[view]))
