"""The statement of account (SPEC 4.7) as plain text, for the app, the CLI and the PDF.

Amounts are client-facing: :func:`tui.domain.money.client_money` in the book's locale
(``Settings.locale``; empty gives ``2,160.00 EUR``). User text (client, contract, milestone,
invoice number) is shown as written, on one line, with control characters escaped: never
read as markup by anyone.

The total owed is the open amount of the listed milestones, per currency, and equals the
aging report's total for the client. Late fees accrued are shown on their own line and are
NOT in the total owed: they are the freelancer's claim, not yet invoiced (see
docs/rules.md#statement-of-account).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tui.analytics.statement import Statement
from tui.domain.errors import printable
from tui.domain.money import client_money

#: the table's headings, in order (the PDF draws the same columns)
HEADINGS = ["Invoice", "Invoiced", "Due", "Contract / milestone", "Amount", "Paid", "Open",
            "Days late", "Late fee"]  # fmt: skip
#: headings whose column is right-aligned
RIGHT = frozenset({"Amount", "Paid", "Open", "Days late", "Late fee"})
#: the longest "contract / milestone" cell before it is cut with an ellipsis
MAX_ITEM = 36
FEES_WORDING = "Late fees accrued (not yet invoiced, not in the total owed)"


def one_line(text: Any) -> str:
    """User text on one line (runs of white space as one space), control characters escaped."""
    return printable(" ".join(str(text or "").split()))


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def amount(stmt: Statement, value: Decimal, currency: str) -> str:
    """An amount as the client reads it, in the statement's locale."""
    return client_money(value, currency, stmt.locale)


def title_lines(stmt: Statement) -> list[str]:
    """Who is writing, to whom, at which date."""
    lines = ["Statement of account"]
    if stmt.business_name:
        lines.append(f"From: {one_line(stmt.business_name)}")
    client = one_line(stmt.client) + (" (archived)" if stmt.client_archived else "")
    lines.append(f"Client: {client}")
    lines.append(f"As of: {stmt.as_of.isoformat()}")
    return lines


def table_cells(stmt: Statement, *, cut: bool = True) -> list[list[str]]:
    """One list of cells (``HEADINGS`` order) per listed milestone."""
    out = []
    for r in stmt.rows.iter_rows(named=True):
        cur = r["currency"]
        item = f"{one_line(r['contract'])} #{r['seq']} {one_line(r['milestone'])}"
        out.append([
            one_line(r["invoice_no"]) or "-",
            r["invoiced_on"].isoformat() if r["invoiced_on"] else "-",
            r["due_date"].isoformat(),
            _cut(item, MAX_ITEM) if cut else item,
            amount(stmt, r["amount"], cur),
            amount(stmt, r["paid"], cur),
            amount(stmt, r["open"], cur),
            str(r["days_past_due"]),
            amount(stmt, r["late_fee"], cur) + (" (claimed)" if r["fee_claimed"] else ""),
        ])  # fmt: skip
    return out


def table_lines(stmt: Statement) -> list[str]:
    """The milestones as an aligned plain-text table (text left, numbers right)."""
    cells = table_cells(stmt)
    widths = [max([len(h)] + [len(row[i]) for row in cells]) for i, h in enumerate(HEADINGS)]

    def line(row: list[str]) -> str:
        parts = [c.rjust(w) if h in RIGHT else c.ljust(w)
                 for c, w, h in zip(row, widths, HEADINGS, strict=True)]  # fmt: skip
        return "  ".join(parts).rstrip()

    return [line(HEADINGS), "  ".join("-" * w for w in widths), *(line(r) for r in cells)]


def summary_lines(stmt: Statement) -> list[str]:
    """Per currency: the aging buckets, the total owed and the late fees accrued."""
    lines: list[str] = []
    for t in stmt.totals.iter_rows(named=True):
        cur = t["currency"]
        buckets = " · ".join(f"{n}: {amount(stmt, t[n], cur)}" for n in stmt.buckets)
        lines.append(f"{cur} by days past due: {buckets}")
        lines.append(f"Total owed ({cur}): {amount(stmt, t['owed'], cur)}")
        if t["late_fees"]:
            lines.append(f"{FEES_WORDING}: {amount(stmt, t['late_fees'], cur)}")
    return lines


def statement_lines(stmt: Statement) -> list[str]:
    """The whole statement as plain text lines: title, table, buckets and totals."""
    lines = [*title_lines(stmt), ""]
    if stmt.is_empty:
        lines.append("Nothing is owed: no invoiced milestone is open at this date.")
        return lines
    lines += table_lines(stmt)
    lines.append("")
    lines += summary_lines(stmt)
    return lines


def statement_text(stmt: Statement) -> str:
    """:func:`statement_lines` joined, ending with a newline."""
    return "\n".join(statement_lines(stmt)) + "\n"


__all__ = [
    "FEES_WORDING",
    "HEADINGS",
    "RIGHT",
    "amount",
    "one_line",
    "statement_lines",
    "statement_text",
    "summary_lines",
    "table_cells",
    "table_lines",
    "title_lines",
]
