"""Snapshots of the chase queue, the message composer and the client scorecards (demo book,
as of 2026-11-24) at 80x24 in the dark and the light theme."""

from __future__ import annotations

import pytest

from tui.app import make_app
from tui.store import Book

from .helpers import keys_then_settle, themed

THEMES = pytest.mark.parametrize("theme", ["dark", "light"])
VIEWS = {
    "chase": ("7",),
    "composer": ("7", "down", "down", "down", "down", "down", "down", "m"),  # Kettle: reminder
    "scorecards": ("2", "S", "w"),
}


@THEMES
@pytest.mark.parametrize("view", list(VIEWS))
def test_chase_views(snap_compare, demo_book: Book, view: str, theme: str) -> None:
    """The chase queue, a composed reminder and the scorecards render the same way."""
    assert snap_compare(
        themed(make_app(demo_book), theme),
        terminal_size=(80, 24),
        run_before=keys_then_settle(*VIEWS[view]),
    )
