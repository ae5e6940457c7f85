"""Text contrast (issue 14): every letter and digit the app paints, on every main screen, a
form, the chart and the help, reads at least 4.5:1 against its background (WCAG 2 relative
luminance), in the dark and in the light theme.

What is measured is what the compositor hands the terminal: the segments of a full update of
the screen at 80x24, after Textual's line filters (ANSI colours made truecolor, ``dim``
blended toward the background as Textual does). ``reverse`` is swapped here, as a terminal
swaps it; a ``dim`` still left (a colour Textual could not resolve) is blended here the same
way.

Not measured: box-drawing, block, braille and other marks (only letters and digits are text),
and the screen behind a dialog's backdrop, faded on purpose while the dialog is open (WCAG
1.4.3 exempts text of an inactive part of the interface).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from rich.color import Color as RichColor
from rich.segment import Segment
from textual.constants import DIM_FACTOR
from textual.errors import NoWidget
from textual.screen import ModalScreen

from tui.app import THEMES, make_app
from tui.store import Book
from tui.themes import ANSI_DARK, ANSI_LIGHT, HUES
from tui.widgets.forecast_chart import IN_MARK, OUT_MARK, ForecastChart

from .helpers import press, settle

#: WCAG 2 AA for normal text
MINIMUM = 4.5

RGB = tuple[int, int, int]


def _channel(value: int) -> float:
    """One sRGB channel (0-255) as linear light."""
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(rgb: RGB) -> float:
    """WCAG relative luminance of an sRGB colour."""
    r, g, b = (_channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: RGB, bg: RGB) -> float:
    """WCAG contrast ratio of two colours: 1.0 (same) to 21.0 (black on white)."""
    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_known_values() -> None:
    """Black on white is 21:1 either way round, a colour on itself 1:1, #777 on white 4.48:1."""
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast((255, 255, 255), (0, 0, 0)) == pytest.approx(21.0)
    assert contrast((18, 52, 86), (18, 52, 86)) == pytest.approx(1.0)
    assert contrast((0x77, 0x77, 0x77), (255, 255, 255)) == pytest.approx(4.48, abs=0.005)
    # #767676 is the lightest grey that passes on white
    assert contrast((0x76, 0x76, 0x76), (255, 255, 255)) >= MINIMUM
    assert contrast((0x77, 0x77, 0x77), (255, 255, 255)) < MINIMUM


#: the backgrounds text is painted on in textual-dark and textual-light
DARK_GROUNDS = [(0x12, 0x12, 0x12), (0x17, 0x17, 0x17), (0x1E, 0x1E, 0x1E), (0x24, 0x2F, 0x38)]
LIGHT_GROUNDS = [(0xE0, 0xE0, 0xE0), (0xD8, 0xD8, 0xD8), (0xD0, 0xD0, 0xD0)]


@pytest.mark.parametrize(
    ("ansi", "grounds"),
    [(ANSI_DARK, DARK_GROUNDS), (ANSI_LIGHT, LIGHT_GROUNDS)],
    ids=["dark", "light"],
)
def test_ansi_hues_read_on_the_theme_backgrounds(ansi, grounds) -> None:  # type: ignore[no-untyped-def]
    """Red, green, yellow, blue, magenta, cyan (normal and bright) each reach 4.5:1."""
    for index, name in enumerate(HUES, start=1):
        for colour in (ansi.ansi_colors[index], ansi.ansi_colors[index + 8]):
            worst = min(contrast(tuple(colour), ground) for ground in grounds)
            assert worst >= MINIMUM, f"{name} {tuple(colour)}: {worst:.2f}:1"


@dataclass(frozen=True)
class Cell:
    """One character as the terminal shows it."""

    y: int
    x: int
    char: str
    fg: RGB
    bg: RGB


def _rgb(color: RichColor | None) -> RGB | None:
    return None if color is None or color.triplet is None else tuple(color.triplet)  # type: ignore[return-value]


def _behind_backdrop(screen, x: int, y: int) -> bool:  # type: ignore[no-untyped-def]
    """Whether the cell shows the screen below a dialog (only the dialog's backdrop is there)."""
    if not isinstance(screen, ModalScreen):
        return False
    try:
        widget, _ = screen.get_widget_at(x, y)
    except NoWidget:
        return True
    return widget is screen


def painted(app) -> Iterator[Cell]:  # type: ignore[no-untyped-def]
    """Every cell of the app's current screen not behind a dialog's backdrop."""
    screen = app.screen
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    for y, line in enumerate(update.strips):
        x = 0
        for strip in line:
            for segment in strip:
                text, style, control = segment
                if control:
                    continue
                fg = _rgb(style.color) if style else None
                bg = _rgb(style.bgcolor) if style else None
                assert (fg is not None and bg is not None) or not text.strip(), (
                    f"row {y} col {x}: {text!r} has no truecolor colours ({style})"
                )
                if style is not None and style.reverse:
                    fg, bg = bg, fg
                if style is not None and style.dim and fg is not None and bg is not None:
                    fg = tuple(round(b + (f - b) * DIM_FACTOR) for f, b in zip(fg, bg, strict=True))  # type: ignore[assignment]
                for char in text:
                    if char == " " or not _behind_backdrop(screen, x, y):
                        yield Cell(y, x, char, fg, bg)  # type: ignore[arg-type]
                    x += Segment(char).cell_length


def low_contrast(app, where: str) -> list[str]:  # type: ignore[no-untyped-def]
    """One line per run of letters/digits on one row below the minimum: screen, text, ratio."""
    found: list[str] = []
    run: list[Cell] = []

    def close() -> None:
        if run:
            first = run[0]
            text = "".join(c.char for c in run).strip()
            ratio = contrast(first.fg, first.bg)
            found.append(
                f"{where}: row {first.y} col {first.x} {text!r}: {ratio:.2f}:1 "
                f"(#{bytes(first.fg).hex()} on #{bytes(first.bg).hex()})"
            )
            run.clear()

    for cell in painted(app):
        if cell.char == " " and run and cell.y == run[-1].y:
            run.append(cell)  # words of one text stay together
            continue
        if not cell.char.isalnum() or contrast(cell.fg, cell.bg) >= MINIMUM:
            close()
            continue
        if run and (run[0].y != cell.y or (run[0].fg, run[0].bg) != (cell.fg, cell.bg)):
            close()
        run.append(cell)
    close()
    return found


#: (keys pressed from the previous stop, the screen class shown there, name of the stop)
TOUR: list[tuple[tuple[str, ...], str, str]] = [
    ((), "DashboardScreen", "1 dashboard"),
    (("2",), "ClientsScreen", "2 clients"),
    (("slash", "a"), "ClientsScreen", "/ filter on clients"),
    (("escape", "n"), "ClientForm", "n new client form"),
    (("ctrl+s",), "ClientForm", "new client form, saved empty"),
    (("escape", "S"), "ScorecardsScreen", "S scorecards"),
    (("escape", "3"), "ContractsScreen", "3 contracts"),
    (("4",), "MilestonesScreen", "4 milestones"),
    (("5",), "AgingScreen", "5 aging"),
    (("6",), "ForecastScreen", "6 forecast"),
    (("g",), "ForecastScreen", "g forecast chart"),
    (("g", "7"), "ChaseScreen", "7 chase"),
    (("8",), "ExpensesScreen", "8 expenses"),
    (("9",), "SettingsScreen", "9 settings"),
    (("ctrl+z",), "ConfirmModal", "ctrl+z undo question"),
    (("escape",), "SettingsScreen", "toasts on settings"),
    (("question_mark",), "HelpModal", "? help"),
]


def chart_marks(app) -> tuple[set[str], str]:  # type: ignore[no-untyped-def]
    """The characters painted inside the forecast chart, and its first two rows as text."""
    region = app.screen.query_one(ForecastChart).region
    cells = [c for c in painted(app) if region.contains(c.x, c.y)]
    top = "".join(c.char for c in cells if c.y < region.y + 2)
    return {c.char for c in cells}, top


@pytest.mark.parametrize("theme", ["dark", "light"])
async def test_every_text_reads_4_5_to_1(demo_book: Book, theme: str) -> None:
    """Each stop of the tour, in one run of the app per theme: no text below 4.5:1; the chart
    tells inflow from outflow by their marks, named in words, not by colour alone."""
    app = make_app(demo_book)
    assert app.ansi_theme_dark is ANSI_DARK and app.ansi_theme_light is ANSI_LIGHT
    problems: list[str] = []
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        if theme == "light":
            await press(pilot, "ctrl+t")
        assert app.theme == THEMES[theme]
        for keys, shown, where in TOUR:
            await press(pilot, *keys)
            if where.startswith("toasts"):  # how the app shows a warning and a failure
                app.notify("Not undone: nothing 1", severity="warning", markup=False)
                app.notify("Not saved: amount 2", title="Problem", severity="error", markup=False)
                await settle(pilot)
            await pilot.wait_for_scheduled_animations()
            if where.startswith("toasts"):
                shown_text = "".join(c.char for c in painted(app))
                assert "nothing 1" in shown_text and "amount 2" in shown_text, shown_text
            assert type(app.screen).__name__ == shown, f"{where}: {app.screen} is shown"
            problems += low_contrast(app, f"{theme} {where}")
            if where.startswith("g "):
                marks, top = chart_marks(app)
                assert {IN_MARK, OUT_MARK} <= marks, f"bars not drawn with their marks: {top}"
                assert f"{IN_MARK} in" in top and f"{OUT_MARK} out" in top, top
    assert not problems, f"{len(problems)} texts below {MINIMUM}:1\n" + "\n".join(problems)
