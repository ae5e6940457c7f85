"""tui.mail without Textual: placeholders, .txt/.eml files, OSC 52, SMTP against a local server."""

from __future__ import annotations

import base64
import datetime as dt
import email
import os
from decimal import Decimal
from email import policy
from pathlib import Path
from typing import Any

import pytest

from tui.mail import (
    Draft,
    MailError,
    SmtpConfig,
    compose,
    default_path,
    fill,
    message_values,
    osc52,
    save,
    save_draft,
    send,
    smtp_password,
    to_email_message,
    unknown_placeholders,
)

ROW: dict[str, Any] = {
    "client": "Kettle Corner Café",
    "contact": "Lea Brandt",
    "contact_email": "lea@kettlecorner.example",
    "milestone": "Online ordering",
    "seq": 3,
    "open": Decimal("2160.00"),
    "currency": "EUR",
    "due_date": dt.date(2026, 11, 19),
    "days_past_due": 5,
    "invoice_no": "2026-043",
    "late_fee": Decimal("12.5"),
}
ALL = "$client|$contact|$milestone|$amount|$due_date|$days_past_due|$invoice_no|$late_fee|$business_name"


def test_every_placeholder_gets_its_value() -> None:
    """Each placeholder is filled with the row's value, amounts with currency and separators."""
    out = fill(ALL, message_values(ROW, "Mara Studio"))
    assert out.split("|") == [
        "Kettle Corner Café", "Lea Brandt", "Online ordering", "2,160.00 EUR", "2026-11-19",
        "5", "2026-043", "12.50 EUR", "Mara Studio",
    ]  # fmt: skip


def test_format_fields_and_unknown_placeholders_stay_literal() -> None:
    """``{0.__class__}``, ``{client}`` and ``$unknown`` are shown as typed, never evaluated."""
    template = "{0.__class__} {client} $unknown ${also_unknown} $client {__import__('os')}"
    out = fill(template, message_values(ROW, "X"))
    assert (
        out
        == "{0.__class__} {client} $unknown ${also_unknown} Kettle Corner Café {__import__('os')}"
    )
    assert unknown_placeholders(template) == ["$unknown", "$also_unknown"]


def test_values_are_inserted_once_not_refilled() -> None:
    """A client named like a placeholder keeps its name (one pass, no recursion)."""
    row = {**ROW, "client": "$business_name {0}"}
    assert fill("$client", message_values(row, "Mara")) == "$business_name {0}"


def test_compose_adds_signature_and_one_line_subject() -> None:
    """The draft: recipient, subject on one line, body with the signature under it."""
    draft = compose(ROW, "Late:\n$milestone", "Dear $contact,", business_name="M",
                    signature="Mara\nStudio")  # fmt: skip
    assert draft.to_line == "Lea Brandt <lea@kettlecorner.example>"
    assert draft.subject == "Late: Online ordering"
    assert draft.body == "Dear Lea Brandt,\n\n-- \nMara\nStudio\n"
    assert draft.logged_text().startswith("Subject: Late: Online ordering\n\nDear")


def test_osc52_sequence() -> None:
    """ESC ] 52 ; c ; base64(UTF-8) BEL."""
    seq = osc52("Grüße €")
    assert seq.startswith("\x1b]52;c;") and seq.endswith("\x07")
    assert base64.b64decode(seq[7:-1]).decode("utf-8") == "Grüße €"


def test_eml_structure(tmp_path: Path) -> None:
    """Headers (From, To, Subject, Date, Message-ID) and a UTF-8 body that reads back exactly."""
    draft = Draft("Léa Brändt", "lea@kettlecorner.example", "Erinnerung: Café", "Grüße,\n€ 5\n")
    when = dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.UTC)
    path = save_draft(tmp_path / "m.eml", draft, from_addr="mara@studio.example",
                      from_name="Mara Studio", when=when)  # fmt: skip
    assert path.stat().st_mode & 0o777 == 0o600
    msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert msg["To"].addresses[0].display_name == "Léa Brändt"
    assert msg["To"].addresses[0].addr_spec == "lea@kettlecorner.example"
    assert str(msg["From"]) == "Mara Studio <mara@studio.example>"
    assert str(msg["Subject"]) == "Erinnerung: Café"
    assert msg["Date"].datetime == when and msg["Message-ID"]
    assert msg.get_content_type() == "text/plain" and msg.get_content_charset() == "utf-8"
    assert msg.get_content() == "Grüße,\n€ 5\n"


def test_txt_and_no_overwrite(tmp_path: Path) -> None:
    """.txt holds To, Subject and body; an existing file is never overwritten."""
    draft = Draft("Lea", "lea@x.example", "Hi", "Body\n")
    path = save_draft(tmp_path / "sub" / "m.txt", draft)
    assert path.read_text(encoding="utf-8") == "To: Lea <lea@x.example>\nSubject: Hi\n\nBody\n"
    with pytest.raises(MailError, match="already exists"):
        save(path, "other")
    assert path.read_text(encoding="utf-8").endswith("Body\n")


def test_default_path_is_new(tmp_path: Path) -> None:
    """The default name says date, client and step, and skips names already taken."""
    first = default_path(tmp_path, ROW, "reminder", dt.date(2026, 11, 24), "eml")
    assert first.name == "2026-11-24-kettle-corner-caf-3-reminder.eml"
    first.write_text("x")
    assert default_path(tmp_path, ROW, "reminder", dt.date(2026, 11, 24), "eml").name.endswith(
        "-reminder-2.eml"
    )


def test_password_from_env_or_private_file(tmp_path: Path) -> None:
    """The environment wins; a file must be 0600; one readable by others is refused."""
    secret = tmp_path / "pw"
    secret.write_text("s3cret\n")
    os.chmod(secret, 0o644)
    config = SmtpConfig(host="h", user="u", password_file=str(secret))
    assert smtp_password(config, {"MILEPAY_SMTP_PASSWORD": "env"}) == "env"
    with pytest.raises(MailError, match=r"mode 0644.*chmod 600"):
        smtp_password(config, {})
    os.chmod(secret, 0o600)
    assert smtp_password(config, {}) == "s3cret"
    assert smtp_password(SmtpConfig(host="h"), {}) is None


def test_smtp_send_delivers(smtp_server: tuple[int, Any]) -> None:
    """A message sent to a local aiosmtpd server arrives whole."""
    port, inbox = smtp_server
    draft = compose(ROW, "Reminder: $milestone", "Dear $contact, €", business_name="Mara")
    config = SmtpConfig(host="127.0.0.1", port=port, security="none", from_addr="me@studio.example")
    send(config, to_email_message(draft, from_addr=config.sender), timeout=5)
    assert len(inbox.envelopes) == 1
    got = inbox.envelopes[0]
    assert got.mail_from == "me@studio.example" and got.rcpt_tos == ["lea@kettlecorner.example"]
    msg = email.message_from_bytes(got.original_content, policy=policy.default)
    assert str(msg["Subject"]) == "Reminder: Online ordering"
    assert msg.get_content().replace("\r\n", "\n") == "Dear Lea Brandt, €\n"  # CRLF on the wire


def test_smtp_connection_refused_is_a_clear_error(refused_port: int) -> None:
    """Nobody listening: a MailError naming the server and saying nothing was sent."""
    port = refused_port
    config = SmtpConfig(host="127.0.0.1", port=port, security="none", from_addr="me@x.example")
    draft = Draft("Lea", "lea@x.example", "Hi", "Body\n")
    with pytest.raises(MailError, match=f"127.0.0.1:{port}: connection refused.*Not sent"):
        send(config, to_email_message(draft, from_addr=config.sender), timeout=5)


def test_smtp_needs_sender_and_recipient() -> None:
    """No From or no To: refused before connecting."""
    config = SmtpConfig(host="127.0.0.1", port=1, security="none")
    with pytest.raises(MailError, match="sender"):
        send(config, to_email_message(Draft("Lea", "lea@x.example", "Hi", "B")))
    with pytest.raises(MailError, match="no e-mail address"):
        send(config, to_email_message(Draft("Lea", "", "Hi", "B"), from_addr="me@x.example"))


def test_mail_never_imports_textual() -> None:
    """tui.mail is usable (and testable) without Textual."""
    import subprocess
    import sys

    code = "import sys, tui.mail; assert 'textual' not in sys.modules, 'textual loaded'"
    subprocess.run([sys.executable, "-c", code], check=True)
