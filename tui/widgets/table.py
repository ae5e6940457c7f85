"""A DataTable that shows plain text only and keeps its cursor on the same record."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets import DataTable
from textual.widgets.data_table import Column as DataColumn


@dataclass(frozen=True)
class Column:
    """A column of a :class:`BookTable`: its label, key, alignment and how it gives way.

    Fixed columns (``grow`` false: amounts, dates, counts) always take their content's whole
    width. ``grow`` columns (names, titles) share what is left, those of higher ``priority``
    (the title, the contact) getting their whole width first (up to :data:`WANT_CAP`). Columns
    with a ``drop`` rank are hidden, rank 1 first, when the narrowest layout does not fit or
    when that lets a priority title show whole (see :func:`fit_widths`): their value is in the
    screen's detail. A shrinking column never gets narrower than its header.
    """

    label: str
    key: str
    right: bool = False
    #: a text column that shrinks (with an ellipsis) when the terminal is narrow
    grow: bool = False
    #: the narrowest a shrinking column gets
    min_width: int = 8
    #: grow columns of a higher priority get their content's width before the others
    priority: int = 0
    #: hidden when the table does not fit, lowest rank first (0: always shown)
    drop: int = 0


#: a title longer than this does not push low-value columns out to be shown whole
WANT_CAP = 40


def fit_widths(
    columns: Sequence[Column], content: dict[str, int], width: int, pad: int = 2
) -> dict[str, int | None]:
    """Each column's width in ``width`` cells (``pad`` around each); None for a hidden one.

    Fixed columns get ``content`` (never less); grow columns start at the smaller of their
    content and ``min_width``; columns with a ``drop`` rank are hidden (rank 1 first, the
    rightmost first among equals) while that, with the priority columns whole (up to
    ``WANT_CAP`` cells each), does not fit. What is left goes to the grow
    columns by ``priority``, highest first, up to their content; within one priority in
    proportion to what each still lacks.
    """
    floor = {c.key: max(c.min_width, len(c.label)) for c in columns}  # a header is never cut
    start = {c.key: content[c.key] if not c.grow else min(content[c.key], floor[c.key])
             for c in columns}  # fmt: skip
    shown = list(columns)

    def need() -> int:
        return sum(start[c.key] + pad for c in shown)

    def first_lack() -> int:  # what the titles lack to be whole (a long one counts as WANT_CAP)
        return sum(max(0, min(content[c.key], WANT_CAP) - start[c.key])
                   for c in shown if c.grow and c.priority > 0)  # fmt: skip

    droppable = sorted((c for c in columns if c.drop), key=lambda c: (c.drop, -columns.index(c)))
    for column in droppable:
        if need() + first_lack() <= width:
            break
        shown.remove(column)
    widths: dict[str, int | None] = {c.key: None for c in columns}
    widths.update({c.key: start[c.key] for c in shown})
    left = width - need()
    priorities = sorted({c.priority for c in shown if c.grow}, reverse=True)
    for cap in (WANT_CAP, None):  # first up to WANT_CAP cells each, then the longest whole
        for priority in priorities:
            group = [c for c in shown if c.grow and c.priority == priority]
            target = {c.key: content[c.key] if cap is None else min(content[c.key], cap)
                      for c in group}  # fmt: skip
            left -= _share(group, widths, target, left)
    return widths


def _share(group: list[Column], widths: dict[str, int | None], target: dict[str, int],
           left: int) -> int:  # fmt: skip
    """Widen ``group`` towards ``target`` with at most ``left`` cells; return the cells used."""
    lacks = {c.key: max(0, target[c.key] - (widths[c.key] or 0)) for c in group}
    wanted = sum(lacks.values())
    if left <= 0 or not wanted:
        return 0
    if wanted <= left:
        given = lacks
    else:  # in proportion to what each lacks; the cells rounding leaves, one each, left first
        given = {k: left * lack // wanted for k, lack in lacks.items()}
        rest = left - sum(given.values())
        for c in group:
            if rest and given[c.key] < lacks[c.key]:
                given[c.key] += 1
                rest -= 1
    for c in group:
        widths[c.key] = (widths[c.key] or 0) + given[c.key]
    return sum(given.values())


class _FitColumn(DataColumn):
    """A DataTable column that can be hidden (no width at all, not even its padding)."""

    hidden: bool = False

    def get_render_width(self, data_table: DataTable[Any]) -> int:
        """No cells for a hidden column."""
        return 0 if self.hidden else super().get_render_width(data_table)


def _label(text: str, right: bool) -> Text:
    return Text(text, justify="right" if right else "left", no_wrap=True, overflow="ellipsis")


def cell(value: Any, *, right: bool = False, style: str = "") -> Text:
    """A table cell as plain text (user text is never parsed as markup)."""
    if isinstance(value, Text):
        value.no_wrap = True
        value.overflow = "ellipsis"
        if right and value.justify in (None, "default", "left"):
            value.justify = "right"
        return value
    text = "" if value is None else str(value)
    return Text(
        text, style=style, justify="right" if right else "left", no_wrap=True, overflow="ellipsis"
    )


class BookTable(DataTable[Text]):
    """Row cursor, zebra stripes, every cell a ``rich.text.Text``.

    ``show`` replaces all rows and keeps the cursor on the row with the same key, so a
    refresh after a write (or another process's change) does not lose the user's place.
    Lists are windowed by the caller: at most ``limit`` rows are put in the table.
    """

    def __init__(self, columns: Sequence[Column], **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.columns_spec = list(columns)
        self._content = {c.key: len(c.label) for c in self.columns_spec}
        #: another table whose columns line up with these (the aging rows and totals)
        self.align_with: BookTable | None = None
        self._fitted_width = 0  # the width the columns were last fitted to

    def on_mount(self) -> None:
        """Create the columns with stable keys."""
        for col in self.columns_spec:
            key = self.add_column(_label(col.label, col.right), key=col.key)
            made = self.columns[key]
            self.columns[key] = _FitColumn(made.key, made.label, made.width,
                                           made.content_width, made.auto_width)  # fmt: skip
        self.fit_columns()  # rows shown before the columns existed are fitted now

    def on_resize(self) -> None:
        """Fit the columns to the new width."""
        self.fit_columns()

    def render_lines(self, crop: Any) -> Any:
        """Fit first if the width changed since the last fit (a size no Resize reported)."""
        if self._fitted_width != self.scrollable_content_region.width:
            self.fit_columns()
        return super().render_lines(crop)

    @property
    def content_widths(self) -> dict[str, int]:
        """The widest cell (or label) of each column, with the aligned table's."""
        other = self.align_with._content if self.align_with is not None else {}
        return {k: max(w, other.get(k, 0)) for k, w in self._content.items()}

    @property
    def hidden(self) -> list[str]:
        """Keys of the columns hidden because the table is too narrow for them."""
        return [
            str(key.value)
            for key, column in self.columns.items()
            if isinstance(column, _FitColumn) and column.hidden
        ]

    def fit_columns(self) -> None:
        """Lay the columns out in the table's width (see :func:`fit_widths`)."""
        width = self.scrollable_content_region.width
        if width <= 0 or not self.columns:
            return  # not laid out yet: render_lines fits before the first paint
        self._fitted_width = width
        widths = fit_widths(
            self.columns_spec, self.content_widths, width - 1, 2 * self.cell_padding
        )
        for key, column in self.columns.items():
            fitted = widths.get(str(key.value))
            column.auto_width = False
            if isinstance(column, _FitColumn):
                column.hidden = fitted is None
            if fitted is not None:
                column.width = fitted
        self._require_update_dimensions = True
        self._clear_caches()
        self.refresh()
        if self.cursor_type == "cell" and self._hidden_at(self.cursor_column):
            # its column was just hidden: the nearest shown one (a hidden cell is never chosen)
            shown = [i for i in range(len(self.ordered_columns)) if not self._hidden_at(i)]
            if shown:
                nearest = min(shown, key=lambda i: abs(i - self.cursor_column))
                self.cursor_coordinate = Coordinate(self.cursor_row, nearest)

    def action_cursor_right(self) -> None:
        """The next shown column (a cell cursor skips hidden ones)."""
        self._skip_hidden(super().action_cursor_right)

    def action_cursor_left(self) -> None:
        """The previous shown column."""
        self._skip_hidden(super().action_cursor_left)

    def _skip_hidden(self, move: Any) -> None:
        before = self.cursor_coordinate
        move()
        while self.cursor_type == "cell" and self._hidden_at(self.cursor_column):
            at = self.cursor_coordinate
            move()
            if self.cursor_coordinate == at:  # the edge: stay where the cursor was
                self.cursor_coordinate = before
                break

    def _hidden_at(self, index: int) -> bool:
        if not 0 <= index < len(self.ordered_columns):
            return False
        column = self.ordered_columns[index]
        return isinstance(column, _FitColumn) and column.hidden

    @property
    def current_key(self) -> str | None:
        """The key of the row under the cursor (None when empty)."""
        if self.row_count == 0:
            return None
        try:
            return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except Exception:
            return None

    def show(self, rows: Sequence[tuple[str, Sequence[Any]]], *, keep: str | None = None) -> None:
        """Replace the rows: ``(key, cells)`` pairs; keep the cursor on ``keep`` or the same key."""
        wanted = keep if keep is not None else self.current_key
        old_index = self.cursor_row
        self.clear()
        rights = [c.right for c in self.columns_spec]
        self._content = {c.key: len(c.label) for c in self.columns_spec}
        keys = [c.key for c in self.columns_spec]
        for key, values in rows:
            cells = [cell(v, right=r) for v, r in zip(values, rights, strict=False)]
            for k, c in zip(keys, cells, strict=False):
                self._content[k] = max(self._content[k], c.cell_len)
            self.add_row(*cells, key=key)
        self.fit_columns()
        if not rows:
            return
        index = None
        if wanted is not None:
            try:
                index = self.get_row_index(wanted)
            except Exception:
                index = None
        if index is None:
            index = min(max(old_index, 0), len(rows) - 1)
        self.move_cursor(row=index, animate=False, scroll=True)
