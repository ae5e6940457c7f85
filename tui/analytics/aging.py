"""Aging of unpaid milestones (SPEC 4.1): how much is owed, and how late, per client and currency.

Rules, with worked examples: docs/rules.md#aging

Rules, at a date ``as_of`` (``paid``, ``open`` and ``days_past_due`` as in SPEC 4 and
:func:`tui.analytics.base.milestone_facts`):

- A row is a *billed* milestone with ``open > 0``: one with an invoice date on or before
  ``as_of`` (SPEC 4, revision 2). Nothing else makes a milestone billed: not its status, not
  its due date. Cancelled and written-off milestones owe nothing (``open`` is 0) and never show.
- ``to_invoice``: the milestones that are not billed, not closed, with ``open > 0`` and a due
  date on or before ``as_of``: work whose payment date has come but that was never invoiced.
  They are not aged, not overdue, not chased and accrue no fee; they are listed apart
  (``TO_INVOICE_COLUMNS``), oldest due date first, then client, contract and seq.
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

from tui.analytics.base import (
    CLOSED,
    MONEY,
    ZERO,
    BookData,
    client_names,
    contract_names,
    days_past_due,
    engine_for,
)
from tui.domain.model import Settings

#: Statuses that always have an invoice date (the domain enforces it for ``invoiced``); kept for
#: callers that fill a missing date from the status. :func:`is_billed` does not read the status.
INVOICED_STATUSES = ["invoiced", "disputed"]

DETAIL_COLUMNS = [
    "milestone_id", "client_id", "client", "contract_id", "contract", "seq", "milestone", "currency",
    "due_date", "days_past_due", "invoice_no", "invoiced_on", "amount", "paid", "open", "status",
    "client_archived", "bucket",
]  # fmt: skip

#: the columns of ``AgingReport.to_invoice`` (SPEC 4.1's JSON keys first; ``amount`` is the open
#: amount, as in the SPEC)
TO_INVOICE_COLUMNS = [
    "client", "contract", "seq", "milestone", "due_date", "currency", "amount", "status",
    "milestone_id", "client_id", "contract_id",
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
    #: work to invoice: not billed, not closed, open > 0, due date passed (``TO_INVOICE_COLUMNS``)
    to_invoice: pl.DataFrame


#: the detail's order: client (case-insensitive, then as written), currency, oldest first,
#: contract, seq (milestone id only breaks ties a book's natural keys rule out)
_DETAIL_ORDER = [
    pl.col("client").str.to_lowercase(), pl.col("client"), pl.col("currency"),
    pl.col("days_past_due"), pl.col("contract"), pl.col("seq"), pl.col("milestone_id"),
]  # fmt: skip
_DETAIL_DESCENDING = [False, False, False, True, False, False, False]


def is_billed(as_of: dt.date) -> pl.Expr:
    """True for milestones with an invoice date on or before ``as_of`` (SPEC 4 ``billed``)."""
    return pl.col("invoiced_on").is_not_null() & (pl.col("invoiced_on") <= as_of)


def is_to_invoice(as_of: dt.date) -> pl.Expr:
    """True for work to invoice: not billed, not closed, ``open > 0``, due on or before ``as_of``.

    Needs ``open`` (as :func:`tui.analytics.base.milestone_facts` gives it).
    """
    return (
        ~is_billed(as_of)
        & ~pl.col("status").is_in(CLOSED)
        & (pl.col("open") > ZERO)
        & (pl.col("due_date") <= as_of)
    )


def work_to_invoice(today: dt.date) -> pl.Expr:
    """Work to invoice at ``today``: not billed, not closed, open, and either past its planned
    date (SPEC 4.1) or delivered with the contract's acceptance days run out (SPEC 2: it counts
    as accepted; a delivered milestone without a delivery date too). Needs milestone facts."""
    accepted_on = pl.col("delivered_on") + pl.duration(days=pl.col("acceptance_days"))
    accepted = (
        (pl.col("status") == "delivered")
        & (pl.col("delivered_on").is_null() | (accepted_on <= today))
        & ~is_billed(today)
        & (pl.col("open") > 0)
    )
    return is_to_invoice(today) | accepted


_TO_INVOICE_ORDER = [
    pl.col("due_date"), pl.col("client").str.to_lowercase(), pl.col("client"),
    pl.col("contract"), pl.col("seq"), pl.col("milestone_id"),
]  # fmt: skip


def to_invoice_rows(facts: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """The ``to_invoice`` frame from :func:`milestone_facts` output (see ``TO_INVOICE_COLUMNS``)."""
    return (
        facts.lazy()
        .filter(is_to_invoice(as_of))
        .sort(*_TO_INVOICE_ORDER)
        .select(*TO_INVOICE_COLUMNS[:6], pl.col("open").alias("amount"), *TO_INVOICE_COLUMNS[7:])
        .collect()
    )


def _to_invoice_from_book(book: BookData, as_of: dt.date) -> pl.DataFrame:
    """:func:`to_invoice_rows` straight from the book: only the unbilled milestones past their
    date are joined with payments and names (a few, in a book that invoices its work)."""
    ms = (
        book.milestones.lazy()
        .rename({"id": "milestone_id", "title": "milestone"})
        .filter(~is_billed(as_of) & ~pl.col("status").is_in(CLOSED) & (pl.col("due_date") <= as_of))
        .select("milestone_id", "contract_id", "seq", "milestone", "amount", "due_date", "status")
    )
    paid = (
        book.payments.lazy()
        .filter(pl.col("received_on") <= as_of)
        .join(ms.select("milestone_id"), on="milestone_id", how="semi")
        .group_by("milestone_id")
        .agg(pl.col("amount").sum().alias("paid"))
    )
    contracts = contract_names(book)
    clients = client_names(book)
    return (
        ms.join(paid, on="milestone_id", how="left")
        .with_columns((pl.col("amount") - pl.col("paid").fill_null(ZERO)).cast(MONEY).alias("open"))
        .filter(pl.col("open") > ZERO)
        .join(contracts, on="contract_id", how="left")
        .join(clients, on="client_id", how="left")
        .sort(*_TO_INVOICE_ORDER)
        .select(*TO_INVOICE_COLUMNS[:6], pl.col("open").alias("amount"), *TO_INVOICE_COLUMNS[7:])
        .collect(engine=engine_for(book.milestones))
    )


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
    contracts = contract_names(book)
    clients = client_names(book, archived=True)
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
        to_invoice = _to_invoice_from_book(book, as_of)
    else:
        detail = aging_detail(facts, as_of, settings)
        to_invoice = to_invoice_rows(facts, as_of)
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
        as_of=as_of,
        buckets=list(names),
        detail=detail,
        rows=rows_df,
        totals=totals_df,
        to_invoice=to_invoice,
    )


__all__ = [
    "DETAIL_COLUMNS",
    "TO_INVOICE_COLUMNS",
    "AgingReport",
    "aging",
    "aging_detail",
    "bucket_expr",
    "is_billed",
    "is_to_invoice",
    "to_invoice_rows",
    "work_to_invoice",
]
