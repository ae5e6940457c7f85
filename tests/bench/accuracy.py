"""Forecast accuracy (SPEC 4.6) on the demo book and a generated book: figures and run time.

Not part of the test suite. Run from the repository root with the project's virtualenv::

    .venv/bin/python -m tests.bench.accuracy                        # demo and small (200k)
    .venv/bin/python -m tests.bench.accuracy --books demo --repeat 3
    .venv/bin/python -m tests.bench.accuracy --books small --book PATH

``demo`` is written by :func:`tui.store.demo.write_demo` into a temporary folder (as
``milepay demo --as-of`` does); ``small`` is ``tests/bench/books/accuracy-small-<as_of>.duckdb``
(``--book`` for another), generated first by ``tests/bench/generate.py`` when missing: its
own file, because ``small-<as_of>.duckdb`` is kept at an old schema by other benchmarks and
the forecast reads columns added since (``promised_on``). For each book it prints the
load time (``Book.frames(lean=True)``), then :func:`tui.analytics.accuracy.forecast_accuracy`
with the three scenarios (26 windows x 3 = 78 forecasts) and with ``expected`` alone (what
the forecast screen's line needs), best wall time of ``--repeat`` runs, and per scenario the
windows, the sums predicted and actual, WAPE and bias. The load average is printed: figures
taken on a busy machine are not comparable.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.bench.generate import BOOKS_DIR, DEFAULT_AS_OF, generate
from tui.analytics.accuracy import AccuracyReport, forecast_accuracy
from tui.store import Book, BookFrames


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The best wall time of ``repeat`` calls, and the last result."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def demo_frames(folder: Path, as_of: dt.date) -> BookFrames:
    """A fresh demo book written relative to ``as_of``, read back as frames."""
    from tui.store.demo import write_demo

    book = Book.open(folder / "demo.duckdb")
    write_demo(book, as_of)
    return book.frames(lean=True)


def load(name: str, as_of: dt.date, book: str | None, tmp: Path) -> tuple[float, BookFrames]:
    """Load (and create when missing) the named book; the seconds the load took."""
    if name == "demo":
        t0 = time.perf_counter()
        frames = demo_frames(tmp, as_of)
        return time.perf_counter() - t0, frames
    path = Path(book) if book else BOOKS_DIR / f"accuracy-{name}-{as_of.isoformat()}.duckdb"
    if not path.exists():
        print(f"generating {path} ...", flush=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        generate(name, path, as_of)
    t0 = time.perf_counter()
    frames = Book(path).frames(lean=True)
    return time.perf_counter() - t0, frames


def markdown(name: str, frames: BookFrames, report: AccuracyReport, times: dict[str, float]) -> str:
    """One book's figures as a Markdown table."""
    lines = [
        f"{name}: {frames.milestones.height:,} milestones, {frames.payments.height:,} payments; "
        f"as_of {report.as_of}, {report.window_count} windows of {report.lead} weeks, "
        f"{report.currency}; left out (no rate): {', '.join(report.unrated) or 'none'}; "
        f"closed now, open at a window's start: {report.closed_now}",
        "",
        "| scenario | windows | predicted | actual | WAPE | bias |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for s in report.scenarios:
        lines.append(
            f"| {s.scenario} | {s.windows} | {s.predicted:,} | {s.actual:,} | {s.wape} | {s.bias} |"
        )
    lines.append("")
    lines.append(
        f"load {times['load']:.2f} s; three scenarios {times['all']:.2f} s "
        f"({times['all'] / max(1, 3 * report.window_count) * 1000:.0f} ms a forecast); "
        f"expected alone {times['expected']:.2f} s"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: run the accuracy report on each book and print figures and times."""
    ap = argparse.ArgumentParser(prog="python -m tests.bench.accuracy", description=__doc__)
    ap.add_argument("--books", nargs="+", default=["demo", "small"], choices=["demo", "small"])
    ap.add_argument("--book", help="the path of the generated book (default: tests/bench/books)")
    ap.add_argument("--as-of", type=dt.date.fromisoformat, default=DEFAULT_AS_OF)
    ap.add_argument("--weeks", type=int, default=26)
    ap.add_argument("--lead", type=int, default=4)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    print(f"load average before: {os.getloadavg()[0]:.1f}", flush=True)
    kw = {"weeks": args.weeks, "lead": args.lead}
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.books:
            print(f"{name}: load average {os.getloadavg()[0]:.1f}", flush=True)
            took, frames = load(name, args.as_of, args.book, Path(tmp))
            t_all, report = best_of(
                lambda f=frames: forecast_accuracy(f, args.as_of, **kw), args.repeat
            )
            t_exp, _ = best_of(
                lambda f=frames: forecast_accuracy(f, args.as_of, scenarios=("expected",), **kw),
                args.repeat,
            )
            times = {"load": took, "all": t_all, "expected": t_exp}
            print(markdown(name, frames, report, times), "\n", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
