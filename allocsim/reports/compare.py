"""Compare two finished run folders (`allocsim compare`): B minus A per scenario pair,
dimension, level, group and metric, refusing what would mislead.

Like with like: runs over different evaluation windows (run.start_date..run.end_date;
the horizon is its length) are refused, never compared.

Pairing: replication r of every scenario draws from `SeedSequence(run.seed,
spawn_key=(r,))` (`engine.replication_seed`; the pilot uses the same root). The spawn
key is the replication number alone, not the scenario label, the config's name, the
kind of run or the folder, so replication r of two runs shares its random streams
(common random numbers) exactly when the root seeds match; the streams are used from
the first day of the burn-in, so the burn-in and the window must match too. A scenario
pair is compared replication by replication (t-interval of the differences) only when
root seed, window, burn-in and the set of replication numbers are all equal; otherwise
unpaired, with Welch's interval (`stats.welch`).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from allocsim.analysis.metrics import SHARE_METRICS, complete_counts
from allocsim.errors import ConfigError, Problem
from allocsim.runs.folder import MANIFEST, METRICS, open_finished
from allocsim.stats import t_half_width, welch

KEYS = ["dimension", "level", "group", "metric"]
# One comparison row per metric: the keys, both means and the difference with its interval.
STATS = [
    *KEYS,
    "mean_a",
    "mean_b",
    "diff_mean",
    "diff_ci_low",
    "diff_ci_high",
    "n",
    "n_a",
    "n_b",
]
COLUMNS = ["scenario_a", "scenario_b", *STATS, "paired", "significant"]
MAX_WIDTH = 100


@dataclass(frozen=True)
class Side:
    """One scenario of a run folder: the window it was simulated over and its replications."""

    path: Path
    kind: str
    label: str
    start_date: str
    end_date: str
    burnin_years: float | None
    seed: int | None
    replications: tuple[int, ...]

    @property
    def window(self) -> str:
        return f"{self.start_date}..{self.end_date}"

    @property
    def horizon_days(self) -> int | None:
        try:
            return (
                dt.date.fromisoformat(self.end_date) - dt.date.fromisoformat(self.start_date)
            ).days
        except ValueError:
            return None


@dataclass(frozen=True)
class Pair:
    """Scenario `a.label` of run A against `b.label` of run B, and how they are compared."""

    a: Side
    b: Side
    paired: bool
    reason: str


@dataclass
class Comparison:
    a: Path
    b: Path
    pairs: list[Pair]
    table: pd.DataFrame  # COLUMNS, one row per scenario pair and metric both runs have
    # Per scenario pair, every setting whose resolved value differs: scenario_a,
    # scenario_b, setting (dotted key), value_a, value_b (as JSON text).
    settings: pd.DataFrame = field(default_factory=pd.DataFrame)
    manifests: tuple[dict[str, Any], dict[str, Any]] = ({}, {})


# Settings that name or place a scenario, not what it simulates.
NOT_SETTINGS = ("name", "description", "base_dir")


def flat_settings(config: Any, prefix: str = "") -> dict[str, str]:
    """A resolved config as dotted key -> value (JSON text); lists and leaves whole."""
    if not isinstance(config, dict):
        return {prefix: json.dumps(config, sort_keys=True, default=str)}
    out: dict[str, str] = {}
    for key, value in config.items():
        if not prefix and key in NOT_SETTINGS:
            continue
        out.update(flat_settings(value, f"{prefix}.{key}" if prefix else str(key)))
    return out


def settings_differ(config_a: Any, config_b: Any) -> list[tuple[str, str, str]]:
    """(setting, A's value, B's value) for every setting the two resolved configs do not
    share, in A's order then B's ('absent' where one has no such key)."""
    a, b = flat_settings(config_a), flat_settings(config_b)
    keys = list(dict.fromkeys([*a, *b]))
    return [(k, a.get(k, "absent"), b.get(k, "absent")) for k in keys if a.get(k) != b.get(k)]


def scenario_config(manifest: dict[str, Any], label: str) -> Any:
    """A scenario's resolved config from its folder's manifest."""
    scenarios = manifest.get("scenarios")
    if isinstance(scenarios, dict) and label in scenarios:
        return scenarios[label]
    return manifest.get("config") or {}


def load_run(path: Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """A finished folder's metrics and manifest (allocsim.runs.folder)."""
    run = open_finished(path, (MANIFEST, METRICS))
    missing = [c for c in ("replication", *KEYS, "value") if c not in run.metrics.columns]
    if missing:
        raise ConfigError(
            [Problem(str(path / METRICS), "", "", f"a metrics table with columns {missing}")]
        )
    return run.metrics, run.manifest


def scenario_side(path: Path, manifest: dict[str, Any], label: str, reps: Sequence[int]) -> Side:
    """Where a scenario's window is written: a run's resolved `config`, an experiment's
    `scenarios.<label>` (its spec's window applied; older manifests have no `kind`)."""
    kind = manifest.get("kind") or (
        "experiment" if isinstance(manifest.get("scenarios"), dict) else "run"
    )
    if kind == "experiment":
        key = f"scenarios.{label}.run"
        config = (manifest.get("scenarios") or {}).get(label)
    else:
        key, config = "config.run", manifest.get("config")
    run = config.get("run") if isinstance(config, dict) else None
    if not isinstance(run, dict) or not run.get("start_date") or not run.get("end_date"):
        raise ConfigError(
            [
                Problem(
                    str(path / MANIFEST),
                    f"{key}.start_date/end_date",
                    "",
                    "the window the run was simulated over (a folder written by "
                    "`allocsim run` or `allocsim experiment`)",
                )
            ]
        )
    seed = run.get("seed", manifest.get("root_seed"))
    burnin = run.get("burnin_years")
    return Side(
        path,
        str(kind),
        label,
        str(run["start_date"]),
        str(run["end_date"]),
        float(burnin) if burnin is not None else None,
        int(seed) if seed is not None else None,
        tuple(sorted(int(r) for r in reps)),
    )


def choose_scenarios(
    wanted: Sequence[str], labels_a: list[str], labels_b: list[str]
) -> list[tuple[str, str]]:
    """The scenario pairs to compare: `wanted` (LABEL or A_LABEL:B_LABEL), else every
    label both runs have, else the one scenario of each; never a silent pick."""
    if not wanted:
        common = [s for s in labels_a if s in labels_b]
        if common:
            return [(s, s) for s in common]
        if len(labels_a) == 1 and len(labels_b) == 1:
            return [(labels_a[0], labels_b[0])]
        raise ConfigError(
            [
                Problem(
                    "--scenario",
                    "",
                    "",
                    f"a scenario to compare, the runs share none: A has {', '.join(labels_a)}; "
                    f"B has {', '.join(labels_b)} (give LABEL or A_LABEL:B_LABEL)",
                )
            ]
        )
    pairs, problems = [], []
    for text in wanted:
        if ":" in text and not (text in labels_a and text in labels_b):
            sa, sb = text.split(":", 1)
        else:
            sa = sb = text
        bad = [
            f"{side} has {', '.join(labels)}"
            for side, label, labels in (("A", sa, labels_a), ("B", sb, labels_b))
            if label not in labels
        ]
        if bad:
            problems.append(
                Problem("--scenario", "", text, f"labels of the runs: {'; '.join(bad)}")
            )
        elif (sa, sb) not in pairs:
            pairs.append((sa, sb))
    if problems:
        raise ConfigError(problems)
    return pairs


def pairing(a: Side, b: Side) -> tuple[bool, str]:
    """Whether replication r of `a` and of `b` share their random streams, and why."""
    if a.seed is None or b.seed is None or a.seed != b.seed:
        return False, f"root seeds differ ({a.seed} in A, {b.seed} in B)"
    if a.burnin_years != b.burnin_years:
        return (
            False,
            f"burn-ins differ ({_years(a.burnin_years)} in A, {_years(b.burnin_years)} in B)",
        )
    if a.replications != b.replications:
        return False, (
            f"replications differ ({_numbers(a.replications)} in A, "
            f"{_numbers(b.replications)} in B)"
        )
    return True, f"same root seed {a.seed}, window, burn-in and replication numbers"


def _check_names(
    option: str, wanted: Sequence[str], both: pd.DataFrame, column: str
) -> list[Problem]:
    allowed = list(dict.fromkeys(both[column].astype(str)))
    return [
        Problem(option, "", name, f"one of the {column}s both runs have: {', '.join(allowed)}")
        for name in wanted
        if name not in allowed
    ]


def compare_runs(
    a: Path,
    b: Path,
    scenarios: Sequence[str] = (),
    metrics: Sequence[str] = (),
    groups: Sequence[str] = (),
    confidence: float = 0.95,
) -> Comparison:
    """B minus A per scenario pair and metric both runs have: means, the difference and
    its interval, paired or Welch (see the module's docstring). Raises ConfigError for
    runs over different windows, ambiguous scenarios and unknown names."""
    ma, man_a = load_run(a)
    mb, man_b = load_run(b)
    sides_a, sides_b = _sides(a, ma, man_a), _sides(b, mb, man_b)
    # Like with like first: over different windows no choice of scenario helps.
    if not {s.window for s in sides_a.values()} & {s.window for s in sides_b.values()}:
        raise ConfigError(
            list(
                dict.fromkeys(
                    _window_problem(a, b, sa, sb)
                    for sa in sides_a.values()
                    for sb in sides_b.values()
                )
            )
        )
    chosen = choose_scenarios(scenarios, list(sides_a), list(sides_b))
    problems = [
        _window_problem(a, b, sides_a[sa], sides_b[sb])
        for sa, sb in chosen
        if sides_a[sa].window != sides_b[sb].window
    ]
    if problems:
        raise ConfigError(list(dict.fromkeys(problems)))
    pairs = [
        Pair(sides_a[sa], sides_b[sb], *pairing(sides_a[sa], sides_b[sb])) for sa, sb in chosen
    ]
    frames_a = {s: _frame(ma, s) for s in dict.fromkeys(sa for sa, _ in chosen)}
    frames_b = {s: _frame(mb, s) for s in dict.fromkeys(sb for _, sb in chosen)}

    keys_a = pd.concat([frames_a[p.a.label][KEYS] for p in pairs]).drop_duplicates()
    keys_b = pd.concat([frames_b[p.b.label][KEYS] for p in pairs]).drop_duplicates()
    both = keys_a.merge(keys_b, on=KEYS)
    problems = _check_names("--metric", metrics, both, "metric")
    problems += _check_names("--group", groups, both, "group")
    if problems:
        raise ConfigError(problems)

    parts = []
    for pair in pairs:
        xa, xb = frames_a[pair.a.label], frames_b[pair.b.label]
        # A count with no row in a replication is zero there, on both sides.
        xa, xb = complete_counts(xa, xb[KEYS]), complete_counts(xb, xa[KEYS])
        if metrics:
            xa, xb = xa[xa["metric"].isin(metrics)], xb[xb["metric"].isin(metrics)]
        if groups:
            xa, xb = xa[xa["group"].isin(groups)], xb[xb["group"].isin(groups)]
        part = (_paired if pair.paired else _unpaired)(xa, xb, confidence)
        part.insert(0, "scenario_b", pair.b.label)
        part.insert(0, "scenario_a", pair.a.label)
        part["paired"] = pair.paired
        parts.append(_in_order(part, keys_a))
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)
    table["significant"] = (table["diff_ci_low"] > 0) | (table["diff_ci_high"] < 0)
    settings = pd.DataFrame(
        [
            (p.a.label, p.b.label, *row)
            for p in pairs
            for row in settings_differ(
                scenario_config(man_a, p.a.label), scenario_config(man_b, p.b.label)
            )
        ],
        columns=["scenario_a", "scenario_b", "setting", "value_a", "value_b"],
    )
    return Comparison(a, b, pairs, table[COLUMNS].reset_index(drop=True), settings, (man_a, man_b))


def _sides(path: Path, metrics: pd.DataFrame, manifest: dict[str, Any]) -> dict[str, Side]:
    """Every scenario of a run folder with finished replications, in its order."""
    labels = metrics["scenario"].astype(str).to_numpy()
    reps = pd.Series(metrics["replication"].to_numpy()).groupby(labels, sort=False).unique()
    return {str(k): scenario_side(path, manifest, str(k), v) for k, v in reps.items()}


def _window_problem(a: Path, b: Path, side_a: Side, side_b: Side) -> Problem:
    return Problem(
        f"{a} vs {b}",
        "window",
        f"{_window(side_a)} in A, {_window(side_b)} in B",
        "the same evaluation window (run.start_date..run.end_date) in both runs; "
        "rerun one over the other's window",
    )


def _frame(metrics: pd.DataFrame, label: str) -> pd.DataFrame:
    """One scenario's rows with plain text keys (the two runs' categories differ)."""
    x = metrics[metrics["scenario"].astype(str) == label]
    out = x[KEYS].astype(str)
    out["replication"] = x["replication"].to_numpy(dtype=np.int64)
    out["value"] = x["value"].to_numpy(dtype=float)
    return out.reset_index(drop=True)


def _paired(xa: pd.DataFrame, xb: pd.DataFrame, confidence: float) -> pd.DataFrame:
    merged = xa.merge(xb, on=[*KEYS, "replication"], suffixes=("_a", "_b"))
    merged = merged[merged["value_a"].notna() & merged["value_b"].notna()]
    merged = merged.assign(diff=merged["value_b"] - merged["value_a"])
    g = merged.groupby(KEYS, sort=False, observed=True).agg(
        mean_a=("value_a", "mean"),
        mean_b=("value_b", "mean"),
        diff_mean=("diff", "mean"),
        sd=("diff", "std"),
        n=("diff", "size"),
    )
    n = g["n"].to_numpy(dtype=float)
    half = t_half_width(g["sd"].to_numpy(dtype=float), n, confidence)
    half = np.where(n > 1, half, np.nan)
    g["diff_ci_low"] = g["diff_mean"] - half
    g["diff_ci_high"] = g["diff_mean"] + half
    g["n_a"] = g["n_b"] = g["n"]
    return g.drop(columns="sd").reset_index()


def _unpaired(xa: pd.DataFrame, xb: pd.DataFrame, confidence: float) -> pd.DataFrame:
    xa, xb = xa[xa["value"].notna()], xb[xb["value"].notna()]
    values_a = {k: v["value"].to_numpy() for k, v in xa.groupby(KEYS, sort=False)}
    rows = []
    for key, part in xb.groupby(KEYS, sort=False):
        if key not in values_a:
            continue
        va, vb = values_a[key], part["value"].to_numpy()
        diff, lo, hi, _ = welch(va, vb, confidence)
        rows.append(
            (*key, va.mean(), vb.mean(), diff, lo, hi, min(va.size, vb.size), va.size, vb.size)
        )
    return pd.DataFrame(rows, columns=STATS)


def _in_order(part: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
    """Rows in A's order of first appearance, level by level (dimension, then level,
    group and metric), so a group's metrics stand together."""
    ranks = []
    for column in KEYS:
        order = {v: i for i, v in enumerate(dict.fromkeys(keys[column]))}
        ranks.append(part[column].map(order).fillna(len(order)).to_numpy())
    return part.iloc[np.lexsort(ranks[::-1])]


# ------------------------------------------------------------------ the terminal table


def format_comparison(comparison: Comparison, every_dimension: bool = False) -> str:
    """The header (both runs, the pairing and why) and one block per scenario pair:
    group, metric, A, B, B-A, its 95% interval and a mark when it excludes zero."""
    table = comparison.table
    shown = table if every_dimension else table[table["dimension"] == "all"]
    lines = _header(comparison)
    if shown.empty:
        more = "" if every_dimension or table.empty else "; --all shows the other dimensions"
        return "\n".join([*lines, "", f"(no metric both runs have in dimension 'all'{more})"])
    records = list(shown.itertuples(index=False))
    cells = [_cells(row) for row in records]
    names = [(str(r.group), str(r.metric)) for r in records]
    heads = ("group", "metric", "A", "B", "B-A", "95% interval")
    widths = [max(len(h), *(len(n[i]) for n in names)) for i, h in enumerate(heads[:2])]
    widths += [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(heads[2:])]
    excess = sum(widths) + 11 - MAX_WIDTH  # the gaps and the mark
    if excess > 0:  # narrow the group column; a longer name gets a line of its own
        widths[0] = max(len("group"), widths[0] - excess)

    def line(group: str, metric: str, values: Sequence[str], mark: str) -> str:
        a, b, d, ci = values
        return (
            f"{group:<{widths[0]}} {metric:<{widths[1]}}  {a:>{widths[2]}}  {b:>{widths[3]}}  "
            f"{d:>{widths[4]}}  {ci:<{widths[5]}} {mark}"
        ).rstrip()

    for pair in comparison.pairs:
        sel = (shown["scenario_a"] == pair.a.label) & (shown["scenario_b"] == pair.b.label)
        lines += ["", _pair_title(comparison, pair)]
        rows = [(records[i], cells[i]) for i in np.flatnonzero(sel.to_numpy())]
        last_level: tuple[str, str] | None = None
        last_group = None
        for row, values in rows:
            level = (str(row.dimension), str(row.level))
            if level != last_level:
                if every_dimension:
                    title = "dimension all" if level == ("all", "all") else " ".join(level)
                    lines += ["", f"  {title}"]
                if last_level is None or every_dimension:
                    lines.append(line(*heads[:2], heads[2:], ""))
                last_level, last_group = level, None
            group = "" if row.group == last_group else str(row.group)
            if len(group) > widths[0]:  # a name too long for its column gets its own line
                lines.append(group)
                group = ""
            lines.append(line(group, str(row.metric), values, "*" if row.significant else ""))
            last_group = row.group
    lines += [
        "",
        f"B-A: B minus A, with its {_interval_name(comparison)}; * the interval excludes 0. "
        "Rates in %,",
        "their differences in percentage points (pp).",
    ]
    return "\n".join(lines)


def _header(comparison: Comparison) -> list[str]:
    lines = []
    for name, path, sides in (
        ("A", comparison.a, [p.a for p in comparison.pairs]),
        ("B", comparison.b, [p.b for p in comparison.pairs]),
    ):
        sides = list({s.label: s for s in sides}.values())
        kind = sides[0].kind if sides else "run"
        lines.append(f"{name}  {path} ({kind})")
        labels = ", ".join(s.label for s in sides)
        lines.append(f"   scenario{'s' if len(sides) > 1 else ' '}     {labels}")
        windows = ", ".join(dict.fromkeys(_window(s) for s in sides))
        burnins = ", ".join(dict.fromkeys(_years(s.burnin_years) for s in sides))
        lines.append(f"   window        {windows}, burn-in {burnins}")
        reps = "; ".join(
            dict.fromkeys(f"{len(s.replications)} ({_numbers(s.replications)})" for s in sides)
        )
        seeds = ", ".join(dict.fromkeys(str(s.seed) for s in sides))
        lines.append(f"   replications  {reps}, root seed {seeds}")
    reasons = {(p.paired, p.reason) for p in comparison.pairs}
    if len(reasons) == 1:
        ((paired, reason),) = reasons
        lines.append(_pairing_text(paired, reason))
    lines += _settings_lines(comparison)
    return lines


SETTINGS_SHOWN = 12  # settings listed in the terminal; the report lists them all


def _settings_lines(comparison: Comparison) -> list[str]:
    """The settings in which B differs from A, per scenario pair."""
    s = comparison.settings
    lines = []
    for pair in comparison.pairs:
        part = s[(s["scenario_a"] == pair.a.label) & (s["scenario_b"] == pair.b.label)]
        which = "" if len(comparison.pairs) == 1 else f" ({pair.a.label} vs {pair.b.label})"
        if part.empty:
            lines.append(f"Settings{which}: the same in A and B.")
            continue
        lines.append(f"Settings in which B differs from A{which}:")
        for row in part.head(SETTINGS_SHOWN).itertuples(index=False):
            lines.append(f"   {row.setting}: {_short(row.value_a)} -> {_short(row.value_b)}")
        if len(part) > SETTINGS_SHOWN:
            lines.append(f"   ... and {len(part) - SETTINGS_SHOWN} more (compare --report)")
    return lines


def _short(value: str, width: int = 36) -> str:
    return value if len(value) <= width else value[: width - 3] + "..."


def _pairing_text(paired: bool, reason: str) -> str:
    if paired:
        return f"Paired replication by replication: {reason}."
    return f"Unpaired (Welch's interval): {reason}."


def _pair_title(comparison: Comparison, pair: Pair) -> str:
    if pair.a.label == pair.b.label:
        title = f"Scenario {pair.a.label}"
    else:
        title = f"Scenario {pair.a.label} (A) vs {pair.b.label} (B)"
    if len({(p.paired, p.reason) for p in comparison.pairs}) > 1:
        title += f" - {_pairing_text(pair.paired, pair.reason)}"
    return title


def _interval_name(comparison: Comparison) -> str:
    kinds = {p.paired for p in comparison.pairs}
    if kinds == {True}:
        return "95% interval (t, paired)"
    if kinds == {False}:
        return "95% interval (Welch)"
    return "95% interval (paired or Welch, as above)"


def _cells(row: Any) -> tuple[str, str, str, str]:
    """A, B, B-A and the interval as text: rates in %, differences in points; one
    number of decimals per row, enough for four digits of a mean (three and at least
    one decimal of a rate) and two of B-A."""
    rate = row.metric in SHARE_METRICS
    scale, unit, point = (100.0, "%", " pp") if rate else (1.0, "", "")
    a, b, d = row.mean_a * scale, row.mean_b * scale, row.diff_mean * scale
    lo, hi = row.diff_ci_low * scale, row.diff_ci_high * scale
    means = max(1, _decimals(max(abs(a), abs(b)), 3)) if rate else _decimals(max(abs(a), abs(b)), 4)
    k = min(4, max(means, _decimals(d, 2)))

    def num(x: float, sign: str = "") -> str:
        if not math.isfinite(x):
            return "n/a"
        x = 0.0 if round(x, k) == 0 else x  # no "-0.0"
        return f"{x:{sign},.{k}f}"

    interval = f"[{num(lo, '+')}, {num(hi, '+')}]{point}" if math.isfinite(lo) else "n/a"
    return f"{num(a)}{unit}", f"{num(b)}{unit}", f"{num(d, '+')}{point}", interval


def _decimals(x: float, digits: int) -> int:
    if not math.isfinite(x) or x == 0:
        return 0
    return max(0, digits - 1 - math.floor(math.log10(abs(x))))


def _window(side: Side) -> str:
    days = side.horizon_days
    return side.window + (f" ({days} days)" if days is not None else "")


def _years(value: float | None) -> str:
    return "the config's" if value is None else f"{value:g} y"


def _numbers(reps: Sequence[int]) -> str:
    """Replication numbers as ranges: 0-19, or 0-4, 7, 9-11."""
    if not reps:
        return "none"
    runs: list[list[int]] = []
    for r in reps:
        if runs and r == runs[-1][1] + 1:
            runs[-1][1] = r
        else:
            runs.append([r, r])
    text = ", ".join(f"{lo}" if lo == hi else f"{lo}-{hi}" for lo, hi in runs)
    return text if len(text) <= 40 else text[:37] + "..."
