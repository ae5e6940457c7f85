"""Schema 3 (SPEC revision 2) on a book written by schema 2: nothing lost, the new columns work.

The book is written through the real store with the program held at schema 2, so its tables
are exactly what milepay 0.2 made (seq >= 1, no promise columns, four chase steps).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tui.domain import ChaseEvent, Client, Contract, Hold, Milestone, Payment, ValidationError
from tui.domain.reference_rates import SHIPPED_REFERENCE_RATES
from tui.store import Book, schema
from tui.store.book import CONNECT_CONFIG

D = Decimal
day = dt.date


def _schema_2_book(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tui.store.book.SCHEMA_VERSION", 2)
    book = Book.open(path)
    cid = book.add_client(Client(name="Acme"))
    with book.writing() as con:  # a contract as schema 2 had it (no document)
        con.execute(
            "INSERT INTO contracts (id, client_id, title, currency, total_fee, "
            "payment_terms_days) VALUES (1, ?, 'Site', 'EUR', 1500.00, 14)",
            [cid],
        )
    kid = 1
    with book.writing() as con:  # milestones as schema 2 had them (today's store adds columns)
        con.execute(
            "INSERT INTO milestones (id, contract_id, seq, title, amount, due_date, status, "
            "invoice_no, invoiced_on) VALUES (1, ?, 1, 'Design', 1000.00, DATE '2026-10-01', "
            "'invoiced', 'INV-1', DATE '2026-09-01'), (2, ?, 2, 'Build', 500.00, "
            "DATE '2026-12-01', 'planned', '', NULL)",
            [kid, kid],
        )
    m1, m2 = book.rows("milestones", "contract_id = ?", [kid])
    book.record_payment(m1["id"], Payment(amount=D("300.00"), received_on=day(2026, 11, 1)))
    book.log_chase(m1["id"], ChaseEvent(date=day(2026, 10, 5), step="reminder"))
    book.put_on_hold(m2["id"], Hold(reason="dispute", until=day(2026, 12, 20)))
    book.claim_fee(m1["id"], D("12.50"), day(2026, 11, 2))
    book.set_template("reminder", "Mine", "My own words")
    with book.writing() as con:  # an expense as schema 2 had it (no category)
        con.execute(
            "INSERT INTO expenses (id, name, amount, currency, cadence, next_date) "
            "VALUES (1, 'Rent', 950.00, 'EUR', 'monthly', DATE '2026-01-01')"
        )
    with book.writing() as con:  # the user removed an old UK rate and the newest EU one
        con.execute("DELETE FROM reference_rates WHERE preset = 'uk' AND valid_from = '2022-02-03'")
        con.execute("DELETE FROM reference_rates WHERE preset = 'uk' AND valid_from > '2025-08-07'")
    monkeypatch.setattr("tui.store.book.SCHEMA_VERSION", schema.SCHEMA_VERSION)


def _dump(path: Path, table: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True, config=CONNECT_CONFIG)
    try:
        return con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
    finally:
        con.close()


def test_a_schema_2_book_migrates_to_3_and_keeps_every_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "book.duckdb"
    _schema_2_book(path, monkeypatch)
    before = {t: _dump(path, t) for t in schema.TABLES}
    assert _dump(path, "schema_version") == [(2,)]

    book = Book.open(path)
    assert _dump(path, "schema_version") == [(schema.SCHEMA_VERSION,)]
    assert book.notes == []  # nothing the user has to be told
    # contracts keep every value and gain an empty document (version 4)
    assert _dump(path, "contracts") == [(*row, "") for row in before["contracts"]]
    for table in ("clients", "contacts", "payments", "chase_events", "holds",
                  "fee_claims", "change_orders", "settings", "exchange_rates"):  # fmt: skip
        assert _dump(path, table) == before[table], table
    # expenses keep every value and gain an empty category
    assert _dump(path, "expenses") == [(*row, "") for row in before["expenses"]]
    # milestones keep every value and gain an empty promise (3) and invoice file (4)
    assert _dump(path, "milestones") == [(*row, None, "", "") for row in before["milestones"]]
    # the user's template is kept; the new step's template is added
    templates = {r[0]: r[1:] for r in _dump(path, "message_templates")}
    assert templates["reminder"] == ("Mine", "My own words")
    assert set(templates) == {"upcoming", "reminder", "firm", "escalate", "legal"}
    # rates: nothing the user removed comes back; nothing newer than the book's last is missing
    uk = [r for r in _dump(path, "reference_rates") if r[0] == "uk"]
    last_kept = max(r[1] for r in before["reference_rates"] if r[0] == "uk")
    shipped_after = [d for p, d, _ in SHIPPED_REFERENCE_RATES if p == "uk" and d > last_kept]
    assert [r[1] for r in uk if r[1] > last_kept] == shipped_after
    assert last_kept == day(2025, 8, 7) and shipped_after == [day(2025, 12, 18)]
    assert day(2022, 2, 3) not in [r[1] for r in uk]  # an old rate the user removed stays out
    assert path.with_name("book.duckdb.v2.bak").exists()


def test_after_migration_seq_0_upcoming_steps_and_promises_are_accepted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "book.duckdb"
    _schema_2_book(path, monkeypatch)
    book = Book.open(path)
    kid = book.rows("contracts")[0]["id"]
    deposit = book.add_milestone(
        kid, Milestone(seq=0, title="Deposit", amount=D("200.00"), due_date=day(2026, 9, 1))
    )
    book.log_chase(deposit, ChaseEvent(date=day(2026, 8, 28), step="upcoming"))
    book.set_promise(deposit, day(2026, 12, 10), "CFO said Thursday")
    row = book.rows("milestones", "id = ?", [deposit])[0]
    assert (row["seq"], row["promised_on"], row["promise_note"]) == (
        0, day(2026, 12, 10), "CFO said Thursday",
    )  # fmt: skip
    book.set_promise(deposit, None)
    assert book.rows("milestones", "id = ?", [deposit])[0]["promised_on"] is None
    with pytest.raises(ValidationError, match="promised date"):
        book.set_promise(deposit, None, "a note without a date")


def test_invoicing_saves_the_due_date_from_the_terms_or_the_one_given(tmp_path: Path) -> None:
    book = Book.open(tmp_path / "book.duckdb")
    cid = book.add_client(Client(name="Acme"))
    kid = book.add_contract(
        cid,
        Contract(title="Site", currency="EUR", total_fee=D("1500.00"), payment_terms_days=14),
        [
            Milestone(seq=0, title="Deposit", amount=D("500.00"), due_date=day(2026, 11, 20)),
            Milestone(seq=1, title="Build", amount=D("1000.00"), due_date=day(2026, 11, 25)),
        ],
    )
    m0, m1 = book.rows("milestones", "contract_id = ?", [kid])
    # issue 10's new user: invoiced on 12-01 under 14-day terms is due on 12-15, not 11-20
    assert book.mark_invoiced(m0["id"], "INV-1", day(2026, 12, 1)) == day(2026, 12, 15)
    assert book.mark_invoiced(m1["id"], "INV-2", day(2026, 12, 1), day(2026, 12, 31)) == day(
        2026, 12, 31
    )
    rows = {r["seq"]: r for r in book.rows("milestones", "contract_id = ?", [kid])}
    assert (rows[0]["due_date"], rows[0]["invoiced_on"], rows[0]["status"]) == (
        day(2026, 12, 15), day(2026, 12, 1), "invoiced",
    )  # fmt: skip
    assert rows[1]["due_date"] == day(2026, 12, 31)
    with pytest.raises(ValidationError, match="before the invoice date"):
        book.mark_invoiced(m1["id"], "INV-2", day(2026, 12, 1), day(2026, 11, 30))
    assert book.rows("milestones", "id = ?", [m1["id"]])[0]["due_date"] == day(2026, 12, 31)


def test_due_dates_before_the_invoice_date_move_to_the_terms_and_the_user_is_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Schema 2 kept the planned date when a milestone was invoiced: invoiced 11-01 under 14-day
    terms but 'due' 10-20 read as 12 days late on 11-01. Version 3 makes it 11-01 + 14 = 11-15."""
    path = tmp_path / "book.duckdb"
    _schema_2_book(path, monkeypatch)
    monkeypatch.setattr("tui.store.book.SCHEMA_VERSION", 2)
    book = Book.open(path)
    with book.writing() as con:
        con.execute(
            "INSERT INTO milestones (id, contract_id, seq, title, amount, due_date, status, "
            "invoice_no, invoiced_on) VALUES (3, 1, 3, 'Extra', 100.00, DATE '2026-10-20', "
            "'invoiced', 'INV-3', DATE '2026-11-01')"
        )
    monkeypatch.setattr("tui.store.book.SCHEMA_VERSION", schema.SCHEMA_VERSION)
    book = Book.open(path)
    assert book.notes == [
        "1 invoiced milestone(s) had a due date before their invoice date (the planned date); "
        "the due date is now the invoice date plus the contract's payment terms: INV-3: "
        "2026-10-20 -> 2026-11-15. Check the due dates of your open invoices; the book before "
        "this change is kept beside it (.v2.bak)."
    ]
    due = {r["seq"]: r["due_date"] for r in book.rows("milestones")}
    assert due == {1: day(2026, 10, 1), 2: day(2026, 12, 1), 3: day(2026, 11, 15)}
    assert Book.open(path).notes == []  # said once


def test_editing_a_milestone_keeps_its_promise(tmp_path: Path) -> None:
    book = Book.open(tmp_path / "book.duckdb")
    cid = book.add_client(Client(name="Acme"))
    kid = book.add_contract(cid, Contract(title="Site", currency="EUR", total_fee=D("100.00")))
    mid = book.add_milestone(
        kid, Milestone(seq=1, title="Design", amount=D("100.00"), due_date=day(2026, 11, 1))
    )
    book.set_promise(mid, day(2026, 12, 20), "CFO on the phone")
    opened = book.get("milestones", mid)
    edited = Milestone(seq=1, title="Design v2", amount=D("100.00"), due_date=day(2026, 11, 1))
    book.update_milestone(mid, edited, expected=opened)  # the form has no promise fields
    row = book.get("milestones", mid)
    assert (row["title"], row["promised_on"], row["promise_note"]) == (
        "Design v2", day(2026, 12, 20), "CFO on the phone",
    )  # fmt: skip


def test_an_invoice_date_is_needed_by_disputed_and_payment_is_never_due_before_it() -> None:
    base = {"seq": "1", "title": "Design", "amount": "100.00", "due_date": "2026-11-01"}
    with pytest.raises(ValidationError, match="a disputed milestone needs its invoice date"):
        Milestone.parse({**base, "status": "disputed"})
    with pytest.raises(ValidationError, match="before the invoice date 2026-11-05"):
        Milestone.parse({**base, "status": "invoiced", "invoiced_on": "2026-11-05"})
    ok = Milestone.parse({**base, "status": "disputed", "invoiced_on": "2026-11-01"})
    assert ok.due_date == ok.invoiced_on
