"""The what-if form of the forecast: shift a client or one milestone by N days, or drop a client.

It returns an :class:`tui.analytics.forecast.Adjustment` (or None on Esc). Nothing here
touches the book: the forecast screen keeps its adjustments in memory and passes them to
``forecast(...)``.

The choices come from the forecast's ``placements`` (the open milestones): only clients and
milestones with money still to come can be moved. A client's milestone list is capped at
``MAX_MILESTONES`` (type a few letters in the list to jump).
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from tui.analytics.forecast import Adjustment
from tui.domain.money import format_amount
from tui.present.text import milestone_label
from tui.widgets.keybar import KeyBar

KINDS = [
    ("Shift a client's payments by N days", "shift_client"),
    ("Shift one milestone by N days", "shift_milestone"),
    ("Drop a client (assume it never pays)", "drop_client"),
]
MAX_MILESTONES = 500
MAX_DAYS = 3650


def parse_days(text: str) -> int:
    """Whole days, positive (later) or negative (earlier); raises ValueError with a reason."""
    raw = text.strip().removesuffix("d").removesuffix(" days").strip()
    try:
        days = int(raw)
    except ValueError:
        raise ValueError("days: a whole number such as 30 or -14") from None
    if days == 0 or abs(days) > MAX_DAYS:
        raise ValueError(f"days: between -{MAX_DAYS} and {MAX_DAYS}, not 0")
    return days


class WhatIfModal(ModalScreen[Adjustment | None]):
    """Pick what to change and by how much; ctrl+s (or Enter in the days field) adds it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "add", "Add what-if", id="whatif-add"),
        Binding("escape", "cancel", "Cancel", id="whatif-cancel"),
    ]

    def __init__(self, placements: pl.DataFrame, *, client_id: int | None = None) -> None:
        super().__init__()
        self.placements = placements
        clients = (
            placements.select("client_id", "client")
            .unique()
            .sort(pl.col("client").str.to_lowercase(), "client_id")
        )
        self.clients = [(int(r[0]), str(r[1])) for r in clients.iter_rows()]
        self.start_client = client_id if client_id in dict(self.clients) else None

    def compose(self) -> ComposeResult:
        """Kind, client, milestone, days; the message line; keys."""
        first = self.start_client or (self.clients[0][0] if self.clients else None)
        with Vertical(classes="form whatif"):
            yield Label(Text("What if…"), classes="form-title")
            yield Static(Text("Only this forecast changes; the book is never written."),
                         classes="form-subtitle")  # fmt: skip
            with Horizontal(classes="form-row"):
                yield Label(Text("Change"), classes="form-label")
                yield Select([(Text(label), v) for label, v in KINDS], value="shift_client",
                             allow_blank=False, compact=True, id="whatif-kind")  # fmt: skip
            with Horizontal(classes="form-row"):
                yield Label(Text("Client"), classes="form-label")
                yield Select([(Text(name), cid) for cid, name in self.clients], value=first or Select.NULL,
                             allow_blank=first is None, compact=True, id="whatif-client")  # fmt: skip
            with Horizontal(classes="form-row", id="whatif-milestone-row"):
                yield Label(Text("Milestone"), classes="form-label")
                yield Select([], compact=True, id="whatif-milestone")
            with Horizontal(classes="form-row", id="whatif-days-row"):
                yield Label(Text("Days"), classes="form-label")
                yield Input("30", placeholder="30 = later, -14 = earlier", compact=True,
                            id="whatif-days", select_on_focus=True)  # fmt: skip
            yield Static("", id="whatif-message", classes="form-error")
            yield Label(Text("Tab next · Enter in Days or ctrl+s add · Esc cancel"),
                        classes="form-hint")  # fmt: skip
        yield KeyBar()

    def on_mount(self) -> None:
        """Fill the milestone list for the first client; focus the kind."""
        self._fill_milestones()
        self._kind_changed()
        self.query_one("#whatif-kind", Select).focus()

    @property
    def kind(self) -> str:
        """The chosen kind of adjustment."""
        return str(self.query_one("#whatif-kind", Select).value)

    def _client(self) -> int | None:
        value = self.query_one("#whatif-client", Select).value
        return int(value) if isinstance(value, int) else None

    def _fill_milestones(self) -> None:
        cid = self._client()
        rows = self.placements.filter(pl.col("client_id") == cid).head(MAX_MILESTONES)
        options = [
            (Text(f"{milestone_label(r)} · {format_amount(r['open'])} "
                  f"{r['currency']} · due {r['due_date']}"), int(r["milestone_id"]))
            for r in rows.iter_rows(named=True)
        ]  # fmt: skip
        select = self.query_one("#whatif-milestone", Select)
        select.set_options(options)
        if options:
            select.value = options[0][1]

    def _kind_changed(self) -> None:
        kind = self.kind
        self.query_one("#whatif-milestone-row").display = kind == "shift_milestone"
        self.query_one("#whatif-days-row").display = kind != "drop_client"
        self.message(None)

    def message(self, text: str | None) -> None:
        """Show (or clear) what is wrong."""
        line = self.query_one("#whatif-message", Static)
        line.update(Text(text or ""))
        line.set_class(bool(text), "-shown")

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "whatif-kind":
            self._kind_changed()
        elif event.select.id == "whatif-client":
            self._fill_milestones()

    @on(Input.Changed, "#whatif-days")
    def _days_changed(self, event: Input.Changed) -> None:
        try:
            parse_days(event.value)
        except ValueError as exc:
            self.message(str(exc))
            return
        self.message(None)

    @on(Input.Submitted, "#whatif-days")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_add()

    def build(self) -> Adjustment:
        """The adjustment the form describes (ValueError naming the wrong field)."""
        kind = self.kind
        cid = self._client()
        if cid is None:
            raise ValueError("client: pick a client")
        name = dict(self.clients)[cid]
        if kind == "drop_client":
            return Adjustment("drop_client", cid, 0, f"{name} dropped (assumed not to pay)")
        days = parse_days(self.query_one("#whatif-days", Input).value)
        if kind == "shift_client":
            return Adjustment("shift_client", cid, days, f"{name} {days:+d} days")
        mid = self.query_one("#whatif-milestone", Select).value
        if not isinstance(mid, int):
            raise ValueError("milestone: pick a milestone")
        row = self.placements.filter(pl.col("milestone_id") == mid).row(0, named=True)
        label = f"{name}: {milestone_label(row)} {days:+d} days"
        return Adjustment("shift_milestone", mid, days, label)

    def action_add(self) -> None:
        """Return the adjustment, or say what is missing."""
        try:
            adjustment = self.build()
        except ValueError as exc:
            self.message(str(exc))
            return
        self.dismiss(adjustment)

    def action_cancel(self) -> None:
        """Close without adding anything."""
        self.dismiss(None)
