"""Speed and memory figures of allocsim; prints them, asserts nothing.

    python benchmarks/bench.py            # every case, each in its own process
    python benchmarks/bench.py --case default --replications 10

Cases: `default` (the agreements-2022 world, one replication-year per replication),
`x10` (the same world with ten times the homes, seekers and tasks) and `region` (the
Entree region, ~90,000 homes, one year). Each case
runs in a fresh process so its peak memory (max RSS) is its own.

    python benchmarks/bench.py --case experiment --replications 1000 --workers 1 2

runs the starter-pilot review experiment (4 scenarios) with the `processes` executor
for each worker count and prints wall time, speed-up and peak memory (the driver's
and the largest worker's max RSS).

    python benchmarks/bench.py --case explore --replications 2

measures one point of the starter-pilot exploration (experiments/starter-pilot-t3-2022-
explore.toml) with the pilot cache off, as a new point runs: its pilot, a replication of
the four scenarios and the history matching of the region, each beside the yardstick,
and extrapolates the shipped default and the target (256 points x 20 replications, at
most 10 minutes on two cores).
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


def scaled_default(factor: int) -> Any:
    from allocsim.loader import load_config, scaled

    return scaled(load_config(CONFIG), factor)


def region_year() -> Any:
    """The Entree region (fitted behaviour if calibrated), one year without burn-in."""
    from allocsim.loader import load_config

    path = ROOT / "configs" / "entree-region-2020.toml"  # the defaults are the fitted values
    return load_config(path, ["run.burnin_years=0", "run.seed_state='profiles'"])


def run_case(case: str, replications: int) -> dict[str, Any]:
    import numpy as np

    from allocsim.engine import Engine, pilot_of, pilot_state, replication_seed, simulate
    from allocsim.world import build_stock

    cfg = region_year() if case == "region" else scaled_default(10 if case == "x10" else 1)
    stock = build_stock(cfg)
    if case != "region":
        simulate(cfg, stock, 10_000)  # warm caches and imports; computes the pilot once
    # Burn-in years are simulated years too: a replication costs burn-in plus run.
    years = (cfg.run.end_date - cfg.run.start_date).days / 365.25 + cfg.run.burnin_years
    lettings = 0
    # The response rounds' work (Engine.work): pairs listed (eligible, before the saved
    # search's bound), pairs weighed, lookers with a pair.
    work = np.zeros(4, dtype=np.int64)
    start = time.perf_counter()
    for r in range(replications):
        seed = replication_seed(cfg.run.seed, r)
        engine = Engine(cfg, stock, seed, r).begin(pilot_state(cfg, stock, pilot_of(cfg, r)))
        lettings += len(engine.finish()["lettings"])
        work += engine.work
    wall = time.perf_counter() - start
    return {
        "case": case,
        "homes": stock.n_homes,
        "replications": replications,
        "seconds_per_replication_year": wall / (replications * years),
        "replication_years_per_second": replications * years / wall,
        "lettings_per_second": lettings / wall,
        "pairs_per_year": int(work[1]) / (replications * years),
        "pairs_per_looker_week": int(work[1]) / max(int(work[2]), 1),
        "listed_per_year": int(work[0]) / (replications * years),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


YARDSTICK = ROOT.parent / "shared" / "bench" / "yardstick.py"


def yardstick_ms() -> float | None:
    """The yardstick's time per replication-year on this machine now, in ms (None if the
    yardstick is not there): allocsim's figures divided by it compare across machines."""
    if not YARDSTICK.is_file():
        return None
    out = subprocess.run(
        [sys.executable, str(YARDSTICK), "--json"], check=True, capture_output=True, text=True
    )
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return float(data["yardstick_ms_per_year"])


def ratio(seconds: float, yard_ms: float | None) -> str:
    return f"{seconds * 1000 / yard_ms:.2f}x yardstick" if yard_ms else "no yardstick"


def in_child(*args: str) -> dict[str, Any]:
    """Run one case in a fresh process, so its peak memory is its own."""
    out = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True
    )
    return dict(json.loads(out.stdout))


def run_experiment_case(replications: int, workers: int) -> dict[str, Any]:
    import tempfile

    from allocsim.experiment import load_experiment, run_experiment

    spec, scenarios = load_experiment(ROOT / "experiments" / "starter-pilot-t3-2022.toml")
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        run_experiment(
            spec,
            scenarios,
            Path(tmp) / "run",
            executor="processes",
            workers=workers,
            replications=replications,
            quiet=True,
        )
        wall = time.perf_counter() - start
    return {
        "case": "experiment",
        "workers": workers,
        "replications_per_scenario": replications,
        "scenarios": len(scenarios),
        "wall_seconds": wall,
        "driver_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "worker_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def experiment_main(replications: int, worker_counts: list[int]) -> None:
    results = []
    for workers in worker_counts:
        results.append(
            in_child(
                "--case",
                "experiment-one",
                "--replications",
                str(replications),
                "--workers",
                str(workers),
            )
        )
    print(
        f"starter-pilot review, {replications} replications x {results[0]['scenarios']} "
        "scenarios, executor processes"
    )
    print(
        f"{'workers':>7} {'wall s':>8} {'speed-up':>9} {'driver MB':>10} {'worker MB':>10} "
        f"{'est. total MB':>14}"
    )
    base = results[0]["wall_seconds"] * results[0]["workers"]
    for r in results:
        total = r["driver_peak_rss_mb"] + r["workers"] * r["worker_peak_rss_mb"]
        print(
            f"{r['workers']:>7} {r['wall_seconds']:>8.1f} {base / r['wall_seconds']:>9.2f} "
            f"{r['driver_peak_rss_mb']:>10.0f} {r['worker_peak_rss_mb']:>10.0f} {total:>14.0f}"
        )
    yard = yardstick_ms()
    print(f"yardstick in the same run: {yard} ms per replication-year")
    print(
        "(targets on two cores: <= 60 s with 2 workers at 1,000 replications, stretch 30 s; "
        "driver and workers together <= 1 GB)"
    )


def run_explore_case(replications: int) -> dict[str, Any]:
    """One point of the starter-pilot exploration, as `allocsim explore` runs it, with the
    pilot cache off (a new point has a new pilot): its pilot, `replications`
    replications of the four scenarios, and the history matching of the region."""
    import os

    os.environ["ALLOCSIM_CACHE"] = "off"
    from allocsim.domain import day_of
    from allocsim.engine import pilot_state
    from allocsim.explore import load_exploration
    from allocsim.explore.run import draw_points, point_scenarios
    from allocsim.explore.spec import region_config
    from allocsim.runs.jobs import Job, group_jobs, run_job
    from allocsim.world import build_stock

    exploration = load_exploration(ROOT / "experiments" / "starter-pilot-t3-2022-explore.toml")
    _, values = draw_points(exploration, exploration.spec.points)
    scenarios = point_scenarios(exploration, values[0])
    window = exploration.experiment.window
    review = exploration.experiment.review
    data_window = None
    if review is not None:
        data_window = (
            day_of(review.data_window_start, window.start_date),
            day_of(review.data_window_end, window.start_date),
        )
    stock = build_stock(scenarios[0].config)
    start = time.perf_counter()
    pilot_state(scenarios[0].config, stock)
    pilot = time.perf_counter() - start
    jobs = group_jobs(
        scenarios, range(replications), {s.label: set() for s in scenarios}, False, data_window
    )
    start = time.perf_counter()
    for job in jobs:
        run_job(job)
    per_replication = (time.perf_counter() - start) / replications
    history = float("nan")
    if exploration.region is not None:
        region = region_config(exploration, values[0])
        start = time.perf_counter()
        run_job(Job("history_matching", region, 0, False))
        history = (time.perf_counter() - start) * exploration.spec.history_matching.replications
    return {
        "case": "explore",
        "scenarios": len(scenarios),
        "replications": replications,
        "pilot_seconds": pilot,
        "replication_seconds": per_replication,
        "history_seconds": history,
        "history_scale": exploration.spec.history_matching.scale,
        "default_points": exploration.spec.points,
        "default_replications": exploration.spec.replications,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_review_case(replications: int) -> dict[str, Any]:
    """Replications of the starter-pilot review as a worker runs them (runs/jobs.py:
    burn-in, the shared history, the four scenarios, metrics), serially, the pilot
    computed (and cached) before the clock starts."""
    from allocsim.domain import day_of
    from allocsim.engine import pilot_state
    from allocsim.experiment import load_experiment
    from allocsim.runs.jobs import group_jobs, run_job
    from allocsim.world import build_stock

    spec, scenarios = load_experiment(ROOT / "experiments" / "starter-pilot-t3-2022.toml")
    review = spec.review
    data_window = None
    if review is not None:
        data_window = (
            day_of(review.data_window_start, spec.window.start_date),
            day_of(review.data_window_end, spec.window.start_date),
        )
    pilot_state(scenarios[0].config, build_stock(scenarios[0].config))
    jobs = group_jobs(
        scenarios, range(replications + 1), {s.label: set() for s in scenarios}, False, data_window
    )
    run_job(jobs[0])  # imports, compiled code, the stock
    start = time.perf_counter()
    for job in jobs[1:]:
        run_job(job)
    return {
        "case": "review",
        "scenarios": len(scenarios),
        "replications": replications,
        "seconds_per_replication": (time.perf_counter() - start) / replications,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def explore_main(replications: int) -> None:
    yard_before = yardstick_ms()
    r = in_child("--case", "explore-one", "--replications", str(replications))
    yard_after = yardstick_ms()
    yard = (yard_before + yard_after) / 2 if yard_before and yard_after else None

    def point(reps: int, history: bool) -> float:
        return (
            r["pilot_seconds"]
            + reps * r["replication_seconds"]
            + (r["history_seconds"] if history else 0.0)
        )

    print(
        f"starter-pilot exploration, one point ({r['scenarios']} scenarios, pilot cache off), "
        f"measured on {replications} replications"
    )
    print(f"yardstick (same run): {yard_before} ms before, {yard_after} ms after")
    print(f"{'part':38} {'seconds':>9} {'vs yardstick':>16}")
    for name, seconds in (
        ("pilot of the point (80 years)", r["pilot_seconds"]),
        ("one replication of the 4 scenarios", r["replication_seconds"]),
        (f"history matching (region x{r['history_scale']:g})", r["history_seconds"]),
    ):
        print(f"{name:38} {seconds:>9.1f} {ratio(seconds, yard):>16}")
    print(f"peak memory {r['peak_rss_mb']:.0f} MB")
    n, reps = r["default_points"], r["default_replications"]
    for label, points, reps_, history in (
        (f"shipped default ({n} points x {reps} replications)", n, reps, True),
        ("target: 256 points x 20 replications, with history matching", 256, 20, True),
        ("target: 256 points x 20 replications, without it", 256, 20, False),
    ):
        minutes = points * point(reps_, history) / 2 / 60
        print(f"{label}: {minutes:.0f} min on 2 cores (one point {point(reps_, history):.0f} s)")
    print("(target: 256 points x 4 scenarios x 20 replications in at most 10 min on 2 cores)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--case",
        choices=[
            "default",
            "x10",
            "region",
            "experiment",
            "experiment-one",
            "explore",
            "explore-one",
            "review",
        ],
    )
    parser.add_argument("--replications", type=int)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    if args.case == "experiment":
        experiment_main(args.replications or 1000, args.workers)
        return
    if args.case == "experiment-one":
        print(json.dumps(run_experiment_case(args.replications or 1000, args.workers[0])))
        return
    if args.case == "explore":
        explore_main(args.replications or 2)
        return
    if args.case == "explore-one":
        print(json.dumps(run_explore_case(args.replications or 2)))
        return
    if args.case == "review":
        print(json.dumps(run_review_case(args.replications or 5)))
        return
    if args.case:
        print(json.dumps(run_case(args.case, args.replications or 10)))
        return
    yard_before = yardstick_ms()
    results = []
    for case, reps in (("default", 20), ("x10", 3), ("region", 1)):
        results.append(in_child("--case", case, "--replications", str(reps)))
    review = in_child("--case", "review", "--replications", "5")
    yard_after = yardstick_ms()
    yard = (yard_before + yard_after) / 2 if yard_before and yard_after else None
    print(
        f"yardstick (../shared/bench/yardstick.py, same run): {yard_before} ms before, "
        f"{yard_after} ms after the cases; ratios use their mean"
    )
    print(
        f"{'case':8} {'homes':>7} {'s/rep-year':>11} {'vs yardstick':>16} {'rep-years/s':>12} "
        f"{'lettings/s':>11} {'peak MB':>8} {'pairs/year':>11}"
    )
    for r in results:
        print(
            f"{r['case']:8} {r['homes']:>7} {r['seconds_per_replication_year']:>11.3f} "
            f"{ratio(r['seconds_per_replication_year'], yard):>16} "
            f"{r['replication_years_per_second']:>12.2f} {r['lettings_per_second']:>11.0f} "
            f"{r['peak_rss_mb']:>8.0f} {r['pairs_per_year']:>11.0f}"
        )
    base, big, region = results
    from allocsim.config import BehaviourConfig

    bound = BehaviourConfig.model_fields["adverts_read_per_week"].default
    per_pair = {r["case"]: r["pairs_per_year"] / base["pairs_per_year"] for r in results}
    print(
        "\npairs weighed per replication-year (after each household's saved search, "
        f"behaviour.adverts_read_per_week): x10 {per_pair['x10']:.1f}x the default world for "
        f"{big['homes'] / base['homes']:.1f}x the homes, the region {per_pair['region']:.1f}x "
        f"for {region['homes'] / base['homes']:.1f}x the homes; per looking household and "
        "week: "
        + ", ".join(f"{r['case']} {r['pairs_per_looker_week']:.1f}" for r in results)
        + f" (bound {bound}: a small world lists fewer adverts than a household reads, "
        "so pairs grow linearly once the bound is reached)"
    )
    listed = {r["case"]: r["listed_per_year"] / base["listed_per_year"] for r in results}
    print(
        "pairs listed before the bound (every advert a household may rent in the villages "
        f"and bedrooms it wants): x10 {listed['x10']:.1f}x, the region {listed['region']:.1f}x "
        "(each household reads only the segments of village and bedrooms it wants)"
    )
    scale = big["seconds_per_replication_year"] / base["seconds_per_replication_year"]
    print(f"\nx10 world is {scale:.1f}x slower per replication-year than the default;")
    print(
        f"default world: {base['seconds_per_replication_year'] * 1000:.0f} ms per "
        f"replication-year, {ratio(base['seconds_per_replication_year'], yard)} "
        "(target: at most 0.4x the yardstick)."
    )
    print(
        f"Entree region ({region['homes']} homes): {region['seconds_per_replication_year']:.1f} s "
        f"per replication-year, {ratio(region['seconds_per_replication_year'], yard)}, "
        f"peak {region['peak_rss_mb']:.0f} MB."
    )
    per_rep = review["seconds_per_replication"]
    print(
        f"starter-pilot review: {per_rep:.2f} s per replication of its "
        f"{review['scenarios']} scenarios (burn-in, history, scenarios, metrics; serial, pilot "
        f"cached), {ratio(per_rep, yard)}, peak {review['peak_rss_mb']:.0f} MB (target: at "
        f"most 5x the yardstick); 1,000 replications on two cores: about "
        f"{1000 * per_rep / 2 / 60:.1f} min (target: 5 min)."
    )


if __name__ == "__main__":
    main()
