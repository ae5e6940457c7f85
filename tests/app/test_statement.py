"""The statement of account by keys: 2, pick a client, o shows its totals, p saves the PDF."""

from __future__ import annotations

import stat
from pathlib import Path

from textual.widgets import Input, Static

from tui.analytics.statement import statement
from tui.app import make_app
from tui.modals.prompt import PromptModal
from tui.modals.statement import StatementModal
from tui.present.statement import summary_lines
from tui.screens.clients import ClientsScreen

from .conftest import DEMO_AS_OF
from .helpers import plain, press, settle, type_text


async def test_statement_shows_totals_and_saves_a_private_pdf(demo_book) -> None:
    app = make_app(demo_book)
    frames = demo_book.frames()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "2")
        screen = app.screen
        assert isinstance(screen, ClientsScreen)
        # the first client in the list that owes money
        for _ in range(screen.table.row_count):
            if statement(frames, DEMO_AS_OF, screen.selected["id"]).rows.height:
                break
            await press(pilot, "down")
        client = screen.selected
        expected = statement(frames, DEMO_AS_OF, client["id"])
        assert expected.rows.height > 0
        await press(pilot, "o")
        modal = app.screen
        assert isinstance(modal, StatementModal)
        text = plain(modal.query_one("#statement-text", Static))
        assert f"Client: {client['name']}" in text
        for line in summary_lines(expected):
            assert line.split(": ")[0] in text
        owed = next(line for line in summary_lines(expected) if line.startswith("Total owed"))
        assert owed in text
        await press(pilot, "p")
        prompt = app.screen
        assert isinstance(prompt, PromptModal)
        default = Path(prompt.query_one(Input).value)
        assert default.parent == Path.home() / "milepay-messages"
        assert default.name.startswith("2026-11-24-statement-") and default.suffix == ".pdf"
        await press(pilot, "enter")
        assert app.screen is modal
        assert default.read_bytes().startswith(b"%PDF")
        assert stat.S_IMODE(default.stat().st_mode) == 0o600
        assert stat.S_IMODE(default.parent.stat().st_mode) == 0o700
        assert "Saved to" in plain(modal.query_one("#statement-status", Static))
        # the same name again is refused in the prompt, before anything is written
        await press(pilot, "p")
        field = app.screen.query_one(Input)
        field.value = ""
        await type_text(pilot, str(default))
        await press(pilot, "enter")
        assert isinstance(app.screen, PromptModal)
        assert "already exists" in plain(app.screen.query_one("#prompt-message", Static))
        await press(pilot, "escape", "escape")
        assert isinstance(app.screen, ClientsScreen)


async def test_markup_name_is_plain_text_in_the_statement(app) -> None:
    """A client named like markup: the modal title and text show it as typed."""
    from tui.domain.model import Client

    name = "[bold]Acme[/] $x {0}"
    app.session.book.add_client(Client(name=name))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "2", "o")
        modal = app.screen
        assert isinstance(modal, StatementModal)
        text = plain(modal.query_one("#statement-text", Static))
        assert f"Client: {name}" in text
        assert "Nothing is owed" in text
