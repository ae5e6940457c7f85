"""A yes/no question (discard changes? archive?), answered with y / n or Enter / Esc."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from tui.widgets.keybar import KeyBar


class ConfirmModal(ModalScreen[bool]):
    """Ask one question; dismiss with True (yes) or False (no)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm-yes"),
        Binding("enter", "answer(True)", "Yes", show=False),
        Binding("n", "answer(False)", "No", id="confirm-no"),
        Binding("escape", "answer(False)", "No", show=False),
    ]

    def __init__(self, question: str, *, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question = question
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        """The question and the two keys."""
        with Vertical(classes="dialog"):
            yield Static(Text(self.question), classes="dialog-body")
            line = Text()
            line.append(" y ", style="bold reverse")
            line.append(f" {self.yes}    ")
            line.append(" n ", style="bold reverse")
            line.append(f" {self.no} (Esc)")
            yield Label(line, classes="dialog-keys")
        yield KeyBar()

    def action_answer(self, yes: bool) -> None:
        """Close with the answer."""
        self.dismiss(yes)
