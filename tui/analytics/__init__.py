"""Analytics layer: pure Polars functions (book frames, as_of, settings) -> frames.

No textual, no duckdb. The same functions feed the CLI reports and the screens.
"""

from tui.analytics.accuracy import AccuracyReport, forecast_accuracy
from tui.analytics.aging import AgingReport, aging
from tui.analytics.base import BookData, milestone_facts
from tui.analytics.chase import active_holds, chase_queue, holds_ending
from tui.analytics.expenses import expense_occurrences
from tui.analytics.fees import fees_for, late_fees
from tui.analytics.forecast import Adjustment, ForecastReport, client_delays, forecast
from tui.analytics.scorecard import client_scorecards

__all__ = [
    "AccuracyReport",
    "Adjustment",
    "AgingReport",
    "BookData",
    "ForecastReport",
    "active_holds",
    "aging",
    "chase_queue",
    "client_delays",
    "client_scorecards",
    "expense_occurrences",
    "fees_for",
    "forecast",
    "forecast_accuracy",
    "holds_ending",
    "late_fees",
    "milestone_facts",
]
