"""Write files so that nothing is ever half-written: a temporary name beside the target, then rename."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from pathlib import Path

from aidctl.core.errors import AidctlError

_NOT_IN_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]')  # what Windows and the zip format refuse in a file name


@contextlib.contextmanager
def atomic_path(target: Path):
    """Yield a temporary path in the target's folder; rename it onto `target` if the block succeeds."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise AidctlError(f"无法在此写入（{exc.strerror}）；请检查目录权限", file=str(target.parent)) from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        try:
            os.replace(tmp_path, target)
        except OSError as exc:  # the target is a folder, or read-only, or open in Excel
            raise AidctlError(f"无法写入（{exc.strerror}）；请换一个文件名，或先关闭在 Excel 中打开的该文件",
                              file=str(target)) from None
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_stem(name: str, fallback: str) -> str:
    """A school's (or county's) name made safe as the start of a file name, or `fallback`."""
    return _NOT_IN_NAMES.sub("_", name).strip(" .")[:80] or fallback
