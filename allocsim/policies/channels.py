"""Channels: how responders to one advert are ordered.

Both channels are one compiled ranking, `rank`: priority class first (lower ranks
first), then the longest meettijd in the offer model (`by_meettijd`), then the lot.
`lots` holds one uniform number per responder, keyed by the advert and the household:
the lottery's draw, and the offer model's tie-break. `rank_offer_model` and
`rank_lottery` name the two uses.
"""

from __future__ import annotations

import numba
import numpy as np


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
