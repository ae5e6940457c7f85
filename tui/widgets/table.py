"""A DataTable that shows plain text only and keeps its cursor on the same record."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.widgets import DataTable


@dataclass(frozen=True)
class Column:
    """A column of a :class:`BookTable`: its label, key and alignment."""

    label: str
    key: str
    right: bool = False
    #: a text column that shrinks (with an ellipsis) when the terminal is narrow
    grow: bool = False
    #: the narrowest a shrinking column gets
    min_width: int = 8


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

    def on_mount(self) -> None:
        """Create the columns with stable keys."""
        for col in self.columns_spec:
            self.add_column(Text(col.label, justify="right" if col.right else "left"), key=col.key)

    def on_resize(self) -> None:
        """Fit the columns to the new width."""
        self.fit_columns()

    def fit_columns(self) -> None:
        """Give fixed columns their content's width; share what is left among ``grow`` columns."""
        width = self.scrollable_content_region.width
        if width <= 0 or not self.columns:
            return
        pad = 2 * self.cell_padding
        grow = [c for c in self.columns_spec if c.grow]
        fixed = sum(self._content[c.key] + pad for c in self.columns_spec if not c.grow)
        left = width - 1 - fixed - pad * len(grow)
        wanted = sum(self._content[c.key] for c in grow)
        widths = {c.key: self._content[c.key] for c in self.columns_spec}
        if grow and wanted > left:
            for c in grow:
                share = left * self._content[c.key] // max(wanted, 1)
                widths[c.key] = max(c.min_width, min(self._content[c.key], share))
        for key, column in self.columns.items():
            column.auto_width = False
            column.width = widths.get(str(key.value), column.width)
        self._require_update_dimensions = True
        self._clear_caches()
        self.refresh()

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
