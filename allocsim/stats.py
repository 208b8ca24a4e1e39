"""The statistics every comparison in allocsim uses: t-intervals of means (from values or
from running sums), paired differences, Welch's unequal-variance interval, and the
power of an equivalence check. One place, so a report, an experiment, `compare` and
the steady-state checks give an interval the same way."""

from __future__ import annotations

import numpy as np
from scipy import special  # the functions behind scipy.stats' t and normal, without it


def t_quantile(confidence: float, dof: np.ndarray | float) -> np.ndarray:
    """Two-sided Student-t quantile for `confidence` (0.95: the 97.5% point)."""
    return np.asarray(special.stdtrit(dof, 0.5 + confidence / 2))  # = stats.t.ppf


def t_half_width(sd: np.ndarray, n: np.ndarray, confidence: float = 0.95) -> np.ndarray:
    """Half-width of the t-interval of a mean of `n` values with standard deviation `sd`
    (arrays; n below 2 gives the quantile at one degree of freedom, sd is then NaN)."""
    return t_quantile(confidence, np.maximum(n - 1, 1)) * sd / np.sqrt(n)


def mean_sd(total: np.ndarray, squares: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sample standard deviation from sums of values and of squares (NaN sd
    below two values), so groups of a long table need one pass."""
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / n
        var = (squares - n * mean * mean) / (n - 1)
        sd = np.where(n > 1, np.sqrt(np.maximum(var, 0.0)), np.nan)
    return mean, sd


def t_interval(values: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean and t-interval of independent values (NaN bounds below two values)."""
    values = np.asarray(values, dtype=float)
    mean = float(values.mean()) if values.size else float("nan")
    if values.size < 2:
        return mean, float("nan"), float("nan")
    half = float(
        t_quantile(confidence, values.size - 1) * values.std(ddof=1) / np.sqrt(values.size)
    )
    return mean, mean - half, mean + half


def welch(
    a: np.ndarray, b: np.ndarray, confidence: float = 0.95
) -> tuple[float, float, float, float]:
    """Difference of means b - a with Welch's interval: (difference, low, high, se).
    NaN bounds if either side has fewer than two values; a zero-width interval if both
    are constant."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    diff = float(b.mean() - a.mean())
    if a.size < 2 or b.size < 2:
        return diff, float("nan"), float("nan"), float("nan")
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se = float(np.sqrt(va + vb))
    if se == 0:
        return diff, diff, diff, 0.0
    dof = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    half = float(t_quantile(confidence, dof) * se)
    return diff, diff - half, diff + half, se


def power_at_margin(margin: float, se: float, confidence: float = 0.95) -> float:
    """Chance that a true difference of the full `margin` is seen as different from zero
    by a two-sided test at `confidence` (normal approximation)."""
    if not se > 0:
        return 1.0
    return float(special.ndtr(margin / se - special.ndtri(0.5 + confidence / 2)))


def share_interval(
    mean: np.ndarray, sd: np.ndarray, n: np.ndarray, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Interval of a mean of shares that stays within [0, 1]: Wilson's score interval
    with the effective sample size of the replications (Korn and Graubard, 1998).

    A share's mean over `n` replications has variance sd^2 / n; a binomial proportion
    with the same variance has n_eff = p (1 - p) / (sd^2 / n) trials. Wilson's interval
    for p with n_eff trials and Student's t quantile (n - 1 degrees of freedom) is about
    the t-interval when p is far from 0 and 1, and never leaves [0, 1] near them. A
    constant share (sd 0) gives a zero-width interval; fewer than two values give NaN.
    """
    p = np.clip(np.asarray(mean, dtype=float), 0.0, 1.0)
    sd = np.asarray(sd, dtype=float)
    n = np.asarray(n, dtype=float)
    z = t_quantile(confidence, np.maximum(n - 1, 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        var = sd * sd / n
        n_eff = np.where(var > 0, p * (1 - p) / var, np.inf)
        n_eff = np.maximum(n_eff, 1e-9)  # spread about a share of 0 or 1: all of [0, 1]
        z2n = np.where(np.isinf(n_eff), 0.0, z * z / n_eff)
        centre = (p + z2n / 2) / (1 + z2n)
        half = np.where(
            np.isinf(n_eff),
            0.0,
            z / (1 + z2n) * np.sqrt(p * (1 - p) / n_eff + z2n / (4 * n_eff)),
        )
    bad = (n < 2) | np.isnan(sd)
    low = np.where(bad, np.nan, np.clip(centre - half, 0.0, 1.0))
    high = np.where(bad, np.nan, np.clip(centre + half, 0.0, 1.0))
    return low, high
