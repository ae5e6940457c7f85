"""``milepay import`` and ``milepay export`` through the command line (click's CliRunner)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLE
from test_exchange import book_content, state, write

from tui.cli import main
from tui.domain.errors import RefusedError
from tui.store import Book
from tui.store.exchange import SPECS, import_new_book


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_import_sample(book_path: Path) -> None:
    code, out, err = run("import", str(SAMPLE), "--db", str(book_path))
    assert code == 0, err
    assert out.startswith(
        "Imported 4 clients, 10 contacts, 7 contracts, 25 milestones, 13 payments"
    )
    assert Book.open(book_path).counts()["milestones"] == 25


def test_import_errors_exit_1_list_every_line_and_write_nothing(
    tmp_path: Path, book_path: Path
) -> None:
    book = Book.open(book_path)
    before = state(book)
    folder = tmp_path / "bad"
    write(folder, "clients.csv", "name,rating\nAcme,7\n")
    write(
        folder,
        "milestones.csv",
        'client,contract,seq,title,amount,due_date\nAcme,Web,1,A,"12,50",+14d\n',
    )
    code, out, err = run("import", str(folder), "--db", str(book_path))
    assert code == 1
    assert out == ""
    assert err.splitlines() == [
        "milepay: import refused, nothing was written (4 errors):",
        "clients.csv:2: rating: 7 is more than 5",
        "milestones.csv:2: contract: client 'Acme' has no contract titled 'Web' in contracts.csv or the book",
        "milestones.csv:2: amount: '12,50' uses a decimal comma; write it with a dot, e.g. 12.50",
        "milestones.csv:2: due_date: '+14d' is not a date (use YYYY-MM-DD)",
    ]
    assert "Traceback" not in err
    assert state(book) == before


def test_import_twice_needs_update(book_path: Path) -> None:
    assert run("import", str(SAMPLE), "--db", str(book_path))[0] == 0
    code, _, err = run("import", str(SAMPLE), "--db", str(book_path))
    assert code == 1
    assert err.startswith("milepay: import refused, nothing was written (")
    assert "\nclients.csv:2: name: client 'Acme [Labs] & Co' already exists in the book" in err
    code, out, err = run("import", str(SAMPLE), "--db", str(book_path), "--update")
    assert code == 0, err
    assert out.startswith("Imported nothing new (")
    assert Book.open(book_path).counts()["payments"] == 13


def test_import_missing_folder(tmp_path: Path, book_path: Path) -> None:
    code, _, err = run("import", str(tmp_path / "nowhere"), "--db", str(book_path))
    assert code == 1
    assert "no such folder" in err


def test_export_then_import(tmp_path: Path, book_path: Path) -> None:
    assert run("import", str(SAMPLE), "--db", str(book_path))[0] == 0
    code, out, err = run("export", str(tmp_path / "out"), "--db", str(book_path))
    assert code == 0, err
    assert out == f"Exported {len(SPECS)} files to {tmp_path / 'out'}\n"
    assert {p.name for p in (tmp_path / "out").iterdir()} == {s.file for s in SPECS} | {
        ".milepay-export"
    }
    copy = tmp_path / "copy.duckdb"
    assert run("import", str(tmp_path / "out"), "--db", str(copy))[0] == 0
    assert book_content(Book.open(copy)) == book_content(Book.open(book_path))


def test_export_of_a_missing_book_is_refused(tmp_path: Path) -> None:
    code, _, err = run("export", str(tmp_path / "out"), "--db", str(tmp_path / "none.duckdb"))
    assert code == 1
    assert "does not exist" in err
    assert not (tmp_path / "none.duckdb").exists()


def run_bytes(*args: str) -> tuple[int, bytes, bytes]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout_bytes, result.stderr_bytes


def test_import_errors_never_carry_terminal_escapes(tmp_path: Path, book_path: Path) -> None:
    folder = tmp_path / "hostile"
    write(
        folder,
        "settings.csv",
        "key,value\n"
        "\x1b]52;c;cm0gLXJmIH4=\x07,1\n"  # OSC 52: would write the clipboard
        '"\x1b[2J\nsmtp_host",1\n'  # clear screen, and a newline inside the cell
        "\u009b31m,1\n"  # a C1 control (CSI)
        "home_currency,\x1b[2J\u009b\u202e\n",
    )
    write(folder, "clients.csv", 'name,rating\nAcme,"9\x1b[5m"\n')
    code, out, err = run_bytes("import", str(folder), "--db", str(book_path))
    assert code == 1
    assert out == b""
    assert b"\x1b" not in err
    assert b"\x9b" not in err  # neither the C1 character (UTF-8 c2 9b) nor a raw byte
    assert "\u202e".encode() not in err
    lines = err.decode("utf-8").splitlines()
    assert lines[0] == "milepay: import refused, nothing was written (5 errors):"
    assert len(lines) == 6
    assert lines[1].startswith("clients.csv:2: rating: '9\\x1b[5m' ")
    assert lines[2].startswith("settings.csv:2: key: '\\x1b]52;c;cm0gLXJmIH4=\\x07' is not a")
    assert lines[3].startswith("settings.csv:3: key: '\\x1b[2J\\nsmtp_host' is not a setting")
    assert lines[4].startswith("settings.csv:5: key: '\\x9b31m' is not a setting")
    assert lines[5].startswith("settings.csv:6: home_currency: '\\x1b[2J\\x9b\\u202e'")
    assert not Path(book_path).exists()  # the book did not exist: it was not created


def test_a_missing_folder_name_is_shown_escaped(tmp_path: Path, book_path: Path) -> None:
    code, _, err = run_bytes("import", str(tmp_path / "no\x1b[2Jpe"), "--db", str(book_path))
    assert code == 1
    assert b"\x1b" not in err
    assert err.decode().endswith("no\\x1b[2Jpe: no such folder\n")


def test_refused_import_into_a_new_book_leaves_nothing_behind(tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    write(folder, "clients.csv", "name,rating\nAcme,7\n")
    books = tmp_path / "books"
    books.mkdir()
    for db in (books / "new.duckdb", books / "a" / "b" / "new.duckdb"):
        code, _, err = run("import", str(folder), "--db", str(db))
        assert code == 1
        assert "clients.csv:2: rating: 7 is more than 5" in err
        assert os.listdir(books) == []  # no book, no .wal, no .lock, no folder made


def test_import_into_a_new_book_creates_it_only_when_it_succeeds(tmp_path: Path) -> None:
    db = tmp_path / "books" / "new.duckdb"
    (tmp_path / "books").mkdir()
    code, out, err = run("import", str(SAMPLE), "--db", str(db))
    assert code == 0, err
    assert out.startswith("Imported 4 clients,")
    assert sorted(os.listdir(tmp_path / "books")) == ["new.duckdb"]
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert Book.open(db).counts()["milestones"] == 25


def test_import_new_book_refuses_a_path_that_exists(tmp_path: Path) -> None:
    db = tmp_path / "taken.duckdb"
    db.write_bytes(b"mine")
    with pytest.raises(RefusedError, match="already exists"):
        import_new_book(db, SAMPLE)
    assert db.read_bytes() == b"mine"
    assert sorted(os.listdir(tmp_path)) == ["taken.duckdb"]


def test_export_refuses_an_existing_folder_and_force_replaces_its_own(
    tmp_path: Path, book_path: Path
) -> None:
    assert run("import", str(SAMPLE), "--db", str(book_path))[0] == 0
    out_dir = tmp_path / "out"
    assert run("export", str(out_dir), "--db", str(book_path))[0] == 0
    code, out, err = run("export", str(out_dir), "--db", str(book_path))
    assert (code, out) == (1, "")
    assert err == (
        f"milepay: {out_dir} already exists; choose a new folder or pass --force to replace an "
        "export milepay wrote\n"
    )
    code, out, err = run("export", str(out_dir), "--db", str(book_path), "--force")
    assert code == 0, err
    assert out == f"Exported {len(SPECS)} files to {out_dir}\n"
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "keep.txt").write_text("keep")
    code, _, err = run("export", str(mine), "--db", str(book_path), "--force")
    assert code == 1
    assert err.startswith(f"milepay: {mine} was not written by milepay export")
    assert os.listdir(mine) == ["keep.txt"]


def test_import_new_book_under_any_name(tmp_path: Path) -> None:
    """The work files inside the private folder cannot collide with the book's own name."""
    for name in ("done.duckdb", "import.duckdb"):
        summary = import_new_book(tmp_path / name, SAMPLE)
        assert summary.inserted > 0
        assert Book.open(tmp_path / name).counts()["clients"] == 4
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")) == [
        "done.duckdb",
        "import.duckdb",
    ]
