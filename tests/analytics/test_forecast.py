"""Worked examples of the cash-flow forecast (SPEC 4.2), the arithmetic written out.

The main book, at as_of = Tue 2026-11-24 (ISO week W0 = Mon 11-23 .. Sun 11-29):

  Acme   (3 fully paid milestones, delays 10, 4, 20 days)  open 1200.00 - 200.00 = 1000.00 due 11-30
  Bright (1 fully paid milestone, delay 5: takes the portfolio) open 500.00 due 12-05
         (a payment of 100.00 on 11-25 is after as_of: it counts neither as paid nor as cash)
  Calm   (nothing fully paid: portfolio)   800.00 - 300.00 (08-10) - 50.00 (11-24) = 450.00, due 08-01
         (115 days past due at as_of) and a cancelled and a written-off milestone (never counted)
         SPEC revision 2: no delay anywhere is above 115, so c1 is `uncertain` in expected (in no
         period) and at risk in pessimistic; contractual still places it on as_of.

  Acme delays sorted [4, 10, 20]: median 10; 90th percentile nearest rank ceil(0.9*3) = 3rd = 20.
  Portfolio delays sorted [4, 5, 10, 20]: median (5 + 10) / 2 = 7.5 -> rounded up 8;
  90th percentile rank ceil(0.9*4) = 4th = 20.

  Expenses: rent 400.00 monthly from 2026-01-31 (10-31, 11-30, 12-31, 2027-01-31, ...);
            software 10.00 weekly from Tue 2026-11-03 (11-03, 11-10, 11-17, 11-24, 12-01, ...).
  Opening balance 1000.00 at the start of 2026-11-01 (no payment on that day).
  Cash at as_of = 1000.00 + 200.00 (Acme, 11-10) + 50.00 (Calm, 11-24, as_of counts)
                  - 3 x 10.00 (software 11-03, 11-10, 11-17; the one on as_of is an outflow)
                = 1220.00
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from builders import MemoryBook

from tui.analytics.expenses import expense_occurrences
from tui.analytics.forecast import (
    Adjustment,
    ForecastReport,
    client_delays,
    forecast,
    money_facts,
    period_bounds,
)
from tui.domain.model import Client, Contract, Expense, Milestone, Payment
from tui.domain.values import Cadence, MilestoneStatus
from tui.store import BookFrames

AS_OF = dt.date(2026, 11, 24)
D = Decimal
d = dt.date.fromisoformat


def ms(
    seq: int, title: str, amount: str, due: str, status: MilestoneStatus = MilestoneStatus.INVOICED
) -> Milestone:
    """A milestone; an invoiced or disputed one has its invoice date (the domain requires it),
    30 days before the due date (the default terms)."""
    billed = status in (MilestoneStatus.INVOICED, MilestoneStatus.DISPUTED)
    invoiced_on = d(due) - dt.timedelta(days=30) if billed else None
    return Milestone(seq=seq, title=title, amount=D(amount), due_date=d(due), status=status,
                     invoiced_on=invoiced_on)  # fmt: skip


def contract(title: str, currency: str = "EUR") -> Contract:
    return Contract(title=title, currency=currency, total_fee=D("0.00"))


def pay(book: MemoryBook, milestone_id: int, amount: str, on: str) -> None:
    book.record_payment(milestone_id, Payment(amount=D(amount), received_on=d(on)))


def ids(book: MemoryBook | BookFrames) -> dict[str, int]:
    """Milestone title -> id."""
    f = book if isinstance(book, BookFrames) else book.frames()
    return dict(zip(f.milestones["title"].to_list(), f.milestones["id"].to_list(), strict=True))


def client_id(f: BookFrames, name: str) -> int:
    return f.clients.filter(pl.col("name") == name)["id"].item()


def with_settings(f: BookFrames, **changes: Any) -> BookFrames:
    """The same book with some settings changed (the book itself is not touched)."""
    return dataclasses.replace(f, settings=dataclasses.replace(f.settings, **changes))


def rows(frame: pl.DataFrame) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in frame.iter_rows()]


def periods(report: ForecastReport) -> list[tuple[str, str, str, str, str, str]]:
    """The periods table as text: start, end, inflow, outflow, net, balance."""
    table = report.periods.select("start", "end", "inflow", "outflow", "net", "balance")
    return [tuple(str(v) for v in r) for r in table.iter_rows()]  # type: ignore[misc]


@pytest.fixture(scope="module")
def main_book() -> BookFrames:
    """The main book of the module doc, built once (tests never write to it)."""
    book = MemoryBook()
    acme = book.add_client(Client(name="Acme"))
    bright = book.add_client(Client(name="Bright Ideas"))
    calm = book.add_client(Client(name="Calm Co"))
    book.add_contract(acme, contract("Site"), [
        ms(1, "a1", "100.00", "2026-06-01"),
        ms(2, "a2", "100.00", "2026-07-01"),
        ms(3, "a3", "100.00", "2026-08-01"),
        ms(4, "a4", "1200.00", "2026-11-30"),
    ])  # fmt: skip
    book.add_contract(bright, contract("App"), [
        ms(1, "b1", "100.00", "2026-09-01"),
        ms(2, "b2", "500.00", "2026-12-05"),
    ])  # fmt: skip
    book.add_contract(calm, contract("Brand"), [
        ms(1, "c1", "800.00", "2026-08-01"),
        ms(2, "c-cancelled", "999.00", "2026-10-01", MilestoneStatus.CANCELLED),
        ms(3, "c-written-off", "777.00", "2026-09-01", MilestoneStatus.WRITTEN_OFF),
    ])  # fmt: skip
    m = ids(book)
    pay(book, m["a1"], "100.00", "2026-06-11")  # 10 days late
    pay(book, m["a2"], "100.00", "2026-07-05")  # 4 days late
    pay(book, m["a3"], "40.00", "2026-07-30")  # early part payment...
    pay(book, m["a3"], "60.00", "2026-08-21")  # ...fully paid 20 days late
    pay(book, m["a4"], "200.00", "2026-11-10")  # part payment after the opening date
    pay(book, m["b1"], "100.00", "2026-09-06")  # 5 days late (Bright's only paid milestone)
    pay(book, m["b2"], "100.00", "2026-11-25")  # after as_of: not counted
    pay(book, m["c1"], "300.00", "2026-08-10")
    pay(book, m["c1"], "50.00", "2026-11-24")  # on as_of: counted
    book.add_expense(Expense(name="Rent", amount=D("400.00"), currency="EUR", cadence=Cadence.MONTHLY,
                             next_date=d("2026-01-31")))  # fmt: skip
    book.add_expense(Expense(name="Software", amount=D("10.00"), currency="EUR", cadence=Cadence.WEEKLY,
                             next_date=d("2026-11-03")))  # fmt: skip
    book.save_settings({"opening_balance": "1000.00", "opening_balance_date": "2026-11-01"})
    return book.frames()


# ---- delays --------------------------------------------------------------------------------


def test_client_delays_median_p90_and_portfolio_fallback(main_book: BookFrames) -> None:
    f = main_book
    got = client_delays(f, AS_OF).sort("client_id")
    names = dict(zip(f.clients["id"].to_list(), f.clients["name"].to_list(), strict=True))
    table = {names[r["client_id"]]: (r["median_delay"], r["p90_delay"], r["paid_count"], r["source"])
             for r in got.iter_rows(named=True)}  # fmt: skip
    assert table == {
        "Acme": (10, 20, 3, "client"),  # [4, 10, 20]
        "Bright Ideas": (8, 20, 1, "portfolio"),  # exactly 1 paid: portfolio ceil(7.5) = 8, 20
        "Calm Co": (8, 20, 0, "portfolio"),  # none paid: portfolio
    }


def test_delays_none_paid_anywhere_is_zero(book: MemoryBook) -> None:
    c = book.add_client(Client(name="New"))
    book.add_contract(c, contract("X"), [
        ms(1, "x1", "100.00", "2026-10-01"), ms(2, "x2", "50.00", "2026-12-01"),
    ])  # fmt: skip
    got = client_delays(book.frames(), AS_OF)
    assert rows(got) == [(c, 0, 0, 0, "none")]
    # not yet due (x2): expected and pessimistic dates are the contractual one, max(as_of, due)
    # SPEC revision 2 changed x1 (54 days past due): with no history at all there is no delay
    # above 54, so it is uncertain in expected and at risk in pessimistic (it was on as_of)
    got = {}
    for scenario in ("contractual", "expected", "pessimistic"):
        p = forecast(book.frames(), AS_OF, scenario=scenario).placements
        got[scenario] = list(zip(p["expected_date"], p["placement"], strict=True))
    assert got == {
        "contractual": [(AS_OF, "period"), (d("2026-12-01"), "period")],
        "expected": [(None, "uncertain"), (d("2026-12-01"), "period")],
        "pessimistic": [(None, "at_risk"), (d("2026-12-01"), "period")],
    }


def test_delays_paid_early_are_floored_at_zero(book: MemoryBook) -> None:
    c = book.add_client(Client(name="Early"))
    book.add_contract(c, contract("X"), [
        ms(1, "e1", "100.00", "2026-10-10"), ms(2, "e2", "100.00", "2026-10-20"), ms(3, "e3", "50.00", "2026-12-01"),
    ])  # fmt: skip
    m = ids(book)
    pay(book, m["e1"], "100.00", "2026-10-05")  # -5
    pay(book, m["e2"], "100.00", "2026-10-18")  # -2
    # median of [-5, -2] = -3.5, rounded up to -3, floored at 0; p90 = 2nd = -2 -> 0
    assert rows(client_delays(book.frames(), AS_OF)) == [(c, 0, 0, 2, "client")]
    r = forecast(book.frames(), AS_OF, scenario="pessimistic")
    assert r.placements["expected_date"].to_list() == [d("2026-12-01")]


def test_p90_is_nearest_rank_and_median_rounds_up(book: MemoryBook) -> None:
    c = book.add_client(Client(name="Ten"))
    due = d("2026-01-01")
    # ten fully paid milestones, paid 1..10 days late
    book.add_contract(
        c, contract("X"), [ms(i, f"t{i}", "10.00", due.isoformat()) for i in range(1, 11)]
    )
    for i, mid in enumerate(sorted(ids(book).values()), start=1):
        pay(book, mid, "10.00", (due + dt.timedelta(days=i)).isoformat())
    # median (5 + 6) / 2 = 5.5 -> 6; p90 nearest rank ceil(0.9 * 10) = 9th -> 9
    assert rows(client_delays(book.frames(), AS_OF)) == [(c, 6, 9, 10, "client")]
    # an 11th, 11 days late: median = 6th = 6; p90 rank ceil(9.9) = 10th -> 10
    book.add_milestone(1, ms(11, "t11", "10.00", "2026-01-01"))
    pay(book, ids(book)["t11"], "10.00", "2026-01-12")
    assert rows(client_delays(book.frames(), AS_OF)) == [(c, 6, 10, 11, "client")]


def test_payment_after_as_of_does_not_make_a_milestone_fully_paid(main_book: BookFrames) -> None:
    # Bright's b2 gets its 100.00 on 11-25; as of 11-26 it is open 400.00, and still not fully paid
    r = forecast(main_book, d("2026-11-26"), scenario="contractual")
    b2 = r.placements.filter(pl.col("milestone") == "b2")
    assert b2["open"].to_list() == [D("400.00")]


# ---- the three scenarios, weeks ------------------------------------------------------------


def test_cash_at_as_of_from_the_opening_balance(main_book: BookFrames) -> None:
    r = forecast(main_book, AS_OF)
    # 1000.00 + 200.00 + 50.00 - 3 x 10.00
    assert r.cash_at_as_of == D("1220.00")
    assert r.currency == "EUR"


def test_contractual_weeks(main_book: BookFrames) -> None:
    r = forecast(main_book, AS_OF, scenario="contractual", horizon=6)
    # Calm 450.00 on max(11-24, 08-01) = 11-24 (W0); Acme 1000.00 on 11-30 (W1, a Monday);
    # Bright 500.00 on 12-05 (W1). Outflows: software 10.00 every Tuesday from 11-24,
    # rent 400.00 on 11-30 (W1) and 12-31 (W5).
    assert periods(r) == [
        ("2026-11-23", "2026-11-29", "450.00", "10.00", "440.00", "1660.00"),  # 1220 + 440
        ("2026-11-30", "2026-12-06", "1500.00", "410.00", "1090.00", "2750.00"),
        ("2026-12-07", "2026-12-13", "0.00", "10.00", "-10.00", "2740.00"),
        ("2026-12-14", "2026-12-20", "0.00", "10.00", "-10.00", "2730.00"),
        ("2026-12-21", "2026-12-27", "0.00", "10.00", "-10.00", "2720.00"),
        ("2026-12-28", "2027-01-03", "0.00", "410.00", "-410.00", "2310.00"),
    ]
    # SPEC revision 2: the lowest is counted day by day from cash at as_of (1220.00), which is
    # below every day-end here (it was the lowest period end, 1660.00)
    assert (r.lowest, r.lowest_date) == ((d("2026-11-23"), D("1220.00")), AS_OF)
    # inflows on 11-24, 11-30, 12-05; horizon ends 01-03:
    # gaps 11-25..11-29 = 5, 12-01..12-04 = 4; none after 12-05 ends a run, so it does not count
    assert r.longest_gap_days == 5
    assert r.later == D("0.00") and r.at_risk == D("0.00")


def test_expected_weeks(main_book: BookFrames) -> None:
    r = forecast(main_book, AS_OF, scenario="expected", horizon=6)
    # Acme: 11-30 + 10 = 12-10 (W2); Bright: 12-05 + 8 = 12-13, the Sunday closing W2;
    # Calm: SPEC revision 2, 115 days past due and no delay above 115: uncertain, in no period
    # (it was max(11-24, 08-01 + 8) = 11-24 in W0, so W0's inflow was 450.00)
    assert periods(r) == [
        ("2026-11-23", "2026-11-29", "0.00", "10.00", "-10.00", "1210.00"),
        ("2026-11-30", "2026-12-06", "0.00", "410.00", "-410.00", "800.00"),
        ("2026-12-07", "2026-12-13", "1500.00", "10.00", "1490.00", "2290.00"),
        ("2026-12-14", "2026-12-20", "0.00", "10.00", "-10.00", "2280.00"),
        ("2026-12-21", "2026-12-27", "0.00", "10.00", "-10.00", "2270.00"),
        ("2026-12-28", "2027-01-03", "0.00", "410.00", "-410.00", "1860.00"),
    ]
    assert r.uncertain == D("450.00")
    # day by day: 1220.00, 11-24 1210.00, 11-30 810.00, 12-01 800.00, 12-08 790.00, then Acme's
    # 1000.00 on 12-10: the lowest is 790.00 on 12-08, in W2, whose period end is 2290.00
    assert (r.lowest, r.lowest_date) == ((d("2026-12-07"), D("790.00")), d("2026-12-08"))
    # inflows 12-10, 12-13: gaps 11-24..12-09 = 16, 12-11..12-12 = 2 (after 12-13: open, not counted)
    assert r.longest_gap_days == 16
    got = {p["milestone"]: (p["expected_date"], p["delay"], p["placement"], p["period_start"])
           for p in r.placements.iter_rows(named=True)}  # fmt: skip
    assert got == {
        "a4": (d("2026-12-10"), 10, "period", d("2026-12-07")),
        "b2": (d("2026-12-13"), 8, "period", d("2026-12-07")),
        "c1": (None, None, "uncertain", None),
    }


def test_pessimistic_weeks_puts_old_debts_at_risk(main_book: BookFrames) -> None:
    r = forecast(main_book, AS_OF, scenario="pessimistic", horizon=6)
    # Acme: 11-30 + 20 = 12-20 (Sunday, W3); Bright: 12-05 + 20 = 12-25 (W4);
    # Calm: 115 days past due > 90: at risk, out of the inflows
    assert periods(r) == [
        ("2026-11-23", "2026-11-29", "0.00", "10.00", "-10.00", "1210.00"),
        ("2026-11-30", "2026-12-06", "0.00", "410.00", "-410.00", "800.00"),
        ("2026-12-07", "2026-12-13", "0.00", "10.00", "-10.00", "790.00"),
        ("2026-12-14", "2026-12-20", "1000.00", "10.00", "990.00", "1780.00"),
        ("2026-12-21", "2026-12-27", "500.00", "10.00", "490.00", "2270.00"),
        ("2026-12-28", "2027-01-03", "0.00", "410.00", "-410.00", "1860.00"),
    ]
    assert r.at_risk == D("450.00")
    # SPEC revision 2, day by day: ... 12-08 790.00, 12-15 780.00, then Acme's 1000.00 on 12-20:
    # 780.00 on 12-15 in W3 (it was the lowest period end, 790.00 in W2)
    assert (r.lowest, r.lowest_date) == ((d("2026-12-14"), D("780.00")), d("2026-12-15"))
    # no inflow 11-24..12-19 = 7 + 19 = 26 days
    assert r.longest_gap_days == 26
    c1 = r.placements.filter(pl.col("milestone") == "c1").row(0, named=True)
    assert (c1["placement"], c1["days_past_due"], c1["period_start"]) == ("at_risk", 115, None)


def test_at_risk_is_pessimistic_only(main_book: BookFrames) -> None:
    for scenario in ("contractual", "expected"):
        assert forecast(main_book, AS_OF, scenario=scenario).at_risk == D("0.00")


def test_closed_and_paid_milestones_are_not_inflows(main_book: BookFrames) -> None:
    r = forecast(main_book, AS_OF)
    assert sorted(r.placements["milestone"].to_list()) == ["a4", "b2", "c1"]
    assert r.placements["open"].sort().to_list() == [D("450.00"), D("500.00"), D("1000.00")]


def test_later_beyond_the_horizon(main_book: BookFrames) -> None:
    r = forecast(main_book, AS_OF, scenario="expected", horizon=2)
    # the horizon ends Sun 12-06; Acme (12-10) and Bright (12-13) come later
    assert r.end == d("2026-12-06")
    assert r.later == D("1500.00")
    # SPEC revision 2: Calm's 450.00 is uncertain, no longer a W0 inflow
    assert [p[2] for p in periods(r)] == ["0.00", "0.00"]
    # no inflow 11-24..12-09: 16 days, closed by 12-10 (after the horizon: later)
    assert r.longest_gap_days == 16


def test_default_horizon_comes_from_settings(main_book: BookFrames) -> None:
    assert forecast(main_book, AS_OF).periods.height == 12
    assert forecast(main_book, AS_OF, period="month").periods.height == 6
    f = with_settings(main_book, forecast_weeks=4, forecast_months=3)
    assert forecast(f, AS_OF).horizon == 4
    assert forecast(f, AS_OF, period="month").periods.height == 3


# ---- months ---------------------------------------------------------------------------------


def test_expected_months(main_book: BookFrames) -> None:
    r = forecast(main_book, AS_OF, scenario="expected", period="month", horizon=3)
    # Nov: in 0.00 (SPEC revision 2: Calm's 450.00 is uncertain); out software 11-24 (10.00)
    # + rent 11-30 (400.00) = 410.00; 1220 - 410
    # Dec: in 1500.00; out software 12-01, 08, 15, 22, 29 (50.00) + rent 12-31 (400.00)
    # Jan: out software 01-05, 12, 19, 26 (40.00) + rent 01-31 (400.00)
    assert periods(r) == [
        ("2026-11-01", "2026-11-30", "0.00", "410.00", "-410.00", "810.00"),
        ("2026-12-01", "2026-12-31", "1500.00", "450.00", "1050.00", "1860.00"),
        ("2027-01-01", "2027-01-31", "0.00", "440.00", "-440.00", "1420.00"),
    ]
    # day by day: 12-01 800.00, 12-08 790.00, 12-10 1790.00, ...: the lowest is in December,
    # whose end (1860.00) does not show it
    assert (r.lowest, r.lowest_date) == ((d("2026-12-01"), D("790.00")), d("2026-12-08"))
    assert r.longest_gap_days == 16  # 11-24..12-09, as by week


def test_contractual_months_boundary_on_the_last_day(main_book: BookFrames) -> None:
    r = forecast(main_book, AS_OF, scenario="contractual", period="month", horizon=2)
    # Acme's 1000.00 is due 11-30, the last day of November: it stays in November
    assert [(p[0], p[2]) for p in periods(r)] == [
        ("2026-11-01", "1450.00"),
        ("2026-12-01", "500.00"),
    ]


def test_period_bounds() -> None:
    assert period_bounds(d("2026-11-29"), "week", 2) == [
        (d("2026-11-23"), d("2026-11-29")), (d("2026-11-30"), d("2026-12-06")),
    ]  # fmt: skip
    assert period_bounds(d("2026-11-30"), "week", 1) == [(d("2026-11-30"), d("2026-12-06"))]
    assert period_bounds(d("2027-12-31"), "month", 3) == [
        (d("2027-12-01"), d("2027-12-31")), (d("2028-01-01"), d("2028-01-31")), (d("2028-02-01"), d("2028-02-29")),
    ]  # fmt: skip
    # ISO week 53 of 2026 runs Mon 2026-12-28 .. Sun 2027-01-03
    assert period_bounds(d("2027-01-01"), "week", 1) == [(d("2026-12-28"), d("2027-01-03"))]


# ---- what-ifs -------------------------------------------------------------------------------


def test_shift_client_moves_its_inflows_later(main_book: BookFrames) -> None:
    acme = client_id(main_book, "Acme")
    adj = Adjustment("shift_client", acme, 30, label="Acme +30 days")
    base = forecast(main_book, AS_OF)
    r = forecast(main_book, AS_OF, adjustments=[adj])
    # Acme's 1000.00 moves from 12-10 (W2) to 2027-01-09 (W6: 01-04..01-10)
    inflow = dict(zip(r.periods["start"].to_list(), r.periods["inflow"].to_list(), strict=True))
    assert inflow[d("2026-12-07")] == D("500.00")
    assert inflow[d("2027-01-04")] == D("1000.00")
    assert r.placements.filter(pl.col("milestone") == "a4")["expected_date"].to_list() == [
        d("2027-01-09")
    ]
    assert r.adjustments == (adj,)
    assert adj.describe() == "Acme +30 days"
    # the money is the same, only later: W2..W5 close 1000.00 lower, W6 catches up
    assert r.periods["inflow"].sum() == base.periods["inflow"].sum()
    # (SPEC revision 2: Calm's 450.00 is uncertain, so both are 450.00 lower than they were)
    assert base.periods["balance"][5] == D("1860.00") and r.periods["balance"][5] == D("860.00")
    assert r.periods["balance"][6] == base.periods["balance"][6] == D("1850.00")
    # past the horizon it becomes `later`
    short = forecast(main_book, AS_OF, horizon=6, adjustments=[adj])
    assert short.later == D("1000.00")


def test_shift_milestone_never_before_as_of(main_book: BookFrames) -> None:
    m = ids(main_book)
    r = forecast(main_book, AS_OF, adjustments=[
        Adjustment("shift_milestone", m["b2"], -10),  # 12-13 - 10 = 12-03 (W1)
        Adjustment("shift_milestone", m["a4"], -20),  # 12-10 - 20 is before as_of: 11-24
        # SPEC revision 2: c1 is uncertain in expected (it was on 11-24); a shift gives an
        # uncertain debt no date
        Adjustment("shift_milestone", m["c1"], -5),
    ])  # fmt: skip
    got = dict(
        zip(
            r.placements["milestone"].to_list(),
            r.placements["expected_date"].to_list(),
            strict=True,
        )
    )
    assert got == {"a4": AS_OF, "b2": d("2026-12-03"), "c1": None}
    assert [p[2] for p in periods(r)[:3]] == ["1000.00", "500.00", "0.00"]
    assert Adjustment("shift_milestone", 7, -10).describe() == "milestone 7 -10 days"


def test_shifts_add_up_and_commute(main_book: BookFrames) -> None:
    acme = client_id(main_book, "Acme")
    a4 = ids(main_book)["a4"]
    one = [Adjustment("shift_client", acme, -30), Adjustment("shift_milestone", a4, 35)]
    two = list(reversed(one))
    for adjs in (one, two):
        r = forecast(main_book, AS_OF, adjustments=adjs)
        # 12-10 - 30 + 35 = 12-15, applied once (not clamped to as_of halfway)
        assert r.placements.filter(pl.col("milestone") == "a4")["expected_date"].to_list() == [
            d("2026-12-15")
        ]


def test_drop_client(main_book: BookFrames) -> None:
    bright = client_id(main_book, "Bright Ideas")
    adj = Adjustment("drop_client", bright)
    r = forecast(main_book, AS_OF, horizon=6, adjustments=[adj])
    # (W0 was 450.00 before SPEC revision 2 made Calm's c1 uncertain)
    assert [p[2] for p in periods(r)] == ["0.00", "0.00", "1000.00", "0.00", "0.00", "0.00"]
    b2 = r.placements.filter(pl.col("milestone") == "b2").row(0, named=True)
    assert (b2["placement"], b2["open_home"], b2["period_start"]) == ("dropped", D("500.00"), None)
    assert r.dropped == D("500.00")
    assert r.later == D("0.00")
    assert adj.describe() == f"client {bright} dropped (assumed not to pay)"


def test_adjustment_kind_is_checked() -> None:
    with pytest.raises(ValueError, match="not one of"):
        Adjustment("shift_contract", 1, 3)  # type: ignore[arg-type]


def test_bad_arguments(main_book: BookFrames) -> None:
    f = main_book
    with pytest.raises(ValueError, match="scenario"):
        forecast(f, AS_OF, scenario="rosy")
    with pytest.raises(ValueError, match="period"):
        forecast(f, AS_OF, period="day")
    with pytest.raises(ValueError, match="horizon"):
        forecast(f, AS_OF, horizon=0)


# ---- currency -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fx_book() -> BookFrames:
    book = MemoryBook()
    c = book.add_client(Client(name="Londoner"))
    book.add_contract(c, contract("Pounds", "GBP"), [
        ms(1, "gbp-big", "1234.57", "2026-12-01"),  # x 1.17 = 1444.4469 -> 1444.45
        ms(2, "gbp-half", "0.50", "2026-12-01"),  # x 1.17 = 0.585 -> 0.59 (half up, not to even)
    ])  # fmt: skip
    book.add_contract(c, contract("Rupees", "INR"), [
        ms(1, "inr", "0.15", "2026-12-01"),  # x 0.03333333 = 0.0049999995 -> 0.00 (rounded once)
    ])  # fmt: skip
    book.add_contract(c, contract("Dollars", "USD"), [
        ms(1, "usd-1", "300.00", "2026-12-01"), ms(2, "usd-2", "45.50", "2027-09-01"),
    ])  # fmt: skip
    book.add_contract(c, contract("Euros", "EUR"), [ms(1, "eur", "100.00", "2026-12-01")])
    book.set_exchange_rate("GBP", D("1.17"))
    book.set_exchange_rate("INR", D("0.03333333"))
    book.add_expense(Expense(name="US hosting", amount=D("20.00"), currency="USD", cadence=Cadence.MONTHLY,
                             next_date=d("2026-12-15")))  # fmt: skip
    book.add_expense(Expense(name="UK tool", amount=D("8.55"), currency="GBP", cadence=Cadence.ONCE,
                             next_date=d("2026-12-02")))  # fmt: skip
    return book.frames()


def test_fx_conversion_rounds_each_amount_once_half_up(fx_book: BookFrames) -> None:
    r = forecast(fx_book, AS_OF, scenario="contractual", horizon=3)
    home = dict(
        zip(r.placements["milestone"].to_list(), r.placements["open_home"].to_list(), strict=True)
    )
    assert home == {
        "gbp-big": D("1444.45"), "gbp-half": D("0.59"), "inr": D("0.00"), "eur": D("100.00"),
        "usd-1": None, "usd-2": None,
    }  # fmt: skip
    # W1 (11-30..12-06): 1444.45 + 0.59 + 0.00 + 100.00 = 1545.04 in;
    # out: UK tool 8.55 GBP x 1.17 = 10.0035 -> 10.00; US hosting has no rate
    assert periods(r)[1] == ("2026-11-30", "2026-12-06", "1545.04", "10.00", "1535.04", "1535.04")


def test_currency_without_rate_is_listed_apart_never_counted(fx_book: BookFrames) -> None:
    r = forecast(fx_book, AS_OF, scenario="contractual", horizon=4)
    # both USD milestones, whatever their dates (one is far past the horizon), at their own amount
    assert rows(r.unconverted) == [("USD", D("345.50"))]
    assert r.later == D("0.00")
    place = dict(
        zip(r.placements["milestone"].to_list(), r.placements["placement"].to_list(), strict=True)
    )
    assert place["usd-1"] == place["usd-2"] == "unconverted"
    # the USD expense (12-15 in W3) is not an outflow either; it is listed apart
    assert periods(r)[3][3] == "0.00"
    assert rows(r.unconverted_other) == [("outflow", "USD", D("20.00"))]
    usd = r.outflows.filter(pl.col("currency") == "USD").row(0, named=True)
    assert (usd["date"], usd["amount"], usd["amount_home"]) == (d("2026-12-15"), D("20.00"), None)


def test_home_currency_in_fx_is_ignored(fx_book: BookFrames) -> None:
    r = forecast(with_settings(fx_book, fx={**fx_book.settings.fx, "EUR": D("2")}), AS_OF)
    assert r.placements.filter(pl.col("milestone") == "eur")["open_home"].to_list() == [D("100.00")]


def test_cash_conversion_and_unrated_cash(book: MemoryBook) -> None:
    c = book.add_client(Client(name="Mixed"))
    book.add_contract(c, contract("G", "GBP"), [ms(1, "g", "100.00", "2026-11-01")])
    book.add_contract(c, contract("U", "USD"), [ms(1, "u", "70.00", "2026-11-01")])
    m = ids(book)
    pay(book, m["g"], "10.05", "2026-11-05")  # x 1.17 = 11.7585 -> 11.76
    pay(book, m["u"], "70.00", "2026-11-06")  # no rate: not in cash, listed
    book.add_expense(Expense(name="Tool", amount=D("5.00"), currency="USD", cadence=Cadence.ONCE,
                             next_date=d("2026-11-10")))  # fmt: skip
    book.set_exchange_rate("GBP", D("1.17"))
    book.save_settings({"opening_balance": "-100.00", "opening_balance_date": "2026-11-01"})
    r = forecast(book.frames(), AS_OF)
    assert r.cash_at_as_of == D("-88.24")  # -100.00 + 11.76
    assert rows(r.unconverted_other) == [
        ("cash_in", "USD", D("70.00")),
        ("cash_out", "USD", D("5.00")),
    ]


def test_cash_without_opening_date_is_the_opening_balance(main_book: BookFrames) -> None:
    f = with_settings(main_book, opening_balance_date=None)
    assert forecast(f, AS_OF).cash_at_as_of == D("1000.00")


def test_cash_on_the_opening_date(main_book: BookFrames) -> None:
    # as_of = opening date: nothing received or spent on 11-01
    assert forecast(main_book, d("2026-11-01")).cash_at_as_of == D("1000.00")
    # SPEC revision 2: the opening balance is the cash at the START of its date, so Calm's
    # 50.00 received on 11-24 counts when the balance is dated 11-24 (it did not before)
    f = with_settings(main_book, opening_balance_date=AS_OF)
    assert forecast(f, AS_OF).cash_at_as_of == D("1050.00")
    # the day after: software on 11-03 not yet, the 11-10 payment not yet
    assert forecast(main_book, d("2026-11-02")).cash_at_as_of == D("1000.00")
    # 11-10: software 11-03 paid (-10.00); Acme's 200.00 of 11-10 received (as_of counts);
    # software of 11-10 is an outflow of as_of's period, not yet out of the cash
    assert forecast(main_book, d("2026-11-10")).cash_at_as_of == D("1190.00")


def test_cash_before_the_opening_date_walks_back(main_book: BookFrames) -> None:
    f = with_settings(main_book, opening_balance_date=d("2026-11-24"))
    # SPEC revision 2 (opening balance at the start of 11-24): as of 11-09, 1000.00
    # - 200.00 (received 11-10, after as_of and before the opening date)
    # + software 11-10, 11-17 (20.00; as_of's own day up to the day before the opening date)
    # = 820.00. The 50.00 and the software of 11-24 are on the opening date: inside it.
    # (Before revision 2, with the balance at the end of 11-24: 780.00.)
    r = forecast(f, d("2026-11-09"))
    assert r.cash_at_as_of == D("820.00")
    # walking forward again from the start of 11-09 (nothing was received on 11-09): at 11-24,
    # 820.00 + 250.00 (11-10 and 11-24) - 20.00 (11-10, 11-17) = 1050.00 = 1000.00 at the
    # start of 11-24 + the 50.00 received that day; its software is a first-period outflow
    f = with_settings(main_book, opening_balance=D("820.00"), opening_balance_date=d("2026-11-09"))
    assert forecast(f, d("2026-11-24")).cash_at_as_of == D("1050.00")


# ---- expenses -------------------------------------------------------------------------------


def expenses(*rows_: tuple[int, str, str, str, str, str | None]) -> pl.DataFrame:
    return pl.DataFrame(
        [(i, n, D(a), "EUR", c, d(nd), d(ed) if ed else None) for i, n, a, c, nd, ed in rows_],
        schema={"id": pl.Int32, "name": pl.String, "amount": pl.Decimal(18, 2), "currency": pl.String,
                "cadence": pl.String, "next_date": pl.Date, "end_date": pl.Date},
        orient="row",
    )  # fmt: skip


def dates(frame: pl.DataFrame) -> list[str]:
    return [x.isoformat() for x in frame["date"].to_list()]


def test_monthly_on_the_31st_never_drifts() -> None:
    e = expenses((1, "Rent", "400.00", "monthly", "2026-01-31", None))
    got = expense_occurrences(e, d("2026-01-01"), d("2026-06-30"))
    assert dates(got) == [
        "2026-01-31",
        "2026-02-28",
        "2026-03-31",
        "2026-04-30",
        "2026-05-31",
        "2026-06-30",
    ]
    assert got.columns == ["expense_id", "name", "date", "amount", "currency"]
    assert got["amount"].dtype == pl.Decimal(18, 2)


def test_leap_year_month_ends() -> None:
    e = expenses(
        (1, "31st", "1.00", "monthly", "2028-01-31", None),
        (2, "29th", "2.00", "monthly", "2027-12-29", None),
        (3, "leap day", "3.00", "yearly", "2028-02-29", None),
        (4, "quarterly 30th", "4.00", "quarterly", "2027-11-30", None),
    )
    got = expense_occurrences(e, d("2028-02-01"), d("2028-03-31"))
    # sorted by date, then expense
    assert [(r[0], r[2].isoformat()) for r in got.iter_rows()] == [
        (1, "2028-02-29"), (2, "2028-02-29"), (3, "2028-02-29"), (4, "2028-02-29"),
        (2, "2028-03-29"), (1, "2028-03-31"),
    ]  # fmt: skip
    # the leap-day expense falls on Feb 28 in common years and back on Feb 29 in 2032
    yearly = expense_occurrences(e.filter(pl.col("id") == 3), d("2028-01-01"), d("2032-12-31"))
    assert dates(yearly) == ["2028-02-29", "2029-02-28", "2030-02-28", "2031-02-28", "2032-02-29"]
    # quarterly from 11-30: 02-29 (clamped in a leap year), then back to the 30th
    q = expense_occurrences(e.filter(pl.col("id") == 4), d("2027-01-01"), d("2028-12-31"))
    assert dates(q) == ["2027-11-30", "2028-02-29", "2028-05-30", "2028-08-30", "2028-11-30"]


def test_leap_year_forecast_month(book: MemoryBook) -> None:
    book.add_expense(Expense(name="Rent", amount=D("400.00"), currency="EUR", cadence=Cadence.MONTHLY,
                             next_date=d("2027-12-31")))  # fmt: skip
    r = forecast(book.frames(), d("2028-02-01"), period="month", horizon=2)
    assert r.outflows["date"].to_list() == [d("2028-02-29"), d("2028-03-31")]
    assert [p[3] for p in periods(r)] == ["400.00", "400.00"]


def test_cadences_end_date_and_window() -> None:
    e = expenses(
        (1, "once", "1.00", "once", "2026-12-01", None),
        (2, "weekly", "2.00", "weekly", "2026-11-03", "2026-11-24"),  # end date inclusive
        (3, "late start", "3.00", "monthly", "2027-06-01", None),  # after the window
        (4, "ended", "4.00", "yearly", "2020-11-25", "2025-01-01"),  # ended before the window
    )
    got = expense_occurrences(e, d("2026-11-10"), d("2026-12-31"))
    assert [(r[0], r[2].isoformat()) for r in got.iter_rows()] == [
        (2, "2026-11-10"), (2, "2026-11-17"), (2, "2026-11-24"), (1, "2026-12-01"),
    ]  # fmt: skip
    assert expense_occurrences(e, d("2026-12-31"), d("2026-12-01")).height == 0
    assert expense_occurrences(e.clear(), d("2026-01-01"), d("2026-12-31")).height == 0


def test_expense_before_as_of_is_not_an_outflow(main_book: BookFrames) -> None:
    r = forecast(main_book, AS_OF, horizon=1)
    # software on 11-03, 11-10, 11-17 are before as_of (in the cash); 11-24 is the outflow
    assert dates(r.outflows) == ["2026-11-24"]


# ---- lean facts agree with the shared ones ----------------------------------------------------


def test_money_facts_agree_with_milestone_facts(main_book: BookFrames) -> None:
    from tui.analytics.base import milestone_facts

    f = main_book
    for as_of in (d("2026-06-01"), d("2026-08-21"), AS_OF, d("2026-11-25")):
        lean = (
            money_facts(f, as_of)
            .select("milestone_id", "open", "fully_paid_on")
            .sort("milestone_id")
        )
        full = milestone_facts(f, as_of).select(
            pl.col("milestone_id").cast(pl.Int64), "open", "fully_paid_on"
        )
        assert lean.equals(full.sort("milestone_id"))


def test_report_fields(main_book: BookFrames, tmp_path: Path) -> None:
    r = forecast(main_book, AS_OF, scenario="pessimistic", period="month")
    assert (r.as_of, r.scenario, r.period, r.horizon, r.currency) == (
        AS_OF,
        "pessimistic",
        "month",
        6,
        "EUR",
    )
    assert r.periods.columns == [
        "start", "end", "inflow", "outflow", "net", "balance", "reserve", "free",
    ]  # fmt: skip
    assert all(
        r.periods[c].dtype == pl.Decimal(38, 2) for c in ("inflow", "outflow", "net", "balance")
    )
    assert r.placements.columns[:12] == [
        "milestone_id", "client_id", "client", "contract", "seq", "milestone", "currency", "open",
        "open_home", "due_date", "days_past_due", "delay",
    ]  # fmt: skip
    assert {"expected_date", "placement"} <= set(r.placements.columns)
    assert r.outflows.columns == ["expense_id", "name", "date", "amount", "currency", "amount_home"]
    assert r.unconverted.columns == ["currency", "amount"] and r.unconverted.height == 0
    assert isinstance(r.cash_at_as_of, Decimal) and isinstance(r.later, Decimal)
