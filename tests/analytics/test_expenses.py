"""An expense's next occurrence on or after a day (the expenses list's "Next"), by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from builders import MemoryBook

from tui.analytics.expenses import next_occurrences
from tui.domain.model import Expense
from tui.domain.values import Cadence

TODAY = dt.date(2026, 11, 24)  # a Tuesday


def _add(book: MemoryBook, name: str, cadence: Cadence, start: str, end: str | None = None) -> int:
    book.add_expense(Expense(name=name, amount=Decimal("10.00"), currency="EUR", cadence=cadence,
                             next_date=dt.date.fromisoformat(start),
                             end_date=dt.date.fromisoformat(end) if end else None))  # fmt: skip
    return int(book.frames().expenses["id"].max())


def test_next_occurrence_of_each_cadence(book: MemoryBook) -> None:
    """Each worked out from its first date, clamped to the month's end as the forecast does."""
    rent = _add(book, "Rent", Cadence.MONTHLY, "2026-01-31")  # Jan 31 -> ... Nov 30
    tool = _add(book, "Tool", Cadence.WEEKLY, "2026-11-02")  # Mondays: Nov 23, then Nov 30
    today_weekly = _add(book, "Today", Cadence.WEEKLY, "2026-11-17")  # Tuesdays: Nov 24 itself
    tax = _add(
        book, "Tax", Cadence.QUARTERLY, "2026-02-15"
    )  # Feb 15, May 15, Aug 15, Nov 15 -> Feb 15
    leap = _add(book, "Domain", Cadence.YEARLY, "2024-02-29")  # Feb 28 2027 (not a leap year)
    later = _add(book, "Laptop", Cadence.ONCE, "2026-12-15")
    assert next_occurrences(book.frames().expenses, TODAY) == {
        rent: dt.date(2026, 11, 30),
        tool: dt.date(2026, 11, 30),
        today_weekly: dt.date(2026, 11, 24),
        tax: dt.date(2027, 2, 15),
        leap: dt.date(2027, 2, 28),
        later: dt.date(2026, 12, 15),
    }


def test_an_expense_that_is_over_has_no_next_occurrence(book: MemoryBook) -> None:
    """A one-off in the past and a monthly one that ended on Nov 20 never come again."""
    _add(book, "Old laptop", Cadence.ONCE, "2026-10-01")
    _add(book, "Old office", Cadence.MONTHLY, "2026-01-20", end="2026-11-20")
    last_day = _add(book, "Lease", Cadence.MONTHLY, "2026-01-24", end="2026-11-24")
    assert next_occurrences(book.frames().expenses, TODAY) == {last_day: TODAY}
