"""Compare two finished run folders on the metrics they share.

Runs with the same root seed are paired replication by replication (common random
numbers); otherwise the comparison is unpaired (Welch's interval).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from allocsim.errors import ConfigError, Problem
from allocsim.paths import read_manifest, read_table
from allocsim.stats import t_interval, welch

KEYS = ["dimension", "level", "group", "metric"]


def load_run(path: Path) -> tuple[pd.DataFrame, dict]:
    metrics_path, manifest_path = path / "metrics.parquet", path / "manifest.json"
    if not metrics_path.is_file() or not manifest_path.is_file():
        raise ConfigError(
            [Problem(str(path), "", "", "a finished run folder (metrics.parquet, manifest.json)")]
        )
    metrics = read_table(metrics_path, pd.read_parquet)
    manifest = read_manifest(manifest_path)
    if "scenario" not in metrics.columns:
        metrics.insert(0, "scenario", manifest.get("scenario", path.name))
    return metrics, manifest


def compare_runs(a: Path, b: Path, confidence: float = 0.95) -> pd.DataFrame:
    """B minus A per scenario pair and metric: means, difference and its interval."""
    ma, man_a = load_run(a)
    mb, man_b = load_run(b)
    paired = man_a.get("root_seed") == man_b.get("root_seed")
    labels_a, labels_b = list(ma["scenario"].unique()), list(mb["scenario"].unique())
    common = [s for s in labels_a if s in labels_b]
    pairs = [(s, s) for s in common] if common else [(labels_a[0], labels_b[0])]
    rows = []
    for sa, sb in pairs:
        xa = ma[ma["scenario"] == sa].drop(columns="scenario")
        xb = mb[mb["scenario"] == sb].drop(columns="scenario")
        if paired:
            merged = xa.merge(xb, on=[*KEYS, "replication"], suffixes=("_a", "_b"))
            for key, grp in merged.groupby(KEYS, sort=True, observed=True):
                d = (grp["value_b"] - grp["value_a"]).to_numpy(dtype=float)
                mean, lo, hi = t_interval(d, confidence)
                rows.append(
                    (
                        sa,
                        sb,
                        *key,
                        grp["value_a"].mean(),
                        grp["value_b"].mean(),
                        mean,
                        lo,
                        hi,
                        d.size,
                        True,
                    )
                )
        else:
            ga = dict(list(xa.groupby(KEYS, sort=True, observed=True)))
            for key, grp_b in xb.groupby(KEYS, sort=True, observed=True):
                if key not in ga:
                    continue
                va = ga[key]["value"].to_numpy(dtype=float)
                vb = grp_b["value"].to_numpy(dtype=float)
                mean, lo, hi, _ = welch(va, vb, confidence)
                rows.append(
                    (sa, sb, *key, va.mean(), vb.mean(), mean, lo, hi, min(va.size, vb.size), False)
                )
    out = pd.DataFrame(
        rows,
        columns=[
            "scenario_a",
            "scenario_b",
            *KEYS,
            "mean_a",
            "mean_b",
            "diff_mean",
            "diff_ci_low",
            "diff_ci_high",
            "n",
            "paired",
        ],
    )
    out["significant"] = (out["diff_ci_low"] > 0) | (out["diff_ci_high"] < 0)
    return out
