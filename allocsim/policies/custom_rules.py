"""Custom allocation per neighbourhood (maatwerk, clauses 4.2 and 4.3): a cap on the
share of a neighbourhood's yearly lettings to urgent households (when it binds, urgent
responders are passed over: model/close.py, counted in model/homes.let), or priority
for households above the rent-allowance income limit (a mix). The agreement does not
say what the maatwerk is; the defaults are an assumption (`[[policies.custom]]`)."""

from __future__ import annotations

import numba
import numpy as np

from allocsim.config import CustomRule, PoliciesConfig
from allocsim.policies.ledger import cap_count
from allocsim.policies.rule import EngineView, FreeQuotaRow
from allocsim.policies.rule import Rule as Hooks
from allocsim.world import Stock


@numba.njit(cache=True, inline="always")
def in_group(income: float, allowance: float) -> bool:  # pragma: no cover - compiled
    """The label group's household side: income above the rent-allowance limit."""
    return income > allowance


class CustomRules(Hooks):
    name = "custom_rules"

    def prepare(self, policies: PoliciesConfig, stock: Stock) -> dict[int, CustomRule]:
        """The rules by neighbourhood code (rules for absent neighbourhoods dropped)."""
        return {
            stock.neighbourhoods.index(c.neighbourhood): c
            for c in policies.custom
            if c.neighbourhood in stock.neighbourhoods
        }

    def final_rows(self, eng: EngineView, first_year: int) -> list[FreeQuotaRow]:
        """Each capped neighbourhood's urgent lettings against its cap, per year."""
        rules: dict[int, CustomRule] = eng.prepared(self.name, scenario=True)
        counts = eng.books.custom  # (year slot, neighbourhood, lettings | urgent)
        stock = eng.stock
        rows: list[FreeQuotaRow] = []
        for y, hood in zip(*(a.tolist() for a in np.nonzero(counts[:, :, 0])), strict=True):
            year = y + eng.calendar.year0
            rule = rules.get(hood)
            if year < first_year or rule is None or rule.max_share_urgent is None:
                continue
            lets = int(counts[y, hood, 0])
            muni = stock.municipality[stock.neighbourhood == hood][0]
            rows.append(
                (
                    year,
                    stock.municipalities[muni],
                    f"urgent_share_{stock.neighbourhoods[hood]}",
                    float(cap_count(rule.max_share_urgent, lets)),
                    float(counts[y, hood, 1]),
                    float("nan"),
                )
            )
        return rows
