"""Record a payment against a milestone: defaults to the open amount, refuses overpaying."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from tui.domain.errors import ValidationError
from tui.domain.model import Payment
from tui.domain.money import format_amount
from tui.modals.form import DATE_HINT, Field, FormModal, text_of

FIELDS = [
    Field("amount", "Amount", required=True, replace=True),
    Field("received_on", "Received on", required=True, placeholder=DATE_HINT),
    Field("method", "Method", placeholder="bank transfer, card, ..."),
    Field("reference", "Reference", placeholder="bank reference, note"),
]


class PaymentForm(FormModal):
    """Money received for one milestone; ``save`` gets the parsed payment (runs in a thread)."""

    RECORD = Payment
    WHAT = "payment"

    def __init__(
        self,
        *,
        label: str,
        open_amount: Decimal,
        currency: str,
        today: dt.date,
        save: Callable[..., Any],
        payment: Mapping[str, Any] | None = None,
    ) -> None:
        """A new payment (amount defaults to ``open_amount``), or an edit of ``payment`` (the
        stored row; ``open_amount`` is then the most it may be, and ``save`` gets
        ``expected=`` the row)."""
        self.open_amount = open_amount
        self.currency = currency
        self.editing = payment is not None
        if payment is None:
            values = {
                "amount": format_amount(open_amount, grouping=False),
                "received_on": today.isoformat(),
            }
            subtitle = f"{label}\nOpen: {format_amount(open_amount)} {currency}"
        else:
            values = {k: text_of(payment.get(k)) for k in Payment.FIELDS}
            subtitle = f"{label}\nAt most {format_amount(open_amount)} {currency} for this payment"
        super().__init__(
            "Edit payment" if payment is not None else "Record payment",
            FIELDS,
            values,
            save=lambda v, **kw: save(Payment.parse(v, today_=today), **kw),
            today=today,
            saved_message="Payment corrected." if payment is not None else "Payment recorded.",
            subtitle=subtitle,
            expected=payment,
        )

    #: the user said yes to saving a payment dated after today (asked once per form)
    future_confirmed = False

    def action_save(self) -> None:
        """Ask before saving a payment dated after today (a typo in the year, or money not
        yet in the bank: either way not cash today); then save as every form does."""
        try:
            received = Payment.parse_field("received_on", self.values(), self.today)
        except ValidationError:
            received = None  # the form's own check names the field
        unchanged = self.editing and values_date(self.initial) == received
        if self.future_confirmed or received is None or received <= self.today or unchanged:
            super().action_save()
            return
        from tui.modals.confirm import ConfirmModal

        def answered(yes: bool | None) -> None:
            if yes:
                self.future_confirmed = True
                super(PaymentForm, self).action_save()

        self.app.push_screen(
            ConfirmModal(
                f"The payment is dated {received.isoformat()}, after today "
                f"({self.today.isoformat()}). Until then it is not in your cash. Save it?",
                yes="Save",
                no="Change the date",
            ),
            answered,
        )

    def check_field(self, name: str, values: Mapping[str, str]) -> None:
        """The amount may not be more than what is open (checked again by the store)."""
        super().check_field(name, values)
        if name == "amount":
            amount = Payment.parse_field("amount", values, self.today)
            if amount > self.open_amount:
                room = "can be paid by this payment" if self.editing else "is open"
                raise ValidationError(
                    "amount",
                    f"{format_amount(amount)} would overpay this milestone: only "
                    f"{format_amount(self.open_amount)} {self.currency} {room}",
                )


def values_date(values: Mapping[str, str]) -> dt.date | None:
    """The received date of form values, or None when it does not parse."""
    try:
        return Payment.parse_field("received_on", values, None)
    except ValidationError:
        return None
