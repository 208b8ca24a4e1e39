"""The experiment driver: runs the jobs on an executor (with the sequential stopping
rule), shows progress, and writes the summary, the paired comparison and the manifest."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from allocsim.analysis.metrics import COUNT_METRICS, select, summarise
from allocsim.experiment.spec import ExperimentSpec, Scenario, spec_fingerprint
from allocsim.paths import replace_file
from allocsim.runs.driver import Drive, Folder, pilot_with_a_line
from allocsim.runs.executors import Executor
from allocsim.runs.folder import COMPARISON, METRICS, SUMMARY, Parts, new_manifest, write_csv
from allocsim.runs.jobs import group_jobs
from allocsim.stats import mean_sd, t_half_width


@dataclass
class ExperimentResult:
    out_dir: Path
    summary: pd.DataFrame
    comparison: pd.DataFrame
    n_replications: int
    failures: list[dict[str, Any]]


def half_widths(metrics: pd.DataFrame, targets: dict[str, float]) -> dict[tuple[str, str], float]:
    """Current 95% interval half-width (half its length) per (scenario, metric id) for
    the targeted metrics."""
    out = {}
    for metric_id in targets:
        for scenario, part in select(metrics, metric_id).groupby("scenario", observed=True):
            s = summarise(part.drop(columns="scenario"))
            out[(str(scenario), metric_id)] = float((s["ci_high"] - s["ci_low"]).iloc[0] / 2)
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
    command: str = "",
    label: str = "",
    settings: dict[str, str] | None = None,
    excel: bool = False,
) -> ExperimentResult:
    """Run (or resume) an experiment into `out_dir` and write its summary and comparison.
    `label` and `settings` (the `--set` items applied to every scenario, key -> value as
    typed) go into the manifest; the report shows them under its title. `excel`:
    summary.csv and comparison.csv as a Dutch Excel saves them (runs.folder.write_csv)."""
    folder = Parts(out_dir, spec.window.start_date)
    labels = [s.label for s in scenarios]
    workers = workers or (os.cpu_count() or 1)
    manifest = new_manifest(
        "experiment",
        spec.name,
        spec.seed,
        command,
        experiment=spec.name,
        fingerprint=spec_fingerprint(spec, scenarios),
        spec=spec.model_dump(mode="json"),
        scenarios={s.label: s.config.resolved() for s in scenarios},
        executor=executor,
        workers=workers,
        label=label,
        settings=settings or {},
    )
    data_window = spec.data_days()
    rule = spec.replications
    fixed = replications if replications is not None else rule.fixed
    target = fixed if fixed is not None else rule.min
    # Progress in the user's replications: one is done when all its scenarios are.
    n_scen = len(scenarios)
    on_disk = Folder(
        out_dir, manifest, resume, "an experiment folder", "the same experiment, seed and configs"
    )
    detail = f"of {n_scen} scenarios" if n_scen > 1 else ""
    with Drive(executor, workers, address, on_disk, quiet=quiet, detail=detail) as drive:
        warm_up(scenarios, (lambda _m: None) if quiet else log)
        while True:
            done = {s.label: folder.done(s.label) for s in scenarios}
            jobs = group_jobs(scenarios, range(target), done, keep_records, data_window)
            runs_left = Counter[int]()
            for job in jobs:
                runs_left[job.replication] += job.n_scenarios
            drive.progress.extend(len(runs_left))
            for results in drive.session.run(jobs):
                for result in results:
                    folder.save(result, spec.seed)
                    runs_left[result.replication] -= 1
                    if not runs_left[result.replication]:
                        drive.progress.step()
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
        drive.stop_workers()
        metrics = folder.load_metrics(labels)
        if len(metrics):
            metrics = metrics[metrics["replication"] < target]
        failures = folder.errors()
        summary, comparison = summarise_experiment(metrics, spec.baseline)
        # Interrupted here, every part is on disk: --resume only writes these again.
        replace_file(out_dir / METRICS, lambda p: metrics.to_parquet(p, index=False))
        replace_file(out_dir / SUMMARY, lambda p: write_csv(summary, p, excel))
        replace_file(out_dir / COMPARISON, lambda p: write_csv(comparison, p, excel))
        drive.finish(target, failures)
    return ExperimentResult(out_dir, summary, comparison, target, failures)


def warm_up(scenarios: list[Scenario], log: Callable[[str], None] = lambda _m: None) -> None:
    """Compile the model and compute each history's first pilot here, once, before jobs
    go out: the workers then load both from the disk caches (numba's, next to the
    package; allocsim.pilot_cache) instead of each compiling and computing them at the
    same time. Nothing to do when the pilot cache is off (the workers compute their
    own) or the scenarios start from the profiles. `log` hears what takes long and how
    long it took."""
    from allocsim import pilot_cache
    from allocsim.world import build_stock

    if pilot_cache.cache_dir() is None:
        return
    histories = {s.config.history_key(): s.config for s in scenarios}
    for cfg in histories.values():
        if not pilot_with_a_line(cfg, build_stock(cfg), log):
            return


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
    # A count with no row in a replication is zero there (as `summarise` has it): dense
    # (metric x replication) tables, counts filled with zero where the replication ran.
    is_count = names["metric"].isin(COUNT_METRICS).to_numpy()

    def dense(sel: np.ndarray) -> np.ndarray:
        table = np.full((n_keys, n_reps), np.nan)
        table[key_id[sel], reps[sel]] = values[sel]
        ran = np.zeros(n_reps, dtype=bool)
        ran[reps[sel]] = True
        fill = is_count[:, None] & ran[None, :] & np.isnan(table)
        table[fill] = 0.0
        return table

    base = dense(is_base)
    frames = []
    for label in dict.fromkeys(scenario[~is_base]):
        own = dense(scenario == label)
        ok = ~np.isnan(base) & ~np.isnan(own)
        k, r = np.nonzero(ok)
        v, b = own[k, r], base[k, r]
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
