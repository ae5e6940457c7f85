"""The statement of account (SPEC 4.7) as a PDF, made with fpdf2, to attach to a message or save.

It lives in the presentation layer (not ``tui.reports``) because the app's modals, which may
not import ``tui.reports``, write it too; :mod:`tui.reports.statement_pdf` re-exports it.

Decisions:

- Same text as :mod:`tui.present.statement`: amounts in the book's locale, user text as
  written on one line (control characters escaped), drawn with ``markdown=False``: a client
  named ``[bold]Acme[/] **x**`` is printed exactly so.
- Font: the first of DejaVuSans, NotoSans, LiberationSans found under ``/usr/share/fonts``
  (or the folders given), which draws any text those fonts cover. With none of them, the
  PDF core font Helvetica (no font file needed) in Windows-1252: Babel's narrow and
  no-break spaces (U+202F, U+00A0) become plain spaces first, and any character it cannot
  draw (CJK, emoji, most non-Latin scripts) is printed as ``?``.
- A4 landscape; a table cell too long for its column is drawn in a smaller size.
  Metadata: title ``Statement of account: CLIENT, as of DATE``, author the business name,
  creator ``milepay``, creation date ``as_of`` at 00:00 UTC. The same statement gives the
  same bytes on the same machine (fonts found being equal).
- :func:`write_statement_pdf` creates a new file only: mode 0600 from creation
  (``O_CREAT | O_EXCL``, never a chmod after), a missing folder made 0700; an existing
  file is refused (``RefusedError``, field ``file``) and left untouched.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path

from tui.analytics.statement import Statement
from tui.domain.errors import RefusedError
from tui.present.statement import (
    HEADINGS,
    RIGHT,
    summary_lines,
    table_cells,
    title_lines,
)

FONT_DIRS = (Path("/usr/share/fonts"),)
#: (regular, bold) file names, in order of preference
FONT_FILES = (
    ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"),
)
CORE_ENCODING = "windows-1252"
#: column widths in mm, in ``HEADINGS`` order (A4 landscape less 12 mm margins: 273 mm)
WIDTHS = (28, 22, 22, 66, 28, 28, 28, 15, 36)


def find_font(dirs: Sequence[Path] = FONT_DIRS) -> tuple[Path, Path | None] | None:
    """(regular, bold or None) TTF files of the first font family found, else None."""
    for regular, bold in FONT_FILES:
        for folder in dirs:
            if not folder.is_dir():
                continue
            hit = next(iter(sorted(folder.rglob(regular))), None)
            if hit is not None:
                bold_hit = next(iter(sorted(hit.parent.rglob(bold))), None)
                return hit, bold_hit
    return None


def core_text(text: str) -> str:
    """Text the core Helvetica font can draw: U+202F/U+00A0 as spaces, the rest as ``?``."""
    text = text.replace("\u202f", " ").replace("\u00a0", " ")
    return text.encode(CORE_ENCODING, errors="replace").decode(CORE_ENCODING)


def statement_pdf_bytes(
    stmt: Statement, *, font_dirs: Sequence[Path] = FONT_DIRS, compress: bool = True
) -> bytes:
    """The statement as PDF bytes (``compress=False`` leaves the page streams readable)."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_compression(compress)
    pdf.set_margins(12, 12, 12)
    pdf.set_auto_page_break(True, margin=12)
    pdf.set_creation_date(
        dt.datetime(stmt.as_of.year, stmt.as_of.month, stmt.as_of.day, tzinfo=dt.UTC)
    )
    pdf.set_creator("milepay")
    pdf.set_producer("milepay")
    found = find_font(font_dirs)
    if found is not None:
        regular, bold = found
        pdf.add_font("body", "", str(regular))
        pdf.add_font("body", "B", str(bold or regular))
        family = "body"

        def fit(text: str) -> str:
            return text
    else:
        pdf.core_fonts_encoding = CORE_ENCODING
        family = "helvetica"
        fit = core_text
    title = f"Statement of account: {stmt.client}, as of {stmt.as_of.isoformat()}"
    pdf.set_title(fit(" ".join(title.split())))
    if stmt.business_name:
        pdf.set_author(fit(" ".join(stmt.business_name.split())))
    pdf.add_page()

    def line(text: str, size: float = 10, style: str = "", height: float = 6) -> None:
        pdf.set_font(family, style, size)
        pdf.cell(0, height, fit(text), markdown=False, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    head = title_lines(stmt)
    line(head[0], 16, "B", 9)
    for text in head[1:]:
        line(text)
    pdf.ln(4)
    cells = table_cells(stmt)
    if not cells:
        line("Nothing is owed: no invoiced milestone is open at this date.")
    else:
        pdf.set_font(family, "B", 8.5)
        for heading, width in zip(HEADINGS, WIDTHS, strict=True):
            pdf.cell(width, 6, fit(heading), border="B", markdown=False,
                     align="R" if heading in RIGHT else "L")  # fmt: skip
        pdf.ln(6)
        for row in cells:
            for heading, width, text in zip(HEADINGS, WIDTHS, row, strict=True):
                pdf.set_font(family, "", 8.5)
                drawn = pdf.get_string_width(fit(text))
                if drawn > width - 2:  # a very long cell is drawn smaller rather than cut
                    pdf.set_font(family, "", max(5.0, 8.5 * (width - 2) / drawn))
                pdf.cell(width, 5.5, fit(text), markdown=False,
                         align="R" if heading in RIGHT else "L")  # fmt: skip
            pdf.ln(5.5)
        pdf.ln(4)
        for text in summary_lines(stmt):
            line(text, 10, "B" if text.startswith("Total owed") else "")
    return bytes(pdf.output())


def write_statement_pdf(
    path: Path, stmt: Statement, *, font_dirs: Sequence[Path] = FONT_DIRS
) -> Path:
    """Write the statement to a new PDF file at ``path`` (0600; never over an existing file)."""
    path = Path(path).expanduser()
    if path.exists() or path.is_symlink():
        raise RefusedError(f"{path} already exists: choose another name (nothing was written)",
                           field="file")  # fmt: skip
    data = statement_pdf_bytes(stmt, font_dirs=font_dirs)
    try:
        missing = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
        for folder in reversed(missing):
            folder.mkdir(mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        raise RefusedError(f"{path} already exists: choose another name (nothing was written)",
                           field="file") from None  # fmt: skip
    except OSError as exc:
        raise RefusedError(f"cannot write {path}: {exc.strerror or exc}", field="file") from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


__all__ = ["core_text", "find_font", "statement_pdf_bytes", "write_statement_pdf"]
