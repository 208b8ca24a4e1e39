"""The week's departures from the list and changes in who searches, as one compiled pass.

Every waiting household (status holders, housed directly within months, aside) has two
keyed numbers a week: whether it leaves the list, and whether it starts or stops
searching; model/events.py keeps the day of the next that says so, and the pass touches
only the households with something due. A tenant of the stock leaves with its home
(model/homes.vacate); everyone else (a demolished home's tenant too) leaves in the week
its demography says, or at its kind's weekly chance for other reasons (`leave_chance`). A
household that
stays and is not urgent starts searching at the activation chance, or when the age
at which an early registrant would have registered comes (clause 1.7), and stops at
the deactivation chance. `weekly_departures` gives exactly what a draw for every household
every week gives (tests/model/test_kernels.py).
"""

from __future__ import annotations

import numba
import numpy as np

from allocsim.domain import WITHDRAWN, Kind, SeekerState
from allocsim.model import events
from allocsim.model import state as st
from allocsim.model.state import Books, Seekers

_WAITING, _LEFT = int(SeekerState.WAITING), int(SeekerState.LEFT)
_STATUS_HOLDER = int(Kind.STATUS_HOLDER)


@numba.njit(cache=True)
def waiting_rows(books: Books, state: np.ndarray, n: int) -> np.ndarray:  # pragma: no cover
    """The rows of the first `n` households that are waiting, ascending: last time's
    list without those that left or were housed since, then the rows added since."""
    counts = books.counts
    k = 0
    for i in range(counts[st.COUNT_WAITING]):
        s = books.waiting[i]
        if state[s] == _WAITING:
            books.waiting[k] = s
            k += 1
    for s in range(counts[st.COUNT_SCANNED], n):
        if state[s] == _WAITING:
            books.waiting[k] = s
            k += 1
    counts[st.COUNT_WAITING] = k
    counts[st.COUNT_SCANNED] = n
    return books.waiting[:k]


@numba.njit(cache=True)
def weekly_departures(
    rows: np.ndarray,
    now: float,
    seekers: Seekers,
    status: np.ndarray,
    tenant: np.ndarray,
    counts: np.ndarray,
    terms: events.Terms,
) -> None:  # pragma: no cover - compiled
    """The week's departures and activity changes of the households in `rows` (any
    rows, ascending) that have one due (model/events.py); a leaving tenant's home keeps
    its registration date (`tenant` -1)."""
    counts[st.COUNT_LAST_DEPARTURES] = int(now)
    for s in rows:
        if seekers.due_day[s] > now:
            continue
        if seekers.state[s] != _WAITING or seekers.kind[s] == _STATUS_HOLDER:
            continue
        due = seekers.search_from_day[s] <= now
        if due:
            seekers.search_from_day[s] = np.nan
        h = seekers.home[s]
        housed_here = h >= 0 and status[h] != WITHDRAWN
        gone = seekers.exit_day[s] <= now and not housed_here
        if gone:
            seekers.left_reason[s] = seekers.exit_reason[s]
        if gone or seekers.leave_day[s] <= now:
            seekers.state[s] = _LEFT
            seekers.end_day[s] = now
            if h >= 0:
                tenant[h] = -1
            continue
        if seekers.priority[s] != 0:  # urgent households keep searching
            switch = seekers.switch_day[s] <= now
            if not seekers.active[s] and (switch or due):
                seekers.active[s] = True
            elif seekers.active[s] and switch:
                seekers.active[s] = False
            else:
                switch = False
            if switch or due:  # the next switch from next week, the next look from now
                events.draw_switch(s, now + events.WEEK, seekers, terms)
                events.draw_look(s, events.first_round(now, counts, terms), seekers, terms)
        events.due(s, seekers)
