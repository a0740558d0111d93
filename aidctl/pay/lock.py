"""One paying run per workspace at a time (a file lock on the workspace's .aidctl.lock)."""

from __future__ import annotations

import os
from pathlib import Path

from aidctl.core.files import file_lock
from aidctl.ledger import now


def workspace_lock(root: Path, wait_seconds: float = 0):
    """Only one paying run per workspace at a time: the others wait or stop with a clear message."""
    return file_lock(root / ".aidctl.lock", wait_seconds, f"进程 {os.getpid()}，开始于 {now()}",
                     "另一个 aidctl 发放任务正在运行")
