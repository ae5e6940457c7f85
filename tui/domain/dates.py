"""Dates: the one place that decides "today", and strict parsing of dates people type."""

from __future__ import annotations

import datetime as dt
import os
import re

import pendulum

from tui.domain.errors import ValidationError

_RELATIVE = re.compile(r"^([+-])(\d{1,4})([dwmy])$")


def system_timezone() -> str:
    """The machine's IANA timezone name, or UTC when it cannot be told."""
    try:
        return pendulum.local_timezone().name
    except Exception:  # pragma: no cover - depends on the host
        return "UTC"


def today(timezone: str | None = None) -> dt.date:
    """Today's date: ``MILEPAY_TODAY`` if set, else the date now in ``timezone``.

    This is the only function in milepay that reads the clock.
    """
    fixed = os.environ.get("MILEPAY_TODAY", "").strip()
    if fixed:
        return parse_iso_date(fixed, "MILEPAY_TODAY")
    return pendulum.today(timezone or system_timezone()).date()


def parse_iso_date(text: str, field: str = "date") -> dt.date:
    """Parse a strict ISO ``YYYY-MM-DD`` date, naming the field when it is wrong."""
    raw = (text or "").strip()
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", raw):
        raise ValidationError(field, f"'{raw}' is not a date (use YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(field, f"'{raw}' is not a real date") from None


def parse_date(
    text: str | dt.date, field: str = "date", *, today_: dt.date | None = None
) -> dt.date:
    """Parse a date typed by a person.

    ISO ``YYYY-MM-DD``; ``today``; or relative to today: ``+14d``, ``+2w``, ``+1m``, ``+1y``
    (and ``-3d``). Months and years step from today and clamp to the month's end.
    """
    if isinstance(text, dt.date):
        return text
    raw = (text or "").strip().lower()
    if raw == "":
        raise ValidationError(field, "is required (YYYY-MM-DD, today, +14d, +2w, +1m)")
    if raw in ("today", "t"):
        return today_ or today()
    m = _RELATIVE.match(raw)
    if m:
        sign = 1 if m.group(1) == "+" else -1
        n = int(m.group(2)) * sign
        base = pendulum.Date(*(today_ or today()).timetuple()[:3])
        unit = m.group(3)
        if unit == "d":
            moved = base.add(days=n)
        elif unit == "w":
            moved = base.add(weeks=n)
        elif unit == "m":
            moved = base.add(months=n)
        else:
            moved = base.add(years=n)
        return dt.date(moved.year, moved.month, moved.day)
    return parse_iso_date(raw, field)


def add_months(anchor: dt.date, months: int) -> dt.date:
    """``anchor`` plus ``months`` calendar months, clamped to the month's end (from the anchor)."""
    moved = pendulum.Date(anchor.year, anchor.month, anchor.day).add(months=months)
    return dt.date(moved.year, moved.month, moved.day)


def iso(d: dt.date | None) -> str:
    """A date as ``YYYY-MM-DD`` (empty for None)."""
    return d.isoformat() if d else ""
