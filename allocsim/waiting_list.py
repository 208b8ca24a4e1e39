"""An analyst's own waiting list: the registered households a run starts from.

With `run.seed_state = "list"` every replication starts on `run.start_date` from the
households in `seekers.list_csv_path` (the homes' other tenants from the pilot, as
usual); `allocsim export-seekers CONFIG FILE.csv` writes the template, a stationary list
of the scenario in this format. Every bad cell is one `Problem` naming the file, the row,
the column and what is allowed, as for the stock CSV.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from allocsim.config import Config
from allocsim.domain import DAYS_PER_YEAR, Kind, day_of
from allocsim.errors import ConfigError, Problem
from allocsim.policies.eligibility import Limits, allowance_limit
from allocsim.world import (
    Stock,
    csv_writer,
    oldest_birth_year,
    parse_bool,
    parse_date,
    read_csv_records,
)

LIST_COLUMNS = {
    "registration_date": "YYYY-MM-DD (or D-M-YYYY), not after run.start_date (Entree's "
    "registration date: when the household registered, or the start of the tenancy it "
    "registered with)",
    "birth_year": "integer year (read as 1 July); the household is 18 to "
    "demography.omega_age (110) on run.start_date",
    "household_size": "integer 1-9",
    "income_band": "allowance (under the rent-allowance limit) | daeb (up to the DAEB "
    "limit) | above (above the DAEB limit)",
    "urgent": "true/false: holds an urgency declaration",
    "home_id": "empty, or the home_id of the home in the stock it rents (at most one "
    "listed household per home)",
    "rents_elsewhere": "true/false: rents a home outside the stock (false when home_id is set)",
    "active": "true/false: responds to adverts (else a passive registrant)",
    "wanted_villages": "village names of the stock separated by ';' (at least one)",
}
INCOME_BANDS = ("allowance", "daeb", "above")
# Where in its band a household's income lies is drawn uniformly (assumption): from half
# the rent-allowance limit, and up to 1.5 x the DAEB limit above it.
BAND_LOW_FACTOR, BAND_HIGH_FACTOR = 0.5, 1.5


@dataclass(frozen=True)
class WaitingList:
    """Validated households as columns (days relative to run.start_date)."""

    kind: np.ndarray
    birth_day: np.ndarray
    registration_day: np.ndarray
    household_size: np.ndarray
    income_band: np.ndarray  # index into INCOME_BANDS
    home: np.ndarray  # index into the stock, -1 if none
    active: np.ndarray
    village_mask: np.ndarray

    @property
    def n(self) -> int:
        return int(self.kind.size)


_CACHE: dict[tuple[str, float, str], WaitingList] = {}


def load_waiting_list(cfg: Config, stock: Stock) -> WaitingList:
    """The scenario's list (cached per file version and stock)."""
    assert cfg.seekers.list_csv_path is not None
    path = Path(cfg.base_dir) / cfg.seekers.list_csv_path
    try:
        stamp = path.stat().st_mtime
    except OSError as exc:
        raise ConfigError([Problem(str(path), "", "", f"a readable CSV file ({exc})")]) from None
    key = (str(path.resolve()), stamp, f"{cfg.run.start_date}{stock.n_homes}{cfg.demography}")
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = read_waiting_list(path, stock, cfg.run.start_date, cfg.demography.omega_age)
    return _CACHE[key]


def read_waiting_list(
    path: Path, stock: Stock, start: dt.date, omega: float = 110.0
) -> WaitingList:
    """Read and validate a waiting list; every bad cell is one Problem. Households are
    18 to `omega` (demography.omega_age) on `start`."""
    name = str(path)
    oldest = oldest_birth_year(start, omega)
    records = read_csv_records(path, LIST_COLUMNS)
    problems: list[Problem] = []

    def bad(row: int, col: str, value: str | None, allowed: str = "") -> None:
        problems.append(
            Problem(name, f"row {row} column {col}", repr(value), allowed or LIST_COLUMNS[col])
        )

    home_index = {int(h): i for i, h in enumerate(stock.home_id)}
    villages = {v: i for i, v in enumerate(stock.villages)}
    cols: dict[str, list] = {k: [] for k in WaitingList.__dataclass_fields__}
    taken: dict[int, int] = {}
    for i, rec in enumerate(records, start=2):
        if None in rec or any(v is None for v in rec.values()):
            bad(i, "row", str(rec.get(None, "")), f"{len(LIST_COLUMNS)} fields")
            continue
        try:
            reg = parse_date(rec["registration_date"])
            if reg > start:
                raise ValueError
        except ValueError:
            bad(i, "registration_date", rec["registration_date"])
            reg = start
        try:
            birth_year = int(rec["birth_year"])
            if not oldest <= birth_year <= start.year - 18:
                raise ValueError
        except ValueError:
            bad(i, "birth_year", rec["birth_year"], f"an integer {oldest}..{start.year - 18}")
            birth_year = start.year - 30
        try:
            size = int(rec["household_size"])
            if not 1 <= size <= 9:
                raise ValueError
        except ValueError:
            bad(i, "household_size", rec["household_size"])
            size = 1
        band = rec["income_band"].strip().lower()
        if band not in INCOME_BANDS:
            bad(i, "income_band", rec["income_band"])
            band = INCOME_BANDS[0]
        flags = {}
        for col in ("urgent", "rents_elsewhere", "active"):
            flag = parse_bool(rec[col])
            if flag is None:
                bad(i, col, rec[col])
            flags[col] = bool(flag)
        home = -1
        if rec["home_id"].strip():
            try:
                home = home_index[int(rec["home_id"])]
                if home in taken:
                    bad(
                        i,
                        "home_id",
                        rec["home_id"],
                        f"a home not listed before (row {taken[home]})",
                    )
                taken[home] = i
                if flags["rents_elsewhere"]:
                    bad(i, "rents_elsewhere", rec["rents_elsewhere"], "false when home_id is set")
            except (ValueError, KeyError):
                bad(i, "home_id", rec["home_id"], "empty or a home_id of the stock")
                home = -1
        wanted = [v.strip() for v in rec["wanted_villages"].split(";") if v.strip()]
        unknown = [v for v in wanted if v not in villages]
        if not wanted or unknown:
            bad(
                i,
                "wanted_villages",
                rec["wanted_villages"],
                f"';'-separated villages of the stock: {', '.join(stock.villages)}",
            )
        mask = 0
        for v in wanted:
            mask |= 1 << villages.get(v, 0)
        if home >= 0:
            mask |= 1 << int(stock.village[home])
        if flags["urgent"]:
            kind = Kind.URGENT
        elif home >= 0:
            kind = Kind.MOVER_STOCK
        elif flags["rents_elsewhere"]:
            kind = Kind.MOVER_ELSEWHERE
        else:
            kind = Kind.STARTER
        birth = day_of(dt.date(birth_year, 7, 1), start)
        cols["kind"].append(int(kind))
        cols["birth_day"].append(birth)
        # Entree registers adults: no date before the 18th birthday.
        cols["registration_day"].append(
            max(day_of(reg, start), birth + 18 * DAYS_PER_YEAR) if reg <= start else 0.0
        )
        cols["household_size"].append(size)
        cols["income_band"].append(INCOME_BANDS.index(band))
        cols["home"].append(home)
        cols["active"].append(flags["active"] or flags["urgent"])
        cols["village_mask"].append(mask)
    if not records:
        problems.append(Problem(name, "rows", "0", "at least one household"))
    if problems:
        raise ConfigError(problems[:20])
    dtypes = {
        "kind": np.int8,
        "household_size": np.int8,
        "income_band": np.int8,
        "home": np.int32,
        "active": bool,
        "village_mask": np.uint32,
    }
    return WaitingList(
        **{k: np.asarray(v, dtype=dtypes.get(k, np.float64)) for k, v in cols.items()}
    )


def band_incomes(
    wl: WaitingList, limits: Limits, rng: np.random.Generator, start_age: np.ndarray
) -> np.ndarray:
    """An income for each household, uniform within its band (assumption)."""
    size = wl.household_size
    allowance = allowance_limit(size, start_age, limits)
    daeb = np.where(size >= 2, limits.income_multi, limits.income_single)
    low = np.select(
        [wl.income_band == 0, wl.income_band == 1], [BAND_LOW_FACTOR * allowance, allowance], daeb
    )
    high = np.select(
        [wl.income_band == 0, wl.income_band == 1], [allowance, daeb], BAND_HIGH_FACTOR * daeb
    )
    return np.round(low + rng.random(wl.n) * (high - low), 0)


def income_band_of(
    income: np.ndarray, size: np.ndarray, age: np.ndarray, limits: Limits
) -> np.ndarray:
    allowance = allowance_limit(size, age, limits)
    daeb = np.where(size >= 2, limits.income_multi, limits.income_single)
    return np.where(income <= allowance, 0, np.where(income <= daeb, 1, 2))


def write_waiting_list(
    path: Path,
    stock: Stock,
    start: dt.date,
    cols: dict[str, np.ndarray],
    limits: Limits,
    excel: bool = False,
    omega: float = 110.0,
) -> int:
    """Write waiting households (SeekerTable columns, days from `start`) as a list CSV;
    `excel`: as a Dutch Excel saves it (`allocsim.world.csv_writer`)."""
    kind = cols["kind"]
    age = -cols["birth_day"] / DAYS_PER_YEAR
    band = income_band_of(cols["income"], cols["household_size"], age, limits)
    with csv_writer(path, LIST_COLUMNS, excel=excel) as row:
        for i in range(kind.size):
            reg = start + dt.timedelta(days=int(np.floor(cols["meettijd_start"][i])))
            birth = start + dt.timedelta(days=int(np.floor(cols["birth_day"][i])))
            home = int(cols["home"][i])
            wanted = [
                v for b, v in enumerate(stock.villages) if int(cols["village_mask"][i]) >> b & 1
            ]
            row(
                [
                    min(reg, start).isoformat(),
                    min(max(birth.year, oldest_birth_year(start, omega)), start.year - 18),
                    int(cols["household_size"][i]),
                    INCOME_BANDS[int(band[i])],
                    str(bool(kind[i] in (Kind.URGENT, Kind.SHELTERED))).lower(),
                    int(stock.home_id[home]) if home >= 0 else "",
                    str(bool(kind[i] == Kind.MOVER_ELSEWHERE)).lower(),
                    str(bool(cols["active"][i])).lower(),
                    ";".join(wanted),
                ]
            )
    return int(kind.size)


def check_data_files(cfg: Config) -> None:
    """Read the scenario's stock and waiting-list files, raising ConfigError on a bad one."""
    from allocsim.world import build_stock

    if cfg.stock.source == "csv" or cfg.run.seed_state == "list":
        stock = build_stock(cfg)
        if cfg.run.seed_state == "list":
            load_waiting_list(cfg, stock)
