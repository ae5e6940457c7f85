"""The chase ladder (SPEC 4.4): who to chase next, with which step, and whom to write to.

Rules, with worked examples and the SPEC revision 2 differences: docs/rules.md#chase-ladder

Pure Polars, vectorised; thresholds come from the book's settings (defaults 3/10/21/45).

Decisions (where the SPEC is silent):

Who is in the queue
    Every milestone with money open at ``as_of`` (open > 0, so never a cancelled or
    written-off one) that is at least one day past due and not on an active hold.
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
    ``overdue_step`` is what the days alone suggest: ``grace`` below the reminder
    threshold, else the highest threshold reached. ``step`` is the step to take: ``grace``
    below the reminder threshold; otherwise the first of reminder, firm, escalate, legal
    not yet logged (chase events dated on or before ``as_of``), even when the days would
    suggest a later one: steps are never skipped. ``step_due`` says whether that step's
    threshold is reached (day 12 with reminder and firm logged: step ``escalate``, not
    due until ``step_due_on``; for ``grace``, ``step_due_on`` is the day the reminder falls
    due). Once all four are logged the step is ``done``: nothing
    more to propose, but the milestone stays listed (it is still owed), with the
    legal figures. Steps are read literally in ladder order: a ``firm`` logged without a
    ``reminder`` still leaves ``reminder`` as the step proposed.

Contact per step
    grace, reminder, firm: the payer, else the main contact, else the owner.
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

Order
    Most urgent first: days_past_due descending, then the larger open amount, then
    milestone id.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl

from tui.analytics.base import CLOSED, MONEY, ZERO, BookData, days_past_due, engine_for
from tui.analytics.fees import cents_to_money, fees_for, round_div_half_up, to_cents

STEPS = ("reminder", "firm", "escalate", "legal")
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
    "status",
    "disputed",
    "due_date",
    "days_past_due",
    "currency",
    "open",
    "late_fee",
    "fee_claimed",
    "step",
    "step_due",
    "step_due_on",
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
]


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


def _overdue_open(book: BookData, as_of: dt.date) -> pl.DataFrame:
    """The milestones the queue lists, with their names: open > 0 (amount less payments
    received by as_of, never cancelled or written off; the definitions of
    :func:`tui.analytics.base.milestone_facts`), due before as_of, not on an active hold.

    Filtered before any join with names, so a book of millions of mostly paid milestones
    only pays for the few that are overdue.
    """
    held = _active(book.holds.lazy(), as_of).select("milestone_id")
    candidates = (
        book.milestones.lazy()
        .filter((pl.col("due_date") < as_of) & ~pl.col("status").is_in(CLOSED))
        .rename({"id": "milestone_id", "title": "milestone"})
        .join(held, on="milestone_id", how="anti")
    )
    paid = (
        book.payments.lazy()
        .filter(pl.col("received_on") <= as_of)
        .group_by("milestone_id")
        .agg(pl.col("amount").sum().alias("paid"))
    )
    contracts = book.contracts.lazy().select(
        pl.col("id").alias("contract_id"),
        "client_id",
        pl.col("title").alias("contract"),
        "currency",
    )
    clients = book.clients.lazy().select(
        pl.col("id").alias("client_id"), pl.col("name").alias("client")
    )
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
            "status",
            "due_date",
            "days_past_due",
            "currency",
            "open",
        )
        .collect(engine=engine_for(book.milestones))
    )


def chase_queue(
    book: BookData, as_of: dt.date, *, fees: pl.DataFrame | None = None
) -> pl.DataFrame:
    """One row per open, past-due milestone not on hold: the next chase step and whom to write to.

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
    facts = _overdue_open(book, as_of)
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
        "milestone_id", pl.col("late_fee").cast(MONEY), pl.col("claimed").alias("fee_claimed")
    )

    dpd = pl.col("days_past_due")
    first_missing: pl.Expr = pl.lit("done")
    for st in reversed(STEPS):
        first_missing = pl.when(~pl.col(f"logged_{st}")).then(pl.lit(st)).otherwise(first_missing)
    # grace counts down to the reminder; done has no threshold left
    threshold_of = pl.lit(None, dtype=pl.Int32)
    for st in ("grace", *STEPS):
        threshold_of = (
            pl.when(pl.col("step") == st)
            .then(pl.lit(thresholds["reminder" if st == "grace" else st], dtype=pl.Int32))
            .otherwise(threshold_of)
        )
    overdue: pl.Expr = pl.lit("grace")
    for st in STEPS:
        overdue = pl.when(dpd >= thresholds[st]).then(pl.lit(st)).otherwise(overdue)

    p_name, p_email, p_role = _pick_contact(PAYER_FIRST)
    o_name, o_email, o_role = _pick_contact(OWNER_FIRST)
    owner_first = pl.col("step").is_in(["escalate", "legal", "done"])

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
        )
        .with_columns(
            pl.when(dpd < thresholds["reminder"])
            .then(pl.lit("grace"))
            .otherwise(first_missing)
            .alias("step")
        )
        .with_columns(
            (dpd >= threshold_of).fill_null(False).alias("step_due"),
            (pl.col("due_date") + pl.duration(days=threshold_of)).alias("step_due_on"),
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
            (pl.col("claim_total_home") > pl.col("legal_cost_estimate")).alias("worth_it")
        )
        .sort(["days_past_due", "open", "milestone_id"], descending=[True, True, False])
        .select(COLUMNS)
    )
    return out.collect(engine=engine_for(book.milestones))
