"""Clients (key 2): the list with open amounts and red flags, and the selected client's detail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import var
from textual.widgets import Static

from tui.analytics.aging import is_billed, work_to_invoice
from tui.analytics.chase import promise_state
from tui.analytics.scorecard import client_scorecards
from tui.domain.model import Client, Contact
from tui.navigation import Arrival, Navigate
from tui.present import money, per_currency
from tui.present.text import grouped_amounts, milestone_label
from tui.screens.listing import LIST_KEYS, ListExtras, ListScreen
from tui.session import Snapshot
from tui.widgets.table import BookTable, Column


@dataclass(frozen=True)
class ClientsExtras(ListExtras):
    """The clients screen besides its rows: what the detail pane and the forms need."""

    contacts: pl.DataFrame
    #: one row per contract (tui.analytics.summaries.contract_summary)
    contracts: pl.DataFrame
    #: client id -> [(currency, open, overdue, to invoice)]: open and overdue count billed
    #: milestones only (as aging); work never invoiced that is due is "to invoice"
    opens: dict[int, list[tuple[str, Any, Any, Any]]]
    #: client id -> its milestones with a promise to pay (promised_on, promise_note, state, ...)
    promises: dict[int, list[dict[str, Any]]]
    #: client id -> its scorecard row
    cards: dict[int, dict[str, Any]]


class ClientsScreen(ListScreen):
    """Every client; the right pane shows contacts, contracts and red flags."""

    NAME = "clients"
    ENTER_ACTION = "contracts"
    TITLE_TEXT = "Clients"
    COLUMNS: ClassVar[list[Column]] = [
        Column("Client", "name", grow=True),
        Column("Open", "open_text", right=True),
        Column("Flags", "n_flags", right=True),
    ]
    SORTABLE: ClassVar[list[str] | None] = ["name", "open_sort", "n_flags"]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "New", id="client-new"),
        Binding("e", "edit", "Edit", id="client-edit"),
        Binding("a", "archive", "Archive", id="client-archive"),
        Binding("c", "add_contact", "+Contact", id="contact-new"),
        Binding("k", "edit_contact", "Edit contact", id="contact-edit"),
        Binding("x", "remove_contact", "Remove contact", show=False, id="contact-remove"),
        Binding("t", "new_contract", "New contract", show=False, id="client-contract"),
        Binding("enter", "contracts", "Contracts", show=False, id="client-contracts"),
        Binding("A", "toggle_archived", "Show archived", id="client-show-archived"),
        Binding("v", "review", "Rate", id="client-rate"),
        Binding("S", "scorecards", "Scorecards", id="client-scorecards"),
        Binding("o", "statement", "Statement", id="client-statement"),
        Binding("$", "payments", "Payments", show=False, id="client-payments"),
        *LIST_KEYS,
    ]

    #: archived clients listed too: a change redraws the list from memory
    show_archived = var(False, init=False)

    def compose_main(self) -> ComposeResult:
        """List left, detail right."""
        with Horizontal(classes="split"):
            with Vertical(classes="list-pane"):
                yield BookTable(self.COLUMNS, id="list")
            with VerticalScroll(classes="detail-pane", id="detail-pane"):
                yield Static("", id="detail", classes="detail-text")

    # ---- data ------------------------------------------------------------------------------

    def fetch(self, snapshot: Snapshot) -> tuple[pl.DataFrame, Any]:
        """Clients with open/overdue sums and flags; contacts and contracts for the detail."""
        frames = snapshot.frames
        today, facts, contracts = snapshot.today, snapshot.facts, snapshot.contracts
        live = contracts.filter(~pl.col("archived"))
        flags = live.group_by("client_id").agg(pl.col("flags").list.len().sum().alias("n_flags"))
        # open and overdue as the aging report counts them (billed only); the work to invoice
        # as the dashboard and the milestones screen's t list it
        billed = is_billed(today)
        opens = (
            facts.filter((pl.col("open") > 0) & ~pl.col("contract_archived"))
            .with_columns(work_to_invoice(today).alias("to_invoice"))
            .group_by("client_id", "currency")
            .agg(
                pl.col("open").filter(billed).sum().alias("open"),
                pl.col("open").filter(billed & (pl.col("days_past_due") > 0)).sum().alias("overdue"),
                pl.col("open").filter(pl.col("to_invoice")).sum().alias("to_invoice"),
            )
        )  # fmt: skip
        open_rows: dict[int, list[tuple[str, Any, Any, Any]]] = {}
        for r in opens.sort("client_id", "currency").iter_rows(named=True):
            open_rows.setdefault(r["client_id"], []).append(
                (r["currency"], r["open"], r["overdue"], r["to_invoice"])
            )
        promises: dict[int, list[dict[str, Any]]] = {}
        promised = facts.filter(pl.col("promised_on").is_not_null() & ~pl.col("status").is_in(
            ["cancelled", "written_off"])).with_columns(promise_state(today).alias("state"))  # fmt: skip
        for m in promised.sort("promised_on").iter_rows(named=True):
            promises.setdefault(m["client_id"], []).append(m)
        clients = frames.clients.join(flags, left_on="id", right_on="client_id", how="left")
        rows = []
        for c in clients.iter_rows(named=True):
            amounts = open_rows.get(c["id"], [])
            rows.append({
                "key": str(c["id"]), "id": c["id"], "name": c["name"], "archived": c["archived"],
                "open_text": per_currency([(cur, o) for cur, o, _, _ in amounts if o]),
                "open_sort": float(sum(o for _, o, _, _ in amounts)),  # sort order only, never shown
                "n_flags": int(c["n_flags"] or 0),
                "search": " ".join([c["name"], c["email"], c["notes"]]).lower(),
            })  # fmt: skip
        schema = {"key": pl.String, "id": pl.Int64, "name": pl.String, "archived": pl.Boolean,
                  "open_text": pl.String, "open_sort": pl.Float64, "n_flags": pl.Int64, "search": pl.String}  # fmt: skip
        cards = {c["client_id"]: c for c in client_scorecards(frames, today).iter_rows(named=True)}
        extra = ClientsExtras(today=today, contacts=frames.contacts, contracts=contracts,
                              opens=open_rows, promises=promises, cards=cards)  # fmt: skip
        return pl.DataFrame(rows, schema=schema), extra

    def show_extra(self) -> None:
        """Remember today for the forms."""
        self.today = self.extra.today

    def narrow(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Archived clients only when asked for."""
        return frame if self.show_archived else frame.filter(~pl.col("archived"))

    def watch_show_archived(self) -> None:
        """Archived clients shown or hidden: the view again."""
        self.refilter()

    def cells(self, row: dict[str, Any]) -> list[Any]:
        """Name (marked when archived), open amounts, number of flags."""
        name = Text(row["name"], style="dim" if row["archived"] else "")
        if row["archived"]:
            name.append(" (archived)", style="italic")
        flags = Text(str(row["n_flags"]) if row["n_flags"] else "", style="bold", justify="right")
        return [name, row["open_text"], flags if row["n_flags"] else ""]

    def row_changed(self, key: str | None) -> None:
        """Rebuild the detail pane for the selected client (in a thread)."""
        self._detail(self.selected, self.extra)

    def _detail(self, client: dict[str, Any] | None, extra: Any) -> None:
        def compute() -> Text:
            if client is None:
                return Text("No client selected. Press n to add one.")
            return _client_text(client, extra)

        self.session.run(compute, done=self.query_one("#detail", Static).update,
                         group=f"detail-{id(self)}", exclusive=True)  # fmt: skip

    # ---- actions ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Record actions need a selected client; contact edits need a contact."""
        if action in ("edit", "archive", "add_contact", "new_contract", "contracts",
                      "edit_contact", "remove_contact", "review", "statement",
                      "payments"):  # fmt: skip
            client = self.selected
            if client is None:
                return None
            if action in ("edit_contact", "remove_contact"):
                return True if self._contacts(client["id"]) else None
        return True

    def _contacts(self, client_id: int) -> list[dict[str, Any]]:
        if not self.extra:
            return []
        return self.extra.contacts.filter(pl.col("client_id") == client_id).to_dicts()

    def action_new(self) -> None:
        """Add a client (and its contacts) with the client form."""
        from tui.modals.client_form import ClientForm

        def save(client: Client, contacts: list[Contact]) -> int:
            return self.book.add_client(client, contacts)

        self.app.push_screen(ClientForm(today=self._today(), save=save), self.select_new)

    def action_edit(self) -> None:
        """Edit the selected client."""
        from tui.modals.client_form import ClientForm

        client = self.selected
        if client is None:
            return

        def edit(row: dict[str, Any]) -> None:
            self.app.push_screen(ClientForm(today=self._today(), client=row,
                                            save=lambda c, _, expected: self.book.update_client(client["id"], c, expected=expected)))  # fmt: skip

        self.read_row("clients", client["id"], edit)

    def action_archive(self) -> None:
        """Archive the selected client, or restore it when archived."""
        client = self.selected
        if client is None:
            return
        restore = bool(client["archived"])
        verb = "restored" if restore else "archived (press A to show archived clients)"

        def archive() -> None:
            self.milepay.write(lambda: self.book.set_client_archived(client["id"], not restore),
                               message=f"{client['name']} {verb}.")  # fmt: skip

        owed = client.get("open_text") or ""
        if restore or not owed or owed == "-":
            archive()
            return
        from tui.modals.confirm import ConfirmModal

        question = (f"{client['name']} still owes {owed}. Archiving hides the client and its "
                    "milestones from the lists (reports still count the money). Archive anyway?")  # fmt: skip
        self.app.push_screen(ConfirmModal(question, yes="Archive", no="Keep"),
                             lambda yes: archive() if yes else None)  # fmt: skip

    def action_toggle_archived(self) -> None:
        """Show or hide archived clients."""
        self.show_archived = not self.show_archived
        self.notify("Showing archived clients too." if self.show_archived else "Archived clients hidden.",
                    markup=False, timeout=2)  # fmt: skip

    def action_add_contact(self) -> None:
        """Add a contact to the selected client."""
        from tui.modals.contact_form import ContactForm

        client = self.selected
        if client is None:
            return
        self.app.push_screen(ContactForm(client_name=client["name"], today=self._today(),
                                         save=lambda c: self.book.add_contact(client["id"], c)))  # fmt: skip

    async def _pick_contact(self, title: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """(contact, client) of the selected client: asked only when it has several (worker)."""
        from tui.modals.pick import PickModal

        client = self.selected
        if client is None:
            return None
        contacts = self._contacts(client["id"])
        choices = [(c["id"], f"{c['name']} ({c['role']}) {c['email']}".strip()) for c in contacts]
        if len(choices) == 1:
            contact_id = choices[0][0]
        else:
            contact_id = await self.app.push_screen_wait(PickModal(title, choices))
            if not contact_id:
                return None
        row = next((c for c in self._contacts(client["id"]) if c["id"] == contact_id), None)
        return None if row is None else (row, client)

    def action_edit_contact(self) -> None:
        """Edit one of the selected client's contacts."""
        self._edit_contact()

    @work(group="dialog")
    async def _edit_contact(self) -> None:
        """Which contact (if several), then the contact form."""
        from tui.modals.contact_form import ContactForm

        picked = await self._pick_contact("Edit which contact?")
        if picked is None:
            return
        row, client = picked
        contact_id = row["id"]
        self.app.push_screen(ContactForm(client_name=client["name"], today=self._today(), contact=row,
                                         save=lambda c, expected: self.book.update_contact(contact_id, c, expected=expected)))  # fmt: skip

    def action_remove_contact(self) -> None:
        """Remove one of the selected client's contacts (asks first)."""
        self._remove_contact()

    @work(group="dialog")
    async def _remove_contact(self) -> None:
        """Which contact (if several), then are you sure, then the write."""
        from tui.modals.confirm import ConfirmModal

        picked = await self._pick_contact("Remove which contact?")
        if picked is None:
            return
        row, client = picked
        contact_id = row["id"]
        question = f"Remove the contact {row['name']} from {client['name']}?"
        if await self.app.push_screen_wait(ConfirmModal(question, yes="Remove", no="Keep")):
            self.milepay.write(lambda: self.book.remove_contact(contact_id),
                               message=f"Contact {row['name']} removed.")  # fmt: skip

    def action_new_contract(self) -> None:
        """A new contract for the selected client (on the contracts screen, once it has loaded)."""
        client = self.selected
        if client is not None:
            self.app.post_message(Navigate("contracts", Arrival(new_contract_for=client["id"])))

    def action_review(self) -> None:
        """Rate the selected client: rating 1-5, work again, feedback (shown on its scorecard)."""
        from tui.modals.review_form import ReviewForm

        client = self.selected
        card = self.extra.cards.get(client["id"]) if client and self.extra else None
        if client is not None and card is not None:
            cid = client["id"]
            self.app.push_screen(ReviewForm(client=card, today=self._today(),
                                            save=lambda r, w, f: self.book.set_client_review(cid, r, w, f)))  # fmt: skip

    def action_scorecards(self) -> None:
        """Every client's scorecard in one table, sortable, worst first on w."""
        from tui.screens.scorecards import ScorecardsScreen

        self.app.push_screen(ScorecardsScreen())

    def action_statement(self) -> None:
        """The selected client's statement of account (SPEC 4.7); p there saves a PDF."""
        from tui.modals.statement import StatementModal

        client = self.selected
        if client is not None:
            self.app.push_screen(StatementModal(client["id"], client["name"]))

    def action_payments(self) -> None:
        """The payments of the selected client: e corrects one, x deletes one."""
        from tui.modals.payments import PaymentsModal

        client = self.selected
        if client is not None:
            self.app.push_screen(PaymentsModal("client", client["id"], client["name"],
                                               today=self._today()))  # fmt: skip

    def action_contracts(self) -> None:
        """Show the selected client's contracts."""
        client = self.selected
        if client is not None:
            self.app.post_message(Navigate("contracts", Arrival(filter=client["name"].lower())))


class WholeLine:
    """A line that is never broken in a word: indented when it fits, else whole on a line of
    its own from the pane's edge, else (an e-mail address longer than the pane) broken after
    its ``@``, and only then folded."""

    def __init__(self, text: str, indent: int) -> None:
        self.text, self.indent = text, indent

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """The line as the pane's width allows."""
        width, text = options.max_width, self.text
        if cell_len(text) <= width:  # indented as far as the width allows
            yield Text(" " * min(self.indent, width - cell_len(text)) + text, no_wrap=True)
            return
        at = text.find("@")
        for part in [text[:at], text[at:]] if at > 0 else [text]:
            yield Text(part, overflow="fold")

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        """At most the indented line; at least its longest unbroken part."""
        at = self.text.find("@")
        shortest = max(cell_len(self.text[:at]), cell_len(self.text[at:])) if at > 0 else 0
        return Measurement(shortest or cell_len(self.text), self.indent + cell_len(self.text))


def _client_text(client: dict[str, Any], extra: ClientsExtras) -> Group:
    """The detail pane: details, open amounts, contacts, contracts and red flags, as plain text
    (an e-mail address is shown whole on a line, see :class:`WholeLine`)."""
    cid = client["id"]
    contacts = extra.contacts.filter(pl.col("client_id") == cid)
    contracts = extra.contracts.filter(pl.col("client_id") == cid).sort("archived", "title")
    parts: list[RenderableType] = []
    out = Text()
    out.append(client["name"], style="bold")
    if client["archived"]:
        out.append("  (archived: a restores)", style="italic")
    out.append("\n")
    for cur, open_, overdue, to_invoice in extra.opens.get(cid, []):
        if not open_ and not to_invoice:
            continue
        # a line per figure: the pane is narrow, and a label never parts from its amount
        out.append(f"Open {money(open_, cur)}\n")
        if overdue:
            out.append(f"  overdue {money(overdue, cur)}\n", style="bold")
        if to_invoice:
            out.append(f"  to invoice {money(to_invoice, cur)}\n")
    for p in extra.promises.get(cid, []):
        if p["state"] == "kept":
            continue
        out.append(f"Promised {p['promised_on']} ({p['state']}): ",
                   style="bold" if p["state"] == "broken" else "")  # fmt: skip
        note = f" · {p['promise_note']}" if p["promise_note"] else ""
        out.append(f"{milestone_label(p)}{note}\n")
    out.append("\nContacts\n", style="bold underline")
    if contacts.height == 0:
        out.append("  none yet: c adds one\n", style="italic")
    for c in contacts.iter_rows(named=True):
        out.append(f"  {c['name']}", style="bold")
        out.append(f"  {c['role']}\n")
        if c["email"]:
            if out.plain.endswith("\n"):
                out.right_crop(1)
            parts += [out, WholeLine(c["email"], 4)]
            out = Text()
        if c["phone"]:
            out.append(f"    {c['phone']}\n")
    out.append("\nContracts\n", style="bold underline")
    if contracts.height == 0:
        out.append("  none yet: t starts one\n", style="italic")
    flags: list[str] = []
    for k in contracts.iter_rows(named=True):
        out.append(f"  {k['title']}", style="dim" if k["archived"] else "bold")
        state = "archived" if k["archived"] else k["status"]
        out.append(f"  {state}\n")
        # a line per figure: the pane is narrow, and an amount never parts from its currency
        out.append(f"    fee {money(k['total_fee'], k['currency'])}\n")
        out.append(f"    open {money(k['open'], k['currency'])}\n")
        if not k["archived"]:
            flags += [f"{k['title']}: {grouped_amounts(f)}" for f in k["flags"]]
    if flags:
        out.append("\nRed flags\n", style="bold underline")
        for f in flags:
            out.append(f"  ! {f}\n", style="bold")
    card = extra.cards.get(cid)
    if card is not None:
        from tui.screens.scorecards import scorecard_text

        out.append("\nScorecard (v rates, S compares)\n", style="bold underline")
        out.append_text(scorecard_text({**card, "red_flags": ""}))  # flags are listed above
    return Group(*parts, out)
