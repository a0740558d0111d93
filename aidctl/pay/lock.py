"""One paying run per workspace at a time."""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from pathlib import Path

from aidctl.core.errors import AidctlError
from aidctl.core.money import yuan  # noqa: F401  (the ledger hands out yuan)
from aidctl.ledger import now


@contextlib.contextmanager
def workspace_lock(root: Path, wait_seconds: float = 0):
    """Only one paying run per workspace at a time: the others wait or stop with a clear message."""
    path = root / ".aidctl.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "未知"
                    raise AidctlError(f"另一个 aidctl 发放任务正在运行（{holder}）；请等它结束后再试，"
                                      f"或加 --wait 秒数 等待", file=str(root)) from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"进程 {os.getpid()}，开始于 {now()}".encode(), 0)
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
