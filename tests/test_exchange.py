"""The CSV exchange format (SPEC section 6): round trips, every kind of bad input, --update."""

from __future__ import annotations

import datetime as dt
import shutil
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLE

from tui.domain.model import Client, Payment
from tui.store import TABLES, Book
from tui.store import exchange as exchange_module
from tui.store.exchange import SPECS, ImportErrors, export_folder, import_folder

# ---- helpers shared with the property and CLI tests -----------------------------------------

_REFS = {
    0: ("", ""),
    1: ("c.name AS client, ", "JOIN clients c ON c.id = t.client_id"),
    2: (
        "c.name AS client, k.title AS contract, ",
        "JOIN contracts k ON k.id = t.contract_id JOIN clients c ON c.id = k.client_id",
    ),
    3: (
        "c.name AS client, k.title AS contract, m.seq AS seq, ",
        "JOIN milestones m ON m.id = t.milestone_id JOIN contracts k ON k.id = m.contract_id "
        "JOIN clients c ON c.id = k.client_id",
    ),
}
_LEVEL = {
    "contacts": 1, "contracts": 1, "milestones": 2, "change_orders": 2, "payments": 3,
    "chase_events": 3, "holds": 3, "fee_claims": 3,
}  # fmt: skip
_EXCLUDE = {0: "id", 1: "id, client_id", 2: "id, contract_id", 3: "id, milestone_id"}


def book_content(book: Book, *, with_meta: bool = False) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows with ids replaced by the parents' natural keys, sorted.

    ``with_meta`` adds ``book_meta`` (the change counter), for checks that nothing moved.
    """
    out: dict[str, list[tuple[Any, ...]]] = {}
    with book.reading() as con:
        if with_meta:
            out["book_meta"] = sorted(con.execute("SELECT * FROM book_meta").fetchall())
        for table in TABLES:
            if table in ("settings", "exchange_rates", "reference_rates", "message_templates"):
                sql = f"SELECT * FROM {table}"
            else:
                level = _LEVEL.get(table, 0)
                select, join = _REFS[level]
                sql = f"SELECT {select}t.* EXCLUDE ({_EXCLUDE[level]}) FROM {table} t {join}"
            out[table] = sorted(con.execute(sql).fetchall(), key=repr)
    return out


def state(book: Book) -> dict[str, list[tuple[Any, ...]]]:
    """What must not move when an import is refused: every row and the change counter."""
    return book_content(book, with_meta=True)


def write(folder: Path, name: str, text: str, *, encoding: str = "utf-8") -> Path:
    """Write one CSV file (text given without indentation, header first)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


BASE_CLIENTS = "name,email\nAcme,acme@example.com\nGlobex,\n"
BASE_CONTRACTS = (
    "client,title,currency,total_fee\nAcme,Website,EUR,3000.00\nGlobex,Audit,GBP,1000.00\n"
)
BASE_MILESTONES = (
    "client,contract,seq,title,amount,due_date\n"
    "Acme,Website,1,Design,1000.00,2026-10-01\n"
    "Acme,Website,2,Build,2000.00,2026-12-01\n"
)


def base_folder(folder: Path, **files: str) -> Path:
    """A small valid folder; keyword arguments replace or add files (``payments='...'``)."""
    contents = {"clients": BASE_CLIENTS, "contracts": BASE_CONTRACTS, "milestones": BASE_MILESTONES}
    contents.update(files)
    for stem, text in contents.items():
        if text is not None:
            write(folder, f"{stem}.csv", text)
    return folder


def refused(book: Book, folder: Path, **kwargs: Any) -> list[str]:
    """Import ``folder`` expecting a refusal; check nothing moved; return the error lines."""
    before = state(book)
    with pytest.raises(ImportErrors) as info:
        import_folder(book, folder, **kwargs)
    assert state(book) == before, "a refused import wrote something"
    lines = str(info.value).splitlines()
    assert lines == info.value.errors
    assert info.value.exit_code == 1
    return lines


# ---- the sample book and round trips ---------------------------------------------------------


def test_sample_imports_with_expected_counts(book: Book) -> None:
    summary = import_folder(book, SAMPLE)
    counts = book.counts()
    assert counts["clients"] == 4
    assert counts["contacts"] == 10
    assert counts["contracts"] == 7
    assert counts["milestones"] == 25
    assert counts["payments"] == 13
    assert counts["chase_events"] == 9
    assert counts["holds"] == 1
    assert counts["change_orders"] == 2
    assert counts["expenses"] == 3
    assert counts["exchange_rates"] == 1
    assert str(summary).startswith(
        "Imported 4 clients, 10 contacts, 7 contracts, 25 milestones, 13 payments"
    )
    assert "1 exchange rate" in str(summary)
    settings = book.settings()
    assert settings.home_currency == "EUR"
    assert settings.opening_balance == Decimal("8500.00")
    assert settings.opening_balance_date == dt.date(2026, 11, 1)
    assert settings.fx == {"GBP": Decimal("1.17")}
    assert book.find_client("Acme [Labs] & Co") is not None


def test_sample_covers_what_the_reports_need(book: Book) -> None:
    import_folder(book, SAMPLE)
    f = book.frames()
    assert set(f.milestones["status"].to_list()) == {
        "planned", "in_progress", "delivered", "invoiced", "disputed", "written_off", "cancelled",
    }  # fmt: skip
    assert {r[0] for r in book_content(book)["contacts"]} == {
        "Acme [Labs] & Co", "Brightside Media Ltd", "Coastline Apps Inc", "Nordwind GmbH",
    }  # fmt: skip
    assert set(f.contacts["role"].to_list()) == {"main", "payer", "owner"}
    assert set(f.contracts["currency"].to_list()) == {"EUR", "GBP", "USD"}
    kinds = set(
        zip(
            f.contracts["late_fee_kind"].to_list(),
            f.contracts["late_fee_preset"].to_list(),
            strict=True,
        )
    )
    assert {k for k, _ in kinds} == {"none", "flat", "percent", "monthly", "annual", "statutory"}
    assert ("statutory", "uk") in kinds and ("statutory", "eu") in kinds
    assert "USD" not in f.settings.fx
    assert f.payments["received_on"].max() > dt.date(2026, 11, 24)
    past_due = {(dt.date(2026, 11, 24) - d).days for d in f.milestones["due_date"].to_list()}
    for lo, hi in ((1, 30), (31, 60), (61, 90), (91, 10_000), (-30, -1), (-400, -180)):
        assert any(lo <= d <= hi for d in past_due), (lo, hi)
    assert set(f.chase_events["step"].to_list()) >= {"reminder", "firm"}
    assert set(f.change_orders["status"].to_list()) == {"accepted", "proposed"}
    assert set(f.expenses["cadence"].to_list()) == {"monthly", "weekly", "yearly"}


def test_round_trip_gives_identical_tables(tmp_path: Path) -> None:
    first = Book.open(tmp_path / "first.duckdb")
    import_folder(first, SAMPLE)
    written = export_folder(first, tmp_path / "export")
    assert sorted(p.name for p in written) == sorted(s.file for s in SPECS)
    second = Book.open(tmp_path / "second.duckdb")
    import_folder(second, tmp_path / "export")
    assert book_content(second) == book_content(first)
    # and the export of the copy is byte-for-byte the same: deterministic order and format
    export_folder(second, tmp_path / "export2")
    for spec in SPECS:
        assert (tmp_path / "export2" / spec.file).read_bytes() == (
            tmp_path / "export" / spec.file
        ).read_bytes()


def test_export_format(tmp_path: Path, book: Book) -> None:
    import_folder(book, SAMPLE)
    export_folder(book, tmp_path / "out")
    text = (tmp_path / "out" / "contracts.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("client,title,currency,total_fee,")
    assert ",15000.00," in text  # the quoted "15,000.00" of the sample comes back plain
    assert ",no,\n" in text and "\r" not in text  # archived, then an empty document
    settings = (tmp_path / "out" / "settings.csv").read_text(encoding="utf-8").splitlines()
    assert settings[0] == "key,value"
    assert settings[-1] == "fx.GBP,1.17"
    clients = (tmp_path / "out" / "clients.csv").read_text(encoding="utf-8")
    assert '"Acme Labs & Co KG\nTorstraße 12, 10119 Berlin"' in clients
    payments = (tmp_path / "out" / "payments.csv").read_text(encoding="utf-8").splitlines()
    assert payments[1].startswith("Acme [Labs] & Co,Support retainer 2026,1,1000.00,2026-03-30,")


def test_empty_book_exports_headers_only_and_imports_back(tmp_path: Path, book: Book) -> None:
    export_folder(book, tmp_path / "out")
    clients = (tmp_path / "out" / "clients.csv").read_text(encoding="utf-8")
    assert clients == "name,email,phone,address,notes,work_again,rating,feedback,archived\n"
    other = Book.open(tmp_path / "other.duckdb")
    import_folder(other, tmp_path / "out")
    assert book_content(other) == book_content(book)


def test_edited_templates_and_reference_rates_round_trip(tmp_path: Path, book: Book) -> None:
    book.set_template("reminder", "Hello $contact", "Body, with a comma\nand two lines\n")
    book.set_reference_rate("uk", dt.date(2026, 2, 5), Decimal("3.75"))
    book.set_exchange_rate("USD", Decimal("0.91234567"))
    export_folder(book, tmp_path / "out")
    other = Book.open(tmp_path / "other.duckdb")
    import_folder(other, tmp_path / "out")
    assert book_content(other) == book_content(book)


def test_bom_crlf_and_columns_in_any_order(tmp_path: Path, book: Book) -> None:
    write(
        tmp_path / "in",
        "clients.csv",
        "\ufeffEmail,NAME\r\nx@example.com,Zed\r\n",
        encoding="utf-8",
    )
    write(
        tmp_path / "in",
        "milestones.csv",
        "due_date,amount,title,seq,contract,client\n2026-12-01,10.00,T,1,C,Zed\n",
    )
    write(tmp_path / "in", "contracts.csv", "title,client,total_fee,currency\nC,Zed,10.00,eur\n")
    import_folder(book, tmp_path / "in")
    content = book_content(book)
    assert content["clients"][0][:2] == ("Zed", "x@example.com")
    assert content["contracts"][0][2] == "EUR"
    assert content["milestones"][0][:4] == ("Zed", "C", 1, "T")


def test_quoted_thousands_separator_is_accepted(tmp_path: Path, book: Book) -> None:
    folder = base_folder(
        tmp_path / "in", contracts='client,title,currency,total_fee\nAcme,Website,EUR,"3,000.00"\n'
    )
    import_folder(book, folder)
    assert book.frames().contracts["total_fee"].to_list() == [Decimal("3000.00")]


# ---- bad input: exact messages, nothing written ----------------------------------------------

BAD_AMOUNTS = [
    ('"12,50"', "'12,50' uses a decimal comma; write it with a dot, e.g. 12.50"),
    ("abc", "'abc' is not an amount (use digits and a dot, e.g. 1250.00)"),
    ("1e3", "'1e3' is not an amount (use digits and a dot, e.g. 1250.00)"),
    ("1.234", "'1.234' has more than 2 decimal places"),
    ("-5.00", "'-5.00' is negative; it must be more than 0"),  # said as for 0
    ("0", "'0' is 0; it must be more than 0"),
    ("", "is required (an amount such as 1250.00)"),
]


@pytest.mark.parametrize(("amount", "message"), BAD_AMOUNTS)
def test_bad_amount(tmp_path: Path, book: Book, amount: str, message: str) -> None:
    folder = base_folder(
        tmp_path / "in",
        milestones=BASE_MILESTONES + f"Acme,Website,3,Extra,{amount},2027-01-01\n",
    )
    assert refused(book, folder) == [f"milestones.csv:4: amount: {message}"]


def test_unquoted_decimal_comma_is_a_row_with_too_many_values(tmp_path: Path, book: Book) -> None:
    folder = base_folder(
        tmp_path / "in",
        payments="client,contract,seq,amount,received_on\nAcme,Website,1,12,50,2026-10-02\n",
    )
    [line] = refused(book, folder)
    assert line.startswith("payments.csv:2: row: has 6 values but the header has 5 columns")


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("2026-02-30", "'2026-02-30' is not a real date"),
        ("+14d", "'+14d' is not a date (use YYYY-MM-DD)"),
        ("today", "'today' is not a date (use YYYY-MM-DD)"),
        ("01/12/2026", "'01/12/2026' is not a date (use YYYY-MM-DD)"),
        (
            "",
            "is required, or give invoiced_on (the due date is then invoiced_on + the "
            "contract's payment terms)",
        ),
    ],
)
def test_bad_date(tmp_path: Path, book: Book, date: str, message: str) -> None:
    folder = base_folder(
        tmp_path / "in", milestones=BASE_MILESTONES + f"Acme,Website,3,Extra,5.00,{date}\n"
    )
    assert refused(book, folder) == [f"milestones.csv:4: due_date: {message}"]


def test_relative_date_refused_in_optional_column_and_settings(tmp_path: Path, book: Book) -> None:
    folder = base_folder(
        tmp_path / "in",
        contracts="client,title,currency,total_fee,start_date\nAcme,Website,EUR,1.00,+1m\n",
        settings="key,value\nopening_balance_date,today\n",
    )
    lines = refused(book, folder)
    assert lines == [
        "contracts.csv:2: start_date: '+1m' is not a date (use YYYY-MM-DD)",
        "settings.csv:2: opening_balance_date: 'today' is not a date (use YYYY-MM-DD)",
    ]


def test_bad_currency_and_enum(tmp_path: Path, book: Book) -> None:
    folder = base_folder(
        tmp_path / "in",
        contracts="client,title,currency,total_fee,status,late_fee_kind\nAcme,Website,EURO,1.00,ongoing,daily\n",
        expenses="name,amount,currency,cadence,next_date\nRent,900.00,E1R,fortnightly,2026-12-01\n",
    )
    lines = refused(book, folder)
    assert (
        "contracts.csv:2: currency: 'EURO' is not a currency code (three letters, e.g. EUR)"
        in lines
    )
    assert (
        "contracts.csv:2: status: 'ongoing' is not one of: draft, active, paused, completed, cancelled"
        in lines
    )
    assert (
        "contracts.csv:2: late_fee_kind: 'daily' is not one of: none, flat, percent, monthly, annual, statutory"
        in lines
    )
    assert (
        "expenses.csv:2: currency: 'E1R' is not a currency code (three letters, e.g. EUR)" in lines
    )
    assert (
        "expenses.csv:2: cadence: 'fortnightly' is not one of: once, weekly, monthly, quarterly, yearly"
        in lines
    )
    # the milestones referring to the contract with a bad row are not reported again
    assert not any(line.startswith("milestones.csv") for line in lines)


def test_unknown_column(tmp_path: Path, book: Book) -> None:
    folder = base_folder(tmp_path / "in", clients="name,email,colour\nAcme,,red\nGlobex,,blue\n")
    assert refused(book, folder) == [
        "clients.csv:1: column: unknown column 'colour' (known: name, email, phone, address, notes, "
        "work_again, rating, feedback, archived)"
    ]


def test_missing_required_column(tmp_path: Path, book: Book) -> None:
    folder = base_folder(
        tmp_path / "in",
        milestones="client,contract,seq,title,due_date\nAcme,Website,1,D,2026-10-01\n",
    )
    assert refused(book, folder) == ["milestones.csv:1: column: missing required column 'amount'"]


def test_unreadable_parent_file_does_not_cascade(tmp_path: Path, book: Book) -> None:
    folder = base_folder(tmp_path / "in", clients="email\nacme@example.com\n")
    write(folder, "contacts.csv", "client,name,role\nAcme,Ann,main\nNobody,Bob,owner\n")
    assert refused(book, folder) == ["clients.csv:1: column: missing required column 'name'"]


def test_optional_columns_take_defaults(tmp_path: Path, book: Book) -> None:
    import_folder(book, base_folder(tmp_path / "in"))
    contract = book.frames().contracts.row(0, named=True)
    assert contract["status"] == "active"
    assert contract["payment_terms_days"] == 30
    assert contract["late_fee_kind"] == "none"
    assert contract["archived"] is False


def test_unknown_file_and_non_utf8(tmp_path: Path, book: Book) -> None:
    folder = base_folder(tmp_path / "in")
    write(folder, "milestone.csv", "x\n")
    write(folder, "contacts.csv", "client,name,role\nAcme,Jos\xe9,main\n", encoding="latin-1")
    lines = refused(book, folder)
    assert lines[0].startswith(
        "milestone.csv:1: file: not a file of the exchange format (clients.csv,"
    )
    assert lines[1] == "contacts.csv:2: file: is not UTF-8 text (save the file as UTF-8 CSV)"


def test_missing_references_name_the_field(tmp_path: Path, book: Book) -> None:
    folder = base_folder(
        tmp_path / "in",
        contacts="client,name,role\nNobody,Ann,main\n",
        payments=(
            "client,contract,seq,amount,received_on\n"
            "Nobody,Website,1,10.00,2026-10-02\n"
            "Acme,Nothing,1,10.00,2026-10-02\n"
            "Acme,Website,9,10.00,2026-10-02\n"
        ),
    )
    assert refused(book, folder) == [
        "contacts.csv:2: client: no client named 'Nobody' in clients.csv or the book",
        "payments.csv:2: client: no client named 'Nobody' in clients.csv or the book",
        "payments.csv:3: contract: client 'Acme' has no contract titled 'Nothing' in contracts.csv or the book",
        "payments.csv:4: seq: contract 'Website' of 'Acme' has no milestone 9 in milestones.csv or the book",
    ]


def test_references_resolve_against_the_book(tmp_path: Path, book: Book) -> None:
    import_folder(book, base_folder(tmp_path / "first"))
    write(
        tmp_path / "second",
        "payments.csv",
        "client,contract,seq,amount,received_on\nacme,WEBSITE,1,10.00,2026-10-02\n",
    )
    summary = import_folder(book, tmp_path / "second")
    assert str(summary) == "Imported 1 payment"
    assert book.counts()["payments"] == 1


def test_duplicate_natural_keys(tmp_path: Path, book: Book) -> None:
    folder = base_folder(
        tmp_path / "in",
        clients="name\nAcme\nacme \nGlobex\n",
        milestones=BASE_MILESTONES + "Acme,Website,2,Again,5.00,2027-01-01\n",
    )
    assert refused(book, folder) == [
        "clients.csv:3: name: client 'acme' appears twice in clients.csv (also line 2)",
        "milestones.csv:4: seq: milestone 2 of contract 'Website' of 'Acme' appears twice in milestones.csv (also line 3)",
    ]


def test_existing_natural_key_needs_update(tmp_path: Path, book: Book) -> None:
    import_folder(book, base_folder(tmp_path / "first"))
    write(tmp_path / "second", "clients.csv", "name,email\nACME,new@example.com\n")
    write(
        tmp_path / "second",
        "contracts.csv",
        "client,title,currency,total_fee\nAcme,Website,EUR,3000.00\n",
    )
    assert refused(book, tmp_path / "second") == [
        "clients.csv:2: name: client 'ACME' already exists in the book (use --update to update it)",
        "contracts.csv:2: title: contract 'Website' of client 'Acme' already exists in the book "
        "(use --update to update it)",
    ]


def test_overpayment_across_files(tmp_path: Path, book: Book) -> None:
    folder = base_folder(
        tmp_path / "in",
        payments=(
            "client,contract,seq,amount,received_on\n"
            "Acme,Website,1,600.00,2026-10-02\n"
            "Acme,Website,2,2000.00,2026-12-02\n"
            "Acme,Website,1,400.01,2026-10-09\n"
            "Acme,Website,1,400.00,2026-10-10\n"
        ),
    )
    assert refused(book, folder) == [
        "payments.csv:4: amount: 400.01 would overpay milestone 1 of contract 'Website' of 'Acme' "
        "(amount 1,000.00, already paid 600.00, open 400.00)",
    ]


def test_overpayment_counts_payments_already_in_the_book(tmp_path: Path, book: Book) -> None:
    import_folder(book, base_folder(tmp_path / "first"))
    book.record_payment(1, Payment(amount=Decimal("900.00"), received_on=dt.date(2026, 10, 3)))
    write(
        tmp_path / "second",
        "payments.csv",
        "client,contract,seq,amount,received_on\nAcme,Website,1,100.01,2026-10-09\n",
    )
    assert refused(book, tmp_path / "second") == [
        "payments.csv:2: amount: 100.01 would overpay milestone 1 of contract 'Website' of 'Acme' "
        "(amount 1,000.00, already paid 900.00, open 100.00)",
    ]


def test_update_cannot_lower_amount_below_paid(tmp_path: Path, book: Book) -> None:
    import_folder(book, base_folder(tmp_path / "first"))
    book.record_payment(1, Payment(amount=Decimal("900.00"), received_on=dt.date(2026, 10, 3)))
    write(
        tmp_path / "second",
        "milestones.csv",
        "client,contract,seq,title,amount,due_date\nAcme,Website,1,Design,800.00,2026-10-01\n",
    )
    assert refused(book, tmp_path / "second", update=True) == [
        "milestones.csv:2: amount: 800.00 is less than the 900.00 already paid on this milestone in the book",
    ]


def test_settings_errors(tmp_path: Path, book: Book) -> None:
    write(
        tmp_path / "in",
        "settings.csv",
        'key,value\ncolour,red\nhome_currency,EURO\nfx.GB,1.17\nfx.USD,"0,91"\nhome_currency,EUR\n'
        "reminder_days,30\n",
    )
    lines = refused(book, tmp_path / "in")
    assert lines[0].startswith(
        "settings.csv:2: key: 'colour' is not a setting milepay knows (home_currency,"
    )
    assert lines[1:] == [
        "settings.csv:3: home_currency: 'EURO' is not a currency code (three letters, e.g. EUR)",
        "settings.csv:4: key: 'GB' is not a currency code (three letters, e.g. EUR)",
        "settings.csv:5: fx.USD: '0,91' is not an exchange rate (e.g. 1.17)",
        "settings.csv:6: key: 'home_currency' appears twice in settings.csv (also line 3)",
    ]


def test_settings_cross_key_rule(tmp_path: Path, book: Book) -> None:
    write(tmp_path / "in", "settings.csv", "key,value\nreminder_days,30\n")
    assert refused(book, tmp_path / "in") == [
        "settings.csv:2: reminder_days: ladder thresholds must increase: reminder < firm < escalate < legal"
    ]


def test_every_error_is_reported_at_once(tmp_path: Path, book: Book) -> None:
    folder = base_folder(
        tmp_path / "in",
        clients="name,email,rating\nAcme,not-an-email,9\nGlobex,,\n",
        milestones=(
            "client,contract,seq,title,amount,due_date,status\n"
            "Acme,Website,1,Design,12,50,2026-10-01,planned\n"
            "Acme,Website,2,,1.234,2026-02-30,paid\n"
        ),
        chase="client,contract,seq,date,step\nAcme,Website,2,2026-11-01,nag\nAcme,Website,7,2026-11-01,firm\n",
    )
    assert refused(book, folder) == [
        "clients.csv:2: email: 'not-an-email' is not an e-mail address: "
        "An email address must have an @-sign.",
        "clients.csv:2: rating: 9 is more than 5",
        "milestones.csv:2: row: has 8 values but the header has 7 columns "
        '(quote values that hold a comma, e.g. "1,250.00")',
        "milestones.csv:3: title: is required",
        "milestones.csv:3: amount: '1.234' has more than 2 decimal places",
        "milestones.csv:3: due_date: '2026-02-30' is not a real date",
        "milestones.csv:3: status: 'paid' is not one of: planned, in_progress, delivered, invoiced, "
        "disputed, written_off, cancelled",
        "chase.csv:2: step: 'nag' is not one of: upcoming, reminder, firm, escalate, legal",
        "chase.csv:3: seq: contract 'Website' of 'Acme' has no milestone 7 in milestones.csv or the book",
    ]


def test_line_numbers_count_physical_lines(tmp_path: Path, book: Book) -> None:
    folder = base_folder(
        tmp_path / "in",
        clients='name,notes\nAcme,"two\nlines"\n\nGlobex,"x"\nInitech,"a,\n\nb"\nBad,"\x01"\n',
    )
    assert refused(book, folder) == [
        "clients.csv:9: notes: contains a control character (\\x01); remove it"
    ]


# ---- --update ---------------------------------------------------------------------------


def test_update_changes_rows_and_does_not_duplicate(tmp_path: Path, book: Book) -> None:
    import_folder(book, SAMPLE)
    before = book.counts()
    folder = tmp_path / "upd"
    shutil.copytree(SAMPLE, folder)
    summary = import_folder(book, folder, update=True)
    assert book.counts() == before
    assert summary.inserted == 0 and summary.updated == 0
    assert str(summary).startswith("Imported nothing new (")
    # now change a few things, leaving columns out: they keep the book's values
    write(folder, "clients.csv", "name,rating\nNORDWIND GMBH,5\n")
    write(
        folder,
        "milestones.csv",
        "client,contract,seq,title,amount,due_date,status,invoice_no,invoiced_on\n"
        "Brightside Media Ltd,Brand video series,4,Edit episodes 4-6,1500.00,2026-12-15,invoiced,BSM-004,2026-11-24\n"
        "Brightside Media Ltd,Brand video series,5,Bonus cut,300.00,2027-01-10,planned,,\n",
    )
    write(
        folder,
        "payments.csv",
        "client,contract,seq,amount,received_on,method,reference\n"
        "Acme [Labs] & Co,Website relaunch,3,1500.00,2026-11-12,bank transfer,INV-2026-021 part 1\n"
        "Acme [Labs] & Co,Website relaunch,3,500.00,2026-11-24,bank transfer,INV-2026-021 part 2\n",
    )
    for name in (
        "contacts.csv",
        "contracts.csv",
        "chase.csv",
        "holds.csv",
        "change_orders.csv",
        "expenses.csv",
    ):
        (folder / name).unlink()
    summary = import_folder(book, folder, update=True)
    assert str(summary).startswith("Imported 1 client, 2 milestones, 1 payment (2 updated;")
    after = book.counts()
    assert after["clients"] == before["clients"]
    assert after["milestones"] == before["milestones"] + 1
    assert after["payments"] == before["payments"] + 1
    nordwind = book.find_client("Nordwind GmbH")
    assert nordwind is not None
    assert nordwind["rating"] == 5
    assert nordwind["email"] == "info@nordwind.example"  # column left out: kept
    ms = {r[2]: r for r in book_content(book)["milestones"] if r[1] == "Brand video series"}
    assert ms[4][6] == "invoiced" and ms[4][8] == "BSM-004"
    assert ms[4][10] == dt.date(2026, 11, 20)  # delivered_on was not in the file: kept


def test_update_skips_identical_keyless_rows_as_a_multiset(tmp_path: Path, book: Book) -> None:
    import_folder(book, base_folder(tmp_path / "first"))
    text = (
        "client,contract,seq,amount,received_on\n"
        "Acme,Website,2,100.00,2026-12-02\n"
        "Acme,Website,2,100.00,2026-12-02\n"
    )
    write(
        tmp_path / "p1",
        "payments.csv",
        "client,contract,seq,amount,received_on\nAcme,Website,2,100.00,2026-12-02\n",
    )
    import_folder(book, tmp_path / "p1")
    write(tmp_path / "p2", "payments.csv", text)
    summary = import_folder(book, tmp_path / "p2", update=True)
    assert str(summary) == "Imported 1 payment (1 already in the book, skipped)"
    assert book.counts()["payments"] == 2
    # without --update keyless rows are always added
    import_folder(book, tmp_path / "p1")
    assert book.counts()["payments"] == 3


def test_fee_claims_and_contacts_have_natural_keys(tmp_path: Path, book: Book) -> None:
    claims = "client,contract,seq,claimed_on,amount\nAcme,Website,1,2026-11-01,40.00\n"
    contacts = "client,name,role,email\nAcme,Ann,payer,ann@example.com\n"
    import_folder(book, base_folder(tmp_path / "first", fee_claims=claims, contacts=contacts))
    write(tmp_path / "second", "fee_claims.csv", claims + "acme,website,1,2026-11-02,41.00\n")
    assert refused(book, tmp_path / "second", update=True) == [
        "fee_claims.csv:3: seq: a fee claim for milestone 1 of contract 'website' of 'acme' "
        "appears twice in fee_claims.csv (also line 2)",
    ]
    write(tmp_path / "third", "fee_claims.csv", claims.replace("40.00", "45.00"))
    write(tmp_path / "third", "contacts.csv", "client,name,role\nAcme,ANN,owner\n")
    assert refused(book, tmp_path / "third") == [
        "contacts.csv:2: name: contact 'ANN' of client 'Acme' already exists in the book "
        "(use --update to update it)",
        "fee_claims.csv:2: seq: a fee claim for milestone 1 of contract 'Website' of 'Acme' "
        "already exists in the book (use --update to update it)",
    ]
    summary = import_folder(book, tmp_path / "third", update=True)
    assert str(summary) == "Imported 1 contact, 1 fee claim (2 updated)"
    content = book_content(book)
    assert content["fee_claims"] == [("Acme", "Website", 1, dt.date(2026, 11, 1), Decimal("45.00"))]
    assert content["contacts"] == [("Acme", "ANN", "owner", "ann@example.com", "")]


def test_summary_text(tmp_path: Path, book: Book) -> None:
    summary = import_folder(book, base_folder(tmp_path / "in"))
    assert str(summary) == "Imported 2 clients, 2 contracts, 2 milestones"


def test_folder_without_exchange_files(tmp_path: Path, book: Book) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(ImportErrors, match="no files of the exchange format"):
        import_folder(book, tmp_path / "empty")


# ---- concurrency: another writer between the checks and the write ---------------------------


def test_another_write_between_check_and_write_is_noticed(
    tmp_path: Path, book: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = base_folder(tmp_path / "in")
    original = exchange_module._Checker.check
    calls: list[int] = []

    def check_then_someone_writes(self: Any, files: Any) -> None:
        original(self, files)
        if not calls:
            calls.append(1)
            book.add_client(Client(name="Globex"))  # the folder also has Globex

    monkeypatch.setattr(exchange_module._Checker, "check", check_then_someone_writes)
    with pytest.raises(ImportErrors) as info:
        import_folder(book, folder)
    assert info.value.errors == [
        "clients.csv:3: name: client 'Globex' already exists in the book (use --update to update it)"
    ]
    counts = book.counts()  # only the other writer's client is there
    assert (counts["clients"], counts["contracts"], counts["milestones"]) == (1, 0, 0)


def test_retry_after_an_unrelated_write_succeeds(
    tmp_path: Path, book: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = base_folder(tmp_path / "in")
    original = exchange_module._Checker.check
    calls: list[int] = []

    def check_then_someone_writes(self: Any, files: Any) -> None:
        original(self, files)
        if len(calls) < 2:  # twice: the last try runs inside the write transaction
            calls.append(1)
            book.add_client(Client(name=f"Other {len(calls)}"))

    monkeypatch.setattr(exchange_module._Checker, "check", check_then_someone_writes)
    import_folder(book, folder)
    names = sorted(r[0] for r in book_content(book)["clients"])
    assert names == ["Acme", "Globex", "Other 1", "Other 2"]
    assert book.counts()["milestones"] == 2


# ---- size ------------------------------------------------------------------------------


def test_five_thousand_milestones_import_quickly(tmp_path: Path, book: Book) -> None:
    folder = tmp_path / "big"
    n_contracts, per = 100, 50
    clients = ["name"] + [f"Client {i}" for i in range(20)]
    contracts = ["client,title,currency,total_fee"]
    milestones = ["client,contract,seq,title,amount,due_date,status,invoice_no,invoiced_on"]
    payments = ["client,contract,seq,amount,received_on,method"]
    start = dt.date(2025, 1, 1)
    for k in range(n_contracts):
        client = f"Client {k % 20}"
        contracts.append(f"{client},Contract {k},EUR,{per * 100}.00")
        for s in range(1, per + 1):
            due = start + dt.timedelta(days=(k * per + s) % 700)
            milestones.append(
                f"{client},Contract {k},{s},Milestone {s},100.00,{due},invoiced,I-{k}-{s},{due}"
            )
            if s % 2:
                payments.append(f"{client},Contract {k},{s},60.00,{due},bank")
    for name, rows in (
        ("clients", clients),
        ("contracts", contracts),
        ("milestones", milestones),
        ("payments", payments),
    ):
        write(folder, f"{name}.csv", "\n".join(rows) + "\n")
    calls: list[tuple[int, int]] = []
    t0 = time.perf_counter()
    import_folder(book, folder, progress=lambda done, total: calls.append((done, total)))
    elapsed = time.perf_counter() - t0
    assert elapsed < 10, f"import of 5,000 milestones took {elapsed:.1f} s"
    counts = book.counts()
    assert counts["milestones"] == 5000 and counts["payments"] == 2500
    assert 10 <= len(calls) <= 130
    assert calls[-1][0] == calls[-1][1]
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    money = book.frames().milestones["amount"]
    assert str(money.dtype) == "Decimal(precision=18, scale=2)"
    assert money.sum() == Decimal("500000.00")
