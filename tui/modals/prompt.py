"""One-line questions: pick an as-of date (aging), a file to export to (forecast).

A :class:`PromptModal` checks the text as it is typed and again on Enter; a wrong value is
named under the field and the dialog stays open (nothing changes behind it). Esc cancels.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar, Generic, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from tui.domain.dates import parse_date
from tui.domain.errors import MilepayError, ValidationError
from tui.widgets.keybar import KeyBar

T = TypeVar("T")


class PromptModal(ModalScreen[T | None], Generic[T]):
    """Ask for one value; ``check`` turns the text into it or raises ``MilepayError``."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="prompt-cancel"),
    ]

    def __init__(
        self, title: str, value: str, check: Callable[[str], T], *, hint: str = "",
        warn: Callable[[T], str | None] | None = None,
    ) -> None:  # fmt: skip
        super().__init__()
        self.title_text = title
        self.value = value
        self.check = check
        self.hint = hint
        #: a warning that needs a second Enter (e.g. "the file exists and will be replaced")
        self.warn = warn
        self._warned: str | None = None

    def compose(self) -> ComposeResult:
        """Title, the field, the message line and the keys."""
        with Vertical(classes="dialog prompt"):
            yield Label(Text(self.title_text), classes="dialog-title")
            yield Input(self.value, id="prompt-input", compact=True, select_on_focus=True)
            yield Static("", id="prompt-message", classes="form-error")
            yield Label(Text(self.hint or "Enter OK · Esc cancel"), classes="dialog-keys")
        yield KeyBar()

    def on_mount(self) -> None:
        """Focus the field with the cursor at the end."""
        self.query_one(Input).focus()

    def message(self, text: str | None) -> None:
        """Show (or clear) the line under the field."""
        line = self.query_one("#prompt-message", Static)
        line.update(Text(text or ""))
        line.set_class(bool(text), "-shown")

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self._warned = None
        try:
            self.check(event.value)
        except MilepayError as exc:
            self.message(str(exc))
            return
        self.message(None)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            value = self.check(event.value)
        except MilepayError as exc:
            self.message(str(exc))
            return
        warning = self.warn(value) if self.warn else None
        if warning and self._warned != event.value:
            self._warned = event.value
            self.message(warning + " Press Enter again to go ahead.")
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        """Close; nothing changes."""
        self.dismiss(None)


def as_of_prompt(current: dt.date, today: dt.date) -> PromptModal[dt.date]:
    """Ask for an as-of date: ``YYYY-MM-DD``, ``today``, ``+14d``, ``-30d``, ``-1m``."""
    return PromptModal(
        "Aging as of which date?",
        current.isoformat(),
        lambda text: parse_date(text, "as of", today_=today),
        hint="YYYY-MM-DD, today, -30d, +2w, -1m · Enter OK · Esc cancel",
    )


def check_export_path(text: str) -> Path:
    """A file path to write: ``~`` expanded, its folder must exist, not a folder itself."""
    raw = text.strip()
    if not raw:
        raise ValidationError("file", "is required")
    path = Path(raw).expanduser()
    if path.is_dir():
        raise ValidationError("file", f"{path} is a folder; add a file name")
    if not path.parent.is_dir():
        raise ValidationError("file", f"the folder {path.parent} does not exist")
    return path


def export_prompt(default: Path) -> PromptModal[Path]:
    """Ask where to write a CSV file (asks again before replacing an existing one)."""

    def exists(path: Path) -> str | None:
        return f"{path} exists and will be replaced." if path.exists() else None

    return PromptModal(
        "Export the table to CSV",
        str(default),
        check_export_path,
        hint="a file path (~ works) · Enter write · Esc cancel",
        warn=exists,
    )
