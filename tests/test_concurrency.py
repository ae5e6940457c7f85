"""Two milepay processes on one file (SPEC 3): both work, no write is lost, busy is said plainly."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from tui.cli import main
from tui.store import Book, BookBusyError

WRITER = textwrap.dedent(
    """
    import sys
    from tui.domain import Client
    from tui.store import Book
    book = Book(sys.argv[1], busy_timeout=30)
    tag, n = sys.argv[2], int(sys.argv[3])
    for i in range(n):
        book.add_client(Client(name=f"{tag}-{i}"))
        book.counts()  # a read between writes, as the app does
    print("done", tag)
    """
)

HOLDER = textwrap.dedent(
    """
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1])
    con.execute("BEGIN TRANSACTION")
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
    con.execute("ROLLBACK")
    con.close()
    """
)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
    return env


def test_two_processes_writing_in_a_loop(book_path: Path) -> None:
    Book.open(book_path)
    n = 25
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(book_path), tag, str(n)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
        )
        for tag in ("a", "b")
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
        assert out.startswith("done")
    names = {r["name"] for r in Book(book_path).rows("clients")}
    assert names == {f"{t}-{i}" for t in "ab" for i in range(n)}
    assert Book(book_path).change_count() == 2 * n


def _hold(path: Path, seconds: float) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "holding"
    return holder


def test_busy_book_is_said_plainly_after_retries(book_path: Path) -> None:
    Book.open(book_path)
    holder = _hold(book_path, 6)
    try:
        book = Book(book_path, busy_timeout=1.0)
        start = time.monotonic()
        with pytest.raises(BookBusyError) as exc:
            book.counts()
        waited = time.monotonic() - start
        assert 0.9 < waited < 4
        msg = str(exc.value)
        assert msg.startswith(f"The book {book_path} is busy: ")
        assert f"(pid {holder.pid})" in msg
        assert exc.value.pid == holder.pid
        assert "\n" not in msg
    finally:
        holder.kill()
        holder.wait()


def test_a_brief_hold_is_waited_out(book_path: Path) -> None:
    Book.open(book_path)
    holder = _hold(book_path, 0.8)
    try:
        assert Book(book_path, busy_timeout=10).counts()["clients"] == 0
    finally:
        holder.wait()


def test_cli_says_busy_in_one_line(book_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Book.open(book_path)
    monkeypatch.setenv("MILEPAY_BUSY_TIMEOUT", "0.5")
    holder = _hold(book_path, 6)
    try:
        result = CliRunner().invoke(main, ["backup", "--db", str(book_path)])
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "is busy" in lines[0] and f"pid {holder.pid}" in lines[0]
    assert "Traceback" not in result.output


def test_another_process_write_is_noticed(book_path: Path) -> None:
    book = Book.open(book_path)
    seen = book.change_count()
    out = subprocess.run(
        [sys.executable, "-c", WRITER, str(book_path), "other", "1"],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert book.change_count() > seen
