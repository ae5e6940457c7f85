"""The forecast in words: the period table (CLI and the app's CSV export) and the notes.

The notes come in two forms: :func:`forecast_note_lines`, the command line's full sentences,
and :func:`forecast_note_segments`, the screen's compact lines as ``(text, style)`` segments. Both read the
same :class:`~tui.analytics.forecast.ForecastReport`.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

from tui.analytics.forecast import ForecastReport
from tui.domain.money import format_amount
from tui.present.table import Column, format_csv, iso_text
from tui.present.text import count

FORECAST_COLUMNS = [
    Column("start", "Start", "date"),
    Column("end", "End", "date"),
    Column("inflow", "Inflow", "amount"),
    Column("outflow", "Outflow", "amount"),
    Column("net", "Net", "amount"),
    Column("balance", "Balance", "amount"),
    Column("reserve", "Reserve", "amount"),
    Column("free", "Free", "amount"),
]


def write_forecast_csv(path: Path, periods: list[dict[str, Any]]) -> int:
    """Write the period rows as ``milepay report forecast --format csv`` does; return the count.

    The file is created readable by its owner only (it holds the user's cash figures) and a
    symbolic link at ``path`` is never followed.
    """
    text = format_csv(FORECAST_COLUMNS, periods)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
        out.write(text)
    return len(periods)


def forecast_note_segments(report: ForecastReport) -> list[tuple[str, str]]:
    """The screen's compact notes under the table: later, at risk, lowest, gap, unconverted."""
    cur = report.currency
    end = report.end.isoformat() if report.periods.height else ""
    out: list[tuple[str, str]] = []
    out.append(("Later ", "bold"))
    out.append((f"(after {end}) {format_amount(report.later)} {cur}", ""))
    out.append((" · At risk ", "bold"))
    out.append((f"{format_amount(report.at_risk)} {cur}", ""))
    if report.scenario != "pessimistic":
        out.append((" (pessimistic only)", "dim"))
    if report.uncertain:
        out.append((" · Uncertain ", "bold yellow"))
        out.append((f"{format_amount(report.uncertain)} {cur} (later than any paid before)", ""))
    if report.lowest:
        out.append(("\nLowest ", "bold"))
        out.append((f"{format_amount(report.lowest[1])} {cur} on {report.lowest_date}",
                    "bold red" if report.lowest[1] < 0 else ""))  # fmt: skip
    out.append((" · Longest gap ", "bold"))
    out.append((gap_text(report, compact=True), ""))
    parts = [f"{format_amount(u['amount'])} {u['currency']}" for u in report.unconverted.to_dicts()]
    names = {"outflow": "expenses", "cash_in": "payments in", "cash_out": "expenses before as-of"}
    parts += [f"{names.get(u['part'], u['part'])} {format_amount(u['amount'])} {u['currency']}"
              for u in report.unconverted_other.to_dicts()]  # fmt: skip
    if parts:
        out.append(("\nNo exchange rate, left out: ", "bold yellow"))
        out.append((" · ".join(parts), ""))
    return out


def gap_text(report: ForecastReport, *, compact: bool = False) -> str:
    """The longest gap and where inflows stop: ``11 days (2026-11-24 to 2026-12-04); no inflow
    expected after 2026-12-13`` (``compact``, the screen's line: ``11 days to 2026-12-04``, and
    `` · none after 2026-12-13`` when inflows stop inside the table; past its end it is not the
    table's to tell).

    The days after the last expected inflow are not a gap of known length, so they are told as
    a date, never counted (see :mod:`tui.analytics.forecast`).
    """
    last = report.last_inflow_date
    if last is None:
        return "no inflow expected" if compact else "none: no inflow is expected at all"
    days = count(report.longest_gap_days, "day")
    span = report.longest_gap
    if compact:
        gap = f"{days} to {iso_text(span[1])}" if span else days
        if report.periods.height and last > report.end:
            return gap
        return f"{gap} · none after {iso_text(last)}"
    gap = f"{days} ({iso_text(span[0])} to {iso_text(span[1])})" if span else days
    return f"{gap}; no inflow expected after {iso_text(last)}"


def shortfall_line(report: ForecastReport, fail_below: Decimal) -> str | None:
    """``--fail-below``: one line naming the day and the figure below ``fail_below``, or None.

    The lowest balance is named when it is below (the money itself runs out); otherwise safe
    to spend, with the day free cash is lowest (what limits it).
    """
    cur = report.currency
    limit = f"{format_amount(fail_below)} {cur}"
    if report.lowest and report.lowest[1] < fail_below:
        return (
            f"money runs short: lowest balance {format_amount(report.lowest[1])} {cur} on "
            f"{iso_text(report.lowest_date)} is below {limit}"
        )
    if report.safe_to_spend < fail_below:
        return (
            f"money runs short: safe to spend {format_amount(report.safe_to_spend)} {cur} "
            f"(free cash lowest on {iso_text(report.safe_to_spend_limit_date)}) is below {limit}"
        )
    return None


def forecast_note_lines(
    report: ForecastReport, as_of: dt.date, *, cash_floor: Decimal = Decimal("0.00")
) -> list[str]:
    """The command line's notes under the forecast table, one full sentence each."""
    cur = report.currency
    unconverted = report.unconverted.to_dicts()
    unconverted_other = report.unconverted_other.to_dicts()
    lowest = report.lowest
    adjustments = [
        a.describe() if hasattr(a, "describe") else str(a) for a in report.adjustments or ()
    ]
    notes = [
        f"Cash at {as_of.isoformat()}: {format_amount(report.cash_at_as_of)} {cur}",
        f"Tax reserve today: {format_amount(report.tax_reserve)} {cur}",
        f"Safe to spend today: {format_amount(report.safe_to_spend)} {cur} (free cash lowest "
        f"on {iso_text(report.safe_to_spend_limit_date)}: {format_amount(report.lowest_free)} "
        f"{cur}; cash floor {format_amount(cash_floor)} {cur})",
        f"Expected after the horizon (later): {format_amount(report.later)} {cur}",
        f"At risk (pessimistic: more than 90 days past due or uncertain, left out): "
        f"{format_amount(report.at_risk)} {cur}",
    ]
    if report.uncertain:
        notes.append(
            f"Uncertain (already later than any debt the book has seen paid, not placed in any "
            f"period): {format_amount(report.uncertain)} {cur}"
        )
    if unconverted:
        amounts = ", ".join(f"{u['currency']} {format_amount(u['amount'])}" for u in unconverted)
        notes.append(
            f"Open amounts not converted (no exchange rate), not in the figures: {amounts}"
        )
    if unconverted_other:
        names = {
            "outflow": "expenses",
            "cash_in": "payments in",
            "cash_out": "expenses before as_of",
        }
        amounts = ", ".join(
            f"{names.get(u['part'], u['part'])} {u['currency']} {format_amount(u['amount'])}"
            for u in unconverted_other
        )
        notes.append(f"Not converted (no exchange rate), not in the figures: {amounts}")
    if lowest:
        notes.append(
            f"Lowest balance (day by day): {format_amount(lowest[1])} {cur} on "
            f"{iso_text(report.lowest_date)}, in the period from {iso_text(lowest[0])}"
        )
    notes.append(f"Longest run with no expected inflow: {gap_text(report)}")
    if adjustments:
        notes.append("What-if adjustments: " + "; ".join(adjustments))
    return notes
