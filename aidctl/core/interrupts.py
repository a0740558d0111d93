"""Ctrl-C held off while a step that must finish whole runs (a ledger batch and its files).

A KeyboardInterrupt raised inside Python's threading code (a future's result, a thread's join, a
pool's queue) can leave a lock released that it never took, and surface as RuntimeError: cannot
release un-acquired lock. Within `interrupts_deferred`, SIGINT only marks that it came (and says so
once on stderr); the step runs to its end, and the interrupt is raised then.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading


@contextlib.contextmanager
def interrupts_deferred(note: str):
    """Hold SIGINT off for the block, then raise KeyboardInterrupt if one came. `note` is written to
    stderr when the first one comes. Outside the main thread (where signals are not handled) the
    block simply runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    came: list[int] = []

    def hold(signum, _frame):
        if not came:
            with contextlib.suppress(OSError, ValueError):
                sys.stderr.write(note + "\n")
                sys.stderr.flush()
        came.append(signum)

    previous = signal.signal(signal.SIGINT, hold)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if came:
        raise KeyboardInterrupt


def caused_by_interrupt(exc: BaseException) -> bool:
    """Whether `exc` was raised while a KeyboardInterrupt was being handled (Python's threading code
    turns some interrupts into RuntimeError)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, KeyboardInterrupt):
            return True
        exc = exc.__context__
    return False
