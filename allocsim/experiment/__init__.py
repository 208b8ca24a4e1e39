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

from allocsim.experiment.driver import (
    KEYS,
    ExperimentResult,
    paired_differences,
    run_experiment,
    summarise_experiment,
)
from allocsim.experiment.spec import ExperimentSpec, Scenario, load_experiment
from allocsim.runs.executors import EXECUTORS, Executor, Session
from allocsim.runs.jobs import Job, JobResult, job_metrics, run_job

__all__ = [
    "EXECUTORS",
    "KEYS",
    "job_metrics",
    "ExperimentResult",
    "ExperimentSpec",
    "Executor",
    "Job",
    "JobResult",
    "Scenario",
    "Session",
    "load_experiment",
    "paired_differences",
    "run_experiment",
    "run_job",
    "summarise_experiment",
]
