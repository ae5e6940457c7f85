"""Amounts and per-currency lines as people read them."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from tui.domain.money import format_amount

ZERO = Decimal("0.00")


def money(value: Decimal | None, currency: str = "") -> str:
    """``1,250.00 EUR`` (or ``1,250.00`` without a currency)."""
    text = format_amount(value if value is not None else ZERO)
    return f"{text} {currency}".strip()


def per_currency(pairs: list[tuple[str, Decimal]]) -> str:
    """Amounts summed per currency: ``1,200.00 EUR · 300.00 GBP`` ('-' when all zero)."""
    sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for currency, amount in pairs:
        sums[currency] += amount or ZERO
    parts = [money(v, c) for c, v in sorted(sums.items()) if v]
    return " · ".join(parts) if parts else "-"
