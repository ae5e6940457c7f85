"""The base of every form: labelled fields validated as the user types, saved in a thread.

A form never accepts a bad value: each field is parsed with the domain parser on every
change and the wrong one is named under it; Save (Enter or ctrl+s) checks them all again,
then runs the write in a thread worker through ``MilepayApp.write``. When the store refuses
(an overpayment, a duplicate name, a busy book) the form stays open with everything typed.
Escape asks before throwing typed changes away.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Footer, Input, Label, Select, Static, TextArea

from tui.domain.errors import MilepayError, ValidationError

if TYPE_CHECKING:
    from tui.app import MilepayApp

DATE_HINT = "YYYY-MM-DD, today, +14d, +2w, +1m"


@dataclass(frozen=True)
class Field:
    """One field of a form: its name (as the domain parser calls it), label and widget."""

    name: str
    label: str
    kind: str = "input"  # input | select | text (multi-line) | heading
    choices: Sequence[tuple[str, str]] = field(default_factory=tuple)
    placeholder: str = ""
    required: bool = False
    #: fields with the same ``row`` label are laid out side by side under that label
    row: str = ""


def choices_of(values: Sequence[str]) -> list[tuple[str, str]]:
    """Select choices from enum values (label = value with spaces)."""
    return [(v.replace("_", " "), v) for v in values]


class FormModal(ModalScreen[Any]):
    """A modal form over a record type; subclasses give fields, checks and the save action."""

    #: the line under the fields saying how to move and save
    HINT = "Tab next field · Enter or ctrl+s save · Esc cancel"
    #: the field focused first (default: the first field)
    FIRST_FIELD = ""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="form-save"),
        Binding("escape", "cancel", "Cancel", id="form-cancel"),
        Binding("tab", "app.focus_next", "Next field", show=False),
    ]

    #: the record type whose ``parse_field``/``parse`` check the values (None: no record)
    RECORD: Any = None

    def __init__(
        self,
        title: str,
        fields: Sequence[Field],
        values: Mapping[str, str] | None = None,
        *,
        save: Callable[[dict[str, str]], Any],
        today: dt.date,
        saved_message: str = "Saved.",
        subtitle: str = "",
    ) -> None:
        super().__init__()
        self.form_title = title
        self.subtitle = subtitle
        self.fields = [f for f in fields]
        self.initial = {
            f.name: (values or {}).get(f.name, "") for f in self.fields if f.kind != "heading"
        }
        self.save_action = save
        self.today = today
        self.saved_message = saved_message
        self.touched: set[str] = set()
        self.saving = False
        self._errors: dict[str, str | None] = {}
        self._problem: str | None = None

    @property
    def milepay(self) -> MilepayApp:
        """The app, typed."""
        return cast("MilepayApp", self.app)

    # ---- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        """Title, fields with an error line each, extra widgets, hint and footer."""
        with Vertical(classes="form"):
            yield Label(Text(self.form_title), classes="form-title")
            if self.subtitle:
                yield Static(Text(self.subtitle), classes="form-subtitle")
            with VerticalScroll(classes="form-fields"):
                for group in self._rows():
                    first = group[0]
                    if first.kind == "heading":
                        yield Static(Text(first.label), classes="form-heading")
                        continue
                    label = first.row or first.label + (" *" if first.required else "")
                    with Horizontal(classes="form-row"):
                        yield Label(Text(label), classes="form-label")
                        for f in group:
                            yield self._widget(f)
                    for f in group:
                        yield Static("", id=f"err-{f.name}", classes="form-error")
                yield from self.compose_extra()
            yield Static("", id="form-problem", classes="form-problem")
            yield Static(Text(self.HINT), classes="form-hint")
        yield Footer(compact=True)

    def _rows(self) -> list[list[Field]]:
        """Fields grouped into lines: consecutive fields sharing a ``row`` label share a line."""
        rows: list[list[Field]] = []
        for f in self.fields:
            if rows and f.row and rows[-1][0].row == f.row:
                rows[-1].append(f)
            else:
                rows.append([f])
        return rows

    def _widget(self, f: Field) -> Widget:
        value = self.initial.get(f.name, "")
        wid = f"field-{f.name}"
        if f.kind == "select":
            options = [(Text(label), v) for label, v in f.choices]
            start = value if value in [v for _, v in f.choices] else f.choices[0][1]
            return Select(options, value=start, allow_blank=False, compact=True, id=wid)
        if f.kind == "text":
            return TextArea(value, id=wid, compact=True, soft_wrap=True, classes="form-text")
        return Input(
            value,
            placeholder=f.placeholder or (f.label if f.row else ""),
            compact=True,
            id=wid,
            select_on_focus=False,
        )

    def compose_extra(self) -> ComposeResult:
        """Extra widgets below the fields (the contract form's schedule preview)."""
        yield from ()

    def on_mount(self) -> None:
        """Focus the first field (or ``FIRST_FIELD``) and show what derives from the values."""
        fields = [f for f in self.fields if f.kind != "heading"]
        first = next(
            (f for f in fields if f.name == self.FIRST_FIELD), fields[0] if fields else None
        )
        if first is not None:
            self.query_one(f"#field-{first.name}").focus()
        self.values_changed()

    # ---- values and checks ----------------------------------------------------------------

    def values(self) -> dict[str, str]:
        """Every field's text as typed."""
        out: dict[str, str] = {}
        for f in self.fields:
            if f.kind == "heading":
                continue
            widget = self.query_one(f"#field-{f.name}")
            if isinstance(widget, Input):
                out[f.name] = widget.value
            elif isinstance(widget, TextArea):
                out[f.name] = widget.text
            elif isinstance(widget, Select):
                out[f.name] = "" if widget.value is Select.BLANK else str(widget.value)
        return out

    @property
    def is_dirty(self) -> bool:
        """Has the user typed anything that is not saved?"""
        if not self.is_mounted:
            return False
        return self.values() != self.initial

    def check_field(self, name: str, values: Mapping[str, str]) -> None:
        """Raise ValidationError when field ``name`` is wrong (default: the record's parser)."""
        if self.RECORD is not None and name in self.RECORD.FIELDS:
            self.RECORD.parse_field(name, values, self.today)

    def check_all(self, values: Mapping[str, str]) -> None:
        """Cross-field checks before saving (default: the record's whole parse)."""
        if self.RECORD is not None:
            self.RECORD.parse(values, today_=self.today)

    def values_changed(self) -> None:
        """A value changed: update derived widgets (overridden by forms with previews)."""

    def _label(self, name: str) -> str:
        return next((f.label for f in self.fields if f.name == name), name.replace("_", " "))

    def show_error(self, name: str, message: str | None) -> None:
        """Show (or clear) the message under one field, naming it."""
        if self._errors.get(name) == message:
            return  # nothing changed: no layout work per keystroke
        self._errors[name] = message
        try:
            line = self.query_one(f"#err-{name}", Static)
        except Exception:
            self.show_problem(f"{self._label(name)}: {message}" if message else None)
            return
        line.update(Text(f"{self._label(name)}: {message}") if message else "")
        line.set_class(bool(message), "-shown")
        self.query_one(f"#field-{name}").set_class(bool(message), "-invalid")

    def show_problem(self, message: str | None) -> None:
        """Show (or clear) a message about the whole form."""
        if self._problem == message:
            return
        self._problem = message
        box = self.query_one("#form-problem", Static)
        box.update(Text(message) if message else "")
        box.set_class(bool(message), "-shown")

    def _check_one(self, name: str) -> bool:
        values = self.values()
        try:
            self.check_field(name, values)
        except ValidationError as exc:
            self.show_error(
                name, exc.reason if exc.field in (name, self._label(name)) else str(exc)
            )
            return False
        self.show_error(name, None)
        return True

    def _field_name(self, widget: Widget | None) -> str | None:
        wid = widget.id if widget is not None else None
        return wid[len("field-") :] if wid and wid.startswith("field-") else None

    @on(Input.Changed)
    @on(Select.Changed)
    @on(TextArea.Changed)
    def _changed(self, event: Input.Changed | Select.Changed | TextArea.Changed) -> None:
        name = self._field_name(event.control)
        if name is None or not self.is_mounted:
            return
        self.touched.add(name)
        for other in sorted(self.touched):
            self._check_one(other)
        self.show_problem(None)
        self.values_changed()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if self._field_name(event.input) is not None:
            event.stop()
            self.action_save()

    # ---- saving and cancelling --------------------------------------------------------------

    def action_save(self) -> None:
        """Check every field, then save in a thread; stay open (nothing lost) if refused."""
        if self.saving:
            return
        names = [f.name for f in self.fields if f.kind != "heading"]
        self.touched.update(names)
        bad = [n for n in names if not self._check_one(n)]
        if bad:
            self.query_one(f"#field-{bad[0]}").focus()
            self.show_problem(f"Not saved: check {', '.join(self._label(n) for n in bad)}.")
            return
        values = self.values()
        try:
            self.check_all(values)
        except ValidationError as exc:
            self._refused(exc)
            return
        self.saving = True
        self.show_problem(None)
        self.milepay.write(lambda: self.save_action(values), done=self._saved,
                           failed=self._refused, message=self.saved_message)  # fmt: skip

    def _saved(self, result: Any) -> None:
        self.saving = False
        self.dismiss(result if result is not None else True)

    def _refused(self, exc: MilepayError) -> None:
        """The check or the store said no: show it by the field it names, keep the values."""
        self.saving = False
        name = exc.field
        if name and any(f.name == name for f in self.fields if f.kind != "heading"):
            self.show_error(name, getattr(exc, "reason", str(exc)))
            self.query_one(f"#field-{name}").focus()
        self.show_problem(f"Not saved: {exc}")

    def action_cancel(self) -> None:
        """Close; ask first when something typed would be lost."""
        from tui.modals.confirm import ConfirmModal

        if not self.is_dirty:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmModal("Discard the changes you typed?", yes="Discard",
                                          no="Keep editing"), answered)  # fmt: skip
