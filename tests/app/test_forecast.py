"""Forecast screen by keys on the sample book: the report's figures per scenario and period,
what-ifs that never touch the file, and the CSV export of the table shown."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from textual.widgets import Input, Select

from tui.app import make_app
from tui.reports import render
from tui.screens.forecast import ForecastScreen
from tui.store import Book

from .helpers import plain, press, settle, type_text
from .reports_helpers import cells, plain_amount, sample_book

AS_OF = dt.date(2026, 11, 24)


#: the columns the forecast screen's table shows (the report adds reserve and free)
SHOWN = ["start", "end", "inflow", "outflow", "net", "balance"]


@pytest.fixture
def sample(book_path: Path) -> Book:
    """The sample book, imported."""
    return sample_book(book_path)


def _report(book: Book, scenario: str, period: str = "week") -> dict:
    return json.loads(
        render("forecast", book.frames(), AS_OF, "json", scenario=scenario, period=period)
    )


def _shown(screen: ForecastScreen) -> list[dict[str, str]]:
    keys = ["start", "end", "inflow", "outflow", "net", "balance"]
    return [
        {
            k: (v if k in ("start", "end") else plain_amount(v))
            for k, v in zip(keys, row, strict=True)
        }
        for row in cells(screen.table)
    ]


@pytest.mark.parametrize("period", ["week", "month"])
async def test_scenarios_show_the_report(sample: Book, period: str) -> None:
    """6, then c / e / p (and m for months): every period equals milepay report forecast."""
    app = make_app(sample)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "6")
        screen = app.screen
        assert isinstance(screen, ForecastScreen)
        if period == "month":
            await press(pilot, "m")
        seen = []
        for key, scenario in (("c", "contractual"), ("p", "pessimistic"), ("e", "expected")):
            await press(pilot, key)
            report = _report(sample, scenario, period)
            assert _shown(screen) == [{k: p[k] for k in SHOWN} for p in report["periods"]]
            note = plain(screen.query_one("#fc-notes"))
            assert report["later"] in note.replace(",", "")
            assert report["at_risk"] in note.replace(",", "")
            assert f"{scenario}" in plain(screen.query_one("#title-note"))
            seen.append(_shown(screen))
        assert seen[0] != seen[1], "the scenarios should differ on the sample book"


async def test_horizon_keys(sample: Book) -> None:
    """+ and - lengthen and shorten the horizon by one period."""
    app = make_app(sample)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "6", "plus", "plus", "minus")
        assert app.screen.table.row_count == 13
        expected = json.loads(render("forecast", sample.frames(), AS_OF, "json", horizon=13))
        assert _shown(app.screen) == [{k: p[k] for k in SHOWN} for p in expected["periods"]]


async def test_whatif_changes_forecast_and_never_the_file(sample: Book, book_path: Path) -> None:
    """i, shift a client +30 days: the table changes, the what-if is listed, u removes it;
    the DuckDB file is byte-identical afterwards."""
    before = book_path.read_bytes()
    app = make_app(sample)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "6")
        screen = app.screen
        plain_rows = _shown(screen)
        await press(pilot, "i")
        modal = app.screen
        client = modal.query_one("#whatif-client", Select)
        name = dict(modal.clients)[client.value]
        days = modal.query_one("#whatif-days", Input)
        days.focus()
        days.value = ""
        await type_text(pilot, "45")
        await press(pilot, "enter")
        assert app.screen is screen
        assert screen.view.adjustments and screen.view.adjustments[0].days == 45
        assert _shown(screen) != plain_rows
        assert name in plain(screen.query_one("#fc-whatifs"))
        await press(pilot, "i")
        app.screen.query_one("#whatif-kind", Select).value = "drop_client"
        await settle(pilot)
        await press(pilot, "ctrl+s")
        assert len(screen.view.adjustments) == 2
        await press(pilot, "u")
        assert len(screen.view.adjustments) == 1
        await press(pilot, "U")
        assert screen.view.adjustments == ()
        assert _shown(screen) == plain_rows
        assert screen.query_one("#fc-whatifs").has_class("-hidden")
    assert book_path.read_bytes() == before


async def test_whatif_bad_days_keeps_the_form(sample: Book) -> None:
    """Days that are not a number are named; nothing is added."""
    app = make_app(sample)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "6", "i")
        days = app.screen.query_one("#whatif-days", Input)
        days.focus()
        days.value = ""
        await type_text(pilot, "soon")
        await press(pilot, "enter")
        assert "days" in plain(app.screen.query_one("#whatif-message"))
        await press(pilot, "escape")
        assert app.screen.view.adjustments == ()


async def test_export_writes_the_table_shown(sample: Book, tmp_path: Path) -> None:
    """x, a path, Enter: the CSV has the rows on screen with plain amounts."""
    target = tmp_path / "out.csv"
    app = make_app(sample)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "6", "p", "m", "x")
        field = app.screen.query_one(Input)
        assert field.value.endswith("milepay-forecast-2026-11-24.csv")
        field.value = str(target)
        await press(pilot, "enter")
        await settle(pilot)
        shown = _shown(app.screen)
        with target.open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        # the file has the table's columns and the reserve and free cash of each period
        assert [{k: r[k] for k in SHOWN} for r in rows] == shown
        assert rows[0]["inflow"] == _report(sample, "pessimistic", "month")["periods"][0]["inflow"]
        # byte for byte what `milepay report forecast --format csv` writes (one writer)
        cli = render("forecast", sample.frames(), dt.date(2026, 11, 24), "csv",
                     period="month", scenario="pessimistic")  # fmt: skip
        assert target.read_bytes() == cli.encode("utf-8")
        assert oct(target.stat().st_mode & 0o777) == "0o600"
        # an existing file needs a second Enter
        await press(pilot, "x")
        app.screen.query_one(Input).value = str(target)
        await press(pilot, "enter")
        assert "exists" in plain(app.screen.query_one("#prompt-message"))
        await press(pilot, "escape")


async def test_chart_toggle_at_80_columns(sample: Book) -> None:
    """g shows the chart instead of the table at 80 columns; side by side when wide."""
    app = make_app(sample)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "6")
        screen = app.screen
        chart = screen.query_one("#fc-chart")
        assert not chart.display or chart.size.width == 0
        await press(pilot, "g")
        assert chart.size.width > 60 and screen.table.size.width == 0
    app = make_app(sample)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "6")
        screen = app.screen
        assert screen.table.size.width > 0 and screen.query_one("#fc-chart").size.width > 40


async def test_the_chart_of_an_empty_book_draws(app) -> None:
    """A new book: nothing in, out or in the bank, every axis one tick (0): the chart draws its
    box and legend instead of failing (plotext divides by a zero span when told one)."""
    from textual.strip import Strip

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "6", "g")
        chart = app.screen.query_one("#fc-chart")
        lines: list[Strip] = chart.render_lines(chart.region.reset_offset)
        drawn = "".join(strip.text for strip in lines)
        assert "in," in drawn and "┌" in drawn
