"""New build (clauses 1.2-1.4): a project's homes are first let at their completion date
through the project's own channel (`first_channel`), or by the usual rules; homes it
demolishes leave the stock a year before (the stock and the engine's schedule)."""

from __future__ import annotations

from collections.abc import Callable

from allocsim.domain import Channel, Rule
from allocsim.policies.ledger import Decision, Home


def first_letting(home: Home, lottery_ok: Callable[[str], bool]) -> Decision | None:
    """The channel of a new home's first letting where its project sets one, else None."""
    if home.first_channel == Channel.OFFER:
        return Decision(Channel.OFFER, Rule.NEW_BUILD)
    if home.first_channel == Channel.LOTTERY:
        channel = Channel.LOTTERY if lottery_ok("general") else Channel.OFFER
        return Decision(channel, Rule.NEW_BUILD, lottery_use="general")
    return None
