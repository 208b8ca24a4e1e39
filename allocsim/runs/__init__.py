"""Replications run: the job a worker runs (`jobs`), where jobs run (`executors`:
serial, a process pool, Dask) and the one driver every command that runs replications
goes through (`driver`: workers, progress, a folder's life, interrupts). The commands'
own loops build on it: `runner` (run), `experiment/`, `explore/`, `calibrate`, `steady`.
"""
