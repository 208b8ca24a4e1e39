"""Channels: how responders to one advert are ordered.

`rank_offer_model` and `rank_lottery` share one signature so the engine looks a
channel up in `RANKERS` instead of branching on it. Lower `priority` ranks first.
`lots` holds one uniform number per responder, keyed by the advert and the
household: the lottery's draw, and the offer model's tie-break.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from allocsim.domain import Channel

Ranker = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def rank_offer_model(
    priority: np.ndarray, meettijd_days: np.ndarray, lots: np.ndarray
) -> np.ndarray:
    """Order of responders: priority class, then longest meettijd; ties by lot."""
    return np.lexsort((lots, -meettijd_days, priority))


def rank_lottery(priority: np.ndarray, meettijd_days: np.ndarray, lots: np.ndarray) -> np.ndarray:
    """Order of responders: priority class, then by lot; meettijd does not count."""
    return np.lexsort((lots, priority))


RANKERS: dict[int, Ranker] = {Channel.OFFER: rank_offer_model, Channel.LOTTERY: rank_lottery}
