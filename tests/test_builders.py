"""The in-memory book of tests/builders.py gives the frames a real book gives, table by table."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pytest
from builders import MemoryBook
from polars.testing import assert_frame_equal

from tui.domain.errors import NotFoundError, RefusedError, ValidationError
from tui.domain.model import (
    ChangeOrder,
    ChaseEvent,
    Client,
    Contact,
    Contract,
    Expense,
    Hold,
    Milestone,
    Payment,
)
from tui.domain.values import Cadence, MilestoneStatus
from tui.store import Book, BookFrames

D = Decimal
d = dt.date.fromisoformat


def fill(book: Book | MemoryBook) -> None:
    """A small book written through the methods both share (ids as the store assigns them)."""
    book.save_settings({"opening_balance": "1000.00", "opening_balance_date": "2026-11-01"})
    book.save_settings({"reminder_days": "4", "legal_cost_estimate": "450"})
    acme = book.add_client(
        Client(name="Acme", email="ap@acme.test"),
        [Contact(name="Mia", role="main"), Contact(name="Pay", role="payer", email="p@a.test")],
    )
    beta = book.add_client(Client(name="Beta", rating=2, work_again="no", feedback="slow"))
    book.add_client(Client(name="Gone", archived=True))
    site = book.add_contract(
        acme,
        Contract(
            title="Site", currency="EUR", total_fee=D("3000"), signed_on=d("2026-01-10"),
            late_fee_kind="annual", late_fee_value=D("8.12345"),  # 4 places: 8.1235, half up
            late_fee_fixed=D("25"), late_fee_preset="uk", grace_days=3, red_flags="extras",
        ),
        [
            Milestone(seq=1, title="Design", amount=D("1000"), due_date=d("2026-06-01"),
                      status="invoiced", invoice_no="INV-1", invoiced_on=d("2026-05-20")),
            Milestone(seq=2, title="Build", amount=D("1500.00"), due_date=d("2026-09-01"),
                      status=MilestoneStatus.DELIVERED, progress=100,
                      delivered_on=d("2026-08-30")),
            Milestone(seq=3, title="Launch", amount=D("500.00"), due_date=d("2026-12-01")),
        ],
    )  # fmt: skip
    logo = book.add_contract(
        beta,
        Contract(title="Logo", currency="GBP", total_fee=D("800.00"), status="completed"),
        [Milestone(seq=1, title="Logo", amount=D("800.00"), due_date=d("2026-03-01"))],
    )
    extra = book.add_milestone(
        logo, Milestone(seq=2, title="Extra", amount=D("99.99"), due_date=d("2026-04-01"))
    )
    book.mark_invoiced(extra, " INV-9 ", d("2026-03-15"))
    book.add_change_order(
        site, ChangeOrder(date=d("2026-07-01"), description="Blog", amount_delta=D("-250.5"))
    )
    book.record_payment(1, Payment(amount=D("400.00"), received_on=d("2026-06-11")))
    book.record_payment(1, Payment(amount=D("100.005"), received_on=d("2026-07-01"), method="x"))
    book.record_payment(extra, Payment(amount=D("99.99"), received_on=d("2026-04-10")))
    book.log_chase(
        1, ChaseEvent(date=d("2026-06-05"), step="reminder", contact="Pay", note="n", message="m")
    )
    book.log_chase(2, ChaseEvent(date=d("2026-09-12"), step="reminder", channel="phone"))
    book.put_on_hold(2, Hold(reason="dispute", until=d("2026-12-01")))  # today: 2026-11-24
    book.put_on_hold(2, Hold(reason="plan", until=d("2027-01-01")), on=d("2026-11-20"))
    book.put_on_hold(3, Hold(reason="PO", until=d("2026-12-24")))
    book.release_hold(3, d("2026-11-22"))
    book.claim_fee(1, D("25.00"), d("2026-08-01"))
    book.add_expense(
        Expense(name="Rent", amount=D("400"), currency="EUR", cadence=Cadence.MONTHLY,
                next_date=d("2026-01-31"))
    )  # fmt: skip
    book.add_expense(
        Expense(name="Tool", amount=D("8.55"), currency="GBP", cadence="once",
                next_date=d("2026-12-02"), end_date=d("2026-12-31"))
    )  # fmt: skip
    book.set_exchange_rate("USD", D("0.9"))
    book.set_exchange_rate("GBP", D("1.17"))
    book.set_exchange_rate("INR", D("0.033333333"))  # 9 places: 0.03333333
    book.set_exchange_rate("USD", None)
    book.set_reference_rate("uk", d("2025-08-07"), None)  # a shipped rate removed
    book.set_reference_rate("eu", d("2026-10-01"), D("2.5"))
    # refused writes change nothing (not even the change counter)
    with pytest.raises(RefusedError):
        book.record_payment(1, Payment(amount=D("500.00"), received_on=d("2026-08-01")))
    with pytest.raises(ValidationError):
        book.add_client(Client(name="ACME"))
    with pytest.raises(ValidationError):
        book.add_contract(acme, Contract(title="New", currency="EUR", total_fee=D("1")), [
            Milestone(seq=1, title="a", amount=D("1"), due_date=d("2026-01-01")),
            Milestone(seq=1, title="b", amount=D("1"), due_date=d("2026-01-01")),
        ])  # fmt: skip
    with pytest.raises(RefusedError):
        book.claim_fee(1, D("1.00"), d("2026-09-01"))
    with pytest.raises(NotFoundError):
        book.log_chase(99, ChaseEvent(date=d("2026-06-05"), step="firm"))


def _tables(f: BookFrames) -> dict[str, pl.DataFrame]:
    return {n: getattr(f, n) for n in f.__dataclass_fields__ if n != "settings"}


def _assert_same(real: BookFrames, built: BookFrames) -> None:
    tables = {n: v for n, v in _tables(real).items() if isinstance(v, pl.DataFrame)}
    assert len(tables) == 13
    for name, frame in tables.items():
        assert_frame_equal(getattr(built, name), frame, check_exact=True)
        assert getattr(built, name).schema == frame.schema, name
    assert built.settings == real.settings
    assert built.change_counter == real.change_counter


def test_a_new_book_is_the_same(book: Book) -> None:
    real = book.frames()
    assert real.reference_rates.height > 0 and real.message_templates.height == 5
    _assert_same(real, MemoryBook().frames())


def test_a_small_book_is_the_same_table_by_table(book: Book) -> None:
    mem = MemoryBook()
    fill(book)
    fill(mem)
    real, built = book.frames(), mem.frames()
    _assert_same(real, built)
    # the book is not empty where it matters, and the rounding of both is DuckDB's
    assert {n: v.height for n, v in _tables(real).items() if isinstance(v, pl.DataFrame)} == {
        "clients": 3, "contacts": 2, "contracts": 2, "milestones": 5, "payments": 3,
        "chase_events": 2, "holds": 3, "change_orders": 1, "fee_claims": 1, "expenses": 2,
        "exchange_rates": 2, "reference_rates": real.reference_rates.height,
        "message_templates": 5,
    }  # fmt: skip
    assert built.contracts["late_fee_value"][0] == D("8.1235")
    assert built.payments["amount"].to_list() == [D("400.00"), D("100.01"), D("99.99")]
    assert built.settings.fx == {"GBP": D("1.17"), "INR": D("0.03333333")}
    assert built.holds["released_on"].to_list() == [d("2026-11-20"), None, d("2026-11-22")]
    assert built.milestones["invoice_no"][4] == "INV-9"
    # every successful write, none of the refused ones: settings 2, clients 3, contracts 2,
    # milestone 1, invoiced 1, change order 1, payments 3, chases 2, holds 3 + 1 release,
    # claim 1, expenses 2, exchange rates 4, reference rates 2 = 28
    assert built.change_counter == 28


def test_a_broken_check_is_refused_by_both(book_path: Path) -> None:
    book, mem = Book.open(book_path), MemoryBook()
    bad = Expense(name="Tool", amount=D("1"), currency="eur", cadence="once", next_date=d("2026-01-01"))  # fmt: skip
    with pytest.raises(duckdb.ConstraintException):
        book.add_expense(bad)
    with pytest.raises(ValueError, match=r"expenses\.currency"):
        mem.add_expense(bad)
    _assert_same(book.frames(), mem.frames())
