"""Compile the model into numba's disk cache now, not at its first use: the install runs
it (`make`: `python -m allocsim.precompile`), as a package with a compiled core is built
when it is installed, so the first `make run` or `make test` does not wait the minute of
one core the compile takes.

A short run of a small world from its own pilot calls every compiled function with the
types every run gives it (numba compiles once per argument types, and the world's size
or rules do not change them). A function that only some settings reach is compiled on
first use, as before; the cache is keyed by the package's source (`allocsim/__init__.py`),
so an edit compiles again.
"""

from __future__ import annotations

import datetime as dt

from allocsim.config import Config
from allocsim.engine import simulate
from allocsim.loader import scaled
from allocsim.world import build_stock


def small_world() -> Config:
    """The default world at a tenth of its size, a month after a short pilot and
    burn-in under the default rules (which reach the pilot's and the window's paths)."""
    base = Config.model_validate(
        {
            "run": {
                "start_date": dt.date(2022, 1, 1),
                "end_date": dt.date(2022, 2, 1),
                "burnin_years": 0.5,
                "pilot_years": 1.0,
            },
            "history_policies": {},
        }
    )
    return scaled(base, 0.1)


def precompile() -> None:
    """Compile the model into numba's disk cache (a short run of `small_world`)."""
    cfg = small_world()
    simulate(cfg, build_stock(cfg), 0)


if __name__ == "__main__":
    precompile()
