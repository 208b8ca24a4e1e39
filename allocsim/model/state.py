"""The model's state as typed columns, for compiled code.

Every table is a NamedTuple of numpy arrays: the engine owns the arrays (and grows
them between kernel calls), the kernels read and write them in place. `Seekers` is
the household table (`world.SEEKER_FIELDS`), `Homes` the homes' changing columns,
`Fixed` what the stock says of each home, `Books` the rules' counts and the queues,
`Queue` the homes' scheduled events, `LettingRows` the lettings table being written.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numba
import numpy as np


class Seekers(NamedTuple):
    """Every household ever registered (world.SEEKER_FIELDS, in that order)."""

    kind: np.ndarray
    priority: np.ndarray
    birth_day: np.ndarray
    household_size: np.ndarray
    income: np.ndarray
    meettijd_start: np.ndarray
    entry_day: np.ndarray
    village_mask: np.ndarray
    origin_municipality: np.ndarray
    origin_village: np.ndarray
    senior_only: np.ndarray
    active: np.ndarray
    intensity: np.ndarray
    leave_rate: np.ndarray
    leave_chance: np.ndarray
    state: np.ndarray
    home: np.ndarray
    end_day: np.ndarray
    n_responses: np.ndarray
    first_response_day: np.ndarray
    last_response_day: np.ndarray
    search_start_day: np.ndarray
    search_from_day: np.ndarray
    exit_day: np.ndarray
    exit_reason: np.ndarray
    exit_since: np.ndarray
    leave_day: np.ndarray
    switch_day: np.ndarray
    look_day: np.ndarray
    due_day: np.ndarray
    left_reason: np.ndarray
    key: np.ndarray


@numba.njit(cache=True)
def copy_rows(src: Seekers, lo: int, hi: int, dst: Seekers, at: int) -> None:  # pragma: no cover
    """Rows lo..hi of `src`, every column, into `dst` from row `at` (tests/model/test_kernels.py
    checks that no column is left out)."""
    for i in range(hi - lo):
        j, k = at + i, lo + i
        dst.kind[j] = src.kind[k]
        dst.priority[j] = src.priority[k]
        dst.birth_day[j] = src.birth_day[k]
        dst.household_size[j] = src.household_size[k]
        dst.income[j] = src.income[k]
        dst.meettijd_start[j] = src.meettijd_start[k]
        dst.entry_day[j] = src.entry_day[k]
        dst.village_mask[j] = src.village_mask[k]
        dst.origin_municipality[j] = src.origin_municipality[k]
        dst.origin_village[j] = src.origin_village[k]
        dst.senior_only[j] = src.senior_only[k]
        dst.active[j] = src.active[k]
        dst.intensity[j] = src.intensity[k]
        dst.leave_rate[j] = src.leave_rate[k]
        dst.leave_chance[j] = src.leave_chance[k]
        dst.state[j] = src.state[k]
        dst.home[j] = src.home[k]
        dst.end_day[j] = src.end_day[k]
        dst.n_responses[j] = src.n_responses[k]
        dst.first_response_day[j] = src.first_response_day[k]
        dst.last_response_day[j] = src.last_response_day[k]
        dst.search_start_day[j] = src.search_start_day[k]
        dst.search_from_day[j] = src.search_from_day[k]
        dst.exit_day[j] = src.exit_day[k]
        dst.exit_reason[j] = src.exit_reason[k]
        dst.exit_since[j] = src.exit_since[k]
        dst.leave_day[j] = src.leave_day[k]
        dst.switch_day[j] = src.switch_day[k]
        dst.look_day[j] = src.look_day[k]
        dst.due_day[j] = src.due_day[k]
        dst.left_reason[j] = src.left_reason[k]
        dst.key[j] = src.key[k]


class Homes(NamedTuple):
    """What changes for each home (Engine's per-home columns)."""

    status: np.ndarray  # int8: OCCUPIED, VACANT, NOT_BUILT, WITHDRAWN
    tenancy: np.ndarray  # int64: token of the scheduled vacancy (later ones supersede)
    attempt: np.ndarray  # int64: adverts of the current vacancy
    tenant: np.ndarray  # int64: the tenant's row in Seekers while it is registered, else -1
    reg_day: np.ndarray  # the tenant's registration date (NaN while vacant)
    tenant_birth: np.ndarray
    tenant_exit: np.ndarray
    tenant_reason: np.ndarray  # int8: demography.Exit
    tenant_size: np.ndarray  # int8: the tenant household's size (its exit depends on it)
    tenant_exit_since: np.ndarray  # the tenant's exit is drawn as of this day
    tenancy_start: np.ndarray
    departure: np.ndarray  # int8: why the scheduled vacancy comes (demography.Exit)
    next_cause: np.ndarray  # int8: VacancyCause of the scheduled vacancy
    vacancy_day: np.ndarray
    cause: np.ndarray  # int8: VacancyCause of the current vacancy
    chain_id: np.ndarray  # int64
    chain_pos: np.ndarray  # int32
    channel: np.ndarray  # int8: Channel
    rule: np.ndarray  # int8: domain.Rule
    starter_priority: np.ndarray  # bool
    senior_priority: np.ndarray  # bool


class Fixed(NamedTuple):
    """What the stock says of each home (world.Stock), as compiled code reads it."""

    municipality: np.ndarray  # int64
    village: np.ndarray  # int64
    neighbourhood: np.ndarray  # int64
    bedrooms: np.ndarray  # int64
    rent_2021: np.ndarray
    senior_suitable: np.ndarray  # bool
    first_channel: np.ndarray  # int64: a new-build project's first channel, -1 none
    turnover_per_year: np.ndarray
    home_id: np.ndarray  # int64
    village_municipality: np.ndarray  # int64, per village


class Books(NamedTuple):
    """The rules' counts per calendar year and the queues (year slot = year - year0).

    `ledger[y, m, LEDGER_*]` is `policies/ledger.Ledger` of municipality m (a year is
    `touched` once anything asked for its ledger); `custom[y, hood, 0 | 1]` lettings and
    urgent lettings per neighbourhood (custom_rules); `sh_queue[m, :sh_len[m]]` the
    status holders waiting in municipality m, longest first, and `sh_housed[y, m]` the
    persons housed; `pending[:counts[N_PENDING]]` the homes waiting for the next advert
    cycle; `counts` the running numbers (COUNT_*); `waiting[:counts[COUNT_WAITING]]` the
    households that were waiting when last looked at (model/departures.waiting_rows:
    a household never returns to the list, so the weekly passes skip the others)."""

    ledger: np.ndarray  # int64 (years, municipalities, N_LEDGER)
    touched: np.ndarray  # bool (years, municipalities)
    custom: np.ndarray  # int64 (years, neighbourhoods, 2)
    sh_queue: np.ndarray  # int64 (municipalities, capacity)
    sh_len: np.ndarray  # int64 (municipalities,)
    sh_housed: np.ndarray  # int64 (years, municipalities)
    pending: np.ndarray  # int64 (homes,)
    counts: np.ndarray  # int64 (N_COUNTS,)
    waiting: np.ndarray  # int64 (household capacity,): waiting rows, ascending


# Columns of a ledger row: Ledger's fields (the lottery uses in LOTTERY_USES order).
(
    LEDGER_VACANCIES,
    LEDGER_GRANTED,  # + use (3)
    _G1,
    _G2,
    LEDGER_REQUESTED,  # + use (3)
    _R1,
    _R2,
    LEDGER_STARTER_LOTTERY,
    LEDGER_STARTER_OFFER,
    LEDGER_STARTER_DISPLACED,
    LEDGER_DIRECT,
    LEDGER_DIRECT_REFUSED,
    LEDGER_LETTINGS,
    LEDGER_ABOVE_LIMIT,
    LEDGER_TRANSFORMED,
    N_LEDGER,
) = range(16)

# Running numbers in Books.counts.
(
    COUNT_EID,
    COUNT_CHAIN,
    COUNT_SEEKERS,
    COUNT_PENDING,
    COUNT_LETTINGS,
    COUNT_QUEUE,
    COUNT_RESPONSES,
    COUNT_OFFERS,
    COUNT_ADVERTS,
    COUNT_WAITING,
    COUNT_SCANNED,
    COUNT_LAST_DEPARTURES,  # the day of the last weekly departures pass (model/events.py)
    COUNT_LAST_ROUND,  # the day of the last advert round
    N_COUNTS,
) = range(14)


class Queue(NamedTuple):
    """The homes' scheduled events, a binary heap on (time, eid) of `size` entries: the
    eid is simpy's event counter, shared with the engine's own events, so events at
    one time happen in the order they were scheduled, whoever scheduled them."""

    time: np.ndarray
    eid: np.ndarray  # int64
    what: np.ndarray  # int8: EVENT_*
    home: np.ndarray  # int64
    arg: np.ndarray  # int64: vacancy: token; move-in: the household
    cause: np.ndarray  # int8: vacancy cause
    chain: np.ndarray  # int64
    pos: np.ndarray  # int32


EVENT_VACANCY, EVENT_MOVE_IN, EVENT_WITHDRAW = range(3)


class LettingRows(NamedTuple):
    """The lettings table being written (records.TABLES['lettings'], codes for labels)."""

    day: np.ndarray
    home: np.ndarray  # int64: the home's index (home_id, municipality, ... follow)
    channel: np.ndarray  # int8
    rule: np.ndarray  # int8
    starter_priority: np.ndarray
    seeker_id: np.ndarray  # int64
    seeker_kind: np.ndarray  # int8
    age: np.ndarray
    household_size: np.ndarray  # int8
    income: np.ndarray
    above_income_limit: np.ndarray
    meettijd_days: np.ndarray
    search_days: np.ndarray
    n_responses: np.ndarray  # int32
    winner_rank: np.ndarray  # int32
    n_refused: np.ndarray  # int32
    vacant_days: np.ndarray
    vacancy_cause: np.ndarray  # int8
    departure: np.ndarray  # int8: demography.Exit; -1: empty (not a turnover vacancy)
    chain_id: np.ndarray  # int64
    chain_position: np.ndarray  # int32
    freed_home: np.ndarray  # int64: index of the freed home, -1 none
    origin_village: np.ndarray  # int64
    advert_id: np.ndarray  # int64


LETTING_DTYPES = {
    "day": np.float64,
    "home": np.int64,
    "channel": np.int8,
    "rule": np.int8,
    "starter_priority": np.bool_,
    "seeker_id": np.int64,
    "seeker_kind": np.int8,
    "age": np.float64,
    "household_size": np.int8,
    "income": np.float64,
    "above_income_limit": np.bool_,
    "meettijd_days": np.float64,
    "search_days": np.float64,
    "n_responses": np.int32,
    "winner_rank": np.int32,
    "n_refused": np.int32,
    "vacant_days": np.float64,
    "vacancy_cause": np.int8,
    "departure": np.int8,
    "chain_id": np.int64,
    "chain_position": np.int32,
    "freed_home": np.int64,
    "origin_village": np.int64,
    "advert_id": np.int64,
}


class ResponseRows(NamedTuple):
    """The responses table being written (records.TABLES['responses'])."""

    day: np.ndarray
    seeker_id: np.ndarray  # int64
    advert_id: np.ndarray  # int64


class OfferRows(NamedTuple):
    """The offers table being written (codes for labels, the home's index)."""

    day: np.ndarray
    advert_id: np.ndarray  # int64
    home: np.ndarray  # int64
    channel: np.ndarray  # int8
    seeker_id: np.ndarray  # int64
    rank: np.ndarray  # int32
    priority: np.ndarray  # int8
    meettijd_days: np.ndarray
    outcome: np.ndarray  # int8


class AdvertRows(NamedTuple):
    """The adverts table being written (codes for labels, the home's index)."""

    advert_id: np.ndarray  # int64
    home: np.ndarray  # int64
    channel: np.ndarray  # int8
    rule: np.ndarray  # int8
    starter_priority: np.ndarray  # bool
    publish_day: np.ndarray
    close_day: np.ndarray
    n_responses: np.ndarray  # int64
    n_priority: np.ndarray  # int64
    let: np.ndarray  # bool


RESPONSE_DTYPES = (np.float64, np.int64, np.int64)
OFFER_DTYPES = (
    np.float64,
    np.int64,
    np.int64,
    np.int8,
    np.int64,
    np.int32,
    np.int8,
    np.float64,
    np.int8,
)
ADVERT_DTYPES = (
    np.int64,
    np.int64,
    np.int8,
    np.int8,
    np.bool_,
    np.float64,
    np.float64,
    np.int64,
    np.int64,
    np.bool_,
)


class Calendar(NamedTuple):
    """Calendar facts per whole day from `first_day` (index floor(day) - first_day, as
    domain.date_of floors: homes._slot): year, month, the slot of the year's income and
    rent limits (held at start_date in the burn-in) and the rent indexation."""

    first_day: int
    year: np.ndarray  # int64
    month: np.ndarray  # int64
    price_slot: np.ndarray  # int64: row of YearLimits
    rent_factor: np.ndarray
    year0: int  # the first year of Books' year slots


class YearLimits(NamedTuple):
    """policies/eligibility.Limits per price year (rows), for compiled code."""

    min_household: np.ndarray  # int64 (years, bedrooms)
    max_household: np.ndarray
    income_single: np.ndarray
    income_multi: np.ndarray
    allowance_single: np.ndarray
    allowance_single_pension: np.ndarray
    allowance_multi: np.ndarray
    allowance_multi_pension: np.ndarray
    rent_cap_small: np.ndarray
    rent_cap_large: np.ndarray
    pension_age: float


class RuleTerms(NamedTuple):
    """The vacancy rules' settings under one set of policies (PoliciesConfig), per
    municipality or village where they differ."""

    transform_share: float  # transformation (1.1, 3.1)
    transform_min_bedrooms: int
    sh_enabled: bool  # status holders (1.13)
    sh_cap_share: float
    sp_enabled: bool  # starter pilot (1.6)
    sp_quota: np.ndarray  # int64 per municipality
    sp_lottery: np.ndarray  # int64 per municipality: its lottery labels
    sp_offer: np.ndarray  # int64 per municipality: its offer-model labels
    sp_max_bedrooms: int
    sp_max_rent: float
    sp_first_come: bool  # pacing 'first_come'; else paced by month
    vr_enabled: bool  # village rule (1.8)
    vr_village: np.ndarray  # bool per village
    vr_senior: bool  # senior priority option set
    gl_share: np.ndarray  # general lottery share per municipality
    cap_enabled: bool  # lottery cap (1.8, footnote)
    cap_share: np.ndarray  # per municipality
    precedence: np.ndarray  # int64: lottery uses (LOTTERY_USES codes) in precedence order
    sp_max_age: float  # the starter pilot's label group (model/labels.LabelRules)
    sp_max_household: int
    vr_senior_age: float  # the village rule's senior option; NaN: off
    fr_room: np.ndarray  # bool per home: the free room's neighbourhoods (4.10)
    fr_cap: float
    cu_above: np.ndarray  # bool per neighbourhood: priority above the allowance limit
    cu_urgent_cap: np.ndarray  # per neighbourhood: cap on urgent lettings (NaN: none)


class Settings(NamedTuple):
    """What the home events read besides the state: time, the rules in force before
    and from the policy start, the demography-free settings of lettings and moves."""

    horizon: float
    policy_day: float
    history: RuleTerms
    current: RuleTerms
    notice_days: float
    direct_allocation_days: float
    p_refuse_direct: float
    meettijd_entree: bool  # seekers.meettijd_rule == 'entree_2013'
    stay_registered: bool  # seekers.housed_stay_registered
    reregister_intensity: float  # a re-registered tenant's looks per week (mover_stock)
    reregister_leave_rate: float  # per day
    reregister_leave_chance: float  # per week
    turnover_trend: float  # stock.turnover_trend_per_year
    trend_base: float
    vacancy_stream: np.uint64
    label_stream: np.uint64
    transform_stream: np.uint64
    events: Any  # model/events.Terms: a waiting household's weekly chances as event times
    listing_stream: np.uint64
    taste_stream: np.uint64
    viewing_stream: np.uint64
    reach_stream: np.uint64
    lot_stream: np.uint64
    beh: Any  # model/responses.Behaviour
    p_unreachable: float
    no_show_margin: float
    candidates_per_round: int
    days_to_accept: float
    days_per_extra_round: float
    days_to_move_in: float
    memory_alpha: float
    n_cells: int
    record_offers: bool
