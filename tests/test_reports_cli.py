"""``milepay report`` on data/sample: every JSON field checked against figures worked out by
hand from the CSV files (the arithmetic is in the comments), plus table, csv and exit codes.

The sample book at 2026-11-24 (settings.csv: home EUR, fx.GBP 1.17, no USD rate; opening
balance 8500.00 on 2026-11-01). Payments dated after as_of (Acme Q3 support, 1000.00 on
2026-12-01) do not count anywhere.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tui.cli import main
from tui.reports import render
from tui.store import Book

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"

AS_OF = "2026-11-24"
ACME, BRIGHT, COAST, NORD = (
    "Acme [Labs] & Co",
    "Brightside Media Ltd",
    "Coastline Apps Inc",
    "Nordwind GmbH",
)


def run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sample") / "sample.duckdb"
    result = run("import", str(SAMPLE), "--db", str(path))
    assert result.exit_code == 0, result.output + (result.stderr or "")
    return path


def report(db: Path, kind: str, fmt: str = "json", *extra: str, as_of: str = AS_OF):
    result = run("report", kind, "--db", str(db), "--as-of", as_of, "--format", fmt, *extra)
    assert result.exit_code == 0, (result.output, result.stderr)
    return result.stdout


def report_json(db: Path, kind: str, *extra: str, as_of: str = AS_OF) -> dict:
    return json.loads(report(db, kind, "json", *extra, as_of=as_of))


# ---- aging ------------------------------------------------------------------------------------


def test_aging_json(sample_db: Path) -> None:
    data = report_json(sample_db, "aging")
    assert data["as_of"] == AS_OF
    assert data["buckets"] == ["current", "1-30", "31-60", "61-90", "90+"]
    z = "0.00"
    rows = [
        {k: r[k] for k in ["client", "currency", *data["buckets"], "total"]} for r in data["rows"]
    ]
    assert rows == [
        # Website relaunch 3: 4000.00 - 1500.00 (11-12) = 2500.00, due 11-10: 14 days -> 1-30
        # Support retainer 3: 1000.00 (its payment is 12-01, after as_of), due 09-30: 55 days
        # Website relaunch 4 (in progress, due 2027-01-15, no invoice): not a row
        {"client": ACME, "currency": "EUR", "current": z, "1-30": "2500.00", "31-60": "1000.00",
         "61-90": z, "90+": z, "total": "3500.00"},
        # Podcast 2: 800.00 due 11-20: 4 days -> 1-30; Podcast 1: 800.00 due 09-10: 75 days;
        # Brand video 3: 2500.00 - 1000.00 = 1500.00 due 08-15: 101 days -> 90+
        # Brand video 4 (delivered, not invoiced, due 12-15): not a row
        {"client": BRIGHT, "currency": "GBP", "current": z, "1-30": "800.00", "31-60": z,
         "61-90": "800.00", "90+": "1500.00", "total": "3100.00"},
        # Beta release 3000.00 due 10-01: 54 days; prototype written off, dashboard cancelled
        {"client": COAST, "currency": "USD", "current": z, "1-30": z, "31-60": "3000.00",
         "61-90": z, "90+": z, "total": "3000.00"},
        # Transformations (disputed, on hold) 4000.00 due 07-31: 116 days -> 90+; Wireframes paid
        {"client": NORD, "currency": "EUR", "current": z, "1-30": z, "31-60": z, "61-90": z,
         "90+": "4000.00", "total": "4000.00"},
    ]  # fmt: skip
    assert data["totals"] == [
        # EUR: 2500 (1-30), 1000 (31-60), 4000 (90+) = 7500
        {"currency": "EUR", "current": z, "1-30": "2500.00", "31-60": "1000.00", "61-90": z,
         "90+": "4000.00", "total": "7500.00"},
        {"currency": "GBP", "current": z, "1-30": "800.00", "31-60": z, "61-90": "800.00",
         "90+": "1500.00", "total": "3100.00"},
        {"currency": "USD", "current": z, "1-30": z, "31-60": "3000.00", "61-90": z, "90+": z,
         "total": "3000.00"},
    ]  # fmt: skip
    detail = {(d["client"], d["contract"], d["seq"]): d for d in data["detail"]}
    assert len(detail) == 7
    frontend = detail[(ACME, "Website relaunch", 3)]
    assert frontend["open"] == "2500.00" and frontend["paid"] == "1500.00"
    assert frontend["days_past_due"] == 14 and frontend["bucket"] == "1-30"
    assert frontend["invoice_no"] == "INV-2026-021" and frontend["invoiced_on"] == "2026-10-27"
    assert detail[(NORD, "Data pipeline", 3)]["days_past_due"] == 116  # 07-31 -> 11-24


def test_aging_table_and_csv(sample_db: Path) -> None:
    text = report(sample_db, "aging", "table")
    lines = text.splitlines()
    assert lines[0].startswith("Aging as of 2026-11-24")
    header = next(ln for ln in lines if ln.startswith("Client"))
    assert header.split() == ["Client", "Cur", "current", "1-30", "31-60", "61-90", "90+", "Total"]
    totals = [ln for ln in lines if ln.startswith("Total ")]
    assert [t.split()[1:] for t in totals] == [
        ["EUR", "0.00", "2,500.00", "1,000.00", "0.00", "4,000.00", "7,500.00"],
        ["GBP", "0.00", "800.00", "0.00", "800.00", "1,500.00", "3,100.00"],
        ["USD", "0.00", "0.00", "3,000.00", "0.00", "0.00", "3,000.00"],
    ]
    # amounts are right-aligned: every data line ends at the same column
    table = [ln for ln in lines if ln.startswith((ACME, BRIGHT, COAST, NORD, "Total "))]
    assert len({len(ln) for ln in table}) == 1
    rows = list(csv.DictReader(io.StringIO(report(sample_db, "aging", "csv"))))
    assert [r["client"] for r in rows] == [ACME, BRIGHT, COAST, NORD]
    assert rows[0] == {"client": ACME, "currency": "EUR", "current": "0.00", "1-30": "2500.00",
                       "31-60": "1000.00", "61-90": "0.00", "90+": "0.00", "total": "3500.00"}  # fmt: skip


# ---- clients ----------------------------------------------------------------------------------


def test_clients_json(sample_db: Path) -> None:
    data = report_json(sample_db, "clients")
    assert data["as_of"] == AS_OF
    assert data["currency"] == "EUR"
    keys = ["client", "billed", "paid", "open", "overdue", "on_time_rate", "median_days_late",
            "worst_days_late", "chase_events", "written_off", "rating", "work_again"]  # fmt: skip
    got = {c["client"]: {k: c[k] for k in keys} for c in data["clients"]}
    assert [c["client"] for c in data["clients"]] == [ACME, BRIGHT, COAST, NORD]
    assert got[ACME] == {
        "client": ACME,
        # billed: every milestone invoiced or due by 11-24: 2000 + 3000 + 4000 + 3 x 1000 = 12000
        "billed": "12000.00",
        # paid: 2000 + 3000 + 1500 + 1000 + 1000 = 8500 (Q3's 1000 of 12-01 is after as_of)
        "paid": "8500.00",
        "open": "3500.00",  # 2500 + 1000
        "overdue": "3500.00",  # both past due
        # fully paid: WR1 due 04-15 paid 04-14 (on time), WR2 due 06-30 paid 07-02 (2 late),
        # SR1 due 03-31 paid 03-30 (on time), SR2 due 06-30 paid 06-30 (on time): 3 of 4
        "on_time_rate": "0.7500",
        "median_days_late": 0,  # median of 0, 0, 0, 2
        # worst of the paid (2) and the open billed debts: SR3 due 09-30 is 55 days past due
        "worst_days_late": 55,
        "chase_events": 3,  # WR3 reminder; SR3 reminder and firm
        "written_off": "0.00",
        "rating": 4,
        "work_again": "yes",
    }
    assert got[BRIGHT] == {
        "client": BRIGHT,
        # GBP billed: 2000 + 3000 + 2500 + 800 + 800 = 9100 (Brand video 4 not invoiced, not due;
        # Podcast 3 planned) -> 9100 x 1.17 = 10647.00
        "billed": "10647.00",
        "paid": "7020.00",  # 2000 + 3000 + 1000 = 6000 GBP x 1.17
        "open": "3627.00",  # 1500 + 800 + 800 = 3100 GBP x 1.17
        "overdue": "3627.00",  # all three past due (101, 75 and 4 days)
        # fully paid: BV1 due 05-31 paid 07-10 (40 late), BV2 due 07-31 paid 09-04 (35 late)
        "on_time_rate": "0.0000",
        "median_days_late": 37.5,  # (35 + 40) / 2
        # paid at worst 40 late; Brand video 3 (due 08-15) is open 101 days past due
        "worst_days_late": 101,
        "chase_events": 5,  # Brand video 3: reminder, firm, escalate; Podcast 1: reminder, firm
        "written_off": "0.00",
        "rating": 2,
        "work_again": "undecided",
    }
    # Coastline is all in USD, which has no rate: nothing converted, everything listed apart
    assert got[COAST] == {
        "client": COAST, "billed": "0.00", "paid": "0.00", "open": "0.00", "overdue": "0.00",
        # nothing fully paid; the open beta (due 10-01) is 54 days past due: days need no rate
        "on_time_rate": None, "median_days_late": None, "worst_days_late": 54,
        "chase_events": 1, "written_off": "0.00", "rating": 2, "work_again": "no",
    }  # fmt: skip
    coast = next(c for c in data["clients"] if c["client"] == COAST)
    # USD billed: prototype 2000 (written off) + beta 3000 = 5000; paid 1200 (prototype);
    # open/overdue 3000 (beta, 54 days); written off 2000 - 1200 = 800
    assert coast["unconverted"] == (
        "USD billed 5000.00, paid 1200.00, open 3000.00, overdue 3000.00, written_off 800.00"
    )
    assert coast["red_flags"] == (
        "Mobile app MVP: Work started before the contract was signed.; "
        "Mobile app MVP: work started without a signed contract"
    )
    assert got[NORD] == {
        "client": NORD,
        "billed": "12000.00",  # 3000 + 4000 + 4000 (disputed) + 1000
        "paid": "8000.00",  # 3000 + 4000 + 1000
        "open": "4000.00",
        "overdue": "4000.00",
        # DP1 due 02-28 paid 03-20 (20 late), DP2 due 05-15 paid 06-05 (21), DE1 due 10-05
        # paid 10-20 (15): none on time; median of 15, 20, 21 = 20
        "on_time_rate": "0.0000",
        "median_days_late": 20,
        # paid at worst 21 late; the disputed Transformations (on hold) is 116 days past due
        "worst_days_late": 116,
        "chase_events": 0,
        "written_off": "0.00",
        "rating": 3,
        "work_again": "yes",
    }
    # every contract's milestones add up to its fee (Coastline's cancelled 1500 left out)
    assert [c["red_flags"] for c in data["clients"] if c["client"] != COAST] == ["", "", ""]


def test_clients_table_and_csv(sample_db: Path) -> None:
    lines = report(sample_db, "clients", "table").splitlines()
    assert lines[0] == "Client scorecards as of 2026-11-24, amounts in EUR (by name)"
    total = next(ln for ln in lines if ln.startswith("Total "))
    # billed 12000 + 10647 + 0 + 12000; paid 8500 + 7020 + 8000; open 3500 + 3627 + 4000
    assert total.split()[1:] == ["34,647.00", "23,520.00", "11,127.00", "11,127.00", "0.00"]
    assert any("75.0%" in ln for ln in lines if ln.startswith(ACME))
    assert "Red flags:" in lines
    rows = list(csv.DictReader(io.StringIO(report(sample_db, "clients", "csv"))))
    assert [r["client"] for r in rows] == [ACME, BRIGHT, COAST, NORD]
    assert rows[1]["billed"] == "10647.00" and rows[1]["median_days_late"] == "37.5"
    assert rows[2]["on_time_rate"] == "" and rows[2]["archived"] == "no"


# ---- chase ------------------------------------------------------------------------------------


def test_chase_json(sample_db: Path) -> None:
    data = report_json(sample_db, "chase")
    assert data["as_of"] == AS_OF
    keys = ["client", "contract", "seq", "milestone", "due_date", "days_past_due", "currency",
            "open", "late_fee", "step", "contact"]  # fmt: skip
    items = [{k: i[k] for k in keys} for i in data["items"]]
    # thresholds 3 / 10 / 21 / 45; most days past due first; Nordwind's Transformations is on
    # hold until 12-10 and left out
    assert items == [
        # reminder, firm, escalate logged -> legal (101 >= 45), to the owner.
        # statutory uk: lateness began 08-16, so the base rate in force on 2026-06-30 (3.75
        # since 2025-12-18) + 8 = 11.75 % a year on 2500 x 101 days - 1000 x 54 days (paid
        # 10-01) = 198500 money-days: 198500 x 0.1175 / 365 = 63.9007 -> + 70.00 compensation
        # (debt 2500, under 10,000) = 133.9007 -> 133.90
        {"client": BRIGHT, "contract": "Brand video series", "seq": 3,
         "milestone": "Edit episodes 1-3", "due_date": "2026-08-15", "days_past_due": 101,
         "currency": "GBP", "open": "1500.00", "late_fee": "133.90", "step": "legal",
         "contact": "Oliver Grant"},
        # reminder, firm logged -> escalate (75 >= 21); percent 5 % once of 800 after 7 days grace
        {"client": BRIGHT, "contract": "Podcast edits", "seq": 1, "milestone": "Batch 1",
         "due_date": "2026-09-10", "days_past_due": 75, "currency": "GBP", "open": "800.00",
         "late_fee": "40.00", "step": "escalate", "contact": "Oliver Grant"},
        # reminder, firm logged -> escalate (55 days); flat 40.00 after 5 days grace
        {"client": ACME, "contract": "Support retainer 2026", "seq": 3, "milestone": "Q3 support",
         "due_date": "2026-09-30", "days_past_due": 55, "currency": "EUR", "open": "1000.00",
         "late_fee": "40.00", "step": "escalate", "contact": "Tomás Acme"},
        # reminder logged -> firm (54 >= 10); only a main contact. annual 8 %: 3000 x 54 x 0.08
        # / 365 = 35.5068 + 40.00 fixed = 75.5068 -> 75.51
        {"client": COAST, "contract": "Mobile app MVP", "seq": 2, "milestone": "Beta release",
         "due_date": "2026-10-01", "days_past_due": 54, "currency": "USD", "open": "3000.00",
         "late_fee": "75.51", "step": "firm", "contact": "Sam Rivera"},
        # reminder logged 11-17 -> firm (14 >= 10), to the payer; no late-fee rule
        {"client": ACME, "contract": "Website relaunch", "seq": 3, "milestone": "Frontend build",
         "due_date": "2026-11-10", "days_past_due": 14, "currency": "EUR", "open": "2500.00",
         "late_fee": "0.00", "step": "firm", "contact": "Accounts Payable"},
        # nothing logged, 4 days -> reminder, to the payer; within the 7 days of grace: no fee
        {"client": BRIGHT, "contract": "Podcast edits", "seq": 2, "milestone": "Batch 2",
         "due_date": "2026-11-20", "days_past_due": 4, "currency": "GBP", "open": "800.00",
         "late_fee": "0.00", "step": "reminder", "contact": "Finance Team"},
    ]  # fmt: skip
    legal = data["items"][0]
    assert legal["claim_total"] == "1633.90"  # 1500.00 + 133.90
    assert legal["legal_cost_estimate"] == "500.00"
    assert legal["claim_total_home"] == "1911.66"  # 1633.90 x 1.17 = 1911.663
    assert legal["worth_it"] is True
    assert legal["contact_email"] == "oliver@brightside.example"


def test_chase_includes_grace_rows(sample_db: Path) -> None:
    # as of 11-22, Podcast Batch 2 (due 11-20) is 2 days past due: grace, nothing to send yet
    data = report_json(sample_db, "chase", as_of="2026-11-22")
    batch2 = [i for i in data["items"] if i["milestone"] == "Batch 2"]
    assert [(i["days_past_due"], i["step"]) for i in batch2] == [(2, "grace")]


def test_chase_table_and_csv(sample_db: Path) -> None:
    lines = report(sample_db, "chase", "table").splitlines()
    assert lines[0].startswith("Chase queue as of 2026-11-24")
    totals = [ln.split() for ln in lines if ln.startswith("Total ")]
    # EUR open 1000 + 2500, fees 40 + 0; GBP 1500 + 800 + 800, fees 133.90 + 40 + 0; USD
    assert totals == [
        ["Total", "EUR", "3,500.00", "40.00"],
        ["Total", "GBP", "3,100.00", "173.90"],
        ["Total", "USD", "3,000.00", "75.51"],
    ]
    rows = list(csv.DictReader(io.StringIO(report(sample_db, "chase", "csv"))))
    assert len(rows) == 6
    assert rows[0]["late_fee"] == "133.90" and rows[0]["step"] == "legal"
    assert rows[0]["worth_it"] == "yes"


# ---- forecast ---------------------------------------------------------------------------------


def test_forecast_json_expected_weekly(sample_db: Path) -> None:
    data = report_json(sample_db, "forecast")
    assert (data["as_of"], data["scenario"], data["period"], data["currency"]) == (
        AS_OF, "expected", "week", "EUR",
    )  # fmt: skip
    # cash at as_of: opening 8500.00 (11-01) + 1500.00 received 11-12 - coworking on 11-06,
    # 11-13, 11-20 (3 x 25.00) = 9925.00
    assert data["cash_at_as_of"] == "9925.00"
    # client delays (fully paid date - due date): Acme -1, 2, -1, 0 -> median of -1 and 0
    # rounded up = 0; Brightside 40, 35 -> 37.5 rounded up = 38; Nordwind 20, 21, 15 -> 20;
    # Coastline has none: portfolio median of all nine (-1,-1,0,2,15,20,21,35,40) = 15 (USD anyway)
    # A debt already x days late is placed by the delays greater than x (the client's when it
    # has 2 such, else everybody's): Frontend build (due 11-10, 14 late): Acme has none above
    # 14, everybody's above 14 are 15, 20, 21, 35, 40 -> median 21 -> 12-01. Batch 2 (due 11-20,
    # 4 late): Brightside's 35, 40 -> 38 -> 12-28. Q3 support (55 late, 1000.00), Edit episodes
    # 1-3 (101 late, 1500 GBP = 1755.00), Batch 1 (75 late, 800 GBP = 936.00) and Transformations
    # (116 late, 4000.00) are later than any debt paid: uncertain, 7691.00, in no week.
    # Inflows at max(as_of, due + delay), GBP x 1.17:
    #   week 11-30: Frontend build 2500.00
    #   week 12-28: Batch 2: 936.00
    #   week 01-11: Website relaunch 4 due 01-15: 3000.00
    #   week 01-18: Brand video 4 due 12-15 + 38 = 01-22: 1755.00; Dashboards 12-31 + 20 = 01-20:
    #               2000.00 -> 3755.00
    # Outflows from as_of: coworking 25.00 every Friday from 11-27 (to 2027-03-26); rent 950.00
    # on 11-30, 12-31, 01-31 (month end of the 31st); accounting 240 GBP on 01-15 = 280.80
    expected = [
        ("2026-11-23", "2026-11-29", "0.00", "25.00", "-25.00", "9900.00"),
        ("2026-11-30", "2026-12-06", "2500.00", "975.00", "1525.00", "11425.00"),
        ("2026-12-07", "2026-12-13", "0.00", "25.00", "-25.00", "11400.00"),
        ("2026-12-14", "2026-12-20", "0.00", "25.00", "-25.00", "11375.00"),
        ("2026-12-21", "2026-12-27", "0.00", "25.00", "-25.00", "11350.00"),
        ("2026-12-28", "2027-01-03", "936.00", "975.00", "-39.00", "11311.00"),
        ("2027-01-04", "2027-01-10", "0.00", "25.00", "-25.00", "11286.00"),
        ("2027-01-11", "2027-01-17", "3000.00", "305.80", "2694.20", "13980.20"),
        ("2027-01-18", "2027-01-24", "3755.00", "25.00", "3730.00", "17710.20"),
        ("2027-01-25", "2027-01-31", "0.00", "975.00", "-975.00", "16735.20"),
        ("2027-02-01", "2027-02-07", "0.00", "25.00", "-25.00", "16710.20"),
        ("2027-02-08", "2027-02-14", "0.00", "25.00", "-25.00", "16685.20"),
    ]
    keys = ["start", "end", "inflow", "outflow", "net", "balance"]
    assert [tuple(p[k] for k in keys) for p in data["periods"]] == expected
    # after 02-14: Podcast 3 due 01-20 + 38 = 02-27 (936.00), Monitoring 2027-09-30 + 20
    # (4000.00), Extra export module 02-15 + 20 (1000.00) = 5936.00
    assert data["later"] == "5936.00"
    assert data["at_risk"] == "0.00"  # only the pessimistic scenario leaves amounts at risk
    assert data["uncertain"] == "7691.00"  # 1000.00 + 1755.00 + 936.00 + 4000.00
    assert [u["milestone"] for u in data["uncertain_milestones"]] == [
        "Q3 support", "Edit episodes 1-3", "Batch 1", "Transformations",
    ]  # fmt: skip
    assert data["unconverted"] == [{"currency": "USD", "amount": "6000.00"}]  # 3000 + 3000
    # day by day from 9925.00: Fri 11-27 coworking -25.00 = 9900.00, Mon 11-30 rent -950.00 =
    # 8950.00, then 2500.00 on 12-01: the lowest is that Monday, inside a week that ends higher
    assert data["lowest"] == {"date": "2026-11-30", "start": "2026-11-30", "balance": "8950.00"}
    # inflow days 12-01, 12-28, 01-15, 01-20, 01-22 in the horizon, then (later) 2027-03-07
    # and 2027-10-20: the longest run an inflow ends is 2027-03-08..2027-10-19
    assert data["longest_gap_days"] == 226
    assert data["longest_gap"] == {"from": "2027-03-08", "to": "2027-10-19"}  # 226 days
    assert data["last_inflow_date"] == "2027-10-20"


def test_forecast_table_and_csv(sample_db: Path) -> None:
    lines = report(sample_db, "forecast", "table").splitlines()
    assert lines[0] == (
        "Cash-flow forecast as of 2026-11-24: scenario expected, 12 weekly periods, amounts in EUR"
    )
    total = next(ln for ln in lines if ln.startswith("Total"))
    # inflows 2500 + 936 + 3000 + 3755 = 10191; outflows 9 x 25 + 3 x 975 + 305.80 = 3430.80;
    # net 10191.00 - 3430.80 = 6760.20; 9925.00 + 6760.20 = 16685.20
    # no tax reserve on the sample book: reserve 0.00, free = the balance
    assert total.split() == [
        "Total", "10,191.00", "3,430.80", "6,760.20", "16,685.20", "0.00", "16,685.20",
    ]  # fmt: skip
    assert "Cash at 2026-11-24: 9,925.00 EUR" in lines
    rows = list(csv.DictReader(io.StringIO(report(sample_db, "forecast", "csv"))))
    assert len(rows) == 12
    assert rows[0] == {"start": "2026-11-23", "end": "2026-11-29", "inflow": "0.00",
                       "outflow": "25.00", "net": "-25.00", "balance": "9900.00",
                       "reserve": "0.00", "free": "9900.00"}  # fmt: skip


def test_forecast_options(sample_db: Path) -> None:
    data = report_json(sample_db, "forecast", "--period", "month", "--horizon", "3",
                       "--scenario", "pessimistic")  # fmt: skip
    assert (data["scenario"], data["period"]) == ("pessimistic", "month")
    assert [p["start"] for p in data["periods"]] == ["2026-11-01", "2026-12-01", "2027-01-01"]
    # pessimistic: open amounts more than 90 days past due are at risk: Brand video 3
    # (1500 GBP, 101 days = 1755.00) and Transformations (4000 EUR, 116 days) = 5755.00; and
    # so are the uncertain ones, later than any paid: Q3 support (1000.00, 55 days) and
    # Batch 1 (800 GBP = 936.00, 75 days): 5755.00 + 1000.00 + 936.00 = 7691.00
    assert data["at_risk"] == "7691.00"
    assert data["uncertain"] == "0.00"  # in pessimistic they are at risk, not apart


# ---- exit codes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["2026-02-30", "yesterday-ish", "24/11/2026"])
def test_bad_as_of_is_exit_1_with_one_line(sample_db: Path, bad: str) -> None:
    result = run("report", "aging", "--db", str(sample_db), "--as-of", bad)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "--as-of" in result.stderr


def test_unknown_kind_and_format_are_usage_errors(sample_db: Path) -> None:
    assert run("report", "profit", "--db", str(sample_db)).exit_code == 2
    assert run("report", "aging", "--db", str(sample_db), "--format", "xml").exit_code == 2


def test_every_report_on_an_empty_book(tmp_path: Path) -> None:
    db = tmp_path / "empty.duckdb"
    Book.open(db)
    for kind in ("aging", "forecast", "chase", "clients"):
        for fmt in ("table", "json", "csv"):
            out = report(db, kind, fmt)
            if fmt == "json":
                json.loads(out)
            elif fmt == "csv":
                assert next(csv.reader(io.StringIO(out)))  # a header row
            else:
                assert "2026-11-24" in out.splitlines()[0]


def test_clients_worst_first_through_render(sample_db: Path) -> None:
    frames = Book.open(sample_db, create=False).frames()
    data = json.loads(render("clients", frames, dt.date(2026, 11, 24), "json", worst_first=True))
    # overdue in EUR: Nordwind 4000.00 > Brightside 3627.00 > Acme 3500.00 > Coastline 0 (USD)
    assert [c["client"] for c in data["clients"]] == [NORD, BRIGHT, ACME, COAST]
    assert data["worst_first"] is True
    with pytest.raises(ValueError):
        render("profit", frames, dt.date(2026, 11, 24), "json")
    with pytest.raises(ValueError):
        render("aging", frames, dt.date(2026, 11, 24), "xml")
