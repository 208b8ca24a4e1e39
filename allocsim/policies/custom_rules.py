"""Custom allocation per neighbourhood (maatwerk, clauses 4.2 and 4.3): a cap on the
share of a neighbourhood's yearly lettings to urgent households (when it binds, urgent
responders are passed over), or priority for households above the rent-allowance
income limit (a mix). The agreement does not say what the maatwerk is; the defaults
are an assumption (`[[policies.custom]]`)."""

from __future__ import annotations

import numba
import numpy as np

from allocsim.config import CustomRule, PoliciesConfig
from allocsim.policies.eligibility import Limits
from allocsim.policies.ledger import cap_count, share_allows
from allocsim.policies.rule import EngineView, FreeQuotaRow
from allocsim.policies.rule import Rule as Hooks
from allocsim.world import Stock


@numba.njit(cache=True, inline="always")
def in_group(income: float, allowance: float) -> bool:  # pragma: no cover - compiled
    """The label group's household side: income above the rent-allowance limit."""
    return income > allowance


class CustomRules(Hooks):
    name = "custom_rules"
    label_row = 2

    def prepare(self, policies: PoliciesConfig, stock: Stock) -> dict[int, CustomRule]:
        """The rules by neighbourhood code (rules for absent neighbourhoods dropped)."""
        return {
            stock.neighbourhoods.index(c.neighbourhood): c
            for c in policies.custom
            if c.neighbourhood in stock.neighbourhoods
        }

    def start(self, eng: EngineView) -> None:
        # Lettings and urgent lettings per (year, neighbourhood), every neighbourhood.
        eng.rule_state[self.name] = {"lettings": {}, "urgent": {}}

    def label_adverts(self, eng: EngineView, homes: np.ndarray) -> np.ndarray | None:
        """Homes in a neighbourhood whose rule gives households above the rent-allowance
        limit priority (a mix)."""
        rules: dict[int, CustomRule] = eng.prepared(self.name)
        above_rule = [k for k, r in rules.items() if r.priority_above_allowance]
        if not above_rule:
            return None
        return np.isin(eng.stock.neighbourhood[homes], above_rule)

    def admit(
        self, eng: EngineView, h: int, resp: np.ndarray, year: int, lim: Limits
    ) -> np.ndarray | None:
        hood = int(eng.stock.neighbourhood[h])
        rule = eng.prepared(self.name).get(hood)
        if rule is None or rule.max_share_urgent is None:
            return None
        state = eng.rule_state[self.name]
        key = (year, hood)
        if share_allows(
            state["urgent"].get(key, 0), state["lettings"].get(key, 0), rule.max_share_urgent
        ):
            return None
        return eng.seekers.cols["priority"][resp] != 0  # the cap binds: urgent pass

    def on_letting(self, eng: EngineView, h: int, s: int, year: int) -> None:
        state = eng.rule_state[self.name]
        key = (year, int(eng.stock.neighbourhood[h]))
        state["lettings"][key] = state["lettings"].get(key, 0) + 1
        if eng.seekers.cols["priority"][s] == 0:
            state["urgent"][key] = state["urgent"].get(key, 0) + 1

    def final_rows(self, eng: EngineView, first_year: int) -> list[FreeQuotaRow]:
        """Each capped neighbourhood's urgent lettings against its cap, per year."""
        rules: dict[int, CustomRule] = eng.prepared(self.name, scenario=True)
        state = eng.rule_state[self.name]
        stock = eng.stock
        rows: list[FreeQuotaRow] = []
        for (year, hood), lets in sorted(state["lettings"].items()):
            rule = rules.get(hood)
            if year < first_year or rule is None or rule.max_share_urgent is None:
                continue
            muni = stock.municipality[stock.neighbourhood == hood][0]
            rows.append(
                (
                    year,
                    stock.municipalities[muni],
                    f"urgent_share_{stock.neighbourhoods[hood]}",
                    float(cap_count(rule.max_share_urgent, lets)),
                    float(state["urgent"].get((year, hood), 0)),
                    float("nan"),
                )
            )
        return rows
