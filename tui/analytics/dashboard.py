"""The dashboard's figures: what needs doing today, what is owed, what comes next.

Every figure is what another analytics function returns at the same date, never a second
calculation: the chase steps due are ``chase_queue`` rows whose step is due (not ``grace``
or ``done``); holds ending come from ``holds_ending``; open and overdue totals are sums of
``milestone_facts.open`` over *billed* milestones (:func:`tui.analytics.aging.is_billed`;
overdue: due date passed), which are what the aging report sums (open = its total, overdue =
its buckets after ``current``); work not yet invoiced is never counted as owed or overdue;
the next expected payments, the lowest balance, the longest gap, the weekly inflow
sparkline, the tax reserve and safe to spend (with the day that limits it) are the
``expected`` weekly ``forecast``.

Decisions: "due within 7 days" lists open milestones due from today to today + 7 (billed or
not: an unbilled one is a reminder to invoice it in time). ``to_invoice`` is the work to
invoice, each milestone once, among the open milestones that are not billed:

- ``reason = "date passed"``: the aging report's ``to_invoice`` rows (not closed, due date on
  or before today, never invoiced; SPEC 4.1), ``since`` = the due date;
- ``reason = "accepted"``: status ``delivered`` and the contract's acceptance days have run
  out since delivery (SPEC 2: it counts as accepted, time to invoice it), ``since`` = delivery
  + acceptance days; a delivered milestone without a delivery date is listed too, with no
  ``since`` (its date is unknown, so it may well be time to invoice it). A milestone that is
  both is listed once, as "date passed".

Sorted by ``since`` (unknown first, then oldest), then milestone id. Archived clients are
included, like in the aging report (the money is still owed). Rules: docs/rules.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl

from tui.analytics.aging import is_billed, is_to_invoice, work_to_invoice
from tui.analytics.base import BookData, milestone_facts
from tui.analytics.chase import chase_queue, holds_ending
from tui.analytics.forecast import forecast

SOON_DAYS = 7
RECEIVED_DAYS = 30
#: rows per list (the counts are always complete)
LIST_ROWS = 8


@dataclass
class DashboardData:
    """Everything the dashboard shows (built in a thread, shown on the UI thread)."""

    today: dt.date
    n_clients: int
    chase: list[dict[str, Any]] = field(default_factory=list)
    soon: list[dict[str, Any]] = field(default_factory=list)
    holds: list[dict[str, Any]] = field(default_factory=list)
    to_invoice: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    totals: list[dict[str, Any]] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)
    received_rows: list[dict[str, Any]] = field(default_factory=list)
    expected: list[dict[str, Any]] = field(default_factory=list)
    currency: str = ""
    #: the forecast's lowest balance day by day: (its day, the balance)
    lowest: tuple[dt.date, Decimal] | None = None
    #: open amounts later than any debt the book has seen paid: in no week of the forecast
    uncertain: Decimal = Decimal("0.00")
    gap_days: int = 0
    #: the last day of that gap (None: no gap an inflow ends) and the last expected inflow
    gap_to: dt.date | None = None
    last_inflow: dt.date | None = None
    weekly_inflow: list[Decimal] = field(default_factory=list)
    #: the forecast's tax reserve at today (SPEC 4.2)
    tax_reserve: Decimal = Decimal("0.00")
    #: what can be spent today without free cash going below the floor in the horizon
    safe_to_spend: Decimal = Decimal("0.00")
    #: the day the lowest free cash falls on (what limits safe to spend); None with no forecast
    safe_to_spend_limit_date: dt.date | None = None


def dashboard_data(frames: BookData, today: dt.date, rows: int = LIST_ROWS) -> DashboardData:
    """The dashboard's figures at ``today`` from the analytics functions."""
    facts = milestone_facts(frames, today)
    owed = facts.filter(pl.col("open") > 0)
    queue = chase_queue(frames, today)
    chase = queue.filter(pl.col("step_due") & ~pl.col("step").is_in(["grace", "done"]))
    soon = owed.filter(pl.col("due_date").is_between(today, today + dt.timedelta(days=SOON_DAYS)))
    holds = holds_ending(frames, today, within_days=SOON_DAYS)
    accepted_on = pl.col("delivered_on") + pl.duration(days=pl.col("acceptance_days"))
    date_passed = is_to_invoice(today)
    to_invoice = (
        owed.filter(work_to_invoice(today))
        .with_columns(
            pl.when(date_passed)
            .then(pl.lit("date passed"))
            .otherwise(pl.lit("accepted"))
            .alias("reason"),
            pl.when(date_passed).then(pl.col("due_date")).otherwise(accepted_on).alias("since"),
        )
        .sort("since", "milestone_id", nulls_last=False)
    )
    totals = (
        owed.filter(is_billed(today))
        .group_by("currency")
        .agg(
            pl.col("open").sum().alias("open"),
            pl.len().alias("n_open"),
            pl.col("open").filter(pl.col("days_past_due") > 0).sum().alias("overdue"),
            (pl.col("days_past_due") > 0).sum().alias("n_overdue"),
        )
        .sort("currency")
    )
    since = today - dt.timedelta(days=RECEIVED_DAYS - 1)
    paid = (
        frames.payments.lazy()
        .filter(pl.col("received_on").is_between(since, today))
        .join(
            facts.lazy().select(
                "milestone_id", "client", "contract", "seq", "milestone", "currency"
            ),
            on="milestone_id",
            how="left",
        )
        .sort("received_on", "id", descending=True)
        .collect()
    )
    received = (paid.group_by("currency").agg(pl.col("amount").sum(), pl.len().alias("n"))
                .sort("currency"))  # fmt: skip
    report = forecast(frames, today, scenario="expected", period="week")
    expected = report.placements.filter(pl.col("placement") == "period").sort(
        "expected_date", "milestone_id"
    )
    return DashboardData(
        today=today, n_clients=frames.clients.height,
        chase=chase.head(rows).to_dicts(), soon=soon.sort("due_date", "milestone_id").head(rows).to_dicts(),
        holds=holds.head(rows).to_dicts(), to_invoice=to_invoice.head(rows).to_dicts(),
        counts={"chase": chase.height, "soon": soon.height, "holds": holds.height,
                "to_invoice": to_invoice.height, "expected": expected.height},
        totals=totals.to_dicts(), received=received.to_dicts(), received_rows=paid.head(rows).to_dicts(),
        expected=expected.head(rows).to_dicts(), currency=report.currency, lowest=(report.lowest_date, report.lowest[1]) if report.lowest else None,
        uncertain=report.uncertain,
        gap_days=report.longest_gap_days, gap_to=report.longest_gap[1] if report.longest_gap else None,
        last_inflow=report.last_inflow_date, weekly_inflow=list(report.periods["inflow"]),
        tax_reserve=report.tax_reserve, safe_to_spend=report.safe_to_spend,
        safe_to_spend_limit_date=report.safe_to_spend_limit_date,
    )  # fmt: skip
