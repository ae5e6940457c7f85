"""Polars summaries the screens show (run in thread workers, never on the UI thread).

Pure functions of the book's frames and a date; money stays Decimal.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

import polars as pl

from tui.analytics.base import MONEY, milestone_facts
from tui.domain.money import format_amount
from tui.store import BookFrames

ZERO = Decimal("0.00")
#: milestone states that mean the work has started
STARTED = ["in_progress", "delivered", "invoiced", "disputed"]


def money(value: Decimal | None, currency: str = "") -> str:
    """``1,250.00 EUR`` (or ``1,250.00`` without a currency)."""
    text = format_amount(value if value is not None else ZERO)
    return f"{text} {currency}".strip()


def per_currency(pairs: list[tuple[str, Decimal]]) -> str:
    """Amounts summed per currency: ``1,200.00 EUR · 300.00 GBP`` ('-' when all zero)."""
    sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for currency, amount in pairs:
        sums[currency] += amount or ZERO
    parts = [money(v, c) for c, v in sorted(sums.items()) if v]
    return " · ".join(parts) if parts else "-"


def contract_summary(frames: BookFrames, facts: pl.DataFrame, today: dt.date) -> pl.DataFrame:
    """One row per contract: schedule sum and difference, paid, open, overdue, and red flags.

    Flags (SPEC 2): no milestone schedule; milestones not adding up to the fee (a warning);
    work started on a contract that is not signed; the contract's own red-flags text.
    """
    per = (
        facts.lazy()
        .group_by("contract_id")
        .agg(
            pl.len().alias("n_milestones"),
            pl.col("amount")
            .filter(pl.col("status") != "cancelled")
            .sum()
            .cast(MONEY)
            .alias("scheduled"),
            pl.col("paid").sum().cast(MONEY).alias("paid"),
            pl.col("open").sum().cast(MONEY).alias("open"),
            pl.col("open").filter(pl.col("days_past_due") > 0).sum().cast(MONEY).alias("overdue"),
            pl.col("status").is_in(STARTED).any().alias("started"),
        )
    )
    clients = frames.clients.lazy().select(pl.col("id").alias("client_id"), pl.col("name").alias("client"),
                                           pl.col("archived").alias("client_archived"))  # fmt: skip
    out = (
        frames.contracts.lazy()
        .rename({"id": "contract_id"})
        .join(per, on="contract_id", how="left")
        .join(clients, on="client_id", how="left")
        .with_columns(
            pl.col("n_milestones").fill_null(0),
            *(
                pl.col(c).fill_null(pl.lit(ZERO, dtype=MONEY))
                for c in ("scheduled", "paid", "open", "overdue")
            ),
            pl.col("started").fill_null(False),
        )
        .with_columns((pl.col("total_fee") - pl.col("scheduled")).cast(MONEY).alias("difference"))
        .sort("client", "title", "contract_id")  # joins and group-bys do not keep order
        .collect()
    )
    flags = [_contract_flags(row, today) for row in out.iter_rows(named=True)]
    return out.with_columns(pl.Series("flags", flags, dtype=pl.List(pl.String)))


def _contract_flags(row: dict[str, Any], today: dt.date) -> list[str]:
    flags: list[str] = []
    cur = row["currency"]
    if row["n_milestones"] == 0:
        flags.append("no milestone schedule")
    elif row["difference"] != 0:
        flags.append(
            f"milestones add up to {money(row['scheduled'], cur)}, the fee is "
            f"{money(row['total_fee'], cur)} (difference {money(row['difference'], cur)})"
        )
    live = row["status"] not in ("draft", "cancelled")
    begun = row["started"] or (row["start_date"] is not None and row["start_date"] <= today)
    if row["signed_on"] is None and live and begun:
        flags.append("work started but the contract is not signed")
    if (row["red_flags"] or "").strip():
        flags.append(row["red_flags"].strip())
    return flags


def book_facts(frames: BookFrames) -> tuple[dt.date, pl.DataFrame, pl.DataFrame]:
    """Today, the milestone facts and the contract summary (the common start of a screen)."""
    today = frames.settings.today()
    facts = milestone_facts(frames, today)
    return today, facts, contract_summary(frames, facts, today)
