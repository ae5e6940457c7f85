"""Input hygiene (issue 8): control characters in text, ASCII-only numbers, dates in 1900-2999,
environment values named by their variable. Each case worked out by hand; properties where a
rule must hold for every input.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strength import examples

from tui.domain import (
    ChangeOrder,
    ChaseEvent,
    Client,
    Contract,
    Expense,
    Hold,
    Milestone,
    Payment,
    Settings,
    ValidationError,
    add_months,
    parse_amount,
    parse_date,
    parse_iso_date,
    parse_percent,
    today,
)
from tui.domain.dates import MAX_DATE, MIN_DATE
from tui.domain.env import env_date, env_seconds
from tui.domain.errors import BIDI_CONTROLS, is_control
from tui.domain.model import parse_fx_rate
from tui.domain.values import MULTILINE_FIELDS, parse_email, parse_int, parse_text

D = Decimal


def refused(call, *args, **kwargs) -> ValidationError:
    """The ValidationError ``call`` raises (the test fails when it raises none)."""
    with pytest.raises(ValidationError) as exc:
        call(*args, **kwargs)
    return exc.value


# ---- text ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("ch", sorted(BIDI_CONTROLS))
def test_bidi_controls_refused_everywhere(ch: str) -> None:
    for field in ("name", "notes"):
        err = refused(parse_text, f"Acme{ch}Ltd", field)
        assert str(err) == f"{field}: contains a control character (\\u{ord(ch):04x}); remove it"
        assert err.field == field


@pytest.mark.parametrize(
    ("ch", "shown"),
    [
        ("\x00", "\\x00"),
        ("\x07", "\\x07"),
        ("\x1b", "\\x1b"),
        ("\x7f", "\\x7f"),
        ("\x9b", "\\x9b"),  # C1 CSI: a one-byte escape sequence start
        ("\x0b", "\\x0b"),
        ("\r", "\\r"),
    ],
)
def test_controls_refused_in_multiline_text(ch: str, shown: str) -> None:
    err = refused(parse_text, f"first{ch}second", "notes")
    assert str(err) == f"notes: contains a control character ({shown}); remove it"


def test_one_line_fields_refuse_line_breaks_and_tab() -> None:
    for text in ("Acme\nLtd", "Acme\r\nLtd", "Acme\rLtd", "Acme\u2028Ltd", "Acme\x85Ltd"):
        assert str(refused(parse_text, text, "name")) == (
            "name: contains a line break; it must be one line"
        )
    assert str(refused(parse_text, "Acme\tLtd", "title")) == (
        "title: contains a control character (\\t); remove it"
    )
    assert str(refused(parse_text, "Acme\x1b[2J", "name")) == (
        "name: contains a control character (\\x1b); remove it"
    )


def test_multiline_fields_keep_newlines_and_tabs() -> None:
    assert parse_text("  Line one\r\nLine two\n\tindented  ", "notes") == (
        "Line one\nLine two\n\tindented"
    )
    assert parse_text("Jane\r\nStudio", "title", multiline=True) == "Jane\nStudio"
    assert refused(parse_text, "Jane\nStudio", "notes", multiline=False).field == "notes"
    # edges are stripped, so a trailing newline on a one-line field is no error
    assert parse_text(" Acme Ltd \r\n", "name") == "Acme Ltd"


def test_text_that_is_not_utf8_is_refused() -> None:
    # a lone surrogate is what Python makes of a non-UTF-8 byte in argv or a file name
    assert str(refused(parse_text, "Acme\udcff", "name")) == (
        "name: contains bytes that are not UTF-8 text; retype it"
    )


def test_length_counts_the_normalised_text() -> None:
    assert parse_text("a\r\nb", "notes", max_length=3) == "a\nb"
    assert str(refused(parse_text, "abcd", "name", max_length=3)) == (
        "name: is too long (4 characters, at most 3)"
    )


def test_records_apply_the_rule_per_field() -> None:
    assert Client.parse({"name": "Acme", "address": "Acme KG\nBerlin"}).address == (
        "Acme KG\nBerlin"
    )
    assert refused(Client.parse, {"name": "Acme\u202e"}).field == "name"
    assert refused(Client.parse, {"name": "Acme", "phone": "+49\n30"}).field == "phone"
    assert refused(Client.parse, {"name": "Acme", "email": "a\u2066@b.com"}).field == "email"
    contract = {"title": "Site", "currency": "EUR", "total_fee": "10"}
    assert Contract.parse({**contract, "red_flags": "late\nrude"}).red_flags == "late\nrude"
    assert refused(Contract.parse, {**contract, "title": "Site\nv2"}).field == "title"
    assert refused(Contract.parse, {**contract, "currency": "EU\x1b"}).field == "currency"
    milestone = {"seq": "1", "title": "Design", "amount": "10", "due_date": "2026-01-01"}
    assert refused(Milestone.parse, {**milestone, "invoice_no": "INV\n7"}).field == "invoice_no"
    assert refused(Payment.parse, {"amount": "1", "received_on": "2026-01-01",
                                   "reference": "R\x851"}).field == "reference"  # fmt: skip
    event = {"date": "2026-01-01", "step": "reminder", "message": "Dear X,\r\n\r\nPlease pay."}
    assert ChaseEvent.parse(event).message == "Dear X,\n\nPlease pay."
    assert refused(ChaseEvent.parse, {**event, "contact": "Ann\nBo"}).field == "contact"
    order = {"date": "2026-01-01", "description": "Extra page\n- header", "amount_delta": "5"}
    assert ChangeOrder.parse(order).description == "Extra page\n- header"
    assert refused(Hold.parse, {"reason": "dispute\x07", "until": "2026-02-01"}).field == "reason"
    expense = {"name": "Rent", "amount": "1", "currency": "EUR", "cadence": "monthly",
               "next_date": "2026-01-01"}  # fmt: skip
    assert refused(Expense.parse, {**expense, "name": "Rent\u202d"}).field == "name"


def test_collect_errors_names_each_bad_text_field() -> None:
    errors = Client.collect_errors({"name": "A\x1b", "notes": "ok\nfine", "feedback": "\u2067x"})
    assert [(e.field, e.reason) for e in errors] == [
        ("name", "contains a control character (\\x1b); remove it"),
        ("feedback", "contains a control character (\\u2067); remove it"),
    ]


def test_settings_text_follows_the_same_rule() -> None:
    assert Settings.parse_value("signature", "Jane\r\nStudio") == "Jane\nStudio"
    assert refused(Settings.parse_value, "business_name", "Jane\nStudio").field == ("business_name")
    assert refused(Settings.parse_value, "signature", "Jane\u202eStudio").field == "signature"


def test_email_refuses_controls() -> None:
    assert parse_email(" ann@example.com ") == "ann@example.com"
    assert str(refused(parse_email, "ann\x00@example.com")) == (
        "email: contains a control character (\\x00); remove it"
    )


@settings(max_examples=examples(300), deadline=None)
@given(text=st.text(max_size=40), field=st.sampled_from(["name", "notes"]))
def test_parsed_text_never_holds_controls(text: str, field: str) -> None:
    try:
        out = parse_text(text, field)
    except ValidationError as exc:
        assert exc.field == field
        assert not any(is_control(c) for c in str(exc))
        return
    allowed = "\n\t" if field in MULTILINE_FIELDS else ""
    assert not any(is_control(c) and c not in allowed for c in out)
    assert "\r" not in out
    assert out == out.strip()


@settings(max_examples=examples(200), deadline=None)
@given(
    text=st.text(
        alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=40
    ).filter(lambda t: not any(c in BIDI_CONTROLS for c in t))
)
def test_clean_text_is_kept_as_typed(text: str) -> None:
    assert parse_text(text, "name") == text.strip()


# ---- numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "digit"),
    [
        ("٣٣٣.٣٣", "٣"),  # Arabic-Indic
        ("۱۲۳", "۱"),  # Extended Arabic-Indic (Persian)
        ("１２３", "１"),  # fullwidth
        ("1²", "²"),  # superscript two
        ("१२", "१"),  # Devanagari
        ("½", "½"),  # a numeric character that is no digit
        ("1,٢٣٤.00", "٢"),
    ],
)
def test_amounts_are_ascii_digits_only(text: str, digit: str) -> None:
    err = refused(parse_amount, text, "total_fee")
    assert str(err) == (
        f"total_fee: '{text}' has a digit other than 0-9 ({digit}); type the number with 0-9"
    )
    assert err.field == "total_fee"


def test_other_numbers_are_ascii_digits_only() -> None:
    assert refused(parse_int, "١٢", "seq").field == "seq"
    assert refused(parse_int, "１２", "grace_days").field == "grace_days"
    assert refused(parse_percent, "٨", "late_fee_value").field == "late_fee_value"
    assert refused(parse_percent, "2.５%", "rate").field == "rate"
    assert refused(parse_fx_rate, "١.١٧", "fx.GBP").field == "fx.GBP"
    assert refused(Settings.parse_value, "reminder_days", "٣").field == "reminder_days"
    assert refused(Settings.parse_value, "bucket_edges", "30,６0,90").field == "bucket_edges"
    milestone = {"seq": "1", "title": "A", "amount": "１０", "due_date": "2026-01-01"}
    assert refused(Milestone.parse, milestone).field == "amount"
    assert refused(Client.parse, {"name": "A", "rating": "٣"}).field == "rating"
    assert refused(parse_date, "٢٠٢٦-٠١-٠١", "due_date").field == "due_date"
    # the ASCII forms still parse
    assert parse_int(" 12 ", "seq") == 12
    assert parse_percent("2.5%", "rate") == D("2.5")
    assert parse_fx_rate("1.17", "fx.GBP") == D("1.17")


@settings(max_examples=examples(200), deadline=None)
@given(
    digit=st.characters(whitelist_categories=("Nd", "No", "Nl")).filter(
        lambda c: c not in "0123456789" and (c.isdigit() or c.isnumeric())
    ),
    before=st.text(alphabet="0123456789", max_size=3),
)
def test_any_foreign_digit_is_refused(digit: str, before: str) -> None:
    text = f"{before}{digit}"
    for call in (
        lambda: parse_amount(text, "amount"),
        lambda: parse_int(text, "amount"),
        lambda: parse_percent(text, "amount"),
        lambda: parse_fx_rate(text, "amount"),
    ):
        assert refused(call).field == "amount"


# ---- dates --------------------------------------------------------------------------------------


def test_iso_dates_within_1900_to_2999() -> None:
    assert parse_iso_date("1900-01-01") == MIN_DATE == dt.date(1900, 1, 1)
    assert parse_iso_date("2999-12-31") == MAX_DATE == dt.date(2999, 12, 31)
    for text in ("1899-12-31", "3000-01-01", "0001-01-01", "9999-12-31"):
        assert str(refused(parse_date, text, "due_date")) == (
            f"due_date: '{text}' is outside the years 1900-2999"
        )
    assert refused(parse_date, dt.date(3000, 1, 1), "until").field == "until"
    assert parse_date(dt.date(2026, 5, 1), "until") == dt.date(2026, 5, 1)


def test_relative_dates_within_the_range() -> None:
    end = dt.date(2999, 12, 25)
    assert parse_date("+6d", today_=end) == dt.date(2999, 12, 31)
    assert str(refused(parse_date, "+7d", "due_date", today_=end)) == (
        "due_date: '+7d' is outside the years 1900-2999"
    )
    assert refused(parse_date, "+1m", "due_date", today_=end).field == "due_date"
    start = dt.date(1900, 1, 8)
    assert parse_date("-1w", today_=start) == dt.date(1900, 1, 1)
    assert refused(parse_date, "-8d", "due_date", today_=start).field == "due_date"
    # 2026 and 2027 take 730 days to 2028-01-01; 270 more in leap 2028: Jan-Aug are 244 days
    # (to Sep 1), then 26 more
    t = dt.date(2026, 1, 1)
    assert parse_date("+1000d", today_=t) == dt.date(2028, 9, 27)
    assert parse_date("+2W", today_=t) == dt.date(2026, 1, 15)  # units in either case
    assert parse_date("TODAY", today_=t) == t
    for text in ("+9999y", "-9999y", "+99999m", "+10000000d", "+99999999999999999999d"):
        assert str(refused(parse_date, text, "due_date", today_=t)) == (
            f"due_date: '{text}' is outside the years 1900-2999"
        )


def test_add_months_edges() -> None:
    assert add_months(dt.date(2999, 12, 31), 1) == dt.date(3000, 1, 31)
    assert add_months(dt.date(2026, 3, 31), -1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 1, 15), -13) == dt.date(2024, 12, 15)
    with pytest.raises(ValueError, match="out of range"):
        add_months(dt.date(9999, 12, 1), 1)


@settings(max_examples=examples(300), deadline=None)
@given(
    base=st.dates(MIN_DATE, MAX_DATE),
    n=st.integers(-2000, 2000),
    unit=st.sampled_from(["d", "w"]),
)
def test_relative_days_and_weeks(base: dt.date, n: int, unit: str) -> None:
    days = n * (7 if unit == "w" else 1)
    ordinal = base.toordinal() + days
    text = f"{n:+d}{unit}"
    if MIN_DATE.toordinal() <= ordinal <= MAX_DATE.toordinal():
        assert parse_date(text, today_=base) == dt.date.fromordinal(ordinal)
    else:
        assert str(refused(parse_date, text, "d", today_=base)) == (
            f"d: '{text}' is outside the years 1900-2999"
        )


@settings(max_examples=examples(200), deadline=None)
@given(day=st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)))
def test_any_iso_date_in_range_or_refused(day: dt.date) -> None:
    text = day.isoformat()
    if MIN_DATE <= day <= MAX_DATE:
        assert parse_date(text) == day
    else:
        assert refused(parse_date, text, "due_date").field == "due_date"


# ---- environment --------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["abc", "-1", "nan", "inf", "1e3", "5s", "٥", "0x10", "+5"])
def test_env_seconds_refuses_non_numbers(raw: str) -> None:
    err = refused(env_seconds, "MILEPAY_BUSY_TIMEOUT", 5.0, environ={"MILEPAY_BUSY_TIMEOUT": raw})
    assert str(err) == f"MILEPAY_BUSY_TIMEOUT: '{raw}' is not a number of seconds"
    assert err.field == "MILEPAY_BUSY_TIMEOUT"


def test_env_seconds_values() -> None:
    name = "MILEPAY_BUSY_TIMEOUT"
    assert env_seconds(name, 5.0, environ={}) == 5.0
    assert env_seconds(name, 5.0, environ={name: "  "}) == 5.0
    assert env_seconds(name, 5.0, environ={name: " 0 "}) == 0.0
    assert env_seconds(name, 5.0, environ={name: "0.25"}) == 0.25
    assert env_seconds(name, 5.0, environ={name: ".5"}) == 0.5
    assert env_seconds(name, 5.0, environ={name: "3600"}) == 3600.0
    assert str(refused(env_seconds, name, 5.0, environ={name: "3600.5"})) == (
        "MILEPAY_BUSY_TIMEOUT: '3600.5' is more than 3600 seconds"
    )


def test_env_seconds_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MILEPAY_BUSY_TIMEOUT", "2.5")
    assert env_seconds("MILEPAY_BUSY_TIMEOUT", 5.0) == 2.5
    monkeypatch.setenv("MILEPAY_BUSY_TIMEOUT", "inf")
    assert refused(env_seconds, "MILEPAY_BUSY_TIMEOUT", 5.0).field == "MILEPAY_BUSY_TIMEOUT"


def test_env_date_and_today(monkeypatch: pytest.MonkeyPatch) -> None:
    assert env_date("MILEPAY_TODAY", environ={}) is None
    assert env_date("MILEPAY_TODAY", environ={"MILEPAY_TODAY": "2026-11-24"}) == (
        dt.date(2026, 11, 24)
    )
    for raw, message in [
        ("abc", "MILEPAY_TODAY: 'abc' is not a date (YYYY-MM-DD)"),
        ("24/11/2026", "MILEPAY_TODAY: '24/11/2026' is not a date (YYYY-MM-DD)"),
        ("+14d", "MILEPAY_TODAY: '+14d' is not a date (YYYY-MM-DD)"),
        ("2027-02-30", "MILEPAY_TODAY: '2027-02-30' is not a real date"),
        ("3000-01-01", "MILEPAY_TODAY: '3000-01-01' is outside the years 1900-2999"),
        ("2026-11-24\x1b[2J", "MILEPAY_TODAY: '2026-11-24\\x1b[2J' is not a date (YYYY-MM-DD)"),
    ]:
        monkeypatch.setenv("MILEPAY_TODAY", raw)
        err = refused(today)
        assert (str(err), err.field) == (message, "MILEPAY_TODAY")
        assert refused(parse_date, "+1d").field == "MILEPAY_TODAY"
