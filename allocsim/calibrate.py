"""Calibration: fit named behavioural parameters to published figures.

A calibration spec names parameters (config keys to set, or groups of keys to scale
together, each with bounds) and targets (a config file, a metric id, the observed
figure and its source). The objective is the sum of squared relative errors of the
simulated means. Every evaluation uses the same replications (common random numbers),
so the objective is a smooth-ish function of the parameters, and the budget of
simulations is fixed: `max_evaluations` x configs x `replications`.

`method = "least-squares"` (the default) fits by trust-region least squares with a
forward-difference Jacobian whose points run in parallel; each fitted parameter then
gets an interval from the curvature of the objective (Gauss-Newton: covariance
s^2 (J'J)^-1, s^2 the residual variance per target, at least the replications'
own noise). `"nelder-mead"` is the older derivative-free search, without intervals.

Count targets (lettings, active seekers) scale with the world; `scale` < 1 fits on a
smaller copy of the world (`loader.scaled`) and compares with the observed figure
times `scale`, which keeps a calibration affordable on a laptop. The final fit report
runs `final_replications` at the same scale.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field, model_validator
from scipy import optimize, stats

from allocsim.analysis.metrics import select
from allocsim.config import Config, Section
from allocsim.errors import ConfigError, Problem
from allocsim.loader import load_config, load_config_with, read_toml, scaled, validate_dict
from allocsim.runs.driver import Drive, Folder
from allocsim.runs.executors import Executor, Session
from allocsim.runs.folder import METRICS, new_manifest, open_finished
from allocsim.runs.jobs import Job
from allocsim.stats import t_interval
from allocsim.world import csv_format, read_text


class Parameter(Section):
    name: str = Field(pattern=r"^[A-Za-z0-9_\-]+$")
    keys: list[str] = Field(min_length=1, description="Dotted config keys the parameter sets.")
    mode: Literal["set", "scale"] = Field(
        "set",
        description="set: every key takes the value; scale: every key's configured value "
        "is multiplied by it (one knob for a group, e.g. all kinds' leave hazards).",
    )
    start: float
    bounds: tuple[float, float]
    description: str = ""

    @model_validator(mode="after")
    def _check(self) -> Parameter:
        lo, hi = self.bounds
        if not lo < hi:
            raise ValueError(f"bounds {self.bounds}: lower must be below upper")
        if not lo <= self.start <= hi:
            raise ValueError(f"start {self.start} outside bounds {self.bounds}")
        return self


class Target(Section):
    name: str
    config: str = Field(description="Scenario the figure belongs to (relative to the spec).")
    metric: str = Field(description="Metric id dimension/level/group/metric.")
    observed: float = Field(gt=0.0)
    kind: Literal["count", "ratio"] = Field(
        description="count: scales with the world (multiplied by `scale`); ratio: does not."
    )
    source: str = ""

    @model_validator(mode="after")
    def _check(self) -> Target:
        if self.metric.count("/") != 3:
            raise ValueError(f"metric {self.metric!r} must be dimension/level/group/metric")
        return self


class CalibrationSpec(Section):
    name: str = Field(pattern=r"^[A-Za-z0-9_.\-]+$")
    description: str = ""
    seed: int = Field(ge=0)
    replications: int = Field(2, ge=1, description="Replications per configuration per evaluation.")
    max_evaluations: int = Field(60, ge=1, description="Budget of objective evaluations.")
    scale: float = Field(1.0, gt=0.0, le=1.0, description="World size during the fit.")
    final_replications: int = Field(10, ge=2, description="Replications of the fit report.")
    tolerance: float = Field(0.10, gt=0.0, description="Relative error accepted per target.")
    initial_step: float = Field(
        0.15, gt=0.0, le=0.5, description="First simplex step, as a share of each bound's range."
    )
    method: Literal["least-squares", "nelder-mead"] = Field(
        "least-squares",
        description="least-squares: trust-region fit with a parallel forward-difference "
        "Jacobian, and intervals per parameter; nelder-mead: simplex search, no intervals.",
    )
    polish_steps: int = Field(
        2,
        ge=0,
        le=10,
        description="Gauss-Newton steps after the fit, each on the mean of final_replications "
        "(the fit's few replications carry their own noise); a step is kept only if it lowers "
        "the sum of squared relative errors.",
    )
    observation_sd: float = Field(
        0.02,
        ge=0.0,
        le=1.0,
        description="Relative uncertainty of a published figure (rounding, reading): with the "
        "simulation's noise, the spread the parameter intervals allow each target. Assumption.",
    )
    jacobian_step: float = Field(
        0.05,
        gt=0.0,
        le=0.5,
        description="Forward-difference step, as a share of each bound's range; large enough "
        "that the simulation's noise (common random numbers) does not swamp the difference.",
    )
    parameters: list[Parameter] = Field(min_length=1)
    targets: list[Target] = Field(min_length=1)
    base_dir: str = Field(".", exclude=True)


def load_calibration(path: str | Path) -> CalibrationSpec:
    path = Path(path)
    data, origin = read_toml(path, (), "calibration spec (TOML)")
    data["base_dir"] = str(path.parent)
    spec: CalibrationSpec = validate_dict(CalibrationSpec, data, origin, str(path))
    problems = []
    for i, t in enumerate(spec.targets):
        cfg_path = path.parent / t.config
        if not cfg_path.is_file():
            problems.append(Problem(str(path), f"targets.{i}.config", t.config, "an existing file"))
            continue
        base = load_config(cfg_path)
        for p in spec.parameters:
            for key in p.keys:
                try:
                    _get(base.model_dump(), key)
                except KeyError:
                    problems.append(
                        Problem(str(path), f"parameters.{p.name}.keys", key, "a config key")
                    )
    if problems:
        raise ConfigError(sorted(set(problems), key=str))
    return spec


def _get(data: dict[str, Any], dotted: str) -> Any:
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(dotted)
        node = node[part]
    return node


def settings_for(
    spec: CalibrationSpec, base: Config, values: np.ndarray
) -> list[tuple[str, Any, str]]:
    """Dotted key -> value settings of a parameter vector for one configuration."""
    data = base.model_dump()
    out = []
    for p, v in zip(spec.parameters, values, strict=True):
        for key in p.keys:
            value = float(v) if p.mode == "set" else float(_get(data, key)) * float(v)
            out.append((key, value, f"calibration parameter {p.name}"))
    return out


@dataclass
class Evaluation:
    values: list[float]
    simulated: dict[str, float]
    objective: float
    seconds: float


@dataclass
class Calibrator:
    spec: CalibrationSpec
    executor: Executor = "serial"
    workers: int = 1
    history: list[Evaluation] = field(default_factory=list)
    session: Session | None = None
    polished: list[tuple[np.ndarray, pd.DataFrame]] = field(default_factory=list)
    # The last Jacobian of the least-squares fit: (point, matrix), normalised units.
    jacobian: tuple[np.ndarray, np.ndarray] | None = None

    def __post_init__(self) -> None:
        root = Path(self.spec.base_dir)
        self.paths = sorted({t.config for t in self.spec.targets})
        self.bases = {c: load_config(root / c) for c in self.paths}

    def configs(self, values: np.ndarray) -> dict[str, Config]:
        root = Path(self.spec.base_dir)
        out = {}
        for c in self.paths:
            cfg = load_config_with(root / c, settings_for(self.spec, self.bases[c], values))
            cfg = cfg.model_copy(
                update={"run": cfg.run.model_copy(update={"seed": self.spec.seed})}
            )
            out[c] = scaled(cfg, self.spec.scale) if self.spec.scale != 1.0 else cfg
        return out

    def simulate(self, values: np.ndarray, replications: int) -> pd.DataFrame:
        """Per-replication values of every target metric (rows: target, replication)."""
        return self.simulate_points([values], replications)[0]

    def simulate_points(self, points: list[np.ndarray], replications: int) -> list[pd.DataFrame]:
        """`simulate` at several parameter vectors, all jobs in one parallel batch."""
        jobs = [
            Job(f"{i}|{c}", cfg, r, False)
            for i, values in enumerate(points)
            for c, cfg in self.configs(values).items()
            for r in range(replications)
        ]
        rows: list[list[tuple[str, int, float]]] = [[] for _ in points]
        if self.session is None:
            with Drive(self.executor, self.workers) as drive:
                results = [r for batch in drive.session.run(jobs) for r in batch]
        else:
            results = [r for batch in self.session.run(jobs) for r in batch]
        for result in results:
            if result.error is not None:
                raise RuntimeError(f"calibration run failed: {result.error}\n{result.trace}")
            assert result.metrics is not None
            m = result.metrics
            point, config = result.label.split("|", 1)
            for t in self.spec.targets:
                if t.config != config:
                    continue
                sel = select(m, t.metric)
                value = float(sel["value"].iloc[0]) if len(sel) else float("nan")
                rows[int(point)].append((t.name, result.replication, value))
        return [pd.DataFrame(r, columns=["target", "replication", "value"]) for r in rows]

    def expected(self, t: Target) -> float:
        return t.observed * (self.spec.scale if t.kind == "count" else 1.0)

    def objective(self, values: np.ndarray) -> float:
        return float(np.nansum(np.square(self.residuals_at([values])[0])))

    def residuals_at(self, points: list[np.ndarray]) -> list[np.ndarray]:
        """Relative errors of the targets' simulated means at each point (one batch)."""
        started = time.perf_counter()
        sims = self.simulate_points(points, self.spec.replications)
        seconds = (time.perf_counter() - started) / len(points)
        out = []
        for values, sim in zip(points, sims, strict=True):
            means = sim.groupby("target")["value"].mean()
            errors = np.array([means[t.name] / self.expected(t) - 1.0 for t in self.spec.targets])
            obj = float(np.nansum(np.square(errors))) if not np.isnan(errors).all() else math.inf
            self.history.append(
                Evaluation(
                    [float(v) for v in values],
                    {k: float(v) for k, v in means.items()},
                    obj,
                    seconds,
                )
            )
            out.append(errors)
        return out

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        lo = np.array([p.bounds[0] for p in self.spec.parameters])
        hi = np.array([p.bounds[1] for p in self.spec.parameters])
        return lo, hi

    def fit_least_squares(self) -> np.ndarray:
        """Trust-region least squares on parameters mapped to [0, 1]; the Jacobian's
        points run as one parallel batch. Keeps the last Jacobian for `intervals`."""
        lo, hi = self.bounds()
        x0 = (np.array([p.start for p in self.spec.parameters]) - lo) / (hi - lo)
        step = self.spec.jacobian_step
        cache: dict[bytes, np.ndarray] = {}

        def at(x: np.ndarray) -> np.ndarray:
            return lo + np.clip(x, 0.0, 1.0) * (hi - lo)

        def fun(x: np.ndarray) -> np.ndarray:
            if len(self.history) >= self.spec.max_evaluations:
                raise _BudgetSpent
            key = np.asarray(x).tobytes()
            if key not in cache:
                cache[key] = np.nan_to_num(self.residuals_at([at(x)])[0], nan=10.0)
            return cache[key]

        def jac(x: np.ndarray) -> np.ndarray:
            if len(self.history) + x.size > self.spec.max_evaluations:
                raise _BudgetSpent
            # Step down from the upper bound, up otherwise.
            h = np.where(x + step <= 1.0, step, -step)
            points = [x + np.where(np.arange(x.size) == i, h[i], 0.0) for i in range(x.size)]
            res = self.residuals_at([at(p) for p in points])
            f0 = fun(x)
            cols = [(np.nan_to_num(r, nan=10.0) - f0) / h[i] for i, r in enumerate(res)]
            self.jacobian = (x.copy(), np.column_stack(cols))
            return self.jacobian[1]

        with contextlib.suppress(_BudgetSpent):
            optimize.least_squares(
                fun,
                x0,
                jac=jac,
                bounds=(0.0, 1.0),
                method="trf",
                x_scale=1.0,
                max_nfev=self.spec.max_evaluations,
                xtol=1e-3,
                ftol=1e-4,
            )
        best = min(self.history, key=lambda e: e.objective)
        return np.array(best.values)

    def polish(self, best: np.ndarray, report: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
        """Gauss-Newton steps from `best` on the report's mean relative errors (over
        final_replications), with the last Jacobian; each kept if it lowers their sum of
        squares."""
        if self.jacobian is None:
            return best, report
        lo, hi = self.bounds()
        J = self.jacobian[1]
        for _ in range(self.spec.polish_steps):
            r = report["relative_error"].to_numpy(dtype=float)
            x = (best - lo) / (hi - lo)
            trial = lo + np.clip(x - np.linalg.pinv(J) @ r, 0.0, 1.0) * (hi - lo)
            trial_report = self.report(trial)
            self.polished.append((trial, trial_report))
            if np.sum(trial_report["relative_error"] ** 2) >= np.sum(r**2):
                break
            best, report = trial, trial_report
        return best, report

    def intervals(
        self, best: np.ndarray, report: pd.DataFrame, confidence: float = 0.95
    ) -> pd.DataFrame:
        """Each parameter's interval from the curvature of the objective at the fit
        (Gauss-Newton, last Jacobian in normalised units): covariance (J' W J)^-1, W the
        inverse variance of each target's relative error: observation_sd squared plus the
        squared relative standard error of the report's mean over its replications."""
        lo, hi = self.bounds()
        names = [p.name for p in self.spec.parameters]
        if self.jacobian is None:
            nan = np.full(len(names), np.nan)
            return pd.DataFrame({"parameter": names, "fitted": best, "ci_low": nan, "ci_high": nan})
        _, J = self.jacobian
        # The report's intervals are in observed units: relative standard errors.
        noise = (
            (report["ci_high"] - report["ci_low"]) / (2 * 1.96) / report["observed"]
        ).to_numpy()
        weight = 1.0 / (self.spec.observation_sd**2 + np.nan_to_num(noise) ** 2)
        cov = np.linalg.pinv(J.T @ (weight[:, None] * J))
        z = float(stats.norm.ppf(0.5 + confidence / 2))
        half = z * np.sqrt(np.maximum(np.diag(cov), 0.0)) * (hi - lo)
        return pd.DataFrame(
            {
                "parameter": names,
                "fitted": best,
                "ci_low": np.maximum(best - half, lo),
                "ci_high": np.minimum(best + half, hi),
                "standard_error": half / z,
            }
        )

    def fit(self) -> np.ndarray:
        if self.spec.method == "least-squares":
            return self.fit_least_squares()
        return self.fit_nelder_mead()

    def fit_nelder_mead(self) -> np.ndarray:
        """Nelder-Mead on parameters mapped to [0, 1], within the evaluation budget."""
        lo, hi = self.bounds()
        x0 = (np.array([p.start for p in self.spec.parameters]) - lo) / (hi - lo)
        k = x0.size
        step = self.spec.initial_step
        simplex = np.vstack([x0] + [x0 + np.where(np.arange(k) == i, step, 0.0) for i in range(k)])
        simplex = np.clip(simplex, 0.0, 1.0)
        # A vertex pushed against the upper bound steps down instead.
        for i in range(k):
            if simplex[i + 1, i] == simplex[0, i]:
                simplex[i + 1, i] = max(0.0, x0[i] - step)

        def f(x: np.ndarray) -> float:
            if len(self.history) >= self.spec.max_evaluations:
                raise _BudgetSpent
            return self.objective(lo + np.clip(x, 0.0, 1.0) * (hi - lo))

        with contextlib.suppress(_BudgetSpent):
            optimize.minimize(
                f,
                x0,
                method="Nelder-Mead",
                bounds=[(0.0, 1.0)] * k,
                options={
                    "initial_simplex": simplex,
                    "maxfev": self.spec.max_evaluations,
                    "xatol": 1e-3,
                    "fatol": 1e-6,
                },
            )
        best = min(self.history, key=lambda e: e.objective)
        return np.array(best.values)

    def report(self, values: np.ndarray) -> pd.DataFrame:
        """Each target: observed, simulated mean, 95% interval, relative error, within?"""
        n = self.spec.final_replications
        sims = self.simulate(values, n)
        rows = []
        for t in self.spec.targets:
            v = sims.loc[sims["target"] == t.name, "value"].to_numpy(dtype=float)
            mean, lo, hi = t_interval(v)
            factor = self.spec.scale if t.kind == "count" else 1.0
            rel = mean / self.expected(t) - 1.0
            rows.append(
                {
                    "target": t.name,
                    "metric": t.metric,
                    "observed": t.observed,
                    "simulated_mean": mean / factor,
                    "ci_low": lo / factor,
                    "ci_high": hi / factor,
                    "relative_error": rel,
                    "within_tolerance": abs(rel) <= self.spec.tolerance,
                    "source": t.source,
                }
            )
        return pd.DataFrame(rows)


class _BudgetSpent(Exception):
    pass


def write_fitted_configs(spec: CalibrationSpec, values: np.ndarray, out: Path) -> list[Path]:
    """One TOML per target config: `extends` the original and sets the fitted values."""
    root = Path(spec.base_dir)
    written = []
    for c in sorted({t.config for t in spec.targets}):
        src = (root / c).resolve()
        base = load_config(src)
        path = out / f"fitted-{src.stem}.toml"
        rel = Path(_relpath(src, out.resolve()))
        lines = [
            f"# Fitted by `allocsim calibrate` ({spec.name}, {dt.date.today().isoformat()}):",
            "# the original scenario with the calibrated behavioural parameters.",
            f'extends = "{rel.as_posix()}"',
            f'name = "{base.name}-fitted"',
            "",
        ]
        data = base.model_dump()
        for p, v in zip(spec.parameters, values, strict=True):
            note = f": {p.description}" if p.description else ""
            lines.append(f"# {p.name} = {v:.6g} ({p.mode}){note}")
            for key in p.keys:
                value = float(v) if p.mode == "set" else float(_get(data, key)) * float(v)
                lines.append(f"{key} = {value:.6g}")
        path.write_text("\n".join(lines) + "\n")
        written.append(path)
    return written


def _relpath(target: Path, start: Path) -> str:
    import os

    return os.path.relpath(target, start)


def run_calibration(
    spec: CalibrationSpec,
    out: Path,
    executor: Executor = "serial",
    workers: int = 1,
    command: str = "",
) -> tuple[pd.DataFrame, np.ndarray, Calibrator]:
    """Fit, then write the calibration folder (`write_calibration`) and its manifest.
    The folder may exist already: a calibration is rerun into its own folder, whose
    files are written again whole."""
    started = dt.datetime.now(dt.UTC)
    manifest = new_manifest(
        "calibration",
        spec.name,
        spec.seed,
        command,
        spec=spec.model_dump(mode="json"),
        executor=executor,
        workers=workers,
    )
    on_disk = Folder(out, manifest, what="a calibration", replace=True)
    with Drive(executor, workers, folder=on_disk) as drive:
        cal = Calibrator(spec, executor, workers, session=drive.session)
        best = cal.fit()
        best, report = cal.polish(best, cal.report(best))
        drive.stop_workers()
        write_calibration(spec, out, cal, best, report, started)
        drive.finish(spec.final_replications, [])
    return report, best, cal


def write_calibration(
    spec: CalibrationSpec,
    out: Path,
    cal: Calibrator,
    best: np.ndarray,
    report: pd.DataFrame,
    started: dt.datetime,
) -> None:
    """The fit report, parameters with intervals, fitted configs and calibration.json."""
    intervals = cal.intervals(best, report)
    report.to_csv(out / "fit-report.csv", index=False)
    intervals.to_csv(out / "parameters.csv", index=False)
    (out / "fit-report.md").write_text(fit_report_markdown(spec, best, report, cal, intervals))
    write_fitted_configs(spec, best, out)
    (out / "calibration.json").write_text(
        json.dumps(
            {
                "spec": spec.model_dump(mode="json"),
                "fitted": {p.name: float(v) for p, v in zip(spec.parameters, best, strict=True)},
                "intervals": intervals.to_dict(orient="records"),
                "evaluations": [e.__dict__ for e in cal.history],
                "jacobian": None
                if cal.jacobian is None
                else {"at": cal.jacobian[0].tolist(), "matrix": cal.jacobian[1].tolist()},
                "polish_steps": [
                    {"values": v.tolist(), "relative_error": r["relative_error"].tolist()}
                    for v, r in cal.polished
                ],
                "started": started.isoformat(),
                "finished": dt.datetime.now(dt.UTC).isoformat(),
            },
            indent=2,
        )
    )


def fit_report_markdown(
    spec: CalibrationSpec,
    best: np.ndarray,
    report: pd.DataFrame,
    cal: Calibrator,
    intervals: pd.DataFrame,
) -> str:
    params = pd.DataFrame(
        {
            "parameter": [p.name for p in spec.parameters],
            "mode": [p.mode for p in spec.parameters],
            "start": [p.start for p in spec.parameters],
            "fitted": best,
            "95% interval": [
                f"{a:.4g} - {b:.4g}" if np.isfinite(a) else "n/a"
                for a, b in zip(intervals["ci_low"], intervals["ci_high"], strict=True)
            ],
            "bounds": [f"{p.bounds[0]:g} - {p.bounds[1]:g}" for p in spec.parameters],
            "keys": [", ".join(p.keys) for p in spec.parameters],
        }
    )
    shown = report.copy()
    for col in ("observed", "simulated_mean", "ci_low", "ci_high"):
        shown[col] = shown[col].map(lambda v: f"{v:,.1f}")
    shown["relative_error"] = (shown["relative_error"] * 100).map(lambda v: f"{v:+.1f}%")
    ok = bool(report["within_tolerance"].all())
    verdict = "every target within" if ok else "NOT every target within"
    return "\n".join(
        [
            f"# Fit report: {spec.name}",
            "",
            spec.description,
            "",
            f"{len(cal.history)} evaluations of {spec.replications} replication(s) per "
            f"configuration (common random numbers, root seed {spec.seed}), world scale "
            f"{spec.scale:g}; the report below uses {spec.final_replications} replications. "
            f"Tolerance {spec.tolerance:.0%}: **{verdict}**.",
            "",
            "## Fitted parameters",
            "",
            params.to_markdown(index=False, floatfmt=".4g"),
            "",
            "## Targets",
            "",
            shown.to_markdown(index=False, floatfmt=".4g"),
            "",
        ]
    )


# ------------------------------------------------------------------- check-fit

TARGET_COLUMNS = ("metric", "observed")


def check_fit(run_dir: Path, targets_csv: Path, tolerance: float) -> pd.DataFrame:
    """Compare a finished run's metrics with observed figures (a CSV of metric, observed,
    and optionally name, scenario, tolerance)."""
    text, _ = read_text(targets_csv)  # UTF-8 (BOM or not) or Excel's Windows-1252
    fmt = csv_format(targets_csv)
    try:
        targets = pd.read_csv(
            io.StringIO(text), sep=fmt.delimiter, decimal="," if fmt.delimiter == ";" else "."
        )
    except (ValueError, pd.errors.ParserError) as exc:  # empty or malformed
        raise ConfigError(
            [Problem(str(targets_csv), "", "", f"a CSV with a header and rows ({exc})")]
        ) from None
    missing = [c for c in TARGET_COLUMNS if c not in targets.columns]
    if missing:
        raise ConfigError(
            [
                Problem(
                    str(targets_csv),
                    "header",
                    ", ".join(targets.columns),
                    "columns metric, observed (and optionally name, scenario, tolerance)",
                )
            ]
        )
    metrics = open_finished(run_dir, (METRICS,)).metrics
    rows = []
    problems = []
    for i, t in enumerate(targets.itertuples(index=False), start=2):
        metric = str(t.metric)
        if metric.count("/") != 3:
            problems.append(
                Problem(str(targets_csv), f"row {i} metric", metric, "dimension/level/group/metric")
            )
            continue
        try:
            observed = float(t.observed)
            if not math.isfinite(observed) or observed == 0.0:
                raise ValueError
        except (TypeError, ValueError):
            problems.append(
                Problem(
                    str(targets_csv),
                    f"row {i} observed",
                    repr(t.observed),
                    "a number other than 0 (the tolerance is relative to it)",
                )
            )
            continue
        sel = select(metrics, metric)
        scenario = getattr(t, "scenario", None)
        if "scenario" in metrics.columns and isinstance(scenario, str):
            sel = sel[sel["scenario"] == scenario]
        v = sel["value"].to_numpy(dtype=float)
        tol = tolerance
        given = getattr(t, "tolerance", np.nan)
        if not (isinstance(given, float) and math.isnan(given)):  # a blank cell is NaN
            try:
                tol = float(given)
                if not 0.0 < tol < 1.0:  # as --tolerance takes it
                    raise ValueError
            except (TypeError, ValueError):
                problems.append(
                    Problem(
                        str(targets_csv),
                        f"row {i} tolerance",
                        repr(given),
                        "a number between 0 and 1 (a relative error, 0.10 for 10%), or empty",
                    )
                )
                continue
        if v.size == 0:
            problems.append(
                Problem(str(targets_csv), f"row {i} metric", metric, "a metric in the run")
            )
            continue
        mean, lo, hi = t_interval(v)
        rel = mean / observed - 1.0 if observed else math.nan
        rows.append(
            {
                "target": getattr(t, "name", metric)
                if isinstance(getattr(t, "name", None), str)
                else metric,
                "observed": observed,
                "simulated_mean": mean,
                "ci_low": lo,
                "ci_high": hi,
                "relative_error": rel,
                "tolerance": tol,
                "within": abs(rel) <= tol,
                "replications": int(v.size),
            }
        )
    if problems:
        raise ConfigError(problems)
    if not rows:
        raise ConfigError([Problem(str(targets_csv), "", "no rows", "at least one target row")])
    return pd.DataFrame(rows)
