"""Command palette (ctrl+p): go to a client or contract, record a payment for a milestone.

The index is built in a thread when the palette opens, from the app's book session: the
snapshot the screens already show (and its shared milestone facts), never a read of its own. Every name is shown as
plain text: Textual's ``Matcher.highlight`` parses its candidate as markup, so hits are
highlighted here with ``Content`` built from the plain string.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from functools import partial
from typing import TYPE_CHECKING, Any, cast

import polars as pl
from textual.command import Hit, Hits, Provider
from textual.content import Content
from textual.style import Style

from tui.navigation import Arrival, Navigate
from tui.present import money

if TYPE_CHECKING:
    from tui.app import MilepayApp
    from tui.session import Snapshot

Command = tuple[str, str, Callable[[], Awaitable[None]]]


def _index(snapshot: Snapshot) -> list[tuple[str, str, dict[str, Any]]]:
    """(kind, text, data) for every live client, contract and open milestone."""
    frames = snapshot.frames
    out: list[tuple[str, str, dict[str, Any]]] = []
    for c in frames.clients.filter(~pl.col("archived")).sort("name").iter_rows(named=True):
        out.append(("client", f"Go to client: {c['name']}", {"name": c["name"]}))
    names = dict(zip(frames.clients["id"].to_list(), frames.clients["name"].to_list(), strict=True))
    for k in frames.contracts.filter(~pl.col("archived")).sort("title").iter_rows(named=True):
        out.append(("contract", f"Go to contract: {names.get(k['client_id'], '')} / {k['title']}",
                    {"title": k["title"]}))  # fmt: skip
    facts = snapshot.facts
    open_ = facts.filter(
        (pl.col("open") > 0) & ~pl.col("client_archived") & ~pl.col("contract_archived")
    )
    for m in open_.sort("due_date").iter_rows(named=True):
        text = (f"Record payment for: {m['client']} / {m['contract']} #{m['seq']} {m['milestone']} "
                f"({money(m['open'], m['currency'])} open)")  # fmt: skip
        out.append(("payment", text, {"milestone_id": m["milestone_id"]}))
    return out


class BookCommands(Provider):
    """Commands built from the book's records."""

    async def startup(self) -> None:
        """Read the index in a thread (never on the UI thread)."""
        app = cast("MilepayApp", self.app)
        held = app.session.held()  # what the screens show; a read only if nothing is held yet
        self.items = await asyncio.to_thread(lambda: _index(held or app.session.snapshot()))

    def _run(self, kind: str, data: dict[str, Any]) -> Callable[[], Awaitable[None]]:
        return partial(self._go, kind, data)

    async def _go(self, kind: str, data: dict[str, Any]) -> None:
        app = cast("MilepayApp", self.app)
        if kind == "client":
            app.post_message(Navigate("clients", Arrival(filter=data["name"].lower())))
        elif kind == "contract":
            app.post_message(Navigate("contracts", Arrival(filter=data["title"].lower())))
        else:
            app.post_message(Navigate("milestones", Arrival(pay_milestone=data["milestone_id"])))

    async def discover(self) -> Hits:
        """Before typing: the first few of each kind."""
        for kind, text, data in self.items[:12]:
            yield Hit(1.0, Content(text), self._run(kind, data), text=text)

    async def search(self, query: str) -> Hits:
        """Fuzzy match; highlight on the plain text."""
        matcher = self.matcher(query)
        style = Style(reverse=True)
        for kind, text, data in self.items:
            score = matcher.match(text)
            if score > 0:
                display = Content(text)
                _score, offsets = matcher.fuzzy_search.match(query, text)
                for offset in offsets:
                    display = display.stylize(style, offset, offset + 1)
                yield Hit(score, display, self._run(kind, data), text=text)
