"""Store errors: DuckDB's failures turned into messages a person can act on."""

from __future__ import annotations

from tui.domain.errors import MilepayError


class BookError(MilepayError):
    """The book file cannot be used as asked."""


class NotABookError(BookError):
    """The file is not a DuckDB database (left untouched)."""


class SchemaTooNewError(BookError):
    """The book was written by a newer milepay (left untouched)."""


class BookBusyError(BookError):
    """Another process held the file for longer than the retry window."""

    def __init__(self, message: str, pid: int | None = None) -> None:
        super().__init__(message)
        self.pid = pid
