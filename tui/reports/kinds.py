"""``milepay report``: the reports as text for a person (table), JSON or CSV.

The figures come from the analytics functions (the same ones the screens use); this module
only lays them out. Decisions:

- ``json`` has the shapes of SPEC section 5, with keys added (never renamed): amounts are
  decimal strings with two places (``"1250.00"``), dates ISO, counts numbers, a missing value
  ``null``. The client scorecard's ``on_time_rate`` is a decimal string fraction with four
  places (``"0.7500"`` = 75 %); ``median_days_late`` a number (a half, e.g. ``4.5``, is
  possible). Layout: one top-level key per line and each row of a list on its own line,
  compact. ``aging`` adds ``detail`` (the milestones behind the buckets), ``forecast`` adds
  ``horizon``, ``adjustments``, ``unconverted_other`` (expenses and cash movements in a
  currency without a rate), ``lowest.date`` (the day of the lowest balance), ``uncertain``
  (debts later than any the book has seen paid, not placed) and ``uncertain_milestones``,
  ``tax_reserve`` (at as_of), ``safe_to_spend``, ``safe_to_spend_limit`` (``date``: the day
  free cash is lowest, which limits safe to spend; ``free``: that lowest free cash), per
  period ``reserve`` and ``free`` (at the period's last day) and ``outflow_by_category``
  (``start``, ``category``, ``outflow``: only pairs with an outflow; an expense with no
  category has ``category`` ``""`` in JSON, shown as ``other`` in the table). ``chase``
  items add the contact's e-mail, the invoice number and the legal figures, ``clients``
  adds feedback, red flags and unconverted amounts.
- ``forecast --by-category`` adds one column per category (sorted, no category last as
  ``other``, or ``(none)`` when a category is itself named ``other``) with the period's
  outflow of that category, to the table and the CSV (CSV keys ``outflow:CATEGORY``, and
  ``outflow:`` for no category); JSON ignores it, it always carries ``outflow_by_category``.
- ``accuracy`` (SPEC 4.6): JSON ``{as_of, weeks, lead, currency, scenarios: [{scenario,
  windows, predicted, actual, abs_error, wape, bias}], windows: [{start, end, scenario,
  predicted, actual, error}], caveat, closed_now, unrated}``, ``wape`` and ``bias`` decimal
  string fractions with four places (``"0.2222"`` = 22.22 %) or null when nothing came in;
  the table has one row per scenario and says how to read it; the CSV lists the windows.
- ``table`` is for a person: a one-line header naming the report, the as_of date and, where
  relevant, the scenario and currency; aligned columns (text left, numbers right, amounts
  with thousands separators); totals rows; plain text, no colours. Long text cells (names,
  titles) are cut at 40 characters with an ellipsis; ``json``/``csv`` carry the full text.
- ``csv`` is for a spreadsheet or a script: a header row and one row per data row of the table
  (the forecast's period rows), amounts as plain ``1250.00``, dates ISO, booleans ``yes``/
  ``no``, missing values empty. Totals rows are left out (a sum of the column gives them).
- ``chase`` lists every billed milestone past due that is not on hold (and, with
  ``pre_due_days``, those with an ``upcoming`` note due), including those in ``grace`` (one or
  two days late: nothing to send yet), those *waiting* (the step's threshold or the
  ``min_gap_days`` after the last step not reached) and ``done`` (every step logged), so a cron
  job sees the whole queue. Only a row with ``step_due`` true (``When`` = ``now`` in the table
  and CSV) is a step to take now; a waiting row gives the day it falls due (``step_due_on``).
- ``statement`` (SPEC 4.7, one client, ``--client``): JSON ``{as_of, client, client_id,
  client_archived, business_name, locale, buckets, rows: [{contract, seq, milestone,
  invoice_no, invoiced_on, due_date, currency, amount, paid, open, days_past_due, bucket,
  late_fee, fee_claimed, status, milestone_id, contract_id}], totals: [{currency, <one key
  per bucket>, late_fees, owed}]}``; ``owed`` is the open total (the aging total),
  late fees are apart and not in it. The table is the statement's text
  (:mod:`tui.present.statement`, amounts in the book's locale); the CSV lists the rows.
- ``aging`` amounts are per currency and never converted; ``clients`` and ``forecast`` are in
  the home currency, amounts with no exchange rate listed apart (never counted at par).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import polars as pl

from tui.analytics.base import BookData
from tui.analytics.forecast import ForecastReport
from tui.domain.money import format_amount
from tui.present.chase import step_when
from tui.present.forecast import FORECAST_COLUMNS, forecast_note_lines
from tui.present.table import (
    Column,
    Layout,
    days_number,
    format_csv,
    format_json,
    format_table,
    iso_text,
    json_rows,
    money_text,
    rate_text,
)

KINDS = ("aging", "forecast", "chase", "clients", "accuracy", "statement")
FORMATS = ("table", "json", "csv")


#: the aging JSON's keys for each milestone to invoice (SPEC 4.1)
TO_INVOICE_KEYS = ["client", "contract", "seq", "milestone", "due_date", "currency", "amount",
                   "status"]  # fmt: skip


def _aging(book: BookData, as_of: dt.date, fmt: str) -> str:
    from tui.analytics.aging import aging

    report = aging(book, as_of)
    names = report.buckets
    rows = report.rows.to_dicts()
    totals = report.totals.to_dicts()
    if fmt == "json":
        detail_keys = [
            "client", "contract", "seq", "milestone", "currency", "due_date", "days_past_due",
            "invoice_no", "invoiced_on", "amount", "paid", "open", "bucket",
        ]  # fmt: skip
        return format_json(
            {
                "as_of": as_of.isoformat(),
                "buckets": names,
                "rows": [
                    {
                        "client": r["client"],
                        "client_id": r["client_id"],
                        "currency": r["currency"],
                        **{n: money_text(r[n]) for n in names},
                        "total": money_text(r["total"]),
                    }
                    for r in rows
                ],
                "totals": [
                    {
                        "currency": t["currency"],
                        **{n: money_text(t[n]) for n in names},
                        "total": money_text(t["total"]),
                    }
                    for t in totals
                ],
                "detail": json_rows(report.detail, detail_keys),
                "to_invoice": json_rows(report.to_invoice, TO_INVOICE_KEYS),
            }
        )
    columns = [
        Column("client", "Client"),
        Column("currency", "Cur"),
        *(Column(n, n, "amount") for n in names),
        Column("total", "Total", "amount"),
    ]
    if fmt == "csv":
        return format_csv(columns, rows)
    notes: list[str] = []
    if report.to_invoice.height:
        notes.append("Work to invoice (past its date, never invoiced; not aged, not overdue):")
        for r in report.to_invoice.iter_rows(named=True):
            notes.append(
                f"  {_plain(r['client'])} / {_plain(r['contract'])} #{r['seq']} "
                f"{_plain(r['milestone'])}: {format_amount(r['amount'])} {r['currency']}, "
                f"planned for {r['due_date'].isoformat()} ({r['status'].replace('_', ' ')})"
            )
    layout = Layout(
        header=f"Aging as of {as_of.isoformat()} (invoiced open amounts by days past due, "
        "per currency)",
        columns=columns,
        rows=rows,
        totals=[{"client": "Total", **t} for t in totals],
        notes=notes,
        empty="Nothing is owed: no unpaid milestone is invoiced.",
    )
    return format_table(layout)


# ---- clients ----------------------------------------------------------------------------------


CLIENT_COLUMNS = [
    Column("client", "Client"),
    Column("billed", "Billed", "amount"),
    Column("paid", "Paid", "amount"),
    Column("open", "Open", "amount"),
    Column("overdue", "Overdue", "amount"),
    Column("written_off", "Written off", "amount"),
    Column("on_time_rate", "On time", "rate"),
    Column("median_days_late", "Median late", "days"),
    Column("worst_days_late", "Worst late", "days"),
    Column("chase_events", "Chases", "int"),
    Column("rating", "Rating", "int"),
    Column("work_again", "Again"),
]
CLIENT_CSV_EXTRA = [
    Column("currency", "Currency"),
    Column("on_time_count", "On time count", "int"),
    Column("fully_paid_count", "Fully paid count", "int"),
    Column("oldest_overdue_days", "Oldest overdue", "days"),
    Column("promises_made", "Promises made", "int"),
    Column("promises_kept", "Promises kept", "int"),
    Column("promises_broken", "Promises broken", "int"),
    Column("archived", "Archived", "bool"),
    Column("red_flags", "Red flags"),
    Column("feedback", "Feedback"),
    Column("unconverted", "Unconverted"),
]


def _clients(book: BookData, as_of: dt.date, fmt: str, *, worst_first: bool) -> str:
    from tui.analytics.scorecard import AMOUNTS, client_scorecards

    cards = client_scorecards(book, as_of, worst_first=worst_first)
    home = book.settings.home_currency
    rows = cards.to_dicts()
    if fmt == "json":
        return format_json(
            {
                "as_of": as_of.isoformat(),
                "currency": home,
                "worst_first": worst_first,
                "clients": [
                    {
                        "client": r["client"],
                        "client_id": r["client_id"],
                        **{a: money_text(r[a]) for a in ("billed", "paid", "open", "overdue")},
                        "on_time_rate": rate_text(r["on_time_rate"]),
                        "median_days_late": days_number(r["median_days_late"]),
                        "worst_days_late": days_number(r["worst_days_late"]),
                        "chase_events": r["chase_events"],
                        "written_off": money_text(r["written_off"]),
                        "rating": r["rating"],
                        "work_again": r["work_again"],
                        "feedback": r["feedback"],
                        "red_flags": r["red_flags"],
                        "unconverted": r["unconverted"],
                        "on_time_count": r["on_time_count"],
                        "fully_paid_count": r["fully_paid_count"],
                        "oldest_overdue_days": r["oldest_overdue_days"],
                        "archived": r["archived"],
                        "promises_made": r["promises_made"],
                        "promises_kept": r["promises_kept"],
                        "promises_broken": r["promises_broken"],
                    }
                    for r in rows
                ],
            }
        )
    if fmt == "csv":
        return format_csv(CLIENT_COLUMNS + CLIENT_CSV_EXTRA, rows)
    total = {a: sum((r[a] for r in rows), Decimal("0.00")) for a in AMOUNTS}
    notes: list[str] = []
    flagged = [r for r in rows if r["red_flags"]]
    if flagged:
        notes.append("Red flags:")
        notes.extend(f"  {_plain(r['client'])}: {_plain(r['red_flags'])}" for r in flagged)
    apart = [r for r in rows if r["unconverted"]]
    if apart:
        notes.append(f"Not converted to {home} (no exchange rate), so not in the figures above:")
        notes.extend(f"  {_plain(r['client'])}: {_plain(r['unconverted'])}" for r in apart)
    order = "worst first" if worst_first else "by name"
    layout = Layout(
        header=f"Client scorecards as of {as_of.isoformat()}, amounts in {home} ({order})",
        columns=CLIENT_COLUMNS,
        rows=rows,
        totals=[{"client": "Total", **total}],
        notes=notes,
        empty="No clients yet.",
    )
    return format_table(layout)


def _plain(text: str) -> str:
    return " ".join(str(text).split())


# ---- chase ------------------------------------------------------------------------------------


CHASE_COLUMNS = [
    Column("client", "Client"),
    Column("contract", "Contract"),
    Column("seq", "#", "int"),
    Column("milestone", "Milestone"),
    Column("due_date", "Due", "date"),
    Column("days_past_due", "Days", "int"),
    Column("currency", "Cur"),
    Column("open", "Open", "amount"),
    Column("late_fee", "Late fee", "amount"),
    Column("step", "Step"),
    Column("when", "When"),
    Column("contact", "Contact"),
]
CHASE_CSV_EXTRA = [
    Column("waiting", "Waiting", "bool"),
    Column("step_due_on", "Step due on", "date"),
    Column("promised_on", "Promised on", "date"),
    Column("promise", "Promise"),
    Column("invoiced_on", "Invoiced on", "date"),
    Column("rate_warning", "Rate warning"),
    Column("contact_email", "Email"),
    Column("invoice_no", "Invoice"),
    Column("claim_total", "Claim total", "amount"),
    Column("legal_cost_estimate", "Legal cost", "amount"),
    Column("worth_it", "Worth it", "bool"),
]
#: the chase JSON item keys (SPEC 5), then the ones added
CHASE_JSON_KEYS = [
    "client", "contract", "seq", "milestone", "due_date", "days_past_due", "currency", "open",
    "late_fee", "step", "contact", "contact_email", "invoice_no", "step_due", "step_due_on",
    "last_step", "last_chased_on", "claim_total", "legal_cost_estimate", "claim_total_home",
    "worth_it", "disputed", "waiting", "promised_on", "promise_note", "promise", "invoiced_on",
    "rate_warning",
]  # fmt: skip


def _chase(book: BookData, as_of: dt.date, fmt: str) -> str:
    from tui.analytics.chase import chase_queue

    queue = chase_queue(book, as_of)
    if fmt == "json":
        items = json_rows(queue, [k for k in CHASE_JSON_KEYS if k in queue.columns])
        return format_json({"as_of": as_of.isoformat(), "items": items})
    rows = [{**r, "when": step_when(r)} for r in queue.to_dicts()]
    if fmt == "csv":
        return format_csv(CHASE_COLUMNS + CHASE_CSV_EXTRA, rows)
    totals: dict[str, dict[str, Any]] = {}
    for r in rows:
        t = totals.setdefault(
            r["currency"],
            {
                "client": "Total",
                "currency": r["currency"],
                "open": Decimal("0.00"),
                "late_fee": Decimal("0.00"),
            },
        )
        t["open"] += r["open"] or Decimal(0)
        t["late_fee"] += r["late_fee"] or Decimal(0)
    to_send = sum(1 for r in rows if r["step_due"])
    layout = Layout(
        header=(
            f"Chase queue as of {as_of.isoformat()}: {len(rows)} billed milestone(s), "
            f"{to_send} with a step to take now, the others waiting until the day in When "
            "(amounts per currency)"
        ),
        columns=CHASE_COLUMNS,
        rows=rows,
        totals=[totals[c] for c in sorted(totals)],
        empty="Nobody to chase: no open milestone is past due.",
    )
    return format_table(layout)


# ---- forecast ---------------------------------------------------------------------------------


#: the forecast JSON's keys for each uncertain milestone
UNCERTAIN_KEYS = ["client", "contract", "seq", "milestone", "currency", "open", "open_home",
                  "due_date", "days_past_due"]  # fmt: skip


def _category_columns(by_category: pl.DataFrame) -> list[Column]:
    """One amount column per category, sorted, no category ('') last as ``other``."""
    names = sorted(set(by_category["category"].to_list()))
    if "" in names:
        names = [n for n in names if n != ""] + [""]
    blank = "(none)" if "other" in names else "other"
    return [Column(f"outflow:{n}", _plain(n) if n else blank, "amount") for n in names]


def _with_categories(
    periods: list[dict[str, Any]], by_category: pl.DataFrame, columns: list[Column]
) -> list[dict[str, Any]]:
    """The period rows with each category's outflow (0.00 when none) under its column key."""
    spent = {
        (r["start"], f"outflow:{r['category']}"): r["outflow"]
        for r in by_category.iter_rows(named=True)
    }
    zero = Decimal("0.00")
    return [
        {**p, **{c.key: spent.get((p["start"], c.key), zero) for c in columns}} for p in periods
    ]


def forecast_report(
    book: BookData, as_of: dt.date, *, period: str, horizon: int | None, scenario: str
) -> ForecastReport:
    """The forecast ``milepay report forecast`` shows (``--fail-below`` reads the same one)."""
    from tui.analytics.forecast import forecast

    return forecast(book, as_of, scenario=scenario, period=period, horizon=horizon)


def _forecast(
    book: BookData,
    as_of: dt.date,
    fmt: str,
    *,
    period: str,
    horizon: int | None,
    scenario: str,
    by_category: bool = False,
    report: ForecastReport | None = None,
) -> str:
    if report is None:
        report = forecast_report(book, as_of, period=period, horizon=horizon, scenario=scenario)
    periods = report.periods.to_dicts()
    unconverted = report.unconverted.to_dicts()
    lowest = report.lowest
    adjustments = [
        a.describe() if hasattr(a, "describe") else str(a) for a in (report.adjustments or ())
    ]
    other = getattr(report, "unconverted_other", None)
    unconverted_other = other.to_dicts() if other is not None else []
    if fmt == "json":
        return format_json(
            {
                "as_of": as_of.isoformat(),
                "scenario": report.scenario,
                "period": report.period,
                "horizon": report.horizon,
                "currency": report.currency,
                "cash_at_as_of": money_text(report.cash_at_as_of),
                "periods": [
                    {
                        "start": iso_text(p["start"]),
                        "end": iso_text(p["end"]),
                        **{
                            k: money_text(p[k])
                            for k in ("inflow", "outflow", "net", "balance", "reserve", "free")
                        },
                    }
                    for p in periods
                ],
                "later": money_text(report.later),
                "at_risk": money_text(report.at_risk),
                "unconverted": [
                    {"currency": u["currency"], "amount": money_text(u["amount"])}
                    for u in unconverted
                ],
                "lowest": (
                    {
                        "date": iso_text(report.lowest_date),
                        "start": iso_text(lowest[0]),
                        "balance": money_text(lowest[1]),
                    }
                    if lowest
                    else None
                ),
                "uncertain": money_text(report.uncertain),
                "uncertain_milestones": json_rows(
                    report.placements.filter(pl.col("placement") == "uncertain"),
                    UNCERTAIN_KEYS,
                ),
                "longest_gap_days": report.longest_gap_days,
                # the gap's first and last day, and the last expected inflow (null: none), so
                # a script tells "26 days" from "nothing is expected at all" (0 days)
                "longest_gap": (
                    {
                        "from": report.longest_gap[0].isoformat(),
                        "to": report.longest_gap[1].isoformat(),
                    }
                    if report.longest_gap
                    else None
                ),
                "last_inflow_date": (
                    report.last_inflow_date.isoformat() if report.last_inflow_date else None
                ),
                "adjustments": adjustments,
                "unconverted_other": [
                    {
                        "part": u["part"],
                        "currency": u["currency"],
                        "amount": money_text(u["amount"]),
                    }
                    for u in unconverted_other
                ],
                "tax_reserve": money_text(report.tax_reserve),
                "safe_to_spend": money_text(report.safe_to_spend),
                "safe_to_spend_limit": {
                    "date": iso_text(report.safe_to_spend_limit_date),
                    "free": money_text(report.lowest_free),
                },
                "outflow_by_category": json_rows(
                    report.outflow_by_category, ["start", "category", "outflow"]
                ),
            }
        )
    columns = list(FORECAST_COLUMNS)
    if by_category:
        extra = _category_columns(report.outflow_by_category)
        periods = _with_categories(periods, report.outflow_by_category, extra)
        columns += extra
    if fmt == "csv":
        return format_csv(columns, periods)
    cur = report.currency
    total_row: dict[str, Any] = {}
    if periods:
        total_row = {
            "start": "Total",
            "inflow": sum((p["inflow"] for p in periods), Decimal("0.00")),
            "outflow": sum((p["outflow"] for p in periods), Decimal("0.00")),
            "net": sum((p["net"] for p in periods), Decimal("0.00")),
            "balance": periods[-1]["balance"],
            "reserve": periods[-1]["reserve"],
            "free": periods[-1]["free"],
            **{
                c.key: sum((p[c.key] for p in periods), Decimal("0.00"))
                for c in columns[len(FORECAST_COLUMNS) :]
            },
        }
    notes = forecast_note_lines(report, as_of, cash_floor=book.settings.cash_floor)
    unit = "weekly" if report.period == "week" else "monthly"
    layout = Layout(
        header=(
            f"Cash-flow forecast as of {as_of.isoformat()}: scenario {report.scenario}, "
            f"{report.horizon} {unit} periods, amounts in {cur}"
        ),
        columns=columns,
        rows=periods,
        totals=[total_row] if total_row else [],
        notes=notes,
    )
    return format_table(layout)


# ---- accuracy ---------------------------------------------------------------------------------


ACCURACY_COLUMNS = [
    Column("scenario", "Scenario"),
    Column("windows", "Windows", "int"),
    Column("predicted", "Predicted", "amount"),
    Column("actual", "Actual", "amount"),
    Column("wape", "WAPE %", "rate"),
    Column("bias", "Bias %", "rate"),
]
ACCURACY_CSV_COLUMNS = [
    Column("start", "Start", "date"),
    Column("end", "End", "date"),
    Column("scenario", "Scenario"),
    Column("predicted", "Predicted", "amount"),
    Column("actual", "Actual", "amount"),
    Column("error", "Error", "amount"),
]


def _percent(value: Decimal) -> str:
    """A 4-place fraction as a percent with one decimal: ``0.2222`` -> ``22.2 %``."""
    return f"{(value * 100).quantize(Decimal('0.1'))} %"


def _accuracy(book: BookData, as_of: dt.date, fmt: str, *, weeks: int, lead: int) -> str:
    from tui.analytics.accuracy import WINDOW_COLUMNS, forecast_accuracy

    report = forecast_accuracy(book, as_of, weeks=weeks, lead=lead)
    figures = [
        {
            "scenario": s.scenario,
            "windows": s.windows,
            "predicted": s.predicted,
            "actual": s.actual,
            "abs_error": s.abs_error,
            "wape": s.wape,
            "bias": s.bias,
        }
        for s in report.scenarios
    ]
    if fmt == "json":
        money = ("predicted", "actual", "abs_error")
        return format_json(
            {
                "as_of": as_of.isoformat(),
                "weeks": report.weeks,
                "lead": report.lead,
                "currency": report.currency,
                "scenarios": [
                    {
                        **f,
                        **{k: money_text(f[k]) for k in money},
                        "wape": rate_text(f["wape"]),
                        "bias": rate_text(f["bias"]),
                    }
                    for f in figures
                ],
                "windows": json_rows(report.windows, WINDOW_COLUMNS),
                "caveat": report.caveat,
                "closed_now": report.closed_now,
                "unrated": list(report.unrated),
            }
        )
    if fmt == "csv":
        return format_csv(ACCURACY_CSV_COLUMNS, report.windows.to_dicts())
    cur = report.currency
    count = report.window_count
    notes: list[str] = []
    # the expected scenario (the one the forecast screen scores) when it has figures
    rated = sorted(
        (f for f in figures if f["wape"] is not None), key=lambda f: f["scenario"] != "expected"
    )
    shown = rated[0] if rated else None
    if shown is not None:
        wape, bias = shown["wape"], shown["bias"]
        direction = "more" if bias >= 0 else "less"
        notes.append(
            f"How to read it ({shown['scenario']}): WAPE {_percent(wape)}: the forecast was off "
            f"by {_percent(wape)} of what came in; bias {_percent(bias)}: it expected "
            f"{_percent(abs(bias))} {direction} than came in (positive: too hopeful)."
        )
    elif count:
        notes.append("Nothing came in during the windows, so there is no WAPE or bias.")
    notes.append(report.caveat)
    if report.closed_now:
        notes.append(f"Milestones taken as closed in windows before they were: {report.closed_now}")
    if report.unrated:
        notes.append(
            f"Currencies with no exchange rate, left out of both sides: {', '.join(report.unrated)}"
        )
    layout = Layout(
        header=(
            f"Forecast accuracy as of {as_of.isoformat()}: {count} window(s) of {report.lead} "
            f"week(s), one a week over the last {report.weeks} weeks, amounts in {cur}"
        ),
        columns=ACCURACY_COLUMNS,
        rows=figures if count else [],
        notes=notes,
        empty="No window yet: the book's history is shorter than one window.",
    )
    return format_table(layout)


# ---- statement --------------------------------------------------------------------------------


STATEMENT_COLUMNS = [
    Column("contract", "Contract"),
    Column("seq", "#", "int"),
    Column("milestone", "Milestone"),
    Column("invoice_no", "Invoice"),
    Column("invoiced_on", "Invoiced", "date"),
    Column("due_date", "Due", "date"),
    Column("currency", "Cur"),
    Column("amount", "Amount", "amount"),
    Column("paid", "Paid", "amount"),
    Column("open", "Open", "amount"),
    Column("days_past_due", "Days", "int"),
    Column("bucket", "Bucket"),
    Column("late_fee", "Late fee", "amount"),
    Column("fee_claimed", "Fee claimed", "bool"),
]
#: the statement JSON's keys for each milestone
STATEMENT_ROW_KEYS = [
    "contract", "seq", "milestone", "invoice_no", "invoiced_on", "due_date", "currency", "amount",
    "paid", "open", "days_past_due", "bucket", "late_fee", "fee_claimed", "status",
    "milestone_id", "contract_id",
]  # fmt: skip


def _statement(book: BookData, as_of: dt.date, fmt: str, client: str | None) -> str:
    from tui.analytics.statement import statement
    from tui.present.statement import statement_text

    if client is None:
        raise ValueError("the statement report needs a client")
    stmt = statement(book, as_of, client)
    if fmt == "json":
        names = stmt.buckets
        money_keys = [*names, "late_fees", "owed"]
        return format_json(
            {
                "as_of": as_of.isoformat(),
                "client": stmt.client,
                "client_id": stmt.client_id,
                "client_archived": stmt.client_archived,
                "business_name": stmt.business_name,
                "locale": stmt.locale,
                "buckets": names,
                "rows": json_rows(stmt.rows, STATEMENT_ROW_KEYS),
                "totals": [
                    {"currency": t["currency"], **{k: money_text(t[k]) for k in money_keys}}
                    for t in stmt.totals.to_dicts()
                ],
            }
        )
    if fmt == "csv":
        rows = [{**r, "bucket": str(r["bucket"])} for r in stmt.rows.to_dicts()]
        return format_csv(STATEMENT_COLUMNS, rows)
    return statement_text(stmt)


# ---- entry point ------------------------------------------------------------------------------


def render(
    kind: str,
    frames: BookData,
    as_of: dt.date,
    fmt: str,
    *,
    period: str = "week",
    horizon: int | None = None,
    scenario: str = "expected",
    worst_first: bool = False,
    by_category: bool = False,
    weeks: int = 26,
    lead: int = 4,
    forecast: ForecastReport | None = None,
    client: str | None = None,
) -> str:
    """One report as text: ``kind`` in :data:`KINDS`, ``fmt`` in table|json|csv.

    ``forecast`` is a forecast already computed with the same arguments (``--fail-below``
    reads it too), so it is not computed twice. ``client`` (a name) is the statement's.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (expected one of {', '.join(FORMATS)})")
    builders: dict[str, Callable[[], str]] = {
        "aging": lambda: _aging(frames, as_of, fmt),
        "clients": lambda: _clients(frames, as_of, fmt, worst_first=worst_first),
        "chase": lambda: _chase(frames, as_of, fmt),
        "forecast": lambda: _forecast(
            frames,
            as_of,
            fmt,
            period=period,
            horizon=horizon,
            scenario=scenario,
            by_category=by_category,
            report=forecast,
        ),
        "accuracy": lambda: _accuracy(frames, as_of, fmt, weeks=weeks, lead=lead),
        "statement": lambda: _statement(frames, as_of, fmt, client),
    }
    if kind not in builders:
        raise ValueError(f"unknown report {kind!r} (expected one of {', '.join(KINDS)})")
    return builders[kind]()


__all__ = ["FORMATS", "KINDS", "forecast_report", "render"]
