"""The contract form, with the schedule generator and a live preview of the milestones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Static

from tui.domain.errors import ValidationError
from tui.domain.model import Contract, Milestone
from tui.domain.money import parse_amount
from tui.domain.values import ContractStatus, LateFeeKind
from tui.modals.form import DATE_HINT, Field, FormModal, choices_of, text_of
from tui.modals.schedule import UNITS, generate
from tui.present import money
from tui.store.files import readable_file

SCHEDULE_FIELDS = ("schedule", "count", "every", "unit", "first_due", "phases")

CONTRACT_FIELDS = [
    Field("title", "Title", required=True),
    Field("currency", "Currency", placeholder="three letters, e.g. EUR", required=True),
    Field("total_fee", "Total fee", placeholder="e.g. 12000.00", required=True),
    Field("start_date", "Start date", placeholder=DATE_HINT),
    Field("end_date", "End date", placeholder=DATE_HINT),
    Field(
        "signed_on", "Signed on", placeholder="empty = not signed yet (a red flag once work starts)"
    ),
    Field("status", "Status", "select", choices_of([s.value for s in ContractStatus])),
    Field("payment_terms_days", "Payment terms", placeholder="days, default 30"),
    Field("late_fee_kind", "Late fee", "select", choices_of([k.value for k in LateFeeKind])),
    Field(
        "late_fee_value",
        "Late fee value",
        placeholder="amount (flat) or percent; statutory: margin, default 8",
    ),
    Field("late_fee_fixed", "Fixed compensation", placeholder="annual only: amount added once"),
    Field("grace_days", "Grace days", placeholder="default 0"),
    Field("acceptance_days", "Acceptance days", placeholder="default 14"),
    Field("red_flags", "Red flags", placeholder="anything worrying about this contract"),
    Field("notes", "Notes", "text"),
    Field(
        "document",
        "Contract file",
        placeholder="path to the signed contract, attached when escalating",
    ),
]

SCHEDULE = [
    Field("schedule-heading", "Milestone schedule (amounts always add up to the fee)", "heading"),
    Field(
        "schedule",
        "Split",
        "select",
        [
            ("equal milestones", "equal"),
            ("phases with percentages", "phases"),
            ("no schedule yet", "none"),
        ],
    ),
    Field("count", "How many", placeholder="equal: number of milestones"),
    Field("every", "Every", placeholder="1", row="Every"),
    Field("unit", "unit", "select", choices_of(list(UNITS)), row="Every"),
    Field("first_due", "First due", placeholder="empty = start date; " + DATE_HINT),
    Field("phases", "Phases", placeholder="phases: Design 30, Build 50, Launch 20"),
]


class ContractForm(FormModal):
    """New contract (client, terms and a generated schedule) or edit a contract's terms.

    ``save`` gets the client id, the parsed contract and the schedule (runs in a thread) and,
    editing, ``expected=`` (the row the form opened on)."""

    RECORD = Contract
    WHAT = "contract"

    def __init__(
        self,
        *,
        today: dt.date,
        clients: Sequence[tuple[int, str]],
        save: Callable[[int, Contract, list[Milestone]], Any],
        home_currency: str = "EUR",
        contract: Mapping[str, Any] | None = None,
        client_id: int | None = None,
    ) -> None:
        self.new = contract is None
        if self.new:
            self.HINT = "Tab next field · schedule below: PageDown · ctrl+s save · Esc cancel"
        if client_id is not None:
            self.FIRST_FIELD = "title"  # the client was chosen on the clients screen
        fields = list(CONTRACT_FIELDS)
        if self.new:
            choices = [(name, str(cid)) for cid, name in clients]
            fields.insert(0, Field("client", "Client", "select", choices, required=True))
            fields += SCHEDULE
        values = {k: self.field_text(k, v) for k, v in (contract or {}).items()}
        if self.new:
            values.update({"currency": home_currency, "status": "active", "late_fee_kind": "none",
                           "schedule": "equal", "count": "3", "every": "1", "unit": "months",
                           "client": str(client_id) if client_id is not None else ""})  # fmt: skip
        super().__init__(
            "New contract" if self.new else f"Edit contract: {values.get('title', '')}",
            fields,
            values,
            save=lambda v, **kw: save(
                int(v.get("client") or 0),
                Contract.parse(v, today_=today),
                self.schedule(v),
                **kw,
            ),
            today=today,
            saved_message="Contract added." if self.new else "Contract saved.",
            expected=contract,
        )

    def field_text(self, name: str, value: Any) -> str:
        """Stored values as typed; a late-fee percentage without trailing zeros."""
        text = text_of(value)
        return _plain(text) if name == "late_fee_value" else text

    def compose_extra(self) -> ComposeResult:
        """The live schedule preview (new contracts only)."""
        if self.new:
            yield Static("", id="preview", classes="schedule-preview")

    def schedule(self, values: Mapping[str, str]) -> list[Milestone]:
        """The generated milestones (none when editing)."""
        if not self.new:
            return []
        fee = parse_amount(values.get("total_fee", ""), "total_fee")
        return generate(values, fee, self.today)

    def check_field(self, name: str, values: Mapping[str, str]) -> None:
        """Contract fields by the contract parser; schedule fields by generating it."""
        if name == "client":
            if not (values.get("client") or "").strip():
                raise ValidationError(
                    "client", "choose a client (add one on the clients screen, key 2)"
                )
            return
        if name in SCHEDULE_FIELDS:
            mode = values.get("schedule", "equal")
            relevant = {"equal": ("count", "every", "unit", "first_due"),
                        "phases": ("phases", "every", "unit", "first_due")}.get(mode, ())  # fmt: skip
            if name not in relevant:
                return
            try:
                fee = parse_amount(values.get("total_fee", ""), "total_fee")
            except ValidationError:
                return  # the fee's own error is shown under it
            try:
                generate(values, fee, self.today)
            except ValidationError as exc:
                if exc.field == name:
                    raise
            return
        super().check_field(name, values)
        # checked when set or changed (as the store does): a file moved since does not
        # block an edit of something else
        if name == "document" and values.get(name, "") != self.initial.get(name, ""):
            readable_file(values.get(name, ""), name)

    def check_all(self, values: Mapping[str, str]) -> None:
        """The whole contract and its schedule."""
        super().check_all(values)
        self.schedule(values)

    def values_changed(self) -> None:
        """Redraw the preview from what is typed now."""
        if not self.new:
            return
        values = self.values()
        for name, mode in (("count", "equal"), ("phases", "phases")):
            row = self.query_one(f"#field-{name}").parent  # the whole line, label too
            if isinstance(row, Widget):
                row.display = values.get("schedule") == mode
        self.query_one("#preview", Static).update(self._preview(values))

    def _preview(self, values: Mapping[str, str]) -> Text | Table:
        try:
            fee = parse_amount(values.get("total_fee", ""), "total_fee")
            milestones = self.schedule(values)
        except ValidationError as exc:
            return Text(f"Preview: {exc}", style="italic")
        if not milestones:
            return Text("No milestones will be created: a contract without a schedule is a red flag.",
                        style="italic")  # fmt: skip
        cur = (values.get("currency") or "").upper()
        table = Table(box=None, padding=(0, 1), title="Preview", title_justify="left")
        table.add_column("#", justify="right")
        table.add_column("Milestone")
        table.add_column("Due")
        table.add_column("Amount", justify="right")
        for m in milestones:
            table.add_row(
                Text(str(m.seq)), Text(m.title), Text(m.due_date.isoformat()), Text(money(m.amount))
            )
        total = sum((m.amount for m in milestones), Decimal("0"))
        table.add_row(Text(""), Text("Total", style="bold"), Text(""),
                      Text(money(total, cur), style="bold" if total == fee else "bold reverse"))  # fmt: skip
        return table


def _plain(value: str) -> str:
    """A stored percentage without trailing zeros (``8.0000`` -> ``8``)."""
    try:
        d = Decimal(value)
    except Exception:
        return value
    return format(d.normalize(), "f")
