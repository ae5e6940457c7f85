"""Generate a large milepay book straight into DuckDB, for the benchmarks.

    python -m tests.bench.generate --size small|large --out PATH --as-of 2026-11-24

The book is created with :meth:`tui.store.Book.open` (so it has the real schema and seeds) and
then filled in ONE write transaction (``BookFile.writing``) with
:func:`tui.store.rows.bulk_insert` of whole Polars frames (through the Arrow C stream).
Every frame is built vectorised: the only per-row Python is drawing uniform numbers from
``random.Random(seed)`` (a fixed seed, so a size and an as_of always give the same book).
Money is built from integer cents and cast to Decimal(18,2); no float ever becomes money
(:func:`check_money` refuses a frame whose money column is not Decimal(18,2)).

What a book holds (relative to ``as_of``): clients with a payment habit (punctual to bad
payers) and a currency (EUR, USD, GBP, CHF, and a little SEK that has no exchange rate);
contacts (main, often payer and owner); contracts over the last three years and the next two
months, each with 1-19 milestones (10 on average) whose due dates run from the contract's
start; milestones fully paid (on time or late), paid in two parts, part-paid and stuck,
unpaid and overdue, due in the future, disputed, written off and cancelled; chase events
logged as the ladder was climbed (some steps skipped); holds on disputed milestones and
payment plans; change orders; fee claims; recurring and one-off expenses (rent on the 31st);
settings and exchange rates.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from tui.store import Book
from tui.store.rows import bulk_insert

MONEY = pl.Decimal(18, 2)
RATE4 = pl.Decimal(18, 4)
FX_RATE = pl.Decimal(18, 8)

#: Where books go by default (git-ignored).
BOOKS_DIR = Path(__file__).resolve().parent / "books"
DEFAULT_AS_OF = dt.date(2026, 11, 24)
SEED = 20261124


@dataclass(frozen=True)
class Size:
    """How many clients, contracts and milestones a generated book has."""

    name: str
    clients: int
    contracts: int
    milestones: int


SIZES: dict[str, Size] = {
    "tiny": Size("tiny", 100, 2_000, 20_000),
    "small": Size("small", 1_000, 20_000, 200_000),
    "large": Size("large", 10_000, 200_000, 2_000_000),
}

#: The ladder's default thresholds (SPEC 4.4) used to log past chase events.
LADDER = (("reminder", 3), ("firm", 10), ("escalate", 21), ("legal", 45))

#: Money columns per table: each must reach DuckDB as Decimal(18,2).
MONEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "contracts": ("total_fee", "late_fee_fixed"),
    "milestones": ("amount",),
    "payments": ("amount",),
    "change_orders": ("amount_delta",),
    "fee_claims": ("amount",),
    "expenses": ("amount",),
}


def default_book_path(size: str, as_of: dt.date = DEFAULT_AS_OF) -> Path:
    """tests/bench/books/<size>-<as_of>.duckdb"""
    return BOOKS_DIR / f"{size}-{as_of.isoformat()}.duckdb"


class Dice:
    """Uniform numbers from a seeded ``random.Random``, handed out as Polars Series."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def u(self, n: int) -> pl.Series:
        """``n`` uniform floats in [0, 1) (for choices only, never for money)."""
        rnd = self.rng.random
        return pl.Series([rnd() for _ in range(n)], dtype=pl.Float64)


def pick(u: pl.Expr, options: list[tuple[object, float]]) -> pl.Expr:
    """A categorical draw: ``u`` (uniform in [0, 1)) mapped to options by their weights."""
    total = sum(w for _, w in options)
    edge = 0.0
    chain = None
    for value, weight in options[:-1]:
        edge += weight / total
        if chain is None:
            chain = pl.when(u < edge).then(pl.lit(value))
        else:
            chain = chain.when(u < edge).then(pl.lit(value))
    last = pl.lit(options[-1][0])
    return last if chain is None else chain.otherwise(last)


def randint(u: pl.Expr, lo: int, hi: int) -> pl.Expr:
    """An integer in [lo, hi] from a uniform ``u``."""
    return (u * (hi - lo + 1)).floor().cast(pl.Int64) + lo


def days(n: pl.Expr | int) -> pl.Expr:
    """A day duration (for Date arithmetic)."""
    return pl.duration(days=n)


def money(cents: pl.Expr) -> pl.Expr:
    """Integer cents as Decimal(18,2), exactly (no float on the way)."""
    return (cents.cast(MONEY) / 100).cast(MONEY)


def rate4(hundredths: pl.Expr) -> pl.Expr:
    """Integer hundredths as Decimal(18,4), exactly (``150`` -> ``1.5000``)."""
    return (hundredths.cast(RATE4) / 100).cast(RATE4)


def check_money(table: str, df: pl.DataFrame) -> None:
    """Refuse a frame with a float column or a money column that is not Decimal(18,2)."""
    floats = [c for c, t in df.schema.items() if t.is_float()]
    if floats:
        raise TypeError(f"{table}: float columns {floats} (money must stay Decimal)")
    for col in MONEY_COLUMNS.get(table, ()):
        if df.schema[col] != MONEY:
            raise TypeError(f"{table}.{col} is {df.schema[col]}, not Decimal(18,2)")


# ---- tables --------------------------------------------------------------------------------


def build_clients(size: Size, dice: Dice) -> pl.DataFrame:
    """Clients with hidden columns ``_delay`` (typical days late), ``_never`` (chance an
    invoice is never paid) and ``_currency`` (the currency its contracts use)."""
    n = size.clients
    words = [
        "Acme",
        "Blue",
        "Nordic",
        "Atlas",
        "Pixel",
        "Cedar",
        "Quantum",
        "Harbor",
        "Lumen",
        "Orbit",
    ]
    kinds = ["Labs", "GmbH", "Ltd", "Studio", "Media", "Systems", "Partners", "AG", "Co", "Works"]
    df = pl.DataFrame(
        {"id": pl.int_range(1, n + 1, eager=True), **{f"u{i}": dice.u(n) for i in range(8)}}
    )
    profile = pick(
        pl.col("u0"),
        [("punctual", 40), ("ok", 30), ("slow", 20), ("late", 8), ("bad", 2)],
    )
    return (
        df.with_columns(profile.alias("_profile"))
        .with_columns(
            pl.format(
                "{} {} {}",
                randint(pl.col("u1"), 0, 9).replace_strict(dict(enumerate(words))),
                randint(pl.col("u2"), 0, 9).replace_strict(dict(enumerate(kinds))),
                pl.col("id"),
            ).alias("name"),
            pl.format("accounts@client{}.example", pl.col("id")).alias("email"),
            pl.format("+49 30 {}", pl.col("id") + 5550000).alias("phone"),
            pick(pl.col("u3"), [("yes", 50), ("undecided", 35), ("no", 15)]).alias("work_again"),
            pl.when(pl.col("u4") < 0.3)
            .then(pl.lit(None, dtype=pl.Int32))
            .otherwise(pick(pl.col("u4"), [(5, 30), (4, 35), (3, 20), (2, 10), (1, 5)]))
            .cast(pl.Int32)
            .alias("rating"),
            (pl.col("u5") < 0.02).alias("archived"),
            pl.col("_profile")
            .replace_strict({"punctual": 0, "ok": 5, "slow": 15, "late": 35, "bad": 60})
            .cast(pl.Int64)
            .alias("_delay"),
            pl.when(pl.col("_profile") == "bad").then(0.3).otherwise(0.01).alias("_never"),
            pick(
                pl.col("u6"), [("EUR", 60), ("USD", 20), ("GBP", 15), ("CHF", 4), ("SEK", 1)]
            ).alias("_currency"),
        )
        .with_columns(
            pl.when(pl.col("work_again") == "no")
            .then(pl.lit("Paid late every time; scope creep."))
            .otherwise(pl.lit(""))
            .alias("feedback")
        )
        .drop("u0", "u1", "u2", "u3", "u4", "u5", "u6", "u7", "_profile")
    )


def build_contacts(clients: pl.DataFrame, dice: Dice) -> pl.DataFrame:
    """A main contact for every client; a payer for 60%, an owner for 50%."""
    n = clients.height
    base = clients.select(pl.col("id").alias("client_id")).with_columns(
        u_payer=dice.u(n), u_owner=dice.u(n)
    )
    main = base.with_columns(role=pl.lit("main"))
    payer = base.filter(pl.col("u_payer") < 0.6).with_columns(role=pl.lit("payer"))
    owner = base.filter(pl.col("u_owner") < 0.5).with_columns(role=pl.lit("owner"))
    names = {"main": "Project lead", "payer": "Accounts payable", "owner": "Managing director"}
    return (
        pl.concat([main, payer, owner])
        .sort("client_id", "role")
        .with_row_index("id", offset=1)
        .with_columns(
            pl.col("id").cast(pl.Int64),
            pl.format("{} {}", pl.col("role").replace_strict(names), pl.col("client_id")).alias(
                "name"
            ),
            pl.format(
                "{}.{}@client{}.example", pl.col("role"), pl.col("id"), pl.col("client_id")
            ).alias("email"),
        )
        .select("id", "client_id", "name", "role", "email")
    )


def build_contracts(size: Size, clients: pl.DataFrame, as_of: dt.date, dice: Dice) -> pl.DataFrame:
    """Contracts (without total_fee yet) and hidden ``_spacing``/``_n`` (days between
    milestones, how many milestones)."""
    n = size.contracts
    kinds = ["Website", "Mobile app", "Audit", "Redesign", "Migration", "Retainer", "API", "Brand"]
    df = pl.DataFrame({**{f"u{i}": dice.u(n) for i in range(14)}}).with_columns(
        randint(pl.col("u0"), 1, size.clients).alias("client_id")
    )
    cur = clients.select(pl.col("id").alias("client_id"), "_currency")
    out = (
        df.with_row_index("_row")
        .join(cur, on="client_id", how="left")
        .sort("client_id", "_row")
        .with_row_index("id", offset=1)
        .with_columns(
            pl.col("id").cast(pl.Int64),
            pl.format(
                "{} #{}",
                randint(pl.col("u1"), 0, len(kinds) - 1).replace_strict(dict(enumerate(kinds))),
                pl.col("client_id").cum_count().over("client_id"),
            ).alias("title"),
            pl.when(pl.col("u2") < 0.05)
            .then(pick(pl.col("u3"), [("EUR", 50), ("USD", 30), ("GBP", 20)]))
            .otherwise(pl.col("_currency"))
            .alias("currency"),
            (pl.lit(as_of) - days(1100) + days(randint(pl.col("u4"), 0, 1160))).alias("start_date"),
            randint(pl.col("u5"), 14, 45).alias("_spacing"),
            randint(pl.col("u6"), 1, 19).alias("_n"),
            pick(pl.col("u7"), [(14, 20), (30, 45), (45, 20), (60, 15)])
            .cast(pl.Int32)
            .alias("payment_terms_days"),
            pick(
                pl.col("u8"),
                [("active", 65), ("completed", 22), ("paused", 5), ("draft", 4), ("cancelled", 4)],
            ).alias("status"),
            pick(
                pl.col("u9"),
                [
                    ("none", 40),
                    ("flat", 10),
                    ("percent", 10),
                    ("monthly", 15),
                    ("annual", 15),
                    ("statutory", 10),
                ],
            ).alias("late_fee_kind"),
            pick(pl.col("u10"), [(0, 50), (3, 20), (7, 20), (14, 10)])
            .cast(pl.Int32)
            .alias("grace_days"),
            pick(pl.col("u11"), [(14, 80), (7, 10), (30, 10)])
            .cast(pl.Int32)
            .alias("acceptance_days"),
            pl.when(pl.col("u12") < 0.02)
            .then(pl.lit("refused a milestone schedule"))
            .otherwise(pl.lit(""))
            .alias("red_flags"),
            (pl.col("u13") < 0.01).alias("archived"),
        )
        .with_columns(
            pl.when((pl.col("u12") > 0.97) | (pl.col("status") == "draft"))
            .then(pl.lit(None, dtype=pl.Date))
            .otherwise(pl.col("start_date") - days(randint(pl.col("u13"), 0, 10)))
            .alias("signed_on"),
            pl.col("late_fee_kind")
            .replace_strict(
                {
                    "none": 0,
                    "flat": 5000,
                    "percent": 500,
                    "monthly": 150,
                    "annual": 800,
                    "statutory": 0,
                },
                return_dtype=pl.Int64,
            )
            .pipe(rate4)
            .alias("late_fee_value"),
            money(
                pl.when((pl.col("late_fee_kind") == "annual") & (pl.col("u10") < 0.5))
                .then(4000)
                .otherwise(0)
            ).alias("late_fee_fixed"),
            pl.when(pl.col("late_fee_kind") == "statutory")
            .then(pl.when(pl.col("currency") == "GBP").then(pl.lit("uk")).otherwise(pl.lit("eu")))
            .otherwise(pl.lit(None, dtype=pl.String))
            .alias("late_fee_preset"),
        )
    )
    return out.drop([f"u{i}" for i in range(14)] + ["_currency", "_row"])


def build_milestones(
    size: Size, contracts: pl.DataFrame, clients: pl.DataFrame, as_of: dt.date, dice: Dice
) -> pl.DataFrame:
    """Milestones with hidden columns for the payment generator (``_cents``, ``_delay``,
    ``_never``, ``_client``)."""
    ids = contracts.select(
        pl.col("id").alias("contract_id"), pl.col("id").repeat_by(pl.col("_n")).alias("_rep")
    ).explode("_rep")
    if ids.height >= size.milestones:
        ids = ids.head(size.milestones)
    else:  # top up round-robin
        extra = size.milestones - ids.height
        more = pl.DataFrame(
            {"contract_id": (pl.int_range(0, extra, eager=True) % contracts.height) + 1}
        )
        ids = pl.concat([ids.select("contract_id"), more.cast(pl.Int64)], how="diagonal")
    n = ids.height
    terms = contracts.select(
        pl.col("id").alias("contract_id"),
        pl.col("client_id").alias("_client"),
        "start_date",
        "_spacing",
        "payment_terms_days",
        pl.col("status").alias("_contract_status"),
    )
    habits = clients.select(pl.col("id").alias("_client"), "_delay", "_never")
    ms = (
        ids.select("contract_id")
        .sort("contract_id", maintain_order=True)
        .with_columns(**{f"u{i}": dice.u(n) for i in range(8)})
        .with_row_index("id", offset=1)
        .with_columns(
            pl.col("id").cast(pl.Int64),
            (pl.col("contract_id").cum_count().over("contract_id")).cast(pl.Int32).alias("seq"),
        )
        .join(terms, on="contract_id", how="left")
        .join(habits, on="_client", how="left")
        .with_columns(
            (pl.col("start_date") + days(pl.col("_spacing") * pl.col("seq"))).alias("due_date"),
            (
                randint(pl.col("u0"), 2, 149) * 10000
                + pl.when(pl.col("u1") < 0.2).then(randint(pl.col("u2"), 1, 9999)).otherwise(0)
            ).alias("_cents"),
        )
        .with_columns(
            (pl.col("due_date") - days(pl.col("payment_terms_days"))).alias("_inv_date"),
        )
        .with_columns(
            pl.when(
                (pl.col("u3") < 0.01)
                | ((pl.col("_contract_status") == "cancelled") & (pl.col("_inv_date") > as_of))
            )
            .then(pl.lit("cancelled"))
            .when(pl.col("_inv_date") <= as_of)
            .then(
                pl.when(
                    (pl.col("due_date") < as_of - dt.timedelta(days=120)) & (pl.col("u4") < 0.015)
                )
                .then(pl.lit("written_off"))
                .when((pl.col("due_date") < as_of) & (pl.col("u4") > 0.99))
                .then(pl.lit("disputed"))
                .otherwise(pl.lit("invoiced"))
            )
            .otherwise(
                pick(pl.col("u5"), [("planned", 50), ("in_progress", 35), ("delivered", 15)])
            )
            .alias("status"),
        )
        .with_columns(
            pl.col("status").is_in(["invoiced", "disputed", "written_off"]).alias("_billed"),
        )
        .with_columns(
            pl.format("Milestone {} of contract {}", pl.col("seq"), pl.col("contract_id")).alias(
                "title"
            ),
            money(pl.col("_cents")).alias("amount"),
            pl.when(pl.col("_billed") | (pl.col("status") == "delivered"))
            .then(100)
            .when(pl.col("status") == "in_progress")
            .then(randint(pl.col("u6"), 1, 9) * 10)
            .otherwise(0)
            .cast(pl.Int32)
            .alias("progress"),
            pl.when(pl.col("_billed"))
            .then(pl.format("INV-{}-{}", pl.col("contract_id"), pl.col("seq")))
            .otherwise(pl.lit(""))
            .alias("invoice_no"),
            pl.when(pl.col("_billed")).then(pl.col("_inv_date")).alias("invoiced_on"),
            pl.when(pl.col("_billed"))
            .then(pl.col("_inv_date") - days(randint(pl.col("u7"), 0, 5)))
            .when(pl.col("status") == "delivered")
            .then(pl.lit(as_of) - days(randint(pl.col("u7"), 0, 20)))
            .alias("delivered_on"),
        )
    )
    return ms.drop([f"u{i}" for i in range(8)]).sort("id")


def build_payments(ms: pl.DataFrame, as_of: dt.date, dice: Dice) -> pl.DataFrame:
    """Payments on billed milestones, as each client's habit gives; only those received by
    as_of are kept. Never more than the milestone's amount."""
    billed = ms.filter(pl.col("_billed")).select(
        "id", "status", "due_date", "_cents", "_delay", "_never"
    )
    n = billed.height
    b = (
        billed.with_columns(**{f"u{i}": dice.u(n) for i in range(6)})
        .with_columns(
            (
                pl.col("due_date")
                + days(
                    (pl.col("_delay") * 2 * pl.col("u0")).floor().cast(pl.Int64)
                    + randint(pl.col("u1"), -5, 3)
                )
            ).alias("pay_date"),
            pl.when(pl.col("status") == "written_off")
            .then(pl.when(pl.col("u2") < 0.5).then(pl.lit("never")).otherwise(pl.lit("stuck")))
            .when(pl.col("u3") < pl.col("_never"))
            .then(pl.lit("never"))
            .otherwise(pick(pl.col("u2"), [("split", 10), ("stuck", 5), ("single", 85)]))
            .alias("mode"),
            (pl.col("_cents") * randint(pl.col("u4"), 30, 70) // 100).alias("first_cents"),
        )
        .with_columns(
            (pl.col("pay_date") - days(randint(pl.col("u5"), 10, 30))).alias("first_date"),
        )
    )
    single = b.filter(pl.col("mode") == "single").select(
        pl.col("id").alias("milestone_id"),
        pl.col("_cents").alias("cents"),
        pl.col("pay_date").alias("received_on"),
    )
    first = b.filter(pl.col("mode").is_in(["split", "stuck"])).select(
        pl.col("id").alias("milestone_id"),
        pl.col("first_cents").alias("cents"),
        pl.col("first_date").alias("received_on"),
    )
    rest = b.filter(pl.col("mode") == "split").select(
        pl.col("id").alias("milestone_id"),
        (pl.col("_cents") - pl.col("first_cents")).alias("cents"),
        pl.col("pay_date").alias("received_on"),
    )
    pays = (
        pl.concat([single, first, rest])
        .filter(pl.col("received_on") <= as_of)
        .sort("received_on", "milestone_id")
    )
    return (
        pays.with_row_index("id", offset=1)
        .with_columns(_u=dice.u(pays.height))
        .with_columns(
            pl.col("id").cast(pl.Int64),
            money(pl.col("cents")).alias("amount"),
            pick(
                pl.col("_u"), [("bank transfer", 70), ("card", 10), ("paypal", 10), ("wise", 10)]
            ).alias("method"),
            pl.format("TRX-{}", pl.col("id")).alias("reference"),
        )
        .select("id", "milestone_id", "amount", "received_on", "method", "reference", "cents")
    )


def settlement(ms: pl.DataFrame, pays: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Per billed milestone: paid cents by as_of, the date it became fully paid (or null)."""
    per = pays.group_by("milestone_id").agg(
        pl.col("cents").sum().alias("paid_cents"), pl.col("received_on").max().alias("last_paid")
    )
    return (
        ms.filter(pl.col("_billed"))
        .select("id", "contract_id", "seq", "title", "invoice_no", "status", "due_date", "_cents")
        .join(per, left_on="id", right_on="milestone_id", how="left")
        .sort("id")
        .with_columns(pl.col("paid_cents").fill_null(0))
        .with_columns(
            pl.when(pl.col("paid_cents") == pl.col("_cents"))
            .then(pl.col("last_paid"))
            .alias("paid_on"),
            (pl.col("_cents") - pl.col("paid_cents")).alias("open_cents"),
        )
    )


def build_chase_events(settled: pl.DataFrame, as_of: dt.date, dice: Dice) -> pl.DataFrame:
    """The ladder as it was climbed on late milestones (paid late, or still open): each step
    reached before the milestone was settled is logged with probability 0.85 (so some steps
    are skipped, which the chase queue must propose first)."""
    steps = pl.DataFrame({"step": [s for s, _ in LADDER], "threshold": [t for _, t in LADDER]})
    late = settled.filter(pl.col("due_date") < as_of, pl.col("status") != "cancelled").with_columns(
        pl.coalesce("paid_on", pl.lit(as_of)).alias("_settle")
    )
    ev = late.join(steps, how="cross").with_columns(
        (pl.col("due_date") + days(pl.col("threshold"))).alias("date")
    )
    ev = ev.filter(pl.col("date") <= pl.col("_settle")).sort("id", "threshold")
    n = ev.height
    ev = ev.with_columns(_u=dice.u(n), _v=dice.u(n)).filter(pl.col("_u") < 0.85)
    return (
        ev.sort("date", "id", "threshold")
        .with_row_index("eid", offset=1)
        .select(
            pl.col("eid").cast(pl.Int64).alias("id"),
            pl.col("id").alias("milestone_id"),
            "date",
            "step",
            pick(
                pl.col("_v"), [("email", 70), ("phone", 15), ("message", 10), ("letter", 5)]
            ).alias("channel"),
            pl.format(
                'Dear client,\n\nThe milestone "{}" (invoice {}) was due on {}. This is step '
                "'{}' of our payment reminders; the invoice is attached. Please let me know "
                "when payment will be made.\n\nKind regards,\nBench Freelance",
                pl.col("title"),
                pl.col("invoice_no"),
                pl.col("due_date"),
                pl.col("step"),
            ).alias("message"),
        )
    )


def build_holds(settled: pl.DataFrame, as_of: dt.date, dice: Dice) -> pl.DataFrame:
    """Holds on every open disputed milestone and on 1% of other open overdue ones (a payment
    plan); some already ended, some released."""
    cand = settled.filter(pl.col("open_cents") > 0, pl.col("due_date") < as_of)
    n = cand.height
    cand = cand.with_columns(_u=dice.u(n), _v=dice.u(n), _w=dice.u(n)).filter(
        (pl.col("status") == "disputed") | (pl.col("_u") < 0.01)
    )
    return (
        cand.with_row_index("hid", offset=1)
        .with_columns((pl.lit(as_of) + days(randint(pl.col("_v"), -30, 60))).alias("until"))
        .select(
            pl.col("hid").cast(pl.Int64).alias("id"),
            pl.col("id").alias("milestone_id"),
            pl.when(pl.col("status") == "disputed")
            .then(pl.lit("disputed: client contests the deliverable"))
            .otherwise(pl.lit("payment plan agreed"))
            .alias("reason"),
            "until",
            pl.when((pl.col("until") < as_of) & (pl.col("_w") < 0.5))
            .then(pl.col("until"))
            .otherwise(pl.lit(None, dtype=pl.Date))
            .alias("released_on"),
        )
    )


def build_fee_claims(
    settled: pl.DataFrame, contracts: pl.DataFrame, as_of: dt.date, dice: Dice
) -> pl.DataFrame:
    """A claimed fee on 5% of the open overdue milestones of contracts with a fee rule."""
    rules = contracts.select(pl.col("id").alias("contract_id"), "late_fee_kind")
    cand = settled.filter(
        pl.col("open_cents") > 0, pl.col("due_date") < as_of - dt.timedelta(days=30)
    )
    cand = cand.join(rules, on="contract_id").filter(pl.col("late_fee_kind") != "none").sort("id")
    n = cand.height
    cand = cand.with_columns(_u=dice.u(n), _v=dice.u(n)).filter(pl.col("_u") < 0.05)
    return cand.with_row_index("fid", offset=1).select(
        pl.col("fid").cast(pl.Int64).alias("id"),
        pl.col("id").alias("milestone_id"),
        (pl.lit(as_of) - days(randint(pl.col("_v"), 0, 20))).alias("claimed_on"),
        money(pl.lit(4000, dtype=pl.Int64)).alias("amount"),
    )


def build_change_orders(contracts: pl.DataFrame, dice: Dice) -> pl.DataFrame:
    """Change orders on 3% of contracts."""
    n = contracts.height
    c = contracts.select("id", "start_date").with_columns(
        _u=dice.u(n), _v=dice.u(n), _w=dice.u(n), _x=dice.u(n)
    )
    c = c.filter(pl.col("_u") < 0.03)
    return c.with_row_index("cid", offset=1).select(
        pl.col("cid").cast(pl.Int64).alias("id"),
        pl.col("id").alias("contract_id"),
        (pl.col("start_date") + days(randint(pl.col("_v"), 0, 90))).alias("date"),
        pl.format("Extra scope requested for contract {}", pl.col("id")).alias("description"),
        money(
            pl.when(pl.col("_w") < 0.2)
            .then(-randint(pl.col("_x"), 1, 50) * 1000)
            .otherwise(randint(pl.col("_x"), 1, 300) * 1000)
        ).alias("amount_delta"),
        pick(pl.col("_w"), [("proposed", 40), ("accepted", 40), ("rejected", 20)]).alias("status"),
    )


def next_31st(as_of: dt.date) -> dt.date:
    """The first 31st of a month after ``as_of`` (a monthly expense there hits short months)."""
    y, m = as_of.year, as_of.month
    while True:
        if m in (1, 3, 5, 7, 8, 10, 12) and dt.date(y, m, 31) > as_of:
            return dt.date(y, m, 31)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def build_expenses(as_of: dt.date) -> pl.DataFrame:
    """Recurring and one-off outflows, dated from ``as_of`` (rent on the 31st, so month ends
    matter; one expense has an end date; GBP and USD ones are converted)."""

    def later(n: int) -> dt.date:
        return as_of + dt.timedelta(days=n)

    rows = [
        ("Office rent", 145000, "EUR", "monthly", next_31st(as_of), None),
        ("Coworking desk", 9000, "EUR", "weekly", later(3), None),
        ("Software subscriptions", 18999, "USD", "monthly", later(11), None),
        ("Accountant", 60000, "EUR", "quarterly", later(52), None),
        ("Professional insurance", 120000, "EUR", "yearly", later(97), None),
        ("Health insurance", 52000, "EUR", "monthly", later(7), None),
        ("London trip", 85000, "GBP", "once", later(40), None),
        ("Laptop", 249900, "EUR", "once", later(20), None),
        ("Tax prepayment", 700000, "EUR", "quarterly", later(16), None),
        ("Phone", 3999, "EUR", "monthly", later(6), later(218)),
        ("Hosting", 4500, "USD", "monthly", later(4), None),
        ("Pension", 50000, "EUR", "monthly", later(1), None),
    ]
    cols = ["name", "cents", "currency", "cadence", "next_date", "end_date"]
    df = pl.DataFrame(rows, schema=cols, orient="row")
    return df.with_row_index("id", offset=1).select(
        pl.col("id").cast(pl.Int64),
        "name",
        money(pl.col("cents")).alias("amount"),
        "currency",
        "cadence",
        pl.col("next_date").cast(pl.Date),
        pl.col("end_date").cast(pl.Date),
    )


def build_settings(as_of: dt.date) -> pl.DataFrame:
    """Settings rows (home EUR, opening balance 60 days before as_of)."""
    values = {
        "home_currency": "EUR",
        "timezone": "Europe/Berlin",
        "business_name": "Bench Freelance",
        "opening_balance": "25000.00",
        "opening_balance_date": (as_of - dt.timedelta(days=60)).isoformat(),
    }
    return pl.DataFrame({"key": list(values), "value": list(values.values())})


def build_exchange_rates() -> pl.DataFrame:
    """Rates to EUR for USD, GBP and CHF; SEK deliberately has none (unconverted)."""
    return pl.DataFrame(
        {"currency": ["USD", "GBP", "CHF"], "micro": [920000, 1170000, 1050000]}
    ).select("currency", (pl.col("micro").cast(FX_RATE) / 1_000_000).cast(FX_RATE).alias("rate"))


# ---- the whole book ------------------------------------------------------------------------

COLUMNS: dict[str, tuple[str, ...]] = {
    "clients": ("id", "name", "email", "phone", "work_again", "rating", "feedback", "archived"),
    "contacts": ("id", "client_id", "name", "role", "email"),
    "contracts": (
        "id",
        "client_id",
        "title",
        "currency",
        "total_fee",
        "start_date",
        "end_date",
        "signed_on",
        "status",
        "payment_terms_days",
        "late_fee_kind",
        "late_fee_value",
        "late_fee_fixed",
        "late_fee_preset",
        "grace_days",
        "acceptance_days",
        "red_flags",
        "archived",
    ),
    "milestones": (
        "id",
        "contract_id",
        "seq",
        "title",
        "amount",
        "due_date",
        "status",
        "progress",
        "invoice_no",
        "invoiced_on",
        "delivered_on",
    ),
    "payments": ("id", "milestone_id", "amount", "received_on", "method", "reference"),
}


def build_book(size: Size, as_of: dt.date, seed: int = SEED) -> dict[str, pl.DataFrame]:
    """Every table of a generated book, in insertion order (parents first)."""
    dice = Dice(seed)
    clients = build_clients(size, dice)
    contacts = build_contacts(clients, dice)
    contracts = build_contracts(size, clients, as_of, dice)
    ms = build_milestones(size, contracts, clients, as_of, dice)
    pays = build_payments(ms, as_of, dice)
    settled = settlement(ms, pays, as_of)
    per_contract = ms.group_by("contract_id").agg(
        pl.col("_cents").sum().alias("_sum"), pl.col("due_date").max().alias("end_date")
    )
    contracts = (
        contracts.join(per_contract, left_on="id", right_on="contract_id", how="left")
        .sort("id")
        .with_columns(
            # about 3% of contracts do not add up (a warning the app shows); none without milestones.
            money(
                pl.col("_sum").fill_null(100000)
                + pl.when(pl.col("_spacing") == 17).then(50000).otherwise(0)
            ).alias("total_fee"),
            pl.coalesce("end_date", pl.col("start_date") + days(90)).alias("end_date"),
        )
    )
    book = {
        "clients": clients.select(COLUMNS["clients"]),
        "contacts": contacts,
        "contracts": contracts.select(COLUMNS["contracts"]),
        "milestones": ms.select(COLUMNS["milestones"]),
        "payments": pays.select(COLUMNS["payments"]),
        "chase_events": build_chase_events(settled, as_of, dice),
        "holds": build_holds(settled, as_of, dice),
        "change_orders": build_change_orders(contracts, dice),
        "fee_claims": build_fee_claims(settled, contracts, as_of, dice),
        "expenses": build_expenses(as_of),
        "settings": build_settings(as_of),
        "exchange_rates": build_exchange_rates(),
    }
    for table, df in book.items():
        check_money(table, df)
    return book


def write_book(path: Path, tables: dict[str, pl.DataFrame]) -> None:
    """Create the book at ``path`` and insert every table in one write transaction."""
    book = Book.open(path)
    with book.writing() as con:
        for table, df in tables.items():
            bulk_insert(con, table, df)
    con2 = duckdb.connect(str(path))
    try:
        con2.execute("CHECKPOINT")
    finally:
        con2.close()


def generate(
    size: str, out: Path, as_of: dt.date, *, force: bool = False, seed: int = SEED
) -> dict[str, float]:
    """Generate a book of ``size`` at ``out``; return timings (build, write, total seconds)."""
    if out.exists():
        if not force:
            raise FileExistsError(f"{out} exists (use --force to replace it)")
        out.unlink()
        wal = out.with_name(out.name + ".wal")
        if wal.exists():
            wal.unlink()
    t0 = time.perf_counter()
    tables = build_book(SIZES[size], as_of, seed)
    t1 = time.perf_counter()
    write_book(out, tables)
    t2 = time.perf_counter()
    return {
        "build": t1 - t0,
        "write": t2 - t1,
        "total": t2 - t0,
        **{f"rows.{t}": float(df.height) for t, df in tables.items()},
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: generate one book and print how long it took."""
    ap = argparse.ArgumentParser(
        prog="python -m tests.bench.generate", description=__doc__.split("\n\n")[0]
    )
    ap.add_argument("--size", choices=sorted(SIZES), default="small")
    ap.add_argument(
        "--out", type=Path, help="book path (default tests/bench/books/<size>-<as_of>.duckdb)"
    )
    ap.add_argument(
        "--as-of", type=dt.date.fromisoformat, default=DEFAULT_AS_OF, metavar="YYYY-MM-DD"
    )
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--force", action="store_true", help="replace an existing file")
    args = ap.parse_args(argv)
    out = args.out or default_book_path(args.size, args.as_of)
    try:
        t = generate(args.size, out, args.as_of, force=args.force, seed=args.seed)
    except FileExistsError as exc:
        print(exc, file=sys.stderr)
        return 1
    counts = ", ".join(f"{k[5:]} {int(v):,}" for k, v in t.items() if k.startswith("rows."))
    print(f"{out}: {counts}")
    print(
        f"generated {args.size} in {t['total']:.1f} s "
        f"(build frames {t['build']:.1f} s, write to DuckDB {t['write']:.1f} s); "
        f"file {out.stat().st_size / 1e6:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
