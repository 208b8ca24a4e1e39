"""The one driver (allocsim.runs.driver): a folder's life around the workers, on hand-made
manifests, with no simulation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from allocsim.errors import ConfigError
from allocsim.runs.driver import Drive, Folder
from allocsim.runs.executors import Session
from allocsim.runs.folder import Manifest, new_manifest


def manifest(fingerprint: str = "abc") -> Manifest:
    return new_manifest("experiment", "t", 1, "allocsim experiment t.toml", fingerprint=fingerprint)


def status(folder: Path) -> str:
    return json.loads((folder / "manifest.json").read_text())["status"]


def test_a_folder_is_running_then_finished_with_its_replications(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with Drive(folder=Folder(out, manifest())) as drive:
        assert status(out) == "running"
        assert list(drive.session.map(abs, [-1, -2])) == [1, 2]
        drive.finish(2, [])
    written = json.loads((out / "manifest.json").read_text())
    assert written["status"] == "finished" and written["replications"] == 2
    assert written["command"] == "allocsim experiment t.toml"


def test_failures_are_recorded_in_the_manifest(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with Drive(folder=Folder(out, manifest())) as drive:
        drive.finish(3, [{"scenario": "a", "replication": 1, "error": "boom"}])
    assert status(out) == "finished with failures"


def test_an_interrupt_marks_the_folder_and_keeps_its_parts(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt), Drive(folder=Folder(out, manifest())):
        (out / "part.parquet").write_text("done")
        raise KeyboardInterrupt
    assert status(out) == "interrupted"
    assert (out / "part.parquet").read_text() == "done"


def test_another_error_leaves_the_manifest_running(tmp_path: Path) -> None:
    """Only the user's stop is an interruption; anything else is a failure the command
    reports, and the folder says it never finished."""
    out = tmp_path / "out"
    with pytest.raises(RuntimeError), Drive(folder=Folder(out, manifest())):
        raise RuntimeError("boom")
    assert status(out) == "running"


def test_a_wrong_folder_is_refused_before_any_worker_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = []
    monkeypatch.setattr(Session, "__enter__", lambda self: started.append(self) or self)
    (tmp_path / "exists").mkdir()
    with (
        pytest.raises(ConfigError, match="does not exist yet"),
        Drive(folder=Folder(tmp_path / "exists", manifest())),
    ):
        pass
    with (
        pytest.raises(ConfigError, match="to resume"),
        Drive(folder=Folder(tmp_path / "new", manifest(), resume=True)),
    ):
        pass
    assert not started and not (tmp_path / "new").exists()


def test_resume_needs_the_same_fingerprint_and_drops_half_written_parts(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt), Drive(folder=Folder(out, manifest("abc"))):
        (out / ".r000001.parquet.tmp").write_text("half")
        raise KeyboardInterrupt
    with (
        pytest.raises(ConfigError, match="--resume"),
        Drive(folder=Folder(out, manifest("other"), resume=True)),
    ):
        pass
    with Drive(folder=Folder(out, manifest("abc"), resume=True)) as drive:
        assert not list(out.glob("*.tmp"))
        drive.finish(1, [])
    assert status(out) == "finished"


def test_replace_writes_into_a_folder_of_its_own_kind_only(tmp_path: Path) -> None:
    out = tmp_path / "calibration"
    out.mkdir()
    (out / "fit-report.csv").write_text("old")
    (out / "notes.tmp").write_text("the analyst's")
    ours = new_manifest("calibration", "c", 1)
    with Drive(folder=Folder(out, ours, replace=True)) as drive:
        drive.finish(10, [])
    assert status(out) == "finished" and (out / "fit-report.csv").read_text() == "old"
    assert (out / "notes.tmp").is_file()  # nothing but the manifest is touched
    with Drive(folder=Folder(out, new_manifest("calibration", "c", 1), replace=True)):
        pass  # again: a calibration's folder takes a calibration
    experiment = tmp_path / "experiment"
    with Drive(folder=Folder(experiment, manifest())) as drive:
        drive.finish(1, [])
    with (
        pytest.raises(ConfigError, match="kind 'experiment'"),
        Drive(folder=Folder(experiment, ours, "a calibration", replace=True)),
    ):
        pass
    assert json.loads((experiment / "manifest.json").read_text())["kind"] == "experiment"


def test_workers_can_go_before_the_tables_are_written(tmp_path: Path) -> None:
    closed = []
    with Drive() as drive:
        drive.session.__exit__ = lambda *exc: closed.append(exc)  # type: ignore[method-assign]
        drive.stop_workers()
        drive.stop_workers()
    assert closed == [(None, None, None)]  # once, and not again on leaving
