"""Where milepay's files are, and where each path came from (``milepay where``).

The book is ``--db``, else ``$MILEPAY_DB``, else the config file's ``book``, else
``milepay.duckdb`` in the user data folder (:func:`tui.store.default_book_path`). The config
file is ``$MILEPAY_CONFIG``, else ``config.toml`` in the user config folder; the crash log is
``crash.log`` in the user log folder; saved messages go to the config file's
``message_folder``, else ``~/milepay-messages``; the mail servers confirmed from this machine
are listed in ``$MILEPAY_MAIL_SERVERS_CONFIRMED``, else a file in the user state folder.
Nothing here creates, opens or changes a file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from tui.config import CONFIG_ENV, Config, config_path

BOOK_ENV = "MILEPAY_DB"
_NO_HOME = "no such user's home folder"


@dataclass(frozen=True)
class Location:
    """One path milepay uses: what it is, where it is, and what chose it."""

    name: str
    path: Path
    #: ``--db``, ``$MILEPAY_DB``, ``config file: book``, ``default``...
    source: str
    folder: bool = False
    #: set when the path could not be worked out (it is then shown as written)
    problem: str = ""

    def state(self) -> str:
        """'' when it is there as the right kind, else why not (``not there yet``...)."""
        if self.problem:
            return self.problem
        try:
            if not self.path.exists():
                return "not there yet"
            if self.folder and not self.path.is_dir():
                return "not a folder"
            if not self.folder and self.path.is_dir():
                return "a folder, not a file"
        except OSError as exc:
            return f"cannot be looked at: {exc.strerror or exc}"
        return ""


def crash_log_path() -> Path:
    """``crash.log`` in the user log folder: where the app writes an unexpected error's details."""
    import platformdirs

    return Path(platformdirs.user_log_dir("milepay")) / "crash.log"


def _env(name: str) -> str:
    """The variable's value, stripped ('' when unset)."""
    return os.environ.get(name, "").strip()


def book_location(db: Path | None, config: Config) -> Location:
    """The book: ``--db``, else ``$MILEPAY_DB``, else the config file's ``book``, else the default."""
    from tui.store import default_book_path

    if db is not None:
        return Location("book", db, "--db")
    if _env(BOOK_ENV):
        source = f"${BOOK_ENV}"
    elif config.book is not None:
        source = "config file: book"
    else:
        source = "default"
    try:
        return Location("book", default_book_path(config.book), source)
    except RuntimeError:  # "~name/..." of a user with no home folder
        return Location("book", Path(_env(BOOK_ENV)), source, problem=_NO_HOME)


def locations(db: Path | None, config: Config) -> list[Location]:
    """Every path ``milepay where`` shows, in its order: config, book, log, messages, servers."""
    from tui.mail import CONFIRMED_ENV, confirmed_servers_file, default_folder

    config_source = f"${CONFIG_ENV}" if _env(CONFIG_ENV) else "default"
    try:
        config_file = Location("config", config_path(), config_source)
    except RuntimeError:  # "~name/..." of a user with no home folder: shown as written
        config_file = Location("config", Path(_env(CONFIG_ENV)), config_source, problem=_NO_HOME)
    folder_source = "config file: message_folder" if config.message_folder else "default"
    servers_source = f"${CONFIRMED_ENV}" if _env(CONFIRMED_ENV) else "default"
    return [
        config_file,
        book_location(db, config),
        Location("log", crash_log_path(), "default"),
        Location("messages", default_folder(config.message_folder), folder_source, folder=True),
        Location("mail servers confirmed", confirmed_servers_file(), servers_source),
    ]


__all__ = ["BOOK_ENV", "Location", "book_location", "crash_log_path", "locations"]
