"""The cash-flow forecast rules of SPEC revision 2 (4.2), each worked out by hand.

as_of is Tue 2026-11-24 unless said (ISO week W0 = Mon 11-23 .. Sun 11-29, W1 = 11-30 ..
12-06, W2 = 12-07 .. 12-13). Books are built in memory (tests/builders.py).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import polars as pl
from builders import MemoryBook

from tui.analytics.forecast import PLACEMENT_COLUMNS, Adjustment, ForecastReport, forecast
from tui.domain.model import Client, Contract, Expense, Hold, Milestone, Payment
from tui.domain.values import Cadence, MilestoneStatus

AS_OF = dt.date(2026, 11, 24)
D = Decimal
d = dt.date.fromisoformat


def ms(seq: int, title: str, amount: str, due: str, **kw: Any) -> Milestone:
    """A milestone, invoiced by default; an invoiced or disputed one has its invoice date (the
    domain requires it): 30 days before the due date unless given."""
    kw.setdefault("status", MilestoneStatus.INVOICED)
    if kw["status"] in (MilestoneStatus.INVOICED, MilestoneStatus.DISPUTED, "invoiced", "disputed"):
        kw.setdefault("invoiced_on", d(due) - dt.timedelta(days=30))
    return Milestone(seq=seq, title=title, amount=D(amount), due_date=d(due), **kw)


def contract(title: str, terms: int = 30) -> Contract:
    return Contract(title=title, currency="EUR", total_fee=D("0.00"), payment_terms_days=terms)


def ids(book: MemoryBook) -> dict[str, int]:
    f = book.frames()
    return dict(zip(f.milestones["title"].to_list(), f.milestones["id"].to_list(), strict=True))


def pay(book: MemoryBook, title: str, amount: str, on: str) -> None:
    book.record_payment(ids(book)[title], Payment(amount=D(amount), received_on=d(on)))


def once(book: MemoryBook, name: str, amount: str, on: str) -> None:
    book.add_expense(Expense(name=name, amount=D(amount), currency="EUR", cadence=Cadence.ONCE,
                             next_date=d(on)))  # fmt: skip


def row(report: ForecastReport, title: str) -> dict[str, Any]:
    return report.placements.filter(pl.col("milestone") == title).row(0, named=True)


def place(report: ForecastReport, title: str) -> tuple[Any, ...]:
    """expected_date, delay, placement, reason of one milestone."""
    r = row(report, title)
    return r["expected_date"], r["delay"], r["placement"], r["reason"]


def with_history(book: MemoryBook, name: str, delays: list[int]) -> int:
    """A client with one fully paid 100.00 milestone per delay (due 2026-01-01 + 20 days each)."""
    c = book.add_client(Client(name=name))
    dues = [dt.date(2026, 1, 1) + dt.timedelta(days=20 * i) for i in range(len(delays))]
    book.add_contract(c, contract(f"{name} history"), [
        ms(i + 1, f"{name}-h{i + 1}", "100.00", due.isoformat()) for i, due in enumerate(dues)
    ])  # fmt: skip
    for i, (due, delay) in enumerate(zip(dues, delays, strict=True)):
        pay(book, f"{name}-h{i + 1}", "100.00", (due + dt.timedelta(days=delay)).isoformat())
    return c


# ---- cash at as_of ------------------------------------------------------------------------


def test_a_payment_on_the_opening_balance_date_counts(book: MemoryBook) -> None:
    # the case: 4,500.00 dated today, 2,750.00 received today -> 7,250.00
    c = book.add_client(Client(name="Payer"))
    book.add_contract(c, contract("Job"), [ms(1, "j1", "3000.00", "2026-11-20"),
                                           ms(2, "j2", "100.00", "2026-11-20")])  # fmt: skip
    pay(book, "j1", "2750.00", "2026-11-24")
    pay(book, "j2", "40.00", "2026-11-23")  # the day before the opening date: in the balance
    once(book, "Fee", "99.00", "2026-11-24")  # as_of's own expense: a W0 outflow, not in the cash
    book.save_settings({"opening_balance": "4500.00", "opening_balance_date": "2026-11-24"})
    r = forecast(book.frames(), AS_OF, scenario="contractual", horizon=1)
    assert r.cash_at_as_of == D("7250.00")
    # W0: in j1 250.00 + j2 60.00 on as_of, out 99.00: 7250.00 + 211.00
    assert r.periods["balance"].to_list() == [D("7461.00")]
    # a day later the same cash carries on (nothing else moved), now less the 99.00 of 11-24
    assert forecast(book.frames(), d("2026-11-25")).cash_at_as_of == D("7151.00")
    # as_of the day before the opening date, walked back: 4500.00 at the start of 11-24 is the
    # start of 11-23 + the 40.00 received on 11-23 (nothing spent that day); the cash at as_of
    # counts as_of's payments, so it is 4500.00 again
    assert forecast(book.frames(), d("2026-11-23")).cash_at_as_of == D("4500.00")
    # two days before: the 40.00 of 11-23 is after as_of, before the opening date: taken out
    assert forecast(book.frames(), d("2026-11-22")).cash_at_as_of == D("4460.00")


# ---- lowest balance, day by day -----------------------------------------------------------


def test_lowest_day_by_day_inside_a_week_that_starts_with_outflows(book: MemoryBook) -> None:
    c = book.add_client(Client(name="Late Friday"))
    book.add_contract(c, contract("Job"), [ms(1, "f1", "2000.00", "2026-11-27")])
    once(book, "Rent", "600.00", "2026-11-23")
    once(book, "Tax", "300.00", "2026-11-25")
    once(book, "Car", "2000.00", "2026-12-01")
    book.save_settings({"opening_balance": "1000.00", "opening_balance_date": "2026-11-23"})
    as_of = d("2026-11-23")
    r = forecast(book.frames(), as_of, scenario="contractual", horizon=2)
    # day ends: 11-23 400.00, 11-25 100.00, 11-27 2100.00 (W0 closes at 2100.00),
    # 12-01 100.00 again (a tie: the earliest day is named)
    assert r.periods["balance"].to_list() == [D("2100.00"), D("100.00")]
    assert r.lowest == (as_of, D("100.00"))
    assert r.lowest_date == d("2026-11-25")


def test_lowest_is_cash_at_as_of_when_nothing_goes_below(book: MemoryBook) -> None:
    c = book.add_client(Client(name="Good"))
    book.add_contract(c, contract("Job"), [ms(1, "g1", "10.00", "2026-12-02")])
    book.save_settings({"opening_balance": "-5.00", "opening_balance_date": "2026-11-24"})
    r = forecast(book.frames(), AS_OF, horizon=2)
    assert (r.lowest, r.lowest_date) == ((d("2026-11-23"), D("-5.00")), AS_OF)


# ---- conditional placement ----------------------------------------------------------------


def test_debt_later_than_any_history_is_uncertain(book: MemoryBook) -> None:
    c = with_history(book, "Slow", [5, 10])
    book.add_contract(c, contract("Job"), [ms(1, "s1", "1000.00", "2026-10-15")])  # 40 days late
    f = book.frames()
    # no delay above 40 for the client or anyone: uncertain, in no period
    r = forecast(f, AS_OF, horizon=2)
    assert place(r, "s1") == (None, None, "uncertain", "uncertain")
    assert r.uncertain == D("1000.00")
    assert r.periods["inflow"].to_list() == [D("0.00"), D("0.00")]
    assert r.later == r.at_risk == D("0.00")
    # pessimistic: at risk, though only 40 (not > 90) days past due
    p = forecast(f, AS_OF, scenario="pessimistic", horizon=2)
    assert (p.at_risk, p.uncertain, row(p, "s1")["placement"]) == (
        D("1000.00"),
        D("0.00"),
        "at_risk",
    )
    # contractual never has uncertain amounts: on as_of, in W0
    k = forecast(f, AS_OF, scenario="contractual", horizon=2)
    assert place(k, "s1") == (AS_OF, 0, "period", "due")
    assert k.uncertain == D("0.00") and k.periods["inflow"][0] == D("1000.00")


def test_conditional_delay_takes_the_delays_above_days_past_due(book: MemoryBook) -> None:
    a = with_history(book, "Acme", [5, 10, 20, 30])
    b = with_history(book, "Bright", [8])
    book.add_contract(a, contract("Job"), [
        ms(1, "late12", "100.00", "2026-11-12"),  # 12 days late
        ms(2, "late25", "100.00", "2026-10-30"),  # 25 days late
        ms(3, "notdue", "100.00", "2026-12-01"),
    ])  # fmt: skip
    book.add_contract(b, contract("Job"), [ms(1, "b12", "100.00", "2026-11-12")])
    f = book.frames()
    r = forecast(f, AS_OF)
    # Acme's delays above 12: 20, 30 -> median (20 + 30 + 1) // 2 = 25 -> 11-12 + 25 = 12-07
    assert place(r, "late12") == (d("2026-12-07"), 25, "period", "conditional")
    assert row(r, "late12")["delay_from"] == "client"
    # above 25 only 30 for Acme, and only 30 pooled ([5, 8, 10, 20, 30]): uncertain
    assert place(r, "late25")[2] == "uncertain"
    # not yet due: the old rule, Acme's median (10 + 20 + 1) // 2 = 15 -> 12-16
    assert place(r, "notdue") == (d("2026-12-16"), 15, "period", "median")
    # Bright has one delay (8), none above 12: the pooled delays above 12 are 20, 30 -> 25
    assert place(r, "b12") == (d("2026-12-07"), 25, "period", "conditional")
    assert row(r, "b12")["delay_from"] == "portfolio"
    p = forecast(f, AS_OF, scenario="pessimistic")
    # p90 of [20, 30]: rank ceil(1.8) = 2 -> 30 -> 12-12; not yet due: p90 of [5, 10, 20, 30]
    # rank ceil(3.6) = 4 -> 30 -> 12-31
    assert place(p, "late12") == (d("2026-12-12"), 30, "period", "conditional")
    assert place(p, "notdue") == (d("2026-12-31"), 30, "period", "p90")
    assert place(p, "late25")[2] == "at_risk"


# ---- holds and promises -------------------------------------------------------------------


def test_hold_places_the_milestone_after_its_end(book: MemoryBook) -> None:
    c = book.add_client(Client(name="Held"))
    book.add_contract(c, contract("Job"), [
        ms(1, "h1", "100.00", "2026-12-01"), ms(2, "h2", "100.00", "2026-12-01"),
        ms(3, "h3", "100.00", "2026-12-01"),
    ])  # fmt: skip
    m = ids(book)
    book.put_on_hold(m["h1"], Hold(reason="dispute", until=d("2026-12-10")), on=AS_OF)
    # released on as_of: no longer active
    book.put_on_hold(m["h2"], Hold(reason="plan", until=d("2026-12-20")), on=AS_OF)
    book.release_hold(m["h2"], AS_OF)
    # ended before as_of
    book.put_on_hold(m["h3"], Hold(reason="plan", until=d("2026-11-23")), on=AS_OF)
    f = book.frames()
    for scenario in ("contractual", "expected", "pessimistic"):
        r = forecast(f, AS_OF, scenario=scenario)
        # no history: delay 0, so every scenario has 12-01; h1 goes to the day after 12-10
        assert place(r, "h1") == (d("2026-12-11"), 0, "period", "hold")
        assert row(r, "h1")["hold_until"] == d("2026-12-10")
        assert place(r, "h2")[0] == place(r, "h3")[0] == d("2026-12-01")
        assert row(r, "h2")["hold_until"] is None
    # a shift past the hold's end is no longer held back by it
    r = forecast(f, AS_OF, adjustments=[Adjustment("shift_milestone", m["h1"], 14)])
    assert place(r, "h1") == (d("2026-12-15"), 0, "period", "shift")


def test_promise_is_used_in_expected_only(book: MemoryBook) -> None:
    c = book.add_client(Client(name="Promiser"))
    book.add_contract(c, contract("Job"), [
        ms(1, "p1", "100.00", "2026-11-10"),  # 14 days late, no history: uncertain without a promise
        ms(2, "p2", "100.00", "2026-11-10"),
        ms(3, "p3", "100.00", "2026-12-01"),
    ])  # fmt: skip
    m = ids(book)
    book.set_promise(m["p1"], d("2026-12-02"), "will pay Wednesday")
    book.set_promise(m["p2"], d("2026-11-20"), "broken")  # in the past: ignored
    book.set_promise(m["p3"], d("2026-11-24"), "early")  # on as_of, before its due date
    f = book.frames()
    r = forecast(f, AS_OF)
    assert place(r, "p1") == (d("2026-12-02"), None, "period", "promise")
    assert row(r, "p1")["promised_on"] == d("2026-12-02")
    assert place(r, "p2") == (None, None, "uncertain", "uncertain")
    assert place(r, "p3") == (AS_OF, None, "period", "promise")
    k = forecast(f, AS_OF, scenario="contractual")
    assert [place(k, t)[0] for t in ("p1", "p2", "p3")] == [AS_OF, AS_OF, d("2026-12-01")]
    p = forecast(f, AS_OF, scenario="pessimistic")
    assert [place(p, t)[2] for t in ("p1", "p2", "p3")] == ["at_risk", "at_risk", "period"]
    assert place(p, "p3")[0] == d("2026-12-01")
    # a promise, then the what-if shifts, then the hold floor
    shifted = forecast(f, AS_OF, adjustments=[Adjustment("shift_milestone", m["p1"], 3)])
    assert place(shifted, "p1") == (d("2026-12-05"), None, "period", "shift")
    book.put_on_hold(m["p1"], Hold(reason="plan", until=d("2026-12-06")), on=AS_OF)
    held = forecast(book.frames(), AS_OF, adjustments=[Adjustment("shift_milestone", m["p1"], 3)])
    assert place(held, "p1") == (d("2026-12-07"), None, "period", "hold")


# ---- unbilled work past its date ------------------------------------------------------------


def test_unbilled_work_past_its_date_is_placed_as_if_invoiced_today(book: MemoryBook) -> None:
    c = with_history(book, "Client", [4, 6])  # median (4 + 6 + 1) // 2 = 5, p90 6
    book.add_contract(c, contract("Job", terms=30), [
        ms(1, "u1", "700.00", "2026-07-01", status=MilestoneStatus.DELIVERED),  # 146 days ago
        ms(2, "u2", "50.00", "2026-11-24", status=MilestoneStatus.PLANNED),  # planned for today
        ms(3, "billed", "80.00", "2026-07-01", invoice_no="I-1", invoiced_on=d("2026-06-01")),
    ])  # fmt: skip
    f = book.frames()
    # u1 is not billed: due as_of + 30 = 12-24, not late (-30 days), so the x <= 0 rule
    k = forecast(f, AS_OF, scenario="contractual")
    assert place(k, "u1") == (d("2026-12-24"), 0, "period", "terms")
    assert (row(k, "u1")["forecast_due"], row(k, "u1")["days_past_due"]) == (d("2026-12-24"), -30)
    # u2 was planned for today and is not invoiced: work to invoice today, as aging's
    # to_invoice lists it, so it too is placed as if invoiced today: 11-24 + 30 = 12-24
    assert place(k, "u2") == (d("2026-12-24"), 0, "period", "terms")
    e = forecast(f, AS_OF)
    assert place(e, "u1") == (d("2026-12-29"), 5, "period", "terms")
    # pessimistic: 12-24 + 6; never at risk (it is not a debt), unlike the billed one
    p = forecast(f, AS_OF, scenario="pessimistic")
    assert place(p, "u1") == (d("2026-12-30"), 6, "period", "terms")
    assert row(p, "billed")["placement"] == "at_risk" and p.at_risk == D("80.00")


def test_placement_columns(book: MemoryBook) -> None:
    c = book.add_client(Client(name="One"))
    book.add_contract(c, contract("Job"), [ms(1, "o1", "1.00", "2026-12-01")])
    r = forecast(book.frames(), AS_OF)
    assert r.placements.columns == PLACEMENT_COLUMNS
    assert PLACEMENT_COLUMNS[-6:] == [
        "period_start", "forecast_due", "delay_from", "reason", "promised_on", "hold_until",
    ]  # fmt: skip
    assert row(r, "o1")["delay_from"] == "none" and row(r, "o1")["reason"] == "due"


# ---- the worked example of docs/rules.md#cash-flow-forecast ---------------------------------


def doc_book(*, unbilled_a5: bool = False) -> MemoryBook:
    """The worked example's book (docs/rules.md, "Cash-flow forecast")."""
    book = MemoryBook()
    acme, bright = book.add_client(Client(name="Acme")), book.add_client(Client(name="Bright"))
    calm, dune = book.add_client(Client(name="Calm")), book.add_client(Client(name="Dune"))
    a5 = (
        ms(5, "a5", "1000.00", "2026-11-20", status=MilestoneStatus.DELIVERED)
        if unbilled_a5
        else ms(5, "a5", "1000.00", "2026-11-27")
    )
    book.add_contract(acme, contract("Site", terms=14), [
        ms(1, "h1", "100.00", "2026-06-01"), ms(2, "h2", "100.00", "2026-07-01"),
        ms(3, "h3", "100.00", "2026-08-01"), ms(4, "h4", "100.00", "2026-09-01"), a5,
    ])  # fmt: skip
    book.add_contract(bright, contract("App"), [
        ms(1, "b1", "100.00", "2026-09-01"), ms(2, "b2", "600.00", "2026-12-08"),
    ])  # fmt: skip
    usd = Contract(title="Brand", currency="USD", total_fee=D("0.00"))
    book.add_contract(calm, usd, [ms(1, "c1", "333.33", "2026-08-20")])
    chf = Contract(title="Shop", currency="CHF", total_fee=D("0.00"))
    book.add_contract(dune, chf, [ms(1, "d1", "500.00", "2026-12-01")])
    for t, on in (("h1", "06-03"), ("h2", "07-06"), ("h3", "08-11"), ("h4", "10-01"),
                  ("b1", "08-29")):  # fmt: skip
        pay(book, t, "100.00", f"2026-{on}")
    pay(book, "a5", "200.00", "2026-11-10")
    pay(book, "b2", "100.00", "2026-11-01")
    book.add_expense(Expense(name="Rent", amount=D("400.00"), currency="EUR", cadence=Cadence.MONTHLY,
                             next_date=d("2026-01-31")))  # fmt: skip
    book.add_expense(Expense(name="Software", amount=D("10.00"), currency="EUR", cadence=Cadence.WEEKLY,
                             next_date=d("2026-11-03")))  # fmt: skip
    book.set_exchange_rate("USD", D("0.9"))
    book.save_settings({"opening_balance": "1000.00", "opening_balance_date": "2026-11-01"})
    return book


def balances(report: ForecastReport) -> list[str]:
    return [str(b) for b in report.periods["balance"]]


def test_the_worked_example_of_the_rules_page() -> None:
    book = doc_book()
    f = book.frames()
    e = forecast(f, AS_OF, horizon=4)
    assert e.cash_at_as_of == D("1270.00")
    assert [str(v) for v in e.periods["inflow"]] == ["0.00", "800.00", "500.00", "0.00"]
    assert balances(e) == ["1260.00", "1650.00", "2140.00", "2130.00"]
    assert (e.later, e.uncertain, e.at_risk) == (D("0.00"), D("300.00"), D("0.00"))
    assert e.unconverted.rows() == [("CHF", D("500.00"))]
    assert (e.lowest, e.lowest_date) == ((d("2026-11-30"), D("850.00")), d("2026-12-01"))
    assert e.longest_gap_days == 11
    p = forecast(f, AS_OF, scenario="pessimistic", horizon=4)
    assert balances(p) == ["1260.00", "850.00", "840.00", "830.00"]
    assert (p.later, p.at_risk, p.uncertain) == (D("1300.00"), D("300.00"), D("0.00"))
    assert (p.lowest, p.lowest_date) == ((d("2026-12-14"), D("830.00")), d("2026-12-15"))
    assert p.longest_gap_days == 33  # 11-24..12-26: 7 + 26 days, ended by a5 on 12-27 (later)
    k = forecast(f, AS_OF, scenario="contractual", horizon=4)
    assert [str(v) for v in k.periods["inflow"]] == ["1100.00", "0.00", "500.00", "0.00"]
    assert balances(k) == ["2360.00", "1950.00", "2440.00", "2430.00"]
    assert (k.lowest, k.lowest_date) == ((d("2026-11-23"), D("1270.00")), AS_OF)
    assert k.longest_gap_days == 10  # 11-28..12-07: 3 + 7 days
    m = forecast(f, AS_OF, period="month", horizon=2)
    assert [str(v) for v in m.periods["inflow"]] == ["0.00", "1300.00"]
    assert [str(v) for v in m.periods["outflow"]] == ["410.00", "450.00"]
    assert balances(m) == ["860.00", "1710.00"]
    assert (m.lowest, m.lowest_date) == ((d("2026-12-01"), D("850.00")), d("2026-12-01"))
    assert m.longest_gap_days == 11  # 11-24..12-04: 7 + 4 days, as by week
    # opening date variants
    for od, cash in (("2026-11-24", "1000.00"), ("2026-11-30", "1010.00")):
        book.save_settings({"opening_balance_date": od})
        assert forecast(book.frames(), AS_OF).cash_at_as_of == D(cash)


def test_the_worked_example_promise_hold_and_unbilled_variants() -> None:
    book = doc_book()
    m = ids(book)
    book.set_promise(m["c1"], d("2026-12-02"))
    book.put_on_hold(m["b2"], Hold(reason="dispute", until=d("2026-12-15")), on=AS_OF)
    f = book.frames()
    e = forecast(f, AS_OF, horizon=4)
    assert place(e, "c1") == (d("2026-12-02"), None, "period", "promise")
    assert e.uncertain == D("0.00")
    assert place(e, "b2") == (d("2026-12-16"), 5, "period", "hold")
    k = forecast(f, AS_OF, scenario="contractual", horizon=4)
    assert (place(k, "c1")[0], place(k, "b2")[0]) == (AS_OF, d("2026-12-16"))
    p = forecast(f, AS_OF, scenario="pessimistic", horizon=4)
    assert (place(p, "c1")[2], place(p, "b2")[:3]) == ("at_risk", (d("2027-01-07"), 30, "later"))
    u = doc_book(unbilled_a5=True).frames()
    got = [place(forecast(u, AS_OF, scenario=s, horizon=4), "a5")[:3] for s in
           ("contractual", "expected", "pessimistic")]  # fmt: skip
    assert got == [(d("2026-12-08"), 0, "period"), (d("2026-12-16"), 8, "period"),
                   (d("2027-01-07"), 30, "later")]  # fmt: skip
