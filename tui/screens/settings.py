"""Settings (key 9): the book's settings, exchange rates, reference rates and message templates.

Each statutory reference-rate table shows its last entry and its date: milepay never fetches
rates, so the date says how current the table is (a statutory fee whose lateness began more
than six months after it is flagged). Enter adds a rate from a date, or removes one.

Mail, theme and message folder are preferences of the person, not of the book: one line
says which config file sets them (``M`` on the chase queue edits mail, ``ctrl+t`` the theme).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

import polars as pl
from rich.text import Text
from textual.binding import Binding, BindingType

from tui.config import config_path, shown_path
from tui.present.text import grouped_amounts
from tui.screens.listing import HomeExtras, ListScreen
from tui.session import Snapshot
from tui.widgets.table import Column

#: key -> (label, what it means)
LABELS: dict[str, tuple[str, str]] = {
    "home_currency": (
        "Home currency",
        "Three letters. Reports and the forecast are in this currency.",
    ),
    "timezone": (
        "Timezone",
        "IANA name such as Europe/Berlin; empty = this computer's. Decides 'today'.",
    ),
    "business_name": ("Business name", "Signs the chase messages."),
    "signature": ("Signature", "Added under chase messages."),
    "opening_balance": (
        "Opening balance",
        "Cash on the opening date; the forecast starts from it.",
    ),
    "opening_balance_date": (
        "Opening balance date",
        "YYYY-MM-DD: the day the opening balance was counted.",
    ),
    "bucket_edges": ("Aging bucket edges", "Three increasing day counts, e.g. 30,60,90."),
    "reminder_days": ("Chase: reminder from day", "Days past due before a polite reminder."),
    "firm_days": ("Chase: firm from day", "Days past due before a firm reminder (work paused)."),
    "escalate_days": ("Chase: escalate from day", "Days past due before writing to the owner."),
    "legal_days": ("Chase: legal from day", "Days past due before weighing legal action."),
    "legal_cost_estimate": ("Legal cost estimate", "What legal action would cost, to weigh it."),
    "min_gap_days": (
        "Chase: days between steps",
        "At least this many days after the last logged step before the next is due.",
    ),
    "pre_due_days": (
        "Chase: note before due",
        "Days before the due date for a friendly 'coming up' note; 0 = none.",
    ),
    "tax_reserve_percent": (
        "Tax reserve %",
        "Share of money received put aside for tax (0 = none); expenses of category tax use it.",
    ),
    "tax_reserve_since": (
        "Tax reserve since",
        "YYYY-MM-DD: payments from this day on count towards the reserve (empty = all).",
    ),
    "cash_floor": (
        "Cash floor",
        "The least free cash you want to keep; safe to spend keeps above it.",
    ),
    "locale": (
        "Locale for clients",
        "Amounts in messages and statements, e.g. de_DE gives 2.160,00 €; empty = 2,160.00 EUR.",
    ),
    "forecast_weeks": ("Forecast weeks", "Horizon of the weekly forecast."),
    "forecast_months": ("Forecast months", "Horizon of the monthly forecast."),
}
#: settings that are amounts: shown with thousands separators
MONEY_SETTINGS = frozenset({"opening_balance", "legal_cost_estimate", "cash_floor"})
#: statutory presets whose reference rate table is shown (preset -> how it is named)
PRESETS = {"uk": "UK (Bank of England)", "eu": "EU (ECB)"}
#: the line saying where the preferences that are not book settings live
CONFIG_LABEL = "Mail, theme, folder"


class SettingsScreen(ListScreen):
    """One line per setting, exchange rate and template; Enter or e edits the line."""

    NAME = "settings"
    ENTER_ACTION = "edit"
    TITLE_TEXT = "Settings"
    COLUMNS: ClassVar[list[Column]] = [
        Column("Setting", "label"),
        Column("Value", "value", grow=True, min_width=12),
    ]
    SORTABLE: ClassVar[list[str] | None] = ["order", "label"]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "edit", "Edit", id="setting-edit"),
        Binding("n", "new_rate", "+Exchange rate", id="setting-rate"),
        Binding("x", "remove_rate", "Remove rate", id="setting-rate-remove"),
        Binding("slash", "filter", "Filter", id="filter"),
    ]

    def fetch(self, snapshot: Snapshot) -> tuple[pl.DataFrame, Any]:
        """Settings as text, exchange rates and templates."""
        frames = snapshot.frames
        settings = frames.settings
        rows: list[dict[str, Any]] = []
        for key, text in settings.to_text().items():
            label, help_text = LABELS.get(key, (key, ""))
            rows.append(
                {"key": key, "kind": "setting", "label": label, "value": text, "help": help_text}
            )
        where = shown_path(config_path())
        rows.append({"key": "config", "kind": "config", "label": CONFIG_LABEL,
                     "value": f"set in {where}, not in the book",
                     "help": str(where)})  # fmt: skip
        for r in frames.exchange_rates.sort("currency").iter_rows(named=True):
            rate = format(Decimal(r["rate"]).normalize(), "f")
            rows.append({"key": f"fx.{r['currency']}", "kind": "rate", "label": f"1 {r['currency']} in "
                         f"{settings.home_currency}", "value": rate, "help": ""})  # fmt: skip
        for preset, name in PRESETS.items():
            table = frames.reference_rates.filter(pl.col("preset") == preset).sort("valid_from")
            if table.height:
                last = table.row(-1, named=True)
                value = (
                    f"{format(Decimal(last['rate']).normalize(), 'f')} % from "
                    f"{last['valid_from'].isoformat()} (last entry of {table.height})"
                )
            else:
                value = "no rates: statutory fees cannot be computed"
            rows.append({"key": f"refrate.{preset}", "kind": "refrate", "label": f"Reference rate {name}",
                         "value": value, "help": name})  # fmt: skip
        for r in frames.message_templates.iter_rows(named=True):
            rows.append({"key": f"template.{r['step']}", "kind": "template", "label": f"Message: {r['step']}",
                         "value": r["subject"], "help": r["body"]})  # fmt: skip
        for i, row in enumerate(rows):
            row["order"] = i
            row["search"] = f"{row['label']} {row['value']}".lower()
        schema = {"key": pl.String, "kind": pl.String, "label": pl.String, "value": pl.String,
                  "help": pl.String, "order": pl.Int64, "search": pl.String}  # fmt: skip
        return pl.DataFrame(rows, schema=schema), HomeExtras(
            today=settings.today(), home=settings.home_currency
        )

    def show_extra(self) -> None:
        """Remember today."""
        self.today = self.extra.today

    def cells(self, row: dict[str, Any]) -> list[Any]:
        """Label and value (first line of it)."""
        value = row["value"].splitlines()[0] if row["value"] else ""
        if row["key"] in MONEY_SETTINGS and value:
            value = grouped_amounts(value)  # 4,500.00 as everywhere else
        return [Text(row["label"], style="bold" if row["kind"] == "setting" else ""), Text(value)]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Removing applies to exchange rates only."""
        if action == "remove_rate":
            row = self.selected
            return True if row is not None and row["kind"] == "rate" else None
        if action == "edit" and self.selected is None:
            return None
        return True

    def action_edit(self) -> None:
        """Edit the selected line with the form that fits it."""
        from tui.modals.setting_form import RateForm, ReferenceRateForm, SettingForm, TemplateForm

        row = self.selected
        if row is None:
            return
        today, home = self._today(), self.extra.home
        if row["kind"] == "setting":
            key = row["key"]
            self.app.push_screen(SettingForm(key=key, label=row["label"], value=row["value"], help_text=row["help"],
                                             today=today, save=lambda text, expected: self.book.save_settings({key: text}, expected=expected)))  # fmt: skip
        elif row["kind"] == "config":
            self.notify(f"Not a book setting: edit {row['help']}, or press M on the chase queue (7) "
                        "for mail and ctrl+t for the theme.", markup=False, timeout=8)  # fmt: skip
        elif row["kind"] == "refrate":
            preset = row["key"].split(".", 1)[1]
            self.app.push_screen(ReferenceRateForm(preset=preset, name=row["help"], today=today,
                                                   save=lambda on, rate: self.book.set_reference_rate(preset, on, rate)))  # fmt: skip
        elif row["kind"] == "rate":
            self.app.push_screen(RateForm(home=home, today=today, currency=row["key"][3:], rate=row["value"],
                                          save=self.book.set_exchange_rate))  # fmt: skip
        else:
            step = row["key"].split(".", 1)[1]
            self.app.push_screen(TemplateForm(step=step, subject=row["value"], body=row["help"], today=today,
                                              save=lambda subject, body: self.book.set_template(step, subject, body)))  # fmt: skip

    def action_new_rate(self) -> None:
        """Add an exchange rate."""
        from tui.modals.setting_form import RateForm

        self.app.push_screen(RateForm(home=self.extra.home if self.extra else "", today=self._today(),
                                      save=self.book.set_exchange_rate))  # fmt: skip

    def action_remove_rate(self) -> None:
        """Remove the selected exchange rate (asks first)."""
        from tui.modals.confirm import ConfirmModal

        row = self.selected
        if row is None or row["kind"] != "rate":
            return
        currency = row["key"][3:]

        def answered(yes: bool | None) -> None:
            if yes:
                self.milepay.write(lambda: self.book.set_exchange_rate(currency, None),
                                   message=f"Exchange rate for {currency} removed.")  # fmt: skip

        self.app.push_screen(ConfirmModal(f"Remove the exchange rate for {currency}? Amounts in it will be "
                                          "listed apart in the forecast.", yes="Remove", no="Keep"), answered)  # fmt: skip
