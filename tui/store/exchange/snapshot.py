"""The book as it is before the import, keyed by natural keys."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb

from tui.store.exchange.spec import CHANGE_ORDERS, CHASE, EXPENSES, HOLDS, PAYMENTS, Key, _norm
from tui.store.rows import fetch_dicts


def _counter(con: duckdb.DuckDBPyConnection) -> int:
    return int(
        con.execute("SELECT value FROM book_meta WHERE key = 'change_counter'").fetchone()[0]
    )


@dataclass
class _Snapshot:
    """What the import needs to know about the book, keyed by natural keys."""

    counter: int
    #: table -> natural key -> row (as a dict with its id)
    rows: dict[str, dict[Key, dict[str, Any]]]
    #: milestone key -> sum of its payments in the book
    paid: dict[Key, Decimal]
    #: table -> Counter of identity tuples of keyless rows (only read with --update)
    identities: dict[str, Counter[Key]]
    settings: dict[str, str]
    fx: dict[str, Decimal]
    reference_rates: dict[Key, Decimal]
    templates: dict[Key, tuple[str, str]]
    max_ids: dict[str, int]


def _snapshot(con: duckdb.DuckDBPyConnection, update: bool) -> _Snapshot:
    counter = _counter(con)
    clients = fetch_dicts(con, "SELECT * FROM clients ORDER BY id")
    client_key = {r["id"]: (_norm(r["name"]),) for r in clients}
    contracts = fetch_dicts(con, "SELECT * FROM contracts ORDER BY id")
    contract_key = {r["id"]: (*client_key[r["client_id"]], _norm(r["title"])) for r in contracts}
    milestones = fetch_dicts(con, "SELECT * FROM milestones ORDER BY id")
    milestone_key = {r["id"]: (*contract_key[r["contract_id"]], r["seq"]) for r in milestones}
    contacts = fetch_dicts(con, "SELECT * FROM contacts ORDER BY id")
    claims = fetch_dicts(con, "SELECT * FROM fee_claims ORDER BY id")
    rows: dict[str, dict[Key, dict[str, Any]]] = {
        "clients": {client_key[r["id"]]: r for r in clients},
        "contracts": {contract_key[r["id"]]: r for r in contracts},
        "milestones": {milestone_key[r["id"]]: r for r in milestones},
        "contacts": {},
        "fee_claims": {milestone_key[r["milestone_id"]]: r for r in claims},
    }
    for r in contacts:  # the book may hold two contacts of one name: the first is updated
        rows["contacts"].setdefault((*client_key[r["client_id"]], _norm(r["name"])), r)
    paid = {
        milestone_key[mid]: Decimal(total)
        for mid, total in con.execute(
            "SELECT milestone_id, sum(amount) FROM payments GROUP BY milestone_id"
        ).fetchall()
    }
    identities: dict[str, Counter[Key]] = {}
    if update:
        parents = {1: client_key, 2: contract_key, 3: milestone_key}
        for spec in (PAYMENTS, CHASE, HOLDS, CHANGE_ORDERS, EXPENSES):
            counter_ = identities.setdefault(spec.table, Counter())
            for r in fetch_dicts(con, f"SELECT * FROM {spec.table}"):
                parent = parents[len(spec.refs)][r[spec.parent_column]] if spec.refs else ()
                counter_[(parent, tuple(r[c] for c in spec.fields))] += 1
    max_ids = {
        t: int(con.execute(f"SELECT coalesce(max(id), 0) FROM {t}").fetchone()[0])
        for t in ("clients", "contacts", "contracts", "milestones", "payments", "chase_events",
                  "holds", "change_orders", "fee_claims", "expenses")
    }  # fmt: skip
    return _Snapshot(
        counter=counter,
        rows=rows,
        paid=paid,
        identities=identities,
        settings=dict(con.execute("SELECT key, value FROM settings").fetchall()),
        fx=dict(con.execute("SELECT currency, rate FROM exchange_rates").fetchall()),
        reference_rates={
            (p, d): r for p, d, r in con.execute("SELECT * FROM reference_rates").fetchall()
        },
        templates={
            (s,): (a, b) for s, a, b in con.execute("SELECT * FROM message_templates").fetchall()
        },
        max_ids=max_ids,
    )
