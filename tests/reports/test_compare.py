"""`allocsim compare` refuses what would mislead: runs over different windows, a scenario
it would have to guess, names the runs do not have; and it pairs replications only when
they share their random streams (root seed, window, burn-in, replication numbers).

The run folders are written here directly, with the manifests `allocsim run` and
`allocsim experiment` write (`runs.folder.new_manifest`, a resolved `Config`), and metrics
whose replication r depends only on the root seed and r, as common random numbers do."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from allocsim.cli import main
from allocsim.config import Config
from allocsim.errors import ConfigError
from allocsim.reports.compare import compare_runs
from allocsim.runs.folder import finish_manifest, new_manifest
from allocsim.stats import welch

YEAR = ("2022-01-01", "2023-01-01")
REVIEW = ("2021-01-01", "2022-09-01")
# dimension, level, group, metric, level of the value
ROWS = [
    ("all", "all", "all", "lettings", 400.0),
    ("all", "all", "all", "success_rate", 0.12),
    ("all", "all", "starter_18_27", "lettings", 20.0),
    ("all", "all", "starter_18_27", "success_rate", 0.04),
    ("quota", "Duiven 2022", "vacancies", "used", 180.0),
]


def _config(label: str, window: tuple[str, str], seed: int, burnin: float) -> dict[str, Any]:
    data = Config().resolved()
    data["name"] = label
    data["run"].update(start_date=window[0], end_date=window[1], seed=seed, burnin_years=burnin)
    return data


def _metrics(label: str, seed: int, reps: Sequence[int], effect: float) -> pd.DataFrame:
    rows = []
    for r in reps:
        noise = np.random.default_rng([seed, r]).normal(size=len(ROWS))
        for (dim, level, group, metric, base), z in zip(ROWS, noise, strict=True):
            scale = 0.01 if metric == "success_rate" else 10.0
            value = base * (1 + effect) + scale * z
            rows.append((label, r, dim, level, group, metric, value))
    columns = ["scenario", "replication", "dimension", "level", "group", "metric", "value"]
    return pd.DataFrame(rows, columns=columns)


def make_run(
    folder: Path,
    scenarios: dict[str, float] | None = None,
    kind: str = "run",
    window: tuple[str, str] = YEAR,
    seed: int = 20211207,
    burnin: float = 10.0,
    reps: Sequence[int] = range(6),
) -> Path:
    """A finished run (one scenario) or experiment folder; `scenarios`: label -> effect."""
    scenarios = scenarios or {"agreements-2022": 0.0}
    configs = {s: _config(s, window, seed, burnin) for s in scenarios}
    if kind == "run":
        ((label, cfg),) = configs.items()
        manifest = new_manifest("run", label, seed, scenario=label, config=cfg)
    else:
        spec = {
            "name": folder.name,
            "seed": seed,
            "baseline": next(iter(scenarios)),
            "window": {"start_date": window[0], "end_date": window[1], "burnin_years": burnin},
        }
        manifest = new_manifest(
            "experiment", folder.name, seed, experiment=folder.name, spec=spec, scenarios=configs
        )
    finish_manifest(manifest, len(reps), [])
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))
    metrics = pd.concat(_metrics(s, seed, reps, e) for s, e in scenarios.items())
    metrics.to_parquet(folder / "metrics.parquet", index=False)
    return folder


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_refusal(code: int, out: str, err: str, *culprits: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err and "internal error" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines and all(line.startswith("error: ") for line in lines), err
    assert out == ""
    for culprit in culprits:
        assert culprit in err, err


# ------------------------------------------------------------------ like with like


def test_refuses_runs_over_different_windows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's case: a one-year run against a 20-month review experiment."""
    a = make_run(tmp_path / "year")
    b = make_run(tmp_path / "review", {"pilot": 0.0, "no_pilot": 0.1}, "experiment", REVIEW)
    with pytest.raises(ConfigError) as exc:
        compare_runs(a, b)
    assert [p.key for p in exc.value.problems] == ["window"]
    code, out, err = run_cli(["compare", str(a), str(b)], capsys)
    assert_one_line_refusal(
        code, out, err, str(a), str(b), "window", "2022-01-01..2023-01-01", "2021-01-01..2022-09-01"
    )
    assert err.count("\n") == 1
    # Choosing the scenarios does not help either.
    code, out, err = run_cli(
        ["compare", str(a), str(b), "--scenario", "agreements-2022:pilot"], capsys
    )
    assert_one_line_refusal(code, out, err, "2021-01-01..2022-09-01 (608 days) in B")


def test_refuses_a_different_horizon(tmp_path: Path) -> None:
    a = make_run(tmp_path / "a")
    b = make_run(tmp_path / "b", window=("2022-01-01", "2022-07-01"))
    with pytest.raises(ConfigError, match=r"2022-01-01\.\.2022-07-01 \(181 days\) in B"):
        compare_runs(a, b)


def test_refuses_a_folder_that_does_not_record_its_window(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = make_run(tmp_path / "a")
    b = make_run(tmp_path / "b")
    (b / "manifest.json").write_text('{"kind": "run", "root_seed": 1}')
    code, out, err = run_cli(["compare", str(a), str(b)], capsys)
    assert_one_line_refusal(code, out, err, str(b / "manifest.json"), "config.run.start_date")


# ------------------------------------------------------------------ scenarios


def test_refuses_to_guess_a_scenario(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = make_run(tmp_path / "a")
    b = make_run(tmp_path / "b", {"pilot": 0.0, "no_pilot": 0.1}, "experiment")
    code, out, err = run_cli(["compare", str(a), str(b)], capsys)
    assert_one_line_refusal(code, out, err, "--scenario", "agreements-2022", "pilot, no_pilot")
    code, out, err = run_cli(["compare", str(a), str(b), "--scenario", "pilot"], capsys)
    assert_one_line_refusal(code, out, err, "--scenario = pilot", "A has agreements-2022")
    code, out, _ = run_cli(
        ["compare", str(a), str(b), "--scenario", "agreements-2022:no_pilot"], capsys
    )
    assert code == 0
    assert "Scenario agreements-2022 (A) vs no_pilot (B)" in out


def test_default_scenarios_are_the_shared_ones_or_the_only_ones(tmp_path: Path) -> None:
    exp = make_run(tmp_path / "exp", {"pilot": 0.0, "no_pilot": 0.1, "doubled": 0.2}, "experiment")
    run = make_run(tmp_path / "run", {"no_pilot": 0.0})
    assert [(p.a.label, p.b.label) for p in compare_runs(exp, run).pairs] == [
        ("no_pilot", "no_pilot")
    ]
    other = make_run(tmp_path / "other", {"agreements-2022": 0.0})
    comparison = compare_runs(run, other)
    assert [(p.a.label, p.b.label) for p in comparison.pairs] == [("no_pilot", "agreements-2022")]
    several = compare_runs(exp, exp, scenarios=["pilot", "doubled:pilot"])
    assert [(p.a.label, p.b.label) for p in several.pairs] == [
        ("pilot", "pilot"),
        ("doubled", "pilot"),
    ]
    assert set(zip(several.table["scenario_a"], several.table["scenario_b"], strict=True)) == {
        ("pilot", "pilot"),
        ("doubled", "pilot"),
    }


# ------------------------------------------------------------------ pairing


def test_identical_runs_differ_by_exactly_zero(tmp_path: Path) -> None:
    a = make_run(tmp_path / "a")
    b = Path(shutil.copytree(a, tmp_path / "b"))
    comparison = compare_runs(a, b)
    (pair,) = comparison.pairs
    assert pair.paired
    t = comparison.table
    assert t["paired"].all() and not t["significant"].any()
    assert (t["diff_mean"] == 0).all()
    assert (t["diff_ci_low"] == 0).all() and (t["diff_ci_high"] == 0).all()
    assert (t["n"] == 6).all()


def test_a_run_and_an_experiment_pair_when_seed_window_and_replications_match(
    tmp_path: Path,
) -> None:
    """The spawn key is the replication number alone: the scenario's label, the config's
    name and the kind of folder do not enter it."""
    a = make_run(tmp_path / "a")
    b = make_run(tmp_path / "b", {"agreements-2022": 0.05, "no_pilot": 0.0}, "experiment")
    comparison = compare_runs(a, b)
    (pair,) = comparison.pairs
    assert pair.paired and "same root seed 20211207" in pair.reason
    row = comparison.table.query("group == 'all' and metric == 'lettings'").iloc[0]
    # CRN: the noise cancels replication by replication; only the effect is left.
    assert row["diff_mean"] == pytest.approx(20.0)
    assert row["diff_ci_high"] - row["diff_ci_low"] == pytest.approx(0.0, abs=1e-9)
    assert row["significant"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"seed": 7}, "root seeds differ (20211207 in A, 7 in B)"),
        ({"reps": range(4)}, "replications differ (0-5 in A, 0-3 in B)"),
        ({"burnin": 5.0}, "burn-ins differ (10 y in A, 5 y in B)"),
    ],
)
def test_otherwise_unpaired_with_welch(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: dict[str, Any],
    reason: str,
) -> None:
    a = make_run(tmp_path / "a")
    b = make_run(tmp_path / "b", **change)
    comparison = compare_runs(a, b)
    (pair,) = comparison.pairs
    assert not pair.paired and pair.reason == reason
    assert not comparison.table["paired"].any()
    va = _values(a, "starter_18_27", "lettings")
    vb = _values(b, "starter_18_27", "lettings")
    row = comparison.table.query("group == 'starter_18_27' and metric == 'lettings'").iloc[0]
    diff, lo, hi, _ = welch(va, vb)
    assert (row["diff_mean"], row["diff_ci_low"], row["diff_ci_high"]) == pytest.approx(
        (diff, lo, hi)
    )
    assert (row["n_a"], row["n_b"]) == (va.size, vb.size)
    code, out, _ = run_cli(["compare", str(a), str(b)], capsys)
    assert code == 0 and f"Unpaired (Welch's interval): {reason}." in out


def _values(folder: Path, group: str, metric: str) -> np.ndarray:
    m = pd.read_parquet(folder / "metrics.parquet")
    return m[(m["group"] == group) & (m["metric"] == metric)]["value"].to_numpy()


# ------------------------------------------------------------------ filters and output


def test_metric_and_group_filters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = make_run(tmp_path / "a")
    b = make_run(tmp_path / "b", {"agreements-2022": 0.1})
    argv = ["compare", str(a), str(b), "--metric", "success_rate", "--group", "starter_18_27"]
    code, out, _ = run_cli(argv, capsys)
    assert code == 0
    body = out.split("Scenario agreements-2022\n")[1].split("\n\n")[0].splitlines()
    assert body[0].split() == ["group", "metric", "A", "B", "B-A", "95%", "interval"]
    assert len(body) == 2 and body[1].split()[:2] == ["starter_18_27", "success_rate"]
    assert "%" in body[1] and " pp" in body[1]  # a rate: in %, its difference in points
    table = compare_runs(a, b, metrics=["lettings", "used"], groups=["all", "vacancies"]).table
    assert set(table["metric"]) == {"lettings", "used"}
    assert set(table["group"]) == {"all", "vacancies"}


@pytest.mark.parametrize(
    ("option", "value", "allowed"),
    [
        ("--metric", "slaagkans", "success_rate"),
        ("--group", "starters", "starter_18_27"),
    ],
)
def test_unknown_names_are_refused_with_the_allowed_ones(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    option: str,
    value: str,
    allowed: str,
) -> None:
    a = make_run(tmp_path / "a")
    b = make_run(tmp_path / "b")
    code, out, err = run_cli(["compare", str(a), str(b), option, value], capsys)
    assert_one_line_refusal(code, out, err, f"{option} = {value}", allowed)
    assert err.count("\n") == 1


def test_the_table_is_readable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = make_run(tmp_path / "a", {"pilot": 0.0, "no_pilot": 0.0}, "experiment")
    b = make_run(tmp_path / "b", {"pilot": 0.1, "no_pilot": 0.0}, "experiment")
    code, out, _ = run_cli(["compare", str(a), str(b), "--all"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert lines[0] == f"A  {a} (experiment)"
    assert "   window        2022-01-01..2023-01-01 (365 days), burn-in 10 y" in lines
    assert "   replications  6 (0-5), root seed 20211207" in lines
    assert "Paired replication by replication" in out
    assert "Scenario pilot" in lines and "Scenario no_pilot" in lines
    assert "  quota Duiven 2022" in lines
    rows = [line for line in lines if line.startswith(("all ", "starter_18_27 "))]
    assert len(rows) == 4  # each group named once per block, not on every row
    lettings = next(line for line in lines if line.startswith("all ") and "lettings" in line)
    assert lettings.rstrip().endswith("*")  # pilot: +10% lettings in every replication
    default = run_cli(["compare", str(a), str(b)], capsys)[1]
    assert "quota" not in default and "vacancies" not in default


def test_csv_has_every_dimension_and_is_replaced_only_with_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = make_run(tmp_path / "a")
    b = make_run(tmp_path / "b", seed=3)
    csv = tmp_path / "diff.csv"
    code, _, _ = run_cli(["compare", str(a), str(b), "--csv", str(csv)], capsys)
    assert code == 0
    table = pd.read_csv(csv)
    assert {"paired", "significant", "diff_ci_low", "n_a", "n_b"} <= set(table.columns)
    assert set(table["dimension"]) == {"all", "quota"} and not table["paired"].any()
    code, out, err = run_cli(["compare", str(a), str(b), "--csv", str(csv)], capsys)
    assert_one_line_refusal(code, out, err, "--csv", "--force")
    code, _, _ = run_cli(
        ["compare", str(a), str(b), "--csv", str(csv), "--force", "--metric", "lettings"], capsys
    )
    assert code == 0 and set(pd.read_csv(csv)["metric"]) == {"lettings"}


# ------------------------------------------------------------------ settings and report


def make_changed_run(folder: Path, label: str = "") -> Path:
    """A run like make_run's, whose config doubles Duiven's starter quota and moves the
    lottery cap, with a label in its manifest."""
    make_run(folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    pilot = manifest["config"]["policies"]["starter_pilot"]
    pilot["quota_per_year"] = {**pilot["quota_per_year"], "Duiven": 16}
    manifest["config"]["policies"]["lottery_cap"]["cap_share"]["Westervoort"] = 0.3
    manifest["label"] = label
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


def test_the_settings_that_differ_are_shown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = make_run(tmp_path / "a")
    b = make_changed_run(tmp_path / "b", label="Duiven 16")
    result = compare_runs(a, b)
    table = result.settings.set_index("setting")
    assert list(table.index) == [
        "policies.starter_pilot.quota_per_year.Duiven",
        "policies.lottery_cap.cap_share.Westervoort",
    ]
    assert table.loc["policies.starter_pilot.quota_per_year.Duiven", "value_a"] == "8"
    assert table.loc["policies.starter_pilot.quota_per_year.Duiven", "value_b"] == "16"
    same = compare_runs(a, make_run(tmp_path / "c"))
    assert same.settings.empty  # names, descriptions and folders are not settings
    code, out, _ = run_cli(["compare", str(a), str(b)], capsys)
    assert code == 0
    assert "Settings in which B differs from A:" in out
    assert "policies.starter_pilot.quota_per_year.Duiven: 8 -> 16" in out


def test_compare_writes_its_own_report_in_both_languages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.reports.test_report import check_dutch, check_numbers, visible_text

    a = make_run(tmp_path / "a")
    b = make_changed_run(tmp_path / "b", label="Duiven 16")
    out = tmp_path / "cmp"
    code, printed, _ = run_cli(["compare", str(a), str(b), "--report", str(out)], capsys)
    assert code == 0 and "compare.nl.html" in printed
    page = (out / "compare.en.html").read_text()
    text = visible_text(page)
    assert "Duiven 16 against agreements-2022" in text  # the label names the run
    assert "B differs from A in 2 settings" in text
    assert "policies.starter_pilot.quota_per_year.Duiven 8 → 16" in text
    assert page.index('id="headline"') < page.index('id="figure-1"')
    for lang in ("en", "nl"):
        check_numbers(out / f"compare.{lang}.xlsx")
    check_dutch(out, "compare")
    # Differences of shares in percentage points beside levels in percent; runs by name.
    book = load_workbook(out / "compare.en.xlsx")
    ws = book["Differences"]
    header = [c.value for c in ws[1]]
    rows = [[c for c in r] for r in ws.iter_rows(min_row=2)]
    rate = next(r for r in rows if r[header.index("measure")].value == "success rate")
    table = compare_runs(a, b).table
    expected = table[(table.metric == "success_rate") & (table.group == "all")]
    diff = rate[header.index("difference")]
    assert diff.value == pytest.approx(100 * float(expected.diff_mean.iloc[0]))
    assert "pp" in diff.number_format
    assert rate[header.index("mean A")].number_format == "0.0%"
    assert {r[header.index("B")].value for r in rows} == {"Duiven 16"}
    # A second report into the same folder needs --force; nothing is overwritten before.
    before = (out / "compare.en.html").read_bytes()
    code, _, err = run_cli(["compare", str(a), str(b), "--report", str(out)], capsys)
    assert code == 2 and "--force" in err
    assert (out / "compare.en.html").read_bytes() == before
