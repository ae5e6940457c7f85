"""Driving the app by keys: wait for workers, press, type."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual.pilot import Pilot


async def settle(pilot: Pilot, rounds: int = 40) -> None:
    """Wait until the thread workers (reads, writes) are done and the screen caught up."""
    app = pilot.app
    for _ in range(rounds):
        await pilot.pause()
        busy = [w for w in app.workers if not w.is_finished and w.group != "poll"]
        if not busy:
            await pilot.pause()
            return
        await app.workers.wait_for_complete(busy)
    raise AssertionError("the app did not settle")


async def press(pilot: Pilot, *keys: str) -> None:
    """Press keys one by one, letting workers finish after each."""
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def type_text(pilot: Pilot, text: str) -> None:
    """Type text into the focused field."""
    await pilot.press(*[c if c != " " else "space" for c in text])
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
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        pilot.app.screen.refresh()
        await settle(pilot)

    return run
