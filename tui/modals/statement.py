"""The statement of account of one client (SPEC 4.7): its text, scrollable, and a PDF to save.

Opened from the clients screen. The statement is worked out in a thread from the session's
snapshot (the book as it is now, at the book's today); the text is plain (``rich.text.Text``,
never markup). ``p`` asks where to save the PDF (default: the message folder, named
``YYYY-MM-DD-statement-<client>.pdf``) and writes it in a thread: a new file, 0600; an
existing file is refused before anything is written.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import ScrollableContainer, Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from tui.analytics.statement import Statement, statement
from tui.domain.errors import MilepayError, ValidationError
from tui.mail import file_slug, new_path
from tui.present.statement import statement_text
from tui.widgets.keybar import KeyBar

if TYPE_CHECKING:
    from tui.app import MilepayApp
    from tui.session import Snapshot


def default_pdf_path(folder: Path, client: str, as_of: dt.date) -> Path:
    """``FOLDER/2026-11-24-statement-acme.pdf``, numbered ``-2``, ``-3`` when taken."""
    return new_path(folder, f"{as_of.isoformat()}-statement-{file_slug(client) or 'client'}", "pdf")


def check_pdf_path(text: str) -> Path:
    """A new file to write the PDF to: ``~`` expanded, ends ``.pdf``, not there yet. Unlike
    :func:`~tui.modals.prompt.check_export_path` its folder may be missing: the save makes it
    (0700), as the default folder of messages is made on first use."""
    raw = text.strip()
    if not raw:
        raise ValidationError("file", "is required")
    path = Path(raw).expanduser()
    if path.is_dir():
        raise ValidationError("file", f"{path} is a folder; add a file name")
    if path.suffix.lower() != ".pdf":
        raise ValidationError("file", "end the name with .pdf")
    if path.exists() or path.is_symlink():
        raise ValidationError("file", f"{path} already exists: choose another name")
    return path


class StatementModal(ModalScreen[None]):
    """One client's statement as text; ``p`` saves it as a PDF, Esc closes."""

    DEFAULT_CSS = """
    StatementModal .dialog.statement { width: 100%; height: 100%; }
    StatementModal #statement-scroll { height: 1fr; }
    StatementModal #statement-text { width: auto; }
    StatementModal #statement-status { height: auto; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "save_pdf", "Save PDF", id="statement-pdf"),
        Binding("escape", "close", "Close", id="statement-close"),
    ]

    def __init__(self, client_id: int, client: str) -> None:
        super().__init__()
        self.client_id = client_id
        self.client = client
        self.statement: Statement | None = None
        self.busy = False

    @property
    def milepay(self) -> MilepayApp:
        """The app, typed."""
        return cast("MilepayApp", self.app)

    def compose(self) -> ComposeResult:
        """Title, the statement text (scrollable both ways), a status line and the keys."""
        with Vertical(classes="dialog statement"):
            yield Label(Text(f"Statement of account · {self.client}", no_wrap=True,
                             overflow="ellipsis"), classes="dialog-title")  # fmt: skip
            with ScrollableContainer(id="statement-scroll"):
                yield Static(Text("Working it out…"), id="statement-text")
            yield Static("", id="statement-status")
            yield Label(Text("↑↓←→ scroll · p save as PDF · Esc close"), classes="dialog-keys")
        yield KeyBar()

    def on_mount(self) -> None:
        """Work the statement out from the session's snapshot, in a thread."""
        self.query_one("#statement-scroll", ScrollableContainer).focus()
        cid = self.client_id

        def make(snapshot: Snapshot) -> Statement:
            return statement(snapshot.frames, snapshot.today, cid)

        self.milepay.session.build(make, self._show, group=f"statement-{id(self)}")

    def _show(self, stmt: Statement) -> None:
        self.statement = stmt
        self.query_one("#statement-text", Static).update(Text(statement_text(stmt).rstrip("\n")))
        self.refresh_bindings()

    def status(self, message: str, *, error: bool = False) -> None:
        """Say what happened under the text."""
        self.query_one("#statement-status", Static).update(
            Text(message, style="bold" if error else "")
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Saving needs the statement worked out (dimmed until then)."""
        if action == "save_pdf" and (self.statement is None or self.busy):
            return None
        return True

    def action_save_pdf(self) -> None:
        """Ask where to save the PDF (a new .pdf file), then write it in a thread."""
        from tui.config import load_config
        from tui.mail import default_folder
        from tui.modals.prompt import PromptModal

        stmt = self.statement
        if stmt is None or self.busy:
            return
        config, _ = load_config()
        default = default_pdf_path(default_folder(config.message_folder), stmt.client, stmt.as_of)
        prompt = PromptModal("Save the statement as a PDF", str(default), check_pdf_path,
                             hint="a new .pdf file (~ works) · Enter save · Esc cancel")  # fmt: skip
        self.app.push_screen(prompt, lambda path: self._write(stmt, path))

    def _write(self, stmt: Statement, path: Path | None) -> None:
        from tui.present.statement_pdf import write_statement_pdf

        if path is None:
            return
        self.busy = True
        self.refresh_bindings()
        self.status(f"Saving to {path}…")

        def done(where: Path) -> None:
            self.busy = False
            self.refresh_bindings()
            self.status(f"Saved to {where}")
            self.notify(f"Statement saved to {where}", markup=False, timeout=4)

        def failed(exc: MilepayError) -> None:
            self.busy = False
            self.refresh_bindings()
            self.status(f"Not saved: {exc}", error=True)

        self.milepay.session.run(lambda: write_statement_pdf(path, stmt), done=done,
                                 failed=failed, group="statement-pdf")  # fmt: skip

    def action_close(self) -> None:
        """Back to the clients."""
        self.dismiss(None)


__all__ = ["StatementModal", "check_pdf_path", "default_pdf_path"]
