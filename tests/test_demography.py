"""People who age and leave (allocsim/demography.py): the life table as drawn, couples,
the closing age, keyed exits, and the ages in every table of a run."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from allocsim import keyed
from allocsim.config import Config, DemographyConfig
from allocsim.demography import EXIT_LABELS, Demography, Exit
from allocsim.domain import DAYS_PER_YEAR, OCCUPIED, SeekerState
from allocsim.engine import Engine, pilot_state, replication_seed, simulate
from allocsim.world import build_stock
from tests.conftest import small_config

N = 200_000
ZERO = {20: 0.0}  # a table with no hazard at any age
RNG_SEED = 20211207


def deaths_only(**changes: object) -> Demography:
    cfg = DemographyConfig(care_per_year=ZERO, moving_away_per_year=ZERO, **changes)
    return Demography.of(cfg)


def draws(n: int, seed: int = RNG_SEED) -> np.ndarray:
    return np.random.default_rng(seed).exponential(size=(n, 5))


def test_one_year_mortality_matches_the_life_table() -> None:
    """Of N singles aged x, the share dying before x + 1 is CBS's q_x, within four
    binomial standard errors, at every age of the table."""
    cfg = DemographyConfig()
    demo = deaths_only()
    for age, q in cfg.death_probability.items():
        exit_age, reason = demo.exit_ages(np.full(N, float(age)), np.zeros(N, bool), draws(N))
        died = np.mean(exit_age < age + 1)
        assert (reason == Exit.DEATH).all()
        assert abs(died - q) < 4 * np.sqrt(q * (1 - q) / N) + 1e-9, (age, died, q)


def test_ten_year_survival_from_80_is_cbs_2019() -> None:
    """CBS StatLine 70701ned, 2019: 44.36% of those aged 80 live to 90 (the fit's
    anchor), within sampling error and the fit's rounding (half a point)."""
    exit_age, _ = deaths_only().exit_ages(np.full(N, 80.0), np.zeros(N, bool), draws(N))
    assert abs(np.mean(exit_age >= 90.0) - 0.4436) < 0.005


def test_a_couple_leaves_with_its_last_partner() -> None:
    """Two independent lives of the same age: a couple is still there after t years
    with chance 1 - (1 - S)^2, S a single's survival."""
    demo = deaths_only()
    s = demo.survival("death", 75.0, 85.0)
    couple, _ = demo.exit_ages(np.full(N, 75.0), np.ones(N, bool), draws(N))
    expected = 1 - (1 - s) ** 2
    assert abs(np.mean(couple >= 85.0) - expected) < 4 * np.sqrt(expected / N)


def test_nobody_outlives_the_closing_age() -> None:
    demo = Demography.of(DemographyConfig())
    age = np.random.default_rng(1).uniform(18, 110, N)
    exit_age, _ = demo.exit_ages(age, np.ones(N, bool), draws(N))
    assert (exit_age <= 110.0).all() and (exit_age >= age).all()


@settings(max_examples=50, deadline=None)
@given(
    st.floats(0.0, 130.0),
    st.lists(st.floats(0.0, 50.0), min_size=5, max_size=5),
    st.booleans(),
)
def test_exit_lies_between_now_and_omega(age: float, e: list[float], couple: bool) -> None:
    demo = Demography.of(DemographyConfig())
    exit_age, reason = demo.exit_ages(np.array([age]), np.array([couple]), np.array([e]))
    assert min(age, 110.0) <= exit_age[0] <= 110.0
    assert reason[0] in (Exit.DEATH, Exit.CARE, Exit.MOVED_AWAY)


def test_care_and_moving_away_compete_with_death_by_age() -> None:
    """Young households leave by moving away, the very old by death or care."""
    demo = Demography.of(DemographyConfig())
    when, young = demo.exit_ages(np.full(N, 25.0), np.zeros(N, bool), draws(N))
    _, old = demo.exit_ages(np.full(N, 88.0), np.zeros(N, bool), draws(N))
    assert np.mean(young[when < 35.0] == Exit.MOVED_AWAY) > 0.9
    assert np.mean(old == Exit.MOVED_AWAY) < 0.1
    assert 0.2 < np.mean(old == Exit.CARE) < 0.6


def test_exits_are_keyed_by_the_household() -> None:
    """The same household (key, birth, size) gets the same exit, whoever else is drawn
    with it and in whatever order."""
    demo = Demography.of(DemographyConfig())
    keys = keyed.hash_keys(0, 1, np.arange(100))
    birth = -np.linspace(20, 90, 100) * DAYS_PER_YEAR
    size = np.tile([1, 2], 50)
    day, why = demo.exits(7, keys, birth, 0.0, size)
    order = np.random.default_rng(0).permutation(100)
    day2, why2 = demo.exits(7, keys[order], birth[order], 0.0, size[order])
    np.testing.assert_array_equal(day[order], day2)
    np.testing.assert_array_equal(why[order], why2)
    assert (day >= 0.0).all()


def test_a_redraw_given_survival_is_the_survivors_exit() -> None:
    """Households of two drawn at 60 (half couples) and still there at 75 leave as fresh
    draws at 75 conditional on being there since 60 leave (the chance that both partners
    are alive, `couple_now`): exit ages and reasons agree within sampling error (two-sample
    Kolmogorov-Smirnov at 1%, reason shares within four standard errors). The naive redraw
    as of 75 alone, as if both partners were alive with the couple share, leaves later:
    the test can fail."""
    from scipy import stats

    demo = Demography.of(DemographyConfig(couple_share=0.5))
    since, now = -15.0 * DAYS_PER_YEAR, 0.0
    birth = np.full(N, since - 60.0 * DAYS_PER_YEAR)
    size = np.full(N, 2)
    keys = keyed.hash_keys(0, 1, np.arange(N))
    first, first_why = demo.exits(11, keys, birth, since, size)
    alive = first > now
    redrawn, why = demo.exits(12, keys, birth, now, size, since)
    naive, _ = demo.exits(12, keys, birth, now, size)
    assert stats.ks_2samp(first[alive], redrawn).pvalue > 0.01
    assert stats.ks_2samp(first[alive], naive).pvalue < 1e-6
    for reason in (Exit.DEATH, Exit.CARE, Exit.MOVED_AWAY):
        p, q = np.mean(first_why[alive] == reason), np.mean(why == reason)
        se = np.sqrt(p * (1 - p) / alive.sum() + q * (1 - q) / N)
        assert abs(p - q) < 4 * se, (reason, p, q)
    np.testing.assert_allclose(demo.couple_now(np.array([60.0]), np.array([60.0])), 0.5)
    assert demo.couple_now(np.array([60.0]), np.array([75.0]))[0] < 0.5


def ages_in_every_table(cfg: Config, out: dict[str, pd.DataFrame]) -> list[float]:
    """The oldest age in each table that holds one: a letting's tenant, a household on
    the list at its outcome, a tenant on the horizon."""
    seekers = out["seekers"]
    ages = [
        out["lettings"]["age"],
        (seekers.outcome_day - seekers.birth_day) / DAYS_PER_YEAR,
        out["tenants"]["age"],
    ]
    return [float(np.max(a.to_numpy(), initial=0.0)) for a in ages]


@settings(max_examples=4, deadline=None)
@given(st.integers(0, 2**31), st.floats(0.5, 2.0), st.floats(0.0, 2.0))
def test_nobody_older_than_110_in_any_table(seed: int, deaths: float, away: float) -> None:
    """Random worlds, with mortality and moving away scaled: the oldest household in
    every record table is at most 110, and none of the lettings goes to a household
    aged 100 or more beyond 0.1% (at most one in a small world's year)."""
    base = DemographyConfig()
    demo = {
        "death_probability": {a: min(q * deaths, 1.0) for a, q in base.death_probability.items()},
        "moving_away_per_year": {a: v * away for a, v in base.moving_away_per_year.items()},
    }
    cfg = small_config(seed=seed, pilot_years=40.0, end_date=dt.date(2023, 1, 1))
    cfg = Config.model_validate({**cfg.model_dump(), "demography": demo})
    out = simulate(cfg, build_stock(cfg), 0)
    assert max(ages_in_every_table(cfg, out)) <= 110.0
    assert (out["lettings"]["age"] >= 100).sum() <= max(1, 0.001 * len(out["lettings"]))
    assert set(out["seekers"]["left_reason"].astype(str)) <= {"", *EXIT_LABELS}


def test_turnover_vacancies_name_why_the_tenant_left() -> None:
    cfg = small_config(end_date=dt.date(2023, 1, 1))
    lets = simulate(cfg, build_stock(cfg), 0)["lettings"]
    turnover = lets[lets.vacancy_cause == "turnover"]
    assert set(turnover.departure.astype(str)) <= set(EXIT_LABELS)
    assert (lets[lets.vacancy_cause != "turnover"].departure.astype(str) == "").all()
    # Demography drives part of the turnover, not all of it, in the default settings.
    assert 0 < (turnover.departure.astype(str) != "other").sum() < len(turnover)


def test_every_tenant_carries_its_exit() -> None:
    """At the horizon every occupied home has a tenant with a birth day and an exit still
    to come, and a tenant on the list holds the same birth and exit as its home."""
    cfg = small_config(end_date=dt.date(2023, 1, 1))
    stock = build_stock(cfg)
    engine = Engine(cfg, stock, replication_seed(cfg.run.seed, 0), 0)
    engine.begin(pilot_state(cfg, stock)).advance(engine.horizon)
    occupied = np.flatnonzero(engine.status == OCCUPIED)
    assert np.isfinite(engine.tenant_birth[occupied]).all()
    assert (engine.tenant_exit[occupied] >= engine.env.now - 7.0).all()
    cols, n = engine.seekers.cols, engine.seekers.n
    listed = np.flatnonzero((cols["state"][:n] == SeekerState.WAITING) & (cols["home"][:n] >= 0))
    homes = cols["home"][listed]
    live = engine.status[homes] == OCCUPIED
    assert live.sum() > 10
    np.testing.assert_array_equal(cols["birth_day"][listed[live]], engine.tenant_birth[homes[live]])
    np.testing.assert_array_equal(cols["exit_day"][listed[live]], engine.tenant_exit[homes[live]])


def test_replications_of_one_pilot_draw_their_own_exits() -> None:
    """A replication takes the pilot's tenants and waiting households (their ages, their
    dates) but draws their demographic exits anew from its own stream: no exit day of a
    replication's tenants or listed households is one of the pilot's, while every tenant's
    birth day is, and two replications differ."""
    cfg = small_config()
    stock = build_stock(cfg)
    state = pilot_state(cfg, stock)
    assert state is not None
    exits = []
    for r in (0, 1):
        engine = Engine(cfg, stock, replication_seed(cfg.run.seed, r), r).begin(state)
        shift = engine.t0 - state.day
        housed = np.flatnonzero(np.isfinite(engine.tenant_birth))
        assert housed.size > 100
        pilot_births = np.r_[state.tenants["tenant_birth"], state.seekers["birth_day"]] + shift
        pilot_exits = np.r_[state.tenants["tenant_exit"], state.seekers["exit_day"]] + shift
        assert np.isin(engine.tenant_birth[housed], pilot_births).all()
        assert not np.isin(engine.tenant_exit[housed], pilot_exits).any()
        listed = engine.seekers.exit_day
        assert listed.size > 100 and not np.isin(listed, pilot_exits).any()
        assert (engine.tenant_exit[housed] >= engine.t0).all()
        exits.append(np.sort(engine.tenant_exit[housed]))
    assert not np.array_equal(exits[0], exits[1])


@settings(max_examples=25, deadline=None)
@given(
    st.integers(0, 2**63 - 1),
    st.integers(1, 400),
    st.floats(-5000.0, 5000.0),
    st.booleans(),
    st.floats(0.0, 1.0),
    st.booleans(),
)
def test_compiled_exits_are_the_numpy_steps(
    stream: int, n: int, shift: float, one_day: bool, couples: float, known: bool
) -> None:
    """`Demography.exits` (compiled) gives what `exits_numpy` (keyed draws, then
    `exit_ages`) gives, for any households, ages past omega, one or many days, drawn as of
    now or given survival since earlier days: bit for
    bit where numpy's log1p is the C library's (this machine); to the last bits where
    numpy uses the CPU's vector path for it (AVX512)."""
    demo = Demography.of(DemographyConfig(couple_share=couples))
    rng = np.random.default_rng(stream % 2**32)
    keys = keyed.hash_keys(stream, 3, np.arange(n))
    birth = -rng.uniform(0.0, 125.0, n) * DAYS_PER_YEAR + shift
    now: float | np.ndarray = shift if one_day else rng.uniform(-4000.0, 4000.0, n)
    size = rng.integers(1, 6, n)
    since = now - rng.uniform(0.0, 40.0, n) * DAYS_PER_YEAR if known else None
    day, why = demo.exits(stream, keys, birth, now, size, since)
    ref_day, ref_why = demo.exits_numpy(stream, keys, birth, now, size, since)
    np.testing.assert_allclose(day, ref_day, rtol=1e-12, atol=1e-9)
    np.testing.assert_array_equal(why, ref_why)
    assert np.isfinite(day).all()  # nobody outlives omega
