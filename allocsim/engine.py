"""The engine: the schedule, the seeding, registrations and records around the
compiled week.

The engine holds the state (as arrays, `allocsim/model/state.py`) and time: simpy
schedules its own events (the weekly advert round, registrations and departures, the
rules' monthly and half-yearly ticks), and the homes' events (vacancies, lettings,
move-ins, demolitions) wait in a compiled queue that shares simpy's event counter
(`allocsim/model/homes.py`), so events at one time run in the order they were
scheduled. What happens to a home or an advert, and every rule that decides it, runs
compiled in `allocsim/model/`; the rules' Python hooks (`allocsim.policies`) prepare
their settings, run their own ticks and report their quota rows. It emits event
records through a `Recorder` and nothing else.
Randomness: every draw that decides something about a household, a home or an
advert is keyed by it (`allocsim.keyed`: the household's key and the week, the home
and its tenancy, the advert and the household), so a policy change leaves the draws
of households and homes it never touched as they were. Only the draws that create
households (the seed list, registrations, status holders, sheltered outflow) come
from sequential generators, one per source, whatever the policies.

A run starts `run.burnin_years` before `run.start_date` from a seed state and reaches
the model's own steady state with every trend held at its start-date level; only
days >= 0 are recorded. Every scheduled action is a bound method or a `partial` of
one, never a closure or a generator, so an engine can be deep-copied at
`run.policy_start` and continued under several scenarios (`simulate_scenarios`).
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import simpy

from allocsim import keyed, pilot_cache
from allocsim.config import DWELLING_TYPES, SEEKER_KINDS, Config, PoliciesConfig
from allocsim.demography import EXIT_LABELS, Demography
from allocsim.domain import (
    CAUSE_LABELS,
    CHANNEL_LABELS,
    DAYS_PER_YEAR,
    GROUP_LABELS,
    KEY_ARRIVAL,
    KEY_LIST,
    KEY_SEED,
    KEY_TENANT,
    KIND_LABELS,
    NOT_BUILT,
    OCCUPIED,
    OUTCOME_LABELS,
    RULE_LABELS,
    SEEKER_STATE_LABELS,
    Kind,
    Outcome,
    SeekerState,
    VacancyCause,
    assign_group,
    date_of,
    day_of,
)
from allocsim.model import events, responses, seeds
from allocsim.model import homes as mh
from allocsim.model import state as ms
from allocsim.model import week as mk
from allocsim.model import world as mw
from allocsim.policies import DIRECT_STREAM, RULES, behaviour
from allocsim.policies.eligibility import (
    Limits,
    rent_factor,
)
from allocsim.policies.ledger import Ledger
from allocsim.policies.terms import rule_terms
from allocsim.records import Coded, Recorder, Records
from allocsim.waiting_list import WaitingList, band_incomes, load_waiting_list
from allocsim.world import (
    SEEKER_FIELDS,
    SeekerTable,
    Stock,
    complete_rows,
    draw_seekers,
    truncated_normal,
)

# Sequential generators: the draws that create households (the rules' own too). Every
# stream, sequential or keyed, is spawned by its name (model/seeds.py).
STREAMS = ("initial_list", "arrivals", *(name for rule in RULES for name in rule.streams))
# Keyed streams (allocsim.keyed), named by what they decide.
KEYED = (
    "vacancy",  # home, tenancy: when it falls vacant
    "label",  # home, tenancy: the channel-labelling lot
    "transform",  # home, tenancy: whether it leaves social letting
    "leave",  # household, week: leaves the list
    "activity",  # household, week: starts or stops searching
    "look",  # household, week: looks at the adverts
    "taste",  # household, home: what the home is worth to it
    "view",  # household, home, tenancy: what the viewing reveals
    "reach",  # household, advert: cannot be reached when invited
    "lot",  # advert, household: lottery number (tie-break in the offer model)
    "exit",  # household: its demographic exit (death, care, moving away)
    "listing",  # household, advert: where the advert stands in its saved search
    "home",  # household: which free home a mover from the stock rents
)
WEEK = 7.0
ADULT_AGE = 18.0  # Entree registers adults
SEED_EXIT_PER_YEAR = 0.03  # a profile seed's tenants' own exits, for their tenancies' ages
# Columns a household keeps when it stays registered after a move.
REREGISTER_KEPT = (
    "birth_day",
    "household_size",
    "income",
    "village_mask",
    "senior_only",
    "exit_day",
    "exit_reason",
)

# Plain ints for the hot path: attribute access on an IntEnum class is slow.
WAITING = int(SeekerState.WAITING)
STATUS_HOLDER_KIND = int(Kind.STATUS_HOLDER)
ACCEPTED = int(Outcome.ACCEPTED)


def replication_seed(root_seed: int, replication: int) -> np.random.SeedSequence:
    """Child `replication` of the root: the same child in every scenario (CRN)."""
    return np.random.SeedSequence(root_seed, spawn_key=(replication,))


class _Call:
    """A simpy callback that runs `fn()`; deep-copies with its engine (unlike a lambda)."""

    __slots__ = ("fn",)

    def __init__(self, fn: Callable[[], None]):
        self.fn = fn

    def __call__(self, _event: object) -> None:
        self.fn()


@dataclass(frozen=True)
class PolicyView:
    """One set of policies and what each rule precomputes from it (`Rule.prepare`)."""

    policies: PoliciesConfig
    prepared: dict[str, object]

    @classmethod
    def of(cls, policies: PoliciesConfig, stock: Stock) -> PolicyView:
        return cls(policies, {rule.name: rule.prepare(policies, stock) for rule in RULES})


@dataclass(frozen=True)
class SeedState:
    """A pilot's end state: waiting households (SeekerTable columns), the homes'
    registration dates and their tenants (TENANT_FIELDS), as days of the pilot's own
    clock (`day` is its end)."""

    day: float
    seekers: dict[str, np.ndarray]
    reg_day: np.ndarray
    tenants: dict[str, np.ndarray]


# Each home's tenant, listed or not: its head's birth, its demographic exit and why.
TENANT_FIELDS = (
    "tenant_birth",
    "tenant_exit",
    "tenant_reason",
    "tenant_size",
    "tenant_exit_since",
    "tenancy_start",
)
TENANT_TIMES = ("tenant_birth", "tenant_exit", "tenant_exit_since", "tenancy_start")


# Seeker columns that hold days, shifted when a pilot's state seeds another clock.
TIME_FIELDS = (
    "birth_day",
    "meettijd_start",
    "entry_day",
    "first_response_day",
    "last_response_day",
    "search_start_day",
    "search_from_day",
    "exit_day",
    "exit_since",
)


@dataclass
class Batch:
    """Adverts published together and closed together; `keys` identify each advert by
    its home, tenancy and attempt (for keyed draws), `advert_ids` number them; the
    responders of advert j are `responders[start[j]:start[j + 1]]`, by household."""

    advert_ids: np.ndarray
    homes: np.ndarray
    keys: np.ndarray
    start: np.ndarray
    responders: np.ndarray


def _queue(capacity: int) -> ms.Queue:
    """An empty event queue with room for `capacity` entries."""
    dtypes = (np.float64, np.int64, np.int8, np.int64, np.int64, np.int8, np.int64, np.int32)
    return ms.Queue(*(np.zeros(capacity, dtype=t) for t in dtypes))


def _letting_rows(capacity: int) -> ms.LettingRows:
    return ms.LettingRows(*(np.zeros(capacity, dtype=t) for t in ms.LETTING_DTYPES.values()))


def _grown(table: Any, used: int, capacity: int) -> Any:
    """A NamedTuple of arrays with the first `used` rows of `table` and room for
    `capacity` (growing the first axis)."""
    out = []
    for col in table:
        new = np.zeros((capacity, *col.shape[1:]), dtype=col.dtype)
        new[:used] = col[:used]
        out.append(new)
    return type(table)(*out)


def _leave_chance(leave_rate: np.ndarray) -> np.ndarray:
    """The chance of leaving the list in a week for other reasons, at a daily rate."""
    return 1.0 - np.exp(-leave_rate * WEEK)


def household_keys(origin: int, *index: np.ndarray | int) -> np.ndarray:
    """Keys of households created by `origin` (KEY_*) with the given running numbers."""
    return keyed.hash_keys(0, origin, *index)


class Engine:
    def __init__(
        self,
        cfg: Config,
        stock: Stock,
        seed: np.random.SeedSequence,
        replication: int,
        record_offers: bool = True,
        t0: float | None = None,
    ):
        self.record_offers = record_offers
        self.cfg = cfg
        self.stock = stock
        self.rng = seeds.generators(seed, STREAMS)
        self.keys = seeds.keyed_seeds(seed, KEYED)
        self.memory = behaviour.Memory.empty(len(stock.villages), cfg.behaviour.memory_adverts)
        self._n_created: dict[int, int] = {}  # households created so far, per origin
        # Day 0 is run.start_date; the burn-in runs on negative days before it.
        self.t0 = -round(cfg.run.burnin_years * DAYS_PER_YEAR) if t0 is None else t0
        self.env = simpy.Environment(initial_time=self.t0)
        self.trend_base = day_of(cfg.run.trend_base_date or cfg.run.start_date, cfg.run.start_date)
        self.start = cfg.run.start_date
        self.horizon = day_of(cfg.run.end_date, self.start)
        self.policy_day = day_of(cfg.policy_start, self.start)
        self.rec = Recorder(replication)
        self.seekers = SeekerTable()
        n = stock.n_homes
        self.status = np.where(stock.completion_day > 0, NOT_BUILT, OCCUPIED).astype(np.int8)
        self.tenancy = np.zeros(n, dtype=np.int64)
        self.attempt = np.zeros(n, dtype=np.int64)  # adverts of the current vacancy
        self.tenant = np.full(n, -1, dtype=np.int64)
        # Registration date of each home's tenant (Entree: registered with the tenancy's
        # woonduur, or the date kept across moves since 2013); NaN while vacant.
        self.reg_day = np.full(n, np.nan)
        # Each home's tenant (allocsim.demography): the head's birth day, the day it
        # leaves for a demographic reason and why; its tenancy's start; and why the
        # home's next vacancy comes (Exit.NONE: the non-demographic remainder).
        self.demography = Demography.of(cfg.demography)
        self.tenant_birth = np.full(n, np.nan)
        self.tenant_exit = np.full(n, np.inf)
        self.tenant_reason = np.zeros(n, dtype=np.int8)
        self.tenant_size = np.ones(n, dtype=np.int8)
        self.tenant_exit_since = np.full(n, np.nan)
        self.tenancy_start = np.full(n, np.nan)
        self.departure = np.zeros(n, dtype=np.int8)
        self.next_cause = np.zeros(n, dtype=np.int8)  # VacancyCause of the scheduled vacancy
        self.vacancy_day = np.zeros(n)
        self.cause = np.zeros(n, dtype=np.int8)
        self.chain_id = np.zeros(n, dtype=np.int64)
        self.chain_pos = np.zeros(n, dtype=np.int32)
        self.channel = np.zeros(n, dtype=np.int8)
        self.rule = np.zeros(n, dtype=np.int8)
        self.starter_priority = np.zeros(n, dtype=bool)
        self.senior_priority = np.zeros(n, dtype=bool)
        self.rule_state: dict[str, Any] = {}  # each rule's own bookkeeping (Rule.start)
        self._next_advert = 1
        # What the response rounds did (model/responses.py): pairs listed, pairs weighed,
        # lookers with a pair, the most pairs one looker weighed in a round.
        self.work = np.zeros(4, dtype=np.int64)
        self._limits: dict[int, Limits] = {}
        self._settings_key = -1
        self._settings_cache: ms.Settings | None = None
        self._world_key: tuple[int, ...] = ()
        self._world_cache: mw.World | None = None
        self._history = PolicyView.of(cfg.history, stock)
        self._current = PolicyView.of(cfg.policies, stock)
        # The compiled model's view of the same arrays (allocsim/model/state.py).
        self.homes = ms.Homes(*(getattr(self, name) for name in ms.Homes._fields))
        self.fixed = ms.Fixed(
            municipality=stock.municipality.astype(np.int64),
            village=stock.village.astype(np.int64),
            neighbourhood=stock.neighbourhood.astype(np.int64),
            bedrooms=stock.bedrooms.astype(np.int64),
            rent_2021=stock.rent_2021.astype(np.float64),
            senior_suitable=stock.senior_suitable.astype(bool),
            first_channel=stock.first_channel.astype(np.int64),
            turnover_per_year=stock.turnover_per_year.astype(np.float64),
            home_id=stock.home_id.astype(np.int64),
            village_municipality=stock.village_municipality.astype(np.int64),
        )
        self.calendar, self.year_limits = self._calendar()
        n_years = int(self.calendar.year[-1]) - self.calendar.year0 + 1
        n_muni, n_hood = len(stock.municipalities), len(stock.neighbourhoods)
        self.books = ms.Books(
            ledger=np.zeros((n_years, n_muni, ms.N_LEDGER), dtype=np.int64),
            touched=np.zeros((n_years, n_muni), dtype=bool),
            custom=np.zeros((n_years, n_hood, 2), dtype=np.int64),
            sh_queue=np.zeros((n_muni, 64), dtype=np.int64),
            sh_len=np.zeros(n_muni, dtype=np.int64),
            sh_housed=np.zeros((n_years, n_muni), dtype=np.int64),
            pending=np.zeros(n, dtype=np.int64),
            counts=np.zeros(ms.N_COUNTS, dtype=np.int64),
            waiting=np.zeros(self.seekers.capacity, dtype=np.int64),
        )
        self.books.counts[ms.COUNT_CHAIN] = 1
        # The weekly passes held so far (model/events.py): departures from t0 + 7 on,
        # advert rounds from t0 on.
        self.books.counts[ms.COUNT_LAST_DEPARTURES] = int(self.t0)
        self.books.counts[ms.COUNT_LAST_ROUND] = int(self.t0) - int(
            cfg.allocation.advert_cycle_days
        )
        self.queue = _queue(2 * n + 1024)
        self.letting_rows = _letting_rows(1024)
        self.response_rows = ms.ResponseRows(*(np.zeros(4096, t) for t in ms.RESPONSE_DTYPES))
        self.offer_rows = ms.OfferRows(*(np.zeros(1024, t) for t in ms.OFFER_DTYPES))
        self.advert_rows = ms.AdvertRows(*(np.zeros(256, t) for t in ms.ADVERT_DTYPES))

    def use_scenario(self, cfg: Config) -> None:
        """Continue under `cfg`, whose history (everything before policy_start) is ours."""
        self.cfg = cfg
        self._current = PolicyView.of(cfg.policies, self.stock)

    @property
    def view(self) -> PolicyView:
        """The rules in force now: the history's before policy_start, then the scenario's."""
        return self._history if self.env.now < self.policy_day else self._current

    @property
    def pol(self) -> PoliciesConfig:
        return self.view.policies

    def policies_of_year(self, year: int) -> PoliciesConfig:
        """The rules in force at the end of `year`: the history's for a year that ends
        before run.policy_start, else the scenario's (whose limits hold from policy_start
        in a year it begins in)."""
        ends = day_of(dt.date(year + 1, 1, 1), self.start)
        return (self._history if ends <= self.policy_day else self._current).policies

    def prepared(self, rule: str, scenario: bool = False) -> Any:
        """What `rule` precomputed from the policies in force (`scenario`: the scenario's)."""
        return (self._current if scenario else self.view).prepared[rule]

    # ------------------------------------------------------------------ helpers

    def turnover_factor(self, day: float) -> float:
        """Trend of the turnover hazard, 1 at run.trend_base_date, held at its start-date
        level during the burn-in (drawn when a tenancy starts)."""
        g = self.cfg.stock.turnover_trend_per_year
        day = max(day, 0.0)
        return float((1.0 + g) ** ((day - self.trend_base) / DAYS_PER_YEAR)) if g else 1.0

    def village_label(self, code: int) -> str:
        return self.stock.villages[code] if code < len(self.stock.villages) else "outside"

    def date(self, day: float) -> dt.date:
        return date_of(day, self.start)

    def price_date(self, day: float) -> dt.date:
        """The date whose rents and income limits apply: held at start_date in the burn-in."""
        return date_of(max(day, 0.0), self.start)

    def limits(self, day: float) -> Limits:
        return self.limits_of(self.price_date(day).year)

    def ledger(self, year: int, muni: int) -> Ledger:
        """The ledger of a municipality's year as it stands (a copy: the compiled events
        keep the counts, model/state.Books)."""
        y = year - self.calendar.year0
        self.books.touched[y, muni] = True
        return Ledger.of_row(self.books.ledger[y, muni])

    def _calendar(self) -> tuple[ms.Calendar, ms.YearLimits]:
        """Calendar facts and the year's limits per whole day of the run (model/state)."""
        first = math.floor(min(self.t0, 0.0)) - 1
        last = int(self.horizon) + 2
        days = np.arange(first, last + 1)
        dates = np.datetime64(self.start) + days.astype("timedelta64[D]")
        year = dates.astype("datetime64[Y]").astype(np.int64) + 1970
        month = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
        # The price date is held at start_date in the burn-in (Engine.price_date).
        price = np.maximum(days, 0)
        price_year, price_month = year[price - first], month[price - first]
        years = list(range(int(price_year.min()), int(price_year.max()) + 1))
        limits = [self.limits_of(y) for y in years]
        increase = self.cfg.stock.rent_increase_per_year
        factors = {
            (int(y), int(m)): rent_factor(dt.date(int(y), int(m), 1), increase)
            for y, m in set(zip(price_year.tolist(), price_month.tolist(), strict=True))
        }
        calendar = ms.Calendar(
            first_day=int(first),
            year=year,
            month=month,
            price_slot=price_year - years[0],
            rent_factor=np.array(
                [
                    factors[y, m]
                    for y, m in zip(price_year.tolist(), price_month.tolist(), strict=True)
                ]
            ),
            year0=int(year.min()),
        )
        return calendar, ms.YearLimits(
            min_household=np.array([lim.min_household for lim in limits], dtype=np.int64),
            max_household=np.array([lim.max_household for lim in limits], dtype=np.int64),
            income_single=np.array([lim.income_single for lim in limits]),
            income_multi=np.array([lim.income_multi for lim in limits]),
            allowance_single=np.array([lim.allowance_single for lim in limits]),
            allowance_single_pension=np.array([lim.allowance_single_pension for lim in limits]),
            allowance_multi=np.array([lim.allowance_multi for lim in limits]),
            allowance_multi_pension=np.array([lim.allowance_multi_pension for lim in limits]),
            rent_cap_small=np.array([lim.rent_cap_small for lim in limits]),
            rent_cap_large=np.array([lim.rent_cap_large for lim in limits]),
            pension_age=float(limits[0].pension_age),
        )

    def limits_of(self, year: int) -> Limits:
        if year not in self._limits:
            self._limits[year] = Limits.for_year(self.cfg.eligibility, year)
        return self._limits[year]

    def _settings(self) -> ms.Settings:
        """What the compiled home events read (model/state.Settings), under our cfg."""
        key = id(self.cfg)
        if self._settings_key != key:
            cfg = self.cfg
            profile = cfg.seekers.kinds["mover_stock"]
            self._settings_cache = ms.Settings(
                horizon=float(self.horizon),
                policy_day=float(self.policy_day),
                history=rule_terms(self._history.policies, self._history.prepared, self.stock),
                current=rule_terms(self._current.policies, self._current.prepared, self.stock),
                notice_days=float(cfg.stock.notice_days),
                direct_allocation_days=float(cfg.allocation.direct_allocation_days),
                p_refuse_direct=float(cfg.allocation.p_refuse_direct),
                meettijd_entree=cfg.seekers.meettijd_rule == "entree_2013",
                stay_registered=bool(cfg.seekers.housed_stay_registered),
                reregister_intensity=float(profile.looks_per_week),
                reregister_leave_rate=profile.leave_per_year / DAYS_PER_YEAR,
                reregister_leave_chance=float(
                    _leave_chance(np.array([profile.leave_per_year / DAYS_PER_YEAR]))[0]
                ),
                turnover_trend=float(cfg.stock.turnover_trend_per_year),
                trend_base=float(self.trend_base),
                vacancy_stream=np.uint64(self.keys["vacancy"]),
                label_stream=np.uint64(self.keys["label"]),
                transform_stream=np.uint64(self.keys["transform"]),
                events=self._event_terms(),
                listing_stream=np.uint64(self.keys["listing"]),
                taste_stream=np.uint64(self.keys["taste"]),
                viewing_stream=np.uint64(self.keys["view"]),
                reach_stream=np.uint64(self.keys["reach"]),
                lot_stream=np.uint64(self.keys["lot"]),
                beh=self._behaviour_terms(),
                p_unreachable=float(cfg.behaviour.p_unreachable),
                no_show_margin=float(cfg.behaviour.no_show_margin),
                candidates_per_round=int(cfg.allocation.candidates_per_round),
                days_to_accept=float(cfg.allocation.days_to_accept),
                days_per_extra_round=float(cfg.allocation.days_per_extra_round),
                days_to_move_in=float(cfg.allocation.days_to_move_in),
                memory_alpha=float(self.memory.alpha),
                n_cells=int(self.memory.n_cells),
                record_offers=bool(self.record_offers),
            )
            self._settings_key = key
        assert self._settings_cache is not None
        return self._settings_cache

    def _event_terms(self) -> events.Terms:
        """What a waiting household's event times depend on (model/events.py)."""
        sc, beh = self.cfg.seekers, self._behaviour_terms()
        return events.Terms(
            t0=float(self.t0),
            horizon=float(self.horizon),
            cycle_days=float(self.cfg.allocation.advert_cycle_days),
            passive_rate=float(beh.passive_rate),
            cycle_weeks=float(beh.cycle_weeks),
            p_activate=1.0 - math.exp(-sc.activation_per_year * WEEK / DAYS_PER_YEAR),
            p_deactivate=1.0 - math.exp(-sc.deactivation_per_year * WEEK / DAYS_PER_YEAR),
            leave_stream=np.uint64(self.keys["leave"]),
            activity_stream=np.uint64(self.keys["activity"]),
            look_stream=np.uint64(self.keys["look"]),
        )

    def _world(self) -> mw.World:
        """The state behind one handle for the compiled passes (model/world.py), rebuilt
        when a table has grown or the settings changed."""
        self._waiting_room()
        key = (
            id(self.seekers.cols["state"]),
            id(self.queue),
            id(self.letting_rows),
            id(self.books),
            id(self._settings()),
            id(self.response_rows),
            id(self.offer_rows),
            id(self.advert_rows),
        )
        if self._world_key != key:
            m = self.memory
            self._world_cache = mw.make_world(
                self._seekers_view(),
                self.homes,
                self.fixed,
                self.books,
                self.queue,
                self.letting_rows,
                self.calendar,
                self.year_limits,
                self._settings(),
                mw.MemoryArrays(*(getattr(m, f) for f in mw.MemoryArrays._fields)),
                self.work,
                self.response_rows,
                self.offer_rows,
                self.advert_rows,
            )
            self._world_key = key
        assert self._world_cache is not None
        return self._world_cache

    def _seekers_view(self) -> ms.Seekers:
        cols = self.seekers.cols
        return ms.Seekers(*(cols[name] for name in ms.Seekers._fields))

    def _make_room(
        self,
        seekers: int,
        lettings: int,
        queue: int,
        responses: int = 0,
        offers: int = 0,
        adverts: int = 0,
    ) -> None:
        """Grow the household table, the record rows and the queue to hold at least
        this many more."""
        counts = self.books.counts
        for attr, count, more in (
            ("response_rows", ms.COUNT_RESPONSES, responses),
            ("offer_rows", ms.COUNT_OFFERS, offers),
            ("advert_rows", ms.COUNT_ADVERTS, adverts),
        ):
            rows = getattr(self, attr)
            used, cap = int(counts[count]), rows[0].size
            if used + more > cap:
                setattr(self, attr, _grown(rows, used, max(2 * cap, used + more)))
        counts[ms.COUNT_SEEKERS] = self.seekers.n
        if self.seekers.n + seekers > self.seekers.capacity:
            self.seekers.reserve(self.seekers.n + seekers)
        used = int(counts[ms.COUNT_LETTINGS])
        cap = self.letting_rows.day.size
        if used + lettings > cap:
            self.letting_rows = _grown(self.letting_rows, used, max(2 * cap, used + lettings))
        used = int(counts[ms.COUNT_QUEUE])
        cap = self.queue.time.size
        if used + queue > cap:
            self.queue = _grown(self.queue, used, max(2 * cap, used + queue))

    def _waiting_room(self) -> None:
        """The list of waiting rows (Books.waiting) as long as the household table."""
        books = self.books
        if books.waiting.size < self.seekers.capacity:
            waiting = np.zeros(self.seekers.capacity, dtype=np.int64)
            waiting[: books.waiting.size] = books.waiting
            self.books = books._replace(waiting=waiting)

    def _compiled(self, run: Callable[..., Any], *args: Any) -> Any:
        """Call a compiled pass that may schedule home events: it numbers them with
        simpy's own event counter, so they keep their place among the engine's."""
        counts = self.books.counts
        counts[ms.COUNT_EID] = next(self.env._eid)
        counts[ms.COUNT_SEEKERS] = self.seekers.n
        out = run(*args)
        self.env._eid = itertools.count(int(counts[ms.COUNT_EID]))
        self.seekers.n = int(counts[ms.COUNT_SEEKERS])
        return out

    def _home_events(self, until: float, until_eid: int) -> None:
        """Every home event before (until, until_eid) (model/homes.run_events)."""
        q, counts = self.queue, self.books.counts
        if not counts[ms.COUNT_QUEUE]:
            return
        t, e = q.time[0], q.eid[0]
        if t > until or (t == until and (until_eid < 0 or e >= until_eid)):
            return
        while True:
            self._make_room(64, 64, 192)
            world = self._world()
            status, _ = self._compiled(
                mw.w_run_events,
                world,
                until,
                until_eid,
                self.rng[DIRECT_STREAM],
                self.seekers.capacity,
                self.letting_rows.day.size,
                self.queue.time.size,
            )
            if status == mh.DONE:
                return

    def at(self, day: float, callback: Callable[[], None]) -> None:
        """Run `callback` (a bound method or partial) at `day` if that is before the horizon."""
        if day < self.horizon:
            ev = self.env.timeout(max(0.0, day - self.env.now))
            ev.callbacks.append(_Call(callback))

    # -------------------------------------------------------------- initial state

    def setup(self, seed: SeedState | None = None) -> None:
        """The burn-in's seed state (a pilot's end state, resampled, or a list drawn from
        the kind profiles), and the recurring actions scheduled from t0."""
        cfg, stock = self.cfg, self.stock
        rng = self.rng["initial_list"]
        existing = np.flatnonzero(self.status == OCCUPIED)
        rate = stock.turnover_per_year[existing] * self.turnover_factor(self.t0) / DAYS_PER_YEAR
        if seed is None:
            self._seed_from_profiles(existing, rate, rng)
        elif cfg.run.seed_state == "list":
            self._seed_from_pilot(seed, existing, rng, with_list=False)
            self._seed_from_list(load_waiting_list(cfg, stock), rng)
        else:
            self._seed_from_pilot(seed, existing, rng)
        # Each occupied home falls vacant when its tenant leaves (demography) or earlier,
        # after an exponential time at the remaining turnover hazard.
        with np.errstate(divide="ignore"):
            rest = self.t0 + keyed.exponential(self.keys["vacancy"], existing, 0) / rate
        self._schedule_turnover(existing, rest)
        self._make_room(0, 0, 2 * stock.n_homes)  # a completion and a demolition each
        self._compiled(partial(self._schedule_stock_events, float(self.env.now)))
        self._draw_registrations()
        if stock.tenant_birth_day is not None:
            self.at(0.0, self._stock_tenants)
        now = self.env.now
        self.at(now, self.advert_tick)
        self.at(now + WEEK, self.registration_tick)
        self.at(now + WEEK, self.departure_tick)
        for rule in RULES:
            rule.start(self)

    def _seed_from_profiles(
        self, existing: np.ndarray, rate: np.ndarray, rng: np.random.Generator
    ) -> None:
        """Tenants aged as the movers' profile has them (the pilot forgets them), tenancy ages
        exponential at the turnover hazard with the tenants' own exits added (about 3% a
        year, assumption) and begun as adults, registration dates the mover_stock credit
        before that, and a list of registered_per_home households drawn from the kind
        profiles."""
        cfg = self.cfg
        p = cfg.seekers.kinds["mover_stock"]
        years = truncated_normal(rng, p.age_mean, p.age_sd, p.age_min, p.age_max, existing.size)
        adult_days = (years - ADULT_AGE) * DAYS_PER_YEAR
        total = rate + SEED_EXIT_PER_YEAR / DAYS_PER_YEAR
        age = np.minimum(rng.exponential(1.0, size=existing.size) / total, adult_days)
        credit = p.meettijd_credit_years * DAYS_PER_YEAR
        self.reg_day[existing] = self.t0 - age - rng.gamma(2.0, credit / 2.0, existing.size)
        self.reg_day[existing] = np.maximum(self.reg_day[existing], self.t0 - adult_days)
        shares = np.asarray(p.household_size_shares)
        sizes = rng.choice(np.arange(1, 6), size=existing.size, p=shares)
        self.tenancy_start[existing] = self.t0 - age
        self._house_tenants(existing, self.t0 - years * DAYS_PER_YEAR, sizes)
        n = int(round(cfg.seekers.registered_per_home * existing.size))
        kinds = self._draw_kinds(rng, n, "share_initial")
        rows = draw_seekers(cfg, self.stock, rng, kinds, np.full(n, float(self.t0)), initial=True)
        rows["key"] = household_keys(KEY_SEED, np.arange(n))
        idx = self.add_households(rows)
        self._give_homes(idx[kinds == Kind.MOVER_STOCK])

    def _seed_from_pilot(
        self,
        seed: SeedState,
        existing: np.ndarray,
        rng: np.random.Generator,
        with_list: bool = True,
    ) -> None:
        """This replication's draw from the pilot's end state: the homes' registration dates
        and tenants permuted within dwelling type, the waiting list bootstrapped (same size in
        expectation), movers from the stock placed in random homes with those homes' dates.
        Every household's demographic exit is drawn anew, from this replication's exit
        stream, given that it is there since its exit was first drawn (exit_since, so a
        couple is complete with Demography.couple_now): copied from the pilot, the exits would put
        the same departures into every replication of a pilot and correlate their figures
        (benchmarks/pilot_independence.py)."""
        shift = self.t0 - seed.day  # the pilot ended on its own calendar
        dtype = self.stock.dwelling_type[existing]
        pilot_reg = seed.reg_day[existing] + shift
        # Homes take the dates and tenants of the pilot's homes without a listed tenant;
        # the listed tenants drawn below bring their own to theirs (so neither is counted
        # twice).
        listed = np.zeros(self.stock.n_homes, dtype=bool)
        pilot_homes = seed.seekers["home"]
        listed[pilot_homes[pilot_homes >= 0]] = with_list
        unlisted = ~listed[existing]
        for t in np.unique(dtype):
            members = np.flatnonzero(dtype == t)
            source = members[unlisted[members]]
            source = source[np.isfinite(pilot_reg[source])]
            if source.size:
                take = existing[source[rng.integers(0, source.size, size=members.size)]]
                homes = existing[members]
                self.reg_day[homes] = seed.reg_day[take] + shift
                for name in TENANT_FIELDS:
                    moved = name in TENANT_TIMES
                    getattr(self, name)[homes] = seed.tenants[name][take] + (shift if moved else 0)
        housed = existing[np.isfinite(self.tenant_birth[existing])]
        since = self.tenant_exit_since[housed]
        self._house_tenants(housed, self.tenant_birth[housed], self.tenant_size[housed], since)
        if not with_list:
            return
        n_rows = next(iter(seed.seekers.values())).size
        take = rng.integers(0, n_rows, size=rng.poisson(n_rows)) if n_rows else np.zeros(0, int)
        redrawn = ("exit_day", "exit_reason")  # add_households draws them anew (exit_since)
        rows = {key: col[take].copy() for key, col in seed.seekers.items() if key not in redrawn}
        for key in TIME_FIELDS:
            if key in rows:
                rows[key] = rows[key] + shift
        rows["home"] = np.full(take.size, -1, dtype=np.int32)
        rows["key"] = household_keys(KEY_SEED, np.arange(take.size))  # a draw is a new household
        idx = self.add_households(rows)
        # A listed tenant keeps its own date; its (random) home carries it.
        self._give_homes(idx[rows["kind"] == Kind.MOVER_STOCK], keep_dates=True)

    def _seed_from_list(self, wl: WaitingList, rng: np.random.Generator) -> None:
        """The analyst's households, as they are on start_date; a listed tenant's home
        carries its registration date."""
        cfg = self.cfg
        now = float(self.env.now)
        age = (now - wl.birth_day) / DAYS_PER_YEAR
        kind_names = [KIND_LABELS[k] for k in wl.kind]
        profile = [cfg.seekers.kinds[k] for k in kind_names]
        senior = age >= cfg.seekers.senior_age
        idx = self.add_households(
            {
                "kind": wl.kind,
                "priority": np.where(wl.kind == Kind.URGENT, 0, 1).astype(np.int8),
                "birth_day": wl.birth_day + now,
                "household_size": wl.household_size,
                "income": band_incomes(wl, self.limits(now), rng, age),
                "meettijd_start": wl.registration_day + now,
                "entry_day": wl.registration_day + now,
                "village_mask": wl.village_mask,
                "origin_municipality": self.stock.village_municipality[
                    np.where(wl.home >= 0, self.stock.village[wl.home], _first_bit(wl.village_mask))
                ],
                "origin_village": np.where(
                    wl.home >= 0, self.stock.village[wl.home], _first_bit(wl.village_mask)
                ).astype(np.int16),
                "senior_only": senior
                & (rng.random(wl.n) < cfg.seekers.senior_needs_suitable_share),
                "active": wl.active,
                "intensity": np.array([p.looks_per_week for p in profile]),
                "leave_rate": np.array([p.leave_per_year / DAYS_PER_YEAR for p in profile]),
                "home": wl.home,
                "key": household_keys(KEY_LIST, np.arange(wl.n)),
            }
        )
        tenants = wl.home >= 0
        homes = wl.home[tenants]
        self.tenant[homes] = idx[tenants]
        self.reg_day[homes] = wl.registration_day[tenants] + now
        cols = self.seekers.cols
        self.tenant_birth[homes] = cols["birth_day"][idx[tenants]]
        self.tenant_exit[homes] = cols["exit_day"][idx[tenants]]
        self.tenant_reason[homes] = cols["exit_reason"][idx[tenants]]
        self.tenant_size[homes] = cols["household_size"][idx[tenants]]
        self.tenant_exit_since[homes] = cols["exit_since"][idx[tenants]]

    def seed_state(self) -> SeedState:
        """The state a replication's burn-in can start from: the waiting list (status
        holders aside: their queue starts empty) and each home's registration date."""
        cols = self.seekers.cols
        n = self.seekers.n
        waiting = np.flatnonzero(
            (cols["state"][:n] == WAITING) & (cols["kind"][:n] != STATUS_HOLDER_KIND)
        )
        return SeedState(
            day=float(self.env.now),
            seekers={key: cols[key][waiting].copy() for key in SEEKER_FIELDS},
            reg_day=self.reg_day.copy(),
            tenants={name: getattr(self, name).copy() for name in TENANT_FIELDS},
        )

    def _schedule_stock_events(self, now: float) -> None:
        """New homes fall vacant on completion (a first letting) and demolished homes
        leave the stock (a listed tenant becomes urgent, assumption): model/homes.py."""
        stock, q, counts, horizon = self.stock, self.queue, self.books.counts, self.horizon
        for h in np.flatnonzero(self.status == NOT_BUILT).tolist():
            day = float(stock.completion_day[h])
            mh.schedule_vacancy(q, counts, self.homes, now, horizon, h, day, mh._NEW, 0, 0, 0)
        for h in np.flatnonzero(np.isfinite(stock.withdraw_day)).tolist():
            day = float(stock.withdraw_day[h])
            mh.at(q, counts, now, day, horizon, ms.EVENT_WITHDRAW, h, 0, 0, 0, 0)

    def queue_direct(self, muni: int, households: np.ndarray) -> None:
        """Households join the end of their municipality's queue for direct allocation
        (policies.rule.EngineView)."""
        books = self.books
        n = int(books.sh_len[muni])
        need = n + households.size
        if need > books.sh_queue.shape[1]:
            grown = np.zeros((books.sh_queue.shape[0], max(2 * need, 64)), dtype=np.int64)
            grown[:, : books.sh_queue.shape[1]] = books.sh_queue
            self.books = books = books._replace(sh_queue=grown)
        books.sh_queue[muni, n:need] = households
        books.sh_len[muni] = need

    def _draw_kinds(self, rng: np.random.Generator, n: int, field: str) -> np.ndarray:
        shares = [getattr(self.cfg.seekers.kinds[k], field) for k in SEEKER_KINDS]
        codes = np.array([Kind[k.upper()] for k in SEEKER_KINDS])
        return codes[rng.choice(len(codes), size=n, p=np.asarray(shares))]

    def _house_tenants(
        self,
        homes: np.ndarray,
        birth: np.ndarray,
        sizes: np.ndarray,
        since: np.ndarray | None = None,
        token: int | None = None,
    ) -> None:
        """Tenants who are not on the list: their demographic exits, keyed by home and its
        tenancy (or `token`, the same in every scenario), drawn as of now or, for tenants
        known to be there `since` an earlier day, conditional on that."""
        now = float(self.env.now)
        keys = household_keys(KEY_TENANT, homes, self.tenancy[homes] if token is None else token)
        exit_day, reason = self.demography.exits(self.keys["exit"], keys, birth, now, sizes, since)
        self.tenant_birth[homes] = birth
        self.tenant_exit[homes] = exit_day
        self.tenant_reason[homes] = reason
        self.tenant_size[homes] = sizes
        self.tenant_exit_since[homes] = now if since is None else since

    def _stock_tenants(self) -> None:
        """On start_date the stock file's tenants, where it gives their birth years, take
        the place of the model's: their exits are drawn from their ages, and their homes
        fall vacant at the first of that and the remaining turnover hazard."""
        birth = self.stock.tenant_birth_day
        assert birth is not None
        now = float(self.env.now)
        # Not a home whose tenant is serving notice or has yet to move in; with a
        # waiting list (seed_state 'list') its listed tenants keep the list's ages.
        settled = (self.next_cause != VacancyCause.CHAIN) & ~(self.tenancy_start > now)
        if self.cfg.run.seed_state == "list":
            settled &= self.tenant < 0
        homes = np.flatnonzero((self.status == OCCUPIED) & np.isfinite(birth) & settled)
        sizes = np.ones(homes.size, dtype=np.int8)  # not in the file: a single (assumption)
        self._house_tenants(homes, birth[homes], sizes, token=-1)
        listed = self.tenant[homes]
        on_list = listed >= 0
        cols = self.seekers.cols
        for name, column in (
            ("tenant_birth", "birth_day"),
            ("tenant_exit", "exit_day"),
            ("tenant_exit_since", "exit_since"),
        ):
            cols[column][listed[on_list]] = getattr(self, name)[homes[on_list]]
        cols["exit_reason"][listed[on_list]] = self.tenant_reason[homes[on_list]]
        rate = self.stock.turnover_per_year[homes] * self.turnover_factor(now) / DAYS_PER_YEAR
        draw = keyed.exponential(self.keys["vacancy"], homes, -1, 1)
        with np.errstate(divide="ignore"):
            self._schedule_turnover(homes, now + draw / rate)

    def _schedule_turnover(self, homes: np.ndarray, rest: np.ndarray) -> None:
        """Each home falls vacant when its tenant leaves (demography) or, if earlier, on
        `rest`, its draw of the remaining turnover hazard."""
        self._make_room(0, 0, homes.size)
        now = float(self.env.now)
        self._compiled(
            mh.schedule_turnover,
            now,
            homes.astype(np.int64),
            np.asarray(rest, dtype=np.float64),
            self.homes,
            self.queue,
            self.books.counts,
            self.horizon,
        )

    def add_households(self, rows: dict[str, np.ndarray]) -> np.ndarray:
        """Add households to the table; each draws its demographic exit from its key,
        its birth day and its size, as of the day it joins (`entry_day`), or conditional on
        being there since `exit_since` where the rows give it (a pilot's households).
        Their weekly chances start on the first ticks from now (model/events.join)."""
        if "leave_rate" in rows:
            rows["leave_chance"] = _leave_chance(rows["leave_rate"])
        now = np.maximum(rows["entry_day"], self.env.now)
        if "exit_day" not in rows:
            rows["exit_day"], rows["exit_reason"] = self.demography.exits(
                self.keys["exit"],
                rows["key"],
                rows["birth_day"],
                now,
                rows["household_size"],
                rows.get("exit_since"),
            )
            rows.setdefault("exit_since", now)
        idx = self.seekers.add(rows)
        events.join_rows(
            int(idx[0]) if idx.size else 0,
            idx.size,
            np.asarray(now, dtype=np.float64),
            self.books.counts,
            self._seekers_view(),
            self._settings().events,
        )
        return idx

    def plan_households(self, rows: dict[str, np.ndarray], day: np.ndarray) -> ms.Seekers:
        """Households drawn ahead (`rows`, with `key`), each to register on its `day`: every
        column as the household table holds them, with their demographic exits as of that
        day (keyed, as add_households would draw them then). `register` adds them."""
        if "leave_rate" in rows:
            rows["leave_chance"] = _leave_chance(rows["leave_rate"])
        rows["exit_day"], rows["exit_reason"] = self.demography.exits(
            self.keys["exit"], rows["key"], rows["birth_day"], day, rows["household_size"]
        )
        rows["exit_since"] = np.asarray(day, dtype=np.float64)
        return ms.Seekers(**complete_rows(rows))

    def register(self, plan: ms.Seekers, lo: int, hi: int) -> np.ndarray:
        """Rows lo..hi of a plan (`plan_households`) join the list at its end, in one
        compiled pass (model/world.w_register: movers from the stock among them rent a
        free home). Returns their indices."""
        self._make_room(hi - lo, 0, 0)
        first = self.seekers.n
        self._compiled(
            mw.w_register,
            self._world(),
            float(self.env.now),
            plan,
            lo,
            hi,
            np.uint64(self.keys["home"]),
            ADULT_AGE * DAYS_PER_YEAR,
        )
        return np.arange(first, first + hi - lo)

    def _give_homes(self, movers: np.ndarray, keep_dates: bool = False) -> None:
        """Movers from the stock rent a random occupied home that has no listed tenant (nor
        one serving notice), drawn by their keyed uniform, and register with that
        tenancy's registration date (Entree's meettijd rule); with `keep_dates` they keep
        their own and the home takes it (model/world.w_give_homes)."""
        mw.w_give_homes(
            self._world(),
            movers.astype(np.int64),
            np.uint64(self.keys["home"]),
            keep_dates,
            ADULT_AGE * DAYS_PER_YEAR,
        )

    # ------------------------------------------------------ registrations, exits

    def _draw_registrations(self) -> None:
        """Every week's new households, drawn once; the trend is held before day 0."""
        cfg = self.cfg
        rng = self.rng["arrivals"]
        n_homes = float(np.sum(self.status != NOT_BUILT))
        weeks = np.arange(math.ceil((self.horizon - self.t0) / WEEK))
        day = np.maximum(self.t0 + weeks * WEEK, 0.0)
        rate = (
            cfg.seekers.arrivals_per_home_per_year
            * n_homes
            * (1.0 + cfg.seekers.arrivals_trend_per_year)
            ** ((day - self.trend_base) / DAYS_PER_YEAR)
        )
        per_week = rng.poisson(rate * WEEK / DAYS_PER_YEAR)
        total = int(per_week.sum())
        kinds = self._draw_kinds(rng, total, "share_arrivals")
        entry = self.t0 + np.repeat(weeks * WEEK, per_week) + rng.random(total) * WEEK
        rows = draw_seekers(cfg, self.stock, rng, kinds, entry, False)
        rows["key"] = household_keys(KEY_ARRIVAL, np.arange(total))
        # Registered by the tick at the end of their week (registration_tick).
        self._arrivals = self.plan_households(
            rows, self.t0 + (np.repeat(weeks, per_week) + 1) * WEEK
        )
        self._arrival_ends = np.cumsum(per_week)
        self._week = 0

    def registration_tick(self) -> None:
        """Weekly: the week's new households join the list at its end."""
        ends = self._arrival_ends
        if self._week < ends.size:
            lo = int(ends[self._week - 1]) if self._week else 0
            hi = int(ends[self._week])
            self._week += 1
            if hi > lo:
                self.register(self._arrivals, lo, hi)
        self.at(self.env.now + WEEK, self.registration_tick)

    def departure_tick(self) -> None:
        """Weekly: waiting seekers leave the list; passive ones start to respond and
        active ones (not urgent) stop, at the activation and deactivation hazards
        (model/departures.py)."""
        mw.w_departures(self._world(), self.seekers.n, float(self.env.now))
        self.at(self.env.now + WEEK, self.departure_tick)

    # ------------------------------------------------------------------ adverts

    def advert_tick(self) -> None:
        if self.books.counts[ms.COUNT_PENDING]:
            self.publish()
        self.at(self.env.now + self.cfg.allocation.advert_cycle_days, self.advert_tick)

    def publish(self) -> None:
        """The week's adverts and response round (model/week.w_publish): households that
        look this week respond where a home is worth it to them (policies/behaviour.py).
        Work grows with the pairs of a looking household and an advert it may want,
        never with every household times every advert."""
        now = self.env.now
        n_adverts = int(self.books.counts[ms.COUNT_PENDING])
        # At most `limit_searching` responses a cycle from each household (1 if passive).
        limit = max(1, self._settings().beh.limit_searching)
        self._make_room(0, 0, 0, responses=limit * self.seekers.n)
        first = self._next_advert
        homes, keys, start, responders = self._compiled(
            mk.w_publish,
            self._world(),
            float(now),
            first,
            now >= 0.0,
        )
        batch = Batch(
            advert_ids=np.arange(first, first + n_adverts),
            homes=homes,
            keys=keys,
            start=start,
            responders=responders,
        )
        self._next_advert += n_adverts
        close = now + self.cfg.allocation.response_window_days
        self.at(close, partial(self.close, batch, now))

    def new_keys(self, origin: int, k: int) -> np.ndarray:
        """Keys of `k` new households created by `origin` (KEY_*), numbered in turn."""
        start = self._n_created.get(origin, 0)
        self._n_created[origin] = start + k
        return household_keys(origin, np.arange(start, start + k))

    def _behaviour_terms(self) -> responses.Behaviour:
        cfg = self.cfg
        alloc, beh = cfg.allocation, cfg.behaviour
        cycle_weeks = alloc.advert_cycle_days / WEEK
        return responses.Behaviour(
            passive_rate=beh.passive_looks_per_year * WEEK / DAYS_PER_YEAR,
            cycle_weeks=cycle_weeks,
            bound=max(1, round(beh.adverts_read_per_week * cycle_weeks)),
            limit_searching=math.floor(alloc.max_responses_per_week * cycle_weeks),
            urgent_prospect=beh.urgent_prospect,
            reservation_base=beh.reservation_base,
            reservation_prospect=beh.reservation_prospect,
            impatience_per_year=beh.impatience_per_year,
            impatience_years=beh.impatience_years,
            search_gap_days=float(cfg.seekers.search_gap_days),
            own_village_bonus=beh.own_village_bonus,
            viewing_sd=beh.viewing_sd,
            response_cost=beh.response_cost,
            prior=beh.chance_prior,
        )

    def _home_value(self, s: np.ndarray, homes: np.ndarray) -> np.ndarray:
        """What each home is worth to its household, as the advert shows it."""
        cols = self.seekers.cols
        own = self.stock.village[homes] == cols["origin_village"][s]
        taste = keyed.normal(self.keys["taste"], cols["key"][s], homes)
        return self.cfg.behaviour.own_village_bonus * own + taste

    def _reservation(self, s: np.ndarray, now: float) -> np.ndarray:
        """What each household holds out for now (policies/behaviour.py: reservation)."""
        beh = self.cfg.behaviour
        cols = self.seekers.cols
        prospect = behaviour.prospect(self.memory, now - cols["meettijd_start"][s])
        prospect = np.where(cols["priority"][s] == 0, beh.urgent_prospect, prospect)
        first = cols["search_start_day"][s]
        # A search lapses after search_gap_days without a response: the clock restarts.
        lapsed = ~(now - cols["last_response_day"][s] < self.cfg.seekers.search_gap_days)
        searched = np.where(np.isnan(first) | lapsed, 0.0, (now - first) / DAYS_PER_YEAR)
        return behaviour.reservation(
            prospect,
            searched,
            beh.reservation_base,
            beh.reservation_prospect,
            beh.impatience_per_year,
            beh.impatience_years,
        )

    def close(self, batch: Batch, publish_day: float) -> None:
        """The batch's adverts close (model/week.w_close: model/close.py decides who
        gets which home); each accepted advert is let in turn, each other one advertised
        again next cycle."""
        n = batch.homes.size
        self._make_room(0, n, 3 * n, offers=batch.responders.size, adverts=n)
        self._compiled(
            mk.w_close,
            self._world(),
            self.env.now,
            publish_day,
            batch.homes,
            batch.advert_ids,
            batch.keys,
            batch.start,
            batch.responders,
        )

    # ---------------------------------------------------------------------- run

    def begin(self, seed: SeedState | None = None) -> Engine:
        self.setup(seed)
        return self

    def advance(self, day: float) -> Engine:
        """Simulate up to (not including) `day`: simpy's events (the weekly rounds, the
        rules' ticks) one by one, and before each the homes' events that come first
        (model/homes.py), in the order simpy would have run them."""
        day = min(day, self.horizon)
        env = self.env
        if day <= env.now:
            return self
        queue = env._queue
        while True:
            if queue and queue[0][0] < day:
                until, _, eid, _ = queue[0]
            else:
                until, eid = day, -1
            self._home_events(until, eid)
            if eid < 0:
                break
            env.step()
        env._now = day
        return self

    def fork(self, cfg: Config) -> Engine:
        """A copy of this engine that continues under `cfg` (same history)."""
        kept = self._world_cache, self._world_key
        self._world_cache, self._world_key = None, ()  # the twin builds its own
        twin = copy.deepcopy(self, memo={id(self.stock): self.stock, id(self.cfg): self.cfg})
        self._world_cache, self._world_key = kept
        twin.use_scenario(cfg)
        return twin

    def finish(self) -> Records:
        """Run to the horizon and return the record tables."""
        self.advance(self.horizon)
        self._write_adverts()
        self._write_lettings()
        self._write_seekers()
        self._write_tenants()
        self._write_quotas()
        tables = self.rec.tables()
        # A tenancy that starts at or after the horizon is not in this run: its letting is
        # dropped here and its tenant is censored in `seekers` (see _write_seekers).
        lets = tables["lettings"]
        lets = lets.take(np.flatnonzero(lets["day"] < self.horizon))
        group = assign_group(lets["seeker_kind"], lets["age"], self.cfg.seekers.group_ages())
        lets.cols["group"] = group.astype(np.int32)
        lets.labels["group"] = GROUP_LABELS
        tables["lettings"] = lets
        return Records(tables)

    def run(self) -> Records:
        return self.begin().finish()

    def _write_adverts(self) -> None:
        """The responses, offers and adverts the weekly rounds recorded (model/week.py)."""
        stock, counts = self.stock, self.books.counts
        n = int(counts[ms.COUNT_RESPONSES])
        rows = self.response_rows
        self.rec.columns(
            "responses",
            day=rows.day[:n],
            seeker_id=rows.seeker_id[:n],
            advert_id=rows.advert_id[:n],
        )
        n = int(counts[ms.COUNT_OFFERS])
        offers = self.offer_rows
        self.rec.columns(
            "offers",
            day=offers.day[:n],
            advert_id=offers.advert_id[:n],
            home_id=stock.home_id[offers.home[:n]],
            channel=Coded(offers.channel[:n], CHANNEL_LABELS),
            seeker_id=offers.seeker_id[:n],
            rank=offers.rank[:n],
            priority=offers.priority[:n],
            meettijd_days=offers.meettijd_days[:n],
            outcome=Coded(offers.outcome[:n], OUTCOME_LABELS),
        )
        n = int(counts[ms.COUNT_ADVERTS])
        ads = self.advert_rows
        h = ads.home[:n]
        self.rec.columns(
            "adverts",
            advert_id=ads.advert_id[:n],
            home_id=stock.home_id[h],
            municipality=Coded(stock.municipality[h], stock.municipalities),
            village=Coded(stock.village[h], stock.villages),
            channel=Coded(ads.channel[:n], CHANNEL_LABELS),
            rule=Coded(ads.rule[:n], RULE_LABELS),
            starter_priority=ads.starter_priority[:n],
            publish_day=ads.publish_day[:n],
            close_day=ads.close_day[:n],
            n_responses=ads.n_responses[:n],
            n_priority_responses=ads.n_priority[:n],
            let=ads.let[:n],
        )

    def _write_lettings(self) -> None:
        """The lettings the compiled events recorded (model/state.LettingRows)."""
        stock, rows = self.stock, self.letting_rows
        n = int(self.books.counts[ms.COUNT_LETTINGS])
        col = {name: getattr(rows, name)[:n] for name in ms.LettingRows._fields}
        h, old = col["home"], col["freed_home"]
        freed = old >= 0
        self.rec.columns(
            "lettings",
            day=col["day"],
            home_id=stock.home_id[h],
            municipality=Coded(stock.municipality[h], stock.municipalities),
            village=Coded(stock.village[h], stock.villages),
            neighbourhood=Coded(stock.neighbourhood[h], stock.neighbourhoods),
            channel=Coded(col["channel"], CHANNEL_LABELS),
            rule=Coded(col["rule"], RULE_LABELS),
            starter_priority=col["starter_priority"],
            seeker_id=col["seeker_id"],
            seeker_kind=Coded(col["seeker_kind"], KIND_LABELS),
            group=Coded(np.zeros(n, np.int32), GROUP_LABELS),  # assigned in finish
            age=col["age"],
            household_size=col["household_size"],
            income=col["income"],
            above_income_limit=col["above_income_limit"],
            meettijd_days=col["meettijd_days"],
            search_days=col["search_days"],
            n_responses=col["n_responses"],
            winner_rank=col["winner_rank"],
            n_refused=col["n_refused"],
            vacant_days=col["vacant_days"],
            vacancy_cause=Coded(col["vacancy_cause"], CAUSE_LABELS),
            departure=Coded(  # -1: empty
                np.where(col["departure"] < 0, len(EXIT_LABELS), col["departure"]),
                (*EXIT_LABELS, ""),
            ),
            chain_id=col["chain_id"],
            chain_position=col["chain_position"],
            freed_home_id=np.where(freed, stock.home_id[np.maximum(old, 0)], -1),
            freed_home_bedrooms=np.where(freed, stock.bedrooms[np.maximum(old, 0)], 0),
            bedrooms=stock.bedrooms[h],
            senior_suitable=stock.senior_suitable[h],
            origin_village=Coded(
                np.minimum(col["origin_village"], len(stock.villages)),
                (*stock.villages, "outside"),
            ),
            advert_id=col["advert_id"],
        )

    def _write_seekers(self) -> None:
        """Every household on the list at some time in [0, horizon): one row per
        registration. A tenancy starting at or after the horizon counts as still waiting."""
        cols = self.seekers.cols
        n = self.seekers.n
        state = cols["state"][:n].copy()
        end = cols["end_day"][:n].copy()
        late = (state == SeekerState.HOUSED) & (end >= self.horizon)
        state[late] = SeekerState.WAITING
        waiting = state == SeekerState.WAITING
        end[waiting] = self.horizon
        keep = np.flatnonzero(end >= 0.0)
        kind = cols["kind"][keep]
        entry = cols["entry_day"][keep]
        birth = cols["birth_day"][keep]
        group_day = np.maximum(entry, 0.0)
        group = assign_group(
            kind, (group_day - birth) / DAYS_PER_YEAR, self.cfg.seekers.group_ages()
        )
        self.rec.columns(
            "seekers",
            seeker_id=keep,
            kind=Coded(kind, KIND_LABELS),
            group=Coded(group, GROUP_LABELS),
            origin_municipality=Coded(cols["origin_municipality"][keep], self.stock.municipalities),
            origin_village=Coded(cols["origin_village"][keep], (*self.stock.villages, "outside")),
            entry_day=entry,
            birth_day=birth,
            age_at_entry=(entry - birth) / DAYS_PER_YEAR,
            household_size=cols["household_size"][keep],
            income=cols["income"][keep],
            meettijd_start_day=cols["meettijd_start"][keep],
            active=cols["active"][keep],
            household_key=cols["key"][keep],
            n_responses=cols["n_responses"][keep],
            first_response_day=cols["first_response_day"][keep],
            last_response_day=cols["last_response_day"][keep],
            search_start_day=cols["search_start_day"][keep],
            outcome=Coded(state[keep], SEEKER_STATE_LABELS),
            outcome_day=end[keep],
            left_reason=Coded(  # empty unless left
                np.where(
                    state[keep] == SeekerState.LEFT, cols["left_reason"][keep], len(EXIT_LABELS)
                ),
                (*EXIT_LABELS, ""),
            ),
        )

    def _write_tenants(self) -> None:
        """The tenants table: every occupied home's tenant on the horizon."""
        stock = self.stock
        h = np.flatnonzero(self.status == OCCUPIED)
        h = h[np.isfinite(self.tenant_birth[h])]
        tenant = self.tenant[h]
        listed = np.zeros(h.size, dtype=bool)
        on_list = tenant >= 0
        listed[on_list] = self.seekers.cols["state"][tenant[on_list]] == WAITING
        self.rec.columns(
            "tenants",
            home_id=stock.home_id[h],
            municipality=Coded(stock.municipality[h], stock.municipalities),
            village=Coded(stock.village[h], stock.villages),
            dwelling_type=Coded(stock.dwelling_type[h], DWELLING_TYPES),
            bedrooms=stock.bedrooms[h],
            senior_suitable=stock.senior_suitable[h],
            age=(self.horizon - self.tenant_birth[h]) / DAYS_PER_YEAR,
            birth_day=self.tenant_birth[h],
            tenancy_start_day=self.tenancy_start[h],
            registration_day=self.reg_day[h],
            registered=listed,
        )

    def _write_quotas(self) -> None:
        """The quotas table: per municipality and year the vacancies and lettings, and
        each rule's own rows (Rule.quota_rows, Rule.final_rows)."""
        first_year = self.start.year
        rows: list[tuple[int, str, str, float, float, float]] = []
        books = self.books
        for y, m in zip(*(a.tolist() for a in np.nonzero(books.touched)), strict=True):
            year = y + self.calendar.year0
            if year < first_year:
                continue  # burn-in
            led = Ledger.of_row(books.ledger[y, m])
            policies = self.policies_of_year(year)
            name = self.stock.municipalities[m]
            own = [
                ("vacancies", math.nan, led.vacancies, led.vacancies),
                *[row for rule in RULES for row in rule.quota_rows(self, year, m, led, policies)],
                ("lettings", math.nan, led.lettings, led.lettings),
            ]
            rows += [(year, name, *row) for row in own]
        rows += [row for rule in RULES for row in rule.final_rows(self, first_year)]
        for year, name, item, limit, used, requested in rows:
            self.rec.row(
                "quotas",
                year=year,
                municipality=name,
                item=item,
                limit=float(limit),
                used=float(used),
                requested=float(requested),
            )


PILOT_KEY = 2**31 - 1  # spawn key of the pilot's SeedSequence: no replication uses it
_PILOTS: dict[str, SeedState] = {}


def _first_bit(mask: np.ndarray) -> np.ndarray:
    """Index of the lowest set bit of each mask (0 for none)."""
    low = mask & (~mask + np.uint32(1))
    return np.where(low > 0, np.log2(np.maximum(low, 1)).astype(np.int64), 0)


def pilot_state(
    cfg: Config,
    stock: Stock,
    index: int = 0,
    announce: Callable[[str], None] | None = None,
) -> SeedState | None:
    """The end state of pilot `index` of `cfg`'s history (run.seed_state = 'pilot'):
    run.pilot_years from a profile seed under the history's rules with trends held,
    on its own clock (ending on day 0, drawing ahead to no later day), shifted by the
    replication to where its burn-in begins, so the pilot depends neither on
    run.burnin_years nor on run.end_date. Computed once per history, index and
    process, and kept on disk for other processes (allocsim.pilot_cache). Pilot 0 is the
    same whatever run.pilots says; pilot k > 0 draws from its own stream. `announce`
    hears a line when the pilot has to be computed (it takes a while)."""
    if cfg.run.seed_state == "profiles":
        return None
    # Keyed by content: the history's settings without file paths, and the stock itself.
    key = pilot_cache.key_of(_pilot_key(cfg, index), stock)
    if key not in _PILOTS:
        if len(_PILOTS) > 8:
            _PILOTS.clear()
        cached = pilot_cache.load(key)
        if cached is not None and set(cached[3]) == set(TENANT_FIELDS):
            _PILOTS[key] = SeedState(*cached)
            return _PILOTS[key]
        if announce is not None:
            announce(
                f"computing the pilot ({cfg.run.pilot_years:g} simulated years under the "
                "history's rules; once, then kept on disk for later runs)"
            )
        # The pilot's own clock ends on day 0 whatever the burn-in; a replication shifts
        # the state to its t0 (Engine._seed). It draws ahead only to its own end, not to
        # run.end_date, so runs that differ only in their burn-in or their end start from
        # the same pilots.
        end = 0
        own_end = cfg.run.start_date + dt.timedelta(days=1)
        engine = Engine(
            cfg.model_copy(update={"run": cfg.run.model_copy(update={"end_date": own_end})}),
            stock,
            np.random.SeedSequence(
                cfg.run.seed, spawn_key=(PILOT_KEY,) if index == 0 else (PILOT_KEY, index)
            ),
            replication=-1,
            record_offers=False,
            t0=end - round(cfg.run.pilot_years * DAYS_PER_YEAR),
        )
        engine.begin().advance(end)
        state = engine.seed_state()
        _PILOTS[key] = state
        pilot_cache.store(key, state.day, state.seekers, state.reg_day, state.tenants)
    return _PILOTS[key]


def _pilot_key(cfg: Config, index: int) -> str:
    """The history key without run.pilots (pilot k is the same draw for any number of
    pilots), without run.burnin_years and run.end_date (a pilot ends on its own day 0,
    draws ahead only to it and is shifted to the burn-in's start) and without file paths
    (how a path is spelled does not change the pilot: the stock's content is in the cache
    key, and a pilot reads no other file), and the pilot's index after the first."""
    data = json.loads(cfg.history_key())
    data["run"].pop("pilots", None)
    data["run"].pop("burnin_years", None)
    data["run"].pop("end_date", None)
    data.pop("base_dir", None)
    data["stock"].pop("csv_path", None)
    data["seekers"].pop("list_csv_path", None)
    key = json.dumps(data, sort_keys=True)
    return key if index == 0 else f"{key}#pilot{index}"


def pilot_of(cfg: Config, replication: int) -> int:
    """The pilot replication `replication` starts from."""
    return replication % cfg.run.pilots


def simulate(cfg: Config, stock: Stock, replication: int, record_offers: bool = True) -> Records:
    """One replication: the records of a run of `cfg` on `stock`.

    Without `record_offers` the offers table stays empty (experiments that keep only
    metrics); nothing else changes, random streams included."""
    return simulate_scenarios([cfg], stock, replication, record_offers)[0]


def simulate_scenarios(
    cfgs: list[Config], stock: Stock, replication: int, record_offers: bool = True
) -> list[Records]:
    """Replication `replication` of several scenarios that share their history
    (equal `Config.history_key()`): the history up to run.policy_start is simulated
    once and each scenario continues from a copy of it. Gives exactly what `simulate`
    gives for each scenario on its own."""
    keys = {c.history_key() for c in cfgs}
    if len(keys) != 1:
        raise ValueError("simulate_scenarios needs scenarios with one history")
    first = cfgs[0]
    history = Engine(
        first, stock, replication_seed(first.run.seed, replication), replication, record_offers
    ).begin(pilot_state(first, stock, pilot_of(first, replication)))
    if len(cfgs) == 1:
        history.use_scenario(first)
        return [history.finish()]
    history.advance(history.policy_day)
    return [history.fork(cfg).finish() for cfg in cfgs]
