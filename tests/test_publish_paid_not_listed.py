"""publish and report: outcomes that were silently wrong.

- one school's rosters written under its name and under its 别名 made two half 公示 lists (a student
  aided by two programmes stood on both), where the report counts one school;
- a student the ledger paid whose roster record no longer passes was on no 公示 list, and nothing said so;
- a report in a workspace sharing its ledger counted other workspaces' payments beside only its own
  rosters, and nothing said so.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
from conftest import SAMPLES, VOC_HEADERS, voc_row, write_roster
from typer.testing import CliRunner

from aidctl.cli.common import app

TERM = "2011-autumn"
FROM = "2011-09-29"


def aidctl(ws: Path, *args: str):
    result = CliRunner().invoke(app, [*map(str, args), "--workspace", str(ws)])
    doc = json.loads(result.stdout) if "--format" in args and result.stdout.strip() else result.stdout
    return result.exit_code, doc, result.stderr


def publish(ws: Path, expect: int = 0) -> tuple[dict, str]:
    code, doc, err = aidctl(ws, "publish", "--term", TERM, "--from", FROM, "--format", "json")
    assert code == expect, (code, err, doc)
    return doc, err


def list_rows(path: Path) -> list[tuple]:
    rows = list(openpyxl.load_workbook(path).active.iter_rows(min_row=4, values_only=True))
    return rows[:rows.index(tuple([None] * len(rows[0])))]


def with_alias(root: Path, school: str, alias: str) -> None:
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(SAMPLES / "schools.xlsx", root / "schools.xlsx")
    wb = openpyxl.load_workbook(root / "schools.xlsx")
    sheet = wb.worksheets[0]
    sheet.cell(1, sheet.max_column + 1, "别名")
    row = next(r for r in sheet.iter_rows(min_row=2) if r[1].value == school)
    sheet.cell(row[0].row, sheet.max_column, alias)
    wb.save(root / "schools.xlsx")


def test_one_schools_rosters_under_its_name_and_its_alias_make_one_list(tmp_path):
    """第一职业中学's first roster says 第一职业中学, its second says 一职中 (its 别名 in schools.xlsx).
    There were two lists, 第一职业中学 (2 students) and 一职中 (2), each titled and counted as the
    school's whole list, where the report counts one school. Now one list of 4 under the registered
    name, and a note says 一职中 was listed under it."""
    root = tmp_path / "ws"
    with_alias(root, "第一职业中学", "一职中")
    intake = root / "intake" / TERM
    write_roster(intake / "助学金.xlsx", [voc_row(1), voc_row(2)], VOC_HEADERS, above=[["填报单位：第一职业中学"]])
    write_roster(intake / "助学金补报.xlsx", [voc_row(3), voc_row(4)], VOC_HEADERS, above=[["填报单位：一职中"]])
    doc, err = publish(root)
    assert [(s["school"], s["students"]) for s in doc["schools"]] == [("第一职业中学", 4)], doc["schools"]
    public = root / doc["schools"][0]["public_file"]
    assert [(r[1], r[2]) for r in list_rows(public)] == [(f"学生{n}", "第一职业中学") for n in "一二三四"]
    assert openpyxl.load_workbook(public).active["A2"].value.endswith("共4名学生。")
    assert not list((root / "out" / TERM).rglob("一职中*"))
    [note] = [n for n in doc["notes"] if "一职中" in n]
    assert "第一职业中学" in note and note in err


def paid_samples(tmp_path: Path) -> Path:
    root = tmp_path / "samples"
    shutil.copytree(SAMPLES, root, ignore=shutil.ignore_patterns("out", "aidctl.db", ".aidctl.lock", "*.py"))
    code, _, err = aidctl(root, "disburse", "--term", TERM)
    assert code == 1, err
    return root


def test_a_paid_student_on_no_list_is_said_with_school_name_file_and_row(tmp_path):
    """实验中学's seven students are paid; the school then sends its roster again with one row deleted,
    and its 合计 no longer agrees (total.mismatch refuses the file). publish wrote no list for 实验中学
    and said nothing of the seven students the ledger paid. Now each is named (school, name, programme,
    batch, roster file and row; never the ID) in paid_not_listed, on stderr and on the terminal."""
    root = paid_samples(tmp_path)
    path = root / "intake" / TERM / "实验中学.xlsx"
    wb = openpyxl.load_workbook(path)
    wb.active.delete_rows(5)
    wb.save(path)
    doc, err = publish(root, expect=1)
    assert "实验中学" not in [s["school"] for s in doc["schools"]]
    gone = doc["paid_not_listed"]
    assert len(gone) == 7 and {g["school"] for g in gone} == {"实验中学"}, gone
    assert {g["programme"] for g in gone} == {"普高国家助学金"} and all(g["status"] == "sent" for g in gone)
    assert all(g["file"] == f"intake/{TERM}/实验中学.xlsx" and g["row"] for g in gone)
    assert "陈国庆" in {g["name"] for g in gone}
    assert not any(k in g for g in gone for k in ("id_number", "person", "card"))
    [note] = [n for n in doc["notes"] if "不在本次公示名单中" in n]
    assert "7 笔付款（7 名学生）" in note and "陈国庆" in note and note in err
    code, out, _ = aidctl(root, "publish", "--term", TERM, "--from", FROM)
    assert "不在本次公示名单中" in out and "陈国庆" in out and code == 1
    # rosters named on the command line: only their schools' payments are compared
    for roster, expected in (("实验中学.xlsx", 7), ("第一中学普高助学金2011秋.xlsx", 0)):
        code, doc, err = aidctl(root, "publish", root / "intake" / TERM / roster, "--term", TERM, "--from", FROM,
                                "--format", "json")
        assert code == (1 if expected else 0) and len(doc["paid_not_listed"]) == expected, (roster, err)


def test_every_paid_student_listed_says_nothing(tmp_path):
    root = paid_samples(tmp_path)
    doc, _ = publish(root)
    assert doc["paid_not_listed"] == []
    assert not any("不在本次公示名单中" in n for n in doc["notes"])


def test_a_report_says_which_payments_another_workspace_made(tmp_path):
    """Two district workspaces share one ledger (database_url): the report in the second counted the
    first's 40 payments beside only its own 2 roster records, and nothing said so. Now a note names the
    other workspace, its payments and amount, and that its rosters are not in 报送记录 / 不予发放."""
    first = paid_samples(tmp_path)
    second = tmp_path / "second"
    write_roster(second / "intake" / TERM / "a.xlsx", [voc_row(1), voc_row(2)], VOC_HEADERS,
                 above=[["填报单位：第一职业中学"]])
    (second / "aidctl.toml").write_text(f'database_url = "sqlite:///{first / "aidctl.db"}"\n', encoding="utf-8")
    code, _, err = aidctl(second, "disburse", "--term", TERM)
    assert code == 0, err
    code, doc, err = aidctl(second, "report", "--term", TERM, "--format", "json")
    assert code == 0, err
    assert doc["totals"]["payments"] == {"count": 42, "amount": "31500.00"}
    assert doc["rosters"]["records"] == 2
    [note] = [n for n in doc["notes"] if "其他工作目录" in n]
    assert str(first.resolve()) in note and "40 笔付款（30000.00 元）" in note and "报送记录" in note
    code, doc, err = aidctl(first, "report", "--term", TERM, "--format", "json")
    assert code == 0, err
    [note] = [n for n in doc["notes"] if "其他工作目录" in n]
    assert str(second.resolve()) in note and "2 笔付款（1500.00 元）" in note
