"""What a folder holds, to prove a refused command changed nothing: every entry's kind, and the bytes
of every regular file (special files are never opened)."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path


def tree(root: Path) -> dict[str, tuple]:
    """{relative path: (kind, content)} for everything under `root`, links not followed."""
    found = {}
    for folder, dirs, files in os.walk(root, followlinks=False):
        for name in dirs + files:
            path = Path(folder) / name
            st = path.lstat()
            rel = str(path.relative_to(root))
            if stat.S_ISLNK(st.st_mode):
                found[rel] = ("link", os.readlink(path))
            elif stat.S_ISDIR(st.st_mode):
                found[rel] = ("dir", None)
            elif stat.S_ISREG(st.st_mode):
                found[rel] = ("file", hashlib.sha256(path.read_bytes()).hexdigest())
            else:
                found[rel] = ("special", stat.S_IFMT(st.st_mode), st.st_rdev)
    return found


def changes(before: dict, after: dict) -> list[str]:
    """What differs between two trees: added, removed and changed paths."""
    return sorted([f"+{p}" for p in after.keys() - before.keys()]
                  + [f"-{p}" for p in before.keys() - after.keys()]
                  + [f"~{p}" for p in before.keys() & after.keys() if before[p] != after[p]])
