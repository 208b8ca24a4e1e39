"""Progress of a long command on stderr, for `run` and `experiment` alike.

On a terminal a tqdm bar; otherwise (a log file, `make run > log`, a batch job) one plain
line at most every `every_seconds` and one at the end, so the log shows progress without
a line per replication. `quiet` silences both.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, TextIO


def duration(seconds: float) -> str:
    """A readable duration, as precise as it is useful: 50 s, 1 min 40 s, 25 min, 2.5 h."""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 600:
        return f"{seconds // 60} min {seconds % 60} s" if seconds % 60 else f"{seconds // 60} min"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def speed(per_second: float) -> str:
    """A rate per second, or per minute when below one every ten seconds."""
    if per_second >= 0.1:
        return f"{per_second:.0f} per s" if per_second >= 10 else f"{per_second:.1f} per s"
    return f"{per_second * 60:.1f} per min"


class Progress:
    """Counts finished units of work (replications) out of a total that may grow (a
    sequential stopping rule adds batches). Use `extend`, `step` and `close`."""

    def __init__(
        self,
        total: int = 0,
        *,
        unit: str = "replications",
        detail: str = "",
        quiet: bool = False,
        every_seconds: float = 10.0,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
        stamp: Callable[[], str] = lambda: time.strftime("%H:%M:%S"),
    ):
        self.total = total
        self.done = 0
        self.unit = unit
        self.detail = detail  # after the unit: "5/20 replications of 4 scenarios"
        # The rate is measured from the first unit done: the first one carries the
        # start-up (compiling, the pilot, starting workers) that the others do not.
        self.first_done = 0
        self.first_at = 0.0
        self.quiet = quiet
        self.every_seconds = every_seconds
        self.stream = stream if stream is not None else sys.stderr
        self.clock = clock
        self.stamp = stamp
        self.started = clock()
        self.last_line = self.started
        self.logged = -1  # `done` when the last line was written
        self.closed = False
        self.bar: Any = None
        if not quiet and _isatty(self.stream):
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="rep", dynamic_ncols=True, file=self.stream)

    def extend(self, n: int) -> None:
        """`n` more units to do."""
        self.total += n
        if self.bar is not None:
            self.bar.total = self.total
            self.bar.refresh()

    def step(self, n: int = 1) -> None:
        """`n` more units done."""
        if not self.done:
            self.first_done, self.first_at = n, self.clock()
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
        elif not self.quiet and self.clock() - self.last_line >= self.every_seconds:
            self._line()

    def close(self) -> None:
        """The end: the bar closes, or the last line is written (once)."""
        if self.closed:
            return
        self.closed = True
        if self.bar is not None:
            self.bar.close()
        elif not self.quiet and self.total and self.logged != self.done:
            self._line()

    def line(self) -> str:
        """The log line for now, e.g. `[12:03:04] 40/80 replications (50%), 0.8 per s,
        about 50 s left`; "estimating time left" until a unit after the first is done
        (the first carries the start-up, so it would mislead)."""
        now = self.clock()
        elapsed = now - self.started
        share = f" ({self.done / self.total:.0%})" if self.total else ""
        detail = f" {self.detail}" if self.detail else ""
        text = f"[{self.stamp()}] {self.done}/{self.total} {self.unit}{detail}{share}"
        if not self.done or elapsed <= 0:
            return text
        left = self.total - self.done
        if left <= 0:
            return text + f", {speed(self.done / elapsed)}, {duration(elapsed)} in all"
        since = now - self.first_at
        if self.done == self.first_done or since <= 0:
            return text + ", estimating time left"
        rate = (self.done - self.first_done) / since
        return text + f", {speed(rate)}, about {duration(left / rate)} left"

    def _line(self) -> None:
        self.stream.write(self.line() + "\n")
        self.stream.flush()
        self.last_line = self.clock()
        self.logged = self.done

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or bare stream: not a terminal
        return False
