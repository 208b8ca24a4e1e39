"""Keyed random draws: a number decided by *what* it decides, not by *when* it is drawn.

A keyed draw is a pure function of a stream seed and integer keys (a household, a
home and its tenancy, an advert, a week): a counter-based generator, SplitMix64's
finaliser applied to the keys in turn. Two runs that differ only in a policy give
every household and home they both hold the same draws, whatever order events
happen in, and a compiled engine reproduces them bit for bit (integer arithmetic
modulo 2**64, then one division). Stream seeds come from the replication's
SeedSequence, one per named stream.

The hash step is a compiled loop (cached on disk) that broadcasts like numpy and gives
the same bits as the numpy expression in its docstring.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from scipy import special

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_UNIT = 2.0**-53

KeyLike = np.ndarray | int


@numba.njit(cache=True, inline="always")
def mix(z: np.uint64) -> np.uint64:
    """SplitMix64's finaliser: a bijection of uint64 that scatters every input bit."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@numba.njit(cache=True)
def _step_flat(h: np.ndarray, key: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    out = np.empty(h.size, np.uint64)
    for i in range(h.size):
        out[i] = mix(h[i] + _GOLDEN + key[i] * _GOLDEN)
    return out


def _step(h: np.ndarray | np.uint64, key: np.ndarray | np.uint64) -> np.ndarray:
    """One key into the hash: mix(h + GOLDEN + key * GOLDEN), modulo 2**64, broadcast
    like a ufunc. (A plain compiled loop: a numba ufunc rebuilds its loop in every process,
    about half a second, where this loads from the cache.)"""
    hb, kb = np.broadcast_arrays(np.asarray(h, np.uint64), np.asarray(key, np.uint64))
    return _step_flat(hb.ravel(), kb.ravel()).reshape(hb.shape)


def _unit(h: np.ndarray) -> np.ndarray:
    """The top 53 bits as a float in [0, 1): (h >> 11) * 2**-53."""
    return (np.asarray(h, np.uint64) >> _S11).astype(np.float64) * _UNIT


def as_u64(key: KeyLike) -> np.ndarray | np.uint64:
    if isinstance(key, int | np.integer):
        return np.uint64(int(key) & 0xFFFFFFFFFFFFFFFF)  # negative keys wrap
    arr = np.asarray(key)
    if arr.dtype == np.uint64:
        return arr
    return arr.astype(np.int64).astype(np.uint64)  # negative keys wrap, deterministically


def hash_keys(stream: int, *keys: KeyLike) -> np.ndarray:
    """uint64 hash of the stream seed and the keys (broadcast together; at least 1-d).
    Integer arrays wrap modulo 2**64 silently, which is the arithmetic wanted here."""
    h: np.ndarray | np.uint64 = np.uint64(stream)
    for key in keys:
        h = _step(h, as_u64(key))
    return np.atleast_1d(h)


def uniform(stream: int, *keys: KeyLike) -> np.ndarray:
    """Uniform on [0, 1), 53 bits, one per broadcast key tuple."""
    return np.asarray(_unit(hash_keys(stream, *keys)))


def normal(stream: int, *keys: KeyLike) -> np.ndarray:
    """Standard normal by inversion of a keyed uniform (never infinite)."""
    u = uniform(stream, *keys)
    return np.asarray(special.ndtri(np.clip(u, _UNIT, 1.0 - _UNIT)))


def exponential(stream: int, *keys: KeyLike) -> np.ndarray:
    """Standard exponential by inversion of a keyed uniform."""
    return -np.log1p(-uniform(stream, *keys))


MASK = 0xFFFFFFFFFFFFFFFF
_G, _P1, _P2 = int(_GOLDEN), int(_M1), int(_M2)


def uniform_one(stream: int, *keys: int) -> float:
    """`uniform` for one tuple of Python ints, in Python's own integers (the same bits,
    without an array's overhead: the engine draws most scalars one event at a time)."""
    h = stream & MASK
    for key in keys:
        z = (h + _G + key * _G) & MASK
        z = ((z ^ (z >> 30)) * _P1) & MASK
        z = ((z ^ (z >> 27)) * _P2) & MASK
        h = z ^ (z >> 31)
    return (h >> 11) * _UNIT


def exponential_one(stream: int, *keys: int) -> float:
    """`exponential` for one tuple of Python ints."""
    return -math.log1p(-uniform_one(stream, *keys))
