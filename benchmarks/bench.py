"""Speed and memory figures of allocsim; prints them, asserts nothing.

    python benchmarks/bench.py            # every case, each in its own process
    python benchmarks/bench.py --case default --replications 10

Cases: `default` (the agreements-2022 world, one replication-year per replication)
and `x10` (the same world with ten times the homes, seekers and tasks). Each case
runs in a fresh process so its peak memory (max RSS) is its own.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "configs" / "agreements-2022.toml"


def scaled(factor: int) -> Any:
    from allocsim.config import Config, load_config

    cfg = load_config(CONFIG)
    data = cfg.model_dump()
    for area in data["stock"]["areas"]:
        area["n_homes"] *= factor
    p = data["policies"]
    p["starter_pilot"]["quota_per_year"] = {
        k: v * factor for k, v in p["starter_pilot"]["quota_per_year"].items()
    }
    for half in ("task_persons_h1", "task_persons_h2"):
        p["status_holders"][half] = {k: v * factor for k, v in p["status_holders"][half].items()}
    return Config.model_validate(data)


def run_case(case: str, replications: int) -> dict[str, Any]:
    from allocsim.engine import simulate
    from allocsim.world import build_stock

    cfg = scaled(10 if case == "x10" else 1)
    stock = build_stock(cfg)
    simulate(cfg, stock, 10_000)  # warm caches and imports
    years = ((cfg.run.end_date - cfg.run.start_date).days + cfg.run.warmup_days) / 365.25
    lettings = 0
    start = time.perf_counter()
    for r in range(replications):
        lettings += len(simulate(cfg, stock, r)["lettings"])
    wall = time.perf_counter() - start
    return {
        "case": case,
        "homes": stock.n_homes,
        "replications": replications,
        "seconds_per_replication_year": wall / (replications * years),
        "replication_years_per_second": replications * years / wall,
        "lettings_per_second": lettings / wall,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--case", choices=["default", "x10"])
    parser.add_argument("--replications", type=int)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, args.replications or 10)))
        return
    results = []
    for case, reps in (("default", 20), ("x10", 3)):
        out = subprocess.run(
            [sys.executable, __file__, "--case", case, "--replications", str(reps)],
            check=True,
            capture_output=True,
            text=True,
        )
        results.append(json.loads(out.stdout))
    print(
        f"{'case':8} {'homes':>7} {'s/rep-year':>11} {'rep-years/s':>12} "
        f"{'lettings/s':>11} {'peak MB':>8}"
    )
    for r in results:
        print(
            f"{r['case']:8} {r['homes']:>7} {r['seconds_per_replication_year']:>11.3f} "
            f"{r['replication_years_per_second']:>12.2f} {r['lettings_per_second']:>11.0f} "
            f"{r['peak_rss_mb']:>8.0f}"
        )
    base, big = results[0], results[1]
    ratio = big["seconds_per_replication_year"] / base["seconds_per_replication_year"]
    print(f"\nx10 world is {ratio:.1f}x slower per replication-year (target: at most 15x);")
    print(
        f"default world: {base['seconds_per_replication_year'] * 1000:.0f} ms per "
        "replication-year (target: at most 50 ms)."
    )


if __name__ == "__main__":
    main()
