"""Reading the folder: every CSV file of the format, its header checked, its rows as text.

A quoted cell may span lines; Windows line endings inside it (``\\r\\n``) are read as ``\\n``,
and a row's line is still the physical line where it starts. Free-text cells lose the formula
guard export puts on them (:func:`~tui.store.exchange.spec.unguard_text`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from tui.store.exchange.outcome import _Errors
from tui.store.exchange.spec import (
    _BY_FILE,
    SETTINGS,
    SPECS,
    TEXT_SETTINGS,
    _Spec,
    unguard_text,
)


@dataclass
class _File:
    """A file as read: its header and its rows (physical start line, column -> text)."""

    spec: _Spec
    columns: tuple[str, ...]
    rows: list[tuple[int, dict[str, str]]]
    usable: bool = True
    #: the folder read: relative file paths in it (invoice_file, document) are taken from there
    folder: Path | None = None


def _read_folder(folder: Path, errors: _Errors) -> list[_File]:
    """Read every CSV file of the format in ``folder`` (header problems go to ``errors``)."""
    files: list[_File] = []
    present = {p.name.lower(): p for p in sorted(folder.iterdir()) if p.is_file()}
    for name in sorted(n for n in present if n.endswith(".csv") and n not in _BY_FILE):
        known = ", ".join(s.file for s in SPECS)
        errors.add(
            None, present[name].name, 1, "file", f"not a file of the exchange format ({known})"
        )
    for spec in SPECS:
        path = present.get(spec.file)
        if path is not None:
            files.append(_read_file(spec, path, errors))
    return files


def _read_file(spec: _Spec, path: Path, errors: _Errors) -> _File:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        errors.add(spec, spec.file, line, "file", "is not UTF-8 text (save the file as UTF-8 CSV)")
        return _File(spec, (), [], usable=False)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            return _File(spec, (), [])
        columns = tuple(h.strip().lower() for h in header)
        usable = _check_header(spec, columns, errors)
        rows: list[tuple[int, dict[str, str]]] = []
        start = reader.line_num + 1
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not cells or all(c.strip() == "" for c in cells):
                continue
            if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
                errors.add(
                    spec, spec.file, line, "row",
                    f"has {len(cells)} values but the header has {len(columns)} columns "
                    '(quote values that hold a comma, e.g. "1,250.00")',
                )  # fmt: skip
                continue
            values = {
                c: (cells[i] if i < len(cells) else "").replace("\r\n", "\n")
                for i, c in enumerate(columns)
                if c
            }
            rows.append((line, _unguard(spec, values)))
    except csv.Error as exc:
        errors.add(spec, spec.file, reader.line_num, "file", f"is not valid CSV ({exc})")
        return _File(spec, (), [], usable=False)
    return _File(spec, columns, rows, usable, folder=path.parent)


def _unguard(spec: _Spec, values: dict[str, str]) -> dict[str, str]:
    """Take off the formula guard export put on free-text cells (see :func:`guard_text`)."""
    for c in spec.text_columns:
        if c in values:
            values[c] = unguard_text(values[c])
    if spec is SETTINGS and values.get("key", "").strip().lower() in TEXT_SETTINGS:
        values["value"] = unguard_text(values.get("value", ""))
    return values


def _check_header(spec: _Spec, columns: tuple[str, ...], errors: _Errors) -> bool:
    usable = True
    seen: set[str] = set()
    for c in columns:
        if c == "":
            errors.add(spec, spec.file, 1, "column", "a column has no name")
        elif c in seen:
            errors.add(spec, spec.file, 1, "column", f"column '{c}' appears twice")
            usable = False
        elif c not in spec.columns:
            errors.add(
                spec,
                spec.file,
                1,
                "column",
                f"unknown column '{c}' (known: {', '.join(spec.columns)})",
            )
        seen.add(c)
    for c in spec.required:
        if c not in seen:
            errors.add(spec, spec.file, 1, "column", f"missing required column '{c}'")
            usable = False
    return usable
