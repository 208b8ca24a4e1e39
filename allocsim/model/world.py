"""One handle on the whole state for compiled code: `World`, a numba StructRef.

A kernel that takes the state as a dozen NamedTuples of arrays pays numba's argument
dispatch for every array at every call (some 60 microseconds, as much as a small
kernel's work). `World` holds those NamedTuples (model/state.py) by reference, so a
kernel takes one handle and dispatches in about a microsecond; the arrays stay the
engine's, which reads and writes them in Python as before. When the engine grows a
table (a new, larger NamedTuple) or changes its settings, it builds a new World.

The `w_*` kernels are the model's passes (model/homes.py, departures.py, ...) called
on a World.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numba
import numpy as np
from numba.core import types
from numba.experimental import structref
from numba.extending import overload

from allocsim.domain import Kind
from allocsim.model import departures, events, homes
from allocsim.model import state as st

_MOVER_STOCK = int(Kind.MOVER_STOCK)


class MemoryArrays(NamedTuple):
    """behaviour.Memory's arrays."""

    n_resp: np.ndarray
    n_class0: np.ndarray
    n_class01: np.ndarray
    win_class: np.ndarray
    win_meettijd: np.ndarray
    win_n: np.ndarray
    win_next: np.ndarray
    candidates: np.ndarray


FIELDS = (
    "seekers",
    "homes",
    "fixed",
    "books",
    "queue",
    "rows",
    "cal",
    "lim",
    "cfg",
    "memory",
    "work",
    "responses",
    "offers",
    "adverts",
)


@structref.register
class WorldType(types.StructRef):
    def preprocess_fields(self, fields: Any) -> Any:
        return tuple((name, types.unliteral(typ)) for name, typ in fields)


class World(structref.StructRefProxy):
    """The state (model/state.py NamedTuples) behind one handle: build it with
    `make_world` (compiled once and cached on disk, unlike structref's own
    constructor, which compiles in every process)."""


structref.define_boxing(WorldType, World)


def _new_world(*values: Any) -> Any:  # pragma: no cover - replaced when compiled
    raise NotImplementedError


@overload(_new_world)
def _new_world_impl(  # type: ignore[no-untyped-def]
    seekers, homes_, fixed, books, queue, rows, cal, lim, cfg, memory, work, resp, offers, ads
):
    """A World of these field types (the concrete StructRef type is made here, at
    compile time, from the arguments' types)."""
    args = (
        seekers,
        homes_,
        fixed,
        books,
        queue,
        rows,
        cal,
        lim,
        cfg,
        memory,
        work,
        resp,
        offers,
        ads,
    )
    world_type = WorldType(list(zip(FIELDS, args, strict=True)))

    def impl(  # type: ignore[no-untyped-def]  # pragma: no cover - compiled
        seekers, homes_, fixed, books, queue, rows, cal, lim, cfg, memory, work, resp, offers, ads
    ):
        w = structref.new(world_type)
        w.seekers = seekers
        w.homes = homes_
        w.fixed = fixed
        w.books = books
        w.queue = queue
        w.rows = rows
        w.cal = cal
        w.lim = lim
        w.cfg = cfg
        w.memory = memory
        w.work = work
        w.responses = resp
        w.offers = offers
        w.adverts = ads
        return w

    return impl


@numba.njit(cache=True)
def make_world(
    seekers: Any,
    homes_: Any,
    fixed: Any,
    books: Any,
    queue: Any,
    rows: Any,
    cal: Any,
    lim: Any,
    cfg: Any,
    memory: Any,
    work: Any,
    resp: Any,
    offers: Any,
    ads: Any,
) -> World:  # pragma: no cover - compiled
    """The World holding these (model/state.py NamedTuples, MemoryArrays, `work`)."""
    return _new_world(
        seekers, homes_, fixed, books, queue, rows, cal, lim, cfg, memory, work, resp, offers, ads
    )


@numba.njit(cache=True)
def w_run_events(
    w: Any,
    until: float,
    until_eid: int,
    rng: np.random.Generator,
    room_seekers: int,
    room_lettings: int,
    room_queue: int,
) -> tuple[int, float]:  # pragma: no cover - compiled
    """model/homes.run_events on the world."""
    return homes.run_events(
        until,
        until_eid,
        w,
        rng,
        room_seekers,
        room_lettings,
        room_queue,
    )


@numba.njit(cache=True)
def w_departures(w: Any, n: int, now: float) -> None:  # pragma: no cover - compiled
    """model/departures.weekly_departures on the world."""
    departures.weekly_departures(
        departures.waiting_rows(w.books, w.seekers.state, n),
        now,
        w.seekers,
        w.homes.status,
        w.homes.tenant,
        w.books.counts,
        w.cfg.events,
    )


@numba.njit(cache=True)
def w_give_homes(
    w: Any, movers: np.ndarray, stream: np.uint64, keep_dates: bool, adult_days: float
) -> None:  # pragma: no cover - compiled
    """Movers from the stock become the tenants of free homes (model/homes.free_homes),
    each drawn by its keyed uniform (homes.pick_free), and register with those
    tenancies' dates (homes.place_movers); the movers left over come from elsewhere."""
    free = homes.free_homes(w.homes.status, w.homes.tenant, w.homes.next_cause)
    keys = np.empty(movers.size, np.uint64)
    for j in range(movers.size):
        keys[j] = w.seekers.key[movers[j]]
    homes.place_movers(
        movers,
        homes.pick_free(free, keys, stream),
        keep_dates,
        adult_days,
        w.seekers,
        w.homes,
        w.fixed.village,
        w.fixed.village_municipality,
    )


@numba.njit(cache=True)
def w_register(
    w: Any,
    now: float,
    arrivals: st.Seekers,
    lo: int,
    hi: int,
    stream: np.uint64,
    adult_days: float,
) -> None:  # pragma: no cover - compiled
    """The week's new households (rows lo..hi of the run's arrivals, drawn at its start)
    join the list at its end; movers from the stock among them rent a free home
    (`w_give_homes`). The engine has made room for them."""
    counts = w.books.counts
    n = counts[st.COUNT_SEEKERS]
    if n + hi - lo > w.seekers.key.size:
        raise IndexError("household table full: the engine makes room before registering")
    st.copy_rows(arrivals, lo, hi, w.seekers, n)
    counts[st.COUNT_SEEKERS] = n + hi - lo
    for i in range(hi - lo):  # their first weekly chances (model/events.py)
        events.join(n + i, now, counts, w.seekers, w.cfg.events)
    movers = np.empty(hi - lo, np.int64)
    k = 0
    for i in range(hi - lo):
        if arrivals.kind[lo + i] == _MOVER_STOCK:
            movers[k] = n + i
            k += 1
    if k:
        w_give_homes(w, movers[:k], stream, False, adult_days)
