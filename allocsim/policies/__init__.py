"""The rules of the 2022 agreements, one module each, and the order the engine applies them.

A newcomer finds each rule by its file name:

- `transformation.py`   large homes leave social letting when vacated (1.1, 3.1)
- `status_holders.py`   the half-yearly task, direct allocation within 10% (1.13)
- `new_build.py`        a project's first letting (1.2-1.4)
- `starter_pilot.py`    starter labels, half lottery, half offer model (1.6)
- `village_rule.py`     Loo and Groessen: senior-suitable by offer model (1.8)
- `lottery_cap.py`      at most 15% of vacancies by lottery (1.8, footnote)
- `general_lottery.py`  the lottery share of the other vacancies
- `free_room.py`        15% free allocation room for middle incomes (4.10)
- `custom_rules.py`     neighbourhood custom allocation (4.2, 4.3)
- `sheltered.py`        outflow from sheltered housing, urgent (4.1)

Mechanisms shared by the rules: `labels.py` (the labelling order), `ledger.py` (what
is counted), `eligibility.py` (passend toewijzen, income and size limits),
`channels.py` (offer-model and lottery ranking), `behaviour.py` (responses and
refusals), `rule.py` (the hooks). `RULES` is the order of the engine's hook calls:
adding a rule is one new module and one line here.
"""

from __future__ import annotations

from allocsim.policies.custom_rules import CustomRules
from allocsim.policies.free_room import FreeRoom
from allocsim.policies.lottery_cap import LotteryCap
from allocsim.policies.rule import Rule
from allocsim.policies.sheltered import ShelteredOutflow
from allocsim.policies.starter_pilot import StarterPilot
from allocsim.policies.status_holders import StatusHolders
from allocsim.policies.transformation import Transformation
from allocsim.policies.village_rule import VillageRule

RULES: tuple[Rule, ...] = (
    Transformation(),  # first at a vacancy: a transformed home is not let at all
    StatusHolders(),  # then direct allocation, before any advert
    StarterPilot(),
    VillageRule(),
    LotteryCap(),
    FreeRoom(),
    CustomRules(),
    ShelteredOutflow(),
)
# The sequential stream the compiled home events draw from (whether a household offered
# a home by direct allocation refuses it): the stream of the rule that allocates directly.
DIRECT_STREAM: str = StatusHolders.streams[0]
