"""An in-memory book for analytics tests: the ``Book`` methods they call, without DuckDB.

A real ``Book`` opens the file, takes the writers' lock and commits on every call (20-40 ms),
and ``frames()`` reads all tables back. :class:`MemoryBook` keeps the rows in Python and
builds the same :class:`~tui.store.BookFrames`: the column types are those of the frames of a
real empty book (made once per session), a column a record does not give takes the default
DuckDB's catalogue holds for it, ids are ``max(id) + 1`` as the store assigns them, money is
rounded to the column's scale as DuckDB does (half away from zero), the settings are parsed
by ``Settings.from_text`` with the exchange rates as the store reads them, and every write
bumps the change counter. The store's checks (natural keys, overpayment, closed milestones,
one fee claim per milestone) and the schema's CHECK and NOT NULL rules are enforced, and a
refused write changes nothing. ``tests/test_builders.py`` proves the frames equal a real
book's; no column of the store holds the wall clock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from tui.domain.dates import check_due_after_invoice, terms_due_date
from tui.domain.errors import NotFoundError, RefusedError, ValidationError
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
    Settings,
)
from tui.domain.money import format_amount
from tui.domain.values import (
    CLOSED_MILESTONE_STATUSES,
    Cadence,
    ChangeOrderStatus,
    Channel,
    ChaseStep,
    ContactRole,
    ContractStatus,
    LateFeeKind,
    MilestoneStatus,
    StatutoryPreset,
    WorkAgain,
    parse_text,
)
from tui.store import Book, BookFrames
from tui.store.book import CONNECT_CONFIG

_MISSING = object()


@dataclass(frozen=True)
class _Column:
    """One column of a table as the store has it."""

    dtype: pl.DataType
    nullable: bool
    default: Any  # _MISSING when the column has no DEFAULT


@dataclass(frozen=True)
class _Base:
    """What a real empty book holds: its frames and its columns."""

    frames: dict[str, pl.DataFrame]
    columns: dict[str, dict[str, _Column]]


@functools.cache
def _base() -> _Base:
    """The frames and column catalogue of one real, empty book (made once per session)."""
    with tempfile.TemporaryDirectory(prefix="milepay-builder-") as folder:
        path = Path(folder) / "empty.duckdb"
        f = Book.open(path).frames()
        frames = {
            name: getattr(f, name)
            for name in f.__dataclass_fields__
            if isinstance(getattr(f, name), pl.DataFrame)
        }
        con = duckdb.connect(str(path), read_only=True, config=CONNECT_CONFIG)
        try:
            found = con.execute(
                "SELECT table_name, column_name, column_default, is_nullable, data_type "
                "FROM duckdb_columns() WHERE schema_name = 'main' ORDER BY column_index"
            ).fetchall()
            columns: dict[str, dict[str, _Column]] = {t: {} for t in frames}
            for table, column, default, nullable, dtype in found:
                if table not in frames:
                    continue
                value = _MISSING
                if default is not None:
                    value = con.execute(f"SELECT CAST({default} AS {dtype})").fetchone()[0]
                columns[table][column] = _Column(frames[table].schema[column], nullable, value)
        finally:
            con.close()
    return _Base(frames=frames, columns=columns)


def empty_frames() -> dict[str, pl.DataFrame]:
    """The frames of a real empty book, by table (shared: never modify them)."""
    return _base().frames


# ---- the schema's CHECK rules ------------------------------------------------------------------


def _nonblank(v: Any) -> bool:
    return isinstance(v, str) and v.strip() != ""


def _one_of(enum: type[Enum]) -> Callable[[Any], bool]:
    values = {e.value for e in enum}
    return lambda v: v in values


def _currency(v: Any) -> bool:
    return isinstance(v, str) and re.fullmatch("[A-Z]{3}", v) is not None


def _at_least(lo: int | Decimal) -> Callable[[Any], bool]:
    return lambda v: v >= lo


def _positive(v: Any) -> bool:
    return v > 0


#: table -> column -> the CHECK of schema.py, in Python (as in SQL, a NULL passes a CHECK)
_CHECKS: dict[str, dict[str, Callable[[Any], bool]]] = {
    "clients": {
        "name": _nonblank,
        "work_again": _one_of(WorkAgain),
        "rating": lambda v: 1 <= v <= 5,
    },
    "contacts": {"name": _nonblank, "role": _one_of(ContactRole)},
    "contracts": {
        "title": _nonblank,
        "currency": _currency,
        "total_fee": _at_least(0),
        "status": _one_of(ContractStatus),
        "payment_terms_days": _at_least(0),
        "late_fee_kind": _one_of(LateFeeKind),
        "late_fee_value": _at_least(0),
        "late_fee_fixed": _at_least(0),
        "late_fee_preset": _one_of(StatutoryPreset),
        "grace_days": _at_least(0),
        "acceptance_days": _at_least(0),
    },
    "milestones": {
        "seq": _at_least(0),
        "title": _nonblank,
        "amount": _positive,
        "status": _one_of(MilestoneStatus),
        "progress": lambda v: 0 <= v <= 100,
    },
    "payments": {"amount": _positive},
    "chase_events": {"step": _one_of(ChaseStep), "channel": _one_of(Channel)},
    "holds": {"reason": _nonblank},
    "change_orders": {"description": _nonblank, "status": _one_of(ChangeOrderStatus)},
    "fee_claims": {"amount": _positive},
    "expenses": {
        "name": _nonblank,
        "amount": _positive,
        "currency": _currency,
        "cadence": _one_of(Cadence),
    },
    "exchange_rates": {"currency": _currency, "rate": _positive},
    "reference_rates": {"preset": _one_of(StatutoryPreset), "rate": _at_least(0)},
}

#: how the store orders each frame (``_ORDER`` of tui/store/store.py)
_ORDER: dict[str, Callable[[dict[str, Any]], Any]] = {
    "exchange_rates": lambda r: r["currency"],
    "reference_rates": lambda r: (r["preset"], r["valid_from"]),
    "message_templates": lambda r: r["step"],
}


def _value(table: str, column: str, dtype: pl.DataType, v: Any) -> Any:
    """A Python value as the store keeps it in ``dtype`` (enums as text, money rounded)."""
    if isinstance(v, Enum):
        v = v.value
    if v is None:
        return None
    if isinstance(dtype, pl.Decimal):
        scale = dtype.scale or 0
        q = Decimal(v).quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)
        if len(q.as_tuple().digits) > (dtype.precision or 38):
            raise ValueError(f"{table}.{column}: {v} does not fit {dtype}")
        return q
    return v


class MemoryBook:
    """A book held in memory with the ``Book`` methods the analytics tests call."""

    def __init__(self) -> None:
        base = _base()
        self._rows: dict[str, list[dict[str, Any]]] = {
            t: f.to_dicts() for t, f in base.frames.items()
        }
        self._settings: dict[str, str] = {}
        self._counter = 0
        self._frames: BookFrames | None = None

    # ---- reading ---------------------------------------------------------------------------

    def frames(self) -> BookFrames:
        """Every table as frames with the store's schemas and order, plus typed settings."""
        if self._frames is None:
            base = _base()
            tables = {}
            for name, empty in base.frames.items():
                rows = sorted(self._rows[name], key=_ORDER.get(name, lambda r: r["id"]))
                tables[name] = pl.DataFrame(
                    {c: [r[c] for r in rows] for c in empty.columns}, schema=empty.schema
                )
            self._frames = BookFrames(
                **tables, settings=self._read_settings(), change_counter=self._counter
            )
        return self._frames

    def settings(self) -> Settings:
        """The typed settings (with exchange rates)."""
        return self._read_settings()

    def _read_settings(self) -> Settings:
        fx = {r["currency"]: r["rate"] for r in self._rows["exchange_rates"]}
        return Settings.from_text(self._settings, fx)

    # ---- writing ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """One write: it lands whole, bumping the change counter, or not at all."""
        saved = {t: [dict(r) for r in rows] for t, rows in self._rows.items()}
        settings = dict(self._settings)
        try:
            yield
        except BaseException:
            self._rows, self._settings = saved, settings
            raise
        self._counter += 1
        self._frames = None

    def _insert(self, table: str, values: dict[str, Any]) -> int:
        """Insert one row, assigning its id, with the schema's defaults, NOT NULL and CHECKs."""
        rows = self._rows[table]
        new_id = max((r["id"] for r in rows), default=0) + 1
        self._rows[table].append(self._row(table, {"id": new_id, **values}))
        return new_id

    def _row(self, table: str, values: dict[str, Any]) -> dict[str, Any]:
        columns = _base().columns[table]
        unknown = set(values) - set(columns)
        if unknown:
            raise ValueError(f"{table} has no column {', '.join(sorted(unknown))}")
        row: dict[str, Any] = {}
        for name, col in columns.items():
            v = values.get(name, _MISSING)
            if v is _MISSING:
                v = None if col.default is _MISSING else col.default
            row[name] = _value(table, name, col.dtype, v)
        self._check(table, row)
        return row

    def _check(self, table: str, row: dict[str, Any]) -> None:
        for name, col in _base().columns[table].items():
            if row[name] is None and not col.nullable:
                raise ValueError(f"NOT NULL constraint failed: {table}.{name}")
        for name, ok in _CHECKS.get(table, {}).items():
            if row[name] is not None and not ok(row[name]):
                raise ValueError(f"CHECK constraint failed: {table}.{name} = {row[name]!r}")

    def _find(self, table: str, row_id: int) -> dict[str, Any]:
        for r in self._rows[table]:
            if r["id"] == row_id:
                return r
        raise NotFoundError(f"there is no {table[:-1].replace('_', ' ')} with id {row_id}")

    def _update(self, table: str, row_id: int, changes: dict[str, Any]) -> None:
        row = self._find(table, row_id)
        new = self._row(table, {**row, **changes})
        row.update(new)

    # ---- the Book methods ------------------------------------------------------------------

    def add_client(self, client: Client, contacts: list[Contact] | None = None) -> int:
        """Add a client (and its contacts) in one write."""
        with self._writing():
            if any(r["name"].lower() == client.name.lower() for r in self._rows["clients"]):
                raise ValidationError("name", f"a client named '{client.name}' already exists")
            cid = self._insert("clients", client.as_row())
            for c in contacts or []:
                self._check_contact_name(cid, c.name)
                self._insert("contacts", {"client_id": cid, **c.as_row()})
            return cid

    def _check_contact_name(self, client_id: int, name: str) -> None:
        if any(
            r["client_id"] == client_id and r["name"].lower() == name.lower()
            for r in self._rows["contacts"]
        ):
            raise ValidationError("name", f"this client already has a contact named '{name}'")

    def add_contract(
        self, client_id: int, contract: Contract, milestones: list[Milestone] | None = None
    ) -> int:
        """Add a contract with its milestone schedule in one write."""
        with self._writing():
            self._find("clients", client_id)
            if any(
                r["client_id"] == client_id and r["title"].lower() == contract.title.lower()
                for r in self._rows["contracts"]
            ):
                raise ValidationError(
                    "title", f"this client already has a contract titled '{contract.title}'"
                )
            kid = self._insert("contracts", {"client_id": client_id, **contract.as_row()})
            seqs = [m.seq for m in milestones or []]
            if len(seqs) != len(set(seqs)):
                raise ValidationError("seq", "two milestones have the same sequence number")
            for m in milestones or []:
                self._insert("milestones", {"contract_id": kid, **m.as_row()})
            return kid

    def _check_seq(self, contract_id: int, seq: int) -> None:
        if any(
            r["contract_id"] == contract_id and r["seq"] == seq for r in self._rows["milestones"]
        ):
            raise ValidationError("seq", f"this contract already has a milestone number {seq}")

    def add_milestone(self, contract_id: int, milestone: Milestone) -> int:
        """Add a milestone to a contract."""
        with self._writing():
            self._find("contracts", contract_id)
            self._check_seq(contract_id, milestone.seq)
            return self._insert("milestones", {"contract_id": contract_id, **milestone.as_row()})

    def mark_invoiced(
        self,
        milestone_id: int,
        invoice_no: str,
        invoiced_on: dt.date,
        due_date: dt.date | None = None,
    ) -> dt.date:
        """Mark a milestone invoiced; the due date defaults to invoice date + contract terms."""
        if not invoice_no.strip():
            raise ValidationError("invoice_no", "is required")
        with self._writing():
            m = self._find("milestones", milestone_id)
            status = m["status"]
            if status in CLOSED_MILESTONE_STATUSES:
                raise RefusedError(f"a {status.replace('_', ' ')} milestone cannot be invoiced")
            terms = self._find("contracts", m["contract_id"])["payment_terms_days"]
            due = due_date or terms_due_date(invoiced_on, terms)
            check_due_after_invoice(invoiced_on, due)
            self._update(
                "milestones",
                milestone_id,
                {
                    "status": MilestoneStatus.INVOICED,
                    "invoice_no": invoice_no.strip(),
                    "invoiced_on": invoiced_on,
                    "due_date": due,
                },
            )
        return due

    def set_promise(self, milestone_id: int, promised_on: dt.date | None, note: str = "") -> None:
        """Record (or with None clear) a promise to pay, as the store does."""
        note = parse_text(note, "promise_note", max_length=500)
        if promised_on is None and note:
            raise ValidationError("promised_on", "a promise note needs the promised date")
        with self._writing():
            status = self._find("milestones", milestone_id)["status"]
            if promised_on is not None and status in CLOSED_MILESTONE_STATUSES:
                raise RefusedError(
                    f"a {status.replace('_', ' ')} milestone takes no promise to pay"
                )
            self._update(
                "milestones", milestone_id, {"promised_on": promised_on, "promise_note": note}
            )

    def add_change_order(self, contract_id: int, order: ChangeOrder) -> int:
        """Log a change order on a contract."""
        with self._writing():
            self._find("contracts", contract_id)
            return self._insert("change_orders", {"contract_id": contract_id, **order.as_row()})

    def record_payment(self, milestone_id: int, payment: Payment) -> int:
        """Record a payment; refuse one that would pay more than the milestone's amount."""
        with self._writing():
            m = self._find("milestones", milestone_id)
            paid = sum(
                (p["amount"] for p in self._rows["payments"] if p["milestone_id"] == milestone_id),
                Decimal("0"),
            )
            open_amount = m["amount"] - paid
            if m["status"] in CLOSED_MILESTONE_STATUSES:
                raise RefusedError(
                    f"payment refused: the milestone is {m['status'].replace('_', ' ')}"
                )
            if payment.amount > open_amount:
                raise RefusedError(
                    f"{format_amount(payment.amount)} would overpay this milestone "
                    f"(amount {format_amount(m['amount'])}, already paid {format_amount(paid)}, "
                    f"open {format_amount(open_amount)})",
                    field="amount",
                )
            return self._insert("payments", {"milestone_id": milestone_id, **payment.as_row()})

    def claim_fee(self, milestone_id: int, amount: Decimal, claimed_on: dt.date) -> int:
        """Record that a late fee was claimed (once per milestone)."""
        with self._writing():
            self._find("milestones", milestone_id)
            if any(r["milestone_id"] == milestone_id for r in self._rows["fee_claims"]):
                raise RefusedError("a late fee was already claimed for this milestone")
            return self._insert(
                "fee_claims",
                {"milestone_id": milestone_id, "claimed_on": claimed_on, "amount": amount},
            )

    def log_chase(self, milestone_id: int, event: ChaseEvent) -> int:
        """Log a chase step taken for a milestone."""
        with self._writing():
            self._find("milestones", milestone_id)
            return self._insert("chase_events", {"milestone_id": milestone_id, **event.as_row()})

    def put_on_hold(self, milestone_id: int, hold: Hold, *, on: dt.date | None = None) -> int:
        """Hold a milestone until a date; an earlier open hold is released ``on`` (or today)."""
        with self._writing():
            self._find("milestones", milestone_id)
            self._release(milestone_id, on or self._read_settings().today())
            return self._insert("holds", {"milestone_id": milestone_id, **hold.as_row()})

    def release_hold(self, milestone_id: int, on: dt.date) -> None:
        """End every open hold of a milestone on ``on``."""
        with self._writing():
            self._release(milestone_id, on)

    def _release(self, milestone_id: int, on: dt.date) -> None:
        for r in self._rows["holds"]:
            if r["milestone_id"] == milestone_id and r["released_on"] is None:
                self._update("holds", r["id"], {"released_on": on})

    def add_expense(self, expense: Expense) -> int:
        """Add an expense."""
        with self._writing():
            return self._insert("expenses", expense.as_row())

    def save_settings(self, values: dict[str, str]) -> Settings:
        """Check and store settings given as text; all or nothing."""
        with self._writing():
            merged = {**self._settings, **values}
            settings = Settings.from_text(merged)  # raises ValidationError naming the key
            for key, text in settings.to_text().items():
                if key in values:
                    self._settings[key] = text
            return settings

    def set_exchange_rate(self, currency: str, rate: Decimal | None) -> None:
        """Set (or with None remove) the value of one unit of ``currency`` in the home currency."""
        with self._writing():
            rows = [r for r in self._rows["exchange_rates"] if r["currency"] != currency]
            if rate is not None:
                rows.append(self._row("exchange_rates", {"currency": currency, "rate": rate}))
            self._rows["exchange_rates"] = rows

    def set_reference_rate(self, preset: str, valid_from: dt.date, rate: Decimal | None) -> None:
        """Set (or remove) a reference interest rate in force from a date."""
        with self._writing():
            rows = [
                r
                for r in self._rows["reference_rates"]
                if (r["preset"], r["valid_from"]) != (preset, valid_from)
            ]
            if rate is None and len(rows) == len(self._rows["reference_rates"]):
                raise RefusedError(
                    f"there is no {preset.upper()} rate from {valid_from.isoformat()} to remove; "
                    "give a rate to add one",
                    field="rate",
                )
            if rate is not None:
                rows.append(
                    self._row(
                        "reference_rates",
                        {"preset": preset, "valid_from": valid_from, "rate": rate},
                    )
                )
            self._rows["reference_rates"] = rows
