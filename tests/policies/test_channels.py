"""Channels and behaviour on hand-made worlds; keyed draws; the lottery's fairness."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from allocsim import keyed
from allocsim.config import EligibilityConfig
from allocsim.domain import Outcome
from allocsim.policies import behaviour
from allocsim.policies.channels import rank_lottery, rank_offer_model
from allocsim.policies.eligibility import Limits


def lots(seed: int, n: int) -> np.ndarray:
    return keyed.uniform(seed, np.arange(n))


def test_offer_model_ranks_priority_then_longest_meettijd() -> None:
    priority = np.array([2, 2, 1, 2, 2])
    meettijd = np.array([100.0, 3000.0, 10.0, 500.0, 3000.5])
    assert rank_offer_model(priority, meettijd, lots(1, 5)).tolist() == [2, 4, 1, 3, 0]


def test_offer_model_breaks_ties_by_lot() -> None:
    priority = np.full(4, 2)
    meettijd = np.array([5.0, 7.0, 7.0, 1.0])
    assert rank_offer_model(priority, meettijd, np.array([0.0, 0.9, 0.1, 0.0])).tolist() == [
        2,
        1,
        0,
        3,
    ]


def test_lottery_ignores_meettijd_but_keeps_priority() -> None:
    priority = np.array([2, 0, 2, 1, 2])
    meettijd = np.array([9000.0, 1.0, 2.0, 3.0, 4.0])
    orders = [rank_lottery(priority, meettijd, lots(s, 5)) for s in range(200)]
    assert {int(o[0]) for o in orders} == {1}
    assert {int(o[1]) for o in orders} == {3}
    assert {int(o[2]) for o in orders} == {0, 2, 4}


def test_lottery_winners_are_uniform_over_equal_responders() -> None:
    n, draws = 8, 8000
    wins = np.bincount(
        [
            rank_lottery(np.full(n, 2), np.arange(n, dtype=float), lots(s, n))[0]
            for s in range(draws)
        ],
        minlength=n,
    )
    # Chi-square goodness of fit against uniform; p > 0.001 fails ~0.1% of fair seeds.
    assert stats.chisquare(wins).pvalue > 0.001


def test_keyed_uniforms_are_uniform_and_independent_across_keys() -> None:
    u = keyed.uniform(7, np.arange(50_000), 3)
    assert stats.kstest(u, "uniform").pvalue > 0.001
    v = keyed.uniform(7, np.arange(50_000), 4)  # next week: a fresh draw
    assert abs(stats.pearsonr(u, v).statistic) < 4 / np.sqrt(u.size)
    assert stats.kstest(keyed.normal(8, np.arange(50_000)), "norm").pvalue > 0.001
    assert stats.kstest(keyed.exponential(9, np.arange(50_000)), "expon").pvalue > 0.001


def test_keyed_draws_depend_on_keys_only() -> None:
    keys = np.array([5, 17, 2**40, -3])
    whole = keyed.uniform(11, keys, 9)
    one_by_one = np.array([keyed.uniform(11, k, 9)[0] for k in keys[::-1]])[::-1]
    assert np.array_equal(whole, one_by_one)  # no order, no state
    assert not np.array_equal(whole, keyed.uniform(12, keys, 9))  # the stream matters


def test_invite_stops_at_first_who_shows_and_accepts() -> None:
    shows = np.array([False, True, True, True])
    accepts = np.array([True, False, True, True])
    assert behaviour.invite(shows, accepts).tolist() == [
        Outcome.NO_SHOW,
        Outcome.REFUSED,
        Outcome.ACCEPTED,
    ]
    nobody = behaviour.invite(np.ones(3, bool), np.zeros(3, bool))
    assert nobody.tolist() == [Outcome.REFUSED] * 3
    assert behaviour.invite(np.zeros(0, bool), np.zeros(0, bool)).size == 0


def test_expected_gain_matches_monte_carlo() -> None:
    eta = keyed.normal(3, np.arange(400_000)) * 0.8
    for margin in (-1.5, 0.0, 0.7):
        mc = np.maximum(margin + eta, 0.0).mean()
        assert abs(float(behaviour.expected_gain(np.array([margin]), 0.8)[0]) - mc) < 0.005


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40), st.integers(0, 3), st.floats(-1.0, 1.0), st.integers(0, 10_000))
def test_pick_best_takes_each_owners_best_above_threshold(
    n_pairs: int, k: int, threshold: float, seed: int
) -> None:
    g = np.random.default_rng(seed)
    owner = np.sort(g.integers(0, 6, size=n_pairs))
    value = g.normal(size=n_pairs)
    limit = np.full(n_pairs, k)
    chosen = behaviour.pick_best(owner, value, limit, threshold)
    assert np.all(value[chosen] > threshold)
    for o in np.unique(owner):
        mine = np.flatnonzero(owner == o)
        eligible = mine[value[mine] > threshold]
        best = eligible[np.argsort(-value[eligible], kind="stable")][:k]
        assert sorted(best.tolist()) == sorted(set(chosen.tolist()) & set(mine.tolist()))


def test_candidate_pairs_follow_villages_and_bedrooms() -> None:
    lim = Limits.for_year(EligibilityConfig(), 2022)
    mask = np.array([0b01, 0b10, 0b11], dtype=np.uint32)  # village 0; 1; both
    # 1 person: not in 4 bedrooms; 4 persons: not in 1; 2 persons: 1 to 3 bedrooms.
    household = np.array([1, 4, 2], dtype=np.int8)
    adv_village = np.array([0, 1, 1, 0])
    adv_bedrooms = np.array([2, 3, 1, 4])
    i, a = behaviour.candidate_pairs(mask, household, adv_village, adv_bedrooms, lim)
    assert list(zip(i.tolist(), a.tolist(), strict=True)) == [
        (0, 0),
        (1, 1),
        (2, 0),
        (2, 1),
        (2, 2),
    ]


def hand_memory() -> behaviour.Memory:
    """One village; the offer cell without label has four winners of 5, 10, 15, 20 years."""
    m = behaviour.Memory.empty(1, n_winners=4)
    cell = int(behaviour.cell_of(np.array([0]), np.array([0]), np.array([0]))[0])
    for years in (5, 10, 15, 20):
        m.record(cell, 0, np.full(100, 2), 2, years * 365.25, 2)
    return m


def test_offer_chance_counts_the_winners_one_would_have_beaten() -> None:
    m = hand_memory()
    cell = np.zeros(4, dtype=np.int64)
    meettijd = np.array([1.0, 12.0, 25.0, 1.0]) * 365.25
    cls = np.array([2, 2, 2, 1])  # the last is urgent: it ranks before every winner
    p = behaviour.offer_chance(m, cell, cls, meettijd, prior=0.0)
    assert np.allclose(p, [0.0, 0.5, 1.0, 1.0], atol=1e-9)


def test_lottery_chance_falls_with_competitors_and_favours_priority() -> None:
    m = hand_memory()
    lottery_cell = int(behaviour.cell_of(np.array([0]), np.array([1]), np.array([0]))[0])
    for n in (10, 40):
        m.record(lottery_cell, 1, np.r_[np.full(n - 1, 2), [1]], 2, 0.0, 1)
    cells = np.full(2, lottery_cell)
    general, urgent = behaviour.lottery_chance(m, cells, np.array([2, 1]))
    assert urgent > 5 * general and general < 0.2
