"""Run a scenario: replications, then the run folder (Parquet, summary.csv, manifest.json),
written whole (`runs.folder.write_whole`): a failed or interrupted run never leaves half
a folder.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from allocsim.analysis.metrics import summarise
from allocsim.config import Config
from allocsim.engine import Engine, pilot_state, replication_seed
from allocsim.errors import ConfigError, Problem
from allocsim.policies.eligibility import Limits
from allocsim.records import TABLES, with_dates
from allocsim.runs.folder import (
    MANIFEST,
    METRICS,
    SUMMARY,
    finish_manifest,
    new_manifest,
    write_csv,
    write_whole,
)
from allocsim.waiting_list import load_waiting_list, write_waiting_list
from allocsim.world import build_stock


@dataclass
class RunResult:
    out_dir: Path
    summary: pd.DataFrame
    failures: list[dict[str, Any]]


def default_out_dir(cfg: Config, root: Path = Path("results")) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return root / f"{cfg.name}-{stamp}"


def run_scenario(
    cfg: Config,
    out_dir: Path,
    quiet: bool = False,
    command: str = "",
    log: Callable[[str], None] = lambda _msg: None,
    label: str = "",
    settings: dict[str, str] | None = None,
    excel: bool = False,
) -> RunResult:
    """Run every replication of `cfg` and write the run folder: the experiment's job
    (`allocsim.runs.jobs.run_job`: simulate, metrics, a failure recorded with its
    seed) for each replication, and the experiment's manifest format (kind "run").
    Progress goes to stderr (`allocsim.progress`) unless `quiet`; `log` hears the pilot's
    lines (the command line prints them). `label` and `settings` (the `--set` items, key
    -> value as typed) go into the manifest, and the report shows them under its title.
    `excel`: summary.csv as a Dutch Excel saves it (runs.folder.write_csv)."""
    from allocsim.runs.driver import Drive, pilot_with_a_line
    from allocsim.runs.folder import failure_record
    from allocsim.runs.jobs import Job

    out_dir = Path(out_dir)
    if out_dir.exists():
        raise ConfigError([Problem("--out", "", str(out_dir), "a folder that does not exist yet")])
    manifest = new_manifest(
        "run",
        cfg.name,
        cfg.run.seed,
        command,
        scenario=cfg.name,
        config=cfg.resolved(),
        label=label,
        settings=settings or {},
    )
    stock = build_stock(cfg)
    if cfg.run.seed_state == "list":
        load_waiting_list(cfg, stock)  # a bad list file stops the run before any work
    tables: dict[str, list[pd.DataFrame]] = {t: [] for t in TABLES}
    metric_parts: list[pd.DataFrame] = []
    failures: list[dict[str, Any]] = []
    if not quiet:  # the first replication would compute the pilot without a word
        pilot_with_a_line(cfg, stock, log)
    # In this process, one replication after the other; the folder is written whole below.
    with Drive("serial", quiet=quiet) as drive:
        drive.progress.extend(cfg.run.replications)
        jobs = [Job(cfg.name, cfg, r, keep_records=True) for r in range(cfg.run.replications)]
        for (result,) in drive.session.run(jobs):
            drive.progress.step()
            if result.error is not None:  # one failed replication must not sink the run
                failures.append(failure_record(result, cfg.run.seed))
                continue
            assert result.metrics is not None and result.records is not None
            for name, frame in result.records.items():
                tables[name].append(frame)
            metric_parts.append(result.metrics)
    metrics = pd.concat(metric_parts, ignore_index=True) if metric_parts else pd.DataFrame()
    if len(metrics):
        metrics.insert(0, "scenario", cfg.name)
    summary = summarise(metrics.drop(columns="scenario")) if len(metrics) else pd.DataFrame()

    finish_manifest(manifest, cfg.run.replications, failures)
    files: dict[str, Callable[[Path], object]] = {}
    for name, parts in tables.items():
        if parts:
            frame = with_dates(name, pd.concat(parts, ignore_index=True), cfg.run.start_date)
            files[f"{name}.parquet"] = partial(frame.to_parquet, index=False)
    if len(metrics):
        files[METRICS] = partial(metrics.to_parquet, index=False)
    files[SUMMARY] = partial(write_csv, summary, excel=excel)
    files[MANIFEST] = lambda path: path.write_text(json.dumps(manifest, indent=2, default=str))
    return RunResult(write_whole(out_dir, files), summary, failures)


def export_seekers(cfg: Config, path: Path, excel: bool = False) -> int:
    """Write the registered households of replication 0's start (a draw from the
    stationary state, on start_date) as a waiting-list CSV; returns their number.
    `excel`: as a Dutch Excel saves it (`allocsim.world.csv_writer`)."""
    data = cfg.model_dump()
    data["run"].update(burnin_years=0.0, seed_state="pilot")
    data["seekers"]["list_csv_path"] = None
    at_start = Config.model_validate(data)
    stock = build_stock(at_start)
    engine = Engine(at_start, stock, replication_seed(at_start.run.seed, 0), 0)
    engine.begin(pilot_state(at_start, stock))
    state = engine.seed_state()
    limits = Limits.for_year(cfg.eligibility, cfg.run.start_date.year)
    return write_waiting_list(
        path, stock, cfg.run.start_date, state.seekers, limits, excel, cfg.demography.omega_age
    )
