"""Edits over a record changed elsewhere: the form asks, nothing is written until it is told.

"Elsewhere" is a second ``Book`` on the same file, as another process (a second SSH login)
would write it, while the form is open.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from textual.widgets import Input

from tui.domain.model import Client, Expense
from tui.modals.client_form import ClientForm
from tui.modals.expense_form import ExpenseForm
from tui.modals.setting_form import SettingForm
from tui.modals.stale import StaleEditModal
from tui.screens.clients import ClientsScreen
from tui.screens.expenses import ExpensesScreen
from tui.screens.settings import SettingsScreen
from tui.store import Book

from .helpers import plain, press, settle, type_text


def field(app: Any, name: str) -> str:
    """The text in a field of the form on top."""
    return app.screen.query_one(f"#field-{name}", Input).value


def dialog_text(app: Any) -> str:
    """The stale-edit dialog's heading and table as plain text."""
    screen = app.screen
    assert isinstance(screen, StaleEditModal)
    return plain(screen.query_one(".dialog-title")) + plain(screen.query_one("#stale-table"))


async def _client_edit_gone_stale(app: Any, pilot: Any, book_path: Path, cid: int) -> None:
    """Open the client's form, let another process change its e-mail, type a name, save."""
    await settle(pilot)
    await press(pilot, "2", "e")
    assert isinstance(app.screen, ClientForm)
    Book(book_path).update_client(cid, Client(name="Acme", email="new@acme.example"))
    await type_text(pilot, " Ltd")
    assert field(app, "name") == "Acme Ltd"
    await press(pilot, "ctrl+s")


async def test_keep_mine_overwrites_knowingly(app, book, book_path, reopen) -> None:
    """The dialog names the e-mail (opened, now, typed); nothing is written until m."""
    cid = book.add_client(Client(name="Acme", email="old@acme.example"))
    async with app.run_test(size=(80, 24)) as pilot:
        await _client_edit_gone_stale(app, pilot, book_path, cid)
        text = dialog_text(app)
        assert "This client was changed elsewhere since you opened it" in text
        email_line = next(line for line in text.splitlines() if line.strip().startswith("Email"))
        # label, when opened, now, typed (the form still holds the e-mail it opened on)
        assert email_line.split() == ["Email", "old@acme.example", "new@acme.example",
                                      "old@acme.example"]  # fmt: skip
        assert "Name" not in text  # only the fields changed elsewhere are listed
        row = reopen().get("clients", cid)
        assert (row["name"], row["email"]) == ("Acme", "new@acme.example")
        await press(pilot, "m")
        assert isinstance(app.screen, ClientsScreen)
    row = reopen().get("clients", cid)
    assert (row["name"], row["email"]) == ("Acme Ltd", "old@acme.example")


async def test_take_theirs_reloads_and_keeps_my_other_changes(app, book, book_path, reopen) -> None:
    """Esc keeps editing (nothing written); t loads their e-mail beside my name; ctrl+s saves."""
    cid = book.add_client(Client(name="Acme", email="old@acme.example"))
    async with app.run_test(size=(80, 24)) as pilot:
        await _client_edit_gone_stale(app, pilot, book_path, cid)
        await press(pilot, "escape")
        assert isinstance(app.screen, ClientForm)
        assert (field(app, "name"), field(app, "email")) == ("Acme Ltd", "old@acme.example")
        assert "changed elsewhere" in plain(app.screen.query_one("#form-problem"))
        await press(pilot, "ctrl+s")  # still stale: asked again
        assert isinstance(app.screen, StaleEditModal)
        await press(pilot, "t")
        assert isinstance(app.screen, ClientForm)
        assert (field(app, "name"), field(app, "email")) == ("Acme Ltd", "new@acme.example")
        assert reopen().get("clients", cid)["name"] == "Acme"  # taking theirs writes nothing
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ClientsScreen)
    row = reopen().get("clients", cid)
    assert (row["name"], row["email"]) == ("Acme Ltd", "new@acme.example")


async def test_a_stale_setting(app, book, book_path, reopen) -> None:
    """Business name set elsewhere while its form is open: asked; m saves the typed one."""
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "9")
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        while screen.selected is not None and screen.selected["key"] != "business_name":
            await press(pilot, "down")
        await press(pilot, "e")
        assert isinstance(app.screen, SettingForm)
        Book(book_path).save_settings({"business_name": "Studio Nord"})
        await type_text(pilot, "Studio Sud")
        await press(pilot, "ctrl+s")
        text = dialog_text(app)
        assert "This setting was changed elsewhere" in text
        line = next(x for x in text.splitlines() if x.strip().startswith("Business name"))
        assert line.split() == ["Business", "name", "(empty)", "Studio", "Nord", "Studio", "Sud"]
        assert reopen().settings().business_name == "Studio Nord"
        await press(pilot, "m")
        assert isinstance(app.screen, SettingsScreen)
    assert reopen().settings().business_name == "Studio Sud"


async def test_a_stale_expense_shows_markup_verbatim(app, book, book_path, reopen) -> None:
    """Their name ``[b]x[/]`` is shown as typed; e keeps editing; t takes their name and
    amount and keeps my end date; ctrl+s writes all three."""
    expense = {"name": "Rent", "amount": "49.00", "currency": "EUR", "cadence": "monthly",
               "next_date": "2026-12-01"}  # fmt: skip
    eid = book.add_expense(Expense.parse(expense))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "8", "e")
        assert isinstance(app.screen, ExpenseForm)
        theirs = Expense.parse({**expense, "name": "[b]x[/]", "amount": "59.00"})
        Book(book_path).update_expense(eid, theirs)
        await press(pilot, "tab", "tab", "tab", "tab", "tab")
        assert app.focused is not None and app.focused.id == "field-end_date"
        await type_text(pilot, "2027-12-31")
        await press(pilot, "ctrl+s")
        text = dialog_text(app)
        assert "This expense was changed elsewhere" in text
        lines = {line.split()[0]: line.split()[1:] for line in text.splitlines() if line.strip()}
        assert lines["Name"] == ["Rent", "[b]x[/]", "Rent"]
        assert lines["Amount"] == ["49.00", "59.00", "49.00"]
        await press(pilot, "e")  # keep editing: nothing happens
        assert isinstance(app.screen, ExpenseForm)
        assert reopen().get("expenses", eid)["end_date"] is None
        await press(pilot, "ctrl+s", "t")
        assert field(app, "name") == "[b]x[/]"
        assert field(app, "amount") == "59.00"
        assert field(app, "end_date") == "2027-12-31"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ExpensesScreen)
    row = reopen().get("expenses", eid)
    assert row["name"] == "[b]x[/]"
    assert row["amount"] == Decimal("59.00")
    assert row["end_date"] == dt.date(2027, 12, 31)
