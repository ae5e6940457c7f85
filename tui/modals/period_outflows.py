"""One forecast period's outflows by category (``ForecastReport.outflow_by_category``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label

from tui.domain.money import format_amount
from tui.widgets.keybar import KeyBar
from tui.widgets.table import BookTable, Column

COLUMNS = [
    Column("Category", "category", grow=True),
    Column("Outflow", "outflow", right=True),
]


class PeriodOutflowsModal(ModalScreen[None]):
    """The categories of one period's outflows and their total; Esc closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="fc-outflows-close"),
    ]

    def __init__(
        self, start: dt.date, end: dt.date, currency: str, rows: list[dict[str, Any]]
    ) -> None:
        super().__init__()
        self.start, self.end, self.currency = start, end, currency
        #: category (plain text), outflow (Decimal), as :func:`tui.present.budget.outflow_rows`
        self.rows = rows
        self.total: Decimal = sum((r["outflow"] for r in rows), Decimal("0.00"))

    def compose(self) -> ComposeResult:
        """Title, the total, the list, the keys."""
        with Vertical(classes="dialog period-outflows"):
            yield Label(Text(f"Outflows {self.start} to {self.end}"), classes="dialog-title")
            words = (
                f"{len(self.rows)} {'category' if len(self.rows) == 1 else 'categories'} · total {format_amount(self.total)} {self.currency}"
                if self.rows
                else "Nothing goes out in this period."
            )
            yield Label(Text(words), classes="form-subtitle", id="fc-outflows-total")
            yield BookTable(COLUMNS, id="fc-outflows")
            yield Label(Text("↑↓ move · Esc close"), classes="dialog-keys")
        yield KeyBar()

    def on_mount(self) -> None:
        """Fill the list and focus it."""
        table = self.query_one(BookTable)
        table.show([(str(i), [Text(r["category"]),
                              Text(format_amount(r["outflow"]), justify="right")])
                    for i, r in enumerate(self.rows)])  # fmt: skip
        table.focus()

    def action_close(self) -> None:
        """Back to the forecast."""
        self.dismiss(None)
