"""Outflow from sheltered housing and shelters (clause 4.1): households leaving Beschermd
Wonen or Maatschappelijke Opvang register as urgent in their municipality, a Poisson
number a week (`households_per_year`), from the rule's own sequential stream.

The weeks to the horizon are drawn at once, as a plan (engine.plan_households), when
the rule's settings first apply and again only when a scenario changes them; each week's
tick registers its rows in one compiled pass (engine.register)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from allocsim.config import ShelteredOutflowConfig
from allocsim.domain import DAYS_PER_YEAR, KEY_SHELTERED, Kind
from allocsim.model.state import Seekers
from allocsim.policies.rule import EngineView
from allocsim.policies.rule import Rule as Hooks
from allocsim.world import draw_seekers

WEEK = 7.0


@dataclass(frozen=True)
class Plan:
    """The households of the ticks on `first` + k weeks, under `settings`: tick k's are
    rows `ends[k - 1]:ends[k]` of `rows`."""

    settings: ShelteredOutflowConfig
    first: float
    ends: np.ndarray
    rows: Seekers


class ShelteredOutflow(Hooks):
    name = "sheltered_outflow"
    streams = ("sheltered",)

    def start(self, eng: EngineView) -> None:
        eng.rule_state[self.name] = {"plan": None}
        eng.at(eng.env.now + WEEK, partial(self.tick, eng))

    def tick(self, eng: EngineView) -> None:
        """Weekly: this week's households register as urgent in their municipality."""
        so = eng.pol.sheltered_outflow
        if so.enabled:
            state = eng.rule_state[self.name]
            plan = state["plan"]
            if plan is None or plan.settings != so:
                plan = state["plan"] = self._plan(eng, so)
            k = round((eng.env.now - plan.first) / WEEK)
            lo, hi = (int(plan.ends[k - 1]) if k else 0), int(plan.ends[k])
            if hi > lo:
                eng.register(plan.rows, lo, hi)
        eng.at(eng.env.now + WEEK, partial(self.tick, eng))

    def _plan(self, eng: EngineView, so: ShelteredOutflowConfig) -> Plan:
        """Every week's households from now to the horizon, per municipality in turn."""
        rng = eng.rng["sheltered"]
        stock = eng.stock
        now = float(eng.env.now)
        ticks = now + WEEK * np.arange(max(1, int(np.ceil((eng.horizon - now) / WEEK))))
        munis = len(stock.municipalities)
        rate = np.array([so.households_per_year.get(m, 0.0) for m in stock.municipalities])
        counts = rng.poisson(rate * WEEK / DAYS_PER_YEAR, size=(ticks.size, munis))
        muni = np.tile(np.arange(munis), ticks.size).repeat(counts.ravel())
        day = np.repeat(ticks, counts.sum(axis=1))
        k = int(counts.sum())
        new = draw_seekers(
            eng.cfg, stock, rng, np.full(k, Kind.URGENT), day - rng.random(k) * WEEK, False
        )
        new["kind"][:] = Kind.SHELTERED
        own = [np.flatnonzero(stock.village_municipality == m) for m in range(munis)]
        masks = np.array([np.sum(1 << v) for v in own], dtype=np.uint32)
        new["village_mask"] = masks[muni]
        new["origin_municipality"] = muni.astype(np.int16)
        new["origin_village"] = np.array([v[0] for v in own], dtype=np.int16)[muni]
        new["key"] = eng.new_keys(KEY_SHELTERED, k)
        return Plan(so, now, np.cumsum(counts.sum(axis=1)), eng.plan_households(new, day))
