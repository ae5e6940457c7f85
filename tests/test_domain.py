"""Domain parsing: every accepted and refused form of what people type."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strength import examples

from tui.domain import (
    Client,
    Contract,
    ContractStatus,
    Milestone,
    Settings,
    ValidationError,
    add_months,
    parse_amount,
    parse_currency,
    parse_date,
    parse_enum,
    parse_percent,
    split_evenly,
    today,
)
from tui.domain.money import round_cents, split_by_percentages

D = Decimal


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1250", D("1250.00")),
        ("1250.5", D("1250.50")),
        ("1,250.00", D("1250.00")),
        ("1,234,567.89", D("1234567.89")),
        (" 0.01 ", D("0.01")),
        ("0", D("0.00")),
    ],
)
def test_amount_accepted(text: str, value: Decimal) -> None:
    assert parse_amount(text) == value
    assert parse_amount(text).as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("12,50", "amount: '12,50' uses a decimal comma; write it with a dot, e.g. 12.50"),
        ("abc", "amount: 'abc' is not an amount (use digits and a dot, e.g. 1250.00)"),
        ("1e3", "amount: '1e3' is not an amount (use digits and a dot, e.g. 1250.00)"),
        ("1.234", "amount: '1.234' has more than 2 decimal places"),
        ("-5", "amount: '-5' is negative; it must be 0 or more"),
        ("1000000000", "amount: '1000000000' is too large (at most 999,999,999.99)"),
        ("", "amount: is required (an amount such as 1250.00)"),
        ("12,5000", "amount: '12,5000' is not an amount (use digits and a dot, e.g. 1250.00)"),
        ("NaN", "amount: 'NaN' is not an amount (use digits and a dot, e.g. 1250.00)"),
        ("1 250", "amount: '1 250' is not an amount (use digits and a dot, e.g. 1250.00)"),
    ],
)
def test_amount_refused(text: str, message: str) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_amount(text)
    assert str(exc.value) == message
    assert exc.value.field == "amount"


def test_amount_negative_when_allowed_and_zero_refused() -> None:
    assert parse_amount("-12.30", "delta", allow_negative=True) == D("-12.30")
    with pytest.raises(ValidationError, match="delta: '0' is 0; it must be more than 0"):
        parse_amount("0", "delta", allow_zero=False)


def test_dates() -> None:
    t = dt.date(2026, 1, 31)
    assert parse_date("2026-03-01") == dt.date(2026, 3, 1)
    assert parse_date("today", today_=t) == t
    assert parse_date("+14d", today_=t) == dt.date(2026, 2, 14)
    assert parse_date("+2w", today_=t) == dt.date(2026, 2, 14)
    assert parse_date("+1m", today_=t) == dt.date(2026, 2, 28)  # clamped to the month's end
    assert parse_date("+2m", today_=t) == dt.date(2026, 3, 31)  # from the anchor, no drift
    assert parse_date("-3d", today_=t) == dt.date(2026, 1, 28)
    assert parse_date("+1y", today_=dt.date(2028, 2, 29)) == dt.date(2029, 2, 28)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-02-30", "due_date: '2026-02-30' is not a real date"),
        ("2026-13-01", "due_date: '2026-13-01' is not a real date"),
        ("30/01/2026", "due_date: '30/01/2026' is not a date (use YYYY-MM-DD)"),
        ("tomorrow", "due_date: 'tomorrow' is not a date (use YYYY-MM-DD)"),
        ("+14x", "due_date: '+14x': unknown unit 'x'; use d, w or m, e.g. +14d, +2w, +1m"),
        ("+14", "due_date: '+14' needs a unit: d, w or m, e.g. +14d, +2w, +1m"),
        ("+1.5m", "due_date: '+1.5m' is not a date (YYYY-MM-DD, today, +14d, +2w, +1m)"),
        ("+9999y", "due_date: '+9999y' is outside the years 1900-2999"),
        ("9999-12-31", "due_date: '9999-12-31' is outside the years 1900-2999"),
        ("0001-01-01", "due_date: '0001-01-01' is outside the years 1900-2999"),
        ("", "due_date: is required (YYYY-MM-DD, today, +14d, +2w, +1m)"),
    ],
)
def test_dates_refused(text: str, message: str) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_date(text, "due_date")
    assert str(exc.value) == message


def test_today_comes_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MILEPAY_TODAY", "2027-03-04")
    assert today("Europe/Berlin") == dt.date(2027, 3, 4)
    assert parse_date("today") == dt.date(2027, 3, 4)
    monkeypatch.setenv("MILEPAY_TODAY", "2027-02-30")
    with pytest.raises(ValidationError, match="MILEPAY_TODAY"):
        today()


def test_today_without_env_uses_timezone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MILEPAY_TODAY")
    east, west = today("Pacific/Kiritimati"), today("Pacific/Pago_Pago")  # UTC+14 and UTC-11
    assert (east - west).days in (1, 2)


def test_currency_percent_enum() -> None:
    assert parse_currency(" gbp ") == "GBP"
    for bad in ("EU", "EURO", "12A", ""):
        with pytest.raises(ValidationError, match="currency"):
            parse_currency(bad)
    assert parse_percent("2.5%") == D("2.5")
    with pytest.raises(ValidationError, match="rate: '-1' is not a percentage"):
        parse_percent("-1", "rate")
    with pytest.raises(ValidationError, match="more than 100"):
        parse_percent("101", "rate", maximum=D(100))
    assert parse_enum(ContractStatus, "Paused", "status") is ContractStatus.PAUSED
    with pytest.raises(ValidationError) as exc:
        parse_enum(ContractStatus, "open", "status")
    assert (
        str(exc.value)
        == "status: 'open' is not one of: draft, active, paused, completed, cancelled"
    )


def test_records_name_the_wrong_field() -> None:
    with pytest.raises(ValidationError) as exc:
        Milestone.parse(
            {"seq": "1", "title": "Design", "amount": "12,50", "due_date": "2026-01-01"}
        )
    assert exc.value.field == "amount"
    errors = Milestone.collect_errors(
        {"seq": "x", "title": "", "amount": "1", "due_date": "2026-02-30"}
    )
    assert [e.field for e in errors] == ["seq", "title", "due_date"]
    with pytest.raises(ValidationError, match="rating: 6 is more than 5"):
        Client.parse({"name": "Acme", "rating": "6"})
    with pytest.raises(ValidationError, match="end_date"):
        Contract.parse(
            {
                "title": "T",
                "currency": "EUR",
                "total_fee": "10",
                "start_date": "2026-02-01",
                "end_date": "2026-01-01",
            }
        )
    with pytest.raises(ValidationError, match="invoiced_on"):
        Milestone.parse(
            {
                "seq": "1",
                "title": "A",
                "amount": "1",
                "due_date": "2026-01-01",
                "status": "invoiced",
            }
        )


def test_statutory_defaults() -> None:
    c = Contract.parse(
        {"title": "T", "currency": "GBP", "total_fee": "10", "late_fee_kind": "statutory"}
    )
    assert (c.late_fee_preset, c.late_fee_value) == ("uk", D("8"))
    c = Contract.parse(
        {"title": "T", "currency": "EUR", "total_fee": "10", "late_fee_kind": "statutory"}
    )
    assert c.late_fee_preset == "eu"


def test_settings_parse_and_check() -> None:
    s = Settings.from_text({"bucket_edges": "15,45,120", "home_currency": "gbp"})
    assert s.bucket_names == ["current", "1-15", "16-45", "46-120", "120+"]
    assert s.home_currency == "GBP"
    with pytest.raises(ValidationError, match="bucket_edges"):
        Settings.from_text({"bucket_edges": "60,30,90"})
    with pytest.raises(ValidationError, match="reminder_days"):
        Settings.from_text({"firm_days": "2"})
    with pytest.raises(ValidationError, match="timezone: 'Mars/Base' is not an IANA timezone"):
        Settings.parse_value("timezone", "Mars/Base")


def test_round_half_up() -> None:
    assert round_cents(D("0.005")) == D("0.01")
    assert round_cents(D("2.675")) == D("2.68")
    assert round_cents(D("-0.005")) == D("-0.01")


def test_add_months_from_anchor() -> None:
    a = dt.date(2026, 1, 31)
    assert [add_months(a, k) for k in range(4)] == [
        a,
        dt.date(2026, 2, 28),
        dt.date(2026, 3, 31),
        dt.date(2026, 4, 30),
    ]
    assert add_months(dt.date(2027, 1, 31), 13) == dt.date(2028, 2, 29)


@settings(max_examples=examples(200), deadline=None)
@given(cents=st.integers(0, 10**11), parts=st.integers(1, 60))
def test_split_evenly_adds_up(cents: int, parts: int) -> None:
    total = D(cents) / 100
    amounts = split_evenly(total, parts)
    assert sum(amounts) == total
    assert len(amounts) == parts
    assert all(a == amounts[0] for a in amounts[:-1])
    assert 0 <= amounts[-1] - amounts[0] < D(parts) / 100


@settings(max_examples=examples(200), deadline=None)
@given(cents=st.integers(0, 10**11), cuts=st.lists(st.integers(1, 99), min_size=1, max_size=5))
def test_split_by_percentages_adds_up(cents: int, cuts: list[int]) -> None:
    total = D(cents) / 100
    pcts = [D(c) for c in cuts]
    rest = D(100) - sum(pcts)
    if rest <= 0:
        pcts = [D(100)]
    else:
        pcts.append(rest)
    assert sum(split_by_percentages(total, pcts)) == total


@settings(max_examples=examples(300), deadline=None)
@given(cents=st.integers(0, 99_999_999_999))
def test_amount_round_trip(cents: int) -> None:
    value = D(cents) / 100
    assert parse_amount(f"{value:.2f}") == value
    assert parse_amount(f"{value:,.2f}") == value
