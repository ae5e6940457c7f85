"""Payments that can be corrected: edit, delete, one transfer split over several milestones.

The methods are mixed into :class:`tui.store.Book`; every write goes through the row helpers
of :mod:`tui.store.rows`, so it is one transaction and audited.
"""

from __future__ import annotations


class PaymentsMixin:
    """Correcting payments (SPEC 2): see the module docstring."""
