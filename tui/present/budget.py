"""The budget figures in words (SPEC 4.2 and 4.6): tax reserve, safe to spend, accuracy.

The forecast screen's title note and note lines, the dashboard's Cash ahead lines and the
outflows of one period by category. Each reads a
:class:`~tui.analytics.forecast.ForecastReport` or a
:class:`~tui.analytics.accuracy.ScenarioAccuracy`; none computes a figure of its own.
Percentages are the 4-place ratios times 100, rounded once, half up, to one place.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tui.analytics.accuracy import ScenarioAccuracy
from tui.analytics.forecast import ForecastReport
from tui.domain.money import format_amount

#: the category shown for expenses that have none
OTHER = "other"
#: the screen's accuracy line: scenario, weeks and lead as the screen asks them
ACCURACY_SCENARIO = "expected"
ACCURACY_WEEKS = 26
ACCURACY_LEAD = 4


def percent(ratio: Decimal, *, signed: bool = False) -> str:
    """``0.2219`` -> ``22.2 %`` (``+22.2 %`` when ``signed``): one place, half up."""
    value = (ratio * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    sign = ("+" if value >= 0 else "-") if signed else ("-" if value < 0 else "")
    return f"{sign}{abs(value)} %"


def accuracy_prefix(weeks: int = ACCURACY_WEEKS, lead: int = ACCURACY_LEAD) -> str:
    """``Forecast accuracy (expected, last 26 weeks, 4-week windows)``."""
    return f"Forecast accuracy ({ACCURACY_SCENARIO}, last {weeks} weeks, {lead}-week windows)"


def accuracy_line(
    figures: ScenarioAccuracy | None, weeks: int = ACCURACY_WEEKS, lead: int = ACCURACY_LEAD
) -> str:
    """The one line of a scenario's accuracy; "not enough history yet" without a WAPE."""
    if figures is None or figures.wape is None or figures.bias is None:
        return f"{accuracy_prefix(weeks, lead)}: not enough history yet"
    return (
        f"{accuracy_prefix(weeks, lead)}: off by {percent(figures.wape)} of what came in, "
        f"bias {percent(figures.bias, signed=True)}"
    )


def limit_words(report: ForecastReport) -> str:
    """The day that limits safe to spend: ``today`` or ``2026-11-26``."""
    day = report.safe_to_spend_limit_date
    return "today" if day == report.as_of else day.isoformat()


def budget_note_segments(report: ForecastReport) -> list[tuple[str, str]]:
    """The screen's note line: the tax reserve today, safe to spend and the day limiting it
    (the low point: the day free cash is lowest). One line at 80 columns."""
    cur = report.currency
    low = report.lowest_free
    return [
        ("Tax reserve ", "bold"),
        (f"{format_amount(report.tax_reserve)} {cur}", ""),
        (" · Safe to spend ", "bold"),
        (f"{format_amount(report.safe_to_spend)} {cur}", "bold red" if low < 0 else "bold"),
        (f" (low point {limit_words(report)})", "dim"),
    ]


def title_note(report: ForecastReport, width: int) -> str:
    """The forecast's title note, as much of it as fits ``width`` columns (safe to spend kept)."""
    cur = report.currency
    unit = "weeks" if report.period == "week" else "months"
    cash = f"cash {format_amount(report.cash_at_as_of)}"
    safe = f"safe to spend today {format_amount(report.safe_to_spend)}"
    forms = [
        f"as of {report.as_of} · {report.scenario} · {report.horizon} {unit} · {cur} · "
        f"{cash} · {safe}",
        f"{report.scenario} · {report.horizon} {unit[0]} · {cash} · {safe} {cur}",
        f"{report.scenario} · {cash} · {safe} {cur}",
    ]
    return next((f for f in forms if len(f) <= width), forms[-1])


def outflow_rows(report: ForecastReport, start: dt.date) -> list[dict[str, Any]]:
    """One period's outflows by category (``''`` named ``other``), largest first, then by name."""
    sums: dict[str, Decimal] = {}
    for r in report.outflow_by_category.to_dicts():
        if r["start"] == start:
            name = r["category"] or OTHER
            sums[name] = sums.get(name, Decimal("0.00")) + r["outflow"]
    rows = [{"category": name, "outflow": amount} for name, amount in sums.items()]
    return sorted(rows, key=lambda r: (-r["outflow"], r["category"]))
