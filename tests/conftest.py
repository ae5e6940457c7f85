"""Shared fixtures: temporary books and a fixed today."""

from __future__ import annotations

import datetime as dt
import shutil
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import strength
from hypothesis import settings

from tui.store import Book

settings.load_profile(strength.PROFILE)

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
TODAY = dt.date(2026, 11, 24)


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every test runs with MILEPAY_TODAY fixed, no stray MILEPAY_DB, and the app's poll off.

    (A test of the poll calls ``app.session.poll()`` itself, or passes ``poll_seconds``.)
    The writers' queue and the busy timeout are the real ones. HOME is a fresh folder and the
    XDG and milepay config variables are unset, so no test reads or writes the user's own
    config file, confirmed mail servers or message folder.
    """
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME",
                 "MILEPAY_CONFIG", "MILEPAY_MAIL_SERVERS_CONFIRMED", "MILEPAY_SMTP_PASSWORD"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MILEPAY_POLL_SECONDS", "0")
    monkeypatch.setenv("MILEPAY_TODAY", TODAY.isoformat())
    monkeypatch.delenv("MILEPAY_DB", raising=False)
    monkeypatch.setenv("MILEPAY_BUSY_TIMEOUT", "5")


@pytest.fixture
def book_path(tmp_path: Path) -> Path:
    """A path for a new book in a temporary folder."""
    return tmp_path / "book.duckdb"


@pytest.fixture(scope="session")
def empty_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new, empty book written once per test session (tests copy it, never open it).

    Creating a book runs every migration (about 0.13 s); copying the checkpointed file is a
    few milliseconds. Tests of creating and migrating books open ``book_path`` themselves.
    """
    path = tmp_path_factory.mktemp("empty-template") / "empty.duckdb"
    Book.open(path)
    assert not Path(f"{path}.wal").exists(), "the template must be checkpointed to be copied"
    return path


@pytest.fixture
def book(book_path: Path, empty_template: Path) -> Book:
    """A new, empty book (a private copy of the session's empty template, mode 0600)."""
    from tui.store.files import private_umask

    with private_umask():
        shutil.copyfile(empty_template, book_path)
    return Book.open(book_path)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo book as of TODAY, written once per test session (tests copy it, never open it)."""
    from tui.store.demo import write_demo

    path = tmp_path_factory.mktemp("demo-template") / "demo.duckdb"
    write_demo(Book.open(path), TODAY)
    assert not Path(f"{path}.wal").exists(), "the template must be checkpointed to be copied"
    return path


@pytest.fixture
def demo_at(demo_template: Path) -> Callable[[Path], Book]:
    """``demo_at(path)``: a private copy of the demo book at ``path``, opened (0.3 s faster
    than writing it again, and the same bytes every time)."""

    def copy(path: Path) -> Book:
        from tui.store.files import private_umask

        with private_umask():
            shutil.copyfile(demo_template, path)
        return Book.open(path)

    return copy


def free_port() -> int:
    """A port nobody listens on (right now)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    """An aiosmtpd handler keeping what it received."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Keep the message."""
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, Inbox]]:
    """A local SMTP server on 127.0.0.1 (a free port), stopped after the test."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port, inbox
    finally:
        controller.stop()


@pytest.fixture
def refused_port() -> int:
    """A port on 127.0.0.1 with nobody listening, for refused connections."""
    return free_port()


#: Modules holding the suite's longest tests (10-25 s each: property tests over real book files,
#: the time-boxed fuzzers). Run first, they overlap the many short tests on the other worker
#: instead of running alone at the end while one worker idles (pytest-xdist hands tests out in
#: collection order). Measured in tests/bench/RESULTS.md ("Test suite").
LONG_FIRST = (
    "test_exchange_props.py",
    "test_forecast_props.py",
    "test_reliability_fuzz.py",
    "test_exchange_guard.py",
    "test_audit.py",
    "test_reliability_contention.py",
    "test_reliability_kill.py",
    "test_fees_props.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the modules of :data:`LONG_FIRST` first, keeping every other test's order."""
    rank = {name: i for i, name in enumerate(LONG_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(LONG_FIRST)))
