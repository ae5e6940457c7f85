"""Asked when a save finds the record changed elsewhere since the form opened.

Lists each changed field (the value when the form opened, the value now, what is typed) and
returns the user's choice: keep mine (save over it knowingly), take theirs (load the values
saved elsewhere into the form) or keep editing. Nothing is written until the user decides.
Every value is shown as plain text, never as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from tui.widgets.keybar import KeyBar


@dataclass(frozen=True)
class StaleChange:
    """One field changed elsewhere: its label, value when opened, value now, what is typed."""

    label: str
    opened: str
    now: str
    typed: str | None  # None: the form has no such field


def _cell(value: str | None) -> Text:
    """A value as plain text; empty and missing values say so in italics."""
    if value is None:
        return Text("-", style="dim")
    if value == "":
        return Text("(empty)", style="dim italic")
    return Text(value)


class StaleEditModal(ModalScreen[str]):
    """Which version wins? Dismisses with KEEP_MINE, TAKE_THEIRS or KEEP_EDITING."""

    KEEP_MINE = "mine"
    TAKE_THEIRS = "theirs"
    KEEP_EDITING = "edit"

    DEFAULT_CSS = """
    StaleEditModal .stale-dialog {
        width: 96;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $error;
        background: $surface;
        padding: 0 1;
    }
    StaleEditModal .stale-note {
        color: $text-muted;
        margin-bottom: 1;
    }
    StaleEditModal .stale-changes {
        height: auto;
        max-height: 1fr;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "choose('mine')", "Keep mine", id="stale-mine"),
        Binding("t", "choose('theirs')", "Take theirs", id="stale-theirs"),
        Binding("e", "choose('edit')", "Keep editing", id="stale-edit"),
        Binding("escape", "choose('edit')", "Keep editing", show=False),
    ]

    def __init__(self, what: str, changes: Sequence[StaleChange]) -> None:
        super().__init__()
        self.what = what
        self.changes = list(changes)

    def compose(self) -> ComposeResult:
        """Heading, the table of changed fields, the three keys."""
        with Vertical(classes="stale-dialog"):
            yield Label(
                Text(f"This {self.what} was changed elsewhere since you opened it"),
                classes="dialog-title",
            )
            yield Static(Text("Nothing was saved; what you typed is kept."), classes="stale-note")
            with VerticalScroll(classes="stale-changes"):
                yield Static(self._table(), id="stale-table")
            keys = Text()
            for key, label in (("m", "Keep mine"), ("t", "Take theirs"), ("Esc", "Keep editing")):
                keys.append(f" {key} ", style="bold reverse")
                keys.append(f" {label}   ")
            yield Label(keys, classes="dialog-keys")
        yield KeyBar()

    def _table(self) -> Table:
        table = Table(box=None, padding=(0, 1), expand=True)
        for title in ("Field", "When you opened it", "Now", "You typed"):
            table.add_column(Text(title), overflow="fold")
        for change in self.changes:
            table.add_row(
                Text(change.label, style="bold"),
                _cell(change.opened),
                _cell(change.now),
                _cell(change.typed),
            )
        return table

    def action_choose(self, choice: str) -> None:
        """Close with the choice."""
        self.dismiss(choice)
