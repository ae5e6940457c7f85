"""The files and columns of the exchange format, and how values are matched and written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any

from tui.domain.model import (
    ChangeOrder,
    ChaseEvent,
    Client,
    Contact,
    Contract,
    Expense,
    Hold,
    Milestone,
    Payment,
    Record,
)
from tui.store.schema import MOVED_TO_CONFIG

Progress = Callable[[int, int], None]
Key = tuple[Any, ...]

_REFS3 = ("client", "contract", "seq")


@dataclass(frozen=True)
class _Spec:
    """One file of the format."""

    file: str
    table: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    refs: tuple[str, ...] = ()
    key: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    record: type[Record] | None = None
    label: tuple[str, str] = ("row", "rows")
    #: the date column used to sort exports (after the parents)
    sort_date: str = ""

    @property
    def fields(self) -> tuple[str, ...]:
        """The record's own columns (the DuckDB columns besides id and the parent id)."""
        return tuple(c for c in self.columns if c not in self.refs)

    @property
    def text_columns(self) -> tuple[str, ...]:
        """The columns holding free text, written with a formula guard (see :func:`guard_text`)."""
        return tuple(c for c in self.columns if c in TEXT_COLUMNS)

    @property
    def parent_column(self) -> str:
        """The foreign key column of the parent (``client_id``, ``contract_id``, ``milestone_id``)."""
        return {1: "client_id", 2: "contract_id", 3: "milestone_id"}.get(len(self.refs), "")


CLIENTS = _Spec(
    "clients.csv", "clients", Client.FIELDS, ("name",), key=("name",), record=Client,
    label=("client", "clients"),
)  # fmt: skip
CONTACTS = _Spec(
    "contacts.csv", "contacts", ("client", *Contact.FIELDS), ("client", "name", "role"),
    refs=("client",), key=("client", "name"), record=Contact, label=("contact", "contacts"),
)  # fmt: skip
CONTRACTS = _Spec(
    "contracts.csv", "contracts", ("client", *Contract.FIELDS),
    ("client", "title", "currency", "total_fee"), refs=("client",), key=("client", "title"),
    dates=("start_date", "end_date", "signed_on"), record=Contract, label=("contract", "contracts"),
)  # fmt: skip
MILESTONES = _Spec(
    "milestones.csv", "milestones", ("client", "contract", *Milestone.FIELDS),
    ("client", "contract", "seq", "title", "amount"), refs=("client", "contract"),
    key=("client", "contract", "seq"),
    dates=("due_date", "invoiced_on", "delivered_on", "promised_on"),
    record=Milestone, label=("milestone", "milestones"),
)  # fmt: skip
PAYMENTS = _Spec(
    "payments.csv", "payments", (*_REFS3, *Payment.FIELDS), (*_REFS3, "amount", "received_on"),
    refs=_REFS3, dates=("received_on",), record=Payment, label=("payment", "payments"),
    sort_date="received_on",
)  # fmt: skip
CHASE = _Spec(
    "chase.csv", "chase_events", (*_REFS3, *ChaseEvent.FIELDS), (*_REFS3, "date", "step"),
    refs=_REFS3, dates=("date",), record=ChaseEvent, label=("chase event", "chase events"),
    sort_date="date",
)  # fmt: skip
HOLDS = _Spec(
    "holds.csv", "holds", (*_REFS3, *Hold.FIELDS), (*_REFS3, "reason", "until"), refs=_REFS3,
    dates=("until", "released_on"), record=Hold, label=("hold", "holds"), sort_date="until",
)  # fmt: skip
CHANGE_ORDERS = _Spec(
    "change_orders.csv", "change_orders", ("client", "contract", *ChangeOrder.FIELDS),
    ("client", "contract", "date", "description", "amount_delta"), refs=("client", "contract"),
    dates=("date",), record=ChangeOrder, label=("change order", "change orders"), sort_date="date",
)  # fmt: skip
FEE_CLAIMS = _Spec(
    "fee_claims.csv", "fee_claims", (*_REFS3, "claimed_on", "amount"),
    (*_REFS3, "claimed_on", "amount"), refs=_REFS3, key=_REFS3, dates=("claimed_on",),
    label=("fee claim", "fee claims"),
)  # fmt: skip
EXPENSES = _Spec(
    "expenses.csv", "expenses", Expense.FIELDS, ("name", "amount", "currency", "cadence", "next_date"),
    dates=("next_date", "end_date"), record=Expense, label=("expense", "expenses"),
)  # fmt: skip
SETTINGS = _Spec(
    "settings.csv", "settings", ("key", "value"), ("key", "value"), key=("key",),
    label=("setting", "settings"),
)  # fmt: skip
REFERENCE_RATES = _Spec(
    "reference_rates.csv", "reference_rates", ("preset", "valid_from", "rate"),
    ("preset", "valid_from", "rate"), key=("preset", "valid_from"), dates=("valid_from",),
    label=("reference rate", "reference rates"),
)  # fmt: skip
TEMPLATES = _Spec(
    "templates.csv", "message_templates", ("step", "subject", "body"), ("step", "subject", "body"),
    key=("step",), label=("message template", "message templates"),
)  # fmt: skip

#: Every file, in the order they are checked, written and exported (parents first).
SPECS: tuple[_Spec, ...] = (
    CLIENTS, CONTACTS, CONTRACTS, MILESTONES, PAYMENTS, CHASE, HOLDS, CHANGE_ORDERS,
    FEE_CLAIMS, EXPENSES, SETTINGS, REFERENCE_RATES, TEMPLATES,
)  # fmt: skip
_BY_FILE = {s.file: s for s in SPECS}
_FX_LABEL = ("exchange rate", "exchange rates")

#: Columns of free text a person typed (names, notes, titles, references, templates, ...),
#: in whichever file they appear. Amounts, dates, numbers, codes and choices are never among
#: them, so ``-250.00`` stays a number.
TEXT_COLUMNS = frozenset(
    {
        "client", "contract", "name", "email", "phone", "address", "notes", "feedback", "title",
        "red_flags", "invoice_no", "method", "reference", "contact", "note", "message",
        "reason", "description", "subject", "body", "promise_note", "category",
    }
)  # fmt: skip
#: settings whose value is free text (the ``value`` of their row is guarded like a text column)
TEXT_SETTINGS = frozenset({"business_name", "signature"})
#: Settings kept in the user's own config file, never in a book: refused by import, never
#: exported (an imported settings.csv must not point the next send at another server).
CONFIG_KEYS: tuple[str, ...] = MOVED_TO_CONFIG
MAIL_KEYS = frozenset(k for k in CONFIG_KEYS if k.startswith("smtp_"))


# ---- values ------------------------------------------------------------------------------


#: what makes a spreadsheet read a cell as a formula (or hide its start)
_FORMULA_START = frozenset("=+-@\t\r")


def guard_text(text: str) -> str:
    """Text as written to a cell: a leading ``= + - @`` TAB, CR or ``'`` gets one ``'`` before it.

    Spreadsheets then show the text instead of running it as a formula; the ``'`` before a
    leading ``'`` keeps the rule reversible (:func:`unguard_text`).
    """
    if text and (text[0] in _FORMULA_START or text[0] == "'"):
        return "'" + text
    return text


def unguard_text(cell: str) -> str:
    """A text cell as read: exactly one leading ``'`` is taken off when :func:`guard_text` put it."""
    if len(cell) > 1 and cell[0] == "'" and (cell[1] in _FORMULA_START or cell[1] == "'"):
        return cell[1:]
    return cell


def _norm(text: str) -> str:
    """A name as matched: trimmed and case-folded like SQL ``lower()``."""
    return text.strip().lower()


def _plain(v: Any) -> Any:
    return v.value if isinstance(v, Enum) else v


def _fmt_decimal(value: Decimal) -> str:
    """A decimal with at least two places and no trailing zeros beyond them: 1250.00, 2.125."""
    text = format(value.normalize(), "f")
    if "." not in text or len(text.split(".", 1)[1]) < 2:
        text = format(value.quantize(Decimal("0.01")), "f")
    return text


def _cell(value: Any) -> str:
    """A stored value as exchange-format text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return _fmt_decimal(value)
    if isinstance(value, Enum):
        return str(value.value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
