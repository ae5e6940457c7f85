"""The chase queue by keys on the demo book at 2026-11-24; what was logged is read from the file."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Static, TextArea

from tui.app import MilepayApp
from tui.modals.chase_log import ChaseLogForm
from tui.modals.compose import ComposeModal
from tui.modals.confirm import ConfirmModal
from tui.screens.chase import ChaseScreen
from tui.store import Book
from tui.store.demo import write_demo

from .helpers import plain, press, settle, type_text

AS_OF_TEXT = "2026-11-24"
KETTLE = 47  # Kettle Corner Café / Website and online ordering #3, 5 days late: reminder
ALL = "$client|$contact|$milestone|$amount|$due_date|$days_past_due|$invoice_no|$late_fee|$business_name"


@pytest.fixture
def demo(book: Book) -> Book:
    """The demo book as of 2026-11-24."""
    import datetime as dt

    write_demo(book, dt.date(2026, 11, 24))
    return book


def events(book: Book, milestone_id: int) -> list[dict[str, Any]]:
    """The chase events of one milestone, from the file."""
    return book.rows("chase_events", "milestone_id = ?", [milestone_id])


async def open_queue(pilot: Any, filter_text: str) -> ChaseScreen:
    """7, then filter the queue to one row."""
    await settle(pilot)
    await press(pilot, "7", "slash")
    await type_text(pilot, filter_text)
    await press(pilot, "enter")
    screen = pilot.app.screen
    assert isinstance(screen, ChaseScreen)
    return screen


def body_of(app: MilepayApp) -> str:
    """The composer's body as it stands."""
    return app.screen.query_one("#compose-body", TextArea).text


async def test_compose_fills_every_placeholder_and_logs_once(demo: Book, reopen) -> None:
    """m composes from the template with the row's values; copying twice logs one event."""
    demo.set_template("reminder", "$invoice_no late", ALL + " {0.__class__} $unknown")
    before = len(events(demo, KETTLE))
    app = MilepayApp(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_queue(pilot, "kettle")
        assert screen.table.row_count == 1
        await press(pilot, "m")
        assert isinstance(app.screen, ComposeModal)
        body = body_of(app)
        first_line = body.splitlines()[0]
        assert first_line == (
            "Kettle Corner Café|Lea Brandt|Online ordering|1,200.00 EUR|2026-11-19|5|2026-043|"
            "0.00 EUR|Mara Lindqvist Studio {0.__class__} $unknown"
        )
        assert app.screen.query_one("#compose-subject", Input).value == "2026-043 late"
        warning = plain(app.screen.query_one(".warning", Static))
        assert "$unknown" in warning
        assert "Lea Brandt <lea@kettlecorner.example>" in plain(app.screen.query_one("#compose-to"))
        await press(pilot, "ctrl+o")
        assert app.clipboard == body
        await press(pilot, "ctrl+o")
        assert "already logged" in plain(app.screen.query_one("#compose-status"))
        await press(pilot, "escape")
        assert isinstance(app.screen, ChaseScreen)
        assert screen.table.row_count == 1  # still owed; the step moved on
        assert screen.selected["step"] == "firm"
    logged = events(reopen(), KETTLE)
    assert len(logged) == before + 1
    event = logged[-1]
    assert str(event["date"]) == AS_OF_TEXT and event["step"] == "reminder"
    assert event["channel"] == "email" and event["contact"] == "Lea Brandt"
    assert event["message"] == f"Subject: 2026-043 late\n\n{body}"


async def test_edited_body_is_what_is_saved_and_logged(demo: Book, reopen, tmp_path: Path) -> None:
    """^s asks for a path (.eml default), saves the edited text there and logs it once."""
    app = MilepayApp(demo)
    target = tmp_path / "out" / "kettle.eml"
    async with app.run_test(size=(80, 24)) as pilot:
        await open_queue(pilot, "kettle")
        await press(pilot, "m")
        await type_text(pilot, "Hello again. ")
        await press(pilot, "ctrl+s")
        field = app.screen.query_one("#save-path", Input)
        assert field.value.endswith("-reminder.eml")
        field.value = str(target)
        await press(pilot, "enter")
        status = plain(app.screen.query_one("#compose-status"))
        assert f"Saved to {target}" in status and "Reminder logged" in status
    msg = email.message_from_bytes(target.read_bytes(), policy=policy.default)
    assert msg["To"].addresses[0].addr_spec == "lea@kettlecorner.example"
    assert msg.get_content().startswith("Hello again. Dear Lea Brandt,")
    event = events(reopen(), KETTLE)[-1]
    assert event["note"] == f"saved to {target}" and "\n\nHello again. Dear" in event["message"]


async def test_send_by_smtp_delivers_and_logs(demo: Book, reopen, smtp_server) -> None:
    """With SMTP set up, ^r sends to the contact through the server and logs the step."""
    port, inbox = smtp_server
    demo.save_settings({"smtp_host": "127.0.0.1", "smtp_port": str(port), "smtp_security": "none",
                        "smtp_from": "mara@lindqvist.example"})  # fmt: skip
    before = len(events(demo, KETTLE))
    app = MilepayApp(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_queue(pilot, "kettle")
        await press(pilot, "m", "ctrl+r")
        assert "Sent to lea@kettlecorner.example" in plain(app.screen.query_one("#compose-status"))
    assert len(inbox.envelopes) == 1
    got = inbox.envelopes[0]
    assert got.rcpt_tos == ["lea@kettlecorner.example"]
    assert got.mail_from == "mara@lindqvist.example"
    msg = email.message_from_bytes(got.original_content, policy=policy.default)
    assert str(msg["Subject"]) == "Reminder: Online ordering was due on 2026-11-19"
    logged = events(reopen(), KETTLE)
    assert len(logged) == before + 1
    assert logged[-1]["note"].startswith("sent by e-mail to lea@kettlecorner.example")


async def test_refused_connection_says_so_and_logs_nothing(
    demo: Book, reopen, refused_port: int
) -> None:
    """Nobody listening on the SMTP port: a clear message, the text kept, no event."""
    port = refused_port
    demo.save_settings({"smtp_host": "127.0.0.1", "smtp_port": str(port), "smtp_security": "none",
                        "smtp_from": "mara@lindqvist.example"})  # fmt: skip
    before = len(events(demo, KETTLE))
    app = MilepayApp(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_queue(pilot, "kettle")
        await press(pilot, "m", "ctrl+r")
        assert isinstance(app.screen, ComposeModal)
        status = plain(app.screen.query_one("#compose-status"))
        assert f"127.0.0.1:{port}: connection refused" in status and "Not sent" in status
        assert "Dear Lea Brandt" in body_of(app)
    assert len(events(reopen(), KETTLE)) == before


async def test_firm_offers_to_pause_the_contract(demo: Book, reopen) -> None:
    """Composing a firm reminder asks to pause the contract; y pauses it, then composes."""
    app = MilepayApp(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_queue(pilot, "polaris")
        row = screen.selected
        assert row["step"] == "firm" and row["contract_status"] == "active"
        await press(pilot, "m")
        assert isinstance(app.screen, ConfirmModal)
        await press(pilot, "y")
        assert isinstance(app.screen, ComposeModal)
        assert "paused work on the project" in body_of(app)
    status = reopen().get("contracts", row["contract_id"])["status"]
    assert status == "paused"


async def test_legal_shows_cost_against_claim_first(demo: Book) -> None:
    """A legal step shows the claim beside the estimated cost before composing."""
    app = MilepayApp(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "7")
        assert app.screen.selected["step"] == "legal"
        await press(pilot, "m")
        question = plain(app.screen.query_one(".dialog-body"))
        assert "Open 2,160.00 EUR + late fee 151.32 EUR = claim 2,311.32 EUR" in question
        assert "Estimated cost of legal action: 500.00 EUR" in question
        assert "Worth it (claim 1,811.32 EUR above the cost)." in question
        await press(pilot, "y")
        assert isinstance(app.screen, ComposeModal)
        assert "Final notice" in app.screen.query_one("#compose-subject", Input).value


async def test_hold_takes_the_milestone_out_and_release_brings_it_back(demo: Book, reopen) -> None:
    """h with a reason and +14d: gone from the queue, listed under H; u releases it."""
    app = MilepayApp(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_queue(pilot, "kettle")
        await press(pilot, "h")
        await type_text(pilot, "payment plan")
        await press(pilot, "tab", "ctrl+a")
        app.screen.query_one("#field-until", Input).value = "+14d"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ChaseScreen)
        assert screen.table.row_count == 0
        hold = [h for h in reopen().rows("holds") if h["milestone_id"] == KETTLE][-1]
        assert hold["reason"] == "payment plan" and str(hold["until"]) == "2026-12-08"
        await press(pilot, "H")
        assert screen.table.row_count == 2  # the demo's own hold of another Kettle milestone
        screen.table.move_cursor(row=screen.table.get_row_index(str(KETTLE)))
        await settle(pilot)
        assert screen.selected["held"] and screen.selected["hold_reason"] == "payment plan"
        await press(pilot, "u", "H")
        assert screen.table.row_count == 1 and not screen.selected["held"]
    assert (
        str(reopen().rows("holds", "milestone_id = ?", [KETTLE])[-1]["released_on"]) == AS_OF_TEXT
    )


async def test_log_a_phone_call(demo: Book, reopen) -> None:
    """l logs a step taken by phone with a note."""
    before = len(events(demo, KETTLE))
    app = MilepayApp(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_queue(pilot, "kettle")
        await press(pilot, "l")
        assert isinstance(app.screen, ChaseLogForm)
        app.screen.query_one("#field-note", Input).value = "promised to pay Friday"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ChaseScreen)
    logged = events(reopen(), KETTLE)
    assert len(logged) == before + 1
    assert logged[-1]["channel"] == "phone" and logged[-1]["step"] == "reminder"
    assert logged[-1]["note"] == "promised to pay Friday"


async def test_mail_setup_form_saves_settings_and_refuses_open_password_file(
    demo: Book, reopen, tmp_path: Path
) -> None:
    """M: the SMTP settings are saved; a password file others can read is named as wrong."""
    secret = tmp_path / "pw"
    secret.write_text("x")
    secret.chmod(0o644)
    app = MilepayApp(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "7", "M")
        form = app.screen
        form.query_one("#field-smtp_host", Input).value = "smtp.example.com"
        form.query_one("#field-smtp_from", Input).value = "mara@lindqvist.example"
        form.query_one("#field-smtp_password_file", Input).value = str(secret)
        await press(pilot, "ctrl+s")
        assert "chmod 600" in plain(form.query_one("#err-smtp_password_file"))
        secret.chmod(0o600)
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ChaseScreen)
    settings = reopen().settings()
    assert (settings.smtp_host, settings.smtp_from) == (
        "smtp.example.com",
        "mara@lindqvist.example",
    )
    assert settings.smtp_password_file == str(secret) and settings.smtp_security == "starttls"
