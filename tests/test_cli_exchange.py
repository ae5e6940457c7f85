"""``milepay import`` and ``milepay export`` through the command line (click's CliRunner)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from conftest import SAMPLE
from test_exchange import book_content, state, write

from tui.cli import main
from tui.store import Book
from tui.store.exchange import SPECS


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
    assert {p.name for p in (tmp_path / "out").iterdir()} == {s.file for s in SPECS}
    copy = tmp_path / "copy.duckdb"
    assert run("import", str(tmp_path / "out"), "--db", str(copy))[0] == 0
    assert book_content(Book.open(copy)) == book_content(Book.open(book_path))


def test_export_of_a_missing_book_is_refused(tmp_path: Path) -> None:
    code, _, err = run("export", str(tmp_path / "out"), "--db", str(tmp_path / "none.duckdb"))
    assert code == 1
    assert "does not exist" in err
    assert not (tmp_path / "none.duckdb").exists()
