"""Clients by keys only: add with contacts, markup-looking names, archive and restore, cancel."""

from __future__ import annotations

from textual.widgets import Input

from tui.screens.clients import ClientsScreen

from .helpers import plain, press, settle, type_text

EVIL = "[@click=app.quit]Evil[/] & Co [/]"


async def test_add_client_with_three_contacts(app, reopen) -> None:
    """2, n, type the client and its main/payer/owner lines, Enter: all in the file."""
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "2", "n")
        await type_text(pilot, "Acme Ltd")
        await press(pilot, "tab")
        await type_text(pilot, "ap@acme.example")
        for _ in range(7):  # phone, address, work again, rating, notes, feedback -> main name
            await press(pilot, "tab")
        assert app.focused.id == "field-main_name"
        for text in (
            "Ann Main",
            "ann@acme.example",
            "555-1",
            "Pat Payer",
            "pat@acme.example",
            "",
            "Olga Owner",
            "olga@acme.example",
            "",
        ):
            if text:
                await type_text(pilot, text)
            await press(pilot, "tab")
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ClientsScreen)
    book = reopen()
    clients = book.rows("clients")
    assert [c["name"] for c in clients] == ["Acme Ltd"]
    assert clients[0]["email"] == "ap@acme.example"
    contacts = {c["role"]: c for c in book.rows("contacts")}
    assert contacts["main"]["name"] == "Ann Main" and contacts["main"]["phone"] == "555-1"
    assert contacts["payer"]["email"] == "pat@acme.example"
    assert contacts["owner"]["name"] == "Olga Owner"


async def test_markup_in_a_name_is_shown_verbatim(app, reopen) -> None:
    """A name full of markup is stored and shown as typed; the app keeps running."""
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "2", "n")
        await type_text(pilot, EVIL)
        await press(pilot, "enter")
        screen = app.screen
        assert isinstance(screen, ClientsScreen)
        assert str(screen.table.get_row_at(0)[0]) == EVIL
        detail = plain(screen.query_one("#detail"))
        assert EVIL in detail
        await press(pilot, "e")
        assert app.screen.query_one("#field-name", Input).value == EVIL
        await press(pilot, "escape")
        await press(pilot, "1")
        assert app.is_running
    assert reopen().rows("clients")[0]["name"] == EVIL


async def test_archive_and_restore(app, reopen, book) -> None:
    """a archives (hidden), A shows archived, a restores."""
    from tui.domain.model import Client

    book.add_client(Client.parse({"name": "Old Co"}))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "2", "a")
        assert reopen().rows("clients")[0]["archived"] is True
        assert app.screen.table.row_count == 0
        await press(pilot, "A")
        assert app.screen.table.row_count == 1
        await press(pilot, "a")
        assert reopen().rows("clients")[0]["archived"] is False


async def test_cancel_a_form_with_changes_asks(app, reopen) -> None:
    """Esc on a typed form asks; n keeps editing with the text; y discards; nothing written."""
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "2", "n")
        await type_text(pilot, "Half typed")
        await press(pilot, "escape")
        assert "Discard" in plain(app.screen.query_one(".dialog-body"))
        await press(pilot, "n")
        assert app.screen.query_one("#field-name", Input).value == "Half typed"
        await press(pilot, "escape", "y")
        assert isinstance(app.screen, ClientsScreen)
        # an untouched form closes without asking
        await press(pilot, "n", "escape")
        assert isinstance(app.screen, ClientsScreen)
    assert reopen().rows("clients") == []
