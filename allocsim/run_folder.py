"""The run folder's contract: its file names, defined once, and how a finished folder is
read (`open_finished`), for `report`, `compare` and `check-fit` alike.

Every command that writes a folder (`run`, `experiment`, `explore`) writes
`manifest.json` (resolved settings, seed, version, times, the command), `summary.csv`
and `metrics.parquet` (one row per replication and metric); an experiment adds
`comparison.csv`. The manifest carries `folder_format`: a folder from a newer allocsim
whose format this one does not know is refused with a message naming both versions,
and one from before the field existed (format 1, the same files) is read.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from allocsim.errors import ConfigError, Problem
from allocsim.paths import read_manifest, read_table

MANIFEST = "manifest.json"
SUMMARY = "summary.csv"
METRICS = "metrics.parquet"
COMPARISON = "comparison.csv"
FINISHED = (MANIFEST, SUMMARY, METRICS)  # what every finished folder holds

FOLDER_FORMAT = 1  # this allocsim writes and reads format 1 (the files above)


@dataclass(frozen=True)
class FinishedRun:
    """A finished run or experiment folder, read: its manifest (checked), its metrics
    (a `scenario` column added for a single run) and its summary and comparison."""

    path: Path
    manifest: dict[str, Any]
    metrics: pd.DataFrame
    summary: pd.DataFrame
    comparison: pd.DataFrame

    @property
    def kind(self) -> str:
        """run, experiment or explore (older manifests have no kind: told by their keys)."""
        kind = self.manifest.get("kind")
        if kind:
            return str(kind)
        return "experiment" if isinstance(self.manifest.get("scenarios"), dict) else "run"


def check_format(manifest: dict[str, Any], path: Path) -> None:
    """Refuse a folder written in a format this allocsim does not read."""
    fmt = manifest.get("folder_format", 1)
    if not isinstance(fmt, int) or not 1 <= fmt <= FOLDER_FORMAT:
        from allocsim import package_version

        written = manifest.get("allocsim_version", "an unknown version")
        raise ConfigError(
            [
                Problem(
                    str(path),
                    "folder_format",
                    repr(fmt),
                    f"a run folder in format 1..{FOLDER_FORMAT} (it was written by allocsim "
                    f"{written}; this is allocsim {package_version()}: read it with that "
                    "version, or rerun)",
                )
            ]
        )


def open_finished(run_dir: Path, needs: tuple[str, ...] = FINISHED) -> FinishedRun:
    """Read a finished folder, or ConfigError (exit 2) naming the files it lacks, a
    manifest cut short, a table that cannot be read, or a format this allocsim does not
    read. `needs`: the files the caller uses (compare needs no summary; check-fit only
    the metrics, so a table an analyst made by hand will do)."""
    run_dir = Path(run_dir)
    missing = [name for name in needs if not (run_dir / name).is_file()]
    if missing:
        raise ConfigError(
            [
                Problem(
                    str(run_dir),
                    "",
                    f"no {', '.join(missing)}",
                    f"a finished run folder ({', '.join(needs)})",
                )
            ]
        )
    manifest: dict[str, Any] = {}
    if MANIFEST in needs or (run_dir / MANIFEST).is_file():
        manifest = read_manifest(run_dir / MANIFEST)
        check_format(manifest, run_dir / MANIFEST)
    label = manifest.get("scenario", run_dir.name)
    metrics = read_table(run_dir / METRICS, pd.read_parquet) if METRICS in needs else pd.DataFrame()
    if METRICS in needs and "scenario" not in metrics.columns:
        metrics.insert(0, "scenario", label)
    summary = _csv(run_dir / SUMMARY) if SUMMARY in needs else pd.DataFrame()
    if SUMMARY in needs and "scenario" not in summary.columns:
        summary.insert(0, "scenario", label)
    comparison = _csv(run_dir / COMPARISON) if (run_dir / COMPARISON).is_file() else pd.DataFrame()
    return FinishedRun(run_dir, manifest, metrics, summary, comparison)


def _csv(path: Path) -> pd.DataFrame:
    return read_table(path, lambda p: pd.read_csv(p, dtype={"level": str}))


def fingerprint(content: dict[str, Any]) -> str:
    """The hash that tells whether a folder belongs to the same experiment or exploration:
    of everything that determines its numbers (the caller says what that is)."""
    blob = json.dumps(content, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def prepare(out_dir: Path, fingerprint: str, resume: bool, what: str, same: str) -> None:
    """Check the folder a run is about to write, before any work: a new one must not
    exist; with `resume` it must hold a manifest with the same fingerprint (`what`: "an
    experiment folder", `same`: what must be the same, in words). Raises ConfigError."""
    manifest_path = out_dir / MANIFEST
    if resume:
        if not manifest_path.is_file():
            raise ConfigError([Problem("--out", "", str(out_dir), f"{what} to resume")])
        old = read_manifest(manifest_path)
        check_format(old, manifest_path)
        if old.get("fingerprint") != fingerprint:
            raise ConfigError([Problem("--resume", "", str(out_dir), f"a folder of {same}")])
    elif out_dir.exists():
        raise ConfigError(
            [Problem("--out", "", str(out_dir), "a folder that does not exist yet (or --resume)")]
        )


def open_for_parts(out_dir: Path) -> None:
    """Create the folder (or keep it, resuming) and drop the half-written files a killed
    run left (`*.tmp`): what is there is what is done."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for leftover in out_dir.rglob("*.tmp"):
        leftover.unlink(missing_ok=True)
