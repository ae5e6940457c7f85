"""Aging of unpaid milestones (SPEC 4.1): how much is owed, and how late, per client and currency.

Rules, with worked examples and the SPEC revision 2 differences: docs/rules.md#aging

Rules, at a date ``as_of`` (``paid``, ``open`` and ``days_past_due`` as in SPEC 4 and
:func:`tui.analytics.base.milestone_facts`):

- A row is a milestone with ``open > 0`` that was invoiced on or before ``as_of`` or whose due
  date is on or before ``as_of``. A milestone with status ``invoiced`` or ``disputed`` but no
  invoice date counts as invoiced (a book imported without invoice dates must not hide a
  receivable). Cancelled and written-off milestones owe nothing (``open`` is 0) and never show.
- Buckets by days past due, with the edges ``a < b < c`` from ``settings.bucket_edges``
  (default 30, 60, 90): ``current`` (<= 0 days: invoiced, not yet due, or due today),
  ``1-a``, ``a+1-b``, ``b+1-c`` and ``c+`` (more than ``c`` days). The names are
  ``settings.bucket_names``.
- Archived clients and contracts are included: archiving hides a client from everyday lists,
  but money they owe is still owed. ``detail`` carries ``client_archived`` so a screen can mark them.
- Amounts are never converted: every figure is per currency (one row per client and
  currency, one totals row per currency). Each bucket sum and the total are exact Decimal(18,2)
  sums of the same ``open`` amounts, so the buckets add up to the total to the cent.
- Rows are sorted by client name (case-insensitive, then as written) and currency; totals by
  currency; detail by client, currency, days past due (oldest first), contract and seq.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from tui.analytics.base import CLOSED, MONEY, ZERO, BookData, days_past_due, engine_for
from tui.domain.model import Settings

#: Statuses that count as invoiced even when the invoice date is missing.
INVOICED_STATUSES = ["invoiced", "disputed"]

DETAIL_COLUMNS = [
    "milestone_id", "client_id", "client", "contract_id", "contract", "seq", "milestone", "currency",
    "due_date", "days_past_due", "invoice_no", "invoiced_on", "amount", "paid", "open", "status",
    "client_archived", "bucket",
]  # fmt: skip


@dataclass(frozen=True)
class AgingReport:
    """The aging report at ``as_of``: per client and currency, totals, and the milestones behind them."""

    as_of: dt.date
    #: bucket names in order, from the settings (``current``, ``1-30``, ``31-60``, ``61-90``, ``90+``)
    buckets: list[str]
    #: the milestones behind the buckets (see ``DETAIL_COLUMNS``); ``bucket`` is an Enum of ``buckets``
    detail: pl.DataFrame
    #: client, client_id, currency, one Decimal(18,2) column per bucket, total
    rows: pl.DataFrame
    #: currency, one Decimal(18,2) column per bucket, total
    totals: pl.DataFrame


#: the detail's order: client (case-insensitive, then as written), currency, oldest first,
#: contract, seq (milestone id only breaks ties a book's natural keys rule out)
_DETAIL_ORDER = [
    pl.col("client").str.to_lowercase(), pl.col("client"), pl.col("currency"),
    pl.col("days_past_due"), pl.col("contract"), pl.col("seq"), pl.col("milestone_id"),
]  # fmt: skip
_DETAIL_DESCENDING = [False, False, False, True, False, False, False]


def is_billed(as_of: dt.date) -> pl.Expr:
    """True for milestones invoiced on or before ``as_of`` (or invoiced without a date) or due by then."""
    invoiced = pl.when(pl.col("invoiced_on").is_not_null()).then(pl.col("invoiced_on") <= as_of)
    invoiced = invoiced.otherwise(pl.col("status").is_in(INVOICED_STATUSES))
    return invoiced | (pl.col("due_date") <= as_of)


def bucket_expr(settings: Settings) -> pl.Expr:
    """The bucket name of each row from ``days_past_due`` and the settings' edges, as an Enum."""
    a, b, c = settings.bucket_edges
    names = settings.bucket_names
    d = pl.col("days_past_due")
    return (
        pl.when(d <= 0)
        .then(pl.lit(names[0]))
        .when(d <= a)
        .then(pl.lit(names[1]))
        .when(d <= b)
        .then(pl.lit(names[2]))
        .when(d <= c)
        .then(pl.lit(names[3]))
        .otherwise(pl.lit(names[4]))
        .cast(pl.Enum(names))
        .alias("bucket")
    )


def aging_detail(facts: pl.DataFrame, as_of: dt.date, settings: Settings) -> pl.DataFrame:
    """The aging rows (one per unpaid milestone) from :func:`milestone_facts` output."""
    return (
        facts.lazy()
        .filter((pl.col("open") > ZERO) & is_billed(as_of))
        .with_columns(bucket_expr(settings))
        .select(DETAIL_COLUMNS)
        .sort(*_DETAIL_ORDER, descending=_DETAIL_DESCENDING)
        .collect()
    )


def _detail_from_book(book: BookData, as_of: dt.date, settings: Settings) -> pl.DataFrame:
    """:func:`aging_detail` of :func:`milestone_facts`, computed straight from the book.

    Same rules and columns, but only the columns the detail shows are read and the open
    milestones are found first, with no join: the amounts of the billed, not closed
    milestones and the payments received by as_of (negated) are summed per milestone in one
    group-by, which leaves ``open``; names are joined to the few rows with ``open > 0``.
    So a book of millions of mostly paid milestones pays for the few that are owed.
    """
    ms = book.milestones.lazy().rename({"id": "milestone_id"})
    owed = (
        pl.concat(
            [
                ms.filter(~pl.col("status").is_in(CLOSED) & is_billed(as_of)).select(
                    "milestone_id", pl.col("amount").alias("delta")
                ),
                book.payments.lazy()
                .filter(pl.col("received_on") <= as_of)
                .select("milestone_id", (-pl.col("amount")).alias("delta")),
            ]
        )
        .group_by("milestone_id")
        .agg(pl.col("delta").sum().alias("open"))
        # payments are positive: only a billed, not closed milestone can be left above 0
        .filter(pl.col("open") > ZERO)
    )
    contracts = book.contracts.lazy().select(
        pl.col("id").alias("contract_id"),
        "client_id",
        pl.col("title").alias("contract"),
        "currency",
    )
    clients = book.clients.lazy().select(
        pl.col("id").alias("client_id"),
        pl.col("name").alias("client"),
        pl.col("archived").alias("client_archived"),
    )
    return (
        ms.select(
            "milestone_id",
            "contract_id",
            "seq",
            pl.col("title").alias("milestone"),
            "amount",
            "due_date",
            "status",
            "invoice_no",
            "invoiced_on",
        )
        .join(owed, on="milestone_id", how="inner")
        .with_columns(pl.col("open").cast(MONEY))
        .with_columns((pl.col("amount") - pl.col("open")).cast(MONEY).alias("paid"))
        .join(contracts, on="contract_id", how="left")
        .join(clients, on="client_id", how="left")
        .with_columns(days_past_due(as_of).alias("days_past_due"))
        .with_columns(bucket_expr(settings))
        .select(DETAIL_COLUMNS)
        .sort(*_DETAIL_ORDER, descending=_DETAIL_DESCENDING)
        .collect(engine=engine_for(book.milestones))
    )


def _bucket_sums(names: list[str]) -> list[pl.Expr]:
    sums = [pl.col("open").filter(pl.col("bucket") == n).sum().cast(MONEY).alias(n) for n in names]
    return [*sums, pl.col("open").sum().cast(MONEY).alias("total")]


def aging(book: BookData, as_of: dt.date, *, facts: pl.DataFrame | None = None) -> AgingReport:
    """Aging of the book at ``as_of`` (see the module docstring for the rules).

    ``facts`` may pass ``milestone_facts(book, as_of)`` already computed (a screen showing
    several reports computes it once); it must be for the same book and ``as_of``.
    """
    settings = book.settings
    names = settings.bucket_names
    if facts is None:
        detail = _detail_from_book(book, as_of, settings)
    else:
        detail = aging_detail(facts, as_of, settings)
    lazy = detail.lazy()
    rows = (
        lazy.group_by("client_id", "client", "currency")
        .agg(_bucket_sums(names))
        .sort(pl.col("client").str.to_lowercase(), "client", "currency", "client_id")
        .select("client", "client_id", "currency", *names, "total")
    )
    totals = lazy.group_by("currency").agg(_bucket_sums(names)).sort("currency")
    rows_df, totals_df = pl.collect_all([rows, totals])
    return AgingReport(
        as_of=as_of, buckets=list(names), detail=detail, rows=rows_df, totals=totals_df
    )


__all__ = ["DETAIL_COLUMNS", "AgingReport", "aging", "aging_detail", "bucket_expr", "is_billed"]
