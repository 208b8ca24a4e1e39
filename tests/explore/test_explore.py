"""Explorations: the analysis on arrays with a known answer, a point's configs, the run on
a tiny world (same numbers on every executor, resume, history matching) and bad specs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import qmc

from allocsim.cli import main
from allocsim.errors import ConfigError
from allocsim.explore import analysis, load_exploration, run_exploration, write_outputs
from allocsim.explore import run as run_module
from allocsim.explore.run import ExploreResult
from allocsim.explore.spec import configure
from allocsim.explore.tables import build_tables

ROOT = Path(__file__).resolve().parent.parent.parent

SMALL = """
name = "tiny"
[run]
pilot_years = 10
[history_policies]
[[stock.areas]]
municipality = "Duiven"
village = "Duiven"
n_homes = 200
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
n_homes = 200
neighbourhoods = ["Broeklanden", "Dorp"]
[policies.starter_pilot]
quota_per_year = { Duiven = 2, Westervoort = 1 }
"""

EXPERIMENT = """
name = "tiny-exp"
seed = 7
baseline = "no_pilot"
[replications]
fixed = 2
[window]
start_date = 2022-01-01
end_date = 2022-03-01
burnin_years = 1
[[scenarios]]
label = "pilot"
config = "small.toml"
[[scenarios]]
label = "no_pilot"
config = "small.toml"
set = { "policies.starter_pilot.enabled" = false }
[review]
kind = "starter_pilot"
title = "tiny"
data_window_start = 2022-01-01
data_window_end = 2022-03-01
treatment = "pilot"
control = "no_pilot"
metric = "all/all/starter_18_27/success_rate"
"""

UNCERTAINTIES = """
[[uncertainties]]
name = "prospect"
keys = ["behaviour.reservation_prospect"]
low = 0.5
high = 3.0
reason = "assumption: a test range"

[[uncertainties]]
name = "looks"
keys = ["seekers.kinds.starter.looks_per_week", "seekers.kinds.mover_stock.looks_per_week"]
mode = "scale"
low = 0.7
high = 1.3
reason = "assumption: a test range"

[[uncertainties]]
name = "sizes"
keys = ["policies.status_holders.household_size_shares"]
mode = "tilt"
low = -0.5
high = 0.5
reason = "assumption: a test range"

[[uncertainties]]
name = "senior_homes"
keys = ["stock.dwelling_types.senior.share", "stock.dwelling_types.single_family.share",
        "stock.dwelling_types.apartment.share"]
mode = "share"
low = 0.08
high = 0.16
reason = "assumption: a test range"
"""

EXPLORE = """
experiment = "exp.toml"
name = "tiny-explore"
points = 3
replications = 2
uncertainty_set = "set.toml"
{history}
[[conclusions]]
name = "starters_gain"
en = "The pilot raises starters' success rate"
nl = "De pilot verhoogt de slaagkans van starters"
metric = "all/all/starter_18_27/success_rate"
treatment = "pilot"
control = "no_pilot"
direction = "increase"

[[conclusions]]
name = "seen"
kind = "detectable"
en = "The data window can see it"
nl = "Het datavenster kan het zien"
metric = "all/all/starter_18_27/success_rate"
treatment = "pilot"
control = "no_pilot"
direction = "increase"
"""

NO_HISTORY = "[history_matching]\nenabled = false\n"


def write_tiny(folder: Path, history: str = NO_HISTORY, extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "small.toml").write_text(SMALL)
    (folder / "exp.toml").write_text(EXPERIMENT)
    (folder / "set.toml").write_text(UNCERTAINTIES)
    spec = folder / "explore.toml"
    spec.write_text(EXPLORE.format(history=history) + extra)
    return spec


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="module")
def serial(tiny: Path, tmp_path_factory: pytest.TempPathFactory) -> ExploreResult:
    out = tmp_path_factory.mktemp("serial") / "out"
    return run_exploration(load_exploration(tiny), out, executor="serial", quiet=True)


# ------------------------------------------------------------- analysis on arrays


def test_a_metric_of_one_parameter_ranks_that_parameter_first() -> None:
    unit = qmc.LatinHypercube(d=6, rng=np.random.default_rng(1)).random(64)
    rng = np.random.default_rng(2)
    names = [f"x{j}" for j in range(6)]
    for y in (
        np.sin(6 * unit[:, 2]) + 0.05 * rng.normal(size=64),  # x2 only, up and down
        np.exp(2 * unit[:, 2]) + 0.05 * rng.normal(size=64),  # x2 only, rising
    ):
        table = analysis.sensitivity(unit, y, names, seed=3)
        assert table.iloc[0]["uncertainty"] == "x2"
        top = table.iloc[0]
        assert top["s1_low"] > 0.5  # the interval says it matters
        assert (table.iloc[1:]["s1"] < 0.25).all()
        assert (table.iloc[1:]["s1_low"] < 0.05).all()  # the others' intervals reach 0
    assert top["rho"] > 0.8 and top["rho_low"] > 0  # the rising one: higher x2, higher y


def test_too_few_points_or_a_constant_effect_rank_nothing() -> None:
    unit = np.random.default_rng(0).random((5, 3))
    assert analysis.sensitivity(unit, unit[:, 0], ["a", "b", "c"], 0)["s1"].isna().all()
    unit = np.random.default_rng(0).random((40, 3))
    assert analysis.sensitivity(unit, np.ones(40), ["a", "b", "c"], 0)["s1"].isna().all()


def test_the_failing_region_is_found() -> None:
    unit = qmc.LatinHypercube(d=4, rng=np.random.default_rng(4)).random(60)
    fails = unit[:, 1] > 0.7
    box = analysis.discover(unit, fails, ["a", "b", "c", "d"])
    assert box is not None
    assert [(c.name, c.above) for c in box.conditions] == [("b", True)]
    assert box.conditions[0].threshold == pytest.approx(0.7, abs=0.05)
    assert box.density == 1.0 and box.coverage == 1.0
    assert analysis.discover(unit, np.zeros(60, bool), ["a", "b", "c", "d"]) is None


def test_verdicts_hold_fail_or_cannot_tell() -> None:
    rng = np.random.default_rng(5)
    noise = rng.normal(scale=0.01, size=(4, 10))
    diffs = np.vstack([0.1 + noise[0], -0.1 + noise[1], noise[2], 0.1 + noise[3]])
    diffs[3, 5:] = np.nan  # missing replications are left out
    table = analysis.effect_verdicts(diffs, sign=+1.0)
    assert table["verdict"].tolist() == ["holds", "fails", "unclear", "holds"]
    assert table["n_pairs"].tolist() == [10, 10, 10, 5]
    # A decrease of more than 0.05 holds for row 1 only.
    down = analysis.effect_verdicts(diffs, sign=-1.0, threshold=0.05)
    assert down["verdict"].tolist() == ["fails", "holds", "fails", "fails"]


def test_power_verdicts() -> None:
    rng = np.random.default_rng(6)
    control = rng.normal(size=(2, 40))
    treated = control + np.array([[5.0], [0.0]]) + rng.normal(scale=0.1, size=(2, 40))
    table = analysis.power_verdicts(treated, control, sign=+1.0)
    assert table["verdict"].tolist() == ["holds", "fails"]
    assert table["power"].iloc[0] > 0.99 and table["power"].iloc[1] < 0.2
    assert table["power_empirical"].iloc[0] == 1.0


# ------------------------------------------------------------------ a point's configs


def test_a_point_moves_every_key_in_its_own_way(tiny: Path) -> None:
    exploration = load_exploration(tiny)
    base = exploration.scenarios[0].config
    cfg = configure(base, exploration.uncertainties, np.array([2.0, 1.2, 0.5, 0.16]))
    assert cfg.behaviour.reservation_prospect == 2.0
    kinds = cfg.seekers.kinds
    assert kinds["starter"].looks_per_week == pytest.approx(
        1.2 * base.seekers.kinds["starter"].looks_per_week
    )
    assert kinds["urgent"].looks_per_week == base.seekers.kinds["urgent"].looks_per_week
    sizes = np.array(cfg.policies.status_holders.household_size_shares)
    old = np.array(base.policies.status_holders.household_size_shares)
    assert sizes.sum() == pytest.approx(1.0) and sizes[-1] / sizes[0] > old[-1] / old[0]
    assert cfg.history_policies is not None  # the rules before policy_start move too
    assert (
        cfg.history_policies.status_holders.household_size_shares
        == cfg.policies.status_holders.household_size_shares
    )
    types = cfg.stock.dwelling_types
    assert types["senior"].share == pytest.approx(0.16)
    assert sum(t.share for t in types.values()) == pytest.approx(1.0)
    assert types["apartment"].share / types["single_family"].share == pytest.approx(0.38 / 0.50)


# ------------------------------------------------------------------- the tiny world


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    keys = ["point", "scenario", "replication", "dimension", "level", "group", "metric"]
    return frame.sort_values(keys).reset_index(drop=True)


def test_serial_run_writes_tables_and_both_reports(serial: ExploreResult, tiny: Path) -> None:
    assert serial.points["status"].tolist() == ["kept"] * 3
    assert set(serial.metrics["point"]) == {0, 1, 2}
    assert set(serial.metrics["scenario"]) == {"pilot", "no_pilot"}
    tables, paths = write_outputs(load_exploration(tiny), serial)
    assert len(tables.by_point) == 6  # two conclusions x three points
    for name in ("conclusions", "conclusion-points", "sensitivity", "discovery", "points"):
        assert (serial.out_dir / f"{name}.csv").is_file()
        assert (serial.out_dir / f"{name}.parquet").is_file()
    for lang in ("en", "nl"):
        assert paths[f"html.{lang}"].is_file() and paths[f"xlsx.{lang}"].is_file()
    nl = paths["html.nl"].read_text()
    assert "houdt stand" in nl and "slaagkans" in nl
    # One report stack: the same page (answer first, then the effects), numbers in the
    # workbooks, Dutch in every Dutch page and sheet.
    from tests.reports.test_report import check_dutch, check_numbers

    en = paths["html.en"].read_text()
    assert en.index('id="headline"') < en.index('id="figure-1"') < en.index('id="glance"')
    assert "Forest plot of" in en and 'lang="en"' in en and "report.nl.html" in en
    reasons = tuple(u.reason for u in load_exploration(tiny).uncertainties)
    check_dutch(serial.out_dir, own=reasons)
    for lang in ("en", "nl"):
        check_numbers(paths[f"xlsx.{lang}"])


def test_the_command_prints_the_shares_and_writes_both_reports(
    tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cli"
    code = main(["explore", str(tiny), "--executor", "serial", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0
    assert "starters_gain" in printed and "3 points: 3 kept" in printed
    for name in ("report.en.html", "report.nl.html", "report.en.xlsx", "report.nl.xlsx"):
        assert (out / name).is_file()
    assert main(["explore", str(tiny), "--executor", "serial", "--out", str(out)]) == 2


def test_same_numbers_on_every_executor(serial: ExploreResult, tiny: Path, tmp_path: Path) -> None:
    exploration = load_exploration(tiny)
    procs = run_exploration(
        exploration, tmp_path / "procs", executor="processes", workers=2, quiet=True
    )
    dask = run_exploration(exploration, tmp_path / "dask", executor="dask", workers=2, quiet=True)
    for other in (procs, dask):
        pd.testing.assert_frame_equal(_sorted(serial.metrics), _sorted(other.metrics))
        pd.testing.assert_frame_equal(serial.points, other.points)
    a = build_tables(exploration, serial).by_point
    b = build_tables(exploration, procs).by_point
    pd.testing.assert_frame_equal(a, b)


def test_resume_loses_and_duplicates_nothing(
    serial: ExploreResult, tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exploration = load_exploration(tiny)
    calls: list[tuple[int, str, int]] = []
    real = run_module.run_point

    def counting(job: run_module.PointJob) -> run_module.PointResult:
        calls.extend(
            (job.point, label, j.replication)
            for j in job.jobs
            for label in [j.label, *dict(j.siblings)]
        )
        return real(job)

    def interrupted(job: run_module.PointJob) -> run_module.PointResult:
        if job.point == 1:
            raise KeyboardInterrupt
        return counting(job)

    out = tmp_path / "out"
    monkeypatch.setattr(run_module, "run_point", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_exploration(exploration, out, executor="serial", quiet=True)
    assert '"status": "interrupted"' in (out / "manifest.json").read_text()
    monkeypatch.setattr(run_module, "run_point", counting)
    resumed = run_exploration(exploration, out, executor="serial", resume=True, quiet=True)
    assert len(calls) == 12 and len(set(calls)) == 12  # 3 points x 2 scenarios x 2, once each
    pd.testing.assert_frame_equal(_sorted(serial.metrics), _sorted(resumed.metrics))
    with pytest.raises(ConfigError):
        run_exploration(exploration, out, executor="serial", quiet=True)  # no overwrite
    with pytest.raises(ConfigError):  # another seed is another exploration
        run_exploration(
            load_exploration(tiny, seed=8), out, executor="serial", resume=True, quiet=True
        )


def test_history_matching_sets_contradicting_points_aside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The tiny world stands in for the region; a target no point can meet.
    (tmp_path / "targets.csv").write_text(
        "name,metric,observed\nlettings,all/all/all/lettings,1000000\n"
    )
    (tmp_path / "region.toml").write_text(
        'extends = "small.toml"\n[run]\nend_date = 2022-03-01\nburnin_years = 1\n'
    )
    history = (
        '[history_matching]\nconfig = "region.toml"\ntargets = "targets.csv"\nscale = 1.0\n'
        "replications = 1\ntolerance = 0.5\n"
    )
    spec = write_tiny(tmp_path, history)
    exploration = load_exploration(spec)
    assert exploration.targets[0].expected == 1_000_000  # a count, at scale 1
    result = run_exploration(exploration, tmp_path / "out", executor="serial", quiet=True)
    assert result.points["status"].tolist() == ["set aside"] * 3
    assert result.metrics.empty and not (tmp_path / "out" / "points").exists()
    assert len(result.history) == 3 and not result.history["within"].any()
    tables, paths = write_outputs(exploration, result, ("en",))
    assert tables.conclusions["points_set_aside"].tolist() == [3, 3]
    assert "3 of the 3 points contradict" in paths["html.en"].read_text()
    # A looser tolerance on resume judges the same figures again (the region is not run
    # again) and runs the scenarios of the points it now keeps.
    spec.write_text(spec.read_text().replace("tolerance = 0.5", "tolerance = 1.0"))
    regions: list[int] = []
    real = run_module.run_point

    def counting(job: run_module.PointJob) -> run_module.PointResult:
        regions.extend([job.point] * len(job.history))
        return real(job)

    monkeypatch.setattr(run_module, "run_point", counting)
    looser = run_exploration(
        load_exploration(spec), tmp_path / "out", executor="serial", resume=True, quiet=True
    )
    assert regions == [] and looser.points["status"].tolist() == ["kept"] * 3
    assert set(looser.metrics["point"]) == {0, 1, 2}


def test_a_conclusion_that_holds_everywhere_is_reported_at_100_percent(tiny: Path) -> None:
    exploration = load_exploration(tiny)
    rng = np.random.default_rng(7)
    rows = []
    for point in range(12):
        for r in range(4):
            control = 0.02 + 0.005 * rng.random()
            for scenario, value in (("no_pilot", control), ("pilot", control + 0.03)):
                rows.append(
                    (point, scenario, r, "all", "all", "starter_18_27", "success_rate", value)
                )
    metrics = pd.DataFrame(
        rows,
        columns=[
            "point",
            "scenario",
            "replication",
            "dimension",
            "level",
            "group",
            "metric",
            "value",
        ],
    )
    unit = pd.DataFrame(
        np.random.default_rng(8).random((12, 4)),
        columns=["prospect", "looks", "sizes", "senior_homes"],
    )
    unit.insert(0, "point", range(12))
    points = unit.assign(status="kept")[
        ["point", "status", "prospect", "looks", "sizes", "senior_homes"]
    ]
    result = ExploreResult(Path("."), points, unit, metrics, pd.DataFrame(), 4, [])
    tables = build_tables(exploration, result)
    row = tables.conclusions.set_index("conclusion").loc["starters_gain"]
    assert row["share_holds"] == 1.0 and row["points_kept"] == 12
    assert row["effect_median"] == pytest.approx(0.03)
    assert tables.boxes["starters_gain"] is None
    from allocsim.explore.report import describe

    c = exploration.spec.conclusions[0]
    sens = tables.sensitivity[tables.sensitivity["conclusion"] == c.name]
    english = " ".join(describe(c, tables.conclusions.iloc[0], sens, None, exploration, "en"))
    dutch = " ".join(describe(c, tables.conclusions.iloc[0], sens, None, exploration, "nl"))
    assert "holds at 100% of the 12 points kept" in english
    assert "+3.0 percentage points" in english
    assert "in 100% van de 12 behouden punten" in dutch and "+3,0 procentpunt" in dutch


# ------------------------------------------------------------------------ bad specs


def entry(table: str, **fields: object) -> str:
    """A TOML array-of-tables entry; strings quoted, lists as TOML lists."""
    lines = [f"[[{table}]]"]
    for key, value in fields.items():
        shown = f'"{value}"' if isinstance(value, str) else str(value).replace("'", '"')
        lines.append(f"{key} = {shown}")
    return "\n".join(lines) + "\n"


REASON = "assumption: a test range"
BAD = {
    "unknown key": ("set.toml", "lwo = 0.5\n", "uncertainties.0.lwo"),
    "unknown setting": (
        "explore.toml",
        entry("uncertainties", name="x", keys=["behaviour.nonsense"], low=0, high=1, reason=REASON),
        "behaviour.nonsense",
    ),
    "low above high": (
        "explore.toml",
        entry(
            "uncertainties", name="x", keys=["behaviour.viewing_sd"], low=2, high=1, reason=REASON
        ),
        "uncertainties.0",
    ),
    "unknown distribution": (
        "explore.toml",
        entry(
            "uncertainties",
            name="x",
            keys=["behaviour.viewing_sd"],
            distribution="gamma",
            low=0,
            high=1,
            reason=REASON,
        ),
        "uncertainties.0.distribution",
    ),
    "missing reason": (
        "explore.toml",
        entry("uncertainties", name="x", keys=["behaviour.viewing_sd"], low=0, high=1),
        "uncertainties.0.reason",
    ),
    "range the schema refuses": (
        "explore.toml",
        entry(
            "uncertainties",
            name="x",
            keys=["behaviour.p_unreachable"],
            low=0.5,
            high=1.5,
            reason=REASON,
        ),
        "uncertainties.x",
    ),
    "unknown scenario": (
        "explore.toml",
        entry(
            "conclusions",
            name="c",
            en="e",
            nl="n",
            metric="all/all/all/lettings",
            treatment="nope",
            control="pilot",
            direction="increase",
        ),
        "conclusions.2.treatment",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_specs_get_one_clear_line(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    spec = write_tiny(tmp_path)
    file, text, culprit = BAD[case]
    target = tmp_path / file
    if file == "set.toml":  # a key inside the set's first uncertainty
        target.write_text(
            UNCERTAINTIES.replace('name = "prospect"\n', f'name = "prospect"\n{text}', 1)
        )
    else:
        target.write_text(target.read_text() + text)
    code = main(["explore", str(spec), "--out", str(tmp_path / "out"), "--executor", "serial"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err and "internal error" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines and all(line.startswith("error:") for line in lines), err
    assert culprit in err and file in err, err
    assert not (tmp_path / "out").exists() and not (tmp_path / "results").exists()


@pytest.fixture(autouse=True)
def _no_stray_results(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)
    yield


# Settings marked as an assumption that the shipped set does not vary (its header says why).
NOT_VARIED = {
    "demography.omega_age",
    "demography.moving_away_per_year",
    "run.burnin_years",
    "run.pilot_years",
    "run.pilots",
    "seekers.registered_per_home",
    "stock.turnover_trend_per_year",
    "seekers.arrivals_trend_per_year",
    "allocation.advert_cycle_days",
    "stock.rent_min_2021",
    "eligibility.limits_index_per_year",
    "new_build.unplanned_bedrooms",
    "new_build.unplanned_rent_2021",
    "policies.status_holders.task_persons_h1",
    "policies.status_holders.task_persons_h2",
    "policies.status_holders.income",
    "policies.custom",
}


def test_the_shipped_set_covers_every_assumption_with_a_reason() -> None:
    from allocsim.config import Config
    from allocsim.docs import _rows

    exploration = load_exploration(ROOT / "experiments" / "starter-pilot-t3-2022-explore.toml")
    keys = {k for u in exploration.uncertainties for k in u.keys}
    for u in exploration.uncertainties:
        assert u.reason.startswith(("assumption:", "calibrated:", "source:")), u.name
    marked = [
        key
        for key, _, doc in _rows(Config, Config(), "")
        if ("Assumption" in doc or "Calibrated" in doc) and not key.startswith("[")
    ]
    missing = [
        key
        for key in marked
        if key not in NOT_VARIED and not any(k == key or k.startswith(key + ".") for k in keys)
    ]
    assert missing == []
    assert "seekers.kinds.starter.household_size_shares" in keys  # the kinds' profiles too
