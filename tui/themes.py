"""Readable ANSI colours (issue 14): what ``red``, ``yellow``... become on milepay's screens.

Textual turns the ANSI colour names of Rich styles (``bold yellow`` in a forecast note,
``bold red`` for a negative amount, the chart's colours) into truecolor through the app's
``ansi_theme_dark`` / ``ansi_theme_light``. Its defaults (Monokai, Alabaster) put yellow text
at 2.1:1 on the light theme's grey and red at 4.3:1 on the dark panel. These two are the same
themes with each hue moved toward the foreground until it reads at least 4.5:1 (WCAG) on the
backgrounds of ``textual-dark`` (#121212, #171717, #1E1E1E, #242F38) and ``textual-light``
(#E0E0E0, #D8D8D8, #D0D0D0); black, white and the terminal's own colours are left as they are.
"""

from __future__ import annotations

from typing import Any

from rich.terminal_theme import TerminalTheme

RGB = tuple[int, int, int]

#: the dark themes' ANSI hues: (normal, bright) for red, green, yellow, blue, magenta, cyan
DARK_HUES: dict[str, tuple[RGB, RGB]] = {
    "red": ((255, 100, 100), (255, 100, 100)),
    "green": ((152, 224, 36), (152, 224, 36)),
    "yellow": ((253, 151, 31), (224, 213, 97)),
    "blue": ((172, 124, 255), (172, 124, 255)),
    "magenta": ((248, 97, 156), (248, 97, 156)),
    "cyan": ((88, 209, 235), (88, 209, 235)),
}
#: the light themes' ANSI hues, as :data:`DARK_HUES`
LIGHT_HUES: dict[str, tuple[RGB, RGB]] = {
    "red": ((156, 51, 45), (156, 52, 52)),
    "green": ((48, 99, 28), (47, 99, 0)),
    "yellow": ((116, 82, 0), (112, 83, 41)),
    "blue": ((45, 83, 173), (0, 90, 151)),
    "magenta": ((121, 61, 155), (140, 46, 140)),
    "cyan": ((0, 94, 128), (0, 95, 114)),
}
HUES = ("red", "green", "yellow", "blue", "magenta", "cyan")

#: Textual 8.2.8's default ANSI themes (Monokai for dark, Alabaster for light), written out
#: here: Textual keeps them in a private module (``textual._ansi_theme``) that an upgrade may
#: move. Only their background, foreground, blacks and whites are kept; the hues are replaced.
MONOKAI = TerminalTheme(
    (12, 12, 12), (217, 217, 217),
    [(26, 26, 26), (244, 0, 95), (152, 224, 36), (253, 151, 31), (157, 101, 255),
     (244, 0, 95), (88, 209, 235), (196, 197, 181)],
    [(98, 94, 76), (244, 0, 95), (152, 224, 36), (224, 213, 97), (157, 101, 255),
     (244, 0, 95), (88, 209, 235), (246, 246, 239)],
)  # fmt: skip
ALABASTER = TerminalTheme(
    (247, 247, 247), (0, 0, 0),
    [(0, 0, 0), (170, 55, 49), (68, 140, 39), (203, 144, 0), (50, 92, 192), (122, 62, 157),
     (0, 131, 178), (247, 247, 247)],
    [(119, 119, 119), (240, 80, 80), (96, 203, 0), (255, 188, 93), (0, 122, 204),
     (230, 76, 230), (0, 170, 203), (247, 247, 247)],
)  # fmt: skip


def _with_hues(base: TerminalTheme, hues: dict[str, tuple[RGB, RGB]]) -> TerminalTheme:
    """``base`` with the six hues (normal colours 1-6, bright 9-14) replaced."""
    colors = [tuple(base.ansi_colors[i]) for i in range(16)]
    for index, name in enumerate(HUES, start=1):
        colors[index], colors[index + 8] = hues[name]
    return TerminalTheme(
        tuple(base.background_color), tuple(base.foreground_color), colors[:8], colors[8:]
    )


#: Monokai with hues readable on the dark themes' backgrounds
ANSI_DARK = _with_hues(MONOKAI, DARK_HUES)
#: Alabaster with hues readable on the light themes' backgrounds
ANSI_LIGHT = _with_hues(ALABASTER, LIGHT_HUES)


def use_readable_ansi(app: Any) -> None:
    """Make ``app`` map ANSI colour names through :data:`ANSI_DARK` / :data:`ANSI_LIGHT`."""
    app.ansi_theme_dark = ANSI_DARK
    app.ansi_theme_light = ANSI_LIGHT
