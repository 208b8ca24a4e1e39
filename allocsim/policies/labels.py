"""Which channel an advertised vacancy goes to: the labelling rules in their order.

`label_vacancy` is a pure function of the home, the month and the municipality's
ledger for the year; the engine applies the returned decision to the ledger with
`Ledger.record`. Order (each clause in DOMAIN.md section 1; each step in its module):

1. transformation (1.1, 3.1) and status holders (1.13) act before this, through the
   engine's vacancy hooks: a home they dispose of never reaches these rules;
2. new build (`new_build.py`): a project's own first-letting channel;
3. starter pilot (`starter_pilot.py`, 1.6): a qualifying home gets a starter label
   while the paced quota allows, alternating lottery and offer model;
4. village rule (`village_rule.py`, 1.8): in Loo and Groessen senior-suitable homes go
   by offer model, the others by lottery;
5. general lottery (`general_lottery.py`): a share of the remaining homes;
6. everything else: offer model.

Every lottery use asks the lottery cap (`lottery_cap.py`, 1.8 footnote) first; a
refused lottery falls back to the offer model and is counted as displaced.
"""

from __future__ import annotations

import numpy as np

from allocsim.config import PoliciesConfig
from allocsim.policies import general_lottery, new_build, starter_pilot, village_rule
from allocsim.policies.ledger import Decision, Home, Ledger
from allocsim.policies.lottery_cap import lottery_allowed


def label_vacancy(
    home: Home, month: int, ledger: Ledger, cfg: PoliciesConfig, u_general: float
) -> Decision:
    """Channel of an advertised vacancy; `u_general` is a uniform draw for the general share."""
    cap = cfg.lottery_cap
    cap_share = cap.cap_share.get(home.municipality, 1.0)

    def lottery_ok(use: str) -> bool:
        return lottery_allowed(ledger, use, cap_share, cap.precedence, cap.enabled)

    decision = new_build.first_letting(home, lottery_ok)
    if decision is not None:
        return decision
    decision, displaced = starter_pilot.label(home, month, ledger, cfg.starter_pilot, lottery_ok)
    if decision is not None:
        return decision
    decision = village_rule.label(home, cfg.village_rule, lottery_ok, displaced)
    if decision is not None:
        return decision
    return general_lottery.label(home, cfg.general_lottery, u_general, lottery_ok, displaced)


def priority_classes(urgent: np.ndarray, label_priority: np.ndarray) -> np.ndarray:
    """Priority class of each responder: 0 the advert's label group (starters on a pilot
    home, seniors under the village option), 1 urgent, 2 everyone else."""
    return np.where(label_priority, 0, np.where(urgent, 1, 2)).astype(np.int8)
