"""Late fees (SPEC 4.3): what each milestone's contract rule has accrued at ``as_of``.

Rules, with worked examples: docs/rules.md#late-fees

Pure Polars, vectorised, exact: every amount is worked in integer cents (Int64/Int128)
and rounded ONCE, half up, to the cent at the end, per milestone; never a float.

Decisions (where the SPEC is silent), in the words a freelancer would use:

Which milestones
    Only *billed* milestones (:func:`tui.analytics.aging.is_billed`: an invoice date on or
    before ``as_of``) of contracts with a rule have a row. A milestone never invoiced owes
    no fee, even past its date (it is work to invoice); once invoiced, its fee counts from
    its saved due date (which invoicing sets to the invoice date + the contract's terms
    unless the user gives one), like any other.

Day count
    Interest is counted for each day *after* the due date up to and including ``as_of``,
    so ``as_of - due_date`` days in all (due 2026-01-01, as_of 2026-01-31: 30 days). A
    payment stops interest on its amount after the day it arrives: the day a payment is
    received still bears interest on the amount that was open when that day began, as the
    UK Act's "interest runs until the date of payment". So 1000.00 due 2026-01-01 with
    400.00 paid on 2026-03-02 bears interest on 1000.00 for 60 days (2026-03-02 - due) and
    on 600.00 from then to ``as_of``. In one formula, the money-days are::

        amount * (as_of - due) - sum(payment * (as_of - max(received_on, due)))

    over the payments received on or before ``as_of`` (a payment made before the due date
    simply lowers the amount from the start). Payments dated after ``as_of`` do not count.

Grace
    A fee applies only once the milestone has been unpaid for more than ``grace_days``
    days past its due date: it applies at ``as_of`` when ``as_of >= applies_on`` (=
    ``due + grace_days + 1``) and some of the amount was still open when ``applies_on``
    began (payments received before ``applies_on`` count). A milestone paid in full
    within grace owes nothing, ever. Once a fee applies, interest counts from the due
    date (the grace days are forgiven only if the client pays within them).

Rules
    - ``none``: no row at all (the function returns milestones that have a rule).
    - ``flat``: ``late_fee_value`` once (``fee_fixed``).
    - ``percent``: ``late_fee_value`` percent, once, of the amount open when
      ``applies_on`` began (``fee_interest``; ``fee_rate`` = the percent).
    - ``monthly``: ``late_fee_value`` percent per 30 days, simple, on the money-days.
    - ``annual``: ``late_fee_value`` percent per 365-day year, simple, on the money-days
      (leap years are not special), plus ``late_fee_fixed`` once (``fee_fixed``).
    - ``statutory``: (reference rate for the contract's preset + ``late_fee_value`` margin,
      default 8) percent per 365-day year on the money-days, fixed for the life of the debt;
      later changes in the reference rate never change it. The reference rate is the book's
      rate in force on ``reference_day``: for ``uk`` the 30 June or 31 December immediately
      before the first day of lateness (due + 1), as the Late Payment of Commercial Debts
      (Interest) Act 1998 reads (30 June for lateness beginning 1 July - 31 December, 31
      December of the year before for 1 January - 30 June); for ``eu`` the due date.
      Plus fixed compensation per milestone (each is its own debt, sized by its amount):
      ``uk`` 40 / 70 / 100 for amounts under 1,000 / under 10,000 / from 10,000;
      ``eu`` 40. The figure is taken in the contract's currency (milepay does not convert
      it; a UK-preset contract is expected to be in GBP, an EU one in EUR). A contract
      with no preset takes ``uk`` for GBP and ``eu`` otherwise (as the contract form
      does). When the book's reference-rate table has no rate in force on the reference
      day (it is before the preset's first row), the reference rate counts as 0 and
      ``rate_missing`` is true, so the screen can ask the user to add the rate.
    - ``rate_warning`` (statutory rows whose fee applies; else empty): a one-line text
      when the rate is missing, or when lateness began (due + 1) more than six calendar
      months after the last row of the preset in the book's table: the rate may have
      changed since, and the user should add newer rates (see
      :func:`last_reference_dates`).
    - ``fee_interest`` is the rate-based part (percent, monthly, annual, statutory),
      ``fee_fixed`` the fixed part (flat, annual's fixed compensation, statutory
      compensation); ``late_fee = fee_interest + fee_fixed``.

Status and claims
    - Cancelled and written-off milestones owe no fee: their row shows 0.
    - Disputed milestones and milestones on hold keep accruing: the fee is only shown,
      never added to the open amount, and a dispute settled in the freelancer's favour
      is owed with its interest.
    - A milestone paid in full keeps the interest accrued up to its payment: the fee for
      paying late is still owed, and shown (with ``claimed``) until the user claims it or
      decides not to. Fees never decrease as ``as_of`` moves on.
    - ``claimed`` is true when a fee claim dated on or before ``as_of`` exists (a claim
      is recorded once; the fee is never added twice). ``claimed_amount`` is what was
      claimed; ``late_fee`` keeps showing what has accrued.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl

from tui.analytics.aging import is_billed
from tui.analytics.base import MONEY, BookData, engine_for

#: Percent values are stored with 4 decimals: rate units are 1/10,000 of a percent.
RATE_UNITS = 10_000
RATE = pl.Decimal(18, 4)
FEE_KINDS = ("flat", "percent", "monthly", "annual", "statutory")
#: UK fixed compensation in cents: 40 under 1,000; 70 under 10,000; 100 from 10,000.
UK_UNDER_1000, UK_UNDER_10000, UK_FROM_10000 = 4_000, 7_000, 10_000
EU_COMPENSATION = 4_000
#: lateness beginning more than this long after a preset's last rate row gets a rate_warning
STALE_AFTER = "6mo"

COLUMNS = [
    "milestone_id",
    "contract_id",
    "currency",
    "late_fee_kind",
    "late_fee",
    "fee_interest",
    "fee_fixed",
    "fee_rate",
    "reference_rate",
    "reference_day",
    "rate_missing",
    "rate_warning",
    "fee_from",
    "applies_on",
    "applies",
    "days_late",
    "claimed",
    "claimed_amount",
    "claimed_on",
]


def to_cents(expr: pl.Expr) -> pl.Expr:
    """A Decimal amount with 2 places as integer cents (exact)."""
    return (expr * 100).cast(pl.Int64)


def rate_units(expr: pl.Expr) -> pl.Expr:
    """A percent (Decimal, up to 4 places) as an Int128 count of 1/10,000 percent."""
    return (expr.cast(RATE) * RATE_UNITS).cast(pl.Int128)


def cents_to_money(expr: pl.Expr) -> pl.Expr:
    """Integer cents back to Decimal(18,2) (exact)."""
    return (expr.cast(pl.Decimal(38, 0)) * pl.lit(Decimal("0.01"))).cast(MONEY)


def round_div_half_up(num: pl.Expr, den: int) -> pl.Expr:
    """``num / den`` rounded half up to an integer, for ``num >= 0`` (Int128, exact)."""
    return (num * 2 + den) // (2 * den)


def _empty() -> pl.DataFrame:
    schema = {
        "milestone_id": pl.Int32,
        "contract_id": pl.Int32,
        "currency": pl.String,
        "late_fee_kind": pl.String,
        "late_fee": MONEY,
        "fee_interest": MONEY,
        "fee_fixed": MONEY,
        "fee_rate": RATE,
        "reference_rate": RATE,
        "reference_day": pl.Date,
        "rate_missing": pl.Boolean,
        "rate_warning": pl.String,
        "fee_from": pl.Date,
        "applies_on": pl.Date,
        "applies": pl.Boolean,
        "days_late": pl.Int32,
        "claimed": pl.Boolean,
        "claimed_amount": MONEY,
        "claimed_on": pl.Date,
    }
    return pl.DataFrame(schema=schema)


def last_reference_dates(reference_rates: pl.DataFrame) -> dict[str, dt.date]:
    """Per preset, the date of the last row of the book's reference-rate table."""
    last = reference_rates.group_by("preset").agg(pl.col("valid_from").max())
    return dict(last.sort("preset").iter_rows())


def reference_day(due_date: pl.Expr, preset: pl.Expr) -> pl.Expr:
    """The day whose rate a statutory debt takes: for ``uk`` the 30 June or 31 December
    immediately before the first day of lateness (due + 1); for other presets the due date."""
    first_late = due_date + pl.duration(days=1)
    year = first_late.dt.year()
    uk = (
        pl.when(first_late.dt.month() >= 7)
        .then(pl.date(year, 6, 30))
        .otherwise(pl.date(year - 1, 12, 31))
    )
    return pl.when(preset == "uk").then(uk).otherwise(due_date)


def late_fees(book: BookData, as_of: dt.date) -> pl.DataFrame:
    """One row per billed milestone whose contract has a late-fee rule: the fee at ``as_of``.

    Columns: milestone_id, contract_id, currency, late_fee_kind, late_fee, fee_interest,
    fee_fixed (Decimal(18,2)), fee_rate (the percent used: per 30 days for monthly, per
    year for annual/statutory, once for percent; null for flat), reference_rate and
    reference_day (statutory only), rate_missing, rate_warning (text, else ""), fee_from (first day interest counts: the day after
    the due date; for flat/percent the day the fee applies), applies_on (due + grace + 1),
    applies (the fee applies at as_of), days_late (days the milestone stayed unpaid past
    its due date, up to as_of), claimed, claimed_amount, claimed_on. Sorted by milestone_id.
    See the module docstring for every rule and the day count.
    """
    return fees_for(book, as_of)


def fees_for(
    book: BookData, as_of: dt.date, milestone_ids: pl.DataFrame | None = None
) -> pl.DataFrame:
    """:func:`late_fees`, optionally only for the milestones in ``milestone_ids`` (a frame
    with a ``milestone_id`` column), so the chase queue pays only for the rows it shows."""
    contracts = (
        book.contracts.lazy()
        .filter(pl.col("late_fee_kind").is_in(FEE_KINDS))
        .select(
            pl.col("id").alias("contract_id"),
            "currency",
            "late_fee_kind",
            "late_fee_value",
            "late_fee_fixed",
            "late_fee_preset",
            "grace_days",
        )
    )
    ms_lazy = book.milestones.lazy()
    if milestone_ids is not None:
        ms_lazy = ms_lazy.join(
            milestone_ids.lazy().select(pl.col("milestone_id").alias("id")), on="id", how="semi"
        )
    kind = pl.col("late_fee_kind")
    ms = (
        ms_lazy.filter(is_billed(as_of))
        .select(pl.col("id").alias("milestone_id"), "contract_id", "amount", "due_date", "status")
        .join(contracts, on="contract_id", how="inner")
        .with_columns(
            to_cents(pl.col("amount")).alias("amount_c"),
            (pl.col("due_date") + pl.duration(days=pl.col("grace_days") + 1)).alias("applies_on"),
            pl.when(kind == "statutory")
            .then(
                pl.coalesce(
                    pl.col("late_fee_preset"),
                    pl.when(pl.col("currency") == "GBP").then(pl.lit("uk")).otherwise(pl.lit("eu")),
                )
            )
            .alias("preset"),
        )
        .with_columns(reference_day(pl.col("due_date"), pl.col("preset")).alias("reference_day"))
        .collect(engine=engine_for(book.milestones))
    )
    if ms.height == 0:
        return _empty()

    # Payments received by as_of, weighted by the days they stop interest on (see docstring).
    # Payments are positive, so a milestone is fully paid on the date of its last payment
    # once they add up to its amount (no running sum, no sort needed).
    pay = (
        book.payments.lazy()
        .filter(pl.col("received_on") <= as_of)
        .select("milestone_id", "received_on", to_cents(pl.col("amount")).alias("pay_c"))
        .join(
            ms.lazy().select("milestone_id", "due_date", "applies_on"),
            on="milestone_id",
            how="inner",
        )
        .with_columns(
            (pl.lit(as_of) - pl.max_horizontal("received_on", "due_date"))
            .dt.total_days()
            .clip(0)
            .alias("w")
        )
        .group_by("milestone_id")
        .agg(
            (pl.col("pay_c") * pl.col("w")).sum().alias("paid_days_c"),
            pl.col("pay_c")
            .filter(pl.col("received_on") < pl.col("applies_on"))
            .sum()
            .alias("paid_before_c"),
            pl.col("pay_c").sum().alias("paid_c"),
            pl.col("received_on").max().alias("last_paid_on"),
        )
    )

    # The reference rate in force on each distinct (preset, reference day): an as-of join
    # on a few thousand keys rather than on every milestone.
    rates = (
        book.reference_rates.lazy()
        .select("preset", "valid_from", pl.col("rate").cast(RATE).alias("reference_rate"))
        .sort("valid_from")
    )
    last_rows = (
        book.reference_rates.lazy()
        .group_by("preset")
        .agg(pl.col("valid_from").max().alias("rates_end"))
    )
    day_keys = (
        ms.lazy()
        .filter(pl.col("preset").is_not_null())
        .select("preset", "reference_day")
        .unique()
        .sort("reference_day")
        .join_asof(
            rates,
            left_on="reference_day",
            right_on="valid_from",
            by="preset",
            strategy="backward",
            check_sortedness=False,
        )  # both sides sorted just above
        .join(last_rows, on="preset", how="left")
        .select("preset", "reference_day", "reference_rate", "rates_end")
    )
    claims = (
        book.fee_claims.lazy()
        .filter(pl.col("claimed_on") <= as_of)
        .select("milestone_id", pl.col("amount").cast(MONEY).alias("claimed_amount"), "claimed_on")
    )

    base = (
        ms.lazy()
        .join(pay, on="milestone_id", how="left")
        .join(day_keys, on=["preset", "reference_day"], how="left")
        .with_columns(pl.col("paid_days_c", "paid_before_c", "paid_c").fill_null(0))
        .with_columns(
            pl.when(pl.col("paid_c") >= pl.col("amount_c"))
            .then(pl.col("last_paid_on"))
            .alias("fully_paid_on")
        )
    )

    days_total = (pl.lit(as_of) - pl.col("due_date")).dt.total_days().clip(0)
    closed = pl.col("status").is_in(["cancelled", "written_off"])
    applies = (
        ~closed
        & (pl.lit(as_of) >= pl.col("applies_on"))
        & (pl.col("amount_c") - pl.col("paid_before_c") > 0)
    )
    statutory_rate = pl.col("reference_rate").fill_null(Decimal("0")) + pl.col(
        "late_fee_value"
    ).cast(RATE)
    fee_rate = (
        pl.when(kind.is_in(["percent", "monthly", "annual"]))
        .then(pl.col("late_fee_value").cast(RATE))
        .when(kind == "statutory")
        .then(statutory_rate.cast(RATE))
        .otherwise(pl.lit(None, dtype=RATE))
    )
    money_days = (pl.col("amount_c") * days_total - pl.col("paid_days_c")).clip(0).cast(pl.Int128)
    ru = pl.col("fee_rate_u")
    interest_c = (
        pl.when(kind == "percent")
        .then(
            round_div_half_up(
                (pl.col("amount_c") - pl.col("paid_before_c")).cast(pl.Int128) * ru,
                100 * RATE_UNITS,
            )
        )
        .when(kind == "monthly")
        .then(round_div_half_up(pl.col("money_days") * ru, 100 * RATE_UNITS * 30))
        .when(kind.is_in(["annual", "statutory"]))
        .then(round_div_half_up(pl.col("money_days") * ru, 100 * RATE_UNITS * 365))
        .otherwise(0)
    )
    uk_comp = (
        pl.when(pl.col("amount_c") < 100_000)  # under 1,000.00
        .then(UK_UNDER_1000)
        .when(pl.col("amount_c") < 1_000_000)  # under 10,000.00
        .then(UK_UNDER_10000)
        .otherwise(UK_FROM_10000)
    )
    fixed_c = (
        pl.when(kind == "flat")
        .then(round_div_half_up(rate_units(pl.col("late_fee_value")), 100))  # 4 places -> cents
        .when(kind == "annual")
        .then(to_cents(pl.col("late_fee_fixed")).cast(pl.Int128))
        .when((kind == "statutory") & (pl.col("preset") == "uk"))
        .then(uk_comp)
        .when(kind == "statutory")
        .then(EU_COMPENSATION)
        .otherwise(0)
        .cast(pl.Int128)
    )
    paid_until = pl.min_horizontal(pl.lit(as_of), pl.col("fully_paid_on"))
    statutory = kind == "statutory"
    first_late = pl.col("due_date") + pl.duration(days=1)
    preset_name = pl.col("preset").str.to_uppercase()
    rate_warning = (
        pl.when(~statutory | ~pl.col("applies"))
        .then(pl.lit(""))
        .when(pl.col("reference_rate").is_null())
        .then(
            pl.format(
                "no {} reference rate in force on {}: add it in settings (counted as 0)",
                preset_name,
                pl.col("reference_day"),
            )
        )
        .when(first_late > pl.col("rates_end").dt.offset_by(STALE_AFTER))
        .then(
            pl.format(
                "the book's {} reference rates end {}, more than 6 months before this debt "
                "was late ({}): the rate may have changed; add newer rates in settings",
                preset_name,
                pl.col("rates_end"),
                first_late,
            )
        )
        .otherwise(pl.lit(""))
    )
    out = (
        base.with_columns(
            applies.alias("applies"),
            fee_rate.alias("fee_rate"),
            money_days.alias("money_days"),
            statutory.and_(pl.col("reference_rate").is_null()).alias("rate_missing"),
            pl.when(closed)
            .then(0)
            .otherwise((paid_until - pl.col("due_date")).dt.total_days().clip(0))
            .cast(pl.Int32)
            .alias("days_late"),
        )
        .with_columns(rate_units(pl.col("fee_rate")).fill_null(0).alias("fee_rate_u"))
        .with_columns(
            pl.when(pl.col("applies"))
            .then(interest_c)
            .otherwise(0)
            .cast(pl.Int128)
            .alias("interest_c"),
            pl.when(pl.col("applies")).then(fixed_c).otherwise(0).cast(pl.Int128).alias("fixed_c"),
            rate_warning.alias("rate_warning"),
        )
        .join(claims, on="milestone_id", how="left")
        .select(
            "milestone_id",
            "contract_id",
            "currency",
            "late_fee_kind",
            cents_to_money(pl.col("interest_c") + pl.col("fixed_c")).alias("late_fee"),
            cents_to_money(pl.col("interest_c")).alias("fee_interest"),
            cents_to_money(pl.col("fixed_c")).alias("fee_fixed"),
            "fee_rate",
            pl.col("reference_rate").cast(RATE),
            pl.when(statutory).then(pl.col("reference_day")).alias("reference_day"),
            "rate_missing",
            "rate_warning",
            pl.when(kind.is_in(["flat", "percent"]))
            .then(pl.col("applies_on"))
            .otherwise(pl.col("due_date") + pl.duration(days=1))
            .alias("fee_from"),
            "applies_on",
            "applies",
            "days_late",
            pl.col("claimed_on").is_not_null().alias("claimed"),
            "claimed_amount",
            "claimed_on",
        )
        .sort("milestone_id")
    )
    return out.collect(engine=engine_for(book.milestones))
