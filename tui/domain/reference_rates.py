"""Reference interest rates shipped with milepay, for statutory late-payment interest.

Each row: (preset, date from which the rate is in force, rate in percent). The book keeps
its own editable copy (table ``reference_rates``); these are only the starting values.

- ``uk``: the Bank of England base rate. A debt takes the rate in force on the 30 June or
  31 December immediately before its first day of lateness (the day after the due date),
  fixed for the life of the debt, as the Late Payment of Commercial Debts (Interest) Act 1998
  reads (SPEC 4.3; :func:`tui.analytics.fees.reference_day`).
- ``eu``: the ECB main refinancing operations rate (Directive 2011/7/EU); a debt takes the
  rate in force on its due date, fixed for its life.

Values after the last date listed must be added by the user (settings screen or
``reference_rates.csv``); milepay never fetches them. A statutory fee whose lateness began
more than six months after the last row of its preset in the book gets a ``rate_warning``
(:func:`tui.analytics.fees.last_reference_dates` gives those last dates).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

D = dt.date

SHIPPED_REFERENCE_RATES: tuple[tuple[str, dt.date, Decimal], ...] = tuple(
    (preset, day, Decimal(rate))
    for preset, day, rate in [
        ("uk", D(2020, 3, 19), "0.10"),
        ("uk", D(2021, 12, 16), "0.25"),
        ("uk", D(2022, 2, 3), "0.50"),
        ("uk", D(2022, 3, 17), "0.75"),
        ("uk", D(2022, 5, 5), "1.00"),
        ("uk", D(2022, 6, 16), "1.25"),
        ("uk", D(2022, 8, 4), "1.75"),
        ("uk", D(2022, 9, 22), "2.25"),
        ("uk", D(2022, 11, 3), "3.00"),
        ("uk", D(2022, 12, 15), "3.50"),
        ("uk", D(2023, 2, 2), "4.00"),
        ("uk", D(2023, 3, 23), "4.25"),
        ("uk", D(2023, 5, 11), "4.50"),
        ("uk", D(2023, 6, 22), "5.00"),
        ("uk", D(2023, 8, 3), "5.25"),
        ("uk", D(2024, 8, 1), "5.00"),
        ("uk", D(2024, 11, 7), "4.75"),
        ("uk", D(2025, 2, 6), "4.50"),
        ("uk", D(2025, 5, 8), "4.25"),
        ("uk", D(2025, 8, 7), "4.00"),
        ("uk", D(2025, 12, 18), "3.75"),
        ("eu", D(2016, 3, 16), "0.00"),
        ("eu", D(2022, 7, 27), "0.50"),
        ("eu", D(2022, 9, 14), "1.25"),
        ("eu", D(2022, 11, 2), "2.00"),
        ("eu", D(2022, 12, 21), "2.50"),
        ("eu", D(2023, 2, 8), "3.00"),
        ("eu", D(2023, 3, 22), "3.50"),
        ("eu", D(2023, 5, 10), "3.75"),
        ("eu", D(2023, 6, 21), "4.00"),
        ("eu", D(2023, 8, 2), "4.25"),
        ("eu", D(2023, 9, 20), "4.50"),
        ("eu", D(2024, 6, 12), "4.25"),
        ("eu", D(2024, 9, 18), "3.65"),
        ("eu", D(2024, 10, 23), "3.40"),
        ("eu", D(2024, 12, 18), "3.15"),
        ("eu", D(2025, 2, 5), "2.90"),
        ("eu", D(2025, 3, 12), "2.65"),
        ("eu", D(2025, 4, 23), "2.40"),
        ("eu", D(2025, 6, 11), "2.15"),
    ]
)
