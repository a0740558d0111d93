"""Progress on long work (many files, a big file, disburse, rules diff): a bar on stderr with the
stage, the files and the rows done and the time spent.

The command line turns it on (`enable`) only when stderr is a terminal and the user did not give
--quiet; a bar appears only once the work has run SHOW_AFTER seconds, so short work never flickers.
Nothing is written to stdout, so JSON there is the same with or without it. The stages report through
`track` whether or not a bar is shown: when it is off, every call is a no-op costing one attribute look-up.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

SHOW_AFTER = 2.0  # seconds of work before a bar is shown (the work's cost, not a policy figure)

_enabled = False
_current: Tracker | None = None


def enable(on: bool) -> None:
    """Show progress for the rest of this process (the CLI: stderr is a terminal, no --quiet)."""
    global _enabled
    _enabled = on


def enabled() -> bool:
    return _enabled


class Tracker:
    """One piece of long work: `stage` names what it is doing, `advance` counts files and rows done."""

    def __init__(self, stage: str, files: int | None, rows: int | None):
        self.files_done = 0
        self.rows_done = 0
        self._bar = None
        self._task = None
        self._timer = None
        if _enabled:
            self._open(stage, files, rows)

    def _open(self, stage: str, files: int | None, rows: int | None) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self._bar = Progress(
            TextColumn("{task.description}"), BarColumn(),
            TextColumn("{task.fields[counts]}"), TimeElapsedColumn(),
            console=Console(stderr=True, markup=False, emoji=False, highlight=False), transient=True)
        self._task = self._bar.add_task(_shown(stage), total=files, counts=self._counts(files, rows))
        self._files, self._rows = files, rows
        self._timer = threading.Timer(SHOW_AFTER, self._bar.start)
        self._timer.daemon = True
        self._timer.start()

    def _counts(self, files: int | None, rows: int | None) -> str:
        parts = []
        if files:
            parts.append(f"文件 {self.files_done:,}/{files:,}")
        if rows:
            parts.append(f"{self.rows_done:,}/{rows:,} 行")
        elif self.rows_done:
            parts.append(f"{self.rows_done:,} 行")
        return "  ".join(parts)

    def stage(self, text: str, *, files: int | None = None, rows: int | None = None) -> None:
        """Now doing `text`; `files`/`rows`, when given, are the new totals (and the counts restart)."""
        if self._bar is None:
            return
        if files is not None or rows is not None:
            self.files_done = self.rows_done = 0
            self._files, self._rows = files, rows
            self._bar.reset(self._task, total=files)
        self._bar.update(self._task, description=_shown(text), counts=self._counts(self._files, self._rows))

    def advance(self, files: int = 0, rows: int = 0) -> None:
        self.files_done += files
        self.rows_done += rows
        if self._bar is not None:
            self._bar.update(self._task, completed=self.files_done,
                             counts=self._counts(self._files, self._rows))

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer.join()
        if self._bar is not None:
            self._bar.stop()


@contextmanager
def track(stage: str, *, files: int | None = None, rows: int | None = None):
    """A Tracker for the work inside the block. Nested work (validate inside disburse) reports on the
    bar already shown: a new stage and totals, not a second bar."""
    global _current
    if _current is not None:
        _current.stage(stage, files=files, rows=rows)
        yield _current
        return
    _current = Tracker(stage, files, rows)
    try:
        yield _current
    finally:
        tracker, _current = _current, None
        tracker.close()


def current() -> Tracker | None:
    """The work being tracked, if any."""
    return _current


def stage(text: str) -> None:
    """Name the stage of the work being tracked, if any: for stages deep in a command, which report
    on the bar without it being passed down."""
    if _current is not None:
        _current.stage(text)


def _shown(text: str) -> str:
    from aidctl.core.terminal import printable

    return printable(text)
