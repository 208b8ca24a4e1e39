"""Lottery cap (clause 1.8, footnote): at most 15% of a municipality's vacated homes a
year by lottery, every lottery use counted (village rule, starter pilot, general).

The cap is counted on vacancies so far, so it holds at every moment of the year;
`[policies.lottery_cap] precedence` decides which use gets the room first."""

from __future__ import annotations

from allocsim.config import PoliciesConfig
from allocsim.policies.ledger import LOTTERY_USES, Ledger, cap_count
from allocsim.policies.rule import EngineView, QuotaRow, Rule


def lottery_allowed(
    ledger: Ledger, use: str, cap_share: float, precedence: tuple[str, ...], enabled: bool = True
) -> bool:
    """Whether one more lottery letting of `use` fits the cap on this year's vacancies.

    The cap is counted on vacancies so far, including the current one, so it is never
    exceeded at any moment of the year. Precedence: uses ranked above `use` count
    with every lottery they asked for, granted or not, so a lower use only takes room
    the higher ones did not claim.
    """
    if not enabled:
        return True
    room = cap_count(cap_share, ledger.vacancies + 1)  # as in share_allows
    if ledger.lottery_total + 1 > room:
        return False
    k = precedence.index(use)
    claimed = sum(ledger.lottery_requested[u] for u in precedence[:k])
    used = sum(ledger.lottery_granted[u] for u in precedence[k:])
    return claimed + used + 1 <= room


class LotteryCap(Rule):
    name = "lottery_cap"

    def quota_rows(
        self, eng: EngineView, year: int, muni: int, ledger: Ledger, policies: PoliciesConfig
    ) -> list[QuotaRow]:
        cap = policies.lottery_cap.cap_share.get(eng.stock.municipalities[muni], 1.0)
        nan = float("nan")
        return [
            (
                "lottery_cap",
                cap_count(cap, ledger.vacancies),
                ledger.lottery_total,
                sum(ledger.lottery_requested.values()),
            ),
            *[
                (f"lottery_{u}", nan, ledger.lottery_granted[u], ledger.lottery_requested[u])
                for u in LOTTERY_USES
            ],
        ]
