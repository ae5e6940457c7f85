"""Dashboard figures (SPEC revision 2): owed and overdue are billed only; the work to invoice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from builders import MemoryBook

from tui.analytics.dashboard import dashboard_data
from tui.domain.model import Client, Contract, Milestone

D = Decimal
TODAY = dt.date(2026, 11, 24)


def day(month: int, d: int) -> dt.date:
    return dt.date(2026, month, d)


def test_totals_are_billed_only_and_to_invoice_has_both_reasons_once(book: MemoryBook) -> None:
    cid = book.add_client(Client(name="Acme"))
    ms = [
        # a: invoiced, 14 days past due: open and overdue
        Milestone(seq=1, title="a", amount=D("300.00"), due_date=day(11, 10), status="invoiced",
                  invoice_no="INV-1", invoiced_on=day(10, 11)),
        # b: planned, past its date, never invoiced: to invoice ("date passed"), not overdue
        Milestone(seq=2, title="b", amount=D("500.00"), due_date=day(11, 1)),
        # c: delivered 11-05, 14 acceptance days over on 11-19: to invoice ("accepted")
        Milestone(seq=3, title="c", amount=D("400.00"), due_date=day(12, 20), status="delivered",
                  delivered_on=day(11, 5)),
        # d: delivered 11-15, accepted only on 11-29: not yet
        Milestone(seq=4, title="d", amount=D("100.00"), due_date=day(12, 20), status="delivered",
                  delivered_on=day(11, 15)),
        # e: delivered long ago and past its date: listed once, as "date passed"
        Milestone(seq=5, title="e", amount=D("250.00"), due_date=day(11, 20), status="delivered",
                  delivered_on=day(10, 1)),
        # f: delivered, no delivery date: listed (accepted, date unknown), first
        Milestone(seq=6, title="f", amount=D("50.00"), due_date=day(12, 30), status="delivered"),
        # g: invoiced, due in 16 days: open, not overdue
        Milestone(seq=7, title="g", amount=D("200.00"), due_date=day(12, 10), status="invoiced",
                  invoice_no="INV-7", invoiced_on=day(11, 10)),
    ]  # fmt: skip
    book.add_contract(cid, Contract(title="Site", currency="EUR", total_fee=D("1800.00")), ms)
    data = dashboard_data(book.frames(), TODAY)
    # owed: a + g = 300 + 200 = 500.00 (b, c, d, e, f are not billed: 1300.00 not counted);
    # overdue: a alone (b and e are past their date but were never invoiced)
    assert data.totals == [{"currency": "EUR", "open": D("500.00"), "n_open": 2,
                            "overdue": D("300.00"), "n_overdue": 1}]  # fmt: skip
    got = [(r["milestone"], r["reason"], r["since"], r["open"]) for r in data.to_invoice]
    assert got == [
        ("f", "accepted", None, D("50.00")),
        ("b", "date passed", day(11, 1), D("500.00")),
        ("c", "accepted", day(11, 19), D("400.00")),  # 11-05 + 14 days
        ("e", "date passed", day(11, 20), D("250.00")),
    ]
    assert data.counts["to_invoice"] == 4
    # the keys the dashboard screen reads are still there
    r = data.to_invoice[2]
    assert (r["client"], r["contract"], r["seq"], r["delivered_on"], r["currency"]) == (
        "Acme",
        "Site",
        3,
        day(11, 5),
        "EUR",
    )
    # a list cut to 2 rows keeps the full count
    short = dashboard_data(book.frames(), TODAY, rows=2)
    assert [r["milestone"] for r in short.to_invoice] == ["f", "b"]
    assert short.counts["to_invoice"] == 4
