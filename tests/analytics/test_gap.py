"""The forecast's longest gap (issue 14): the same fact for weeks and months, dates by hand.

As of Tue 2026-11-24, default horizons: 12 weeks (Mon 11-23 .. Sun 2027-02-14) and 6 months
(11-01 .. 2027-04-30). Contractual scenario: a milestone not yet due is expected on its due
date, one billed and past due on as_of.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from builders import MemoryBook

from tui.analytics.forecast import ForecastReport, forecast
from tui.domain.model import Client, Contract, Milestone
from tui.domain.values import MilestoneStatus
from tui.present.forecast import forecast_note_lines, forecast_note_segments, gap_text
from tui.store import BookFrames

AS_OF = dt.date(2026, 11, 24)
d = dt.date.fromisoformat


def book_due(*dues: str, currency: str = "EUR") -> BookFrames:
    """One client, one contract, a planned 100.00 milestone due on each day."""
    book = MemoryBook()
    cid = book.add_client(Client(name="Acme"))
    book.add_contract(cid, Contract(title="Site", currency=currency, total_fee=Decimal("0.00")), [
        Milestone(seq=i + 1, title=f"m{i + 1}", amount=Decimal("100.00"), due_date=d(due))
        for i, due in enumerate(dues)
    ])  # fmt: skip
    return book.frames()


def both(f: BookFrames, **kw: object) -> tuple[ForecastReport, ForecastReport]:
    week = forecast(f, AS_OF, scenario="contractual", period="week", **kw)  # type: ignore[arg-type]
    month = forecast(f, AS_OF, scenario="contractual", period="month", **kw)  # type: ignore[arg-type]
    assert (week.end, month.end) == (d("2027-02-14"), d("2027-04-30"))
    return week, month


def gap(r: ForecastReport) -> tuple[int, tuple[dt.date, dt.date] | None, dt.date | None]:
    return r.longest_gap_days, r.longest_gap, r.last_inflow_date


def test_weeks_and_months_give_the_same_gap() -> None:
    week, month = both(book_due("2026-12-04", "2026-12-20", "2027-01-20"))
    # runs ended by an inflow: 11-24..12-03 = 10, 12-05..12-19 = 15, 12-21..01-19 = 11 + 19 = 30.
    # The days after 01-20 ran to each horizon's end before: 25 by week (to 02-14), 100 by
    # month (to 04-30), so the month said 100 and the week 30.
    expected = (30, (d("2026-12-21"), d("2027-01-19")), d("2027-01-20"))
    assert gap(week) == gap(month) == expected
    assert (
        gap_text(week)
        == gap_text(month)
        == ("30 days (2026-12-21 to 2027-01-19); no inflow expected after 2027-01-20")
    )


def test_a_gap_open_at_the_horizon_end_is_not_counted() -> None:
    week, month = both(book_due("2026-12-04"))
    # 11-24..12-03 = 10 days; after 12-04 nothing is expected: not a gap of 72 (to 02-14) or
    # 147 (to 04-30) days but "no inflow expected after 12-04"
    assert gap(week) == gap(month) == (10, (d("2026-11-24"), d("2026-12-03")), d("2026-12-04"))
    line = "Longest run with no expected inflow: 10 days (2026-11-24 to 2026-12-03); no inflow "
    assert line + "expected after 2026-12-04" in forecast_note_lines(week, AS_OF)
    screen = "".join(text for text, _ in forecast_note_segments(week))
    assert "Longest gap 10 days to 2026-12-03 · none after 2026-12-04" in screen


def test_an_inflow_after_the_horizon_closes_the_gap() -> None:
    week, month = both(book_due("2026-12-04", "2027-03-01"))
    assert week.later == Decimal("100.00") and month.later == Decimal("0.00")
    # 12-05..02-28 = 27 + 31 + 28 = 86 days, whether 03-01 is in the table or after it
    assert gap(week) == gap(month) == (86, (d("2026-12-05"), d("2027-02-28")), d("2027-03-01"))
    short = forecast(book_due("2026-12-04", "2027-03-01"), AS_OF, scenario="contractual", horizon=1)
    assert gap(short) == gap(week)  # nor does the horizon change it
    # the screen's line: inflows stop after the table's end, which the table does not tell
    assert gap_text(week, compact=True) == "86 days to 2027-02-28"


@pytest.mark.parametrize("period", ["week", "month"])
def test_no_inflow_at_all(period: str) -> None:
    r = forecast(book_due(), AS_OF, scenario="contractual", period=period)
    assert gap(r) == (0, None, None)
    assert gap_text(r) == "none: no inflow is expected at all"
    assert gap_text(r, compact=True) == "no inflow expected"


def test_an_inflow_on_as_of_and_the_first_run() -> None:
    book = MemoryBook()
    cid = book.add_client(Client(name="Acme"))
    billed = Milestone(seq=1, title="late", amount=Decimal("50.00"), due_date=d("2026-11-01"),
                       status=MilestoneStatus.INVOICED, invoiced_on=d("2026-10-02"))  # fmt: skip
    soon = Milestone(seq=2, title="soon", amount=Decimal("50.00"), due_date=d("2026-11-30"))
    book.add_contract(
        cid, Contract(title="S", currency="EUR", total_fee=Decimal("0")), [billed, soon]
    )
    week, month = both(book.frames())
    # contractual: 'late' on max(11-24, 11-01) = 11-24 (as_of, no run before it); 'soon' 11-30:
    # 11-25..11-29 = 5 days
    assert gap(week) == gap(month) == (5, (d("2026-11-25"), d("2026-11-29")), d("2026-11-30"))


def test_unconverted_inflows_do_not_end_a_gap() -> None:
    book = MemoryBook()
    cid = book.add_client(Client(name="Acme"))
    book.add_contract(cid, Contract(title="E", currency="EUR", total_fee=Decimal("0")), [
        Milestone(seq=1, title="e", amount=Decimal("100.00"), due_date=d("2026-12-20")),
    ])  # fmt: skip
    book.add_contract(cid, Contract(title="C", currency="CHF", total_fee=Decimal("0")), [
        Milestone(seq=1, title="c", amount=Decimal("100.00"), due_date=d("2026-12-01")),
    ])  # fmt: skip
    week, month = both(book.frames())
    # CHF has no rate: 12-01 is no inflow; 11-24..12-19 = 7 + 19 = 26 days
    assert gap(week) == gap(month) == (26, (d("2026-11-24"), d("2026-12-19")), d("2026-12-20"))
