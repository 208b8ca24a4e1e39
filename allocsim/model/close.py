"""A batch of adverts closes, as one compiled pass: ranking, invitations, acceptance.

Every responder's draws and values are taken at once (they are keyed, so drawing them
here or advert by advert gives the same numbers) and its reservation value as it
stands on the day the batch closes. Then, advert by advert in publication order:
responders an earlier advert of the batch housed drop out, the rules may pass some
over (`Admission`: the free allocation room, 4.10, and a neighbourhood's cap on urgent
lettings, 4.2-4.3), the channel ranks the rest (`policies/channels.rank`), candidates
are invited in rank order until one comes and accepts (`behaviour.invite_ranked`),
and the advert enters the households' memory (`behaviour.Memory.record`).

The pass decides; the engine writes what follows from a letting (records, the chain
move, the new tenancy) for each accepted advert in the same order. `close_batch` gives
exactly what the numpy steps it replaced gave (the golden digests).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numba
import numpy as np

from allocsim import keyed
from allocsim.domain import DAYS_PER_YEAR
from allocsim.model.labels import LabelRules, in_label_group
from allocsim.model.responses import Behaviour, Households, reservation_of
from allocsim.policies import behaviour
from allocsim.policies.eligibility import LimitTerms, above_limit_one


class Batch(NamedTuple):
    """Adverts published together and closed together. Responders of advert j are
    `responders[start[j]:start[j + 1]]`."""

    home: np.ndarray  # int64
    village: np.ndarray  # int64
    tenancy: np.ndarray  # int64: the home's tenancy when the batch closes
    key: np.ndarray  # uint64: home, tenancy, attempt
    channel: np.ndarray  # int64
    cell: np.ndarray  # int64: behaviour.cell_of
    label_terms: np.ndarray  # bool (rules, adverts), as responses.Adverts
    start: np.ndarray  # int64, adverts + 1
    responders: np.ndarray  # int64


class Admission(NamedTuple):
    """What the rules' admission depends on, for the year the batch closes in: each
    advert's municipality and neighbourhood, and running counts the batch's lettings
    update (copies: the engine's ledgers count the lettings it then makes)."""

    muni: np.ndarray  # int64 per advert
    above_room: np.ndarray  # bool per advert: above the income limit only within the room
    above_cap: float  # the room: this share of a municipality's lettings in a year
    muni_lettings: np.ndarray  # int64 per municipality
    muni_above: np.ndarray  # of which above the income limit
    hood: np.ndarray  # int64 per advert
    urgent_cap: np.ndarray  # float per advert: the neighbourhood's cap (NaN: none)
    hood_lettings: np.ndarray  # int64 per neighbourhood
    hood_urgent: np.ndarray


class Streams(NamedTuple):
    """Keyed stream seeds of the draws made when a batch closes."""

    taste: np.uint64
    viewing: np.uint64
    reach: np.uint64
    lot: np.uint64


class Closed(NamedTuple):
    """Per advert: responders still waiting and admitted, of them in the top class,
    candidates invited, whether it was let, its winner and the winner's meettijd; and
    the offers (one row per invitation, advert by advert)."""

    n_responses: np.ndarray
    n_priority: np.ndarray
    n_invited: np.ndarray
    let: np.ndarray
    winner: np.ndarray
    winner_meettijd: np.ndarray
    offer_advert: np.ndarray
    offer_seeker: np.ndarray
    offer_priority: np.ndarray
    offer_meettijd: np.ndarray
    offer_outcome: np.ndarray


@numba.njit(cache=True, inline="always")
def _normal(h: np.uint64) -> float:  # pragma: no cover - compiled
    """keyed.normal from a finished hash."""
    unit = keyed._UNIT
    u = min(max(np.float64(h >> keyed._S11) * unit, unit), 1.0 - unit)
    return behaviour._ndtri(u)


@numba.njit(cache=True, inline="always")
def _hash(stream: np.uint64, k1: np.uint64, k2: np.uint64) -> np.uint64:  # pragma: no cover
    h = keyed.mix(stream + keyed._GOLDEN + k1 * keyed._GOLDEN)
    return keyed.mix(h + keyed._GOLDEN + k2 * keyed._GOLDEN)


@numba.njit(cache=True)
def _share_allows(used: int, total: int, cap_share: float) -> bool:  # pragma: no cover
    """policies/ledger.share_allows."""
    return used + 1 <= math.floor(cap_share * (total + 1) + 1e-9)


@numba.njit(cache=True)
def close_batch(
    now: float,
    hh: Households,
    batch: Batch,
    adm: Admission,
    lim: LimitTerms,
    rules: LabelRules,
    beh: Behaviour,
    streams: Streams,
    p_unreachable: float,
    no_show_margin: float,
    offer: int,
    won: np.ndarray,
    n_resp: np.ndarray,
    n_class0: np.ndarray,
    n_class01: np.ndarray,
    win_class: np.ndarray,
    win_meettijd: np.ndarray,
    win_n: np.ndarray,
    win_next: np.ndarray,
    candidates: np.ndarray,
    alpha: float,
    n_cells: int,
    waiting_state: int,
    housed_state: int,
) -> Closed:  # pragma: no cover - compiled
    """Close every advert of `batch` in turn (see the module). A winner's state becomes
    `housed_state` at once, so a later advert of the batch passes it over."""
    n_adv = batch.home.size
    m = batch.responders.size
    # What ranking needs, for every responder: class, meettijd and lot. What an
    # invitation needs (value, reservation, reachability, the viewing) is computed for
    # the candidates invited only: a few per advert.
    lots = np.empty(m)
    prio = np.empty(m, np.int8)
    meettijd = np.empty(m)
    for j in range(n_adv):
        akey = batch.key[j]
        for p in range(batch.start[j], batch.start[j + 1]):
            s = batch.responders[p]
            meettijd[p] = now - hh.meettijd_start[s]
            lots[p] = np.float64(_hash(streams.lot, akey, hh.key[s]) >> keyed._S11) * keyed._UNIT
            age = (now - hh.birth_day[s]) / DAYS_PER_YEAR
            size, income = hh.household_size[s], hh.income[s]
            label = in_label_group(batch.label_terms, j, hh.kind[s], age, size, income, lim, rules)
            prio[p] = 0 if label else (1 if hh.priority[s] == 0 else 2)
    out_n = np.zeros(n_adv, np.int64)
    out_prio = np.zeros(n_adv, np.int64)
    out_k = np.zeros(n_adv, np.int64)
    out_let = np.zeros(n_adv, np.bool_)
    out_winner = np.full(n_adv, -1, np.int64)
    out_meettijd = np.zeros(n_adv)
    offer_advert = np.empty(m, np.int64)
    offer_seeker = np.empty(m, np.int64)
    offer_priority = np.empty(m, np.int8)
    offer_meettijd = np.empty(m)
    offer_outcome = np.empty(m, np.int8)
    n_offers = 0
    muni_lettings = adm.muni_lettings.copy()
    muni_above = adm.muni_above.copy()
    hood_lettings = adm.hood_lettings.copy()
    hood_urgent = adm.hood_urgent.copy()
    for j in range(n_adv):
        mu = adm.muni[j]
        hood = adm.hood[j]
        # Above the income limit only while the year's room lasts (policies/free_room.py).
        above_barred = adm.above_room[j] and not _share_allows(
            muni_above[mu], muni_lettings[mu], adm.above_cap
        )
        # A neighbourhood's cap on urgent lettings (4.2, 4.3): when it binds, urgent pass.
        cap = adm.urgent_cap[j]
        urgent_barred = not np.isnan(cap) and not _share_allows(
            hood_urgent[hood], hood_lettings[hood], cap
        )
        part = np.empty(batch.start[j + 1] - batch.start[j], np.int64)
        k = 0
        for p in range(batch.start[j], batch.start[j + 1]):
            s = batch.responders[p]
            if hh.state[s] != waiting_state:
                continue  # housed by an earlier advert
            if above_barred and above_limit_one(hh.household_size[s], hh.income[s], lim):
                continue
            if urgent_barred and hh.priority[s] == 0:
                continue
            part[k] = p
            k += 1
        part = part[:k]
        # Invited in rank order (`policies/channels.rank`, taken from a heap: only the
        # first few are needed) until one comes and accepts (`behaviour.invite_ranked`).
        by_meettijd = batch.channel[j] == offer
        heap = np.arange(k)
        for root in range(k // 2 - 1, -1, -1):
            _sift(heap, root, k, part, prio, meettijd, lots, by_meettijd)
        size = k
        invited = 0
        accepted = False
        last = -1
        while size > 0:
            p = part[heap[0]]
            size -= 1
            heap[0] = heap[size]
            _sift(heap, 0, size, part, prio, meettijd, lots, by_meettijd)
            s = batch.responders[p]
            shows, accepts = _answer(
                now, hh, s, batch, j, beh, streams, won, p_unreachable, no_show_margin, meettijd[p]
            )
            outcome = (
                behaviour._NO_SHOW
                if not shows
                else (behaviour._ACCEPTED if accepts else behaviour._REFUSED)
            )
            offer_advert[n_offers] = j
            offer_seeker[n_offers] = s
            offer_priority[n_offers] = prio[p]
            offer_meettijd[n_offers] = meettijd[p]
            offer_outcome[n_offers] = outcome
            n_offers += 1
            invited += 1
            if outcome == behaviour._ACCEPTED:
                accepted = True
                last = p
                break
        classes = prio[part]
        n0 = 0
        for c in classes:
            n0 += c == 0
        out_n[j] = k
        out_prio[j] = n0
        out_k[j] = invited
        out_let[j] = accepted
        winner_class = -1
        winner_meettijd = 0.0
        if accepted:
            p = last
            s = batch.responders[p]
            out_winner[j] = s
            out_meettijd[j] = meettijd[p]
            winner_class = prio[p]
            winner_meettijd = meettijd[p]
            hh.state[s] = housed_state
            muni_lettings[mu] += 1
            muni_above[mu] += above_limit_one(hh.household_size[s], hh.income[s], lim)
            hood_lettings[hood] += 1
            hood_urgent[hood] += hh.priority[s] == 0
        behaviour._record(
            n_resp,
            n_class0,
            n_class01,
            win_class,
            win_meettijd,
            win_n,
            win_next,
            candidates,
            alpha,
            batch.cell[j],
            n_cells + batch.channel[j],
            batch.channel[j],
            classes,
            winner_class,
            winner_meettijd,
            invited,
        )
    return Closed(
        out_n,
        out_prio,
        out_k,
        out_let,
        out_winner,
        out_meettijd,
        offer_advert[:n_offers],
        offer_seeker[:n_offers],
        offer_priority[:n_offers],
        offer_meettijd[:n_offers],
        offer_outcome[:n_offers],
    )


@numba.njit(cache=True)
def _answer(
    now: float,
    hh: Households,
    s: int,
    batch: Batch,
    j: int,
    beh: Behaviour,
    streams: Streams,
    won: np.ndarray,
    p_unreachable: float,
    no_show_margin: float,
    meettijd: float,
) -> tuple[bool, bool]:  # pragma: no cover - compiled
    """Whether invited household `s` comes to view advert j's home (it can be reached and
    the home is still worth a viewing) and accepts what the viewing shows (the home
    beats holding out): the reservation value as it stands on the closing day."""
    home = np.uint64(batch.home[j])
    hkey = hh.key[s]
    own = 1.0 if batch.village[j] == hh.origin_village[s] else 0.0
    value = beh.own_village_bonus * own + _normal(_hash(streams.taste, hkey, home))
    hold = reservation_of(
        now,
        meettijd,
        hh.priority[s] == 0,
        hh.search_start_day[s],
        hh.last_response_day[s],
        won,
        won.size,
        beh,
    )
    akey = batch.key[j]
    u_reach = np.float64(_hash(streams.reach, hkey, akey) >> keyed._S11) * keyed._UNIT
    tenancy = np.uint64(batch.tenancy[j])
    h3 = keyed.mix(_hash(streams.viewing, hkey, home) + keyed._GOLDEN + tenancy * keyed._GOLDEN)
    viewed = value + beh.viewing_sd * _normal(h3)
    shows = bool(u_reach >= p_unreachable and value >= hold - no_show_margin)
    return shows, bool(viewed >= hold)


@numba.njit(cache=True)
def _sift(
    heap: np.ndarray,
    root: int,
    size: int,
    part: np.ndarray,
    prio: np.ndarray,
    meettijd: np.ndarray,
    lots: np.ndarray,
    by_meettijd: bool,
) -> None:  # pragma: no cover - compiled
    """Restore the heap below `root`: `heap` holds positions into `part`, first the one
    `rank` puts first (class, then the longest meettijd if `by_meettijd`, then the lot,
    then the position)."""
    while True:
        child = 2 * root + 1
        if child >= size:
            return
        if child + 1 < size and _before(
            heap[child + 1], heap[child], part, prio, meettijd, lots, by_meettijd
        ):
            child += 1
        if not _before(heap[child], heap[root], part, prio, meettijd, lots, by_meettijd):
            return
        heap[root], heap[child] = heap[child], heap[root]
        root = child


@numba.njit(cache=True, inline="always")
def _before(
    x: int,
    y: int,
    part: np.ndarray,
    prio: np.ndarray,
    meettijd: np.ndarray,
    lots: np.ndarray,
    by_meettijd: bool,
) -> bool:  # pragma: no cover - compiled
    """Whether candidate x ranks before y (positions into `part`)."""
    p, q = part[x], part[y]
    if prio[p] != prio[q]:
        return prio[p] < prio[q]
    if by_meettijd and meettijd[p] != meettijd[q]:
        return meettijd[p] > meettijd[q]
    if lots[p] != lots[q]:
        return lots[p] < lots[q]
    return x < y
