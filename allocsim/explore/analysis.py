"""What an exploration says about each conclusion: pure functions, arrays in, arrays out.

- `effect_verdicts`: per point, the paired mean difference treatment - control over the
  replications with its t-interval; the conclusion *holds* where the interval lies beyond
  the threshold in its direction, *fails* where it lies short of it, and *cannot be told
  apart from noise* (unclear) where it straddles it.
- `power_verdicts`: per point, the chance that one realisation of the data window with
  the treatment passes a one-sided 5% test against the control's spread (review.py),
  from the normal approximation at both ends of the effect's interval: holds where even
  the unfavourable end reaches the power asked, fails where even the favourable end
  does not.
- `sensitivity`: which uncertainties move a conclusion's effect most: first-order
  indices by RBD-FAST (SALib; Plischke's given-data estimator, so any sample will do)
  with bootstrap intervals, and Spearman's rank correlation for the direction.
- `discover`: the region of the space where a conclusion does not hold: the purest leaf
  of a shallow decision tree (scenario discovery), as bounds on a few uncertainties.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from allocsim.analysis.review import power as empirical_power
from allocsim.stats import t_half_width

HOLDS, FAILS, UNCLEAR = "holds", "fails", "unclear"
VERDICTS = (HOLDS, FAILS, UNCLEAR)


def _row_stats(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, sample sd and count of each row, NaN ignored."""
    n = np.sum(~np.isnan(values), axis=1).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(values, axis=1)
        sd = np.where(n > 1, np.nanstd(values, axis=1, ddof=1), np.nan)
    return mean, sd, n


def effect_verdicts(
    diffs: np.ndarray, sign: float, threshold: float = 0.0, confidence: float = 0.95
) -> pd.DataFrame:
    """Per point (row of `diffs`: paired differences per replication, NaN if missing):
    effect, ci_low, ci_high, n_pairs and verdict for "the effect exceeds `threshold` in
    the direction `sign`" (+1 increase, -1 decrease)."""
    diffs = np.atleast_2d(np.asarray(diffs, dtype=float))
    mean, sd, n = _row_stats(diffs)
    half = t_half_width(sd, n, confidence)
    low, high = mean - half, mean + half
    # Everything in the asserted direction: an increase of more than threshold.
    lo_dir = np.where(sign > 0, low, -high)
    hi_dir = np.where(sign > 0, high, -low)
    verdict = np.full(mean.shape, UNCLEAR, dtype=object)
    ok = n > 1
    verdict[ok & (lo_dir > threshold)] = HOLDS
    verdict[ok & (hi_dir < threshold)] = FAILS
    # A constant difference (sd 0) has a zero-width interval: decided by its value.
    exact = (n > 1) & (sd == 0)
    verdict[exact] = np.where(sign * mean[exact] > threshold, HOLDS, FAILS)
    return pd.DataFrame(
        {
            "effect": mean,
            "ci_low": low,
            "ci_high": high,
            "n_pairs": n.astype(int),
            "verdict": verdict.astype(str),
        }
    )


def normal_power(
    delta: np.ndarray, sd_treated: np.ndarray, sd_control: np.ndarray, sign: float
) -> np.ndarray:
    """Chance that one treated realisation lies beyond the control's 95th percentile (5th
    for a decrease), both normal: Phi((sign x delta - z95 sd_c) / sd_t)."""
    z = stats.norm.ppf(0.95)
    shift = sign * np.asarray(delta, dtype=float) - z * sd_control
    with np.errstate(invalid="ignore", divide="ignore"):
        p = stats.norm.cdf(shift / sd_treated)
    # No spread in the treated world: a sure pass or a sure miss.
    return np.where(sd_treated > 0, p, np.where(shift > 0, 1.0, 0.0))


def power_verdicts(
    treated: np.ndarray,
    control: np.ndarray,
    sign: float,
    target: float = 0.8,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Per point (rows: replications of the data-window metric, paired by replication):
    the effect with its interval, the power at it and at both ends, the empirical power
    (review.power) and the verdict for "the data window can see the effect"."""
    treated = np.atleast_2d(np.asarray(treated, dtype=float))
    control = np.atleast_2d(np.asarray(control, dtype=float))
    effects = effect_verdicts(treated - control, sign, 0.0, confidence)
    _, sd_t, _ = _row_stats(treated)
    _, sd_c, _ = _row_stats(control)
    favourable = np.where(sign > 0, effects["ci_high"], effects["ci_low"])
    unfavourable = np.where(sign > 0, effects["ci_low"], effects["ci_high"])
    power = normal_power(effects["effect"].to_numpy(), sd_t, sd_c, sign)
    power_low = normal_power(unfavourable, sd_t, sd_c, sign)
    power_high = normal_power(favourable, sd_t, sd_c, sign)
    verdict = np.full(power.shape, UNCLEAR, dtype=object)
    ok = effects["n_pairs"].to_numpy() > 1
    verdict[ok & (power_low >= target)] = HOLDS
    verdict[ok & (power_high < target)] = FAILS
    empirical = np.array(
        [
            empirical_power(t[~np.isnan(t)], c[~np.isnan(c)], sign)
            for t, c in zip(treated, control, strict=True)
        ]
    )
    return effects.assign(
        power=power,
        power_low=power_low,
        power_high=power_high,
        power_empirical=empirical,
        verdict=verdict.astype(str),
    )


def verdict_shares(verdicts: np.ndarray) -> dict[str, float]:
    """Share of points where the conclusion holds, fails, is unclear; and their number."""
    v = np.asarray(verdicts, dtype=str)
    n = v.size
    out: dict[str, float] = {k: float(np.mean(v == k)) if n else float("nan") for k in VERDICTS}
    out["n_points"] = float(n)
    return out


def _rbd_fast(
    unit: np.ndarray, y: np.ndarray, names: list[str], seed: int, confidence: float
) -> tuple[np.ndarray, np.ndarray]:
    from SALib.analyze import rbd_fast

    n = y.size
    harmonics = min(10, max(1, n // 16))
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        result = rbd_fast.analyze(
            problem,
            unit,
            y,
            M=harmonics,
            num_resamples=200,
            conf_level=confidence,
            seed=seed,
        )
    return np.asarray(result["S1"], dtype=float), np.asarray(result["S1_conf"], dtype=float)


def sensitivity(
    unit: np.ndarray,
    y: np.ndarray,
    names: list[str],
    seed: int,
    confidence: float = 0.95,
    min_points: int = 8,
) -> pd.DataFrame:
    """First-order index (RBD-FAST, with its bootstrap interval) and Spearman's rank
    correlation (with its Fisher-z interval) of `y` on each column of `unit` (the
    points' coordinates in [0, 1)); rows sorted by the index, most important first.
    Below `min_points` usable points, or with a constant `y`, the indices are NaN."""
    unit = np.asarray(unit, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = ~np.isnan(y)
    unit, y = unit[ok], y[ok]
    k = len(names)
    s1 = np.full(k, np.nan)
    half = np.full(k, np.nan)
    rho = np.full(k, np.nan)
    n = y.size
    if n >= min_points and np.ptp(y) > 0:
        with contextlib.suppress(ValueError, ZeroDivisionError, IndexError):
            s1, half = _rbd_fast(unit, y, names, seed, confidence)
        for j in range(k):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                rho[j] = stats.spearmanr(unit[:, j], y).statistic
    z = stats.norm.ppf(0.5 + confidence / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        fisher = np.arctanh(np.clip(rho, -0.999999, 0.999999))
        spread = z / np.sqrt(max(n - 3, 1))
    # RBD-FAST's bias correction can make a small index negative: an index is in [0, 1].
    table = pd.DataFrame(
        {
            "uncertainty": names,
            "s1": np.clip(s1, 0.0, 1.0),
            "s1_low": np.clip(s1 - half, 0.0, 1.0),
            "s1_high": np.clip(s1 + half, 0.0, 1.0),
            "rho": rho,
            "rho_low": np.tanh(fisher - spread),
            "rho_high": np.tanh(fisher + spread),
            "n_points": n,
        }
    )
    table = table.sort_values("s1", ascending=False, na_position="last", kind="stable")
    table.insert(0, "rank", np.arange(1, k + 1))
    return table.reset_index(drop=True)


@dataclass(frozen=True)
class Condition:
    index: int  # column of the uncertainty
    name: str
    above: bool  # True: unit coordinate > threshold; False: <= threshold
    threshold: float  # in unit coordinates


@dataclass(frozen=True)
class Box:
    """Where a conclusion does not hold: points meeting every condition."""

    conditions: tuple[Condition, ...]
    n_points: int  # points in the box
    n_not_holding: int  # of which the conclusion does not hold
    n_not_holding_total: int  # points where it does not hold, anywhere

    @property
    def density(self) -> float:
        return self.n_not_holding / self.n_points if self.n_points else float("nan")

    @property
    def coverage(self) -> float:
        return (
            self.n_not_holding / self.n_not_holding_total
            if self.n_not_holding_total
            else float("nan")
        )


def discover(
    unit: np.ndarray,
    not_holding: np.ndarray,
    names: list[str],
    max_depth: int = 2,
    min_leaf: int | None = None,
) -> Box | None:
    """The leaf of a shallow decision tree (depth `max_depth`, leaves of at least
    `min_leaf` points, default a tenth of them and at least 2) with the highest share of
    points where the conclusion does not hold, as conditions on the uncertainties; None
    when it holds everywhere or nowhere (then there is no region to describe)."""
    from sklearn.tree import DecisionTreeClassifier

    unit = np.asarray(unit, dtype=float)
    bad = np.asarray(not_holding, dtype=bool)
    n = bad.size
    if n == 0 or bad.all() or not bad.any():
        return None
    leaf_size = min_leaf if min_leaf is not None else max(2, n // 10)
    tree = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=leaf_size, random_state=0)
    tree.fit(unit, bad)
    t = tree.tree_
    leaves = tree.apply(unit)
    best, best_key = None, (-1.0, -1)
    for leaf in np.unique(leaves):
        members = leaves == leaf
        key = (float(bad[members].mean()), int(bad[members].sum()))
        if key > best_key:
            best, best_key = leaf, key
    # The path from the root to the best leaf.
    parent: dict[int, tuple[int, bool]] = {}
    for node in range(t.node_count):
        if t.children_left[node] >= 0:
            parent[int(t.children_left[node])] = (node, False)
            parent[int(t.children_right[node])] = (node, True)
    conditions = []
    node = int(best) if best is not None else 0
    while node in parent:
        up, above = parent[node]
        j = int(t.feature[up])
        conditions.append(Condition(j, names[j], above, float(t.threshold[up])))
        node = up
    conditions.reverse()
    members = leaves == best
    return Box(
        tuple(_merge(conditions)), int(members.sum()), int(bad[members].sum()), int(bad.sum())
    )


def _merge(conditions: list[Condition]) -> list[Condition]:
    """One bound per uncertainty and side: the tighter of two."""
    out: dict[tuple[int, bool], Condition] = {}
    for c in conditions:
        key = (c.index, c.above)
        old = out.get(key)
        if old is None or (c.threshold > old.threshold if c.above else c.threshold < old.threshold):
            out[key] = c
    return list(out.values())


def effect_range(effects: np.ndarray) -> dict[str, float]:
    """Quantiles of the points' effects (NaN ignored)."""
    e = np.asarray(effects, dtype=float)
    e = e[~np.isnan(e)]
    if not e.size:
        return {k: float("nan") for k in ("min", "p05", "median", "p95", "max")}
    q = np.quantile(e, [0.0, 0.05, 0.5, 0.95, 1.0])
    return dict(zip(("min", "p05", "median", "p95", "max"), map(float, q), strict=True))
