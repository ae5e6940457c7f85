"""The base of every form: labelled fields validated as the user types, saved in a thread.

A form never accepts a bad value: a change to a field parses that field with the domain
parser (and re-checks the fields whose last check read it) and names the wrong one under it;
Save (Enter or ctrl+s) checks them all again, then runs the write in a thread worker through
``MilepayApp.write``. When the store refuses (an overpayment, a duplicate name, a busy book)
the form stays open with everything typed. Escape asks before throwing typed changes away.

A form opened on a stored record keeps that row (``expected``) and its save action is called
as ``save(values, expected=row)``, so the store refuses a save over a record changed
elsewhere since (:class:`~tui.domain.errors.StaleEditError`); the form then asks what to do
(:mod:`tui.modals.stale`) and writes nothing until the user decides.

Tab and shift+tab are priority bindings: the app moves the focus when it routes the key, so
the keys after a Tab in one burst (a slow SSH link, a paste) land in the next field.

Whenever the focus moves (Tab, shift+tab, a refused save focusing the wrong field) the fields
scroll, without animation, so that the focused field's line and its error line are in view,
and an error line that appears under the focused field is scrolled into view too: nothing is
ever typed blind below the visible part. A choice list (a Select) opens inside the fields'
area: below the field when it fits there, else above it, scrolling within itself when even
that is too short, never over the dialog's border or the key bar.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.geometry import Region
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static, TextArea

from tui.domain.errors import MilepayError, StaleEditError, ValidationError
from tui.widgets.keybar import KeyBar

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
    #: a proposed value the user usually replaces (a payment's amount): selected when the
    #: field gets focus, so typing replaces it; other fields keep their text and typing adds
    replace: bool = False


def choices_of(values: Sequence[str]) -> list[tuple[str, str]]:
    """Select choices from enum values (label = value with spaces)."""
    return [(v.replace("_", " "), v) for v in values]


def text_of(value: Any) -> str:
    """A stored value as a form shows it: None is empty, everything else its ``str``."""
    return "" if value is None else str(value)


class LiveValues(Mapping[str, str]):
    """The form's values read from the widgets when asked, remembering which were read.

    A field's check reads only what it needs; what it read is what it depends on, so a change
    to a field re-checks just the fields whose last check read it.
    """

    def __init__(self, names: Sequence[str], read: Callable[[str], str]) -> None:
        self._names = list(names)
        self._known = set(names)
        self._read = read
        self.read_keys: set[str] = set()

    def __getitem__(self, key: str) -> str:
        if key not in self._known:
            raise KeyError(key)
        self.read_keys.add(key)
        return self._read(key)

    def __contains__(self, key: object) -> bool:
        return key in self._known

    def __iter__(self) -> Iterator[str]:
        self.read_keys.update(self._names)  # a check that looks at every value depends on all
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


class FormModal(ModalScreen[Any]):
    """A modal form over a record type; subclasses give fields, checks and the save action."""

    #: the line under the fields saying how to move and save
    HINT = "Tab next field · Enter or ctrl+s save · Esc cancel"
    #: the field focused first (default: the first field)
    FIRST_FIELD = ""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="form-save"),
        Binding("escape", "cancel", "Cancel", id="form-cancel"),
        # priority: the focus moves when the app routes the key, not after the keys behind it
        # in the same burst were already handed to the field being left
        Binding("tab", "app.focus_next", "Next field", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", "Previous field", show=False, priority=True),
    ]

    #: the record type whose ``parse_field``/``parse`` check the values (None: no record)
    RECORD: Any = None
    #: what the form edits, as the stale-edit dialog names it ("This client was changed ...")
    WHAT = "record"

    def __init__(
        self,
        title: str,
        fields: Sequence[Field],
        values: Mapping[str, str] | None = None,
        *,
        save: Callable[..., Any],
        today: dt.date,
        saved_message: str = "Saved.",
        subtitle: str = "",
        expected: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.form_title = title
        self.subtitle = subtitle
        self.fields = [f for f in fields]
        self.initial = {
            f.name: (values or {}).get(f.name, "") for f in self.fields if f.kind != "heading"
        }
        #: selects opened on a value that is not one of their choices, and the choice shown
        #: instead (its first): not a change the user made
        self._shown_defaults: dict[str, str] = {}
        self.save_action = save
        self.today = today
        self.saved_message = saved_message
        self.touched: set[str] = set()
        self.saving = False
        #: the stored row the form was opened on (None: a new record); the save passes it on
        self.expected: Mapping[str, Any] | None = expected
        self._names = [f.name for f in self.fields if f.kind != "heading"]
        self._widgets: dict[str, Widget] = {}
        #: field -> the values its last check read (its dependencies)
        self._reads: dict[str, set[str]] = {}
        self._errors: dict[str, str | None] = {}
        self._problem: str | None = None
        #: the focused field waiting for the next layout to scroll its error line into view
        self._reveal_pending: Widget | None = None

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
            # not a Tab stop of its own: Tab goes from field to field (PageDown still scrolls)
            with VerticalScroll(classes="form-fields", can_focus=False):
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
        yield KeyBar()

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
            if start != value:
                self._shown_defaults[f.name] = start
            return Select(options, value=start, allow_blank=False, compact=True, id=wid)
        if f.kind == "text":
            return TextArea(value, id=wid, compact=True, soft_wrap=True, classes="form-text")
        return Input(
            value,
            placeholder=f.placeholder or (f.label if f.row else ""),
            compact=True,
            id=wid,
            select_on_focus=f.replace,
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
        self.screen_layout_refresh_signal.subscribe(self, self._laid_out)
        if first is not None:
            self.query_one(f"#field-{first.name}").focus()
        self.values_changed()

    # ---- keeping the focused field in view ------------------------------------------------

    def set_focus(
        self, widget: Widget | None, scroll_visible: bool = True, from_app_focus: bool = False
    ) -> None:
        """Focus ``widget``; a field is then scrolled into view with its error line."""
        super().set_focus(widget, scroll_visible=False, from_app_focus=from_app_focus)
        if widget is None or self.focused is not widget:
            return
        if isinstance(widget.parent, Select):  # a choice list opening
            self.call_after_refresh(self._open_list, widget)
        elif scroll_visible:
            self.call_after_refresh(self.reveal, widget)

    def focus_field(self, name: str) -> None:
        """Focus field ``name`` and scroll it into view (also when it had the focus already)."""
        self.set_focus(self.query_one(f"#field-{name}"))  # now, not after the queued messages

    def _fields_box(self) -> VerticalScroll | None:
        """The scrolling area of the fields (None before it is composed)."""
        try:
            return self.query_one(".form-fields", VerticalScroll)
        except NoMatches:
            return None

    def _line_of(self, widget: Widget, box: Widget) -> Widget | None:
        """The child of ``box`` holding ``widget`` (its field's line), None when not inside."""
        line: Widget = widget
        while line.parent is not box:
            if not isinstance(line.parent, Widget):
                return None
            line = line.parent
        return line

    def reveal(self, widget: Widget) -> None:
        """Scroll the fields, at once, so the focused ``widget``'s line and error line show."""
        self._reveal_pending = None
        if self.focused is not widget or not widget.is_attached:
            return
        box = self._fields_box()
        line = self._line_of(widget, box) if box is not None else None
        if box is None or line is None:
            if not self.can_view_entire(widget):
                self.scroll_to_center(widget, animate=False, origin_visible=True)
            return
        region = line.virtual_region
        name = self._field_name(widget)
        if name is not None and self._errors.get(name):
            error = self.query(f"#err-{name}")
            if error and not error.first().virtual_region.height:
                self._reveal_pending = widget  # not laid out yet: again after the layout
                return
            if error:
                region = region.union(error.first().virtual_region)
        window = Region(0, round(box.scroll_y), region.right, box.scrollable_content_region.height)
        if not window.contains_region(region):  # centred: the lines around it show too
            box.scroll_to_region(region, animate=False, immediate=True, center=True)

    def _laid_out(self, _screen: Any) -> None:
        """The layout changed: reveal the field that waited for its error line's place."""
        if self._reveal_pending is not None:
            self.reveal(self._reveal_pending)

    def _open_list(self, overlay: Widget) -> None:
        """A choice list opened: make room under its field, then fit it in the fields' area."""
        box = self._fields_box()
        select = overlay.parent
        line = self._line_of(overlay, box) if box is not None else None
        if box is None or line is None or not isinstance(select, Select):
            return
        top = line.virtual_region.y
        room = Region(0, top, 1, line.virtual_region.height + self._list_height(overlay))
        box.scroll_to_region(room, animate=False, immediate=True, origin_visible=True)
        self.call_after_refresh(self._fit_list, overlay)

    @staticmethod
    def _list_height(overlay: Widget) -> int:
        """How tall the open list wants to be: its choices and its border (at most 12)."""
        count = int(getattr(overlay, "option_count", 0))
        return min(count + overlay.styles.gutter.height, 12)

    def _fit_list(self, overlay: Widget) -> None:
        """Place the open list below its field, or above when there is more room there."""
        box = self._fields_box()
        select = overlay.parent
        if box is None or not isinstance(select, Select) or not select.expanded:
            return
        area, field_region = box.scrollable_content_region, select.region
        wanted = self._list_height(overlay)
        below = area.bottom - field_region.bottom
        above = field_region.y - area.y
        if below >= wanted or below >= above:
            height, shift = min(wanted, max(below, 3)), 0
        else:  # open upwards: its bottom on the line above the field
            height = min(wanted, above)
            shift = -(height + field_region.height)
        overlay.styles.max_height = height
        overlay.styles.offset = (0, shift)

    # ---- values and checks ----------------------------------------------------------------

    def field_widget(self, name: str) -> Widget:
        """The widget of field ``name`` (looked up once)."""
        widget = self._widgets.get(name)
        if widget is None:
            widget = self._widgets[name] = self.query_one(f"#field-{name}")
        return widget

    def value(self, name: str) -> str:
        """One field's text as typed now."""
        widget = self.field_widget(name)
        if isinstance(widget, Input):
            return widget.value
        if isinstance(widget, TextArea):
            return widget.text
        if isinstance(widget, Select):
            return "" if widget.value is Select.BLANK else str(widget.value)
        return ""

    def values(self) -> dict[str, str]:
        """Every field's text as typed."""
        return {name: self.value(name) for name in self._names}

    def set_value(self, name: str, text: str) -> None:
        """Put ``text`` in field ``name`` (a select keeps its value when ``text`` is no choice)."""
        widget = self.field_widget(name)
        if isinstance(widget, Input):
            widget.value = text
        elif isinstance(widget, TextArea):
            widget.load_text(text)
        elif isinstance(widget, Select):
            f = next(f for f in self.fields if f.name == name)
            if text in [v for _, v in f.choices]:
                widget.value = text

    def field_text(self, name: str, value: Any) -> str:
        """A stored value of field ``name`` as the form shows it (a contract trims percents)."""
        return text_of(value)

    @property
    def is_dirty(self) -> bool:
        """Has the user typed anything that is not saved?"""
        if not self.is_mounted:
            return False
        return self.values() != {**self.initial, **self._shown_defaults}

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
        line.display = bool(message)  # at once (a class waits for the next style pass)
        widget = self.query_one(f"#field-{name}")
        widget.set_class(bool(message), "-invalid")
        if message and self.focused is widget:  # the new error line shows under the field
            self.call_after_refresh(self.reveal, widget)

    def show_problem(self, message: str | None) -> None:
        """Show (or clear) a message about the whole form."""
        if self._problem == message:
            return
        self._problem = message
        box = self.query_one("#form-problem", Static)
        box.update(Text(message) if message else "")
        box.set_class(bool(message), "-shown")

    def _check_one(self, name: str) -> bool:
        """Check field ``name``; remember which values the check read (what it depends on)."""
        values = LiveValues(self._names, self.value)
        message: str | None = None
        try:
            self.check_field(name, values)
        except ValidationError as exc:
            message = exc.reason if exc.field in (name, self._label(name)) else str(exc)
        self._reads[name] = values.read_keys
        self.show_error(name, message)
        return message is None

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
        # the changed field, and every touched field whose last check read it
        for other in self._names:
            if other == name or (other in self.touched and name in self._reads.get(other, ())):
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
            self.focus_field(bad[0])
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
        expected = self.expected  # as it is now, on this thread

        def work() -> Any:
            if expected is None:
                return self.save_action(values)
            return self.save_action(values, expected=expected)

        self.milepay.write(work, done=self._saved, failed=self._refused,
                           message=self.saved_message)  # fmt: skip

    def _saved(self, result: Any) -> None:
        self.saving = False
        self.dismiss(result if result is not None else True)

    def _refused(self, exc: MilepayError) -> None:
        """The check or the store said no: show it by the field it names, keep the values."""
        self.saving = False
        if isinstance(exc, StaleEditError):
            self._stale(exc)
            return
        name = exc.field
        if name and any(f.name == name for f in self.fields if f.kind != "heading"):
            self.show_error(name, getattr(exc, "reason", str(exc)))
            self.focus_field(name)
        self.show_problem(f"Not saved: {exc}")

    def _stale(self, exc: StaleEditError) -> None:
        """The record changed elsewhere: keep what is typed and ask which version wins."""
        from tui.modals.stale import StaleChange, StaleEditModal

        typed = self.values()
        changes = [
            StaleChange(
                self._label(name),
                self.field_text(name, opened),
                self.field_text(name, now),
                typed.get(name),
            )
            for name, (opened, now) in exc.changed.items()
        ]
        self.show_problem(f"Not saved: this {self.WHAT} was changed elsewhere since you opened it.")

        def answered(choice: str | None) -> None:
            if choice == StaleEditModal.KEEP_MINE:
                self.expected = exc.current  # overwrite knowingly, unless it changes again
                self.action_save()
            elif choice == StaleEditModal.TAKE_THEIRS:
                self.take_theirs(exc)

        self.app.push_screen(StaleEditModal(self.WHAT, changes), answered)

    def take_theirs(self, exc: StaleEditError) -> None:
        """Load the values saved elsewhere into the fields that changed; keep the rest typed."""
        taken = []
        for name in exc.changed:
            if name in self._names and name in exc.current:
                text = self.field_text(name, exc.current[name])
                self.initial[name] = text
                self.set_value(name, text)
                taken.append(self._label(name))
        self.expected = exc.current
        self.show_problem(None)
        if taken:
            self.notify(f"Took {', '.join(taken)} as saved elsewhere; your other changes are kept.",
                        markup=False, timeout=4)  # fmt: skip

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
