"""The chase ladder, SPEC revision 2 (issue 10): billed only, the gap between steps, waiting
rows, the upcoming step, one message for several milestones, and the rules page's example."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
from builders import MemoryBook

from tui.analytics.chase import COLUMNS, GROUP_COLUMNS, chase_queue, message_groups
from tui.domain.model import ChaseEvent, Client, Contact, Contract, Hold, Milestone, Payment

D = Decimal
AS_OF = dt.date(2026, 11, 24)
PAYER = Contact(name="Pay Roll", role="payer", email="ap@acme.test")
MAIN = Contact(name="Mia Main", role="main", email="mia@acme.test")
OWNER = Contact(name="Olga Owner", role="owner", email="ceo@acme.test")


def d(month: int, day: int, year: int = 2026) -> dt.date:
    return dt.date(year, month, day)


def client(book: MemoryBook, name: str, contacts: list[Contact] | None = None) -> int:
    """A client with one EUR contract "Site" (no milestones yet); returns the contract id."""
    cid = book.add_client(Client(name=name, email=f"office@{name.lower()}.test"), contacts or [])
    return book.add_contract(cid, Contract(title="Site", currency="EUR", total_fee=D("0.00")))


def ms(
    book: MemoryBook,
    contract_id: int,
    seq: int,
    amount: str,
    due: dt.date,
    invoiced_on: dt.date | None = None,
) -> int:
    """A milestone; invoiced on ``invoiced_on`` (with that due date) when given, else planned."""
    mid = book.add_milestone(
        contract_id, Milestone(seq=seq, title=f"M{seq}", amount=D(amount), due_date=due)
    )
    if invoiced_on is not None:
        book.mark_invoiced(mid, f"INV-{mid}", invoiced_on, due)
    return mid


def log(book: MemoryBook, mid: int, on: dt.date, *steps: str) -> None:
    for step in steps:
        book.log_chase(mid, ChaseEvent(date=on, step=step))


def rows(book: MemoryBook, as_of: dt.date = AS_OF) -> dict[int, dict]:
    return {r["milestone_id"]: r for r in chase_queue(book.frames(), as_of).iter_rows(named=True)}


def state(r: dict) -> tuple:
    return r["step"], r["step_due"], r["waiting"], r["step_due_on"]


# ---- billed only ------------------------------------------------------------------------------


def test_only_billed_milestones_are_chased(book: MemoryBook) -> None:
    k = client(book, "Acme", [PAYER])
    planned = ms(book, k, 1, "500.00", d(11, 1))  # 23 days past its date, never invoiced
    later = ms(book, k, 2, "600.00", d(11, 1))
    billed = ms(book, k, 3, "700.00", d(11, 1), invoiced_on=d(10, 2))
    q = rows(book)
    assert set(q) == {billed}  # planned: to invoice, not a debt
    # invoiced after as_of: not billed at as_of, so not chased at as_of
    book.mark_invoiced(later, "INV-L", d(11, 25), d(11, 1) + dt.timedelta(days=30))
    assert set(rows(book)) == {billed}
    assert planned not in rows(book, d(12, 31))  # still never invoiced
    # invoiced 11-25 with due date 12-01: chased from 12-02 on
    assert later not in rows(book, d(12, 1)) and later in rows(book, d(12, 2))


# ---- the gap between steps --------------------------------------------------------------------


def test_the_next_step_waits_for_the_gap(book: MemoryBook) -> None:
    # due 11-12, reminder logged 11-16: firm's threshold (10 days) is 11-22, but the gap of 7
    # days since the reminder ends 11-23
    k = client(book, "Acme", [PAYER])
    mid = ms(book, k, 1, "400.00", d(11, 12), invoiced_on=d(10, 13))
    log(book, mid, d(11, 16), "reminder")
    r = rows(book, d(11, 22))[mid]
    assert state(r) == ("firm", False, True, d(11, 23))
    assert (r["days_past_due"], r["overdue_step"]) == (10, "firm")
    assert state(rows(book, d(11, 23))[mid]) == ("firm", True, False, d(11, 23))
    # the gap is a setting: with 5 days the threshold (11-22) is the later date
    book.save_settings({"min_gap_days": "5"})
    assert state(rows(book, d(11, 22))[mid]) == ("firm", True, False, d(11, 22))


def test_a_firm_notice_never_comes_due_minutes_after_the_first_reminder(
    book: MemoryBook,
) -> None:
    # the issue: 30 days late, nothing sent; the reminder goes out today, and at once the
    # firm step (threshold long reached) used to be due as well
    k = client(book, "Acme", [PAYER])
    mid = ms(book, k, 1, "900.00", d(10, 25), invoiced_on=d(9, 25))
    assert state(rows(book)[mid]) == ("reminder", True, False, d(10, 28))
    log(book, mid, AS_OF, "reminder")
    r = rows(book)[mid]
    assert state(r) == ("firm", False, True, d(12, 1))  # 11-24 + 7
    assert (r["last_step"], r["last_chased_on"]) == ("reminder", AS_OF)
    assert message_groups(chase_queue(book.frames(), AS_OF)).height == 0


def test_grace_rows_are_waiting_for_the_reminder(book: MemoryBook) -> None:
    k = client(book, "Acme", [PAYER])
    mid = ms(book, k, 1, "300.00", d(11, 22), invoiced_on=d(10, 23))
    r = rows(book)[mid]  # 2 days past due
    assert state(r) == ("grace", False, True, d(11, 25))
    assert state(rows(book, d(11, 25))[mid]) == ("reminder", True, False, d(11, 25))


def test_a_step_logged_in_grace_leaves_grace(book: MemoryBook) -> None:
    # a reminder sent on day 1 (early): on day 2 the firm step waits, it is not "grace"
    k = client(book, "Acme", [PAYER])
    mid = ms(book, k, 1, "300.00", d(11, 22), invoiced_on=d(10, 23))
    log(book, mid, d(11, 23), "reminder")
    assert state(rows(book)[mid]) == ("firm", False, True, d(12, 2))  # max(12-02, 11-30)


# ---- upcoming ---------------------------------------------------------------------------------


def test_upcoming_with_pre_due_days_3(book: MemoryBook) -> None:
    k = client(book, "Acme", [MAIN, PAYER, OWNER])
    today = ms(book, k, 1, "100.00", d(11, 24), invoiced_on=d(10, 25))  # due today
    in3 = ms(book, k, 2, "200.00", d(11, 27), invoiced_on=d(10, 28))  # due in 3 days
    in4 = ms(book, k, 3, "300.00", d(11, 28), invoiced_on=d(10, 29))  # in 4: too early
    noted = ms(book, k, 4, "400.00", d(11, 26), invoiced_on=d(10, 27))
    log(book, noted, d(11, 23), "upcoming")  # already sent: out until past due
    unbilled = ms(book, k, 5, "500.00", d(11, 25))  # not billed: no note
    assert set(rows(book)) == set()  # pre_due_days 0 (default): off
    book.save_settings({"pre_due_days": "3"})
    q = chase_queue(book.frames(), AS_OF)
    assert q["milestone_id"].to_list() == [today, in3]  # 0 days, then -3 days
    assert in4 not in q["milestone_id"] and unbilled not in q["milestone_id"]
    r = q.row(1, named=True)
    assert state(r) == ("upcoming", True, False, d(11, 24))  # due since 11-27 - 3
    assert (r["days_past_due"], r["overdue_step"]) == (-3, "upcoming")
    assert (r["contact"], r["contact_role"]) == ("Pay Roll", "payer")  # as for the reminder
    assert state(q.row(0, named=True)) == ("upcoming", True, False, d(11, 21))
    # never required for the later steps; but its date counts for the gap: 11-26 + 3 days =
    # 11-29 is the reminder's threshold, 11-23 + 7 = 11-30 the gap's end
    assert state(rows(book, d(11, 29))[noted]) == ("reminder", False, True, d(11, 30))
    assert state(rows(book, d(11, 30))[noted]) == ("reminder", True, False, d(11, 30))
    # without an upcoming logged, the reminder is due on its threshold day
    assert state(rows(book, d(11, 30))[in3]) == ("reminder", True, False, d(11, 30))


def test_upcoming_skips_holds_and_paid(book: MemoryBook) -> None:
    book.save_settings({"pre_due_days": "5"})
    k = client(book, "Acme", [PAYER])
    held = ms(book, k, 1, "100.00", d(11, 26), invoiced_on=d(10, 27))
    book.put_on_hold(held, Hold(reason="payment plan", until=d(11, 30)), on=d(11, 20))
    paid = ms(book, k, 2, "100.00", d(11, 26), invoiced_on=d(10, 27))
    book.record_payment(paid, Payment(amount=D("100.00"), received_on=d(11, 20)))
    assert rows(book) == {}


# ---- one message for several milestones --------------------------------------------------------


def test_message_groups(book: MemoryBook) -> None:
    acme = client(book, "Acme", [PAYER])
    a1 = ms(book, acme, 1, "100.00", d(10, 1), invoiced_on=d(9, 1))  # reminder due
    a2 = ms(book, acme, 2, "200.00", d(11, 1), invoiced_on=d(10, 2))  # reminder due
    a3 = ms(book, acme, 3, "300.00", d(11, 10), invoiced_on=d(10, 11))  # firm waiting
    log(book, a3, d(11, 20), "reminder")
    a4 = ms(book, acme, 4, "400.00", d(11, 2), invoiced_on=d(10, 3))  # firm due
    log(book, a4, d(11, 5), "reminder")
    a5 = ms(book, acme, 5, "500.00", d(11, 23), invoiced_on=d(10, 24))  # grace
    solo = client(book, "Solo")
    s1 = ms(book, solo, 1, "50.00", d(10, 1), invoiced_on=d(9, 1))  # alone: no group
    q = chase_queue(book.frames(), AS_OF)
    assert {r["milestone_id"]: r["step"] for r in q.iter_rows(named=True)} == {
        a1: "reminder", a2: "reminder", a3: "firm", a4: "firm", a5: "grace", s1: "reminder",
    }  # fmt: skip
    groups = message_groups(q)
    assert groups.columns == GROUP_COLUMNS
    assert groups.height == 1
    g = groups.row(0, named=True)
    assert g["milestone_ids"] == [a1, a2]  # queue order: 54, then 23 days past due
    assert (g["client"], g["step"], g["contact"], g["count"]) == ("Acme", "reminder", "Pay Roll", 2)
    assert g["group"] == f"{g['client_id']}|reminder|email:ap@acme.test"
    # once a3's gap is over (11-27), the two firm steps go to the same payer too
    later = message_groups(chase_queue(book.frames(), d(11, 27)))
    assert later.filter(pl.col("step") == "firm")["milestone_ids"].to_list() == [[a4, a3]]


def test_message_groups_match_contacts_by_email_case_or_name(book: MemoryBook) -> None:
    k = client(book, "Acme", [Contact(name="Pay Roll", role="payer", email="AP@Acme.test")])
    m1 = ms(book, k, 1, "100.00", d(10, 1), invoiced_on=d(9, 1))
    m2 = ms(book, k, 2, "100.00", d(11, 1), invoiced_on=d(10, 1))
    q = chase_queue(book.frames(), AS_OF).with_columns(
        pl.when(pl.col("milestone_id") == m2)
        .then(pl.lit("ap@acme.TEST"))
        .otherwise(pl.col("contact_email"))
        .alias("contact_email")
    )
    assert message_groups(q)["milestone_ids"].to_list() == [[m1, m2]]
    no_email = q.with_columns(pl.lit("").alias("contact_email"))
    g = message_groups(no_email).row(0, named=True)
    assert g["group"].endswith("|name:pay roll") and g["count"] == 2
    assert message_groups(q.clear()).columns == GROUP_COLUMNS


# ---- the rules page's worked example (docs/rules.md, Chase ladder) ------------------------------


def test_rules_page_worked_example(book: MemoryBook) -> None:
    book.set_exchange_rate("USD", D("0.9"))
    acme_id = book.add_client(Client(name="Acme"), [MAIN, OWNER])
    site = book.add_contract(acme_id, Contract(title="Site", currency="EUR", total_fee=D("0")))
    solo_id = book.add_client(Client(name="Solo", email="office@solo.test"))
    work = book.add_contract(solo_id, Contract(title="Work", currency="USD", total_fee=D("0")))
    s1 = ms(book, work, 1, "450.00", d(9, 1), invoiced_on=d(8, 2))
    log(book, s1, d(9, 4), "reminder")
    log(book, s1, d(9, 11), "firm")
    log(book, s1, d(9, 22), "escalate")
    log(book, s1, d(10, 16), "legal")
    m4 = ms(book, site, 4, "2000.00", d(10, 1), invoiced_on=d(9, 1))
    log(book, m4, d(10, 4), "reminder")
    log(book, m4, d(10, 11), "firm")
    log(book, m4, d(10, 22), "escalate")
    m3 = ms(book, site, 3, "500.00", d(11, 3), invoiced_on=d(10, 4))
    m6 = ms(book, site, 6, "700.00", d(11, 12), invoiced_on=d(10, 13))
    log(book, m6, d(11, 15), "reminder")
    log(book, m6, d(11, 22), "firm")
    m2 = ms(book, site, 2, "400.00", d(11, 12), invoiced_on=d(10, 13))
    log(book, m2, d(11, 16), "reminder")
    m1 = ms(book, site, 1, "300.00", d(11, 22), invoiced_on=d(10, 23))
    m5 = ms(book, site, 5, "600.00", d(10, 20), invoiced_on=d(9, 20))
    book.put_on_hold(m5, Hold(reason="payment plan", until=d(11, 30)), on=d(11, 1))
    m7 = ms(book, site, 7, "800.00", d(11, 1))  # never invoiced
    q = chase_queue(book.frames(), AS_OF)
    assert q.columns == COLUMNS
    got = [
        (r["milestone_id"], r["days_past_due"], r["step"], r["waiting"], r["step_due_on"],
         r["contact"], r["contact_role"])
        for r in q.iter_rows(named=True)
    ]  # fmt: skip
    assert got == [
        (s1, 84, "done", False, None, "Solo", None),
        (m4, 54, "legal", False, d(11, 15), "Olga Owner", "owner"),
        (m3, 21, "reminder", False, d(11, 6), "Mia Main", "main"),
        (m6, 12, "escalate", True, d(12, 3), "Olga Owner", "owner"),
        (m2, 12, "firm", False, d(11, 23), "Mia Main", "main"),
        (m1, 2, "grace", True, d(11, 25), "Mia Main", "main"),
    ]
    by_id = {r["milestone_id"]: r for r in q.iter_rows(named=True)}
    assert (by_id[m4]["claim_total_home"], by_id[m4]["worth_it"]) == (D("2000.00"), True)
    assert (by_id[s1]["claim_total_home"], by_id[s1]["worth_it"]) == (D("405.00"), False)
    assert m5 not in by_id and m7 not in by_id
    # on 11-22 m2's firm step was still waiting for the gap
    assert state(rows(book, d(11, 22))[m2]) == ("firm", False, True, d(11, 23))
    # on 12-01 the hold is over: m5 is back, 42 days past due, with the reminder due
    back = rows(book, d(12, 1))[m5]
    assert (back["days_past_due"], back["step"], back["waiting"]) == (42, "reminder", False)
    # with pre_due_days 3, m8 due 11-26 gets the upcoming note, listed last
    book.save_settings({"pre_due_days": "3"})
    m8 = ms(book, site, 8, "250.00", d(11, 26), invoiced_on=d(10, 27))
    last = chase_queue(book.frames(), AS_OF).row(-1, named=True)
    assert (last["milestone_id"], last["step"], last["step_due_on"]) == (m8, "upcoming", d(11, 23))
