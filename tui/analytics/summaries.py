"""Per-contract summary: schedule sum against the fee, paid, open, overdue and red flags.

Pure Polars over the book's frames at a date (no textual, no duckdb), so the app's contracts
and clients screens and the command line read the same figures. Rules: docs/rules.md.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import polars as pl

from tui.analytics.base import MONEY, BookData
from tui.domain.money import format_amount

ZERO = Decimal("0.00")
#: milestone states that mean the work has started
STARTED = ["in_progress", "delivered", "invoiced", "disputed"]


def _money(value: Decimal, currency: str) -> str:
    return f"{format_amount(value)} {currency}"


def contract_summary(frames: BookData, facts: pl.DataFrame, today: dt.date) -> pl.DataFrame:
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
            f"milestones add up to {_money(row['scheduled'], cur)}, the fee is "
            f"{_money(row['total_fee'], cur)} (difference {_money(row['difference'], cur)})"
        )
    live = row["status"] not in ("draft", "cancelled")
    begun = row["started"] or (row["start_date"] is not None and row["start_date"] <= today)
    if row["signed_on"] is None and live and begun:
        flags.append("work started but the contract is not signed")
    if (row["red_flags"] or "").strip():
        flags.append(row["red_flags"].strip())
    return flags
