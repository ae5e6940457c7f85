"""Dashboard (key 1, the first screen): what needs action, open and overdue totals, what is next.

Everything here comes from ``milestone_facts`` at today's date. The aging, forecast and chase
screens (keys 5, 6, 7) come with the next release; until then the dashboard shows the
totals they will break down.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import polars as pl
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Label, Static

from tui.screens.base import BookScreen
from tui.screens.summaries import book_facts, money

DUE_SOON_DAYS = 14
LIST_ROWS = 8


class DashboardScreen(BookScreen):
    """Book summary: overdue milestones, due soon, totals per currency, red flags."""

    NAME = "dashboard"
    TITLE_TEXT = "Dashboard"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "app.goto('milestones')", "Milestones", id="dash-milestones"),
        Binding("c", "app.goto('clients')", "Clients", show=False, id="dash-clients"),
    ]

    def compose_body(self) -> ComposeResult:
        """Title and the summary."""
        with Horizontal(classes="title-row"):
            yield Label(Text("Dashboard"), classes="screen-title")
            yield Label("", classes="title-note", id="title-note")
        with VerticalScroll(id="dashboard"):
            yield Static(Text("Reading the book…"), id="summary", classes="summary")

    def fetch(self) -> dict[str, Any]:
        """Totals, overdue and due-soon lists, flags."""
        frames = self.book.frames()
        today, facts, contracts = book_facts(frames)
        live = facts.filter(
            ~pl.col("client_archived") & ~pl.col("contract_archived") & (pl.col("open") > 0)
        )
        totals = (
            live.group_by("currency")
            .agg(
                pl.col("open").sum().alias("open"),
                pl.col("open").filter(pl.col("days_past_due") > 0).sum().alias("overdue"),
                (pl.col("days_past_due") > 0).sum().alias("n_overdue"),
                pl.len().alias("n_open"),
            )
            .sort("currency")
            .to_dicts()
        )
        overdue = live.filter(pl.col("days_past_due") > 0).sort("days_past_due", descending=True)
        soon = live.filter(
            (pl.col("days_past_due") <= 0) & (pl.col("days_past_due") > -DUE_SOON_DAYS)
        ).sort("due_date")
        delivered = live.filter(pl.col("status") == "delivered")
        flagged = contracts.filter(
            ~pl.col("archived") & ~pl.col("client_archived") & (pl.col("flags").list.len() > 0)
        )
        return {
            "today": today, "totals": totals, "counts": {k: v.height for k, v in (
                ("clients", frames.clients.filter(~pl.col("archived"))),
                ("contracts", frames.contracts.filter(~pl.col("archived"))),
                ("milestones", frames.milestones))},
            "overdue": overdue.head(LIST_ROWS).to_dicts(), "n_overdue": overdue.height,
            "soon": soon.head(LIST_ROWS).to_dicts(), "n_soon": soon.height,
            "n_to_invoice": delivered.height,
            "flags": [(r["client"], r["title"], f) for r in flagged.iter_rows(named=True) for f in r["flags"]],
        }  # fmt: skip

    def show(self, data: dict[str, Any]) -> None:
        """Render the summary as plain text tables."""
        self.today = data["today"]
        counts = data["counts"]
        self.query_one("#title-note", Label).update(
            Text(
                f"as of {data['today']} · {counts['clients']} clients · {counts['contracts']} contracts"
            )
        )
        self.query_one("#summary", Static).update(_render(data))


def _render(data: dict[str, Any]) -> Table:
    grid = Table.grid(expand=True)
    grid.add_column()
    if not data["counts"]["clients"]:
        grid.add_row(Text("The book is empty. Press 2 for clients, then n to add your first client.\n"
                          "Press ? for every key.", style="bold"))  # fmt: skip
        return grid
    totals = Table(
        title="Open and overdue", title_justify="left", expand=True, box=None, padding=(0, 1)
    )
    for name, right in (("Currency", False), ("Open", True), ("Milestones", True), ("Overdue", True),
                        ("Overdue #", True)):  # fmt: skip
        totals.add_column(name, justify="right" if right else "left", no_wrap=True)
    for t in data["totals"]:
        totals.add_row(Text(t["currency"]), Text(money(t["open"])), Text(str(t["n_open"])),
                       Text(money(t["overdue"]), style="bold" if t["overdue"] else ""),
                       Text(str(t["n_overdue"])))  # fmt: skip
    if not data["totals"]:
        totals.add_row(Text("nothing open"), Text(""), Text(""), Text(""), Text(""))
    grid.add_row(totals)
    todo = Text("\n")
    todo.append("Needs action today: ", style="bold")
    todo.append(f"{data['n_overdue']} overdue · {data['n_to_invoice']} delivered, not invoiced · "
                f"{data['n_soon']} due within {DUE_SOON_DAYS} days")  # fmt: skip
    grid.add_row(todo)
    grid.add_row(
        _milestones(
            f"Overdue ({data['n_overdue']}), most overdue first", data["overdue"], data["today"]
        )
    )
    grid.add_row(
        _milestones(
            f"Due in the next {DUE_SOON_DAYS} days ({data['n_soon']})", data["soon"], data["today"]
        )
    )
    if data["flags"]:
        flags = Text("\nRed flags\n", style="bold")
        for client, title, flag in data["flags"][:LIST_ROWS]:
            flags.append(f"  ! {client} / {title}: {flag}\n")
        grid.add_row(flags)
    grid.add_row(Text("\n4 milestones · p record payment there · aging, forecast and chase come next release",
                      style="dim"))  # fmt: skip
    return grid


def _milestones(title: str, rows: list[dict[str, Any]], today: dt.date) -> Table:
    table = Table(title="\n" + title, title_justify="left", expand=True, box=None, padding=(0, 1))
    table.add_column("Client", ratio=2, no_wrap=True, overflow="ellipsis")
    table.add_column("Milestone", ratio=3, no_wrap=True, overflow="ellipsis")
    table.add_column("Due", no_wrap=True)
    table.add_column("Open", justify="right", no_wrap=True)
    for r in rows:
        days = r["days_past_due"]
        when = f"{r['due_date']}" + (f" +{days}d" if days > 0 else "")
        table.add_row(Text(r["client"]), Text(f"{r['contract']} #{r['seq']} {r['milestone']}"), Text(when),
                      Text(money(r["open"], r["currency"])))  # fmt: skip
    if not rows:
        table.add_row(Text("none", style="dim"), Text(""), Text(""), Text(""))
    return table
