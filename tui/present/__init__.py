"""The presentation layer: how figures read, for the app and the command line alike.

No textual and no click here: plain text from domain values, so a screen and a
``milepay report`` table can never word the same figure differently.
"""

from tui.present.text import ZERO, money, per_currency

__all__ = ["ZERO", "money", "per_currency"]
