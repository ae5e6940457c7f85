"""Payments by keys on the demo book: listed, corrected, deleted, one transfer split.

Bright Ideas' "Brand refresh #4 Brand guidelines" (3,600.00 EUR) is part paid: one payment of
1,440.00 EUR received 2026-09-13 (reference 2026-015). Its invoiced milestones still open, oldest
due first: #4 (2,160.00 open, due 2026-07-07), #5 Templates pack (3,600.00, due 2026-07-27) and
Campaign microsite #2 Design sign-off (2,400.00, due 2026-09-10).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from tui.app import MilepayApp
from tui.modals.confirm import ConfirmModal
from tui.modals.payment_form import PaymentForm
from tui.modals.payments import PaymentsModal
from tui.modals.split_payment import SplitPaymentForm
from tui.screens.milestones import MilestonesScreen
from tui.store import Book
from tui.widgets.table import BookTable

from .helpers import plain, press, settle, type_text

D = Decimal
GUIDELINES, TEMPLATES, SIGN_OFF = 4, 5, 7
PAYMENT = 4  # the 1,440.00 on Brand guidelines


@pytest.fixture
def demo(book_path: Path, demo_at) -> Book:
    """The demo book as of 2026-11-24."""
    return demo_at(book_path)


def _paid(book: Book, milestone_id: int) -> list[tuple[Decimal, str]]:
    return [(r["amount"], r["reference"])
            for r in book.rows("payments", "milestone_id = ?", [milestone_id])]  # fmt: skip


async def _select_guidelines(pilot) -> None:
    await settle(pilot)
    await press(pilot, "4", "slash")
    await type_text(pilot, "guidelines")
    await press(pilot, "enter")
    assert isinstance(pilot.app.screen, MilestonesScreen)
    assert pilot.app.screen.selected["milestone_id"] == GUIDELINES


def _total(app: MilepayApp) -> str:
    return plain(app.screen.query_one("#payments-total", Static)).strip()


async def test_list_edit_and_delete_a_payment(demo: Book, reopen) -> None:
    """$ lists the 1,440.00; e corrects it to 1,404.00 (3,700.00 is refused under the field);
    x asks, naming amount and date: n keeps it, y deletes it. The file says so each time."""
    app = MilepayApp(demo)
    async with app.run_test(size=(100, 30)) as pilot:
        await _select_guidelines(pilot)
        await press(pilot, "$")
        assert isinstance(app.screen, PaymentsModal)
        assert app.screen.query_one(BookTable).row_count == 1
        assert _total(app) == "1 payment · total 1,440.00 EUR"

        await press(pilot, "e")
        assert isinstance(app.screen, PaymentForm)
        amount = app.screen.query_one("#field-amount", Input)
        assert amount.value == "1440.00"
        assert app.screen.query_one("#field-received_on", Input).value == "2026-09-13"
        amount.value = "3700.00"
        await settle(pilot)
        error = plain(app.screen.query_one("#err-amount", Static)).strip()
        assert error == (
            "Amount: 3,700.00 would overpay this milestone: only 3,600.00 EUR can be paid by "
            "this payment"
        )
        amount.value = "1404.00"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, PaymentsModal)
        assert _total(app) == "1 payment · total 1,404.00 EUR"
        assert _paid(reopen(), GUIDELINES) == [(D("1404.00"), "2026-015")]
        assert reopen().audit_log(1)[0]["action"] == "update_payment"

        await press(pilot, "x")
        assert isinstance(app.screen, ConfirmModal)
        question = plain(app.screen.query_one(".dialog-body", Static))
        assert "Delete the payment of 1,404.00 EUR received on 2026-09-13" in question
        await press(pilot, "n")
        assert isinstance(app.screen, PaymentsModal)
        assert _paid(reopen(), GUIDELINES) == [(D("1404.00"), "2026-015")]

        await press(pilot, "x", "y")
        assert isinstance(app.screen, PaymentsModal)
        assert _total(app) == "0 payments recorded"
        assert app.screen.query_one(BookTable).row_count == 0
        assert _paid(reopen(), GUIDELINES) == []
        assert reopen().audit_log(1)[0]["action"] == "delete_payment"

        await press(pilot, "escape")
        assert isinstance(app.screen, MilestonesScreen)
        assert app.screen.selected["open"] == D("3600.00")


async def test_split_one_transfer_oldest_first(demo: Book, reopen) -> None:
    """T, total 3,000.00: 2,160.00 to #4 and 840.00 to Templates pack; the parts changed by
    hand to 800.00 + 40.00 to Design sign-off (40.00 left to share is refused first)."""
    app = MilepayApp(demo)
    before = len(demo.rows("payments"))
    async with app.run_test(size=(100, 30)) as pilot:
        await _select_guidelines(pilot)
        await press(pilot, "T")
        form = app.screen
        assert isinstance(form, SplitPaymentForm)
        assert list(form.by_name) == [f"part_{GUIDELINES}", f"part_{TEMPLATES}",
                                      f"part_{SIGN_OFF}"]  # fmt: skip
        await type_text(pilot, "3000")
        parts = {n: form.query_one(f"#field-{n}", Input).value for n in form.by_name}
        assert parts == {"part_4": "2160.00", "part_5": "840.00", "part_7": ""}
        remainder = form.query_one("#split-remainder", Static)
        assert plain(remainder).strip() == (
            "Shared 3,000.00 of 3,000.00 EUR · nothing left to share"
        )

        form.query_one("#field-part_5", Input).value = "800.00"
        await settle(pilot)
        assert plain(remainder).strip() == "Shared 2,960.00 of 3,000.00 EUR · 40.00 left to share"
        await press(pilot, "ctrl+s")
        assert app.screen is form
        assert "40.00 left to share" in plain(form.query_one("#err-total", Static))
        assert len(reopen().rows("payments")) == before

        form.query_one("#field-part_7", Input).value = "40.00"
        form.query_one("#field-reference", Input).value = "TR-9"
        await settle(pilot)
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, MilestonesScreen)
    book = reopen()
    new = book.rows("payments")[before:]
    assert [(r["milestone_id"], r["amount"], r["received_on"], r["method"], r["reference"])
            for r in new] == [
        (GUIDELINES, D("2160.00"), dt.date(2026, 11, 24), "bank transfer", "TR-9"),
        (TEMPLATES, D("800.00"), dt.date(2026, 11, 24), "bank transfer", "TR-9"),
        (SIGN_OFF, D("40.00"), dt.date(2026, 11, 24), "bank transfer", "TR-9"),
    ]  # fmt: skip
    last = book.audit_log(1)[0]
    assert last["action"] == "record_split" and last["summary"] == "payments: 3 added"


async def test_payments_of_a_client_and_of_a_contract(demo: Book) -> None:
    """$ on clients: Bright Ideas' 5 payments (3 x 3,600.00 + 1,440.00 + 2,400.00 = 14,640.00);
    $ on contracts: Campaign microsite's one payment of 2,400.00 with its milestone."""
    app = MilepayApp(demo)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "2", "slash")
        await type_text(pilot, "bright")
        await press(pilot, "enter", "$")
        assert isinstance(app.screen, PaymentsModal) and app.screen.scope == "client"
        assert _total(app) == "5 payments · total 14,640.00 EUR"
        await press(pilot, "escape", "3", "slash")
        await type_text(pilot, "microsite")
        await press(pilot, "enter", "$")
        assert isinstance(app.screen, PaymentsModal) and app.screen.scope == "contract"
        assert _total(app) == "1 payment · total 2,400.00 EUR"
        table = app.screen.query_one(BookTable)
        assert [str(c) for c in table.get_row_at(0)] == [
            "2026-10-26", "2,400.00 EUR", "bank transfer", "2026-025",
            "Campaign microsite #1 Deposit"]  # fmt: skip
