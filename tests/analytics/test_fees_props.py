"""Late-fee properties on generated books (SPEC 4.3), checked against a day-by-day oracle.

The books are built straight as frames with the store's own schemas (from an empty book), so
thousands of them run in seconds; the worked examples in test_fees.py go through the Book API.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strength import examples

from tui.analytics.chase import chase_queue
from tui.analytics.fees import late_fees
from tui.domain.reference_rates import SHIPPED_REFERENCE_RATES
from tui.store import Book
from tui.store.store import BookFrames

D = Decimal
START = dt.date(2024, 1, 1)
KINDS = ["none", "flat", "percent", "monthly", "annual", "statutory"]
STATUSES = ["invoiced", "invoiced", "invoiced", "disputed", "cancelled", "written_off", "planned"]


@pytest.fixture(scope="module")
def empty(tmp_path_factory: pytest.TempPathFactory) -> BookFrames:
    """The frames of a new book: the schemas, the shipped reference rates, default settings."""
    return Book.open(Path(tmp_path_factory.mktemp("props")) / "empty.duckdb").frames()


@st.composite
def milestones(draw: st.DrawFn) -> dict[str, Any]:
    """One contract with one milestone and its payments (never more than the amount)."""
    amount_c = draw(st.one_of(st.integers(1, 200_000), st.integers(1, 2_000_000_000)))
    due = START + dt.timedelta(days=draw(st.integers(0, 900)))
    kind = draw(st.sampled_from(KINDS))
    value = D(draw(st.integers(0, 1_000_000))) / 10_000  # 0 .. 100 percent, 4 places
    if kind == "flat":
        value = D(draw(st.integers(1, 100_000))) / 100
    payments = []
    left = amount_c
    for _ in range(draw(st.integers(0, 3))):
        if left == 0:
            break
        p = draw(st.integers(1, left))
        left -= p
        payments.append((D(p) / 100, due + dt.timedelta(days=draw(st.integers(-30, 400)))))
    return {
        "amount": D(amount_c) / 100,
        "due": due,
        "kind": kind,
        "value": value,
        "fixed": D(draw(st.integers(0, 10_000))) / 100,
        "preset": draw(st.sampled_from([None, "uk", "eu"])),
        "currency": draw(st.sampled_from(["GBP", "EUR"])),
        "grace": draw(st.integers(0, 30)),
        "status": draw(st.sampled_from(STATUSES)),
        # SPEC revision 2: only billed milestones (invoice date <= as_of) accrue fees; the
        # invoice date is drawn around the due date, or missing (never invoiced)
        "invoiced": None
        if draw(st.integers(0, 3)) == 0
        else due + dt.timedelta(days=draw(st.integers(-60, 30))),
        "payments": payments,
    }


def build(empty: BookFrames, items: list[dict[str, Any]]) -> BookFrames:
    """A BookFrames holding the generated milestones (one client, one contract each)."""
    contracts, ms, pays = [], [], []
    for i, m in enumerate(items, start=1):
        contracts.append(
            {
                "id": i,
                "client_id": 1,
                "title": f"C{i}",
                "currency": m["currency"],
                "total_fee": m["amount"],
                "start_date": None,
                "end_date": None,
                "signed_on": None,
                "status": "active",
                "payment_terms_days": 30,
                "late_fee_kind": m["kind"],
                "late_fee_value": m["value"],
                "late_fee_fixed": m["fixed"],
                "late_fee_preset": m["preset"],
                "grace_days": m["grace"],
                "acceptance_days": 14,
                "red_flags": "",
                "notes": "",
                "archived": False,
            }
        )
        ms.append(
            {
                "id": i,
                "contract_id": i,
                "seq": 1,
                "title": "M",
                "amount": m["amount"],
                "due_date": m["due"],
                "status": m["status"],
                "progress": 0,
                "invoice_no": "",
                "invoiced_on": m["invoiced"],
                "delivered_on": None,
            }
        )
        for amount, on in m["payments"]:
            pays.append(
                {
                    "id": len(pays) + 1,
                    "milestone_id": i,
                    "amount": amount,
                    "received_on": on,
                    "method": "",
                    "reference": "",
                }
            )
    clients = pl.DataFrame(
        [
            {
                "id": 1,
                "name": "Gen",
                "email": "",
                "phone": "",
                "address": "",
                "notes": "",
                "work_again": "undecided",
                "rating": None,
                "feedback": "",
                "archived": False,
            }
        ],
        schema=empty.clients.schema,
    )
    return dataclasses.replace(
        empty,
        clients=clients,
        contracts=pl.DataFrame(contracts, schema=empty.contracts.schema),
        milestones=pl.DataFrame(ms, schema=empty.milestones.schema),
        payments=pl.DataFrame(pays, schema=empty.payments.schema),
    )


def billed(m: dict[str, Any], as_of: dt.date) -> bool:
    """SPEC 4 ``billed``: an invoice date on or before as_of."""
    return m["invoiced"] is not None and m["invoiced"] <= as_of


def uk_reference_day(due: dt.date) -> dt.date:
    """The 30 June / 31 December immediately before the first day late, walked back day by day."""
    day = due  # the day before the first day late (due + 1)
    while (day.month, day.day) not in ((6, 30), (12, 31)):
        day -= dt.timedelta(days=1)
    return day


def oracle(m: dict[str, Any], as_of: dt.date) -> Decimal:
    """The fee worked out day by day in Python Decimal, straight from the rules as written."""
    if m["kind"] == "none" or m["status"] in ("cancelled", "written_off"):
        return D("0.00")
    due, amount = m["due"], m["amount"]
    applies_on = due + dt.timedelta(days=m["grace"] + 1)

    def open_when_day_begins(d: dt.date) -> Decimal:
        return amount - sum((a for a, on in m["payments"] if on < d and on <= as_of), D(0))

    if as_of < applies_on or open_when_day_begins(applies_on) <= 0:
        return D("0.00")
    days = [due + dt.timedelta(days=n) for n in range(1, (as_of - due).days + 1)]
    money_days = sum((open_when_day_begins(d) for d in days), D(0))
    kind, value = m["kind"], m["value"]
    if kind == "flat":
        total = value
    elif kind == "percent":
        total = open_when_day_begins(applies_on) * value / 100
    elif kind == "monthly":
        total = money_days * value / 100 / 30
    elif kind == "annual":
        total = money_days * value / 100 / 365 + m["fixed"]
    else:
        preset = m["preset"] or ("uk" if m["currency"] == "GBP" else "eu")
        day = uk_reference_day(due) if preset == "uk" else due
        in_force = [r for p, since, r in SHIPPED_REFERENCE_RATES if p == preset and since <= day]
        rate = (in_force[-1] if in_force else D(0)) + value
        if preset == "uk":
            comp = D(40) if amount < 1000 else D(70) if amount < 10000 else D(100)
        else:
            comp = D(40)
        total = money_days * rate / 100 / 365 + comp
    return total.quantize(D("0.01"), rounding=ROUND_HALF_UP)


BOOKS = st.lists(milestones(), min_size=1, max_size=4)
AS_OF = st.integers(-10, 1400).map(lambda n: START + dt.timedelta(days=n))
SETTINGS = settings(
    max_examples=examples(150),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def _fees(frames: BookFrames, as_of: dt.date) -> dict[int, Decimal]:
    return dict(late_fees(frames, as_of).select("milestone_id", "late_fee").iter_rows())


@SETTINGS
@given(items=BOOKS, as_of=AS_OF)
def test_fee_matches_the_day_by_day_oracle(
    empty: BookFrames, items: list[dict[str, Any]], as_of: dt.date
) -> None:
    fees = _fees(build(empty, items), as_of)
    expected = {
        i: oracle(m, as_of)
        for i, m in enumerate(items, start=1)
        if m["kind"] != "none" and billed(m, as_of)
    }
    assert fees == expected


@SETTINGS
@given(items=BOOKS, as_of=AS_OF)
def test_fee_is_zero_within_grace_and_never_negative(
    empty: BookFrames, items: list[dict[str, Any]], as_of: dt.date
) -> None:
    fees = _fees(build(empty, items), as_of)
    for i, m in enumerate(items, start=1):
        if m["kind"] == "none" or not billed(m, as_of):
            assert i not in fees
            continue
        assert fees[i] >= 0
        if (as_of - m["due"]).days <= m["grace"]:
            assert fees[i] == 0


@SETTINGS
@given(items=BOOKS, as_of=AS_OF, k=st.integers(1, 800))
def test_fee_never_decreases_as_as_of_moves_on(
    empty: BookFrames, items: list[dict[str, Any]], as_of: dt.date, k: int
) -> None:
    frames = build(empty, items)
    now, later = _fees(frames, as_of), _fees(frames, as_of + dt.timedelta(days=k))
    # a milestone invoiced in between gains a row; none loses one (SPEC revision 2)
    assert now.keys() <= later.keys()
    for i in now:
        assert later[i] >= now[i]


@SETTINGS
@given(items=BOOKS, as_of=AS_OF)
def test_chase_queue_holds_only_open_past_due_and_shows_the_fee(
    empty: BookFrames, items: list[dict[str, Any]], as_of: dt.date
) -> None:
    frames = build(empty, items)
    fees = _fees(frames, as_of)
    queue = chase_queue(frames, as_of)
    for r in queue.iter_rows(named=True):
        m = items[r["milestone_id"] - 1]
        paid = sum((a for a, on in m["payments"] if on <= as_of), D(0))
        assert m["status"] not in ("cancelled", "written_off")
        assert r["open"] == m["amount"] - paid > 0
        assert r["days_past_due"] == (as_of - m["due"]).days >= 1
        assert r["late_fee"] == fees.get(r["milestone_id"], D("0.00"))
        assert r["claim_total"] == r["open"] + r["late_fee"]
        assert r["step"] in ("grace", "reminder")  # nothing logged: never a later step
    expected = {
        i
        for i, m in enumerate(items, start=1)
        if m["status"] not in ("cancelled", "written_off")
        and billed(m, as_of)
        and (as_of - m["due"]).days >= 1
        and m["amount"] - sum((a for a, on in m["payments"] if on <= as_of), D(0)) > 0
    }
    assert set(queue["milestone_id"].to_list()) == expected
    days = queue["days_past_due"].to_list()
    assert days == sorted(days, reverse=True)
