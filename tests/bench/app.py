"""How the app feels on a large book: start, screen switches, after a write, idle, memory.

Not part of the test suite. Run from the repository root with the project's virtualenv::

    .venv/bin/python -m tests.bench.app --book tests/bench/books/small-2026-11-24.duckdb
    .venv/bin/python -m tests.bench.app --demo            # the demo book
    .venv/bin/python -m tests.bench.app --book B --repo /tmp/before   # the code of another tree

Each measurement runs in a fresh interpreter (``--repo`` chooses whose ``tui`` package), the
app headless at 120x40 through Textual's own test driver, on a private copy of the book:

- ``start``: from just before the interpreter starts (imports included) to the dashboard
  drawn with its data (no worker left running);
- for each key 1-9: from the key press to that screen's data drawn, on the first visit and on
  a revisit; then the same after one write (a client added through the app);
- ``idle``: the DuckDB opens of the book file in 10 s of doing nothing (the app's own poll
  on, at its default interval), and the process's peak RSS.

A key is posted as a terminal driver posts it and "drawn" means: every worker finished and
gone, the app's message queue handled twice over and the screen updated (no idle-time
sleeps, whose 20 ms steps ``Pilot.press`` adds). Figures are the median of ``--repeat`` runs
(default 3). The load average is printed: figures
taken on a busy machine are not comparable.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import asyncio, json, os, sys, time
T0 = float(os.environ["BENCH_T0"])
sys.path.insert(0, os.environ["BENCH_REPO"])
import duckdb
opens = [0]
_real = duckdb.connect
def _counting(*a, **k):
    opens[0] += 1
    return _real(*a, **k)
duckdb.connect = _counting
from tui.app import make_app
from tui.store import Book

from textual import events
from textual.worker import WorkerCancelled, WorkerFailed

def key(name):
    # the event a terminal driver posts (as Pilot.press builds it, without its idle sleeps)
    import unicodedata
    from textual.keys import REPLACED_KEYS, _get_unicode_name_from_key
    try:
        char = unicodedata.lookup(_get_unicode_name_from_key(REPLACED_KEYS.get(name, name)))
    except KeyError:
        char = name if len(name) == 1 else None
    return events.Key(name, char)

async def settled(app, pilot):
    # deterministic: every worker done and removed, the app's queue handled twice, the screen
    # updated (pause(0) ends with the screen's update): no idle-time sleeps in the figure
    quiet = 0
    for _ in range(20000):
        await pilot.pause(0)
        busy = [w for w in app.workers if w.group != "poll"]
        running = [w for w in busy if not w.is_finished]
        if running:
            try:
                await app.workers.wait_for_complete(running)
            except (WorkerCancelled, WorkerFailed):
                pass
        if busy:
            quiet = 0
            await asyncio.sleep(0.001)
            continue
        done = asyncio.Event()
        app.call_later(done.set)
        await done.wait()
        await pilot.pause(0)
        quiet = 0 if [w for w in app.workers if w.group != "poll"] else quiet + 1
        if quiet == 2:
            return

async def press(app, pilot, name):
    app.post_message(key(name))
    await settled(app, pilot)

async def main():
    out = {}
    book = Book.open(os.environ["BENCH_BOOK"])
    app = make_app(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(app, pilot)
        out["start"] = time.time() - T0
        for phase in ("first", "revisit"):
            for k in "234567891":
                t = time.perf_counter()
                await press(app, pilot, k)
                out[f"{phase} {k}"] = time.perf_counter() - t
        from tui.domain import Client
        t = time.perf_counter()
        app.write(lambda: book.add_client(Client(name="Bench client")))
        await settled(app, pilot)
        out["write (dashboard redrawn)"] = time.perf_counter() - t
        for k in "234567891":
            t = time.perf_counter()
            await press(app, pilot, k)
            out[f"after write {k}"] = time.perf_counter() - t
        before = opens[0]
        t = time.perf_counter()
        while time.perf_counter() - t < 10:
            await pilot.pause(0.25)
        out["idle opens in 10 s"] = opens[0] - before
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM"):
                out["peak RSS MB"] = int(line.split()[1]) / 1024
    print(json.dumps(out))

asyncio.run(main())
"""


def run_once(repo: Path, book: Path) -> dict[str, float]:
    """One fresh interpreter on a private copy of ``book``."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "book.duckdb"
        shutil.copyfile(book, copy)
        env = {
            **os.environ,
            "BENCH_REPO": str(repo),
            "BENCH_BOOK": str(copy),
            "MILEPAY_TODAY": "2026-11-24",
            "PYTHONHASHSEED": "0",
        }
        env.pop("MILEPAY_POLL_SECONDS", None)
        env["BENCH_T0"] = repr(time.time())
        out = subprocess.run(
            [sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, check=False
        )
    if out.returncode != 0:
        raise SystemExit(f"the app run failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    """Measure and print a table (and JSON with --json)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--book", type=Path, help="the book to open (a copy is used)")
    parser.add_argument("--demo", action="store_true", help="use a fresh demo book")
    parser.add_argument("--repo", type=Path, default=Path.cwd(), help="whose tui package")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the medians here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        book = args.book
        if args.demo or book is None:
            book = Path(tmp) / "demo.duckdb"
            subprocess.run(
                [sys.executable, "-m", "tui.cli", "demo", "--db", str(book), "--as-of",
                 "2026-11-24"],
                check=True, capture_output=True, cwd=args.repo,
                env={**os.environ, "PYTHONPATH": str(args.repo)},
            )  # fmt: skip
        print(f"load average before: {os.getloadavg()}", file=sys.stderr)
        runs = [run_once(args.repo.resolve(), book) for _ in range(args.repeat)]
        print(f"load average after: {os.getloadavg()}", file=sys.stderr)
    medians = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    for key, value in medians.items():
        shown = f"{value:.3f} s" if "opens" not in key and "RSS" not in key else f"{value:g}"
        print(f"{key:32} {shown}")
    if args.json:
        args.json.write_text(json.dumps(medians, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
