"""Bank statements (SPEC 6): a bank's own CSV lines read exactly, then matched to milestones.

Pure Python and Polars (no DuckDB): :func:`statement_lines` turns the text frame that
``Book.read_statement`` read into typed lines, :func:`match_statement` proposes, for each
credit, the open billed milestones it pays, with a reason.

Decisions (the issue and SPEC 6 leave them open):

Columns
    A profile (``[bank.NAME]``) names the bank's columns; a column it does not name is looked
    for under the usual names (:data:`USUAL_NAMES`, case-insensitive). Either one signed
    ``amount`` column or ``credit`` and ``debit`` columns (a debit is money out whatever its
    sign). ``counterparty`` and ``reference`` may be missing (empty).
Amounts
    Babel's strict parser under the profile's locale. Without a locale the column decides:
    ``1.234,56`` / ``12,50`` read with a decimal comma, ``1,234.56`` / ``12.50`` with a dot;
    a column holding both, or only values that read two ways (``1,234``), is refused with an
    error asking for a profile's ``locale``, never guessed. Signs: ``-12,50``, ``12,50-``,
    ``(12.50)``, a leading ``+``; currency signs and codes around the number are ignored.
    More than two decimal places are refused (money is exact to the cent).
Dates
    The profile's ``date_format`` (``DD.MM.YYYY`` or ``%d.%m.%Y``), else the one format of
    :data:`DATE_FORMATS` that reads every date of the column; when two do (``03/04/2026``
    everywhere) the file is refused until a profile names it.
Lines
    Rows with neither a date nor an amount (blank lines, a closing balance line) are left
    out; a row with an amount and no readable date is an error naming its line.
Fingerprints
    sha256 of the booking date, amount, counterparty, reference (spaces collapsed) and the
    count of identical lines before it in the same file, so two equal transfers on one day
    stay two, and the same line in an overlapping statement has the same fingerprint (the
    same bank writes the same text). Computed here, not in the store, because they need the
    parsed values (the store never imports analytics).
Matching (credits only, oldest line first)
    1. An invoice number of an open billed milestone found in the reference (or the
       counterparty text), bounded by non-alphanumerics (``RE-12`` is not in ``RE-123``):
       the credit pays those milestones' open amounts exactly, or part of one milestone.
    2. Else an open billed milestone whose open amount equals the credit, of a client whose
       name or one of whose contacts' names matches the payer (names compared by words,
       case, accents, umlauts and legal suffixes such as GmbH or Ltd ignored; an initial
       matches a word).
    3. Else several open billed milestones (2-4, among the 16 oldest) of one such client
       adding up exactly to the credit.
    A proposal is ``unambiguous`` when it is the only candidate of its rule, ``ambiguous``
    otherwise (the oldest candidate is proposed; ``alternatives`` says how many there were).
    Each line's proposal uses up the open amounts it allocates, so two credits never propose
    the same money twice. A profile's ``currency`` limits candidates to milestones in it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import polars as pl

from tui.analytics.base import BookData, milestone_facts
from tui.domain.errors import ValidationError
from tui.domain.money import MAX_AMOUNT, format_amount

#: the usual header names of each column, as German and British banks write them (lower case)
USUAL_NAMES: dict[str, tuple[str, ...]] = {
    "date": ("buchungstag", "buchungsdatum", "datum", "date", "transaction date", "booking date",
             "posting date", "wertstellung", "valuta", "valutadatum", "value date"),
    "amount": ("betrag", "betrag (eur)", "betrag in eur", "umsatz", "amount", "value",
               "amount (gbp)", "amount (eur)", "transaction amount"),
    "credit": ("haben", "gutschrift", "credit", "credit amount", "paid in", "money in"),
    "debit": ("soll", "lastschrift", "debit", "debit amount", "paid out", "money out"),
    "counterparty": ("auftraggeber/empfänger", "auftraggeber / empfänger",
                     "beguenstigter/zahlungspflichtiger", "begünstigter/zahlungspflichtiger",
                     "name zahlungsbeteiligter", "zahlungspflichtiger", "auftraggeber",
                     "empfänger", "counterparty", "payer", "payee", "name", "counter party"),
    "reference": ("verwendungszweck", "reference", "description", "details", "memo",
                  "narrative", "transaction description", "payment reference"),
}  # fmt: skip

#: date formats tried when no profile names one
DATE_FORMATS = ("%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d", "%m/%d/%Y", "%d.%m.%y", "%d %b %Y")
_SHOWN_FORMAT = {"%d.%m.%Y": "DD.MM.YYYY", "%d/%m/%Y": "DD/MM/YYYY", "%Y-%m-%d": "YYYY-MM-DD",
                 "%m/%d/%Y": "MM/DD/YYYY", "%d.%m.%y": "DD.MM.YY", "%d %b %Y": "DD Mon YYYY"}  # fmt: skip
#: the subset search of rule 3: at most this many milestones of a client, this many at once
SUBSET_POOL = 16
SUBSET_SIZE = 4
CENT = Decimal("0.01")
LINE_COLUMN = "_line"

UNAMBIGUOUS = "unambiguous"
AMBIGUOUS = "ambiguous"


@dataclass(frozen=True)
class Allocation:
    """Part of a credit paying one milestone."""

    milestone_id: int
    amount: Decimal
    client: str
    contract: str
    seq: int
    milestone: str
    invoice_no: str
    currency: str
    open: Decimal

    def as_json(self) -> dict[str, Any]:
        """JSON-safe (amounts as decimal strings)."""
        return {"milestone_id": self.milestone_id, "client": self.client,
                "contract": self.contract, "seq": self.seq, "milestone": self.milestone,
                "invoice_no": self.invoice_no, "currency": self.currency,
                "amount": f"{self.amount:.2f}", "open": f"{self.open:.2f}"}  # fmt: skip


@dataclass(frozen=True)
class Proposal:
    """One statement line and what to do with it.

    ``status``: ``match`` (``allocations`` say what it pays), ``unmatched`` (a credit paying
    nothing found; ``reason`` says why), ``debit`` (money out, never a payment) or
    ``recorded`` (the line was recorded by an earlier import).
    """

    line: int
    fingerprint: str
    booked_on: dt.date
    amount: Decimal
    counterparty: str
    reference: str
    status: str
    reason: str = ""
    confidence: str = ""
    alternatives: int = 0
    allocations: tuple[Allocation, ...] = field(default_factory=tuple)

    @property
    def applicable(self) -> bool:
        """A match ``--apply`` records on its own (one candidate)."""
        return self.status == "match" and self.confidence == UNAMBIGUOUS

    def as_record(self) -> dict[str, Any]:
        """What ``Book.record_bank_matches`` takes for this line."""
        return {"fingerprint": self.fingerprint, "booked_on": self.booked_on,
                "amount": self.amount, "counterparty": self.counterparty,
                "reference": self.reference,
                "allocations": [(a.milestone_id, a.amount) for a in self.allocations]}  # fmt: skip

    def as_json(self) -> dict[str, Any]:
        """JSON-safe (amounts as decimal strings, dates ISO)."""
        out: dict[str, Any] = {"line": self.line, "fingerprint": self.fingerprint,
                               "booked_on": self.booked_on.isoformat(),
                               "amount": f"{self.amount:.2f}", "counterparty": self.counterparty,
                               "reference": self.reference}  # fmt: skip
        if self.status == "match":
            out |= {"confidence": self.confidence, "reason": self.reason,
                    "alternatives": self.alternatives,
                    "milestones": [a.as_json() for a in self.allocations]}  # fmt: skip
        elif self.status == "unmatched":
            out["reason"] = self.reason
        return out


# ---- columns ------------------------------------------------------------------------------------


def resolve_columns(names: Sequence[str], given: Mapping[str, str]) -> dict[str, str | None]:
    """The bank's column for each of date, amount, credit, debit, counterparty, reference.

    ``given`` holds the profile's names (checked to exist); the others are looked for under
    :data:`USUAL_NAMES`. Raises a ValidationError naming what is missing.
    """
    by_lower = {n.strip().lower(): n for n in names if n != LINE_COLUMN}
    out: dict[str, str | None] = {}
    for role, usual in USUAL_NAMES.items():
        if given.get(role):
            wanted = given[role].strip().lower()
            if wanted not in by_lower:
                raise ValidationError(role, f"the profile names column '{given[role]}', which "
                                      f"the file does not have ({_listed(by_lower.values())})")  # fmt: skip
            out[role] = by_lower[wanted]
        else:
            out[role] = next((by_lower[u] for u in usual if u in by_lower), None)
    if given.get("amount") or (out["amount"] and not (given.get("credit") or given.get("debit"))):
        out["credit"] = out["debit"] = None
    else:
        out["amount"] = None
    if out["date"] is None:
        raise ValidationError("date", "no date column found (" + _listed(by_lower.values())
                              + "); name it in a [bank.NAME] profile: date = \"...\"")  # fmt: skip
    if out["amount"] is None and out["credit"] is None and out["debit"] is None:
        raise ValidationError("amount", "no amount column found (" + _listed(by_lower.values())
                              + "); name it in a [bank.NAME] profile: amount = \"...\"")  # fmt: skip
    return out


def header_names(given: Mapping[str, str]) -> tuple[set[str], set[str]]:
    """Lower-case names that mark a header line: (date names, amount names)."""
    dates = set(USUAL_NAMES["date"]) | ({given["date"].lower()} if given.get("date") else set())
    amounts = set(USUAL_NAMES["amount"]) | set(USUAL_NAMES["credit"]) | set(USUAL_NAMES["debit"])
    amounts |= {given[k].lower() for k in ("amount", "credit", "debit") if given.get(k)}
    return dates, amounts


def _listed(names: Iterable[str]) -> str:
    shown = [f"'{n}'" for n in names]
    return "columns: " + (", ".join(shown) if shown else "none")


# ---- amounts ------------------------------------------------------------------------------------

_NUMBER = re.compile(r"^[0-9][0-9.,'\u00a0\u202f ]*$")


def _strip_amount(text: str) -> tuple[str, bool]:
    """The digits and separators of an amount, and whether it is negative."""
    t = text.strip()
    negative = False
    if t.startswith("(") and t.endswith(")"):
        negative, t = True, t[1:-1].strip()
    t = re.sub(r"^(EUR|GBP|USD|CHF|€|£|\$)\s*|\s*(EUR|GBP|USD|CHF|€|£|\$)$", "", t, flags=re.I)
    if t[:1] in "-+\u2212":
        negative, t = negative or t[0] != "+", t[1:].strip()
    elif t[-1:] in "-+":
        negative, t = negative or t[-1] == "-", t[:-1].strip()
    t = re.sub(r"^(EUR|GBP|USD|CHF|€|£|\$)\s*", "", t, flags=re.I)
    return t, negative


def _style(number: str) -> str:
    """``comma`` (decimal comma), ``dot``, ``either`` (reads two ways) or ``plain`` (no sign)."""
    commas, dots = number.count(","), number.count(".")
    if commas and dots:
        return "comma" if number.rfind(",") > number.rfind(".") else "dot"
    for sep, own, other in ((",", "comma", "dot"), (".", "dot", "comma")):
        n = number.count(sep)
        if n > 1:
            return other  # only a group separator repeats
        if n == 1:
            decimals = len(number) - number.index(sep) - 1
            return "either" if decimals == 3 else own
    return "plain"


def amount_locale(texts: Iterable[str | None], column: str) -> str:
    """The locale reading every amount of ``column`` one way; refuses a column that reads two."""
    styles: dict[str, str] = {}
    for text in texts:
        if text is None or not text.strip():
            continue
        number, _ = _strip_amount(text)
        styles.setdefault(_style(number), text.strip())
    if "comma" in styles and "dot" in styles:
        raise ValidationError(column, f"holds both '{styles['comma']}' and '{styles['dot']}': "
                              "give the bank's locale in a [bank.NAME] profile (locale = "
                              "\"de_DE\" or \"en_GB\") and use --profile NAME")  # fmt: skip
    if "comma" in styles:
        return "de_DE"
    if "dot" in styles:
        return "en_GB"
    if "either" in styles:
        raise ValidationError(column, f"'{styles['either']}' reads two ways (a thousand or a "
                              "decimal): give the bank's locale in a [bank.NAME] profile "
                              "(locale = \"de_DE\" or \"en_GB\") and use --profile NAME")  # fmt: skip
    return "en_GB"


def parse_amount(text: str, locale: str, where: str) -> Decimal:
    """One amount, exact to the cent, by Babel's strict parser under ``locale``."""
    from babel.numbers import NumberFormatError, parse_decimal

    number, negative = _strip_amount(text)
    if not number or not _NUMBER.match(number):
        raise ValidationError(where, f"'{text.strip()}' is not an amount")
    try:
        value = parse_decimal(number.replace("\u202f", "\u00a0"), locale=locale, strict=True)
    except (NumberFormatError, InvalidOperation):
        raise ValidationError(where, f"'{text.strip()}' is not an amount as {locale} writes "
                              "it; give the bank's locale in its [bank.NAME] profile") from None  # fmt: skip
    if value != value.quantize(CENT):
        raise ValidationError(where, f"'{text.strip()}' has more than two decimal places")
    if abs(value) > MAX_AMOUNT:
        raise ValidationError(where, f"'{text.strip()}' is too large for an amount")
    value = value.quantize(CENT)
    return -value if negative else value


# ---- dates --------------------------------------------------------------------------------------


def strftime_format(text: str) -> str:
    """``DD.MM.YYYY`` as ``%d.%m.%Y`` (a format with ``%`` is kept as it is)."""
    if "%" in text:
        return text
    out = text
    for token, code in (("YYYY", "%Y"), ("YY", "%y"), ("MMM", "%b"), ("MM", "%m"), ("DD", "%d")):
        out = out.replace(token, code)
    return out


def _parses(text: str, fmt: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(text.strip(), fmt).date()  # noqa: DTZ007 (a date only)
    except ValueError:
        return None


def date_format(texts: Sequence[str], given: str = "") -> str:
    """The strftime format of the date column: the profile's, else the one that reads all."""
    if given:
        return strftime_format(given)
    values = [t for t in texts if t and t.strip()]
    fits = [f for f in DATE_FORMATS if values and all(_parses(t, f) for t in values)]
    if "%d.%m.%y" in fits and "%d.%m.%Y" in fits:
        fits.remove("%d.%m.%y")
    if len(fits) == 1:
        return fits[0]
    if not fits:
        sample = values[0] if values else ""
        raise ValidationError("date", f"'{sample}' is in no date format milepay knows: give it "
                              "in the bank's [bank.NAME] profile (date_format = \"DD.MM.YYYY\")")  # fmt: skip
    shown = " or ".join(_SHOWN_FORMAT[f] for f in fits)
    raise ValidationError("date", f"every date reads as {shown}: give the bank's format in its "
                          "[bank.NAME] profile (date_format = \"DD/MM/YYYY\") and use --profile")  # fmt: skip


# ---- the lines ----------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def fingerprint(booked_on: dt.date, amount: Decimal, counterparty: str, reference: str,
                occurrence: int) -> str:  # fmt: skip
    """sha256 of one line's facts and its occurrence among identical lines of the file."""
    text = "\x1f".join([booked_on.isoformat(), f"{amount:.2f}", counterparty, reference,
                        str(occurrence)])  # fmt: skip
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def statement_lines(raw: pl.DataFrame, profile: Mapping[str, str] | None = None) -> pl.DataFrame:
    """Typed lines: line, booked_on, amount (signed), counterparty, reference, fingerprint.

    ``raw`` is the text frame ``Book.read_statement`` gives (the bank's columns and
    ``_line``, the line in the file); ``profile`` a :class:`tui.config.BankProfile`'s
    fields (columns, ``date_format``, ``locale``). Errors name the file's line and column.
    """
    profile = profile or {}
    cols = resolve_columns(raw.columns, {k: str(v) for k, v in profile.items() if v})
    rows = raw.to_dicts()
    amount_cols = [c for c in (cols["amount"], cols["credit"], cols["debit"]) if c]
    rows = [
        r for r in rows if _text(r.get(cols["date"])) or any(_text(r.get(c)) for c in amount_cols)
    ]
    locales = {c: str(profile.get("locale") or "") or amount_locale((r.get(c) for r in rows), c)
               for c in amount_cols}  # fmt: skip
    dated = [r for r in rows if any(_text(r.get(c)) for c in amount_cols)]
    fmt = date_format(
        [_text(r.get(cols["date"])) for r in dated], str(profile.get("date_format") or "")
    )
    out: list[dict[str, Any]] = []
    seen: dict[tuple[Any, ...], int] = {}
    for r in dated:
        line = int(r.get(LINE_COLUMN) or 0)
        date_text = _text(r.get(cols["date"]))
        booked = _parses(date_text, fmt)
        if booked is None:
            shown = _SHOWN_FORMAT.get(fmt, fmt)
            raise ValidationError(f"line {line}: {cols['date']}", f"'{date_text}' is not a date "
                                  f"in the format {shown}")  # fmt: skip
        amount = _line_amount(r, cols, locales, line)
        cp, ref = _text(r.get(cols["counterparty"])), _text(r.get(cols["reference"]))
        key = (booked, amount, cp, ref)
        seen[key] = seen.get(key, 0) + 1
        out.append({"line": line, "booked_on": booked, "amount": amount, "counterparty": cp,
                    "reference": ref, "fingerprint": fingerprint(*key, seen[key])})  # fmt: skip
    schema = {"line": pl.Int64, "booked_on": pl.Date, "amount": pl.Decimal(18, 2),
              "counterparty": pl.String, "reference": pl.String, "fingerprint": pl.String}  # fmt: skip
    return pl.DataFrame(out, schema=schema, orient="row") if out else pl.DataFrame(schema=schema)


def _line_amount(row: Mapping[str, Any], cols: Mapping[str, str | None],
                 locales: Mapping[str, str], line: int) -> Decimal:  # fmt: skip
    """The signed amount of one row (credit positive, debit negative)."""
    if cols["amount"]:
        c = cols["amount"]
        return parse_amount(_text(row.get(c)), locales[c], f"line {line}: {c}")
    credit = _text(row.get(cols["credit"])) if cols["credit"] else ""
    debit = _text(row.get(cols["debit"])) if cols["debit"] else ""
    value = Decimal(0)
    if credit:
        c = str(cols["credit"])
        value += abs(parse_amount(credit, locales[c], f"line {line}: {c}"))
    if debit:
        d = str(cols["debit"])
        value -= abs(parse_amount(debit, locales[d], f"line {line}: {d}"))
    return value


# ---- matching -----------------------------------------------------------------------------------

_SUFFIXES = frozenset({"gmbh", "ag", "ug", "kg", "ohg", "gbr", "ev", "mbh", "co", "ltd", "limited",
                       "plc", "llp", "llc", "inc", "corp", "sa", "sarl", "bv", "nv", "and", "und",
                       "the", "haftungsbeschrankt", "mr", "mrs", "ms", "dr", "herr", "frau"})  # fmt: skip
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def name_words(name: str) -> list[str]:
    """A name as comparable words: lower case, umlauts spelled out, accents and suffixes gone."""
    text = name.casefold().translate(_UMLAUTS)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return [w for w in re.split(r"[^a-z0-9]+", text) if w and w not in _SUFFIXES]


def names_match(payer: str, name: str) -> bool:
    """Every word of the shorter name is a word (or an initial) of the other."""
    a, b = name_words(payer), name_words(name)
    if not a or not b:
        return False
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)

    def fits(w: str) -> bool:
        return any(w == x or (len(w) == 1 and x.startswith(w)) or (len(x) == 1 and w.startswith(x))
                   for x in long_)  # fmt: skip

    return all(fits(w) for w in short) and any(len(w) > 1 for w in short)


def open_billed(book: BookData, as_of: dt.date) -> pl.DataFrame:
    """Open billed milestones at ``as_of`` (invoice date on or before it, open > 0), oldest first."""
    facts = milestone_facts(book, as_of)
    return facts.filter(
        pl.col("invoiced_on").is_not_null()
        & (pl.col("invoiced_on") <= as_of)
        & (pl.col("open") > 0)
    ).sort(["due_date", "milestone_id"])


def match_statement(lines: pl.DataFrame, book: BookData, as_of: dt.date,
                    recorded: Iterable[str] = (), *, currency: str = "") -> list[Proposal]:  # fmt: skip
    """A proposal per statement line (file order), by the rules of the module docstring."""
    done = set(recorded)
    cands = open_billed(book, as_of)
    if currency:
        cands = cands.filter(pl.col("currency") == currency)
    open_left: dict[int, Decimal] = {}
    info: dict[int, dict[str, Any]] = {}
    for m in cands.to_dicts():
        open_left[m["milestone_id"]] = Decimal(m["open"])
        info[m["milestone_id"]] = m
    contacts: dict[int, list[str]] = {}
    for c in book.contacts.select("client_id", "name").to_dicts():
        contacts.setdefault(c["client_id"], []).append(c["name"])

    def payer_clients(payer: str) -> set[int]:
        ids = {m["client_id"] for m in info.values()}
        return {cid for cid in ids
                if any(names_match(payer, n) for n in [_client_name(info, cid),
                                                       *contacts.get(cid, [])])}  # fmt: skip

    out: dict[int, Proposal] = {}
    order = sorted(lines.to_dicts(), key=lambda r: (r["booked_on"], r["line"]))
    for r in order:
        base = {k: r[k] for k in ("line", "fingerprint", "booked_on", "amount", "counterparty",
                                  "reference")}  # fmt: skip
        amount = Decimal(r["amount"])
        if r["fingerprint"] in done:
            out[r["line"]] = Proposal(**base, status="recorded", reason="recorded before")
            continue
        if amount <= 0:
            out[r["line"]] = Proposal(**base, status="debit", reason="money out: never a payment")
            continue
        live = {mid: m for mid, m in info.items() if open_left[mid] > 0}
        proposal = (_by_invoice(base, amount, live, open_left, payer_clients)
                    or _by_amount(base, amount, live, open_left, payer_clients)
                    or _by_subset(base, amount, live, open_left, payer_clients)
                    or Proposal(**base, status="unmatched",
                                reason=_why_unmatched(amount, live, open_left)))  # fmt: skip
        for a in proposal.allocations:
            open_left[a.milestone_id] -= a.amount
        out[r["line"]] = proposal
    return [out[k] for k in sorted(out)]


def _client_name(info: Mapping[int, Mapping[str, Any]], client_id: int) -> str:
    return next(m["client"] for m in info.values() if m["client_id"] == client_id)


def _alloc(m: Mapping[str, Any], amount: Decimal, open_: Decimal) -> Allocation:
    return Allocation(milestone_id=m["milestone_id"], amount=amount, client=m["client"],
                      contract=m["contract"], seq=m["seq"], milestone=m["milestone"],
                      invoice_no=m["invoice_no"] or "", currency=m["currency"], open=open_)  # fmt: skip


def _money(value: Decimal, currency: str = "") -> str:
    return f"{format_amount(value)} {currency}".strip()


def _by_invoice(base: dict[str, Any], amount: Decimal, live: Mapping[int, Mapping[str, Any]],
                open_left: Mapping[int, Decimal], payer_clients: Any) -> Proposal | None:  # fmt: skip
    """Rule 1: invoice numbers found in the reference.

    Paying exactly what is open on them is unambiguous whoever paid (a parent company pays
    too). A part payment is unambiguous only from a payer whose name matches the client or a
    contact: a stranger's small credit whose reference happens to hold a short invoice
    number (``Refund 302-11-998`` and invoice ``11``) is proposed, never applied on its own.
    """
    text = f"{base['reference']} {base['counterparty']}".casefold()
    found = [m for m in live.values() if m["invoice_no"]
             and re.search(rf"(?<![0-9a-z]){re.escape(m['invoice_no'].casefold())}(?![0-9a-z])",
                           text)]  # fmt: skip
    if not found:
        return None
    numbers = ", ".join(dict.fromkeys(m["invoice_no"] for m in found))
    total = sum((open_left[m["milestone_id"]] for m in found), Decimal(0))
    cur = found[0]["currency"]
    if amount == total:
        allocs = tuple(_alloc(m, open_left[m["milestone_id"]], open_left[m["milestone_id"]])
                       for m in found)  # fmt: skip
        what = "pays it in full" if len(found) == 1 else f"pays its {len(found)} milestones in full"
        return Proposal(**base, status="match", confidence=UNAMBIGUOUS, allocations=allocs,
                        reason=f"invoice {numbers} in the reference; {what}")  # fmt: skip
    if amount > total:
        return Proposal(**base, status="unmatched",
                        reason=f"invoice {numbers} in the reference, but {_money(amount)} is more "
                        f"than the {_money(total, cur)} open on it")  # fmt: skip
    allocs, left = [], amount
    for m in found:  # oldest due first
        part = min(left, open_left[m["milestone_id"]])
        if part > 0:
            allocs.append(_alloc(m, part, open_left[m["milestone_id"]]))
            left -= part
    known_payer = found[0]["client_id"] in payer_clients(base["counterparty"])
    confidence = UNAMBIGUOUS if len(found) == 1 and known_payer else AMBIGUOUS
    payer = "" if known_payer else "; the payer's name is not the client's or a contact's"
    return Proposal(**base, status="match", confidence=confidence, allocations=tuple(allocs),
                    alternatives=0 if len(found) == 1 else len(found),
                    reason=f"invoice {numbers} in the reference; part payment of "
                    f"{_money(total, cur)} open{payer}")  # fmt: skip


def _by_amount(base: dict[str, Any], amount: Decimal, live: Mapping[int, Mapping[str, Any]],
               open_left: Mapping[int, Decimal], payer_clients: Any) -> Proposal | None:  # fmt: skip
    """Rule 2: one open amount equal to the credit, from a payer matching the client."""
    same = [m for m in live.values() if open_left[m["milestone_id"]] == amount]
    if not same:
        return None
    clients = payer_clients(base["counterparty"])
    fits = [m for m in same if m["client_id"] in clients]
    if not fits:
        return None
    m = fits[0]
    confidence = UNAMBIGUOUS if len(fits) == 1 else AMBIGUOUS
    label = m["invoice_no"] or f"{m['contract']} #{m['seq']}"
    reason = f"open amount {_money(amount, m['currency'])} of {label} from {m['client']}"
    if len(fits) > 1:
        reason += f"; {len(fits)} milestones have this open amount (oldest proposed)"
    return Proposal(**base, status="match", confidence=confidence, reason=reason,
                    alternatives=len(fits) if len(fits) > 1 else 0,
                    allocations=(_alloc(m, amount, amount),))  # fmt: skip


def _by_subset(base: dict[str, Any], amount: Decimal, live: Mapping[int, Mapping[str, Any]],
               open_left: Mapping[int, Decimal], payer_clients: Any) -> Proposal | None:  # fmt: skip
    """Rule 3: 2-4 open milestones of one matching client adding up to the credit."""
    found: list[tuple[Mapping[str, Any], ...]] = []
    for cid in sorted(payer_clients(base["counterparty"])):
        pool = [m for m in live.values() if m["client_id"] == cid][:SUBSET_POOL]
        for size in range(2, min(SUBSET_SIZE, len(pool)) + 1):
            for combo in itertools.combinations(pool, size):
                if (
                    len({m["currency"] for m in combo}) == 1
                    and sum((open_left[m["milestone_id"]] for m in combo), Decimal(0)) == amount
                ):
                    found.append(combo)
                    if len(found) > 1:
                        break
            if len(found) > 1:
                break
    if not found:
        return None
    combo = found[0]
    labels = ", ".join(m["invoice_no"] or f"{m['contract']} #{m['seq']}" for m in combo)
    reason = f"{len(combo)} open milestones of {combo[0]['client']} add up to it ({labels})"
    if len(found) > 1:
        reason += "; other milestones add up to it too (oldest proposed)"
    allocs = tuple(_alloc(m, open_left[m["milestone_id"]], open_left[m["milestone_id"]])
                   for m in combo)  # fmt: skip
    return Proposal(**base, status="match", confidence=UNAMBIGUOUS if len(found) == 1 else AMBIGUOUS,
                    alternatives=len(found) if len(found) > 1 else 0, reason=reason,
                    allocations=allocs)  # fmt: skip


def _why_unmatched(amount: Decimal, live: Mapping[int, Mapping[str, Any]],
                   open_left: Mapping[int, Decimal]) -> str:  # fmt: skip
    """A short reason for a credit that matched nothing."""
    same = [m for m in live.values() if open_left[m["milestone_id"]] == amount]
    if same:
        n = len(same)
        return (f"{n} open milestone{'s' if n > 1 else ''} of {_money(amount)}, but the payer "
                "matches no client or contact")  # fmt: skip
    return "no invoice number in the reference and no open amount or sum of them equals it"
