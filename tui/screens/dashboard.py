"""Dashboard (key 1, the first screen): what needs doing today, what is owed, what comes next.

Every figure is what an analytics function returns at today's date, never a second
calculation: the chase steps due are ``chase_queue`` rows whose step is due (not ``grace``
or ``done``); holds ending come from ``holds_ending``; open and overdue totals are sums of
``milestone_facts.open`` (overdue: due date passed), which are what the aging report sums;
the next expected payments, safe to spend today (and the day that limits it), the tax reserve,
the lowest balance, the longest gap and the weekly inflow sparkline are the ``expected``
weekly ``forecast``. Computing all of it (a few hundred ms
on a 200k-milestone book) runs in the screen's thread worker with a loading indicator.

Open and overdue count billed milestones only (invoiced by today), as the aging report does.

Decisions: "due within 7 days" lists open milestones due from today to today + 7;
"to invoice" lists the work never invoiced whose planned date has passed ("date passed") and
delivered milestones whose contract's acceptance days have run out since delivery
("accepted"; a delivered milestone without a delivery date is listed too: its date is
unknown, so it may well be time to invoice it); ``i`` opens the milestones screen on them; archived clients
are included, like in the aging report (the money is still owed). Layout: one column
below ``WIDE`` columns (needs action first; it scrolls), two columns from there.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Label, Sparkline, Static

from tui.analytics.dashboard import RECEIVED_DAYS, SOON_DAYS, DashboardData, dashboard_data
from tui.domain.money import format_amount
from tui.navigation import Arrival, Navigate
from tui.present.text import count, milestone_label
from tui.screens.base import BookScreen
from tui.session import Snapshot

WIDE = 120
#: rows per list (narrow, wide); the counts are always complete
LIST_ROWS = (4, 8)
#: lines of the wide right column besides its two lists' rows (cash panel and the weekly
#: inflow chart, the lists' headings and "… and n more" lines, the margins, title and keys)
WIDE_FIXED = 24
#: the most rows a list shows, however tall the terminal (what the analytics hand over)
MAX_ROWS = 30
ZERO = Decimal("0.00")


class DashboardScreen(BookScreen):
    """Needs action today, open and overdue, cash ahead, next payments, received."""

    TITLE_TEXT = "Dashboard"

    NAME = "dashboard"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "app.goto('milestones')", "Milestones", id="dash-milestones"),
        Binding("a", "app.goto('aging')", "Aging", id="dash-aging"),
        Binding("f", "app.goto('forecast')", "Forecast", id="dash-forecast"),
        Binding("c", "app.goto('clients')", "Clients", show=False, id="dash-clients"),
        Binding("i", "to_invoice", "To invoice", id="dash-to-invoice"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.data: DashboardData | None = None

    def compose_body(self) -> ComposeResult:
        """Title, then two columns (stacked when narrow) that scroll."""
        with Horizontal(classes="title-row"):
            yield Label(Text("Dashboard"), classes="screen-title")
            yield Label("", classes="title-note", id="title-note")
        with VerticalScroll(id="dashboard"), Horizontal(id="dash-cols"):
            with Vertical(id="dash-left", classes="dash-col"):
                yield Static(Text("Reading the book…"), id="dash-action", classes="dash-panel")
                yield Static("", id="dash-totals", classes="dash-panel")
            with Vertical(id="dash-right", classes="dash-col"):
                yield Static("", id="dash-cash", classes="dash-panel")
                yield Sparkline([], id="dash-spark", summary_function=max)
                yield Static("", id="dash-expected", classes="dash-panel")
                yield Static("", id="dash-received", classes="dash-panel")

    def on_mount(self) -> None:
        """Focus the scrolling body (arrows and PgUp/PgDn scroll), then load."""
        self.query_one("#dashboard").focus()
        super().on_mount()

    def on_resize(self, event: events.Resize) -> None:
        """Two columns from ``WIDE`` columns up; longer lists when there is room."""
        wide = event.size.width >= WIDE
        if wide != self.has_class("-wide"):
            self.set_class(wide, "-wide")
        if self.data is not None:
            self.show(self.data)

    @property
    def rows(self) -> int:
        """How many rows each list shows at the current size: a tall, wide terminal fills its
        height (the right column's two lists share what the cash panel leaves)."""
        height = self.size.height
        if height < 36:
            return LIST_ROWS[0]
        if self.has_class("-wide"):
            return min(MAX_ROWS, max(LIST_ROWS[1], (height - WIDE_FIXED) // 2))
        return LIST_ROWS[1]

    def reload(self) -> None:
        """Read again with a loading indicator."""
        self.query_one("#dashboard").loading = True
        super().reload()

    def action_to_invoice(self) -> None:
        """The milestones screen, showing only the work to invoice."""
        self.app.post_message(Navigate("milestones", Arrival(to_invoice=True)))

    def fetch(self, snapshot: Snapshot) -> DashboardData:
        """Thread: the frames and every figure."""
        frames = snapshot.frames
        return dashboard_data(frames, frames.settings.today(), rows=MAX_ROWS)

    def show(self, data: DashboardData) -> None:
        """UI thread: fill the panels."""
        self.data = data
        self.today = data.today
        self.query_one("#dashboard").loading = False
        self.query_one("#title-note", Label).update(Text(f"as of {data.today}"))
        n = self.rows
        self.query_one("#dash-action", Static).update(_needs_action(data, n))
        self.query_one("#dash-totals", Static).update(_totals(data))
        self.query_one("#dash-cash", Static).update(_cash(data))
        spark = self.query_one("#dash-spark", Sparkline)
        spark.data = [int(v) for v in data.weekly_inflow]  # drawing only: whole units
        spark.display = bool(data.weekly_inflow)
        self.query_one("#dash-expected", Static).update(_expected(data, n))
        self.query_one("#dash-received", Static).update(_received(data, n))


def _heading(title: str, count: int | None = None, hint: str = "") -> Text:
    out = Text(title, style="bold")
    if count is not None:
        out.append(f" ({count})", style="bold")
    if hint:
        out.append(f"  {hint}", style="dim")
    return out


def _list(rows: list[tuple[str, str, str]], total: int, shown: int) -> Table:
    table = Table.grid(expand=True, padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    table.add_column(justify="right", no_wrap=True)
    for a, b, c in rows[:shown]:
        table.add_row(Text(a), Text(b), Text(c))
    if total > shown:
        table.add_row(Text(""), Text(f"… and {total - shown} more", style="dim"), Text(""))
    return table


def _what(r: dict[str, Any]) -> str:
    return f"{r['client']} · {milestone_label(r)}"


def _needs_action(data: DashboardData, n: int) -> RenderableType:
    if not data.n_clients:
        return Text("The book is empty. Press 2 for clients, then n to add your first client.\n"
                    "Press ? for every key.", style="bold")  # fmt: skip
    c = data.counts
    total = c["chase"] + c["soon"] + c["holds"] + c["to_invoice"]
    parts: list[RenderableType] = [_heading("Needs action today", total)]
    if not total:
        parts.append(Text("Nothing to chase, invoice or watch this week.", style="dim"))
    if c["chase"]:
        parts += [_heading("  Chase", c["chase"], "7: the chase queue"),
                  _list([(r["step"], f"{_what(r)} → {r['contact'] or '?'}",
                          f"{r['days_past_due']}d {format_amount(r['open'])} {r['currency']}")
                         for r in data.chase], c["chase"], n)]  # fmt: skip
    if c["to_invoice"]:
        parts += [_heading("  To invoice", c["to_invoice"], "i: the milestones to invoice"),
                  _list([(str(r["since"] or "no date"), f"{_what(r)} · {r['reason']}",
                          f"{format_amount(r['open'])} {r['currency']}")
                         for r in data.to_invoice], c["to_invoice"], n)]  # fmt: skip
    if c["soon"]:
        parts += [_heading(f"  Due within {SOON_DAYS} days", c["soon"]),
                  _list([(str(r["due_date"]), _what(r), f"{format_amount(r['open'])} {r['currency']}")
                         for r in data.soon], c["soon"], n)]  # fmt: skip
    if c["holds"]:
        parts += [_heading(f"  Holds ending within {SOON_DAYS} days", c["holds"]),
                  _list([(str(r["until"]), f"{_what(r)} · {r['reason']}", f"{r['days_left']}d")
                         for r in data.holds], c["holds"], n)]  # fmt: skip
    return Group(*parts)


def _totals(data: DashboardData) -> RenderableType:
    table = Table(box=None, padding=(0, 1), show_edge=False,
                  title=_heading("Open and overdue", hint="5: aging"), title_justify="left")  # fmt: skip
    for name in ("Cur", "Open", "#", "Overdue", "#"):
        table.add_column(name, justify="left" if name == "Cur" else "right", no_wrap=True)
    for t in data.totals:
        table.add_row(Text(t["currency"]), Text(format_amount(t["open"])), Text(str(t["n_open"])),
                      Text(format_amount(t["overdue"]), style="bold" if t["overdue"] else ""),
                      Text(str(t["n_overdue"])))  # fmt: skip
    if not data.totals:
        table.add_row(Text("nothing open", style="dim"), *(Text("") for _ in range(4)))
    return table


def _cash(data: DashboardData) -> RenderableType:
    cur = data.currency
    out = _heading("Cash ahead", hint="expected scenario · 6: the forecast")
    if data.safe_to_spend_limit_date is not None:
        out.append("\nSafe to spend today ")
        out.append(f"{format_amount(data.safe_to_spend)} {cur}", style="bold")
        limit = data.safe_to_spend_limit_date
        out.append(f" (low point {'today' if limit == data.today else limit})", style="dim")
        out.append("\nTax reserve ")
        out.append(f"{format_amount(data.tax_reserve)} {cur}", style="bold")
    if data.lowest:
        low_date, low = data.lowest
        out.append("\nLowest balance ")
        out.append(f"{format_amount(low)} {cur}", style="bold red" if low < 0 else "bold")
        out.append(f" on {low_date}")
    if data.uncertain:
        out.append("\nUncertain ")
        out.append(f"{format_amount(data.uncertain)} {cur}", style="bold")
        out.append(" (later than any paid before; in no week)")
    if data.last_inflow is None:
        out.append("\nLongest gap without income: no income expected at all")
    else:
        out.append(f"\nLongest gap without income: {count(data.gap_days, 'day')}")
        out.append(f" (to {data.gap_to})" if data.gap_to else "")
    if data.weekly_inflow:
        top = max(data.weekly_inflow)
        out.append(
            f"\nWeekly inflow, next {len(data.weekly_inflow)} weeks (top {format_amount(top)} {cur}):"
        )
    return out


def _expected(data: DashboardData, n: int) -> RenderableType:
    rows = [(str(r["expected_date"]), _what(r), f"{format_amount(r['open'])} {r['currency']}")
            for r in data.expected]  # fmt: skip
    head = _heading("Next expected payments", data.counts.get("expected", 0))
    if not rows:
        return Group(head, Text("none in the forecast horizon", style="dim"))
    return Group(head, _list(rows, data.counts.get("expected", 0), n))


def _received(data: DashboardData, n: int) -> RenderableType:
    sums = " · ".join(
        f"{format_amount(r['amount'])} {r['currency']} ({r['n']})" for r in data.received
    )
    head = _heading(f"Received in the last {RECEIVED_DAYS} days")
    head.append("\n" + (sums or "nothing"), style="" if sums else "dim")
    rows = [(str(r["received_on"]), _what(r), f"{format_amount(r['amount'])} {r['currency']}")
            for r in data.received_rows]  # fmt: skip
    total = sum(r["n"] for r in data.received)
    return Group(head, _list(rows, total, n)) if rows else head
