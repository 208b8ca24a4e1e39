"""A waiting household's weekly chances as event times, drawn once per change.

Each week a waiting household may leave the list for other reasons (its kind's weekly
chance), start or stop searching (the activation and deactivation chances), and each
advert round it may look at the adverts (1 - exp(-rate x cycle), the rate its own while
it searches, the passive rate otherwise). Rather than a keyed Bernoulli draw for each in
every week, the household draws the tick of each next event from a keyed geometric
draw with the same chance (`geometric`): the same distribution (tests/test_events.py),
drawn again only when the event has happened or its chance has changed (a switch changes
the chance to look). `due_day` is the first of the household's events (with its
demographic exit and an early registrant's search start), so the weekly passes read one
number for a household that has nothing due.

Ticks: the weekly departures run on `t0 + 7k` (k >= 1), the advert rounds on
`t0 + cycle k` (k >= 0); a household's first chance of each is the first tick on or after
the day it joins. Draws are keyed by the household, the week of the tick they are drawn
on and what they are for (`_LOOKED`, `_SWITCHED`, `_JOINED`), so a household that two
scenarios both hold draws alike until their histories part.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numba
import numpy as np

from allocsim import keyed
from allocsim.domain import Kind

WEEK = 7.0
_STATUS_HOLDER = int(Kind.STATUS_HOLDER)
# What a draw is for (its last key): drawn on joining, after a look, after a switch.
_JOINED, _LOOKED, _SWITCHED = 0, 1, 2


class Terms(NamedTuple):
    """What the event times depend on (the engine's settings)."""

    t0: float  # the first tick (the burn-in's start)
    cycle_days: float  # days between advert rounds
    passive_rate: float  # looks per week of a household that is not searching
    cycle_weeks: float
    p_activate: float  # a week's chance to start searching
    p_deactivate: float  # and to stop
    leave_stream: np.uint64
    activity_stream: np.uint64
    look_stream: np.uint64


@numba.njit(cache=True, inline="always")
def _uniform(stream: np.uint64, key: np.uint64, week: int, what: int) -> float:  # pragma: no cover
    """keyed.uniform(stream, key, week, what)."""
    h = keyed.mix(stream + keyed._GOLDEN + key * keyed._GOLDEN)
    h = keyed.mix(h + keyed._GOLDEN + np.uint64(week) * keyed._GOLDEN)
    h = keyed.mix(h + keyed._GOLDEN + np.uint64(what) * keyed._GOLDEN)
    return np.float64(h >> keyed._S11) * keyed._UNIT


@numba.njit(cache=True, inline="always")
def geometric(u: float, p: float) -> float:  # pragma: no cover - compiled
    """Failures before the first success of independent trials with chance `p`, from one
    uniform `u` in [0, 1): floor(log(1 - u) / log(1 - p)); inf where p is 0."""
    if p >= 1.0:
        return 0.0
    if p <= 0.0:
        return np.inf
    return math.floor(math.log1p(-u) / math.log1p(-p))


@numba.njit(cache=True, inline="always")
def next_tick(day: float, t0: float, step: float) -> float:  # pragma: no cover - compiled
    """The first tick `t0 + step k` on or after `day`."""
    return t0 + step * math.ceil((day - t0) / step - 1e-9)


@numba.njit(cache=True, inline="always")
def week_of(day: float) -> int:  # pragma: no cover - compiled
    """The week index of a tick (the weekly draws' key)."""
    return math.floor(day / WEEK)


@numba.njit(cache=True, inline="always")
def look_chance(active: bool, intensity: float, terms: Terms) -> float:  # pragma: no cover
    """A round's chance to look: at the household's own rate while it searches."""
    rate = intensity if active else terms.passive_rate
    return -math.expm1(-rate * terms.cycle_weeks)


@numba.njit(cache=True, inline="always")
def _due(s: int, seekers: Any) -> None:  # pragma: no cover - compiled
    """The first of the household's weekly events, its exit and search start."""
    due = min(seekers.leave_day[s], seekers.switch_day[s])
    due = min(due, seekers.exit_day[s])
    start = seekers.search_from_day[s]
    if not np.isnan(start):
        due = min(due, start)
    seekers.due_day[s] = due


@numba.njit(cache=True, inline="always")
def draw_look(
    s: int, day: float, what: int, seekers: Any, terms: Terms
) -> None:  # pragma: no cover
    """The household's next look: the first round on or after `day` at which its
    geometric draw (at its present chance) says so."""
    first = next_tick(day, terms.t0, terms.cycle_days)
    u = _uniform(terms.look_stream, seekers.key[s], week_of(first), what)
    chance = look_chance(seekers.active[s], seekers.intensity[s], terms)
    seekers.look_day[s] = first + terms.cycle_days * geometric(u, chance)


@numba.njit(cache=True, inline="always")
def draw_switch(
    s: int, day: float, what: int, seekers: Any, terms: Terms
) -> None:  # pragma: no cover
    """The week on or after `day` in which the household starts (or stops) searching;
    never for urgent households, who keep searching."""
    if seekers.priority[s] == 0:
        seekers.switch_day[s] = np.inf
        return
    first = next_tick(day, terms.t0, WEEK)
    u = _uniform(terms.activity_stream, seekers.key[s], week_of(first), what)
    p = terms.p_deactivate if seekers.active[s] else terms.p_activate
    seekers.switch_day[s] = first + WEEK * geometric(u, p)


@numba.njit(cache=True, inline="always")
def join(s: int, now: float, seekers: Any, terms: Terms) -> None:  # pragma: no cover - compiled
    """A household joins the list on `now`: its first chances to leave, switch and look
    come on the first ticks on or after it (status holders, housed directly, have none)."""
    if seekers.kind[s] == _STATUS_HOLDER:
        seekers.leave_day[s] = np.inf
        seekers.switch_day[s] = np.inf
        seekers.look_day[s] = np.inf
        seekers.due_day[s] = np.inf
        return
    first = next_tick(now, terms.t0, WEEK)
    u = _uniform(terms.leave_stream, seekers.key[s], week_of(first), _JOINED)
    seekers.leave_day[s] = first + WEEK * geometric(u, seekers.leave_chance[s])
    draw_switch(s, now, _JOINED, seekers, terms)
    draw_look(s, now, _JOINED, seekers, terms)
    _due(s, seekers)


@numba.njit(cache=True)
def join_rows(
    first: int, n: int, now: np.ndarray, seekers: Any, terms: Terms
) -> None:  # pragma: no cover
    """`join` for rows first .. first + n, each on its own day."""
    for i in range(n):
        join(first + i, now[i], seekers, terms)


@numba.njit(cache=True, inline="always")
def activity_changed(s: int, now: float, seekers: Any, terms: Terms) -> None:  # pragma: no cover
    """The household's searching (or its urgency) changed on `now` by another cause: its
    next switch and look are drawn again."""
    draw_switch(s, now + WEEK, _SWITCHED, seekers, terms)
    draw_look(s, now, _SWITCHED, seekers, terms)
    _due(s, seekers)
