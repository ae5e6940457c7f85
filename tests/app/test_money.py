"""Contracts and money by keys only: a generated schedule, part payments, refused input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from textual.widgets import Input, Static

from tui.domain.model import Client, Contract, Milestone
from tui.modals.form import FormModal
from tui.modals.schedule import generate
from tui.screens.milestones import MilestonesScreen

from .helpers import plain, press, settle, type_text


def _book_with_milestone(book) -> int:
    cid = book.add_client(Client.parse({"name": "Acme"}))
    contract = Contract.parse({"title": "Site", "currency": "EUR", "total_fee": "1000.00"})
    milestone = Milestone.parse(
        {"seq": "1", "title": "Design", "amount": "1000.00", "due_date": "2026-11-01"}
    )
    book.add_contract(cid, contract, [milestone])
    return book.rows("milestones")[0]["id"]


async def test_contract_with_generated_schedule(app, reopen, book) -> None:
    """3, n: fee 1000.00 in 3 monthly milestones from 31 January: exact cents, clamped months."""
    book.add_client(Client.parse({"name": "Acme"}))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "3", "n", "tab")
        await type_text(pilot, "Site")
        await press(pilot, "tab", "tab")
        await type_text(pilot, "1000.00")
        await press(pilot, "tab")
        await type_text(pilot, "2026-01-31")
        preview = plain(app.screen.query_one("#preview", Static))
        assert "333.34" in preview and "2026-02-28" in preview
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, FormModal)
    book = reopen()
    contract = book.rows("contracts")[0]
    assert contract["title"] == "Site" and contract["total_fee"] == Decimal("1000.00")
    ms = sorted(book.rows("milestones"), key=lambda m: m["seq"])
    assert [m["amount"] for m in ms] == [Decimal("333.33"), Decimal("333.33"), Decimal("333.34")]
    assert [m["due_date"] for m in ms] == [
        dt.date(2026, 1, 31),
        dt.date(2026, 2, 28),
        dt.date(2026, 3, 31),
    ]
    assert sum(m["amount"] for m in ms) == contract["total_fee"]


def test_phase_schedule_adds_up() -> None:
    """Phases with percentages: remainder cents on the last; every 2 weeks."""
    ms = generate({"schedule": "phases", "phases": "Design 30, Build 50%, Launch 20", "every": "2",
                   "unit": "weeks", "start_date": "2026-03-01"}, Decimal("999.99"), dt.date(2026, 1, 1))  # fmt: skip
    assert [(m.title, m.amount) for m in ms] == [
        ("Design", Decimal("299.99")),
        ("Build", Decimal("499.99")),
        ("Launch", Decimal("200.01")),
    ]
    assert [m.due_date.isoformat() for m in ms] == ["2026-03-01", "2026-03-15", "2026-03-29"]


async def _pay(pilot, amount: str) -> None:
    await press(pilot, "p", "ctrl+u")
    await type_text(pilot, amount)
    await press(pilot, "enter")


async def test_part_payment_then_the_rest(app, reopen, book) -> None:
    """4, p 400, then p (defaults to the 600.00 still open): paid in full, gone from the open list."""
    mid = _book_with_milestone(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "4")
        await _pay(pilot, "400")
        assert [p["amount"] for p in reopen().rows("payments")] == [Decimal("400.00")]
        await press(pilot, "p")
        assert app.screen.query_one("#field-amount", Input).value == "600.00"
        await press(pilot, "enter")
        assert isinstance(app.screen, MilestonesScreen)
        assert app.screen.table.row_count == 0
    assert reopen().milestone_open_amount(mid) == Decimal("0.00")


async def test_refused_input_names_the_field_and_writes_nothing(app, reopen, book) -> None:
    """An overpayment, a bad date and a bad amount: named, not saved, the form keeps the text."""
    _book_with_milestone(book)
    before = reopen().change_count()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "4")
        await _pay(pilot, "1200")
        form = app.screen
        assert isinstance(form, FormModal)
        error = plain(form.query_one("#err-amount", Static))
        assert "Amount" in error and "would overpay" in error and "1,000.00" in error
        assert "Not saved" in plain(form.query_one("#form-problem", Static))
        await press(pilot, "ctrl+u")
        await type_text(pilot, "12,50")
        assert "decimal comma" in plain(form.query_one("#err-amount", Static))
        await press(pilot, "enter")
        assert app.screen is form
        await press(pilot, "ctrl+u")
        await type_text(pilot, "100")
        await press(pilot, "tab", "ctrl+u")
        await type_text(pilot, "2026-02-30")
        await press(pilot, "enter")
        assert app.screen is form
        assert "Received on: '2026-02-30' is not a real date" in plain(
            form.query_one("#err-received_on")
        )
        assert form.query_one("#field-received_on", Input).value == "2026-02-30"
        await press(pilot, "escape", "y")
    assert reopen().rows("payments") == []
    assert reopen().change_count() == before


async def test_store_refusal_keeps_the_form_open(app, reopen, book) -> None:
    """Another process paid meanwhile: the store refuses the overpayment, its message is shown."""
    from tui.domain.model import Payment

    mid = _book_with_milestone(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "4", "p")
        book.record_payment(mid, Payment.parse({"amount": "300", "received_on": "2026-11-20"}))
        await press(pilot, "enter")
        form = app.screen
        assert isinstance(form, FormModal)
        assert "would overpay" in plain(form.query_one("#form-problem", Static))
        assert app.is_running
    assert [p["amount"] for p in reopen().rows("payments")] == [Decimal("300.00")]


async def test_palette_records_a_payment(app, reopen, book) -> None:
    """ctrl+p, 'record', Enter: the payment form for that milestone, amount = what is open."""
    from tui.modals.payment_form import PaymentForm

    _book_with_milestone(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p")
        await type_text(pilot, "record")
        await pilot.pause(0.3)
        await press(pilot, "down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, PaymentForm)
        assert app.screen.query_one("#field-amount", Input).value == "1000.00"


async def test_typing_replaces_the_proposed_amount(app, reopen, book) -> None:
    """p proposes the 1000.00 open; typing 250 (no ctrl+u) replaces it: 250.00 recorded, not
    '1000.00250' refused. Tab away and back to another field keeps its text (typing adds)."""
    _book_with_milestone(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "4", "p")
        assert app.screen.query_one("#field-amount", Input).value == "1000.00"
        await type_text(pilot, "250")
        assert app.screen.query_one("#field-amount", Input).value == "250"
        await press(pilot, "enter")
        assert isinstance(app.screen, MilestonesScreen)
    assert [p["amount"] for p in reopen().rows("payments")] == [Decimal("250.00")]
