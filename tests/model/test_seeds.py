"""Streams spawned by name (allocsim/model/seeds.py): a stream's draws depend on its
name and the replication, not on which other streams exist."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from allocsim.engine import KEYED, STREAMS, replication_seed
from allocsim.model import seeds


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 10_000), st.text(min_size=1, max_size=12))
def test_adding_a_stream_reseeds_nothing(root: int, replication: int, extra: str) -> None:
    """A new stream (a rule's, say), listed first or last, leaves every other stream's
    seed and first draws as they were."""
    seed = replication_seed(root, replication)
    keyed = seeds.keyed_seeds(seed, KEYED)
    for names in ((extra, *KEYED), (*KEYED, extra)):
        grown = seeds.keyed_seeds(replication_seed(root, replication), names)
        assert {name: grown[name] for name in KEYED} == keyed
    first = {n: g.random(3) for n, g in seeds.generators(seed, STREAMS).items()}
    grown_rng = seeds.generators(replication_seed(root, replication), (extra, *STREAMS))
    for name in STREAMS:
        np.testing.assert_array_equal(grown_rng[name].random(3), first[name])


def test_streams_differ_by_name_and_replication() -> None:
    """Every stream of a replication has its own seed, and so has every replication."""
    a = seeds.keyed_seeds(replication_seed(7, 0), KEYED)
    b = seeds.keyed_seeds(replication_seed(7, 1), KEYED)
    assert len(set(a.values())) == len(KEYED)
    assert not set(a.values()) & set(b.values())
    assert len({seeds.name_key(n) for n in (*STREAMS, *KEYED)}) == len(STREAMS) + len(KEYED)
