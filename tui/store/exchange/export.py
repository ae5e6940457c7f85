"""Exporting a book as the CSV exchange format.

Where an export is written
    An export goes into a NEW folder. A folder that already exists and is not empty is
    refused ("... already exists; choose a new folder or pass --force to replace an export
    milepay wrote"); an existing empty folder is used. ``force`` replaces an existing folder
    only when milepay wrote it, recognised by two things together: the marker file
    ``.milepay-export`` (a regular file whose first line is ``milepay export``, followed by
    the milepay version and the date it was written), and the exact file set: nothing in the
    folder but the marker and files of the format (no file of the user's, no sub-folder, no
    link). Anything else is left as it is. A target that is itself a symbolic link is always
    refused: an export never writes through a link.

All files or none
    The files are written into a fresh folder made by :func:`tempfile.mkdtemp` beside the
    target (mode 0700, an unpredictable name, so nothing can be planted there in advance),
    each created with ``O_CREAT|O_EXCL|O_NOFOLLOW`` as 0600 and synced to disk; the folder is
    then renamed into place. With ``force`` the old export is first renamed aside (into a second
    fresh folder), the new one renamed in, and only then is the old one removed. Any failure on
    the way leaves the old export where it was and removes the fresh folder.

Formula guard
    Free-text cells (names, notes, titles, references, templates, the business name and
    signature) beginning with ``=``, ``+``, ``-``, ``@``, TAB, CR or ``'`` are written with one
    ``'`` before them, so a spreadsheet shows text rather than running a formula; import takes
    exactly that ``'`` off again. Amounts and dates are never touched (``-250.00`` stays a
    number).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from tui import __version__
from tui.domain.dates import today
from tui.domain.errors import RefusedError
from tui.store.exchange.spec import (
    CLIENTS,
    CONFIG_KEYS,
    CONTACTS,
    CONTRACTS,
    EXPENSES,
    MILESTONES,
    REFERENCE_RATES,
    SETTINGS,
    SPECS,
    TEMPLATES,
    TEXT_SETTINGS,
    _cell,
    _fmt_decimal,
    _Spec,
    guard_text,
)
from tui.store.files import make_private_dir, private_umask
from tui.store.schema import TABLES
from tui.store.store import Book

#: the file that marks a folder as an export milepay wrote (see the module docstring)
MARKER = ".milepay-export"
_MARKER_FIRST_LINE = "milepay export"
#: every file some export format writes: what ``force`` accepts in a folder it replaces
EXPORT_FILES = frozenset(
    {MARKER, *(s.file for s in SPECS), "milepay.journal", *(f"{t}.parquet" for t in TABLES)}
)

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
            "SELECT key, value FROM (SELECT 0 AS part, key, value FROM settings "
            f"WHERE key NOT IN ({', '.join(repr(k) for k in CONFIG_KEYS)}) UNION ALL "
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


def export_folder(book: Book, folder: Path, *, force: bool = False) -> list[Path]:
    """Write the whole book as the CSV exchange format into the new folder ``folder``.

    Returns the files of the format written. Refuses (:class:`RefusedError`, nothing written)
    a ``folder`` that is a link or exists and is not empty, unless ``force`` is given and it is
    an export milepay wrote; see the module docstring.
    """
    folder = Path(folder)
    _check_target(folder, force=force)  # before reading the book
    tables: list[tuple[_Spec, list[tuple[Any, ...]]]] = []
    with book.reading() as con:
        for spec in SPECS:
            tables.append((spec, con.execute(_export_query(spec)).fetchall()))

    def write(fresh: Path) -> list[str]:
        with private_umask():
            for spec, rows in tables:
                _write_csv(fresh / spec.file, spec, _with_copied_files(fresh, spec, rows))
        return [spec.file for spec, _ in tables]

    return write_export(folder, write, force=force)


def write_export(folder: Path, write: Callable[[Path], list[str]], *, force: bool) -> list[Path]:
    """Check ``folder``, let ``write`` fill a fresh private folder beside it (returning the
    names it wrote), add the marker and rename it into place: every export format's way, so
    a failure leaves no half-written export (``force`` replaces an export of any format)."""
    folder = Path(folder)
    _check_target(folder, force=force)
    parent = folder.absolute().parent
    make_private_dir(parent)
    fresh = Path(tempfile.mkdtemp(prefix=".milepay-export-", dir=parent))
    try:
        names = write(fresh)
        with private_umask():
            _write_new(fresh / MARKER, _marker_text())
        _fsync_dir(fresh)
        _move_into_place(fresh, folder, force=force)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    _fsync_dir(parent)
    return [folder / n for n in names]


#: file -> its column naming a file messages attach (copied into the export: see below)
_FILE_COLUMNS = {"contracts.csv": "document", "milestones.csv": "invoice_file"}
#: the folder of the export that holds those files
FILES_DIR = "files"


def _with_copied_files(
    fresh: Path, spec: _Spec, rows: list[tuple[Any, ...]]
) -> list[tuple[Any, ...]]:
    """Copy the invoice files and contract documents into ``files/`` of the export and name
    them relative to it, so the export is whole (a backup that restores its attachments) and
    an import takes files only from inside the folder it reads. A file that is gone keeps its
    path as it was (the import then names it as missing)."""
    column = _FILE_COLUMNS.get(spec.file)
    if column is None:
        return rows
    at = spec.columns.index(column)
    out = []
    for row in rows:
        value = row[at]
        source = Path(value) if value else None
        if source is not None and source.is_file():
            target = fresh / FILES_DIR / f"{spec.table}-{len(out) + 1}-{source.name}"
            make_private_dir(target.parent)
            shutil.copyfile(source, target)
            row = (*row[:at], f"{FILES_DIR}/{target.name}", *row[at + 1 :])
        out.append(row)
    return out


def _marker_text() -> str:
    return f"{_MARKER_FIRST_LINE}\nversion: {__version__}\ndate: {today().isoformat()}\n"


def _exists_message(folder: Path) -> str:
    return (
        f"{folder} already exists; choose a new folder or pass --force to replace an export "
        "milepay wrote"
    )


def _check_target(folder: Path, *, force: bool) -> None:
    """Refuse a link, a file, or a folder that is not empty (unless ``force`` and ours)."""
    if folder.is_symlink():
        raise RefusedError(
            f"{folder} is a symbolic link; an export is written only to a real folder, "
            "never through a link"
        )
    if not os.path.lexists(folder):
        return
    if not folder.is_dir():
        raise RefusedError(f"{folder} exists and is not a folder; choose a new folder")
    if not os.listdir(folder):
        return  # an empty folder, made for the export: the rename replaces it
    if not force:
        raise RefusedError(_exists_message(folder))
    _check_ours(folder)


def _check_ours(folder: Path) -> None:
    """Refuse to replace ``folder`` unless it holds the marker and only files of the format."""
    try:
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC  # never wait on a FIFO
        fd = os.open(folder / MARKER, flags)
    except OSError:
        fd = None
    first = ""
    if fd is not None:
        with os.fdopen(fd, "rb") as fh:
            if stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                first = fh.read(200).decode("utf-8", "replace").split("\n", 1)[0]
    if first != _MARKER_FIRST_LINE:
        raise RefusedError(
            f"{folder} was not written by milepay export (it has no {MARKER} file); it was "
            "left as it is, choose a new folder"
        )
    foreign = []
    for entry in sorted(os.listdir(folder)):
        mode = os.lstat(folder / entry).st_mode
        if (  # the attachments an export copied
            entry == FILES_DIR
            and stat.S_ISDIR(mode)
            and all(stat.S_ISREG(os.lstat(f).st_mode) for f in (folder / entry).iterdir())
        ):
            continue
        if entry not in EXPORT_FILES or not stat.S_ISREG(mode):
            foreign.append(entry)
    if foreign:
        shown = ", ".join(foreign[:3]) + (
            f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
        )
        raise RefusedError(
            f"{folder} holds {shown} besides an export; it was left as it is, choose a new folder"
        )


def _write_csv(path: Path, spec: _Spec, rows: list[tuple[Any, ...]]) -> None:
    """One file of the format, free text guarded against formulas."""
    guarded = {i for i, c in enumerate(spec.columns) if c in spec.text_columns}
    with _open_new(path) as fh:
        fh.write(csv_line(spec.columns))
        for r in rows:
            if spec is SETTINGS:
                key, value = r
                if key.startswith("fx."):
                    value = _fmt_decimal(Decimal(value))
                elif key in TEXT_SETTINGS:
                    value = guard_text(value)
                fh.write(csv_line([key, value]))
                continue
            cells = [_cell(v) for v in r]
            fh.write(csv_line([guard_text(c) if i in guarded else c for i, c in enumerate(cells)]))
        _sync(fh)


def csv_line(cells: Sequence[str]) -> str:
    """One CSV record ending in ``\\n``: as :func:`csv.writer` writes it, except that a cell
    holding a CR is quoted too (the csv module leaves a lone CR bare, and reads it back as the
    end of the line)."""
    out = []
    for c in cells:
        if any(ch in c for ch in _QUOTED) or (c == "" and len(cells) == 1):
            c = '"' + c.replace('"', '""') + '"'
        out.append(c)
    return ",".join(out) + "\n"


_QUOTED = frozenset(',"\r\n')


def _write_new(path: Path, text: str) -> None:
    with _open_new(path) as fh:
        fh.write(text)
        _sync(fh)


def _open_new(path: Path) -> Any:
    """A new file (never an existing one, never through a link), 0600, for text."""
    flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(path, flags, 0o600)
    return os.fdopen(fd, "w", encoding="utf-8", newline="")


def _sync(fh: Any) -> None:
    fh.flush()
    os.fsync(fh.fileno())


def _fsync_dir(folder: Path) -> None:
    """Make a folder's entries (files created, renames) durable; a no-op where unsupported."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _move_into_place(fresh: Path, folder: Path, *, force: bool) -> None:
    """Rename ``fresh`` to ``folder``; with ``force`` the old export is moved aside first."""
    if not os.path.lexists(folder) or (
        folder.is_dir() and not folder.is_symlink() and not os.listdir(folder)
    ):
        try:
            os.rename(fresh, folder)
        except (FileExistsError, IsADirectoryError, NotADirectoryError):
            raise RefusedError(_exists_message(folder)) from None
        except OSError as exc:
            if exc.errno == errno.ENOTEMPTY:
                raise RefusedError(_exists_message(folder)) from None
            raise
        return
    if not force:
        raise RefusedError(_exists_message(folder))
    _check_target(folder, force=True)  # again, just before: it may have changed meanwhile
    aside = Path(tempfile.mkdtemp(prefix=".milepay-old-export-", dir=fresh.parent))
    old = aside / "export"
    try:
        os.rename(folder, old)
    except BaseException:
        os.rmdir(aside)
        raise
    try:
        os.rename(fresh, folder)
    except BaseException:
        try:
            os.rename(old, folder)  # put the old export back
        except OSError:
            raise RefusedError(
                f"the export could not replace {folder}, and the old export could not be put "
                f"back: it is in {old}"
            ) from None
        os.rmdir(aside)
        raise
    shutil.rmtree(aside, ignore_errors=True)
