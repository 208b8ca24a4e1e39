"""A waiting household's weekly chances as event times (allocsim/model/events.py): the
events found once are exactly those of a keyed draw for every household every week."""

from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from allocsim import keyed
from allocsim.domain import Kind, SeekerState
from allocsim.model import departures, events
from allocsim.model import state as ms
from allocsim.model.state import Seekers
from allocsim.world import SEEKER_FIELDS

T0 = -700.0  # the first tick
WEEKS = 60
HORIZON = T0 + 7.0 * (WEEKS + 1)


def table(n: int, rng: np.random.Generator) -> Seekers:
    """`n` waiting households: searching or not, a few urgent, weekly chances to leave of
    0 to 10%, some early registrants whose search starts within the weeks run."""
    cols = {name: np.zeros(n, dtype=t) for name, t in SEEKER_FIELDS.items()}
    cols["state"][:] = SeekerState.WAITING
    cols["kind"][:] = Kind.MOVER_STOCK
    cols["priority"][:] = (rng.random(n) > 0.1).astype(np.int8)
    cols["active"][:] = rng.random(n) < 0.4
    cols["intensity"][:] = rng.choice([0.5, 1.0, 1.5], n)
    cols["leave_chance"][:] = rng.choice([0.0, 0.01, 0.03, 0.1], n)
    start = T0 + 7.0 * rng.integers(1, WEEKS, n)
    cols["search_from_day"][:] = np.where(rng.random(n) < 0.2, start, np.nan)
    cols["exit_day"][:] = np.inf
    cols["home"][:] = -1
    cols["key"] = keyed.hash_keys(int(rng.integers(0, 2**62)), np.arange(n))
    return Seekers(**cols)


def terms(rng: np.random.Generator) -> events.Terms:
    return events.Terms(
        T0,
        HORIZON,
        7.0,
        0.05,  # passive looks a week
        1.0,
        0.10,  # a week's chance to start searching
        0.20,  # and to stop
        *(np.uint64(x) for x in rng.integers(0, 2**63, 3)),
    )


def clock() -> np.ndarray:
    counts = np.zeros(ms.N_COUNTS, np.int64)
    counts[ms.COUNT_LAST_DEPARTURES] = int(T0)  # departures from t0 + 7 on
    counts[ms.COUNT_LAST_ROUND] = int(T0) - 7  # advert rounds from t0 on
    return counts


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**62), st.floats(0.0, 1.0), st.integers(-50, 50))
def test_first_success_is_the_first_weekly_success(seed: int, p: float, start: int) -> None:
    """The first tick from `first` whose week's keyed uniform is below p, found by the
    loop a weekly draw would have run (inf when none comes before the horizon)."""
    key = np.uint64(seed)
    first = 7.0 * start
    got = events.first_success(np.uint64(seed // 3), key, first, 7.0, p, first + 7.0 * 200)
    want = np.inf
    for k in range(200):
        t = first + 7.0 * k
        if keyed.uniform(seed // 3, int(key), int(np.floor(t / 7.0)))[0] < p:
            want = t
            break
    assert got == want


def test_departures_and_looks_are_the_weekly_draws() -> None:
    """Two thousand households over 60 weeks, the weekly passes in the engine's order
    (departures, then the advert round, which is not held in every fifth week): who leaves
    (its weekly chance), who starts or stops searching (the activation and deactivation
    chances; an early registrant on its day; never the urgent), and who looks in each round
    held, are those a keyed draw for every household every week gives, week by week."""
    rng = np.random.default_rng(7)
    n = 2000
    t = terms(rng)
    got = table(n, rng)
    want = Seekers(*(col.copy() for col in got))
    counts = clock()
    for s in range(n):
        events.join(s, T0, counts, got, t)
    status = np.zeros(0, np.int8)
    tenant = np.zeros(0, np.int64)
    looked = 0
    for w in range(0, WEEKS):
        now = T0 + 7.0 * w
        week = int(np.floor(now / 7.0))
        key = want.key
        if w > 0:  # the departures pass (from t0 + 7)
            departures.weekly_departures(np.arange(n), now, got, status, tenant, counts, t)
            waiting = want.state == SeekerState.WAITING
            leaves = waiting & (keyed.uniform(int(t.leave_stream), key, week) < want.leave_chance)
            want.state[leaves] = SeekerState.LEFT
            want.end_day[leaves] = now
            stay = waiting & ~leaves & (want.priority != 0)
            due = want.search_from_day <= now
            want.search_from_day[waiting & ~leaves & due] = np.nan
            u = keyed.uniform(int(t.activity_stream), key, week)
            start = stay & ~want.active & ((u < t.p_activate) | due)
            stop = stay & want.active & (u < t.p_deactivate)
            want.active[start] = True
            want.active[stop] = False
            for name in ("state", "active", "end_day"):
                np.testing.assert_array_equal(getattr(got, name), getattr(want, name), name)
        if w % 5 == 4:
            continue  # no adverts this week: no round
        counts[ms.COUNT_LAST_ROUND] = int(now)
        waiting = want.state == SeekerState.WAITING
        rate = np.where(want.active, want.intensity, t.passive_rate)
        chance = -np.expm1(-rate * t.cycle_weeks)
        looks = waiting & (keyed.uniform(int(t.look_stream), key, week) < chance)
        # The round's own rule (model/responses.respond_round's first pass).
        got_looks = np.zeros(n, bool)
        for s in np.flatnonzero(got.state == SeekerState.WAITING):
            if got.look_day[s] < now:
                events.draw_look(int(s), now, got, t)
            if got.look_day[s] == now:
                got_looks[s] = True
                events.draw_look(int(s), now + 7.0, got, t)
        np.testing.assert_array_equal(got_looks, looks, f"looks in week {w}")
        looked += int(looks.sum())
    assert (want.state == SeekerState.LEFT).sum() > 200 and looked > 5000


def test_status_holders_and_urgent_households_have_no_weekly_switch() -> None:
    """Status holders (housed directly) never look, leave or switch; urgent households
    never stop searching."""
    rng = np.random.default_rng(1)
    seekers = table(3, rng)
    seekers.kind[0] = Kind.STATUS_HOLDER
    seekers.priority[1] = 0
    seekers.priority[2] = 1
    seekers.leave_chance[:] = 0.5
    t = terms(rng)
    for s in range(3):
        events.join(s, T0, clock(), seekers, t)
    assert np.isinf([seekers.look_day[0], seekers.leave_day[0], seekers.due_day[0]]).all()
    assert np.isinf(seekers.switch_day[1]) and np.isfinite(seekers.switch_day[2])


def test_every_waiting_household_has_its_next_events() -> None:
    """After a run on the small world, every household on the list (status holders
    aside) has a next look, leave and due day found (no path adds one without them), and
    none of them lies before the last pass but its demographic exit (a listed tenant
    leaves with its home)."""
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
    last = float(engine.books.counts[ms.COUNT_LAST_DEPARTURES])
    assert (cols["leave_day"][:n][waiting] > last).all()
    assert (cols["switch_day"][:n][waiting] > last).all()
