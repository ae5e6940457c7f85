"""What every main screen shares: the nav bar and footer, and building its view from the snapshot.

A screen never reads the book itself: it asks the app's :class:`~tui.session.BookSession`
to build its view model from the current snapshot in a thread worker (``fetch(snapshot)``),
then shows it on the UI thread (``show``). When the book changes the session publishes
``changed``: a screen that is showing rebuilds at once; a hidden one marks itself stale and
rebuilds when it comes back, from the snapshot in memory (the book is read once per
change, by whichever screen asks first).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from tui.widgets.keybar import KeyBar
from tui.widgets.navbar import NavBar

if TYPE_CHECKING:
    from tui.app import MilepayApp
    from tui.domain.errors import MilepayError
    from tui.session import BookSession, Snapshot
    from tui.store import Book

T = TypeVar("T")


class BookScreen(Screen[None]):
    """A main screen: shows part of the book, rebuilt from the session's snapshot after a change.

    Subclasses write ``compose_body`` (their widgets), ``fetch`` (runs in a thread: compute
    from the snapshot with Polars, return plain data) and ``show`` (UI thread: put it on
    screen).
    """

    #: the mode name (also the nav bar's key)
    NAME = ""

    def __init__(self) -> None:
        super().__init__()
        #: the book changed since this screen last built its view
        self.stale = True
        self.today: dt.date | None = None
        #: the snapshot the screen shows (shared with every other screen; never copied)
        self.snapshot: Snapshot | None = None

    @property
    def milepay(self) -> MilepayApp:
        """The app, typed."""
        return cast("MilepayApp", self.app)

    @property
    def session(self) -> BookSession:
        """The app's book session (reads, writes, files)."""
        return self.milepay.session

    @property
    def book(self) -> Book:
        """The open book (for store calls inside ``session.write`` / ``session.read``)."""
        return self.milepay.session.book

    def compose(self) -> ComposeResult:
        """The screen's body, then the screen keys and the footer."""
        yield from self.compose_body()
        with Vertical(id="bottom"):
            yield NavBar(self.NAME)
            yield KeyBar()

    def compose_body(self) -> ComposeResult:  # pragma: no cover - overridden
        """The screen's own widgets."""
        yield from ()

    def on_mount(self) -> None:
        """Listen for changes to the book, then build."""
        self._listen()
        self.reload()
        # Textual 8.2.8 restyles every widget of a mode's screen on the first switch back to it
        # (~100 ms here): the screen was not mounted yet when ``switch_mode`` refreshed the CSS
        # for it, so its CSS counter stayed at -1. Mounting applied the current CSS already.
        self._css_update_count = self.app._css_update_count

    def _listen(self) -> None:
        self.session.changed.unsubscribe(self)
        self.session.changed.subscribe(self, self._book_changed)

    def _book_changed(self, _: None) -> None:
        if self in self.app.screen_stack:
            self.reload()
        else:
            self.stale = True

    def on_screen_resume(self) -> None:
        """Coming back: listen again (a hidden screen may have been dropped), rebuild if stale."""
        self._listen()
        if self.stale:
            self.reload()

    def reload(self) -> None:
        """Build the view again from the snapshot (in a thread) and show it."""
        self.stale = False
        self.session.build(self._build, self._show_safely, group=f"build-{self.NAME}-{id(self)}")

    def _build(self, snapshot: Snapshot) -> tuple[Snapshot, Any]:
        return snapshot, self.fetch(snapshot)

    def _show_safely(self, built: tuple[Snapshot, Any]) -> None:
        snapshot, data = built
        self.snapshot = snapshot
        self.session.shown(snapshot)
        try:
            self.show(data)
        except Exception as exc:
            self.milepay.crash(exc)

    def takes_keys(self) -> bool:
        """Has the screen shown the book yet? Keys typed ahead wait for it (``tui.app``)."""
        return self.snapshot is not None

    def fetch(self, snapshot: Snapshot) -> Any:  # pragma: no cover - overridden
        """Thread: compute what the screen shows from ``snapshot``."""
        return None

    def show(self, data: Any) -> None:  # pragma: no cover - overridden
        """UI thread: show what ``fetch`` built."""

    def _today(self) -> dt.date:
        """Today as the book sees it (the last build's, else from the environment)."""
        from tui.domain.dates import today

        return self.today or today()

    def read_row(self, table: str, row_id: int, then: Callable[[dict[str, Any]], None]) -> None:
        """Read one record in a thread, then hand it to ``then`` (to open a form on it)."""
        self.session.read(lambda: self.book.get(table, row_id), then)

    def refresh_actions(self) -> None:
        """The selection changed: the footer re-asks ``check_action`` which keys apply."""
        self.refresh_bindings()


class LatestOnly(Generic[T]):
    """One computation at a time for a screen, and only the newest state's result is shown.

    ``run(work, show)`` is called after every change of the screen's state, ``work`` holding
    that state. With nothing running it starts at once in a thread worker; while one runs, it
    waits as the next (replacing an older one waiting), and the running one's result, no longer
    the current state's, is dropped when it ends. A burst of keys thus costs at most two
    computations, and the last one shown is always that of the final state.
    """

    def __init__(self, screen: BookScreen, group: str) -> None:
        self.screen = screen
        self.group = group
        self._running: Worker[Any] | None = None
        self._next: tuple[Callable[[], Any], Callable[[Any], None]] | None = None

    @property
    def busy(self) -> bool:
        """A computation runs whose result is still to come."""
        worker = self._running
        return worker is not None and worker.state not in (WorkerState.ERROR, WorkerState.CANCELLED)

    def run(self, work: Callable[[], T], show: Callable[[T], None]) -> None:
        """Compute ``work`` in a thread, then ``show`` its result unless a newer run came."""
        if self.busy:
            self._next = (work, show)
            return
        self._next = None
        self._running = self.screen.session.run(
            work, done=lambda result: self._done(result, show), failed=self._failed,
            group=self.group,
        )  # fmt: skip

    def _done(self, result: Any, show: Callable[[Any], None]) -> None:
        self._running = None
        if self._next is not None:
            self.run(*self._next)  # the state changed meanwhile: this result is stale
        elif self.screen.is_mounted:
            show(result)

    def _failed(self, error: MilepayError) -> None:
        """A refusal (the app shows it): go on with the newer state, if any."""
        self._running = None
        if self._next is not None:
            self.run(*self._next)
