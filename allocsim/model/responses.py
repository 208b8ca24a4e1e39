"""The week's response round as one compiled pass.

Households that look this round (model/events.py: an event time per household) list the
adverts their saved search shows (villages they want, bedrooms their size fits,
the lotteries only when they are not searching), keep those they may rent (income
and rent rules, senior-suitable homes for households that need one), read at most
`bound` of them in their own order (a keyed draw per household and advert), and
respond where a home is worth it to them (`policies/behaviour.py`). Work grows with
the (household, advert) pairs listed, never with households x adverts of the
region; what depends on the household alone is computed once per looker.

`respond_round` gives exactly what the numpy steps it replaced gave, draw for draw
(the golden digests, `benchmarks/golden.py`).
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from allocsim import keyed
from allocsim.domain import DAYS_PER_YEAR
from allocsim.model import events
from allocsim.model.labels import LabelRules, advert_groups, household_groups
from allocsim.policies import behaviour
from allocsim.policies.eligibility import LimitTerms, above_limit_one, allowance_limit_one


class Households(NamedTuple):
    """The household columns a response round reads and writes (SeekerTable columns)."""

    state: np.ndarray
    kind: np.ndarray
    key: np.ndarray
    active: np.ndarray
    intensity: np.ndarray
    household_size: np.ndarray
    income: np.ndarray
    birth_day: np.ndarray
    village_mask: np.ndarray
    senior_only: np.ndarray
    priority: np.ndarray
    meettijd_start: np.ndarray
    search_start_day: np.ndarray
    last_response_day: np.ndarray
    first_response_day: np.ndarray
    n_responses: np.ndarray
    origin_village: np.ndarray
    look_day: np.ndarray  # the round of its next look (model/events.py)


class Adverts(NamedTuple):
    """This week's adverts: the home and what a household sees of it."""

    home: np.ndarray  # int64
    village: np.ndarray  # int64
    bedrooms: np.ndarray  # int64
    rent: np.ndarray  # this week's monthly rent
    allow_above: np.ndarray  # open to incomes above the DAEB limit (free room, 4.10)
    senior_suitable: np.ndarray
    key: np.ndarray  # uint64: home, tenancy, attempt
    channel: np.ndarray  # int64
    cell: np.ndarray  # int64: behaviour.cell_of
    label_terms: np.ndarray  # bool (rules, adverts): the advert's side of each label group


class Behaviour(NamedTuple):
    """What a looking household weighs (BehaviourConfig, AllocationConfig, Memory)."""

    passive_rate: float  # looks per week of a household that is not searching
    cycle_weeks: float
    bound: int  # adverts read per cycle
    limit_searching: int  # responses per cycle of a searching household
    urgent_prospect: float
    reservation_base: float
    reservation_prospect: float
    impatience_per_year: float
    impatience_years: float
    search_gap_days: float
    own_village_bonus: float
    viewing_sd: float
    response_cost: float
    prior: float


class Streams(NamedTuple):
    """Keyed stream seeds (allocsim.keyed) of the round's draws (the looks' are
    model/events.Terms')."""

    listing: np.uint64
    taste: np.uint64


@numba.njit(cache=True)
def respond_round(
    rows: np.ndarray,
    now: float,
    hh: Households,
    ad: Adverts,
    lim: LimitTerms,
    rules: LabelRules,
    beh: Behaviour,
    streams: Streams,
    won: np.ndarray,
    n_resp: np.ndarray,
    n_class0: np.ndarray,
    n_class01: np.ndarray,
    win_class: np.ndarray,
    win_meettijd: np.ndarray,
    win_n: np.ndarray,
    candidates: np.ndarray,
    n_cells: int,
    waiting_state: int,
    status_holder_kind: int,
    lottery: int,
    work: np.ndarray,
    terms: events.Terms,
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """The responses of this week's round: (household, advert position) pairs, sorted by
    household. Updates each responder's response count and dates (first response, the
    start of a search after `search_gap_days` without one, the last response).

    `won`: recent offer-model winners' meettijd, sorted (behaviour.prospect); the
    memory arrays are `behaviour.Memory`'s. `work` (int64, 4) counts what the round did:
    pairs listed (eligible, before the saved search's bound), pairs weighed, lookers
    with a pair, and the most pairs one looker weighed."""
    n_adv = ad.home.size
    # Who looks: the households whose look falls in this round (model/events.py: searching
    # households at their kind's rate, the others at the passive rate, and only at the
    # lotteries), each drawing its next look from the next round.
    lookers = np.empty(rows.size, np.int64)
    n_look = 0
    for s in rows:
        if hh.look_day[s] > now:
            continue
        if hh.state[s] != waiting_state or hh.kind[s] == status_holder_kind:
            continue
        if hh.look_day[s] < now:  # its round was not held (no adverts): from this one
            events.draw_look(s, now, hh, terms)
            if hh.look_day[s] > now:
                continue
        lookers[n_look] = s
        n_look += 1
        events.draw_look(s, now + terms.cycle_days, hh, terms)
    # The adverts by segment (village, bedrooms), each segment's in advert order: a
    # looker reads only the segments its saved search lists.
    n_bed = lim.min_household.size
    n_seg = 32 * n_bed
    seg_start = np.zeros(n_seg + 1, np.int64)
    present = np.uint32(0)
    for a in range(n_adv):
        seg_start[ad.village[a] * n_bed + ad.bedrooms[a] + 1] += 1
        present |= np.uint32(1) << np.uint32(ad.village[a])
    for g in range(n_seg):
        seg_start[g + 1] += seg_start[g]
    fill = seg_start[:n_seg].copy()
    by_segment = np.empty(n_adv, np.int64)
    for a in range(n_adv):
        g = ad.village[a] * n_bed + ad.bedrooms[a]
        by_segment[fill[g]] = a
        fill[g] += 1
    # Each looker's listed pairs, then the `bound` first in its own listing order.
    cap = 64
    pair_i = np.empty(cap, np.int64)
    pair_a = np.empty(cap, np.int64)
    pos = np.empty(n_adv)
    cand = np.empty(n_adv, np.int64)
    best_pos = np.empty(max(beh.bound, 1))
    best = np.empty(max(beh.bound, 1), np.int64)
    n_pairs = 0
    for i in range(n_look):
        s = lookers[i]
        size = hh.household_size[s]
        searching = hh.active[s]
        income = hh.income[s]
        age = (now - hh.birth_day[s]) / DAYS_PER_YEAR
        above = above_limit_one(size, income, lim)
        low_income = income <= allowance_limit_one(size, age, lim)
        rent_cap = lim.rent_cap_small if size <= 2 else lim.rent_cap_large
        k = 0
        wanted = hh.village_mask[s] & present
        v = 0
        while wanted:
            if wanted & np.uint32(1):
                for b in range(n_bed):
                    if size < lim.min_household[b] or size > lim.max_household[b]:
                        continue
                    g = v * n_bed + b
                    for idx in range(seg_start[g], seg_start[g + 1]):
                        a = by_segment[idx]
                        if not (searching or ad.channel[a] == lottery):
                            continue
                        if above and not ad.allow_above[a]:
                            continue
                        if low_income and not ad.rent[a] <= rent_cap:
                            continue
                        if hh.senior_only[s] and not ad.senior_suitable[a]:
                            continue
                        cand[k] = a
                        k += 1
            wanted >>= np.uint32(1)
            v += 1
        # In advert order (segments interleave), then each one's place in the listing.
        for x in range(1, k):
            a = cand[x]
            y = x - 1
            while y >= 0 and cand[y] > a:
                cand[y + 1] = cand[y]
                y -= 1
            cand[y + 1] = a
        if k == 0:
            continue
        work[0] += k
        keep = cand[:k]
        if k > beh.bound:  # the `bound` smallest positions, ties to the earlier advert
            first = keyed.mix(streams.listing + keyed._GOLDEN + hh.key[s] * keyed._GOLDEN)
            for x in range(k):  # keyed.uniform(listing, household key, advert key)
                h = keyed.mix(first + keyed._GOLDEN + ad.key[cand[x]] * keyed._GOLDEN)
                pos[x] = np.float64(h >> keyed._S11) * keyed._UNIT
            n_best = 0
            for x in range(k):  # candidates in advert order: a tie keeps the earlier
                if n_best == beh.bound and not pos[x] < best_pos[n_best - 1]:
                    continue
                y = min(n_best, beh.bound - 1)
                while y > 0 and pos[x] < best_pos[y - 1]:
                    best_pos[y] = best_pos[y - 1]
                    best[y] = best[y - 1]
                    y -= 1
                best_pos[y] = pos[x]
                best[y] = cand[x]
                n_best = min(n_best + 1, beh.bound)
            keep = np.sort(best[:n_best])
        if n_pairs + keep.size > cap:
            while n_pairs + keep.size > cap:
                cap *= 2
            pair_i = _grow(pair_i, n_pairs, cap)
            pair_a = _grow(pair_a, n_pairs, cap)
        for a in keep:
            pair_i[n_pairs] = i
            pair_a[n_pairs] = a
            n_pairs += 1
        work[1] += keep.size
        work[2] += 1
        work[3] = max(work[3], keep.size)
    pair_i = pair_i[:n_pairs]
    pair_a = pair_a[:n_pairs]
    # What depends on the looker alone, for lookers with a pair.
    urgent = np.zeros(n_look, np.bool_)
    meettijd = np.zeros(n_look)
    hold = np.zeros(n_look)
    key = np.zeros(n_look, np.uint64)
    origin = np.zeros(n_look, np.int64)
    limit = np.zeros(n_look, np.int64)
    groups = np.zeros(n_look, np.int64)  # the label groups it is in (model/labels.py)
    n_won = won.size
    for p in range(n_pairs):
        i = pair_i[p]
        if p > 0 and pair_i[p - 1] == i:
            continue
        s = lookers[i]
        urgent[i] = hh.priority[s] == 0
        meettijd[i] = now - hh.meettijd_start[s]
        key[i] = hh.key[s]
        origin[i] = hh.origin_village[s]
        limit[i] = beh.limit_searching if hh.active[s] else 1
        age = (now - hh.birth_day[s]) / DAYS_PER_YEAR
        groups[i] = household_groups(
            hh.kind[s], age, hh.household_size[s], hh.income[s], lim, rules
        )
        hold[i] = reservation_of(
            now,
            meettijd[i],
            urgent[i],
            hh.search_start_day[s],
            hh.last_response_day[s],
            won,
            n_won,
            beh,
        )
    sides = np.empty(n_adv, np.int64)
    for a in range(n_adv):
        sides[a] = advert_groups(ad.label_terms, a)
    label = np.empty(n_pairs, np.bool_)
    for p in range(n_pairs):
        label[p] = (groups[pair_i[p]] & sides[pair_a[p]]) != 0
    chosen = behaviour._respond(
        pair_i,
        pair_a,
        label,
        urgent,
        meettijd,
        hold,
        key,
        origin,
        limit,
        ad.home,
        ad.village,
        ad.channel,
        ad.cell,
        n_resp,
        n_class0,
        n_class01,
        win_class,
        win_meettijd,
        win_n,
        candidates,
        n_cells,
        beh.prior,
        streams.taste,
        beh.own_village_bonus,
        beh.viewing_sd,
        beh.response_cost,
    )
    responders = np.empty(chosen.size, np.int64)
    which = np.empty(chosen.size, np.int64)
    for c in range(chosen.size):
        responders[c] = lookers[pair_i[chosen[c]]]
        which[c] = pair_a[chosen[c]]
    # Each responder's count and dates; a search starts with the first response after
    # search_gap_days without one.
    for c in range(chosen.size):
        s = responders[c]
        hh.n_responses[s] += 1
        if c > 0 and responders[c - 1] == s:
            continue
        if np.isnan(hh.first_response_day[s]):
            hh.first_response_day[s] = now
        last = hh.last_response_day[s]
        if np.isnan(last) or now - last >= beh.search_gap_days:
            hh.search_start_day[s] = now
        hh.last_response_day[s] = now
    return responders, which


@numba.njit(cache=True)
def reservation_of(
    now: float,
    meettijd: float,
    urgent: bool,
    search_start: float,
    last_response: float,
    won: np.ndarray,
    n_won: int,
    beh: Behaviour,
) -> float:  # pragma: no cover - compiled
    """behaviour.reservation of one household, its prospect from the sorted winners."""
    if urgent:
        prospect = beh.urgent_prospect
    elif n_won == 0:
        prospect = 0.5
    else:
        prospect = behaviour.count_at_most(won, n_won, meettijd) / n_won
    lapsed = not (now - last_response < beh.search_gap_days)
    fresh = np.isnan(search_start) or lapsed
    searched = 0.0 if fresh else (now - search_start) / DAYS_PER_YEAR
    return (
        beh.reservation_base
        + beh.reservation_prospect * prospect
        - beh.impatience_per_year * min(searched, beh.impatience_years)
    )


@numba.njit(cache=True)
def _grow(a: np.ndarray, n: int, cap: int) -> np.ndarray:  # pragma: no cover - compiled
    out = np.empty(cap, a.dtype)
    out[:n] = a[:n]
    return out
