"""Pick one of a few records (a contact to edit, a change order to accept)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from tui.widgets.keybar import KeyBar


class PickModal(ModalScreen[int | None]):
    """A list of ``(id, label)``; Enter returns the id, Esc returns None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="pick-cancel")
    ]

    def __init__(self, title: str, choices: Sequence[tuple[int, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)

    def compose(self) -> ComposeResult:
        """Title and the options (plain text)."""
        with Vertical(classes="dialog"):
            yield Label(Text(self.title_text), classes="dialog-title")
            yield OptionList(*(Option(Text(label), id=str(i)) for i, label in self.choices))
            yield Label(Text("↑↓ choose · Enter select · Esc cancel"), classes="dialog-keys")
        yield KeyBar()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or 0))

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)
