"""The milestone form: one milestone of a contract (new or edit)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from tui.domain.model import Milestone
from tui.domain.values import MilestoneStatus
from tui.modals.form import DATE_HINT, Field, FormModal, choices_of, text_of
from tui.store.files import readable_file

FIELDS = [
    Field("seq", "Number", required=True),
    Field("title", "Title", required=True),
    Field("amount", "Amount", required=True, placeholder="e.g. 2500.00"),
    Field("due_date", "Due date", required=True, placeholder=DATE_HINT),
    Field("status", "Status", "select", choices_of([s.value for s in MilestoneStatus])),
    Field("progress", "Progress %", placeholder="0 to 100"),
    Field("invoice_no", "Invoice no."),
    Field("invoiced_on", "Invoiced on", placeholder=DATE_HINT),
    Field("delivered_on", "Delivered on", placeholder=DATE_HINT),
    Field(
        "invoice_file", "Invoice file", placeholder="path to the invoice PDF, attached to reminders"
    ),
]


#: the titles the schedule generates (``Milestone 3``; books made before issue 14 hold
#: ``Milestone 3 of 5``, kept as the user's text and still recognised)
_GENERATED = re.compile(r"Milestone ([0-9]{1,6})(?: of [0-9]{1,6})?")


def next_title(titles: Sequence[str]) -> str | None:
    """``Milestone N+1`` when every title of the contract is a generated one (N the highest
    number), else None: titles the user wrote are theirs, no pattern is guessed from them."""
    numbers = [m.group(1) for t in titles if (m := _GENERATED.fullmatch(t))]
    if not titles or len(numbers) != len(titles):
        return None
    return f"Milestone {max(int(n) for n in numbers) + 1}"


class MilestoneForm(FormModal):
    """New or edit milestone; ``save`` gets the parsed milestone (runs in a thread) and,
    editing, ``expected=`` (the row the form opened on). A new milestone's title is proposed
    from ``titles`` (the contract's milestone titles, see :func:`next_title`)."""

    RECORD = Milestone
    WHAT = "milestone"

    def __init__(
        self,
        *,
        contract_title: str,
        today: dt.date,
        save: Callable[[Milestone], Any],
        milestone: Mapping[str, Any] | None = None,
        next_seq: int = 1,
        titles: Sequence[str] = (),
    ) -> None:
        values = {k: text_of(v) for k, v in (milestone or {}).items()}
        values.setdefault("seq", str(next_seq))
        proposed = next_title(titles) if milestone is None else None
        if proposed is not None:
            values.setdefault("title", proposed)
        values.setdefault("status", MilestoneStatus.PLANNED.value)
        values.setdefault("progress", "0")
        super().__init__(
            ("New milestone" if milestone is None else "Edit milestone") + f" of {contract_title}",
            FIELDS,
            values,
            save=lambda v, **kw: save(Milestone.parse(v, today_=today), **kw),
            today=today,
            saved_message="Milestone saved.",
            expected=milestone,
        )

    def check_field(self, name: str, values: Mapping[str, str]) -> None:
        """The record's rules; an invoice file must exist and be readable (as messages attach it)."""
        super().check_field(name, values)
        # checked when set or changed (as the store does): a file moved since does not
        # block an edit of something else
        if name == "invoice_file" and values.get(name, "") != self.initial.get(name, ""):
            readable_file(values.get(name, ""), name)
