"""Aging (key 5): open amounts by client and days past due (SPEC 4.1), with the totals.

What is shown is :func:`tui.analytics.aging.aging` at the screen's as-of date (today at
first; ``a`` picks another, like ``milepay report aging --as-of``). The cursor moves over
cells: Enter on a bucket cell lists the milestones behind that amount, Enter on the client,
currency or total cell lists all of the client's (``AgingReport.detail`` filtered, never
recomputed). The totals table below works the same per currency; Tab moves between them.

The as-of date is reactive: ``a`` / ``t`` change it at once and its watcher recomputes from
the frames in memory (one computation at a time, the newest date's report shown).
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import polars as pl
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.reactive import var
from textual.widgets import DataTable, Label
from textual.widgets.data_table import ColumnKey

from tui.analytics.aging import AgingReport, aging
from tui.domain.dates import today as real_today
from tui.domain.money import format_amount
from tui.present.text import count
from tui.screens.base import BookScreen, LatestOnly
from tui.session import Snapshot
from tui.store import BookFrames
from tui.widgets.table import BookTable, Column

BUCKET_KEYS = ["b0", "b1", "b2", "b3", "b4"]
#: the bucket column labels until the report names them (the settings' edges may differ)
DEFAULT_NAMES = ["current", "1-30", "31-60", "61-90", "90+"]
#: at most this many client rows are put in the table (the totals always cover all)
LIMIT = 2000


#: too narrow for every amount whole: the buckets hidden first (the least overdue first);
#: the line under the table names them, and Enter on the client lists every milestone
DROP_RANKS = [1, 2, 3, 4, 5]


def _columns(first: Column) -> list[Column]:
    return [first, Column("Cur", "currency"),
            *(Column(n, k, right=True, drop=d)
              for n, k, d in zip(DEFAULT_NAMES, BUCKET_KEYS, DROP_RANKS, strict=True)),
            Column("Total", "total", right=True)]  # fmt: skip


class AgingScreen(BookScreen):
    """Client-by-bucket table, totals per currency, drill-down to the milestones."""

    TITLE_TEXT = "Aging"

    NAME = "aging"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "drill", "Milestones", key_display="⏎/d", id="aging-drill"),
        Binding("a", "as_of", "As of…", id="aging-as-of"),
        Binding("t", "as_of_today", "Today", id="aging-today"),
        Binding("tab", "app.focus_next", "Totals/clients", show=False, id="aging-next-panel"),
    ]

    #: the date the aging is worked out at (None: the book's today)
    as_of: var[dt.date | None] = var(None, init=False)

    def __init__(self) -> None:
        super().__init__()
        self.frames: BookFrames | None = None
        self.report: AgingReport | None = None
        self._reports: LatestOnly[AgingReport] = LatestOnly(self, f"aging-{id(self)}")

    def compose_body(self) -> ComposeResult:
        """Title, the client table, the totals table."""
        with Horizontal(classes="title-row"):
            yield Label(Text("Aging"), classes="screen-title")
            yield Label("", classes="title-note", id="title-note")
        rows = BookTable(_columns(Column("Client", "client", grow=True)), id="aging-rows")
        totals = BookTable(_columns(Column("Total", "client", grow=True)), id="aging-totals")
        rows.align_with, totals.align_with = totals, rows  # one column layout for both
        yield rows
        yield Label("", id="aging-status", classes="aging-status")
        yield totals

    def on_mount(self) -> None:
        """Cell cursors (a bucket can be picked), focus the clients, then load."""
        for table in self.query(BookTable):
            table.cursor_type = "cell"
        self.rows_table.focus()
        super().on_mount()

    @property
    def rows_table(self) -> BookTable:
        """Per client and currency."""
        return self.query_one("#aging-rows", BookTable)

    @property
    def totals_table(self) -> BookTable:
        """Per currency."""
        return self.query_one("#aging-totals", BookTable)

    # ---- data -------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the book again (in a thread) with a loading indicator."""
        self.rows_table.loading = True
        super().reload()

    def fetch(self, snapshot: Snapshot) -> tuple[BookFrames, dt.date | None, AgingReport]:
        """Thread: the frames and the aging at the chosen date (today by default)."""
        frames, chosen = snapshot.frames, self.as_of
        return frames, chosen, aging(frames, chosen or frames.settings.today())

    def show(self, data: tuple[BookFrames, dt.date | None, AgingReport]) -> None:
        """UI thread: keep the frames; show the report if it is still at the chosen date."""
        self.frames, chosen, report = data
        self.today = real_today(self.frames.settings.effective_timezone())
        if chosen == self.as_of and not self._reports.busy:
            self.show_report(report)
        else:  # another date was chosen meanwhile (or a report of older frames is due)
            self._refresh_report()

    def recompute(self, as_of: dt.date) -> None:
        """Aging at another date: the state changes now, the report follows."""
        self.as_of = as_of

    def watch_as_of(self) -> None:
        """Another date: compute its report from the frames in memory."""
        self._refresh_report()

    def _refresh_report(self) -> None:
        """Compute the chosen date's report in a thread (one at a time; the newest is shown)."""
        frames = self.frames
        if frames is None:
            return  # the build under way uses the date as it is when it runs
        as_of = self.as_of or frames.settings.today()
        self.rows_table.loading = True
        self._reports.run(lambda: aging(frames, as_of), self.show_report)

    def show_report(self, report: AgingReport) -> None:
        """Both tables and the title note from one report."""
        self.report = report
        names = report.buckets
        for table in (self.rows_table, self.totals_table):
            for key, name in zip(BUCKET_KEYS, names, strict=True):
                table.columns[ColumnKey(key)].label = Text(name, justify="right")
        rows = report.rows.head(LIMIT).to_dicts()
        self.rows_table.show([(f"{r['client_id']}|{r['currency']}", self._cells(r["client"], r, names))
                              for r in rows])  # fmt: skip
        self.totals_table.show([(t["currency"], self._cells("Total", t, names, bold=True))
                                for t in report.totals.to_dicts()])  # fmt: skip
        self.rows_table.fit_columns()  # the totals' widths are known now: line the two up
        self.totals_table.styles.height = report.totals.height + 1 if report.totals.height else 2
        self.rows_table.loading = False
        note = f"as of {report.as_of}"
        if self.today and report.as_of != self.today:
            note += f" (today is {self.today})"
        note += (
            f" · {count(report.rows.height, 'row')} · {count(report.detail.height, 'milestone')}"
        )
        if report.rows.height > LIMIT:
            note += f" · first {LIMIT} shown"
        self.query_one("#title-note", Label).update(Text(note))
        if report.rows.is_empty():
            self.rows_table.show([("none", [Text("Nothing is owed at this date.", style="dim")])])
            self.query_one("#aging-status", Label).update("")
        focused = self.focused if isinstance(self.focused, BookTable) else self.rows_table
        self._status(focused)

    @staticmethod
    def _cells(label: str, row: dict, names: list[str], *, bold: bool = False) -> list[Text]:
        style = "bold" if bold else ""
        cells = [Text(label, style=style), Text(row["currency"])]
        for name in [*names, "total"]:
            value = row[name]
            cells.append(Text(format_amount(value) if value else "-", justify="right",
                              style=style if value else "dim"))  # fmt: skip
        return cells

    # ---- keys -------------------------------------------------------------------------------

    def action_drill(self) -> None:
        """List the milestones behind the cell under the cursor."""
        table = self.focused if isinstance(self.focused, BookTable) else self.rows_table
        self._drill(table)

    @on(DataTable.CellHighlighted)
    def _cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        if isinstance(event.data_table, BookTable):
            self._status(event.data_table)

    def _status(self, table: BookTable) -> None:
        """The line under the table: the full name and the figure under the cursor."""
        report, key = self.report, table.current_key
        if report is None or key is None or key == "none" or not self.is_mounted:
            return
        column = table.coordinate_to_cell_key(table.cursor_coordinate).column_key.value
        if table is self.rows_table:
            client_id, currency = key.split("|", 1)
            row = report.rows.filter((pl.col("client_id") == int(client_id))
                                     & (pl.col("currency") == currency)).row(0, named=True)  # fmt: skip
            who = row["client"]
        else:
            row = report.totals.filter(pl.col("currency") == key).row(0, named=True)
            who, currency = "All clients", key
        name = report.buckets[BUCKET_KEYS.index(column)] if column in BUCKET_KEYS else "total"
        status = Text(f"{who} · {currency} · {name} {format_amount(row[name])}")
        hidden = [report.buckets[BUCKET_KEYS.index(k)] for k in table.hidden if k in BUCKET_KEYS]
        if hidden:  # too narrow for every amount whole: say which buckets are left out
            status.append(f" · hidden: {', '.join(hidden)}", style="bold")
        status.append(" · Enter: the milestones")
        self.query_one("#aging-status", Label).update(status)

    @on(DataTable.CellSelected)
    def _cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        if isinstance(event.data_table, BookTable):
            self._drill(event.data_table)

    def _drill(self, table: BookTable) -> None:
        from tui.modals.aging_detail import AgingDetailModal

        report = self.report
        key = table.current_key
        if report is None or key is None or key == "none":
            return
        column = table.coordinate_to_cell_key(table.cursor_coordinate).column_key.value
        bucket = report.buckets[BUCKET_KEYS.index(column)] if column in BUCKET_KEYS else None
        detail = report.detail
        if table is self.rows_table:
            client_id, currency = key.split("|", 1)
            detail = detail.filter((pl.col("client_id") == int(client_id))
                                   & (pl.col("currency") == currency))  # fmt: skip
            who = detail["client"][0] if detail.height else ""
        else:
            currency = key
            detail = detail.filter(pl.col("currency") == currency)
            who = "All clients"
        if bucket is not None:
            detail = detail.filter(pl.col("bucket") == bucket)
        title = f"{who} · {currency} · {bucket or 'all buckets'} · as of {report.as_of}"
        self.app.push_screen(AgingDetailModal(title, detail))

    def action_as_of(self) -> None:
        """Ask for another as-of date; a wrong one is named and nothing changes."""
        from tui.modals.prompt import as_of_prompt

        today = self.today or real_today()
        current = self.report.as_of if self.report else today

        def chosen(when: dt.date | None) -> None:
            if when is not None:
                self.recompute(when)

        self.app.push_screen(as_of_prompt(current, today), chosen)

    def action_as_of_today(self) -> None:
        """Back to today."""
        self.recompute(self.today or real_today())
