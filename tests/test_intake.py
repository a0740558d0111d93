"""Intake history: validate and disburse record each roster file per school and term; `aidctl intake
show` lists versions, on time or late against rules/oversight.yaml's deadline, and 未报送 schools."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from conftest import SAMPLES, voc_row, write_roster
from test_disburse import TERM, add_roster, disburse, make_ws

import aidctl.ledger as L

INTAKE = SAMPLES / "intake" / TERM


def rows(root: Path, sql: str = "SELECT school, version, file, records, errors, warnings, command "
                                 "FROM submissions ORDER BY school, version") -> list[tuple]:
    with sqlite3.connect(root / "aidctl.db") as conn:
        return conn.execute(sql).fetchall()


def show(run, root: Path, expect: int | None = None) -> dict:
    code, doc, err = run("intake", "show", "--term", TERM, "--workspace", root, "--format", "json", as_json=True)
    assert isinstance(doc, dict), (code, err)
    if expect is not None:
        assert code == expect, (code, err)
    return doc


@pytest.fixture
def sample_ws(tmp_path) -> Path:
    root = tmp_path / "samples"
    shutil.copytree(SAMPLES, root, ignore=shutil.ignore_patterns("out", "aidctl.db", ".aidctl.lock", "__pycache__"))
    return root


@pytest.fixture
def clock(monkeypatch):
    """Set the time the ledger records (first_seen)."""
    def at(stamp: str):
        monkeypatch.setattr(L, "now", lambda: stamp)
    return at


def arrive(stamp: str, *paths: Path) -> None:
    """The files were saved into intake/ at `stamp` (their modification time): when the school sent them."""
    import os
    from datetime import datetime

    when = datetime.fromisoformat(stamp).timestamp()
    for path in paths:
        os.utime(path, (when, when))


def test_validate_of_the_workspace_intake_records_every_file(sample_ws, run):
    code, _, err = run("validate", "--term", TERM, "--workspace", sample_ws)
    assert code == 1, err
    got = rows(sample_ws)
    assert len(got) == 5
    assert {r[0] for r in got} == {"第一职业中学", "城关职业技术学校", "第一中学", "实验中学", "东河县职业高级中学"}
    assert all(r[1] == 1 and r[6] == "validate" and r[2].startswith(f"intake/{TERM}/") for r in got)
    # the counts are the validate report's, per school
    code, doc, _ = run("validate", "--term", TERM, "--workspace", sample_ws, "--format", "json", as_json=True)
    assert sum(r[3] for r in got) == doc["summary"]["records"]
    assert sum(r[4] for r in got) == doc["summary"]["errors"]
    assert sum(r[5] for r in got) == doc["summary"]["warnings"]
    assert len(rows(sample_ws)) == 5          # the same files again: nothing new
    (digest,) = rows(sample_ws, "SELECT sha256 FROM submissions WHERE school = '实验中学'")[0]
    import hashlib
    assert digest == hashlib.sha256((INTAKE / "实验中学.xlsx").read_bytes()).hexdigest()


def test_listed_files_in_intake_are_recorded_with_workspace_names(sample_ws, run):
    files = sorted((sample_ws / "intake" / TERM).glob("*.xlsx"))
    code, _, err = run("validate", *files, "--term", TERM, "--workspace", sample_ws)
    assert code == 1, err
    assert {r[2] for r in rows(sample_ws)} == {f"intake/{TERM}/{f.name}" for f in files}


def test_loose_files_outside_a_workspace_create_no_ledger(tmp_path, run):
    write_roster(tmp_path / "loose" / "a.xlsx", [voc_row(1)])
    (tmp_path / "ws").mkdir()
    code, _, err = run("validate", tmp_path / "loose" / "a.xlsx", "--term", TERM, "--workspace", tmp_path / "ws")
    assert code == 0, err
    assert not (tmp_path / "ws" / "aidctl.db").exists() and not (tmp_path / "loose" / "aidctl.db").exists()
    # inside the workspace but outside intake/<term>/, and no ledger yet: not recorded either
    write_roster(tmp_path / "ws" / "待审" / "a.xlsx", [voc_row(1)])
    code, _, err = run("validate", "待审/a.xlsx", "--term", TERM, cwd=tmp_path / "ws")
    assert code == 0, err
    assert not (tmp_path / "ws" / "aidctl.db").exists()


def test_files_inside_a_workspace_with_a_ledger_are_recorded(tmp_path, run):
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1), voc_row(2)]})
    disburse(run, root, expect=0)
    write_roster(root / "待审" / "b.xlsx", [voc_row(3)], above=[["填报单位：城关职业技术学校"]])
    code, _, err = run("validate", "待审/b.xlsx", "--term", TERM, cwd=root)
    assert code == 0, err
    got = rows(root)
    assert [(r[2], r[6]) for r in got if r[2].startswith("待审")] == [("待审/b.xlsx", "validate")]


def test_disburse_records_and_dry_run_does_not(tmp_path, run):
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1), voc_row(2)]})
    disburse(run, root, "--dry-run", expect=0)
    assert not (root / "aidctl.db").exists()
    disburse(run, root, expect=0)
    assert rows(root) == [("第一职业中学", 1, f"intake/{TERM}/a.xlsx", 2, 0, 0, "disburse")]


def test_a_resubmitted_file_is_the_next_version(tmp_path, run, clock):
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1), voc_row(2, 年级="三年级")]})
    arrive("2011-10-10T08:30:00", root / "intake" / TERM / "a.xlsx")
    clock("2011-10-10T09:00:00")
    run("validate", "--term", TERM, "--workspace", root)
    # the school corrects the roster and sends it again after the deadline
    make_ws(tmp_path, {"a.xlsx": [voc_row(1), voc_row(2), voc_row(3)]})
    arrive("2011-10-20T15:00:00", root / "intake" / TERM / "a.xlsx")
    clock("2011-10-20T15:30:00")
    disburse(run, root, expect=0)
    assert rows(root) == [("第一职业中学", 1, f"intake/{TERM}/a.xlsx", 2, 1, 0, "validate"),
                          ("第一职业中学", 2, f"intake/{TERM}/a.xlsx", 3, 0, 0, "disburse")]
    doc = show(run, root, expect=0)   # on time: the first version came before 2011-10-15
    (school,) = doc["schools"]
    assert school == {"school": "第一职业中学", "status": "按时", "on_time": True, "versions": 2,
                      "first_submitted": "2011-10-10T08:30:00", "latest_submitted": "2011-10-20T15:00:00",
                      "first": {"file": f"intake/{TERM}/a.xlsx", "first_seen": "2011-10-10T09:00:00",
                                "received_at": "2011-10-10T08:30:00", "received_source": "file_time",
                                "records": 2, "errors": 1, "warnings": 0},
                      "latest": {"file": f"intake/{TERM}/a.xlsx", "first_seen": "2011-10-20T15:30:00",
                                 "received_at": "2011-10-20T15:00:00", "received_source": "file_time",
                                 "records": 3, "errors": 0, "warnings": 0}}
    assert [s["version"] for s in doc["submissions"]] == [1, 2]


def test_on_time_late_and_nothing_sent(sample_ws, run, clock):
    intake = sample_ws / "intake" / TERM
    late = "实验中学.xlsx"
    moved = sample_ws / "later.xlsx"
    shutil.move(intake / late, moved)
    arrive("2011-10-15T23:59:59", *intake.glob("*.xlsx"))     # on the deadline day: on time
    clock("2011-10-15T23:59:59")
    run("validate", "--term", TERM, "--workspace", sample_ws)
    shutil.move(moved, intake / late)
    arrive("2011-10-16T08:00:00", intake / late)
    clock("2011-10-16T08:00:00")
    run("validate", "--term", TERM, "--workspace", sample_ws)
    doc = show(run, sample_ws, expect=1)
    assert doc["deadline"] == "2011-10-15" and doc["term"] == TERM and doc["version"] == 1
    status = {s["school"]: s["status"] for s in doc["schools"]}
    assert status == {"东河县职业高级中学": "按时", "城关职业技术学校": "按时", "第一中学": "按时",
                      "第一职业中学": "按时", "实验中学": "逾期", "西山县第二中学": "未报送"}
    nothing = next(s for s in doc["schools"] if s["status"] == "未报送")
    assert nothing == {"school": "西山县第二中学", "status": "未报送", "on_time": None, "versions": 0,
                       "first_submitted": None, "latest_submitted": None, "first": None, "latest": None}
    assert doc["totals"] == {"schools": 6, "on_time": 4, "late": 1, "nothing": 1, "submissions": 5}
    assert set(doc["submissions"][0]) == {"school", "school_written", "version", "file", "sha256", "first_seen",
                                         "received_at", "received_source", "records", "errors", "warnings", "command"}
    code, out, err = run("intake", "show", "--term", TERM, "--workspace", sample_ws)
    assert code == 1 and "未报送" in out and "逾期" in out and "西山县第二中学" in out


def test_the_deadline_is_a_rule(sample_ws, run, clock):
    arrive("2011-10-20T09:00:00", *(sample_ws / "intake" / TERM).glob("*.xlsx"))
    clock("2011-10-20T10:00:00")
    run("validate", "--term", TERM, "--workspace", sample_ws)
    assert show(run, sample_ws)["totals"]["late"] == 5
    text = (Path(__file__).parent.parent / "rules" / "oversight.yaml").read_text(encoding="utf-8")
    (sample_ws / "rules").mkdir(exist_ok=True)
    (sample_ws / "rules" / "oversight.yaml").write_text(text.replace('"10-15"', '"10-31"'), encoding="utf-8")
    doc = show(run, sample_ws)
    assert doc["deadline"] == "2011-10-31" and doc["totals"]["late"] == 0


def test_show_without_a_ledger_lists_every_school_as_not_sent(sample_ws, run):
    doc = show(run, sample_ws, expect=1)   # the 2011 deadline has passed
    assert {s["status"] for s in doc["schools"]} == {"未报送"} and len(doc["schools"]) == 6
    assert doc["submissions"] == []
    assert not (sample_ws / "aidctl.db").exists()


def test_show_needs_a_term(run, tmp_path):
    code, _, err = run("intake", "show", "--workspace", tmp_path)
    assert code == 2


def test_file_level_errors_count_for_the_school(tmp_path, run):
    root = make_ws(tmp_path)
    path = root / "intake" / TERM / "a.xlsx"
    write_roster(path, [voc_row(1)], above=[["填报单位：第一职业中学"]])
    wb = openpyxl.load_workbook(path)   # drop the card column: schema.missing_column on the file
    sheet = wb.active
    sheet.delete_cols(10)
    wb.save(path)
    run("validate", "--term", TERM, "--workspace", root)
    ((school, errors),) = rows(root, "SELECT school, errors FROM submissions")
    assert errors >= 1


def test_each_school_in_a_file_counts_only_its_own_records_findings(tmp_path, run):
    """One file, three schools: a record's finding counts for its own school only, a record without
    a school counts under （学校不明）, and the per-school counts add up to the validate report's."""
    from aidctl.core.labels import UNKNOWN_SCHOOL

    root = make_ws(tmp_path)
    def bad_id(i, school):
        row = voc_row(i, 学校名称=school)
        row["身份证号码"] = row["身份证号码"][:-1] + ("0" if row["身份证号码"][-1] != "0" else "1")
        return row

    write_roster(root / "intake" / TERM / "a.xlsx",
                 [voc_row(1, 学校名称="甲校"), bad_id(2, "乙校"), voc_row(3, 学校名称="乙校"), bad_id(4, None)])
    code, doc, _ = run("validate", "--term", TERM, "--workspace", root, "--format", "json", as_json=True)
    got = {r[0]: r[3:6] for r in rows(root)}
    assert set(got) == {"甲校", "乙校", UNKNOWN_SCHOOL}
    assert got["甲校"] == (1, 0, 0)
    assert got["乙校"][:2] == (2, 1)
    assert got[UNKNOWN_SCHOOL][:2] == (1, 1)
    assert sum(r[0] for r in got.values()) == doc["summary"]["records"]
    assert sum(r[1] for r in got.values()) == doc["summary"]["errors"]
    assert sum(r[2] for r in got.values()) == doc["summary"]["warnings"]


# --- issue 16: lateness from when the school sent the file ------------------------------------------

def test_a_file_received_on_time_but_first_checked_later_is_on_time(sample_ws, run, clock):
    """Every roster was saved into intake/ on 2011-10-14 (the deadline is 10-15) and first checked on
    2011-10-18: all on time, and 按时报送率 is 100% (it fed 0% when lateness was the first reading)."""
    arrive("2011-10-14T16:00:00", *(sample_ws / "intake" / TERM).glob("*.xlsx"))
    clock("2011-10-18T09:00:00")
    run("validate", "--term", TERM, "--workspace", sample_ws)
    doc = show(run, sample_ws)
    assert doc["totals"]["on_time"] == 5 and doc["totals"]["late"] == 0
    assert {s["received_source"] for s in doc["submissions"]} == {"file_time"}
    assert {s["first_seen"] for s in doc["submissions"]} == {"2011-10-18T09:00:00"}
    code, card, err = run("assess", "--year", "2011", "--workspace", sample_ws, "--format", "json", as_json=True)
    on_time = {s["school"]: s["indicators"]["on_time_submission"]["value"] for s in card["schools"]}
    assert on_time["第一职业中学"] == "100.00%" and on_time["西山县第二中学"] == "0.00%"   # sent nothing


def test_the_receipt_stands_when_the_file_is_touched_later(sample_ws, run, clock):
    intake = sample_ws / "intake" / TERM
    arrive("2011-10-14T16:00:00", *intake.glob("*.xlsx"))
    run("validate", "--term", TERM, "--workspace", sample_ws)
    arrive("2011-10-30T16:00:00", *intake.glob("*.xlsx"))    # a copy refreshed the times, same content
    run("validate", "--term", TERM, "--workspace", sample_ws)
    assert show(run, sample_ws)["totals"]["late"] == 0


def receive(run, root: Path, *files, at: str | None = None, expect: int = 0) -> dict:
    extra = ("--at", at) if at else ()
    code, doc, err = run("intake", "receive", *files, "--term", TERM, "--workspace", root, *extra, "--format", "json",
                         as_json=True)
    assert code == expect, (code, err)
    return doc if expect == 0 else {"err": err}


def test_intake_receive_files_the_roster_and_its_time_decides(tmp_path, run, clock):
    """Received 2011-10-14 16:30 by mail, saved and checked on 10-17: on time, by the recorded receipt."""
    root = tmp_path / "ws"
    root.mkdir()
    mail = write_roster(tmp_path / "mail" / "第一职业中学_2011秋.xlsx", [voc_row(1), voc_row(2)],
                        above=[["填报单位：第一职业中学"]])
    doc = receive(run, root, mail, at="2011-10-14 16:30")
    [r] = doc["received"]
    assert (r["file"], r["received_at"], r["source"], r["copied"], r["new"]) == (
        f"intake/{TERM}/第一职业中学_2011秋.xlsx", "2011-10-14T16:30:00", "receive", True, True)
    assert (root / r["file"]).read_bytes() == mail.read_bytes()
    clock("2011-10-17T10:00:00")
    run("validate", "--term", TERM, "--workspace", root)
    school = show(run, root)["schools"][0]
    assert (school["status"], school["first_submitted"]) == ("按时", "2011-10-14T16:30:00")
    assert school["first"]["received_source"] == "receive"
    # received again (a forwarded copy): the first receipt stands
    again = receive(run, root, mail, at="2011-10-20")["received"][0]
    assert (again["received_at"], again["new"], again["copied"]) == ("2011-10-14T16:30:00", False, False)
    # a different file of the same name is refused, not written over
    write_roster(tmp_path / "other" / "第一职业中学_2011秋.xlsx", [voc_row(3)])
    err = receive(run, root, tmp_path / "other" / "第一职业中学_2011秋.xlsx", expect=2)["err"]
    assert "已有同名、内容不同的文件" in err and (root / r["file"]).read_bytes() == mail.read_bytes()



@pytest.mark.parametrize("given, says", [
    ("不存在.xlsx", "文件不存在"),
    ("邮件附件", "是一个文件夹，不是花名册文件"),
    ("花名册.pdf", "不是 .xlsx、.xls 或 .csv 花名册"),
    ("花名册.xlsx.zip", "不是 .xlsx、.xls 或 .csv 花名册"),
])
def test_intake_receive_takes_only_roster_files(tmp_path, run, given, says):
    """What is no roster file is refused before anything is filed, even the good roster given with it."""
    root = tmp_path / "ws"
    root.mkdir()
    mail = tmp_path / "mail"
    good = write_roster(mail / "第一职业中学_2011秋.xlsx", [voc_row(1)], above=[["填报单位：第一职业中学"]])
    (mail / "邮件附件").mkdir()
    for name in ("花名册.pdf", "花名册.xlsx.zip"):
        (mail / name).write_bytes(good.read_bytes())
    err = receive(run, root, good, mail / given, expect=2)["err"]
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and given in lines[0] and says in lines[0], err
    assert not (root / "intake").exists() and not (root / "aidctl.db").exists()

def test_an_explicit_receipt_replaces_the_files_time(tmp_path, run, clock):
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1)]})
    path = root / "intake" / TERM / "a.xlsx"
    arrive("2011-10-18T09:00:00", path)                      # saved late …
    run("validate", "--term", TERM, "--workspace", root)
    assert show(run, root)["schools"][0]["status"] == "逾期"
    receive(run, root, path, at="2011-10-12 11:00")          # … but the mail came on the 12th
    school = show(run, root)["schools"][0]
    assert (school["status"], school["first_submitted"]) == ("按时", "2011-10-12T11:00:00")


# --- a school by its 别名, versions by receipt, a receipt nobody stated ---------------------------------

def alias_register(root: Path) -> None:
    """schools.xlsx: 第一职业中学 (别名 市一职), 实验中学, and 一职 the 别名 of two schools that differ."""
    write_roster(root / "schools.xlsx", [
        {"学校代码": "3101", "学校名称": "第一职业中学", "学校类型": "中职", "所属县区": "城关区", "别名": "市一职"},
        {"学校代码": "3202", "学校名称": "实验中学", "学校类型": "普高", "所属县区": "东河县", "别名": "一职"},
        {"学校代码": "3102", "学校名称": "城关职业技术学校", "学校类型": "中职", "所属县区": "城关区", "别名": "一职"}],
        ["学校代码", "学校名称", "学校类型", "所属县区", "别名"])


def test_a_roster_sent_under_its_registered_alias_is_its_school(tmp_path, run, clock):
    """第一职业中学 sends its roster as 市一职 (its 别名 in schools.xlsx), then a correction under its
    full name: one school, two versions, on time; never 市一职 按时 beside 第一职业中学 未报送."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1), voc_row(2)]}, school="市一职")
    alias_register(root)
    arrive("2011-10-10T10:00:00", root / "intake" / TERM / "a.xlsx")
    clock("2011-10-10T11:00:00")
    run("validate", "--term", TERM, "--workspace", root)
    add_roster(root, "b.xlsx", [voc_row(1), voc_row(2), voc_row(3)], school="第一职业中学")
    arrive("2011-10-20T10:00:00", root / "intake" / TERM / "b.xlsx")
    clock("2011-10-20T11:00:00")
    run("validate", "--term", TERM, "--workspace", root)
    doc = show(run, root, expect=1)     # 实验中学 and 城关职业技术学校 sent nothing, the deadline has passed
    status = {s["school"]: (s["status"], s["versions"]) for s in doc["schools"]}
    assert status == {"第一职业中学": ("按时", 2), "实验中学": ("未报送", 0), "城关职业技术学校": ("未报送", 0)}
    assert [(v["school"], v["school_written"], v["version"], v["file"]) for v in doc["submissions"]] == [
        ("第一职业中学", "市一职", 1, f"intake/{TERM}/a.xlsx"), ("第一职业中学", "第一职业中学", 2, f"intake/{TERM}/b.xlsx")]
    school = doc["schools"][0]
    assert (school["first_submitted"], school["latest_submitted"]) == ("2011-10-10T10:00:00", "2011-10-20T10:00:00")
    assert doc["notes"] == []
    code, out, _ = run("intake", "show", "--term", TERM, "--workspace", root)
    assert "表中为 市一职" in out and "市一职 " not in out.replace("表中为 市一职", "")


def test_a_school_schools_xlsx_cannot_place_is_said_not_guessed(tmp_path, run):
    """一职 is the 别名 of two schools, 乙校 is in no register: each is listed as written, neither is
    taken for a registered school, and intake show says so."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1)]}, school="一职")
    add_roster(root, "b.xlsx", [voc_row(2)], school="乙校")
    alias_register(root)
    arrive("2011-10-10T10:00:00", *(root / "intake" / TERM).glob("*.xlsx"))
    run("validate", "--term", TERM, "--workspace", root)
    doc = show(run, root, expect=1)
    status = {s["school"]: s["status"] for s in doc["schools"]}
    assert status == {"一职": "按时", "乙校": "按时", "第一职业中学": "未报送", "实验中学": "未报送",
                      "城关职业技术学校": "未报送"}
    [note] = [n for n in doc["notes"] if "schools.xlsx" in n]
    assert "不在 schools.xlsx 中" in note and "“乙校”" in note
    assert "不止一所学校的名称或别名" in note and "“一职”" in note


def test_versions_of_one_run_follow_their_receipts_not_the_file_names(tmp_path, run, clock):
    """初报 received 10-12, 修改版 10-20, both first read by one validate: the 修改版's name sorts
    first, yet the 初报 is version 1 and the school is on time (it was 逾期: version 1 was the 修改版)."""
    root = make_ws(tmp_path, {"a_修改版.xlsx": [voc_row(1), voc_row(2), voc_row(3)],
                              "b_初报.xlsx": [voc_row(1), voc_row(2)]})
    arrive("2011-10-20T09:00:00", root / "intake" / TERM / "a_修改版.xlsx")
    arrive("2011-10-12T09:00:00", root / "intake" / TERM / "b_初报.xlsx")
    clock("2011-10-21T09:00:00")
    run("validate", "--term", TERM, "--workspace", root)
    assert [r[1:3] for r in rows(root)] == [(1, f"intake/{TERM}/b_初报.xlsx"), (2, f"intake/{TERM}/a_修改版.xlsx")]
    doc = show(run, root, expect=0)
    (school,) = doc["schools"]
    assert (school["status"], school["first_submitted"], school["latest_submitted"]) == (
        "按时", "2011-10-12T09:00:00", "2011-10-20T09:00:00")
    assert (school["first"]["records"], school["latest"]["records"]) == (2, 3)
    code, card, err = run("assess", "--year", "2011", "--workspace", root, "--format", "json", as_json=True)
    on_time = {s["school"]: s["indicators"]["on_time_submission"]["value"] for s in card["schools"]}
    assert on_time == {"第一职业中学": "100.00%"}


def test_a_version_received_earlier_but_read_later_is_the_first(tmp_path, run, clock):
    """The 修改版 (saved 10-20) was checked first; the 初报, mailed 10-12, was received and read later:
    on time by the earliest receipt, and shown as version 1."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1), voc_row(2), voc_row(3)]})
    arrive("2011-10-20T09:00:00", root / "intake" / TERM / "a.xlsx")
    clock("2011-10-20T10:00:00")
    run("validate", "--term", TERM, "--workspace", root)
    assert show(run, root)["schools"][0]["status"] == "逾期"
    mail = write_roster(tmp_path / "mail" / "b.xlsx", [voc_row(1), voc_row(2)], above=[["填报单位：第一职业中学"]])
    receive(run, root, mail, at="2011-10-12 09:00")
    clock("2011-10-22T10:00:00")
    run("validate", "--term", TERM, "--workspace", root)
    doc = show(run, root, expect=0)
    school = doc["schools"][0]
    assert (school["status"], school["first_submitted"], school["first"]["file"]) == (
        "按时", "2011-10-12T09:00:00", f"intake/{TERM}/b.xlsx")
    assert [(v["version"], v["file"]) for v in doc["submissions"]] == [(1, f"intake/{TERM}/b.xlsx"),
                                                                      (2, f"intake/{TERM}/a.xlsx")]


def test_receive_without_at_keeps_the_file_time_receipt_and_says_so(tmp_path, run, clock):
    """The roster was saved into intake/ on 10-12 and checked: on time. `intake receive` of it without
    --at (weeks later) keeps that receipt and says so; it never turns the school 逾期."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1)]})
    path = root / "intake" / TERM / "a.xlsx"
    arrive("2011-10-12T09:00:00", path)
    run("validate", "--term", TERM, "--workspace", root)
    clock("2011-11-30T10:00:00")
    code, doc, err = run("intake", "receive", path, "--term", TERM, "--workspace", root, "--format", "json",
                         as_json=True)
    assert code == 0, err
    [r] = doc["received"]
    assert (r["received_at"], r["source"], r["new"], r["replaced"]) == ("2011-10-12T09:00:00", "file_time", False, None)
    [note] = doc["notes"]
    assert note.startswith("未用 --at 指定接收时间") and "2011-10-12 09:00:00" in note
    assert "aidctl: 提醒：" + note in err
    school = show(run, root, expect=0)["schools"][0]
    assert (school["status"], school["first_submitted"]) == ("按时", "2011-10-12T09:00:00")
    code, out, err = run("intake", "receive", path, "--term", TERM, "--workspace", root)   # table mode too
    assert code == 0 and "aidctl: 提醒：未用 --at 指定接收时间" in err


def test_receive_without_at_of_a_file_in_intake_takes_its_file_time(tmp_path, run, clock):
    """Never checked yet, the roster saved into intake/ on 10-12: received without --at, the receipt is
    its file time (as validate would take it), not now, and that is said."""
    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1)]})
    path = root / "intake" / TERM / "a.xlsx"
    arrive("2011-10-12T09:00:00", path)
    clock("2011-11-30T10:00:00")
    doc = receive(run, root, path)
    [r] = doc["received"]
    assert (r["received_at"], r["source"], r["new"]) == ("2011-10-12T09:00:00", "file_time", True)
    assert len(doc["notes"]) == 1 and "按其修改时间" in doc["notes"][0]
    run("validate", "--term", TERM, "--workspace", root)
    assert show(run, root, expect=0)["schools"][0]["status"] == "按时"


def test_receive_without_at_of_a_new_file_is_now_said_and_at_replaces_it(tmp_path, run, clock):
    """A mailed roster received without --at is received now, said so (and by intake show and assess,
    since it decides 按时/逾期); a later --at corrects it, and says what it replaced."""
    root = tmp_path / "ws"
    root.mkdir()
    mail = write_roster(tmp_path / "mail" / "a.xlsx", [voc_row(1)], above=[["填报单位：第一职业中学"]])
    clock("2011-10-18T10:00:00")
    doc = receive(run, root, mail)
    [r] = doc["received"]
    assert (r["received_at"], r["source"], r["new"], r["copied"]) == ("2011-10-18T10:00:00", "now", True, True)
    assert doc["at"] is None and "按现在（2011-10-18 10:00:00）" in doc["notes"][0]
    run("validate", "--term", TERM, "--workspace", root)
    shown = show(run, root, expect=1)
    assert shown["schools"][0]["status"] == "逾期" and shown["submissions"][0]["received_source"] == "now"
    assert any("未指定 --at" in n for n in shown["notes"])
    code, card, err = run("assess", "--year", "2011", "--workspace", root, "--format", "json", as_json=True)
    assert any("未指定 --at" in n for n in card["notes"])
    again = receive(run, root, mail)["received"][0]       # a default never replaces a receipt
    assert (again["received_at"], again["new"]) == ("2011-10-18T10:00:00", False)
    fixed = receive(run, root, mail, at="2011-10-14 16:30")
    [r] = fixed["received"]
    assert (r["received_at"], r["source"], r["new"]) == ("2011-10-14T16:30:00", "receive", True)
    assert r["replaced"] == {"received_at": "2011-10-18T10:00:00", "source": "now"}
    assert any("已替换为 --at 指定的时间" in n for n in fixed["notes"])
    assert show(run, root, expect=0)["schools"][0]["status"] == "按时"


def test_versions_received_at_the_same_time_are_said_to_be_ordered_by_name(tmp_path, run):
    """Two versions with one receipt time (--at given as a day): which is first and latest is the
    file names' order, not the school's: said, never passed off as the order sent."""
    root = tmp_path / "ws"
    root.mkdir()
    a = write_roster(tmp_path / "mail" / "a.xlsx", [voc_row(1)], above=[["填报单位：第一职业中学"]])
    b = write_roster(tmp_path / "mail" / "b.xlsx", [voc_row(1), voc_row(2)], above=[["填报单位：第一职业中学"]])
    receive(run, root, a, b, at="2011-10-12")
    run("validate", "--term", TERM, "--workspace", root)
    doc = show(run, root, expect=0)
    assert [(v["version"], v["file"]) for v in doc["submissions"]] == [(1, f"intake/{TERM}/a.xlsx"),
                                                                      (2, f"intake/{TERM}/b.xlsx")]
    [note] = doc["notes"]
    assert note.startswith("第一职业中学 有接收时间相同的几个版本") and "文件名" in note
