"""The forecast's period table as the CLI and the app's CSV export write it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tui.present.table import Column, format_csv

FORECAST_COLUMNS = [
    Column("start", "Start", "date"),
    Column("end", "End", "date"),
    Column("inflow", "Inflow", "amount"),
    Column("outflow", "Outflow", "amount"),
    Column("net", "Net", "amount"),
    Column("balance", "Balance", "amount"),
]


def write_forecast_csv(path: Path, periods: list[dict[str, Any]]) -> int:
    """Write the period rows as ``milepay report forecast --format csv`` does; return the count.

    The file is created readable by its owner only (it holds the user's cash figures) and a
    symbolic link at ``path`` is never followed.
    """
    text = format_csv(FORECAST_COLUMNS, periods)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
        out.write(text)
    return len(periods)
