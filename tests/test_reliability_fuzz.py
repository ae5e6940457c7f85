"""A seeded fuzzer of the CSV exchange format (issue 8): the sample folder, mutated.

Each case mutates ``data/sample`` one to three times (cells replaced with junk: control
characters, terminal escapes, U+202E, non-ASCII digits, huge numbers, empty required cells;
columns dropped, duplicated, renamed or swapped; rows dropped, duplicated or too long; files
truncated, emptied, deleted, re-encoded, given invalid UTF-8, CRLF, a BOM or a stray quote)
and imports it into a fresh copy of one new book. A refusal must be :class:`ImportErrors`
whose every line is ``file.csv:line: field: message`` (or the importer's whole-folder line)
with no raw control character, and must leave the book byte for byte as it was; an accepted
folder must leave a book that opens and whose aging report runs. Any other exception fails.

The run is two halves with seeds ``SEED`` and ``SEED + 1`` (two tests, so the parallel suite
runs them side by side). ``MILEPAY_FUZZ_CASES`` (default 300, shared by the halves),
``MILEPAY_FUZZ_SECONDS`` (default 12 per half, a wall-clock cap) and ``MILEPAY_FUZZ_SEED``
widen or replay a run; a failure names its seed, case and mutations. A case costs about
0.1 s (one import into DuckDB), so the default caps give about 250 cases on a quiet machine
and fewer while the rest of the suite shares the cores.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import random
import re
import shutil
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from tui.analytics.aging import aging
from tui.domain.errors import is_control
from tui.store import TABLES, Book
from tui.store.exchange import ImportErrors, import_folder

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
TODAY = dt.date(2026, 11, 24)

CASES = int(os.environ.get("MILEPAY_FUZZ_CASES", "300"))
SECONDS = float(os.environ.get("MILEPAY_FUZZ_SECONDS", "12"))
SEED = int(os.environ.get("MILEPAY_FUZZ_SEED", "8007"))

#: an error line: ``file.csv:line: field: message``
LINE = re.compile(r"^[a-z_]+\.csv:\d+: (?:[a-z_.]+|fx\.[A-Z]{3}): ")
#: the importer's whole-folder refusal (no file of the format at all)
WHOLE_FOLDER = re.compile(r"^.+: no files of the exchange format \(")

JUNK = [
    "", " ", "\t", "\x00", "\x07", "\x7f", "\x85", "\x1b[31mred\x1b[0m", "\x1b[2J",
    "\x1b]52;c;aGVsbG8=\x07", "\u202eevil\u202c", "\u2066x\u2069", "\u2028", "a\nb", "a\r\nb",
    "\r", '"', '""', "'", ",", "=1+2", "=cmd|' /C calc'!A0", "@SUM(A1)", "١٢٣", "１２３.４５",
    "९९", "𝟙𝟚", "½", "Ⅻ", "9" * 40, "-9" * 20, "1e400", "1E5", "-0", "-1", "0", "NaN", "inf",
    "0x10", "1,250.00", "1 250,00", "12.345", "00000000000000000001.00", "2026-02-30",
    "2026-13-01", "0000-01-01", "10000-01-01", "2026-11-24T10:00", "today", "+14d", "yes",
    "no", "maybe", "EUR", "eur", "XXX", "€", "Ω" * 300, "x" * 5000, "\ufeff", "\ufffd",
    "Acme [Labs] & Co", "[bold]x[/bold]", "💸", "\u0301",
]  # fmt: skip
RAW = [b"\x1b[2J", "\u202e".encode(), b'"', b"\r", b"\x00", b",", b"\n", b"\xff", b"\xc3"]


def _table(data: bytes) -> list[list[str]] | None:
    """The rows of a CSV file, or None when it is not readable as UTF-8 CSV."""
    try:
        return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    except (UnicodeDecodeError, csv.Error):
        return None


def _dump(rows: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8", "surrogatepass")


Files = dict[str, bytes]
Mutation = Callable[[random.Random, Files], str]


def _pick(rng: random.Random, files: Files) -> str | None:
    return rng.choice(sorted(files)) if files else None


def _rows_op(op: Callable[[random.Random, list[list[str]]], str]) -> Mutation:
    """A mutation of the parsed rows of one file (skipped when the file is not parseable)."""

    def mutate(rng: random.Random, files: Files) -> str:
        name = _pick(rng, files)
        rows = _table(files[name]) if name else None
        if name is None or not rows or not rows[0]:
            return "skip"
        what = op(rng, rows)
        files[name] = _dump(rows)
        return f"{name}: {what}"

    mutate.__name__ = op.__name__
    return mutate


def _cell(rng: random.Random, rows: list[list[str]]) -> str:
    r = rng.randrange(1, len(rows)) if len(rows) > 1 else 0
    if not rows[r]:
        return "empty row"
    c = rng.randrange(len(rows[r]))
    rows[r][c] = rng.choice(JUNK)
    return f"row {r} col {c} = {rows[r][c][:40]!r}"


def _empty_cell(rng: random.Random, rows: list[list[str]]) -> str:
    r = rng.randrange(1, len(rows)) if len(rows) > 1 else 0
    if not rows[r]:
        return "empty row"
    c = rng.randrange(len(rows[r]))
    rows[r][c] = ""
    return f"row {r} col {c} emptied"


def _header(rng: random.Random, rows: list[list[str]]) -> str:
    c = rng.randrange(len(rows[0]))
    rows[0][c] = rng.choice([rng.choice(JUNK), rng.choice(rows[0]), rows[0][c].upper()])
    return f"header col {c} = {rows[0][c][:40]!r}"


def _drop_column(rng: random.Random, rows: list[list[str]]) -> str:
    c = rng.randrange(len(rows[0]))
    for row in rows:
        if c < len(row):
            del row[c]
    return f"column {c} dropped"


def _duplicate_column(rng: random.Random, rows: list[list[str]]) -> str:
    c = rng.randrange(len(rows[0]))
    for row in rows:
        if c < len(row):
            row.append(row[c])
    return f"column {c} duplicated"


def _swap_columns(rng: random.Random, rows: list[list[str]]) -> str:
    a, b = rng.randrange(len(rows[0])), rng.randrange(len(rows[0]))
    for row in rows:
        if a < len(row) and b < len(row):
            row[a], row[b] = row[b], row[a]
    return f"columns {a} and {b} swapped"


def _drop_row(rng: random.Random, rows: list[list[str]]) -> str:
    r = rng.randrange(len(rows))
    del rows[r]
    return f"row {r} dropped"


def _duplicate_row(rng: random.Random, rows: list[list[str]]) -> str:
    r = rng.randrange(len(rows))
    rows.insert(r, list(rows[r]))
    return f"row {r} duplicated"


def _extra_value(rng: random.Random, rows: list[list[str]]) -> str:
    r = rng.randrange(len(rows))
    rows[r].append(rng.choice(JUNK) or "x")
    return f"row {r} has one value too many"


def _truncate(rng: random.Random, files: Files) -> str:
    name = _pick(rng, files)
    if name is None:
        return "skip"
    cut = rng.randrange(len(files[name]) + 1)
    files[name] = files[name][:cut]
    return f"{name}: cut at byte {cut}"


def _raw(rng: random.Random, files: Files) -> str:
    name = _pick(rng, files)
    if name is None:
        return "skip"
    at, junk = rng.randrange(len(files[name]) + 1), rng.choice(RAW)
    files[name] = files[name][:at] + junk + files[name][at:]
    return f"{name}: {junk!r} at byte {at}"


def _crlf(rng: random.Random, files: Files) -> str:
    name = _pick(rng, files)
    if name is None:
        return "skip"
    files[name] = files[name].replace(b"\n", b"\r\n")
    return f"{name}: CRLF"


def _bom(rng: random.Random, files: Files) -> str:
    name = _pick(rng, files)
    if name is None:
        return "skip"
    files[name] = b"\xef\xbb\xbf" + files[name]
    return f"{name}: BOM"


def _latin1(rng: random.Random, files: Files) -> str:
    name = _pick(rng, files)
    if name is None:
        return "skip"
    files[name] = files[name].decode("utf-8").encode("latin-1", "replace")
    return f"{name}: Latin-1"


def _empty_file(rng: random.Random, files: Files) -> str:
    name = _pick(rng, files)
    if name is None:
        return "skip"
    files[name] = rng.choice([b"", files[name].split(b"\n", 1)[0] + b"\n"])
    return f"{name}: emptied ({len(files[name])} bytes)"


def _delete_file(rng: random.Random, files: Files) -> str:
    name = _pick(rng, files)
    if name is None:
        return "skip"
    del files[name]
    return f"{name}: deleted"


MUTATIONS: list[Mutation] = [
    *[_rows_op(_cell)] * 6,  # junk in a cell is the most common case
    _rows_op(_empty_cell),
    _rows_op(_header),
    _rows_op(_drop_column),
    _rows_op(_duplicate_column),
    _rows_op(_swap_columns),
    _rows_op(_drop_row),
    _rows_op(_duplicate_row),
    _rows_op(_extra_value),
    _truncate,
    _raw,
    _raw,
    _crlf,
    _bom,
    _latin1,
    _empty_file,
    _delete_file,
]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _refusal_problems(
    exc: ImportErrors, book: Path, base: tuple[str, tuple[int, ...]]
) -> list[str]:
    """What is wrong with a refusal: its lines' shapes, raw controls, a changed book."""
    problems = [
        f"line not 'file.csv:line: field: message': {line!r}"
        for line in exc.errors
        if not (LINE.match(line) or WHOLE_FOLDER.match(line))
    ]
    text = str(exc)
    if any(is_control(ch) for ch in text.replace("\n", "")):
        problems.append(f"raw control character in the message: {text[:300]!r}")
    if len(text.split("\n")) != len(exc.errors):
        problems.append("an error spans more than one line")
    # the same bytes and no WAL beside them is the same book (rows and change counter
    # included): reading the rows again would check nothing more and cost a DuckDB open
    if _digest(book) != base[0] or book.with_name(book.name + ".wal").exists():
        problems.append("the book's file changed")
    return problems


def _rows_and_counter(path: Path) -> tuple[int, ...]:
    """Every table's row count and the change counter, in one read (one open of the file)."""
    with Book(path).reading() as con:
        counts = [con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES]
        counter = con.execute("SELECT value FROM book_meta WHERE key = 'change_counter'")
        return (*counts, int(counter.fetchone()[0]))


@pytest.mark.parametrize("half", [0, 1])
def test_mutated_sample_folders_are_refused_cleanly_or_imported_whole(
    tmp_path: Path, half: int
) -> None:
    seed, cases = SEED + half, CASES // 2 + (CASES % 2 if half == 0 else 0)
    sample: Files = {p.name: p.read_bytes() for p in sorted(SAMPLE.glob("*.csv"))}
    base = tmp_path / "base.duckdb"
    Book.open(base)
    assert not base.with_name("base.duckdb.wal").exists()
    baseline = (_digest(base), _rows_and_counter(base))
    assert baseline[1][-1] == 0
    rng = random.Random(seed)
    outcomes: Counter[str] = Counter()
    failures: list[str] = []
    end = time.monotonic() + SECONDS
    case = 0
    while case < cases and time.monotonic() < end:
        case += 1
        files = dict(sample)
        ops = [rng.choice(MUTATIONS)(rng, files) for _ in range(rng.randint(1, 3))]
        folder = tmp_path / f"case{case}"
        folder.mkdir()
        for name, data in files.items():
            (folder / name).write_bytes(data)
        book = tmp_path / f"case{case}.duckdb"
        shutil.copyfile(base, book)
        where = f"case {case} (seed {seed}: {'; '.join(ops)})"
        try:
            import_folder(Book(book), folder)
        except ImportErrors as exc:
            outcomes["refused"] += 1
            failures += [f"{where}: {p}" for p in _refusal_problems(exc, book, baseline)]
        except Exception as exc:  # every other exception is a finding
            outcomes["crashed"] += 1
            failures.append(f"{where}: {type(exc).__name__}: {str(exc)[:300]}")
        else:
            outcomes["accepted"] += 1
            frames = Book.open(book).frames()
            aging(frames, TODAY)
            if frames.change_counter != 1:
                failures.append(f"{where}: accepted in {frames.change_counter} transactions")
        shutil.rmtree(folder)
        for leftover in tmp_path.glob(f"case{case}.duckdb*"):
            leftover.unlink()
    print(f"\nfuzzed {case} folders (seed {seed}): {dict(outcomes)}")
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:8])
    assert case >= min(cases, 40), "too few cases ran within the time cap to mean anything"
    assert outcomes["refused"] and outcomes["accepted"]
