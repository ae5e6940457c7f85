"""Client scorecards (SPEC 4.5): how each client pays, to decide whether to work with them again.

Reached with ``S`` from the clients screen (SPEC 7 has no free digit key); Esc goes back.
The rows are exactly :func:`tui.analytics.scorecard.client_scorecards` at today, amounts in
the home currency. ``w`` puts the worst first (the analytics' own order), ``s`` cycles the
sort column, ``r`` reverses; ``e`` rates the selected client (rating, work again, feedback).
The columns that decide come first, so they stay visible at 80 columns; the pane under the
table shows the whole scorecard of the selected client.
"""

from __future__ import annotations

from typing import Any, ClassVar

import polars as pl
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.analytics.scorecard import client_scorecards
from tui.domain.money import format_amount
from tui.present.text import grouped_amounts
from tui.screens.listing import LIST_KEYS, HomeExtras, ListScreen
from tui.session import Snapshot
from tui.widgets.table import BookTable, Column


def percent(rate: Any) -> str:
    """``0.7500`` as ``75.0%`` ('-' when there is no paid history)."""
    return "-" if rate is None else f"{rate * 100:.1f}%"


def days(value: Any) -> str:
    """A day count with its unit (a median may be a half: ``4.5 d``) or '-'."""
    if value is None:
        return "-"
    return (f"{value:g}" if isinstance(value, float) else str(value)) + " d"


def scorecard_text(card: dict[str, Any]) -> Text:
    """One client's scorecard as plain text (the scorecards pane and the client detail)."""
    cur = card["currency"]
    out = Text()
    out.append(f"Billed {format_amount(card['billed'])} · paid {format_amount(card['paid'])} · "
               f"open {format_amount(card['open'])} {cur}\n")  # fmt: skip
    out.append(f"Overdue {format_amount(card['overdue'])} {cur}",
               style="bold" if card["overdue"] else "")  # fmt: skip
    out.append(f" · written off {format_amount(card['written_off'])} {cur}\n")
    paid_n = card["fully_paid_count"]
    out.append(f"On time {percent(card['on_time_rate'])} ({card['on_time_count']} of {paid_n} paid)"
               f" · days late: median {_days_words(card['median_days_late'])} (paid), worst "
               f"{_days_words(card['worst_days_late'])} (paid or still open)"
               f" · chase events {card['chase_events']}\n")  # fmt: skip
    if card.get("oldest_overdue_days"):
        out.append(f"Oldest overdue: {card['oldest_overdue_days']} days past due\n")
    made = card.get("promises_made") or 0
    if made:
        out.append(f"Promises to pay: {made} made, {card['promises_kept']} kept, "
                   f"{card['promises_broken']} broken\n",
                   style="bold" if card["promises_broken"] else "")  # fmt: skip
    stars = "-" if card["rating"] is None else f"{card['rating']}/5"
    out.append(f"Rating {stars} · work again: {card['work_again']}\n", style="bold")
    if card["feedback"]:
        out.append(f"Feedback: {card['feedback']}\n")
    if card["red_flags"]:
        out.append("Red flags: ", style="bold")
        out.append(grouped_amounts(card["red_flags"]) + "\n")
    if card["unconverted"]:
        out.append(
            f"Not in the figures (no exchange rate): {grouped_amounts(card['unconverted'])}\n",
            style="italic",
        )
    return out


def _days_words(value: Any) -> str:
    if value is None:
        return "-"
    n = f"{value:g}" if isinstance(value, float) else str(value)
    return f"{n} day" if n == "1" else f"{n} days"


class ScorecardsScreen(ListScreen):
    """One row per client: overdue, on-time rate, days late, chases, flags, rating."""

    NAME = "clients"  # the nav bar lights Clients: this screen is opened from there
    ENTER_ACTION = "edit"
    TITLE_TEXT = "Client scorecards"
    COLUMNS: ClassVar[list[Column]] = [
        Column("Client", "client", grow=True, min_width=18),
        Column("Overdue", "overdue", right=True),
        Column("On time", "on_time_rate", right=True),
        Column("Worst late", "worst_days_late", right=True),
        Column("Chases", "chase_events", right=True),
        Column("Broken", "promises_broken", right=True),
        Column("Flags", "red_flag_count", right=True),
        # narrow terminals hide these (rightmost first) rather than cut them at the edge: the
        # detail under the list has every figure of the selected client
        Column("Rating", "rating", right=True, drop=7),
        Column("Again", "work_again", drop=6),
        Column("Open", "open", right=True, drop=5),
        Column("Billed", "billed", right=True, drop=4),
        Column("Paid", "paid", right=True, drop=3),
        Column("Median late", "median_days_late", right=True, drop=2),
        Column("Written off", "written_off", right=True, drop=1),
    ]
    SORTABLE: ClassVar[list[str] | None] = [
        "client_sort", "worst_rank", "overdue", "on_time_rate", "worst_days_late", "chase_events",
        "promises_broken", "red_flag_count", "rating", "work_again", "open", "billed", "paid", "median_days_late",
        "written_off",
    ]  # fmt: skip
    WORST = 1  # index of "worst_rank" in SORTABLE
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "edit", "Rate", id="scorecard-rate"),
        Binding("w", "worst_first", "Worst first", id="scorecard-worst"),
        Binding("escape", "back", "Back", id="scorecard-back"),
        *LIST_KEYS,
    ]

    def compose_main(self) -> ComposeResult:
        """The table and the selected client's whole scorecard under it."""
        yield BookTable(self.COLUMNS, id="list")
        with VerticalScroll(classes="scorecard-detail"):
            yield Static("", id="detail")

    def fetch(self, snapshot: Snapshot) -> tuple[pl.DataFrame, Any]:
        """The scorecards at today, worst first, with that order kept as ``worst_rank``."""
        frames = snapshot.frames
        today = frames.settings.today()
        cards = client_scorecards(frames, today, worst_first=True).with_row_index("worst_rank")
        frame = cards.with_columns(
            pl.col("client_id").cast(pl.String).alias("key"),
            pl.col("client").str.to_lowercase().alias("client_sort"),
            pl.concat_str(["client", "work_again", "red_flags", "feedback"], separator=" ")
            .str.to_lowercase()
            .alias("search"),
        )
        return frame, HomeExtras(today=today, home=frames.settings.home_currency)

    def show_extra(self) -> None:
        """Today, and the currency in the title."""
        self.today = self.extra.today
        title = f"Client scorecards (amounts in {self.extra.home}) · Esc back"
        self.query_one("#title", Static).update(Text(title))

    def cells(self, row: dict[str, Any]) -> list[Any]:
        """One client's cells; overdue money in bold."""
        money = lambda v: format_amount(v)  # noqa: E731 - a tiny local formatter
        return [Text(row["client"]), Text(money(row["overdue"]), style="bold" if row["overdue"] else "", justify="right"),
                percent(row["on_time_rate"]), days(row["worst_days_late"]), str(row["chase_events"]),
                str(row["promises_broken"] or ""),
                str(row["red_flag_count"] or ""), "-" if row["rating"] is None else str(row["rating"]),
                row["work_again"], money(row["open"]), money(row["billed"]), money(row["paid"]),
                days(row["median_days_late"]), money(row["written_off"])]  # fmt: skip

    def _fill(self, rows: list[tuple[str, list[Any]]], total: int, text: str) -> None:
        """As every list, with the two orders that have no column named plainly."""
        super()._fill(rows, total, text)
        key = self.sort_keys()[self.sort_index]
        names = {"worst_rank": "worst first", "client_sort": "client"}
        if key in names:
            note = self.query_one("#title-note", Static)
            label = "Client" if key == "client_sort" else "entry order"
            note.update(Text(str(note.render()).replace(label, names[key])))

    def row_changed(self, key: str | None) -> None:
        """The selected client's whole scorecard."""
        row = self.selected
        text = Text("No clients yet.", style="italic") if row is None else Text()
        if row is not None:
            text.append(row["client"] + "\n", style="bold")
            text.append_text(scorecard_text(row))
        self.query_one("#detail", Static).update(text)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Rating needs a selected client."""
        if action == "edit":
            return True if self.selected is not None else None
        return True

    def action_worst_first(self) -> None:
        """Sort worst first (the scorecard's own order: overdue, written off, on time, ...)."""
        self.sort_index, self.descending = self.WORST, False

    def action_edit(self) -> None:
        """Rate the selected client: rating 1-5, work again, feedback."""
        from tui.modals.review_form import ReviewForm

        row = self.selected
        if row is not None:
            cid = row["client_id"]
            self.app.push_screen(ReviewForm(client=row, today=self._today(),
                                            save=lambda r, w, f: self.book.set_client_review(cid, r, w, f)))  # fmt: skip

    def action_back(self) -> None:
        """Back to the clients screen."""
        self.dismiss()
