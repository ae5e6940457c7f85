"""Processes sharing one book (issue 8): four writers and a reader, and a stale edit.

Four writers (three adding clients, one running ``milepay import --update``) and a reader
(``Book.frames()`` and the aging report) run together for a bounded time. The writers' queue
must make every one of them wait its turn inside the busy timeout: no busy refusal at all,
nothing acknowledged lost, one change-counter bump per write. Per-write latency is printed
(``pytest -s``) and saved as JSON.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from reliability_helpers import (
    ROOT,
    WRITER,
    child_env,
    format_latency,
    go,
    kill9,
    mode,
    percentiles,
    spawn,
    wait_ready,
    write_import_folder,
)

from tui.domain import Client
from tui.store import Book

CONTENTION_SECONDS = 6.0

IMPORT_LOOP = r"""
import contextlib, io, json, sys, time
from tui.cli import main
folder, path, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
print("ready", flush=True)
sys.stdin.readline()
end = time.monotonic() + seconds
while time.monotonic() < end:
    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(["import", folder, "--update", "--db", path])
            code = 0
        except SystemExit as exc:
            code = exc.code
    print("import", code, time.perf_counter() - start, json.dumps(err.getvalue()), flush=True)
print("done", flush=True)
"""

READER = r"""
import datetime as dt, sys, time
from tui.analytics.aging import aging
from tui.store import Book, BookBusyError
path, seconds = sys.argv[1], float(sys.argv[2])
book = Book(path)
print("ready", flush=True)
sys.stdin.readline()
end = time.monotonic() + seconds
while time.monotonic() < end:
    start = time.perf_counter()
    try:
        frames = book.frames()
        aging(frames, dt.date(2026, 11, 24))
    except BookBusyError as exc:
        print("busy", time.perf_counter() - start, str(exc), flush=True)
        continue
    print("read", time.perf_counter() - start, frames.change_counter, flush=True)
print("done", flush=True)
"""


@pytest.fixture
def umask_022() -> Iterator[None]:
    """A user's usual umask, inherited by the children."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _watch_wal(wal: Path, stop: threading.Event, modes: list[int]) -> None:
    """Record the mode of the WAL whenever it exists (it lives between a commit and a close)."""
    while not stop.is_set():
        with contextlib.suppress(FileNotFoundError):
            modes.append(mode(wal))
        time.sleep(0.001)


def test_four_writers_and_a_reader_all_wait_their_turn(
    tmp_path: Path, book_path: Path, umask_022: None
) -> None:
    Book.open(book_path)
    folder = tmp_path / "small"
    write_import_folder(folder, clients=5, contracts=2, milestones=3)
    seconds = str(CONTENTION_SECONDS)
    writers = [spawn(WRITER, book_path, f"w{i}", seconds, "wait") for i in range(3)]
    importer = spawn(IMPORT_LOOP, folder, book_path, seconds)
    reader = spawn(READER, book_path, seconds)
    children = [*writers, importer, reader]
    stop, wal_modes = threading.Event(), []
    watcher = threading.Thread(
        target=_watch_wal, args=(book_path.with_name("book.duckdb.wal"), stop, wal_modes)
    )
    try:
        for child in children:
            wait_ready(child)
        watcher.start()
        for child in children:
            go(child)
        outputs = [child.communicate(timeout=CONTENTION_SECONDS + 60) for child in children]
    finally:
        stop.set()
        if watcher.is_alive():
            watcher.join()
        for child in children:
            kill9(child)
    for child, (out, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0 and out.endswith("done\n"), err[-3000:]

    lines = [line.split(" ", 3) for out, _ in outputs for line in out.splitlines()]
    busy = [w for w in lines if w[0] == "busy"]
    acked = [w[1] for w in lines if w[0] == "ack"]
    writes = [float(w[2]) for w in lines if w[0] == "ack"]
    imports = [(int(w[1]), float(w[2]), json.loads(w[3])) for w in lines if w[0] == "import"]
    reads = [(float(w[1]), int(w[2])) for w in lines if w[0] == "read"]
    figures = {
        "seconds": CONTENTION_SECONDS,
        "writes": percentiles(writes),
        "imports": percentiles(t for _, t, _ in imports),
        "reads": percentiles(t for t, _ in reads),
        "busy_refusals": len(busy) + sum(code != 0 for code, _, _ in imports),
        "wal_seen": len(wal_modes),
    }
    (tmp_path / "contention.json").write_text(json.dumps(figures, indent=2))
    print(f"\nfour writers and a reader for {CONTENTION_SECONDS:.0f} s:")
    for label in ("writes", "imports", "reads"):
        print("  " + format_latency(label, figures[label]))
    print(f"  busy refusals: {figures['busy_refusals']}, WAL seen {len(wal_modes)} times")

    refused = [w[3] for w in busy] + [e for code, _, e in imports if code != 0]
    assert not refused, f"{len(refused)} refusals, first: {refused[0]}"
    assert len(writes) >= 10 and len(imports) >= 2 and len(reads) >= 2
    assert set(wal_modes) <= {0o600}

    book = Book.open(book_path)
    names = {row["name"] for row in book.rows("clients")}
    assert set(acked) <= names, "an acknowledged write was lost"
    assert names == set(acked) | {f"Client {c:04d}" for c in range(5)}
    assert book.counts()["milestones"] == 5 * 2 * 3
    # every write and every import is one transaction: one bump each, none lost
    assert book.change_count() == len(acked) + len(imports)
    seen = [counter for _, counter in reads]
    assert seen == sorted(seen)  # the reader never saw the book go back in time


STALE_EDITOR = r"""
import sys
from tui.domain import Client, StaleEditError
from tui.store import Book
book, cid = Book(sys.argv[1]), int(sys.argv[2])
opened = book.get("clients", cid)
print("opened", opened["email"], flush=True)
sys.stdin.readline()
try:
    book.update_client(cid, Client(name="Acme Ltd", email=opened["email"]), expected=opened)
    print("saved", flush=True)
except StaleEditError as exc:
    print("stale", ",".join(sorted(exc.changed)), exc.current["email"], flush=True)
"""

OTHER_LOGIN = r"""
import sys
from tui.domain import Client
from tui.store import Book
Book(sys.argv[1]).update_client(int(sys.argv[2]), Client(name="Acme", email="b@acme.example"))
"""


def test_a_stale_edit_across_two_processes_is_refused(book_path: Path) -> None:
    book = Book.open(book_path)
    cid = book.add_client(Client(name="Acme", email="a@acme.example"))
    editor = subprocess.Popen(
        [sys.executable, "-c", STALE_EDITOR, str(book_path), str(cid)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=child_env(),
    )
    try:
        assert editor.stdout is not None
        assert editor.stdout.readline().split() == ["opened", "a@acme.example"]  # A's form
        other = subprocess.run(  # B, another login, changes the e-mail meanwhile
            [sys.executable, "-c", OTHER_LOGIN, str(book_path), str(cid)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=child_env(),
            timeout=60,
        )
        assert other.returncode == 0, other.stderr
        go(editor)
        out, err = editor.communicate(timeout=60)
    finally:
        kill9(editor)
    assert out.split() == ["stale", "email", "b@acme.example"], err
    row = book.get("clients", cid)
    assert (row["name"], row["email"]) == ("Acme", "b@acme.example")
    assert book.change_count() == 2  # the add and B's edit; A's refused save wrote nothing


def test_percentiles_are_nearest_rank() -> None:
    figures = percentiles(float(v) for v in range(100, 0, -1))  # 1..100 in any order
    assert figures == {"n": 100, "p50": 50.0, "p95": 95.0, "p99": 99.0, "max": 100.0}
    three = percentiles([0.3, 0.1, 0.2])
    assert (three["p50"], three["p95"], three["max"]) == (0.2, 0.3, 0.3)
    assert format_latency("w", three) == "w: n=3 p50=200 ms p95=300 ms p99=300 ms max=300 ms"
    assert percentiles([]) == {"n": 0} and format_latency("w", {"n": 0}) == "w: n=0"
