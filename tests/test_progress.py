"""Progress on long work (issue 18): a bar on stderr only when stderr is a terminal and --quiet is not
given; stdout (the JSON document) is the same either way."""

from __future__ import annotations

import os
import pty
import select
import shutil
import subprocess
import sys

import pytest
from conftest import SAMPLES

# The CLI as installed, with the bar shown at once (SHOW_AFTER 0) so that a short run shows it.
PROGRAM = "import aidctl.core.progress as p; p.SHOW_AFTER = 0; from aidctl.cli import main; main()"
COMMAND = ["validate", "--term", "2011-autumn", "--format", "json"]


def run_on_terminal(workspace, *extra: str) -> tuple[bytes, str]:
    """Run validate with stderr on a pseudo-terminal and stdout on a pipe: (stdout, what the terminal got)."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-c", PROGRAM, *COMMAND, *extra], cwd=workspace,
                            stdout=subprocess.PIPE, stderr=follower, env={**os.environ, "COLUMNS": "120"})
    os.close(follower)
    seen = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    out = proc.stdout.read()
    proc.wait(timeout=60)
    os.close(leader)
    return out, seen.decode("utf-8", "replace")


@pytest.fixture
def workspace(tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(SAMPLES, ws)
    return ws


def test_bar_on_a_terminal_and_quiet_silences_it(workspace):
    shown_out, shown = run_on_terminal(workspace)
    quiet_out, quiet = run_on_terminal(workspace, "--quiet")
    assert "读取花名册" in shown and "文件" in shown, shown
    assert "读取花名册" not in quiet and "文件 " not in quiet, quiet
    # the ledger's intake history does not change what validate prints: both runs report the same
    assert shown_out == quiet_out and shown_out.startswith(b"{")


def test_no_bar_when_stderr_is_not_a_terminal(workspace):
    proc = subprocess.run([sys.executable, "-c", PROGRAM, *COMMAND], cwd=workspace, capture_output=True)
    assert proc.returncode == 1  # the samples' planted errors
    assert "读取花名册" not in proc.stderr.decode() and "\x1b[" not in proc.stderr.decode()


def test_tracker_counts_files_and_rows(monkeypatch):
    from aidctl.core import progress

    monkeypatch.setattr(progress, "SHOW_AFTER", 3600)  # counted, never drawn
    monkeypatch.setattr(progress, "_enabled", True)
    with progress.track("读取花名册", files=2) as bar:
        bar.advance(files=1, rows=30)
        with progress.track("读取花名册", files=2) as inner:  # nested work reports on the same bar
            assert inner is bar and bar.files_done == 0
            inner.advance(files=2, rows=45)
        assert bar._counts(2, None) == "文件 2/2  45 行"
    assert progress.current() is None
