"""Checking the configuration files: settings (with exchange rates), reference rates, templates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tui.domain.dates import parse_iso_date
from tui.domain.errors import ValidationError
from tui.domain.model import Settings, parse_fx_rate, parse_rate_percent
from tui.domain.values import ChaseStep, StatutoryPreset, parse_currency, parse_enum, parse_text
from tui.store.exchange.outcome import _Row
from tui.store.exchange.snapshot import _Snapshot
from tui.store.exchange.spec import (
    CONFIG_KEYS,
    MAIL_KEYS,
    REFERENCE_RATES,
    SETTINGS,
    TEMPLATES,
    Key,
)

#: the settings a book holds and settings.csv may set (mail and preferences are not among them)
_BOOK_KEYS = tuple(k for k in Settings.KEYS if k not in CONFIG_KEYS)


def _config_key_message(key: str) -> str:
    """Why ``key`` (one of CONFIG_KEYS) cannot be imported."""
    if key in MAIL_KEYS:
        return (
            f"{key} is a mail setting; mail is set in your own config file ([mail] in "
            "config.toml), never by an import"
        )
    return (
        f"{key} is a preference of your own; it is set in your own config file (config.toml), "
        "never by an import"
    )


class _ConfigurationChecks:
    """The checks of the configuration files, a part of :class:`_Checker`."""

    snap: _Snapshot
    seen: dict[str, dict[Key, _Row]]
    rows: dict[str, list[_Row]]

    if TYPE_CHECKING:

        def _err(self, row: _Row, fld: str, message: str) -> None: ...

    def _dup(self, row: _Row, key: Key, fld: str, shown: str) -> bool:
        first = self.seen[row.spec.table].get(key)
        if first is not None:
            self._err(
                row, fld, f"{shown} appears twice in {row.spec.file} (also line {first.line})"
            )
            return True
        self.seen[row.spec.table][key] = row
        return False

    def _setting(self, line: int, values: Mapping[str, str]) -> _Row:
        row = _Row(SETTINGS, line)
        raw_key = values.get("key", "").strip()
        value = values.get("value", "")
        if raw_key == "":
            self._err(row, "key", "is required")
            return row
        lowered = raw_key.lower()
        if lowered in CONFIG_KEYS:
            self._err(row, "key", _config_key_message(lowered))
            return row
        try:
            if lowered.startswith("fx."):
                currency = parse_currency(raw_key[3:], "key")
                row.key = ("fx", currency)
                row.record = parse_fx_rate(value, f"fx.{currency}")
            elif lowered in _BOOK_KEYS:
                row.key = (lowered,)
                if lowered == "opening_balance_date" and value.strip():
                    parse_iso_date(value, lowered)
                Settings.parse_value(lowered, value)
                row.record = value
            else:
                self._err(
                    row,
                    "key",
                    f"'{raw_key}' is not a setting milepay knows ({', '.join(_BOOK_KEYS)}, fx.XXX)",
                )
                return row
        except ValidationError as exc:
            self._err(row, exc.field, exc.reason)
        if row.key is not None and self._dup(row, row.key, "key", f"'{raw_key}'"):
            row.key = None
        return row

    def _check_settings_together(self) -> None:
        """Cross-key rules (ladder thresholds) on the book's settings with the file's; normalise."""
        plain = [r for r in self.rows["settings"] if r.key is not None and r.key[0] != "fx"]
        if not plain or not all(r.ok for r in plain):
            return
        merged = {**self.snap.settings, **{r.key[0]: r.record for r in plain}}  # type: ignore[index]
        try:
            settings = Settings.from_text(merged)
        except ValidationError as exc:
            target = next((r for r in plain if r.key == (exc.field,)), plain[0])
            self._err(target, exc.field, exc.reason)
            return
        text = settings.to_text()
        for r in plain:
            r.record = text[r.key[0]]  # type: ignore[index]

    def _reference_rate(self, line: int, values: Mapping[str, str]) -> _Row:
        row = _Row(REFERENCE_RATES, line)
        parsed: dict[str, Any] = {}
        for name, parse in (
            ("preset", lambda t: parse_enum(StatutoryPreset, t, "preset").value),
            ("valid_from", lambda t: parse_iso_date(t, "valid_from")),
            ("rate", lambda t: parse_rate_percent(t, "rate")),
        ):
            try:
                parsed[name] = parse(values.get(name, ""))
            except ValidationError as exc:
                self._err(row, exc.field, exc.reason)
        if row.ok:
            key = (parsed["preset"], parsed["valid_from"])
            if not self._dup(row, key, "valid_from", f"{key[0]} rate from {key[1]}"):
                row.key, row.record = key, parsed["rate"]
        return row

    def _template(self, line: int, values: Mapping[str, str]) -> _Row:
        row = _Row(TEMPLATES, line)
        parsed: dict[str, Any] = {}
        for name, parse in (
            ("step", lambda t: parse_enum(ChaseStep, t, "step").value),
            ("subject", lambda t: _verbatim(t, "subject", 500)),
            ("body", lambda t: _verbatim(t, "body", 20000)),
        ):
            try:
                parsed[name] = parse(values.get(name, ""))
            except ValidationError as exc:
                self._err(row, exc.field, exc.reason)
        if row.ok and not self._dup(row, (parsed["step"],), "step", f"step '{parsed['step']}'"):
            row.key, row.record = (parsed["step"],), (parsed["subject"], parsed["body"])
        return row


def _verbatim(text: str, fld: str, max_length: int) -> str:
    """Template text kept exactly as written (whitespace matters), checked like any text."""
    parse_text(text, fld, required=True, max_length=max_length)
    if any(ord(c) < 32 and c not in "\n\t" for c in text):
        raise ValidationError(fld, "contains control characters")
    return text
