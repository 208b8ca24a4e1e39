"""The run folder's contract, in one module: its file names, defined once; the manifest
(`Manifest`, `new_manifest`, `finish_manifest`, `write_manifest`); the two ways a folder
is written: whole, into a temporary folder renamed into place (`write_whole`: `run`), or
part by part, one Parquet part per finished replication (`Parts`: `experiment`, and each
point of `explore`), after the checks before a run writes (`prepare`, `open_for_parts`,
`fingerprint`); and how a finished folder is read (`open_finished`), for `report`,
`compare` and `check-fit` alike.

Every command that writes a folder of replications (`run`, `experiment`, `explore`) writes
`manifest.json` (resolved settings, seed, version, times, the command), `summary.csv`
and `metrics.parquet` (one row per replication and metric); an experiment adds
`comparison.csv`. The manifest carries `folder_format`: a folder from a newer allocsim
whose format this one does not know is refused with a message naming both versions,
and one from before the field existed (format 1, the same files) is read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

import numpy as np
import pandas as pd

from allocsim.errors import ConfigError, EnvironmentProblem, Problem
from allocsim.paths import read_manifest, read_table, umask, write_text
from allocsim.records import with_dates
from allocsim.runs.jobs import JobResult

MANIFEST = "manifest.json"
SUMMARY = "summary.csv"
METRICS = "metrics.parquet"
COMPARISON = "comparison.csv"
FINISHED = (MANIFEST, SUMMARY, METRICS)  # what every finished folder holds

FOLDER_FORMAT = 1  # this allocsim writes and reads format 1 (the files above)


class Manifest(TypedDict, total=False):
    """`manifest.json`: the fields every folder has, then each kind's own (README, The run
    folder). Kept a dict on disk and in memory, so a folder from an older version, which
    lacks a newer field, still reads."""

    kind: str  # run, experiment, explore or calibration
    name: str
    root_seed: int
    allocsim_version: str
    folder_format: int
    command: str  # the command line as parsed; empty when a Python program called
    started: str  # UTC, ISO 8601
    finished: str
    status: str  # running, interrupted, finished, finished with failures
    replications: int
    failures: list[dict[str, Any]]
    scenario: str  # a run's
    config: dict[str, Any]  # a run's resolved config
    spec: dict[str, Any]  # an experiment's or exploration's spec
    scenarios: dict[str, Any]  # label -> resolved config
    fingerprint: str
    executor: str
    workers: int
    sequential: dict[str, Any]  # an experiment's stopping rule: replications, half-widths
    label: str  # the user's name for this run (--label), '' when none
    settings: dict[str, str]  # every --set of the command line: key -> value as typed


@dataclass(frozen=True)
class FinishedRun:
    """A finished run or experiment folder, read: its manifest (checked), its metrics
    (a `scenario` column added for a single run) and its summary and comparison."""

    path: Path
    manifest: dict[str, Any]
    metrics: pd.DataFrame
    summary: pd.DataFrame
    comparison: pd.DataFrame


def check_format(manifest: dict[str, Any], path: Path) -> None:
    """Refuse a folder written in a format this allocsim does not read, and a manifest
    whose settings are not the tables and dates a run writes (a hand-edited one): one
    message naming the key, never an internal error further on."""
    fmt = manifest.get("folder_format", 1)
    if type(fmt) is not int or not 1 <= fmt <= FOLDER_FORMAT:
        from allocsim import package_version

        written = manifest.get("allocsim_version", "an unknown version")
        newer = type(fmt) is int and fmt > FOLDER_FORMAT
        raise ConfigError(
            [
                Problem(
                    str(path),
                    "folder_format",
                    repr(fmt),
                    f"a whole number from 1 to {FOLDER_FORMAT} (the folder says it was written "
                    f"by allocsim {written}; this is allocsim {package_version()}"
                    + ("; read it with the version that wrote it, or rerun)" if newer else ")"),
                )
            ]
        )
    problems = [Problem(str(path), k, repr(v), want) for k, v, want in _malformed(manifest)]
    if problems:
        raise ConfigError(problems[:1])


def _malformed(manifest: dict[str, Any]) -> list[tuple[str, Any, str]]:
    """(key, value, what it should be) for each setting a reader relies on that is not of
    its kind: the resolved configs and spec are tables, their windows ISO dates, the
    burn-in a number."""
    out: list[tuple[str, Any, str]] = []
    runs: list[tuple[str, Any]] = []
    for key in ("config", "spec", "scenarios"):
        if key in manifest and not isinstance(manifest[key], dict):
            out.append((key, manifest[key], "a table"))
    if isinstance(manifest.get("config"), dict):
        runs.append(("config.run", manifest["config"].get("run", {})))
    if isinstance(manifest.get("scenarios"), dict):
        for label, cfg in manifest["scenarios"].items():
            if not isinstance(cfg, dict):
                out.append((f"scenarios.{label}", cfg, "a table (a resolved config)"))
            else:
                runs.append((f"scenarios.{label}.run", cfg.get("run", {})))
    if isinstance(manifest.get("spec"), dict):
        runs.append(("spec.window", manifest["spec"].get("window") or {}))
    for key, run in runs:
        if not isinstance(run, dict):
            out.append((key, run, "a table"))
            continue
        for field in ("start_date", "end_date"):
            if field in run and not _is_date(run[field]):
                out.append((f"{key}.{field}", run[field], "a date (YYYY-MM-DD)"))
        burnin = run.get("burnin_years", 0.0)
        if type(burnin) not in (int, float) and not (key == "spec.window" and burnin is None):
            # An experiment's window may leave it unset: the scenarios' own burn-in.
            out.append((f"{key}.burnin_years", burnin, "a number of years"))
    return out


def _is_date(value: Any) -> bool:
    try:
        dt.date.fromisoformat(str(value))
    except ValueError:
        return False
    return True


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
    """A folder's CSV table, plain or as Dutch Excel saves it (`write_csv` with excel)."""

    def read(p: Path) -> pd.DataFrame:
        with open(p, encoding="utf-8-sig") as fh:
            header = fh.readline()
        if header.count(";") > header.count(","):
            return pd.read_csv(p, sep=";", decimal=",", encoding="utf-8-sig", dtype={"level": str})
        return pd.read_csv(p, dtype={"level": str})

    return read_table(path, read)


def write_csv(frame: pd.DataFrame, path: Path, excel: bool = False) -> None:
    """A folder's CSV table (summary.csv, comparison.csv): plain (UTF-8, commas, decimal
    points), or with `excel` as a Dutch Excel saves "CSV UTF-8" (a byte-order mark,
    semicolons, decimal commas), which Excel opens with its columns split and its numbers
    as numbers. Every reader of a folder reads both."""
    if excel:
        frame.to_csv(path, index=False, sep=";", decimal=",", encoding="utf-8-sig")
    else:
        frame.to_csv(path, index=False)


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


def new_manifest(kind: str, name: str, seed: int, command: str = "", **fields: Any) -> Manifest:
    """The manifest every run folder starts with (`kind`: run or experiment); `finish`
    completes it. One format, so `report` and `compare` read either kind the same way.
    `command`: the command line that asked for it (`cli.command_line`), empty when a
    Python program called the library."""
    from allocsim import package_version

    manifest: Manifest = {
        "kind": kind,
        "name": name,
        "root_seed": seed,
        "allocsim_version": package_version(),
        "command": command,
        "folder_format": FOLDER_FORMAT,
        "started": dt.datetime.now(dt.UTC).isoformat(),
        "status": "running",
    }
    manifest.update(fields)  # type: ignore[typeddict-item]
    return manifest


def finish_manifest(
    manifest: Manifest, replications: int, failures: list[dict[str, Any]]
) -> Manifest:
    manifest.update(
        {
            "status": "finished" if not failures else "finished with failures",
            "finished": dt.datetime.now(dt.UTC).isoformat(),
            "replications": replications,
            "failures": failures,
        }
    )
    return manifest


def write_manifest(path: Path, manifest: Manifest, status: str | None = None) -> None:
    """Write the manifest whole (a reader sees the old one or the new one), with
    `status` when given ("interrupted": the parts on disk are kept for --resume)."""
    if status is not None:
        manifest["status"] = status
    write_text(path, json.dumps(manifest, indent=2, default=str))


# ------------------------------------------------------------- written whole: run


def write_whole(out_dir: Path, files: dict[str, Callable[[Path], object]]) -> Path:
    """Write a folder whole: each file by its writer (name -> writer of that path) into
    a temporary folder next to `out_dir`, renamed into place only when every file is
    written, so a failed or interrupted run never leaves half a folder. Returns where it
    went: `out_dir`, or the first free `out_dir-N` if another process took the name
    meanwhile (the results are not lost)."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        for name, write in files.items():
            write(tmp / name)
        tmp.chmod(0o777 & ~umask())  # mkdtemp's folder is private; results are not
        return _move_into_place(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _move_into_place(tmp: Path, out_dir: Path) -> Path:
    for n in range(1000):
        target = out_dir if n == 0 else out_dir.with_name(f"{out_dir.name}-{n}")
        if target.exists():
            continue
        try:
            tmp.rename(target)
        except OSError:
            if target.exists():
                continue  # taken between the check and the rename
            raise
        return target
    raise EnvironmentProblem(str(out_dir), "no free folder name next to it", "choose --out")


# ------------------------------------------------ written part by part: experiment


def slug(label: str) -> str:
    """A scenario label as a folder name part."""
    return re.sub(r"[^A-Za-z0-9_.\-]+", "_", label)


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


class Parts:
    """A folder written part by part (an experiment, a point of an exploration): one
    Parquet part per finished replication under `parts/`, whose presence marks it done,
    so `--resume` neither loses nor repeats one; error records beside them. What is
    there is what is done. `start_date` (day 0) dates the record tables kept with
    `--keep-records`."""

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
                raise ValueError("Parts needs the start date to write record tables")
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
