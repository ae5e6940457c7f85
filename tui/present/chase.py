"""The chase queue's words: the step and when it is due, a promise, the legal verdict.

A step not due yet (``waiting``: its threshold or the gap after the last step not reached)
never reads like a step to take now, on the screen, in the table or in the CSV.

Segments of ``(text, style)`` (no Textual, no click, no Rich): the chase screen assembles them
into its text, and any report may join the texts.
"""

from __future__ import annotations

from typing import Any

from tui.present.text import money


def legal_segments(row: dict[str, Any], home: str, *, short: bool = False) -> list[tuple[str, str]]:
    """The claim beside the estimated cost of legal action (SPEC 4.4 step 5)."""
    cur = row["currency"]
    estimate, claim_home = row.get("legal_cost_estimate"), row.get("claim_total_home")
    out: list[tuple[str, str]] = []
    claim = money(row["claim_total"], cur)
    if not short:
        out.append(("Weigh legal action\n", "bold"))
        out.append((f"Open {money(row['open'], cur)} + late fee {money(row['late_fee'], cur)}"
                    f" = claim {claim}\n", ""))  # fmt: skip
        if claim_home is not None and cur != home:
            out.append((f"Claim in {home}: {money(claim_home, home)}\n", ""))
        out.append((f"Estimated cost of legal action: {money(estimate, home)}\n", ""))
    else:
        out.append((f"Legal: claim {claim} vs cost {money(estimate, home)}: ", ""))
    if claim_home is None:
        verdict = f"no exchange rate for {cur}, cannot compare."
    elif row.get("worth_it"):
        verdict = f"worth it (claim {money(claim_home - estimate, home)} above the cost)."
    else:
        verdict = "not worth it (the cost is as high or higher)."
    out.append((verdict if short else verdict[0].upper() + verdict[1:], "bold"))
    return out


def step_when(row: dict[str, Any]) -> str:
    """When the row's step is to be taken: ``now``, the date it falls due (waiting, grace),
    or '' when every step is logged (``done``)."""
    if row.get("step") == "done":
        return ""
    if row.get("step_due"):
        return "now"
    due_on = row.get("step_due_on")
    return due_on.isoformat() if due_on is not None else ""


def step_cell(row: dict[str, Any]) -> str:
    """The step as a list shows it: ``firm`` when due now; ``firm 12-03`` while waiting (the
    month and day it falls due); ``grace`` and ``done`` as they are."""
    step = row.get("step") or ""
    if step in ("grace", "done") or row.get("step_due"):
        return step
    due_on = row.get("step_due_on")
    return f"{step} {due_on.strftime('%m-%d')}" if due_on is not None else step


def step_sentence(row: dict[str, Any]) -> str:
    """The next step in words, for the detail under the queue (waiting says why and until when)."""
    step = row.get("step") or ""
    due_on = row.get("step_due_on")
    if step == "grace":
        return f"Grace: a day or two is normal. Reminder from {due_on}."
    if step == "done":
        return "Every step is logged: reminder, firm, escalate, legal."
    if row.get("step_due"):
        return f"Next: {step}, due now"
    why = ""
    last, last_on = row.get("last_step"), row.get("last_chased_on")
    promised = row.get("promised_on")
    if (
        row.get("promise") == "pending"
        and promised is not None
        and due_on is not None
        and ((due_on - promised).days == 1)
    ):
        why = f" (the client promised to pay by {promised})"
    elif last and last_on is not None and due_on is not None and (due_on - last_on).days >= 0:
        why = f" (the client has time to answer the {last} of {last_on})"
    return f"Next: {step}, waiting until {due_on}{why}"


def promise_sentence(row: dict[str, Any]) -> str:
    """The client's promise to pay in words, or '' without one."""
    promised = row.get("promised_on")
    if promised is None:
        return ""
    note = (row.get("promise_note") or "").strip()
    state = row.get("promise") or ""
    return f"Promised for {promised} ({state})" + (f": {note}" if note else "")
