"""The milestones behind an aging figure: ``AgingReport.detail`` filtered, shown as a list."""

from __future__ import annotations

from typing import ClassVar

import polars as pl
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from tui.domain.money import format_amount
from tui.present.text import count, milestone_label
from tui.widgets.keybar import KeyBar
from tui.widgets.table import BookTable, Column

#: rows put in the list (a currency's whole 90+ bucket can hold thousands)
LIMIT = 1000
#: narrow, the invoice date and the bucket give way first; the line under the list has them
COLUMNS = [
    Column("Client", "client", grow=True, min_width=10),
    Column("Milestone", "milestone", grow=True, min_width=16, priority=1),
    Column("Due", "due_date"),
    Column("Days", "days_past_due", right=True),
    Column("Invoice", "invoice_no"),
    Column("Invoiced", "invoiced_on", drop=1),
    Column("Open", "open", right=True),
    Column("Bucket", "bucket", drop=2),
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
            yield Label(Text(f"{count(self.detail.height, 'milestone')}{more} · open "
                             f"{format_amount(total)} {cur}"), classes="form-subtitle")  # fmt: skip
            yield BookTable(COLUMNS, id="aging-detail")
            yield Label("", id="aging-detail-line", classes="aging-detail-line")
            yield Label(Text("↑↓ move · Esc close"), classes="dialog-keys")
        yield KeyBar()

    def on_mount(self) -> None:
        """Fill the list and focus it."""
        rows = []
        for r in self.detail.head(LIMIT).iter_rows(named=True):
            rows.append((str(r["milestone_id"]), [
                Text(r["client"]), Text(f"{milestone_label(r)}"),
                Text(r["due_date"].isoformat()), Text(str(r["days_past_due"]), justify="right"),
                Text(r["invoice_no"] or ""), Text(str(r["invoiced_on"] or "")),
                Text(format_amount(r["open"]), justify="right"),
                Text(str(r["bucket"])),
            ]))  # fmt: skip
        table = self.query_one(BookTable)
        table.show(rows)
        table.focus()

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The whole of the row under the cursor, under the list (its cells may be cut)."""
        key = event.row_key.value if event.row_key else None
        found = self.detail.filter(pl.col("milestone_id").cast(pl.String) == key)
        line = Text()
        if found.height:
            r = found.row(0, named=True)
            line.append(f"{r['client']} / {milestone_label(r)}", style="bold")
            invoice = r["invoice_no"] or "no number"
            when = f" of {r['invoiced_on']}" if r["invoiced_on"] else ""
            line.append(f" · invoice {invoice}{when} · due {r['due_date']}"
                        f" · {format_amount(r['open'])} {r['currency']} · {r['bucket']}")  # fmt: skip
        self.query_one("#aging-detail-line", Label).update(line)

    def action_close(self) -> None:
        """Back to the aging table."""
        self.dismiss(None)
