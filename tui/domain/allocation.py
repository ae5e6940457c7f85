"""Sharing one transfer among a client's open milestones, oldest due date first (no I/O).

A bank transfer that pays several invoices at once is split so that the milestone due first
is paid first, in full, before the next one gets anything (milestones due the same day go in
sequence order, then by id). What is left once every open amount is covered is never
dropped: :attr:`Allocation.leftover` says how much of the total found no milestone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from tui.domain.errors import ValidationError

ZERO = Decimal("0.00")


class Allocation(list[tuple[int, Decimal]]):
    """``(milestone_id, amount)`` parts, oldest first, and the ``leftover`` no milestone took."""

    def __init__(self, parts: Sequence[tuple[int, Decimal]] = (), leftover: Decimal = ZERO):
        super().__init__(parts)
        self.leftover = leftover

    @property
    def allocated(self) -> Decimal:
        """The sum of the parts."""
        return sum((amount for _, amount in self), ZERO)


def oldest_first(open_rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The rows by due date, then sequence number, then milestone id."""
    return sorted(
        open_rows,
        key=lambda r: (r["due_date"] or dt.date.max, r.get("seq", 0), r["milestone_id"]),
    )


def allocate_oldest_first(total: Decimal, open_rows: Sequence[Mapping[str, Any]]) -> Allocation:
    """Split ``total`` over ``open_rows`` (``milestone_id``, ``due_date``, ``seq``, ``open``).

    Each milestone gets at most its open amount, the oldest first; milestones with nothing
    open get no part, nor do those after the money ran out. ``leftover`` is what is left of
    ``total`` beyond all open amounts.
    """
    if total < 0:
        raise ValidationError("total", f"{total} is negative: a transfer is more than 0")
    left = total
    parts: list[tuple[int, Decimal]] = []
    for row in oldest_first(open_rows):
        if left <= 0:
            break
        open_amount = Decimal(row["open"])
        if open_amount <= 0:
            continue
        part = min(left, open_amount)
        parts.append((int(row["milestone_id"]), part))
        left -= part
    return Allocation(parts, left)
