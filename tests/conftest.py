"""Shared fixtures: a small world that runs in a fraction of a second."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import settings

from allocsim.config import Config

# Property tests draw the same examples on every run (a test that passed keeps passing on a
# clean clone, as CI needs); `pytest --hypothesis-profile explore` searches new ones.
settings.register_profile("default", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile("default")


@pytest.fixture(scope="session", autouse=True)
def pilot_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Pilots are cached for this session only (worker processes inherit the setting),
    so tests never read a cache an earlier run left behind."""
    before = os.environ.get("ALLOCSIM_CACHE")
    os.environ["ALLOCSIM_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if before is None:
        os.environ.pop("ALLOCSIM_CACHE", None)
    else:
        os.environ["ALLOCSIM_CACHE"] = before


def small_config(**run: Any) -> Config:
    """The default scenario on a tenth of the stock, over `run` (default: 4 months), with
    the default rules as its history (like the bundled scenarios) and a short pilot and
    burn-in: tests that change only policies share the pilot, computed once per process."""
    data: dict[str, Any] = {
        "name": "small",
        "run": {
            "start_date": dt.date(2022, 1, 1),
            "end_date": dt.date(2022, 5, 1),
            "burnin_years": 3.0,
            "pilot_years": 20.0,
            **run,
        },
        "history_policies": {},
        "stock": {
            "areas": [
                {
                    "municipality": "Duiven",
                    "village": "Duiven",
                    "n_homes": 230,
                    "neighbourhoods": ["Centrum", "Spotvogelstraat"],
                },
                {
                    "municipality": "Duiven",
                    "village": "Loo",
                    "n_homes": 30,
                    "neighbourhoods": ["Loo"],
                },
                {
                    "municipality": "Duiven",
                    "village": "Groessen",
                    "n_homes": 30,
                    "neighbourhoods": ["Groessen"],
                },
                {
                    "municipality": "Westervoort",
                    "village": "Westervoort",
                    "n_homes": 230,
                    "neighbourhoods": ["Broeklanden", "Dorp"],
                },
            ]
        },
    }
    return Config.model_validate(data)


@pytest.fixture
def small() -> Config:
    return small_config()
