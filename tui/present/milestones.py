"""How one milestone's invoice, payment due date, promise to pay and hold read, in one line.

A milestone's status, invoice date and due date belong together (SPEC revision 2): the due
date of a milestone not yet invoiced is only the planned date, and one invoiced is due on the
date its terms give. The promise to pay is the client's word, counted as kept or broken.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def milestone_line(row: Mapping[str, Any], today: dt.date) -> str:
    """The selected milestone's invoice, terms, promise and hold, for the line under the list.

    ``row`` holds the milestone facts (``invoice_no``, ``invoiced_on``, ``due_date``,
    ``status``, ``open``, ``promised_on``, ``promise_note``, and ``promise``: the state of
    ``tui.analytics.chase.promise_state``) and may hold ``payment_terms_days``, ``hold_until``
    and ``to_invoice``, and ``invoice_file`` (its file name is shown: chase messages attach it).
    """
    parts: list[str] = []
    invoiced_on = row.get("invoiced_on")
    due = row["due_date"]
    if invoiced_on is not None and invoiced_on <= today:
        no = row.get("invoice_no") or "(no number)"
        parts.append(f"Invoice {no} dated {invoiced_on.isoformat()}, payment due {due.isoformat()}")
    elif invoiced_on is not None:
        parts.append(
            f"Invoice dated {invoiced_on.isoformat()} (after today), due {due.isoformat()}"
        )
    elif row.get("status") in ("cancelled", "written_off"):
        parts.append(f"Never invoiced; planned for {due.isoformat()}")
    elif due <= today and row.get("open", 0) > 0:
        parts.append(f"Not invoiced; planned for {due.isoformat()}: work to invoice (i)")
    elif row.get("to_invoice"):
        delivered = row.get("delivered_on")
        when = f" on {delivered.isoformat()}" if delivered else ""
        parts.append(
            f"Delivered{when}, acceptance time over: work to invoice (i); "
            f"planned for {due.isoformat()}"
        )
    else:
        parts.append(f"Not invoiced yet; planned for {due.isoformat()}")
    if row.get("invoice_file"):  # what chase messages attach
        parts.append(f"file {Path(str(row['invoice_file'])).name}")
    terms = row.get("payment_terms_days")
    if terms is not None and invoiced_on is None:
        parts.append(f"terms {terms} days")
    promised = row.get("promised_on")
    if promised is not None:
        state = row.get("promise") or ""
        note = (row.get("promise_note") or "").strip()
        parts.append(
            f"promised for {promised.isoformat()} ({state})" + (f": {note}" if note else "")
        )
    hold = row.get("hold_until")
    if hold is not None:
        parts.append(f"on hold until {hold.isoformat()}")
    return " · ".join(parts)


__all__ = ["milestone_line"]
