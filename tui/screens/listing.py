"""A main screen built around one list: filter with ``/``, sort with ``s``/``r``, windowed.

The whole list lives in a Polars frame (built from the session's snapshot in a thread); the
table only ever holds the first ``LIMIT`` rows of the filtered, sorted view, so a book with
100k milestones stays responsive. The screen's own state (filter text, sort column and
direction, and a subclass's toggles such as archived rows) is reactive: a key changes it at
once, and its watcher rebuilds the view from the frame in memory (never from the book) in a
thread worker. :class:`LatestOnly` runs one such computation at a time: keys typed faster than
it computes coalesce, and the screen always ends showing the view of its final state.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.reactive import var
from textual.widgets import DataTable, Input, Label

from tui.navigation import Arrival
from tui.screens.base import BookScreen, LatestOnly
from tui.widgets.filterbar import FilterBar
from tui.widgets.table import BookTable, Column

#: keys every list has; subclasses put them after their own so the footer shows actions first
LIST_KEYS: list[BindingType] = [
    Binding("slash", "filter", "Filter", id="filter"),
    Binding("s", "sort", "Sort", id="sort"),
    Binding("r", "reverse", "Reverse sort", show=False, id="reverse"),
]


@dataclass(frozen=True)
class ListExtras:
    """What a list screen shows besides its rows; each screen extends it with its own fields."""

    #: the day the rows were computed for (the book's today in its timezone)
    today: dt.date


@dataclass(frozen=True)
class HomeExtras(ListExtras):
    """A list screen that also needs the home currency (expenses, settings, scorecards)."""

    home: str


class ListScreen(BookScreen):
    """A screen whose heart is a :class:`BookTable` over a frame of rows.

    ``fetch`` returns ``(frame, extras)``: ``frame`` has a ``key`` column (row key), a
    ``search`` column (lower-case text the filter looks in) and the columns named in
    ``COLUMNS``; ``cells`` turns one row into table cells; ``extras`` is the screen's typed
    :class:`ListExtras` (the view model besides the rows).
    """

    TITLE_TEXT = ""
    COLUMNS: ClassVar[list[Column]] = []
    #: column keys the ``s`` key cycles through (default: every column)
    SORTABLE: ClassVar[list[str] | None] = None
    LIMIT = 500
    #: the action Enter runs on a row (empty: none)
    ENTER_ACTION = ""

    #: the sort column (an index into ``sort_keys()``): a change redraws the view from memory
    sort_index = var(0, init=False)
    #: sort in descending order
    descending = var(False, init=False)
    #: the filter line's text, lower case
    filter_text = var("", init=False)

    def __init__(self) -> None:
        super().__init__()
        self.frame: pl.DataFrame | None = None
        self.extra: Any = None  # the screen's ListExtras subclass once fetched
        self.shown_total = 0
        self._views: LatestOnly[Any] = LatestOnly(self, f"view-{id(self)}")
        #: the row to put the cursor on after the next refresh (a record just added)
        self.pending_key: str | None = None
        self._after_load: list[Any] = []

    def compose_body(self) -> ComposeResult:
        """Title line, the list (and whatever ``compose_detail`` adds), the filter line."""
        with Horizontal(classes="title-row"):
            yield Label(Text(self.TITLE_TEXT), classes="screen-title", id="title")
            yield Label("", classes="title-note", id="title-note")
        yield from self.compose_main()
        yield FilterBar()

    def compose_main(self) -> ComposeResult:
        """The list (subclasses add a detail pane around it)."""
        yield BookTable(self.COLUMNS, id="list")

    @property
    def table(self) -> BookTable:
        """The list widget."""
        return self.query_one("#list", BookTable)

    def on_mount(self) -> None:
        """Focus the list, then load."""
        self.table.focus()
        super().on_mount()

    # ---- data ------------------------------------------------------------------------------

    def show(self, data: tuple[pl.DataFrame, Any]) -> None:
        """New data from the book: keep the filter and sort, redraw the view."""
        self.frame, self.extra = data
        self.show_extra()
        self.refilter()
        waiting, self._after_load = self._after_load, []
        for then in waiting:
            then(self)

    def arrive(self, arrival: Arrival) -> None:
        """Do what a :class:`~tui.navigation.Navigate` asked, the data being shown."""
        if arrival.filter is not None:
            self.set_filter(arrival.filter)

    def when_loaded(self, then: Any) -> None:
        """Run ``then(screen)`` now if the data is here, else right after it arrives."""
        if self.frame is not None:
            then(self)
        else:
            self._after_load.append(then)

    def show_extra(self) -> None:
        """Show what ``fetch`` returned besides the list (summary lines)."""

    def sort_keys(self) -> list[str]:
        """Column keys the sort cycles through."""
        return self.SORTABLE or [c.key for c in self.COLUMNS]

    def refilter(self) -> None:
        """Filter and sort the frame in memory (a thread), then fill the table."""
        if self.frame is None:
            return
        sort = self.sort_keys()[self.sort_index]
        self._view(self.frame, self.filter_text, sort, self.descending)

    def watch_sort_index(self) -> None:
        """Another sort column: the view again."""
        self.refilter()

    def watch_descending(self) -> None:
        """The other direction: the view again."""
        self.refilter()

    def watch_filter_text(self) -> None:
        """Another filter: the view again."""
        self.refilter()

    def narrow(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Rows the screen shows before the filter (e.g. without archived ones)."""
        return frame

    def _view(self, frame: pl.DataFrame, text: str, sort: str, descending: bool) -> None:
        """Filter and sort in a thread; only the view of the newest state is shown."""

        def compute() -> tuple[list[tuple[str, list[Any]]], int, str]:
            view = self.narrow(frame)
            if text:
                view = view.filter(pl.col("search").str.contains(text, literal=True))
            total = view.height
            if sort in view.columns:
                view = view.sort(sort, descending=descending, nulls_last=True, maintain_order=True)
            rows = [
                (str(r["key"]), self.cells(r)) for r in view.head(self.LIMIT).iter_rows(named=True)
            ]
            return rows, total, text

        self._views.run(compute, lambda r: self._fill(*r))

    def cells(self, row: dict[str, Any]) -> list[Any]:  # pragma: no cover - overridden
        """One row's table cells."""
        return [row.get(c.key) for c in self.COLUMNS]

    def _fill(self, rows: list[tuple[str, list[Any]]], total: int, text: str) -> None:
        self.shown_total = total
        self.table.show(rows, keep=self.pending_key)
        self.pending_key = None
        key = self.sort_keys()[self.sort_index]
        sort = next((c.label for c in self.COLUMNS if key.startswith(c.key.removesuffix("_text"))),
                    "entry order")  # fmt: skip
        parts = [f"sorted by {sort}{' ↓' if self.descending else ''}"]
        if text:
            parts.insert(0, f"filter '{text}'")
        if self.view_note():
            parts.insert(0, self.view_note())
        if total > len(rows):
            parts.insert(0, f"first {len(rows)} of {total}: / to filter")
        else:
            parts.insert(0, f"{total} shown")
        self.query_one("#title-note", Label).update(Text(" · ".join(parts)))
        self.row_changed(self.table.current_key)
        self.refresh_actions()

    # ---- keys ------------------------------------------------------------------------------

    def select_new(self, new_id: Any) -> None:
        """After a form added a record: put the cursor on it once the list reloads."""
        if isinstance(new_id, int) and not isinstance(new_id, bool):
            self.pending_key = str(new_id)
            if (
                self.frame is not None
                and not self.frame.filter(pl.col("key") == str(new_id)).is_empty()
            ):
                self.refilter()

    def set_filter(self, text: str) -> None:
        """Filter the list by ``text`` (from another screen or the command palette)."""
        bar = self.query_one(FilterBar)
        bar.remove_class("-hidden")
        bar.query_one("#filter-input", Input).value = text
        self.table.focus()

    def action_filter(self) -> None:
        """Open the filter line."""
        self.query_one(FilterBar).open()

    def action_sort(self) -> None:
        """Sort by the next column."""
        self.sort_index = (self.sort_index + 1) % len(self.sort_keys())

    def action_reverse(self) -> None:
        """Reverse the sort order."""
        self.descending = not self.descending

    @on(FilterBar.Changed)
    def _filter_changed(self, event: FilterBar.Changed) -> None:
        self.filter_text = event.text.lower()

    @on(FilterBar.Done)
    def _filter_done(self, event: FilterBar.Done) -> None:
        self.table.focus()

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table is self.table:
            self.row_changed(event.row_key.value if event.row_key else None)
            self.refresh_actions()

    @on(DataTable.RowSelected)
    async def _selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table is self.table and self.ENTER_ACTION:
            event.stop()
            await self.run_action(self.ENTER_ACTION)

    def view_note(self) -> str:
        """What the screen's own view switch narrows the list to, for the title line."""
        return ""

    def row_changed(self, key: str | None) -> None:
        """The cursor moved to another row (update the detail pane)."""

    @property
    def selected(self) -> dict[str, Any] | None:
        """The full row (from the frame) under the cursor."""
        key = self.table.current_key
        if key is None or self.frame is None:
            return None
        found = self.frame.filter(pl.col("key") == key)
        return found.row(0, named=True) if found.height else None
