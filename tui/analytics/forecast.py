"""Cash-flow forecast (SPEC 4.2): when the open milestones will be paid, what goes out, and
what is left in the bank period by period, in the home currency.

Rules, with worked examples and the SPEC revision 2 differences:
docs/rules.md#cash-flow-forecast

Pure Polars: no textual, no duckdb, no clock. Money stays Decimal (per row Decimal(18,2),
period sums Decimal(38,2)); currency conversion is exact (see *Currency* below).

Rules and the decisions taken where the SPEC is silent:

*Periods.* ``week`` = ISO weeks, Monday to Sunday; ``month`` = calendar months. The first
period is the one holding ``as_of``; ``horizon`` periods in all (default
``settings.forecast_weeks`` / ``settings.forecast_months``). The horizon's end is the last
day of the last period.

*Which milestones.* Every milestone with ``open > 0`` at ``as_of`` (SPEC 4: status not
``cancelled`` or ``written_off``), invoiced or not, following the SPEC to the letter:
milestones of draft, paused or cancelled contracts and of archived clients or contracts are
included, because the milestone's own status is what says whether money is still owed (the
aging report includes them too, so the two reports agree). A freelancer who cancels a
contract cancels the milestones that will not be paid.

*Delays.* A client's delay samples are its fully paid milestones at ``as_of`` (payments
received on or before ``as_of`` reached the amount), whatever their status now:
``delay = fully_paid_on - due_date`` in days (negative when paid early). Computed exactly
on integers:

- median: the middle value of the sorted delays, or for an even count the mean of the two
  middle values, rounded UP (``(a + b + 1) // 2``, floor division, so -1.5 -> -1 and
  2.5 -> 3); then floored at 0.
- 90th percentile: nearest rank, the value at rank ``ceil(0.9 n)`` (1-based) of the sorted
  delays (always an observed delay, so no rounding); floored at 0. With nearest rank the
  90th percentile is never below the rounded-up median, so per milestone
  contractual <= expected <= pessimistic.
- a client with fewer than 2 fully paid milestones takes the portfolio figures: the same
  statistics over every client's fully paid milestones pooled (``source='portfolio'``), or 0
  when nobody has paid anything yet (``source='none'``).

*Expected dates.* ``contractual`` = max(as_of, due_date); ``expected`` = max(as_of,
due_date + median); ``pessimistic`` = max(as_of, due_date + p90). In ``pessimistic``, open
amounts more than 90 days past due at ``as_of`` (the SPEC's fixed 90, not the aging edges)
are left out of the inflows and summed in ``at_risk``.

*What-ifs* (:class:`Adjustment`, never written to the book). ``shift_client`` and
``shift_milestone`` move the scenario's expected date by ``days`` (negative = earlier); all
shifts that hit a milestone are added first and applied once, still never before
``as_of``: ``max(as_of, scenario_date + total_shift)``, so adjustments commute and +30 then
-30 is no change. ``drop_client`` treats the client as a default: its milestones get
placement ``dropped`` and count nowhere (not in inflows, later, at_risk or unconverted).
``at_risk`` looks at days past due, a fact of the debt, so shifting does not change it.

*Placement* of each open milestone, first match wins: ``dropped`` (dropped client),
``unconverted`` (no rate for its currency: listed apart, whatever its date), ``at_risk``
(pessimistic, > 90 days past due), ``later`` (expected after the horizon's end), else
``period``.

*Currency.* The home currency is ``settings.home_currency`` (rate 1, whatever ``fx`` says
about it); ``settings.fx[c]`` is the value of one unit of ``c`` in the home currency. Each
amount is converted on its own: ``amount * rate``, computed at full precision and rounded
once, half up, to the cent (Polars multiplies decimals at the larger of the two scales, so
both sides are first widened to ``2 + rate scale`` places, which holds the exact product).
Period totals are sums of converted rows. An amount in a currency without a rate is never
counted and never taken at par: open milestone amounts go to ``unconverted`` (currency,
amount); expenses and cash movements in such a currency go to ``unconverted_other`` (part,
currency, amount) with ``part`` one of ``outflow`` (expense occurrences in the horizon, left
out of the outflows), ``cash_in`` (payments received between the opening date and as_of) and
``cash_out`` (expense occurrences in that window), left out of ``cash_at_as_of``.

*Outflows.* Expense occurrences (:func:`tui.analytics.expenses.expense_occurrences`) from
``as_of`` inclusive to the horizon's end; earlier occurrences are not outflows.

*Cash at as_of.* ``opening_balance`` + payments received after ``opening_balance_date`` up
to and including ``as_of`` - expense occurrences after ``opening_balance_date`` and before
``as_of`` (all converted). So the opening balance is the balance at the end of its date,
and the cash at ``as_of`` is the balance before that day's expenses (those are the first
period's outflows). One edge follows from the SPEC's two rules: when ``as_of`` is the opening
date itself, that day's expenses are outflows of the first period (outflows run from as_of
inclusive), so an opening balance entered after paying them would count them twice; enter
the opening balance of a day before its expenses, or date it the day before. Without an
opening date the opening balance is taken as is, with no adjustment. When ``as_of`` is before the opening date the same convention is walked back:
opening balance - payments received after ``as_of`` up to the opening date + expense
occurrences from ``as_of`` to the opening date inclusive.

*Periods table.* inflow, outflow, net = inflow - outflow, balance = previous balance + net
(the first from ``cash_at_as_of``). ``later`` = converted inflows expected after the
horizon's end. ``lowest`` = the start of the period with the lowest closing balance and that
balance (the earliest period on ties). ``longest_gap_days`` = the longest run of
consecutive days from ``as_of`` (counted) to the horizon's end (counted) with no expected
inflow; only inflows placed in a period count (not unconverted or dropped ones). With no
inflow at all it is the whole window, ``horizon_end - as_of + 1``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

import polars as pl

from tui.analytics.base import (
    CLOSED,
    MONEY,
    BookData,
    days_past_due,
    engine_for,
    fully_paid_on,
    open_amount,
)
from tui.analytics.expenses import expense_occurrences
from tui.domain.dates import add_months
from tui.domain.model import Settings

__all__ = [
    "PLACEMENTS",
    "SCENARIOS",
    "Adjustment",
    "ForecastReport",
    "client_delays",
    "expense_occurrences",
    "forecast",
    "money_facts",
    "period_bounds",
]

SCENARIOS = ("contractual", "expected", "pessimistic")
PERIODS = ("week", "month")
ADJUSTMENT_KINDS = ("shift_client", "shift_milestone", "drop_client")
PLACEMENTS = ("period", "later", "at_risk", "unconverted", "dropped")
#: pessimistic: open amounts more than this many days past due are at risk (SPEC 4.2)
AT_RISK_DAYS = 90
#: period and report totals
TOTAL = pl.Decimal(38, 2)
CENT = Decimal("0.01")

PLACEMENT_COLUMNS = [
    "milestone_id", "client_id", "client", "contract", "seq", "milestone", "currency", "open",
    "open_home", "due_date", "days_past_due", "delay", "expected_date", "placement",
    "period_start",
]  # fmt: skip
DELAY_SCHEMA: dict[str, pl.DataType] = {
    "client_id": pl.Int64(),
    "median_delay": pl.Int64(),
    "p90_delay": pl.Int64(),
    "paid_count": pl.Int64(),
    "source": pl.String(),
}


@dataclass(frozen=True)
class Adjustment:
    """A what-if layered on a scenario; never written to the book.

    ``shift_client`` / ``shift_milestone`` move the expected dates of a client's milestones
    (``target`` = client_id) or of one milestone (``target`` = milestone_id) by ``days``;
    ``drop_client`` assumes the client (``target`` = client_id) never pays.
    """

    kind: Literal["shift_client", "shift_milestone", "drop_client"]
    target: int
    days: int = 0
    label: str = ""  # e.g. "Bright Ideas +30 days" for display

    def __post_init__(self) -> None:
        if self.kind not in ADJUSTMENT_KINDS:
            raise ValueError(
                f"adjustment kind '{self.kind}' is not one of: {', '.join(ADJUSTMENT_KINDS)}"
            )

    def describe(self) -> str:
        """A one-line description for the report: the label, else one built from the fields."""
        if self.label:
            return self.label
        if self.kind == "drop_client":
            return f"client {self.target} dropped (assumed not to pay)"
        what = "client" if self.kind == "shift_client" else "milestone"
        return f"{what} {self.target} {self.days:+d} days"


def _empty_unconverted() -> pl.DataFrame:
    return pl.DataFrame(schema={"currency": pl.String, "amount": TOTAL})


def _empty_unconverted_other() -> pl.DataFrame:
    return pl.DataFrame(schema={"part": pl.String, "currency": pl.String, "amount": TOTAL})


@dataclass(frozen=True)
class ForecastReport:
    """The forecast at ``as_of`` for one scenario, period kind and horizon (see the module doc)."""

    as_of: dt.date
    scenario: str
    period: str
    horizon: int
    currency: str  # home currency
    cash_at_as_of: Decimal
    #: start, end (Date), inflow, outflow, net, balance (Decimal(38,2)), one row per period
    periods: pl.DataFrame
    #: home-currency inflows expected after the horizon's end
    later: Decimal
    #: pessimistic only: open amounts > 90 days past due (home currency), else 0
    at_risk: Decimal
    #: currency, amount: open amounts in currencies with no fx rate (never dropped, never at par)
    unconverted: pl.DataFrame
    #: start of the period with the lowest closing balance (earliest on ties), and that balance
    lowest: tuple[dt.date, Decimal]
    #: longest run of days from as_of to the horizon's end (both counted) with no expected inflow
    longest_gap_days: int
    #: per open milestone (open > 0), in the book's milestone order: ``PLACEMENT_COLUMNS``, i.e.
    #: the brief's columns plus days_past_due, delay (the scenario's delay in days, 0 for
    #: contractual) and period_start (null unless placed in a period); ``open_home`` is null for
    #: an unconverted currency; ``placement`` is one of ``PLACEMENTS``
    placements: pl.DataFrame
    #: expense occurrences in the horizon: expense_id, name, date, amount, currency, amount_home
    outflows: pl.DataFrame
    adjustments: tuple[Adjustment, ...]
    #: part ('outflow' | 'cash_in' | 'cash_out'), currency, amount: expenses and cash movements
    #: in currencies with no fx rate, left out of outflows and cash_at_as_of
    unconverted_other: pl.DataFrame = field(default_factory=_empty_unconverted_other)

    @property
    def end(self) -> dt.date:
        """The horizon's last day (the end of the last period)."""
        return self.periods["end"][-1]

    @property
    def dropped(self) -> Decimal:
        """Home-currency open amounts of dropped clients (left out of every total)."""
        return _sum(self.placements.filter(pl.col("placement") == "dropped")["open_home"])


# ---- the money of each milestone --------------------------------------------------------


def money_facts(book: BookData, as_of: dt.date) -> pl.DataFrame:
    """Per milestone, only what the forecast computes with (a lean, numeric
    :func:`tui.analytics.base.milestone_facts`, same rules, a test keeps them equal):
    row (position in ``book.milestones``), milestone_id, contract_id, client_id, currency,
    amount, due_date, open, fully_paid_on.

    Names and titles are looked up later for the open milestones only: carrying strings
    through the joins of every milestone is most of the cost at 2M milestones.
    ``fully_paid_on`` follows ``tui.analytics.base.fully_paid_dates``: the date of the last
    payment (on or before as_of) once the payments add up to the amount (payments are
    positive and the store refuses overpayment, so that is when the total reached it).
    """
    paid = (
        book.payments.lazy()
        .filter(pl.col("received_on") <= as_of)
        .group_by(pl.col("milestone_id").cast(pl.Int64))
        .agg(
            pl.col("amount").sum().cast(MONEY).alias("paid"),
            pl.col("received_on").max().alias("last_paid_on"),
        )
    )
    contracts = book.contracts.lazy().select(
        pl.col("id").cast(pl.Int64).alias("contract_id"),
        pl.col("client_id").cast(pl.Int64),
        "currency",
    )
    zero = pl.lit(Decimal("0.00"), dtype=MONEY)
    facts = (
        book.milestones.lazy()
        .select(
            pl.int_range(pl.len(), dtype=pl.Int64).alias("row"),
            pl.col("id").cast(pl.Int64).alias("milestone_id"),
            pl.col("contract_id").cast(pl.Int64),
            pl.col("amount").cast(MONEY),
            "due_date",
            pl.col("status").is_in(CLOSED).alias("closed"),
        )
        .join(paid, on="milestone_id", how="left")
        .join(contracts, on="contract_id", how="left")
        .with_columns(pl.col("paid").fill_null(zero))
        .with_columns(
            open_amount(closed=pl.col("closed")).alias("open"),
            fully_paid_on().alias("fully_paid_on"),
        )
        .collect(engine=engine_for(book.milestones))
    )
    return facts.select(
        "row",
        "milestone_id",
        "contract_id",
        "client_id",
        "currency",
        "amount",
        "due_date",
        "open",
        "fully_paid_on",
    )


# ---- delays -------------------------------------------------------------------------------


def _delay_stats(samples: pl.LazyFrame, by: str | None) -> pl.LazyFrame:
    """Count, rounded-up median and nearest-rank 90th percentile of integer ``delay``.

    Each group's delays are sorted into a list once; the statistics are then picked from
    it by index with vectorised list operations (exact integers throughout).
    """
    d = pl.col("sorted")
    n = d.list.len().cast(pl.Int64)
    grouped = (
        samples.group_by(by).agg(pl.col("delay").sort().alias("sorted"))
        if by
        else samples.select(pl.col("delay").sort().implode().alias("sorted"))
    )
    return grouped.select(
        *([by] if by else []),
        n.alias("paid_count"),
        ((d.list.get((n - 1) // 2) + d.list.get(n // 2) + 1) // 2).alias("median_delay"),
        d.list.get((9 * n + 9) // 10 - 1).alias("p90_delay"),
    )


def _delay_table(facts: pl.DataFrame, client_ids: pl.Series) -> pl.DataFrame:
    """Per client the delays each scenario uses, with the portfolio fallback applied."""
    samples = (
        facts.lazy()
        .filter(pl.col("fully_paid_on").is_not_null())
        .select(
            pl.col("client_id").cast(pl.Int64),
            (pl.col("fully_paid_on") - pl.col("due_date"))
            .dt.total_days()
            .cast(pl.Int64)
            .alias("delay"),
        )
    )
    per_client = _delay_stats(samples, "client_id").collect(engine=engine_for(facts))
    has_any = per_client.height > 0
    if has_any:
        pf = _delay_stats(samples, None).collect(engine=engine_for(facts)).row(0, named=True)
        pf_med, pf_p90 = max(pf["median_delay"], 0), max(pf["p90_delay"], 0)
    else:
        pf_med = pf_p90 = 0
    ids = (
        pl.concat([client_ids.cast(pl.Int64), per_client["client_id"]])
        .drop_nulls()
        .unique()
        .sort()
        .to_frame("client_id")
    )
    own = pl.col("paid_count") >= 2
    return (
        ids.join(per_client, on="client_id", how="left")
        .with_columns(pl.col("paid_count").fill_null(0))
        .select(
            "client_id",
            pl.when(own)
            .then(pl.max_horizontal("median_delay", 0))
            .otherwise(pf_med)
            .alias("median_delay"),
            pl.when(own)
            .then(pl.max_horizontal("p90_delay", 0))
            .otherwise(pf_p90)
            .alias("p90_delay"),
            "paid_count",
            pl.when(own)
            .then(pl.lit("client"))
            .otherwise(pl.lit("portfolio" if has_any else "none"))
            .alias("source"),
        )
        .cast(DELAY_SCHEMA)  # type: ignore[arg-type]
    )


def client_delays(book: BookData, as_of: dt.date) -> pl.DataFrame:
    """Per client: median_delay, p90_delay (days, >= 0, as the scenarios use them),
    paid_count (its fully paid milestones at as_of) and source ('client' when it has at
    least 2 fully paid milestones, else 'portfolio', or 'none' when nobody has paid)."""
    return _delay_table(money_facts(book, as_of), book.clients["id"])


# ---- currency -----------------------------------------------------------------------------


def _rates(settings: Settings) -> pl.DataFrame:
    """currency -> rate (value of one unit in the home currency); the home currency is 1."""
    rates = {str(c).upper(): Decimal(str(r)) for c, r in settings.fx.items()}
    rates[settings.home_currency] = Decimal(1)
    scale = max(max(-r.as_tuple().exponent, 0) for r in rates.values())  # type: ignore[operator]
    return pl.DataFrame(
        {"currency": list(rates), "rate": list(rates.values())},
        schema={"currency": pl.String, "rate": pl.Decimal(38, scale)},
    )


def _convert(frame: pl.LazyFrame, amount: str, rates: pl.DataFrame, out: str) -> pl.LazyFrame:
    """Add ``out`` = ``amount`` in the home currency, rounded once half up (null: no rate)."""
    wide = pl.Decimal(38, 2 + rates.schema["rate"].scale)  # type: ignore[attr-defined]
    exact = pl.col(amount).cast(wide) * pl.col("rate").cast(wide)
    return (
        frame.join(rates.lazy(), on="currency", how="left", maintain_order="left")
        .with_columns(exact.round(2, mode="half_away_from_zero").cast(MONEY).alias(out))
        .drop("rate")
    )


def _sum(values: pl.Series) -> Decimal:
    """Exact sum of a Decimal column (nulls skipped) as a Decimal with two places."""
    total = values.cast(TOTAL).sum()
    return Decimal(total or 0).quantize(CENT)


# ---- periods ------------------------------------------------------------------------------


def period_bounds(as_of: dt.date, period: str, horizon: int) -> list[tuple[dt.date, dt.date]]:
    """(start, end) of each period: the first holds ``as_of``."""
    if period == "week":
        first = as_of - dt.timedelta(days=as_of.weekday())
        return [
            (first + dt.timedelta(weeks=i), first + dt.timedelta(weeks=i, days=6))
            for i in range(horizon)
        ]
    first = as_of.replace(day=1)
    return [
        (add_months(first, i), add_months(first, i + 1) - dt.timedelta(days=1))
        for i in range(horizon)
    ]


def _truncate(col: str, period: str) -> pl.Expr:
    return pl.col(col).dt.truncate("1w" if period == "week" else "1mo")


def _longest_gap(inflow_dates: list[dt.date], as_of: dt.date, end: dt.date) -> int:
    """Longest run of consecutive days in [as_of, end] without any of ``inflow_dates``."""
    longest, prev = 0, as_of - dt.timedelta(days=1)
    for d in sorted(inflow_dates):
        longest = max(longest, (d - prev).days - 1)
        prev = d
    return max(longest, (end - prev).days)


# ---- cash at as_of ------------------------------------------------------------------------


def _cash_at(book: BookData, rates: pl.DataFrame, as_of: dt.date) -> tuple[Decimal, pl.DataFrame]:
    """Cash at as_of from the opening balance (see the module doc) and what could not be converted."""
    settings = book.settings
    opening = Decimal(settings.opening_balance).quantize(CENT)
    od = settings.opening_balance_date
    if od is None or od == as_of:
        return opening, _empty_unconverted_other()
    day = dt.timedelta(days=1)
    if od < as_of:
        sign, pay_window, exp_window = 1, (od + day, as_of), (od + day, as_of - day)
    else:
        sign, pay_window, exp_window = -1, (as_of + day, od), (as_of, od)
    payments = (
        book.payments.lazy()
        .filter(pl.col("received_on").is_between(*pay_window))
        .select(pl.col("milestone_id").cast(pl.Int64), "amount")
        .join(
            book.milestones.lazy().select(
                pl.col("id").cast(pl.Int64).alias("milestone_id"),
                pl.col("contract_id").cast(pl.Int64),
            ),
            on="milestone_id",
        )
        .join(
            book.contracts.lazy().select(
                pl.col("id").cast(pl.Int64).alias("contract_id"), "currency"
            ),
            on="contract_id",
        )
        .select("currency", "amount")
    )
    spent = expense_occurrences(book.expenses, *exp_window).lazy().select("currency", "amount")
    pay = _convert(payments, "amount", rates, "home").collect()
    exp = _convert(spent, "amount", rates, "home").collect()
    cash = opening + sign * (_sum(pay["home"]) - _sum(exp["home"]))
    other = pl.concat(
        [
            frame.filter(pl.col("home").is_null())
            .group_by("currency")
            .agg(pl.col("amount").sum().cast(TOTAL))
            .select(pl.lit(part).alias("part"), "currency", "amount")
            for part, frame in (("cash_in", pay), ("cash_out", exp))
        ]
    )
    return cash, other


# ---- the forecast -------------------------------------------------------------------------


def forecast(
    book: BookData,
    as_of: dt.date,
    *,
    scenario: str = "expected",
    period: str = "week",
    horizon: int | None = None,
    adjustments: Sequence[Adjustment] = (),
) -> ForecastReport:
    """The cash-flow forecast at ``as_of`` (SPEC 4.2; every rule is in the module doc)."""
    if scenario not in SCENARIOS:
        raise ValueError(f"scenario '{scenario}' is not one of: {', '.join(SCENARIOS)}")
    if period not in PERIODS:
        raise ValueError(f"period '{period}' is not one of: {', '.join(PERIODS)}")
    if isinstance(as_of, dt.datetime):  # a pendulum or stdlib datetime: its date
        as_of = as_of.date()
    settings = book.settings
    if horizon is None:
        horizon = settings.forecast_weeks if period == "week" else settings.forecast_months
    if horizon < 1:
        raise ValueError(f"horizon must be at least 1 {period}, not {horizon}")
    adjustments = tuple(adjustments)
    bounds = period_bounds(as_of, period, horizon)
    end = bounds[-1][1]
    rates = _rates(settings)

    facts = money_facts(book, as_of)
    delays = _delay_table(facts, book.clients["id"])
    placements = _place(book, facts, delays, rates, as_of, end, scenario, period, adjustments).sort(
        "milestone_id"
    )

    outflows = (
        _convert(
            expense_occurrences(book.expenses, as_of, end).lazy(), "amount", rates, "amount_home"
        )
        .sort("date", "expense_id")
        .collect()
    )
    cash, other = _cash_at(book, rates, as_of)
    unrated_out = (
        outflows.filter(pl.col("amount_home").is_null())
        .group_by("currency")
        .agg(pl.col("amount").sum().cast(TOTAL))
        .select(pl.lit("outflow").alias("part"), "currency", "amount")
    )
    other = pl.concat([unrated_out, other]).sort("part", "currency")

    in_period = placements.filter(pl.col("placement") == "period")
    inflow = in_period.group_by("period_start").agg(
        pl.col("open_home").sum().cast(TOTAL).alias("inflow")
    )
    outflow = (
        outflows.filter(pl.col("amount_home").is_not_null())
        .group_by(_truncate("date", period).alias("period_start"))
        .agg(pl.col("amount_home").sum().cast(TOTAL).alias("outflow"))
    )
    zero = pl.lit(Decimal("0.00"), dtype=TOTAL)
    periods = (
        pl.DataFrame({"start": [b[0] for b in bounds], "end": [b[1] for b in bounds]})
        .join(inflow, left_on="start", right_on="period_start", how="left")
        .join(outflow, left_on="start", right_on="period_start", how="left")
        .sort("start")
        .with_columns(pl.col("inflow").fill_null(zero), pl.col("outflow").fill_null(zero))
        .with_columns((pl.col("inflow") - pl.col("outflow")).cast(TOTAL).alias("net"))
        .with_columns(
            (pl.lit(cash, dtype=TOTAL) + pl.col("net").cum_sum()).cast(TOTAL).alias("balance")
        )
        .select("start", "end", "inflow", "outflow", "net", "balance")
    )

    balances = periods["balance"].to_list()
    low = min(range(len(balances)), key=lambda i: (balances[i], i))
    unconverted = (
        placements.filter(pl.col("placement") == "unconverted")
        .group_by("currency")
        .agg(pl.col("open").sum().cast(TOTAL).alias("amount"))
        .sort("currency")
    )
    return ForecastReport(
        as_of=as_of,
        scenario=scenario,
        period=period,
        horizon=horizon,
        currency=settings.home_currency,
        cash_at_as_of=cash,
        periods=periods,
        later=_sum(placements.filter(pl.col("placement") == "later")["open_home"]),
        at_risk=_sum(placements.filter(pl.col("placement") == "at_risk")["open_home"]),
        unconverted=unconverted if unconverted.height else _empty_unconverted(),
        lowest=(periods["start"][low], balances[low]),
        longest_gap_days=_longest_gap(in_period["expected_date"].unique().to_list(), as_of, end),
        placements=placements,
        outflows=outflows,
        adjustments=adjustments,
        unconverted_other=other,
    )


def _place(
    book: BookData,
    facts: pl.DataFrame,
    delays: pl.DataFrame,
    rates: pl.DataFrame,
    as_of: dt.date,
    end: dt.date,
    scenario: str,
    period: str,
    adjustments: tuple[Adjustment, ...],
) -> pl.DataFrame:
    """Each open milestone with its converted amount, expected date and placement."""
    delay = {
        "contractual": pl.lit(0, dtype=pl.Int64),
        "expected": pl.col("median_delay"),
        "pessimistic": pl.col("p90_delay"),
    }[scenario]
    shift = pl.lit(0, dtype=pl.Int64)
    dropped: list[int] = []
    for a in adjustments:
        if a.kind == "drop_client":
            dropped.append(a.target)
            continue
        key = "client_id" if a.kind == "shift_client" else "milestone_id"
        shift = shift + pl.when(pl.col(key) == a.target).then(a.days).otherwise(0)
    start = pl.lit(as_of, dtype=pl.Date)
    scenario_date = pl.max_horizontal(start, pl.col("due_date") + pl.duration(days=pl.col("delay")))
    open_rows = facts.filter(pl.col("open") > 0)
    rows = open_rows["row"]
    titles = book.milestones.select(
        pl.col("seq").cast(pl.Int64).gather(rows), pl.col("title").gather(rows).alias("milestone")
    )
    names = (
        book.contracts.lazy()
        .select(
            pl.col("id").cast(pl.Int64).alias("contract_id"),
            pl.col("title").alias("contract"),
            pl.col("client_id").cast(pl.Int64),
        )
        .join(
            book.clients.lazy().select(
                pl.col("id").cast(pl.Int64).alias("client_id"), pl.col("name").alias("client")
            ),
            on="client_id",
            how="left",
        )
        .select("contract_id", "contract", "client")
    )
    lf = (
        pl.concat([open_rows, titles], how="horizontal")
        .lazy()
        .join(names, on="contract_id", how="left", maintain_order="left")
        .join(
            delays.lazy().select("client_id", "median_delay", "p90_delay"),
            on="client_id",
            how="left",
            maintain_order="left",
        )
        .with_columns(
            delay.fill_null(0).alias("delay"),
            days_past_due(as_of, pl.Int64).alias("days_past_due"),
        )
        .with_columns(
            pl.max_horizontal(start, scenario_date + pl.duration(days=shift)).alias("expected_date")
        )
    )
    lf = _convert(lf, "open", rates, "open_home")
    placement = (
        pl.when(pl.col("client_id").is_in(pl.Series(dropped, dtype=pl.Int64).implode()))
        .then(pl.lit("dropped"))
        .when(pl.col("open_home").is_null())
        .then(pl.lit("unconverted"))
        .when(pl.lit(scenario == "pessimistic") & (pl.col("days_past_due") > AT_RISK_DAYS))
        .then(pl.lit("at_risk"))
        .when(pl.col("expected_date") > end)
        .then(pl.lit("later"))
        .otherwise(pl.lit("period"))
    )
    return (
        lf.with_columns(placement.alias("placement"))
        .with_columns(
            pl.when(pl.col("placement") == "period")
            .then(_truncate("expected_date", period))
            .alias("period_start")
        )
        .select(PLACEMENT_COLUMNS)
        .collect(engine=engine_for(book.milestones))
    )
