"""What a report reads: a finished run or experiment folder (allocsim.runs.folder), with
the look-ups every part of the report makes (a scenario's value, a paired difference,
the window, a scenario's name in the report's language, what the user changed)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from allocsim.analysis.metrics import select
from allocsim.analysis.review import paired_effect
from allocsim.domain import DAYS_PER_YEAR
from allocsim.runs.folder import open_finished


@dataclass
class Inputs:
    manifest: dict[str, Any]
    summary: pd.DataFrame
    comparison: pd.DataFrame
    metrics: pd.DataFrame

    @property
    def spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = self.manifest.get("spec") or {}
        return spec

    @property
    def review(self) -> dict[str, Any] | None:
        review: dict[str, Any] | None = self.spec.get("review")
        return review

    @property
    def scenarios(self) -> list[str]:
        """Scenario labels in the spec's order (a run: its one scenario)."""
        found = list(dict.fromkeys(self.summary["scenario"].astype(str)))
        order = list(self.manifest.get("scenarios") or {}) or found
        return [s for s in order if s in found] + [s for s in found if s not in order]

    @property
    def baseline(self) -> str:
        return str(self.spec.get("baseline") or self.scenarios[0])

    @property
    def window(self) -> tuple[str, str]:
        w = self.spec.get("window") or {}
        run = (self.manifest.get("config") or {}).get("run") or {}
        return (
            str(w.get("start_date") or run.get("start_date", "")),
            str(w.get("end_date") or run.get("end_date", "")),
        )

    def years(self) -> float:
        """The window's length in years (NaN when the folder does not say)."""
        start, end = self.window
        try:
            days = (dt.date.fromisoformat(end) - dt.date.fromisoformat(start)).days
        except ValueError:
            return float("nan")
        return days / DAYS_PER_YEAR

    def rows(self, dimension: str, metric: str | None = None, group: str | None = None) -> Any:
        s = self.summary
        keep = s["dimension"] == dimension
        if metric is not None:
            keep &= s["metric"] == metric
        if group is not None:
            keep &= s["group"] == group
        return s[keep]

    def value(self, scenario: str, metric_id: str, column: str = "mean") -> float:
        row = select(self.summary[self.summary["scenario"] == scenario], metric_id)
        return float(row[column].iloc[0]) if len(row) else float("nan")

    def paired(self, a: str, b: str, metric_id: str) -> tuple[float, float, float, int]:
        """b - a over the replications both have (common random numbers): mean, low,
        high, n."""
        return paired_effect(self.metrics, a, b, metric_id)

    def scenario_name(self, lang: str, label: str) -> str:
        """The scenario's name in `lang` where the spec gives one, a run's `--label`,
        else its label."""
        if self.manifest.get("kind") == "run" and self.label:
            return self.label
        for ref in self.spec.get("scenarios") or []:
            if ref.get("label") == label and (ref.get("names") or {}).get(lang):
                return str(ref["names"][lang])
        return label

    @property
    def label(self) -> str:
        """The user's label of this run (`--label`), or ''."""
        return str(self.manifest.get("label") or "")

    @property
    def settings(self) -> dict[str, Any]:
        """Every setting given on the command line (`--set key=value`), by key."""
        found = self.manifest.get("settings") or {}
        return dict(found) if isinstance(found, dict) else {}


def load(run_dir: Path) -> Inputs:
    """A finished run or experiment folder, as the report reads it."""
    run = open_finished(run_dir)
    summary, metrics = run.summary, run.metrics
    summary["scenario"] = summary["scenario"].astype(str)
    metrics["scenario"] = metrics["scenario"].astype(str)
    return Inputs(run.manifest, summary, run.comparison, metrics)
