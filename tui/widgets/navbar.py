"""The line above the key bar listing the screens and their keys, the current one lit."""

from __future__ import annotations

from rich.text import Text
from textual.keys import format_key
from textual.reactive import reactive
from textual.widget import Widget

#: (key, mode name, long label, short label) of every screen reachable from anywhere
SCREENS: list[tuple[str, str, str, str]] = [
    ("1", "dashboard", "Dashboard", "Dash"),
    ("2", "clients", "Clients", "Clients"),
    ("3", "contracts", "Contracts", "Contr"),
    ("4", "milestones", "Milestones", "Miles"),
    ("5", "aging", "Aging", "Aging"),
    ("6", "forecast", "Forecast", "Fcst"),
    ("7", "chase", "Chase", "Chase"),
    ("8", "expenses", "Expenses", "Exp"),
    ("9", "settings", "Settings", "Set"),
]


class NavBar(Widget):
    """Screen keys: ``1 Dashboard  2 Clients ...`` with the current screen highlighted."""

    current: reactive[str] = reactive("")

    def __init__(self, current: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.current = current

    def render(self) -> Text:
        """Long labels when they fit, short ones in narrow terminals.

        Help and the palette are not here: the key bar under it always shows them.
        """
        text = self._line(2)
        return text if text.cell_len <= self.size.width else self._line(3)

    def _key(self, binding_id: str, default: str) -> str:
        """The first key of a binding as the user's ``[keymap]`` set it (else the default)."""
        keymap = getattr(self.app, "keymap", None) or {}
        keys = str(keymap.get(binding_id, default)).split(",")[0].strip() or default
        return format_key(keys)

    def _line(self, index: int) -> Text:
        out = Text(no_wrap=True, overflow="ellipsis")
        for key, mode, *labels in SCREENS:
            label = labels[index - 2]
            lit = mode == self.current
            out.append(
                f" {self._key(f'goto-{mode}', key)} ", style="bold reverse" if lit else "bold"
            )
            out.append(f"{label} ", style="bold" if lit else "")
        return out
