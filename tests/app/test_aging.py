"""Aging screen by keys on the sample book: figures equal milepay report aging, drill-down,
and the as-of picker."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from textual.widgets import Input

from tui.app import make_app
from tui.modals.aging_detail import AgingDetailModal
from tui.reports import render
from tui.screens.aging import AgingScreen
from tui.store import Book

from .helpers import plain, press, settle, type_text
from .reports_helpers import cells, plain_amount, sample_book

AS_OF = dt.date(2026, 11, 24)


@pytest.fixture
def sample(book_path: Path) -> Book:
    """The sample book, imported."""
    return sample_book(book_path)


def _report(book: Book, as_of: dt.date) -> dict:
    return json.loads(render("aging", book.frames(), as_of, "json"))


def _check(screen: AgingScreen, report: dict) -> None:
    names = report["buckets"]
    totals = [
        {
            "currency": r[1],
            **{n: plain_amount(v) for n, v in zip([*names, "total"], r[2:], strict=True)},
        }
        for r in cells(screen.totals_table)
    ]
    assert totals == report["totals"]
    rows = [
        {"client": r[0], "currency": r[1],
         **{n: plain_amount(v) for n, v in zip([*names, "total"], r[2:], strict=True)}}
        for r in cells(screen.rows_table)
    ]  # fmt: skip
    assert rows == [{k: v for k, v in r.items() if k != "client_id"} for r in report["rows"]]
    assert f"as of {report['as_of']}" in plain(screen.query_one("#title-note"))


async def test_totals_equal_the_report(sample: Book) -> None:
    """5: every row and total equals milepay report aging --format json."""
    app = make_app(sample)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "5")
        assert isinstance(app.screen, AgingScreen)
        _check(app.screen, _report(sample, AS_OF))


async def test_as_of_picker(sample: Book) -> None:
    """a, -30d, Enter: the figures are the report's at that date; a bad date changes nothing."""
    app = make_app(sample)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "5", "a")
        assert app.screen.query_one(Input).value == "2026-11-24"  # proposed, and selected:
        await type_text(pilot, "-30d")  # typing replaces it
        await press(pilot, "enter")
        screen = app.screen
        assert isinstance(screen, AgingScreen)
        _check(screen, _report(sample, AS_OF - dt.timedelta(days=30)))
        assert "today is 2026-11-24" in plain(screen.query_one("#title-note"))
        before = cells(screen.rows_table)
        await press(pilot, "a")
        app.screen.query_one(Input).value = "2026-02-30"
        await press(pilot, "enter")
        assert "not a real date" in plain(app.screen.query_one("#prompt-message"))
        await press(pilot, "escape")
        assert app.screen is screen and cells(screen.rows_table) == before
        await press(pilot, "a")
        app.screen.query_one(Input).value = "2026-09-01"
        await press(pilot, "enter")
        _check(screen, _report(sample, dt.date(2026, 9, 1)))
        await press(pilot, "t")
        _check(screen, _report(sample, AS_OF))


async def test_drill_into_bucket_and_client(sample: Book) -> None:
    """Enter on a bucket cell lists that bucket's milestones; on the client cell all of them."""
    report = _report(sample, AS_OF)
    detail = report["detail"]
    app = make_app(sample)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "5")
        screen = app.screen
        first = report["rows"][0]
        bucket_index = next(i for i, n in enumerate(report["buckets"]) if first[n] != "0.00")
        await press(pilot, "enter")
        modal = app.screen
        assert isinstance(modal, AgingDetailModal)
        mine = [
            d
            for d in detail
            if d["client"] == first["client"] and d["currency"] == first["currency"]
        ]
        assert modal.detail.height == len(mine)
        await press(pilot, "escape")
        await press(pilot, *(["right"] * (2 + bucket_index)), "enter")
        modal = app.screen
        bucket = report["buckets"][bucket_index]
        in_bucket = [d for d in mine if d["bucket"] == bucket]
        assert sorted(modal.detail["open"].cast(str).to_list()) == sorted(
            d["open"] for d in in_bucket
        )
        assert bucket in plain(modal.query_one(".dialog-title"))
        await press(pilot, "escape")
        # the totals table: Tab, then Enter lists the currency's milestones
        await press(pilot, "tab")
        assert app.focused is screen.totals_table
        await press(pilot, "enter")
        currency = report["totals"][0]["currency"]
        assert app.screen.detail.height == len([d for d in detail if d["currency"] == currency])
