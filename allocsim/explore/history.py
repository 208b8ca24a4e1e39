"""History matching: a point of the uncertainty space counts only if the region world
there still reproduces the published 2020-2021 figures within the stated tolerance.

The targets are check-fit's CSV (`calibration/entree-targets.csv`); a count (a metric in
`metrics.COUNT_METRICS`) is compared with the observed figure times the region's scale,
as the calibration does. Pure functions: values in, verdict out."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from allocsim.analysis.metrics import COUNT_METRICS, select
from allocsim.errors import ConfigError, Problem


@dataclass(frozen=True)
class Target:
    name: str
    metric: str
    observed: float
    expected: float  # the observed figure, times the scale for a count
    tolerance: float


def read_targets(path: object, scale: float, tolerance: float) -> list[Target]:
    """Targets from a CSV with columns metric, observed (and optionally name); one-line
    problems for a malformed file or row."""
    from pathlib import Path

    from allocsim.world import csv_format, read_text

    path = Path(str(path))
    text, _ = read_text(path)
    fmt = csv_format(path)
    try:
        table = pd.read_csv(
            io.StringIO(text), sep=fmt.delimiter, decimal="," if fmt.delimiter == ";" else "."
        )
    except (ValueError, pd.errors.ParserError) as exc:
        raise ConfigError(
            [Problem(str(path), "", "", f"a CSV with a header and rows ({exc})")]
        ) from None
    if not {"metric", "observed"} <= set(table.columns):
        raise ConfigError(
            [Problem(str(path), "header", ", ".join(table.columns), "columns metric, observed")]
        )
    targets, problems = [], []
    for i, row in enumerate(table.itertuples(index=False), start=2):
        metric = str(row.metric)
        try:
            observed = float(row.observed)
        except (TypeError, ValueError):
            observed = math.nan
        if metric.count("/") != 3:
            problems.append(Problem(str(path), f"row {i} metric", metric, "dim/level/group/metric"))
            continue
        if not (math.isfinite(observed) and observed > 0):
            problems.append(
                Problem(str(path), f"row {i} observed", repr(row.observed), "a number > 0")
            )
            continue
        name = getattr(row, "name", None)
        factor = scale if metric.split("/")[3] in COUNT_METRICS else 1.0
        targets.append(
            Target(
                name if isinstance(name, str) else metric,
                metric,
                observed,
                observed * factor,
                tolerance,
            )
        )
    if problems:
        raise ConfigError(problems)
    return targets


def target_values(metrics: pd.DataFrame, targets: list[Target]) -> dict[str, float]:
    """Each target's value in one replication's metrics (nan if missing)."""
    out = {}
    for t in targets:
        sel = select(metrics, t.metric)
        out[t.name] = float(sel["value"].iloc[0]) if len(sel) else math.nan
    return out


def match(values: pd.DataFrame, targets: list[Target]) -> pd.DataFrame:
    """Per target: the simulated mean over replications (columns target, replication,
    value), its relative error and whether it is within the tolerance."""
    rows = []
    for t in targets:
        v = values.loc[values["target"] == t.name, "value"].to_numpy(dtype=float)
        mean = float(np.mean(v)) if v.size else math.nan
        error = mean / t.expected - 1.0
        rows.append(
            {
                "target": t.name,
                "metric": t.metric,
                "observed": t.observed,
                "simulated": mean * t.observed / t.expected if v.size else math.nan,
                "relative_error": error,
                "tolerance": t.tolerance,
                "within": bool(abs(error) <= t.tolerance),
            }
        )
    return pd.DataFrame(rows)


def accepted(table: pd.DataFrame) -> bool:
    """A point is kept when every target is within its tolerance."""
    return bool(len(table)) and bool(table["within"].all())
