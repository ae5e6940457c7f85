"""``milepay log`` and ``milepay undo``: the audit log from the command line (SPEC 3 and 5).

``log``
    The newest actions first: number, when (UTC), who (user@host), the action and its
    summary; an undo names the action it undid, and an action undone says so. ``--limit N``
    (default 20), ``--format table|json`` (JSON lists each action's changes too).
``undo``
    Shows what will change back (one line per row), then asks; ``--yes`` answers for a
    script. Without a terminal to ask and without ``--yes`` nothing is done (exit 1). The
    undo is itself an audited action; a second ``undo`` undoes the action before (nothing is
    ever redone silently). An action whose rows were changed again since is refused, naming
    the row.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from tui.cli import _fail, _one_line, _open_book, friendly
from tui.store.audit import action_name


def _db_option(func: Any) -> Any:
    return click.option("--db", "db", metavar="PATH", help="The book (else $MILEPAY_DB or the "
                        "config file's book).")(func)  # fmt: skip


def _book(ctx: click.Context, db: str | None) -> Any:
    return _open_book(db if db is not None else (ctx.obj or {}).get("db"), create=False)


@click.command()
@_db_option
@click.option("--limit", type=click.IntRange(1, 100000), default=20, show_default=True,
              help="How many actions, newest first.")  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)  # fmt: skip
@click.pass_context
@friendly
def log(ctx: click.Context, db: str | None, limit: int, fmt: str) -> None:
    """List the audit log: every write, newest first (who, when, what)."""
    book = _book(ctx, db)
    rows = book.audit_log(limit)
    undone = book.undone_by()  # not the whole log again: an import's entry can be large
    if fmt == "json":
        out = [
            {"id": r["id"], "at": r["logged_at"].isoformat(timespec="seconds") + "Z",
             "action": r["action"], "summary": r["summary"], "user": r["user_name"],
             "host": r["host"], "undoes": r["undoes"], "undone_by": undone.get(r["id"]),
             "changes": json.loads(r["changes"])}
            for r in rows
        ]  # fmt: skip
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("The audit log is empty: nothing was written to this book yet.")
        return
    for r in rows:
        when = r["logged_at"].strftime("%Y-%m-%d %H:%M:%S")
        action = action_name(r["action"])
        note = f" (undone by #{undone[r['id']]})" if r["id"] in undone else ""
        click.echo(_one_line(f"#{r['id']:<5} {when} UTC  {r['user_name']}@{r['host']}  "
                             f"{action}: {r['summary']}{note}"))  # fmt: skip


@click.command()
@_db_option
@click.option("--yes", is_flag=True, help="Undo without asking (for scripts).")
@click.pass_context
@friendly
def undo(ctx: click.Context, db: str | None, yes: bool) -> None:
    """Undo the last action (itself an audited write), after showing what changes back."""
    book = _book(ctx, db)
    plan = book.undo_plan()
    entry = plan.entry
    when = entry["logged_at"].strftime("%Y-%m-%d %H:%M")
    click.echo(_one_line(f"Undo #{entry['id']} {action_name(entry['action'])} of {when} UTC "
                         f"by {entry['user_name']}@{entry['host']}: {entry['summary']}"))  # fmt: skip
    for line in plan.describe():
        click.echo("  " + _one_line(line))
    if not yes:
        if not sys.stdin.isatty():
            _fail("not undone: no terminal to ask; add --yes to undo without asking")
        if not click.confirm("Undo it?", default=False):
            click.echo("Nothing changed.")
            return
    book.undo(entry["id"])
    click.echo("Undone. (milepay undo again undoes the action before it.)")
