"""Writing a checked folder into the book, within the import's one transaction."""

from __future__ import annotations

from typing import Any

import duckdb
import polars as pl

from tui.store import audit
from tui.store.exchange.checking import _Checker
from tui.store.exchange.outcome import ImportSummary, _Row, _Ticker
from tui.store.exchange.snapshot import _Snapshot
from tui.store.exchange.spec import (
    _FX_LABEL,
    REFERENCE_RATES,
    SETTINGS,
    SPECS,
    TEMPLATES,
    Key,
    _plain,
    _Spec,
)
from tui.store.rows import touch, upsert


class _ArrowStream:
    """Exposes only ``__arrow_c_stream__`` so DuckDB reads a Polars frame without pyarrow."""

    def __init__(self, df: pl.DataFrame) -> None:
        self.df = df

    def __arrow_c_stream__(self, requested_schema: object = None) -> object:
        return self.df.__arrow_c_stream__(requested_schema)


_SIMPLE_TYPES: dict[str, pl.DataType] = {
    "INTEGER": pl.Int32(), "BIGINT": pl.Int64(), "VARCHAR": pl.String(), "DATE": pl.Date(),
    "BOOLEAN": pl.Boolean(),
}  # fmt: skip


def _polars_type(duck_type: str) -> pl.DataType | None:
    """The Polars type of a DuckDB column type (None for types the book does not use)."""
    t = duck_type.upper()
    if t.startswith("DECIMAL("):
        precision, scale = (int(x) for x in t[len("DECIMAL(") : -1].split(","))
        return pl.Decimal(precision, scale)
    return _SIMPLE_TYPES.get(t)


def _column_types(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], pl.DataType]:
    """Polars types of every column of the book's tables, read once per write."""
    rows = con.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'main'"
    ).fetchall()
    return {(t, c): pt for t, c, d in rows if (pt := _polars_type(d)) is not None}


class _Writer:
    """Writes frames into the book's tables within the import's transaction."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.types = _column_types(con)

    def frame(self, table: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
        """Rows as a frame typed like the table (money as Decimal(18,2), never float)."""
        names = list(rows[0])
        schema = {n: self.types[(table, n)] for n in names}
        return pl.DataFrame({n: [_plain(r[n]) for r in rows] for n in names}, schema=schema)

    def insert(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Insert many rows at once through Arrow (executemany is far too slow for imports)."""
        if not rows:
            return
        view = f"_import_{table}"
        self.con.register(view, _ArrowStream(self.frame(table, rows)))
        try:
            self.con.execute(f'INSERT INTO {table} BY NAME SELECT * FROM "{view}"')
        finally:
            self.con.unregister(view)
        recorder = audit.current()
        if recorder is not None:  # the audit log keeps the ids an import added, not the rows
            recorder.added_in_bulk(table, [r["id"] for r in rows])

    def update(self, table: str, rows: list[dict[str, Any]]) -> None:
        """UPDATE many rows by id (never delete and insert: see the package docstring)."""
        if not rows:
            return
        view = f"_update_{table}"
        self.con.register(view, _ArrowStream(self.frame(table, rows)))
        sets = ", ".join(f'"{c}" = u."{c}"' for c in rows[0] if c != "id")
        ids = [r["id"] for r in rows]
        for start in range(0, len(ids), 1000):  # the rows as they were, for the audit log
            chunk = ids[start : start + 1000]
            touch(self.con, table, f"id IN ({', '.join('?' for _ in chunk)})", chunk)
        try:
            self.con.execute(
                f'UPDATE {table} SET {sets} FROM "{view}" AS u WHERE {table}.id = u.id'
            )
        finally:
            self.con.unregister(view)


def _write(con: duckdb.DuckDBPyConnection, checker: _Checker, ticker: _Ticker) -> ImportSummary:
    snap = checker.snap
    summary = ImportSummary()
    writer = _Writer(con)
    ids: dict[str, dict[Key, int]] = {
        t: {k: r["id"] for k, r in snap.rows[t].items()}
        for t in ("clients", "contracts", "milestones")
    }
    parent_ids = {1: ids["clients"], 2: ids["contracts"], 3: ids["milestones"]}
    for spec in SPECS:
        rows = checker.rows[spec.table]
        if spec in (SETTINGS, REFERENCE_RATES, TEMPLATES):
            _write_configuration(con, spec, rows, snap, summary)
            ticker.advance(len(rows))
            continue
        next_id = snap.max_ids[spec.table]
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        for row in rows:
            if row.action == "skip":
                continue
            values = (
                dict(row.record) if isinstance(row.record, dict)
                else {c: getattr(row.record, c) for c in spec.fields}
            )  # fmt: skip
            if row.action == "update":
                updates.append({"id": row.db_id, **values})
                continue
            next_id += 1
            out = {"id": next_id}
            if spec.refs:
                out[spec.parent_column] = parent_ids[len(spec.refs)][row.parent]  # type: ignore[index]
            inserts.append({**out, **values})
            if spec.table in ids:
                ids[spec.table][row.key] = next_id  # type: ignore[index]
        writer.update(spec.table, updates)
        writer.insert(spec.table, inserts)
        skipped = sum(1 for r in rows if r.action == "skip")
        if rows:
            summary.add(spec.label[1], inserted=len(inserts), updated=len(updates), skipped=skipped)
        ticker.advance(len(rows))
    return summary


def _write_configuration(
    con: duckdb.DuckDBPyConnection,
    spec: _Spec,
    rows: list[_Row],
    snap: _Snapshot,
    summary: ImportSummary,
) -> None:
    """Set settings, exchange rates, reference rates and templates (the file wins)."""
    for row in rows:
        key = row.key
        assert key is not None
        old: Any
        if spec is SETTINGS and key[0] == "fx":
            old, label, table = snap.fx.get(key[1]), _FX_LABEL[1], "exchange_rates"
            params: list[Any] = [key[1], row.record]
        elif spec is SETTINGS:
            old, label, table = snap.settings.get(key[0]), spec.label[1], "settings"
            params = [key[0], row.record]
        elif spec is REFERENCE_RATES:
            old, label, table = snap.reference_rates.get(key), spec.label[1], "reference_rates"
            params = [*key, row.record]
        else:
            old, label, table = snap.templates.get(key), spec.label[1], "message_templates"
            params = [*key, *row.record]
        if old is not None and old == row.record:
            summary.add(label, skipped=1)
            continue
        columns = {"settings": ("key", "value"), "exchange_rates": ("currency", "rate"),
                   "reference_rates": ("preset", "valid_from", "rate"),
                   "message_templates": ("step", "subject", "body")}[table]  # fmt: skip
        upsert(con, table, dict(zip(columns, params, strict=True)))
        summary.add(label, inserted=1 if old is None else 0, updated=0 if old is None else 1)
