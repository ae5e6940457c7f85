"""A fresh book is small (issue 14): new books are created with DuckDB's smallest block size.

Measured with DuckDB 2.0.1: a new book 160 KB (1.8 MB with the default 256 KiB blocks), 320 KB
after one client (3.9 MB), the demo 750 KB (10 MB). The bounds leave about 2x of margin and
are far below what the default blocks give.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from tui.domain.model import Client, Contact
from tui.store import Book
from tui.store.book import NEW_BOOK_BLOCK_SIZE
from tui.store.demo import write_demo

KB = 1024


def _block_size(path: Path) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        row = con.execute("SELECT block_size FROM pragma_database_size()").fetchone()
    finally:
        con.close()
    assert row is not None
    return int(row[0])


def test_a_new_book_is_small_and_stays_small_after_a_client(tmp_path: Path) -> None:
    path = tmp_path / "book.duckdb"
    book = Book.open(path)
    assert path.stat().st_size < 400 * KB
    assert not path.with_name("book.duckdb.wal").exists()  # checkpointed: all in the file
    book.add_client(Client(name="Acme"), [Contact(name="Pat", role="payer")])
    assert path.stat().st_size < 700 * KB
    assert _block_size(path) == NEW_BOOK_BLOCK_SIZE == 16384
    assert Book.open(path).frames().clients["name"].to_list() == ["Acme"]  # reopens as usual


def test_the_demo_book_is_small(tmp_path: Path) -> None:
    path = tmp_path / "demo.duckdb"
    write_demo(Book.open(path), dt.date(2026, 11, 24))
    assert path.stat().st_size < 2 * KB * KB
    assert not path.with_name("demo.duckdb.wal").exists()


def test_a_book_made_with_the_default_blocks_still_opens(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    old = Book(path)
    with old._connect(read_only=False) as con:  # as books were created before issue 14
        old._run_migrations(con, 0)
    assert _block_size(path) == 262144
    book = Book.open(path)
    book.add_client(Client(name="Acme"))
    assert book.frames().clients["name"].to_list() == ["Acme"]
    assert _block_size(path) == 262144  # left as it was made
