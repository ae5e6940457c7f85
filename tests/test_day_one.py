"""Issue 10's new user, day one, through the real store and the reports: figures to sign.

On 2026-12-10 the user enters an opening balance of 4,500.00 counted that morning, a client, a
contract under 14-day terms whose first two milestones have dates already past, invoices the
design on 12-01 and records 1,000.00 received today. Worked by hand:

- aging: only the invoiced design is owed, 2,750.00 - 1,000.00 = 1,750.00, due 12-01 + 14 =
  12-15, so 5 days before its due date: current; nothing overdue, nothing to chase, no fee;
- the deposit (planned 11-01, never invoiced) is work to invoice, not aged, not late;
- cash: 4,500.00 at the start of 12-10 + 1,000.00 received that day = 5,500.00; nothing goes
  out, so the lowest balance is 5,500.00 on 12-10;
- forecast (expected, no payment history: delay 0): the design on 12-15 (1,750.00); the
  deposit as if invoiced today, 12-10 + 14 = 12-24 (750.00); the build on 2027-01-15 (1,000.00).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tui.analytics.aging import aging
from tui.analytics.chase import chase_queue
from tui.analytics.dashboard import dashboard_data
from tui.analytics.fees import late_fees
from tui.analytics.forecast import forecast
from tui.domain.model import Client, Contract, Milestone, Payment
from tui.store import Book

TODAY = dt.date(2026, 12, 10)
D = Decimal


def test_day_one_gives_figures_a_freelancer_would_sign(book: Book) -> None:
    book.save_settings({"opening_balance": "4500.00", "opening_balance_date": "2026-12-10"})
    cid = book.add_client(Client(name="Acme"))
    kid = book.add_contract(
        cid,
        Contract(title="Site", currency="EUR", total_fee=D("4500.00"), payment_terms_days=14),
        [
            Milestone(seq=0, title="Deposit", amount=D("750.00"), due_date=dt.date(2026, 11, 1)),
            Milestone(seq=1, title="Design", amount=D("2750.00"), due_date=dt.date(2026, 11, 20)),
            Milestone(seq=2, title="Build", amount=D("1000.00"), due_date=dt.date(2027, 1, 15)),
        ],
    )
    ids = {m["seq"]: m["id"] for m in book.rows("milestones", "contract_id = ?", [kid])}
    assert book.mark_invoiced(ids[1], "A-1", dt.date(2026, 12, 1)) == dt.date(2026, 12, 15)
    book.record_payment(ids[1], Payment(amount=D("1000.00"), received_on=TODAY))
    frames = book.frames()

    report = aging(frames, TODAY)
    assert report.detail.select("milestone", "days_past_due", "open", "bucket").rows() == [
        ("Design", -5, D("1750.00"), "current")
    ]
    assert report.to_invoice.select("seq", "milestone", "amount").rows() == [
        (0, "Deposit", D("750.00"))
    ]
    assert chase_queue(frames, TODAY).height == 0
    assert late_fees(frames, TODAY).height == 0

    fc = forecast(frames, TODAY, scenario="expected", period="week")
    assert fc.cash_at_as_of == D("5500.00")
    assert (fc.lowest_date, fc.lowest[1]) == (TODAY, D("5500.00"))
    assert fc.uncertain == D("0.00") and fc.at_risk == D("0.00")
    placed = {r["milestone"]: r["expected_date"] for r in fc.placements.iter_rows(named=True)}
    assert placed == {
        "Design": dt.date(2026, 12, 15),
        "Deposit": dt.date(2026, 12, 24),
        "Build": dt.date(2027, 1, 15),
    }
    inflows = [(str(p["start"]), p["inflow"]) for p in fc.periods.head(6).iter_rows(named=True)]
    assert inflows == [
        ("2026-12-07", D("0.00")),
        ("2026-12-14", D("1750.00")),
        ("2026-12-21", D("750.00")),
        ("2026-12-28", D("0.00")),
        ("2027-01-04", D("0.00")),
        ("2027-01-11", D("1000.00")),
    ]

    dash = dashboard_data(frames, TODAY)
    assert [(t["currency"], t["open"], t["overdue"]) for t in dash.totals] == [
        ("EUR", D("1750.00"), D("0.00"))
    ]
    assert [(r["milestone"], r["reason"]) for r in dash.to_invoice] == [("Deposit", "date passed")]
    assert dash.counts["chase"] == 0
