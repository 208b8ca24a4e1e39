"""The experiment folder on disk: one Parquet part per finished replication (its
presence marks it done, so `--resume` neither loses nor repeats one), error records,
and the fingerprint that tells whether a folder belongs to the same experiment."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from allocsim import package_version
from allocsim.experiment.jobs import JobResult
from allocsim.experiment.spec import ExperimentSpec, Scenario, slug
from allocsim.records import with_dates
from allocsim.run_folder import fingerprint as run_fingerprint


def spec_fingerprint(spec: ExperimentSpec, scenarios: list[Scenario]) -> str:
    """Hash of everything that determines the numbers: the whole spec but its replication
    rule (a resumed run may ask for more) and the names and texts reports give, every
    resolved config and the package version."""
    return run_fingerprint(
        {
            "spec": spec.model_dump(
                mode="json",
                exclude={
                    "replications": True,
                    "description": True,
                    "descriptions": True,
                    "scenarios": {"__all__": {"names"}},
                    "review": {"titles"},
                },
            ),
            "scenarios": [(s.label, s.config.resolved()) for s in scenarios],
            "version": package_version(),
        }
    )


def _write_atomic(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    frame.to_parquet(tmp, index=False)
    os.replace(tmp, path)


def failure_record(result: JobResult, seed: int) -> dict[str, Any]:
    """How a failed replication is recorded, by `run` and `experiment` alike: enough to
    rerun it (root seed and spawn key) and the error with its traceback."""
    return {
        "scenario": result.label,
        "replication": result.replication,
        "root_seed": seed,
        "spawn_key": [result.replication],
        "error": result.error,
        "traceback": result.trace,
    }


class RunFolder:
    """The parts of an experiment on disk; what is there is what is done. `start_date`
    (the experiment's day 0) dates the record tables kept with `--keep-records`."""

    def __init__(self, root: Path, start_date: dt.date | None = None):
        self.root = root
        self.parts = root / "parts"
        self.start_date = start_date

    def metrics_path(self, label: str, r: int) -> Path:
        return self.parts / "metrics" / f"scenario={slug(label)}" / f"r{r:06d}.parquet"

    def error_path(self, label: str, r: int) -> Path:
        return self.parts / "errors" / f"{slug(label)}-r{r:06d}.json"

    def record_path(self, table: str, label: str, r: int) -> Path:
        return self.root / "records" / table / f"scenario={slug(label)}" / f"r{r:06d}.parquet"

    def done(self, label: str) -> set[int]:
        folder = self.parts / "metrics" / f"scenario={slug(label)}"
        if not folder.is_dir():
            return set()
        return {int(p.stem[1:]) for p in folder.glob("r*.parquet")}

    def save(self, result: JobResult, seed: int) -> None:
        if result.error is not None:
            path = self.error_path(result.label, result.replication)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(failure_record(result, seed), indent=2))
            return
        assert result.metrics is not None
        if result.records is not None:
            if self.start_date is None:
                raise ValueError("RunFolder needs the start date to write record tables")
            for table, frame in result.records.items():
                dated = with_dates(table, frame, self.start_date)
                _write_atomic(dated, self.record_path(table, result.label, result.replication))
        # The metrics part goes last: its presence marks the replication as done.
        _write_atomic(result.metrics, self.metrics_path(result.label, result.replication))
        self.error_path(result.label, result.replication).unlink(missing_ok=True)

    def load_metrics(self, labels: list[str]) -> pd.DataFrame:
        """Every finished replication's metrics, scenarios in `labels` order, with the
        text columns as categoricals (a thousand replications stay in memory easily)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        text = ["dimension", "level", "group", "metric"]
        tables = []
        for label in labels:
            folder = self.parts / "metrics" / f"scenario={slug(label)}"
            paths = sorted(folder.glob("r*.parquet"))
            if not paths:
                continue
            # Text columns are read as dictionaries: a thousand parts repeat the same names.
            table = pa.concat_tables(pq.read_table(p, read_dictionary=text) for p in paths)
            label_col = pa.DictionaryArray.from_arrays(
                pa.array(np.zeros(table.num_rows, dtype=np.int32)), pa.array([label])
            )
            tables.append(table.append_column("scenario", label_col))
        if not tables:
            return pd.DataFrame()
        frame = pa.concat_tables(tables).unify_dictionaries().to_pandas()
        return frame[["scenario", *[c for c in frame.columns if c != "scenario"]]]

    def errors(self) -> list[dict[str, Any]]:
        folder = self.parts / "errors"
        if not folder.is_dir():
            return []
        return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]
