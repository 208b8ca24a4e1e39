"""Golden digests: the model's exact numbers for a few configs and seeds.

    python benchmarks/golden.py --write    # record benchmarks/golden.json
    NPY_ENABLE_CPU_FEATURES=X86_V3 python benchmarks/golden.py --write   # and numpy's AVX2 paths
    python benchmarks/golden.py            # compare; exit 1 and name what moved

Recorded after both fidelity issues (choice-based behaviour, keyed draws), before the
array engine: a faster engine must reproduce every record table and every metric of
these runs exactly. Each table is digested row by row (`pandas.util.hash_pandas_object`,
column names included), so a difference names its table. The quotas table is a set of
rows keyed by (year, municipality, item) that each rule contributes, and the metrics
one row per key; both are digested in key order, so moving a rule's rows into its own
module does not count as a change. The calendar-date columns (`date`, `close_date`, ...)
are left out of the digests: they are derived from their day columns and run.start_date
when a table is written (`allocsim.records.with_dates`), so they add no number of their
own, and the digests recorded before they existed stay valid.

Digests depend on the floating point of numpy, scipy, pandas and numba and on numpy's
vector paths for exp and log (which the CPU's features choose); golden.json records the
environment it was made in, the paths as the digest of their results on a fixed grid
(`float_paths`). Digests are recorded per environment: on a machine with AVX-512 both
its own paths and, with `NPY_ENABLE_CPU_FEATURES=X86_V3`, the AVX2 paths most other
x86-64 machines take. `tests/test_golden.py` compares wherever one record's environment
matches (it skips elsewhere, naming the difference; the reference-distribution test
runs everywhere).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).with_name("golden.json")
SHORT = ["run.pilot_years=20", "run.burnin_years=3", "run.end_date=2022-07-01"]
CASES = {
    "agreements-2022/r0": ("configs/agreements-2022.toml", 0, SHORT),
    "agreements-2022/r1": ("configs/agreements-2022.toml", 1, SHORT),
    "no-starter-pilot-2022/r0": ("configs/no-starter-pilot-2022.toml", 0, SHORT),
    "offer-model-only/profiles": (
        "configs/offer-model-only.toml",
        0,
        [*SHORT, "run.seed_state='profiles'"],
    ),
}


def digest(frame: pd.DataFrame) -> str:
    h = hashlib.sha256(",".join(map(str, frame.columns)).encode())
    h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return h.hexdigest()[:16]


def environment() -> dict[str, str]:
    """What the digests' floating point depends on."""
    import platform

    import numba
    import numpy as np
    import scipy

    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "pandas": pd.__version__,
        "numba": numba.__version__,
        "float_paths": float_paths(),
    }


def float_paths() -> str:
    """Which of numpy's vector paths for exp, log and their kin this machine takes, as
    the digest of their results on a fixed grid: two machines with different CPU
    features but the same paths give the same numbers (a list of CPU features would
    tell them apart for nothing, and the digests would be compared on no machine but
    the one that recorded them)."""
    import numpy as np

    x = np.linspace(-30.0, 30.0, 100_003)
    out = [np.exp(x), np.expm1(x / 7), np.log(np.abs(x) + 1e-3), np.log1p(np.abs(x))]
    out += [np.power(np.abs(x) + 0.5, 0.37), np.exp2(x / 3), np.log2(np.abs(x) + 1.0)]
    return hashlib.sha256(b"".join(a.tobytes() for a in out)).hexdigest()[:16]


KEYS = {
    "quotas": ["year", "municipality", "item"],
    "metrics": ["replication", "dimension", "level", "group", "metric"],
}


def canonical(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Tables that are sets of keyed rows, in key order; a record table without its
    derived calendar-date columns."""
    from allocsim.records import TABLES, date_columns

    if name in TABLES:
        frame = frame.drop(columns=list(date_columns(name)), errors="ignore")
    if name in KEYS:
        return frame.sort_values(KEYS[name], kind="stable").reset_index(drop=True)
    return frame


def digests(cases: dict[str, tuple[str, int, list[str]]] = CASES) -> dict[str, dict[str, str]]:
    from allocsim.analysis.metrics import run_metrics
    from allocsim.engine import simulate
    from allocsim.loader import load_config
    from allocsim.world import build_stock

    out = {}
    for name, (path, replication, overrides) in cases.items():
        cfg = load_config(ROOT / path, overrides)
        frames = simulate(cfg, build_stock(cfg), replication)
        table = {key: digest(canonical(key, frame)) for key, frame in sorted(frames.items())}
        table["metrics"] = digest(canonical("metrics", run_metrics(frames, cfg)))
        table["rows"] = ",".join(f"{k}={len(v)}" for k, v in sorted(frames.items()))
        out[name] = table
    return out


def records() -> list[dict[str, Any]]:
    """golden.json's records: one per environment the digests were made in."""
    return list(json.loads(GOLDEN.read_text())["records"])


def recorded_here() -> tuple[dict[str, Any] | None, list[dict[str, str]]]:
    """The record made in this environment (or None), and every record's environment."""
    env = environment()
    found = [r for r in records() if r["environment"] == env]
    return (found[0] if found else None), [r["environment"] for r in records()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--write",
        action="store_true",
        help="record the digests of this environment (the other environments' are kept)",
    )
    args = parser.parse_args()
    now = digests()
    env = environment()
    if args.write:
        kept = [r for r in records() if r["environment"] != env] if GOLDEN.exists() else []
        data = {"records": [*kept, {"environment": env, "cases": now}]}
        GOLDEN.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
        print(f"wrote {GOLDEN} ({len(kept) + 1} environments)")
        return 0
    here, _ = recorded_here()
    if here is None:
        print("note: recorded in other environments; digests may differ for that reason")
    golden = (here or records()[0])["cases"]
    moved = [
        f"{case}: {table}"
        for case, tables in golden.items()
        for table, value in tables.items()
        if now.get(case, {}).get(table) != value
    ]
    for line in moved:
        print("moved:", line)
    print("every digest matches" if not moved else f"{len(moved)} digests moved")
    return 1 if moved else 0


if __name__ == "__main__":
    sys.exit(main())
