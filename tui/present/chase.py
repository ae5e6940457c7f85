"""The chase queue's words: the legal verdict (claim against the estimated cost of action).

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
