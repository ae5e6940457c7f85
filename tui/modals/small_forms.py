"""Small forms of one or two fields: mark invoiced, put on hold, a change order, accept it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from tui.domain.dates import parse_date
from tui.domain.model import ChangeOrder, Hold, Milestone
from tui.domain.values import parse_text
from tui.modals.form import DATE_HINT, Field, FormModal


class InvoiceForm(FormModal):
    """Mark a milestone invoiced: the invoice number and date."""

    FIELDS: ClassVar[list[Field]] = [
        Field("invoice_no", "Invoice no.", required=True),
        Field("invoiced_on", "Invoice date", required=True, placeholder=DATE_HINT),
    ]

    def __init__(self, *, label: str, today: dt.date, invoice_no: str,
                 save: Callable[[str, dt.date], Any]) -> None:  # fmt: skip
        super().__init__(
            "Mark invoiced", self.FIELDS, {"invoice_no": invoice_no, "invoiced_on": today.isoformat()},
            save=lambda v: save(v["invoice_no"].strip(), parse_date(v["invoiced_on"], "invoiced_on", today_=today)),
            today=today, saved_message="Marked invoiced.", subtitle=label,
        )  # fmt: skip

    def check_field(self, name: str, values: Mapping[str, str]) -> None:
        """Number required; a real date."""
        if name == "invoice_no":
            parse_text(values.get(name, ""), name, required=True, max_length=60)
        else:
            parse_date(values.get(name, ""), name, today_=self.today)


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
    """Accept a change order: the milestone that prices the new scope."""

    RECORD = Milestone
    FIELDS: ClassVar[list[Field]] = [
        Field("seq", "Number", required=True),
        Field("title", "Milestone title", required=True),
        Field("amount", "Amount", required=True),
        Field("due_date", "Due date", required=True, placeholder=DATE_HINT),
    ]

    def __init__(self, *, label: str, today: dt.date, values: Mapping[str, str],
                 save: Callable[[Milestone], Any]) -> None:  # fmt: skip
        super().__init__(
            "Accept change order", self.FIELDS, values,
            save=lambda v: save(Milestone.parse(v, today_=today)),
            today=today, saved_message="Change order accepted; milestone added.",
            subtitle=label + "\nThe amount must equal the change order's amount.",
        )  # fmt: skip
