"""B on the milestones screen: a bank statement read, its proposals reviewed, the ticked ones
recorded (issue 13). The book and the German statement are tests/test_bank_import.py's."""

from __future__ import annotations

from pathlib import Path

from test_bank_import import EXPECTED, GERMAN, _payments, _write, studio  # noqa: F401
from textual.widgets import Input, OptionList

from tui.app import MilepayApp
from tui.modals.bank_review import BankReviewModal
from tui.screens.milestones import MilestonesScreen
from tui.store import Book

from .helpers import plain, press, settle, type_text


async def test_review_ticks_the_unambiguous_and_records_once(
    studio: Book,  # noqa: F811
    tmp_path: Path,
    reopen,
) -> None:
    path = _write(tmp_path / "umsaetze.csv", GERMAN, "latin-1")
    app = MilepayApp(studio)
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "4", "B")
        await type_text(pilot, str(tmp_path / "nope.csv"))
        await press(pilot, "enter")
        assert "is not a file" in plain(app.screen.query_one("#prompt-message"))
        app.screen.query_one(Input).value = str(path)
        await press(pilot, "enter")
        await settle(pilot)
        review = app.screen
        assert isinstance(review, BankReviewModal)
        assert "4 proposals, 3 ticked" in plain(review.query_one("#bank-summary"))
        others = plain(review.query_one("#bank-others"))
        assert "Unmatched credits" in others and "99.99" in others
        assert "Debits (never payments)" in others and "-45.90" in others
        options = review.query_one(OptionList)
        assert "[x] 2026-11-03" in str(options.get_option_at_index(0).prompt)
        assert "[ ] 2026-11-20" in str(options.get_option_at_index(3).prompt)  # ambiguous
        await press(pilot, "space")  # untick the first (RE-2026-001)
        assert "3 ticked" not in plain(review.query_one("#bank-summary"))
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MilestonesScreen)
    assert _payments(reopen()) == EXPECTED[:2] + EXPECTED[3:]  # all but RE-2026-001
    again = MilepayApp(reopen())
    async with again.run_test(size=(110, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "4", "B")
        await type_text(pilot, str(path))
        await press(pilot, "enter")
        await settle(pilot)
        review = again.screen
        assert "2 proposals, 1 ticked" in plain(review.query_one("#bank-summary"))
        assert "Recorded by an earlier import" in plain(review.query_one("#bank-others"))
        await press(pilot, "ctrl+s")
        await settle(pilot)
    assert _payments(reopen()) == EXPECTED
