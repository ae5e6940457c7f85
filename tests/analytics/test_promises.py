"""Promises to pay (SPEC revision 2): kept, broken, pending on the chase queue and per client on
the scorecards; and the scorecard's worst days late counting open debts (issue 10)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
from builders import MemoryBook

from tui.analytics.chase import chase_queue, promise_state
from tui.analytics.scorecard import client_scorecards
from tui.domain.model import Client, Contract, Milestone, Payment

D = Decimal
AS_OF = dt.date(2026, 11, 24)


def d(month: int, day: int) -> dt.date:
    return dt.date(2026, month, day)


def setup(book: MemoryBook, name: str = "Acme") -> int:
    cid = book.add_client(Client(name=name))
    return book.add_contract(cid, Contract(title="Site", currency="EUR", total_fee=D("0.00")))


def ms(book: MemoryBook, k: int, seq: int, amount: str, due: dt.date, billed: bool = True) -> int:
    m = Milestone(seq=seq, title=f"M{seq}", amount=D(amount), due_date=due)
    mid = book.add_milestone(k, m)
    if billed:
        book.mark_invoiced(mid, f"INV-{mid}", due - dt.timedelta(days=30), due)
    return mid


def pay(book: MemoryBook, mid: int, amount: str, on: dt.date) -> None:
    book.record_payment(mid, Payment(amount=D(amount), received_on=on))


def test_promise_state_rules() -> None:
    frame = pl.DataFrame(
        {
            "promised_on": [None, d(11, 20), d(11, 20), d(11, 20), d(11, 24), d(11, 30), d(11, 30)],
            "fully_paid_on": [None, d(11, 20), d(11, 21), None, None, None, d(11, 10)],
        },
        schema={"promised_on": pl.Date, "fully_paid_on": pl.Date},
    )
    got = frame.select(promise_state(AS_OF))[:, 0].to_list()
    # none; paid on the day; paid a day late; not paid, date passed; the date is today (still
    # pending); date ahead; paid before a date still ahead
    assert got == [None, "kept", "broken", "broken", "pending", "pending", "kept"]


def test_chase_queue_promise_columns(book: MemoryBook) -> None:
    k = setup(book)
    broken = ms(book, k, 1, "500.00", d(10, 1))
    book.set_promise(broken, d(11, 15), "paying on the 15th")
    pending = ms(book, k, 2, "300.00", d(11, 1))
    book.set_promise(pending, d(11, 24), "end of the month")  # today: still pending
    pay(book, pending, "100.00", d(11, 10))  # part paid: not kept yet
    plain = ms(book, k, 3, "200.00", d(11, 1))
    q = {r["milestone_id"]: r for r in chase_queue(book.frames(), AS_OF).iter_rows(named=True)}
    assert (q[broken]["promised_on"], q[broken]["promise_note"], q[broken]["promise"]) == (
        d(11, 15),
        "paying on the 15th",
        "broken",
    )
    assert (q[pending]["promise"], q[pending]["open"]) == ("pending", D("200.00"))
    assert (q[plain]["promised_on"], q[plain]["promise_note"], q[plain]["promise"]) == (
        None,
        "",
        None,
    )
    # the day after, the pending one is broken
    q2 = {r["milestone_id"]: r for r in chase_queue(book.frames(), d(11, 25)).iter_rows(named=True)}
    assert q2[pending]["promise"] == "broken"


def test_scorecard_promises_made_kept_broken(book: MemoryBook) -> None:
    k = setup(book)
    kept = ms(book, k, 1, "100.00", d(9, 1))
    book.set_promise(kept, d(9, 20))
    pay(book, kept, "60.00", d(9, 10))
    pay(book, kept, "40.00", d(9, 20))  # fully paid on the promised day: kept
    late = ms(book, k, 2, "100.00", d(9, 1))
    book.set_promise(late, d(9, 20))
    pay(book, late, "100.00", d(9, 21))  # a day after the promise: broken, though paid
    unpaid = ms(book, k, 3, "100.00", d(10, 1))
    book.set_promise(unpaid, d(11, 1))  # date passed, nothing paid: broken
    ahead = ms(book, k, 4, "100.00", d(11, 1))
    book.set_promise(ahead, d(12, 1))  # pending: made, neither kept nor broken
    ms(book, k, 5, "100.00", d(11, 1))  # no promise
    paid_later = ms(book, k, 6, "100.00", d(10, 1))
    book.set_promise(paid_later, d(11, 30))
    pay(book, paid_later, "100.00", d(11, 28))  # after as_of: pending at as_of
    other = setup(book, "Zen")
    ms(book, other, 1, "100.00", d(12, 15))
    cards = {r["client"]: r for r in client_scorecards(book.frames(), AS_OF).iter_rows(named=True)}
    acme = cards["Acme"]
    assert (acme["promises_made"], acme["promises_kept"], acme["promises_broken"]) == (5, 1, 2)
    zen = cards["Zen"]
    assert (zen["promises_made"], zen["promises_kept"], zen["promises_broken"]) == (0, 0, 0)
    # on 11-29 the promise of 11-30 is kept (paid 11-28); 12-01 still ahead
    later = client_scorecards(book.frames(), d(11, 29)).filter(pl.col("client") == "Acme")
    assert later.select("promises_made", "promises_kept", "promises_broken").row(0) == (5, 2, 2)


def test_worst_days_late_counts_an_open_debt(book: MemoryBook) -> None:
    # the issue: "73 for a client who owes money 141 days late"
    k = setup(book)
    paid = ms(book, k, 1, "1000.00", d(3, 1))
    pay(book, paid, "1000.00", d(5, 13))  # 03-01 + 73 days: the worst paid
    owed = ms(book, k, 2, "2000.00", d(7, 6))  # 07-06 + 141 days = 11-24: open, 141 days late
    ms(book, k, 3, "3000.00", d(6, 1), billed=False)  # 176 days past its date, never invoiced
    r = client_scorecards(book.frames(), AS_OF).row(0, named=True)
    assert r["worst_days_late"] == 141  # max(73 paid, 141 open); the unbilled never counts
    assert r["oldest_overdue_days"] == 141
    assert r["median_days_late"] == 73.0  # the paid history alone
    assert (r["open"], r["overdue"]) == (D("2000.00"), D("2000.00"))  # not the unbilled 3000
    # once paid (say on 11-20, 137 days late) the open debt is gone and the paid history says 137
    pay(book, owed, "2000.00", d(11, 20))
    r = client_scorecards(book.frames(), AS_OF).row(0, named=True)
    assert (r["worst_days_late"], r["oldest_overdue_days"]) == (137, None)


def test_a_pending_promise_holds_the_ladder_until_the_day_after() -> None:
    """Due 11-12 (12 days late on 11-24), reminder logged 11-15: firm is due on 11-22 (day 10,
    gap 7 from 11-15). Promised for 11-28: firm waits until 11-29. Promised for 11-23 (broken
    on 11-24): firm due now. No promise: due now."""
    from tui.domain.model import ChaseEvent

    book = MemoryBook()
    rows = {}
    for name, promise in (("Pending", d(11, 28)), ("Broken", d(11, 23)), ("None", None)):
        k = setup(book, name)
        mid = ms(book, k, 1, "100.00", d(11, 12))
        book.log_chase(mid, ChaseEvent(date=d(11, 15), step="reminder"))
        if promise is not None:
            book.set_promise(mid, promise, "on the phone")
        rows[name] = mid
    queue = {r["milestone_id"]: r for r in chase_queue(book.frames(), AS_OF).iter_rows(named=True)}
    pending, broken, plain = (queue[rows[n]] for n in ("Pending", "Broken", "None"))
    assert (pending["step"], pending["step_due_on"], pending["waiting"]) == (
        "firm",
        d(11, 29),
        True,
    )
    assert pending["promise"] == "pending" and not pending["step_due"]
    assert (broken["step"], broken["step_due_on"], broken["step_due"]) == ("firm", d(11, 22), True)
    assert (plain["step_due_on"], plain["step_due"]) == (d(11, 22), True)
