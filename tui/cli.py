"""The ``milepay`` command (SPEC section 5).

Exit codes: 0 success; 1 bad input or refused action (one line on stderr naming the file,
line and field where there is one); 2 usage error (also one line, pointing to ``--help``).
Nothing is partly written when a command fails, and no command ever prints a traceback. Bad
environment values (``MILEPAY_TODAY``, ``MILEPAY_BUSY_TIMEOUT``) are refused the same way,
naming the variable, before any book is opened.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator
from decimal import Decimal
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from tui import __version__
from tui.domain.dates import MAX_DATE, MIN_DATE, parse_date
from tui.domain.env import env_seconds
from tui.domain.errors import MilepayError, ValidationError, printable
from tui.domain.values import check_characters, parse_int

if TYPE_CHECKING:
    from tui.config import Config

F = TypeVar("F", bound=Callable[..., Any])


def _one_line(text: str) -> str:
    """``text`` safe to print as one line: controls escaped, undecodable bytes as ``\\udcff``."""
    text = printable(text)
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        text = "".join(f"\\u{ord(ch):04x}" if "\ud800" <= ch <= "\udfff" else ch for ch in text)
    return text


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"milepay: {_one_line(message)}", err=True)
    sys.exit(code)


def _usage_line(exc: click.ClickException) -> str:
    """A click error as one line; usage errors point to the command's ``--help``."""
    message = " ".join(exc.format_message().split())
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and ctx is not None:
        return f"{message} (see '{ctx.command_path} --help')"
    return message


class _Milepay(click.Group):
    """The ``milepay`` group: click's own errors (usage, bad option values) are one line too."""

    def main(  # type: ignore[override]
        self,
        args: list[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command; print click's errors as ``milepay: ...`` on one line of stderr."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.ClickException as exc:
            _fail(_usage_line(exc), exc.exit_code)
        except click.Abort:
            _fail("aborted")
        sys.exit(rv if isinstance(rv, int) else 0)


def _check_environment() -> None:
    """Refuse bad ``MILEPAY_TODAY`` / ``MILEPAY_BUSY_TIMEOUT`` values, naming the variable."""
    from tui.domain.dates import today

    today()
    env_seconds("MILEPAY_BUSY_TIMEOUT", 5.0)


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


def _check_path(text: str, field: str) -> None:
    """Refuse an empty path and one holding control characters or undecodable bytes."""
    if text.strip() == "":
        raise ValidationError(field, "is empty; give a file path")
    check_characters(text, field, multiline=False)
    try:
        Path(text).expanduser()
    except RuntimeError:  # "~name" of a user with no home folder
        raise ValidationError(field, f"'{text}': no such user's home folder") from None


def _config(*, quiet: bool = False) -> Config:
    """The config file, read once per command; its problems go to stderr once (``milepay: ``).

    A problem never stops a command: the keys it concerns keep their defaults. ``quiet`` is
    for the app, which shows the same lines as toasts.
    """
    from tui.config import load_config

    ctx = click.get_current_context(silent=True)
    meta: dict[str, Any] = ctx.find_root().meta if ctx is not None else {}
    if "milepay.config" not in meta:
        config, problems = load_config()  # never raises: a bad file is problems and defaults
        if not quiet:
            for line in problems:
                click.echo(f"milepay: {_one_line(line)}", err=True)
        meta["milepay.config"] = config
    return meta["milepay.config"]


def _env_book() -> None:
    """Refuse a ``$MILEPAY_DB`` that holds control characters or names no user's home."""
    import os

    from tui.paths import BOOK_ENV

    text = os.environ.get(BOOK_ENV, "")
    if text.strip():
        _check_path(text, BOOK_ENV)


def _book_path(db: str | None) -> Path:
    """The book: ``--db`` (checked), else ``$MILEPAY_DB``, else the config file's, else the default.

    Checks the environment first.
    """
    from tui.store import default_book_path

    _check_environment()
    if db is None:
        _env_book()
        return default_book_path(_config().book)
    _check_path(db, "--db")
    return Path(db).expanduser()


def _open_book(db: str | None, *, create: bool = True):
    from tui.store import Book

    return Book.open(_book_path(db), create=create)


def _as_of(text: str | None) -> dt.date:
    if text is not None:
        return parse_date(text, "--as-of")
    from tui.domain.dates import today

    return today()


db_option = click.option(
    "--db",
    "db",
    metavar="PATH",
    envvar=None,
    help="The book file (default: $MILEPAY_DB, the config file's book, or the data folder).",
)


@click.group(
    "milepay",
    cls=_Milepay,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--db",
    "db",
    metavar="PATH",
    help="The book file (default: $MILEPAY_DB, the config file's book, or the data folder).",
)
@click.option("--demo", is_flag=True, help="Open the app on a freshly generated demo book.")
@click.option(
    "--keep",
    is_flag=True,
    help="With --demo: keep the demo book after the app closes (removed by default).",
)
@click.version_option(__version__, "--version", prog_name="milepay")
@click.pass_context
@friendly
def main(ctx: click.Context, db: str | None, demo: bool, keep: bool) -> None:
    """milepay: milestone payments, aging, forecast and chasing, in a terminal.

    With no command, opens the app on the book.
    """
    if ctx.invoked_subcommand is not None:
        ctx.ensure_object(dict)
        ctx.obj["db"] = db
        return
    if keep and not demo:
        raise click.UsageError("--keep goes with --demo", ctx)
    if demo:
        _check_environment()
        if db is not None:  # the user's own path: written there and kept
            sys.exit(_run_demo(_book_path(db)))
        folder = _demo_folder()
        try:
            with _signals_exit():
                code = _run_demo(folder / "demo.duckdb", announce=keep)
        finally:
            if keep:
                click.echo(f"Demo book kept in {_one_line(str(folder))}", err=True)
            elif _remove_demo_folder(folder):
                click.echo("The demo book was removed (milepay --demo --keep keeps it).", err=True)
        sys.exit(code)
    else:
        if db is None:
            _config(quiet=True)  # the app shows the config file's problems itself
        book = _open_book(db)
    from tui.app import run_app

    sys.exit(run_app(book))


@contextlib.contextmanager
def _signals_exit() -> Iterator[None]:
    """SIGHUP (the SSH window or tmux pane closed) and SIGTERM end the program by SystemExit
    (code 128 + the signal), so ``finally`` blocks run: ``--demo`` removes its book then too.

    Python's default for both is to die on the spot, cleaning nothing up.
    """

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    wanted = [s for s in (getattr(signal, "SIGHUP", None), signal.SIGTERM) if s is not None]
    before = {s: signal.signal(s, stop) for s in wanted}
    try:
        yield
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)


class _Count(click.ParamType):
    """A whole number in a range, ASCII digits only (click's IntRange takes ``١٢`` as 12)."""

    name = "integer"

    def __init__(self, minimum: int, maximum: int) -> None:
        self.minimum, self.maximum = minimum, maximum

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        """The number, or a usage error saying what is wrong with it."""
        if isinstance(value, int):
            return value
        try:
            return parse_int(value, "", minimum=self.minimum, maximum=self.maximum)
        except ValidationError as exc:
            self.fail(exc.reason, param, ctx)


class _Amount(click.ParamType):
    """An amount as ``parse_amount`` reads it (``1250``, ``1,250.00``, ``-500``): a usage error
    naming the option otherwise."""

    name = "amount"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Decimal:
        """The amount, or a usage error saying what is wrong with it."""
        from tui.domain.money import parse_amount

        if isinstance(value, Decimal):
            return value
        try:
            return parse_amount(value, "", allow_negative=True)
        except ValidationError as exc:
            self.fail(exc.reason, param, ctx)


#: the demo's dates run from about 270 days before its as-of date to 180 days after it
_DEMO_FIRST = MIN_DATE.replace(year=MIN_DATE.year + 1)
_DEMO_LAST = MAX_DATE.replace(year=MAX_DATE.year - 1)


def _demo_day(day: dt.date) -> dt.date:
    """``day`` when the demo's dates around it stay within 1900-2999, else a ValidationError."""
    if not _DEMO_FIRST <= day <= _DEMO_LAST:
        raise ValidationError(
            "--as-of",
            f"'{day}' is too near the ends of the years 1900-2999 for the demo, whose dates "
            f"run up to a year either side; use a date from {_DEMO_FIRST} to {_DEMO_LAST}",
        )
    return day


def _demo_folder() -> Path:
    """A new private folder for ``--demo`` (mkdtemp makes it 0700)."""
    return Path(tempfile.mkdtemp(prefix=DEMO_PREFIX))


#: the name of ``--demo``'s temporary folder starts with this
DEMO_PREFIX = "milepay-demo-"


def _run_demo(path: Path, *, announce: bool = True) -> int:
    """Write a demo book as of today at ``path`` (a new file) and run the app on it.

    ``announce``: say where it was written (not for the temporary one removed on exit).
    """
    from tui.domain.dates import today
    from tui.store import Book
    from tui.store.demo import write_demo

    day = _demo_day(today())
    if path.exists():
        _fail(
            f"{path} already exists; --demo writes a new book (use 'milepay --db {path}' to open it)"
        )
    book = Book.open(path)
    write_demo(book, day)
    if announce:
        click.echo(f"Demo book written to {_one_line(str(path))}", err=True)
    from tui.app import run_app

    return run_app(book)


def _remove_demo_folder(folder: Path) -> bool:
    """Remove ``--demo``'s temporary folder: the files the book is made of, then the folder.

    Only the book's own files are removed (the book, its WAL and the writers' lock file), never
    a link's target; anything else found there (a backup or an export the user wrote beside
    the demo) keeps the folder, and the user is told where. True when the folder is gone.
    """
    if not folder.name.startswith(DEMO_PREFIX) or folder.is_symlink() or not folder.is_dir():
        return False
    for name in ("demo.duckdb", "demo.duckdb.wal", "demo.duckdb.lock"):
        entry = folder / name
        if entry.is_symlink() or entry.is_file():
            entry.unlink()
    try:
        folder.rmdir()
    except OSError:
        click.echo(
            f"Demo folder {_one_line(str(folder))} kept: it holds files the demo did not write",
            err=True,
        )
        return False
    return True


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

    path = _book_path(db)
    if path.exists():
        _fail(f"{path} already exists; the demo is written to a new file")
    day = _demo_day(_as_of(as_of))
    book = Book.open(path)
    try:
        write_demo(book, day)
    except BaseException:
        for p in (path, path.with_name(path.name + ".wal")):
            p.unlink(missing_ok=True)
        raise
    counts = book.counts()
    click.echo(
        f"Wrote demo book {_one_line(str(path))} as of {day}: {counts['clients']} clients, "
        f"{counts['contracts']} contracts, {counts['milestones']} milestones, "
        f"{counts['payments']} payments."
    )


@main.command(name="import")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--db", "db", metavar="PATH", help="The book to import into.")
@click.option("--update", is_flag=True, help="Update rows whose natural key already exists.")
@click.pass_context
@friendly
def import_(ctx: click.Context, folder: Path, db: str | None, update: bool) -> None:
    """Read a folder of CSV files (the exchange format) into the book.

    A book that does not exist yet is created only when the import succeeds.
    """
    import os

    from tui.domain.errors import printable
    from tui.store.exchange import ImportErrors, import_folder, import_new_book

    if not folder.is_dir():
        _fail(f"{printable(str(folder))}: no such folder")
    path = _book_path(db or ctx.obj.get("db"))
    progress = _progress_bar() if sys.stderr.isatty() else None
    try:
        if os.path.lexists(path):
            book = _open_book(str(path), create=False)
            summary = import_folder(book, folder, update=update, progress=progress)
        else:
            summary = import_new_book(path, folder, update=update, progress=progress)
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
@click.option("--force", is_flag=True, help="Replace FOLDER if it is an export milepay wrote.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "hledger", "parquet"]),
    default="csv",
    show_default=True,
    help="CSV files (the exchange format), an hledger journal, or one Parquet file per table.",
)
@click.option(
    "--as-of",
    "as_of",
    metavar="DATE",
    help="hledger: invoices and payments up to this date (default today).",
)
@click.pass_context
@friendly
def export(
    ctx: click.Context, folder: Path, db: str | None, force: bool, fmt: str, as_of: str | None
) -> None:
    """Write the whole book into a new FOLDER: CSV files (the exchange format, the default),
    an hledger journal (milepay.journal) or one Parquet file per table."""
    if as_of is not None and fmt != "hledger":
        raise click.UsageError("--as-of applies to --format hledger only", ctx)
    if as_of is not None:
        _as_of(as_of)  # a wrong date is refused before the book is opened
    book = _open_book(db or ctx.obj.get("db"), create=False)
    from tui.domain.errors import printable
    from tui.store.exchange import export_folder
    from tui.store.exchange.formats import JOURNAL_FILE, export_parquet, export_text_files

    if fmt == "csv":
        written = export_folder(book, folder, force=force)
    elif fmt == "parquet":
        written = export_parquet(book, folder, force=force)
    else:
        from tui.analytics.journal import hledger_journal

        frames = book.frames(shown=True)
        today = frames.settings.today()
        day = parse_date(as_of, "--as-of", today_=today) if as_of is not None else today
        text = hledger_journal(frames, day)
        written = export_text_files(folder, {JOURNAL_FILE: text}, force=force)
    n = len(written)
    click.echo(f"Exported {n} file{'s' if n != 1 else ''} to {printable(str(folder))}")


@main.command()
@click.argument("dest", required=False, type=click.Path(path_type=Path))
@click.option("--db", "db", metavar="PATH", help="The book to back up.")
@click.pass_context
@friendly
def backup(ctx: click.Context, dest: Path | None, db: str | None) -> None:
    """Copy the book to DEST (default: beside it, named with today's date)."""
    if dest is not None:
        _check_path(str(dest), "DEST")
    book = _open_book(db if db is not None else ctx.obj.get("db"), create=False)
    target = book.backup(dest)
    click.echo(f"Backed up {_one_line(str(book.path))} to {_one_line(str(target))}")


#: options that only one report kind reads: refused with another kind, never silently ignored
_KIND_OPTIONS = {
    "fail_below": ("--fail-below", "forecast"),
    "by_category": ("--by-category", "forecast"),
    "weeks": ("--weeks", "accuracy"),
    "lead": ("--lead", "accuracy"),
    "client": ("--client", "statement"),
    "pdf": ("--pdf", "statement"),
}


@main.command()
@click.argument(
    "kind", type=click.Choice(["aging", "forecast", "chase", "clients", "accuracy", "statement"])
)
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
    type=_Count(1, 260),
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
@click.option(
    "--by-category",
    "by_category",
    is_flag=True,
    help="forecast: one column per expense category (table and csv; json always has them).",
)
@click.option(
    "--fail-below",
    "fail_below",
    type=_Amount(),
    default=None,
    metavar="AMOUNT",
    help="forecast: exit 3 with one line on stderr when safe to spend or the lowest balance "
    "is below AMOUNT (for cron).",
)
@click.option(
    "--weeks",
    type=_Count(1, 520),
    default=None,
    help="accuracy: how many weekly windows (default 26).",
)
@click.option(
    "--lead",
    type=_Count(1, 52),
    default=None,
    help="accuracy: each window's length in weeks (default 4).",
)
@click.option("--client", "client", metavar="NAME", help="statement: the client (required).")
@click.option(
    "--pdf",
    "pdf",
    metavar="FILE",
    help="statement: also write it as a PDF to FILE (a new file, never replaced).",
)
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
    by_category: bool,
    fail_below: Decimal | None,
    weeks: int | None,
    lead: int | None,
    client: str | None,
    pdf: str | None,
) -> None:
    """Print a report: aging, forecast, chase, clients, accuracy or statement.

    A forecast whose last period would end after 2999-12-31 (the last date milepay accepts)
    is refused, naming ``--horizon``, rather than cut short: a shorter table than asked for
    would read as "nothing happens after this".

    ``--fail-below AMOUNT`` prints the forecast as usual, then, when safe to spend or the
    lowest balance is below AMOUNT, one line on stderr naming the figure and its day, and
    exits 3 (exit 0 otherwise): a cron job mails that line.

    ``statement --client NAME`` is one client's statement of account (SPEC 4.7); ``--pdf
    FILE`` also writes it as a new PDF file (0600; an existing file is refused) and says
    where on stderr.
    """
    from tui.reports.kinds import forecast_report, render

    given = {"fail_below": fail_below, "by_category": by_category, "weeks": weeks, "lead": lead,
             "client": client, "pdf": pdf}  # fmt: skip
    for key, value in given.items():
        name, only = _KIND_OPTIONS[key]
        if value is not None and value is not False and kind != only:
            raise click.UsageError(f"{name} applies to the {only} report only", ctx)
    if kind == "statement" and client is None:
        raise click.UsageError("the statement report needs --client NAME", ctx)
    if as_of is not None:
        _as_of(as_of)  # a wrong date is refused before the book is opened
    pdf_path = _new_file(pdf, "--pdf") if pdf is not None else None
    book = _open_book(db if db is not None else ctx.obj.get("db"), create=False)
    # the statement reads fees (contracts' rules, claims, reference rates) and aging's columns
    frames = book.frames(lean=True) if kind == "statement" else book.report_frames(kind)
    # "today" is the book's (its timezone, SPEC 2), also for --as-of today / +7d / -1m
    today = frames.settings.today()
    day = parse_date(as_of, "--as-of", today_=today) if as_of is not None else today
    forecast = None
    if kind == "forecast":
        _check_horizon(day, period, horizon, frames.settings)
        forecast = forecast_report(frames, day, period=period, horizon=horizon, scenario=scenario)
    text = render(
        kind,
        frames,
        day,
        fmt,
        period=period,
        horizon=horizon,
        scenario=scenario,
        worst_first=worst_first,
        by_category=by_category,
        weeks=26 if weeks is None else weeks,
        lead=4 if lead is None else lead,
        forecast=forecast,
        client=client,
    )
    if pdf_path is not None and client is not None:
        from tui.analytics.statement import statement
        from tui.reports.statement_pdf import write_statement_pdf

        written = write_statement_pdf(pdf_path, statement(frames, day, client))
        click.echo(f"Statement PDF written to {_one_line(str(written))}", err=True)
    click.echo(text, nl=False)
    if forecast is not None and fail_below is not None:
        from tui.present.forecast import shortfall_line

        line = shortfall_line(forecast, fail_below)
        if line is not None:
            _fail(line, 3)


@main.command()
@click.option("--db", "db", metavar="PATH", help="The book to show (as other commands take it).")
@click.pass_context
@friendly
def where(ctx: click.Context, db: str | None) -> None:
    """Show the paths in use and where each came from.

    One line each for the config file, the book, the crash log, the message folder and the
    list of confirmed mail servers: the path, what chose it (--db, $MILEPAY_DB, config
    file: book, default...) and whether it is there. Environment values are shown as they
    are (control characters escaped), never refused.
    """
    from tui.config import shown_path
    from tui.paths import locations

    db = db if db is not None else (ctx.obj or {}).get("db")
    if db is not None:
        _check_path(db, "--db")
    rows = locations(Path(db).expanduser() if db is not None else None, _config())
    width = max(len(row.name) for row in rows) + 2
    for row in rows:
        state = row.state()
        note = f"{row.source}; {state}" if state else row.source
        click.echo(f"{row.name:<{width}}{_one_line(shown_path(row.path))} ({note})")


def _new_file(text: str, field: str) -> Path:
    """A path for a file to create: refused when empty, odd, or already there."""
    _check_path(text, field)
    path = Path(text).expanduser()
    if path.exists() or path.is_symlink():
        raise ValidationError(field, f"{_one_line(str(path))} already exists; nothing was written")
    return path


def _check_horizon(as_of: dt.date, period: str, horizon: int | None, settings: Any) -> None:
    """Refuse a forecast running past 2999-12-31, naming ``--horizon``."""
    from tui.analytics.forecast import period_bounds

    if horizon is None:
        horizon = settings.forecast_weeks if period == "week" else settings.forecast_months
    end = period_bounds(as_of, period, horizon)[-1][1]
    if end > MAX_DATE:
        raise ValidationError(
            "--horizon",
            f"{horizon} {period}{'s' if horizon != 1 else ''} from {as_of} run to {end}, past "
            f"{MAX_DATE}, the last date "
            "milepay accepts; choose an earlier --as-of or a shorter --horizon",
        )


from tui.chase_cli import chase  # noqa: E402

main.add_command(chase)

from tui.audit_cli import log, undo  # noqa: E402

main.add_command(log)
main.add_command(undo)

from tui.bank_cli import bank  # noqa: E402

main.add_command(bank)

if __name__ == "__main__":  # pragma: no cover
    main()
