"""What every main screen shares: the nav bar and footer, and loading from the book in a thread."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer
from textual.worker import get_current_worker

from tui.domain.errors import MilepayError
from tui.widgets.navbar import NavBar

if TYPE_CHECKING:
    from tui.app import MilepayApp
    from tui.store import Book


class BookScreen(Screen[None]):
    """A main screen: shows part of the book, reloaded in a thread worker after every change.

    Subclasses write ``compose_body`` (their widgets), ``fetch`` (runs in a thread: read the
    book, compute with Polars, return plain data) and ``show`` (UI thread: put it on screen).
    """

    #: the mode name (also the nav bar's key)
    NAME = ""

    def __init__(self) -> None:
        super().__init__()
        self.loaded_version = -1
        self.today: dt.date | None = None

    @property
    def milepay(self) -> MilepayApp:
        """The app, typed."""
        return cast("MilepayApp", self.app)

    @property
    def book(self) -> Book:
        """The open book."""
        return self.milepay.book

    def compose(self) -> ComposeResult:
        """The screen's body, then the screen keys and the footer."""
        yield from self.compose_body()
        with Vertical(id="bottom"):
            yield NavBar(self.NAME)
            yield Footer(compact=True)

    def compose_body(self) -> ComposeResult:  # pragma: no cover - overridden
        """The screen's own widgets."""
        yield from ()

    def on_mount(self) -> None:
        """First load."""
        self.reload()

    def on_screen_resume(self) -> None:
        """Coming back to the screen: reload if the book changed meanwhile."""
        if self.loaded_version != self.milepay.data_version:
            self.reload()

    def reload(self) -> None:
        """Read the book again (in a thread) and show it."""
        self.loaded_version = self.milepay.data_version
        self._load()

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def _load(self) -> None:
        """Thread worker: fetch, then show on the UI thread unless a newer load started."""
        worker = get_current_worker()
        app = self.milepay
        try:
            data = self.fetch()
        except MilepayError as exc:
            app._from_thread(app.show_failure, exc, self.reload)
            return
        except Exception as exc:
            app._from_thread(app.crash, exc)
            return
        if not worker.is_cancelled:
            app._from_thread(self._show_safely, data)

    def _show_safely(self, data: Any) -> None:
        try:
            self.show(data)
        except Exception as exc:
            self.milepay.crash(exc)

    def fetch(self) -> Any:  # pragma: no cover - overridden
        """Thread: read what the screen shows."""
        return None

    def show(self, data: Any) -> None:  # pragma: no cover - overridden
        """UI thread: show what ``fetch`` read."""

    def _today(self) -> dt.date:
        """Today as the book sees it (the last load's, else from the environment)."""
        from tui.domain.dates import today

        return self.today or today()

    def read_row(self, table: str, row_id: int, then: Callable[[dict[str, Any]], None]) -> None:
        """Read one record in a thread, then hand it to ``then`` (to open a form on it)."""
        self.milepay.read(lambda: self.book.get(table, row_id), then)

    def refresh_actions(self) -> None:
        """The selection changed: the footer re-asks ``check_action`` which keys apply."""
        self.refresh_bindings()
