"""The CSV exchange format (SPEC section 6): import a folder of CSV files, export a book.

A folder holds one UTF-8 CSV file per kind of record, each with a header row. Every file is
optional. Columns are matched by name (case-insensitive) in any order; a column that is not
a natural key or a required field may be left out and takes its default; an unknown column
is an error. Dates are ISO ``YYYY-MM-DD`` only (``today`` and ``+14d``, which forms accept,
are refused here: a file must mean the same thing on any day). Amounts are plain decimals
with a dot (``1250.00``); ``1,250.00`` is accepted only when quoted, since an unquoted comma
splits the field (the row then has too many values, which is reported).

Files, their natural keys, and what importing a row does:

============================  ======================  =========================================
file                          natural key             when the key already exists
============================  ======================  =========================================
clients.csv                   name                    error, or with ``--update`` an UPDATE
contacts.csv                  client + name           error, or with ``--update`` an UPDATE
contracts.csv                 client + title          error, or with ``--update`` an UPDATE
milestones.csv                client + contract + seq error, or with ``--update`` an UPDATE
fee_claims.csv                client + contract + seq error, or with ``--update`` an UPDATE
payments.csv, chase.csv,      none                    always appended; with ``--update`` a row
holds.csv, change_orders.csv,                         identical to one already in the book
expenses.csv                                          (same parent, every field equal) is
                                                      skipped instead of duplicated
settings.csv, reference_      key; preset+valid_from; configuration: always set (the file
rates.csv, templates.csv      step                    wins), with or without ``--update``
============================  ======================  =========================================

Names and titles match case-insensitively, as the store's own checks do. A natural key that
appears twice in the folder is always an error. Identical keyless rows are matched as a
multiset: two identical payments in the file and one in the book import one more. With
``--update`` a column left out of the file keeps the value the book has (only the columns
present are changed); an empty cell means "empty" (or the default), not "keep". Updates are
UPDATEs by id, never delete and insert: DuckDB refuses to touch indexed columns of rows that
foreign keys refer to, so ids and parents never change.

Configuration files are written whole: a new book is seeded with the shipped reference
rates and message templates, and a round trip must restore edited ones without
``--update``. ``settings.csv`` holds ``key,value`` rows for the keys of
:class:`tui.domain.model.Settings` plus ``fx.XXX`` rows, the value of one unit of XXX in the
home currency (the ``exchange_rates`` table).

Import reads every file, checks every row (fields through the domain parsers, references
to rows in the folder or the book, duplicate keys, overpayment across the folder and the
book) and raises :class:`ImportErrors` listing every error as ``file:line: field: message``
(line 1 is the header; a row's line is the physical line where it starts). Only when there
is no error is everything written, in one transaction. The book is read before the write
transaction; if another process wrote in between (the change counter moved), the checks run
again, the last time inside the write transaction.

Export writes every file of the format, with its header even when it has no rows, so a
folder is self-describing; rows are sorted by client name, contract title, seq, date, then
id; amounts with two places, dates ISO, booleans ``yes``/``no``, lines ending in ``\\n``.
"""

from __future__ import annotations

import csv
import io
import os
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from tui.domain.dates import parse_iso_date
from tui.domain.errors import MilepayError, ValidationError
from tui.domain.model import (
    ChangeOrder,
    ChaseEvent,
    Client,
    Contact,
    Contract,
    Expense,
    Hold,
    Milestone,
    Payment,
    Record,
    Settings,
    parse_fx_rate,
    parse_rate_percent,
)
from tui.domain.money import format_amount, parse_amount
from tui.domain.values import (
    ChaseStep,
    StatutoryPreset,
    parse_currency,
    parse_enum,
    parse_int,
    parse_text,
)
from tui.store.rows import fetch_dicts
from tui.store.store import Book

Progress = Callable[[int, int], None]
Key = tuple[Any, ...]

_REFS3 = ("client", "contract", "seq")


class ImportErrors(MilepayError):
    """An import refused because of bad rows; the message lists every error, one per line."""

    exit_code = 1

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class _Spec:
    """One file of the format."""

    file: str
    table: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    refs: tuple[str, ...] = ()
    key: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    record: type[Record] | None = None
    label: tuple[str, str] = ("row", "rows")
    #: the date column used to sort exports (after the parents)
    sort_date: str = ""

    @property
    def fields(self) -> tuple[str, ...]:
        """The record's own columns (the DuckDB columns besides id and the parent id)."""
        return tuple(c for c in self.columns if c not in self.refs)

    @property
    def parent_column(self) -> str:
        """The foreign key column of the parent (``client_id``, ``contract_id``, ``milestone_id``)."""
        return {1: "client_id", 2: "contract_id", 3: "milestone_id"}.get(len(self.refs), "")


CLIENTS = _Spec(
    "clients.csv", "clients", Client.FIELDS, ("name",), key=("name",), record=Client,
    label=("client", "clients"),
)  # fmt: skip
CONTACTS = _Spec(
    "contacts.csv", "contacts", ("client", *Contact.FIELDS), ("client", "name", "role"),
    refs=("client",), key=("client", "name"), record=Contact, label=("contact", "contacts"),
)  # fmt: skip
CONTRACTS = _Spec(
    "contracts.csv", "contracts", ("client", *Contract.FIELDS),
    ("client", "title", "currency", "total_fee"), refs=("client",), key=("client", "title"),
    dates=("start_date", "end_date", "signed_on"), record=Contract, label=("contract", "contracts"),
)  # fmt: skip
MILESTONES = _Spec(
    "milestones.csv", "milestones", ("client", "contract", *Milestone.FIELDS),
    ("client", "contract", "seq", "title", "amount", "due_date"), refs=("client", "contract"),
    key=("client", "contract", "seq"), dates=("due_date", "invoiced_on", "delivered_on"),
    record=Milestone, label=("milestone", "milestones"),
)  # fmt: skip
PAYMENTS = _Spec(
    "payments.csv", "payments", (*_REFS3, *Payment.FIELDS), (*_REFS3, "amount", "received_on"),
    refs=_REFS3, dates=("received_on",), record=Payment, label=("payment", "payments"),
    sort_date="received_on",
)  # fmt: skip
CHASE = _Spec(
    "chase.csv", "chase_events", (*_REFS3, *ChaseEvent.FIELDS), (*_REFS3, "date", "step"),
    refs=_REFS3, dates=("date",), record=ChaseEvent, label=("chase event", "chase events"),
    sort_date="date",
)  # fmt: skip
HOLDS = _Spec(
    "holds.csv", "holds", (*_REFS3, *Hold.FIELDS), (*_REFS3, "reason", "until"), refs=_REFS3,
    dates=("until", "released_on"), record=Hold, label=("hold", "holds"), sort_date="until",
)  # fmt: skip
CHANGE_ORDERS = _Spec(
    "change_orders.csv", "change_orders", ("client", "contract", *ChangeOrder.FIELDS),
    ("client", "contract", "date", "description", "amount_delta"), refs=("client", "contract"),
    dates=("date",), record=ChangeOrder, label=("change order", "change orders"), sort_date="date",
)  # fmt: skip
FEE_CLAIMS = _Spec(
    "fee_claims.csv", "fee_claims", (*_REFS3, "claimed_on", "amount"),
    (*_REFS3, "claimed_on", "amount"), refs=_REFS3, key=_REFS3, dates=("claimed_on",),
    label=("fee claim", "fee claims"),
)  # fmt: skip
EXPENSES = _Spec(
    "expenses.csv", "expenses", Expense.FIELDS, ("name", "amount", "currency", "cadence", "next_date"),
    dates=("next_date", "end_date"), record=Expense, label=("expense", "expenses"),
)  # fmt: skip
SETTINGS = _Spec(
    "settings.csv", "settings", ("key", "value"), ("key", "value"), key=("key",),
    label=("setting", "settings"),
)  # fmt: skip
REFERENCE_RATES = _Spec(
    "reference_rates.csv", "reference_rates", ("preset", "valid_from", "rate"),
    ("preset", "valid_from", "rate"), key=("preset", "valid_from"), dates=("valid_from",),
    label=("reference rate", "reference rates"),
)  # fmt: skip
TEMPLATES = _Spec(
    "templates.csv", "message_templates", ("step", "subject", "body"), ("step", "subject", "body"),
    key=("step",), label=("message template", "message templates"),
)  # fmt: skip

#: Every file, in the order they are checked, written and exported (parents first).
SPECS: tuple[_Spec, ...] = (
    CLIENTS, CONTACTS, CONTRACTS, MILESTONES, PAYMENTS, CHASE, HOLDS, CHANGE_ORDERS,
    FEE_CLAIMS, EXPENSES, SETTINGS, REFERENCE_RATES, TEMPLATES,
)  # fmt: skip
_BY_FILE = {s.file: s for s in SPECS}
_FX_LABEL = ("exchange rate", "exchange rates")


# ---- summary -----------------------------------------------------------------------------


@dataclass
class ImportSummary:
    """What an import did, per file: rows inserted, updated, and skipped as already present."""

    #: label (plural) -> [inserted, updated, skipped], in the order of the format's files
    counts: dict[str, list[int]] = field(default_factory=dict)

    def add(self, label: str, *, inserted: int = 0, updated: int = 0, skipped: int = 0) -> None:
        """Count rows of one kind."""
        c = self.counts.setdefault(label, [0, 0, 0])
        c[0] += inserted
        c[1] += updated
        c[2] += skipped

    @property
    def inserted(self) -> int:
        """Rows added to the book."""
        return sum(c[0] for c in self.counts.values())

    @property
    def updated(self) -> int:
        """Existing rows changed (``--update``, or configuration rows set to a new value)."""
        return sum(c[1] for c in self.counts.values())

    @property
    def skipped(self) -> int:
        """Rows identical to what the book already held."""
        return sum(c[2] for c in self.counts.values())

    def __str__(self) -> str:
        parts = []
        for plural, (ins, upd, _skip) in self.counts.items():
            n = ins + upd
            if n:
                parts.append(f"{n} {plural if n != 1 else _singular(plural)}")
        text = "Imported " + ", ".join(parts) if parts else "Imported nothing new"
        extra = []
        if self.updated:
            extra.append(f"{self.updated} updated")
        if self.skipped:
            extra.append(f"{self.skipped} already in the book, skipped")
        return text + (f" ({'; '.join(extra)})" if extra else "")


def _singular(plural: str) -> str:
    for spec in SPECS:
        if spec.label[1] == plural:
            return spec.label[0]
    return _FX_LABEL[0] if plural == _FX_LABEL[1] else plural


# ---- reading files -----------------------------------------------------------------------


@dataclass
class _File:
    """A file as read: its header and its rows (physical start line, column -> text)."""

    spec: _Spec
    columns: tuple[str, ...]
    rows: list[tuple[int, dict[str, str]]]
    usable: bool = True


@dataclass(order=True)
class _Error:
    file_index: int
    line: int
    column_index: int
    order: int
    text: str = field(compare=False)


class _Errors:
    """Errors of a whole import, reported sorted by file, line and column."""

    def __init__(self) -> None:
        self.items: list[_Error] = []

    def add(self, spec: _Spec | None, file: str, line: int, fld: str, message: str) -> None:
        fi = SPECS.index(spec) if spec else -1
        ci = spec.columns.index(fld) if spec and fld in spec.columns else -1
        self.items.append(_Error(fi, line, ci, len(self.items), f"{file}:{line}: {fld}: {message}"))

    def __bool__(self) -> bool:
        return bool(self.items)

    def lines(self) -> list[str]:
        return [e.text for e in sorted(self.items)]


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
            values = {c: (cells[i] if i < len(cells) else "") for i, c in enumerate(columns) if c}
            rows.append((line, values))
    except csv.Error as exc:
        errors.add(spec, spec.file, reader.line_num, "file", f"is not valid CSV ({exc})")
        return _File(spec, (), [], usable=False)
    return _File(spec, columns, rows, usable)


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


# ---- the book as it is before the import ----------------------------------------------------


def _norm(text: str) -> str:
    """A name as matched: trimmed and case-folded like SQL ``lower()``."""
    return text.strip().lower()


def _plain(v: Any) -> Any:
    return v.value if isinstance(v, Enum) else v


@dataclass
class _Snapshot:
    """What the import needs to know about the book, keyed by natural keys."""

    counter: int
    #: table -> natural key -> row (as a dict with its id)
    rows: dict[str, dict[Key, dict[str, Any]]]
    #: milestone key -> sum of its payments in the book
    paid: dict[Key, Decimal]
    #: table -> Counter of identity tuples of keyless rows (only read with --update)
    identities: dict[str, Counter[Key]]
    settings: dict[str, str]
    fx: dict[str, Decimal]
    reference_rates: dict[Key, Decimal]
    templates: dict[Key, tuple[str, str]]
    max_ids: dict[str, int]


def _snapshot(con: duckdb.DuckDBPyConnection, update: bool) -> _Snapshot:
    counter = int(
        con.execute("SELECT value FROM book_meta WHERE key = 'change_counter'").fetchone()[0]
    )
    clients = fetch_dicts(con, "SELECT * FROM clients ORDER BY id")
    client_key = {r["id"]: (_norm(r["name"]),) for r in clients}
    contracts = fetch_dicts(con, "SELECT * FROM contracts ORDER BY id")
    contract_key = {r["id"]: (*client_key[r["client_id"]], _norm(r["title"])) for r in contracts}
    milestones = fetch_dicts(con, "SELECT * FROM milestones ORDER BY id")
    milestone_key = {r["id"]: (*contract_key[r["contract_id"]], r["seq"]) for r in milestones}
    contacts = fetch_dicts(con, "SELECT * FROM contacts ORDER BY id")
    claims = fetch_dicts(con, "SELECT * FROM fee_claims ORDER BY id")
    rows: dict[str, dict[Key, dict[str, Any]]] = {
        "clients": {client_key[r["id"]]: r for r in clients},
        "contracts": {contract_key[r["id"]]: r for r in contracts},
        "milestones": {milestone_key[r["id"]]: r for r in milestones},
        "contacts": {},
        "fee_claims": {milestone_key[r["milestone_id"]]: r for r in claims},
    }
    for r in contacts:  # the book may hold two contacts of one name: the first is updated
        rows["contacts"].setdefault((*client_key[r["client_id"]], _norm(r["name"])), r)
    paid = {
        milestone_key[mid]: Decimal(total)
        for mid, total in con.execute(
            "SELECT milestone_id, sum(amount) FROM payments GROUP BY milestone_id"
        ).fetchall()
    }
    identities: dict[str, Counter[Key]] = {}
    if update:
        parents = {1: client_key, 2: contract_key, 3: milestone_key}
        for spec in (PAYMENTS, CHASE, HOLDS, CHANGE_ORDERS, EXPENSES):
            counter_ = identities.setdefault(spec.table, Counter())
            for r in fetch_dicts(con, f"SELECT * FROM {spec.table}"):
                parent = parents[len(spec.refs)][r[spec.parent_column]] if spec.refs else ()
                counter_[(parent, tuple(r[c] for c in spec.fields))] += 1
    max_ids = {
        t: int(con.execute(f"SELECT coalesce(max(id), 0) FROM {t}").fetchone()[0])
        for t in ("clients", "contacts", "contracts", "milestones", "payments", "chase_events",
                  "holds", "change_orders", "fee_claims", "expenses")
    }  # fmt: skip
    return _Snapshot(
        counter=counter,
        rows=rows,
        paid=paid,
        identities=identities,
        settings=dict(con.execute("SELECT key, value FROM settings").fetchall()),
        fx=dict(con.execute("SELECT currency, rate FROM exchange_rates").fetchall()),
        reference_rates={
            (p, d): r for p, d, r in con.execute("SELECT * FROM reference_rates").fetchall()
        },
        templates={
            (s,): (a, b) for s, a, b in con.execute("SELECT * FROM message_templates").fetchall()
        },
        max_ids=max_ids,
    )


# ---- checking rows -----------------------------------------------------------------------


@dataclass
class _Row:
    """One checked row of a file."""

    spec: _Spec
    line: int
    ok: bool = True
    parent: Key | None = None
    key: Key | None = None
    record: Any = None
    action: str = "insert"  # insert | update | skip
    db_row: dict[str, Any] | None = None
    #: the natural key's parts as written in this row (for messages)
    shown: tuple[str, ...] = ()

    @property
    def db_id(self) -> int | None:
        """The id of the book's row this row updates."""
        return self.db_row["id"] if self.db_row else None


class _Ticker:
    """Calls ``progress`` at most about a hundred times over ``total`` steps, never backwards."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress = progress
        self.total = total
        self.done = 0
        self.step = max(1, total // 100)
        self.last = 0

    def restart(self) -> None:
        """Count again from zero (after a retry); nothing is reported until past the last call."""
        self.done = 0

    def advance(self, n: int = 1) -> None:
        self.done = min(self.done + n, self.total)
        if self.progress and self.done > self.last and self.done - self.last >= self.step:
            self.progress(self.done, self.total)
            self.last = self.done

    def finish(self) -> None:
        if self.progress and self.total and self.last < self.total:
            self.progress(self.total, self.total)
            self.last = self.total


class _Checker:
    """Checks every row of the folder against each other and the book; plans the writes."""

    def __init__(self, snap: _Snapshot, update: bool, errors: _Errors, ticker: _Ticker) -> None:
        self.snap = snap
        self.update = update
        self.errors = errors
        self.ticker = ticker
        #: table -> natural key -> first row of the folder with that key
        self.seen: dict[str, dict[Key, _Row]] = {s.table: {} for s in SPECS}
        self.rows: dict[str, list[_Row]] = {s.table: [] for s in SPECS}
        self.paid: dict[Key, Decimal] = {}
        self.identities = {t: Counter(c) for t, c in snap.identities.items()}
        #: key -> its parts as written in the file, for messages
        self.names: dict[Key, tuple[str, ...]] = {}
        #: tables whose file could not be read: references into them are not judged
        self.broken: set[str] = set()

    def check(self, files: Iterable[_File]) -> None:
        """Check every row of every file, in the order of the format (parents first)."""
        files = list(files)
        self.broken = {f.spec.table for f in files if not f.usable}
        for f in files:
            if not f.usable:
                self.ticker.advance(len(f.rows))
                continue
            for line, values in f.rows:
                if f.spec is SETTINGS:
                    row = self._setting(line, values)
                elif f.spec is REFERENCE_RATES:
                    row = self._reference_rate(line, values)
                elif f.spec is TEMPLATES:
                    row = self._template(line, values)
                else:
                    row = self._record(f.spec, line, values)
                self.rows[f.spec.table].append(row)
                self.ticker.advance()
        if self.rows["settings"]:
            self._check_settings_together()

    def _err(self, row: _Row, fld: str, message: str) -> None:
        row.ok = False
        self.errors.add(row.spec, row.spec.file, row.line, fld, message)

    # -- records with parents and natural keys --

    def _record(self, spec: _Spec, line: int, values: dict[str, str]) -> _Row:
        row = _Row(spec, line)
        bad: set[str] = set()
        row.parent = self._parent(row, values, bad)
        for c in spec.dates:
            text = values.get(c, "").strip()
            if text:
                try:
                    parse_iso_date(text, c)
                except ValidationError as exc:
                    self._err(row, c, exc.reason)
                    bad.add(c)
        base: dict[str, str] = {}
        row.key = self._natural_key(spec, row, values)
        if row.key is not None:
            base = self._claim_key(row)
        merged = {**base, **{c: v for c, v in values.items() if c in spec.columns}}
        for c in bad:
            merged[c] = ""
        if spec is FEE_CLAIMS:
            row.record = self._fee_claim(row, merged, bad)
        else:
            assert spec.record is not None
            try:
                row.record = spec.record.parse(merged)
            except ValidationError:
                for exc in spec.record.collect_errors(merged):
                    if exc.field not in bad:
                        self._err(row, exc.field, exc.reason)
                row.record = None
        if row.ok and row.parent is not None:
            self._after(row)
        return row

    def _parent(self, row: _Row, values: Mapping[str, str], bad: set[str]) -> Key | None:
        """Parse and resolve the parent reference columns; None when they are wrong."""
        spec = row.spec
        if not spec.refs:
            return ()
        parts: list[Any] = []
        shown: list[str] = []
        for c in spec.refs:
            try:
                if c == "seq":
                    n = parse_int(values.get(c, ""), "seq", minimum=1, maximum=9999)
                    parts.append(n)
                    shown.append(str(n))
                else:
                    text = parse_text(values.get(c, ""), c, required=True, max_length=200)
                    parts.append(_norm(text))
                    shown.append(text)
            except ValidationError as exc:
                self._err(row, c, exc.reason)
                bad.add(c)
                return None
        missing = self._missing_parent(tuple(parts), shown)
        if missing is not None:
            if missing[0]:  # else the parent's file could not be read: already reported
                self._err(row, *missing)
            return None
        for n in range(1, len(parts) + 1):
            self.names.setdefault(tuple(parts[:n]), tuple(shown[:n]))
        row.shown = tuple(shown)
        return tuple(parts)

    def _missing_parent(self, parts: Key, shown: list[str]) -> tuple[str, str] | None:
        """The first level of ``parts`` found neither in the folder nor the book, as (field,
        message); ``("", "")`` when that level's file is unreadable; None when all exist."""
        levels = (
            ("clients", "client", f"no client named '{shown[0]}' in clients.csv or the book"),
            ("contracts", "contract",
             f"client '{shown[0]}' has no contract titled '{shown[1] if len(shown) > 1 else ''}' "
             "in contracts.csv or the book"),
            ("milestones", "seq",
             f"contract '{shown[1] if len(shown) > 1 else ''}' of '{shown[0]}' has no milestone "
             f"{shown[2] if len(shown) > 2 else ''} in milestones.csv or the book"),
        )  # fmt: skip
        for depth, (table, fld, message) in enumerate(levels[: len(parts)], start=1):
            key = parts[:depth]
            if key not in self.seen[table] and key not in self.snap.rows[table]:
                return ("", "") if table in self.broken else (fld, message)
        return None

    def _natural_key(self, spec: _Spec, row: _Row, values: Mapping[str, str]) -> Key | None:
        """The row's natural key, or None (keyless file, or a key field that is wrong)."""
        if not spec.key or row.parent is None:
            return None
        if spec is FEE_CLAIMS:
            return row.parent
        own = spec.key[-1]
        try:
            if own == "seq":
                value: Any = parse_int(values.get(own, ""), own, minimum=1, maximum=9999)
                shown = str(value)
            else:
                shown = parse_text(values.get(own, ""), own, required=True, max_length=200)
                value = _norm(shown)
        except ValidationError:
            return None  # the record's own parser reports it
        key = (*row.parent, value)
        row.shown = (*row.shown, shown)
        self.names.setdefault(key, row.shown)
        return key

    def _claim_key(self, row: _Row) -> dict[str, str]:
        """Register the row's key; report duplicates; return the book's values to update."""
        spec, key = row.spec, row.key
        assert key is not None
        fld = "seq" if spec is FEE_CLAIMS else spec.key[-1]
        first = self.seen[spec.table].get(key)
        if first is not None:
            self._err(
                row,
                fld,
                f"{self._what(spec, key, row.shown)} appears twice in {spec.file} (also line {first.line})",
            )
            return {}
        self.seen[spec.table][key] = row
        existing = self.snap.rows[spec.table].get(key)
        if existing is None:
            return {}
        if not self.update:
            self._err(
                row,
                fld,
                f"{self._what(spec, key, row.shown)} already exists in the book (use --update to update it)",
            )
            return {}
        row.action = "update"
        row.db_row = existing
        return {c: _cell(existing[c]) for c in spec.fields}

    def _shown(self, key: Key) -> tuple[str, ...]:
        return self.names.get(key, tuple(str(k) for k in key))

    def _what(self, spec: _Spec, key: Key, shown: tuple[str, ...]) -> str:
        shown = shown or self._shown(key)
        if spec is CLIENTS:
            return f"client '{shown[0]}'"
        if spec is CONTACTS:
            return f"contact '{shown[1]}' of client '{shown[0]}'"
        if spec is CONTRACTS:
            return f"contract '{shown[1]}' of client '{shown[0]}'"
        if spec is MILESTONES:
            return f"milestone {key[2]} of {self._contract_name(key[:2], shown)}"
        return f"a fee claim for milestone {key[2]} of {self._contract_name(key[:2], shown)}"

    def _contract_name(self, key: Key, shown: tuple[str, ...] = ()) -> str:
        shown = shown[:2] if len(shown) >= 2 else self._shown(key)
        return f"contract '{shown[1]}' of '{shown[0]}'"

    def _fee_claim(
        self, row: _Row, values: Mapping[str, str], bad: set[str]
    ) -> dict[str, Any] | None:
        out: dict[str, Any] = {}
        for name, parse in (
            ("claimed_on", lambda t: parse_iso_date(t, "claimed_on")),
            ("amount", lambda t: parse_amount(t, "amount", allow_zero=False)),
        ):
            if name in bad:
                continue
            try:
                out[name] = parse(values.get(name, ""))
            except ValidationError as exc:
                self._err(row, exc.field, exc.reason)
        return out if row.ok else None

    def _after(self, row: _Row) -> None:
        """Checks that need the parsed record: keyless duplicates, amounts against payments."""
        spec = row.spec
        if spec.table in self.identities and row.action == "insert":
            ident = (row.parent, tuple(_plain(getattr(row.record, c)) for c in spec.fields))
            bag = self.identities[spec.table]
            if bag[ident] > 0:
                bag[ident] -= 1
                row.action = "skip"
                return
        if row.action == "update" and row.db_row is not None:
            if spec is FEE_CLAIMS:
                same = all(row.record[c] == row.db_row[c] for c in spec.fields)
            else:
                same = all(_plain(getattr(row.record, c)) == row.db_row[c] for c in spec.fields)
            if same:
                row.action = "skip"
                return
        if spec is MILESTONES and row.action == "update":
            paid = self.snap.paid.get(row.key, Decimal(0))  # type: ignore[arg-type]
            if row.record.amount < paid:
                self._err(
                    row, "amount",
                    f"{format_amount(row.record.amount)} is less than the {format_amount(paid)} "
                    "already paid on this milestone in the book",
                )  # fmt: skip
        if spec is PAYMENTS:
            self._check_overpayment(row)

    def _check_overpayment(self, row: _Row) -> None:
        key = row.parent
        assert key is not None
        folder_milestone = self.seen["milestones"].get(key)
        if folder_milestone is not None:
            if not folder_milestone.ok or folder_milestone.record is None:
                return  # its own error is reported; nothing to compare against
            amount = folder_milestone.record.amount
        else:
            amount = self.snap.rows["milestones"][key]["amount"]
        paid = self.paid.get(key, self.snap.paid.get(key, Decimal(0)))
        new = row.record.amount
        if paid + new > amount:
            self._err(
                row, "amount",
                f"{format_amount(new)} would overpay milestone {key[2]} of "
                f"{self._contract_name(key[:2], row.shown)} (amount {format_amount(amount)}, already paid "
                f"{format_amount(paid)}, open {format_amount(amount - paid)})",
            )  # fmt: skip
            return
        self.paid[key] = paid + new

    # -- configuration files --

    def _dup(self, row: _Row, key: Key, fld: str, shown: str) -> bool:
        first = self.seen[row.spec.table].get(key)
        if first is not None:
            self._err(
                row, fld, f"{shown} appears twice in {row.spec.file} (also line {first.line})"
            )
            return True
        self.seen[row.spec.table][key] = row
        return False

    def _setting(self, line: int, values: Mapping[str, str]) -> _Row:
        row = _Row(SETTINGS, line)
        raw_key = values.get("key", "").strip()
        value = values.get("value", "")
        if raw_key == "":
            self._err(row, "key", "is required")
            return row
        lowered = raw_key.lower()
        try:
            if lowered.startswith("fx."):
                currency = parse_currency(raw_key[3:], "key")
                row.key = ("fx", currency)
                row.record = parse_fx_rate(value, f"fx.{currency}")
            elif lowered in Settings.KEYS:
                row.key = (lowered,)
                if lowered == "opening_balance_date" and value.strip():
                    parse_iso_date(value, lowered)
                Settings.parse_value(lowered, value)
                row.record = value
            else:
                self._err(
                    row,
                    "key",
                    f"'{raw_key}' is not a setting milepay knows ({', '.join(Settings.KEYS)}, fx.XXX)",
                )
                return row
        except ValidationError as exc:
            self._err(row, exc.field, exc.reason)
        if row.key is not None and self._dup(row, row.key, "key", f"'{raw_key}'"):
            row.key = None
        return row

    def _check_settings_together(self) -> None:
        """Cross-key rules (ladder thresholds) on the book's settings with the file's; normalise."""
        plain = [r for r in self.rows["settings"] if r.key is not None and r.key[0] != "fx"]
        if not plain or not all(r.ok for r in plain):
            return
        merged = {**self.snap.settings, **{r.key[0]: r.record for r in plain}}  # type: ignore[index]
        try:
            settings = Settings.from_text(merged)
        except ValidationError as exc:
            target = next((r for r in plain if r.key == (exc.field,)), plain[0])
            self._err(target, exc.field, exc.reason)
            return
        text = settings.to_text()
        for r in plain:
            r.record = text[r.key[0]]  # type: ignore[index]

    def _reference_rate(self, line: int, values: Mapping[str, str]) -> _Row:
        row = _Row(REFERENCE_RATES, line)
        parsed: dict[str, Any] = {}
        for name, parse in (
            ("preset", lambda t: parse_enum(StatutoryPreset, t, "preset").value),
            ("valid_from", lambda t: parse_iso_date(t, "valid_from")),
            ("rate", lambda t: parse_rate_percent(t, "rate")),
        ):
            try:
                parsed[name] = parse(values.get(name, ""))
            except ValidationError as exc:
                self._err(row, exc.field, exc.reason)
        if row.ok:
            key = (parsed["preset"], parsed["valid_from"])
            if not self._dup(row, key, "valid_from", f"{key[0]} rate from {key[1]}"):
                row.key, row.record = key, parsed["rate"]
        return row

    def _template(self, line: int, values: Mapping[str, str]) -> _Row:
        row = _Row(TEMPLATES, line)
        parsed: dict[str, Any] = {}
        for name, parse in (
            ("step", lambda t: parse_enum(ChaseStep, t, "step").value),
            ("subject", lambda t: _verbatim(t, "subject", 500)),
            ("body", lambda t: _verbatim(t, "body", 20000)),
        ):
            try:
                parsed[name] = parse(values.get(name, ""))
            except ValidationError as exc:
                self._err(row, exc.field, exc.reason)
        if row.ok and not self._dup(row, (parsed["step"],), "step", f"step '{parsed['step']}'"):
            row.key, row.record = (parsed["step"],), (parsed["subject"], parsed["body"])
        return row


def _verbatim(text: str, fld: str, max_length: int) -> str:
    """Template text kept exactly as written (whitespace matters), checked like any text."""
    parse_text(text, fld, required=True, max_length=max_length)
    if any(ord(c) < 32 and c not in "\n\t" for c in text):
        raise ValidationError(fld, "contains control characters")
    return text


# ---- writing -----------------------------------------------------------------------------


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

    def update(self, table: str, rows: list[dict[str, Any]]) -> None:
        """UPDATE many rows by id (never delete and insert: see the module docstring)."""
        if not rows:
            return
        view = f"_update_{table}"
        self.con.register(view, _ArrowStream(self.frame(table, rows)))
        sets = ", ".join(f'"{c}" = u."{c}"' for c in rows[0] if c != "id")
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
        marks = ", ".join("?" for _ in params)
        con.execute(f"INSERT OR REPLACE INTO {table} VALUES ({marks})", params)
        summary.add(label, inserted=1 if old is None else 0, updated=0 if old is None else 1)


# ---- import ------------------------------------------------------------------------------


class _BookChanged(Exception):
    """Another process wrote between the checks and the write: check again."""


def import_folder(
    book: Book, folder: Path, *, update: bool = False, progress: Progress | None = None
) -> ImportSummary:
    """Check every file of ``folder`` and, when nothing is wrong, write it all in one transaction.

    Raises :class:`ImportErrors` listing every error (``file:line: field: message``) and writes
    nothing when any row is wrong. ``progress(done, total)`` is called while checking and
    writing (each row counts once when checked and once when written).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise MilepayError(f"{folder}: no such folder")
    errors = _Errors()
    files = _read_folder(folder, errors)
    if not files and not errors:
        raise ImportErrors(
            [f"{folder}: no files of the exchange format ({', '.join(s.file for s in SPECS)})"]
        )
    ticker = _Ticker(progress, 2 * sum(len(f.rows) for f in files))
    for attempt in range(_ATTEMPTS):
        last = attempt == _ATTEMPTS - 1
        try:
            checker = None
            if not last:  # hold the book only to read it, not while checking
                with book.reading() as con:
                    snap = _snapshot(con, update)
                checker = _check(snap, files, update, errors, ticker)
            with book.writing() as con:
                if checker is None:  # the last try checks while holding the book
                    checker = _check(_snapshot(con, update), files, update, errors, ticker)
                elif _counter(con) != checker.snap.counter:
                    raise _BookChanged
                try:
                    summary = _write(con, checker, ticker)
                except duckdb.Error as exc:
                    first = str(exc).strip().splitlines()[0]
                    raise MilepayError(f"import failed, nothing was written: {first}") from None
        except _BookChanged:
            continue
        ticker.finish()
        return summary
    raise AssertionError("unreachable")  # pragma: no cover


#: checks made outside the write transaction before the last try holds the book throughout
_ATTEMPTS = 3


def _check(
    snap: _Snapshot, files: list[_File], update: bool, errors: _Errors, ticker: _Ticker
) -> _Checker:
    """Check the folder against the book as ``snap`` saw it; raise ImportErrors when wrong."""
    ticker.restart()
    run_errors = _Errors()
    run_errors.items = list(errors.items)
    checker = _Checker(snap, update, run_errors, ticker)
    checker.check(files)
    if run_errors:
        raise ImportErrors(run_errors.lines())
    return checker


def _counter(con: duckdb.DuckDBPyConnection) -> int:
    return int(
        con.execute("SELECT value FROM book_meta WHERE key = 'change_counter'").fetchone()[0]
    )


# ---- export ------------------------------------------------------------------------------


def _fmt_decimal(value: Decimal) -> str:
    """A decimal with at least two places and no trailing zeros beyond them: 1250.00, 2.125."""
    text = format(value.normalize(), "f")
    if "." not in text or len(text.split(".", 1)[1]) < 2:
        text = format(value.quantize(Decimal("0.01")), "f")
    return text


def _cell(value: Any) -> str:
    """A stored value as exchange-format text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return _fmt_decimal(value)
    if isinstance(value, Enum):
        return str(value.value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


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


__all__ = ["SPECS", "ImportErrors", "ImportSummary", "export_folder", "import_folder"]
