"""Shared fixtures: a small world that runs in a fraction of a second."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from allocsim.config import Config


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
