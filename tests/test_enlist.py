"""aidctl enlist: 应征入伍 学费补偿 / 国家助学贷款代偿, worked out per year of study by rules/enlistment.yaml.

Every expected figure below is worked out by hand in the test, with Decimal, from the tuition, the
cap and the loan; the caps are the ones rules/enlistment.yaml cites (6000 from 2009; 8000/12000 from 2014;
12000/16000 under 财教〔2021〕310号; 20000/25000 from 2024). Lists carry a title and a 填报单位 line,
so the header is on row 3 and the k-th student (0-based) is on Excel row 4 + k.
"""

from __future__ import annotations

import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import yaml
from conftest import SAMPLES, make_card, make_id, write_roster

from aidctl.rulebook import packaged_rules_dir

YEAR = "2024"
SAMPLE = SAMPLES / "enlist" / "2024年应征入伍学生学费补偿申请表.xlsx"
HEAD = ["序号", "姓名", "身份证号码", "学校", "学历层次", "入学年份", "入伍年份", "第1学年学费（元）",
        "第2学年学费（元）", "第3学年学费（元）", "第4学年学费（元）", "贷款本金（元）", "银行卡号"]
TITLE = [["2024年应征入伍高校学生学费补偿国家助学贷款代偿申请表"], ["填报单位：江城大学"]]
FIRST_ROW = 4


def student(i: int, *, tuition=(5850, 5850), **over) -> dict:
    """A clean 本科 student who enrolled in 2020 and enlisted in 2022 (2 years, cap 12000)."""
    row = {"序号": i, "姓名": f"入伍生{i}", "身份证号码": make_id("20020301", area="420102", seq=200 + 2 * i),
           "学校": "江城大学", "学历层次": "本科", "入学年份": 2020, "入伍年份": 2022, "贷款本金（元）": None,
           "银行卡号": make_card(seed=700 + i)}
    for k, fee in enumerate(tuition, start=1):
        row[f"第{k}学年学费（元）"] = fee
    row.update(over)
    return row


def enlist(run, tmp_path: Path, *rows: dict, headers: list[str] = HEAD, extra: tuple = (),
           expect_exit: int | None = None) -> dict:
    path = write_roster(tmp_path / "入伍名单.xlsx", list(rows), headers, above=TITLE)
    code, doc, err = run("enlist", path.name, "--year", YEAR, "--format", "json", *extra, as_json=True)
    assert isinstance(doc, dict), (code, doc, err)
    if expect_exit is not None:
        assert code == expect_exit, (code, err, codes(doc))
    doc["_exit"] = code
    return doc


def codes(doc: dict) -> list[list[str]]:
    return [[f["code"] for f in s["findings"]] for s in doc["students"]]


def finding(doc: dict, student_index: int, *, code: str) -> dict:
    """The one finding `code` of the student at that position (fails unless there is exactly one)."""
    s = doc["students"][student_index]
    hits = [f for f in s["findings"] if f["code"] == code]
    assert len(hits) == 1, s["findings"]
    assert s["row"] == FIRST_ROW + student_index
    return hits[0]


def money(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def by_hand(*yearly: Decimal) -> str:
    return f"{sum(yearly, Decimal(0)):.2f}"


# --- the arithmetic --------------------------------------------------------------------------------

def test_tuition_below_the_cap_is_compensated_as_paid(run, tmp_path):
    doc = enlist(run, tmp_path, student(1, tuition=("5850.50", "6000.25")), expect_exit=0)
    s = doc["students"][0]
    assert s["total"] == by_hand(Decimal("5850.50"), Decimal("6000.25")) == "11850.75"
    assert [(y["year_of_study"], y["tuition"], y["cap"], y["amount"]) for y in s["years"]] == [
        (1, "5850.50", "12000.00", "5850.50"), (2, "6000.25", "12000.00", "6000.25")]
    assert s["to_student"] == s["total"] and s["loan_repayment"] == "0.00"
    assert "不超过2022年入伍本专科每学年上限12000.00元" in s["years"][0]["reason"]
    assert "财教〔2021〕310号" in s["years"][0]["reason"]


def test_tuition_above_the_cap_is_compensated_at_the_cap(run, tmp_path):
    doc = enlist(run, tmp_path, student(1, tuition=(13800, 11000)), expect_exit=0)
    cap = Decimal(12000)
    s = doc["students"][0]
    assert s["total"] == by_hand(min(Decimal(13800), cap), min(Decimal(11000), cap)) == "23000.00"
    assert [y["amount"] for y in s["years"]] == ["12000.00", "11000.00"]
    assert "高于" in s["years"][0]["reason"] and "按上限计12000.00元" in s["years"][0]["reason"]
    assert "按实缴学费计11000.00元" in s["years"][1]["reason"]


def test_unpaid_year_is_nothing(run, tmp_path):
    doc = enlist(run, tmp_path, student(1, tuition=(0, 5000)), expect_exit=0)
    s = doc["students"][0]
    assert s["total"] == "5000.00" and s["years"][0]["amount"] == "0.00"
    assert "不予补偿" in s["years"][0]["reason"]


@pytest.mark.parametrize("enlisted, level, cap", [
    ("2013", "本科", 6000),            # 2009–: 6000 for every level
    ("2014年3月", "本科", 6000),        # before 财教〔2014〕180号 took effect (autumn 2014)
    ("2014年9月", "本科", 8000),
    ("2019", "专科", 8000),
    ("2019", "硕士研究生", 12000),
    ("2021年3月", "本科", 8000),        # spring 2021: before 财教〔2021〕310号
    ("2021", "本科", 12000),            # a year alone is taken as the autumn conscription (09-01)
    ("2023", "研究生", 16000),
    ("2024.03", "本科", 12000),
    ("2024年9月", "本科", 20000),
    ("2024-09-10", "博士", 25000),      # a date cell reads as 2024-09-10 00:00:00
])
def test_the_cap_is_the_one_in_force_when_the_student_enlisted(run, tmp_path, enlisted, level, cap):
    year = int(enlisted[:4])
    doc = enlist(run, tmp_path, student(1, tuition=(30000, 30000), 入学年份=year - 2, 入伍年份=enlisted,
                                        学历层次=level))
    s = doc["students"][0]
    assert [y["cap"] for y in s["years"]] == [f"{cap}.00"] * 2
    assert s["total"] == by_hand(Decimal(cap), Decimal(cap))
    assert s["level"] == ("研究生" if "研究生" in level or level == "博士" else "本专科")


def test_caps_are_rules_a_workspace_can_change(run, tmp_path):
    rules = yaml.safe_load((packaged_rules_dir() / "enlistment.yaml").read_text(encoding="utf-8"))
    rules["caps"][2]["per_year"]["本专科"] = "10000"   # the 财教〔2021〕310号 period
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "enlistment.yaml").write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    doc = enlist(run, tmp_path, student(1, tuition=(13800, 13800)), expect_exit=0)
    assert doc["students"][0]["total"] == by_hand(Decimal(10000), Decimal(10000))


# --- loan and tuition --------------------------------------------------------------------------

def test_the_loan_is_repaid_first_within_the_same_yearly_cap(run, tmp_path):
    doc = enlist(run, tmp_path, student(1, tuition=(6500, 6500), **{"贷款本金（元）": 8000}), expect_exit=0)
    s = doc["students"][0]
    tuition, loan = Decimal(6500), Decimal(8000)
    first = min(loan, tuition)                     # year 1: the whole 6500 repays the loan
    second = min(loan - first, tuition)            # year 2: the 1500 left of the loan
    assert [y["loan"] for y in s["years"]] == [f"{first:.2f}", f"{second:.2f}"] == ["6500.00", "1500.00"]
    assert [y["amount"] for y in s["years"]] == ["6500.00", "6500.00"]   # the loan does not add to the year
    assert s["total"] == by_hand(tuition, tuition) == "13000.00"
    assert s["loan_repayment"] == f"{loan:.2f}" and s["to_student"] == f"{2 * tuition - loan:.2f}" == "5000.00"
    assert s["loan_principal"] == "8000.00"
    assert "其中6500.00元先代偿国家助学贷款本金，没有余额发给学生" in s["years"][0]["reason"]
    assert "其中1500.00元先代偿国家助学贷款本金，5000.00元作为学费补偿发给学生" in s["years"][1]["reason"]


def test_a_loan_above_the_tuition_is_not_compensated_beyond_it(run, tmp_path):
    doc = enlist(run, tmp_path, student(1, tuition=(3000, 3000), **{"贷款本金（元）": 10000}), expect_exit=0)
    s = doc["students"][0]
    assert s["total"] == by_hand(Decimal(3000), Decimal(3000)) == s["loan_repayment"] == "6000.00"
    assert s["to_student"] == "0.00" and doc["totals"]["payments"] == 0   # nothing for the card
    f = finding(doc, 0, code="enlist.loan_exceeds")
    assert f["severity"] == "warning" and "余下4000.00元仍由学生按借款合同归还" in f["message"]


def test_loan_first_is_a_rule(run, tmp_path):
    rules = yaml.safe_load((packaged_rules_dir() / "enlistment.yaml").read_text(encoding="utf-8"))
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "enlistment.yaml").write_text(
        yaml.safe_dump(rules | {"loan_first": False}, allow_unicode=True), encoding="utf-8")
    doc = enlist(run, tmp_path, student(1, tuition=(6500, 6500), **{"贷款本金（元）": 8000}), expect_exit=0)
    s = doc["students"][0]
    assert (s["total"], s["loan_repayment"], s["to_student"]) == ("13000.00", "0.00", "13000.00")
    assert codes(doc) == [[]]


def test_a_blank_loan_is_no_loan(run, tmp_path):
    doc = enlist(run, tmp_path, student(1, **{"贷款本金（元）": None}), student(2, **{"贷款本金（元）": 0}),
                 expect_exit=0)
    assert [s["loan_repayment"] for s in doc["students"]] == ["0.00", "0.00"]


# --- years counted ------------------------------------------------------------------------------

@pytest.mark.parametrize("level, enrolled, enlisted, counted", [
    ("本科", 2020, 2022, 2),     # 2020–21 and 2021–22
    ("本科", 2019, 2023, 4),
    ("本科", 2018, 2024, 4),     # enlisted two years after graduating: the normal length
    ("专科", 2019, 2023, 3),     # 专科 is three years
    ("高职", 2021, 2022, 1),
    ("硕士", 2022, 2024, 2),
])
def test_years_counted_are_those_studied_up_to_the_normal_length(run, tmp_path, level, enrolled, enlisted, counted):
    fees = (4000, 4100, 4200, 4300)
    doc = enlist(run, tmp_path, student(1, tuition=fees, 学历层次=level, 入学年份=enrolled, 入伍年份=enlisted))
    s = doc["students"][0]
    assert s["years_counted"] == counted
    assert [y["year_of_study"] for y in s["years"]] == list(range(1, counted + 1))
    assert [y["school_year"] for y in s["years"]] == [f"{enrolled + k}-{enrolled + k + 1}" for k in range(counted)]
    assert s["total"] == by_hand(*(Decimal(f) for f in fees[:counted]))
    assert f"{enrolled}年入学、{enlisted}年入伍" in s["years_reason"]


def test_years_beyond_those_counted_are_shown_not_paid(run, tmp_path):
    doc = enlist(run, tmp_path, student(1, tuition=(6200, 6200, 6200)), expect_exit=0)
    s = doc["students"][0]
    assert s["total"] == "12400.00" and len(s["years"]) == 2
    f = finding(doc, 0, code="enlist.year_not_counted")
    assert f["severity"] == "warning" and f["column"] == "第3学年学费（元）"
    assert "第3学年学费6200.00元未计入" in f["message"] and "计入第1—2学年" in f["message"]


def test_enlisting_in_the_year_of_enrolment_counts_no_year(run, tmp_path):
    doc = enlist(run, tmp_path, student(1, tuition=(5850,), 入学年份=2024, 入伍年份="2024年9月"))
    s = doc["students"][0]
    assert s["years_counted"] == 0 and s["years"] == [] and s["total"] == "0.00"
    f = finding(doc, 0, code="enlist.no_years")
    assert f["severity"] == "warning" and "另行核定" in f["message"]
    assert codes(doc) == [["enlist.no_years", "enlist.year_not_counted"]]


# --- each code --------------------------------------------------------------------------------

@pytest.mark.parametrize("over, column, says", [
    ({"学历层次": "中专"}, "学历层次", "学历层次“中专”无法识别"),
    ({"学历层次": None}, "学历层次", "学历层次“空”无法识别"),
    ({"入学年份": "二〇二〇"}, "入学年份", "不是年份"),
    ({"入伍年份": None}, "入伍年份", "入伍年份“空”不是年份"),
    ({"入学年份": 2023, "入伍年份": 2022}, "入伍年份", "入伍年份2022早于入学年份2023"),
    ({"入伍年份": 2025}, "入伍年份", "晚于本次补偿的年度2024"),
    ({"第2学年学费（元）": "已缴"}, "第2学年学费（元）", "第2学年学费“已缴”为空或不是有效金额"),
    ({"第2学年学费（元）": None}, "第2学年学费（元）", "第2学年学费“空”为空或不是有效金额"),
    ({"第1学年学费（元）": -5850}, "第1学年学费（元）", "不是有效金额"),
    ({"贷款本金（元）": "五千"}, "贷款本金（元）", "贷款本金“五千”不是有效金额"),
])
def test_invalid_figures_are_refused_not_guessed(run, tmp_path, over, column, says):
    doc = enlist(run, tmp_path, student(1), student(2, **over), expect_exit=1)
    f = finding(doc, 1, code="enlist.invalid")
    assert f["severity"] == "error" and f["column"] == column and says in f["message"], f
    assert codes(doc)[0] == [] and doc["students"][0]["payable"]
    bad = doc["students"][1]
    assert not bad["payable"] and bad["total"] in (None, "11700.00")
    assert doc["totals"]["payable"] == 1 and doc["totals"]["amount"] == "11700.00"


def test_a_year_counted_without_its_column_is_invalid(run, tmp_path):
    headers = [h for h in HEAD if not h.startswith(("第3", "第4"))]
    doc = enlist(run, tmp_path, student(1, 入学年份=2019, 入伍年份=2022), headers=headers, expect_exit=1)
    f = finding(doc, 0, code="enlist.invalid")
    assert "计入第3学年，但表中没有“第3学年学费”列" in f["message"]
    assert doc["students"][0]["total"] is None and not doc["students"][0]["payable"]


def test_the_same_student_twice_is_a_duplicate_both_times(run, tmp_path):
    twin = student(1)
    doc = enlist(run, tmp_path, twin, student(2), dict(twin, 序号=3, 学校="江城师范学院"), expect_exit=1)
    assert codes(doc) == [["enlist.duplicate"], [], ["enlist.duplicate"]]
    f = finding(doc, 2, code="enlist.duplicate")
    assert f["severity"] == "error" and f["column"] == "身份证号码"
    assert "出现2次" in f["message"] and "第4行（江城大学）" in f["message"] and "第6行（江城师范学院）" in f["message"]
    assert [s["payable"] for s in doc["students"]] == [False, True, False]
    assert doc["totals"]["payments"] == 1


def test_enlisting_before_the_first_cap_is_not_covered(run, tmp_path):
    doc = enlist(run, tmp_path, student(1, 入学年份=2006, 入伍年份=2008), expect_exit=1)
    f = finding(doc, 0, code="enlist.not_covered")
    assert f["severity"] == "error" and "2009-01-01起" in f["message"]
    assert doc["students"][0]["years"] == [] and doc["students"][0]["total"] is None


def test_a_year_without_a_month_in_a_year_the_cap_changed_is_flagged(run, tmp_path):
    doc = enlist(run, tmp_path, student(1, tuition=(30000, 30000), 入学年份=2022, 入伍年份=2024),
                 student(2, 入学年份=2021, 入伍年份=2023), expect_exit=0)
    f = finding(doc, 0, code="enlist.month_unknown")
    assert f["severity"] == "warning" and "2024-09-01起" in f["message"] and "20000.00元" in f["message"]
    assert doc["students"][0]["enlisted_on"] == "2024-09-01"
    assert codes(doc)[1] == []   # 2023: no change that year, nothing to ask


def test_identity_and_card_are_checked_as_in_rosters(run, tmp_path):
    good = make_id("20020301", area="420102", seq=206)
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    doc = enlist(run, tmp_path, student(1), student(2, 身份证号码=wrong), student(3, 银行卡号=None),
                 student(4, 身份证号码=int(good[:15]) * 1000), expect_exit=1)
    assert codes(doc) == [[], ["id.checksum"], ["card.missing"], ["id.precision_lost"]]
    assert [s["payable"] for s in doc["students"]] == [True, False, False, False]


def test_a_missing_required_column_is_a_sheet_finding(run, tmp_path):
    headers = [h for h in HEAD if h != "学历层次"]
    doc = enlist(run, tmp_path, student(1), headers=headers, expect_exit=1)
    assert [(f["code"], f["column"]) for f in doc["file_findings"]] == [("schema.missing_column", "学历层次")]
    assert not doc["students"][0]["payable"]


def test_a_list_without_tuition_columns_says_how_to_lay_it_out(run, tmp_path):
    headers = ["序号", "姓名", "身份证号码", "学校", "学历层次", "入学年份", "入伍年份", "学年", "学费", "银行卡号"]
    doc = enlist(run, tmp_path, student(1, 学年="2020-2021", 学费=5850), headers=headers, expect_exit=1)
    assert any(f["code"] == "schema.missing_column" and "每个学年一列" in f["message"] for f in doc["file_findings"])


# --- the sample list -------------------------------------------------------------------------

def test_the_sample_list(run, tmp_path):
    code, doc, err = run("enlist", SAMPLE, "--year", YEAR, "--format", "json", "--workspace", tmp_path, as_json=True)
    assert code == 1, err
    got = {s["name"] + str(s["row"]): (s["total"], [f["code"] for f in s["findings"]]) for s in doc["students"]}
    assert got == {
        "陈思远4": ("11700.00", []), "刘雨涵5": ("24000.00", []),
        "王志强6": ("13000.00", ["enlist.month_unknown"]), "赵磊7": ("10200.00", []),
        "孙浩然8": ("32000.00", []), "周婷9": ("32000.00", []), "吴俊杰10": ("16500.00", []),
        "郑凯11": ("12400.00", ["enlist.year_not_counted"]), "黄明12": (None, ["enlist.invalid"]),
        "马文博13": ("9600.00", ["enlist.duplicate"]), "何宇航14": ("20400.00", ["enlist.loan_exceeds"]),
        "马文博15": ("9600.00", ["enlist.duplicate"])}
    assert doc["totals"] == {"students": 12, "payable": 9, "refused": 3, "amount": "172200.00",
                             "loan_repayment": "40400.00", "to_students": "131800.00", "payments": 8,
                             "errors": 3, "warnings": 3}
    zhou = next(s for s in doc["students"] if s["name"] == "周婷")
    assert zhou["level"] == "研究生" and [y["cap"] for y in zhou["years"]] == ["16000.00", "16000.00"]


def test_the_sample_is_what_its_script_writes(tmp_path):
    import runpy

    script = runpy.run_path(str(SAMPLES / "make_enlist.py"))
    assert script["main"](tmp_path / "again.xlsx").read_bytes() == SAMPLE.read_bytes()


# --- outputs ----------------------------------------------------------------------------------

def test_json_shape(run, tmp_path):
    doc = enlist(run, tmp_path, student(1), expect_exit=0)
    assert {"version", "year", "students", "totals", "files", "file_findings", "bank_files", "report",
            "bank_profile", "ledger"} <= set(doc)
    assert doc["version"] == 1 and doc["year"] == 2024 and doc["ledger"] is False
    s = doc["students"][0]
    assert {"file", "row", "id_number", "name", "school", "level", "enrolled", "enlisted", "years", "total",
            "findings"} <= set(s)
    assert (s["file"], s["row"], s["enrolled"], s["enlisted"]) == ("入伍名单.xlsx", 4, 2020, 2022)
    assert s["id_number"] == make_id("20020301", area="420102", seq=202)
    assert set(s["years"][0]) == {"year_of_study", "school_year", "tuition", "loan", "cap", "amount", "reason"}
    for value in (s["total"], s["years"][0]["amount"], doc["totals"]["amount"]):
        assert isinstance(value, str) and value.split(".")[1].__len__() == 2
    assert doc["bank_files"] == ["out/enlist-2024/代发_工商银行_enlist-2024_RW2024_01.txt"]
    assert doc["report"] == "out/enlist-2024/应征入伍学费补偿审核_2024.xlsx"


def _icbc_lines(path: Path) -> list[list[str]]:
    return [line.split("|") for line in path.read_bytes().decode("gbk").splitlines()]


def test_bank_file_totals_equal_the_json_and_nothing_goes_to_the_ledger(run, tmp_path):
    doc = enlist(run, tmp_path, student(1, tuition=(13800, 13800)), student(2, **{"贷款本金（元）": 5000}),
                 student(3, tuition=(3000, 3000), **{"贷款本金（元）": 9000}), expect_exit=0)
    files = [tmp_path / p for p in doc["bank_files"]]
    assert len(files) == 1
    lines = _icbc_lines(files[0])
    assert lines[0][:4] == ["总笔数", "2", "总金额", doc["totals"]["to_students"]]
    body = lines[2:]
    assert sum(Decimal(r[3]) for r in body) == Decimal(doc["totals"]["to_students"])
    assert Decimal(doc["totals"]["to_students"]) == Decimal("24000.00") + (Decimal("11700.00") - Decimal(5000))
    assert Decimal(doc["totals"]["amount"]) == Decimal(doc["totals"]["loan_repayment"]) + \
        Decimal(doc["totals"]["to_students"])
    assert [r[1] for r in body] == ["入伍生1", "入伍生2"]            # 入伍生3: all of it repays the loan
    assert body[0][5] == "2024年应征入伍学费补偿"
    assert not (tmp_path / "aidctl.db").exists()                      # not a disbursement: no ledger
    sums = (tmp_path / "out" / "enlist-2024" / "SHA256SUMS").read_text(encoding="utf-8")
    assert files[0].name in sums


def test_other_bank_profiles_and_a_rerun_leaves_no_stale_file(run, tmp_path):
    doc = enlist(run, tmp_path, student(1), extra=("--bank", "abc-fixed"), expect_exit=0)
    first = tmp_path / doc["bank_files"][0]
    assert first.name.startswith("DF_ABC_") and f"{1170000:015d}" in first.read_bytes().decode("gbk")
    doc = enlist(run, tmp_path, student(1), student(2), expect_exit=0)
    folder = tmp_path / "out" / "enlist-2024"
    assert not first.exists()                                          # the earlier list is gone
    assert sorted(p.name for p in folder.glob("*RW2024*")) == ["代发_工商银行_enlist-2024_RW2024_01.txt"]
    assert _icbc_lines(folder / "代发_工商银行_enlist-2024_RW2024_01.txt")[0][1] == "2"


def test_out_and_report_options(run, tmp_path):
    doc = enlist(run, tmp_path, student(1), extra=("--out", "给财务", "--report", "审核.xlsx"), expect_exit=0)
    assert doc["bank_files"] == ["给财务/代发_工商银行_enlist-2024_RW2024_01.txt"]
    assert doc["report"] == "审核.xlsx" and (tmp_path / "审核.xlsx").is_file()


def test_a_name_the_bank_file_cannot_carry_is_refused_before_writing(run, tmp_path):
    # the bank file lists 江城大学 before 江城师范学院: the refusal must still land on the right student
    doc = enlist(run, tmp_path, student(1, 姓名="王𠮷", 学校="江城师范学院"), student(2), expect_exit=1)
    f = finding(doc, 0, code="bank.unwritable")
    assert "GBK" in f["message"] and "𠮷" in f["message"]
    assert [s["payable"] for s in doc["students"]] == [False, True] and codes(doc)[1] == []
    assert doc["totals"]["payments"] == 1


def test_the_workbook(run, tmp_path):
    doc = enlist(run, tmp_path, student(1, tuition=(13800, 13800)), student(2, 学校="江城师范学院"),
                 student(3, 学历层次="中专"), expect_exit=1)
    wb = openpyxl.load_workbook(tmp_path / doc["report"])
    assert wb.sheetnames == ["汇总", "学生明细", "分学年明细", "问题清单", "补偿标准"]
    rows = list(wb["汇总"].iter_rows(min_row=6, values_only=True))
    total = next(r for r in rows if r[0] == "合计")
    assert total[1:4] == (3, 2, 1) and total[4] == pytest.approx(24000 + 11700) and total[6] == pytest.approx(35700)
    schools = {r[0]: r for r in rows if r[0] in ("江城大学", "江城师范学院")}
    assert schools["江城师范学院"][4] == pytest.approx(11700)
    people = list(wb["学生明细"].iter_rows(min_row=2, values_only=True))
    assert [r[14] for r in people] == ["可发放", "可发放", "不予发放"]
    assert people[0][3].count("*") == 8                                 # the ID is masked
    lines = list(wb["分学年明细"].iter_rows(min_row=2, values_only=True))
    assert len(lines) == 4 and lines[0][8] == pytest.approx(12000) and "按上限计12000.00元" in lines[0][11]
    problems = list(wb["问题清单"].iter_rows(min_row=2, values_only=True))
    assert [r[4] for r in problems] == ["enlist.invalid"]
    caps = [r for r in wb["补偿标准"].iter_rows(min_row=4, values_only=True) if r[0] and r[0][:2] == "20"]
    assert [r[:3] for r in caps] == [("2009-01-01", "6000.00", "6000.00"), ("2014-09-01", "8000.00", "12000.00"),
                                     ("2021-09-01", "12000.00", "16000.00"), ("2024-09-01", "20000.00", "25000.00")]
    with zipfile.ZipFile(tmp_path / doc["report"]) as z:
        assert not any(".part" in n for n in z.namelist())
    assert not list(tmp_path.rglob(".*.part"))


def test_terminal_summary(run, tmp_path):
    write_roster(tmp_path / "a.xlsx", [student(1), student(2, **{"贷款本金（元）": 3000})], HEAD, above=TITLE)
    code, out, err = run("enlist", "a.xlsx", "--year", YEAR)
    assert code == 0, err
    assert "补偿合计 23400.00 元，其中代偿贷款 3000.00 元，发给学生 20400.00 元（2 笔）" in out
    assert "不记入发放账本" in out and "代发_工商银行_enlist-2024_RW2024_01.txt" in out


# --- exit codes ---------------------------------------------------------------------------------

def test_exit_0_when_every_student_is_payable(run, tmp_path):
    assert enlist(run, tmp_path, student(1), student(2))["_exit"] == 0


def test_exit_1_when_a_student_is_refused(run, tmp_path):
    assert enlist(run, tmp_path, student(1), student(2, 入伍年份="去年"))["_exit"] == 1


@pytest.mark.parametrize("make, args, names", [
    ("roster", ["enlist", "roster.xlsx", "--year", YEAR], "roster.xlsx"),
    ("broken", ["enlist", "broken.xlsx", "--year", YEAR], "broken.xlsx"),
    (None, ["enlist", "missing.xlsx", "--year", YEAR], "missing.xlsx"),
    ("list", ["enlist", "list.xlsx", "--year", YEAR, "--bank", "no-such-bank"], "no-such-bank"),
    ("list", ["enlist", "list.xlsx"], "--year"),
])
def test_exit_2_when_it_cannot_run(run, tmp_path, make, args, names):
    from conftest import VOC_HEADERS, voc_row

    if make == "roster":   # a term roster is not a list of enlisted students
        write_roster(tmp_path / "roster.xlsx", [voc_row(1)], VOC_HEADERS)
    elif make == "broken":
        (tmp_path / "broken.xlsx").write_bytes(b"not a spreadsheet")
    elif make == "list":
        write_roster(tmp_path / "list.xlsx", [student(1)], HEAD, above=TITLE)
    code, out, err = run(*args)
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err and out == ""
    assert any(names in line for line in lines), err
    if make != "list":
        assert len(lines) == 1, err
    assert not (tmp_path / "out").exists()


def test_a_bad_rule_file_is_exit_2_naming_it(run, tmp_path):
    rules = yaml.safe_load((packaged_rules_dir() / "enlistment.yaml").read_text(encoding="utf-8"))
    del rules["caps"][1]["per_year"]["研究生"]
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "enlistment.yaml").write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    write_roster(tmp_path / "list.xlsx", [student(1)], HEAD, above=TITLE)
    code, out, err = run("enlist", "list.xlsx", "--year", YEAR)
    assert code == 2 and "enlistment.yaml" in err and "研究生" in err and len(err.strip().splitlines()) == 1
