"""Work to invoice (SPEC 4.1, revision 2): past its date, never invoiced; not aged, not owed.

The worked example of docs/rules.md#aging, through the Book API of the in-memory test book.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
from builders import MemoryBook

from tui.analytics.aging import aging
from tui.analytics.chase import chase_queue
from tui.analytics.fees import late_fees
from tui.domain.model import Client, Contract, Milestone, Payment

D = Decimal
AS_OF = dt.date(2026, 11, 24)


def day(month: int, d: int) -> dt.date:
    return dt.date(2026, month, d)


def invoiced(seq: int, title: str, amount: str, due: dt.date, on: dt.date) -> Milestone:
    return Milestone(seq=seq, title=title, amount=D(amount), due_date=due, status="invoiced",
                     invoice_no=f"INV-{seq}", invoiced_on=on)  # fmt: skip


def test_the_rules_page_example(book: MemoryBook) -> None:
    acme = book.add_client(Client(name="Acme"))
    eur = book.add_contract(
        acme,
        Contract(title="Site", currency="EUR", total_fee=D("1750.00"), late_fee_kind="flat",
                 late_fee_value=D("20")),
        [
            invoiced(1, "m1", "400.00", day(11, 24), day(10, 25)),  # 0 days: current
            invoiced(2, "m2", "300.00", day(10, 25), day(9, 25)),  # 30 days: 1-30
            invoiced(3, "m3", "200.00", day(10, 24), day(9, 24)),  # 31 days: 31-60
            invoiced(4, "m4", "100.00", day(8, 25), day(7, 25)),  # 6 + 30 + 31 + 24 = 91: 90+
            Milestone(seq=5, title="m5", amount=D("500.00"), due_date=day(12, 10)),  # planned
            Milestone(seq=6, title="m6", amount=D("250.00"), due_date=day(11, 10),
                      status="delivered", delivered_on=day(10, 30)),
        ],
    )  # fmt: skip
    book.add_contract(
        acme,
        Contract(title="App", currency="USD", total_fee=D("1000.00")),
        [invoiced(1, "u1", "1000.00", day(12, 20), day(11, 20))],  # -26 days: current
    )
    r = aging(book.frames(), AS_OF)
    eur_row = r.rows.filter(pl.col("currency") == "EUR").row(0, named=True)
    # m6 (due 11-10, never invoiced) is not in 1-30: 300.00 alone; total 400+300+200+100
    assert [eur_row[b] for b in r.buckets] == [D("400.00"), D("300.00"), D("200.00"), D("0.00"),
                                              D("100.00")]  # fmt: skip
    assert eur_row["total"] == D("1000.00")
    assert r.totals.filter(pl.col("currency") == "USD")["current"].to_list() == [D("1000.00")]
    assert sorted(r.detail["milestone"].to_list()) == ["m1", "m2", "m3", "m4", "u1"]
    m6 = int(book.frames().milestones.filter(pl.col("title") == "m6")["id"][0])
    assert r.to_invoice.rows(named=True) == [
        {"client": "Acme", "contract": "Site", "seq": 6, "milestone": "m6",
         "due_date": day(11, 10), "currency": "EUR", "amount": D("250.00"), "status": "delivered",
         "milestone_id": m6, "client_id": acme, "contract_id": eur},
    ]  # fmt: skip
    # m6 owes no fee and is not chased; m2 (30 days late, invoiced) does and is
    fees = dict(late_fees(book.frames(), AS_OF).select("milestone_id", "late_fee").iter_rows())
    assert m6 not in fees and sum(fees.values()) == D("60.00")  # m2, m3, m4: 3 x 20.00
    assert m6 not in chase_queue(book.frames(), AS_OF)["milestone_id"].to_list()


def test_a_planned_milestone_past_its_date_is_to_invoice_for_its_open_amount(
    book: MemoryBook,
) -> None:
    cid = book.add_client(Client(name="Bright"))
    book.add_contract(
        cid,
        Contract(title="Logo", currency="GBP", total_fee=D("900.00"), late_fee_kind="statutory",
                 late_fee_preset="uk", late_fee_value=D("8")),
        [Milestone(seq=0, title="Deposit", amount=D("900.00"), due_date=day(9, 1))],
    )  # fmt: skip
    mid = int(book.frames().milestones["id"][0])
    book.record_payment(mid, Payment(amount=D("150.00"), received_on=day(9, 10)))
    book.record_payment(mid, Payment(amount=D("50.00"), received_on=day(11, 25)))  # after as_of
    r = aging(book.frames(), AS_OF)
    assert r.detail.is_empty() and r.rows.is_empty()  # not aged
    # open at as_of: 900 - 150 = 750.00 (the 11-25 payment is not received yet)
    assert r.to_invoice.select("seq", "amount", "status").rows() == [(0, D("750.00"), "planned")]
    assert late_fees(book.frames(), AS_OF).is_empty()  # no fee
    assert chase_queue(book.frames(), AS_OF).is_empty()  # not chased
    # the day before its date it was nothing at all; once paid in full it is nothing either
    assert aging(book.frames(), day(8, 31)).to_invoice.is_empty()
    book.record_payment(mid, Payment(amount=D("700.00"), received_on=day(11, 20)))
    assert aging(book.frames(), AS_OF).to_invoice["amount"].to_list() == [D("50.00")]  # 900-150-700
    assert aging(book.frames(), day(11, 25)).to_invoice.is_empty()  # + 50 on 11-25: paid in full


def test_invoicing_it_moves_it_to_the_aging_with_the_terms(book: MemoryBook) -> None:
    # invoiced 12-01 under 14-day terms: due 12-15, so 0 days past due on 12-15, 1 on 12-16
    # (the user saw "9 days overdue" on 12-10, counted from the planned date 12-01)
    cid = book.add_client(Client(name="Coast"))
    book.add_contract(
        cid,
        Contract(title="Shop", currency="EUR", total_fee=D("800.00"), payment_terms_days=14),
        [Milestone(seq=1, title="Build", amount=D("800.00"), due_date=day(12, 1))],
    )
    mid = int(book.frames().milestones["id"][0])
    assert aging(book.frames(), day(12, 10)).to_invoice["milestone_id"].to_list() == [mid]
    assert book.mark_invoiced(mid, "INV-1", day(12, 1)) == day(12, 15)
    for d, past_due, bucket in [(10, -5, "current"), (15, 0, "current"), (16, 1, "1-30")]:
        r = aging(book.frames(), day(12, d))
        assert r.to_invoice.is_empty()
        row = r.detail.row(0, named=True)
        assert (row["due_date"], row["days_past_due"], row["bucket"]) == (
            day(12, 15),
            past_due,
            bucket,
        ), d
    # invoiced after as_of: not billed yet at 11-30, and not past its (new) date either
    assert aging(book.frames(), day(11, 30)).detail.is_empty()
    assert aging(book.frames(), day(11, 30)).to_invoice.is_empty()
