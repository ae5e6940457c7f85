"""The budget on the forecast screen and the dashboard (issue 11): safe to spend, the tax
reserve, the forecast's accuracy and one period's outflows by category, all equal to what
``forecast`` and ``forecast_accuracy`` return for the demo book."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

import polars as pl
import pytest
from textual.widgets import Label

from tui.analytics.accuracy import ScenarioAccuracy, forecast_accuracy
from tui.analytics.forecast import forecast
from tui.app import make_app
from tui.domain.money import format_amount
from tui.modals.period_outflows import PeriodOutflowsModal
from tui.present.budget import accuracy_line, outflow_rows, percent
from tui.screens.dashboard import DashboardScreen
from tui.screens.forecast import ForecastScreen
from tui.store import Book

from .conftest import DEMO_AS_OF
from .helpers import plain, press, settle


async def test_forecast_header_notes_and_accuracy(
    demo_book: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 80x24: safe to spend in the title note, the reserve and the low point in the notes,
    the accuracy line with forecast_accuracy's expected WAPE and bias; the table still fits."""
    frames = demo_book.frames()
    report = forecast(frames, DEMO_AS_OF)
    figures = forecast_accuracy(frames, DEMO_AS_OF, scenarios=("expected",)).scenario("expected")
    assert report.tax_reserve > 0 and report.safe_to_spend > 0 and figures.wape is not None
    assert report.safe_to_spend <= report.cash_at_as_of - report.tax_reserve
    monkeypatch.setattr("tui.screens.forecast.ACCURACY_DELAY", 0.2)  # conftest waits an hour
    app = make_app(demo_book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "6")
        screen = app.screen
        assert isinstance(screen, ForecastScreen)
        assert screen.accuracy_text.endswith("working it out…")  # only once the user stays
        await pilot.pause(0.3)
        await settle(pilot)
        title = plain(screen.query_one("#title-note", Label))
        assert f"safe to spend today {format_amount(report.safe_to_spend)}" in title
        notes = plain(screen.query_one("#fc-notes")).splitlines()
        assert any(
            f"Tax reserve {format_amount(report.tax_reserve)} EUR" in line
            and f"Safe to spend {format_amount(report.safe_to_spend)} EUR" in line
            and f"(low point {report.safe_to_spend_limit_date})" in line
            for line in notes
        )
        wape = (figures.wape * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        bias = (figures.bias * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        line = screen.accuracy_text
        assert line.startswith("Forecast accuracy (expected, last 26 weeks, 4-week windows): ")
        assert f"off by {wape} % of what came in, bias {'+' if bias >= 0 else ''}{bias} %" in line
        assert line in notes
        table = screen.table
        assert table.row_count == report.periods.height == 12
        assert table.size.height >= table.row_count + 1  # header and every week, no scrolling


async def test_enter_opens_the_period_outflows(demo_book: Book) -> None:
    """Enter on the week of 2026-12-07: tax 3,200.00 + equipment 2,449.00 + office 60.00 =
    5,709.00, the period's outflow; Esc goes back to the forecast."""
    report = forecast(demo_book.frames(), DEMO_AS_OF)
    week = report.periods.filter(pl.col("start") == dt.date(2026, 12, 7)).row(0, named=True)
    assert week["outflow"] == Decimal("5709.00")
    app = make_app(demo_book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "6", "down", "down", "enter")
        modal = app.screen
        assert isinstance(modal, PeriodOutflowsModal)
        assert modal.total == week["outflow"]
        assert [(r["category"], r["outflow"]) for r in modal.rows] == [
            ("tax", Decimal("3200.00")),
            ("equipment", Decimal("2449.00")),
            ("office", Decimal("60.00")),
        ]
        assert "total 5,709.00 EUR" in plain(modal.query_one("#fc-outflows-total"))
        await press(pilot, "escape")
        assert isinstance(app.screen, ForecastScreen)


async def test_dashboard_safe_to_spend_and_reserve(demo_book: Book) -> None:
    """The Cash ahead panel: safe to spend today and the tax reserve of the expected forecast."""
    report = forecast(demo_book.frames(), DEMO_AS_OF, scenario="expected", period="week")
    app = make_app(demo_book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DashboardScreen) and screen.data is not None
        assert screen.data.safe_to_spend == report.safe_to_spend
        assert screen.data.tax_reserve == report.tax_reserve
        assert screen.data.safe_to_spend_limit_date == report.safe_to_spend_limit_date
        cash = plain(screen.query_one("#dash-cash"))
        assert f"Safe to spend today {format_amount(report.safe_to_spend)} EUR" in cash
        assert f"Tax reserve {format_amount(report.tax_reserve)} EUR" in cash


def test_budget_words_by_hand(demo_book: Book) -> None:
    """Percentages half up to one place; no WAPE is "not enough history yet"; no category is
    "other" (merged with a category named so); a period's rows only, largest first."""
    assert percent(Decimal("0.2219")) == "22.2 %"
    assert percent(Decimal("0.0675"), signed=True) == "+6.8 %"  # 6.75 half up
    assert percent(Decimal("-0.0049"), signed=True) == "-0.5 %"
    assert percent(Decimal("0"), signed=True) == "+0.0 %"
    none = ScenarioAccuracy("expected", 0, Decimal(0), Decimal(0), Decimal(0), None, None)
    prefix = "Forecast accuracy (expected, last 26 weeks, 4-week windows): "
    assert accuracy_line(none) == prefix + "not enough history yet"
    some = replace(none, windows=2, wape=Decimal("0.1250"), bias=Decimal("-0.0625"))
    assert accuracy_line(some) == prefix + "off by 12.5 % of what came in, bias -6.3 %"
    report = forecast(demo_book.frames(), DEMO_AS_OF)
    a, b = dt.date(2026, 12, 7), dt.date(2026, 12, 14)
    by_category = pl.DataFrame(
        {"start": [a, a, a, a, b], "category": ["", "other", "rent", "tax", "rent"],
         "outflow": [Decimal("10.00"), Decimal("5.00"), Decimal("950.00"), Decimal("950.00"),
                     Decimal("1.00")]},
        schema={"start": pl.Date, "category": pl.String, "outflow": pl.Decimal(38, 2)},
    )  # fmt: skip
    rows = outflow_rows(replace(report, outflow_by_category=by_category), a)
    assert rows == [
        {"category": "rent", "outflow": Decimal("950.00")},
        {"category": "tax", "outflow": Decimal("950.00")},
        {"category": "other", "outflow": Decimal("15.00")},
    ]
