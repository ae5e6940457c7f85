"""``milepay report statement``: table, JSON and CSV of a hand-worked book, the PDF file
(new, 0600, never over a file, the client's name literal), usage errors, and the sample book's
statements agreeing with its aging report for every client."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import stat
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from tui.analytics.statement import statement
from tui.cli import main
from tui.domain.model import Client, Contract, Milestone, Payment
from tui.present.statement_pdf import core_text, statement_pdf_bytes
from tui.store import Book

D = Decimal
AS_OF = "2026-11-24"
EVIL = "[bold]Acme[/] $x {0}"
SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"


def run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def db(book: Book, book_path: Path) -> Path:
    """EVIL: one EUR contract, late fee 1 % a month.

    m1 1000.00 invoiced 2026-09-25, due 2026-10-25, 400.00 paid 2026-11-01: open 600.00,
       30 days (1-30); fee 1000 x 30 - 400 x 23 = 20,800 money-days x 1 % / 30 = 6.93.
    m2 500.00 invoiced 2026-11-20, due 2026-12-20: open 500.00, 0 days (current), fee 0.00.
    Owed 1,100.00 EUR; late fees 6.93 EUR apart. Another client, Zeta, owes 900.00.
    """
    cid = book.add_client(Client(name=EVIL))
    zeta = book.add_client(Client(name="Zeta"))
    contract = Contract(title="Site", currency="EUR", total_fee=D("1500.00"),
                        late_fee_kind="monthly", late_fee_value=D("1"))  # fmt: skip
    book.add_contract(cid, contract, [
        Milestone(seq=1, title="Design", amount=D("1000.00"), due_date=dt.date(2026, 10, 25),
                  status="invoiced", invoice_no="A-1", invoiced_on=dt.date(2026, 9, 25)),
        Milestone(seq=2, title="Build", amount=D("500.00"), due_date=dt.date(2026, 12, 20),
                  status="invoiced", invoice_no="A-2", invoiced_on=dt.date(2026, 11, 20)),
    ])  # fmt: skip
    book.add_contract(zeta, Contract(title="Z", currency="EUR", total_fee=D("900.00")), [
        Milestone(seq=1, title="All", amount=D("900.00"), due_date=dt.date(2026, 11, 1),
                  status="invoiced", invoice_no="Z-1", invoiced_on=dt.date(2026, 10, 2)),
    ])  # fmt: skip
    mid = int(book.frames().milestones.filter(invoice_no="A-1")["id"][0])
    book.record_payment(mid, Payment(amount=D("400.00"), received_on=dt.date(2026, 11, 1)))
    return book_path


def statement_of(db: Path, client: str, fmt: str, *extra: str):
    return run("report", "statement", "--db", str(db), "--as-of", AS_OF, "--client", client,
               "--format", fmt, *extra)  # fmt: skip


def test_json(db: Path) -> None:
    result = statement_of(db, EVIL, "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["client"] == EVIL and data["as_of"] == AS_OF
    assert data["buckets"] == ["current", "1-30", "31-60", "61-90", "90+"]
    rows = [(r["invoice_no"], r["open"], r["paid"], r["days_past_due"], r["bucket"], r["late_fee"])
            for r in data["rows"]]  # fmt: skip
    assert rows == [("A-1", "600.00", "400.00", 30, "1-30", "6.93"),
                    ("A-2", "500.00", "0.00", 0, "current", "0.00")]  # fmt: skip
    (total,) = data["totals"]
    assert total == {"currency": "EUR", "current": "500.00", "1-30": "600.00", "31-60": "0.00",
                     "61-90": "0.00", "90+": "0.00", "late_fees": "6.93",
                     "owed": "1100.00"}  # fmt: skip


def test_table_and_csv(db: Path) -> None:
    table = statement_of(db, EVIL, "table")
    assert table.exit_code == 0, table.stderr
    assert f"Client: {EVIL}" in table.stdout
    assert "Total owed (EUR): 1,100.00 EUR" in table.stdout
    assert "Late fees accrued (not yet invoiced, not in the total owed): 6.93 EUR" in table.stdout
    assert "Zeta" not in table.stdout and "Z-1" not in table.stdout
    out = statement_of(db, EVIL, "csv")
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert [(r["invoice_no"], r["open"], r["late_fee"], r["bucket"]) for r in rows] == [
        ("A-1", "600.00", "6.93", "1-30"), ("A-2", "500.00", "0.00", "current")]  # fmt: skip


def test_usage_and_unknown_client(db: Path) -> None:
    missing = run("report", "statement", "--db", str(db))
    assert missing.exit_code == 2 and "--client" in missing.stderr
    wrong_kind = run("report", "aging", "--db", str(db), "--client", "Zeta")
    assert wrong_kind.exit_code == 2 and "--client applies to the statement" in wrong_kind.stderr
    unknown = statement_of(db, "Zetta", "table")
    assert unknown.exit_code == 1 and unknown.stdout == ""
    assert "no client named 'Zetta'" in unknown.stderr and "'Zeta'" in unknown.stderr
    assert len(unknown.stderr.strip().splitlines()) == 1


def _title(pdf: bytes) -> str:
    """The PDF's /Title: a literal string (ASCII text) or UTF-16BE hex with a byte-order mark."""
    hexed = re.search(rb"/Title <feff([0-9a-f]+)>", pdf)
    if hexed is not None:
        return bytes.fromhex(hexed.group(1).decode()).decode("utf-16-be")
    literal = re.search(rb"/Title \((.*)\)\n", pdf)
    assert literal is not None
    return literal.group(1).decode("latin-1")


def test_pdf_is_new_private_and_refuses_overwrite(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "statement.pdf"
    result = statement_of(db, EVIL, "table", "--pdf", str(target))
    assert result.exit_code == 0, result.stderr
    assert f"Statement PDF written to {target}" in result.stderr
    assert "Total owed (EUR)" in result.stdout
    data = target.read_bytes()
    assert data.startswith(b"%PDF")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    assert _title(data) == f"Statement of account: {EVIL}, as of {AS_OF}"
    assert b"/Creator (milepay)" in data and b"/CreationDate (D:20261124000000Z)" in data
    again = statement_of(db, EVIL, "table", "--pdf", str(target))
    assert again.exit_code == 1 and "already exists" in again.stderr and again.stdout == ""
    assert target.read_bytes() == data


def test_pdf_text_is_literal_and_reproducible(db: Path) -> None:
    stmt = statement(Book(db).frames(lean=True), dt.date(2026, 11, 24), EVIL)
    plain = statement_pdf_bytes(stmt, font_dirs=(), compress=False)  # core Helvetica
    assert b"(Client: [bold]Acme[/] $x {0}) Tj" in plain
    assert b"(Total owed \\(EUR\\): 1,100.00 EUR) Tj" in plain
    assert statement_pdf_bytes(stmt) == statement_pdf_bytes(stmt)


def test_core_text_replaces_what_helvetica_cannot_draw() -> None:
    assert core_text("1.300,00\u00a0€ · 5\u202f000 日本") == "1.300,00 € · 5 000 ??"


def test_sample_book_statements_equal_aging(tmp_path: Path) -> None:
    path = tmp_path / "sample.duckdb"
    assert run("import", str(SAMPLE), "--db", str(path)).exit_code == 0
    aging = json.loads(run("report", "aging", "--db", str(path), "--as-of", AS_OF,
                           "--format", "json").stdout)  # fmt: skip
    names = {r["client"] for r in aging["rows"]}
    assert len(names) >= 3
    for name in names:
        data = json.loads(statement_of(path, name, "json").stdout)
        want = [{k: v for k, v in r.items() if k not in ("client", "client_id")}
                for r in aging["rows"] if r["client"] == name]  # fmt: skip
        got = [{"currency": t["currency"], **{b: t[b] for b in data["buckets"]},
                "total": t["owed"]} for t in data["totals"]]  # fmt: skip
        assert got == want
