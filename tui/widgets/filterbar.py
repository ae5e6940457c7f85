"""The ``/`` filter line docked under a list: type to narrow it, Enter to go back, Esc to clear."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Label


class FilterBar(Widget):
    """A hidden one-line filter; ``open()`` shows and focuses it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "clear", "Clear filter", id="filter-clear")
    ]

    class Changed(Message):
        """The filter text changed (posted as the user types)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Done(Message):
        """The user finished filtering (Enter or Esc): focus goes back to the list."""

    def compose(self) -> ComposeResult:
        """A label and the input."""
        yield Label("/ Filter")
        yield Input(placeholder="text in any column; Enter back to the list, Esc clear",
                    compact=True, id="filter-input")  # fmt: skip

    def on_mount(self) -> None:
        """Hidden until asked for."""
        self.add_class("-hidden")

    @property
    def text(self) -> str:
        """The current filter."""
        return self.query_one(Input).value.strip()

    def open(self) -> None:
        """Show and focus the filter."""
        self.remove_class("-hidden")
        self.query_one(Input).focus()

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(event.value.strip()))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value.strip():
            self.add_class("-hidden")
        self.post_message(self.Done())

    def action_clear(self) -> None:
        """Empty and hide the filter."""
        self.query_one(Input).value = ""
        self.add_class("-hidden")
        self.post_message(self.Changed(""))
        self.post_message(self.Done())
