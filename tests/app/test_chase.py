"""The chase queue by keys on the demo book at 2026-11-24; what was logged is read from the file.

Mail settings come from a config file in the test's folder (``$MILEPAY_CONFIG``) and the list
of confirmed mail servers is there too, so no test reads or writes the user's own.
"""

from __future__ import annotations

import email
from email import policy
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Static, TextArea

from tui.app import MilepayApp
from tui.config import MailConfig, load_config, save_mail
from tui.mail import confirm_server
from tui.modals.chase_log import ChaseLogForm
from tui.modals.compose import ComposeModal
from tui.modals.confirm import ConfirmModal
from tui.modals.mail_settings import MailSettingsForm
from tui.screens.chase import ChaseScreen
from tui.store import Book

from .helpers import plain, press, settle, type_text

AS_OF_TEXT = "2026-11-24"
KETTLE = 47  # Kettle Corner Café / Website and online ordering #3, 5 days late: reminder
ALL = "$client|$contact|$milestone|$amount|$due_date|$days_past_due|$invoice_no|$late_fee|$business_name"


@pytest.fixture(autouse=True)
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The config file (not there yet) and the confirmed servers list, in the test's folder."""
    path = tmp_path / "config" / "config.toml"
    monkeypatch.setenv("MILEPAY_CONFIG", str(path))
    monkeypatch.setenv("MILEPAY_MAIL_SERVERS_CONFIRMED", str(tmp_path / "state" / "confirmed"))
    monkeypatch.delenv("MILEPAY_SMTP_PASSWORD", raising=False)
    return path


def local_server(port: int) -> dict[str, str]:
    """The [mail] table for the local test server (no login, no TLS)."""
    return {"host": "127.0.0.1", "port": str(port), "security": "none",
            "from": "mara@lindqvist.example"}  # fmt: skip


@pytest.fixture
def demo(book_path: Path, demo_at) -> Book:
    """The demo book as of 2026-11-24."""
    return demo_at(book_path)


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
        await press(pilot, "y")  # Was it sent? yes
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


async def test_edited_body_is_what_is_saved_and_logged(
    demo: Book, reopen, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """^s asks for a path (.eml default), saves the edited text as a draft from the user's own
    address, asks whether it was sent, and logs it once on yes."""
    config = tmp_path / "config.toml"
    config.write_text('[mail]\nfrom = "mara@lindqvist.example"\n', encoding="utf-8")
    monkeypatch.setenv("MILEPAY_CONFIG", str(config))
    before = len(events(demo, KETTLE))
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
        assert isinstance(app.screen, ConfirmModal)
        assert "Was it sent?" in plain(app.screen.query_one(".dialog-body"))
        assert len(events(reopen(), KETTLE)) == before  # nothing logged before the answer
        await press(pilot, "y")
        status = plain(app.screen.query_one("#compose-status"))
        assert f"Saved to {target}" in status and "Reminder logged" in status
    msg = email.message_from_bytes(target.read_bytes(), policy=policy.default)
    assert msg["To"].addresses[0].addr_spec == "lea@kettlecorner.example"
    assert msg["From"].addresses[0].addr_spec == "mara@lindqvist.example"
    assert msg["X-Unsent"] == "1"
    assert msg.get_content().startswith("Hello again. Dear Lea Brandt,")
    event = events(reopen(), KETTLE)[-1]
    assert event["note"] == f"saved to {target}" and "\n\nHello again. Dear" in event["message"]


async def test_a_copy_not_sent_logs_nothing(demo: Book, reopen) -> None:
    """^o copies; "Not yet" to "Was it sent?" leaves the step due and the log as it was."""
    before, count = len(events(demo, KETTLE)), demo.change_count()
    app = MilepayApp(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_queue(pilot, "kettle")
        await press(pilot, "m", "ctrl+o")
        assert isinstance(app.screen, ConfirmModal)
        await press(pilot, "n")
        assert isinstance(app.screen, ComposeModal)
        assert "Not logged" in plain(app.screen.query_one("#compose-status"))
    book = reopen()
    assert len(events(book, KETTLE)) == before and book.change_count() == count


async def test_first_send_asks_about_the_server_then_sends_and_logs(
    demo: Book, reopen, smtp_server, tmp_path: Path
) -> None:
    """^r through a server new to this machine asks first; y records it, sends, logs once."""
    port, inbox = smtp_server
    save_mail(local_server(port))
    before = len(events(demo, KETTLE))
    app = MilepayApp(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_queue(pilot, "kettle")
        await press(pilot, "m", "ctrl+r")
        assert isinstance(app.screen, ConfirmModal)
        question = plain(app.screen.query_one(".dialog-body"))
        assert f"Send mail through 127.0.0.1:{port}? This server has not been used" in question
        assert "not encrypted" in question
        assert inbox.envelopes == []
        await press(pilot, "y")
        assert isinstance(app.screen, ComposeModal)
        assert "Sent to lea@kettlecorner.example" in plain(app.screen.query_one("#compose-status"))
        await press(pilot, "ctrl+r")  # confirmed now: no second question
        assert isinstance(app.screen, ComposeModal)
        assert "already logged" in plain(app.screen.query_one("#compose-status"))
    assert (tmp_path / "state" / "confirmed").read_text(encoding="utf-8") == f"127.0.0.1:{port}:\n"
    assert len(inbox.envelopes) == 2
    got = inbox.envelopes[0]
    assert got.rcpt_tos == ["lea@kettlecorner.example"]
    assert got.mail_from == "mara@lindqvist.example"
    msg = email.message_from_bytes(got.original_content, policy=policy.default)
    assert str(msg["Subject"]) == "Payment reminder: Online ordering (Kettle Corner Café)"
    logged = events(reopen(), KETTLE)
    assert len(logged) == before + 1
    assert logged[-1]["note"].startswith("sent by e-mail to lea@kettlecorner.example")


async def test_no_to_a_new_server_sends_and_logs_nothing(
    demo: Book, reopen, smtp_server, tmp_path: Path
) -> None:
    """n to the question: nothing sent, nothing logged, the server not recorded."""
    port, inbox = smtp_server
    save_mail(local_server(port))
    count, before = demo.change_count(), len(events(demo, KETTLE))
    app = MilepayApp(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_queue(pilot, "kettle")
        await press(pilot, "m", "ctrl+r")
        assert isinstance(app.screen, ConfirmModal)
        await press(pilot, "n")
        assert isinstance(app.screen, ComposeModal)
        status = plain(app.screen.query_one("#compose-status"))
        assert "Not sent: the mail server was not confirmed. Nothing logged." in status
        assert "Dear Lea Brandt" in body_of(app)
    assert inbox.envelopes == []
    assert not (tmp_path / "state" / "confirmed").exists()
    book = reopen()
    assert len(events(book, KETTLE)) == before and book.change_count() == count


async def test_refused_connection_says_so_and_logs_nothing(
    demo: Book, reopen, refused_port: int
) -> None:
    """Nobody listening on the SMTP port: a clear message, the text kept, no event."""
    port = refused_port
    save_mail(local_server(port))
    confirm_server(MailConfig(host="127.0.0.1", port=port, security="none"))
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


async def test_open_password_file_is_refused_when_sending(
    demo: Book, reopen, smtp_server, tmp_path: Path
) -> None:
    """A login whose password file others can read: named in the status, nothing sent."""
    port, inbox = smtp_server
    secret = tmp_path / "pw"
    secret.write_text("s3cret")
    secret.chmod(0o600)
    save_mail({**local_server(port), "user": "mara", "password_file": str(secret)})
    secret.chmod(0o644)  # after it was set up
    confirm_server(MailConfig(host="127.0.0.1", port=port, security="none", user="mara"))
    before = len(events(demo, KETTLE))
    app = MilepayApp(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_queue(pilot, "kettle")
        await press(pilot, "m", "ctrl+r")
        status = plain(app.screen.query_one("#compose-status"))
        assert f"the SMTP password file {secret} has mode 0644" in status
    assert inbox.envelopes == [] and len(events(reopen(), KETTLE)) == before


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


async def test_legal_shows_cost_against_claim_first(demo: Book, reopen) -> None:
    """A legal step shows the claim beside the estimated cost before composing, then offers one
    message for the client's two milestones with the legal step due for the same contact; the
    message states invoice, paid, open, fee and claim for both, and logs legal for each."""
    app = MilepayApp(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "7")
        row = app.screen.selected
        assert row["step"] == "legal"
        await press(pilot, "m")
        question = plain(app.screen.query_one(".dialog-body"))
        assert "Open 2,160.00 EUR + late fee 151.32 EUR = claim 2,311.32 EUR" in question
        assert "Estimated cost of legal action: 500.00 EUR" in question
        assert "Worth it (claim 1,811.32 EUR above the cost)." in question
        await press(pilot, "y")
        assert isinstance(app.screen, ConfirmModal)  # one message for both?
        group = plain(app.screen.query_one(".dialog-body"))
        assert "2 milestones of Bright Ideas [Studio] & Co have the legal step due" in group
        assert "#4 Brand guidelines" in group and "#5 Templates pack" in group
        await press(pilot, "y")
        assert isinstance(app.screen, ComposeModal)
        assert "Final notice" in app.screen.query_one("#compose-subject", Input).value
        body = body_of(app)
        assert "Brand guidelines" in body and "Templates pack" in body
        assert "Total claimed" in body or "total claimed" in body
        before = {mid: len(events(demo, mid)) for mid in (row["milestone_id"],)}
        await press(pilot, "ctrl+o", "y")
        assert "logged for 2 milestones" in plain(app.screen.query_one("#compose-status"))
    book = reopen()
    legal = book.rows("chase_events", "step = 'legal' AND date = ?", [AS_OF_TEXT])
    assert len(legal) == 2  # one event per milestone of the message
    assert row["milestone_id"] in {e["milestone_id"] for e in legal}
    assert len(events(book, row["milestone_id"])) == before[row["milestone_id"]] + 1


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


async def test_mail_setup_writes_the_config_file_not_the_book(
    demo: Book, reopen, tmp_path: Path, config_file: Path
) -> None:
    """M edits [mail] of the config file (comments kept); the book is not written."""
    config_file.parent.mkdir(mode=0o700)
    config_file.write_text('# mine\ntheme = "textual-dark"\n\n[mail]\nport = 2525  # the relay\n')
    secret = tmp_path / "pw"
    secret.write_text("x")
    secret.chmod(0o644)
    count = demo.change_count()
    app = MilepayApp(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "7", "M")
        form = app.screen
        assert isinstance(form, MailSettingsForm)
        assert f"Written to {config_file} (not the book)" in plain(form.query_one(".form-subtitle"))
        assert form.query_one("#field-port", Input).value == "2525"
        form.query_one("#field-host", Input).value = "smtp.example.com"
        form.query_one("#field-from", Input).value = "mara@lindqvist.example"
        form.query_one("#field-password_file", Input).value = str(secret)
        await press(pilot, "ctrl+s")
        assert "chmod 600" in plain(form.query_one("#err-password_file"))
        form.query_one("#field-port", Input).value = "abc"
        await settle(pilot)
        assert "'abc' is not a port number" in plain(form.query_one("#err-port"))
        form.query_one("#field-port", Input).value = "2525"
        secret.chmod(0o600)
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ChaseScreen)
    assert config_file.read_text(encoding="utf-8") == (
        '# mine\ntheme = "textual-dark"\n\n[mail]\nport = 2525  # the relay\n'
        f'host = "smtp.example.com"\nsecurity = "starttls"\nfrom = "mara@lindqvist.example"\n'
        f'password_file = "{secret}"\n'
    )
    config, problems = load_config(config_file)
    assert problems == []
    assert config.mail == MailConfig(host="smtp.example.com", port=2525, security="starttls",
                                     from_addr="mara@lindqvist.example", password_file=secret)  # fmt: skip
    assert reopen().change_count() == count


async def test_firm_not_paused_does_not_say_work_is_paused(demo: Book, reopen) -> None:
    """n to pausing: the contract stays active and the message says nothing about a pause
    (it would be false); the rest of the firm message is there."""
    app = MilepayApp(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_queue(pilot, "polaris")
        row = screen.selected
        await press(pilot, "m", "n")
        assert isinstance(app.screen, ComposeModal)
        body = body_of(app)
        assert "still unpaid" in body and "paused" not in body
        assert "\n\n\n" not in body  # the empty sentence leaves no hole
    assert reopen().get("contracts", row["contract_id"])["status"] == "active"
