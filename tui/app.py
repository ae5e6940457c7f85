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

Notifications (toasts) are a status line, not a box: full width on the bottom line(s), over
the key bar (the Toast rules in app.tcss), where a keyboard-only user looks for what a key just
did. One hides the two bars for its few seconds, not the right-aligned amounts Textual's own
box covered; several at once stack upwards over the lines above the bars. What a key did goes after 3 s; warnings and errors stay
longer because they have to be read.

Preferences come from the config file (:mod:`tui.config`), read once at start: the theme
(one chosen later by ctrl+t or the palette's Theme is saved back, never to the book) and the
``[keymap]`` table, applied with Textual's ``set_keymap`` by binding id (``?`` lists the ids).
Each thing the file gets wrong is one toast of one line, and the app starts with the rest.
"""

from __future__ import annotations

import os
import threading
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from rich.text import Text
from textual import events
from textual.app import App
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.message import Message
from textual.screen import ModalScreen
from textual.worker import Worker, WorkerState

from tui.domain.env import env_seconds
from tui.domain.errors import MilepayError, RefusedError, printable
from tui.navigation import Navigate
from tui.screens.aging import AgingScreen
from tui.screens.chase import ChaseScreen
from tui.screens.clients import ClientsScreen
from tui.screens.contracts import ContractsScreen
from tui.screens.dashboard import DashboardScreen
from tui.screens.expenses import ExpensesScreen
from tui.screens.forecast import ForecastScreen
from tui.screens.listing import ListScreen
from tui.screens.milestones import MilestonesScreen
from tui.screens.settings import SettingsScreen
from tui.session import BookSession
from tui.store import Book, BookBusyError
from tui.themes import use_readable_ansi
from tui.widgets.commands import BookCommands

T = TypeVar("T")

THEMES = {"dark": "textual-dark", "light": "textual-light"}
POLL_SECONDS = 2.0
#: what may come before ``+`` in a key name (``ctrl+shift+up``)
MODIFIERS = ("ctrl", "shift", "alt", "meta", "super", "hyper")
#: the packages whose classes declare bindings
BOUND_PACKAGES = ("tui.screens", "tui.modals", "tui.widgets")


def normal_keys(text: str) -> str:
    """``"c, ?, ctrl+k"`` as Textual names keys (``c,question_mark,ctrl+k``); ValueError says why.

    Textual takes any text and silently never fires a key it cannot deliver, so each key is
    checked here: modifiers from :data:`MODIFIERS`, then one character or a key name Textual
    knows (``f5``, ``escape``, ``question_mark``...).
    """
    from textual.keys import REPLACED_KEYS, Keys, _character_to_key, key_to_character

    named = {k.value for k in Keys if k.value.isalnum()}
    out: list[str] = []
    for part in text.split(","):
        key = part.strip()
        if not key:
            raise ValueError(f"{text!r} has an empty key (separate keys with commas)")
        if len(key) == 1:
            out.append(_character_to_key(key))
            continue
        *mods, base = key.split("+")
        mods = [m.strip().lower() for m in mods]
        base = base.strip()
        if len(base) == 1:
            base = _character_to_key(base)
        elif base:
            base = base.lower()
        known = base in named or key_to_character(REPLACED_KEYS.get(base, base)) is not None
        if not known or any(m not in MODIFIERS for m in mods) or len(set(mods)) < len(mods):
            raise ValueError(f"{key!r} is not a key Textual knows (for example k, ctrl+k, f5, "
                             "question_mark)")  # fmt: skip
        out.append("+".join([*mods, base]))
    return ",".join(out)


def bound_classes() -> list[type[DOMNode]]:
    """The app, every screen, dialog and widget class of milepay (each module imported)."""
    import importlib
    import pkgutil

    for package in BOUND_PACKAGES:
        for module in pkgutil.iter_modules(importlib.import_module(package).__path__):
            importlib.import_module(f"{package}.{module.name}")
    found: dict[type[DOMNode], None] = {}
    todo: list[type[DOMNode]] = [DOMNode]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found[sub] = None
                todo.append(sub)
    return [c for c in found if c.__module__.startswith("tui.")]


def binding_ids(classes: Iterable[type[DOMNode]]) -> set[str]:
    """The binding ids the classes declare."""
    return {
        b.id
        for cls in classes
        for b in vars(cls).get("BINDINGS", ())
        if isinstance(b, Binding) and b.id
    }


def keymap_clashes(
    keymap: dict[str, str], classes: Iterable[type[DOMNode]]
) -> list[tuple[str, str]]:
    """(id, reason) for each key the keymap takes from another binding of the same class.

    Textual then drops that other binding's key without a word (its own clash report skips
    bindings that have an id), so the user is told here. A key that a screen also binds while
    the app binds it too is no clash: the screen's binding wins there, as it does by default.
    """
    wants = {i: keys.split(",") for i, keys in keymap.items()}
    out: dict[tuple[str, str], str] = {}
    for cls in classes:
        merged = getattr(cls, "_merged_bindings", None)
        if merged is None:
            continue
        actions = {b.id: b.action for bindings in merged.key_to_bindings.values() for b in bindings}
        for binding_id, keys in wants.items():
            if binding_id not in actions:
                continue
            for key in keys:
                for other in merged.key_to_bindings.get(key, []):
                    if other.action == actions[binding_id] or (
                        other.id in wants and key not in wants[other.id]
                    ):
                        continue  # the same action, or a binding moved away from this key
                    lost = other.id or other.action
                    where = (
                        "everywhere"
                        if issubclass(cls, App)
                        else "on " + str(getattr(cls, "TITLE_TEXT", cls.__name__))
                    )
                    out[(binding_id, key)] = (
                        f"{key} is already {lost}'s key {where}; {lost} loses it"
                    )
    return [(binding_id, reason) for (binding_id, _key), reason in out.items()]


def checked_keymap(
    keymap: dict[str, str], ids: set[str]
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The entries Textual can apply (keys normalised), and (id, reason) for each other one."""
    good: dict[str, str] = {}
    wrong: list[tuple[str, str]] = []
    for binding_id, keys in keymap.items():
        if binding_id not in ids:
            wrong.append((binding_id, "no binding has this id (? lists the ids)"))
            continue
        try:
            good[binding_id] = normal_keys(keys)
        except ValueError as exc:
            wrong.append((binding_id, str(exc)))
    return good, wrong


class _KeyHandled(Message):
    """Posted to the widget a key went to, right after it: it reaches the app (bubbling the
    same way, behind the key in every queue) once the key and what it started are handled."""

    def __init__(self, number: int) -> None:
        super().__init__()
        self.number = number


#: the longest a typed key waits for the one before it and for the screen it opened
KEY_WAIT_SECONDS = 2.0
#: worker groups (before any ``-``) whose end opens a screen: the next key waits for them
KEY_WAITS_FOR = frozenset({"read", "dialog", "bank", "undo", "statement", "payments"})


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
        Binding("ctrl+t", "toggle_theme", "Theme", show=False, id="toggle-theme"),
        Binding("ctrl+z", "undo", "Undo", show=False, id="undo"),
        Binding("q", "soft_quit", "Quit", id="quit"),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="quit-now"),
    ]

    def __init__(self, book: Book, *, poll_seconds: float | None = None) -> None:
        super().__init__()
        #: keys typed while the one before is still at work (a burst from a slow SSH link):
        #: each goes when the previous is handled and the screen it led to can take it
        self._held_keys: list[events.Key] = []
        self._key_deadline: float | None = None
        self._key_number = 0  # the key in flight (a late fallback timer of an older one: ignored)
        self._workers_before: set[Worker[Any]] = set()  # the workers the key in flight found
        use_readable_ansi(self)  # ANSI colour names readable in both themes (issue 14)
        #: the one way to the book: snapshots, writes, file and mail work (tui/session.py)
        self.session = BookSession(self, book)
        #: seconds between looks for other processes' writes (``MILEPAY_POLL_SECONDS``; 0: never)
        if poll_seconds is None:
            poll_seconds = env_seconds("MILEPAY_POLL_SECONDS", POLL_SECONDS)
        self.poll_seconds = poll_seconds
        self.crash_log: Path | None = None
        #: the config file's ``[keymap]`` as applied (binding id -> Textual key names)
        self.keymap: dict[str, str] = {}
        #: the theme the config file holds (None until it was read: nothing is saved before)
        self._saved_theme: str | None = None
        self._wanted_theme: str | None = None
        self._theme_lock = threading.Lock()

    @property
    def book(self) -> Book:
        """The open book (store calls run inside the session's workers)."""
        return self.session.book

    # ---- start and global actions -----------------------------------------------------------

    def on_mount(self) -> None:
        """Apply the config file and start watching the book for other processes' writes."""
        self._apply_config()
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

    async def on_navigate(self, message: Navigate) -> None:
        """Show a main screen and hand it what to do there once its data is shown."""
        await self.switch_mode(message.mode)
        screen = self.screen
        if isinstance(screen, ListScreen):
            screen.when_loaded(lambda shown: shown.arrive(message.arrival))

    def action_undo(self) -> None:
        """Undo the book's last action (audit log) after showing what will change back.

        Inside a text field ctrl+z undoes typing there instead (the field has it first).
        """
        from tui.domain.errors import MilepayError
        from tui.modals.confirm import ConfirmModal
        from tui.store.audit import action_name

        if isinstance(self.screen, ModalScreen):
            return
        book = self.session.book

        def plan() -> Any:
            try:
                return book.undo_plan()
            except MilepayError as exc:  # nothing to undo, or a row changed since: say so
                return exc

        def show(result: Any) -> None:
            if isinstance(result, MilepayError):
                self.notify(f"Not undone: {result}", severity="warning", markup=False, timeout=8)
                return
            entry = result.entry
            lines = result.describe()
            shown = "\n".join(f"· {line}" for line in lines[:8])
            more = f"\n· … and {len(lines) - 8} more" if len(lines) > 8 else ""
            question = (f"Undo {action_name(entry['action'])} of "
                        f"{entry['logged_at']:%Y-%m-%d %H:%M} UTC ({entry['summary']})?\n"
                        f"{shown}{more}")  # fmt: skip

            def answered(yes: bool | None) -> None:
                if yes:
                    self.write(lambda: book.undo(entry["id"]),
                               message=f"Undone: {action_name(entry['action'])}.")  # fmt: skip

            self.push_screen(ConfirmModal(question, yes="Undo", no="Keep"), answered)

        self.read(plan, show, group="undo")

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

    @property
    def keys_pending(self) -> bool:
        """Is a typed key still being handled or waiting its turn?"""
        return self._key_deadline is not None or bool(self._held_keys)

    async def on_event(self, event: events.Event) -> None:
        """Keys one at a time, in the order typed, each to the screen the keys before it led
        to: ``4 p 12.50`` typed in one burst opens the milestones, then the payment form once
        the list is there, and the amount lands in the form (Textual alone would hand ``p`` to
        the dashboard and the digits to whatever had focus)."""
        if isinstance(event, events.Key) and not event.is_forwarded:
            if self.keys_pending:
                self._held_keys.append(event)
                return
            await self._send_key(event)
            return
        await super().on_event(event)

    async def _send_key(self, event: events.Key) -> None:
        import time

        target = self.focused or self.screen
        self._key_deadline = time.monotonic() + KEY_WAIT_SECONDS
        self._key_number += 1
        number = self._key_number
        self._workers_before = set(self.workers)
        await super().on_event(event)
        target.post_message(_KeyHandled(number))
        # the marker is lost with its widget (a key that closed it): go on after the wait
        self.set_timer(KEY_WAIT_SECONDS, lambda: self._next_key(number))

    def _key_work(self) -> list[Worker[Any]]:
        """Work the key in flight started whose end opens a screen (``p`` reads the open amount,
        then opens the form; a dialog chain between two dialogs). Not rebuilds and recomputes
        (20 ``+`` typed fast still cost one or two forecasts, the newest shown), nor a dialog
        chain waiting for the user's answer."""
        asking = isinstance(self.screen, ModalScreen)
        return [w for w in self.workers if w not in self._workers_before
                and w.group.split("-")[0] in KEY_WAITS_FOR
                and not (w.group == "dialog" and asking)]  # fmt: skip

    def on__key_handled(self, message: _KeyHandled) -> None:
        """The key before is handled: the next one goes when the screen can take it."""
        message.stop()
        self._next_key(message.number)

    def _next_key(self, number: int) -> None:
        import time

        if self._key_deadline is None or number != self._key_number:
            return
        screen = self.screen
        ready = getattr(screen, "takes_keys", None)
        if time.monotonic() < self._key_deadline and not (
            screen.is_mounted and (ready() if callable(ready) else True) and not self._key_work()
        ):
            self.set_timer(0.02, lambda: self._next_key(number))  # data or fields not there
            return
        self._key_deadline = None
        if self._held_keys:
            self._key_deadline = time.monotonic() + KEY_WAIT_SECONDS  # held until it is sent
            self.call_later(self._send_key, self._held_keys.pop(0))

    async def run_action(
        self,
        action: str | Any,
        default_namespace: DOMNode | None = None,
        namespaces: Any = None,
    ) -> bool:
        """Run ``action``; one that does not apply now (shown muted in the key bar) says why.

        A screen that disables an action for the selected row (``check_action`` None) may name
        the reason in ``why_not(action)``: the key then answers with a one-line toast instead
        of doing nothing and saying nothing.
        """
        if isinstance(action, str) and default_namespace is not None:
            from textual.actions import parse

            where, name, params = parse(action)
            target = default_namespace  # a screen's own action (``app.`` ones are not asked)
            why_not = None if where else getattr(target, "why_not", None)
            if target.check_action(name, params) is None and callable(why_not):
                reason = why_not(name)
                if reason:
                    self.notify(reason, severity="warning", markup=False, timeout=4)
                    return True
        return await super().run_action(action, default_namespace, namespaces)

    def action_toggle_theme(self) -> None:
        """Switch between dark and light (:meth:`watch_theme` keeps it in the config file)."""
        self.theme = THEMES["light"] if self.current_theme.dark else THEMES["dark"]

    def watch_theme(self, name: str) -> None:
        """A theme chosen by ctrl+t or the palette goes to the config file (never the book)."""
        if self._saved_theme is None:
            return  # the start: the file's own theme, or Textual's default before it
        self._wanted_theme = name  # the worker writes it unless the file holds it already
        self.session.run(self._save_theme, group="preferences")

    def _save_theme(self) -> None:
        """Write the theme chosen last, once per change, in the order chosen (a thread worker)."""
        from tui.config import save_preference

        with self._theme_lock:
            name = self._wanted_theme
            if name is None or name == self._saved_theme:
                return  # a later worker already wrote it, or the choice went back
            try:
                save_preference("theme", name)
            except MilepayError as exc:
                raise RefusedError(f"the theme {name} is shown for now: {exc}") from None
            self._saved_theme = name

    def _apply_config(self) -> None:
        """Apply the config file's theme and keymap; one toast for each thing it gets wrong."""
        from tui.config import config_path, load_config

        config, problems = load_config()
        where = str(config_path())
        wanted = config.theme or THEMES["dark"]
        name = THEMES.get(wanted, wanted)  # "dark" and "light" name Textual's own pair
        if name not in self.available_themes:
            problems.append(printable(f"The theme '{wanted}' in the config file is not a theme "
                                      f"milepay knows; using {THEMES['dark']}."))  # fmt: skip
            name = THEMES["dark"]
        self._saved_theme = name  # the file's choice: setting it below writes nothing
        self.theme = name
        if config.keymap:
            classes = bound_classes()
            keymap, wrong = checked_keymap(config.keymap, binding_ids(classes))
            wrong += keymap_clashes(keymap, classes)
            problems += [printable(f"{where}: keymap.{key}: {reason}") for key, reason in wrong]
            self.keymap = keymap
            self.set_keymap(keymap)
        for problem in problems:
            self.notify(problem, title="Config file", severity="warning", markup=False, timeout=12)

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
    ) -> None:
        """Run one write (one transaction) in a thread; then every screen rebuilds once.

        ``failed`` sees a refused write before the toast (a form shows it beside the field).
        """
        self.session.write(action, done=done, failed=failed, message=message)

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
            from tui.config import make_private_dir
            from tui.paths import crash_log_path

            # the traceback may quote book values: the log is the owner's only, from creation
            self.crash_log = crash_log_path()
            make_private_dir(self.crash_log.parent)
            flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
            with os.fdopen(os.open(self.crash_log, flags, 0o600), "w", encoding="utf-8") as out:
                out.write(details)
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
