"""Help (``?``): every key of the current screen and the keys that work everywhere.

Each key is listed with its binding id, the name the config file's ``[keymap]`` table uses
to remap it (SPEC section 2); the keys shown are the remapped ones.
"""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

from tui.widgets.keybar import KeyBar, declared_ids

INTRO = (
    "milepay keeps clients, contracts, milestones and payments. Letters act on the current "
    "screen; digits switch screens. Forms check every field as you type; Esc asks before "
    "discarding what you typed. Dates accept YYYY-MM-DD, today, +14d, +2w, +1m."
)

#: better words for the app's own bindings in the help (by binding id)
APP_KEY_TEXT = {
    "help": "This help",
    "toggle-theme": "Switch dark / light theme (any theme: ctrl+p, then Theme)",
    "quit": "Quit (where no text field has focus)",
    "quit-now": "Quit from anywhere",
}
#: keys without an id (Textual's own), listed after the app's
OTHER_KEYS = [
    ("^p", "Command palette: go to client / contract, record payment for ...", ""),
    ("Tab / shift+Tab", "Move between fields and panels", ""),
]


def _keys_shown(app: App[object], binding: Binding, keys: list[str]) -> str:
    """``c / 7``: the keys of one binding as the key bar shows them."""
    if binding.key_display:
        return binding.key_display
    shown = [app.get_key_display(binding.with_key(key, key_display=None)) for key in keys]
    return " / ".join(dict.fromkeys(shown))


def screen_keys(screen: Screen[object]) -> list[tuple[str, str, str, bool]]:
    """The screen's own bindings (keymap applied): keys, what, binding id, usable now."""
    groups: dict[str, tuple[Binding, list[str], bool]] = {}
    declared: list[str] = []  # milepay's own bindings of the screen and its widgets, in order
    nodes = [screen, *(n.node for n in screen.active_bindings.values())]
    for node in dict.fromkeys(nodes):
        declared += declared_ids(type(node))
    for key, active_binding in screen.active_bindings.items():
        binding = active_binding.binding
        if active_binding.node is screen.app or not binding.description or binding.system:
            continue  # the app's keys are listed apart
        name = binding.id or binding.action
        if name not in declared:
            continue
        first, keys, enabled = groups.get(name, (binding, [], False))
        groups[name] = (first, [*keys, key], enabled or active_binding.enabled)
    order = {name: declared.index(name) for name in groups}
    return [
        (_keys_shown(screen.app, binding, keys), binding.description, binding.id or "", enabled)
        for name, (binding, keys, enabled) in sorted(groups.items(), key=lambda g: order[g[0]])
    ]


def app_keys(app: App[object]) -> list[tuple[str, str, str, bool]]:
    """The app's bindings (keys that work everywhere) with the config file's keymap applied."""
    keymap: dict[str, str] = getattr(app, "keymap", {})
    rows: list[tuple[str, str, str, bool]] = []
    for binding in type(app).BINDINGS:
        if not isinstance(binding, Binding) or not binding.id:
            continue
        remapped = keymap.get(binding.id)
        keys = (remapped or binding.key).split(",")
        if remapped:
            binding = binding.with_key(remapped, key_display=None)
        what = APP_KEY_TEXT.get(binding.id)
        if what is None:
            go = binding.action.startswith("goto(")
            what = f"Go to {binding.description}" if go else binding.description
        rows.append((_keys_shown(app, binding, keys), what, binding.id, True))
    return rows + [(k, w, i, True) for k, w, i in OTHER_KEYS]


def keymap_note() -> str:
    """Where the keys are remapped: the config file's ``[keymap]`` table, by binding id."""
    from tui.config import config_path, shown_path

    return (
        f"Remap any key by its id in {shown_path(config_path())}: a [keymap] table of "
        'id = "keys", e.g. goto-chase = "c,7" (keys separated by commas).'
    )


class HelpModal(ModalScreen[None]):
    """Lists every binding of the screen it was opened on, then the global ones."""

    DEFAULT_CSS = """
    HelpModal .help-keymap {
        margin-top: 1;
        color: $text-muted;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="help-close"),
        Binding("question_mark", "close", "Close", show=False, id="help"),
        Binding("q", "close", "Close", show=False),
    ]

    def __init__(self, screen: Screen[object]) -> None:
        super().__init__()
        self.for_screen = screen
        #: read now, while ``screen`` is active: once this dialog is on top, Textual counts
        #: only some of its bindings as active
        self.screen_rows = screen_keys(screen)

    def compose(self) -> ComposeResult:
        """Intro, screen keys, global keys."""
        name = getattr(self.for_screen, "TITLE_TEXT", type(self.for_screen).__name__)
        with Vertical(classes="dialog help"):
            yield Label(Text(f"Help: {name}"), classes="dialog-title")
            with VerticalScroll():
                yield Static(Text(INTRO), classes="help-intro")
                yield Static(self._table("Keys on this screen", self.screen_rows))
                yield Static(self._table("Keys everywhere", app_keys(self.app)))
                yield Static(Text(keymap_note()), classes="help-keymap")
            yield Label(Text("Esc close · ↑↓ scroll"), classes="dialog-keys")
        yield KeyBar()

    @staticmethod
    def _table(title: str, rows: list[tuple[str, str, str, bool]]) -> Table:
        """Keys, what they do, and the binding id a keymap names."""
        table = Table(title=title, title_justify="left", show_header=False, box=None, expand=True)
        table.add_column("key", style="bold", no_wrap=True, min_width=8)
        table.add_column("what", ratio=1)
        table.add_column("id", style="dim", no_wrap=True)
        for key, what, binding_id, enabled in rows:
            note = "" if enabled else "  (not now)"
            table.add_row(Text(key), Text(what + note, style="" if enabled else "dim"),
                          Text(binding_id))  # fmt: skip
        return table

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss(None)
