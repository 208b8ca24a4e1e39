"""The experiment spec (`experiments/*.toml`): scenarios, baseline, seed, replication
rule, window, review and sweeps, and its expansion into concrete scenarios."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from allocsim import package_version
from allocsim.config import Section
from allocsim.domain import day_of
from allocsim.errors import ConfigError, Problem
from allocsim.loader import load_config_with, override_settings, read_spec
from allocsim.runs.folder import fingerprint as run_fingerprint
from allocsim.runs.jobs import Scenario
from allocsim.waiting_list import check_data_files


class ScenarioRef(Section):
    label: str = Field(pattern=r"^[A-Za-z0-9_.\-]+$", description="Name in outputs.")
    config: str = Field(description="Scenario TOML, relative to the experiment file.")
    set: dict[str, Any] = Field(
        default_factory=dict, description="Overrides, dotted key -> value, validated as config."
    )
    names: dict[Literal["en", "nl"], str] = Field(
        default_factory=dict,
        description="Its name in reports per language, e.g. { en = 'with the pilot', "
        "nl = 'met de pilot' } (default: the label).",
    )


class Sweep(Section):
    name: str = Field(pattern=r"^[A-Za-z0-9_\-]+$")
    key: str = Field(description="Dotted config key the sweep sets.")
    values: list[Any] = Field(min_length=1)
    labels: list[str] | None = Field(None, description="Labels of the values (default: values).")
    scenarios: list[str] | None = Field(None, description="Scenarios it applies to (default all).")

    @model_validator(mode="after")
    def _check(self) -> Sweep:
        if self.labels is not None and len(self.labels) != len(self.values):
            raise ValueError(f"labels has {len(self.labels)} entries, values {len(self.values)}")
        return self


class ReplicationRule(Section):
    fixed: int | None = Field(None, ge=1, description="A fixed number of replications.")
    target_half_width: dict[str, float] = Field(
        default_factory=dict,
        description="Metric id 'dimension/level/group/metric' -> 95% CI half-width to reach; "
        "replications are added in batches until every scenario meets every target.",
    )
    min: int = Field(10, ge=2, description="First batch of the sequential rule.")
    max: int = Field(1000, ge=2, description="The sequential rule stops here at the latest.")
    batch: int = Field(10, ge=1, description="Replications added per round.")

    @model_validator(mode="after")
    def _check(self) -> ReplicationRule:
        if (self.fixed is None) == (not self.target_half_width):
            raise ValueError("give either fixed or target_half_width (not both, not neither)")
        if self.min > self.max:
            raise ValueError(f"min {self.min} exceeds max {self.max}")
        for metric in self.target_half_width:
            if metric.count("/") != 3:
                raise ValueError(f"metric id {metric!r} must be dimension/level/group/metric")
        return self


class Window(Section):
    start_date: dt.date = Field(description="Start of the evaluation window (day 0).")
    end_date: dt.date = Field(description="End of the window (exclusive) = horizon.")
    burnin_years: float | None = Field(
        None,
        ge=0.0,
        le=200.0,
        description="Burn-in before start_date (run.burnin_years); unset: the scenarios' own.",
    )

    @model_validator(mode="after")
    def _check(self) -> Window:
        if self.end_date <= self.start_date:
            raise ValueError(f"end_date {self.end_date} must be after start_date {self.start_date}")
        return self


class Review(Section):
    """A review section: the model's expected effect against what the data could show."""

    kind: Literal["starter_pilot", "village_rule"]
    title: str
    titles: dict[Literal["en", "nl"], str] = Field(
        default_factory=dict, description="The title per report language (default: title)."
    )
    data_window_start: dt.date = Field(description="First day of the data the review sees.")
    data_window_end: dt.date = Field(description="Last day (exclusive) of that data.")
    treatment: str = Field(description="Scenario with the rule.")
    control: str = Field(description="Scenario without it.")
    metric: str = Field(description="Metric id of the headline effect (dim/level/group/metric).")
    quota_scenarios: dict[str, float] = Field(
        default_factory=dict,
        description="Scenario label -> yearly quota it represents, for the smallest quota "
        "at which the effect would be seen with 80% probability.",
    )


class ExperimentSpec(Section):
    name: str = Field(pattern=r"^[A-Za-z0-9_.\-]+$")
    description: str = ""
    descriptions: dict[Literal["en", "nl"], str] = Field(
        default_factory=dict,
        description="The description per report language (default: description).",
    )
    seed: int = Field(ge=0, description="Root seed of every scenario (common random numbers).")
    baseline: str = Field(description="Scenario label the others are compared with.")
    replications: ReplicationRule
    window: Window
    scenarios: list[ScenarioRef] = Field(min_length=1)
    sweeps: list[Sweep] = Field(default_factory=list)
    review: Review | None = None
    base_dir: str = Field(".", exclude=True)

    def data_days(self) -> tuple[float, float] | None:
        """The review's data window in days from the window's start (None: no review)."""
        if self.review is None:
            return None
        start = self.window.start_date
        return (
            day_of(self.review.data_window_start, start),
            day_of(self.review.data_window_end, start),
        )


# ------------------------------------------------------------------ expansion


def load_experiment(
    path: str | Path, seed: int | None = None, overrides: list[str] | tuple[str, ...] = ()
) -> tuple[ExperimentSpec, list[Scenario]]:
    """Read, validate and expand an experiment; raise ConfigError listing every problem.
    `overrides` (`--set key=value`) apply to every scenario, after the spec's own."""
    path = Path(path)
    spec: ExperimentSpec = read_spec(ExperimentSpec, path, seed, "experiment spec (TOML)")
    problems: list[Problem] = []
    scenarios: list[Scenario] = []
    labels = [s.label for s in spec.scenarios]
    for sweep in spec.sweeps:
        for name in sweep.scenarios or []:
            if name not in labels:
                problems.append(
                    Problem(
                        str(path), f"sweeps.{sweep.name}.scenarios", repr(name), f"one of {labels}"
                    )
                )
    command_line = override_settings(overrides)
    for i, ref in enumerate(spec.scenarios):
        cfg_path = path.parent / ref.config
        if not cfg_path.is_file():
            problems.append(
                Problem(
                    str(path),
                    f"scenarios.{i}.config",
                    ref.config,
                    f"an existing file ({cfg_path})",
                )
            )
            continue
        window = [
            ("run.start_date", spec.window.start_date, str(path)),
            ("run.end_date", spec.window.end_date, str(path)),
            *(
                [("run.burnin_years", spec.window.burnin_years, str(path))]
                if spec.window.burnin_years is not None
                else []
            ),
            ("run.seed", spec.seed, str(path)),
        ]
        own = [(k, v, f"{path}: scenarios.{i}.set") for k, v in ref.set.items()]
        sweeps = [s for s in spec.sweeps if s.scenarios is None or ref.label in s.scenarios]
        grids = [
            [
                (s, v, (s.labels or [_value_label(x) for x in s.values])[j])
                for j, v in enumerate(s.values)
            ]
            for s in sweeps
        ]
        for combo in itertools.product(*grids) if grids else [()]:
            sets = [(s.key, v, f"{path}: sweeps.{s.name}") for s, v, _ in combo]
            label = ref.label + "".join(f"[{s.name}={lab}]" for s, _, lab in combo)
            try:
                cfg = load_config_with(cfg_path, window + own + sets + command_line)
            except ConfigError as exc:
                problems.extend(exc.problems)
                continue
            try:
                check_data_files(cfg)
            except ConfigError as exc:
                problems.extend(exc.problems)
                continue
            scenarios.append(Scenario(label, cfg.model_copy(update={"name": label})))
    names = [s.label for s in scenarios]
    if len(set(names)) != len(names):
        problems.append(Problem(str(path), "scenarios", ", ".join(names), "unique labels"))
    checks = [("baseline", spec.baseline)]
    if spec.review is not None:
        checks += [
            ("review.treatment", spec.review.treatment),
            ("review.control", spec.review.control),
        ]
        checks += [(f"review.quota_scenarios.{k}", k) for k in spec.review.quota_scenarios]
    if spec.review is not None:
        r = spec.review
        if not (
            spec.window.start_date
            <= r.data_window_start
            < r.data_window_end
            <= spec.window.end_date
        ):
            problems.append(
                Problem(
                    str(path),
                    "review.data_window_start/end",
                    f"{r.data_window_start}..{r.data_window_end}",
                    f"a window within the evaluation window {spec.window.start_date}.."
                    f"{spec.window.end_date} (only it is recorded)",
                )
            )
    for key, label in checks:
        if names and label not in names:
            problems.append(Problem(str(path), key, repr(label), f"a scenario label: {names}"))
    if problems:
        raise ConfigError(problems)
    return spec, scenarios


def _value_label(value: Any) -> str:
    if isinstance(value, dict):
        return "+".join(str(v) for v in value.values())
    return str(value)


def spec_fingerprint(spec: ExperimentSpec, scenarios: list[Scenario]) -> str:
    """Hash of everything that determines the numbers: the whole spec but its replication
    rule (a resumed run may ask for more) and the names and texts reports give, every
    resolved config and the package version."""
    return run_fingerprint(
        {
            "spec": spec.model_dump(
                mode="json",
                exclude={
                    "replications": True,
                    "description": True,
                    "descriptions": True,
                    "scenarios": {"__all__": {"names"}},
                    "review": {"titles"},
                },
            ),
            "scenarios": [(s.label, s.config.resolved()) for s in scenarios],
            "version": package_version(),
        }
    )
