"""Expense occurrences: the dates a recurring or one-off expense falls on (SPEC 2 and 4.2).

Rules, with a worked example: docs/rules.md#expenses

Pure Polars: no textual, no duckdb, no clock.

Decisions:

- Every occurrence is computed from the anchor ``next_date``, never from the previous
  occurrence: occurrence k of a monthly expense is ``next_date + k months``, clamped to the
  month's end. A monthly expense anchored on Jan 31 falls on Feb 28 (Feb 29 in a leap year),
  Mar 31, Apr 30, May 31: it never drifts to the 28th. Quarterly is +3k months, yearly
  +12k months (an expense anchored on Feb 29 falls on Feb 28 in common years and on Feb 29
  again in leap years), weekly +7k days, ``once`` is ``next_date`` alone. Polars'
  ``date_ranges`` with a calendar interval clamps from the anchor in exactly this way (and a
  test pins it).
- ``end_date`` is inclusive: an occurrence on the end date happens, none after it.
- Occurrences before ``next_date`` never exist (``next_date`` is the first one), even when a
  window asks for earlier dates.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from tui.analytics.base import MONEY

#: cadence -> Polars calendar interval (``once`` has none)
CADENCE_INTERVALS: dict[str, str] = {
    "weekly": "1w",
    "monthly": "1mo",
    "quarterly": "3mo",
    "yearly": "1y",
}

OCCURRENCE_SCHEMA: dict[str, pl.DataType] = {
    "expense_id": pl.Int64(),
    "name": pl.String(),
    "date": pl.Date(),
    "amount": MONEY,
    "currency": pl.String(),
}


def expense_occurrences(expenses: pl.DataFrame, start: dt.date, end: dt.date) -> pl.DataFrame:
    """Every occurrence of every expense with ``start <= date <= end``.

    ``expenses`` has the book's columns (id, name, amount, currency, cadence, next_date,
    end_date). Returns expense_id, name, date, amount (Decimal(18,2)), currency, sorted by
    date then expense_id. An empty window (end before start) gives an empty frame.
    """
    if end < start or expenses.height == 0:
        return pl.DataFrame(schema=OCCURRENCE_SCHEMA)
    base = (
        expenses.lazy()
        .select(
            pl.col("id").cast(pl.Int64).alias("expense_id"),
            "name",
            pl.col("amount").cast(MONEY),
            "currency",
            "cadence",
            "next_date",
            # the last date an occurrence may fall on: the expense's end or the window's end
            pl.min_horizontal(pl.col("end_date").fill_null(end), pl.lit(end)).alias("last"),
        )
        .filter(pl.col("next_date") <= pl.col("last"))
    )
    parts = [
        base.filter(pl.col("cadence") == "once").with_columns(pl.col("next_date").alias("date")),
    ]
    for cadence, interval in CADENCE_INTERVALS.items():
        parts.append(
            base.filter(pl.col("cadence") == cadence)
            .with_columns(pl.date_ranges("next_date", "last", interval).alias("date"))
            .explode("date")
        )
    return (
        pl.concat(parts)
        .filter(pl.col("date") >= start)
        .select(list(OCCURRENCE_SCHEMA))
        .sort("date", "expense_id")
        .collect()
        .cast(OCCURRENCE_SCHEMA)  # type: ignore[arg-type]
    )


def next_occurrences(expenses: pl.DataFrame, on_or_after: dt.date) -> dict[int, dt.date]:
    """Expense id -> its first occurrence on or after ``on_or_after``.

    An expense that will not occur again (a one-off in the past, or one whose ``end_date`` is
    before ``on_or_after``) is missing from the result. Every cadence occurs at least once a
    year, so a window of one year and a day always holds the next occurrence when there is
    one (366 days covers a yearly expense anchored on Feb 29 falling on Feb 28).
    """
    window = expense_occurrences(expenses, on_or_after, on_or_after + dt.timedelta(days=366))
    first = window.group_by("expense_id").agg(pl.col("date").min())
    return dict(zip(first["expense_id"].to_list(), first["date"].to_list(), strict=True))
