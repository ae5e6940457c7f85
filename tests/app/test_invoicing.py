"""Issue 10 by keys: invoicing proposes the due date from the terms, work to invoice, promises,
a payment dated after today asks first, reference rates in settings. Today is 2026-11-24."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from textual.widgets import Input, Static, TextArea

from tui.domain.model import Client, Contract, Milestone
from tui.modals.confirm import ConfirmModal
from tui.modals.form import FormModal

from .helpers import plain, press, settle, type_text


def _book(book) -> dict[int, int]:
    """Acme, contract Site under 14-day terms: #0 deposit planned 11-01 (past, never
    invoiced), #1 due 12-20 (future)."""
    cid = book.add_client(Client.parse({"name": "Acme"}))
    contract = Contract.parse(
        {"title": "Site", "currency": "EUR", "total_fee": "1500.00", "payment_terms_days": "14"}
    )
    book.add_contract(
        cid,
        contract,
        [
            Milestone.parse({"seq": "0", "title": "Deposit", "amount": "500.00", "due_date": "2026-11-01"}),
            Milestone.parse({"seq": "1", "title": "Build", "amount": "1000.00", "due_date": "2026-12-20"}),
        ],
    )  # fmt: skip
    return {m["seq"]: m["id"] for m in book.rows("milestones")}


def _value(app, name: str) -> str:
    return app.screen.query_one(f"#field-{name}", Input).value


async def test_invoicing_proposes_the_due_date_from_the_terms_and_saves_it(
    app, reopen, book
) -> None:
    ids = _book(book)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "4")
        # the deposit is past its date and never invoiced: work to invoice, not late
        line = plain(app.screen.query_one("#milestone-line", Static))
        assert "work to invoice" in line
        await press(pilot, "i")
        assert isinstance(app.screen, FormModal)
        assert _value(app, "invoiced_on") == "2026-11-24"
        assert _value(app, "due_date") == "2026-12-08"  # 11-24 + 14 days
        await type_text(pilot, "INV-7")
        await press(pilot, "tab", "ctrl+u")
        await type_text(pilot, "2026-12-01")
        assert _value(app, "due_date") == "2026-12-15"  # follows the invoice date
        await press(pilot, "tab", "ctrl+u")
        await type_text(pilot, "2026-11-30")  # before the invoice date
        err = plain(app.screen.query_one("#err-due_date", Static))
        assert "before the invoice date" in err
        await press(pilot, "ctrl+u")
        await type_text(pilot, "2026-12-31")
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, FormModal)
    row = next(r for r in reopen().rows("milestones") if r["id"] == ids[0])
    assert (row["status"], row["invoice_no"], row["invoiced_on"], row["due_date"]) == (
        "invoiced", "INV-7", dt.date(2026, 12, 1), dt.date(2026, 12, 31),
    )  # fmt: skip


async def test_a_typed_due_date_is_kept_when_the_invoice_date_changes(app, reopen, book) -> None:
    ids = _book(book)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "4", "i")
        await type_text(pilot, "INV-8")
        await press(pilot, "tab", "tab", "ctrl+u")
        await type_text(pilot, "2027-01-15")
        await press(pilot, "shift+tab", "ctrl+u")
        await type_text(pilot, "2026-11-20")
        assert _value(app, "due_date") == "2027-01-15"
        await press(pilot, "ctrl+s")
        await settle(pilot)
    row = next(r for r in reopen().rows("milestones") if r["id"] == ids[0])
    assert (row["invoiced_on"], row["due_date"]) == (dt.date(2026, 11, 20), dt.date(2027, 1, 15))


async def test_the_to_invoice_filter_and_a_promise(app, reopen, book) -> None:
    ids = _book(book)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "4", "t")
        assert app.screen.table.row_count == 1  # only the deposit is work to invoice
        await press(pilot, "t")
        assert app.screen.table.row_count == 2
        await press(pilot, "down", "P")  # Build: the client promised to pay on 12-10
        assert isinstance(app.screen, FormModal)
        await type_text(pilot, "2026-12-10")
        await press(pilot, "tab")
        await type_text(pilot, "CFO on the phone")
        await press(pilot, "ctrl+s")
        await settle(pilot)
        line = plain(app.screen.query_one("#milestone-line", Static))
        assert "promised for 2026-12-10 (pending): CFO on the phone" in line
    row = next(r for r in reopen().rows("milestones") if r["id"] == ids[1])
    assert (row["promised_on"], row["promise_note"]) == (dt.date(2026, 12, 10), "CFO on the phone")


async def test_a_payment_dated_after_today_asks_first(app, reopen, book) -> None:
    ids = _book(book)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "4", "p", "ctrl+u")
        await type_text(pilot, "100")
        await press(pilot, "tab", "ctrl+u")
        await type_text(pilot, "2027-11-24")  # a typo in the year
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ConfirmModal)
        assert "after today (2026-11-24)" in plain(app.screen.query_one(".dialog-body", Static))
        await press(pilot, "n")  # change the date: nothing saved, the form still open
        assert isinstance(app.screen, FormModal)
        assert reopen().rows("payments") == []
        await press(pilot, "ctrl+u")
        await type_text(pilot, "2026-11-24")
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, (FormModal, ConfirmModal))
    pays = reopen().rows("payments")
    assert [(p["milestone_id"], p["amount"], p["received_on"]) for p in pays] == [
        (ids[0], Decimal("100.00"), dt.date(2026, 11, 24))
    ]


async def test_settings_show_the_reference_rate_tables_last_entry_and_add_one(
    app, reopen, book
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "9", "slash")
        await type_text(pilot, "reference rate uk")
        await press(pilot, "enter")
        screen = app.screen
        row = screen.selected
        assert row is not None and row["kind"] == "refrate"
        assert row["value"].startswith("3.75 % from 2025-12-18 (last entry of")
        await press(pilot, "enter")
        assert isinstance(app.screen, FormModal)
        await press(pilot, "ctrl+u")
        await type_text(pilot, "2026-11-06")
        await press(pilot, "tab")
        await type_text(pilot, "3.5")
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert screen.selected["value"].startswith("3.5 % from 2026-11-06")
    uk = [r for r in reopen().rows("reference_rates") if r["preset"] == "uk"]
    assert (uk[-1]["valid_from"], uk[-1]["rate"]) == (dt.date(2026, 11, 6), Decimal("3.5000"))


async def test_the_signature_is_edited_on_several_lines(app, reopen, book) -> None:
    """9, filter 'signature', Enter: a multi-line editor inside the dialog that says how to save;
    Enter makes a new line, ctrl+s saves the lines as typed."""
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "9", "slash")
        await type_text(pilot, "signature")
        await press(pilot, "enter", "enter")
        assert isinstance(app.screen, FormModal)
        editor = app.screen.query_one("#field-signature", TextArea)
        dialog = app.screen.query_one(".form")
        assert editor.region.height == 6 and dialog.region.contains_region(editor.region)
        assert "Enter new line · ctrl+s save" in plain(app.screen.query_one(".form-hint", Static))
        await type_text(pilot, "Mara Lindqvist")
        await press(pilot, "enter")
        await type_text(pilot, "Design & front-end")
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, FormModal)
    assert reopen().settings().signature == "Mara Lindqvist\nDesign & front-end"


async def test_removing_a_reference_rate_that_is_not_there_says_so(app, reopen, book) -> None:
    """Enter on the UK rate row, a date with no entry and no rate: refused, naming the rate,
    the form stays open and the table is as it was."""
    before = book.rows("reference_rates")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "9", "slash")
        await type_text(pilot, "reference rate uk")
        await press(pilot, "enter", "enter", "ctrl+u")
        await type_text(pilot, "2026-11-06")
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FormModal)
        problem = plain(app.screen.query_one("#form-problem", Static))
        assert "no UK rate from 2026-11-06 to remove" in problem
    assert reopen().rows("reference_rates") == before


async def test_a_template_body_is_edited_on_several_lines(app, reopen, book) -> None:
    """9, filter 'message: firm', Enter: subject, then a multi-line body inside the dialog;
    Enter makes new lines, ctrl+s saves; the placeholders line lists $attachments."""
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "9", "slash")
        await type_text(pilot, "message: firm")
        await press(pilot, "enter", "enter")
        assert isinstance(app.screen, FormModal)
        assert "$attachments" in plain(app.screen.query_one(".form-subtitle", Static))
        assert "Enter new line" in plain(app.screen.query_one(".form-hint", Static))
        await press(pilot, "tab")
        body = app.screen.query_one("#field-body", TextArea)
        assert app.focused is body
        dialog = app.screen.query_one(".form")
        assert dialog.region.contains_region(body.region)
        body.text = ""
        await type_text(pilot, "Dear $contact,")
        await press(pilot, "enter", "enter")
        await type_text(pilot, "$items")
        await press(pilot, "enter")
        await type_text(pilot, "$attachments")
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, FormModal)
    [firm] = reopen().rows("message_templates", "step = 'firm'")
    assert firm["body"] == "Dear $contact,\n\n$items\n$attachments"
