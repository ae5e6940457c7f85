"""kill -9 at random moments (seeded): during writes, an import and a migration (issue 8).

After every kill the book opens and holds exactly what was acknowledged (plus at most the
write in flight), an import all or nothing, a migration the old or the new version whole.
Each victim is a process forked from a :class:`~reliability_helpers.Zygote` (milepay already
imported), so a round costs the work, not Python's start-up.
"""

from __future__ import annotations

import random
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from reliability_helpers import (
    WRITER,
    Forked,
    Zygote,
    mode,
    wait_for,
    write_import_folder,
    write_lock_held,
)

from tui.domain import Client
from tui.store import Book, schema
from tui.store.book import CONNECT_CONFIG


def _lock(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


@pytest.fixture(scope="module")
def zygote(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Zygote]:
    """A process that forks the victims, under a user's usual 022 umask (so 0600 must come
    from milepay itself); one for the module, a fresh scratch folder per job."""
    z = Zygote(tmp_path_factory.mktemp("jobs"), umask=0o022)
    try:
        yield z
    finally:
        z.close()


# ---- 1. kill -9 while writing in a loop -----------------------------------------------------

WRITE_ROUNDS = 8


def test_kill_9_during_writes_loses_no_acknowledged_write(book_path: Path, zygote: Zygote) -> None:
    Book.open(book_path)
    rng = random.Random(8001)
    landed_total = 0
    wals = 0
    for r in range(WRITE_ROUNDS):
        job = zygote.start(WRITER, book_path, f"r{r}", 0)
        wanted = rng.randint(0, 4)  # let a few writes land, then kill at a random moment
        assert wait_for(lambda: len(job.lines()) >= wanted, timeout=30, interval=0.002)  # noqa: B023
        time.sleep(rng.uniform(0.0, 0.06))  # about one write's length
        assert zygote.kill(job) == -9, job.stderr()
        lines = job.lines()
        assert all(w.startswith("ack ") for w in lines), lines  # no busy refusal either
        acked = [w.split()[1] for w in lines]
        if _wal(book_path).exists():  # killed between a commit and the close
            wals += 1
            assert mode(_wal(book_path)) == 0o600
        assert mode(book_path) == 0o600 and mode(_lock(book_path)) == 0o600

        book = Book.open(book_path)
        names = [row["name"] for row in book.rows("clients")]
        mine = {n for n in names if n.startswith(f"r{r}-")}
        assert set(acked) <= mine, f"round {r}: acknowledged writes lost"
        landed = len(mine)
        # at most the write in flight landed unacknowledged, and writes land in order
        assert landed - len(acked) in (0, 1), f"round {r}: {sorted(mine)} vs {acked}"
        assert mine == {f"r{r}-{i}" for i in range(landed)}
        landed_total += landed
        assert len(names) == landed_total
        assert book.change_count() == landed_total  # one bump per write that landed
    assert landed_total >= WRITE_ROUNDS  # the rounds did write (about 2 per round)
    print(f"\nkill during writes: {WRITE_ROUNDS} kills, {landed_total} writes, {wals} WALs left")


# ---- 2. kill -9 during an import ------------------------------------------------------------

IMPORTER = r"""
import sys
from tui.cli import main
main(["import", sys.argv[1], "--db", sys.argv[2]])
"""

IMPORT_CLIENTS = 40  # x 5 contracts x 10 milestones: about half a second to import
#: how each round kills: run to the end, at a random moment, or while it holds the write lock
IMPORT_ROUNDS = ("whole", "random", "writing", "random", "writing")


def _all_counts(path: Path) -> tuple[dict[str, int], int]:
    book = Book.open(path)
    return book.counts(), book.change_count()


def _kill_at_random(
    zygote: Zygote, job: Forked, how: str, lock: Path, spread: tuple[float, float],
    rng: random.Random,
) -> bool:  # fmt: skip
    """Kill ``job`` ``random``: after ``spread[0]`` s at most, or ``writing``: at most
    ``spread[1]`` s after it took the write lock. True when it held that lock when killed."""
    if how == "random":
        time.sleep(rng.uniform(0.05, spread[0]))
    else:
        wait_for(lambda: write_lock_held(lock, job.pid), timeout=spread[0] + 10)
        time.sleep(rng.uniform(0.0, spread[1]))
    held = write_lock_held(lock, job.pid)
    code = zygote.kill(job)
    assert code in (-9, 0), job.stderr()
    return held and code == -9


def test_kill_9_during_an_import_leaves_all_or_nothing(tmp_path: Path, zygote: Zygote) -> None:
    folder = tmp_path / "folder"
    write_import_folder(folder, clients=IMPORT_CLIENTS, contracts=5, milestones=10)
    base = tmp_path / "base.duckdb"
    Book.open(base).add_client(Client(name="Already here"))
    assert not _wal(base).exists()
    before, counter = _all_counts(base)
    after = dict(before)
    after["clients"] += IMPORT_CLIENTS
    after["contracts"] += IMPORT_CLIENTS * 5
    after["milestones"] += IMPORT_CLIENTS * 50

    rng = random.Random(8002)
    outcomes: list[str] = []
    held_at_kill = 0
    whole = 0.0
    for i, how in enumerate(IMPORT_ROUNDS):
        path = tmp_path / f"round{i}.duckdb"
        shutil.copyfile(base, path)
        started = time.monotonic()
        job = zygote.start(IMPORTER, folder, path)
        if how == "whole":
            assert zygote.wait() == 0, job.stderr()
            whole = time.monotonic() - started
            assert job.lines() == ["Imported 40 clients, 200 contracts, 2000 milestones"]
        else:
            # writing 2,000 milestones is the last ~0.1 s of the import
            spread = (whole, 0.04)
            held_at_kill += _kill_at_random(zygote, job, how, _lock(path), spread, rng)
        counts, now = _all_counts(path)
        if counts == before and now == counter:
            outcomes.append(f"{how}: nothing")
        elif counts == after and now == counter + 1:
            outcomes.append(f"{how}: all")
        else:
            pytest.fail(f"round {i} ({how}): part of the import is in the book: {counts}")
    print(f"\nkill during an import ({whole:.2f} s uncut): {', '.join(outcomes)}")
    assert outcomes[0] == "whole: all"
    assert held_at_kill >= 1, "no kill landed while the import held the book for writing"


# ---- 3. kill -9 during a migration ----------------------------------------------------------

NEXT = schema.SCHEMA_VERSION + 1
#: an extra migration that takes a moment: a new column, then every row rewritten
SLOW_MIGRATION = (
    "ALTER TABLE clients ADD COLUMN vat_id VARCHAR DEFAULT '';"
    "UPDATE clients SET vat_id = 'VAT-' || id, notes = repeat('n', 30) || id"
)
MIGRATOR = r"""
import sys
from tui.store import book as book_mod, schema
NEXT = schema.SCHEMA_VERSION + 1
schema.MIGRATIONS[NEXT] = sys.argv[2]
book_mod.SCHEMA_VERSION = NEXT
from tui.store import Book
Book.open(sys.argv[1])
print("migrated", flush=True)
"""
CLIENTS = 40_000
MIGRATION_ROUNDS = ("whole", "random", "writing", "random", "writing")


def _state(path: Path) -> tuple[int, int, int]:
    """(schema version, clients, clients carrying the new column's values) read raw."""
    con = duckdb.connect(str(path), read_only=True, config=CONNECT_CONFIG)
    try:
        version = con.execute("SELECT version FROM schema_version").fetchone()[0]
        columns = {
            r[0]
            for r in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = 'clients'"
            ).fetchall()
        }
        n = con.execute("SELECT count(*) FROM clients").fetchone()[0]
        tagged = 0
        if "vat_id" in columns:
            tagged = con.execute(
                "SELECT count(*) FROM clients WHERE vat_id = 'VAT-' || id "
                "AND notes = repeat('n', 30) || id"
            ).fetchone()[0]
        return int(version), int(n), int(tagged)
    finally:
        con.close()


def test_kill_9_during_a_migration_leaves_the_old_or_the_new_version(
    tmp_path: Path, zygote: Zygote, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = tmp_path / "base.duckdb"
    book = Book.open(base)
    with book.writing() as con:
        con.execute(
            "INSERT INTO clients (id, name) "
            f"SELECT i, 'Client ' || i FROM range(1, {CLIENTS + 1}) t(i)"
        )
    assert not _wal(base).exists()
    old = (schema.SCHEMA_VERSION, CLIENTS, 0)
    new = (NEXT, CLIENTS, CLIENTS)
    assert _state(base) == old

    rng = random.Random(8003)
    outcomes: list[str] = []
    whole = 0.0
    for i, how in enumerate(MIGRATION_ROUNDS):
        path = tmp_path / f"m{i}" / "book.duckdb"
        path.parent.mkdir()
        shutil.copyfile(base, path)
        started = time.monotonic()
        job = zygote.start(MIGRATOR, path, SLOW_MIGRATION)
        if how == "whole":
            assert zygote.wait() == 0 and job.lines() == ["migrated"], job.stderr()
            whole = time.monotonic() - started
        else:
            # the migration holds the write lock throughout (backup copy included)
            _kill_at_random(zygote, job, how, _lock(path), (whole, whole), rng)
        state = _state(path)
        assert state in (old, new), f"round {i} ({how}): {state}"
        outcomes.append(f"{how}: {'new' if state == new else 'old'}")
        if state == old:
            assert Book.open(path).counts()["clients"] == CLIENTS  # today's milepay opens it
        else:
            # the copy taken before the migration is whole, at the old version
            backups = sorted(path.parent.glob("book.duckdb.v*.bak"))
            assert backups and _state(backups[-1]) == old
        with monkeypatch.context() as m:  # the next milepay finishes (or finds) the migration
            m.setitem(schema.MIGRATIONS, NEXT, SLOW_MIGRATION)
            m.setattr("tui.store.book.SCHEMA_VERSION", NEXT)
            assert Book.open(path).counts()["clients"] == CLIENTS
        assert _state(path) == new
    print(f"\nkill during a migration ({whole:.2f} s uncut): {', '.join(outcomes)}")
    assert outcomes[0] == "whole: new"
