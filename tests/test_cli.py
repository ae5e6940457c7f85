"""The command line: help everywhere, version, exit codes, one-line failures."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tui import __version__
from tui.cli import main
from tui.store import Book

COMMANDS = ["demo", "import", "export", "report", "backup", "where"]


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


def test_usage_errors_are_one_line() -> None:
    result = run("frobnicate")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "milepay: No such command 'frobnicate'. (see 'milepay --help')\n"
    result = run("report", "forecast", "--horizon", "0")
    assert result.exit_code == 2
    assert result.stderr == (
        "milepay: Invalid value for '--horizon': 0 is less than 1 (see 'milepay report --help')\n"
    )
    # int() reads Arabic-Indic digits as 12; milepay takes 0-9 only
    result = run("report", "forecast", "--horizon", "\u0661\u0662")
    assert result.exit_code == 2
    assert "has a digit other than 0-9" in result.stderr


def test_bad_environment_is_one_line_before_any_book_is_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MILEPAY_BUSY_TIMEOUT", "nan")
    result = run("backup", "--db", str(tmp_path / "book.duckdb"))
    assert result.exit_code == 1
    assert result.stderr == "milepay: MILEPAY_BUSY_TIMEOUT: 'nan' is not a number of seconds\n"
    monkeypatch.setenv("MILEPAY_BUSY_TIMEOUT", "5")
    monkeypatch.setenv("MILEPAY_TODAY", "abc")
    result = run("--db", str(tmp_path / "book.duckdb"))  # the app's start
    assert result.exit_code == 1
    assert result.stderr == "milepay: MILEPAY_TODAY: 'abc' is not a date (YYYY-MM-DD)\n"
    assert list(tmp_path.iterdir()) == []


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
