"""Bad input, as a careless or unlucky user gives it: every case ends with its documented
exit code (2 bad input, 3 environment), one line per problem naming the culprit, no
traceback, and nothing written."""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocsim.cli import main

ROOT = Path(__file__).resolve().parent.parent
CONFIG = str(ROOT / "configs" / "agreements-2022.toml")
SPEC = str(ROOT / "experiments" / "starter-pilot-t3-2022.toml")
STOCK_HEADER = (
    "home_id,municipality,village,neighbourhood,dwelling_type,bedrooms,rent_2021,"
    "senior_suitable,new_build,completion_date\n"
)
GOOD_ROW = "1,Duiven,Duiven,Centrum,apartment,2,600,false,false,\n"
# A stock file holding every place the default policies name.
GOOD_STOCK = STOCK_HEADER + "".join(
    f"{i},{m},{v},{h},apartment,2,600,false,false,\n"
    for i, (m, v, h) in enumerate(
        (
            ("Duiven", "Duiven", "Broeklanden"),
            ("Duiven", "Duiven", "Spotvogelstraat"),
            ("Duiven", "Loo", "Loo"),
            ("Duiven", "Groessen", "Groessen"),
            ("Westervoort", "Westervoort", "Centrum"),
        ),
        start=10,
    )
)


def scenario(tmp: Path, body: str, name: str = "s.toml") -> str:
    path = tmp / name
    path.write_text(f'extends = "{CONFIG}"\n{body}')
    return str(path)


def stock_scenario(tmp: Path, csv_text: str | bytes, extra: str = "") -> str:
    csv = tmp / "stock.csv"
    if isinstance(csv_text, bytes):
        csv.write_bytes(csv_text)
    else:
        csv.write_text(csv_text)
    return scenario(tmp, f'[stock]\nsource = "csv"\ncsv_path = "stock.csv"\n{extra}')


THIRD_MUNICIPALITY = "".join(
    f'[[stock.areas]]\nmunicipality = "{m}"\nvillage = "{v}"\nn_homes = 50\n'
    f"neighbourhoods = {hoods}\n"
    for m, v, hoods in (
        ("Duiven", "Duiven", '["Broeklanden", "Spotvogelstraat"]'),
        ("Duiven", "Loo", '["Loo"]'),
        ("Duiven", "Groessen", '["Groessen"]'),
        ("Westervoort", "Westervoort", '["W"]'),
        ("Zevenaar", "Zevenaar", '["Z"]'),
    )
)

# Each case: a function of the temporary folder giving the command line, the exit code,
# and a text the message must contain (the culprit: a file, key or option).
Case = Callable[[Path], list[str]]
CASES: list[tuple[str, Case, int, str]] = [
    # ------------------------------------------------------------ config files
    ("missing config", lambda t: ["validate", str(t / "nope.toml")], 2, "nope.toml"),
    ("config is a folder", lambda t: ["validate", str(t)], 2, "not a folder"),
    (
        "config not UTF-8",
        lambda t: ["validate", _write(t / "latin.toml", b'name = "caf\xe9"\n')],
        2,
        "latin.toml",
    ),
    (
        "TOML syntax",
        lambda t: ["validate", _write(t / "bad.toml", b"[run\nseed = 1\n")],
        2,
        "bad.toml",
    ),
    (
        "unknown key",
        lambda t: ["validate", scenario(t, "[run]\nsede = 3\n")],
        2,
        "run.sede",
    ),
    (
        "unknown section",
        lambda t: ["validate", scenario(t, "[runs]\nseed = 3\n")],
        2,
        "runs",
    ),
    ("wrong type", lambda t: ["validate", scenario(t, '[run]\nseed = "x"\n')], 2, "run.seed"),
    (
        "true for a number",
        lambda t: ["validate", scenario(t, "[run]\nseed = true\n")],
        2,
        "run.seed",
    ),
    (
        "negative seed",
        lambda t: ["validate", scenario(t, "[run]\nseed = -1\n")],
        2,
        "run.seed",
    ),
    (
        "nan share",
        lambda t: ["validate", scenario(t, "[policies.free_room]\ncap_share = nan\n")],
        2,
        "free_room.cap_share",
    ),
    (
        "inf days",
        lambda t: ["validate", scenario(t, "[allocation]\ndays_to_move_in = inf\n")],
        2,
        "days_to_move_in",
    ),
    (
        "nan max age",
        lambda t: ["validate", scenario(t, "[policies.starter_pilot]\nmax_age = nan\n")],
        2,
        "max_age",
    ),
    (
        "share above 1",
        lambda t: ["validate", scenario(t, "[policies.free_room]\ncap_share = 1.5\n")],
        2,
        "cap_share",
    ),
    (
        "a billion registrations per home",
        lambda t: ["validate", CONFIG, "--set", "seekers.registered_per_home=1e9"],
        2,
        "registered_per_home",
    ),
    (
        "a billion homes in a village",
        lambda t: [
            "validate",
            scenario(
                t,
                '[[stock.areas]]\nmunicipality = "Duiven"\nvillage = "Duiven"\n'
                'n_homes = 1000000000\nneighbourhoods = ["A"]\n',
            ),
        ],
        2,
        "n_homes",
    ),
    (
        "end before start",
        lambda t: ["validate", scenario(t, "[run]\nend_date = 2021-01-01\n")],
        2,
        "end_date",
    ),
    (
        "unknown municipality in a quota",
        lambda t: [
            "validate",
            scenario(t, "[policies.starter_pilot]\nquota_per_year = { Arnhem = 3 }\n"),
        ],
        2,
        "Arnhem",
    ),
    (
        "unknown village in the village rule",
        lambda t: ["validate", scenario(t, '[policies.village_rule]\nvillages = ["Ooij"]\n')],
        2,
        "Ooij",
    ),
    (
        "a municipality without a lottery cap",
        lambda t: ["validate", scenario(t, THIRD_MUNICIPALITY)],
        2,
        "Zevenaar",
    ),
    (
        "csv_path without source csv",
        lambda t: ["validate", scenario(t, '[stock]\ncsv_path = "x.csv"\n')],
        2,
        "csv_path",
    ),
    (
        "source csv without csv_path",
        lambda t: ["validate", scenario(t, '[stock]\nsource = "csv"\n')],
        2,
        "csv_path",
    ),
    (
        "extends a missing file",
        lambda t: ["validate", _write(t / "e.toml", b'extends = "gone.toml"\n')],
        2,
        "gone.toml",
    ),
    (
        "extends cycle",
        lambda t: [
            "validate",
            _write(t / "a.toml", b'extends = "b.toml"\n', t / "b.toml", b'extends = "a.toml"\n'),
        ],
        2,
        "a.toml",
    ),
    (
        "unknown dwelling type",
        lambda t: ["validate", scenario(t, "[stock.dwelling_types.castle]\nshare = 0.1\n")],
        2,
        "castle",
    ),
    (
        "unknown key of a seeker kind lists the allowed ones",
        lambda t: ["validate", scenario(t, "[seekers.kinds.starter]\nbogus = 1\n")],
        2,
        "leave_per_year",
    ),
    (
        "unknown key of a project lists the allowed ones",
        lambda t: ["validate", scenario(t, '[[new_build.projects]]\nname = "x"\nbogus = 1\n')],
        2,
        "completion_date",
    ),
    (
        "a bool as text",
        lambda t: ["validate", scenario(t, '[policies.starter_pilot]\nenabled = "maybe"\n')],
        2,
        "true or false",
    ),
    (
        "bad pacing",
        lambda t: ["validate", scenario(t, '[policies.starter_pilot]\npacing = "weekly"\n')],
        2,
        "monthly",
    ),
    (
        "set with an unknown key",
        lambda t: ["validate", CONFIG, "--set", "run.sede=3"],
        2,
        "--set run.sede=3",
    ),
    ("set without =", lambda t: ["validate", CONFIG, "--set", "run.seed"], 2, "--set"),
    (
        "set with nan",
        lambda t: ["validate", CONFIG, "--set", "stock.turnover_trend_per_year=nan"],
        2,
        "turnover_trend_per_year",
    ),
    # ------------------------------------------------------------ stock files
    (
        "stock file missing",
        lambda t: ["validate", scenario(t, '[stock]\nsource = "csv"\ncsv_path = "no.csv"\n')],
        2,
        "no.csv",
    ),
    (
        "stock header wrong",
        lambda t: ["validate", stock_scenario(t, "id,municipality\n1,Duiven\n")],
        2,
        "header",
    ),
    (
        "stock row too short",
        lambda t: ["validate", stock_scenario(t, GOOD_STOCK + "1,Duiven,Duiven\n")],
        2,
        "row 7",
    ),
    (
        "stock unknown dwelling type",
        lambda t: [
            "validate",
            stock_scenario(t, GOOD_STOCK + GOOD_ROW.replace("apartment", "castle")),
        ],
        2,
        "dwelling_type",
    ),
    (
        "stock nan rent",
        lambda t: ["validate", stock_scenario(t, GOOD_STOCK + GOOD_ROW.replace("600", "nan"))],
        2,
        "rent_2021",
    ),
    (
        "stock in an unknown encoding",
        lambda t: ["validate", stock_scenario(t, b"\x81\x8d" + STOCK_HEADER.encode())],
        2,
        "UTF-8",
    ),
    (
        "stock renames a municipality the policies name",
        lambda t: [
            "validate",
            stock_scenario(t, GOOD_STOCK.replace("Westervoort", "Westervort")),
        ],
        2,
        "Westervoort",
    ),
    # ------------------------------------------------------------ options
    ("replications 0", lambda t: ["run", CONFIG, "--replications", "0"], 2, "--replications"),
    (
        "replications negative",
        lambda t: ["experiment", SPEC, "--replications", "-3"],
        2,
        "--replications",
    ),
    ("workers negative", lambda t: ["experiment", SPEC, "--workers", "-1"], 2, "--workers"),
    ("workers not a number", lambda t: ["experiment", SPEC, "--workers", "two"], 2, "--workers"),
    ("seed negative", lambda t: ["run", CONFIG, "--seed", "-5"], 2, "--seed"),
    ("unknown executor", lambda t: ["experiment", SPEC, "--executor", "gpu"], 2, "--executor"),
    ("unknown language", lambda t: ["report", str(t), "--lang", "de"], 2, "--lang"),
    (
        "tolerance not a number",
        lambda t: ["check-fit", str(t), str(t / "x.csv"), "--tolerance", "ten"],
        2,
        "--tolerance",
    ),
    ("margin above 1", lambda t: ["check-steady", CONFIG, "--margin", "5"], 2, "--margin"),
    ("scale zero", lambda t: ["check-steady", CONFIG, "--scale", "0"], 2, "--scale"),
    ("scale too large", lambda t: ["check-steady", CONFIG, "--scale", "20"], 2, "0.01 to 10"),
    ("years zero", lambda t: ["check-steady", CONFIG, "--years", "0"], 2, "--years"),
    ("one burn-in", lambda t: ["check-steady", CONFIG, "--burnins", "10"], 2, "e.g. 10,20"),
    ("burn-in text", lambda t: ["check-steady", CONFIG, "--burnins", "ten,20"], 2, "--burnins"),
    ("negative burn-in", lambda t: ["check-steady", CONFIG, "--burnins=-1,20"], 2, "0 years"),
    # ------------------------------------------------------------ output places
    (
        "run out under a file",
        lambda t: ["run", CONFIG, "--out", _write(t / "f", b"") + "/run"],
        2,
        "--out",
    ),
    (
        "run out exists",
        lambda t: ["run", CONFIG, "--out", str(t)],
        2,
        "does not exist yet",
    ),
    (
        "experiment out under a file",
        lambda t: ["experiment", SPEC, "--out", _write(t / "f", b"") + "/x"],
        2,
        "--out",
    ),
    (
        "experiment out exists",
        lambda t: ["experiment", SPEC, "--out", str(t)],
        2,
        "--out",
    ),
    ("resume without out", lambda t: ["experiment", SPEC, "--resume"], 2, "--resume"),
    (
        "resume of a folder that is not an experiment",
        lambda t: ["experiment", SPEC, "--resume", "--out", str(t)],
        2,
        "--out",
    ),
    (
        "export-stock onto its config",
        lambda t: ["export-stock", _copy(CONFIG, t / "c.toml"), str(t / "c.toml")],
        2,
        "not the input",
    ),
    (
        "export-stock into a missing folder",
        lambda t: ["export-stock", CONFIG, str(t / "no" / "s.csv")],
        2,
        "existing folder",
    ),
    ("export-stock onto a folder", lambda t: ["export-stock", CONFIG, str(t)], 2, "not a folder"),
    (
        "export-stock over an existing file",
        lambda t: ["export-stock", CONFIG, _write(t / "old.csv", b"keep")],
        2,
        "--force",
    ),
    (
        "export-seekers onto its config",
        lambda t: ["export-seekers", _copy(CONFIG, t / "c.toml"), str(t / "c.toml")],
        2,
        "not the input",
    ),
    # ------------------------------------------------------------ run folders
    ("report of an empty folder", lambda t: ["report", str(t)], 2, "manifest.json"),
    ("compare of empty folders", lambda t: ["compare", str(t), str(t)], 2, "metrics.parquet"),
    (
        "check-fit of an empty folder",
        lambda t: ["check-fit", str(t), _write(t / "x.csv", b"metric,observed\n")],
        2,
        "",
    ),
    (
        "stock with a duplicate home",
        lambda t: ["validate", stock_scenario(t, GOOD_STOCK + GOOD_STOCK.splitlines()[1] + "\n")],
        2,
        "home_id",
    ),
    (
        "stock bedrooms out of range",
        lambda t: [
            "validate",
            stock_scenario(t, GOOD_STOCK + GOOD_ROW.replace(",2,600", ",9,600")),
        ],
        2,
        "bedrooms",
    ),
    (
        "stock flag not a bool",
        lambda t: [
            "validate",
            stock_scenario(t, GOOD_STOCK + GOOD_ROW.replace("600,false", "600,maybe")),
        ],
        2,
        "senior_suitable",
    ),
    (
        "stock drops a village the rule names",
        lambda t: ["validate", stock_scenario(t, GOOD_STOCK.replace(",Loo,Loo,", ",Lo,Lo,"))],
        2,
        "Loo",
    ),
    (
        "waiting list missing",
        lambda t: [
            "validate",
            scenario(t, '[run]\nseed_state = "list"\n[seekers]\nlist_csv_path = "no.csv"\n'),
        ],
        2,
        "no.csv",
    ),
    (
        "list seed state without a list",
        lambda t: ["validate", scenario(t, '[run]\nseed_state = "list"\n')],
        2,
        "list_csv_path",
    ),
    (
        "report of a folder with a cut-short manifest",
        lambda t: ["report", _run_folder(t, manifest=b'{"kind": "run", "na')],
        2,
        "manifest.json",
    ),
    (
        "report of a folder with a corrupt metrics table",
        lambda t: ["report", _run_folder(t, metrics=b"PAR1 not really")],
        2,
        "metrics.parquet",
    ),
    (
        "compare with a corrupt metrics table",
        lambda t: ["compare", _run_folder(t, metrics=b"garbage"), _run_folder(t, "b")],
        2,
        "metrics.parquet",
    ),
    (
        "check-fit targets empty",
        lambda t: ["check-fit", _metrics_folder(t), _write(t / "x.csv", b"")],
        2,
        "x.csv",
    ),
    (
        "check-fit targets not UTF-8",
        lambda t: ["check-fit", _metrics_folder(t), _write(t / "x.csv", b"\x81\x8dmetric\n")],
        2,
        "UTF-8",
    ),
    (
        "check-fit targets without their columns",
        lambda t: ["check-fit", _metrics_folder(t), _write(t / "x.csv", b"name,value\na,1\n")],
        2,
        "header",
    ),
    (
        "check-fit observed not a number",
        lambda t: [
            "check-fit",
            _metrics_folder(t),
            _write(t / "x.csv", b"metric,observed\nall/all/all/lettings,many\n"),
        ],
        2,
        "observed",
    ),
    (
        "check-fit observed nan",
        lambda t: [
            "check-fit",
            _metrics_folder(t),
            _write(t / "x.csv", b"metric,observed\nall/all/all/lettings,nan\n"),
        ],
        2,
        "observed",
    ),
    (
        "check-fit tolerance not a number",
        lambda t: [
            "check-fit",
            _metrics_folder(t),
            _write(t / "x.csv", b"metric,observed,tolerance\nall/all/all/lettings,5,ten\n"),
        ],
        2,
        "row 2 tolerance",
    ),
    (
        "check-fit tolerance not between 0 and 1",
        lambda t: [
            "check-fit",
            _metrics_folder(t),
            _write(t / "x.csv", b"metric,observed,tolerance\nall/all/all/lettings,5,-0.1\n"),
        ],
        2,
        "a number between 0 and 1",
    ),
    (
        "check-fit tolerance of 500%",
        lambda t: [
            "check-fit",
            _metrics_folder(t),
            _write(t / "x.csv", b"metric,observed,tolerance\nall/all/all/lettings,5,5\n"),
        ],
        2,
        "row 2 tolerance",
    ),
    (
        "report of a run folder without its metrics table",
        lambda t: ["report", _without(_metrics_folder(t), "metrics.parquet")],
        2,
        "no metrics.parquet",
    ),
    (
        "report of a folder a newer allocsim wrote",
        lambda t: [
            "report",
            _run_folder(
                t, manifest=b'{"kind": "run", "folder_format": 9, "allocsim_version": "9.0"}'
            ),
        ],
        2,
        "written by allocsim 9.0",
    ),
    (
        "compare with a folder a newer allocsim wrote",
        lambda t: [
            "compare",
            _metrics_folder(t),
            _run_folder(t, manifest=b'{"kind": "run", "folder_format": 2}'),
        ],
        2,
        "folder_format",
    ),
    (
        "report of a folder whose manifest's config is not a table",
        lambda t: ["report", _run_folder(t, manifest=b'{"kind": "run", "config": "x"}')],
        2,
        "config = 'x': expected a table",
    ),
    (
        "report of a folder whose window is not a date",
        lambda t: [
            "report",
            _run_folder(t, manifest=b'{"kind": "run", "config": {"run": {"start_date": "soon"}}}'),
        ],
        2,
        "config.run.start_date",
    ),
    (
        "compare with a folder whose burn-in is text",
        lambda t: [
            "compare",
            _metrics_folder(t),
            _run_folder(t, manifest=b'{"kind": "run", "config": {"run": {"burnin_years": "x"}}}'),
        ],
        2,
        "burnin_years",
    ),
    (
        "report of an experiment folder whose scenarios are text",
        lambda t: ["report", _run_folder(t, manifest=b'{"kind": "experiment", "scenarios": "x"}')],
        2,
        "scenarios = 'x'",
    ),
    (
        "report of a folder whose format is true",
        lambda t: ["report", _run_folder(t, manifest=b'{"kind": "run", "folder_format": true}')],
        2,
        "folder_format",
    ),
    (
        "check-fit with targets but no rows",
        lambda t: ["check-fit", _metrics_folder(t), _write(t / "x.csv", b"metric,observed\n")],
        2,
        "at least one target row",
    ),
    (
        "validate an uncertainty set with an unknown top-level key",
        lambda t: [
            "validate",
            _write(
                t / "u.toml",
                b'note = "x"\n' + (ROOT / "experiments" / "uncertainties.toml").read_bytes(),
            ),
        ],
        2,
        "note = 'x': expected a known key (allowed: uncertainties)",
    ),
    (
        "check-fit observed zero (a relative tolerance needs a figure)",
        lambda t: [
            "check-fit",
            _metrics_folder(t),
            _write(t / "x.csv", b"metric,observed\nall/all/all/lettings,0\n"),
        ],
        2,
        "a number other than 0",
    ),
    (
        "validate an uncertainty set with a key no config has",
        lambda t: [
            "validate",
            _write(
                t / "u.toml",
                b'[[uncertainties]]\nname = "x"\nkeys = ["behaviour.nope"]\nmode = "set"\n'
                b'distribution = "uniform"\nlow = 0.1\nhigh = 0.2\n'
                b'reason = "assumption: a test of keys"\n',
            ),
        ],
        2,
        "behaviour.nope",
    ),
    (
        "check-fit metric not a metric id",
        lambda t: [
            "check-fit",
            _metrics_folder(t),
            _write(t / "x.csv", b"metric,observed\nlettings,5\n"),
        ],
        2,
        "dimension/level/group/metric",
    ),
    (
        "check-fit metric the run does not have",
        lambda t: [
            "check-fit",
            _metrics_folder(t),
            _write(t / "x.csv", b"metric,observed\nall/all/all/unicorns,5\n"),
        ],
        2,
        "a metric in the run",
    ),
    ("calibrate spec missing", lambda t: ["calibrate", str(t / "no.toml")], 2, "no.toml"),
    (
        "calibrate spec unknown key",
        lambda t: ["calibrate", _write(t / "c.toml", b'name = "c"\nbogus = 1\n')],
        2,
        "c.toml",
    ),
    (
        "waiting list with a wrong header",
        lambda t: ["validate", list_scenario(t, b"name,age\nx,3\n")],
        2,
        "header",
    ),
    (
        "waiting list not UTF-8",
        lambda t: ["validate", list_scenario(t, b"\x81\x8d,\n")],
        2,
        "UTF-8",
    ),
    (
        "experiment scenario config missing",
        lambda t: ["experiment", _spec(t, 'config = "gone.toml"')],
        2,
        "gone.toml",
    ),
    (
        "experiment baseline not a scenario",
        lambda t: ["experiment", _spec(t, f'config = "{CONFIG}"', baseline="nobody")],
        2,
        "nobody",
    ),
    ("check-steady config missing", lambda t: ["check-steady", str(t / "no.toml")], 2, "no.toml"),
    (
        "export-seekers over an existing file",
        lambda t: ["export-seekers", CONFIG, _write(t / "old.csv", b"keep")],
        2,
        "--force",
    ),
    (
        "compare with a missing second folder",
        lambda t: ["compare", _metrics_folder(t), str(t / "nothere")],
        2,
        "nothere",
    ),
    ("experiment spec missing", lambda t: ["experiment", str(t / "no.toml")], 2, "no.toml"),
    (
        "experiment spec unknown key",
        lambda t: ["experiment", _write(t / "e.toml", b'name = "e"\nbaselin = "x"\n')],
        2,
        "e.toml",
    ),
]


def _write(path: Path, data: bytes, *more: Path | bytes) -> str:
    path.write_bytes(data)
    for other, content in zip(more[::2], more[1::2], strict=True):
        assert isinstance(other, Path) and isinstance(content, bytes)
        other.write_bytes(content)
    return str(path)


def _metrics_folder(tmp: Path) -> str:
    """A finished run folder with a real (tiny) metrics table."""
    import pandas as pd

    folder = tmp / "done"
    folder.mkdir(exist_ok=True)
    pd.DataFrame(
        {
            "scenario": ["s"],
            "replication": [0],
            "dimension": ["all"],
            "level": ["all"],
            "group": ["all"],
            "metric": ["lettings"],
            "value": [5.0],
        }
    ).to_parquet(folder / "metrics.parquet")
    (folder / "manifest.json").write_text('{"kind": "run", "name": "s"}')
    (folder / "summary.csv").write_text("dimension,level,group,metric,mean\n")
    return str(folder)


def _without(folder: str, name: str) -> str:
    (Path(folder) / name).unlink()
    return folder


def list_scenario(tmp: Path, data: bytes) -> str:
    (tmp / "list.csv").write_bytes(data)
    body = '[run]\nseed_state = "list"\nburnin_years = 0.0\n[seekers]\nlist_csv_path = "list.csv"\n'
    return scenario(tmp, body)


def _spec(tmp: Path, scenario_line: str, baseline: str = "a") -> str:
    path = tmp / "spec.toml"
    path.write_text(
        f'name = "e"\nseed = 1\nbaseline = "{baseline}"\n[replications]\nfixed = 2\n'
        "[window]\nstart_date = 2022-01-01\nend_date = 2022-03-01\n"
        f'[[scenarios]]\nlabel = "a"\n{scenario_line}\n'
    )
    return str(path)


def _run_folder(
    tmp: Path, name: str = "a", manifest: bytes = b'{"kind": "run"}', metrics: bytes = b""
) -> str:
    """A run folder as a killed or damaged run leaves it."""
    folder = tmp / name
    folder.mkdir()
    (folder / "manifest.json").write_bytes(manifest)
    (folder / "summary.csv").write_bytes(b"dimension,level,group,metric,mean\n")
    (folder / "metrics.parquet").write_bytes(metrics)
    return str(folder)


def _copy(src: str, dst: Path) -> str:
    text = Path(src).read_text()
    dst.write_text(text.replace('extends = "', 'extends = "' + str(ROOT / "configs") + "/"))
    return str(dst)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() if p.is_file() else b"<dir>"
        for p in sorted(folder.rglob("*"))
    }


@pytest.mark.parametrize(
    ("case", "exit_code", "culprit"),
    [pytest.param(c, e, n, id=name) for name, c, e, n in CASES],
)
def test_bad_input_gets_one_clear_line(
    case: Case,
    exit_code: int,
    culprit: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # a default results/ folder would appear here
    argv = case(tmp_path)
    before = _snapshot(tmp_path)
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own refusal of an option
        code = int(exc.code or 0)
    err = capsys.readouterr().err
    assert code == exit_code, err
    assert "Traceback" not in err and "internal error" not in err, err
    assert err.strip(), "no message"
    assert culprit in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert all(line.startswith(("error:", "usage:", "allocsim", " ")) for line in lines), err
    assert _snapshot(tmp_path) == before  # nothing written, nothing changed


def test_there_are_at_least_eighty_cases() -> None:
    assert len(CASES) >= 80


# Random settings (keys, types and values, nan, inf and huge numbers included) end in
# "ok" or one line per problem, never in a traceback.
SECTIONS = {
    "run": ["seed", "replications", "burnin_years", "pilot_years", "end_date", "seed_state"],
    "allocation": ["days_to_move_in", "advert_cycle_days", "candidates_per_round"],
    "behaviour": ["viewing_sd", "response_cost", "memory_adverts", "p_unreachable"],
    "seekers": ["registered_per_home", "senior_age", "arrivals_per_home_per_year"],
    "policies.free_room": ["cap_share", "enabled", "neighbourhoods"],
    "policies.starter_pilot": ["quota_per_year", "max_age", "lottery_share", "pacing"],
    "stock": ["turnover_trend_per_year", "source", "csv_path", "bogus"],
}
VALUES = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(alphabet="abc xyz-0123", max_size=8),
    st.sampled_from(["2022-01-01", "1900-01-01", "[]", "{}"]),
)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if text in ("[]", "{}") or text == "2022-01-01" or text == "1900-01-01":
        return text
    return '"' + text + '"'


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    changes=st.lists(
        st.tuples(st.sampled_from(sorted(SECTIONS)), st.integers(0, 5), VALUES),
        min_size=1,
        max_size=4,
    )
)
def test_random_settings_never_give_a_traceback(
    changes: list[tuple[str, int, object]],
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    tmp = tmp_path_factory.mktemp("random")
    body = ""
    for section, index, value in changes:
        keys = SECTIONS[section]
        body += f"[{section}]\n{keys[index % len(keys)]} = {_toml_value(value)}\n"
    path = scenario(tmp, body)
    code = main(["validate", path])
    err = capsys.readouterr().err
    assert code in (0, 2), err
    assert "Traceback" not in err and "internal error" not in err, err
    if code == 2:
        assert err.startswith("error:"), err


def test_a_bug_is_one_line_and_asks_for_a_report(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import allocsim.cli as cli

    def broken(args: object) -> int:
        raise ZeroDivisionError("the model divided by zero")

    monkeypatch.setattr(cli, "cmd_columns", broken)
    assert cli.main(["columns"]) == 4
    err = capsys.readouterr().err
    assert "internal error" in err and "report" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert cli.main(["--debug", "columns"]) == 4
    assert "Traceback" in capsys.readouterr().err


def test_a_closed_pipe_is_not_an_error(tmp_path: Path) -> None:
    import subprocess
    import sys

    script = "import sys; from allocsim.cli import main; sys.exit(main(['config-reference']))"
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(100)
    proc.stdout.close()  # as `| head` does
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0, err
    assert "Traceback" not in err and "BrokenPipe" not in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_an_unwritable_folder_is_named_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        assert main(["run", CONFIG, "--out", str(locked / "run")]) == 3
        assert str(locked) in capsys.readouterr().err
    finally:
        locked.chmod(0o755)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cuts=st.lists(st.integers(0, len(GOOD_STOCK) - 1), min_size=1, max_size=3),
    junk=st.binary(min_size=0, max_size=6),
)
def test_damaged_stock_files_never_give_a_traceback(
    cuts: list[int],
    junk: bytes,
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A stock file cut, spliced with random bytes or truncated anywhere: ok or one line
    per problem, never a traceback."""
    data = GOOD_STOCK.encode()
    for cut in sorted(cuts, reverse=True):
        data = data[:cut] + junk + data[cut + len(junk) // 2 :]
    tmp = tmp_path_factory.mktemp("damaged")
    code = main(["validate", stock_scenario(tmp, data)])
    err = capsys.readouterr().err
    assert code in (0, 2), err
    assert "Traceback" not in err and "internal error" not in err, err


def test_compiled_code_has_a_folder_per_source_where_the_user_may_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """numba checks a cached function against its own module only, so the compiled model
    lives in a folder of its own per source of the package (a change to any module
    compiles afresh), under the first place the user may write: $NUMBA_CACHE_DIR, beside
    the modules, the user's cache folder, the temporary folder (an install the user
    cannot write still runs: numba refuses to compile a cached function it cannot store).
    A process started from this one keeps its folder; old builds are removed."""
    import allocsim

    package = tmp_path / "pkg"
    package.mkdir()
    (package / "a.py").write_text("x = 1\n")
    monkeypatch.setattr(allocsim, "PACKAGE", package)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(allocsim.tempfile, "gettempdir", lambda: str(tmp_path / "tmp"))

    def fresh() -> str:
        for name in ("NUMBA_CACHE_DIR", "ALLOCSIM_NUMBA_CACHE"):
            monkeypatch.delenv(name, raising=False)
        return allocsim.compiled_cache()

    build = allocsim.source_hash()[:16]
    assert fresh() == str(package / "__pycache__" / "numba" / build)
    assert os.environ["NUMBA_CACHE_DIR"] == str(package / "__pycache__" / "numba" / build)
    assert allocsim.compiled_cache() == os.environ["NUMBA_CACHE_DIR"]  # inherited as is
    (package / "a.py").write_text("x = 2\n")  # another source: another build
    assert allocsim.source_hash()[:16] != build
    assert fresh() == str(package / "__pycache__" / "numba" / allocsim.source_hash()[:16])

    build = allocsim.source_hash()[:16]
    blocked = tmp_path / "file"
    blocked.write_text("")  # a file where a folder would be: not writable
    monkeypatch.setattr(allocsim, "PACKAGE", blocked)
    monkeypatch.setattr(allocsim, "source_hash", lambda: build + "0" * 48)
    assert fresh() == str(tmp_path / "cache" / "allocsim" / "numba" / build)
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    tmp_base = tmp_path / "tmp" / f"allocsim-numba-{os.getuid()}"
    assert fresh() == str(tmp_base / build)
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "mine"))
    monkeypatch.delenv("ALLOCSIM_NUMBA_CACHE", raising=False)
    assert allocsim.compiled_cache() == str(tmp_path / "mine" / build)

    for k in range(6):  # old builds beside it: all but the latest KEEP_BUILDS go
        (tmp_base / f"old{k}").mkdir()
        os.utime(tmp_base / f"old{k}", (k, k))
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    fresh()
    kept = sorted(p.name for p in tmp_base.iterdir())
    assert kept == sorted([build, "old3", "old4", "old5"])
