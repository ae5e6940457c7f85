"""The book's operations: every user action that writes is one transaction here.

:class:`Book` is what the CLI and the app use. Reads in bulk come back as Polars frames
(:meth:`Book.frames`); single records as dicts. Natural keys are checked inside the write
transaction (see schema.py for why they are not UNIQUE constraints).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb
import polars as pl

from tui.domain.dates import check_due_after_invoice, terms_due_date
from tui.domain.errors import NotFoundError, RefusedError, StaleEditError, ValidationError
from tui.domain.model import (
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
)
from tui.domain.money import format_amount
from tui.domain.values import (
    CLOSED_MILESTONE_STATUSES,
    ChangeOrderStatus,
    MilestoneStatus,
    parse_text,
)
from tui.store import audit
from tui.store.bank import BankMixin
from tui.store.book import BookFile
from tui.store.files import readable_file
from tui.store.payments import PaymentsMixin
from tui.store.rows import (
    delete_where,
    exists,
    fetch_dict,
    fetch_dicts,
    frame,
    insert,
    sql_value,
    touch,
    update,
    upsert,
)
from tui.store.schema import TABLES


@dataclass(frozen=True)
class BookFrames:
    """Every table of a book as Polars frames, read in one transaction, plus typed settings."""

    clients: pl.DataFrame
    contacts: pl.DataFrame
    contracts: pl.DataFrame
    milestones: pl.DataFrame
    payments: pl.DataFrame
    chase_events: pl.DataFrame
    holds: pl.DataFrame
    change_orders: pl.DataFrame
    fee_claims: pl.DataFrame
    expenses: pl.DataFrame
    exchange_rates: pl.DataFrame
    reference_rates: pl.DataFrame
    message_templates: pl.DataFrame
    settings: Settings
    change_counter: int


class Book(PaymentsMixin, BankMixin, BookFile):
    """A milepay book: reads and one-transaction writes."""

    # ---- reading ---------------------------------------------------------------------------

    def frames(self, *, lean: bool = False, shown: bool = False) -> BookFrames:
        """All tables as frames, consistent with each other (one read transaction).

        ``lean`` leaves out the texts no report reads (a chase event's message, note and contact;
        a payment's method and reference), which are most of the load time of a large book.
        ``shown`` leaves out only what the app never shows in a list (a chase event's message
        text, read on demand with :meth:`get`): the app's snapshot.
        """
        skips = _LEAN_SKIP if lean else _SHOWN_SKIP if shown else {}
        with self.reading() as con:
            tables = {
                t: frame(con, f"SELECT {_columns(t, skips)} FROM {t} ORDER BY {_ORDER[t]}")
                for t in TABLES
                if t != "settings"
            }
            settings = _read_settings(con)
            row = con.execute("SELECT value FROM book_meta WHERE key='change_counter'").fetchone()
        return BookFrames(**tables, settings=settings, change_counter=int(row[0]))  # type: ignore[arg-type]

    def report_frames(self, kind: str) -> BookFrames:
        """The frames one report reads (``kind`` in :data:`REPORT_COLUMNS`), for ``milepay report``.

        Only the tables and columns that report reads, in storage order (no ORDER BY: the
        reports sort what they output); every other table is an empty frame with its real
        schema, so the result still fits ``BookData``. One read transaction, like
        :meth:`frames`. At 2M milestones this loads a fraction of what :meth:`frames` does.
        """
        if kind not in REPORT_COLUMNS:
            raise ValueError(
                f"unknown report {kind!r} (expected one of {', '.join(REPORT_COLUMNS)})"
            )
        wanted = REPORT_COLUMNS[kind]
        with self.reading() as con:
            # text arrives as Arrow string views, Polars' own layout: no conversion on load
            con.execute("SET produce_arrow_string_view = true")
            tables = {t: frame(con, f"SELECT {cols} FROM {t}") for t, cols in wanted.items()}
            rest = [t for t in TABLES if t != "settings" and t not in wanted]
            tables |= _empty_frames(con, rest)
            settings = _read_settings(con)
            row = con.execute("SELECT value FROM book_meta WHERE key='change_counter'").fetchone()
        return BookFrames(**tables, settings=settings, change_counter=int(row[0]))  # type: ignore[arg-type]

    def table(self, name: str) -> pl.DataFrame:
        """One table as a frame."""
        if name not in TABLES:
            raise ValueError(name)
        with self.reading() as con:
            return frame(con, f"SELECT * FROM {name} ORDER BY {_ORDER[name]}")

    def settings(self) -> Settings:
        """The typed settings (with exchange rates)."""
        with self.reading() as con:
            return _read_settings(con)

    def settings_text(self) -> dict[str, str]:
        """Every setting as stored text (defaults for keys never saved): what a form opens on."""
        with self.reading() as con:
            stored = dict(con.execute("SELECT key, value FROM settings").fetchall())
        return {**Settings().to_text(), **{k: v for k, v in stored.items() if k in Settings.KEYS}}

    def counts(self) -> dict[str, int]:
        """Row counts of every table (for the start screen and checks)."""
        with self.reading() as con:
            return {t: int(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in TABLES}

    def get(self, table: str, row_id: int) -> dict[str, Any]:
        """One row by id as a dict; NotFoundError when missing."""
        if table not in TABLES:
            raise ValueError(table)
        with self.reading() as con:
            row = fetch_dict(con, f"SELECT * FROM {table} WHERE id = ?", [row_id])
        if row is None:
            raise NotFoundError(f"there is no {table[:-1].replace('_', ' ')} with id {row_id}")
        return row

    def rows(
        self, sql_table: str, where: str = "", params: list[Any] | None = None
    ) -> list[dict[str, Any]]:
        """Rows of a table as dicts, with an optional fixed filter written by the store's callers.

        ``where`` must be a constant written in code (never user text); values go in ``params``.
        """
        if sql_table not in TABLES:
            raise ValueError(sql_table)
        with self.reading() as con:
            return fetch_dicts(
                con,
                f"SELECT * FROM {sql_table} {'WHERE ' + where if where else ''} "
                f"ORDER BY {_ORDER[sql_table]}",
                params,
            )

    def find_client(self, name: str) -> dict[str, Any] | None:
        """A client by name (case-insensitive)."""
        with self.reading() as con:
            return fetch_dict(
                con, "SELECT * FROM clients WHERE lower(name) = lower(?)", [name.strip()]
            )

    def milestone_open_amount(self, milestone_id: int) -> Decimal:
        """The milestone's amount less everything paid on it (all dates)."""
        with self.reading() as con:
            return _open_amount(con, milestone_id)[0]

    # ---- clients and contacts ----------------------------------------------------------------

    def add_client(self, client: Client, contacts: list[Contact] | None = None) -> int:
        """Add a client (and its contacts) in one transaction."""
        with self.writing() as con:
            _check_client_name(con, client.name, None)
            cid = insert(con, "clients", client.as_row())
            for c in contacts or []:
                _check_contact_name(con, cid, c.name, None)
                insert(con, "contacts", {"client_id": cid, **c.as_row()})
            return cid

    def update_client(
        self, client_id: int, client: Client, *, expected: Mapping[str, Any] | None = None
    ) -> None:
        """Replace a client's fields, all but ``archived`` (its own action: an edit never
        restores or archives). ``expected`` is the row the form opened on: a written field
        changed since then refuses the save (:func:`_check_unchanged`)."""
        row = {k: v for k, v in client.as_row().items() if k != "archived"}
        with self.writing() as con:
            _check_unchanged(con, "clients", client_id, expected, row, "client")
            _check_client_name(con, client.name, client_id)
            update(con, "clients", client_id, row)

    def set_client_archived(self, client_id: int, archived: bool) -> None:
        """Archive or restore a client (never deleted)."""
        with self.writing() as con:
            update(con, "clients", client_id, {"archived": archived})

    def add_contact(self, client_id: int, contact: Contact) -> int:
        """Add a contact to a client."""
        with self.writing() as con:
            exists(con, "clients", client_id)
            _check_contact_name(con, client_id, contact.name, None)
            return insert(con, "contacts", {"client_id": client_id, **contact.as_row()})

    def update_contact(
        self, contact_id: int, contact: Contact, *, expected: Mapping[str, Any] | None = None
    ) -> None:
        """Replace a contact's fields."""
        with self.writing() as con:
            _check_unchanged(con, "contacts", contact_id, expected, contact.as_row(), "contact")
            row = fetch_dict(con, "SELECT client_id FROM contacts WHERE id = ?", [contact_id])
            if row is None:
                raise NotFoundError(f"there is no contact with id {contact_id}")
            _check_contact_name(con, row["client_id"], contact.name, contact_id)
            update(con, "contacts", contact_id, contact.as_row())

    def remove_contact(self, contact_id: int) -> None:
        """Remove a contact (chase events keep the contact's name as text)."""
        with self.writing() as con:
            exists(con, "contacts", contact_id)
            delete_where(con, "contacts", "id = ?", [contact_id])

    # ---- contracts, milestones, change orders -----------------------------------------------

    def add_contract(
        self, client_id: int, contract: Contract, milestones: list[Milestone] | None = None
    ) -> int:
        """Add a contract with its milestone schedule in one transaction."""
        with self.writing() as con:
            exists(con, "clients", client_id)
            _check_contract_title(con, client_id, contract.title, None)
            row = contract.as_row()
            row["document"] = readable_file(contract.document, "document")
            kid = insert(con, "contracts", {"client_id": client_id, **row})
            seqs = [m.seq for m in milestones or []]
            if len(seqs) != len(set(seqs)):
                raise ValidationError("seq", "two milestones have the same sequence number")
            numbers = [m.invoice_no.strip() for m in milestones or [] if m.invoice_no.strip()]
            if len(numbers) != len(set(numbers)):
                raise ValidationError("invoice_no", "two milestones have the same invoice number")
            for m in milestones or []:
                _check_invoice_no(con, m.invoice_no, None)
                mrow = m.as_row()
                mrow["invoice_file"] = readable_file(m.invoice_file, "invoice_file")
                insert(con, "milestones", {"contract_id": kid, **mrow})
            return kid

    def update_contract(
        self, contract_id: int, contract: Contract, *, expected: Mapping[str, Any] | None = None
    ) -> None:
        """Replace a contract's fields, all but ``archived`` (as :meth:`update_client`)."""
        fields = {k: v for k, v in contract.as_row().items() if k != "archived"}
        with self.writing() as con:
            _check_unchanged(con, "contracts", contract_id, expected, fields, "contract")
            row = fetch_dict(
                con, "SELECT client_id, document FROM contracts WHERE id = ?", [contract_id]
            )
            if row is None:
                raise NotFoundError(f"there is no contract with id {contract_id}")
            if fields["document"] != row["document"]:  # checked when set or changed
                fields["document"] = readable_file(fields["document"], "document")
            _check_contract_title(con, row["client_id"], contract.title, contract_id)
            update(con, "contracts", contract_id, fields)

    def set_contract_archived(self, contract_id: int, archived: bool) -> None:
        """Archive or restore a contract."""
        with self.writing() as con:
            update(con, "contracts", contract_id, {"archived": archived})

    def set_contract_status(self, contract_id: int, status: str) -> None:
        """Set a contract's status (e.g. paused after a firm reminder)."""
        from tui.domain.values import ContractStatus, parse_enum

        value = parse_enum(ContractStatus, status, "status")
        with self.writing() as con:
            update(con, "contracts", contract_id, {"status": value})

    def add_milestone(self, contract_id: int, milestone: Milestone) -> int:
        """Add a milestone to a contract."""
        with self.writing() as con:
            exists(con, "contracts", contract_id)
            _check_seq(con, contract_id, milestone.seq, None)
            _check_invoice_no(con, milestone.invoice_no, None)
            row = milestone.as_row()
            row["invoice_file"] = readable_file(milestone.invoice_file, "invoice_file")
            return insert(con, "milestones", {"contract_id": contract_id, **row})

    def update_milestone(
        self, milestone_id: int, milestone: Milestone, *, expected: Mapping[str, Any] | None = None
    ) -> None:
        """Replace a milestone's fields; its amount may not drop below what was paid.

        The promise to pay is not among them: :meth:`set_promise` owns it, so an edit of the
        title or the amount never wipes what the client promised.
        """
        written = {
            k: v for k, v in milestone.as_row().items() if k not in ("promised_on", "promise_note")
        }
        with self.writing() as con:
            row = fetch_dict(
                con,
                "SELECT contract_id, invoice_file, invoice_no FROM milestones WHERE id = ?",
                [milestone_id],
            )
            if row is None:
                raise NotFoundError(f"there is no milestone with id {milestone_id}")
            _check_unchanged(con, "milestones", milestone_id, expected, written, "milestone")
            if written["invoice_file"] != row["invoice_file"]:  # checked when set or changed
                written["invoice_file"] = readable_file(written["invoice_file"], "invoice_file")
            _check_seq(con, row["contract_id"], milestone.seq, milestone_id)
            if milestone.invoice_no.strip() != row["invoice_no"]:  # a book may hold old twins
                _check_invoice_no(con, milestone.invoice_no, milestone_id)
            paid = _paid(con, milestone_id)
            if milestone.amount < paid:
                raise RefusedError(
                    f"{format_amount(milestone.amount)} is less than the "
                    f"{format_amount(paid)} already paid on this milestone",
                    field="amount",
                )
            update(con, "milestones", milestone_id, written)

    def next_seq(self, contract_id: int) -> int:
        """The next free sequence number of a contract."""
        with self.reading() as con:
            row = con.execute(
                "SELECT coalesce(max(seq), 0) + 1 FROM milestones WHERE contract_id = ?",
                [contract_id],
            ).fetchone()
        return int(row[0])

    def schedule_warning(self, contract_id: int) -> str | None:
        """The fee-difference warning of a contract, or None when its milestones add up.

        Cancelled milestones do not count towards the fee. A warning, never an error (SPEC 2).
        """
        with self.reading() as con:
            row = con.execute(
                "SELECT c.title, c.currency, c.total_fee, coalesce(sum(m.amount) FILTER "
                "(WHERE m.status <> 'cancelled'), 0) FROM contracts c LEFT JOIN milestones m "
                "ON m.contract_id = c.id WHERE c.id = ? GROUP BY ALL",
                [contract_id],
            ).fetchone()
        if row is None:
            raise NotFoundError(f"there is no contract with id {contract_id}")
        title, currency, fee, scheduled = row
        if scheduled == fee:
            return None
        diff = scheduled - fee
        side = "more" if diff > 0 else "less"
        return (
            f"Warning: the milestones of '{title}' now add up to {format_amount(scheduled)} "
            f"{currency}, {format_amount(abs(diff))} {side} than the fee of {format_amount(fee)}."
        )

    def set_milestone_status(
        self, milestone_id: int, status: MilestoneStatus, *, on: dt.date | None = None
    ) -> None:
        """Move a milestone to ``status`` (``delivered`` records the date it was delivered).

        ``invoiced`` needs an invoice number and date: use :meth:`mark_invoiced`.
        """
        if status is MilestoneStatus.INVOICED:
            raise ValidationError(
                "status", "an invoiced milestone needs its invoice number and date"
            )
        with self.writing() as con:
            row = fetch_dict(con, "SELECT invoiced_on FROM milestones WHERE id = ?", [milestone_id])
            if row is None:
                raise NotFoundError(f"there is no milestone with id {milestone_id}")
            if status is MilestoneStatus.DISPUTED and row["invoiced_on"] is None:
                raise RefusedError(
                    "only an invoice can be disputed: mark the milestone invoiced first",
                    field="status",
                )
            changes: dict[str, Any] = {"status": status}
            if status is MilestoneStatus.DELIVERED:
                changes["delivered_on"] = on
                changes["progress"] = 100
            update(con, "milestones", milestone_id, changes)

    def mark_invoiced(
        self,
        milestone_id: int,
        invoice_no: str,
        invoiced_on: dt.date,
        due_date: dt.date | None = None,
        invoice_file: str | None = None,
    ) -> dt.date:
        """Mark a milestone invoiced with its invoice number, invoice date and due date.

        ``due_date`` is the date payment is due; without one it is the invoice date plus the
        contract's payment terms (SPEC 4), the date the invoice form proposes. A due date
        before the invoice date is refused. ``invoice_file`` (the invoice PDF), when given,
        must exist and be readable; None keeps the one the milestone has. Returns the due date
        saved.
        """
        if not invoice_no.strip():
            raise ValidationError("invoice_no", "is required")
        file_changes = (
            {}
            if invoice_file is None
            else {"invoice_file": readable_file(invoice_file, "invoice_file")}
        )
        with self.writing() as con:
            row = fetch_dict(
                con,
                "SELECT m.status, c.payment_terms_days AS terms FROM milestones m "
                "JOIN contracts c ON c.id = m.contract_id WHERE m.id = ?",
                [milestone_id],
            )
            if row is None:
                raise NotFoundError(f"there is no milestone with id {milestone_id}")
            if row["status"] in CLOSED_MILESTONE_STATUSES:
                raise RefusedError(
                    f"a {row['status'].replace('_', ' ')} milestone cannot be invoiced"
                )
            _check_invoice_no(con, invoice_no, milestone_id)
            due = due_date or terms_due_date(invoiced_on, row["terms"])
            check_due_after_invoice(invoiced_on, due)
            update(
                con,
                "milestones",
                milestone_id,
                {
                    "status": MilestoneStatus.INVOICED,
                    "invoice_no": invoice_no.strip(),
                    "invoiced_on": invoiced_on,
                    "due_date": due,
                    **file_changes,
                },
            )
        return due

    def set_promise(self, milestone_id: int, promised_on: dt.date | None, note: str = "") -> None:
        """Record the client's promise to pay a milestone on a date, with a note; None clears it.

        A new promise replaces the last one. A closed (cancelled, written-off) milestone
        takes no promise.
        """
        note = parse_text(note, "promise_note", max_length=500)
        if promised_on is None and note:
            raise ValidationError("promised_on", "a promise note needs the promised date")
        with self.writing() as con:
            row = fetch_dict(con, "SELECT status FROM milestones WHERE id = ?", [milestone_id])
            if row is None:
                raise NotFoundError(f"there is no milestone with id {milestone_id}")
            if promised_on is not None and row["status"] in CLOSED_MILESTONE_STATUSES:
                raise RefusedError(
                    f"a {row['status'].replace('_', ' ')} milestone takes no promise to pay"
                )
            update(
                con,
                "milestones",
                milestone_id,
                {"promised_on": promised_on, "promise_note": note},
            )

    def delete_milestone(self, milestone_id: int) -> None:
        """Delete a milestone with nothing recorded against it (a mistake, e.g. a duplicate).

        A milestone with payments, logged chase steps, holds or a claimed fee has a history:
        it is refused, naming what it has (cancel or write it off instead). DuckDB also
        cannot remove a row and the rows referring to it in one transaction.
        """
        with self.writing() as con:
            exists(con, "milestones", milestone_id)
            found = []
            for table, what in (("payments", "payment(s)"), ("chase_events", "logged chase step(s)"),
                                ("holds", "hold(s)"), ("fee_claims", "claimed late fee")):  # fmt: skip
                n = con.execute(
                    f"SELECT count(*) FROM {table} WHERE milestone_id = ?", [milestone_id]
                ).fetchone()[0]
                if n:
                    found.append(f"{n} {what}")
            if found:
                raise RefusedError(
                    f"this milestone has {', '.join(found)} and cannot be deleted; cancel or "
                    "write it off instead (its history stays)"
                )
            delete_where(con, "milestones", "id = ?", [milestone_id])

    def add_change_order(self, contract_id: int, order: ChangeOrder) -> int:
        """Log a change order on a contract."""
        with self.writing() as con:
            exists(con, "contracts", contract_id)
            return insert(con, "change_orders", {"contract_id": contract_id, **order.as_row()})

    def accept_change_order(self, order_id: int, milestones: list[Milestone]) -> None:
        """Accept a proposed change order: add its milestones and raise the contract's fee."""
        with self.writing() as con:
            order = fetch_dict(con, "SELECT * FROM change_orders WHERE id = ?", [order_id])
            if order is None:
                raise NotFoundError(f"there is no change order with id {order_id}")
            if order["status"] != ChangeOrderStatus.PROPOSED:
                raise RefusedError(f"this change order is already {order['status']}")
            total = sum((m.amount for m in milestones), Decimal("0"))
            if order["amount_delta"] > 0 and total != order["amount_delta"]:
                raise ValidationError(
                    "amount",
                    f"the new milestones add up to {format_amount(total)}, "
                    f"not the change order's {format_amount(order['amount_delta'])}",
                )
            for m in milestones:
                _check_seq(con, order["contract_id"], m.seq, None)
                insert(con, "milestones", {"contract_id": order["contract_id"], **m.as_row()})
            touch(con, "contracts", "id = ?", [order["contract_id"]])
            con.execute(
                "UPDATE contracts SET total_fee = total_fee + ? WHERE id = ?",
                [order["amount_delta"], order["contract_id"]],
            )
            update(con, "change_orders", order_id, {"status": ChangeOrderStatus.ACCEPTED})

    def reject_change_order(self, order_id: int) -> None:
        """Reject a proposed change order."""
        with self.writing() as con:
            update(con, "change_orders", order_id, {"status": ChangeOrderStatus.REJECTED})

    # ---- money in -------------------------------------------------------------------------

    def record_payment(self, milestone_id: int, payment: Payment) -> int:
        """Record a payment; refuse one that would pay more than the milestone's amount."""
        with self.writing() as con:
            open_amount, amount, status = _open_amount(con, milestone_id)
            if status in CLOSED_MILESTONE_STATUSES:
                raise RefusedError(f"payment refused: the milestone is {status.replace('_', ' ')}")
            if payment.amount > open_amount:
                raise RefusedError(
                    f"{format_amount(payment.amount)} would overpay this milestone "
                    f"(amount {format_amount(amount)}, already paid "
                    f"{format_amount(amount - open_amount)}, open {format_amount(open_amount)})",
                    field="amount",
                )
            return insert(con, "payments", {"milestone_id": milestone_id, **payment.as_row()})

    def claim_fee(self, milestone_id: int, amount: Decimal, claimed_on: dt.date) -> int:
        """Record that a late fee was claimed (once per milestone, never applied twice)."""
        with self.writing() as con:
            exists(con, "milestones", milestone_id)
            if con.execute(
                "SELECT 1 FROM fee_claims WHERE milestone_id = ?", [milestone_id]
            ).fetchone():
                raise RefusedError("a late fee was already claimed for this milestone")
            return insert(
                con,
                "fee_claims",
                {"milestone_id": milestone_id, "claimed_on": claimed_on, "amount": amount},
            )

    # ---- chasing --------------------------------------------------------------------------

    def log_chase(self, milestone_id: int, event: ChaseEvent) -> int:
        """Log a chase step taken for a milestone."""
        with self.writing() as con:
            exists(con, "milestones", milestone_id)
            return insert(con, "chase_events", {"milestone_id": milestone_id, **event.as_row()})

    def log_chase_many(self, milestone_ids: Sequence[int], event: ChaseEvent) -> list[int]:
        """Log one chase step for several milestones (one message about them) in one transaction."""
        if not milestone_ids:
            raise ValidationError("milestone", "choose at least one milestone")
        with self.writing() as con:
            ids = []
            for mid in milestone_ids:
                exists(con, "milestones", mid)
                ids.append(insert(con, "chase_events", {"milestone_id": mid, **event.as_row()}))
            return ids

    def undo_chase_step(self, milestone_id: int, *, event_id: int | None = None) -> dict[str, Any]:
        """Remove the milestone's last logged chase step (a step logged by mistake); return it.

        Only the newest step can go (by date, then the order logged): the ladder never skips a
        step, so removing an earlier one would leave a later step without the one that made it
        fair. ``event_id``, when given, must be that newest step (the row the user looked at),
        else the removal is refused and nothing changes.
        """
        with self.writing() as con:
            exists(con, "milestones", milestone_id)
            last = fetch_dict(
                con,
                "SELECT * FROM chase_events WHERE milestone_id = ? "
                "ORDER BY date DESC, id DESC LIMIT 1",
                [milestone_id],
            )
            if last is None:
                raise RefusedError("this milestone has no logged chase step to undo")
            if event_id is not None and last["id"] != event_id:
                raise RefusedError(
                    f"only the last logged step can be undone: that is the {last['step']} "
                    f"of {last['date']}"
                )
            delete_where(con, "chase_events", "id = ?", [last["id"]])
            return last

    # ---- the audit log and undo ------------------------------------------------------------

    def audit_log(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The audit log, newest first (``tui.store.audit``)."""
        with self.reading() as con:
            return audit.entries(con, limit)

    def undone_by(self) -> dict[int, int]:
        """Action id -> the undo that undid it."""
        with self.reading() as con:
            return audit.undone_by(con)

    def undo_plan(self) -> audit.UndoPlan:
        """What :meth:`undo` would write back now (RefusedError when it cannot)."""
        with self.reading() as con:
            return audit.plan_undo(con)

    def undo(self, entry_id: int | None = None) -> audit.UndoPlan:
        """Undo the newest action not undone yet: a new audited write restoring its rows.

        ``entry_id``, when given, must be that action (the one the user was shown): if another
        write came in between, nothing is done and the refusal says so. Removing rows of
        several levels takes one transaction per level (:func:`tui.store.audit.phases`); the
        last one marks the action undone.
        """
        with self.reading() as con:
            plan = audit.plan_undo(con)
        entry = plan.entry
        if entry_id is not None and entry["id"] != entry_id:
            raise RefusedError(
                "the book changed since the undo was shown: the last action is now "
                f"'{audit.action_name(entry['action'])}'; look again before undoing"
            )
        parts = audit.phases(plan)
        what = f"#{entry['id']} {audit.action_name(entry['action'])}: {entry['summary']}"
        for n, changes in enumerate(parts, start=1):
            with self.writing("undo") as con:
                if n == 1 and audit.plan_undo(con).entry["id"] != entry["id"]:
                    raise RefusedError("the book changed while undoing; look again")
                recorder = audit.current()
                if recorder is not None:
                    last = n == len(parts)
                    recorder.undoes = entry["id"] if last else None
                    part = f" (part {n} of {len(parts)})" if len(parts) > 1 else ""
                    recorder.summary = f"undid {what}{part}"
                audit.apply_undo(con, audit.UndoPlan(entry, changes))
        return plan

    def put_on_hold(self, milestone_id: int, hold: Hold, *, on: dt.date | None = None) -> int:
        """Take a milestone out of the chase queue until a date.

        An earlier open hold of the milestone is released ``on`` (default: today).
        """
        with self.writing() as con:
            exists(con, "milestones", milestone_id)
            day = on or _read_settings(con).today()
            touch(con, "holds", "milestone_id = ? AND released_on IS NULL", [milestone_id])
            con.execute(
                "UPDATE holds SET released_on = ? WHERE milestone_id = ? AND released_on IS NULL",
                [day, milestone_id],
            )
            return insert(con, "holds", {"milestone_id": milestone_id, **hold.as_row()})

    def release_hold(self, milestone_id: int, on: dt.date) -> None:
        """End every open hold of a milestone on ``on``."""
        with self.writing() as con:
            touch(con, "holds", "milestone_id = ? AND released_on IS NULL", [milestone_id])
            con.execute(
                "UPDATE holds SET released_on = ? WHERE milestone_id = ? AND released_on IS NULL",
                [on, milestone_id],
            )

    # ---- expenses and settings -------------------------------------------------------------

    def add_expense(self, expense: Expense) -> int:
        """Add an expense."""
        with self.writing() as con:
            return insert(con, "expenses", expense.as_row())

    def update_expense(
        self, expense_id: int, expense: Expense, *, expected: Mapping[str, Any] | None = None
    ) -> None:
        """Replace an expense's fields."""
        with self.writing() as con:
            _check_unchanged(con, "expenses", expense_id, expected, expense.as_row(), "expense")
            update(con, "expenses", expense_id, expense.as_row())

    def remove_expense(self, expense_id: int) -> None:
        """Remove an expense (it is a plan, not a record of money)."""
        with self.writing() as con:
            exists(con, "expenses", expense_id)
            delete_where(con, "expenses", "id = ?", [expense_id])

    def save_settings(
        self, values: dict[str, str], *, expected: Mapping[str, str] | None = None
    ) -> Settings:
        """Check and store settings given as text; all or nothing.

        ``expected`` (the settings as text when the form opened, :meth:`settings_text`): a key
        being saved whose stored text changed since then refuses the save (StaleEditError).
        """
        with self.writing() as con:
            current = {k: v for k, v in con.execute("SELECT key, value FROM settings").fetchall()}
            if expected is not None:
                now = {**Settings().to_text(), **current}
                changed = {
                    k: (expected.get(k, ""), now.get(k, ""))
                    for k in values
                    if k in expected and expected.get(k, "") != now.get(k, "")
                }
                if changed:
                    raise StaleEditError("setting", now, changed)
            merged = {**current, **values}
            settings = Settings.from_text(merged)  # raises ValidationError naming the key
            for key, text in settings.to_text().items():
                if key in values:
                    upsert(con, "settings", {"key": key, "value": text})
            return settings

    def set_exchange_rate(self, currency: str, rate: Decimal | None) -> None:
        """Set (or with None remove) the value of one unit of ``currency`` in the home currency."""
        with self.writing() as con:
            if rate is None:
                delete_where(con, "exchange_rates", "currency = ?", [currency])
            else:
                upsert(con, "exchange_rates", {"currency": currency, "rate": rate})

    def set_reference_rate(self, preset: str, valid_from: dt.date, rate: Decimal | None) -> None:
        """Set (or remove) a reference interest rate in force from a date.

        Removing a rate on a date the table has none is refused (nothing would change, and
        the user would be told it was saved).
        """
        with self.writing() as con:
            found = con.execute(
                "SELECT count(*) FROM reference_rates WHERE preset = ? AND valid_from = ?",
                [preset, valid_from],
            ).fetchone()[0]
            if rate is None and not found:
                raise RefusedError(
                    f"there is no {preset.upper()} rate from {valid_from.isoformat()} to remove; "
                    "give a rate to add one",
                    field="rate",
                )
            delete_where(
                con, "reference_rates", "preset = ? AND valid_from = ?", [preset, valid_from]
            )
            if rate is not None:
                upsert(
                    con,
                    "reference_rates",
                    {"preset": preset, "valid_from": valid_from, "rate": rate},
                )

    def set_template(self, step: str, subject: str, body: str) -> None:
        """Replace a chase step's message template."""
        with self.writing() as con:
            upsert(
                con,
                "message_templates",
                {"step": sql_value(step), "subject": subject, "body": body},
            )

    def set_client_review(
        self, client_id: int, rating: int | None, work_again: str, feedback: str
    ) -> None:
        """Set only a client's rating, work-again and feedback (the scorecard's own fields),
        so an edit of the client's other fields in another session is never overwritten."""
        checked = Client.parse(
            {"name": "-", "rating": "" if rating is None else str(rating),
             "work_again": work_again, "feedback": feedback}
        )  # fmt: skip
        fields = {
            "rating": checked.rating,
            "work_again": checked.work_again,
            "feedback": checked.feedback,
        }
        with self.writing() as con:
            update(con, "clients", client_id, fields)


#: how each table is ordered in frames (ids follow insertion order; cheap to sort by)
_ORDER: dict[str, str] = {t: "id" for t in TABLES} | {
    "settings": "key",
    "exchange_rates": "currency",
    "reference_rates": "preset, valid_from",
    "message_templates": "step",
}

#: columns left out of lean frames
_LEAN_SKIP: dict[str, tuple[str, ...]] = {
    "chase_events": ("message", "note", "contact"),
    "payments": ("method", "reference"),
}


_SHOWN_SKIP: dict[str, tuple[str, ...]] = {"chase_events": ("message",)}


def _columns(table: str, skips: Mapping[str, tuple[str, ...]]) -> str:
    skip = skips.get(table, ())
    return f"* EXCLUDE ({', '.join(skip)})" if skip else "*"


_MILESTONE_NAMES = "id, contract_id, seq, title, amount, due_date, status"
_PAID = "milestone_id, amount, received_on"

#: report -> table -> the columns it reads (tables not listed come back empty)
REPORT_COLUMNS: dict[str, dict[str, str]] = {
    "aging": {
        "clients": "id, name, archived",
        "contracts": "id, client_id, title, currency",
        "milestones": f"{_MILESTONE_NAMES}, invoice_no, invoiced_on",
        "payments": _PAID,
    },
    "forecast": {
        "clients": "id, name",
        "contracts": "id, client_id, title, currency, payment_terms_days",
        "milestones": f"{_MILESTONE_NAMES}, invoiced_on, promised_on",
        "payments": _PAID,
        "holds": "*",
        "expenses": "*",
    },
    "chase": {
        "clients": "id, name, email",
        "contacts": "id, client_id, name, role, email",
        "contracts": "id, client_id, title, currency, late_fee_kind, late_fee_value, "
        "late_fee_fixed, late_fee_preset, grace_days, document",
        "milestones": f"{_MILESTONE_NAMES}, invoice_no, invoiced_on, promised_on, promise_note, "
        "invoice_file",
        "payments": _PAID,
        "chase_events": "id, milestone_id, date, step",
        "holds": "*",
        "fee_claims": "*",
        "reference_rates": "*",
    },
    "clients": {
        "clients": "id, name, archived, rating, work_again, feedback",
        "contracts": "id, client_id, title, currency, total_fee, signed_on, start_date, status, "
        "red_flags",
        "milestones": "id, contract_id, amount, due_date, status, progress, invoiced_on, "
        "promised_on",
        "payments": _PAID,
        "chase_events": "milestone_id, date",
    },
    # the forecast's columns as of each past Monday, plus what dates the book's history
    # (start, signed, delivered); expenses and the opening balance move no placement
    "accuracy": {
        "clients": "id, name",
        "contracts": "id, client_id, title, currency, payment_terms_days, start_date, signed_on",
        "milestones": f"{_MILESTONE_NAMES}, invoiced_on, promised_on, delivered_on",
        "payments": _PAID,
        "holds": "*",
    },
}

#: DuckDB column types -> Polars (the types the schema uses)
_POLARS_TYPES: dict[str, pl.DataType] = {
    "INTEGER": pl.Int32(),
    "BIGINT": pl.Int64(),
    "VARCHAR": pl.String(),
    "DATE": pl.Date(),
    "BOOLEAN": pl.Boolean(),
    "TIMESTAMP": pl.Datetime("us"),
    "DOUBLE": pl.Float64(),
}


def _polars_type(duck: str) -> pl.DataType:
    if duck.startswith("DECIMAL("):
        precision, scale = duck[8:-1].split(",")
        return pl.Decimal(int(precision), int(scale))
    return _POLARS_TYPES[duck]


def _empty_frames(con: duckdb.DuckDBPyConnection, tables: list[str]) -> dict[str, pl.DataFrame]:
    """Each table as a frame with its columns and types and no rows (one catalogue query)."""
    if not tables:
        return {}
    found = con.execute(
        "SELECT table_name, column_name, data_type FROM duckdb_columns() "
        "WHERE schema_name = 'main' AND table_name IN (SELECT unnest(?)) "
        "ORDER BY table_name, column_index",
        [tables],
    ).fetchall()
    schemas: dict[str, dict[str, pl.DataType]] = {t: {} for t in tables}
    for table, column, dtype in found:
        schemas[table][column] = _polars_type(dtype)
    return {t: pl.DataFrame(schema=schemas[t]) for t in tables}


# ---- checks inside transactions ----------------------------------------------------------


def _read_settings(con: duckdb.DuckDBPyConnection) -> Settings:
    values = {k: v for k, v in con.execute("SELECT key, value FROM settings").fetchall()}
    fx = {c: r for c, r in con.execute("SELECT currency, rate FROM exchange_rates").fetchall()}
    return Settings.from_text(values, fx)


def _check_client_name(con: duckdb.DuckDBPyConnection, name: str, own_id: int | None) -> None:
    row = con.execute(
        "SELECT id FROM clients WHERE lower(name) = lower(?) AND id IS DISTINCT FROM ?",
        [name, own_id],
    ).fetchone()
    if row:
        raise ValidationError("name", f"a client named '{name}' already exists")


def _check_contact_name(
    con: duckdb.DuckDBPyConnection, client_id: int, name: str, own_id: int | None
) -> None:
    row = con.execute(
        "SELECT id FROM contacts WHERE client_id = ? AND lower(name) = lower(?) "
        "AND id IS DISTINCT FROM ?",
        [client_id, name, own_id],
    ).fetchone()
    if row:
        raise ValidationError("name", f"this client already has a contact named '{name}'")


def _check_contract_title(
    con: duckdb.DuckDBPyConnection, client_id: int, title: str, own_id: int | None
) -> None:
    row = con.execute(
        "SELECT id FROM contracts WHERE client_id = ? AND lower(title) = lower(?) AND id IS DISTINCT FROM ?",
        [client_id, title, own_id],
    ).fetchone()
    if row:
        raise ValidationError("title", f"this client already has a contract titled '{title}'")


def _check_seq(
    con: duckdb.DuckDBPyConnection, contract_id: int, seq: int, own_id: int | None
) -> None:
    row = con.execute(
        "SELECT id FROM milestones WHERE contract_id = ? AND seq = ? AND id IS DISTINCT FROM ?",
        [contract_id, seq, own_id],
    ).fetchone()
    if row:
        raise ValidationError("seq", f"this contract already has a milestone number {seq}")


def _check_invoice_no(con: duckdb.DuckDBPyConnection, invoice_no: str, own_id: int | None) -> None:
    """An invoice number names one invoice: refuse one another milestone already has."""
    number = (invoice_no or "").strip()
    if not number:
        return
    row = con.execute(
        "SELECT cl.name, c.title, m.seq FROM milestones m JOIN contracts c ON c.id = m.contract_id "
        "JOIN clients cl ON cl.id = c.client_id WHERE m.invoice_no = ? AND m.id IS DISTINCT FROM ?",
        [number, own_id],
    ).fetchone()
    if row:
        raise ValidationError(
            "invoice_no", f"{number} is already the invoice of {row[0]} / {row[1]} #{row[2]}"
        )


def _paid(con: duckdb.DuckDBPyConnection, milestone_id: int) -> Decimal:
    row = con.execute(
        "SELECT coalesce(sum(amount), 0) FROM payments WHERE milestone_id = ?", [milestone_id]
    ).fetchone()
    return Decimal(row[0])


def _open_amount(con: duckdb.DuckDBPyConnection, milestone_id: int) -> tuple[Decimal, Decimal, str]:
    row = fetch_dict(con, "SELECT amount, status FROM milestones WHERE id = ?", [milestone_id])
    if row is None:
        raise NotFoundError(f"there is no milestone with id {milestone_id}")
    paid = _paid(con, milestone_id)
    return row["amount"] - paid, row["amount"], row["status"]


def _check_unchanged(
    con: duckdb.DuckDBPyConnection,
    table: str,
    row_id: int,
    expected: Mapping[str, Any] | None,
    written: Mapping[str, Any],
    what: str,
) -> None:
    """Refuse an edit made on a stale copy: a written column changed since the form opened.

    ``expected`` is the row as the form read it (``Book.get``); only the columns the edit
    writes are compared, so another session's change to another field (archiving, a review)
    is no conflict. ``None`` skips the check (imports, scripts).
    """
    if expected is None:
        return
    current = fetch_dict(con, f"SELECT * FROM {table} WHERE id = ?", [row_id])
    if current is None:
        raise NotFoundError(f"this {what} no longer exists (removed elsewhere); nothing was saved")
    changed = {
        col: (expected[col], current[col])
        for col in written
        if col in expected and col in current and expected[col] != current[col]
    }
    if changed:
        raise StaleEditError(what, current, changed)
