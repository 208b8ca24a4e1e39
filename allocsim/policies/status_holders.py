"""Status holders (clause 1.13): the municipalities' half-yearly task, spread evenly over
the year, housed by direct allocation within at most 10% of each municipality's vacated
homes a year.

Households arrive monthly (`arrival_spread`) into a queue per municipality; a vacated
home goes directly to the longest-waiting household that may rent it while the cap
allows (a new-build project's own first-letting channel goes first): compiled, in
model/homes.vacate. Households and their sizes come from the rule's own sequential
stream, so the adverts' draws are the same whatever this policy. The months to the
horizon are drawn at once, as a plan (engine.plan_households), when the settings first
apply and again only when a scenario changes them; each month's tick registers its rows
(engine.register) and queues them."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import partial

import numpy as np

from allocsim.config import PoliciesConfig, StatusHolderConfig
from allocsim.domain import DAYS_PER_YEAR, KEY_STATUS_HOLDER, Kind, day_of
from allocsim.model.state import Seekers
from allocsim.policies.ledger import Ledger, cap_count, share_allows
from allocsim.policies.rule import EngineView, FreeQuotaRow, QuotaRow
from allocsim.policies.rule import Rule as Hooks


def direct_allowed(ledger: Ledger, cap_share: float) -> bool:
    """Whether one more direct allocation to status holders fits 10% of vacancies so far."""
    return share_allows(ledger.direct, ledger.vacancies, cap_share)


def households_this_month(sh: StatusHolderConfig, municipality: str, month: int) -> float:
    """Status-holder households arriving in `month` under the half-year's task: a sixth
    of it each month (monthly spread), or all of it in January and July."""
    mean_size = float(np.dot(np.arange(1, 6), sh.household_size_shares))
    half = sh.task_persons_h1 if month <= 6 else sh.task_persons_h2
    households = half.get(municipality, 0.0) * sh.vivare_share_of_task / mean_size
    if sh.arrival_spread == "monthly":
        return households / 6.0
    return households if month in (1, 7) else 0.0


@dataclass(frozen=True)
class Plan:
    """The households of the monthly ticks on `days`, under `settings`: tick k's are rows
    `ends[k - 1]:ends[k]` of `rows`; `carry[k]` the fractions of households owed before
    tick k (per municipality)."""

    settings: StatusHolderConfig
    days: np.ndarray
    ends: np.ndarray
    carry: np.ndarray
    rows: Seekers


def month_ticks(eng: EngineView, day: float) -> list[float]:
    """`day` and the first of every later month before the horizon."""
    out = [day]
    date = eng.date(day)
    while True:
        date = (date.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        nxt = float(day_of(date, eng.cfg.run.start_date))
        if nxt >= eng.horizon:
            return out
        out.append(nxt)


class StatusHolders(Hooks):
    name = "status_holders"
    streams = ("status_holders",)  # its arrivals, and the refusals of its direct offers

    def start(self, eng: EngineView) -> None:
        eng.rule_state[self.name] = {
            "arrived": {},  # persons per (year, municipality)
            "plan": None,
        }
        eng.at(eng.env.now, partial(self.tick, eng))

    def tick(self, eng: EngineView) -> None:
        """Each month, status-holder households arrive per the half-yearly task (1.13)."""
        sh = eng.pol.status_holders
        now = float(eng.env.now)
        state = eng.rule_state[self.name]
        plan: Plan | None = state["plan"]
        k = 0 if plan is None else int(np.searchsorted(plan.days, now))
        if sh.enabled:
            if plan is None or plan.settings != sh or k >= plan.days.size or plan.days[k] != now:
                carry = np.zeros(len(eng.stock.municipalities))
                if plan is not None and k < plan.days.size:
                    carry = plan.carry[k]
                plan = state["plan"] = self._plan(eng, sh, now, carry)
                k = 0
            lo, hi = (int(plan.ends[k - 1]) if k else 0), int(plan.ends[k])
            if hi > lo:
                idx = eng.register(plan.rows, lo, hi)
                muni = plan.rows.origin_municipality[lo:hi]
                size = plan.rows.household_size[lo:hi]
                year = eng.date(now).year
                for m in np.unique(muni).tolist():
                    eng.queue_direct(m, idx[muni == m])
                    key = (year, m)
                    persons = int(size[muni == m].astype(np.int64).sum())
                    state["arrived"][key] = state["arrived"].get(key, 0) + persons
        date = eng.date(now)
        nxt = (date.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        eng.at(day_of(nxt, eng.cfg.run.start_date), partial(self.tick, eng))

    def _plan(self, eng: EngineView, sh: StatusHolderConfig, now: float, carry: np.ndarray) -> Plan:
        """Every month's households from now to the horizon, per municipality in turn:
        as many as the month's share of the half-yearly task (households_this_month)
        makes whole, the fractions carried to the next month."""
        rng = eng.rng["status_holders"]
        days = np.array(month_ticks(eng, now))
        names = eng.stock.municipalities
        carry = carry.copy()
        carries = np.empty((days.size, len(names)))
        counts = np.zeros((days.size, len(names)), dtype=np.int64)
        for t, day in enumerate(days.tolist()):
            carries[t] = carry
            month = eng.date(day).month
            for m, name in enumerate(names):
                carry[m] += households_this_month(sh, name, month)
                counts[t, m] = math.floor(carry[m] + 1e-9)
                carry[m] -= counts[t, m]
        k = int(counts.sum())
        muni = np.tile(np.arange(len(names)), days.size).repeat(counts.ravel())
        day = np.repeat(days, counts.sum(axis=1))
        hh = rng.choice(np.arange(1, 6), size=k, p=np.asarray(sh.household_size_shares))
        age = 25.0 + rng.gamma(4.0, 3.0, size=k)  # assumption: adults of about 25-45
        all_villages = (1 << len(eng.stock.villages)) - 1
        rows: dict[str, np.ndarray] = {
            "kind": np.full(k, Kind.STATUS_HOLDER, dtype=np.int8),
            "priority": np.ones(k, dtype=np.int8),
            "birth_day": day - age * DAYS_PER_YEAR,
            "household_size": hh.astype(np.int8),
            "income": np.full(k, sh.income),
            "meettijd_start": day,
            "entry_day": day,
            "village_mask": np.full(k, all_villages, dtype=np.uint32),
            "origin_municipality": muni.astype(np.int16),
            "origin_village": np.full(k, len(eng.stock.villages), dtype=np.int16),
            "key": eng.new_keys(KEY_STATUS_HOLDER, k),
        }
        ends = np.cumsum(counts.sum(axis=1))
        return Plan(sh, days, ends, carries, eng.plan_households(rows, day))

    def quota_rows(
        self, eng: EngineView, year: int, muni: int, ledger: Ledger, policies: PoliciesConfig
    ) -> list[QuotaRow]:
        sh = policies.status_holders
        name = eng.stock.municipalities[muni]
        task = (sh.task_persons_h1.get(name, 0.0) + sh.task_persons_h2.get(name, 0.0)) * (
            sh.vivare_share_of_task if sh.enabled else 0.0
        )
        state = eng.rule_state[self.name]
        housed = int(eng.books.sh_housed[year - eng.calendar.year0, muni])
        return [
            (
                "status_holder_cap",
                cap_count(sh.cap_share, ledger.vacancies),
                ledger.direct,
                ledger.direct + ledger.direct_refused_by_cap,
            ),
            (
                "status_holder_task_persons",
                task,
                housed,
                state["arrived"].get((year, muni), 0),
            ),
        ]

    def final_rows(self, eng: EngineView, first_year: int) -> list[FreeQuotaRow]:
        """Persons still waiting in each municipality's queue at the horizon."""
        size = eng.seekers.cols["household_size"]
        year = eng.date(eng.horizon - 1).year
        books = eng.books
        nan = float("nan")
        return [
            (
                year,
                name,
                "status_holder_backlog_persons",
                nan,
                float(size[books.sh_queue[m, : books.sh_len[m]]].astype(np.int64).sum()),
                nan,
            )
            for m, name in enumerate(eng.stock.municipalities)
        ]
