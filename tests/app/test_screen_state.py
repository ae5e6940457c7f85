"""Screen state is reactive: every key counts at once, the figures follow, the book is not read.

Keys here arrive in bursts: every key event is queued before the app handles the first, as
a slow SSH link or a paste delivers them. (``pilot.press`` waits after each key until the
process is idle, so the forecast's computation ends between two presses: it cannot show keys
being lost, and costs about 0.4 s a key.) The screen's state must move by every key, and the
table must end showing exactly what a fresh computation for the final state gives, without
one more read of the book (``app.session.reads``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tui.analytics.forecast import forecast
from tui.app import make_app
from tui.domain import Cadence, Client, Contact, Expense
from tui.modals.confirm import ConfirmModal
from tui.modals.pick import PickModal
from tui.screens.clients import ClientsScreen
from tui.screens.expenses import ExpensesScreen
from tui.screens.forecast import ForecastScreen
from tui.store import Book

from .helpers import key_event, plain
from .helpers import press as _press
from .helpers import settle as _settle
from .reports_helpers import cells, sample_book

AS_OF = dt.date(2026, 11, 24)


@pytest.fixture
def sample(book_path: Path) -> Book:
    """The sample book, imported (default horizons: 12 weeks, 6 months)."""
    return sample_book(book_path)


def _burst(pilot: Pilot, *keys: str) -> None:
    """Queue every key before the app handles the first (no waiting between keys)."""
    for key in keys:
        pilot.app.post_message(key_event(key))


def _amount(text: str) -> Decimal:
    """``-1,250.00`` as shown -> ``Decimal('-1250.00')``."""
    return Decimal(text.replace(",", "").strip())


def _shown(screen: ForecastScreen) -> list[tuple[Any, ...]]:
    """The forecast table as (start, end, inflow, outflow, net, balance), amounts as Decimal."""
    return [(row[0], row[1], *(_amount(v) for v in row[2:])) for row in cells(screen.table)]


def _fresh(book: Book, **kwargs: Any) -> list[tuple[Any, ...]]:
    """The same rows from ``tui.analytics.forecast.forecast`` called directly on the book."""
    report = forecast(book.frames(), AS_OF, **kwargs)
    return [
        (r["start"].isoformat(), r["end"].isoformat(), r["inflow"], r["outflow"], r["net"],
         r["balance"])
        for r in report.periods.to_dicts()
    ]  # fmt: skip


async def test_every_plus_and_minus_of_a_burst_counts(
    sample: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    """20 '+' then 15 '-' in bursts: 12 -> 32 -> 17 weeks, the table equals a fresh forecast."""
    import tui.screens.forecast as forecast_screen

    app = make_app(sample)
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        await _press(pilot, "6")
        screen = app.screen
        assert isinstance(screen, ForecastScreen)
        assert screen.table.row_count == 12  # the sample book's default: 12 weeks
        reads = app.session.reads
        computed: list[int | None] = []
        real = forecast_screen.forecast

        def counting(*args: Any, **kwargs: Any) -> Any:
            computed.append(kwargs.get("horizon"))
            return real(*args, **kwargs)

        monkeypatch.setattr(forecast_screen, "forecast", counting)

        _burst(pilot, *["plus"] * 20)
        await _settle(pilot)
        assert screen.view.horizon == 32  # 12 + 20
        assert screen.table.row_count == 32
        assert _shown(screen) == _fresh(sample, horizon=32)
        assert "32 weeks" in plain(screen.query_one("#title-note"))
        # one computation at a time, the newest state next: 20 keys cost at most two
        assert 1 <= len(computed) <= 2 and computed[-1] == 32

        _burst(pilot, *["minus"] * 15)
        await _settle(pilot)
        assert screen.view.horizon == 17  # 32 - 15
        assert screen.table.row_count == 17
        assert _shown(screen) == _fresh(sample, horizon=17)
        assert "17 weeks" in plain(screen.query_one("#title-note"))
        assert app.session.reads == reads


async def test_minus_stops_at_one_period_and_plus_counts_from_there(sample: Book) -> None:
    """Months (default 6): 15 '-' clamp at 1 month, then 4 '+' give exactly 5 months."""
    app = make_app(sample)
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        await _press(pilot, "6", "m")
        screen = app.screen
        assert isinstance(screen, ForecastScreen)
        assert screen.table.row_count == 6
        reads = app.session.reads
        _burst(pilot, *["minus"] * 15)
        await _settle(pilot)
        assert screen.view.horizon == 1  # 6 - 15 stops at the minimum, 1
        assert _shown(screen) == _fresh(sample, period="month", horizon=1)
        _burst(pilot, "plus", "plus", "plus", "plus")
        await _settle(pilot)
        assert screen.view.horizon == 5
        assert _shown(screen) == _fresh(sample, period="month", horizon=5)
        assert app.session.reads == reads


async def test_scenario_and_period_keys_of_a_burst_end_in_the_last_state(sample: Book) -> None:
    """p, m, +, +, c in one burst: contractual, months, 8; the table is that forecast."""
    app = make_app(sample)
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        await _press(pilot, "6")
        screen = app.screen
        assert isinstance(screen, ForecastScreen)
        reads = app.session.reads
        _burst(pilot, "p", "m", "plus", "plus", "c")
        await _settle(pilot)
        view = screen.view
        assert (view.scenario, view.period, view.horizon) == ("contractual", "month", 8)
        fresh = _fresh(sample, scenario="contractual", period="month", horizon=8)
        assert _shown(screen) == fresh
        assert fresh != _fresh(sample, scenario="pessimistic", period="month", horizon=8)
        assert app.session.reads == reads


async def test_minus_typed_before_the_book_is_read_still_counts(sample: Book) -> None:
    """6 - - - queued at start, before any screen has read the book: 12 - 3 = 9 weeks."""
    app = make_app(sample)
    async with app.run_test(size=(120, 40)) as pilot:
        _burst(pilot, "6", "minus", "minus", "minus")
        await _settle(pilot)
        screen = app.screen
        assert isinstance(screen, ForecastScreen)
        assert screen.view.horizon == 9
        assert _shown(screen) == _fresh(sample, horizon=9)
        assert app.session.reads == 1


def _expenses_book(book: Book) -> Book:
    for name, amount, cadence, next_date in (
        ("Rent", "900.00", Cadence.MONTHLY, dt.date(2026, 12, 1)),
        ("Accountant", "150.00", Cadence.QUARTERLY, dt.date(2027, 1, 15)),
        ("Software", "45.50", Cadence.MONTHLY, dt.date(2026, 12, 10)),
        ("Insurance", "1200.00", Cadence.YEARLY, dt.date(2027, 3, 1)),
    ):
        book.add_expense(Expense(name=name, amount=Decimal(amount), currency="EUR",
                                 cadence=cadence, next_date=next_date))  # fmt: skip
    return book


def _first_column(app: Any) -> list[str]:
    table = app.screen.query_one("#list")
    return [str(table.get_row_at(i)[0]).split(" (")[0] for i in range(table.row_count)]


async def test_a_burst_of_sort_keys_ends_in_the_right_order(book: Book) -> None:
    """Sort cycles next date, name, amount, cadence, category, end: 8 's' and an 'r' = amount,
    largest first."""
    app = make_app(_expenses_book(book))
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        await _press(pilot, "8")
        screen = app.screen
        assert isinstance(screen, ExpensesScreen)
        assert _first_column(app) == ["Rent", "Software", "Accountant", "Insurance"]  # by date
        reads = app.session.reads
        _burst(pilot, *["s"] * 8, "r")
        await _settle(pilot)
        assert (screen.sort_index, screen.descending) == (2, True)  # 8 % 6 = 2: the amount
        assert _first_column(app) == ["Insurance", "Rent", "Accountant", "Software"]
        assert "sorted by Amount ↓" in plain(screen.query_one("#title-note"))
        _burst(pilot, "s", "s", "s", "s", "s", "r")  # 2 + 5 = 7 % 6 = 1: the name, ascending
        await _settle(pilot)
        assert _first_column(app) == ["Accountant", "Insurance", "Rent", "Software"]
        assert app.session.reads == reads


async def test_archived_toggled_twice_quickly_shows_the_same_rows(book: Book) -> None:
    """A shows the archived client; A A in one burst ends where it began, without a read."""
    book.add_client(Client(name="Acme"))
    gone = book.add_client(Client(name="Bygone Ltd"))
    book.add_client(Client(name="Cobalt"))
    book.set_client_archived(gone, True)
    app = make_app(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        await _press(pilot, "2")
        screen = app.screen
        assert isinstance(screen, ClientsScreen)
        before = _first_column(app)
        assert before == ["Acme", "Cobalt"]
        reads = app.session.reads
        await _press(pilot, "A")
        assert _first_column(app) == ["Acme", "Bygone Ltd", "Cobalt"]
        await _press(pilot, "A")
        assert _first_column(app) == before
        _burst(pilot, "A", "A")
        await _settle(pilot)
        assert screen.show_archived is False
        assert _first_column(app) == before
        _burst(pilot, "A", "A", "A")
        await _settle(pilot)
        assert screen.show_archived is True
        assert _first_column(app) == ["Acme", "Bygone Ltd", "Cobalt"]
        assert app.session.reads == reads


async def test_remove_contact_awaits_the_pick_then_the_question(book: Book, reopen) -> None:
    """x: which contact (Pick), then are you sure (Confirm): n keeps it, y removes the one picked."""
    acme = book.add_client(
        Client(name="Acme"),
        [Contact(name="Ann Main", email="ann@acme.test"), Contact(name="Bob Payer")],
    )
    app = make_app(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        await _press(pilot, "2")
        await _press(pilot, "x")
        assert isinstance(app.screen, PickModal)
        await _press(pilot, "down", "enter")  # the second: Bob Payer
        assert isinstance(app.screen, ConfirmModal)
        question = plain(app.screen.query_one(".dialog-body"))
        assert "Remove the contact Bob Payer from Acme?" in question
        await _press(pilot, "n")
        assert isinstance(app.screen, ClientsScreen)
        await _press(pilot, "x", "escape")  # no contact picked: no question
        assert isinstance(app.screen, ClientsScreen)
        await _press(pilot, "x", "down", "enter", "y")
        await _settle(pilot)
        assert isinstance(app.screen, ClientsScreen)
    names = [c["name"] for c in reopen().rows("contacts") if c["client_id"] == acme]
    assert names == ["Ann Main"]
