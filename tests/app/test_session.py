"""Guard rails of the book session: one read per change, hidden screens, the idle poll."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.app.helpers import press, settle, type_text
from tui.app import make_app
from tui.domain import Client
from tui.store import Book


def _names(app: Any) -> list[str]:
    table = app.screen.query_one("#list")
    return [str(table.get_row_at(i)[0]).split(" (")[0] for i in range(table.row_count)]


class _Opens:
    """Counts every DuckDB open of the book file."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import duckdb

        self.count = 0
        real = duckdb.connect

        def counting(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return real(*args, **kwargs)

        monkeypatch.setattr("tui.store.book.duckdb.connect", counting)


async def poll(pilot: Any) -> None:
    """One poll, as the timer makes it, waited for to the end (its worker and what it posts)."""
    pilot.app.session.poll()
    await pilot.app.workers.wait_for_complete([w for w in pilot.app.workers if w.group == "poll"])
    await settle(pilot)


async def test_one_read_per_change_across_a_write_and_the_poll_after_it(book: Book) -> None:
    book.add_client(Client(name="Acme"))
    app = make_app(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for key in "234567891":  # every screen, each built from the one snapshot
            await press(pilot, key)
        assert app.session.reads == 1
        app.write(lambda: book.add_client(Client(name="Bright Ideas")))
        await settle(pilot)
        assert app.session.reads == 2  # the dashboard rebuilt: one read at the new counter
        await poll(pilot)  # the file moved (our own write): the counter is read, not the book
        await poll(pilot)
        assert app.session.reads == 2
        await press(pilot, "2")
        assert "Bright Ideas" in _names(app)
        assert app.session.reads == 2  # the hidden clients screen rebuilt from memory


async def test_a_hidden_screen_rebuilds_on_resume_without_reading_the_book(
    book: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    book.add_client(Client(name="Acme"))
    app = make_app(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await press(pilot, "2")
        await press(pilot, "1")
        app.write(lambda: book.add_client(Client(name="Bright Ideas")))
        await settle(pilot)
        reads = app.session.reads
        frames_calls: list[int] = []
        monkeypatch.setattr(book, "frames", lambda **kw: frames_calls.append(1))
        await press(pilot, "2")
        assert _names(app) == ["Acme", "Bright Ideas"]
        assert frames_calls == [] and app.session.reads == reads


async def test_another_process_write_shows_within_one_poll(book: Book, book_path: Path) -> None:
    book.add_client(Client(name="Acme"))
    app = make_app(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await press(pilot, "2")
        assert _names(app) == ["Acme"]
        Book(book_path).add_client(Client(name="Zed Works"))  # another milepay process
        await poll(pilot)
        assert _names(app) == ["Acme", "Zed Works"]


async def test_an_idle_app_never_opens_the_book(
    book: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    book.add_client(Client(name="Acme"))
    app = make_app(book, poll_seconds=0.05)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        opens = _Opens(monkeypatch)
        deadline = time.monotonic() + 1.0  # twenty polls
        while time.monotonic() < deadline:
            await pilot.pause(0.05)
        await settle(pilot)
        assert opens.count == 0


async def test_the_command_palette_uses_the_snapshot_not_the_book(
    book: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ctrl+p lists clients from the snapshot the dashboard read: the book is not opened."""
    book.add_client(Client(name="Acme"))
    app = make_app(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        reads, opens = app.session.reads, _Opens(monkeypatch)
        await press(pilot, "ctrl+p")
        await type_text(pilot, "acme")
        await pilot.pause(0.3)  # the palette searches on a timer
        await settle(pilot)
        options = app.screen.query_one("CommandList")
        assert "Go to client: Acme" in str(options.get_option_at_index(0).prompt)
        assert (app.session.reads, opens.count) == (reads, 0)
