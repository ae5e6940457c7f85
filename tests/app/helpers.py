"""Driving the app by keys: wait for workers, press, type."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from textual import events
from textual.pilot import Pilot
from textual.screen import ModalScreen
from textual.worker import WorkerCancelled, WorkerFailed


def _busy(app: Any) -> list[Any]:
    """Workers still to wait for: not the poll, not a dialog chain waiting for an answer.

    A dialog chain (group ``dialog``) waits for the user while its dialog is on top; between
    two dialogs it is still at work and is waited for.
    """
    asking = isinstance(app.screen, ModalScreen)
    return [w for w in app.workers if w.group != "poll" and not (w.group == "dialog" and asking)]


async def settle(pilot: Pilot, rounds: int = 400) -> None:
    """Wait until every worker is done and its result handed on, and the screen caught up.

    Deterministic, no idle-time guessing: a worker counts until it has left the app's worker
    list (it posted its end before), then the app handles a callback queued behind everything
    it has queued, twice in a row with no worker about. A worker's failure is the app's to
    route (a toast, a dialog): the test checks what it shows.
    """
    app = pilot.app
    quiet = 0
    for _ in range(rounds):
        await pilot.pause(0)
        if getattr(app, "keys_pending", False):  # typed keys still going one by one
            quiet = 0
            await pilot.pause(0.005)
            continue
        busy = _busy(app)
        running = [w for w in busy if not w.is_finished and w.group != "dialog"]
        if running:
            with contextlib.suppress(WorkerFailed, WorkerCancelled):
                await app.workers.wait_for_complete(running)
        if busy:
            quiet = 0
            continue
        caught_up = asyncio.Event()
        app.call_later(caught_up.set)  # behind every message the app has queued
        await caught_up.wait()
        await pilot.pause(0)  # what the app passed on to the screen
        quiet = 0 if _busy(app) else quiet + 1
        if quiet == 2:
            return
    raise AssertionError(f"the app did not settle: {_busy(app)}")


def key_event(key: str) -> events.Key:
    """The event a terminal driver posts for ``key`` (a name such as ``ctrl+s`` or a character).

    Worked out as ``Pilot.press`` does, without its idle-time waits.
    """
    import unicodedata

    from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key

    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    original = REPLACED_KEYS.get(key, key)
    try:
        char: str | None = unicodedata.lookup(_get_unicode_name_from_key(original))
    except KeyError:
        char = key if len(key) == 1 else None
    return events.Key(key, char)


async def press(pilot: Pilot, *keys: str) -> None:
    """Press keys one by one, letting the app and its workers finish after each."""
    for key in keys:
        pilot.app.post_message(key_event(key))
        await settle(pilot)
        await pilot.wait_for_scheduled_animations()  # a scroll, as Pilot.press waits for it


async def type_text(pilot: Pilot, text: str) -> None:
    """Type text into the focused field as one burst (as a paste or a slow SSH link sends it).

    Every key event is queued before the app handles the first, then the app settles once:
    the fast way to type, and the way that proves no key is lost or misplaced.
    """
    for ch in text:
        pilot.app.post_message(key_event(ch))
    await settle(pilot)


def plain(widget: object) -> str:
    """What a Static-like widget shows, as plain text."""
    from rich.console import Console

    visual = widget.render()  # type: ignore[attr-defined]
    renderable = getattr(visual, "_renderable", visual)
    console = Console(width=200, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(renderable)
    return console.export_text()


def keys_then_settle(*keys: str) -> Callable[[Pilot], Awaitable[None]]:
    """A snapshot ``run_before``: settle, press each key and settle, then repaint."""

    async def run(pilot: Pilot) -> None:
        await settle(pilot)
        await press(pilot, *keys)
        pilot.app.screen.refresh()
        await settle(pilot)

    return run


def themed(app: Any, theme: str) -> Any:
    """``app`` opening in ``theme`` (dark or light): the preference the user's config file holds.

    Every test has a HOME of its own, so this writes that test's config file only.
    """
    if theme != "dark":
        from tui.config import save_preference

        save_preference("theme", theme)
    return app
