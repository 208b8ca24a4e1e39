"""Transformation (clauses 1.1, 3.1): a vacated large family home (at least
`min_bedrooms`) leaves social letting with chance `share_withdrawn` (to mid-rent or
sale), drawn per home and tenancy from the keyed `transform` stream: compiled, in
model/homes.vacate."""

from __future__ import annotations

from allocsim.config import PoliciesConfig
from allocsim.policies.ledger import Ledger
from allocsim.policies.rule import EngineView, QuotaRow
from allocsim.policies.rule import Rule as Hooks


class Transformation(Hooks):
    name = "transformation"

    def quota_rows(
        self, eng: EngineView, year: int, muni: int, ledger: Ledger, policies: PoliciesConfig
    ) -> list[QuotaRow]:
        return [("transformed", float("nan"), ledger.transformed, ledger.transformed)]
