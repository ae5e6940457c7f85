"""The DuckDB schema of a book and its migrations.

Design notes (DuckDB 2.0):
- Money is DECIMAL(18,2); percentages DECIMAL(9,4); exchange rates DECIMAL(18,8).
- Ids are plain INTEGER primary keys assigned by the store as max(id)+1 inside the write
  transaction. Only one process can hold the file at a time, and the store serialises its own
  threads, so there is exactly one writer and no sequence is needed (bulk imports can then
  assign ids to rows that refer to each other before inserting them).
- Natural keys (client name, contract title per client, milestone seq per contract) are not
  UNIQUE constraints: DuckDB refuses to UPDATE an indexed column of a row that a foreign key
  refers to (it is a delete and insert inside the index), which would make renaming a client
  impossible. The store checks them inside the write transaction instead.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from tui.domain.model import DEFAULT_TEMPLATES
from tui.domain.reference_rates import SHIPPED_REFERENCE_RATES

#: The schema this program writes. A file with a higher number is refused.
SCHEMA_VERSION = 5

_MONEY = "DECIMAL(18,2)"

# Tables that refer to milestones: version 3 rebuilds milestones, so it drops and recreates
# them with the same definition as version 1.
_PAYMENTS = f"""CREATE TABLE payments (
    id INTEGER PRIMARY KEY,
    milestone_id INTEGER NOT NULL REFERENCES milestones (id),
    amount {_MONEY} NOT NULL CHECK (amount > 0),
    received_on DATE NOT NULL,
    method VARCHAR NOT NULL DEFAULT '',
    reference VARCHAR NOT NULL DEFAULT ''
);
"""
_HOLDS = """CREATE TABLE holds (
    id INTEGER PRIMARY KEY,
    milestone_id INTEGER NOT NULL REFERENCES milestones (id),
    reason VARCHAR NOT NULL CHECK (length(trim(reason)) > 0),
    until DATE NOT NULL,
    released_on DATE
);
"""
_FEE_CLAIMS = f"""CREATE TABLE fee_claims (
    id INTEGER PRIMARY KEY,
    milestone_id INTEGER NOT NULL UNIQUE REFERENCES milestones (id),
    claimed_on DATE NOT NULL,
    amount {_MONEY} NOT NULL CHECK (amount > 0)
);
"""

_V1 = f"""
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE book_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);

CREATE TABLE clients (
    id INTEGER PRIMARY KEY,
    name VARCHAR NOT NULL CHECK (length(trim(name)) > 0),
    email VARCHAR NOT NULL DEFAULT '',
    phone VARCHAR NOT NULL DEFAULT '',
    address VARCHAR NOT NULL DEFAULT '',
    notes VARCHAR NOT NULL DEFAULT '',
    work_again VARCHAR NOT NULL DEFAULT 'undecided'
        CHECK (work_again IN ('yes', 'no', 'undecided')),
    rating INTEGER CHECK (rating BETWEEN 1 AND 5),
    feedback VARCHAR NOT NULL DEFAULT '',
    archived BOOLEAN NOT NULL DEFAULT false
);

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    client_id INTEGER NOT NULL REFERENCES clients (id),
    name VARCHAR NOT NULL CHECK (length(trim(name)) > 0),
    role VARCHAR NOT NULL CHECK (role IN ('main', 'payer', 'owner')),
    email VARCHAR NOT NULL DEFAULT '',
    phone VARCHAR NOT NULL DEFAULT ''
);

CREATE TABLE contracts (
    id INTEGER PRIMARY KEY,
    client_id INTEGER NOT NULL REFERENCES clients (id),
    title VARCHAR NOT NULL CHECK (length(trim(title)) > 0),
    currency VARCHAR NOT NULL CHECK (regexp_full_match(currency, '[A-Z]{{3}}')),
    total_fee {_MONEY} NOT NULL CHECK (total_fee >= 0),
    start_date DATE,
    end_date DATE,
    signed_on DATE,
    status VARCHAR NOT NULL DEFAULT 'active'
        CHECK (status IN ('draft', 'active', 'paused', 'completed', 'cancelled')),
    payment_terms_days INTEGER NOT NULL DEFAULT 30 CHECK (payment_terms_days >= 0),
    late_fee_kind VARCHAR NOT NULL DEFAULT 'none'
        CHECK (late_fee_kind IN ('none', 'flat', 'percent', 'monthly', 'annual', 'statutory')),
    late_fee_value DECIMAL(18,4) NOT NULL DEFAULT 0 CHECK (late_fee_value >= 0),
    late_fee_fixed {_MONEY} NOT NULL DEFAULT 0 CHECK (late_fee_fixed >= 0),
    late_fee_preset VARCHAR CHECK (late_fee_preset IN ('uk', 'eu')),
    grace_days INTEGER NOT NULL DEFAULT 0 CHECK (grace_days >= 0),
    acceptance_days INTEGER NOT NULL DEFAULT 14 CHECK (acceptance_days >= 0),
    red_flags VARCHAR NOT NULL DEFAULT '',
    notes VARCHAR NOT NULL DEFAULT '',
    archived BOOLEAN NOT NULL DEFAULT false
);

CREATE TABLE milestones (
    id INTEGER PRIMARY KEY,
    contract_id INTEGER NOT NULL REFERENCES contracts (id),
    seq INTEGER NOT NULL CHECK (seq >= 1),
    title VARCHAR NOT NULL CHECK (length(trim(title)) > 0),
    amount {_MONEY} NOT NULL CHECK (amount > 0),
    due_date DATE NOT NULL,
    status VARCHAR NOT NULL DEFAULT 'planned' CHECK (status IN
        ('planned', 'in_progress', 'delivered', 'invoiced', 'disputed', 'written_off', 'cancelled')),
    progress INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    invoice_no VARCHAR NOT NULL DEFAULT '',
    invoiced_on DATE,
    delivered_on DATE
);

{_PAYMENTS}
CREATE TABLE chase_events (
    id INTEGER PRIMARY KEY,
    milestone_id INTEGER NOT NULL REFERENCES milestones (id),
    date DATE NOT NULL,
    step VARCHAR NOT NULL CHECK (step IN ('reminder', 'firm', 'escalate', 'legal')),
    channel VARCHAR NOT NULL DEFAULT 'email'
        CHECK (channel IN ('email', 'phone', 'letter', 'message', 'other')),
    contact VARCHAR NOT NULL DEFAULT '',
    note VARCHAR NOT NULL DEFAULT '',
    message VARCHAR NOT NULL DEFAULT ''
);

{_HOLDS}
CREATE TABLE change_orders (
    id INTEGER PRIMARY KEY,
    contract_id INTEGER NOT NULL REFERENCES contracts (id),
    date DATE NOT NULL,
    description VARCHAR NOT NULL CHECK (length(trim(description)) > 0),
    amount_delta {_MONEY} NOT NULL,
    status VARCHAR NOT NULL DEFAULT 'proposed'
        CHECK (status IN ('proposed', 'accepted', 'rejected'))
);

{_FEE_CLAIMS}
CREATE TABLE expenses (
    id INTEGER PRIMARY KEY,
    name VARCHAR NOT NULL CHECK (length(trim(name)) > 0),
    amount {_MONEY} NOT NULL CHECK (amount > 0),
    currency VARCHAR NOT NULL CHECK (regexp_full_match(currency, '[A-Z]{{3}}')),
    cadence VARCHAR NOT NULL
        CHECK (cadence IN ('once', 'weekly', 'monthly', 'quarterly', 'yearly')),
    next_date DATE NOT NULL,
    end_date DATE
);

CREATE TABLE settings (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);

CREATE TABLE exchange_rates (
    currency VARCHAR PRIMARY KEY CHECK (regexp_full_match(currency, '[A-Z]{{3}}')),
    rate DECIMAL(18,8) NOT NULL CHECK (rate > 0)
);

CREATE TABLE reference_rates (
    preset VARCHAR NOT NULL CHECK (preset IN ('uk', 'eu')),
    valid_from DATE NOT NULL,
    rate DECIMAL(9,4) NOT NULL CHECK (rate >= 0),
    PRIMARY KEY (preset, valid_from)
);

CREATE TABLE message_templates (
    step VARCHAR PRIMARY KEY CHECK (step IN ('reminder', 'firm', 'escalate', 'legal')),
    subject VARCHAR NOT NULL,
    body VARCHAR NOT NULL
);

INSERT INTO book_meta VALUES ('change_counter', '0');
"""

#: Settings that left the book in version 2: preferences of one person on one machine (theme,
#: message folder) and mail, which now live in the config file (SPEC 2). Mail settings must
#: never come from a book: an imported ``settings.csv`` could point the next send, with the
#: user's password, at someone else's server.
MOVED_TO_CONFIG = (
    "theme",
    "message_folder",
    "smtp_host",
    "smtp_port",
    "smtp_security",
    "smtp_user",
    "smtp_from",
    "smtp_password_file",
)

_V2 = f"""
DELETE FROM settings WHERE key IN ({", ".join(f"'{k}'" for k in MOVED_TO_CONFIG)});
"""


def _v2_note(con: duckdb.DuckDBPyConnection) -> str | None:
    """Tell the user once which mail settings the migration removed from the book."""
    rows = con.execute(
        "SELECT key, value FROM settings WHERE key LIKE 'smtp_%' AND value <> '' ORDER BY key"
    ).fetchall()
    if not rows:
        return None
    held = (
        ", ".join(f"{k[5:]} = {v}" for k, v in rows if k != "smtp_password_file")
        or "a password file"
    )
    return (
        f"Mail settings are no longer kept in the book: it held {held}. They were removed; "
        "set mail in the [mail] table of your milepay config file (milepay where shows it)."
    )


#: what version 3 moves: invoiced milestones whose due date is before their invoice date (the
#: planned date kept when they were invoiced under version 2) get invoice date + terms
_V3_DUE_FIX = """
FROM milestones m JOIN contracts c ON c.id = m.contract_id
WHERE m.invoiced_on IS NOT NULL AND m.due_date < m.invoiced_on
"""


def _v3_note(con: duckdb.DuckDBPyConnection) -> str | None:
    """Tell the user once which due dates version 3 moved to invoice date + payment terms."""
    rows = con.execute(
        "SELECT m.invoice_no, m.title, m.due_date, m.invoiced_on + c.payment_terms_days "
        + _V3_DUE_FIX
        + " ORDER BY m.invoiced_on, m.id"
    ).fetchall()
    if not rows:
        return None
    shown = "; ".join(
        f"{no or title}: {old.isoformat()} -> {new.isoformat()}" for no, title, old, new in rows[:5]
    )
    more = f" and {len(rows) - 5} more" if len(rows) > 5 else ""
    return (
        f"{len(rows)} invoiced milestone(s) had a due date before their invoice date (the "
        f"planned date); the due date is now the invoice date plus the contract's payment "
        f"terms: {shown}{more}. Check the due dates of your open invoices; the book before "
        "this change is kept beside it (.v2.bak)."
    )


def _v3_data(con: duckdb.DuckDBPyConnection) -> None:
    """What a book gains at version 3: due dates from the terms, the ``upcoming`` template,
    newer rates.

    Reference rates the user entered or edited are left alone: only shipped rates dated after
    the book's newest one for that preset are added, so a user who deleted an old rate does
    not get it back. A template the user already has is never replaced.
    """
    rates = list(SHIPPED_REFERENCE_RATES)
    con.execute(  # one statement: the newest date per preset is taken before any insert
        "INSERT INTO reference_rates SELECT v.preset, v.day, v.rate FROM (VALUES "
        + ", ".join("(?, ?::DATE, ?::DECIMAL(9,4))" for _ in rates)
        + ") AS v(preset, day, rate) WHERE v.day > coalesce((SELECT max(valid_from) FROM "
        "reference_rates r WHERE r.preset = v.preset), DATE '0001-01-01')",
        [x for row in rates for x in row],
    )
    con.execute(
        "UPDATE milestones SET due_date = fix.due FROM (SELECT m.id, "
        "m.invoiced_on + c.payment_terms_days AS due " + _V3_DUE_FIX + ") AS fix "
        "WHERE milestones.id = fix.id"
    )
    subject, body = DEFAULT_TEMPLATES["upcoming"]
    con.execute(
        "INSERT INTO message_templates SELECT 'upcoming', ?, ? WHERE NOT EXISTS "
        "(SELECT 1 FROM message_templates WHERE step = 'upcoming')",
        [subject, body],
    )


#: Version 3 (SPEC revision 2): sequence numbers from 0 (a deposit is often milestone 0), a
#: promise to pay on a milestone (date and note), the ``upcoming`` chase step (a friendly note
#: before the due date) in the chase log and the templates, an expense ``category`` (``tax``
#: marks tax payments), and reference rates up to the last shipped. DuckDB cannot change a CHECK constraint in place, and cannot drop a table that
#: another refers to, so milestones and the four tables that refer to it are copied aside,
#: dropped children first, recreated and filled again, inside the migration's transaction.
_V3 = f"""
CREATE TEMP TABLE _v3_milestones AS SELECT * FROM milestones;
CREATE TEMP TABLE _v3_payments AS SELECT * FROM payments;
CREATE TEMP TABLE _v3_chase_events AS SELECT * FROM chase_events;
CREATE TEMP TABLE _v3_holds AS SELECT * FROM holds;
CREATE TEMP TABLE _v3_fee_claims AS SELECT * FROM fee_claims;
CREATE TEMP TABLE _v3_templates AS SELECT * FROM message_templates;
DROP TABLE fee_claims;
DROP TABLE holds;
DROP TABLE chase_events;
DROP TABLE payments;
DROP TABLE milestones;
DROP TABLE message_templates;

CREATE TABLE milestones (
    id INTEGER PRIMARY KEY,
    contract_id INTEGER NOT NULL REFERENCES contracts (id),
    seq INTEGER NOT NULL CHECK (seq >= 0),
    title VARCHAR NOT NULL CHECK (length(trim(title)) > 0),
    amount {_MONEY} NOT NULL CHECK (amount > 0),
    due_date DATE NOT NULL,
    status VARCHAR NOT NULL DEFAULT 'planned' CHECK (status IN
        ('planned', 'in_progress', 'delivered', 'invoiced', 'disputed', 'written_off', 'cancelled')),
    progress INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    invoice_no VARCHAR NOT NULL DEFAULT '',
    invoiced_on DATE,
    delivered_on DATE,
    promised_on DATE,
    promise_note VARCHAR NOT NULL DEFAULT ''
);
INSERT INTO milestones SELECT *, NULL, '' FROM _v3_milestones;
{_PAYMENTS}
INSERT INTO payments SELECT * FROM _v3_payments;
CREATE TABLE chase_events (
    id INTEGER PRIMARY KEY,
    milestone_id INTEGER NOT NULL REFERENCES milestones (id),
    date DATE NOT NULL,
    step VARCHAR NOT NULL
        CHECK (step IN ('upcoming', 'reminder', 'firm', 'escalate', 'legal')),
    channel VARCHAR NOT NULL DEFAULT 'email'
        CHECK (channel IN ('email', 'phone', 'letter', 'message', 'other')),
    contact VARCHAR NOT NULL DEFAULT '',
    note VARCHAR NOT NULL DEFAULT '',
    message VARCHAR NOT NULL DEFAULT ''
);
INSERT INTO chase_events SELECT * FROM _v3_chase_events;
{_HOLDS}
INSERT INTO holds SELECT * FROM _v3_holds;
{_FEE_CLAIMS}
INSERT INTO fee_claims SELECT * FROM _v3_fee_claims;
CREATE TABLE message_templates (
    step VARCHAR PRIMARY KEY
        CHECK (step IN ('upcoming', 'reminder', 'firm', 'escalate', 'legal')),
    subject VARCHAR NOT NULL,
    body VARCHAR NOT NULL
);
INSERT INTO message_templates SELECT * FROM _v3_templates;
DROP TABLE _v3_milestones;
DROP TABLE _v3_payments;
DROP TABLE _v3_chase_events;
DROP TABLE _v3_holds;
DROP TABLE _v3_fee_claims;
DROP TABLE _v3_templates;
ALTER TABLE expenses ADD COLUMN category VARCHAR NOT NULL DEFAULT '';
"""


#: Version 4 (issue 12): a milestone's ``invoice_file`` (the invoice PDF chase messages attach)
#: and a contract's ``document`` (the signed contract, attached when escalating). DuckDB cannot
#: add a column to a table another refers to, so contracts, milestones and every table under
#: them are copied aside, dropped children first, recreated with the new column last, and
#: filled again, inside the migration's transaction (as version 3 did for milestones).
_V4 = f"""
CREATE TEMP TABLE _v4_contracts AS SELECT * FROM contracts;
CREATE TEMP TABLE _v4_change_orders AS SELECT * FROM change_orders;
CREATE TEMP TABLE _v4_milestones AS SELECT * FROM milestones;
CREATE TEMP TABLE _v4_payments AS SELECT * FROM payments;
CREATE TEMP TABLE _v4_chase_events AS SELECT * FROM chase_events;
CREATE TEMP TABLE _v4_holds AS SELECT * FROM holds;
CREATE TEMP TABLE _v4_fee_claims AS SELECT * FROM fee_claims;
DROP TABLE fee_claims;
DROP TABLE holds;
DROP TABLE chase_events;
DROP TABLE payments;
DROP TABLE milestones;
DROP TABLE change_orders;
DROP TABLE contracts;

CREATE TABLE contracts (
    id INTEGER PRIMARY KEY,
    client_id INTEGER NOT NULL REFERENCES clients (id),
    title VARCHAR NOT NULL CHECK (length(trim(title)) > 0),
    currency VARCHAR NOT NULL CHECK (regexp_full_match(currency, '[A-Z]{{3}}')),
    total_fee {_MONEY} NOT NULL CHECK (total_fee >= 0),
    start_date DATE,
    end_date DATE,
    signed_on DATE,
    status VARCHAR NOT NULL DEFAULT 'active'
        CHECK (status IN ('draft', 'active', 'paused', 'completed', 'cancelled')),
    payment_terms_days INTEGER NOT NULL DEFAULT 30 CHECK (payment_terms_days >= 0),
    late_fee_kind VARCHAR NOT NULL DEFAULT 'none'
        CHECK (late_fee_kind IN ('none', 'flat', 'percent', 'monthly', 'annual', 'statutory')),
    late_fee_value DECIMAL(18,4) NOT NULL DEFAULT 0 CHECK (late_fee_value >= 0),
    late_fee_fixed {_MONEY} NOT NULL DEFAULT 0 CHECK (late_fee_fixed >= 0),
    late_fee_preset VARCHAR CHECK (late_fee_preset IN ('uk', 'eu')),
    grace_days INTEGER NOT NULL DEFAULT 0 CHECK (grace_days >= 0),
    acceptance_days INTEGER NOT NULL DEFAULT 14 CHECK (acceptance_days >= 0),
    red_flags VARCHAR NOT NULL DEFAULT '',
    notes VARCHAR NOT NULL DEFAULT '',
    archived BOOLEAN NOT NULL DEFAULT false,
    document VARCHAR NOT NULL DEFAULT ''
);
INSERT INTO contracts SELECT *, '' FROM _v4_contracts;
CREATE TABLE change_orders (
    id INTEGER PRIMARY KEY,
    contract_id INTEGER NOT NULL REFERENCES contracts (id),
    date DATE NOT NULL,
    description VARCHAR NOT NULL CHECK (length(trim(description)) > 0),
    amount_delta {_MONEY} NOT NULL,
    status VARCHAR NOT NULL DEFAULT 'proposed'
        CHECK (status IN ('proposed', 'accepted', 'rejected'))
);
INSERT INTO change_orders SELECT * FROM _v4_change_orders;
CREATE TABLE milestones (
    id INTEGER PRIMARY KEY,
    contract_id INTEGER NOT NULL REFERENCES contracts (id),
    seq INTEGER NOT NULL CHECK (seq >= 0),
    title VARCHAR NOT NULL CHECK (length(trim(title)) > 0),
    amount {_MONEY} NOT NULL CHECK (amount > 0),
    due_date DATE NOT NULL,
    status VARCHAR NOT NULL DEFAULT 'planned' CHECK (status IN
        ('planned', 'in_progress', 'delivered', 'invoiced', 'disputed', 'written_off', 'cancelled')),
    progress INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    invoice_no VARCHAR NOT NULL DEFAULT '',
    invoiced_on DATE,
    delivered_on DATE,
    promised_on DATE,
    promise_note VARCHAR NOT NULL DEFAULT '',
    invoice_file VARCHAR NOT NULL DEFAULT ''
);
INSERT INTO milestones SELECT *, '' FROM _v4_milestones;
{_PAYMENTS}
INSERT INTO payments SELECT * FROM _v4_payments;
CREATE TABLE chase_events (
    id INTEGER PRIMARY KEY,
    milestone_id INTEGER NOT NULL REFERENCES milestones (id),
    date DATE NOT NULL,
    step VARCHAR NOT NULL
        CHECK (step IN ('upcoming', 'reminder', 'firm', 'escalate', 'legal')),
    channel VARCHAR NOT NULL DEFAULT 'email'
        CHECK (channel IN ('email', 'phone', 'letter', 'message', 'other')),
    contact VARCHAR NOT NULL DEFAULT '',
    note VARCHAR NOT NULL DEFAULT '',
    message VARCHAR NOT NULL DEFAULT ''
);
INSERT INTO chase_events SELECT * FROM _v4_chase_events;
{_HOLDS}
INSERT INTO holds SELECT * FROM _v4_holds;
{_FEE_CLAIMS}
INSERT INTO fee_claims SELECT * FROM _v4_fee_claims;
DROP TABLE _v4_contracts;
DROP TABLE _v4_change_orders;
DROP TABLE _v4_milestones;
DROP TABLE _v4_payments;
DROP TABLE _v4_chase_events;
DROP TABLE _v4_holds;
DROP TABLE _v4_fee_claims;
"""


#: The message templates milepay shipped up to version 3, word for word. They said "The invoice
#: is attached" whether or not anything was (nothing ever was). Version 4 replaces a book's
#: template that is still exactly one of these with today's default (which says what is
#: attached through ``$attachments``); a template the user wrote is never replaced, only named.
_V3_TEMPLATES: dict[str, tuple[str, str]] = {
    "upcoming": (
        "Coming up: $milestone is due on $due_date",
        'Dear $contact,\n\nA short note ahead of time: the milestone "$milestone" for $client '
        "(invoice $invoice_no, $amount) falls due on $due_date. If anything is missing for "
        "it to be paid on time, please let me know.\n\nKind regards,\n$business_name",
    ),
    "reminder": (
        "Reminder: $milestone was due on $due_date",
        'Dear $contact,\n\nA friendly reminder that the milestone "$milestone" for $client '
        "(invoice $invoice_no, $amount) was due on $due_date. The invoice is attached.\n"
        "Could you let me know when payment will be made?\n\nKind regards,\n$business_name",
    ),
    "firm": (
        "Overdue: $milestone, $days_past_due days past due",
        'Dear $contact,\n\nThe milestone "$milestone" (invoice $invoice_no, $amount) is now '
        "$days_past_due days past its due date of $due_date. I have paused work on the "
        "project until it is paid.\nAccrued late fee so far: $late_fee.\n\nRegards,\n$business_name",
    ),
    "escalate": (
        "Unpaid invoice $invoice_no for $client",
        "Dear $contact,\n\nI am writing to you directly because invoice $invoice_no for "
        '"$milestone" ($amount, due $due_date) remains unpaid after $days_past_due days, '
        "despite reminders. The invoice and the contract are attached.\nPlease arrange payment "
        "or tell me when it will be made.\n\nRegards,\n$business_name",
    ),
    "legal": (
        "Final notice before legal action: invoice $invoice_no",
        'Dear $contact,\n\nInvoice $invoice_no for "$milestone" ($amount, due $due_date) is '
        "$days_past_due days overdue. Late fees of $late_fee have accrued. Unless payment is "
        "received within 7 days I will start proceedings to recover the debt.\n\n$business_name",
    ),
}


def _v4_data(con: duckdb.DuckDBPyConnection) -> None:
    """Replace templates still exactly as shipped before version 4 with today's defaults."""
    for step, (old_subject, old_body) in _V3_TEMPLATES.items():
        subject, body = DEFAULT_TEMPLATES[step]
        con.execute(
            "UPDATE message_templates SET subject = ?, body = ? "
            "WHERE step = ? AND subject = ? AND body = ?",
            [subject, body, step, old_subject, old_body],
        )


def _v4_note(con: duckdb.DuckDBPyConnection) -> str | None:
    """Name the user's own templates that claim an attachment without ``$attachments``."""
    rows = con.execute("SELECT step, subject, body FROM message_templates ORDER BY step").fetchall()
    own = [
        step
        for step, subject, body in rows
        if (subject, body) != _V3_TEMPLATES.get(step)
        and "attach" in body.lower()
        and "$attachments" not in body
        and "${attachments}" not in body
    ]
    if not own:
        return None
    return (
        "Chase messages can now attach the invoice file and the contract. Your own "
        f"template(s) for {', '.join(own)} say something is attached but do not use "
        "$attachments, which names what really is: edit them in settings (9)."
    )


#: Version 5 (issue 13): the audit log (every write, in its own transaction: when, which
#: action, who, the rows before and after; append-only, see ``tui.store.audit``) and the bank
#: statement lines already recorded (a line's fingerprint is recorded once, whatever later
#: statements overlap; the payment it became, if any, is kept for the record, not as a
#: reference: deleting that payment does not make the line importable again).
_V5 = """
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    logged_at TIMESTAMP NOT NULL,
    action VARCHAR NOT NULL,
    summary VARCHAR NOT NULL DEFAULT '',
    user_name VARCHAR NOT NULL DEFAULT '',
    host VARCHAR NOT NULL DEFAULT '',
    changes VARCHAR NOT NULL,
    undoes INTEGER
);
CREATE TABLE bank_lines (
    fingerprint VARCHAR PRIMARY KEY,
    recorded_on DATE NOT NULL,
    payment_id INTEGER,
    booked_on DATE,
    amount DECIMAL(18,2),
    counterparty VARCHAR NOT NULL DEFAULT '',
    reference VARCHAR NOT NULL DEFAULT ''
);
"""


#: version -> the SQL that brings a book from version-1 to version (1 creates the book).
MIGRATIONS: dict[int, str] = {1: _V1, 2: _V2, 3: _V3, 4: _V4, 5: _V5}

#: version -> what to tell the user once when an existing book is migrated to it
MIGRATION_NOTES: dict[int, Callable[[duckdb.DuckDBPyConnection], str | None]] = {
    2: _v2_note,
    3: _v3_note,
    4: _v4_note,
}

#: version -> what a book gains at that version besides the SQL (new books run it too)
MIGRATION_DATA: dict[int, Callable[[duckdb.DuckDBPyConnection], None]] = {
    3: _v3_data,
    4: _v4_data,
}

#: Tables in the order a book is written (parents before children).
TABLES: tuple[str, ...] = (
    "clients",
    "contacts",
    "contracts",
    "milestones",
    "payments",
    "chase_events",
    "holds",
    "change_orders",
    "fee_claims",
    "expenses",
    "settings",
    "exchange_rates",
    "reference_rates",
    "message_templates",
)
