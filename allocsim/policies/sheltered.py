"""Outflow from sheltered housing and shelters (clause 4.1): households leaving Beschermd
Wonen or Maatschappelijke Opvang register as urgent in their municipality, a Poisson
number a week (`households_per_year`), from the rule's own sequential stream."""

from __future__ import annotations

from functools import partial

import numpy as np

from allocsim.domain import DAYS_PER_YEAR, KEY_SHELTERED, Kind
from allocsim.policies.rule import EngineView
from allocsim.policies.rule import Rule as Hooks
from allocsim.world import draw_seekers

WEEK = 7.0


class ShelteredOutflow(Hooks):
    name = "sheltered_outflow"
    streams = ("sheltered",)

    def start(self, eng: EngineView) -> None:
        eng.at(eng.env.now + WEEK, partial(self.tick, eng))

    def tick(self, eng: EngineView) -> None:
        """Weekly: this week's households register as urgent in their municipality."""
        so = eng.pol.sheltered_outflow
        if so.enabled:
            rng = eng.rng["sheltered"]
            stock = eng.stock
            for m, name in enumerate(stock.municipalities):
                k = int(rng.poisson(so.households_per_year.get(name, 0.0) * WEEK / DAYS_PER_YEAR))
                if not k:
                    continue
                kinds = np.full(k, Kind.URGENT)
                entry = eng.env.now - rng.random(k) * WEEK
                new = draw_seekers(eng.cfg, stock, rng, kinds, entry, initial=False)
                new["kind"][:] = Kind.SHELTERED
                own = np.flatnonzero(stock.village_municipality == m)
                new["village_mask"][:] = np.uint32(np.sum(1 << own))
                new["origin_municipality"][:] = m
                new["origin_village"][:] = own[0]
                new["key"] = eng.new_keys(KEY_SHELTERED, k)
                eng.add_households(new)
        eng.at(eng.env.now + WEEK, partial(self.tick, eng))
