"""Exact money: Decimal with two places, parsed strictly from what people type."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from tui.domain.errors import ValidationError
from tui.domain.values import refuse_foreign_digits

CENT = Decimal("0.01")
#: The largest amount milepay accepts for one figure. DECIMAL(18,2) holds far more, but a
#: milestone or payment above a billion is a typo, and sums of many of them must still fit.
MAX_AMOUNT = Decimal("999999999.99")

# 1250 / 1250.5 / 1250.50 / 1,250.00 (commas only as thousands separators, groups of three)
# ASCII digits only: ``\d`` and Decimal() also take Arabic-Indic, fullwidth and other digits.
_PLAIN = re.compile(r"[0-9]+(\.[0-9]+)?")
_GROUPED = re.compile(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?")
_DECIMAL_COMMA = re.compile(r"[0-9]+,[0-9]{1,2}")


def parse_amount(
    text: str | Decimal | int,
    field: str = "amount",
    *,
    allow_negative: bool = False,
    allow_zero: bool = True,
    maximum: Decimal = MAX_AMOUNT,
) -> Decimal:
    """Parse an amount typed by a person into an exact Decimal with two places.

    Accepts ``1250``, ``1250.5``, ``1,250.00``; refuses ``12,50`` (a decimal comma),
    ``abc``, ``1e3``, digits other than ASCII 0-9 (``٣٣٣.٣٣``, ``１２３``), more than two
    decimals, a negative unless allowed, and absurd sizes.
    """
    if isinstance(text, Decimal | int) and not isinstance(text, bool):
        raw = str(text)
    elif isinstance(text, str):
        raw = text.strip()
    else:
        raise ValidationError(field, f"expected an amount, got {type(text).__name__}")
    if raw == "":
        raise ValidationError(field, "is required (an amount such as 1250.00)")
    refuse_foreign_digits(raw, field)
    negative = False
    body = raw
    if body[0] in "+-":
        negative = body[0] == "-"
        body = body[1:].strip()
    if _PLAIN.fullmatch(body):
        digits = body
    elif _GROUPED.fullmatch(body):
        digits = body.replace(",", "")
    elif _DECIMAL_COMMA.fullmatch(body):
        raise ValidationError(
            field,
            f"'{raw}' uses a decimal comma; write it with a dot, e.g. {body.replace(',', '.')}",
        )
    else:
        raise ValidationError(
            field, f"'{raw}' is not an amount (use digits and a dot, e.g. 1250.00)"
        )
    if "." in digits and len(digits.split(".", 1)[1]) > 2:
        raise ValidationError(field, f"'{raw}' has more than 2 decimal places")
    try:
        value = Decimal(digits)
    except InvalidOperation as exc:  # pragma: no cover - the regexes make this unreachable
        raise ValidationError(field, f"'{raw}' is not an amount") from exc
    if negative:
        value = -value
    # one rule, said the same way for -5 and for 0: "more than 0" where 0 is refused too
    floor = "0 or more" if allow_zero else "more than 0"
    if value < 0 and not allow_negative:
        raise ValidationError(field, f"'{raw}' is negative; it must be {floor}")
    if value == 0 and not allow_zero:
        raise ValidationError(field, f"'{raw}' is 0; it must be more than 0")
    if abs(value) > maximum:
        raise ValidationError(field, f"'{raw}' is too large (at most {format_amount(maximum)})")
    return value.quantize(CENT)


def round_cents(value: Decimal) -> Decimal:
    """Round once, half up, to the cent."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def format_amount(value: Decimal, *, grouping: bool = True) -> str:
    """Show an amount with two places and thousands separators: ``1,250.00``."""
    value = Decimal(value).quantize(CENT)
    return f"{value:,.2f}" if grouping else f"{value:.2f}"


def parse_locale(text: str, field: str = "locale") -> str:
    """A locale Babel knows (``de_DE``; ``de-DE`` is accepted), or empty for the neutral form."""
    raw = (text or "").strip().replace("-", "_")
    if not raw:
        return ""
    from babel import Locale, UnknownLocaleError

    try:
        return str(Locale.parse(raw))
    except (ValueError, TypeError, UnknownLocaleError):
        raise ValidationError(
            field, f"'{text.strip()}' is not a locale (e.g. de_DE, en_GB, fr_FR)"
        ) from None


def client_money(value: Decimal, currency: str, locale: str = "") -> str:
    """An amount as a client reads it: ``2.160,00 €`` in ``de_DE``; ``2,160.00 EUR`` with no locale.

    Babel's CLDR patterns; always two places (an invoice amount is never rounded to the unit
    a locale usually shows). Spaces in the pattern stay non-breaking, so a mail client never
    splits an amount from its currency.
    """
    value = Decimal(value).quantize(CENT)
    if not locale:
        return f"{format_amount(value)} {currency}".strip()
    from babel.numbers import format_currency

    return format_currency(value, currency, locale=locale, currency_digits=False,
                           format_type="standard")  # fmt: skip


def split_evenly(total: Decimal, parts: int) -> list[Decimal]:
    """Split ``total`` into ``parts`` equal amounts; the remainder cents go on the last part."""
    if parts < 1:
        raise ValidationError("parts", "must be at least 1")
    cents = int((total * 100).to_integral_value())
    base = cents // parts if cents >= 0 else -((-cents) // parts)
    amounts = [Decimal(base) / 100 for _ in range(parts)]
    amounts[-1] = Decimal(cents - base * (parts - 1)) / 100
    return [a.quantize(CENT) for a in amounts]


def split_by_percentages(total: Decimal, percentages: list[Decimal]) -> list[Decimal]:
    """Split ``total`` by phase percentages (they must add to 100); remainder on the last."""
    if not percentages:
        raise ValidationError("phases", "give at least one percentage")
    if sum(percentages) != Decimal(100):
        raise ValidationError("phases", f"percentages add up to {sum(percentages)}, not 100")
    cents = int((total * 100).to_integral_value())
    parts = [int(Decimal(cents) * p / 100) for p in percentages[:-1]]
    parts.append(cents - sum(parts))
    return [(Decimal(c) / 100).quantize(CENT) for c in parts]
