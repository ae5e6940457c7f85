"""Exports in other formats than the CSV exchange format: Parquet and text files (a journal).

Every format follows the CSV export's folder rules (:mod:`tui.store.exchange.export`): a new
(or empty) folder, or ``force`` to replace an export milepay wrote; all files or none, written
0600 into a fresh 0700 folder beside the target and renamed into place; a ``.milepay-export``
marker. ``force`` recognises an export of *any* format (the marker and nothing but files some
format writes), so a Parquet export can replace a CSV one and the other way round.

Parquet
    One file per table of :data:`tui.store.schema.TABLES` (``clients.parquet`` ...), written by
    DuckDB's own writer (``COPY (SELECT * FROM t) TO 'f.parquet' (FORMAT parquet)``) inside one
    read transaction, under :func:`~tui.store.files.private_umask` so each file is 0600 from
    the moment DuckDB creates it. Types are DuckDB's: money stays ``DECIMAL(18,2)``, dates
    ``DATE``. As in the CSV export, mail settings and personal preferences are never written.

Text files
    :func:`export_text_files` writes files whose text the caller made (the hledger journal,
    built by :mod:`tui.analytics.journal` from the book's frames).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from tui.store.exchange.export import (
    EXPORT_FILES,
    MARKER,
    _write_new,
    write_export,
)
from tui.store.exchange.spec import CONFIG_KEYS
from tui.store.files import private_umask
from tui.store.schema import TABLES
from tui.store.store import Book

#: the formats ``milepay export --format`` writes
FORMATS = ("csv", "hledger", "parquet")
#: the hledger export's one file
JOURNAL_FILE = "milepay.journal"
PARQUET_FILES = tuple(f"{t}.parquet" for t in TABLES)
#: every file some export format writes: what ``force`` accepts in a folder it replaces
ANY_EXPORT_FILES = EXPORT_FILES


def export_parquet(book: Book, folder: Path, *, force: bool = False) -> list[Path]:
    """Write every table of the book as one Parquet file into the new folder ``folder``."""
    keys = ", ".join(repr(k) for k in CONFIG_KEYS)

    def write(fresh: Path) -> list[str]:
        with book.reading() as con, private_umask():
            for table, name in zip(TABLES, PARQUET_FILES, strict=True):
                where = f" WHERE key NOT IN ({keys})" if table == "settings" else ""
                target = str(fresh / name).replace("'", "''")
                con.execute(f"COPY (SELECT * FROM {table}{where}) TO '{target}' (FORMAT parquet)")
        for name in PARQUET_FILES:
            _fsync_file(fresh / name)
        return list(PARQUET_FILES)

    return write_export(folder, write, force=force)


def export_text_files(folder: Path, files: Mapping[str, str], *, force: bool = False) -> list[Path]:
    """Write ``files`` (name: text, names from :data:`ANY_EXPORT_FILES`) into the new ``folder``."""
    unknown = sorted(set(files) - ANY_EXPORT_FILES)
    if unknown or MARKER in files:
        raise ValueError(f"not files of an export format: {unknown or [MARKER]}")

    def write(fresh: Path) -> list[str]:
        with private_umask():
            for name, text in files.items():
                _write_new(fresh / name, text)
        return list(files)

    return write_export(folder, write, force=force)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


__all__ = [
    "ANY_EXPORT_FILES",
    "FORMATS",
    "JOURNAL_FILE",
    "PARQUET_FILES",
    "export_parquet",
    "export_text_files",
]
