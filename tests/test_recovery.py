"""Every recovery whole: a disburse cut off by Ctrl-C, a full disk or a read-only out/ leaves its
batch recorded and nothing of it where a clerk picks files up; the next run completes the batch
from the ledger, with its bank files, SHA256SUMS and its 发放审核 workbook. Files get the user's
umask. (kill -9 is in test_disburse.py: test_a_run_killed_while_writing_files_is_made_whole_by_the_next.)
"""

from __future__ import annotations

import errno
import os
import pathlib
import signal
import stat
import subprocess
import sys

import pytest
from conftest import voc_row
from test_disburse import (
    TERM,
    assert_recovered_workbook,
    bank_files,
    disburse,
    ledger_rows,
    make_ws,
    out_dir,
    read_icbc,
    staging,
    verify_manifest,
    workspace_profile,
)

import aidctl.pay.batch as E


def assert_recorded_and_nothing_ready(root) -> str:
    """The cut-off run left one recorded batch, and no file of it in out/<term>/."""
    [(batch, status)] = ledger_rows(root, "SELECT id, status FROM batches")
    assert status == "recorded"
    assert bank_files(root) == [] and staging(root) == []
    assert not out_dir(root).exists() or list(out_dir(root).glob("正在写入_*")) == []
    assert ledger_rows(root, "SELECT DISTINCT status FROM payments") == [("pending",)]
    return batch


def assert_completed(run, root, batch: str, *, payments: int) -> None:
    doc = disburse(run, root, expect=0)
    assert doc["recovered_batches"] == [batch] and doc["payments"] == []
    assert ledger_rows(root, "SELECT status FROM batches") == [("complete",)]
    assert ledger_rows(root, "SELECT DISTINCT status FROM payments") == [("sent",)]
    assert len(bank_files(root)) == 1 and staging(root) == []
    verify_manifest(out_dir(root))
    assert_recovered_workbook(root, doc, batch, payments=payments, amount=f"{750 * payments}.00")


def failing_write(monkeypatch, code: int, *, name_starts: str = ".代发_"):
    """Writing a bank file (its temporary name) fails with OSError(code), as the kernel says it."""
    real = pathlib.Path.write_bytes

    def write_bytes(self, data):
        if self.name.startswith(name_starts):
            raise OSError(code, os.strerror(code), str(self))
        return real(self, data)

    monkeypatch.setattr(pathlib.Path, "write_bytes", write_bytes)


def test_a_full_disk_is_a_clear_message_and_the_next_run_completes_the_batch(tmp_path, run, monkeypatch, ledger_db):
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 4)]}, db=ledger_db)
    failing_write(monkeypatch, errno.ENOSPC)
    code, out, err = run("disburse", "--term", TERM, "--workspace", root, "--format", "json")
    assert (code, out) == (2, ""), (code, out, err)
    [line] = err.strip().splitlines()
    assert line.startswith("aidctl: 错误：") and "磁盘空间不足" in line and "下次运行 disburse 时会先补全" in line
    assert "内部错误" not in err and "OSError" not in err
    batch = assert_recorded_and_nothing_ready(root)
    assert batch in line
    monkeypatch.undo()
    assert_completed(run, root, batch, payments=3)


def test_a_full_disk_while_the_workbook_is_written_still_leaves_a_workbook_next_time(tmp_path, run, monkeypatch,
                                                                                    ledger_db):
    """The bank files are in place and the batch marked sent; the workbook could not be written:
    exit 2 saying so, and the next run writes the batch's workbook."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 4)]}, db=ledger_db)
    import xlsxwriter
    from xlsxwriter.exceptions import FileCreateError

    real = xlsxwriter.Workbook.close

    def close(self):  # xlsxwriter wraps the OSError of its zip writer as it does for a full disk
        if "发放审核" in str(self.filename):
            raise FileCreateError(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
        return real(self)

    monkeypatch.setattr(xlsxwriter.Workbook, "close", close)
    code, out, err = run("disburse", "--term", TERM, "--workspace", root)
    assert code == 2 and "内部错误" not in err, err
    assert "磁盘空间不足" in err and len(err.strip().splitlines()) == 1
    [(batch, status)] = ledger_rows(root, "SELECT id, status FROM batches")
    assert status == "complete" and len(bank_files(root)) == 1
    assert list(out_dir(root).glob("发放审核_*")) == [] and list(out_dir(root).glob(".*.part")) == []
    monkeypatch.undo()
    doc = disburse(run, root, expect=0)
    assert doc["recovered_batches"] == [] and doc["payments"] == []
    assert_recovered_workbook(root, doc, batch, payments=3, amount="2250.00")


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES])
def test_a_read_only_out_folder_leaves_the_batch_for_the_next_run(tmp_path, run, monkeypatch, code, ledger_db):
    """out/ cannot be written (a read-only mount; tests run as root, so it is simulated where the
    temporary files are made): exit 2 with one clear line; the batch stays recorded and the next
    run, with out/ writable again, completes it."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 3)]}, db=ledger_db)
    import tempfile

    import aidctl.core.files as F

    real = tempfile.mkstemp

    def read_only(*args, dir=None, **kwargs):
        if dir is not None and pathlib.Path(dir).is_relative_to(out_dir(root)):
            raise OSError(code, os.strerror(code), str(dir))
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(F.tempfile, "mkstemp", read_only)
    code_, out, err = run("disburse", "--term", TERM, "--workspace", root)
    assert code_ == 2, (out, err)
    [line] = err.strip().splitlines()
    assert "无法在此写入" in line and os.strerror(code) in line and "内部错误" not in line
    batch = assert_recorded_and_nothing_ready(root)
    monkeypatch.undo()
    assert_completed(run, root, batch, payments=2)


def test_ctrl_c_before_the_files_is_completed_with_its_workbook(tmp_path, run, monkeypatch, ledger_db):
    """An interrupt that reaches the run after the ledger and before the files (as one raised inside
    put_in_place): exit 130; the next run completes the batch, workbook included."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 4)]}, db=ledger_db)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(E, "put_in_place", interrupted)
    code, out, err = run("disburse", "--term", TERM, "--workspace", root)
    assert code == 130 and "已中断" in err and "内部错误" not in err
    batch = assert_recorded_and_nothing_ready(root)
    monkeypatch.undo()
    assert_completed(run, root, batch, payments=3)



def stuck_batch(tmp_path, run, monkeypatch) -> tuple[pathlib.Path, str]:
    """A ledger an older aidctl left: it let • (U+2022) by as GBK, recorded the batch of 张三, 热依拉•艾力
    and 王五 and broke writing the file. The roster keeps the corrected · (U+00B7)."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1, 姓名="张三"), voc_row(2, 姓名="热依拉·艾力"), voc_row(3, 姓名="王五")]})

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(E, "put_in_place", interrupted)
    code, out, err = run("disburse", "--term", TERM, "--workspace", root)
    assert code == 130, err
    batch = assert_recorded_and_nothing_ready(root)
    monkeypatch.undo()
    # the name as the older aidctl recorded it (the roster keeps the corrected ·, U+00B7)
    ledger_rows(root, "UPDATE payments SET name = ? WHERE name = ?", "热依拉•艾力", "热依拉·艾力")
    return root, batch


def assert_stuck_said(err: str, batch: str) -> None:
    """One line on stderr naming the batch, the student, the character and the way out; the ledger and
    out/ as they were."""
    [line] = err.strip().splitlines()
    assert line.startswith("aidctl: 错误：") and "内部错误" not in err and "UnicodeEncodeError" not in err
    for said in (f"批次 {batch} 已记入账本", "学生 热依拉•艾力（intake/2011-autumn/a.xlsx 第5行）", "“•”（U+2022）",
                 "GBK", "更正花名册无济于事", "rules/banks/icbc-txt.yaml", "allow_gb18030: true",
                 "没有作废已记入批次的命令", "请勿手工修改账本"):
        assert said in line, (said, line)


def assert_still_stuck(root) -> None:
    assert ledger_rows(root, "SELECT status FROM batches") == [("recorded",)]
    assert ledger_rows(root, "SELECT DISTINCT status FROM payments") == [("pending",)]
    assert bank_files(root) == [] and staging(root) == []


def test_a_batch_recorded_with_a_character_its_bank_file_lacks_stops_with_what_to_do(tmp_path, run, monkeypatch):
    """Every run after the older aidctl's broke the same way (内部错误), the roster corrected or not:
    recovery writes the name the ledger holds. Recovery now stops (exit 2) naming the batch, the
    student, the character and the way out, and changes nothing; with GB18030 allowed (where the bank
    takes it) the next run completes the batch."""
    root, batch = stuck_batch(tmp_path, run, monkeypatch)
    for _ in range(2):
        code, out, err = run("disburse", "--term", TERM, "--workspace", root, "--format", "json")
        assert (code, out) == (2, ""), err
        assert_stuck_said(err, batch)
        assert_still_stuck(root)
    workspace_profile(root, allow_gb18030=True)
    doc = disburse(run, root, expect=0)
    assert doc["recovered_batches"] == [batch] and doc["payments"] == []
    assert ledger_rows(root, "SELECT status FROM batches") == [("complete",)]
    head, records = read_icbc(bank_files(root)[0], encoding="gb18030")
    assert [r["户名"] for r in records] == ["张三", "热依拉•艾力", "王五"] and head["batch"] == batch


def test_a_dry_run_over_a_stuck_batch_says_the_real_run_would_stop(tmp_path, run, monkeypatch):
    """disburse --dry-run planned past a batch recovery cannot complete: it listed the batch's three
    students under already_paid (pending), exit 0, and never named the batch, while the real run
    stops before paying anyone. The dry run now stops where the real run would (exit 2), saying so,
    with the real run's message and way out, and changes nothing. Once the profile writes the
    character, the dry run says the real run would first complete that batch."""
    root, batch = stuck_batch(tmp_path, run, monkeypatch)
    for fmt in ("json", "table"):
        code, out, err = run("disburse", "--term", TERM, "--workspace", root, "--dry-run", "--format", fmt)
        assert (code, out) == (2, ""), (code, out, err)
        assert_stuck_said(err, batch)
        assert "试运行：实际运行 disburse 会先补全" in err and "停在这里（退出码 2）" in err and "不会发放任何学生" in err
        assert_still_stuck(root)
    workspace_profile(root, allow_gb18030=True)
    doc = disburse(run, root, expect=0, dry=True)
    assert doc["dry_run"] and doc["payments"] == [] and len(doc["already_paid"]) == 3
    assert any(f"实际运行会先补全上次没有完成的批次 {batch}（3 笔" in n for n in doc["notes"]), doc["notes"]
    assert_still_stuck(root)


def test_explain_over_a_stuck_batch_names_it(tmp_path, run, monkeypatch):
    """explain showed a student of a batch recovery cannot complete as 待发, and never named the
    batch; it now says, in its notes, that the real run would stop there and why (it explains, it
    does not stop), and, once the batch can be completed, that the real run would complete it first."""
    root, batch = stuck_batch(tmp_path, run, monkeypatch)

    def explained() -> list[str]:
        code, doc, err = run("explain", "王五", "--term", TERM, "--workspace", root, "--format", "json", as_json=True)
        assert isinstance(doc, dict), (code, err)
        return doc["notes"]

    notes = [n for n in explained() if batch in n]
    assert len(notes) == 1 and "停在这里（退出码 2）" in notes[0] and "“•”（U+2022）" in notes[0], notes
    assert_still_stuck(root)
    workspace_profile(root, allow_gb18030=True)
    assert any(f"实际运行会先补全上次没有完成的批次 {batch}（3 笔" in n for n in explained())
    assert_still_stuck(root)


def test_an_interrupt_inside_pythons_threading_code_is_an_interrupt(tmp_path, run, monkeypatch):
    """Ctrl-C while the main thread waits on a worker can surface as RuntimeError: cannot release
    un-acquired lock (raised while the KeyboardInterrupt is handled): it is reported as the
    interrupt it is, exit 130, never 内部错误."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 3)]})

    def threading_trouble(*args, **kwargs):
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise RuntimeError("cannot release un-acquired lock") from None

    monkeypatch.setattr(E, "put_in_place", threading_trouble)
    code, out, err = run("disburse", "--term", TERM, "--workspace", root)
    assert code == 130, err
    assert "内部错误" not in err and "RuntimeError" not in err and "已中断" in err


SIGNALLER = r"""
import os, signal, sys, threading, time
import aidctl.pay.batch as E
real = E.render_batch

def render_and_interrupt(*args, **kwargs):   # in the render thread, while the ledger takes the rows
    for _ in range(int(sys.argv[2])):
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)
    return real(*args, **kwargs)

E.render_batch = render_and_interrupt
from aidctl.cli import app
app(["disburse", "--term", "2011-autumn", "--workspace", sys.argv[1], "--format", "json"])
"""


@pytest.mark.parametrize("presses", [1, 3])
def test_ctrl_c_while_a_batch_is_written_finishes_the_batch_then_stops(tmp_path, run, presses, ledger_db):
    """Real SIGINTs (one, or three in a row) while the batch is recorded and rendered: the run says
    it is finishing, completes the batch whole (files, SHA256SUMS, workbook, marked sent) and exits
    130 with the interrupt's line: no 内部错误, no half state."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 5)]}, db=ledger_db)
    script = tmp_path / "signaller.py"
    script.write_text(SIGNALLER, encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script), str(root), str(presses)], capture_output=True,
                          timeout=120, text=True)
    assert proc.returncode == 130, proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert lines[0].startswith("aidctl: 收到中断：正在完成本批次") and lines[-1].startswith("aidctl: 已中断")
    assert len(lines) == 2 and "内部错误" not in proc.stderr
    [(batch, status)] = ledger_rows(root, "SELECT id, status FROM batches")
    assert status == "complete"
    assert ledger_rows(root, "SELECT DISTINCT status FROM payments") == [("sent",)]
    assert len(bank_files(root)) == 1 and staging(root) == []
    assert f"发放审核_{TERM}_{batch}.xlsx" in verify_manifest(out_dir(root))
    doc = disburse(run, root, expect=0)   # nothing left to complete, nobody paid again
    assert doc["recovered_batches"] == [] and doc["payments"] == [] and len(doc["already_paid"]) == 4


def test_output_files_get_the_users_umask(tmp_path, run):
    """mkstemp makes 0600 files; what aidctl writes gets 0666 less the umask, as any file the user makes."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1), voc_row(2)]})
    for mask, mode in ((0o022, 0o644), (0o002, 0o664), (0o077, 0o600)):
        old = os.umask(mask)
        try:
            out = tmp_path / f"v{mask:o}.xlsx"
            run("validate", root / "intake" / TERM / "a.xlsx", "--term", TERM, "--report", out)
        finally:
            os.umask(old)
        assert stat.S_IMODE(out.stat().st_mode) == mode, (oct(mask), oct(out.stat().st_mode))
    old = os.umask(0o022)
    try:
        disburse(run, root, expect=0)
    finally:
        os.umask(old)
    for f in out_dir(root).iterdir():
        assert stat.S_IMODE(f.stat().st_mode) == 0o644, f


def test_a_file_is_fsynced_before_its_rename_and_the_folder_after(tmp_path, monkeypatch):
    import aidctl.core.files as F

    events = []
    monkeypatch.setattr(F.os, "fsync", lambda fd: events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}"))))
    real_replace = F.os.replace
    monkeypatch.setattr(F.os, "replace", lambda a, b: (events.append(("rename", str(b))), real_replace(a, b)))
    target = tmp_path / "out" / "a.txt"
    with F.atomic_path(target) as tmp:
        tmp.write_text("x")
    assert [e[0] for e in events] == ["fsync", "rename", "fsync"]
    assert events[0][1].endswith(".part") and events[1][1] == str(target) and events[2][1] == str(target.parent)
    assert signal.SIGINT  # (the module is imported for the tests above)
