"""Dashboard on the demo book: what needs action, totals and cash figures equal the reports."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from tui.analytics.chase import chase_queue
from tui.app import make_app
from tui.domain.money import format_amount
from tui.reports import render
from tui.screens.dashboard import DashboardScreen
from tui.store import Book

from .helpers import plain, press, settle

AS_OF = dt.date(2026, 11, 24)


@pytest.fixture
def demo(book_path: Path, demo_at) -> Book:
    """The demo book at the fixed date."""
    return demo_at(book_path)


async def test_dashboard_figures_match_the_reports(demo: Book) -> None:
    """Chase steps due, overdue totals, lowest balance and gap are the reports' figures."""
    frames = demo.frames()
    aging = json.loads(render("aging", frames, AS_OF, "json"))
    fc = json.loads(render("forecast", frames, AS_OF, "json", scenario="expected"))
    queue = chase_queue(frames, AS_OF)
    due = queue.filter(pl.col("step_due") & ~pl.col("step").is_in(["grace", "done"]))
    app = make_app(demo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        data = screen.data
        assert data is not None
        assert data.counts["chase"] == due.height > 0
        assert data.counts["to_invoice"] >= 1 and data.counts["soon"] >= 1
        action = plain(screen.query_one("#dash-action"))
        assert f"Chase ({due.height})" in action
        for row in due.head(screen.rows).iter_rows(named=True):
            assert row["client"] in action
        overdue = {t["currency"]: t["overdue"] for t in data.totals}
        for t in aging["totals"]:
            past = sum(Decimal(t[b]) for b in aging["buckets"][1:])
            assert overdue[t["currency"]] == past
        assert str(data.lowest[0]) == fc["lowest"]["date"]  # the day, not its week
        assert f"{data.lowest[1]:.2f}" == fc["lowest"]["balance"]
        assert data.gap_days == fc["longest_gap_days"]
        assert [f"{v:.2f}" for v in data.weekly_inflow] == [p["inflow"] for p in fc["periods"]]
        cash = plain(screen.query_one("#dash-cash"))
        assert format_amount(data.lowest[1]) in cash and f"{fc['longest_gap_days']} days" in cash
        assert f"on {fc['lowest']['date']}" in cash
        expected = plain(screen.query_one("#dash-expected"))
        assert "Next expected payments" in expected
        received = plain(screen.query_one("#dash-received"))
        assert "Received in the last 30 days" in received


async def test_dashboard_keys_and_narrow_layout(demo: Book) -> None:
    """At 80x24 one column that scrolls; f and a open the forecast and aging."""
    app = make_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert not screen.has_class("-wide")
        scroll = screen.query_one("#dashboard")
        await press(pilot, "pagedown")
        assert scroll.scroll_y > 0
        await press(pilot, "f")
        assert app.screen.NAME == "forecast"
        await press(pilot, "1", "a")
        assert app.screen.NAME == "aging"


async def test_empty_book(book: Book) -> None:
    """A new book says how to start."""
    app = make_app(book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "The book is empty" in plain(app.screen.query_one("#dash-action"))
