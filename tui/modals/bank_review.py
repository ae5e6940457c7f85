"""Review a bank statement's proposals and record the ones checked (issue 13, SPEC 6).

``B`` on the milestones screen asks for the statement file (and, when the config file has
``[bank.NAME]`` profiles, which one; "detect" reads the file as it is), reads and matches it
in a worker (:func:`tui.bank.read_proposals`), then lists every line:

- a proposal: a box to tick, the date, the amount, who paid, and below it what it pays and
  why (invoice number in the reference, amount and payer, several milestones adding up);
  unambiguous proposals start ticked, ambiguous ones (more than one candidate) unticked;
- unmatched credits with the reason, debits (never payments) and lines recorded by an earlier
  import, for the record.

Space ticks or unticks the selected proposal, ``a`` ticks all or none, ``ctrl+s`` records the
ticked ones in one audited transaction (a line is never recorded twice), Esc closes without
recording. Nothing is recorded without that confirmation.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from tui.domain.errors import MilepayError, ValidationError
from tui.domain.money import format_amount
from tui.widgets.keybar import KeyBar

if TYPE_CHECKING:
    from tui.analytics.bank import Proposal
    from tui.app import MilepayApp


def check_statement_path(text: str) -> Path:
    """A readable file: ``~`` expanded."""
    raw = text.strip()
    if not raw:
        raise ValidationError("file", "is required")
    path = Path(raw).expanduser()
    if not path.is_file():
        raise ValidationError("file", f"{path} is not a file")
    return path


def _line(p: Proposal) -> str:
    who = f"  {p.counterparty}" if p.counterparty else ""
    return f"{p.booked_on.isoformat()}  {format_amount(p.amount):>12}{who}"


class BankReviewModal(ModalScreen[int]):
    """The proposals of one statement; dismisses with the number of payments recorded."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle", "Tick", id="bank-tick"),
        Binding("a", "toggle_all", "All/none", id="bank-all"),
        Binding("ctrl+s", "record", "Record ticked", id="bank-record"),
        Binding("escape", "close", "Close", id="bank-close"),
    ]

    def __init__(self, path: Path, proposals: list[Proposal]) -> None:
        super().__init__()
        self.path = path
        self.proposals = [p for p in proposals if p.status == "match"]
        self.others = [p for p in proposals if p.status != "match"]
        self.ticked = {p.fingerprint for p in self.proposals if p.applicable}
        self.busy = False

    @property
    def milepay(self) -> MilepayApp:
        """The app, typed."""
        return cast("MilepayApp", self.app)

    def compose(self) -> ComposeResult:
        """Title, the proposals to tick, the other lines, the keys."""
        with Vertical(classes="dialog bank-review"):
            yield Label(Text(f"Bank statement {self.path.name}", no_wrap=True,
                             overflow="ellipsis"), classes="dialog-title")  # fmt: skip
            yield Static(id="bank-summary")
            yield OptionList(*self._options(), id="bank-proposals")
            with VerticalScroll(classes="bank-others"):
                yield Static(self._others_text(), id="bank-others")
            yield Static("", id="bank-status")
            yield Label(Text("space tick · a all/none · ctrl+s record the ticked · Esc close"),
                        classes="dialog-keys")  # fmt: skip
        yield KeyBar()

    def on_mount(self) -> None:
        """Focus the proposals."""
        self._summary()
        self.query_one(OptionList).focus()

    def _options(self) -> list[Option]:
        out = []
        for p in self.proposals:
            box = "[x]" if p.fingerprint in self.ticked else "[ ]"
            text = Text(f"{box} {_line(p)}")
            extra = f" ({p.alternatives} other candidates)" if p.alternatives else ""
            text.append(f"\n    {p.confidence}{extra}: {p.reason}", style="dim")
            for a in p.allocations:
                no = f" ({a.invoice_no})" if a.invoice_no else ""
                text.append(f"\n    -> {a.client} / {a.contract} #{a.seq} {a.milestone}{no}: "
                            f"{format_amount(a.amount)} {a.currency} of "
                            f"{format_amount(a.open)} open")  # fmt: skip
            out.append(Option(text, id=p.fingerprint))
        if not out:
            out.append(Option(Text("No line of this statement pays an open milestone.",
                                   style="italic"), id="none", disabled=True))  # fmt: skip
        return out

    def _others_text(self) -> Text:
        text = Text()
        titles = {"unmatched": "Unmatched credits", "debit": "Debits (never payments)",
                  "recorded": "Recorded by an earlier import (skipped)"}  # fmt: skip
        for status, title in titles.items():
            lines = [p for p in self.others if p.status == status]
            if not lines:
                continue
            text.append(f"{title}\n", style="bold")
            for p in lines:
                text.append(f"  {_line(p)}\n")
                if status == "unmatched" and p.reason:
                    text.append(f"    {p.reason}\n", style="dim")
        return text

    def _summary(self) -> None:
        n, ticked = len(self.proposals), len(self.ticked)
        self.query_one("#bank-summary", Static).update(Text(
            f"{n} proposal{'s' if n != 1 else ''}, {ticked} ticked · "
            f"{len(self.others)} other line{'s' if len(self.others) != 1 else ''}"))  # fmt: skip

    def _redraw(self) -> None:
        options = self.query_one(OptionList)
        keep = options.highlighted
        options.clear_options()
        options.add_options(self._options())
        options.highlighted = keep
        self._summary()

    def action_toggle(self) -> None:
        """Tick or untick the highlighted proposal."""
        options = self.query_one(OptionList)
        if options.highlighted is None or not self.proposals:
            return
        key = self.proposals[options.highlighted].fingerprint
        self.ticked.symmetric_difference_update({key})
        self._redraw()

    def action_toggle_all(self) -> None:
        """Tick every proposal, or none when all are ticked."""
        every = {p.fingerprint for p in self.proposals}
        self.ticked = set() if self.ticked == every else every
        self._redraw()

    def action_record(self) -> None:
        """Record the ticked proposals in one transaction; say how many payments."""
        chosen = [p for p in self.proposals if p.fingerprint in self.ticked]
        status = self.query_one("#bank-status", Static)
        if not chosen:
            status.update(Text("Nothing ticked: nothing to record."))
            return
        if self.busy:
            return
        self.busy = True
        book = self.milepay.session.book
        records = [p.as_record() for p in chosen]

        def done(ids: list[int]) -> None:
            self.busy = False
            self.dismiss(len(ids))

        def failed(exc: MilepayError) -> None:
            self.busy = False
            status.update(Text(f"Not recorded: {exc}", style="bold"))

        status.update(Text(f"Recording {len(chosen)} statement line(s)…"))
        lines = f"{len(chosen)} statement line{'s' if len(chosen) != 1 else ''}"
        self.milepay.write(lambda: book.record_bank_matches(records), done=done, failed=failed,
                           message=f"Bank statement: {lines} recorded as payments.")  # fmt: skip

    def action_close(self) -> None:
        """Close without recording."""
        self.dismiss(0)


def open_review(app: Any) -> None:
    """Ask for the statement file (and profile), read and match it in a worker, then review."""
    from tui.bank import profile_named, read_proposals
    from tui.config import load_config
    from tui.modals.pick import PickModal
    from tui.modals.prompt import PromptModal

    config, _ = load_config()
    profiles = sorted(config.bank)
    book = app.session.book

    def review(path: Path, profile_name: str | None) -> None:
        def work() -> Any:
            try:
                return read_proposals(book, path, profile_named(config.bank, profile_name))
            except MilepayError as exc:  # a file milepay cannot read: said, not crashed
                return exc

        def show(result: Any) -> None:
            if isinstance(result, MilepayError):
                app.notify(f"Statement not read: {result}", severity="error", markup=False,
                           timeout=10)  # fmt: skip
                return
            app.push_screen(BankReviewModal(path, result))

        app.read(work, show, group="bank")

    def got_path(path: Path | None) -> None:
        if path is None:
            return
        if not profiles:
            review(path, None)
            return
        choices = [(0, "detect (no profile)"), *((i + 1, n) for i, n in enumerate(profiles))]

        def picked(choice: int | None) -> None:
            if choice is not None:
                review(path, profiles[choice - 1] if choice else None)

        app.push_screen(PickModal("Which bank profile?", choices), picked)

    app.push_screen(PromptModal("Bank statement (your bank's CSV export)", "",
                                check_statement_path,
                                hint="a path, ~ for home · Enter read · Esc cancel"),
                    got_path)  # fmt: skip
