"""Record a payment against a milestone: defaults to the open amount, refuses overpaying."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from tui.domain.errors import ValidationError
from tui.domain.model import Payment
from tui.domain.money import format_amount
from tui.modals.form import DATE_HINT, Field, FormModal

FIELDS = [
    Field("amount", "Amount", required=True),
    Field("received_on", "Received on", required=True, placeholder=DATE_HINT),
    Field("method", "Method", placeholder="bank transfer, card, ..."),
    Field("reference", "Reference", placeholder="bank reference, note"),
]


class PaymentForm(FormModal):
    """Money received for one milestone; ``save`` gets the parsed payment (runs in a thread)."""

    RECORD = Payment

    def __init__(
        self,
        *,
        label: str,
        open_amount: Decimal,
        currency: str,
        today: dt.date,
        save: Callable[[Payment], Any],
    ) -> None:
        self.open_amount = open_amount
        self.currency = currency
        super().__init__(
            "Record payment",
            FIELDS,
            {
                "amount": format_amount(open_amount, grouping=False),
                "received_on": today.isoformat(),
            },
            save=lambda v: save(Payment.parse(v, today_=today)),
            today=today,
            saved_message="Payment recorded.",
            subtitle=f"{label}\nOpen: {format_amount(open_amount)} {currency}",
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
        if self.future_confirmed or received is None or received <= self.today:
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
                raise ValidationError(
                    "amount",
                    f"{format_amount(amount)} would overpay this milestone: only "
                    f"{format_amount(self.open_amount)} {self.currency} is open",
                )
