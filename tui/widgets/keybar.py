"""The bottom line: the current screen's keys in order of use, ``? more`` when they do not fit.

Replaces Textual's ``Footer``, which at 80 columns cut its last key in half and left a stray
letter behind the palette key. The key bar is one rich ``Text``: whole ``key Label`` entries
only, then ``? more`` (the help key, which lists every key) when some were left out, and
``^p Commands`` at the right end.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import groupby
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.widget import Widget

if TYPE_CHECKING:
    from textual.app import App
    from textual.binding import ActiveBinding
    from textual.screen import Screen

#: cells between two entries
GAP = 2
#: cells left blank at each end of the line
MARGIN = 1
#: what the command palette entry says (the nav bar says the same)
PALETTE_LABEL = "Commands"
#: what the help key says when it stands for the keys left out
MORE_LABEL = "more"

HELP = "help"
PALETTE = "palette"


@dataclass(frozen=True)
class KeyItem:
    """One entry of the key bar: ``key Label``; ``role`` marks the help and palette entries."""

    key: str
    label: str
    enabled: bool = True
    role: str = ""

    @property
    def cells(self) -> int:
        """Its width on screen."""
        return cell_len(self.key) + (1 + cell_len(self.label) if self.label else 0)

    def __str__(self) -> str:
        return f"{self.key} {self.label}" if self.label else self.key


def line_cells(items: Sequence[KeyItem]) -> int:
    """Cells taken by ``items`` with the least gap between each two."""
    return sum(i.cells for i in items) + GAP * max(len(items) - 1, 0)


def fit_keys(items: Sequence[KeyItem], width: int, palette: KeyItem | None = None) -> list[KeyItem]:
    """The entries shown in ``width`` cells, left to right, the palette entry (if any) last.

    All of them when they fit. Otherwise the help entry becomes ``? more`` (placed after the
    keys shown) and the keys are taken in order while each fits whole: never a cut one. In a
    very narrow line the palette entry goes first, then ``? more``.
    """
    tail = [palette] if palette is not None else []
    if line_cells([*items, *tail]) <= width:
        return [*items, *tail]
    help_item = next((i for i in items if i.role == HELP), None)
    rest = [i for i in items if i is not help_item]
    more = [replace(help_item, label=MORE_LABEL)] if help_item is not None else []
    reserved: list[KeyItem] = []
    for candidate in ([*more, *tail], more):
        if line_cells(candidate) <= width:
            reserved = candidate
            break
    shown: list[KeyItem] = []
    for item in rest:
        if line_cells([*shown, item, *reserved]) > width:
            break
        shown.append(item)
    return shown + reserved


def palette_key(app: App[object]) -> str:
    """The command palette's key as the key bar shows it (``^p``)."""
    binding = Binding(app.COMMAND_PALETTE_BINDING, "command_palette",
                      key_display=app.COMMAND_PALETTE_DISPLAY)  # fmt: skip
    return app.get_key_display(binding)


def declared_ids(cls: type) -> list[str]:
    """Binding ids (else actions) milepay's classes in ``cls``'s MRO declare, bases first, in
    their order (not Textual's own: tab, copy, cursor keys, its quit on ctrl+q)."""
    ids: list[str] = []
    for klass in reversed(cls.__mro__):
        if not klass.__module__.startswith("tui."):
            continue
        ids += [b.id or b.action for b in Binding.make_bindings(vars(klass).get("BINDINGS", ()))]
    return list(dict.fromkeys(ids))


def declared_order(active: Iterable[ActiveBinding]) -> list[ActiveBinding]:
    """Active bindings in the order their classes declare them, node by node.

    Textual's keymap moves a remapped key to the end of its node's bindings: without this a
    user who remaps ``n`` would find New pushed out of the bar at 80 columns.
    """
    entries = list(active)
    nodes: dict[int, int] = {}
    ranks: dict[int, dict[str, int]] = {}
    for entry in entries:
        node = id(entry.node)
        if node not in nodes:
            nodes[node] = len(nodes)
            ranks[node] = {name: n for n, name in enumerate(declared_ids(type(entry.node)))}

    def place(pair: tuple[int, ActiveBinding]) -> tuple[int, int, int]:
        n, entry = pair
        node, binding = id(entry.node), entry.binding
        rank = ranks[node].get(binding.id or binding.action, len(ranks[node]))
        return nodes[node], rank, n

    return [entry for _n, entry in sorted(enumerate(entries), key=place)]


def key_items(
    app: App[object], active: Iterable[ActiveBinding]
) -> tuple[list[KeyItem], KeyItem | None]:
    """The shown bindings as entries (one per action, a group's keys as ``c/e/p Label``) and
    the command palette's entry (``^p Commands``) if its key is active."""
    palette: KeyItem | None = None
    by_action: dict[str, list[ActiveBinding]] = {}
    for entry in declared_order(active):
        binding = entry.binding
        if binding.action in ("command_palette", "app.command_palette"):
            if palette is None:
                key = app.get_key_display(binding)
                palette = KeyItem(key, PALETTE_LABEL, entry.enabled, PALETTE)
            continue
        if binding.show:
            by_action.setdefault(binding.action, []).append(entry)
    items: list[KeyItem] = []
    firsts = [entries[0] for entries in by_action.values()]
    for group, grouped in groupby(firsts, lambda e: e.binding.group):
        members = list(grouped)
        if group is not None and len(members) > 1:
            keys = "/".join(app.get_key_display(e.binding) for e in members)
            items.append(KeyItem(keys, group.description, any(e.enabled for e in members)))
            continue
        for e in members:
            b = e.binding
            role = HELP if b.id == "help" or b.action in ("help", "app.help") else ""
            items.append(KeyItem(app.get_key_display(b), b.description, e.enabled, role))
    return items, palette


class KeyBar(Widget):
    """The keys of the current screen on one line (a footer that never cuts a key)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"keybar--key", "keybar--label", "keybar--disabled"}

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        width: 1fr;
        background: $footer-background;
        color: $text;
        .keybar--key {
            color: $text;
            text-style: bold;
        }
        .keybar--label {
            color: $text;
        }
        .keybar--disabled {
            color: $foreground 70%;  /* muted, still 4.5:1 in both themes */
            text-style: none;
        }
    }
    """

    def on_mount(self) -> None:
        """Show the keys again whenever the screen's bindings change (focus, selection)."""
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        """Stop listening to the screen."""
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen:
            self.refresh()

    def entries(self) -> list[KeyItem]:
        """The entries shown at the current width, left to right."""
        items, palette = key_items(self.app, self.screen.active_bindings.values())
        return fit_keys(items, self.size.width - 2 * MARGIN, palette)

    def render(self) -> Text:
        """``key Label`` entries, ``? more`` if some are left out, the palette key at the right."""
        shown = self.entries()
        key_style = self.get_component_rich_style("keybar--key")
        label_style = self.get_component_rich_style("keybar--label")
        off_style = self.get_component_rich_style("keybar--disabled")
        right = shown.pop() if shown and shown[-1].role == PALETTE else None
        out = Text(" " * MARGIN, no_wrap=True, overflow="crop", end="")
        for n, item in enumerate(shown):
            if n:
                out.append(" " * GAP)
            self._append(out, item, key_style, label_style, off_style)
        if right is not None:
            pad = self.size.width - MARGIN - out.cell_len - right.cells
            out.append(" " * max(pad, GAP if shown else 0))
            self._append(out, right, key_style, label_style, off_style)
        return out

    @staticmethod
    def _append(out: Text, item: KeyItem, key: Style, label: Style, off: Style) -> None:
        """One entry: the key in the key style, the label in the label style (muted if off)."""
        out.append(item.key, style=key if item.enabled else off)
        if item.label:
            out.append(" ")
            out.append(item.label, style=label if item.enabled else off)
