"""Channels: how responders to one advert are ordered.

`rank_offer_model` and `rank_lottery` share one signature so the engine looks a
channel up in `RANKERS` instead of branching on it. Lower `priority` ranks first.
`lots` holds one uniform number per responder, keyed by the advert and the
household: the lottery's draw, and the offer model's tie-break.
"""

from __future__ import annotations

from collections.abc import Callable

import numba
import numpy as np

from allocsim.domain import Channel

Ranker = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def rank_offer_model(
    priority: np.ndarray, meettijd_days: np.ndarray, lots: np.ndarray
) -> np.ndarray:
    """Order of responders: priority class, then longest meettijd; ties by lot."""
    return rank(priority, meettijd_days, lots, True)


def rank_lottery(priority: np.ndarray, meettijd_days: np.ndarray, lots: np.ndarray) -> np.ndarray:
    """Order of responders: priority class, then by lot; meettijd does not count."""
    return rank(priority, meettijd_days, lots, False)


@numba.njit(cache=True)
def rank(
    priority: np.ndarray, meettijd_days: np.ndarray, lots: np.ndarray, by_meettijd: bool
) -> np.ndarray:  # pragma: no cover - compiled
    """Compiled lexicographic order (priority, then -meettijd if `by_meettijd`, then lot;
    full ties by position): stable sorts from the last key to the first, which is what
    `np.lexsort((lots, -meettijd_days, priority))` computes."""
    order = np.argsort(lots, kind="mergesort")
    if by_meettijd:
        order = order[np.argsort(-meettijd_days[order], kind="mergesort")]
    return order[np.argsort(priority[order], kind="mergesort")]


RANKERS: dict[int, Ranker] = {Channel.OFFER: rank_offer_model, Channel.LOTTERY: rank_lottery}
