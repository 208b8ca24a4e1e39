"""A disk cache of pilot end states, so a pilot (80 simulated years by default) runs once
per history and code version on a machine, not once per process.

The key is a SHA-256 of everything the pilot depends on: the history's settings
(`Config.history_key()`), the stock's arrays (so a changed stock CSV is a new key), the
source of the `allocsim` package and the numpy, scipy and numba versions. Any change
makes a new key; nothing is ever read that a fresh computation would not give.

Where: `$ALLOCSIM_CACHE` if set (`off` switches the cache off), else
`~/.cache/allocsim`. Files are written atomically (a temporary file, then a rename), so
parallel workers may race and a killed process leaves no half-written entry. A cache
that cannot be read or written is skipped silently: it only ever saves time.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from allocsim import source_hash
from allocsim.paths import umask

SEEKERS = "seekers__"
HOMES = "homes__"


def cache_dir() -> Path | None:
    value = os.environ.get("ALLOCSIM_CACHE", "")
    if value.lower() == "off":
        return None
    return Path(value) if value else Path.home() / ".cache" / "allocsim"


@functools.cache
def code_fingerprint() -> str:
    """The package's source and the numeric libraries' versions."""
    import numba
    import scipy

    h = hashlib.sha256(f"{np.__version__} {scipy.__version__} {numba.__version__}".encode())
    h.update(source_hash().encode())
    return h.hexdigest()


def key_of(history_key: str, stock: Any) -> str:
    h = hashlib.sha256(history_key.encode())
    h.update(pickle.dumps(stock, protocol=5))
    h.update(code_fingerprint().encode())
    return h.hexdigest()[:32]


def load(
    key: str,
) -> tuple[float, dict[str, np.ndarray], np.ndarray, dict[str, np.ndarray]] | None:
    """(day, seeker columns, reg_day, tenant columns) of a cached pilot, or None."""
    root = cache_dir()
    if root is None:
        return None
    path = root / "pilots" / f"{key}.npz"
    try:
        with np.load(path, allow_pickle=False) as data:
            seekers = {k[len(SEEKERS) :]: data[k] for k in data.files if k.startswith(SEEKERS)}
            homes = {k[len(HOMES) :]: data[k] for k in data.files if k.startswith(HOMES)}
            return float(data["day"]), seekers, data["reg_day"], homes
    except (OSError, KeyError, ValueError):
        return None


def store(
    key: str,
    day: float,
    seekers: dict[str, np.ndarray],
    reg_day: np.ndarray,
    homes: dict[str, np.ndarray],
) -> None:
    root = cache_dir()
    if root is None:
        return
    folder = root / "pilots"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            arrays: dict[str, Any] = {f"{SEEKERS}{k}": v for k, v in seekers.items()}
            arrays.update({f"{HOMES}{k}": v for k, v in homes.items()})
            arrays.update(day=np.float64(day), reg_day=reg_day)
            np.savez(f, **arrays)
        os.chmod(tmp, 0o666 & ~umask())
        os.replace(tmp, folder / f"{key}.npz")
    except OSError:
        return
