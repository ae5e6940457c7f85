"""Statement of account (SPEC 4.7): what one client owes at ``as_of``, milestone by milestone.

Rules, with a worked example: docs/rules.md#statement-of-account

Pure Polars (no duckdb, no textual). The figures are the aging report's own
(:func:`tui.analytics.aging.aging`): the statement is the aging detail of one client, so its
per-currency buckets and totals are, by construction, that client's rows of the aging report.

- Rows: the client's *billed* milestones with ``open > 0`` at ``as_of`` (the aging rules:
  archived clients and contracts included, closed milestones never shown), ordered by due
  date (then contract, seq). ``days_past_due`` is 0 when the milestone is not yet due.
  ``late_fee`` is what the contract's late-fee rule has accrued on it at ``as_of``
  (:func:`tui.analytics.fees.fees_for`; 0 when the contract has no rule or the fee does not
  apply yet) and ``fee_claimed`` whether a fee claim was recorded by ``as_of``.
- Totals, one row per currency (never converted): one column per bucket, ``late_fees`` (the
  sum of the rows' fees) and ``owed`` (the buckets' sum: the aging ``total``).
- ``owed`` is the open amount only, equal to the aging total: accrued late fees are listed
  apart as "late fees accrued (not invoiced, not in the total owed)". A fee is the
  freelancer's claim, not an invoiced debt, until the freelancer asks for it; adding it to
  the total would make the statement disagree with the aging report and the invoices.
- Fees accrued on milestones already paid in full are not on the statement (it lists what
  is open); the chase queue and the fee figures elsewhere still show them.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from tui.analytics.aging import aging
from tui.analytics.base import MONEY, ZERO, BookData
from tui.analytics.fees import fees_for
from tui.domain.errors import NotFoundError

#: the statement's row columns, in order
ROW_COLUMNS = [
    "milestone_id", "contract_id", "contract", "seq", "milestone", "invoice_no", "invoiced_on",
    "due_date", "currency", "amount", "paid", "open", "days_past_due", "bucket", "late_fee",
    "fee_claimed", "status",
]  # fmt: skip


@dataclass(frozen=True)
class Statement:
    """One client's statement of account at ``as_of`` (see the module docstring)."""

    as_of: dt.date
    client_id: int
    client: str
    client_archived: bool
    #: the settings' business name ("" when not set) and locale for client-facing amounts
    business_name: str
    locale: str
    #: bucket names in order (``settings.bucket_names``)
    buckets: list[str]
    #: one row per open billed milestone (``ROW_COLUMNS``), by due date
    rows: pl.DataFrame
    #: per currency: currency, one column per bucket, open, late_fees, owed (Decimal(18,2))
    totals: pl.DataFrame

    @property
    def is_empty(self) -> bool:
        """True when the client owes nothing billed at ``as_of``."""
        return self.rows.height == 0


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def close_names(text: str, names: list[str], limit: int = 3) -> list[str]:
    """Up to ``limit`` names like ``text`` (case aside; a typo, or the start of a long name)."""
    wanted = _fold(text)
    scored = []
    for name in names:
        folded = _fold(name)
        whole = difflib.SequenceMatcher(None, wanted, folded).ratio()
        start = difflib.SequenceMatcher(None, wanted, folded[: len(wanted)]).ratio()
        contains = 1.0 if wanted and wanted in folded else 0.0
        score = max(whole, start, contains)
        if score >= 0.75:
            scored.append((-score, folded, name))
    return [name for _, _, name in sorted(scored)[:limit]]


def find_client(book: BookData, client: int | str) -> tuple[int, str, bool]:
    """(id, name, archived) of a client given by id or name; NotFoundError names close names.

    A name matches as written first, then ignoring case and repeated spaces when that leaves
    one client.
    """
    clients = book.clients.select("id", "name", "archived")
    if isinstance(client, int):
        hit = clients.filter(pl.col("id") == client)
        if hit.height == 0:
            raise NotFoundError(f"no client with id {client}", field="client")
        row = hit.row(0)
        return int(row[0]), str(row[1]), bool(row[2])
    rows = [(int(i), str(n), bool(a)) for i, n, a in clients.iter_rows()]
    exact = [r for r in rows if r[1] == client]
    if len(exact) == 1:
        return exact[0]
    folded = [r for r in rows if _fold(r[1]) == _fold(client)]
    if len(folded) == 1:
        return folded[0]
    close = close_names(client, [r[1] for r in rows])
    hint = f" (did you mean: {', '.join(repr(n) for n in close[:3])}?)" if close else ""
    if len(folded) > 1:
        hint = f" (several clients match ignoring case: {', '.join(repr(r[1]) for r in folded)})"
    raise NotFoundError(f"no client named {client!r}{hint}", field="client")


def statement(book: BookData, as_of: dt.date, client: int | str) -> Statement:
    """The statement of account of ``client`` (id or name) at ``as_of``, from the aging report.

    Buckets, business name and locale come from ``book.settings`` (the aging report's own
    settings, so the totals always equal that report's rows for the client).
    """
    client_id, name, archived = find_client(book, client)
    settings = book.settings
    report = aging(book, as_of)
    names = report.buckets
    detail = report.detail.filter(pl.col("client_id") == client_id)
    fees = fees_for(book, as_of, detail.select("milestone_id")).select(
        "milestone_id", "late_fee", pl.col("claimed").alias("fee_claimed")
    )
    rows = (
        detail.join(fees, on="milestone_id", how="left")
        .with_columns(
            pl.col("late_fee").fill_null(ZERO).cast(MONEY),
            pl.col("fee_claimed").fill_null(False),
            pl.col("days_past_due").clip(lower_bound=0),
        )
        .sort("due_date", "contract", "seq", "milestone_id")
        .select(ROW_COLUMNS)
    )
    fee_sums = rows.group_by("currency").agg(
        pl.col("late_fee").sum().cast(MONEY).alias("late_fees")
    )
    totals = (
        report.rows.filter(pl.col("client_id") == client_id)
        .join(fee_sums, on="currency", how="left")
        .with_columns(pl.col("late_fees").fill_null(ZERO).cast(MONEY))
        .select(
            "currency",
            *names,
            "late_fees",
            pl.col("total").alias("owed"),
        )
        .sort("currency")
    )
    return Statement(
        as_of=as_of,
        client_id=client_id,
        client=name,
        client_archived=archived,
        business_name=settings.business_name,
        locale=settings.locale,
        buckets=list(names),
        rows=rows,
        totals=totals,
    )


def owed_by_currency(stmt: Statement) -> list[tuple[str, Decimal]]:
    """(currency, owed) pairs of a statement, by currency."""
    return [(str(c), Decimal(o)) for c, o in stmt.totals.select("currency", "owed").iter_rows()]


__all__ = ["ROW_COLUMNS", "Statement", "find_client", "owed_by_currency", "statement"]
