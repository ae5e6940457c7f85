"""Forms at 80x24: the focused field and its error stay in view, choice lists and editors stay
inside the dialog, the composer asks before dropping edits, accepting a change order takes
the order's amount."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Input, Select, Static, TextArea

from tui.domain.errors import ValidationError
from tui.domain.model import Client, Contract, Milestone
from tui.modals.compose import ComposeModal
from tui.modals.confirm import ConfirmModal
from tui.modals.form import Field, FormModal
from tui.modals.setting_form import TemplateForm
from tui.modals.small_forms import AcceptChangeForm
from tui.screens.chase import ChaseScreen
from tui.screens.contracts import ContractsScreen

from .helpers import plain, press, settle, type_text

TODAY = dt.date(2026, 11, 24)


def fields_box(screen: Any) -> VerticalScroll:
    """The scrolling area of the form on top."""
    return screen.query_one(".form-fields", VerticalScroll)


def in_view(screen: Any, widget: Widget) -> bool:
    """Is all of ``widget`` inside the visible part of the form's fields?"""
    return fields_box(screen).scrollable_content_region.contains_region(widget.region)


def check_focus_in_view(app: Any) -> str:
    """The focused field's name, after checking it and its error line (if any) are in view."""
    screen, focused = app.screen, app.focused
    assert focused is not None and focused.id and focused.id.startswith("field-"), focused
    name = focused.id[len("field-") :]
    assert in_view(screen, focused), f"{name} is out of view"
    error = screen.query_one(f"#err-{name}", Static)
    if error.has_class("-shown"):
        assert in_view(screen, error), f"the error under {name} is out of view"
    return name


async def tab_to(pilot: Any, name: str, key: str = "tab") -> None:
    """Tab (or shift+tab) to field ``name``, checking each field on the way is in view."""
    for _ in range(30):
        if check_focus_in_view(pilot.app) == name:
            return
        await press(pilot, key)
    raise AssertionError(f"never reached {name}")


async def test_tab_keeps_the_focused_field_and_its_error_line_in_view(app, book) -> None:
    """New contract at 80x24: an error above pushes the contract file to the last line; the
    file's own error then shows under it; down to the schedule, a refused save back up to the
    title, shift+tab round to the last field: always in view."""
    book.add_client(Client.parse({"name": "Acme"}))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "3", "n")
        await tab_to(pilot, "total_fee")
        await type_text(pilot, "abc")  # an error line under the fee: the rest moves down
        assert app.screen.query_one("#err-total_fee", Static).has_class("-shown")
        await tab_to(pilot, "document")
        await type_text(pilot, "/nonexistent/contract.pdf")
        error = app.screen.query_one("#err-document", Static)
        assert "Contract file" in plain(error)
        check_focus_in_view(app)
        await tab_to(pilot, "count")
        assert fields_box(app.screen).scroll_y > 0  # the schedule is below the first screen
        await tab_to(pilot, "first_due")
        await press(pilot, "enter")  # refused: the first wrong field, far up, is focused
        assert check_focus_in_view(app) == "title"
        assert in_view(app.screen, app.screen.query_one("#err-title", Static))
        await press(pilot, "shift+tab", "shift+tab")  # past the top: the last field
        assert check_focus_in_view(app) == "first_due"


async def test_error_lines_choice_lists_and_editors_stay_inside_the_dialog(app) -> None:
    """A field on the last visible line gets an error: the error line scrolls into view; a
    choice list below it opens upwards inside the fields; a template body fits the dialog."""
    fields = [Field(f"f{i}", f"Field {i}") for i in range(20)]
    fields.append(Field("pick", "Pick", "select", [(f"choice {i}", str(i)) for i in range(5)]))

    class ManyFields(FormModal):
        FIRST_FIELD = "f19"  # the last line in view at 80x24; the choice is below it

        def check_field(self, name: str, values: Mapping[str, str]) -> None:
            if values[name] == "bad":
                raise ValidationError(name, "is bad")

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(ManyFields("Many fields", fields, save=lambda v: None, today=TODAY))
        await settle(pilot)
        box = fields_box(app.screen)
        assert check_focus_in_view(app) == "f19" and box.scroll_y == 0
        await type_text(pilot, "bad")
        error = app.screen.query_one("#err-f19", Static)
        assert plain(error).strip() == "Field 19: is bad"
        assert in_view(app.screen, error)
        await press(pilot, "tab")
        assert check_focus_in_view(app) == "pick"
        await press(pilot, "enter")
        select = app.screen.query_one("#field-pick", Select)
        assert select.expanded
        overlay = app.focused
        assert overlay is not None and overlay.parent is select
        area = box.scrollable_content_region
        assert area.contains_region(overlay.region), (overlay.region, area)
        assert overlay.region.bottom <= select.region.y  # above the field: no room below
        assert overlay.region.height >= 5  # every choice shows
        await press(pilot, "down", "enter")
        assert select.value == "1"
        await press(pilot, "escape", "y")  # discard the changes

        body = "\n".join(f"line {i}" for i in range(30))
        app.push_screen(
            TemplateForm(
                step="reminder", subject="Late", body=body, today=TODAY, save=lambda s, b: None
            )
        )
        await settle(pilot)
        await press(pilot, "tab")
        editor = app.screen.query_one("#field-body", TextArea)
        assert app.focused is editor
        assert in_view(app.screen, editor)
        assert app.screen.query_one(".form").region.contains_region(editor.region)


async def test_composer_asks_before_dropping_an_edit(demo_book) -> None:
    """Esc without edits closes at once; after an edit it asks, and Esc on the question keeps
    the text; y discards."""
    from tui.app import MilepayApp

    app = MilepayApp(demo_book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "7", "slash")
        await type_text(pilot, "kettle")
        await press(pilot, "enter", "m")
        assert isinstance(app.screen, ComposeModal)
        await press(pilot, "escape")
        assert isinstance(app.screen, ChaseScreen)

        await press(pilot, "m")
        composer = app.screen
        assert isinstance(composer, ComposeModal)
        body = composer.query_one("#compose-body", TextArea)
        filled = body.text
        await type_text(pilot, "Hi! ")
        await press(pilot, "escape")
        assert isinstance(app.screen, ConfirmModal)
        await press(pilot, "escape")  # keep editing
        assert app.screen is composer
        assert body.text == "Hi! " + filled
        await press(pilot, "escape")
        assert isinstance(app.screen, ConfirmModal)
        await press(pilot, "y")
        assert isinstance(app.screen, ChaseScreen)


async def test_accepting_a_change_order_takes_its_amount(app, book, reopen) -> None:
    """o logs +1,500.00; y asks number, title and due date only; the milestone is 1,500.00."""
    cid = book.add_client(Client.parse({"name": "Acme"}))
    contract = Contract.parse({"title": "Site", "currency": "EUR", "total_fee": "1000.00"})
    first = Milestone.parse(
        {"seq": "1", "title": "Design", "amount": "1000.00", "due_date": "2026-12-01"}
    )
    book.add_contract(cid, contract, [first])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "3")
        assert isinstance(app.screen, ContractsScreen)
        await press(pilot, "o", "tab")
        await type_text(pilot, "Extra page")
        await press(pilot, "tab")
        await type_text(pilot, "1500.00")
        await press(pilot, "ctrl+s")
        await press(pilot, "y")
        form = app.screen
        assert isinstance(form, AcceptChangeForm)
        assert not form.query("#field-amount")  # never asked
        assert [w.id for w in form.query(Input)] == ["field-seq", "field-title", "field-due_date"]
        assert "1,500.00" in plain(form.query_one(".form-subtitle", Static))
        assert form.query_one("#field-title", Input).value == "Extra page"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ContractsScreen)
    book = reopen()
    new = book.rows("milestones", "seq = ?", [2])
    assert [(m["title"], m["amount"], m["due_date"]) for m in new] == [
        ("Extra page", Decimal("1500.00"), dt.date(2026, 12, 24))  # today + 30 days
    ]
    assert book.rows("contracts")[0]["total_fee"] == Decimal("2500.00")
    assert [o["status"] for o in book.rows("change_orders")] == ["accepted"]


async def test_tabbing_through_the_mail_setup_changes_nothing(demo_book) -> None:
    """7 M on a config with no [mail]: the Security list shows its first choice (not what the
    file holds); Tab through every field, Esc: closed at once, no 'Discard the changes?'."""
    from tui.app import MilepayApp

    app = MilepayApp(demo_book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "7", "M")
        form = app.screen
        assert isinstance(form, FormModal) and form.initial["security"] == ""
        assert form.values()["security"] == "starttls"
        await press(pilot, *["tab"] * 8, "escape")
        assert isinstance(app.screen, ChaseScreen)
