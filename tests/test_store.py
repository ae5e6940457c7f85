"""The book file: creation, refusal of foreign files, migrations, rules, transactions."""

from __future__ import annotations

import datetime as dt
import os
import stat
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tui.domain import (
    Client,
    Contact,
    Contract,
    Milestone,
    MilestoneStatus,
    Payment,
    RefusedError,
    ValidationError,
)
from tui.store import Book, NotABookError, SchemaTooNewError, schema
from tui.store.errors import BookError

D = Decimal


def _contract(book: Book, amounts: tuple[str, ...] = ("1000", "1000")) -> tuple[int, int]:
    cid = book.add_client(Client(name="Acme"), [Contact(name="Pat", role="payer")])
    ms = [
        Milestone(seq=i + 1, title=f"M{i + 1}", amount=D(a), due_date=dt.date(2026, 10, 1 + i))
        for i, a in enumerate(amounts)
    ]
    kid = book.add_contract(cid, Contract(title="Site", currency="EUR", total_fee=D("2000")), ms)
    return cid, kid


def test_new_book_is_private(book_path: Path) -> None:
    Book.open(book_path)
    assert stat.S_IMODE(os.stat(book_path).st_mode) == 0o600


def test_new_book_in_new_folder(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "book.duckdb"
    Book.open(path)
    assert path.exists()


def test_default_path_from_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from tui.store import default_book_path

    monkeypatch.setenv("MILEPAY_DB", str(tmp_path / "x.duckdb"))
    assert default_book_path() == tmp_path / "x.duckdb"
    monkeypatch.delenv("MILEPAY_DB")
    assert default_book_path().name == "milepay.duckdb"
    assert "milepay" in str(default_book_path().parent)


@pytest.mark.parametrize(
    "content",
    [b"name,amount\nAcme,100\n", b"", b"\x00" * 4096, b"SQLite format 3\x00" + b"\x00" * 100],
)
def test_not_a_duckdb_file_is_refused_untouched(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "book.duckdb"
    path.write_bytes(content)
    with pytest.raises(NotABookError) as exc:
        Book.open(path)
    assert "not a milepay book" in str(exc.value)
    assert "left untouched" in str(exc.value)
    assert path.read_bytes() == content
    assert not path.with_name("book.duckdb.wal").exists()


def test_foreign_duckdb_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1)")
    con.close()
    before = path.read_bytes()
    with pytest.raises(NotABookError, match="not a milepay book"):
        Book.open(path)
    assert path.read_bytes() == before


def test_newer_schema_is_refused_untouched(book_path: Path) -> None:
    Book.open(book_path)
    con = duckdb.connect(str(book_path))
    con.execute("UPDATE schema_version SET version = 99")
    con.execute("CHECKPOINT")
    con.close()
    before = book_path.read_bytes()
    mtime = book_path.stat().st_mtime_ns
    with pytest.raises(SchemaTooNewError) as exc:
        Book.open(book_path)
    assert "newer milepay" in str(exc.value) and "schema 99" in str(exc.value)
    assert book_path.read_bytes() == before
    assert book_path.stat().st_mtime_ns == mtime


NEXT = schema.SCHEMA_VERSION + 1


def test_migration_keeps_a_backup_first(book_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = Book.open(book_path)
    _contract(book)
    before = book_path.read_bytes()
    monkeypatch.setitem(
        schema.MIGRATIONS, NEXT, "ALTER TABLE clients ADD COLUMN vat_id VARCHAR DEFAULT ''"
    )
    monkeypatch.setattr("tui.store.book.SCHEMA_VERSION", NEXT)
    Book.open(book_path)
    backup = book_path.with_name(f"book.duckdb.v{NEXT - 1}.bak")
    assert backup.read_bytes() == before
    assert stat.S_IMODE(os.stat(backup).st_mode) == 0o600
    con = duckdb.connect(str(book_path), read_only=True)
    assert con.execute("SELECT version FROM schema_version").fetchone() == (NEXT,)
    assert con.execute("SELECT vat_id FROM clients").fetchall() == [("",)]
    con.close()


def test_failed_migration_leaves_the_book_at_its_version(
    book_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = Book.open(book_path)
    _contract(book)
    monkeypatch.setitem(
        schema.MIGRATIONS, NEXT, "ALTER TABLE clients ADD COLUMN z INT; SELECT * FROM no_such_table"
    )
    monkeypatch.setattr("tui.store.book.SCHEMA_VERSION", NEXT)
    with pytest.raises(duckdb.Error):
        Book.open(book_path)
    monkeypatch.setattr("tui.store.book.SCHEMA_VERSION", NEXT - 1)
    assert Book.open(book_path).counts()["milestones"] == 2
    con = duckdb.connect(str(book_path), read_only=True)
    assert con.execute("SELECT version FROM schema_version").fetchone() == (NEXT - 1,)
    assert "z" not in [r[0] for r in con.execute("DESCRIBE clients").fetchall()]
    con.close()


def test_new_book_has_reference_rates_and_templates(book: Book) -> None:
    counts = book.counts()
    assert counts["reference_rates"] > 20
    assert counts["message_templates"] == 5


def test_overpayment_is_refused_and_nothing_written(book: Book) -> None:
    _contract(book)
    book.record_payment(1, Payment(amount=D("400.00"), received_on=dt.date(2026, 10, 5)))
    before = book.change_count()
    with pytest.raises(RefusedError) as exc:
        book.record_payment(1, Payment(amount=D("600.01"), received_on=dt.date(2026, 10, 6)))
    assert str(exc.value) == (
        "amount: 600.01 would overpay this milestone (amount 1,000.00, already paid 400.00, open 600.00)"
    )
    assert book.counts()["payments"] == 1
    assert book.change_count() == before
    book.record_payment(1, Payment(amount=D("600.00"), received_on=dt.date(2026, 10, 6)))
    assert book.milestone_open_amount(1) == D("0.00")


def test_payment_on_cancelled_milestone_refused(book: Book) -> None:
    _contract(book)
    book.set_milestone_status(2, MilestoneStatus.CANCELLED)
    with pytest.raises(RefusedError, match="cancelled"):
        book.record_payment(2, Payment(amount=D("1.00"), received_on=dt.date(2026, 10, 5)))


def test_milestone_with_payments_cannot_be_deleted(book: Book) -> None:
    _contract(book)
    book.record_payment(1, Payment(amount=D("1.00"), received_on=dt.date(2026, 10, 5)))
    with pytest.raises(RefusedError, match="cannot be deleted"):
        book.delete_milestone(1)
    book.delete_milestone(2)
    assert book.counts()["milestones"] == 1


def test_amount_below_paid_refused(book: Book) -> None:
    _contract(book)
    book.record_payment(1, Payment(amount=D("500.00"), received_on=dt.date(2026, 10, 5)))
    m = Milestone(seq=1, title="M1", amount=D("499.99"), due_date=dt.date(2026, 10, 1))
    with pytest.raises(RefusedError, match=r"less than the 500\.00 already paid"):
        book.update_milestone(1, m)


def test_archive_and_restore(book: Book) -> None:
    cid, kid = _contract(book)
    book.set_client_archived(cid, True)
    book.set_contract_archived(kid, True)
    assert book.get("clients", cid)["archived"] is True
    assert book.counts()["clients"] == 1  # archived, never removed
    book.set_client_archived(cid, False)
    assert book.get("clients", cid)["archived"] is False


def test_natural_keys_checked_and_rename_works(book: Book) -> None:
    cid, kid = _contract(book)
    with pytest.raises(ValidationError, match="name: a client named 'ACME' already exists"):
        book.add_client(Client(name="ACME"))
    book.update_client(cid, Client(name="Acme Ltd"))  # renaming a referenced client works
    assert book.get("clients", cid)["name"] == "Acme Ltd"
    with pytest.raises(ValidationError, match="title"):
        book.add_contract(cid, Contract(title="site", currency="EUR", total_fee=D("1")))
    with pytest.raises(ValidationError, match="seq"):
        book.add_milestone(
            kid, Milestone(seq=2, title="x", amount=D("1"), due_date=dt.date(2026, 1, 1))
        )


def test_a_failed_action_writes_nothing(book: Book) -> None:
    cid = book.add_client(Client(name="Acme"))
    before = (book.counts(), book.change_count())
    dup = [
        Milestone(seq=1, title="a", amount=D("1"), due_date=dt.date(2026, 1, 1)),
        Milestone(seq=1, title="b", amount=D("1"), due_date=dt.date(2026, 1, 1)),
    ]
    with pytest.raises(ValidationError, match="same sequence number"):
        book.add_contract(cid, Contract(title="T", currency="EUR", total_fee=D("2")), dup)
    assert (book.counts(), book.change_count()) == before


def test_change_counter_counts_writes(book: Book) -> None:
    n = book.change_count()
    book.add_client(Client(name="A"))
    book.add_client(Client(name="B"))
    assert book.change_count() == n + 2
    assert book.frames().change_counter == n + 2


def test_settings_all_or_nothing(book: Book) -> None:
    book.save_settings({"home_currency": "GBP", "opening_balance": "1,000.50"})
    with pytest.raises(ValidationError, match="bucket_edges"):
        book.save_settings({"home_currency": "USD", "bucket_edges": "1,2"})
    s = book.settings()
    assert (s.home_currency, s.opening_balance) == ("GBP", D("1000.50"))


def test_frames_keep_decimal_money(book: Book) -> None:
    _contract(book, ("333.33", "666.67"))
    f = book.frames()
    assert str(f.milestones["amount"].dtype) == "Decimal(precision=18, scale=2)"
    assert f.milestones["amount"].sum() == D("1000.00")


def test_backup(book_path: Path, tmp_path: Path) -> None:
    book = Book.open(book_path)
    _contract(book)
    target = book.backup(tmp_path / "copy.duckdb")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert Book.open(target).counts() == book.counts()
    with pytest.raises(BookError, match="already exists"):
        book.backup(target)
    default = book.backup()
    assert default.name == "book-2026-11-24.duckdb"
    assert book.backup().name == "book-2026-11-24-2.duckdb"
