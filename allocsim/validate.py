"""`allocsim validate`: check a scenario config, or an experiment, exploration,
calibration or uncertainty spec, as the command that runs it would load it, without
simulating anything. The kind of file is told from its top-level tables (`spec_kind`),
so a spec is never read as a config (whose loader would call every table unknown)."""

from __future__ import annotations

from pathlib import Path

from allocsim.errors import ConfigError, Problem
from allocsim.loader import load_config


def spec_kind(path: str) -> str:
    """What a TOML file is, by its top-level tables: an experiment (`[[scenarios]]`), an
    exploration (`[[conclusions]]` or `uncertainty_set`), a calibration (`[[parameters]]`,
    `[[targets]]`), an uncertainty set (`[[uncertainties]]`, none of the others) or,
    otherwise, a scenario config (whose loader then names whatever is wrong with it)."""
    import tomllib

    try:
        keys = set(tomllib.loads(Path(path).read_text(encoding="utf-8-sig")))
    except (OSError, ValueError):
        return "config"
    if "scenarios" in keys:
        return "experiment"
    if keys & {"conclusions", "uncertainty_set"}:
        return "exploration"
    if keys & {"parameters", "targets"}:
        return "calibration"
    if "uncertainties" in keys:  # an uncertainty set: its loader names any other key
        return "uncertainties"
    return "config"


def _a(kind: str) -> str:
    return ("an " if kind[0] in "aeiou" else "a ") + kind


def validate(path: str, overrides: list[str]) -> list[str]:
    """The lines that say what `path` is and that it is ok (with the data files a config
    reads, and how each is read), or ConfigError naming what is wrong. `overrides`
    (KEY=VALUE, as --set) apply to a scenario config only."""
    kind = spec_kind(path)
    if kind != "config" and overrides:
        raise ConfigError(
            [
                Problem(
                    "--set",
                    "",
                    " ".join(overrides),
                    f"no --set: it applies to scenario configs, and this is {_a(kind)} spec",
                )
            ]
        )
    if kind == "experiment":
        from allocsim.experiment import load_experiment

        spec, scenarios = load_experiment(path)
        labels = ", ".join(s.label for s in scenarios)
        return [f"{path}: ok (experiment {spec.name!r}; scenarios {labels})"]
    if kind == "exploration":
        from allocsim.explore import load_exploration

        exploration = load_exploration(path)
        return [
            f"{path}: ok (exploration {exploration.spec.name!r}; "
            f"{len(exploration.uncertainties)} uncertainties, experiment "
            f"{exploration.experiment.name!r})"
        ]
    if kind == "calibration":
        from allocsim.calibrate import load_calibration

        calibration = load_calibration(path)
        return [
            f"{path}: ok (calibration {calibration.name!r}; "
            f"{len(calibration.parameters)} parameters, {len(calibration.targets)} targets)"
        ]
    if kind == "uncertainties":
        from allocsim.explore.spec import load_uncertainties

        return [f"{path}: ok ({len(load_uncertainties(path))} uncertainties)"]
    from allocsim.waiting_list import check_data_files
    from allocsim.world import csv_format

    cfg = load_config(path, overrides)
    check_data_files(cfg)
    lines = [f"{path}: ok (scenario {cfg.name!r})"]
    base = Path(cfg.base_dir)
    used = [cfg.stock.csv_path if cfg.stock.source == "csv" else None]
    used.append(cfg.seekers.list_csv_path if cfg.run.seed_state == "list" else None)
    lines += [f"{base / data}: ok, read as {csv_format(base / data)}" for data in used if data]
    return lines
