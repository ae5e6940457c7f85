"""Shared building blocks of the reports: the book's milestones as facts at a date.

The definitions (paid, open, fully paid date, days past due, closed statuses, billed), with
an example: docs/rules.md#definitions

Pure Polars: no textual, no duckdb. Every function takes an explicit ``as_of``.
Money stays Decimal(18,2) (sums Decimal(38,2)); never a float.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal, Protocol

import polars as pl

from tui.domain.model import Settings

MONEY = pl.Decimal(18, 2)
ZERO = pl.lit(Decimal("0.00"), dtype=MONEY)
CLOSED = ["cancelled", "written_off"]


class BookData(Protocol):
    """What the reports read: the book's tables as frames (``tui.store.BookFrames`` fits)."""

    clients: pl.DataFrame
    contacts: pl.DataFrame
    contracts: pl.DataFrame
    milestones: pl.DataFrame
    payments: pl.DataFrame
    chase_events: pl.DataFrame
    holds: pl.DataFrame
    change_orders: pl.DataFrame
    fee_claims: pl.DataFrame
    expenses: pl.DataFrame
    exchange_rates: pl.DataFrame
    reference_rates: pl.DataFrame
    message_templates: pl.DataFrame
    settings: Settings


#: Below this many rows Polars' in-memory engine runs the reports' queries faster than its
#: streaming default (Polars 2.1, 2 cores: ~25-35% less at 200k milestones); at 2M streaming
#: is faster. Measured in tests/bench/RESULTS.md. The engine never changes a result.
IN_MEMORY_BELOW = 1_000_000


def engine_for(frame: pl.DataFrame) -> Literal["in-memory", "auto"]:
    """The Polars engine for a query whose size is driven by ``frame`` (see IN_MEMORY_BELOW)."""
    return "in-memory" if frame.height < IN_MEMORY_BELOW else "auto"


def money(expr: pl.Expr) -> pl.Expr:
    """Cast a sum back to Decimal(18,2) for output."""
    return expr.cast(MONEY)


def open_amount(closed: pl.Expr | None = None) -> pl.Expr:
    """``open``: amount less paid, 0 for cancelled and written-off milestones (SPEC 4).

    Needs the columns ``amount``, ``paid`` (nulls filled) and ``status`` (or pass ``closed``).
    """
    closed = pl.col("status").is_in(CLOSED) if closed is None else closed
    return pl.when(closed).then(ZERO).otherwise(pl.col("amount") - pl.col("paid")).cast(MONEY)


def fully_paid_on() -> pl.Expr:
    """The date a milestone became fully paid: its last payment once they reach its amount.

    Exact because payments are positive and the store refuses overpayment. Needs ``paid``,
    ``amount`` and ``last_paid_on``.
    """
    return pl.when(pl.col("paid") >= pl.col("amount")).then(pl.col("last_paid_on"))


def days_past_due(as_of: dt.date, dtype: pl.DataType = pl.Int32) -> pl.Expr:
    """``as_of - due_date`` in days (negative before the due date)."""
    return (pl.lit(as_of) - pl.col("due_date")).dt.total_days().cast(dtype)


def paid_by_milestone(payments: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Per milestone: ``paid`` (payments received on or before as_of) and ``last_paid_on``."""
    return (
        payments.lazy()
        .filter(pl.col("received_on") <= as_of)
        .group_by("milestone_id")
        .agg(
            pl.col("amount").sum().cast(MONEY).alias("paid"),
            pl.col("received_on").max().alias("last_paid_on"),
        )
        .collect(engine=engine_for(payments))
    )


def fully_paid_dates(
    milestones: pl.DataFrame, payments: pl.DataFrame, as_of: dt.date
) -> pl.DataFrame:
    """Per milestone paid in full by as_of: the date its payments reached its amount.

    Payments are positive and the store refuses overpayment, so a milestone is fully paid
    exactly when its payments add up to its amount, and that happened on the date of the
    last of them: no running sum (and no sort) is needed.
    """
    return (
        paid_by_milestone(payments, as_of)
        .lazy()
        .join(
            milestones.lazy().select(pl.col("id").alias("milestone_id"), "amount"),
            on="milestone_id",
        )
        .filter(pl.col("paid") >= pl.col("amount"))
        .select("milestone_id", pl.col("last_paid_on").alias("fully_paid_on"))
        .collect()
    )


def contract_names(book: BookData) -> pl.LazyFrame:
    """Per contract: contract_id, client_id, its title as ``contract``, currency."""
    return book.contracts.lazy().select(
        pl.col("id").alias("contract_id"),
        "client_id",
        pl.col("title").alias("contract"),
        "currency",
    )


def client_names(book: BookData, *, archived: bool = False) -> pl.LazyFrame:
    """Per client: client_id and its name as ``client`` (and ``client_archived`` if asked)."""
    cols = [pl.col("id").alias("client_id"), pl.col("name").alias("client")]
    if archived:
        cols.append(pl.col("archived").alias("client_archived"))
    return book.clients.lazy().select(cols)


def milestone_facts(book: BookData, as_of: dt.date) -> pl.DataFrame:
    """One row per milestone with everything the reports need at ``as_of``.

    Columns: milestone_id, contract_id, client_id, client, contract, seq, milestone, currency,
    amount, paid, open (0 for cancelled/written-off), status, due_date, days_past_due,
    invoice_no, invoiced_on, delivered_on, fully_paid_on, client_archived, contract_archived,
    contract_status, late_fee_kind, late_fee_value, late_fee_fixed, late_fee_preset,
    grace_days, acceptance_days.
    """
    ms = book.milestones.lazy()
    paid = paid_by_milestone(book.payments, as_of).lazy()
    contracts = book.contracts.lazy().select(
        pl.col("id").alias("contract_id"),
        "client_id",
        pl.col("title").alias("contract"),
        "currency",
        pl.col("status").alias("contract_status"),
        pl.col("archived").alias("contract_archived"),
        "late_fee_kind",
        "late_fee_value",
        "late_fee_fixed",
        "late_fee_preset",
        "grace_days",
        "acceptance_days",
    )
    clients = book.clients.lazy().select(
        pl.col("id").alias("client_id"),
        pl.col("name").alias("client"),
        pl.col("archived").alias("client_archived"),
    )
    out = (
        ms.rename({"id": "milestone_id", "title": "milestone"})
        .join(contracts, on="contract_id", how="left")
        .join(clients, on="client_id", how="left")
        .join(paid, on="milestone_id", how="left")
        .with_columns(pl.col("paid").fill_null(ZERO))
        .with_columns(
            fully_paid_on().alias("fully_paid_on"),
            open_amount().alias("open"),
            days_past_due(as_of).alias("days_past_due"),
        )
    )
    return out.sort("milestone_id").collect(engine=engine_for(book.milestones))
