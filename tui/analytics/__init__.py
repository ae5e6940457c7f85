"""Analytics layer: pure Polars functions (book frames, as_of, settings) -> frames.

No textual, no duckdb. The same functions feed the CLI reports and the screens.
"""

from tui.analytics.base import BookData, milestone_facts

__all__ = ["BookData", "milestone_facts"]
