"""The presentation layer's words: the legal verdict, worked out by hand."""

from __future__ import annotations

from decimal import Decimal

from tui.present.chase import legal_segments

D = Decimal


def _row(**over: object) -> dict[str, object]:
    row: dict[str, object] = {"currency": "EUR", "open": D("2160.00"), "late_fee": D("151.32"),
                              "claim_total": D("2311.32"), "claim_total_home": D("2311.32"),
                              "legal_cost_estimate": D("500.00"), "worth_it": True}  # fmt: skip
    row.update(over)
    return row


def _plain(segments: list[tuple[str, str]]) -> str:
    return "".join(text for text, _ in segments)


def test_worth_it_names_the_margin_over_the_cost() -> None:
    """2,160.00 + 151.32 = 2,311.32 claimed; 2,311.32 - 500.00 = 1,811.32 above the cost."""
    segments = legal_segments(_row(), "EUR")
    assert _plain(segments) == (
        "Weigh legal action\n"
        "Open 2,160.00 EUR + late fee 151.32 EUR = claim 2,311.32 EUR\n"
        "Estimated cost of legal action: 500.00 EUR\n"
        "Worth it (claim 1,811.32 EUR above the cost)."
    )
    assert segments[0] == ("Weigh legal action\n", "bold") and segments[-1][1] == "bold"


def test_short_form_and_not_worth_it() -> None:
    """Claim 450.00 against a cost of 500.00: not worth it, in one line."""
    row = _row(open=D("450.00"), late_fee=D("0.00"), claim_total=D("450.00"),
               claim_total_home=D("450.00"), worth_it=False)  # fmt: skip
    assert _plain(legal_segments(row, "EUR", short=True)) == (
        "Legal: claim 450.00 EUR vs cost 500.00 EUR: not worth it (the cost is as high or higher)."
    )


def test_another_currency_shows_the_claim_at_home_or_says_it_cannot_compare() -> None:
    """A USD claim of 1,000.00 at 0.92 is 920.00 EUR; without a rate there is no verdict."""
    row = _row(currency="USD", open=D("1000.00"), late_fee=D("0.00"), claim_total=D("1000.00"),
               claim_total_home=D("920.00"))  # fmt: skip
    text = _plain(legal_segments(row, "EUR"))
    assert "Claim in EUR: 920.00 EUR\n" in text
    assert text.endswith("Worth it (claim 420.00 EUR above the cost).")
    no_rate = _plain(legal_segments(_row(currency="USD", claim_total_home=None), "EUR", short=True))
    assert no_rate.endswith("no exchange rate for USD, cannot compare.")
