"""One bank transfer that pays several invoices of one client: split, checked, saved at once.

The form lists the client's invoiced milestones with money open in the transfer's currency,
oldest due date first. Typing the total shares it over them oldest first
(:func:`tui.domain.allocation.allocate_oldest_first`); every part stays editable, and the
line under the parts shows live what is left to share. A disputed milestone is listed but
gets nothing until the user types its part. ``ctrl+o`` shares the total oldest first again
(dropping parts typed by hand). Saving needs the parts to add up to the total exactly, each
no more than its milestone's open amount; the store records every part as one payment with
the same date, method and reference, in one transaction (``Book.record_split``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from tui.domain.allocation import allocate_oldest_first
from tui.domain.errors import ValidationError
from tui.domain.model import Payment
from tui.domain.money import format_amount, parse_amount
from tui.modals.form import DATE_HINT, Field, FormModal

ZERO = Decimal("0.00")

#: what ``save`` gets: the parts (milestone id, amount), the date, method and reference
SaveSplit = Callable[[list[tuple[int, Decimal]], dt.date, str, str], Any]


def part_name(milestone_id: int) -> str:
    """The form field of one milestone's part."""
    return f"part_{milestone_id}"


class SplitPaymentForm(FormModal):
    """Date, total, method, reference, then one part per open billed milestone of a client."""

    WHAT = "transfer"
    FIRST_FIELD = "total"
    HINT = "Tab next field · ctrl+o oldest first · Enter or ctrl+s save · Esc cancel"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+o", "share", "Oldest first", id="split-share"),
    ]

    def __init__(
        self,
        *,
        client: str,
        currency: str,
        open_rows: Sequence[Mapping[str, Any]],
        today: dt.date,
        save: SaveSplit,
    ) -> None:
        self.client = client
        self.currency = currency
        self.open_rows = [dict(r) for r in open_rows]
        self.by_name = {part_name(r["milestone_id"]): r for r in self.open_rows}
        fields = [
            Field("received_on", "Received on", required=True, placeholder=DATE_HINT),
            Field("total", "Transfer total", required=True, placeholder=f"amount in {currency}"),
            Field("method", "Method", placeholder="bank transfer, card, ..."),
            Field("reference", "Reference", placeholder="bank reference, note"),
        ]
        for r in self.open_rows:
            disputed = " · disputed" if r["status"] == "disputed" else ""
            fields.append(Field(f"head_{r['milestone_id']}", kind="heading",
                                label=f"{r['contract']} #{r['seq']} {r['title']} · due "
                                      f"{r['due_date'].isoformat()} · open "
                                      f"{format_amount(r['open'])}{disputed}"))  # fmt: skip
            fields.append(Field(part_name(r["milestone_id"]), "Pays", placeholder="0.00"))
        #: the parts as last shared automatically, and the total they were shared from
        self._filled = {part_name(r["milestone_id"]): "" for r in self.open_rows}
        self._shared_total = ""
        super().__init__(
            f"Split a transfer · {client}",
            fields,
            {"received_on": today.isoformat(), "method": "bank transfer"},
            save=lambda v: save(*self.parse_split(v)),
            today=today,
            saved_message="Transfer recorded.",
            subtitle=f"One transfer in {currency} over the invoiced milestones still open, "
            "oldest due first",
        )

    def compose_extra(self) -> ComposeResult:
        """The line saying how much of the total is shared."""
        yield Static("", id="split-remainder", classes="schedule-preview")

    # ---- values ------------------------------------------------------------------------------

    def _total(self, values: Mapping[str, str]) -> Decimal | None:
        try:
            return parse_amount(values["total"], "total", allow_zero=False)
        except ValidationError:
            return None

    def _parts(self, values: Mapping[str, str]) -> dict[str, Decimal] | None:
        """Each milestone's part (empty is 0.00); None while one does not parse."""
        parts = {}
        for name in self.by_name:
            text = values[name].strip()
            try:
                parts[name] = parse_amount(text, name) if text else ZERO
            except ValidationError:
                return None
        return parts

    def parse_split(
        self, values: Mapping[str, str]
    ) -> tuple[list[tuple[int, Decimal]], dt.date, str, str]:
        """The parts above 0 with the date, method and reference (what ``record_split`` takes)."""
        parts = self._parts(values) or {}
        chosen = [(int(self.by_name[n]["milestone_id"]), a) for n, a in parts.items() if a > 0]
        return (
            chosen,
            Payment.parse_field("received_on", values, self.today),
            Payment.parse_field("method", values, self.today),
            Payment.parse_field("reference", values, self.today),
        )

    def share(self, total_text: str) -> None:
        """Fill the parts from ``total_text``, oldest first (disputed milestones left out)."""
        total = self._total({"total": total_text})
        shares: dict[str, str] = {name: "" for name in self.by_name}
        if total is not None:
            rows = [{**r, "open": r["open"] if r["status"] != "disputed" else ZERO}
                    for r in self.open_rows]  # fmt: skip
            for mid, amount in allocate_oldest_first(total, rows):
                shares[part_name(mid)] = format_amount(amount, grouping=False)
        for name, text in shares.items():
            if self.value(name) != text:
                self.set_value(name, text)
        self._filled = shares
        self._shared_total = total_text

    def values_changed(self) -> None:
        """A new total is shared oldest first (unless parts were typed); the remainder line."""
        if not self.is_mounted:
            return
        total_text = self.value("total")
        untouched = all(self.value(n) == text for n, text in self._filled.items())
        if total_text != self._shared_total and untouched:
            self.share(total_text)
        self.query_one("#split-remainder", Static).update(Text(self.remainder_text()))

    def remainder_text(self) -> str:
        """``Shared 1,000.00 of 1,000.00 EUR · nothing left to share`` (or what is left)."""
        values = self.values()
        total, parts = self._total(values), self._parts(values)
        if parts is None:
            return "Shared: check the parts marked above."
        shared = sum(parts.values(), ZERO)
        if total is None:
            return f"Shared {format_amount(shared)} {self.currency}; type the transfer total."
        left = total - shared
        head = f"Shared {format_amount(shared)} of {format_amount(total)} {self.currency} · "
        if left == 0:
            return head + "nothing left to share"
        if left > 0:
            room = sum((r["open"] for r in self.open_rows), ZERO) - shared
            more = "" if left <= room else " (more than the milestones listed have open)"
            return head + f"{format_amount(left)} left to share{more}"
        return head + f"{format_amount(-left)} more than the transfer"

    # ---- checks ------------------------------------------------------------------------------

    def check_field(self, name: str, values: Mapping[str, str]) -> None:
        """Date, method and reference as a payment's; the total > 0; each part <= its open."""
        if name in ("received_on", "method", "reference"):
            Payment.parse_field(name, values, self.today)
        elif name == "total":
            parse_amount(values["total"], "total", allow_zero=False)
        elif name in self.by_name:
            text = values[name].strip()
            if not text:
                return
            amount = parse_amount(text, name)
            row = self.by_name[name]
            if amount > row["open"]:
                raise ValidationError(
                    name,
                    f"{format_amount(amount)} would overpay this milestone: only "
                    f"{format_amount(row['open'])} {self.currency} is open",
                )

    def check_all(self, values: Mapping[str, str]) -> None:
        """At least one part, and the parts add up to the total exactly."""
        total = parse_amount(values["total"], "total", allow_zero=False)
        parts = self._parts(values) or {}
        shared = sum(parts.values(), ZERO)
        if shared == 0:
            raise ValidationError("total", "give at least one milestone a part of the transfer")
        if shared != total:
            left = total - shared
            what = f"{format_amount(left)} left to share" if left > 0 else (
                f"{format_amount(-left)} too much")  # fmt: skip
            raise ValidationError(
                "total",
                f"the parts add up to {format_amount(shared)}, the transfer is "
                f"{format_amount(total)} {self.currency} ({what})",
            )

    def action_share(self) -> None:
        """Share the total oldest first again, replacing parts typed by hand."""
        self.share(self.value("total"))
        self.values_changed()


__all__ = ["SplitPaymentForm", "part_name"]
