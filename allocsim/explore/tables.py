"""The exploration's summary tables, from the points' metrics: per conclusion and point
(effect, interval, verdict), per conclusion (shares, effect range), sensitivity,
scenario discovery, the region's figures and the scenarios across the points. Written
as CSV and Parquet beside the report."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from allocsim.analysis.review import DATA_PREFIX
from allocsim.explore.analysis import (
    FAILS,
    HOLDS,
    UNCLEAR,
    Box,
    discover,
    effect_range,
    effect_verdicts,
    power_verdicts,
    sensitivity,
    verdict_shares,
)
from allocsim.explore.run import ExploreResult
from allocsim.explore.sampling import ANALYSIS_KEY, child_rng
from allocsim.explore.spec import Conclusion, Exploration
from allocsim.paths import replace_file
from allocsim.runs.folder import METRICS


@dataclass
class Tables:
    points: pd.DataFrame  # point, status, uncertainty values
    unit: pd.DataFrame  # point, unit coordinates
    by_point: pd.DataFrame  # conclusion, point, effect, ci, verdict (, power)
    conclusions: pd.DataFrame  # one row per conclusion
    sensitivity: pd.DataFrame  # conclusion, rank, uncertainty, s1, ...
    discovery: pd.DataFrame  # conclusion, condition rows
    boxes: dict[str, Box | None] = field(default_factory=dict)
    history: pd.DataFrame = field(default_factory=pd.DataFrame)
    scenarios: pd.DataFrame = field(default_factory=pd.DataFrame)


def matrix(
    metrics: pd.DataFrame, scenario: str, metric_id: str, points: list[int], n_reps: int
) -> np.ndarray:
    """points x replications of one metric of one scenario (NaN where missing)."""
    out = np.full((len(points), n_reps), np.nan)
    if metrics.empty:
        return out
    dim, level, group, name = metric_id.split("/")
    sel = metrics[
        (metrics["scenario"] == scenario)
        & (metrics["dimension"] == dim)
        & (metrics["level"] == level)
        & (metrics["group"] == group)
        & (metrics["metric"] == name)
    ]
    row = {p: i for i, p in enumerate(points)}
    rows = sel["point"].map(row)
    ok = rows.notna() & (sel["replication"] < n_reps)
    out[rows[ok].astype(int).to_numpy(), sel.loc[ok, "replication"].astype(int).to_numpy()] = (
        sel.loc[ok, "value"].to_numpy(dtype=float)
    )
    return out


def _counts_as_zero(metric_id: str) -> bool:
    from allocsim.analysis.metrics import COUNT_METRICS

    return metric_id.split("/")[3] in COUNT_METRICS


def conclusion_points(
    metrics: pd.DataFrame, c: Conclusion, points: list[int], n_reps: int
) -> pd.DataFrame:
    """Effect, interval and verdict of one conclusion at each kept point."""
    metric_id = c.metric
    if c.kind == "detectable":
        data_id = DATA_PREFIX + c.metric
        if not np.isnan(matrix(metrics, c.control, data_id, points, n_reps)).all():
            metric_id = data_id
    treated = matrix(metrics, c.treatment, metric_id, points, n_reps)
    control = matrix(metrics, c.control, metric_id, points, n_reps)
    if _counts_as_zero(metric_id):  # no lettings of a kind is 0, as in summarise
        done = ~np.isnan(matrix(metrics, c.control, "all/all/all/active_seekers", points, n_reps))
        treated = np.where(np.isnan(treated) & done, 0.0, treated)
        control = np.where(np.isnan(control) & done, 0.0, control)
    if c.kind == "detectable":
        table = power_verdicts(treated, control, c.sign, c.power)
    else:
        table = effect_verdicts(treated - control, c.sign, c.threshold)
    table.insert(0, "point", points)
    table.insert(0, "conclusion", c.name)
    table.insert(2, "metric", metric_id)
    return table


def build_tables(exploration: Exploration, result: ExploreResult) -> Tables:
    unit = result.unit
    names = [u.name for u in exploration.uncertainties]
    kept = result.points.loc[result.points["status"] == "kept", "point"].astype(int).tolist()
    unit_kept = (
        unit.set_index("point").loc[kept, names].to_numpy() if kept else np.empty((0, len(names)))
    )
    rng = child_rng(exploration.seed, ANALYSIS_KEY)
    by_point, rows, sens, disc = [], [], [], []
    boxes: dict[str, Box | None] = {}
    counts = result.points["status"].value_counts()
    for c in exploration.spec.conclusions:
        table = conclusion_points(result.metrics, c, kept, result.n_replications)
        by_point.append(table)
        verdicts = table["verdict"].to_numpy(dtype=str)
        shares = verdict_shares(verdicts)
        effects = table["power" if c.kind == "detectable" else "effect"].to_numpy(dtype=float)
        span = effect_range(table["effect"].to_numpy(dtype=float))
        rows.append(
            {
                "conclusion": c.name,
                "kind": c.kind,
                "metric": c.metric,
                "treatment": c.treatment,
                "control": c.control,
                "direction": c.direction,
                "threshold": c.threshold,
                "points_drawn": len(result.points),
                "points_set_aside": int(counts.get("set aside", 0)),
                "points_failed": int(counts.get("failed", 0)),
                "points_not_run": int(counts.get("not run", 0)),
                "points_kept": int(shares["n_points"]),
                "share_holds": shares[HOLDS],
                "share_fails": shares[FAILS],
                "share_unclear": shares[UNCLEAR],
                **{f"effect_{k}": v for k, v in span.items()},
                **(
                    {f"power_{k}": v for k, v in effect_range(table["power"].to_numpy()).items()}
                    if c.kind == "detectable"
                    else {}
                ),
                "en": c.en,
                "nl": c.nl,
            }
        )
        s = sensitivity(unit_kept, effects, names, int(rng.integers(2**31)))
        sens.append(s.assign(conclusion=c.name)[["conclusion", *s.columns]])
        box = discover(unit_kept, verdicts != HOLDS, names) if len(kept) else None
        boxes[c.name] = box
        if box is not None:
            for cond in box.conditions:
                u = exploration.uncertainties[cond.index]
                disc.append(
                    {
                        "conclusion": c.name,
                        "uncertainty": cond.name,
                        "side": "above" if cond.above else "at most",
                        "value": float(u.value(np.array([cond.threshold]))[0]),
                        "unit_threshold": cond.threshold,
                        "points_in_region": box.n_points,
                        "not_holding_in_region": box.n_not_holding,
                        "not_holding_total": box.n_not_holding_total,
                        "density": box.density,
                        "coverage": box.coverage,
                    }
                )
    by_point_frame = pd.concat(by_point, ignore_index=True) if by_point else pd.DataFrame()
    return Tables(
        points=result.points,
        unit=unit,
        by_point=by_point_frame,
        conclusions=pd.DataFrame(rows),
        sensitivity=pd.concat(sens, ignore_index=True) if sens else pd.DataFrame(),
        discovery=pd.DataFrame(
            disc,
            columns=[
                "conclusion",
                "uncertainty",
                "side",
                "value",
                "unit_threshold",
                "points_in_region",
                "not_holding_in_region",
                "not_holding_total",
                "density",
                "coverage",
            ],
        ),
        boxes=boxes,
        history=result.history,
        scenarios=scenario_table(result.metrics),
    )


def scenario_table(metrics: pd.DataFrame) -> pd.DataFrame:
    """Each scenario's success rate per group across the kept points: the mean over
    replications at each point, then its range over the points."""
    if metrics.empty:
        return pd.DataFrame()
    sel = metrics[
        (metrics["dimension"] == "all")
        & (metrics["level"] == "all")
        & (metrics["metric"] == "success_rate")
    ]
    per_point = sel.groupby(["scenario", "group", "point"], sort=False)["value"].mean()
    grouped = per_point.groupby(level=["scenario", "group"], sort=False)
    return pd.DataFrame(
        {
            "min": grouped.min(),
            "p05": grouped.quantile(0.05),
            "median": grouped.median(),
            "p95": grouped.quantile(0.95),
            "max": grouped.max(),
            "points": grouped.size(),
        }
    ).reset_index()


def write_tables(tables: Tables, out: Path, metrics: pd.DataFrame) -> list[Path]:
    """CSV and Parquet of every table (and the kept metrics as Parquet)."""
    written = []
    named = {
        "points": tables.points,
        "conclusions": tables.conclusions,
        "conclusion-points": tables.by_point,
        "sensitivity": tables.sensitivity,
        "discovery": tables.discovery,
        "history-matching": tables.history,
        "scenarios": tables.scenarios,
    }
    for name, frame in named.items():
        replace_file(out / f"{name}.csv", partial(_csv, frame))
        replace_file(out / f"{name}.parquet", partial(_parquet, frame))
        written += [out / f"{name}.csv", out / f"{name}.parquet"]
    replace_file(out / METRICS, partial(_parquet, metrics))
    return [*written, out / METRICS]


def _csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False)


def _parquet(frame: pd.DataFrame, path: Path) -> None:
    frame.to_parquet(path, index=False)
