"""Chase messages from the book: which are due, what they attach, one draft per message.

The app's composer and ``milepay chase`` build messages here, so both send the same text
with the same attachments (without Textual; the text itself is :mod:`tui.mail`).

What is attached (SPEC 4.4)
    Every message attaches the invoice file of each milestone it is about, when the
    milestone has one; ``escalate`` and ``legal`` also attach the contract's signed
    ``document``. A statement of account can be added to any message. A file that is set but
    missing or unreadable stops the save or the send with a message naming it, before
    anything is written, sent or logged (:func:`tui.mail.check_attachments`).
One message for several milestones
    Milestones of one client with the same step due now for the same contact
    (:func:`tui.analytics.chase.message_groups`) can go in one message, which logs that step
    for each of them in one transaction (:meth:`tui.store.Store.log_chase_many`).
    ``milepay chase draft|send`` always groups them; the composer offers it.
Amounts
    In the book's locale (``Settings.locale``), through :func:`tui.domain.money.client_money`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from tui.analytics.base import BookData
from tui.analytics.chase import MESSAGE_STEPS, chase_queue, message_groups
from tui.domain.model import DEFAULT_TEMPLATES, Settings
from tui.mail import Draft, compose_group, unknown_placeholders

#: steps whose message also attaches the contract (the owner sees what was agreed)
CONTRACT_STEPS = frozenset({"escalate", "legal"})


@dataclass(frozen=True)
class Message:
    """One message to write: the queue rows it is about, its step and its draft."""

    rows: tuple[dict[str, Any], ...]
    step: str
    draft: Draft
    #: placeholders in the template milepay does not fill (left as typed)
    unknown: list[str] = field(default_factory=list)

    @property
    def milestone_ids(self) -> list[int]:
        """The milestones the message logs the step for."""
        return [int(r["milestone_id"]) for r in self.rows]

    @property
    def client(self) -> str:
        """The client it goes to."""
        return str(self.rows[0].get("client") or "")

    def describe(self) -> str:
        """``Acme Ltd · reminder · 2 milestones (#3 Design, #4 Build) · to Dana <d@x.org>``."""
        what = ", ".join(f"#{r.get('seq')} {r.get('milestone') or ''}".strip() for r in self.rows)
        many = f"{len(self.rows)} milestones ({what})" if len(self.rows) > 1 else what
        to = self.draft.to_line or "(no contact)"
        return f"{self.client} · {self.step} · {many} · to {to}"


def with_files(queue: pl.DataFrame, book: BookData) -> pl.DataFrame:
    """Queue rows with the milestone's ``invoice_file``, the contract's ``document`` and its
    ``contract_status``."""
    out = queue
    if "invoice_file" not in out.columns:
        files = _column(book.milestones, "invoice_file").rename({"id": "milestone_id"})
        out = out.join(files, on="milestone_id", how="left")
    if "document" not in out.columns:
        docs = _column(book.contracts, "document").rename({"id": "contract_id"})
        out = out.join(docs, on="contract_id", how="left")
    if "contract_status" not in out.columns:  # $work_paused says so only when it is
        status = book.contracts.select(
            pl.col("id").alias("contract_id"), pl.col("status").alias("contract_status")
        )
        out = out.join(status, on="contract_id", how="left")
    return out.with_columns(pl.col("invoice_file", "document").fill_null(""))


def _column(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    """``id`` and ``name`` of a frame; an empty text column when the frame was read without it."""
    if name in frame.columns:
        return frame.select(pl.col("id"), pl.col(name).cast(pl.String))
    return frame.select(pl.col("id"), pl.lit("", dtype=pl.String).alias(name))


def attachments_for(rows: Sequence[Mapping[str, Any]], step: str) -> tuple[Path, ...]:
    """The files a message about ``rows`` attaches: invoices, then (escalate, legal) contracts."""
    files: list[Path] = []
    for r in rows:
        if r.get("invoice_file"):
            files.append(Path(str(r["invoice_file"])))
    if step in CONTRACT_STEPS:
        for r in rows:
            if r.get("document"):
                files.append(Path(str(r["document"])))
    unique: list[Path] = []
    for path in files:
        if path not in unique:
            unique.append(path)
    return tuple(unique)


def templates_of(book: BookData) -> dict[str, tuple[str, str]]:
    """step -> (subject, body) from the book, else the shipped default."""
    out = dict(DEFAULT_TEMPLATES)
    for r in book.message_templates.iter_rows(named=True):
        out[r["step"]] = (r["subject"], r["body"])
    return out


def build(
    rows: Sequence[Mapping[str, Any]],
    step: str,
    templates: Mapping[str, tuple[str, str]],
    settings: Settings,
    *,
    extra: Sequence[Path] = (),
) -> Message:
    """The message about ``rows`` (one client, one step, one contact) from the step's template.

    ``extra`` are files added by the user (a statement of account), after the invoices and
    the contract.
    """
    subject, body = templates.get(step) or DEFAULT_TEMPLATES[step]
    files = [*attachments_for(rows, step)]
    files += [Path(p) for p in extra if Path(p) not in files]
    draft = compose_group(rows, subject, body, business_name=settings.business_name,
                          signature=settings.signature, locale=settings.locale,
                          attachments=files)  # fmt: skip
    return Message(tuple(dict(r) for r in rows), step, draft, unknown_placeholders(subject, body))


def group_of(queue: pl.DataFrame, row: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The queue rows that can share one message with ``row`` (itself included, queue order)."""
    groups = message_groups(queue)
    for g in groups.iter_rows(named=True):
        if row["milestone_id"] in g["milestone_ids"]:
            ids = list(g["milestone_ids"])
            by_id = {r["milestone_id"]: r for r in queue.iter_rows(named=True)}
            return [by_id[i] for i in ids if i in by_id]
    return [dict(row)]


def due_messages(book: BookData, as_of: dt.date) -> list[Message]:
    """Every message due at ``as_of``, as the chase queue proposes them: a step to take now
    (not waiting, not held), milestones sharing client, step and contact in one message.
    """
    queue = with_files(chase_queue(book, as_of), book)
    due = queue.filter(
        pl.col("step").is_in(MESSAGE_STEPS) & pl.col("step_due") & ~pl.col("waiting")
    )
    templates = templates_of(book)
    settings = book.settings
    grouped: dict[int, list[int]] = {}
    for g in message_groups(due).iter_rows(named=True):
        ids = list(g["milestone_ids"])
        for i in ids:
            grouped[i] = ids
    by_id = {r["milestone_id"]: r for r in due.iter_rows(named=True)}
    out: list[Message] = []
    done: set[int] = set()
    for r in due.iter_rows(named=True):
        if r["milestone_id"] in done:
            continue
        ids = grouped.get(r["milestone_id"], [r["milestone_id"]])
        rows = [by_id[i] for i in ids]
        done.update(ids)
        out.append(build(rows, r["step"], templates, settings))
    return out


__all__ = [
    "CONTRACT_STEPS",
    "Message",
    "attachments_for",
    "build",
    "due_messages",
    "group_of",
    "templates_of",
    "with_files",
]
