"""The world: the stock of homes and the table of seekers, as columns of numpy arrays.

`build_stock` makes the stock once per scenario (synthetic from documented shares,
or read from an analyst's CSV); `SeekerTable` grows as households register, and
`draw_seekers` samples their attributes from the config's profiles.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from allocsim.config import DWELLING_TYPES, SEEKER_KINDS, Config, policy_problems
from allocsim.domain import DAYS_PER_YEAR, Kind, day_of
from allocsim.errors import ConfigError, Problem
from allocsim.paths import atomic_open

MAX_VILLAGES = 32  # a seeker's wanted villages are bits of a uint32

STOCK_COLUMNS = {
    "home_id": "integer, unique",
    "municipality": "text",
    "village": "text (kern); villages belong to one municipality",
    "neighbourhood": "text",
    "dwelling_type": " | ".join(DWELLING_TYPES),
    "bedrooms": "integer 1-6",
    "rent_2021": "monthly rent in euro at the 2021 price level, > 0",
    "senior_suitable": "true/false: bedroom and bathroom on the ground floor",
    "new_build": "true/false",
    "completion_date": "YYYY-MM-DD (or D-M-YYYY) for homes not yet built, else empty",
}
# Columns a stock file may have or leave out.
STOCK_OPTIONAL = {
    "tenant_birth_year": "integer year (read as 1 July) of the tenant's (head's) birth on "
    "run.start_date, 18 to demography.omega_age (110) years before it; empty if unknown or "
    "vacant (then drawn from the model's demography)",
}


@dataclass(frozen=True)
class Stock:
    """Every home as columns; codes index into the name tuples."""

    municipalities: tuple[str, ...]
    villages: tuple[str, ...]
    neighbourhoods: tuple[str, ...]
    village_municipality: np.ndarray
    home_id: np.ndarray
    municipality: np.ndarray
    village: np.ndarray
    neighbourhood: np.ndarray
    dwelling_type: np.ndarray
    bedrooms: np.ndarray
    rent_2021: np.ndarray
    senior_suitable: np.ndarray
    new_build: np.ndarray
    completion_day: np.ndarray  # 0 for existing homes; day of first letting for new builds
    turnover_per_year: np.ndarray
    first_channel: np.ndarray  # -1: the usual rules; else the Channel of the first letting
    withdraw_day: np.ndarray  # day the home leaves the stock (demolition); inf if never
    # The tenant's birth day on run.start_date from the stock file (NaN: unknown); None
    # when the file has no such column (the synthetic stock): the model's demography.
    tenant_birth_day: np.ndarray | None = None

    @property
    def n_homes(self) -> int:
        return int(self.home_id.size)


def build_stock(cfg: Config) -> Stock:
    """The scenario's stock: existing homes plus the new-build pipeline."""
    if cfg.stock.source == "csv":
        assert cfg.stock.csv_path is not None
        path = Path(cfg.base_dir) / cfg.stock.csv_path
        base = read_stock_csv(path, cfg)
        check_policies_against(cfg, base, str(path))
    else:
        base = synthetic_stock(cfg)
    return add_new_build(base, cfg)


def check_policies_against(cfg: Config, stock: Stock, name: str) -> None:
    """Every municipality, village and neighbourhood the policies name must be in the
    stock file, and every municipality of the file needs its lottery cap; otherwise a
    renamed or missing place would silently switch a rule off."""
    munis, villages = set(stock.municipalities), set(stock.villages)
    hoods = set(stock.neighbourhoods) | {p.neighbourhood for p in cfg.new_build.projects}
    problems = policy_problems(cfg.policies, "policies", munis, villages, hoods)
    if cfg.history_policies is not None:  # only what the history adds
        history = policy_problems(cfg.history, "history_policies", munis, villages, hoods)
        seen = {p.removeprefix("policies") for p in problems}
        problems += [p for p in history if p.removeprefix("history_policies") not in seen]
    if problems:
        raise ConfigError(
            [Problem(name, "", "", f"places that exist in this stock file: {m}") for m in problems]
        )


def _pipeline(cfg: Config) -> list[dict]:
    """One dict per new home: the named projects, then the unplanned flow (evenly spaced)."""
    nb = cfg.new_build
    start = cfg.run.start_date
    homes = []
    for p in nb.projects:
        for _ in range(p.n_homes):
            homes.append(
                {
                    "municipality": p.municipality,
                    "village": p.village,
                    "neighbourhood": p.neighbourhood,
                    "dwelling_type": p.dwelling_type,
                    "bedrooms": p.bedrooms,
                    "rent_2021": p.rent_2021,
                    "senior_suitable": p.senior_suitable,
                    "day": day_of(p.completion_date, start),
                    "first_channel": {"rules": -1, "offer": 0, "lottery": 1}[p.first_channel],
                }
            )
    span = day_of(nb.unplanned_until, start) - day_of(nb.unplanned_from, start)
    for muni, per_year in sorted(nb.unplanned_per_year.items()):
        n = int(round(per_year * span / DAYS_PER_YEAR))
        area = next(a for a in cfg.stock.areas if a.municipality == muni)
        for i in range(n):
            homes.append(
                {
                    "municipality": muni,
                    "village": area.village,
                    "neighbourhood": area.neighbourhoods[0],
                    "dwelling_type": "apartment",
                    "bedrooms": nb.unplanned_bedrooms,
                    "rent_2021": nb.unplanned_rent_2021,
                    "senior_suitable": False,
                    "day": day_of(nb.unplanned_from, start) + span * (i + 0.5) / n,
                    "first_channel": -1,
                }
            )
    return homes


def add_new_build(stock: Stock, cfg: Config) -> Stock:
    new = _pipeline(cfg)
    withdraw = np.full(stock.n_homes, np.inf)
    start = cfg.run.start_date
    for p in cfg.new_build.projects:
        if p.demolishes and p.village in stock.villages:
            # The lowest-numbered existing homes of the village make way (assumption).
            v = stock.villages.index(p.village)
            candidates = np.flatnonzero((stock.village == v) & (stock.completion_day <= 0))
            gone = candidates[: p.demolishes]
            withdraw[gone] = np.minimum(withdraw[gone], day_of(p.completion_date, start) - 365.0)
    if not new:
        return replace(
            stock, first_channel=np.full(stock.n_homes, -1, np.int8), withdraw_day=withdraw
        )
    munis = tuple(dict.fromkeys([*stock.municipalities, *(h["municipality"] for h in new)]))
    villages = tuple(dict.fromkeys([*stock.villages, *(h["village"] for h in new)]))
    hoods = tuple(dict.fromkeys([*stock.neighbourhoods, *(h["neighbourhood"] for h in new)]))
    village_muni = np.zeros(len(villages), dtype=np.int16)
    village_muni[: len(stock.villages)] = stock.village_municipality
    for h in new:
        village_muni[villages.index(h["village"])] = munis.index(h["municipality"])
    dtype = np.array([DWELLING_TYPES.index(h["dwelling_type"]) for h in new], dtype=np.int8)
    k = len(new)
    return Stock(
        municipalities=munis,
        villages=villages,
        neighbourhoods=hoods,
        village_municipality=village_muni,
        home_id=np.r_[stock.home_id, stock.home_id.max(initial=0) + 1 + np.arange(k)],
        municipality=np.r_[
            stock.municipality, [munis.index(h["municipality"]) for h in new]
        ].astype(np.int16),
        village=np.r_[stock.village, [villages.index(h["village"]) for h in new]].astype(np.int16),
        neighbourhood=np.r_[
            stock.neighbourhood, [hoods.index(h["neighbourhood"]) for h in new]
        ].astype(np.int16),
        dwelling_type=np.r_[stock.dwelling_type, dtype].astype(np.int8),
        bedrooms=np.r_[stock.bedrooms, [h["bedrooms"] for h in new]].astype(np.int8),
        rent_2021=np.r_[stock.rent_2021, [h["rent_2021"] for h in new]],
        senior_suitable=np.r_[stock.senior_suitable, [h["senior_suitable"] for h in new]].astype(
            bool
        ),
        new_build=np.r_[stock.new_build, np.ones(k, dtype=bool)],
        completion_day=np.r_[stock.completion_day, [max(h["day"], 0.0) for h in new]],
        turnover_per_year=np.r_[
            stock.turnover_per_year,
            [cfg.stock.dwelling_types[h["dwelling_type"]].turnover_per_year for h in new],
        ],
        first_channel=np.r_[np.full(stock.n_homes, -1), [h["first_channel"] for h in new]].astype(
            np.int8
        ),
        withdraw_day=np.r_[withdraw, np.full(k, np.inf)],
        tenant_birth_day=None
        if stock.tenant_birth_day is None
        else np.r_[stock.tenant_birth_day, np.full(k, np.nan)],
    )


def synthetic_stock(cfg: Config) -> Stock:
    """Stock from the shares in `stock.dwelling_types`, the same for every replication."""
    rng = np.random.default_rng(np.random.SeedSequence(cfg.stock.synthetic_seed))
    s = cfg.stock
    types = [s.dwelling_types[name] for name in DWELLING_TYPES]
    rows: dict[str, list[np.ndarray]] = {k: [] for k in ("area", "dtype", "bed", "rent", "senior")}
    for a_idx, area in enumerate(s.areas):
        n = area.n_homes
        dtype = rng.choice(len(types), size=n, p=[t.share for t in types])
        bed = np.zeros(n, dtype=np.int8)
        rent = np.zeros(n)
        senior = np.zeros(n, dtype=bool)
        for t_idx, t in enumerate(types):
            mask = dtype == t_idx
            k = int(mask.sum())
            keys = np.array(sorted(t.bedroom_shares))
            probs = np.array([t.bedroom_shares[b] for b in keys])
            bed[mask] = rng.choice(keys, size=k, p=probs / probs.sum())
            rent[mask] = (
                t.rent_2021_base
                + t.rent_2021_per_bedroom * (bed[mask] - 1)
                + rng.normal(0.0, t.rent_2021_sd, size=k)
            )
            senior[mask] = rng.random(k) < t.senior_suitable_share
        rows["area"].append(np.full(n, a_idx))
        rows["dtype"].append(dtype)
        rows["bed"].append(bed)
        rows["rent"].append(np.clip(rent, s.rent_min_2021, s.rent_max_2021).round(2))
        rows["senior"].append(senior)
    area_code = np.concatenate(rows["area"]).astype(np.int32)
    dtype_all = np.concatenate(rows["dtype"]).astype(np.int8)
    munis = tuple(dict.fromkeys(a.municipality for a in s.areas))
    villages = tuple(dict.fromkeys(a.village for a in s.areas))
    hoods = tuple(dict.fromkeys(h for a in s.areas for h in a.neighbourhoods))
    area_muni = np.array([munis.index(a.municipality) for a in s.areas], dtype=np.int16)
    area_village = np.array([villages.index(a.village) for a in s.areas], dtype=np.int16)
    # Homes are spread evenly over an area's neighbourhoods (assumption).
    hood = np.zeros(area_code.size, dtype=np.int16)
    for a_idx, a in enumerate(s.areas):
        mask = area_code == a_idx
        codes = np.array([hoods.index(h) for h in a.neighbourhoods], dtype=np.int16)
        hood[mask] = codes[np.arange(int(mask.sum())) % codes.size]
    n = area_code.size
    village_muni = np.zeros(len(villages), dtype=np.int16)
    village_muni[area_village] = area_muni
    return Stock(
        municipalities=munis,
        villages=villages,
        neighbourhoods=hoods,
        village_municipality=village_muni,
        home_id=np.arange(1, n + 1, dtype=np.int64),
        municipality=area_muni[area_code],
        village=area_village[area_code],
        neighbourhood=hood,
        dwelling_type=dtype_all,
        bedrooms=np.concatenate(rows["bed"]).astype(np.int8),
        rent_2021=np.concatenate(rows["rent"]),
        senior_suitable=np.concatenate(rows["senior"]),
        new_build=np.zeros(n, dtype=bool),
        completion_day=np.zeros(n),
        turnover_per_year=np.array([types[t].turnover_per_year for t in dtype_all]),
        first_channel=np.full(n, -1, dtype=np.int8),
        withdraw_day=np.full(n, np.inf),
    )


def parse_bool(text: str) -> bool | None:
    """A flag as people and Excel write it (a Dutch Excel says WAAR and ONWAAR)."""
    low = text.strip().lower()
    if low in ("true", "1", "yes", "ja", "waar"):
        return True
    if low in ("false", "0", "no", "nee", "onwaar"):
        return False
    return None


_DUTCH_DATE = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")


def parse_date(text: str) -> dt.date:
    """A date as YYYY-MM-DD, or D-M-YYYY as a Dutch Excel saves a date it has read;
    ValueError otherwise."""
    text = text.strip()
    m = _DUTCH_DATE.match(text)
    if m:
        return dt.date(int(m[3]), int(m[2]), int(m[1]))
    return dt.date.fromisoformat(text)


_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}
_DECIMAL_COMMA = re.compile(r"^\s*-?\d+,\d+\s*$")


@dataclass(frozen=True)
class CsvFormat:
    """How a data file was written: what Excel writes is read too (a BOM, Windows-1252
    text, semicolons with decimal commas)."""

    encoding: str  # "utf-8", "utf-8 with BOM" or "windows-1252"
    delimiter: str

    def __str__(self) -> str:
        sep = (
            "semicolon-separated, decimal commas read as points"
            if self.delimiter == ";"
            else ("comma-separated")
        )
        return f"{self.encoding}, {sep}"


def read_text(path: Path) -> tuple[str, str]:
    """A data file's text and its encoding: UTF-8 (with or without a BOM), or Excel's
    Windows-1252 when the bytes are not UTF-8 and every byte is a Windows-1252 character;
    otherwise ConfigError naming the file and how to save it as UTF-8."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError([Problem(name, "", "", f"a readable file ({exc.strerror})")]) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw[3:].decode("utf-8"), "utf-8 with BOM"
        except UnicodeDecodeError:
            pass
    else:
        try:
            return raw.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    if b"\x00" not in raw and not _CP1252_UNDEFINED & set(raw):
        return raw.decode("cp1252"), "windows-1252"
    raise ConfigError(
        [
            Problem(
                name,
                "",
                "",
                "UTF-8 text (the file is in an unknown encoding; in Excel save it as "
                "'CSV UTF-8 (comma delimited)')",
            )
        ]
    )


def csv_format(path: Path) -> CsvFormat:
    """The encoding and separator `read_csv_records` will use for `path`."""
    text, encoding = read_text(path)
    header = text.splitlines()[0] if text else ""
    delimiter = ";" if header.count(";") > header.count(",") else ","
    return CsvFormat(encoding, delimiter)


def read_csv_records(
    path: Path, columns: dict[str, str], optional: dict[str, str] | None = None
) -> list[dict[Any, Any]]:
    """The rows of a data file with exactly `columns` (and any of `optional`), or
    ConfigError naming the file.
    Accepts what Excel writes (`csv_format`): semicolon files have their decimal commas
    read as points."""
    name = str(path)
    text, _ = read_text(path)
    fmt = csv_format(path)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=fmt.delimiter)
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in columns if c not in header]
    extra = [c for c in header if c not in columns and c not in (optional or {})]
    if missing or extra:
        raise ConfigError(
            [
                Problem(
                    name,
                    "header",
                    ", ".join(header),
                    f"the columns {', '.join(columns)}"
                    + (f", optionally {', '.join(optional)}" if optional else "")
                    + (f" (missing: {', '.join(missing)})" if missing else "")
                    + (f" (unknown: {', '.join(extra)})" if extra else ""),
                )
            ]
        )
    rows = list(reader)
    if fmt.delimiter == ";":
        for row in rows:
            for key, value in row.items():
                if isinstance(value, str) and _DECIMAL_COMMA.match(value):
                    row[key] = value.replace(",", ".")
    return rows


def oldest_birth_year(start: dt.date, omega: float) -> int:
    """The earliest birth year (read as 1 July) of someone no older than `omega` on
    `start`: the bound of the data files' birth years, which their templates meet."""
    year = start.year - math.floor(omega)
    return year if day_of(dt.date(year, 7, 1), start) >= -omega * DAYS_PER_YEAR else year + 1


def read_stock_csv(path: Path, cfg: Config) -> Stock:
    """Read and validate an analyst's stock file; every bad cell is one Problem."""
    problems: list[Problem] = []
    name = str(path)
    records = read_csv_records(path, STOCK_COLUMNS, STOCK_OPTIONAL)
    described = {**STOCK_COLUMNS, **STOCK_OPTIONAL}

    def bad(row: int, col: str, value: str) -> None:
        problems.append(Problem(name, f"row {row} column {col}", repr(value), described[col]))

    out: dict[str, list] = {c: [] for c in described}
    seen: set[int] = set()
    start = cfg.run.start_date
    oldest = oldest_birth_year(start, cfg.demography.omega_age)
    for i, rec in enumerate(records, start=2):
        if None in rec or any(v is None for v in rec.values()):
            problems.append(
                Problem(name, f"row {i}", repr(rec.get(None, "")), f"{len(STOCK_COLUMNS)} fields")
            )
            continue
        try:
            hid = int(rec["home_id"])
            if hid in seen:
                raise ValueError
            seen.add(hid)
        except ValueError:
            bad(i, "home_id", rec["home_id"])
            hid = -1
        for col in ("municipality", "village", "neighbourhood"):
            if not rec[col].strip():
                bad(i, col, rec[col])
        if rec["dwelling_type"] not in DWELLING_TYPES:
            bad(i, "dwelling_type", rec["dwelling_type"])
        try:
            bedrooms = int(rec["bedrooms"])
            if not 1 <= bedrooms <= 6:
                raise ValueError
        except ValueError:
            bad(i, "bedrooms", rec["bedrooms"])
            bedrooms = 1
        try:
            rent = float(rec["rent_2021"])
            if not 0 < rent < 100_000:  # a monthly rent: finite, positive (nan fails too)
                raise ValueError
        except ValueError:
            bad(i, "rent_2021", rec["rent_2021"])
            rent = 0.0
        flags = {}
        for col in ("senior_suitable", "new_build"):
            flag = parse_bool(rec[col])
            if flag is None:
                bad(i, col, rec[col])
            flags[col] = bool(flag)
        completion = 0.0
        if rec["completion_date"].strip():
            try:
                completion = max(0.0, day_of(parse_date(rec["completion_date"]), start))
            except ValueError:
                bad(i, "completion_date", rec["completion_date"])
        out["home_id"].append(hid)
        for col in ("municipality", "village", "neighbourhood", "dwelling_type"):
            out[col].append(rec[col].strip())
        out["bedrooms"].append(bedrooms)
        out["rent_2021"].append(rent)
        out["senior_suitable"].append(flags["senior_suitable"])
        out["new_build"].append(flags["new_build"])
        out["completion_date"].append(completion)
        birth = math.nan
        text = (rec.get("tenant_birth_year") or "").strip()
        if text:
            try:
                year = int(text)
                if not oldest <= year <= start.year - 18:
                    raise ValueError
                birth = day_of(dt.date(year, 7, 1), start)
            except ValueError:
                bad(i, "tenant_birth_year", text)
        out["tenant_birth_year"].append(birth)
    if not records:
        problems.append(Problem(name, "rows", "0", "at least one home"))
    village_of: dict[str, str] = {}
    for v, m in zip(out["village"], out["municipality"], strict=True):
        if village_of.setdefault(v, m) != m:
            problems.append(
                Problem(name, "village", v, f"one municipality (found {m} and {village_of[v]})")
            )
    n_villages = len(set(out["village"]))
    if n_villages > MAX_VILLAGES:
        problems.append(
            Problem(name, "village", f"{n_villages} villages", f"at most {MAX_VILLAGES} villages")
        )
    if problems:
        raise ConfigError(problems[:20])
    munis = tuple(dict.fromkeys(out["municipality"]))
    villages = tuple(dict.fromkeys(out["village"]))
    hoods = tuple(dict.fromkeys(out["neighbourhood"]))
    dtype = np.array([DWELLING_TYPES.index(t) for t in out["dwelling_type"]], dtype=np.int8)
    turnover = np.array(
        [cfg.stock.dwelling_types[DWELLING_TYPES[t]].turnover_per_year for t in dtype]
    )
    return Stock(
        municipalities=munis,
        villages=villages,
        neighbourhoods=hoods,
        village_municipality=np.array(
            [munis.index(village_of[v]) for v in villages], dtype=np.int16
        ),
        home_id=np.array(out["home_id"], dtype=np.int64),
        municipality=np.array([munis.index(m) for m in out["municipality"]], dtype=np.int16),
        village=np.array([villages.index(v) for v in out["village"]], dtype=np.int16),
        neighbourhood=np.array([hoods.index(h) for h in out["neighbourhood"]], dtype=np.int16),
        dwelling_type=dtype,
        bedrooms=np.array(out["bedrooms"], dtype=np.int8),
        rent_2021=np.array(out["rent_2021"]),
        senior_suitable=np.array(out["senior_suitable"], dtype=bool),
        new_build=np.array(out["new_build"], dtype=bool),
        completion_day=np.array(out["completion_date"]),
        turnover_per_year=turnover,
        first_channel=np.full(len(dtype), -1, dtype=np.int8),
        withdraw_day=np.full(len(dtype), np.inf),
        tenant_birth_day=np.array(out["tenant_birth_year"])
        if records and "tenant_birth_year" in records[0]
        else None,
    )


EXCEL = CsvFormat("utf-8 with BOM", ";")  # as a Dutch Excel saves "CSV UTF-8"
PLAIN = CsvFormat("utf-8", ",")


@contextlib.contextmanager
def csv_writer(
    path: Path, columns: Iterable[str], decimals: Iterable[str] = (), excel: bool = False
) -> Iterator[Callable[[list[Any]], None]]:
    """A function that writes one row of a data file, whose header is `columns`; the file
    appears at `path` when the block ends. Plain: UTF-8 and commas. `excel`: as a Dutch
    Excel saves it (UTF-8 with a BOM, semicolons, and decimal commas in the `decimals`
    columns), so that Excel opens it with its columns split and its numbers as numbers.
    `read_csv_records` reads both."""
    fmt = EXCEL if excel else PLAIN
    encoding = "utf-8-sig" if fmt.encoding == "utf-8 with BOM" else "utf-8"
    names = list(columns)
    comma = [excel and name in set(decimals) for name in names]
    with atomic_open(path, "w", newline="", encoding=encoding) as fh:
        w = csv.writer(fh, delimiter=fmt.delimiter)
        w.writerow(names)

        def row(values: list[Any]) -> None:
            w.writerow(
                [str(v).replace(".", ",") if c else v for v, c in zip(values, comma, strict=True)]
            )

        yield row


def write_stock_csv(stock: Stock, path: Path, start: dt.date, excel: bool = False) -> None:
    """Write a stock in the CSV schema (a template for an analyst's own file); `excel`:
    as a Dutch Excel saves it (`csv_writer`)."""
    with csv_writer(path, STOCK_COLUMNS, ["rent_2021"], excel) as row:
        for i in range(stock.n_homes):
            day = float(stock.completion_day[i])
            row(
                [
                    int(stock.home_id[i]),
                    stock.municipalities[stock.municipality[i]],
                    stock.villages[stock.village[i]],
                    stock.neighbourhoods[stock.neighbourhood[i]],
                    DWELLING_TYPES[stock.dwelling_type[i]],
                    int(stock.bedrooms[i]),
                    f"{stock.rent_2021[i]:.2f}",
                    str(bool(stock.senior_suitable[i])).lower(),
                    str(bool(stock.new_build[i])).lower(),
                    (start + dt.timedelta(days=day)).isoformat() if day > 0 else "",
                ]
            )


# ----------------------------------------------------------------------- seekers

SEEKER_FIELDS: dict[str, type] = {
    "kind": np.int8,
    "priority": np.int8,  # 0 urgent, 1 normal
    "birth_day": np.float64,  # age(t) = (t - birth_day) / 365.25
    "household_size": np.int8,
    "income": np.float64,
    "meettijd_start": np.float64,  # day from which meettijd counts
    "entry_day": np.float64,  # day the household joined the list (<= 0 for the initial list)
    "village_mask": np.uint32,  # bit v set: wants homes in village v
    "origin_municipality": np.int16,
    "origin_village": np.int16,  # village the household comes from; n_villages: outside
    "senior_only": np.bool_,  # only wants senior-suitable homes
    "active": np.bool_,
    "intensity": np.float64,  # looks at the adverts per week when searching
    "leave_rate": np.float64,  # per day
    "leave_chance": np.float64,  # of leaving in a week for other reasons: 1 - exp(-7 rate)
    "state": np.int8,  # SeekerState
    "home": np.int32,  # index of the home they rent in the stock, -1 if none
    "end_day": np.float64,
    "n_responses": np.int32,
    "first_response_day": np.float64,
    "last_response_day": np.float64,
    "search_start_day": np.float64,  # first response of the current search (README: zoektijd)
    "search_from_day": np.float64,  # an early registrant starts searching then (NaN: none)
    "exit_day": np.float64,  # leaves for a demographic reason (allocsim.demography)
    "exit_reason": np.int8,  # demography.Exit of that exit
    "exit_since": np.float64,  # the exit is drawn as of this day (the household is there then)
    # The next weekly events of a waiting household, drawn as event times (model/events.py):
    "leave_day": np.float64,  # the week's tick on which it leaves for other reasons
    "switch_day": np.float64,  # the tick on which it starts or stops searching
    "look_day": np.float64,  # the advert round in which it next looks
    "due_day": np.float64,  # the first of these, its exit and search_from_day
    "left_reason": np.int8,  # demography.Exit of a household that left (NONE: other)
    "key": np.uint64,  # the household's key for keyed draws (allocsim.keyed)
}


# Columns that are NaN unless given.
NAN_FIELDS = (
    "first_response_day",
    "last_response_day",
    "search_start_day",
    "search_from_day",
    "end_day",
    "leave_day",  # model/events.join draws them when a household joins
    "switch_day",
    "look_day",
    "due_day",
)


@dataclass
class SeekerTable:
    """Columns of all seekers ever on the list; rows are never removed, only change state."""

    n: int = 0
    cols: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.cols:
            self.cols = {k: np.zeros(1024, dtype=t) for k, t in SEEKER_FIELDS.items()}

    def __getattr__(self, name: str) -> np.ndarray:
        cols = self.__dict__.get("cols")
        if cols is not None and name in cols:
            return cols[name][: self.__dict__["n"]]
        raise AttributeError(name)

    @property
    def capacity(self) -> int:
        return int(next(iter(self.cols.values())).size)

    def reserve(self, need: int) -> None:
        """Room for `need` rows (doubling), the rows beyond `n` zero."""
        cap = self.capacity
        if need > cap:
            while cap < need:
                cap *= 2
            for key, col in self.cols.items():
                grown = np.zeros(cap, dtype=col.dtype)
                grown[: self.n] = col[: self.n]
                self.cols[key] = grown

    def add(self, new: dict[str, np.ndarray]) -> np.ndarray:
        """Append rows (columns not given as in `complete_rows`); returns their indices."""
        k = len(next(iter(new.values())))
        need = self.n + k
        self.reserve(need)
        idx = np.arange(self.n, need)
        for key, col in self.cols.items():
            if key in new:
                col[self.n : need] = new[key]
            else:
                col[self.n : need] = _DEFAULTS.get(key, 0)
        self.n = need
        return idx


_DEFAULTS = {**dict.fromkeys(NAN_FIELDS, np.nan), "home": -1}


def complete_rows(new: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every column of SEEKER_FIELDS for the rows of `new`: its own where given, else NaN
    (NAN_FIELDS), -1 (home) or zero."""
    k = len(next(iter(new.values())))
    return {
        key: np.asarray(new[key], dtype=t) if key in new else np.full(k, _DEFAULTS.get(key, 0), t)
        for key, t in SEEKER_FIELDS.items()
    }


def truncated_normal(
    rng: np.random.Generator, mean: float, sd: float, lo: float, hi: float, n: int
) -> np.ndarray:
    x = rng.normal(mean, sd, size=n)
    bad = (x < lo) | (x > hi)
    for _ in range(20):  # resample the tails; a few rounds suffice
        if not bad.any():
            break
        x[bad] = rng.normal(mean, sd, size=int(bad.sum()))
        bad = (x < lo) | (x > hi)
    return np.clip(x, lo, hi)


def draw_seekers(
    cfg: Config,
    stock: Stock,
    rng: np.random.Generator,
    kinds: np.ndarray,
    entry_day: np.ndarray,
    initial: bool,
) -> dict[str, np.ndarray]:
    """Attributes of new seekers of the given kinds (not status holders)."""
    sc = cfg.seekers
    n = kinds.size
    age = np.zeros(n)
    hh = np.zeros(n, dtype=np.int8)
    income = np.zeros(n)
    meettijd_years = np.zeros(n)
    active = np.zeros(n, dtype=bool)
    intensity = np.zeros(n)
    leave = np.zeros(n)
    for code, name in ((int(Kind[k.upper()]), k) for k in SEEKER_KINDS):
        mask = kinds == code
        k = int(mask.sum())
        if k == 0:
            continue
        p = sc.kinds[name]
        age[mask] = truncated_normal(rng, p.age_mean, p.age_sd, p.age_min, p.age_max, k)
        hh[mask] = rng.choice(np.arange(1, 6), size=k, p=np.asarray(p.household_size_shares))
        income[mask] = p.income_median * np.exp(p.income_sigma * rng.standard_normal(k))
        # Meettijd held at registration (woonduur of a rented home elsewhere); movers
        # from the stock get their home's date from the engine instead.
        meettijd_years[mask] = rng.gamma(2.0, p.meettijd_credit_years / 2.0, size=k)
        active[mask] = rng.random(k) < (p.share_active if initial else sc.arrivals_share_active)
        intensity[mask] = p.looks_per_week
        leave[mask] = p.leave_per_year / DAYS_PER_YEAR
    income[hh >= 2] *= sc.income_multi_factor
    starter = kinds == Kind.STARTER
    # Clause 1.7: a share of starters registered at 18, so their meettijd runs from then.
    early = starter & (rng.random(n) < sc.register_at_18_share)
    if initial:
        # The seed list has been waiting: time since registration, exponential at the
        # kind's hazard of leaving the list (a stationary queue's age), on top of the credit.
        leave_years = np.array([1.0 / max(sc.kinds[k].leave_per_year, 0.02) for k in SEEKER_KINDS])
        kind_index = np.searchsorted(np.array([int(Kind[k.upper()]) for k in SEEKER_KINDS]), kinds)
        meettijd_years += rng.exponential(leave_years[kind_index])
        meettijd_years[early] = np.maximum(age[early] - 18.0, 0.0)
    search_from = np.full(n, np.nan)
    if not initial:
        # Clause 1.7: an early registrant enters the list at 18 and starts to search at
        # the age at which it would otherwise have registered (the profile's age).
        search_age = age[early]
        age[early] = 18.0 + rng.random(int(early.sum()))
        active[early] = False
        search_from[early] = entry_day[early] + (search_age - age[early]) * DAYS_PER_YEAR
    # Entree registers adults: no meettijd from before the 18th birthday.
    meettijd_years = np.minimum(meettijd_years, np.maximum(age - 18.0, 0.0))
    villages = len(stock.villages)
    weights = np.bincount(stock.village[stock.completion_day <= 0], minlength=villages).astype(
        float
    )
    origin = rng.choice(villages, size=n, p=weights / weights.sum())
    wants = rng.random((n, villages)) < sc.other_village_share
    wants[np.arange(n), origin] = True
    mask = (wants * (1 << np.arange(villages))).sum(axis=1).astype(np.uint32)
    senior = age >= sc.senior_age
    return {
        "kind": kinds.astype(np.int8),
        "priority": np.where(kinds == Kind.URGENT, 0, 1).astype(np.int8),
        "birth_day": entry_day - age * DAYS_PER_YEAR,
        "household_size": hh,
        "income": income.round(0),
        "meettijd_start": entry_day - meettijd_years * DAYS_PER_YEAR,
        "entry_day": entry_day,
        "village_mask": mask,
        "origin_municipality": stock.village_municipality[origin],
        "origin_village": origin.astype(np.int16),
        "senior_only": senior & (rng.random(n) < sc.senior_needs_suitable_share),
        "active": active | (kinds == Kind.URGENT),
        "search_from_day": search_from,
        "intensity": intensity,
        "leave_rate": leave,
        "state": np.zeros(n, dtype=np.int8),
    }
