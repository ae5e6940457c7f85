"""The audit log and undo (issue 13, SPEC 3): every write recorded in its own transaction, and
any action one undo away, restoring the rows exactly.

The property test drives random sequences of the store's writes on a small book, keeps the
whole book as it was before each write, then undoes them one by one: after each undo the book
must equal, row for row and value for value, what it was before that write.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.cli import main
from tui.domain import (
    ChaseEvent,
    Client,
    Contact,
    Contract,
    Expense,
    Hold,
    Milestone,
    Payment,
    RefusedError,
)
from tui.domain.errors import MilepayError
from tui.store import Book
from tui.store.files import private_umask
from tui.store.schema import TABLES

D = Decimal
day = dt.date


def dump(book: Book) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of the book, every row, sorted."""
    with book.reading() as con:
        return {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in TABLES}


def seeded(book: Book) -> dict[str, int]:
    """Acme with a contact, a contract with two milestones (one invoiced), a payment."""
    cid = book.add_client(Client(name="Acme", email="ap@acme.example"),
                          [Contact(name="Ann", role="main")])  # fmt: skip
    kid = book.add_contract(
        cid,
        Contract(title="Site", currency="EUR", total_fee=D("3000.00")),
        [
            Milestone(seq=1, title="Design", amount=D("1000.00"), due_date=day(2026, 10, 1),
                      status="invoiced", invoice_no="A-1", invoiced_on=day(2026, 9, 1)),
            Milestone(seq=2, title="Build", amount=D("2000.00"), due_date=day(2026, 12, 1)),
        ],
    )  # fmt: skip
    m1, m2 = (r["id"] for r in book.rows("milestones", "contract_id = ?", [kid]))
    book.record_payment(m1, Payment(amount=D("400.00"), received_on=day(2026, 10, 5)))
    return {"client": cid, "contract": kid, "m1": m1, "m2": m2}


# ---- one entry per write ---------------------------------------------------------------------


def test_each_write_is_one_entry_with_who_when_and_the_rows(book: Book) -> None:
    ids = seeded(book)
    log = book.audit_log()
    assert [e["action"] for e in log] == ["record_payment", "add_contract", "add_client"]
    pay = log[0]
    assert pay["user_name"] and pay["host"] and pay["undoes"] is None
    assert pay["summary"] == "payments: 1 added"
    [change] = json.loads(pay["changes"])
    assert change["table"] == "payments" and change["before"] is None
    assert change["after"]["amount"] == {"$dec": "400.00"}
    assert change["after"]["received_on"] == {"$date": "2026-10-05"}
    # a refused write leaves neither rows nor an entry
    with pytest.raises(RefusedError):
        book.record_payment(ids["m1"], Payment(amount=D("700.00"), received_on=day(2026, 10, 6)))
    assert len(book.audit_log()) == 3
    # a write that changes nothing is not logged
    book.release_hold(ids["m1"], day(2026, 11, 1))
    assert len(book.audit_log()) == 3


def test_undo_twice_undoes_two_actions_and_never_redoes(book: Book) -> None:
    ids = seeded(book)
    before_payment = dump(book)
    book.update_client(ids["client"], Client(name="Acme Ltd", email="ap@acme.example"))
    renamed = dump(book)
    book.log_chase(ids["m1"], ChaseEvent(date=day(2026, 10, 20), step="reminder"))
    plan = book.undo_plan()
    assert plan.entry["action"] == "log_chase"
    assert plan.describe()[0].startswith("remove the chase step #")
    book.undo(plan.entry["id"])
    assert dump(book) == renamed
    book.undo()
    assert dump(book) != renamed and book.rows("clients")[0]["name"] == "Acme"
    assert dump(book) == before_payment
    log = book.audit_log(3)
    assert [e["action"] for e in log] == ["undo", "undo", "log_chase"]
    assert log[0]["undoes"] == log[2]["id"] - 1 and log[1]["undoes"] == log[2]["id"]
    assert log[0]["summary"].startswith("undid #") and "update client" in log[0]["summary"]


def test_undo_refuses_a_row_changed_since_and_a_stale_plan(book: Book) -> None:
    ids = seeded(book)
    book.update_client(ids["client"], Client(name="Acme Ltd"))
    shown = book.undo_plan().entry["id"]
    with book.writing() as con:  # another program changes the row without milepay's log
        con.execute("UPDATE clients SET notes = 'changed elsewhere' WHERE id = ?", [ids["client"]])
    with pytest.raises(RefusedError, match="was changed again since"):
        book.undo()
    assert book.rows("clients")[0]["name"] == "Acme Ltd"
    book.set_exchange_rate("GBP", D("1.17"))
    with pytest.raises(RefusedError, match="the book changed since the undo was shown"):
        book.undo(shown)
    assert book.rows("exchange_rates")[0]["currency"] == "GBP"


def test_nothing_to_undo(book: Book) -> None:
    with pytest.raises(RefusedError, match="nothing to undo"):
        book.undo()


def test_an_import_is_one_entry_and_undoing_it_removes_its_rows(book: Book, tmp_path: Path) -> None:
    from tui.store.exchange import import_folder

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "clients.csv").write_text("name\nAcme\nGlobex\n", encoding="utf-8")
    (folder / "contracts.csv").write_text(
        "client,title,currency,total_fee\nAcme,Site,EUR,100.00\n", encoding="utf-8"
    )
    empty = dump(book)
    import_folder(book, folder)
    [entry] = book.audit_log()
    assert (
        entry["action"] == "import" and entry["summary"] == "clients: 2 added; contracts: 1 added"
    )
    book.undo()
    assert dump(book) == empty


# ---- the property: any sequence of writes, undone one by one ---------------------------------

OPS = (
    "rename", "contact", "remove_contact", "pay", "edit_milestone", "chase", "hold", "release",
    "setting", "rate", "template", "expense", "remove_expense", "delete_milestone", "archive",
    "contract",
)  # fmt: skip


def _apply(book: Book, op: str, ids: dict[str, int], n: int) -> None:
    """One write of the kind ``op`` (refusals count as no write)."""
    m = ids["m2"] if n % 2 else ids["m1"]
    try:
        if op == "rename":
            book.update_client(ids["client"], Client(name=f"Acme {n}", notes=f"note {n}"))
        elif op == "contact":
            book.add_contact(ids["client"], Contact(name=f"C{n}", role="payer"))
        elif op == "remove_contact":
            rows = book.rows("contacts")
            if rows:
                book.remove_contact(rows[-1]["id"])
        elif op == "pay":
            book.record_payment(m, Payment(amount=D(f"{n + 1}.25"), received_on=day(2026, 11, 1)))
        elif op == "edit_milestone":
            row = book.get("milestones", m)
            values = {k: ("" if v is None else str(v)) for k, v in row.items()}
            book.update_milestone(
                m, Milestone.parse({**values, "title": f"T{n}", "progress": "50"})
            )
        elif op == "chase":
            book.log_chase(m, ChaseEvent(date=day(2026, 11, 1 + n % 20), step="reminder"))
        elif op == "hold":
            book.put_on_hold(m, Hold(reason=f"r{n}", until=day(2026, 12, 20)), on=day(2026, 11, 2))
        elif op == "release":
            book.release_hold(m, day(2026, 11, 3))
        elif op == "setting":
            book.save_settings({"business_name": f"Studio {n}", "min_gap_days": str(n % 9)})
        elif op == "rate":
            book.set_exchange_rate("GBP", None if n % 3 == 0 else D(f"1.{n + 10}"))
        elif op == "template":
            book.set_template("firm", f"S{n}", f"Body {n}\n$items")
        elif op == "expense":
            book.add_expense(Expense(name=f"E{n}", amount=D("10.00"), currency="EUR",
                                     cadence="monthly", next_date=day(2026, 12, 1)))  # fmt: skip
        elif op == "remove_expense":
            rows = book.rows("expenses")
            if rows:
                book.remove_expense(rows[0]["id"])
        elif op == "delete_milestone":
            book.delete_milestone(ids["m2"])
        elif op == "contract":  # a contract and its schedule: undone in two transactions
            book.add_contract(ids["client"], Contract(title=f"K{n}", currency="EUR",
                                                      total_fee=D("500.00")),
                              [Milestone(seq=0, title="Deposit", amount=D("500.00"),
                                         due_date=day(2026, 12, 1))])  # fmt: skip
        elif op == "archive":
            book.set_client_archived(ids["client"], n % 2 == 0)
    except MilepayError:  # refused (e.g. a milestone deleted earlier): no write
        pass


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """The seeded book, written once; each example works on a private copy."""
    path = tmp_path_factory.mktemp("audit") / "seeded.duckdb"
    book = Book.open(path)
    ids = seeded(book)
    book.close() if hasattr(book, "close") else None
    return path, ids


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=st.lists(st.sampled_from(OPS), min_size=1, max_size=8))
def test_undo_after_any_sequence_restores_each_state_exactly(
    ops: list[str], seeded_template: tuple[Path, dict[str, int]], tmp_path: Path
) -> None:
    source, ids = seeded_template
    path = tmp_path / f"b{abs(hash(tuple(ops)))}.duckdb"
    with private_umask():
        shutil.copyfile(source, path)
    book = Book.open(path)
    states = []
    before = dump(book)
    for n, op in enumerate(ops):
        last = book.audit_log(1)[0]["id"]
        _apply(book, op, ids, n)
        if book.audit_log(1)[0]["id"] != last:  # a write that happened (refused ones are not)
            states.append(before)
            before = dump(book)
    for before in reversed(states):
        book.undo()
        assert dump(book) == before
    path.unlink()


# ---- the command line ------------------------------------------------------------------------


def test_log_and_undo_from_the_command_line(book: Book) -> None:
    seeded(book)
    runner = CliRunner()
    listed = runner.invoke(main, ["log", "--db", str(book.path)])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert len(lines) == 3 and "record payment: payments: 1 added" in lines[0]
    refused = runner.invoke(main, ["undo", "--db", str(book.path)])  # no terminal, no --yes
    assert refused.exit_code == 1 and "add --yes" in refused.output
    assert len(book.rows("payments")) == 1
    done = runner.invoke(main, ["undo", "--db", str(book.path), "--yes"])
    assert done.exit_code == 0, done.output
    assert (
        "Undo #3 record payment" in done.output
        and "remove the payment #1: amount 400.00, received on 2026-10-05" in done.output
    )
    assert book.rows("payments") == []
    again = runner.invoke(main, ["log", "--db", str(book.path), "--format", "json"])
    entries = json.loads(again.output)
    assert entries[0]["action"] == "undo" and entries[0]["undoes"] == 3
    assert entries[1]["undone_by"] == entries[0]["id"]
