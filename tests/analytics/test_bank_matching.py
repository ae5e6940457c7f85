"""Bank statement lines read exactly and matched by the issue's rules (tui.analytics.bank)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import polars as pl
import pytest
from builders import MemoryBook

from tui.analytics.bank import (
    amount_locale,
    date_format,
    match_statement,
    names_match,
    parse_amount,
    statement_lines,
)
from tui.domain.errors import ValidationError
from tui.domain.model import Client, Contract, Milestone
from tui.domain.values import MilestoneStatus

AS_OF = dt.date(2026, 11, 24)


@pytest.mark.parametrize(
    ("text", "locale", "value"),
    [("1.234,56", "de_DE", "1234.56"), ("1,234.56", "en_GB", "1234.56"), ("-45,90", "de_DE",
     "-45.90"), ("45,90-", "de_DE", "-45.90"), ("(12.50)", "en_GB", "-12.50"),
     ("+1.000,00 €", "de_DE", "1000.00"), ("£2,000.00", "en_GB", "2000.00")],
)  # fmt: skip
def test_amounts_are_exact(text: str, locale: str, value: str) -> None:
    assert parse_amount(text, locale, "Betrag") == Decimal(value)


def test_amounts_never_read_the_wrong_way() -> None:
    with pytest.raises(ValidationError, match="not an amount as de_DE"):
        parse_amount("1,234.56", "de_DE", "Betrag")
    with pytest.raises(ValidationError, match="more than two decimal places"):
        parse_amount("1,234", "de_DE", "Betrag")
    assert amount_locale(["1.234,56", "1,234", "12"], "Betrag") == "de_DE"  # 1,234 decided
    assert amount_locale(["1,234.56", "1.234"], "Amount") == "en_GB"
    with pytest.raises(ValidationError, match=re.escape("holds both '1.234,56' and '1,234.56'")):
        amount_locale(["1.234,56", "1,234.56"], "Amount")
    with pytest.raises(ValidationError, match=re.escape("'1.234' reads two ways")):
        amount_locale(["1.234", "500"], "Amount")


def test_dates_detected_or_refused_when_two_formats_fit() -> None:
    assert date_format(["03.11.2026", "18.11.2026"]) == "%d.%m.%Y"
    assert date_format(["03/11/2026", "18/11/2026"]) == "%d/%m/%Y"
    assert date_format(["11/18/2026"]) == "%m/%d/%Y"
    with pytest.raises(ValidationError, match="DD/MM/YYYY or MM/DD/YYYY"):
        date_format(["03/11/2026", "05/11/2026"])
    assert date_format(["03/11/2026"], "MM/DD/YYYY") == "%m/%d/%Y"


def test_names_match_by_words() -> None:
    assert names_match("MUELLER DESIGN GMBH", "Müller Design GmbH")
    assert names_match("SCHMIDT, ANNA", "Anna Schmidt")
    assert names_match("A SCHMIDT", "Anna Schmidt")
    assert not names_match("Anna Schmitt", "Anna Schmidt")
    assert not names_match("GmbH", "Müller GmbH")  # a legal suffix alone names nobody


def _raw(rows: list[tuple[str, str, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        {"Datum": [r[0] for r in rows], "Betrag": [r[1] for r in rows],
         "Name": [r[2] for r in rows], "Verwendungszweck": [r[3] for r in rows],
         "_line": list(range(2, len(rows) + 2))}
    )  # fmt: skip


def test_two_equal_lines_stay_two() -> None:
    lines = statement_lines(_raw([("03.11.2026", "50,00", "A", "x")] * 2))
    assert lines["fingerprint"].n_unique() == 2
    again = statement_lines(_raw([("01.11.2026", "9,00", "B", "y"),
                                  *[("03.11.2026", "50,00", "A", "x")] * 2]))  # fmt: skip
    assert set(lines["fingerprint"]) <= set(again["fingerprint"])  # an overlapping file


def _book() -> MemoryBook:
    book = MemoryBook()
    cid = book.add_client(Client(name="Northwind Ltd"))

    def ms(seq: int, amount: str, no: str, day: int) -> Milestone:
        on = dt.date(2026, 10, day)
        return Milestone(seq=seq, title=f"M{seq}", amount=Decimal(amount), invoice_no=no,
                         due_date=on + dt.timedelta(days=30), invoiced_on=on,
                         status=MilestoneStatus.INVOICED)  # fmt: skip

    book.add_contract(cid, Contract(title="Shop", currency="EUR", total_fee=Decimal("1850")),
                      [ms(1, "300.00", "NW-1", 1), ms(2, "450.00", "NW-2", 2),
                       ms(3, "600.00", "NW-12", 3), ms(4, "500.00", "NW-13", 4)])  # fmt: skip
    return book


def test_rules_in_order_with_open_amounts_used_up() -> None:
    raw = _raw([
        ("02.11.2026", "200,00", "Someone", "Rechnung NW-1 Teil"),  # part of NW-1, stranger
        ("03.11.2026", "100,00", "Northwind Ltd", "Rest NW-1"),  # the rest: NW-1 is "NW-1"
        ("04.11.2026", "500,00", "Northwind Ltd", "Okt"),  # NW-13 by amount
        ("05.11.2026", "1.050,00", "Northwind Ltd", "Okt"),  # 450 + 600
        ("06.11.2026", "600,00", "Northwind Ltd", "NW-12"),  # NW-12 already used up
    ])  # fmt: skip
    props = match_statement(statement_lines(raw), _book().frames(), AS_OF)
    got = [(p.status, p.confidence, [(a.invoice_no, str(a.amount)) for a in p.allocations])
           for p in props]  # fmt: skip
    assert got == [
        ("match", "ambiguous", [("NW-1", "200.00")]),  # a part payment from a stranger
        ("match", "unambiguous", [("NW-1", "100.00")]),
        ("match", "unambiguous", [("NW-13", "500.00")]),
        ("match", "unambiguous", [("NW-2", "450.00"), ("NW-12", "600.00")]),
        ("unmatched", "", []),
    ]
    assert props[0].reason == (
        "invoice NW-1 in the reference; part payment of 300.00 EUR open; "
        "the payer's name is not the client's or a contact's"
    )
    assert props[1].reason == "invoice NW-1 in the reference; pays it in full"


def test_recorded_lines_and_debits_are_never_proposed() -> None:
    lines = statement_lines(_raw([("04.11.2026", "500,00", "Northwind", "x"),
                                  ("05.11.2026", "-500,00", "Northwind", "x")]))  # fmt: skip
    props = match_statement(lines, _book().frames(), AS_OF, {lines["fingerprint"][0]})
    assert [p.status for p in props] == ["recorded", "debit"]
