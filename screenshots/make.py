"""Render every main screen of the demo book (as of 2026-11-24) as SVG into this folder.

    .venv/bin/python screenshots/make.py [--size 120x40]

Uses ``make_app`` and Textual's headless driver; the demo book and the config file (the
light theme is a preference there) are written to a temporary folder, so nothing outside this
folder changes.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
AS_OF = dt.date(2026, 11, 24)
SCREENS = [("1", "dashboard"), ("2", "clients"), ("S", "scorecards"), ("3", "contracts"),
           ("4", "milestones"), ("5", "aging"), ("6", "forecast"),
           ("7", "chase"), ("8", "expenses"), ("9", "settings")]  # fmt: skip


async def _settle(pilot) -> None:
    app = pilot.app
    for _ in range(50):
        await pilot.pause()
        busy = [w for w in app.workers if not w.is_finished and w.group != "poll"]
        if not busy:
            await pilot.pause()
            return
        await app.workers.wait_for_complete(busy)


async def render(size: tuple[int, int], light: bool) -> list[Path]:
    """Write one SVG per main screen; return their paths."""
    from tui.app import make_app
    from tui.store import Book
    from tui.store.demo import write_demo

    written = []
    with tempfile.TemporaryDirectory() as folder:
        from tui.config import save_preference

        book = Book.open(Path(folder) / "demo.duckdb")
        write_demo(book, AS_OF)
        # a home of its own: the user's config file never leaks into the screenshots, and the
        # settings screen shows the usual ~/.config/milepay/config.toml
        os.environ["HOME"] = folder
        for name in ("MILEPAY_CONFIG", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
            os.environ.pop(name, None)
        if light:
            save_preference("theme", "textual-light")
        app = make_app(book)
        async with app.run_test(size=size) as pilot:
            await _settle(pilot)
            for key, name in SCREENS:
                await pilot.press(key)
                await _settle(pilot)
                if name == "forecast":  # its accuracy line comes once the user stays a moment
                    from tui.screens.forecast import ACCURACY_DELAY

                    await pilot.pause(ACCURACY_DELAY + 0.2)
                    await _settle(pilot)
                suffix = "-light" if light else ""
                filename = f"{name}{suffix}.svg"
                app.save_screenshot(filename, path=str(HERE))
                written.append(HERE / filename)
    return written


def main() -> None:
    """Parse the size and write the screenshots."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="120x40", help="terminal size, e.g. 80x24")
    parser.add_argument("--light", action="store_true", help="also render the light theme")
    args = parser.parse_args()
    width, height = (int(x) for x in args.size.split("x"))
    os.environ["MILEPAY_TODAY"] = AS_OF.isoformat()
    os.environ["MILEPAY_POLL_SECONDS"] = "0"
    paths = asyncio.run(render((width, height), light=False))
    if args.light:
        paths += asyncio.run(render((width, height), light=True))
    for p in paths:
        print(p.relative_to(HERE.parent))


if __name__ == "__main__":
    main()
