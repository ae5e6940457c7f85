"""Contracts (key 3): the list, and the selected contract's schedule, warnings and change orders."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

import polars as pl
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.reactive import var
from textual.widgets import Static

from tui.domain.model import Contract, Milestone
from tui.navigation import Arrival, Navigate
from tui.present import money
from tui.present.text import grouped_amounts
from tui.screens.listing import LIST_KEYS, ListExtras, ListScreen
from tui.session import Snapshot
from tui.widgets.table import BookTable, Column


@dataclass(frozen=True)
class ContractsExtras(ListExtras):
    """The contracts screen besides its rows: the detail pane's frames and the form's choices."""

    #: one row per milestone (tui.analytics.base.milestone_facts)
    facts: pl.DataFrame
    #: one row per contract (tui.analytics.summaries.contract_summary)
    contracts: pl.DataFrame
    change_orders: pl.DataFrame
    #: (id, name) of every live client, by name: the contract form's choices
    clients: list[tuple[int, str]]
    home: str


class ContractsScreen(ListScreen):
    """Every contract; below, the selected one's milestones, fee difference and change orders."""

    NAME = "contracts"
    ENTER_ACTION = "milestones"
    TITLE_TEXT = "Contracts"
    COLUMNS: ClassVar[list[Column]] = [
        Column("Client", "client", grow=True, min_width=10),
        Column("Contract", "title", grow=True, min_width=12, priority=1),
        Column("Fee", "fee_text", right=True),
        Column("Open", "open_text", right=True),
        Column("Status", "status"),
        Column("!", "n_flags", right=True),
    ]
    SORTABLE: ClassVar[list[str] | None] = [
        "client",
        "title",
        "fee_sort",
        "open_sort",
        "status",
        "n_flags",
    ]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "New", id="contract-new"),
        Binding("e", "edit", "Edit", id="contract-edit"),
        Binding("a", "archive", "Archive", id="contract-archive"),
        Binding("m", "add_milestone", "+Milestone", id="contract-milestone"),
        Binding("o", "change_order", "+Change", id="contract-change-order"),
        Binding("y", "accept_change", "Accept CO", id="contract-accept"),
        Binding("x", "reject_change", "Reject CO", show=False, id="contract-reject"),
        Binding("enter", "milestones", "Milestones", show=False, id="contract-milestones"),
        Binding("A", "toggle_archived", "Show archived", show=False, id="contract-show-archived"),
        Binding("$", "payments", "Payments", show=False, id="contract-payments"),
        *LIST_KEYS,
    ]

    #: archived contracts listed too: a change redraws the list from memory
    show_archived = var(False, init=False)

    def compose_main(self) -> ComposeResult:
        """List above, detail below."""
        with Vertical(classes="split"):
            yield BookTable(self.COLUMNS, id="list")
            with VerticalScroll(classes="detail-below", id="detail-pane"):
                yield Static("", id="detail", classes="detail-text")

    def fetch(self, snapshot: Snapshot) -> tuple[pl.DataFrame, Any]:
        """Contracts with their sums and flags; milestones and change orders for the detail."""
        frames = snapshot.frames
        today, facts, contracts = snapshot.today, snapshot.facts, snapshot.contracts
        rows = [{
            "key": str(k["contract_id"]), "id": k["contract_id"], "client_id": k["client_id"],
            "client": k["client"] or "", "title": k["title"], "status": k["status"],
            "archived": bool(k["archived"] or k["client_archived"]), "currency": k["currency"],
            "fee_text": money(k["total_fee"], k["currency"]), "fee_sort": float(k["total_fee"]),
            "open_text": money(k["open"]), "open_sort": float(k["open"]), "n_flags": len(k["flags"]),
            "search": f"{k['client']} {k['title']} {k['status']} {k['currency']}".lower(),
        } for k in contracts.iter_rows(named=True)]  # fmt: skip
        schema = {"key": pl.String, "id": pl.Int64, "client_id": pl.Int64, "client": pl.String,
                  "title": pl.String, "status": pl.String, "archived": pl.Boolean, "currency": pl.String,
                  "fee_text": pl.String, "fee_sort": pl.Float64, "open_text": pl.String,
                  "open_sort": pl.Float64, "n_flags": pl.Int64, "search": pl.String}  # fmt: skip
        clients = frames.clients.filter(~pl.col("archived")).sort("name")
        extra = ContractsExtras(
            today=today,
            facts=facts,
            contracts=contracts,
            change_orders=frames.change_orders,
            clients=[(r["id"], r["name"]) for r in clients.iter_rows(named=True)],
            home=frames.settings.home_currency,
        )
        return pl.DataFrame(rows, schema=schema), extra

    def show_extra(self) -> None:
        """Remember today."""
        self.today = self.extra.today

    def narrow(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Archived contracts (or of archived clients) only when asked for."""
        return frame if self.show_archived else frame.filter(~pl.col("archived"))

    def watch_show_archived(self) -> None:
        """Archived contracts shown or hidden: the view again."""
        self.refilter()

    def cells(self, row: dict[str, Any]) -> list[Any]:
        """One contract's cells."""
        style = "dim" if row["archived"] else ""
        return [Text(row["client"], style=style), Text(row["title"], style=style), row["fee_text"],
                row["open_text"], "archived" if row["archived"] else row["status"],
                str(row["n_flags"]) if row["n_flags"] else ""]  # fmt: skip

    def row_changed(self, key: str | None) -> None:
        """Rebuild the detail for the selected contract (in a thread)."""
        self._detail(self.selected, self.extra)

    def _detail(self, row: dict[str, Any] | None, extra: Any) -> None:
        def compute() -> Any:
            if row is None:
                return Text("No contract selected. n adds one (a client is needed first: key 2).")
            return _contract_detail(row["id"], extra)

        self.session.run(compute, done=self.query_one("#detail", Static).update,
                         group=f"detail-{id(self)}", exclusive=True)  # fmt: skip

    # ---- actions ---------------------------------------------------------------------------

    def _proposed(self, contract_id: int) -> list[dict[str, Any]]:
        if not self.extra:
            return []
        orders = self.extra.change_orders
        return orders.filter(
            (pl.col("contract_id") == contract_id) & (pl.col("status") == "proposed")
        ).to_dicts()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Actions on a contract need one selected; accepting needs a proposed change order."""
        if action in ("edit", "archive", "add_milestone", "change_order", "milestones",
                      "accept_change", "reject_change", "payments"):  # fmt: skip
            row = self.selected
            if row is None:
                return None
            if action in ("accept_change", "reject_change"):
                return True if self._proposed(row["id"]) else None
        return True

    def why_not(self, action: str) -> str | None:
        """Why a key shown muted does nothing now (the app says it in a toast)."""
        if self.selected is None:
            return "No contract is selected." if action != "new" else None
        if action in ("accept_change", "reject_change"):
            return "This contract has no proposed change order: o logs one."
        return None

    def arrive(self, arrival: Arrival) -> None:
        """The new-contract form for a client, or a filter (see ListScreen.arrive)."""
        if arrival.new_contract_for is not None:
            self.action_new(arrival.new_contract_for)
        super().arrive(arrival)

    def action_new(self, client_id: int | None = None) -> None:
        """A new contract with a generated milestone schedule."""
        from tui.modals.contract_form import ContractForm

        clients = self.extra.clients if self.extra else []
        if not clients:
            self.notify("Add a client first: press 2, then n.", markup=False)
            return
        if client_id is None and self.selected is not None:
            client_id = self.selected["client_id"]

        def save(cid: int, contract: Contract, milestones: list[Milestone]) -> int:
            return self.book.add_contract(cid, contract, milestones)

        self.app.push_screen(ContractForm(today=self._today(), clients=clients, save=save, client_id=client_id,
                                          home_currency=self.extra.home), self.select_new)  # fmt: skip

    def action_edit(self) -> None:
        """Edit the selected contract's terms."""
        from tui.modals.contract_form import ContractForm

        row = self.selected
        if row is None:
            return

        def edit(record: dict[str, Any]) -> None:
            self.app.push_screen(ContractForm(today=self._today(), clients=[], contract=record,
                                              save=lambda _c, k, _m, expected: self.book.update_contract(row["id"], k, expected=expected)))  # fmt: skip

        self.read_row("contracts", row["id"], edit)

    def action_archive(self) -> None:
        """Archive the selected contract, or restore it."""
        row = self.selected
        if row is None:
            return
        record = self.extra.contracts.filter(pl.col("contract_id") == row["id"]).row(0, named=True)
        restore = bool(record["archived"])
        verb = "restored" if restore else "archived (A shows archived contracts)"
        self.milepay.write(lambda: self.book.set_contract_archived(row["id"], not restore),
                           message=f"{row['title']} {verb}.")  # fmt: skip

    def action_toggle_archived(self) -> None:
        """Show or hide archived contracts."""
        self.show_archived = not self.show_archived

    def action_add_milestone(self) -> None:
        """Add a milestone to the selected contract."""
        from tui.modals.milestone_form import MilestoneForm

        row = self.selected
        if row is None:
            return
        facts = self.extra.facts.filter(pl.col("contract_id") == row["id"])
        seq = int(facts["seq"].max() or 0) + 1 if facts.height else 1
        from tui.screens.milestones import warn_if_text

        def save(m: Milestone) -> str | None:
            self.book.add_milestone(row["id"], m)
            return self.book.schedule_warning(row["id"])

        self.app.push_screen(MilestoneForm(contract_title=row["title"], today=self._today(), next_seq=seq,
                                           titles=facts["milestone"].to_list(), save=save),
                             lambda result: warn_if_text(self.app, result))  # fmt: skip

    def action_change_order(self) -> None:
        """Log a change order on the selected contract."""
        from tui.modals.small_forms import ChangeOrderForm

        row = self.selected
        if row is not None:
            self.app.push_screen(ChangeOrderForm(label=f"{row['client']} / {row['title']}", today=self._today(),
                                                 save=lambda o: self.book.add_change_order(row["id"], o)))  # fmt: skip

    async def _pick_order(self, title: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """(order, contract row): a proposed change order, asked only if several (worker)."""
        from tui.modals.pick import PickModal

        row = self.selected
        orders = self._proposed(row["id"]) if row else []
        if row is None or not orders:
            return None
        if len(orders) == 1:
            return orders[0], row
        choices = [
            (o["id"], f"{o['date']}  {o['description']}  {money(o['amount_delta'])}")
            for o in orders
        ]
        oid = await self.app.push_screen_wait(PickModal(title, choices))
        if not oid:
            return None
        return next(o for o in orders if o["id"] == oid), row

    def action_accept_change(self) -> None:
        """Accept a proposed change order: add the milestone that prices it."""
        self._accept_change()

    @work(group="dialog")
    async def _accept_change(self) -> None:
        """Which order (if several), then a yes (fee down) or the milestone form (fee up)."""
        from tui.modals.confirm import ConfirmModal
        from tui.modals.small_forms import AcceptChangeForm

        picked = await self._pick_order("Accept which change order?")
        if picked is None:
            return
        order, row = picked
        delta: Decimal = order["amount_delta"]
        label = f"{row['title']}: {order['description']} ({money(delta, row['currency'])})"
        if delta <= 0:
            question = f"Accept {label}? The fee goes down; no milestone is added."
            if await self.app.push_screen_wait(ConfirmModal(question, yes="Accept")):
                self.milepay.write(lambda: self.book.accept_change_order(order["id"], []),
                                   message="Change order accepted.")  # fmt: skip
            return
        facts = self.extra.facts.filter(pl.col("contract_id") == row["id"])
        seq = int(facts["seq"].max() or 0) + 1
        values = {"seq": str(seq), "title": order["description"][:200], "amount": str(delta),
                  "due_date": "+30d"}  # fmt: skip
        self.app.push_screen(AcceptChangeForm(label=label, today=self._today(), values=values,
                                              save=lambda m: self.book.accept_change_order(order["id"], [m])))  # fmt: skip

    def action_reject_change(self) -> None:
        """Reject a proposed change order (asks first)."""
        self._reject_change()

    @work(group="dialog")
    async def _reject_change(self) -> None:
        """Which order (if several), then are you sure, then the write."""
        from tui.modals.confirm import ConfirmModal

        picked = await self._pick_order("Reject which change order?")
        if picked is None:
            return
        order, _row = picked
        question = f"Reject the change order '{order['description']}'?"
        if await self.app.push_screen_wait(ConfirmModal(question, yes="Reject", no="Keep")):
            self.milepay.write(lambda: self.book.reject_change_order(order["id"]),
                               message="Change order rejected.")  # fmt: skip

    def action_payments(self) -> None:
        """The payments of the selected contract: e corrects one, x deletes one."""
        from tui.modals.payments import PaymentsModal

        row = self.selected
        if row is not None:
            self.app.push_screen(PaymentsModal("contract", row["id"], f"{row['client']} / {row['title']}",
                                               today=self._today()))  # fmt: skip

    def action_milestones(self) -> None:
        """Show this contract's milestones on the milestones screen."""
        row = self.selected
        if row is not None:
            self.app.post_message(
                Navigate("milestones", Arrival(contract=(row["id"], row["title"])))
            )


def _contract_detail(contract_id: int, extra: ContractsExtras) -> Group:
    """Schedule table, the fee difference warning, flags and change orders, as plain text."""
    k = extra.contracts.filter(pl.col("contract_id") == contract_id).row(0, named=True)
    cur = k["currency"]
    head = Text()
    head.append(f"{k['client']} / {k['title']}", style="bold")
    head.append(f"  {k['status']}{' (archived)' if k['archived'] else ''}")
    # the figures on a line of their own: a narrow pane never parts an amount from its currency
    head.append(
        f"\nfee {money(k['total_fee'], cur)}  paid {money(k['paid'])}  open {money(k['open'])}"
    )
    head.append(f"\nstart {k['start_date'] or '-'}  end {k['end_date'] or '-'}  signed {k['signed_on'] or 'not signed'}"
                f"  terms {k['payment_terms_days']}d  late fee {k['late_fee_kind']}")  # fmt: skip
    parts: list[Any] = [head]
    for flag in k["flags"]:
        parts.append(Text(f"! {grouped_amounts(flag)}", style="bold"))
    ms = extra.facts.filter(pl.col("contract_id") == contract_id).sort("seq")
    # as wide as its content (a wide terminal does not stretch the names away from the dates);
    # when narrow, the milestone's name and its status wrap: amounts and dates never give way
    table = Table(box=None, padding=(0, 1), expand=False, show_edge=False, pad_edge=False)
    for name, right in (("#", True), ("Milestone", False), ("Status", False), ("Invoiced", False),
                        ("Due", False), ("Amount", True), ("Paid", True)):  # fmt: skip
        wraps = name in ("Milestone", "Status")
        table.add_column(name, justify="right" if right else "left", no_wrap=not wraps,
                         overflow="fold", min_width=12 if name == "Milestone" else None)  # fmt: skip
    for m in ms.iter_rows(named=True):
        table.add_row(Text(str(m["seq"])), Text(m["milestone"]), Text(_payment_state(m)),
                      Text(str(m["invoiced_on"] or "")), Text(str(m["due_date"])), Text(money(m["amount"])),
                      Text(money(m["paid"])))  # fmt: skip
    if ms.height:
        parts.append(table)
    orders = extra.change_orders.filter(pl.col("contract_id") == contract_id).sort("date")
    if orders.height:
        text = Text("Change orders\n", style="bold underline")
        for o in orders.iter_rows(named=True):
            text.append(f"  {o['date']}  {o['status']:<9} {money(o['amount_delta'], cur):>16}  ")
            text.append(o["description"])
            text.append("\n")
        parts.append(text)
    return Group(*parts)


def _payment_state(m: dict[str, Any]) -> str:
    """A milestone's status with what was paid: ``paid``, ``invoiced, part paid``, ``planned``."""
    status = m["status"].replace("_", " ")
    if m["status"] in ("cancelled", "written_off"):
        return status
    if m["open"] == 0:
        return "paid"
    return f"{status}, part paid" if m["paid"] > 0 else status
