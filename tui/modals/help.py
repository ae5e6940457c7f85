"""Help (``?``): every key of the current screen and the keys that work everywhere."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Label, Static

from tui.widgets.navbar import SCREENS

INTRO = (
    "milepay keeps clients, contracts, milestones and payments. Letters act on the current "
    "screen; digits switch screens. Forms check every field as you type; Esc asks before "
    "discarding what you typed. Dates accept YYYY-MM-DD, today, +14d, +2w, +1m."
)

GLOBAL_KEYS = [
    *[(key, f"Go to {label}") for key, _mode, label, _short in SCREENS],
    ("?", "This help"),
    ("ctrl+p", "Command palette: go to client / contract, record payment for ..."),
    ("ctrl+t", "Switch dark / light theme"),
    ("q / ctrl+q", "Quit (q only where no text field has focus)"),
    ("Tab / shift+Tab", "Move between fields and panels"),
]


def screen_keys(screen: Screen[object]) -> list[tuple[str, str, bool]]:
    """The current screen's own bindings (and its focused widget's): key, what, usable now."""
    seen: set[str] = set()
    out: list[tuple[str, str, bool]] = []
    active = screen.active_bindings
    for key, active_binding in active.items():
        binding = active_binding.binding
        node = active_binding.node
        if not isinstance(node, Screen) or not binding.description or binding.action in seen:
            continue  # the app's keys are listed apart; widget keys (cursor moves) are standard
        if binding.system:
            continue
        seen.add(binding.action)
        display = screen.app.get_key_display(binding)
        out.append((display or key, binding.description, active_binding.enabled))
    return out


class HelpModal(ModalScreen[None]):
    """Lists every binding of the screen it was opened on, then the global ones."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="help-close"),
        Binding("question_mark", "close", "Close", show=False),
        Binding("q", "close", "Close", show=False),
    ]

    def __init__(self, screen: Screen[object]) -> None:
        super().__init__()
        self.for_screen = screen

    def compose(self) -> ComposeResult:
        """Intro, screen keys, global keys."""
        name = getattr(self.for_screen, "TITLE_TEXT", type(self.for_screen).__name__)
        with Vertical(classes="dialog help"):
            yield Label(Text(f"Help: {name}"), classes="dialog-title")
            with VerticalScroll():
                yield Static(Text(INTRO), classes="help-intro")
                yield Static(self._table("Keys on this screen", screen_keys(self.for_screen)))
                yield Static(self._table("Keys everywhere", [(k, d, True) for k, d in GLOBAL_KEYS]))
            yield Label(Text("Esc close · ↑↓ scroll"), classes="dialog-keys")
        yield Footer(compact=True)

    @staticmethod
    def _table(title: str, rows: list[tuple[str, str, bool]]) -> Table:
        table = Table(title=title, title_justify="left", show_header=False, box=None, expand=True)
        table.add_column("key", style="bold", no_wrap=True, min_width=8)
        table.add_column("what", ratio=1)
        for key, what, enabled in rows:
            note = "" if enabled else "  (not now)"
            table.add_row(Text(key), Text(what + note, style="" if enabled else "dim"))
        return table

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss(None)
