"""Tax reserve, free cash and safe to spend in the forecast (SPEC 4.2), worked out by hand.

as_of is Tue 2026-11-24: W0 = Mon 11-23 .. Sun 11-29, W1 = 11-30 .. 12-06. Books are built in
memory (tests/builders.py); the contractual scenario places a milestone on max(as_of, due).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import polars as pl
from builders import MemoryBook

from tui.analytics.forecast import Adjustment, ForecastReport, forecast
from tui.domain.model import Client, Contract, Expense, Milestone, Payment
from tui.domain.values import Cadence, MilestoneStatus

AS_OF = dt.date(2026, 11, 24)
D = Decimal
d = dt.date.fromisoformat


def job(book: MemoryBook, *milestones: tuple[str, str, str], currency: str = "EUR") -> None:
    """One client with one contract holding (title, amount, due) invoiced milestones."""
    c = book.add_client(Client(name=f"Client {len(book.frames().clients) + 1}"))
    book.add_contract(
        c,
        Contract(title="Job", currency=currency, total_fee=D("0.00"), payment_terms_days=30),
        [
            # invoiced 30 days before the due date (the domain requires an invoice date)
            Milestone(
                seq=i,
                title=t,
                amount=D(a),
                due_date=d(due),
                status=MilestoneStatus.INVOICED,
                invoiced_on=d(due) - dt.timedelta(days=30),
            )
            for i, (t, a, due) in enumerate(milestones)
        ],
    )


def pay(book: MemoryBook, title: str, amount: str, on: str) -> None:
    f = book.frames()
    mid = f.milestones.filter(pl.col("title") == title)["id"][0]
    book.record_payment(mid, Payment(amount=D(amount), received_on=d(on)))


def once(book: MemoryBook, name: str, amount: str, on: str, category: str = "") -> None:
    book.add_expense(Expense(name=name, amount=D(amount), currency="EUR", cadence=Cadence.ONCE,
                             next_date=d(on), category=category))  # fmt: skip


def run(book: MemoryBook, **kw: Any) -> ForecastReport:
    kw.setdefault("scenario", "contractual")
    kw.setdefault("horizon", 2)
    return forecast(book.frames(), AS_OF, **kw)


def table(r: ForecastReport) -> list[tuple[str, str, str]]:
    """balance, reserve, free of each period, as text."""
    rows = r.periods.select("balance", "reserve", "free").iter_rows()
    return [(str(b), str(x), str(f)) for b, x, f in rows]


def test_reserve_with_a_payment_a_tax_outflow_and_a_forecast_inflow(book: MemoryBook) -> None:
    # the worked example of docs/rules.md "Tax reserve, free cash and safe to spend"
    job(book, ("m1", "1000.00", "2026-11-10"), ("m2", "500.00", "2026-11-24"),
        ("m3", "2000.00", "2026-12-02"))  # fmt: skip
    pay(book, "m1", "1000.00", "2026-11-20")
    pay(book, "m2", "200.00", "2026-11-24")  # received on as_of: in the cash at as_of
    once(book, "Rent", "400.00", "2026-11-30", "rent")
    once(book, "VAT", "150.00", "2026-12-02", "tax")
    book.save_settings({"opening_balance": "1000.00", "opening_balance_date": "2026-11-01",
                        "tax_reserve_percent": "30", "tax_reserve_since": "2026-11-01"})  # fmt: skip
    r = run(book)
    # cash at as_of = 1000.00 + 1000.00 (11-20) + 200.00 (11-24) = 2200.00
    # reserve at as_of = 30 % of the payments since 11-01 (1200.00) = 360.00
    assert (r.cash_at_as_of, r.tax_reserve) == (D("2200.00"), D("360.00"))
    # day ends: 11-24 m2's open 300.00 placed on as_of: balance 2500.00, reserve 30 % of
    # 1500.00 = 450.00, free 2050.00; 11-30 rent: 2100.00, 450.00, free 1650.00; 12-02 m3
    # 2000.00 in and VAT 150.00 out: balance 3950.00, reserve 30 % of 3500.00 - 150.00 =
    # 900.00, free 3050.00
    assert table(r) == [("2500.00", "450.00", "2050.00"), ("3950.00", "900.00", "3050.00")]
    # free cash: 1840.00 (at as_of: 2200.00 - 360.00), 2050.00, 1650.00, 3050.00
    assert (r.lowest_free, r.safe_to_spend_limit_date) == (D("1650.00"), d("2026-11-30"))
    assert r.safe_to_spend == D("1650.00")
    # the lowest balance is unchanged by the reserve: 2100.00 on 11-30
    assert (r.lowest, r.lowest_date) == ((d("2026-11-30"), D("2100.00")), d("2026-11-30"))
    assert r.outflow_by_category.rows() == [(d("2026-11-30"), "rent", D("400.00")),
                                            (d("2026-11-30"), "tax", D("150.00"))]  # fmt: skip
    # the inflows placed in the scenario: in expected, m1 was paid 10 days late (the only
    # delay, so the portfolio median): m2 on 11-24 + 10 = 12-04, m3 on 12-12 after the horizon;
    # W0 reserve 360.00 (as at as_of), W1 30 % of 1500.00 - 150.00 = 300.00
    expected = run(book, scenario="expected")
    assert expected.periods["reserve"].to_list() == [D("360.00"), D("300.00")]


def test_the_reserve_is_rounded_once_per_day_half_up(book: MemoryBook) -> None:
    job(book, ("a", "10.00", "2026-11-01"), ("b", "10.00", "2026-11-01"))
    pay(book, "a", "0.05", "2026-11-20")
    pay(book, "b", "0.05", "2026-11-21")
    book.save_settings({"tax_reserve_percent": "30"})
    # 30 % of 0.10 = 0.03 (rounding each 0.015 half up would give 0.04)
    assert run(book).tax_reserve == D("0.03")
    pay(book, "a", "0.05", "2026-11-22")
    # 30 % of 0.15 = 0.045 -> 0.05 (half up)
    assert run(book).tax_reserve == D("0.05")


def test_safe_to_spend_limited_by_the_last_day_of_the_horizon_and_the_floor(
    book: MemoryBook,
) -> None:
    job(book, ("m1", "800.00", "2026-11-20"))
    pay(book, "m1", "500.00", "2026-11-24")
    once(book, "Course", "100.00", "2026-11-25", "training")
    once(book, "Laptop", "100.00", "2026-12-06", "")  # Sunday 12-06: the horizon's last day
    book.save_settings({"opening_balance": "1000.00", "opening_balance_date": "2026-11-24",
                        "tax_reserve_percent": "20"})  # fmt: skip
    r = run(book)  # m1's 300.00 placed on max(as_of, 11-20) = 11-24
    # cash 1000.00 + 500.00 = 1500.00; reserve 20 % of 500.00 = 100.00; free 1400.00
    # 11-24 +300.00: 1800.00, reserve 20 % of 800.00 = 160.00, free 1640.00
    # 11-25 -100.00: free 1540.00; 12-06 -100.00: 1600.00 - 160.00 = 1440.00
    assert (r.cash_at_as_of, r.tax_reserve) == (D("1500.00"), D("100.00"))
    assert table(r) == [("1700.00", "160.00", "1540.00"), ("1600.00", "160.00", "1440.00")]
    assert (r.lowest_free, r.safe_to_spend_limit_date) == (D("1400.00"), AS_OF)
    # without m1's inflow (drop its client): 1400.00, 1300.00 (11-25), 1200.00 on 12-06
    dropped = forecast(book.frames(), AS_OF, scenario="contractual", horizon=2,
                       adjustments=[_drop(book)])  # fmt: skip
    assert dropped.lowest_free == D("1200.00")
    assert dropped.safe_to_spend_limit_date == d("2026-12-06")
    assert dropped.safe_to_spend == D("1200.00")
    book.save_settings({"cash_floor": "250.00"})
    floored = forecast(book.frames(), AS_OF, scenario="contractual", horizon=2,
                       adjustments=[_drop(book)])  # fmt: skip
    assert floored.safe_to_spend == D("950.00")  # 1200.00 - 250.00
    book.save_settings({"cash_floor": "1500.00"})
    assert run(book).safe_to_spend == D("0.00")  # 1400.00 - 1500.00 < 0: nothing is safe


def _drop(book: MemoryBook) -> Adjustment:
    return Adjustment("drop_client", int(book.frames().clients["id"][0]))


def test_safe_to_spend_limited_today_a_tax_payment_comes_out_of_the_reserve(
    book: MemoryBook,
) -> None:
    job(book, ("m1", "1000.00", "2026-11-10"), ("m2", "1000.00", "2026-12-01"))
    pay(book, "m1", "1000.00", "2026-11-20")
    once(book, "Income tax", "250.00", "2026-11-26", "tax")
    book.save_settings({"opening_balance": "0.00", "opening_balance_date": "2026-11-01",
                        "tax_reserve_percent": "25", "cash_floor": "100.00"})  # fmt: skip
    r = run(book)
    # cash 1000.00, reserve 25 % = 250.00, free 750.00 at as_of
    # 11-26 tax 250.00: balance 750.00, reserve 250.00 - 250.00 = 0.00, free 750.00 (a tie)
    # 12-01 m2 1000.00: balance 1750.00, reserve 25 % of 2000.00 - 250.00 = 250.00, free 1500.00
    assert table(r) == [("750.00", "0.00", "750.00"), ("1750.00", "250.00", "1500.00")]
    assert (r.lowest_free, r.safe_to_spend_limit_date) == (D("750.00"), AS_OF)
    assert r.safe_to_spend == D("650.00")  # 750.00 - the floor 100.00
    assert r.safe_to_spend == r.cash_at_as_of - r.tax_reserve - D("100.00")
    # a tax payment larger than the reserve: the reserve stops at 0 and free cash pays the rest
    once(book, "Back tax", "100.00", "2026-11-27", "tax")
    r = run(book)
    # 11-27: balance 650.00, reserve max(0, 250.00 - 350.00) = 0.00, free 650.00
    # 12-01: balance 1650.00, reserve 500.00 - 350.00 = 150.00, free 1500.00
    assert table(r) == [("650.00", "0.00", "650.00"), ("1650.00", "150.00", "1500.00")]
    assert (r.lowest_free, r.safe_to_spend_limit_date) == (D("650.00"), d("2026-11-27"))


def test_as_of_own_tax_expense_is_a_first_period_outflow(book: MemoryBook) -> None:
    job(book, ("m1", "1000.00", "2026-11-10"))
    pay(book, "m1", "1000.00", "2026-11-20")
    once(book, "Tax due today", "50.00", "2026-11-24", "tax")
    book.save_settings({"opening_balance": "0.00", "opening_balance_date": "2026-11-01",
                        "tax_reserve_percent": "10"})  # fmt: skip
    r = run(book, horizon=1)
    # cash at as_of 1000.00 (as_of's 50.00 not out yet) and reserve 10 % = 100.00 (not yet
    # paid out of it either): free 900.00; at the end of 11-24 balance 950.00, reserve 50.00,
    # free 900.00 again
    assert (r.cash_at_as_of, r.tax_reserve) == (D("1000.00"), D("100.00"))
    assert table(r) == [("950.00", "50.00", "900.00")]
    # a day later the tax is in the past: cash 950.00, reserve 50.00
    later = forecast(book.frames(), d("2026-11-25"), horizon=1)
    assert (later.cash_at_as_of, later.tax_reserve) == (D("950.00"), D("50.00"))


def test_since_leaves_out_earlier_payments_and_tax(book: MemoryBook) -> None:
    job(book, ("m1", "1000.00", "2026-10-01"), ("m2", "400.00", "2026-11-01"))
    job(book, ("u1", "100.00", "2026-11-01"), currency="USD")
    pay(book, "m1", "1000.00", "2026-10-15")  # before since
    pay(book, "m2", "400.00", "2026-11-10")
    pay(book, "u1", "100.00", "2026-11-12")  # USD, no rate yet: left out as the cash leaves it
    once(book, "Old tax", "80.00", "2026-10-20", "tax")  # before since
    once(book, "Tax", "30.00", "2026-11-15", "tax")
    book.save_settings({"tax_reserve_percent": "25", "tax_reserve_since": "2026-11-01"})
    # 25 % of 400.00 = 100.00, - 30.00 = 70.00
    assert run(book).tax_reserve == D("70.00")
    book.set_exchange_rate("USD", D("0.9"))
    # + 25 % of 90.00 (100.00 USD): 25 % of 490.00 = 122.50, - 30.00 = 92.50
    assert run(book).tax_reserve == D("92.50")
    book.save_settings({"tax_reserve_since": ""})
    # every payment and every tax expense: 25 % of 1490.00 = 372.50, - 110.00 = 262.50
    assert run(book).tax_reserve == D("262.50")


def test_since_after_as_of_reserves_only_the_inflows_from_it(book: MemoryBook) -> None:
    job(book, ("m1", "1000.00", "2026-11-10"), ("m2", "200.00", "2026-11-27"),
        ("m3", "400.00", "2026-12-03"))  # fmt: skip
    pay(book, "m1", "1000.00", "2026-11-20")
    book.save_settings({"opening_balance": "0.00", "opening_balance_date": "2026-11-01",
                        "tax_reserve_percent": "50", "tax_reserve_since": "2026-12-01"})  # fmt: skip
    r = run(book)
    # cash 1000.00; no payment on or after 12-01 yet: reserve 0.00; m2 on 11-27 is before since (not
    # reserved, as the payment it becomes would not be); m3 on 12-03: 50 % of 400.00 = 200.00
    assert r.tax_reserve == D("0.00")
    assert table(r) == [("1200.00", "0.00", "1200.00"), ("1600.00", "200.00", "1400.00")]
    assert (r.lowest_free, r.safe_to_spend_limit_date) == (D("1000.00"), AS_OF)


def test_no_percent_no_floor_is_the_forecast_as_before(book: MemoryBook) -> None:
    job(book, ("m1", "300.00", "2026-12-02"))
    once(book, "Tax", "200.00", "2026-11-26", "tax")
    once(book, "Rent", "900.00", "2026-11-30")
    book.save_settings({"opening_balance": "1000.00", "opening_balance_date": "2026-11-24"})
    r = run(book)
    # balances 1000.00, 800.00 (11-26), -100.00 (11-30), 200.00 (12-02)
    assert r.tax_reserve == D("0.00")
    assert table(r) == [("800.00", "0.00", "800.00"), ("200.00", "0.00", "200.00")]
    assert (r.lowest_free, r.safe_to_spend_limit_date) == (D("-100.00"), d("2026-11-30"))
    assert (r.lowest[1], r.lowest_date) == (D("-100.00"), d("2026-11-30"))
    assert r.safe_to_spend == D("0.00")  # max(0, -100.00)
    book.save_settings({"opening_balance": "1500.00"})
    assert run(book).safe_to_spend == D("400.00")  # the lowest balance, 1500.00 - 1100.00


def test_outflow_by_category_per_month(book: MemoryBook) -> None:
    book.add_expense(Expense(name="Software", amount=D("10.00"), currency="EUR",
                             cadence=Cadence.WEEKLY, next_date=d("2026-11-24"),
                             category="tools"))  # fmt: skip
    once(book, "VAT", "120.50", "2026-12-10", "tax")
    once(book, "Gift", "33.00", "2026-12-24")
    book.add_expense(Expense(name="Hosting", amount=D("5.00"), currency="CHF",
                             cadence=Cadence.ONCE, next_date=d("2026-12-01")))  # fmt: skip
    r = run(book, period="month")
    # November: software 11-24; December: software 12-01, 08, 15, 22, 29 (50.00), VAT,
    # the gift ('' kept as ''); hosting is CHF without a rate: not an outflow, not listed
    assert r.outflow_by_category.columns == ["start", "category", "outflow"]
    assert r.outflow_by_category.rows() == [
        (d("2026-11-01"), "tools", D("10.00")),
        (d("2026-12-01"), "", D("33.00")),
        (d("2026-12-01"), "tax", D("120.50")),
        (d("2026-12-01"), "tools", D("50.00")),
    ]
    assert r.periods["outflow"].to_list() == [D("10.00"), D("203.50")]
