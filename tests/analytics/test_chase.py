"""The chase ladder (SPEC 4.4): steps at their thresholds, no skipping, holds, contacts."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import polars as pl
import pytest
from builders import MemoryBook

from tui.analytics.chase import COLUMNS, active_holds, chase_queue, holds_ending
from tui.analytics.fees import late_fees
from tui.domain.model import ChaseEvent, Client, Contact, Contract, Hold, Milestone, Payment

D = Decimal
DUE = dt.date(2026, 1, 1)
_names = itertools.count(1)


def day(n: int) -> dt.date:
    """as_of that is n days past DUE."""
    return DUE + dt.timedelta(days=n)


def add(
    book: MemoryBook,
    amount: str = "1000.00",
    due: dt.date = DUE,
    *,
    contacts: list[Contact] | None = None,
    client_email: str = "",
    kind: str = "none",
    value: str = "0",
    currency: str = "EUR",
    status: str = "invoiced",
    name: str | None = None,
) -> int:
    """A client (with contacts) with one contract of one milestone; returns the milestone id."""
    cid = book.add_client(
        Client(name=name or f"Client {next(_names)}", email=client_email), contacts or []
    )
    contract = Contract(
        title="Site",
        currency=currency,
        total_fee=D(amount),
        late_fee_kind=kind,
        late_fee_value=D(value),
    )
    ms = Milestone(
        seq=1,
        title="Design",
        amount=D(amount),
        due_date=due,
        status=status,
        invoice_no="INV-7",
        invoiced_on=due,
    )
    book.add_contract(cid, contract, [ms])
    return int(book.frames().milestones["id"].max())


def log(book: MemoryBook, mid: int, *steps: str, on: dt.date = DUE) -> None:
    for s in steps:
        book.log_chase(mid, ChaseEvent(date=on, step=s))


def row(book: MemoryBook, mid: int, as_of: dt.date) -> dict | None:
    q = chase_queue(book.frames(), as_of).filter(pl.col("milestone_id") == mid)
    return q.row(0, named=True) if q.height else None


# ---- steps ---------------------------------------------------------------------------------


def test_not_past_due_is_not_in_the_queue(book: MemoryBook) -> None:
    mid = add(book)
    assert row(book, mid, day(0)) is None
    assert row(book, mid, day(-5)) is None


@pytest.mark.parametrize(
    ("days", "step", "overdue"),
    [
        (1, "grace", "grace"),
        (2, "grace", "grace"),
        (3, "reminder", "reminder"),
        (9, "reminder", "reminder"),
        (10, "reminder", "firm"),
        (21, "reminder", "escalate"),
        (45, "reminder", "legal"),
        (400, "reminder", "legal"),
    ],
)
def test_nothing_logged_always_proposes_the_reminder_first(
    book: MemoryBook, days: int, step: str, overdue: str
) -> None:
    mid = add(book)
    r = row(book, mid, day(days))
    assert r is not None
    assert (r["step"], r["overdue_step"], r["days_past_due"]) == (step, overdue, days)
    assert r["step_due"] is (step != "grace")
    assert r["waiting"] is (step == "grace")  # grace waits for the reminder
    assert r["step_due_on"] == day(3)  # the reminder's day, whether in grace or due


def test_each_step_at_its_threshold_once_the_one_before_is_logged(book: MemoryBook) -> None:
    mid = add(book)
    # day 3: reminder due
    r = row(book, mid, day(3))
    assert (r["step"], r["step_due"]) == ("reminder", True)
    log(book, mid, "reminder", on=day(3))
    # days 4..9: firm proposed but not due yet (from day 10 = 2026-01-11)
    r = row(book, mid, day(9))
    assert (r["step"], r["step_due"], r["step_due_on"]) == ("firm", False, day(10))
    r = row(book, mid, day(10))
    assert (r["step"], r["step_due"], r["overdue_step"]) == ("firm", True, "firm")
    log(book, mid, "firm", on=day(10))
    r = row(book, mid, day(20))
    assert (r["step"], r["step_due"]) == ("escalate", False)
    r = row(book, mid, day(21))
    assert (r["step"], r["step_due"]) == ("escalate", True)
    log(book, mid, "escalate", on=day(21))
    r = row(book, mid, day(44))
    assert (r["step"], r["step_due"], r["step_due_on"]) == ("legal", False, day(45))
    r = row(book, mid, day(45))
    assert (r["step"], r["step_due"]) == ("legal", True)
    log(book, mid, "legal", on=day(45))
    r = row(book, mid, day(46))
    assert (r["step"], r["step_due"], r["overdue_step"]) == ("done", False, "legal")
    assert (r["last_step"], r["last_chased_on"]) == ("legal", day(45))


def test_a_skipped_step_is_proposed_first(book: MemoryBook) -> None:
    mid = add(book)
    log(book, mid, "reminder", on=day(3))
    # day 30: the days suggest escalation, but the firm reminder was never sent
    r = row(book, mid, day(30))
    assert (r["step"], r["step_due"], r["overdue_step"]) == ("firm", True, "escalate")
    # a firm logged without a reminder still leaves the reminder to send first (ladder order)
    other = add(book)
    log(book, other, "firm", on=day(12))
    r = row(book, other, day(15))
    assert (r["step"], r["last_step"]) == ("reminder", "firm")


def test_chase_events_after_as_of_do_not_count(book: MemoryBook) -> None:
    mid = add(book)
    log(book, mid, "reminder", on=day(5))
    r = row(book, mid, day(4))
    assert (r["step"], r["last_step"], r["last_chased_on"]) == ("reminder", None, None)
    assert row(book, mid, day(5))["step"] == "firm"


def test_thresholds_come_from_settings(book: MemoryBook) -> None:
    # revision 2: the gap since the last step is a setting too (min_gap_days, default 7);
    # before it, firm was due on day 5 here, now it waits for the gap of 6 days (day 6)
    book.save_settings(
        {
            "reminder_days": "1",
            "firm_days": "5",
            "escalate_days": "8",
            "legal_days": "30",
            "min_gap_days": "6",
        }
    )
    mid = add(book)
    assert row(book, mid, day(1))["step"] == "reminder"
    log(book, mid, "reminder")  # on day 0 (the due date)
    r = row(book, mid, day(5))
    assert (r["step"], r["step_due"], r["waiting"], r["step_due_on"]) == (
        "firm",
        False,
        True,
        day(6),  # max(day 0 + 5 (threshold), day 0 + 6 (gap))
    )
    assert (row(book, mid, day(6))["step"], row(book, mid, day(6))["step_due"]) == ("firm", True)


# ---- who is in the queue -------------------------------------------------------------------


def test_paid_cancelled_written_off_are_out_disputed_stays(book: MemoryBook) -> None:
    paid = add(book)
    book.record_payment(paid, Payment(amount=D("1000.00"), received_on=day(2)))
    part = add(book)
    book.record_payment(part, Payment(amount=D("400.00"), received_on=day(2)))
    later = add(book)
    book.record_payment(later, Payment(amount=D("1000.00"), received_on=day(20)))  # after as_of
    cancelled = add(book, status="cancelled")
    written_off = add(book, status="written_off")
    disputed = add(book, status="disputed")
    q = chase_queue(book.frames(), day(10))
    ids = set(q["milestone_id"].to_list())
    assert ids == {part, later, disputed}
    by_id = {r["milestone_id"]: r for r in q.iter_rows(named=True)}
    assert by_id[part]["open"] == D("600.00")
    assert by_id[later]["open"] == D("1000.00")
    assert by_id[disputed]["disputed"] is True and by_id[part]["disputed"] is False
    assert cancelled not in ids and written_off not in ids


def test_holds_active_expired_released(book: MemoryBook) -> None:
    active = add(book)
    book.put_on_hold(active, Hold(reason="disputed scope", until=day(20)))
    expired = add(book)
    book.put_on_hold(expired, Hold(reason="payment plan", until=day(9)))
    released = add(book)
    book.put_on_hold(released, Hold(reason="waiting for PO", until=day(30)))
    book.release_hold(released, day(8))
    released_later = add(book)
    book.put_on_hold(released_later, Hold(reason="waiting for PO", until=day(30)))
    book.release_hold(released_later, day(12))
    ids = set(chase_queue(book.frames(), day(10))["milestone_id"].to_list())
    assert active not in ids  # until 01-21 >= as_of 01-11
    assert expired in ids  # ended 01-10, the day before as_of
    assert released in ids  # released on 01-09
    assert released_later not in ids  # released after as_of: still held at as_of
    # the hold covers its end date, the milestone comes back the day after
    assert active not in set(chase_queue(book.frames(), day(20))["milestone_id"].to_list())
    assert active in set(chase_queue(book.frames(), day(21))["milestone_id"].to_list())

    holds = active_holds(book.frames(), day(10))
    assert holds["milestone_id"].to_list() == [active, released_later]
    assert holds.row(0, named=True)["reason"] == "disputed scope"
    ending = holds_ending(book.frames(), day(10), within_days=10)
    assert ending["milestone_id"].to_list() == [active]  # until 01-21 = as_of + 10
    assert ending.row(0, named=True)["days_left"] == 10
    assert ending.row(0, named=True)["milestone"] == "Design"
    assert holds_ending(book.frames(), day(10), within_days=9).height == 0


# ---- contacts ---------------------------------------------------------------------------------


MAIN = Contact(name="Mia Main", role="main", email="mia@acme.test")
PAYER = Contact(name="Pay Roll", role="payer", email="ap@acme.test")
OWNER = Contact(name="Olga Owner", role="owner", email="ceo@acme.test")


def _contact_at(
    book: MemoryBook, mid: int, logged: tuple[str, ...], days: int
) -> tuple[str, str, str | None]:
    log(book, mid, *logged)
    r = row(book, mid, day(days))
    return r["contact"], r["contact_email"], r["contact_role"]


@pytest.mark.parametrize(
    ("contacts", "logged", "days", "expected"),
    [
        ([MAIN, PAYER, OWNER], (), 3, ("Pay Roll", "ap@acme.test", "payer")),
        ([MAIN, PAYER, OWNER], ("reminder",), 10, ("Pay Roll", "ap@acme.test", "payer")),
        ([MAIN, OWNER], (), 3, ("Mia Main", "mia@acme.test", "main")),
        ([MAIN, OWNER], ("reminder",), 10, ("Mia Main", "mia@acme.test", "main")),
        ([OWNER], (), 3, ("Olga Owner", "ceo@acme.test", "owner")),
        ([MAIN, PAYER, OWNER], ("reminder", "firm"), 21, ("Olga Owner", "ceo@acme.test", "owner")),
        ([MAIN, PAYER], ("reminder", "firm"), 21, ("Pay Roll", "ap@acme.test", "payer")),
        ([MAIN], ("reminder", "firm"), 21, ("Mia Main", "mia@acme.test", "main")),
        (
            [MAIN, PAYER, OWNER],
            ("reminder", "firm", "escalate"),
            45,
            ("Olga Owner", "ceo@acme.test", "owner"),
        ),
        (
            [MAIN, PAYER],
            ("reminder", "firm", "escalate"),
            45,
            ("Pay Roll", "ap@acme.test", "payer"),
        ),
        (
            [MAIN, PAYER, OWNER],
            (),
            1,
            ("Pay Roll", "ap@acme.test", "payer"),
        ),  # grace: who comes next
    ],
)
def test_contact_per_step_with_fallbacks(
    book: MemoryBook, contacts, logged, days, expected
) -> None:
    mid = add(book, contacts=contacts)
    assert _contact_at(book, mid, logged, days) == expected


def test_first_contact_of_a_role_wins_and_no_contacts_uses_the_client(book: MemoryBook) -> None:
    two = add(
        book,
        contacts=[
            Contact(name="First Payer", role="payer"),
            Contact(name="Second Payer", role="payer"),
        ],
    )
    assert row(book, two, day(3))["contact"] == "First Payer"
    bare = add(book, name="Solo Corp", client_email="office@solo.test")
    assert _contact_at(book, bare, (), 3) == ("Solo Corp", "office@solo.test", None)


# ---- fees and the legal step ---------------------------------------------------------------


def test_late_fee_beside_open_and_legal_figures(book: MemoryBook) -> None:
    # 3650.00 at 10% a year = 1.00 a day; 50 days past due
    mid = add(book, "3650.00", contacts=[OWNER], kind="annual", value="10")
    log(book, mid, "reminder", "firm", "escalate")
    r = row(book, mid, day(50))
    assert r["step"] == "legal"
    assert r["open"] == D("3650.00")  # the fee is never added to the open amount
    assert r["late_fee"] == D("50.00")
    assert r["claim_total"] == D("3700.00")  # 3650.00 + 50.00
    assert r["legal_cost_estimate"] == D("500.00")  # default setting
    assert r["claim_total_home"] == D("3700.00")  # home currency EUR
    assert r["worth_it"] is True
    small = add(book, "450.00", contacts=[OWNER], kind="flat", value="40")
    log(book, small, "reminder", "firm", "escalate")
    r = row(book, small, day(50))
    assert r["claim_total"] == D("490.00")  # 450.00 + 40.00 < 500.00
    assert r["worth_it"] is False
    # the estimate comes from settings; exactly equal is not worth it (strictly greater)
    book.save_settings({"legal_cost_estimate": "490.00"})
    assert row(book, small, day(50))["worth_it"] is False
    book.save_settings({"legal_cost_estimate": "489.99"})
    assert row(book, small, day(50))["worth_it"] is True


def test_legal_figures_only_on_legal_rows(book: MemoryBook) -> None:
    mid = add(book, kind="flat", value="10")
    r = row(book, mid, day(50))  # step reminder (nothing logged)
    assert r["claim_total"] == D("1010.00")
    assert (r["legal_cost_estimate"], r["claim_total_home"], r["worth_it"]) == (None, None, None)


def test_legal_in_another_currency_converts_or_stays_unknown(book: MemoryBook) -> None:
    gbp = add(book, "450.00", currency="GBP")
    usd = add(book, "5000.00", currency="USD")
    log(book, gbp, "reminder", "firm", "escalate")
    log(book, usd, "reminder", "firm", "escalate")
    book.set_exchange_rate("GBP", D("1.17"))
    q = chase_queue(book.frames(), day(50))
    by_id = {r["milestone_id"]: r for r in q.iter_rows(named=True)}
    # 450.00 GBP x 1.17 = 526.50 EUR > 500.00
    assert by_id[gbp]["claim_total_home"] == D("526.50")
    assert by_id[gbp]["worth_it"] is True
    # no USD rate: unknown, never compared at par
    assert by_id[usd]["claim_total_home"] is None and by_id[usd]["worth_it"] is None
    assert by_id[usd]["legal_cost_estimate"] == D("500.00")


def test_given_fees_frame_is_used(book: MemoryBook) -> None:
    mid = add(book, kind="flat", value="25")
    frames = book.frames()
    fees = late_fees(frames, day(10))
    assert chase_queue(frames, day(10), fees=fees).row(0, named=True)["late_fee"] == D("25.00")
    r = chase_queue(frames, day(10), fees=fees.clear()).row(0, named=True)
    assert (r["milestone_id"], r["late_fee"]) == (mid, D("0.00"))


def test_claimed_fee_is_flagged(book: MemoryBook) -> None:
    mid = add(book, kind="flat", value="25")
    book.claim_fee(mid, D("25.00"), day(5))
    r = row(book, mid, day(10))
    assert r["fee_claimed"] is True and r["late_fee"] == D("25.00")


# ---- shape and order -------------------------------------------------------------------------


def test_sorted_most_urgent_first_with_all_columns(book: MemoryBook) -> None:
    a = add(book, "100.00", dt.date(2026, 1, 5))
    b = add(book, "900.00", dt.date(2026, 1, 1))
    c = add(book, "100.00", dt.date(2026, 1, 1))
    d = add(book, "5000.00", dt.date(2026, 1, 9))
    q = chase_queue(book.frames(), dt.date(2026, 1, 10))
    assert q.columns == COLUMNS
    assert q["milestone_id"].to_list() == [b, c, a, d]  # 9, 9 (larger open first), 5, 1 days
    r = q.row(0, named=True)
    assert (r["client"], r["contract"], r["seq"], r["milestone"], r["invoice_no"]) == (
        r["client"],
        "Site",
        1,
        "Design",
        "INV-7",
    )
    assert r["currency"] == "EUR" and r["due_date"] == dt.date(2026, 1, 1)
    for col in ("open", "late_fee", "claim_total", "legal_cost_estimate", "claim_total_home"):
        assert q.schema[col] == pl.Decimal(18, 2)


def test_empty_book(book: MemoryBook) -> None:
    q = chase_queue(book.frames(), day(10))
    assert q.height == 0 and q.columns == COLUMNS
    assert active_holds(book.frames(), day(10)).height == 0
    assert holds_ending(book.frames(), day(10)).height == 0


def test_empty_queue_has_the_same_schema(book: MemoryBook) -> None:
    empty = chase_queue(book.frames(), day(10))
    add(book, kind="flat", value="5")
    full = chase_queue(book.frames(), day(10))
    assert full.height == 1 and empty.schema == full.schema
