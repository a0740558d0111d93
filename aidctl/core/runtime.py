"""The process-wide speed settings aidctl makes, each measured, in one place.

1. Arrow's memory pool (`use_system_allocator`, on import of aidctl): Arrow's default pool
   (mimalloc) pays heavily for first use of fresh memory, and a validate run is nearly all first
   use: glibc's malloc makes `validate` of 500,000 rows ~15 % faster (benchmarks/bench_validate.py).
   pyarrow reads ARROW_DEFAULT_MEMORY_POOL once, before its first allocation, so it is set when
   aidctl is imported; a value the user set is kept.
2. The garbage collector (`imports_done`, once a command's modules are imported): the objects that
   exist then, nearly all of them the modules just imported, live as long as the process; moving
   them out of the collector's reach saves walking them again at every collection (~0.14 s for a
   500,000-row validate). Run once a process: a test session invokes many commands.
3. The collector paused while modules import: `starting`, around the command line's whole run,
   pauses it until a command begins (typer reads the options, importing pydantic for it), and
   `importing`, around a command's own imports, pauses it again and ends with `imports_done`.
   Importing pandas, Arrow and pydantic makes some 200 young collections that free nothing (the
   modules live as long as the process): ~0.05 s of a 30-row validate. Each leaves the collector
   as it found it.
Nothing else in aidctl changes global state for speed.
"""

from __future__ import annotations

import gc
import os
from contextlib import contextmanager


def use_system_allocator() -> None:
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")


_held = False  # paused by `starting` until `command_begins`


def imports_done() -> None:
    if not gc.get_freeze_count():
        gc.freeze()


@contextmanager
def importing():
    """Pause the collector while a command's modules import, then `imports_done` (see 3 above)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        imports_done()
        if was_enabled:
            gc.enable()


@contextmanager
def starting():
    """The command line's whole run: the collector paused until a command begins (see 3 above)."""
    global _held
    if gc.isenabled():
        gc.disable()
        _held = True
    try:
        yield
    finally:
        command_begins()


def command_begins() -> None:
    """The collector runs again if `starting` paused it: every command calls this first."""
    global _held
    if _held:
        _held = False
        gc.enable()
