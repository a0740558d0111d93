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
import fcntl
import hashlib
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from aidctl.core.errors import AidctlError, UsageError
from aidctl.core.settings import INPUT_FOLDERS, KEPT_FILES

# what Windows and the zip format refuse in a file name, and what would make a name show otherwise
# than it reads (DEL, C1 controls, direction overrides, line separators)
_NOT_IN_NAMES = re.compile('[\\\\/:*?"<>|\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]')
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


def check_output(target: Path, *, inputs: Iterable[Path | None] = (), workspace: Path | None = None) -> Path:
    """Refuse an output path (--report, --out) that would replace what it must not, before anything is
    read or written: a folder; anything but a regular file (a device, a FIFO, a socket); one of the
    command's `inputs`, by any name (a link, another spelling of the path); what the workspace keeps
    (aidctl.toml, schools.xlsx, the ledger and its lock) or anything under the folders it reads
    (intake/, rules/, finance/, complaints/, loans/). A UsageError (exit 2) names the path."""
    target = Path(target)
    found = _stat(target)
    if found is not None:
        if stat.S_ISDIR(found.st_mode):
            raise UsageError("这是一个文件夹，不能作为输出文件：请给出文件名，如 审核结果.xlsx", file=str(target))
        if not stat.S_ISREG(found.st_mode):
            raise UsageError("这不是普通文件（设备、管道或套接字），不能作为输出文件：请换一个文件名", file=str(target))
    root = Path(workspace).resolve() if workspace is not None else None
    if root is not None:
        _not_kept(target, found, root)
    resolved = target.resolve()
    for source in inputs:
        if source is None:
            continue
        try:
            same = found is not None and os.path.samestat(found, Path(source).stat())
        except OSError:   # an input that is not there is not replaced
            same = False
        if same or resolved == Path(source).resolve():
            raise UsageError("这是本次读取的输入文件，写出会覆盖它：请换一个文件名", file=str(target))
    if root is not None:
        _not_in_input_folders(target, root)
    return target


def check_output_folder(folder: Path, *, workspace: Path | None = None) -> Path:
    """Refuse a folder for outputs (enlist --out) that is a file, the workspace itself, or one of the
    folders the workspace reads from (see check_output)."""
    folder = Path(folder)
    found = _stat(folder)
    if found is not None and not stat.S_ISDIR(found.st_mode):
        raise UsageError("这不是文件夹，不能作为输出目录：请给出一个文件夹", file=str(folder))
    if workspace is not None:
        root = Path(workspace).resolve()
        if folder.resolve() == root:
            raise UsageError("这是工作目录本身，不能作为输出目录：请写到 out/ 下的文件夹", file=str(folder))
        _not_kept(folder, found, root)
        _not_in_input_folders(folder, root)
    return folder


def _stat(path: Path) -> os.stat_result | None:
    """The path's status, following links; None when nothing is there."""
    try:
        return path.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:  # a parent that is a file, a loop of links, no permission
        raise UsageError(f"无法使用这个路径（{exc.strerror}）：请换一个", file=str(path)) from None


def _not_kept(target: Path, found: os.stat_result | None, root: Path) -> None:
    """Refuse a file the workspace keeps (settings, schools list, ledger, lock), by any name."""
    resolved = target.resolve()
    for name, what in KEPT_FILES.items():
        kept = root / name
        same = resolved == kept.resolve()
        if not same and found is not None:
            with contextlib.suppress(OSError):
                same = os.path.samestat(found, kept.stat())
        if same:
            raise UsageError(f"这是工作目录的{what}（{name}），写出会覆盖它：请换一个文件名，或写到 out/ 下",
                             file=str(target))


def _not_in_input_folders(target: Path, root: Path) -> None:
    """Refuse a path under a folder the workspace reads from (intake/, rules/ …)."""
    resolved = target.resolve()
    for name, what in INPUT_FOLDERS.items():
        if resolved.is_relative_to((root / name).resolve()):
            raise UsageError(f"这在工作目录的 {name}/ 中（{what}），aidctl 不往这里写：请写到 out/ 下或其他目录",
                             file=str(target))


def real_paths(paths: Iterable[Path | str]) -> list[Path]:
    """`Path(p).resolve()` of each path, the folders resolved once each: a term's thousand files in
    one folder cost a thousand lstat calls, not a walk of every folder above each of them."""
    folders: dict[str, Path] = {}
    out = []
    for path in paths:
        path = Path(path)
        if path.name in ("", ".", "..") or os.path.islink(path):
            out.append(path.resolve())
            continue
        key = str(path.parent)
        if key not in folders:
            folders[key] = path.parent.resolve()
        out.append(folders[key] / path.name)
    return out


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def digests(paths: list[Path]) -> dict[Path, str]:
    """The sha256 of each file, once a path: made on a thread beside the checks (hashlib lets go of
    the GIL while it hashes)."""
    return {Path(p): sha256(p) for p in dict.fromkeys(paths)}


STEM_BYTES = 150  # a file system takes 255 bytes a name: the stem, the term, the rest and a temporary prefix fit


def file_stem(name: str, fallback: str) -> str:
    """A school's (or county's) name made safe as the start of a file name, or `fallback`: at most
    80 characters and STEM_BYTES bytes of UTF-8, so that the whole name fits the file system."""
    stem = _NOT_IN_NAMES.sub("_", name).strip(" .")[:80]
    stem = stem.encode()[:STEM_BYTES].decode(errors="ignore").strip(" .")
    return stem or fallback


def file_stems(names, fallback: str) -> dict[str, str]:
    """file_stem for each name, made distinct: names whose stems would be one file name (cut short,
    characters replaced, or differing only in case, which Windows and macOS do not tell apart) each
    get 6 hex digits of their own name's SHA-256, so one school's file never replaces another's."""
    stems = {name: file_stem(name, fallback) for name in dict.fromkeys(names)}
    seen: dict[str, int] = {}
    for stem in stems.values():
        seen[stem.casefold()] = seen.get(stem.casefold(), 0) + 1
    return {name: stem if seen[stem.casefold()] == 1
            else f"{stem}_{hashlib.sha256(name.encode()).hexdigest()[:6]}" for name, stem in stems.items()}

@contextlib.contextmanager
def file_lock(path: Path, wait_seconds: float, holder: str, busy: str):
    """An exclusive flock on `path` (created if missing) holding `holder`; `busy` when another holds it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    who = os.pread(fd, 300, 0).decode("utf-8", "replace").strip() or "未知"
                    raise AidctlError(f"{busy}（{who}）；请等它结束后再试，或加 --wait 秒数 等待",
                                      file=str(path.parent)) from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, (holder or f"进程 {os.getpid()}").encode(), 0)
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
