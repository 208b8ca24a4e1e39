"""What the rules count: one municipality's year (`Ledger`), the home a labelling rule
sees (`Home`) and the channel it decides (`Decision`), and the running share cap that
several clauses use (`share_allows`)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from allocsim.domain import Channel, Rule

LOTTERY_USES = ("village_rule", "starter_pilot", "general")


@dataclass
class Ledger:
    """Bookkeeping of one municipality in one calendar year."""

    vacancies: int = 0  # vacated homes of the year, every channel
    lottery_granted: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LOTTERY_USES, 0))
    lottery_requested: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(LOTTERY_USES, 0)
    )
    starter_lottery: int = 0
    starter_offer: int = 0
    starter_displaced: int = 0
    direct: int = 0
    direct_refused_by_cap: int = 0
    lettings: int = 0  # lettings decided this year, every channel
    above_limit: int = 0  # of which to households above the income limit (free room)
    transformed: int = 0  # vacated homes that left social letting

    @classmethod
    def of_row(cls, row: np.ndarray) -> Ledger:
        """The ledger held as a row of counts (model/state.LEDGER_*)."""
        from allocsim.model import state as ms

        r = [int(x) for x in row]
        return cls(
            vacancies=r[ms.LEDGER_VACANCIES],
            lottery_granted={u: r[ms.LEDGER_GRANTED + k] for k, u in enumerate(LOTTERY_USES)},
            lottery_requested={u: r[ms.LEDGER_REQUESTED + k] for k, u in enumerate(LOTTERY_USES)},
            starter_lottery=r[ms.LEDGER_STARTER_LOTTERY],
            starter_offer=r[ms.LEDGER_STARTER_OFFER],
            starter_displaced=r[ms.LEDGER_STARTER_DISPLACED],
            direct=r[ms.LEDGER_DIRECT],
            direct_refused_by_cap=r[ms.LEDGER_DIRECT_REFUSED],
            lettings=r[ms.LEDGER_LETTINGS],
            above_limit=r[ms.LEDGER_ABOVE_LIMIT],
            transformed=r[ms.LEDGER_TRANSFORMED],
        )

    @property
    def lottery_total(self) -> int:
        return sum(self.lottery_granted.values())

    @property
    def starter_labels(self) -> int:
        return self.starter_lottery + self.starter_offer

    def record(self, decision: Decision) -> None:
        self.vacancies += 1
        if decision.lottery_use is not None:
            self.lottery_requested[decision.lottery_use] += 1
            if decision.channel == Channel.LOTTERY:
                self.lottery_granted[decision.lottery_use] += 1
        if decision.rule == Rule.STARTER_PILOT:
            if decision.channel == Channel.LOTTERY:
                self.starter_lottery += 1
            else:
                self.starter_offer += 1
        if decision.starter_displaced:
            self.starter_displaced += 1
        if decision.channel == Channel.DIRECT:
            self.direct += 1


@dataclass(frozen=True)
class Home:
    """What the labelling rules need to know of a vacant home."""

    municipality: str
    village: str
    bedrooms: int
    rent_2021: float
    senior_suitable: bool
    first_channel: int = -1  # a new-build project's first-letting channel; -1: the rules


@dataclass(frozen=True)
class Decision:
    channel: Channel
    rule: Rule
    starter_priority: bool = False
    senior_priority: bool = False
    lottery_use: str | None = None  # the lottery use that asked the cap, granted or not
    starter_displaced: bool = False


def share_allows(used: int, total: int, cap_share: float) -> bool:
    """Whether one more of `used` keeps it within `cap_share` of `total` + 1 (running cap).

    Used for the status holders' cap (1.13), the free allocation room (4.10) and
    neighbourhood caps (4.2, 4.3)."""
    return used + 1 <= cap_count(cap_share, total + 1)


def cap_count(cap_share: float, total: float) -> int:
    """The most a share `cap_share` of `total` allows: floor, forgiving rounding error."""
    return math.floor(cap_share * total + 1e-9)
