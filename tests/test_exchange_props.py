"""Property: any book, exported and imported into an empty book, gives back the same tables."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strength import examples
from test_exchange import book_content

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
from tui.domain.values import CLOSED_MILESTONE_STATUSES, MilestoneStatus
from tui.store import Book
from tui.store.exchange import SPECS, export_folder, import_folder

# Text that is hard for CSV and spreadsheets: commas, quotes, brackets, non-ASCII, and what
# starts a formula (= + - @ ', guarded on export); already trimmed, since the domain parsers
# trim what people type. Names and one-line fields have no line break or TAB; multi-line
# fields (notes, address, messages, ...) have both.
_LINE_CHARS = list("abcXYZ019 ,\"'[]&;é€ßø/-=+@")
_LINE = st.sampled_from(_LINE_CHARS)
_ALPHABET = st.sampled_from([*_LINE_CHARS, "\n", "\t"])
text = st.text(_ALPHABET, max_size=12).map(str.strip)
line = st.text(_LINE, max_size=12).map(str.strip)
name = st.text(_LINE, min_size=1, max_size=10).map(str.strip).filter(bool)
day = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2028, 12, 31))
cents = st.integers(min_value=1, max_value=500_000)
money = cents.map(lambda c: f"{Decimal(c) / 100:.2f}")


def _unique(names: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for n in names:
        if n.lower() not in seen:
            seen.add(n.lower())
            out.append(n)
    return out


@st.composite
def contract_values(draw: st.DrawFn, title: str) -> dict[str, Any]:
    kind = draw(st.sampled_from(["none", "flat", "percent", "monthly", "annual", "statutory"]))
    values: dict[str, Any] = {
        "title": title,
        "currency": draw(st.sampled_from(["EUR", "GBP", "USD", "chf"])),
        "total_fee": draw(money),
        "status": draw(st.sampled_from(["draft", "active", "paused", "completed", "cancelled"])),
        "payment_terms_days": str(draw(st.integers(0, 90))),
        "late_fee_kind": kind,
        "late_fee_value": draw(money)
        if kind == "flat"
        else draw(st.sampled_from(["", "0", "2.5", "8", "1.125"])),
        "late_fee_fixed": draw(st.sampled_from(["", "40.00", "70"])),
        "late_fee_preset": draw(st.sampled_from(["", "uk", "eu"])),
        "grace_days": str(draw(st.integers(0, 30))),
        "acceptance_days": str(draw(st.integers(0, 30))),
        "red_flags": draw(text),
        "notes": draw(text),
        "archived": draw(st.sampled_from(["yes", "no"])),
        "signed_on": draw(st.one_of(st.just(""), day.map(str))),
    }
    if kind == "flat" or (kind != "statutory" and values["late_fee_value"] == ""):
        values["late_fee_value"] = values["late_fee_value"] or "0"
    start = draw(st.one_of(st.none(), day))
    if start:
        values["start_date"] = str(start)
        if draw(st.booleans()):
            values["end_date"] = str(start + dt.timedelta(days=draw(st.integers(0, 400))))
    return values


@st.composite
def books(draw: st.DrawFn) -> list[tuple[Any, ...]]:
    """A list of Book API calls (method name, arguments, optional keywords) building a valid book."""
    ops: list[tuple[Any, ...]] = []
    clients = _unique(draw(st.lists(name, min_size=0, max_size=2)))
    milestone_id = 0
    contract_id = 0
    for client_id, client_name in enumerate(clients, start=1):
        client = Client.parse(
            {
                "name": client_name,
                "email": draw(st.sampled_from(["", "a@b.example"])),
                "notes": draw(text),
                "address": draw(text),
                "work_again": draw(st.sampled_from(["yes", "no", "undecided"])),
                "rating": draw(st.sampled_from(["", "1", "5"])),
                "feedback": draw(text),
                "archived": draw(st.sampled_from(["yes", "no"])),
            }
        )
        contacts = [
            Contact.parse(
                {
                    "name": n,
                    "role": draw(st.sampled_from(["main", "payer", "owner"])),
                    "phone": draw(line),
                }
            )
            for n in _unique(draw(st.lists(name, max_size=2)))
        ]
        ops.append(("add_client", (client, contacts)))
        for title in _unique(draw(st.lists(name, max_size=2))):
            contract = Contract.parse(draw(contract_values(title)))
            seqs = sorted(set(draw(st.lists(st.integers(1, 9999), max_size=2))))
            milestones = [
                Milestone.parse(
                    {
                        "seq": str(seq),
                        "title": draw(name),
                        "amount": draw(money),
                        "due_date": str(draw(day)),
                        "status": draw(
                            st.sampled_from(
                                # invoiced and disputed need an invoice date: see below
                                [
                                    s.value
                                    for s in MilestoneStatus
                                    if s.value not in ("invoiced", "disputed")
                                ]
                            )
                        ),
                        "progress": str(draw(st.integers(0, 100))),
                        "invoice_no": draw(line),
                        "delivered_on": draw(st.one_of(st.just(""), day.map(str))),
                    }
                )
                for seq in seqs
            ]
            ops.append(("add_contract", (client_id, contract, milestones)))
            contract_id += 1
            if draw(st.booleans()):
                order = ChangeOrder.parse(
                    {
                        "date": str(draw(day)),
                        "description": draw(name),
                        "amount_delta": draw(st.sampled_from(["-100.00", "0", "250.50"])),
                        "status": draw(st.sampled_from(["proposed", "accepted", "rejected"])),
                    }
                )
                ops.append(("add_change_order", (contract_id, order)))
            for m in milestones:
                milestone_id += 1
                remaining = int(m.amount * 100) if m.status not in CLOSED_MILESTONE_STATUSES else 0
                for _ in range(draw(st.integers(0, 2))):
                    if remaining <= 0:
                        break
                    part = draw(st.integers(1, remaining))
                    remaining -= part
                    payment = Payment.parse(
                        {"amount": f"{Decimal(part) / 100:.2f}", "received_on": str(draw(day)),
                         "method": draw(line), "reference": draw(line)}
                    )  # fmt: skip
                    ops.append(("record_payment", (milestone_id, payment)))
                if draw(st.booleans()):
                    event = ChaseEvent.parse(
                        {"date": str(draw(day)), "step": draw(st.sampled_from(["reminder", "firm", "escalate", "legal"])),
                         "channel": draw(st.sampled_from(["email", "phone", "letter", "message", "other"])),
                         "contact": draw(line), "note": draw(text), "message": draw(text)}
                    )  # fmt: skip
                    ops.append(("log_chase", (milestone_id, event)))
                if draw(st.booleans()):
                    hold = Hold.parse({"reason": draw(name), "until": str(draw(day))})
                    ops.append(("put_on_hold", (milestone_id, hold)))
                if draw(st.booleans()):
                    ops.append(("claim_fee", (milestone_id, Decimal(draw(money)), draw(day))))
                if draw(st.booleans()):
                    # invoiced only through mark_invoiced: an invoiced (or disputed) milestone
                    # has its invoice date
                    status = draw(st.sampled_from(list(MilestoneStatus)))
                    billed = (MilestoneStatus.INVOICED, MilestoneStatus.DISPUTED)
                    if status not in billed:
                        ops.append(
                            ("set_milestone_status", (milestone_id, status), {"on": draw(day)})
                        )
                    elif m.status not in CLOSED_MILESTONE_STATUSES:
                        ops.append(("mark_invoiced", (milestone_id, draw(name), draw(day))))
                        if status is MilestoneStatus.DISPUTED:
                            ops.append(("set_milestone_status", (milestone_id, status), {}))
    for _ in range(draw(st.integers(0, 2))):
        nxt = draw(day)
        expense = Expense.parse(
            {"name": draw(name), "amount": draw(money), "currency": draw(st.sampled_from(["EUR", "GBP"])),
             "cadence": draw(st.sampled_from(["once", "weekly", "monthly", "quarterly", "yearly"])),
             "next_date": str(nxt), "end_date": draw(st.sampled_from(["", str(nxt + dt.timedelta(days=90))]))}
        )  # fmt: skip
        ops.append(("add_expense", (expense,)))
    if draw(st.booleans()):
        ops.append(
            ("save_settings", ({
                "home_currency": draw(st.sampled_from(["EUR", "GBP"])),
                "business_name": draw(line),
                "opening_balance": draw(st.sampled_from(["0", "-250.00", "12000.50"])),
                "opening_balance_date": draw(st.sampled_from(["", "2026-01-01"])),
                "bucket_edges": draw(st.sampled_from(["30,60,90", "15,45,120"])),
            },))
        )  # fmt: skip
    if draw(st.booleans()):
        rate = Decimal(draw(st.sampled_from(["0.9", "1.08123456", "150"])))
        ops.append(("set_exchange_rate", ("USD", rate)))
    if draw(st.booleans()):
        ops.append(("set_template", ("firm", draw(name), draw(text) + "\n$contact")))
    if draw(st.booleans()):
        rate = Decimal(draw(st.sampled_from(["0", "2.15", "4.1234"])))
        ops.append(("set_reference_rate", ("eu", draw(day), rate)))
    return ops


@pytest.fixture(scope="module")
def empty_book_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One new, empty book file, copied for each example (creating a book takes a while)."""
    path = tmp_path_factory.mktemp("template") / "empty.duckdb"
    Book.open(path)
    return path


def _new_book(template: Path, path: Path) -> Book:
    shutil.copyfile(template, path)
    return Book.open(path)


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=books())
def test_export_then_import_gives_the_same_book(
    empty_book_file: Path, ops: list[tuple[Any, ...]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        original = _new_book(empty_book_file, folder / "original.duckdb")
        for method, args, *kwargs in ops:
            getattr(original, method)(*args, **(kwargs[0] if kwargs else {}))
        export_folder(original, folder / "export")
        copy = _new_book(empty_book_file, folder / "copy.duckdb")
        import_folder(copy, folder / "export")
        assert book_content(copy) == book_content(original)
        export_folder(copy, folder / "again")
        for spec in SPECS:
            assert (folder / "again" / spec.file).read_bytes() == (
                folder / "export" / spec.file
            ).read_bytes()
        # importing the export again with --update changes nothing
        before = book_content(copy)
        summary = import_folder(copy, folder / "export", update=True)
        assert summary.inserted == 0 and summary.updated == 0
        assert book_content(copy) == before
