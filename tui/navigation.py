"""Going from one place in the app to a main screen with something to do there on arrival.

A screen, a dialog or the command palette posts :class:`Navigate` to the app instead of
switching modes and calling methods of another screen itself: the app switches to the screen
and hands it the :class:`Arrival` once its data is shown (``ListScreen.arrive``). Nothing here
imports a screen, so widgets and modals may use it.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass(frozen=True)
class Arrival:
    """What to do on the screen navigated to (all optional)."""

    #: filter the list by this text (as typed after ``/``)
    filter: str | None = None
    #: milestones: show this contract's milestones, all of them (id, title)
    contract: tuple[int, str] | None = None
    #: contracts: open the new-contract form for this client id
    new_contract_for: int | None = None
    #: milestones: open the payment form of this milestone id
    pay_milestone: int | None = None
    #: milestones: show only the work to invoice (past its date, never invoiced)
    to_invoice: bool = False


class Navigate(Message):
    """Show the main screen ``mode`` and do ``arrival`` there."""

    def __init__(self, mode: str, arrival: Arrival | None = None) -> None:
        super().__init__()
        self.mode = mode
        self.arrival = arrival or Arrival()
