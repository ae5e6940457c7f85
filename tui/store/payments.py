"""Payments that can be corrected: edit, delete, one transfer split over several milestones.

The methods are mixed into :class:`tui.store.Book`; every write goes through the row helpers
of :mod:`tui.store.rows`, so it is one transaction and audited.

Decisions (SPEC 2, "a payment can be corrected or deleted"):

* An edit keeps the payment on its milestone (amount, date, method and reference change).
  The other payments of the milestone plus the edited amount may not exceed the milestone's
  amount, refused with the same message as recording a new payment.
* A payment on a cancelled or written-off milestone can still be lowered, re-dated or
  re-labelled (a typo stays a typo after a write-off), but not raised: no new money goes to a
  milestone that owes nothing.
* ``expected`` is the payment row the form or list showed: a payment changed or removed
  elsewhere since refuses the edit or the deletion (``StaleEditError`` / ``NotFoundError``).
* A split transfer is one transaction: every part pays a milestone of the same client, in the
  same currency, not closed, with a part more than 0 and not more than the milestone's open
  amount; the first wrong part refuses the whole transfer, naming its milestone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import duckdb

from tui.domain.errors import NotFoundError, RefusedError, StaleEditError, ValidationError
from tui.domain.model import Payment
from tui.domain.money import format_amount
from tui.domain.values import CLOSED_MILESTONE_STATUSES, parse_text
from tui.store.rows import delete_where, fetch_dict, fetch_dicts, insert, update

#: a payment with the milestone, contract and client it pays (the payments list's rows)
_LISTED = """
SELECT p.id, p.milestone_id, p.amount, p.received_on, p.method, p.reference,
       m.seq, m.title AS milestone, m.contract_id, k.title AS contract, k.client_id,
       c.name AS client, k.currency
FROM payments p
JOIN milestones m ON m.id = p.milestone_id
JOIN contracts k ON k.id = m.contract_id
JOIN clients c ON c.id = k.client_id
"""
_SCOPES = {"milestone": "p.milestone_id = ?", "contract": "m.contract_id = ?",
           "client": "k.client_id = ?"}  # fmt: skip

_MILESTONE = """
SELECT m.id, m.seq, m.title, m.amount, m.status, m.due_date, m.invoiced_on,
       k.title AS contract, k.client_id, c.name AS client, k.currency,
       m.amount - coalesce((SELECT sum(p.amount) FROM payments p
                            WHERE p.milestone_id = m.id), 0) AS open
FROM milestones m
JOIN contracts k ON k.id = m.contract_id
JOIN clients c ON c.id = k.client_id
"""

if TYPE_CHECKING:

    class _BookLike:
        def reading(self) -> AbstractContextManager[duckdb.DuckDBPyConnection]: ...
        def writing(
            self, action: str | None = None
        ) -> AbstractContextManager[duckdb.DuckDBPyConnection]: ...

else:
    _BookLike = object


class PaymentsMixin(_BookLike):
    """Correcting payments (SPEC 2): see the module docstring."""

    # ---- reading ---------------------------------------------------------------------------

    def payments_of(self, scope: str, scope_id: int) -> list[dict[str, Any]]:
        """The payments of one milestone, contract or client (``scope``), oldest first.

        Every payment, whatever its date (one dated after today is listed to be corrected).
        """
        where = _SCOPES.get(scope)
        if where is None:
            raise ValueError(scope)
        with self.reading() as con:
            return fetch_dicts(
                con, f"{_LISTED} WHERE {where} ORDER BY p.received_on, p.id", [scope_id]
            )

    def payment_room(self, payment_id: int) -> Decimal:
        """The most the payment may be: its milestone's amount less the other payments."""
        with self.reading() as con:
            row = _payment(con, payment_id)
            milestone = _milestone(con, row["milestone_id"])
            return milestone["open"] + row["amount"]

    def open_billed_milestones(self, client_id: int, currency: str) -> list[dict[str, Any]]:
        """The client's invoiced, not closed milestones in ``currency`` with money open.

        Rows: milestone_id, contract, seq, title, status, due_date, invoiced_on, open; oldest
        due date first (then sequence), as a split transfer fills them.
        """
        closed = [s.value for s in CLOSED_MILESTONE_STATUSES]
        with self.reading() as con:
            rows = fetch_dicts(
                con,
                f"SELECT * FROM ({_MILESTONE}) WHERE client_id = ? AND currency = ? "
                "AND invoiced_on IS NOT NULL AND open > 0 AND status NOT IN (?, ?) "
                "ORDER BY due_date, seq, id",
                [client_id, currency, *closed],
            )
        return [{"milestone_id": r.pop("id"), **r} for r in rows]

    # ---- writing ---------------------------------------------------------------------------

    def update_payment(
        self, payment_id: int, payment: Payment, *, expected: Mapping[str, Any] | None = None
    ) -> None:
        """Correct a payment's amount, date, method or reference (see the module docstring)."""
        written = payment.as_row()
        with self.writing() as con:
            row = _payment(con, payment_id)
            _check_same(con, payment_id, expected, written)
            milestone = _milestone(con, row["milestone_id"])
            if milestone["status"] in CLOSED_MILESTONE_STATUSES and payment.amount > row["amount"]:
                raise RefusedError(
                    f"{format_amount(payment.amount)} is more than the "
                    f"{format_amount(row['amount'])} recorded: the milestone is "
                    f"{milestone['status'].replace('_', ' ')}, a payment on it can be lowered, "
                    "not raised",
                    field="amount",
                )
            others = milestone["amount"] - milestone["open"] - row["amount"]
            _check_not_over(payment.amount, milestone["amount"], others)
            update(con, "payments", payment_id, written)

    def delete_payment(
        self, payment_id: int, *, expected: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Delete a payment recorded by mistake; return the row removed."""
        with self.writing() as con:
            row = _payment(con, payment_id)
            _check_same(con, payment_id, expected, row)
            delete_where(con, "payments", "id = ?", [payment_id])
            return row

    def record_split(
        self,
        parts: Sequence[tuple[int, Decimal]],
        received_on: dt.date,
        method: str,
        reference: str,
    ) -> list[int]:
        """Record one transfer paying several milestones of one client, in one transaction."""
        if not parts:
            raise ValidationError("amount", "give at least one milestone an amount")
        ids = [mid for mid, _ in parts]
        if len(ids) != len(set(ids)):
            raise ValidationError("amount", "a milestone is named twice in one transfer")
        method = parse_text(method, "method", max_length=60)
        reference = parse_text(reference, "reference", max_length=200)
        with self.writing() as con:
            first: dict[str, Any] | None = None
            new_ids = []
            for milestone_id, amount in parts:
                m = _milestone(con, milestone_id)
                name = _name(m)
                if first is None:
                    first = m
                elif m["client_id"] != first["client_id"]:
                    raise RefusedError(
                        f"{name} is a milestone of {m['client']}, not of {first['client']}: "
                        "one transfer pays milestones of one client"
                    )
                elif m["currency"] != first["currency"]:
                    raise RefusedError(
                        f"{name} is in {m['currency']}, not {first['currency']}: one transfer "
                        "is in one currency"
                    )
                if m["status"] in CLOSED_MILESTONE_STATUSES:
                    raise RefusedError(
                        f"payment refused: {name} is {m['status'].replace('_', ' ')}"
                    )
                if amount <= 0:
                    raise RefusedError(f"the part for {name} must be more than 0", field="amount")
                if amount > m["open"]:
                    raise RefusedError(
                        f"{format_amount(amount)} would overpay {name} (amount "
                        f"{format_amount(m['amount'])}, already paid "
                        f"{format_amount(m['amount'] - m['open'])}, open "
                        f"{format_amount(m['open'])})",
                        field="amount",
                    )
                row = Payment(amount, received_on, method, reference).as_row()
                new_ids.append(insert(con, "payments", {"milestone_id": milestone_id, **row}))
            return new_ids


def _payment(con: duckdb.DuckDBPyConnection, payment_id: int) -> dict[str, Any]:
    row = fetch_dict(con, "SELECT * FROM payments WHERE id = ?", [payment_id])
    if row is None:
        raise NotFoundError(
            f"there is no payment with id {payment_id} (removed elsewhere?); nothing was saved"
        )
    return row


def _milestone(con: duckdb.DuckDBPyConnection, milestone_id: int) -> dict[str, Any]:
    row = fetch_dict(con, f"{_MILESTONE} WHERE m.id = ?", [milestone_id])
    if row is None:
        raise NotFoundError(f"there is no milestone with id {milestone_id}")
    return row


def _name(m: Mapping[str, Any]) -> str:
    """``milestone 'Site #2 Build'``: how a refusal names a milestone."""
    return f"milestone '{m['contract']} #{m['seq']} {m['title']}'"


def _check_not_over(amount: Decimal, milestone_amount: Decimal, others: Decimal) -> None:
    """The other payments plus ``amount`` may not exceed the milestone's amount."""
    room = milestone_amount - others
    if amount > room:
        raise RefusedError(
            f"{format_amount(amount)} would overpay this milestone "
            f"(amount {format_amount(milestone_amount)}, already paid "
            f"{format_amount(others)} by its other payments, open {format_amount(room)})",
            field="amount",
        )


def _check_same(
    con: duckdb.DuckDBPyConnection,
    payment_id: int,
    expected: Mapping[str, Any] | None,
    compared: Mapping[str, Any],
) -> None:
    """Refuse when a compared column changed since ``expected`` was read (None: no check)."""
    if expected is None:
        return
    current = _payment(con, payment_id)
    changed = {
        col: (expected[col], current[col])
        for col in compared
        if col in expected and col in current and expected[col] != current[col]
    }
    if changed:
        raise StaleEditError("payment", current, changed)
