"""Bank statements: reading a bank's own CSV export and recording matched credits once.

The methods are mixed into :class:`tui.store.Book`; every write goes through the row helpers
of :mod:`tui.store.rows`, so it is one transaction and audited.
"""

from __future__ import annotations


class BankMixin:
    """Bank statement lines recorded as payments, each line once (SPEC 6)."""
