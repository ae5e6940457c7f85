"""Forecast accuracy (SPEC 4.6): how far to trust the forecast, measured on the book's history.

Rules, with a worked example: docs/rules.md#forecast-accuracy

Pure Polars + Python: no textual, no duckdb, no clock. Money stays Decimal; WAPE and bias are
exact ratios rounded once, half up, to 4 places.

*Windows.* A window starts on a Monday A and ends on ``A + 7 * lead`` (both days counted for
the forecast, see below). The windows are the ``weeks`` latest Mondays whose window ends by
``as_of`` (``A + 7 * lead <= as_of``), one week apart, oldest first. A window whose Monday is
before the book's first known day (the earliest day any contract is known, below) is left
out: nothing was known then, so the forecast had nothing to say. So a young book has fewer
windows, or none.

*The book as known at A* (each window's view is built once and serves every scenario):

- contracts known at A: a contract is known from the earliest of its start date, its signed
  date, the first invoice date of its milestones and the first payment on them (so a contract
  with neither date is known from its first invoice or payment, and a deposit paid before
  the start date makes it known then); one with none of these is never known (today's
  pipeline, not history). Only the milestones of known contracts are in the view, all of them
  as they are now (amounts and due dates as now; milestones added since cannot be dated);
- payments received on or before A; chase events dated on or before A;
- an invoice dated after A is not billed: ``invoiced_on`` is cleared and an ``invoiced`` or
  ``disputed`` status becomes ``delivered`` (the forecast counts an invoiced status without a
  date as billed);
- promises are ignored (``promised_on`` cleared): when a promise was made cannot be dated;
- holds as they are now, judged at A by the forecast's own rule (active when ``until >= A``
  and not released on or before A); when a hold was put cannot be dated;
- milestone statuses as they are now: a milestone cancelled or written off after A cannot be
  dated and counts as closed in every window (``caveat`` says so and ``closed_now`` counts
  the milestones it concerns);
- what does not move the inflows is left out to keep it fast: no expenses, no opening
  balance, no tax reserve (they change the balances, never a placement).

*Predicted.* The weekly forecast as of A (``horizon = lead + 1`` weeks, so it reaches past
``A + 7 * lead``) for each scenario: the sum of ``open_home`` of the milestones it places in a
period with an expected date in ``[A, A + 7 * lead]``. Uncertain, at-risk and later amounts
are not predicted for the window; an open amount in a currency without an exchange rate is
left out (``unconverted``).

*Actual.* Every payment received in ``(A, A + 7 * lead]``, converted to the home currency
with the settings' rates (each payment on its own, rounded half up to the cent), whatever
contract it is on: a deposit on a contract signed after A is money the forecast did not
see, and counts against it. A payment in a currency without a rate is left out, as the
predicted side leaves that currency out (``unrated`` lists such currencies).

*Figures* per scenario, over the windows, in the home currency: ``WAPE = sum |predicted -
actual| / sum actual`` and ``bias = sum (predicted - actual) / sum actual`` (positive: the
forecast expected more than came in), ``None`` when nothing came in (sum actual is 0).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

import polars as pl

from tui.analytics.aging import INVOICED_STATUSES
from tui.analytics.base import CLOSED, MONEY, BookData
from tui.analytics.forecast import SCENARIOS, forecast

__all__ = [
    "CAVEAT",
    "WINDOW_COLUMNS",
    "AccuracyReport",
    "ScenarioAccuracy",
    "accuracy_windows",
    "book_as_known",
    "forecast_accuracy",
]

TOTAL = pl.Decimal(38, 2)
CENT = Decimal("0.01")
RATIO = Decimal("0.0001")
#: the columns of :attr:`AccuracyReport.windows`
WINDOW_COLUMNS = ["start", "end", "scenario", "predicted", "actual", "error"]
CAVEAT = (
    "Statuses changed later cannot be dated: a milestone cancelled or written off after a "
    "window's start is taken as it is now, closed in every window."
)


@dataclass(frozen=True)
class ScenarioAccuracy:
    """One scenario's accuracy over the windows (home currency)."""

    scenario: str
    windows: int
    #: sums over the windows
    predicted: Decimal
    actual: Decimal
    #: sum of |predicted - actual| over the windows
    abs_error: Decimal
    #: sum |predicted - actual| / sum actual, 4 places half up; None when sum actual is 0
    wape: Decimal | None
    #: sum (predicted - actual) / sum actual, 4 places half up; None when sum actual is 0
    bias: Decimal | None


@dataclass(frozen=True)
class AccuracyReport:
    """Forecast accuracy at ``as_of`` (SPEC 4.6; the rules are in the module doc)."""

    as_of: dt.date
    weeks: int
    lead: int
    currency: str  # home currency
    #: one per scenario asked, in the order asked
    scenarios: tuple[ScenarioAccuracy, ...]
    #: one row per window and scenario, oldest window first, scenarios in the order asked:
    #: start (A, a Monday), end (A + 7 * lead), scenario, predicted, actual, error
    #: (predicted - actual); money as Decimal(38,2)
    windows: pl.DataFrame
    #: always set: statuses changed later cannot be dated (SPEC 4.6)
    caveat: str
    #: milestones now cancelled or written off that were known and not fully paid at the start
    #: of a window (counted as closed there all the same)
    closed_now: int
    #: currencies of the book's contracts with no exchange rate: left out of both sides
    unrated: tuple[str, ...]

    @property
    def window_count(self) -> int:
        """How many windows were measured."""
        return self.windows["start"].n_unique()

    def scenario(self, name: str) -> ScenarioAccuracy:
        """The figures of one scenario."""
        for s in self.scenarios:
            if s.scenario == name:
                return s
        raise KeyError(name)


def accuracy_windows(as_of: dt.date, weeks: int, lead: int) -> list[dt.date]:
    """The Mondays A of the ``weeks`` latest windows ending by as_of, oldest first."""
    last_end = as_of - dt.timedelta(days=7 * lead)
    last = last_end - dt.timedelta(days=last_end.weekday())
    return [last - dt.timedelta(weeks=k) for k in range(weeks - 1, -1, -1)]


def _ratio(num: Decimal, den: Decimal) -> Decimal | None:
    if den == 0:
        return None
    return (num / den).quantize(RATIO, rounding=ROUND_HALF_UP)


def _dec(value: object) -> Decimal:
    return Decimal(value or 0).quantize(CENT)  # type: ignore[arg-type]


def _known_on(book: BookData) -> pl.DataFrame:
    """Per contract: the first day it is known (null: never), see the module doc."""
    ms = book.milestones.select(
        pl.col("id").cast(pl.Int64).alias("milestone_id"),
        pl.col("contract_id").cast(pl.Int64),
        "invoiced_on",
    )
    paid_first = (
        book.payments.lazy()
        .group_by(pl.col("milestone_id").cast(pl.Int64))
        .agg(pl.col("received_on").min().alias("first_paid"))
    )
    evidence = (
        ms.lazy()
        .join(paid_first, on="milestone_id", how="left")
        .group_by("contract_id")
        .agg(
            pl.min_horizontal(pl.col("invoiced_on").min(), pl.col("first_paid").min()).alias(
                "evidence"
            )
        )
    )
    return (
        book.contracts.lazy()
        .select(
            pl.col("id").cast(pl.Int64).alias("contract_id"),
            pl.col("start_date"),
            pl.col("signed_on"),
        )
        .join(evidence, on="contract_id", how="left")
        .select(
            "contract_id",
            pl.min_horizontal("start_date", "signed_on", "evidence").alias("known_on"),
        )
        .collect()
    )


class _History:
    """What every as-of view shares, computed once: each contract's first known day."""

    def __init__(self, book: BookData) -> None:
        self.book = book
        self.known = _known_on(book)
        self.milestones = book.milestones.join(
            self.known.rename({"contract_id": "contract_id_"}),
            left_on=pl.col("contract_id").cast(pl.Int64),
            right_on="contract_id_",
            how="left",
        )
        self.settings = replace(
            book.settings,
            opening_balance=Decimal("0.00"),
            opening_balance_date=None,
            tax_reserve_percent=Decimal("0"),
            tax_reserve_since=None,
            cash_floor=Decimal("0.00"),
        )
        self.no_expenses = book.expenses.head(0)

    def at(self, a: dt.date) -> BookData:
        """The book as it was known at ``a`` (see the module doc): the book's own frames
        object with the tables narrowed (``dataclasses.replace``; no second list of tables)."""
        book = self.book
        late_invoice = pl.col("invoiced_on") > a
        milestones = (
            self.milestones.filter(pl.col("known_on") <= a)
            .with_columns(
                pl.when(late_invoice & pl.col("status").is_in(INVOICED_STATUSES))
                .then(pl.lit("delivered"))
                .otherwise(pl.col("status"))
                .alias("status"),
                pl.when(late_invoice)
                .then(None)
                .otherwise(pl.col("invoiced_on"))
                .alias("invoiced_on"),
                pl.when(pl.col("delivered_on") > a)
                .then(None)
                .otherwise(pl.col("delivered_on"))
                .alias("delivered_on"),
                pl.lit(None, dtype=pl.Date).alias("promised_on"),
            )
            .drop("known_on")
        )
        contract_ids = self.known.filter(pl.col("known_on") <= a)["contract_id"]
        return replace(
            book,  # type: ignore[type-var]
            contracts=book.contracts.filter(pl.col("id").is_in(contract_ids.implode())),
            milestones=milestones,
            payments=book.payments.filter(pl.col("received_on") <= a),
            chase_events=book.chase_events.filter(pl.col("date") <= a),
            change_orders=book.change_orders.filter(
                (pl.col("date") <= a) & pl.col("contract_id").is_in(contract_ids.implode())
            ),
            fee_claims=book.fee_claims.filter(pl.col("claimed_on") <= a),
            expenses=self.no_expenses,
            settings=self.settings,
        )


def book_as_known(book: BookData, at: dt.date) -> BookData:
    """The book as it was known at ``at``, as forecast accuracy sees it (module doc)."""
    return _History(book).at(at)


def forecast_accuracy(
    book: BookData,
    as_of: dt.date,
    *,
    weeks: int = 26,
    lead: int = 4,
    scenarios: Sequence[str] = ("contractual", "expected", "pessimistic"),
) -> AccuracyReport:
    """How the forecast made at past Mondays compared with what came in (SPEC 4.6)."""
    if isinstance(as_of, dt.datetime):
        as_of = as_of.date()
    if weeks < 1:
        raise ValueError(f"weeks must be at least 1, not {weeks}")
    if lead < 1:
        raise ValueError(f"lead must be at least 1 week, not {lead}")
    scenarios = tuple(dict.fromkeys(scenarios))  # each once, in the order given
    if not scenarios:
        raise ValueError(f"scenarios: give at least one of: {', '.join(SCENARIOS)}")
    for s in scenarios:
        if s not in SCENARIOS:
            raise ValueError(f"scenario '{s}' is not one of: {', '.join(SCENARIOS)}")
    settings = book.settings
    home = settings.home_currency
    rates = {str(c).upper(): Decimal(str(r)) for c, r in settings.fx.items()}
    rates[home] = Decimal(1)

    history = _History(book)
    first_known = history.known["known_on"].min()
    mondays = [
        a
        for a in accuracy_windows(as_of, weeks, lead)
        if first_known is not None and a >= first_known  # type: ignore[operator]
    ]
    currency_of = book.contracts.select(
        pl.col("id").cast(pl.Int64).alias("contract_id"), "currency"
    )
    unrated = tuple(sorted(set(currency_of["currency"].unique().to_list()) - set(rates)))
    # every payment with a rate, with its home-currency amount, for the actual side
    scale = 2 + max(max(-r.as_tuple().exponent, 0) for r in rates.values())  # type: ignore[operator]
    wide = pl.Decimal(38, scale)
    rate_frame = pl.DataFrame(
        {"currency": list(rates), "rate": list(rates.values())},
        schema={"currency": pl.String, "rate": wide},
    )
    received = (
        book.payments.lazy()
        .select(pl.col("milestone_id").cast(pl.Int64), "amount", "received_on")
        .join(
            book.milestones.lazy().select(
                pl.col("id").cast(pl.Int64).alias("milestone_id"),
                pl.col("contract_id").cast(pl.Int64),
            ),
            on="milestone_id",
        )
        .join(currency_of.lazy(), on="contract_id")
        .join(rate_frame.lazy(), on="currency", how="inner")
        .select(
            "received_on",
            (pl.col("amount").cast(wide) * pl.col("rate"))
            .round(2, mode="half_away_from_zero")
            .cast(MONEY)
            .alias("home"),
        )
        .collect()
    )

    rows: list[tuple[dt.date, dt.date, str, Decimal, Decimal]] = []
    closed_ids: set[int] = set()
    for a in mondays:
        end = a + dt.timedelta(days=7 * lead)
        view = history.at(a)
        closed_ids.update(_closed_unpaid(view))
        actual = _dec(
            received.filter((pl.col("received_on") > a) & (pl.col("received_on") <= end))["home"]
            .cast(TOTAL)
            .sum()
        )
        for s in scenarios:
            placed = forecast(view, a, scenario=s, period="week", horizon=lead + 1).placements
            predicted = _dec(
                placed.filter((pl.col("placement") == "period") & (pl.col("expected_date") <= end))[
                    "open_home"
                ]
                .cast(TOTAL)
                .sum()
            )
            rows.append((a, end, s, predicted, actual))

    windows = pl.DataFrame(
        {
            "start": [r[0] for r in rows],
            "end": [r[1] for r in rows],
            "scenario": [r[2] for r in rows],
            "predicted": [r[3] for r in rows],
            "actual": [r[4] for r in rows],
            "error": [r[3] - r[4] for r in rows],
        },
        schema={
            "start": pl.Date,
            "end": pl.Date,
            "scenario": pl.String,
            "predicted": TOTAL,
            "actual": TOTAL,
            "error": TOTAL,
        },
    )
    summary = []
    for s in scenarios:
        mine = [r for r in rows if r[2] == s]
        predicted = sum((r[3] for r in mine), Decimal("0.00"))
        actual = sum((r[4] for r in mine), Decimal("0.00"))
        abs_error = sum((abs(r[3] - r[4]) for r in mine), Decimal("0.00"))
        summary.append(
            ScenarioAccuracy(
                scenario=s,
                windows=len(mine),
                predicted=predicted,
                actual=actual,
                abs_error=abs_error,
                wape=_ratio(abs_error, actual),
                bias=_ratio(predicted - actual, actual),
            )
        )
    return AccuracyReport(
        as_of=as_of,
        weeks=weeks,
        lead=lead,
        currency=home,
        scenarios=tuple(summary),
        windows=windows,
        caveat=CAVEAT,
        closed_now=len(closed_ids),
        unrated=unrated,
    )


def _closed_unpaid(view: BookData) -> list[int]:
    """Ids of the view's milestones now closed that were not fully paid at the view's date."""
    closed = view.milestones.filter(pl.col("status").is_in(CLOSED))
    if closed.height == 0:
        return []
    paid = view.payments.group_by(pl.col("milestone_id").cast(pl.Int64)).agg(
        pl.col("amount").sum().cast(TOTAL).alias("paid")
    )
    return (
        closed.select(pl.col("id").cast(pl.Int64).alias("milestone_id"), "amount")
        .join(paid, on="milestone_id", how="left")
        .filter(pl.col("paid").is_null() | (pl.col("paid") < pl.col("amount")))["milestone_id"]
        .to_list()
    )
