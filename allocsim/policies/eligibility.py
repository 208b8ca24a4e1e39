"""Who may rent which home: household size against bedrooms, income against rent.

Pure, vectorised over seekers (rows) and homes (columns). The 2022 limits come
from DOMAIN.md section 2 and are indexed for later years.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

import numba
import numpy as np

from allocsim.config import EligibilityConfig


@dataclass(frozen=True)
class Limits:
    """Income and rent limits of one calendar year, as arrays indexed by bedrooms."""

    min_household: np.ndarray  # index: bedrooms
    max_household: np.ndarray
    income_single: float
    income_multi: float
    allowance_single: float
    allowance_single_pension: float
    allowance_multi: float
    allowance_multi_pension: float
    rent_cap_small: float
    rent_cap_large: float
    pension_age: float

    @classmethod
    def for_year(cls, cfg: EligibilityConfig, year: int) -> Limits:
        f = (1.0 + cfg.limits_index_per_year) ** max(0, year - cfg.limits_year)
        lo = np.zeros(7, dtype=np.int16)
        hi = np.zeros(7, dtype=np.int16)
        for b in range(1, 7):
            lo[b] = cfg.min_household_by_bedrooms[b]
            hi[b] = cfg.max_household_by_bedrooms[b]
        return cls(
            min_household=lo,
            max_household=hi,
            income_single=cfg.income_limit_single * f,
            income_multi=cfg.income_limit_multi * f,
            allowance_single=cfg.allowance_limit_single * f,
            allowance_single_pension=cfg.allowance_limit_single_pension * f,
            allowance_multi=cfg.allowance_limit_multi * f,
            allowance_multi_pension=cfg.allowance_limit_multi_pension * f,
            rent_cap_small=cfg.rent_cap_small * f,
            rent_cap_large=cfg.rent_cap_large * f,
            pension_age=cfg.pension_age,
        )

    def terms(self) -> LimitTerms:
        """The same limits as plain numbers, for compiled code."""
        return LimitTerms(
            self.min_household.astype(np.int64),
            self.max_household.astype(np.int64),
            self.income_single,
            self.income_multi,
            self.allowance_single,
            self.allowance_single_pension,
            self.allowance_multi,
            self.allowance_multi_pension,
            self.rent_cap_small,
            self.rent_cap_large,
            self.pension_age,
        )


class LimitTerms(NamedTuple):
    """`Limits` for compiled code (model/): arrays indexed by bedrooms, then numbers."""

    min_household: np.ndarray
    max_household: np.ndarray
    income_single: float
    income_multi: float
    allowance_single: float
    allowance_single_pension: float
    allowance_multi: float
    allowance_multi_pension: float
    rent_cap_small: float
    rent_cap_large: float
    pension_age: float


@numba.njit(cache=True, inline="always")
def above_limit_one(household: int, income: float, lim: LimitTerms) -> bool:  # pragma: no cover
    """`above_income_limit` of one household, compiled."""
    return income > (lim.income_single if household <= 1 else lim.income_multi)


@numba.njit(cache=True, inline="always")
def allowance_limit_one(household: int, age: float, lim: LimitTerms) -> float:  # pragma: no cover
    """`allowance_limit` of one household, compiled."""
    if household <= 1:
        return lim.allowance_single_pension if age >= lim.pension_age else lim.allowance_single
    return lim.allowance_multi_pension if age >= lim.pension_age else lim.allowance_multi


def rent_factor(date: dt.date, increase_per_year: float, base_year: int = 2021) -> float:
    """Indexation of a rent at the base year's price level to `date`.

    Social rents change on 1 July; 2021 was a rent freeze, so a 2021 rent holds until
    30 June 2022 and rises by `increase_per_year` each 1 July from 2022 on.
    """
    n = date.year - base_year - (1 if date.month < 7 else 0)
    return (1.0 + increase_per_year) ** max(0, n)


def above_income_limit(household: np.ndarray, income: np.ndarray, lim: Limits) -> np.ndarray:
    """True where a household earns more than the DAEB target-group limit."""
    return income > np.where(household <= 1, lim.income_single, lim.income_multi)


def allowance_limit(household: np.ndarray, age: np.ndarray, lim: Limits) -> np.ndarray:
    """Rent-allowance income limit of each household (by size and pension age)."""
    pension = age >= lim.pension_age
    return np.where(
        household <= 1,
        np.where(pension, lim.allowance_single_pension, lim.allowance_single),
        np.where(pension, lim.allowance_multi_pension, lim.allowance_multi),
    )


def eligible_pairs(
    household: np.ndarray,
    income: np.ndarray,
    age: np.ndarray,
    bedrooms: np.ndarray,
    rent: np.ndarray,
    lim: Limits,
    allow_above_limit: np.ndarray | bool = False,
) -> np.ndarray:
    """Whether each household may rent the home paired with it (arrays broadcast).

    Household size within the bedrooms' limits; income within the DAEB limit unless
    the home may go above it (free allocation room, clause 4.10); households on
    rent allowance only up to their aftoppingsgrens (passend toewijzen); `rent` is the
    current (indexed) rent."""
    size_ok = (household >= lim.min_household[bedrooms]) & (
        household <= lim.max_household[bedrooms]
    )
    above, low_income, cap = household_terms(household, income, age, lim)
    return size_ok & pair_ok(above, low_income, cap, rent, allow_above_limit)


def household_terms(
    household: np.ndarray, income: np.ndarray, age: np.ndarray, lim: Limits
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What a household brings to every home it might rent: above the DAEB limit, on
    rent allowance (income within its aftoppingsgrens), and the rent cap that then holds."""
    above = above_income_limit(household, income, lim)
    low_income = income <= allowance_limit(household, age, lim)
    cap = np.where(household <= 2, lim.rent_cap_small, lim.rent_cap_large)
    return above, low_income, cap


def pair_ok(
    above: np.ndarray,
    low_income: np.ndarray,
    cap: np.ndarray,
    rent: np.ndarray,
    allow_above_limit: np.ndarray | bool = False,
) -> np.ndarray:
    """Income and rent rules of a (household, home) pair from `household_terms` (the size
    rule is the caller's: the response round's pairs already fit the bedrooms)."""
    return (~above | np.asarray(allow_above_limit)) & (~low_income | (rent <= cap))


def eligible(
    household: np.ndarray,
    income: np.ndarray,
    age: np.ndarray,
    bedrooms: np.ndarray,
    rent: np.ndarray,
    lim: Limits,
    allow_above_limit: np.ndarray | bool = False,
) -> np.ndarray:
    """Seekers (rows) x homes (columns) eligibility matrix (see `eligible_pairs`)."""
    return eligible_pairs(
        household[:, None],
        income[:, None],
        age[:, None],
        bedrooms[None, :],
        rent[None, :],
        lim,
        np.asarray(allow_above_limit)[None, ...],
    )
