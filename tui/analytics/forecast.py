"""Cash-flow forecast (SPEC 4.2): when the open milestones will be paid, what goes out, and
what is left in the bank period by period, in the home currency.

Rules, with a worked example: docs/rules.md#cash-flow-forecast

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
  90th percentile is never below the rounded-up median of the same delays, so per milestone
  contractual <= expected <= pessimistic (where all three have a date and expected follows
  no promise).
- a client with fewer than 2 fully paid milestones takes the portfolio figures: the same
  statistics over every client's fully paid milestones pooled (``source='portfolio'``), or 0
  when nobody has paid anything yet (``source='none'``).

*Forecast due date.* Billed = invoiced on or before ``as_of`` (an ``invoiced`` or
``disputed`` milestone with no invoice date is billed: the SPEC says it always has one). A
milestone that is not billed but whose due date is before ``as_of`` is work not invoiced yet,
not a debt: it cannot be late, so it is placed as if invoiced on ``as_of``, with the forecast
due date ``as_of + payment_terms_days`` of its contract (our decision: the SPEC is silent).
Every other milestone keeps its due date. ``x = as_of - forecast due`` is its days past due.

*Expected dates.* ``contractual`` = max(as_of, forecast due). ``expected`` and
``pessimistic`` add a delay d (the median, resp. the 90th percentile): for x <= 0 (not yet
due) the client's delays as above (client, else portfolio, else 0); for x > 0 only the delays
greater than x count, the client's when it has at least 2 such, else all clients' pooled when
they have at least 2 such (``delay_from`` says which), same statistics, floored at 0; date =
max(as_of, forecast due + d). When x > 0 and neither has 2 such delays the milestone is
``uncertain``: no date and no period (the debt is already later than the history knows).

*Promises and holds.* In ``expected`` only, a promise to pay (``promised_on`` >= as_of)
replaces the scenario date (a past promise is ignored; a promised milestone is never
uncertain). Then the what-if shifts, then the hold floor: a milestone on a hold active at
as_of (``until`` >= as_of and not released on or before as_of; the latest ``until`` of its
active holds) is placed no earlier than the day after ``until``, in every scenario. So
date = max(as_of, base + total shift, until + 1), and an uncertain one stays uncertain.

*What-ifs* (:class:`Adjustment`, never written to the book). ``shift_client`` and
``shift_milestone`` move the date by ``days`` (negative = earlier); all shifts that hit a
milestone are added first and applied once, still never before ``as_of`` (nor before the
hold floor), so adjustments commute and +30 then -30 is no change. ``drop_client`` treats the
client as a default: its milestones get placement ``dropped`` and count nowhere (not in
inflows, later, uncertain, at_risk or unconverted). ``at_risk`` looks at days past due, a fact
of the debt, so shifting does not change it.

*Placement* of each open milestone, first match wins: ``dropped`` (dropped client),
``unconverted`` (no rate for its currency: listed apart, whatever its date), ``at_risk``
(pessimistic: x > 90, the SPEC's fixed 90, not the aging edges, or uncertain), ``uncertain``
(expected), ``later`` (expected after the horizon's end), else ``period``. ``reason`` says
what set the date, first match wins: ``uncertain``, ``hold`` (the floor moved it), ``shift``
(a what-if moved it), ``promise``, ``conditional`` (x > 0), ``terms`` (unbilled work past its
date), ``median`` / ``p90`` (from the delays), ``due`` (contractual, or no history at all).

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

*Cash at as_of.* The opening balance is the cash at the START of its date (SPEC 4.2):
``opening_balance`` + payments received on or after ``opening_balance_date`` up to and
including ``as_of`` - expense occurrences on or after ``opening_balance_date`` and before
``as_of`` (all converted). So a payment recorded on the opening date always counts, and the
cash at ``as_of`` holds that day's payments but not its expenses (those are the first
period's outflows). Without an opening date the opening balance is taken as is. When
``as_of`` is before the opening date the same convention is walked back: opening balance -
payments received after ``as_of`` and before the opening date + expense occurrences from
``as_of`` to the day before the opening date (the opening date's own movements come after
its opening balance).

*Periods table.* inflow, outflow, net = inflow - outflow, balance = previous balance + net
(the first from ``cash_at_as_of``). ``later`` = converted inflows expected after the
horizon's end. ``uncertain`` = converted uncertain amounts (expected only). The lowest
balance is counted day by day: cash at as_of, then the balance at the end of each day to the
horizon's end (that day's placed inflows and outflows); the lowest of these (never above cash
at as_of), the earliest day on ties: ``lowest_date``, and ``lowest`` = (start of the period
holding it, balance).

*Longest gap* (what a freelancer budgets on: how many days the cash must carry them before
money comes in again). The expected inflow days are the expected dates of the milestones
placed ``period`` or ``later`` (dated and converted; not uncertain, at risk, unconverted or
dropped). ``longest_gap_days`` = the longest run of consecutive days with none of them that
an expected inflow ends: from ``as_of`` (counted) to the day before the first inflow day, or
the days strictly between two consecutive inflow days; ``longest_gap`` = its first and last
day (the earliest on ties; None when it is 0 days). ``later`` inflows count, so the figure is
the same whatever the period kind and the horizon (a weekly and a monthly report of a book
agree), and a gap an inflow after the horizon's end closes is counted in full. The days
after the last inflow day are not a gap of known length (the horizon's end is no inflow):
they are told as ``last_inflow_date``, "no inflow expected after" it; with no inflow day at
all ``last_inflow_date`` is None and ``longest_gap_days`` 0 (nothing is expected, ever).

*Tax reserve, free cash, safe to spend.* With p = ``settings.tax_reserve_percent`` and
``since`` = ``settings.tax_reserve_since`` (no date: from the start of the book), the reserve
is kept on the same two footings as the balance, so that free cash = balance - reserve is the
money that is the user's:

- at as_of (``tax_reserve``, beside ``cash_at_as_of``): p % of the payments received from
  ``since`` up to and including as_of, minus the expense occurrences of category ``tax``
  (:data:`TAX_CATEGORY`) from ``since`` to the day BEFORE as_of. As_of's own tax expenses are
  first-period outflows, not yet out of the cash, so not yet out of the reserve either.
- at the end of each day D from as_of to the horizon's end: the same plus p % of the inflows
  placed in this scenario on days up to D, minus the tax expense occurrences (outflows) up to
  D. Payments received after as_of are not known at as_of (their milestones' open amounts are
  the inflows).
- every amount converted on its own as the cash is (no rate: left out, as the cash leaves it
  out); each day the total is p % of (payments + inflows) rounded once, half up, to the cent,
  minus the tax paid, floored at 0. So a tax payment comes out of the reserve, not out of free
  cash, until the reserve is spent.
- ``since`` applies to the placed inflows too (our decision, the SPEC names it for payments):
  an inflow expected before ``since`` is a payment that would be received before it, so it is
  not reserved. It only matters when ``since`` is after as_of.

Free cash = balance - reserve, at as_of and at each day's end; ``lowest_free`` is the lowest of
these (earliest day on ties, so as_of when nothing goes below it), its day is
``safe_to_spend_limit_date``, and ``safe_to_spend`` = max(0, lowest_free -
``settings.cash_floor``). Each period row gives ``reserve`` and ``free`` at its last day.
``outflow_by_category``: the converted outflows per period and expense category (the book's
text, '' when none; per period they sum to ``outflow``). With p = 0 the reserve is 0 on every
day, free cash is the balance and ``lowest_free`` is ``lowest``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

import polars as pl

from tui.analytics.aging import is_billed
from tui.analytics.base import (
    CLOSED,
    MONEY,
    BookData,
    engine_for,
    fully_paid_on,
    open_amount,
)
from tui.analytics.expenses import expense_occurrences
from tui.domain.dates import add_months
from tui.domain.model import Settings

__all__ = [
    "PLACEMENTS",
    "PLACEMENT_COLUMNS",
    "REASONS",
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
PLACEMENTS = ("period", "later", "at_risk", "uncertain", "unconverted", "dropped")
#: why a milestone has its date (placements' ``reason``), see the module doc
REASONS = ("due", "terms", "median", "p90", "conditional", "promise", "shift", "hold", "uncertain")
#: pessimistic: open amounts more than this many days past due are at risk (SPEC 4.2)
AT_RISK_DAYS = 90
#: period and report totals
TOTAL = pl.Decimal(38, 2)
CENT = Decimal("0.01")
#: the expense category of a tax payment: paid out of the tax reserve (SPEC 4.2)
TAX_CATEGORY = "tax"

PLACEMENT_COLUMNS = [
    "milestone_id", "client_id", "client", "contract", "seq", "milestone", "currency", "open",
    "open_home", "due_date", "days_past_due", "delay", "expected_date", "placement",
    "period_start", "forecast_due", "delay_from", "reason", "promised_on", "hold_until",
]  # fmt: skip
#: the (client, delay) search key of :func:`_conditional`: client_id * 2**32 + delay + 2**31
_KEY_SHIFT = 1 << 32
_KEY_OFFSET = 1 << 31
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
    #: start, end (Date), inflow, outflow, net, balance, reserve, free (Decimal(38,2)), one row
    #: per period; reserve and free (= balance - reserve) are at the period's last day
    periods: pl.DataFrame
    #: home-currency inflows expected after the horizon's end
    later: Decimal
    #: pessimistic only: open amounts > 90 days past due and the uncertain ones (home
    #: currency), else 0
    at_risk: Decimal
    #: expected only: open amounts later than their history knows (placement ``uncertain``,
    #: in no period; home currency), else 0 (pessimistic counts them in at_risk)
    uncertain: Decimal
    #: currency, amount: open amounts in currencies with no fx rate (never dropped, never at par)
    unconverted: pl.DataFrame
    #: the lowest balance counted day by day (cash at as_of, then each day-end balance; never
    #: above cash at as_of, earliest day on ties): the start of the period holding that day,
    #: and the balance
    lowest: tuple[dt.date, Decimal]
    #: the day of the lowest balance (as_of when nothing ever goes below cash at as_of)
    lowest_date: dt.date
    #: longest run of days with no expected inflow that an expected inflow ends (from as_of,
    #: counted, or between two inflow days; ``later`` inflows count, the horizon's end does not
    #: end a gap): the same for every period kind and horizon; 0 with no inflow at all
    longest_gap_days: int
    #: per open milestone (open > 0), by milestone_id: ``PLACEMENT_COLUMNS``: days_past_due
    #: (as_of - forecast_due, <= 0 for unbilled work), delay (the scenario's delay in days, 0
    #: for contractual, null when promised or uncertain), expected_date (null when uncertain),
    #: period_start (null unless placed in a period), forecast_due, delay_from ('client' |
    #: 'portfolio' | 'none', null for contractual, promised or uncertain), reason (one of
    #: ``REASONS``), promised_on (as in the book), hold_until (the active hold's end, else
    #: null); ``open_home`` is null for an unconverted currency; ``placement`` is one of
    #: ``PLACEMENTS``
    placements: pl.DataFrame
    #: expense occurrences in the horizon: expense_id, name, date, amount, currency, amount_home
    outflows: pl.DataFrame
    adjustments: tuple[Adjustment, ...]
    #: the tax reserve at as_of (matching cash_at_as_of: as_of's payments in, its tax expenses
    #: not yet; see the module doc)
    tax_reserve: Decimal
    #: max(0, lowest_free - settings.cash_floor): what can be spent today without free cash
    #: ever going below the floor within the horizon
    safe_to_spend: Decimal
    #: the lowest free cash (balance - reserve) of as_of's start and each day-end to the
    #: horizon's end, never above cash_at_as_of - tax_reserve
    lowest_free: Decimal
    #: the day lowest_free falls on (what limits safe_to_spend; earliest on ties, as_of when
    #: free cash never goes below its value at as_of)
    safe_to_spend_limit_date: dt.date
    #: start (the period's), category (as in the book, '' when none), outflow: the converted
    #: outflows per period and category (only pairs with an outflow; per period they sum to
    #: the period's outflow to the cent)
    outflow_by_category: pl.DataFrame
    #: part ('outflow' | 'cash_in' | 'cash_out'), currency, amount: expenses and cash movements
    #: in currencies with no fx rate, left out of outflows and cash_at_as_of
    unconverted_other: pl.DataFrame = field(default_factory=_empty_unconverted_other)
    #: the first and last day of the longest gap (the earliest on ties), None when it is 0 days
    longest_gap: tuple[dt.date, dt.date] | None = None
    #: the last expected inflow day (period or later): no inflow is expected after it; None when
    #: no inflow is expected at all
    last_inflow_date: dt.date | None = None

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


def _delay_table(
    facts: pl.DataFrame, client_ids: pl.Series, samples: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Per client the delays each scenario uses, with the portfolio fallback applied."""
    samples = (_samples(facts) if samples is None else samples).lazy()
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


@dataclass(frozen=True)
class _Gap:
    days: int
    span: tuple[dt.date, dt.date] | None
    last_inflow: dt.date | None


def _longest_gap(placements: pl.DataFrame, as_of: dt.date) -> _Gap:
    """The longest run of days without an expected inflow that one ends (module doc)."""
    days = (
        placements.filter(pl.col("placement").is_in(["period", "later"]))
        .get_column("expected_date")
        .unique()
        .sort()
        .to_list()
    )
    one = dt.timedelta(days=1)
    best, prev = 0, as_of - one
    span: tuple[dt.date, dt.date] | None = None
    for d in days:
        if (d - prev).days - 1 > best:
            best, span = (d - prev).days - 1, (prev + one, d - one)
        prev = d
    return _Gap(best, span, days[-1] if days else None)


# ---- cash at as_of ------------------------------------------------------------------------


def _payments_between(book: BookData, lo: dt.date | None, hi: dt.date) -> pl.LazyFrame:
    """currency, amount of the payments received from ``lo`` (None: any day) to ``hi``."""
    on = pl.col("received_on")
    return (
        book.payments.lazy()
        .filter((on <= hi) if lo is None else on.is_between(lo, hi))
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


def _cash_at(book: BookData, rates: pl.DataFrame, as_of: dt.date) -> tuple[Decimal, pl.DataFrame]:
    """Cash at as_of from the opening balance (see the module doc) and what could not be converted."""
    settings = book.settings
    opening = Decimal(settings.opening_balance).quantize(CENT)
    od = settings.opening_balance_date
    if od is None:
        return opening, _empty_unconverted_other()
    day = dt.timedelta(days=1)
    if od <= as_of:
        sign, pay_window, exp_window = 1, (od, as_of), (od, as_of - day)
    else:
        sign, pay_window, exp_window = -1, (as_of + day, od - day), (as_of, od - day)
    payments = _payments_between(book, *pay_window)
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


def _lowest(
    cash: Decimal, in_period: pl.DataFrame, outflows: pl.DataFrame, as_of: dt.date
) -> tuple[dt.date, Decimal]:
    """The lowest of cash at as_of and each day-end balance (earliest day on ties)."""
    moves = (
        pl.concat(
            [
                in_period.select(
                    pl.col("expected_date").alias("date"), pl.col("open_home").cast(TOTAL)
                ),
                outflows.filter(pl.col("amount_home").is_not_null()).select(
                    "date", (-pl.col("amount_home")).cast(TOTAL).alias("open_home")
                ),
            ]
        )
        .group_by("date")
        .agg(pl.col("open_home").sum().cast(TOTAL))
        .sort("date")
    )
    best_date, best, balance = as_of, cash, cash
    for date, net in moves.iter_rows():
        balance += net
        if balance < best:
            best_date, best = date, balance
    return best_date, Decimal(best).quantize(CENT)


# ---- tax reserve, free cash, safe to spend -----------------------------------------------


@dataclass(frozen=True)
class _Free:
    """What the day-by-day walk of the reserve and free cash found (see the module doc)."""

    reserve_at_as_of: Decimal
    #: the reserve at the end of each period (the last day of each of ``bounds``)
    period_reserves: list[Decimal]
    lowest_free: Decimal
    lowest_free_date: dt.date


def _categorised(book: BookData, outflows: pl.DataFrame) -> pl.DataFrame:
    """The converted outflows (amount_home not null) with their expense's category."""
    categories = book.expenses.select(
        pl.col("id").cast(pl.Int64).alias("expense_id"),
        pl.col("category").fill_null("").alias("category"),
    )
    return outflows.filter(pl.col("amount_home").is_not_null()).join(
        categories, on="expense_id", how="left", maintain_order="left"
    )


def _reserve_before(
    book: BookData, rates: pl.DataFrame, as_of: dt.date, since: dt.date | None
) -> tuple[Decimal, Decimal]:
    """(payments received from ``since`` up to and including as_of, tax expense occurrences
    from ``since`` up to the day before as_of), both converted; no rate: left out."""
    paid = _convert(_payments_between(book, since, as_of), "amount", rates, "home").collect()
    tax = book.expenses.filter(pl.col("category") == TAX_CATEGORY)
    taxed = Decimal("0.00")
    if tax.height:
        first = since if since is not None else tax["next_date"].min()
        before = as_of - dt.timedelta(days=1)
        spent = expense_occurrences(tax, first, before)  # type: ignore[arg-type]
        taxed = _sum(_convert(spent.lazy(), "amount", rates, "home").collect()["home"])
    return _sum(paid["home"]), taxed


def _reserve(percent: Decimal, base: Decimal, taxed: Decimal) -> Decimal:
    """percent % of ``base`` minus ``taxed``, rounded half up to the cent, floored at 0."""
    kept = (base * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP) - taxed
    return max(kept, Decimal("0.00"))


def _free_walk(
    book: BookData,
    rates: pl.DataFrame,
    as_of: dt.date,
    bounds: list[tuple[dt.date, dt.date]],
    cash: Decimal,
    in_period: pl.DataFrame,
    categorised: pl.DataFrame,
    low: tuple[dt.date, Decimal],
) -> _Free:
    """The reserve at as_of and at each period's end, and the lowest free cash with its day."""
    settings = book.settings
    percent = Decimal(settings.tax_reserve_percent)
    zero = Decimal("0.00")
    if percent == 0:  # 0 % of anything less any tax paid, floored at 0: no reserve, ever
        return _Free(zero, [zero] * len(bounds), low[1], low[0])
    since = settings.tax_reserve_since
    base, taxed = _reserve_before(book, rates, as_of, since)

    def on_since(col: str) -> pl.Expr:
        return pl.lit(True) if since is None else pl.col(col) >= since

    moves = (
        pl.concat(
            [
                in_period.select(
                    pl.col("expected_date").alias("date"),
                    pl.col("open_home").cast(TOTAL).alias("net"),
                    pl.when(on_since("expected_date"))
                    .then(pl.col("open_home"))
                    .cast(TOTAL)
                    .alias("base"),
                    pl.lit(None, dtype=TOTAL).alias("tax"),
                ),
                categorised.select(
                    "date",
                    (-pl.col("amount_home")).cast(TOTAL).alias("net"),
                    pl.lit(None, dtype=TOTAL).alias("base"),
                    pl.when(on_since("date") & (pl.col("category") == TAX_CATEGORY))
                    .then(pl.col("amount_home"))
                    .cast(TOTAL)
                    .alias("tax"),
                ),
            ]
        )
        .group_by("date")
        .agg(pl.col("net", "base", "tax").sum().cast(TOTAL))
        .sort("date")
    )
    reserve = at_as_of = _reserve(percent, base, taxed)
    best_date, best, balance = as_of, cash - reserve, cash
    ends, k, period_reserves = [hi for _, hi in bounds], 0, []
    for date, net, more, paid in moves.iter_rows():
        while date > ends[k]:  # the periods ended before this day keep the reserve so far
            period_reserves.append(reserve)
            k += 1
        balance += net
        base += more
        taxed += paid
        reserve = _reserve(percent, base, taxed)
        if balance - reserve < best:
            best_date, best = date, balance - reserve
    period_reserves += [reserve] * (len(bounds) - len(period_reserves))
    return _Free(
        reserve_at_as_of=at_as_of,
        period_reserves=period_reserves,
        lowest_free=Decimal(best).quantize(CENT),
        lowest_free_date=best_date,
    )


def _by_category(categorised: pl.DataFrame, period: str) -> pl.DataFrame:
    """start, category, outflow: the converted outflows of each period per category."""
    return (
        categorised.group_by(_truncate("date", period).alias("start"), "category")
        .agg(pl.col("amount_home").sum().cast(TOTAL).alias("outflow"))
        .sort("start", "category")
    )


def _period_index(bounds: list[tuple[dt.date, dt.date]], day: dt.date) -> int:
    """The index of the period holding ``day``."""
    return next(i for i, (lo, hi) in enumerate(bounds) if lo <= day <= hi)


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
    samples = _samples(facts)
    delays = _delay_table(facts, book.clients["id"], samples)
    placements = _place(
        book, facts, samples, delays, rates, as_of, end, scenario, period, adjustments
    ).sort("milestone_id")

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

    low_date, low = _lowest(cash, in_period, outflows, as_of)
    gap = _longest_gap(placements, as_of)
    categorised = _categorised(book, outflows)
    free = _free_walk(book, rates, as_of, bounds, cash, in_period, categorised, (low_date, low))
    periods = periods.with_columns(
        pl.Series("reserve", free.period_reserves, dtype=TOTAL)
    ).with_columns((pl.col("balance") - pl.col("reserve")).cast(TOTAL).alias("free"))
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
        uncertain=_sum(placements.filter(pl.col("placement") == "uncertain")["open_home"]),
        unconverted=unconverted if unconverted.height else _empty_unconverted(),
        lowest=(bounds[_period_index(bounds, low_date)][0], low),
        lowest_date=low_date,
        longest_gap_days=gap.days,
        longest_gap=gap.span,
        last_inflow_date=gap.last_inflow,
        placements=placements,
        outflows=outflows,
        adjustments=adjustments,
        tax_reserve=free.reserve_at_as_of,
        safe_to_spend=max(
            free.lowest_free - Decimal(settings.cash_floor).quantize(CENT), Decimal("0.00")
        ),
        lowest_free=free.lowest_free,
        safe_to_spend_limit_date=free.lowest_free_date,
        outflow_by_category=_by_category(categorised, period),
        unconverted_other=other,
    )


def _samples(facts: pl.DataFrame) -> pl.DataFrame:
    """The delay samples (fully paid milestones): client_id, delay, sorted by both."""
    return (
        facts.lazy()
        .filter(pl.col("fully_paid_on").is_not_null())
        .select(
            pl.col("client_id").cast(pl.Int64),
            (pl.col("fully_paid_on") - pl.col("due_date"))
            .dt.total_days()
            .cast(pl.Int64)
            .alias("delay"),
        )
        .sort("client_id", "delay")
        .collect(engine=engine_for(facts))
    )


def _stat_of_tail(flat: pl.Series, first: pl.Series, count: pl.Series, stat: str) -> pl.Series:
    """The statistic of the ``count`` sorted delays ``flat[first:first+count]`` of each row
    (exact integers as in :func:`_delay_stats`), null where ``count`` < 2."""
    ok = pl.col("count") >= 2
    at = pl.DataFrame({"first": first.cast(pl.Int64), "count": count.cast(pl.Int64)}).select(
        pl.when(ok).then(pl.col("first") + (pl.col("count") - 1) // 2).alias("lo"),
        pl.when(ok).then(pl.col("first") + pl.col("count") // 2).alias("hi"),
        pl.when(ok).then(pl.col("first") + (9 * pl.col("count") + 9) // 10 - 1).alias("p90"),
    )
    if stat == "p90":
        return flat.gather(at["p90"])
    return (flat.gather(at["lo"]) + flat.gather(at["hi"]) + 1) // 2


def _conditional(
    samples: pl.DataFrame, client_id: pl.Series, x: pl.Series, stat: str
) -> tuple[pl.Series, pl.Series]:
    """Per row (a client and x > 0 days past due): the delay from the delays greater than x
    (the client's with at least 2 such, else the pooled ones with at least 2 such) and where
    it came from ('client' / 'portfolio'); both null when neither has 2 (uncertain).

    The samples are sorted by (client, delay), so the delays above x of a client are the run
    from the first key above (client, x) to the client's last: found by binary search on one
    Int64 key per sample, with no per-row list.
    """
    cid, x = client_id.cast(pl.Int64), x.cast(pl.Int64)
    keys = samples["client_id"] * _KEY_SHIFT + samples["delay"] + _KEY_OFFSET
    first = keys.search_sorted(cid * _KEY_SHIFT + x + _KEY_OFFSET, side="right").cast(pl.Int64)
    stop = keys.search_sorted((cid + 1) * _KEY_SHIFT, side="left").cast(pl.Int64)
    own = _stat_of_tail(samples["delay"], first, stop - first, stat)
    pooled = samples["delay"].sort()
    p_first = pooled.search_sorted(x, side="right").cast(pl.Int64)
    pool = _stat_of_tail(pooled, p_first, pooled.len() - p_first, stat)
    frame = pl.DataFrame({"own": own, "pool": pool}).select(
        pl.coalesce("own", "pool").cast(pl.Int64).alias("delay"),
        pl.when(pl.col("own").is_not_null())
        .then(pl.lit("client"))
        .when(pl.col("pool").is_not_null())
        .then(pl.lit("portfolio"))
        .alias("from"),
    )
    return frame["delay"], frame["from"]


def _place(
    book: BookData,
    facts: pl.DataFrame,
    samples: pl.DataFrame,
    delays: pl.DataFrame,
    rates: pl.DataFrame,
    as_of: dt.date,
    end: dt.date,
    scenario: str,
    period: str,
    adjustments: tuple[Adjustment, ...],
) -> pl.DataFrame:
    """Each open milestone with its converted amount, expected date, reason and placement."""
    shift = pl.lit(0, dtype=pl.Int64)
    dropped: list[int] = []
    for a in adjustments:
        if a.kind == "drop_client":
            dropped.append(a.target)
            continue
        key = "client_id" if a.kind == "shift_client" else "milestone_id"
        shift = shift + pl.when(pl.col(key) == a.target).then(a.days).otherwise(0)
    start = pl.lit(as_of, dtype=pl.Date)
    open_rows = facts.filter(pl.col("open") > 0)
    rows = open_rows["row"]
    extra = book.milestones.select(
        pl.col("seq").cast(pl.Int64).gather(rows),
        pl.col("title").gather(rows).alias("milestone"),
        pl.col("invoiced_on").gather(rows),
        pl.col("status").gather(rows),
        pl.col("promised_on").gather(rows),
    )
    names = (
        book.contracts.lazy()
        .select(
            pl.col("id").cast(pl.Int64).alias("contract_id"),
            pl.col("title").alias("contract"),
            pl.col("client_id").cast(pl.Int64),
            pl.col("payment_terms_days").cast(pl.Int64).alias("terms"),
        )
        .join(
            book.clients.lazy().select(
                pl.col("id").cast(pl.Int64).alias("client_id"), pl.col("name").alias("client")
            ),
            on="client_id",
            how="left",
        )
        .select("contract_id", "contract", "client", "terms")
    )
    held = (
        book.holds.lazy()
        .filter(
            (pl.col("until") >= as_of)
            & (pl.col("released_on").is_null() | (pl.col("released_on") > as_of))
        )
        .group_by(pl.col("milestone_id").cast(pl.Int64))
        .agg(pl.col("until").max().alias("hold_until"))
    )
    # billed as aging, fees and the chase queue count it: an invoice dated on or before as_of
    # (the domain requires one of invoiced and disputed milestones)
    billed = is_billed(as_of)
    lf = (
        pl.concat([open_rows, extra], how="horizontal")
        .lazy()
        .join(names, on="contract_id", how="left", maintain_order="left")
        .join(
            delays.lazy().select("client_id", "median_delay", "p90_delay", "source"),
            on="client_id",
            how="left",
            maintain_order="left",
        )
        .join(held, on="milestone_id", how="left", maintain_order="left")
        .with_columns(
            # work due today and not invoiced is to invoice today (as aging's to_invoice)
            (~billed & (pl.col("due_date") <= as_of)).alias("unbilled_late"),
        )
        .with_columns(
            pl.when(pl.col("unbilled_late"))
            .then(start + pl.duration(days=pl.col("terms").fill_null(0)))
            .otherwise(pl.col("due_date"))
            .alias("forecast_due"),
        )
        .with_columns(
            (start - pl.col("forecast_due")).dt.total_days().cast(pl.Int64).alias("days_past_due")
        )
    )
    lf = _convert(lf, "open", rates, "open_home")
    df = lf.collect(engine=engine_for(book.milestones))

    x = pl.col("days_past_due")
    if scenario == "contractual":
        df = df.with_columns(
            pl.lit(0, dtype=pl.Int64).alias("delay"),
            pl.lit(None, dtype=pl.String).alias("delay_from"),
            pl.lit(False).alias("promised"),
        )
    else:
        stat = "median" if scenario == "expected" else "p90"
        late = df.select("client_id", "days_past_due").with_row_index("i").filter(x > 0)
        cond, cond_from = _conditional(samples, late["client_id"], late["days_past_due"], stat)
        found = late.select("i", cond.alias("cond"), cond_from.alias("cond_from"))
        promised = (
            (pl.col("promised_on") >= as_of).fill_null(False)
            if scenario == "expected"
            else pl.lit(False)
        )
        df = (
            df.with_row_index("i")
            .join(found, on="i", how="left", maintain_order="left")
            .drop("i")
            .with_columns(promised.alias("promised"))
        ).with_columns(
            pl.when(pl.col("promised"))
            .then(None)
            .when(x > 0)
            .then(pl.col("cond"))
            .otherwise(pl.col(f"{stat}_delay").fill_null(0))
            .alias("delay"),
            pl.when(pl.col("promised"))
            .then(None)
            .when(x > 0)
            .then(pl.col("cond_from"))
            .otherwise(pl.col("source").fill_null("none"))
            .alias("delay_from"),
        )
    uncertain = ~pl.col("promised") & (x > 0) & pl.col("delay").is_null()
    if scenario == "contractual":
        uncertain = pl.lit(False)
    base = (
        pl.when(pl.col("promised"))
        .then(pl.col("promised_on"))
        .otherwise(pl.col("forecast_due") + pl.duration(days=pl.col("delay").fill_null(0)))
    )
    shifted = pl.max_horizontal(start, base + pl.duration(days=shift))
    floor = pl.col("hold_until") + pl.duration(days=1)
    df = df.with_columns(
        uncertain.alias("uncertain"),
        shift.alias("shift"),
        shifted.alias("shifted"),
    ).with_columns(
        pl.when(pl.col("uncertain"))
        .then(None)
        .otherwise(pl.max_horizontal("shifted", floor))
        .alias("expected_date"),
    )
    history = "median" if scenario == "expected" else "p90"
    reason = (
        pl.when(pl.col("uncertain"))
        .then(pl.lit("uncertain"))
        .when(floor > pl.col("shifted"))
        .then(pl.lit("hold"))
        .when(pl.col("shift") != 0)
        .then(pl.lit("shift"))
        .when(pl.col("promised"))
        .then(pl.lit("promise"))
        .when(pl.lit(scenario != "contractual") & (x > 0))
        .then(pl.lit("conditional"))
        .when(pl.col("unbilled_late"))
        .then(pl.lit("terms"))
        .when(pl.lit(scenario != "contractual") & (pl.col("delay_from") != "none"))
        .then(pl.lit(history))
        .otherwise(pl.lit("due"))
    )
    placement = (
        pl.when(pl.col("client_id").is_in(pl.Series(dropped, dtype=pl.Int64).implode()))
        .then(pl.lit("dropped"))
        .when(pl.col("open_home").is_null())
        .then(pl.lit("unconverted"))
        .when(pl.lit(scenario == "pessimistic") & ((x > AT_RISK_DAYS) | pl.col("uncertain")))
        .then(pl.lit("at_risk"))
        .when(pl.col("uncertain"))
        .then(pl.lit("uncertain"))
        .when(pl.col("expected_date") > end)
        .then(pl.lit("later"))
        .otherwise(pl.lit("period"))
    )
    return (
        df.with_columns(reason.alias("reason"), placement.alias("placement"))
        .with_columns(
            pl.when(pl.col("placement") == "period")
            .then(_truncate("expected_date", period))
            .alias("period_start")
        )
        .select(PLACEMENT_COLUMNS)
    )
