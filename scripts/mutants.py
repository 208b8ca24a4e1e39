"""Mutation testing of the rules: apply each deliberately broken variant of
`tests/mutants.toml` to a copy of the project, one at a time, run the tests it names and
report whether some test caught it (killed), none did (survived) or the tests could
not run (error). The unmodified code must pass the same tests first.

    python scripts/mutants.py                 # every mutant, two at a time
    python scripts/mutants.py --only lottery  # those whose file or text contains "lottery"
    python scripts/mutants.py --jobs 1

Each copy compiles the model afresh (the compiled cache is keyed by the package's source),
so a mutant costs about a minute and a half of one core. Exit status 1 when a mutant
survived or gave an error, 2 when the unmodified code fails its tests. The compiled
rules are mutated like the Python ones: a test that compares the compiled passes with
the rules' reference functions catches a change to either.
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
    survives: str = ""  # why no test can catch it (an equivalent mutant), if none can

    @property
    def name(self) -> str:
        return f"{self.number:02d} {self.file}"


def load(path: Path = LIST) -> list[Mutant]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    default = tuple(data["default_tests"])
    return [
        Mutant(
            i + 1,
            m["file"],
            m["old"],
            m["new"],
            m["what"],
            tuple(m.get("tests", default)),
            m.get("survives", ""),
        )
        for i, m in enumerate(data["mutant"])
    ]


def mutated(mutant: Mutant, root: Path = ROOT) -> str:
    """The mutant's file with its change made; ValueError unless `old` occurs once."""
    text = (root / "allocsim" / mutant.file).read_text(encoding="utf-8")
    if text.count(mutant.old) != 1:
        raise ValueError(f"{mutant.name}: `old` occurs {text.count(mutant.old)} times")
    return text.replace(mutant.old, mutant.new)


def run(mutant: Mutant | None, tests: tuple[str, ...] = ()) -> tuple[str, str, float]:
    """Run `tests` (the mutant's) on a copy of the project with the mutant applied (none:
    the code as it is). Returns (killed, survived or error; the first failing test or the
    last line; seconds). Killed means pytest reported a failing test (exit status 1);
    anything else that is not a pass (an import or collection error, a crash) is an error,
    never counted as a catch."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="allocsim-mutant-") as tmp:
        copy = Path(tmp) / "project"
        shutil.copytree(ROOT, copy, ignore=lambda d, names: [n for n in names if n in SKIP])
        for cache in copy.rglob("__pycache__"):
            shutil.rmtree(cache, ignore_errors=True)
        if mutant is not None:
            (copy / "allocsim" / mutant.file).write_text(mutated(mutant), encoding="utf-8")
            tests = mutant.tests
        env = {**os.environ, "PYTHONPATH": str(copy)}
        for var in ("NUMBA_CACHE_DIR", "ALLOCSIM_NUMBA_CACHE"):
            env.pop(var, None)
        command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider"]
        done = subprocess.run([*command, *tests], cwd=copy, env=env, capture_output=True, text=True)
    out = done.stdout + done.stderr
    failed = re.findall(r"^FAILED (\S+)", out, re.MULTILINE)
    last = out.strip().splitlines()[-1] if out.strip() else f"exit status {done.returncode}"
    if done.returncode == 0:
        verdict = "survived"
    elif done.returncode == 1 and failed:
        verdict = "killed"
    else:
        verdict = "error"
    return verdict, failed[0] if failed else last, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="mutants whose file or description contains this")
    parser.add_argument("--jobs", type=int, default=2, help="mutants at a time")
    args = parser.parse_args()
    mutants = [m for m in load() if not args.only or args.only in m.file or args.only in m.what]
    for m in mutants:
        mutated(m)  # every one applies before any runs
    every_test = tuple(dict.fromkeys(t for m in mutants for t in m.tests))
    verdict, detail, seconds = run(None, every_test)
    print(
        f"the code as it is: {'passes' if verdict == 'survived' else verdict} ({seconds:.0f} s)",
        flush=True,
    )
    if verdict != "survived":  # a mutant's failing test would prove nothing
        print(detail)
        return 2
    counts = {"killed": 0, "equivalent": 0, "survived": 0, "error": 0}
    print(f"{len(mutants)} mutants, {args.jobs} at a time", flush=True)
    with ThreadPoolExecutor(args.jobs) as pool:
        for mutant, (verdict, detail, seconds) in zip(mutants, pool.map(run, mutants), strict=True):
            if verdict == "survived" and mutant.survives:
                verdict, detail = "equivalent", f"expected: {mutant.survives}"
            counts[verdict] += 1
            print(f"{mutant.name:32} {verdict:10} {seconds:4.0f} s  {mutant.what}", flush=True)
            print(f"{'':32} {detail}", flush=True)
    print(
        f"\n{counts['killed']} of {len(mutants)} killed, {counts['equivalent']} equivalent "
        f"(survive as expected), {counts['survived']} survived, {counts['error']} errors"
    )
    return 0 if counts["survived"] == counts["error"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
