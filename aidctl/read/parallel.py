"""Read many files at once: one worker process a core, results handed back in file order.

A city term is hundreds of school files, each read independently until the checks over all of them.
Most of a small file's cost is Python (locating the header, cutting the table), which holds the GIL,
so threads do not use the second core: worker processes do. Workers are forked from the process
that has the rules loaded already (where the platform forks; elsewhere they are started and given
the rules once), read a file each at a time, and hand back its tables; the caller takes them in the
order of the files, so the output is the same whatever the number of workers, and the first
unreadable file in that order is the one reported, with its file, sheet, row and column, exactly as
one process would report it.

The number of workers is the number of cores this process may run on, at most one a file; the
environment variable AIDCTL_WORKERS sets it (1: read in this process, one file after another).
Workers ignore Ctrl-C: the interrupt reaches the reading process, which cancels the files not
started, waits for the runs being read (a few files each: `batches`) and raises it; reading
writes nothing.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor

from aidctl.core.errors import UsageError

WORKERS_ENV = "AIDCTL_WORKERS"
BATCHES_PER_WORKER = 16   # runs of files a worker is handed over a term, about (load spread evenly)
MAX_BATCH = 16            # files a run, at most

_job: tuple | None = None   # (function, items) in a worker: set once when it starts


def cores() -> int:
    """The cores this process may run on (its CPU affinity, where the platform tells)."""
    if hasattr(os, "process_cpu_count"):
        return os.process_cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def workers(files: int) -> int:
    """How many worker processes read `files` files: AIDCTL_WORKERS when set, else one a core;
    never more than the files."""
    given = os.environ.get(WORKERS_ENV, "").strip()
    if given:
        if not given.isdigit() or int(given) < 1:
            raise UsageError(f"环境变量 {WORKERS_ENV}={given!r} 不是正整数；请设为 1、2 等，或不设（按处理器核数）")
        wanted = int(given)
    else:
        wanted = cores()
    return max(1, min(wanted, files))


def _start(job: tuple) -> None:
    global _job
    _job = job
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the reading process handles Ctrl-C


def _run(start: int, stop: int) -> tuple[list, BaseException | None]:
    """Items start … stop - 1 in a worker: their results, and the exception that stopped the run
    at the item after the last result (None when all ran)."""
    fn, items = _job
    out = []
    for index in range(start, stop):
        try:
            out.append(fn(*items[index]))
        except Exception as exc:  # raised in the reading process when its turn comes
            return out, exc
    return out, None


def batches(weights: list[int], count: int) -> list[tuple[int, int]]:
    """Runs of consecutive items, each handed to a worker at once: about BATCHES_PER_WORKER runs a
    worker by weight (a file's size), at most MAX_BATCH items a run, so that a term of a thousand
    small files costs a few dozen hand-overs, not a thousand, and a few big files still spread."""
    share = max(sum(weights) / (count * BATCHES_PER_WORKER), 1)
    out, start, held = [], 0, 0
    for index, weight in enumerate(weights):
        if index > start and (held + weight > share or index - start >= MAX_BATCH):
            out.append((start, index))
            start, held = index, 0
        held += weight
    if start < len(weights):
        out.append((start, len(weights)))
    return out


def in_order(fn: Callable, items: list[tuple], count: int, weights: list[int] | None = None,
             started: Callable[[], object] | None = None) -> Iterator:
    """`fn(*item)` for each item, yielded in the order of `items`, computed by `count` worker
    processes (in this process, one after another, when `count` is 1), handed out in runs of
    consecutive items (`batches`, by `weights`: one each unless given). An exception of an item is
    raised when its turn comes; the items not started are then cancelled and no worker is left
    running. `started` is called once the workers run: after they are forked, so that a thread it
    starts is not copied into them in the middle of its work (a lock it holds would stay held there)."""
    if count <= 1 or len(items) <= 1:
        if started is not None:
            started()
        for item in items:
            yield fn(*item)
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    pool = ProcessPoolExecutor(max_workers=count, mp_context=context, initializer=_start,
                               initargs=((fn, items),))
    try:
        runs = batches(weights or [1] * len(items), count)
        futures = [pool.submit(_run, start, stop) for start, stop in runs]  # forked at the first
        if started is not None:
            started()
        for future in futures:
            results, error = future.result()
            yield from results
            if error is not None:
                raise error
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
