"""``milepay report``: the reports as text for a person (table), JSON or CSV (the CLI's layer).

The renderers live in :mod:`tui.reports.kinds`; the writer they share with the app is
:mod:`tui.present.table`.
"""

from tui.present.table import format_csv, format_json, format_table, money_text
from tui.reports.kinds import FORMATS, KINDS, render

__all__ = ["FORMATS", "KINDS", "format_csv", "format_json", "format_table", "money_text", "render"]
