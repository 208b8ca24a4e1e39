"""General lottery: a share of the vacancies no other rule labels goes by lottery, within
the cap (`[policies.general_lottery] share`, an assumption: municipalities use their cap);
the rest go by the offer model."""

from __future__ import annotations

from collections.abc import Callable

from allocsim.config import GeneralLotteryConfig
from allocsim.domain import Channel, Rule
from allocsim.policies.ledger import Decision, Home


def label(
    home: Home,
    cfg: GeneralLotteryConfig,
    u: float,
    lottery_ok: Callable[[str], bool],
    displaced: bool,
) -> Decision:
    """Lottery if the home's uniform draw `u` falls in the share and the cap allows."""
    if u < cfg.share.get(home.municipality, 0.0):
        channel = Channel.LOTTERY if lottery_ok("general") else Channel.OFFER
        return Decision(channel, Rule.GENERAL, lottery_use="general", starter_displaced=displaced)
    return Decision(Channel.OFFER, Rule.GENERAL, starter_displaced=displaced)
