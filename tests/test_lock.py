"""requirements.lock pins every dependency pyproject.toml names (rerun `make lock` when one
is added), at a version that satisfies it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def pins() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^ ;]+)", line)
        if m:
            out.setdefault(canonicalize_name(m[1]), []).append(m[2])
    return out


def test_the_lock_pins_every_dependency_within_its_range() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [*project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        wanted += extra
    locked = pins()
    for text in wanted:
        req = Requirement(text)
        name = canonicalize_name(req.name)
        if name == "allocsim":  # an extra naming another extra
            continue
        assert name in locked, f"{req.name} is not in requirements.lock: run `make lock`"
        for version in locked[name]:
            assert req.specifier.contains(version), f"{req.name}=={version} outside {text}"
