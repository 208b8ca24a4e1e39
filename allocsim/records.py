"""The event records a run emits: one schema per table, defined here and nowhere else.

The engine appends rows through `Recorder`; `Recorder.tables` gives them as numpy
`Table`s (categorical columns as codes with their labels), which the metrics read, and a
replication's `Records` builds the pandas DataFrames with the documented columns and
labels only when a table is read as a frame or written. Beside each day column a
table carries its calendar date, derived when the table is written (`with_dates`), so
the engine and the metrics work in days only. The README's column reference is
generated from `TABLES` (`allocsim columns`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa

Column = tuple[str, str]  # (dtype, description)
DATE = "date32"  # a calendar date derived from a day column: pyarrow date32 in Parquet


def dated(day_column: str) -> Column:
    """The calendar-date column beside `day_column`."""
    return (
        DATE,
        f"calendar date of `{day_column}`: run.start_date plus its whole days (empty where "
        f"`{day_column}` is NaN)",
    )


TABLES: dict[str, dict[str, Column]] = {
    "lettings": {
        "replication": ("int32", "replication number"),
        "day": ("float64", "simulation day the new tenancy starts (0 = run.start_date)"),
        "date": dated("day"),
        "home_id": ("int64", "home let"),
        "municipality": ("category", "municipality of the home"),
        "village": ("category", "village (kern) of the home"),
        "neighbourhood": ("category", "neighbourhood of the home"),
        "channel": ("category", "offer | lottery | direct"),
        "rule": ("category", "general | starter_pilot | village_rule | status_holder | new_build"),
        "starter_priority": ("bool", "the advert carried the starter-pilot label"),
        "seeker_id": ("int64", "tenant"),
        "seeker_kind": (
            "category",
            "starter | mover_stock | mover_elsewhere | status_holder | urgent | sheltered_outflow",
        ),
        "group": ("category", "reporting group (see README)"),
        "age": ("float64", "age of the tenant in years at letting"),
        "household_size": ("int8", "persons"),
        "income": ("float64", "yearly household income, euro"),
        "above_income_limit": ("bool", "income above the DAEB limit (free allocation room)"),
        "meettijd_days": ("float64", "meettijd at the advert's close (Entree rules)"),
        "search_days": (
            "float64",
            "search time (zoektijd): days from the first response of the current search (after "
            "seekers.search_gap_days without one; arrival if none, as for direct allocation) to "
            "the letting",
        ),
        "n_responses": ("int32", "responses to the advert"),
        "winner_rank": ("int32", "rank of the tenant among responders, 1 = first; 0 direct"),
        "n_refused": ("int32", "invited candidates before the tenant who refused or did not show"),
        "vacant_days": ("float64", "days from the home falling vacant to the new tenancy"),
        "vacancy_cause": ("category", "turnover | chain | new_build"),
        "departure": (
            "category",
            "why the previous tenant left a turnover vacancy: death | care | moved_away (left "
            "the region or the sector) | other (the non-demographic remainder of turnover); "
            "empty for chain and new-build vacancies",
        ),
        "chain_id": ("int64", "id of the moving chain (the exogenous vacancy that started it)"),
        "chain_position": ("int32", "0 for the vacancy that started the chain, 1 for the next..."),
        "freed_home_id": ("int64", "home the tenant leaves behind in the stock, -1 if none"),
        "freed_home_bedrooms": ("int8", "bedrooms of the freed home, 0 if none"),
        "bedrooms": ("int8", "bedrooms of the home let"),
        "senior_suitable": ("bool", "the home let has bedroom and bathroom on the ground floor"),
        "origin_village": ("category", "village the tenant comes from ('outside': elsewhere)"),
        "advert_id": ("int64", "advert the letting came from, -1 for direct allocation"),
    },
    "offers": {
        "replication": ("int32", "replication number"),
        "day": ("float64", "day the advert closed"),
        "date": dated("day"),
        "advert_id": ("int64", "advert"),
        "home_id": ("int64", "home advertised"),
        "channel": ("category", "offer | lottery"),
        "seeker_id": ("int64", "invited candidate"),
        "rank": ("int32", "rank among responders, 1 = first"),
        "priority": ("int8", "priority class: 0 label priority, 1 urgent, 2 other"),
        "meettijd_days": ("float64", "candidate's meettijd at the advert's close"),
        "outcome": ("category", "accepted | refused | no_show"),
    },
    "adverts": {
        "replication": ("int32", "replication number"),
        "advert_id": ("int64", "advert"),
        "home_id": ("int64", "home"),
        "municipality": ("category", "municipality of the home"),
        "village": ("category", "village of the home"),
        "channel": ("category", "offer | lottery"),
        "rule": ("category", "rule that chose the channel"),
        "starter_priority": ("bool", "starter-pilot label"),
        "publish_day": ("float64", "day the advert opened"),
        "publish_date": dated("publish_day"),
        "close_day": ("float64", "day the advert closed"),
        "close_date": dated("close_day"),
        "n_responses": ("int32", "responses"),
        "n_priority_responses": ("int32", "responses from the label's priority group"),
        "let": ("bool", "the advert ended in a letting (else it is advertised again)"),
    },
    "seekers": {
        "replication": ("int32", "replication number"),
        "seeker_id": ("int64", "seeker"),
        "kind": (
            "category",
            "starter | mover_stock | mover_elsewhere | status_holder | urgent | sheltered_outflow",
        ),
        "group": (
            "category",
            "reporting group on day 0, or at entry if later (metrics assign groups at each "
            "window's start from birth_day)",
        ),
        "origin_municipality": ("category", "municipality the household comes from"),
        "origin_village": ("category", "village the household comes from ('outside': elsewhere)"),
        "entry_day": ("float64", "day the household joined the list (< 0: in the burn-in)"),
        "entry_date": dated("entry_day"),
        "birth_day": ("float64", "day of birth: age on day t is (t - birth_day) / 365.25"),
        "birth_date": dated("birth_day"),
        "age_at_entry": ("float64", "age in years at entry"),
        "household_size": ("int8", "persons"),
        "income": ("float64", "yearly household income, euro"),
        "meettijd_start_day": (
            "float64",
            "registration date as a day (Entree: registration, the woonduur of a tenant's "
            "home, or the date kept across moves); meettijd on day t is t minus this",
        ),
        "meettijd_start_date": dated("meettijd_start_day"),
        "active": (
            "bool",
            "searching at the horizon (looks at the adverts it may want); else a passive "
            "registrant, who now and then tries a lottery",
        ),
        "household_key": (
            "uint64",
            "the household's key for its keyed random draws: equal in every scenario of a "
            "replication, so a household can be followed across scenarios",
        ),
        "n_responses": ("int32", "responses since registration (burn-in included)"),
        "first_response_day": ("float64", "first response since registration (NaN: none)"),
        "first_response_date": dated("first_response_day"),
        "last_response_day": ("float64", "last response (NaN: none)"),
        "last_response_date": dated("last_response_day"),
        "search_start_day": (
            "float64",
            "first response of its latest search (after seekers.search_gap_days without one; "
            "NaN: none)",
        ),
        "search_start_date": dated("search_start_day"),
        "outcome": (
            "category",
            "housed | left | censored (still waiting at the horizon, or housed with a tenancy "
            "starting at or after it)",
        ),
        "outcome_day": (
            "float64",
            "day the tenancy starts or the household left; the horizon for censored seekers",
        ),
        "outcome_date": dated("outcome_day"),
        "left_reason": (
            "category",
            "why a household that left did: death | care | moved_away | other (its kind's "
            "hazard of leaving the list, or its tenancy ended for other reasons); empty unless "
            "left",
        ),
    },
    "responses": {
        "replication": ("int32", "replication number"),
        "day": ("float64", "day the advert was published (responses are made that week)"),
        "date": dated("day"),
        "seeker_id": ("int64", "seeker who responded"),
        "advert_id": ("int64", "advert responded to (one row per response)"),
    },
    "tenants": {
        "replication": ("int32", "replication number"),
        "home_id": ("int64", "occupied home on the horizon (the run's last day)"),
        "municipality": ("category", "municipality of the home"),
        "village": ("category", "village of the home"),
        "dwelling_type": ("category", "single_family | apartment | senior"),
        "bedrooms": ("int8", "bedrooms"),
        "senior_suitable": ("bool", "bedroom and bathroom on the ground floor"),
        "age": ("float64", "the tenant's (head's) age in years on the horizon"),
        "birth_day": ("float64", "the tenant's day of birth"),
        "birth_date": dated("birth_day"),
        "tenancy_start_day": ("float64", "day the tenancy began (NaN: unknown)"),
        "tenancy_start_date": dated("tenancy_start_day"),
        "registration_day": ("float64", "the tenant's registration date as a day (meettijd)"),
        "registration_date": dated("registration_day"),
        "registered": ("bool", "the tenant is on the list, as a mover from the stock"),
    },
    "quotas": {
        "replication": ("int32", "replication number"),
        "year": ("int32", "calendar year"),
        "municipality": ("category", "municipality"),
        "item": ("category", "quota or cap (see README)"),
        "limit": ("float64", "the agreed number (or share x vacancies)"),
        "used": ("float64", "what was used"),
        "requested": ("float64", "what the rules asked for (used + displaced)"),
    },
}


def date_columns(table: str) -> dict[str, str]:
    """A table's calendar-date columns, each with the day column it derives from
    (`close_date` from `close_day`, `date` from `day`)."""
    return {
        name: name.removesuffix("date") + "day"
        for name, (dtype, _) in TABLES[table].items()
        if dtype == DATE
    }


def with_dates(table: str, frame: pd.DataFrame, start: dt.date) -> pd.DataFrame:
    """`frame` (the engine's columns) with the calendar-date columns added in their
    documented places: `start` plus the whole days (rounded down), null for NaN."""
    out = frame.copy()
    epoch = (start - dt.date(1970, 1, 1)).days
    for name, day_column in date_columns(table).items():
        days = np.floor(frame[day_column].to_numpy(dtype=np.float64))
        missing = ~np.isfinite(days)
        since_epoch = np.where(missing, 0, days).astype(np.int64) + epoch
        dates = pa.array(since_epoch.astype(np.int32), type=pa.date32(), mask=missing)
        out[name] = pd.Series(pd.arrays.ArrowExtensionArray(dates), index=frame.index)
    return out[[c for c in TABLES[table] if c in out.columns]]


class Coded(NamedTuple):
    """A categorical column as the engine holds it: integer codes into `labels`."""

    codes: np.ndarray
    labels: tuple[str, ...]


def coded(values: Any) -> Coded:
    """`values` (labels, a pandas Categorical or already `Coded`) as codes and labels."""
    if isinstance(values, Coded):
        return values
    if isinstance(values, pd.Series):
        values = values.array if isinstance(values.dtype, pd.CategoricalDtype) else values
    if isinstance(values, pd.Categorical):
        return Coded(values.codes.astype(np.int32), tuple(map(str, values.categories)))
    labels, codes = np.unique(np.asarray(values, dtype=str), return_inverse=True)
    return Coded(codes.astype(np.int32), tuple(labels.tolist()))


def _is_categorical(table: str, column: str) -> bool:
    return TABLES[table][column][0] == "category"


@dataclass(frozen=True)
class Table:
    """One record table of one replication as numpy columns: what the metrics read.

    A categorical column is held as codes (`cols`) with their labels (`labels`), so
    selecting by label is an integer comparison; pandas appears only in `frame`, when
    the table is written or handed to a user."""

    name: str
    replication: int
    cols: dict[str, np.ndarray]
    labels: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, name: str, replication: int = 0, **columns: Any) -> Table:
        """A table from its columns: arrays, and for categorical columns labels,
        pandas Categoricals or `Coded`."""
        cols: dict[str, np.ndarray] = {}
        labels: dict[str, tuple[str, ...]] = {}
        for column, values in columns.items():
            if _is_categorical(name, column):
                codes, labels[column] = coded(values)
                cols[column] = codes
            else:
                cols[column] = np.asarray(values, dtype=TABLES[name][column][0])
        return cls(name, replication, cols, labels)

    @classmethod
    def of_frame(cls, name: str, frame: pd.DataFrame) -> Table:
        """A table from a pandas frame with (some of) the documented columns."""
        replication = int(frame["replication"].iloc[0]) if "replication" in frame else 0
        keep = [c for c in frame.columns if c in TABLES[name] and c != "replication"]
        return cls.of(
            name,
            replication if len(frame) else 0,
            **{c: frame[c] for c in keep if TABLES[name][c][0] != DATE},
        )

    def __len__(self) -> int:
        return len(next(iter(self.cols.values()))) if self.cols else 0

    def __getitem__(self, column: str) -> np.ndarray:
        """A column's values; a categorical column's codes."""
        return self.cols[column]

    def code(self, column: str, label: str) -> int:
        """The code of `label` in a categorical column (-1 if it has none)."""
        labels = self.labels[column]
        return labels.index(label) if label in labels else -1

    def equals(self, column: str, label: str) -> np.ndarray:
        """Rows whose categorical `column` is `label`."""
        return self.cols[column] == self.code(column, label)

    def text(self, column: str) -> np.ndarray:
        """A categorical column as its labels."""
        return np.asarray(self.labels[column], dtype=object)[self.cols[column]]

    def levels(self, column: str) -> list[tuple[str, np.ndarray]]:
        """(label, row mask) for each label of a categorical column that occurs, in label
        order (as pandas' groupby over the written table gives them)."""
        codes = self.cols[column]
        present = np.unique(codes)
        pairs = sorted((self.labels[column][c], c) for c in present.tolist())
        return [(label, codes == c) for label, c in pairs]

    def take(self, rows: np.ndarray) -> Table:
        """The rows `rows` (a mask or indices)."""
        return Table(
            self.name,
            self.replication,
            {k: v[rows] for k, v in self.cols.items()},
            dict(self.labels),
        )

    def frame(self) -> pd.DataFrame:
        """The table as the documented pandas columns (no calendar dates: `with_dates`).
        Categories are the labels that occur, sorted."""
        spec = TABLES[self.name]
        n = len(self)
        out: dict[str, pd.Series] = {
            "replication": pd.Series(np.full(n, self.replication, dtype=np.int32))
        }
        for name, (dtype, _) in spec.items():
            if dtype == DATE or name == "replication":
                continue
            values = self.cols[name]
            if dtype == "category":
                labels = np.asarray(self.labels[name], dtype=object)
                present = np.unique(values)
                order = np.argsort(labels[present].astype(str), kind="stable")
                recode = np.full(max(len(labels), 1), -1, dtype=np.int32)
                recode[present[order]] = np.arange(present.size, dtype=np.int32)
                out[name] = pd.Series(
                    pd.Categorical.from_codes(recode[values], labels[present[order]].tolist())
                )
            else:
                out[name] = pd.Series(values, dtype=dtype)
        return pd.DataFrame(out)


class Records(Mapping[str, pd.DataFrame]):
    """A replication's record tables: numpy `Table`s for the metrics, and pandas frames
    (built on first use) for whoever writes or reads them as tables."""

    def __init__(self, tables: dict[str, Table]):
        self.tables = tables
        self._frames: dict[str, pd.DataFrame] = {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._frames:
            self._frames[name] = self.tables[name].frame()
        return self._frames[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.tables)

    def __len__(self) -> int:
        return len(self.tables)

    def __getstate__(self) -> dict[str, Any]:
        return {"tables": self.tables, "_frames": {}}  # frames are rebuilt where needed


class Recorder:
    """Collects rows per table: single rows (scalars) or blocks of rows (arrays)."""

    def __init__(self, replication: int):
        self.replication = replication
        names = {
            t: [c for c, (dtype, _) in cols.items() if c != "replication" and dtype != DATE]
            for t, cols in TABLES.items()
        }
        self._names = names
        self._blocks: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLES}
        self._rows: dict[str, dict[str, list[Any]]] = {
            t: {c: [] for c in cols} for t, cols in names.items()
        }

    def row(self, table: str, **values: Any) -> None:
        rows = self._rows[table]
        for key, col in rows.items():
            col.append(values[key])

    def columns(self, table: str, **arrays: Any) -> None:
        """Append many rows at once (arrays of equal length; categorical columns as
        labels or `Coded`)."""
        self._flush(table)
        self._blocks[table].append({k: arrays[k] for k in self._names[table]})

    def _flush(self, table: str) -> None:
        rows = self._rows[table]
        if rows[self._names[table][0]]:
            self._blocks[table].append({k: np.asarray(v) for k, v in rows.items()})
            self._rows[table] = {c: [] for c in self._names[table]}

    def tables(self) -> dict[str, Table]:
        out = {}
        for table, names in self._names.items():
            self._flush(table)
            blocks = self._blocks[table]
            out[table] = Table.of(
                table,
                self.replication,
                **{k: _concat(table, k, [b[k] for b in blocks]) for k in names},
            )
        return out


def _concat(table: str, column: str, parts: list[Any]) -> Any:
    if len(parts) == 1:
        return parts[0]
    if not parts:
        return Coded(np.zeros(0, np.int32), ()) if _is_categorical(table, column) else np.zeros(0)
    if _is_categorical(table, column):
        blocks = [coded(p) for p in parts]
        labels = tuple(sorted(set().union(*(b.labels for b in blocks))))
        index = {label: i for i, label in enumerate(labels)}
        return Coded(
            np.concatenate(
                [np.asarray([index[x] for x in b.labels], np.int32)[b.codes] for b in blocks]
            ),
            labels,
        )
    return np.concatenate([np.asarray(p) for p in parts])


def make_frame(table: str, replication: int, cols: dict[str, Any]) -> pd.DataFrame:
    """A record table's pandas frame from its columns (see `Table.of`)."""
    return Table.of(table, replication, **cols).frame()
