"""Every file milepay writes is private under a loose umask (issue 8).

The test sets the usual 022 umask, runs what writes files (a demo book in new folders, an
import into a new book, a report, backups, a migration's backup, an export, saved chase
messages) inside one fresh folder, then walks that folder: every file must be 0600 and
every folder 0700, whoever made it. The WAL during a write and after a kill is checked by
the contention and kill tests, from other processes.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from reliability_helpers import mode

from tui.cli import main
from tui.domain import Client
from tui.store import Book, schema

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"


@pytest.fixture
def umask_022() -> Iterator[None]:
    """A user's usual umask: anything not 0600 / 0700 would come out 0644 / 0755."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _loose(root: Path) -> list[str]:
    """Everything under ``root`` (not ``root`` itself) that is not 0600 file / 0700 folder."""
    found = []
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            st = os.lstat(path)
            want = 0o700 if stat.S_ISDIR(st.st_mode) else 0o600
            if not (stat.S_ISDIR(st.st_mode) or stat.S_ISREG(st.st_mode)):
                found.append(f"{path.relative_to(root)}: not a file or folder")
            elif stat.S_IMODE(st.st_mode) != want:
                found.append(f"{path.relative_to(root)}: {stat.S_IMODE(st.st_mode):04o}")
    return sorted(found)


def test_books_folders_backups_and_locks_are_private(
    tmp_path: Path, umask_022: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "home"
    root.mkdir()
    assert mode(root) == 0o755  # the umask is really loose
    book = root / "new" / "deeper" / "book.duckdb"
    _run("demo", "--db", str(book), "--as-of", "2026-11-24")
    _run("report", "aging", "--db", str(book))
    _run("backup", "--db", str(book))  # beside it, named with today's date
    _run("backup", "--db", str(book), str(book.with_name("copy.duckdb")))
    _run("import", str(SAMPLE), "--db", str(root / "imported" / "a" / "book.duckdb"))

    # a book written by milepay 0.1 (schema 1) is copied aside before it is migrated
    old = root / "old" / "book.duckdb"
    monkeypatch.setattr("tui.store.book.SCHEMA_VERSION", 1)
    Book.open(old).add_client(Client(name="Acme"))
    monkeypatch.setattr("tui.store.book.SCHEMA_VERSION", schema.SCHEMA_VERSION)
    Book.open(old)

    made = sorted(str(p.relative_to(root)) for p in root.rglob("*"))
    assert {
        "new/deeper/book.duckdb",
        "new/deeper/book.duckdb.lock",
        "new/deeper/book-2026-11-24.duckdb",
        "new/deeper/copy.duckdb",
        "imported/a/book.duckdb",
        "old/book.duckdb.v1.bak",
    } <= set(made), made
    assert not [m for m in made if "/.milepay-" in f"/{m}"], made  # no work folder left over
    assert _loose(root) == []
    assert os.umask(0o022) == 0o022  # milepay gave the process its umask back


def test_an_export_folder_and_its_files_are_private(tmp_path: Path, umask_022: None) -> None:
    book = tmp_path / "book.duckdb"
    _run("import", str(SAMPLE), "--db", str(book))
    root = tmp_path / "exports"
    root.mkdir()
    _run("export", str(root / "2026" / "november"), "--db", str(book))
    files = sorted(p.name for p in (root / "2026" / "november").iterdir())
    assert "clients.csv" in files and "milestones.csv" in files, files
    assert _loose(root) == []


def test_saved_chase_messages_are_private(tmp_path: Path, umask_022: None) -> None:
    from tui.mail import Draft, save_draft

    root = tmp_path / "home"
    root.mkdir()
    draft = Draft("Jana Novak", "jana@acme.example", "Invoice 2026-038", "Dear Jana,\n\nPlease.")
    folder = root / "milepay-messages" / "acme"
    text = save_draft(folder / "reminder.txt", draft)
    eml = save_draft(folder / "reminder.eml", draft, from_addr="mara@example.org")
    assert text.read_text().startswith("To: Jana Novak <jana@acme.example>\n")
    assert b"Subject: Invoice 2026-038" in eml.read_bytes()
    assert _loose(root) == []
