"""Schema 4 (issue 12) on a book written by schema 3: attachments columns, honest templates.

The book is written with the program held at schema 3 and the contract and milestone rows put
in with plain SQL, exactly as milepay 0.3 had them (no ``document``, no ``invoice_file``).
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import pytest
from test_migration_v3 import _dump

from tui.domain import ChaseEvent, Client, Contract, Milestone, Payment, RefusedError
from tui.domain.errors import ValidationError
from tui.domain.model import DEFAULT_TEMPLATES
from tui.store import Book, schema
from tui.store.schema import _V3_TEMPLATES

D = Decimal
day = dt.date


def _schema_3_book(path: Path, monkeypatch: pytest.MonkeyPatch, *, own_reminder: bool) -> None:
    monkeypatch.setattr("tui.store.book.SCHEMA_VERSION", 3)
    book = Book.open(path)
    cid = book.add_client(Client(name="Acme"))
    with book.writing() as con:
        con.execute(
            "INSERT INTO contracts (id, client_id, title, currency, total_fee, "
            "payment_terms_days) VALUES (1, ?, 'Site', 'EUR', 1500.00, 14)",
            [cid],
        )
        con.execute(
            "INSERT INTO milestones (id, contract_id, seq, title, amount, due_date, status, "
            "invoice_no, invoiced_on) VALUES (1, 1, 0, 'Deposit', 1000.00, DATE '2026-10-15', "
            "'invoiced', 'INV-1', DATE '2026-10-01')"
        )
        con.execute(
            "INSERT INTO change_orders VALUES (1, 1, DATE '2026-10-02', 'Extra page', 200.00, "
            "'proposed')"
        )
    book.record_payment(1, Payment(amount=D("300.00"), received_on=day(2026, 11, 1)))
    book.log_chase(1, ChaseEvent(date=day(2026, 10, 20), step="reminder"))
    # every template is still the one shipped with version 3 ...
    for step, (subject, body) in _V3_TEMPLATES.items():
        book.set_template(step, subject, body)
    if own_reminder:  # ... except the reminder, which the user rewrote
        book.set_template("reminder", "Mine", "Please pay. The invoice is attached.")
    monkeypatch.setattr("tui.store.book.SCHEMA_VERSION", schema.SCHEMA_VERSION)


def test_a_schema_3_book_keeps_every_row_and_gains_empty_file_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "book.duckdb"
    _schema_3_book(path, monkeypatch, own_reminder=False)
    before = {t: _dump(path, t) for t in schema.TABLES}
    book = Book.open(path)
    assert _dump(path, "schema_version") == [(schema.SCHEMA_VERSION,)]
    assert book.notes == []
    assert _dump(path, "contracts") == [(*r, "") for r in before["contracts"]]
    assert _dump(path, "milestones") == [(*r, "") for r in before["milestones"]]
    for table in ("payments", "chase_events", "holds", "fee_claims", "change_orders"):
        assert _dump(path, table) == before[table], table
    # templates still as shipped now say what is attached only when it is
    templates = {r[0]: (r[1], r[2]) for r in _dump(path, "message_templates")}
    assert templates == dict(DEFAULT_TEMPLATES)
    assert all("$attachments" in body for _, body in templates.values())
    assert path.with_name("book.duckdb.v3.bak").exists()


def test_a_template_the_user_wrote_is_kept_and_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "book.duckdb"
    _schema_3_book(path, monkeypatch, own_reminder=True)
    book = Book.open(path)
    templates = {r[0]: (r[1], r[2]) for r in _dump(path, "message_templates")}
    assert templates["reminder"] == ("Mine", "Please pay. The invoice is attached.")
    assert templates["firm"] == DEFAULT_TEMPLATES["firm"]
    assert len(book.notes) == 1
    assert "reminder" in book.notes[0] and "$attachments" in book.notes[0]


@pytest.fixture
def book(tmp_path: Path) -> Book:
    return Book.open(tmp_path / "book.duckdb")


def test_files_are_checked_when_set_and_kept_absolute(
    book: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pdf = tmp_path / "docs" / "INV-1.pdf"
    pdf.parent.mkdir()
    pdf.write_bytes(b"%PDF-1.4 invoice")
    signed = tmp_path / "docs" / "contract.pdf"
    signed.write_bytes(b"%PDF-1.4 contract")
    monkeypatch.chdir(tmp_path / "docs")
    cid = book.add_client(Client(name="Acme"))
    with pytest.raises(ValidationError) as err:
        book.add_contract(
            cid, Contract(title="Site", currency="EUR", total_fee=D("1000.00"), document="nope.pdf")
        )
    assert err.value.field == "document" and "does not exist" in err.value.reason
    assert book.rows("contracts") == []  # nothing written
    kid = book.add_contract(
        cid,
        Contract(title="Site", currency="EUR", total_fee=D("1000.00"), document="contract.pdf"),
        [Milestone(seq=0, title="Deposit", amount=D("1000.00"), due_date=day(2026, 11, 1))],
    )
    assert book.rows("contracts")[0]["document"] == str(signed)  # relative made absolute
    mid = book.rows("milestones", "contract_id = ?", [kid])[0]["id"]
    with pytest.raises(ValidationError, match="invoice_file"):
        book.mark_invoiced(mid, "INV-1", day(2026, 11, 1), invoice_file=str(tmp_path / "x.pdf"))
    assert book.rows("milestones")[0]["status"] == "planned"  # the whole write was refused
    monkeypatch.setenv("HOME", str(tmp_path))
    book.mark_invoiced(mid, "INV-1", day(2026, 11, 1), invoice_file="~/docs/INV-1.pdf")
    row = book.rows("milestones")[0]
    assert (row["status"], row["invoice_file"]) == ("invoiced", str(pdf))
    # a file that went away later does not block an edit of something else ...
    pdf.unlink()
    kept = Milestone.parse({**{k: str(v) if v is not None else "" for k, v in row.items()}})
    book.update_milestone(mid, kept.__class__(**{**kept.__dict__, "title": "Deposit paid"}))
    assert book.rows("milestones")[0]["invoice_file"] == str(pdf)
    # ... but a new one must exist; a folder is not a file; an unreadable file is refused
    with pytest.raises(ValidationError, match="is not a file"):
        book.update_milestone(
            mid, kept.__class__(**{**kept.__dict__, "invoice_file": str(tmp_path)})
        )
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(b"x")
    secret.chmod(0)
    if os.geteuid() != 0:
        with pytest.raises(ValidationError, match="cannot be read"):
            book.update_milestone(
                mid, kept.__class__(**{**kept.__dict__, "invoice_file": str(secret)})
            )


def test_undo_chase_step_removes_only_the_last_one(book: Book) -> None:
    cid = book.add_client(Client(name="Acme"))
    kid = book.add_contract(
        cid,
        Contract(title="Site", currency="EUR", total_fee=D("1000.00")),
        [Milestone(seq=0, title="Deposit", amount=D("1000.00"), due_date=day(2026, 10, 1))],
    )
    mid = book.rows("milestones", "contract_id = ?", [kid])[0]["id"]
    with pytest.raises(RefusedError, match="no logged chase step"):
        book.undo_chase_step(mid)
    first = book.log_chase(mid, ChaseEvent(date=day(2026, 10, 5), step="reminder"))
    second = book.log_chase(mid, ChaseEvent(date=day(2026, 10, 15), step="firm"))
    with pytest.raises(RefusedError, match="only the last logged step"):
        book.undo_chase_step(mid, event_id=first)
    assert len(book.rows("chase_events")) == 2
    gone = book.undo_chase_step(mid, event_id=second)
    assert (gone["step"], gone["date"]) == ("firm", day(2026, 10, 15))
    assert [r["id"] for r in book.rows("chase_events")] == [first]


def test_a_relative_base_still_gives_an_absolute_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """milepay import in (a relative folder): the book keeps /abs/in/docs/INV-1.pdf, never
    in/docs/INV-1.pdf, which cron would look for in its own working folder."""
    from tui.store.files import readable_file

    (tmp_path / "in" / "docs").mkdir(parents=True)
    (tmp_path / "in" / "docs" / "INV-1.pdf").write_bytes(b"%PDF")
    monkeypatch.chdir(tmp_path)
    got = readable_file("docs/INV-1.pdf", "invoice_file", base=Path("in"))
    assert got == str(tmp_path / "in" / "docs" / "INV-1.pdf")


def test_an_invoice_number_names_one_invoice(book: Book) -> None:
    """A number already used is refused on invoicing, editing and adding, naming its holder."""
    cid = book.add_client(Client(name="Kettle"))
    kid = book.add_contract(
        cid,
        Contract(title="Site", currency="EUR", total_fee=D("2000.00")),
        [
            Milestone(seq=1, title="A", amount=D("1000.00"), due_date=day(2026, 11, 1)),
            Milestone(seq=2, title="B", amount=D("1000.00"), due_date=day(2026, 12, 1)),
        ],
    )
    m1, m2 = (r["id"] for r in book.rows("milestones", "contract_id = ?", [kid]))
    book.mark_invoiced(m1, "2026-043", day(2026, 11, 1))
    with pytest.raises(ValidationError) as err:
        book.mark_invoiced(m2, "2026-043", day(2026, 11, 2))
    assert err.value.field == "invoice_no"
    assert err.value.reason == "2026-043 is already the invoice of Kettle / Site #1"
    with pytest.raises(ValidationError, match="already the invoice of Kettle / Site #1"):
        book.add_milestone(kid, Milestone(seq=3, title="C", amount=D("5.00"),
                                          due_date=day(2026, 12, 1), invoice_no="2026-043"))  # fmt: skip
    book.mark_invoiced(m1, "2026-043", day(2026, 11, 3))  # its own number again: fine
    assert book.rows("milestones", "id = ?", [m2])[0]["invoice_no"] == ""
