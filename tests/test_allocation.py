"""Splitting one transfer over open milestones, oldest due date first (pure)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strength import examples

from tui.domain.allocation import allocate_oldest_first
from tui.domain.errors import ValidationError

D = Decimal


def _row(mid: int, due: str, open_: str, seq: int = 1) -> dict[str, object]:
    return {"milestone_id": mid, "due_date": dt.date.fromisoformat(due), "seq": seq,
            "open": D(open_)}  # fmt: skip


def test_oldest_due_first_then_seq() -> None:
    """900.00 over 500.00 (due 1 Nov, seq 2), 300.00 (1 Nov, seq 1), 400.00 (1 Oct):
    the October one first (400.00), then seq 1 (300.00), then 200.00 of seq 2."""
    rows = [_row(1, "2026-11-01", "500.00", 2), _row(2, "2026-11-01", "300.00", 1),
            _row(3, "2026-10-01", "400.00", 5)]  # fmt: skip
    parts = allocate_oldest_first(D("900.00"), rows)
    assert parts == [(3, D("400.00")), (2, D("300.00")), (1, D("200.00"))]
    assert parts.leftover == D("0.00")


def test_nothing_open_gets_nothing_and_the_rest_is_left_over() -> None:
    """A milestone with 0.00 open gets no part; 50.00 beyond the 120.50 open is left over."""
    rows = [_row(1, "2026-09-01", "0.00"), _row(2, "2026-10-01", "120.50")]
    parts = allocate_oldest_first(D("170.50"), rows)
    assert parts == [(2, D("120.50"))]
    assert parts.leftover == D("50.00")


def test_zero_and_negative_totals() -> None:
    """0.00 allocates nothing; a negative total is refused, naming the field."""
    assert allocate_oldest_first(D("0.00"), [_row(1, "2026-09-01", "10.00")]) == []
    with pytest.raises(ValidationError, match="total"):
        allocate_oldest_first(D("-1.00"), [])


cents = st.integers(min_value=0, max_value=500_000).map(lambda c: D(c).scaleb(-2))
open_rows = st.lists(
    st.tuples(st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31)), st.integers(0, 9), cents),
    max_size=8,
).map(lambda rows: [{"milestone_id": i + 1, "due_date": d, "seq": s, "open": o}
                    for i, (d, s, o) in enumerate(rows)])  # fmt: skip


@settings(max_examples=examples(300))
@given(total=cents, rows=open_rows)
def test_allocation_properties(total: Decimal, rows: list[dict[str, object]]) -> None:
    """Parts sum to min(total, all open); each part is > 0 and <= its open; a milestone gets
    something only when every older one is paid in full; the leftover is the rest."""
    parts = allocate_oldest_first(total, rows)
    by_id = {r["milestone_id"]: r for r in rows}
    all_open = sum((r["open"] for r in rows), D("0"))
    assert sum((a for _, a in parts), D("0")) == min(total, all_open)
    assert parts.leftover == total - min(total, all_open)
    got = dict(parts)
    assert len(got) == len(parts)
    for mid, amount in parts:
        assert D("0") < amount <= by_id[mid]["open"]
    order = sorted(rows, key=lambda r: (r["due_date"], r["seq"], r["milestone_id"]))
    for i, r in enumerate(order):
        if got.get(r["milestone_id"], D("0")) > 0:
            assert all(got.get(o["milestone_id"], D("0")) == o["open"] for o in order[:i])
    assert [mid for mid, _ in parts] == [r["milestone_id"] for r in order
                                         if r["milestone_id"] in got]  # fmt: skip
