"""The command line: help everywhere, version, exit codes, one-line failures."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tui import __version__
from tui.cli import main
from tui.store import Book

COMMANDS = ["demo", "import", "export", "report", "backup"]


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"milepay, version {__version__}"


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_everywhere(command: str | None) -> None:
    result = run(*([command] if command else []), "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_usage_errors_exit_2() -> None:
    assert run("frobnicate").exit_code == 2
    assert run("report", "nonsense").exit_code == 2
    assert run("report", "aging", "--format", "xml").exit_code == 2


def test_missing_book_is_one_line(tmp_path: Path) -> None:
    result = run("export", str(tmp_path / "out"), "--db", str(tmp_path / "nope.duckdb"))
    assert result.exit_code == 1
    assert result.stderr.strip() == f"milepay: {tmp_path / 'nope.duckdb'} does not exist"
    assert not (tmp_path / "nope.duckdb").exists()


def test_not_a_book_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    result = run("backup", "--db", str(path))
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "not a milepay book" in result.stderr
    assert path.read_text() == "hello"


def test_backup_command(tmp_path: Path) -> None:
    db = tmp_path / "book.duckdb"
    Book.open(db)
    result = run("backup", "--db", str(db), str(tmp_path / "copy.duckdb"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "copy.duckdb").exists()
    again = run("backup", "--db", str(db), str(tmp_path / "copy.duckdb"))
    assert again.exit_code == 1
    assert "already exists" in again.stderr


def test_db_before_the_command(tmp_path: Path) -> None:
    db = tmp_path / "book.duckdb"
    Book.open(db)
    result = run("--db", str(db), "backup", str(tmp_path / "c.duckdb"))
    assert result.exit_code == 0, result.output
