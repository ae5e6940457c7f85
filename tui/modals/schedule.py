"""The schedule generator of the contract form: a fee split into milestones, exactly.

Two ways: N equal milestones, or named phases with percentages (``Design 30, Build 50,
Launch 20``). Either way the amounts add up to the fee to the cent (remainder cents on the
last milestone, by ``split_evenly`` / ``split_by_percentages``), and milestone i is due
``first_due + i*K`` days or weeks, or ``add_months(first_due, i*K)`` computed from the anchor
date every time, so that 31 January steps to 28 February, 31 March, 30 April.

Pure functions (no Textual); they only live here because the generator belongs to the form.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal

from tui.domain.dates import add_months, parse_date
from tui.domain.errors import ValidationError
from tui.domain.model import Milestone
from tui.domain.money import split_by_percentages, split_evenly
from tui.domain.values import parse_int, parse_percent

UNITS = ("days", "weeks", "months")
MODES = ("equal", "phases", "none")
_PHASE = re.compile(r"^(?P<title>.*?)\s*(?P<pct>\d+(?:\.\d{1,4})?)\s*%?$")


def due_dates(first: dt.date, count: int, every: int, unit: str) -> list[dt.date]:
    """``count`` dates from ``first``, ``every`` units apart; months always from the anchor."""
    if unit == "days":
        return [first + dt.timedelta(days=i * every) for i in range(count)]
    if unit == "weeks":
        return [first + dt.timedelta(weeks=i * every) for i in range(count)]
    if unit == "months":
        return [add_months(first, i * every) for i in range(count)]
    raise ValidationError("unit", f"'{unit}' is not one of: {', '.join(UNITS)}")


def parse_phases(text: str) -> list[tuple[str, Decimal]]:
    """``Design 30, Build 50, Launch 20%`` -> [(title, percent)]; the percents must add to 100."""
    parts = [p.strip() for p in re.split(r"[,;\n]", text or "") if p.strip()]
    if not parts:
        raise ValidationError("phases", "give phases as: Design 30, Build 50, Launch 20")
    phases = []
    for part in parts:
        m = _PHASE.match(part)
        if not m:
            raise ValidationError(
                "phases", f"'{part}' needs a percentage at the end, e.g. 'Design 30'"
            )
        title = m.group("title").strip() or f"Phase {len(phases) + 1}"
        phases.append((title, parse_percent(m.group("pct"), "phases", maximum=Decimal(100))))
    total = sum((p for _, p in phases), Decimal(0))
    if total != 100:
        raise ValidationError("phases", f"the percentages add up to {total}, not 100")
    return phases


def generate(values: Mapping[str, str], fee: Decimal, today: dt.date) -> list[Milestone]:
    """The milestones the schedule fields describe (empty for mode ``none``)."""
    mode = (values.get("schedule") or "equal").strip()
    if mode == "none":
        return []
    every = parse_int(values.get("every", "") or "1", "every", minimum=1, maximum=365)
    unit = (values.get("unit") or "months").strip()
    first_text = (values.get("first_due") or "").strip() or (values.get("start_date") or "").strip()
    first = parse_date(first_text, "first_due", today_=today) if first_text else today
    if mode == "phases":
        phases = parse_phases(values.get("phases", ""))
        amounts = split_by_percentages(fee, [p for _, p in phases])
        titles = [t for t, _ in phases]
    elif mode == "equal":
        count = parse_int(values.get("count", "") or "1", "count", minimum=1, maximum=120)
        amounts = split_evenly(fee, count)
        titles = [f"Milestone {i + 1}" for i in range(count)]
    else:
        raise ValidationError("schedule", f"'{mode}' is not one of: {', '.join(MODES)}")
    if fee <= 0:
        raise ValidationError("total_fee", "must be more than 0 to split into milestones")
    dates = due_dates(first, len(amounts), every, unit)
    out = []
    for i, (t, a, d) in enumerate(zip(titles, amounts, dates, strict=True)):
        try:
            out.append(Milestone.parse({"seq": i + 1, "title": t, "amount": a, "due_date": d}))
        except ValidationError as exc:
            raise ValidationError("phases" if mode == "phases" else exc.field, exc.reason) from None
    return out
