"""A throwaway PostgreSQL server for the ledger tests: a new cluster in a temporary folder, listening
on a free loopback port, trust authentication, stopped and removed at the end.

    python tests/pgserver.py start DIR   # prints `export AIDCTL_TEST_PG_URL=…` (for eval in .ci/run)
    python tests/pgserver.py stop DIR

The tests use AIDCTL_TEST_PG_URL when it is set; otherwise tests/conftest.py starts a server with
start() itself, when the machine has PostgreSQL's server programs (initdb, pg_ctl), and skips the
PostgreSQL runs, saying why, when it has not. initdb refuses to run as root: as root the cluster
belongs to the `postgres` user (Debian's package makes it), or `nobody`.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
from pathlib import Path

USER = "aidctl"


def server_bin() -> Path | None:
    """The folder holding initdb and pg_ctl: $AIDCTL_PG_BIN, Debian's newest, or the PATH's."""
    given = os.environ.get("AIDCTL_PG_BIN")
    candidates = [given] if given else []
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name)
                         if Path(p).parent.name.isdigit() else 0, reverse=True)
    found = shutil.which("initdb")
    if found:
        candidates.append(str(Path(found).parent))
    for folder in candidates:
        if folder and (Path(folder) / "initdb").is_file() and (Path(folder) / "pg_ctl").is_file():
            return Path(folder)
    return None


def _owner() -> str | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise RuntimeError("以 root 运行，且没有可以运行 initdb 的用户（postgres 或 nobody）")


def _run(cmd: list[str], owner: str | None, **kwargs) -> subprocess.CompletedProcess:
    if owner:
        cmd = ["runuser", "-u", owner, "--", *cmd]
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kwargs)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(folder: Path) -> str:
    """Start a cluster in `folder` (made if missing; as root, its parent must be open to others, as
    /tmp is); returns its URL. Raises RuntimeError saying why not."""
    bin_dir = server_bin()
    if bin_dir is None:
        raise RuntimeError("本机没有 PostgreSQL 服务器程序（initdb、pg_ctl）：请安装 postgresql 软件包")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    owner = _owner()
    if owner:
        entry = pwd.getpwnam(owner)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
        os.chmod(folder, 0o700)
    data = folder / "data"
    try:
        _run([str(bin_dir / "initdb"), "-D", str(data), "-U", USER, "-A", "trust", "-E", "UTF8", "--locale=C",
              "--no-sync"], owner)
        port = _free_port()
        options = (f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={folder} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100")
        _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-o", options, "-w",
              "-t", "60", "start"], owner)
    except subprocess.CalledProcessError as exc:
        raise RuntimeError(f"PostgreSQL 服务器无法启动（{Path(exc.cmd[4 if owner else 0]).name}：{(exc.stderr or '').strip()[-300:]}）") \
            from None
    (folder / "owner").write_text(owner or "", encoding="utf-8")
    return f"postgresql://{USER}@127.0.0.1:{port}/postgres"


def stop(folder: Path) -> None:
    folder = Path(folder)
    bin_dir = server_bin()
    owner_file = folder / "owner"
    owner = owner_file.read_text(encoding="utf-8") or None if owner_file.is_file() else None
    if bin_dir and (folder / "data" / "postmaster.pid").exists():
        subprocess.run((["runuser", "-u", owner, "--"] if owner else [])
                       + [str(bin_dir / "pg_ctl"), "-D", str(folder / "data"), "-m", "immediate", "-w", "stop"],
                       capture_output=True)
    shutil.rmtree(folder, ignore_errors=True)


def version(url: str) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            return conn.execute(text("SHOW server_version")).scalar()
    finally:
        engine.dispose()


if __name__ == "__main__":
    command, where = sys.argv[1], Path(sys.argv[2])
    if command == "start":
        print(f"export AIDCTL_TEST_PG_URL={start(where)}")
    elif command == "stop":
        stop(where)
    else:
        sys.exit(f"usage: {sys.argv[0]} start|stop DIR")
