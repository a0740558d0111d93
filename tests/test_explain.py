"""`aidctl explain`: one student of the term, every decision about them, read from what validate, the
payment plan and the ledger decided. Exit 0 when paid or payable, 1 when refused, 2 when the student
is not found (with the nearest matches)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import openpyxl
import pytest
from conftest import SAMPLES, VOC_HEADERS, make_card, voc_row
from test_bad_files import one_line_naming
from test_reconcile import RESULT, set_card

from aidctl.core.findings import CATALOGUE
from aidctl.report.explain import CHECKS

TERM = "2011-autumn"
FANG = "420113199603028173"          # 方永康, 东河县职业高级中学 row 3: clean, eligible
HU_LIN = "420124199310284586"        # 胡琳, 第一职业中学 row 12: 三年级, not eligible
WANG_TINGTING = "420124199506131223"  # 王婷婷: on two schools' rosters (id.duplicate)
WANG_ZIJIAN = "420123199502032651"   # 王子健, 第一职业中学 row 8: shares his card with 王瑶 (row 13)
ZHU = "420113199505313384"           # 朱晓燕: the registry spells her 朱小燕


@pytest.fixture
def ws(tmp_path) -> Path:
    root = tmp_path / "samples"
    shutil.copytree(SAMPLES, root, ignore=shutil.ignore_patterns("out", "aidctl.db", ".aidctl.lock", "__pycache__"))
    return root


def explain(run, root: Path, *args, expect: int | None = None) -> dict:
    code, doc, err = run("explain", *args, "--term", TERM, "--workspace", root, "--format", "json", as_json=True)
    if expect is not None:
        assert code == expect, (code, doc, err)
    if isinstance(doc, dict):
        doc["_exit"], doc["_stderr"] = code, err
        return doc
    return {"_exit": code, "_stderr": err}


def check(record: dict, key: str) -> dict:
    return next(c for c in record["checks"] if c["check"] == key)


def cell(record: dict, field: str) -> dict:
    return next(c for c in record["cells"] if c["field"] == field)


def test_every_roster_check_is_explained_once():
    not_rosters = ("extraction.", "enlist.", "loan.", "inspect.", "complaint.", "schema.unrecognised_column")
    roster_codes = [c for c in CATALOGUE if not c.startswith(not_rosters)]
    grouped = [code for _, _, _, codes in CHECKS for code in codes]
    assert sorted(grouped) == sorted(roster_codes)


def test_a_payable_student_every_value_every_check_the_period_and_its_source(ws, run):
    doc = explain(run, ws, FANG, expect=0)
    assert (doc["verdict"], doc["found_by"], doc["student"]) == ("payable", "id", {"id_number": FANG, "name": "方永康"})
    (r,) = doc["records"]
    assert (r["file"], r["sheet"], r["row"], r["school"], r["programme"]) == \
        ("intake/2011-autumn/东河县职业高级中学_2011年秋季.xlsx", "Sheet1", 3, "东河县职业高级中学", "中职国家助学金")
    assert cell(r, "card")["column"] == "资助卡号" and cell(r, "card")["letter"] == "J"
    assert cell(r, "id_number")["cell"] == FANG                 # IDs shown as validate's JSON shows them
    assert (cell(r, "grade")["cell"], cell(r, "grade")["normalised"]) == ("一年级", "第1学年")
    assert cell(r, "county")["normalised"] == "东河县"
    assert {c["check"]: c["verdict"] for c in r["checks"]} == {
        "file": "passed", "name": "passed", "id": "passed", "gender": "passed", "birth": "not_checked",
        "age": "passed", "card": "passed", "status": "passed", "remarks": "not_checked", "pay": "not_checked", "listed": "passed",
        "grade": "passed", "eligibility": "passed", "amount": "passed",
        "duplicate": "passed", "registry": "not_checked", "ledger": "passed", "bank": "passed"}
    d = r["decision"]
    assert d["period"] == {"id": "中职国家助学金@2007-09-01", "from": "2007-09-01", "until": None,
                           "source": d["period"]["source"]}
    assert d["period"]["source"].startswith("国发〔2007〕13号")
    assert [(c["label"], c["passed"]) for c in d["conditions"]] == \
        [("一、二年级", True), ("农村户籍、县镇非农户口或城市家庭经济困难学生", True)]
    assert d["conditions"][0]["values"] == [{"field": "grade", "title": "年级", "written": "一年级", "value": 1}]
    assert (d["amount"]["basis"], d["amount"]["rule"], d["amount"]["standard"], d["amount"]["amount"]) == \
        ("fixed", {"per_term": "750.00"}, "750.00", "750.00")
    assert r["outcome"] == {"status": "payable", "amount": "750.00", "bank_profile": "icbc-txt", "codes": []}
    assert doc["ledger"] == [] and not (ws / "aidctl.db").exists()   # no ledger made by asking


def test_a_cell_blank_or_not_read_is_not_compared_never_passed(tmp_path, run):
    """A 性别 no word of rules/vocabulary.yaml reads (0: GB/T 2261.1's 未知的性别) was shown （空） and its
    comparison with the ID 通过; so was a blank one, and a blank 出生日期. Each is 未检查 and says why
    (the unread one with its gender.unread warning). 年级 is a check of its own: the year of study it
    was read as, 未检查 where no grade word reads it (初一), and an error where it is written 2011届
    (grade.ambiguous) with the student refused, not paid as 一年级."""
    from conftest import hanzi, write_roster

    root = tmp_path / "ws"
    headers = VOC_HEADERS[:4] + ["出生日期"] + VOC_HEADERS[4:]
    rows = [voc_row(1, 性别="0", 年级="初一"), voc_row(2, 出生日期="1995-03-12", 年级="2011届"),
            voc_row(3, 性别=None, 出生日期="1995年3月")]
    write_roster(root / "intake" / TERM / "a.xlsx", rows, headers, above=[["填报单位：第一职业中学"]])
    checks = {}
    for i in range(1, len(rows) + 1):
        doc = explain(run, root, f"学生{hanzi(i)}")
        checks[i] = {c["check"]: (c["verdict"], c["detail"] or "", [f["code"] for f in c["findings"]])
                     for c in doc["records"][0]["checks"]}
    assert checks[1]["gender"] == ("not_checked", "性别“0”无法识别（rules/vocabulary.yaml），没有与身份证号码比对",
                                   ["gender.unread"])
    assert checks[1]["birth"] == ("not_checked", "出生日期为空，没有与身份证号码比对", [])
    assert checks[1]["grade"][0] == "not_checked" and "年级“初一”不是 rules/vocabulary.yaml 的年级写法" in checks[1]["grade"][1]
    assert checks[2]["gender"] == ("passed", "", []) and checks[2]["birth"] == ("passed", "", [])
    assert checks[2]["grade"] == ("error", "", ["grade.ambiguous"])
    assert checks[3]["gender"] == ("not_checked", "性别为空，没有与身份证号码比对", [])
    assert checks[3]["grade"] == ("passed", "读作第1学年", []) and checks[3]["birth"][0] == "passed"
    assert explain(run, root, "学生二")["verdict"] == "refused"
    code, out, err = run("explain", "学生一", "--term", TERM, "--workspace", root)
    line = next(li for li in out.splitlines() if "性别与身份证号码" in li)
    assert "未检查" in line and "通过" not in line, out


def test_a_refused_student_names_the_failed_condition_and_its_source(ws, run):
    doc = explain(run, ws, HU_LIN, expect=1)
    assert doc["verdict"] == "refused"
    (r,) = doc["records"]
    assert r["row"] == 12 and r["outcome"]["status"] == "refused" and r["outcome"]["codes"] == ["eligibility.not_eligible"]
    elig = check(r, "eligibility")
    assert elig["verdict"] == "error" and "国发〔2007〕13号" in elig["findings"][0]["message"]
    assert [(c["label"], c["passed"]) for c in r["decision"]["conditions"]] == \
        [("一、二年级", False), ("农村户籍、县镇非农户口或城市家庭经济困难学生", True)]
    assert r["decision"]["conditions"][0]["values"][0]["written"] == "三年级"
    code, out, err = run("explain", HU_LIN, "--term", TERM, "--workspace", ws)
    assert code == 1 and "不予发放" in out and "不符合" in out and "国发〔2007〕13号" in out


def test_a_duplicate_student_shows_both_rows(ws, run):
    doc = explain(run, ws, WANG_TINGTING, expect=1)
    assert doc["verdict"] == "refused"
    places = sorted((Path(r["file"]).name, r["row"]) for r in doc["records"])
    assert places == [("东河县职业高级中学_2011年秋季.xlsx", 4), ("第一职业中学_2011秋_助学金.xlsx", 16)]
    assert all(check(r, "duplicate")["verdict"] == "error" for r in doc["records"])
    assert sorted((Path(d["file"]).name, d["row"], d["school"]) for d in doc["related"]["duplicates"]) == \
        [("东河县职业高级中学_2011年秋季.xlsx", 4, "东河县职业高级中学"), ("第一职业中学_2011秋_助学金.xlsx", 16, "第一职业中学")]


def test_a_shared_card_names_the_other_row(ws, run):
    doc = explain(run, ws, WANG_ZIJIAN, expect=0)   # card.shared is a warning: still payable
    (r,) = doc["records"]
    assert check(r, "card")["verdict"] == "warning"
    (shared,) = doc["related"]["shared_cards"]
    assert [(o["row"], o["name"]) for o in shared["others"]] == [(13, "王瑶")]


def test_paid_then_failed_then_reissued(ws, run):
    code, _, err = run("disburse", "--term", TERM, "--workspace", ws, "--format", "json")
    assert code == 1, err
    code, out, err = run("reconcile", ws / "bank" / RESULT, "--term", TERM, "--workspace", ws, "--format", "json")
    assert code == 1, err

    paid = explain(run, ws, FANG, expect=0)
    assert paid["verdict"] == "paid"
    assert paid["records"][0]["outcome"]["status"] == "already_paid"
    assert check(paid["records"][0], "ledger")["verdict"] == "info"
    (p,) = paid["ledger"]
    assert (p["status"], p["amount"], p["reissued"]) == ("paid", "750.00", False)
    assert [(t["status"], t["amount"]) for t in p["attempts"]] == [("paid", "750.00")]

    import json
    failed = json.loads(out)["failed"]
    person = failed[0]["id_number"]
    before = explain(run, ws, person, expect=1)   # returned by the bank, card not corrected
    assert before["verdict"] == "failed"
    assert before["records"][0]["outcome"]["status"] == "failed_unchanged"
    assert before["ledger"][0]["failure_reason"] == failed[0]["reason"]

    record = before["records"][0]
    new_card = make_card("621700", seed=9100)
    set_card(ws / record["file"], record["row"], new_card)
    payable = explain(run, ws, person, expect=0)
    assert payable["verdict"] == "payable" and payable["records"][0]["outcome"]["status"] == "reissue"
    code, _, err = run("disburse", "--term", TERM, "--workspace", ws, "--format", "json")
    assert code == 1, err
    after = explain(run, ws, person, expect=0)
    assert after["verdict"] == "paid"
    (p,) = after["ledger"]
    assert p["status"] == "reissued" and p["reissued"] is True and p["card"] == new_card
    assert [(t["status"], t["reason"]) for t in p["attempts"]] == [("failed", failed[0]["reason"]), ("sent", None)]
    assert p["attempts"][0]["batch"] != p["attempts"][1]["batch"] and p["attempts"][1]["card"] == new_card
    code, out, err = run("explain", person, "--term", TERM, "--workspace", ws)
    assert code == 0 and "重发" in out and failed[0]["reason"] in out


def test_explain_writes_nothing(ws, run):
    code, _, err = run("disburse", "--term", TERM, "--workspace", ws, "--format", "json")
    assert code == 1, err
    ledger = ws / "aidctl.db"
    digest = hashlib.sha256(ledger.read_bytes()).hexdigest()
    files = sorted(p.relative_to(ws) for p in ws.rglob("*"))
    explain(run, ws, FANG, expect=0)
    assert hashlib.sha256(ledger.read_bytes()).hexdigest() == digest
    assert sorted(p.relative_to(ws) for p in ws.rglob("*")) == files


def test_by_file_and_row(ws, run):
    doc = explain(run, ws, "--file", ws / "intake" / TERM / "实验中学.xlsx", "--row", 8, expect=1)
    assert doc["found_by"] == "file_row"
    (r,) = doc["records"]
    assert r["row"] == 8 and check(r, "name")["verdict"] == "error"
    assert cell(r, "programme")["column"] is None and "标题" in cell(r, "programme")["note"]
    broken = explain(run, ws, "--file", ws / "intake" / TERM / "实验中学.xlsx", "--row", 6, expect=1)
    (r,) = broken["records"]   # the ID lost its digits: the record alone, by its place
    assert check(r, "id")["verdict"] == "error" and cell(r, "id_number")["note"] == "以数字格式保存，末位已丢失"
    assert check(r, "duplicate")["verdict"] == "not_checked"
    nothing = explain(run, ws, "--file", ws / "intake" / TERM / "实验中学.xlsx", "--row", 2, expect=2)
    assert "第2行不是花名册中的学生记录" in nothing["_stderr"]


def test_masked_and_name_queries(ws, run):
    assert explain(run, ws, "420113********8173", expect=0)["found_by"] == "masked_id"
    assert explain(run, ws, "方永康", expect=0)["student"]["id_number"] == FANG
    many = explain(run, ws, "420113************", expect=2)
    err = many["_stderr"]
    assert "对应多名学生" in err and "420113********8173 方永康" in err and FANG not in err
    assert len(err.strip().splitlines()) == 1


def test_not_found_lists_the_nearest_masked(ws, run):
    typo = FANG[:-1] + "4"
    doc = explain(run, ws, typo, expect=2)
    assert "没有身份证号码为" in doc["_stderr"] and "420113********8173 方永康" in doc["_stderr"]
    assert FANG not in doc["_stderr"]
    doc = explain(run, ws, "方永", expect=2)
    assert "相近的有：方永康（420113********8173）" in doc["_stderr"]
    assert explain(run, ws, expect=2)["_exit"] == 2   # no student at all


def test_the_students_listed_are_masked_to_the_workspaces_widths(ws, run):
    """A workspace that shows less of an ID (masking: first 3, last 2) lists the students a query
    matches, and the nearest ones, no wider than that."""
    from test_publish import workspace_publicity

    workspace_publicity(ws, masking={"id_head": 3, "id_tail": 2, "card_tail": 2})
    many = explain(run, ws, "420113************", expect=2)["_stderr"]
    listed = many.split("对应多名学生")[1]
    assert "420*************73 方永康" in listed and "420113" not in listed
    near = explain(run, ws, FANG[:-1] + "4", expect=2)["_stderr"]
    assert "420*************73 方永康" in near and "8173" not in near.split("相近的有")[1]


def test_with_the_registry(ws, run):
    doc = explain(run, ws, ZHU, "--registry", ws / "registry" / "学籍2011秋.xlsx", expect=1)
    reg = check(doc["records"][0], "registry")
    assert reg["verdict"] == "error" and reg["findings"][0]["code"] == "registry.mismatch"


def test_a_name_two_students_bear_is_not_guessed(tmp_path, run):
    from conftest import voc_row, write_roster

    root = tmp_path / "ws"
    rows = [voc_row(1, 姓名="张伟"), voc_row(2, 姓名="张伟"), voc_row(3)]
    write_roster(root / "intake" / TERM / "a.xlsx", rows, above=[["填报单位：第一职业中学"]])
    doc = explain(run, root, "张伟", expect=2)
    err = doc["_stderr"]
    assert "姓名“张伟”对应多名学生" in err and err.count("张伟") >= 3
    assert rows[0]["身份证号码"] not in err and rows[0]["身份证号码"][:6] + "********" + rows[0]["身份证号码"][-4:] in err
    assert explain(run, root, rows[1]["身份证号码"], expect=0)["records"][0]["row"] == 4   # header on row 2


def test_a_name_a_record_without_an_id_also_bears_is_not_guessed(tmp_path, run):
    """Two 张伟, one with an ID and one whose 身份证号码 is blank: the name names two records, so
    explain refuses to guess (it answered with the one that has an ID, payable, exit 0, and said
    nothing of the other). A name that only a record without an ID bears is that record, explained
    (id.missing), where it was "not in the rosters"."""
    from conftest import write_roster

    root = tmp_path / "ws"
    rows = [voc_row(1, 姓名="张伟"), voc_row(2, 姓名="张伟", 身份证号码=None), voc_row(3, 姓名="李娜", 身份证号码=None)]
    write_roster(root / "intake" / TERM / "a.xlsx", rows, above=[["填报单位：第一职业中学"]])
    doc = explain(run, root, "张伟", expect=2)
    err = doc["_stderr"]
    assert "姓名“张伟”对应多名学生" in err and "a.xlsx第4行（没有身份证号码）" in err
    assert rows[0]["身份证号码"] not in err and rows[0]["身份证号码"][:6] + "********" + rows[0]["身份证号码"][-4:] in err
    assert len(err.strip().splitlines()) == 1
    assert explain(run, root, "--file", root / "intake" / TERM / "a.xlsx", "--row", 4, expect=1)["records"][0]["row"] == 4
    alone = explain(run, root, "李娜", expect=1)
    assert alone["found_by"] == "name" and [r["row"] for r in alone["records"]] == [5]
    assert check(alone["records"][0], "id")["findings"][0]["code"] == "id.missing"


def two_sheet_roster(path: Path) -> Path:
    """One school's roster on two sheets, 一年级 and 二年级, each with its header on row 2: Excel row 3
    holds a student on both."""
    wb = openpyxl.Workbook()
    for sheet, (first, grade) in zip(("一年级", "二年级"), ((1, "一年级"), (3, "二年级"))):
        ws = wb.active if first == 1 else wb.create_sheet()
        ws.title = sheet
        ws.append(["填报单位：第一职业中学"])
        ws.append(VOC_HEADERS)
        for i in (first, first + 1):
            ws.append([voc_row(i, 年级=grade).get(h) for h in VOC_HEADERS])
    wb.save(path)
    return path


@pytest.mark.parametrize("file, extra, says", [
    ("实验中学", (), ("--file", "--row")),                                     # a file without its row
    ("实验中学", ("--row", 8, "--sheet", "二年级"), ("实验中学.xlsx", "工作表“二年级”中没有找到花名册", "--sheet")),
    ("两个工作表", ("--row", 3), ("两个工作表.xlsx", "工作表 “一年级”、“二年级” 的第3行都是学生记录", "--sheet")),
])
def test_a_file_and_row_that_name_no_single_record_are_exit_2(ws, run, file, extra, says):
    """--file needs --row; a --sheet that holds no roster, or a row that is a student on two sheets
    without --sheet, is refused naming the file, never answered with some other record."""
    path = two_sheet_roster(ws / "两个工作表.xlsx") if file == "两个工作表" else ws / "intake" / TERM / f"{file}.xlsx"
    doc = explain(run, ws, "--file", path, *extra, expect=2)
    one_line_naming(doc["_stderr"], *says)
    if file == "两个工作表":   # as the message says: --sheet picks the one meant
        doc = explain(run, ws, "--file", path, *extra, "--sheet", "二年级", expect=0)
        assert [(r["sheet"], r["row"]) for r in doc["records"]] == [("二年级", 3)]
        assert doc["student"]["name"] == "学生三"
