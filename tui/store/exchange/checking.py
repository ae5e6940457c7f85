"""Checking rows: fields, references to the folder or the book, natural keys, overpayment."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from tui.domain.dates import parse_iso_date, terms_due_date
from tui.domain.errors import ValidationError
from tui.domain.money import format_amount, parse_amount
from tui.domain.values import parse_int, parse_text
from tui.store.exchange.configuration import _ConfigurationChecks
from tui.store.exchange.outcome import _Errors, _Row, _Ticker
from tui.store.exchange.reading import _File
from tui.store.exchange.snapshot import _Snapshot
from tui.store.exchange.spec import (
    CLIENTS,
    CONTACTS,
    CONTRACTS,
    FEE_CLAIMS,
    MILESTONES,
    PAYMENTS,
    REFERENCE_RATES,
    SETTINGS,
    SPECS,
    TEMPLATES,
    Key,
    _cell,
    _norm,
    _plain,
    _Spec,
)
from tui.store.files import readable_file

#: table -> its column naming a file that messages attach (checked to exist, made absolute)
_FILE_COLUMNS = {"contracts": "document", "milestones": "invoice_file"}


class _Checker(_ConfigurationChecks):
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
        #: the folder of the file being checked (relative attachment paths start there)
        self.folder: Path | None = None

    def check(self, files: Iterable[_File]) -> None:
        """Check every row of every file, in the order of the format (parents first)."""
        files = list(files)
        self.broken = {f.spec.table for f in files if not f.usable}
        for f in files:
            if not f.usable:
                self.ticker.advance(len(f.rows))
                continue
            self.folder = f.folder
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
        if spec is MILESTONES:
            self._due_from_terms(row, merged, bad)
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
        if row.record is not None and spec.table in _FILE_COLUMNS:
            self._check_file(row, _FILE_COLUMNS[spec.table])
        if row.ok and row.parent is not None:
            self._after(row)
        return row

    def _check_file(self, row: _Row, column: str) -> None:
        """A file named in the row must exist and be readable; kept as an absolute path."""
        value = getattr(row.record, column)
        if not value:
            return
        try:
            path = readable_file(value, column, base=self.folder)
        except ValidationError as exc:
            self._err(row, column, exc.reason)
            row.record = None
            return
        # a folder from someone else must not make milepay mail any file of the user's (cron
        # sends what is attached): only files inside the imported folder are taken
        if self.folder is not None and not Path(path).resolve().is_relative_to(
            self.folder.resolve()
        ):
            self._err(row, column, f"{path} is outside the imported folder: put the file in it "
                      "(or set it in the app)")  # fmt: skip
            row.record = None
            return
        row.record = dataclasses.replace(row.record, **{column: path})

    def _due_from_terms(self, row: _Row, merged: dict[str, Any], bad: set[str]) -> None:
        """An empty due date with an invoice date: invoice date + the contract's terms (SPEC 6).

        The contract is the folder's (when it is in contracts.csv) or the book's. A wrong
        invoice date or an unknown contract is reported elsewhere; the due date then stays
        empty and is reported as required.
        """
        if str(merged.get("due_date") or "").strip() or "due_date" in bad:
            return
        if "invoiced_on" in bad:  # its own error says it; the due date cannot be worked out
            bad.add("due_date")
            return
        invoiced = str(merged.get("invoiced_on") or "").strip()
        if not invoiced:
            self._err(
                row, "due_date", "is required, or give invoiced_on (the due date is then "
                "invoiced_on + the contract's payment terms)",
            )  # fmt: skip
            bad.add("due_date")
            return
        if row.parent is None:
            return
        folder = self.seen["contracts"].get(row.parent)
        if folder is not None:
            if not folder.ok or folder.record is None:
                return
            terms = folder.record.payment_terms_days
        else:
            terms = self.snap.rows["contracts"][row.parent]["payment_terms_days"]
        try:
            due = terms_due_date(parse_iso_date(invoiced, "invoiced_on"), terms)
        except ValidationError as exc:
            self._err(row, "due_date", exc.reason)
            bad.add("due_date")
            return
        merged["due_date"] = due.isoformat()

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
                    n = parse_int(values.get(c, ""), "seq", minimum=0, maximum=9999)
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
                value: Any = parse_int(values.get(own, ""), own, minimum=0, maximum=9999)
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
