"""Store layer: the DuckDB book, the one place that runs SQL. No textual."""

from tui.store.book import BookFile, default_book_path
from tui.store.errors import BookBusyError, BookError, NotABookError, SchemaTooNewError
from tui.store.schema import SCHEMA_VERSION, TABLES
from tui.store.store import Book, BookFrames

__all__ = [
    "SCHEMA_VERSION",
    "TABLES",
    "Book",
    "BookBusyError",
    "BookError",
    "BookFile",
    "BookFrames",
    "NotABookError",
    "SchemaTooNewError",
    "default_book_path",
]
