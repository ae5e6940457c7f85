"""The expenses list: Next is the next time the money goes out, Since the first date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tui.domain.model import Expense
from tui.domain.values import Cadence
from tui.screens.expenses import ExpensesScreen

from .helpers import press, settle


async def test_next_is_on_or_after_today_and_since_is_the_first_date(app, book) -> None:
    """Today 2026-11-24: rent since Jan 31 is next due Nov 30; a past one-off is over."""
    for name, cadence, start in (("Rent", Cadence.MONTHLY, "2026-01-31"),
                                 ("Old laptop", Cadence.ONCE, "2026-10-01")):  # fmt: skip
        book.add_expense(Expense(name=name, amount=Decimal("400.00"), currency="EUR",
                                 cadence=cadence, next_date=dt.date.fromisoformat(start)))  # fmt: skip
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "8")
        screen = app.screen
        assert isinstance(screen, ExpensesScreen)
        rows = {str(r[0]): [str(c) for c in r] for r in (screen.table.get_row_at(i)
                                                         for i in range(screen.table.row_count))}  # fmt: skip
        assert rows["Rent"][4:6] == ["2026-11-30", "2026-01-31"]  # after the category
        assert rows["Old laptop"][4:6] == ["over", "2026-10-01"]
        # sorted by Next first: what goes out soonest on top, what is over at the bottom
        assert [str(screen.table.get_row_at(i)[0]) for i in range(2)] == ["Rent", "Old laptop"]
