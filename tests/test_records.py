"""Calendar dates beside the day columns, added when a record table is written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from allocsim.records import TABLES, date_columns, make_frame, with_dates
from allocsim.runs.folder import Parts
from allocsim.runs.jobs import JobResult

START = dt.date(2022, 1, 1)


def responses(days: list[float]) -> pd.DataFrame:
    n = len(days)
    cols = {"day": np.array(days), "seeker_id": np.arange(n), "advert_id": np.arange(n)}
    return make_frame("responses", 0, cols)


def test_every_day_column_has_its_date_beside_it() -> None:
    for table, cols in TABLES.items():
        names = list(cols)
        for date, day in date_columns(table).items():
            assert day in cols and names.index(date) == names.index(day) + 1, (table, date)
        days = [c for c in names if c == "day" or c.endswith("_day")]
        assert sorted(date_columns(table).values()) == sorted(days), table
    assert date_columns("adverts") == {"publish_date": "publish_day", "close_date": "close_day"}


def test_a_date_is_the_start_plus_whole_days() -> None:
    frame = responses([0.0, 0.99, 31.5, -0.25, -366.0, np.nan])
    assert "date" not in frame.columns  # the engine's frames have days only
    out = with_dates("responses", frame, START)
    assert list(out.columns) == list(TABLES["responses"])
    assert out["date"].tolist()[:5] == [
        dt.date(2022, 1, 1),
        dt.date(2022, 1, 1),
        dt.date(2022, 2, 1),
        dt.date(2021, 12, 31),  # a quarter day before the start is the day before
        dt.date(2020, 12, 31),
    ]
    assert out["date"].isna().tolist() == [False] * 5 + [True]
    pd.testing.assert_frame_equal(out.drop(columns="date"), frame)


def test_dates_are_date32_in_parquet(tmp_path: Path) -> None:
    path = tmp_path / "r.parquet"
    with_dates("responses", responses([1.0, 2.0]), START).to_parquet(path, index=False)
    assert str(pq.read_schema(path).field("date").type) == "date32[day]"
    assert pd.read_parquet(path)["date"].tolist() == [dt.date(2022, 1, 2), dt.date(2022, 1, 3)]


def test_kept_experiment_records_carry_dates(tmp_path: Path) -> None:
    folder = Parts(tmp_path, START)
    metrics = pd.DataFrame({"dimension": ["all"], "value": [1.0]})
    result = JobResult("a", 3, 0.1, metrics, {"responses": responses([10.0])})
    folder.save(result, seed=1)
    saved = pd.read_parquet(folder.record_path("responses", "a", 3))
    assert saved["date"].tolist() == [dt.date(2022, 1, 11)]
