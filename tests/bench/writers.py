"""Write latency with 1, 2 and 4 writer processes on one book (issue 8); not part of the tests.

    python -m tests.bench.writers                              # this checkout, 1 2 4 writers
    python -m tests.bench.writers --compare /tmp/before        # and another checkout beside it
    python -m tests.bench.writers --writers 4 --seconds 5 --json /tmp/w.json --markdown /tmp/w.md

For each number of writers a new book is made (by the code under test) in a temporary
folder; that many processes then add clients in a loop for ``--seconds`` (each write is one
``Book.add_client``: open the file, one transaction, close), all started together. Each
write's latency is measured in the writer from the call to its return; a write refused as
busy (:class:`BookBusyError`, after ``MILEPAY_BUSY_TIMEOUT``, default 5 s) is counted and the
writer goes on. Afterwards the book is read directly with DuckDB: every acknowledged name
must be there and the change counter must equal the writes (``lost`` and ``counter ok``).

``--compare DIR`` runs the same against another checkout (for example the code before the
writers' queue: ``git worktree add /tmp/before 09cb650``); its children get ``DIR`` first on
the module path, and the table shows both side by side. Figures are milliseconds.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb

from tests.reliability_helpers import (
    ROOT,
    WRITER,
    child_env,
    go,
    kill9,
    percentiles,
    spawn,
    wait_ready,
)

WHICH_TUI = "import tui, sys; print(tui.__file__)"
MAKE_BOOK = "import sys; from tui.store import Book; Book.open(sys.argv[1])"


def run(root: Path, writers: int, seconds: float) -> dict[str, Any]:
    """``writers`` processes of the checkout at ``root`` adding clients for ``seconds``."""
    with tempfile.TemporaryDirectory(prefix="milepay-writers-") as tmp:
        book = Path(tmp) / "book.duckdb"
        subprocess.run(
            [sys.executable, "-c", MAKE_BOOK, str(book)], cwd=root, env=child_env(root), check=True
        )
        procs = [spawn(WRITER, book, f"w{i}", seconds, "wait", root=root) for i in range(writers)]
        try:
            for p in procs:
                wait_ready(p)
            started = time.monotonic()
            for p in procs:
                go(p)
            outputs = [p.communicate(timeout=seconds + 120) for p in procs]
            elapsed = time.monotonic() - started
        finally:
            for p in procs:
                kill9(p)
        for p, (_, err) in zip(procs, outputs, strict=True):
            if p.returncode != 0:
                raise SystemExit(f"a writer failed: {err[-2000:]}")
        lines = [line.split(" ", 3) for out, _ in outputs for line in out.splitlines()]
        acked = [w[1] for w in lines if w[0] == "ack"]
        latencies = [float(w[2]) for w in lines if w[0] == "ack"]
        busy = [float(w[1]) for w in lines if w[0] == "busy"]
        con = duckdb.connect(str(book), read_only=True)
        try:
            names = {r[0] for r in con.execute("SELECT name FROM clients").fetchall()}
            counter = int(
                con.execute("SELECT value FROM book_meta WHERE key = 'change_counter'").fetchone()[
                    0
                ]
            )
        finally:
            con.close()
    return {
        "writers": writers,
        "seconds": round(elapsed, 2),
        "writes": percentiles(latencies),
        "per_second": round(len(latencies) / elapsed, 1),
        "busy": len(busy),
        "busy_after": percentiles(busy),
        "lost": len(set(acked) - names),
        "counter_ok": counter == len(acked) == len(names),
        "busy_example": next((w[3] for w in lines if w[0] == "busy"), ""),
    }


def markdown(results: dict[str, list[dict[str, Any]]]) -> str:
    """The results as a Markdown table, one row per checkout and number of writers."""
    rows = [
        "| code | writers | writes | writes/s | p50 | p95 | p99 | max | busy refusals | lost |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for label, runs in results.items():
        for r in runs:
            w = {k: r["writes"].get(k, math.nan) * 1000 for k in ("p50", "p95", "p99", "max")}
            rows.append(
                f"| {label} | {r['writers']} | {r['writes']['n']:,} | {r['per_second']} | "
                f"{w['p50']:.0f} | {w['p95']:.0f} | {w['p99']:.0f} | {w['max']:.0f} | "
                f"{r['busy']} | {r['lost']}{'' if r['counter_ok'] else ' (counter off)'} |"
            )
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print (and optionally save) the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--writers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--compare", type=Path, help="another checkout to run beside this one")
    parser.add_argument("--label", default="this checkout")
    parser.add_argument("--compare-label", default="compared")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args(argv)
    roots = {args.label: ROOT}
    if args.compare is not None:
        roots[args.compare_label] = args.compare.resolve()
    results: dict[str, list[dict[str, Any]]] = {}
    for label, root in roots.items():
        which = subprocess.run(
            [sys.executable, "-c", WHICH_TUI], cwd=root, env=child_env(root),
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        print(f"{label}: {which}", file=sys.stderr)
        results[label] = []
        for n in args.writers:
            r = run(root, n, args.seconds)
            print(
                f"  {n} writer(s): {r['writes']['n']} writes, {r['busy']} busy, lost {r['lost']}",
                file=sys.stderr,
            )
            results[label].append(r)
    table = markdown(results)
    print(table)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    if args.markdown:
        args.markdown.write_text(table)


if __name__ == "__main__":
    main()
