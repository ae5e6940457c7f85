"""A message that needs reading (the book is busy), optionally offering to try again."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from tui.widgets.keybar import KeyBar


class MessageModal(ModalScreen[bool]):
    """Show a title and a message; ``r`` retries (dismiss True), Esc/Enter closes (False)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "close(True)", "Try again", id="message-retry"),
        Binding("escape", "close(False)", "Close", id="message-close"),
        Binding("enter", "close(False)", "Close", show=False),
    ]

    def __init__(self, title: str, message: str, *, retry: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.message = message
        self.retry = retry

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Retry only when the failed action can be run again."""
        if action == "close" and parameters == (True,):
            return self.retry
        return True

    def compose(self) -> ComposeResult:
        """Title, message, keys."""
        with Vertical(classes="dialog -error"):
            yield Label(Text(self.title_text), classes="dialog-title")
            yield Static(Text(self.message), classes="dialog-body")
            keys = "r try again · Esc close" if self.retry else "Esc close"
            yield Label(Text(keys), classes="dialog-keys")
        yield KeyBar()

    def action_close(self, retry: bool) -> None:
        """Close, saying whether to try again."""
        self.dismiss(retry)
