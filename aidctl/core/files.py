"""Write files so that nothing is ever half-written: a temporary name beside the target, then rename.

The temporary file gets the mode any file the user creates gets (0666 less the umask: mkstemp's
0600 would make every output, public lists included, readable by its owner alone); its content is
fsynced before the rename that publishes it, and the folder after, so that a power cut never
leaves a published name pointing at an empty file. A full disk or a read-only folder is a clear
message (exit 2), never an OSError.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import tempfile
from pathlib import Path

from aidctl.core.errors import AidctlError

_NOT_IN_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]')  # what Windows and the zip format refuse in a file name
_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
_READ_ONLY = (errno.EROFS, errno.EACCES, errno.EPERM)


def umask() -> int:
    """The process's umask, read without changing it (Linux /proc); else by setting and restoring it."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    old = os.umask(0o022)
    os.umask(old)
    return old


def os_error(exc: BaseException) -> OSError | None:
    """The OSError behind `exc` (itself, or what a library wrapped: xlsxwriter's FileCreateError)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno is not None:
            return exc
        inner = next((a for a in getattr(exc, "args", ()) if isinstance(a, OSError)), None)
        exc = inner or exc.__cause__ or exc.__context__
    return None


def write_failure(exc: BaseException, where: Path | str) -> AidctlError | None:
    """The user's message for a write that failed for want of space or permission; None for others."""
    err = os_error(exc)
    if err is None:
        return None
    if err.errno in _FULL:
        return AidctlError(f"磁盘空间不足（{err.strerror}），文件没有写出：请清理磁盘后重新运行", file=str(where))
    if err.errno in _READ_ONLY:
        return AidctlError(f"无法在此写入（{err.strerror}）：目录只读或没有写权限，请检查后重新运行",
                           file=str(where))
    return None


def fsync_folder(folder: Path) -> None:
    """Make a folder's entries (a rename, a new file) durable."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return  # a platform that cannot open folders: nothing to sync
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.EBADF):  # folders some filesystems cannot sync
            raise
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(target: Path):
    """Yield a temporary path in the target's folder; rename it onto `target` if the block succeeds.

    The file is created with the user's umask, and its content and the folder are fsynced around
    the rename. A full disk or a read-only folder raises AidctlError (exit 2) naming the target."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise write_failure(exc, target.parent) or AidctlError(
            f"无法在此写入（{exc.strerror}）；请检查目录权限", file=str(target.parent)) from None
    tmp_path = Path(tmp)
    try:
        os.fchmod(fd, 0o666 & ~umask())
    finally:
        os.close(fd)
    try:
        try:
            yield tmp_path
            fsync_file(tmp_path)
        except Exception as exc:
            failure = write_failure(exc, target)
            if failure is not None:
                raise failure from None
            raise
        try:
            os.replace(tmp_path, target)
        except OSError as exc:  # the target is a folder, or read-only, or open in Excel
            raise write_failure(exc, target) or AidctlError(
                f"无法写入（{exc.strerror}）；请换一个文件名，或先关闭在 Excel 中打开的该文件",
                file=str(target)) from None
        fsync_folder(target.parent)
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
