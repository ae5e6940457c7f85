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
``$client`` / ``$contact`` / ``$business_name``
    The client's name, the contact the step writes to (payer first; the owner for escalate
    and legal: :mod:`tui.analytics.chase`) and the book's business name.
``$milestone`` / ``$due_date`` / ``$days_past_due``
    The milestone's title, its due date (ISO ``2026-11-19``) and the days since.
Amounts
    In the book's locale (setting ``locale``, :func:`tui.domain.money.client_money`):
    ``2.160,00 €`` for ``de_DE``, ``2,160.00 EUR`` when no locale is set.
``$amount`` / ``$open``
    What is still open (invoice amount less what was paid); ``$amount`` is kept for
    templates written before ``$open`` existed.
``$invoice_amount`` / ``$paid``
    The milestone's invoice amount and what was received against it by today.
``$late_fee`` / ``$total_claimed``
    The accrued late fee (SPEC 4.3) and open + late fee: what the legal step claims.
``$statutory_basis``
    When the milestone's late-fee rule is ``statutory``, one sentence naming the law and the
    rate: UK, the Late Payment of Commercial Debts (Interest) Act 1998 (reference rate + 8 %);
    EU, Directive 2011/7/EU (reference rate + 8 points), with the figures used. Empty for any
    other rule.
``$attachments``
    One sentence naming what is attached, e.g. ``Attached: the invoice (INV-7.pdf) and the
    contract (contract.pdf).``, and EMPTY when nothing is attached, so a template never says
    a file is attached when none is. A file is "the invoice" when it is the row's
    ``invoice_file`` and "the contract" when it is the row's ``document``; any other file is
    named by its file name alone.
``$work_paused``
    ``I have paused work on the project until payment is received.`` only when the contract
    of one of the milestones is ``paused`` (the firm step offers to pause it), else empty: a
    message never tells a client that work stopped when it did not (a cron job never pauses
    a contract).
``$items``
    One line per milestone: ``- Invoice 2026-043, Online ordering, due 2026-11-19:
    2,160.00 EUR open`` (without an invoice number the line starts at the milestone).
``$invoice_no``
    ``(none)`` when the milestone has no invoice number yet.
Several milestones in one message (:func:`compose_group`)
    Rows of one client, step and contact (:func:`tui.analytics.chase.message_groups`).
    ``$milestone`` is ``3 milestones``, ``$invoice_no`` lists the numbers (``2026-041,
    2026-042 and 2026-043``), ``$items`` has a line each, ``$due_date`` is the earliest due
    date and ``$days_past_due`` the most days past due. Amounts are sums, per currency:
    rows in two currencies give ``2,160.00 EUR and 500.00 GBP`` (never converted). The
    default templates use ``$items`` so that one template per step reads right for one
    milestone and for several.
Lines left empty
    A template line holding only placeholders that are all empty (``$statutory_basis`` for a
    non-statutory rule) is left out, with the blank line that would double up after it; a
    line ending in an empty placeholder loses its trailing spaces. Nothing else is changed.
``$$``
    string.Template's escape: ``$$`` in a template gives one ``$``. Values are never
    re-read: a ``$``, ``$$``, ``%s`` or ``{0}`` in a client's name stays as it is.
Signature
    The book's signature setting is added under the body after the usual ``-- `` line.
Attachments
    A draft carries the paths of the files to attach (the milestone's ``invoice_file``; for
    escalate and legal also the contract's ``document``). :func:`check_attachments` refuses
    a file that is missing, not a regular file, or unreadable, before anything is written or
    sent; the bytes are read when the e-mail is made (:func:`to_email_message`), with the
    MIME type guessed from the name (``application/octet-stream`` otherwise).
Saving
    Files are created new (never overwritten: an existing name is refused), mode 0600;
    missing folders are made 0700. An ``.eml`` is a draft (``X-Unsent: 1``, so mail
    programs open it for editing and sending) with From, To, Subject, Date and the
    attachments; it needs the From address (``from`` in ``[mail]``). A ``.txt`` holds To,
    Subject, one ``Attachment: PATH`` line per file, a blank line and the body. The default folder is ``message_folder`` in the config
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
import mimetypes
import os
import re
import smtplib
import socket
import ssl
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from string import Template
from typing import Any

from tui.config import DEFAULT_PORTS, SECURITIES, MailConfig, make_private_dir
from tui.domain.dates import now_utc
from tui.domain.errors import MilepayError
from tui.domain.money import client_money

#: every placeholder a template may use, in the order the template editor lists them
PLACEHOLDERS = (
    "client", "contact", "milestone", "amount", "due_date", "days_past_due", "invoice_no",
    "late_fee", "business_name", "attachments", "invoice_amount", "paid", "open",
    "total_claimed", "statutory_basis", "items", "work_paused",
)  # fmt: skip
#: the laws behind the ``statutory`` late-fee presets (SPEC 4.3), for ``$statutory_basis``
STATUTORY_LAWS = {
    "uk": ("the Late Payment of Commercial Debts (Interest) Act 1998", "%"),
    "eu": ("Directive 2011/7/EU on combating late payment in commercial transactions", "points"),
}
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
    #: files to attach, in order (checked by :func:`check_attachments` before use)
    attachments: tuple[Path, ...] = ()

    @property
    def to_line(self) -> str:
        """``Name <address>`` (or whichever of the two is known)."""
        if self.to_name and self.to_email:
            return f"{self.to_name} <{self.to_email}>"
        return self.to_email or self.to_name

    def as_text(self) -> str:
        """The message as one text: To, Subject and Attachment lines, a blank line, the body."""
        files = "".join(f"Attachment: {p}\n" for p in self.attachments)
        return f"To: {self.to_line}\nSubject: {self.subject}\n{files}\n{self.body}"

    def logged_text(self) -> str:
        """What the chase event keeps: the subject line, the attached file names, the body."""
        files = (
            f"Attachments: {', '.join(p.name for p in self.attachments)}\n"
            if self.attachments
            else ""
        )
        return f"Subject: {self.subject}\n{files}\n{self.body}"


def _money(by_currency: Mapping[str, Decimal], locale: str) -> str:
    """Per-currency amounts, in order of first appearance: ``2,160.00 EUR and 500.00 GBP``."""
    parts = [client_money(v, cur, locale) for cur, v in by_currency.items()]
    return _and(parts) if parts else client_money(Decimal(0), "", locale)


def _and(parts: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


def _percent(rate: Decimal, locale: str) -> str:
    """A rate with at least two places: ``10.15 %`` (``10,15 %`` in ``de_DE``)."""
    value = Decimal(rate)
    shown = value.quantize(Decimal("0.01")) if value == value.quantize(Decimal("0.01")) else value
    if not locale:
        return f"{shown:f} %"
    from babel.numbers import format_decimal

    places = max(2, -int(shown.as_tuple().exponent))
    return f"{format_decimal(shown, format='#,##0.' + '0' * places, locale=locale)} %"


def _margin(value: Decimal, unit: str, locale: str) -> str:
    """The margin over the reference rate: ``8 %`` (UK) or ``8 points`` (EU); ``8.5`` kept."""
    number = str(int(value)) if value == value.to_integral_value() else _percent(value, locale)[:-2]
    return f"{number} {unit}"


def statutory_basis(row: Mapping[str, Any], locale: str = "") -> str:
    """The sentence naming the law and rate of a ``statutory`` late-fee rule; else empty."""
    if row.get("late_fee_kind") != "statutory":
        return ""
    preset = str(row.get("late_fee_preset") or ("uk" if row.get("currency") == "GBP" else "eu"))
    law, unit = STATUTORY_LAWS.get(preset, STATUTORY_LAWS["eu"])
    ref, total = row.get("reference_rate"), row.get("fee_rate")
    if total is None:
        rate = f"the reference rate plus 8 {unit} a year"
    elif ref is None:  # no rate in force on the reference day: the fee counted it as 0
        rate = f"the reference rate plus {_margin(Decimal(total), unit, locale)} a year"
    else:
        margin = _margin(Decimal(total) - Decimal(ref), unit, locale)
        rate = (f"{_percent(Decimal(total), locale)} a year: the reference rate of "
                f"{_percent(Decimal(ref), locale)} plus {margin}")  # fmt: skip
    return (f"Late-payment interest is charged under {law} at {rate}, with fixed compensation "
            "for the cost of recovering the debt.")  # fmt: skip


def _same(a: Any, b: Path) -> bool:
    return bool(a) and Path(str(a)).expanduser() == b.expanduser()


def attachments_sentence(rows: Sequence[Mapping[str, Any]], attachments: Sequence[Path]) -> str:
    """``Attached: the invoice (INV-7.pdf) and the contract (contract.pdf).``; empty for none."""
    if not attachments:
        return ""
    invoices: list[str] = []
    contracts: list[str] = []
    others: list[str] = []
    for raw in attachments:
        path = Path(raw)
        if any(_same(r.get("invoice_file"), path) for r in rows):
            invoices.append(path.name)
        elif any(_same(r.get("document") or r.get("contract_document"), path) for r in rows):
            contracts.append(path.name)
        else:
            others.append(path.name)
    parts = []
    if invoices:
        parts.append(f"the invoice{'s' if len(invoices) > 1 else ''} ({', '.join(invoices)})")
    if contracts:
        parts.append(f"the contract{'s' if len(contracts) > 1 else ''} ({', '.join(contracts)})")
    parts.extend(others)
    return f"Attached: {_and(parts)}."


def _item(row: Mapping[str, Any], locale: str) -> str:
    """One line of ``$items``: invoice number, milestone, due date, open amount."""
    due = row.get("due_date")
    when = due.isoformat() if isinstance(due, dt.date) else str(due or "")
    money = client_money(Decimal(row.get("open") or 0), str(row.get("currency") or ""), locale)
    head = [f"Invoice {row['invoice_no']}"] if row.get("invoice_no") else []
    head.append(str(row.get("milestone") or ""))
    if when:
        head.append(f"due {when}")
    return f"- {', '.join(head)}: {money} open"


def _sums(rows: Sequence[Mapping[str, Any]], value: Any) -> dict[str, Decimal]:
    """Per currency (in order of first appearance): the sum of ``value(row)``."""
    out: dict[str, Decimal] = {}
    for r in rows:
        cur = str(r.get("currency") or "")
        out[cur] = out.get(cur, Decimal(0)) + Decimal(value(r))
    return out


def _open(r: Mapping[str, Any]) -> Decimal:
    return Decimal(r.get("open") or 0)


def _paid(r: Mapping[str, Any]) -> Decimal:
    return Decimal(r.get("paid") or 0)


def _invoice_amount(r: Mapping[str, Any]) -> Decimal:
    amount = r.get("amount")
    return Decimal(amount) if amount is not None else _open(r) + _paid(r)


def _fee(r: Mapping[str, Any]) -> Decimal:
    return Decimal(r.get("late_fee") or 0)


def group_values(rows: Sequence[Mapping[str, Any]], business_name: str, *, locale: str = "",
                 attachments: Sequence[Path] = ()) -> dict[str, str]:  # fmt: skip
    """The placeholder values for one or more queue rows sharing one message (sums per currency)."""
    if not rows:
        raise MailError("no milestone to write about: choose at least one")
    first = rows[0]
    dues = [r["due_date"] for r in rows if isinstance(r.get("due_date"), dt.date)]
    if len(rows) == 1:
        due = first.get("due_date")
        due_text = due.isoformat() if isinstance(due, dt.date) else str(due or "")
        milestone = str(first.get("milestone") or "")
        invoice_no = str(first.get("invoice_no") or "(none)")
    else:
        due_text = min(dues).isoformat() if dues else ""
        milestone = f"{len(rows)} milestones"
        numbers = [str(r["invoice_no"]) for r in rows if r.get("invoice_no")]
        invoice_no = _and(numbers) if numbers else "(none)"
    bases: list[str] = []
    for r in rows:
        sentence = statutory_basis(r, locale)
        if sentence and sentence not in bases:
            bases.append(sentence)
    open_text = _money(_sums(rows, _open), locale)
    return {
        "client": str(first.get("client") or ""),
        "contact": str(first.get("contact") or ""),
        "milestone": milestone,
        "amount": open_text,
        "due_date": due_text,
        "days_past_due": str(max(int(r.get("days_past_due") or 0) for r in rows)),
        "invoice_no": invoice_no,
        "late_fee": _money(_sums(rows, _fee), locale),
        "business_name": business_name,
        "attachments": attachments_sentence(rows, attachments),
        "invoice_amount": _money(_sums(rows, _invoice_amount), locale),
        "paid": _money(_sums(rows, _paid), locale),
        "open": open_text,
        "total_claimed": _money(_sums(rows, lambda r: _open(r) + _fee(r)), locale),
        "statutory_basis": " ".join(bases),
        "items": "\n".join(_item(r, locale) for r in rows),
        "work_paused": (
            "I have paused work on the project until payment is received."
            if any(r.get("contract_status") == "paused" for r in rows)
            else ""
        ),
    }


def message_values(row: Mapping[str, Any], business_name: str, *, locale: str = "",
                   attachments: Sequence[Path] = ()) -> dict[str, str]:  # fmt: skip
    """The placeholder values for one chase queue row (``tui.analytics.chase.chase_queue``)."""
    return group_values([row], business_name, locale=locale, attachments=attachments)


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


def fill_body(template: str, values: Mapping[str, str]) -> str:
    """Fill a body; a line of placeholders that all came out empty is left out (see above)."""
    out: list[str] = []
    dropped = False
    for line in template.split("\n"):
        filled = fill(line, values)
        if line.strip() and not filled.strip():
            dropped = True
            continue
        if filled != line and filled.rstrip() != "--":
            filled = filled.rstrip()
        if dropped and not filled.strip() and (not out or not out[-1].strip()):
            dropped = False
            continue  # the blank line after a dropped one would double up
        dropped = False
        out.append(filled)
    return "\n".join(out)


def compose_group(rows: Sequence[Mapping[str, Any]], subject: str, body: str, *,
                  business_name: str, signature: str = "", locale: str = "",
                  attachments: Sequence[Path] = ()) -> Draft:  # fmt: skip
    """One draft for several queue rows of one client, step and contact (sums, ``$items``)."""
    files = tuple(Path(p).expanduser() for p in attachments)
    values = group_values(rows, business_name, locale=locale, attachments=files)
    text = fill_body(body, values).rstrip()
    if signature.strip():
        text += "\n\n-- \n" + signature.strip()
    one_line = " ".join(fill(subject, values).split())
    first = rows[0]
    return Draft(
        to_name=str(first.get("contact") or ""),
        to_email=str(first.get("contact_email") or ""),
        subject=one_line,
        body=text + "\n",
        attachments=files,
    )


def compose(row: Mapping[str, Any], subject: str, body: str, *, business_name: str,
            signature: str = "", locale: str = "", attachments: Sequence[Path] = ()) -> Draft:  # fmt: skip
    """The draft for one queue row from its step's template (subject on one line)."""
    return compose_group([row], subject, body, business_name=business_name,
                         signature=signature, locale=locale, attachments=attachments)  # fmt: skip


def digest(rows: Sequence[Mapping[str, Any]], *, as_of: dt.date, business_name: str,
           locale: str = "", to_email: str = "") -> Draft:  # fmt: skip
    """A note to the user themselves (cron): the chase steps due at ``as_of``, then the waiting.

    ``rows`` are chase queue rows; ``to_email`` is the user's own address (``from`` in
    ``[mail]``). Rows with every step logged (``done``) are listed last, as still owed.
    """
    due = [r for r in rows if r.get("step_due")]
    waiting = [r for r in rows if r.get("waiting")]
    done = [r for r in rows if r.get("step") == "done"]
    steps = "chase step" if len(due) == 1 else "chase steps"
    subject = f"milepay: {len(due)} {steps} due on {as_of.isoformat()}"

    def line(r: Mapping[str, Any], extra: str = "") -> str:
        who = str(r.get("contact") or "(no contact)")
        if r.get("contact_email"):
            who += f" <{r['contact_email']}>"
        money = client_money(_open(r), str(r.get("currency") or ""), locale)
        seq = f" #{r['seq']}" if r.get("seq") is not None else ""
        what = (
            f"{r.get('client') or ''} / {r.get('contract') or ''}{seq} {r.get('milestone') or ''}"
        )
        return f"- {what}: {r.get('step')}{extra}, to {who}, {money} open"

    parts = [f"Chase steps due on {as_of.isoformat()}:"]
    parts += [line(r) for r in due] or ["- none"]
    if waiting:
        parts += ["", "Waiting (not to take yet):"]
        for r in waiting:
            when = r.get("step_due_on")
            on = f" on {when.isoformat()}" if isinstance(when, dt.date) else ""
            parts.append(line(r, f" due{on}"))
    if done:
        parts += ["", "Every step logged, still owed:"]
        parts += [line(r) for r in done]
    return Draft(to_name=business_name, to_email=to_email, subject=subject,
                 body="\n".join(parts) + "\n")  # fmt: skip


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


def file_slug(text: str) -> str:
    """Text for a file name: ``Kettle Corner Café 3`` -> ``kettle-corner-cafe-3`` (accents
    kept as their letter, at most 40 characters)."""
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:40].strip("-")


def new_path(folder: Path, stem: str, ext: str) -> Path:
    """``folder/stem.ext``, numbered ``stem-2.ext``, ``-3`` ... when taken: never an existing file."""
    path = folder / f"{stem}.{ext}"
    n = 2
    while path.exists():
        path = folder / f"{stem}-{n}.{ext}"
        n += 1
    return path


def default_path(folder: Path, row: Mapping[str, Any], step: str, today: dt.date, ext: str) -> Path:
    """A file name that says what it is and does not exist yet: ``2026-11-24-kettle-...-reminder.eml``."""
    slug = file_slug(f"{row.get('client', '')} {row.get('seq', '')}")
    return new_path(folder, f"{today.isoformat()}-{slug}-{step}", ext)


def _attachment_problem(path: Path) -> str | None:
    """Why ``path`` cannot be attached, or None when it is a readable regular file."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return "does not exist"
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file"
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    return None


def check_attachments(paths: Sequence[Path]) -> None:
    """Raise :class:`MailError` naming the first file that is missing, not a file or unreadable."""
    for raw in paths:
        path = Path(raw).expanduser()
        problem = _attachment_problem(path)
        if problem:
            raise MailError(f"the attachment {path} {problem}: fix the milestone's invoice file "
                            "or the contract's document, or attach nothing. "
                            "Nothing was saved or sent.")  # fmt: skip


def _mime_type(path: Path) -> tuple[str, str]:
    """The MIME type from the file name (``application/octet-stream`` when unknown)."""
    kind, encoding = mimetypes.guess_type(path.name)
    if kind is None or encoding is not None or "/" not in kind:
        return "application", "octet-stream"
    main, _, sub = kind.partition("/")
    return main, sub


def to_email_message(draft: Draft, *, from_addr: str = "", from_name: str = "",
                     when: dt.datetime | None = None, unsent: bool = False) -> EmailMessage:  # fmt: skip
    """The draft as an e-mail (UTF-8 text body, then the attachments); From only when known.

    ``unsent`` adds ``X-Unsent: 1`` (an ``.eml`` draft). A missing or unreadable attachment
    is a :class:`MailError` before anything else happens.
    """
    check_attachments(draft.attachments)
    msg = EmailMessage()
    try:
        if draft.to_email:
            msg["To"] = Address(display_name=draft.to_name, addr_spec=draft.to_email)
        if from_addr:
            msg["From"] = Address(display_name=from_name, addr_spec=from_addr)
    except (ValueError, IndexError) as exc:
        raise MailError(f"an e-mail address is not valid: {exc}") from None
    msg["Subject"] = draft.subject
    moment = when or now_utc()
    msg["Date"] = format_datetime(moment)
    msg["Message-ID"] = make_msgid(domain=from_addr.rpartition("@")[2] or None)
    if unsent:
        msg["X-Unsent"] = "1"
    msg.set_content(draft.body, charset="utf-8")
    for raw in draft.attachments:
        path = Path(raw).expanduser()
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise MailError(f"the attachment {path} cannot be read: {exc.strerror or exc}. "
                            "Nothing was saved or sent.") from None  # fmt: skip
        main, sub = _mime_type(path)
        msg.add_attachment(data, maintype=main, subtype=sub, filename=path.name)
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


def save_draft(path: Path, draft: Draft, *, from_addr: str = "", from_name: str = "",
               when: dt.datetime | None = None) -> Path:  # fmt: skip
    """Save as an ``.eml`` draft (From, To, Subject, Date, ``X-Unsent: 1``, attachments) when
    the name ends so, else as plain text; the attachments are checked before anything is written.
    """
    check_attachments(draft.attachments)
    if path.suffix.lower() == ".eml":
        if not from_addr.strip():
            raise MailError("an .eml draft needs your From address: set from in [mail] of the "
                            "config file (M on the chase queue), or save as .txt. "
                            "Nothing was saved.")  # fmt: skip
        message = to_email_message(draft, from_addr=from_addr, from_name=from_name, when=when,
                                   unsent=True)  # fmt: skip
        return save(path, bytes(message))
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
         confirmed_file: Path | None = None, context: ssl.SSLContext | None = None) -> None:  # fmt: skip
    """Send one message; raise :class:`MailError` with a plain reason when it was not sent.

    A server the user has not confirmed on this machine raises :class:`MailServerUnconfirmed`
    before any connection; the password (when not given) is looked up only after that.
    ``context`` verifies the server's certificate (default: the system's trusted CAs; tests
    pass one trusting their own CA). The message already carries its attachments' bytes
    (:func:`to_email_message` checked and read them).
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
    if context is None:
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
    "CONFIRMED_ENV", "DEFAULT_PORTS", "PASSWORD_ENV", "PLACEHOLDERS", "SECURITIES",
    "STATUTORY_LAWS", "Draft", "MailConfig", "MailError", "MailServerUnconfirmed",
    "PasswordFileError", "attachments_sentence", "check_attachments", "check_password_file",
    "compose", "compose_group", "confirm_server", "confirmed_servers_file", "default_folder",
    "default_path", "digest", "fill", "fill_body", "group_values", "is_confirmed",
    "message_values", "osc52", "save", "save_draft", "send", "smtp_password", "statutory_basis",
    "to_email_message", "unknown_placeholders",
]  # fmt: skip
