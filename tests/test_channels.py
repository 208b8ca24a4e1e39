"""Channels on hand-made five-seeker worlds, and the lottery's fairness."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from allocsim.domain import Outcome
from allocsim.policies.channels import choose_responses, invite, rank_lottery, rank_offer_model


def rng(seed: int = 1) -> np.random.Generator:
    return np.random.default_rng(seed)


def test_offer_model_ranks_urgent_then_longest_meettijd() -> None:
    priority = np.array([2, 2, 1, 2, 2])
    meettijd = np.array([100.0, 3000.0, 10.0, 500.0, 3000.5])
    assert rank_offer_model(priority, meettijd, rng()).tolist() == [2, 4, 1, 3, 0]


def test_lottery_ignores_meettijd_but_keeps_priority() -> None:
    priority = np.array([2, 0, 2, 1, 2])
    meettijd = np.array([9000.0, 1.0, 2.0, 3.0, 4.0])
    firsts = {int(rank_lottery(priority, meettijd, rng(s))[0]) for s in range(50)}
    assert firsts == {1}
    seconds = {int(rank_lottery(priority, meettijd, rng(s))[1]) for s in range(50)}
    assert seconds == {3}
    thirds = {int(rank_lottery(priority, meettijd, rng(s))[2]) for s in range(200)}
    assert thirds == {0, 2, 4}


def test_lottery_winners_are_uniform_over_equal_responders() -> None:
    n, draws = 8, 8000
    g = rng(2022)
    wins = np.bincount(
        [rank_lottery(np.full(n, 2), np.arange(n, dtype=float), g)[0] for _ in range(draws)],
        minlength=n,
    )
    # Chi-square goodness of fit against uniform; p > 0.001 fails ~0.1% of fair seeds.
    assert stats.chisquare(wins).pvalue > 0.001


def test_invite_stops_at_first_accept() -> None:
    out = invite(50, p_no_show=0.3, p_refuse=0.4, rng=rng(3))
    assert out[-1] == Outcome.ACCEPTED
    assert np.all(out[:-1] != Outcome.ACCEPTED)
    assert invite(0, 0.3, 0.4, rng()).size == 0
    everyone_refuses = invite(10, 0.0, 1.0, rng())
    assert everyone_refuses.size == 10 and np.all(everyone_refuses == Outcome.REFUSED)


def test_invite_rates_match_parameters() -> None:
    g = rng(7)
    firsts = np.array([invite(1, 0.35, 0.45, g)[0] for _ in range(20000)])
    p_no_show = np.mean(firsts == Outcome.NO_SHOW)
    p_accept = np.mean(firsts == Outcome.ACCEPTED)
    # Binomial standard errors are ~0.0034; allow 4 of them.
    assert abs(p_no_show - 0.35) < 0.014
    assert abs(p_accept - 0.65 * 0.55) < 0.014


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 30), st.integers(1, 8), st.integers(0, 3), st.integers(0, 10_000))
def test_responses_respect_wants_and_limits(n_s: int, n_a: int, k: int, seed: int) -> None:
    g = rng(seed)
    wanted = g.random((n_s, n_a)) < 0.5
    n_wanted = g.integers(0, k + 1, size=n_s)
    rows, cols = choose_responses(wanted, g.random((n_s, n_a)) + 0.01, n_wanted, g)
    assert np.all(wanted[rows, cols])
    counts = np.bincount(rows, minlength=n_s)
    assert np.all(counts == np.minimum(n_wanted, wanted.sum(axis=1)))
    assert len(set(zip(rows.tolist(), cols.tolist(), strict=True))) == rows.size


def test_capped_poisson_matches_scipy() -> None:
    from allocsim.policies.channels import capped_poisson

    g = rng(11)
    lam = np.full(40_000, 0.9)
    got = np.bincount(capped_poisson(lam, 2, g), minlength=3) / lam.size
    pmf = stats.poisson(0.9).pmf([0, 1])
    expected = np.array([pmf[0], pmf[1], 1 - pmf.sum()])
    # Standard error of each share is below 0.0025; allow 4 of them.
    assert np.all(np.abs(got - expected) < 0.01)
