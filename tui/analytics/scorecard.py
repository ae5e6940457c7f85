"""Client scorecards (SPEC 4.5): how each client pays, to decide whether to work with them again.

Rules, with worked examples and the SPEC revision 2 differences:
docs/rules.md#client-scorecards

One row per client (archived ones too: the scorecard is where a past client is judged), at a
date ``as_of``. Amounts are in the home currency (``currency`` column):

- **billed**: the amount of every milestone that is *billed* at ``as_of``
  (:func:`tui.analytics.aging.is_billed`: it has an invoice date on or before ``as_of``; the
  same rule as the aging report), written-off ones included, cancelled ones excluded; plus any
  money received on milestones that are not billed (paid in advance, or paid and then cancelled).
  So ``billed = paid + open + written_off`` exactly, per currency.
- **paid**: every payment received on or before ``as_of`` on the client's milestones.
- **open**: the open amount of billed milestones (equals the client's aging total).
- **overdue**: the part of ``open`` on milestones past their due date (``days_past_due > 0``).
- **written_off**: amount less payments of billed milestones with status ``written_off``.
- **on_time_rate**: over the client's fully paid milestones (paid in full by ``as_of``, cancelled
  ones left out): the share whose payments reached the amount on or before the due date. A
  Decimal fraction rounded half up to 4 places (``0.7500`` is 75 %); null when none is fully
  paid. ``on_time_count`` and ``fully_paid_count`` give the exact counts.
- **median_days_late**: over the same fully paid milestones, days late = date fully paid - due
  date, floored at 0 (an early payment is 0 days late, not negative). The true median (a
  whole number or a half, e.g. 4.5; Float64 since it is a count of days, not money); null
  when none is fully paid.
- **oldest_overdue_days**: the days past due of the oldest billed milestone still open and
  past due (null when none), whatever its currency.
- **worst_days_late**: the most of the paid milestones' days late and ``oldest_overdue_days``
  (an open debt 141 days late is worse than any paid history); null with neither. Never
  counts unbilled milestones.
- **chase_events**: chase events logged on the client's milestones on or before ``as_of``.
- **promises_made** / **promises_kept** / **promises_broken**: the client's milestones with a
  promised payment date (``promised_on``; cancelled ones left out), and of them the kept ones
  (fully paid on or before the promised date) and the broken ones (the promised date is
  before ``as_of`` and they were not); the rest are pending
  (:func:`tui.analytics.chase.promise_state`).
- **red_flags**: one text, ``"; "``-joined, per contract (archived and cancelled included, as
  history): the contract's own ``red_flags`` text; ``work started without a signed contract``
  (not signed by ``as_of`` while a milestone shows work -- progress, a status past planned, an
  invoice or a payment -- or the start date has passed on an active/paused/completed
  contract); ``no milestone schedule`` (an active, paused or completed contract without
  milestones; drafts may still be being written); and for a contract that is not cancelled,
  ``milestones add up to X CUR, fee Y CUR (D short|over)`` when its non-cancelled milestone
  amounts differ from the total fee. ``red_flag_count`` counts them.
- **rating**, **work_again**, **feedback**: from the client.
- **unconverted**: amounts in a currency with no exchange rate in the settings are *not* in the
  converted columns (never counted at par); they are listed here as text, e.g.
  ``"CHF billed 1200.00, paid 900.00, open 300.00, overdue 300.00"`` (zero figures left out),
  ``"; "``-joined per currency.

Conversion is exact: per client and currency the sums are exact Decimals, multiplied by the
rate (value of one unit in the home currency, exact to 10 places), added across currencies,
and each column is rounded once, half up, to the cent. The home currency has rate 1.

``worst_first=True`` sorts by badness: overdue (desc), written_off (desc), on_time_rate (asc,
clients with no history last), worst_days_late (desc), oldest_overdue_days (desc),
red_flag_count (desc), then name. Otherwise rows are sorted by client name (case-insensitive).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl

from tui.analytics.aging import is_billed
from tui.analytics.base import (
    MONEY,
    ZERO,
    BookData,
    days_past_due,
    engine_for,
    fully_paid_on,
    open_amount,
    paid_by_milestone,
)
from tui.analytics.chase import promise_state

AMOUNTS = ["billed", "paid", "open", "overdue", "written_off"]
#: statuses that show work was done on a milestone
WORKED_STATUSES = ["in_progress", "delivered", "invoiced", "disputed", "written_off"]
RATE = pl.Decimal(38, 10)
#: the count columns, 0 for a client with none
COUNTS = (
    "on_time_count", "fully_paid_count", "chase_events", "red_flag_count", "promises_made",
    "promises_kept", "promises_broken",
)  # fmt: skip

COLUMNS = [
    "client_id", "client", "archived", "currency", *AMOUNTS, "on_time_rate", "on_time_count",
    "fully_paid_count", "median_days_late", "worst_days_late", "oldest_overdue_days", "chase_events",
    "promises_made", "promises_kept", "promises_broken", "red_flags", "red_flag_count", "rating", "work_again", "feedback", "unconverted",
]  # fmt: skip


def _lean_facts(book: BookData, as_of: dt.date) -> pl.DataFrame:
    """The columns of :func:`milestone_facts` the scorecards read, with the same rules
    (no names or titles: the scorecards take client names from ``book.clients``)."""
    paid = paid_by_milestone(book.payments, as_of).lazy()
    contracts = book.contracts.lazy().select(
        pl.col("id").alias("contract_id"), "client_id", "currency"
    )
    return (
        book.milestones.lazy()
        .select(
            pl.col("id").alias("milestone_id"),
            "contract_id",
            "amount",
            "due_date",
            "status",
            "progress",
            "invoiced_on",
            "promised_on",
        )
        .join(contracts, on="contract_id", how="left")
        .join(paid, on="milestone_id", how="left")
        .with_columns(pl.col("paid").fill_null(ZERO))
        .with_columns(
            fully_paid_on().alias("fully_paid_on"),
            open_amount().alias("open"),
            days_past_due(as_of).alias("days_past_due"),
        )
        .collect(engine=engine_for(book.milestones))
    )


def _milestone_amounts(facts: pl.LazyFrame, as_of: dt.date) -> pl.LazyFrame:
    """Per milestone: the five scorecard amounts in the milestone's currency."""
    billed = is_billed(as_of) & (pl.col("status") != "cancelled")
    return facts.with_columns(
        pl.when(billed).then(pl.col("amount")).otherwise(pl.col("paid")).alias("billed"),
        pl.when(billed).then(pl.col("open")).otherwise(ZERO).alias("open"),
        pl.when(billed & (pl.col("days_past_due") > 0))
        .then(pl.col("open"))
        .otherwise(ZERO)
        .alias("overdue"),
        pl.when(billed & (pl.col("status") == "written_off"))
        .then(pl.col("amount") - pl.col("paid"))
        .otherwise(ZERO)
        .alias("written_off"),
    )


def _fx_frame(home: str, fx: dict[str, Decimal]) -> pl.LazyFrame:
    rates = {**{c: Decimal(r) for c, r in fx.items()}, home: Decimal(1)}
    return pl.LazyFrame(
        {"currency": list(rates), "rate": list(rates.values())},
        schema={"currency": pl.String, "rate": RATE},
    )


def _convert(per_currency: pl.LazyFrame) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """Converted home-currency sums per client, and the unconverted text per client."""
    with_rate = per_currency.filter(pl.col("rate").is_not_null())
    converted = with_rate.group_by("client_id").agg(
        (pl.col(a).cast(pl.Decimal(38, 2)) * pl.col("rate"))
        .sum()
        .round(2, mode="half_away_from_zero")
        .cast(MONEY)
        .alias(a)
        for a in AMOUNTS
    )
    parts = [
        pl.when(pl.col(a) != ZERO).then(
            pl.format(f"{a} {{}}", pl.col(a).cast(MONEY).cast(pl.String))
        )
        for a in AMOUNTS
    ]
    unconverted = (
        # a currency with nothing billed or paid yet has no figure to list (not "CHF ")
        per_currency.filter(
            pl.col("rate").is_null() & pl.any_horizontal(pl.col(a) != ZERO for a in AMOUNTS)
        )
        .with_columns(
            pl.format(
                "{} {}", "currency", pl.concat_str(parts, separator=", ", ignore_nulls=True)
            ).alias("text")
        )
        .sort("currency")
        .group_by("client_id", maintain_order=True)
        .agg(pl.col("text").str.join("; ").alias("unconverted"))
    )
    return converted, unconverted


def _history(facts: pl.LazyFrame) -> pl.LazyFrame:
    """Per client: on-time counts and days late over fully paid milestones, oldest overdue."""
    days_late = (pl.col("fully_paid_on") - pl.col("due_date")).dt.total_days().clip(lower_bound=0)
    full = facts.filter(pl.col("fully_paid_on").is_not_null() & (pl.col("status") != "cancelled"))
    paid_history = full.group_by("client_id").agg(
        pl.len().cast(pl.Int64).alias("fully_paid_count"),
        (pl.col("fully_paid_on") <= pl.col("due_date")).sum().cast(pl.Int64).alias("on_time_count"),
        days_late.median().cast(pl.Float64).alias("median_days_late"),
        days_late.max().cast(pl.Int64).alias("paid_worst_days_late"),
    )
    n, k = pl.col("fully_paid_count"), pl.col("on_time_count")
    basis_points = (k * 20000 + n) // (n * 2)  # round half up of 10000 * k / n, in integers
    rate = (
        basis_points.cast(pl.Decimal(38, 4)) * pl.lit(Decimal("0.0001"), dtype=pl.Decimal(38, 4))
    ).cast(pl.Decimal(9, 4))
    paid_history = paid_history.with_columns(pl.when(n > 0).then(rate).alias("on_time_rate"))
    oldest = (
        facts.filter(pl.col("overdue") > ZERO)
        .group_by("client_id")
        .agg(pl.col("days_past_due").max().cast(pl.Int64).alias("oldest_overdue_days"))
    )
    return paid_history.join(oldest, on="client_id", how="full", coalesce=True).with_columns(
        pl.max_horizontal("paid_worst_days_late", "oldest_overdue_days").alias("worst_days_late")
    )


def _promises(facts: pl.LazyFrame, as_of: dt.date) -> pl.LazyFrame:
    """Per client: promises to pay made (cancelled milestones left out), kept and broken."""
    state = promise_state(as_of)
    return (
        facts.filter(pl.col("promised_on").is_not_null() & (pl.col("status") != "cancelled"))
        .with_columns(state.alias("promise"))
        .group_by("client_id")
        .agg(
            pl.len().cast(pl.Int64).alias("promises_made"),
            (pl.col("promise") == "kept").sum().cast(pl.Int64).alias("promises_kept"),
            (pl.col("promise") == "broken").sum().cast(pl.Int64).alias("promises_broken"),
        )
    )


def _red_flags(book: BookData, facts: pl.LazyFrame, as_of: dt.date) -> pl.LazyFrame:
    """Per client: the red-flag texts of its contracts, joined, and how many there are."""
    worked = (
        pl.col("status").is_in(WORKED_STATUSES)
        | (pl.col("progress") > 0)
        | (pl.col("invoiced_on") <= as_of).fill_null(False)
        | (pl.col("paid") > ZERO)
    )
    per_contract = facts.group_by("contract_id").agg(
        pl.len().alias("n_milestones"),
        pl.col("amount").filter(pl.col("status") != "cancelled").sum().alias("scheduled"),
        worked.any().alias("worked"),
    )
    running = pl.col("status").is_in(["active", "paused", "completed"])
    unsigned = pl.col("signed_on").is_null() | (pl.col("signed_on") > as_of)
    started = pl.col("worked").fill_null(False) | (
        running & (pl.col("start_date") <= as_of).fill_null(False)
    )
    n = pl.col("n_milestones").fill_null(0)
    diff = (pl.col("scheduled") - pl.col("total_fee")).cast(MONEY)
    # which flags each contract has, as booleans first: only flagged contracts get text
    has = {
        "own": pl.col("red_flags").str.strip_chars() != "",
        "unsigned": unsigned & started,
        "no_schedule": running & (n == 0),
        "mismatch": ((pl.col("status") != "cancelled") & (n > 0) & (diff != ZERO)).fill_null(False),
    }
    plain = lambda e: e.cast(MONEY).cast(pl.String)  # noqa: E731 - a tiny local formatter
    title = pl.col("title")
    texts = [
        pl.when(pl.col("own")).then(
            pl.format("{}: {}", title, pl.col("red_flags").str.strip_chars())
        ),
        pl.when(pl.col("unsigned")).then(
            pl.format("{}: work started without a signed contract", title)
        ),
        pl.when(pl.col("no_schedule")).then(pl.format("{}: no milestone schedule", title)),
        pl.when(pl.col("mismatch")).then(
            pl.format(
                "{}: milestones add up to {} {}, fee {} {} ({} {})",
                title,
                plain(pl.col("scheduled")),
                "currency",
                plain(pl.col("total_fee")),
                "currency",
                plain(diff.abs()),
                pl.when(diff < ZERO).then(pl.lit("short")).otherwise(pl.lit("over")),
            )
        ),
    ]
    contracts = book.contracts.lazy().select(
        pl.col("id").alias("contract_id"), "client_id", "title", "currency", "total_fee", "signed_on",
        "start_date", "status", "red_flags",
    )  # fmt: skip
    return (
        contracts.join(per_contract, on="contract_id", how="left")
        .with_columns(**has)
        .filter(pl.any_horizontal(list(has)))
        .select(
            "client_id",
            pl.col("title").str.to_lowercase().alias("title_key"),
            "contract_id",
            pl.concat_list(texts).list.drop_nulls().alias("flags"),
        )
        .with_columns(
            pl.col("flags").list.join("; ").alias("flag"),
            pl.col("flags").list.len().cast(pl.Int64).alias("n"),
        )
        .filter(pl.col("n") > 0)
        .group_by("client_id")
        .agg(
            # order explicitly: group_by does not promise an order under the streaming engine
            pl.col("flag").sort_by("title_key", "contract_id").str.join("; ").alias("red_flags"),
            pl.col("n").sum().alias("red_flag_count"),
        )
    )


def _chase_counts(book: BookData, facts: pl.LazyFrame, as_of: dt.date) -> pl.LazyFrame:
    return (
        book.chase_events.lazy()
        .filter(pl.col("date") <= as_of)
        .join(facts.select("milestone_id", "client_id"), on="milestone_id", how="inner")
        .group_by("client_id")
        .agg(pl.len().cast(pl.Int64).alias("chase_events"))
    )


def client_scorecards(
    book: BookData,
    as_of: dt.date,
    *,
    worst_first: bool = False,
    facts: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One scorecard row per client at ``as_of`` (see the module docstring for every column).

    ``facts`` may pass ``tui.analytics.base.milestone_facts(book, as_of)`` already computed
    (same book and date).
    """
    settings = book.settings
    if facts is None:
        facts = _lean_facts(book, as_of)
    lazy_facts = _milestone_amounts(facts.lazy(), as_of)
    per_currency = (
        lazy_facts.group_by("client_id", "currency")
        .agg(pl.col(a).sum() for a in AMOUNTS)
        .join(_fx_frame(settings.home_currency, settings.fx), on="currency", how="left")
    )
    converted, unconverted = _convert(per_currency)
    clients = book.clients.lazy().select(
        pl.col("id").alias("client_id"), pl.col("name").alias("client"), "archived", "rating", "work_again",
        "feedback",
    )  # fmt: skip
    out = (
        clients.join(converted, on="client_id", how="left")
        .join(_history(lazy_facts), on="client_id", how="left")
        .join(_chase_counts(book, lazy_facts, as_of), on="client_id", how="left")
        .join(_promises(lazy_facts, as_of), on="client_id", how="left")
        .join(_red_flags(book, lazy_facts, as_of), on="client_id", how="left")
        .join(unconverted, on="client_id", how="left")
        .with_columns(
            *(pl.col(a).fill_null(ZERO) for a in AMOUNTS),
            *(pl.col(c).fill_null(0) for c in COUNTS),
            pl.col("red_flags").fill_null(""),
            pl.col("unconverted").fill_null(""),
            pl.lit(settings.home_currency).alias("currency"),
        )
        .select(COLUMNS)
    )
    name_order = [pl.col("client").str.to_lowercase(), pl.col("client"), pl.col("client_id")]
    if worst_first:
        out = out.sort(
            ["overdue", "written_off", "on_time_rate", "worst_days_late", "oldest_overdue_days", "red_flag_count",
             *name_order],
            descending=[True, True, False, True, True, True, False, False, False],
            nulls_last=True,
        )  # fmt: skip
    else:
        out = out.sort(name_order)
    return out.collect(engine=engine_for(book.milestones))


__all__ = ["AMOUNTS", "COLUMNS", "client_scorecards"]
