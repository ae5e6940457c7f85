"""``milepay report`` revision 2 (issue 11): the forecast's tax reserve, safe to spend and
outflows by category, ``--fail-below`` for cron, and ``milepay report accuracy``.

Through the real CLI. Most checks use the *reserve book*: data/sample with a 30 % tax reserve
since 2026-11-01, a cash floor of 1000.00 and one tax payment (VAT, 600.00 EUR on
2026-12-10, category ``tax``). Its figures, by hand, expected scenario, weekly, as of
2026-11-24 (the sample's flows are worked out in tests/test_reports_cli.py):

- cash at as_of 9925.00; payments since 11-01 up to as_of: 1500.00 (11-12), so the tax
  reserve is 30 % = 450.00 and free cash at as_of 9925.00 - 450.00 = 9475.00.
- day by day: 11-27 coworking -25.00 -> balance 9900.00, free 9450.00; 11-30 rent -950.00 ->
  8950.00, free 8500.00; 12-01 Frontend build +2500.00 -> 11450.00, reserve 30 % of
  (1500.00 + 2500.00) = 1200.00, free 10250.00. Afterwards free cash never comes back down
  to 8500.00: the VAT on 12-10 comes out of the reserve (1200.00 - 600.00 = 600.00), not out
  of free cash. So free cash is lowest on 11-30 at 8500.00 and safe to spend is 8500.00 -
  1000.00 (the floor) = 7500.00; the lowest balance is 8950.00 on 11-30.
"""

from __future__ import annotations

import csv
import io
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from tests.test_reports_cli import AS_OF, SAMPLE, report, report_json, run

D = Decimal


@pytest.fixture(scope="module")
def reserve_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("reserve") / "book"
    shutil.copytree(SAMPLE, folder)
    with (folder / "settings.csv").open("a", encoding="utf-8") as out:
        out.write("tax_reserve_percent,30\ntax_reserve_since,2026-11-01\ncash_floor,1000.00\n")
    expenses = (folder / "expenses.csv").read_text(encoding="utf-8").splitlines()
    expenses = [expenses[0] + ",category"] + [line + "," for line in expenses[1:]]
    expenses.append("VAT Q4,600.00,EUR,once,2026-12-10,,tax")
    (folder / "expenses.csv").write_text("\n".join(expenses) + "\n", encoding="utf-8")
    path = folder.parent / "reserve.duckdb"
    result = run("import", str(folder), "--db", str(path))
    assert result.exit_code == 0, result.output + (result.stderr or "")
    return path


def fail_below(db: Path, amount: str):
    return run("report", "forecast", "--db", str(db), "--as-of", AS_OF, "--fail-below", amount)


# ---- forecast: tax reserve, free cash, safe to spend ----------------------------------------


def test_forecast_json_reserve_and_safe_to_spend(reserve_db: Path) -> None:
    data = report_json(reserve_db, "forecast")
    assert data["cash_at_as_of"] == "9925.00"
    assert data["tax_reserve"] == "450.00"
    assert data["safe_to_spend"] == "7500.00"
    assert data["safe_to_spend_limit"] == {"date": "2026-11-30", "free": "8500.00"}
    assert data["lowest"] == {"date": "2026-11-30", "start": "2026-11-30", "balance": "8950.00"}
    # the property: never more than cash at as_of minus the reserve at as_of
    assert D(data["safe_to_spend"]) <= D(data["cash_at_as_of"]) - D(data["tax_reserve"])
    keys = ["start", "outflow", "balance", "reserve", "free"]
    rows = [tuple(p[k] for k in keys) for p in data["periods"][:3]]
    assert rows == [
        # ends 11-29: 9900.00, reserve still 450.00
        ("2026-11-23", "25.00", "9900.00", "450.00", "9450.00"),
        # 11-30 rent 950.00 + 12-04 coworking 25.00; reserve 1200.00 after the 2500.00 inflow
        ("2026-11-30", "975.00", "11425.00", "1200.00", "10225.00"),
        # VAT 600.00 + coworking 25.00: 11425.00 - 625.00; the VAT is paid out of the reserve
        ("2026-12-07", "625.00", "10800.00", "600.00", "10200.00"),
    ]
    assert all(D(p["free"]) == D(p["balance"]) - D(p["reserve"]) for p in data["periods"])
    by_cat = [r for r in data["outflow_by_category"] if r["start"] == "2026-12-07"]
    assert by_cat == [
        {"start": "2026-12-07", "category": "", "outflow": "25.00"},
        {"start": "2026-12-07", "category": "tax", "outflow": "600.00"},
    ]


def test_forecast_table_by_category(reserve_db: Path) -> None:
    lines = report(reserve_db, "forecast", "table", "--by-category").splitlines()
    header = lines[2].split()
    assert header == ["Start", "End", "Inflow", "Outflow", "Net", "Balance", "Reserve", "Free",
                      "tax", "other"]  # fmt: skip
    row = next(ln for ln in lines if ln.startswith("2026-12-07")).split()
    assert row[3] == "625.00" and row[-2:] == ["600.00", "25.00"]
    rows = [ln.split() for ln in lines[4:16]]
    assert len(rows) == 12
    for cells in rows:  # each period: the category columns sum to its outflow
        amount = [D(c.replace(",", "")) for c in cells[2:]]  # inflow ... other
        assert amount[-2] + amount[-1] == amount[1]
    assert "Tax reserve today: 450.00 EUR" in lines
    assert (
        "Safe to spend today: 7,500.00 EUR (free cash lowest on 2026-11-30: 8,500.00 EUR; "
        "cash floor 1,000.00 EUR)"
    ) in lines
    # the CSV carries the same columns (keys outflow:CATEGORY, outflow: for none)
    table = list(
        csv.DictReader(io.StringIO(report(reserve_db, "forecast", "csv", "--by-category")))
    )
    assert table[2] == {
        "start": "2026-12-07", "end": "2026-12-13", "inflow": "0.00", "outflow": "625.00",
        "net": "-625.00", "balance": "10800.00", "reserve": "600.00", "free": "10200.00",
        "outflow:tax": "600.00", "outflow:": "25.00",
    }  # fmt: skip


# ---- --fail-below -----------------------------------------------------------------------------


def test_fail_below_safe_to_spend(reserve_db: Path) -> None:
    short = fail_below(reserve_db, "7500.01")
    assert short.exit_code == 3
    assert short.stdout.startswith("Cash-flow forecast as of 2026-11-24")  # the report as usual
    assert short.stderr == (
        "milepay: money runs short: safe to spend 7,500.00 EUR (free cash lowest on "
        "2026-11-30) is below 7,500.01 EUR\n"
    )
    enough = fail_below(reserve_db, "7500.00")
    assert enough.exit_code == 0, enough.stderr
    assert enough.stderr == ""


def test_fail_below_names_the_lowest_balance_first(reserve_db: Path) -> None:
    # 8950.01: safe to spend (7500.00) is below it too, but the balance itself is: say that
    short = fail_below(reserve_db, "8950.01")
    assert short.exit_code == 3
    assert short.stderr == (
        "milepay: money runs short: lowest balance 8,950.00 EUR on 2026-11-30 is below "
        "8,950.01 EUR\n"
    )


def test_fail_below_refuses_a_bad_amount_and_other_reports(reserve_db: Path) -> None:
    for bad in ("12,50", "lots", "1.005"):
        result = fail_below(reserve_db, bad)
        assert result.exit_code == 2
        assert result.stdout == ""
        assert len(result.stderr.splitlines()) == 1
        assert "--fail-below" in result.stderr
    other = run("report", "aging", "--db", str(reserve_db), "--fail-below", "0")
    assert other.exit_code == 2
    assert "--fail-below applies to the forecast report only" in other.stderr


# ---- accuracy ---------------------------------------------------------------------------------


def test_accuracy_json_and_table(reserve_db: Path) -> None:
    data = report_json(reserve_db, "accuracy", "--weeks", "2", "--lead", "2")
    assert list(data) == ["as_of", "weeks", "lead", "currency", "scenarios", "windows",
                          "caveat", "closed_now", "unrated"]  # fmt: skip
    assert (data["as_of"], data["weeks"], data["lead"], data["currency"]) == (AS_OF, 2, 2, "EUR")
    assert data["unrated"] == ["USD"]  # Coastline's contracts: no USD rate
    assert "cannot be dated" in data["caveat"]
    # the 2 latest Mondays whose 2-week window ends by 11-24: 11-09 - 1 week, 11-09
    assert sorted({w["start"] for w in data["windows"]}) == ["2026-11-02", "2026-11-09"]
    assert {w["end"] for w in data["windows"]} == {"2026-11-16", "2026-11-23"}
    for w in data["windows"]:
        # payments in (11-02, 11-16] and (11-09, 11-23]: only Acme's 1500.00 on 11-12
        assert w["actual"] == "1500.00"
        assert D(w["error"]) == D(w["predicted"]) - D(w["actual"])
    assert [s["scenario"] for s in data["scenarios"]] == ["contractual", "expected", "pessimistic"]
    for s in data["scenarios"]:
        mine = [w for w in data["windows"] if w["scenario"] == s["scenario"]]
        errors = sum(abs(D(w["error"])) for w in mine)
        assert (s["windows"], s["actual"], D(s["abs_error"])) == (2, "3000.00", errors)
        assert D(s["predicted"]) == sum(D(w["predicted"]) for w in mine)
        assert s["wape"] == f"{(errors / D('3000.00')).quantize(D('0.0001'))}"
        assert s["bias"] == f"{((D(s['predicted']) - 3000) / 3000).quantize(D('0.0001'))}"
    lines = report(reserve_db, "accuracy", "table", "--weeks", "2", "--lead", "2").splitlines()
    assert lines[0].startswith("Forecast accuracy as of 2026-11-24: 2 window(s) of 2 week(s)")
    assert lines[2].split() == ["Scenario", "Windows", "Predicted", "Actual", "WAPE", "%",
                                "Bias", "%"]  # fmt: skip
    expected = next(ln for ln in lines if ln.startswith("expected")).split()
    shown = data["scenarios"][1]
    assert expected[:4] == ["expected", "2", f"{D(shown['predicted']):,.2f}", "3,000.00"]
    assert expected[4] == f"{(D(shown['wape']) * 100).quantize(D('0.1'))}%"
    assert any(ln.startswith("How to read it (expected): WAPE ") for ln in lines)
    assert data["caveat"] in lines
    rows = list(csv.DictReader(io.StringIO(report(reserve_db, "accuracy", "csv", "--weeks", "2",
                                                  "--lead", "2"))))  # fmt: skip
    assert rows == data["windows"]  # the CSV lists the windows, as the JSON does


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Etc/GMT+12"])
def test_as_of_today_and_relative_dates_are_the_books_today(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, zone: str
) -> None:
    """`--as-of today` and `+7d` count from today in the book's timezone, as the app does (the
    two zones are 26 hours apart: at any moment their dates differ from each other)."""
    import datetime as dt

    import pendulum

    from tui.store import Book

    db = tmp_path / "book.duckdb"
    assert run("import", str(SAMPLE), "--db", str(db)).exit_code == 0
    Book.open(db).save_settings({"timezone": zone})
    monkeypatch.delenv("MILEPAY_TODAY")
    today = pendulum.now(zone).date()
    got = report_json(db, "aging", as_of="today")["as_of"]
    week = report_json(db, "aging", as_of="+7d")["as_of"]
    assert got == today.isoformat()
    assert week == (today + dt.timedelta(days=7)).isoformat()
