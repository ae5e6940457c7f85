"""The book as an hledger journal at a date ``as_of`` (``milepay export DIR --format hledger``).

Pure: the book's frames in, the journal's text out (no duckdb, no files). Money is Decimal,
written with two decimals and a dot, the currency code as the commodity (``1250.00 EUR``).

Transactions, up to and including ``as_of`` (nothing later is written):

- **Invoice**, one per *billed* milestone (an invoice date on or before ``as_of``, as aging
  says), on its invoice date: ``assets:receivable:<client>`` debit, ``income:<client>`` credit,
  the milestone's amount. Milestones invoiced after ``as_of`` are not billed yet.
- **Payment**, one per payment received on or before ``as_of``, on its date: ``assets:bank``
  debit and, when the milestone was already invoiced (received on or after the invoice date),
  ``assets:receivable:<client>`` credit.
- **Advance**: a payment received *before* its milestone's invoice date, or on a milestone not
  billed at ``as_of`` (a deposit), credits ``liabilities:advances:<client>`` instead: nothing
  was owed yet. On the invoice date an **advance applied** transaction moves the advances
  received on that milestone to the receivable (``liabilities:advances:<client>`` debit,
  ``assets:receivable:<client>`` credit). Advances on milestones never billed stay liabilities.
- **Closing** of a billed milestone that is written off or cancelled: what is left of it
  (amount less payments up to ``as_of``), when above zero, leaves the receivable:
  ``expenses:bad debt:<client>`` debit for a write-off, ``income:<client>`` debit (a credit
  note) for a cancellation. The book does not record the day a milestone was closed, so the
  transaction is dated on the last thing the book knows of it: the later of its invoice date
  and its last payment up to ``as_of`` (the same date whatever day the export runs).

So at ``as_of`` the receivable of each client and currency is exactly the aging report's total
(:func:`tui.analytics.aging.aging`): the open amounts of billed milestones that are not closed.
Transactions are sorted by date, then invoice, advance applied, payment, closing, then client,
contract, seq; each balances per commodity with every amount written out.

Names: accounts are named after the client (hledger account names: colons split levels, two
spaces end the name, ``;`` starts a comment), so a client name has control characters removed,
every run of white space made one space, ``:`` replaced by ``-`` and ``;`` by ``,``; two clients
whose names come out the same get `` (id N)`` after them. Descriptions start with a fixed word
(never read as a status mark or code), and carry the invoice number, client, contract, seq and
milestone title, cleaned the same way (``:`` kept); a payment's also its reference, unless that
is the invoice number. The journal declares ``decimal-mark .``,
each currency with ``commodity 1000.00 XXX`` and every account used, so
``hledger check --strict`` accepts it.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

import polars as pl

from tui.analytics.base import CLOSED, BookData

BANK = "assets:bank"
_CENT = Decimal("0.01")


def clean_text(text: str) -> str:
    """User text for one journal line: control characters dropped (line breaks and tabs made
    spaces), white space runs made one space, ``;`` (a comment) made ``,``."""
    out = []
    for ch in text:
        if ch.isspace():
            out.append(" ")
        elif unicodedata.category(ch) not in ("Cc", "Cf"):  # Cf: bidi overrides, zero widths
            out.append(ch)
    return " ".join("".join(out).replace(";", ",").split())


def client_accounts(clients: pl.DataFrame) -> dict[int, str]:
    """Per client id, the client's part of an account name (see the module docstring)."""
    names = {}
    for cid, name in clients.select("id", "name").iter_rows():
        names[cid] = clean_text(name).replace(":", "-") or f"client {cid}"
    seen: dict[str, int] = {}
    for name in names.values():
        seen[name] = seen.get(name, 0) + 1
    return {cid: f"{n} (id {cid})" if seen[n] > 1 else n for cid, n in names.items()}


@dataclass
class _Txn:
    date: dt.date
    order: tuple
    description: str
    postings: list[tuple[str, Decimal, str]] = field(default_factory=list)


def _amount(value: Decimal) -> str:
    return format(value.quantize(_CENT), "f")


def _render(t: _Txn) -> str:
    width = max(len(a) for a, _, _ in t.postings)
    texts = [_amount(v) for _, v, _ in t.postings]
    aw = max(len(x) for x in texts)
    lines = [f"{t.date.isoformat()} {t.description}"]
    for (account, _, cur), text in zip(t.postings, texts, strict=True):
        lines.append(f"    {account:<{width}}  {text:>{aw}} {cur}")
    return "\n".join(lines) + "\n"


def _milestones(book: BookData) -> pl.DataFrame:
    """Milestones with their client, contract and currency."""
    contracts = book.contracts.select(
        pl.col("id").alias("contract_id"),
        "client_id",
        pl.col("title").alias("contract"),
        "currency",
    )
    clients = book.clients.select(pl.col("id").alias("client_id"), pl.col("name").alias("client"))
    return (
        book.milestones.select(
            pl.col("id").alias("milestone_id"),
            "contract_id",
            "seq",
            "title",
            "amount",
            "status",
            "invoice_no",
            "invoiced_on",
        )
        .join(contracts, on="contract_id", how="left")
        .join(clients, on="client_id", how="left")
    )


def hledger_journal(book: BookData, as_of: dt.date) -> str:
    """The journal text of the book at ``as_of`` (rules in the module docstring)."""
    accounts = client_accounts(book.clients)
    ms = {r["milestone_id"]: r for r in _milestones(book).iter_rows(named=True)}
    pay_cols = ["id", "milestone_id", "amount", "received_on"]
    has_ref = "reference" in book.payments.columns
    payments = book.payments.filter(pl.col("received_on") <= as_of).select(
        *pay_cols, *(["reference"] if has_ref else [])
    )
    txns: list[_Txn] = []
    advances: dict[int, Decimal] = {}
    paid: dict[int, Decimal] = {}
    last_paid: dict[int, dt.date] = {}

    def billed(m: dict) -> bool:
        return m["invoiced_on"] is not None and m["invoiced_on"] <= as_of

    def sort_key(m: dict, kind: int, extra: int = 0) -> tuple:
        name = m["client"] or ""
        contract = m["contract"] or ""
        return (
            kind,
            name.lower(),
            name,
            contract.lower(),
            contract,
            m["seq"],
            m["milestone_id"],
            extra,
        )

    def about(m: dict) -> str:
        return clean_text(f"{m['client']}: {m['contract']} #{m['seq']} {m['title']}")

    def number(m: dict) -> str:
        return clean_text(m["invoice_no"] or "") or "(no number)"

    def invoice(m: dict) -> str:
        return f"invoice {number(m)}"

    for p in payments.iter_rows(named=True):
        m = ms[p["milestone_id"]]
        mid, cur, who = m["milestone_id"], m["currency"], accounts[m["client_id"]]
        paid[mid] = paid.get(mid, Decimal(0)) + p["amount"]
        last_paid[mid] = max(last_paid.get(mid, p["received_on"]), p["received_on"])
        ref = clean_text(p.get("reference") or "")
        ref = f", reference {ref}" if ref and ref != clean_text(m["invoice_no"] or "") else ""
        if billed(m) and p["received_on"] >= m["invoiced_on"]:
            desc = f"Payment of {invoice(m)}{ref}, {about(m)}"
            credit = f"assets:receivable:{who}"
        else:
            if billed(m):  # applied on the invoice date
                advances[mid] = advances.get(mid, Decimal(0)) + p["amount"]
            desc = f"Advance payment{ref}, {about(m)}"
            credit = f"liabilities:advances:{who}"
        txns.append(
            _Txn(
                p["received_on"],
                sort_key(m, 2, p["id"]),
                desc,
                [(BANK, p["amount"], cur), (credit, -p["amount"], cur)],
            )
        )
    for m in ms.values():
        if not billed(m):
            continue
        mid, cur, who, on = (
            m["milestone_id"],
            m["currency"],
            accounts[m["client_id"]],
            m["invoiced_on"],
        )
        receivable = f"assets:receivable:{who}"
        txns.append(
            _Txn(
                on,
                sort_key(m, 0),
                f"Invoice {number(m)}, {about(m)}",
                [(receivable, m["amount"], cur), (f"income:{who}", -m["amount"], cur)],
            )
        )
        if advances.get(mid):
            txns.append(
                _Txn(
                    on,
                    sort_key(m, 1),
                    f"Advance applied to {invoice(m)}, {about(m)}",
                    [
                        (f"liabilities:advances:{who}", advances[mid], cur),
                        (receivable, -advances[mid], cur),
                    ],
                )
            )
        rest = m["amount"] - paid.get(mid, Decimal(0))
        if m["status"] in CLOSED and rest > 0:
            day = max(on, last_paid.get(mid, on))
            if m["status"] == "written_off":
                what, debit = "Written off", f"expenses:bad debt:{who}"
            else:
                what, debit = "Cancelled", f"income:{who}"
            txns.append(
                _Txn(
                    day,
                    sort_key(m, 3),
                    f"{what}: {invoice(m)}, {about(m)}",
                    [(debit, rest, cur), (receivable, -rest, cur)],
                )
            )
    txns.sort(key=lambda t: (t.date, t.order))
    currencies = sorted({cur for t in txns for _, _, cur in t.postings})
    used = sorted({a for t in txns for a, _, _ in t.postings})
    parts = [
        f"; milepay: invoices and payments up to {as_of.isoformat()}, as an hledger journal\n",
        "decimal-mark .\n",
    ]
    if currencies:
        parts.append("".join(f"commodity 1000.00 {c}\n" for c in currencies))
        parts.append("".join(f"account {a}\n" for a in used))
    parts.extend(_render(t) for t in txns)
    return "\n".join(parts)


__all__ = ["BANK", "clean_text", "client_accounts", "hledger_journal"]
