"""``milepay export --format hledger|parquet``: the journal (by hand), Parquet files, modes."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import stat
import subprocess
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from tui.analytics.aging import aging
from tui.analytics.journal import clean_text, client_accounts, hledger_journal
from tui.cli import main
from tui.domain import Client, Contract, Milestone, MilestoneStatus, Payment
from tui.domain.errors import RefusedError
from tui.store import Book
from tui.store.exchange.formats import (
    JOURNAL_FILE,
    PARQUET_FILES,
    export_parquet,
    export_text_files,
)
from tui.store.schema import TABLES

D = Decimal
AS_OF = dt.date(2026, 11, 24)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _hand_book(book: Book) -> Book:
    """Two clients (EUR and GBP): a part payment, a deposit before its invoice, a deposit on
    work never invoiced, an invoice after as_of, a written-off invoice part paid."""
    acme = book.add_client(Client(name="Acme: Labs"))
    ms = [
        Milestone(seq=1, title="Design", amount=D("1000.00"), due_date=dt.date(2026, 10, 1)),
        Milestone(seq=2, title="Build", amount=D("2000.00"), due_date=dt.date(2026, 10, 31)),
        Milestone(seq=3, title="Launch", amount=D("500.00"), due_date=dt.date(2026, 12, 15)),
        Milestone(seq=4, title="Extras", amount=D("300.00"), due_date=dt.date(2026, 12, 20)),
    ]
    site = book.add_contract(
        acme, Contract(title="Site", currency="EUR", total_fee=D("3800.00")), ms
    )
    bright = book.add_client(Client(name="Bright Ltd"))
    ms = [
        Milestone(seq=1, title="Report", amount=D("800.00"), due_date=dt.date(2026, 8, 31)),
        Milestone(seq=2, title="Review", amount=D("1200.00"), due_date=dt.date(2026, 11, 9)),
    ]
    audit = book.add_contract(
        bright, Contract(title="Audit", currency="GBP", total_fee=D("2000.00")), ms
    )
    ids = {(r["contract_id"], r["seq"]): r["id"] for r in book.table("milestones").to_dicts()}
    design, build, launch, extras = (ids[site, s] for s in (1, 2, 3, 4))
    report, review = ids[audit, 1], ids[audit, 2]
    book.record_payment(build, Payment(amount=D("500.00"), received_on=dt.date(2026, 9, 15)))
    book.mark_invoiced(design, "INV-1", dt.date(2026, 9, 1), dt.date(2026, 10, 1))
    book.mark_invoiced(build, "INV-2", dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    book.mark_invoiced(extras, "INV-4", dt.date(2026, 11, 25), dt.date(2026, 12, 20))
    pay = Payment(amount=D("400.00"), received_on=dt.date(2026, 10, 5), reference="TX;9")
    book.record_payment(design, pay)
    book.record_payment(build, Payment(amount=D("1500.00"), received_on=dt.date(2026, 11, 30)))
    book.record_payment(launch, Payment(amount=D("100.00"), received_on=dt.date(2026, 11, 1)))
    book.mark_invoiced(report, "B-7", dt.date(2026, 8, 1), dt.date(2026, 8, 31))
    book.record_payment(report, Payment(amount=D("200.00"), received_on=dt.date(2026, 8, 20)))
    book.set_milestone_status(report, MilestoneStatus.WRITTEN_OFF)
    book.mark_invoiced(review, "B-8", dt.date(2026, 10, 10), dt.date(2026, 11, 9))
    return book


@pytest.fixture(scope="module")
def hand_template(tmp_path_factory: pytest.TempPathFactory, empty_template: Path) -> Book:
    """The hand-built book, written once per module (tests take a backup copy of it)."""
    path = tmp_path_factory.mktemp("hand") / "hand.duckdb"
    shutil.copyfile(empty_template, path)
    return _hand_book(Book.open(path))


@pytest.fixture
def hand(tmp_path: Path, hand_template: Book) -> Path:
    """A private copy of the hand-built book (its path)."""
    return hand_template.backup(tmp_path / "book.duckdb")


#: worked out by hand from _hand_book (see the module docstring of tui.analytics.journal):
#: Acme owes 1000 - 400 (INV-1) + 2000 - 500 deposit (INV-2) = 2100.00 EUR; INV-4 (25 Nov) and
#: the 1500.00 of 30 Nov come after as_of; the 100.00 on Launch (never invoiced) stays an
#: advance. Bright owes 1200.00 GBP (B-8): B-7's 800.00 less 200.00 paid is written off on the
#: day of its last payment.
EXPECTED = """\
; milepay: invoices and payments up to 2026-11-24, as an hledger journal

decimal-mark .

commodity 1000.00 EUR
commodity 1000.00 GBP

account assets:bank
account assets:receivable:Acme- Labs
account assets:receivable:Bright Ltd
account expenses:bad debt:Bright Ltd
account income:Acme- Labs
account income:Bright Ltd
account liabilities:advances:Acme- Labs

2026-08-01 Invoice B-7, Bright Ltd: Audit #1 Report
    assets:receivable:Bright Ltd   800.00 GBP
    income:Bright Ltd             -800.00 GBP

2026-08-20 Payment of invoice B-7, Bright Ltd: Audit #1 Report
    assets:bank                    200.00 GBP
    assets:receivable:Bright Ltd  -200.00 GBP

2026-08-20 Written off: invoice B-7, Bright Ltd: Audit #1 Report
    expenses:bad debt:Bright Ltd   600.00 GBP
    assets:receivable:Bright Ltd  -600.00 GBP

2026-09-01 Invoice INV-1, Acme: Labs: Site #1 Design
    assets:receivable:Acme- Labs   1000.00 EUR
    income:Acme- Labs             -1000.00 EUR

2026-09-15 Advance payment, Acme: Labs: Site #2 Build
    assets:bank                       500.00 EUR
    liabilities:advances:Acme- Labs  -500.00 EUR

2026-10-01 Invoice INV-2, Acme: Labs: Site #2 Build
    assets:receivable:Acme- Labs   2000.00 EUR
    income:Acme- Labs             -2000.00 EUR

2026-10-01 Advance applied to invoice INV-2, Acme: Labs: Site #2 Build
    liabilities:advances:Acme- Labs   500.00 EUR
    assets:receivable:Acme- Labs     -500.00 EUR

2026-10-05 Payment of invoice INV-1, reference TX,9, Acme: Labs: Site #1 Design
    assets:bank                    400.00 EUR
    assets:receivable:Acme- Labs  -400.00 EUR

2026-10-10 Invoice B-8, Bright Ltd: Audit #2 Review
    assets:receivable:Bright Ltd   1200.00 GBP
    income:Bright Ltd             -1200.00 GBP

2026-11-01 Advance payment, Acme: Labs: Site #3 Launch
    assets:bank                       100.00 EUR
    liabilities:advances:Acme- Labs  -100.00 EUR
"""


# ---- a small reader of the journal, to check it without hledger ------------------------------

_TXN = re.compile(r"^(\d{4}-\d{2}-\d{2}) (\S.*)$")
_POSTING = re.compile(r"^    (\S(?:\S| (?! ))*)  +(-?\d+\.\d{2}) ([A-Z]{3})$")


def _read_journal(text: str) -> tuple[list[tuple[dt.date, list[tuple[str, Decimal, str]]]], set]:
    """Transactions (date, postings) and the declared accounts and commodities; every line of
    the journal must be a comment, a directive, a transaction, a posting or empty."""
    txns: list[tuple[dt.date, list[tuple[str, Decimal, str]]]] = []
    declared: set[str] = set()
    for line in text.split("\n"):
        if m := _TXN.match(line):
            txns.append((dt.date.fromisoformat(m[1]), []))
        elif m := _POSTING.match(line):
            txns[-1][1].append((m[1], Decimal(m[2]), m[3]))
        elif line.startswith(("account ", "commodity 1000.00 ")):
            declared.add(line.split(" ", 1)[1])
        else:
            assert line in ("", "decimal-mark .") or line.startswith("; "), line
    return txns, declared


def _balances(text: str, as_of: dt.date) -> dict[tuple[str, str], Decimal]:
    """Per (account, commodity): the balance at the end; checks every transaction balances per
    commodity, dates are in order and not after as_of, accounts and commodities are declared."""
    txns, declared = _read_journal(text)
    dates = [d for d, _ in txns]
    assert dates == sorted(dates) and all(d <= as_of for d in dates)
    out: dict[tuple[str, str], Decimal] = {}
    for _, postings in txns:
        sums: dict[str, Decimal] = {}
        for account, amount, cur in postings:
            assert account in declared and f"1000.00 {cur}" in declared
            sums[cur] = sums.get(cur, D(0)) + amount
            out[account, cur] = out.get((account, cur), D(0)) + amount
        assert set(sums.values()) == {D(0)}, postings
    return out


def _receivables_match_aging(book: Book, text: str, as_of: dt.date) -> int:
    """Each client's receivable per currency equals the aging total; the number compared."""
    frames = book.frames()
    accounts = client_accounts(frames.clients)
    totals = {
        (r["client_id"], r["currency"]): r["total"]
        for r in aging(frames, as_of).rows.iter_rows(named=True)
    }
    balances = _balances(text, as_of)
    receivable = {k: v for k, v in balances.items() if k[0].startswith("assets:receivable:")}
    by_account = {f"assets:receivable:{a}": cid for cid, a in accounts.items()}
    seen = {(by_account[a], cur): v for (a, cur), v in receivable.items()}
    for key, total in totals.items():
        assert seen.get(key) == total, key
    assert all(v == 0 for k, v in seen.items() if k not in totals)
    return len(totals)


# ---- the journal ----------------------------------------------------------------------------


def test_journal_of_a_hand_built_book(hand: Path) -> None:
    book = Book.open(hand)
    text = hledger_journal(book.frames(), AS_OF)
    assert text == EXPECTED
    balances = _balances(text, AS_OF)
    assert balances["assets:receivable:Acme- Labs", "EUR"] == D("2100.00")
    assert balances["assets:receivable:Bright Ltd", "GBP"] == D("1200.00")
    assert balances["liabilities:advances:Acme- Labs", "EUR"] == D("-100.00")
    assert _receivables_match_aging(book, text, AS_OF) == 2


def test_journal_before_the_deposit_was_invoiced(hand: Path) -> None:
    """On 30 Sep the Build deposit is still an advance; INV-2 and its application are later."""
    book = Book.open(hand)
    balances = _balances(hledger_journal(book.frames(), dt.date(2026, 9, 30)), dt.date(2026, 9, 30))
    assert balances["liabilities:advances:Acme- Labs", "EUR"] == D("-500.00")
    assert balances["assets:receivable:Acme- Labs", "EUR"] == D("1000.00")
    assert balances["assets:bank", "GBP"] == D("200.00")


def test_journal_balances_equal_aging_on_the_demo_book(
    tmp_path: Path, demo_at: Callable[[Path], Book]
) -> None:
    book = demo_at(tmp_path / "demo.duckdb")
    text = hledger_journal(book.frames(), AS_OF)
    assert _receivables_match_aging(book, text, AS_OF) >= 5
    assert "expenses:bad debt:" in text  # the demo writes one milestone off


def test_names_and_text_are_cleaned() -> None:
    assert clean_text("a\nb\t\tc;  d\u202e\x1be\u200b") == "a b c, de"
    clients = pl.DataFrame(
        {"id": [1, 2, 3, 4], "name": ["A:B", "A-B", "Ok  Co;\n", "\x07"]},
        schema={"id": pl.Int32, "name": pl.String},
    )
    assert client_accounts(clients) == {
        1: "A-B (id 1)",
        2: "A-B (id 2)",
        3: "Ok Co,",
        4: "client 4",
    }


def test_empty_book_journal(book: Book) -> None:
    text = hledger_journal(book.frames(), AS_OF)
    assert text == (
        "; milepay: invoices and payments up to 2026-11-24, as an hledger journal\n"
        "\ndecimal-mark .\n"
    )


def test_hledger_is_installed() -> None:
    """Kept apart so a skip shows: the other tests check the journal in Python either way."""
    if shutil.which("hledger") is None:
        pytest.skip("hledger is not installed: `hledger check` was not run on the journal")


@pytest.mark.skipif(shutil.which("hledger") is None, reason="hledger is not installed")
def test_hledger_check_accepts_the_journals(
    tmp_path: Path, hand: Path, demo_at: Callable[[Path], Book]
) -> None:
    book = Book.open(hand)
    demo = demo_at(tmp_path / "demo.duckdb")
    for name, b in (("hand", book), ("demo", demo)):
        path = tmp_path / f"{name}.journal"
        path.write_text(hledger_journal(b.frames(), AS_OF), encoding="utf-8")
        cmd = ["hledger", "-f", str(path), "check", "--strict", "ordereddates"]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        bal = ["hledger", "-f", str(path), "balance", "assets:receivable", "-N", "--flat"]
        assert subprocess.run(bal, capture_output=True, text=True, check=False).returncode == 0


# ---- files: modes, Parquet, the command line ------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_parquet_files_read_back_equal_the_tables(
    tmp_path: Path, demo_at: Callable[[Path], Book]
) -> None:
    book = demo_at(tmp_path / "demo.duckdb")
    out = tmp_path / "pq"
    written = export_parquet(book, out)
    assert [p.name for p in written] == [f"{t}.parquet" for t in TABLES]
    assert sorted(os.listdir(out)) == sorted([".milepay-export", *PARQUET_FILES])
    assert _mode(out) == 0o700
    assert {_mode(out / n) for n in os.listdir(out)} == {0o600}
    for table in TABLES:
        got = pl.read_parquet(out / f"{table}.parquet")
        want = book.table(table)
        assert got.schema == want.schema, table
        assert got.sort(got.columns).equals(want.sort(want.columns)), table
    ms = pl.read_parquet(out / "milestones.parquet")
    assert ms.schema["amount"] == pl.Decimal(18, 2)
    assert isinstance(ms["amount"][0], Decimal)
    assert ms["amount"].sum() == book.table("milestones")["amount"].sum()


def test_cli_hledger_export(tmp_path: Path, hand: Path) -> None:
    book_path = hand
    out = tmp_path / "journal"
    code, stdout, err = run("export", str(out), "--db", str(book_path), "--format", "hledger")
    assert (code, err) == (0, "")
    assert stdout == f"Exported 1 file to {out}\n"
    assert (out / JOURNAL_FILE).read_text(encoding="utf-8") == EXPECTED  # today is 2026-11-24
    assert _mode(out) == 0o700 and _mode(out / JOURNAL_FILE) == 0o600
    assert _mode(out / ".milepay-export") == 0o600
    code, _, err = run("export", str(out), "--db", str(book_path), "--format", "hledger")
    assert code == 1 and "already exists; choose a new folder or pass --force" in err
    args = ["export", str(out), "--db", str(book_path), "--format", "hledger", "--force"]
    code, _, err = run(*args, "--as-of", "2026-09-30")
    assert (code, err) == (0, "")
    text = (out / JOURNAL_FILE).read_text(encoding="utf-8")
    assert text.startswith("; milepay: invoices and payments up to 2026-09-30,")
    assert "INV-2" not in text


def test_cli_force_replaces_an_export_of_another_format(
    tmp_path: Path, book_path: Path, empty_template: Path
) -> None:
    shutil.copyfile(empty_template, book_path)
    out = tmp_path / "out"
    assert run("export", str(out), "--db", str(book_path), "--format", "hledger")[0] == 0
    args = ["export", str(out), "--db", str(book_path), "--force"]
    code, stdout, err = run(*args, "--format", "parquet")
    assert (code, err) == (0, "")
    assert stdout == f"Exported {len(TABLES)} files to {out}\n"
    assert sorted(os.listdir(out)) == sorted([".milepay-export", *PARQUET_FILES])
    (out / "mine.txt").write_text("keep me")
    code, _, err = run(*args, "--format", "hledger")
    assert code == 1 and "holds mine.txt besides an export" in err
    assert (out / "mine.txt").read_text() == "keep me"
    assert (out / "clients.parquet").exists()


def test_as_of_only_with_hledger(tmp_path: Path, book_path: Path, empty_template: Path) -> None:
    shutil.copyfile(empty_template, book_path)
    for fmt in ("csv", "parquet"):
        code, _, err = run(
            "export", str(tmp_path / fmt), "--db", str(book_path), "--format", fmt,
            "--as-of", "2026-01-01",
        )  # fmt: skip
        assert code == 2 and "--as-of applies to --format hledger only" in err
        assert not (tmp_path / fmt).exists()
    code, _, err = run(
        "export", str(tmp_path / "j"), "--db", str(book_path), "--format", "hledger",
        "--as-of", "2026-13-01",
    )  # fmt: skip
    assert code == 1 and "--as-of" in err and not (tmp_path / "j").exists()
    code, _, err = run("export", str(tmp_path / "x"), "--db", str(book_path), "--format", "xls")
    assert code == 2 and "xls" in err


def test_text_export_refuses_a_link_and_unknown_names(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    with pytest.raises(RefusedError, match="symbolic link"):
        export_text_files(tmp_path / "link", {JOURNAL_FILE: "x\n"}, force=True)
    with pytest.raises(ValueError):
        export_text_files(tmp_path / "new", {"../evil": "x"})
    assert os.listdir(tmp_path / "real") == [] and not (tmp_path / "new").exists()
