"""Starter pilot (clause 1.6): a quota of homes a year per municipality (8 in Duiven, 6
in Westervoort) labelled 'starter priority', half by lottery and half by the offer
model; starters up to and including 27, at most two persons, income within the social
limit, rank first for them. Homes of at most two bedrooms under the rent cap qualify;
labels are paced over the year and alternate between the two channels."""

from __future__ import annotations

import math
from collections.abc import Callable

import numba
import numpy as np

from allocsim.config import PoliciesConfig, StarterPilotConfig
from allocsim.domain import Channel, Kind, Rule
from allocsim.policies.eligibility import Limits, above_income_limit
from allocsim.policies.ledger import Decision, Home, Ledger
from allocsim.policies.rule import EngineView, QuotaRow
from allocsim.policies.rule import Rule as Hooks


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


def label(
    home: Home,
    month: int,
    ledger: Ledger,
    sp: StarterPilotConfig,
    lottery_ok: Callable[[str], bool],
) -> tuple[Decision | None, bool]:
    """A starter label for a qualifying home while the paced quota allows, else None;
    and whether a label was displaced (only lottery labels were left and the cap
    refused them)."""
    if not sp.enabled:
        return None, False
    quota = sp.quota_per_year.get(home.municipality, 0)
    qualifies = home.bedrooms <= sp.max_bedrooms and home.rent_2021 <= sp.max_rent_2021 + 1e-9
    if not (qualifies and ledger.starter_labels < starter_paced_limit(quota, month, sp.pacing)):
        return None, False
    n_lot, n_off = starter_split(quota, sp.lottery_share, sp.odd_extra)
    # Alternate: the channel that has used the smaller part of its share goes next.
    lot_left = ledger.starter_lottery < n_lot
    off_left = ledger.starter_offer < n_off
    want_lottery = lot_left and (
        not off_left or ledger.starter_lottery * n_off <= ledger.starter_offer * n_lot
    )
    if want_lottery and lottery_ok("starter_pilot"):
        return Decision(Channel.LOTTERY, Rule.STARTER_PILOT, True, lottery_use="starter_pilot"), (
            False
        )
    if off_left:
        use = "starter_pilot" if want_lottery else None
        return Decision(Channel.OFFER, Rule.STARTER_PILOT, True, lottery_use=use), False
    return None, True


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


@numba.njit(cache=True, inline="always")
def in_group(
    kind: int,
    age: float,
    household: int,
    above_limit: bool,
    starter_kind: int,
    max_age: float,
    max_household: int,
) -> bool:  # pragma: no cover - compiled
    """`pilot_eligible` of one household, compiled (the label group's household side)."""
    return (
        kind == starter_kind
        and age < max_age + 1.0
        and household <= max_household
        and not above_limit
    )


class StarterPilot(Hooks):
    name = "starter_pilot"

    def quota_rows(
        self, eng: EngineView, year: int, muni: int, ledger: Ledger, policies: PoliciesConfig
    ) -> list[QuotaRow]:
        sp = policies.starter_pilot
        quota = sp.quota_per_year.get(eng.stock.municipalities[muni], 0) if sp.enabled else 0
        n_lot, n_off = starter_split(quota, sp.lottery_share, sp.odd_extra)
        nan = float("nan")
        return [
            (
                "starter_labels",
                quota,
                ledger.starter_labels,
                ledger.starter_labels + ledger.starter_displaced,
            ),
            ("starter_lottery", n_lot, ledger.starter_lottery, nan),
            ("starter_offer", n_off, ledger.starter_offer, nan),
        ]
