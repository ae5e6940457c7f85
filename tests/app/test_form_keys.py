"""Forms under fast typing: keys after Tab land in the next field, and a key checks one field.

A slow SSH link delivers keys in bursts (a paste too): the app routes them all before the
focused field has handled the first. Tab must move the focus when it is routed, or the keys
behind it land in the field being left (Name = ``abcx@y.example``).
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from textual import events
from textual.widgets import Input

from tui.modals.client_form import ClientForm
from tui.modals.form import FormModal

from .helpers import plain, press, settle

#: key names of the punctuation typed below (as a terminal driver names them)
KEY_NAMES = {"@": "at", ".": "full_stop", " ": "space", "-": "minus"}


def key_events(*parts: str) -> list[events.Key]:
    """Key events as a driver posts them: each character of a text, or a named key."""
    out: list[events.Key] = []
    for part in parts:
        if part in ("tab", "shift+tab"):
            out.append(events.Key(part, "\t" if part == "tab" else None))
            continue
        for ch in part:
            out.append(events.Key(KEY_NAMES.get(ch, ch), ch))
    return out


def field(app: Any, name: str) -> str:
    """The text in a field of the form on top."""
    return app.screen.query_one(f"#field-{name}", Input).value


async def test_a_pilot_burst_after_tab_lands_in_the_next_field(app) -> None:
    """abc Tab x@y.example pressed in one go: Name abc, Email x@y.example."""
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "2", "n")
        await pilot.press(*list("abc"), "tab", *list("x@y.example"))
        await settle(pilot)
        assert field(app, "name") == "abc"
        assert field(app, "email") == "x@y.example"


async def test_keys_posted_at_once_follow_tab_and_shift_tab(app) -> None:
    """50 key events queued before the app handles any: each lands where the focus was."""
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "2", "n")
        burst = key_events(
            "abc", "tab", "x@y.example", "tab", "555-0100", "tab", "Main Street 12",
            "shift+tab", "-22", "shift+tab", "shift+tab", "de", "tab", "tab", "tab",
        )  # fmt: skip
        assert len(burst) == 50
        for event in burst:  # no await between: the whole burst is queued first
            app.post_message(event)
        await settle(pilot)
        assert isinstance(app.screen, ClientForm)
        assert field(app, "name") == "abcde"
        assert field(app, "email") == "x@y.example"
        assert field(app, "phone") == "555-0100-22"
        assert field(app, "address") == "Main Street 12"
        assert app.focused is not None and app.focused.id == "field-address"


async def test_a_key_checks_only_the_field_it_changed_and_its_dependents(app, monkeypatch) -> None:
    """After a failed save every field is touched; a key then checks 1 field, not all 17."""
    checked: Counter[str] = Counter()
    reads: Counter[str] = Counter()
    check_field = ClientForm.check_field
    values = FormModal.values

    def counting_check(self: ClientForm, name: str, vals: Any) -> None:
        checked[name] += 1
        check_field(self, name, vals)

    def counting_values(self: FormModal) -> dict[str, str]:
        reads["values"] += 1
        return values(self)

    monkeypatch.setattr(ClientForm, "check_field", counting_check)
    monkeypatch.setattr(FormModal, "values", counting_values)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "2", "n")
        checked.clear()
        await press(pilot, "ctrl+s")  # empty name: refused, every field checked once
        form = app.screen
        assert isinstance(form, ClientForm)
        assert sum(checked.values()) == 17 and len(checked) == 17
        assert form.touched == set(form.values())

        checked.clear()
        reads.clear()
        await press(pilot, "A")
        assert field(app, "name") == "A"
        assert checked == Counter({"name": 1})
        assert reads["values"] == 0  # no form-wide read per key

        # an e-mail on the payer line: that line's name is now missing, so it is re-checked
        form.query_one("#field-payer_email").focus()
        await settle(pilot)
        checked.clear()
        await press(pilot, "p")
        assert checked == Counter({"payer_email": 1, "payer_name": 1, "payer_phone": 1})
        assert "needs a name" in plain(form.query_one("#err-payer_name"))
        checked.clear()
        await press(pilot, "backspace")  # the line is empty again: no error, same three checks
        assert checked == Counter({"payer_email": 1, "payer_name": 1, "payer_phone": 1})
        assert plain(form.query_one("#err-payer_name")).strip() == ""


async def test_a_burst_typed_into_a_new_client_is_saved_as_typed(app, reopen) -> None:
    """The whole form typed in one burst, then ctrl+s: the file holds each field as typed."""
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "2", "n")
        for event in key_events("Acme Ltd", "tab", "ap@acme.example", "tab", "555-1"):
            app.post_message(event)
        await settle(pilot)
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, ClientForm)
    [row] = reopen().rows("clients")
    assert (row["name"], row["email"], row["phone"]) == ("Acme Ltd", "ap@acme.example", "555-1")


async def test_a_burst_across_screens_lands_where_each_key_led(demo_book) -> None:
    """From the dashboard, ``4 p 12.50 ctrl+s`` queued before the app handles any key (a slow
    SSH link delivering a line at once): 4 opens the milestones, p waits for the list and its
    open-amount read, then opens the payment form on the first row, the amount replaces the
    proposed 2,160.00 and ctrl+s saves. Before, p reached the dashboard and the digits
    switched screens. The book then holds one new payment of 12.50 on that milestone."""
    from tui.app import make_app
    from tui.screens.milestones import MilestonesScreen

    before = {p["id"] for p in demo_book.rows("payments")}
    app = make_app(demo_book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for event in [*key_events("4p12.50"), events.Key("ctrl+s", None)]:
            app.post_message(event)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MilestonesScreen)  # the form saved and closed
        first = screen.table.get_row_at(0)
        assert "#4 Brand guidelines" in str(first[1])
    new = [p for p in demo_book.rows("payments") if p["id"] not in before]
    assert [(p["amount"], str(p["received_on"])) for p in new] == [(Decimal("12.50"), "2026-11-24")]
    (milestone,) = [m for m in demo_book.rows("milestones") if m["id"] == new[0]["milestone_id"]]
    assert milestone["title"] == "Brand guidelines"
