"""Client scorecards by keys on the demo book at 2026-11-24: order, rating, the client detail."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from textual.widgets import Input, Select, TextArea

from tui.analytics.scorecard import client_scorecards
from tui.app import MilepayApp
from tui.modals.review_form import ReviewForm
from tui.screens.clients import ClientsScreen
from tui.screens.scorecards import ScorecardsScreen
from tui.store import Book

from .helpers import plain, press, settle

AS_OF = dt.date(2026, 11, 24)


@pytest.fixture
def demo(book_path: Path, demo_at) -> Book:
    """The demo book as of 2026-11-24."""
    return demo_at(book_path)


def names(screen: ScorecardsScreen) -> list[str]:
    """The client names in table order."""
    return [str(screen.table.get_row_at(i)[0]) for i in range(screen.table.row_count)]


async def test_worst_first_is_the_analytics_order(demo: Book) -> None:
    """S from clients opens the scorecards by name; w sorts worst first; Esc goes back."""
    expected = client_scorecards(demo.frames(), AS_OF, worst_first=True)["client"].to_list()
    app = MilepayApp(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "2", "S")
        screen = app.screen
        assert isinstance(screen, ScorecardsScreen)
        assert names(screen) == sorted(expected, key=str.lower)
        await press(pilot, "w")
        assert names(screen) == expected
        assert names(screen)[0] == "Bright Ideas [Studio] & Co"  # markup-looking name, verbatim
        assert "worst first" in plain(screen.query_one("#title-note"))
        await press(pilot, "s")
        assert "sorted by Overdue" in plain(screen.query_one("#title-note"))
        await press(pilot, "escape")
        assert isinstance(app.screen, ClientsScreen)


async def test_rating_work_again_and_feedback_are_saved(demo: Book, reopen) -> None:
    """e on a scorecard: rating 1-5 (6 refused), work again, feedback -> the book."""
    app = MilepayApp(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "2", "S")
        screen = app.screen
        client = screen.selected
        await press(pilot, "e")
        form = app.screen
        assert isinstance(form, ReviewForm)
        form.query_one("#field-rating", Input).value = "6"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ReviewForm)  # refused, nothing lost
        form.query_one("#field-rating", Input).value = "2"
        form.query_one("#field-work_again", Select).value = "no"
        form.query_one("#field-feedback", TextArea).text = "Pays late [bold]always[/]"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ScorecardsScreen)
        assert "Feedback: Pays late [bold]always[/]" in plain(screen.query_one("#detail"))
    row = reopen().get("clients", client["client_id"])
    assert (row["rating"], row["work_again"], row["feedback"]) == (
        2,
        "no",
        "Pays late [bold]always[/]",
    )
    assert row["name"] == client["client"] and row["email"]  # the other fields untouched


async def test_client_detail_shows_the_scorecard_and_rates(demo: Book, reopen) -> None:
    """The client detail shows the scorecard; v rates the client from there."""
    app = MilepayApp(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "2", "down")  # Bright Ideas
        screen = app.screen
        detail = plain(screen.query_one("#detail"))
        assert "Scorecard" in detail and "Overdue 8,160.00 EUR" in detail
        assert "On time 0.0%" in detail and "Rating 2/5 · work again: no" in detail
        client_id = screen.selected["id"]
        await press(pilot, "v")
        assert isinstance(app.screen, ReviewForm)
        app.screen.query_one("#field-rating", Input).value = "1"
        await press(pilot, "ctrl+s")
        assert "Rating 1/5" in plain(screen.query_one("#detail"))
    assert reopen().get("clients", client_id)["rating"] == 1
