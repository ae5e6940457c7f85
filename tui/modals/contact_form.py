"""The contact form: one person at a client (main, payer or owner)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from tui.domain.model import Contact
from tui.domain.values import ContactRole
from tui.modals.form import Field, FormModal, text_of

FIELDS = [
    Field("name", "Name", required=True),
    Field(
        "role",
        "Role",
        "select",
        [
            ("main (day-to-day)", "main"),
            ("payer (releases payments)", "payer"),
            ("owner (escalate to)", "owner"),
        ],
    ),
    Field("email", "Email"),
    Field("phone", "Phone"),
]


class ContactForm(FormModal):
    """New or edit contact; ``save`` gets the parsed contact (runs in a thread) and, editing,
    ``expected=`` (the row the form opened on)."""

    RECORD = Contact
    WHAT = "contact"

    def __init__(
        self,
        *,
        client_name: str,
        today: dt.date,
        save: Callable[[Contact], Any],
        contact: Mapping[str, Any] | None = None,
    ) -> None:
        values = {k: text_of(v) for k, v in (contact or {}).items()}
        values.setdefault("role", ContactRole.MAIN.value)
        super().__init__(
            ("New contact" if contact is None else "Edit contact") + f" at {client_name}",
            FIELDS,
            values,
            save=lambda v, **kw: save(Contact.parse(v, today_=today), **kw),
            today=today,
            saved_message="Contact saved.",
            expected=contact,
        )
