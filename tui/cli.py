"""The ``milepay`` command (SPEC section 5).

Exit codes: 0 success; 1 bad input or refused action (one line on stderr naming the file,
line and field where there is one); 2 usage error. Nothing is partly written when a
command fails, and no command ever prints a traceback.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from tui import __version__
from tui.domain.dates import parse_date
from tui.domain.errors import MilepayError

F = TypeVar("F", bound=Callable[..., Any])


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"milepay: {message}", err=True)
    sys.exit(code)


def friendly(func: F) -> F:
    """Turn milepay's errors into one line on stderr and exit code 1; never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except MilepayError as exc:
            _fail(str(exc), exc.exit_code)
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except OSError as exc:
            _fail(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))
        except click.exceptions.Exit:
            raise
        except click.ClickException:
            raise
        except Exception as exc:  # a bug: still one line, never a traceback
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            _fail(f"unexpected error ({type(exc).__name__}: {first}); please report it")

    return wrapper  # type: ignore[return-value]


def _book_path(db: str | None) -> Path:
    from tui.store import default_book_path

    return Path(db).expanduser() if db else default_book_path()


def _open_book(db: str | None, *, create: bool = True):
    from tui.store import Book

    return Book.open(_book_path(db), create=create)


def _as_of(text: str | None, book: Any = None) -> dt.date:
    if text:
        return parse_date(text, "--as-of")
    if book is not None:
        return book.settings().today()
    from tui.domain.dates import today

    return today()


db_option = click.option(
    "--db",
    "db",
    metavar="PATH",
    envvar=None,
    help="The book file (default: $MILEPAY_DB or the user data folder).",
)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db",
    metavar="PATH",
    help="The book file (default: $MILEPAY_DB or the user data folder).",
)
@click.option("--demo", is_flag=True, help="Open the app on a freshly generated demo book.")
@click.version_option(__version__, "--version", prog_name="milepay")
@click.pass_context
@friendly
def main(ctx: click.Context, db: str | None, demo: bool) -> None:
    """milepay: milestone payments, aging, forecast and chasing, in a terminal.

    With no command, opens the app on the book.
    """
    if ctx.invoked_subcommand is not None:
        ctx.ensure_object(dict)
        ctx.obj["db"] = db
        return
    if demo:
        from tui.domain.dates import today
        from tui.store import Book
        from tui.store.demo import write_demo

        folder = Path(tempfile.mkdtemp(prefix="milepay-demo-"))
        path = Path(db).expanduser() if db else folder / "demo.duckdb"
        if path.exists():
            _fail(
                f"{path} already exists; --demo writes a new book (use 'milepay --db {path}' to open it)"
            )
        book = Book.open(path)
        write_demo(book, today())
        click.echo(f"Demo book written to {path}", err=True)
    else:
        book = _open_book(db)
    from tui.app import run_app

    sys.exit(run_app(book))


@main.command()
@click.option(
    "--db", "db", metavar="PATH", required=True, help="Where to write the demo book (a new file)."
)
@click.option(
    "--as-of", "as_of", metavar="DATE", help="Dates are relative to this day (default today)."
)
@friendly
def demo(db: str, as_of: str | None) -> None:
    """Write a realistic demo book relative to a date."""
    from tui.store import Book
    from tui.store.demo import write_demo

    path = Path(db).expanduser()
    if path.exists():
        _fail(f"{path} already exists; the demo is written to a new file")
    day = _as_of(as_of)
    book = Book.open(path)
    try:
        write_demo(book, day)
    except BaseException:
        for p in (path, path.with_name(path.name + ".wal")):
            p.unlink(missing_ok=True)
        raise
    counts = book.counts()
    click.echo(
        f"Wrote demo book {path} as of {day}: {counts['clients']} clients, {counts['contracts']} contracts, "
        f"{counts['milestones']} milestones, {counts['payments']} payments."
    )


@main.command(name="import")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--db", "db", metavar="PATH", help="The book to import into.")
@click.option("--update", is_flag=True, help="Update rows whose natural key already exists.")
@click.pass_context
@friendly
def import_(ctx: click.Context, folder: Path, db: str | None, update: bool) -> None:
    """Read a folder of CSV files (the exchange format) into the book."""
    from tui.store.exchange import ImportErrors, import_folder

    if not folder.is_dir():
        _fail(f"{folder}: no such folder")
    book = _open_book(db or ctx.obj.get("db"))
    progress = _progress_bar() if sys.stderr.isatty() else None
    try:
        summary = import_folder(book, folder, update=update, progress=progress)
    except ImportErrors as exc:
        n = len(exc.errors)
        click.echo(
            f"milepay: import refused, nothing was written ({n} error{'s' if n != 1 else ''}):",
            err=True,
        )
        for line in exc.errors:
            click.echo(line, err=True)
        sys.exit(1)
    click.echo(str(summary))


def _progress_bar() -> Callable[[int, int], None]:
    state: dict[str, Any] = {}

    def show(done: int, total: int) -> None:
        if "bar" not in state:
            state["bar"] = click.progressbar(length=total, label="Importing", file=sys.stderr)
            state["bar"].__enter__()
            state["done"] = 0
        state["bar"].update(done - state["done"])
        state["done"] = done
        if done >= total:
            state["bar"].__exit__(None, None, None)

    return show


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--db", "db", metavar="PATH", help="The book to export.")
@click.pass_context
@friendly
def export(ctx: click.Context, folder: Path, db: str | None) -> None:
    """Write the whole book as a folder of CSV files (the exchange format)."""
    book = _open_book(db or ctx.obj.get("db"), create=False)
    from tui.store.exchange import export_folder

    written = export_folder(book, folder)
    click.echo(f"Exported {len(written)} files to {folder}")


@main.command()
@click.argument("dest", required=False, type=click.Path(path_type=Path))
@click.option("--db", "db", metavar="PATH", help="The book to back up.")
@click.pass_context
@friendly
def backup(ctx: click.Context, dest: Path | None, db: str | None) -> None:
    """Copy the book to DEST (default: beside it, named with today's date)."""
    book = _open_book(db or ctx.obj.get("db"), create=False)
    target = book.backup(dest)
    click.echo(f"Backed up {book.path} to {target}")


@main.command()
@click.argument("kind", type=click.Choice(["aging", "forecast", "chase", "clients"]))
@click.option("--db", "db", metavar="PATH", help="The book to report on.")
@click.option("--as-of", "as_of", metavar="DATE", help="Report as of this date (default today).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@click.option(
    "--period",
    type=click.Choice(["week", "month"]),
    default="week",
    show_default=True,
    help="forecast: period length.",
)
@click.option(
    "--horizon",
    type=click.IntRange(1, 260),
    default=None,
    help="forecast: number of periods (default 12 weeks or 6 months).",
)
@click.option(
    "--scenario",
    type=click.Choice(["contractual", "expected", "pessimistic"]),
    default="expected",
    show_default=True,
    help="forecast: when open amounts are expected.",
)
@click.option("--worst-first", is_flag=True, help="clients: sort the worst payers first.")
@click.pass_context
@friendly
def report(
    ctx: click.Context,
    kind: str,
    db: str | None,
    as_of: str | None,
    fmt: str,
    period: str,
    horizon: int | None,
    scenario: str,
    worst_first: bool,
) -> None:
    """Print a report: aging, forecast, chase or clients."""
    from tui.reports import render

    day = parse_date(as_of, "--as-of") if as_of else None
    book = _open_book(db or ctx.obj.get("db"), create=False)
    frames = book.report_frames(kind)
    text = render(
        kind,
        frames,
        day or frames.settings.today(),
        fmt,
        period=period,
        horizon=horizon,
        scenario=scenario,
        worst_first=worst_first,
    )
    click.echo(text, nl=False)


if __name__ == "__main__":  # pragma: no cover
    main()
