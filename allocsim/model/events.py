"""A waiting household's weekly chances as event times, found once per change.

Each week a waiting household may leave the list for other reasons (its kind's weekly
chance), start or stop searching (the activation and deactivation chances), and each
advert round it may look at the adverts (1 - exp(-rate x cycle), the rate its own while
it searches, the passive rate otherwise). Each is decided by a keyed uniform of the
household and the week (allocsim.keyed), below the chance or not. Rather than touching
every household every week, a household keeps the day of its next such event: the first
tick from now whose keyed uniform falls below the chance (`first_success`), found again
only when the event has happened or its chance has changed (a switch changes the chance
to look). The events are those of a draw every week, draw for draw, so two households in
the same state in the same week share their futures (common random numbers over
parameters, as a calibration needs), and `due_day` (the first of a household's events,
its demographic exit and an early registrant's search start) lets the weekly passes skip
a household with nothing due.

Ticks: the weekly departures pass runs on `t0 + 7k` (k >= 1), the advert rounds on
`t0 + cycle k` (k >= 0; a round without adverts is not held, and a household whose look
fell in one looks for the next from the next round held). A household's first chance of
each is the first tick of that pass after the last one held (`Books.counts`'
COUNT_LAST_DEPARTURES, COUNT_LAST_ROUND) and not before the day it joins.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numba
import numpy as np

from allocsim import keyed
from allocsim.domain import Kind
from allocsim.model import state as st

WEEK = 7.0
_STATUS_HOLDER = int(Kind.STATUS_HOLDER)


class Terms(NamedTuple):
    """What the event times depend on (the engine's settings)."""

    t0: float  # the first tick (the burn-in's start)
    horizon: float  # no event is looked for from here on
    cycle_days: float  # days between advert rounds
    passive_rate: float  # looks per week of a household that is not searching
    cycle_weeks: float
    p_activate: float  # a week's chance to start searching
    p_deactivate: float  # and to stop
    leave_stream: np.uint64
    activity_stream: np.uint64
    look_stream: np.uint64


@numba.njit(cache=True, inline="always")
def _uniform(stream: np.uint64, key: np.uint64, week: int) -> float:  # pragma: no cover
    """keyed.uniform(stream, key, week): the week's draw of a household."""
    h = keyed.mix(stream + keyed._GOLDEN + key * keyed._GOLDEN)
    h = keyed.mix(h + keyed._GOLDEN + np.uint64(week) * keyed._GOLDEN)
    return np.float64(h >> keyed._S11) * keyed._UNIT


@numba.njit(cache=True, inline="always")
def first_success(
    stream: np.uint64, key: np.uint64, first: float, step: float, p: float, horizon: float
) -> float:  # pragma: no cover - compiled
    """The first tick `first + step k` (k >= 0) before `horizon` whose keyed uniform
    (the household, the tick's week) is below `p`; inf if none."""
    if p <= 0.0:
        return np.inf
    t = first
    while t < horizon:
        if _uniform(stream, key, math.floor(t / WEEK)) < p:
            return t
        t += step
    return np.inf


@numba.njit(cache=True, inline="always")
def next_tick(day: float, t0: float, step: float) -> float:  # pragma: no cover - compiled
    """The first tick `t0 + step k` on or after `day`."""
    return t0 + step * math.ceil((day - t0) / step - 1e-9)


@numba.njit(cache=True, inline="always")
def first_departures(now: float, counts: np.ndarray, terms: Terms) -> float:  # pragma: no cover
    """The first departures pass still to come for a household that joins now."""
    last = float(counts[st.COUNT_LAST_DEPARTURES])
    return max(next_tick(now, terms.t0, WEEK), last + WEEK)


@numba.njit(cache=True, inline="always")
def first_round(now: float, counts: np.ndarray, terms: Terms) -> float:  # pragma: no cover
    """The first advert round still to come for a household that joins now."""
    last = float(counts[st.COUNT_LAST_ROUND])
    return max(next_tick(now, terms.t0, terms.cycle_days), last + terms.cycle_days)


@numba.njit(cache=True, inline="always")
def look_chance(active: bool, intensity: float, terms: Terms) -> float:  # pragma: no cover
    """A round's chance to look: at the household's own rate while it searches."""
    rate = intensity if active else terms.passive_rate
    return -math.expm1(-rate * terms.cycle_weeks)


@numba.njit(cache=True, inline="always")
def due(s: int, seekers: Any) -> None:  # pragma: no cover - compiled
    """The first of the household's weekly events, its exit and search start."""
    day = min(seekers.leave_day[s], seekers.switch_day[s])
    day = min(day, seekers.exit_day[s])
    start = seekers.search_from_day[s]
    if not np.isnan(start):
        day = min(day, start)
    seekers.due_day[s] = day


@numba.njit(cache=True, inline="always")
def draw_look(s: int, first: float, seekers: Any, terms: Terms) -> None:  # pragma: no cover
    """The household's next look: the first round from `first` whose draw says so."""
    chance = look_chance(seekers.active[s], seekers.intensity[s], terms)
    seekers.look_day[s] = first_success(
        terms.look_stream, seekers.key[s], first, terms.cycle_days, chance, terms.horizon
    )


@numba.njit(cache=True, inline="always")
def draw_switch(s: int, first: float, seekers: Any, terms: Terms) -> None:  # pragma: no cover
    """The first departures pass from `first` in which the household starts (or stops)
    searching; never for urgent households, who keep searching."""
    if seekers.priority[s] == 0:
        seekers.switch_day[s] = np.inf
        return
    p = terms.p_deactivate if seekers.active[s] else terms.p_activate
    seekers.switch_day[s] = first_success(
        terms.activity_stream, seekers.key[s], first, WEEK, p, terms.horizon
    )


@numba.njit(cache=True, inline="always")
def join(
    s: int, now: float, counts: np.ndarray, seekers: Any, terms: Terms
) -> None:  # pragma: no cover
    """A household joins the list on `now`: its next leave, switch and look (status
    holders, housed directly, have none)."""
    if seekers.kind[s] == _STATUS_HOLDER:
        seekers.leave_day[s] = np.inf
        seekers.switch_day[s] = np.inf
        seekers.look_day[s] = np.inf
        seekers.due_day[s] = np.inf
        return
    first = first_departures(now, counts, terms)
    seekers.leave_day[s] = first_success(
        terms.leave_stream, seekers.key[s], first, WEEK, seekers.leave_chance[s], terms.horizon
    )
    draw_switch(s, first, seekers, terms)
    draw_look(s, first_round(now, counts, terms), seekers, terms)
    due(s, seekers)


@numba.njit(cache=True)
def join_rows(
    first: int, n: int, now: np.ndarray, counts: np.ndarray, seekers: Any, terms: Terms
) -> None:  # pragma: no cover - compiled
    """`join` for rows first .. first + n, each on its own day."""
    for i in range(n):
        join(first + i, now[i], counts, seekers, terms)


@numba.njit(cache=True, inline="always")
def activity_changed(
    s: int, now: float, counts: np.ndarray, seekers: Any, terms: Terms
) -> None:  # pragma: no cover - compiled
    """The household's searching (or its urgency) changed on `now` by another cause: its
    next switch and look are found again."""
    draw_switch(s, first_departures(now, counts, terms), seekers, terms)
    draw_look(s, first_round(now, counts, terms), seekers, terms)
    due(s, seekers)
