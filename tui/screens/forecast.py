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
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.reactive import var
from textual.widgets import Label, Static

from tui.analytics.forecast import Adjustment, ForecastReport, forecast
from tui.domain.money import format_amount
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
        early, self._early_steps = self._early_steps, []
        for step in early:
            self.action_horizon(step)
        if view == self.view and not self._reports.busy:
            self.show_report(report)
        else:  # a key came while this was computed (or a report of older frames is due)
            self._refresh_report()

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
            [r["balance"] for r in rows], period=report.period, currency=cur))  # fmt: skip
        unit = "weeks" if report.period == "week" else "months"
        self.query_one("#title-note", Label).update(Text(
            f"as of {report.as_of} · {report.scenario} · {report.horizon} {unit} · {cur} · "
            f"cash {format_amount(report.cash_at_as_of)}"))  # fmt: skip
        self.query_one("#fc-notes", Static).update(Text.assemble(*forecast_note_segments(report)))
        whatifs = self.query_one("#fc-whatifs", Static)
        whatifs.update(Text("What-if (u undo last, U clear): "
                            + " · ".join(a.describe() for a in report.adjustments)))  # fmt: skip
        whatifs.set_class(not report.adjustments, "-hidden")
        self.refresh_bindings()

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
        return True

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
