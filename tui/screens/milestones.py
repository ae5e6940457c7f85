"""Milestones (key 4): every open milestone across contracts (receivables), and their actions.

Filter with ``/`` (any column's text), sort with ``s`` (next column) and ``r`` (reverse).
``A`` includes paid, cancelled and written-off milestones; ``t`` shows only the work to
invoice (never invoiced, and past its date or delivered with the acceptance days run out:
``tui.analytics.aging.work_to_invoice``, the dashboard's list). Each row shows the status, the invoice
date and the payment due date together; the line under the list gives the selected
milestone's invoice, terms, promise to pay and hold. The table holds at most ``LIMIT`` rows
of the filtered, sorted view.
"""

from __future__ import annotations

from typing import Any, ClassVar

import polars as pl
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.reactive import var
from textual.widgets import Static

from tui.analytics.aging import work_to_invoice
from tui.analytics.chase import newest_steps, promise_state
from tui.domain.model import Hold, Milestone, Payment
from tui.domain.values import MilestoneStatus
from tui.navigation import Arrival
from tui.present import money
from tui.present.milestones import milestone_line
from tui.present.text import count
from tui.screens.listing import LIST_KEYS, ListExtras, ListScreen
from tui.session import Snapshot
from tui.widgets.table import Column

CLOSED = ("cancelled", "written_off")


def warn_if_text(app: App[Any], result: object) -> None:
    """Show a form's returned warning (e.g. the schedule no longer adds up to the fee)."""
    if isinstance(result, str):
        app.notify(result, severity="warning", markup=False, timeout=8)


#: the keys that act on the selected milestone
_ROW_ACTIONS = ("pay", "delivered", "invoiced", "hold", "edit", "delete", "promise", "payments",
                "split")  # fmt: skip


class MilestonesScreen(ListScreen):
    """Receivables: status, due date, days past due, open amount; payments and status changes."""

    NAME = "milestones"
    ENTER_ACTION = "edit"
    TITLE_TEXT = "Milestones"
    COLUMNS: ClassVar[list[Column]] = [
        Column("Client", "client", grow=True, min_width=10),
        Column("Milestone · contract", "label", grow=True, min_width=24, priority=1),
        Column("Status", "state"),
        Column("Invoiced", "invoiced_on", drop=1),  # the line under the list has it
        Column("Due", "due_date"),
        Column("Late", "days_past_due", right=True, drop=2),  # so has this
        Column("Open", "open_text", right=True),
    ]
    SORTABLE: ClassVar[list[str] | None] = ["due_date", "client", "label", "state", "invoiced_on",
                                             "days_past_due", "open_sort"]  # fmt: skip
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "pay", "Payment", id="milestone-pay"),
        Binding("d", "delivered", "Delivered", id="milestone-delivered"),
        Binding("i", "invoiced", "Invoiced", id="milestone-invoiced"),
        Binding("P", "promise", "Promise", id="milestone-promise"),
        Binding("h", "hold", "Hold", id="milestone-hold"),
        Binding("t", "toggle_to_invoice", "To invoice", id="milestone-to-invoice"),
        Binding("e", "edit", "Edit", id="milestone-edit"),
        Binding("x", "delete", "Delete", show=False, id="milestone-delete"),
        Binding("U", "undo_step", "Undo chase step", show=False, id="milestone-undo-step"),
        Binding("A", "toggle_all", "Show all", show=False, id="milestone-all"),
        Binding("$", "payments", "Payments", show=False, id="milestone-payments"),
        Binding("T", "split", "Split transfer", show=False, id="milestone-split"),
        Binding("B", "bank_review", "Bank statement", show=False, id="milestone-bank"),
        *LIST_KEYS,
    ]

    #: paid, cancelled and written-off milestones listed too: a change redraws from memory
    show_all = var(False, init=False)
    #: only the work to invoice (past its date, never invoiced)
    only_to_invoice = var(False, init=False)

    def compose_main(self) -> ComposeResult:
        """The list, and one line about the selected milestone under it."""
        yield from super().compose_main()
        yield Static("", id="milestone-line", classes="list-note")

    def fetch(self, snapshot: Snapshot) -> tuple[pl.DataFrame, Any]:
        """Milestone facts at today, with holds and a search column."""
        frames = snapshot.frames
        today, facts, _contracts = snapshot.today, snapshot.facts, snapshot.contracts
        holds = (
            frames.holds.filter(pl.col("released_on").is_null() & (pl.col("until") >= today))
            .group_by("milestone_id")
            .agg(pl.col("until").max().alias("hold_until"))
        )
        terms = frames.contracts.select(pl.col("id").alias("contract_id"), "payment_terms_days")
        files = frames.milestones.select(pl.col("id").alias("milestone_id"), "invoice_file")
        frame = (
            facts.join(holds, on="milestone_id", how="left")
            .join(terms, on="contract_id", how="left")
            .join(files, on="milestone_id", how="left")
            .join(newest_steps(frames), on="milestone_id", how="left")
            .with_columns(
                work_to_invoice(today).alias("to_invoice"), promise_state(today).alias("promise")
            )
            .with_columns(
                pl.col("milestone_id").cast(pl.String).alias("key"),
                (pl.col("contract") + " #" + pl.col("seq").cast(pl.String) + " " + pl.col("milestone")).alias("label"),
                pl.when(pl.col("hold_until").is_not_null()).then(pl.lit("on hold"))
                .when(pl.col("to_invoice")).then(pl.lit("to invoice"))
                .when((pl.col("open") == 0) & ~pl.col("status").is_in(CLOSED)).then(pl.lit("paid"))
                .when((pl.col("paid") > 0) & ~pl.col("status").is_in(CLOSED)).then(pl.lit("part paid"))
                .otherwise(pl.col("status").str.replace("_", " ")).alias("state"),
                pl.col("open").cast(pl.Float64).alias("open_sort"),  # order only, never shown
                (pl.col("client_archived") | pl.col("contract_archived")).alias("archived"),
            )
            .with_columns(
                pl.concat_str([pl.col("client"), pl.col("label"), pl.col("state"), pl.col("currency"),
                               pl.col("invoice_no").fill_null("")], separator=" ").str.to_lowercase().alias("search")
            )
        )  # fmt: skip
        return frame, ListExtras(today=today)

    def show_extra(self) -> None:
        """Remember today."""
        self.today = self.extra.today

    def narrow(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Open milestones of live contracts, unless all were asked for; or the work to invoice."""
        if self.only_to_invoice:
            frame = frame.filter(pl.col("to_invoice"))
        if self.show_all:
            return frame
        return frame.filter((pl.col("open") > 0) & ~pl.col("archived"))

    def watch_show_all(self) -> None:
        """All milestones or the open ones: the view again."""
        self.refilter()

    def watch_only_to_invoice(self) -> None:
        """The work to invoice or every milestone: the view again."""
        self.refilter()

    def view_note(self) -> str:
        """Say when only the work to invoice is listed."""
        return "to invoice only (t: all)" if self.only_to_invoice else ""

    def cells(self, row: dict[str, Any]) -> list[Any]:
        """One milestone's cells; overdue ones in bold. Late counts for billed ones only: work
        not invoiced is not late, whatever its date."""
        late = self._late(row)
        style = "bold" if late else ""
        # the milestone first: rows of one contract differ there, and a narrow column keeps it
        what = f"#{row['seq']} {row['milestone']} · {row['contract']}"
        return [Text(row["client"] or ""), Text(what), row["state"],
                str(row["invoiced_on"] or ""), Text(str(row["due_date"]), style=style),
                Text(str(late) if late else "", style=style, justify="right"),
                Text(money(row["open"], row["currency"]), style=style, justify="right")]  # fmt: skip

    def _late(self, row: dict[str, Any]) -> int:
        """Days past due of a billed, open milestone (0 when not late or not billed)."""
        billed = row["invoiced_on"] is not None and row["invoiced_on"] <= self.extra.today
        late = row["days_past_due"] if row["open"] > 0 and billed else None
        return late if late is not None and late > 0 else 0

    def row_changed(self, key: str | None) -> None:
        """The line under the list: the selected milestone's invoice, promise and hold."""
        row = self.selected
        line = Text()
        if row is not None and self.extra:
            line.append(f"{row['client'] or ''} / {row['label']}", style="bold")
            late = self._late(row)
            if late:
                line.append(f" · {count(late, 'day')} late", style="bold")
            line.append("\n" + milestone_line(row, self.extra.today))
        self.query_one("#milestone-line", Static).update(line)

    def arrive(self, arrival: Arrival) -> None:
        """A contract's milestones, a payment to record, or a filter (see ListScreen.arrive)."""
        if arrival.to_invoice:
            self.show_all = False
            self.set_filter("")
            self.only_to_invoice = True
        if arrival.contract is not None:
            self.show_contract(*arrival.contract)
        if arrival.pay_milestone is not None:
            self.pay_for(arrival.pay_milestone)
        super().arrive(arrival)

    def show_contract(self, contract_id: int, title: str) -> None:
        """Show one contract's milestones (from the contracts screen)."""
        self.show_all = True
        self.set_filter(title.lower())

    # ---- actions ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Each action only where it applies to the selected milestone."""
        if action not in _ROW_ACTIONS:
            return True
        row = self.selected
        if row is None:
            return None
        closed = row["status"] in CLOSED
        if action == "pay":
            return None if closed or row["open"] <= 0 else True
        if action == "delivered":
            return None if closed or row["status"] in ("delivered", "invoiced") else True
        if action == "invoiced":
            return None if closed or row["status"] == "invoiced" else True
        if action == "promise":
            return None if closed or (row["open"] <= 0 and row["promised_on"] is None) else True
        return True

    def why_not(self, action: str) -> str | None:
        """Why a key shown muted does nothing for the selected milestone (the app says it)."""
        row = self.selected
        if row is None:
            return "No milestone is selected." if action in _ROW_ACTIONS else None
        what = {"pay": "record a payment on it", "delivered": "mark it delivered",
                "invoiced": "mark it invoiced", "promise": "log a promise on it"}.get(action)  # fmt: skip
        if what is None:
            return None
        if row["status"] in CLOSED:
            return f"Cannot {what}: the milestone is {row['status'].replace('_', ' ')}."
        if action == "invoiced" and row["status"] == "invoiced":
            return "Already invoiced; e edits its invoice number and dates."
        if action == "delivered":
            return f"Already {row['status']}."
        return "Nothing is open on this milestone."

    def _label(self, row: dict[str, Any]) -> str:
        return f"{row['client']} / {row['label']}"

    def action_pay(self) -> None:
        """Record a payment; the amount defaults to what is open."""

        row = self.selected
        if row is not None:
            self._pay_row(row)

    def pay_for(self, milestone_id: int) -> None:
        """Record a payment for one milestone (from the command palette)."""
        assert self.frame is not None
        found = self.frame.filter(pl.col("milestone_id") == milestone_id)
        if found.height:
            self.pending_key = str(milestone_id)
            self.refilter()
            self._pay_row(found.row(0, named=True))

    def _pay_row(self, row: dict[str, Any]) -> None:
        from tui.modals.payment_form import PaymentForm

        mid = row["milestone_id"]

        def open_form(open_amount: Any) -> None:
            self.app.push_screen(PaymentForm(label=self._label(row), open_amount=open_amount,
                                             currency=row["currency"], today=self._today(),
                                             save=lambda p: self._record(mid, p)))  # fmt: skip

        self.milepay.read(lambda: self.book.milestone_open_amount(mid), open_form)

    def _record(self, milestone_id: int, payment: Payment) -> int:
        return self.book.record_payment(milestone_id, payment)

    def action_delivered(self) -> None:
        """Mark the milestone delivered today."""
        row = self.selected
        if row is not None:
            self.milepay.write(lambda: self.book.set_milestone_status(row["milestone_id"], MilestoneStatus.DELIVERED,
                                                                      on=self._today()),
                               message=f"{row['label']} marked delivered.")  # fmt: skip

    def action_invoiced(self) -> None:
        """Mark the milestone invoiced: invoice number and date."""
        from tui.modals.small_forms import InvoiceForm

        row = self.selected
        if row is not None:
            mid = row["milestone_id"]
            self.app.push_screen(InvoiceForm(label=self._label(row), today=self._today(),
                                             invoice_no=row["invoice_no"] or "",
                                             terms_days=row["payment_terms_days"] or 0,
                                             invoice_file=row.get("invoice_file") or "",
                                             save=lambda no, on, due, file: self.book.mark_invoiced(mid, no, on, due, None if file == (row.get("invoice_file") or "") else file)))  # fmt: skip

    def action_promise(self) -> None:
        """Record the client's promise to pay on a date (with a note), or change or clear it."""
        from tui.modals.small_forms import PromiseForm

        row = self.selected
        if row is None:
            return
        mid = row["milestone_id"]
        self.app.push_screen(PromiseForm(label=self._label(row), today=self._today(),
                                         promised_on=row["promised_on"], note=row["promise_note"] or "",
                                         broken=row["promise"] == "broken",
                                         save=lambda on, note: self.book.set_promise(mid, on, note)))  # fmt: skip

    def action_toggle_to_invoice(self) -> None:
        """Only the work to invoice, or every milestone."""
        self.only_to_invoice = not self.only_to_invoice

    def action_hold(self) -> None:
        """Put the milestone on hold until a date, or release its hold."""
        from tui.modals.small_forms import HoldForm

        row = self.selected
        if row is None:
            return
        mid = row["milestone_id"]
        if row["hold_until"] is not None:
            self.milepay.write(
                lambda: self.book.release_hold(mid, self._today()), message="Hold released."
            )
            return

        def put(hold: Hold) -> int:
            return self.book.put_on_hold(mid, hold)

        self.app.push_screen(HoldForm(label=self._label(row), today=self._today(), save=put))

    def action_undo_step(self) -> None:
        """Undo the milestone's last logged chase step (asks first; a sent message stays sent)."""
        from tui.modals.confirm import ConfirmModal

        row = self.selected
        if row is None:
            return
        if row.get("undo_event_id") is None:
            self.notify("No chase step is logged for this milestone.", markup=False)
            return
        mid, step, on = row["milestone_id"], row["undo_step"], row["undo_date"]
        event = row["undo_event_id"]  # the one shown: refused if another came in since

        def answered(yes: bool | None) -> None:
            if yes:
                self.milepay.write(lambda: self.book.undo_chase_step(mid, event_id=event),
                                   message=f"Undone: the {step} step of {on}.")  # fmt: skip

        self.app.push_screen(ConfirmModal(f"Undo the {step} step logged on {on} for {row['label']}?\n"
                                          "Only the log entry is removed: a message already sent "
                                          "is not recalled.", yes="Undo it", no="Keep it"), answered)  # fmt: skip

    def action_edit(self) -> None:
        """Edit the milestone (title, amount, due date, status, invoice)."""
        from tui.modals.milestone_form import MilestoneForm

        row = self.selected
        if row is None:
            return
        mid = row["milestone_id"]

        def edit(record: dict[str, Any]) -> None:
            def save(m: Milestone, expected: dict[str, Any]) -> str | None:
                self.book.update_milestone(mid, m, expected=expected)
                return self.book.schedule_warning(record["contract_id"])

            self.app.push_screen(MilestoneForm(contract_title=row["contract"], today=self._today(),
                                               milestone=record, save=save),
                                 lambda result: warn_if_text(self.app, result))  # fmt: skip

        self.read_row("milestones", mid, edit)

    def action_delete(self) -> None:
        """Delete a milestone without a history (asks first); one with payments says why not
        (the store also refuses one with logged chase steps, holds or a claimed fee)."""
        from tui.modals.confirm import ConfirmModal

        row = self.selected
        if row is None:
            return
        if row["paid"] > 0:  # say why, rather than a key that silently does nothing
            self.notify(f"{self._label(row)} has payments and cannot be deleted: cancel it or "
                        "write it off with e (its history stays); $ lists the payments.",
                        severity="warning", markup=False, timeout=8)  # fmt: skip
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.milepay.write(lambda: self.book.delete_milestone(row["milestone_id"]),
                                   message="Milestone deleted.")  # fmt: skip

        self.app.push_screen(ConfirmModal(f"Delete the milestone {self._label(row)}?", yes="Delete",
                                          no="Keep"), answered)  # fmt: skip

    def action_payments(self) -> None:
        """The payments of the selected milestone: e corrects one, x deletes one."""
        from tui.modals.payments import PaymentsModal

        row = self.selected
        if row is not None:
            self.app.push_screen(PaymentsModal("milestone", row["milestone_id"], self._label(row),
                                               today=self._today()))  # fmt: skip

    def action_bank_review(self) -> None:
        """Read a bank statement, review its proposals, record the ticked ones."""
        from tui.modals.bank_review import open_review

        open_review(self.app)

    def action_split(self) -> None:
        """One transfer over the open invoiced milestones of the selected milestone's client."""
        from tui.modals.split_payment import SplitPaymentForm

        row = self.selected
        if row is None:
            return
        client, cid, currency = row["client"], row["client_id"], row["currency"]

        def open_form(open_rows: list[dict[str, Any]]) -> None:
            if not open_rows:
                self.notify(f"No invoiced milestone of {client} is open in {currency}.",
                            markup=False)  # fmt: skip
                return
            self.app.push_screen(SplitPaymentForm(client=client, currency=currency,
                                                  open_rows=open_rows, today=self._today(),
                                                  save=self.book.record_split))  # fmt: skip

        self.milepay.read(lambda: self.book.open_billed_milestones(cid, currency), open_form)

    def action_toggle_all(self) -> None:
        """Include paid, cancelled and written-off milestones, or not."""
        self.show_all = not self.show_all
