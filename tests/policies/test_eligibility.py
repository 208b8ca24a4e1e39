"""Passend toewijzen and household size rules, 2022 limits."""

from __future__ import annotations

import datetime as dt

import numpy as np

from allocsim.config import EligibilityConfig
from allocsim.policies.custom_rules import in_group as custom_in_group
from allocsim.policies.eligibility import Limits, eligible, rent_factor

LIM = Limits.for_year(EligibilityConfig(), 2022)


def test_hand_made_cases() -> None:
    # single low income; couple low income; family of 4; single high; single at the limit
    household = np.array([1, 2, 4, 1, 1])
    income = np.array([20_000.0, 30_000.0, 42_000.0, 50_000.0, 40_765.0])
    age = np.array([30.0, 70.0, 40.0, 30.0, 30.0])
    bedrooms = np.array([1, 3, 2])
    rent = np.array([600.0, 650.0, 640.0])
    got = eligible(household, income, age, bedrooms, rent, LIM)
    expected = np.array(
        [
            [True, False, False],  # 3 bedrooms need 2+ persons; low income single: rent <= 633.25
            [True, False, False],  # couple at pension age under 32,550: rent cap 633.25
            [False, True, True],  # 4 persons need 2+ bedrooms; above allowance: no rent cap
            [False, False, False],  # above the DAEB limit
            [True, False, True],  # at the limit is within it; above allowance limit
        ]
    )
    assert got.tolist() == expected.tolist()


def test_free_allocation_room_admits_higher_incomes() -> None:
    got = eligible(
        np.array([1]),
        np.array([50_000.0]),
        np.array([30.0]),
        np.array([1, 1]),
        np.array([600.0, 600.0]),
        LIM,
        allow_above_limit=np.array([False, True]),
    )
    assert got.tolist() == [[False, True]]


def test_custom_rule_group_is_strictly_above_the_allowance_limit() -> None:
    """A neighbourhood's custom rule is for incomes above the rent-allowance limit: a
    household exactly at the limit is not in its group."""
    assert custom_in_group(30_001.0, 30_000.0)
    assert not custom_in_group(30_000.0, 30_000.0)


def test_rent_indexation_follows_july() -> None:
    assert rent_factor(dt.date(2022, 6, 30), 0.033) == 1.0
    assert rent_factor(dt.date(2022, 7, 1), 0.033) == 1.033
    assert abs(rent_factor(dt.date(2024, 1, 1), 0.033) - 1.033**2) < 1e-12
