"""The explore spec (`experiments/*-explore.toml`): the experiment whose scenarios are
explored, the uncertainties (each a range or distribution with its reason), the
history-matching check against the region's published figures, and the conclusions to
test; and how a point of the uncertainty space becomes concrete scenario configs."""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import Field, ValidationError, model_validator

from allocsim.config import Config, Section
from allocsim.errors import ConfigError, Problem
from allocsim.experiment.spec import ExperimentSpec, Scenario, load_experiment
from allocsim.explore.history import Target, read_targets
from allocsim.loader import (
    load_config,
    problems_from,
    read_spec,
    read_toml,
    scaled,
    validate_dict,
)

Mode = Literal["set", "scale", "tilt", "share"]


class Uncertainty(Section):
    """One uncertain assumption: which settings it moves, how, over what range, and why."""

    name: str = Field(pattern=r"^[A-Za-z0-9_\-]+$", description="Name in tables and reports.")
    keys: list[str] = Field(min_length=1, description="Dotted config keys it moves.")
    mode: Mode = Field(
        "set",
        description="set: every key takes the value; scale: every number at the keys (a "
        "value, or each entry of a list or table) is multiplied by it; tilt: each key holds "
        "shares (a list, or a table in key order), share i is multiplied by exp(value x "
        "i / (n - 1)) and the shares are renormalised to their total (0 leaves them, > 0 "
        "moves weight to the later entries); share: the first key takes the value and the "
        "others are scaled so the keys' sum stays as configured.",
    )
    distribution: Literal["uniform", "loguniform", "triangular"] = "uniform"
    low: float
    high: float
    peak: float | None = Field(None, description="Most likely value (triangular only).")
    reason: str = Field(
        min_length=12,
        description="Why this range: 'assumption: ...' or its source, as every number in "
        "configs/ carries one.",
    )
    region: bool = Field(
        True,
        description="Also applied to the region world of the history matching (false for "
        "settings only the local world has, such as its villages' sizes).",
    )

    @model_validator(mode="after")
    def _check(self) -> Uncertainty:
        if not (math.isfinite(self.low) and math.isfinite(self.high)):
            raise ValueError("low and high must be finite numbers")
        if not self.low < self.high:
            raise ValueError(f"low {self.low} must be below high {self.high}")
        if self.distribution == "loguniform" and self.low <= 0:
            raise ValueError(f"a loguniform range needs low > 0 (low = {self.low})")
        if self.distribution == "triangular":
            if self.peak is None or not self.low <= self.peak <= self.high:
                raise ValueError(
                    f"a triangular range needs a peak within [{self.low}, {self.high}]"
                )
        elif self.peak is not None:
            raise ValueError("peak is for distribution = 'triangular' only")
        if self.mode == "share" and len(self.keys) < 2:
            raise ValueError("mode 'share' needs at least two keys (the first takes the value)")
        return self

    def value(self, unit: np.ndarray) -> np.ndarray:
        """Values of this uncertainty at coordinates in [0, 1) (the inverse CDF)."""
        u = np.asarray(unit, dtype=float)
        lo, hi = self.low, self.high
        if self.distribution == "uniform":
            return lo + u * (hi - lo)
        if self.distribution == "loguniform":
            return np.exp(np.log(lo) + u * (np.log(hi) - np.log(lo)))
        assert self.peak is not None
        c = (self.peak - lo) / (hi - lo)
        left = lo + np.sqrt(u * (hi - lo) * (self.peak - lo))
        right = hi - np.sqrt((1 - u) * (hi - lo) * (hi - self.peak))
        return np.where(u < c, left, right)


class HistoryMatching(Section):
    """A point counts only if the region world reproduces the published 2020-2021 figures
    there (history matching)."""

    enabled: bool = True
    config: str = Field(
        "../configs/entree-region-2020-2021.toml",
        description="The region world, relative to the explore spec.",
    )
    targets: str = Field(
        "../calibration/entree-targets.csv",
        description="Observed figures: CSV with columns name, metric, observed (check-fit's).",
    )
    scale: float = Field(
        0.1,
        gt=0.0,
        le=1.0,
        description="Size of the region world (loader.scaled), as the calibration's; counts "
        "compare with the observed figure times this. Smaller worlds cost less but drift: at "
        "0.05 responses per advert fall 30% below the published figure.",
    )
    replications: int = Field(1, ge=1, le=100, description="Replications of the region per point.")
    tolerance: float = Field(
        0.15,
        gt=0.0,
        le=1.0,
        description="Largest relative error accepted on every target (the fit itself is within "
        "7%, and one replication of a small region adds its own noise).",
    )
    pilot_years: float | None = Field(
        None,
        ge=0.0,
        le=200.0,
        description="Overrides the region's run.pilot_years (its own 50 by default).",
    )


class Conclusion(Section):
    """A headline conclusion of the review, tested at every point."""

    name: str = Field(pattern=r"^[A-Za-z0-9_\-]+$")
    en: str = Field(min_length=1, description="The conclusion in English.")
    nl: str = Field(min_length=1, description="The conclusion in Dutch.")
    kind: Literal["effect", "detectable"] = Field(
        "effect",
        description="effect: the paired mean difference treatment - control lies beyond "
        "threshold in the direction; detectable: one realisation of the data window with the "
        "treatment passes a one-sided 5% test against the control's spread with at least "
        "`power` probability (review.py).",
    )
    metric: str = Field(description="Metric id dimension/level/group/metric.")
    treatment: str
    control: str
    direction: Literal["increase", "decrease"]
    threshold: float = Field(
        0.0, ge=0.0, description="Smallest effect that counts, in the metric's units."
    )
    power: float = Field(0.8, gt=0.0, lt=1.0, description="Power a detectable effect needs.")
    units: dict[Literal["en", "nl"], str] = Field(
        default_factory=dict,
        description="The effect's unit per language, e.g. { en = 'years', nl = 'jaar' } "
        "(a share's effect reads in percentage points without one).",
    )

    @model_validator(mode="after")
    def _check(self) -> Conclusion:
        if self.metric.count("/") != 3:
            raise ValueError(f"metric {self.metric!r} must be dimension/level/group/metric")
        return self

    @property
    def sign(self) -> float:
        return 1.0 if self.direction == "increase" else -1.0


class UncertaintySet(Section):
    uncertainties: list[Uncertainty] = Field(default_factory=list)
    base_dir: str = Field(".", exclude=True)


class ExploreSpec(Section):
    experiment: str = Field(
        description="The experiment spec whose scenarios, window, seed and review are "
        "explored, relative to this file (its replication rule is not used)."
    )
    name: str = Field(pattern=r"^[A-Za-z0-9_.\-]+$")
    description: str = ""
    seed: int | None = Field(None, ge=0, description="Root seed; default the experiment's.")
    points: int = Field(16, ge=2, le=100_000, description="Points of the uncertainty space.")
    replications: int = Field(4, ge=2, le=10_000, description="Replications per point.")
    sampling: Literal["lhs", "sobol"] = "lhs"
    uncertainty_set: str | None = Field(
        None, description="A TOML file of [[uncertainties]] (the shipped set), relative to this."
    )
    uncertainties: list[Uncertainty] = Field(
        default_factory=list, description="More uncertainties; one with a set's name replaces it."
    )
    drop: list[str] = Field(
        default_factory=list, description="Names of the set's uncertainties left out."
    )
    history_matching: HistoryMatching = HistoryMatching()
    conclusions: list[Conclusion] = Field(min_length=1)
    base_dir: str = Field(".", exclude=True)


# ---------------------------------------------------------------- applying a point


def _get(data: Any, parts: list[str]) -> Any:
    node = data
    for part in parts:
        node = _child(node, part)
    return node


def _child(node: Any, part: str) -> Any:
    if isinstance(node, dict):
        if part in node:
            return node[part]
        if part.lstrip("-").isdigit() and int(part) in node:
            return node[int(part)]
        raise KeyError(part)
    if isinstance(node, list | tuple) and part.isdigit() and int(part) < len(node):
        return node[int(part)]
    raise KeyError(part)


def _set(data: Any, parts: list[str], value: Any) -> None:
    parent = _get(data, parts[:-1])
    last = parts[-1]
    if isinstance(parent, dict):
        key: Any = last if last in parent else int(last)
        parent[key] = value
    elif isinstance(parent, list):
        parent[int(last)] = value
    else:
        raise KeyError(last)


def _paths(data: dict[str, Any], key: str) -> list[list[str]]:
    """The places a key names: a key under `policies.` also names the same setting of
    `history_policies` when a scenario sets it (the rules before policy_start)."""
    parts = key.split(".")
    out = [parts]
    if parts[0] == "policies" and data.get("history_policies") is not None:
        out.append(["history_policies", *parts[1:]])
    return out


def _like(old: Any, new: float) -> Any:
    """`new` in the type of `old`: an integer setting takes the nearest integer."""
    if isinstance(old, int) and not isinstance(old, bool):
        return int(math.floor(new + 0.5))  # halves up: a range 4.5-10.5 gives 5-10 evenly
    return float(new)


def _scaled_value(old: Any, factor: float) -> Any:
    if isinstance(old, dict):
        return {k: _scaled_value(v, factor) for k, v in old.items()}
    if isinstance(old, list | tuple):
        return type(old)(_scaled_value(v, factor) for v in old)
    if isinstance(old, int | float) and not isinstance(old, bool):
        return _like(old, old * factor)
    raise KeyError("not a number")


def tilt(shares: np.ndarray, value: float) -> np.ndarray:
    """Shares reweighted by exp(value x i / (n - 1)) and renormalised to their total."""
    shares = np.asarray(shares, dtype=float)
    n = shares.size
    weights = shares * np.exp(value * np.arange(n) / max(n - 1, 1))
    total = weights.sum()
    return weights * (shares.sum() / total) if total > 0 else shares


def _tilted(old: Any, value: float) -> Any:
    if isinstance(old, dict):
        keys = sorted(old)
        new = tilt(np.array([old[k] for k in keys]), value)
        return {k: float(v) for k, v in zip(keys, new, strict=True)}
    if isinstance(old, list | tuple):
        return type(old)(float(v) for v in tilt(np.array(old), value))
    raise KeyError("not a list or table of shares")


def apply_values(
    data: dict[str, Any], uncertainties: list[Uncertainty], values: np.ndarray
) -> None:
    """Move the settings of a config dump (in place) to one point's values; KeyError
    names a key that is not there."""
    for u, v in zip(uncertainties, values, strict=True):
        v = float(v)
        if u.mode == "share":
            per_key = [_paths(data, k) for k in u.keys]
            for j in range(min(len(p) for p in per_key)):
                places = [p[j] for p in per_key]
                olds = [float(_get(data, p)) for p in places]
                rest = sum(olds[1:])
                factor = (sum(olds) - v) / rest if rest > 0 else 0.0
                _set(data, places[0], v)
                for p, old in zip(places[1:], olds[1:], strict=True):
                    _set(data, p, old * factor)
            continue
        for key in u.keys:
            for path in _paths(data, key):
                old = _get(data, path)
                if u.mode == "set":
                    new = _like(old, v)
                elif u.mode == "scale":
                    new = _scaled_value(old, v)
                else:
                    new = _tilted(old, v)
                _set(data, path, new)


def configure(cfg: Config, uncertainties: list[Uncertainty], values: np.ndarray) -> Config:
    """`cfg` with the uncertainties at `values` (ValidationError if the schema refuses)."""
    data = copy.deepcopy(cfg.model_dump())
    data["base_dir"] = cfg.base_dir
    apply_values(data, uncertainties, values)
    return Config.model_validate(data)


# ------------------------------------------------------------------------ loading


@dataclass(frozen=True)
class Exploration:
    """A loaded explore spec: everything a run needs."""

    spec: ExploreSpec
    path: Path
    experiment: ExperimentSpec
    scenarios: list[Scenario]
    uncertainties: list[Uncertainty]
    origins: dict[str, str]  # uncertainty name -> file it came from
    region: Config | None  # the history-matching world (unscaled), None when off
    targets: list[Target]

    @property
    def seed(self) -> int:
        return self.spec.seed if self.spec.seed is not None else self.experiment.seed


def load_exploration(path: str | Path, seed: int | None = None) -> Exploration:
    """Read and check an explore spec, its uncertainty set and the experiment it explores;
    ConfigError lists every problem, each naming the file and the key."""
    path = Path(path)
    spec: ExploreSpec = read_spec(ExploreSpec, path, seed, "exploration spec (TOML)")
    problems: list[Problem] = []
    exp_path = path.parent / spec.experiment
    if not exp_path.is_file():
        raise ConfigError(
            [Problem(str(path), "experiment", spec.experiment, f"an experiment spec ({exp_path})")]
        )
    experiment, scenarios = load_experiment(exp_path, seed=spec.seed if seed is None else seed)
    uncertainties, origins = _uncertainties(spec, path, problems)
    labels = [s.label for s in scenarios]
    for i, c in enumerate(spec.conclusions):
        for role in ("treatment", "control"):
            label = getattr(c, role)
            if label not in labels:
                problems.append(
                    Problem(str(path), f"conclusions.{i}.{role}", repr(label), f"one of {labels}")
                )
    region = None
    targets: list[Target] = []
    hm = spec.history_matching
    if hm.enabled:
        region, targets = _history_inputs(spec, path, problems)
    for u in uncertainties:
        problems.extend(_check_uncertainty(u, origins[u.name], scenarios, region))
    if problems:
        raise ConfigError(problems)
    return Exploration(spec, path, experiment, scenarios, uncertainties, origins, region, targets)


def load_uncertainties(path: str | Path) -> list[Uncertainty]:
    """An uncertainty set (a TOML file of `[[uncertainties]]`), validated; names unique.
    Whether each one's keys exist in a config is checked by the exploration using it."""
    path = Path(path)
    data, origin = read_toml(path, (), "uncertainty set (TOML)")
    data["base_dir"] = str(path.parent)
    shipped: UncertaintySet = validate_dict(UncertaintySet, data, origin, str(path))
    names = [u.name for u in shipped.uncertainties]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ConfigError([Problem(str(path), "uncertainties", ", ".join(twice), "unique names")])
    # Each key is a setting of the default scenario (an exploration checks its own too).
    default = [Scenario("default", Config())]
    problems = [
        p for u in shipped.uncertainties for p in _check_uncertainty(u, str(path), default, None)
    ]
    if problems:
        raise ConfigError(problems)
    return list(shipped.uncertainties)


def _uncertainties(
    spec: ExploreSpec, path: Path, problems: list[Problem]
) -> tuple[list[Uncertainty], dict[str, str]]:
    found: dict[str, Uncertainty] = {}
    origins: dict[str, str] = {}
    if spec.uncertainty_set is not None:
        set_path = path.parent / spec.uncertainty_set
        if not set_path.is_file():
            raise ConfigError(
                [Problem(str(path), "uncertainty_set", spec.uncertainty_set, "an existing file")]
            )
        data, origin = read_toml(set_path, (), "uncertainty set (TOML)")
        data["base_dir"] = str(set_path.parent)
        shipped: UncertaintySet = validate_dict(UncertaintySet, data, origin, str(set_path))
        for u in shipped.uncertainties:
            if u.name in found:
                problems.append(Problem(str(set_path), "uncertainties", u.name, "unique names"))
            found[u.name] = u
            origins[u.name] = str(set_path)
    for name in spec.drop:
        if name not in found:
            problems.append(
                Problem(str(path), "drop", repr(name), f"a name in the set: {sorted(found)}")
            )
        found.pop(name, None)
    own = [u.name for u in spec.uncertainties]
    for u in spec.uncertainties:
        if own.count(u.name) > 1:
            problems.append(Problem(str(path), "uncertainties", u.name, "unique names"))
        found[u.name] = u
        origins[u.name] = str(path)
    if not found:
        problems.append(
            Problem(str(path), "uncertainties", "", "at least one uncertainty (or uncertainty_set)")
        )
    return list(found.values()), origins


def _history_inputs(
    spec: ExploreSpec, path: Path, problems: list[Problem]
) -> tuple[Config | None, list[Target]]:
    hm = spec.history_matching
    cfg_path = path.parent / hm.config
    if not cfg_path.is_file():
        problems.append(
            Problem(
                str(path), "history_matching.config", hm.config, f"an existing file ({cfg_path})"
            )
        )
        return None, []
    overrides = [f"run.pilot_years={hm.pilot_years}"] if hm.pilot_years is not None else []
    region = load_config(cfg_path, overrides)
    csv = path.parent / hm.targets
    if not csv.is_file():
        problems.append(
            Problem(str(path), "history_matching.targets", hm.targets, f"an existing file ({csv})")
        )
        return region, []
    return region, read_targets(csv, hm.scale, hm.tolerance)


def _check_uncertainty(
    u: Uncertainty, where: str, scenarios: list[Scenario], region: Config | None
) -> list[Problem]:
    """Every key resolves in every scenario (and the region), a key the scenarios set
    differently is not overwritten, and the range's ends give valid configs."""
    worlds: list[tuple[str, Config]] = [(s.label, s.config) for s in scenarios]
    if region is not None and u.region:
        worlds.append(("history_matching", region))
    problems = []
    key = f"uncertainties.{u.name}.keys"
    for label, cfg in worlds:
        dump = cfg.model_dump()
        for k in u.keys:
            try:
                old = _get(dump, k.split("."))
            except KeyError:
                problems.append(
                    Problem(
                        where, key, k, f"a setting of scenario {label} (allocsim config-reference)"
                    )
                )
                continue
            if u.mode in ("set", "share") and isinstance(old, dict | list | tuple):
                problems.append(
                    Problem(
                        where,
                        key,
                        k,
                        f"a single number for mode '{u.mode}' (scale or tilt a table)",
                    )
                )
    if problems:
        return problems
    if u.mode in ("set", "share"):
        for k in u.keys:
            seen = {repr(_get(s.config.model_dump(), k.split("."))) for s in scenarios}
            if len(seen) > 1:
                problems.append(
                    Problem(
                        where,
                        key,
                        k,
                        "a setting the scenarios agree on (they differ here: it is what they "
                        "compare; use mode 'scale')",
                    )
                )
    ends = [u.low, u.high] + ([u.peak] if u.peak is not None else [])
    for label, cfg in worlds:
        for end in ends:
            try:
                configure(cfg, [u], np.array([end]))
            except KeyError as exc:
                problems.append(Problem(where, key, str(exc), f"a path to a setting ({label})"))
            except ValidationError as exc:
                for p in problems_from(exc, Config, {}, where):
                    problems.append(
                        Problem(
                            where,
                            f"uncertainties.{u.name}",
                            f"{end:g}",
                            f"a value the scenario {label} accepts ({p.key}: {p.expected})",
                        )
                    )
                break
    return problems


def region_config(exploration: Exploration, values: np.ndarray) -> Config:
    """The history-matching world at a point: the uncertainties that apply to it, then
    scaled."""
    assert exploration.region is not None
    used = [i for i, u in enumerate(exploration.uncertainties) if u.region]
    cfg = configure(exploration.region, [exploration.uncertainties[i] for i in used], values[used])
    scale = exploration.spec.history_matching.scale
    return scaled(cfg, scale).model_copy(update={"base_dir": cfg.base_dir}) if scale != 1 else cfg
