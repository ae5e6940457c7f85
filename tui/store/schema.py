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

#: The schema this program writes. A file with a higher number is refused.
SCHEMA_VERSION = 2

_MONEY = "DECIMAL(18,2)"

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

CREATE TABLE payments (
    id INTEGER PRIMARY KEY,
    milestone_id INTEGER NOT NULL REFERENCES milestones (id),
    amount {_MONEY} NOT NULL CHECK (amount > 0),
    received_on DATE NOT NULL,
    method VARCHAR NOT NULL DEFAULT '',
    reference VARCHAR NOT NULL DEFAULT ''
);

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

CREATE TABLE holds (
    id INTEGER PRIMARY KEY,
    milestone_id INTEGER NOT NULL REFERENCES milestones (id),
    reason VARCHAR NOT NULL CHECK (length(trim(reason)) > 0),
    until DATE NOT NULL,
    released_on DATE
);

CREATE TABLE change_orders (
    id INTEGER PRIMARY KEY,
    contract_id INTEGER NOT NULL REFERENCES contracts (id),
    date DATE NOT NULL,
    description VARCHAR NOT NULL CHECK (length(trim(description)) > 0),
    amount_delta {_MONEY} NOT NULL,
    status VARCHAR NOT NULL DEFAULT 'proposed'
        CHECK (status IN ('proposed', 'accepted', 'rejected'))
);

CREATE TABLE fee_claims (
    id INTEGER PRIMARY KEY,
    milestone_id INTEGER NOT NULL UNIQUE REFERENCES milestones (id),
    claimed_on DATE NOT NULL,
    amount {_MONEY} NOT NULL CHECK (amount > 0)
);

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


#: version -> the SQL that brings a book from version-1 to version (1 creates the book).
MIGRATIONS: dict[int, str] = {1: _V1, 2: _V2}

#: version -> what to tell the user once when an existing book is migrated to it
MIGRATION_NOTES: dict[int, Callable[[duckdb.DuckDBPyConnection], str | None]] = {2: _v2_note}

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
