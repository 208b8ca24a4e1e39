"""Experiments: scenarios x sweeps x replications, on any executor, streamed to disk.

An experiment spec (`experiments/*.toml`) names scenario configs, a baseline, a root
seed, the replication rule (fixed, or a target confidence-interval half-width with a
sequential stopping rule), the window and optional factor sweeps. Replication r of
every scenario uses the same SeedSequence child (common random numbers), so scenario
differences are paired, and a replication's numbers do not depend on where it ran.

Each finished replication is written at once as Parquet parts under
`parts/`, so memory stays bounded and `--resume` picks up where an interrupted run
stopped, without recomputing or duplicating a replication.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import os
import re
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from allocsim.config import Config, Section
from allocsim.domain import day_of
from allocsim.errors import ConfigError, Problem
from allocsim.loader import load_config_with, read_toml, validate_dict
from allocsim.metrics import replication_metrics, run_metrics, select, summarise
from allocsim.review import DATA_PREFIX
from allocsim.stats import mean_sd, t_half_width
from allocsim.waiting_list import check_data_files

# ------------------------------------------------------------------------ spec


class ScenarioRef(Section):
    label: str = Field(pattern=r"^[A-Za-z0-9_.\-]+$", description="Name in outputs.")
    config: str = Field(description="Scenario TOML, relative to the experiment file.")
    set: dict[str, Any] = Field(
        default_factory=dict, description="Overrides, dotted key -> value, validated as config."
    )


class Sweep(Section):
    name: str = Field(pattern=r"^[A-Za-z0-9_\-]+$")
    key: str = Field(description="Dotted config key the sweep sets.")
    values: list[Any] = Field(min_length=1)
    labels: list[str] | None = Field(None, description="Labels of the values (default: values).")
    scenarios: list[str] | None = Field(None, description="Scenarios it applies to (default all).")

    @model_validator(mode="after")
    def _check(self) -> Sweep:
        if self.labels is not None and len(self.labels) != len(self.values):
            raise ValueError(f"labels has {len(self.labels)} entries, values {len(self.values)}")
        return self


class ReplicationRule(Section):
    fixed: int | None = Field(None, ge=1, description="A fixed number of replications.")
    target_half_width: dict[str, float] = Field(
        default_factory=dict,
        description="Metric id 'dimension/level/group/metric' -> 95% CI half-width to reach; "
        "replications are added in batches until every scenario meets every target.",
    )
    min: int = Field(10, ge=2, description="First batch of the sequential rule.")
    max: int = Field(1000, ge=2, description="The sequential rule stops here at the latest.")
    batch: int = Field(10, ge=1, description="Replications added per round.")

    @model_validator(mode="after")
    def _check(self) -> ReplicationRule:
        if (self.fixed is None) == (not self.target_half_width):
            raise ValueError("give either fixed or target_half_width (not both, not neither)")
        if self.min > self.max:
            raise ValueError(f"min {self.min} exceeds max {self.max}")
        for metric in self.target_half_width:
            if metric.count("/") != 3:
                raise ValueError(f"metric id {metric!r} must be dimension/level/group/metric")
        return self


class Window(Section):
    start_date: dt.date = Field(description="Start of the evaluation window (day 0).")
    end_date: dt.date = Field(description="End of the window (exclusive) = horizon.")
    burnin_years: float | None = Field(
        None,
        ge=0.0,
        le=200.0,
        description="Burn-in before start_date (run.burnin_years); unset: the scenarios' own.",
    )

    @model_validator(mode="after")
    def _check(self) -> Window:
        if self.end_date <= self.start_date:
            raise ValueError(f"end_date {self.end_date} must be after start_date {self.start_date}")
        return self


class Review(Section):
    """A review section: the model's expected effect against what the data could show."""

    kind: Literal["starter_pilot", "village_rule"]
    title: str
    data_window_start: dt.date = Field(description="First day of the data the review sees.")
    data_window_end: dt.date = Field(description="Last day (exclusive) of that data.")
    treatment: str = Field(description="Scenario with the rule.")
    control: str = Field(description="Scenario without it.")
    metric: str = Field(description="Metric id of the headline effect (dim/level/group/metric).")
    quota_scenarios: dict[str, float] = Field(
        default_factory=dict,
        description="Scenario label -> yearly quota it represents, for the smallest quota "
        "at which the effect would be seen with 80% probability.",
    )


class ExperimentSpec(Section):
    name: str = Field(pattern=r"^[A-Za-z0-9_.\-]+$")
    description: str = ""
    seed: int = Field(ge=0, description="Root seed of every scenario (common random numbers).")
    baseline: str = Field(description="Scenario label the others are compared with.")
    replications: ReplicationRule
    window: Window
    scenarios: list[ScenarioRef] = Field(min_length=1)
    sweeps: list[Sweep] = Field(default_factory=list)
    review: Review | None = None
    base_dir: str = Field(".", exclude=True)


# ------------------------------------------------------------------ expansion


@dataclass(frozen=True)
class Scenario:
    label: str
    config: Config


def load_experiment(
    path: str | Path, seed: int | None = None
) -> tuple[ExperimentSpec, list[Scenario]]:
    """Read, validate and expand an experiment; raise ConfigError listing every problem."""
    path = Path(path)
    data, origin = read_toml(path, ())
    data["base_dir"] = str(path.parent)
    if seed is not None:
        data["seed"] = seed
        origin[("seed",)] = "--seed"
    spec: ExperimentSpec = validate_dict(ExperimentSpec, data, origin, str(path))
    problems: list[Problem] = []
    scenarios: list[Scenario] = []
    labels = [s.label for s in spec.scenarios]
    for sweep in spec.sweeps:
        for name in sweep.scenarios or []:
            if name not in labels:
                problems.append(
                    Problem(
                        str(path), f"sweeps.{sweep.name}.scenarios", repr(name), f"one of {labels}"
                    )
                )
    for i, ref in enumerate(spec.scenarios):
        cfg_path = path.parent / ref.config
        if not cfg_path.is_file():
            problems.append(
                Problem(
                    str(path),
                    f"scenarios[{i}].config",
                    ref.config,
                    f"an existing file ({cfg_path})",
                )
            )
            continue
        window = [
            ("run.start_date", spec.window.start_date, str(path)),
            ("run.end_date", spec.window.end_date, str(path)),
            *(
                [("run.burnin_years", spec.window.burnin_years, str(path))]
                if spec.window.burnin_years is not None
                else []
            ),
            ("run.seed", spec.seed, str(path)),
        ]
        own = [(k, v, f"{path}: scenarios[{i}].set") for k, v in ref.set.items()]
        sweeps = [s for s in spec.sweeps if s.scenarios is None or ref.label in s.scenarios]
        grids = [
            [
                (s, v, (s.labels or [_value_label(x) for x in s.values])[j])
                for j, v in enumerate(s.values)
            ]
            for s in sweeps
        ]
        for combo in itertools.product(*grids) if grids else [()]:
            sets = [(s.key, v, f"{path}: sweeps.{s.name}") for s, v, _ in combo]
            label = ref.label + "".join(f"[{s.name}={lab}]" for s, _, lab in combo)
            try:
                cfg = load_config_with(cfg_path, window + own + sets)
            except ConfigError as exc:
                problems.extend(exc.problems)
                continue
            try:
                check_data_files(cfg)
            except ConfigError as exc:
                problems.extend(exc.problems)
                continue
            scenarios.append(Scenario(label, cfg.model_copy(update={"name": label})))
    names = [s.label for s in scenarios]
    if len(set(names)) != len(names):
        problems.append(Problem(str(path), "scenarios", ", ".join(names), "unique labels"))
    checks = [("baseline", spec.baseline)]
    if spec.review is not None:
        checks += [
            ("review.treatment", spec.review.treatment),
            ("review.control", spec.review.control),
        ]
        checks += [(f"review.quota_scenarios.{k}", k) for k in spec.review.quota_scenarios]
    if spec.review is not None:
        r = spec.review
        if not (
            spec.window.start_date
            <= r.data_window_start
            < r.data_window_end
            <= spec.window.end_date
        ):
            problems.append(
                Problem(
                    str(path),
                    "review.data_window_start/end",
                    f"{r.data_window_start}..{r.data_window_end}",
                    f"a window within the evaluation window {spec.window.start_date}.."
                    f"{spec.window.end_date} (only it is recorded)",
                )
            )
    for key, label in checks:
        if names and label not in names:
            problems.append(Problem(str(path), key, repr(label), f"a scenario label: {names}"))
    if problems:
        raise ConfigError(problems)
    return spec, scenarios


def _value_label(value: Any) -> str:
    if isinstance(value, dict):
        return "+".join(str(v) for v in value.values())
    return str(value)


def slug(label: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.\-]+", "_", label)


# --------------------------------------------------------------------- jobs


@dataclass(frozen=True)
class Job:
    label: str
    config: Config
    replication: int
    keep_records: bool
    data_window: tuple[float, float] | None = None  # a review's data window, in days
    siblings: tuple[tuple[str, Config], ...] = ()  # more scenarios with the same history

    @property
    def n_scenarios(self) -> int:
        return 1 + len(self.siblings)


@dataclass
class JobResult:
    label: str
    replication: int
    seconds: float
    metrics: pd.DataFrame | None = None
    records: dict[str, pd.DataFrame] | None = None
    error: str | None = None
    trace: str | None = None


_STOCKS: dict[str, Any] = {}


def run_job(job: Job) -> list[JobResult]:
    """Simulate one replication of a scenario and of its siblings (scenarios with the same
    history, simulated once up to run.policy_start) and compute their metrics (runs
    anywhere). One result per scenario; a failure is recorded with its seed."""
    from allocsim.engine import simulate_scenarios
    from allocsim.world import build_stock

    started = time.perf_counter()
    scenarios = [(job.label, job.config), *job.siblings]
    cfg = job.config
    try:
        key = json.dumps(
            [
                cfg.stock.model_dump(mode="json"),
                cfg.new_build.model_dump(mode="json"),
                cfg.base_dir,
            ],
            sort_keys=True,
        )
        if key not in _STOCKS:
            _STOCKS.clear()
            _STOCKS[key] = build_stock(cfg)
        all_frames = simulate_scenarios(
            [c for _, c in scenarios], _STOCKS[key], job.replication, job.keep_records
        )
    except Exception as exc:  # recorded with its seed; the experiment goes on
        seconds = (time.perf_counter() - started) / len(scenarios)
        return [
            JobResult(
                label, job.replication, seconds, error=repr(exc), trace=traceback.format_exc()
            )
            for label, _ in scenarios
        ]
    seconds = (time.perf_counter() - started) / len(scenarios)
    results = []
    for (label, scenario), frames in zip(scenarios, all_frames, strict=True):
        try:
            metrics = job_metrics(frames, scenario, job.data_window)
            metrics["replication"] = job.replication
            results.append(
                JobResult(
                    label,
                    job.replication,
                    seconds,
                    metrics=metrics,
                    records=frames if job.keep_records else None,
                )
            )
        except Exception as exc:
            results.append(
                JobResult(
                    label, job.replication, seconds, error=repr(exc), trace=traceback.format_exc()
                )
            )
    return results


def job_metrics(
    frames: dict[str, pd.DataFrame], cfg: Config, data_window: tuple[float, float] | None
) -> pd.DataFrame:
    horizon = day_of(cfg.run.end_date, cfg.run.start_date)
    parts = [run_metrics(frames, cfg)]
    # A review's data window gets its own metrics unless it is the evaluation window
    # (then `review.detectability` reads the plain ones).
    if data_window is not None and data_window != (0.0, horizon):
        villages = cfg.policies.village_rule.villages
        data = replication_metrics(frames, *data_window, cfg.seekers.group_ages(), None, villages)
        data["dimension"] = DATA_PREFIX + data["dimension"]
        parts.append(data)
    return pd.concat(parts, ignore_index=True)


def group_jobs(
    scenarios: list[Scenario],
    replications: range,
    done: dict[str, set[int]],
    keep_records: bool,
    data_window: tuple[float, float] | None,
) -> list[Job]:
    """One job per replication and history: scenarios that share their history (equal
    `Config.history_key()`) are simulated together, the history once."""
    by_history: dict[str, list[Scenario]] = {}
    for s in scenarios:
        by_history.setdefault(s.config.history_key(), []).append(s)
    jobs = []
    for r in replications:
        for group in by_history.values():
            todo = [s for s in group if r not in done[s.label]]
            if todo:
                jobs.append(
                    Job(
                        todo[0].label,
                        todo[0].config,
                        r,
                        keep_records,
                        data_window,
                        tuple((s.label, s.config) for s in todo[1:]),
                    )
                )
    return jobs


# ---------------------------------------------------------------- executors

Executor = Literal["serial", "processes", "dask"]


class Session:
    """Workers kept for a whole experiment or calibration: a process pool or a Dask
    client is started once, not per round of jobs. Use as a context manager."""

    def __init__(self, executor: Executor, workers: int, address: str | None = None):
        self.executor = executor
        self.workers = workers
        self.address = address
        self.pool: Any = None
        self.client: Any = None
        self.cluster: Any = None

    def __enter__(self) -> Session:
        if self.executor == "processes":
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # A context of our own: the global start method is left alone.
            ctx = multiprocessing.get_context("spawn")
            self.pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx)
        elif self.executor == "dask":
            from distributed import Client, LocalCluster

            if self.address:
                self.client = Client(self.address)
            else:
                self.cluster = LocalCluster(
                    n_workers=self.workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    host="127.0.0.1",
                )
                self.client = Client(self.cluster)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def run(self, jobs: list[Job]) -> Iterator[list[JobResult]]:
        """Results as they finish; at most a few jobs per worker are in flight."""
        return EXECUTORS[self.executor](jobs, self)


def _serial(jobs: list[Job], session: Session) -> Iterator[list[JobResult]]:
    for job in jobs:
        yield run_job(job)


def _processes(jobs: list[Job], session: Session) -> Iterator[list[JobResult]]:
    from concurrent.futures import FIRST_COMPLETED, wait

    pool = session.pool
    pending = iter(jobs)
    running = {pool.submit(run_job, j) for j in itertools.islice(pending, session.workers * 4)}
    while running:
        done, running = wait(running, return_when=FIRST_COMPLETED)
        for future in done:
            yield future.result()
            nxt = next(pending, None)
            if nxt is not None:
                running.add(pool.submit(run_job, nxt))


def _dask(jobs: list[Job], session: Session) -> Iterator[list[JobResult]]:
    from distributed import as_completed

    client = session.client
    pending = iter(jobs)
    futures = [
        client.submit(run_job, j, pure=False)
        for j in itertools.islice(pending, session.workers * 4)
    ]
    queue = as_completed(futures)
    for future in queue:
        result = future.result()
        future.release()
        yield result
        nxt = next(pending, None)
        if nxt is not None:
            queue.add(client.submit(run_job, nxt, pure=False))


EXECUTORS: dict[str, Callable[[list[Job], Session], Iterator[list[JobResult]]]] = {
    "serial": _serial,
    "processes": _processes,
    "dask": _dask,
}


# ------------------------------------------------------------- run folder


def spec_fingerprint(spec: ExperimentSpec, scenarios: list[Scenario]) -> str:
    """Hash of everything that determines the numbers (not the replication count)."""
    blob = json.dumps(
        {
            "seed": spec.seed,
            "window": spec.window.model_dump(mode="json"),
            "scenarios": [(s.label, s.config.resolved()) for s in scenarios],
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _write_atomic(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    frame.to_parquet(tmp, index=False)
    os.replace(tmp, path)


@dataclass
class Progress:
    """A progress bar with ETA on a terminal; silent otherwise."""

    total: int
    quiet: bool
    bar: Any = field(default=None)

    def __post_init__(self) -> None:
        if not self.quiet and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=self.total, unit="rep", dynamic_ncols=True, file=sys.stderr)

    def extend(self, n: int) -> None:
        self.total += n
        if self.bar is not None:
            self.bar.total = self.total
            self.bar.refresh()

    def step(self) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class RunFolder:
    """The parts of an experiment on disk; what is there is what is done."""

    def __init__(self, root: Path):
        self.root = root
        self.parts = root / "parts"

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
            path.write_text(
                json.dumps(
                    {
                        "scenario": result.label,
                        "replication": result.replication,
                        "root_seed": seed,
                        "spawn_key": [result.replication],
                        "error": result.error,
                        "traceback": result.trace,
                    },
                    indent=2,
                )
            )
            return
        assert result.metrics is not None
        if result.records is not None:
            for table, frame in result.records.items():
                _write_atomic(frame, self.record_path(table, result.label, result.replication))
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


# ------------------------------------------------------------------- driver


@dataclass
class ExperimentResult:
    out_dir: Path
    summary: pd.DataFrame
    comparison: pd.DataFrame
    n_replications: int
    failures: list[dict[str, Any]]


def half_widths(metrics: pd.DataFrame, targets: dict[str, float]) -> dict[tuple[str, str], float]:
    """Current 95% CI half-width per (scenario, metric id) for the targeted metrics."""
    out = {}
    for metric_id in targets:
        for scenario, part in select(metrics, metric_id).groupby("scenario", observed=True):
            s = summarise(part.drop(columns="scenario"))
            out[(str(scenario), metric_id)] = float((s["ci_high"] - s["mean"]).iloc[0])
    return out


def run_experiment(
    spec: ExperimentSpec,
    scenarios: list[Scenario],
    out_dir: Path,
    executor: Executor = "serial",
    workers: int | None = None,
    address: str | None = None,
    replications: int | None = None,
    resume: bool = False,
    keep_records: bool = False,
    quiet: bool = False,
    log: Callable[[str], None] = lambda _msg: None,
) -> ExperimentResult:
    """Run (or resume) an experiment into `out_dir` and write its summary and comparison."""
    folder = RunFolder(out_dir)
    fingerprint = spec_fingerprint(spec, scenarios)
    manifest_path = out_dir / "manifest.json"
    if resume:
        if not manifest_path.is_file():
            raise ConfigError(
                [Problem("--out", "", str(out_dir), "an experiment folder to resume")]
            )
        old = json.loads(manifest_path.read_text())
        if old.get("fingerprint") != fingerprint:
            raise ConfigError(
                [
                    Problem(
                        "--resume",
                        "",
                        str(out_dir),
                        "a folder of the same experiment, seed and configs",
                    )
                ]
            )
    elif out_dir.exists():
        raise ConfigError(
            [Problem("--out", "", str(out_dir), "a folder that does not exist yet (or --resume)")]
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    workers = workers or (os.cpu_count() or 1)
    labels = [s.label for s in scenarios]
    manifest: dict[str, Any] = {
        "experiment": spec.name,
        "fingerprint": fingerprint,
        "spec": spec.model_dump(mode="json"),
        "scenarios": {s.label: s.config.resolved() for s in scenarios},
        "root_seed": spec.seed,
        "allocsim_version": _version(),
        "started": dt.datetime.now(dt.UTC).isoformat(),
        "executor": executor,
        "workers": workers,
        "status": "running",
    }
    manifest_path.write_text(json.dumps(manifest, indent=2, default=str))

    data_window = None
    if spec.review is not None:
        start = spec.window.start_date
        data_window = (
            day_of(spec.review.data_window_start, start),
            day_of(spec.review.data_window_end, start),
        )
    rule = spec.replications
    fixed = replications if replications is not None else rule.fixed
    target = fixed if fixed is not None else rule.min
    progress = Progress(0, quiet)
    try:
        with Session(executor, workers, address) as session:
            while True:
                done = {s.label: folder.done(s.label) for s in scenarios}
                jobs = group_jobs(scenarios, range(target), done, keep_records, data_window)
                progress.extend(sum(job.n_scenarios for job in jobs))
                for results in session.run(jobs):
                    for result in results:
                        folder.save(result, spec.seed)
                        progress.step()
                if fixed is not None:
                    break
                metrics = folder.load_metrics(labels)
                widths = half_widths(metrics, rule.target_half_width)
                unmet = {k: w for k, w in widths.items() if not w <= rule.target_half_width[k[1]]}
                if not unmet or target >= rule.max:
                    manifest["sequential"] = {
                        "replications": target,
                        "half_widths": {f"{s} {m}": w for (s, m), w in widths.items()},
                        "targets_met": not unmet,
                    }
                    break
                log(f"{target} replications: {len(unmet)} targets not met yet")
                target = min(rule.max, target + rule.batch)
    except KeyboardInterrupt:
        progress.close()
        manifest["status"] = "interrupted"
        manifest_path.write_text(json.dumps(manifest, indent=2, default=str))
        raise
    progress.close()

    metrics = folder.load_metrics(labels)
    if len(metrics):
        metrics = metrics[metrics["replication"] < target]
    failures = folder.errors()
    summary, comparison = summarise_experiment(metrics, spec.baseline)
    metrics.to_parquet(out_dir / "metrics.parquet", index=False)
    summary.to_csv(out_dir / "summary.csv", index=False)
    comparison.to_csv(out_dir / "comparison.csv", index=False)
    manifest.update(
        {
            "status": "finished" if not failures else "finished with failures",
            "finished": dt.datetime.now(dt.UTC).isoformat(),
            "replications": target,
            "failures": failures,
        }
    )
    manifest_path.write_text(json.dumps(manifest, indent=2, default=str))
    return ExperimentResult(out_dir, summary, comparison, target, failures)


def summarise_experiment(metrics: pd.DataFrame, baseline: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per scenario summaries, and paired differences against the baseline."""
    if metrics.empty:
        return pd.DataFrame(), pd.DataFrame()
    parts = []
    for scenario, part in metrics.groupby("scenario", sort=False, observed=True):
        s = summarise(part.drop(columns="scenario"))
        s.insert(0, "scenario", scenario)
        parts.append(s)
    summary = pd.concat(parts, ignore_index=True)
    return summary, paired_differences(metrics, baseline)


KEYS = ["dimension", "level", "group", "metric"]


def paired_differences(
    metrics: pd.DataFrame, baseline: str, confidence: float = 0.95
) -> pd.DataFrame:
    """Mean difference scenario - baseline over replications present in both, with a
    t-interval; `significant` marks intervals that exclude zero.

    Vectorised: each metric gets an integer id, the baseline a dense (metric x
    replication) table, and the sums come from `np.bincount`, so a thousand
    replications of every scenario cost little memory."""
    key_id = metrics.groupby(KEYS, observed=True, sort=True).ngroup().to_numpy()
    n_keys = int(key_id.max()) + 1 if key_id.size else 0
    first = pd.Series(np.arange(key_id.size)).groupby(key_id).first().to_numpy()
    names = metrics[KEYS].iloc[first].astype(str).reset_index(drop=True)
    reps = metrics["replication"].to_numpy()
    n_reps = int(reps.max()) + 1 if reps.size else 0
    values = metrics["value"].to_numpy(dtype=float)
    scenario = metrics["scenario"].astype(str).to_numpy()
    is_base = scenario == baseline
    base = np.full((n_keys, n_reps), np.nan)
    base[key_id[is_base], reps[is_base]] = values[is_base]
    frames = []
    for label in dict.fromkeys(scenario[~is_base]):
        sel = scenario == label
        k, r, v = key_id[sel], reps[sel], values[sel]
        b = base[k, r]
        ok = ~np.isnan(b) & ~np.isnan(v)
        k, v, b = k[ok], v[ok], b[ok]
        d = v - b
        n = np.bincount(k, minlength=n_keys).astype(float)
        mean, sd = mean_sd(np.bincount(k, d, n_keys), np.bincount(k, d * d, n_keys), n)
        half = t_half_width(sd, n, confidence)
        with np.errstate(invalid="ignore", divide="ignore"):
            frame = names.assign(
                scenario=label,
                baseline_mean=np.bincount(k, b, n_keys) / n,
                scenario_mean=np.bincount(k, v, n_keys) / n,
                diff_mean=mean,
                diff_ci_low=mean - half,
                diff_ci_high=mean + half,
                n_pairs=n.astype(int),
            )
        frame["significant"] = (n > 1) & ((frame["diff_ci_low"] > 0) | (frame["diff_ci_high"] < 0))
        frames.append(frame[n > 0])
    columns = [
        "scenario",
        *KEYS,
        "baseline_mean",
        "scenario_mean",
        "diff_mean",
        "diff_ci_low",
        "diff_ci_high",
        "n_pairs",
        "significant",
    ]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def _version() -> str:
    from allocsim.runner import package_version

    return package_version()
