"""The Textual app (SPEC section 7): screens, global keys, and how failures are shown.

The app is thin. Each main screen lives in ``tui/screens/`` (one per file) and each form or
dialog in ``tui/modals/``. The book is read and written only through the app's
:class:`~tui.session.BookSession` (``app.session``), always in thread workers: one snapshot
per change, shared by every screen; :meth:`MilepayApp.write` runs one write (one
transaction), after which each screen rebuilds once; a timer looks at the book file's size
and time, and reads the change counter only when they moved, so that another milepay
process's writes show up within about two seconds while an idle app never opens the file.

One router, :meth:`MilepayApp.on_worker_state_changed`, sees every worker end, and one place
decides how a failure is shown (:meth:`MilepayApp.show_failure` and :meth:`MilepayApp.crash`):

* a ``MilepayError`` (a refused action, a wrong value) becomes a toast with its message,
  and the form that caused it stays open with what was typed;
* ``BookBusyError`` (another process holds the file) becomes a dialog that can retry;
* anything unexpected ends the app cleanly with a readable message, the details in a log
  file, and exit code 1.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from rich.text import Text
from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.worker import Worker, WorkerState

from tui.domain.env import env_seconds
from tui.domain.errors import MilepayError
from tui.screens.aging import AgingScreen
from tui.screens.chase import ChaseScreen
from tui.screens.clients import ClientsScreen
from tui.screens.contracts import ContractsScreen
from tui.screens.dashboard import DashboardScreen
from tui.screens.expenses import ExpensesScreen
from tui.screens.forecast import ForecastScreen
from tui.screens.milestones import MilestonesScreen
from tui.screens.settings import SettingsScreen
from tui.session import BookSession
from tui.store import Book, BookBusyError
from tui.widgets.commands import BookCommands

T = TypeVar("T")

THEMES = {"dark": "textual-dark", "light": "textual-light"}
POLL_SECONDS = 2.0


class MilepayApp(App[int]):
    """milepay's app: one book, the main screens as modes, global keys."""

    TITLE = "milepay"
    CSS_PATH = "app.tcss"
    MODES: ClassVar[dict[str, Any]] = {
        "dashboard": DashboardScreen,
        "clients": ClientsScreen,
        "contracts": ContractsScreen,
        "milestones": MilestonesScreen,
        "aging": AgingScreen,
        "forecast": ForecastScreen,
        "expenses": ExpensesScreen,
        "chase": ChaseScreen,
        "settings": SettingsScreen,
    }
    DEFAULT_MODE = "dashboard"
    COMMANDS = App.COMMANDS | {BookCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "goto('dashboard')", "Dashboard", show=False, id="goto-dashboard"),
        Binding("2", "goto('clients')", "Clients", show=False, id="goto-clients"),
        Binding("3", "goto('contracts')", "Contracts", show=False, id="goto-contracts"),
        Binding("4", "goto('milestones')", "Milestones", show=False, id="goto-milestones"),
        Binding("5", "goto('aging')", "Aging", show=False, id="goto-aging"),
        Binding("6", "goto('forecast')", "Forecast", show=False, id="goto-forecast"),
        Binding("7", "goto('chase')", "Chase", show=False, id="goto-chase"),
        Binding("8", "goto('expenses')", "Expenses", show=False, id="goto-expenses"),
        Binding("9", "goto('settings')", "Settings", show=False, id="goto-settings"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("ctrl+t", "toggle_theme", "Theme", show=False, id="theme"),
        Binding("q", "soft_quit", "Quit", id="quit"),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="quit-now"),
    ]

    def __init__(self, book: Book, *, poll_seconds: float | None = None) -> None:
        super().__init__()
        #: the one way to the book: snapshots, writes, file and mail work (tui/session.py)
        self.session = BookSession(self, book)
        #: seconds between looks for other processes' writes (``MILEPAY_POLL_SECONDS``; 0: never)
        if poll_seconds is None:
            poll_seconds = env_seconds("MILEPAY_POLL_SECONDS", POLL_SECONDS)
        self.poll_seconds = poll_seconds
        self.crash_log: Path | None = None

    @property
    def book(self) -> Book:
        """The open book (store calls run inside the session's workers)."""
        return self.session.book

    # ---- start and global actions -----------------------------------------------------------

    def on_mount(self) -> None:
        """Apply the configured theme and start watching the book for other processes' writes."""
        self._load_theme()
        for note in self.session.book.notes:
            self.notify(note, title="Book upgraded", markup=False, timeout=15)
        if self.poll_seconds > 0:
            self.set_interval(self.poll_seconds, self.session.poll, name="poll-book")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Screen keys and q do nothing while a dialog or form is open."""
        return not (
            action in ("goto", "help", "soft_quit") and isinstance(self.screen, ModalScreen)
        )

    def action_goto(self, mode: str) -> None:
        """Show one of the main screens."""
        if isinstance(self.screen, ModalScreen):
            return
        self.switch_mode(mode)

    def action_help(self) -> None:
        """List every key of the current screen."""
        from tui.modals.help import HelpModal

        if not isinstance(self.screen, ModalScreen):
            self.push_screen(HelpModal(self.screen))

    async def action_soft_quit(self) -> None:
        """``q`` quits from a main screen (never from inside a form or dialog)."""
        if not isinstance(self.screen, ModalScreen):
            await self.action_quit()

    async def action_quit(self) -> None:
        """Quit, asking first when a form holds typed changes."""
        from tui.modals.confirm import ConfirmModal

        # forms and the message composer say whether they hold unsaved text
        dirty = [s for s in self.screen_stack if getattr(s, "is_dirty", False) is True]
        if not dirty:
            self.exit(0)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.exit(0)

        self.push_screen(ConfirmModal("A form has changes that were not saved. Quit and discard them?",
                                      yes="Quit", no="Keep editing"), answered)  # fmt: skip

    def action_toggle_theme(self) -> None:
        """Switch between dark and light; remember it in the config file (never the book)."""
        from tui.config import save_preference

        name = THEMES["light"] if self.current_theme.dark else THEMES["dark"]
        self.theme = name
        try:
            save_preference("theme", name)  # a few bytes: no worker needed
        except MilepayError as exc:
            self.notify(f"The theme was not saved: {exc}", severity="warning", markup=False)

    def _load_theme(self) -> None:
        """Apply the config file's theme (default textual-dark); toast what the file gets wrong."""
        from tui.config import load_config

        config, problems = load_config()
        for problem in problems:
            self.notify(problem, title="Config file", severity="warning", markup=False, timeout=10)
        wanted = config.theme or THEMES["dark"]
        name = THEMES.get(wanted, wanted)  # "dark" and "light" name Textual's own pair
        if name not in self.available_themes:
            self.notify(f"The theme '{wanted}' in the config file is not a theme milepay knows; "
                        f"using {THEMES['dark']}.", title="Config file", severity="warning",
                        markup=False, timeout=10)  # fmt: skip
            name = THEMES["dark"]
        self.theme = name

    # ---- reading and writing: through the session -------------------------------------------

    def read(
        self, fetch: Callable[[], T], done: Callable[[T], None], *, group: str = "read"
    ) -> None:
        """Run ``fetch`` (store and Polars work) in a thread; hand its result to ``done``."""
        self.session.read(fetch, done, group=group)

    def write(
        self,
        action: Callable[[], T],
        *,
        done: Callable[[T], None] | None = None,
        failed: Callable[[MilepayError], None] | None = None,
        message: str | None = None,
        quiet: bool = False,
    ) -> None:
        """Run one write (one transaction) in a thread; then every screen rebuilds once.

        ``failed`` sees a refused write before the toast (a form shows it beside the field).
        """
        self.session.write(action, done=done, failed=failed, message=None if quiet else message)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one router for the end of every worker: results on, failures by type."""
        worker = event.worker
        if event.state == WorkerState.SUCCESS:
            try:
                self.session.finished(worker)
            except Exception as exc:
                self.crash(exc)
        elif event.state == WorkerState.ERROR:
            retry, known = self.session.failed(worker)
            error = worker.error
            if isinstance(error, MilepayError):
                self.show_failure(error, retry)
            elif error is not None and (known or worker.group != "poll"):
                self.crash(error)
        elif event.state == WorkerState.CANCELLED:
            self.session.forget(worker)

    # ---- the one place failures are shown -----------------------------------------------------

    def show_failure(self, exc: MilepayError, retry: Callable[[], None] | None = None) -> None:
        """A refused action or wrong value: a toast; a busy book: a dialog that can retry."""
        if isinstance(exc, BookBusyError):
            from tui.modals.message import MessageModal

            def answered(again: bool | None) -> None:
                if again and retry is not None:
                    retry()

            self.push_screen(
                MessageModal("The book is busy", str(exc), retry=retry is not None), answered
            )
            return
        self.notify(str(exc), title="Not saved" if retry else "", severity="error",
                    markup=False, timeout=8)  # fmt: skip

    def _fatal_error(self) -> None:
        """An exception escaped a handler: end as ``crash`` does, not with a traceback screen."""
        error = self._exception
        if error is None:  # pragma: no cover - Textual always records it first
            super()._fatal_error()
            return
        self.bell()
        self._exit_renderables.append(self._crash_text(error))
        self._close_messages_no_wait()

    def crash(self, exc: BaseException) -> None:
        """Something unexpected: end cleanly, with a readable message and exit code 1."""
        self.exit(None, return_code=1, message=self._crash_text(exc))

    def _crash_text(self, exc: BaseException) -> Text:
        """A readable account of an unexpected error; the traceback goes to a log file."""
        details = "".join(traceback.format_exception(exc))
        where = ""
        try:
            import platformdirs

            folder = Path(platformdirs.user_log_dir("milepay"))
            folder.mkdir(parents=True, exist_ok=True)
            self.crash_log = folder / "crash.log"
            self.crash_log.write_text(details, encoding="utf-8")
            where = f"\nDetails were written to {self.crash_log}."
        except OSError:
            where = "\n" + details
        return Text(f"milepay stopped because of an unexpected error: {type(exc).__name__}: {exc}"
                    f"{where}\nThe book was not changed by the action that failed.")  # fmt: skip


def make_app(book: Book, *, poll_seconds: float | None = None) -> MilepayApp:
    """The app for a book (used by the CLI, the tests and the screenshot script)."""
    return MilepayApp(book, poll_seconds=poll_seconds)


def run_app(book: Book) -> int:
    """Run the app; return its exit code (non-zero when it stopped on an error)."""
    app = make_app(book)
    app.run()
    return app.return_code or 0
