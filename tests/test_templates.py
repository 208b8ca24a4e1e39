"""Templates in both directions: `export-stock` and `export-seekers --excel` write what a
Dutch Excel opens with its columns split and its numbers as numbers, and what Excel saves
back (BOM, semicolons, decimal commas, D-M-YYYY dates) reads as the same data."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from pathlib import Path

import numpy as np
import pytest

from allocsim.cli import main
from allocsim.config import Config
from allocsim.errors import ConfigError
from allocsim.loader import load_config
from allocsim.waiting_list import LIST_COLUMNS, read_waiting_list
from allocsim.world import (
    STOCK_COLUMNS,
    build_stock,
    csv_format,
    parse_bool,
    parse_date,
    read_stock_csv,
)

CONFIG = "configs/agreements-2022.toml"
BOM = b"\xef\xbb\xbf"


def rows(path: Path, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=delimiter))


def assert_same(a: object, b: object) -> None:
    for f in dataclasses.fields(a):  # type: ignore[arg-type]
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            np.testing.assert_array_equal(x, y, err_msg=f.name)
        else:
            assert x == y, f.name


def test_excel_stock_round_trips(tmp_path: Path) -> None:
    plain, excel = tmp_path / "plain.csv", tmp_path / "excel.csv"
    assert main(["export-stock", CONFIG, str(plain)]) == 0
    assert main(["export-stock", CONFIG, str(excel), "--excel"]) == 0
    raw = excel.read_bytes()
    assert raw.startswith(BOM) and not plain.read_bytes().startswith(BOM)
    assert raw[3:].decode().splitlines()[0] == ";".join(STOCK_COLUMNS)
    assert str(csv_format(excel)) == (
        "utf-8 with BOM, semicolon-separated, decimal commas read as points"
    )
    # Cell by cell the plain file, but for the rents' decimal commas.
    rent = list(STOCK_COLUMNS).index("rent_2021")
    excel_rows, plain_rows = rows(excel, ";"), rows(plain, ",")
    assert all("," in r[rent] and "." not in r[rent] for r in excel_rows[1:])
    for r in excel_rows:
        r[rent] = r[rent].replace(",", ".")
    assert excel_rows == plain_rows
    # Read back through the normal loader: the same stock, and the stock exported.
    cfg = load_config(CONFIG)
    back = read_stock_csv(excel, cfg)
    assert_same(back, read_stock_csv(plain, cfg))
    exported = build_stock(cfg)
    assert back.n_homes == exported.n_homes
    names = ("home_id", "bedrooms", "senior_suitable", "new_build", "dwelling_type")
    for name in names:
        np.testing.assert_array_equal(getattr(back, name), getattr(exported, name))
    np.testing.assert_allclose(back.rent_2021, exported.rent_2021, atol=0.005)
    np.testing.assert_array_equal(
        np.array(back.villages)[back.village], np.array(exported.villages)[exported.village]
    )


def list_config(tmp_path: Path, csv_name: str) -> Config:
    cfg = load_config(CONFIG, ["run.pilot_years=5", "run.burnin_years=1"])
    data = cfg.model_dump()
    data["run"].update(seed_state="list", burnin_years=0.0)
    data["seekers"]["list_csv_path"] = csv_name
    data["base_dir"] = str(tmp_path)
    return Config.model_validate(data)


def test_excel_waiting_list_round_trips(tmp_path: Path) -> None:
    plain, excel = tmp_path / "plain.csv", tmp_path / "excel.csv"
    short = ["--set", "run.pilot_years=5", "--set", "run.burnin_years=1"]
    assert main(["export-seekers", CONFIG, str(plain), *short]) == 0
    assert main(["export-seekers", CONFIG, str(excel), "--excel", *short]) == 0
    assert excel.read_bytes().startswith(BOM)
    excel_rows = rows(excel, ";")
    assert excel_rows[0] == list(LIST_COLUMNS)
    assert excel_rows == rows(plain, ",")  # no decimals here: the same cells
    cfg = list_config(tmp_path, "excel.csv")
    stock = build_stock(cfg)
    back = read_waiting_list(excel, stock, cfg.run.start_date)
    assert back.n == len(excel_rows) - 1 > 100
    assert_same(back, read_waiting_list(plain, stock, cfg.run.start_date))
    # As a Dutch Excel saves it again: dates as D-M-YYYY.
    saved = tmp_path / "saved.csv"
    for r in excel_rows[1:]:
        date = dt.date.fromisoformat(r[0])
        r[0] = f"{date.day}-{date.month}-{date.year}"
    with saved.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows(excel_rows)
    assert_same(read_waiting_list(saved, stock, cfg.run.start_date), back)


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("2015-07-01", dt.date(2015, 7, 1)),
        ("1-7-2015", dt.date(2015, 7, 1)),
        (" 01-07-2015 ", dt.date(2015, 7, 1)),
        ("31-12-1999", dt.date(1999, 12, 31)),
    ],
)
def test_dates_as_excel_saves_them(text: str, date: dt.date) -> None:
    assert parse_date(text) == date


@pytest.mark.parametrize("text", ["7/1/2015", "2015-13-01", "32-1-2015", "1-7-15", ""])
def test_other_dates_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date(text)


def test_flags_as_a_dutch_excel_writes_them() -> None:
    assert parse_bool("WAAR") is True and parse_bool("ONWAAR") is False
    assert parse_bool("TRUE") is True and parse_bool("misschien") is None


def test_exported_list_passes_validate(tmp_path: Path) -> None:
    """The template goes both ways: the list `export-seekers` writes from the model's
    own steady state (ages from its demography, a pilot long enough to reach the oldest)
    is one that `validate` accepts, and nobody in it is older than omega_age."""
    exported = tmp_path / "seekers.csv"
    assert main(["export-seekers", CONFIG, str(exported), "--set", "run.pilot_years=60"]) == 0
    years = [int(r[1]) for r in rows(exported, ",")[1:]]
    cfg = load_config(CONFIG)
    assert min(years) >= cfg.run.start_date.year - cfg.demography.omega_age
    spec = tmp_path / "list.toml"
    spec.write_text(
        f'extends = "{Path(CONFIG).resolve()}"\n[run]\nseed_state = "list"\nburnin_years = 0\n'
        '[seekers]\nlist_csv_path = "seekers.csv"\n'
    )
    assert main(["validate", str(spec)]) == 0


def test_a_stock_file_may_give_its_tenants_birth_years(tmp_path: Path) -> None:
    """The optional column tenant_birth_year: read as 1 July, empty for unknown, and an
    age over omega_age refused with the file, row and column named."""
    cfg = load_config(CONFIG)
    path = tmp_path / "stock.csv"
    assert main(["export-stock", CONFIG, str(path)]) == 0
    lines = path.read_text().splitlines()
    lines[0] += ",tenant_birth_year"
    lines[1] += ",1950"
    lines[2] += ","
    lines[3:] = [line + "," for line in lines[3:]]
    path.write_text("\n".join(lines) + "\n")
    stock = read_stock_csv(path, cfg)
    assert stock.tenant_birth_day is not None
    assert stock.tenant_birth_day[0] == (dt.date(1950, 7, 1) - cfg.run.start_date).days
    assert np.isnan(stock.tenant_birth_day[1:]).all()
    lines[1] = lines[1].rsplit(",", 1)[0] + ",1890"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ConfigError) as err:
        read_stock_csv(path, cfg)
    assert "row 2 column tenant_birth_year" in str(err.value)
