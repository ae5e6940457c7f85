"""What checking and writing produce: errors, checked rows, counts, and progress."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tui.domain.errors import MilepayError, printable
from tui.store.exchange.spec import _FX_LABEL, SPECS, Key, Progress, _Spec


class ImportErrors(MilepayError):
    """An import refused because of bad rows; the message lists every error, one per line.

    Each error is made printable on its own (a cell's newline or terminal escape is shown
    escaped), so every error stays exactly one line.
    """

    exit_code = 1
    multiline = True

    def __init__(self, errors: list[str]) -> None:
        errors = [printable(e) for e in errors]
        super().__init__("\n".join(errors))
        # every line is printable already; escaping the joined text again would double the
        # backslashes of ``\x1b`` (printable treats the joining newlines as control characters)
        self.message = "\n".join(errors)
        self.args = (self.message,)
        self.errors = errors


@dataclass(order=True)
class _Error:
    file_index: int
    line: int
    column_index: int
    order: int
    text: str = field(compare=False)


class _Errors:
    """Errors of a whole import, reported sorted by file, line and column."""

    def __init__(self) -> None:
        self.items: list[_Error] = []

    def add(self, spec: _Spec | None, file: str, line: int, fld: str, message: str) -> None:
        fi = SPECS.index(spec) if spec else -1
        ci = spec.columns.index(fld) if spec and fld in spec.columns else -1
        text = printable(f"{file}:{line}: {fld}: {message}")  # one line, nothing raw from a cell
        self.items.append(_Error(fi, line, ci, len(self.items), text))

    def __bool__(self) -> bool:
        return bool(self.items)

    def lines(self) -> list[str]:
        return [e.text for e in sorted(self.items)]


# ---- summary -----------------------------------------------------------------------------


@dataclass
class ImportSummary:
    """What an import did, per file: rows inserted, updated, and skipped as already present."""

    #: label (plural) -> [inserted, updated, skipped], in the order of the format's files
    counts: dict[str, list[int]] = field(default_factory=dict)

    def add(self, label: str, *, inserted: int = 0, updated: int = 0, skipped: int = 0) -> None:
        """Count rows of one kind."""
        c = self.counts.setdefault(label, [0, 0, 0])
        c[0] += inserted
        c[1] += updated
        c[2] += skipped

    @property
    def inserted(self) -> int:
        """Rows added to the book."""
        return sum(c[0] for c in self.counts.values())

    @property
    def updated(self) -> int:
        """Existing rows changed (``--update``, or configuration rows set to a new value)."""
        return sum(c[1] for c in self.counts.values())

    @property
    def skipped(self) -> int:
        """Rows identical to what the book already held."""
        return sum(c[2] for c in self.counts.values())

    def __str__(self) -> str:
        parts = []
        for plural, (ins, upd, _skip) in self.counts.items():
            n = ins + upd
            if n:
                parts.append(f"{n} {plural if n != 1 else _singular(plural)}")
        text = "Imported " + ", ".join(parts) if parts else "Imported nothing new"
        extra = []
        if self.updated:
            extra.append(f"{self.updated} updated")
        if self.skipped:
            extra.append(f"{self.skipped} already in the book, skipped")
        return text + (f" ({'; '.join(extra)})" if extra else "")


def _singular(plural: str) -> str:
    for spec in SPECS:
        if spec.label[1] == plural:
            return spec.label[0]
    return _FX_LABEL[0] if plural == _FX_LABEL[1] else plural


# ---- checked rows and progress ------------------------------------------------------------


@dataclass
class _Row:
    """One checked row of a file."""

    spec: _Spec
    line: int
    ok: bool = True
    parent: Key | None = None
    key: Key | None = None
    record: Any = None
    action: str = "insert"  # insert | update | skip
    db_row: dict[str, Any] | None = None
    #: the natural key's parts as written in this row (for messages)
    shown: tuple[str, ...] = ()

    @property
    def db_id(self) -> int | None:
        """The id of the book's row this row updates."""
        return self.db_row["id"] if self.db_row else None


class _Ticker:
    """Calls ``progress`` at most about a hundred times over ``total`` steps, never backwards."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress = progress
        self.total = total
        self.done = 0
        self.step = max(1, total // 100)
        self.last = 0

    def restart(self) -> None:
        """Count again from zero (after a retry); nothing is reported until past the last call."""
        self.done = 0

    def advance(self, n: int = 1) -> None:
        self.done = min(self.done + n, self.total)
        if self.progress and self.done > self.last and self.done - self.last >= self.step:
            self.progress(self.done, self.total)
            self.last = self.done

    def finish(self) -> None:
        if self.progress and self.total and self.last < self.total:
            self.progress(self.total, self.total)
            self.last = self.total
