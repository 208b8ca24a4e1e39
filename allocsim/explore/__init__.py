"""Exploration: which review conclusions survive when the model's assumptions are wrong.

An explore spec names an experiment (its scenarios, window and review), the uncertain
assumptions with their ranges and reasons, and the conclusions to test. `explore` draws
points of the uncertainty space, keeps those where the region world still reproduces
the published 2020-2021 figures (history matching), runs every scenario at every kept
point with common random numbers, and says for each conclusion where it holds, which
assumptions matter and where it fails (`allocsim explore`, README).
"""

from __future__ import annotations

from pathlib import Path

from allocsim.explore.run import ExploreResult, run_exploration
from allocsim.explore.spec import Exploration, Uncertainty, load_exploration
from allocsim.explore.tables import Tables, build_tables, write_tables


def write_outputs(
    exploration: Exploration, result: ExploreResult, langs: tuple[str, ...] = ("en", "nl")
) -> tuple[Tables, dict[str, Path]]:
    """The summary tables (CSV and Parquet) and the report in each language."""
    from allocsim.explore.report import write_report

    tables = build_tables(exploration, result)
    write_tables(tables, result.out_dir, result.metrics)
    paths: dict[str, Path] = {}
    for lang in langs:
        for kind, path in write_report(
            result.out_dir, exploration, tables, result.n_replications, lang
        ).items():
            paths[f"{kind}.{lang}"] = path
    return tables, paths


__all__ = [
    "ExploreResult",
    "Exploration",
    "Tables",
    "Uncertainty",
    "build_tables",
    "load_exploration",
    "run_exploration",
    "write_outputs",
    "write_tables",
]
