"""Which channel a vacancy goes to: the 2022 agreements' quotas and caps.

`label_vacancy` is a pure function of the home, the month and the municipality's
ledger for the year; the engine applies the returned decision to the ledger with
`Ledger.record`. Order of the rules (each clause in DOMAIN.md section 1):

1. status holders (1.13) are decided by the engine before this, since they need the
   queue of households; a direct allocation never reaches these rules;
2. starter pilot (1.6): a qualifying home gets a starter label while the paced
   quota allows, alternating lottery and offer model;
3. village rule (1.8): in Loo and Groessen senior-suitable homes go by offer
   model, the others by lottery;
4. general lottery: a share of the remaining homes, within the cap;
5. everything else: offer model.

Every lottery use asks the lottery cap (1.8 footnote) first; a refused lottery
falls back to the offer model and is counted as displaced.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from allocsim.config import PoliciesConfig, StarterPilotConfig
from allocsim.domain import Channel, Kind, Rule
from allocsim.policies.eligibility import Limits, above_income_limit

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


def lottery_allowed(
    ledger: Ledger, use: str, cap_share: float, precedence: tuple[str, ...], enabled: bool = True
) -> bool:
    """Whether one more lottery letting of `use` fits the cap on this year's vacancies.

    The cap is counted on vacancies so far, including the current one, so it is never
    exceeded at any moment of the year. Precedence: uses ranked above `use` count
    with every lottery they asked for, granted or not, so a lower use only takes room
    the higher ones did not claim.
    """
    if not enabled:
        return True
    room = math.floor(cap_share * (ledger.vacancies + 1) + 1e-9)  # as in share_allows
    if ledger.lottery_total + 1 > room:
        return False
    k = precedence.index(use)
    claimed = sum(ledger.lottery_requested[u] for u in precedence[:k])
    used = sum(ledger.lottery_granted[u] for u in precedence[k:])
    return claimed + used + 1 <= room


def starter_split(quota: int, lottery_share: float, odd_extra: str) -> tuple[int, int]:
    """(lottery, offer) labels of a quota; a half label goes where `odd_extra` says."""
    exact = quota * lottery_share
    n_lot = math.floor(exact + 1e-9)
    rest = exact - n_lot
    if rest > 1e-9 and (rest > 0.5 + 1e-9 or (abs(rest - 0.5) <= 1e-9 and odd_extra == "lottery")):
        n_lot += 1
    return n_lot, quota - n_lot


def starter_paced_limit(quota: int, month: int, pacing: str) -> int:
    """Labels allowed by the end of `month` (1-12)."""
    if pacing == "first_come":
        return quota
    return math.ceil(quota * month / 12 - 1e-9)


def label_vacancy(
    home: Home, month: int, ledger: Ledger, cfg: PoliciesConfig, u_general: float
) -> Decision:
    """Channel of an advertised vacancy; `u_general` is a uniform draw for the general share."""
    cap = cfg.lottery_cap
    cap_share = cap.cap_share.get(home.municipality, 1.0)

    def lottery_ok(use: str) -> bool:
        return lottery_allowed(ledger, use, cap_share, cap.precedence, cap.enabled)

    if home.first_channel == Channel.OFFER:
        return Decision(Channel.OFFER, Rule.NEW_BUILD)
    if home.first_channel == Channel.LOTTERY:
        channel = Channel.LOTTERY if lottery_ok("general") else Channel.OFFER
        return Decision(channel, Rule.NEW_BUILD, lottery_use="general")

    sp = cfg.starter_pilot
    displaced = False
    if sp.enabled:
        quota = sp.quota_per_year.get(home.municipality, 0)
        qualifies = home.bedrooms <= sp.max_bedrooms and home.rent_2021 <= sp.max_rent_2021 + 1e-9
        if qualifies and ledger.starter_labels < starter_paced_limit(quota, month, sp.pacing):
            n_lot, n_off = starter_split(quota, sp.lottery_share, sp.odd_extra)
            # Alternate: the channel that has used the smaller part of its share goes next.
            lot_left = ledger.starter_lottery < n_lot
            off_left = ledger.starter_offer < n_off
            want_lottery = lot_left and (
                not off_left or ledger.starter_lottery * n_off <= ledger.starter_offer * n_lot
            )
            if want_lottery and lottery_ok("starter_pilot"):
                return Decision(
                    Channel.LOTTERY, Rule.STARTER_PILOT, True, lottery_use="starter_pilot"
                )
            if off_left:
                use = "starter_pilot" if want_lottery else None
                return Decision(Channel.OFFER, Rule.STARTER_PILOT, True, lottery_use=use)
            displaced = True  # only lottery labels were left and the cap refused them

    vr = cfg.village_rule
    if vr.enabled and home.village in vr.villages:
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

    share = cfg.general_lottery.share.get(home.municipality, 0.0)
    if u_general < share:
        channel = Channel.LOTTERY if lottery_ok("general") else Channel.OFFER
        return Decision(channel, Rule.GENERAL, lottery_use="general", starter_displaced=displaced)
    return Decision(Channel.OFFER, Rule.GENERAL, starter_displaced=displaced)


def direct_allowed(ledger: Ledger, cap_share: float) -> bool:
    """Whether one more direct allocation to status holders fits 10% of vacancies so far."""
    return share_allows(ledger.direct, ledger.vacancies, cap_share)


def share_allows(used: int, total: int, cap_share: float) -> bool:
    """Whether one more of `used` keeps it within `cap_share` of `total` + 1 (running cap).

    Used for the free allocation room (4.10) and neighbourhood caps (4.2, 4.3)."""
    return used + 1 <= math.floor(cap_share * (total + 1) + 1e-9)


def pilot_eligible(
    kind: np.ndarray,
    age: np.ndarray,
    household: np.ndarray,
    income: np.ndarray,
    lim: Limits,
    sp: StarterPilotConfig,
) -> np.ndarray:
    """Seekers who get the starter pilot's priority (1.6): starters (no rented home left
    behind) up to and including `max_age`, at most `max_household` persons, income
    within the social-rent limit."""
    return (
        (kind == Kind.STARTER)
        & (age < sp.max_age + 1.0)  # "up to and including 27": before the 28th birthday
        & (household <= sp.max_household)
        & ~above_income_limit(household, income, lim)
    )


def priority_classes(urgent: np.ndarray, label_priority: np.ndarray) -> np.ndarray:
    """Priority class of each responder: 0 the advert's label group (starters on a pilot
    home, seniors under the village option), 1 urgent, 2 everyone else."""
    return np.where(label_priority, 0, np.where(urgent, 1, 2)).astype(np.int8)
