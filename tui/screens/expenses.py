"""Expenses (key 8): recurring and one-off outflows the forecast subtracts."""

from __future__ import annotations

from typing import Any, ClassVar

import polars as pl
from rich.text import Text
from textual.binding import Binding, BindingType

from tui.analytics.expenses import next_occurrences
from tui.domain.model import Expense
from tui.present import money
from tui.screens.listing import LIST_KEYS, HomeExtras, ListScreen
from tui.session import Snapshot
from tui.widgets.table import Column


class ExpensesScreen(ListScreen):
    """Every expense: amount, cadence, next date, end date."""

    NAME = "expenses"
    ENTER_ACTION = "edit"
    TITLE_TEXT = "Expenses"
    COLUMNS: ClassVar[list[Column]] = [
        Column("Expense", "name", grow=True, min_width=12, priority=1),
        Column("Amount", "amount_text", right=True),
        Column("Cadence", "cadence"),
        # hidden before a name is cut short (Enter shows the whole expense)
        Column("Category", "category", drop=2),
        Column("Next", "next_date"),
        Column("Since", "start_date", drop=1),
        Column("Ends", "end_date"),
    ]
    SORTABLE: ClassVar[list[str] | None] = [
        "next_date_sort",
        "name",
        "amount_sort",
        "cadence",
        "category",
        "end_date",
    ]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "New", id="expense-new"),
        Binding("e", "edit", "Edit", id="expense-edit"),
        Binding("x", "remove", "Remove", id="expense-remove"),
        *LIST_KEYS,
    ]

    def fetch(self, snapshot: Snapshot) -> tuple[pl.DataFrame, Any]:
        """The expenses frame with display columns."""
        frames = snapshot.frames
        # "Next" is the next time the money goes out (on or after today), not the first date
        # the expense was entered with: that one is "Since"; an expense that is over says so
        upcoming = next_occurrences(frames.expenses, snapshot.today)
        rows = [{
            "key": str(e["id"]), "id": e["id"], "name": e["name"], "currency": e["currency"],
            "amount_text": money(e["amount"], e["currency"]), "amount_sort": float(e["amount"]),
            "cadence": e["cadence"], "category": e["category"],
            "next_date": str(upcoming[e["id"]]) if e["id"] in upcoming else "over",
            "next_date_sort": str(upcoming[e["id"]]) if e["id"] in upcoming else "9999",
            "start_date": str(e["next_date"]),
            "end_date": str(e["end_date"]) if e["end_date"] else "",
            "search": f"{e['name']} {e['cadence']} {e['currency']} {e['category']}".lower(),
        } for e in frames.expenses.iter_rows(named=True)]  # fmt: skip
        schema = {"key": pl.String, "id": pl.Int64, "name": pl.String, "currency": pl.String,
                  "amount_text": pl.String, "amount_sort": pl.Float64, "cadence": pl.String,
                  "category": pl.String,
                  "next_date": pl.String, "next_date_sort": pl.String, "start_date": pl.String,
                  "end_date": pl.String, "search": pl.String}  # fmt: skip
        settings = frames.settings
        return pl.DataFrame(rows, schema=schema), HomeExtras(
            today=settings.today(), home=settings.home_currency
        )

    def show_extra(self) -> None:
        """Remember today."""
        self.today = self.extra.today

    def cells(self, row: dict[str, Any]) -> list[Any]:
        """One expense's cells."""
        return [
            Text(row["name"]),
            row["amount_text"],
            row["cadence"],
            Text(row["category"]),
            row["next_date"],
            row["start_date"],
            row["end_date"],
        ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Edit and remove need a selected expense."""
        if action in ("edit", "remove") and self.selected is None:
            return None
        return True

    def action_new(self) -> None:
        """Add an expense."""
        from tui.modals.expense_form import ExpenseForm

        def save(expense: Expense) -> int:
            return self.book.add_expense(expense)

        home = self.extra.home if self.extra else "EUR"
        self.app.push_screen(
            ExpenseForm(today=self._today(), save=save, home_currency=home), self.select_new
        )

    def action_edit(self) -> None:
        """Edit the selected expense."""
        from tui.modals.expense_form import ExpenseForm

        row = self.selected
        if row is None:
            return

        def edit(record: dict[str, Any]) -> None:
            self.app.push_screen(ExpenseForm(today=self._today(), expense=record, home_currency=row["currency"],
                                             save=lambda e, expected: self.book.update_expense(row["id"], e, expected=expected)))  # fmt: skip

        self.read_row("expenses", row["id"], edit)

    def action_remove(self) -> None:
        """Remove the selected expense (asks first)."""
        from tui.modals.confirm import ConfirmModal

        row = self.selected
        if row is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.milepay.write(
                    lambda: self.book.remove_expense(row["id"]), message="Expense removed."
                )

        self.app.push_screen(
            ConfirmModal(f"Remove the expense {row['name']}?", yes="Remove", no="Keep"), answered
        )
