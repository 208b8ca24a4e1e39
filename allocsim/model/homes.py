"""The homes' events, compiled: vacancies, lettings, move-ins and demolitions.

A home's events (it falls vacant, its new tenant moves in, it is demolished) wait in
`Queue`, a heap on (time, eid) whose eids come from simpy's own counter, so that they
interleave with the engine's weekly and monthly events exactly as simpy would order
them. `run_events` takes every home event before a bound; each does what the engine's
former per-home methods did:

- a vacancy (`vacate`): the tenant's listing ends, the rules that act before any advert
  (transformation, 1.1/3.1; the status holders' direct allocation within its cap,
  1.13) may dispose of the home, else the labelling rules choose its channel
  (`label_vacancy`: new build, starter pilot, village rule, general lottery, each asking
  the lottery cap) and it waits for the next advert cycle;
- a letting (`let`, also called by the engine when an advert closes): the ledgers,
  the lettings record, the new tenancy and its own next vacancy, and the chain move
  that frees the tenant's old home after its notice;
- a move-in: the new tenant stays registered with the home's date, or not;
- a demolition: the home leaves the stock; a listed tenant becomes urgent.

The numbers are those of the former Python methods (the golden digests).
"""

from __future__ import annotations

import math
from typing import Any

import numba
import numpy as np

from allocsim import keyed
from allocsim.domain import (
    DAYS_PER_YEAR,
    KEY_REREGISTERED,
    OCCUPIED,
    VACANT,
    WITHDRAWN,
    Channel,
    Kind,
    Rule,
    SeekerState,
    VacancyCause,
)
from allocsim.model import events
from allocsim.model import state as st
from allocsim.model.state import (
    Books,
    Calendar,
    Homes,
    Queue,
    RuleTerms,
    Seekers,
    YearLimits,
)

_OFFER, _LOTTERY, _DIRECT = int(Channel.OFFER), int(Channel.LOTTERY), int(Channel.DIRECT)
_GENERAL, _STARTER, _VILLAGE = int(Rule.GENERAL), int(Rule.STARTER_PILOT), int(Rule.VILLAGE_RULE)
_STATUS_HOLDER, _NEW_BUILD = int(Rule.STATUS_HOLDER), int(Rule.NEW_BUILD)
_MOVER_STOCK, _MOVER_ELSEWHERE = int(Kind.MOVER_STOCK), int(Kind.MOVER_ELSEWHERE)
_TURNOVER, _CHAIN, _NEW = (
    int(VacancyCause.TURNOVER),
    int(VacancyCause.CHAIN),
    int(VacancyCause.NEW_BUILD),
)
_WAITING, _HOUSED, _LEFT = (
    int(SeekerState.WAITING),
    int(SeekerState.HOUSED),
    int(SeekerState.LEFT),
)
# Lottery uses (policies/ledger.LOTTERY_USES): village rule, starter pilot, general.
USE_VILLAGE, USE_STARTER, USE_GENERAL = range(3)
_NO_USE = -1
# What an event needs room for: queue entries, a household row, a lettings row.
ROOM_QUEUE, ROOM_SEEKERS, ROOM_LETTINGS = 3, 1, 1
# Why `run_events` returned.
DONE, FULL = 0, 1


# ------------------------------------------------------------------ keyed draws


@numba.njit(cache=True)
def _uniform(stream: np.uint64, k1: np.uint64, k2: np.uint64) -> float:  # pragma: no cover
    """keyed.uniform_one(stream, k1, k2)."""
    h = keyed.mix(stream + keyed._GOLDEN + k1 * keyed._GOLDEN)
    h = keyed.mix(h + keyed._GOLDEN + k2 * keyed._GOLDEN)
    return np.float64(h >> keyed._S11) * keyed._UNIT


# ------------------------------------------------------------------ the queue


@numba.njit(cache=True, inline="always")
def _earlier(q: Queue, i: int, j: int) -> bool:  # pragma: no cover - compiled
    return q.time[i] < q.time[j] or (q.time[i] == q.time[j] and q.eid[i] < q.eid[j])


@numba.njit(cache=True)
def _swap(q: Queue, i: int, j: int) -> None:  # pragma: no cover - compiled
    q.time[i], q.time[j] = q.time[j], q.time[i]
    q.eid[i], q.eid[j] = q.eid[j], q.eid[i]
    q.what[i], q.what[j] = q.what[j], q.what[i]
    q.home[i], q.home[j] = q.home[j], q.home[i]
    q.arg[i], q.arg[j] = q.arg[j], q.arg[i]
    q.cause[i], q.cause[j] = q.cause[j], q.cause[i]
    q.chain[i], q.chain[j] = q.chain[j], q.chain[i]
    q.pos[i], q.pos[j] = q.pos[j], q.pos[i]


@numba.njit(cache=True)
def push(
    q: Queue,
    counts: np.ndarray,
    time: float,
    what: int,
    home: int,
    arg: int,
    cause: int,
    chain: int,
    pos: int,
) -> None:  # pragma: no cover - compiled
    """Schedule an event at `time` with the next eid."""
    i = counts[st.COUNT_QUEUE]
    if i >= q.time.size:
        raise IndexError("event queue full: the engine makes room before an event")
    counts[st.COUNT_QUEUE] = i + 1
    q.time[i] = time
    q.eid[i] = counts[st.COUNT_EID]
    counts[st.COUNT_EID] += 1
    q.what[i] = what
    q.home[i] = home
    q.arg[i] = arg
    q.cause[i] = cause
    q.chain[i] = chain
    q.pos[i] = pos
    while i > 0:
        parent = (i - 1) // 2
        if not _earlier(q, i, parent):
            break
        _swap(q, i, parent)
        i = parent


@numba.njit(cache=True)
def _pop(q: Queue, counts: np.ndarray) -> None:  # pragma: no cover - compiled
    """Remove the earliest event (the caller has read it from slot 0)."""
    size = counts[st.COUNT_QUEUE] - 1
    counts[st.COUNT_QUEUE] = size
    if size == 0:
        return
    _swap(q, 0, size)
    i = 0
    while True:
        child = 2 * i + 1
        if child >= size:
            return
        if child + 1 < size and _earlier(q, child + 1, child):
            child += 1
        if not _earlier(q, child, i):
            return
        _swap(q, i, child)
        i = child


@numba.njit(cache=True)
def at(
    q: Queue,
    counts: np.ndarray,
    now: float,
    day: float,
    horizon: float,
    what: int,
    home: int,
    arg: int,
    cause: int,
    chain: int,
    pos: int,
) -> None:  # pragma: no cover - compiled
    """Engine.at: the event at `day` (now if that is past) if before the horizon."""
    if day < horizon:
        push(q, counts, now + max(0.0, day - now), what, home, arg, cause, chain, pos)


@numba.njit(cache=True)
def schedule_vacancy(
    q: Queue,
    counts: np.ndarray,
    homes: Homes,
    now: float,
    horizon: float,
    h: int,
    day: float,
    cause: int,
    chain: int,
    pos: int,
    reason: int,
) -> None:  # pragma: no cover - compiled
    """The home falls vacant on `day` (its tenant leaving for `reason`); a later
    schedule supersedes this one (the token is the home's tenancy counter)."""
    homes.tenancy[h] += 1
    homes.departure[h] = reason
    homes.next_cause[h] = cause
    at(q, counts, now, day, horizon, st.EVENT_VACANCY, h, homes.tenancy[h], cause, chain, pos)


# ------------------------------------------------------------------ the rules


@numba.njit(cache=True)
def _cap_count(cap_share: float, total: float) -> int:  # pragma: no cover - compiled
    """policies/ledger.cap_count."""
    return math.floor(cap_share * total + 1e-9)


@numba.njit(cache=True)
def lottery_allowed(
    led: np.ndarray, use: int, rules: RuleTerms, muni: int
) -> bool:  # pragma: no cover
    """policies/lottery_cap.lottery_allowed on a ledger row."""
    if not rules.cap_enabled:
        return True
    room = _cap_count(rules.cap_share[muni], led[st.LEDGER_VACANCIES] + 1)
    total = led[st.LEDGER_GRANTED] + led[st.LEDGER_GRANTED + 1] + led[st.LEDGER_GRANTED + 2]
    if total + 1 > room:
        return False
    claimed = 0
    used = 0
    higher = True
    for u in rules.precedence:
        if u == use:
            higher = False
        if higher:
            claimed += led[st.LEDGER_REQUESTED + u]
        else:
            used += led[st.LEDGER_GRANTED + u]
    return claimed + used + 1 <= room


@numba.njit(cache=True)
def label_vacancy(
    led: np.ndarray,
    rules: RuleTerms,
    muni: int,
    village: int,
    bedrooms: int,
    rent_2021: float,
    senior_suitable: bool,
    first_channel: int,
    month: int,
    u_general: float,
) -> tuple[int, int, bool, bool, int, bool]:  # pragma: no cover - compiled
    """policies/labels.label_vacancy: (channel, rule, starter priority, senior priority,
    lottery use asked or -1, starter label displaced)."""
    # New build (1.2-1.4): the project's own first-letting channel.
    if first_channel == _OFFER:
        return _OFFER, _NEW_BUILD, False, False, _NO_USE, False
    if first_channel == _LOTTERY:
        ok = lottery_allowed(led, USE_GENERAL, rules, muni)
        return (_LOTTERY if ok else _OFFER), _NEW_BUILD, False, False, USE_GENERAL, False
    # Starter pilot (1.6): a label while the paced quota allows, alternating channels.
    displaced = False
    if rules.sp_enabled:
        quota = rules.sp_quota[muni]
        qualifies = bedrooms <= rules.sp_max_bedrooms and rent_2021 <= rules.sp_max_rent + 1e-9
        paced = quota if rules.sp_first_come else math.ceil(quota * month / 12 - 1e-9)
        n_lottery = led[st.LEDGER_STARTER_LOTTERY]
        n_offer = led[st.LEDGER_STARTER_OFFER]
        if qualifies and n_lottery + n_offer < paced:
            n_lot, n_off = rules.sp_lottery[muni], rules.sp_offer[muni]
            lot_left = n_lottery < n_lot
            off_left = n_offer < n_off
            want_lottery = lot_left and (not off_left or n_lottery * n_off <= n_offer * n_lot)
            if want_lottery and lottery_allowed(led, USE_STARTER, rules, muni):
                return _LOTTERY, _STARTER, True, False, USE_STARTER, False
            if off_left:
                use = USE_STARTER if want_lottery else _NO_USE
                return _OFFER, _STARTER, True, False, use, False
            displaced = True
    # Village rule (1.8): senior-suitable homes by offer model, the others by lottery.
    if rules.vr_enabled and rules.vr_village[village]:
        if senior_suitable:
            return _OFFER, _VILLAGE, False, rules.vr_senior, _NO_USE, displaced
        ok = lottery_allowed(led, USE_VILLAGE, rules, muni)
        return (_LOTTERY if ok else _OFFER), _VILLAGE, False, False, USE_VILLAGE, displaced
    # General lottery: a share of the rest, within the cap.
    if u_general < rules.gl_share[muni]:
        ok = lottery_allowed(led, USE_GENERAL, rules, muni)
        return (_LOTTERY if ok else _OFFER), _GENERAL, False, False, USE_GENERAL, displaced
    return _OFFER, _GENERAL, False, False, _NO_USE, displaced


@numba.njit(cache=True)
def record_decision(
    led: np.ndarray, channel: int, rule: int, use: int, displaced: bool
) -> None:  # pragma: no cover - compiled
    """policies/ledger.Ledger.record."""
    led[st.LEDGER_VACANCIES] += 1
    if use >= 0:
        led[st.LEDGER_REQUESTED + use] += 1
        if channel == _LOTTERY:
            led[st.LEDGER_GRANTED + use] += 1
    if rule == _STARTER:
        if channel == _LOTTERY:
            led[st.LEDGER_STARTER_LOTTERY] += 1
        else:
            led[st.LEDGER_STARTER_OFFER] += 1
    if displaced:
        led[st.LEDGER_STARTER_DISPLACED] += 1
    if channel == _DIRECT:
        led[st.LEDGER_DIRECT] += 1


@numba.njit(cache=True)
def _slot(cal: Calendar, day: float) -> int:  # pragma: no cover - compiled
    """The calendar row of the whole day `day` falls in (floored: day -0.5 is the day
    before day 0, in the burn-in's calendar as after it)."""
    return int(math.floor(day)) - cal.first_day


@numba.njit(cache=True)
def _ledger_row(
    books: Books, cal: Calendar, day: float, muni: int
) -> np.ndarray:  # pragma: no cover
    y = cal.year[_slot(cal, day)] - cal.year0
    books.touched[y, muni] = True
    return books.ledger[y, muni]


@numba.njit(cache=True)
def _fits(
    seekers: Seekers, s: int, now: float, bedrooms: int, rent: float, lim: YearLimits, y: int
) -> bool:  # pragma: no cover - compiled
    """policies/eligibility.eligible of one household and one home (no free room)."""
    size = seekers.household_size[s]
    if size < lim.min_household[y, bedrooms] or size > lim.max_household[y, bedrooms]:
        return False
    income = seekers.income[s]
    if income > (lim.income_single[y] if size <= 1 else lim.income_multi[y]):
        return False
    age = (now - seekers.birth_day[s]) / DAYS_PER_YEAR
    pension = age >= lim.pension_age
    if size <= 1:
        allowance = lim.allowance_single_pension[y] if pension else lim.allowance_single[y]
    else:
        allowance = lim.allowance_multi_pension[y] if pension else lim.allowance_multi[y]
    cap = lim.rent_cap_small[y] if size <= 2 else lim.rent_cap_large[y]
    return not (income <= allowance) or rent <= cap


# ------------------------------------------------------------------ the events


@numba.njit(cache=True)
def vacate(
    now: float,
    h: int,
    cause: int,
    chain: int,
    pos: int,
    w: Any,
    rng: np.random.Generator,
) -> None:  # pragma: no cover - compiled
    """Engine.vacate: the home falls vacant (see the module)."""
    seekers = w.seekers
    homes = w.homes
    fixed = w.fixed
    books = w.books
    cal = w.cal
    lim = w.lim
    cfg = w.cfg
    if homes.status[h] == WITHDRAWN:
        return
    counts = books.counts
    token = homes.tenancy[h]
    u_label = _uniform(cfg.label_stream, np.uint64(h), np.uint64(token))
    homes.attempt[h] = 0
    tenant = homes.tenant[h]
    if tenant >= 0:
        homes.tenant[h] = -1
        if seekers.state[tenant] == _WAITING:
            # A listed mover whose tenancy ended for other reasons leaves the list.
            seekers.state[tenant] = _LEFT
            seekers.end_day[tenant] = now
            seekers.left_reason[tenant] = homes.departure[h]
    if chain == 0:
        chain = counts[st.COUNT_CHAIN]
        counts[st.COUNT_CHAIN] += 1
    homes.status[h] = VACANT
    homes.reg_day[h] = np.nan
    homes.tenant_birth[h] = np.nan
    homes.tenant_exit[h] = np.inf
    homes.tenancy_start[h] = np.nan
    homes.vacancy_day[h] = now
    homes.cause[h] = cause
    homes.chain_id[h] = chain
    homes.chain_pos[h] = pos
    muni = fixed.municipality[h]
    led = _ledger_row(books, cal, now, muni)
    first_channel = fixed.first_channel[h] if cause == _NEW else -1
    rules = cfg.history if now < cfg.policy_day else cfg.current
    # Transformation (1.1, 3.1): a large home may leave social letting.
    if rules.transform_share > 0 and fixed.bedrooms[h] >= rules.transform_min_bedrooms:
        u = _uniform(cfg.transform_stream, np.uint64(h), np.uint64(token))
        if u < rules.transform_share:
            homes.status[h] = WITHDRAWN
            led[st.LEDGER_TRANSFORMED] += 1
            return
    # Status holders (1.13): direct allocation to the longest-waiting household that
    # fits, within the cap; a new-build project's own channel goes first.
    n_queue = books.sh_len[muni]
    if first_channel < 0 and rules.sh_enabled and n_queue > 0:
        d = _slot(cal, now)
        y = cal.price_slot[d]
        rent = fixed.rent_2021[h] * cal.rent_factor[d]
        first = -1
        for k in range(n_queue):
            if _fits(seekers, books.sh_queue[muni, k], now, fixed.bedrooms[h], rent, lim, y):
                first = k
                break
        if first >= 0:
            if not (
                led[st.LEDGER_DIRECT] + 1
                <= _cap_count(rules.sh_cap_share, led[st.LEDGER_VACANCIES] + 1)
            ):
                led[st.LEDGER_DIRECT_REFUSED] += 1
            elif not rng.random() < cfg.p_refuse_direct:
                s = books.sh_queue[muni, first]
                books.sh_queue[muni, first : n_queue - 1] = books.sh_queue[
                    muni, first + 1 : n_queue
                ]
                books.sh_len[muni] = n_queue - 1
                record_decision(led, _DIRECT, _STATUS_HOLDER, _NO_USE, False)
                homes.channel[h] = _DIRECT
                homes.rule[h] = _STATUS_HOLDER
                homes.starter_priority[h] = False
                day = now + cfg.direct_allocation_days
                books.sh_housed[cal.year[d] - cal.year0, muni] += seekers.household_size[s]
                let(now, h, s, day, day, -1, 0, 0, 0, np.nan, w)
                return
    channel, rule, starter, senior, use, displaced = label_vacancy(
        led,
        rules,
        muni,
        fixed.village[h],
        fixed.bedrooms[h],
        fixed.rent_2021[h],
        fixed.senior_suitable[h],
        first_channel,
        cal.month[_slot(cal, now)],
        u_label,
    )
    record_decision(led, channel, rule, use, displaced)
    homes.channel[h] = channel
    homes.rule[h] = rule
    homes.starter_priority[h] = starter
    homes.senior_priority[h] = senior
    books.pending[counts[st.COUNT_PENDING]] = h
    counts[st.COUNT_PENDING] += 1


@numba.njit(cache=True)
def let(
    now: float,
    h: int,
    s: int,
    accept_day: float,
    day: float,
    advert: int,
    n_responses: int,
    rank: int,
    n_refused: int,
    meettijd_days: float,
    w: Any,
) -> None:  # pragma: no cover - compiled
    """Engine.let: household `s` takes home `h` (meettijd_days NaN: as of now)."""
    seekers = w.seekers
    homes = w.homes
    fixed = w.fixed
    books = w.books
    q = w.queue
    rows = w.rows
    cal = w.cal
    lim = w.lim
    cfg = w.cfg
    counts = books.counts
    seekers.state[s] = _HOUSED
    seekers.end_day[s] = day
    old = seekers.home[s]
    d = _slot(cal, now)
    y = cal.price_slot[d]
    size = seekers.household_size[s]
    income = seekers.income[s]
    above = income > (lim.income_single[y] if size <= 1 else lim.income_multi[y])
    muni = fixed.municipality[h]
    led = _ledger_row(books, cal, now, muni)
    led[st.LEDGER_LETTINGS] += 1
    led[st.LEDGER_ABOVE_LIMIT] += above
    # Custom allocation's counts (4.2, 4.3): lettings and urgent lettings per hood.
    year = cal.year[d] - cal.year0
    hood = fixed.neighbourhood[h]
    books.custom[year, hood, 0] += 1
    if seekers.priority[s] == 0:
        books.custom[year, hood, 1] += 1
    if day >= 0.0:
        r = counts[st.COUNT_LETTINGS]
        if r >= rows.day.size:
            raise IndexError("lettings rows full: the engine makes room before an event")
        counts[st.COUNT_LETTINGS] = r + 1
        rows.day[r] = day
        rows.home[r] = h
        rows.channel[r] = homes.channel[h]
        rows.rule[r] = homes.rule[h]
        rows.starter_priority[r] = homes.starter_priority[h]
        rows.seeker_id[r] = s
        rows.seeker_kind[r] = seekers.kind[s]
        rows.age[r] = (day - seekers.birth_day[s]) / DAYS_PER_YEAR
        rows.household_size[r] = size
        rows.income[r] = income
        rows.above_income_limit[r] = above
        rows.meettijd_days[r] = (
            now - seekers.meettijd_start[s] if np.isnan(meettijd_days) else meettijd_days
        )
        first = seekers.search_start_day[s]
        search_from = first if not np.isnan(first) else seekers.entry_day[s]
        rows.search_days[r] = day - search_from
        rows.n_responses[r] = n_responses
        rows.winner_rank[r] = rank
        rows.n_refused[r] = n_refused
        rows.vacant_days[r] = day - homes.vacancy_day[h]
        rows.vacancy_cause[r] = homes.cause[h]
        rows.departure[r] = homes.departure[h] if homes.cause[h] == 0 else -1
        rows.chain_id[r] = homes.chain_id[h]
        rows.chain_position[r] = homes.chain_pos[h]
        rows.freed_home[r] = old
        rows.origin_village[r] = seekers.origin_village[s]
        rows.advert_id[r] = advert
    # Entree's rule: the household keeps its registration date (or, before 2013, the
    # new tenancy starts it afresh); the home carries it for the tenant's next search.
    homes.reg_day[h] = seekers.meettijd_start[s] if cfg.meettijd_entree else day
    homes.tenant[h] = s
    at(q, counts, now, day, cfg.horizon, st.EVENT_MOVE_IN, h, s, 0, 0, 0)
    homes.status[h] = OCCUPIED
    homes.next_cause[h] = _TURNOVER
    homes.tenant_birth[h] = seekers.birth_day[s]
    exit_day = max(seekers.exit_day[s], day)
    homes.tenant_exit[h] = exit_day
    homes.tenant_reason[h] = seekers.exit_reason[s]
    homes.tenant_size[h] = seekers.household_size[s]
    homes.tenant_exit_since[h] = seekers.exit_since[s]
    homes.tenancy_start[h] = day
    factor = 1.0
    if cfg.turnover_trend:
        elapsed = (max(day, 0.0) - cfg.trend_base) / DAYS_PER_YEAR
        factor = (1.0 + cfg.turnover_trend) ** elapsed
    rate = fixed.turnover_per_year[h] * factor / DAYS_PER_YEAR
    rest = np.inf
    if rate > 0:
        u = _uniform(cfg.vacancy_stream, np.uint64(h), np.uint64(homes.tenancy[h]))
        rest = day + -math.log1p(-u) / rate
    first = min(rest, exit_day)
    if first < np.inf:
        why = 0 if rest <= exit_day else homes.tenant_reason[h]
        schedule_vacancy(q, counts, homes, now, cfg.horizon, h, first, _TURNOVER, 0, 0, why)
    else:
        homes.tenancy[h] += 1
    if old >= 0:
        seekers.home[s] = -1
        homes.tenant[old] = -1
        schedule_vacancy(
            q,
            counts,
            homes,
            now,
            cfg.horizon,
            old,
            accept_day + cfg.notice_days,
            _CHAIN,
            homes.chain_id[h],
            homes.chain_pos[h] + 1,
            0,
        )


@numba.njit(cache=True)
def move_in(now: float, s: int, h: int, w: Any) -> None:  # pragma: no cover - compiled
    """Engine._move_in: the tenancy starts; the household stays registered as a passive
    mover from the stock with the home's date (a new row), or leaves the list."""
    seekers, homes, fixed, books, cfg = w.seekers, w.homes, w.fixed, w.books, w.cfg
    if homes.status[h] != OCCUPIED or homes.tenant[h] != s:
        return
    if not cfg.stay_registered:
        homes.tenant[h] = -1
        return
    counts = books.counts
    i = counts[st.COUNT_SEEKERS]
    if i >= seekers.key.size:
        raise IndexError("household table full: the engine makes room before an event")
    counts[st.COUNT_SEEKERS] = i + 1
    village = fixed.village[h]
    seekers.birth_day[i] = seekers.birth_day[s]
    seekers.income[i] = seekers.income[s]
    seekers.exit_day[i] = seekers.exit_day[s]
    seekers.household_size[i] = seekers.household_size[s]
    seekers.senior_only[i] = seekers.senior_only[s]
    seekers.exit_reason[i] = seekers.exit_reason[s]
    seekers.exit_since[i] = seekers.exit_since[s]
    seekers.kind[i] = _MOVER_STOCK
    seekers.priority[i] = 1
    seekers.meettijd_start[i] = homes.reg_day[h]
    seekers.entry_day[i] = now
    seekers.village_mask[i] = seekers.village_mask[s] | np.uint32(1 << village)
    seekers.origin_municipality[i] = fixed.village_municipality[village]
    seekers.origin_village[i] = village
    seekers.active[i] = False
    seekers.intensity[i] = cfg.reregister_intensity
    seekers.leave_rate[i] = cfg.reregister_leave_rate
    seekers.leave_chance[i] = cfg.reregister_leave_chance
    seekers.state[i] = _WAITING
    seekers.home[i] = h
    seekers.end_day[i] = np.nan
    seekers.n_responses[i] = 0
    seekers.first_response_day[i] = np.nan
    seekers.last_response_day[i] = np.nan
    seekers.search_start_day[i] = np.nan
    seekers.search_from_day[i] = np.nan
    seekers.left_reason[i] = 0
    # household_keys(KEY_REREGISTERED, key): keyed.hash_keys(0, origin, key).
    k = keyed.mix(np.uint64(0) + keyed._GOLDEN + np.uint64(KEY_REREGISTERED) * keyed._GOLDEN)
    seekers.key[i] = keyed.mix(k + keyed._GOLDEN + seekers.key[s] * keyed._GOLDEN)
    events.join(i, now, counts, seekers, cfg.events)
    homes.tenant[h] = i


@numba.njit(cache=True)
def withdraw(
    now: float, h: int, seekers: Seekers, homes: Homes, books: Books, terms: Any
) -> None:  # pragma: no cover - compiled
    """Engine.withdraw: the home leaves the stock (demolition); a listed tenant becomes
    urgent (assumption) and searches from now (model/events.activity_changed)."""
    homes.status[h] = WITHDRAWN
    homes.tenancy[h] += 1  # cancels any scheduled vacancy
    n = books.counts[st.COUNT_PENDING]
    for k in range(n):
        if books.pending[k] == h:
            books.pending[k : n - 1] = books.pending[k + 1 : n]
            books.counts[st.COUNT_PENDING] = n - 1
            break
    tenant = homes.tenant[h]
    if tenant >= 0:
        seekers.priority[tenant] = 0
        seekers.active[tenant] = True
        if seekers.state[tenant] == _WAITING:
            events.activity_changed(tenant, now, books.counts, seekers, terms)


@numba.njit(cache=True)
def run_events(
    until: float,
    until_eid: int,
    w: Any,
    rng: np.random.Generator,
    room_seekers: int,
    room_lettings: int,
    room_queue: int,
) -> tuple[int, float]:  # pragma: no cover - compiled
    """Every home event before (`until`, `until_eid`) in (time, eid) order (`until_eid`
    -1: before `until`). Returns (DONE, time of the last event) or (FULL, ...) when a
    table has too little room left for one more event: the engine grows it and calls
    again."""
    seekers = w.seekers
    homes = w.homes
    books = w.books
    q = w.queue
    counts = books.counts
    now = -np.inf
    while counts[st.COUNT_QUEUE] > 0:
        t, e = q.time[0], q.eid[0]
        if t > until or (t == until and (until_eid < 0 or e >= until_eid)):
            break
        if (
            counts[st.COUNT_SEEKERS] + ROOM_SEEKERS > room_seekers
            or counts[st.COUNT_LETTINGS] + ROOM_LETTINGS > room_lettings
            or counts[st.COUNT_QUEUE] + ROOM_QUEUE > room_queue
        ):
            return FULL, now
        what, h, arg = q.what[0], q.home[0], q.arg[0]
        cause, chain, pos = q.cause[0], q.chain[0], q.pos[0]
        _pop(q, counts)
        now = t
        if what == st.EVENT_VACANCY:
            if homes.tenancy[h] == arg:  # not superseded by a later schedule
                vacate(now, h, cause, chain, pos, w, rng)
        elif what == st.EVENT_MOVE_IN:
            move_in(now, arg, h, w)
        else:
            withdraw(now, h, seekers, homes, books, w.cfg.events)
    return DONE, now


@numba.njit(cache=True)
def settle(
    now: float,
    batch_homes: np.ndarray,
    advert_ids: np.ndarray,
    accepted: np.ndarray,
    winner: np.ndarray,
    n_responses: np.ndarray,
    n_invited: np.ndarray,
    winner_meettijd: np.ndarray,
    candidates_per_round: int,
    days_to_accept: float,
    days_per_extra_round: float,
    days_to_move_in: float,
    w: Any,
) -> None:  # pragma: no cover - compiled
    """What follows a closed batch (model/close.py), advert by advert: the winner takes
    the home after the viewing rounds it took, or the home is advertised again next
    cycle."""
    books = w.books
    for j in range(batch_homes.size):
        h = batch_homes[j]
        if not accepted[j]:
            books.pending[books.counts[st.COUNT_PENDING]] = h
            books.counts[st.COUNT_PENDING] += 1
            continue
        k = n_invited[j]
        rounds = (k - 1) // candidates_per_round
        accept_day = now + days_to_accept + rounds * days_per_extra_round
        let(
            now, h, winner[j], accept_day, accept_day + days_to_move_in, advert_ids[j],
            n_responses[j], k, k - 1, winner_meettijd[j], w,
        )  # fmt: skip


@numba.njit(cache=True)
def schedule_turnover(
    now: float,
    hs: np.ndarray,
    rest: np.ndarray,
    homes: Homes,
    q: Queue,
    counts: np.ndarray,
    horizon: float,
) -> None:  # pragma: no cover - compiled
    """Engine._schedule_turnover: each home falls vacant when its tenant leaves
    (demography) or, if earlier, on `rest`, its draw of the remaining turnover hazard."""
    for k in range(hs.size):
        h = hs[k]
        first = min(rest[k], max(homes.tenant_exit[h], now))
        why = 0 if rest[k] <= first else homes.tenant_reason[h]
        schedule_vacancy(q, counts, homes, now, horizon, h, first, _TURNOVER, 0, 0, why)


# ------------------------------------------------------------ movers from the stock


@numba.njit(cache=True)
def free_homes(
    status: np.ndarray, tenant: np.ndarray, next_cause: np.ndarray
) -> np.ndarray:  # pragma: no cover - compiled
    """Occupied homes without a listed tenant, whose tenant is not serving notice after
    accepting another home: those a new mover from the stock may be the tenant of."""
    out = np.empty(status.size, np.int64)
    n = 0
    for h in range(status.size):
        if status[h] == OCCUPIED and tenant[h] < 0 and next_cause[h] != _CHAIN:
            out[n] = h
            n += 1
    return out[:n]


@numba.njit(cache=True)
def pick_free(
    free: np.ndarray, keys: np.ndarray, stream: np.uint64
) -> np.ndarray:  # pragma: no cover - compiled
    """Distinct homes of `free` for the households of `keys`, in turn, at most one each:
    household j takes the free home at its keyed uniform's place among those left (the
    last one left takes the taken one's place)."""
    left = free.copy()
    m = left.size
    k = min(keys.size, m)
    out = np.empty(k, np.int64)
    for j in range(k):
        x = min(int(_uniform(stream, keys[j], np.uint64(0)) * m), m - 1)
        out[j] = left[x]
        left[x] = left[m - 1]
        m -= 1
    return out


@numba.njit(cache=True)
def place_movers(
    movers: np.ndarray,
    homes: np.ndarray,
    keep_dates: bool,
    adult_days: float,
    s: Seekers,
    h: Homes,
    village: np.ndarray,
    village_municipality: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """The first `homes.size` movers become the tenants of `homes` (engine._give_homes);
    the rest come from elsewhere."""
    for j in range(homes.size):
        m, home = movers[j], homes[j]
        s.home[m] = home
        h.tenant[home] = m
        h.tenant_size[home] = s.household_size[m]
        if keep_dates:  # the household is the home's tenant from now
            h.tenant_birth[home] = s.birth_day[m]
            h.tenant_exit[home] = s.exit_day[m]
            h.tenant_reason[home] = s.exit_reason[m]
            h.tenant_exit_since[home] = s.exit_since[m]
        else:  # the household is the home's tenant, who registers now
            s.birth_day[m] = h.tenant_birth[home]
            s.exit_day[m] = h.tenant_exit[home]
            s.exit_reason[m] = h.tenant_reason[home]
            s.exit_since[m] = h.tenant_exit_since[home]
            adult = s.birth_day[m] + adult_days  # no registration before 18 (Entree)
            reg = h.reg_day[home]
            s.meettijd_start[m] = np.nan if np.isnan(reg) or np.isnan(adult) else max(reg, adult)
        h.reg_day[home] = s.meettijd_start[m]
        v = village[home]
        s.village_mask[m] |= np.uint32(1) << np.uint32(v)
        s.origin_municipality[m] = village_municipality[v]
        s.origin_village[m] = v
    for j in range(homes.size, movers.size):  # more movers than free homes: rare
        s.kind[movers[j]] = _MOVER_ELSEWHERE
