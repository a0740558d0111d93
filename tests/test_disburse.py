"""The money path: `aidctl disburse` from rosters to the ledger, the bank files and the audit workbook.

Every test builds a workspace in tmp_path (intake/2011-autumn/*.xlsx, sometimes an aidctl.toml or a
workspace copy of a bank profile), runs the command and then reads what it really wrote: the SQLite
ledger, the GBK bank files byte by byte, SHA256SUMS, the audit workbook. Money is compared as
Decimal / integer fen, never as floats.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pandas as pd
import pytest
import yaml
from conftest import VOC_HEADERS, hanzi, make_card, make_id, voc_row, write_roster
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import aidctl.pay.batch as E
import aidctl.pay.disbursement as D
from aidctl.core.terms import Term
from aidctl.pay import workspace_lock
from aidctl.read import Workspace
from aidctl.rulebook import packaged_rules_dir

TERM = "2011-autumn"
SCHOOL = "第一职业中学"
MONEY = re.compile(r"^\d+\.\d{2}$")
HS_HEADERS = ["序号", "姓名", "性别", "身份证号", "年级", "困难等级", "学籍状态", "资助项目", "金额", "账号"]
HS_STANDARD = {"一档": 1000, "二档": 750, "三档": 500}   # 普高国家助学金, 2011-autumn, yuan per term
FREE_HEADERS = ["序号", "姓名", "性别", "身份证号码", "年级", "办学性质", "困难等级", "学籍状态", "资助项目",
                "资助金额（元）", "银行卡号"]
BAD_ID = make_id(seq=400)[:-1] + ("0" if make_id(seq=400)[-1] != "0" else "1")  # check character wrong


# --- helpers ---------------------------------------------------------------------------------------

def make_ws(tmp_path: Path, rosters: dict[str, list[dict]] | None = None, *, headers=None,
            toml: str | None = None, school: str = SCHOOL, name: str = "ws", db: str | None = None) -> Path:
    """A workspace folder with intake/2011-autumn/<file> rosters (title and 填报单位 rows above);
    `db` is the ledger's URL (the ledger_db fixture) when it is not the workspace's aidctl.db."""
    root = tmp_path / name
    (root / "intake" / TERM).mkdir(parents=True, exist_ok=True)
    for file, rows in (rosters or {}).items():
        add_roster(root, file, rows, headers=headers, school=school)
    if toml is not None or db is not None:
        (root / "aidctl.toml").write_text((toml or "") + (f'database_url = "{db}"\n' if db else ""),
                                          encoding="utf-8")
    return root


def add_roster(root: Path, file: str, rows: list[dict], *, headers=None, school: str = SCHOOL) -> Path:
    return write_roster(root / "intake" / TERM / file, rows, headers or VOC_HEADERS,
                        above=[[f"{school}2011年秋季学期受助学生名单"], [f"填报单位：{school}"]])


def workspace_profile(root: Path, base: str = "icbc-txt", as_name: str | None = None, **changes) -> Path:
    """A copy of a packaged bank profile in the workspace's rules/banks/, with some keys changed."""
    data = yaml.safe_load((packaged_rules_dir() / "banks" / f"{base}.yaml").read_text(encoding="utf-8"))
    data.update(changes)
    target = root / "rules" / "banks" / f"{as_name or base}.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def disburse(run, root: Path, *extra, expect: int | None = None, dry: bool = False) -> dict:
    code, doc, err = run("disburse", "--term", TERM, "--workspace", root, "--format", "json", *extra,
                         *(["--dry-run"] if dry else []), as_json=True)
    assert isinstance(doc, dict), (code, doc, err)
    if expect is not None:
        assert code == expect, (code, err, doc)
    doc["_exit"], doc["_err"] = code, err
    return doc


def db(root: Path) -> sqlite3.Connection:
    path = root / "aidctl.db"
    assert path.is_file()
    return sqlite3.connect(path)


def ledger_rows(root: Path, sql: str, *args) -> list[tuple]:
    """Rows of `sql` (with ? parameters) from the workspace's ledger, read past aidctl: by sqlite3
    from aidctl.db, or from the PostgreSQL database its aidctl.toml names."""
    url = Workspace(root).ledger_url()
    if url.startswith("sqlite:"):
        path = Path(url.removeprefix("sqlite:///"))
        assert path.is_file()
        with sqlite3.connect(path) as conn:
            return conn.execute(sql, args).fetchall()
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1), poolclass=NullPool)
    parts = sql.split("?")
    named = parts[0] + "".join(f":p{i}{part}" for i, part in enumerate(parts[1:]))
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(named), {f"p{i}": a for i, a in enumerate(args)})]
    finally:
        engine.dispose()


def out_dir(root: Path) -> Path:
    return root / "out" / TERM


def bank_files(root: Path, pattern: str = "代发_*") -> list[Path]:
    return sorted(out_dir(root).glob(pattern)) if out_dir(root).is_dir() else []


def read_icbc(path: Path, encoding: str = "gbk") -> tuple[dict, list[dict]]:
    """The header line (总笔数, 总金额 …) and the record lines of an icbc-txt payment file."""
    raw = path.read_bytes()
    text = raw.decode(encoding)
    assert text.endswith("\r\n")
    lines = text[:-2].split("\r\n")
    head = lines[0].split("|")
    assert head[0] == "总笔数" and head[2] == "总金额" and head[4] == "批次号", lines[0]
    titles = lines[1].split("|")
    assert titles == ["序号", "户名", "账号", "金额", "身份证号", "摘要"]
    records = [dict(zip(titles, line.split("|"), strict=True)) for line in lines[2:]]
    return {"count": int(head[1]), "total": Decimal(head[3]), "batch": head[5], "part": head[6]}, records


def file_total(records: list[dict]) -> Decimal:
    return sum((Decimal(r["金额"]) for r in records), Decimal("0.00"))


def verify_manifest(folder: Path) -> list[str]:
    """What `sha256sum -c SHA256SUMS` does: every listed file exists and has that digest.
    Also: every file aidctl left in the folder is listed. Returns the listed names."""
    lines = (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    names = []
    for line in lines:
        m = re.fullmatch(r"([0-9a-f]{64})  (.+)", line)
        assert m, line
        digest, name = m.groups()
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
        names.append(name)
    on_disk = sorted(p.name for p in folder.iterdir()
                     if p.is_file() and p.name != "SHA256SUMS" and not p.name.startswith("."))
    assert sorted(names) == on_disk
    return names


def assert_money(value: str) -> None:
    assert isinstance(value, str) and MONEY.match(value), value


def refused_by_name(doc: dict, name: str) -> dict:
    hits = [r for r in doc["refused"] if r["name"] == name]
    assert len(hits) == 1, doc["refused"]
    return hits[0]


def assert_refused(doc: dict, name: str, *, code: str) -> dict:
    """The record of `name` is refused with `code`, and paid nowhere in this run."""
    r = refused_by_name(doc, name)
    assert code in r["codes"], r
    assert name not in {p["name"] for p in doc["payments"]}
    return r


def hs_row(i: int, tier: str = "一档", **over) -> dict:
    row = {"序号": i, "姓名": f"高中生{hanzi(i)}", "性别": "男", "身份证号": make_id("19950601", seq=300 + 2 * i),
           "年级": "高一", "困难等级": tier, "学籍状态": "在籍", "资助项目": "普高国家助学金",
           "金额": HS_STANDARD[tier], "账号": make_card(seed=500 + i)}
    row.update(over)
    return row


def five_with_one_bad(tmp_path: Path, db: str | None = None) -> Path:
    """Four clean students and one whose ID check character is wrong."""
    rows = [voc_row(i) for i in range(1, 5)] + [voc_row(5, 身份证号码=BAD_ID, 姓名="错号生")]
    return make_ws(tmp_path, {"a.xlsx": rows}, db=db)


# --- dry run ---------------------------------------------------------------------------------------

def test_dry_run_writes_nothing_and_lists_what_would_be_paid(tmp_path, run):
    root = five_with_one_bad(tmp_path)
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    doc = disburse(run, root, "--dry-run", expect=1)

    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before
    assert not (root / "aidctl.db").exists() and not (root / "out").exists()

    assert doc["version"] == 1 and doc["term"] == TERM
    assert doc["batch"] is None and doc["dry_run"] is True
    assert doc["files"] == [] and doc["already_paid"] == []
    assert len(doc["payments"]) == 4
    for i, p in enumerate(doc["payments"], start=1):
        assert {"id_number", "name", "school", "programme", "amount", "file", "row"} <= set(p)
        assert p["id_number"] == make_id(seq=100 + 2 * i) and p["name"] == f"学生{hanzi(i)}"
        assert p["school"] == SCHOOL and p["programme"] == "中职国家助学金"
        assert p["amount"] == "750.00"
        assert Path(p["file"]).name == "a.xlsx" and p["row"] == 3 + i   # header on row 3
    r = refused_by_name(doc, "错号生")
    assert r == {"id_number": BAD_ID, "name": "错号生", "file": r["file"], "row": 8, "codes": ["id.checksum"]}
    assert Path(r["file"]).name == "a.xlsx"
    assert doc["totals"] == {"payments": 4, "amount": "3000.00"}


def test_dry_run_with_nothing_refused_exits_0_and_keeps_money_two_decimals(tmp_path, run):
    rows = [hs_row(1, "一档"), hs_row(2, "二档"), hs_row(3, "三档")]
    root = make_ws(tmp_path, {"h.xlsx": rows}, headers=HS_HEADERS, school="第一中学")
    doc = disburse(run, root, "--dry-run", expect=0)
    assert [p["amount"] for p in doc["payments"]] == ["1000.00", "750.00", "500.00"]
    assert doc["totals"] == {"payments": 3, "amount": "2250.00"}
    for p in doc["payments"]:
        assert_money(p["amount"])
    assert not (root / "aidctl.db").exists()


# --- a real run ------------------------------------------------------------------------------------

def test_real_run_records_one_batch_writes_a_balanced_bank_file_manifest_and_workbook(tmp_path, run, ledger_db):
    root = five_with_one_bad(tmp_path, ledger_db)
    doc = disburse(run, root, expect=1)   # one record refused: exit 1, the others paid
    batch = doc["batch"]
    assert batch and doc["dry_run"] is False
    assert doc["totals"] == {"payments": 4, "amount": "3000.00"}

    # the ledger: one complete batch, one sent payment per eligible record, attempts to match
    assert ledger_rows(root, "SELECT id, term, status, payments, total_fen FROM batches") == \
        [(batch, TERM, "complete", 4, 300000)]
    pays = ledger_rows(root, "SELECT person, name, amount_fen, status, batch_id FROM payments ORDER BY id")
    assert [(p[0], p[2], p[3], p[4]) for p in pays] == \
        [(make_id(seq=100 + 2 * i), 75000, "sent", batch) for i in range(1, 5)]
    assert ledger_rows(root, "SELECT count(*), sum(amount_fen) FROM attempts WHERE status = 'sent'") == [(4, 300000)]

    # the bank file, read back from its GBK bytes
    files = bank_files(root)
    assert len(files) == 1 and doc["files"] == [str(files[0].relative_to(root))]
    assert files[0].parent == out_dir(root) and batch in files[0].name
    head, records = read_icbc(files[0])
    assert head["batch"] == batch
    assert head["count"] == len(records) == doc["totals"]["payments"]
    assert head["total"] == file_total(records) == Decimal(doc["totals"]["amount"])
    assert [r["身份证号"] for r in records] == [p["id_number"] for p in doc["payments"]]
    assert [r["序号"] for r in records] == ["1", "2", "3", "4"]
    assert {r["摘要"] for r in records} == {"2011年秋季学期中职国家助学金"}
    for r in records:
        assert_money(r["金额"])

    # SHA256SUMS covers the bank file and the workbook, and verifies
    listed = verify_manifest(out_dir(root))
    assert files[0].name in listed

    # the audit workbook
    report = root / doc["report"]
    assert report.name in listed
    wb = openpyxl.load_workbook(report)
    # issue 15: a 本次发放 sheet, and money as numbers (it was text: "3000.00")
    assert wb.sheetnames == ["汇总", "本次发放", "不予发放", "已发放", "失败未重发", "待复核"]
    summary = list(wb["汇总"].iter_rows(values_only=True))
    total_row = next(r for r in summary if r[0] == "合计")
    assert total_row[2] == 4 and total_row[3] == 3000
    assert (SCHOOL, "中职国家助学金", 4, 750 * 4) in [tuple(r[:4]) for r in summary]
    refused_rows = list(wb["不予发放"].iter_rows(min_row=2, values_only=True))
    assert len(refused_rows) == 1 and refused_rows[0][2] == "错号生" and "id.checksum" in refused_rows[0][4]
    assert refused_rows[0][3] == BAD_ID[:6] + "*" * 8 + BAD_ID[-4:]   # the ID column is masked


def test_the_batch_records_each_roster_by_its_own_digest(tmp_path, run):
    """The batch's inputs and the intake history hold each roster file's SHA-256, hashed on a thread
    beside the checks: each file under its own name."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1)], "b.xlsx": [voc_row(2)], "c.xlsx": [voc_row(3)]})
    disburse(run, root, expect=0)
    want = {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in (root / "intake" / TERM).glob("*.xlsx")}
    assert len(set(want.values())) == 3
    for table in ("batch_inputs", "submissions"):
        assert {Path(f).name: d for f, d in ledger_rows(root, f"SELECT file, sha256 FROM {table}")} == want


def test_real_run_with_nothing_refused_exits_0(tmp_path, run):
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 4)]})
    doc = disburse(run, root, expect=0)
    assert doc["refused"] == [] and doc["totals"] == {"payments": 3, "amount": "2250.00"}
    head, records = read_icbc(bank_files(root)[0])
    assert (head["count"], head["total"]) == (3, Decimal("2250.00"))


def test_a_roster_without_a_school_is_still_paid(tmp_path, run):
    """No title row and no 学校 column: the school is unknown, the JSON says null, the ledger NULL."""
    root = tmp_path / "ws"
    write_roster(root / "intake" / TERM / "a.xlsx", [voc_row(1), voc_row(2)], VOC_HEADERS)
    doc = disburse(run, root, expect=0)
    assert [p["school"] for p in doc["payments"]] == [None, None]
    assert ledger_rows(root, "SELECT count(*), sum(amount_fen) FROM payments WHERE school IS NULL") == [(2, 150000)]
    summary = list(openpyxl.load_workbook(root / doc["report"])["汇总"].iter_rows(values_only=True))
    assert ("（学校不明）", "中职国家助学金", 2, 1500) in [tuple(r[:4]) for r in summary]   # a number (issue 15)


# --- running again ---------------------------------------------------------------------------------

def test_second_run_pays_nobody_and_a_third_pays_only_the_new_student(tmp_path, run, ledger_db):
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 5)]}, db=ledger_db)
    first = disburse(run, root, expect=0)
    batch = first["batch"]

    again = disburse(run, root, expect=0)
    assert again["batch"] is None and again["payments"] == [] and again["files"] == []
    assert again["totals"] == {"payments": 0, "amount": "0.00"}
    assert sorted((a["id_number"], a["programme"], a["batch"]) for a in again["already_paid"]) == \
        sorted((make_id(seq=100 + 2 * i), "中职国家助学金", batch) for i in range(1, 5))
    assert ledger_rows(root, "SELECT count(*) FROM batches") == [(1,)]
    assert ledger_rows(root, "SELECT count(*) FROM payments") == [(4,)]
    assert len(bank_files(root)) == 1
    verify_manifest(out_dir(root))

    add_roster(root, "a.xlsx", [voc_row(i) for i in range(1, 6)])   # the school adds 学生五
    third = disburse(run, root, expect=0)
    assert [p["name"] for p in third["payments"]] == ["学生五"]
    assert third["batch"] not in (None, batch)
    assert len(third["already_paid"]) == 4
    assert ledger_rows(root, "SELECT count(*) FROM batches") == [(2,)]
    assert ledger_rows(root, "SELECT count(*), sum(amount_fen) FROM payments") == [(5, 375000)]
    new_file = [f for f in bank_files(root) if third["batch"] in f.name]
    assert len(new_file) == 1
    head, records = read_icbc(new_file[0])
    assert [r["户名"] for r in records] == ["学生五"] and head["total"] == Decimal("750.00")
    verify_manifest(out_dir(root))


def test_refused_records_never_reach_a_bank_file(tmp_path, run, ledger_db):
    root = five_with_one_bad(tmp_path, ledger_db)
    disburse(run, root, expect=1)
    disburse(run, root, expect=1)   # still refused on the rerun, still not paid
    for f in bank_files(root):
        text = f.read_bytes().decode("gbk")
        assert "错号生" not in text and BAD_ID not in text
    assert ledger_rows(root, "SELECT count(*) FROM payments WHERE person = ? OR name = ?", BAD_ID, "错号生") == [(0,)]


def test_two_programmes_for_one_student_the_fee_waiver_goes_to_the_school(tmp_path, run):
    student = voc_row(1)
    free = {k: v for k, v in student.items() if k != "户口性质"} | {
        "办学性质": "公办", "困难等级": "一档", "资助项目": "中职免学费", "资助金额（元）": 1000}
    root = make_ws(tmp_path, {"助学金.xlsx": [student, voc_row(2)]})
    add_roster(root, "免学费.xlsx", [free], headers=FREE_HEADERS)

    doc = disburse(run, root, expect=0)   # not an id.duplicate: another programme, the same school
    assert doc["refused"] == []
    assert doc["school_funded"] == 1
    assert {(p["id_number"], p["programme"]) for p in doc["payments"]} == \
        {(student["身份证号码"], "中职国家助学金"), (voc_row(2)["身份证号码"], "中职国家助学金")}
    assert doc["totals"] == {"payments": 2, "amount": "1500.00"}
    head, records = read_icbc(bank_files(root)[0])
    assert head["count"] == 2 and head["total"] == Decimal("1500.00")
    assert all("免学费" not in r["摘要"] for r in records)
    assert ledger_rows(root, "SELECT count(*) FROM payments WHERE programme = '中职免学费'") == [(0,)]
    summary = list(openpyxl.load_workbook(root / doc["report"])["汇总"].iter_rows(values_only=True))
    assert ("拨付学校的项目（不入学生银行文件）", 1) in [tuple(r[:2]) for r in summary]


# --- crash consistency -----------------------------------------------------------------------------

def cut_before_files(root: Path, monkeypatch) -> str:
    """Run disburse with a power cut after the ledger's first transaction and before any file is
    written (put_in_place); returns the batch it left recorded."""
    calls = []

    def power_cut(*args, **kwargs):
        calls.append(args[2])
        raise RuntimeError("断电")

    with monkeypatch.context() as m:
        m.setattr(E, "put_in_place", power_cut)
        with pytest.raises(RuntimeError, match="断电"):
            D.disburse(Workspace(root), Term.parse(TERM), operator="测试")
    assert len(calls) == 1
    return calls[0]


def test_a_crash_after_the_ledger_and_before_the_files_is_completed_by_the_next_run(tmp_path, run, monkeypatch, ledger_db):
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 6)]}, db=ledger_db)
    batch = cut_before_files(root, monkeypatch)

    assert ledger_rows(root, "SELECT id, status, payments, total_fen FROM batches") == [(batch, "recorded", 5, 375000)]
    assert ledger_rows(root, "SELECT DISTINCT status FROM payments") == [("pending",)]
    assert ledger_rows(root, "SELECT DISTINCT status FROM attempts") == [("pending",)]
    assert bank_files(root) == [] and bank_files(root, "*.part") == []

    # a dry run meanwhile sees the recorded batch as under way: it would pay nobody
    dry = disburse(run, root, "--dry-run", expect=0)
    assert dry["payments"] == [] and {a["batch"] for a in dry["already_paid"]} == {batch}

    monkeypatch.undo()
    doc = disburse(run, root, expect=0)
    assert doc["recovered_batches"] == [batch]
    assert doc["batch"] is None and doc["payments"] == []
    assert len(doc["already_paid"]) == 5
    files = bank_files(root)
    assert len(files) == 1 and batch in files[0].name
    head, records = read_icbc(files[0])
    assert head["count"] == 5 and head["total"] == Decimal("3750.00") == file_total(records)
    verify_manifest(out_dir(root))
    assert ledger_rows(root, "SELECT status FROM batches") == [("complete",)]
    assert ledger_rows(root, "SELECT DISTINCT status FROM payments") == [("sent",)]
    assert ledger_rows(root, "SELECT count(*), count(DISTINCT person) FROM payments") == [(5, 5)]
    assert ledger_rows(root, "SELECT count(*) FROM attempts") == [(5,)]


@pytest.mark.parametrize("figure, said", [("total_fen", "银行文件金额"), ("declared_total_fen", "银行文件汇总行金额"),
                                           ("count", "银行文件笔数")])
def test_bank_files_that_disagree_with_the_ledger_are_not_written(tmp_path, run, monkeypatch, figure, said):
    """The bank files' totals, as read back from what was rendered (the amounts, the header's or
    trailer's sum, the count), must equal the ledger's and the plan's before any file is written. A
    renderer one fen or one record out stops the run: no bank file, no manifest entry, the batch left
    recorded and its payments pending; the next run renders the files again from the ledger and
    completes it."""
    import dataclasses

    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 4)]})
    real = E.render_batch

    def one_out(*args, **kwargs):
        files = real(*args, **kwargs)
        return [dataclasses.replace(files[0], **{figure: getattr(files[0], figure) + 1}), *files[1:]]

    monkeypatch.setattr(E, "render_batch", one_out)
    code, out, err = run("disburse", "--term", TERM, "--workspace", root)
    assert code == 2 and "合计不符" in err and said in err, err
    assert bank_files(root) == [] and not (out_dir(root) / "SHA256SUMS").exists()
    assert ledger_rows(root, "SELECT status FROM batches") == [("recorded",)]
    assert ledger_rows(root, "SELECT DISTINCT status FROM payments") == [("pending",)]

    monkeypatch.undo()
    doc = disburse(run, root, expect=0)
    assert len(doc["recovered_batches"]) == 1 and doc["payments"] == []
    head, records = read_icbc(bank_files(root)[0])
    assert head["count"] == 3 and head["total"] == Decimal("2250.00") == file_total(records)
    verify_manifest(out_dir(root))


def test_the_workbook_is_written_while_the_ledger_marks_the_batch_sent(tmp_path, run, monkeypatch):
    """The audit workbook (and the CLI's document) are made while SQLite marks the batch sent; both
    are done when disburse returns, and a failure of the marking is the run's failure: the batch
    stays recorded, with its files and workbook in place, the command shows no outcome, and the
    next run completes the batch."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 4)]})
    marked = threading.Event()
    real = D.mark_sent

    def slow_mark(ledger, batch_id, *reissued):
        time.sleep(0.3)
        real(ledger, batch_id, *reissued)
        marked.set()

    seen = []
    monkeypatch.setattr(D, "mark_sent", slow_mark)
    import aidctl.pay.workbook as R
    real_report = R.write_payment_report
    monkeypatch.setattr(R, "write_payment_report",
                        lambda *a, **k: seen.append(marked.is_set()) or real_report(*a, **k))
    outcome = D.disburse(Workspace(root), Term.parse(TERM), operator="测试")
    assert seen == [False]                      # written while the marking ran …
    assert marked.is_set() and outcome.report.exists()  # … and both done on return
    assert ledger_rows(root, "SELECT status FROM batches") == [("complete",)]

    from aidctl.core.errors import AidctlError

    def broken(ledger, batch_id, *reissued):
        raise AidctlError("账本数据库写入失败，本次没有记录任何内容（磁盘已满）")

    monkeypatch.setattr(D, "mark_sent", broken)
    root = make_ws(tmp_path / "again", {"a.xlsx": [voc_row(i) for i in range(1, 4)]})
    with pytest.raises(AidctlError, match="磁盘已满"):
        D.disburse(Workspace(root), Term.parse(TERM), operator="测试")
    assert ledger_rows(root, "SELECT status FROM batches") == [("recorded",)]
    assert len(bank_files(root)) == 1 and list(out_dir(root).glob("*.xlsx"))
    for fmt in ("json", "table"):  # the command shows nothing as paid: one error line, exit 2
        fresh = make_ws(tmp_path / fmt, {"a.xlsx": [voc_row(i) for i in range(1, 4)]})
        code, out, err = run("disburse", "--term", TERM, "--workspace", fresh, "--format", fmt)
        assert (code, out) == (2, ""), (code, out, err)
        assert "磁盘已满" in err and ledger_rows(fresh, "SELECT status FROM batches") == [("recorded",)]
    monkeypatch.setattr(D, "mark_sent", real)
    doc = disburse(run, root, expect=0)
    assert len(doc["recovered_batches"]) == 1 and doc["payments"] == []
    assert ledger_rows(root, "SELECT status FROM batches") == [("complete",)]
    assert ledger_rows(root, "SELECT DISTINCT status FROM payments") == [("sent",)]


def test_a_batch_the_ledger_refuses_leaves_no_workbook(tmp_path, monkeypatch):
    """The workbook is made while the batch is recorded: when the recording fails, the workbook
    (which would list a batch that does not exist) is not written, not even half, and the next run
    pays and writes it."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 4)]})
    real = D.execute
    started = threading.Event()
    import aidctl.pay.workbook as R
    real_report = R.write_payment_report
    monkeypatch.setattr(R, "write_payment_report", lambda *a, **k: started.set() or real_report(*a, **k))

    def refused(*a, **k):
        assert started.wait(5)             # the workbook is being made meanwhile
        time.sleep(0.2)
        raise E.AidctlError("账本拒绝了本批次（测试）")

    monkeypatch.setattr(D, "execute", refused)
    with pytest.raises(E.AidctlError, match="测试"):
        D.disburse(Workspace(root), Term.parse(TERM), operator="测试")
    assert not out_dir(root).exists() or not [p for p in out_dir(root).iterdir() if "发放审核" in p.name]
    assert ledger_rows(root, "SELECT count(*) FROM batches") == [(0,)]
    monkeypatch.setattr(D, "execute", real)
    outcome = D.disburse(Workspace(root), Term.parse(TERM), operator="测试")
    assert [p.name for p in out_dir(root).iterdir() if "发放审核" in p.name] == [outcome.report.name]
    rows = list(openpyxl.load_workbook(outcome.report)["汇总"].iter_rows(values_only=True))
    listed = [r[0] for r in rows if r[0] and str(r[0]).startswith("代发_")]
    assert sorted(listed) == sorted(p.name for p in outcome.files) and len(listed) == 1


KILLER = r"""
import contextlib, os, sys
import aidctl.core.files as F      # bankfiles.write_files writes each bank file through it
real = F.atomic_path
real_replace = os.replace
done = []

@contextlib.contextmanager
def killing(target):
    with real(target) as tmp:
        yield tmp
        if WHEN == "while_writing" and done:
            os._exit(137)          # the second file half-written under its temporary name
    done.append(target)
    if WHEN == "after_rename":
        os._exit(137)              # the first file renamed into place (in the staging folder), nothing else

def moving(src, dst):
    real_replace(src, dst)
    staged = [os.path.basename(os.path.dirname(str(p))).startswith(".staging-") for p in (src, dst)]
    if WHEN == "while_moving" and staged == [True, False]:
        os._exit(137)              # the first file of the batch moved into out/<term>/, the others not

WHEN = sys.argv[2]
F.atomic_path = killing
os.replace = moving
from aidctl.cli import app
app(["disburse", "--term", "2011-autumn", "--workspace", sys.argv[1], "--format", "json"])
"""


def staging(root: Path) -> list[Path]:
    return sorted(out_dir(root).glob(".staging-*")) if out_dir(root).is_dir() else []


@pytest.mark.parametrize("when", ["after_rename", "while_writing", "while_moving"])
def test_a_run_killed_while_writing_files_is_made_whole_by_the_next(tmp_path, run, when, ledger_db):
    """kill -9 while a batch's files are written (in the staging folder) or moved into out/<term>/:
    nothing of the batch looks ready (no file in out/, or the 正在写入 note beside them, and no
    SHA256SUMS); the next run writes the batch whole from the ledger, with its audit workbook."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 8)]}, db=ledger_db)
    workspace_profile(root, max_records=3)
    script = tmp_path / "killer.py"
    script.write_text(KILLER, encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script), str(root), when], capture_output=True, timeout=60)
    assert proc.returncode == 137, proc.stderr.decode()
    [(batch, status)] = ledger_rows(root, "SELECT id, status FROM batches")
    assert status == "recorded"
    assert not (out_dir(root) / "SHA256SUMS").exists()
    assert list(out_dir(root).glob("发放审核_*")) == []
    if when == "while_moving":   # one file moved in, and the note saying the batch is incomplete beside it
        assert len(bank_files(root, "代发_*.txt")) == 1
        assert [p.name for p in out_dir(root).glob("正在写入_*")] == [f"正在写入_{batch}_请勿发送.txt"]
    else:                        # nothing of the batch where a clerk picks files up
        assert bank_files(root, "代发_*.txt") == []
        [stage] = staging(root)
        assert stage.name == f".staging-{batch}" and len(list(stage.glob("代发_*.txt"))) == 1
        if when == "while_writing":
            assert list(stage.glob(".*.part"))

    doc = disburse(run, root, expect=0)
    assert doc["recovered_batches"] == [batch] and doc["payments"] == []
    assert bank_files(root, ".*.part") == [] and bank_files(root, "*.part") == []
    assert staging(root) == [] and list(out_dir(root).glob("正在写入_*")) == []
    files = bank_files(root, "代发_*.txt")
    assert len(files) == 3
    names = verify_manifest(out_dir(root))
    assert {f.name for f in files} <= set(names)
    assert_recovered_workbook(root, doc, batch, payments=7, amount="5250.00")
    total = Decimal("0.00")
    count = 0
    for f in files:
        head, records = read_icbc(f)
        assert head["count"] == len(records) and head["total"] == file_total(records)
        total += head["total"]
        count += head["count"]
    fen, n = ledger_rows(root, "SELECT sum(amount_fen), count(*) FROM payments")[0]
    assert (Decimal(fen) / 100, n) == (total, count) == (Decimal("5250.00"), 7)
    assert ledger_rows(root, "SELECT DISTINCT status FROM payments") == [("sent",)]


def assert_recovered_workbook(root: Path, doc: dict, batch: str, *, payments: int, amount: str) -> None:
    """The recovered batch has its 发放审核 workbook, listed in the JSON and in SHA256SUMS, whose
    汇总 counts the batch's payments (from the ledger) and lists its bank files with their digests."""
    report = out_dir(root) / f"发放审核_{TERM}_{batch}.xlsx"
    assert doc["recovered_reports"] == [str(report.relative_to(root))]
    assert report.name in verify_manifest(out_dir(root))
    summary = list(openpyxl.load_workbook(report)["汇总"].iter_rows(values_only=True))
    assert f"批次：{batch}" in summary[1][0]
    total_row = next(r for r in summary if r[0] == "合计")
    assert total_row[2] == payments and isinstance(total_row[3], (int, float))   # money is a number
    assert Decimal(str(total_row[3])).quantize(Decimal("0.01")) == Decimal(amount)
    listed = {r[0]: r[1] for r in summary if r[0] and str(r[0]).startswith("代发_")}
    assert listed and all(batch in name for name in listed)
    assert listed == {f.name: hashlib.sha256(f.read_bytes()).hexdigest()
                      for f in bank_files(root, "代发_*") if batch in f.name}


# --- totals always balance -------------------------------------------------------------------------

@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tiers=st.lists(st.sampled_from(list(HS_STANDARD)), min_size=1, max_size=30),
       wrong=st.sets(st.integers(0, 29), max_size=3), as_text=st.booleans())
def test_totals_always_balance(tiers, wrong, as_text):
    rows = []
    for i, tier in enumerate(tiers, start=1):
        amount = HS_STANDARD[tier] + (1 if i - 1 in wrong else 0)   # a wrong amount is refused
        rows.append(hs_row(i, tier, 金额=f"{amount}.00" if as_text else amount))
    with tempfile.TemporaryDirectory() as tmp:
        root = make_ws(Path(tmp), {"h.xlsx": rows}, headers=HS_HEADERS, school="第一中学")
        outcome = D.disburse(Workspace(root), Term.parse(TERM), operator="测试")
        doc = outcome.to_json(root)
        expected = [HS_STANDARD[t] for i, t in enumerate(tiers) if i not in wrong]
        assert len(doc["refused"]) == len(tiers) - len(expected)
        assert doc["totals"]["payments"] == len(expected)
        json_total = Decimal(doc["totals"]["amount"])
        assert json_total == sum((Decimal(p["amount"]) for p in doc["payments"]), Decimal("0.00"))
        assert json_total == sum(expected)
        if not expected:
            assert doc["batch"] is None and bank_files(root) == []
            return
        head, records = read_icbc(bank_files(root)[0])
        assert head["count"] == len(records) == len(expected)
        assert head["total"] == file_total(records) == json_total
        fen, n = ledger_rows(root, "SELECT sum(amount_fen), count(*) FROM payments")[0]
        assert Decimal(fen) / 100 == json_total and n == len(expected)


# --- bank.unwritable -------------------------------------------------------------------------------

RARE = "李䶮"   # 䶮 (U+4DAE) is in CJK Extension A: not in GBK, in GB18030


def test_a_name_the_bank_encoding_cannot_carry_is_refused_before_anything_is_written(tmp_path, run):
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1, 姓名=RARE)]})
    dry = disburse(run, root, "--dry-run", expect=1)
    r = assert_refused(dry, RARE, code="bank.unwritable")
    assert r["codes"] == ["bank.unwritable"] and r["row"] == 4

    doc = disburse(run, root, expect=1)
    assert_refused(doc, RARE, code="bank.unwritable")
    assert doc["batch"] is None and doc["payments"] == []
    assert ledger_rows(root, "SELECT count(*) FROM batches") == [(0,)]
    assert ledger_rows(root, "SELECT count(*) FROM payments") == [(0,)]
    assert bank_files(root) == []
    wb = openpyxl.load_workbook(root / doc["report"])
    rows = list(wb["不予发放"].iter_rows(min_row=2, values_only=True))
    assert rows[0][2] == RARE and rows[0][4] == "bank.unwritable" and rows[0][5]


def test_others_are_paid_and_the_file_has_no_replacement_characters(tmp_path, run):
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1), voc_row(2, 姓名=RARE), voc_row(3)]})
    doc = disburse(run, root, expect=1)
    assert_refused(doc, RARE, code="bank.unwritable")
    content = bank_files(root)[0].read_bytes()
    assert b"?" not in content
    text = content.decode("gbk")
    assert "李" not in text and "学生一" in text and "学生三" in text
    head, records = read_icbc(bank_files(root)[0])
    assert head["count"] == 2 and head["total"] == Decimal("1500.00")


def test_with_gb18030_allowed_the_rare_name_is_paid_intact(tmp_path, run):
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1), voc_row(2, 姓名=RARE)]})
    workspace_profile(root, allow_gb18030=True)
    doc = disburse(run, root, expect=0)
    assert RARE in {p["name"] for p in doc["payments"]}
    content = bank_files(root)[0].read_bytes()
    assert b"?" not in content
    head, records = read_icbc(bank_files(root)[0], encoding="gb18030")
    assert [r["户名"] for r in records] == ["学生一", RARE]
    assert head["count"] == 2 and head["total"] == Decimal("1500.00")
    assert ledger_rows(root, "SELECT name FROM payments ORDER BY id") == [("学生一",), (RARE,)]



# • (U+2022), 〻 (U+303B, of U+3018–303F) and ･ (U+FF65, half-width katakana; read as ・ U+30FB) were once
# taken as written by GBK: the plan passed them, the ledger took the batch, and the GBK file then broke
NOT_IN_GBK = {5: "热依拉•艾力", 6: "迪丽热巴･迪力木拉提", 7: "王〻"}   # Excel row → name


def test_names_with_characters_gbk_lacks_are_refused_and_never_recorded(tmp_path, run):
    rows = [voc_row(1, 姓名="张三"), *(voc_row(i, 姓名=n) for i, n in zip((2, 3, 4), NOT_IN_GBK.values())),
            voc_row(5, 姓名="李四")]
    root = make_ws(tmp_path, {"a.xlsx": rows})
    dry = disburse(run, root, dry=True, expect=1)
    assert {r["row"]: r["codes"] for r in dry["refused"]} == {row: ["bank.unwritable"] for row in NOT_IN_GBK}
    assert [p["name"] for p in dry["payments"]] == ["张三", "李四"]

    doc = disburse(run, root, expect=1)   # the others are paid; those three are recorded nowhere
    assert "内部错误" not in doc["_err"]
    assert {r["row"]: r["codes"] for r in doc["refused"]} == {row: ["bank.unwritable"] for row in NOT_IN_GBK}
    assert ledger_rows(root, "SELECT id, status FROM batches") == [(doc["batch"], "complete")]
    assert ledger_rows(root, "SELECT name, status FROM payments ORDER BY id") == [("张三", "sent"), ("李四", "sent")]
    head, records = read_icbc(bank_files(root)[0])
    assert [r["户名"] for r in records] == ["张三", "李四"] and head["total"] == Decimal("1500.00")

    # a term of only such names records no batch at all
    alone = make_ws(tmp_path, {"a.xlsx": [voc_row(i, 姓名=n) for i, n in enumerate(NOT_IN_GBK.values(), 1)]},
                    name="alone")
    doc = disburse(run, alone, expect=1)
    assert doc["batch"] is None and len(doc["refused"]) == 3 and "内部错误" not in doc["_err"]
    assert ledger_rows(alone, "SELECT count(*) FROM batches") == [(0,)] and bank_files(alone) == []


def test_a_batch_the_renderer_refuses_is_not_recorded(tmp_path, run, monkeypatch):
    """Should the plan's check ever pass a record the renderer refuses (as an older aidctl's did), the
    batch's files are rendered before its transaction commits: the run stops with a clear message
    (exit 2) and nothing is recorded, never a batch left `recorded` with files that cannot be made."""
    import aidctl.pay.plan as P

    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1, 姓名="张三"), voc_row(2, 姓名="热依拉•艾力")]})
    monkeypatch.setattr(P, "unwritable", lambda profile, records: pd.Series(None, index=records.index, dtype=object))
    code, out, err = run("disburse", "--term", TERM, "--workspace", root)
    assert ledger_rows(root, "SELECT count(*) FROM batches") == [(0,)]
    assert ledger_rows(root, "SELECT count(*) FROM payments") == [(0,)]
    assert bank_files(root) == []
    assert code == 2 and "内部错误" not in err and "UnicodeEncodeError" not in err, err
    [line] = err.strip().splitlines()
    assert "热依拉•艾力" in line and "U+2022" in line and "本次没有记录任何内容" in line


# --- routing by 开户银行 ----------------------------------------------------------------------------

def test_each_record_goes_to_its_banks_profile_or_is_refused_as_bank_unknown(tmp_path, run):
    headers = VOC_HEADERS + ["开户银行"]
    rows = [voc_row(1, 开户银行="某某村镇银行"), voc_row(2, 开户银行="建设银行"),
            voc_row(3, 开户银行=None), voc_row(4, 开户银行="中国建设银行"), voc_row(5)]
    root = make_ws(tmp_path, {"a.xlsx": rows}, headers=headers, toml='bank_profile = "abc-fixed"\n')
    doc = disburse(run, root, expect=1)
    r = assert_refused(doc, "学生一", code="bank.unknown")
    assert r["codes"] == ["bank.unknown"]
    assert {p["name"]: p["bank_profile"] for p in doc["payments"]} == \
        {"学生二": "ccb-xlsx", "学生三": "abc-fixed", "学生四": "ccb-xlsx", "学生五": "abc-fixed"}
    assert doc["totals"] == {"payments": 4, "amount": "3000.00"}

    ccb = sorted(out_dir(root).glob("代发_建设银行_*.xlsx"))
    abc = sorted(out_dir(root).glob("DF_ABC_*.dat"))
    assert len(ccb) == 1 and len(abc) == 1
    assert sorted(doc["files"]) == sorted(str(p.relative_to(root)) for p in ccb + abc)
    verify_manifest(out_dir(root))

    sheet = openpyxl.load_workbook(ccb[0]).active
    cells = list(sheet.iter_rows(values_only=True))
    assert cells[1][:4] == ("总笔数", "2", "总金额", "1500.00")
    assert cells[2][:4] == ("序号", "收款人账号", "收款人姓名", "金额")
    assert [(c[2], c[3]) for c in cells[3:]] == [("学生二", "750.00"), ("学生四", "750.00")]
    assert [c[1] for c in cells[3:]] == [voc_row(2)["银行卡号"], voc_row(4)["银行卡号"]]  # text, all digits

    lines = abc[0].read_bytes().split(b"\r\n")
    assert lines[-1] == b""
    header, *records, trailer = lines[:-1]
    assert len(records) == 2
    assert {len(r) for r in records} == {8 + 19 + 20 + 12 + 18 + 40}
    assert header.decode("gbk")[9:] == "00000002000000000150000"   # H + date, then count and fen
    assert trailer.decode("gbk") == "T00000002000000000150000"
    assert [r[47:59].decode("gbk") for r in records] == ["000000075000"] * 2
    assert [r[27:47].decode("gbk").rstrip() for r in records] == ["学生三", "学生五"]
    assert "学生一" not in abc[0].read_bytes().decode("gbk")


def test_a_bank_name_holding_the_banks_of_two_profiles_is_refused_never_settled_by_their_order(tmp_path, run):
    headers = VOC_HEADERS + ["开户银行"]
    rows = [voc_row(1, 开户银行="中国建设银行城关支行"), voc_row(2, 开户银行="建设银行（工商银行代发）"),
            voc_row(3, 开户银行="工商银行")]
    root = make_ws(tmp_path, {"a.xlsx": rows}, headers=headers, toml='bank_profile = "abc-fixed"\n')
    doc = disburse(run, root, expect=1)
    assert {p["name"]: p["bank_profile"] for p in doc["payments"]} == {"学生一": "ccb-xlsx", "学生三": "icbc-txt"}
    assert assert_refused(doc, "学生二", code="bank.unknown")["codes"] == ["bank.unknown"]
    sheet = openpyxl.load_workbook(root / doc["report"])["不予发放"]
    said = [r[5] for r in sheet.iter_rows(min_row=2, values_only=True) if r[2] == "学生二"]
    assert said == ["开户银行“建设银行(工商银行代发)”没有对应的报盘格式，或对应不止一个（rules/banks/ 的 bank_names）"]  # folded


@pytest.mark.parametrize("dry", [True, False])
def test_a_school_schools_xlsx_cannot_tell_is_said_aloud_by_disburse(tmp_path, run, dry):
    """Two 第一职业中学 in schools.xlsx, in two counties: the payments are made (both are 中职), their
    county is nobody's choice, and disburse says so as validate does (dry run or not)."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1), voc_row(2)]})
    write_roster(root / "schools.xlsx", [
        {"学校代码": "3101", "学校名称": SCHOOL, "学校类型": "中职", "所属县区": "城关区"},
        {"学校代码": "3901", "学校名称": SCHOOL, "学校类型": "中职", "所属县区": "西山县"}])
    doc = disburse(run, root, expect=0, dry=dry)
    said = [n for n in doc["notes"] if "schools.xlsx" in n]
    assert len(said) == 1 and said[0].startswith(f"2 条记录的学校 “{SCHOOL}” 在 schools.xlsx 中是不止一所学校"), doc["notes"]
    assert "aidctl: 提醒：" + said[0] in doc["_err"]
    assert len(doc["payments"]) == 2


@pytest.mark.parametrize("chosen", [None, "--bank", "aidctl.toml", "rules/banks"])
def test_the_packaged_default_bank_is_said_aloud_where_nobody_chose_it(tmp_path, run, chosen):
    """Records with no 开户银行 go to the agent bank: --bank, else aidctl.toml's bank_profile, else the
    rule files' default. Only the packaged default is nobody's choice: then the run says so."""
    headers = VOC_HEADERS + ["开户银行"]
    rows = [voc_row(1, 开户银行="建设银行"), voc_row(2, 开户银行=None), voc_row(3, 开户银行=None)]
    toml = 'bank_profile = "icbc-txt"\n' if chosen == "aidctl.toml" else ""
    root = make_ws(tmp_path, {"a.xlsx": rows}, headers=headers, toml=toml)
    if chosen == "rules/banks":  # the workspace's own copy of the default profile
        (root / "rules" / "banks").mkdir(parents=True)
        shutil.copy(packaged_rules_dir() / "banks" / "icbc-txt.yaml", root / "rules" / "banks")
    doc = disburse(run, root, *(["--bank", "icbc-txt"] if chosen == "--bank" else []), expect=0, dry=True)
    said = [n for n in doc["notes"] if "默认的银行格式" in n]
    if chosen is None:
        assert said == ["2 笔付款的花名册没有填写开户银行，本次也没有用 --bank 指定、工作目录的 aidctl.toml 没有设 "
                        "bank_profile：按默认的银行格式“工商银行批量代发（文本）”（icbc-txt）发放"]
        assert "aidctl: 提醒：" + said[0] in doc["_err"]
    else:
        assert said == []
    assert sorted(p["bank_profile"] for p in doc["payments"]) == \
        (["icbc-txt"] * 3 if chosen == "--bank" else ["ccb-xlsx", "icbc-txt", "icbc-txt"])


# --- ISO 20022 --------------------------------------------------------------------------------------

def test_iso20022_without_a_payer_account_stops_naming_aidctl_toml(tmp_path, run):
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1), voc_row(2)]})
    code, out, err = run("disburse", "--term", TERM, "--workspace", root, "--bank", "iso20022")
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "aidctl.toml" in lines[0] and "payer_account" in lines[0]
    assert "Traceback" not in err
    assert not out_dir(root).exists() or not any(out_dir(root).iterdir())
    if (root / "aidctl.db").exists():
        assert ledger_rows(root, "SELECT count(*) FROM batches") == [(0,)]


def test_iso20022_writes_a_pain001_whose_control_sums_match(tmp_path, run):
    # markup in the payer's name is escaped (a student's name holds none: name.invalid)
    toml = 'payer_name = "某市学生资助管理中心（A&B<中心>）"\npayer_account = "9558800000000000001"\n'
    rows = [hs_row(1, "一档"), hs_row(2, "二档"), hs_row(3, "三档", 姓名="阿依古丽·买买提")]
    root = make_ws(tmp_path, {"h.xlsx": rows}, headers=HS_HEADERS, school="第一中学", toml=toml)
    doc = disburse(run, root, "--bank", "iso20022", expect=0)
    files = sorted(out_dir(root).glob("pain001_*.xml"))
    assert len(files) == 1
    ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
    tree = ElementTree.parse(files[0]).getroot()
    for path in ("p:CstmrCdtTrfInitn/p:GrpHdr", "p:CstmrCdtTrfInitn/p:PmtInf"):
        node = tree.find(path, ns)
        assert int(node.find("p:NbOfTxs", ns).text) == doc["totals"]["payments"] == 3
        assert Decimal(node.find("p:CtrlSum", ns).text) == Decimal(doc["totals"]["amount"]) == Decimal("2250.00")
    txs = tree.findall(".//p:CdtTrfTxInf", ns)
    assert sum(Decimal(t.find("p:Amt/p:InstdAmt", ns).text) for t in txs) == Decimal("2250.00")
    assert [t.find("p:PmtId/p:EndToEndId", ns).text for t in txs] == [f"{doc['batch']}-{i}" for i in (1, 2, 3)]
    assert [t.find("p:Cdtr/p:Nm", ns).text for t in txs] == ["高中生一", "高中生二", "阿依古丽·买买提"]
    assert tree.find(".//p:Dbtr/p:Nm", ns).text == "某市学生资助管理中心（A&B<中心>）"
    assert tree.find(".//p:DbtrAcct/p:Id/p:Othr/p:Id", ns).text == "9558800000000000001"


# --- split files -----------------------------------------------------------------------------------

def test_a_batch_larger_than_max_records_is_split_into_balanced_files(tmp_path, run):
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 8)]})
    workspace_profile(root, max_records=3)
    doc = disburse(run, root, expect=0)
    files = bank_files(root)
    assert len(files) == 3 and len({f.name for f in files}) == 3
    assert sorted(doc["files"]) == sorted(str(f.relative_to(root)) for f in files)
    seen = []
    for part, f in enumerate(files, start=1):
        head, records = read_icbc(f)
        assert head["count"] == len(records) and head["total"] == file_total(records)
        assert head["part"] == f"第{part}/3个文件"
        seen += [r["序号"] for r in records]
    assert [len(read_icbc(f)[1]) for f in files] == [3, 3, 1]
    assert seen == [str(i) for i in range(1, 8)]
    assert sum(read_icbc(f)[0]["total"] for f in files) == Decimal(doc["totals"]["amount"]) == Decimal("5250.00")
    verify_manifest(out_dir(root))


# --- one run at a time -----------------------------------------------------------------------------

def test_a_second_run_while_one_holds_the_lock_stops_and_writes_nothing(tmp_path, run, ledger_db):
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1), voc_row(2)]}, db=ledger_db)
    with workspace_lock(root):
        code, out, err = run("disburse", "--term", TERM, "--workspace", root)
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "另一个 aidctl 发放任务正在运行" in lines[0] and "--wait" in lines[0]
    assert not (root / "aidctl.db").exists() and not (root / "out").exists()


def test_with_wait_the_run_goes_ahead_once_the_lock_is_released(tmp_path, run):
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1), voc_row(2)]})
    held, release = threading.Event(), threading.Event()

    def holder():
        with workspace_lock(root):
            held.set()
            release.wait(10)

    t = threading.Thread(target=holder)
    t.start()
    assert held.wait(5)
    threading.Timer(1.0, release.set).start()
    started = time.monotonic()
    try:
        doc = disburse(run, root, "--wait", "5", expect=0)
    finally:
        release.set()
        t.join(5)
    assert time.monotonic() - started >= 0.9
    assert doc["totals"] == {"payments": 2, "amount": "1500.00"}
    assert len(bank_files(root)) == 1


# --- validate knows the ledger ---------------------------------------------------------------------

def test_validate_reports_students_already_paid_this_term(tmp_path, run):
    root = five_with_one_bad(tmp_path)
    first = disburse(run, root, expect=1)
    code, doc, err = run("validate", "--term", TERM, "--workspace", root, "--format", "json", as_json=True)
    assert code == 1, err
    paid = [f for f in doc["findings"] if f["code"] == "ledger.already_paid"]
    assert sorted(f["row"] for f in paid) == [4, 5, 6, 7]
    for f in paid:
        assert_finding(f, code="ledger.already_paid", severity="error", column="身份证号码")
        assert "中职国家助学金" in f["message"] and f"批次 {first['batch']} " in f["message"]
    # a payment the bank returned is not standing: its student may be paid again
    with sqlite3.connect(root / "aidctl.db") as conn:
        conn.execute("UPDATE payments SET status = 'failed' WHERE person = ?", (paid[0]["value"],))
    code, doc, err = run("validate", "--term", TERM, "--workspace", root, "--format", "json", as_json=True)
    assert sorted(f["row"] for f in doc["findings"] if f["code"] == "ledger.already_paid") == [5, 6, 7]
    # a student in another term's roster is not "already paid"
    other = tmp_path / "other"
    write_roster(other / "intake" / "2012-spring" / "a.xlsx", [voc_row(1)], VOC_HEADERS,
                 above=[[f"{SCHOOL}2012年春季学期受助学生名单"]])
    (other / "aidctl.db").write_bytes((root / "aidctl.db").read_bytes())
    code, doc, err = run("validate", "--term", "2012-spring", "--workspace", other, "--format", "json", as_json=True)
    assert [f for f in doc["findings"] if f["code"] == "ledger.already_paid"] == [], doc


def assert_finding(f: dict, *, code: str, severity: str, column: str | None) -> None:
    assert f["code"] == code and f["severity"] == severity and f["column"] == column, f
    assert re.search(r"[\u4e00-\u9fff]", f["message"])



def test_records_that_differ_from_the_ledger_write_no_file(tmp_path, monkeypatch, ledger_db):
    """put_in_place proves the records it renders against the ledger: amounts moved between
    records (same count and total), or a record missing, stop it before any file is written."""
    from aidctl.core.errors import AidctlError
    from aidctl.ledger import Ledger

    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 5)]}, db=ledger_db)
    batch = cut_before_files(root, monkeypatch)
    ws = Workspace(root)
    ledger = Ledger(ws.ledger_url())
    with ledger.connect() as conn:
        records = E.batch_records(conn, batch)
    moved = records.assign(amount_fen=records["amount_fen"] + [1, -1, 0, 0])  # same count and total
    dropped = records.iloc[1:]
    for bad in (moved, dropped):
        with pytest.raises(AidctlError, match="不一致"):
            E.put_in_place(ws, ledger, batch, records=bad)
        assert bank_files(root) == [] and bank_files(root, "*.part") == []
    assert E.put_in_place(ws, ledger, batch, records=records)  # the true records go through


def test_records_of_one_bank_profile_are_not_taken_for_the_whole_batch(tmp_path, monkeypatch, ledger_db):
    """A batch paid through two bank profiles: the records of one profile alone agree with the
    ledger for that profile, but not with the batch, and write no file."""
    from aidctl.core.errors import AidctlError
    from aidctl.ledger import Ledger

    rows = [voc_row(1, 开户银行="建设银行"), voc_row(2), voc_row(3, 开户银行="建设银行"), voc_row(4)]
    root = make_ws(tmp_path, {"a.xlsx": rows}, headers=VOC_HEADERS + ["开户银行"], db=ledger_db)
    batch = cut_before_files(root, monkeypatch)
    ws = Workspace(root)
    ledger = Ledger(ws.ledger_url())
    with ledger.connect() as conn:
        records = E.batch_records(conn, batch)
    assert set(records["bank_profile"]) == {"ccb-xlsx", "icbc-txt"}
    for pid in ("ccb-xlsx", "icbc-txt"):
        with pytest.raises(AidctlError, match="不一致"):
            E.put_in_place(ws, ledger, batch, records=records[records["bank_profile"] == pid])
        assert list(out_dir(root).glob("代发_*")) == []
    assert len(E.put_in_place(ws, ledger, batch, records=records)) == 2


def test_bulk_insert_writes_constants_as_given(tmp_path):
    """Values the same in every row are written into the statement as literals: a quote or a
    non-ASCII character in one arrives exactly, missing values arrive as NULL, and a column the
    table lacks is refused by name."""
    from sqlalchemy import insert

    from aidctl import ledger as L

    ledger = L.Ledger(f"sqlite:///{tmp_path / 'aidctl.db'}")
    rows = pd.DataFrame({"id": [1, 2], "programme": ["中职国家助学金"] * 2,
                         "person": ["110101200001011234", "110101200001015678"], "name": ["张三", "李四"],
                         "school": ["某校", None], "card": ["6222020000000000000"] * 2,
                         "bank_profile": ["icbc-txt"] * 2, "amount_fen": [75000, 50000]})
    odd = "O'Brien；甲--"
    with ledger.transaction() as conn:
        conn.execute(insert(L.batches).values(id="B1", term=TERM, created_at="2011-09-01T00:00:00",
                                              rules_fingerprint="f", status="recorded", payments=2,
                                              total_fen=125000))
        L.bulk_insert(conn, L.payments, rows, {"term": TERM, "status": "pending", "batch_id": "B1",
                                              "updated_at": odd})
        with pytest.raises(ValueError, match="no column"):
            L.bulk_insert(conn, L.payments, rows, {"created_at": odd})
    assert ledger_rows(tmp_path, "SELECT id, term, person, school, amount_fen, status, batch_id, updated_at "
                                 "FROM payments ORDER BY id") == [
        (1, TERM, "110101200001011234", "某校", 75000, "pending", "B1", odd),
        (2, TERM, "110101200001015678", None, 50000, "pending", "B1", odd)]


@pytest.mark.parametrize("odd", [None, "中职\x1f助学金", "中职\x1e助学金", ""])
def test_paid_keys_read_joined_are_the_rows_as_stored(tmp_path, odd):
    """SQLite hands the standing payments over as one text a column, cut apart by Arrow: every (person,
    programme, batch, status) comes back as stored, across batches, statuses and terms; a value
    holding a separator (no ID or programme name does), or a text longer than SQLite may make (here
    its limit set to 1,500 bytes), makes it read row by row, never misread. A
    failed payment comes with its card, id and reason."""
    from sqlalchemy import insert

    from aidctl import ledger as L

    ledger = L.Ledger(f"sqlite:///{tmp_path / 'aidctl.db'}")
    stored = []
    with ledger.transaction() as conn:
        n = 0
        for batch, term, statuses in (("B1", TERM, ["sent", "paid", "failed"]), ("B2", TERM, ["pending", "reissued"]),
                                      ("B3", "2012-spring", ["sent"])):
            conn.execute(insert(L.batches).values(id=batch, term=term, created_at="2011-09-01T00:00:00",
                                                  rules_fingerprint="f", status="complete", payments=0, total_fen=0))
            for status in statuses:
                for k in range(60):    # 60 pairs of about 40 bytes: 2,400 bytes a group
                    n += 1
                    programme = odd if (odd and n == 5) else ["中职国家助学金", "中职免学费"][k % 2]
                    row = {"id": n, "programme": programme, "person": f"11010120000101{n:04d}", "name": "某",
                           "card": f"62220{n}", "bank_profile": "icbc-txt", "amount_fen": 75000, "term": term,
                           "status": status, "batch_id": batch, "updated_at": "x",
                           "failure_reason": "户名不符" if status == "failed" else None}
                    conn.execute(insert(L.payments).values(**row))
                    if term == TERM:
                        stored.append(row)
    if odd is None:  # a text longer than SQLite may make is read row by row too
        import sqlite3

        from sqlalchemy import event

        event.listen(ledger.engine, "connect", lambda dbapi, _: dbapi.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 1500))
        ledger.engine.dispose()
    with ledger.connect() as conn:  # the row path only for what the joined texts cannot carry
        assert (L.store._joined_keys(conn, TERM) is None) == (odd is None or "\x1e" in odd)
    got = L.paid_keys(ledger, TERM)
    as_read = sorted(tuple(None if pd.isna(v) else v for v in r) for r in
                     got[["person", "programme", "batch", "status", "card", "payment_id", "failure_reason"]]
                     .astype(object).itertuples(index=False))
    assert as_read == sorted((r["person"], r["programme"], r["batch_id"], r["status"],
                              *((r["card"], r["id"], r["failure_reason"]) if r["status"] == "failed" else (None,) * 3))
                             for r in stored)


def test_paid_rows_match_both_person_and_programme():
    """The ledger's key is (person, programme): a student paid under one programme is not paid
    under another, another student under that programme is not either, and a blank matches nothing."""
    from aidctl.ledger import paid_rows

    known = pd.DataFrame({"person": ["A", "B", "C\x1fX"], "programme": ["甲", "乙", "甲"]}, index=[7, 3, 5])
    person = pd.Series(["B", "A", "A", "B", None, "A", "C", "C\x1fX", "C"], dtype="string")
    programme = pd.Series(["乙", "甲", "乙", "甲", "甲", None, "X\x1f甲", "甲", "X"], dtype="string")
    assert paid_rows(person, programme, known).tolist() == [1, 0, -1, -1, -1, -1, -1, 2, -1]


KEYS = st.sampled_from(["A", "B", "C", "AB", "甲", ""]) | st.none()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["A", "B", "C", "AB", "甲"]), st.sampled_from(["甲", "乙", "丙", "甲乙"])),
                unique=True, max_size=12),
       st.lists(st.tuples(KEYS, KEYS | st.sampled_from(["乙", "丙", "甲乙"])), max_size=20))
def test_paid_rows_is_a_lookup_of_the_pair(known_keys, records):
    """Whatever the programmes and however people repeat across them, each record finds the ledger
    row of exactly its (person, programme) pair, and a pair the ledger lacks finds none."""
    from aidctl.ledger import paid_rows

    known = pd.DataFrame(known_keys, columns=["person", "programme"], dtype="string")
    person = pd.Series([p for p, _ in records], dtype="string")
    programme = pd.Series([g for _, g in records], dtype="string")
    where = {pair: i for i, pair in enumerate(known_keys)}
    assert paid_rows(person, programme, known).tolist() == [where.get(pair, -1) for pair in records]


@pytest.mark.parametrize("per,slab", [(1, 100), (2, 100), (3, 100), (500, 100), (1, 2), (2, 2), (3, 1)])
def test_bulk_insert_takes_every_row_whatever_the_rows_per_statement(tmp_path, monkeypatch, per, slab):
    """Rows go to SQLite several to an INSERT, made into Python values a slab of statements at a
    time; whole statements, slabs and the remainder together hold every row, each value in its column."""
    from sqlalchemy import insert

    from aidctl import ledger as L
    from aidctl.ledger import store

    monkeypatch.setattr(store, "ROWS_PER_STATEMENT", per)
    monkeypatch.setattr(store, "SLAB_STATEMENTS", slab)
    ledger = L.Ledger(f"sqlite:///{tmp_path / 'aidctl.db'}")
    n = 7
    rows = pd.DataFrame({"id": range(1, n + 1), "programme": ["中职国家助学金"] * n,
                         "person": [f"11010120000101{i:04d}" for i in range(n)], "name": [f"学生{hanzi(i)}" for i in range(n)],
                         "school": [None if i % 3 else f"学校{i}" for i in range(n)], "card": [f"62220{i}" for i in range(n)],
                         "bank_profile": ["icbc-txt"] * n, "amount_fen": [75000 + i for i in range(n)]})
    with ledger.transaction() as conn:
        conn.execute(insert(L.batches).values(id="B1", term=TERM, created_at="2011-09-01T00:00:00",
                                              rules_fingerprint="f", status="recorded", payments=n, total_fen=1))
        L.bulk_insert(conn, L.payments, rows, {"term": TERM, "status": "pending", "batch_id": "B1",
                                              "updated_at": "2011-09-01T00:00:00"})
    assert ledger_rows(tmp_path, "SELECT id, person, name, school, card, amount_fen FROM payments ORDER BY id") == [
        (i + 1, f"11010120000101{i:04d}", f"学生{hanzi(i)}", None if i % 3 else f"学校{i}", f"62220{i}", 75000 + i)
        for i in range(n)]


def test_bulk_insert_fails_as_sqlalchemy_would_and_leaves_nothing(tmp_path):
    """The SQLite fast path hands rows to the driver itself; a duplicate still raises SQLAlchemy's
    IntegrityError (what the callers handle), named by a statement of one row, and the transaction
    leaves nothing behind, the rows of statements that went through included."""
    from sqlalchemy import insert
    from sqlalchemy.exc import IntegrityError

    from aidctl import ledger as L

    ledger = L.Ledger(f"sqlite:///{tmp_path / 'aidctl.db'}")
    row = {"id": 1, "term": TERM, "programme": "中职国家助学金", "person": "110101200001011234", "name": "张三",
           "card": "6222020000000000000", "bank_profile": "icbc-txt", "amount_fen": 75000, "status": "pending",
           "batch_id": "B1", "updated_at": "2011-09-01T00:00:00"}
    rows = [row | {"id": i, "person": f"11010120000101{i:04d}"} for i in range(1, 1201)]
    rows.append(rows[0] | {"id": 1201})  # the first student again, after two whole statements of 500
    with pytest.raises(IntegrityError, match="UNIQUE") as caught, ledger.transaction() as conn:
        conn.execute(insert(L.batches).values(id="B1", term=TERM, created_at="2011-09-01T00:00:00",
                                              rules_fingerprint="f", status="recorded", payments=2,
                                              total_fen=150000))
        L.bulk_insert(conn, L.payments, pd.DataFrame(rows))
    assert "INSERT INTO payments" in str(caught.value) and len(str(caught.value)) < 1_000
    assert ledger_rows(tmp_path, "SELECT count(*) FROM batches") == [(0,)]
    assert ledger_rows(tmp_path, "SELECT count(*) FROM payments") == [(0,)]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["中职国家助学金", "普高国家助学金", "Z", "\uffff", "\U00010000"]),
                          st.text(st.characters(codec="utf-8"), max_size=4)), max_size=30))
def test_key_order_is_sqlite_index_order(rows):
    """New payments are numbered in the order of the ledger's unique index: (programme, person) as
    UTF-8 bytes, ties kept in plan order; SQLite itself is the oracle."""
    programme = pd.Series([r[0] for r in rows], dtype=object)
    person = pd.Series([r[1] for r in rows], dtype=object)
    with sqlite3.connect(":memory:") as con:
        con.execute("CREATE TABLE t (i INTEGER, programme TEXT, person TEXT)")
        con.executemany("INSERT INTO t VALUES (?, ?, ?)", [(i, *r) for i, r in enumerate(rows)])
        expected = [i for (i,) in con.execute("SELECT i FROM t ORDER BY programme, person, i")]
    assert E._key_order(programme, person).tolist() == expected


def test_an_interrupt_says_what_it_leaves(tmp_path, run, monkeypatch, ledger_db):
    """Ctrl-C during a disburse: exit 130, one line that promises only what holds (no half-written
    file; a batch already in the ledger is completed by the next run), and the next run does so."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 4)]}, db=ledger_db)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(E, "put_in_place", interrupted)
    code, out, err = run("disburse", "--term", TERM, "--workspace", root)
    assert code == 130 and out == ""
    assert err.strip().splitlines() == [
        "aidctl: 已中断。没有留下写了一半的文件；已记入账本的发放批次，下次运行 disburse 时会先完成。"]
    assert ledger_rows(root, "SELECT status FROM batches") == [("recorded",)] and bank_files(root) == []
    monkeypatch.undo()
    doc = disburse(run, root, expect=0)
    assert len(doc["recovered_batches"]) == 1 and len(bank_files(root)) == 1


def test_fetch_frame_gives_what_core_gives(tmp_path, run, ledger_db):
    """The ledger's fast read (driver tuples on SQLite) gives the rows SQLAlchemy gives, in order,
    NULLs included, for a query with parameters; and an empty frame with its columns for none."""
    from sqlalchemy import select

    from aidctl.ledger import Ledger, fetch_frame, payments

    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 6)]}, db=ledger_db)
    disburse(run, root, expect=0)
    p = payments.c
    query = select(p.person, p.id, p.school, p.failure_reason, p.amount_fen).where(
        p.term == TERM, p.amount_fen > 0).order_by(p.person)
    with Ledger(Workspace(root).ledger_url()).connect() as conn:
        got = fetch_frame(conn, query, ["person", "id", "school", "reason", "fen"])
        want = [tuple(r) for r in conn.execute(query)]
        none = fetch_frame(conn, query.where(p.term == "1999-autumn"), ["person", "id", "school", "reason", "fen"])
    assert len(want) == 5 and list(got.itertuples(index=False, name=None)) == want
    assert none.empty and list(none.columns) == ["person", "id", "school", "reason", "fen"]


def test_the_ledger_helpers_core_path_gives_the_same(tmp_path, monkeypatch):
    """bulk_insert and fetch_frame take SQLAlchemy Core on databases other than SQLite (--db URL);
    run here on SQLite with its name hidden, the Core path stores and reads the same rows."""
    from sqlalchemy import insert, select

    from aidctl import ledger as L

    n = 7
    rows = pd.DataFrame({"id": range(1, n + 1), "programme": ["中职国家助学金"] * n,
                         "person": [f"11010120000101{i:04d}" for i in range(n)], "name": [f"学生{hanzi(i)}" for i in range(n)],
                         "school": [None if i % 3 else f"学校{i}" for i in range(n)], "card": [f"62220{i}" for i in range(n)],
                         "bank_profile": ["icbc-txt"] * n, "amount_fen": [75000 + i for i in range(n)]})
    constants = {"term": TERM, "status": "pending", "batch_id": "B1", "updated_at": "2011-09-01T00:00:00"}
    got = {}
    for path in ("sqlite", "core"):
        ledger = L.Ledger(f"sqlite:///{tmp_path / (path + '.db')}")
        with ledger.transaction() as conn:
            if path == "core":
                monkeypatch.setattr(conn.dialect, "name", "elsewhere")
            conn.execute(insert(L.batches).values(id="B1", term=TERM, created_at="2011-09-01T00:00:00",
                                                  rules_fingerprint="f", status="recorded", payments=n, total_fen=1))
            L.bulk_insert(conn, L.payments, rows, constants)
            p = L.payments.c
            got[path] = L.fetch_frame(conn, select(p.id, p.person, p.school, p.status, p.amount_fen)
                                      .where(p.term == TERM).order_by(p.id), ["id", "person", "school", "status", "fen"])
            monkeypatch.undo()
    assert got["sqlite"].equals(got["core"]) and len(got["core"]) == n
    assert got["core"]["status"].tolist() == ["pending"] * n and got["core"]["school"].isna().sum() == 4


def test_validate_after_disburse_does_not_send_clean_rosters_back(tmp_path, run):
    """ledger.already_paid is the ledger's state: it is listed, but it is no error of the school's, so a
    clean roster validated after disburse exits 0, counts no error, and is not to be sent back."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 4)]})
    disburse(run, root, expect=0)
    report = tmp_path / "审核.xlsx"
    code, doc, err = run("validate", "--term", TERM, "--workspace", root, "--format", "json", "--report", report,
                         as_json=True)
    assert code == 0, err
    assert doc["summary"]["errors"] == 0
    assert [f["code"] for f in doc["findings"]] == ["ledger.already_paid"] * 3
    code, out, err = run("validate", "--term", TERM, "--workspace", root)
    assert code == 0 and "请退回学校更正" not in out and "不是学校的错误" in out
    by_school = [r for r in openpyxl.load_workbook(report)["汇总"].iter_rows(values_only=True) if r[0] == SCHOOL]
    assert by_school and by_school[-1][1:5] == (3, 0, 0, 0)   # records, refused, errors, warnings
    # a real error still counts, and still exits 1
    add_roster(root, "b.xlsx", [voc_row(9, 身份证号码=BAD_ID)])
    code, doc, err = run("validate", "--term", TERM, "--workspace", root, "--format", "json", as_json=True)
    assert code == 1 and doc["summary"]["errors"] == 1


# --- the 发放审核 workbook (issue 15) ----------------------------------------------------------------

LONG_NUMBER = re.compile(r"(?<![0-9A-Za-z])[0-9](?:[ -]?[0-9]){14,}")


def all_cells(wb) -> list[tuple[str, str, object]]:
    return [(ws.title, c.coordinate, c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.value is not None]


def test_the_payment_workbook_masks_every_number_in_free_text_and_lists_this_batch(tmp_path, run):
    legacy = make_id(seq=300)[:6] + make_id(seq=300)[8:17]          # a valid-looking 15-digit number
    short = make_id(seq=302)[:17]                                    # 17 digits: id.format, refused
    shared = make_card(seed=99)                                      # one card for two students: a warning
    rows = [voc_row(1, 银行卡号=shared), voc_row(2, 银行卡号=shared), voc_row(3, 身份证号码=short),
            voc_row(4, 身份证号码=legacy), voc_row(5)]
    root = make_ws(tmp_path, {"a.xlsx": rows})
    doc = disburse(run, root, expect=1)
    wb = openpyxl.load_workbook(root / doc["report"])
    cells = all_cells(wb)
    text = "\n".join(str(v) for _, _, v in cells if isinstance(v, str))
    leaks = [(s, c, v) for s, c, v in cells if isinstance(v, str) and LONG_NUMBER.search(v)]
    assert leaks == []                                   # no 15-, 17-, 18- or 19-digit number anywhere
    assert short[:6] + "*" * 8 + short[-3:] in text      # the refused one, masked over its birth date
    assert "****" + shared[-4:] in text                   # the shared card in 待复核's message
    # 本次发放: this batch's payments, amounts as numbers with two decimals
    paid = list(wb["本次发放"].iter_rows(values_only=True))
    assert paid[0][:6] == ("学校", "资助项目", "姓名", "身份证号码", "卡号", "金额（元）")
    assert len(paid) - 1 == len(doc["payments"]) == 4
    assert {r[5] for r in paid[1:]} == {750} and wb["本次发放"]["F2"].number_format == "#,##0.00"
    assert all(re.fullmatch(r"\d{6}\*+\d{3}[\dX]", r[3]) and re.fullmatch(r"\*{4}\d{4}", r[4]) for r in paid[1:])
    assert wb["汇总"]["D5"].number_format == "#,##0.00" and isinstance(wb["汇总"]["D5"].value, (int, float))
    # an empty sheet says so in one line instead of a header that prints on its own page
    assert list(wb["已发放"].iter_rows(values_only=True)) == [("没有本学期已经发放过的记录。",)]
    assert list(wb["失败未重发"].iter_rows(values_only=True)) == [("没有发放失败且卡号未更正的记录。",)]
    # print settings: A4, one page wide, the header repeated and frozen
    for ws in wb.worksheets:
        assert ws.page_setup.paperSize == 9 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0   # 1 wide (the default)
        assert ws.oddFooter.right.text and "&P" in ws.oddFooter.right.text
    assert wb["本次发放"].print_title_rows == "$1:$1" and wb["本次发放"].freeze_panes == "A2"
    assert wb["不予发放"].page_setup.orientation == "landscape"


def test_a_later_batch_lists_every_payment_already_made_in_one_sheet(tmp_path, run):
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(i) for i in range(1, 6)]})
    disburse(run, root, expect=0)
    assert disburse(run, root, expect=0)["report"] is None   # a retry with nothing new writes none (test_retry)
    add_roster(root, "a.xlsx", [voc_row(i) for i in range(1, 7)])
    doc = disburse(run, root, expect=0)
    wb = openpyxl.load_workbook(root / doc["report"])
    rows = list(wb["已发放"].iter_rows(values_only=True))
    assert len(rows) == 6 and rows[0][:3] == ("文件", "行号", "身份证号码")
    assert [r[1] for r in rows[1:]] == [4, 5, 6, 7, 8] and all("********" in r[2] for r in rows[1:])
    assert wb["已发放"].auto_filter.ref == "A1:F6"
    assert [r[2] for r in wb["本次发放"].iter_rows(min_row=2, values_only=True)] == ["学生六"]


# --- name.invalid ------------------------------------------------------------------------------------

def xlsxwriter_roster(path: Path, rows: list[dict]) -> Path:
    """A roster written by xlsxwriter, which (unlike openpyxl) stores control characters in a cell."""
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    sheet = wb.add_worksheet()
    sheet.write_row(0, 0, VOC_HEADERS)
    for i, r in enumerate(rows, start=1):
        sheet.write_row(i, 0, [r[h] for h in VOC_HEADERS])
    wb.close()
    return path


@pytest.mark.parametrize(("name", "said"), [
    ("张\x00三", "NUL（U+0000）"), ("张\x1b[31m三", "ESC（U+001B）"), ("李\x07四", "U+0007"),
    ("王\u202e五", "U+202E"), ("=HYPERLINK(\"x\")", "以“=”开头"), ("+赵", "以“+”开头"), ("-钱", "以“-”开头"),
    ("@孙", "以“@”开头")])
def test_a_name_with_a_control_character_or_a_formula_start_is_refused_before_anything_is_written(
        tmp_path, run, name, said):
    root = tmp_path / "ws"
    xlsxwriter_roster(root / "intake" / TERM / "a.xlsx", [voc_row(1), voc_row(2, 姓名=name), voc_row(3)])
    code, doc, err = run("validate", "--term", TERM, "--workspace", root, "--format", "json", as_json=True)
    [finding] = [f for f in doc["findings"] if f["code"] == "name.invalid"]
    assert code == 1 and finding["row"] == 3 and finding["column"] == "姓名" and finding["severity"] == "error"
    assert said in finding["message"]
    dry = disburse(run, root, "--dry-run", expect=1)
    assert [r["codes"] for r in dry["refused"]] == [["name.invalid"]]
    doc = disburse(run, root, expect=1)
    assert [r["row"] for r in doc["refused"]] == [3] and doc["refused"][0]["codes"] == ["name.invalid"]
    assert [p["name"] for p in doc["payments"]] == ["学生一", "学生三"]
    content = bank_files(root)[0].read_bytes().decode("gbk")
    assert name not in content and "\x00" not in content and "\x1b" not in content and "=HYPERLINK" not in content
    assert ledger_rows(root, "SELECT count(*) FROM payments WHERE name = ?", name) == [(0,)]
    rows = list(openpyxl.load_workbook(root / doc["report"])["不予发放"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1 and rows[0][4] == "name.invalid" and said in rows[0][5]


def test_names_of_minorities_and_ordinary_punctuation_are_not_invalid(tmp_path, run):
    names = ["买买提·艾力", "阿依古丽•吐尔逊", "欧阳-娜娜", "Zhang San", "O'Brien"]
    root = tmp_path / "ws"
    xlsxwriter_roster(root / "intake" / TERM / "a.xlsx", [voc_row(i, 姓名=n) for i, n in enumerate(names, 1)])
    code, doc, err = run("validate", "--term", TERM, "--workspace", root, "--format", "json", as_json=True)
    assert [f for f in doc["findings"] if f["code"] == "name.invalid"] == []
