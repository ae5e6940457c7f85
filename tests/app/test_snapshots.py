"""Snapshots of the main screens on the demo book (as of 2026-11-24) at 80x24 and 120x40."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tui.app import make_app
from tui.store import Book
from tui.store.demo import write_demo

from .helpers import settle

AS_OF = dt.date(2026, 11, 24)
SCREENS = {
    "dashboard": "1",
    "clients": "2",
    "contracts": "3",
    "milestones": "4",
    "expenses": "8",
    "settings": "9",
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


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("screen", list(SCREENS))
def test_main_screen(snap_compare, demo_book: Book, screen: str, size: tuple[int, int]) -> None:
    """Each main screen renders the demo book the same way."""
    assert snap_compare(make_app(demo_book), terminal_size=size, run_before=_go(SCREENS[screen]))


def test_new_client_form(snap_compare, demo_book: Book) -> None:
    """The client form at 80x24 with a wrong e-mail named under its field."""
    keys = ("2", "n", "A", "c", "m", "e", "tab", "x")
    assert snap_compare(make_app(demo_book), terminal_size=(80, 24), run_before=_go(*keys))


def test_help(snap_compare, demo_book: Book) -> None:
    """Help on the milestones screen lists its keys."""
    assert snap_compare(
        make_app(demo_book), terminal_size=(80, 24), run_before=_go("4", "question_mark")
    )
