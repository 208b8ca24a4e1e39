"""The run folder: tables, summary and manifest; nothing written on failure."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from allocsim.cli import main
from allocsim.records import TABLES, date_columns


def test_run_writes_the_run_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "s.toml"
    cfg.write_text(
        'name = "s"\n[run]\nend_date = 2022-03-01\nreplications = 2\n'
        '[[stock.areas]]\nmunicipality = "Duiven"\nvillage = "Duiven"\nn_homes = 200\n'
        'neighbourhoods = ["A"]\n'
        '[[stock.areas]]\nmunicipality = "Duiven"\nvillage = "Loo"\nn_homes = 20\n'
        'neighbourhoods = ["Loo"]\n'
        '[[stock.areas]]\nmunicipality = "Duiven"\nvillage = "Groessen"\nn_homes = 20\n'
        'neighbourhoods = ["Groessen"]\n'
        '[[stock.areas]]\nmunicipality = "Westervoort"\nvillage = "Westervoort"\nn_homes = 200\n'
        'neighbourhoods = ["B"]\n'
        '[policies.free_room]\nneighbourhoods = ["A"]\n'
        "[policies]\ncustom = []\n"
    )
    out = tmp_path / "run"
    assert main(["run", str(cfg), "--out", str(out), "--seed", "5"]) == 0
    assert str(out) in capsys.readouterr().out
    for table in TABLES:
        frame = pd.read_parquet(out / f"{table}.parquet")
        assert list(frame.columns) == list(TABLES[table])
        for date, day in date_columns(table).items():  # the calendar beside the days
            shifted = pd.to_datetime(frame[date]) - pd.Timestamp("2022-01-01")
            ok = frame[day].notna()
            assert (shifted.dt.days[ok] == np.floor(frame.loc[ok, day])).all(), (table, date)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["root_seed"] == 5 and manifest["config"]["run"]["replications"] == 2
    assert manifest["failures"] == []
    assert manifest["command"] == f"allocsim run {cfg} --seed 5 --out {out}"
    summary = pd.read_csv(out / "summary.csv")
    assert {"mean", "ci_low", "ci_high", "n_replications"} <= set(summary.columns)
    assert (summary.loc[summary.metric == "lettings", "n_replications"] == 2).all()
    # The existing folder is refused, not overwritten.
    assert main(["run", str(cfg), "--out", str(out)]) == 2
    assert "does not exist yet" in capsys.readouterr().err


def test_bad_stock_csv_is_named_by_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = tmp_path / "stock.csv"
    csv.write_text(
        "home_id,municipality,village,neighbourhood,dwelling_type,bedrooms,rent_2021,"
        "senior_suitable,new_build,completion_date\n"
        "1,Duiven,Loo,Loo,castle,2,600,true,false,\n"
        "2,Duiven,Loo,Loo,apartment,9,600,maybe,false,\n"
    )
    cfg = tmp_path / "s.toml"
    cfg.write_text(
        '[stock]\nsource = "csv"\ncsv_path = "stock.csv"\n'
        '[policies.village_rule]\nvillages = ["Loo"]\n'
        "[policies.lottery_cap]\ncap_share = { Duiven = 0.15 }\n"
        "[policies.general_lottery]\nshare = { Duiven = 0.15 }\n"
        "[policies.starter_pilot]\nquota_per_year = { Duiven = 8 }\n"
        "[policies.status_holders]\ntask_persons_h1 = { Duiven = 10 }\n"
        "task_persons_h2 = { Duiven = 10 }\n"
    )
    assert main(["validate", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "row 2 column dwelling_type = 'castle'" in err
    assert "row 3 column bedrooms = '9'" in err
    assert "row 3 column senior_suitable = 'maybe'" in err
    assert "Traceback" not in err


def test_exported_stock_round_trips(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv = tmp_path / "stock.csv"
    assert main(["export-stock", "configs/agreements-2022.toml", str(csv)]) == 0
    cfg = tmp_path / "s.toml"
    base = Path("configs/agreements-2022.toml").resolve()
    cfg.write_text(f'extends = "{base}"\n[stock]\nsource = "csv"\ncsv_path = "stock.csv"\n')
    assert main(["validate", str(cfg)]) == 0


def test_a_run_whose_folder_appears_meanwhile_keeps_its_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process creates --out while the run computes: the results go to --out-1,
    not to the bin."""
    from allocsim import runner
    from allocsim.loader import load_config

    out = tmp_path / "run"
    real = runner.summarise

    def meanwhile(metrics: pd.DataFrame) -> pd.DataFrame:
        out.mkdir()
        (out / "theirs.txt").write_text("another process")
        return real(metrics)

    monkeypatch.setattr(runner, "summarise", meanwhile)
    cfg = load_config(
        "configs/agreements-2022.toml",
        ["run.end_date=2022-02-01", "run.burnin_years=1", "run.pilot_years=2"],
    )
    result = runner.run_scenario(cfg, out)
    assert result.out_dir == tmp_path / "run-1"
    assert (result.out_dir / "summary.csv").is_file()
    assert (out / "theirs.txt").read_text() == "another process"


def test_the_terminal_shows_rates_in_percent() -> None:
    from allocsim.cli import format_summary

    rows = [
        ("all", "all", "starter", "success_rate", 0.0333),
        ("all", "all", "starter", "lettings", 11.4),
        ("all", "all", "starter", "meettijd_median_years", 2.456),
        ("quota", "Duiven 2022", "starter_pilot", "limit", 8.0),
        ("quota", "Duiven 2022", "starter_pilot", "used", 6.0),
    ]
    summary = pd.DataFrame(rows, columns=["dimension", "level", "group", "metric", "mean"])
    summary["n_replications"] = 20
    text = format_summary(summary)
    assert "3.3%" in text and "0.03" not in text
    assert "2.46" in text  # years keep two decimals
    starter = next(line for line in text.splitlines() if line.startswith("starter"))
    assert starter.split()[1:4] == ["11", "3.3%", "2.46"], starter  # counts whole
    assert "mean of 20 replications" in text


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "configs/a b.toml", "--set", "run.seed=3", "--set", "x=1", "--quiet"],
        ["experiment", "e.toml", "--workers", "2", "--replications", "20", "--report"],
        ["experiment", "e.toml", "--executor", "serial", "--lang", "nl", "--keep-records"],
        ["explore", "x.toml", "--points", "8", "--seed", "5"],
        ["check-steady", "c.toml"],
    ],
)
def test_the_command_line_is_rebuilt_from_what_was_parsed(argv: list[str]) -> None:
    """What the manifest records and an interruption prints (with --resume) parses back
    to the same arguments."""
    import shlex

    from allocsim.cli import build_parser, command_line

    parser = build_parser()
    args = parser.parse_args(argv)
    again = shlex.split(command_line(args))
    assert again[0] == "allocsim"
    assert vars(parser.parse_args(again[1:])) == vars(args)
    if argv[0] in ("experiment", "explore"):
        resumed = parser.parse_args(shlex.split(command_line(args, resume=True, out="r/x"))[1:])
        assert resumed.resume and resumed.out == "r/x"
        assert vars(resumed) == {**vars(args), "resume": True, "out": "r/x"}


ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("configs/agreements-2022.toml", "ok (scenario 'agreements-2022')"),
        ("experiments/starter-pilot-t3-2022.toml", "ok (experiment 'starter-pilot-t3-2022'"),
        ("experiments/village-rule-t2-2022-explore.toml", "ok (exploration"),
        ("experiments/uncertainties.toml", "uncertainties)"),
        ("calibration/entree-2020-2021.toml", "ok (calibration 'entree-2020-2021'"),
    ],
)
def test_validate_checks_every_kind_of_file_without_simulating(
    path: str, says: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import allocsim.engine

    def no_simulation(*_a: object, **_k: object) -> None:
        raise AssertionError("validate simulated")

    monkeypatch.setattr(allocsim.engine.Engine, "begin", no_simulation)
    assert main(["validate", str(ROOT / path)]) == 0
    assert says in capsys.readouterr().out


def test_validate_names_what_is_wrong_in_a_spec(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "e.toml"
    spec.write_text(
        'name = "e"\nseed = 1\nbaseline = "a"\n[replications]\nfixed = 2\n'
        "[window]\nstart_date = 2022-01-01\nend_date = 2022-03-01\n"
        f'[[scenarios]]\nlabel = "a"\nconfig = "{ROOT / "configs" / "agreements-2022.toml"}"\n'
        "bogus = 3\n"
    )
    assert main(["validate", str(spec)]) == 2
    err = capsys.readouterr().err
    assert "scenarios.0.bogus" in err and "allowed: label, config, set, names" in err
    assert err.count("error:") == 1  # the one problem, not one per experiment key
    assert main(["experiment", str(tmp_path / "nope.toml")]) == 2
    assert "an existing experiment spec" in capsys.readouterr().err


def test_a_config_saved_with_a_bom_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Windows editors may start a TOML file with a byte-order mark."""
    cfg = tmp_path / "bom.toml"
    cfg.write_bytes(b"\xef\xbb\xbf" + b'name = "bom"\n[run]\nreplications = 2\n')
    assert main(["validate", str(cfg)]) == 0
    assert "ok (scenario 'bom')" in capsys.readouterr().out
