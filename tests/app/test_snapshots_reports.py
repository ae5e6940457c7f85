"""Snapshots of the report screens (aging, forecast) on the demo book at 80x24 in the dark and the light theme.

The forecast chart sets its ticks itself, so it draws the same under every hash seed
(plotext's own tick picking went through a ``set``); the chart is in these snapshots.
"""

from __future__ import annotations

import pytest

from tui.app import make_app
from tui.store import Book

from .helpers import keys_then_settle, themed

VIEWS = {
    "aging": ("5",),
    "aging-detail": ("5", "right", "right", "right", "right", "right", "enter"),
    "forecast": ("6",),
    "forecast-pessimistic-months": ("6", "p", "m"),
    "forecast-chart": ("6", "g"),
}


@pytest.mark.parametrize("theme", ["dark", "light"])
@pytest.mark.parametrize("view", list(VIEWS))
def test_report_screen(snap_compare, demo_book: Book, view: str, theme: str) -> None:
    """Each report view renders the demo book the same way."""
    assert snap_compare(
        themed(make_app(demo_book), theme),
        terminal_size=(80, 24),
        run_before=keys_then_settle(*VIEWS[view]),
    )


def test_whatif_form(snap_compare, demo_book: Book) -> None:
    """The what-if form at 80x24, as it opens."""
    keys = ("6", "i")
    assert snap_compare(
        make_app(demo_book), terminal_size=(80, 24), run_before=keys_then_settle(*keys)
    )
