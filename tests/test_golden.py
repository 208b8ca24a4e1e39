"""The engine reproduces the golden digests recorded before it was made faster
(benchmarks/golden.py): every record table and every metric of four short runs."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("golden", ROOT / "benchmarks" / "golden.py")
assert spec is not None and spec.loader is not None
golden = importlib.util.module_from_spec(spec)
spec.loader.exec_module(golden)


def test_every_golden_digest_matches() -> None:
    recorded = json.loads(golden.GOLDEN.read_text())
    env = golden.environment()
    differs = {k: (v, env.get(k)) for k, v in recorded["environment"].items() if env.get(k) != v}
    if differs:
        pytest.skip(f"golden digests were recorded in another environment: {differs}")
    assert golden.digests() == recorded["cases"]
