"""Log a chase step taken outside milepay: a phone call, a letter, a message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from tui.domain.model import ChaseEvent
from tui.domain.values import Channel, ChaseStep
from tui.modals.form import DATE_HINT, Field, FormModal, choices_of


class ChaseLogForm(FormModal):
    """Date, step, channel (phone first: e-mails are logged by the composer), contact, note."""

    RECORD = ChaseEvent

    def __init__(self, *, label: str, today: dt.date, step: str, contact: str,
                 save: Callable[[ChaseEvent], Any]) -> None:  # fmt: skip
        channels = [Channel.PHONE, *[c for c in Channel if c is not Channel.PHONE]]
        fields = [
            Field("date", "Date", required=True, placeholder=DATE_HINT),
            Field("step", "Step", "select", choices=choices_of([s.value for s in ChaseStep])),
            Field("channel", "Channel", "select", choices=choices_of([c.value for c in channels])),
            Field("contact", "Contact"),
            Field("note", "Note", placeholder="what was said or agreed"),
            Field("message", "Message", "text"),
        ]
        values = {"date": today.isoformat(), "step": step, "channel": "phone", "contact": contact}
        super().__init__(
            "Log a chase step", fields, values,
            save=lambda v: save(ChaseEvent.parse(v, today_=today)),
            today=today, saved_message="Chase step logged.", subtitle=label,
        )  # fmt: skip
