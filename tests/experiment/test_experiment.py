"""Experiments: paired intervals, common random numbers, executors, resume, reports, errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from allocsim import experiment as ex
from allocsim.cli import main
from allocsim.errors import ConfigError
from allocsim.runs import jobs as jobs_module

SMALL = """
name = "tiny"
[run]
pilot_years = 15
[history_policies]
[[stock.areas]]
municipality = "Duiven"
village = "Duiven"
n_homes = 230
neighbourhoods = ["Centrum", "Spotvogelstraat"]
[[stock.areas]]
municipality = "Duiven"
village = "Loo"
n_homes = 30
neighbourhoods = ["Loo"]
[[stock.areas]]
municipality = "Duiven"
village = "Groessen"
n_homes = 30
neighbourhoods = ["Groessen"]
[[stock.areas]]
municipality = "Westervoort"
village = "Westervoort"
n_homes = 230
neighbourhoods = ["Broeklanden", "Dorp"]
[policies.starter_pilot]
quota_per_year = { Duiven = 2, Westervoort = 1 }
"""


def write_spec(tmp_path: Path, extra: str = "", replications: str = "fixed = 3") -> Path:
    (tmp_path / "small.toml").write_text(SMALL)
    spec = tmp_path / "exp.toml"
    spec.write_text(
        f"""
name = "tiny-exp"
seed = 7
baseline = "base"
[replications]
{replications}
[window]
start_date = 2022-01-01
end_date = 2022-04-01
burnin_years = 1
[[scenarios]]
label = "base"
config = "small.toml"
[[scenarios]]
label = "same"
config = "small.toml"
[[scenarios]]
label = "no_pilot"
config = "small.toml"
set = {{ "policies.starter_pilot.enabled" = false }}
{extra}
"""
    )
    return spec


def run(spec: Path, out: Path, **kw: object) -> ex.ExperimentResult:
    s, scenarios = ex.load_experiment(spec)
    return ex.run_experiment(s, scenarios, out, quiet=True, **kw)  # type: ignore[arg-type]


def test_paired_interval_by_hand() -> None:
    rows = []
    for r, (b, s) in enumerate([(1.0, 2.0), (2.0, 4.0), (3.0, 3.0)]):
        rows += [("base", r, "all", "all", "all", "m", b), ("x", r, "all", "all", "all", "m", s)]
    metrics = pd.DataFrame(rows, columns=["scenario", "replication", *ex.KEYS, "value"])
    out = ex.paired_differences(metrics, "base").iloc[0]
    # differences 1, 2, 0: mean 1, sd 1, half-width t(0.975, 2) / sqrt(3)
    half = stats.t.ppf(0.975, 2) / np.sqrt(3)
    assert out.diff_mean == pytest.approx(1.0)
    assert out.diff_ci_low == pytest.approx(1.0 - half)
    assert out.diff_ci_high == pytest.approx(1.0 + half)
    assert out.n_pairs == 3 and not out.significant


def test_a_count_with_no_row_is_a_zero_in_every_difference() -> None:
    """No letting to a group in a replication leaves no row; the difference must count it
    as zero (as the summary does), not drop the replication."""
    from allocsim.analysis.metrics import complete_counts
    from allocsim.analysis.review import metric_values
    from allocsim.reports.compare import _paired

    rows = [("base", r, "all", "all", "urgent", "lettings", 2.0) for r in range(3)]
    rows += [("x", 0, "all", "all", "urgent", "lettings", 5.0)]  # none in 1 and 2
    rows += [("x", r, "all", "all", "all", "lettings", 9.0) for r in range(3)]
    metrics = pd.DataFrame(rows, columns=["scenario", "replication", *ex.KEYS, "value"])
    out = ex.paired_differences(metrics, "base")
    urgent = out[out.group == "urgent"].iloc[0]
    assert urgent.n_pairs == 3 and urgent.diff_mean == pytest.approx((3 - 2 - 2) / 3)
    values = metric_values(metrics, "x", "all/all/urgent/lettings")
    assert values.tolist() == [5.0, 0.0, 0.0]
    x = complete_counts(metrics[metrics.scenario == "x"].drop(columns="scenario"))
    b = metrics[metrics.scenario == "base"].drop(columns="scenario").astype({"level": str})
    pair = _paired(complete_counts(b), x, 0.95)
    assert pair[pair.group == "urgent"]["diff_mean"].iloc[0] == pytest.approx(-1 / 3)


def test_common_random_numbers_give_zero_difference(tmp_path: Path) -> None:
    result = run(write_spec(tmp_path), tmp_path / "out")
    same = result.comparison[result.comparison.scenario == "same"]
    assert len(same) > 50
    assert (same.diff_mean == 0).all()
    pilot = result.comparison[
        (result.comparison.scenario == "no_pilot") & (result.comparison.metric == "lettings")
    ]
    assert (pilot.diff_mean != 0).any()  # the policy does change things


def test_same_numbers_on_every_executor(tmp_path: Path) -> None:
    spec = write_spec(tmp_path)
    serial = run(spec, tmp_path / "serial", executor="serial")
    procs = run(spec, tmp_path / "procs", executor="processes", workers=2)
    dask = run(spec, tmp_path / "dask", executor="dask", workers=2)
    for other in (procs, dask):
        pd.testing.assert_frame_equal(serial.summary, other.summary)
    a = pd.read_parquet(tmp_path / "serial" / "metrics.parquet")
    b = pd.read_parquet(tmp_path / "dask" / "metrics.parquet")
    pd.testing.assert_frame_equal(a, b)


def test_resume_loses_and_duplicates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = write_spec(tmp_path, replications="fixed = 4")
    clean = run(spec, tmp_path / "clean")
    calls: list[tuple[str, int]] = []
    real = ex.run_job

    def counting(job: ex.Job) -> list[ex.JobResult]:
        calls.extend((label, job.replication) for label in [job.label, *dict(job.siblings)])
        return real(job)

    def interrupted(jobs: list[ex.Job], session: ex.Session) -> Iterator[list[ex.JobResult]]:
        # The three scenarios share their history: one job per replication.
        assert all(job.n_scenarios == 3 for job in jobs)
        for job in jobs[:2]:
            yield counting(job)
        raise KeyboardInterrupt

    monkeypatch.setitem(ex.EXECUTORS, "serial", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run(spec, tmp_path / "out")
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    monkeypatch.setitem(ex.EXECUTORS, "serial", lambda jobs, session: (counting(j) for j in jobs))
    resumed = run(spec, tmp_path / "out", resume=True)
    assert len(calls) == 12 and len(set(calls)) == 12  # 3 scenarios x 4, each once
    pd.testing.assert_frame_equal(clean.summary, resumed.summary)
    metrics = pd.read_parquet(tmp_path / "out" / "metrics.parquet")
    assert not metrics.duplicated(["scenario", "replication", *ex.KEYS]).any()
    with pytest.raises(ConfigError):
        run(spec, tmp_path / "out")  # no silent overwrite without --resume


def test_failed_replication_is_recorded_and_the_rest_go_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = ex.job_metrics

    def flaky(frames, cfg, window):  # type: ignore[no-untyped-def]
        if int(frames["seekers"]["replication"].iloc[0]) == 1 and cfg.name == "same":
            raise RuntimeError("boom")
        return real(frames, cfg, window)

    monkeypatch.setattr(jobs_module, "job_metrics", flaky)
    result = run(write_spec(tmp_path), tmp_path / "out")
    assert len(result.failures) == 1
    failure = result.failures[0]
    assert failure["scenario"] == "same" and failure["replication"] == 1
    assert failure["root_seed"] == 7 and "boom" in failure["error"]
    metrics = pd.read_parquet(tmp_path / "out" / "metrics.parquet")
    assert sorted(metrics[metrics.scenario == "same"].replication.unique()) == [0, 2]


def test_sequential_rule_stops_when_targets_are_met(tmp_path: Path) -> None:
    loose = "target_half_width = { 'all/all/all/lettings' = 1e9 }\nmin = 2\nmax = 6\nbatch = 2"
    assert run(write_spec(tmp_path, replications=loose), tmp_path / "a").n_replications == 2
    # A figure that differs between any two replications (a count of lettings in three
    # months of the small world can be equal by chance): its target is never met.
    tight = "target_half_width = { 'all/all/all/active_seekers' = 1e-9 }\nmin = 2\nmax = 4"
    tight += "\nbatch = 2"
    assert run(write_spec(tmp_path, replications=tight), tmp_path / "b").n_replications == 4


def test_sweeps_expand_into_labelled_scenarios(tmp_path: Path) -> None:
    extra = """
[[sweeps]]
name = "quota"
key = "policies.starter_pilot.quota_per_year.Duiven"
values = [0, 4]
scenarios = ["no_pilot"]
"""
    _, scenarios = ex.load_experiment(write_spec(tmp_path, extra))
    labels = [s.label for s in scenarios]
    assert labels == ["base", "same", "no_pilot[quota=0]", "no_pilot[quota=4]"]
    quota = {s.label: s.config.policies.starter_pilot.quota_per_year["Duiven"] for s in scenarios}
    assert quota["no_pilot[quota=4]"] == 4


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("fixed = 3", "fixed = 3\nfixd = 2"), "replications.fixd"),
        (('config = "small.toml"', 'config = "nope.toml"'), "an existing file"),
        (('baseline = "base"', 'baseline = "nobody"'), "baseline = 'nobody'"),
        (("fixed = 3", "fixed = 3\ntarget_half_width = { 'a/b/c/d' = 0.1 }"), "either fixed"),
        (("end_date = 2022-04-01", "end_date = 2021-04-01"), "must be after"),
        (('label = "same"', 'label = "base"'), "unique labels"),
    ],
)
def test_bad_experiment_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: tuple[str, str], expected: str
) -> None:
    spec = write_spec(tmp_path)
    spec.write_text(spec.read_text().replace(*change, 1))
    assert main(["experiment", str(spec), "--out", str(tmp_path / "o"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err and str(spec) in err
    assert not (tmp_path / "o").exists()


def test_every_replication_failing_still_ends_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import allocsim.engine

    def broken(cfgs, stock, replication, *args):  # type: ignore[no-untyped-def]
        raise ValueError("always")

    monkeypatch.setattr(allocsim.engine, "simulate_scenarios", broken)
    spec = write_spec(tmp_path)
    code = main(
        ["experiment", str(spec), "--executor", "serial", "--out", str(tmp_path / "o"), "--quiet"]
    )
    assert code == 1
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert len(manifest["failures"]) == 9 and manifest["status"] == "finished with failures"


# ------------------------------------------------------------------ kill tests


def _children(pid: int) -> set[int]:
    """Processes whose parent is `pid` (from /proc)."""
    out = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.add(int(entry.name))
    return out


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


KILL_OPTS = ["--quiet", "--executor", "processes", "--workers", "2"]


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A spec and its uninterrupted result, shared by the kill tests."""
    import subprocess
    import sys

    tmp = tmp_path_factory.mktemp("clean")
    spec = write_spec(tmp, replications="fixed = 8")
    command = [sys.executable, "-m", "allocsim.cli", "experiment", str(spec), *KILL_OPTS]
    subprocess.run([*command, "--out", str(tmp / "clean")], check=True, timeout=600)
    return spec, tmp / "clean"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc")
@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGKILL"])
def test_killed_driver_leaves_no_workers_and_resume_restores_the_result(
    tmp_path: Path, signal_name: str, uninterrupted: tuple[Path, Path]
) -> None:
    """A driver killed mid-run (SIGTERM like Ctrl-C; SIGKILL without warning) leaves no
    worker behind and no partial file; --resume then gives the uninterrupted result, byte
    for byte."""
    import os
    import signal
    import subprocess
    import sys
    import time

    spec, clean = uninterrupted
    base = [sys.executable, "-m", "allocsim.cli", "experiment", str(spec)]
    opts = KILL_OPTS
    out = tmp_path / "killed"
    driver = subprocess.Popen([*base, *opts, "--out", str(out)], stderr=subprocess.PIPE)
    parts = out / "parts" / "metrics"
    deadline = time.monotonic() + 300
    while len(list(parts.rglob("r*.parquet"))) < 3:  # some replications done, not all
        assert driver.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    workers = _children(driver.pid)
    os.kill(driver.pid, getattr(signal, signal_name))
    code = driver.wait(timeout=60)
    assert code == (130 if signal_name == "SIGTERM" else -signal.SIGKILL)
    deadline = time.monotonic() + 15
    while _alive(workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(workers), "workers outlived their driver"
    subprocess.run([*base, *opts, "--resume", "--out", str(out)], check=True, timeout=600)
    assert not list(out.rglob("*.tmp")), "a partial file was left behind"
    for name in ("summary.csv", "comparison.csv", "metrics.parquet"):
        assert (out / name).read_bytes() == (clean / name).read_bytes(), name
    parts = sorted(p.relative_to(clean) for p in (clean / "parts").rglob("*.parquet"))
    assert parts == sorted(p.relative_to(out) for p in (out / "parts").rglob("*.parquet"))
    for part in parts:  # every replication's part, byte for byte
        assert (out / part).read_bytes() == (clean / part).read_bytes(), part


def test_a_report_cut_short_leaves_whole_files_or_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report interrupted while writing (as a kill would) leaves every file it wrote
    whole, no half or empty file and no temporary file; run again, it completes."""
    from allocsim.reports import render, report
    from allocsim.reports.workbook import Sheet

    spec = write_spec(tmp_path, replications="fixed = 2")
    out = tmp_path / "out"
    run(spec, out)
    real = render.write_workbook

    def killed(path: Path, sheets: list[Sheet]) -> None:
        path.write_bytes(b"PK\x03\x04 half a workbook")  # as far as it got
        raise KeyboardInterrupt

    monkeypatch.setattr(render, "write_workbook", killed)
    with pytest.raises(KeyboardInterrupt):
        report.write_report(out, lang="en")
    assert not list(out.rglob("*.tmp")), "temporary files left behind"
    assert not (out / "report.en.xlsx").exists()
    html = (out / "report.en.html").read_text()
    assert html.rstrip().endswith("</html>")
    assert all(p.stat().st_size > 0 for p in out.rglob("*") if p.is_file())
    monkeypatch.setattr(render, "write_workbook", real)
    paths = report.write_report(out, lang="en")
    assert paths["xlsx"].stat().st_size > 0


def test_an_experiment_cut_short_in_its_final_writes_resumes_to_the_same_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from allocsim.experiment import driver

    spec = write_spec(tmp_path, replications="fixed = 2")
    run(spec, tmp_path / "clean")
    real = driver.replace_file

    def killed(path: Path, write: object) -> None:
        if path.name == "summary.csv":
            (path.parent / f".{path.name}.partial.tmp").write_text("dimension,le")
            raise KeyboardInterrupt
        real(path, write)  # type: ignore[arg-type]

    monkeypatch.setattr(driver, "replace_file", killed)
    with pytest.raises(KeyboardInterrupt):
        run(spec, tmp_path / "out")
    assert not (tmp_path / "out" / "summary.csv").exists()
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    monkeypatch.setattr(driver, "replace_file", real)
    run(spec, tmp_path / "out", resume=True)
    assert not list((tmp_path / "out").rglob("*.tmp"))
    for name in ("summary.csv", "comparison.csv", "metrics.parquet"):
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "clean" / name).read_bytes()


def test_warm_up_computes_each_history_s_pilot_once_in_the_driver(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before jobs go out, the driver computes the first pilot of each history (the three
    scenarios share one) into the pilot cache, where the workers find it; with the cache
    off it does nothing, and a scenario that cannot be simulated is left to its jobs."""
    from allocsim import engine

    spec, scenarios = ex.load_experiment(write_spec(tmp_path))
    monkeypatch.setattr(engine, "_PILOTS", {})
    monkeypatch.setenv("ALLOCSIM_CACHE", "off")
    ex.driver.warm_up(scenarios)
    assert engine._PILOTS == {}
    monkeypatch.setenv("ALLOCSIM_CACHE", str(tmp_path / "cache"))
    ex.driver.warm_up(scenarios)
    assert len(engine._PILOTS) == 1
    assert len(list((tmp_path / "cache" / "pilots").glob("*.npz"))) == 1

    def broken(*_args: object) -> None:
        raise RuntimeError("a scenario that cannot be simulated")

    monkeypatch.setattr(engine, "pilot_state", broken)
    ex.driver.warm_up(scenarios)  # no error here: the jobs record it
