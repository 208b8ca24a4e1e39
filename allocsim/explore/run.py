"""Running an exploration: every scenario of the experiment at every point of the
uncertainty space, with common random numbers, on the experiment's executors.

One job per point: the history-matching runs of the region first (when on), then, if
the point is kept, its pilot once (each point has its own steady state, because the
pilot depends on the behaviour it varies) and every replication of every scenario,
each replication as `experiment.run_job` simulates it. Replication r uses the same
SeedSequence child at every point and in every scenario, as in an experiment.

On disk (`--out`), what is there is what is done, as for experiments: the region's
figures of a point under `history/`, each finished replication's metrics under
`points/p<i>/parts/metrics/scenario=<label>/r<r>.parquet` (only the metrics the
conclusions and the summary tables need). `--resume` runs what is missing; a job cut
short loses the replications of the points that were in flight, nothing else.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from allocsim import package_version
from allocsim.analysis.review import DATA_PREFIX
from allocsim.experiment.spec import Scenario, spec_fingerprint
from allocsim.explore.history import Target, accepted, match, target_values
from allocsim.explore.sampling import point_values, unit_points
from allocsim.explore.spec import Exploration, configure, region_config
from allocsim.paths import replace_file, write_text
from allocsim.runs.driver import Drive, Folder
from allocsim.runs.executors import Executor
from allocsim.runs.folder import Parts, new_manifest
from allocsim.runs.folder import fingerprint as run_fingerprint
from allocsim.runs.jobs import Job, JobResult, group_jobs, run_job

# Beside the conclusions' own metrics, every point keeps these (summary tables).
SUMMARY_IDS = (
    "all/all/*/success_rate",
    "all/all/*/active_seekers",
    "all/all/all/lettings",
    "all/all/all/responses_per_advert",
    "all/all/all/meettijd_median_years",
    "all/all/all/refusals_per_letting",
)


@dataclass(frozen=True)
class PointJob:
    point: int
    jobs: tuple[Job, ...]  # the point's scenario replications still to run
    history: tuple[Job, ...]  # the region's replications (empty: matched already, or off)
    targets: tuple[Target, ...]
    keep: tuple[str, ...]  # metric ids kept ('*' as group: every group)

    @property
    def n_units(self) -> int:
        return len(self.history) + sum(j.n_scenarios for j in self.jobs)


@dataclass
class PointResult:
    point: int
    seconds: float
    history: pd.DataFrame | None = None  # target, replication, value
    history_error: dict[str, Any] | None = None
    kept: bool = True
    results: tuple[JobResult, ...] = ()


def keep_rows(metrics: pd.DataFrame, ids: tuple[str, ...]) -> pd.DataFrame:
    """The rows of the metric ids (a '*' part matches anything)."""
    mask = np.zeros(len(metrics), dtype=bool)
    for metric_id in ids:
        parts = metric_id.split("/")
        m = np.ones(len(metrics), dtype=bool)
        for column, part in zip(("dimension", "level", "group", "metric"), parts, strict=True):
            if part != "*":
                m &= (metrics[column] == part).to_numpy()
        mask |= m
    return metrics[mask].reset_index(drop=True)


def run_point(job: PointJob) -> PointResult:
    """One point, wherever it runs: the region's check, then (if kept) the scenarios."""
    started = time.perf_counter()
    history = None
    if job.history:
        rows = []
        for region_job in job.history:
            (result,) = run_job(region_job)
            if result.error is not None:
                error = {
                    "point": job.point,
                    "replication": region_job.replication,
                    "error": result.error,
                    "traceback": result.trace,
                }
                return PointResult(job.point, time.perf_counter() - started, history_error=error)
            assert result.metrics is not None
            values = target_values(result.metrics, list(job.targets))
            rows += [(name, region_job.replication, v) for name, v in values.items()]
        history = pd.DataFrame(rows, columns=["target", "replication", "value"])
        if not accepted(match(history, list(job.targets))):
            return PointResult(job.point, time.perf_counter() - started, history, kept=False)
    results = []
    for scenario_job in job.jobs:
        for result in run_job(scenario_job):
            if result.metrics is not None:
                result.metrics = keep_rows(result.metrics, job.keep)
            results.append(result)
    return PointResult(job.point, time.perf_counter() - started, history, results=tuple(results))


# --------------------------------------------------------------------- the folder


class ExploreFolder:
    """An exploration on disk."""

    def __init__(self, root: Path, start_date: dt.date):
        self.root = root
        self.start_date = start_date

    def point(self, i: int) -> Parts:
        return Parts(self.root / "points" / f"p{i:05d}", self.start_date)

    def history_path(self, i: int) -> Path:
        return self.root / "history" / f"p{i:05d}.parquet"

    def history_error_path(self, i: int) -> Path:
        return self.root / "history" / f"p{i:05d}.error.json"

    def history(self, i: int) -> pd.DataFrame | None:
        path = self.history_path(i)
        return pd.read_parquet(path) if path.is_file() else None

    def save(self, result: PointResult, seed: int) -> None:
        if result.history_error is not None:
            write_text(self.history_error_path(result.point), json.dumps(result.history_error))
            return
        if result.history is not None:
            path = self.history_path(result.point)
            path.parent.mkdir(parents=True, exist_ok=True)
            replace_file(path, lambda tmp: result.history.to_parquet(tmp, index=False))  # type: ignore[union-attr]
            self.history_error_path(result.point).unlink(missing_ok=True)
        folder = self.point(result.point)
        for r in result.results:
            folder.save(r, seed)


# ---------------------------------------------------------------------- the run


@dataclass
class ExploreResult:
    out_dir: Path
    points: pd.DataFrame  # point, status, and each uncertainty's value
    unit: pd.DataFrame  # point, and each uncertainty's coordinate in [0, 1)
    metrics: pd.DataFrame  # point, scenario, replication, metric columns, value
    history: pd.DataFrame  # point, target, ...: the region's figures per point
    n_replications: int
    failures: list[dict[str, Any]]


def fingerprint(exploration: Exploration, n_points: int) -> str:
    """Hash of everything that determines the numbers but the replications per point (a
    resumed run may ask for more), the conclusions' texts and the history matching's
    tolerance (a resumed run judges the region's figures again: a looser tolerance keeps
    more points, whose scenarios then run)."""
    spec = exploration.spec
    return run_fingerprint(
        {
            "spec": spec.model_dump(
                mode="json",
                exclude={
                    "replications": True,
                    "description": True,
                    "points": True,
                    "conclusions": True,
                    "history_matching": {"tolerance"},
                },
            ),
            "metrics": keep_ids(exploration),
            "points": n_points,
            "uncertainties": [u.model_dump(mode="json") for u in exploration.uncertainties],
            "experiment": spec_fingerprint(exploration.experiment, exploration.scenarios),
            "region": exploration.region.resolved() if exploration.region else None,
            "targets": [(t.name, t.metric, t.expected) for t in exploration.targets],
            "seed": exploration.seed,
            "version": package_version(),
        }
    )


def keep_ids(exploration: Exploration) -> tuple[str, ...]:
    ids = list(SUMMARY_IDS)
    for c in exploration.spec.conclusions:
        ids += [c.metric, DATA_PREFIX + c.metric]
    return tuple(dict.fromkeys(ids))


def draw_points(exploration: Exploration, n_points: int) -> tuple[np.ndarray, np.ndarray]:
    """(unit coordinates, values): one row per point."""
    unit = unit_points(
        n_points, len(exploration.uncertainties), exploration.spec.sampling, exploration.seed
    )
    return unit, point_values(unit, exploration.uncertainties)


def point_scenarios(exploration: Exploration, values: np.ndarray) -> list[Scenario]:
    return [
        Scenario(s.label, configure(s.config, exploration.uncertainties, values))
        for s in exploration.scenarios
    ]


def run_exploration(
    exploration: Exploration,
    out_dir: Path,
    executor: Executor = "serial",
    workers: int | None = None,
    address: str | None = None,
    points: int | None = None,
    replications: int | None = None,
    resume: bool = False,
    quiet: bool = False,
    log: Callable[[str], None] = lambda _msg: None,
    command: str = "",
) -> ExploreResult:
    """Run (or resume) an exploration into `out_dir`; returns what the analysis needs."""
    spec = exploration.spec
    n_points = points if points is not None else spec.points
    n_reps = replications if replications is not None else spec.replications
    unit, values = draw_points(exploration, n_points)
    names = [u.name for u in exploration.uncertainties]
    experiment = exploration.experiment
    data_window = experiment.data_days()
    folder = ExploreFolder(out_dir, experiment.window.start_date)
    workers = workers or (os.cpu_count() or 1)
    keep = keep_ids(exploration)
    matching = exploration.region is not None
    manifest = new_manifest(
        "explore",
        spec.name,
        exploration.seed,
        command,
        fingerprint=fingerprint(exploration, n_points),
        spec=spec.model_dump(mode="json"),
        experiment=experiment.model_dump(mode="json"),
        uncertainties=[u.model_dump(mode="json") for u in exploration.uncertainties],
        scenarios={s.label: s.config.resolved() for s in exploration.scenarios},
        history_matching=exploration.region.resolved() if exploration.region else None,
        points=n_points,
        executor=executor,
        workers=workers,
    )
    on_disk = Folder(
        out_dir,
        manifest,
        resume,
        "an exploration folder",
        "the same exploration: spec, points, seed, uncertainties and configs",
    )
    with Drive(executor, workers, address, on_disk, quiet=quiet, unit="runs") as drive:
        table = pd.DataFrame(values, columns=names)
        table.insert(0, "point", np.arange(n_points))
        unit_table = pd.DataFrame(unit, columns=names)
        unit_table.insert(0, "point", np.arange(n_points))
        replace_file(out_dir / "points.csv", lambda p: table.to_csv(p, index=False))
        replace_file(out_dir / "points-unit.csv", lambda p: unit_table.to_csv(p, index=False))
        jobs = []
        for i in range(n_points):
            history: tuple[Job, ...] = ()
            if matching and folder.history(i) is None:
                region = region_config(exploration, values[i])
                history = tuple(
                    Job("history_matching", region, r, False)
                    for r in range(spec.history_matching.replications)
                )
            elif matching:
                past = folder.history(i)
                assert past is not None
                if not accepted(match(past, exploration.targets)):
                    continue  # set aside in an earlier run
            scenarios = point_scenarios(exploration, values[i])
            point_folder = folder.point(i)
            done = {s.label: point_folder.done(s.label) for s in scenarios}
            todo = group_jobs(scenarios, range(n_reps), done, False, data_window)
            if history or todo:
                jobs.append(PointJob(i, tuple(todo), history, tuple(exploration.targets), keep))
        units = {j.point: j.n_units for j in jobs}
        drive.progress.extend(sum(units.values()))
        for finished in drive.session.map(run_point, jobs):
            folder.save(finished, exploration.seed)
            drive.progress.step(units[finished.point])
        drive.stop_workers()
        result = collect(exploration, folder, table, unit_table, n_reps)
        drive.finish(n_reps, result.failures)
    log(f"{len(jobs)} point job(s) run")
    return result


def collect(
    exploration: Exploration,
    folder: ExploreFolder,
    table: pd.DataFrame,
    unit: pd.DataFrame,
    n_reps: int,
) -> ExploreResult:
    """What is on disk: each point's status, the region's figures and the metrics."""
    labels = [s.label for s in exploration.scenarios]
    statuses, history_rows, frames, failures = [], [], [], []
    for i in table["point"]:
        status = "kept"
        if exploration.region is not None:
            past = folder.history(i)
            error_path = folder.history_error_path(i)
            if past is None:
                status = "failed" if error_path.is_file() else "not run"
                if error_path.is_file():
                    failures.append(json.loads(error_path.read_text()))
            else:
                matched = match(past, exploration.targets)
                history_rows.append(matched.assign(point=i))
                if not accepted(matched):
                    status = "set aside"
        if status == "kept":
            point_folder = folder.point(i)
            metrics = point_folder.load_metrics(labels)
            errors = point_folder.errors()
            failures += [{**e, "point": int(i)} for e in errors]
            if len(metrics):
                metrics = metrics[metrics["replication"] < n_reps]
                frames.append(metrics.assign(point=i))
            n_done = metrics["replication"].nunique() if len(metrics) else 0
            if errors:
                status = "failed"
            elif n_done < n_reps:
                status = "not run"
        statuses.append(status)
    points = table.copy()
    points.insert(1, "status", statuses)
    metrics = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if len(metrics):
        for column in ("scenario", "dimension", "level", "group", "metric"):
            metrics[column] = metrics[column].astype(str)
        metrics = metrics[["point", *[c for c in metrics.columns if c != "point"]]]
    history = pd.concat(history_rows, ignore_index=True) if history_rows else pd.DataFrame()
    if len(history):
        history = history[["point", *[c for c in history.columns if c != "point"]]]
    return ExploreResult(folder.root, points, unit, metrics, history, n_reps, failures)
