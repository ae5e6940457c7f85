"""The message composer: To, an editable subject and body, the attachments; copy, save or
send, and log once.

Nothing is logged that was not sent (SPEC 4.4): a send by SMTP logs the step at once; after a
copy (OSC 52) or a save (.eml draft or .txt) the composer asks "Was it sent?" and logs only on
yes (no: the step stays due; ``l`` on the queue logs it later). A message about several
milestones logs the step for each of them, in one transaction. Once logged, a second copy, save
or send from the same composer does not log again. A failed save or send (a missing
attachment, a refused login) shows why, keeps the text, and logs nothing. The first send
through a mail server this machine has not used asks first (``Send mail through host:port as
user?``): yes records the server and sends, no sends and logs nothing.

The attachments line names every file the message carries (the invoice files; escalating, the
contract too). ``ctrl+g`` adds the client's statement of account as a new PDF in the message
folder; when the body was not edited yet, it is filled again so that ``$attachments`` names the
statement too. Esc closes at once when the subject and body are as milepay filled them (or
the step was logged); after an edit it asks first, as a form does ("Discard the edited
message?": y discards, n or Esc keeps the text). The keys are ctrl keys because the body
editor has the focus.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static, TextArea

from tui.config import MailConfig
from tui.domain.errors import MilepayError
from tui.mail import (
    Draft,
    MailServerUnconfirmed,
    confirm_server,
    default_path,
    save_draft,
    send,
    to_email_message,
)
from tui.present.text import milestone_label
from tui.widgets.keybar import KeyBar

if TYPE_CHECKING:
    from tui.app import MilepayApp


@dataclass(frozen=True)
class Delivery:
    """Everything the composer needs: the queue row, the draft, where it can go, how to log."""

    row: dict[str, Any]
    step: str
    draft: Draft
    today: dt.date
    #: runs in a thread: log the chase event with (note, message); returns its id
    log: Callable[[str, str], Any]
    #: the config file's ``[mail]`` table (None: no server set up)
    smtp: MailConfig | None
    folder: Path
    from_name: str = ""
    unknown: list[str] = dataclasses.field(default_factory=list)
    #: every queue row the message is about (one, or a group sharing client, step and contact)
    rows: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    #: the draft again with extra files attached (the text names them); None: cannot
    redraft: Callable[[list[Path]], Draft] | None = None
    #: runs in a thread: write the client's statement of account as a new PDF; its path
    statement: Callable[[], Path] | None = None
    #: the user's own address (``from`` in ``[mail]``): the From of a saved ``.eml`` draft
    sender: str = ""


class ComposeModal(ModalScreen[bool]):
    """Compose one chase message; dismiss True when it was delivered (and logged)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+o", "copy", "Copy", id="compose-copy"),
        Binding("ctrl+s", "save", "Save file", id="compose-save"),
        Binding("ctrl+r", "send", "Send", id="compose-send"),
        Binding("ctrl+g", "statement", "+Statement", id="compose-statement"),
        Binding("escape", "close", "Close", id="compose-close"),
        Binding("tab", "app.focus_next", "Next field", show=False),
    ]

    def __init__(self, delivery: Delivery) -> None:
        super().__init__()
        self.delivery = delivery
        self.logged = False
        self.busy = False
        #: the draft the body and attachments started from (a statement may be added)
        self.base = delivery.draft
        #: the statement of account written for this message, once attached
        self.statement_path: Path | None = None
        #: how the text last left the composer (copied, saved) without being logged as sent
        self.handed_out = ""
        self._handed_text: tuple[str, str] | None = None

    @property
    def milepay(self) -> MilepayApp:
        """The app, typed."""
        return cast("MilepayApp", self.app)

    def compose(self) -> ComposeResult:
        """Heading, To, Subject, body, notes and the keys."""
        d, row = self.delivery, self.delivery.row
        with Vertical(classes="form composer"):
            rows = d.rows or [row]
            if len(rows) > 1:
                seqs = ", ".join(f"#{r['seq']}" for r in rows)
                what = f"{len(rows)} milestones ({seqs})"
            else:
                what = f"{milestone_label(row)}"
            title = f"{d.step.capitalize()} · {row['client']} · {what}"
            yield Label(Text(title, no_wrap=True, overflow="ellipsis"), classes="form-title")
            with Horizontal(classes="form-row"):
                yield Label("To", classes="compose-label")
                to = d.draft.to_line or "(no contact: add one on the clients screen)"
                yield Static(Text(to), id="compose-to")
            with Horizontal(classes="form-row"):
                yield Label("Subject", classes="compose-label")
                yield Input(
                    d.draft.subject, id="compose-subject", compact=True, select_on_focus=False
                )
            with Horizontal(classes="form-row"):
                yield Label("Attached", classes="compose-label")
                yield Static(self._files_text(d.draft), id="compose-files")
            yield TextArea(d.draft.body, id="compose-body", soft_wrap=True, compact=True)
            if d.unknown:
                yield Static(Text(f"Left as typed (milepay does not fill them): {', '.join(d.unknown)}. "
                                  "Edit the text or the template (settings, 9)."), classes="warning compose-note")  # fmt: skip
            yield Static("", id="compose-status", classes="compose-note")
            how = (
                f"^r sends via {d.smtp.describe()}"
                if d.smtp
                else "No mail server: M on the queue sets one up"
            )
            yield Static(
                Text(f"^o copies the body · ^s saves .eml/.txt · {how}"), classes="form-hint"
            )
        yield KeyBar()

    def on_mount(self) -> None:
        """Start in the body."""
        self.query_one("#compose-body", TextArea).focus()

    # ---- the message as edited ---------------------------------------------------------------

    @staticmethod
    def _files_text(draft: Draft) -> Text:
        """The attached files by name, or why nothing is attached."""
        if draft.attachments:
            return Text(", ".join(p.name for p in draft.attachments), overflow="ellipsis")
        return Text("none: no invoice file on the milestone · ^g adds a statement",
                    style="dim", overflow="ellipsis", no_wrap=True)  # fmt: skip

    def draft(self) -> Draft:
        """The draft with the subject and body as they are now."""
        subject = " ".join(self.query_one("#compose-subject", Input).value.split())
        body = self.query_one("#compose-body", TextArea).text
        return dataclasses.replace(self.base, subject=subject, body=body)

    @property
    def is_edited(self) -> bool:
        """Do the subject or body differ from what milepay filled in?"""
        if not self.is_mounted:
            return False
        d, now = self.base, self.draft()
        return (d.subject, d.body) != (now.subject, now.body)

    @property
    def is_dirty(self) -> bool:
        """Edited, and never delivered?"""
        return not self.logged and self.is_edited

    def status(self, message: str, *, error: bool = False) -> None:
        """Say what happened under the body."""
        box = self.query_one("#compose-status", Static)
        box.update(Text(message, style="bold" if error else ""))
        box.set_class(error, "-error")

    # ---- copy, save, send ----------------------------------------------------------------------

    def action_copy(self) -> None:
        """Put the body on the terminal's clipboard (OSC 52, works over SSH); log the step."""
        draft = self.draft()
        self.app.copy_to_clipboard(draft.body)
        said = f"Body copied to the clipboard (subject: {draft.subject})"
        if draft.attachments:
            said += f"; attach {', '.join(p.name for p in draft.attachments)} yourself"
        self._ask_sent("copied to the clipboard", draft, said)

    def action_save(self) -> None:
        """Ask for a path (.eml or .txt), save there, say where; log the step."""
        default = default_path(self.delivery.folder, self.delivery.row, self.delivery.step,
                                self.delivery.today, "eml")  # fmt: skip
        self.app.push_screen(SavePathModal(default), self._save_to)

    def _save_to(self, path: str | None) -> None:
        if not path:
            return
        draft = self.draft()
        smtp = self.delivery.smtp
        sender = self.delivery.sender or (smtp.sender if smtp else "")
        eml = {"from_addr": sender, "from_name": self.delivery.from_name}
        self._in_thread(lambda: save_draft(Path(path), draft, **eml),
                        lambda where: self._ask_sent(f"saved to {where}", draft, f"Saved to {where}"),
                        f"Saving to {path}…")  # fmt: skip

    def _ask_sent(self, note: str, draft: Draft, said: str) -> None:
        """After a copy or a save: log the step only when the user says the message went out."""
        from tui.modals.confirm import ConfirmModal

        if self.logged:
            self._delivered(note, draft, said)
            return
        self.handed_out = note
        #: the text that was copied or saved: an edit after it was handed out nowhere
        self._handed_text = (draft.subject, draft.body)
        self.status(f"{said}. Not logged yet: was it sent?")
        step, n = self.delivery.step, len(self.delivery.rows) or 1
        what = f"for {n} milestones" if n > 1 else "for this milestone"

        def answered(yes: bool | None) -> None:
            if yes:
                self._delivered(note, draft, said)
            else:
                self.status(f"{said}. Not logged: the {step} step stays due (l on the queue "
                            "logs it once you send it).")  # fmt: skip

        self.app.push_screen(
            ConfirmModal(f"Was it sent? Yes logs the {step} step {what} as taken today "
                         f"({self.delivery.today}).", yes="Sent: log it", no="Not yet"),
            answered,
        )  # fmt: skip

    def action_statement(self) -> None:
        """Attach the client's statement of account (a new PDF in the message folder)."""
        make = self.delivery.statement
        if make is None:
            return
        if self.statement_path is not None:
            self.status(
                f"The statement of account is already attached ({self.statement_path.name})."
            )
            return

        def attached(path: Path) -> None:
            self.statement_path = path
            redraft = self.delivery.redraft
            new = redraft([path]) if redraft is not None and not self.is_edited else None
            if new is None:  # keep the user's words; only the files change
                files = (*self.base.attachments, path)
                self.base = dataclasses.replace(self.base, attachments=files)
                note = " Your edited text was kept: mention the statement if you wish."
            else:
                self.base = new
                self.query_one("#compose-subject", Input).value = new.subject
                self.query_one("#compose-body", TextArea).text = new.body
                note = ""
            self.query_one("#compose-files", Static).update(self._files_text(self.base))
            self.status(f"Statement of account attached ({path.name}).{note}")

        self._in_thread(make, attached, "Writing the statement of account…")

    def action_send(self) -> None:
        """Send by SMTP; on failure say why, keep the text, log nothing."""
        smtp = self.delivery.smtp
        if smtp is None:
            self.notify(
                "No mail server is set up: copy (ctrl+o) or save (ctrl+s) the message, or press M "
                "on the chase queue to set up sending.",
                severity="warning",
                markup=False,
                timeout=6,
            )
            return
        self._send(smtp, self.draft(), confirmed=False)

    def _send(self, smtp: MailConfig, draft: Draft, *, confirmed: bool) -> None:
        """Send in a thread; a server new to this machine is asked about first (nothing sent)."""

        def work() -> str | MailServerUnconfirmed:
            if confirmed:
                confirm_server(smtp)
            msg = to_email_message(draft, from_addr=smtp.sender, from_name=self.delivery.from_name)
            try:
                send(smtp, msg)
            except MailServerUnconfirmed as exc:
                return exc  # a question, not a failure: no error toast
            return draft.to_email

        def done(result: str | MailServerUnconfirmed) -> None:
            if isinstance(result, MailServerUnconfirmed):
                self._ask_server(smtp, draft, str(result))
            else:
                self._delivered(f"sent by e-mail to {result} via {smtp.host}", draft,
                                f"Sent to {result}")  # fmt: skip

        self._in_thread(work, done, f"Sending via {smtp.describe()}…")

    def _ask_server(self, smtp: MailConfig, draft: Draft, question: str) -> None:
        """Ask before the first send through a server; no: nothing sent, nothing logged."""
        from tui.modals.confirm import ConfirmModal

        self.status("Waiting for your answer: this mail server is new to this machine.")

        def answered(yes: bool | None) -> None:
            if yes:
                self._send(smtp, draft, confirmed=True)
            else:
                self.status("Not sent: the mail server was not confirmed. Nothing logged.")

        self.app.push_screen(ConfirmModal(question, yes="Send", no="Do not send"), answered)

    def _in_thread(self, work: Callable[[], Any], done: Callable[[Any], None], doing: str) -> None:
        """Run file or network work in a thread worker; failures come back to the status line."""
        if self.busy:
            return
        self.busy = True
        self.status(doing)

        def ok(result: Any) -> None:
            self.busy = False
            done(result)

        def failed(exc: MilepayError) -> None:
            self.busy = False
            self.status(f"Not done: {exc}", error=True)

        self.milepay.session.run(work, done=ok, failed=failed, group="mail")

    def _delivered(self, note: str, draft: Draft, said: str) -> None:
        """The message went out: log the chase event once, then say so."""
        if self.logged:
            self.status(f"{said}. (The {self.delivery.step} step was already logged.)")
            return
        self.logged = True
        step = self.delivery.step
        self.status(f"{said}. Logging the {step} step…")
        log = self.delivery.log

        n = len(self.delivery.rows) or 1
        each = f" for {n} milestones" if n > 1 else ""

        def logged(_: Any) -> None:
            self.logged = True  # also after a retry of a busy book
            self.status(
                f"{said}. {step.capitalize()} logged{each} for {self.delivery.today}. Esc closes."
            )

        def refused(exc: MilepayError) -> None:
            self.logged = False
            self.status(f"{said}, but the step was not logged: {exc}", error=True)

        self.milepay.write(lambda: log(note, draft.logged_text()), done=logged, failed=refused,
                           message=f"{step.capitalize()} logged: {note}.")  # fmt: skip

    def action_close(self) -> None:
        """Close; ask first when edited text would be lost."""
        from tui.modals.confirm import ConfirmModal

        if not self.is_dirty:
            self.dismiss(self.logged)
            return
        now = self.draft()
        as_handed = self.handed_out and self._handed_text == (
            now.subject,
            now.body,
        )
        where = (f"It was {self.handed_out} but not logged as sent." if as_handed
                 else "It was not copied, saved or sent as it is now.")  # fmt: skip
        self.app.push_screen(ConfirmModal(f"Discard the edited message? {where}",
                                          yes="Discard", no="Keep editing"),
                             lambda yes: self.dismiss(False) if yes else None)  # fmt: skip


class SavePathModal(ModalScreen[str | None]):
    """Where to save the message: a path ending .eml (an e-mail file) or .txt."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="save-path-cancel"),
    ]

    def __init__(self, default: Path) -> None:
        super().__init__()
        self.default = default

    def compose(self) -> ComposeResult:
        """The path field with the default filled in."""
        with Vertical(classes="dialog save-path"):
            yield Label("Save the message", classes="dialog-title")
            yield Input(str(self.default), id="save-path", compact=True, select_on_focus=False)
            yield Static("", id="save-path-error", classes="form-error")
            yield Label(Text("Ends .eml: an e-mail file any mail program opens; else plain text.\n"
                             "Enter save · Esc cancel"), classes="dialog-keys")  # fmt: skip
        yield KeyBar()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Check the path, then return it."""
        event.stop()
        raw = event.value.strip()
        path = Path(raw).expanduser() if raw else None
        problem = None
        if path is None:
            problem = "Type a path."
        elif path.exists():
            problem = f"{path} already exists: choose another name."
        elif path.suffix.lower() not in (".eml", ".txt"):
            problem = "End the name with .eml or .txt."
        if problem:
            box = self.query_one("#save-path-error", Static)
            box.update(Text(problem))
            box.add_class("-shown")
            return
        self.dismiss(str(path))

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)
