"""Issue 14 (columns): at 80x24 every amount and total shows whole, titles get the width first,
low-value columns give way; the contracts list is as tall as its rows; the dashboard fills a
large terminal. Widths worked out by hand in the unit tests of ``fit_widths``."""

from __future__ import annotations

from rich.cells import cell_len
from textual.widgets.data_table import ColumnKey

from tui.app import make_app
from tui.domain.model import Contract, Milestone
from tui.screens.aging import AgingScreen
from tui.screens.chase import ChaseScreen
from tui.screens.contracts import ContractsScreen
from tui.screens.dashboard import DashboardScreen
from tui.screens.milestones import MilestonesScreen
from tui.store import Book
from tui.widgets.table import BookTable, Column, fit_widths

from .helpers import press, settle

A = Column("Client", "a", grow=True, min_width=8)
T = Column("Title", "t", grow=True, min_width=10, priority=1)
M = Column("Open", "m", right=True)
D = Column("Invoiced", "d", drop=1)
CONTENT = {"a": 30, "t": 40, "m": 12, "d": 10}


def test_the_title_gets_the_room_first() -> None:
    """60 cells: 8+10+12+10 and 4 paddings of 2 = 48, and the title lacks 30 to be whole: the
    invoice date gives way (36 needed), the 24 cells left all go to the title: 10+24."""
    assert fit_widths([A, T, M, D], CONTENT, 60) == {"a": 8, "t": 34, "m": 12, "d": None}


def test_a_low_value_column_gives_way_before_anything_is_cut() -> None:
    """40 cells: the invoice date goes (36 needed, 4 left: the title 10+4)."""
    assert fit_widths([A, T, M, D], CONTENT, 40) == {"a": 8, "t": 14, "m": 12, "d": None}


def test_a_very_long_title_leaves_room_for_the_client() -> None:
    """A 60-cell title: 80 cells, 36 needed, 44 left; the title first up to WANT_CAP (40:
    +30), the client the other 14 (8+14 = 22), only then would the title get more."""
    widths = fit_widths([A, T, M], {"a": 30, "t": 60, "m": 12}, 80)
    assert widths == {"a": 22, "t": 40, "m": 12}


def test_wide_everything_whole() -> None:
    """100 cells: the title gets its 40 (30 more), the client its 30 (22 of the 22 left)."""
    assert fit_widths([A, T, M, D], CONTENT, 100) == {"a": 30, "t": 40, "m": 12, "d": 10}


def test_an_amount_never_shrinks() -> None:
    """Far too narrow: the amount keeps its 12 cells (the table scrolls), nothing is shared."""
    widths = fit_widths([A, T, M, D], CONTENT, 10)
    assert widths["m"] == 12 and widths["d"] is None and (widths["a"], widths["t"]) == (8, 10)


def test_one_priority_shares_by_what_each_lacks() -> None:
    """Two titles lacking 10 and 5, 7 cells left: 7*10//15 = 4 and 7*5//15 = 2, the cell the
    rounding left goes to the first: 5 and 2."""
    t1 = Column("Name", "t1", grow=True, min_width=4, priority=1)
    t2 = Column("To", "t2", grow=True, min_width=4, priority=1)
    widths = fit_widths([t1, t2], {"t1": 14, "t2": 9}, 4 + 4 + 7 + 4)
    assert widths == {"t1": 9, "t2": 6}


def test_a_shrinking_column_keeps_its_whole_header() -> None:
    """min_width 4 under the header 'Contact' (7): the column shrinks to 7, not 4, and the
    other title gets what is left (20 - 7 - 2 * 2 pad = 9)."""
    t1 = Column("Title", "t1", grow=True, min_width=4, priority=1)
    t2 = Column("Contact", "t2", grow=True, min_width=4)
    assert fit_widths([t1, t2], {"t1": 30, "t2": 30}, 20, 2) == {"t1": 9, "t2": 7}


def test_equal_ranks_drop_the_rightmost_first() -> None:
    """Two rank-1 columns of 10, one must go: the right one."""
    x = Column("X", "x", drop=1)
    y = Column("Y", "y", drop=1)
    assert fit_widths([x, y], {"x": 10, "y": 10}, 15) == {"x": 10, "y": None}


def _whole(table: BookTable, keys: list[str]) -> None:
    """Every cell of these columns fits its column, and the column is shown."""
    for key in keys:
        column = table.columns[ColumnKey(key)]
        assert key not in table.hidden, key
        index = list(table.columns).index(ColumnKey(key))
        for row in range(table.row_count):
            text = table.get_row_at(row)[index]
            assert cell_len(str(text)) <= column.width, (
                key,
                str(text),
                column.width,
                table.id,
                table.scrollable_content_region,
            )
        label = str(column.label)
        assert cell_len(label) <= column.width, (key, label, column.width)


def _add_big_contract(book: Book) -> None:
    """Nine-digit amounts 1-30 and 90+ days late for Fjord Media."""
    client = next(c for c in book.rows("clients") if c["name"].startswith("Fjord"))
    contract = Contract.parse({"title": "Oil platform", "currency": "EUR",
                               "total_fee": "250000000.00", "payment_terms_days": "30"})  # fmt: skip
    milestones = [
        Milestone.parse({"seq": "1", "title": "Rig", "amount": "123456789.00",
                         "due_date": "2026-08-01", "status": "invoiced", "invoice_no": "BIG-1",
                         "invoiced_on": "2026-07-01"}),
        Milestone.parse({"seq": "2", "title": "Rig 2", "amount": "126543211.00",
                         "due_date": "2026-11-10", "status": "invoiced", "invoice_no": "BIG-2",
                         "invoiced_on": "2026-10-11"}),
    ]  # fmt: skip
    book.add_contract(client["id"], contract, milestones)


async def test_80x24_amounts_whole_titles_first(demo_book: Book) -> None:
    """Milestones, chase queue, aging (with nine-digit totals) and its detail at 80x24."""
    _add_big_contract(demo_book)
    app = make_app(demo_book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "4")
        screen = app.screen
        assert isinstance(screen, MilestonesScreen)
        table = screen.table
        _whole(table, ["open_text", "due_date", "state"])
        # the title had 8 cells before (as the client); now at least 24, the client 10
        assert table.columns[ColumnKey("label")].width >= 24
        assert table.columns[ColumnKey("client")].width >= 10
        assert "invoiced_on" in table.hidden  # the line under the list has it
        await press(pilot, "7")
        assert isinstance(app.screen, ChaseScreen)
        table = app.screen.table
        _whole(table, ["open_text", "days_past_due", "step"])
        assert table.columns[ColumnKey("label")].width >= 12
        assert table.columns[ColumnKey("contact")].width >= 12
        await press(pilot, "5")
        screen = app.screen
        assert isinstance(screen, AgingScreen)
        rows, totals = screen.rows_table, screen.totals_table
        shown = [k for k in ("b0", "b1", "b2", "b3", "b4", "total") if k not in rows.hidden]
        assert "total" in shown and "b4" in shown  # the total and the oldest bucket stay
        for table in (rows, totals):
            _whole(table, [*shown, "currency"])
        assert any("250,015,560.00" in str(c) for c in totals.get_row_at(0))
        for key in ("client", "currency", *shown):  # the two tables line up
            assert rows.columns[ColumnKey(key)].width == totals.columns[ColumnKey(key)].width
        await press(pilot, "enter")
        detail = app.screen.query_one("#aging-detail", BookTable)
        _whole(detail, ["open", "due_date", "days_past_due"])
        assert detail.columns[ColumnKey("milestone")].width >= 16


async def test_contracts_one_contract_detail_is_taller(demo_book: Book) -> None:
    """One contract listed: the list is two lines, the detail below takes the rest."""
    app = make_app(demo_book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "3")
        screen = app.screen
        assert isinstance(screen, ContractsScreen)
        screen.set_filter("kettle")
        await settle(pilot)
        await pilot.pause()
        assert screen.table.row_count == 1
        detail = screen.query_one("#detail-pane")
        assert screen.table.size.height <= 3
        assert detail.size.height > 2 * screen.table.size.height


async def test_dashboard_fills_a_large_terminal(demo_book: Book) -> None:
    """200x60: two columns across the width, the expected payments list grows to 18 rows
    ((60 - 24) // 2) instead of 8, so the right column reaches below two thirds of the height."""
    app = make_app(demo_book)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        assert screen.rows == 18
        right = screen.query_one("#dash-right").region
        left = screen.query_one("#dash-left").region
        assert right.right - left.x > 0.7 * 200
        expected = screen.query_one("#dash-expected").region
        assert expected.height >= 18 + 2
        assert screen.query_one("#dash-received").region.bottom > 0.6 * 60


async def test_aging_tables_line_up_and_the_cursor_leaves_a_hidden_bucket(demo_book: Book) -> None:
    """Nine-digit figures at 100x24: the cursor on 'current'; narrowed to 72 columns and 14
    rows (the client list now scrolls), 'current' is hidden: the cursor moves to a shown
    bucket, and the rows and the totals keep one column layout."""
    _add_big_contract(demo_book)
    app = make_app(demo_book)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "5", "right", "right")
        rows = app.screen.rows_table
        assert rows.coordinate_to_cell_key(rows.cursor_coordinate).column_key.value == "b0"
        await pilot.resize_terminal(72, 14)
        await settle(pilot)
        totals = app.screen.totals_table
        assert "b0" in rows.hidden
        assert rows.max_scroll_y > 0  # the list scrolls: its scrollbar takes room
        at = rows.coordinate_to_cell_key(rows.cursor_coordinate).column_key.value
        assert at not in rows.hidden
        assert rows.hidden == totals.hidden
        for key in ("client", "currency", "b1", "b2", "b3", "b4", "total"):
            assert rows.columns[ColumnKey(key)].width == totals.columns[ColumnKey(key)].width
