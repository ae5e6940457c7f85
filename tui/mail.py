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
    Files are created new (never overwritten: an existing name is refused), mode 0600;
    missing folders are made 0700. The default folder is ``message_folder`` in the config
    file (:mod:`tui.config`), else ``~/milepay-messages``.
Where mail goes
    The server is the ``[mail]`` table of the config file (host, port, security, user,
    from, password_file), never a book setting and never imported: a book or a CSV file
    from someone else cannot redirect the user's mail.
The password
    ``$MILEPAY_SMTP_PASSWORD``, else the file named by ``password_file``, used only when it
    is a regular file (not a symbolic link: checked with ``lstat`` and opened with
    ``O_NOFOLLOW``), owned by the user, with mode exactly 0600 or 0400. Anything else is a
    :class:`MailError` naming the file and what is wrong, and nothing is sent. The password
    is never stored in the book or the config file.
A new server asks once
    :func:`send` refuses a server (``host:port:user``) the user has not confirmed on this
    machine with :class:`MailServerUnconfirmed`, before connecting; the composer asks, and
    :func:`confirm_server` records the answer in ``mail-servers-confirmed`` in the user
    state folder (mode 0600; ``$MILEPAY_MAIL_SERVERS_CONFIRMED`` overrides the path).
Failures
    Every failure is a :class:`MailError` with a sentence a person can act on; nothing is
    logged then.
"""

from __future__ import annotations

import base64
import datetime as dt
import errno
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

from tui.config import DEFAULT_PORTS, SECURITIES, MailConfig, make_private_dir
from tui.domain.errors import MilepayError
from tui.domain.money import format_amount

#: every placeholder a template may use, in the order the template editor lists them
PLACEHOLDERS = (
    "client", "contact", "milestone", "amount", "due_date", "days_past_due", "invoice_no",
    "late_fee", "business_name",
)  # fmt: skip
PASSWORD_ENV = "MILEPAY_SMTP_PASSWORD"
CONFIRMED_ENV = "MILEPAY_MAIL_SERVERS_CONFIRMED"


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


def default_folder(configured: Path | None = None) -> Path:
    """Where messages are saved unless the user types another path (config message_folder)."""
    return configured.expanduser() if configured is not None else Path.home() / "milepay-messages"


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
    """Write a new file (mode 0600; folders made 0700); refuse to overwrite one that exists."""
    path = path.expanduser()
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        make_private_dir(path.parent)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
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


class MailServerUnconfirmed(MailError):
    """The server was never used from this machine: ask the user once before sending."""

    def __init__(self, config: MailConfig) -> None:
        self.server = config
        who = f" as {config.user}" if config.user else ""
        note = (
            " The connection is not encrypted (security none)." if config.security == "none" else ""
        )
        super().__init__(
            f"Send mail through {config.host}:{config.effective_port}{who}? "
            f"This server has not been used from this machine before.{note}"
        )


def confirmed_servers_file() -> Path:
    """``$MILEPAY_MAIL_SERVERS_CONFIRMED``, else ``mail-servers-confirmed`` in the state folder."""
    env = os.environ.get(CONFIRMED_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_state_dir("milepay")) / "mail-servers-confirmed"


def is_confirmed(config: MailConfig, file: Path | None = None) -> bool:
    """Has the user confirmed this server (``host:port:user``) on this machine?"""
    path = confirmed_servers_file() if file is None else file
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return False
    except (OSError, UnicodeDecodeError) as exc:
        raise MailError(f"cannot read the list of confirmed mail servers {path}: {exc}. "
                        "Not sent; nothing logged.") from None  # fmt: skip
    return config.server_id in lines


def confirm_server(config: MailConfig, file: Path | None = None) -> None:
    """Remember that the user confirmed this server (one line; file 0600, folder 0700)."""
    path = confirmed_servers_file() if file is None else file
    if is_confirmed(config, path):
        return
    try:
        make_private_dir(path.parent)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as out:
            out.write(config.server_id + "\n")
    except OSError as exc:
        raise MailError(f"cannot record the confirmed mail server in {path}: "
                        f"{exc.strerror or exc}. Not sent; nothing logged.") from None  # fmt: skip


class PasswordFileError(MailError):
    """The password file cannot be used; ``path`` and ``reason`` say which and why."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"the SMTP password file {path} {reason} (nothing was sent)")
        self.path = path
        self.reason = reason


def _password_file_refused(path: Path, why: str) -> PasswordFileError:
    return PasswordFileError(path, why)


def _check_private(path: Path, info: os.stat_result) -> None:
    """Refuse a password file that is not a regular file of ours with mode 0600 or 0400."""
    if stat.S_ISLNK(info.st_mode):
        raise _password_file_refused(path, "is a symbolic link: name the file itself, a regular "
                                     "file only you can read")  # fmt: skip
    if not stat.S_ISREG(info.st_mode):
        raise _password_file_refused(path, "is not a regular file")
    me = os.getuid()
    if info.st_uid != me:
        raise _password_file_refused(path, f"belongs to another user (uid {info.st_uid}), not to "
                                     f"you (uid {me}): use a file of your own, mode 0600")  # fmt: skip
    mode = stat.S_IMODE(info.st_mode)
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise _password_file_refused(path, f"has mode {mode:04o}, so other users can read or "
                                     f"change it; run: chmod 600 {path}")  # fmt: skip
    if mode not in (0o600, 0o400):
        raise _password_file_refused(path, f"has mode {mode:04o}; a password file must have "
                                     f"mode 0600 or 0400: run chmod 600 {path}")  # fmt: skip


def _open_password_file(path: Path) -> int:
    """Open the password file after checking it (never following a symbolic link)."""
    try:
        _check_private(path, os.lstat(path))
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise _password_file_refused(path, "does not exist") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # replaced by a link since the check
            raise _password_file_refused(path, "is a symbolic link") from None
        raise _password_file_refused(path, f"cannot be read: {exc.strerror or exc}") from None
    try:
        _check_private(path, os.fstat(fd))  # the file opened is the file checked
    except BaseException:
        os.close(fd)
        raise
    return fd


def check_password_file(path: Path) -> None:
    """Raise :class:`PasswordFileError` unless ``path`` is a regular file of ours, 0600 or 0400."""
    os.close(_open_password_file(path.expanduser()))


def smtp_password(config: MailConfig, environ: Mapping[str, str] | None = None) -> str | None:
    """The password from ``$MILEPAY_SMTP_PASSWORD``, else the private file; None when neither."""
    env = os.environ if environ is None else environ
    if env.get(PASSWORD_ENV):
        return env[PASSWORD_ENV]
    if config.password_file is None:
        return None
    path = config.password_file.expanduser()
    fd = _open_password_file(path)
    with os.fdopen(fd, "rb") as source:
        data = source.read(65536)
    try:
        password = data.decode("utf-8").strip("\r\n")
    except UnicodeDecodeError:
        raise _password_file_refused(path, "is not UTF-8 text") from None
    if not password:
        raise _password_file_refused(path, "is empty")
    return password


def send(config: MailConfig, message: EmailMessage, *, password: str | None = None,
         timeout: float = 20.0, environ: Mapping[str, str] | None = None,
         confirmed_file: Path | None = None) -> None:  # fmt: skip
    """Send one message; raise :class:`MailError` with a plain reason when it was not sent.

    A server the user has not confirmed on this machine raises :class:`MailServerUnconfirmed`
    before any connection; the password (when not given) is looked up only after that.
    """
    where = f"{config.host}:{config.effective_port}"
    if not message.get("From"):
        raise MailError("no sender address: set the From address (from in [mail] of the config "
                        "file; M on the chase queue)")  # fmt: skip
    if not message.get("To"):
        raise MailError("the contact has no e-mail address: add one on the clients screen")
    if not is_confirmed(config, confirmed_file):
        raise MailServerUnconfirmed(config)
    if password is None and config.user:
        password = smtp_password(config, environ)
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
    "CONFIRMED_ENV", "DEFAULT_PORTS", "PASSWORD_ENV", "PLACEHOLDERS", "SECURITIES", "Draft",
    "MailConfig", "MailError", "MailServerUnconfirmed", "PasswordFileError", "check_password_file", "compose",
    "confirm_server", "confirmed_servers_file", "default_folder", "default_path", "fill",
    "is_confirmed", "message_values", "osc52", "save", "save_draft", "send", "smtp_password",
    "to_email_message", "unknown_placeholders",
]  # fmt: skip
