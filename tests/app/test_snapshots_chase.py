"""Snapshots of the chase queue, the message composer and the client scorecards (demo book,
as of 2026-11-24) at 80x24 and 120x40."""

from __future__ import annotations

import pytest

from tui.app import make_app
from tui.store import Book

from .helpers import keys_then_settle

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
VIEWS = {
    "chase": ("7",),
    "composer": ("7", "down", "down", "down", "down", "down", "down", "m"),  # Kettle: reminder
    "scorecards": ("2", "S", "w"),
}


@SIZES
@pytest.mark.parametrize("view", list(VIEWS))
def test_chase_views(snap_compare, demo_book: Book, view: str, size: tuple[int, int]) -> None:
    """The chase queue, a composed reminder and the scorecards render the same way."""
    assert snap_compare(
        make_app(demo_book), terminal_size=size, run_before=keys_then_settle(*VIEWS[view])
    )
