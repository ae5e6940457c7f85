"""ctrl+z undoes the book's last action after showing what changes back (issue 13)."""

from __future__ import annotations

from decimal import Decimal

from tui.modals.confirm import ConfirmModal
from tui.screens.milestones import MilestonesScreen

from .helpers import plain, press, settle
from .test_money import _book_with_milestone, _pay


async def test_ctrl_z_shows_the_payment_then_undoes_it(app, reopen, book) -> None:
    """A payment of 750 typed for 570: ctrl+z names it, y removes it, the undo is logged;
    a second ctrl+z offers the action before (the contract), n keeps it."""
    _book_with_milestone(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "4")
        await _pay(pilot, "750")
        assert [p["amount"] for p in reopen().rows("payments")] == [Decimal("750.00")]
        await press(pilot, "ctrl+z")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        question = plain(app.screen.query_one(".dialog-body"))
        assert "Undo record payment" in question and "amount 750.00" in question
        await press(pilot, "y")
        await settle(pilot)
        assert isinstance(app.screen, MilestonesScreen)
        assert reopen().rows("payments") == []
        await press(pilot, "ctrl+z")
        await settle(pilot)
        assert "Undo add contract" in plain(app.screen.query_one(".dialog-body"))
        await press(pilot, "n")
        await settle(pilot)
    book_now = reopen()
    assert len(book_now.rows("milestones")) == 1
    log = book_now.audit_log()
    assert [e["action"] for e in log[:2]] == ["undo", "record_payment"]
    assert log[0]["undoes"] == log[1]["id"]


async def test_x_on_a_paid_milestone_says_why_and_deletes_nothing(app, reopen, book) -> None:
    """x on a milestone with a payment: a message naming why and what to do instead; the
    milestone and its payment stay (the key used to do nothing at all)."""
    _book_with_milestone(book)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "4")
        await _pay(pilot, "100")
        await press(pilot, "x")
        await settle(pilot)
        assert isinstance(app.screen, MilestonesScreen)  # no "Delete?" question
        shown = [n.message for n in app._notifications]
        assert any("has payments and cannot be deleted" in m and "write it off" in m for m in shown)
    book_now = reopen()
    assert len(book_now.rows("milestones")) == 1 and len(book_now.rows("payments")) == 1


async def test_a_muted_key_says_why_it_does_nothing(demo_book) -> None:
    """i on an invoiced milestone and y on a contract without a proposed change order: muted
    in the key bar, and pressed they answer with a one-line reason; nothing is written."""
    from tui.app import make_app

    before = demo_book.change_count()
    app = make_app(demo_book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "4")  # the first row: Brand refresh #4, invoiced and part paid
        assert app.screen.selected["status"] == "invoiced"
        await press(pilot, "i")
        assert isinstance(app.screen, MilestonesScreen)  # no invoice form
        shown = [n.message for n in app._notifications]
        assert "Already invoiced; e edits its invoice number and dates." in shown
        await press(pilot, "3", "y")
        shown = [n.message for n in app._notifications]
        assert "This contract has no proposed change order: o logs one." in shown
    assert demo_book.change_count() == before
