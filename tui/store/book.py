"""The book file: opening, creating, migrating, and holding it only for a moment.

Two milepay processes share one file (SPEC 3). DuckDB lets a single process hold a file at a
time, and even a read-only open is refused while another process holds it read-write. So a
:class:`BookFile` never keeps a connection: every read and every write opens the file, does
its work in one transaction and closes it again. When the other process holds the file, the
open is retried with a short back-off for ``busy_timeout`` seconds (default 5, environment
``MILEPAY_BUSY_TIMEOUT``); only then does it raise :class:`BookBusyError` naming the process.
Each write bumps a change counter in the file, so a session can notice another's writes.
Threads of one process are serialised by a lock, since DuckDB also refuses to mix read-only
and read-write connections to one file inside a process; processes queue fairly on a lock file
in front of DuckDB's own lock (see :mod:`tui.store.files`).

Every connection is opened with ``autoinstall_known_extensions`` off: DuckDB 2.0.1, replaying
a WAL that holds ``ALTER TABLE ... ADD COLUMN`` on a table whose CHECK uses ``trim``, tries to
*download* its ``core_functions`` extension, so a crash between a migration's commit and its
checkpoint left a book that could not be opened offline. Autoloading what the installed DuckDB
already carries stays on (the replay needs ``trim``).

Only milepay books are opened: a file that is not DuckDB, or a DuckDB database without
milepay's ``schema_version`` and ``book_meta`` tables of the right shape and every table of
its version (an empty database, one with only views or macros, another program's
``schema_version``), is refused and left byte for byte as it was.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from tui.domain.dates import now_utc, today
from tui.domain.env import env_seconds
from tui.domain.model import DEFAULT_TEMPLATES
from tui.domain.reference_rates import SHIPPED_REFERENCE_RATES
from tui.store import audit
from tui.store.errors import BookBusyError, BookError, NotABookError, SchemaTooNewError
from tui.store.files import QueueTimeout, WritersQueue, lock_holder, make_private_dir, private_umask
from tui.store.schema import MIGRATION_DATA, MIGRATION_NOTES, MIGRATIONS, SCHEMA_VERSION, TABLES

#: DuckDB settings of every connection (see the module docstring)
CONNECT_CONFIG: dict[str, str | bool] = {"autoinstall_known_extensions": False}
#: DuckDB's block size for the books this program creates (the smallest it allows). Every table
#: and index of a book takes whole blocks and each write's checkpoint writes the tables it
#: changed to fresh blocks, so DuckDB's default 256 KiB made a new book 1.8 MB, 3.9 MB after one
#: client and the demo 10 MB; with 16 KiB they are about 160 KB, 320 KB and 750 KB (measured,
#: DuckDB 2.0.1). A file keeps the size it was created with; existing books are left as they are.
NEW_BOOK_BLOCK_SIZE = 16384
#: the settings of the connection that creates a book
CREATE_CONFIG: dict[str, str | bool] = {
    **CONNECT_CONFIG,
    "default_block_size": str(NEW_BOOK_BLOCK_SIZE),
}
_HELD = threading.local()

_LOCKS: dict[str, threading.RLock] = {}
_LOCKS_GUARD = threading.Lock()
_LOCK_PATTERNS = ("Could not set lock", "Conflicting lock")


def default_book_path(configured: Path | None = None) -> Path:
    """``$MILEPAY_DB``, else ``configured`` (the config file's book), else the data folder's.

    The caller reads the config file (the store knows nothing of it) and passes its ``book``.
    """
    env = os.environ.get("MILEPAY_DB", "").strip()
    if env:
        return Path(env).expanduser()
    if configured is not None:
        return configured.expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("milepay")) / "milepay.duckdb"


def _process_lock(path: Path) -> threading.RLock:
    key = str(path.resolve())
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(key, threading.RLock())


def _describe_process(pid: int | None) -> str:
    """'milepay (pid 4121)' or 'pid 4121' when the name cannot be read."""
    if pid is None:
        return "another process"
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        words = [w.decode(errors="replace") for w in raw if w]
        name = next((Path(w).name for w in words if "milepay" in w), Path(words[0]).name)
        return f"{name} (pid {pid})"
    except (OSError, IndexError):
        return f"pid {pid}"


def looks_like_duckdb(path: Path) -> bool:
    """True when the file carries DuckDB's header magic (bytes 8-12 are ``DUCK``)."""
    with path.open("rb") as fh:
        head = fh.read(12)
    return len(head) == 12 and head[8:12] == b"DUCK"


class BookFile:
    """A DuckDB book on disk, opened for a moment per read or write."""

    def __init__(self, path: Path | str, *, busy_timeout: float | None = None) -> None:
        self.path = Path(path).expanduser()
        if busy_timeout is None:
            busy_timeout = busy_timeout_from_env()
        self.busy_timeout = busy_timeout
        self._lock = _process_lock(self.path)
        self._queue = WritersQueue(self.path)
        #: what opening the book had to tell the user once (a migration that removed settings)
        self.notes: list[str] = []

    # ---- opening -------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str, *, create: bool = True, busy_timeout: float | None = None):
        """Open (and create or migrate) the book at ``path``; refuse what is not ours."""
        book = cls(path, busy_timeout=busy_timeout)
        book.prepare(create=create)
        return book

    def prepare(self, *, create: bool = True) -> None:
        """Check the file, create it (mode 0600) or migrate it after a backup copy."""
        if self.path.is_dir():
            raise NotABookError(f"{self.path} is a folder, not a milepay book")
        if not self.path.exists():
            if not create:
                raise BookError(f"{self.path} does not exist")
            self._create()
            return
        if self.path.stat().st_size == 0 or not looks_like_duckdb(self.path):
            raise NotABookError(
                f"{self.path} is not a milepay book (not a DuckDB database); it was left untouched"
            )
        version = self._read_version()
        if version > SCHEMA_VERSION:
            raise SchemaTooNewError(
                f"{self.path} was written by a newer milepay (book schema {version}, this "
                f"program knows up to {SCHEMA_VERSION}); upgrade milepay. The file was left untouched."
            )
        if version < SCHEMA_VERSION:
            self._migrate(version)

    def _create(self) -> None:
        make_private_dir(self.path.parent)
        with self._connect(read_only=False, config=CREATE_CONFIG) as con:  # small blocks
            self._run_migrations(con, 0)  # one transaction
            con.execute("CHECKPOINT")  # the schema in the file, no WAL left (VACUUM adds nothing)

    def _read_version(self) -> int:
        """The book's schema version, after checking that the file is a milepay book."""
        try:
            with self._connect(read_only=True) as con:
                return self._check_is_book(con)
        except duckdb.Error as exc:
            raise NotABookError(
                f"{self.path} cannot be read as a milepay book ({_first_line(exc)}); it was left untouched"
            ) from None

    def _check_is_book(self, con: duckdb.DuckDBPyConnection) -> int:
        def refuse(why: str) -> NotABookError:
            return NotABookError(
                f"{self.path} is a DuckDB database but not a milepay book ({why}); "
                "it was left untouched"
            )

        def names(sql: str) -> set[str]:
            return {r[0] for r in con.execute(sql).fetchall()}

        tables = names("SELECT table_name FROM duckdb_tables() WHERE NOT internal")
        views = names("SELECT view_name FROM duckdb_views() WHERE NOT internal")
        macros = names(
            "SELECT function_name FROM duckdb_functions() WHERE NOT internal "
            "AND function_type IN ('macro', 'table_macro')"
        )
        if not tables and not views and not macros:
            raise refuse("it is empty")
        if views or macros:
            raise refuse("it holds views or macros, which milepay never makes")
        if "schema_version" not in tables or "book_meta" not in tables:
            raise refuse("it has no milepay schema_version and book_meta tables")
        shape = con.execute(
            "SELECT table_name, column_name, data_type FROM duckdb_columns() "
            "WHERE table_name IN ('schema_version', 'book_meta') ORDER BY table_name, column_index"
        ).fetchall()
        expected = [
            ("book_meta", "key", "VARCHAR"),
            ("book_meta", "value", "VARCHAR"),
            ("schema_version", "version", "INTEGER"),
        ]
        if shape != expected:
            raise refuse("its schema_version or book_meta table is another program's")
        versions = [r[0] for r in con.execute("SELECT version FROM schema_version").fetchall()]
        counter = con.execute("SELECT value FROM book_meta WHERE key = 'change_counter'").fetchone()
        if len(versions) != 1 or versions[0] is None or versions[0] < 1 or counter is None:
            raise refuse("its schema_version or book_meta rows are not milepay's")
        version = int(versions[0])
        missing = sorted(set(TABLES) - tables)
        if version <= SCHEMA_VERSION and missing:
            raise refuse(f"tables missing: {', '.join(missing)}")
        return version

    def _migrate(self, version: int) -> None:
        with self._connect(read_only=False) as con:
            con.execute("CHECKPOINT")
            backup = self.path.with_name(f"{self.path.name}.v{version}.bak")
            n = 1
            while backup.exists():
                n += 1
                backup = self.path.with_name(f"{self.path.name}.v{version}.{n}.bak")
            shutil.copyfile(self.path, backup)  # 0600 from the start: inside private_umask
            self.notes.extend(self._run_migrations(con, version))

    @staticmethod
    def _run_migrations(con: duckdb.DuckDBPyConnection, version: int) -> list[str]:
        """Bring the book from ``version`` to :data:`SCHEMA_VERSION` in one transaction.

        Returns what the user should be told once (see :data:`MIGRATION_NOTES`).
        """
        notes: list[str] = []
        con.execute("BEGIN TRANSACTION")
        try:
            for v in range(version + 1, SCHEMA_VERSION + 1):
                if v in MIGRATION_NOTES and version > 0:
                    note = MIGRATION_NOTES[v](con)
                    if note:
                        notes.append(note)
                con.execute(MIGRATIONS[v])
                if v == 1:
                    _seed_new_book(con)
                if v in MIGRATION_DATA:
                    MIGRATION_DATA[v](con)
            con.execute("DELETE FROM schema_version")
            con.execute("INSERT INTO schema_version VALUES (?)", [SCHEMA_VERSION])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return notes

    # ---- holding the file for a moment -----------------------------------------------------

    @contextlib.contextmanager
    def _connect(
        self, *, read_only: bool, config: dict[str, str | bool] = CONNECT_CONFIG
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """Hold the book for one piece of work: thread lock, the writers' queue, then DuckDB.

        Everything is created under a 077 umask, so the WAL DuckDB makes beside the book is
        0600 from its first byte.
        """
        with self._lock, private_umask():
            deadline = time.monotonic() + self.busy_timeout
            with self._queued(exclusive=not read_only):
                con = self._open_with_retry(read_only=read_only, deadline=deadline, config=config)
                try:
                    yield con
                finally:
                    con.close()

    @contextlib.contextmanager
    def _queued(self, *, exclusive: bool) -> Iterator[None]:
        """The lock-file queue, taken once per thread (nested work reuses the outer hold)."""
        held: set[str] = getattr(_HELD, "paths", None) or set()
        _HELD.paths = held
        key = str(self.path)
        if key in held:
            yield
            return
        try:
            with self._queue.hold(exclusive=exclusive, timeout=self.busy_timeout):
                held.add(key)
                try:
                    yield
                finally:
                    held.discard(key)
        except QueueTimeout:
            raise self._busy(lock_holder(self._queue.path)) from None

    def _busy(self, pid: int | None) -> BookBusyError:
        return BookBusyError(
            f"The book {self.path} is busy: {_describe_process(pid)} is using it. "
            "Try again in a moment.",
            pid,
        )

    def _open_with_retry(
        self, *, read_only: bool, deadline: float, config: dict[str, str | bool] = CONNECT_CONFIG
    ) -> duckdb.DuckDBPyConnection:
        delay = 0.01
        while True:
            try:
                return duckdb.connect(str(self.path), read_only=read_only, config=config)
            except duckdb.IOException as exc:
                text = str(exc)
                if not any(p in text for p in _LOCK_PATTERNS):
                    if "not a valid DuckDB database" in text:
                        raise NotABookError(
                            f"{self.path} is not a milepay book; it was left untouched"
                        ) from None
                    raise BookError(f"{self.path} cannot be opened: {_first_line(exc)}") from None
                if time.monotonic() >= deadline:
                    m = re.search(r"PID (\d+)", text)
                    raise self._busy(int(m.group(1)) if m else None) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.2)

    @contextlib.contextmanager
    def reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection for one consistent read (one transaction)."""
        with self._connect(read_only=True) as con:
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
            finally:
                con.execute("ROLLBACK")

    @contextlib.contextmanager
    def writing(self, action: str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """One write transaction: it lands whole, bumping the change counter and adding its
        audit row (``tui.store.audit``), or not at all.

        ``action`` names it in the audit log; by default the name of the store method that
        opened the transaction (``record_payment``).
        """
        if action is None:
            caller = sys._getframe(2)  # the method that entered ``with self.writing()``
            action = caller.f_code.co_name
        with self._connect(read_only=False) as con, audit.recording(action) as recorder:
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
                if SCHEMA_VERSION >= audit.SINCE_SCHEMA:  # (tests write books of older schemas)
                    audit.write_entry(con, recorder, now_utc().replace(tzinfo=None))
                con.execute(
                    "UPDATE book_meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) "
                    "WHERE key = 'change_counter'"
                )
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise

    def change_count(self) -> int:
        """How many write transactions the book has seen (to notice another process's writes)."""
        with self.reading() as con:
            row = con.execute("SELECT value FROM book_meta WHERE key = 'change_counter'").fetchone()
        return int(row[0]) if row else 0

    def backup(self, dest: Path | str | None = None) -> Path:
        """Copy the whole book (checkpointed, held while copying) to ``dest``; return the path."""
        if dest is None:
            stamp = today().isoformat()
            target = self.path.with_name(f"{self.path.stem}-{stamp}.duckdb")
            n = 1
            while target.exists():
                n += 1
                target = self.path.with_name(f"{self.path.stem}-{stamp}-{n}.duckdb")
        else:
            target = Path(dest).expanduser()
            if target.is_dir():
                target = target / self.path.name
        if target.exists():
            raise BookError(f"{target} already exists; choose another destination")
        if target.resolve() == self.path.resolve():
            raise BookError("the backup cannot be the book itself")
        with self._connect(read_only=False) as con:
            con.execute("CHECKPOINT")
            shutil.copyfile(self.path, target)  # 0600 from the start: inside private_umask
        return target


def busy_timeout_from_env() -> float:
    """``MILEPAY_BUSY_TIMEOUT`` in seconds (default 5); a bad value names the variable."""
    return env_seconds("MILEPAY_BUSY_TIMEOUT", 5.0)


def _seed_new_book(con: duckdb.DuckDBPyConnection) -> None:
    """Starting values of a version-1 book: shipped reference rates and message templates.

    Only the steps version 1 knows; later versions add theirs (:data:`MIGRATION_DATA`), for
    new and migrated books alike.
    """
    # one statement per table: a statement per row made creating a book 4x slower
    rates = list(SHIPPED_REFERENCE_RATES)
    con.execute(
        "INSERT INTO reference_rates VALUES " + ", ".join("(?, ?, ?)" for _ in rates),
        [v for row in rates for v in row],
    )
    steps = ("reminder", "firm", "escalate", "legal")
    con.execute(
        "INSERT INTO message_templates VALUES " + ", ".join("(?, ?, ?)" for _ in steps),
        [v for step in steps for v in (step, *DEFAULT_TEMPLATES[step])],
    )


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
