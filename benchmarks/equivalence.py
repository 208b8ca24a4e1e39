"""Equivalence of engines: the model's headline figures as distributions, not digests.

    python benchmarks/equivalence.py --write     # record benchmarks/reference/*.csv.gz
    python benchmarks/equivalence.py             # compare the engine in the tree; exit 1
                                                 # and name what moved
    python benchmarks/equivalence.py --cases default --replications 20   # a quick look

The golden digests (benchmarks/golden.py) hold where a faster engine keeps every draw and
the order of events; a change that moves the random numbers by design (another way to
draw a week's looking, leaving or a taste, seeds spawned by name) cannot keep them. Then
this check decides: the headline figures of four cases, replication by replication,
against the distributions the engine before the change gave (`--write`, kept as data
under `benchmarks/reference/`):

- `default`: the default world (configs/agreements-2022.toml), its window's figures;
- `starter-review`: experiments/starter-pilot-t3-2022.toml, each scenario's figures and
  the paired effects of the pilot, doubled and quadrupled pilots against no pilot;
- `village-review`: experiments/village-rule-t2-2022.toml, levels and the paired effect
  of the village rule;
- `region-tenth`: the Entree region (configs/entree-region-2020.toml) at a tenth of its
  homes, one year from the profiles.

A figure differs when its mean moves by more than the wider of 2% of the reference mean
and 2.5 standard errors of the difference (two independent samples); the engines are
equivalent when at most 5% of the figures differ and none by more than 4 standard
errors, exemptions (`EXEMPT`, each with its reason, listed before any run) aside.

A case's replications start from one pilot (run.pilots = 1), so the reference carries that
pilot's draw of the slow state; a change that alters the pilot's own draws moves the
figures that follow it (the list's size; before 7 December 2026, when replications copied
the pilot's exits, lettings and every figure that follows them) by up to the spread
between pilots, which the standard errors here do not see. The reference was recorded
anew on 7 December 2026 (commit in reference.json) after that fix: against the one before
it (100 replications a case) 557 of 3,882 figures differed, responses per advert by
6-7% and status holders' meettijd by up to 30%, while over 200 pilots the fix moved no
level (benchmarks/pilot_independence.py --levels-against) and the engine changes after it
kept lettings, status holders' meettijd and responses per advert within noise (16
replications each, README 'Reproducibility'). Recorded again the same day from the engine
whose weekly events are found as event times (its numbers equal, draw for draw, those of
the weekly draws before it: the golden digests): against the reference of an intermediate
engine with another pilot draw, 283 of 3,882 figures differed (60 replications a case),
most of them the status holders' (success rate 0.72 against 0.82, those waiting 60 against
54): their queue grows through the burn-in wherever arrivals outrun the 10% cap, so its
level follows the pilot's vacancies closely; read status-holder figures across pilots.
Recorded again later that day (commit 3af3c91), after a pilot stopped depending on the
burn-in (it ends on its own day 0 and is shifted to the burn-in's start, so its draws are
new) and fractional burn-in days were floored: against the reference before, 52 of 303
default figures and 215 of 2,121 starter-review figures differed (status holders'
meettijd and active seekers, seniors' active seekers: the slow state a pilot carries), and
none of the 556 region figures, which start from the profiles and use no pilot. Recorded
once more (commit 56550d8) when a pilot stopped drawing ahead to run.end_date (it draws
to its own end): 14 of 303 default, 57 of 2,121 starter-review, 27 of 909 village-review
and none of the region figures differed from the reference before, again the slow state's
figures.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = Path(__file__).with_name("reference")
CASES = ("default", "starter-review", "village-review", "region-tenth")
# The figures compared: metric ids (dimension/level/group/metric) by prefix, in the
# window; quota rows and the monthly counts are bookkeeping of the same lettings.
HEADLINE = ("all/", "channel/", "municipality/", "review/")
EXEMPT: dict[str, str] = {}  # metric id -> why it may differ (fill in before a run)
RELATIVE, WIDE, NONE_BEYOND, SHARE = 0.02, 2.5, 4.0, 0.05


def _experiment(name: str) -> tuple[Any, list[Any]]:
    from allocsim.experiment import load_experiment

    return load_experiment(ROOT / "experiments" / f"{name}.toml")


def _config(case: str) -> Any:
    from allocsim.loader import load_config, scaled

    if case == "region-tenth":
        region = load_config(
            ROOT / "configs" / "entree-region-2020.toml",
            ["run.burnin_years=0", "run.seed_state='profiles'"],
        )
        return scaled(region, 0.1)
    return load_config(ROOT / "configs" / "agreements-2022.toml")


def _rows(metrics: pd.DataFrame) -> dict[str, float]:
    ids = (
        metrics["dimension"].astype(str)
        + "/"
        + metrics["level"].astype(str)
        + "/"
        + metrics["group"].astype(str)
        + "/"
        + metrics["metric"].astype(str)
    )
    keep = ids.str.startswith(HEADLINE)
    return dict(zip(ids[keep], metrics["value"][keep].astype(float), strict=True))


def replication(case: str, r: int) -> list[tuple[str, int, str, float]]:
    """(case, replication, figure, value) rows of one replication of `case`."""
    from allocsim.runs.jobs import Job, group_jobs, run_job

    if case in ("starter-review", "village-review"):
        spec, scenarios = _experiment(
            "starter-pilot-t3-2022" if case == "starter-review" else "village-rule-t2-2022"
        )
        todo = {s.label: set() for s in scenarios}
        jobs = group_jobs(scenarios, range(r, r + 1), todo, False, None)
        levels: dict[str, dict[str, float]] = {}
        for job in jobs:
            for result in run_job(job):
                if result.metrics is None:
                    raise RuntimeError(f"{case} r{r} {result.label}: {result.error}")
                levels[result.label] = _rows(result.metrics)
        out = [
            (case, r, f"{label}:{k}", v) for label, figs in levels.items() for k, v in figs.items()
        ]
        base = levels[spec.baseline]
        for label, figs in levels.items():
            if label != spec.baseline:
                out += [
                    (case, r, f"{label}-{spec.baseline}:{k}", v - base[k])
                    for k, v in figs.items()
                    if k in base
                ]
        return out
    cfg = _config(case)
    (result,) = run_job(Job(case, cfg, r, keep_records=False))
    if result.metrics is None:
        raise RuntimeError(f"{case} r{r}: {result.error}")
    return [(case, r, k, v) for k, v in _rows(result.metrics).items()]


def simulate(cases: list[str], replications: int, workers: int) -> pd.DataFrame:
    tasks = [(c, r) for c in cases for r in range(replications)]
    started = time.perf_counter()
    rows: list[tuple[str, int, str, float]] = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for k, part in enumerate(pool.map(_task, tasks, chunksize=1)):
            rows += part
            if (k + 1) % 20 == 0 or k + 1 == len(tasks):
                print(
                    f"  {k + 1}/{len(tasks)} replications, {time.perf_counter() - started:.0f} s",
                    file=sys.stderr,
                )
    return pd.DataFrame(rows, columns=["case", "replication", "figure", "value"])


def _task(task: tuple[str, int]) -> list[tuple[str, int, str, float]]:
    return replication(*task)


def compare(reference: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Per figure: the reference and new means, the difference in standard errors, and
    whether it differs (the margins in the module's docstring)."""

    def stats(frame: pd.DataFrame) -> pd.DataFrame:
        # A figure missing in a replication (no letting to a group) is missing, not zero.
        return frame.groupby(["case", "figure"])["value"].agg(["mean", "std", "count"])

    ref, now = stats(reference), stats(new)
    both = ref.merge(now, left_index=True, right_index=True, suffixes=("_ref", "_new"))
    both = both[(both["count_ref"] >= 10) & (both["count_new"] >= 10)]
    var = both["std_ref"] ** 2 / both["count_ref"] + both["std_new"] ** 2 / both["count_new"]
    se = np.sqrt(var)
    diff = both["mean_new"] - both["mean_ref"]
    margin = np.maximum(RELATIVE * both["mean_ref"].abs(), WIDE * se)
    out = both.assign(
        difference=diff,
        se=se,
        z=np.where(se > 0, diff / se.where(se > 0, 1.0), np.where(diff == 0, 0.0, np.inf)),
        differs=diff.abs() > margin,
    ).reset_index()
    out["exempt"] = out["figure"].map(lambda f: f.split(":")[-1] in EXEMPT)
    return out


def verdict(table: pd.DataFrame) -> tuple[bool, str]:
    judged = table[~table["exempt"]]
    n, bad = len(judged), int(judged["differs"].sum())
    beyond = judged[judged["z"].abs() > NONE_BEYOND]
    ok = n > 0 and bad <= SHARE * n and beyond.empty
    lines = [
        f"{n} figures compared ({int(table['exempt'].sum())} exempt): {bad} differ "
        f"({100 * bad / max(n, 1):.1f}%, at most {100 * SHARE:.0f}% allowed), "
        f"{len(beyond)} beyond {NONE_BEYOND:.0f} standard errors (none allowed)"
    ]
    worst = judged.reindex(judged["z"].abs().sort_values(ascending=False).index).head(12)
    for r in worst.itertuples():
        lines.append(
            f"  {r.case:15} {r.figure:70.70} {r.mean_ref:12.5g} -> {r.mean_new:12.5g}  "
            f"z {r.z:+6.2f}{'  DIFFERS' if r.differs else ''}"
        )
    return ok, "\n".join(lines)


def read_reference(cases: list[str]) -> pd.DataFrame:
    parts = []
    for case in cases:
        path = REFERENCE / f"{case}.csv.gz"
        if not path.is_file():
            raise SystemExit(f"no reference for {case}: {path} (run with --write first)")
        parts.append(pd.read_csv(path))
    return pd.concat(parts, ignore_index=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="record the reference")
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES))
    parser.add_argument("--replications", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    new = simulate(args.cases, args.replications, args.workers)
    if args.write:
        REFERENCE.mkdir(exist_ok=True)
        import subprocess

        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip()
        for case, part in new.groupby("case"):
            part.to_csv(REFERENCE / f"{case}.csv.gz", index=False, float_format="%.17g")
        meta = {"commit": commit, "replications": args.replications, "cases": args.cases}
        (REFERENCE / "reference.json").write_text(json.dumps(meta, indent=2) + "\n")
        print(f"recorded {len(new)} values in {REFERENCE}")
        return
    table = compare(read_reference(args.cases), new)
    ok, text = verdict(table)
    print(text)
    if not ok or math.isnan(table["z"].abs().max()):
        raise SystemExit(1)
    print("equivalent")


if __name__ == "__main__":
    main()
