"""Keyed random draws: a number decided by *what* it decides, not by *when* it is drawn.

A keyed draw is a pure function of a stream seed and integer keys (a household, a
home and its tenancy, an advert, a week): a counter-based generator, SplitMix64's
finaliser applied to the keys in turn. Two runs that differ only in a policy give
every household and home they both hold the same draws, whatever order events
happen in, and a compiled engine reproduces them bit for bit (integer arithmetic
modulo 2**64, then one division). Stream seeds come from the replication's
SeedSequence, one per named stream.
"""

from __future__ import annotations

import numpy as np
from scipy import special

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_UNIT = 2.0**-53

KeyLike = np.ndarray | int


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: a bijection of uint64 that scatters every input bit."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


def _as_u64(key: KeyLike) -> np.ndarray:
    arr = np.atleast_1d(key)
    if arr.dtype == np.uint64:
        return arr
    return arr.astype(np.int64).astype(np.uint64)  # negative keys wrap, deterministically


def hash_keys(stream: int, *keys: KeyLike) -> np.ndarray:
    """uint64 hash of the stream seed and the keys (broadcast together; at least 1-d).
    Integer arrays wrap modulo 2**64 silently, which is the arithmetic wanted here."""
    h = np.atleast_1d(np.uint64(stream))
    for key in keys:
        h = _mix(h + _GOLDEN + _as_u64(key) * _GOLDEN)
    return h


def uniform(stream: int, *keys: KeyLike) -> np.ndarray:
    """Uniform on [0, 1), 53 bits, one per broadcast key tuple."""
    return (hash_keys(stream, *keys) >> _S11).astype(np.float64) * _UNIT


def normal(stream: int, *keys: KeyLike) -> np.ndarray:
    """Standard normal by inversion of a keyed uniform (never infinite)."""
    u = uniform(stream, *keys)
    return np.asarray(special.ndtri(np.clip(u, _UNIT, 1.0 - _UNIT)))


def exponential(stream: int, *keys: KeyLike) -> np.ndarray:
    """Standard exponential by inversion of a keyed uniform."""
    return -np.log1p(-uniform(stream, *keys))


def stream_seeds(seed: np.random.SeedSequence, names: tuple[str, ...]) -> dict[str, int]:
    """One 64-bit seed per named keyed stream, from children of `seed`."""
    children = seed.spawn(len(names))
    return {
        name: int(child.generate_state(1, np.uint64)[0])
        for name, child in zip(names, children, strict=True)
    }
