"""The message composer: To, an editable subject and body; copy, save or send, and log once.

The first successful copy (OSC 52), save (.txt/.eml) or send (SMTP) logs exactly one chase
event (today, the step, channel e-mail, the contact, the message as it went out); doing a
second of them from the same composer does not log again. A failed save or send shows why,
keeps the text, and logs nothing. The first send through a mail server this machine has not
used asks first (``Send mail through host:port as user?``): yes records the server and sends,
no sends and logs nothing. Esc closes, asking first when edited text was never copied, saved
or sent. The keys are ctrl keys because the body editor has the focus.
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
from textual.widgets import Footer, Input, Label, Static, TextArea

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


class ComposeModal(ModalScreen[bool]):
    """Compose one chase message; dismiss True when it was delivered (and logged)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+o", "copy", "Copy", id="compose-copy"),
        Binding("ctrl+s", "save", "Save file", id="compose-save"),
        Binding("ctrl+r", "send", "Send", id="compose-send"),
        Binding("escape", "close", "Close", id="compose-close"),
        Binding("tab", "app.focus_next", "Next field", show=False),
    ]

    def __init__(self, delivery: Delivery) -> None:
        super().__init__()
        self.delivery = delivery
        self.logged = False
        self.busy = False

    @property
    def milepay(self) -> MilepayApp:
        """The app, typed."""
        return cast("MilepayApp", self.app)

    def compose(self) -> ComposeResult:
        """Heading, To, Subject, body, notes and the keys."""
        d, row = self.delivery, self.delivery.row
        with Vertical(classes="form composer"):
            title = f"{d.step.capitalize()} · {row['client']} · {row['contract']} #{row['seq']} {row['milestone']}"
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
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Start in the body."""
        self.query_one("#compose-body", TextArea).focus()

    # ---- the message as edited ---------------------------------------------------------------

    def draft(self) -> Draft:
        """The draft with the subject and body as they are now."""
        subject = " ".join(self.query_one("#compose-subject", Input).value.split())
        body = self.query_one("#compose-body", TextArea).text
        return dataclasses.replace(self.delivery.draft, subject=subject, body=body)

    @property
    def is_dirty(self) -> bool:
        """Edited, and never delivered?"""
        if self.logged or not self.is_mounted:
            return False
        d, now = self.delivery.draft, self.draft()
        return (d.subject, d.body) != (now.subject, now.body)

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
        self._delivered(
            "copied to the clipboard",
            draft,
            f"Body copied to the clipboard (subject: {draft.subject})",
        )

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
        eml = {"from_addr": smtp.sender if smtp else "", "from_name": self.delivery.from_name}
        self._in_thread(lambda: save_draft(Path(path), draft, **eml),
                        lambda where: self._delivered(f"saved to {where}", draft, f"Saved to {where}"),
                        f"Saving to {path}…")  # fmt: skip

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

        def logged(_: Any) -> None:
            self.logged = True  # also after a retry of a busy book
            self.status(
                f"{said}. {step.capitalize()} logged for {self.delivery.today}. Esc closes."
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
        self.app.push_screen(ConfirmModal("Discard the edited message? It was not copied, saved or sent.",
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
        yield Footer(compact=True)

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
