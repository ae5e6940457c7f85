"""The Textual app (SPEC section 7). Minimal until the screens land: opens the book, shows counts."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, Static

from tui.store import Book


class MilepayApp(App[int]):
    """milepay's app."""

    TITLE = "milepay"
    BINDINGS = [Binding("q", "quit", "Quit", id="quit"), Binding("ctrl+q", "quit", "Quit", show=False)]

    def __init__(self, book: Book) -> None:
        super().__init__()
        self.book = book

    def compose(self) -> ComposeResult:
        """Header, the book's counts, footer."""
        yield Header()
        counts = self.book.counts()
        lines = [f"Book: {self.book.path}", ""]
        lines += [f"{name.replace('_', ' '):<20}{n:>8}" for name, n in counts.items()]
        yield Static(Text("\n".join(lines)), id="counts")
        yield Footer()


def make_app(book: Book) -> MilepayApp:
    """The app for a book (used by the CLI, the tests and the screenshot script)."""
    return MilepayApp(book)


def run_app(book: Book) -> int:
    """Run the app; return its exit code."""
    app = make_app(book)
    app.run()
    return app.return_code or 0
