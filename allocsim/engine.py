"""The simpy engine: vacancies, registrations, departures, adverts and direct allocation.

The engine holds state and time; every rule it applies is a policy function from
`allocsim.policies`. It emits event records through a `Recorder` and nothing else.
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
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
import simpy

from allocsim import keyed, pilot_cache
from allocsim.config import DWELLING_TYPES, SEEKER_KINDS, Config, PoliciesConfig
from allocsim.demography import EXIT_LABELS, Demography, Exit
from allocsim.domain import (
    CAUSE_LABELS,
    CHANNEL_LABELS,
    DAYS_PER_YEAR,
    GROUP_LABELS,
    KEY_ARRIVAL,
    KEY_LIST,
    KEY_REREGISTERED,
    KEY_SEED,
    KEY_TENANT,
    KIND_LABELS,
    NOT_BUILT,
    OCCUPIED,
    OUTCOME_LABELS,
    RULE_LABELS,
    SEEKER_STATE_LABELS,
    VACANT,
    WITHDRAWN,
    Channel,
    Kind,
    Outcome,
    SeekerState,
    VacancyCause,
    assign_group,
    date_of,
    day_of,
)
from allocsim.model import close as closing
from allocsim.model import labels, responses
from allocsim.policies import RULES, behaviour
from allocsim.policies.eligibility import (
    Limits,
    above_income_limit,
    rent_factor,
)
from allocsim.policies.labels import label_vacancy
from allocsim.policies.ledger import Home, Ledger
from allocsim.records import Recorder
from allocsim.waiting_list import WaitingList, band_incomes, load_waiting_list
from allocsim.world import SEEKER_FIELDS, SeekerTable, Stock, draw_seekers, truncated_normal

# Sequential generators: the draws that create households (the rules' own last).
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
)
WEEK = 7.0
ADULT_AGE = 18.0  # Entree registers adults
SEED_EXIT_PER_YEAR = 0.03  # a profile seed's tenants' own exits, for their tenancies' ages
LABEL_NONE, LABEL_STARTER, LABEL_SENIOR = range(behaviour.N_LABELS)
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
TENANT_FIELDS = ("tenant_birth", "tenant_exit", "tenant_reason", "tenancy_start")
TENANT_TIMES = ("tenant_birth", "tenant_exit", "tenancy_start")


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
        self.rng = {
            name: np.random.default_rng(s)
            for name, s in zip(STREAMS, seed.spawn(len(STREAMS)), strict=True)
        }
        self.keys = keyed.stream_seeds(seed, KEYED)
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
        self.pending: list[int] = []
        self.ledgers: dict[tuple[int, int], Ledger] = {}
        self.rule_state: dict[str, Any] = {}  # each rule's own bookkeeping (Rule.start)
        self._next_advert = 1
        self._next_chain = 1
        # What the response rounds did (model/responses.py): pairs listed, pairs weighed,
        # lookers with a pair, the most pairs one looker weighed in a round.
        self.work = np.zeros(4, dtype=np.int64)
        self._limits: dict[int, Limits] = {}
        self._history = PolicyView.of(cfg.history, stock)
        self._current = PolicyView.of(cfg.policies, stock)

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
        year = self.price_date(day).year
        if year not in self._limits:
            self._limits[year] = Limits.for_year(self.cfg.eligibility, year)
        return self._limits[year]

    def rent(self, homes: np.ndarray | int, day: float) -> np.ndarray:
        """Monthly rent of `homes` on `day`."""
        factor = rent_factor(self.price_date(day), self.cfg.stock.rent_increase_per_year)
        return np.atleast_1d(self.stock.rent_2021[homes] * factor)

    def ledger(self, year: int, muni: int) -> Ledger:
        key = (year, muni)
        if key not in self.ledgers:
            self.ledgers[key] = Ledger()
        return self.ledgers[key]

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
        for h in np.flatnonzero(self.status == NOT_BUILT):
            self.schedule_vacancy(int(h), float(stock.completion_day[h]), VacancyCause.NEW_BUILD)
        for h in np.flatnonzero(np.isfinite(stock.withdraw_day)):
            self.at(float(stock.withdraw_day[h]), partial(self.withdraw, int(h)))
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
        self._give_homes(idx[kinds == Kind.MOVER_STOCK], rng)

    def _seed_from_pilot(
        self,
        seed: SeedState,
        existing: np.ndarray,
        rng: np.random.Generator,
        with_list: bool = True,
    ) -> None:
        """This replication's draw from the pilot's end state: the homes' registration dates
        permuted within dwelling type, the waiting list bootstrapped (same size in
        expectation), movers from the stock placed in random homes with those homes' dates."""
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
        if not with_list:
            return
        n_rows = next(iter(seed.seekers.values())).size
        take = rng.integers(0, n_rows, size=rng.poisson(n_rows)) if n_rows else np.zeros(0, int)
        rows = {key: col[take].copy() for key, col in seed.seekers.items()}
        for key in TIME_FIELDS:
            rows[key] = rows[key] + shift
        rows["home"] = np.full(take.size, -1, dtype=np.int32)
        rows["key"] = household_keys(KEY_SEED, np.arange(take.size))  # a draw is a new household
        idx = self.add_households(rows)
        # A listed tenant keeps its own date; its (random) home carries it.
        self._give_homes(idx[rows["kind"] == Kind.MOVER_STOCK], rng, keep_dates=True)

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

    def withdraw(self, h: int) -> None:
        """A home leaves the stock (demolition); a listed tenant becomes urgent (assumption)."""
        self.status[h] = WITHDRAWN
        self.tenancy[h] += 1  # cancels any scheduled vacancy
        if h in self.pending:
            self.pending.remove(h)
        tenant = int(self.tenant[h])
        if tenant >= 0:
            self.seekers.cols["priority"][tenant] = 0
            self.seekers.cols["active"][tenant] = True

    def _draw_kinds(self, rng: np.random.Generator, n: int, field: str) -> np.ndarray:
        shares = [getattr(self.cfg.seekers.kinds[k], field) for k in SEEKER_KINDS]
        codes = np.array([Kind[k.upper()] for k in SEEKER_KINDS])
        return codes[rng.choice(len(codes), size=n, p=np.asarray(shares))]

    def _house_tenants(
        self, homes: np.ndarray, birth: np.ndarray, sizes: np.ndarray, token: int | None = None
    ) -> None:
        """Tenants who are not on the list: their demographic exits, keyed by home and its
        tenancy (or `token`, the same in every scenario)."""
        now = float(self.env.now)
        keys = household_keys(KEY_TENANT, homes, self.tenancy[homes] if token is None else token)
        exit_day, reason = self.demography.exits(self.keys["exit"], keys, birth, now, sizes)
        self.tenant_birth[homes] = birth
        self.tenant_exit[homes] = exit_day
        self.tenant_reason[homes] = reason

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
        for name, column in (("tenant_birth", "birth_day"), ("tenant_exit", "exit_day")):
            cols[column][listed[on_list]] = getattr(self, name)[homes[on_list]]
        cols["exit_reason"][listed[on_list]] = self.tenant_reason[homes[on_list]]
        rate = self.stock.turnover_per_year[homes] * self.turnover_factor(now) / DAYS_PER_YEAR
        draw = keyed.exponential(self.keys["vacancy"], homes, -1, 1)
        with np.errstate(divide="ignore"):
            self._schedule_turnover(homes, now + draw / rate)

    def _schedule_turnover(self, homes: np.ndarray, rest: np.ndarray) -> None:
        """Each home falls vacant when its tenant leaves (demography) or, if earlier, on
        `rest`, its draw of the remaining turnover hazard."""
        first = np.minimum(rest, np.maximum(self.tenant_exit[homes], self.env.now))
        reason = np.where(rest <= first, Exit.NONE, self.tenant_reason[homes])
        for h, day, why in zip(homes, first, reason, strict=True):
            self.schedule_vacancy(int(h), float(day), VacancyCause.TURNOVER, reason=int(why))

    def add_households(self, rows: dict[str, np.ndarray]) -> np.ndarray:
        """Add households to the table; each draws its demographic exit from its key,
        its birth day and its size, as of the day it joins (`entry_day`)."""
        if "exit_day" not in rows:
            rows["exit_day"], rows["exit_reason"] = self.demography.exits(
                self.keys["exit"],
                rows["key"],
                rows["birth_day"],
                np.maximum(rows["entry_day"], self.env.now),
                rows["household_size"],
            )
        return self.seekers.add(rows)

    def _give_homes(
        self, movers: np.ndarray, rng: np.random.Generator, keep_dates: bool = False
    ) -> None:
        """Movers from the stock rent a random occupied home that has no listed tenant, and
        register with that tenancy's registration date (Entree's meettijd rule); with
        `keep_dates` they keep their own and the home takes it."""
        # Not a home whose tenant has accepted another and is serving notice.
        free = np.flatnonzero(
            (self.status == OCCUPIED) & (self.tenant < 0) & (self.next_cause != VacancyCause.CHAIN)
        )
        k = min(movers.size, free.size)
        homes = rng.choice(free, size=k, replace=False)
        cols = self.seekers.cols
        placed = movers[:k]
        cols["home"][placed] = homes
        self.tenant[homes] = placed
        # No registration before 18 (Entree), so the date is at least the 18th birthday.
        if keep_dates:  # the household is the home's tenant from now
            self.tenant_birth[homes] = cols["birth_day"][placed]
            self.tenant_exit[homes] = cols["exit_day"][placed]
            self.tenant_reason[homes] = cols["exit_reason"][placed]
        else:  # the household is the home's tenant, who registers now
            cols["birth_day"][placed] = self.tenant_birth[homes]
            cols["exit_day"][placed] = self.tenant_exit[homes]
            cols["exit_reason"][placed] = self.tenant_reason[homes]
            adult = cols["birth_day"][placed] + ADULT_AGE * DAYS_PER_YEAR
            cols["meettijd_start"][placed] = np.maximum(self.reg_day[homes], adult)
        self.reg_day[homes] = cols["meettijd_start"][placed]  # the tenant's date, as registered
        village = self.stock.village[homes]
        cols["village_mask"][placed] |= (1 << village.astype(np.uint32)).astype(np.uint32)
        cols["origin_municipality"][placed] = self.stock.village_municipality[village]
        cols["origin_village"][placed] = village
        cols["kind"][movers[k:]] = Kind.MOVER_ELSEWHERE  # more movers than homes: rare

    # ----------------------------------------------------------------- vacancies

    def schedule_vacancy(
        self,
        h: int,
        day: float,
        cause: VacancyCause,
        chain: int = 0,
        pos: int = 0,
        reason: int = Exit.NONE,
    ) -> None:
        """The home falls vacant on `day` (its tenant leaving for `reason`, demography.Exit);
        a later schedule supersedes this one."""
        self.tenancy[h] += 1
        self.departure[h] = reason
        self.next_cause[h] = cause
        self.at(day, partial(self._fire_vacancy, h, int(self.tenancy[h]), cause, chain, pos))

    def _fire_vacancy(self, h: int, token: int, cause: VacancyCause, chain: int, pos: int) -> None:
        if self.tenancy[h] == token:  # not superseded by a later schedule
            self.vacate(h, cause, chain, pos)

    def vacate(self, h: int, cause: VacancyCause, chain: int, pos: int) -> None:
        now = self.env.now
        if self.status[h] == WITHDRAWN:
            return
        token = int(self.tenancy[h])
        u_label = keyed.uniform_one(self.keys["label"], h, token)
        self.attempt[h] = 0
        tenant = int(self.tenant[h])
        if tenant >= 0:
            self.tenant[h] = -1
            if self.seekers.cols["state"][tenant] == SeekerState.WAITING:
                # A listed mover whose tenancy ended for other reasons leaves the list.
                self._end(np.array([tenant]), SeekerState.LEFT, now)
                self.seekers.cols["left_reason"][tenant] = self.departure[h]
        if chain == 0:
            chain = self._next_chain
            self._next_chain += 1
        self.status[h] = VACANT
        self.reg_day[h] = np.nan
        self.tenant_birth[h], self.tenant_exit[h] = np.nan, np.inf
        self.tenancy_start[h] = np.nan
        self.vacancy_day[h] = now
        self.cause[h] = cause
        self.chain_id[h] = chain
        self.chain_pos[h] = pos
        stock = self.stock
        muni = int(stock.municipality[h])
        date = self.date(now)
        ledger = self.ledger(date.year, muni)
        first_channel = int(stock.first_channel[h]) if cause == VacancyCause.NEW_BUILD else -1
        for rule in RULES:
            if rule.on_vacancy(self, h, token, first_channel, ledger):
                return  # disposed of without an advert (transformed, let directly)
        home = Home(
            municipality=stock.municipalities[muni],
            village=stock.villages[stock.village[h]],
            bedrooms=int(stock.bedrooms[h]),
            rent_2021=float(stock.rent_2021[h]),
            senior_suitable=bool(stock.senior_suitable[h]),
            first_channel=first_channel,
        )
        decision = label_vacancy(home, date.month, ledger, self.pol, u_label)
        ledger.record(decision)
        self.channel[h] = decision.channel
        self.rule[h] = decision.rule
        self.starter_priority[h] = decision.starter_priority
        self.senior_priority[h] = decision.senior_priority
        self.pending.append(h)

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
        self._arrival_kinds = self._draw_kinds(rng, total, "share_arrivals")
        entry = self.t0 + np.repeat(weeks * WEEK, per_week) + rng.random(total) * WEEK
        self._arrivals = draw_seekers(cfg, self.stock, rng, self._arrival_kinds, entry, False)
        self._arrivals["key"] = household_keys(KEY_ARRIVAL, np.arange(total))
        self._arrival_ends = np.cumsum(per_week)
        self._week = 0

    def registration_tick(self) -> None:
        """Weekly: the week's new households join the list at its end."""
        ends = self._arrival_ends
        if self._week < ends.size:
            lo = int(ends[self._week - 1]) if self._week else 0
            part = slice(lo, int(ends[self._week]))
            self._week += 1
            if part.stop > part.start:
                idx = self.add_households({key: col[part] for key, col in self._arrivals.items()})
                movers = idx[self._arrival_kinds[part] == Kind.MOVER_STOCK]
                self._give_homes(movers, self.rng["arrivals"])
        self.at(self.env.now + WEEK, self.registration_tick)

    def departure_tick(self) -> None:
        """Weekly: waiting seekers leave the list; passive ones start to respond and
        active ones (not urgent) stop, at the activation and deactivation hazards."""
        sc = self.cfg.seekers
        p_act = 1.0 - math.exp(-sc.activation_per_year * WEEK / DAYS_PER_YEAR)
        p_deact = 1.0 - math.exp(-sc.deactivation_per_year * WEEK / DAYS_PER_YEAR)
        cols = self.seekers.cols
        n = self.seekers.n
        state = cols["state"][:n]
        waiting = np.flatnonzero(
            (state == SeekerState.WAITING) & (cols["kind"][:n] != Kind.STATUS_HOLDER)
        )
        now = self.env.now
        key, week = cols["key"][waiting], self._week_index()
        u_leave = keyed.uniform(self.keys["leave"], key, week)
        u_act = keyed.uniform(self.keys["activity"], key, week)
        # A tenant of the stock leaves with its home (vacate); everyone else (a demolished
        # home's tenant too) in the week its demography says, or at its kind's hazard for
        # other reasons. Status holders wait months for their direct allocation: not here.
        home = cols["home"][waiting]
        housed_here = (home >= 0) & (self.status[np.maximum(home, 0)] != WITHDRAWN)
        gone = (cols["exit_day"][waiting] <= now) & ~housed_here
        leave = gone | (u_leave < 1.0 - np.exp(-cols["leave_rate"][waiting] * WEEK))
        cols["left_reason"][waiting[gone]] = cols["exit_reason"][waiting[gone]]
        self._leave(waiting[leave], now)
        active = cols["active"][waiting]
        stay = ~leave & (cols["priority"][waiting] != 0)
        # Clause 1.7: an early registrant starts to search at the age it would have
        # registered; anyone passive may start at the activation hazard.
        due = cols["search_from_day"][waiting] <= now
        cols["search_from_day"][waiting[due]] = np.nan
        cols["active"][waiting[stay & ~active & ((u_act < p_act) | due)]] = True
        cols["active"][waiting[stay & active & (u_act < p_deact)]] = False
        self.at(now + WEEK, self.departure_tick)

    def _leave(self, idx: np.ndarray, day: float) -> None:
        """Seekers leave the list unhoused; tenants among them stay in their homes, which
        keep their registration date for a later registration."""
        self._end(idx, SeekerState.LEFT, day)
        homes = self.seekers.cols["home"][idx]
        self.tenant[homes[homes >= 0]] = -1

    def _end(self, idx: np.ndarray, state: SeekerState, day: float) -> None:
        cols = self.seekers.cols
        cols["state"][idx] = state
        cols["end_day"][idx] = day

    # ------------------------------------------------------------------ adverts

    def advert_tick(self) -> None:
        if self.pending:
            homes, self.pending = self.pending, []
            self.publish(homes)
        self.at(self.env.now + self.cfg.allocation.advert_cycle_days, self.advert_tick)

    def publish(self, homes: list[int]) -> None:
        """The week's response round: households that look this week respond where a
        home is worth it to them (policies/behaviour.py). Work grows with the pairs of a
        looking household and an advert in a village it wants with a bedroom count it
        may rent, never with every household times every advert."""
        cfg, stock = self.cfg, self.stock
        alloc = cfg.allocation
        now = self.env.now
        lim = self.limits(now)
        h = np.asarray(homes)
        self.attempt[h] += 1
        advert_keys = keyed.hash_keys(0, h, self.tenancy[h], self.attempt[h])
        rent = self.rent(h, now)
        allow_above = self._allow_above_limit(h, self.date(now).year)
        advert_channel = self.channel[h].astype(np.int64)
        adverts = responses.Adverts(
            home=h.astype(np.int64),
            village=stock.village[h].astype(np.int64),
            bedrooms=stock.bedrooms[h].astype(np.int64),
            rent=rent.astype(np.float64),
            allow_above=allow_above,
            senior_suitable=stock.senior_suitable[h],
            key=advert_keys,
            channel=advert_channel,
            cell=behaviour.cell_of(stock.village[h], advert_channel, self._advert_label(h)),
            label_terms=self._label_terms(h),
        )
        memory = self.memory
        responders, which = responses.respond_round(
            self.seekers.n,
            now,
            np.uint64(self._week_index() & keyed.MASK),
            self._households(),
            adverts,
            lim.terms(),
            self._label_rules(),
            self._behaviour_terms(),
            responses.Streams(
                np.uint64(self.keys["look"]),
                np.uint64(self.keys["listing"]),
                np.uint64(self.keys["taste"]),
            ),
            memory.offer_winners(),
            memory.n_resp,
            memory.n_class0,
            memory.n_class01,
            memory.win_class,
            memory.win_meettijd,
            memory.win_n,
            memory.candidates,
            memory.n_cells,
            WAITING,
            STATUS_HOLDER_KIND,
            int(Channel.LOTTERY),
            self.work,
        )
        if now >= 0.0:
            self.rec.columns(
                "responses",
                day=np.full(responders.size, now),
                seeker_id=responders,
                advert_id=self._next_advert + which,
            )
        order = np.argsort(which, kind="stable")
        batch = Batch(
            advert_ids=np.arange(self._next_advert, self._next_advert + h.size),
            homes=h.astype(np.int64),
            keys=advert_keys,
            start=np.searchsorted(which[order], np.arange(h.size + 1)).astype(np.int64),
            responders=responders[order],
        )
        self._next_advert += h.size
        close = now + alloc.response_window_days
        self.at(close, partial(self.close, batch, now))

    def _week_index(self) -> int:
        return math.floor(self.env.now / WEEK)

    def new_keys(self, origin: int, k: int) -> np.ndarray:
        """Keys of `k` new households created by `origin` (KEY_*), numbered in turn."""
        start = self._n_created.get(origin, 0)
        self._n_created[origin] = start + k
        return household_keys(origin, np.arange(start, start + k))

    def _advert_label(self, homes: np.ndarray) -> np.ndarray:
        return np.where(
            self.starter_priority[homes],
            LABEL_STARTER,
            np.where(self.senior_priority[homes], LABEL_SENIOR, LABEL_NONE),
        )

    def _label_terms(self, homes: np.ndarray) -> np.ndarray:
        """The advert side of every rule's label group (model/labels.py)."""
        terms = np.zeros((labels.N_ROWS, homes.size), dtype=bool)
        for rule in RULES:
            side = rule.label_adverts(self, homes)
            if side is not None and rule.label_row is not None:
                terms[rule.label_row] = side
        return terms

    def _label_rules(self) -> labels.LabelRules:
        """The household side's settings under the policies in force."""
        pol = self.pol
        senior = pol.village_rule.senior_priority_age
        return labels.LabelRules(
            int(Kind.STARTER),
            float(pol.starter_pilot.max_age),
            int(pol.starter_pilot.max_household),
            math.nan if senior is None else float(senior),
        )

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

    def _households(self) -> responses.Households:
        """The household columns (whole arrays: the kernels write to them)."""
        cols = self.seekers.cols
        return responses.Households(*(cols[name] for name in responses.Households._fields))

    def _allow_above_limit(self, homes: np.ndarray, year: int) -> np.ndarray:
        """Adverts open to incomes above the DAEB limit under any rule."""
        allow = np.zeros(homes.size, dtype=bool)
        for rule in RULES:
            open_ = rule.allow_above_limit(self, homes, year)
            if open_ is not None:
                allow |= open_
        return allow

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
        """The batch's adverts close (model/close.py decides who gets which home); each
        accepted advert is let in turn, each other one advertised again next cycle."""
        alloc, beh, stock = self.cfg.allocation, self.cfg.behaviour, self.stock
        now = self.env.now
        year = self.date(now).year
        lim = self.limits(now)
        homes = batch.homes
        channel = self.channel[homes].astype(np.int64)
        memory = self.memory
        closed = closing.close_batch(
            now,
            self._households(),
            closing.Batch(
                home=homes,
                village=stock.village[homes].astype(np.int64),
                tenancy=self.tenancy[homes],
                key=batch.keys,
                channel=channel,
                cell=behaviour.cell_of(stock.village[homes], channel, self._advert_label(homes)),
                label_terms=self._label_terms(homes),
                start=batch.start,
                responders=batch.responders,
            ),
            self._admission(homes, year),
            lim.terms(),
            self._label_rules(),
            self._behaviour_terms(),
            closing.Streams(
                np.uint64(self.keys["taste"]),
                np.uint64(self.keys["view"]),
                np.uint64(self.keys["reach"]),
                np.uint64(self.keys["lot"]),
            ),
            beh.p_unreachable,
            beh.no_show_margin,
            int(Channel.OFFER),
            memory.offer_winners(),
            memory.n_resp,
            memory.n_class0,
            memory.n_class01,
            memory.win_class,
            memory.win_meettijd,
            memory.win_n,
            memory.win_next,
            memory.candidates,
            memory.alpha,
            memory.n_cells,
            WAITING,
            int(SeekerState.HOUSED),
        )
        recording = now >= 0.0
        if recording and self.record_offers:
            of = closed.offer_advert
            first = np.r_[0, np.flatnonzero(np.diff(of)) + 1]
            ranks = np.arange(of.size) - np.repeat(first, np.diff(np.r_[first, of.size])) + 1
            self.rec.columns(
                "offers",
                day=np.full(of.size, now),
                advert_id=batch.advert_ids[of],
                home_id=stock.home_id[homes[of]],
                channel=np.asarray(CHANNEL_LABELS)[channel[of]],
                seeker_id=closed.offer_seeker,
                rank=ranks,
                priority=closed.offer_priority,
                meettijd_days=closed.offer_meettijd,
                outcome=np.asarray(OUTCOME_LABELS)[closed.offer_outcome],
            )
        for j, h in enumerate(homes.tolist()):
            advert = int(batch.advert_ids[j])
            accepted = bool(closed.let[j])
            k = int(closed.n_invited[j])
            if recording:
                self._record_advert(
                    advert,
                    h,
                    int(channel[j]),
                    publish_day,
                    int(closed.n_responses[j]),
                    int(closed.n_priority[j]),
                    accepted,
                )
            if not accepted:
                self.pending.append(h)  # advertised again in the next cycle
                continue
            rounds = (k - 1) // alloc.candidates_per_round
            accept_day = now + alloc.days_to_accept + rounds * alloc.days_per_extra_round
            self.let(
                h,
                int(closed.winner[j]),
                accept_day,
                accept_day + alloc.days_to_move_in,
                advert=advert,
                n_responses=int(closed.n_responses[j]),
                rank=k,
                n_refused=k - 1,
                meettijd_days=float(closed.winner_meettijd[j]),
            )

    def _admission(self, homes: np.ndarray, year: int) -> closing.Admission:
        """What the rules' admission at close (free room, custom caps) depends on."""
        stock = self.stock
        muni = stock.municipality[homes].astype(np.int64)
        n_muni = len(stock.municipalities)
        ledgers = [self.ledgers.get((year, m)) for m in range(n_muni)]
        hood = stock.neighbourhood[homes].astype(np.int64)
        custom: dict[int, Any] = self.prepared("custom_rules")
        caps = np.array(
            [
                np.nan
                if (rule := custom.get(int(x))) is None or rule.max_share_urgent is None
                else rule.max_share_urgent
                for x in hood
            ],
            dtype=np.float64,
        )
        counts = self.rule_state["custom_rules"]
        n_hood = len(stock.neighbourhoods)
        return closing.Admission(
            muni=muni,
            free_room=self.prepared("free_room")[homes],
            free_room_cap=float(self.pol.free_room.cap_share),
            muni_lettings=np.array([lg.lettings if lg else 0 for lg in ledgers], dtype=np.int64),
            muni_above=np.array([lg.above_limit if lg else 0 for lg in ledgers], dtype=np.int64),
            hood=hood,
            urgent_cap=caps,
            hood_lettings=np.array(
                [counts["lettings"].get((year, x), 0) for x in range(n_hood)], dtype=np.int64
            ),
            hood_urgent=np.array(
                [counts["urgent"].get((year, x), 0) for x in range(n_hood)], dtype=np.int64
            ),
        )

    def _record_advert(
        self,
        advert: int,
        h: int,
        channel: int,
        publish_day: float,
        n_responses: int,
        n_priority: int,
        let: bool,
    ) -> None:
        self.rec.row(
            "adverts",
            advert_id=advert,
            home_id=int(self.stock.home_id[h]),
            municipality=self.stock.municipalities[self.stock.municipality[h]],
            village=self.stock.villages[self.stock.village[h]],
            channel=CHANNEL_LABELS[channel],
            rule=RULE_LABELS[self.rule[h]],
            starter_priority=bool(self.starter_priority[h]),
            publish_day=publish_day,
            close_day=self.env.now,
            n_responses=int(n_responses),
            n_priority_responses=n_priority,
            let=bool(let),
        )

    def let(
        self,
        h: int,
        s: int,
        accept_day: float,
        day: float,
        advert: int,
        n_responses: int,
        rank: int,
        n_refused: int,
        meettijd_days: float | None = None,
    ) -> None:
        """Seeker `s` takes home `h`: records the letting and starts any chain move."""
        cfg, stock = self.cfg, self.stock
        cols = self.seekers.cols
        now = self.env.now
        self._end(np.array([s]), SeekerState.HOUSED, day)
        old = int(cols["home"][s])
        year = self.date(now).year
        lim = self.limits(now)
        hh = np.array([cols["household_size"][s]])
        above = bool(above_income_limit(hh, cols["income"][s : s + 1], lim)[0])
        ledger = self.ledger(year, int(stock.municipality[h]))
        ledger.lettings += 1
        ledger.above_limit += above
        for rule in RULES:
            rule.on_letting(self, h, s, year)
        if day >= 0.0:
            self._record_letting(
                h, s, day, advert, n_responses, rank, n_refused, meettijd_days, above
            )
        # Entree's rule: the household keeps its registration date (or, before 2013, the
        # new tenancy starts it afresh); the home carries it for the tenant's next search.
        if cfg.seekers.meettijd_rule == "entree_2013":
            self.reg_day[h] = cols["meettijd_start"][s]
        else:
            self.reg_day[h] = day
        # The home is the household's from now (no other registrant is placed in it); at
        # the tenancy's start it stays registered or frees the home's listing.
        self.tenant[h] = s
        self.at(day, partial(self._move_in, s, h))
        # The new tenant is not on the list; the home's next vacancy follows the hazard.
        self.status[h] = OCCUPIED
        self.next_cause[h] = VacancyCause.TURNOVER
        self.tenant_birth[h] = cols["birth_day"][s]
        self.tenant_exit[h] = exit_day = max(float(cols["exit_day"][s]), day)
        self.tenant_reason[h] = cols["exit_reason"][s]
        self.tenancy_start[h] = day
        rate = stock.turnover_per_year[h] * self.turnover_factor(day) / DAYS_PER_YEAR
        rest = math.inf
        if rate > 0:
            rest = day + keyed.exponential_one(self.keys["vacancy"], h, int(self.tenancy[h])) / rate
        if min(rest, exit_day) < math.inf:
            why = Exit.NONE if rest <= exit_day else int(self.tenant_reason[h])
            self.schedule_vacancy(h, min(rest, exit_day), VacancyCause.TURNOVER, reason=why)
        else:
            self.tenancy[h] += 1
        if old >= 0:
            cols["home"][s] = -1
            self.tenant[old] = -1
            self.schedule_vacancy(
                old,
                accept_day + cfg.stock.notice_days,
                VacancyCause.CHAIN,
                chain=int(self.chain_id[h]),
                pos=int(self.chain_pos[h]) + 1,
            )

    def _move_in(self, s: int, h: int) -> None:
        """Household `s`'s tenancy of `h` starts: it stays registered as a passive mover
        from the stock with its kept date (seekers.housed_stay_registered), a new list
        entry, or leaves the list, its date staying with the home."""
        if self.status[h] != OCCUPIED or self.tenant[h] != s:
            return
        if not self.cfg.seekers.housed_stay_registered:
            self.tenant[h] = -1
            return
        cols = self.seekers.cols
        profile = self.cfg.seekers.kinds["mover_stock"]
        village = int(self.stock.village[h])
        row = {key: cols[key][s : s + 1].copy() for key in REREGISTER_KEPT}
        idx = self.add_households(
            {
                **row,
                "kind": np.array([Kind.MOVER_STOCK], dtype=np.int8),
                "priority": np.ones(1, dtype=np.int8),
                "meettijd_start": self.reg_day[h : h + 1].copy(),
                "entry_day": np.array([self.env.now]),
                "village_mask": row["village_mask"] | np.uint32(1 << village),
                "origin_municipality": self.stock.village_municipality[[village]],
                "origin_village": np.array([village], dtype=np.int16),
                "active": np.zeros(1, dtype=bool),
                "intensity": np.array([profile.looks_per_week]),
                "leave_rate": np.array([profile.leave_per_year / DAYS_PER_YEAR]),
                "home": np.array([h], dtype=np.int32),
                "key": household_keys(KEY_REREGISTERED, cols["key"][s : s + 1]),
            }
        )
        self.tenant[h] = int(idx[0])

    def _record_letting(
        self,
        h: int,
        s: int,
        day: float,
        advert: int,
        n_responses: int,
        rank: int,
        n_refused: int,
        meettijd_days: float | None,
        above: bool,
    ) -> None:
        stock = self.stock
        cols = self.seekers.cols
        now = self.env.now
        age = (day - cols["birth_day"][s]) / DAYS_PER_YEAR
        kind = int(cols["kind"][s])
        first = cols["search_start_day"][s]
        search_from = first if not np.isnan(first) else cols["entry_day"][s]
        old = int(cols["home"][s])
        self.rec.row(
            "lettings",
            day=day,
            home_id=int(stock.home_id[h]),
            municipality=stock.municipalities[stock.municipality[h]],
            village=stock.villages[stock.village[h]],
            neighbourhood=stock.neighbourhoods[stock.neighbourhood[h]],
            channel=CHANNEL_LABELS[self.channel[h]],
            rule=RULE_LABELS[self.rule[h]],
            starter_priority=bool(self.starter_priority[h]),
            seeker_id=s,
            seeker_kind=KIND_LABELS[kind],
            group="",  # filled in bulk by `run`
            age=float(age),
            household_size=int(cols["household_size"][s]),
            income=float(cols["income"][s]),
            above_income_limit=above,
            meettijd_days=float(now - cols["meettijd_start"][s])
            if meettijd_days is None
            else meettijd_days,
            search_days=float(day - search_from),
            n_responses=n_responses,
            winner_rank=rank,
            n_refused=n_refused,
            vacant_days=float(day - self.vacancy_day[h]),
            vacancy_cause=CAUSE_LABELS[self.cause[h]],
            departure=EXIT_LABELS[self.departure[h]] if self.cause[h] == 0 else "",
            chain_id=int(self.chain_id[h]),
            chain_position=int(self.chain_pos[h]),
            freed_home_id=int(stock.home_id[old]) if old >= 0 else -1,
            freed_home_bedrooms=int(stock.bedrooms[old]) if old >= 0 else 0,
            bedrooms=int(stock.bedrooms[h]),
            senior_suitable=bool(stock.senior_suitable[h]),
            origin_village=self.village_label(int(cols["origin_village"][s])),
            advert_id=advert,
        )

    # ---------------------------------------------------------------------- run

    def begin(self, seed: SeedState | None = None) -> Engine:
        self.setup(seed)
        return self

    def advance(self, day: float) -> Engine:
        """Simulate up to (not including) `day`."""
        day = min(day, self.horizon)
        if day > self.env.now:
            self.env.run(until=day)
        return self

    def fork(self, cfg: Config) -> Engine:
        """A copy of this engine that continues under `cfg` (same history)."""
        twin = copy.deepcopy(self, memo={id(self.stock): self.stock, id(self.cfg): self.cfg})
        twin.use_scenario(cfg)
        return twin

    def finish(self) -> dict[str, pd.DataFrame]:
        """Run to the horizon and return the record tables."""
        self.advance(self.horizon)
        self._write_seekers()
        self._write_tenants()
        self._write_quotas()
        frames = self.rec.frames()
        # A tenancy that starts at or after the horizon is not in this run: its letting is
        # dropped here and its tenant is censored in `seekers` (see _write_seekers).
        lets = frames["lettings"]
        lets = lets[lets["day"] < self.horizon].reset_index(drop=True)
        code = {label: i for i, label in enumerate(KIND_LABELS)}
        kind = np.array([code[k] for k in lets["seeker_kind"].astype(str)], dtype=np.int8)
        group = assign_group(kind, lets["age"].to_numpy(), self.cfg.seekers.group_ages())
        lets["group"] = pd.Categorical(np.asarray(GROUP_LABELS)[group])
        frames["lettings"] = lets
        return frames

    def run(self) -> dict[str, pd.DataFrame]:
        return self.begin().finish()

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
            kind=pd.Categorical.from_codes(kind, KIND_LABELS),
            group=pd.Categorical.from_codes(group, GROUP_LABELS),
            origin_municipality=pd.Categorical.from_codes(
                cols["origin_municipality"][keep], self.stock.municipalities
            ),
            origin_village=pd.Categorical.from_codes(
                cols["origin_village"][keep], (*self.stock.villages, "outside")
            ),
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
            outcome=pd.Categorical.from_codes(state[keep], SEEKER_STATE_LABELS),
            outcome_day=end[keep],
            left_reason=np.where(
                state[keep] == SeekerState.LEFT,
                np.asarray(EXIT_LABELS)[cols["left_reason"][keep]],
                "",
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
            municipality=np.asarray(stock.municipalities)[stock.municipality[h]],
            village=np.asarray(stock.villages)[stock.village[h]],
            dwelling_type=np.asarray(DWELLING_TYPES)[stock.dwelling_type[h]],
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
        for (year, m), led in sorted(self.ledgers.items()):
            if year < first_year:
                continue  # burn-in
            name = self.stock.municipalities[m]
            own = [
                ("vacancies", math.nan, led.vacancies, led.vacancies),
                *[row for rule in RULES for row in rule.quota_rows(self, year, m, led)],
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


def pilot_state(cfg: Config, stock: Stock, index: int = 0) -> SeedState | None:
    """The end state of pilot `index` of `cfg`'s history (run.seed_state = 'pilot'):
    run.pilot_years from a profile seed under the history's rules with trends held,
    ending where a replication's burn-in begins. Computed once per history, index and
    process, and kept on disk for other processes (allocsim.pilot_cache). Pilot 0 is the
    same whatever run.pilots says; pilot k > 0 draws from its own stream."""
    if cfg.run.seed_state == "profiles":
        return None
    key = _pilot_key(cfg, index)
    if key not in _PILOTS:
        if len(_PILOTS) > 8:
            _PILOTS.clear()
        disk_key = pilot_cache.key_of(key, stock)
        cached = pilot_cache.load(disk_key)
        if cached is not None and set(cached[3]) == set(TENANT_FIELDS):
            _PILOTS[key] = SeedState(*cached)
            return _PILOTS[key]
        end = -round(cfg.run.burnin_years * DAYS_PER_YEAR)
        engine = Engine(
            cfg,
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
        pilot_cache.store(disk_key, state.day, state.seekers, state.reg_day, state.tenants)
    return _PILOTS[key]


def _pilot_key(cfg: Config, index: int) -> str:
    """The history key without run.pilots (pilot k is the same draw for any number of
    pilots), and the pilot's index after the first."""
    data = json.loads(cfg.history_key())
    data["run"].pop("pilots", None)
    key = json.dumps(data, sort_keys=True)
    return key if index == 0 else f"{key}#pilot{index}"


def pilot_of(cfg: Config, replication: int) -> int:
    """The pilot replication `replication` starts from."""
    return replication % cfg.run.pilots


def simulate(
    cfg: Config, stock: Stock, replication: int, record_offers: bool = True
) -> dict[str, pd.DataFrame]:
    """One replication: the records of a run of `cfg` on `stock`.

    Without `record_offers` the offers table stays empty (experiments that keep only
    metrics); nothing else changes, random streams included."""
    return simulate_scenarios([cfg], stock, replication, record_offers)[0]


def simulate_scenarios(
    cfgs: list[Config], stock: Stock, replication: int, record_offers: bool = True
) -> list[dict[str, pd.DataFrame]]:
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
