"""Exporting a book as the CSV exchange format."""

from __future__ import annotations

import csv
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

from tui.store.exchange.spec import (
    CLIENTS,
    CONTACTS,
    CONTRACTS,
    EXPENSES,
    MILESTONES,
    REFERENCE_RATES,
    SETTINGS,
    SPECS,
    TEMPLATES,
    _cell,
    _fmt_decimal,
    _Spec,
)
from tui.store.store import Book

_JOINS = {
    0: ("", ""),
    1: ("c.name AS client, ", "JOIN clients c ON c.id = t.client_id"),
    2: (
        "c.name AS client, k.title AS contract, ",
        "JOIN contracts k ON k.id = t.contract_id JOIN clients c ON c.id = k.client_id",
    ),
    3: (
        "c.name AS client, k.title AS contract, m.seq AS seq, ",
        "JOIN milestones m ON m.id = t.milestone_id JOIN contracts k ON k.id = m.contract_id "
        "JOIN clients c ON c.id = k.client_id",
    ),
}
_STEP_ORDER = (
    "CASE step WHEN 'reminder' THEN 1 WHEN 'firm' THEN 2 WHEN 'escalate' THEN 3 ELSE 4 END"
)


def _export_query(spec: _Spec) -> str:
    if spec is SETTINGS:
        return (
            "SELECT key, value FROM (SELECT 0 AS part, key, value FROM settings UNION ALL "
            "SELECT 1, 'fx.' || currency, CAST(rate AS VARCHAR) FROM exchange_rates) ORDER BY part, key"
        )
    if spec is REFERENCE_RATES:
        return "SELECT preset, valid_from, rate FROM reference_rates ORDER BY preset, valid_from"
    if spec is TEMPLATES:
        return f"SELECT step, subject, body FROM message_templates ORDER BY {_STEP_ORDER}"
    select, join = _JOINS[len(spec.refs)]
    own = ", ".join(f't."{c}"' for c in spec.fields)
    order = []
    if spec.refs:
        order += ["lower(c.name)", "c.id"]
    if len(spec.refs) >= 2:
        order += ["lower(k.title)", "k.id"]
    if len(spec.refs) == 3:
        order.append("m.seq")
    if spec in (CLIENTS, CONTACTS, EXPENSES):
        order += ["lower(t.name)"]
    if spec is CONTRACTS:
        order += ["lower(t.title)"]
    if spec is MILESTONES:
        order.append("t.seq")
    if spec.sort_date:
        order.append(f't."{spec.sort_date}"')
    if spec is EXPENSES:
        order.append("t.next_date")
    order.append("t.id")
    return f"SELECT {select}{own} FROM {spec.table} t {join} ORDER BY {', '.join(order)}"


def export_folder(book: Book, folder: Path) -> list[Path]:
    """Write every table of the book as the CSV exchange format into ``folder``; return the files.

    Every file is written, with its header even when the book has no such rows. Files are
    written beside their final name and then moved into place.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tables: list[tuple[_Spec, list[tuple[Any, ...]]]] = []
    with book.reading() as con:
        for spec in SPECS:
            tables.append((spec, con.execute(_export_query(spec)).fetchall()))
    written: list[Path] = []
    for spec, rows in tables:
        path = folder / spec.file
        tmp = folder / f".{spec.file}.tmp"
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(spec.columns)
            for r in rows:
                if spec is SETTINGS and r[0].startswith("fx."):
                    r = (r[0], _fmt_decimal(Decimal(r[1])))
                writer.writerow([_cell(v) for v in r])
        os.replace(tmp, path)
        written.append(path)
    return written
