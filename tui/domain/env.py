"""Settings read from the environment, checked like anything else a person types.

A wrong value is refused with a :class:`ValidationError` named after the variable
(``MILEPAY_BUSY_TIMEOUT: 'abc' is not a number of seconds``), never silently replaced by a
default and never a traceback. An unset or empty variable means "use the default".
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping

from tui.domain.dates import check_date_range
from tui.domain.errors import ValidationError

#: the longest wait milepay accepts for a number of seconds (an hour)
MAX_SECONDS = 3600.0


def _raw(name: str, environ: Mapping[str, str] | None) -> str:
    return (os.environ if environ is None else environ).get(name, "").strip()


def env_seconds(
    name: str,
    default: float,
    *,
    maximum: float = MAX_SECONDS,
    environ: Mapping[str, str] | None = None,
) -> float:
    """Seconds from variable ``name`` (``5``, ``0.5``; 0 to ``maximum``), else ``default``.

    Refuses anything else, ``-1``, ``nan``, ``inf`` and ``1e3`` included.
    """
    raw = _raw(name, environ)
    if raw == "":
        return default
    if not re.fullmatch(r"[0-9]{1,9}(\.[0-9]{1,9})?|\.[0-9]{1,9}", raw):
        raise ValidationError(name, f"'{raw}' is not a number of seconds")
    value = float(raw)
    if value > maximum:
        raise ValidationError(name, f"'{raw}' is more than {maximum:g} seconds")
    return value


def env_date(name: str, *, environ: Mapping[str, str] | None = None) -> dt.date | None:
    """A ``YYYY-MM-DD`` date in 1900-2999 from variable ``name``, or None when it is unset."""
    raw = _raw(name, environ)
    if raw == "":
        return None
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw):
        raise ValidationError(name, f"'{raw}' is not a date (YYYY-MM-DD)")
    try:
        value = dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(name, f"'{raw}' is not a real date") from None
    return check_date_range(value, name, raw)
