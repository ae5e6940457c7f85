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
home currency (the ``exchange_rates`` table). Mail settings (``smtp_*``) and the personal
preferences ``theme`` and ``message_folder`` live in the user's own config file, never in a
book: ``settings.csv`` may not carry them (each is refused by name) and export never writes them.

Import reads every file, checks every row (fields through the domain parsers, references
to rows in the folder or the book, duplicate keys, overpayment across the folder and the
book) and raises :class:`ImportErrors` listing every error as ``file:line: field: message``
(line 1 is the header; a row's line is the physical line where it starts). Only when there
is no error is everything written, in one transaction. The book is read before the write
transaction; if another process wrote in between (the change counter moved), the checks run
again, the last time inside the write transaction. Errors are one line each: a cell's
newline, terminal escape or other control character is shown escaped (``\\x1b``, ``\\n``).
Importing into a book that does not exist yet creates it only when the import succeeds
(:func:`import_new_book`).

A quoted cell may span lines, with Unix or Windows line endings (``\\r\\n`` is read as
``\\n``). Free-text cells written with a leading ``'`` before ``= + - @`` TAB, CR or ``'`` (the
formula guard export adds) lose exactly that one ``'``.

Export writes every file of the format, with its header even when it has no rows, so a
folder is self-describing; rows are sorted by client name, contract title, seq, date, then
id; amounts with two places, dates ISO, booleans ``yes``/``no``, lines ending in ``\\n``.
It writes into a new folder, all files or none, with a ``.milepay-export`` marker, and guards
free text against spreadsheet formulas: see :mod:`tui.store.exchange.export`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import duckdb

from tui.domain.errors import MilepayError, RefusedError
from tui.store.exchange.checking import _Checker
from tui.store.exchange.export import export_folder
from tui.store.exchange.outcome import ImportErrors, ImportSummary, _Errors, _Ticker
from tui.store.exchange.reading import _File, _read_folder
from tui.store.exchange.snapshot import _counter, _Snapshot, _snapshot
from tui.store.exchange.spec import SPECS, Progress
from tui.store.exchange.writing import _write
from tui.store.files import make_private_dir
from tui.store.store import Book


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
            with book.writing("import") as con:
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


def import_new_book(
    path: Path, folder: Path, *, update: bool = False, progress: Progress | None = None
) -> ImportSummary:
    """Create the book ``path`` from ``folder``; the file appears only when the import succeeds.

    The book is made and filled in a fresh private folder beside ``path`` (or beside its
    nearest existing parent), copied there checkpointed (no ``.wal``), and only then linked
    into place, never over a file that appeared meanwhile. A refused import leaves nothing
    behind: no book, no ``.wal``, no lock file, no folder.
    """
    path = Path(path)
    if os.path.lexists(path):
        raise RefusedError(f"{path} already exists")
    anchor = path.absolute().parent
    while not anchor.is_dir():
        anchor = anchor.parent
    work = Path(tempfile.mkdtemp(prefix=".milepay-import-", dir=anchor))
    try:
        book = Book.open(work / "import.duckdb")
        summary = import_folder(book, folder, update=update, progress=progress)
        done = book.backup(work / "done.duckdb")  # checkpointed: the whole book in one file
        make_private_dir(path.parent)
        try:
            os.link(done, path)  # fails rather than replace a file made meanwhile
        except FileExistsError:
            raise RefusedError(
                f"{path} was created by another program during the import; it was left as it "
                "is and nothing was written"
            ) from None
        except OSError:  # a file system without hard links
            if os.path.lexists(path):
                raise RefusedError(f"{path} already exists") from None
            os.rename(done, path)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return summary


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


__all__ = [
    "SPECS",
    "ImportErrors",
    "ImportSummary",
    "export_folder",
    "import_folder",
    "import_new_book",
]
