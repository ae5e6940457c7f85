"""The chase ladder (SPEC 4.4): who to chase next, with which step, and whom to write to.

Rules, with worked examples and the SPEC revision 2 differences: docs/rules.md#chase-ladder

Pure Polars, vectorised; thresholds come from the book's settings (defaults 3/10/21/45).

Decisions (where the SPEC is silent):

Who is in the queue
    Every **billed** milestone (:func:`tui.analytics.aging.is_billed`: an invoice date on or
    before ``as_of``) with money open at ``as_of`` (open > 0, so never a cancelled or
    written-off one) that is at least one day past due and not on an active hold. A
    milestone past its date that was never invoiced is work to invoice, not a debt: it is
    not chased. With ``pre_due_days`` > 0, also the billed, open milestones not on hold due
    within that many days (``0 <= due - as_of <= pre_due_days``) that have no chase event at
    all yet: they get the ``upcoming`` step.
    Milestones of archived clients or contracts stay: the money is still owed.
    A milestone whose *status* is ``disputed`` stays in the queue too (flagged by the
    ``disputed`` column): the status has no end date, so hiding it would let a debt
    vanish silently. The SPEC's tool for a dispute is a hold, which has an end date and
    brings the milestone back by itself.

Holds
    A hold is active at ``as_of`` when ``until >= as_of`` and it was not released on or
    before ``as_of`` (``released_on`` null or later than ``as_of``). The milestone is out
    of the queue up to and including ``until`` and back the day after.

Steps
    Only chase events dated on or before ``as_of`` count. ``overdue_step`` is what the days
    alone suggest: ``upcoming`` when not past due, ``grace`` below the reminder threshold,
    else the highest threshold reached. ``step`` is the step to take:

    - ``upcoming`` on the pre-due rows above;
    - ``grace`` below the reminder threshold while no reminder is logged;
    - otherwise the first of reminder, firm, escalate, legal not yet logged, even when the
      days would suggest a later one: steps are never skipped. Steps are read literally in
      ladder order (a ``firm`` logged without a ``reminder`` still leaves ``reminder``);
      whether an ``upcoming`` was logged never matters for them;
    - ``done`` once all four are logged: nothing more to propose, but the milestone stays
      listed (it is still owed), with the legal figures.

    ``step_due_on``: for a ladder step, the later of due date + its threshold and the last
    logged step (any step, ``upcoming`` included) + ``min_gap_days`` (the client needs time
    to answer); for ``grace``, the same date for the reminder; for ``upcoming``, due date -
    ``pre_due_days``; none for ``done``. ``waiting`` is true for ``grace`` and for a ladder
    step whose ``step_due_on`` is after ``as_of``: such a row shows the step with its date and
    is never a step to take now. ``step_due`` = a step to take now (``upcoming`` or a ladder
    step not waiting); false for ``grace`` and ``done``.

Promises
    ``promised_on`` and ``promise_note`` from the milestone, and ``promise`` (see
    :func:`promise_state`): ``kept`` (fully paid on or before the promised date), ``broken``
    (the promised date is before ``as_of`` and it was not), ``pending`` (the promised date is
    on or after ``as_of``, not paid yet), null without a promise. In the queue (open > 0) a
    promise is never kept. A pending promise holds the ladder: the next step's
    ``step_due_on`` is at least the day after the promised date (the client said when; a
    firmer letter before then is unfair), so the row is waiting until the promise is broken.

Contact per step
    upcoming, grace, reminder, firm: the payer, else the main contact, else the owner.
    escalate, legal, done: the owner, else the payer, else the main contact.
    With several contacts in one role, the first added (lowest id). A client with no
    contacts at all gets the client's own name and e-mail, with ``contact_role`` null.

Legal figures
    ``claim_total`` = open + late fee (in the milestone's currency) on every row. On
    ``legal`` and ``done`` rows, ``legal_cost_estimate`` (settings, home currency) and
    ``claim_total_home`` (claim_total converted with the settings' exchange rate,
    rounded half up; the home currency converts at 1) and ``worth_it`` =
    ``claim_total_home > legal_cost_estimate``; without an exchange rate the two are
    null (unknown, never compared at par). Other rows: all three null.

Figures for the message (SPEC 4.4: the legal step states them)
    ``amount`` (the milestone's invoice amount), ``paid`` (received by ``as_of``; ``open`` =
    amount - paid), and from :func:`tui.analytics.fees.late_fees` the rule behind the fee:
    ``late_fee_kind`` (``none`` without a rule), ``fee_rate`` (the percent used; for
    ``statutory`` the reference rate plus the margin), ``reference_rate`` (statutory only)
    and ``late_fee_preset`` (``uk`` or ``eu`` on statutory rows, as the fee took it: the
    contract's preset, else ``uk`` for GBP and ``eu`` otherwise; null on other rows).

Order
    Most urgent first: days_past_due descending, then the larger open amount, then
    milestone id (so ``upcoming`` rows, not past due, come last).

One message for several milestones
    :func:`message_groups` groups the rows with a step to take now (not waiting, not
    ``done``) by client, step and contact (e-mail, case-insensitive, else name): the groups of
    two or more can go in one message that logs the step for each milestone.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl

from tui.analytics.aging import is_billed
from tui.analytics.base import (
    CLOSED,
    MONEY,
    ZERO,
    BookData,
    client_names,
    contract_names,
    days_past_due,
    engine_for,
    paid_by_milestone,
)
from tui.analytics.fees import cents_to_money, fees_for, round_div_half_up, to_cents

#: the ladder: each step is proposed once the ones before it are logged
STEPS = ("reminder", "firm", "escalate", "legal")
#: the steps a message is written for (``upcoming`` is the optional note before the due date)
MESSAGE_STEPS = ("upcoming", *STEPS)
#: the values of the ``promise`` column
PROMISE_STATES = ("kept", "broken", "pending")
#: contact roles tried in order, by the step proposed
PAYER_FIRST = ("payer", "main", "owner")
OWNER_FIRST = ("owner", "payer", "main")
FX = pl.Decimal(18, 8)
FX_UNITS = 100_000_000

COLUMNS = [
    "milestone_id",
    "client_id",
    "contract_id",
    "client",
    "contract",
    "seq",
    "milestone",
    "invoice_no",
    "invoiced_on",
    "status",
    "disputed",
    "due_date",
    "days_past_due",
    "currency",
    "open",
    "late_fee",
    "fee_claimed",
    "rate_warning",
    "amount",
    "paid",
    "late_fee_kind",
    "late_fee_preset",
    "fee_rate",
    "reference_rate",
    "step",
    "step_due",
    "step_due_on",
    "waiting",
    "overdue_step",
    "last_step",
    "last_chased_on",
    "contact",
    "contact_email",
    "contact_role",
    "claim_total",
    "legal_cost_estimate",
    "claim_total_home",
    "worth_it",
    "promised_on",
    "promise_note",
    "promise",
]
GROUP_COLUMNS = [
    "group",
    "client_id",
    "client",
    "step",
    "contact",
    "contact_email",
    "contact_role",
    "count",
    "milestone_ids",
]


def newest_steps(book: BookData) -> pl.DataFrame:
    """Per milestone its newest logged chase step, whatever its date (by date, then the order
    logged): ``milestone_id``, ``undo_event_id``, ``undo_step``, ``undo_date``. What ``U``
    undoes (``Book.undo_chase_step`` refuses any other)."""
    return (
        book.chase_events.sort("date", "id")
        .group_by("milestone_id")
        .agg(
            pl.col("id").last().alias("undo_event_id"),
            pl.col("step").last().alias("undo_step"),
            pl.col("date").last().alias("undo_date"),
        )
    )


def promise_state(as_of: dt.date) -> pl.Expr:
    """``kept``, ``broken``, ``pending`` or null, from ``promised_on`` and ``fully_paid_on``.

    Kept: fully paid on or before the promised date. Broken: the promised date is before
    ``as_of`` and it was not. Pending: the promised date is on or after ``as_of``, not paid.
    """
    promised = pl.col("promised_on")
    return (
        pl.when(promised.is_null())
        .then(pl.lit(None, dtype=pl.String))
        .when((pl.col("fully_paid_on") <= promised).fill_null(False))
        .then(pl.lit("kept"))
        .when(promised < as_of)
        .then(pl.lit("broken"))
        .otherwise(pl.lit("pending"))
    )


def _active(holds: pl.LazyFrame, as_of: dt.date) -> pl.LazyFrame:
    return holds.filter(
        (pl.col("until") >= as_of)
        & (pl.col("released_on").is_null() | (pl.col("released_on") > as_of))
    )


def active_holds(book: BookData, as_of: dt.date) -> pl.DataFrame:
    """Milestones on hold at ``as_of``: milestone_id, reason, until (the latest active hold
    of each milestone), sorted by until then milestone_id."""
    return (
        _active(book.holds.lazy(), as_of)
        .group_by("milestone_id")
        .agg(pl.col("reason").sort_by("until", "id").last(), pl.col("until").max())
        .sort("until", "milestone_id")
        .collect()
    )


def holds_ending(book: BookData, as_of: dt.date, within_days: int = 7) -> pl.DataFrame:
    """Active holds whose end date is within ``within_days`` days of ``as_of`` (inclusive):
    milestone_id, reason, until, days_left, client, contract, seq, milestone; soonest first."""
    horizon = as_of + dt.timedelta(days=within_days)
    holds = active_holds(book, as_of).lazy().filter(pl.col("until") <= horizon)
    names = (
        book.milestones.lazy()
        .select(
            pl.col("id").alias("milestone_id"),
            "contract_id",
            "seq",
            pl.col("title").alias("milestone"),
        )
        .join(
            book.contracts.lazy().select(
                pl.col("id").alias("contract_id"), "client_id", pl.col("title").alias("contract")
            ),
            on="contract_id",
        )
        .join(
            book.clients.lazy().select(
                pl.col("id").alias("client_id"), pl.col("name").alias("client")
            ),
            on="client_id",
        )
        .select("milestone_id", "client", "contract", "seq", "milestone")
    )
    return (
        holds.join(names, on="milestone_id", how="left")
        .with_columns(
            (pl.col("until") - pl.lit(as_of)).dt.total_days().cast(pl.Int32).alias("days_left")
        )
        .select(
            "milestone_id", "reason", "until", "days_left", "client", "contract", "seq", "milestone"
        )
        .sort("until", "milestone_id")
        .collect()
    )


def _contacts_by_role(book: BookData) -> pl.LazyFrame:
    """Per client: the first contact (lowest id) of each role, as <role>_name / <role>_email."""
    contacts = book.contacts.lazy()
    out = book.clients.lazy().select(
        pl.col("id").alias("client_id"), pl.col("email").alias("client_email")
    )
    for role in PAYER_FIRST:
        first = (
            contacts.filter(pl.col("role") == role)
            .group_by("client_id")
            .agg(
                pl.col("name").sort_by("id").first().alias(f"{role}_name"),
                pl.col("email").sort_by("id").first().alias(f"{role}_email"),
            )
        )
        out = out.join(first, on="client_id", how="left")
    return out


def _pick_contact(order: tuple[str, ...]) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """Name, e-mail and role of the first role in ``order`` that the client has."""
    role: pl.Expr = pl.lit(None, dtype=pl.String)
    for r in reversed(order):
        role = pl.when(pl.col(f"{r}_name").is_not_null()).then(pl.lit(r)).otherwise(role)
    name: pl.Expr = pl.col("client")
    email: pl.Expr = pl.col("client_email")
    for r in reversed(order):
        name = pl.when(pl.col(f"{r}_name").is_not_null()).then(pl.col(f"{r}_name")).otherwise(name)
        email = (
            pl.when(pl.col(f"{r}_name").is_not_null()).then(pl.col(f"{r}_email")).otherwise(email)
        )
    return name, email, role


def _queue_candidates(book: BookData, as_of: dt.date) -> pl.DataFrame:
    """The milestones the queue may list, with their names: billed, open > 0 (amount less
    payments received by as_of, never cancelled or written off; the definitions of
    :func:`tui.analytics.base.milestone_facts`), not on an active hold, and due before
    as_of, or due within ``pre_due_days`` (the ``upcoming`` candidates; whether they have a
    chase event is checked by the caller).

    Filtered before any join with names, so a book of millions of mostly paid milestones
    only pays for the few that are overdue.
    """
    pre_due = book.settings.pre_due_days
    horizon = as_of + dt.timedelta(days=pre_due) if pre_due > 0 else as_of - dt.timedelta(days=1)
    held = _active(book.holds.lazy(), as_of).select("milestone_id")
    candidates = (
        book.milestones.lazy()
        .filter(
            (pl.col("due_date") <= horizon) & ~pl.col("status").is_in(CLOSED) & is_billed(as_of)
        )
        .rename({"id": "milestone_id", "title": "milestone"})
        .join(held, on="milestone_id", how="anti")
    )
    paid = paid_by_milestone(book.payments, as_of).lazy().select("milestone_id", "paid")
    contracts = contract_names(book)
    clients = client_names(book)
    return (
        candidates.join(paid, on="milestone_id", how="left")
        .with_columns((pl.col("amount") - pl.col("paid").fill_null(ZERO)).cast(MONEY).alias("open"))
        .filter(pl.col("open") > 0)
        .join(contracts, on="contract_id", how="left")
        .join(clients, on="client_id", how="left")
        .with_columns(days_past_due(as_of).alias("days_past_due"))
        .select(
            "milestone_id",
            "client_id",
            "contract_id",
            "client",
            "contract",
            "seq",
            "milestone",
            "invoice_no",
            "invoiced_on",
            "status",
            "due_date",
            "days_past_due",
            "currency",
            "amount",
            pl.col("paid").fill_null(ZERO).cast(MONEY),
            "open",
            "promised_on",
            "promise_note",
        )
        .collect(engine=engine_for(book.milestones))
    )


def chase_queue(
    book: BookData, as_of: dt.date, *, fees: pl.DataFrame | None = None
) -> pl.DataFrame:
    """One row per billed, open, past-due milestone not on hold (and per ``upcoming`` one):
    the next chase step, when it is due and whom to write to.

    ``fees`` is :func:`tui.analytics.fees.late_fees` at the same ``as_of`` (computed when
    not given). Columns: see ``COLUMNS``; decisions in the module docstring.
    """
    s = book.settings
    thresholds = {
        "reminder": s.reminder_days,
        "firm": s.firm_days,
        "escalate": s.escalate_days,
        "legal": s.legal_days,
    }
    gap = s.min_gap_days
    facts = _queue_candidates(book, as_of)
    if fees is None:
        fees = fees_for(book, as_of, facts.select("milestone_id"))

    events = (
        book.chase_events.lazy()
        .filter(pl.col("date") <= as_of)
        .join(facts.lazy().select("milestone_id"), on="milestone_id", how="semi")
    )
    logged = events.group_by("milestone_id").agg(
        *[(pl.col("step") == st).any().alias(f"logged_{st}") for st in STEPS],
        pl.col("step").sort_by("date", "id").last().alias("last_step"),
        pl.col("date").max().alias("last_chased_on"),
    )
    fee_cols = fees.lazy().select(
        "milestone_id",
        pl.col("late_fee").cast(MONEY),
        pl.col("claimed").alias("fee_claimed"),
        pl.col("rate_warning"),
        "late_fee_kind",
        "fee_rate",
        "reference_rate",
    )
    # the statutory preset as the fee used it: the contract's, else uk for GBP and eu otherwise
    presets = book.contracts.lazy().select(
        pl.col("id").alias("contract_id"), pl.col("late_fee_preset").alias("contract_preset")
    )
    statutory_preset = (
        pl.when(pl.col("late_fee_kind") == "statutory")
        .then(
            pl.coalesce(
                pl.col("contract_preset"),
                pl.when(pl.col("currency") == "GBP").then(pl.lit("uk")).otherwise(pl.lit("eu")),
            )
        )
        .otherwise(pl.lit(None, dtype=pl.String))
        .alias("late_fee_preset")
    )

    dpd = pl.col("days_past_due")
    step = pl.col("step")
    first_missing: pl.Expr = pl.lit("done")
    for st in reversed(STEPS):
        first_missing = pl.when(~pl.col(f"logged_{st}")).then(pl.lit(st)).otherwise(first_missing)
    # grace counts down to the reminder; done has no threshold left
    threshold_of = pl.lit(None, dtype=pl.Int32)
    for st in ("grace", *STEPS):
        threshold_of = (
            pl.when(step == st)
            .then(pl.lit(thresholds["reminder" if st == "grace" else st], dtype=pl.Int32))
            .otherwise(threshold_of)
        )
    overdue: pl.Expr = pl.lit("grace")
    for st in STEPS:
        overdue = pl.when(dpd >= thresholds[st]).then(pl.lit(st)).otherwise(overdue)
    overdue = pl.when(dpd <= 0).then(pl.lit("upcoming")).otherwise(overdue)
    # a ladder step (and grace, for the reminder) is due at its threshold, but never sooner
    # than min_gap_days after the last logged step of any kind
    by_threshold = pl.col("due_date") + pl.duration(days=threshold_of)
    by_gap = pl.col("last_chased_on") + pl.duration(days=gap)
    # a pending promise to pay holds the ladder: the next step waits for the day after it
    by_promise = (
        pl.when(pl.col("promised_on") >= as_of)
        .then(pl.col("promised_on") + pl.duration(days=1))
        .otherwise(pl.lit(None, dtype=pl.Date))
    )
    ladder_due_on = pl.max_horizontal(by_threshold, by_gap, by_promise)
    step_due_on = (
        pl.when(step == "upcoming")
        .then(pl.col("due_date") - pl.duration(days=s.pre_due_days))
        .when(step == "done")
        .then(pl.lit(None, dtype=pl.Date))
        .otherwise(ladder_due_on)
    )
    waiting = (step == "grace") | (step.is_in(STEPS) & (pl.col("step_due_on") > as_of))

    p_name, p_email, p_role = _pick_contact(PAYER_FIRST)
    o_name, o_email, o_role = _pick_contact(OWNER_FIRST)
    owner_first = step.is_in(["escalate", "legal", "done"])

    fx = pl.LazyFrame(
        {
            "currency": [s.home_currency, *[c for c in s.fx if c != s.home_currency]],
            "fx_rate": [Decimal(1), *[Decimal(r) for c, r in s.fx.items() if c != s.home_currency]],
        },
        schema={"currency": pl.String, "fx_rate": FX},
    )
    legal_row = pl.col("step").is_in(["legal", "done"])
    claim_c = to_cents(pl.col("claim_total")).cast(pl.Int128)
    fx_u = (pl.col("fx_rate") * FX_UNITS).cast(pl.Int128)
    estimate = Decimal(s.legal_cost_estimate)

    out = (
        facts.lazy()
        .join(logged, on="milestone_id", how="left")
        .join(fee_cols, on="milestone_id", how="left")
        .with_columns(
            *[pl.col(f"logged_{st}").fill_null(False) for st in STEPS],
            pl.col("late_fee").fill_null(ZERO),
            pl.col("fee_claimed").fill_null(False),
            pl.col("rate_warning").fill_null(""),
            pl.col("late_fee_kind").fill_null("none"),
        )
        .join(presets, on="contract_id", how="left")
        .with_columns(statutory_preset)
        # an upcoming candidate (not past due) is listed only while nothing is logged at all
        .filter((dpd > 0) | pl.col("last_chased_on").is_null())
        .with_columns(
            pl.when(dpd <= 0)
            .then(pl.lit("upcoming"))
            .when((dpd < thresholds["reminder"]) & ~pl.col("logged_reminder"))
            .then(pl.lit("grace"))
            .otherwise(first_missing)
            .alias("step")
        )
        .with_columns(step_due_on.alias("step_due_on"))
        .with_columns(waiting.alias("waiting"))
        .with_columns(
            (step.is_in(MESSAGE_STEPS) & ~pl.col("waiting")).alias("step_due"),
            overdue.alias("overdue_step"),
            (pl.col("open") + pl.col("late_fee")).cast(MONEY).alias("claim_total"),
            (pl.col("status") == "disputed").alias("disputed"),
        )
        .join(_contacts_by_role(book), on="client_id", how="left")
        .with_columns(
            pl.when(owner_first).then(o_name).otherwise(p_name).alias("contact"),
            pl.when(owner_first).then(o_email).otherwise(p_email).alias("contact_email"),
            pl.when(owner_first).then(o_role).otherwise(p_role).alias("contact_role"),
        )
        .join(fx, on="currency", how="left")
        .with_columns(pl.lit(None, dtype=pl.Date).alias("fully_paid_on"))  # open > 0: not paid
        .with_columns(
            pl.when(legal_row & pl.col("fx_rate").is_not_null())
            .then(cents_to_money(round_div_half_up(claim_c * fx_u, FX_UNITS)))
            .otherwise(pl.lit(None, dtype=MONEY))
            .alias("claim_total_home"),
            pl.when(legal_row)
            .then(pl.lit(estimate, dtype=MONEY))
            .otherwise(pl.lit(None, dtype=MONEY))
            .alias("legal_cost_estimate"),
        )
        .with_columns(
            (pl.col("claim_total_home") > pl.col("legal_cost_estimate")).alias("worth_it"),
            promise_state(as_of).alias("promise"),
        )
        .sort(["days_past_due", "open", "milestone_id"], descending=[True, True, False])
        .select(COLUMNS)
    )
    return out.collect(engine=engine_for(book.milestones))


def message_groups(queue: pl.DataFrame) -> pl.DataFrame:
    """Milestones that can share one message: queue rows with a step to take now, grouped by
    client, step and contact (e-mail, case-insensitive, else name); groups of 2 or more.

    ``queue`` is :func:`chase_queue` output. Columns: see ``GROUP_COLUMNS``; ``group`` is
    ``"<client_id>|<step>|<contact key>"``, ``milestone_ids`` (and the groups) in queue order.
    """
    email = pl.col("contact_email").fill_null("").str.strip_chars().str.to_lowercase()
    name = pl.col("contact").fill_null("").str.strip_chars().str.to_lowercase()
    key = (
        pl.when(email != "")
        .then(pl.format("email:{}", email))
        .otherwise(pl.format("name:{}", name))
    )
    return (
        queue.lazy()
        .filter(pl.col("step").is_in(MESSAGE_STEPS) & ~pl.col("waiting"))
        .with_row_index("position")
        .with_columns(pl.format("{}|{}|{}", "client_id", "step", key).alias("group"))
        .group_by("group")
        .agg(
            pl.col("position").min().alias("first"),
            *[pl.col(c).first() for c in GROUP_COLUMNS[1:7]],
            pl.len().cast(pl.Int64).alias("count"),
            pl.col("milestone_id").sort_by("position").alias("milestone_ids"),
        )
        .filter(pl.col("count") >= 2)
        .sort("first")
        .select(GROUP_COLUMNS)
        .collect()
    )
