"""Many files read by worker processes (issue 18): the output is the same with one worker and with
two, the first unreadable file in file order is the one reported, and AIDCTL_WORKERS is checked."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from conftest import SAMPLES, hanzi, make_card, make_id, voc_row, write_roster

TERM = "2011-autumn"


def term_folder(root: Path) -> Path:
    """A workspace whose intake/2011-autumn/ holds the five sample rosters (planted problems, a
    student on two schools' rosters) and six more small rosters of distinct students."""
    ws = root / "ws"
    shutil.copytree(SAMPLES, ws)
    intake = ws / "intake" / TERM
    for k in range(6):
        rows = [voc_row(i, 姓名=f"学生{hanzi(k)}之{hanzi(i)}", 身份证号码=make_id(area="420103", seq=2 * (40 * k + i)),
                        银行卡号=make_card(seed=1000 + 40 * k + i)) for i in range(1, 31)]
        if k == 2:
            rows[3]["身份证号码"] = rows[3]["身份证号码"][:-1] + "0"   # a bad check character
        if k == 4:
            rows[5]["银行卡号"] = rows[1]["银行卡号"]                     # a card on two rows
        write_roster(intake / f"补报{k}.xlsx", rows, above=[[f"2011年秋季学期中职国家助学金名单（{k}）"]])
    return ws


def cli(ws: Path, workers: int, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "AIDCTL_WORKERS": str(workers), "COLUMNS": "160"}
    return subprocess.run([sys.executable, "-m", "aidctl", *args], cwd=ws, env=env, capture_output=True,
                          timeout=300)


def cells(path: Path) -> dict[str, list[tuple]]:
    """Every cell of every sheet; the report's 生成时间 (to the minute) read as the same for two runs
    that straddle a minute."""
    wb = openpyxl.load_workbook(path, read_only=True)
    made = re.compile(r"生成时间：\d{4}-\d{2}-\d{2} \d{2}:\d{2}")
    return {ws.title: [tuple(made.sub("生成时间：…", v) if isinstance(v, str) else v for v in row)
                       for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def test_one_and_two_workers_give_the_same_json_and_report(tmp_path):
    runs = {}
    base = term_folder(tmp_path / "base")
    for workers in (1, 2):
        ws = shutil.copytree(base, tmp_path / f"w{workers}", copy_function=shutil.copy2)
        report = tmp_path / f"审核结果{workers}.xlsx"
        proc = cli(ws, workers, "validate", "--term", TERM, "--format", "json", "--report", str(report))
        assert proc.returncode == 1, proc.stderr.decode()
        runs[workers] = (proc.stdout, cells(report), ws)
    one, two = runs[1], runs[2]
    assert one[0] == two[0]          # the JSON, byte for byte
    assert one[1] == two[1]          # every cell of every sheet of the report
    doc = json.loads(one[0])
    assert len(doc["files"]) == 11
    assert [f["file"] for f in doc["files"]] == sorted(f["file"] for f in doc["files"])  # file order
    codes = {f["code"] for f in doc["findings"]}
    assert {"id.checksum", "card.shared"} <= codes, codes
    # the intake history is the same too: one row per file and school, in one transaction
    import sqlite3

    def history(ws):
        with sqlite3.connect(ws / "aidctl.db") as db:
            return db.execute("select school, file, sha256, version, records, errors, warnings from submissions "
                              "order by id").fetchall()

    assert history(one[2]) == history(two[2])
    assert len(history(one[2])) >= 11


def test_the_first_unreadable_file_in_file_order_is_reported(tmp_path):
    ws = term_folder(tmp_path)
    intake = ws / "intake" / TERM
    (intake / "补报1.xlsx").write_bytes(b"PK\x03\x04 not a zip at all")       # read early by worker 2
    (intake / "补报4.xlsx").write_bytes(b"\x00" * 64)                         # a later one, also bad
    outs = [cli(ws, workers, "validate", "--term", TERM, "--format", "json") for workers in (1, 2)]
    for proc in outs:
        assert proc.returncode == 2
        assert "补报1.xlsx" in proc.stderr.decode() and "补报4.xlsx" not in proc.stderr.decode()
        assert proc.stdout == b""
    assert outs[0].stderr == outs[1].stderr
    assert not (ws / "aidctl.db").exists()   # nothing recorded for a run that read nothing whole


def _pid(_item):
    return os.getpid()


def test_two_workers_are_other_processes_and_results_come_in_order():
    from aidctl.read.parallel import in_order

    items = [(i,) for i in range(12)]
    assert list(in_order(lambda i: i * i, items, 1)) == [i * i for i in range(12)]
    assert list(in_order(pow, [(i, 2) for i in range(12)], 2)) == [i * i for i in range(12)]
    pids = set(in_order(_pid, items, 2))
    assert os.getpid() not in pids and 1 <= len(pids) <= 2


def test_started_is_called_once_the_workers_are_forked_and_before_the_first_item_in_process():
    """What `started` begins (validate imports the ledger's modules on a thread) must not be forked
    into a worker in the middle of its work: the workers exist when it is called. In this process
    it comes before the first item."""
    import multiprocessing
    import threading

    from aidctl.read.parallel import in_order

    calls, hold = [], threading.Event()

    def started():
        calls.append(len(multiprocessing.active_children()))
        threading.Thread(target=hold.wait, daemon=True).start()

    try:
        assert list(in_order(pow, [(i, 2) for i in range(8)], 2, started=started)) == [i * i for i in range(8)]
    finally:
        hold.set()
    assert calls == [2]
    order = []
    assert list(in_order(lambda i: order.append(i) or i, [(1,), (2,)], 1, started=lambda: order.append("s"))) == [1, 2]
    assert order == ["s", 1, 2]


def _fails_at_three(i):
    if i == 3:
        raise ValueError(f"item {i}")
    if i == 7:
        raise KeyError(i)
    return i


def test_an_exception_in_a_worker_surfaces_in_order_and_leaves_no_worker():
    import multiprocessing

    from aidctl.read.parallel import in_order

    before = set(multiprocessing.active_children())
    got = []
    with pytest.raises(ValueError, match="item 3"):
        for value in in_order(_fails_at_three, [(i,) for i in range(40)], 2):
            got.append(value)
    assert got == [0, 1, 2]
    assert set(multiprocessing.active_children()) <= before


def test_runs_of_items_cover_every_item_once_in_order_and_spread_by_weight():
    from aidctl.read.parallel import MAX_BATCH, batches

    def covered(runs, n):
        assert [a for a, _ in runs] == [0] + [b for _, b in runs[:-1]] and runs[-1][1] == n
        assert all(b > a for a, b in runs)

    small = batches([15_000] * 1000, 2)          # a thousand school files: runs of at most MAX_BATCH
    covered(small, 1000)
    assert max(b - a for a, b in small) == MAX_BATCH and len(small) == 63
    big = batches([130_000] * 250, 2)            # 250 files of 2,000 rows: about 16 runs a worker
    covered(big, 250)
    assert 28 <= len(big) <= 40
    mixed = batches([10] * 10 + [10_000] + [10] * 10, 2)   # one big file is a run of its own
    covered(mixed, 21)
    assert (10, 11) in mixed
    assert batches([], 2) == [] and batches([0], 2) == [(0, 1)]


def test_an_exception_inside_a_run_stops_it_there_and_surfaces_in_order():
    from aidctl.read.parallel import in_order

    got = []
    with pytest.raises(ValueError, match="item 3"):   # weights 0: runs of MAX_BATCH items, 3 inside the first
        for value in in_order(_fails_at_three, [(i,) for i in range(40)], 2, [0] * 40):
            got.append(value)
    assert got == [0, 1, 2]
    assert list(in_order(pow, [(i, 2) for i in range(40)], 2, [0] * 40)) == [i * i for i in range(40)]


@pytest.mark.parametrize("value", ["0", "two", "-1"])
def test_a_bad_worker_count_is_a_usage_error(monkeypatch, value):
    from aidctl.core.errors import UsageError
    from aidctl.read.parallel import workers

    monkeypatch.setenv("AIDCTL_WORKERS", value)
    with pytest.raises(UsageError, match="AIDCTL_WORKERS"):
        workers(10)


def test_worker_count_defaults_to_the_cores_and_never_exceeds_the_files(monkeypatch):
    from aidctl.read import parallel

    monkeypatch.delenv("AIDCTL_WORKERS", raising=False)
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    assert parallel.workers(1000) == 2 and parallel.workers(1) == 1
    monkeypatch.setenv("AIDCTL_WORKERS", "8")
    assert parallel.workers(3) == 3


INTERRUPTER = """
import os, signal, sys
import aidctl.core.progress as P
real = P.Tracker.advance
seen = []

def advance_then_interrupt(self, files=0, rows=0):   # Ctrl-C on the terminal: the whole process group
    seen.append(files)
    if len(seen) == 3:
        os.killpg(os.getpgid(0), signal.SIGINT)
    return real(self, files=files, rows=rows)

P.Tracker.advance = advance_then_interrupt
from aidctl.cli import app
app(["validate", "--term", "2011-autumn", "--workspace", sys.argv[1], "--format", "json", "--report", sys.argv[2]])
"""


def test_ctrl_c_while_workers_read_stops_cleanly_and_writes_nothing(tmp_path):
    ws = term_folder(tmp_path)
    script = tmp_path / "interrupter.py"
    script.write_text(INTERRUPTER, encoding="utf-8")
    report = tmp_path / "审核结果.xlsx"
    proc = subprocess.run([sys.executable, str(script), str(ws), str(report)], capture_output=True, timeout=120,
                          text=True, env={**os.environ, "AIDCTL_WORKERS": "2"}, start_new_session=True)
    assert proc.returncode == 130, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.strip().splitlines()[-1].startswith("aidctl: 已中断") and "内部错误" not in proc.stderr
    assert "Traceback" not in proc.stderr   # the workers ignore the interrupt: the reading process handles it
    assert not report.exists() and not (ws / "aidctl.db").exists()
    assert not [p for p in report.parent.iterdir() if p.name.startswith(report.name)]
    left = []
    for entry in Path("/proc").iterdir():   # no worker left running: forked, they share the command line
        if entry.name.isdigit():
            try:
                if str(ws).encode() in (entry / "cmdline").read_bytes():
                    left.append(entry.name)
            except OSError:
                continue
    assert left == []


def _same(a, b) -> bool:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    if isinstance(a, pa.Table):
        return isinstance(b, pa.Table) and a.equals(b, check_metadata=True)
    if isinstance(a, pd.DataFrame):
        return isinstance(b, pd.DataFrame) and a.equals(b) and list(a.dtypes) == list(b.dtypes)
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b)
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    return a == b


def test_a_table_a_worker_hands_back_is_the_table_it_read(tmp_path):
    """Workers hand their tables back pickled (the cells as an Arrow stream, an empty formulas or
    errors frame as nothing): every field comes back the same, a table's formulas, error values and
    number cells included."""
    import dataclasses
    from multiprocessing.reduction import ForkingPickler

    from aidctl.read import Workspace
    from aidctl.read.tables import read_tables

    rows = [voc_row(i, 姓名=f"学生{hanzi(i)}", 身份证号码=make_id(area="420103", seq=2 * i), 银行卡号=make_card(seed=i))
            for i in range(1, 6)]
    plain = write_roster(tmp_path / "plain.xlsx", rows, above=[["2011年秋季学期中职国家助学金名单"]])
    odd = write_roster(tmp_path / "odd.xlsx", rows, above=[["2011年秋季学期中职国家助学金名单"]])
    wb = openpyxl.load_workbook(odd)
    sheet = wb.active
    headers = [c.value for c in sheet[2]]
    sheet.cell(4, headers.index("资助金额（元）") + 1).value = "=H3+1"  # a formula with no value
    sheet.cell(5, headers.index("身份证号码") + 1).value = 420103200501010017  # a number cell
    sheet.row_dimensions[6].hidden = True                             # a row a clerk's filter hid
    sheet.cell(7, 2).font = openpyxl.styles.Font(strike=True)          # a name struck out
    sheet.cell(7, headers.index("银行卡号") + 1).value = "#N/A"           # an error value
    wb.save(odd)
    rules = Workspace(SAMPLES).rules
    for path, with_formulas in ((plain, False), (odd, True)):
        (table,) = read_tables(path, path.name, "roster", rules, per_record=True)
        assert bool(len(table.formulas)) is with_formulas and bool(len(table.errors)) is with_formulas
        assert bool(table.struck) is with_formulas
        assert len(table.data) == 5  # cached now; not handed over: made again where wanted
        back = ForkingPickler.loads(ForkingPickler.dumps(table))
        assert "data" not in vars(back)
        for f in dataclasses.fields(table):
            assert _same(getattr(table, f.name), getattr(back, f.name)), f.name
        assert back.records == 5 and back.data.equals(table.data)
    assert read_tables(odd, odd.name, "roster", rules, per_record=True)[0].hidden_rows == 1
