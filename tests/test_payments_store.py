"""Correcting payments in the store: edit, delete, split one transfer; audited and undoable."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from tui.domain.allocation import allocate_oldest_first
from tui.domain.errors import NotFoundError, RefusedError, StaleEditError, ValidationError
from tui.domain.model import Client, Contract, Milestone, Payment
from tui.store import Book

D = Decimal
ON = dt.date(2026, 11, 20)


def _milestone(seq: int, title: str, amount: str, due: str, status: str = "invoiced",
               invoice_no: str = "") -> Milestone:  # fmt: skip
    return Milestone.parse({"seq": str(seq), "title": title, "amount": amount, "due_date": due,
                            "status": status, "invoice_no": invoice_no or f"INV-{seq}",
                            "invoiced_on": "2026-09-01"})  # fmt: skip


def _setup(book: Book) -> dict[str, int]:
    """Acme: Site (EUR) with Design 1000.00, Build 600.00 (due first), Launch 700.00;
    Beta: Shop (EUR) with Logo 500.00."""
    acme = book.add_client(Client.parse({"name": "Acme"}))
    beta = book.add_client(Client.parse({"name": "Beta"}))
    book.add_contract(acme, Contract.parse({"title": "Site", "currency": "EUR",
                                            "total_fee": "2300.00"}), [
        _milestone(1, "Design", "1000.00", "2026-10-01"),
        _milestone(2, "Build", "600.00", "2026-10-15"),
        _milestone(3, "Launch", "700.00", "2026-11-15"),
    ])  # fmt: skip
    book.add_contract(beta, Contract.parse({"title": "Shop", "currency": "EUR",
                                            "total_fee": "500.00"}),
                      [_milestone(1, "Logo", "500.00", "2026-09-20", invoice_no="B-1")])  # fmt: skip
    ids = {m["title"]: m["id"] for m in book.rows("milestones")}
    return {**ids, "acme": acme, "beta": beta}


def _pay(amount: str, on: dt.date = ON, reference: str = "") -> Payment:
    return Payment(D(amount), on, "bank transfer", reference)


def _entries(book: Book) -> int:
    return len(book.audit_log())


def test_edit_750_to_570_then_undo(book: Book) -> None:
    """The typo of the issue: 750.00 recorded, 570.00 received; open becomes 1000 - 570 = 430."""
    ids = _setup(book)
    pid = book.record_payment(ids["Design"], _pay("750.00", reference="INV-1"))
    before = book.rows("payments")
    assert book.milestone_open_amount(ids["Design"]) == D("250.00")
    entries = _entries(book)

    book.update_payment(pid, _pay("570.00", reference="INV-1"), expected=before[0])

    (row,) = book.rows("payments")
    assert row["amount"] == D("570.00") and row["milestone_id"] == ids["Design"]
    assert row["received_on"] == ON and row["reference"] == "INV-1"
    assert book.milestone_open_amount(ids["Design"]) == D("430.00")
    assert _entries(book) == entries + 1
    last = book.audit_log(1)[0]
    assert last["action"] == "update_payment"
    (change,) = json.loads(last["changes"])
    assert change["before"]["amount"] == {"$dec": "750.00"}
    assert change["after"]["amount"] == {"$dec": "570.00"}

    book.undo()
    assert book.rows("payments") == before


def test_overpayment_refused_on_edit(book: Book) -> None:
    """400.00 + 500.00 on 1000.00: the 500.00 may become at most 600.00; 700.00 is refused."""
    ids = _setup(book)
    book.record_payment(ids["Design"], _pay("400.00"))
    pid = book.record_payment(ids["Design"], _pay("500.00"))
    assert book.payment_room(pid) == D("600.00")
    before, entries = book.rows("payments"), _entries(book)

    with pytest.raises(RefusedError) as err:
        book.update_payment(pid, _pay("700.00"))
    assert err.value.field == "amount"
    assert str(err.value) == (
        "amount: 700.00 would overpay this milestone (amount 1,000.00, already paid 400.00 "
        "by its other payments, open 600.00)"
    )
    assert book.rows("payments") == before and _entries(book) == entries

    book.update_payment(pid, _pay("600.00"))
    assert book.milestone_open_amount(ids["Design"]) == D("0.00")


def test_edit_refused_when_changed_elsewhere(book: Book) -> None:
    """The form opened on 750.00; someone made it 760.00 since: the 570.00 save is refused."""
    ids = _setup(book)
    pid = book.record_payment(ids["Design"], _pay("750.00"))
    opened = book.get("payments", pid)
    book.update_payment(pid, _pay("760.00"))
    with pytest.raises(StaleEditError) as err:
        book.update_payment(pid, _pay("570.00"), expected=opened)
    assert err.value.changed == {"amount": (D("750.00"), D("760.00"))}
    assert book.get("payments", pid)["amount"] == D("760.00")


def test_written_off_payment_lowered_not_raised(book: Book) -> None:
    """A payment of 300.00 on a milestone written off since: 250.00 is fine, 350.00 refused."""
    ids = _setup(book)
    pid = book.record_payment(ids["Design"], _pay("300.00"))
    book.set_milestone_status(ids["Design"], "written_off")
    with pytest.raises(RefusedError, match="written off, a payment on it can be lowered"):
        book.update_payment(pid, _pay("350.00"))
    book.update_payment(pid, _pay("250.00"))
    assert book.get("payments", pid)["amount"] == D("250.00")


def test_delete_then_undo(book: Book) -> None:
    """Deleting the 750.00 leaves 400.00 paid on Design; one audit entry; undo brings it back."""
    ids = _setup(book)
    book.record_payment(ids["Design"], _pay("400.00", reference="first"))
    pid = book.record_payment(ids["Design"], _pay("500.00", reference="second"))
    before = book.rows("payments")
    entries = _entries(book)

    removed = book.delete_payment(pid, expected=book.get("payments", pid))

    assert removed["amount"] == D("500.00")
    assert [r["reference"] for r in book.rows("payments")] == ["first"]
    assert book.milestone_open_amount(ids["Design"]) == D("600.00")
    assert _entries(book) == entries + 1
    assert book.audit_log(1)[0]["action"] == "delete_payment"

    book.undo()
    assert book.rows("payments") == before


def test_delete_refused_when_changed_or_gone(book: Book) -> None:
    """A deletion from a list showing 500.00 when it is 450.00 now, or already gone: refused."""
    ids = _setup(book)
    pid = book.record_payment(ids["Design"], _pay("500.00"))
    shown = book.get("payments", pid)
    book.update_payment(pid, _pay("450.00"))
    with pytest.raises(StaleEditError):
        book.delete_payment(pid, expected=shown)
    assert len(book.rows("payments")) == 1
    book.delete_payment(pid)
    with pytest.raises(NotFoundError, match="no payment with id"):
        book.delete_payment(pid)


def test_split_1000_over_600_and_700(book: Book) -> None:
    """1,000.00 over Build (600.00, due first) and Launch (700.00): 600.00 + 400.00."""
    ids = _setup(book)
    open_rows = book.open_billed_milestones(ids["acme"], "EUR")
    assert [(r["title"], r["open"]) for r in open_rows] == [
        ("Design", D("1000.00")), ("Build", D("600.00")), ("Launch", D("700.00"))]  # fmt: skip
    two = [r for r in open_rows if r["title"] != "Design"]
    parts = allocate_oldest_first(D("1000.00"), two)
    assert parts == [(ids["Build"], D("600.00")), (ids["Launch"], D("400.00"))]
    assert parts.leftover == D("0.00")
    before, entries = book.rows("payments"), _entries(book)

    new = book.record_split(parts, ON, "bank transfer", "TR-77")

    rows = book.rows("payments")
    assert [(r["id"], r["milestone_id"], r["amount"], r["reference"]) for r in rows] == [
        (new[0], ids["Build"], D("600.00"), "TR-77"), (new[1], ids["Launch"], D("400.00"), "TR-77")]  # fmt: skip
    assert book.milestone_open_amount(ids["Launch"]) == D("300.00")
    assert _entries(book) == entries + 1
    last = book.audit_log(1)[0]
    assert last["action"] == "record_split" and last["summary"] == "payments: 2 added"
    assert book.open_billed_milestones(ids["acme"], "EUR")[1:] == [
        {**two[1], "open": D("300.00")}]  # fmt: skip

    book.undo()
    assert book.rows("payments") == before


def test_split_leftover_is_reported() -> None:
    """1,500.00 over 600.00 and 700.00 open: both paid in full, 200.00 left over."""
    rows = [{"milestone_id": 3, "due_date": dt.date(2026, 11, 15), "seq": 3, "open": D("700.00")},
            {"milestone_id": 2, "due_date": dt.date(2026, 10, 15), "seq": 2, "open": D("600.00")}]  # fmt: skip
    parts = allocate_oldest_first(D("1500.00"), rows)
    assert parts == [(2, D("600.00")), (3, D("700.00"))]
    assert parts.leftover == D("200.00") and parts.allocated == D("1300.00")


def test_split_refusals_name_the_milestone_and_write_nothing(book: Book) -> None:
    """Another client's milestone, a part above what is open, a part of 0: nothing written."""
    ids = _setup(book)
    entries = _entries(book)
    with pytest.raises(RefusedError) as err:
        book.record_split([(ids["Build"], D("100.00")), (ids["Logo"], D("100.00"))], ON, "", "")
    assert str(err.value) == (
        "milestone 'Shop #1 Logo' is a milestone of Beta, not of Acme: one transfer pays "
        "milestones of one client"
    )
    with pytest.raises(RefusedError) as err:
        book.record_split([(ids["Build"], D("600.00")), (ids["Launch"], D("700.01"))], ON, "", "")
    assert str(err.value) == (
        "amount: 700.01 would overpay milestone 'Site #3 Launch' (amount 700.00, already paid "
        "0.00, open 700.00)"
    )
    with pytest.raises(RefusedError, match="the part for milestone 'Site #2 Build' must be more"):
        book.record_split([(ids["Build"], D("0.00"))], ON, "", "")
    with pytest.raises(ValidationError, match="named twice"):
        book.record_split([(ids["Build"], D("1.00")), (ids["Build"], D("2.00"))], ON, "", "")
    with pytest.raises(ValidationError, match="method"):
        book.record_split([(ids["Build"], D("1.00"))], ON, "x" * 61, "")
    assert book.rows("payments") == [] and _entries(book) == entries


def test_payments_of_each_scope(book: Book) -> None:
    """Listed by milestone, contract and client, oldest first, with their milestone."""
    ids = _setup(book)
    book.record_payment(ids["Launch"], _pay("100.00", dt.date(2026, 11, 2)))
    book.record_payment(ids["Design"], _pay("200.00", dt.date(2026, 11, 1)))
    book.record_payment(ids["Logo"], _pay("50.00"))
    assert [r["amount"] for r in book.payments_of("milestone", ids["Launch"])] == [D("100.00")]
    site = book.payments_of("contract", book.rows("contracts")[0]["id"])
    assert [(r["milestone"], r["amount"]) for r in site] == [
        ("Design", D("200.00")), ("Launch", D("100.00"))]  # fmt: skip
    assert [r["client"] for r in book.payments_of("client", ids["beta"])] == ["Beta"]
    with pytest.raises(ValueError):
        book.payments_of("invoice", 1)
