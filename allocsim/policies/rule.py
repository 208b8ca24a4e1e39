"""The hooks through which the engine applies a rule of the agreement.

A rule is a module under `allocsim/policies/` holding its settings' meaning, its pure
array functions and one `Rule` subclass; `allocsim.policies.RULES` lists them in the
order the engine calls them. What a rule decides for a home or an advert runs
compiled, in the weekly passes of `allocsim/model/` (the vacancy rules in
model/homes.py, the label groups and the admission at close in model/week.py and
model/close.py, each rule's settings in model/state.RuleTerms); the Python hooks here
prepare what the rules need, run their own ticks and report their quota rows. Each
hook receives the engine as an `EngineView` (what a rule may read and do), so rules
depend on that protocol and never on the engine module. A rule keeps its own bookkeeping in
`engine.rule_state[rule.name]` (created by `start`), which a forked engine copies;
what it schedules is a `functools.partial` of a method and the engine (never a
closure), so the copy's schedule calls the copy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, ClassVar, Protocol

import numpy as np
import simpy

from allocsim.config import Config, PoliciesConfig
from allocsim.model.state import Books, Calendar, Seekers
from allocsim.policies.eligibility import Limits
from allocsim.policies.ledger import Ledger
from allocsim.world import SeekerTable, Stock

# A quota row: (item, limit, used, requested) of one municipality's year.
QuotaRow = tuple[str, float, float, float]
# A row of its own: (year, municipality, item, limit, used, requested).
FreeQuotaRow = tuple[int, str, str, float, float, float]


class EngineView(Protocol):
    """What the engine offers the rules."""

    cfg: Config
    stock: Stock
    seekers: SeekerTable
    env: simpy.Environment
    rng: dict[str, np.random.Generator]
    keys: dict[str, int]
    rule_state: dict[str, Any]
    channel: np.ndarray
    rule: np.ndarray
    starter_priority: np.ndarray
    senior_priority: np.ndarray
    status: np.ndarray
    horizon: float
    books: Books
    calendar: Calendar

    @property
    def pol(self) -> PoliciesConfig: ...

    def prepared(self, rule: str, scenario: bool = False) -> Any:
        """What `rule.prepare` made of the policies in force (`scenario`: the scenario's,
        whatever the day)."""

    def date(self, day: float) -> dt.date: ...

    def limits(self, day: float) -> Limits: ...

    def add_households(self, rows: dict[str, np.ndarray]) -> np.ndarray:
        """Add households (SeekerTable columns, with `key`); each draws its demographic
        exit. Returns their indices."""

    def plan_households(self, rows: dict[str, np.ndarray], day: np.ndarray) -> Seekers:
        """Households drawn ahead, each to register on its `day` (exits drawn as of it)."""

    def register(self, plan: Seekers, lo: int, hi: int) -> np.ndarray:
        """Rows lo..hi of a plan join the list (one compiled pass); their indices."""

    def ledger(self, year: int, muni: int) -> Ledger: ...

    def at(self, day: float, callback: Callable[[], None]) -> None: ...

    def new_keys(self, origin: int, k: int) -> np.ndarray: ...

    def queue_direct(self, muni: int, households: np.ndarray) -> None:
        """Households join the end of their municipality's queue for direct allocation
        (model/homes.py offers them vacancies before any advert)."""


class Rule:
    """A clause's hooks; each default does nothing, so a rule defines only its own."""

    name: ClassVar[str]
    # Sequential generators the rule draws new households from (engine.rng[name]).
    streams: ClassVar[tuple[str, ...]] = ()

    def prepare(self, policies: PoliciesConfig, stock: Stock) -> Any:
        """Precompute what this set of policies means for the stock (once per scenario)."""
        return None

    def start(self, eng: EngineView) -> None:
        """Create this rule's state and schedule its own processes (at the burn-in's start)."""

    def quota_rows(
        self, eng: EngineView, year: int, muni: int, ledger: Ledger, policies: PoliciesConfig
    ) -> list[QuotaRow]:
        """This rule's rows of the quotas table for one municipality's year; `policies` are
        the rules in force that year (Engine.policies_of_year): the history's in a year
        before run.policy_start, so a limit is the one the year's lettings were held to."""
        return []

    def final_rows(self, eng: EngineView, first_year: int) -> list[FreeQuotaRow]:
        """Rows of the quotas table not tied to a municipality's ledger."""
        return []
