"""Late fees (SPEC 4.3): worked examples, the arithmetic written out beside each figure."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import ROUND_HALF_UP, Decimal

import polars as pl
import pytest
from builders import MemoryBook

from tui.analytics.fees import COLUMNS, last_reference_dates, late_fees
from tui.domain.model import Client, Contract, Milestone, Payment
from tui.domain.reference_rates import SHIPPED_REFERENCE_RATES

D = Decimal
DUE = dt.date(2026, 1, 1)
_names = itertools.count(1)


def r2(x: Decimal) -> Decimal:
    """Round once, half up, to the cent (the rule under test)."""
    return x.quantize(D("0.01"), rounding=ROUND_HALF_UP)


def add(
    book: MemoryBook,
    amount: str,
    due: dt.date = DUE,
    *,
    kind: str = "annual",
    value: str = "8",
    fixed: str = "0",
    preset: str | None = None,
    grace: int = 0,
    currency: str = "EUR",
    status: str = "invoiced",
    invoiced: dt.date | None = None,
) -> int:
    """A client with one contract holding one milestone; returns the milestone id.

    It is invoiced 30 days before its due date unless ``invoiced`` says otherwise (SPEC
    revision 2: only billed milestones accrue fees, and the tests look at days before the due
    date too, so the invoice must come before them; it used to be dated on the due date).
    """
    cid = book.add_client(Client(name=f"Client {next(_names)}"))
    contract = Contract(
        title="Work",
        currency=currency,
        total_fee=D(amount),
        late_fee_kind=kind,
        late_fee_value=D(value),
        late_fee_fixed=D(fixed),
        late_fee_preset=preset,
        grace_days=grace,
    )
    ms = Milestone(
        seq=1,
        title="M1",
        amount=D(amount),
        due_date=due,
        status=status,
        invoice_no="INV-1",
        invoiced_on=invoiced or due - dt.timedelta(days=30),
    )
    book.add_contract(cid, contract, [ms])
    return int(book.frames().milestones["id"].max())


def pay(book: MemoryBook, mid: int, amount: str, on: dt.date) -> None:
    book.record_payment(mid, Payment(amount=D(amount), received_on=on))


def fee(book: MemoryBook, mid: int, as_of: dt.date) -> dict:
    rows = late_fees(book.frames(), as_of).filter(pl.col("milestone_id") == mid)
    assert rows.height == 1
    return rows.row(0, named=True)


# ---- interest: day count and part payments -------------------------------------------------


def test_annual_with_a_part_payment_midway(book: MemoryBook) -> None:
    mid = add(book, "1000.00", kind="annual", value="8")
    pay(book, mid, "400.00", dt.date(2026, 3, 2))
    as_of = dt.date(2026, 11, 24)
    # 1000.00 open for 60 days (2026-01-01 -> 2026-03-02), then 600.00 for 267 days
    assert (dt.date(2026, 3, 2) - DUE).days == 60
    assert (as_of - dt.date(2026, 3, 2)).days == 267
    exact = D("1000") * D("0.08") * 60 / 365 + D("600") * D("0.08") * 267 / 365
    # = 13.150684... + 35.112328... = 48.263013...
    assert r2(exact) == D("48.26")
    row = fee(book, mid, as_of)
    assert row["late_fee"] == D("48.26")
    assert row["fee_interest"] == D("48.26")
    assert row["fee_fixed"] == D("0.00")
    assert row["fee_rate"] == D("8")
    assert row["fee_from"] == dt.date(2026, 1, 2)
    assert row["days_late"] == 327  # still unpaid: as_of - due


def test_annual_fixed_compensation_added_once(book: MemoryBook) -> None:
    mid = add(book, "1000.00", kind="annual", value="8", fixed="25.00")
    # 30 days: 1000 * 8% * 30 / 365 = 6.5753... -> 6.58, plus 25.00 once
    assert fee(book, mid, dt.date(2026, 1, 31))["late_fee"] == D("31.58")
    # 60 days: 13.1506... -> 13.15, plus 25.00 (still once)
    row = fee(book, mid, dt.date(2026, 3, 2))
    assert (row["fee_interest"], row["fee_fixed"], row["late_fee"]) == (
        D("13.15"),
        D("25.00"),
        D("38.15"),
    )


def test_day_count_is_as_of_minus_due_date(book: MemoryBook) -> None:
    mid = add(book, "3650.00", kind="annual", value="10")
    # 3650.00 at 10% a year is exactly 1.00 a day
    assert fee(book, mid, DUE)["late_fee"] == D("0.00")  # the due date itself: 0 days
    assert fee(book, mid, DUE + dt.timedelta(days=1))["late_fee"] == D(
        "1.00"
    )  # the day after: 1 day
    assert fee(book, mid, dt.date(2026, 1, 31))["late_fee"] == D("30.00")
    # a 365-day year even across a leap day: 2028-01-01 .. 2028-12-31 is 365 days, 2029-01-01 is 366
    leap = add(book, "3650.00", dt.date(2028, 1, 1), kind="annual", value="10")
    assert fee(book, leap, dt.date(2029, 1, 1))["late_fee"] == D("366.00")
    # before the due date (after the invoice of 2025-12-02: before it there is no row at all,
    # since SPEC revision 2 only billed milestones have fees; this used to look at 12-01)
    assert fee(book, mid, dt.date(2025, 12, 15))["late_fee"] == D("0.00")


def test_payment_day_still_bears_interest_on_the_amount_before_it(book: MemoryBook) -> None:
    mid = add(book, "3650.00", kind="annual", value="10")  # 1.00 a day on the whole amount
    pay(book, mid, "1825.00", dt.date(2026, 1, 11))  # half paid on day 10
    # days 1..10 on 3650.00 (10 x 1.00), days 11..20 on 1825.00 (10 x 0.50)
    assert fee(book, mid, dt.date(2026, 1, 21))["late_fee"] == D("15.00")


def test_payments_before_or_on_the_due_date_lower_the_base_from_the_start(book: MemoryBook) -> None:
    mid = add(book, "3650.00", kind="annual", value="10")
    pay(book, mid, "365.00", dt.date(2025, 12, 20))  # before due
    pay(book, mid, "365.00", DUE)  # on the due date
    # 2920.00 open from the first day: 0.80 a day for 10 days
    assert fee(book, mid, dt.date(2026, 1, 11))["late_fee"] == D("8.00")


def test_payment_after_as_of_does_not_count(book: MemoryBook) -> None:
    mid = add(book, "3650.00", kind="annual", value="10")
    pay(book, mid, "3650.00", dt.date(2026, 2, 1))
    # at 2026-01-21 the payment has not arrived: 20 days on 3650.00
    assert fee(book, mid, dt.date(2026, 1, 21))["late_fee"] == D("20.00")


def test_fully_paid_milestone_keeps_interest_accrued_until_payment(book: MemoryBook) -> None:
    mid = add(book, "3650.00", kind="annual", value="10")
    pay(book, mid, "3650.00", dt.date(2026, 1, 31))  # paid 30 days late
    for as_of in (dt.date(2026, 1, 31), dt.date(2026, 6, 1), dt.date(2027, 1, 1)):
        row = fee(book, mid, as_of)
        assert row["late_fee"] == D("30.00")
        assert row["days_late"] == 30


def test_monthly_is_percent_per_30_days_with_a_part_payment(book: MemoryBook) -> None:
    mid = add(book, "1000.00", kind="monthly", value="2")
    pay(book, mid, "500.00", dt.date(2026, 1, 31))
    as_of = dt.date(2026, 3, 2)
    # 1000.00 x 2% x 30/30 (2026-01-01 -> 01-31) + 500.00 x 2% x 30/30 (01-31 -> 03-02)
    assert (dt.date(2026, 1, 31) - DUE).days == 30 and (as_of - dt.date(2026, 1, 31)).days == 30
    assert fee(book, mid, as_of)["late_fee"] == D("20.00") + D("10.00")
    # 7 days on 1000.00: 1000 x 2% x 7/30 = 4.6666... -> 4.67
    assert fee(book, mid, dt.date(2026, 1, 8))["late_fee"] == D("4.67")


# ---- grace ---------------------------------------------------------------------------------


def test_no_fee_within_grace_then_interest_from_the_due_date(book: MemoryBook) -> None:
    mid = add(book, "3650.00", kind="annual", value="10", grace=5)
    for days in range(0, 6):
        row = fee(book, mid, DUE + dt.timedelta(days=days))
        assert row["late_fee"] == D("0.00") and not row["applies"]
    row = fee(book, mid, DUE + dt.timedelta(days=6))
    assert row["applies"] and row["applies_on"] == dt.date(2026, 1, 7)
    assert row["late_fee"] == D("6.00")  # all 6 days since the due date, 1.00 each


def test_paid_in_full_within_grace_owes_nothing_ever(book: MemoryBook) -> None:
    mid = add(book, "3650.00", kind="flat", value="50", grace=5)
    pay(book, mid, "3650.00", DUE + dt.timedelta(days=5))  # the last day of grace
    assert fee(book, mid, dt.date(2027, 1, 1))["late_fee"] == D("0.00")


def test_paid_the_day_after_grace_owes_the_interest(book: MemoryBook) -> None:
    mid = add(book, "3650.00", kind="annual", value="10", grace=5)
    pay(book, mid, "3650.00", DUE + dt.timedelta(days=6))
    assert fee(book, mid, dt.date(2027, 1, 1))["late_fee"] == D("6.00")


# ---- one-off fees ----------------------------------------------------------------------------


def test_flat_fee_once(book: MemoryBook) -> None:
    mid = add(book, "800.00", kind="flat", value="50.00", grace=3)
    assert fee(book, mid, DUE + dt.timedelta(days=3))["late_fee"] == D("0.00")
    for days in (4, 100, 1000):
        row = fee(book, mid, DUE + dt.timedelta(days=days))
        assert (row["late_fee"], row["fee_fixed"], row["fee_interest"]) == (
            D("50.00"),
            D("50.00"),
            D("0.00"),
        )
        assert row["fee_rate"] is None
        assert row["fee_from"] == dt.date(2026, 1, 5)


def test_percent_of_the_amount_open_when_the_fee_applies(book: MemoryBook) -> None:
    before = add(book, "1000.00", kind="percent", value="5", grace=2)
    pay(book, before, "300.00", DUE + dt.timedelta(days=2))  # within grace: lowers the base
    on_day = add(book, "1000.00", kind="percent", value="5", grace=2)
    pay(book, on_day, "300.00", DUE + dt.timedelta(days=3))  # the day the fee applies: too late
    as_of = dt.date(2026, 2, 1)
    assert fee(book, before, as_of)["late_fee"] == D("35.00")  # 5% of 700.00
    assert fee(book, on_day, as_of)["late_fee"] == D("50.00")  # 5% of 1000.00
    assert fee(book, on_day, dt.date(2027, 2, 1))["late_fee"] == D("50.00")  # once


def test_percent_rounds_half_up_once(book: MemoryBook) -> None:
    mid = add(book, "1.00", kind="percent", value="0.5")
    # 0.5% of 1.00 = 0.005 -> 0.01 (half up; half-even would give 0.00)
    assert fee(book, mid, dt.date(2026, 1, 2))["late_fee"] == D("0.01")
    odd = add(book, "333.33", kind="percent", value="2.5")
    # 2.5% of 333.33 = 8.33325 -> 8.33
    assert fee(book, odd, dt.date(2026, 1, 2))["late_fee"] == D("8.33")


def test_interest_is_rounded_once_not_per_day(book: MemoryBook) -> None:
    tiny = add(book, "80.00", kind="annual", value="1.825")
    # 80.00 x 1.825% / 365 = 0.004 a day; 3 days = 0.012 -> 0.01 (day by day rounding: 0.00)
    assert fee(book, tiny, dt.date(2026, 1, 4))["late_fee"] == D("0.01")
    # 2 days = 0.008 -> 0.01; 1 day = 0.004 -> 0.00
    assert fee(book, tiny, dt.date(2026, 1, 3))["late_fee"] == D("0.01")
    assert fee(book, tiny, dt.date(2026, 1, 2))["late_fee"] == D("0.00")


# ---- statutory ---------------------------------------------------------------------------------


def test_statutory_uk_rate_of_the_reference_day_plus_8(book: MemoryBook) -> None:
    # SPEC revision 2: the rate in force on the 30 June / 31 December before the first day
    # of lateness, not on the due date. Due 2025-09-01, late from 09-02: reference day
    # 2025-06-30, Bank rate then 4.25 (from 2025-05-08) -> 12.25% a year (it was 4.00 + 8 = 12%,
    # the rate in force on the due date, fee 808.08).
    due = dt.date(2025, 9, 1)
    mid = add(book, "5000.00", due, kind="statutory", value="8", preset="uk", currency="GBP")
    as_of = dt.date(2026, 11, 24)
    days = (as_of - due).days
    assert days == 449
    # 5000.00 x 12.25% x 449 / 365 = 753.4589... -> 753.46, plus 70.00 (a debt under 10,000)
    row = fee(book, mid, as_of)
    assert row["reference_rate"] == D("4.25") and row["fee_rate"] == D("12.25")
    assert row["reference_day"] == dt.date(2025, 6, 30)
    assert row["fee_interest"] == r2(D("5000") * D("0.1225") * days / 365) == D("753.46")
    assert row["fee_fixed"] == D("70.00")
    assert row["late_fee"] == D("823.46")
    # a rate change after the reference day changes nothing: fixed for the debt's life
    book.set_reference_rate("uk", dt.date(2025, 7, 1), D("9.00"))
    assert fee(book, mid, as_of)["late_fee"] == D("823.46")
    # an edit of the table that puts a new rate in force on the reference day is used
    book.set_reference_rate("uk", dt.date(2025, 6, 20), D("5.00"))
    row = fee(book, mid, as_of)
    assert row["fee_rate"] == D("13")
    # 5000.00 x 13% x 449 / 365 = 799.5890... -> 799.59
    assert row["fee_interest"] == D("799.59")


def test_statutory_with_a_part_payment(book: MemoryBook) -> None:
    # reference day 2025-06-30: 4.25 + 8 = 12.25% (SPEC revision 2; it was 12%, interest 74.63)
    due = dt.date(2025, 9, 1)
    mid = add(book, "2000.00", due, kind="statutory", value="8", preset="uk", currency="GBP")
    pay(book, mid, "1500.00", dt.date(2025, 12, 1))
    as_of = dt.date(2026, 3, 1)
    # 2000.00 for 91 days (09-01 -> 12-01), then 500.00 for 90 days (12-01 -> 03-01)
    exact = D("2000") * D("0.1225") * 91 / 365 + D("500") * D("0.1225") * 90 / 365
    assert r2(exact) == D("76.18")  # 61.0821... + 15.1027... = 76.1849...
    row = fee(book, mid, as_of)
    assert row["fee_interest"] == D("76.18") and row["fee_fixed"] == D("70.00")


@pytest.mark.parametrize(
    ("amount", "compensation"),
    [("999.99", "40.00"), ("1000.00", "70.00"), ("9999.99", "70.00"), ("10000.00", "100.00")],
)
def test_uk_compensation_bands(book: MemoryBook, amount: str, compensation: str) -> None:
    mid = add(book, amount, dt.date(2025, 9, 1), kind="statutory", preset="uk", currency="GBP")
    row = fee(book, mid, dt.date(2025, 9, 2))
    assert row["fee_fixed"] == D(compensation)
    # one day at 12.25% (4.25 on the reference day 2025-06-30, SPEC revision 2; was 12%):
    # amount x 12.25% / 365, rounded once
    assert row["fee_interest"] == r2(D(amount) * D("0.1225") / 365)


def test_each_milestone_is_its_own_debt(book: MemoryBook) -> None:
    cid = book.add_client(Client(name="Split Ltd"))
    contract = Contract(
        title="Big",
        currency="GBP",
        total_fee=D("12000"),
        late_fee_kind="statutory",
        late_fee_value=D("8"),
        late_fee_preset="uk",
    )
    due = dt.date(2025, 9, 1)
    book.add_contract(
        cid,
        contract,
        [Milestone(seq=i, title=f"M{i}", amount=D("4000.00"), due_date=due) for i in (1, 2, 3)],
    )
    # billed (SPEC revision 2: an uninvoiced milestone owes no fee), the due date kept
    for i, mid in enumerate(book.frames().milestones["id"], start=1):
        book.mark_invoiced(mid, f"INV-{i}", due - dt.timedelta(days=30), due)
    fees = late_fees(book.frames(), dt.date(2025, 10, 1))
    # three debts of 4,000 (70 each), not one of 12,000 (100)
    assert fees["fee_fixed"].to_list() == [D("70.00")] * 3


def test_statutory_eu_ecb_rate_plus_8_and_40_eur(book: MemoryBook) -> None:
    due = dt.date(2025, 7, 1)  # ECB rate in force: 2.15 (from 2025-06-11) -> 10.15%
    mid = add(book, "20000.00", due, kind="statutory", value="8", preset="eu", currency="EUR")
    as_of = dt.date(2025, 8, 1)  # 31 days
    # 20000.00 x 10.15% x 31 / 365 = 172.4109... -> 172.41, plus 40.00 whatever the size
    row = fee(book, mid, as_of)
    assert row["fee_rate"] == D("10.15")
    assert row["fee_interest"] == D("172.41") == r2(D("20000") * D("0.1015") * 31 / 365)
    assert row["fee_fixed"] == D("40.00")
    assert row["late_fee"] == D("212.41")


def test_statutory_preset_follows_currency_when_not_set(book: MemoryBook) -> None:
    gbp = add(book, "10000.00", dt.date(2025, 9, 1), kind="statutory", currency="GBP")
    eur = add(book, "10000.00", dt.date(2025, 9, 1), kind="statutory", currency="EUR")
    fees = late_fees(book.frames(), dt.date(2025, 9, 2))
    by_id = {r["milestone_id"]: r for r in fees.iter_rows(named=True)}
    assert by_id[gbp]["fee_fixed"] == D("100.00")  # uk band from 10,000
    assert by_id[eur]["fee_fixed"] == D("40.00")
    assert by_id[eur]["reference_rate"] == D("2.15")


def test_statutory_without_a_reference_rate_flags_it(book: MemoryBook) -> None:
    mid = add(
        book,
        "3650.00",
        dt.date(2019, 1, 1),
        kind="statutory",
        value="10",
        preset="uk",
        currency="GBP",
    )
    row = fee(book, mid, dt.date(2019, 1, 11))
    assert row["rate_missing"] and row["reference_rate"] is None
    assert row["fee_rate"] == D("10")  # the margin alone: 1.00 a day on 3650.00
    assert row["fee_interest"] == D("10.00")


# ---- status, claims, which rows ----------------------------------------------------------------


def test_cancelled_and_written_off_owe_no_fee(book: MemoryBook) -> None:
    cancelled = add(book, "1000.00", kind="flat", value="50", status="cancelled")
    written_off = add(book, "1000.00", kind="annual", value="8", status="written_off")
    disputed = add(book, "1000.00", kind="flat", value="50", status="disputed")
    fees = late_fees(book.frames(), dt.date(2026, 6, 1))
    by_id = {r["milestone_id"]: r["late_fee"] for r in fees.iter_rows(named=True)}
    assert by_id[cancelled] == D("0.00")
    assert by_id[written_off] == D("0.00")
    assert by_id[disputed] == D("50.00")  # a dispute does not stop the fee (it is only shown)


def test_only_milestones_with_a_rule_have_a_row(book: MemoryBook) -> None:
    none = add(book, "1000.00", kind="none", value="0")
    flat = add(book, "1000.00", kind="flat", value="10")
    ids = late_fees(book.frames(), dt.date(2026, 6, 1))["milestone_id"].to_list()
    assert ids == [flat] and none not in ids


def test_empty_book(book: MemoryBook) -> None:
    out = late_fees(book.frames(), dt.date(2026, 6, 1))
    assert out.height == 0 and "late_fee" in out.columns


def test_claimed_fee_is_flagged_and_never_changes_the_fee(book: MemoryBook) -> None:
    mid = add(book, "1000.00", kind="flat", value="50")
    book.claim_fee(mid, D("50.00"), dt.date(2026, 2, 1))
    before = fee(book, mid, dt.date(2026, 1, 15))
    assert not before["claimed"] and before["claimed_amount"] is None  # claimed later than as_of
    after = fee(book, mid, dt.date(2026, 3, 1))
    assert after["claimed"] and after["claimed_amount"] == D("50.00")
    assert after["claimed_on"] == dt.date(2026, 2, 1)
    assert after["late_fee"] == D("50.00")


def test_money_stays_decimal(book: MemoryBook) -> None:
    add(book, "1000.00", kind="annual", value="8")
    out = late_fees(book.frames(), dt.date(2026, 6, 1))
    for col in ("late_fee", "fee_interest", "fee_fixed"):
        assert out.schema[col] == pl.Decimal(18, 2)
    assert out.schema["fee_rate"] == pl.Decimal(18, 4)
    assert not any(dtype.is_float() for dtype in out.schema.values())


def test_empty_result_has_the_same_schema(book: MemoryBook) -> None:
    empty = late_fees(book.frames(), dt.date(2026, 6, 1))
    add(book, "1000.00", kind="statutory", preset="uk", currency="GBP")
    full = late_fees(book.frames(), dt.date(2026, 6, 1))
    assert empty.schema == full.schema
    assert full.columns == COLUMNS


# ---- SPEC revision 2: billed only, the UK reference day, the rate-table warning ------------------


def test_a_milestone_never_invoiced_accrues_no_fee(book: MemoryBook) -> None:
    cid = book.add_client(Client(name="Planned Ltd"))
    contract = Contract(
        title="Site", currency="EUR", total_fee=D("1000.00"), late_fee_kind="flat",
        late_fee_value=D("25"),
    )  # fmt: skip
    book.add_contract(cid, contract, [Milestone(seq=0, title="Deposit", amount=D("1000.00"),
                                                due_date=dt.date(2026, 10, 1))])  # fmt: skip
    mid = int(book.frames().milestones["id"][0])
    # 54 days past its date, never invoiced: work to invoice, no fee row at all
    assert late_fees(book.frames(), dt.date(2026, 11, 24)).is_empty()
    # invoiced on 11-24 under the default 30-day terms: due 12-24, the flat fee from 12-25
    assert book.mark_invoiced(mid, "INV-9", dt.date(2026, 11, 24)) == dt.date(2026, 12, 24)
    assert fee(book, mid, dt.date(2026, 12, 24))["late_fee"] == D("0.00")
    assert fee(book, mid, dt.date(2026, 12, 25))["late_fee"] == D("25.00")


def test_days_late_count_from_the_due_date_saved_by_invoicing(book: MemoryBook) -> None:
    # The user invoiced on 12-01 under 14-day terms and saw "9 days overdue" on 12-10:
    # the days were counted from the milestone's planned date. Invoicing now saves 12-15.
    cid = book.add_client(Client(name="Terms Ltd"))
    contract = Contract(
        title="Site", currency="EUR", total_fee=D("3650.00"), payment_terms_days=14,
        late_fee_kind="annual", late_fee_value=D("10"),
    )  # fmt: skip
    book.add_contract(cid, contract, [Milestone(seq=1, title="Build", amount=D("3650.00"),
                                                due_date=dt.date(2026, 12, 1))])  # fmt: skip
    mid = int(book.frames().milestones["id"][0])
    assert book.mark_invoiced(mid, "INV-1", dt.date(2026, 12, 1)) == dt.date(2026, 12, 15)
    # 3650.00 at 10% a year is 1.00 a day
    for day, late, amount in [(10, 0, "0.00"), (15, 0, "0.00"), (16, 1, "1.00")]:
        row = fee(book, mid, dt.date(2026, 12, day))
        assert (row["days_late"], row["late_fee"]) == (late, D(amount)), day


def _uk_table(book: MemoryBook) -> None:
    """Replace the shipped UK rates by a small table whose rate changes between the cases."""
    for preset, day, _ in SHIPPED_REFERENCE_RATES:
        if preset == "uk":
            book.set_reference_rate("uk", day, None)
    for day, rate in [
        (dt.date(2024, 6, 1), "0.50"),
        (dt.date(2024, 12, 1), "1.00"),
        (dt.date(2025, 6, 30), "2.00"),  # in force at the close of business on 06-30
        (dt.date(2025, 7, 15), "3.00"),
        (dt.date(2025, 12, 31), "4.00"),
        (dt.date(2026, 1, 1), "5.00"),
    ]:
        book.set_reference_rate("uk", day, D(rate))


@pytest.mark.parametrize(
    ("due", "reference_day", "rate", "interest"),
    [
        # late from 2025-06-30 (Jan-Jun): the 31 December before, 2024-12-31 -> 1.00
        # (not the 2.00 in force from 06-30 itself)
        (dt.date(2025, 6, 29), dt.date(2024, 12, 31), "1.00", "9.00"),
        # late from 2025-07-01 (Jul-Dec): 2025-06-30 -> 2.00 (its own row counts)
        (dt.date(2025, 6, 30), dt.date(2025, 6, 30), "2.00", "10.00"),
        # late from 2024-12-31 (Jul-Dec): 2024-06-30 -> 0.50 (not the 1.00 in force on the due date)
        (dt.date(2024, 12, 30), dt.date(2024, 6, 30), "0.50", "8.50"),
        # late from 2026-01-01 (Jan-Jun): 2025-12-31 -> 4.00 (not the 5.00 of 2026-01-01)
        (dt.date(2025, 12, 31), dt.date(2025, 12, 31), "4.00", "12.00"),
        # late from 2025-08-01: 2025-06-30 -> 2.00, not the 3.00 in force on the due date
        (dt.date(2025, 7, 31), dt.date(2025, 6, 30), "2.00", "10.00"),
    ],
)
def test_uk_rate_of_the_30_june_or_31_december_before_lateness(
    book: MemoryBook, due: dt.date, reference_day: dt.date, rate: str, interest: str
) -> None:
    _uk_table(book)
    mid = add(book, "3650.00", due, kind="statutory", value="8", preset="uk", currency="GBP")
    # 10 days late; 3650.00 at (rate + 8)% a year is (rate + 8) x 0.10 a day
    row = fee(book, mid, due + dt.timedelta(days=10))
    assert row["reference_day"] == reference_day
    assert row["reference_rate"] == D(rate) and row["fee_rate"] == D(rate) + 8
    assert row["fee_interest"] == D(interest) == r2(D("3650") * (D(rate) + 8) / 100 * 10 / 365)
    assert row["fee_fixed"] == D("70.00") and row["rate_warning"] == ""


def test_eu_rate_stays_the_one_in_force_on_the_due_date(book: MemoryBook) -> None:
    # ECB 2.40 from 2025-04-23, 2.15 from 2025-06-11: due 2025-06-11 takes 2.15
    mid = add(book, "3650.00", dt.date(2025, 6, 11), kind="statutory", preset="eu")
    row = fee(book, mid, dt.date(2025, 6, 21))
    assert row["reference_day"] == dt.date(2025, 6, 11) and row["reference_rate"] == D("2.15")
    assert row["fee_interest"] == D("10.15")  # 3650 x 10.15% x 10 / 365


def test_last_reference_dates_per_preset(book: MemoryBook) -> None:
    # the shipped tables end with UK 3.75 from 2025-12-18 and ECB 2.15 from 2025-06-11
    rates = book.frames().reference_rates
    assert last_reference_dates(rates) == {"eu": dt.date(2025, 6, 11), "uk": dt.date(2025, 12, 18)}
    book.set_reference_rate("uk", dt.date(2026, 2, 5), D("3.50"))
    assert last_reference_dates(book.frames().reference_rates)["uk"] == dt.date(2026, 2, 5)
    assert last_reference_dates(rates.clear()) == {}


def test_rate_warning_when_lateness_began_over_six_months_after_the_last_rate(
    book: MemoryBook,
) -> None:
    # UK rates end 2025-12-18; six months later is 2026-06-18
    uk = {"kind": "statutory", "preset": "uk", "currency": "GBP"}
    on_edge = add(book, "500.00", dt.date(2026, 6, 17), **uk)  # late from 06-18: no warning
    after = add(book, "500.00", dt.date(2026, 6, 18), **uk)  # late from 06-19: warning
    annual = add(book, "500.00", dt.date(2026, 6, 18))  # not statutory: never a warning
    eu = add(book, "500.00", dt.date(2025, 12, 11), kind="statutory", preset="eu")  # 06-11 + 6mo
    fees = late_fees(book.frames(), dt.date(2026, 7, 1))
    warning = dict(fees.select("milestone_id", "rate_warning").iter_rows())
    assert warning[on_edge] == "" and warning[annual] == ""
    assert warning[after] == (
        "the book's UK reference rates end 2025-12-18, more than 6 months before this debt was "
        "late (2026-06-19): the rate may have changed; add newer rates in settings"
    )
    assert warning[eu].startswith("the book's EU reference rates end 2025-06-11")
    # before its fee applies a debt has no warning yet
    assert fee(book, after, dt.date(2026, 6, 18))["rate_warning"] == ""
    # a newer UK rate in the book ends the warning (the fee itself is unchanged: 12-31 is the
    # reference day, 3.75 then)
    before = fee(book, after, dt.date(2026, 7, 1))["late_fee"]
    book.set_reference_rate("uk", dt.date(2026, 2, 5), D("3.50"))
    row = fee(book, after, dt.date(2026, 7, 1))
    assert row["rate_warning"] == "" and row["late_fee"] == before
    assert row["reference_day"] == dt.date(2025, 12, 31) and row["reference_rate"] == D("3.75")


def test_rate_warning_when_no_rate_is_in_force(book: MemoryBook) -> None:
    mid = add(book, "3650.00", dt.date(2019, 1, 1), kind="statutory", preset="uk", currency="GBP")
    row = fee(book, mid, dt.date(2019, 1, 11))
    assert row["rate_missing"] and row["reference_day"] == dt.date(2018, 12, 31)
    assert row["rate_warning"] == (
        "no UK reference rate in force on 2018-12-31: add it in settings (counted as 0)"
    )
