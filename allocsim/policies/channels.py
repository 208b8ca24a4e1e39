"""Channels: how responders to one advert are ordered, and how invitations end.

`rank_offer_model` and `rank_lottery` share one signature so the engine looks a
channel up in `RANKERS` instead of branching on it. Lower `priority` ranks first.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from allocsim.domain import Channel, Outcome

Ranker = Callable[[np.ndarray, np.ndarray, np.random.Generator], np.ndarray]


def rank_offer_model(
    priority: np.ndarray, meettijd_days: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Order of responders: priority class, then longest meettijd; ties by lot."""
    perm = rng.permutation(priority.size)  # a stable sort of a shuffle breaks ties by lot
    key = priority[perm] * 1e7 - meettijd_days[perm]  # meettijd < 1e7 days
    return perm[np.argsort(key, kind="stable")]


def rank_lottery(
    priority: np.ndarray, meettijd_days: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Order of responders: priority class, then by lot; meettijd does not count."""
    return np.argsort(priority + rng.random(priority.size))


RANKERS: dict[int, Ranker] = {Channel.OFFER: rank_offer_model, Channel.LOTTERY: rank_lottery}


INVITE_CHUNK = 16


def invite(
    n_candidates: int, p_no_show: float, p_refuse: float, rng: np.random.Generator
) -> np.ndarray:
    """Outcomes of candidates invited in rank order, up to and including the first accept.

    Returns an array of `Outcome` codes; its last entry is ACCEPTED unless every
    candidate failed to show up or refused. Candidates are drawn in chunks, so a
    long list of responders costs no more than the few who are reached.
    """
    parts = []
    done = 0
    while done < n_candidates:
        m = min(INVITE_CHUNK, n_candidates - done)
        u = rng.random((m, 2))
        out = np.where(
            u[:, 0] < p_no_show,
            _NO_SHOW,
            np.where(u[:, 1] < p_refuse, _REFUSED, _ACCEPTED),
        ).astype(np.int8)
        hits = np.flatnonzero(out == _ACCEPTED)
        if hits.size:
            parts.append(out[: hits[0] + 1])
            break
        parts.append(out)
        done += m
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int8)


_NO_SHOW, _REFUSED, _ACCEPTED = int(Outcome.NO_SHOW), int(Outcome.REFUSED), int(Outcome.ACCEPTED)


def capped_poisson(lam: np.ndarray, cap: int, rng: np.random.Generator) -> np.ndarray:
    """min(Poisson(lam), cap) by inverting the CDF: one uniform per seeker."""
    u = rng.random(lam.size)
    term = np.exp(-lam)
    cdf = term.copy()
    out = np.zeros(lam.size, dtype=np.int64)
    for k in range(1, cap + 1):
        out += u > cdf
        term = term * lam / k
        cdf = cdf + term
    return out


def choose_responses(
    wanted: np.ndarray, weight: np.ndarray, n_wanted: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Which adverts each seeker responds to.

    `wanted` (seekers x adverts) marks adverts a seeker is eligible for and wants;
    each seeker picks up to `n_wanted` of them without replacement, with probability
    proportional to `weight`, by an exponential race (weight / Exp(1), the same law as
    Gumbel top-k without the logarithms). Returns (seeker rows, advert columns).
    """
    n_s, n_a = wanted.shape
    k_max = int(n_wanted.max(initial=0))
    if n_a == 0 or n_s == 0 or k_max == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    keys = np.where(wanted, weight / rng.standard_exponential(size=(n_s, n_a)), -np.inf)
    k = min(k_max, n_a)
    # Top-k by repeated argmax: k is a handful, far cheaper than sorting every row.
    top = np.empty((n_s, k), dtype=np.int64)
    top_keys = np.empty((n_s, k))
    rows_all = np.arange(n_s)
    for j in range(k):
        best = np.argmax(keys, axis=1)
        top[:, j] = best
        top_keys[:, j] = keys[rows_all, best]
        keys[rows_all, best] = -np.inf
    take = np.isfinite(top_keys) & (np.arange(k)[None, :] < n_wanted[:, None])
    rows, cols = np.nonzero(take)
    return rows, top[rows, cols]
