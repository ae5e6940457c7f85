"""The exchange format's revision-2 columns: seq from 0, due date from the terms, promises."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from test_exchange import base_folder, refused, write

from tui.store import Book
from tui.store.exchange import export_folder, import_folder

CONTRACTS_14 = (
    "client,title,currency,total_fee,payment_terms_days\n"
    "Acme,Website,EUR,3000.00,14\nGlobex,Audit,GBP,1000.00,30\n"
)


def _milestones(book: Book) -> dict[int, dict]:
    return {r["seq"]: r for r in book.rows("milestones")}


def test_a_deposit_numbered_0_imports(tmp_path: Path, book: Book) -> None:
    folder = base_folder(
        tmp_path / "in",
        milestones="client,contract,seq,title,amount,due_date\n"
        "Acme,Website,0,Deposit,500.00,2026-09-01\nAcme,Website,1,Design,2500.00,2026-10-01\n",
        payments="client,contract,seq,amount,received_on\nAcme,Website,0,500.00,2026-09-02\n",
    )
    import_folder(book, folder)
    ms = _milestones(book)
    assert sorted(ms) == [0, 1] and ms[0]["title"] == "Deposit"
    assert book.rows("payments")[0]["milestone_id"] == ms[0]["id"]


def test_an_empty_due_date_is_the_invoice_date_plus_the_contracts_terms(
    tmp_path: Path, book: Book
) -> None:
    folder = base_folder(
        tmp_path / "in",
        contracts=CONTRACTS_14,
        milestones="client,contract,seq,title,amount,due_date,status,invoice_no,invoiced_on\n"
        "Acme,Website,1,Design,1000.00,,invoiced,A-1,2026-12-01\n"  # 14 days: 12-15
        "Acme,Website,2,Build,2000.00,2027-01-31,invoiced,A-2,2026-12-01\n"  # given: kept
        "Globex,Audit,1,Audit,1000.00,,invoiced,G-1,2026-12-20\n",  # 30 days: 2027-01-19
    )
    import_folder(book, folder)
    rows = {(r["invoice_no"]): r["due_date"] for r in book.rows("milestones")}
    assert rows == {
        "A-1": dt.date(2026, 12, 15),
        "A-2": dt.date(2027, 1, 31),
        "G-1": dt.date(2027, 1, 19),
    }
    # a later import with the contract only in the book uses the book's terms
    later = write(
        tmp_path / "later",
        "milestones.csv",
        "client,contract,seq,title,amount,due_date,invoiced_on\n"
        "Acme,Website,3,Extra,10.00,,2026-12-10\n",
    ).parent
    import_folder(book, later)
    assert _milestones(book)[3]["due_date"] == dt.date(2026, 12, 24)


def test_no_due_date_and_no_invoice_date_is_refused_naming_the_field(
    tmp_path: Path, book: Book
) -> None:
    folder = base_folder(
        tmp_path / "in",
        milestones="client,contract,seq,title,amount,due_date,invoiced_on\n"
        "Acme,Website,1,Design,1000.00,,\n"
        "Acme,Website,2,Build,2000.00,,2026-02-30\n",
    )
    lines = refused(book, folder)
    assert lines[0].startswith("milestones.csv:2: due_date: ")
    assert lines[1] == "milestones.csv:3: invoiced_on: '2026-02-30' is not a real date"
    assert all(not ln.startswith("milestones.csv:3: due_date") for ln in lines)


def test_promises_round_trip_and_a_note_needs_a_date(tmp_path: Path, book: Book) -> None:
    folder = base_folder(
        tmp_path / "in",
        milestones="client,contract,seq,title,amount,due_date,promised_on,promise_note\n"
        'Acme,Website,1,Design,1000.00,2026-10-01,2026-12-10,"=CFO said ""Thursday"""\n'
        "Acme,Website,2,Build,2000.00,2026-12-01,,\n",
    )
    import_folder(book, folder)
    ms = _milestones(book)
    assert (ms[1]["promised_on"], ms[1]["promise_note"]) == (
        dt.date(2026, 12, 10),
        '=CFO said "Thursday"',
    )
    out = export_folder(book, tmp_path / "out")
    text = next(p for p in out if p.name == "milestones.csv").read_text()
    header = text.splitlines()[0].split(",")
    assert header[-3:] == ["promised_on", "promise_note", "invoice_file"]
    assert "'=CFO said" in text  # the formula guard covers the note
    again = Book.open(tmp_path / "again.duckdb")
    import_folder(again, tmp_path / "out")
    assert _milestones(again)[1]["promise_note"] == '=CFO said "Thursday"'

    bad = base_folder(
        tmp_path / "bad",
        milestones="client,contract,seq,title,amount,due_date,promise_note\n"
        "Acme,Website,1,Design,1000.00,2026-10-01,soon\n",
    )
    other = Book.open(tmp_path / "other.duckdb")
    assert refused(other, bad) == [
        "milestones.csv:2: promised_on: a promise note needs the promised date"
    ]


def test_invoice_files_and_contract_documents_are_checked_and_kept_absolute(
    tmp_path: Path, book: Book
) -> None:
    """Schema 4's columns: a relative path is taken from the folder; a missing file is an error
    naming file, line and column, and nothing is written."""
    folder = base_folder(
        tmp_path / "in",
        contracts="client,title,currency,total_fee,document\n"
        "Acme,Website,EUR,3000.00,docs/signed.pdf\nGlobex,Audit,GBP,1000.00,\n",
        milestones="client,contract,seq,title,amount,due_date,invoice_file\n"
        "Acme,Website,1,Design,1000.00,2026-10-01,docs/INV-1.pdf\n",
    )
    (folder / "docs").mkdir()
    (folder / "docs" / "INV-1.pdf").write_bytes(b"%PDF invoice")
    assert refused(book, folder) == [
        f"contracts.csv:2: document: {folder / 'docs' / 'signed.pdf'} does not exist"
    ]
    assert book.rows("contracts") == []
    (folder / "docs" / "signed.pdf").write_bytes(b"%PDF contract")
    import_folder(book, folder)
    docs = {r["title"]: r["document"] for r in book.rows("contracts")}
    assert docs == {"Website": str(folder / "docs" / "signed.pdf"), "Audit": ""}
    assert book.rows("milestones")[0]["invoice_file"] == str(folder / "docs" / "INV-1.pdf")
    out = export_folder(book, tmp_path / "out")
    text = next(p for p in out if p.name == "contracts.csv").read_text()
    assert text.splitlines()[0].endswith(",document")
    assert text.splitlines()[1].endswith(",files/contracts-1-signed.pdf")  # copied, relative
    copied = tmp_path / "out" / "files" / "milestones-1-INV-1.pdf"
    assert copied.read_bytes() == b"%PDF invoice" and copied.stat().st_mode & 0o777 == 0o600
    again = Book.open(tmp_path / "again.duckdb")
    import_folder(again, tmp_path / "out")  # the export is whole: its files come with it
    assert again.rows("milestones")[0]["invoice_file"] == str(copied)
    export_folder(book, tmp_path / "out", force=True)  # an export with files is ours to replace


def test_an_imported_folder_cannot_attach_files_from_elsewhere(tmp_path: Path, book: Book) -> None:
    """A folder from someone else naming ~/.ssh/id_rsa or ../secret is refused: cron would
    mail what is attached to whoever the same folder names as the contact."""
    secret = tmp_path / "secret_key"
    secret.write_text("private", encoding="utf-8")
    folder = base_folder(
        tmp_path / "in",
        contracts=f"client,title,currency,total_fee,document\nAcme,Website,EUR,3000.00,{secret}\n"
        "Globex,Audit,GBP,1000.00,\n",
        milestones="client,contract,seq,title,amount,due_date,invoice_file\n"
        "Acme,Website,1,Design,1000.00,2026-10-01,../secret_key\n",
    )
    problems = refused(book, folder)
    assert len(problems) == 2
    assert all("is outside the imported folder" in p for p in problems)
    assert book.rows("contracts") == []
