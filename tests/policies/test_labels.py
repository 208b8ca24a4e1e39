"""The 2022 agreements as labelling rules: exact outcomes and invariants."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from allocsim.config import EligibilityConfig, PoliciesConfig
from allocsim.domain import Channel, Kind, Rule
from allocsim.policies.channels import rank_lottery, rank_offer_model
from allocsim.policies.eligibility import Limits
from allocsim.policies.labels import label_vacancy, priority_classes
from allocsim.policies.ledger import Decision, Home, Ledger
from allocsim.policies.lottery_cap import lottery_allowed
from allocsim.policies.starter_pilot import pilot_eligible, starter_paced_limit, starter_split
from allocsim.policies.status_holders import direct_allowed, households_this_month
from allocsim.policies.village_rule import in_group as village_in_group

POLICIES = PoliciesConfig()
LIM = Limits.for_year(EligibilityConfig(), 2022)
PRECEDENCE = ("village_rule", "starter_pilot", "general")


def home(
    village: str = "Duiven", bedrooms: int = 2, rent: float = 600.0, senior: bool = False
) -> Home:
    muni = "Westervoort" if village == "Westervoort" else "Duiven"
    return Home(muni, village, bedrooms, rent, senior)


def test_starter_label_goes_to_the_27_year_old_not_the_28_year_old() -> None:
    kind = np.array([Kind.STARTER, Kind.STARTER, Kind.MOVER_STOCK, Kind.STARTER, Kind.STARTER])
    age = np.array([27.9, 28.0, 25.0, 24.0, 22.0])
    household = np.array([1, 1, 1, 3, 1])
    income = np.array([25_000.0, 25_000.0, 25_000.0, 25_000.0, 60_000.0])
    meettijd = np.array([500.0, 4000.0, 6000.0, 7000.0, 8000.0])
    ok = pilot_eligible(kind, age, household, income, LIM, POLICIES.starter_pilot)
    # Only the first: the 28-year-old is too old, the mover leaves a rented home,
    # the third starter's household is too large, the last earns too much.
    assert ok.tolist() == [True, False, False, False, False]
    prio = priority_classes(np.zeros(5, dtype=bool), ok)
    lots = np.random.default_rng(0).random(5)
    assert rank_offer_model(prio, meettijd, lots)[0] == 0
    assert rank_lottery(prio, meettijd, lots)[0] == 0
    # Without eligible starters the order is the channel's normal one.
    general = priority_classes(np.zeros(4, bool), np.zeros(4, bool))
    assert rank_offer_model(general, meettijd[1:], lots[1:])[0] == 3


def test_starter_split_and_pacing() -> None:
    assert starter_split(8, 0.5, "offer") == (4, 4)
    assert starter_split(7, 0.5, "offer") == (3, 4)
    assert starter_split(7, 0.5, "lottery") == (4, 3)
    assert [starter_paced_limit(6, m, "monthly") for m in (1, 2, 6, 12)] == [1, 1, 3, 6]
    assert starter_paced_limit(6, 1, "first_come") == 6


def test_starter_labels_alternate_and_stop_at_quota() -> None:
    ledger = Ledger()
    channels = []
    for _ in range(40):
        d = label_vacancy(home("Westervoort"), 12, ledger, POLICIES, u_general=0.99)
        ledger.record(d)
        if d.rule == Rule.STARTER_PILOT:
            channels.append(d.channel)
    # 40 vacancies: the cap allows a lottery at 7, 14 and 20 vacancies.
    assert len(channels) == 6
    assert channels.count(Channel.LOTTERY) == 3 and channels.count(Channel.OFFER) == 3
    assert ledger.starter_labels == 6


def test_homes_too_large_or_dear_get_no_starter_label() -> None:
    for h in (home(bedrooms=3), home(rent=633.26)):
        d = label_vacancy(h, 12, Ledger(), POLICIES, u_general=0.99)
        assert d.rule != Rule.STARTER_PILOT and not d.starter_priority


def test_village_rule() -> None:
    d = label_vacancy(home("Loo", bedrooms=3, senior=True), 6, Ledger(vacancies=50), POLICIES, 0.0)
    assert (d.channel, d.rule) == (Channel.OFFER, Rule.VILLAGE_RULE)
    d = label_vacancy(home("Groessen", bedrooms=3), 6, Ledger(vacancies=50), POLICIES, 0.99)
    assert (d.channel, d.rule) == (Channel.LOTTERY, Rule.VILLAGE_RULE)
    d = label_vacancy(home("Duiven", bedrooms=3), 6, Ledger(vacancies=50), POLICIES, 0.99)
    assert (d.channel, d.rule) == (Channel.OFFER, Rule.GENERAL)


def test_seniors_priority_starts_on_the_birthday() -> None:
    """The village rule's senior group is "65 and older": a household that turns 65 today
    is in it, one a day younger is not."""
    assert village_in_group(65.0, 65.0)
    assert not village_in_group(65.0 - 1 / 365.25, 65.0)


def test_cap_stops_the_16th_lottery_in_a_100_vacancy_year() -> None:
    ledger = Ledger()
    for _ in range(100):
        d = label_vacancy(home("Groessen", bedrooms=3), 6, ledger, POLICIES, 0.0)
        ledger.record(d)
    assert ledger.vacancies == 100
    assert ledger.lottery_total == 15
    assert ledger.lottery_requested["village_rule"] == 100


def test_precedence_gives_higher_uses_the_room() -> None:
    ledger = Ledger(vacancies=19)
    ledger.lottery_requested["village_rule"] = 2
    ledger.lottery_granted["village_rule"] = 1
    # floor(0.15 * 20) = 3 lotteries; the village rule claimed 2, so general may use 1.
    assert lottery_allowed(ledger, "general", 0.15, PRECEDENCE)
    ledger.lottery_granted["general"] = 1
    assert not lottery_allowed(ledger, "general", 0.15, PRECEDENCE)
    assert lottery_allowed(ledger, "village_rule", 0.15, PRECEDENCE)


def test_status_holders_arrive_under_their_half_years_task() -> None:
    """January to June draw on the first half-year's task, July to December on the
    second: a sixth of it a month (monthly), or all of it in January and July."""
    sh = PoliciesConfig().status_holders.model_copy(
        update={"task_persons_h1": {"Duiven": 60.0}, "task_persons_h2": {"Duiven": 0.0}}
    )
    months = [households_this_month(sh, "Duiven", m) for m in range(1, 13)]
    assert all(v > 0 for v in months[:6]) and months[6:] == [0.0] * 6
    assert math.isclose(months[5], months[0])  # June is as January
    lumped = sh.model_copy(update={"arrival_spread": "half_yearly"})
    halves = [households_this_month(lumped, "Duiven", m) for m in range(1, 13)]
    assert math.isclose(halves[0], sum(months)) and sum(halves[1:]) == 0.0


def test_status_holder_cap() -> None:
    assert not direct_allowed(Ledger(vacancies=8), 0.10)
    assert direct_allowed(Ledger(vacancies=9), 0.10)
    assert not direct_allowed(Ledger(vacancies=19, direct=2), 0.10)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Duiven", "Loo", "Groessen", "Westervoort"]),
            st.integers(1, 4),
            st.floats(400, 750),
            st.booleans(),
            st.floats(0, 1, exclude_max=True),
            st.booleans(),  # a status-holder direct allocation instead
        ),
        max_size=150,
    ),
    st.integers(1, 12),
    st.integers(0, 30),
    st.floats(0.0, 0.5),
    st.sampled_from(["monthly", "first_come"]),
)
def test_quotas_and_caps_are_never_exceeded(
    homes: list, month: int, quota: int, cap: float, pacing: str
) -> None:
    cfg = PoliciesConfig.model_validate(
        {
            "starter_pilot": {
                "quota_per_year": {"Duiven": quota, "Westervoort": quota},
                "pacing": pacing,
            },
            "lottery_cap": {"cap_share": {"Duiven": cap, "Westervoort": cap}},
            "general_lottery": {"share": {"Duiven": 0.5, "Westervoort": 0.5}},
        }
    )
    ledgers = {"Duiven": Ledger(), "Westervoort": Ledger()}
    for village, bedrooms, rent, senior, u, direct in homes:
        h = home(village, bedrooms, rent, senior)
        ledger = ledgers[h.municipality]
        if direct and direct_allowed(ledger, 0.10):
            ledger.record(Decision(Channel.DIRECT, Rule.STATUS_HOLDER))
            continue
        d = label_vacancy(h, month, ledger, cfg, u)
        if d.rule == Rule.STARTER_PILOT:  # labels only on qualifying homes
            assert bedrooms <= 2 and rent <= 633.25
        ledger.record(d)
        assert ledger.lottery_total <= math.floor(cap * ledger.vacancies + 1e-9)
        assert ledger.direct <= math.floor(0.10 * ledger.vacancies + 1e-9)
        assert ledger.starter_labels <= starter_paced_limit(quota, month, pacing)
        n_lot, n_off = starter_split(quota, 0.5, "offer")
        assert ledger.starter_lottery <= n_lot and ledger.starter_offer <= n_off
