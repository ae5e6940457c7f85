"""Bank statements: reading a bank's own CSV export and recording matched credits once.

The methods are mixed into :class:`tui.store.Book`; every write goes through the row helpers
of :mod:`tui.store.rows`, so it is one transaction and audited.

Reading (:meth:`BankMixin.read_statement`)
    DuckDB's CSV reader and its sniffer (delimiter, quoting) read every cell as text
    (``all_varchar``), so amounts reach Babel as the bank wrote them. The encoding is the
    profile's, else UTF-8 when the bytes are UTF-8, else Windows-1252 when they use its
    letters in 0x80-0x9F (``€``), else Latin-1. DuckDB 2.0 reads UTF-8, UTF-16 and Latin-1
    itself; any other encoding is transcoded to UTF-8 in a private temporary file (0600,
    removed after the read). The header is the first of the first 60 lines holding a date
    column name and an amount column name (the profile's or the usual ones); the preamble
    before it (account number, period) is skipped, or the profile's ``skip`` lines.
Recording (:meth:`BankMixin.record_bank_matches`)
    One transaction: for each line not recorded before, one payment per milestone it pays
    (method ``bank transfer``, the bank's reference, dated the booking day; overpayment and
    closed milestones refused as in ``record_payment``) and its ``bank_lines`` row (the
    fingerprint, the first payment's id). A line whose fingerprint is in ``bank_lines`` is
    skipped, whatever statement it came from.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import polars as pl

from tui.domain.errors import RefusedError, ValidationError
from tui.domain.model import Payment
from tui.domain.money import format_amount
from tui.domain.values import CLOSED_MILESTONE_STATUSES
from tui.store.rows import fetch_dict, frame, insert, upsert

if TYPE_CHECKING:
    from tui.config import BankProfile

#: statements larger than this are refused (a bank's monthly export is a few hundred KB)
MAX_STATEMENT_BYTES = 50 * 1024 * 1024
HEADER_SCAN_LINES = 60
#: encodings DuckDB 2.0's CSV reader decodes itself (Python codec name -> DuckDB's)
_DUCKDB_ENCODINGS = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "iso8859-1": "latin-1",
                     "utf-16": "utf-16"}  # fmt: skip
#: lower-case names of a header's date and amount columns (tui.analytics.bank.USUAL_NAMES)
_DATE_NAMES = frozenset({"buchungstag", "buchungsdatum", "datum", "date", "transaction date",
                         "booking date", "posting date", "wertstellung", "valuta", "valutadatum",
                         "value date"})  # fmt: skip
_AMOUNT_NAMES = frozenset({"betrag", "betrag (eur)", "betrag in eur", "umsatz", "amount", "value",
                           "amount (gbp)", "amount (eur)", "transaction amount", "haben",
                           "gutschrift", "credit", "credit amount", "paid in", "money in", "soll",
                           "lastschrift", "debit", "debit amount", "paid out", "money out"})  # fmt: skip


def detect_encoding(data: bytes) -> str:
    """The statement's encoding: UTF-8 (with or without BOM), UTF-16 by BOM, cp1252 or latin-1."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if re.search(rb"[\x80\x82-\x8c\x8e\x91-\x9c\x9e\x9f]", data):
        return "cp1252"
    return "latin-1"


def _cells(line: str, delimiter: str | None) -> list[str]:
    """A line's cells, lower case, quotes and spaces stripped (for finding the header)."""
    parts = (
        next(csv.reader(io.StringIO(line), delimiter=delimiter))
        if delimiter
        else re.split(r"[;,\t|]", line)
    )
    return [p.strip().strip('"').strip().lower() for p in parts]


def header_line(text: str, profile: BankProfile | None) -> int:
    """How many lines come before the header (0 when no line looks like one)."""
    dates, amounts = set(_DATE_NAMES), set(_AMOUNT_NAMES)
    if profile is not None:
        dates |= {profile.date.lower()} if profile.date else set()
        amounts |= {n.lower() for n in (profile.amount, profile.credit, profile.debit) if n}
    delimiter = profile.delimiter if profile is not None and profile.delimiter else None
    for i, line in enumerate(text.splitlines()[:HEADER_SCAN_LINES]):
        cells = set(_cells(line, delimiter))
        if cells & dates and cells & amounts:
            return i
    return 0


class BankMixin:
    """Bank statement lines recorded as payments, each line once (SPEC 6)."""

    def read_statement(self, path: Path | str, profile: BankProfile | None = None) -> pl.DataFrame:
        """The statement's lines as text columns named as the bank's header, plus ``_line``.

        ``_line`` is the line of the file (1 = the first), for error messages.
        """
        path = Path(path)
        if not path.is_file():
            raise ValidationError("FILE", f"{path}: no such file")
        if path.stat().st_size > MAX_STATEMENT_BYTES:
            raise ValidationError("FILE", f"{path}: larger than 50 MB; not a bank statement")
        data = path.read_bytes()
        encoding = profile.encoding if profile is not None and profile.encoding else None
        encoding = encoding or detect_encoding(data)
        name = codecs.lookup(encoding).name
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise ValidationError("encoding", f"{path} is not {encoding} text (byte "
                                  f"{exc.start + 1}); name its encoding in the profile") from None  # fmt: skip
        if not text.strip():
            raise ValidationError("FILE", f"{path} is empty")
        skip = profile.skip if profile is not None and profile.skip is not None else None
        if skip is None:
            skip = header_line(text.lstrip("\ufeff"), profile)
        with _readable_copy(path, text, name) as (source, duck_encoding):
            options = ["auto_detect = true", "all_varchar = true", "header = true",
                       f"skip = {int(skip)}", f"encoding = '{duck_encoding}'",
                       "null_padding = true"]  # fmt: skip
            params: list[Any] = [str(source)]
            if profile is not None and profile.delimiter:
                options.append("delim = ?")
                params.append(profile.delimiter)
            con = duckdb.connect(config={"autoinstall_known_extensions": False})
            try:
                raw = frame_from(con, f"SELECT * FROM read_csv(?, {', '.join(options)})", params)
            except duckdb.Error as exc:
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise ValidationError("FILE", f"{path}: cannot be read as CSV ({first})") from None
            finally:
                con.close()
        first_data = skip + 2  # the header's line number is skip + 1
        return raw.with_columns(
            (pl.int_range(pl.len(), dtype=pl.Int64) + first_data).alias("_line")
        )

    def recorded_fingerprints(self, fingerprints: Iterable[str]) -> set[str]:
        """Those of ``fingerprints`` whose statement line was recorded before."""
        wanted = list(dict.fromkeys(fingerprints))
        if not wanted:
            return set()
        with self.reading() as con:  # type: ignore[attr-defined]
            rows = con.execute(
                "SELECT fingerprint FROM bank_lines WHERE list_contains(?, fingerprint)", [wanted]
            ).fetchall()
        return {r[0] for r in rows}

    def bank_lines(self) -> pl.DataFrame:
        """Every recorded statement line (newest booking first)."""
        with self.reading() as con:  # type: ignore[attr-defined]
            return frame(con, "SELECT * FROM bank_lines ORDER BY booked_on DESC, fingerprint")

    def record_bank_matches(self, matches: Sequence[Mapping[str, Any]]) -> list[int]:
        """Record confirmed matches in one transaction; the ids of the payments added.

        Each match: ``fingerprint``, ``booked_on``, ``amount``, ``counterparty``,
        ``reference`` and ``allocations`` (``[(milestone_id, amount), ...]``). A line recorded
        before is skipped; an allocation that would overpay refuses the whole write.
        """
        from tui.store.store import _read_settings

        added: list[int] = []
        with self.writing() as con:  # type: ignore[attr-defined]
            today = _read_settings(con).today()  # the book's timezone
            for match in matches:
                fp = str(match["fingerprint"])
                if con.execute("SELECT 1 FROM bank_lines WHERE fingerprint = ?", [fp]).fetchone():
                    continue
                allocations = [(int(m), Decimal(a)) for m, a in match["allocations"]]
                if not allocations:
                    raise RefusedError("a statement line with no milestone cannot be recorded")
                if sum((a for _, a in allocations), Decimal(0)) != Decimal(match["amount"]):
                    raise RefusedError(f"the parts of the credit of {match['booked_on']} do not "
                                       "add up to its amount; nothing was recorded")  # fmt: skip
                ids = [_pay(con, mid, amount, match) for mid, amount in allocations]
                upsert(con, "bank_lines", {
                    "fingerprint": fp, "recorded_on": today, "payment_id": ids[0],
                    "booked_on": match["booked_on"], "amount": Decimal(match["amount"]),
                    "counterparty": str(match.get("counterparty") or ""),
                    "reference": str(match.get("reference") or ""),
                })  # fmt: skip
                added.extend(ids)
        return added


def _pay(con: duckdb.DuckDBPyConnection, milestone_id: int, amount: Decimal,
         match: Mapping[str, Any]) -> int:  # fmt: skip
    """One payment of a statement line, refused as ``Book.record_payment`` refuses it."""
    row = fetch_dict(
        con,
        "SELECT m.amount, m.status, coalesce((SELECT sum(p.amount) FROM payments p "
        "WHERE p.milestone_id = m.id), 0) AS paid FROM milestones m WHERE m.id = ?",
        [milestone_id],
    )
    if row is None:
        raise RefusedError(f"milestone {milestone_id} no longer exists; nothing was recorded")
    status = str(row["status"])
    if status in CLOSED_MILESTONE_STATUSES:
        raise RefusedError(f"payment refused: milestone {milestone_id} is "
                           f"{status.replace('_', ' ')}; nothing was recorded")  # fmt: skip
    open_amount = Decimal(row["amount"]) - Decimal(row["paid"])
    if amount <= 0 or amount > open_amount:
        raise RefusedError(
            f"{format_amount(amount)} would overpay milestone {milestone_id} (open "
            f"{format_amount(open_amount)}); the book changed since the proposal: import the "
            "statement again; nothing was recorded",
            field="amount",
        )
    reference = " ".join(str(match.get("reference") or match.get("counterparty") or "").split())
    payment = Payment(amount=amount, received_on=match["booked_on"], method="bank transfer",
                      reference=reference[:200])  # fmt: skip
    return insert(con, "payments", {"milestone_id": milestone_id, **payment.as_row()})


def frame_from(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> pl.DataFrame:
    """A parameterised query's result as a Polars frame (text columns)."""
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    return pl.DataFrame(rows, schema={n: pl.String for n in names}, orient="row")


@contextlib.contextmanager
def _readable_copy(path: Path, text: str, codec: str):  # type: ignore[no-untyped-def]
    """The file and the encoding DuckDB reads it in: itself, or a private UTF-8 copy."""
    if codec in _DUCKDB_ENCODINGS:
        yield path, _DUCKDB_ENCODINGS[codec]
        return
    fd, tmp = tempfile.mkstemp(prefix="milepay-statement-", suffix=".csv")  # 0600, O_EXCL
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        yield Path(tmp), "utf-8"
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
