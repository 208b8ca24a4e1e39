"""Executors: where jobs run (serial, a process pool, a Dask cluster), kept for a whole
experiment or calibration and yielding results as they finish."""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, Literal, TypeVar

from allocsim.errors import EnvironmentProblem
from allocsim.runs.jobs import Job, JobResult, run_job

Executor = Literal["serial", "processes", "dask"]
T = TypeVar("T")
R = TypeVar("R")


def watch_parent(parent: int) -> None:
    """In a local worker: end when the driver is gone (killed by any signal), instead of
    computing on as an orphan."""

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="allocsim-watch-parent").start()


class Session:
    """Workers kept for a whole experiment or calibration: a process pool or a Dask
    client is started once, not per round of jobs. Use as a context manager."""

    def __init__(self, executor: Executor, workers: int, address: str | None = None):
        self.executor = executor
        self.workers = workers
        self.address = address
        self.pool: Any = None
        self.client: Any = None
        self.cluster: Any = None

    def __enter__(self) -> Session:
        if self.executor == "processes":
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # A context of our own: the global start method is left alone.
            ctx = multiprocessing.get_context("spawn")
            self.pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=ctx,
                initializer=watch_parent,
                initargs=(os.getpid(),),
            )
        elif self.executor == "dask":
            try:  # an optional extra: imported only when asked for
                from distributed import Client, LocalCluster
            except ImportError:
                raise EnvironmentProblem(
                    "--executor dask",
                    "Dask is not installed",
                    "pip install 'allocsim[dask]'",
                ) from None
            if self.address:
                try:
                    self.client = Client(self.address, timeout="10s")
                except (OSError, TimeoutError) as exc:
                    raise EnvironmentProblem(
                        f"--address {self.address}",
                        f"no Dask scheduler answered within 10 s ({type(exc).__name__})",
                        "check the address and that the scheduler runs",
                    ) from None
            else:
                self.cluster = LocalCluster(
                    n_workers=self.workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    host="127.0.0.1",
                )
                self.client = Client(self.cluster)
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if self.pool is not None:
            if exc_type is None:
                self.pool.shutdown(cancel_futures=True)
            else:  # interrupted or failed: stop the workers now, not after their jobs
                workers = list(getattr(self.pool, "_processes", {}).values())
                self.pool.shutdown(wait=False, cancel_futures=True)
                for process in workers:
                    process.terminate()
                for process in workers:
                    process.join(timeout=5)
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def run(self, jobs: list[Job]) -> Iterator[list[JobResult]]:
        """Results as they finish; at most a few jobs per worker are in flight."""
        return EXECUTORS[self.executor](jobs, self)

    def map(self, fn: Callable[[T], R], items: list[T]) -> Iterator[R]:
        """`fn(item)` for every item on these workers, results as they finish (`fn` must
        be importable where it runs: a module-level function of allocsim)."""
        return MAPPERS[self.executor](items, self, fn)


def _serial(jobs: list[Any], session: Session, fn: Callable[[Any], Any] = run_job) -> Iterator[Any]:
    for job in jobs:
        yield fn(job)


def _processes(
    jobs: list[Any], session: Session, fn: Callable[[Any], Any] = run_job
) -> Iterator[Any]:
    from concurrent.futures import FIRST_COMPLETED, wait

    pool = session.pool
    pending = iter(jobs)
    running = {pool.submit(fn, j) for j in itertools.islice(pending, session.workers * 4)}
    while running:
        done, running = wait(running, return_when=FIRST_COMPLETED)
        for future in done:
            yield future.result()
            nxt = next(pending, None)
            if nxt is not None:
                running.add(pool.submit(fn, nxt))


def _dask(jobs: list[Any], session: Session, fn: Callable[[Any], Any] = run_job) -> Iterator[Any]:
    from distributed import as_completed

    client = session.client
    pending = iter(jobs)
    futures = [
        client.submit(fn, j, pure=False) for j in itertools.islice(pending, session.workers * 4)
    ]
    queue = as_completed(futures)
    for future in queue:
        result = future.result()
        future.release()
        yield result
        nxt = next(pending, None)
        if nxt is not None:
            queue.add(client.submit(fn, nxt, pure=False))


EXECUTORS: dict[str, Callable[[list[Job], Session], Iterator[list[JobResult]]]] = {
    "serial": _serial,
    "processes": _processes,
    "dask": _dask,
}
MAPPERS: dict[str, Callable[[list[Any], Session, Callable[[Any], Any]], Iterator[Any]]] = {
    "serial": _serial,
    "processes": _processes,
    "dask": _dask,
}
