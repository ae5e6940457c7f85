"""Client-facing values (issue 12): amounts in the book's locale, real currency codes, e-mail
addresses that can be mailed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tui.domain.errors import ValidationError
from tui.domain.model import Settings
from tui.domain.money import client_money, parse_locale
from tui.domain.values import parse_currency, parse_email

NBSP = "\xa0"


@pytest.mark.parametrize(
    ("locale", "currency", "amount", "shown"),
    [
        ("", "EUR", "2160", "2,160.00 EUR"),  # no locale: the neutral form milepay always used
        ("de_DE", "EUR", "2160", f"2.160,00{NBSP}€"),
        ("en_GB", "EUR", "2160", "€2,160.00"),
        ("en_GB", "GBP", "1234.5", "£1,234.50"),
        ("de_CH", "CHF", "1200", f"CHF{NBSP}1'200.00"),
        ("fr_FR", "EUR", "0.5", f"0,50{NBSP}€"),
        ("ja_JP", "JPY", "1200", "￥1,200.00"),  # always two places: an invoice is never rounded
    ],
)
def test_amounts_follow_the_locale(locale: str, currency: str, amount: str, shown: str) -> None:
    assert client_money(Decimal(amount), currency, locale) == shown


def test_locale_setting_is_checked_and_normalised() -> None:
    assert parse_locale("de-DE") == "de_DE" and parse_locale("") == ""
    assert Settings.parse_value("locale", " en_gb ") == "en_GB"
    with pytest.raises(ValidationError) as err:
        Settings.parse_value("locale", "klingon")
    assert err.value.field == "locale" and "is not a locale" in err.value.reason


def test_currency_codes_come_from_the_real_list() -> None:
    assert parse_currency("eur") == "EUR" and parse_currency("CHF") == "CHF"
    with pytest.raises(ValidationError, match="'EUT' is not an ISO 4217 currency code"):
        parse_currency("EUT")
    with pytest.raises(ValidationError, match="three letters"):
        parse_currency("EURO")


def test_email_addresses_that_save_can_be_mailed() -> None:
    assert parse_email("Dana@BrightIdeas.Example") == "Dana@brightideas.example"
    assert parse_email("  ") == ""
    for bad in ("dana", "dana@", "dana@localhost", "a b@c.de", "dana@example..org", "x@acme.test"):
        with pytest.raises(ValidationError) as err:
            parse_email(bad, "email")
        assert err.value.field == "email" and "is not an e-mail address" in err.value.reason
