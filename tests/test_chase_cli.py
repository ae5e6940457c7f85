"""``milepay chase list|draft|send`` (issue 12) on the demo book as of 2026-11-24.

The demo's chase queue at that day, worked out from tui/store/demo.py (and shown by
``milepay report chase``): six messages are due, one of them for two milestones:

    Bright Ideas [Studio] & Co  legal     #4 Brand guidelines 2160.00 + #5 Templates pack
                                          3600.00 = 5760.00 EUR, to dana@brightideas.example
    Bright Ideas [Studio] & Co  escalate  #2 Design sign-off      2400.00 EUR  (dana@…)
    Fjord Media AS              legal     #2 Build                1800.00 EUR  kari@fjordmedia.example
    Hollis & Marsh Ltd          escalate  #4 Catalogue migration  1500.00 GBP  edward@hollismarsh.example
    Kettle Corner Café          reminder  #3 Online ordering      1200.00 EUR  lea@kettlecorner.example

so 6 milestones; University of Lindenfeld's step (grace) and Polaris Health's firm step
(its client promised to pay by 2026-11-28: the ladder waits) are waiting. ``send`` holds the two
legal notices back unless ``--step legal`` asks for them (3 messages, 3 milestones). Mail goes to a local
aiosmtpd server (``smtp_server`` in conftest.py) through a config file the test writes
(``$MILEPAY_CONFIG``); confirmed servers live in a temp file (``$MILEPAY_MAIL_SERVERS_CONFIRMED``).
"""

from __future__ import annotations

import email
import json
import stat
from collections.abc import Callable, Iterator
from email import policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from click.testing import CliRunner
from conftest import Inbox, free_port

from tui.cli import main
from tui.config import MailConfig
from tui.mail import confirm_server
from tui.store import Book

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

ME = "me@studio.example"
#: recipients of the six due messages, in the queue's order
RECIPIENTS = [
    "dana@brightideas.example",
    "dana@brightideas.example",
    "kari@fjordmedia.example",
    "edward@hollismarsh.example",
    "lea@kettlecorner.example",
]
#: the same without the legal notices, which ``send`` holds back unless asked for
NOT_LEGAL = [r for i, r in enumerate(RECIPIENTS) if i not in (0, 2)]
ALL_STEPS = ("--step", "reminder", "--step", "firm", "--step", "escalate", "--step", "legal")
KETTLE = 47  # Online ordering: the reminder
GROUPED = [4, 5]  # Brand guidelines, Templates pack: one legal message
PDF = b"%PDF-1.4\n% invoice 2026-041\n%%EOF\n"


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def demo(tmp_path: Path, demo_at: Callable[[Path], Book]) -> Book:
    """A private copy of the demo book as of 2026-11-24."""
    return demo_at(tmp_path / "studio.duckdb")


def write_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mail: str) -> Path:
    """A config file with ``mail`` as its text; confirmed servers in a temp file."""
    config = tmp_path / "config.toml"
    config.write_text(mail, encoding="utf-8")
    monkeypatch.setenv("MILEPAY_CONFIG", str(config))
    confirmed = tmp_path / "state" / "confirmed"
    monkeypatch.setenv("MILEPAY_MAIL_SERVERS_CONFIRMED", str(confirmed))
    return confirmed


def mail_table(port: int, user: str = "") -> str:
    who = f'user = "{user}"\n' if user else ""
    return f'[mail]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\nfrom = "{ME}"\n{who}'


@pytest.fixture
def server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtp_server: tuple[int, Inbox]
) -> tuple[int, Inbox, Path]:
    """The local SMTP server, configured in [mail] and confirmed on this machine."""
    port, inbox = smtp_server
    confirmed = write_config(tmp_path, monkeypatch, mail_table(port))
    confirm_server(MailConfig(host="127.0.0.1", port=port, security="none"))
    return port, inbox, confirmed


def events(book: Book) -> list[dict[str, Any]]:
    return book.table("chase_events").to_dicts()


def set_invoice_file(book: Book, milestone_id: int, path: Path) -> None:
    with book.writing() as con:
        con.execute(
            "UPDATE milestones SET invoice_file = ? WHERE id = ?", [str(path), milestone_id]
        )


def parsed(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=policy.default)  # type: ignore[return-value]


# ---- list ------------------------------------------------------------------------------------


def test_list_table_json_csv(demo: Book) -> None:
    db = str(demo.path)
    table = run("chase", "list", "--db", db)
    assert table.exit_code == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0] == "Chase messages due on 2026-11-24"
    legal = next(line for line in lines if "#4 Brand guidelines, #5 Templates pack" in line)
    assert legal.split()[:6] == ["Bright", "Ideas", "[Studio]", "&", "Co", "legal"]
    assert "Dana Fischer <dana@brightideas.example>" in legal and "5,760.00 EUR" in legal
    assert lines[-1] == "5 messages to send (6 milestones); 2 steps waiting, not due yet."

    data = json.loads(run("chase", "list", "--db", db, "--format", "json").stdout)
    assert data["as_of"] == "2026-11-24" and data["waiting"] == 2
    assert [m["to_email"] for m in data["messages"]] == RECIPIENTS
    first = data["messages"][0]
    assert [m["milestone_id"] for m in first["milestones"]] == GROUPED
    assert first["open"] == [{"currency": "EUR", "amount": "5760.00"}]  # 2160.00 + 3600.00
    assert first["step"] == "legal" and first["attachments"] == []

    csv_text = run("chase", "list", "--db", db, "--format", "csv", "--step", "legal").stdout
    assert csv_text.splitlines()[1:] == [
        "1,Bright Ideas [Studio] & Co,legal,Brand refresh,4,Brand guidelines,EUR,2160.00,"
        "Dana Fischer,dana@brightideas.example,",
        "1,Bright Ideas [Studio] & Co,legal,Brand refresh,5,Templates pack,EUR,3600.00,"
        "Dana Fischer,dana@brightideas.example,",
        "2,Fjord Media AS,legal,Podcast website,2,Build,EUR,1800.00,Kari Berg,"
        "kari@fjordmedia.example,",
    ]


# ---- draft -----------------------------------------------------------------------------------


def test_draft_writes_private_eml_and_logs_nothing(
    demo: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(tmp_path, monkeypatch, mail_table(2525))
    invoice = tmp_path / "INV-2026-041.pdf"
    invoice.write_bytes(PDF)
    set_invoice_file(demo, KETTLE, invoice)
    before = events(demo)
    out = tmp_path / "drafts"
    result = run("chase", "draft", "--db", str(demo.path), "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert "Nothing logged: a draft is not sent" in result.stdout
    assert "l on the app's chase queue" in result.stdout
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    files = sorted(out.iterdir())
    assert len(files) == 5
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    kettle = [f for f in files if "kettle" in f.name]
    assert len(kettle) == 1 and kettle[0].name.startswith("2026-11-24-kettle-corner")
    assert kettle[0].name.endswith("-3-reminder.eml")
    msg = parsed(kettle[0].read_bytes())
    assert msg["X-Unsent"] == "1"
    assert msg["From"].addresses[0].addr_spec == ME
    assert str(msg["To"]) == "Lea Brandt <lea@kettlecorner.example>"
    assert str(msg["Subject"]) == "Payment reminder: Online ordering (Kettle Corner Café)"
    parts = list(msg.iter_attachments())
    assert [p.get_filename() for p in parts] == ["INV-2026-041.pdf"]
    assert parts[0].get_content() == PDF
    assert events(demo) == before

    first = kettle[0].read_bytes()
    again = run("chase", "draft", "--db", str(demo.path), "--out", str(out))
    assert again.exit_code == 0
    assert len(list(out.iterdir())) == 10  # new names, nothing overwritten
    assert kettle[0].with_name(kettle[0].stem + "-2.eml").exists()
    assert kettle[0].read_bytes() == first


def test_draft_without_from_writes_nothing(demo: Book, tmp_path: Path) -> None:
    out = tmp_path / "drafts"
    result = run("chase", "draft", "--db", str(demo.path), "--out", str(out))
    assert result.exit_code == 1
    assert "set from in the [mail] table" in result.stderr
    assert "Nothing was written" in result.stderr
    assert not out.exists()


def test_draft_missing_attachment_skips_that_message(
    demo: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(tmp_path, monkeypatch, mail_table(2525))
    gone = tmp_path / "gone.pdf"
    set_invoice_file(demo, KETTLE, gone)
    out = tmp_path / "drafts"
    result = run("chase", "draft", "--db", str(demo.path), "--out", str(out))
    assert result.exit_code == 1
    assert f"the attachment {gone} does not exist" in result.stderr
    assert "Kettle Corner Café" in result.stderr
    names = [f.name for f in out.iterdir()]
    assert len(names) == 4 and not any("kettle" in n for n in names)


# ---- send ------------------------------------------------------------------------------------


def test_send_delivers_logs_once_and_second_run_sends_nothing(
    demo: Book, server: tuple[int, Inbox, Path]
) -> None:
    _, inbox, _ = server
    before = len(events(demo))
    result = run("chase", "send", "--db", str(demo.path))  # legal held back by default
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(
        "Held back: 2 legal notices (Bright Ideas [Studio] & Co, Fjord Media AS)"
    )
    assert [e.rcpt_tos for e in inbox.envelopes] == [[r] for r in NOT_LEGAL]
    assert result.stdout.splitlines()[-1] == "3 messages sent and logged on 2026-11-24."
    assert len(events(demo)) == before + 3
    legal_run = run("chase", "send", "--db", str(demo.path), "--step", "legal")
    assert legal_run.exit_code == 0, legal_run.stderr
    assert [e.rcpt_tos for e in inbox.envelopes[3:]] == [
        ["dana@brightideas.example"],
        ["kari@fjordmedia.example"],
    ]
    assert all(e.mail_from == ME for e in inbox.envelopes)

    new = events(demo)[before:]
    assert len(new) == 6  # one event per milestone: the grouped message logs two
    legal = [e for e in new if e["milestone_id"] in GROUPED]
    assert [(e["milestone_id"], e["step"], str(e["date"])) for e in legal] == [
        (4, "legal", "2026-11-24"),
        (5, "legal", "2026-11-24"),
    ]
    subject = str(parsed(inbox.envelopes[3].original_content)["Subject"])
    for e in legal:
        assert e["channel"] == "email" and e["contact"] == "Dana Fischer"
        assert e["note"] == "Sent by milepay chase send to dana@brightideas.example"
        assert e["message"].startswith(f"Subject: {subject}\n")

    second = run("chase", "send", "--db", str(demo.path), *ALL_STEPS)
    assert second.exit_code == 0, second.stderr
    assert second.stdout.startswith("Nothing to send on 2026-11-24")
    assert len(inbox.envelopes) == 5 and len(events(demo)) == before + 6


def test_dry_run_sends_and_logs_nothing_without_password(
    demo: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtp_server: tuple[int, Inbox]
) -> None:
    port, inbox = smtp_server
    write_config(tmp_path, monkeypatch, mail_table(port, user="mara"))  # no password anywhere
    confirm_server(MailConfig(host="127.0.0.1", port=port, security="none", user="mara"))
    before = events(demo)
    result = run("chase", "send", "--db", str(demo.path), "--dry-run", *ALL_STEPS)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "To: Lea Brandt <lea@kettlecorner.example>" in out
    assert "Subject: Payment reminder: Online ordering (Kettle Corner Café)" in out
    assert out.count("Attachments: none") == 5
    assert "Step: legal for #4 Brand guidelines, #5 Templates pack" in out
    assert "Dear Lea Brandt," in out  # the body
    assert out.splitlines()[-1] == (
        "Would send 5 messages; nothing sent, nothing logged (--dry-run)."
    )
    assert inbox.envelopes == [] and events(demo) == before


def test_dry_run_names_what_would_stop_the_send(demo: Book, tmp_path: Path) -> None:
    """No [mail] at all: the messages are still shown, and the exit says the send would fail."""
    result = run("chase", "send", "--db", str(demo.path), "--dry-run", "--step", "reminder")
    assert result.exit_code == 1
    assert "To: Lea Brandt <lea@kettlecorner.example>" in result.stdout
    assert "no mail server: set host and from in the [mail] table" in result.stderr


class Refuse:
    """An aiosmtpd authenticator that refuses every login."""

    def __init__(self) -> None:
        self.tries = 0

    def __call__(self, *args: Any) -> AuthResult:
        self.tries += 1
        return AuthResult(success=False, handled=False)


@pytest.fixture
def refusing_server() -> Iterator[tuple[int, Inbox, Refuse]]:
    """A local SMTP server offering AUTH without TLS and refusing every login."""
    inbox, refuse = Inbox(), Refuse()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), authenticator=refuse,
                            auth_required=True, auth_require_tls=False)  # fmt: skip
    controller.start()
    try:
        yield controller.port, inbox, refuse
    finally:
        controller.stop()


def test_refused_login_logs_nothing(
    demo: Book,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    refusing_server: tuple[int, Inbox, Refuse],
) -> None:
    port, inbox, refuse = refusing_server
    write_config(tmp_path, monkeypatch, mail_table(port, user="mara"))
    confirm_server(MailConfig(host="127.0.0.1", port=port, security="none", user="mara"))
    monkeypatch.setenv("MILEPAY_SMTP_PASSWORD", "wrong")
    before = events(demo)
    result = run("chase", "send", "--db", str(demo.path), "--step", "reminder", "--step", "firm")
    assert result.exit_code == 1
    assert refuse.tries >= 2 and inbox.envelopes == []  # smtplib tries PLAIN, then LOGIN
    assert (
        result.stderr.count("refused the login for mara") == 1
    )  # the one reminder (the firm step waits for a promise)
    assert "not sent: Kettle Corner Café · reminder" in result.stderr
    assert events(demo) == before


def test_missing_attachment_logs_nothing_for_that_message(
    demo: Book, tmp_path: Path, server: tuple[int, Inbox, Path]
) -> None:
    _, inbox, _ = server
    gone = tmp_path / "INV-gone.pdf"
    set_invoice_file(demo, KETTLE, gone)
    before = len(events(demo))
    result = run("chase", "send", "--db", str(demo.path), *ALL_STEPS)
    assert result.exit_code == 1
    assert f"the attachment {gone} does not exist" in result.stderr
    assert [e.rcpt_tos[0] for e in inbox.envelopes] == RECIPIENTS[:4]
    new = events(demo)[before:]
    assert len(new) == 5 and KETTLE not in {e["milestone_id"] for e in new}


def test_unconfirmed_server_sends_nothing_until_trusted(
    demo: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtp_server: tuple[int, Inbox]
) -> None:
    port, inbox = smtp_server
    confirmed = write_config(tmp_path, monkeypatch, mail_table(port))
    before = len(events(demo))
    result = run("chase", "send", "--db", str(demo.path))
    assert result.exit_code == 1
    assert "has not been used from this machine" in result.stderr
    assert "milepay chase send --trust-server" in result.stderr
    assert inbox.envelopes == [] and len(events(demo)) == before and not confirmed.exists()

    trusted = run("chase", "send", "--db", str(demo.path), "--trust-server", "--step", "reminder")
    assert trusted.exit_code == 0, trusted.stderr
    assert confirmed.read_text() == f"127.0.0.1:{port}:\n"
    assert [e.rcpt_tos for e in inbox.envelopes] == [["lea@kettlecorner.example"]]
    assert len(events(demo)) == before + 1


def test_digest_mails_yourself_once_and_logs_nothing(
    demo: Book, server: tuple[int, Inbox, Path]
) -> None:
    _, inbox, _ = server
    before = events(demo)
    result = run("chase", "send", "--db", str(demo.path), "--digest")
    assert result.exit_code == 0, result.stderr
    assert len(inbox.envelopes) == 1
    got = inbox.envelopes[0]
    assert got.mail_from == ME and got.rcpt_tos == [ME]
    msg = parsed(got.original_content)
    assert str(msg["Subject"]) == "milepay: 6 chase steps due on 2026-11-24"  # 6 milestones
    body = msg.get_content()
    assert "Kettle Corner Café / Website and online ordering #3 Online ordering: reminder" in body
    assert "Waiting (not to take yet):" in body
    assert events(demo) == before


def test_send_refuses_another_day(demo: Book, server: tuple[int, Inbox, Path]) -> None:
    _, inbox, _ = server
    result = run("chase", "send", "--db", str(demo.path), "--as-of", "2026-11-25")
    assert result.exit_code == 1
    assert "--as-of" in result.stderr and "use --dry-run" in result.stderr
    assert inbox.envelopes == []


def test_contact_without_email_logs_nothing_and_others_go(
    demo: Book, server: tuple[int, Inbox, Path]
) -> None:
    _, inbox, _ = server
    with demo.writing() as con:
        con.execute("UPDATE contacts SET email = '' WHERE client_id = "
                    "(SELECT id FROM clients WHERE name = 'Hollis & Marsh Ltd')")  # fmt: skip
        con.execute("UPDATE clients SET email = '' WHERE name = 'Hollis & Marsh Ltd'")
    before = len(events(demo))
    result = run("chase", "send", "--db", str(demo.path), "--step", "escalate", "--step",
                 "reminder")  # fmt: skip
    assert result.exit_code == 1
    why = ("not sent: Hollis & Marsh Ltd · escalate · #4 Catalogue migration · to Edward Marsh: "
           "the contact has")  # fmt: skip
    assert f"{why} no e-mail address" in result.stderr
    assert [e.rcpt_tos for e in inbox.envelopes] == [
        ["dana@brightideas.example"],
        ["lea@kettlecorner.example"],
    ]  # Bright Ideas escalates too; Hollis & Marsh has no address
    assert [e["milestone_id"] for e in events(demo)[before:]] == [7, KETTLE]  # 7: Design sign-off
