"""``milepay chase list|draft|send``: the chase queue's due messages from the command line (cron).

The messages are :func:`tui.messages.due_messages`: the steps the chase queue proposes to take
now (never a waiting or held one), milestones of one client with the same step and contact in
one message, with the same text and attachments the app's composer would make.

Decisions (SPEC 5 and issue 12 leave them open):

``list``
    One row per message (client, step, milestones, to whom, open amount per currency,
    attachments), then how many messages and milestones, and how many steps are waiting
    (not due yet). ``--format json`` has ``as_of``, ``messages`` (each with its milestones)
    and ``waiting``; ``--format csv`` has one row per milestone with the message's number,
    so a spreadsheet can still group them. Exit 0, also when nothing is due.
``--step STEP`` (repeatable)
    Only messages of those steps: ``--step reminder --step firm`` in cron leaves the
    escalate and legal steps, which a person may prefer to read before they go, to the app.
``draft``
    One ``.eml`` per message (From, To, Subject, Date, ``X-Unsent: 1``, attachments) in
    ``--out DIR``, else the config file's ``message_folder``, else ``~/milepay-messages``;
    a new folder is made 0700, each file 0600, under a new name (``…-2.eml``), never over a
    file. From is ``from`` in ``[mail]`` (else the user name when it is an address); without
    one nothing is written and the line names the key. A message whose attachment is
    missing is not written (a line on stderr names the file); the others are, and the exit
    code is 1. A draft is not a sent message: nothing is logged (the last line says how to
    log a step sent by hand: ``l`` on the app's chase queue).
``send``
    The setup is checked before the book is read, so a cron job set up wrong says so on the
    first morning, not on the first morning something is due: ``[mail]`` with a host and a
    From address, a server confirmed on this machine (``--trust-server`` confirms it, for
    the first run by hand), and the password when ``[mail]`` names a user (looked up once).
    Then each message is sent, with the book closed, and on success its step is logged for
    each of its milestones in one transaction (channel email, the contact, a note naming the
    address, the message as sent), dated today in the book's timezone. A message that
    cannot go (no contact e-mail, a missing attachment, a refused recipient or login) logs
    nothing, is named on stderr with the reason, and the others still go; the exit code is
    then 1. A message sent whose step could not be logged (a busy book) is said loudly on
    stderr, so the user logs it by hand rather than sending it twice. A second run the same
    day sends nothing: the steps are logged and the next one waits ``min_gap_days``.
``send`` and the legal step
    A legal notice is not sent by ``send`` unless asked for with ``--step legal``: the app
    weighs the claim against the cost of legal action before composing one, and a cron job
    cannot. It is named on stdout as held back (``list`` and ``draft`` still show it).
``send`` twice at once
    Just before each message goes, the book is read again: a step logged meanwhile (the app,
    another cron run) is not sent a second time.
``send --as-of``
    A mail sent now is sent today: ``--as-of`` another day is refused unless with
    ``--dry-run`` or ``--digest`` (which send nothing to clients and log nothing).
``send --dry-run``
    Prints each message as it would go (To, Subject, attachments, the body), sends and logs
    nothing, needs no password or confirmed server, and exits as the send would as far as
    can be known without connecting: 1 with a line for each message that could not go and
    for a setup that would stop the send.
``send --digest``
    One mail to yourself (``from`` in ``[mail]``) listing the steps due, the waiting ones
    and those with every step logged (:func:`tui.mail.digest`), instead of mailing clients;
    it logs nothing. When nothing is due no digest is sent (one line says so), so a cron
    job mails only on days with something to do.
Output
    What was done goes to stdout, one line per message; what went wrong to stderr as
    ``milepay: …``. User text (names, subjects, bodies) is printed as plain text with
    control characters escaped.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tui.analytics.chase import MESSAGE_STEPS
from tui.cli import _as_of, _check_path, _config, _fail, _one_line, _open_book, friendly
from tui.domain.dates import parse_date
from tui.domain.errors import MilepayError, ValidationError

if TYPE_CHECKING:
    from tui.config import MailConfig
    from tui.domain.model import Settings
    from tui.mail import Draft
    from tui.messages import Message
    from tui.store import Book


@dataclass(frozen=True)
class _Due:
    """What one read of the book gives: the day, today, the messages due and the queue."""

    book: Book
    day: dt.date
    today: dt.date
    settings: Settings
    messages: list[Message]
    queue: list[dict[str, Any]]

    @property
    def waiting(self) -> int:
        """Queue rows whose next step is not due yet."""
        return sum(1 for r in self.queue if r.get("waiting"))

    @property
    def milestones(self) -> int:
        """Milestones the due messages are about."""
        return sum(len(m.rows) for m in self.messages)


def _read_due(ctx: click.Context, db: str | None, as_of: str | None, steps: Sequence[str]) -> _Due:
    """Read the book once (then let it go) and work out the messages due at ``--as-of``."""
    from tui.analytics.chase import chase_queue
    from tui.messages import due_messages

    if as_of is not None:
        _as_of(as_of)  # a wrong date is refused before the book is opened
    book = _open_book(db if db is not None else (ctx.obj or {}).get("db"), create=False)
    frames = book.frames(lean=True)  # the book's own templates and settings
    today = frames.settings.today()  # the book's timezone, also for --as-of today / +7d
    day = parse_date(as_of, "--as-of", today_=today) if as_of is not None else today
    messages = due_messages(frames, day)
    if steps:
        messages = [m for m in messages if m.step in steps]
    queue = chase_queue(frames, day).to_dicts()
    return _Due(book, day, today, frames.settings, messages, queue)


def _plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def _open_by_currency(rows: Sequence[dict[str, Any]]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for r in rows:
        cur = str(r.get("currency") or "")
        out[cur] = out.get(cur, Decimal(0)) + Decimal(r.get("open") or 0)
    return out


def _open_text(rows: Sequence[dict[str, Any]]) -> str:
    """``5,760.00 EUR`` (``… and 500.00 GBP`` for two currencies)."""
    from tui.domain.money import format_amount

    return " and ".join(f"{format_amount(v)} {c}" for c, v in _open_by_currency(rows).items())


def _milestones_text(m: Message) -> str:
    return ", ".join(f"#{r.get('seq')} {r.get('milestone') or ''}".strip() for r in m.rows)


def _config_file() -> str:
    from tui.config import config_path, shown_path

    try:
        return shown_path(config_path())
    except RuntimeError:  # $MILEPAY_CONFIG names "~user" of nobody
        return "the config file"


def _steps_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--step",
        "steps",
        multiple=True,
        type=click.Choice(MESSAGE_STEPS),
        help="Only messages of this step (repeat for several; default every step due).",
    )(func)


def _common(func: Callable[..., Any]) -> Callable[..., Any]:
    func = _steps_option(func)
    func = click.option(
        "--as-of", "as_of", metavar="DATE", help="The day the queue is read for (default today)."
    )(func)
    return click.option("--db", "db", metavar="PATH", help="The book to chase from.")(func)


@click.group("chase")
def chase() -> None:
    """The chase queue's due messages: list them, save them as .eml drafts, or send them.

    For cron: 'milepay chase send' mails each due step and logs it; 'milepay chase send
    --digest' mails you a list of what is due instead.
    """


# ---- list ------------------------------------------------------------------------------------


@chase.command("list")
@_common
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@click.pass_context
@friendly
def list_(
    ctx: click.Context, db: str | None, as_of: str | None, steps: tuple[str, ...], fmt: str
) -> None:
    """List the messages due: one per client, step and contact, as the chase queue shows them."""
    due = _read_due(ctx, db, as_of, steps)
    click.echo(_render_list(due, fmt), nl=False)


def _render_list(due: _Due, fmt: str) -> str:
    """The due messages as a table, JSON or CSV."""
    from tui.domain.errors import printable
    from tui.present.table import (
        Column,
        Layout,
        format_csv,
        format_json,
        format_table,
        iso_text,
        money_text,
    )

    if fmt == "json":
        messages = []
        for m in due.messages:
            messages.append({
                "client": m.client,
                "step": m.step,
                "to_name": m.draft.to_name,
                "to_email": m.draft.to_email,
                "subject": m.draft.subject,
                "open": [{"currency": c, "amount": money_text(v)}
                         for c, v in _open_by_currency(m.rows).items()],
                "attachments": [str(p) for p in m.draft.attachments],
                "milestones": [{"milestone_id": r["milestone_id"], "contract": r.get("contract"),
                                "seq": r.get("seq"), "milestone": r.get("milestone"),
                                "due_date": iso_text(r.get("due_date")),
                                "days_past_due": r.get("days_past_due"),
                                "currency": r.get("currency"), "open": money_text(r.get("open"))}
                               for r in m.rows],
            })  # fmt: skip
        return format_json(
            {"as_of": due.day.isoformat(), "messages": messages, "waiting": due.waiting}
        )
    if fmt == "csv":
        columns = [Column("message", "Message", "int"), Column("client", "Client"),
                   Column("step", "Step"), Column("contract", "Contract"),
                   Column("seq", "#", "int"), Column("milestone", "Milestone"),
                   Column("currency", "Cur"), Column("open", "Open", "amount"),
                   Column("to_name", "To"), Column("to_email", "Email"),
                   Column("attachments", "Attachments")]  # fmt: skip
        rows = [
            {**r, "message": n, "step": m.step, "to_name": m.draft.to_name,
             "to_email": m.draft.to_email,
             "attachments": "; ".join(str(p) for p in m.draft.attachments)}
            for n, m in enumerate(due.messages, start=1)
            for r in m.rows
        ]  # fmt: skip
        return format_csv(columns, rows)
    columns = [Column("client", "Client"), Column("step", "Step"),
               Column("milestones", "Milestones"), Column("to", "To"),
               Column("open", "Open", "amount"), Column("attachments", "Attachments")]  # fmt: skip
    rows = [
        {"client": printable(m.client), "step": m.step,
         "milestones": printable(_milestones_text(m)),
         "to": printable(m.draft.to_line) or "(no contact)", "open": _open_text(m.rows),
         "attachments": printable(", ".join(p.name for p in m.draft.attachments)) or "-"}
        for m in due.messages
    ]  # fmt: skip
    n = len(due.messages)
    layout = Layout(
        header=f"Chase messages due on {due.day.isoformat()}",
        columns=columns,
        rows=rows,
        notes=[
            f"{_plural(n, 'message')} to send ({_plural(due.milestones, 'milestone')}); "
            f"{_plural(due.waiting, 'step')} waiting, not due yet."
        ],
        empty=f"Nothing to send: no chase step is due on {due.day.isoformat()}.",
    )
    return format_table(layout)


# ---- draft -----------------------------------------------------------------------------------


@chase.command("draft")
@_common
@click.option(
    "--out",
    "out",
    metavar="DIR",
    help="Folder for the .eml files (default: the config file's message_folder, else "
    "~/milepay-messages).",
)
@click.pass_context
@friendly
def draft(
    ctx: click.Context, db: str | None, as_of: str | None, steps: tuple[str, ...], out: str | None
) -> None:
    """Save each due message as an .eml draft (new files, 0600); nothing is sent or logged."""
    from tui.mail import MailError, default_folder, default_path, save_draft

    config = _config()
    sender = config.mail.sender if config.mail is not None else ""
    if not sender:
        _fail(f"no From address for the drafts: set from in the [mail] table of {_config_file()} "
              "(with host; M on the app's chase queue writes it). Nothing was written.")  # fmt: skip
    if out is not None:
        _check_path(out, "--out")
    folder = Path(out).expanduser() if out is not None else default_folder(config.message_folder)
    if folder.exists() and not folder.is_dir():
        raise ValidationError("--out", f"{_one_line(str(folder))} is not a folder")
    due = _read_due(ctx, db, as_of, steps)
    if not due.messages:
        click.echo(f"Nothing due on {due.day.isoformat()}: no draft written.")
        return
    written, failed = 0, 0
    for m in due.messages:
        path = default_path(folder, m.rows[0], m.step, due.day, "eml")
        try:
            save_draft(path, m.draft, from_addr=sender, from_name=due.settings.business_name)
        except MailError as exc:
            failed += 1
            click.echo(f"milepay: not written: {_one_line(m.describe())}: {_one_line(str(exc))}",
                       err=True)  # fmt: skip
            continue
        written += 1
        click.echo(f"Wrote {_one_line(str(path))} ({_one_line(m.describe())})")
    click.echo(
        f"{_plural(written, 'draft')} written to {_one_line(str(folder))}. Nothing logged: a "
        "draft is not sent. After sending one, log its step with l on the app's chase queue."
    )
    if failed:
        _fail(f"{_plural(failed, 'message')} not written (see above)")


# ---- send ------------------------------------------------------------------------------------


@chase.command("send")
@_common
@click.option("--dry-run", "dry_run", is_flag=True, help="Print what would be sent; send and "
              "log nothing.")  # fmt: skip
@click.option("--digest", is_flag=True, help="Mail yourself ([mail] from) a list of what is due "
              "instead of mailing clients; logs nothing.")  # fmt: skip
@click.option("--trust-server", "trust_server", is_flag=True, help="Confirm the [mail] server "
              "for this machine, then send (the first run, by hand).")  # fmt: skip
@click.pass_context
@friendly
def send(
    ctx: click.Context,
    db: str | None,
    as_of: str | None,
    steps: tuple[str, ...],
    dry_run: bool,
    digest: bool,
    trust_server: bool,
) -> None:
    """Send each due message by SMTP and log its step once; --digest mails you a list instead.

    A message that cannot go logs nothing and is named on stderr; the others still go, and
    the exit code is 1. --dry-run prints the messages (To, Subject, attachments, body).
    """
    if digest and steps:
        raise click.UsageError("--step chooses messages to clients; --digest lists every step", ctx)
    if trust_server and dry_run:
        raise click.UsageError("--trust-server is for a real send, not --dry-run", ctx)
    config = _config()
    problems = _setup_problems(config.mail, trust_server=trust_server)
    if problems and not dry_run:
        _fail(problems[0])
    mail = config.mail
    password = None
    if not dry_run and mail is not None:
        password = _password(mail, trust_server)
    due = _read_due(ctx, db, as_of, steps)
    if not dry_run and not digest and due.day != due.today:
        raise ValidationError("--as-of", f"is {due.day}, but a mail sent now is sent on "
                              f"{due.today}: use --dry-run to see another day's messages")  # fmt: skip
    if digest:
        _send_digest(due, mail, password, dry_run, problems)
        return
    if not steps:  # a legal notice only when asked for by name (see the module docstring)
        legal = [m for m in due.messages if m.step == "legal"]
        if legal:
            click.echo(f"Held back: {_plural(len(legal), 'legal notice')} "
                       f"({', '.join(_one_line(m.client) for m in legal)}): weigh the claim "
                       "against the cost in the app (7), or send with --step legal.")  # fmt: skip
            due = dataclasses.replace(due, messages=[m for m in due.messages if m.step != "legal"])
    _send_messages(due, mail, password, dry_run, problems)


def _logged_meanwhile(due: _Due, m: Message) -> bool:
    """Was the message's step logged for one of its milestones since the book was read?"""
    marks = ", ".join("?" for _ in m.milestone_ids)
    # the queue proposed the step because it was never logged for these milestones: any row
    # of that step now was logged after the read
    rows = due.book.rows(
        "chase_events", f"milestone_id IN ({marks}) AND step = ?", [*m.milestone_ids, m.step]
    )
    return bool(rows)


def _setup_problems(mail: MailConfig | None, *, trust_server: bool) -> list[str]:
    """What in the setup stops a send, each as one line (empty when it can go)."""
    from tui.mail import is_confirmed

    where = _config_file()
    if mail is None:
        return [f"no mail server: set host and from in the [mail] table of {where} (M on the "
                "app's chase queue writes it). Nothing sent; nothing logged."]  # fmt: skip
    if not mail.sender:
        return [f"no From address: set from in the [mail] table of {where}. "
                "Nothing sent; nothing logged."]  # fmt: skip
    if not trust_server and not is_confirmed(mail):
        return [f"the mail server {mail.describe()} has not been used from this machine "
                "before: run 'milepay chase send --trust-server' once by hand to confirm it "
                "(or send one message from the app). Nothing sent; nothing logged."]  # fmt: skip
    return []


def _password(mail: MailConfig, trust_server: bool) -> str | None:
    """Confirm the server when asked, then the password (looked up once, for every message)."""
    from tui.mail import PASSWORD_ENV, confirm_server, smtp_password

    if trust_server:
        confirm_server(mail)
        click.echo(f"Confirmed the mail server {_one_line(mail.describe())} for this machine.")
    if not mail.user:
        return None
    password = smtp_password(mail)
    if password is None:
        _fail(f"no SMTP password for {mail.user}: set {PASSWORD_ENV} or password_file in "
              f"[mail] of {_config_file()} (a file of yours, mode 0600). "
              "Nothing sent; nothing logged.")  # fmt: skip
    return password


def _show(draft: Draft, sender: str, extra: str = "") -> None:
    """Print a message as it would go: headers, attachments, a blank line, the body."""
    click.echo(f"From: {_one_line(sender) or '(not set)'}")
    click.echo(f"To: {_one_line(draft.to_line) or '(no contact)'}")
    click.echo(f"Subject: {_one_line(draft.subject)}")
    names = ", ".join(str(p) for p in draft.attachments)
    click.echo(f"Attachments: {_one_line(names) or 'none'}")
    if extra:
        click.echo(extra)
    click.echo("")
    for line in draft.body.rstrip("\n").split("\n"):
        click.echo(_one_line(line))
    click.echo("-" * 72)


def _send_digest(due: _Due, mail: MailConfig | None, password: str | None, dry_run: bool,
                 problems: list[str]) -> None:  # fmt: skip
    """Mail (or with --dry-run print) the list of what is due to yourself; log nothing."""
    from tui.mail import MailError, digest, send, to_email_message

    day = due.day.isoformat()
    if not due.messages:
        click.echo(f"Nothing due on {day}: no digest sent ({_plural(due.waiting, 'step')} "
                   "waiting).")  # fmt: skip
        return
    sender = mail.sender if mail is not None else ""
    note = digest(due.queue, as_of=due.day, business_name=due.settings.business_name,
                  locale=due.settings.locale, to_email=sender)  # fmt: skip
    if dry_run:
        _show(note, sender)
        click.echo("Digest not sent (--dry-run); nothing logged.")
        for line in problems:
            click.echo(f"milepay: {_one_line(line)}", err=True)
        if problems:
            sys.exit(1)
        return
    if mail is None:  # never: the setup was checked before the book was read
        raise MailError("no mail server in [mail]")
    message = to_email_message(note, from_addr=sender, from_name=due.settings.business_name)
    send(mail, message, password=password)
    click.echo(f"Digest of {_plural(len(due.messages), 'message')} due on {day} sent to "
               f"{_one_line(sender)}; nothing logged.")  # fmt: skip


def _send_messages(due: _Due, mail: MailConfig | None, password: str | None, dry_run: bool,
                   problems: list[str]) -> None:  # fmt: skip
    """Send each due message and log its step; a failed one logs nothing and the rest go on."""
    from tui.domain.model import ChaseEvent
    from tui.domain.values import Channel, ChaseStep
    from tui.mail import MailError, send, to_email_message

    if not due.messages:
        click.echo(f"Nothing to send on {due.day.isoformat()} "
                   f"({_plural(due.waiting, 'step')} waiting).")  # fmt: skip
        for line in problems:
            click.echo(f"milepay: {_one_line(line)}", err=True)
        if problems:
            sys.exit(1)
        return
    sender = mail.sender if mail is not None else ""
    from_name = due.settings.business_name
    sent, failed = 0, 0  # sent: sent and logged (with --dry-run: would be sent)
    for m in due.messages:
        what = _one_line(m.describe())
        try:
            if not m.draft.to_email:
                raise MailError("the contact has no e-mail address: add one on the clients screen")
            message = to_email_message(m.draft, from_addr=sender, from_name=from_name)
            if dry_run:
                _show(m.draft, sender, f"Step: {m.step} for {_one_line(_milestones_text(m))}")
                sent += 1
                continue
            if mail is None:  # never: the setup was checked before the book was read
                raise MailError("no mail server in [mail]")
            if _logged_meanwhile(due, m):
                click.echo(f"Already logged meanwhile, not sent again: {what}")
                continue
            send(mail, message, password=password)
        except MailError as exc:
            failed += 1
            verb = "would not be sent" if dry_run else "not sent"
            click.echo(f"milepay: {verb}: {what}: {_one_line(str(exc))}", err=True)
            continue
        event = ChaseEvent(date=due.today, step=ChaseStep(m.step), channel=Channel.EMAIL,
                           contact=m.draft.to_name,
                           note=f"Sent by milepay chase send to {m.draft.to_email}",
                           message=m.draft.logged_text())  # fmt: skip
        try:
            due.book.log_chase_many(m.milestone_ids, event)
        except MilepayError as exc:
            failed += 1
            click.echo(f"milepay: SENT BUT NOT LOGGED: {what}: {_one_line(str(exc))}. Log the "
                       f"{m.step} step by hand (l on the app's chase queue) so it is not sent "
                       "again.", err=True)  # fmt: skip
            continue
        sent += 1
        click.echo(f"Sent and logged: {what}")
    if dry_run:
        click.echo(f"Would send {_plural(sent, 'message')}; nothing sent, nothing logged "
                   "(--dry-run).")  # fmt: skip
        for line in problems:
            click.echo(f"milepay: {_one_line(line)}", err=True)
        if failed or problems:
            sys.exit(1)
        return
    click.echo(f"{_plural(sent, 'message')} sent and logged on {due.today.isoformat()}.")
    if failed:
        _fail(f"{_plural(failed, 'message')} of {len(due.messages)} not sent or not logged "
              "(see above); the others were sent and logged")  # fmt: skip


__all__ = ["chase"]
