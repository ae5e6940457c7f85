"""Edit one setting, an exchange rate, a statutory reference rate, or a message template."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from tui.domain.dates import parse_date
from tui.domain.model import Settings, parse_fx_rate, parse_rate_percent
from tui.domain.values import parse_currency, parse_text
from tui.modals.form import Field, FormModal

#: settings whose value has several lines, edited in a multi-line editor
MULTILINE_SETTINGS = frozenset({"signature"})


class SettingForm(FormModal):
    """One setting, checked with ``Settings.parse_value`` as the user types.

    ``save`` gets the text and ``expected=`` (``{key: value}``, the stored text the form opened
    on; after a stale-edit choice, the settings as text now) for ``Book.save_settings``.
    """

    WHAT = "setting"

    def __init__(self, *, key: str, label: str, value: str, help_text: str, today: dt.date,
                 save: Callable[..., Any]) -> None:  # fmt: skip
        self.key = key
        # the signature has several lines (name, trade, address): a multi-line editor, saved
        # with ctrl+s (Enter starts a new line in it)
        kind = "text" if key in MULTILINE_SETTINGS else "input"
        if kind == "text":
            self.HINT = "Enter new line · ctrl+s save · Esc cancel"
        super().__init__(f"Setting: {label}", [Field(key, label, kind)], {key: value},
                         save=lambda v, **kw: save(v[key], **kw), today=today,
                         saved_message="Setting saved.", subtitle=help_text,
                         expected={key: value})  # fmt: skip

    def check_field(self, name: str, values: Mapping[str, str]) -> None:
        """The setting's own parser."""
        Settings.parse_value(name, values.get(name, ""))

    def on_mount(self) -> None:
        """A multi-line setting gets an editor a few lines tall, inside the dialog."""
        super().on_mount()
        if self.key in MULTILINE_SETTINGS:
            self.query_one(f"#field-{self.key}").styles.height = 6


class RateForm(FormModal):
    """An exchange rate: the value of one unit of a currency in the home currency."""

    def __init__(self, *, home: str, today: dt.date, save: Callable[[str, Any], Any],
                 currency: str = "", rate: str = "") -> None:  # fmt: skip
        super().__init__(
            "Exchange rate", [Field("currency", "Currency", required=True, placeholder="e.g. GBP"),
                              Field("rate", f"Value in {home}", required=True, placeholder="e.g. 1.17")],
            {"currency": currency, "rate": rate},
            save=lambda v: save(parse_currency(v["currency"]), parse_fx_rate(v["rate"], "rate")),
            today=today, saved_message="Exchange rate saved.",
            subtitle=f"How much one unit of the currency is worth in {home}. Leave it out to keep it apart.",
        )  # fmt: skip

    def check_field(self, name: str, values: Mapping[str, str]) -> None:
        """Currency code, positive rate."""
        if name == "currency":
            parse_currency(values.get(name, ""))
        else:
            parse_fx_rate(values.get(name, ""), "rate")


class ReferenceRateForm(FormModal):
    """A statutory reference rate in force from a date; an empty rate removes that date's entry."""

    def __init__(self, *, preset: str, name: str, today: dt.date,
                 save: Callable[[dt.date, Decimal | None], Any]) -> None:  # fmt: skip
        self.preset = preset
        super().__init__(
            f"Reference rate: {name}",
            [Field("valid_from", "In force from", required=True, placeholder="YYYY-MM-DD"),
             Field("rate", "Rate (%)", placeholder="e.g. 3.75; empty removes the entry on that date")],
            {"valid_from": today.isoformat()},
            save=lambda v: save(parse_date(v["valid_from"], "valid_from", today_=today), self._rate(v)),
            today=today, saved_message="Reference rate saved.",
            subtitle="Statutory late fees use the rate in force on the reference day of each debt. "
                     "milepay never fetches rates: add each change of the central bank's rate.",
        )  # fmt: skip

    @staticmethod
    def _rate(values: Mapping[str, str]) -> Decimal | None:
        text = values.get("rate", "").strip()
        return parse_rate_percent(text, "rate") if text else None

    def check_field(self, name: str, values: Mapping[str, str]) -> None:
        """A real date; a percent from 0 to 100 or nothing."""
        if name == "valid_from":
            parse_date(values.get(name, ""), name, today_=self.today)
        else:
            self._rate(values)


def _placeholders() -> str:
    """Every placeholder a template may use, as the composer fills them (``tui.mail``)."""
    from tui.mail import PLACEHOLDERS

    return " ".join(f"${name}" for name in PLACEHOLDERS)


class TemplateForm(FormModal):
    """A chase step's message: subject and body with ``$placeholders``.

    The body is a multi-line editor: Enter starts a new line, ctrl+s saves.
    """

    HINT = "Enter new line in the body · Tab next field · ctrl+s save · Esc cancel"

    def __init__(self, *, step: str, subject: str, body: str, today: dt.date,
                 save: Callable[[str, str], Any]) -> None:  # fmt: skip
        super().__init__(
            f"Message template: {step}", [Field("subject", "Subject", required=True),
                                          Field("body", "Body", "text", required=True)],
            {"subject": subject, "body": body}, save=lambda v: save(v["subject"].strip(), v["body"]),
            today=today, saved_message="Template saved.", subtitle="Placeholders: " + _placeholders(),
        )  # fmt: skip

    def check_field(self, name: str, values: Mapping[str, str]) -> None:
        """Both required; the body may be long."""
        parse_text(
            values.get(name, ""),
            name,
            required=True,
            max_length=200 if name == "subject" else 20000,
        )

    def on_mount(self) -> None:
        """A taller body editor."""
        super().on_mount()
        self.query_one("#field-body").styles.height = 12
