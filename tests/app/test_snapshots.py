"""Snapshots of the main screens on the demo book (as of 2026-11-24) at 80x24 in both themes,
and the dashboard at 200x60 (a wide terminal is used, not left blank)."""

from __future__ import annotations

import pytest

from tui.app import make_app
from tui.store import Book

from .helpers import keys_then_settle, themed

SCREENS = {
    "dashboard": "1",
    "clients": "2",
    "contracts": "3",
    "milestones": "4",
    "expenses": "8",
    "settings": "9",
}


@pytest.mark.parametrize("theme", ["dark", "light"])
@pytest.mark.parametrize("screen", list(SCREENS))
def test_main_screen(snap_compare, demo_book: Book, screen: str, theme: str) -> None:
    """Each main screen renders the demo book the same way at 80x24, dark and light."""
    assert snap_compare(
        themed(make_app(demo_book), theme),
        terminal_size=(80, 24),
        run_before=keys_then_settle(SCREENS[screen]),
    )


def test_dashboard_wide(snap_compare, demo_book: Book) -> None:
    """The dashboard at 200x60 spreads over the width."""
    assert snap_compare(
        make_app(demo_book), terminal_size=(200, 60), run_before=keys_then_settle("1")
    )


def test_new_client_form(snap_compare, demo_book: Book) -> None:
    """The client form at 80x24 with a wrong e-mail named under its field."""
    keys = ("2", "n", "A", "c", "m", "e", "tab", "x")
    assert snap_compare(
        make_app(demo_book), terminal_size=(80, 24), run_before=keys_then_settle(*keys)
    )


def test_help(snap_compare, demo_book: Book) -> None:
    """Help on the milestones screen lists its keys."""
    assert snap_compare(
        make_app(demo_book),
        terminal_size=(80, 24),
        run_before=keys_then_settle("4", "question_mark"),
    )
