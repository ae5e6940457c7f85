"""The formula guard of the exchange format: free text a spreadsheet would run is written with
a leading ``'``; import takes exactly that ``'`` off again; amounts and dates are never touched."""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strength import examples
from test_exchange import base_folder, book_content, write

from tui.domain.model import ChangeOrder, Client, Contact, Contract, Milestone, Payment
from tui.store import Book
from tui.store.exchange import export_folder, import_folder
from tui.store.exchange.export import _write_csv, csv_line
from tui.store.exchange.outcome import _Errors
from tui.store.exchange.reading import _read_file
from tui.store.exchange.spec import CLIENTS, SETTINGS, guard_text, unguard_text


def cells(path: Path) -> list[list[str]]:
    """The rows of a CSV file as the csv module reads them (header included)."""
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ("+44 20 7946 0958", "'+44 20 7946 0958"),
        ("-x", "'-x"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'", "''"),
        ("'quoted'", "''quoted'"),
        ("''=", "'''="),
        ("'=1", "''=1"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_guard_and_unguard(text: str, cell: str) -> None:
    assert guard_text(text) == cell
    assert unguard_text(cell) == text


@pytest.mark.parametrize("cell", ["'", "'hello", "'1", "' =x", "x'=", "''"])
def test_unguard_leaves_what_export_never_guards(cell: str) -> None:
    """A ``'`` export did not put there stays: ``'hello`` is kept as typed (``''`` is ``'``)."""
    expected = "'" if cell == "''" else cell
    assert unguard_text(cell) == expected


@given(st.text())
def test_unguard_undoes_guard_for_any_text(text: str) -> None:
    assert unguard_text(guard_text(text)) == text


def test_export_guards_text_but_not_amounts_or_dates(tmp_path: Path, book: Book) -> None:
    client = Client.parse({"name": '=HYPERLINK("http://x.example","pay")', "notes": "-5 days"})
    book.add_client(client, [])
    contract = Contract.parse(
        {"title": "@risk", "currency": "EUR", "total_fee": "1000.00", "notes": "'quoted"}
    )
    milestone = Milestone.parse(
        {"seq": "1", "title": "+1", "amount": "1000.00", "due_date": "2026-12-01"}
    )
    book.add_contract(1, contract, [milestone])
    book.record_payment(
        1, Payment.parse({"amount": "250.00", "received_on": "2026-11-02", "reference": "=1+1"})
    )
    order = ChangeOrder.parse(
        {"date": "2026-11-03", "description": "-cut scope", "amount_delta": "-250.00"}
    )
    book.add_change_order(1, order)
    book.save_settings({"business_name": "=evil()", "opening_balance": "-250.00"})
    book.set_template("firm", "-overdue", "=body\n$contact")
    out = tmp_path / "out"
    export_folder(book, out)

    assert cells(out / "clients.csv")[1][:5] == [
        "'=HYPERLINK(\"http://x.example\",\"pay\")", "", "", "", "'-5 days"
    ]  # fmt: skip
    contracts = cells(out / "contracts.csv")
    row = dict(zip(contracts[0], contracts[1], strict=True))
    assert (row["client"], row["title"], row["notes"], row["total_fee"]) == (
        "'=HYPERLINK(\"http://x.example\",\"pay\")", "'@risk", "''quoted", "1000.00"
    )  # fmt: skip
    assert cells(out / "milestones.csv")[1][2:6] == ["1", "'+1", "1000.00", "2026-12-01"]
    assert cells(out / "payments.csv")[1][3:7] == ["250.00", "2026-11-02", "", "'=1+1"]
    assert cells(out / "change_orders.csv")[1][2:] == [
        "2026-11-03", "'-cut scope", "-250.00", "proposed"
    ]  # fmt: skip
    settings_rows = dict(cells(out / "settings.csv")[1:])
    assert settings_rows["business_name"] == "'=evil()"
    assert settings_rows["opening_balance"] == "-250.00"
    firm = next(r for r in cells(out / "templates.csv") if r[0] == "firm")
    assert firm == ["firm", "'-overdue", "'=body\n$contact"]

    copy = Book.open(tmp_path / "copy.duckdb")
    import_folder(copy, out)
    assert book_content(copy) == book_content(book)
    assert copy.settings().business_name == "=evil()"
    assert copy.settings().opening_balance == Decimal("-250.00")


def test_hand_written_guarded_cells_import_without_the_quote(tmp_path: Path, book: Book) -> None:
    folder = base_folder(
        tmp_path / "in",
        clients="name,notes\n'=Acme,''=x\nGlobex,'plain\n",
        contracts="client,title,currency,total_fee\n'=Acme,'-Web,EUR,10.00\n",
        milestones=None,
    )
    write(folder, "settings.csv", "key,value\nbusiness_name,'@me\nsignature,'\n")
    import_folder(book, folder)
    content = book_content(book)
    assert [(r[0], r[4]) for r in content["clients"]] == [("=Acme", "'=x"), ("Globex", "'plain")]
    assert content["contracts"][0][:2] == ("=Acme", "-Web")
    assert book.settings().business_name == "@me"
    assert book.settings().signature == "'"


@given(st.lists(st.text(), min_size=1, max_size=4))
def test_csv_line_is_what_the_csv_module_writes_and_reads(cells: list[str]) -> None:
    if not any("\r" in c for c in cells):  # the one difference: a CR is quoted
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(cells)
        assert csv_line(cells) == buffer.getvalue()
    assert list(csv.reader(io.StringIO(csv_line(cells), newline=""))) == [cells]


# ---- properties: any text round-trips through export and import exactly --------------------


@settings(max_examples=examples(100), deadline=None)
@given(
    name=st.text().filter(lambda t: "\r\n" not in t),
    notes=st.text().filter(lambda t: "\r\n" not in t),
    business=st.text().filter(lambda t: "\r\n" not in t),
)
def test_any_cell_text_is_read_back_exactly(name: str, notes: str, business: str) -> None:
    """The files as export writes and import reads them, before the domain parsers: exact."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _write_csv(
            folder / "clients.csv", CLIENTS, [(name, "", "", "", notes, "", None, "", False)]
        )
        _write_csv(folder / "settings.csv", SETTINGS, [("business_name", business)])
        errors = _Errors()
        clients = _read_file(CLIENTS, folder / "clients.csv", errors)
        settings_file = _read_file(SETTINGS, folder / "settings.csv", errors)
        assert not errors
        assert [v["name"] for _, v in clients.rows] == [name]
        assert [v["notes"] for _, v in clients.rows] == [notes]
        assert [v["value"] for _, v in settings_file.rows] == [business]


_START = st.sampled_from(["", "=", "+", "-", "@", "'", "''=", "'=", "'-", "=-'", "\t=", "\r-"])
_REST = st.text(st.sampled_from(list("ab1 ,\"'=+-@;/é")), max_size=8)
one_line = st.builds(lambda a, b: (a + b).strip(), _START, _REST)
multi_line = st.builds(
    lambda a, b, c: (a + b + "\n" + c).strip(),
    _START,
    _REST,
    st.sampled_from(["", "=x", "-1", "'q", "\tz", "''=2"]),
)


@pytest.fixture(scope="module")
def empty_book_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One new, empty book file, copied for each example (creating a book takes a while)."""
    path = tmp_path_factory.mktemp("guard") / "empty.duckdb"
    Book.open(path)
    return path


@settings(max_examples=examples(10), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    client=st.tuples(one_line.filter(bool), multi_line, multi_line, one_line, one_line),
    contract=st.tuples(one_line.filter(bool), multi_line, multi_line, one_line.filter(bool)),
    payment=st.tuples(one_line, one_line),
    order=multi_line.filter(bool),
    business=st.tuples(one_line, multi_line),
    template=st.tuples(one_line.filter(bool), multi_line.filter(bool)),
)
def test_any_text_round_trips_through_a_book_exactly(
    empty_book_file: Path,
    client: tuple[str, ...],
    contract: tuple[str, ...],
    payment: tuple[str, ...],
    order: str,
    business: tuple[str, ...],
    template: tuple[str, ...],
) -> None:
    name, notes, address, contact, phone = client
    title, contract_notes, red_flags, milestone_title = contract
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shutil.copyfile(empty_book_file, folder / "original.duckdb")
        original = Book.open(folder / "original.duckdb")
        contacts = (
            [Contact.parse({"name": contact, "role": "main", "phone": phone})] if contact else []
        )
        original.add_client(
            Client.parse({"name": name, "notes": notes, "address": address}), contacts
        )
        original.add_contract(
            1,
            Contract.parse(
                {
                    "title": title,
                    "currency": "EUR",
                    "total_fee": "100.00",
                    "notes": contract_notes,
                    "red_flags": red_flags,
                }
            ),
            [
                Milestone.parse(
                    {
                        "seq": "1",
                        "title": milestone_title,
                        "amount": "100.00",
                        "due_date": "2026-12-01",
                        "invoice_no": payment[1],
                    }
                )
            ],
        )
        original.record_payment(
            1,
            Payment.parse(
                {
                    "amount": "10.00",
                    "received_on": "2026-11-01",
                    "method": payment[0],
                    "reference": payment[1],
                }
            ),
        )
        original.add_change_order(
            1,
            ChangeOrder.parse(
                {"date": "2026-11-02", "description": order, "amount_delta": "-5.00"}
            ),
        )
        original.save_settings(
            {"business_name": business[0], "signature": business[1], "opening_balance": "-1.50"}
        )
        original.set_template("reminder", *template)
        export_folder(original, folder / "out")
        shutil.copyfile(empty_book_file, folder / "copy.duckdb")
        copy = Book.open(folder / "copy.duckdb")
        import_folder(copy, folder / "out")
        assert book_content(copy) == book_content(original)
        with copy.reading() as con:
            assert con.execute("SELECT name, notes, address FROM clients").fetchall() == [
                (name, notes, address)
            ]
            assert con.execute("SELECT method, reference FROM payments").fetchall() == [payment]
            assert con.execute("SELECT description FROM change_orders").fetchall() == [(order,)]
            assert con.execute(
                "SELECT subject, body FROM message_templates WHERE step = 'reminder'"
            ).fetchall() == [template]
        assert (copy.settings().business_name, copy.settings().signature) == business
        # amounts and dates stay plain
        orders = cells(folder / "out" / "change_orders.csv")
        assert orders[1][2:5] == ["2026-11-02", orders[1][3], "-5.00"]
        assert dict(cells(folder / "out" / "settings.csv")[1:])["opening_balance"] == "-1.50"
