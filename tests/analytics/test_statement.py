"""Statement of account (SPEC 4.7): a worked example, and its totals equal the aging rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
from builders import MemoryBook

from tui.analytics.aging import aging
from tui.analytics.statement import ROW_COLUMNS, find_client, statement
from tui.domain.errors import NotFoundError
from tui.domain.model import Client, Contract, Milestone, Payment
from tui.present.statement import FEES_WORDING, statement_lines

D = Decimal
AS_OF = dt.date(2026, 11, 24)


def invoiced(seq: int, amount: str, invoiced_on: dt.date, due: dt.date, no: str) -> Milestone:
    return Milestone(seq=seq, title=f"Part {seq}", amount=D(amount), due_date=due,
                     status="invoiced", invoice_no=no, invoiced_on=invoiced_on)  # fmt: skip


def worked_book() -> MemoryBook:
    """Acme: EUR contract (1 % a month late fee), USD contract (no fee); Beta owes too.

    m1 1000.00 invoiced 2026-09-25, due 2026-10-25, 400.00 paid 2026-11-01: open 600.00,
       30 days past due (1-30). Fee: money-days 1000 x 30 - 400 x 23 (Nov 1 -> Nov 24)
       = 20,800; x 1 % / 30 = 6.9333 -> 6.93.
    m2 500.00 invoiced 2026-11-20, due 2026-12-20: not due, days 0 (current), fee 0.00.
    m3 300.00 invoiced, paid in full: not listed.
    m4 200.00 invoiced 2026-07-01, due 2026-08-15: 16 + 30 + 31 + 24 = 101 days (90+).
       Fee: 200 x 101 = 20,200 money-days x 1 % / 30 = 6.7333 -> 6.73.
    m5 700.00 planned, never invoiced, due 2026-11-01: to invoice, not on the statement.
    u1 250.00 USD invoiced 2026-10-01, due 2026-10-31: 24 days (1-30), no fee rule.
    """
    book = MemoryBook()
    acme = book.add_client(Client(name="Acme"))
    beta = book.add_client(Client(name="Beta"))
    eur = Contract(title="Site", currency="EUR", total_fee=D("2700.00"),
                   late_fee_kind="monthly", late_fee_value=D("1"))  # fmt: skip
    book.add_contract(acme, eur, [
        invoiced(1, "1000.00", dt.date(2026, 9, 25), dt.date(2026, 10, 25), "A-1"),
        invoiced(2, "500.00", dt.date(2026, 11, 20), dt.date(2026, 12, 20), "A-2"),
        invoiced(3, "300.00", dt.date(2026, 9, 1), dt.date(2026, 10, 1), "A-3"),
        invoiced(4, "200.00", dt.date(2026, 7, 1), dt.date(2026, 8, 15), "A-4"),
        Milestone(seq=5, title="Part 5", amount=D("700.00"), due_date=dt.date(2026, 11, 1)),
    ])  # fmt: skip
    usd = Contract(title="App", currency="USD", total_fee=D("250.00"))
    book.add_contract(acme, usd, [
        invoiced(1, "250.00", dt.date(2026, 10, 1), dt.date(2026, 10, 31), "U-1"),
    ])  # fmt: skip
    other = Contract(title="Other", currency="EUR", total_fee=D("900.00"))
    book.add_contract(beta, other, [
        invoiced(1, "900.00", dt.date(2026, 10, 1), dt.date(2026, 10, 31), "B-1"),
    ])  # fmt: skip
    ids = dict(book.frames().milestones.select("invoice_no", "id").iter_rows())
    book.record_payment(ids["A-1"], Payment(amount=D("400.00"), received_on=dt.date(2026, 11, 1)))
    book.record_payment(ids["A-3"], Payment(amount=D("300.00"), received_on=dt.date(2026, 10, 1)))
    return book


def test_worked_example_rows_and_totals() -> None:
    frames = worked_book().frames()
    stmt = statement(frames, AS_OF, "Acme")
    assert stmt.client == "Acme" and stmt.rows.columns == ROW_COLUMNS
    got = stmt.rows.select(
        "invoice_no", "due_date", "currency", "amount", "paid", "open", "days_past_due",
        "bucket", "late_fee",
    ).rows()  # fmt: skip
    assert got == [  # by due date
        ("A-4", dt.date(2026, 8, 15), "EUR", D("200.00"), D("0.00"), D("200.00"), 101, "90+",
         D("6.73")),
        ("A-1", dt.date(2026, 10, 25), "EUR", D("1000.00"), D("400.00"), D("600.00"), 30, "1-30",
         D("6.93")),
        ("U-1", dt.date(2026, 10, 31), "USD", D("250.00"), D("0.00"), D("250.00"), 24, "1-30",
         D("0.00")),
        ("A-2", dt.date(2026, 12, 20), "EUR", D("500.00"), D("0.00"), D("500.00"), 0, "current",
         D("0.00")),
    ]  # fmt: skip
    totals = {t["currency"]: t for t in stmt.totals.to_dicts()}
    eur = totals["EUR"]
    assert (eur["current"], eur["1-30"], eur["31-60"], eur["61-90"], eur["90+"]) == (
        D("500.00"), D("600.00"), D("0.00"), D("0.00"), D("200.00"))  # fmt: skip
    # 500 + 600 + 200 = 1300; fees 6.73 + 6.93 = 13.66, not in the total owed
    assert (eur["late_fees"], eur["owed"]) == (D("13.66"), D("1300.00"))
    usd = totals["USD"]
    assert (usd["1-30"], usd["owed"], usd["late_fees"]) == (D("250.00"), D("250.00"), D("0.00"))


def test_totals_equal_the_aging_rows_of_the_client() -> None:
    frames = worked_book().frames()
    report = aging(frames, AS_OF)
    for name in ("Acme", "Beta"):
        stmt = statement(frames, AS_OF, name)
        expected = report.rows.filter(pl.col("client") == name).drop("client", "client_id")
        got = stmt.totals.select("currency", *stmt.buckets, pl.col("owed").alias("total"))
        assert got.to_dicts() == expected.to_dicts()


def test_text_lists_buckets_total_and_fees_apart() -> None:
    stmt = statement(worked_book().frames(), AS_OF, "Acme")
    text = "\n".join(statement_lines(stmt))
    assert "Client: Acme" in text and "As of: 2026-11-24" in text
    assert "Total owed (EUR): 1,300.00 EUR" in text
    assert f"{FEES_WORDING}: 13.66 EUR" in text
    assert "Total owed (USD): 250.00 USD" in text
    assert "Site #1 Part 1" in text and "Part 5" not in text and "Part 3" not in text


def test_locale_formats_client_amounts() -> None:
    book = worked_book()
    book.save_settings({"locale": "de_DE"})
    text = "\n".join(statement_lines(statement(book.frames(), AS_OF, "Acme")))
    assert "Total owed (EUR): 1.300,00\u00a0€" in text


def test_find_client_case_and_close_names() -> None:
    frames = worked_book().frames()
    assert find_client(frames, "  acme ")[1] == "Acme"
    with pytest.raises(NotFoundError) as err:
        find_client(frames, "Acne")
    assert err.value.field == "client" and "'Acme'" in str(err.value)
    with pytest.raises(NotFoundError) as err:
        find_client(frames, "Zebra Corp")
    assert "did you mean" not in str(err.value)


def test_demo_book_every_client_equals_aging(tmp_path, demo_at) -> None:
    frames = demo_at(tmp_path / "demo.duckdb").frames(lean=True)
    report = aging(frames, AS_OF)
    owing = 0
    for cid, name in frames.clients.select("id", "name").iter_rows():
        stmt = statement(frames, AS_OF, cid)
        assert stmt.client == name
        expected = report.rows.filter(pl.col("client_id") == cid).drop("client", "client_id")
        got = stmt.totals.select("currency", *stmt.buckets, pl.col("owed").alias("total"))
        assert got.to_dicts() == expected.to_dicts()
        detail = report.detail.filter(pl.col("client_id") == cid)
        assert sorted(stmt.rows["milestone_id"]) == sorted(detail["milestone_id"])
        owing += bool(stmt.rows.height)
    assert owing >= 3  # the demo book has several clients owing money
