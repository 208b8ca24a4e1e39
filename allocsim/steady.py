"""Two checks that a run's figures come from the model, not from how it starts.

Stationarity: with every trend off, the stock fixed and no new build, the yearly
figures of a long run must not drift. Each replication's drift is the slope of an
ordinary least-squares line through its yearly values times the span, relative to the
mean; the check passes when the 95% interval of the mean drift lies within the margin.
Both checks start every replication from its own pilot run (run.pilots = replications),
so that the replications are independent draws of the slow state as well.

Warm-up insensitivity: the same scenario with two burn-in lengths must agree on its
figures within an equivalence margin (two one-sided tests: the 95% interval of the
difference lies within +-margin x the mean), and on a treatment effect when a treatment
config is given. Replication r of both burn-ins starts from pilot r (a pilot does not
depend on the burn-in: it is shifted to the burn-in's start) with the same random
streams, so the difference is paired: what differs is only the ten more years of the
model's own dynamics, which is what the check is about.

`allocsim check-steady CONFIG` prints both; the tests run them on a small world.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from allocsim.analysis.metrics import calendar_periods, period_metrics, replication_metrics, select
from allocsim.config import Config
from allocsim.domain import day_of
from allocsim.engine import simulate_scenarios
from allocsim.runs.driver import Drive
from allocsim.runs.executors import Executor
from allocsim.stats import power_at_margin, t_quantile, welch
from allocsim.world import build_stock

DRIFT_METRICS = (
    "all/year/all/lettings",
    "all/year/all/chain_moves_per_letting",
    "all/year/all/meettijd_mean_years",
    "all/year/all/registered_seekers",
    "all/year/listed/active_seekers",  # the Entree list: status holders' queue aside
)
WARMUP_METRICS = (
    "all/all/all/lettings",
    "all/all/all/success_rate",
    "all/all/starter_18_27/success_rate",
    "all/all/mover/success_rate",
    "all/all/senior_65plus/success_rate",
    "all/all/all/meettijd_mean_years",
)


def without_trends(cfg: Config, years: int) -> Config:
    """`cfg` with every trend off, no new build or demolition, over `years` years."""
    data = cfg.model_dump()
    data["run"]["end_date"] = dt.date(cfg.run.start_date.year + years, 1, 1)
    data["run"]["start_date"] = dt.date(cfg.run.start_date.year, 1, 1)
    data["run"]["policy_start"] = None
    data["seekers"]["arrivals_trend_per_year"] = 0.0
    data["stock"]["turnover_trend_per_year"] = 0.0
    data["stock"]["rent_increase_per_year"] = 0.0
    data["eligibility"]["limits_index_per_year"] = 0.0
    data["new_build"]["projects"] = ()
    data["new_build"]["unplanned_per_year"] = {}
    return Config.model_validate(data)


def with_burnin(cfg: Config, years: float, pilots: int | None = None) -> Config:
    """`cfg` with a burn-in of `years`; with `pilots`, that many pilot runs."""
    data = cfg.model_dump()
    data["run"]["burnin_years"] = years
    if pilots is not None:
        data["run"]["pilots"] = pilots
    return Config.model_validate(data)


def _yearly(args: tuple[Config, int]) -> pd.DataFrame:
    cfg, r = args
    frames = simulate_scenarios([cfg], build_stock(cfg), r, record_offers=False)[0]
    horizon = day_of(cfg.run.end_date, cfg.run.start_date)
    years = [p for p in calendar_periods(cfg.run.start_date, horizon) if p[0] == "year"]
    out = period_metrics(frames, years, cfg.seekers.group_ages())
    out.insert(0, "replication", r)
    return out


def _window(args: tuple[list[Config], int]) -> list[pd.DataFrame]:
    cfgs, r = args
    all_frames = simulate_scenarios(cfgs, build_stock(cfgs[0]), r, record_offers=False)
    out = []
    for cfg, frames in zip(cfgs, all_frames, strict=True):
        horizon = day_of(cfg.run.end_date, cfg.run.start_date)
        m = replication_metrics(frames, 0.0, horizon, cfg.seekers.group_ages())
        m["replication"] = r
        out.append(m)
    return out


def _call(task: tuple[Callable[[Any], Any], int, Any]) -> tuple[int, Any]:
    fn, i, item = task
    return i, fn(item)


def _map(fn: Callable[[Any], Any], items: list[Any], workers: int) -> list[Any]:
    """`fn` over `items` on the commands' workers (allocsim.runs.driver: one process pool,
    stopped with the run when interrupted), results in the items' order."""
    executor: Executor = "processes" if workers > 1 else "serial"
    with Drive(executor, workers) as drive:
        done = dict(drive.session.map(_call, [(fn, i, item) for i, item in enumerate(items)]))
    return [done[i] for i in range(len(items))]


@dataclass
class CheckResult:
    table: pd.DataFrame
    passed: bool


def stationarity(
    cfg: Config, years: int = 20, replications: int = 10, margin: float = 0.05, workers: int = 1
) -> CheckResult:
    """Drift of the yearly figures over `years` years, per metric, against `margin`."""
    # Every replication from its own pilot: replications that share one pilot share its
    # draw of the slow state (tenants' ages, registration dates), which moves them alike
    # for decades, and their interval would not cover that.
    flat = without_trends(cfg, years)
    flat = with_burnin(flat, flat.run.burnin_years, pilots=replications)
    parts = _map(_yearly, [(flat, r) for r in range(replications)], workers)
    rows = []
    for metric_id in DRIFT_METRICS:
        _, _, group, name = metric_id.split("/")
        drifts, means = [], []
        for part in parts:
            sel = part[(part["group"] == group) & (part["metric"] == name)]
            year = sel["level"].astype(int).to_numpy()
            value = sel["value"].to_numpy()
            slope = np.polyfit(year, value, 1)[0]
            mean = value.mean()
            drifts.append(slope * (year.max() - year.min()) / mean if mean else np.nan)
            means.append(mean)
        rows.append(_equivalence(name, np.asarray(drifts), margin, float(np.mean(means))))
    table = pd.DataFrame(rows)
    return CheckResult(table, bool(table["within_margin"].all()))


def warmup_insensitivity(
    cfg: Config,
    burnins: tuple[float, float],
    replications: int = 20,
    margin: float = 0.05,
    treatment: Config | None = None,
    metric: str = "all/all/starter_18_27/success_rate",
    workers: int = 1,
) -> CheckResult:
    """Figures of `cfg` (and the treatment effect on `metric`) under two burn-ins, paired
    (replication r of both from pilot r, computed once and shared through the cache)."""
    arms = {}
    for years in burnins:
        cfgs = [with_burnin(cfg, years, pilots=replications)]
        if treatment is not None:
            cfgs.append(with_burnin(treatment, years, pilots=replications))
        arms[years] = cfgs
    # One pool for both arms, the longer burn-in's jobs first: the last jobs are short.
    order = sorted(arms, reverse=True)
    tasks = [(arms[years], r) for years in order for r in range(replications)]
    done = _map(_window, tasks, workers)
    results = {y: done[i * replications : (i + 1) * replications] for i, y in enumerate(order)}
    rows = []
    ids = list(WARMUP_METRICS)
    if metric not in ids:
        ids.append(metric)
    for metric_id in ids:
        short = _values(results[burnins[0]], 0, metric_id)
        long = _values(results[burnins[1]], 0, metric_id)
        rows.append(_difference(metric_id, short, long, margin))
    if treatment is not None:
        effects = []
        for years in burnins:
            base = _values(results[years], 0, metric)
            treated = _values(results[years], 1, metric)
            effects.append(treated - base)
        scale = float(np.nanmean(_values(results[burnins[0]], 0, metric)))
        rows.append(
            _difference(f"effect of treatment on {metric}", effects[0], effects[1], margin, scale)
        )
    table = pd.DataFrame(rows)
    return CheckResult(table, bool(table["within_margin"].all()))


def _values(parts: list[list[pd.DataFrame]], which: int, metric_id: str) -> np.ndarray:
    out = []
    for part in parts:
        sel = select(part[which], metric_id)
        out.append(float(sel["value"].iloc[0]) if len(sel) else np.nan)
    return np.asarray(out)


def _equivalence(name: str, drift: np.ndarray, margin: float, mean: float) -> dict:
    drift = drift[np.isfinite(drift)]
    n = drift.size
    m = float(drift.mean())
    se = float(drift.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan
    half = float(t_quantile(0.95, n - 1) * se) if n > 1 else np.nan
    return {
        "metric": name,
        "mean": mean,
        "drift": m,
        "ci_low": m - half,
        "ci_high": m + half,
        "margin": margin,
        "se": se,
        # Chance that a true drift of the full margin would have been seen (two-sided 5%).
        "power_at_margin": power_at_margin(margin, se),
        "within_margin": bool(-margin < m - half and m + half < margin),
    }


def _difference(
    name: str, a: np.ndarray, b: np.ndarray, margin: float, scale: float | None = None
) -> dict:
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    scale = float(np.mean(np.r_[a, b])) if scale is None else scale
    diff, lo, hi, se = welch(a, b, 0.95)
    bound = margin * abs(scale)
    return {
        "metric": name,
        "mean": scale,
        "difference": diff,
        "ci_low": lo,
        "ci_high": hi,
        "margin": bound,
        "se": se,
        "margin_over_2se": bound / (2 * se) if se > 0 else np.inf,
        "within_margin": bool(-bound < lo and hi < bound),
    }


def check_steady(
    cfg: Config,
    treatment: Config | None = None,
    *,
    years: int = 20,
    replications: int = 10,
    warmup_replications: int = 20,
    burnins: tuple[float, float] | None = None,
    margin: float = 0.05,
    metric: str = "all/all/starter_18_27/success_rate",
    workers: int = 1,
    with_stationarity: bool = True,
) -> Iterator[tuple[str, str, Callable[[], CheckResult]]]:
    """Both checks, in turn: (its name, what it compares, the call that runs it), so a
    caller can say what is checked before the minutes it takes. `burnins`: the two
    burn-in lengths (default the config's B and 2B, 10 years when B is 0);
    `treatment`: a second scenario whose effect on `metric` must not move either."""
    if with_stationarity:
        heading = (
            f"{years} years with every trend off, {replications} replications; "
            f"drift = OLS slope x span / mean, margin +-{margin:.0%}"
        )
        yield (
            "stationarity",
            heading,
            partial(stationarity, cfg, years, replications, margin, workers),
        )
    short, long = burnins or (cfg.run.burnin_years, 2 * cfg.run.burnin_years or 10.0)
    heading = (
        f"burn-in {short:g} vs {long:g} years, {warmup_replications} replications each; "
        f"equivalence margin +-{margin:.0%} of the mean (95% interval of the difference "
        "within it)"
    )
    run = partial(
        warmup_insensitivity,
        cfg,
        (short, long),
        warmup_replications,
        margin,
        treatment,
        metric,
        workers,
    )
    yield "warm-up insensitivity", heading, run


def default_workers() -> int:
    return os.cpu_count() or 1
