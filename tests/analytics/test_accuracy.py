"""Forecast accuracy (SPEC 4.6), worked out by hand on tiny books in memory.

as_of is Tue 2026-11-24 with lead = 1 week and weeks = 2 unless said: the latest Monday A with
A + 7 <= 11-24 is 11-16, so the windows are A1 = Mon 11-09 (forecast dates 11-09..11-16,
payments 11-10..11-16) and A2 = Mon 11-16 (11-16..11-23, payments 11-17..11-23).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import polars as pl
from builders import MemoryBook

from tui.analytics.accuracy import (
    CAVEAT,
    WINDOW_COLUMNS,
    accuracy_windows,
    book_as_known,
    forecast_accuracy,
)
from tui.analytics.forecast import forecast
from tui.domain.model import Client, Contract, Milestone, Payment
from tui.domain.values import MilestoneStatus

AS_OF = dt.date(2026, 11, 24)
A1, A2 = dt.date(2026, 11, 9), dt.date(2026, 11, 16)
D = Decimal
d = dt.date.fromisoformat


def ms(seq: int, title: str, amount: str, due: str, invoiced: str | None, **kw: Any) -> Milestone:
    status = MilestoneStatus.INVOICED if invoiced else MilestoneStatus.PLANNED
    kw.setdefault("status", status)
    return Milestone(
        seq=seq,
        title=title,
        amount=D(amount),
        due_date=d(due),
        invoiced_on=d(invoiced) if invoiced else None,
        **kw,
    )


def contract(title: str, currency: str = "EUR", **kw: Any) -> Contract:
    return Contract(title=title, currency=currency, total_fee=D("0.00"), **kw)


def pay(book: MemoryBook, title: str, amount: str, on: str) -> None:
    f = book.frames().milestones
    mid = f.filter(pl.col("title") == title)["id"][0]
    book.record_payment(mid, Payment(amount=D(amount), received_on=d(on)))


def two_windows_book(book: MemoryBook) -> None:
    """Acme pays 10 days late (history), Bell pays in USD (0.9), a contract signed after A2."""
    book.set_exchange_rate("USD", D("0.9"))
    acme = book.add_client(Client(name="Acme"))
    book.add_contract(acme, contract("Old", start_date=d("2026-01-01")), [
        ms(1, "h1", "100.00", "2026-06-01", "2026-05-18"),
        ms(2, "h2", "100.00", "2026-07-01", "2026-06-17"),
    ])  # fmt: skip
    pay(book, "h1", "100.00", "2026-06-11")  # 10 days late
    pay(book, "h2", "100.00", "2026-07-11")  # 10 days late
    book.add_contract(acme, contract("Job", start_date=d("2026-10-01")), [
        ms(1, "a1", "1000.00", "2026-11-10", "2026-10-27"),
        ms(2, "a2", "600.00", "2026-11-16", "2026-11-02"),
    ])  # fmt: skip
    pay(book, "a2", "600.00", "2026-11-12")  # 4 days early
    pay(book, "a1", "1000.00", "2026-11-20")
    bell = book.add_client(Client(name="Bell"))
    # no start or signed date: known from its first invoice (11-01)
    book.add_contract(bell, contract("Web", "USD"), [ms(1, "b1", "500.00", "2026-11-11",
                                                         "2026-11-01")])  # fmt: skip
    pay(book, "b1", "500.00", "2026-11-18")  # 450.00 EUR
    # no date, no invoice, no payment: never known (its 300.00 is in no window)
    book.add_contract(bell, contract("Draft"), [ms(1, "p1", "300.00", "2026-11-12", None)])
    # signed after A2: its payment is actual money the forecast could not see
    book.add_contract(bell, contract("New", signed_on=d("2026-11-18")), [
        ms(1, "n1", "200.00", "2026-11-18", "2026-11-18"),
    ])  # fmt: skip
    pay(book, "n1", "200.00", "2026-11-19")


def test_two_windows_by_hand(book: MemoryBook) -> None:
    two_windows_book(book)
    r = forecast_accuracy(book.frames(), AS_OF, weeks=2, lead=1)
    # A1 = 11-09: known Old, Job, Web; paid only h1, h2 (delays [10, 10]: median = p90 = 10).
    #   open a1 1000.00 due 11-10, a2 600.00 due 11-16, b1 USD 500.00 x 0.9 = 450.00 due 11-11
    #   contractual: 11-10, 11-16 (the window's last day counts), 11-11: 2050.00
    #   expected: none past due, Acme and Bell (portfolio) +10 days: 11-20, 11-26, 11-21: 0.00
    #   actual (11-09, 11-16]: a2 600.00 on 11-12
    # A2 = 11-16: a2 now paid (delay -4): samples [-4, 10, 10]
    #   open a1 (6 days past due), b1 (5 days past due)
    #   contractual: max(11-16, due) = 11-16 for both: 1450.00
    #   expected: delays above 6 (Acme) / above 5 (pooled): [10, 10], median 10: a1 11-20,
    #   b1 11-21, both by 11-23: 1450.00; pessimistic: p90 of [10, 10] is 10: the same
    #   actual (11-16, 11-23]: b1 450.00 (11-18) + n1 200.00 (11-19) + a1 1000.00 (11-20)
    w = r.windows
    assert w.columns == WINDOW_COLUMNS
    assert w.select("start", "end").unique(maintain_order=True).rows() == [
        (A1, d("2026-11-16")),
        (A2, d("2026-11-23")),
    ]
    got = {(row["start"], row["scenario"]): (row["predicted"], row["actual"]) for row in
           w.iter_rows(named=True)}  # fmt: skip
    assert got[(A1, "contractual")] == (D("2050.00"), D("600.00"))
    assert got[(A1, "expected")] == (D("0.00"), D("600.00"))
    assert got[(A1, "pessimistic")] == (D("0.00"), D("600.00"))
    assert got[(A2, "contractual")] == (D("1450.00"), D("1650.00"))
    assert got[(A2, "expected")] == (D("1450.00"), D("1650.00"))
    # contractual: errors +1450.00, -200.00; sum actual 2250.00
    #   WAPE = (1450 + 200) / 2250 = 0.73333 -> 0.7333; bias = 1250 / 2250 = 0.55555 -> 0.5556
    c = r.scenario("contractual")
    assert (c.windows, c.predicted, c.actual, c.abs_error) == (2, D("3500.00"), D("2250.00"),
                                                              D("1650.00"))  # fmt: skip
    assert (c.wape, c.bias) == (D("0.7333"), D("0.5556"))
    # expected: errors -600.00, -200.00: WAPE = 800 / 2250 = 0.35555 -> 0.3556, bias -0.3556
    e = r.scenario("expected")
    assert (e.windows, e.predicted, e.abs_error) == (2, D("1450.00"), D("800.00"))
    assert (e.wape, e.bias) == (D("0.3556"), D("-0.3556"))
    p = r.scenario("pessimistic")
    assert (p.wape, p.bias) == (D("0.3556"), D("-0.3556"))
    assert [s.scenario for s in r.scenarios] == ["contractual", "expected", "pessimistic"]
    assert r.window_count == 2 and r.currency == "EUR" and r.unrated == ()
    assert r.caveat == CAVEAT and r.closed_now == 0


def test_a_currency_without_a_rate_is_left_out_of_both_sides(book: MemoryBook) -> None:
    two_windows_book(book)
    book.set_exchange_rate("USD", None)
    r = forecast_accuracy(book.frames(), AS_OF, weeks=2, lead=1, scenarios=["contractual"])
    # b1 (USD) leaves both sides: A1 1000 + 600 vs 600, A2 1000 vs 1000 + 200
    assert r.windows.select("predicted", "actual").rows() == [
        (D("1600.00"), D("600.00")),
        (D("1000.00"), D("1200.00")),
    ]
    assert r.unrated == ("USD",)
    # WAPE (1000 + 200) / 1800 = 0.6667, bias 800 / 1800 = 0.4444
    assert (r.scenarios[0].wape, r.scenarios[0].bias) == (D("0.6667"), D("0.4444"))


def test_windows_end_by_as_of() -> None:
    # Monday as_of: the window ending that very day counts
    assert accuracy_windows(d("2026-11-23"), 2, 1) == [A1, A2]
    # Sunday 11-22: A2 would end on 11-23, after it
    assert accuracy_windows(d("2026-11-22"), 2, 1) == [d("2026-11-02"), A1]
    # lead 4 from Tue 11-24: A + 28 <= 11-24, so A <= 10-27: the Monday 10-26, weekly back
    mondays = accuracy_windows(AS_OF, 26, 4)
    assert len(mondays) == 26 and mondays[-1] == d("2026-10-26")
    assert mondays[0] == d("2026-10-26") - dt.timedelta(weeks=25)
    assert all(m.weekday() == 0 and m + dt.timedelta(days=28) <= AS_OF for m in mondays)


def test_report_windows_end_by_as_of(book: MemoryBook) -> None:
    two_windows_book(book)
    r = forecast_accuracy(book.frames(), d("2026-11-22"), weeks=3, lead=1,
                          scenarios=["expected"])  # fmt: skip
    # 10-26, 11-02, 11-09 (the contracts are known from 01-01)
    assert r.windows["start"].to_list() == [d("2026-10-26"), d("2026-11-02"), A1]
    assert r.windows["end"].max() <= d("2026-11-22")


def test_a_young_book_has_no_window(book: MemoryBook) -> None:
    c = book.add_client(Client(name="Fresh"))
    book.add_contract(c, contract("First", start_date=d("2026-11-02")), [
        ms(1, "f1", "900.00", "2026-11-10", "2026-11-03"),
    ])  # fmt: skip
    pay(book, "f1", "900.00", "2026-11-12")
    # lead 4: every Monday is 10-26 or before, before the book's first day (11-02)
    r = forecast_accuracy(book.frames(), AS_OF)
    assert r.windows.height == 0 and r.windows.columns == WINDOW_COLUMNS
    assert r.window_count == 0
    for s in r.scenarios:
        assert (s.windows, s.predicted, s.actual, s.wape, s.bias) == (
            0, D("0.00"), D("0.00"), None, None
        )  # fmt: skip
    # an empty book: no window either
    assert forecast_accuracy(MemoryBook().frames(), AS_OF).window_count == 0


def test_no_payment_in_the_windows_gives_no_ratio(book: MemoryBook) -> None:
    c = book.add_client(Client(name="Slow"))
    book.add_contract(c, contract("Job", start_date=d("2026-10-01")), [
        ms(1, "s1", "700.00", "2026-11-12", "2026-10-29"),
    ])  # fmt: skip
    r = forecast_accuracy(book.frames(), AS_OF, weeks=2, lead=1, scenarios=["contractual"])
    # A1: s1 due 11-12: 700.00; A2: 4 days past due, max(11-16, 11-12) = 11-16: 700.00
    assert r.windows["predicted"].to_list() == [D("700.00"), D("700.00")]
    assert r.scenarios[0].actual == D("0.00")
    assert (r.scenarios[0].wape, r.scenarios[0].bias) == (None, None)


def test_promises_are_ignored(book: MemoryBook) -> None:
    c = book.add_client(Client(name="Acme"))
    book.add_contract(c, contract("Old", start_date=d("2026-01-01")), [
        ms(1, "h1", "100.00", "2026-06-01", "2026-05-18"),
        ms(2, "h2", "100.00", "2026-07-01", "2026-06-17"),
        ms(3, "m", "800.00", "2026-11-16", "2026-11-02", promised_on=d("2026-11-12")),
    ])  # fmt: skip
    pay(book, "h1", "100.00", "2026-06-11")
    pay(book, "h2", "100.00", "2026-07-11")
    # the forecast as of A1 on today's book keeps the promise: 11-12, in the window
    now = forecast(book.frames(), A1, scenario="expected", horizon=2).placements
    assert now.filter(pl.col("milestone") == "m")["expected_date"].to_list() == [d("2026-11-12")]
    # the accuracy ignores it: due 11-16 + median 10 = 11-26, after the window's 11-16
    r = forecast_accuracy(book.frames(), AS_OF, weeks=2, lead=1, scenarios=["expected"])
    assert r.windows.filter(pl.col("start") == A1)["predicted"].to_list() == [D("0.00")]
    assert book_as_known(book.frames(), A1).milestones["promised_on"].null_count() == 3


def test_an_invoice_dated_after_a_is_not_billed_at_a(book: MemoryBook) -> None:
    c = book.add_client(Client(name="Late biller"))
    # the schedule said 11-05; the invoice went out on 11-11 (terms 14): not billed at A1
    book.add_contract(c, contract("Job", start_date=d("2026-10-01"), payment_terms_days=14), [
        ms(1, "u1", "800.00", "2026-11-05", "2026-11-11"),
    ])  # fmt: skip
    view = book_as_known(book.frames(), A1)
    assert view.milestones.select("status", "invoiced_on").rows() == [("delivered", None)]
    assert book_as_known(book.frames(), A2).milestones.select("status", "invoiced_on").rows() == [
        ("invoiced", d("2026-11-11"))
    ]
    r = forecast_accuracy(book.frames(), AS_OF, weeks=2, lead=1, scenarios=["contractual"])
    # A1: unbilled work past its date: placed as if invoiced on 11-09, due 11-09 + 14 = 11-23,
    #   outside 11-09..11-16: 0.00 (billed, it would be max(11-09, 11-05) = 11-09: 800.00)
    # A2: billed, 11 days past due: max(11-16, 11-05) = 11-16: 800.00
    assert r.windows["predicted"].to_list() == [D("0.00"), D("800.00")]


def test_a_milestone_cancelled_later_is_named_in_the_caveat(book: MemoryBook) -> None:
    c = book.add_client(Client(name="Gone"))
    book.add_contract(c, contract("Job", start_date=d("2026-10-01")), [
        ms(1, "k1", "500.00", "2026-11-12", "2026-10-29"),
        ms(2, "k2", "400.00", "2026-11-12", "2026-10-29", status=MilestoneStatus.CANCELLED),
        ms(3, "k3", "300.00", "2026-11-13", "2026-10-30", status=MilestoneStatus.WRITTEN_OFF),
    ])  # fmt: skip
    pay(book, "k1", "500.00", "2026-11-13")
    r = forecast_accuracy(book.frames(), AS_OF, weeks=2, lead=1, scenarios=["contractual"])
    # k2 and k3 are closed now, so closed in every window (nothing of theirs is predicted)
    assert r.windows["predicted"].to_list() == [D("500.00"), D("0.00")]
    assert r.windows["actual"].to_list() == [D("500.00"), D("0.00")]
    assert r.closed_now == 2
    assert "cannot be dated" in r.caveat and "cancelled or written off" in r.caveat


def test_bad_arguments_are_refused(book: MemoryBook) -> None:
    import pytest

    for kw in ({"weeks": 0}, {"lead": 0}, {"scenarios": ["hopeful"]}, {"scenarios": []}):
        with pytest.raises(ValueError):
            forecast_accuracy(book.frames(), AS_OF, **kw)  # type: ignore[arg-type]
    twice = forecast_accuracy(book.frames(), AS_OF, scenarios=["expected", "expected"])
    assert [s.scenario for s in twice.scenarios] == ["expected"]


def test_a_contract_is_known_from_its_first_invoice_or_payment(book: MemoryBook) -> None:
    c = book.add_client(Client(name="Early"))
    # starts 12-01, but the deposit was invoiced on 11-02 and paid on 11-05: known from 11-02
    book.add_contract(c, contract("Deposit first", start_date=d("2026-12-01")), [
        ms(0, "d0", "300.00", "2026-11-05", "2026-11-02"),
        ms(1, "d1", "400.00", "2026-11-12", "2026-11-02"),
    ])  # fmt: skip
    pay(book, "d0", "300.00", "2026-11-05")
    # signed on 11-10, nothing invoiced or paid before: known from 11-10 (after A1)
    book.add_contract(c, contract("Signed", signed_on=d("2026-11-10")), [
        ms(1, "s1", "250.00", "2026-11-13", None),
    ])  # fmt: skip
    r = forecast_accuracy(book.frames(), AS_OF, weeks=2, lead=1, scenarios=["contractual"])
    # A1: d1 (11-12): 400.00; A2: d1 4 days past due, 11-16, and s1 (unbilled, due 11-13, before
    # A2: placed at 11-16 + 30 days' terms = 12-16, outside): 400.00
    assert r.windows["predicted"].to_list() == [D("400.00"), D("400.00")]
    assert book_as_known(book.frames(), A1).contracts["title"].to_list() == ["Deposit first"]
    assert sorted(book_as_known(book.frames(), A2).contracts["title"].to_list()) == [
        "Deposit first",
        "Signed",
    ]
