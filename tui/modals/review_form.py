"""Rate a client: rating 1-5, would work with them again, and free-text feedback."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from tui.domain.model import Client
from tui.domain.values import WorkAgain
from tui.modals.form import Field, FormModal, choices_of


class ReviewForm(FormModal):
    """The scorecard's own fields of a client, checked by the client's parsers."""

    RECORD = Client

    def __init__(self, *, client: Mapping[str, Any], today: dt.date,
                 save: Callable[[int | None, str, str], Any]) -> None:  # fmt: skip
        fields = [
            Field("rating", "Rating", placeholder="1 (worst) to 5 (best); empty: none"),
            Field("work_again", "Work again?", "select", choices=choices_of([w.value for w in WorkAgain])),
            Field("feedback", "Feedback", "text"),
        ]  # fmt: skip
        rating = client.get("rating")
        values = {
            "rating": "" if rating is None else str(rating),
            "work_again": str(client.get("work_again") or "undecided"),
            "feedback": client.get("feedback") or "",
        }

        def store(v: dict[str, str]) -> Any:
            rate = Client.parse_field("rating", v, today)
            return save(rate, v["work_again"], v["feedback"])

        super().__init__(f"Rate {client.get('client') or client.get('name')}", fields, values,
                         save=store, today=today, saved_message="Rating saved.",
                         subtitle="How this client pays and works with you; shown on the scorecard.")  # fmt: skip

    def check_all(self, values: Mapping[str, str]) -> None:
        """Each field is checked on its own (the client's name is not part of this form)."""
