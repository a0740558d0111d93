"""aidctl enlist: 应征入伍 学费补偿 / 国家助学贷款代偿, worked out per year of study by rules/enlistment.yaml.

Every expected figure below is worked out by hand in the test, with Decimal, from the tuition, the
cap and the loan; the caps are the ones rules/enlistment.yaml cites (6000 from 2009; 6000/8000/10000
for 本专科/硕士/博士 from 2013-08-20; 8000/12000 from 2014; 12000/16000 under 财教〔2021〕310号;
16000/20000 from 2023 autumn; 20000/25000 from 2024). Each year's amount is the higher of the tuition
paid and the loan received for that year with its interest, at most the cap. Lists carry a title and a 填报单位 line,
so the header is on row 3 and the k-th student (0-based) is on Excel row 4 + k.
"""

from __future__ import annotations

import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import yaml
from conftest import SAMPLES, hanzi, make_card, make_id, merge_cells, write_roster

from aidctl.rulebook import packaged_rules_dir

YEAR = "2024"
SAMPLE = SAMPLES / "enlist" / "2024年应征入伍学生学费补偿申请表.xlsx"
HEAD = ["序号", "姓名", "身份证号码", "学校", "学历层次", "入学年份", "入伍年份", "第1学年学费（元）",
        "第2学年学费（元）", "第3学年学费（元）", "第4学年学费（元）", "贷款本金（元）", "银行卡号"]
TITLE = [["2024年应征入伍高校学生学费补偿国家助学贷款代偿申请表"], ["填报单位：江城大学"]]
FIRST_ROW = 4


def student(i: int, *, tuition=(5850, 5850), **over) -> dict:
    """A clean 本科 student who enrolled in 2020 and enlisted in 2022 (2 years, cap 12000)."""
    row = {"序号": i, "姓名": f"入伍生{hanzi(i)}", "身份证号码": make_id("20020301", area="420102", seq=200 + 2 * i),
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
    ("2023年3月", "研究生", 16000),    # spring 2023: before 教财〔2023〕4号
    ("2023", "研究生", 20000),          # autumn 2023 (a year alone: 09-01): 教财〔2023〕4号
    ("2023年9月", "本科", 16000),
    ("2024.03", "本科", 16000),         # a 2023 enlistee got the 2021 cap before; the 2023 step holds to 2024-08
    ("2013年9月", "本科", 6000),        # 财教〔2013〕236号 (2013-08-20): 本专科 6000, 硕士 8000, 博士 10000
    ("2013年9月", "硕士", 8000),
    ("2013年9月", "博士研究生", 10000),
    ("2013年3月", "硕士", 6000),        # before it: the 2009 cap
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
    assert s["level"] == ("研究生" if "研究生" in level or level in ("硕士", "博士") else "本专科")


def test_caps_are_rules_a_workspace_can_change(run, tmp_path):
    rules = yaml.safe_load((packaged_rules_dir() / "enlistment.yaml").read_text(encoding="utf-8"))
    rules["caps"][3]["per_year"]["本专科"] = "10000"   # the 财教〔2021〕310号 period
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "enlistment.yaml").write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    doc = enlist(run, tmp_path, student(1, tuition=(13800, 13800)), expect_exit=0)
    assert doc["students"][0]["total"] == by_hand(Decimal(10000), Decimal(10000))


# --- loan and tuition --------------------------------------------------------------------------

def test_the_loan_is_repaid_first_within_the_same_yearly_cap(run, tmp_path):
    """Tuition 6500 a year, a loan of 8000 given as a total: the years' tuition (13000) is higher than
    the loan, so each year is its tuition; the loan is repaid first: 6500 in year 1, 1500 in year 2,
    and 5000 goes to the card."""
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
    assert "其中6500.00元先代偿国家助学贷款本息，没有余额发给学生" in s["years"][0]["reason"]
    assert "其中1500.00元先代偿国家助学贷款本息，5000.00元作为学费补偿发给学生" in s["years"][1]["reason"]
    assert codes(doc) == [["enlist.loan_not_by_year"]]      # given as a total: the years' loans are asked for


def test_the_loan_by_year_is_compensated_when_higher_than_the_tuition(run, tmp_path):
    """The issue's case: 本科, a loan of 8000 in each of 3 years (24000), tuition 6000 a year, enlisted in
    2023 autumn (cap 16000). Each year the higher is the loan: 3 × max(6000, 8000) = 24000, all of it
    repaying the loan; nothing is left for the student to repay (before: 18000, and 6000 to repay)."""
    head = [*HEAD, "第1学年贷款（元）", "第2学年贷款（元）", "第3学年贷款（元）"]
    row = student(1, tuition=(6000, 6000, 6000), 入学年份=2020, 入伍年份="2023年9月",
                  **{"贷款本金（元）": 24000, "第1学年贷款（元）": 8000, "第2学年贷款（元）": 8000, "第3学年贷款（元）": 8000})
    doc = enlist(run, tmp_path, row, headers=head, expect_exit=0)
    s = doc["students"][0]
    assert s["total"] == by_hand(*[max(Decimal(6000), Decimal(8000))] * 3) == "24000.00"
    assert (s["loan_repayment"], s["to_student"]) == ("24000.00", "0.00")
    assert [y["loan_counted"] for y in s["years"]] == ["8000.00"] * 3 and s["loan_by_year"] is True
    assert [y["cap"] for y in s["years"]] == ["16000.00"] * 3
    assert "按两者较高的贷款本息计8000.00元" in s["years"][0]["reason"]
    assert codes(doc) == [[]] and doc["totals"]["payments"] == 0


def test_the_loan_counts_with_its_interest_shared_by_year(run, tmp_path):
    """Loans 7000 and 9000 (16000) with 320.00 interest, tuition 7500 a year, 2022 enlistment (cap
    12000): the interest is shared 7000:9000 on the running total, 320 × 7000 ÷ 16000 = 140.00 and
    320 − 140 = 180.00. Year 1: max(7500, 7140) = 7500; year 2: max(7500, 9180) = 9180. Total 16680;
    the loan with interest, 16320, is repaid first; 360.00 goes to the card."""
    head = [*HEAD, "第1学年贷款（元）", "第2学年贷款（元）", "贷款利息（元）"]
    row = student(1, tuition=(7500, 7500), **{"贷款本金（元）": 16000, "第1学年贷款（元）": 7000,
                                             "第2学年贷款（元）": 9000, "贷款利息（元）": 320})
    doc = enlist(run, tmp_path, row, headers=head, expect_exit=0)
    s = doc["students"][0]
    assert [y["loan_counted"] for y in s["years"]] == ["7140.00", "9180.00"]
    assert [y["amount"] for y in s["years"]] == ["7500.00", "9180.00"]
    assert s["total"] == by_hand(Decimal(7500), Decimal(9180)) == "16680.00"
    assert (s["loan_owed"], s["loan_interest"]) == ("16320.00", "320.00")
    assert (s["loan_repayment"], s["to_student"]) == ("16320.00", "360.00")


def test_the_interest_is_shared_over_all_the_years_loans_not_only_those_counted(run, tmp_path):
    """Loans of 5000 in each of three years with 300.00 interest, two years counted (2020 to 2022): the
    interest belongs 100.00 to each year's loan, so years 1 and 2 count 5100.00 each (10200.00), the
    third year's 5000 and its 100 interest stay the student's. It was shared over the two years counted
    only (5150.00 each, 10300.00: the third year's interest paid)."""
    head = [*HEAD, "第1学年贷款（元）", "第2学年贷款（元）", "第3学年贷款（元）", "贷款利息（元）"]
    row = student(1, tuition=(5000, 5000), **{"第1学年贷款（元）": 5000, "第2学年贷款（元）": 5000,
                                             "第3学年贷款（元）": 5000, "贷款利息（元）": 300})
    doc = enlist(run, tmp_path, row, headers=head, expect_exit=0)
    s = doc["students"][0]
    share = Decimal(300) * 5000 / 15000
    assert [y["loan_counted"] for y in s["years"]] == [f"{5000 + share:.2f}"] * 2 == ["5100.00", "5100.00"]
    assert s["total"] == s["loan_repayment"] == "10200.00"
    assert "余下5100.00元仍由学生按借款合同归还" in finding(doc, 0, code="enlist.loan_exceeds")["message"]
    assert "第3学年贷款5000.00元未计入" in finding(doc, 0, code="enlist.year_not_counted")["message"]


def test_the_interest_share_is_exact_however_large_the_figures(run, tmp_path):
    """Loans of 3000000000.00 a year with 3000000000.00 interest: interest × running loan in fen is
    about 9 × 10^22, past int64, and wrapped to 2999972261.07 for year 1's loan with its interest. It is
    worked in exact integers: 3000000000 + 3000000000 × 1/2 = 4500000000.00 a year."""
    head = [*HEAD, "第1学年贷款（元）", "第2学年贷款（元）", "贷款利息（元）"]
    big = Decimal(3_000_000_000)
    row = student(1, tuition=(5000, 5000), **{"第1学年贷款（元）": str(big), "第2学年贷款（元）": str(big),
                                             "贷款利息（元）": str(big)})
    doc = enlist(run, tmp_path, row, headers=head, expect_exit=0)
    s = doc["students"][0]
    assert [y["loan_counted"] for y in s["years"]] == [f"{big + big * big / (2 * big):.2f}"] * 2
    assert s["loan_owed"] == f"{3 * big:.2f}" and "4500000000.00元" in s["years"][0]["reason"]
    assert s["total"] == s["loan_repayment"] == "24000.00"


def test_a_loan_given_as_a_total_above_the_tuition_is_compensated(run, tmp_path):
    """Tuition 3000 a year, a loan of 10000 given only as a total (2022 enlistment, cap 12000): the
    higher of the two totals, 10000: each year its tuition, and the 4000 the loan exceeds the tuition
    by is added in order of study (year 1: 3000 + 4000 = 7000, year 2: 3000); all of it repays the
    loan. A warning asks for the loan by year (which could only raise the amount)."""
    doc = enlist(run, tmp_path, student(1, tuition=(3000, 3000), **{"贷款本金（元）": 10000}), expect_exit=0)
    s = doc["students"][0]
    assert [y["amount"] for y in s["years"]] == ["7000.00", "3000.00"]
    assert s["total"] == s["loan_repayment"] == by_hand(max(Decimal(6000), Decimal(10000))) == "10000.00"
    assert s["to_student"] == "0.00" and doc["totals"]["payments"] == 0   # nothing for the card
    f = finding(doc, 0, code="enlist.loan_not_by_year")
    assert f["severity"] == "warning" and "第1学年贷款" in f["message"]
    assert "高出4000.00元，按学年顺序计入本学年4000.00元" in s["years"][0]["reason"]


def test_a_loan_beyond_the_caps_stays_the_students_to_repay(run, tmp_path):
    """A loan with interest of 30000 (贷款本息; 15000 in each year) against two years capped at 12000: 24000
    repays the loan, 6000 stays the student's (enlist.loan_exceeds)."""
    head = [*HEAD, "第1学年贷款（元）", "第2学年贷款（元）", "国家助学贷款本息（元）"]
    doc = enlist(run, tmp_path, student(1, tuition=(3000, 3000), **{"国家助学贷款本息（元）": 30000,
                                                                   "第1学年贷款（元）": 15000, "第2学年贷款（元）": 15000}),
                 headers=head, expect_exit=0)
    s = doc["students"][0]
    assert s["total"] == s["loan_repayment"] == "24000.00" and s["to_student"] == "0.00"
    f = finding(doc, 0, code="enlist.loan_exceeds")
    assert f["severity"] == "warning" and "余下6000.00元仍由学生按借款合同归还" in f["message"]


def test_a_loan_with_interest_column_repays_the_loan_not_the_card(run, tmp_path):
    """The issue's case: the list names the loan 国家助学贷款本息（元）. It is read (an alias), so the 5000
    repays the loan and 6700 goes to the card, not all 11700."""
    head = [h if h != "贷款本金（元）" else "国家助学贷款本息（元）" for h in HEAD]
    doc = enlist(run, tmp_path, student(1, **{"国家助学贷款本息（元）": 5000}), headers=head, expect_exit=0)
    s = doc["students"][0]
    assert (s["total"], s["loan_repayment"], s["to_student"]) == ("11700.00", "5000.00", "6700.00")
    assert doc["file_findings"] == []


def test_a_money_header_that_is_no_alias_is_reported_not_dropped(run, tmp_path):
    head = [h if h != "贷款本金（元）" else "助学贷款待还合计（元）" for h in HEAD]
    doc = enlist(run, tmp_path, student(1, **{"助学贷款待还合计（元）": 5000}), headers=head)
    [f] = doc["file_findings"]
    assert (f["code"], f["severity"], f["column"]) == ("schema.unrecognised_column", "warning", "助学贷款待还合计（元）")
    assert "没有读取" in f["message"] and "贷款本金" in f["message"] and "rules/columns.yaml" in f["message"]


def test_loan_first_is_a_rule(run, tmp_path):
    rules = yaml.safe_load((packaged_rules_dir() / "enlistment.yaml").read_text(encoding="utf-8"))
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "enlistment.yaml").write_text(
        yaml.safe_dump(rules | {"loan_first": False}, allow_unicode=True), encoding="utf-8")
    doc = enlist(run, tmp_path, student(1, tuition=(6500, 6500), **{"贷款本金（元）": 8000}), expect_exit=0)
    s = doc["students"][0]
    assert (s["total"], s["loan_repayment"], s["to_student"]) == ("13000.00", "0.00", "13000.00")
    assert codes(doc) == [["enlist.loan_not_by_year"]]


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


def test_an_amount_merged_across_two_years_is_refused_not_read_twice(run, tmp_path):
    """11700 typed once and merged over 第1学年学费 and 第2学年学费 (H4:I4): each year's, or the two
    years' total? It was read as 11700 in both years (23400 paid). It is now read in neither: the
    student is refused, naming both columns, and no year shows an amount."""
    path = merge_cells(write_roster(tmp_path / "入伍名单.xlsx", [student(1, tuition=(11700, None)), student(2)], HEAD,
                               above=TITLE), "H4:I4")
    code, doc, err = run("enlist", path.name, "--year", YEAR, "--format", "json", as_json=True)
    assert code == 1, err
    s = doc["students"][0]
    assert not s["payable"] and s["total"] is None and [y["amount"] for y in s["years"]] == [None, None]
    assert "合并为一个单元格" in s["years"][0]["reason"] and "学费为空" not in s["years"][0]["reason"]
    found = [f for f in s["findings"] if f["code"] == "enlist.invalid"]
    assert [f["column"] for f in found] == ["第1学年学费（元）", "第2学年学费（元）"]
    assert "“第1学年学费（元）”、“第2学年学费（元）”合并为一个单元格“11700”" in found[0]["message"]
    assert all("为空或不是有效金额" not in f["message"] for f in found)
    assert doc["students"][1]["payable"] and doc["totals"]["amount"] == "11700.00"


def test_a_loan_merged_across_two_years_is_refused(run, tmp_path):
    """A loan of 16000 merged over 第1学年贷款 and 第2学年贷款: not read as 16000 a year (32000 counted)."""
    head = [*HEAD, "第1学年贷款（元）", "第2学年贷款（元）"]
    path = merge_cells(write_roster(tmp_path / "入伍名单.xlsx", [student(1, **{"第1学年贷款（元）": 16000})], head,
                               above=TITLE), "N4:O4")
    code, doc, err = run("enlist", path.name, "--year", YEAR, "--format", "json", as_json=True)
    assert code == 1, err
    s = doc["students"][0]
    assert not s["payable"] and s["total"] is None and s["loan_repayment"] is None
    assert [f["column"] for f in s["findings"] if f["code"] == "enlist.invalid"] == ["第1学年贷款（元）", "第2学年贷款（元）"]
    assert "贷款与其他列合并为一个单元格" in s["years"][0]["reason"]


def test_an_amount_merged_down_over_two_students_is_refused_not_paid_to_each(run, tmp_path):
    """第1学年学费 10000 typed once and merged over two students' rows (H4:H5) was read as each one's:
    10000 paid to both, exit 0, no finding. Whether it is each one's or their total no reader can
    tell, so it is read for neither: both are refused, each finding names the rows, and the year's
    reason says so. So is a 贷款本金 merged down over two students (L6:L7). A 0 merged down is 0
    either way, and read (I8:I9)."""
    rows = [student(1, tuition=(10000, 5000)), student(2, tuition=(None, 5000)),
            student(3, **{"贷款本金（元）": 6000}), student(4), student(5, tuition=(5850, 0)), student(6, tuition=(5850, None))]
    path = merge_cells(write_roster(tmp_path / "入伍名单.xlsx", rows, HEAD, above=TITLE), "H4:H5", "L6:L7", "I8:I9")
    code, doc, err = run("enlist", path.name, "--year", YEAR, "--format", "json", as_json=True)
    assert code == 1, err
    for i in (0, 1):
        s = doc["students"][i]
        assert not s["payable"] and s["total"] is None
        f = finding(doc, i, code="enlist.invalid")
        assert f["column"] == "第1学年学费（元）"
        assert "第1学年学费单元格合并了第4—5行，2名学生共用一个金额“10000”" in f["message"]
        assert "无法确定这是每名学生的金额还是他们的合计" in f["message"]
        reason = s["years"][0]["reason"]
        assert "合并了第4—5行" in reason and "与其他列合并" not in reason and "学费为空" not in reason
    for i in (2, 3):
        s = doc["students"][i]
        assert not s["payable"] and s["loan_repayment"] is None
        f = finding(doc, i, code="enlist.invalid")
        assert f["column"] == "贷款本金（元）" and "贷款本金单元格合并了第6—7行" in f["message"]
        assert "贷款本金单元格合并了第6—7行" in s["years"][0]["reason"]
    assert codes(doc)[4:] == [[], []] and [s["total"] for s in doc["students"][4:]] == ["5850.00", "5850.00"]
    assert doc["totals"]["payable"] == 2 and doc["totals"]["amount"] == "11700.00"


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
                 student(2, 入学年份=2020, 入伍年份=2022), expect_exit=0)
    f = finding(doc, 0, code="enlist.month_unknown")
    assert f["severity"] == "warning" and "2024-09-01起" in f["message"] and "20000.00元" in f["message"]
    assert doc["students"][0]["enlisted_on"] == "2024-09-01"
    assert codes(doc)[1] == []   # 2022: no change that year, nothing to ask


@pytest.mark.parametrize("enlisted, caps", [
    (2021.1, "两者补偿上限不同（1月入伍每学年上限8000.00元，10月入伍每学年上限12000.00元）"),  # 财教〔2021〕310号: autumn
    (2019.1, None),                                                                              # 8000 either way
])
def test_an_enlistment_month_excel_may_have_cut_is_refused_not_guessed(run, tmp_path, enlisted, caps):
    """入伍时间 2021.10 typed as a number is stored as 2021.1: it was read as January 2021 (the 8000 cap
    before 财教〔2021〕310号, where October takes 12000). It is now neither: enlist.invalid naming both
    readings (and both caps when they differ), no day and no cap taken; 2021.01 and 2021年1月 are
    January as written."""
    doc = enlist(run, tmp_path, student(1, 入学年份=2019, 入伍年份=enlisted),
                 student(2, 入学年份=2019, 入伍年份=2021.01), student(3, 入学年份=2019, 入伍年份="2021年1月"),
                 expect_exit=1)
    f = finding(doc, 0, code="enlist.invalid")
    year = str(enlisted)[:4]
    assert f["column"] == "入伍年份" and f"可能是{year}年1月，也可能是{year}年10月" in f["message"]
    assert (caps in f["message"]) if caps else "两者补偿上限不同" not in f["message"]
    s = doc["students"][0]
    assert (s["enlisted_on"], s["total"], s["payable"], s["years"]) == (None, None, False, [])
    assert [(x["enlisted_on"], x["total"], x["payable"]) for x in doc["students"][1:]] == [
        ("2021-01-01", "11700.00", True)] * 2


@pytest.mark.parametrize("enrolled", [1900, "1900-01-01"])
def test_an_enrolment_year_before_the_birth_year_is_refused(run, tmp_path, enrolled):
    """入学年份 1900 (a date cell left empty shows Excel's day 0, 1900) for a student born in 2002: it was
    taken as enrolled in 1900, 122 years studied, the 本科 4 counted and paid. It is now enlist.invalid
    naming both years, and no year is counted."""
    import datetime

    value = datetime.datetime(1900, 1, 1) if enrolled == "1900-01-01" else enrolled
    doc = enlist(run, tmp_path, student(1, tuition=(5850, 5850, 5850, 5850), 入学年份=value), student(2),
                 expect_exit=1)
    f = finding(doc, 0, code="enlist.invalid")
    assert f["column"] == "入学年份" and "入学年份1900早于身份证号码中的出生年份：" in f["message"]
    assert "2002" not in f["message"]   # the birth year is part of the masked ID: never quoted
    s = doc["students"][0]
    assert (s["years_counted"], s["years"], s["total"], s["payable"]) == (None, [], None, False)
    assert doc["totals"]["amount"] == "11700.00"


def test_identity_and_card_are_checked_as_in_rosters(run, tmp_path):
    good = make_id("20020301", area="420102", seq=206)
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    doc = enlist(run, tmp_path, student(1), student(2, 身份证号码=wrong), student(3, 银行卡号=None),
                 student(4, 身份证号码=int(good[:15]) * 1000), expect_exit=1)
    assert codes(doc) == [[], ["id.checksum"], ["card.missing"], ["id.precision_lost"]]
    assert [s["payable"] for s in doc["students"]] == [True, False, False, False]


def test_a_name_holding_a_note_or_two_students_is_refused_as_in_rosters(run, tmp_path):
    """姓名 on the enlistment list was never checked as roster names are: 王五（补）, 刘一/刘二 and 吴十A
    went into the bank file's 户名 and were paid, exit 0. Each is name.invalid now (the rosters'
    check, naming the characters; a minority name's ·, and a Latin-only name, stay allowed), and the
    student is not paid, as with an ID in error."""
    doc = enlist(run, tmp_path, student(1), student(2, 姓名="王五（补）"), student(3, 姓名="刘一/刘二"),
                 student(4, 姓名="吴十A"), student(5, 姓名="阿依古丽·买买提"), student(6, 姓名="Anna"),
                 expect_exit=1)
    assert codes(doc) == [[], ["name.invalid"], ["name.invalid"], ["name.invalid"], [], []]
    f = finding(doc, 1, code="name.invalid")
    assert f["column"] == "姓名" and f["severity"] == "error" and "“(”“)”" in f["message"]
    assert "“/”" in finding(doc, 2, code="name.invalid")["message"]
    assert "在汉字中夹有拉丁字母“A”" in finding(doc, 3, code="name.invalid")["message"]
    assert [s["payable"] for s in doc["students"]] == [True, False, False, False, True, True]
    assert (doc["totals"]["payments"], doc["totals"]["refused"]) == (3, 3)
    [bank] = [tmp_path / p for p in doc["bank_files"]]
    assert [r[1] for r in _icbc_lines(bank)[2:]] == ["入伍生一", "阿依古丽·买买提", "Anna"]


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
        "王志强6": ("13000.00", ["enlist.loan_not_by_year", "enlist.month_unknown"]), "赵磊7": ("10200.00", []),
        "孙浩然8": ("32000.00", []), "周婷9": ("36000.00", []), "吴俊杰10": ("16500.00", []),
        "郑凯11": ("12400.00", ["enlist.year_not_counted"]), "黄明12": (None, ["enlist.invalid"]),
        "马文博13": ("9600.00", ["enlist.duplicate"]), "何宇航14": ("24000.00", []),
        "马文博15": ("9600.00", ["enlist.duplicate"])}
    # 11700 + 24000 + 13000 + 10200 + 32000 + 36000 + 16500 + 12400 + 24000 = 179800; loans 8000 + 12000
    # + 24000 = 44000
    assert doc["totals"] == {"students": 12, "payable": 9, "refused": 3, "amount": "179800.00",
                             "loan_repayment": "44000.00", "to_students": "135800.00", "payments": 8,
                             "errors": 3, "warnings": 3}
    zhou = next(s for s in doc["students"] if s["name"] == "周婷")
    assert zhou["level"] == "研究生" and [y["cap"] for y in zhou["years"]] == ["20000.00", "20000.00"]
    he = next(s for s in doc["students"] if s["name"] == "何宇航")
    assert (he["loan_repayment"], he["to_student"]) == ("24000.00", "0.00")


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
    assert set(s["years"][0]) == {"year_of_study", "school_year", "tuition", "loan_counted", "loan", "cap", "amount",
                                  "reason"}
    assert {"schooling", "loan_principal", "loan_interest", "loan_owed", "loan_by_year"} <= set(s)
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
    assert [r[1] for r in body] == ["入伍生一", "入伍生二"]            # 入伍生三: all of it repays the loan
    assert body[0][5] == "2024年应征入伍学费补偿"
    assert not (tmp_path / "aidctl.db").exists()                      # not a disbursement: no ledger
    sums = (tmp_path / "out" / "enlist-2024" / "SHA256SUMS").read_text(encoding="utf-8")
    assert files[0].name in sums


@pytest.mark.parametrize("figure, said", [("total_fen", "银行文件金额"), ("declared_total_fen", "银行文件汇总行金额"),
                                           ("count", "银行文件笔数")])
def test_a_bank_file_that_disagrees_with_the_list_is_not_written(run, tmp_path, monkeypatch, figure, said):
    """The payment list's bank file, as read back from what was rendered (its amounts, its header's
    sum, its count), must equal the list and the document before it is written: a renderer one fen
    or one record out stops the run with 合计不符 naming the figure, and no bank file is written."""
    import dataclasses

    import aidctl.pay

    real = aidctl.pay.render_bank_files

    def one_out(*args, **kwargs):
        files = real(*args, **kwargs)
        return [dataclasses.replace(files[0], **{figure: getattr(files[0], figure) + 1}), *files[1:]]

    monkeypatch.setattr(aidctl.pay, "render_bank_files", one_out)
    path = write_roster(tmp_path / "入伍名单.xlsx", [student(1), student(2)], HEAD, above=TITLE)
    code, out, err = run("enlist", path.name, "--year", YEAR)
    assert code == 2 and "合计不符" in err and said in err, err
    assert not list((tmp_path / "out").rglob("代发_*"))


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
    assert [r[:5] for r in caps] == [
        ("2009-01-01", "6000.00", "6000.00", "", ""), ("2013-08-20", "6000.00", "", "8000.00", "10000.00"),
        ("2014-09-01", "8000.00", "12000.00", "", ""), ("2021-09-01", "12000.00", "16000.00", "", ""),
        ("2023-09-01", "16000.00", "20000.00", "", ""), ("2024-09-01", "20000.00", "25000.00", "", "")]
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
    del rules["caps"][2]["per_year"]["研究生"]
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "enlistment.yaml").write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    write_roster(tmp_path / "list.xlsx", [student(1)], HEAD, above=TITLE)
    code, out, err = run("enlist", "list.xlsx", "--year", YEAR)
    assert code == 2 and "enlistment.yaml" in err and "研究生" in err and len(err.strip().splitlines()) == 1


# --- issue 16: 2013 caps by level, 学制, loan totals, the loan by year ------------------------------

def test_in_2013_a_graduate_student_must_say_master_or_doctor(run, tmp_path):
    """财教〔2013〕236号 sets 硕士 8000 and 博士 10000 apart: “研究生” alone has no cap then (refused, with
    the reason), and is fine from 2014 (one 研究生 cap, 12000)."""
    doc = enlist(run, tmp_path, student(1, 学历层次="研究生", 入学年份=2011, 入伍年份="2013年9月"),
                 student(2, 学历层次="研究生", 入学年份=2012, 入伍年份="2014年9月", tuition=(13000, 13000)),
                 expect_exit=1)
    f = finding(doc, 0, code="enlist.invalid")
    assert f["column"] == "学历层次" and "请写明硕士或博士" in f["message"] and "2013-08-20" in f["message"]
    assert doc["students"][0]["total"] is None and not doc["students"][0]["payable"]
    assert doc["students"][1]["total"] == "24000.00"


def test_schooling_is_read_when_the_list_has_it(run, tmp_path):
    """A five-year 本科 (学制 5) enrolled 2019, enlisted 2024 年9月: 5 years counted (not 本科's 4);
    tuition 5000 a year → 25000. Without 学制 the same student counts 4 (20000). An unreadable 学制 is
    enlist.invalid."""
    head = [*HEAD[:-1], "第5学年学费（元）", "学制", "银行卡号"]
    fees = (5000, 5000, 5000, 5000, 5000)
    rows = [student(1, tuition=fees, 入学年份=2019, 入伍年份="2024年9月", 学制="5年"),
            student(2, tuition=fees[:4], 入学年份=2019, 入伍年份="2024年9月", 学制=None),
            student(3, tuition=fees, 入学年份=2019, 入伍年份="2024年9月", 学制="五年制"),
            student(4, tuition=fees, 入学年份=2019, 入伍年份="2024年9月", 学制="长")]
    doc = enlist(run, tmp_path, *rows, headers=head, expect_exit=1)
    s = doc["students"]
    assert [(x["years_counted"], x["total"], x["schooling"]) for x in s[:3]] == [
        (5, by_hand(*map(Decimal, fees)), 5), (4, "20000.00", None), (5, "25000.00", 5)]
    assert "超过名单填写的学制5年" not in s[0]["years_reason"] and "计入第1—5学年" in s[0]["years_reason"]
    assert "学制“长”无法识别" in finding(doc, 3, code="enlist.invalid")["message"]


@pytest.mark.parametrize("over, says", [
    ({"贷款本金（元）": 8000, "贷款利息（元）": 100, "国家助学贷款本息（元）": 8200}, "不等于贷款本金8000.00元加贷款利息100.00元"),
    ({"贷款本金（元）": 8000, "国家助学贷款本息（元）": 7000}, "贷款本息7000.00元少于贷款本金8000.00元"),
    ({"第1学年贷款（元）": "六千"}, "第1学年贷款“六千”不是有效金额"),
    ({"贷款本金（元）": 9000, "第1学年贷款（元）": 4000, "第2学年贷款（元）": 4000}, "贷款本金9000.00元多于各学年贷款合计8000.00元"),
])
def test_loan_figures_that_disagree_are_refused(run, tmp_path, over, says):
    head = [*HEAD, "第1学年贷款（元）", "第2学年贷款（元）", "贷款利息（元）", "国家助学贷款本息（元）"]
    doc = enlist(run, tmp_path, student(1), student(2, **over), headers=head, expect_exit=1)
    assert says in finding(doc, 1, code="enlist.invalid")["message"]
    assert doc["students"][0]["payable"] and not doc["students"][1]["payable"]


@pytest.mark.parametrize("over, says", [
    ({"第1学年贷款（元）": 5000, "第2学年贷款（元）": 5000, "贷款利息（元）": 300, "贷款本息（元）": 20000},
     "贷款本息20000.00元不等于各学年贷款合计10000.00元加贷款利息300.00元"),
    ({"第1学年贷款（元）": 5000, "第2学年贷款（元）": 5000, "贷款本息（元）": 9000},
     "贷款本息9000.00元少于各学年贷款合计10000.00元"),
    ({"贷款利息（元）": 3000, "贷款本息（元）": 2000}, "贷款利息3000.00元多于贷款本息2000.00元"),
])
def test_a_loan_with_interest_without_the_principal_is_checked(run, tmp_path, over, says):
    """贷款本息 without a 贷款本金 column: it must still be the principal (the years' loans) with the
    interest. 20000 against loans of 10000 and 300 interest was taken as owed (20000 repaid first, the
    300 shared); an interest above 贷款本息 made a principal of −1000.00 and paid the card. Each is now
    enlist.invalid naming the figures as written, and no loan figure or amount is shown."""
    head = [h for h in HEAD if h != "贷款本金（元）"] + ["第1学年贷款（元）", "第2学年贷款（元）", "贷款利息（元）", "贷款本息（元）"]
    doc = enlist(run, tmp_path, student(1, tuition=(5000, 5000)), student(2, tuition=(5000, 5000), **over),
                 headers=head, expect_exit=1)
    f = finding(doc, 1, code="enlist.invalid")
    assert f["column"] == "贷款本息（元）" and says in f["message"] and "贷款本金10000" not in f["message"]
    s = doc["students"][1]
    assert not s["payable"] and (s["total"], s["loan_owed"], s["loan_principal"], s["to_student"]) == (None,) * 4
    assert all(says in y["reason"] and y["amount"] is None for y in s["years"])
    assert doc["students"][0]["payable"] and doc["totals"]["amount"] == "10000.00"


def test_a_loan_with_interest_and_the_years_loans_that_agree_is_read(run, tmp_path):
    """贷款本息 10400 with loans of 5000 a year and no 贷款本金: the interest is 400, 200 a year."""
    head = [h for h in HEAD if h != "贷款本金（元）"] + ["第1学年贷款（元）", "第2学年贷款（元）", "贷款本息（元）"]
    doc = enlist(run, tmp_path, student(1, tuition=(5000, 5000), **{"第1学年贷款（元）": 5000, "第2学年贷款（元）": 5000,
                                                                   "贷款本息（元）": 10400}), headers=head, expect_exit=0)
    s = doc["students"][0]
    assert (s["loan_principal"], s["loan_interest"], s["loan_owed"]) == ("10000.00", "400.00", "10400.00")
    assert [y["loan_counted"] for y in s["years"]] == ["5200.00", "5200.00"] and s["loan_repayment"] == "10400.00"


def test_a_principal_below_the_years_loans_is_refused_not_paid_to_the_card(run, tmp_path):
    """贷款本金 8000 with loans of 8000 in each of two years (16000): one loan written twice that
    disagrees. It was taken silently: each year counted its 8000 (16000), only 8000 repaid the loan and
    8000 went to the student's card, the second year's loan unrepaid. Now enlist.invalid on 贷款本金
    names both figures and nothing is computed; where they agree the row is paid as before."""
    head = [*HEAD, "第1学年贷款（元）", "第2学年贷款（元）"]
    years = {"第1学年贷款（元）": 8000, "第2学年贷款（元）": 8000}
    doc = enlist(run, tmp_path, student(1, tuition=(5000, 5000), **years, **{"贷款本金（元）": 8000}),
                 student(2, tuition=(5000, 5000), **years, **{"贷款本金（元）": 16000}), headers=head, expect_exit=1)
    f = finding(doc, 0, code="enlist.invalid")
    assert f["column"] == "贷款本金（元）" and "贷款本金8000.00元少于各学年贷款合计16000.00元" in f["message"]
    s = doc["students"][0]
    assert not s["payable"] and (s["total"], s["loan_owed"], s["to_student"]) == (None, None, None)
    assert all("贷款本金8000.00元少于各学年贷款合计16000.00元" in y["reason"] and y["amount"] is None
               for y in s["years"])
    agreed = doc["students"][1]
    assert agreed["payable"] and codes(doc)[1] == []
    assert (agreed["total"], agreed["loan_repayment"], agreed["to_student"]) == ("16000.00", "16000.00", "0.00")
    assert doc["totals"]["payments"] == 0


@pytest.mark.parametrize("years, says", [
    ({"第1学年贷款（元）": 8000}, "贷款本息16000.00元比各学年贷款合计8000.00元多8000.00元，而第2学年贷款未填写"),
    ({"第1学年贷款（元）": 0, "第2学年贷款（元）": 0}, "贷款本息16000.00元，而各学年贷款都填0"),
])
def test_a_loan_total_above_the_years_loans_with_a_year_left_blank_is_not_taken_as_interest(
        run, tmp_path, years, says):
    """贷款本息 16000 without 贷款利息, the loan of year 1 (8000) written and year 2's left blank: the 8000
    more could be year 2's loan as well as interest. It was taken as interest on year 1's loan (year 1
    counted 16000, at the cap 12000, total 17000 where loans of 8000 a year give 16000), silently.
    Years all written 0 under a 贷款本息: the same. Now enlist.invalid on 贷款本息, nothing computed;
    with every year written (0 where none) the difference is the interest (5000 and 3000, 贷款本息
    8400: 400 interest shared 5:3)."""
    head = [h for h in HEAD if h != "贷款本金（元）"] + ["第1学年贷款（元）", "第2学年贷款（元）", "贷款本息（元）"]
    doc = enlist(run, tmp_path, student(1, tuition=(5000, 5000), **years, **{"贷款本息（元）": 16000}),
                 student(2, tuition=(5000, 5000), **{"第1学年贷款（元）": 5000, "第2学年贷款（元）": 3000,
                                                      "贷款本息（元）": 8400}), headers=head, expect_exit=1)
    f = finding(doc, 0, code="enlist.invalid")
    assert f["column"] == "贷款本息（元）" and says in f["message"] and "请填写贷款利息" in f["message"]
    s = doc["students"][0]
    assert not s["payable"] and (s["total"], s["loan_interest"], s["loan_owed"]) == (None, None, None)
    assert all(says in y["reason"] and y["amount"] is None for y in s["years"])
    whole = doc["students"][1]
    assert whole["payable"] and codes(doc)[1] == [] and whole["loan_interest"] == "400.00"
    assert [y["loan_counted"] for y in whole["years"]] == ["5250.00", "3150.00"]
    assert whole["total"] == by_hand(Decimal("5250"), Decimal("5000")) == "10250.00"


def test_the_loans_total_never_pays_more_than_the_loan_by_year():
    """For random loans with interest split over 2–4 years, tuition up to above the cap, the amount from
    the loan's total alone is what every split of that total over the years would give: each year its
    tuition within the cap, and of what the total exceeds the tuition by, no more than the smallest room
    a year has under its cap (a year whose tuition reaches the cap could hold the whole loan to no
    effect). It is never more than the amount from the same loans by year: asking for the loan by year
    can only raise it (the warning says so)."""
    import random
    import tempfile
    from fractions import Fraction

    from aidctl.enlist import compute
    from aidctl.read import Workspace

    rnd = random.Random(16)
    rows, cases = [], []
    for i in range(60):
        n = rnd.randint(2, 4)
        fees = [rnd.choice([0, 3000, 5000, 6500, 9000, 12000, 13500]) for _ in range(n)]
        loans = [rnd.choice([0, 2000, 6000, 8000, 12000]) for _ in range(n)]    # 2022 cap: 12000
        interest = rnd.choice([0, 0, 480, 1250])
        common = {"tuition": tuple(fees), "入学年份": 2022 - n, "入伍年份": "2022年9月",
                  "贷款本金（元）": sum(loans), "贷款利息（元）": interest}
        rows.append(student(2 * i + 1, **common, **{f"第{k}学年贷款（元）": v for k, v in enumerate(loans, start=1)}))
        rows.append(student(2 * i + 2, **common))
        cases.append((fees, loans, interest))
    head = [*HEAD, "第1学年贷款（元）", "第2学年贷款（元）", "第3学年贷款（元）", "第4学年贷款（元）", "贷款利息（元）"]
    with tempfile.TemporaryDirectory() as tmp:
        path = write_roster(Path(tmp) / "list.xlsx", rows, head, above=TITLE)
        result = compute([path], Workspace(Path(tmp)), year=2024)
    totals = [int(v) for v in result.students["total_fen"]]
    cap = 12000
    for i, (fees, loans, interest) in enumerate(cases):
        by_year, total_only = totals[2 * i], totals[2 * i + 1]
        # each year's loan with its share of the interest (exact here: the shares only round to the fen)
        with_interest = [v + Fraction(interest * v, sum(loans)) if sum(loans) else v for v in loans]
        assert abs(by_year - 100 * sum(min(cap, max(t, v)) for t, v in zip(fees, with_interest))) <= len(fees)
        owed = sum(loans) + interest
        rooms = [cap - min(t, cap) for t in fees]
        assert total_only == 100 * (sum(min(t, cap) for t in fees) + min(max(owed - sum(fees), 0), min(rooms)))
        assert total_only <= by_year, (fees, loans, interest)


def test_a_loan_total_a_year_at_its_cap_could_hold_adds_nothing(run, tmp_path):
    """Tuition 12000 and 0 (cap 12000), a loan of 12000 with 500 interest. By year (the loan in year 1)
    the amount is 12000: year 1 is at its cap and year 2 has neither. Given as a total only, the 500
    the total exceeds the tuition by was added to year 2 (12500 paid, though the warning said the
    loan by year could only raise it). Now nothing is added: the loan may well be year 1's."""
    head = [*HEAD, "第1学年贷款（元）", "贷款利息（元）"]
    doc = enlist(run, tmp_path, student(1, tuition=(12000, 0), **{"第1学年贷款（元）": 12000, "贷款利息（元）": 500}),
                 student(2, tuition=(12000, 0), **{"贷款本金（元）": 12000, "贷款利息（元）": 500}), headers=head,
                 expect_exit=0)
    by_year, total_only = doc["students"]
    assert by_year["total"] == by_hand(min(Decimal(12000), Decimal(12500)), Decimal(0)) == "12000.00"
    assert total_only["total"] == "12000.00" and [y["amount"] for y in total_only["years"]] == ["12000.00", "0.00"]
    assert (total_only["loan_repayment"], total_only["to_student"]) == ("12000.00", "0.00")
    f = finding(doc, 1, code="enlist.loan_not_by_year")
    assert "无论怎样分布都应补偿的0.00元" in f["message"] and "只会相同或更高" in f["message"]
    assert "余下500.00元仍由学生按借款合同归还" in finding(doc, 1, code="enlist.loan_exceeds")["message"]


def test_a_loan_total_beyond_a_years_room_adds_only_that_room(run, tmp_path):
    """Tuition 3000 a year (cap 12000, room 9000 each), 贷款本息 30000 given as a total: the loans could
    be 30000 in year 1 and none in year 2 (3000 + 12000 = 15000 by year), so 9000 of the 24000 the total
    exceeds the tuition by is certain: 15000, and the reason says why it is not 24000."""
    head = [*HEAD, "国家助学贷款本息（元）"]
    doc = enlist(run, tmp_path, student(1, tuition=(3000, 3000), **{"国家助学贷款本息（元）": 30000}), headers=head,
                 expect_exit=0)
    s = doc["students"][0]
    assert [y["amount"] for y in s["years"]] == ["12000.00", "3000.00"] and s["total"] == "15000.00"
    assert "高出24000.00元；贷款未按学年填写，只计入各学年贷款无论怎样分布都应补偿的9000.00元" in s["years"][0]["reason"]
    assert "余下15000.00元仍由学生按借款合同归还" in finding(doc, 0, code="enlist.loan_exceeds")["message"]


def test_two_card_columns_no_rule_can_tell_apart_stop_the_run(run, tmp_path):
    """银行卡号 and 收款账号 side by side with different cards: neither is guessed; exit 2 names both."""
    head = [*HEAD, "收款账号"]
    path = write_roster(tmp_path / "入伍名单.xlsx", [student(1, 收款账号=make_card(seed=901))], head, above=TITLE)
    code, out, err = run("enlist", path.name, "--year", YEAR, "--format", "json")
    assert code == 2 and "“银行卡号”" in err and "“收款账号”" in err, err


def test_two_loan_columns_no_rule_can_tell_apart_are_never_read_as_no_loan(run, tmp_path):
    """贷款本金 twice (the second doubled): reading neither would pay the card instead of the loan."""
    head = [*HEAD, "贷款金额"]
    path = write_roster(tmp_path / "入伍名单.xlsx", [student(1, **{"贷款本金（元）": 5000, "贷款金额": 10000})], head,
                        above=TITLE)
    code, out, err = run("enlist", path.name, "--year", YEAR, "--format", "json")
    assert code == 2 and "贷款" in err, err
