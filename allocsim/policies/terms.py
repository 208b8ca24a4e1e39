"""The rules' settings as compiled code reads them (model/state.RuleTerms): one place
that turns a set of policies into numbers per municipality, village, neighbourhood or
home, so the engine never names a clause."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from allocsim.config import PoliciesConfig
from allocsim.model.state import RuleTerms
from allocsim.policies.ledger import LOTTERY_USES
from allocsim.policies.starter_pilot import starter_split
from allocsim.world import Stock


def rule_terms(pol: PoliciesConfig, prepared: dict[str, Any], stock: Stock) -> RuleTerms:
    """The rules' settings under one set of policies, for the compiled passes
    (model/homes.py, model/week.py); `prepared` is what each rule's `prepare` made of
    them (engine.PolicyView)."""
    munis = stock.municipalities
    sp, vr, cap = pol.starter_pilot, pol.village_rule, pol.lottery_cap
    custom: dict[int, Any] = prepared["custom_rules"]
    n_hood = len(stock.neighbourhoods)
    urgent_cap = [
        math.nan
        if (rule := custom.get(k)) is None or rule.max_share_urgent is None
        else rule.max_share_urgent
        for k in range(n_hood)
    ]
    quota = [sp.quota_per_year.get(m, 0) for m in munis]
    split = [starter_split(q, sp.lottery_share, sp.odd_extra) for q in quota]
    return RuleTerms(
        transform_share=float(pol.transformation.share_withdrawn),
        transform_min_bedrooms=int(pol.transformation.min_bedrooms),
        sh_enabled=bool(pol.status_holders.enabled),
        sh_cap_share=float(pol.status_holders.cap_share),
        sp_enabled=bool(sp.enabled),
        sp_quota=np.array(quota, dtype=np.int64),
        sp_lottery=np.array([lot for lot, _ in split], dtype=np.int64),
        sp_offer=np.array([off for _, off in split], dtype=np.int64),
        sp_max_bedrooms=int(sp.max_bedrooms),
        sp_max_rent=float(sp.max_rent_2021),
        sp_first_come=sp.pacing == "first_come",
        vr_enabled=bool(vr.enabled),
        vr_village=np.array([v in vr.villages for v in stock.villages], dtype=bool),
        vr_senior=vr.senior_priority_age is not None,
        gl_share=np.array([pol.general_lottery.share.get(m, 0.0) for m in munis]),
        cap_enabled=bool(cap.enabled),
        cap_share=np.array([cap.cap_share.get(m, 1.0) for m in munis]),
        precedence=np.array([LOTTERY_USES.index(u) for u in cap.precedence], dtype=np.int64),
        sp_max_age=float(sp.max_age),
        sp_max_household=int(sp.max_household),
        vr_senior_age=math.nan if vr.senior_priority_age is None else float(vr.senior_priority_age),
        fr_room=np.asarray(prepared["free_room"], dtype=bool),
        fr_cap=float(pol.free_room.cap_share),
        cu_above=np.array(
            [
                (rule := custom.get(k)) is not None and rule.priority_above_allowance
                for k in range(n_hood)
            ],
            dtype=bool,
        ),
        cu_urgent_cap=np.array(urgent_cap, dtype=np.float64),
    )
