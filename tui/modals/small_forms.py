"""Small forms: mark invoiced, a promise to pay, put on hold, a change order, accept it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from tui.domain.dates import check_due_after_invoice, parse_date, terms_due_date
from tui.domain.errors import ValidationError
from tui.domain.model import ChangeOrder, Hold, Milestone
from tui.domain.money import format_amount, parse_amount
from tui.domain.values import parse_text
from tui.modals.form import DATE_HINT, Field, FormModal


class InvoiceForm(FormModal):
    """Mark a milestone invoiced: the invoice number, its date and the payment due date.

    The due date is proposed as the invoice date plus the contract's payment terms (SPEC 4)
    and follows the invoice date as it is typed, until the user types a due date of their
    own; it is saved with the invoice.
    """

    FIELDS: ClassVar[list[Field]] = [
        Field("invoice_no", "Invoice no.", required=True),
        Field("invoiced_on", "Invoice date", required=True, placeholder=DATE_HINT),
        Field("due_date", "Payment due", required=True, placeholder=DATE_HINT),
        Field(
            "invoice_file",
            "Invoice file",
            placeholder="path to the invoice PDF (attached to reminders)",
        ),
    ]

    def __init__(self, *, label: str, today: dt.date, invoice_no: str, terms_days: int,
                 save: Callable[[str, dt.date, dt.date, str], Any], invoice_file: str = "") -> None:  # fmt: skip
        self.terms_days = terms_days
        self._proposed = terms_due_date(today, terms_days).isoformat()
        super().__init__(
            "Mark invoiced", self.FIELDS,
            {"invoice_no": invoice_no, "invoiced_on": today.isoformat(), "due_date": self._proposed,
             "invoice_file": invoice_file},
            save=lambda v: save(v["invoice_no"].strip(), parse_date(v["invoiced_on"], "invoiced_on", today_=today),
                                parse_date(v["due_date"], "due_date", today_=today),
                                v.get("invoice_file", "").strip()),
            today=today, saved_message="Marked invoiced.",
            subtitle=f"{label}\nPayment terms: {terms_days} days from the invoice date.",
        )  # fmt: skip

    def check_field(self, name: str, values: Mapping[str, str]) -> None:
        """Number required; real dates; payment not due before the invoice date."""
        if name == "invoice_no":
            parse_text(values.get(name, ""), name, required=True, max_length=60)
        elif name == "invoice_file" and values.get(name, "") != self.initial.get(name, ""):
            from tui.store.files import readable_file  # checked when set or changed

            readable_file(values.get(name, ""), name)
        elif name == "invoiced_on":
            parse_date(values.get(name, ""), name, today_=self.today)
        else:
            due = parse_date(values.get("due_date", ""), "due_date", today_=self.today)
            try:
                invoiced = parse_date(
                    values.get("invoiced_on", ""), "invoiced_on", today_=self.today
                )
            except ValidationError:
                return  # the invoice date's own error says it
            check_due_after_invoice(invoiced, due)

    def values_changed(self) -> None:
        """A new invoice date moves a proposed due date with it (never one the user typed)."""
        if self.value("due_date") != self._proposed:
            return
        try:
            invoiced = parse_date(self.value("invoiced_on"), "invoiced_on", today_=self.today)
            proposed = terms_due_date(invoiced, self.terms_days).isoformat()
        except ValidationError:
            return
        if proposed != self._proposed:
            self._proposed = proposed
            self.set_value("due_date", proposed)


class PromiseForm(FormModal):
    """The client's promise to pay a milestone on a date, with a note; an empty date clears it."""

    FIELDS: ClassVar[list[Field]] = [
        Field("promised_on", "Promised for", placeholder=DATE_HINT + "; empty clears it"),
        Field("promise_note", "Note", placeholder="who promised, how (e.g. phone, CFO)"),
    ]

    def __init__(self, *, label: str, today: dt.date, promised_on: dt.date | None, note: str,
                 save: Callable[[dt.date | None, str], Any], broken: bool = False) -> None:  # fmt: skip
        subtitle = label + "\nThe expected forecast places the milestone on this date."
        if broken and promised_on is not None:
            # milepay keeps one promise per milestone: say what a new date does to the record
            subtitle += (
                f"\nThe promise for {promised_on.isoformat()} was broken; a new date "
                "replaces it, and the scorecard then no longer counts it as broken."
            )
        super().__init__(
            "Promise to pay", self.FIELDS,
            {"promised_on": promised_on.isoformat() if promised_on else "", "promise_note": note},
            save=lambda v: save(self._date(v), v["promise_note"].strip()),
            today=today, saved_message="Promise saved.", subtitle=subtitle,
        )  # fmt: skip

    def _date(self, values: Mapping[str, str]) -> dt.date | None:
        text = values.get("promised_on", "").strip()
        return parse_date(text, "promised_on", today_=self.today) if text else None

    def check_field(self, name: str, values: Mapping[str, str]) -> None:
        """A real date (or none); a note needs a date."""
        if name == "promised_on":
            self._date(values)
        else:
            note = parse_text(values.get("promise_note", ""), "promise_note", max_length=500)
            if note and not values.get("promised_on", "").strip():
                raise ValidationError("promise_note", "a note needs the promised date")


class HoldForm(FormModal):
    """Put a milestone on hold (dispute, payment plan) until a date."""

    RECORD = Hold

    def __init__(self, *, label: str, today: dt.date, save: Callable[[Hold], Any]) -> None:
        super().__init__(
            "Put on hold", [Field("reason", "Reason", required=True, placeholder="dispute, payment plan, ..."),
                            Field("until", "Until", required=True, placeholder=DATE_HINT)],
            {"until": "+30d"}, save=lambda v: save(Hold.parse(v, today_=today)),
            today=today, saved_message="Put on hold.", subtitle=label,
        )  # fmt: skip


class ChangeOrderForm(FormModal):
    """Log a change order on a contract: extra scope, priced."""

    RECORD = ChangeOrder

    def __init__(self, *, label: str, today: dt.date, save: Callable[[ChangeOrder], Any]) -> None:
        super().__init__(
            "New change order", [
                Field("date", "Date", required=True, placeholder=DATE_HINT),
                Field("description", "Description", required=True),
                Field("amount_delta", "Amount change", required=True, placeholder="e.g. 1500.00, or -200.00"),
            ],
            {"date": today.isoformat()}, save=lambda v: save(ChangeOrder.parse(v, today_=today)),
            today=today, saved_message="Change order logged.", subtitle=label,
        )  # fmt: skip


class AcceptChangeForm(FormModal):
    """Accept a change order that raises the fee: the milestone that prices the new scope.

    The rule: the milestone's amount IS the change order's amount (``amount_delta``, the
    figure the fee goes up by; the store refuses any other sum), so the form never asks for
    it. It shows the amount and asks only for the number, title and due date. ``values``
    carries the order's amount as ``amount``.
    """

    RECORD = Milestone
    FIELDS: ClassVar[list[Field]] = [
        Field("seq", "Number", required=True),
        Field("title", "Milestone title", required=True),
        Field("due_date", "Due date", required=True, placeholder=DATE_HINT),
    ]

    def __init__(self, *, label: str, today: dt.date, values: Mapping[str, str],
                 save: Callable[[Milestone], Any]) -> None:  # fmt: skip
        known = parse_amount(values["amount"], "amount")
        #: the change order's amount, the new milestone's amount
        self.amount = known
        super().__init__(
            "Accept change order", self.FIELDS, values,
            save=lambda v: save(Milestone.parse({**v, "amount": known}, today_=today)),
            today=today, saved_message="Change order accepted; milestone added.",
            subtitle=f"{label}\nThe new milestone is for {format_amount(known)}, the change "
                     "order's amount.",
        )  # fmt: skip

    def check_all(self, values: Mapping[str, str]) -> None:
        """The whole milestone, with the order's amount (each field is a milestone's)."""
        Milestone.parse({**values, "amount": self.amount}, today_=self.today)
