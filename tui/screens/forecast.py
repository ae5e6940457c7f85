"""Forecast (key 6): the cash-flow forecast of SPEC 4.2 as a period table beside a chart.

Everything shown is one :class:`tui.analytics.forecast.ForecastReport`, the same function
``milepay report forecast`` prints; the screen never computes a figure of its own.

* ``c`` / ``e`` / ``p`` pick the scenario, ``w`` / ``m`` the period (the horizon goes back
  to the book's default for that period), ``+`` / ``-`` lengthen or shorten the horizon.
* ``i`` adds a what-if (shift a client or a milestone by N days, drop a client); ``u``
  removes the last one, ``U`` all of them. What-ifs live in this screen only and are
  passed to ``forecast(..., adjustments=...)``: the book is never written.
* ``g`` switches between table and chart at 80 columns; from ``WIDE`` columns up both are
  shown side by side (``g`` then hides the chart to give the table the room).
* ``x`` writes the table shown to a CSV file (plain amounts, ``1250.00``).
* Enter (or ``o``) on a period opens its outflows by category (``outflow_by_category``).

The title note says what is safe to spend today (``safe_to_spend``), the notes the tax
reserve today and the day that limits safe to spend, and one line how far the expected
forecast has been off (:func:`tui.analytics.accuracy.forecast_accuracy`, last 26 weeks,
4-week windows). The accuracy does not depend on the view: it is computed once per
snapshot, in its own thread worker after the table is shown (seconds on a big book), and
shared through the snapshot.

The screen builds from the session's snapshot (the book is read once per change, by the
session). What the user chose is the reactive :attr:`ForecastScreen.view`: every key changes
it at once (fifteen fast ``-`` shorten the horizon by fifteen), and its watcher recomputes
from the frames in memory in a thread worker, one computation at a time
(:class:`~tui.screens.listing.LatestOnly`): a report is shown only if it is the current
view's, so the screen always ends showing the figures of the last key. The table shows a
loading indicator meanwhile.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.reactive import var
from textual.widgets import DataTable, Label, Static

from tui.analytics.accuracy import ScenarioAccuracy, forecast_accuracy
from tui.analytics.forecast import Adjustment, ForecastReport, forecast
from tui.domain.money import format_amount
from tui.present.budget import (
    ACCURACY_LEAD,
    ACCURACY_SCENARIO,
    ACCURACY_WEEKS,
    accuracy_line,
    accuracy_prefix,
    budget_note_segments,
    outflow_rows,
    title_note,
)
from tui.present.forecast import forecast_note_segments, write_forecast_csv
from tui.screens.base import BookScreen, LatestOnly
from tui.session import Snapshot
from tui.store import BookFrames
from tui.widgets.forecast_chart import ForecastChart, chart_data
from tui.widgets.table import BookTable, Column

#: from this many columns up, table and chart side by side
WIDE = 110
MAX_HORIZON = {"week": 104, "month": 36}
COLUMNS = [
    Column("Start", "start"),
    Column("End", "end"),
    Column("Inflow", "inflow", right=True),
    Column("Outflow", "outflow", right=True),
    Column("Net", "net", right=True),
    Column("Balance", "balance", right=True),
]


@dataclass(frozen=True)
class ForecastView:
    """What the user chose: scenario, period, horizon (None: the book's default), what-ifs."""

    scenario: str = "expected"
    period: str = "week"
    horizon: int | None = None
    adjustments: tuple[Adjustment, ...] = ()


#: the snapshot cache key of the expected scenario's accuracy
ACCURACY_KEY = "forecast-accuracy-expected"
#: seconds the forecast screen waits before working out the accuracy (26 forecasts: ~0.5-2 s
#: of CPU on a small book), so that passing through the screen costs nothing
ACCURACY_DELAY = 0.4


def expected_accuracy(snapshot: Snapshot) -> ScenarioAccuracy:
    """Thread: the expected scenario's accuracy at the snapshot's today, once per snapshot."""

    def compute(snap: Snapshot) -> ScenarioAccuracy:
        frames = snap.frames
        report = forecast_accuracy(frames, frames.settings.today(), weeks=ACCURACY_WEEKS,
                                   lead=ACCURACY_LEAD, scenarios=(ACCURACY_SCENARIO,))  # fmt: skip
        return report.scenario(ACCURACY_SCENARIO)

    return snapshot.derived(ACCURACY_KEY, compute)


def write_csv(path: Path, report: ForecastReport) -> int:
    """Write the report's period table to ``path`` exactly as the CLI's CSV; return rows."""
    return write_forecast_csv(path, report.periods.to_dicts())


class ForecastScreen(BookScreen):
    """Period table, chart, the report's side figures, and the what-ifs in force."""

    TITLE_TEXT = "Forecast"

    NAME = "forecast"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "scenario('contractual')", "Scenario", key_display="c/e/p", id="fc-contractual"),
        Binding("e", "scenario('expected')", "Expected", show=False, id="fc-expected"),
        Binding("p", "scenario('pessimistic')", "Pessimistic", show=False, id="fc-pessimistic"),
        Binding("w", "period('week')", "Period", key_display="w/m", id="fc-weeks"),
        Binding("m", "period('month')", "Months", show=False, id="fc-months"),
        Binding("plus,equals_sign", "horizon(1)", "Horizon", key_display="+/-", id="fc-longer"),
        Binding("minus", "horizon(-1)", "Shorter", show=False, id="fc-shorter"),
        Binding("i", "add_whatif", "What-if", id="fc-whatif"),
        Binding("u", "remove_whatif", "Undo", id="fc-undo"),
        Binding("U", "clear_whatifs", "Clear what-ifs", show=False, id="fc-clear"),
        Binding("o", "outflows", "Outflows", key_display="⏎/o", show=False, id="fc-outflows"),
        Binding("g", "toggle_chart", "Chart", id="fc-chart"),
        Binding("x", "export", "CSV", id="fc-export"),
    ]  # fmt: skip

    #: what the user chose: a key changes it at once, the report follows (``watch_view``)
    view = var(ForecastView(), init=False)

    def __init__(self) -> None:
        super().__init__()
        self.frames: BookFrames | None = None
        self.report: ForecastReport | None = None
        #: +/- pressed before the book's default horizon was known: applied once it is
        self._early_steps: list[int] = []
        self._reports: LatestOnly[ForecastReport] = LatestOnly(self, f"forecast-{id(self)}")
        #: the snapshot whose accuracy is shown or being computed, and the line shown
        self._accuracy_for: Snapshot | None = None
        self.accuracy_text = f"{accuracy_prefix()}: working it out…"

    def compose_body(self) -> ComposeResult:
        """Title, table and chart, side figures, what-ifs."""
        with Horizontal(classes="title-row"):
            yield Label(Text("Forecast"), classes="screen-title")
            yield Label("", classes="title-note", id="title-note")
        with Horizontal(id="fc-main"):
            yield BookTable(COLUMNS, id="fc-table")
            yield ForecastChart(id="fc-chart")
        yield Static("", id="fc-notes", classes="fc-notes")
        yield Static("", id="fc-whatifs", classes="fc-whatifs -hidden")

    @property
    def table(self) -> BookTable:
        """The period table."""
        return self.query_one("#fc-table", BookTable)

    def on_mount(self) -> None:
        """Focus the table, then load."""
        self.table.focus()
        super().on_mount()

    def on_resize(self, event: events.Resize) -> None:
        """Side by side from ``WIDE`` columns up."""
        self.set_class(event.size.width >= WIDE, "-wide")
        if self.report is not None:
            self._show_title(self.report, event.size.width)

    # ---- data -------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the book again; the table shows a loading indicator until it is computed."""
        self.table.loading = True
        super().reload()

    def fetch(self, snapshot: Snapshot) -> tuple[BookFrames, ForecastView, ForecastReport]:
        """Thread: the book's frames, and the forecast for the view as it is now."""
        frames, view = snapshot.frames, self.view
        return frames, view, self._compute(frames, frames.settings.today(), view)

    @staticmethod
    def _compute(frames: BookFrames, as_of: dt.date, view: ForecastView) -> ForecastReport:
        return forecast(frames, as_of, scenario=view.scenario, period=view.period,
                        horizon=view.horizon, adjustments=view.adjustments)  # fmt: skip

    def show(self, data: tuple[BookFrames, ForecastView, ForecastReport]) -> None:
        """UI thread: keep the frames; show the report if it is still the current view's."""
        self.frames, view, report = data
        self.today = report.as_of
        self._refresh_accuracy()
        early, self._early_steps = self._early_steps, []
        for step in early:
            self.action_horizon(step)
        if view == self.view and not self._reports.busy:
            self.show_report(report)
        else:  # a key came while this was computed (or a report of older frames is due)
            self._refresh_report()

    def _refresh_accuracy(self) -> None:
        """A new snapshot: compute the accuracy line for it in a thread (once per snapshot)."""
        snapshot = self.snapshot
        if snapshot is None or snapshot is self._accuracy_for:
            return
        self._accuracy_for = snapshot
        self.accuracy_text = f"{accuracy_prefix()}: working it out…"
        self._show_notes()
        if snapshot.has(ACCURACY_KEY):  # worked out before: no wait
            self._start_accuracy(snapshot)
        else:  # only for a user who stays: flipping through screens never pays for it
            self.set_timer(ACCURACY_DELAY, lambda: self._start_accuracy(snapshot))

    def _start_accuracy(self, snapshot: Snapshot) -> None:
        """Work the accuracy out in a thread, if this screen still shows ``snapshot``."""
        if snapshot is not self._accuracy_for or not self.is_mounted:
            return

        def done(figures: ScenarioAccuracy) -> None:
            if snapshot is self._accuracy_for and self.is_mounted:
                self.accuracy_text = accuracy_line(figures)
                self._show_notes()

        def failed(_: object) -> None:
            if snapshot is self._accuracy_for and self.is_mounted:
                self.accuracy_text = f"{accuracy_prefix()}: could not be worked out"
                self._show_notes()

        self.session.run(lambda: expected_accuracy(snapshot), done=done, failed=failed,
                         group=f"accuracy-{id(self)}", exclusive=True)  # fmt: skip

    def recompute(self, view: ForecastView) -> None:
        """The user changed the view: the state changes now, the report follows."""
        self.view = view

    def watch_view(self) -> None:
        """The view changed: compute its report from the frames in memory."""
        self.refresh_bindings()
        self._refresh_report()

    def _refresh_report(self) -> None:
        """Compute the current view's report in a thread (one at a time; the newest is shown)."""
        frames = self.frames
        if frames is None:
            return  # the build under way computes the view as it is when it runs
        as_of, view = self._today(), self.view
        self.table.loading = True
        self._reports.run(lambda: self._compute(frames, as_of, view), self.show_report)

    def default_horizon(self) -> int | None:
        """The book's default horizon for the current period (None until the book is read)."""
        frames = self.frames
        if frames is None:
            held = self.session.held()
            frames = held.frames if held is not None else None
        if frames is None:
            return None
        settings = frames.settings
        return settings.forecast_weeks if self.view.period == "week" else settings.forecast_months

    def show_report(self, report: ForecastReport) -> None:
        """Table, chart, title note, side figures and what-ifs from one report."""
        self.report = report
        cur = report.currency
        rows = report.periods.to_dicts()
        low_start = report.lowest[0] if report.lowest else None
        self.table.show([(r["start"].isoformat(), self._cells(r, r["start"] == low_start))
                         for r in rows])  # fmt: skip
        self.table.loading = False
        self.query_one(ForecastChart).show_data(chart_data(
            [r["start"] for r in rows], [r["inflow"] for r in rows], [r["outflow"] for r in rows],
            [r["balance"] for r in rows], [r["free"] for r in rows], period=report.period,
            currency=cur))  # fmt: skip
        self._show_title(report, self.size.width)
        self._show_notes()
        whatifs = self.query_one("#fc-whatifs", Static)
        whatifs.update(Text("What-if (u undo last, U clear): "
                            + " · ".join(a.describe() for a in report.adjustments)))  # fmt: skip
        whatifs.set_class(not report.adjustments, "-hidden")
        self.refresh_bindings()

    def _show_title(self, report: ForecastReport, width: int) -> None:
        """The title note, as much as fits beside the title (safe to spend always)."""
        room = width - len(self.TITLE_TEXT) - 4  # both labels' padding
        self.query_one("#title-note", Label).update(Text(title_note(report, room)))

    def _show_notes(self) -> None:
        """The report's notes, the tax reserve and safe to spend, the accuracy line."""
        report = self.report
        if report is None:
            return
        self.query_one("#fc-notes", Static).update(Text.assemble(
            *forecast_note_segments(report), "\n", *budget_note_segments(report),
            "\n", (self.accuracy_text, "")))  # fmt: skip

    @staticmethod
    def _cells(row: dict[str, Any], lowest: bool) -> list[Text]:
        cells = [Text(row["start"].isoformat()), Text(row["end"].isoformat())]
        for key in ("inflow", "outflow", "net", "balance"):
            value = row[key]
            style = "bold red" if value < 0 else ("bold" if key == "balance" and lowest else "")
            cells.append(Text(format_amount(value), style=style, justify="right"))
        return cells

    # ---- keys -------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Undo and clear only with what-ifs in force."""
        if action in ("remove_whatif", "clear_whatifs"):
            return bool(self.view.adjustments)
        if action == "outflows":
            return self.report is not None and self.report.periods.height > 0
        return True

    @on(DataTable.RowSelected, "#fc-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_outflows()

    def action_outflows(self) -> None:
        """The outflows of the period under the cursor, by category."""
        from tui.modals.period_outflows import PeriodOutflowsModal

        report, key = self.report, self.table.current_key
        if report is None or key is None:
            return
        start = dt.date.fromisoformat(key)
        period = [r for r in report.periods.to_dicts() if r["start"] == start]
        if not period:
            return
        end = period[0]["end"]
        self.app.push_screen(PeriodOutflowsModal(start, end, report.currency,
                                                 outflow_rows(report, start)))  # fmt: skip

    def action_scenario(self, scenario: str) -> None:
        """Contractual, expected or pessimistic."""
        self.recompute(replace(self.view, scenario=scenario))

    def action_period(self, period: str) -> None:
        """Weeks or months (the horizon goes back to the default for that period)."""
        if period != self.view.period:
            self.recompute(replace(self.view, period=period, horizon=None))

    def action_horizon(self, step: int) -> None:
        """One period more or fewer (1 to ``MAX_HORIZON``), at once: every press counts."""
        current = self.view.horizon or self.default_horizon()
        if current is None:
            self._early_steps.append(step)
            return
        wanted = min(max(current + step, 1), MAX_HORIZON[self.view.period])
        if wanted != current:
            self.recompute(replace(self.view, horizon=wanted))
        else:
            self.notify(f"The horizon stays at {current} periods (1 to "
                        f"{MAX_HORIZON[self.view.period]}).", timeout=3)  # fmt: skip

    def action_add_whatif(self) -> None:
        """Ask for a what-if and recompute with it."""
        from tui.modals.whatif import WhatIfModal

        if self.report is None:
            return
        import polars as pl

        open_ms = self.report.placements.filter(pl.col("open") > 0)
        if open_ms.is_empty():
            self.notify("Nothing is open: there is no payment to move.", timeout=4)
            return

        def added(adjustment: Adjustment | None) -> None:
            if adjustment is not None:
                self.recompute(replace(self.view, adjustments=(*self.view.adjustments, adjustment)))

        self.app.push_screen(WhatIfModal(open_ms), added)

    def action_remove_whatif(self) -> None:
        """Take the last what-if off."""
        if self.view.adjustments:
            self.recompute(replace(self.view, adjustments=self.view.adjustments[:-1]))

    def action_clear_whatifs(self) -> None:
        """Take every what-if off."""
        if self.view.adjustments:
            self.recompute(replace(self.view, adjustments=()))

    def action_toggle_chart(self) -> None:
        """Narrow: table or chart; wide: chart shown or hidden."""
        self.toggle_class("-toggled")

    def action_export(self) -> None:
        """Ask for a file, write the table shown to it as CSV, say where it went."""
        from tui.modals.prompt import export_prompt

        report = self.report
        if report is None:
            return
        default = Path("~").expanduser() / f"milepay-forecast-{report.as_of.isoformat()}.csv"

        def chosen(path: Path | None) -> None:
            if path is not None:
                self._export(path, report)

        self.app.push_screen(export_prompt(default), chosen)

    def _export(self, path: Path, report: ForecastReport) -> None:
        def written(count: int) -> None:
            self.app.notify(f"Wrote {count} periods ({report.scenario}, {report.period}) to {path}",
                            markup=False, timeout=6)  # fmt: skip

        self.session.run(lambda: _write_csv(path, report), done=written, group="export")


def _write_csv(path: Path, report: ForecastReport) -> int:
    """Write the CSV; a file that cannot be written is a clear refusal, not a crash."""
    from tui.domain.errors import RefusedError

    try:
        return write_csv(path, report)
    except OSError as exc:
        raise RefusedError(f"could not write {path}: {exc.strerror or exc}") from None
