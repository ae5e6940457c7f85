"""The audit log: every write, in its own transaction, with the rows before and after (SPEC 3).

How a write is recorded
    :meth:`tui.store.book.BookFile.writing` opens a :class:`Recorder` for the transaction.
    The store's row helpers (:func:`tui.store.rows.insert`, ``update``, ``delete_where``,
    ``upsert``) tell it which rows they are about to change: the first time a row is touched
    its state before is kept (nothing, for a new row). When the transaction's work is done,
    the state after of every touched row is read, rows whose before and after are equal are
    dropped, and one ``audit_log`` row is written in the same transaction: when (UTC), the
    action (the store method's name), who (user and host), a one-line summary and the
    changes as JSON. A write that changed nothing is not logged. Nothing ever updates or
    deletes a row of the log.
Bulk imports
    ``milepay import`` may add hundreds of thousands of rows: it is logged with the ids it
    added per table (``added``), not every row; undoing it removes those rows.
Undo
    :func:`plan_undo` finds the newest action that is neither an undo nor undone already, and
    checks that each row it changed is still as that action left it (else it refuses, naming
    the row: undo the later change first). :func:`apply_undo` writes the rows back, in the
    reverse order (children before parents when removing, parents first when restoring), as
    a new audited action ``undo`` whose ``undoes`` names the action undone. Undoing twice
    undoes the action before that one; an undo is never itself undone by ``undo`` (nothing
    is redone silently).
Values
    JSON with tagged values for what JSON lacks: ``{"$dec": "12.50"}``, ``{"$date":
    "2026-11-24"}``, ``{"$ts": "..."}``, so that a row restored is exactly the row that was.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import getpass
import json
import socket
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any

import duckdb

from tui.domain.errors import RefusedError

#: the schema version that brought the audit log
SINCE_SCHEMA = 5
#: tables whose rows are not named by an integer ``id``
KEYS: dict[str, tuple[str, ...]] = {
    "settings": ("key",),
    "exchange_rates": ("currency",),
    "reference_rates": ("preset", "valid_from"),
    "message_templates": ("step",),
    "bank_lines": ("fingerprint",),
    "book_meta": ("key",),
}
#: tables never audited (the counter moves on every write; the log itself)
UNAUDITED = frozenset({"book_meta", "audit_log", "schema_version"})

_current: contextvars.ContextVar[Recorder | None] = contextvars.ContextVar(
    "milepay_audit", default=None
)


def key_columns(table: str) -> tuple[str, ...]:
    """The columns that name one row of ``table``."""
    return KEYS.get(table, ("id",))


# ---- values as JSON -------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return {"$dec": str(value)}
    if isinstance(value, dt.datetime):
        return {"$ts": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        ((tag, text),) = value.items()
        if tag == "$dec":
            return Decimal(text)
        if tag == "$date":
            return dt.date.fromisoformat(text)
        if tag == "$ts":
            return dt.datetime.fromisoformat(text)
    return value


def encode_row(row: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A row as JSON-safe values (tagged decimals, dates, timestamps)."""
    return None if row is None else {k: _encode(v) for k, v in row.items()}


def decode_row(row: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A row back from :func:`encode_row`, with its Python types."""
    return None if row is None else {k: _decode(v) for k, v in row.items()}


# ---- recording ------------------------------------------------------------------------------


@dataclass
class Recorder:
    """The rows one transaction touches: their state before, in the order first touched."""

    before: dict[tuple[str, tuple[Any, ...]], dict[str, Any] | None] = field(default_factory=dict)
    #: table -> ids added in bulk (imports), recorded without their rows
    bulk: dict[str, list[int]] = field(default_factory=dict)
    removed: dict[str, list[int]] = field(default_factory=dict)
    action: str = ""
    summary: str = ""
    undoes: int | None = None

    def touch(self, con: duckdb.DuckDBPyConnection, table: str, where: str,
              params: Sequence[Any]) -> None:  # fmt: skip
        """Rows of ``table`` matching ``where`` are about to change or go: keep them as they are."""
        if table in UNAUDITED:
            return
        cur = con.execute(f"SELECT * FROM {table} WHERE {where}", list(params))
        names = [d[0] for d in cur.description]
        keys = key_columns(table)
        for values in cur.fetchall():
            row = dict(zip(names, values, strict=True))
            self.before.setdefault((table, tuple(row[k] for k in keys)), row)

    def added(self, table: str, key: tuple[Any, ...]) -> None:
        """A row is new in this transaction (nothing before it)."""
        if table not in UNAUDITED:
            self.before.setdefault((table, key), None)

    def added_in_bulk(self, table: str, ids: Sequence[int]) -> None:
        """Rows added by an import: only their ids are kept."""
        self.bulk.setdefault(table, []).extend(int(i) for i in ids)

    def removed_in_bulk(self, table: str, ids: Sequence[int]) -> None:
        """Rows an import added, removed by its undo: only their ids are kept (an undo is
        never undone, so its entry only has to say what it did)."""
        self.removed.setdefault(table, []).extend(int(i) for i in ids)

    def changes(self, con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
        """Every touched row's before and after, leaving out those that did not change."""
        out: list[dict[str, Any]] = []
        for (table, key), before in self.before.items():
            after = _fetch(con, table, key)
            if before == after:
                continue
            out.append({"table": table, "key": [_encode(k) for k in key],
                        "before": encode_row(before), "after": encode_row(after)})  # fmt: skip
        for table, ids in self.bulk.items():
            out.append({"table": table, "added": ids})
        for table, ids in self.removed.items():
            out.append({"table": table, "removed": ids})
        return out


def _fetch(con: duckdb.DuckDBPyConnection, table: str, key: Sequence[Any]) -> dict[str, Any] | None:
    where = " AND ".join(f"{c} = ?" for c in key_columns(table))
    cur = con.execute(f"SELECT * FROM {table} WHERE {where}", list(key))
    values = cur.fetchone()
    if values is None:
        return None
    return dict(zip([d[0] for d in cur.description], values, strict=True))


def current() -> Recorder | None:
    """The recorder of the write transaction running in this thread (None outside one)."""
    return _current.get()


@contextmanager
def recording(action: str) -> Iterator[Recorder]:
    """Record the rows the enclosed writes touch (:meth:`BookFile.writing` uses it)."""
    recorder = Recorder(action=action)
    token = _current.set(recorder)
    try:
        yield recorder
    finally:
        _current.reset(token)


def who() -> tuple[str, str]:
    """The user and the host writing (as the operating system names them)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        import os

        user = str(os.getuid())
    return user, socket.gethostname()


def write_entry(con: duckdb.DuckDBPyConnection, recorder: Recorder, at: dt.datetime) -> int | None:
    """Write the transaction's audit row (in it); None when nothing changed."""
    changes = recorder.changes(con)
    if not changes:
        return None
    user, host = who()
    row = con.execute("SELECT coalesce(max(id), 0) + 1 FROM audit_log").fetchone()
    entry_id = int(row[0]) if row else 1
    summary = recorder.summary or summarise(changes)
    con.execute(
        "INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [entry_id, at, recorder.action, summary, user, host,
         json.dumps(changes, ensure_ascii=False, sort_keys=True), recorder.undoes],
    )  # fmt: skip
    return entry_id


def summarise(changes: Sequence[Mapping[str, Any]]) -> str:
    """``payments: 1 added, 1 changed; chase_events: 1 removed``."""
    counts: dict[str, dict[str, int]] = {}
    for c in changes:
        kind = (
            "added"
            if "added" in c or ("removed" not in c and c["before"] is None)
            else "removed"
            if "removed" in c or c["after"] is None
            else "changed"
        )
        n = len(c["added"]) if "added" in c else len(c["removed"]) if "removed" in c else 1
        per = counts.setdefault(c["table"], {})
        per[kind] = per.get(kind, 0) + n
    return "; ".join(
        f"{table.replace('_', ' ')}: " + ", ".join(f"{n} {kind}" for kind, n in per.items())
        for table, per in counts.items()
    )


# ---- undo -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UndoPlan:
    """What undoing one action writes back: the entry and its changes, newest first."""

    entry: dict[str, Any]
    changes: list[dict[str, Any]]

    def describe(self) -> list[str]:
        """One line per row going back, in words, for the user to read before saying yes:
        ``remove the payment #40: 1400.00 received 2026-11-20, bank transfer``."""
        lines = []
        for c in self.changes:
            what = ROW_NAMES.get(c["table"], c["table"].replace("_", " "))
            if "added" in c:
                lines.append(f"remove the {len(c['added'])} {what} rows the import added")
                continue
            before, after = decode_row(c["before"]), decode_row(c["after"])
            key = ", ".join(str(_decode(k)) for k in c["key"])
            name = f"#{key}" if key_columns(c["table"]) == ("id",) else key
            if before is None:
                lines.append(f"remove the {what} {name}: {_short(after)}")
            elif after is None:
                lines.append(f"restore the {what} {name}: {_short(before)}")
            else:
                diff = [f"{_label(k)} {_show(after.get(k))} -> {_show(v)}"
                        for k, v in before.items() if after.get(k) != v]  # fmt: skip
                lines.append(f"change the {what} {name} back: {'; '.join(diff)}")
        return lines


#: how a row of each table is named to the user
ROW_NAMES = {
    "clients": "client", "contacts": "contact", "contracts": "contract",
    "milestones": "milestone", "payments": "payment", "chase_events": "chase step",
    "holds": "hold", "change_orders": "change order", "fee_claims": "claimed fee",
    "expenses": "expense", "settings": "setting", "exchange_rates": "exchange rate",
    "reference_rates": "reference rate", "message_templates": "message template",
    "bank_lines": "bank statement line",
}  # fmt: skip


#: store methods whose name does not say what the user did
ACTION_NAMES = {
    "log_chase": "log a chase step", "log_chase_many": "log a chase step",
    "undo_chase_step": "undo a chase step", "record_bank_matches": "record a bank statement",
    "record_split": "record a split transfer", "write_demo": "write the demo book",
    "accept_change_order": "accept a change order", "put_on_hold": "put on hold",
    "import": "import a CSV folder",
}  # fmt: skip


def action_name(action: str) -> str:
    """An audit entry's action in words: ``record payment``, ``log a chase step``."""
    return ACTION_NAMES.get(action, action.replace("_", " "))


def _label(column: str) -> str:
    return column.replace("_", " ")


def _show(value: Any) -> str:
    if value is None:
        return "(empty)"
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _short(row: Mapping[str, Any] | None) -> str:
    if not row:
        return ""
    # ids and fingerprints mean nothing to a person; the values that tell the row apart do
    hidden = ("id", "fingerprint")
    shown = [f"{_label(k)} {_show(v)}" for k, v in row.items()
             if k not in hidden and not k.endswith("_id") and v not in (None, "")]  # fmt: skip
    return ", ".join(shown[:4])


def entries(con: duckdb.DuckDBPyConnection, limit: int | None = None) -> list[dict[str, Any]]:
    """The log, newest first."""
    sql = "SELECT * FROM audit_log ORDER BY id DESC" + (f" LIMIT {int(limit)}" if limit else "")
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def undone_by(con: duckdb.DuckDBPyConnection) -> dict[int, int]:
    """Action id -> the id of the undo that undid it (never the changes: they can be large)."""
    rows = con.execute("SELECT undoes, id FROM audit_log WHERE undoes IS NOT NULL").fetchall()
    return {int(a): int(b) for a, b in rows}


def plan_undo(con: duckdb.DuckDBPyConnection) -> UndoPlan:
    """The newest action not undone and not an undo, checked to be still in place."""
    undone = set(undone_by(con))
    cur = con.execute("SELECT * FROM audit_log WHERE action <> 'undo' ORDER BY id DESC")
    names = [d[0] for d in cur.description]
    for values in cur.fetchall():
        entry = dict(zip(names, values, strict=True))
        if entry["id"] in undone:
            continue
        changes = list(reversed(json.loads(entry["changes"])))
        for c in changes:
            _check_in_place(con, entry, c)
        return UndoPlan(entry, changes)
    raise RefusedError("there is nothing to undo: every action in the log is undone already")


def _check_in_place(con: duckdb.DuckDBPyConnection, entry: Mapping[str, Any],
                    change: Mapping[str, Any]) -> None:  # fmt: skip
    """Refuse when a row the action changed was changed again since."""
    table = change["table"]
    if "added" in change:
        return  # checked by the database when removing (rows referred to since are refused)
    key = [_decode(k) for k in change["key"]]
    now = _fetch(con, table, key)
    if now == decode_row(change["before"]):
        return  # already back (an undo in parts that stopped half way): nothing to do
    if now != decode_row(change["after"]):
        raise RefusedError(
            f"cannot undo '{action_name(entry['action'])}' of {entry['logged_at']:%Y-%m-%d %H:%M}: "
            f"{table.replace('_', ' ')} {', '.join(str(k) for k in key)} was changed again "
            "since; undo that change first"
        )


#: how deep each table hangs under clients (the foreign keys); tables not listed have none
DEPTH = {
    "clients": 0,
    "contacts": 1,
    "contracts": 1,
    "milestones": 2,
    "change_orders": 2,
    "payments": 3,
    "chase_events": 3,
    "holds": 3,
    "fee_claims": 3,
    "bank_lines": 3,
}  # fmt: skip (bank_lines: no key, but goes with its payments)


def _removes(change: Mapping[str, Any]) -> bool:
    return "added" in change or change.get("before") is None


def phases(plan: UndoPlan) -> list[list[dict[str, Any]]]:
    """The plan's changes in the transactions that can write them, in order.

    DuckDB refuses to delete a row and the rows that referred to it in one transaction (its
    foreign-key check does not see the first deletion), so removing rows of several levels
    (a contract and its milestones, an import) takes one transaction per level, the deepest
    first; everything else goes in the first. Each transaction leaves a consistent book.
    """
    levels = sorted({DEPTH.get(c["table"], 0) for c in plan.changes if _removes(c)}, reverse=True)
    if len(levels) <= 1:
        return [list(plan.changes)]
    first = [c for c in plan.changes
             if not _removes(c) or DEPTH.get(c["table"], 0) == levels[0]]  # fmt: skip
    out = [first]
    for level in levels[1:]:
        out.append([c for c in plan.changes if _removes(c) and DEPTH.get(c["table"], 0) == level])
    return out


def apply_undo(con: duckdb.DuckDBPyConnection, plan: UndoPlan) -> None:
    """Write the rows of ``plan`` back (inside the undo's own audited transaction)."""
    recorder = current()
    for c in plan.changes:
        table = c["table"]
        keys = key_columns(table)
        if "added" in c:
            ids = list(c["added"])
            for start in range(0, len(ids), 1000):
                chunk = ids[start : start + 1000]
                marks = ", ".join("?" for _ in chunk)
                con.execute(f"DELETE FROM {table} WHERE id IN ({marks})", chunk)
            if recorder is not None:
                recorder.removed_in_bulk(table, ids)
            continue
        key = [_decode(k) for k in c["key"]]
        where = " AND ".join(f"{k} = ?" for k in keys)
        before = decode_row(c["before"])
        if recorder is not None:
            recorder.touch(con, table, where, key)
        if before is None:
            con.execute(f"DELETE FROM {table} WHERE {where}", key)
        elif decode_row(c["after"]) is None:
            if recorder is not None:
                recorder.added(table, tuple(key))
            cols = list(before)
            con.execute(
                f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
                [before[k] for k in cols],
            )
        else:
            # only the columns that differ: DuckDB refuses to update an indexed column of a
            # row another table refers to, and the others never need it
            after = decode_row(c["after"]) or {}
            cols = [k for k in before if k not in keys and before[k] != after.get(k)]
            if not cols:
                continue
            con.execute(
                f"UPDATE {table} SET {', '.join(f'{k} = ?' for k in cols)} WHERE {where}",
                [*(before[k] for k in cols), *key],
            )
