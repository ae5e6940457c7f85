"""The demo book: content, determinism, invariants, refusal and the ``milepay demo`` command."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from tui.cli import main
from tui.domain.errors import RefusedError
from tui.domain.model import Client
from tui.store import TABLES, Book, BookFrames
from tui.store.demo import next_day_of_month, write_demo

AS_OF = dt.date(2026, 11, 24)
LADDER = ["reminder", "firm", "escalate", "legal"]
THRESHOLDS = {"reminder": 3, "firm": 10, "escalate": 21, "legal": 45}


def _demo(path: Path, as_of: dt.date = AS_OF) -> Book:
    book = Book.open(path)
    write_demo(book, as_of)
    return book


@pytest.fixture(scope="module")
def frames(tmp_path_factory: pytest.TempPathFactory) -> BookFrames:
    """The demo book for 2026-11-24, read once for the content tests."""
    return _demo(tmp_path_factory.mktemp("demo") / "demo.duckdb").frames()


@pytest.fixture(scope="module")
def facts(frames: BookFrames) -> pl.DataFrame:
    """Milestones with their client, currency, paid, open, days past due and last payment."""
    paid = frames.payments.group_by("milestone_id").agg(
        pl.col("amount").sum().alias("paid"), pl.col("received_on").max().alias("last_paid")
    )
    contracts = frames.contracts.select(
        pl.col("id").alias("contract_id"), "client_id", "currency", "late_fee_kind"
    )
    closed = pl.col("status").is_in(["cancelled", "written_off"])
    return (
        frames.milestones.join(paid, left_on="id", right_on="milestone_id", how="left")
        .join(contracts, on="contract_id")
        .with_columns(pl.col("paid").fill_null(Decimal("0")))
        .with_columns(
            pl.when(closed)
            .then(Decimal("0"))
            .otherwise(pl.col("amount") - pl.col("paid"))
            .alias("open"),
            (pl.lit(AS_OF) - pl.col("due_date")).dt.total_days().alias("days_past_due"),
        )
    )


def test_sizes(frames: BookFrames) -> None:
    assert 6 <= frames.clients.height <= 10
    assert 12 <= frames.contracts.height <= 15
    assert 60 <= frames.milestones.height <= 100
    assert frames.payments.height > 20
    assert frames.expenses.height >= 5


def test_every_status_role_and_kind(frames: BookFrames) -> None:
    assert set(frames.milestones["status"]) == {
        "planned", "in_progress", "delivered", "invoiced", "disputed", "written_off", "cancelled",
    }  # fmt: skip
    assert set(frames.contracts["status"]) == {
        "draft",
        "active",
        "paused",
        "completed",
        "cancelled",
    }
    assert set(frames.contacts["role"]) == {"main", "payer", "owner"}
    kinds = set(frames.contracts["late_fee_kind"])
    assert kinds == {"none", "flat", "percent", "monthly", "annual", "statutory"}
    presets = set(
        frames.contracts.filter(pl.col("late_fee_kind") == "statutory")["late_fee_preset"]
    )
    assert presets == {"uk", "eu"}
    annual = frames.contracts.filter(pl.col("late_fee_kind") == "annual")
    assert (annual["late_fee_fixed"] > 0).all()
    assert {14, 30, 45} <= set(frames.contracts["payment_terms_days"])


def test_most_clients_have_all_three_roles(frames: BookFrames) -> None:
    roles = frames.contacts.group_by("client_id").agg(pl.col("role").n_unique().alias("n"))
    assert roles.filter(pl.col("n") == 3).height >= frames.clients.height // 2 + 1


def test_currencies_rates_and_settings(frames: BookFrames) -> None:
    settings = frames.settings
    assert settings.home_currency == "EUR"
    assert settings.fx == {"GBP": Decimal("1.17"), "USD": Decimal("0.92")}
    currencies = set(frames.contracts["currency"])
    assert {"EUR", "GBP", "USD"} <= currencies
    assert currencies - set(settings.fx) - {"EUR"} == {"CHF"}
    assert settings.opening_balance == Decimal("8500.00")
    assert settings.opening_balance_date is not None
    assert 20 <= (AS_OF - settings.opening_balance_date).days <= 40
    assert settings.business_name and settings.signature
    assert set(frames.expenses["currency"]) == {"EUR"}
    assert {"once", "weekly", "monthly", "yearly"} <= set(frames.expenses["cadence"])


def test_markup_in_a_client_name(frames: BookFrames) -> None:
    names = list(frames.clients["name"])
    assert any(n.startswith("Bright Ideas") and "[" in n and "&" in n for n in names)


def test_red_flag_contracts(frames: BookFrames, facts: pl.DataFrame) -> None:
    started = facts.filter(pl.col("status").is_in(["in_progress", "delivered"]))["contract_id"]
    unsigned = frames.contracts.filter(
        pl.col("signed_on").is_null()
        & pl.col("id").is_in(started.implode())
        & (pl.col("status") == "active")
    )
    assert unsigned.height >= 1
    scheduled = facts.group_by("contract_id").agg(pl.col("amount").sum().alias("scheduled"))
    mismatch = frames.contracts.join(scheduled, left_on="id", right_on="contract_id").filter(
        pl.col("scheduled") != pl.col("total_fee")
    )
    assert mismatch.height == 1


def test_due_dates_span_the_year(frames: BookFrames) -> None:
    due = frames.milestones["due_date"]
    assert 200 <= (AS_OF - due.min()).days <= 270
    assert 150 <= (due.max() - AS_OF).days <= 200


def test_invoices_and_deliveries(frames: BookFrames) -> None:
    invoiced = frames.milestones.filter(
        pl.col("status").is_in(["invoiced", "disputed", "written_off"])
    )
    assert invoiced["invoice_no"].str.len_chars().min() > 0
    assert invoiced["invoice_no"].n_unique() == invoiced.height
    assert (invoiced["invoiced_on"] <= AS_OF).all()
    not_invoiced = frames.milestones.filter(pl.col("invoiced_on").is_null())
    assert set(not_invoiced["invoice_no"]) == {""}
    delivered = frames.milestones.filter(pl.col("status") == "delivered").join(
        frames.contracts.select(pl.col("id").alias("contract_id"), "acceptance_days"),
        on="contract_id",
    )
    waited = (pl.lit(AS_OF) - pl.col("delivered_on")).dt.total_days()
    assert delivered.filter(waited > pl.col("acceptance_days")).height >= 1
    assert delivered.filter(waited <= pl.col("acceptance_days")).height >= 1
    assert (frames.milestones["delivered_on"].drop_nulls() <= AS_OF).all()


def test_payments_never_overpay_nor_come_after_as_of(
    frames: BookFrames, facts: pl.DataFrame
) -> None:
    assert (facts["paid"] <= facts["amount"]).all()
    assert frames.payments["received_on"].max() <= AS_OF
    with_invoice = frames.payments.join(
        frames.milestones.select(pl.col("id").alias("milestone_id"), "invoiced_on"),
        on="milestone_id",
    )
    assert (with_invoice["received_on"] >= with_invoice["invoiced_on"]).all()


def test_part_payments(facts: pl.DataFrame) -> None:
    part = facts.filter(
        (pl.col("paid") > 0) & (pl.col("paid") < pl.col("amount")) & (pl.col("open") > 0)
    )
    assert part.height >= 1


def test_an_open_amount_in_every_aging_bucket(facts: pl.DataFrame) -> None:
    overdue = facts.filter((pl.col("open") > 0) & (pl.col("days_past_due") > 0))
    d = overdue["days_past_due"]
    for lo, hi in [(1, 30), (31, 60), (61, 90), (91, 10_000)]:
        assert ((d >= lo) & (d <= hi)).any(), f"nothing open {lo}-{hi} days past due"
    assert facts.filter((pl.col("open") > 0) & (pl.col("days_past_due") <= 0)).height >= 5


def test_payment_histories_from_punctual_to_slow(frames: BookFrames, facts: pl.DataFrame) -> None:
    fully_paid = facts.filter(pl.col("paid") == pl.col("amount")).with_columns(
        (pl.col("last_paid") - pl.col("due_date")).dt.total_days().alias("late")
    )
    per_client = fully_paid.group_by("client_id").agg(
        pl.col("late").min().alias("best"), pl.col("late").max().alias("worst")
    )
    slow = per_client.filter(pl.col("best") >= 60)
    punctual = per_client.filter(pl.col("worst") <= 0)
    assert slow.height >= 1 and punctual.height >= 1
    slow_names = frames.clients.filter(pl.col("id").is_in(slow["client_id"].implode()))["name"]
    assert any(n.startswith("Bright Ideas") for n in slow_names)


def test_chase_events_follow_the_ladder(frames: BookFrames, facts: pl.DataFrame) -> None:
    events = frames.chase_events.sort("date", "id")
    assert events.height >= 10
    assert {"reminder", "firm", "escalate"} <= set(events["step"])
    assert events["message"].str.len_chars().min() > 50
    dues = dict(zip(facts["id"], facts["due_date"], strict=True))
    for (mid,), group in events.group_by("milestone_id"):
        steps = list(group["step"])
        assert steps == LADDER[: len(steps)], f"milestone {mid} skips a step: {steps}"
        for step, day in zip(steps, group["date"], strict=True):
            assert (day - dues[mid]).days >= THRESHOLDS[step]
            assert day <= AS_OF
    # the most overdue open milestone was escalated to its owner contact
    worst = (
        facts.filter(pl.col("open") > 0).sort("days_past_due", descending=True).row(0, named=True)
    )
    worst_steps = set(events.filter(pl.col("milestone_id") == worst["id"])["step"])
    assert worst_steps == {"reminder", "firm", "escalate"}


def test_holds_and_change_orders(frames: BookFrames) -> None:
    active = frames.holds.filter(pl.col("released_on").is_null() & (pl.col("until") > AS_OF))
    assert active.height == 1
    assert active["reason"][0].strip()
    assert {"accepted", "proposed"} <= set(frames.change_orders["status"])
    accepted = frames.change_orders.filter(pl.col("status") == "accepted").row(0, named=True)
    contract = frames.contracts.filter(pl.col("id") == accepted["contract_id"]).row(0, named=True)
    scheduled = frames.milestones.filter(pl.col("contract_id") == accepted["contract_id"])[
        "amount"
    ].sum()
    assert scheduled == contract["total_fee"]


def test_every_date_is_sane(frames: BookFrames) -> None:
    c = frames.contracts
    assert c.filter(pl.col("end_date") < pl.col("start_date")).height == 0
    assert (c["signed_on"].drop_nulls() <= AS_OF).all()
    e = frames.expenses
    assert e.filter(pl.col("end_date") < pl.col("next_date")).height == 0
    assert set(e.filter(pl.col("name") == "Studio rent")["next_date"].dt.day()) <= {1, 31}


def test_deterministic_for_a_date(tmp_path: Path, frames: BookFrames) -> None:
    again = _demo(tmp_path / "again.duckdb").frames()
    for table in TABLES:
        if table != "settings":
            assert getattr(again, table).equals(getattr(frames, table)), table
    assert again.settings == frames.settings


def test_a_later_date_shifts_every_event(tmp_path: Path, frames: BookFrames) -> None:
    later = _demo(tmp_path / "later.duckdb", AS_OF + dt.timedelta(days=45)).frames()
    shift = dt.timedelta(days=45)
    for table, column in [
        ("milestones", "due_date"), ("milestones", "invoiced_on"), ("milestones", "promised_on"),
        ("payments", "received_on"), ("chase_events", "date"), ("holds", "until"),
        ("change_orders", "date"),
    ]:  # fmt: skip
        before = getattr(frames, table)[column]
        after = getattr(later, table)[column]
        assert (after == before + shift).fill_null(True).all(), f"{table}.{column}"
    dates = ("due_date", "invoiced_on", "delivered_on", "promised_on")
    assert later.milestones.drop(*dates).equals(frames.milestones.drop(*dates))


def test_the_demo_shows_issue_10s_cases(frames: BookFrames) -> None:
    """Work past its date never invoiced, a pending and a broken promise, a hold."""
    ms = frames.milestones
    to_invoice = ms.filter(
        pl.col("invoiced_on").is_null() & (pl.col("due_date") <= AS_OF)
        & ~pl.col("status").is_in(["cancelled", "written_off"])
    )  # fmt: skip
    assert to_invoice["title"].to_list() == ["Flow design"]
    promised = ms.filter(pl.col("promised_on").is_not_null()).sort("promised_on")
    assert promised["title"].to_list() == ["Templates pack", "iOS beta"]
    assert promised["promised_on"].to_list() == [
        AS_OF - dt.timedelta(days=30),
        AS_OF + dt.timedelta(days=4),
    ]
    assert frames.holds.filter(pl.col("released_on").is_null()).height == 1


def test_refuses_a_book_with_data(book: Book) -> None:
    book.add_client(Client(name="Existing client"))
    before = book.frames()
    with pytest.raises(RefusedError, match="already has 1 clients"):
        write_demo(book, AS_OF)
    after = book.frames()
    assert after.change_counter == before.change_counter
    for table in TABLES:
        if table != "settings":
            assert getattr(after, table).equals(getattr(before, table)), table


def test_refuses_a_second_demo(tmp_path: Path) -> None:
    book = _demo(tmp_path / "twice.duckdb")
    counts = book.counts()
    with pytest.raises(RefusedError, match="empty book"):
        write_demo(book, AS_OF)
    assert book.counts() == counts


def test_next_day_of_month() -> None:
    assert next_day_of_month(dt.date(2026, 10, 25), 1) == dt.date(2026, 11, 1)
    assert next_day_of_month(dt.date(2026, 10, 31), 31) == dt.date(2026, 12, 31)
    assert next_day_of_month(dt.date(2027, 1, 31), 30) == dt.date(2027, 3, 30)
    assert next_day_of_month(dt.date(2026, 12, 15), 15) == dt.date(2027, 1, 15)


def test_cli_demo(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "demo.duckdb"
    runner = CliRunner()
    result = runner.invoke(main, ["demo", "--db", str(path), "--as-of", "2026-11-24"])
    assert result.exit_code == 0, result.output
    assert path.exists()
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert "8 clients" in result.stdout
    assert Book.open(path).counts()["milestones"] >= 60

    again = runner.invoke(main, ["demo", "--db", str(path), "--as-of", "2026-11-24"])
    assert again.exit_code == 1
    lines = again.stderr.strip().splitlines()
    assert len(lines) == 1 and "already exists" in lines[0]
    assert "Traceback" not in again.output


def test_cli_demo_bad_date(tmp_path: Path) -> None:
    path = tmp_path / "bad.duckdb"
    result = CliRunner().invoke(main, ["demo", "--db", str(path), "--as-of", "2026-02-30"])
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert not path.exists()


@pytest.mark.parametrize(
    "as_of", [dt.date(2028, 2, 29), dt.date(2027, 1, 1), dt.date(2030, 12, 31)]
)
def test_invariants_hold_for_other_dates(tmp_path: Path, as_of: dt.date) -> None:
    f = _demo(tmp_path / "other.duckdb", as_of).frames()
    paid = f.payments.group_by("milestone_id").agg(pl.col("amount").sum().alias("paid"))
    amounts = f.milestones.join(paid, left_on="id", right_on="milestone_id")
    assert (amounts["paid"] <= amounts["amount"]).all()
    assert f.payments["received_on"].max() <= as_of
    assert f.milestones["invoiced_on"].max() <= as_of
    assert f.chase_events["date"].max() <= as_of
    assert f.settings.opening_balance_date == as_of - dt.timedelta(days=30)
    assert (f.expenses["next_date"] > f.settings.opening_balance_date).all()
