"""Jobs: one replication of the scenarios that share a history, simulated together and
turned into metrics wherever the job runs (a worker process or a Dask worker)."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import json
import time
import traceback
from dataclasses import dataclass
from typing import Any

import pandas as pd

from allocsim.analysis.metrics import replication_metrics, run_metrics
from allocsim.analysis.review import DATA_PREFIX
from allocsim.config import Config
from allocsim.domain import day_of
from allocsim.records import Records


@dataclass(frozen=True)
class Scenario:
    """A scenario of an experiment or exploration: its label and resolved config."""

    label: str
    config: Config


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
    records: Records | None = None
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
    del all_frames, frames  # the tables (kept in the results only with keep_records)
    release_memory()
    return results


def _libc() -> Any:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:  # not a C library ctypes can load: nothing to release
        return None


_LIBC = _libc()


_FROZEN = False


def release_memory() -> None:
    """Hand the memory a job freed back to the system: first the job's engines, which
    hold reference cycles (simpy's schedule and the engine's bound callbacks) and so wait
    for the cycle collector (a worker grew about 11 MB a job until it ran), then glibc's
    malloc_trim: the compiled model allocates and frees its arrays with malloc, whose heap
    otherwise keeps the freed space (a worker grew from about 290 to 360 MB over its first
    jobs; both measured 7 December 2026). The trim is a no-op without glibc."""
    global _FROZEN
    gc.collect()
    if not _FROZEN:  # what is left now (imports, compiled model) lives as long as the worker:
        gc.freeze()  # later collections need not look at it again (a full one took 0.1 s)
        _FROZEN = True
    trim = getattr(_LIBC, "malloc_trim", None)
    if trim is not None:
        trim(0)


def job_metrics(
    frames: Records, cfg: Config, data_window: tuple[float, float] | None
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
