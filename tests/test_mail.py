"""tui.mail without Textual: placeholders, .txt/.eml files, OSC 52, SMTP against a local server."""

from __future__ import annotations

import base64
import datetime as dt
import email
import os
import stat
from decimal import Decimal
from email import policy
from pathlib import Path
from typing import Any

import pytest

from tui.config import MailConfig
from tui.mail import (
    Draft,
    MailError,
    MailServerUnconfirmed,
    PasswordFileError,
    check_password_file,
    compose,
    confirm_server,
    confirmed_servers_file,
    default_path,
    fill,
    is_confirmed,
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


@pytest.fixture(autouse=True)
def confirmed_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The list of confirmed servers lives in the test's folder, never the user's."""
    path = tmp_path / "state" / "mail-servers-confirmed"
    monkeypatch.setenv("MILEPAY_MAIL_SERVERS_CONFIRMED", str(path))
    return path


def test_every_placeholder_gets_its_value() -> None:
    """Each placeholder is filled with the row's value, amounts with currency and separators."""
    out = fill(ALL, message_values(ROW, "Mara Studio"))
    assert out.split("|") == [
        "Kettle Corner Café", "Lea Brandt", "Online ordering", "2,160.00 EUR", "2026-11-19",
        "5", "2026-043", "12.50 EUR", "Mara Studio",
    ]  # fmt: skip


def test_new_placeholders_from_a_row_without_the_new_columns() -> None:
    """A row with no amount/paid/rule (an older caller): invoice amount = open + 0 paid,
    total claimed = 2160.00 + 12.50, no statutory sentence, nothing attached, one item."""
    values = message_values(ROW, "Mara Studio")
    assert fill("$invoice_amount|$paid|$open|$total_claimed|$statutory_basis|$attachments",
                values).split("|") == [
        "2,160.00 EUR", "0.00 EUR", "2,160.00 EUR", "2,172.50 EUR", "", "",
    ]  # fmt: skip
    assert (
        values["items"] == "- Invoice 2026-043, Online ordering, due 2026-11-19: 2,160.00 EUR open"
    )
    assert unknown_placeholders("$items $open $total_claimed $statutory_basis $attachments") == []


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
    assert first.name == "2026-11-24-kettle-corner-cafe-3-reminder.eml"
    first.write_text("x")
    assert default_path(tmp_path, ROW, "reminder", dt.date(2026, 11, 24), "eml").name.endswith(
        "-reminder-2.eml"
    )


def test_password_from_env_or_private_file(tmp_path: Path) -> None:
    """The environment wins; else the file's first line (0600 or 0400); none: None."""
    secret = tmp_path / "pw"
    secret.write_text("s3cret\n")
    os.chmod(secret, 0o600)
    config = MailConfig(host="h", user="u", password_file=secret)
    assert smtp_password(config, {"MILEPAY_SMTP_PASSWORD": "env"}) == "env"
    assert smtp_password(config, {}) == "s3cret"
    os.chmod(secret, 0o400)
    assert smtp_password(config, {}) == "s3cret"
    assert smtp_password(MailConfig(host="h"), {}) is None


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A password file as it should be: a regular file of ours, mode 0600."""
    path = tmp_path / "pw"
    path.write_text("s3cret\n")
    path.chmod(0o600)
    return path


def refusal(path: Path) -> str:
    """Why ``smtp_password`` refuses the file (and that ``check_password_file`` agrees)."""
    config = MailConfig(host="h", user="u", password_file=path)
    with pytest.raises(PasswordFileError) as exc:
        smtp_password(config, {})
    assert str(exc.value) == f"the SMTP password file {path} {exc.value.reason} (nothing was sent)"
    with pytest.raises(PasswordFileError) as again:
        check_password_file(path)
    assert again.value.reason == exc.value.reason
    return exc.value.reason


def test_password_file_readable_by_others_is_refused(secret: Path) -> None:
    """0644: others can read it; the message says how to fix it."""
    secret.chmod(0o644)
    assert (
        refusal(secret)
        == f"has mode 0644, so other users can read or change it; run: chmod 600 {secret}"
    )
    secret.chmod(0o620)
    assert refusal(secret).startswith("has mode 0620, so other users can read or change it")


def test_password_file_with_another_mode_is_refused(secret: Path) -> None:
    """Only 0600 and 0400 are accepted: 0700 (executable) is not."""
    secret.chmod(0o700)
    assert refusal(secret) == (
        f"has mode 0700; a password file must have mode 0600 or 0400: run chmod 600 {secret}"
    )


def test_password_file_symlink_is_refused_even_to_a_private_file(
    secret: Path, tmp_path: Path
) -> None:
    """A link to a good 0600 file is still refused: the link could be pointed elsewhere."""
    link = tmp_path / "link-to-pw"
    link.symlink_to(secret)
    assert stat.S_IMODE(os.stat(link).st_mode) == 0o600  # what it points to is fine
    assert refusal(link).startswith("is a symbolic link: name the file itself")


def test_password_file_of_another_user_is_refused(
    secret: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file owned by another uid is refused (simulated: we pretend to be uid + 1)."""
    owner = secret.stat().st_uid
    monkeypatch.setattr(os, "getuid", lambda: owner + 1)
    assert refusal(secret) == (
        f"belongs to another user (uid {owner}), not to you (uid {owner + 1}): "
        "use a file of your own, mode 0600"
    )


def test_password_file_missing_folder_or_fifo_is_refused(tmp_path: Path) -> None:
    """No file, a folder, a FIFO (never opened blocking), an empty file: each refused."""
    assert refusal(tmp_path / "absent") == "does not exist"
    folder = tmp_path / "dir"
    folder.mkdir(mode=0o700)
    assert refusal(folder) == "is not a regular file"
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo, 0o600)
    assert refusal(fifo) == "is not a regular file"
    empty = tmp_path / "empty"
    empty.write_text("\n")
    empty.chmod(0o600)
    with pytest.raises(PasswordFileError, match="is empty"):
        smtp_password(MailConfig(host="h", user="u", password_file=empty), {})


def test_bad_password_file_means_nothing_is_sent(
    smtp_server: tuple[int, Any], secret: Path, confirmed_file: Path
) -> None:
    """A server with a login and an open password file: refused before connecting."""
    port, inbox = smtp_server
    secret.chmod(0o644)
    config = MailConfig(host="127.0.0.1", port=port, security="none", user="mara",
                        from_addr="me@studio.example", password_file=secret)  # fmt: skip
    confirm_server(config)
    draft = Draft("Lea", "lea@x.example", "Hi", "Body\n")
    with pytest.raises(PasswordFileError, match="mode 0644"):
        send(config, to_email_message(draft, from_addr=config.sender), environ={}, timeout=5)
    assert inbox.envelopes == []


def test_a_new_server_is_refused_until_confirmed(
    smtp_server: tuple[int, Any], confirmed_file: Path
) -> None:
    """The first send through a server raises MailServerUnconfirmed; nothing reaches it."""
    port, inbox = smtp_server
    config = MailConfig(host="127.0.0.1", port=port, security="none", user="mara",
                        from_addr="me@studio.example")  # fmt: skip
    message = to_email_message(Draft("Lea", "lea@x.example", "Hi", "B\n"), from_addr=config.sender)
    with pytest.raises(MailServerUnconfirmed) as exc:
        send(config, message, password="pw", timeout=5)
    assert isinstance(exc.value, MailError) and exc.value.server == config
    assert str(exc.value) == (
        f"Send mail through 127.0.0.1:{port} as mara? This server has not been used from this "
        "machine before. The connection is not encrypted (security none)."
    )
    assert inbox.envelopes == [] and not confirmed_file.exists()
    confirm_server(config)
    assert confirmed_file.read_text(encoding="utf-8") == f"127.0.0.1:{port}:mara\n"
    assert stat.S_IMODE(confirmed_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(confirmed_file.parent.stat().st_mode) == 0o700
    confirm_server(config)  # twice: still one line
    assert confirmed_file.read_text(encoding="utf-8").count("\n") == 1
    # another user, or another port, on the same host is a new server
    assert not is_confirmed(MailConfig(host="127.0.0.1", port=port, security="none", user="x"))
    assert not is_confirmed(MailConfig(host="127.0.0.1", port=port + 1, user="mara"))
    assert is_confirmed(config)


def test_confirmed_servers_file_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """$MILEPAY_MAIL_SERVERS_CONFIRMED, else mail-servers-confirmed in the user state folder."""
    assert confirmed_servers_file() == tmp_path / "state" / "mail-servers-confirmed"
    monkeypatch.delenv("MILEPAY_MAIL_SERVERS_CONFIRMED")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    assert confirmed_servers_file() == tmp_path / "xdg-state" / "milepay" / "mail-servers-confirmed"
    other = tmp_path / "elsewhere"
    confirm_server(MailConfig(host="smtp.x.org"), other)
    assert is_confirmed(MailConfig(host="smtp.x.org", port=587), other)
    assert not (tmp_path / "xdg-state").exists()


def test_smtp_send_delivers(smtp_server: tuple[int, Any]) -> None:
    """A message sent to a local aiosmtpd server (confirmed first) arrives whole."""
    port, inbox = smtp_server
    draft = compose(ROW, "Reminder: $milestone", "Dear $contact, €", business_name="Mara")
    config = MailConfig(host="127.0.0.1", port=port, security="none", from_addr="me@studio.example")
    confirm_server(config)
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
    config = MailConfig(host="127.0.0.1", port=port, security="none", from_addr="me@x.example")
    confirm_server(config)
    draft = Draft("Lea", "lea@x.example", "Hi", "Body\n")
    with pytest.raises(MailError, match=f"127.0.0.1:{port}: connection refused.*Not sent"):
        send(config, to_email_message(draft, from_addr=config.sender), timeout=5)


def test_smtp_needs_sender_and_recipient() -> None:
    """No From or no To: refused before connecting."""
    config = MailConfig(host="127.0.0.1", port=1, security="none")
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
