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
    tie = rng.random(priority.size)
    return np.lexsort((tie, -meettijd_days, priority))


def rank_lottery(
    priority: np.ndarray, meettijd_days: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Order of responders: priority class, then by lot; meettijd does not count."""
    lot = rng.random(priority.size)
    return np.lexsort((lot, priority))


RANKERS: dict[Channel, Ranker] = {Channel.OFFER: rank_offer_model, Channel.LOTTERY: rank_lottery}


def invite(
    n_candidates: int, p_no_show: float, p_refuse: float, rng: np.random.Generator
) -> np.ndarray:
    """Outcomes of candidates invited in rank order, up to and including the first accept.

    Returns an array of `Outcome` codes; its last entry is ACCEPTED unless every
    candidate failed to show up or refused.
    """
    if n_candidates == 0:
        return np.zeros(0, dtype=np.int8)
    u = rng.random((n_candidates, 2))
    out = np.where(
        u[:, 0] < p_no_show,
        Outcome.NO_SHOW,
        np.where(u[:, 1] < p_refuse, Outcome.REFUSED, Outcome.ACCEPTED),
    ).astype(np.int8)
    hits = np.flatnonzero(out == Outcome.ACCEPTED)
    return out if hits.size == 0 else out[: hits[0] + 1]


def choose_responses(
    wanted: np.ndarray, weight: np.ndarray, n_wanted: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Which adverts each seeker responds to.

    `wanted` (seekers x adverts) marks adverts a seeker is eligible for and wants;
    each seeker picks up to `n_wanted` of them without replacement, with probability
    proportional to `weight` (Gumbel top-k). Returns (seeker rows, advert columns).
    """
    n_s, n_a = wanted.shape
    k_max = int(n_wanted.max(initial=0))
    if n_a == 0 or n_s == 0 or k_max == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    with np.errstate(divide="ignore"):
        keys = np.where(wanted, np.log(weight) + rng.gumbel(size=(n_s, n_a)), -np.inf)
    k = min(k_max, n_a)
    top = np.argsort(-keys, axis=1)[:, :k]
    top_keys = np.take_along_axis(keys, top, axis=1)
    take = np.isfinite(top_keys) & (np.arange(k)[None, :] < n_wanted[:, None])
    rows, cols = np.nonzero(take)
    return rows, top[rows, cols]
