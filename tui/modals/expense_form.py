"""The expense form: a recurring or one-off outflow for the forecast."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from tui.domain.model import Expense
from tui.domain.values import Cadence
from tui.modals.form import DATE_HINT, Field, FormModal, choices_of, text_of

FIELDS = [
    Field("name", "Name", required=True),
    Field("amount", "Amount", required=True, placeholder="e.g. 49.00"),
    Field("currency", "Currency", required=True, placeholder="three letters"),
    Field("cadence", "Cadence", "select", choices_of([c.value for c in Cadence])),
    Field("next_date", "Next date", required=True, placeholder=DATE_HINT),
    Field("end_date", "End date", placeholder="empty = no end; " + DATE_HINT),
    Field("category", "Category", placeholder="rent, software, ...; tax = a tax payment"),
]


class ExpenseForm(FormModal):
    """New or edit expense; ``save`` gets the parsed expense (runs in a thread) and, editing,
    ``expected=`` (the row the form opened on)."""

    RECORD = Expense
    WHAT = "expense"

    def __init__(
        self,
        *,
        today: dt.date,
        save: Callable[[Expense], Any],
        home_currency: str,
        expense: Mapping[str, Any] | None = None,
    ) -> None:
        values = {k: text_of(v) for k, v in (expense or {}).items()}
        values.setdefault("currency", home_currency)
        values.setdefault("cadence", Cadence.MONTHLY.value)
        super().__init__(
            "New expense" if expense is None else f"Edit expense: {values.get('name', '')}",
            FIELDS,
            values,
            save=lambda v, **kw: save(Expense.parse(v, today_=today), **kw),
            today=today,
            saved_message="Expense saved.",
            expected=expense,
        )
