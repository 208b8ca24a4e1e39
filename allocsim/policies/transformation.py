"""Transformation (clauses 1.1, 3.1): a vacated large family home (at least
`min_bedrooms`) leaves social letting with chance `share_withdrawn` (to mid-rent or
sale), drawn per home and tenancy from the keyed `transform` stream."""

from __future__ import annotations

from allocsim import keyed
from allocsim.domain import WITHDRAWN
from allocsim.policies.ledger import Ledger
from allocsim.policies.rule import EngineView, QuotaRow
from allocsim.policies.rule import Rule as Hooks


class Transformation(Hooks):
    name = "transformation"

    def on_vacancy(
        self, eng: EngineView, h: int, token: int, first_channel: int, ledger: Ledger
    ) -> bool:
        tf = eng.pol.transformation
        if (
            tf.share_withdrawn > 0
            and eng.stock.bedrooms[h] >= tf.min_bedrooms
            and keyed.uniform_one(eng.keys["transform"], h, token) < tf.share_withdrawn
        ):
            eng.status[h] = WITHDRAWN  # leaves social letting (1.1, 3.1)
            ledger.transformed += 1
            return True
        return False

    def quota_rows(self, eng: EngineView, year: int, muni: int, ledger: Ledger) -> list[QuotaRow]:
        return [("transformed", float("nan"), ledger.transformed, ledger.transformed)]
