"""Free allocation room (clause 4.10): at most 15% of a municipality's lettings in a year
may go to households above the DAEB income limit, used in the neighbourhoods the
agreement names for custom allocation and resilience (`neighbourhoods`, a reading).

An advert of a home there is open to incomes above the limit while the year's room
lasts (when it is published); if the room is used up by the time the advert closes,
responders above the limit are passed over (model/close.py)."""

from __future__ import annotations

import numpy as np

from allocsim.config import PoliciesConfig
from allocsim.policies.ledger import Ledger, cap_count
from allocsim.policies.rule import EngineView, QuotaRow
from allocsim.policies.rule import Rule as Hooks
from allocsim.world import Stock


def room_homes(policies: PoliciesConfig, stock: Stock) -> np.ndarray:
    """Homes in the neighbourhoods where the room is used (none if the rule is off)."""
    fr = policies.free_room
    hoods = set(fr.neighbourhoods) if fr.enabled else set()
    return np.isin(
        stock.neighbourhood, [i for i, name in enumerate(stock.neighbourhoods) if name in hoods]
    )


class FreeRoom(Hooks):
    name = "free_room"

    def prepare(self, policies: PoliciesConfig, stock: Stock) -> np.ndarray:
        return room_homes(policies, stock)

    def quota_rows(
        self, eng: EngineView, year: int, muni: int, ledger: Ledger, policies: PoliciesConfig
    ) -> list[QuotaRow]:
        fr = policies.free_room
        limit = cap_count(fr.cap_share, ledger.lettings) if fr.enabled else 0
        return [("free_room", limit, ledger.above_limit, ledger.above_limit)]
