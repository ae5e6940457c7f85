"""The book is safe to migrate and private: foreign files, file modes, crash after a migration."""

from __future__ import annotations

import fcntl
import os
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tui.domain import Client, ValidationError
from tui.store import Book, BookBusyError, NotABookError, schema
from tui.store.book import BookFile, busy_timeout_from_env

ROOT = Path(__file__).resolve().parent.parent


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The usual 022 umask, as a user's shell has it (so 0600 must come from milepay)."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _v1_book(path: Path, monkeypatch: pytest.MonkeyPatch, settings: dict[str, str]) -> None:
    """A book as milepay 0.1 wrote it (schema 1), holding ``settings``."""
    monkeypatch.setattr("tui.store.book.SCHEMA_VERSION", 1)
    book = Book.open(path)
    book.add_client(Client(name="Acme"))
    with book.writing() as con:
        for key, value in settings.items():
            con.execute("INSERT INTO settings VALUES (?, ?)", [key, value])
    monkeypatch.setattr("tui.store.book.SCHEMA_VERSION", schema.SCHEMA_VERSION)


# ---- foreign DuckDB files -------------------------------------------------------------------

FOREIGN = {
    "empty": "",
    "only a view": "CREATE VIEW v AS SELECT 1 AS x",
    "only a macro": "CREATE MACRO plus_one(x) AS x + 1",
    "another app's schema_version": (
        "CREATE TABLE schema_version (id INTEGER, applied_at TIMESTAMP);"
        "INSERT INTO schema_version VALUES (1, now())"
    ),
    "schema_version of text": (
        "CREATE TABLE schema_version (version VARCHAR); INSERT INTO schema_version VALUES ('abc')"
    ),
    "schema_version without book_meta": (
        "CREATE TABLE schema_version (version INTEGER); INSERT INTO schema_version VALUES (1)"
    ),
    "milepay's two tables and nothing else": (
        "CREATE TABLE schema_version (version INTEGER); INSERT INTO schema_version VALUES (1);"
        "CREATE TABLE book_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);"
        "INSERT INTO book_meta VALUES ('change_counter', '0')"
    ),
    "a view beside milepay's tables": "CREATE VIEW owed AS SELECT 1 AS x",
}


@pytest.mark.parametrize("shape", list(FOREIGN))
def test_foreign_duckdb_files_of_every_shape_are_refused_untouched(
    tmp_path: Path, shape: str
) -> None:
    path = tmp_path / "other.duckdb"
    if shape == "a view beside milepay's tables":
        Book.open(path)
    con = duckdb.connect(str(path))
    if FOREIGN[shape]:
        con.execute(FOREIGN[shape])
    con.execute("CHECKPOINT")
    con.close()
    before = path.read_bytes()
    mtime = path.stat().st_mtime_ns
    with pytest.raises(NotABookError) as exc:
        Book.open(path)
    message = str(exc.value)
    assert "not a milepay book" in message and "left untouched" in message
    assert "\n" not in message
    assert path.read_bytes() == before
    assert path.stat().st_mtime_ns == mtime
    assert not path.with_name("other.duckdb.wal").exists()


# ---- migration 2: mail and preferences leave the book ---------------------------------------


def test_migration_removes_mail_settings_and_says_so_once(
    book_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _v1_book(
        book_path,
        monkeypatch,
        {
            "business_name": "Studio Nord",
            "theme": "light",
            "smtp_host": "mail.evil.example",
            "smtp_port": "2525",
            "smtp_password_file": "/home/me/.ssh/id_ed25519",
            "message_folder": "/tmp/x",
        },
    )
    book = Book.open(book_path)
    assert len(book.notes) == 1
    assert "host = mail.evil.example" in book.notes[0] and "port = 2525" in book.notes[0]
    assert "id_ed25519" not in book.notes[0]  # a file name is not repeated back
    with book.reading() as con:
        keys = dict(con.execute("SELECT key, value FROM settings").fetchall())
    assert keys == {"business_name": "Studio Nord"}
    assert book.settings().business_name == "Studio Nord"
    backup = book_path.with_name("book.duckdb.v1.bak")
    assert _mode(backup) == 0o600
    assert Book.open(book_path).notes == []  # said once: the next open has nothing to say


def test_migration_without_mail_settings_says_nothing(
    book_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _v1_book(book_path, monkeypatch, {"theme": "light"})
    assert Book.open(book_path).notes == []


# ---- files are private from the moment they exist -------------------------------------------


def test_book_wal_folder_lock_and_backup_are_private(tmp_path: Path, loose_umask: None) -> None:
    path = tmp_path / "new" / "folder" / "book.duckdb"
    book = Book.open(path)
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700 and _mode(path.parent.parent) == 0o700
    wal = path.with_name("book.duckdb.wal")
    with book.writing() as con:
        con.execute("INSERT INTO clients (id, name) VALUES (1, 'Acme')")
    with book.writing() as con:
        con.execute("UPDATE clients SET notes = 'x' WHERE id = 1")
        # DuckDB writes the WAL at commit; look at it while the next write holds the file
        if wal.exists():
            assert _mode(wal) == 0o600
    assert _mode(path.with_name("book.duckdb.lock")) == 0o600
    assert _mode(book.backup()) == 0o600
    assert os.umask(0o022) == 0o022  # milepay gave the process its umask back


def test_wal_left_by_a_crash_is_private(book_path: Path, loose_umask: None) -> None:
    Book.open(book_path)
    script = textwrap.dedent(
        f"""
        import os, signal
        from tui.store import Book
        book = Book.open({str(book_path)!r})
        with book._connect(read_only=False) as con:  # milepay's own open, killed before close
            con.execute("INSERT INTO clients (id, name) VALUES (7, 'Acme')")
            os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=False)
    wal = book_path.with_name("book.duckdb.wal")
    assert wal.exists(), "the killed process should leave its WAL behind"
    assert _mode(wal) == 0o600
    assert Book.open(book_path).get("clients", 7)["name"] == "Acme"


# ---- a crash right after a migration --------------------------------------------------------

_MIGRATE_AND_DIE = """
import os, signal, sys
from tui.store import book as book_mod, schema
NEXT = schema.SCHEMA_VERSION + 1
schema.MIGRATIONS[NEXT] = "ALTER TABLE clients ADD COLUMN vat_id VARCHAR DEFAULT ''"
book_mod.SCHEMA_VERSION = NEXT
if sys.argv[1] == "migrate":
    original = book_mod.BookFile._run_migrations
    def run_then_die(con, version):
        notes = original(con, version)
        os.kill(os.getpid(), signal.SIGKILL)  # committed, not yet checkpointed
        return notes
    book_mod.BookFile._run_migrations = staticmethod(run_then_die)
from tui.store import Book
book = Book.open(sys.argv[2])
print([r["vat_id"] for r in book.rows("clients")], book.counts()["clients"])
"""


def test_a_kill_between_a_migrations_commit_and_checkpoint_leaves_a_book_that_opens(
    book_path: Path,
) -> None:
    book = Book.open(book_path)
    book.add_client(Client(name="Acme"))
    book.add_client(Client(name="Bright Ideas"))
    died = subprocess.run(
        [sys.executable, "-c", _MIGRATE_AND_DIE, "migrate", str(book_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert died.returncode == -9, died.stderr
    wal = book_path.with_name("book.duckdb.wal")
    assert wal.exists() and wal.stat().st_size > 0, "the migration should be in the WAL only"
    # the WAL holds ALTER TABLE ADD COLUMN on a table with a trim() CHECK: replaying it must
    # not try to download an extension (there is no network here, as on a home server)
    reopened = subprocess.run(
        [sys.executable, "-c", _MIGRATE_AND_DIE, "open", str(book_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "HOME": str(book_path.parent)},  # no extension cache to fall back on
    )
    assert reopened.returncode == 0, reopened.stderr
    assert reopened.stdout.strip() == "['', ''] 2"


# ---- the busy timeout and the writers' queue ------------------------------------------------


@pytest.mark.parametrize("raw", ["abc", "-1", "nan", "inf", "1e9", "５"])
def test_bad_busy_timeout_names_the_variable(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("MILEPAY_BUSY_TIMEOUT", raw)
    with pytest.raises(ValidationError) as exc:
        busy_timeout_from_env()
    assert exc.value.field == "MILEPAY_BUSY_TIMEOUT"
    assert str(exc.value).startswith("MILEPAY_BUSY_TIMEOUT: ")


def test_busy_timeout_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MILEPAY_BUSY_TIMEOUT", "0.5")
    assert busy_timeout_from_env() == 0.5
    monkeypatch.setenv("MILEPAY_BUSY_TIMEOUT", "")
    assert busy_timeout_from_env() == 5.0


_HOLD_QUEUE = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(float(sys.argv[2]))
"""


def _hold_queue(book_path: Path, seconds: float) -> subprocess.Popen[str]:
    lock = str(book_path.with_name(book_path.name + ".lock"))
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLD_QUEUE, lock, str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_a_writer_waits_its_turn_in_the_queue(book_path: Path) -> None:
    book = Book.open(book_path)
    holder = _hold_queue(book_path, 0.6)
    start = time.monotonic()
    book.add_client(Client(name="Acme"))  # waits in the kernel until the holder lets go
    waited = time.monotonic() - start
    holder.wait()
    assert 0.3 < waited < 3.0
    assert book.counts()["clients"] == 1


def test_a_held_queue_is_said_plainly_with_the_pid(book_path: Path) -> None:
    book = Book.open(book_path)
    fast = BookFile(book_path, busy_timeout=0.3)
    holder = _hold_queue(book_path, 5)
    try:
        with pytest.raises(BookBusyError) as exc, fast.writing():
            pass
        assert exc.value.pid == holder.pid
        assert f"pid {holder.pid}" in str(exc.value) and "Try again" in str(exc.value)
    finally:
        holder.kill()
        holder.wait()
    book.add_client(Client(name="Acme"))  # the kernel released the dead holder's lock
    assert book.counts()["clients"] == 1


def test_readers_share_the_queue(book_path: Path) -> None:
    Book.open(book_path)
    lock = book_path.with_name(book_path.name + ".lock")
    fd = os.open(lock, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_SH)  # another reader, in this process but another descriptor
    try:
        assert BookFile(book_path, busy_timeout=0.2).change_count() == 0
    finally:
        os.close(fd)


# ---- edits carry the version they were opened on --------------------------------------------


def test_a_stale_edit_is_refused_and_writes_nothing(book_path: Path) -> None:
    from tui.domain import StaleEditError

    mine = Book.open(book_path)
    cid = mine.add_client(Client(name="Acme", email="old@acme.example"))
    opened = mine.get("clients", cid)  # the form opens on this row
    other = Book.open(book_path)  # another login edits the same client meanwhile
    other.update_client(cid, Client(name="Acme", email="new@acme.example"))
    count = mine.change_count()
    with pytest.raises(StaleEditError) as exc:
        mine.update_client(cid, Client(name="Acme Ltd", email="old@acme.example"), expected=opened)
    assert exc.value.changed == {"email": ("old@acme.example", "new@acme.example")}
    assert exc.value.current["email"] == "new@acme.example"
    assert "changed elsewhere" in str(exc.value) and "email" in str(exc.value)
    assert mine.change_count() == count
    assert mine.get("clients", cid)["name"] == "Acme"
    # deciding to keep mine: save again on the row as it is now
    mine.update_client(cid, Client(name="Acme Ltd", email="old@acme.example"),
                       expected=exc.value.current)  # fmt: skip
    assert mine.get("clients", cid)["email"] == "old@acme.example"


def test_a_change_to_a_field_the_form_does_not_write_is_no_conflict(book_path: Path) -> None:
    book = Book.open(book_path)
    cid = book.add_client(Client(name="Acme"))
    opened = book.get("clients", cid)
    book.set_client_archived(cid, True)  # elsewhere: archived, a field the form does not edit
    book.update_client(cid, Client(name="Acme", notes="pays late"), expected=opened)
    row = book.get("clients", cid)
    assert row["notes"] == "pays late" and row["archived"] is True


def test_a_stale_settings_form_is_refused(book_path: Path) -> None:
    from tui.domain import StaleEditError

    book = Book.open(book_path)
    opened = book.settings_text()
    Book.open(book_path).save_settings({"business_name": "Studio Nord"})
    with pytest.raises(StaleEditError) as exc:
        book.save_settings({"business_name": "Studio Süd"}, expected=opened)
    assert exc.value.changed == {"business_name": ("", "Studio Nord")}
    # a key the form did not change is saved over a stale copy of another key
    book.save_settings({"home_currency": "GBP"}, expected=opened)
    assert book.settings().business_name == "Studio Nord"
    assert book.settings().home_currency == "GBP"
