"""``milepay bank import FILE``: a bank statement's credits matched to open milestones (SPEC 6).

Reading and matching are :meth:`tui.store.Book.read_statement` and
:mod:`tui.analytics.bank` (the rules are in its docstring). The command shows every line:
each proposal with its milestones, confidence and reason, the credits that matched nothing
(with why), the debits (never recorded as payments) and the lines recorded by an earlier
import. Nothing is written without ``--apply``; ``--apply`` records the unambiguous
proposals only, in one transaction (an ambiguous one is left for the app's review), and a
line recorded once is never recorded again. ``--profile NAME`` takes the columns, date
format, locale, encoding and delimiter from ``[bank.NAME]`` in the config file.

``--format json``: ``{"file", "as_of", "profile", "applied", "proposals": [{"line",
"fingerprint", "booked_on", "amount", "counterparty", "reference", "confidence", "reason",
"alternatives", "milestones": [{"milestone_id", "client", "contract", "seq", "milestone",
"invoice_no", "currency", "amount", "open"}], "recorded"}], "unmatched": [{... "reason"}],
"debits": [...], "already_recorded": [...], "recorded_payments": [ids]}``; amounts are
decimal strings with two places. Exit 0 (also when nothing matched), 1 for a file that
cannot be read exactly (the line says which line and column, and what to put in a profile).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tui.bank import read_proposals
from tui.cli import _check_path, _config, _one_line, _open_book, friendly
from tui.domain.errors import ValidationError
from tui.present.text import count

if TYPE_CHECKING:
    from tui.analytics.bank import Proposal
    from tui.config import BankProfile


@click.group("bank")
def bank() -> None:
    """Bank statements: match a statement's credits to open milestones."""


def _profile(name: str | None) -> BankProfile | None:
    """The ``[bank.NAME]`` profile of the config file (None without ``--profile``)."""
    from tui.bank import profile_named

    try:
        return profile_named(_config().bank, name)
    except ValidationError as exc:
        raise ValidationError("--profile", exc.reason) from None


@bank.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--db", "db", metavar="PATH", help="The book (else $MILEPAY_DB or the config "
              "file's book).")  # fmt: skip
@click.option("--apply", "apply_", is_flag=True, help="Record the unambiguous matches.")
@click.option("--profile", "profile_name", metavar="NAME", help="A [bank.NAME] profile.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)  # fmt: skip
@click.pass_context
@friendly
def import_statement(ctx: click.Context, file: Path, db: str | None, apply_: bool,
                     profile_name: str | None, fmt: str) -> None:  # fmt: skip
    """Match FILE's credits to open billed milestones; record them only with --apply."""
    _check_path(str(file), "FILE")
    profile = _profile(profile_name)
    book = _open_book(db if db is not None else (ctx.obj or {}).get("db"), create=False)
    proposals = read_proposals(book, file.expanduser(), profile)
    recorded_ids: list[int] = []
    applied = [p for p in proposals if p.applicable] if apply_ else []
    if applied:
        recorded_ids = book.record_bank_matches([p.as_record() for p in applied])
    done = {p.fingerprint for p in applied}
    if fmt == "json":
        click.echo(json.dumps(_json(file, book, profile, proposals, done, recorded_ids, apply_),
                              indent=2, ensure_ascii=False))  # fmt: skip
        return
    for line in _table(file, proposals, done, recorded_ids, apply_):
        click.echo(_one_line(line))


def _json(file: Path, book: Any, profile: BankProfile | None, proposals: list[Proposal],
          done: set[str], ids: list[int], apply_: bool) -> dict[str, Any]:  # fmt: skip
    def of(status: str) -> list[dict[str, Any]]:
        return [p.as_json() for p in proposals if p.status == status]

    matches = [p.as_json() | {"recorded": p.fingerprint in done}
               for p in proposals if p.status == "match"]  # fmt: skip
    return {"file": str(file), "as_of": book.settings().today().isoformat(),
            "profile": profile.name if profile is not None else None, "applied": apply_,
            "proposals": matches, "unmatched": of("unmatched"), "debits": of("debit"),
            "already_recorded": of("recorded"), "recorded_payments": ids}  # fmt: skip


def _head(p: Proposal) -> str:
    from tui.domain.money import format_amount

    who = f"  {p.counterparty}" if p.counterparty else ""
    ref = f"  \u00ab{p.reference}\u00bb" if p.reference else ""
    return f"  line {p.line}  {p.booked_on.isoformat()}  {format_amount(p.amount)}{who}{ref}"


def _table(file: Path, proposals: list[Proposal], done: set[str], ids: list[int],
           apply_: bool) -> list[str]:  # fmt: skip
    from tui.domain.money import format_amount

    by = {s: [p for p in proposals if p.status == s]
          for s in ("match", "unmatched", "debit", "recorded")}  # fmt: skip
    out = [f"Statement {file}: {count(len(proposals), 'line')}, {len(by['match'])} proposed, "
           f"{len(by['unmatched'])} unmatched, {count(len(by['debit']), 'debit')}, "
           f"{len(by['recorded'])} recorded before"]  # fmt: skip
    if by["match"]:
        out.append("Proposals:")
    for p in by["match"]:
        mark = " (recorded now)" if p.fingerprint in done else ""
        out.append(f"{_head(p)}{mark}")
        out.append(f"    {p.confidence}: {p.reason}")
        for a in p.allocations:
            label = f" ({a.invoice_no})" if a.invoice_no else ""
            out.append(f"    -> {a.client} / {a.contract} #{a.seq} {a.milestone}{label}: "
                       f"{format_amount(a.amount)} {a.currency} of {format_amount(a.open)} open")  # fmt: skip
    sections = (("unmatched", "Unmatched credits:"), ("debit", "Debits (never payments):"),
                ("recorded", "Recorded by an earlier import (skipped):"))  # fmt: skip
    for status, title in sections:
        if by[status]:
            out.append(title)
        for p in by[status]:
            out.append(_head(p) + (f"\n    {p.reason}" if status == "unmatched" else ""))
    ambiguous = sum(1 for p in by["match"] if not p.applicable)
    if apply_:
        out.append(f"Recorded {len(ids)} payment{'s' if len(ids) != 1 else ''} for "
                   f"{len(done)} statement line{'s' if len(done) != 1 else ''}.")  # fmt: skip
        if ambiguous:
            out.append(f"{ambiguous} ambiguous proposal{'s' if ambiguous != 1 else ''} not "
                       "recorded: record them by hand on the milestones screen.")  # fmt: skip
    elif by["match"]:
        ready = len(by["match"]) - ambiguous
        out.append(f"Nothing recorded. --apply records the {ready} unambiguous proposal"
                   f"{'s' if ready != 1 else ''}.")  # fmt: skip
    return [line for chunk in out for line in chunk.split("\n")]


__all__ = ["bank", "read_proposals"]
