"""The compiled passes of the week (allocsim/model/) against the numpy steps they replaced.

Each test builds a random world of households and adverts, runs a kernel, and runs
the reference: the engine's former numpy code, step by step, on copies of the same
arrays (the reference functions in policies/ stay for this). Both run on this
machine, so the comparison is exact wherever the tests run, unlike the golden
digests, which hold in the environment they were recorded in."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allocsim import keyed
from allocsim.config import BehaviourConfig, Config, EligibilityConfig, StarterPilotConfig
from allocsim.domain import (
    DAYS_PER_YEAR,
    OCCUPIED,
    VACANT,
    WITHDRAWN,
    Channel,
    Kind,
    Outcome,
    SeekerState,
)
from allocsim.model import close, departures, events, responses
from allocsim.model import state as ms
from allocsim.model.labels import LabelRules
from allocsim.model.state import Seekers
from allocsim.policies import behaviour
from allocsim.policies.channels import rank
from allocsim.policies.eligibility import (
    Limits,
    above_income_limit,
    allowance_limit,
    household_terms,
    pair_ok,
)
from allocsim.policies.labels import priority_classes
from allocsim.policies.ledger import share_allows
from allocsim.policies.starter_pilot import pilot_eligible
from allocsim.world import SEEKER_FIELDS

LIM = Limits.for_year(EligibilityConfig(), 2022)
WAITING, HOUSED = int(SeekerState.WAITING), int(SeekerState.HOUSED)
N_VILLAGES = 4
NOW = 1234.0


def households(rng: np.random.Generator, n: int) -> responses.Households:
    """Random household columns with the shapes and dtypes of SeekerTable's."""

    def days(nan_share: float) -> np.ndarray:
        x = rng.uniform(-4000.0, NOW, n)
        x[rng.random(n) < nan_share] = np.nan
        return x

    return responses.Households(
        state=rng.choice([WAITING, WAITING, WAITING, HOUSED, 2], n).astype(np.int8),
        kind=rng.integers(0, 6, n).astype(np.int8),
        key=rng.integers(0, 2**63, n).astype(np.uint64),
        active=rng.random(n) < 0.4,
        intensity=rng.choice([0.5, 1.0, 1.5], n),
        household_size=rng.integers(1, 6, n).astype(np.int8),
        income=rng.uniform(15_000, 60_000, n),
        birth_day=NOW - rng.uniform(18, 95, n) * DAYS_PER_YEAR,
        village_mask=rng.integers(1, 2**N_VILLAGES, n).astype(np.uint32),
        senior_only=rng.random(n) < 0.1,
        priority=(rng.random(n) > 0.1).astype(np.int8),
        meettijd_start=rng.uniform(-9000.0, NOW, n),
        search_start_day=days(0.5),
        last_response_day=days(0.4),
        first_response_day=days(0.4),
        n_responses=rng.integers(0, 5, n).astype(np.int32),
        origin_village=rng.integers(0, N_VILLAGES + 1, n).astype(np.int16),
        # A look in this round for about a quarter of them.
        look_day=NOW + 7.0 * rng.integers(0, 4, n),
    )


def event_terms(rng: np.random.Generator, beh: responses.Behaviour) -> events.Terms:
    """Event-time terms (model/events.py) with ticks on NOW - 7 k and random streams."""
    return events.Terms(
        NOW - 700.0,
        NOW + 7000.0,
        7.0,
        beh.passive_rate,
        beh.cycle_weeks,
        0.02,
        0.05,
        *(np.uint64(x) for x in rng.integers(0, 2**63, 3)),
    )


def memory_with_history(rng: np.random.Generator) -> behaviour.Memory:
    memory = behaviour.Memory.empty(N_VILLAGES, 12)
    for _ in range(rng.integers(0, 60)):  # some history, some empty cells
        cell = int(rng.integers(0, memory.n_cells))
        channel = cell // behaviour.N_LABELS % behaviour.N_CHANNELS
        classes = rng.integers(0, 3, rng.integers(0, 30)).astype(np.int8)
        winner = int(rng.integers(-1, 3))
        memory.record(cell, channel, classes, winner, float(rng.uniform(0, 9000)), 3)
    return memory


def label_rules(rng: np.random.Generator) -> LabelRules:
    return LabelRules(
        int(Kind.STARTER), 27.0, 2, math.nan if rng.random() < 0.5 else float(rng.integers(55, 75))
    )


def behaviour_terms(beh: BehaviourConfig) -> responses.Behaviour:
    return responses.Behaviour(
        passive_rate=beh.passive_looks_per_year * 7.0 / DAYS_PER_YEAR,
        cycle_weeks=1.0,
        bound=3,
        limit_searching=2,
        urgent_prospect=beh.urgent_prospect,
        reservation_base=beh.reservation_base,
        reservation_prospect=beh.reservation_prospect,
        impatience_per_year=beh.impatience_per_year,
        impatience_years=beh.impatience_years,
        search_gap_days=365.0,
        own_village_bonus=beh.own_village_bonus,
        viewing_sd=beh.viewing_sd,
        response_cost=beh.response_cost,
        prior=beh.chance_prior,
    )


def reference_label(
    hh: responses.Households,
    s: np.ndarray,
    terms: np.ndarray,
    a: np.ndarray,
    age: np.ndarray,
    rules: LabelRules,
) -> np.ndarray:
    """The rules' former `label_group` hooks: starter pilot, senior option, custom rule."""
    sp = StarterPilotConfig(max_age=int(rules.starter_max_age), max_household=2)
    starter = pilot_eligible(hh.kind[s], age, hh.household_size[s], hh.income[s], LIM, sp)
    senior = age >= rules.senior_age if not math.isnan(rules.senior_age) else np.zeros(s.size, bool)
    above = hh.income[s] > allowance_limit(hh.household_size[s], age, LIM)
    return (terms[0, a] & starter) | (terms[1, a] & senior) | (terms[2, a] & above)


def reference_hold(
    hh: responses.Households, s: np.ndarray, memory: behaviour.Memory, beh: responses.Behaviour
) -> np.ndarray:
    """The engine's former `_reservation`."""
    prospect = behaviour.prospect(memory, NOW - hh.meettijd_start[s])
    prospect = np.where(hh.priority[s] == 0, beh.urgent_prospect, prospect)
    first = hh.search_start_day[s]
    lapsed = ~(NOW - hh.last_response_day[s] < beh.search_gap_days)
    searched = np.where(np.isnan(first) | lapsed, 0.0, (NOW - first) / DAYS_PER_YEAR)
    return behaviour.reservation(
        prospect,
        searched,
        beh.reservation_base,
        beh.reservation_prospect,
        beh.impatience_per_year,
        beh.impatience_years,
    )


def copy_of(hh: responses.Households) -> responses.Households:
    return responses.Households(*(col.copy() for col in hh))


@pytest.mark.parametrize("seed", range(8))
def test_response_round_equals_the_numpy_steps(seed: int) -> None:
    """Who looks, the listed pairs, eligibility, the saved search, label groups, the
    reservation values and the responses, and the responders' counts and dates."""
    rng = np.random.default_rng(seed)
    n, n_adv = 600, int(rng.integers(1, 12))
    hh = households(rng, n)
    memory = memory_with_history(rng)
    rules = label_rules(rng)
    beh = behaviour_terms(BehaviourConfig())
    streams = responses.Streams(*(np.uint64(x) for x in rng.integers(0, 2**63, 2)))
    terms = event_terms(rng, beh)
    village = rng.integers(0, N_VILLAGES, n_adv)
    channel = rng.integers(0, 2, n_adv)
    ad = responses.Adverts(
        home=rng.integers(0, 5000, n_adv),
        village=village,
        bedrooms=rng.integers(1, 6, n_adv),
        rent=rng.uniform(400, 900, n_adv),
        allow_above=rng.random(n_adv) < 0.3,
        senior_suitable=rng.random(n_adv) < 0.3,
        key=rng.integers(0, 2**63, n_adv).astype(np.uint64),
        channel=channel,
        cell=behaviour.cell_of(village, channel, rng.integers(0, behaviour.N_LABELS, n_adv)),
        label_terms=rng.random((3, n_adv)) < 0.3,
    )
    got_hh = copy_of(hh)
    responders, which = responses.respond_round(
        np.arange(n),
        NOW,
        got_hh,
        ad,
        LIM.terms(),
        rules,
        beh,
        streams,
        memory.offer_winners(),
        memory.n_resp,
        memory.n_class0,
        memory.n_class01,
        memory.win_class,
        memory.win_meettijd,
        memory.win_n,
        memory.candidates,
        memory.n_cells,
        WAITING,
        int(Kind.STATUS_HOLDER),
        int(Channel.LOTTERY),
        work := np.zeros(4, dtype=np.int64),
        terms,
    )
    # The reference: the engine's former `publish`, step by step; who looks: those whose
    # look falls in this round (their next is drawn from the next, model/events.py).
    waiting = np.flatnonzero((hh.state == WAITING) & (hh.kind != Kind.STATUS_HOLDER))
    searching = hh.active[waiting]
    looks = hh.look_day[waiting] <= NOW
    lookers, searching = waiting[looks], searching[looks]
    size = hh.household_size[lookers]
    i, a = behaviour.candidate_pairs(hh.village_mask[lookers], size, village, ad.bedrooms, LIM)
    lottery = channel == Channel.LOTTERY
    i, a = i[searching[i] | lottery[a]], a[searching[i] | lottery[a]]
    age_l = (NOW - hh.birth_day[lookers]) / DAYS_PER_YEAR
    above, low_income, cap = household_terms(size, hh.income[lookers], age_l, LIM)
    ok = pair_ok(above[i], low_income[i], cap[i], ad.rent[a], ad.allow_above[a])
    ok &= ~hh.senior_only[lookers][i] | ad.senior_suitable[a]
    i, a = i[ok], a[ok]
    position = keyed.uniform(int(streams.listing), hh.key[lookers[i]], ad.key[a])
    read = behaviour.saved_search(i, position, beh.bound)
    i, a = i[read], a[read]
    s = lookers[i]
    label = reference_label(hh, s, ad.label_terms, a, age_l[i], rules)
    chosen = behaviour.respond(
        i,
        a,
        label,
        looker={
            "urgent": hh.priority[lookers] == 0,
            "meettijd": NOW - hh.meettijd_start[lookers],
            "hold": reference_hold(hh, lookers, memory, beh),
            "key": hh.key[lookers],
            "origin_village": hh.origin_village[lookers],
            "limit": np.where(searching, beh.limit_searching, 1),
        },
        advert={"home": ad.home, "village": village, "channel": channel, "cell": ad.cell},
        memory=memory,
        taste_stream=int(streams.taste),
        own_village_bonus=beh.own_village_bonus,
        viewing_sd=beh.viewing_sd,
        response_cost=beh.response_cost,
        prior=beh.prior,
    )
    assert responders.size > 0
    listed = int(ok.sum())
    assert work.tolist() == [listed, i.size, np.unique(i).size, np.bincount(i).max()]
    np.testing.assert_array_equal(responders, s[chosen])
    np.testing.assert_array_equal(which, a[chosen])
    uniq, counts = np.unique(responders, return_counts=True)
    want = copy_of(hh)
    want.n_responses[uniq] += counts.astype(np.int32)
    first = want.first_response_day
    first[uniq] = np.where(np.isnan(first[uniq]), NOW, first[uniq])
    last = want.last_response_day[uniq]
    want.search_start_day[uniq[np.isnan(last) | (NOW - last >= beh.search_gap_days)]] = NOW
    want.last_response_day[uniq] = NOW
    for s in lookers:
        events.draw_look(int(s), NOW + 7.0, want, terms)
    assert (got_hh.look_day[lookers] > NOW).all()
    for name, col in zip(responses.Households._fields, want, strict=True):
        np.testing.assert_array_equal(getattr(got_hh, name), col, err_msg=name)


@pytest.mark.parametrize("seed", range(8))
def test_closing_a_batch_equals_the_numpy_steps(seed: int) -> None:
    """Values, reservations and keyed draws; who is still waiting and admitted (the free
    room and a neighbourhood's urgent cap, with the batch's own lettings counted);
    ranking, invitations, the winner, the offers and the households' memory."""
    rng = np.random.default_rng(100 + seed)
    n, n_adv = 500, int(rng.integers(1, 8))
    hh = households(rng, n)
    memory = memory_with_history(rng)
    rules = label_rules(rng)
    beh_cfg = BehaviourConfig()
    beh = behaviour_terms(beh_cfg)
    # Responders: waiting households, some answering several adverts of the batch.
    pool = np.flatnonzero(hh.state == WAITING)
    per_advert = [
        np.sort(rng.choice(pool, rng.integers(0, 40), replace=False)) for _ in range(n_adv)
    ]
    village = rng.integers(0, N_VILLAGES, n_adv)
    channel = rng.integers(0, 2, n_adv)
    label_terms = rng.random((3, n_adv)) < 0.3
    batch = close.Batch(
        home=rng.choice(5000, n_adv, replace=False),
        village=village,
        tenancy=rng.integers(1, 9, n_adv),
        key=rng.integers(0, 2**63, n_adv).astype(np.uint64),
        channel=channel,
        cell=behaviour.cell_of(village, channel, rng.integers(0, behaviour.N_LABELS, n_adv)),
        label_terms=label_terms,
        start=np.r_[0, np.cumsum([r.size for r in per_advert])].astype(np.int64),
        responders=np.concatenate([np.zeros(0, np.int64), *per_advert]),
    )
    n_muni, n_hood = 2, 3
    adm = close.Admission(
        muni=rng.integers(0, n_muni, n_adv),
        above_room=rng.random(n_adv) < 0.5,
        above_cap=0.15,
        muni_lettings=rng.integers(0, 20, n_muni),
        muni_above=rng.integers(0, 3, n_muni),
        hood=rng.integers(0, n_hood, n_adv),
        urgent_cap=np.where(rng.random(n_adv) < 0.5, 0.1, np.nan),
        hood_lettings=rng.integers(0, 20, n_hood),
        hood_urgent=rng.integers(0, 3, n_hood),
    )
    streams = close.Streams(*(np.uint64(x) for x in rng.integers(0, 2**63, 4)))
    p_unreachable, margin = beh_cfg.p_unreachable, beh_cfg.no_show_margin
    got_hh = copy_of(hh)
    got_memory = memory_with_history(np.random.default_rng(seed))  # as `memory`
    memory = memory_with_history(np.random.default_rng(seed))
    closed = close.close_batch(
        NOW,
        got_hh,
        batch,
        adm,
        LIM.terms(),
        rules,
        beh,
        streams,
        p_unreachable,
        margin,
        int(Channel.OFFER),
        got_memory.offer_winners(),
        got_memory.n_resp,
        got_memory.n_class0,
        got_memory.n_class01,
        got_memory.win_class,
        got_memory.win_meettijd,
        got_memory.win_n,
        got_memory.win_next,
        got_memory.candidates,
        got_memory.alpha,
        got_memory.n_cells,
        WAITING,
        HOUSED,
    )
    # The reference: the engine's former `close`, step by step.
    state = hh.state.copy()
    everyone = batch.responders
    sizes = np.diff(batch.start)
    homes_all = np.repeat(batch.home, sizes)
    akeys_all = np.repeat(batch.key, sizes)
    hkeys_all = hh.key[everyone]
    own = np.repeat(village, sizes) == hh.origin_village[everyone]
    value = beh.own_village_bonus * own + keyed.normal(int(streams.taste), hkeys_all, homes_all)
    hold = reference_hold(hh, everyone, memory, beh)
    lots = keyed.uniform(int(streams.lot), akeys_all, hkeys_all)
    reach = keyed.uniform(int(streams.reach), hkeys_all, akeys_all) >= p_unreachable
    viewed = value + beh.viewing_sd * keyed.normal(
        int(streams.viewing), hkeys_all, homes_all, np.repeat(batch.tenancy, sizes)
    )
    age = (NOW - hh.birth_day[everyone]) / DAYS_PER_YEAR
    label = reference_label(
        hh, everyone, label_terms, np.repeat(np.arange(n_adv), sizes), age, rules
    )
    prio = priority_classes(hh.priority[everyone] == 0, label)
    meettijd = NOW - hh.meettijd_start[everyone]
    shows = reach & (value >= hold - margin)
    accepts = viewed >= hold
    muni_lets, muni_above = adm.muni_lettings.copy(), adm.muni_above.copy()
    hood_lets, hood_urgent = adm.hood_lettings.copy(), adm.hood_urgent.copy()
    offers = []
    for j in range(n_adv):
        part = np.arange(batch.start[j], batch.start[j + 1])
        part = part[state[everyone[part]] == WAITING]
        m, hood = adm.muni[j], adm.hood[j]
        above = above_income_limit(
            hh.household_size[everyone[part]], hh.income[everyone[part]], LIM
        )
        if adm.above_room[j] and not share_allows(muni_above[m], muni_lets[m], adm.above_cap):
            part = part[~above]
        if not np.isnan(adm.urgent_cap[j]) and not share_allows(
            hood_urgent[hood], hood_lets[hood], adm.urgent_cap[j]
        ):
            part = part[hh.priority[everyone[part]] != 0]
        order = rank(prio[part], meettijd[part], lots[part], channel[j] == Channel.OFFER)
        outcomes = behaviour.invite_ranked(order, shows[part], accepts[part])
        k = outcomes.size
        ranked = part[order[:k]]
        offers += [
            (j, everyone[p], prio[p], meettijd[p], o) for p, o in zip(ranked, outcomes, strict=True)
        ]
        accepted = k > 0 and outcomes[-1] == Outcome.ACCEPTED
        last = ranked[-1] if accepted else -1
        memory.record(
            int(batch.cell[j]),
            int(channel[j]),
            prio[part],
            int(prio[last]) if accepted else -1,
            float(meettijd[last]) if accepted else 0.0,
            k,
        )
        assert closed.n_responses[j] == part.size
        assert closed.n_priority[j] == int((prio[part] == 0).sum())
        assert closed.n_invited[j] == k
        assert closed.let[j] == accepted
        if accepted:
            s = everyone[last]
            assert closed.winner[j] == s
            assert closed.winner_meettijd[j] == meettijd[last]
            state[s] = HOUSED
            muni_lets[m] += 1
            muni_above[m] += int(
                above_income_limit(hh.household_size[s : s + 1], hh.income[s : s + 1], LIM)[0]
            )
            hood_lets[hood] += 1
            hood_urgent[hood] += int(hh.priority[s] == 0)
        else:
            assert closed.winner[j] == -1
    assert closed.let.any() or not closed.n_invited.any()
    got = list(
        zip(
            closed.offer_advert.tolist(),
            closed.offer_seeker.tolist(),
            closed.offer_priority.tolist(),
            closed.offer_meettijd.tolist(),
            closed.offer_outcome.tolist(),
            strict=True,
        )
    )
    assert got == [(int(j), int(s), int(p), float(m), int(o)) for j, s, p, m, o in offers]
    np.testing.assert_array_equal(got_hh.state, state)
    for name in ("n_resp", "n_class0", "n_class01", "win_class", "win_meettijd", "win_n"):
        np.testing.assert_array_equal(getattr(got_memory, name), getattr(memory, name))
    np.testing.assert_array_equal(got_memory.candidates, memory.candidates)


def full_seekers(rng: np.random.Generator, n: int, n_homes: int) -> Seekers:
    """Random columns of the whole household table (world.SEEKER_FIELDS)."""
    part = households(rng, n)
    leave_rate = rng.choice([0.0, 0.1, 0.3], n) / DAYS_PER_YEAR
    extra = {
        "entry_day": rng.uniform(-4000.0, NOW, n),
        "origin_municipality": rng.integers(0, 2, n).astype(np.int16),
        "leave_rate": leave_rate,
        "leave_chance": 1.0 - np.exp(-leave_rate * 7.0),
        "home": np.where(rng.random(n) < 0.3, rng.integers(0, n_homes, n), -1).astype(np.int32),
        "end_day": np.full(n, np.nan),
        "search_from_day": np.where(
            rng.random(n) < 0.2, rng.uniform(NOW - 30, NOW + 30, n), np.nan
        ),
        "exit_day": rng.uniform(NOW - 200, NOW + 4000, n),
        "exit_reason": rng.integers(0, 4, n).astype(np.int8),
        "exit_since": rng.uniform(NOW - 4000, NOW, n),
        "left_reason": np.zeros(n, dtype=np.int8),
        # Event days on the weekly ticks NOW + 7 k: due now for about a half.
        "leave_day": NOW + 7.0 * rng.integers(-1, 30, n),
        "switch_day": NOW + 7.0 * rng.integers(-1, 4, n),
        "due_day": np.zeros(n),  # set below
    }
    return Seekers(**{name: getattr(part, name, None) for name in Seekers._fields} | extra)


def test_the_household_table_matches_its_schema() -> None:
    assert list(Seekers._fields) == list(SEEKER_FIELDS)


def test_copying_rows_copies_every_column() -> None:
    """state.copy_rows moves rows lo..hi of every column (distinct values in each) to
    their new place and touches no other row."""
    n = 12
    src = Seekers(*(np.arange(1, n + 1).astype(t) for t in SEEKER_FIELDS.values()))
    dst = Seekers(*(np.zeros(n, t) for t in SEEKER_FIELDS.values()))
    ms.copy_rows(src, 3, 7, dst, 5)
    for name in SEEKER_FIELDS:
        got, want = getattr(dst, name), getattr(src, name)
        np.testing.assert_array_equal(got[5:9], want[3:7], err_msg=name)
        assert not got[:5].any() and not got[9:].any(), name


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**63 - 1), st.integers(0, 60), st.integers(0, 60))
def test_movers_take_distinct_free_homes(stream: int, n_free: int, n_movers: int) -> None:
    """homes.pick_free gives each mover (while they last) a different free home, the same
    one for the same keys and free homes, and every free home about equally often."""
    from allocsim.model import homes

    free = np.sort(np.random.default_rng(n_free).choice(500, n_free, replace=False))
    keys = keyed.hash_keys(stream, 9, np.arange(n_movers))
    picked = homes.pick_free(free, keys, np.uint64(stream & keyed.MASK))
    assert picked.size == min(n_free, n_movers)
    assert np.unique(picked).size == picked.size and np.isin(picked, free).all()
    np.testing.assert_array_equal(
        picked, homes.pick_free(free, keys, np.uint64(stream & keyed.MASK))
    )


def test_a_mover_takes_any_free_home_alike() -> None:
    """Over many keyed draws each of ten free homes is a single mover's pick about a
    tenth of the time (chi-square, 1%)."""
    from scipy import stats

    from allocsim.model import homes

    free = np.arange(10, 20)
    counts = np.zeros(10)
    for k in keyed.hash_keys(3, 1, np.arange(5000)):
        counts[homes.pick_free(free, np.array([k]), np.uint64(77))[0] - 10] += 1
    assert stats.chisquare(counts).pvalue > 0.01


@pytest.mark.parametrize("seed", range(6))
def test_weekly_departures_equal_the_numpy_steps(seed: int) -> None:
    """Who leaves the list (its demography's week, or its leave day; a tenant of a
    standing home leaves with it), why, and who starts or stops searching (its switch day,
    or an early registrant's search start), each drawing its next switch and look; only
    households with something due are touched."""
    rng = np.random.default_rng(200 + seed)
    n, n_homes = 800, 300
    seekers = full_seekers(rng, n, n_homes)
    for s in range(n):
        events.due(s, seekers)
    counts = np.zeros(ms.N_COUNTS, np.int64)
    counts[ms.COUNT_LAST_DEPARTURES] = counts[ms.COUNT_LAST_ROUND] = int(NOW) - 7
    status = rng.choice([OCCUPIED, VACANT, WITHDRAWN], n_homes).astype(np.int8)
    tenant = rng.integers(-1, n, n_homes)
    terms = event_terms(rng, behaviour_terms(BehaviourConfig()))
    got = Seekers(*(col.copy() for col in seekers))
    got_tenant = tenant.copy()
    departures.weekly_departures(np.arange(n), NOW, got, status, got_tenant, counts, terms)
    # The reference, step by step.
    want = Seekers(*(col.copy() for col in seekers))
    want_tenant = tenant.copy()
    waiting = np.flatnonzero(
        (want.state == WAITING) & (want.kind != Kind.STATUS_HOLDER) & (want.due_day <= NOW)
    )
    home = want.home[waiting]
    housed_here = (home >= 0) & (status[np.maximum(home, 0)] != WITHDRAWN)
    gone = (want.exit_day[waiting] <= NOW) & ~housed_here
    leaves = gone | (want.leave_day[waiting] <= NOW)
    want.left_reason[waiting[gone]] = want.exit_reason[waiting[gone]]
    idx = waiting[leaves]
    want.state[idx] = SeekerState.LEFT
    want.end_day[idx] = NOW
    homes = want.home[idx]
    want_tenant[homes[homes >= 0]] = -1
    active = want.active[waiting].copy()
    stay = ~leaves
    due = want.search_from_day[waiting] <= NOW
    want.search_from_day[waiting[due]] = np.nan
    switch = want.switch_day[waiting] <= NOW
    normal = want.priority[waiting] != 0
    start = stay & normal & ~active & (switch | due)
    stop = stay & normal & active & switch
    want.active[waiting[start]] = True
    want.active[waiting[stop]] = False
    for s in waiting[stay & normal & (start | stop | due)]:
        events.draw_switch(int(s), NOW + 7.0, want, terms)
        events.draw_look(int(s), NOW, want, terms)
    for s in waiting[stay]:
        events.due(int(s), want)
    assert leaves.sum() > 0 and gone.sum() > 0 and start.sum() > 0 and stop.sum() > 0
    assert waiting.size < (want.state == WAITING).sum()  # some had nothing due
    np.testing.assert_array_equal(got_tenant, want_tenant)
    for name in Seekers._fields:
        np.testing.assert_array_equal(getattr(got, name), getattr(want, name), err_msg=name)


@settings(max_examples=300, deadline=None)
@given(
    counts=st.tuples(
        st.integers(0, 120),  # vacancies
        *(st.integers(0, 6) for _ in range(3)),  # lottery granted, by use
        *(st.integers(0, 3) for _ in range(3)),  # requested beyond granted
        *(st.integers(0, 8) for _ in range(ms.N_LEDGER - 7)),
    ),
    village=st.sampled_from(["Duiven", "Loo", "Groessen", "Westervoort"]),
    bedrooms=st.integers(1, 5),
    rent=st.floats(400.0, 800.0),
    senior=st.booleans(),
    first_channel=st.sampled_from([-1, int(Channel.OFFER), int(Channel.LOTTERY)]),
    month=st.integers(1, 12),
    u=st.floats(0.0, 0.999),
    cap=st.sampled_from([0.0, 0.05, 0.1, 0.15, 0.3, 1.0]),
    pacing=st.sampled_from(["monthly", "first_come"]),
    precedence=st.permutations(["village_rule", "starter_pilot", "general"]),
    lottery_share=st.sampled_from([0.25, 0.5, 0.75]),
)
def test_compiled_labelling_equals_the_rules(
    counts: tuple[int, ...],
    village: str,
    bedrooms: int,
    rent: float,
    senior: bool,
    first_channel: int,
    month: int,
    u: float,
    cap: float,
    pacing: str,
    precedence: list[str],
    lottery_share: float,
) -> None:
    """model/homes.label_vacancy (and Ledger.record) decide what the rules in
    policies/labels.py decide, for any ledger, home, month, cap, precedence and split of
    the starter quota."""
    from allocsim.engine import PolicyView
    from allocsim.model import homes as mh
    from allocsim.policies.labels import label_vacancy
    from allocsim.policies.ledger import LOTTERY_USES, Home, Ledger
    from allocsim.policies.terms import rule_terms
    from allocsim.world import build_stock
    from tests.conftest import small_config

    cfg = small_config()
    data = cfg.policies.model_dump()
    data["lottery_cap"]["cap_share"] = {"Duiven": cap, "Westervoort": cap}
    data["lottery_cap"]["precedence"] = tuple(precedence)
    data["starter_pilot"]["pacing"] = pacing
    data["starter_pilot"]["lottery_share"] = lottery_share
    data["general_lottery"]["share"] = {"Duiven": 0.3, "Westervoort": 0.5}
    policies = type(cfg.policies).model_validate(data)
    stock = STOCK.setdefault("small", build_stock(cfg))
    view = PolicyView.of(policies, stock)
    terms = rule_terms(view.policies, view.prepared, stock)
    row = np.array(counts, dtype=np.int64)
    row[ms.LEDGER_REQUESTED : ms.LEDGER_REQUESTED + 3] += row[
        ms.LEDGER_GRANTED : ms.LEDGER_GRANTED + 3
    ]
    muni = "Westervoort" if village == "Westervoort" else "Duiven"
    m = stock.municipalities.index(muni)
    got = mh.label_vacancy(
        row,
        terms,
        m,
        stock.villages.index(village),
        bedrooms,
        rent,
        senior,
        first_channel,
        month,
        u,
    )
    ledger = Ledger.of_row(row)
    want = label_vacancy(
        Home(muni, village, bedrooms, rent, senior, first_channel), month, ledger, policies, u
    )
    use = -1 if want.lottery_use is None else LOTTERY_USES.index(want.lottery_use)
    assert got == (
        int(want.channel),
        int(want.rule),
        want.starter_priority,
        want.senior_priority,
        use,
        want.starter_displaced,
    )
    mh.record_decision(row, *got[:2], got[4], got[5])
    ledger.record(want)
    assert Ledger.of_row(row) == ledger


STOCK: dict[str, object] = {}


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 200)), min_size=1, max_size=12))
def test_the_waiting_list_follows_the_table(steps: list[tuple[int, int]]) -> None:
    """Whatever households join and leave between looks, `waiting_rows` gives the
    waiting rows of the table, ascending, as a scan of the whole table would."""
    rng = np.random.default_rng(len(steps))
    state = np.zeros(0, dtype=np.int8)
    books = ms.Books(
        *(np.zeros((1, 1, 1), np.int64) for _ in range(2)),
        np.zeros((1, 1, 2), np.int64),
        *(np.zeros((1, 1), np.int64) for _ in range(3)),
        np.zeros(1, np.int64),
        np.zeros(ms.N_COUNTS, np.int64),
        np.zeros(0, np.int64),
    )
    for joined, leaving in steps:
        state = np.r_[state, np.full(joined, WAITING, dtype=np.int8)]
        books = books._replace(waiting=np.r_[books.waiting, np.zeros(joined, np.int64)])
        if state.size:  # some leave or are housed; nobody returns
            gone = rng.choice(state.size, size=min(leaving, state.size), replace=False)
            state[gone] = rng.choice([HOUSED, 2], size=gone.size)
        rows = departures.waiting_rows(books, state, state.size)
        np.testing.assert_array_equal(rows, np.flatnonzero(state == WAITING))


def test_a_day_before_the_start_falls_in_the_calendar_day_before(small: Config) -> None:
    """Day -0.5 is the evening of the day before start_date, in the compiled calendar
    (homes._slot) as in domain.date_of: a vacancy decided then, under the history's
    rules, counts in the history's year and month. Truncating instead put every
    fractional burn-in day one day late, so 31 December's decisions counted in the
    run's first year (a starter label against a limit of 0 in a scenario without the
    pilot)."""
    import datetime as dt

    from allocsim.domain import date_of
    from allocsim.engine import Engine, pilot_state, replication_seed
    from allocsim.model import homes
    from allocsim.world import build_stock

    stock = build_stock(small)
    engine = Engine(small, stock, replication_seed(1, 0), 0).begin(pilot_state(small, stock))
    cal, start = engine.calendar, small.run.start_date
    for day in (-0.5, -1.0, -1.5, -31.25, -365.75, 0.0, 0.5, 58.9):
        date = date_of(day, start)
        assert date == start + dt.timedelta(days=math.floor(day))
        row = homes._slot(cal, day)
        assert (cal.year[row], cal.month[row]) == (date.year, date.month), day
    assert date_of(-0.5, start) == dt.date(start.year - 1, 12, 31)
