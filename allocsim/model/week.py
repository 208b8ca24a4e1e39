"""The weekly advert round on the World: publication with its response round, and the
close of last week's batch with what follows from it, each one compiled call.

`w_publish` takes the homes waiting for an advert, numbers their adverts, works out
what each advert shows (rent, the channel, whether incomes above the limit may answer
under the free allocation room, the label groups) and runs the response round
(model/responses.py); the responses are recorded and returned by advert.
`w_close` closes a batch (model/close.py) under the rules then in force, records the
offers and adverts, and lets each accepted advert or puts its home back in the queue
(model/homes.settle). The rules' advert-side terms here (the label groups, the free
room's openness, the admission at close) give the numbers of the Python hooks they
replaced (the golden digests).
"""

from __future__ import annotations

import math
from typing import Any

import numba
import numpy as np

from allocsim import keyed
from allocsim.domain import Channel, Kind, SeekerState
from allocsim.model import close, departures, homes, responses
from allocsim.model import state as st
from allocsim.model.labels import LabelRules
from allocsim.policies import behaviour
from allocsim.policies.eligibility import LimitTerms

_WAITING, _HOUSED = int(SeekerState.WAITING), int(SeekerState.HOUSED)
_STATUS_HOLDER, _STARTER = int(Kind.STATUS_HOLDER), int(Kind.STARTER)
_OFFER, _LOTTERY = int(Channel.OFFER), int(Channel.LOTTERY)
_N_CHANNELS, _N_LABELS = behaviour.N_CHANNELS, behaviour.N_LABELS
_LABEL_NONE, _LABEL_STARTER, _LABEL_SENIOR = range(3)


@numba.njit(cache=True)
def _limits(w: Any, now: float) -> LimitTerms:  # pragma: no cover - compiled
    """The income and rent limits of the day's price year."""
    y = w.cal.price_slot[homes._slot(w.cal, now)]
    lim = w.lim
    return LimitTerms(
        lim.min_household[y],
        lim.max_household[y],
        lim.income_single[y],
        lim.income_multi[y],
        lim.allowance_single[y],
        lim.allowance_single_pension[y],
        lim.allowance_multi[y],
        lim.allowance_multi_pension[y],
        lim.rent_cap_small[y],
        lim.rent_cap_large[y],
        lim.pension_age,
    )


@numba.njit(cache=True)
def _rules(w: Any, now: float) -> Any:  # pragma: no cover - compiled
    return w.cfg.history if now < w.cfg.policy_day else w.cfg.current


@numba.njit(cache=True)
def _label_side(
    w: Any, rules: Any, hs: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover
    """Each advert's side of the label groups (rows: starter pilot, the village rule's
    senior option, custom allocation above the allowance limit) and its memory cell."""
    terms = np.zeros((3, hs.size), np.bool_)
    cells = np.empty(hs.size, np.int64)
    senior_on = not math.isnan(rules.vr_senior_age)
    for j in range(hs.size):
        h = hs[j]
        starter = w.homes.starter_priority[h]
        senior = w.homes.senior_priority[h]
        terms[0, j] = starter
        terms[1, j] = senior and senior_on
        terms[2, j] = rules.cu_above[w.fixed.neighbourhood[h]]
        label = _LABEL_STARTER if starter else (_LABEL_SENIOR if senior else _LABEL_NONE)
        channel = w.homes.channel[h]
        cells[j] = (w.fixed.village[h] * _N_CHANNELS + channel) * _N_LABELS + label
    return terms, cells


@numba.njit(cache=True)
def _label_rules(rules: Any, starter_kind: int) -> LabelRules:  # pragma: no cover - compiled
    return LabelRules(starter_kind, rules.sp_max_age, rules.sp_max_household, rules.vr_senior_age)


@numba.njit(cache=True)
def _offer_winners(m: Any, n_cells: int) -> np.ndarray:  # pragma: no cover - compiled
    """behaviour.Memory.offer_winners."""
    row = n_cells  # the offer model's pooled row
    return np.sort(m.win_meettijd[row, : m.win_n[row]])


@numba.njit(cache=True)
def w_publish(
    w: Any, now: float, first_advert: int, recording: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """Publish the homes waiting for an advert (Books.pending, emptied): their adverts
    are numbered from `first_advert`. Returns the batch: homes, advert keys, and the
    responders of advert j as `responders[start[j]:start[j + 1]]`, by household."""
    counts = w.books.counts
    counts[st.COUNT_LAST_ROUND] = int(now)
    hs = w.books.pending[: counts[st.COUNT_PENDING]].copy()
    counts[st.COUNT_PENDING] = 0
    n_adv = hs.size
    d = homes._slot(w.cal, now)
    rules = _rules(w, now)
    lim = _limits(w, now)
    # What each advert shows. Its key: home, tenancy and attempt (keyed.hash_keys).
    keys = np.empty(n_adv, np.uint64)
    rent = np.empty(n_adv)
    allow_above = np.zeros(n_adv, np.bool_)
    year = w.cal.year[d] - w.cal.year0
    for j in range(n_adv):
        h = hs[j]
        w.homes.attempt[h] += 1
        k = keyed.mix(np.uint64(0) + keyed._GOLDEN + np.uint64(h) * keyed._GOLDEN)
        k = keyed.mix(k + keyed._GOLDEN + np.uint64(w.homes.tenancy[h]) * keyed._GOLDEN)
        keys[j] = keyed.mix(k + keyed._GOLDEN + np.uint64(w.homes.attempt[h]) * keyed._GOLDEN)
        rent[j] = w.fixed.rent_2021[h] * w.cal.rent_factor[d]
        # A home in the above-limit room (RuleTerms.fr_*): open to incomes above the
        # limit while the municipality's room for the year lasts.
        muni = w.fixed.municipality[h]
        w.books.touched[year, muni] = True
        led = w.books.ledger[year, muni]
        allow_above[j] = rules.fr_room[h] and close._share_allows(
            led[st.LEDGER_ABOVE_LIMIT], led[st.LEDGER_LETTINGS], rules.fr_cap
        )
    terms, cells = _label_side(w, rules, hs)
    channel = np.empty(n_adv, np.int64)
    for j in range(n_adv):
        channel[j] = w.homes.channel[hs[j]]
    adverts = responses.Adverts(
        hs,
        w.fixed.village[hs],
        w.fixed.bedrooms[hs],
        rent,
        allow_above,
        w.fixed.senior_suitable[hs],
        keys,
        channel,
        cells,
        terms,
    )
    cfg = w.cfg
    m = w.memory
    responders, which = responses.respond_round(
        departures.waiting_rows(w.books, w.seekers.state, counts[st.COUNT_SEEKERS]),
        now,
        w.seekers,
        adverts,
        lim,
        _label_rules(rules, _STARTER),
        cfg.beh,
        responses.Streams(cfg.listing_stream, cfg.taste_stream),
        _offer_winners(m, cfg.n_cells),
        m.n_resp,
        m.n_class0,
        m.n_class01,
        m.win_class,
        m.win_meettijd,
        m.win_n,
        m.candidates,
        cfg.n_cells,
        _WAITING,
        _STATUS_HOLDER,
        _LOTTERY,
        w.work,
        cfg.events,
    )
    if recording:
        rows = w.responses
        r = counts[st.COUNT_RESPONSES]
        if r + responders.size > rows.day.size:
            raise IndexError("responses rows full: the engine makes room before a round")
        for c in range(responders.size):
            rows.day[r + c] = now
            rows.seeker_id[r + c] = responders[c]
            rows.advert_id[r + c] = first_advert + which[c]
        counts[st.COUNT_RESPONSES] = r + responders.size
    # The responders by advert, each advert's in household order (a stable sort).
    start = np.zeros(n_adv + 1, np.int64)
    for c in range(which.size):
        start[which[c] + 1] += 1
    for j in range(n_adv):
        start[j + 1] += start[j]
    fill = start[:n_adv].copy()
    by_advert = np.empty(responders.size, np.int64)
    for c in range(which.size):
        by_advert[fill[which[c]]] = responders[c]
        fill[which[c]] += 1
    return hs, keys, start, by_advert


@numba.njit(cache=True)
def w_close(
    w: Any,
    now: float,
    publish_day: float,
    hs: np.ndarray,
    advert_ids: np.ndarray,
    keys: np.ndarray,
    start: np.ndarray,
    responders: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """Close a batch under the rules in force now (model/close.close_batch), record its
    offers and adverts (from day 0), and let the accepted adverts (homes.settle)."""
    cfg = w.cfg
    counts = w.books.counts
    n_adv = hs.size
    d = homes._slot(w.cal, now)
    year = w.cal.year[d] - w.cal.year0
    rules = _rules(w, now)
    terms, cells = _label_side(w, rules, hs)
    channel = np.empty(n_adv, np.int64)
    muni = np.empty(n_adv, np.int64)
    hood = np.empty(n_adv, np.int64)
    above_room = np.empty(n_adv, np.bool_)
    urgent_cap = np.empty(n_adv)
    tenancy = np.empty(n_adv, np.int64)
    for j in range(n_adv):
        h = hs[j]
        channel[j] = w.homes.channel[h]
        muni[j] = w.fixed.municipality[h]
        hood[j] = w.fixed.neighbourhood[h]
        above_room[j] = rules.fr_room[h]
        if above_room[j]:  # its admission reads the municipality's ledger
            w.books.touched[year, muni[j]] = True
        urgent_cap[j] = rules.cu_urgent_cap[hood[j]]
        tenancy[j] = w.homes.tenancy[h]
    ledger = w.books.ledger[year]
    admission = close.Admission(
        muni,
        above_room,
        rules.fr_cap,
        ledger[:, st.LEDGER_LETTINGS].copy(),
        ledger[:, st.LEDGER_ABOVE_LIMIT].copy(),
        hood,
        urgent_cap,
        w.books.custom[year, :, 0].copy(),
        w.books.custom[year, :, 1].copy(),
    )
    m = w.memory
    closed = close.close_batch(
        now,
        w.seekers,
        close.Batch(
            hs, w.fixed.village[hs], tenancy, keys, channel, cells, terms, start, responders
        ),
        admission,
        _limits(w, now),
        _label_rules(rules, _STARTER),
        cfg.beh,
        close.Streams(cfg.taste_stream, cfg.viewing_stream, cfg.reach_stream, cfg.lot_stream),
        cfg.p_unreachable,
        cfg.no_show_margin,
        _OFFER,
        _offer_winners(m, cfg.n_cells),
        m.n_resp,
        m.n_class0,
        m.n_class01,
        m.win_class,
        m.win_meettijd,
        m.win_n,
        m.win_next,
        m.candidates,
        cfg.memory_alpha,
        cfg.n_cells,
        _WAITING,
        _HOUSED,
    )
    if now >= 0.0:
        if cfg.record_offers:
            rows = w.offers
            r = counts[st.COUNT_OFFERS]
            if r + closed.offer_advert.size > rows.day.size:
                raise IndexError("offers rows full: the engine makes room before a close")
            rank = 0
            for c in range(closed.offer_advert.size):
                j = closed.offer_advert[c]
                rank = 1 if c == 0 or closed.offer_advert[c - 1] != j else rank + 1
                rows.day[r + c] = now
                rows.advert_id[r + c] = advert_ids[j]
                rows.home[r + c] = hs[j]
                rows.channel[r + c] = channel[j]
                rows.seeker_id[r + c] = closed.offer_seeker[c]
                rows.rank[r + c] = rank
                rows.priority[r + c] = closed.offer_priority[c]
                rows.meettijd_days[r + c] = closed.offer_meettijd[c]
                rows.outcome[r + c] = closed.offer_outcome[c]
            counts[st.COUNT_OFFERS] = r + closed.offer_advert.size
        ads = w.adverts
        r = counts[st.COUNT_ADVERTS]
        if r + n_adv > ads.advert_id.size:
            raise IndexError("adverts rows full: the engine makes room before a close")
        for j in range(n_adv):
            h = hs[j]
            ads.advert_id[r + j] = advert_ids[j]
            ads.home[r + j] = h
            ads.channel[r + j] = channel[j]
            ads.rule[r + j] = w.homes.rule[h]
            ads.starter_priority[r + j] = w.homes.starter_priority[h]
            ads.publish_day[r + j] = publish_day
            ads.close_day[r + j] = now
            ads.n_responses[r + j] = closed.n_responses[j]
            ads.n_priority[r + j] = closed.n_priority[j]
            ads.let[r + j] = closed.let[j]
        counts[st.COUNT_ADVERTS] = r + n_adv
    homes.settle(
        now,
        hs,
        advert_ids,
        closed.let,
        closed.winner,
        closed.n_responses,
        closed.n_invited,
        closed.winner_meettijd,
        cfg.candidates_per_round,
        cfg.days_to_accept,
        cfg.days_per_extra_round,
        cfg.days_to_move_in,
        w,
    )
