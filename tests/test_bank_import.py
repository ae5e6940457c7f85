"""``milepay bank import``: bank files as German and British banks write them (issue 13).

The book (worked by hand): Müller Design GmbH (payer contact Anna Schmidt) owes RE-2026-001
1,234.56 and RE-2026-002 2,000.00; Northwind Ltd owes NW-17 800.00, NW-18 450.00 and NW-19
1,000.00 (and has a planned, unbilled 300.00); Acme owes ACME-1 and ACME-2, 500.00 each.
Every statement holds the same six lines:

- 1,234.56 from Müller naming RE-2026-001: the invoice rule, unambiguous;
- 2,000.00 from "SCHMIDT, ANNA": RE-2026-002's open amount from a contact, unambiguous;
- 1,250.00 from Northwind: 800.00 + 450.00 (NW-17 + NW-18), the only pair adding up to it;
- 99.99 from a stranger: unmatched;
- -45.90 to Telekom: a debit;
- 500.00 from Acme: two milestones have this open amount, ambiguous (never applied).

So ``--apply`` records 4 payments for 3 lines: 1,234.56, 2,000.00, 800.00 and 450.00.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tui.cli import main
from tui.domain.model import Client, Contact, Contract, Milestone
from tui.domain.values import ContactRole, MilestoneStatus
from tui.store import Book

GERMAN = (
    "Buchungstag;Valuta;Auftraggeber/Empfänger;Verwendungszweck;Betrag;Währung\n"
    "03.11.2026;03.11.2026;Müller Design GmbH;Rechnung RE-2026-001 vielen Dank;1.234,56;EUR\n"
    "05.11.2026;05.11.2026;SCHMIDT, ANNA;Zahlung Oktober;2.000,00;EUR\n"
    '10.11.2026;10.11.2026;Northwind Ltd;"Zahlung; zwei Rechnungen";1.250,00;EUR\n'
    "12.11.2026;12.11.2026;Erika Mustermann;Geschenk;99,99;EUR\n"
    "18.11.2026;18.11.2026;Telekom Deutschland;Rechnung 12345;-45,90;EUR\n"
    "20.11.2026;20.11.2026;Acme;Danke;500,00;EUR\n"
)
BRITISH = (
    "Date,Counterparty,Reference,Amount\n"
    '03/11/2026,Müller Design GmbH,Invoice RE-2026-001,"1,234.56"\n'
    '05/11/2026,"SCHMIDT, ANNA",October,"2,000.00"\n'
    '10/11/2026,Northwind Ltd,Two invoices,"1,250.00"\n'
    "12/11/2026,Erika Mustermann,Gift,99.99\n"
    "18/11/2026,Telekom Deutschland,Bill 12345,-45.90\n"
    "20/11/2026,Acme,Thanks,500.00\n"
)
PREAMBLE = (
    "Account name:,Mara Studio\n"
    "Account number:,12345678\n"
    "Period:,2026-11-01 to 2026-11-30\n"
    "\n"
    "Transaction Date,Payee,Payment Reference,Paid in,Paid out\n"
    "2026-11-03,Müller Design GmbH,RE-2026-001,1234.56,\n"
    '2026-11-05,"SCHMIDT, ANNA",October,2000.00,\n'
    "2026-11-10,Northwind Ltd,Two invoices,1250.00,\n"
    "2026-11-12,Erika Mustermann,Gift,99.99,\n"
    "2026-11-18,Telekom Deutschland,Bill 12345,,45.90\n"
    "2026-11-20,Acme,Thanks,500.00,\n"
)
#: the last four German lines again, and a new one paying NW-19 by its number
OVERLAP = (
    "Buchungstag;Valuta;Auftraggeber/Empfänger;Verwendungszweck;Betrag;Währung\n"
    '10.11.2026;10.11.2026;Northwind Ltd;"Zahlung; zwei Rechnungen";1.250,00;EUR\n'
    "12.11.2026;12.11.2026;Erika Mustermann;Geschenk;99,99;EUR\n"
    "18.11.2026;18.11.2026;Telekom Deutschland;Rechnung 12345;-45,90;EUR\n"
    "20.11.2026;20.11.2026;Acme;Danke;500,00;EUR\n"
    "23.11.2026;23.11.2026;Northwind Ltd;NW-19;1.000,00;EUR\n"
)


def _ms(seq: int, title: str, amount: str, invoice_no: str = "", on: str = "") -> Milestone:
    invoiced = dt.date.fromisoformat(on) if on else None
    return Milestone(
        seq=seq, title=title, amount=Decimal(amount),
        due_date=(invoiced + dt.timedelta(days=30)) if invoiced else dt.date(2026, 12, 20),
        status=MilestoneStatus.INVOICED if invoiced else MilestoneStatus.PLANNED,
        invoice_no=invoice_no, invoiced_on=invoiced,
    )  # fmt: skip


@pytest.fixture
def studio(book: Book) -> Book:
    """The book of the module docstring."""
    contract = Contract(title="Website", currency="EUR", total_fee=Decimal("3234.56"))
    mueller = book.add_client(Client(name="Müller Design GmbH"),
                              [Contact(name="Anna Schmidt", role=ContactRole.PAYER)])  # fmt: skip
    book.add_contract(mueller, contract, [_ms(1, "Design", "1234.56", "RE-2026-001", "2026-10-01"),
                                          _ms(2, "Build", "2000.00", "RE-2026-002", "2026-10-15")])  # fmt: skip
    north = book.add_client(Client(name="Northwind Ltd"))
    shop = Contract(title="Shop", currency="EUR", total_fee=Decimal("2550.00"))
    book.add_contract(north, shop, [_ms(1, "Discovery", "800.00", "NW-17", "2026-10-05"),
                                    _ms(2, "Prototype", "450.00", "NW-18", "2026-10-20"),
                                    _ms(3, "Launch", "1000.00", "NW-19", "2026-11-01"),
                                    _ms(4, "Support", "300.00")])  # fmt: skip
    acme = book.add_client(Client(name="Acme"))
    app = Contract(title="App", currency="EUR", total_fee=Decimal("1000.00"))
    book.add_contract(acme, app, [_ms(1, "One", "500.00", "ACME-1", "2026-10-02"),
                                  _ms(2, "Two", "500.00", "ACME-2", "2026-10-03")])  # fmt: skip
    return book


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _run(book: Book, path: Path, *extra: str) -> Any:
    result = CliRunner().invoke(
        main, ["bank", "import", str(path), "--db", str(book.path), "--format", "json", *extra]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _payments(book: Book) -> list[tuple[str, Decimal, dt.date]]:
    titles = {m["id"]: m["invoice_no"] for m in book.rows("milestones")}
    return sorted((titles[p["milestone_id"]], p["amount"], p["received_on"])
                  for p in book.rows("payments"))  # fmt: skip


EXPECTED = [
    ("NW-17", Decimal("800.00"), dt.date(2026, 11, 10)),
    ("NW-18", Decimal("450.00"), dt.date(2026, 11, 10)),
    ("RE-2026-001", Decimal("1234.56"), dt.date(2026, 11, 3)),
    ("RE-2026-002", Decimal("2000.00"), dt.date(2026, 11, 5)),
]


@pytest.mark.parametrize(
    ("text", "encoding"),
    [(GERMAN, "latin-1"), (BRITISH, "utf-8"), (PREAMBLE, "utf-8")],
    ids=["german-latin1", "british", "preamble"],
)
def test_each_bank_shape_gives_the_same_proposals(
    studio: Book, tmp_path: Path, text: str, encoding: str
) -> None:
    out = _run(studio, _write(tmp_path / "statement.csv", text, encoding))
    props = {p["amount"]: p for p in out["proposals"]}
    assert sorted(props) == ["1234.56", "1250.00", "2000.00", "500.00"]
    assert props["1234.56"]["counterparty"] == "Müller Design GmbH"  # Latin-1 read right
    assert props["1234.56"]["reason"].startswith("invoice RE-2026-001 in the reference")
    assert props["2000.00"]["reason"].startswith("open amount 2,000.00 EUR of RE-2026-002")
    pair = [(m["invoice_no"], m["amount"]) for m in props["1250.00"]["milestones"]]
    assert pair == [("NW-17", "800.00"), ("NW-18", "450.00")]
    assert [p["confidence"] for p in out["proposals"]] == ["unambiguous"] * 3 + ["ambiguous"]
    assert props["500.00"]["alternatives"] == 2
    assert [(u["amount"], u["booked_on"]) for u in out["unmatched"]] == [("99.99", "2026-11-12")]
    assert [d["amount"] for d in out["debits"]] == ["-45.90"]
    assert out["recorded_payments"] == [] and studio.rows("payments") == []


def test_apply_records_unambiguous_only_and_twice_records_nothing(
    studio: Book, tmp_path: Path
) -> None:
    path = _write(tmp_path / "umsaetze.csv", GERMAN, "latin-1")
    out = _run(studio, path, "--apply")
    assert len(out["recorded_payments"]) == 4
    assert _payments(studio) == EXPECTED  # no Acme 500.00 (ambiguous), no debit
    assert [p["recorded"] for p in out["proposals"]] == [True, True, True, False]
    lines = studio.bank_lines()
    assert sorted(lines["amount"].to_list()) == [Decimal("1234.56"), Decimal("1250.00"),
                                                 Decimal("2000.00")]  # fmt: skip
    again = _run(studio, path, "--apply")
    assert again["recorded_payments"] == []
    assert [r["amount"] for r in again["already_recorded"]] == ["1234.56", "2000.00", "1250.00"]
    assert _payments(studio) == EXPECTED


def test_overlapping_statement_records_only_its_new_line(studio: Book, tmp_path: Path) -> None:
    _run(studio, _write(tmp_path / "nov.csv", GERMAN, "latin-1"), "--apply")
    out = _run(studio, _write(tmp_path / "late-nov.csv", OVERLAP, "latin-1"), "--apply")
    assert [r["amount"] for r in out["already_recorded"]] == ["1250.00"]
    assert [(p["amount"], p["recorded"]) for p in out["proposals"]] == [
        ("500.00", False), ("1000.00", True)]  # fmt: skip
    assert len(out["recorded_payments"]) == 1
    assert _payments(studio) == sorted([*EXPECTED, ("NW-19", Decimal("1000.00"),
                                                    dt.date(2026, 11, 23))])  # fmt: skip


def test_table_output_names_reasons_and_debits(studio: Book, tmp_path: Path) -> None:
    path = _write(tmp_path / "s.csv", BRITISH)
    result = CliRunner().invoke(main, ["bank", "import", str(path), "--db", str(studio.path)])
    assert result.exit_code == 0, result.output
    text = result.output
    assert "unambiguous: invoice RE-2026-001 in the reference; pays it in full" in text
    assert "-> Northwind Ltd / Shop #1 Discovery (NW-17): 800.00 EUR of 800.00 open" in text
    assert "Debits (never payments):" in text and "-45.90  Telekom Deutschland" in text
    assert "Nothing recorded. --apply records the 3 unambiguous proposals." in text


AMBIGUOUS = 'Date,Name,Reference,Amount\n03/11/2026,Nobody,x,"1,234"\n18/11/2026,Nobody,y,500\n'


def test_an_amount_that_reads_two_ways_asks_for_a_locale(
    studio: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path / "odd.csv", AMBIGUOUS)
    args = ["bank", "import", str(path), "--db", str(studio.path), "--format", "json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert "Amount: '1,234' reads two ways" in result.output
    assert "locale" in result.output and "--profile" in result.output
    config = tmp_path / "config.toml"
    config.write_text('[bank.uk]\nlocale = "en_GB"\n[bank.de]\nlocale = "de_DE"\n')
    monkeypatch.setenv("MILEPAY_CONFIG", str(config))
    uk = CliRunner().invoke(main, [*args, "--profile", "uk"])
    de = CliRunner().invoke(main, [*args, "--profile", "de"])
    assert uk.exit_code == 0, uk.output
    assert [u["amount"] for u in json.loads(uk.output)["unmatched"]] == ["1234.00", "500.00"]
    assert de.exit_code == 1  # 1,234 in German is 1.234: not an amount in cents
    assert "line 2: Amount: '1,234' has more than two decimal places" in de.output
    assert studio.rows("payments") == []


def test_a_profile_names_columns_encoding_and_format(
    studio: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = ("Tag|Wer|Zweck|Summe\n03-11-2026|Müller Design GmbH|RE-2026-001|1.234,56\n"
            "20-11-2026|Acme|Danke|500,00\n")  # fmt: skip
    path = _write(tmp_path / "odd.csv", text, "cp1252")
    config = tmp_path / "config.toml"
    config.write_text('[bank.odd]\ndate = "Tag"\namount = "Summe"\ncounterparty = "Wer"\n'
                      'reference = "Zweck"\ndate_format = "DD-MM-YYYY"\nencoding = "cp1252"\n'
                      'delimiter = "|"\nlocale = "de_DE"\nskip = 0\n')  # fmt: skip
    monkeypatch.setenv("MILEPAY_CONFIG", str(config))
    out = _run(studio, path, "--profile", "odd", "--apply")
    assert out["profile"] == "odd" and len(out["recorded_payments"]) == 1
    assert _payments(studio) == [("RE-2026-001", Decimal("1234.56"), dt.date(2026, 11, 3))]


def test_bad_input_is_one_line_and_writes_nothing(studio: Book, tmp_path: Path) -> None:
    bad = _write(tmp_path / "bad.csv", GERMAN.replace("05.11.2026;05", "5.13.2026;05"), "latin-1")
    result = CliRunner().invoke(main, ["bank", "import", str(bad), "--db", str(studio.path),
                                       "--apply"])  # fmt: skip
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "date" in result.output
    missing = CliRunner().invoke(main, ["bank", "import", str(bad), "--db", str(studio.path),
                                        "--profile", "nope"])  # fmt: skip
    assert missing.exit_code == 1 and "no [bank.nope]" in missing.output
    assert studio.rows("payments") == []


def test_record_refuses_an_overpayment_whole(studio: Book) -> None:
    ms = {m["invoice_no"]: m["id"] for m in studio.rows("milestones")}
    line = {"fingerprint": "x" * 64, "booked_on": dt.date(2026, 11, 3), "amount": Decimal("900"),
            "counterparty": "Northwind Ltd", "reference": "",
            "allocations": [(ms["NW-17"], Decimal("900"))]}  # fmt: skip
    good = {**line, "fingerprint": "y" * 64, "amount": Decimal("450"),
            "allocations": [(ms["NW-18"], Decimal("450"))]}  # fmt: skip
    from tui.domain.errors import RefusedError

    with pytest.raises(RefusedError, match="would overpay"):
        studio.record_bank_matches([good, line])
    assert studio.rows("payments") == [] and studio.bank_lines().height == 0
    assert len(studio.record_bank_matches([good, good])) == 1  # a line once, even twice given
