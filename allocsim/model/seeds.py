"""Random streams, each spawned from a replication's seed by its name.

A stream's seed is the child of the replication's `SeedSequence` whose spawn key ends in
a hash of the stream's name: it depends on the name alone, not on which other streams
exist or in what order they are listed, so adding a rule with a stream of its own
reseeds nothing else (tests/model/test_seeds.py). Sequential streams are numpy Generators
(`generators`); keyed streams (allocsim.keyed) are one 64-bit seed each (`keyed_seeds`).
"""

from __future__ import annotations

import hashlib

import numpy as np


def name_key(name: str) -> int:
    """A stream name's place in the spawn key: the first 32 bits of its SHA-256."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "little")


def child(seed: np.random.SeedSequence, name: str) -> np.random.SeedSequence:
    """The stream `name` of `seed`: its spawn key extended by the name's key."""
    return np.random.SeedSequence(
        seed.entropy, spawn_key=(*seed.spawn_key, name_key(name)), pool_size=seed.pool_size
    )


def generators(
    seed: np.random.SeedSequence, names: tuple[str, ...]
) -> dict[str, np.random.Generator]:
    """One numpy Generator per named sequential stream."""
    return {name: np.random.default_rng(child(seed, name)) for name in names}


def keyed_seeds(seed: np.random.SeedSequence, names: tuple[str, ...]) -> dict[str, int]:
    """One 64-bit seed per named keyed stream (allocsim.keyed)."""
    return {name: int(child(seed, name).generate_state(1, np.uint64)[0]) for name in names}
