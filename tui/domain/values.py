"""Value types and the parsers of every kind of field a person types."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TypeVar

from tui.domain.errors import ValidationError, is_control, printable


class ContactRole(StrEnum):
    """Who a contact is at the client."""

    MAIN = "main"  # day-to-day contact
    PAYER = "payer"  # releases payments
    OWNER = "owner"  # top person to escalate to


class WorkAgain(StrEnum):
    """Whether the freelancer would work with the client again."""

    YES = "yes"
    NO = "no"
    UNDECIDED = "undecided"


class ContractStatus(StrEnum):
    """Life of a contract."""

    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class MilestoneStatus(StrEnum):
    """Life of a milestone; paid/unpaid is never stored, it follows from payments."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DELIVERED = "delivered"
    INVOICED = "invoiced"
    DISPUTED = "disputed"
    WRITTEN_OFF = "written_off"
    CANCELLED = "cancelled"


#: Milestones in these states owe nothing.
CLOSED_MILESTONE_STATUSES = frozenset({MilestoneStatus.CANCELLED, MilestoneStatus.WRITTEN_OFF})


class LateFeeKind(StrEnum):
    """Late-fee rules of SPEC 4.3."""

    NONE = "none"
    FLAT = "flat"
    PERCENT = "percent"
    MONTHLY = "monthly"
    ANNUAL = "annual"
    STATUTORY = "statutory"


class StatutoryPreset(StrEnum):
    """Late-payment law presets."""

    UK = "uk"
    EU = "eu"


class Cadence(StrEnum):
    """How often an expense recurs."""

    ONCE = "once"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"


class ChaseStep(StrEnum):
    """Steps of the chase ladder, in order (grace and waiting are states, never logged).

    ``upcoming`` is the optional friendly note before the due date (``pre_due_days``); it is
    logged like any step but never required for the later ones.
    """

    UPCOMING = "upcoming"
    REMINDER = "reminder"
    FIRM = "firm"
    ESCALATE = "escalate"
    LEGAL = "legal"


class Channel(StrEnum):
    """How a chase step was made."""

    EMAIL = "email"
    PHONE = "phone"
    LETTER = "letter"
    MESSAGE = "message"
    OTHER = "other"


class ChangeOrderStatus(StrEnum):
    """A change order is proposed, then accepted (adds milestones) or rejected."""

    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


E = TypeVar("E", bound=StrEnum)


def parse_enum(enum: type[E], text: str, field: str, *, default: E | None = None) -> E:
    """Parse one of an enum's values (case-insensitive), listing the choices when wrong."""
    raw = (text or "").strip().lower().replace("-", "_").replace(" ", "_")
    if raw == "" and default is not None:
        return default
    try:
        return enum(raw)
    except ValueError:
        choices = ", ".join(e.value for e in enum)
        shown = (text or "").strip()
        raise ValidationError(field, f"'{shown}' is not one of: {choices}") from None


# ISO 4217 codes milepay knows by name; any other three capital letters are accepted too,
# since new and local currencies appear, but not lower-case words or numbers.
COMMON_CURRENCIES = [
    "EUR",
    "USD",
    "GBP",
    "CHF",
    "JPY",
    "CAD",
    "AUD",
    "NZD",
    "SEK",
    "NOK",
    "DKK",
    "PLN",
    "CZK",
    "HUF",
    "RON",
    "BGN",
    "INR",
    "CNY",
    "HKD",
    "SGD",
    "ZAR",
    "BRL",
    "MXN",
    "ILS",
    "TRY",
    "AED",
]


def parse_currency(text: str, field: str = "currency", *, default: str | None = None) -> str:
    """Parse an ISO 4217 currency code: three letters, returned upper-case."""
    raw = (text or "").strip()
    if raw == "" and default is not None:
        return default
    if not re.fullmatch(r"[A-Za-z]{3}", raw):
        raise ValidationError(field, f"'{raw}' is not a currency code (three letters, e.g. EUR)")
    code = raw.upper()
    if code not in _known_currencies():
        raise ValidationError(
            field, f"'{raw}' is not an ISO 4217 currency code (e.g. EUR, GBP, USD)"
        )
    return code


def _known_currencies() -> frozenset[str]:
    """Every ISO 4217 code Babel's CLDR data knows (current and historic): a typo like EUT fails."""
    global _CURRENCIES
    if _CURRENCIES is None:
        from babel.numbers import list_currencies

        _CURRENCIES = frozenset(list_currencies())
    return _CURRENCIES


_CURRENCIES: frozenset[str] | None = None


def refuse_foreign_digits(raw: str, field: str) -> None:
    """Refuse digits other than ASCII 0-9 (``١٢``, ``１２``, ``²``), which ``int()`` accepts."""
    for ch in raw:
        if ch not in "0123456789" and (ch.isdigit() or ch.isnumeric()):
            raise ValidationError(
                field, f"'{raw}' has a digit other than 0-9 ({ch}); type the number with 0-9"
            )


def parse_percent(
    text: str | Decimal, field: str = "percent", *, maximum: Decimal = Decimal(1000)
) -> Decimal:
    """Parse a percentage such as ``8``, ``2.5`` or ``2.5%`` (0 to ``maximum``, 4 decimals)."""
    raw = str(text).strip().rstrip("%").strip()
    if raw == "":
        raise ValidationError(field, "is required (a percentage such as 2.5)")
    refuse_foreign_digits(raw, field)
    if not re.fullmatch(r"[0-9]+(\.[0-9]{1,4})?", raw):
        raise ValidationError(field, f"'{text}' is not a percentage (e.g. 2.5, at most 4 decimals)")
    try:
        value = Decimal(raw)
    except InvalidOperation:  # pragma: no cover
        raise ValidationError(field, f"'{text}' is not a percentage") from None
    if value > maximum:
        raise ValidationError(field, f"'{text}' is more than {maximum}%")
    return value


def parse_int(
    text: str | int, field: str, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """Parse a whole number (ASCII digits, at most 9 of them) within bounds."""
    raw = str(text).strip()
    refuse_foreign_digits(raw, field)
    if not re.fullmatch(r"-?[0-9]{1,9}", raw):
        raise ValidationError(field, f"'{raw}' is not a whole number")
    value = int(raw)
    if minimum is not None and value < minimum:
        raise ValidationError(field, f"{value} is less than {minimum}")
    if maximum is not None and value > maximum:
        raise ValidationError(field, f"{value} is more than {maximum}")
    return value


def parse_yes_no(text: str, field: str, *, default: bool = False) -> bool:
    """Parse yes/no (also true/false, 1/0)."""
    raw = (text or "").strip().lower()
    if raw == "":
        return default
    if raw in ("yes", "y", "true", "1"):
        return True
    if raw in ("no", "n", "false", "0"):
        return False
    raise ValidationError(field, f"'{text}' is not yes or no")


#: Fields whose text may run over several lines (``\n`` and TAB allowed); every other text
#: field is one line. The one rule :func:`parse_text` applies, keyed by the field's name so the
#: same field is treated alike in forms, CSV files and settings.
MULTILINE_FIELDS = frozenset(
    {
        "address",
        "body",
        "description",
        "feedback",
        "message",
        "note",
        "notes",
        "red_flags",
        "signature",
    }
)

#: characters that break a line: newline, CR, vertical tab, form feed, NEL, and the Unicode
#: line and paragraph separators
_LINE_BREAKS = "\n\r\u2028\u2029\x85\x0b\x0c"


def check_characters(text: str, field: str, *, multiline: bool) -> None:
    """Refuse control characters, bidi overrides/isolates and text that is not valid UTF-8.

    One-line text also refuses line breaks and TAB; multi-line text allows ``\\n`` and TAB
    (normalise ``\\r\\n`` first). The message names the field and the first such character.
    """
    for ch in text:
        if "\ud800" <= ch <= "\udfff":
            raise ValidationError(field, "contains bytes that are not UTF-8 text; retype it")
        if multiline and ch in "\n\t":
            continue
        if ch in _LINE_BREAKS and not multiline:
            raise ValidationError(field, "contains a line break; it must be one line")
        if is_control(ch) or ch in _LINE_BREAKS:
            raise ValidationError(
                field, f"contains a control character ({printable(ch)}); remove it"
            )


def parse_text(
    text: str | None,
    field: str,
    *,
    required: bool = False,
    max_length: int = 2000,
    multiline: bool | None = None,
) -> str:
    """Clean free text: strip it, refuse control characters and overlong input.

    ``multiline`` None means "as the field's name says" (:data:`MULTILINE_FIELDS`). Multi-line
    text has ``\\r\\n`` turned into ``\\n``.
    """
    if multiline is None:
        multiline = field in MULTILINE_FIELDS
    raw = (text or "").strip()
    if multiline:
        raw = raw.replace("\r\n", "\n")
    if required and raw == "":
        raise ValidationError(field, "is required")
    check_characters(raw, field, multiline=multiline)
    if len(raw) > max_length:
        raise ValidationError(field, f"is too long ({len(raw)} characters, at most {max_length})")
    return raw


def parse_file_name(text: str | None, field: str) -> str:
    """A file path as typed (one line, no control characters), or empty.

    Only the text is checked here (the domain does no I/O): the store checks that the file
    exists and can be read when the value is set or changed (``tui.store.files.readable_file``).
    """
    return parse_text(text, field, max_length=1000)


def parse_email(text: str | None, field: str = "email") -> str:
    """An e-mail address, or empty; refuses text that cannot be an address."""
    raw = parse_text(text, field, max_length=254)
    if not raw:
        return raw
    from email_validator import EmailNotValidError, validate_email

    try:
        # syntax only: no DNS lookup (the app works offline); what saves can always be mailed
        checked = validate_email(raw, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError(field, f"'{raw}' is not an e-mail address: {exc}") from None
    return checked.normalized
