"""``milepay report statement --pdf``: the statement of account as a PDF file.

The writer is :mod:`tui.present.statement_pdf` (the app's modals write the same file and may
not import ``tui.reports``); this module is the command line's name for it.
"""

from tui.present.statement_pdf import statement_pdf_bytes, write_statement_pdf

__all__ = ["statement_pdf_bytes", "write_statement_pdf"]
