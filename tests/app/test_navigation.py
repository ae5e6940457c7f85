"""Going from one screen to another with something to do there (the Navigate message).

Screens and the palette post ``Navigate``; the app switches screens and hands the screen its
``Arrival`` once the data is shown. Each case is driven by keys and checked on the screen.
"""

from __future__ import annotations

from decimal import Decimal

from tui.domain import Client, Contract, Milestone
from tui.modals.contract_form import ContractForm
from tui.screens.contracts import ContractsScreen
from tui.screens.milestones import MilestonesScreen

from .helpers import press, settle


def _two_clients(book) -> None:
    """Acme with one contract of two milestones, Zed Works with one of one."""
    for name, title, amounts in (
        ("Acme", "Site", ("300.00", "700.00")),
        ("Zed Works", "App", ("50.00",)),
    ):
        cid = book.add_client(Client.parse({"name": name}))
        contract = Contract.parse({"title": title, "currency": "EUR",
                                   "total_fee": str(sum(Decimal(a) for a in amounts))})  # fmt: skip
        milestones = [Milestone.parse({"seq": str(i), "title": f"{title} {i}", "amount": a,
                                       "due_date": f"2026-12-0{i}"})
                      for i, a in enumerate(amounts, 1)]  # fmt: skip
        book.add_contract(cid, contract, milestones)


async def test_enter_on_a_client_shows_its_contracts_only(app, book) -> None:
    """2, down (Zed Works), Enter: the contracts screen filtered to Zed Works' contract."""
    _two_clients(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "2", "down", "enter")
        screen = app.screen
        assert isinstance(screen, ContractsScreen)
        assert screen.table.row_count == 1
        assert [str(c) for c in screen.table.get_row_at(0)][:2] == ["Zed Works", "App"]


async def test_t_on_a_client_opens_a_new_contract_for_it(app, book) -> None:
    """2, t on Acme: the contract form over the contracts screen, the client already chosen."""
    _two_clients(book)
    acme = next(c["id"] for c in book.rows("clients") if c["name"] == "Acme")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "2", "t")
        assert isinstance(app.screen, ContractForm)
        assert app.screen.values()["client"] == str(acme)
        await press(pilot, "escape")
        assert isinstance(app.screen, ContractsScreen)


async def test_enter_on_a_contract_shows_its_milestones(app, book) -> None:
    """3, Enter on App: the milestones screen showing App's one milestone."""
    _two_clients(book)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "3")
        titles = [str(app.screen.table.get_row_at(i)[1]) for i in range(app.screen.table.row_count)]
        await press(pilot, *["down"] * titles.index("App"), "enter")
        screen = app.screen
        assert isinstance(screen, MilestonesScreen)
        assert screen.table.row_count == 1
        assert "App 1" in str(screen.table.get_row_at(0)[1])
