"""Points of the uncertainty space: a Latin hypercube or a scrambled Sobol sequence on
the unit cube (scipy.stats.qmc), mapped through each uncertainty's distribution.

The cube comes from one SeedSequence child of the root seed, keyed `POINTS_KEY`, which
no replication (keys 0, 1, ...) and no pilot (engine.PILOT_KEY) uses: drawing the points
shifts no simulation's random numbers."""

from __future__ import annotations

import warnings

import numpy as np
from scipy.stats import qmc

from allocsim.explore.spec import Uncertainty

POINTS_KEY = 2**31 - 2  # spawn key of the points' SeedSequence
ANALYSIS_KEY = 2**31 - 3  # spawn key of the analysis' bootstrap


def child_rng(seed: int, key: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(key,)))


def unit_points(n_points: int, n_dims: int, method: str, seed: int) -> np.ndarray:
    """n_points x n_dims coordinates in [0, 1)."""
    rng = child_rng(seed, POINTS_KEY)
    if method == "sobol":
        with warnings.catch_warnings():  # a count that is not a power of two is allowed
            warnings.simplefilter("ignore", UserWarning)
            return np.asarray(qmc.Sobol(n_dims, scramble=True, rng=rng).random(n_points))
    return np.asarray(qmc.LatinHypercube(n_dims, rng=rng).random(n_points))


def point_values(unit: np.ndarray, uncertainties: list[Uncertainty]) -> np.ndarray:
    """The uncertainties' values at unit coordinates (one column each)."""
    return np.column_stack([u.value(unit[:, j]) for j, u in enumerate(uncertainties)])
