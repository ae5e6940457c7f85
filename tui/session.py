"""The app's one way to the book: a snapshot per change, shared derived frames, writes, files.

The app owns one :class:`BookSession`; screens, modals and widgets use its public methods
only. What it promises:

* **One read per change.** :meth:`BookSession.snapshot` reads the book (the columns the app
  shows; a chase event's message text is read on demand) once per value of the book's change
  counter and hands the same immutable :class:`Snapshot` to every screen. Frames derived from
  it (the milestone facts, the contract summary, the chase queue) are computed once per
  snapshot, by whichever screen asks first, and shared.
* **A write is read once.** :meth:`BookSession.write` runs one store action (one transaction)
  in a thread worker, then drops the snapshot, so the next screen to draw reads the book once
  at the counter the write produced; the poll that follows finds that counter and reads
  nothing more.
* **An idle app does not touch the book.** Every ``poll_seconds`` the session compares the
  book file's and its WAL's size and modification time with what it saw last; only when they
  moved does it open DuckDB, and only to read the change counter. Another process's write
  therefore shows within one poll, while cron's ``milepay report`` never finds the file held
  by an idle app.
* **One place for failures.** Work runs in thread workers started on the app; a worker that
  fails ends in the app's ``Worker.StateChanged`` router (``MilepayApp.on_worker_state_changed``),
  which routes by exception type. A caller may pass ``failed`` to see a refused write first
  (a form shows it beside the field).

Signals: :attr:`BookSession.changed` is published (on the UI thread) whenever the book
changed, here or in another process.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import polars as pl
from textual.signal import Signal
from textual.worker import Worker

from tui.analytics.base import milestone_facts
from tui.analytics.summaries import contract_summary
from tui.domain.errors import MilepayError
from tui.store import Book, BookFrames

if TYPE_CHECKING:
    from textual.app import App

T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class Snapshot:
    """The book at one change counter, with derived frames computed once and shared."""

    frames: BookFrames
    counter: int
    today: dt.date
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def derived(self, name: str, compute: Callable[[Snapshot], T]) -> T:
        """``compute(self)`` the first time ``name`` is asked for; the same object after."""
        with self._lock:
            if name not in self._cache:
                self._cache[name] = compute(self)
            return self._cache[name]

    def has(self, name: str) -> bool:
        """Whether ``name`` was already computed for this snapshot (nothing is computed)."""
        with self._lock:
            return name in self._cache

    @property
    def facts(self) -> pl.DataFrame:
        """One row per milestone with paid, open and days past due at today."""
        return self.derived("facts", lambda s: milestone_facts(s.frames, s.today))

    @property
    def contracts(self) -> pl.DataFrame:
        """One row per contract: schedule sum, paid, open, overdue and flags at today."""
        return self.derived("contracts", lambda s: contract_summary(s.frames, s.facts, s.today))


def _stamp(path: os.PathLike[str] | str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


@dataclass
class _Pending:
    """What to do on the UI thread when a worker ends."""

    done: Callable[[Any], None] | None
    failed: Callable[[MilepayError], None] | None
    retry: Callable[[], None] | None
    after_write: bool = False
    message: str | None = None


class BookSession:
    """The book as the app sees it: snapshots, writes, file and mail work, change polling."""

    def __init__(self, app: App[Any], book: Book) -> None:
        self.app = app
        self.book = book
        #: published with the new change counter whenever the book changed
        self.changed: Signal[None] = Signal(app, "book-changed")
        self._snapshot: Snapshot | None = None
        self._read_lock = threading.Lock()
        self._pending: dict[Worker[Any], _Pending] = {}
        #: the change counter the app last showed (None before the first snapshot)
        self.counter: int | None = None
        #: book reads made (one per change counter): the guard-rail tests count them
        self.reads = 0
        self._stamp = self._file_stamp()

    # ---- reading -----------------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        """The current snapshot, read from the book only when none is held (thread only)."""
        with self._read_lock:
            snap = self._snapshot
            if snap is None:
                frames = self.book.frames(shown=True)
                self.reads += 1
                snap = Snapshot(frames, frames.change_counter, frames.settings.today())
                self._snapshot = snap
            return snap

    def held(self) -> Snapshot | None:
        """The snapshot in memory, if any (UI thread: never reads the book)."""
        return self._snapshot

    def read(
        self,
        fetch: Callable[[], T],
        done: Callable[[T], None],
        *,
        group: str = "read",
    ) -> Worker[T]:
        """Run ``fetch`` (store or Polars work) in a thread; hand its result to ``done``."""
        return self._start(
            fetch, _Pending(done, None, lambda: self.read(fetch, done, group=group)), group, False
        )  # fmt: skip

    def build(
        self,
        make: Callable[[Snapshot], T],
        done: Callable[[T], None],
        *,
        group: str,
    ) -> Worker[T]:
        """Build a screen's view model from the snapshot in a thread, then ``done`` with it.

        Exclusive per ``group``: a newer build of the same screen cancels an older one.
        """
        return self._start(
            lambda: make(self.snapshot()),
            _Pending(done, None, lambda: self.build(make, done, group=group)),
            group,
            True,
        )

    # ---- writing and other work ----------------------------------------------------------

    def write(
        self,
        action: Callable[[], T],
        *,
        done: Callable[[T], None] | None = None,
        failed: Callable[[MilepayError], None] | None = None,
        message: str | None = None,
    ) -> Worker[T]:
        """Run one write (one transaction) in a thread; then tell every screen once.

        ``failed`` sees a refused write before the app shows it (a form marks the field).
        """

        def retry() -> None:
            self.write(action, done=done, failed=failed, message=message)

        def body() -> T:
            result = action()
            self._drop_snapshot()
            return result

        return self._start(
            body, _Pending(done, failed, retry, after_write=True, message=message), "write", False
        )

    def run(
        self,
        work: Callable[[], T],
        *,
        done: Callable[[T], None] | None = None,
        failed: Callable[[MilepayError], None] | None = None,
        group: str = "run",
        exclusive: bool = False,
    ) -> Worker[T]:
        """Run other work in a thread: files, mail, or Polars over a snapshot already held.

        ``exclusive``: a newer run in the same ``group`` cancels an older one, whose result
        is then never handed on (a filter typed quickly shows only its last view).
        """
        return self._start(work, _Pending(done, failed, None), group, exclusive)

    def _start(
        self, body: Callable[[], T], pending: _Pending, group: str, exclusive: bool
    ) -> Worker[T]:
        worker: Worker[T] = self.app.run_worker(
            body, thread=True, group=group, exclusive=exclusive, exit_on_error=False
        )
        self._pending[worker] = pending
        return worker

    # ---- the end of a worker (the app's router calls these on the UI thread) ---------------

    def finished(self, worker: Worker[Any]) -> None:
        """A worker succeeded: hand the result on (after a write, tell every screen)."""
        pending = self._pending.pop(worker, None)
        if pending is None:
            return
        if pending.after_write:
            self.notice_change()
            if pending.message:
                self.app.notify(pending.message, markup=False, timeout=3)
        if pending.done is not None:
            pending.done(worker.result)

    def failed(self, worker: Worker[Any]) -> tuple[Callable[[], None] | None, bool]:
        """A worker failed: let its caller see a refusal; return (retry, known worker)."""
        pending = self._pending.pop(worker, None)
        if pending is None:
            return None, False
        error = worker.error
        if isinstance(error, MilepayError) and pending.failed is not None:
            pending.failed(error)
        return pending.retry, True

    def forget(self, worker: Worker[Any]) -> None:
        """A worker was cancelled: nothing to hand on."""
        self._pending.pop(worker, None)

    # ---- noticing changes ----------------------------------------------------------------------

    def _file_stamp(self) -> tuple[Any, ...]:
        path = self.book.path
        return (_stamp(path), _stamp(f"{path}.wal"))

    def _drop_snapshot(self) -> None:
        with self._read_lock:
            self._snapshot = None

    def notice_change(self) -> None:
        """UI thread: the book changed (here or elsewhere): screens rebuild.

        The file stamp is left as it was, so the next poll reads the change counter once:
        a write by another process right after this one is never mistaken for ours.
        """
        self.changed.publish(None)

    def poll(self) -> None:
        """UI thread, on a timer: has another process written? Opens DuckDB only if the file moved."""
        stamp = self._file_stamp()
        if stamp == self._stamp:
            return
        self._stamp = stamp
        self.app.run_worker(self._poll_thread, thread=True, group="poll", exclusive=True,
                            exit_on_error=False)  # fmt: skip

    def _poll_thread(self) -> None:
        try:
            count = self.book.change_count()
        except MilepayError:
            self._stamp = None  # busy: look again at the next poll
            return
        snap = self._snapshot
        if snap is None or snap.counter == count:
            return  # nothing shown yet, or what is shown is current: nothing to read
        self._drop_snapshot()
        self.app.call_from_thread(self.notice_change)

    def shown(self, snapshot: Snapshot) -> None:
        """UI thread: a screen showed ``snapshot``; remember its counter."""
        self.counter = snapshot.counter
