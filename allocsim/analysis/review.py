"""What a review could see: the model's expected effect against one window of real data.

The expected effect is the paired mean difference treatment - control over
replications (common random numbers), with its interval. Real data are one
realisation of the world with the rule; whether it shows the effect is judged
against the spread of a world without it, so the data-window figures compare
*independent* replications:

- `p_right_sign`: the chance that one realisation with the rule differs from one
  realisation without it in the direction of the expected effect (all pairs i != j;
  ties count half);
- `power`: the chance that one realisation with the rule lies beyond the control's
  95th percentile (or below its 5th, for a negative effect): a one-sided 5% test;
- the smallest yearly quota whose power reaches 80%.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from allocsim.analysis.metrics import COUNT_METRICS, select
from allocsim.stats import t_interval

DATA_PREFIX = "data:"


def metric_values(metrics: pd.DataFrame, scenario: str, metric_id: str) -> pd.Series:
    """Values of one metric of one scenario, indexed by replication (counts with no row
    in a replication count as zero)."""
    own = metrics[metrics["scenario"] == scenario]
    values = select(own, metric_id).set_index("replication")["value"].astype(float)
    if metric_id.split("/")[-1] in COUNT_METRICS:
        # A count with no row in a replication is zero there (as `summarise` has it).
        values = values.reindex(own["replication"].unique(), fill_value=0.0)
    return values.sort_index()


def paired_effect(
    metrics: pd.DataFrame, a: str, b: str, metric_id: str
) -> tuple[float, float, float, int]:
    """b - a over the replications both have (common random numbers): mean, t-interval
    and the number of pairs."""
    d = (metric_values(metrics, b, metric_id) - metric_values(metrics, a, metric_id)).dropna()
    mean, low, high = t_interval(d.to_numpy())
    return mean, low, high, int(d.size)


def p_right_sign(treated: np.ndarray, control: np.ndarray, direction: float) -> float:
    """P(sign(x - y) == direction) over independent pairs (i != j), ties counting half."""
    if treated.size == 0 or control.size == 0:
        return float("nan")
    diff = treated[:, None] - control[None, :]
    score = np.where(np.sign(diff) == np.sign(direction), 1.0, np.where(diff == 0, 0.5, 0.0))
    if treated.size == control.size and treated.size > 1:
        np.fill_diagonal(score, np.nan)  # the same replication shares random numbers
    return float(np.nanmean(score))


def power(treated: np.ndarray, control: np.ndarray, direction: float, alpha: float = 0.05) -> float:
    """P(one treated realisation passes a one-sided level-alpha test against the control)."""
    if treated.size == 0 or control.size == 0:
        return float("nan")
    if direction >= 0:
        return float(np.mean(treated > np.quantile(control, 1 - alpha)))
    return float(np.mean(treated < np.quantile(control, alpha)))


@dataclass(frozen=True)
class Detectability:
    metric: str
    expected_effect: float
    effect_ci_low: float
    effect_ci_high: float
    n_pairs: int
    data_window: str
    p_right_sign: float
    power: float
    by_quota: pd.DataFrame  # quota, scenario, p_right_sign, power
    smallest_quota_80: float | None


def detectability(
    metrics: pd.DataFrame,
    comparison: pd.DataFrame,
    treatment: str,
    control: str,
    metric_id: str,
    data_window: str,
    quota_scenarios: dict[str, float],
) -> Detectability:
    row = (
        select(comparison[comparison["scenario"] == treatment], metric_id)
        if not comparison.empty
        else comparison
    )
    if row.empty:
        # The comparison is against the spec's baseline; compute the pair directly.
        effect, lo, hi, n = paired_effect(metrics, control, treatment, metric_id)
    else:
        r = row.iloc[0]
        effect, lo, hi, n = (
            float(r.diff_mean),
            float(r.diff_ci_low),
            float(r.diff_ci_high),
            int(r.n_pairs),
        )
    data_id = f"{DATA_PREFIX}{metric_id}"
    if metric_values(metrics, control, data_id).empty:
        data_id = metric_id  # the data window is the evaluation window
    control_data = metric_values(metrics, control, data_id).to_numpy()
    direction = effect if effect != 0 else 1.0
    rows = []
    for scenario, quota in sorted(quota_scenarios.items(), key=lambda kv: kv[1]):
        values = metric_values(metrics, scenario, data_id).to_numpy()
        rows.append(
            (
                quota,
                scenario,
                p_right_sign(values, control_data, direction),
                power(values, control_data, direction),
            )
        )
    by_quota = pd.DataFrame(rows, columns=["quota_per_year", "scenario", "p_right_sign", "power"])
    reached = by_quota[by_quota["power"] >= 0.8]
    treated_data = metric_values(metrics, treatment, data_id).to_numpy()
    return Detectability(
        metric=metric_id,
        expected_effect=effect,
        effect_ci_low=lo,
        effect_ci_high=hi,
        n_pairs=n,
        data_window=data_window,
        p_right_sign=p_right_sign(treated_data, control_data, direction),
        power=power(treated_data, control_data, direction),
        by_quota=by_quota,
        smallest_quota_80=float(reached["quota_per_year"].min()) if len(reached) else None,
    )
