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
started, waits for the ones being read (a file each) and raises it; reading writes nothing.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor

from aidctl.core.errors import UsageError

WORKERS_ENV = "AIDCTL_WORKERS"

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


def _run(index: int):
    fn, items = _job
    return fn(*items[index])


def in_order(fn: Callable, items: list[tuple], count: int) -> Iterator:
    """`fn(*item)` for each item, yielded in the order of `items`, computed by `count` worker
    processes (in this process, one after another, when `count` is 1). An exception of an item is
    raised when its turn comes; the items not started are then cancelled and no worker is left
    running."""
    if count <= 1 or len(items) <= 1:
        for item in items:
            yield fn(*item)
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    pool = ProcessPoolExecutor(max_workers=count, mp_context=context, initializer=_start,
                               initargs=((fn, items),))
    try:
        futures = [pool.submit(_run, i) for i in range(len(items))]
        for future in futures:
            yield future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
