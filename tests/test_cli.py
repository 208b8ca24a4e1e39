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
