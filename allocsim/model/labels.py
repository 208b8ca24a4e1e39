"""The rules' label groups in compiled code: which household ranks first for which advert.

A rule with a label group has an advert side (one bool per advert, a row of
`label_terms`, set by model/week._label_side from the home's labels and the rules in
force) and a household side, a compiled `in_group` in the rule's own module; a
household is in an advert's group where both sides hold for one rule. Rows: 0 starter
pilot (1.6), 1 the village rule's senior option (1.8), 2 custom allocation above the
rent-allowance limit (4.2, 4.3).
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from allocsim.policies import custom_rules, starter_pilot, village_rule
from allocsim.policies.eligibility import LimitTerms, above_limit_one, allowance_limit_one

N_ROWS = 3


class LabelRules(NamedTuple):
    """The household side's settings, from the policies in force."""

    starter_kind: int  # Kind.STARTER
    starter_max_age: float  # 1.6: up to and including this age
    starter_max_household: int
    senior_age: float  # 1.8 option; NaN: off


@numba.njit(cache=True, inline="always")
def household_groups(
    kind: int,
    age: float,
    household: int,
    income: float,
    lim: LimitTerms,
    rules: LabelRules,
) -> int:  # pragma: no cover - compiled
    """The household side of each rule's label group, as bits (bit r: row r)."""
    out = 0
    if starter_pilot.in_group(
        kind,
        age,
        household,
        above_limit_one(household, income, lim),
        rules.starter_kind,
        rules.starter_max_age,
        rules.starter_max_household,
    ):
        out |= 1
    if village_rule.in_group(age, rules.senior_age):
        out |= 2
    if custom_rules.in_group(income, allowance_limit_one(household, age, lim)):
        out |= 4
    return out


@numba.njit(cache=True, inline="always")
def advert_groups(terms: np.ndarray, a: int) -> int:  # pragma: no cover - compiled
    """The advert side of each rule's label group, as bits (bit r: row r of `terms`)."""
    out = 0
    for r in range(N_ROWS):
        if terms[r, a]:
            out |= 1 << r
    return out


@numba.njit(cache=True)
def in_label_group(
    terms: np.ndarray,
    a: int,
    kind: int,
    age: float,
    household: int,
    income: float,
    lim: LimitTerms,
    rules: LabelRules,
) -> bool:  # pragma: no cover - compiled
    """Whether the household is in advert `a`'s label group under any rule (`terms`:
    bool rows x adverts, the advert sides): both sides hold for one rule."""
    sides = household_groups(kind, age, household, income, lim, rules)
    return (sides & advert_groups(terms, a)) != 0
