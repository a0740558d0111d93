"""audit-extraction and enlist: figures that disagree, a month in a column of its own, a unit that
cannot be what the figures are in. Each was once an answer given in silence."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from conftest import hanzi, make_card, make_id, write_roster

# --- audit-extraction: 划入专户 above 提取, 发放 above 划入专户 ------------------------------------------

FINANCE_HEAD = ["学校代码", "学校名称", "学校类型", "所属县区", "事业收入（元）", "提取金额（元）", "划入专户金额（元）",
                "发放金额（元）"]


def finance(run, tmp_path: Path, *rows: list) -> tuple[int, dict]:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2011年度校内资助资金提取情况"])
    ws.append(FINANCE_HEAD)
    for r in rows:
        ws.append(r)
    path = tmp_path / "finance.xlsx"
    wb.save(path)
    code, doc, err = run("audit-extraction", path, "--format", "json", "--workspace", tmp_path, as_json=True)
    assert isinstance(doc, dict), (code, err)
    return code, doc


def test_more_paid_into_the_account_than_extracted_is_said_with_both_figures(run, tmp_path):
    """划入专户 80000 against 提取 50000 was 合规 without a word: the sheet's figures disagree."""
    code, doc = finance(run, tmp_path, ["9001", "甲职业中学", "中职", "甲县", 1_000_000, 50_000, 80_000, 80_000],
                        ["9002", "乙职业中学", "中职", "甲县", 1_000_000, 50_000, 50_000, 50_000])
    first, second = doc["schools"]
    assert [f["code"] for f in first["findings"]] == ["extraction.over_deposited"]
    f = first["findings"][0]
    assert f["severity"] == "warning"
    assert "划入专户80000.00元" in f["message"] and "提取金额50000.00元" in f["message"] and "多30000.00元" in f["message"]
    assert (first["verdict"], second["verdict"]) == ("需关注", "合规")
    assert code == 0 and doc["summary"]["attention"] == 1


def test_a_balance_below_zero_is_never_compliant_nor_a_share(run, tmp_path):
    """发放 70000 out of 划入专户 50000 (结余 −20000) was 合规 without a word."""
    code, doc = finance(run, tmp_path, ["9001", "甲职业中学", "中职", "甲县", 1_000_000, 50_000, 50_000, 70_000])
    school = doc["schools"][0]
    assert [f["code"] for f in school["findings"]] == ["extraction.overspent"]
    message = school["findings"][0]["message"]
    assert "划入专户50000.00元" in message and "发放70000.00元" in message and "20000.00元" in message
    assert "结余为负" in message and "%" not in message
    assert school["verdict"] == "需关注"


def test_a_short_extraction_deposited_in_full_and_more_is_both_findings(run, tmp_path):
    code, doc = finance(run, tmp_path, ["9001", "甲职业中学", "中职", "甲县", 1_000_000, 40_000, 50_000, 50_000])
    school = doc["schools"][0]
    assert sorted(f["code"] for f in school["findings"]) == ["extraction.over_deposited", "extraction.under"]
    assert school["verdict"] == "不合规" and code == 1


def test_the_terminal_names_the_school_and_row(run, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2011年度校内资助资金提取情况"])
    ws.append(FINANCE_HEAD)
    ws.append(["9001", "甲职业中学", "中职", "甲县", 1_000_000, 50_000, 50_000, 70_000])
    wb.save(tmp_path / "finance.xlsx")
    code, out, err = run("audit-extraction", tmp_path / "finance.xlsx", "--workspace", tmp_path)
    assert "甲职业中学（第3行）extraction.overspent" in out


# --- enlist ------------------------------------------------------------------------------------------

TITLE = [["2024年应征入伍高校学生学费补偿国家助学贷款代偿申请表"], ["填报单位：江城大学"]]


def student(i: int, **over) -> dict:
    """A 本科 student who enrolled in 2022 and enlisted in 2024 (2 years counted)."""
    row = {"序号": i, "姓名": f"入伍生{hanzi(i)}", "身份证号码": make_id("20020301", area="420102", seq=200 + 2 * i),
           "学校": "江城大学", "学历层次": "本科", "入学年份": 2022, "入伍年份": 2024, "银行卡号": make_card(seed=700 + i)}
    row.update(over)
    return row


def enlist(run, tmp_path: Path, headers: list[str], *rows: dict) -> dict:
    path = write_roster(tmp_path / "入伍名单.xlsx", list(rows), headers, above=TITLE)
    code, doc, err = run("enlist", path.name, "--year", "2024", "--format", "json", as_json=True)
    assert isinstance(doc, dict), (code, doc, err)
    doc["_exit"] = code
    return doc


def codes(doc: dict) -> list[list[str]]:
    return [[f["code"] for f in s["findings"]] for s in doc["students"]]


MONTH_HEAD = ["序号", "姓名", "身份证号码", "学校", "学历层次", "入学年份", "入伍年份", "入伍月份", "第1学年学费（元）",
              "第2学年学费（元）", "银行卡号"]
FEES = {"第1学年学费（元）": 30000, "第2学年学费（元）": 30000}


def test_a_month_in_its_own_column_is_read_and_decides_the_cap(run, tmp_path):
    """入伍年份 2024 beside 入伍月份 3: the month was passed over, the student taken as enlisting on
    2024-09-01 (cap 20000) and the list told “只写了年份”. March 2024 is under the cap before
    财教〔2024〕188号: 16000 a year."""
    doc = enlist(run, tmp_path, MONTH_HEAD, student(1, 入伍月份=3, **FEES), student(2, 入伍月份="10月", **FEES),
                 student(3, 入伍月份="3月份", **FEES))
    assert codes(doc) == [[], [], []]
    assert [(s["enlisted_on"], s["total"]) for s in doc["students"]] == [
        ("2024-03-01", "32000.00"), ("2024-10-01", "40000.00"), ("2024-03-01", "32000.00")]


def test_a_month_column_that_is_no_month_or_contradicts_is_refused(run, tmp_path):
    doc = enlist(run, tmp_path, MONTH_HEAD, student(1, 入伍月份="13", **FEES),
                 student(2, 入伍年份="2024年3月", 入伍月份=10, **FEES))
    assert codes(doc) == [["enlist.invalid"], ["enlist.invalid"]]
    first, second = (s["findings"][0]["message"] for s in doc["students"])
    assert first.startswith("入伍月份“13”不是月份（1—12）")
    assert second.startswith("入伍时间“2024年3月”与入伍月份“10”不是同一个月")
    assert [(s["payable"], s["total"], s["enlisted_on"]) for s in doc["students"]] == [(False, None, None)] * 2


def test_month_unknown_says_what_was_read_not_that_only_a_year_was_written(run, tmp_path):
    doc = enlist(run, tmp_path, MONTH_HEAD, student(1, 入伍年份="2024年入伍", **FEES))
    message = doc["students"][0]["findings"][0]["message"]
    assert codes(doc) == [["enlist.month_unknown"]]
    assert message.startswith("入伍时间“2024年入伍”只读出2024年，没有月份（入伍月份为空）") and "只写了年份" not in message


WAN_HEAD = ["序号", "姓名", "身份证号码", "学校", "学历层次", "入学年份", "入伍年份", "第1学年学费（万元）",
            "第2学年学费（万元）", "第1学年贷款（万元）", "银行卡号"]


def test_yuan_figures_under_a_wan_yuan_header_are_refused_not_paid_at_the_cap(run, tmp_path):
    """5000 under 第1学年学费（万元） is 50000000.00元: it was paid at the cap (20000) with the figure only
    in the reason. Whether the column is in 万元 or 元 is not known: refused, naming both."""
    doc = enlist(run, tmp_path, WAN_HEAD,
                 student(1, 入伍年份="2024年10月", **{"第1学年学费（万元）": 5000, "第2学年学费（万元）": 5000}),
                 student(2, 入伍年份="2024年10月", **{"第1学年学费（万元）": 0.585, "第2学年学费（万元）": 0.585}),
                 student(3, 入伍年份="2024年10月", **{"第1学年学费（万元）": 0.585, "第2学年学费（万元）": 0.585,
                                                 "第1学年贷款（万元）": 12000}))
    assert codes(doc) == [["enlist.invalid", "enlist.invalid"], [], ["enlist.invalid"]]
    message = doc["students"][0]["findings"][0]["message"]
    assert "“第1学年学费（万元）”“5000”按万元计为50000000.00元，高于每学年补偿上限20000.00元" in message
    assert "不知该列是按万元还是按元填写" in message and "为空或不是有效金额" not in message
    assert [(s["payable"], s["total"]) for s in doc["students"]] == [(False, None), (True, "11700.00"), (False, None)]
    assert "第1学年贷款（万元）" in doc["students"][2]["findings"][0]["message"]
    reasons = [y["reason"] for y in doc["students"][0]["years"]]
    assert all("不知该列是按万元还是按元填写" in r and "按上限计" not in r for r in reasons)
    assert doc["totals"]["amount"] == "11700.00"


def test_a_wan_yuan_figure_at_the_cap_is_read_and_one_a_fen_above_it_is_not(run, tmp_path):
    doc = enlist(run, tmp_path, WAN_HEAD,
                 student(1, 入伍年份="2024年10月", **{"第1学年学费（万元）": "2", "第2学年学费（万元）": 1}),
                 student(2, 入伍年份="2024年10月", **{"第1学年学费（万元）": "2.000001", "第2学年学费（万元）": 1}))
    assert codes(doc) == [[], ["enlist.invalid"]]
    assert "按万元计为20000.01元" in doc["students"][1]["findings"][0]["message"]
    assert [s["total"] for s in doc["students"]] == ["30000.00", None]


def test_a_year_beside_an_unread_one_is_not_said_to_lack_a_loan_the_student_never_had(run, tmp_path):
    """No loan at all, 第2学年学费 “abc”: 第1学年 said “实缴学费5850.00元，但贷款不能确定”. With no loan
    there is nothing to add to any year: 第1学年 is its tuition; 第2学年 shows no amount, never the cap."""
    head = ["序号", "姓名", "身份证号码", "学校", "学历层次", "入学年份", "入伍年份", "第1学年学费（元）", "第2学年学费（元）",
            "银行卡号"]
    doc = enlist(run, tmp_path, head, student(1, 入伍年份="2024年10月", **{"第1学年学费（元）": 5850,
                                                                    "第2学年学费（元）": "abc"}))
    s = doc["students"][0]
    assert codes(doc) == [["enlist.invalid"]] and (s["payable"], s["total"]) == (False, None)
    assert [y["amount"] for y in s["years"]] == ["5850.00", None]
    assert "贷款不能确定" not in s["years"][0]["reason"] and "按实缴学费计5850.00元" in s["years"][0]["reason"]
