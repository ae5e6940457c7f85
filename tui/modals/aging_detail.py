"""The milestones behind an aging figure: ``AgingReport.detail`` filtered, shown as a list."""

from __future__ import annotations

from typing import ClassVar

import polars as pl
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Label

from tui.domain.money import format_amount
from tui.widgets.table import BookTable, Column

#: rows put in the list (a currency's whole 90+ bucket can hold thousands)
LIMIT = 1000
COLUMNS = [
    Column("Client", "client", grow=True),
    Column("Milestone", "milestone", grow=True, min_width=8),
    Column("Due", "due_date"),
    Column("Days", "days_past_due", right=True),
    Column("Invoice", "invoice_no", grow=True, min_width=4),
    Column("Invoiced", "invoiced_on"),
    Column("Open", "open", right=True),
    Column("Bucket", "bucket"),
]


class AgingDetailModal(ModalScreen[None]):
    """A full-screen list of milestones; Esc closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="aging-detail-close"),
    ]

    def __init__(self, title: str, detail: pl.DataFrame) -> None:
        super().__init__()
        self.title_text = title
        self.detail = detail

    def compose(self) -> ComposeResult:
        """Title with the sum, the list, the keys."""
        with Vertical(classes="dialog aging-detail"):
            yield Label(Text(self.title_text), classes="dialog-title")
            total = self.detail["open"].sum() if self.detail.height else 0
            cur = self.detail["currency"][0] if self.detail.height else ""
            shown = min(self.detail.height, LIMIT)
            more = f" (first {shown} shown)" if self.detail.height > LIMIT else ""
            yield Label(Text(f"{self.detail.height} milestones{more} · open "
                             f"{format_amount(total)} {cur}"), classes="form-subtitle")  # fmt: skip
            yield BookTable(COLUMNS, id="aging-detail")
            yield Label(Text("↑↓ move · Esc close"), classes="dialog-keys")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Fill the list and focus it."""
        rows = []
        for r in self.detail.head(LIMIT).iter_rows(named=True):
            rows.append((str(r["milestone_id"]), [
                Text(r["client"]), Text(f"{r['contract']} #{r['seq']} {r['milestone']}"),
                Text(r["due_date"].isoformat()), Text(str(r["days_past_due"]), justify="right"),
                Text(r["invoice_no"] or ""), Text(str(r["invoiced_on"] or "")),
                Text(format_amount(r["open"]), justify="right"),
                Text(str(r["bucket"])),
            ]))  # fmt: skip
        table = self.query_one(BookTable)
        table.show(rows)
        table.focus()

    def action_close(self) -> None:
        """Back to the aging table."""
        self.dismiss(None)
