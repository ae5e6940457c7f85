"""One table, CSV and JSON writer for the command line's reports and the app's exports.

Presentation only (no textual, no click): a :class:`Column` says how a value reads in a table
(amounts with thousands separators, right-aligned), in CSV (plain ``1250.00``, ISO dates,
``yes``/``no``) and in JSON (decimal strings). ``milepay report`` and the forecast screen's
CSV export both write through :func:`format_csv`, so they can never differ (one header, LF
line ends, the same amounts).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl

from tui.domain.money import CENT, format_amount

#: the longest text cell in a table before it is cut with an ellipsis
MAX_CELL = 40


# ---- values ---------------------------------------------------------------------------------


def money_text(value: Decimal | None) -> str | None:
    """An amount as a plain decimal string with two places (``"1250.00"``); None stays None."""
    if value is None:
        return None
    return f"{Decimal(value).quantize(CENT):.2f}"


def days_number(value: float | int | None) -> int | float | None:
    """A day count for JSON: an int when whole (a median may be a half)."""
    if value is None:
        return None
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    return int(value)


def rate_text(value: Decimal | None) -> str | None:
    return None if value is None else f"{Decimal(value):.4f}"


def percent_text(value: Decimal | None) -> str:
    if value is None:
        return "-"
    return f"{(Decimal(value) * 100).quantize(Decimal('0.1'))}%"


def iso_text(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


# ---- a small table layout ----------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a report: its key in the row dicts, its label, and its kind of value."""

    key: str
    label: str
    #: text | amount | int | date | days | rate | bool
    kind: str = "text"

    @property
    def right(self) -> bool:
        """Numbers are right-aligned."""
        return self.kind in ("amount", "int", "days", "rate")

    def table_cell(self, value: Any) -> str:
        """The value as shown in a table."""
        if value is None:
            return "" if self.kind == "text" else "-"
        if isinstance(value, str) and self.kind != "text":
            return value  # a label in a totals row
        if self.kind == "amount":
            return format_amount(value)
        if self.kind == "date":
            return value.isoformat()
        if self.kind == "rate":
            return percent_text(value)
        if self.kind == "days":
            d = days_number(value)
            return str(d)
        if self.kind == "bool":
            return "yes" if value else "no"
        text = " ".join(str(value).split())  # no newlines or tabs inside a table cell
        return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"

    def csv_cell(self, value: Any) -> str:
        """The value as written in a CSV file."""
        if value is None:
            return ""
        if self.kind == "amount":
            return money_text(value) or ""
        if self.kind == "date":
            return value.isoformat()
        if self.kind == "rate":
            return rate_text(value) or ""
        if self.kind == "days":
            return str(days_number(value))
        if self.kind == "bool":
            return "yes" if value else "no"
        return str(value)


@dataclass
class Layout:
    """What ``table`` and ``csv`` need: a header line, columns, rows, totals and notes."""

    header: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    totals: list[dict[str, Any]] = field(default_factory=list)
    #: lines printed under the table (summary figures, red flags, unconverted amounts)
    notes: list[str] = field(default_factory=list)
    empty: str = "Nothing to show."


def format_table(layout: Layout) -> str:
    """Aligned plain-text table with its header line, totals and notes."""
    cols = layout.columns
    body = [[c.table_cell(r.get(c.key)) for c in cols] for r in layout.rows]
    totals = [
        [c.table_cell(r.get(c.key)) if c.key in r else "" for c in cols] for r in layout.totals
    ]
    widths = [
        max([len(c.label)] + [len(row[i]) for row in body + totals]) for i, c in enumerate(cols)
    ]

    def line(cells: Sequence[str]) -> str:
        parts = [
            cell.rjust(w) if c.right else cell.ljust(w)
            for cell, w, c in zip(cells, widths, cols, strict=True)
        ]
        return "  ".join(parts).rstrip()

    out = [layout.header, ""]
    if not layout.rows:
        out.append(layout.empty)
    else:
        out.append(line([c.label for c in cols]))
        out.append("  ".join("-" * w for w in widths))
        out.extend(line(row) for row in body)
        if totals:
            out.append("  ".join("=" * w for w in widths))
            out.extend(line(row) for row in totals)
    if layout.notes:
        out.append("")
        out.extend(layout.notes)
    return "\n".join(out) + "\n"


def format_csv(columns: Sequence[Column], rows: Iterable[dict[str, Any]]) -> str:
    """A header row and one row per data row; plain values."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([c.key for c in columns])
    for r in rows:
        writer.writerow([c.csv_cell(r.get(c.key)) for c in columns])
    return buf.getvalue()


class JsonRows(list):  # list[str]
    """Rows already rendered as compact JSON objects, one per item (made by :func:`json_rows`)."""


def format_json(data: dict[str, Any]) -> str:
    """JSON for people and scripts: one top-level key per line, and each item of a list of
    rows on a line of its own, compact (grep-friendly, and fast on large reports, where
    ``indent=`` would make ``json`` fall back to its pure-Python encoder). UTF-8 text is
    kept as is. Ends with a newline."""

    def compact(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    parts = []
    for key, value in data.items():
        if isinstance(value, JsonRows):
            lines = list(value)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            lines = [compact(v) for v in value]
        else:
            parts.append(f"  {compact(key)}: {compact(value)}")
            continue
        inner = ",\n".join(f"    {line}" for line in lines)
        parts.append(f"  {compact(key)}: [\n{inner}\n  ]" if lines else f"  {compact(key)}: []")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def _json_ready(df: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    exprs = []
    for name in columns:
        dtype = df.schema[name]
        col = pl.col(name)
        if isinstance(dtype, pl.Decimal):
            scale = dtype.scale or 0
            col = (col.cast(pl.Decimal(38, 2)) if scale <= 2 else col).cast(pl.String)
        elif dtype == pl.Date or isinstance(dtype, pl.Enum | pl.Categorical):
            col = col.cast(pl.String)
        exprs.append(col.alias(name))
    return df.select(exprs)


def json_records(df: pl.DataFrame, columns: Sequence[str]) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts, converted in Polars: amounts (scale <= 2) as two-place
    strings, other decimals as written (``0.7500``), dates ISO, enums as text."""
    return _json_ready(df, columns).to_dicts()


def json_rows(df: pl.DataFrame, columns: Sequence[str]) -> JsonRows:
    """The same rows as :func:`json_records`, rendered to JSON by Polars (for large lists)."""
    text = _json_ready(df, columns).write_ndjson()
    return JsonRows(line for line in text.split("\n") if line)


# ---- aging ------------------------------------------------------------------------------------
