"""The run folder's contract (allocsim.runs.folder): a manifest as the commands write it
for every bundled experiment is one the readers accept."""

from __future__ import annotations

from pathlib import Path

import pytest

from allocsim.experiment import load_experiment
from allocsim.runs.folder import check_format, new_manifest
from allocsim.validate import spec_kind

ROOT = Path(__file__).resolve().parents[2]
EXPERIMENTS = [
    p for p in sorted((ROOT / "experiments").glob("*.toml")) if spec_kind(str(p)) == "experiment"
]


@pytest.mark.parametrize("path", EXPERIMENTS, ids=lambda p: p.stem)
def test_every_bundled_experiments_manifest_reads(path: Path) -> None:
    """An experiment's window may leave its burn-in unset (the scenarios' own): `report`
    refused such a manifest once, so `make run` wrote its results and then failed."""
    spec, scenarios = load_experiment(path)
    manifest = new_manifest(
        "experiment",
        spec.name,
        spec.seed,
        spec=spec.model_dump(mode="json"),
        scenarios={s.label: s.config.resolved() for s in scenarios},
    )
    check_format(dict(manifest), path)
