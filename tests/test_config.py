"""tui.config: the TOML config file read (with one line per problem) and written (keeping comments)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tui.config import (
    Config,
    MailConfig,
    config_path,
    load_config,
    save_mail,
    save_preference,
    shown_path,
    update_config,
)
from tui.domain.errors import RefusedError, ValidationError

FULL = """\
# my milepay preferences
theme = "nord"  # the one I like
book = "~/books/studio.duckdb"
message_folder = "/srv/messages"

[keymap]
goto-chase = "c,7"

[mail]
# the studio's server
host = "smtp.example.org"
port = 2525
security = "tls"
user = "mara@example.org"
from = "studio@example.org"
password_file = "~/.milepay-smtp"

[bank.sparkasse]
delimiter = ";"
"""


def write(path: Path, text: str) -> Path:
    """Write a config file for a test."""
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_file_gives_defaults_and_no_problem(tmp_path: Path) -> None:
    """No file: every key at its default, nothing to report."""
    config, problems = load_config(tmp_path / "absent.toml")
    assert config == Config() and problems == []
    assert config.theme is None and config.mail is None and config.keymap == {}


def test_every_key_is_read_typed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full file: paths expanded, the port a number, [mail] typed, bank profiles kept."""
    monkeypatch.setenv("HOME", str(tmp_path))
    config, problems = load_config(write(tmp_path / "c.toml", FULL))
    assert problems == []
    assert config.theme == "nord"
    assert config.book == tmp_path / "books" / "studio.duckdb"
    assert config.message_folder == Path("/srv/messages")
    assert config.keymap == {"goto-chase": "c,7"}
    assert config.mail == MailConfig(
        host="smtp.example.org", port=2525, security="tls", user="mara@example.org",
        from_addr="studio@example.org", password_file=tmp_path / ".milepay-smtp",
    )  # fmt: skip
    assert config.mail.server_id == "smtp.example.org:2525:mara@example.org"
    assert config.bank == {"sparkasse": {"delimiter": ";"}}


def test_default_port_follows_security() -> None:
    """No port: 587 for STARTTLS, 465 for TLS, 25 for none."""
    assert MailConfig(host="h").effective_port == 587
    assert MailConfig(host="h", security="tls").effective_port == 465
    assert MailConfig(host="h", security="none", user="u").server_id == "h:25:u"


def test_a_bad_key_is_one_line_and_the_rest_loads(tmp_path: Path) -> None:
    """A wrong port names mail.port; the other mail keys and the theme still load."""
    path = write(tmp_path / "config.toml", FULL.replace("port = 2525", 'port = "abc"'))
    config, problems = load_config(path)
    assert problems == [f"{path}: mail.port: 'abc' is not a port number (1-65535)"]
    assert config.theme == "nord"
    assert config.mail is not None and config.mail.port is None
    assert config.mail.effective_port == 465 and config.mail.host == "smtp.example.org"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("port = 0", "mail.port: 0 is not a port number (1-65535)"),
        ("port = 70000", "mail.port: 70000 is not a port number (1-65535)"),
        ("port = true", "mail.port: true is not a port number (1-65535)"),
        ('security = "ssl"', "mail.security: 'ssl' is not none, starttls or tls"),
        ('from = "not-an-address"', "mail.from: 'not-an-address' is not an e-mail address"),
        ('host = "smtp example"', "mail.host: 'smtp example' is not a host name (e.g. smtp.example.org)"),
        ('password_file = "pw.txt"', "mail.password_file: 'pw.txt' is not an absolute path (start it with / or ~)"),
        ("user = 5", "mail.user: 5 is not a user name (write it in quotes)"),
        ('pasword_file = "~/x"', "mail.pasword_file: is not a mail setting milepay knows (host, port, security, user, from, password_file)"),
        ('password = "hunter2"', "mail.password: the password is never kept in the config file: set MILEPAY_SMTP_PASSWORD or password_file (a file only you can read)"),
    ],
)  # fmt: skip
def test_each_bad_mail_value_is_named(tmp_path: Path, text: str, problem: str) -> None:
    """Each wrong [mail] value gives exactly one line naming it."""
    path = write(tmp_path / "config.toml", f'[mail]\nhost = "smtp.example.org"\n{text}\n')
    if text.startswith("host"):
        path = write(tmp_path / "config.toml", f"[mail]\n{text}\n")
    _, problems = load_config(path)
    assert problems == [f"{path}: {problem}"]


def test_unknown_and_wrongly_typed_top_keys(tmp_path: Path) -> None:
    """Unknown keys are named; a table where a value belongs and the reverse are refused."""
    path = write(tmp_path / "config.toml", 'colour = "blue"\ntheme = 3\nmail = "smtp.x"\n'
                 'book = "rel/book.duckdb"\n[keymap]\ngoto-aging = ""\n[bank]\nx = 1\n')  # fmt: skip
    config, problems = load_config(path)
    assert [p.removeprefix(f"{path}: ") for p in problems] == [
        "colour: is not a key milepay knows (theme, book, message_folder, keymap, mail, bank)",
        "theme: 3 is not a theme name (write it in quotes)",
        "mail: 'smtp.x' is not a table (write [mail] and host = ...)",
        "book: 'rel/book.duckdb' is not an absolute path (start it with / or ~)",
        "keymap.goto-aging: is empty (name at least one key)",
        "bank.x: 1 is not a table (write [bank.x])",
    ]
    assert config == Config()


def test_not_toml_gives_defaults_and_one_line(tmp_path: Path) -> None:
    """A file that is not TOML: defaults, and one line naming the file and where it broke."""
    path = write(tmp_path / "config.toml", 'theme = "nord"\nthis is not toml\n')
    config, problems = load_config(path)
    assert config == Config()
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}: is not valid TOML (") and "line 2" in problems[0]
    assert problems[0].endswith("; using the defaults")


def test_control_characters_in_values_are_escaped_in_the_problem(tmp_path: Path) -> None:
    """A terminal escape typed into the file reaches the toast escaped, on one line."""
    path = write(tmp_path / "config.toml", '[mail]\nhost = "a"\nsecurity = "\\u001b[2Jx"\n')
    _, problems = load_config(path)
    assert problems == [f"{path}: mail.security: must be one line without control characters"]
    path = write(tmp_path / "config.toml", '"k\\u001b[2J" = 1\n')
    _, problems = load_config(path)
    assert "\x1b" not in problems[0] and "k\\x1b[2J" in problems[0]


def test_mail_without_host_sends_nothing(tmp_path: Path) -> None:
    """[mail] with no host: no mail config (and no complaint: the user cleared it)."""
    config, problems = load_config(write(tmp_path / "c.toml", "[mail]\nport = 25\n"))
    assert config.mail is None and problems == []


def test_config_path_from_env_else_user_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """$MILEPAY_CONFIG wins; else milepay/config.toml in the XDG config folder."""
    monkeypatch.setenv("MILEPAY_CONFIG", str(tmp_path / "mine.toml"))
    assert config_path() == tmp_path / "mine.toml"
    monkeypatch.delenv("MILEPAY_CONFIG")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert config_path() == tmp_path / "xdg" / "milepay" / "config.toml"
    monkeypatch.setenv("HOME", str(tmp_path))
    assert shown_path(tmp_path / "xdg" / "milepay" / "config.toml") == "~/xdg/milepay/config.toml"
    assert shown_path(Path("/etc/x.toml")) == "/etc/x.toml"


def test_save_creates_file_and_folders_private(tmp_path: Path) -> None:
    """A new file is 0600 and every folder made for it 0700, even under a lax umask."""
    path = tmp_path / "a" / "b" / "config.toml"
    old = os.umask(0o022)
    try:
        save_preference("theme", "textual-light", path)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "a" / "b").stat().st_mode) == 0o700
    assert path.read_text(encoding="utf-8") == 'theme = "textual-light"\n'
    assert [p.name for p in path.parent.iterdir()] == ["config.toml"]  # no temporary left


def test_save_keeps_comments_and_layout(tmp_path: Path) -> None:
    """Changing the theme and the mail port leaves every comment and other line as it was."""
    path = write(tmp_path / "config.toml", FULL)
    save_preference("theme", "textual-light", path)
    save_mail({"port": "587", "security": "starttls", "user": ""}, path)
    expected = (
        FULL.replace('theme = "nord"', 'theme = "textual-light"')
        .replace("port = 2525", "port = 587")
        .replace('security = "tls"', 'security = "starttls"')
        .replace('user = "mara@example.org"\n', "")
    )
    assert path.read_text(encoding="utf-8") == expected
    config, problems = load_config(path)
    assert problems == [] and config.mail is not None
    assert (config.mail.port, config.mail.user) == (587, "")


def test_save_mail_makes_the_table_and_removes_emptied_keys(tmp_path: Path) -> None:
    """A file with no [mail]: the table is added under the top-level keys; "" removes a key."""
    path = write(tmp_path / "config.toml", '# hi\ntheme = "nord"\n')
    save_mail({"host": "smtp.x.org", "port": "", "from": "me@x.org"}, path)
    update_config({"message_folder": "~/mail"}, path)
    assert path.read_text(encoding="utf-8") == (
        '# hi\ntheme = "nord"\nmessage_folder = "~/mail"\n\n[mail]\nhost = "smtp.x.org"\n'
        'from = "me@x.org"\n'
    )
    save_preference("theme", None, path)
    assert "theme" not in path.read_text(encoding="utf-8")


def test_bad_value_is_refused_and_nothing_written(tmp_path: Path) -> None:
    """A wrong value names its key; the file is not touched."""
    path = write(tmp_path / "config.toml", FULL)
    with pytest.raises(ValidationError, match=r"^mail\.port: 'abc' is not a port number") as exc:
        save_mail({"host": "other.example.org", "port": "abc"}, path)
    assert exc.value.field == "mail.port"
    with pytest.raises(ValidationError, match="is not a preference"):
        save_preference("colour", "blue", path)
    with pytest.raises(ValidationError, match=r"mail\.password: is not a key milepay writes"):
        save_mail({"password": "hunter2"}, path)
    assert path.read_text(encoding="utf-8") == FULL


def test_a_file_that_is_not_toml_is_never_overwritten(tmp_path: Path) -> None:
    """Saving into a broken file is refused, and the user's text stays."""
    path = write(tmp_path / "config.toml", "theme = = oops\n")
    with pytest.raises(RefusedError, match=r"is not valid TOML.*fix it first"):
        save_preference("theme", "textual-dark", path)
    assert path.read_text(encoding="utf-8") == "theme = = oops\n"


def test_a_symlinked_config_is_written_where_it_points(tmp_path: Path) -> None:
    """A dotfiles link stays a link; the file it points to gets the change."""
    real = write(tmp_path / "dotfiles.toml", FULL)
    link = tmp_path / "config.toml"
    link.symlink_to(real)
    save_preference("theme", "gruvbox", link)
    assert link.is_symlink()
    assert 'theme = "gruvbox"  # the one I like' in real.read_text(encoding="utf-8")


def test_config_never_imports_textual_or_duckdb() -> None:
    """tui.config sits beside the domain layer: no Textual, no DuckDB, no Polars."""
    code = (
        "import sys, tui.config; bad = {'textual', 'duckdb', 'polars', 'rich'} & "
        "{m.split('.')[0] for m in sys.modules}; assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ---- the app: theme from the config file, ctrl+t saves it there (never the book) ----------


async def test_theme_comes_from_config_and_ctrl_t_saves_it_not_the_book(
    book, book_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """nord (a dark theme) on start; ctrl+t: light, then dark, each saved; book untouched."""
    from tui.app import make_app
    from tui.store import Book

    path = write(tmp_path / "config.toml", '# mine\ntheme = "nord"  # dark and blue\n')
    monkeypatch.setenv("MILEPAY_CONFIG", str(path))
    count = book.change_count()
    app = make_app(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "nord"
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert app.theme == "textual-light"
        assert (
            path.read_text(encoding="utf-8") == '# mine\ntheme = "textual-light"  # dark and blue\n'
        )
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert app.theme == "textual-dark"
    assert load_config(path)[0].theme == "textual-dark"
    assert Book(book_path).change_count() == count


async def test_unknown_theme_and_bad_keys_are_toasts_and_the_app_starts(
    book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unknown theme is named and textual-dark used; each problem of the file is a toast."""
    from tui.app import make_app

    path = write(tmp_path / "config.toml", 'theme = "solarised-pink"\n[mail]\nport = "abc"\n')
    monkeypatch.setenv("MILEPAY_CONFIG", str(path))
    app = make_app(book)
    said: list[str] = []
    monkeypatch.setattr(app, "notify", lambda message, **_: said.append(message))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "textual-dark"
    assert said == [
        f"{path}: mail.port: 'abc' is not a port number (1-65535)",
        "The theme 'solarised-pink' in the config file is not a theme milepay knows; "
        "using textual-dark.",
    ]


async def test_light_alias_and_no_config_file(
    book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """theme = "light" means textual-light; without a file the app is textual-dark."""
    from tui.app import make_app

    monkeypatch.setenv("MILEPAY_CONFIG", str(write(tmp_path / "c.toml", 'theme = "light"\n')))
    app = make_app(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "textual-light"
    monkeypatch.setenv("MILEPAY_CONFIG", str(tmp_path / "absent.toml"))
    app = make_app(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "textual-dark"
    assert not (tmp_path / "absent.toml").exists()


async def test_settings_screen_lists_no_mail_or_theme_and_names_the_config_file(
    book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """9: the book's settings only, and one line saying where mail and theme are set."""
    from tui.app import make_app
    from tui.screens.settings import CONFIG_LABEL, SettingsScreen

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("MILEPAY_CONFIG", str(tmp_path / "cfg" / "config.toml"))
    app = make_app(book)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("9")
        for _ in range(100):
            await pilot.pause(0.05)
            if (
                isinstance(app.screen, SettingsScreen)
                and getattr(app.screen, "frame", None) is not None
            ):
                break
        frame = app.screen.frame
    keys = frame["key"].to_list()
    assert not [k for k in keys if k.startswith("smtp_") or k in ("theme", "message_folder")]
    line = frame.filter(frame["kind"] == "config").to_dicts()
    assert [(r["label"], r["value"]) for r in line] == [
        (CONFIG_LABEL, "set in ~/cfg/config.toml, not in the book")
    ]
