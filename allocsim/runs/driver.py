"""The one driver of everything that runs replications: `run`, `experiment`, `explore`,
`calibrate` and `check-steady` all go through a `Drive`.

A Drive holds, for the whole command:

- the workers (`runs.executors.Session`: in this process, a process pool or a Dask
  cluster), started once and stopped at once when the command is interrupted;
- the progress line (`allocsim.progress`), counted in the user's units;
- when the command writes a folder that grows part by part (an experiment, an
  exploration; a calibration's folder is written into again, `replace`), that folder's
  life: checked before any work (new, or resumed with the
  same fingerprint: `runs.folder.prepare`), opened after the workers are had (half-
  written parts dropped), its manifest written at the start, marked "interrupted" when
  the user stops the command (the parts on disk are kept for `--resume`), and finished
  with the replications run and the failures recorded (`finish`).

    with Drive("processes", 2, folder=Folder(out, manifest, resume)) as drive:
        for results in drive.session.run(jobs):
            ...save each result; drive.progress.step()
        ...write the tables
        drive.finish(replications, failures)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from allocsim.errors import ConfigError, Problem
from allocsim.paths import read_manifest
from allocsim.progress import Progress, duration
from allocsim.runs.executors import Executor, Session
from allocsim.runs.folder import (
    MANIFEST,
    Manifest,
    finish_manifest,
    open_for_parts,
    prepare,
    write_manifest,
)


@dataclass
class Folder:
    """A folder written part by part. `manifest`: from `runs.folder.new_manifest`, with
    the `fingerprint` that a resumed folder must share; `what` and `same` name, in the
    messages, what the folder is and what a resumed one must have in common; `replace`:
    an existing folder is written into, its files written again whole (a calibration,
    rerun into its own folder)."""

    path: Path
    manifest: Manifest
    resume: bool = False
    what: str = "a run folder"
    same: str = "the same run"
    replace: bool = False

    @property
    def manifest_path(self) -> Path:
        return self.path / MANIFEST


def same_kind(folder: Folder) -> None:
    """A folder written into again (`replace`) must be empty, new, or of the same kind:
    a calibration is not written over an experiment's folder. Raises ConfigError."""
    if not folder.manifest_path.is_file():
        return
    kind = read_manifest(folder.manifest_path).get("kind")
    if kind != folder.manifest.get("kind"):
        raise ConfigError(
            [
                Problem(
                    "--out",
                    "",
                    str(folder.path),
                    f"a new folder or one {folder.what} wrote (its manifest says kind {kind!r})",
                )
            ]
        )


class Drive:
    """Workers, progress and (optionally) a folder for one command; a context manager.
    `workers`: how many (a Dask scheduler's own at `address`); `quiet`: no progress line;
    `unit` and `detail`: what the progress counts ("5/20 replications of 4 scenarios")."""

    def __init__(
        self,
        executor: Executor = "serial",
        workers: int = 1,
        address: str | None = None,
        folder: Folder | None = None,
        *,
        quiet: bool = True,
        unit: str = "replications",
        detail: str = "",
    ):
        self.folder = folder
        self.session = Session(executor, workers, address)
        self.quiet, self.unit, self.detail = quiet, unit, detail
        self.progress: Progress  # started on entering: its clock starts with the work
        self.workers_stopped = True

    def __enter__(self) -> Drive:
        folder = self.folder
        if folder is not None:  # before the workers: a wrong folder costs nothing
            if folder.replace:
                same_kind(folder)
            else:
                fingerprint = str(folder.manifest.get("fingerprint", ""))
                prepare(folder.path, fingerprint, folder.resume, folder.what, folder.same)
        self.session.__enter__()
        self.workers_stopped = False
        try:
            if folder is not None:  # after: if the workers cannot be had, nothing is written
                if folder.replace:
                    folder.path.mkdir(parents=True, exist_ok=True)
                else:
                    open_for_parts(folder.path)
                write_manifest(folder.manifest_path, folder.manifest)
        except BaseException as exc:
            self.session.__exit__(type(exc), exc, exc.__traceback__)
            raise
        self.progress = Progress(quiet=self.quiet, unit=self.unit, detail=self.detail)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.progress.close()
        try:
            if self.folder is not None and exc_type is KeyboardInterrupt:
                # Every finished part is on disk: --resume runs only what is missing.
                write_manifest(self.folder.manifest_path, self.folder.manifest, "interrupted")
        finally:
            if not self.workers_stopped:
                self.session.__exit__(exc_type, exc, tb)

    def stop_workers(self) -> None:
        """Let the workers go once every job is done, before the tables are summarised:
        their memory is free for the driver's."""
        self.progress.close()
        if not self.workers_stopped:
            self.session.__exit__(None, None, None)
            self.workers_stopped = True

    def finish(self, replications: int, failures: list[dict[str, Any]]) -> Manifest:
        """Complete the folder's manifest (status, finish time, replications, failures)
        and write it: the last file a finished folder gets."""
        assert self.folder is not None, "finish is for a Drive with a folder"
        self.progress.close()
        manifest = finish_manifest(self.folder.manifest, replications, failures)
        write_manifest(self.folder.manifest_path, manifest)
        return manifest


def pilot_with_a_line(cfg: Any, stock: Any, log: Callable[[str], None]) -> bool:
    """The first pilot of `cfg`'s history, computed now (or read from the disk cache):
    `log` hears a line before, when it has to be computed, and how long it took. False
    when it failed: the replication that meets it again records the error with its seed."""
    from allocsim.engine import pilot_state

    start = time.monotonic()
    try:
        pilot_state(cfg, stock, 0, announce=log)
    except Exception:  # noqa: BLE001 - recorded by the replication that meets it
        return False
    if time.monotonic() - start >= 1.0:
        log(f"pilot ready in {duration(time.monotonic() - start)}")
    return True
