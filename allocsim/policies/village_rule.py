"""Village rule (clause 1.8): in Loo and Groessen senior-suitable homes go by the offer
model, the other homes by lottery (within the cap). With `senior_priority_age` set,
households of that age rank first for those senior-suitable homes (an option; the
agreement does not say it)."""

from __future__ import annotations

from collections.abc import Callable

import numba

from allocsim.config import VillageRuleConfig
from allocsim.domain import Channel, Rule
from allocsim.policies.ledger import Decision, Home
from allocsim.policies.rule import Rule as Hooks


def label(
    home: Home, vr: VillageRuleConfig, lottery_ok: Callable[[str], bool], displaced: bool
) -> Decision | None:
    """The channel of a home in one of the rule's villages, else None."""
    if not (vr.enabled and home.village in vr.villages):
        return None
    if home.senior_suitable:
        return Decision(
            Channel.OFFER,
            Rule.VILLAGE_RULE,
            senior_priority=vr.senior_priority_age is not None,
            starter_displaced=displaced,
        )
    channel = Channel.LOTTERY if lottery_ok("village_rule") else Channel.OFFER
    return Decision(
        channel, Rule.VILLAGE_RULE, lottery_use="village_rule", starter_displaced=displaced
    )


@numba.njit(cache=True, inline="always")
def in_group(age: float, senior_age: float) -> bool:  # pragma: no cover - compiled
    """The label group's household side: of `senior_priority_age` (NaN: none is)."""
    return age >= senior_age


class VillageRule(Hooks):
    name = "village_rule"
