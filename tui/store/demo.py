"""Write a realistic demo book (``milepay demo``, ``milepay --demo``).

The content is in :mod:`tui.store.demo_data` as tables of offsets in days from ``as_of``;
this module turns them into rows. The whole book is written in one transaction, and only
into an empty book. It is deterministic for a given ``as_of``: the only randomness (payment
delays within each client's range, chase dates, delivery dates) comes from a
:class:`random.Random` with a fixed seed, consumed in the same order whatever the date, so a
later ``as_of`` gives the same book with every milestone, payment and chase date moved by the
same number of days. The clock is never read.

Every record goes through its domain parser (``Client.parse`` ...), so the demo obeys the
same rules as what a person types.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from string import Template

import duckdb

from tui.domain.errors import RefusedError
from tui.domain.model import (
    DEFAULT_TEMPLATES,
    ChangeOrder,
    ChaseEvent,
    Client,
    Contact,
    Contract,
    Expense,
    Hold,
    Milestone,
    Payment,
    Settings,
    parse_fx_rate,
)
from tui.domain.money import format_amount, round_cents, split_evenly
from tui.domain.values import ChaseStep, MilestoneStatus
from tui.store import demo_data as data
from tui.store.rows import insert, upsert
from tui.store.store import Book

#: The demo's fixed random seed (never the clock).
SEED = 8500
#: The ladder steps the demo logs, with the default thresholds in days past due.
STEPS: tuple[tuple[ChaseStep, int], ...] = (
    (ChaseStep.REMINDER, 3),
    (ChaseStep.FIRM, 10),
    (ChaseStep.ESCALATE, 21),
)
#: Milestone statuses that carry an invoice number and date.
INVOICED = frozenset(
    {MilestoneStatus.INVOICED, MilestoneStatus.DISPUTED, MilestoneStatus.WRITTEN_OFF}
)
#: Statuses whose work is finished.
DONE = INVOICED | {MilestoneStatus.DELIVERED}
#: Tables that must be empty before the demo is written.
MUST_BE_EMPTY = ("clients", "contracts", "expenses", "settings", "exchange_rates")

Payments = list[tuple[dt.date, Decimal]]


def write_demo(book: Book, as_of: dt.date) -> None:
    """Write the demo book into the empty ``book``, in one transaction, relative to ``as_of``.

    Raises :class:`RefusedError` (writing nothing) when the book already holds data.
    """
    with book.writing("write_demo") as con:
        for table in MUST_BE_EMPTY:
            n = int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            if n:
                raise RefusedError(
                    f"{book.path} already has {n} {table.replace('_', ' ')}; "
                    "the demo is written only into an empty book"
                )
        _DemoWriter(con, as_of).write()


def next_day_of_month(after: dt.date, day: int) -> dt.date:
    """The first date after ``after`` that falls on ``day`` of its month (skipping short months)."""
    year, month = after.year, after.month
    while True:
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            candidate = None
        if candidate is not None and candidate > after:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


class _DemoWriter:
    """Builds and inserts the demo's rows on one open write transaction."""

    def __init__(self, con: duckdb.DuckDBPyConnection, as_of: dt.date) -> None:
        self.con = con
        self.as_of = as_of
        self.rng = random.Random(SEED)
        self.profiles = {p.name: p for p in data.CLIENTS}
        self.client_ids: dict[str, int] = {}
        self.contacts: dict[str, dict[str, str]] = {}
        self.milestone_ids: dict[tuple[str, str, int], int] = {}
        self.invoice_numbers = self._invoice_numbers()
        self.business = data.SETTINGS["business_name"]

    def day(self, offset: int) -> dt.date:
        """The date ``offset`` days from as_of."""
        return self.as_of + dt.timedelta(days=offset)

    def write(self) -> None:
        """Write every table, parents before children."""
        for profile in data.CLIENTS:
            self._client(profile)
        for plan in data.CONTRACTS:
            self._contract(plan)
        for client, title, seq, reason, until, released in data.HOLDS:
            hold = Hold.parse(
                {"reason": reason, "until": self.day(until),
                 "released_on": None if released is None else self.day(released)},
            )  # fmt: skip
            mid = self.milestone_ids[client, title, seq]
            insert(self.con, "holds", {"milestone_id": mid, **hold.as_row()})
        self._expenses()
        self._settings()

    # ---- clients and contracts -------------------------------------------------------------

    def _client(self, p: data.ClientProfile) -> None:
        client = Client.parse(
            {"name": p.name, "email": p.email, "phone": p.phone, "address": p.address,
             "notes": p.notes, "work_again": p.work_again, "rating": p.rating, "feedback": p.feedback},
        )  # fmt: skip
        cid = insert(self.con, "clients", client.as_row())
        self.client_ids[p.name] = cid
        self.contacts[p.name] = {}
        for name, role, email, phone in p.contacts:
            contact = Contact.parse({"name": name, "role": role, "email": email, "phone": phone})
            insert(self.con, "contacts", {"client_id": cid, **contact.as_row()})
            self.contacts[p.name][role] = name

    def _contract(self, plan: data.ContractPlan) -> None:
        accepted = [co for co in plan.change_orders if co.status == "accepted"]
        extra = sum((Decimal(co.delta) for co in accepted), Decimal("0"))
        kind, value, fixed = plan.late
        contract = Contract.parse(
            {"title": plan.title, "currency": plan.currency, "total_fee": Decimal(plan.fee) + extra,
             "start_date": self.day(plan.start), "end_date": self.day(plan.end),
             "signed_on": None if plan.signed is None else self.day(plan.signed),
             "status": plan.status, "payment_terms_days": plan.terms, "late_fee_kind": kind,
             "late_fee_value": value, "late_fee_fixed": fixed, "grace_days": plan.grace,
             "acceptance_days": plan.acceptance, "red_flags": plan.red_flags, "notes": plan.notes},
        )  # fmt: skip
        kid = insert(
            self.con, "contracts", {"client_id": self.client_ids[plan.client], **contract.as_row()}
        )
        schedule = list(plan.milestones)
        amounts = (
            split_evenly(Decimal(plan.schedule_fee or plan.fee), len(schedule)) if schedule else []
        )
        for co in accepted:
            schedule += co.milestones
            amounts += split_evenly(Decimal(co.delta), len(co.milestones))
        for seq, (mp, amount) in enumerate(zip(schedule, amounts, strict=True), start=1):
            self._milestone(plan, kid, seq, mp, amount)
        for co in plan.change_orders:
            order = ChangeOrder.parse(
                {"date": self.day(co.date), "description": co.description,
                 "amount_delta": co.delta, "status": co.status},
            )  # fmt: skip
            insert(self.con, "change_orders", {"contract_id": kid, **order.as_row()})

    # ---- milestones, payments and chasing ----------------------------------------------------

    def _invoice_numbers(self) -> dict[tuple[str, str, int], str]:
        """Invoice numbers ``YYYY-NNN`` in invoice-date order, numbered afresh each year."""
        invoiced: list[tuple[dt.date, int, int, tuple[str, str, int]]] = []
        for k, plan in enumerate(data.CONTRACTS):
            for seq, mp in enumerate(plan.milestones, start=1):
                if MilestoneStatus(mp.status) in INVOICED:
                    on = self.day(mp.due - plan.terms)
                    invoiced.append((on, k, seq, (plan.client, plan.title, seq)))
        numbers: dict[tuple[str, str, int], str] = {}
        per_year: dict[int, int] = {}
        for on, _k, _seq, key in sorted(invoiced):
            per_year[on.year] = per_year.get(on.year, 0) + 1
            numbers[key] = f"{on.year}-{per_year[on.year]:03d}"
        return numbers

    def _milestone(
        self, plan: data.ContractPlan, kid: int, seq: int, mp: data.MilestonePlan, amount: Decimal
    ) -> None:
        status = MilestoneStatus(mp.status)
        due = self.day(mp.due)
        invoiced_on = due - dt.timedelta(days=plan.terms) if status in INVOICED else None
        delivered_on = self.day(mp.delivered) if mp.delivered is not None else None
        if invoiced_on is not None:
            if invoiced_on > self.as_of:
                raise ValueError(f"demo data: {plan.title} #{seq} would be invoiced after as_of")
            delivered_on = invoiced_on - dt.timedelta(days=self.rng.randint(0, 2))
        key = (plan.client, plan.title, seq)
        milestone = Milestone.parse(
            {"seq": seq, "title": mp.title, "amount": amount, "due_date": due, "status": status,
             "progress": 100 if status in DONE else mp.progress,
             "invoice_no": self.invoice_numbers.get(key, ""), "invoiced_on": invoiced_on,
             "delivered_on": delivered_on,
             "promised_on": None if mp.promise is None else self.day(mp.promise),
             "promise_note": mp.promise_note},
        )  # fmt: skip
        mid = insert(self.con, "milestones", {"contract_id": kid, **milestone.as_row()})
        self.milestone_ids[key] = mid
        if invoiced_on is None:
            return
        profile = self.profiles[plan.client]
        paid = self._payments(mid, profile, mp, amount, due, invoiced_on, milestone.invoice_no)
        settled = paid[-1][0] if sum(a for _, a in paid) == amount else None
        self._chase(mid, plan, milestone, mp.chase, paid, settled)

    def _payments(
        self, mid: int, profile: data.ClientProfile, mp: data.MilestonePlan, amount: Decimal,
        due: dt.date, invoiced_on: dt.date, invoice_no: str,
    ) -> Payments:  # fmt: skip
        """Insert the plan's payments, never after as_of nor before the invoice; return them."""
        if not mp.pay:
            return []
        delay = self.rng.randint(*profile.delay)
        when = min(self.as_of, max(invoiced_on, due + dt.timedelta(days=delay)))
        if mp.pay == "paid":
            parts: Payments = [(when, amount)]
        elif mp.pay == "two":
            first, second = split_evenly(amount, 2)
            parts = [(max(invoiced_on, when - dt.timedelta(days=14)), first), (when, second)]
        elif mp.pay == "part":
            parts = [(when, round_cents(amount * mp.part))]
        else:
            raise ValueError(f"demo data: unknown payment plan {mp.pay!r}")
        for n, (on, part) in enumerate(parts, start=1):
            reference = invoice_no if len(parts) == 1 else f"{invoice_no} ({n}/{len(parts)})"
            fields = {"amount": part, "received_on": on, "method": profile.method}
            payment = Payment.parse({**fields, "reference": reference})
            insert(self.con, "payments", {"milestone_id": mid, **payment.as_row()})
        return parts

    def _chase(
        self, mid: int, plan: data.ContractPlan, m: Milestone, most: int, paid: Payments,
        settled: dt.date | None,
    ) -> None:  # fmt: skip
        """Log the ladder's steps in order while the milestone was overdue and unpaid."""
        contacts = self.contacts[plan.client]
        for step, threshold in STEPS[:most]:
            when = m.due_date + dt.timedelta(days=threshold + self.rng.randint(0, 2))
            if when > self.as_of or (settled is not None and when >= settled):
                return
            open_then = m.amount - sum((a for on, a in paid if on <= when), Decimal("0"))
            escalate = step is ChaseStep.ESCALATE
            contact = contacts.get("owner" if escalate else "payer") or contacts["main"]
            subject, body = DEFAULT_TEMPLATES[step]
            values = {
                "contact": contact, "milestone": m.title, "client": plan.client,
                "invoice_no": m.invoice_no, "amount": f"{plan.currency} {format_amount(open_then)}",
                "due_date": m.due_date.isoformat(), "days_past_due": (when - m.due_date).days,
                "late_fee": "none" if plan.late[0] == "none" else "as set out in the contract",
                "business_name": self.business,
            }  # fmt: skip
            message = (
                f"Subject: {Template(subject).safe_substitute(values)}\n\n"
                f"{Template(body).safe_substitute(values)}"
            )
            event = ChaseEvent.parse(
                {"date": when, "step": step, "channel": "letter" if escalate else "email",
                 "contact": contact, "message": message,
                 "note": {ChaseStep.FIRM: "Work paused until payment.",
                          ChaseStep.ESCALATE: "Sent by post and by e-mail to the owner."}.get(step, "")},
            )  # fmt: skip
            insert(self.con, "chase_events", {"milestone_id": mid, **event.as_row()})

    # ---- expenses and settings ----------------------------------------------------------------

    def _expenses(self) -> None:
        opening = self.day(-data.OPENING_BALANCE_DAYS_BEFORE)
        for name, amount, cadence, anchor, end, category in data.EXPENSES:
            kind, number = anchor.split(":")
            n = int(number)
            if kind == "dom":
                first = next_day_of_month(opening, n)
            elif kind == "dow":
                first = opening + dt.timedelta(days=(n - opening.weekday()) % 7 or 7)
            else:
                first = self.day(n)
            expense = Expense.parse(
                {"name": name, "amount": amount, "currency": "EUR", "cadence": cadence,
                 "next_date": first, "end_date": None if end is None else self.day(end),
                 "category": category},
            )  # fmt: skip
            insert(self.con, "expenses", expense.as_row())

    def _settings(self) -> None:
        opening = self.day(-data.OPENING_BALANCE_DAYS_BEFORE).isoformat()
        # the reserve counts from the day the book starts: money received before it was
        # either taxed already or is in the opening balance
        values = {**data.SETTINGS, "opening_balance_date": opening, "tax_reserve_since": opening}
        text = Settings.from_text(values).to_text()  # checks every value
        for key in values:
            upsert(self.con, "settings", {"key": key, "value": text[key]})
        for currency, rate in data.EXCHANGE_RATES.items():
            value = parse_fx_rate(rate, f"fx.{currency}")
            upsert(self.con, "exchange_rates", {"currency": currency, "rate": value})
