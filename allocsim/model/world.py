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

from allocsim.model import departures, homes


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
def w_departures(
    w: Any,
    n: int,
    now: float,
    week: np.uint64,
    leave_stream: np.uint64,
    activity_stream: np.uint64,
    p_activate: float,
    p_deactivate: float,
) -> None:  # pragma: no cover - compiled
    """model/departures.weekly_departures on the world."""
    departures.weekly_departures(
        departures.waiting_rows(w.books, w.seekers.state, n),
        now,
        week,
        w.seekers,
        w.homes.status,
        w.homes.tenant,
        leave_stream,
        activity_stream,
        p_activate,
        p_deactivate,
    )


@numba.njit(cache=True)
def w_free_homes(w: Any) -> np.ndarray:  # pragma: no cover - compiled
    """model/homes.free_homes on the world."""
    return homes.free_homes(w.homes.status, w.homes.tenant, w.homes.next_cause)


@numba.njit(cache=True)
def w_place_movers(
    w: Any, movers: np.ndarray, chosen: np.ndarray, keep_dates: bool, adult_days: float
) -> None:  # pragma: no cover - compiled
    """model/homes.place_movers on the world."""
    homes.place_movers(
        movers,
        chosen,
        keep_dates,
        adult_days,
        w.seekers,
        w.homes,
        w.fixed.village,
        w.fixed.village_municipality,
    )
