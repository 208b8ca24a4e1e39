"""The list of deliberately broken rules (tests/mutants.toml, run by scripts/mutants.py)
follows the code: each mutant applies to the source as it is, and every rule module has
one."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("mutants", ROOT / "scripts" / "mutants.py")
assert _spec is not None and _spec.loader is not None
mutants = importlib.util.module_from_spec(_spec)
sys.modules["mutants"] = mutants  # its dataclass looks itself up there
_spec.loader.exec_module(mutants)

MUTANTS = mutants.load()
# The hooks' protocol and the package's list are not rules; the compiled rules are.
RULE_MODULES = sorted(
    f"policies/{p.name}"
    for p in (ROOT / "allocsim" / "policies").glob("*.py")
    if p.name not in ("__init__.py", "rule.py")
) + ["model/close.py", "model/homes.py"]


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
def test_each_mutant_changes_the_source_as_it_is(mutant: mutants.Mutant) -> None:
    text = mutants.mutated(mutant)  # raises unless `old` occurs exactly once
    assert text != (ROOT / "allocsim" / mutant.file).read_text(encoding="utf-8")
    assert mutant.what and all((ROOT / t).exists() for t in mutant.tests)


def test_every_rule_module_has_a_mutant() -> None:
    covered = {m.file for m in MUTANTS}
    assert [f for f in RULE_MODULES if f not in covered] == []
