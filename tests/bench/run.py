"""Benchmark milepay's reports on generated books: load, compute, the plain-SQL floor, memory.

    python -m tests.bench.run [--sizes small large] [--repeat 5] [--no-memory]

For each size (the book is generated first when missing, see ``generate.py``):

- **load**: ``Book.frames()`` (every table into Polars in one read transaction), and
  :func:`load_for_reports`, a narrower loader this benchmark proposes (only the columns the
  reports read from the big tables, ordered by id instead of ``ORDER BY ALL``);
- a **per-table breakdown** of the load: each table with ``ORDER BY ALL`` (what
  ``Book.frames`` runs), ``ORDER BY id``, no order, and the narrow column set;
- each **report**'s compute time on frames already in memory (aging, forecast expected and
  contractual, chase queue, late fees, client scorecards), imported defensively: a module
  that is missing or broken is reported as "not available" and the run goes on;
- the **SQL floor**: the aging (buckets per client and currency, totals per currency) and the
  weekly contractual forecast inflows written as ONE DuckDB query each over the file,
  timed with the connect (as the load is) and on an open connection; their results are
  checked against the Polars reports, so the comparison is like for like;
- the **Polars floor**: the same two reports as minimal Polars over :func:`load_minimal`
  (only the numeric columns they read): the best that loading into Polars can do;
- **peak memory**: each step is run once more in its own subprocess, which reports its peak
  resident set during the step (``VmHWM`` reset after the imports; native memory included)
  and the step's cold time (first call in a fresh process, as ``milepay report`` runs).

Timings are the best of ``--repeat`` runs in one warm process (the machine is shared: other
work adds noise, and the best is the least disturbed run), with the least CPU time beside
them. ``--engine`` sets Polars' engine affinity (``auto`` is Polars 2's streaming default). The budget per report is load plus
compute: 0.1 s at 200k milestones, 1 s at 2M, and no more than 1.5x the SQL floor.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import importlib
import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any, NamedTuple

import duckdb
import polars as pl

from tests.bench.generate import DEFAULT_AS_OF, SIZES, default_book_path, generate
from tui.domain.model import Settings
from tui.store import Book, BookFile, BookFrames
from tui.store.rows import frame
from tui.store.schema import TABLES

#: seconds allowed for load + compute of one report, per size (the issue's targets)
BUDGET = {"tiny": 0.1, "small": 0.1, "large": 1.0}
#: a report may take at most this many times the plain SQL query
MAX_RATIO = 1.5
REPO = Path(__file__).resolve().parents[2]


# ---- the narrower loader -------------------------------------------------------------------

#: Columns the reports read from the big tables (the rest is for screens and exports).
NARROW_COLUMNS: dict[str, str] = {
    "payments": "id, milestone_id, amount, received_on",
    "chase_events": "id, milestone_id, date, step, channel",
}
#: The key each table is ordered by (so frames come back in a stable order without sorting
#: every column, as ``ORDER BY ALL`` does).
ORDER_KEYS: dict[str, str] = {
    "exchange_rates": "currency",
    "reference_rates": "preset, valid_from",
    "message_templates": "step",
}


def load_for_reports(path: Path | str, *, order: str = "id") -> BookFrames:
    """The book as frames for the reports only: every table, but only the columns the reports
    read from ``payments`` and ``chase_events``, ordered by key (``order="id"``) or left in
    storage order (``order="none"``) instead of ``ORDER BY ALL``. One read transaction, like
    ``Book.frames``; what the store could offer as ``Book.report_frames()``."""
    book = BookFile(path)
    with book.reading() as con:
        tables: dict[str, pl.DataFrame] = {}
        for t in TABLES:
            if t == "settings":
                continue
            cols = NARROW_COLUMNS.get(t, "*")
            by = f" ORDER BY {ORDER_KEYS.get(t, 'id')}" if order == "id" else ""
            tables[t] = frame(con, f"SELECT {cols} FROM {t}{by}")
        values = dict(con.execute("SELECT key, value FROM settings").fetchall())
        fx = dict(con.execute("SELECT currency, rate FROM exchange_rates").fetchall())
        counter = con.execute("SELECT value FROM book_meta WHERE key = 'change_counter'").fetchone()
    return BookFrames(
        **tables,  # type: ignore[arg-type]
        settings=Settings.from_text(values, fx),
        change_counter=int(counter[0]) if counter else 0,
    )


#: The only columns the two floors read (a lower bound for any loader).
MINIMAL_COLUMNS: dict[str, str] = {
    "milestones": "id, contract_id, amount, due_date, status, invoiced_on",
    "payments": "milestone_id, amount, received_on",
    "contracts": "id, client_id, currency",
}


def load_minimal(path: Path | str) -> SimpleNamespace:
    """Only what the aging and forecast floors read, no text columns and no ORDER BY: the
    lower bound of loading into Polars (not enough for the real reports)."""
    with BookFile(path).reading() as con:
        tables = {t: frame(con, f"SELECT {c} FROM {t}") for t, c in MINIMAL_COLUMNS.items()}
        values = dict(con.execute("SELECT key, value FROM settings").fetchall())
        fx = dict(con.execute("SELECT currency, rate FROM exchange_rates").fetchall())
    return SimpleNamespace(**tables, settings=Settings.from_text(values, fx))


def load_full(path: Path | str) -> BookFrames:
    """What the CLI does today: ``Book.frames()`` (every column, ``ORDER BY ALL``)."""
    return Book(path).frames()


# ---- reports -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    """A report function to time: ``module.func(frames, as_of, **kwargs)``."""

    name: str
    module: str
    func: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    #: which SQL floor it is compared with (None: there is no SQL floor for it)
    floor: str | None = None
    #: the ``Book.report_frames`` kind that loads what it reads (what ``milepay report`` runs)
    kind: str | None = None

    def resolve(self) -> Callable[..., Any] | str:
        """The callable, or why it is not available."""
        try:
            mod = importlib.import_module(self.module)
        except Exception as exc:  # a module being written may not even import
            return f"not available ({type(exc).__name__}: {exc})"
        fn = getattr(mod, self.func, None)
        if fn is None:
            return f"not available (no {self.module}.{self.func})"
        return fn


REPORTS: tuple[Report, ...] = (
    Report("aging", "tui.analytics.aging", "aging", floor="aging", kind="aging"),
    Report(
        "forecast expected/week",
        "tui.analytics.forecast",
        "forecast",
        {"scenario": "expected", "period": "week"},
        floor="forecast",
        kind="forecast",
    ),
    Report(
        "forecast contractual/week",
        "tui.analytics.forecast",
        "forecast",
        {"scenario": "contractual", "period": "week"},
        floor="forecast",
        kind="forecast",
    ),
    Report("chase queue", "tui.analytics.chase", "chase_queue", kind="chase"),
    Report("late fees", "tui.analytics.fees", "late_fees", kind="chase"),
    Report("client scorecards", "tui.analytics.scorecard", "client_scorecards", kind="clients"),
)


# ---- the SQL floor -------------------------------------------------------------------------


def aging_sql(as_of: dt.date, edges: tuple[int, int, int]) -> str:
    """Aging (SPEC 4.1) as one query: buckets per client and currency, and per currency
    (``client`` null), with the aging report's rule for which milestones count."""
    a, b, c = edges
    d = f"DATE '{as_of.isoformat()}'"
    return f"""
WITH paid AS (
    SELECT milestone_id, sum(amount) AS paid FROM payments
    WHERE received_on <= {d} GROUP BY milestone_id
), open_ms AS (
    SELECT k.client_id, k.currency, m.amount - coalesce(p.paid, 0) AS open,
           {d} - m.due_date AS dpd
    FROM milestones m
    JOIN contracts k ON k.id = m.contract_id
    LEFT JOIN paid p ON p.milestone_id = m.id
    WHERE m.status NOT IN ('cancelled', 'written_off')
      AND (m.invoiced_on <= {d} OR m.due_date <= {d}
           OR (m.invoiced_on IS NULL AND m.status IN ('invoiced', 'disputed')))
)
SELECT o.client_id, c.name AS client, o.currency,
       coalesce(sum(open) FILTER (WHERE dpd <= 0), 0) AS "current",
       coalesce(sum(open) FILTER (WHERE dpd BETWEEN 1 AND {a}), 0) AS "1-{a}",
       coalesce(sum(open) FILTER (WHERE dpd BETWEEN {a + 1} AND {b}), 0) AS "{a + 1}-{b}",
       coalesce(sum(open) FILTER (WHERE dpd BETWEEN {b + 1} AND {c}), 0) AS "{b + 1}-{c}",
       coalesce(sum(open) FILTER (WHERE dpd > {c}), 0) AS "{c}+",
       sum(open) AS total
FROM open_ms o JOIN clients c ON c.id = o.client_id
WHERE o.open > 0
GROUP BY GROUPING SETS ((o.client_id, c.name, o.currency), (o.currency))
ORDER BY o.client_id NULLS LAST, o.currency
"""


def forecast_sql(as_of: dt.date, home: str, weeks: int) -> str:
    """Weekly contractual inflows (SPEC 4.2) as one query: the open amount of each milestone
    (not cancelled or written off) converted to the home currency (rounded per milestone),
    summed per ISO week of max(as_of, due_date) over the horizon; the rest is ``later``, and
    currencies without a rate are summed apart (``unconverted``)."""
    first = as_of - dt.timedelta(days=as_of.weekday())
    end = first + dt.timedelta(weeks=weeks, days=-1)
    d = f"DATE '{as_of.isoformat()}'"
    e = f"DATE '{end.isoformat()}'"
    return f"""
WITH paid AS (
    SELECT milestone_id, sum(amount) AS paid FROM payments
    WHERE received_on <= {d} GROUP BY milestone_id
), open_ms AS (
    SELECT k.currency, m.amount - coalesce(p.paid, 0) AS open,
           greatest({d}, m.due_date) AS expected
    FROM milestones m
    JOIN contracts k ON k.id = m.contract_id
    LEFT JOIN paid p ON p.milestone_id = m.id
    WHERE m.status NOT IN ('cancelled', 'written_off')
), conv AS (
    SELECT o.currency, o.open, o.expected,
           CASE WHEN o.currency = '{home}' THEN o.open ELSE round(o.open * r.rate, 2) END AS home
    FROM open_ms o LEFT JOIN exchange_rates r ON r.currency = o.currency
    WHERE o.open > 0
)
SELECT CASE WHEN home IS NULL THEN 'unconverted' WHEN expected > {e} THEN 'later'
            ELSE 'period' END AS placement,
       CASE WHEN home IS NOT NULL AND expected <= {e}
            THEN CAST(date_trunc('week', expected) AS DATE) END AS week,
       CASE WHEN home IS NULL THEN currency END AS currency,
       sum(coalesce(home, open)) AS amount
FROM conv GROUP BY ALL ORDER BY ALL
"""


def run_sql(path: Path, sql: str, con: duckdb.DuckDBPyConnection | None = None) -> pl.DataFrame:
    """Run one query to a Polars frame; connect read-only (and close) unless ``con`` given."""
    if con is not None:
        return pl.DataFrame(con.sql(sql))
    own = duckdb.connect(str(path), read_only=True)
    try:
        return pl.DataFrame(own.sql(sql))
    finally:
        own.close()


# ---- the Polars floor (the same two queries written directly in Polars) -------------------


def _open_milestones(book: BookFrames | SimpleNamespace, as_of: dt.date) -> pl.LazyFrame:
    """Milestones not cancelled or written off with their open amount and client/currency."""
    paid = (
        book.payments.lazy()
        .filter(pl.col("received_on") <= as_of)
        .group_by("milestone_id")
        .agg(pl.col("amount").sum().alias("paid"))
    )
    contracts = book.contracts.lazy().select(
        pl.col("id").alias("contract_id"), "client_id", "currency"
    )
    return (
        book.milestones.lazy()
        .filter(~pl.col("status").is_in(["cancelled", "written_off"]))
        .join(contracts, on="contract_id", how="left")
        .join(paid, left_on="id", right_on="milestone_id", how="left")
        .with_columns((pl.col("amount") - pl.col("paid").fill_null(0)).alias("open"))
        .filter(pl.col("open") > 0)
    )


def polars_aging_floor(book: BookFrames | SimpleNamespace, as_of: dt.date) -> pl.DataFrame:
    """Aging buckets per client and currency, minimal Polars (no detail rows, no names)."""
    a, b, c = book.settings.bucket_edges
    dpd = (pl.lit(as_of) - pl.col("due_date")).dt.total_days()
    billed = (
        (pl.col("invoiced_on") <= as_of)
        | (pl.col("due_date") <= as_of)
        | (pl.col("invoiced_on").is_null() & pl.col("status").is_in(["invoiced", "disputed"]))
    )
    edges = [(None, 0), (1, a), (a + 1, b), (b + 1, c), (c + 1, None)]
    sums = []
    for i, (lo, hi) in enumerate(edges):
        cond = pl.lit(True)
        if lo is not None:
            cond = cond & (pl.col("dpd") >= lo)
        if hi is not None:
            cond = cond & (pl.col("dpd") <= hi)
        sums.append(pl.col("open").filter(cond).sum().alias(f"b{i}"))
    return (
        _open_milestones(book, as_of)
        .filter(billed)
        .with_columns(dpd.alias("dpd"))
        .group_by("client_id", "currency")
        .agg(*sums, pl.col("open").sum().alias("total"))
        .collect()
    )


def polars_forecast_floor(book: BookFrames | SimpleNamespace, as_of: dt.date) -> pl.DataFrame:
    """Weekly contractual inflows in the home currency, minimal Polars (no later/unconverted
    split beyond what the SQL floor does)."""
    s = book.settings
    first = as_of - dt.timedelta(days=as_of.weekday())
    end = first + dt.timedelta(weeks=s.forecast_weeks, days=-1)
    rates = pl.LazyFrame(
        {"currency": [s.home_currency, *s.fx], "rate": [Decimal(1), *s.fx.values()]},
        schema={"currency": pl.String, "rate": pl.Decimal(18, 8)},
    )
    expected = pl.max_horizontal(pl.lit(as_of), pl.col("due_date"))
    exact = pl.col("open").cast(pl.Decimal(38, 10)) * pl.col("rate").cast(pl.Decimal(38, 10))
    home = exact.round(2, mode="half_away_from_zero").cast(pl.Decimal(18, 2))
    return (
        _open_milestones(book, as_of)
        .join(rates, on="currency", how="left")
        .with_columns(expected.alias("expected"), home.alias("home"))
        .with_columns(
            pl.when(pl.col("home").is_null())
            .then(pl.lit("unconverted"))
            .when(pl.col("expected") > end)
            .then(pl.lit("later"))
            .otherwise(pl.lit("period"))
            .alias("placement")
        )
        .with_columns(
            pl.when(pl.col("placement") == "period").then(pl.col("expected").dt.truncate("1w"))
        )
        .group_by("placement", "expected", pl.when(pl.col("home").is_null()).then("currency"))
        .agg(pl.coalesce("home", "open").sum().alias("amount"))
        .collect()
    )


def check_aging(report: Any, floor: pl.DataFrame) -> str:
    """Compare the Polars aging (rows and totals) with the SQL floor, to the cent."""
    names = [*report.buckets, "total"]
    sql_rows = floor.filter(pl.col("client_id").is_not_null())
    sql_tot = floor.filter(pl.col("client_id").is_null())
    ok_rows = _same_sums(report.rows, sql_rows, ["client_id", "currency"], names)
    ok_tot = _same_sums(report.totals, sql_tot, ["currency"], names)
    return "same figures" if ok_rows and ok_tot else "DIFFERENT figures"


def check_forecast(report: Any, floor: pl.DataFrame) -> str:
    """Compare contractual weekly inflows, later and unconverted with the SQL floor."""
    weeks = floor.filter(pl.col("placement") == "period").select(
        pl.col("week").alias("start"), pl.col("amount").cast(pl.Decimal(38, 2)).alias("inflow")
    )
    periods = report.periods.select("start", pl.col("inflow").cast(pl.Decimal(38, 2)))
    got = periods.join(weeks, on="start", how="full", coalesce=True, suffix="_sql").with_columns(
        pl.col("inflow").fill_null(Decimal(0)), pl.col("inflow_sql").fill_null(Decimal(0))
    )
    ok_weeks = bool((got["inflow"] == got["inflow_sql"]).all())
    later_sql = floor.filter(pl.col("placement") == "later")["amount"].sum()
    ok_later = Decimal(str(later_sql or 0)) == Decimal(report.later)
    unconv = floor.filter(pl.col("placement") == "unconverted").select(
        "currency", pl.col("amount").cast(pl.Decimal(38, 2))
    )
    ok_unconv = _same_sums(report.unconverted, unconv, ["currency"], ["amount"])
    if ok_weeks and ok_later and ok_unconv:
        return "same figures"
    return f"DIFFERENT figures (weeks {ok_weeks}, later {ok_later}, unconverted {ok_unconv})"


def _same_sums(a: pl.DataFrame, b: pl.DataFrame, keys: list[str], cols: list[str]) -> bool:
    """Two frames hold the same Decimal values per key (compared as exact decimals)."""

    def norm(df: pl.DataFrame) -> pl.DataFrame:
        return df.select(
            *[pl.col(k).cast(pl.Int64) if k.endswith("_id") else pl.col(k) for k in keys],
            *[pl.col(c).cast(pl.Decimal(38, 2)) for c in cols],
        ).sort(keys)

    try:
        return norm(a).equals(norm(b))
    except Exception:
        return False


# ---- measuring -----------------------------------------------------------------------------


class Timed(NamedTuple):
    """The best of several timed calls."""

    wall: float  # least wall seconds
    cpu: float  # least CPU seconds, all threads (steadier than wall on a busy machine)
    out: Any  # the last call's result


def best_of(fn: Callable[[], Any], repeat: int) -> Timed:
    """Call ``fn`` ``repeat`` times; the least wall and CPU time, and the last result."""
    wall, cpu, out = float("inf"), float("inf"), None
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        out = fn()
        wall = min(wall, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    return Timed(wall, cpu, out)


def compare(a: Any, b: Any) -> str:
    """``same``, ``order`` (same rows in another order) or ``different``: two report results
    (frames, dataclasses of frames and values) compared exactly."""
    if isinstance(a, pl.DataFrame) and isinstance(b, pl.DataFrame):
        if a.equals(b):
            return "same"
        try:
            if a.schema == b.schema and a.sort(pl.all()).equals(b.sort(pl.all())):
                return "order"
        except Exception:
            pass
        return "different"
    if dataclasses.is_dataclass(a) and dataclasses.is_dataclass(b):
        found = {compare(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a)}
        return "different" if "different" in found else "order" if "order" in found else "same"
    try:
        return "same" if a == b else "different"
    except Exception:
        return "different"


def determinism_note(fn: Callable[[], Any], first: Any, narrow: Any) -> str:
    """What the narrow load changes, and whether the report is stable run to run."""
    again = [compare(first, fn()) for _ in range(2)]
    if "different" in again:
        return "NOT DETERMINISTIC: values differ run to run on the same frames"
    unstable = "order" in again
    with_narrow = compare(first, narrow)
    note = {
        "same": "narrow load: same result",
        "order": "narrow load: same rows",
        "different": "narrow load: DIFFERENT result",
    }[with_narrow]
    if unstable:
        note += "; row order changes run to run on the same frames"
    return note


@dataclass
class Row:
    """One line of the results table."""

    size: str
    step: str
    seconds: float | None
    total: float | None = None  # load + compute
    floor: float | None = None  # the SQL floor it is compared with
    note: str = ""
    peak_mb: float | None = None
    cold: float | None = None
    cpu: float | None = None  # least CPU seconds (all threads) of the repeats

    def verdict(self) -> str:
        """OK / MISS against the budget and the 1.5x SQL ratio (blank when not a report)."""
        if self.total is None:
            return ""
        parts = ["budget OK" if self.total <= BUDGET[self.size] else "budget MISS"]
        if self.floor:
            ratio = self.total / self.floor
            parts.append("ratio OK" if ratio <= MAX_RATIO else "ratio MISS")
        return ", ".join(parts)


def table_breakdown(path: Path, repeat: int) -> list[dict[str, Any]]:
    """Per table: rows, in-memory size and load seconds with ORDER BY ALL, ORDER BY key, no
    order, and the narrow column set (key order)."""
    out = []
    con = duckdb.connect(str(path), read_only=True)
    try:
        for t in TABLES:
            key = ORDER_KEYS.get(t, "id" if t != "settings" else "key")
            cols = NARROW_COLUMNS.get(t, "*")
            variants = {
                "order_all": f"SELECT * FROM {t} ORDER BY ALL",
                "order_key": f"SELECT * FROM {t} ORDER BY {key}",
                "no_order": f"SELECT * FROM {t}",
                "narrow": f"SELECT {cols} FROM {t} ORDER BY {key}",
            }
            row: dict[str, Any] = {"table": t}
            for name, q in variants.items():
                sec, _, df = best_of(lambda q=q: pl.DataFrame(con.sql(q)), repeat)
                row[name] = sec
                if name == "order_all":
                    row["rows"] = df.height
                    row["mb"] = df.estimated_size("mb")
                if name == "narrow":
                    row["narrow_mb"] = df.estimated_size("mb")
            out.append(row)
    finally:
        con.close()
    return out


def time_connect(path: Path, repeat: int) -> Timed:
    """Best time to open the file read-only, begin, roll back and close (the load's overhead)."""

    def once() -> None:
        with BookFile(path).reading() as con:
            con.execute("SELECT 1").fetchone()

    return best_of(once, repeat)


def _facts(frames: BookFrames, as_of: dt.date) -> Any:
    from tui.analytics.base import milestone_facts

    return milestone_facts(frames, as_of)


# ---- memory and cold time in a subprocess --------------------------------------------------


def _proc_status_kb(key: str) -> int:
    """A ``/proc/self/status`` figure in KB (``VmRSS``, ``VmHWM``); 0 when unavailable."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _reset_peak() -> bool:
    """Reset this process's peak RSS (VmHWM) to its current RSS (Linux >= 4.0)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def child_step(step: str, path: Path, as_of: dt.date) -> dict[str, float]:
    """Run one step once in this (fresh) process; return cold seconds and memory in KB.

    Peak memory is the process's high-water RSS (``VmHWM``: native memory included, unlike
    tracemalloc), reset after the imports so that ``peak_kb`` is the peak during the step
    and ``base_kb`` the RSS before it. ``ru_maxrss`` is not used on purpose: Linux carries it
    over from the parent across fork and exec, so a child of a big parent reports the
    parent's size (it is reported as ``ru_maxrss_kb`` for reference).
    """
    base = _proc_status_kb("VmRSS")
    reset = _reset_peak()
    t0 = time.perf_counter()
    if step == "baseline":
        pass
    elif step == "load":
        load_full(path)
    elif step == "load_for_reports":
        load_for_reports(path)
    elif step.startswith("sql_"):
        settings = Book(path).settings()
        if step == "sql_aging":
            run_sql(path, aging_sql(as_of, settings.bucket_edges))
        else:
            run_sql(path, forecast_sql(as_of, settings.home_currency, settings.forecast_weeks))
    else:
        report = next(r for r in REPORTS if r.name == step)
        fn = report.resolve()
        if isinstance(fn, str):
            raise SystemExit(fn)
        fn(load_full(path), as_of, **report.kwargs)
    sec = time.perf_counter() - t0
    peak = _proc_status_kb("VmHWM") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "seconds": sec,
        "base_kb": base,
        "peak_kb": peak,
        "ru_maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


def measure_in_child(
    step: str, path: Path, as_of: dt.date, engine: str = "auto"
) -> dict[str, float] | str:
    """Run ``child_step`` in a subprocess (same Polars engine); its JSON result or an error."""
    cmd = [
        sys.executable,
        "-m",
        "tests.bench.run",
        "--child",
        step,
        "--book",
        str(path),
        "--as-of",
        as_of.isoformat(),
        "--engine",
        engine,
    ]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        return lines[-1] if lines else f"exit {proc.returncode}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---- one size ------------------------------------------------------------------------------


def bench_size(
    size: str, as_of: dt.date, repeat: int, memory: bool, engine: str = "auto"
) -> dict[str, Any]:
    """Every measurement for one size; returns rows and the breakdown (printed by main)."""
    path = default_book_path(size, as_of)
    if not path.exists():
        print(f"[{size}] generating {path} ...", flush=True)
        t = generate(size, path, as_of)
        print(f"[{size}] generated in {t['total']:.1f} s", flush=True)
    rows: list[Row] = []
    counts = Book(path).counts()
    print(
        f"[{size}] {path.name}: {counts['milestones']:,} milestones, "
        f"{counts['payments']:,} payments, {counts['chase_events']:,} chase events",
        flush=True,
    )

    def add(step: str, t: Timed | None, note: str = "", **kw: Any) -> None:
        rows.append(
            Row(size, step, t.wall if t else None, cpu=t.cpu if t else None, note=note, **kw)
        )

    # load
    add("open+close the file (read txn)", time_connect(path, repeat))
    full = best_of(lambda: load_full(path), repeat)
    add("load: Book.frames()", full, "all tables and columns, ORDER BY ALL")
    narrow = best_of(lambda: load_for_reports(path), repeat)
    add("load: load_for_reports()", narrow, "narrow columns, ORDER BY id")
    unordered = best_of(lambda: load_for_reports(path, order="none"), repeat)
    add("load: load_for_reports(order='none')", unordered, "narrow columns, no ORDER BY")
    minimal = best_of(lambda: load_minimal(path), repeat)
    add("load: load_minimal()", minimal, "only the floors' columns: the lower bound")
    frames, narrow_frames = full.out, narrow.out
    if hasattr(Book, "report_frames"):
        for kind in ("aging", "forecast", "chase", "clients"):
            t = best_of(lambda kind=kind: Book(path).report_frames(kind), repeat)
            add(f"load: Book.report_frames('{kind}')", t, "the tables and columns it reads")

    # SQL floors
    settings = frames.settings
    q_aging = aging_sql(as_of, settings.bucket_edges)
    q_fc = forecast_sql(as_of, settings.home_currency, settings.forecast_weeks)
    sql_aging = best_of(lambda: run_sql(path, q_aging), repeat)
    add("SQL floor: aging", sql_aging, "one query, with connect")
    sql_fc = best_of(lambda: run_sql(path, q_fc), repeat)
    add("SQL floor: forecast contractual/week", sql_fc, "one query, with connect")
    con = duckdb.connect(str(path), read_only=True)
    try:
        add(
            "SQL floor: aging, connection open",
            best_of(lambda: run_sql(path, q_aging, con), repeat),
        )
        add(
            "SQL floor: forecast, connection open",
            best_of(lambda: run_sql(path, q_fc, con), repeat),
        )
    finally:
        con.close()
    floors = {"aging": sql_aging.wall, "forecast": sql_fc.wall}

    # the same two reports in minimal Polars: what loading into Polars can achieve at best
    for name, fn, floor in (
        ("aging", polars_aging_floor, sql_aging.wall),
        ("forecast contractual/week", polars_forecast_floor, sql_fc.wall),
    ):
        t = best_of(lambda fn=fn: fn(minimal.out, as_of), repeat)
        add(
            f"Polars floor: {name}",
            t,
            "minimal Polars; total with load_minimal()",
            total=minimal.wall + t.wall,
            floor=floor,
        )

    # the building block most reports start from
    try:
        add("milestone_facts (building block)", best_of(lambda: _facts(frames, as_of), repeat))
    except Exception as exc:
        add("milestone_facts (building block)", None, f"failed: {type(exc).__name__}: {exc}")

    # reports
    for report in REPORTS:
        fn = report.resolve()
        if isinstance(fn, str):
            add(report.name, None, fn)
            continue

        def call(book: BookFrames, fn: Callable[..., Any] = fn, r: Report = report) -> Any:
            return fn(book, as_of, **r.kwargs)

        try:
            on_full = best_of(lambda call=call: call(frames), repeat)
            on_narrow = best_of(lambda call=call: call(narrow_frames), repeat)
        except Exception as exc:
            add(report.name, None, f"failed: {type(exc).__name__}: {exc}")
            continue
        notes = []
        if report.floor == "aging":
            notes.append("vs SQL: " + check_aging(on_full.out, sql_aging.out))
        elif report.kwargs.get("scenario") == "contractual":
            notes.append("vs SQL: " + check_forecast(on_full.out, sql_fc.out))
        notes.append(determinism_note(lambda call=call: call(frames), on_full.out, on_narrow.out))
        floor = floors.get(report.floor or "")
        add(
            f"{report.name}", on_full, "; ".join(notes), total=full.wall + on_full.wall, floor=floor
        )
        add(
            f"{report.name} (narrow load)",
            on_narrow,
            total=narrow.wall + on_narrow.wall,
            floor=floor,
        )
        if report.kind and hasattr(Book, "report_frames"):
            # what `milepay report` runs: load only what the report reads, then compute
            def cli(call: Callable[..., Any] = call, kind: str = report.kind) -> Any:
                return call(Book(path).report_frames(kind))

            try:
                t = best_of(cli, repeat)
            except Exception as exc:
                add(f"{report.name} (report_frames)", None, f"failed: {type(exc).__name__}: {exc}")
                continue
            same = compare(on_full.out, t.out)
            add(
                f"{report.name} (report_frames)",
                t,
                f"load + compute in one; vs Book.frames(): {same}",
                total=t.wall,
                floor=floor,
            )

    breakdown = table_breakdown(path, repeat)

    if memory:
        steps = ["baseline", "load", "load_for_reports", "sql_aging", "sql_forecast"]
        steps += [r.name for r in REPORTS if not isinstance(r.resolve(), str)]
        for step in steps:
            res = measure_in_child(step, path, as_of, engine)
            if isinstance(res, str):
                rows.append(Row(size, f"memory: {step}", None, note=res))
                continue
            rows.append(
                Row(
                    size,
                    f"memory/cold: {step}",
                    None,
                    cold=res["seconds"],
                    peak_mb=res["peak_kb"] / 1024,
                    note=f"RSS before the step {res['base_kb'] / 1024:.0f} MB",
                )
            )
    return {"size": size, "counts": counts, "rows": rows, "breakdown": breakdown}


# ---- output --------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    """Where the figures come from."""
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
    except OSError:
        pass
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "ram": mem,
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "polars": pl.__version__,
        "polars_threads": str(pl.thread_pool_size()),
        "loadavg": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "engine": "auto",
    }


def _fmt(x: float | None, unit: str = "s") -> str:
    if x is None:
        return "-"
    return f"{x:.4f}" if unit == "s" else f"{x:.0f}"


def print_results(result: dict[str, Any]) -> None:
    """The results table of one size, then the per-table load breakdown."""
    size = result["size"]
    print(
        f"\n== {size}: best of the repeats, seconds (budget {BUDGET[size]} s per report, "
        f"ratio = (load + compute) / SQL floor with connect, max {MAX_RATIO}) =="
    )
    head = (
        f"{'step':<52} {'seconds':>8} {'cpu':>7} {'total':>8} {'ratio':>6} {'cold':>7} "
        f"{'peakMB':>7}  verdict / note"
    )
    print(head)
    print("-" * len(head))
    for r in result["rows"]:
        ratio = f"{r.total / r.floor:.2f}" if r.total and r.floor else "-"
        verdict = r.verdict()
        note = "; ".join(x for x in (verdict, r.note) if x)
        print(
            f"{r.step:<52} {_fmt(r.seconds):>8} {_fmt(r.cpu):>7} {_fmt(r.total):>8} {ratio:>6} "
            f"{_fmt(r.cold):>7} {_fmt(r.peak_mb, 'mb'):>7}  {note}"
        )
    print(f"\n-- {size}: load per table (seconds, best of the repeats) --")
    head = f"{'table':<18} {'rows':>9} {'MB':>7} {'ORDER BY ALL':>12} {'BY key':>8} {'no order':>8} {'narrow':>8} {'narrowMB':>8}"
    print(head)
    print("-" * len(head))
    for b in result["breakdown"]:
        print(
            f"{b['table']:<18} {b['rows']:>9,} {b['mb']:>7.1f} {b['order_all']:>12.4f} "
            f"{b['order_key']:>8.4f} {b['no_order']:>8.4f} {b['narrow']:>8.4f} {b['narrow_mb']:>8.1f}"
        )
    tot = {
        k: sum(b[k] for b in result["breakdown"])
        for k in ("order_all", "order_key", "no_order", "narrow")
    }
    print(
        f"{'sum':<18} {'':>9} {sum(b['mb'] for b in result['breakdown']):>7.1f} "
        f"{tot['order_all']:>12.4f} {tot['order_key']:>8.4f} {tot['no_order']:>8.4f} {tot['narrow']:>8.4f}"
    )


def to_json(results: list[dict[str, Any]], info: dict[str, str]) -> dict[str, Any]:
    """Results as plain JSON (for RESULTS.md)."""
    return {
        "machine": info,
        "sizes": [
            {
                "size": r["size"],
                "counts": r["counts"],
                "rows": [dataclasses.asdict(x) | {"verdict": x.verdict()} for x in r["rows"]],
                "breakdown": r["breakdown"],
            }
            for r in results
        ],
    }


def markdown(results: list[dict[str, Any]], info: dict[str, str]) -> str:
    """The figures as Markdown tables (pasted into RESULTS.md)."""
    out = [
        f"Machine: {info['nproc']} cores ({info['cpu']}), {info['ram']} RAM; Python "
        f"{info['python']}, duckdb {info['duckdb']}, polars {info['polars']} "
        f"({info['polars_threads']} threads, engine affinity {info['engine']}); {info['date']}; "
        "load average before "
        f"{info['loadavg']}.",
        "",
    ]
    for res in results:
        size = res["size"]
        c = res["counts"]
        out += [
            f"### {size}: {c['milestones']:,} milestones, {c['payments']:,} payments, "
            f"{c['chase_events']:,} chase events, {c['contracts']:,} contracts, "
            f"{c['clients']:,} clients",
            "",
            f"Load average after: {res.get('loadavg_after', '?')}. Budget {BUDGET[size]} s per "
            f"report (load + compute), ratio = total / SQL floor (with connect), max {MAX_RATIO}.",
            "",
            "| step | wall s | cpu s | total s | ratio | cold s | peak MB | verdict / note |",
            "|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        for r in res["rows"]:
            ratio = f"{r.total / r.floor:.2f}" if r.total and r.floor else ""
            note = "; ".join(x for x in (r.verdict(), r.note) if x).replace("|", "/")
            cells = [
                r.step,
                _fmt(r.seconds),
                _fmt(r.cpu),
                _fmt(r.total),
                ratio,
                _fmt(r.cold),
                _fmt(r.peak_mb, "mb"),
                note,
            ]
            out.append("| " + " | ".join("" if x == "-" else x for x in cells) + " |")
        out += [
            "",
            f"Load per table ({size}), seconds:",
            "",
            "| table | rows | MB | ORDER BY ALL | ORDER BY key | no order | narrow | narrow MB |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for b in res["breakdown"]:
            out.append(
                f"| {b['table']} | {b['rows']:,} | {b['mb']:.1f} | {b['order_all']:.4f} | "
                f"{b['order_key']:.4f} | {b['no_order']:.4f} | {b['narrow']:.4f} | "
                f"{b['narrow_mb']:.1f} |"
            )
        out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Command line: benchmark the given sizes and print the tables."""
    ap = argparse.ArgumentParser(
        prog="python -m tests.bench.run", description=__doc__.split("\n\n")[0]
    )
    ap.add_argument("--sizes", nargs="+", choices=sorted(SIZES), default=["small", "large"])
    ap.add_argument(
        "--as-of", type=dt.date.fromisoformat, default=DEFAULT_AS_OF, metavar="YYYY-MM-DD"
    )
    ap.add_argument("--repeat", type=int, default=5, help="best of N (default 5)")
    ap.add_argument("--no-memory", action="store_true", help="skip the subprocess memory runs")
    ap.add_argument("--json", type=Path, help="also write the figures as JSON to this file")
    ap.add_argument("--markdown", type=Path, help="also write the tables as Markdown to this file")
    ap.add_argument(
        "--engine",
        choices=["auto", "in-memory", "streaming"],
        default="auto",
        help="Polars engine affinity for lazy queries (pl.Config.set_engine_affinity)",
    )
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--book", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    pl.Config.set_engine_affinity(args.engine)
    if args.child:
        print(json.dumps(child_step(args.child, args.book, args.as_of)))
        return 0
    info = machine() | {"engine": args.engine}
    print(" | ".join(f"{k} {v}" for k, v in info.items()))
    results = []
    for size in args.sizes:
        res = bench_size(size, args.as_of, max(1, args.repeat), not args.no_memory, args.engine)
        res["loadavg_after"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
        print_results(res)
        print(f"(load average after {size}: {res['loadavg_after']})")
        results.append(res)
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(markdown(results, info))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(to_json(results, info), indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
