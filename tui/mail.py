"""Chase messages without Textual: fill a template, copy (OSC 52), save (.txt/.eml), send (SMTP).

Decisions (SPEC 4.4 leaves them open):

Placeholders
    Templates use :class:`string.Template` placeholders and are filled with
    ``safe_substitute`` only: never ``str.format``, never ``eval``. A placeholder milepay
    does not know (``$unknown``) and anything that looks like a format field
    (``{0.__class__}``) stay in the message *literally*, exactly as typed; the composer
    names the unknown ones so the user can fix the text before it goes out. Values are
    inserted as plain text: a client called ``$business_name`` stays that name (the
    substitution is one pass).
``$amount`` / ``$late_fee``
    The open amount and the accrued fee with their currency: ``2,160.00 EUR``.
``$invoice_no``
    ``(none)`` when the milestone has no invoice number yet.
Signature
    The book's signature setting is added under the body after the usual ``-- `` line.
Saving
    Files are created new (never overwritten: an existing name is refused), mode 0600,
    missing folders are made. The default folder is the ``message_folder`` setting, else
    ``~/milepay-messages``.
Sending
    The password comes from ``$MILEPAY_SMTP_PASSWORD``, else from the file named by the
    ``smtp_password_file`` setting, which must not be readable or writable by group or
    others (mode 0600 or 0400); it is never stored in the book. Every failure is a
    :class:`MailError` with a sentence a person can act on; nothing is logged then.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import re
import smtplib
import socket
import ssl
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from string import Template
from typing import Any

from tui.domain.errors import MilepayError
from tui.domain.money import format_amount

#: every placeholder a template may use, in the order the template editor lists them
PLACEHOLDERS = (
    "client", "contact", "milestone", "amount", "due_date", "days_past_due", "invoice_no",
    "late_fee", "business_name",
)  # fmt: skip
PASSWORD_ENV = "MILEPAY_SMTP_PASSWORD"
SECURITIES = ("starttls", "tls", "none")
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}


class MailError(MilepayError):
    """A message could not be saved or sent; the text says why and what to do."""


@dataclass(frozen=True)
class Draft:
    """A chase message ready to go: recipient, subject and body (plain text)."""

    to_name: str
    to_email: str
    subject: str
    body: str

    @property
    def to_line(self) -> str:
        """``Name <address>`` (or whichever of the two is known)."""
        if self.to_name and self.to_email:
            return f"{self.to_name} <{self.to_email}>"
        return self.to_email or self.to_name

    def as_text(self) -> str:
        """The message as one text: To and Subject lines, a blank line, the body."""
        return f"To: {self.to_line}\nSubject: {self.subject}\n\n{self.body}"

    def logged_text(self) -> str:
        """What the chase event keeps: the subject line and the body."""
        return f"Subject: {self.subject}\n\n{self.body}"


def message_values(row: Mapping[str, Any], business_name: str) -> dict[str, str]:
    """The placeholder values for one chase queue row (``tui.analytics.chase.chase_queue``)."""
    currency = row.get("currency") or ""
    due = row.get("due_date")
    return {
        "client": str(row.get("client") or ""),
        "contact": str(row.get("contact") or ""),
        "milestone": str(row.get("milestone") or ""),
        "amount": f"{format_amount(Decimal(row.get('open') or 0))} {currency}".strip(),
        "due_date": due.isoformat() if isinstance(due, dt.date) else str(due or ""),
        "days_past_due": str(row.get("days_past_due") or 0),
        "invoice_no": str(row.get("invoice_no") or "(none)"),
        "late_fee": f"{format_amount(Decimal(row.get('late_fee') or 0))} {currency}".strip(),
        "business_name": business_name,
    }


def fill(template: str, values: Mapping[str, str]) -> str:
    """Fill ``$placeholders``; everything else (``$unknown``, ``{0.__class__}``) stays as typed."""
    return Template(template).safe_substitute(values)


def unknown_placeholders(*templates: str) -> list[str]:
    """Placeholders in the templates that milepay does not fill (``$unknown``), in order."""
    pattern = Template.pattern
    found: list[str] = []
    for text in templates:
        for m in pattern.finditer(text):
            name = m.group("named") or m.group("braced")
            if name and name not in PLACEHOLDERS and f"${name}" not in found:
                found.append(f"${name}")
    return found


def compose(
    row: Mapping[str, Any], subject: str, body: str, *, business_name: str, signature: str = ""
) -> Draft:
    """The draft for one queue row from its step's template (subject on one line)."""
    values = message_values(row, business_name)
    text = fill(body, values).rstrip()
    if signature.strip():
        text += "\n\n-- \n" + signature.strip()
    one_line = " ".join(fill(subject, values).split())
    return Draft(
        to_name=str(row.get("contact") or ""),
        to_email=str(row.get("contact_email") or ""),
        subject=one_line,
        body=text + "\n",
    )


# ---- the clipboard ---------------------------------------------------------------------------


def osc52(text: str) -> str:
    """The OSC 52 escape sequence that puts ``text`` on the terminal's clipboard (over SSH too).

    Inside tmux the clipboard needs ``set -g set-clipboard on``.
    """
    encoded = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return f"\x1b]52;c;{encoded}\x07"


# ---- files -----------------------------------------------------------------------------------


def default_folder(configured: str = "") -> Path:
    """Where messages are saved unless the user types another path."""
    return Path(configured).expanduser() if configured.strip() else Path.home() / "milepay-messages"


def default_path(folder: Path, row: Mapping[str, Any], step: str, today: dt.date, ext: str) -> Path:
    """A file name that says what it is and does not exist yet: ``2026-11-24-kettle-...-reminder.eml``."""
    slug = re.sub(r"[^a-z0-9]+", "-", f"{row.get('client', '')} {row.get('seq', '')}".lower())
    stem = f"{today.isoformat()}-{slug.strip('-')[:40]}-{step}"
    path = folder / f"{stem}.{ext}"
    n = 2
    while path.exists():
        path = folder / f"{stem}-{n}.{ext}"
        n += 1
    return path


def to_email_message(draft: Draft, *, from_addr: str = "", from_name: str = "",
                     when: dt.datetime | None = None) -> EmailMessage:  # fmt: skip
    """The draft as an e-mail (UTF-8 text body); From only when an address is known."""
    msg = EmailMessage()
    try:
        if draft.to_email:
            msg["To"] = Address(display_name=draft.to_name, addr_spec=draft.to_email)
        if from_addr:
            msg["From"] = Address(display_name=from_name, addr_spec=from_addr)
    except (ValueError, IndexError) as exc:
        raise MailError(f"an e-mail address is not valid: {exc}") from None
    msg["Subject"] = draft.subject
    moment = when or dt.datetime.now(dt.UTC)
    msg["Date"] = format_datetime(moment)
    msg["Message-ID"] = make_msgid(domain=from_addr.rpartition("@")[2] or None)
    msg.set_content(draft.body, charset="utf-8")
    return msg


def save(path: Path, content: str | bytes) -> Path:
    """Write a new file (mode 0600; folders made); refuse to overwrite one that exists."""
    path = path.expanduser()
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise MailError(f"{path} already exists: choose another name (nothing was saved)") from None
    except OSError as exc:
        raise MailError(f"cannot save to {path}: {exc.strerror or exc}") from None
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    return path


def save_draft(path: Path, draft: Draft, **eml: Any) -> Path:
    """Save as ``.eml`` (an e-mail) when the name ends so, else as plain text."""
    if path.suffix.lower() == ".eml":
        return save(path, bytes(to_email_message(draft, **eml)))
    return save(path, draft.as_text())


# ---- SMTP ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to send (from the book's settings; the password never is one)."""

    host: str
    port: int | None = None
    security: str = "starttls"
    user: str = ""
    from_addr: str = ""
    password_file: str = ""

    @classmethod
    def from_settings(cls, settings: Any) -> SmtpConfig | None:
        """The config from typed settings, or None when no SMTP host is set."""
        host = getattr(settings, "smtp_host", "") or ""
        if not host.strip():
            return None
        return cls(host=host.strip(), port=getattr(settings, "smtp_port", None),
                   security=getattr(settings, "smtp_security", "starttls") or "starttls",
                   user=getattr(settings, "smtp_user", "") or "",
                   from_addr=getattr(settings, "smtp_from", "") or "",
                   password_file=getattr(settings, "smtp_password_file", "") or "")  # fmt: skip

    @property
    def effective_port(self) -> int:
        """The port, else the usual one for the security (587, 465, 25)."""
        return self.port or DEFAULT_PORTS.get(self.security, 587)

    @property
    def sender(self) -> str:
        """The From address: the configured one, else the user name when it is an address."""
        return self.from_addr or (self.user if "@" in self.user else "")

    def describe(self) -> str:
        """``smtp.example.com:587 (STARTTLS) as user``."""
        who = f" as {self.user}" if self.user else ""
        return f"{self.host}:{self.effective_port} ({self.security.upper()}){who}"


def smtp_password(config: SmtpConfig, environ: Mapping[str, str] | None = None) -> str | None:
    """The password from ``$MILEPAY_SMTP_PASSWORD``, else the 0600 file; None when neither."""
    env = os.environ if environ is None else environ
    if env.get(PASSWORD_ENV):
        return env[PASSWORD_ENV]
    if not config.password_file.strip():
        return None
    path = Path(config.password_file).expanduser()
    try:
        info = path.stat()
    except OSError as exc:
        raise MailError(
            f"cannot read the SMTP password file {path}: {exc.strerror or exc}"
        ) from None
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        mode = stat.S_IMODE(info.st_mode)
        raise MailError(
            f"the SMTP password file {path} has mode {mode:04o}, so other users can read it; "
            f"run: chmod 600 {path} (nothing was sent)"
        )
    try:
        return path.read_text(encoding="utf-8").strip("\r\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise MailError(f"cannot read the SMTP password file {path}: {exc}") from None


def send(config: SmtpConfig, message: EmailMessage, *, password: str | None = None,
         timeout: float = 20.0) -> None:  # fmt: skip
    """Send one message; raise :class:`MailError` with a plain reason when it was not sent."""
    where = f"{config.host}:{config.effective_port}"
    if not message.get("From"):
        raise MailError("no sender address: set smtp_from (the From address) in the mail settings")
    if not message.get("To"):
        raise MailError("the contact has no e-mail address: add one on the clients screen")
    if config.user and password is None:
        raise MailError(f"no SMTP password: set {PASSWORD_ENV} or a password file (mode 0600)")
    context = ssl.create_default_context()
    try:
        if config.security == "tls":
            server: smtplib.SMTP = smtplib.SMTP_SSL(config.host, config.effective_port,
                                                    timeout=timeout, context=context)  # fmt: skip
        else:
            server = smtplib.SMTP(config.host, config.effective_port, timeout=timeout)
        with server:
            if config.security == "starttls":
                server.starttls(context=context)
            if config.user:
                server.login(config.user, password or "")
            server.send_message(message)
    except ConnectionRefusedError:
        raise MailError(f"could not connect to the mail server {where}: connection refused. "
                        "Not sent; nothing logged.") from None  # fmt: skip
    except socket.gaierror:
        raise MailError(f"the mail server {config.host} was not found (check the host name). "
                        "Not sent; nothing logged.") from None  # fmt: skip
    except TimeoutError:
        raise MailError(
            f"the mail server {where} did not answer in time. Not sent; nothing logged."
        ) from None
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(f"the mail server refused the login for {config.user}: {_reply(exc)}. "
                        "Not sent; nothing logged.") from None  # fmt: skip
    except smtplib.SMTPNotSupportedError as exc:
        raise MailError(f"the mail server {where} does not support this: {exc}. "
                        "Check the security setting (starttls, tls, none). Not sent.") from None  # fmt: skip
    except smtplib.SMTPRecipientsRefused as exc:
        who = ", ".join(exc.recipients)
        raise MailError(
            f"the mail server refused the recipient {who}. Not sent; nothing logged."
        ) from None
    except smtplib.SMTPException as exc:
        raise MailError(
            f"the mail server {where} said: {_reply(exc)}. Not sent; nothing logged."
        ) from None
    except ssl.SSLError as exc:
        raise MailError(f"a secure connection to {where} failed ({exc.reason or exc}). "
                        "Check the security setting. Not sent; nothing logged.") from None  # fmt: skip
    except OSError as exc:
        raise MailError(f"could not talk to the mail server {where}: {exc.strerror or exc}. "
                        "Not sent; nothing logged.") from None  # fmt: skip


def _reply(exc: smtplib.SMTPException) -> str:
    """The server's reply text of an SMTP error, decoded."""
    text = getattr(exc, "smtp_error", None)
    if isinstance(text, bytes):
        return text.decode("utf-8", "replace")
    return str(text or exc)


__all__ = [
    "PLACEHOLDERS", "Draft", "MailError", "SmtpConfig", "compose", "default_folder",
    "default_path", "fill", "message_values", "osc52", "save", "save_draft", "send",
    "smtp_password", "to_email_message", "unknown_placeholders",
]  # fmt: skip
