"""Shared fixtures: temporary books and a fixed today."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tui.store import Book

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
TODAY = dt.date(2026, 11, 24)


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs with MILEPAY_TODAY fixed and no stray MILEPAY_DB."""
    monkeypatch.setenv("MILEPAY_TODAY", TODAY.isoformat())
    monkeypatch.delenv("MILEPAY_DB", raising=False)
    monkeypatch.setenv("MILEPAY_BUSY_TIMEOUT", "5")


@pytest.fixture
def book_path(tmp_path: Path) -> Path:
    """A path for a new book in a temporary folder."""
    return tmp_path / "book.duckdb"


@pytest.fixture
def book(book_path: Path) -> Book:
    """A new, empty book."""
    return Book.open(book_path)


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
