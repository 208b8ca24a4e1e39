"""Mutation testing of the rules: apply each deliberately broken variant of
`tests/mutants.toml` to a copy of the project, one at a time, run the tests it names and
report whether some test caught it (killed) or none did (survived).

    python scripts/mutants.py                 # every mutant, two at a time
    python scripts/mutants.py --only lottery  # those whose file or text contains "lottery"
    python scripts/mutants.py --jobs 1

Each copy compiles the model afresh (the compiled cache is keyed by the package's source),
so a mutant costs about a minute and a half of one core. Exit status 1 when a mutant
survived. The compiled rules are mutated like the Python ones: a test that compares the
compiled passes with the rules' reference functions catches a change to either.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIST = ROOT / "tests" / "mutants.toml"
SKIP = {".git", ".venv", "results", ".hypothesis", ".mypy_cache", ".ruff_cache", ".pytest_cache"}


@dataclass(frozen=True)
class Mutant:
    number: int
    file: str
    old: str
    new: str
    what: str
    tests: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"{self.number:02d} {self.file}"


def load(path: Path = LIST) -> list[Mutant]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    default = tuple(data["default_tests"])
    return [
        Mutant(i + 1, m["file"], m["old"], m["new"], m["what"], tuple(m.get("tests", default)))
        for i, m in enumerate(data["mutant"])
    ]


def mutated(mutant: Mutant, root: Path = ROOT) -> str:
    """The mutant's file with its change made; ValueError unless `old` occurs once."""
    text = (root / "allocsim" / mutant.file).read_text(encoding="utf-8")
    if text.count(mutant.old) != 1:
        raise ValueError(f"{mutant.name}: `old` occurs {text.count(mutant.old)} times")
    return text.replace(mutant.old, mutant.new)


def run(mutant: Mutant) -> tuple[Mutant, str, str, float]:
    """(mutant, killed/survived, the first failing test or the last line, seconds)."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="allocsim-mutant-") as tmp:
        copy = Path(tmp) / "project"
        shutil.copytree(ROOT, copy, ignore=lambda d, names: [n for n in names if n in SKIP])
        for cache in copy.rglob("__pycache__"):
            shutil.rmtree(cache, ignore_errors=True)
        (copy / "allocsim" / mutant.file).write_text(mutated(mutant), encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(copy)}
        for var in ("NUMBA_CACHE_DIR", "ALLOCSIM_NUMBA_CACHE"):
            env.pop(var, None)
        command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider"]
        done = subprocess.run(
            [*command, *mutant.tests], cwd=copy, env=env, capture_output=True, text=True
        )
    out = done.stdout + done.stderr
    failed = re.findall(r"^(?:FAILED|ERROR) (\S+)", out, re.MULTILINE)
    last = out.strip().splitlines()[-1] if out.strip() else ""
    verdict = "survived" if done.returncode == 0 else "killed"
    return mutant, verdict, failed[0] if failed else last, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="mutants whose file or description contains this")
    parser.add_argument("--jobs", type=int, default=2, help="mutants at a time")
    args = parser.parse_args()
    mutants = [m for m in load() if not args.only or args.only in m.file or args.only in m.what]
    for m in mutants:
        mutated(m)  # every one applies before any runs
    survived = 0
    print(f"{len(mutants)} mutants, {args.jobs} at a time", flush=True)
    with ThreadPoolExecutor(args.jobs) as pool:
        for mutant, verdict, detail, seconds in pool.map(run, mutants):
            survived += verdict == "survived"
            print(f"{mutant.name:32} {verdict:8} {seconds:4.0f} s  {mutant.what}", flush=True)
            print(f"{'':32} {detail}", flush=True)
    print(f"\n{len(mutants) - survived} of {len(mutants)} killed")
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
