"""The records of the book (SPEC section 2), each parsed and checked from what people type.

Every ``parse`` classmethod takes a mapping of field name to text (a form or a CSV row),
checks each field with the domain parsers and raises :class:`ValidationError` naming the
first wrong field. ``parse_all`` variants collect every error for the CSV import.
Records hold their own attributes only; parents are referred to by id in the store.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any, ClassVar

from tui.domain.dates import check_due_after_invoice, parse_date, today
from tui.domain.errors import ValidationError
from tui.domain.money import MAX_AMOUNT, parse_amount, parse_locale
from tui.domain.values import (
    Cadence,
    ChangeOrderStatus,
    Channel,
    ChaseStep,
    ContactRole,
    ContractStatus,
    LateFeeKind,
    MilestoneStatus,
    StatutoryPreset,
    WorkAgain,
    parse_currency,
    parse_email,
    parse_enum,
    parse_file_name,
    parse_int,
    parse_percent,
    parse_text,
    parse_yes_no,
    refuse_foreign_digits,
)

Fields = Mapping[str, Any]


def _get(values: Fields, name: str) -> str:
    """A field's text ('' when missing or None)."""
    v = values.get(name)
    if v is None:
        return ""
    if isinstance(v, dt.date | Decimal | int) and not isinstance(v, bool):
        return str(v)
    if isinstance(v, bool):
        return "yes" if v else "no"
    return str(v)


def _opt_date(values: Fields, name: str, today_: dt.date | None) -> dt.date | None:
    raw = _get(values, name).strip()
    return parse_date(raw, name, today_=today_) if raw else None


def _date(values: Fields, name: str, today_: dt.date | None) -> dt.date:
    return parse_date(_get(values, name), name, today_=today_)


class Record:
    """Shared behaviour of book records."""

    #: the CSV/form field names in order (the same names as the DuckDB columns)
    FIELDS: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def parse(cls, values: Fields, *, today_: dt.date | None = None) -> Record:  # pragma: no cover
        raise NotImplementedError

    @classmethod
    def collect_errors(
        cls, values: Fields, *, today_: dt.date | None = None
    ) -> list[ValidationError]:
        """Every wrong field of ``values`` (not just the first), for whole-file reports."""
        errors: list[ValidationError] = []
        for name in cls.FIELDS:
            try:
                cls.parse_field(name, values, today_)
            except ValidationError as exc:
                errors.append(exc)
        if not errors:
            try:
                cls.parse(values, today_=today_)
            except ValidationError as exc:
                errors.append(exc)
        return errors

    @classmethod
    def parse_field(cls, name: str, values: Fields, today_: dt.date | None) -> Any:
        """Parse a single field (used for as-you-type validation in forms)."""
        parser = cls._parsers().get(name)
        return parser(values, today_) if parser else None

    @classmethod
    def _parsers(cls) -> dict[str, Callable[[Fields, dt.date | None], Any]]:  # pragma: no cover
        return {}

    def as_row(self) -> dict[str, Any]:
        """The record as a column -> value dict for the store."""
        return {f.name: getattr(self, f.name) for f in fields(self)}  # type: ignore[arg-type]


def _build(cls: type[Record], values: Fields, today_: dt.date | None) -> dict[str, Any]:
    return {name: p(values, today_) for name, p in cls._parsers().items()}


@dataclass(frozen=True)
class Client(Record):
    """A client of the freelancer."""

    name: str
    email: str = ""
    phone: str = ""
    address: str = ""
    notes: str = ""
    work_again: WorkAgain = WorkAgain.UNDECIDED
    rating: int | None = None
    feedback: str = ""
    archived: bool = False

    FIELDS: ClassVar[tuple[str, ...]] = (
        "name",
        "email",
        "phone",
        "address",
        "notes",
        "work_again",
        "rating",
        "feedback",
        "archived",
    )

    @classmethod
    def _parsers(cls) -> dict[str, Callable[[Fields, dt.date | None], Any]]:
        return {
            "name": lambda v, t: parse_text(_get(v, "name"), "name", required=True, max_length=200),
            "email": lambda v, t: parse_email(_get(v, "email")),
            "phone": lambda v, t: parse_text(_get(v, "phone"), "phone", max_length=60),
            "address": lambda v, t: parse_text(_get(v, "address"), "address", max_length=500),
            "notes": lambda v, t: parse_text(_get(v, "notes"), "notes"),
            "work_again": lambda v, t: parse_enum(
                WorkAgain, _get(v, "work_again"), "work_again", default=WorkAgain.UNDECIDED
            ),
            "rating": lambda v, t: (
                parse_int(_get(v, "rating"), "rating", minimum=1, maximum=5)
                if _get(v, "rating").strip()
                else None
            ),
            "feedback": lambda v, t: parse_text(_get(v, "feedback"), "feedback"),
            "archived": lambda v, t: parse_yes_no(_get(v, "archived"), "archived"),
        }

    @classmethod
    def parse(cls, values: Fields, *, today_: dt.date | None = None) -> Client:
        return cls(**_build(cls, values, today_))


@dataclass(frozen=True)
class Contact(Record):
    """A person at a client, in one of three roles."""

    name: str
    role: ContactRole = ContactRole.MAIN
    email: str = ""
    phone: str = ""

    FIELDS: ClassVar[tuple[str, ...]] = ("name", "role", "email", "phone")

    @classmethod
    def _parsers(cls) -> dict[str, Callable[[Fields, dt.date | None], Any]]:
        return {
            "name": lambda v, t: parse_text(_get(v, "name"), "name", required=True, max_length=200),
            "role": lambda v, t: parse_enum(ContactRole, _get(v, "role"), "role"),
            "email": lambda v, t: parse_email(_get(v, "email")),
            "phone": lambda v, t: parse_text(_get(v, "phone"), "phone", max_length=60),
        }

    @classmethod
    def parse(cls, values: Fields, *, today_: dt.date | None = None) -> Contact:
        return cls(**_build(cls, values, today_))


@dataclass(frozen=True)
class Contract(Record):
    """A contract with a client, paid in milestones."""

    title: str
    currency: str
    total_fee: Decimal
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    signed_on: dt.date | None = None
    status: ContractStatus = ContractStatus.ACTIVE
    payment_terms_days: int = 30
    late_fee_kind: LateFeeKind = LateFeeKind.NONE
    #: flat/fixed amount for `flat`; percent for `percent`, `monthly`, `annual`;
    #: the margin over the reference rate for `statutory` (default 8)
    late_fee_value: Decimal = Decimal("0")
    #: fixed compensation added once (for `annual`)
    late_fee_fixed: Decimal = Decimal("0")
    late_fee_preset: StatutoryPreset | None = None
    grace_days: int = 0
    acceptance_days: int = 14
    red_flags: str = ""
    notes: str = ""
    archived: bool = False
    #: the signed contract file (a path), attached to escalation and legal messages
    document: str = ""

    FIELDS: ClassVar[tuple[str, ...]] = (
        "title",
        "currency",
        "total_fee",
        "start_date",
        "end_date",
        "signed_on",
        "status",
        "payment_terms_days",
        "late_fee_kind",
        "late_fee_value",
        "late_fee_fixed",
        "late_fee_preset",
        "grace_days",
        "acceptance_days",
        "red_flags",
        "notes",
        "archived",
        "document",
    )

    @classmethod
    def _parsers(cls) -> dict[str, Callable[[Fields, dt.date | None], Any]]:
        def late_value(v: Fields, t: dt.date | None) -> Decimal:
            kind = parse_enum(
                LateFeeKind, _get(v, "late_fee_kind"), "late_fee_kind", default=LateFeeKind.NONE
            )
            raw = _get(v, "late_fee_value").strip()
            if kind is LateFeeKind.NONE:
                return Decimal("0") if not raw else parse_percent(raw, "late_fee_value")
            if kind is LateFeeKind.FLAT:
                return parse_amount(raw, "late_fee_value", allow_zero=False)
            if kind is LateFeeKind.STATUTORY and raw == "":
                return Decimal("8")
            return parse_percent(raw, "late_fee_value", maximum=Decimal(100))

        def preset(v: Fields, t: dt.date | None) -> StatutoryPreset | None:
            raw = _get(v, "late_fee_preset").strip()
            kind = _get(v, "late_fee_kind").strip().lower()
            if raw == "":
                if kind == LateFeeKind.STATUTORY:
                    cur = _get(v, "currency").strip().upper()
                    return StatutoryPreset.UK if cur == "GBP" else StatutoryPreset.EU
                return None
            return parse_enum(StatutoryPreset, raw, "late_fee_preset")

        return {
            "title": lambda v, t: parse_text(
                _get(v, "title"), "title", required=True, max_length=200
            ),
            "currency": lambda v, t: parse_currency(_get(v, "currency")),
            "total_fee": lambda v, t: parse_amount(_get(v, "total_fee"), "total_fee"),
            "start_date": lambda v, t: _opt_date(v, "start_date", t),
            "end_date": lambda v, t: _opt_date(v, "end_date", t),
            "signed_on": lambda v, t: _opt_date(v, "signed_on", t),
            "status": lambda v, t: parse_enum(
                ContractStatus, _get(v, "status"), "status", default=ContractStatus.ACTIVE
            ),
            "payment_terms_days": lambda v, t: _int_default(v, "payment_terms_days", 30, 0, 365),
            "late_fee_kind": lambda v, t: parse_enum(
                LateFeeKind, _get(v, "late_fee_kind"), "late_fee_kind", default=LateFeeKind.NONE
            ),
            "late_fee_value": late_value,
            "late_fee_fixed": lambda v, t: (
                parse_amount(_get(v, "late_fee_fixed"), "late_fee_fixed")
                if _get(v, "late_fee_fixed").strip()
                else Decimal("0.00")
            ),
            "late_fee_preset": preset,
            "grace_days": lambda v, t: _int_default(v, "grace_days", 0, 0, 365),
            "acceptance_days": lambda v, t: _int_default(v, "acceptance_days", 14, 0, 365),
            "red_flags": lambda v, t: parse_text(_get(v, "red_flags"), "red_flags"),
            "notes": lambda v, t: parse_text(_get(v, "notes"), "notes"),
            "archived": lambda v, t: parse_yes_no(_get(v, "archived"), "archived"),
            "document": lambda v, t: parse_file_name(_get(v, "document"), "document"),
        }

    @classmethod
    def parse(cls, values: Fields, *, today_: dt.date | None = None) -> Contract:
        c = cls(**_build(cls, values, today_))
        if c.start_date and c.end_date and c.end_date < c.start_date:
            raise ValidationError(
                "end_date", f"{c.end_date} is before the start date {c.start_date}"
            )
        return c


def _int_default(v: Fields, name: str, default: int, lo: int, hi: int) -> int:
    raw = _get(v, name).strip()
    return default if raw == "" else parse_int(raw, name, minimum=lo, maximum=hi)


@dataclass(frozen=True)
class Milestone(Record):
    """A part of a contract's fee, due on a date."""

    seq: int
    title: str
    amount: Decimal
    due_date: dt.date
    status: MilestoneStatus = MilestoneStatus.PLANNED
    progress: int = 0
    invoice_no: str = ""
    invoiced_on: dt.date | None = None
    delivered_on: dt.date | None = None
    promised_on: dt.date | None = None
    promise_note: str = ""
    #: the invoice file (a path, e.g. the PDF the invoicing tool made), attached to chase messages
    invoice_file: str = ""

    FIELDS: ClassVar[tuple[str, ...]] = (
        "seq",
        "title",
        "amount",
        "due_date",
        "status",
        "progress",
        "invoice_no",
        "invoiced_on",
        "delivered_on",
        "promised_on",
        "promise_note",
        "invoice_file",
    )

    @classmethod
    def _parsers(cls) -> dict[str, Callable[[Fields, dt.date | None], Any]]:
        return {
            "seq": lambda v, t: parse_int(_get(v, "seq"), "seq", minimum=0, maximum=9999),
            "title": lambda v, t: parse_text(
                _get(v, "title"), "title", required=True, max_length=200
            ),
            "amount": lambda v, t: parse_amount(_get(v, "amount"), "amount", allow_zero=False),
            "due_date": lambda v, t: _date(v, "due_date", t),
            "status": lambda v, t: parse_enum(
                MilestoneStatus, _get(v, "status"), "status", default=MilestoneStatus.PLANNED
            ),
            "progress": lambda v, t: _int_default(v, "progress", 0, 0, 100),
            "invoice_no": lambda v, t: parse_text(
                _get(v, "invoice_no"), "invoice_no", max_length=60
            ),
            "invoiced_on": lambda v, t: _opt_date(v, "invoiced_on", t),
            "delivered_on": lambda v, t: _opt_date(v, "delivered_on", t),
            "promised_on": lambda v, t: _opt_date(v, "promised_on", t),
            "promise_note": lambda v, t: parse_text(
                _get(v, "promise_note"), "promise_note", max_length=500
            ),
            "invoice_file": lambda v, t: parse_file_name(_get(v, "invoice_file"), "invoice_file"),
        }

    @classmethod
    def parse(cls, values: Fields, *, today_: dt.date | None = None) -> Milestone:
        m = cls(**_build(cls, values, today_))
        if (
            m.status in (MilestoneStatus.INVOICED, MilestoneStatus.DISPUTED)
            and m.invoiced_on is None
        ):
            raise ValidationError(
                "invoiced_on",
                f"{'an' if m.status is MilestoneStatus.INVOICED else 'a'} {m.status.value} "
                "milestone needs its invoice date",
            )
        # the due date is when payment is due (SPEC 4): never before the invoice asking for it
        check_due_after_invoice(m.invoiced_on, m.due_date)
        if m.promise_note and m.promised_on is None:
            raise ValidationError("promised_on", "a promise note needs the promised date")
        return m


@dataclass(frozen=True)
class Payment(Record):
    """Money received against one milestone."""

    amount: Decimal
    received_on: dt.date
    method: str = ""
    reference: str = ""

    FIELDS: ClassVar[tuple[str, ...]] = ("amount", "received_on", "method", "reference")

    @classmethod
    def _parsers(cls) -> dict[str, Callable[[Fields, dt.date | None], Any]]:
        return {
            "amount": lambda v, t: parse_amount(_get(v, "amount"), "amount", allow_zero=False),
            "received_on": lambda v, t: _date(v, "received_on", t),
            "method": lambda v, t: parse_text(_get(v, "method"), "method", max_length=60),
            "reference": lambda v, t: parse_text(_get(v, "reference"), "reference", max_length=200),
        }

    @classmethod
    def parse(cls, values: Fields, *, today_: dt.date | None = None) -> Payment:
        return cls(**_build(cls, values, today_))


@dataclass(frozen=True)
class ChaseEvent(Record):
    """A step of the chase ladder taken for a milestone."""

    date: dt.date
    step: ChaseStep
    channel: Channel = Channel.EMAIL
    contact: str = ""
    note: str = ""
    message: str = ""

    FIELDS: ClassVar[tuple[str, ...]] = ("date", "step", "channel", "contact", "note", "message")

    @classmethod
    def _parsers(cls) -> dict[str, Callable[[Fields, dt.date | None], Any]]:
        return {
            "date": lambda v, t: _date(v, "date", t),
            "step": lambda v, t: parse_enum(ChaseStep, _get(v, "step"), "step"),
            "channel": lambda v, t: parse_enum(
                Channel, _get(v, "channel"), "channel", default=Channel.EMAIL
            ),
            "contact": lambda v, t: parse_text(_get(v, "contact"), "contact", max_length=200),
            "note": lambda v, t: parse_text(_get(v, "note"), "note"),
            "message": lambda v, t: parse_text(_get(v, "message"), "message", max_length=20000),
        }

    @classmethod
    def parse(cls, values: Fields, *, today_: dt.date | None = None) -> ChaseEvent:
        return cls(**_build(cls, values, today_))


@dataclass(frozen=True)
class Hold(Record):
    """A milestone taken out of the chase queue until a date (dispute, payment plan)."""

    reason: str
    until: dt.date
    released_on: dt.date | None = None

    FIELDS: ClassVar[tuple[str, ...]] = ("reason", "until", "released_on")

    @classmethod
    def _parsers(cls) -> dict[str, Callable[[Fields, dt.date | None], Any]]:
        return {
            "reason": lambda v, t: parse_text(_get(v, "reason"), "reason", required=True),
            "until": lambda v, t: _date(v, "until", t),
            "released_on": lambda v, t: _opt_date(v, "released_on", t),
        }

    @classmethod
    def parse(cls, values: Fields, *, today_: dt.date | None = None) -> Hold:
        return cls(**_build(cls, values, today_))


@dataclass(frozen=True)
class ChangeOrder(Record):
    """Extra scope on a contract, priced; accepting it adds milestones."""

    date: dt.date
    description: str
    amount_delta: Decimal
    status: ChangeOrderStatus = ChangeOrderStatus.PROPOSED

    FIELDS: ClassVar[tuple[str, ...]] = ("date", "description", "amount_delta", "status")

    @classmethod
    def _parsers(cls) -> dict[str, Callable[[Fields, dt.date | None], Any]]:
        return {
            "date": lambda v, t: _date(v, "date", t),
            "description": lambda v, t: parse_text(
                _get(v, "description"), "description", required=True
            ),
            "amount_delta": lambda v, t: parse_amount(
                _get(v, "amount_delta"), "amount_delta", allow_negative=True
            ),
            "status": lambda v, t: parse_enum(
                ChangeOrderStatus, _get(v, "status"), "status", default=ChangeOrderStatus.PROPOSED
            ),
        }

    @classmethod
    def parse(cls, values: Fields, *, today_: dt.date | None = None) -> ChangeOrder:
        return cls(**_build(cls, values, today_))


@dataclass(frozen=True)
class Expense(Record):
    """A recurring or one-off outflow for the forecast."""

    name: str
    amount: Decimal
    currency: str
    cadence: Cadence
    next_date: dt.date
    end_date: dt.date | None = None
    #: free text grouping outflows (rent, software, ...); ``tax`` marks a tax payment, which
    #: the forecast's tax reserve counts as paid out of the reserve (SPEC 4.2)
    category: str = ""

    FIELDS: ClassVar[tuple[str, ...]] = (
        "name",
        "amount",
        "currency",
        "cadence",
        "next_date",
        "end_date",
        "category",
    )

    @classmethod
    def _parsers(cls) -> dict[str, Callable[[Fields, dt.date | None], Any]]:
        return {
            "name": lambda v, t: parse_text(_get(v, "name"), "name", required=True, max_length=200),
            "amount": lambda v, t: parse_amount(_get(v, "amount"), "amount", allow_zero=False),
            "currency": lambda v, t: parse_currency(_get(v, "currency")),
            "cadence": lambda v, t: parse_enum(Cadence, _get(v, "cadence"), "cadence"),
            "next_date": lambda v, t: _date(v, "next_date", t),
            "end_date": lambda v, t: _opt_date(v, "end_date", t),
            "category": lambda v, t: parse_text(
                _get(v, "category"), "category", max_length=60
            ).lower(),
        }

    @classmethod
    def parse(cls, values: Fields, *, today_: dt.date | None = None) -> Expense:
        e = cls(**_build(cls, values, today_))
        if e.end_date and e.end_date < e.next_date:
            raise ValidationError("end_date", f"{e.end_date} is before the next date {e.next_date}")
        return e


def parse_fx_rate(text: str, field: str) -> Decimal:
    """An exchange rate: the value of one unit of a currency in the home currency (> 0)."""
    raw = (text or "").strip()
    refuse_foreign_digits(raw, field)
    if not re.fullmatch(r"[0-9]{1,9}(\.[0-9]{1,8})?", raw):
        raise ValidationError(field, f"'{raw}' is not an exchange rate (e.g. 1.17)")
    value = Decimal(raw)
    if value <= 0:
        raise ValidationError(field, "must be more than 0")
    return value


def parse_rate_percent(text: str, field: str) -> Decimal:
    """A reference interest rate in percent (may be 0, never negative here)."""
    return parse_percent(text, field, maximum=Decimal(100))


# ---- settings ---------------------------------------------------------------------------


DEFAULT_TEMPLATES: dict[str, tuple[str, str]] = {
    # one template per step reads right for one milestone and for several ($items, sums);
    # $attachments says what is attached only when something is (tui.mail)
    "upcoming": (
        "Coming up: payment for $milestone ($client)",
        "Dear $contact,\n\nA short note ahead of time: the following falls due soon.\n\n"
        "$items\n\nIf anything is missing for it to be paid on time, please let me know. "
        "$attachments\n\nKind regards,\n$business_name",
    ),
    "reminder": (
        "Payment reminder: $milestone ($client)",
        "Dear $contact,\n\nA friendly reminder that payment for the following is now past "
        "due:\n\n$items\n\nAmount open: $open. $attachments\nCould you let me know when "
        "payment will be made?\n\nKind regards,\n$business_name",
    ),
    "firm": (
        "Overdue payment: $milestone ($client)",
        "Dear $contact,\n\nDespite my reminder, the following is still unpaid:\n\n$items\n\n"
        "Amount open: $open. Late fees accrued so far: $late_fee.\n$work_paused\n$attachments"
        "\n\nRegards,\n$business_name",
    ),
    "escalate": (
        "Unpaid: $milestone for $client, ref. $invoice_no",
        "Dear $contact,\n\nI am writing to you directly because the following remains unpaid "
        "despite reminders:\n\n$items\n\nAmount open: $open. $attachments\nPlease arrange "
        "payment or tell me when it will be made.\n\nRegards,\n$business_name",
    ),
    "legal": (
        "Final notice before legal action: $client, ref. $invoice_no",
        "Dear $contact,\n\nDespite my reminders, the following remains unpaid:\n\n$items\n\n"
        "Invoice amount: $invoice_amount\nPaid: $paid\nOpen: $open\nLate fees accrued: "
        "$late_fee\nTotal claimed: $total_claimed\n\n$statutory_basis\n\nUnless the total "
        "claimed is received within 7 days, I will start proceedings to recover the debt. "
        "$attachments\n\n$business_name",
    ),
}


@dataclass
class Settings:
    """The book's settings (SPEC section 2), typed; stored as key/value text in the book.

    Preferences of one person on one machine (theme, mail server, message folder) are not
    book settings: they are in the config file (``tui.config``).
    """

    home_currency: str = "EUR"
    timezone: str = ""
    business_name: str = ""
    signature: str = ""
    opening_balance: Decimal = Decimal("0.00")
    opening_balance_date: dt.date | None = None
    bucket_edges: tuple[int, int, int] = (30, 60, 90)
    reminder_days: int = 3
    firm_days: int = 10
    escalate_days: int = 21
    legal_days: int = 45
    legal_cost_estimate: Decimal = Decimal("500.00")
    min_gap_days: int = 7
    pre_due_days: int = 0
    tax_reserve_percent: Decimal = Decimal("0")
    tax_reserve_since: dt.date | None = None
    cash_floor: Decimal = Decimal("0.00")
    #: amounts in client-facing messages and statements (``de_DE``: ``2.160,00 €``); empty:
    #: ``2,160.00 EUR``, the neutral form milepay used before locales
    locale: str = ""
    forecast_weeks: int = 12
    forecast_months: int = 6
    fx: dict[str, Decimal] = field(default_factory=dict)

    #: keys stored in the settings table (fx rates and templates live in their own tables)
    KEYS: ClassVar[tuple[str, ...]] = (
        "home_currency",
        "timezone",
        "business_name",
        "signature",
        "opening_balance",
        "opening_balance_date",
        "bucket_edges",
        "reminder_days",
        "firm_days",
        "escalate_days",
        "legal_days",
        "legal_cost_estimate",
        "min_gap_days",
        "pre_due_days",
        "tax_reserve_percent",
        "tax_reserve_since",
        "cash_floor",
        "locale",
        "forecast_weeks",
        "forecast_months",
    )

    @property
    def bucket_names(self) -> list[str]:
        """Bucket labels from the edges: current, 1-30, 31-60, 61-90, 90+."""
        a, b, c = self.bucket_edges
        return ["current", f"1-{a}", f"{a + 1}-{b}", f"{b + 1}-{c}", f"{c}+"]

    def effective_timezone(self) -> str:
        """The configured timezone, else the system's."""
        from tui.domain.dates import system_timezone

        return self.timezone or system_timezone()

    def today(self) -> dt.date:
        """Today in the configured timezone (or MILEPAY_TODAY)."""
        return today(self.effective_timezone())

    def to_text(self) -> dict[str, str]:
        """Each stored key as text."""
        out: dict[str, str] = {}
        for key in self.KEYS:
            v = getattr(self, key)
            if key == "bucket_edges":
                out[key] = ",".join(str(x) for x in v)
            elif isinstance(v, dt.date):
                out[key] = v.isoformat()
            elif v is None:
                out[key] = ""
            else:
                out[key] = str(v)
        return out

    @staticmethod
    def parse_value(key: str, text: str) -> Any:
        """Parse one setting from text, naming the key when wrong."""
        raw = (text or "").strip()
        if key == "home_currency":
            return parse_currency(raw, key)
        if key == "timezone":
            if raw:
                import pendulum

                try:
                    pendulum.timezone(raw)
                except Exception:
                    raise ValidationError(
                        key, f"'{raw}' is not an IANA timezone (e.g. Europe/Berlin)"
                    ) from None
            return raw
        if key in ("business_name", "signature"):
            return parse_text(raw, key)
        if key == "opening_balance":
            return parse_amount(raw or "0", key, allow_negative=True)
        if key == "legal_cost_estimate":
            return parse_amount(raw or "0", key)
        if key == "opening_balance_date":
            return parse_date(raw, key) if raw else None
        if key == "bucket_edges":
            parts = [p.strip() for p in raw.split(",")]
            if len(parts) != 3:
                raise ValidationError(key, f"'{raw}' must be three day counts, e.g. 30,60,90")
            nums = tuple(parse_int(p, key, minimum=1, maximum=3650) for p in parts)
            if not nums[0] < nums[1] < nums[2]:
                raise ValidationError(key, f"'{raw}' must be increasing, e.g. 30,60,90")
            return nums
        if key in ("reminder_days", "firm_days", "escalate_days", "legal_days"):
            return parse_int(raw, key, minimum=1, maximum=3650)
        if key == "tax_reserve_percent":
            return parse_percent(raw or "0", key, maximum=Decimal(100))
        if key == "tax_reserve_since":
            return parse_date(raw, key) if raw else None
        if key == "cash_floor":
            return parse_amount(raw or "0", key)
        if key == "locale":
            return parse_locale(raw, key)
        if key in ("min_gap_days", "pre_due_days"):
            return parse_int(raw, key, minimum=0, maximum=365)
        if key in ("forecast_weeks", "forecast_months"):
            return parse_int(raw, key, minimum=1, maximum=260)
        raise ValidationError(key, "is not a setting milepay knows")

    @classmethod
    def from_text(
        cls, values: Mapping[str, str], fx: Mapping[str, Decimal] | None = None
    ) -> Settings:
        """Settings from stored text (unknown keys are ignored; missing keys take defaults)."""
        s = cls()
        for key in cls.KEYS:
            if key in values:
                setattr(s, key, cls.parse_value(key, values[key]))
        s.check()
        s.fx = dict(fx or {})
        return s

    def check(self) -> None:
        """Cross-field rules: ladder thresholds must be in order."""
        steps = [self.reminder_days, self.firm_days, self.escalate_days, self.legal_days]
        if steps != sorted(steps) or len(set(steps)) != 4:
            raise ValidationError(
                "reminder_days",
                "ladder thresholds must increase: reminder < firm < escalate < legal",
            )


__all__ = [
    "MAX_AMOUNT",
    "ChangeOrder",
    "ChaseEvent",
    "Client",
    "Contact",
    "Contract",
    "Expense",
    "Hold",
    "Milestone",
    "Payment",
    "Record",
    "Settings",
]
