"""Bank statements from the book's side, without Textual or click: the CLI and the app's
review both read a statement and propose its matches here (SPEC 6).

Reading is the store's (:meth:`tui.store.Book.read_statement`, DuckDB's CSV sniffer), the
parsing and matching the analytics' (:mod:`tui.analytics.bank`); recording is
:meth:`tui.store.Book.record_bank_matches` (one audited transaction, each line once).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.domain.errors import ValidationError

if TYPE_CHECKING:
    from tui.analytics.bank import Proposal
    from tui.config import BankProfile

#: the profile keys the parser reads (the rest are the store's: encoding, delimiter, skip)
PROFILE_FIELDS = ("date", "amount", "credit", "debit", "counterparty", "reference",
                  "date_format", "locale")  # fmt: skip


def profile_named(
    profiles: Mapping[str, Mapping[str, Any]], name: str | None
) -> BankProfile | None:
    """The ``[bank.NAME]`` profile of the config file (None for no name)."""
    from tui.config import BankProfile

    if not name:
        return None
    if name not in profiles:
        known = ", ".join(sorted(profiles)) or "none"
        raise ValidationError("profile", f"there is no [bank.{name}] in the config file "
                              f"(profiles: {known}); see 'milepay where'")  # fmt: skip
    return BankProfile.from_table(name, dict(profiles[name]))


def read_proposals(book: Any, path: Path, profile: BankProfile | None) -> list[Proposal]:
    """Read the statement and propose a match for each line (the CLI and the app's review)."""
    from tui.analytics.bank import match_statement, statement_lines

    raw = book.read_statement(path, profile)
    fields = {k: getattr(profile, k) for k in PROFILE_FIELDS} if profile is not None else {}
    lines = statement_lines(raw, fields)
    frames = book.frames(lean=True)
    recorded = book.recorded_fingerprints(lines["fingerprint"].to_list())
    return match_statement(lines, frames, frames.settings.today(), recorded,
                           currency=profile.currency if profile is not None else "")  # fmt: skip
