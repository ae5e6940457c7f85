"""Properties of the tax reserve, free cash and safe to spend (SPEC 4.2) on generated books.

The books come from the forecast's own generator (test_forecast_props.books), with a tax
reserve percent, a since date, a cash floor and expense categories drawn on top.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strength import examples

from tui.analytics.forecast import Adjustment, ForecastReport, forecast

from .test_forecast_props import CENT, Gen, books, empty, home, rate_of, ref_occurrences

__all__ = ["empty"]  # the fixture, imported so that pytest finds it here

RESERVE_PROPS = settings(
    max_examples=examples(40),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
SCENARIOS = st.sampled_from(["contractual", "expected", "pessimistic"])
ZERO = Decimal("0.00")


def with_reserve(data: st.DataObject, g: Gen, percent: Decimal | None = None) -> Gen:
    """The book with a tax reserve percent, since date, cash floor and expense categories."""
    s = g.frames.settings
    since = (
        g.as_of + dt.timedelta(days=data.draw(st.integers(-200, 30)))
        if data.draw(st.booleans())
        else None
    )
    s = dataclasses.replace(
        s,
        tax_reserve_percent=(
            Decimal(data.draw(st.integers(0, 10_000))) / 100 if percent is None else percent
        ),
        tax_reserve_since=since,
        cash_floor=Decimal(data.draw(st.integers(0, 10**6))) / 100,
    )
    expenses = g.frames.expenses
    categories = [data.draw(st.sampled_from(["", "tax", "rent"])) for _ in range(expenses.height)]
    expenses = expenses.with_columns(pl.Series("category", categories, dtype=pl.String))
    return dataclasses.replace(
        g, frames=dataclasses.replace(g.frames, settings=s, expenses=expenses)
    )


def run(g: Gen, scenario: str, adjustments: tuple[Adjustment, ...] | None = None) -> ForecastReport:
    return forecast(g.frames, g.as_of, scenario=scenario, period=g.period, horizon=g.horizon,
                    adjustments=g.adjustments if adjustments is None else adjustments)  # fmt: skip


def reference(g: Gen, r: ForecastReport) -> tuple[Decimal, list[Decimal], Decimal, dt.date]:
    """From the SPEC's words: reserve at as_of, reserve at each period's end, lowest free cash
    and its day. Inflows are the report's placed ones; everything else is from the book."""
    f, s = g.frames, g.frames.settings
    since, p = s.tax_reserve_since, s.tax_reserve_percent
    first = since or dt.date.min
    currency_of = dict(zip(f.contracts["id"], f.contracts["currency"], strict=True))
    contract_of = dict(zip(f.milestones["id"], f.milestones["contract_id"], strict=True))
    base = taxed = ZERO
    for pay in f.payments.iter_rows(named=True):
        rate = rate_of(f, currency_of[contract_of[pay["milestone_id"]]])
        if rate is not None and first <= pay["received_on"] <= g.as_of:
            base += home(pay["amount"], rate)
    net: dict[dt.date, Decimal] = defaultdict(Decimal)
    more: dict[dt.date, Decimal] = defaultdict(Decimal)
    paid: dict[dt.date, Decimal] = defaultdict(Decimal)
    for e in f.expenses.iter_rows(named=True):
        rate = rate_of(f, e["currency"])
        if rate is None:
            continue
        if e["category"] == "tax":
            before = ref_occurrences(e, first, g.as_of - dt.timedelta(days=1))
            taxed += home(e["amount"], rate) * len(before)
        for day in ref_occurrences(e, g.as_of, r.end):
            net[day] -= home(e["amount"], rate)
            if e["category"] == "tax" and day >= first:
                paid[day] += home(e["amount"], rate)
    for m in r.placements.filter(pl.col("placement") == "period").iter_rows(named=True):
        net[m["expected_date"]] += m["open_home"]
        if m["expected_date"] >= first:
            more[m["expected_date"]] += m["open_home"]

    def reserve() -> Decimal:
        return max((p * base / 100).quantize(CENT, rounding=ROUND_HALF_UP) - taxed, ZERO)

    at_as_of = reserve()
    balance, low_date, low = r.cash_at_as_of, g.as_of, r.cash_at_as_of - at_as_of
    ends, day = set(r.periods["end"].to_list()), g.as_of
    at_ends = []
    while day <= r.end:
        balance += net[day]
        base += more[day]
        taxed += paid[day]
        if balance - reserve() < low:
            low_date, low = day, balance - reserve()
        if day in ends:
            at_ends.append(reserve())
        day += dt.timedelta(days=1)
    return at_as_of, at_ends, low, low_date


@RESERVE_PROPS
@given(data=st.data(), scenario=SCENARIOS)
def test_reserve_and_safe_to_spend_match_the_definition(
    empty: object, data: st.DataObject, scenario: str
) -> None:
    g = with_reserve(data, data.draw(books(empty)))
    r = run(g, scenario)
    at_as_of, at_ends, low, low_date = reference(g, r)
    assert r.tax_reserve == at_as_of
    assert r.periods["reserve"].to_list() == at_ends
    assert r.periods["free"].to_list() == [
        b - x for b, x in zip(r.periods["balance"], at_ends, strict=True)
    ]
    assert (r.lowest_free, r.safe_to_spend_limit_date) == (low, low_date)
    floor = g.frames.settings.cash_floor
    assert r.safe_to_spend == max(low - floor, ZERO)
    # never more than what is free today, never negative
    assert ZERO <= r.safe_to_spend <= max(r.cash_at_as_of - r.tax_reserve - floor, ZERO)
    assert r.lowest_free <= r.cash_at_as_of - r.tax_reserve
    if g.frames.settings.tax_reserve_percent == 0:
        assert r.tax_reserve == 0 and set(r.periods["reserve"].to_list()) <= {ZERO}
        assert (r.lowest_free, r.safe_to_spend_limit_date) == (r.lowest[1], r.lowest_date)


@RESERVE_PROPS
@given(data=st.data(), scenario=SCENARIOS)
def test_raising_the_percent_never_raises_safe_to_spend(
    empty: object, data: st.DataObject, scenario: str
) -> None:
    low, high = sorted(Decimal(data.draw(st.integers(0, 10_000))) / 100 for _ in range(2))
    g = with_reserve(data, data.draw(books(empty)), percent=low)
    raised = dataclasses.replace(g.frames.settings, tax_reserve_percent=high)
    r_low = run(g, scenario)
    r_high = run(dataclasses.replace(g, frames=dataclasses.replace(g.frames, settings=raised)),
                 scenario)  # fmt: skip
    assert r_high.safe_to_spend <= r_low.safe_to_spend
    assert r_high.lowest_free <= r_low.lowest_free
    assert r_high.tax_reserve >= r_low.tax_reserve


@RESERVE_PROPS
@given(data=st.data(), scenario=SCENARIOS, days=st.integers(1, 120))
def test_moving_an_inflow_later_never_raises_safe_to_spend(
    empty: object, data: st.DataObject, scenario: str, days: int
) -> None:
    g = with_reserve(data, data.draw(books(empty)))
    r = run(g, scenario)
    placed = r.placements.filter(pl.col("placement") == "period")["milestone_id"].to_list()
    if not placed:
        return
    target = data.draw(st.sampled_from(placed))
    moved = run(g, scenario, (*g.adjustments, Adjustment("shift_milestone", target, days)))
    assert moved.safe_to_spend <= r.safe_to_spend
    assert moved.lowest_free <= r.lowest_free


@RESERVE_PROPS
@given(data=st.data(), scenario=SCENARIOS)
def test_outflow_by_category_sums_to_each_period_outflow(
    empty: object, data: st.DataObject, scenario: str
) -> None:
    g = with_reserve(data, data.draw(books(empty)))
    r = run(g, scenario)
    by = r.outflow_by_category
    assert by.columns == ["start", "category", "outflow"]
    assert by.select("start", "category").is_unique().all()
    assert set(by["category"].to_list()) <= {"", "tax", "rent"}
    sums = dict(by.group_by("start").agg(pl.col("outflow").sum()).iter_rows())
    for start, outflow in r.periods.select("start", "outflow").iter_rows():
        assert sums.get(start, ZERO) == outflow
    assert set(sums) <= set(r.periods["start"].to_list())
