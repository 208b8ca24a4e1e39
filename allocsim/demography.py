"""People who age and leave: death, moves into care, and moving away, by age.

A household's age is its head's (`birth_day`). When a household is created it draws,
once and keyed by its own key, the day it will leave for a demographic reason: each
person's death and move into care from the life tables, conditional on being alive at
the household's present age, and the household's leaving the region or the social
sector (`moving_away`). A couple (`couple_share` of the households of two or more) is
two lives of the head's age, and leaves by death or care with its last partner; a
household leaves at the first of that and moving away. A household drawn anew later in
its life (a replication that starts from a pilot's state) is drawn conditional on what is
known: that it is still there, since the day its exit was first drawn (`since`); a couple
then has both partners with the chance `couple_now`. Registered households leave the
list in that week (status holders, housed directly within months, aside); a tenant's home
falls vacant on that day, or earlier at the dwelling type's remaining, non-demographic
turnover hazard. Nobody outlives `omega_age`.

Pure functions of arrays; `Demography.exits` is the one place the draws are read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum

import numba
import numpy as np

from allocsim import keyed
from allocsim.config import AgeTable, DemographyConfig
from allocsim.domain import DAYS_PER_YEAR


class Exit(IntEnum):
    """Why a household leaves (the list or its home); NONE: not for demography."""

    NONE = 0
    DEATH = 1
    CARE = 2
    MOVED_AWAY = 3


EXIT_LABELS = ("other", "death", "care", "moved_away")
# Components of a household's exit draw (the last key of its keyed exponentials).
_DEATH_1, _CARE_1, _DEATH_2, _CARE_2, _MOVE, _COUPLE = range(6)


def yearly_hazards(table: AgeTable, omega: float, probability: bool = False) -> np.ndarray:
    """Hazard per year of age for ages 0 .. ceil(omega) - 1: log-linear between the table's
    ages, constant before the first and after the last. A probability of leaving within the
    year (q) becomes the hazard -log(1 - q)."""
    ages = np.array(list(table), dtype=float)
    values = np.array(list(table.values()), dtype=float)
    if probability:
        values = -np.log1p(-np.minimum(values, 1.0 - 1e-12))
    grid = np.arange(int(np.ceil(omega))) + 0.5
    floor = 1e-12  # log of zero: a hazard that is zero stays (numerically) zero
    return np.exp(np.interp(grid, ages + 0.5, np.log(np.maximum(values, floor))))


def _cumulative(hazard: np.ndarray) -> np.ndarray:
    """Cumulative hazard at whole ages 0 .. len(hazard)."""
    return np.r_[0.0, np.cumsum(hazard)]


def _invert(cum: np.ndarray, age: np.ndarray, draw: np.ndarray) -> np.ndarray:
    """The age at which the cumulative hazard has grown by `draw` (a standard exponential)
    from `age`; inf where it never does before the table's end."""
    grid = np.arange(cum.size, dtype=float)
    target = np.interp(age, grid, cum) + draw
    out = np.interp(target, cum, grid)
    return np.where(target > cum[-1], np.inf, np.maximum(out, age))


@dataclass(frozen=True)
class Demography:
    """The life tables of a scenario, as cumulative hazards at whole ages."""

    death: np.ndarray
    care: np.ndarray
    moving_away: np.ndarray
    couple_share: float
    omega: float

    @classmethod
    def of(cls, cfg: DemographyConfig) -> Demography:
        omega = cfg.omega_age
        return cls(
            death=_cumulative(yearly_hazards(cfg.death_probability, omega, probability=True)),
            care=_cumulative(yearly_hazards(cfg.care_per_year, omega)),
            moving_away=_cumulative(
                cfg.moving_away_scale * yearly_hazards(cfg.moving_away_per_year, omega)
            ),
            couple_share=cfg.couple_share,
            omega=omega,
        )

    def person_exit(
        self, age: np.ndarray, e_death: np.ndarray, e_care: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(age, reason) at which one person of `age` dies or moves into care."""
        death = np.minimum(_invert(self.death, age, e_death), self.omega)
        care = _invert(self.care, age, e_care)
        return np.minimum(death, care), np.where(care < death, Exit.CARE, Exit.DEATH)

    def exit_ages(
        self, age: np.ndarray, couple: np.ndarray, draws: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Age of the head at which each household leaves, and why (Exit codes).

        `draws[:, k]` are standard exponentials, k in (death 1, care 1, death 2, care 2,
        moving away); the second person's count only for couples."""
        age = np.minimum(np.asarray(age, dtype=float), self.omega)
        first, why = self.person_exit(age, draws[:, _DEATH_1], draws[:, _CARE_1])
        second, why2 = self.person_exit(age, draws[:, _DEATH_2], draws[:, _CARE_2])
        later = couple & (second > first)
        last = np.where(later, second, first)
        reason = np.where(later, why2, why)
        away = _invert(self.moving_away, age, draws[:, _MOVE])
        moved = away < last
        return np.where(moved, away, last), np.where(moved, Exit.MOVED_AWAY, reason).astype(np.int8)

    def couple_now(self, age_since: np.ndarray, age: np.ndarray) -> np.ndarray:
        """Chance that a household of two or more is a couple with both partners alive at
        `age`, given that it was there at `age_since` with all its members and is still
        there: couple_share c, one partner's survival S (death and care) from
        `age_since`: c S^2 / (c (1 - (1 - S)^2) + (1 - c) S). Equal to c where the two
        ages are equal."""
        c = self.couple_share
        grid = np.arange(self.death.size, dtype=float)
        lost = (
            np.interp(age, grid, self.death)
            - np.interp(age_since, grid, self.death)
            + np.interp(age, grid, self.care)
            - np.interp(age_since, grid, self.care)
        )
        s = np.exp(-lost)
        return np.where(age_since < age, c * s / (c * (2.0 - s) + (1.0 - c)), c)

    def exits(
        self,
        stream: int,
        keys: np.ndarray,
        birth_day: np.ndarray,
        now: np.ndarray | float,
        household_size: np.ndarray,
        since: np.ndarray | float | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """(day, reason) of each household's demographic exit, keyed by its key: the same
        household gets the same exit whatever the policies or the order of events. The
        household is alive on `now`; with `since` (a day before `now`), it is known to
        have been there with all its members since then (`couple_now`)."""
        u64 = np.atleast_1d(keyed.as_u64(np.asarray(keys)))
        birth = np.asarray(birth_day, dtype=np.float64)
        days = np.broadcast_to(np.asarray(now, dtype=np.float64), birth.shape)
        return _exits(
            self.death,
            self.care,
            self.moving_away,
            self.couple_share,
            self.omega,
            np.uint64(stream & keyed.MASK),
            u64,
            birth,
            days,
            days if since is None else np.broadcast_to(np.asarray(since, np.float64), birth.shape),
            np.asarray(household_size, dtype=np.int64),
        )

    def exits_numpy(
        self,
        stream: int,
        keys: np.ndarray,
        birth_day: np.ndarray,
        now: np.ndarray | float,
        household_size: np.ndarray,
        since: np.ndarray | float | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """`exits` in numpy, step by step (`exit_ages`): the reference the compiled
        `exits` is tested against, bit for bit."""
        keys = np.asarray(keys)
        draws = keyed.exponential(stream, keys[:, None], np.arange(_COUPLE))
        age = np.minimum((np.asarray(now) - birth_day) / DAYS_PER_YEAR, self.omega)
        chance = np.broadcast_to(np.float64(self.couple_share), np.shape(age))
        if since is not None:
            age_since = np.minimum((np.asarray(since) - birth_day) / DAYS_PER_YEAR, self.omega)
            chance = self.couple_now(age_since, age)
        couple = (np.asarray(household_size) >= 2) & (keyed.uniform(stream, keys, _COUPLE) < chance)
        exit_age, reason = self.exit_ages(age, couple, draws.reshape(keys.size, _COUPLE))
        return birth_day + exit_age * DAYS_PER_YEAR, reason

    def survival(self, table: str, age_from: float, age_to: float) -> float:
        """Chance of one person surviving one cause from `age_from` to `age_to`."""
        cum = getattr(self, table)
        grid = np.arange(cum.size, dtype=float)
        return float(np.exp(-(np.interp(age_to, grid, cum) - np.interp(age_from, grid, cum))))


_DEATH, _CARE, _MOVED_AWAY = int(Exit.DEATH), int(Exit.CARE), int(Exit.MOVED_AWAY)


@numba.njit(cache=True)
def _interp(x: float, xp: np.ndarray, fp: np.ndarray) -> float:  # pragma: no cover - compiled
    """np.interp for one x (increasing xp), step for step as numpy computes it."""
    n = xp.size
    if x < xp[0]:
        return fp[0]
    if x > xp[n - 1]:
        return fp[n - 1]
    lo, hi = 0, n  # the last j with xp[j] <= x
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if xp[mid] <= x:
            lo = mid
        else:
            hi = mid
    j = lo
    if j == n - 1 or xp[j] == x:
        return fp[j]
    slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j])
    out = slope * (x - xp[j]) + fp[j]
    if np.isnan(out):
        out = slope * (x - xp[j + 1]) + fp[j + 1]
        if np.isnan(out) and fp[j] == fp[j + 1]:
            out = fp[j]
    return out


@numba.njit(cache=True)
def _invert_one(cum: np.ndarray, grid: np.ndarray, age: float, draw: float) -> float:
    """`_invert` for one household."""  # pragma: no cover - compiled
    target = _interp(age, grid, cum) + draw
    if target > cum[-1]:
        return np.inf
    return max(_interp(target, cum, grid), age)


@numba.njit(cache=True)
def _exits(
    death: np.ndarray,
    care: np.ndarray,
    moving_away: np.ndarray,
    couple_share: float,
    omega: float,
    stream: np.uint64,
    keys: np.ndarray,
    birth_day: np.ndarray,
    now: np.ndarray,
    since: np.ndarray,
    household_size: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """`Demography.exits_numpy`, compiled: the same operations, one household at a time."""
    n = keys.size
    grid_d = np.arange(death.size) * 1.0
    grid_c = np.arange(care.size) * 1.0
    grid_m = np.arange(moving_away.size) * 1.0
    e = np.empty(_COUPLE)
    day = np.empty(n)
    reason = np.empty(n, np.int8)
    for i in range(n):
        h = keyed.mix(stream + keyed._GOLDEN + keys[i] * keyed._GOLDEN)
        for k in range(_COUPLE):
            z = keyed.mix(h + keyed._GOLDEN + np.uint64(k) * keyed._GOLDEN)
            e[k] = -math.log1p(-(np.float64(z >> keyed._S11) * keyed._UNIT))
        z = keyed.mix(h + keyed._GOLDEN + np.uint64(_COUPLE) * keyed._GOLDEN)
        age = min((now[i] - birth_day[i]) / DAYS_PER_YEAR, omega)
        chance = couple_share
        age_since = min((since[i] - birth_day[i]) / DAYS_PER_YEAR, omega)
        if age_since < age:  # Demography.couple_now
            lost = (
                _interp(age, grid_d, death)
                - _interp(age_since, grid_d, death)
                + _interp(age, grid_c, care)
                - _interp(age_since, grid_c, care)
            )
            s = math.exp(-lost)
            chance = couple_share * s / (couple_share * (2.0 - s) + (1.0 - couple_share))
        couple = household_size[i] >= 2 and np.float64(z >> keyed._S11) * keyed._UNIT < chance
        death1 = min(_invert_one(death, grid_d, age, e[_DEATH_1]), omega)
        care1 = _invert_one(care, grid_c, age, e[_CARE_1])
        death2 = min(_invert_one(death, grid_d, age, e[_DEATH_2]), omega)
        care2 = _invert_one(care, grid_c, age, e[_CARE_2])
        away = _invert_one(moving_away, grid_m, age, e[_MOVE])
        last, why = min(death1, care1), _CARE if care1 < death1 else _DEATH
        second = min(death2, care2)
        if couple and second > last:
            last, why = second, _CARE if care2 < death2 else _DEATH
        if away < last:
            last, why = away, _MOVED_AWAY
        day[i] = birth_day[i] + last * DAYS_PER_YEAR
        reason[i] = why
    return day, reason
