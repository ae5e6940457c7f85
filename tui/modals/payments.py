"""The payments of one milestone, contract or client: listed, corrected and deleted (SPEC 2).

Opened from the milestones (``$``), contracts (``$``) and clients (``$``) screens. The list is
read through the app's session in a thread (every payment, whatever its date, with the
milestone it pays) and read again whenever the book changes, here or in another process.
``e`` opens the payment form on the selected payment (the store refuses an amount that would
overpay the milestone, and a payment changed elsewhere since it was listed); ``x`` asks first,
naming the amount and the date, then deletes it. Every value is shown as plain text.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from tui.domain.model import Payment
from tui.domain.money import format_amount
from tui.present.text import milestone_label
from tui.widgets.keybar import KeyBar
from tui.widgets.table import BookTable, Column

if TYPE_CHECKING:
    from tui.app import MilepayApp

#: the scopes a list is opened on, as the store names them
SCOPES = ("milestone", "contract", "client")


def totals_text(rows: list[dict[str, Any]]) -> str:
    """``3 payments · total 1,570.00 EUR`` (one total per currency, never mixed)."""
    per: dict[str, Decimal] = {}
    for r in rows:
        per[r["currency"]] = per.get(r["currency"], Decimal("0")) + r["amount"]
    count = f"{len(rows)} payment{'' if len(rows) == 1 else 's'}"
    if not per:
        return f"{count} recorded"
    return f"{count} · total " + " + ".join(f"{format_amount(v)} {c}" for c, v in per.items())


class PaymentsModal(ModalScreen[None]):
    """A list of payments with their date, amount, method and reference; e edit, x delete."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "edit", "Edit", id="payments-edit"),
        Binding("x", "delete", "Delete", id="payments-delete"),
        Binding("escape", "close", "Close", id="payments-close"),
    ]

    def __init__(self, scope: str, scope_id: int, title: str, *, today: dt.date) -> None:
        if scope not in SCOPES:
            raise ValueError(scope)
        super().__init__()
        self.scope = scope
        self.scope_id = scope_id
        self.title_text = title
        self.today = today
        #: the payments listed, by id (as the store returned them)
        self.rows: dict[str, dict[str, Any]] = {}
        self.loaded = False

    @property
    def milepay(self) -> MilepayApp:
        """The app, typed."""
        return cast("MilepayApp", self.app)

    def compose(self) -> ComposeResult:
        """Title, totals, the list, the keys."""
        columns = [
            Column("Received", "received_on"),
            Column("Amount", "amount", right=True),
            Column("Method", "method", grow=True, min_width=6),
            Column("Reference", "reference", grow=True, min_width=8),
        ]
        if self.scope != "milestone":
            columns.append(Column("Milestone", "milestone", grow=True, min_width=8))
        box = Vertical(classes="dialog payments")
        box.styles.width = "100%"  # inline: the app's .dialog width (64) would win over CSS here
        box.styles.height = "100%"
        with box:
            yield Label(Text(f"Payments · {self.title_text}", no_wrap=True, overflow="ellipsis"),
                        classes="dialog-title")  # fmt: skip
            yield Static(Text("Reading…"), id="payments-total", classes="form-subtitle")
            table = BookTable(columns, id="payments-table")
            table.styles.height = "1fr"
            yield table
            yield Label(Text("↑↓ move · e edit · x delete · Esc close"), classes="dialog-keys")
        yield KeyBar()

    def on_mount(self) -> None:
        """Read the payments; read them again whenever the book changes."""
        self.query_one(BookTable).focus()
        self.milepay.session.changed.subscribe(self, lambda _: self.load())
        self.load()

    def on_unmount(self) -> None:
        """Stop listening for changes."""
        self.milepay.session.changed.unsubscribe(self)

    def load(self) -> None:
        """Read the list in a thread, then show it."""
        scope, sid, book = self.scope, self.scope_id, self.milepay.session.book
        self.milepay.read(lambda: book.payments_of(scope, sid), self._show,
                          group=f"payments-{id(self)}")  # fmt: skip

    def _show(self, rows: list[dict[str, Any]]) -> None:
        if not self.is_mounted:
            return
        self.rows = {str(r["id"]): r for r in rows}
        self.loaded = True
        self.query_one("#payments-total", Static).update(Text(totals_text(rows)))
        table_rows = []
        for r in rows:
            cells: list[Any] = [
                r["received_on"].isoformat(),
                f"{format_amount(r['amount'])} {r['currency']}",
                Text(r["method"]),
                Text(r["reference"]),
            ]
            if self.scope != "milestone":
                cells.append(Text(milestone_label(r)))
            table_rows.append((str(r["id"]), cells))
        self.query_one(BookTable).show(table_rows)
        self.refresh_bindings()

    @property
    def selected(self) -> dict[str, Any] | None:
        """The payment under the cursor."""
        key = self.query_one(BookTable).current_key
        return self.rows.get(key) if key is not None else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Edit and delete need a payment selected (dimmed otherwise)."""
        if action in ("edit", "delete") and (not self.is_mounted or self.selected is None):
            return None
        return True

    def on_data_table_row_highlighted(self) -> None:
        """The cursor moved: the keys that apply may change."""
        self.refresh_bindings()

    def action_edit(self) -> None:
        """Correct the selected payment (amount, date, method, reference)."""
        from tui.modals.payment_form import PaymentForm

        row = self.selected
        if row is None:
            return
        pid, book = row["id"], self.milepay.session.book

        def save(payment: Payment, expected: dict[str, Any]) -> None:
            book.update_payment(pid, payment, expected=expected)

        def open_form(room: Decimal) -> None:
            self.app.push_screen(PaymentForm(label=f"{row['client']} / {milestone_label(row)}",
                                             open_amount=room, currency=row["currency"],
                                             today=self.today, save=save, payment=row))  # fmt: skip

        self.milepay.read(lambda: book.payment_room(pid), open_form)

    def action_delete(self) -> None:
        """Delete the selected payment, after asking (naming its amount and date)."""
        from tui.modals.confirm import ConfirmModal

        row = self.selected
        if row is None:
            return
        pid, book = row["id"], self.milepay.session.book
        amount = f"{format_amount(row['amount'])} {row['currency']}"
        on = row["received_on"].isoformat()

        def answered(yes: bool | None) -> None:
            if yes:
                self.milepay.write(lambda: book.delete_payment(pid, expected=row),
                                   message=f"Payment of {amount} of {on} deleted.")  # fmt: skip

        self.app.push_screen(
            ConfirmModal(f"Delete the payment of {amount} received on {on} for "
                         f"{row['client']} / {milestone_label(row)}?\nIts milestone is then "
                         "open by that much again.", yes="Delete", no="Keep"),
            answered,
        )  # fmt: skip

    def action_close(self) -> None:
        """Back to the screen it was opened from."""
        self.dismiss(None)


__all__ = ["PaymentsModal", "totals_text"]
