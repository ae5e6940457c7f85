"""The client form: a client's details and, for a new client, their three contacts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from tui.domain.errors import ValidationError
from tui.domain.model import Client, Contact
from tui.domain.values import ContactRole, WorkAgain
from tui.modals.form import Field, FormModal, choices_of, text_of

ROLES = [
    ("main", "Main contact", "day-to-day"),
    ("payer", "Payer", "releases payments"),
    ("owner", "Owner", "the top person, to escalate to"),
]

CLIENT_FIELDS = [
    Field("name", "Name", required=True),
    Field("email", "Email"),
    Field("phone", "Phone"),
    Field("address", "Address"),
    Field("work_again", "Work again?", "select", choices_of([w.value for w in WorkAgain])),
    Field("rating", "Rating (1-5)", placeholder="empty, or 1 to 5"),
    Field("notes", "Notes", "text"),
    Field("feedback", "Feedback", "text"),
]


def contact_fields() -> list[Field]:
    """One line per role: name, email, phone side by side."""
    out = [Field("contacts", "Contacts (leave a line empty to skip it)", "heading")]
    for role, label, _what in ROLES:
        for part in ("name", "email", "phone"):
            out.append(Field(f"{role}_{part}", part, row=label))
    return out


def contacts_from(values: Mapping[str, str]) -> list[Contact]:
    """The contacts typed on the role lines (empty lines skipped); names the wrong field."""
    contacts = []
    for role, _label, _what in ROLES:
        parts = {p: values.get(f"{role}_{p}", "") for p in ("name", "email", "phone")}
        if not any(v.strip() for v in parts.values()):
            continue
        try:
            contacts.append(Contact.parse({**parts, "role": role}))
        except ValidationError as exc:
            raise ValidationError(f"{role}_{exc.field}", exc.reason) from None
    return contacts


class ClientForm(FormModal):
    """New or edit client. ``save`` gets the parsed client and contacts (runs in a thread);
    editing, also ``expected=`` (the row the form opened on, to pass to the store)."""

    RECORD = Client
    WHAT = "client"

    def __init__(
        self,
        *,
        today: dt.date,
        save: Callable[[Client, list[Contact]], Any],
        client: Mapping[str, Any] | None = None,
    ) -> None:
        new = client is None
        fields = CLIENT_FIELDS + (contact_fields() if new else [])
        values = {k: text_of(v) for k, v in (client or {}).items()}
        values.setdefault("work_again", WorkAgain.UNDECIDED.value)

        def write(v: dict[str, str], **kw: Any) -> Any:
            return save(Client.parse(v, today_=today), contacts_from(v), **kw)

        super().__init__(
            "New client" if new else f"Edit client: {values.get('name', '')}",
            fields,
            values,
            save=write,
            today=today,
            saved_message="Client added." if new else "Client saved.",
            expected=client,
        )

    def check_field(self, name: str, values: Mapping[str, str]) -> None:
        """Client fields by the client parser; contact lines by the contact parser."""
        role, _, part = name.partition("_")
        if role in {r.value for r in ContactRole} and part in ("name", "email", "phone"):
            line = {p: values.get(f"{role}_{p}", "") for p in ("name", "email", "phone")}
            if not any(v.strip() for v in line.values()):
                return
            if part == "name" and not line["name"].strip():
                raise ValidationError(name, "a contact needs a name (or clear the line)")
            Contact.parse_field(part, line, self.today)
            return
        super().check_field(name, values)

    def check_all(self, values: Mapping[str, str]) -> None:
        """The client and every contact line."""
        super().check_all(values)
        contacts_from(values)
