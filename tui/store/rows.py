"""Small SQL helpers shared by the store's writers (the only SQL lives in tui/store)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum
from typing import Any

import duckdb
import polars as pl

from tui.domain.errors import NotFoundError
from tui.store import audit


def sql_value(v: Any) -> Any:
    """A Python value as DuckDB takes it (enums as their text)."""
    if isinstance(v, Enum):
        return v.value
    return v


def next_id(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """The next id of ``table`` (single writer: see schema.py)."""
    row = con.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()
    return int(row[0])


def insert(con: duckdb.DuckDBPyConnection, table: str, row: dict[str, Any]) -> int:
    """Insert one row, assigning its id; return the id (audited)."""
    new_id = next_id(con, table)
    cols = ["id", *row.keys()]
    marks = ", ".join("?" for _ in cols)
    con.execute(
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})",
        [new_id, *(sql_value(v) for v in row.values())],
    )
    recorder = audit.current()
    if recorder is not None:
        recorder.added(table, (new_id,))
    return new_id


def update(con: duckdb.DuckDBPyConnection, table: str, row_id: int, row: dict[str, Any]) -> None:
    """Update the given columns of one row; NotFoundError when it does not exist (audited)."""
    exists(con, table, row_id)
    touch(con, table, "id = ?", [row_id])
    sets = ", ".join(f"{k} = ?" for k in row)
    con.execute(
        f"UPDATE {table} SET {sets} WHERE id = ?", [*(sql_value(v) for v in row.values()), row_id]
    )


def touch(con: duckdb.DuckDBPyConnection, table: str, where: str, params: list[Any]) -> None:
    """Tell the audit log that rows of ``table`` matching ``where`` are about to change.

    Every write that is not :func:`insert`, :func:`update` or :func:`delete_where` calls it
    first (``where`` is a constant written in the store, never user text).
    """
    recorder = audit.current()
    if recorder is not None:
        recorder.touch(con, table, where, params)


def delete_where(con: duckdb.DuckDBPyConnection, table: str, where: str, params: list[Any]) -> int:
    """Delete the rows of ``table`` matching ``where`` (audited); return how many went."""
    touch(con, table, where, params)
    row = con.execute(f"SELECT count(*) FROM {table} WHERE {where}", params).fetchone()
    con.execute(f"DELETE FROM {table} WHERE {where}", params)
    return int(row[0]) if row else 0


def upsert(con: duckdb.DuckDBPyConnection, table: str, row: dict[str, Any]) -> None:
    """Insert or replace one row of a keyed table (settings, rates, templates; audited)."""
    from tui.store.audit import key_columns

    keys = key_columns(table)
    key = [sql_value(row[k]) for k in keys]
    touch(con, table, " AND ".join(f"{k} = ?" for k in keys), key)
    recorder = audit.current()
    if recorder is not None:
        recorder.added(table, tuple(key))  # kept as before when it existed (setdefault)
    cols = list(row)
    con.execute(
        f"INSERT OR REPLACE INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
        [sql_value(row[c]) for c in cols],
    )


def exists(con: duckdb.DuckDBPyConnection, table: str, row_id: int) -> None:
    """Raise NotFoundError unless ``table`` has row ``row_id``."""
    if con.execute(f"SELECT 1 FROM {table} WHERE id = ?", [row_id]).fetchone() is None:
        raise NotFoundError(f"there is no {table[:-1].replace('_', ' ')} with id {row_id}")


def fetch_dict(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None
) -> dict[str, Any] | None:
    """The first row of a query as a dict (None when there is none)."""
    cur = con.execute(sql, params or [])
    row = cur.fetchone()
    if row is None:
        return None
    names = [d[0] for d in cur.description]
    return dict(zip(names, row, strict=True))


def fetch_dicts(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None
) -> list[dict[str, Any]]:
    """All rows of a query as dicts."""
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def frame(con: duckdb.DuckDBPyConnection, sql: str) -> pl.DataFrame:
    """A query's result as a Polars frame, through the Arrow C stream (no pyarrow needed)."""
    return pl.DataFrame(con.sql(sql))


class _ArrowStream:
    """Exposes only ``__arrow_c_stream__`` so DuckDB reads a Polars frame without pyarrow."""

    def __init__(self, df: pl.DataFrame) -> None:
        self.df = df

    def __arrow_c_stream__(self, requested_schema: object = None) -> object:
        return self.df.__arrow_c_stream__(requested_schema)


def bulk_insert(con: duckdb.DuckDBPyConnection, table: str, df: pl.DataFrame) -> None:
    """Insert a whole frame by column name (generated benchmark books).

    Not audited: it is never used inside a user's write (imports go through the exchange
    writer, which records the ids it adds).
    """
    if df.height == 0:
        return
    view = f"_bulk_{table}"
    con.register(view, _ArrowStream(df))
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {view}")
    finally:
        con.unregister(view)


def as_date(v: Any) -> dt.date | None:
    """A DuckDB DATE value as a date."""
    return v if isinstance(v, dt.date) or v is None else dt.date.fromisoformat(str(v))


def as_decimal(v: Any) -> Decimal:
    """A DuckDB DECIMAL value as a Decimal."""
    return v if isinstance(v, Decimal) else Decimal(str(v))
