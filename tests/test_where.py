"""The default book (``--db`` > ``$MILEPAY_DB`` > the config file's ``book`` > the data folder)
and ``milepay where``, which names every path in use and what chose it.

HOME is a fresh folder in every test and the XDG variables are unset (tests/conftest.py), so
the defaults are ``~/.config/milepay/config.toml``, ``~/.local/share/milepay/milepay.duckdb``,
``~/.local/state/milepay/log/crash.log``, ``~/milepay-messages`` and
``~/.local/state/milepay/mail-servers-confirmed``.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from tui.cli import main
from tui.domain.model import Client, Contract, Milestone
from tui.store import Book, default_book_path

DEFAULT_LINES = [
    "config                  ~/.config/milepay/config.toml (default; not there yet)",
    "book                    ~/.local/share/milepay/milepay.duckdb (default; not there yet)",
    "log                     ~/.local/state/milepay/log/crash.log (default; not there yet)",
    "messages                ~/milepay-messages (default; not there yet)",
    "mail servers confirmed  ~/.local/state/milepay/mail-servers-confirmed (default; not there yet)",
]


def run(*args: str):
    """``milepay ARGS`` in-process."""
    return CliRunner().invoke(main, list(args))


def where(*args: str) -> dict[str, str]:
    """``milepay where`` (exit 0) as {name: the rest of its line}."""
    result = run(*args)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    rows = {}
    for line in result.stdout.splitlines():
        name, rest = line.split("  ", 1)
        rows[name.strip()] = rest.strip()
    return rows


def config_file(text: str) -> Path:
    """Write the default config file (under the test's HOME)."""
    path = Path.home() / ".config" / "milepay" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    return path


def make_book(path: Path, client: str) -> Path:
    """A book whose aging report names ``client``: 1200.00 EUR invoiced, due 2026-10-01."""
    book = Book.open(path)
    cid = book.add_client(Client(name=client))
    milestone = Milestone(
        seq=1,
        title="Design",
        amount=Decimal("1200.00"),
        due_date=dt.date(2026, 10, 1),
        status="invoiced",
        invoiced_on=dt.date(2026, 9, 20),
        invoice_no="K-1",
    )
    contract = Contract(title="Site", currency="EUR", total_fee=Decimal("1200.00"))
    book.add_contract(cid, contract, [milestone])
    return path


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Three books told apart by their one client: config, env and flag."""
    folder = tmp_path_factory.mktemp("books")
    return {
        "config": make_book(folder / "config.duckdb", "Kestrel Studio"),
        "env": make_book(folder / "env.duckdb", "Osprey Media"),
        "flag": make_book(folder / "flag.duckdb", "Heron Apps"),
    }


def aging_clients(*args: str) -> list[str]:
    """The clients of ``milepay report aging --format json ARGS``."""
    result = run(*args, "report", "aging", "--format", "json")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return [row["client"] for row in json.loads(result.stdout)["rows"]]


# ---- the default book ------------------------------------------------------------------------


def test_default_book_path_takes_env_then_configured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store's rule: $MILEPAY_DB, else the configured book, else the data folder's."""
    configured = tmp_path / "conf.duckdb"
    assert default_book_path() == Path.home() / ".local/share/milepay/milepay.duckdb"
    assert default_book_path(configured) == configured
    monkeypatch.setenv("MILEPAY_DB", str(tmp_path / "env.duckdb"))
    assert default_book_path(configured) == tmp_path / "env.duckdb"


def test_report_opens_the_book_by_precedence(
    books: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--db beats $MILEPAY_DB, which beats the config file's book."""
    config_file(f'book = "{books["config"]}"\n')
    assert aging_clients() == ["Kestrel Studio"]
    monkeypatch.setenv("MILEPAY_DB", str(books["env"]))
    assert aging_clients() == ["Osprey Media"]
    assert aging_clients("--db", str(books["flag"])) == ["Heron Apps"]


def test_aging_report_of_the_config_book(books: dict[str, Path]) -> None:
    """The config book's aging: 1200.00 due 2026-10-01 is 54 days late on 2026-11-24 (31-60)."""
    config_file(f'book = "{books["config"]}"\n')
    result = run("report", "aging", "--format", "json")
    assert result.exit_code == 0 and result.stderr == ""
    (row,) = json.loads(result.stdout)["rows"]
    assert (row["client"], row["31-60"], row["total"]) == ("Kestrel Studio", "1200.00", "1200.00")


def test_config_book_with_a_tilde_is_under_home(tmp_path: Path) -> None:
    """``book = "~/books/studio.duckdb"`` is the home folder's books/studio.duckdb."""
    config_file('book = "~/books/studio.duckdb"\n')
    make_book(_mkdir(Path.home() / "books") / "studio.duckdb", "Wren Design")
    assert aging_clients() == ["Wren Design"]
    assert where("where")["book"] == "~/books/studio.duckdb (config file: book)"


def _mkdir(folder: Path) -> Path:
    folder.mkdir()
    return folder


# ---- milepay where ---------------------------------------------------------------------------


def test_where_with_nothing_set_shows_the_defaults() -> None:
    """Every path at its default, none there yet; nothing is created by looking."""
    result = run("where")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines() == DEFAULT_LINES
    assert list(Path.home().iterdir()) == []


def test_where_names_each_source_of_the_book(
    books: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """default, then config file: book, then $MILEPAY_DB, then --db (each beating the last)."""
    assert (
        where("where")["book"] == "~/.local/share/milepay/milepay.duckdb (default; not there yet)"
    )
    config_file(f'book = "{books["config"]}"\n')
    assert where("where")["book"] == f"{books['config']} (config file: book)"
    monkeypatch.setenv("MILEPAY_DB", str(books["env"]))
    assert where("where")["book"] == f"{books['env']} ($MILEPAY_DB)"
    missing = tmp_path / "new.duckdb"
    assert where("where", "--db", str(missing))["book"] == f"{missing} (--db; not there yet)"


def test_where_takes_db_before_or_after_the_command(books: dict[str, Path]) -> None:
    """``milepay --db X where`` and ``milepay where --db X`` both; the command's own wins."""
    flag, env = str(books["flag"]), str(books["env"])
    assert where("--db", flag, "where")["book"] == f"{flag} (--db)"
    assert where("where", "--db", flag)["book"] == f"{flag} (--db)"
    assert where("--db", env, "where", "--db", flag)["book"] == f"{flag} (--db)"


def test_where_names_the_environment_and_config_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """$MILEPAY_CONFIG, config file: message_folder, $MILEPAY_MAIL_SERVERS_CONFIRMED; all there."""
    messages = _mkdir(tmp_path / "messages")
    servers = tmp_path / "servers"
    servers.write_text("", encoding="utf-8")
    config = tmp_path / "my.toml"
    config.write_text(f'message_folder = "{messages}"\n', encoding="utf-8")
    monkeypatch.setenv("MILEPAY_CONFIG", str(config))
    monkeypatch.setenv("MILEPAY_MAIL_SERVERS_CONFIRMED", str(servers))
    rows = where("where")
    assert rows["config"] == f"{config} ($MILEPAY_CONFIG)"
    assert rows["messages"] == f"{messages} (config file: message_folder)"
    assert rows["mail servers confirmed"] == f"{servers} ($MILEPAY_MAIL_SERVERS_CONFIRMED)"
    assert rows["log"] == "~/.local/state/milepay/log/crash.log (default; not there yet)"


def test_where_says_when_a_path_is_the_wrong_kind(tmp_path: Path) -> None:
    """A book that is a folder, a message folder that is a file: said, not hidden."""
    (Path.home() / "milepay-messages").write_text("", encoding="utf-8")
    rows = where("where", "--db", str(tmp_path))
    assert rows["book"] == f"{tmp_path} (--db; a folder, not a file)"
    assert rows["messages"] == "~/milepay-messages (default; not a folder)"


def test_where_escapes_control_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    """A $MILEPAY_DB holding ESC is shown escaped (where shows, it never refuses)."""
    monkeypatch.setenv("MILEPAY_DB", "/tmp/\x1b[31mred.duckdb")
    result = run("where")
    assert result.exit_code == 0 and "\x1b" not in result.stdout
    assert "book                    /tmp/\\x1b[31mred.duckdb ($MILEPAY_DB; not there yet)" in (
        result.stdout.splitlines()
    )


def test_where_refuses_a_typed_db_with_control_characters() -> None:
    """--db is checked as every command checks it: one line naming --db, exit 1."""
    result = run("where", "--db", "/tmp/a\x1bb")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == "milepay: --db: contains a control character (\\x1b); remove it\n"


def test_report_refuses_a_milepay_db_with_control_characters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A command about to open $MILEPAY_DB refuses it as it refuses --db, naming the variable."""
    monkeypatch.setenv("MILEPAY_DB", "/tmp/a\x1bb")
    result = run("report", "aging")
    assert result.exit_code == 1
    assert result.stderr == "milepay: MILEPAY_DB: contains a control character (\\x1b); remove it\n"


# ---- a bad config file never stops a command -------------------------------------------------


def test_bad_book_key_is_one_line_and_where_still_works() -> None:
    """``book = 42``: one line naming the key, the default book, exit 0."""
    path = config_file('book = 42\nmessage_folder = "~/out"\n')
    result = run("where")
    assert result.exit_code == 0
    assert result.stderr == f"milepay: {path}: book: 42 is not a path (write it in quotes)\n"
    lines = result.stdout.splitlines()
    assert lines[0] == "config                  ~/.config/milepay/config.toml (default)"
    assert lines[1] == DEFAULT_LINES[1]
    assert lines[3] == "messages                ~/out (config file: message_folder; not there yet)"


def test_relative_book_key_is_refused_by_name(books: dict[str, Path], monkeypatch) -> None:
    """``book = "studio.duckdb"`` is not absolute: named once; $MILEPAY_DB's book still opens."""
    path = config_file('book = "studio.duckdb"\n')
    monkeypatch.setenv("MILEPAY_DB", str(books["env"]))
    result = run("report", "aging", "--format", "json")
    assert result.exit_code == 0
    assert result.stderr == (
        f"milepay: {path}: book: 'studio.duckdb' is not an absolute path (start it with / or ~)\n"
    )
    assert [r["client"] for r in json.loads(result.stdout)["rows"]] == ["Osprey Media"]


def test_config_that_is_not_toml_gives_the_defaults(books: dict[str, Path], monkeypatch) -> None:
    """Not TOML: one line, the defaults; a command with --db never reads the config file."""
    path = config_file('book = "unterminated\n')
    result = run("where")
    assert result.exit_code == 0
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"milepay: {path}: is not valid TOML (")
    assert line.endswith("); using the defaults")
    assert result.stdout.splitlines()[1] == DEFAULT_LINES[1]
    flag = run("report", "aging", "--db", str(books["flag"]))
    assert flag.exit_code == 0 and flag.stderr == ""


def test_config_path_naming_no_users_home_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """``$MILEPAY_CONFIG=~nobody-here/...``: where shows it as written; commands go on."""
    monkeypatch.setenv("MILEPAY_CONFIG", "~milepay-no-such-user/c.toml")
    result = run("where")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == (
        "config                  ~milepay-no-such-user/c.toml "
        "($MILEPAY_CONFIG; no such user's home folder)"
    )
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("milepay: ")


def test_app_opens_the_config_book_and_leaves_problems_to_its_toasts(
    books: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``milepay`` alone opens the config file's book; problems are the app's toasts, not stderr."""
    import tui.app

    opened: list[Path] = []
    monkeypatch.setattr(tui.app, "run_app", lambda book: opened.append(book.path) or 0)
    config_file(f'book = "{books["config"]}"\ntheme = 3\n')
    result = run()
    assert (result.exit_code, result.stderr, opened) == (0, "", [books["config"]])


def test_demo_ignores_a_bad_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """``milepay --demo`` writes its own book whatever the config file says."""
    import tui.app

    opened: list[Path] = []
    monkeypatch.setattr(tui.app, "run_app", lambda book: opened.append(book.path) or 0)
    config_file("book = [\n")
    result = run("--demo")
    assert result.exit_code == 0, result.stderr
    assert len(opened) == 1 and opened[0].name == "demo.duckdb"
    assert opened[0].parent.name.startswith("milepay-demo-")
    assert not opened[0].parent.exists()
