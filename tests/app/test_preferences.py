"""Preferences of one person: keys remapped by binding id, the theme kept, config problems."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList, Static

import tui.config
from tui.app import MilepayApp, normal_keys
from tui.modals.help import HelpModal

from .helpers import plain, press, settle, type_text


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The config file the app reads (``$MILEPAY_CONFIG``), not written yet."""
    path = tmp_path / "config.toml"
    monkeypatch.setenv("MILEPAY_CONFIG", str(path))
    return path


@pytest.fixture
def saves(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, object]]:
    """Every ``save_preference`` call the app makes (the real one still writes the file)."""
    calls: list[tuple[str, object]] = []
    real = tui.config.save_preference

    def counted(key: str, value: object, path: Path | None = None) -> Path:
        calls.append((key, value))
        return real(key, value, path)  # type: ignore[arg-type]

    monkeypatch.setattr(tui.config, "save_preference", counted)
    return calls


def toasts(app: MilepayApp) -> list[str]:
    """The messages of the toasts shown so far."""
    return [n.message for n in app._notifications]


async def until(pilot: Pilot, ready: Callable[[], bool]) -> None:
    """Let the app run until ``ready()`` (the palette searches in the background)."""
    for _ in range(200):
        if ready():
            return
        await pilot.pause(0.01)
    raise AssertionError("the app never got there")


def book_state(path: Path) -> list[tuple[int, int, bytes] | None]:
    """The book file and its WAL as they are on disk: size, mtime and bytes."""
    out: list[tuple[int, int, bytes] | None] = []
    for file in (path, Path(f"{path}.wal")):
        if file.exists():
            stat = file.stat()
            out.append((stat.st_size, stat.st_mtime_ns, file.read_bytes()))
        else:
            out.append(None)
    return out


async def test_a_remapped_key_works_and_the_old_one_no_longer_does(
    app: MilepayApp, config: Path
) -> None:
    """``goto-clients = "w"``: w opens the clients screen, 2 does nothing; no toast."""
    config.write_text('[keymap]\ngoto-clients = "w"\n', encoding="utf-8")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "2")
        assert app.current_mode == "dashboard"
        await press(pilot, "w")
        assert app.current_mode == "clients"
        await press(pilot, "3")  # the keys not remapped are as they were
        assert app.current_mode == "contracts"
        assert toasts(app) == []


async def test_a_bad_id_gives_one_toast_and_the_rest_applies(app: MilepayApp, config: Path) -> None:
    """A misspelt id and a key Textual cannot deliver: one line each; the good entry works."""
    config.write_text(
        '[keymap]\ngoto-chaes = "x"\ngoto-aging = "ctrl+zz"\ngoto-chase = "c,7"\n',
        encoding="utf-8",
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert toasts(app) == [
            f"{config}: keymap.goto-chaes: no binding has this id (? lists the ids)",
            f"{config}: keymap.goto-aging: 'ctrl+zz' is not a key Textual knows "
            "(for example k, ctrl+k, f5, question_mark)",
        ]
        await press(pilot, "5")  # the bad entry left goto-aging on its own key
        assert app.current_mode == "aging"
        await press(pilot, "c")  # nothing on the aging screen binds c
        assert app.current_mode == "chase"
        await press(pilot, "2", "7")
        assert app.current_mode == "chase"
        assert len(toasts(app)) == 2  # told once, not on every key


async def test_a_key_taken_from_another_binding_is_named(app: MilepayApp, config: Path) -> None:
    """``client-new = "e"`` takes e from client-edit on the clients screen: one line says so."""
    config.write_text('[keymap]\nclient-new = "e"\n', encoding="utf-8")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert toasts(app) == [
            f"{config}: keymap.client-new: e is already client-edit's key on Clients; "
            "client-edit loses it"
        ]
        await press(pilot, "2", "e")
        assert type(app.screen).__name__ == "ClientForm"
        assert app.screen.form_title == "New client"  # type: ignore[attr-defined]


async def test_help_lists_each_key_with_its_id_and_the_config_file(
    app: MilepayApp, config: Path
) -> None:
    """? shows the binding ids beside the keys, the remapped keys, and where to remap them."""
    config.write_text('[keymap]\ngoto-chase = "c,7"\nclient-new = "N"\n', encoding="utf-8")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "2", "question_mark")
        assert isinstance(app.screen, HelpModal)
        text = "\n".join(plain(s) for s in app.screen.query(Static))
        lines = [" ".join(line.split()) for line in text.splitlines()]
        assert "N New client-new" in lines
        assert lines.index("N New client-new") < lines.index("/ Filter filter")  # in order
        assert "e Edit (not now) client-edit" in lines  # no client yet
        assert "/ Filter filter" in lines
        assert "1 Go to Dashboard goto-dashboard" in lines
        assert "c / 7 Go to Chase goto-chase" in lines
        assert "? This help help" in lines
        assert f"Remap any key by its id in {config}: a [keymap] table" in " ".join(lines)
        await press(pilot, "question_mark")  # ? closes it again
        assert not isinstance(app.screen, HelpModal)


async def test_a_theme_chosen_in_the_palette_is_kept_and_the_book_untouched(
    app: MilepayApp, config: Path, book_path: Path, saves: list[tuple[str, object]]
) -> None:
    """Palette, Theme, nord: the config says nord (comments kept), once; the book is untouched."""
    config.write_text('# mine\ntheme = "textual-dark"  # for now\n', encoding="utf-8")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = book_state(book_path)
        await press(pilot, "ctrl+p")
        await type_text(pilot, "theme")
        options = app.screen.query_one(OptionList)
        await until(
            pilot, lambda: "Change the current theme" in str(options.get_option_at_index(0).prompt)
        )
        await press(pilot, "enter")
        await type_text(pilot, "nord")
        options = app.screen.query_one(OptionList)
        await until(pilot, lambda: str(options.get_option_at_index(0).prompt) == "nord")
        await press(pilot, "enter")
        await settle(pilot)
        assert app.theme == "nord"
        assert config.read_text(encoding="utf-8") == '# mine\ntheme = "nord"  # for now\n'
        assert saves == [("theme", "nord")]
        await press(pilot, "ctrl+t")  # nord is dark: ctrl+t goes light, and is kept too
        assert app.theme == "textual-light"
        assert saves == [("theme", "nord"), ("theme", "textual-light")]
        assert "textual-light" in config.read_text(encoding="utf-8")
        assert book_state(book_path) == before
        assert toasts(app) == []


async def test_a_theme_changed_twice_quickly_ends_as_the_last_choice(
    app: MilepayApp, config: Path, saves: list[tuple[str, object]]
) -> None:
    """ctrl+t twice before any save ran: the file keeps the theme shown, written at most once."""
    config.write_text('theme = "textual-dark"\n', encoding="utf-8")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.action_toggle_theme()
        app.action_toggle_theme()
        await settle(pilot)
        assert app.theme == "textual-dark"
        assert config.read_text(encoding="utf-8") == 'theme = "textual-dark"\n'
        assert saves in ([], [("theme", "textual-light"), ("theme", "textual-dark")])
        await press(pilot, "ctrl+t")
        assert config.read_text(encoding="utf-8") == 'theme = "textual-light"\n'


async def test_a_theme_that_cannot_be_saved_is_one_toast(
    app: MilepayApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The config's folder is a file: the theme still changes; one toast says it was not kept."""
    (tmp_path / "folder").write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("MILEPAY_CONFIG", str(tmp_path / "folder" / "config.toml"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+t")
        assert app.theme == "textual-light"
        unreadable, toast = toasts(app)  # the start said so too
        assert unreadable.endswith(
            "config.toml: cannot be read (Not a directory); using the defaults"
        )
        assert toast.startswith("the theme textual-light is shown for now: cannot read ")
        assert toast.endswith("; nothing was saved")
        await press(pilot, "2")
        assert app.current_mode == "clients"


async def test_the_start_writes_no_config(
    app: MilepayApp, config: Path, saves: list[tuple[str, object]]
) -> None:
    """The theme the file names is shown, and nothing is saved for having read it."""
    config.write_text('theme = "light"\n', encoding="utf-8")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.theme == "textual-light"
        await press(pilot, "2", "1")
        assert saves == []
        assert toasts(app) == []


async def test_an_unknown_theme_falls_back_with_one_toast(
    app: MilepayApp, config: Path, saves: list[tuple[str, object]]
) -> None:
    """A theme Textual does not know: one line naming it, the default theme, the file left alone."""
    text = 'theme = "solarised-purple"\n'
    config.write_text(text, encoding="utf-8")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        assert toasts(app) == [
            "The theme 'solarised-purple' in the config file is not a theme milepay knows; "
            "using textual-dark."
        ]
        assert saves == []
    assert config.read_text(encoding="utf-8") == text


async def test_config_problems_are_toasts_one_line_each(app: MilepayApp, config: Path) -> None:
    """Each problem load_config finds is one toast of one line, and the app still starts."""
    config.write_text('colour = "blue"\n[mail]\nport = "abc"\n', encoding="utf-8")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        shown = toasts(app)
        assert shown == [
            f"{config}: colour: is not a key milepay knows "
            "(theme, book, message_folder, keymap, mail, bank)",
            f"{config}: mail.port: 'abc' is not a port number (1-65535)",
        ]
        assert all("\n" not in line for line in shown)
        await press(pilot, "2")
        assert app.current_mode == "clients"


@pytest.mark.parametrize(
    ("typed", "textual"),
    [
        ("c, 7", "c,7"),
        ("?", "question_mark"),
        ("ctrl+?", "ctrl+question_mark"),
        ("Ctrl+K", "ctrl+K"),
        ("F5,escape", "f5,escape"),
        ("shift+ctrl+up", "shift+ctrl+up"),
        ("+", "plus"),
    ],
)
def test_keys_are_named_as_textual_names_them(typed: str, textual: str) -> None:
    """Characters become Textual's key names; spaces after commas do not matter."""
    assert normal_keys(typed) == textual


@pytest.mark.parametrize(
    "typed", ["c,,7", "ctrl+zz", "hyperspace", "cmd+k", "ctrl+ctrl+k", "ctrl+"]
)
def test_keys_textual_cannot_deliver_are_refused(typed: str) -> None:
    """A key Textual would silently never fire is named instead."""
    with pytest.raises(ValueError, match="key"):
        normal_keys(typed)
