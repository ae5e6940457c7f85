"""Amounts and per-currency lines as people read them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

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


def milestone_label(row: Mapping[str, Any]) -> str:
    """``Site #2 Build``: a milestone named by its contract, number and title."""
    return f"{row['contract']} #{row['seq']} {row['milestone']}"


def count(n: int, word: str, many: str | None = None) -> str:
    """``1 row``, ``2 rows``, ``1 milestone``; ``many`` for an irregular plural."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def grouped_amounts(text: str) -> str:
    """Every plain amount in ``text`` (``1200.00``) with thousands separators (``1,200.00``)."""
    import re

    from tui.domain.money import format_amount

    return re.sub(
        r"(?<![\d.,])-?\d+\.\d{2}(?![\d])", lambda m: format_amount(Decimal(m.group())), text
    )
