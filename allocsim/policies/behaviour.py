"""How households respond to adverts and answer invitations: choice, not fixed rates.

Each week a household that looks at the adverts weighs every home it is eligible for
and wants: the home's value to it (a taste of its own for the home, plus a bonus
for its own village) against its reservation value (what its prospects elsewhere
let it hold out for, lowered by the time it has searched), times its chance of
getting the home, estimated from what it can see of recent similar adverts
(`Memory`: their responses, and the class and meettijd of their winners). It
responds where that expected gain beats the cost of a response, best first, at
most a few a week. Invited, it views the home (a second taste, revealed at the
viewing) and accepts if the home is worth more to it than holding out. Nothing is
set per channel: a lottery draws many responses because short meettijd has a
chance there, and its winners refuse less because their prospects elsewhere are
poor. Pure functions of arrays; the engine keeps `Memory` and the draws.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import llvmlite.binding as llvm
import numba
import numpy as np
from numba import types
from numba.extending import get_cython_function_address
from scipy import special

from allocsim import keyed
from allocsim.domain import Channel, Outcome
from allocsim.policies.eligibility import Limits

# scipy's own ndtr and ndtri (the functions behind scipy.special's ufuncs), callable from
# compiled code by name, so the compiled round gives the numbers the numpy one gives and
# its kernel can be cached.
llvm.add_symbol(
    "allocsim_ndtr",
    get_cython_function_address("scipy.special.cython_special", "__pyx_fuse_1ndtr"),
)
llvm.add_symbol(
    "allocsim_ndtri", get_cython_function_address("scipy.special.cython_special", "ndtri")
)
_ndtr: Any = types.ExternalFunction("allocsim_ndtr", types.float64(types.float64))
_ndtri: Any = types.ExternalFunction("allocsim_ndtri", types.float64(types.float64))
_LOTTERY = int(Channel.LOTTERY)
_SQRT_2PI = math.sqrt(2 * math.pi)
N_LABELS = 3  # the advert's label: none, starter pilot, senior priority
N_CHANNELS = 2  # offer model, lottery (direct allocation has no adverts)
PRIOR_RESPONSES = 10.0  # responses per advert before any advert closed (the pilot forgets it)
PRIOR_CANDIDATES = 2.0  # candidates invited per letting, likewise


def cell_of(village: np.ndarray, channel: np.ndarray, label: np.ndarray) -> np.ndarray:
    """The 'similar adverts' a household compares with: village x channel x label."""
    return (village.astype(np.int64) * N_CHANNELS + channel) * N_LABELS + label


@dataclass
class Memory:
    """What households can see of recently closed adverts, per cell, plus one pooled row
    per channel (rows n_cells + channel) used where a cell has no history yet.

    `n_resp`, `n_class0`, `n_class01`: moving averages of responders per advert, all and
    in the top priority classes (class 0: the advert's label group; 1: urgent). Each
    row's last `winners.shape[1]` winners' class and meettijd; `candidates`: per
    channel, moving average of candidates invited per letting."""

    n_resp: np.ndarray
    n_class0: np.ndarray
    n_class01: np.ndarray
    win_class: np.ndarray
    win_meettijd: np.ndarray
    win_n: np.ndarray
    win_next: np.ndarray
    candidates: np.ndarray
    alpha: float

    @classmethod
    def empty(cls, n_villages: int, n_winners: int) -> Memory:
        rows = n_villages * N_CHANNELS * N_LABELS + N_CHANNELS
        return cls(
            n_resp=np.full(rows, PRIOR_RESPONSES),
            n_class0=np.zeros(rows),
            n_class01=np.zeros(rows),
            win_class=np.zeros((rows, n_winners), dtype=np.int8),
            win_meettijd=np.zeros((rows, n_winners)),
            win_n=np.zeros(rows, dtype=np.int64),
            win_next=np.zeros(rows, dtype=np.int64),
            candidates=np.full(N_CHANNELS, PRIOR_CANDIDATES),
            alpha=1.0 / n_winners,
        )

    @property
    def n_cells(self) -> int:
        return self.n_resp.size - N_CHANNELS

    def pooled(self, channel: int) -> int:
        return self.n_cells + channel

    def record(
        self,
        cell: int,
        channel: int,
        classes: np.ndarray,
        winner: int,
        winner_meettijd: float,
        n_invited: int,
    ) -> None:
        """One closed advert: its responders' priority classes and, if let, its winner's
        class and meettijd and the candidates it took (`winner` -1: not let)."""
        _record(
            self.n_resp,
            self.n_class0,
            self.n_class01,
            self.win_class,
            self.win_meettijd,
            self.win_n,
            self.win_next,
            self.candidates,
            self.alpha,
            cell,
            self.pooled(channel),
            channel,
            classes,
            winner,
            winner_meettijd,
            n_invited,
        )

    def offer_winners(self) -> np.ndarray:
        """Recent offer-model winners' meettijd (all cells), sorted (see `prospect`)."""
        row = self.pooled(0)
        return np.sort(self.win_meettijd[row, : int(self.win_n[row])])

    def rows_with_winners(self, cells: np.ndarray, channel: np.ndarray) -> np.ndarray:
        """Each cell, or its channel's pooled row where the cell has no winner yet."""
        return np.where(self.win_n[cells] > 0, cells, self.n_cells + channel)


@numba.njit(cache=True)
def _record(
    n_resp: np.ndarray,
    n_class0: np.ndarray,
    n_class01: np.ndarray,
    win_class: np.ndarray,
    win_meettijd: np.ndarray,
    win_n: np.ndarray,
    win_next: np.ndarray,
    candidates: np.ndarray,
    a: float,
    cell: int,
    pooled: int,
    channel: int,
    classes: np.ndarray,
    winner: int,
    winner_meettijd: float,
    n_invited: int,
) -> None:  # pragma: no cover - compiled
    """`Memory.record` on the arrays: moving averages in the cell and the pooled row,
    the winner into each row's ring of recent winners."""
    n0 = 0.0
    n01 = 0.0
    for c in classes:
        n0 += c == 0
        n01 += c <= 1
    k = win_class.shape[1]
    for row in (cell, pooled):
        n_resp[row] += a * (classes.size - n_resp[row])
        n_class0[row] += a * (n0 - n_class0[row])
        n_class01[row] += a * (n01 - n_class01[row])
        if winner >= 0:
            slot = win_next[row]
            win_class[row, slot] = winner
            win_meettijd[row, slot] = winner_meettijd
            win_next[row] = (slot + 1) % k
            win_n[row] = min(win_n[row] + 1, k)
    if winner >= 0:
        candidates[channel] += a * (n_invited - candidates[channel])


def candidate_pairs(
    village_mask: np.ndarray,
    household: np.ndarray,
    advert_village: np.ndarray,
    advert_bedrooms: np.ndarray,
    lim: Limits,
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (household i, advert a) where the household wants the advert's village and
    its size fits the bedrooms, ordered by household then advert. Compiled: one pass
    over the households, testing each segment (village x bedrooms) of this week's
    adverts once per household; memory grows with the pairs, never households x adverts."""
    segment = advert_village.astype(np.int64) * 16 + advert_bedrooms
    segs, seg_of = np.unique(segment, return_inverse=True)
    return _candidate_pairs(
        village_mask.astype(np.uint32),
        household.astype(np.int64),
        (segs // 16).astype(np.int64),
        lim.min_household[segs % 16].astype(np.int64),
        lim.max_household[segs % 16].astype(np.int64),
        seg_of.astype(np.int64).ravel(),
    )


@numba.njit(cache=True)
def _candidate_pairs(
    mask: np.ndarray,
    household: np.ndarray,
    seg_village: np.ndarray,
    seg_min: np.ndarray,
    seg_max: np.ndarray,
    seg_of: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    n_seg, n_adv = seg_village.size, seg_of.size
    per_seg = np.zeros(n_seg, np.int64)
    for a in range(n_adv):
        per_seg[seg_of[a]] += 1
    fits = np.zeros((household.size, n_seg), np.bool_)
    total = 0
    for i in range(household.size):
        for g in range(n_seg):
            ok = (mask[i] >> np.uint32(seg_village[g])) & np.uint32(1)
            if ok and seg_min[g] <= household[i] <= seg_max[g]:
                fits[i, g] = True
                total += per_seg[g]
    out_i = np.empty(total, np.int64)
    out_a = np.empty(total, np.int64)
    k = 0
    for i in range(household.size):
        for a in range(n_adv):
            if fits[i, seg_of[a]]:
                out_i[k] = i
                out_a[k] = a
                k += 1
    return out_i, out_a


def saved_search(looker: np.ndarray, position: np.ndarray, bound: int) -> np.ndarray:
    """Which pairs (looker, advert) a household reads: per looker at most `bound`, those
    first in its own listing order (`position`, smallest first). Pure; the pairs may come
    in any order."""
    keep = np.zeros(looker.size, dtype=bool)
    if looker.size == 0:
        return keep
    order = np.lexsort((position, looker))
    sorted_looker = looker[order]
    starts = np.r_[0, np.flatnonzero(sorted_looker[1:] != sorted_looker[:-1]) + 1]
    rank = np.arange(looker.size) - np.repeat(starts, np.diff(np.r_[starts, looker.size]))
    keep[order[rank < bound]] = True
    return keep


def offer_chance(
    memory: Memory,
    cells: np.ndarray,
    cls: np.ndarray,
    meettijd: np.ndarray,
    prior: float,
) -> np.ndarray:
    """Chance of an offer-model home: the share of the cell's recent winners the household
    would have ranked before (a better class, or the same class and longer meettijd),
    with `prior` pseudo-observations at one half (no household is sure it cannot win);
    at least the chance that every usual responder ranks before it and all of them
    decline (few responders: anyone may get the home)."""
    rows = memory.rows_with_winners(cells, np.zeros_like(cells))
    decline = 1.0 - 1.0 / max(memory.candidates[0], 1.0)
    return _offer_chance(
        rows.astype(np.int64),
        memory.n_resp[cells],
        cls.astype(np.int64),
        meettijd.astype(np.float64),
        memory.win_class,
        memory.win_meettijd,
        memory.win_n,
        float(prior),
        decline,
    )


@numba.njit(cache=True)
def _offer_chance(
    rows: np.ndarray,
    n_resp: np.ndarray,
    cls: np.ndarray,
    meettijd: np.ndarray,
    win_class: np.ndarray,
    win_meettijd: np.ndarray,
    win_n: np.ndarray,
    prior: float,
    decline: float,
) -> np.ndarray:  # pragma: no cover - compiled
    out = np.empty(rows.size)
    for p in range(rows.size):
        r = rows[p]
        beaten = 0
        for j in range(win_n[r]):  # the ring's filled slots are its first win_n
            w = win_class[r, j]
            if cls[p] < w or (cls[p] == w and meettijd[p] >= win_meettijd[r, j]):
                beaten += 1
        n = win_n[r] + prior
        share = (beaten + 0.5 * prior) / max(n, 1e-12) if n > 0 else 0.5
        out[p] = max(share, decline ** n_resp[p])
    return out


def lottery_chance(memory: Memory, rows: np.ndarray, cls: np.ndarray) -> np.ndarray:
    """Chance of a lottery home: candidates reached per letting over the responders the
    household competes with (those in its priority class or above), itself included."""
    ahead = np.where(
        cls == 0,
        memory.n_class0[rows],
        np.where(cls == 1, memory.n_class01[rows], memory.n_resp[rows]),
    )
    lottery = memory.candidates[1]
    return np.minimum(1.0, lottery / (ahead + 1.0))


def prospect(memory: Memory, meettijd: np.ndarray) -> np.ndarray:
    """What a household's meettijd lets it expect in the offer model: the share of recent
    offer-model winners (all cells) whose meettijd it would have beaten."""
    won = memory.offer_winners()
    if won.size == 0:
        return np.full(meettijd.size, 0.5)
    return np.searchsorted(won, meettijd, side="right") / won.size


def reservation(
    prospect: np.ndarray,
    search_years: np.ndarray,
    base: float,
    per_prospect: float,
    impatience_per_year: float,
    impatience_years: float,
) -> np.ndarray:
    """The value a household holds out for: higher the better its prospects, lower the
    longer it has searched (up to `impatience_years`)."""
    return (
        base
        + per_prospect * prospect
        - impatience_per_year * np.minimum(search_years, impatience_years)
    )


def expected_gain(margin: np.ndarray, viewing_sd: float) -> np.ndarray:
    """E[max(margin + eta, 0)], eta ~ N(0, viewing_sd): what being offered the home is
    worth before the viewing, the household being free to refuse."""
    if viewing_sd <= 0:
        return np.maximum(margin, 0.0)
    z = margin / viewing_sd
    return margin * special.ndtr(z) + viewing_sd * np.exp(-0.5 * z * z) / np.sqrt(2 * np.pi)


def pick_best(
    owner: np.ndarray, value: np.ndarray, limit: np.ndarray, threshold: float
) -> np.ndarray:
    """Indices of the chosen (owner, advert) pairs: each owner's best pairs by `value`,
    those above `threshold` only, at most `limit[i]` for pair i's owner. Ties go to the
    lower pair index. Compiled; pairs of one owner need not be adjacent."""
    order = np.argsort(owner, kind="stable")
    chosen = _pick_best(owner[order], value[order], limit[order], float(threshold))
    return np.sort(order[chosen])


@numba.njit(cache=True)
def _pick_best(
    owner: np.ndarray, value: np.ndarray, limit: np.ndarray, threshold: float
) -> np.ndarray:  # pragma: no cover - compiled
    """As `pick_best`, pairs sorted by owner (stably): returns positions, ascending."""
    taken = np.zeros(owner.size, np.bool_)
    lo = 0
    while lo < owner.size:
        hi = lo
        while hi < owner.size and owner[hi] == owner[lo]:
            hi += 1
        for _ in range(limit[lo]):
            best = -1
            for p in range(lo, hi):  # ascending position = ascending index: ties to the lower
                if not taken[p] and value[p] > threshold and (best < 0 or value[p] > value[best]):
                    best = p
            if best < 0:
                break
            taken[best] = True
        lo = hi
    return np.flatnonzero(taken)


def respond(
    i: np.ndarray,
    a: np.ndarray,
    label: np.ndarray,
    looker: dict[str, np.ndarray],
    advert: dict[str, np.ndarray],
    memory: Memory,
    taste_stream: int,
    own_village_bonus: float,
    viewing_sd: float,
    response_cost: float,
    prior: float,
) -> np.ndarray:
    """The pairs chosen this round, in one compiled pass: for pair (looker i, advert a)
    its priority class, chance (`lottery_chance` or `offer_chance`), value (keyed taste
    plus the own-village bonus) against the looker's reservation, expected gain, and
    each looker's best pairs (`pick_best`). Gives exactly what those functions give in
    turn (tests/policies/test_behaviour.py); `i` must be sorted.

    `looker`: urgent, meettijd, hold (reservation), key, origin_village, limit (per
    looker); `advert`: home, village, channel, cell (per advert)."""
    return _respond(
        i,
        a,
        label,
        looker["urgent"],
        looker["meettijd"],
        looker["hold"],
        looker["key"],
        looker["origin_village"].astype(np.int64),
        looker["limit"].astype(np.int64),
        advert["home"].astype(np.int64),
        advert["village"].astype(np.int64),
        advert["channel"].astype(np.int64),
        advert["cell"].astype(np.int64),
        memory.n_resp,
        memory.n_class0,
        memory.n_class01,
        memory.win_class,
        memory.win_meettijd,
        memory.win_n,
        memory.candidates,
        memory.n_cells,
        float(prior),
        np.uint64(taste_stream),
        float(own_village_bonus),
        float(viewing_sd),
        float(response_cost),
    )


@numba.njit(cache=True)
def _respond(
    i: np.ndarray,
    a: np.ndarray,
    label: np.ndarray,
    urgent: np.ndarray,
    meettijd: np.ndarray,
    hold: np.ndarray,
    key: np.ndarray,
    origin: np.ndarray,
    limit: np.ndarray,
    home: np.ndarray,
    village: np.ndarray,
    channel: np.ndarray,
    cell: np.ndarray,
    n_resp: np.ndarray,
    n_class0: np.ndarray,
    n_class01: np.ndarray,
    win_class: np.ndarray,
    win_meettijd: np.ndarray,
    win_n: np.ndarray,
    candidates: np.ndarray,
    n_cells: int,
    prior: float,
    taste_stream: np.uint64,
    bonus: float,
    viewing_sd: float,
    cost: float,
) -> np.ndarray:  # pragma: no cover - compiled
    n = i.size
    decline = 1.0 - 1.0 / max(candidates[0], 1.0)
    unit = 2.0**-53
    # What depends on the advert (and the class) alone, once per advert: a lottery's
    # chance per class; an offer-model advert's floor (every usual responder declines)
    # and its memory row's winners per class, beaten outright (a worse class) or by
    # meettijd (the same class: the winners' meettijd, counted without branches per
    # pair). The counts are those of the loop over winners in `_offer_chance`, so are the
    # chances.
    n_adv = home.size
    k = win_class.shape[1]
    lottery_chance = np.empty((n_adv, 3))
    floor = np.empty(n_adv)
    worse = np.zeros((n_adv, 3), np.int64)
    same = np.empty((n_adv, 3, k))
    n_same = np.zeros((n_adv, 3), np.int64)
    row_n = np.empty(n_adv, np.int64)
    for ad in range(n_adv):
        c = cell[ad]
        if channel[ad] == _LOTTERY:
            lottery_chance[ad, 0] = min(1.0, candidates[1] / (n_class0[c] + 1.0))
            lottery_chance[ad, 1] = min(1.0, candidates[1] / (n_class01[c] + 1.0))
            lottery_chance[ad, 2] = min(1.0, candidates[1] / (n_resp[c] + 1.0))
            continue
        floor[ad] = decline ** n_resp[c]
        r = c if win_n[c] > 0 else n_cells  # the offer model's pooled row
        row_n[ad] = win_n[r]
        for j in range(win_n[r]):  # the ring's filled slots are its first win_n
            w = win_class[r, j]
            for cls in range(3):
                if cls < w:
                    worse[ad, cls] += 1
            if 0 <= w < 3:
                same[ad, w, n_same[ad, w]] = win_meettijd[r, j]
                n_same[ad, w] += 1
    # Each looker's pairs are adjacent (`i` sorted): its best gains so far (at most its
    # limit, all above the cost) are its picks when its last pair is weighed, exactly
    # those `_pick_best` picks from every gain. A pair whose gain cannot beat them is
    # never picked, so its normal tail (ndtr) is skipped: the bound chance x (max(margin,
    # 0) + the density term) is at least the gain in floating point too (margin x ndtr <=
    # max(margin, 0); the rest is the same operations).
    size = max(1, limit.max() if limit.size else 1)
    top = np.empty(size)  # the looker's best gains so far, and their pairs
    top_p = np.empty(size, np.int64)
    chosen = np.empty(n, np.int64)
    n_chosen = 0
    n_top, top_min, owner, room = 0, 0.0, -1, 0
    taste_key = np.uint64(0)
    for p in range(n + 1):
        li = i[p] if p < n else -2  # past the last pair: its looker's picks are flushed
        if li != owner:
            # The last looker's picks: its best gains above the cost, ties to the
            # earlier pair (as _pick_best), in pair order.
            for k in range(n_top):  # insertion into pair order (a few at most)
                q = top_p[k]
                y = n_chosen + k
                while y > n_chosen and chosen[y - 1] > q:
                    chosen[y] = chosen[y - 1]
                    y -= 1
                chosen[y] = q
            n_chosen += n_top
            if p == n:
                break
            owner, n_top, room = li, 0, limit[li]
            # The keyed taste's first step depends on the looker alone.
            taste_key = keyed.mix(taste_stream + keyed._GOLDEN + key[li] * keyed._GOLDEN)
            if room > top.size:
                top = np.empty(room)
                top_p = np.empty(room, np.int64)
        ad = a[p]
        cls = 0 if label[p] else (1 if urgent[li] else 2)
        if channel[ad] == _LOTTERY:  # lottery_chance
            chance = lottery_chance[ad, cls]
        else:  # offer_chance
            beaten = worse[ad, cls]
            x = meettijd[li]
            for j in range(n_same[ad, cls]):  # a dozen winners at most: counted without branches
                beaten += same[ad, cls, j] <= x
            m = row_n[ad] + prior
            share = (beaten + 0.5 * prior) / max(m, 1e-12) if m > 0 else 0.5
            chance = max(share, floor[ad])
        # The keyed taste: keyed.normal(taste_stream, household key, home).
        h = keyed.mix(taste_key + keyed._GOLDEN + np.uint64(home[ad]) * keyed._GOLDEN)
        u = min(max(np.float64(h >> keyed._S11) * unit, unit), 1.0 - unit)
        own = 1.0 if village[ad] == origin[li] else 0.0
        margin = (bonus * own + _ndtri(u)) - hold[li]
        if viewing_sd <= 0:  # expected_gain
            expected = max(margin, 0.0)
        else:
            z = margin / viewing_sd
            density = viewing_sd * math.exp(-0.5 * z * z) / _SQRT_2PI
            bound = chance * (max(margin, 0.0) + density)
            if bound <= cost or room <= 0 or (n_top == room and bound < top_min):
                continue
            expected = margin * _ndtr(z) + density
        g = chance * expected
        if g > cost and room > 0:  # keep the looker's `room` best
            if n_top < room:
                top[n_top] = g
                top_p[n_top] = p
                n_top += 1
            elif g > top_min:
                # Out goes the worst: the smallest gain, of those the latest pair.
                worst = 0
                for k in range(1, n_top):
                    if top[k] < top[worst] or (top[k] == top[worst] and top_p[k] > top_p[worst]):
                        worst = k
                top[worst] = g
                top_p[worst] = p
            if n_top == room:
                top_min = top[0]
                for k in range(1, n_top):
                    top_min = min(top_min, top[k])
    return chosen[:n_chosen]


@numba.njit(cache=True, inline="always")
def count_at_most(values: np.ndarray, n: int, x: float) -> int:  # pragma: no cover
    """How many of the sorted `values[:n]` are at most `x` (searchsorted, side right)."""
    lo, hi = 0, n
    while lo < hi:
        mid = (lo + hi) // 2
        if values[mid] <= x:
            lo = mid + 1
        else:
            hi = mid
    return lo


_NO_SHOW, _REFUSED, _ACCEPTED = int(Outcome.NO_SHOW), int(Outcome.REFUSED), int(Outcome.ACCEPTED)


@numba.njit(cache=True)
def invite_ranked(order: np.ndarray, shows: np.ndarray, accepts: np.ndarray) -> np.ndarray:
    """`invite` of the candidates taken in `order` (positions into `shows`, `accepts`),
    compiled: outcomes up to and including the first who shows up and accepts."""
    out = np.empty(order.size, np.int8)
    for k, p in enumerate(order):
        if not shows[p]:
            out[k] = _NO_SHOW
        elif accepts[p]:
            out[k] = _ACCEPTED
            return out[: k + 1]
        else:
            out[k] = _REFUSED
    return out


def invite(shows: np.ndarray, accepts: np.ndarray) -> np.ndarray:
    """Outcomes of candidates invited in rank order, up to and including the first who
    shows up and accepts; all of them if none does."""
    out = np.where(~shows, _NO_SHOW, np.where(accepts, _ACCEPTED, _REFUSED)).astype(np.int8)
    hits = np.flatnonzero(out == _ACCEPTED)
    return out[: hits[0] + 1] if hits.size else out
