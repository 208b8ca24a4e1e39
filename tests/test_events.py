"""A waiting household's weekly chances as event times (allocsim/model/events.py): the
times drawn once have the distribution of a keyed Bernoulli draw every week."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from allocsim import keyed
from allocsim.domain import Kind, SeekerState
from allocsim.model import departures, events
from allocsim.model.state import Seekers
from allocsim.world import SEEKER_FIELDS

T0 = -700.0  # the first tick
N = 20_000


def table(n: int, **columns: object) -> Seekers:
    """A household table of `n` waiting households (every column zero but those given)."""
    cols = {name: np.zeros(n, dtype=t) for name, t in SEEKER_FIELDS.items()}
    cols["state"][:] = SeekerState.WAITING
    cols["kind"][:] = Kind.MOVER_STOCK
    cols["priority"][:] = 1
    cols["search_from_day"][:] = np.nan
    cols["exit_day"][:] = np.inf
    cols["home"][:] = -1
    cols["key"] = keyed.hash_keys(5, np.arange(n))
    for name, value in columns.items():
        cols[name][:] = value
    return Seekers(**cols)


def terms(p_activate: float = 0.0, p_deactivate: float = 0.0, passive: float = 0.1) -> events.Terms:
    return events.Terms(
        T0, 7.0, passive, 1.0, p_activate, p_deactivate, np.uint64(11), np.uint64(12), np.uint64(13)
    )


@settings(max_examples=30, deadline=None)
@given(st.floats(1e-4, 0.999), st.integers(0, 2**62))
def test_geometric_counts_failures_before_a_success(p: float, seed: int) -> None:
    """floor(log(1 - u) / log(1 - p)) of uniforms is geometric: P(G >= g) = (1 - p)^g,
    checked against the exact tail at three points (four binomial standard errors)."""
    u = keyed.uniform(seed, np.arange(N))
    g = np.array([events.geometric(x, p) for x in u])
    assert (g >= 0).all()
    for k in (1, 2, 5):
        want = (1 - p) ** k
        assert abs(np.mean(g >= k) - want) < 4 * np.sqrt(want * (1 - want) / N) + 1e-9


def weeks_to_leave(p: float, weeks: int) -> np.ndarray:
    """The week in which each of N households with weekly chance p leaves, running the
    departures pass on every weekly tick (weeks + 1 where it stays)."""
    seekers = table(N, leave_chance=p)
    t = terms()
    for s in range(N):
        events.join(s, T0, seekers, t)
    left = np.full(N, weeks + 1)
    tenant = np.zeros(0, np.int64)
    for w in range(1, weeks + 1):
        now = T0 + 7.0 * w
        departures.weekly_departures(np.arange(N), now, seekers, np.zeros(0, np.int8), tenant, t)
        new = (seekers.state == SeekerState.LEFT) & (left > weeks)
        left[new] = w
    return left


def test_leaving_by_event_time_is_a_weekly_chance() -> None:
    """With a weekly chance of 5%, the week each household leaves in is geometric (its
    first chance on the tick it joins): chi-square over the first 40 weekly passes and
    the rest."""
    p, weeks = 0.05, 40
    left = weeks_to_leave(p, weeks)
    # The join tick T0's chance is decided on the first pass (T0 + 7), so pass 1 carries
    # two weeks' chances and pass w >= 2 follows w failures.
    pmf = np.r_[1 - (1 - p) ** 2, (1 - p) ** np.arange(2, weeks + 1) * p]
    expected = np.r_[pmf, 1 - pmf.sum()] * N
    observed = np.bincount(left, minlength=weeks + 2)[1:]
    assert stats.chisquare(observed, expected).pvalue > 0.01


def test_searching_switches_at_the_weekly_chances() -> None:
    """Households that start passive and switch at 10% (start) and 20% (stop) a week:
    the share searching after w weeks follows the two-state chain, p_start / (p_start +
    p_stop) x (1 - (1 - p_start - p_stop)^w), within four binomial standard errors at
    every week."""
    pa, pd = 0.10, 0.20
    seekers = table(N, leave_chance=0.0)
    t = terms(pa, pd)
    start = T0 + 7.0  # joins on the first departures pass's tick
    for s in range(N):
        events.join(s, start, seekers, t)
    tenant = np.zeros(0, np.int64)
    for w in range(0, 30):
        now = start + 7.0 * w
        departures.weekly_departures(np.arange(N), now, seekers, np.zeros(0, np.int8), tenant, t)
        want = pa / (pa + pd) * (1 - (1 - pa - pd) ** (w + 1))
        got = np.mean(seekers.active)
        assert abs(got - want) < 4 * np.sqrt(want * (1 - want) / N) + 1e-9, (w, got, want)


def test_looks_per_round_are_the_round_chance() -> None:
    """Searching households at 0.7 looks a week, passive ones at 0.1: over 26 rounds the
    number of rounds each looks in is binomial(26, 1 - exp(-rate)) (chi-square)."""
    rounds = 26
    t = terms(passive=0.1)
    for active, rate in ((True, 0.7), (False, 0.1)):
        seekers = table(N, active=active, intensity=0.7)
        for s in range(N):
            events.join(s, T0, seekers, t)
        looks = np.zeros(N, np.int64)
        for r in range(rounds):
            now = T0 + 7.0 * r
            due = np.flatnonzero(seekers.look_day <= now)
            looks[due] += 1
            for s in due:
                events.draw_look(int(s), now + 7.0, events._LOOKED, seekers, t)
        chance = 1 - np.exp(-rate)
        observed = np.bincount(looks, minlength=rounds + 1)
        expected = stats.binom.pmf(np.arange(rounds + 1), rounds, chance) * N
        keep = expected > 5
        observed = np.r_[observed[keep], observed[~keep].sum()]
        expected = np.r_[expected[keep], expected[~keep].sum()]
        assert stats.chisquare(observed, expected * observed.sum() / expected.sum()).pvalue > 0.01


def test_status_holders_and_urgent_households_have_no_weekly_switch() -> None:
    """Status holders (housed directly) never look, leave or switch; urgent households
    never stop searching."""
    seekers = table(3, leave_chance=0.5, active=True)
    seekers.kind[0] = Kind.STATUS_HOLDER
    seekers.priority[1] = 0
    t = terms(0.5, 0.5)
    for s in range(3):
        events.join(s, T0, seekers, t)
    assert np.isinf([seekers.look_day[0], seekers.leave_day[0], seekers.due_day[0]]).all()
    assert np.isinf(seekers.switch_day[1]) and np.isfinite(seekers.switch_day[2])


def test_every_waiting_household_has_its_next_events() -> None:
    """After a run on the small world, every household on the list (status holders
    aside) has a next look, leave and due day drawn (no path adds one without them), and
    none of them lies in the past but its demographic exit (a listed tenant leaves with
    its home)."""
    import datetime as dt

    from allocsim.engine import Engine, pilot_state, replication_seed
    from allocsim.world import build_stock
    from tests.conftest import small_config

    cfg = small_config(end_date=dt.date(2023, 1, 1))
    stock = build_stock(cfg)
    engine = Engine(cfg, stock, replication_seed(cfg.run.seed, 0), 0)
    engine.begin(pilot_state(cfg, stock)).advance(engine.horizon)
    cols, n = engine.seekers.cols, engine.seekers.n
    waiting = (cols["state"][:n] == SeekerState.WAITING) & (cols["kind"][:n] != Kind.STATUS_HOLDER)
    assert waiting.sum() > 100
    for name in ("look_day", "leave_day", "switch_day", "due_day"):
        assert not np.isnan(cols[name][:n][waiting]).any(), name
    now = float(engine.env.now)
    assert (cols["look_day"][:n][waiting] >= now - 7.0).all()
    assert (cols["leave_day"][:n][waiting] >= now - 7.0).all()
