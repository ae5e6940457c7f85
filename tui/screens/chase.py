"""Chase queue (key 7): who to chase next, with which step, and the message ready to go.

The rows are exactly :func:`tui.analytics.chase.chase_queue` at today (most urgent first);
``H`` lists the milestones on hold instead (:func:`tui.analytics.chase.active_holds`).

Keys: ``m`` or Enter composes the proposed step's message from its template (``firm`` first
offers to pause the contract, ``legal`` first shows the claim against the estimated cost);
``l`` logs a step taken some other way (a phone call); ``h`` puts the milestone on hold and
``u`` releases a hold; ``U`` undoes the last logged step (one logged by mistake); ``M`` sets
up sending by e-mail. Composing offers one message for every milestone of the client with the
same step due for the same contact (:func:`tui.messages.group_of`); the message attaches the
invoice files (and, escalating, the contract) as :mod:`tui.messages` says. A step not due yet (its threshold, or
``min_gap_days`` after the last logged step, not reached) is *waiting*: the Step column shows
it dim with the day it falls due (``firm 12-03``) and the detail says why; it may still be
composed, the user deciding. The client's promise to pay shows in the detail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.reactive import var
from textual.widgets import Static

from tui.analytics.base import milestone_facts
from tui.analytics.chase import MESSAGE_STEPS, active_holds, chase_queue, newest_steps
from tui.config import load_config
from tui.domain.model import ChaseEvent, Hold, Settings
from tui.domain.values import Channel, ChaseStep
from tui.mail import default_folder
from tui.messages import build, group_of, with_files
from tui.present import money
from tui.present.chase import legal_segments, promise_sentence, step_cell, step_sentence
from tui.present.text import milestone_label
from tui.screens.listing import LIST_KEYS, ListExtras, ListScreen
from tui.session import Snapshot
from tui.widgets.table import BookTable, Column

HELD_COLUMNS = ["milestone_id", "client", "contract", "seq", "milestone", "due_date", "days_past_due",
                "currency", "open", "invoice_no", "contract_id"]  # fmt: skip


@dataclass(frozen=True)
class ChaseExtras(ListExtras):
    """The chase queue besides its rows: settings, the message templates, how many are held."""

    settings: Settings
    #: step -> (subject, body)
    templates: dict[str, tuple[str, str]]
    held: int


class ChaseScreen(ListScreen):
    """The chase queue: overdue milestones, their next step and whom to write to."""

    NAME = "chase"
    ENTER_ACTION = "compose"
    TITLE_TEXT = "Chase queue"
    COLUMNS: ClassVar[list[Column]] = [
        Column("Client", "client", grow=True, min_width=10),
        Column("Milestone", "label", grow=True, min_width=12, priority=1),
        Column("Late", "days_past_due", right=True),
        Column("Open", "open_text", right=True),
        Column("Fee", "fee_text", right=True, drop=1),  # the detail under the queue has it
        Column("Step", "step"),
        Column("Contact", "contact", grow=True, min_width=12, priority=1),
    ]
    SORTABLE: ClassVar[list[str] | None] = ["urgency", "client", "days_past_due", "open_sort", "step",
                                             "contact"]  # fmt: skip
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "compose", "Message", id="chase-compose"),
        Binding("l", "log", "Log step", id="chase-log"),
        Binding("h", "hold", "Hold", id="chase-hold"),
        Binding("u", "release", "Release", id="chase-release"),
        Binding("U", "undo_step", "Undo step", id="chase-undo"),
        Binding("H", "toggle_held", "On hold", id="chase-held"),
        Binding("M", "mail_settings", "Mail setup", id="chase-mail"),
        *LIST_KEYS,
    ]

    #: the milestones on hold instead of the queue: a change redraws the list from memory
    show_held = var(False, init=False)

    def compose_main(self) -> ComposeResult:
        """The queue, and the selected row's detail under it."""
        yield BookTable(self.COLUMNS, id="list")
        with VerticalScroll(classes="chase-detail", id="chase-detail"):
            yield Static("", id="detail")

    # ---- data ------------------------------------------------------------------------------

    def fetch(self, snapshot: Snapshot) -> tuple[pl.DataFrame, Any]:
        """The queue and the holds at today, plus templates, settings and contract statuses."""
        frames = snapshot.frames
        today = frames.settings.today()
        queue = with_files(chase_queue(frames, today), frames).with_row_index("urgency").with_columns(
            pl.lit(False).alias("held"), pl.lit(None, pl.String).alias("hold_reason"),
            pl.lit(None, pl.Date).alias("hold_until"),
        )  # fmt: skip
        holds = active_holds(frames, today)
        held = (
            holds.join(milestone_facts(frames, today).select(HELD_COLUMNS), on="milestone_id")
            .rename({"reason": "hold_reason", "until": "hold_until"})
            .with_columns(pl.lit(True).alias("held"), pl.lit("on hold").alias("step"))
        )
        frame = (
            pl.concat([queue, held], how="diagonal_relaxed")  # with_files gave contract_status
            .join(newest_steps(frames), on="milestone_id", how="left")
            .with_columns(
                pl.col("milestone_id").cast(pl.String).alias("key"),
                pl.format("#{} {}", "seq", "milestone").alias("label"),
                pl.col("open").cast(pl.Float64).alias("open_sort"),  # order only, never shown
                pl.col("urgency").fill_null(0),
            )
            .with_columns(
                pl.concat_str(["client", "contract", "milestone", "step", "contact", "invoice_no"],
                              separator=" ", ignore_nulls=True).str.to_lowercase().alias("search")
            )
        )  # fmt: skip
        templates = {
            r["step"]: (r["subject"], r["body"])
            for r in frames.message_templates.iter_rows(named=True)
        }
        extra = ChaseExtras(today=today, settings=frames.settings, templates=templates,
                            held=holds.height)  # fmt: skip
        return frame, extra

    def show_extra(self) -> None:
        """Remember today; name the view in the title."""
        self.today = self.extra.today
        self._title()

    def _title(self) -> None:
        held = self.extra.held if self.extra else 0
        text = "Chase queue: on hold (H back)" if self.show_held else "Chase queue"
        if not self.show_held and held:
            text += f" · {held} on hold (H)"
        self.query_one("#title", Static).update(Text(text))

    def narrow(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The queue, or the held milestones."""
        return frame.filter(pl.col("held") == self.show_held)

    def watch_show_held(self) -> None:
        """The queue or the holds: title and view again."""
        if self.is_mounted:
            self._title()
        self.refilter()

    def cells(self, row: dict[str, Any]) -> list[Any]:
        """One row: a step due now in bold; a waiting one dim with the day it falls due."""
        step = step_cell(row) if not row["held"] else (row["step"] or "")
        due = bool(row.get("step_due")) and row["step"] in MESSAGE_STEPS
        fee = row.get("late_fee")
        return [Text(row["client"] or ""), Text(row["label"]),
                Text(str(row["days_past_due"]), justify="right"),
                Text(money(row["open"], row["currency"]), justify="right"),
                Text(money(fee) if fee else "", justify="right"),
                Text(step, style="bold" if due else "dim"), Text(row.get("contact") or "")]  # fmt: skip

    def _fill(self, rows: list[tuple[str, list[Any]]], total: int, text: str) -> None:
        """As every list, but the queue's own order is called by its name."""
        super()._fill(rows, total, text)
        if self.sort_keys()[self.sort_index] == "urgency":
            note = self.query_one("#title-note", Static)
            note.update(Text(str(note.render()).replace("entry order", "urgency")))

    def row_changed(self, key: str | None) -> None:
        """Show the selected row's detail."""
        row = self.selected
        text = Text(
            "Nobody to chase." if not self.show_held else "Nothing on hold.", style="italic"
        )
        if row is not None:
            text = detail_text(row, self.extra.settings.home_currency)
        self.query_one("#detail", Static).update(text)

    # ---- actions ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Compose only a ladder step; hold in the queue, release in the hold list."""
        if action not in ("compose", "log", "hold", "release", "undo_step"):
            return True
        row = self.selected
        if action == "undo_step":
            return True if row is not None and row.get("undo_event_id") is not None else None
        if action == "hold":
            return not self.show_held and (True if row is not None else None)
        if action == "release":
            return self.show_held and (True if row is not None else None)
        if row is None or row["held"]:
            return None
        if action == "compose":
            return True if row["step"] in MESSAGE_STEPS else None
        return True

    def action_toggle_held(self) -> None:
        """Show the milestones on hold instead of the queue, or back."""
        self.show_held = not self.show_held

    def action_compose(self) -> None:
        """Compose the proposed step's message (firm: offer to pause; legal: weigh the cost;
        other milestones with the same step for the same contact: offer one message)."""
        row = self.selected
        if row is None or row["held"] or row["step"] not in MESSAGE_STEPS:
            return
        self._ask_then_compose(row)

    @work(group="dialog")
    async def _ask_then_compose(self, row: dict[str, Any]) -> None:
        """Firm: pause the contract? Legal: compose at all? Others due: one message for all?"""
        from tui.modals.confirm import ConfirmModal

        if row["step"] == "firm" and row.get("contract_status") == "active":
            question = (f"The firm reminder can say that work is paused until payment.\n"
                        f"Set the contract \"{row['contract']}\" of {row['client']} to paused now?")  # fmt: skip
            ask = ConfirmModal(question, yes="Pause it", no="Not now")
            if await self.app.push_screen_wait(ask):
                self.milepay.write(lambda: self.book.set_contract_status(row["contract_id"], "paused"),
                                   message=f"Contract {row['contract']} paused.")  # fmt: skip
                row = {**row, "contract_status": "paused"}  # the message may say so now
        elif row["step"] == "legal":
            text = legal_text(row, self.extra.settings.home_currency)
            text.append("\n\nCompose the final notice?")
            ask = ConfirmModal(text.plain, yes="Compose", no="Cancel")
            if not await self.app.push_screen_wait(ask):
                return
        rows = [row]
        if self.frame is not None and row.get("step_due"):
            group = group_of(self.frame.filter(~pl.col("held")), row)
            if len(group) > 1:
                others = "\n".join(f"  #{r['seq']} {r['milestone']} ({money(r['open'], r['currency'])})"
                                   for r in group)  # fmt: skip
                ask = ConfirmModal(
                    f"{len(group)} milestones of {row['client']} have the {row['step']} step due "
                    f"for {row.get('contact') or 'the same contact'}:\n{others}\n"
                    "Write one message about all of them? It logs the step for each.",
                    yes="One message",
                    no="This one only",
                )
                if await self.app.push_screen_wait(ask):
                    rows = group
        if row.get("contract_status") == "paused":  # just paused: the frame does not know yet
            rows = [{**r, "contract_status": "paused"} if r["contract_id"] == row["contract_id"]
                    else r for r in rows]  # fmt: skip
        self._open_composer(rows)

    def _open_composer(self, rows: list[dict[str, Any]]) -> None:
        from tui.modals.compose import ComposeModal, Delivery

        settings = self.extra.settings
        row, step, today = rows[0], rows[0]["step"], self._today()
        templates = self.extra.templates
        ids = [r["milestone_id"] for r in rows]

        def log(note: str, message: str) -> list[int]:
            event = ChaseEvent(date=today, step=ChaseStep(step), channel=Channel.EMAIL,
                               contact=row.get("contact") or "", note=note, message=message)  # fmt: skip
            return self.book.log_chase_many(ids, event)

        def redraft(extra: list[Any]) -> Any:
            return build(rows, step, templates, settings, extra=extra).draft

        message = build(rows, step, templates, settings)
        config, _ = load_config()  # as the file is now: M may just have changed it
        folder = default_folder(config.message_folder)
        delivery = Delivery(row=row, step=step, draft=message.draft, today=today, log=log,
                            smtp=config.mail, folder=folder, from_name=settings.business_name, sender=config.sender,
                            unknown=message.unknown, rows=list(rows), redraft=redraft,
                            statement=lambda: self._statement_pdf(row["client_id"], folder))  # fmt: skip
        self.app.push_screen(ComposeModal(delivery))

    def _statement_pdf(self, client_id: int, folder: Any) -> Any:
        """Write the client's statement of account as a new PDF in the message folder (thread)."""
        from tui.analytics.statement import statement
        from tui.modals.statement import default_pdf_path
        from tui.present.statement_pdf import write_statement_pdf

        frames = self.milepay.session.snapshot().frames  # a thread: may read the book
        stmt = statement(frames, self._today(), client_id)
        return write_statement_pdf(default_pdf_path(folder, stmt.client, self._today()), stmt)

    def action_undo_step(self) -> None:
        """Undo the selected milestone's last logged step (asks first; the message is not recalled)."""
        from tui.modals.confirm import ConfirmModal

        row = self.selected
        if row is None or row.get("undo_event_id") is None:
            return
        mid, step, on = row["milestone_id"], row["undo_step"], row["undo_date"]
        event = row["undo_event_id"]  # the one shown: refused if another came in since
        question = (f"Undo the {step} step logged on {on} for {_label(row)}?\n"
                    "Only the log entry is removed: a message already sent is not recalled.")  # fmt: skip

        def answered(yes: bool | None) -> None:
            if yes:
                self.milepay.write(lambda: self.book.undo_chase_step(mid, event_id=event),
                                   message=f"Undone: the {step} step of {on} for {_label(row)}.")  # fmt: skip

        self.app.push_screen(ConfirmModal(question, yes="Undo it", no="Keep it"), answered)

    def action_log(self) -> None:
        """Log a step taken another way (phone call, letter): date, step, channel, note."""
        from tui.modals.chase_log import ChaseLogForm

        row = self.selected
        if row is None or row["held"]:
            return
        mid = row["milestone_id"]
        step = row["step"] if row["step"] in MESSAGE_STEPS else "reminder"
        self.app.push_screen(ChaseLogForm(label=_label(row), today=self._today(), step=step,
                                          contact=row.get("contact") or "",
                                          save=lambda e: self.book.log_chase(mid, e)))  # fmt: skip

    def action_hold(self) -> None:
        """Put the milestone on hold (dispute, payment plan) until a date: it leaves the queue."""
        from tui.modals.small_forms import HoldForm

        row = self.selected
        if row is None or row["held"]:
            return
        mid = row["milestone_id"]

        def put(hold: Hold) -> int:
            return self.book.put_on_hold(mid, hold, on=self._today())

        self.app.push_screen(HoldForm(label=_label(row), today=self._today(), save=put))

    def action_release(self) -> None:
        """Release the selected hold: the milestone is back in the queue today."""
        row = self.selected
        if row is None or not row["held"]:
            return
        self.milepay.write(lambda: self.book.release_hold(row["milestone_id"], self._today()),
                           message=f"Hold released: {_label(row)} is back in the queue.")  # fmt: skip

    def action_mail_settings(self) -> None:
        """Set up sending by SMTP and the folder messages are saved in (the config file)."""
        from tui.modals.mail_settings import MailSettingsForm

        self.app.push_screen(MailSettingsForm(today=self._today()))


def _label(row: dict[str, Any]) -> str:
    return f"{row['client']} / {milestone_label(row)}"


def legal_text(row: dict[str, Any], home: str, *, short: bool = False) -> Text:
    """The claim beside the estimated cost of legal action (words: tui.present.chase)."""
    return Text.assemble(*legal_segments(row, home, short=short))


def detail_text(row: dict[str, Any], home: str) -> Text:
    """The selected row: milestone, amounts, step and contact (plain text, never markup)."""
    cur = row["currency"]
    out = Text()
    out.append(f"{row['client']} / {milestone_label(row)}\n", style="bold")
    invoiced = f" of {row['invoiced_on']}" if row.get("invoiced_on") else ""
    # the figures on a line of their own: a narrow pane never parts an amount from its currency
    out.append(f"Invoice {row.get('invoice_no') or '(no number)'}{invoiced} · due {row['due_date']} "
               f"({row['days_past_due']} days)\nOpen {money(row['open'], cur)}")  # fmt: skip
    if row["held"]:
        out.append(f"\nOn hold until {row['hold_until']}: ", style="bold")
        out.append(f"{row['hold_reason']}\nu releases the hold; H goes back to the queue.")
        return out
    claimed = " (claimed)" if row.get("fee_claimed") else ""
    out.append(f" · fee {money(row['late_fee'], cur)}{claimed}\n")
    if row.get("rate_warning"):
        out.append(f"! {row['rate_warning']}\n", style="bold")
    step = row["step"]
    if step in ("grace", "done"):
        out.append(step_sentence(row) + "\n")
    else:
        out.append(step_sentence(row), style="bold" if row["step_due"] else "")
        out.append(" · m composes the message · l logs a call\n")
    promise = promise_sentence(row)
    if promise:
        out.append(promise + "\n", style="bold" if row.get("promise") == "broken" else "")
    role = f" ({row['contact_role']})" if row.get("contact_role") else ""
    email = f" <{row['contact_email']}>" if row.get("contact_email") else " (no e-mail)"
    out.append(f"To {row.get('contact') or '?'}{role}{email}\n")
    if row.get("last_step"):
        out.append(f"Last logged: {row['last_step']} on {row['last_chased_on']}\n")
    if step in ("legal", "done") and row.get("legal_cost_estimate") is not None:
        out.append_text(legal_text(row, home, short=True))
    return out
