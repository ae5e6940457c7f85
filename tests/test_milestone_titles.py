"""Milestone titles (issue 14): generated titles carry no count that goes stale, and the new
milestone form proposes the next one when the contract's titles follow that pattern."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tui.modals.milestone_form import MilestoneForm, next_title
from tui.modals.schedule import generate

TODAY = dt.date(2026, 11, 24)


def test_the_schedule_titles_carry_no_count() -> None:
    """A generated schedule titles ``Milestone 1``..``Milestone 5``: no count to go stale."""
    made = generate({"schedule": "equal", "count": "5"}, Decimal("1000.00"), TODAY)
    titles = [m.title for m in made]
    assert titles == ["Milestone 1", "Milestone 2", "Milestone 3", "Milestone 4", "Milestone 5"]
    assert next_title(titles) == "Milestone 6"  # a sixth added later fits the series


@pytest.mark.parametrize(
    ("titles", "proposed"),
    [
        (["Milestone 1", "Milestone 2"], "Milestone 3"),
        (["Milestone 2", "Milestone 7", "Milestone 3"], "Milestone 8"),  # the highest + 1
        ([f"Milestone {i} of 5" for i in range(1, 6)], "Milestone 6"),  # an older book's titles
        (["Milestone 1", "Kick-off"], None),  # a title the user wrote: no pattern guessed
        (["Design", "Build"], None),
        ([], None),
        (["milestone 1"], None),
        (["Milestone 1 "], None),
        (["Milestone ١"], None),  # ASCII digits only
    ],
)
def test_next_title(titles: list[str], proposed: str | None) -> None:
    assert next_title(titles) == proposed


def _form(**kw: object) -> MilestoneForm:
    return MilestoneForm(contract_title="Site", today=TODAY, save=lambda m: None, **kw)  # type: ignore[arg-type]


def test_the_new_milestone_form_proposes_the_next_title() -> None:
    form = _form(titles=["Milestone 1", "Milestone 2"], next_seq=3)
    assert (form.initial["seq"], form.initial["title"]) == ("3", "Milestone 3")
    assert _form(titles=["Design"], next_seq=2).initial["title"] == ""
    assert _form().initial["title"] == ""


def test_editing_keeps_the_milestones_own_title() -> None:
    row = {"seq": 2, "title": "Milestone 2 of 5", "amount": Decimal("100.00"),
           "due_date": dt.date(2026, 12, 1), "status": "planned", "progress": 0}  # fmt: skip
    form = _form(milestone=row, titles=["Milestone 1 of 5", "Milestone 2 of 5"])
    assert form.initial["title"] == "Milestone 2 of 5"  # user text, never rewritten
