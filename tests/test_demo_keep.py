"""``milepay --demo``: its temporary book and folder are removed on exit unless ``--keep``."""

from __future__ import annotations

import stat
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import tui.app
from tui.cli import main
from tui.store import Book


@pytest.fixture
def tmp_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where mkdtemp makes ``--demo``'s folder in these tests."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


def _launch(monkeypatch: pytest.MonkeyPatch, then=None) -> list[Path]:
    """Replace the app launch: record the book's path, check it is there, then ``then``."""
    opened: list[Path] = []

    def fake_run_app(book: Book) -> int:
        opened.append(book.path)
        assert book.path.is_file() and book.frames().clients.height > 0  # the demo is written
        if then is not None:
            then(book.path)
        return 0

    monkeypatch.setattr(tui.app, "run_app", fake_run_app)
    return opened


def test_the_demo_folder_is_removed_on_exit(tmp_root: Path, monkeypatch: pytest.MonkeyPatch):
    opened = _launch(monkeypatch)
    result = CliRunner().invoke(main, ["--demo"])
    assert result.exit_code == 0, result.output
    assert len(opened) == 1 and opened[0].parent.parent == tmp_root
    assert list(tmp_root.iterdir()) == []  # book, WAL, lock file and folder gone
    assert "Demo book written" not in result.stderr  # no path to a file that is gone
    assert "The demo book was removed (milepay --demo --keep keeps it)." in result.stderr


def test_keep_leaves_it_and_says_where(tmp_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened = _launch(monkeypatch)
    result = CliRunner().invoke(main, ["--demo", "--keep"])
    assert result.exit_code == 0, result.output
    folder = opened[0].parent
    assert opened[0].is_file() and stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert f"Demo book kept in {folder}" in result.stderr
    assert Book.open(opened[0], create=False).frames().clients.height > 0


@pytest.mark.parametrize(
    ("error", "code"), [(RuntimeError("boom"), 1), (KeyboardInterrupt(), 130)], ids=["crash", "^c"]
)
def test_removed_when_the_app_crashes_or_is_interrupted(
    tmp_root: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException, code: int
) -> None:
    def crash(path: Path) -> None:
        raise error

    opened = _launch(monkeypatch, crash)
    result = CliRunner().invoke(main, ["--demo"])
    assert result.exit_code == code  # one line on stderr, as every failure
    assert len(opened) == 1 and list(tmp_root.iterdir()) == []


@pytest.mark.parametrize("name", ["SIGHUP", "SIGTERM"])
def test_removed_when_the_terminal_closes_or_the_process_is_told_to_end(
    tmp_root: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """The SSH window closing sends SIGHUP, ``kill`` SIGTERM: exit 128 + the signal, cleaned.
    The handlers are put back after (the test process keeps its own)."""
    import os
    import signal
    import time

    sig = getattr(signal, name)
    before = signal.getsignal(sig)

    def hang_up(path: Path) -> None:
        os.kill(os.getpid(), sig)
        time.sleep(5)  # the handler's SystemExit comes first
        raise AssertionError("the signal did not end the app")

    opened = _launch(monkeypatch, hang_up)
    result = CliRunner().invoke(main, ["--demo"])
    assert result.exit_code == 128 + sig
    assert len(opened) == 1 and list(tmp_root.iterdir()) == []
    assert signal.getsignal(sig) == before


def test_other_files_in_the_folder_are_never_removed(
    tmp_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_root.parent / "mine.txt"
    elsewhere.write_text("mine")

    def save_beside(path: Path) -> None:
        (path.parent / "export.csv").write_text("a,b\n")  # the user wrote something there
        (path.parent / "link").symlink_to(elsewhere)

    opened = _launch(monkeypatch, save_beside)
    result = CliRunner().invoke(main, ["--demo"])
    assert result.exit_code == 0, result.output
    folder = opened[0].parent
    assert sorted(p.name for p in folder.iterdir()) == ["export.csv", "link"]  # the book is gone
    assert elsewhere.read_text() == "mine"
    assert f"Demo folder {folder} kept" in result.stderr


def test_a_demo_at_a_path_of_the_users_is_kept(
    tmp_path: Path, tmp_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = _launch(monkeypatch)
    path = tmp_path / "mine.duckdb"
    result = CliRunner().invoke(main, ["--demo", "--db", str(path)])
    assert result.exit_code == 0, result.output
    assert opened == [path] and path.is_file() and list(tmp_root.iterdir()) == []


def test_keep_without_demo_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["--keep"])
    assert result.exit_code == 2 and "--keep goes with --demo" in result.stderr
