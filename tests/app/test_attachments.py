"""Issue 12 by keys: invoice files, what a message attaches, the statement, undoing a step.

The demo book at 2026-11-24; what was written is read back from the file, and saved drafts
are parsed with the stdlib e-mail package.
"""

from __future__ import annotations

import email
import stat
from email import policy
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from tui.app import MilepayApp
from tui.modals.compose import ComposeModal
from tui.modals.confirm import ConfirmModal
from tui.screens.milestones import MilestonesScreen
from tui.store import Book

from .helpers import plain, press, settle, type_text
from .test_chase import KETTLE, body_of, events, open_queue

PDF = b"%PDF-1.4\n% the invoice 2026-043\n"


@pytest.fixture(autouse=True)
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config with the user's own address (the From of drafts) and no mail server."""
    path = tmp_path / "config.toml"
    path.write_text(
        f'message_folder = "{tmp_path / "messages"}"\n[mail]\nfrom = "mara@lindqvist.example"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("MILEPAY_CONFIG", str(path))
    return path


@pytest.fixture
def demo(book_path: Path, demo_at) -> Book:
    """The demo book as of 2026-11-24."""
    return demo_at(book_path)


@pytest.fixture
def invoice(tmp_path: Path) -> Path:
    """The Kettle invoice as the invoicing tool made it."""
    path = tmp_path / "invoices" / "2026-043.pdf"
    path.parent.mkdir()
    path.write_bytes(PDF)
    return path


async def test_compose_attaches_the_invoice_and_the_draft_carries_it(
    demo: Book, reopen, invoice: Path, tmp_path: Path
) -> None:
    """The invoice file set on the milestone is attached, named in the text, and in the .eml."""
    with demo.writing() as con:  # as if set with i on the milestones screen
        con.execute("UPDATE milestones SET invoice_file = ? WHERE id = ?", [str(invoice), KETTLE])
    app = MilepayApp(demo)
    target = tmp_path / "out" / "kettle.eml"
    async with app.run_test(size=(100, 30)) as pilot:
        await open_queue(pilot, "kettle")
        await press(pilot, "m")
        assert isinstance(app.screen, ComposeModal)
        assert plain(app.screen.query_one("#compose-files", Static)).strip() == "2026-043.pdf"
        assert "Attached: the invoice (2026-043.pdf)." in body_of(app)
        await press(pilot, "ctrl+s")
        app.screen.query_one("#save-path", Input).value = str(target)
        await press(pilot, "enter", "y")
        assert "Reminder logged" in plain(app.screen.query_one("#compose-status"))
    msg = email.message_from_bytes(target.read_bytes(), policy=policy.default)
    assert msg["X-Unsent"] == "1" and "mara@lindqvist.example" in str(msg["From"])
    [part] = list(msg.iter_attachments())
    assert part.get_filename() == "2026-043.pdf" and part.get_content() == PDF
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


async def test_a_missing_invoice_file_stops_the_save_and_logs_nothing(
    demo: Book, reopen, invoice: Path, tmp_path: Path
) -> None:
    """The file went away after it was set: the save says which file and writes nothing."""
    with demo.writing() as con:
        con.execute("UPDATE milestones SET invoice_file = ? WHERE id = ?", [str(invoice), KETTLE])
    invoice.unlink()
    before = len(events(demo, KETTLE))
    app = MilepayApp(demo)
    target = tmp_path / "out" / "kettle.eml"
    async with app.run_test(size=(100, 30)) as pilot:
        await open_queue(pilot, "kettle")
        await press(pilot, "m", "ctrl+s")
        app.screen.query_one("#save-path", Input).value = str(target)
        await press(pilot, "enter")
        assert isinstance(app.screen, ComposeModal)  # no "Was it sent?": nothing was saved
        status = plain(app.screen.query_one("#compose-status"))
        assert "Not done" in status and "2026-043.pdf does not exist" in status
    assert not target.exists() and not target.parent.exists()
    assert len(events(reopen(), KETTLE)) == before


async def test_statement_is_attached_and_named(demo: Book, tmp_path: Path) -> None:
    """^g writes the client's statement of account (0600) and the unedited text names it."""
    app = MilepayApp(demo)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_queue(pilot, "kettle")
        await press(pilot, "m", "ctrl+g")
        files = plain(app.screen.query_one("#compose-files", Static)).strip()
        assert "statement" in files and files.endswith(".pdf")
        assert "Attached: " in body_of(app) and "statement" in body_of(app)
        [pdf] = (tmp_path / "messages").glob("*statement*.pdf")
        assert pdf.read_bytes().startswith(b"%PDF")
        assert stat.S_IMODE(pdf.stat().st_mode) == 0o600
        await press(pilot, "ctrl+g")  # once is enough
        assert "already attached" in plain(app.screen.query_one("#compose-status"))
    assert len(list((tmp_path / "messages").glob("*.pdf"))) == 1


async def test_undo_the_last_step_from_the_queue_and_from_the_milestone(demo: Book, reopen) -> None:
    """U on the queue undoes a step logged by mistake (asks first); U on milestones too."""
    before = len(events(demo, KETTLE))
    app = MilepayApp(demo)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_queue(pilot, "kettle")
        await press(pilot, "m", "ctrl+o", "y", "escape")  # logged the reminder
        assert len(events(reopen(), KETTLE)) == before + 1
        await settle(pilot)
        await press(pilot, "U")
        assert isinstance(app.screen, ConfirmModal)
        assert "Undo the reminder step logged on 2026-11-24" in plain(
            app.screen.query_one(".dialog-body")
        )
        await press(pilot, "y")
        await settle(pilot)
        assert len(events(reopen(), KETTLE)) == before
        assert app.screen.selected["step"] == "reminder"  # due again
        # the same from the milestones screen, after logging again
        await press(pilot, "m", "ctrl+o", "y", "escape")
        await settle(pilot)
        await press(pilot, "4", "slash")
        await type_text(pilot, "2026-043")
        await press(pilot, "enter")
        assert isinstance(app.screen, MilestonesScreen)
        assert app.screen.selected["milestone_id"] == KETTLE
        await press(pilot, "U", "y")
        await settle(pilot)
    assert len(events(reopen(), KETTLE)) == before


async def test_invoice_form_takes_the_invoice_file_and_refuses_a_missing_one(
    demo: Book, reopen, tmp_path: Path
) -> None:
    """i on a delivered milestone: a file that is not there is named under the field and
    nothing is saved; an existing one is kept with the invoice, as an absolute path."""
    pdf = tmp_path / "INV-77.pdf"
    pdf.write_bytes(PDF)
    app = MilepayApp(demo)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "4", "t")  # the work to invoice
        await settle(pilot)
        mid = app.screen.selected["milestone_id"]
        await press(pilot, "i")
        await type_text(pilot, "INV-77")
        await press(pilot, "tab", "tab", "tab")
        await type_text(pilot, str(tmp_path / "nope.pdf"))
        await press(pilot, "ctrl+s")
        error = plain(app.screen.query_one("#err-invoice_file", Static))
        assert "nope.pdf does not exist" in error
        assert reopen().get("milestones", mid)["status"] != "invoiced"
        field = app.screen.query_one("#field-invoice_file", Input)
        field.value = str(pdf)
        await press(pilot, "ctrl+s")
        await settle(pilot)
    row = reopen().get("milestones", mid)
    assert (row["status"], row["invoice_no"], row["invoice_file"]) == (
        "invoiced",
        "INV-77",
        str(pdf),
    )
