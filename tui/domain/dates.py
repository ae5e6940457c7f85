"""Dates: the one place that decides "today", and strict parsing of dates people type.

Every date milepay accepts lies in the years 1900-2999 (:data:`MIN_DATE` to :data:`MAX_DATE`):
a date outside them is a typo (``20266-01-01``, ``+9999m``), and keeping well inside Python's
and DuckDB's limits means reports computed from such dates never overflow.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

import pendulum

from tui.domain.errors import ValidationError
from tui.domain.values import refuse_foreign_digits

#: the first and last dates milepay accepts
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2999, 12, 31)
#: what to type, shown when a date is wrong
DATE_FORMS = "YYYY-MM-DD, today, +14d, +2w, +1m"

# a sign, a count and a unit; the unit is checked separately so a wrong one gets its own message
_RELATIVE = re.compile(r"([+-])([0-9]+)([^0-9]*)")
_UNITS = {"d": "days", "w": "weeks", "m": "months", "y": "years"}


def system_timezone() -> str:
    """The machine's IANA timezone name, or UTC when it cannot be told."""
    try:
        return pendulum.local_timezone().name
    except Exception:  # pragma: no cover - depends on the host
        return "UTC"


def now_utc() -> dt.datetime:
    """The moment now, in UTC (timezone-aware). The only function in milepay that reads the
    clock: ``today`` and the audit log's times come from it."""
    return dt.datetime.fromtimestamp(pendulum.now("UTC").timestamp(), dt.UTC)


def today(timezone: str | None = None) -> dt.date:
    """Today's date: ``MILEPAY_TODAY`` if set, else the date now in ``timezone``."""
    from tui.domain.env import env_date

    fixed = env_date("MILEPAY_TODAY")
    if fixed is not None:
        return fixed
    return pendulum.instance(now_utc()).in_timezone(timezone or system_timezone()).date()


def check_date_range(value: dt.date, field: str, shown: str | None = None) -> dt.date:
    """``value`` when it lies in the years 1900-2999, else a ValidationError naming the field."""
    if not MIN_DATE <= value <= MAX_DATE:
        what = shown if shown is not None else value.isoformat()
        raise ValidationError(field, f"'{what}' is outside the years 1900-2999")
    return value


def parse_iso_date(text: str, field: str = "date") -> dt.date:
    """Parse a strict ISO ``YYYY-MM-DD`` date in 1900-2999, naming the field when it is wrong."""
    raw = (text or "").strip()
    refuse_foreign_digits(raw, field)
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw):
        raise ValidationError(field, f"'{raw}' is not a date (use YYYY-MM-DD)")
    try:
        value = dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(field, f"'{raw}' is not a real date") from None
    return check_date_range(value, field, raw)


def parse_date(
    text: str | dt.date, field: str = "date", *, today_: dt.date | None = None
) -> dt.date:
    """Parse a date typed by a person.

    ISO ``YYYY-MM-DD``; ``today``; or relative to today: ``+14d``, ``+2w``, ``+1m``, ``+1y``
    (and ``-3d``). Months and years step from today and clamp to the month's end. Any date
    outside the years 1900-2999 is refused, and any other text gets a one-line message
    naming ``field``.
    """
    if isinstance(text, dt.date):
        return check_date_range(text, field)
    raw = (text or "").strip()
    if raw == "":
        raise ValidationError(field, f"is required ({DATE_FORMS})")
    if raw.lower() in ("today", "t"):
        return check_date_range(today_ or today(), field)
    refuse_foreign_digits(raw, field)
    m = _RELATIVE.fullmatch(raw)
    if m:
        return _relative(raw, m, field, today_ or today())
    if raw[0] in "+-":
        raise ValidationError(field, f"'{raw}' is not a date ({DATE_FORMS})")
    return parse_iso_date(raw, field)


def _relative(raw: str, m: re.Match[str], field: str, base: dt.date) -> dt.date:
    """A date ``+14d`` / ``-2w`` / ``+1m`` / ``+1y`` away from ``base``, within 1900-2999."""
    unit = m.group(3).lower()
    if unit == "":
        raise ValidationError(field, f"'{raw}' needs a unit: d, w or m, e.g. +14d, +2w, +1m")
    if unit not in _UNITS:
        raise ValidationError(
            field, f"'{raw}': unknown unit '{m.group(3)}'; use d, w or m, e.g. +14d, +2w, +1m"
        )
    digits = m.group(2)
    if len(digits) > 7:  # more days than lie between 1900 and 2999: out of range anyway
        raise ValidationError(field, f"'{raw}' is outside the years 1900-2999")
    n = int(digits) * (1 if m.group(1) == "+" else -1)
    try:
        if unit == "d":
            moved = base + dt.timedelta(days=n)
        elif unit == "w":
            moved = base + dt.timedelta(weeks=n)
        else:
            moved = add_months(base, n * (12 if unit == "y" else 1))
    except (OverflowError, ValueError):
        raise ValidationError(field, f"'{raw}' is outside the years 1900-2999") from None
    return check_date_range(moved, field, raw)


def add_months(anchor: dt.date, months: int) -> dt.date:
    """``anchor`` plus ``months`` calendar months, clamped to the month's end (from the anchor).

    Raises ValueError when the result falls outside the years 1-9999 Python can hold.
    """
    years, month0 = divmod(anchor.month - 1 + months, 12)
    year = anchor.year + years
    if not 1 <= year <= 9999:
        raise ValueError(f"year {year} is out of range")
    day = min(anchor.day, calendar.monthrange(year, month0 + 1)[1])
    return dt.date(year, month0 + 1, day)


def iso(d: dt.date | None) -> str:
    """A date as ``YYYY-MM-DD`` (empty for None)."""
    return d.isoformat() if d else ""


def terms_due_date(invoiced_on: dt.date, terms_days: int) -> dt.date:
    """The due date an invoice gets from its contract's payment terms: invoice date + terms.

    An invoice dated 2026-12-01 under 14-day terms is due on 2026-12-15 (SPEC 4).
    """
    return check_date_range(invoiced_on + dt.timedelta(days=int(terms_days)), "due_date")


def check_due_after_invoice(invoiced_on: dt.date | None, due_date: dt.date) -> None:
    """Refuse a payment due date before the invoice date (payment cannot fall due unbilled)."""
    if invoiced_on is not None and due_date < invoiced_on:
        raise ValidationError(
            "due_date",
            f"{due_date.isoformat()} is before the invoice date {invoiced_on.isoformat()}",
        )
