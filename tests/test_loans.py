"""aidctl loans: the register's checks, the caps by year, the 贴息 arithmetic worked out by hand, the
year's figures (审批通过率, 履约率, 风险补偿金), the 催收 workbook, the JSON shapes and exit codes.

Registers are written here as the bank exports them: a title row, the header on row 2, so the k-th
contract (0-based) stands on Excel row 3 + k.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import openpyxl
import pytest
import yaml
from conftest import SAMPLES, hanzi, make_id, merge_cells, voc_row, write_roster

from aidctl.rulebook import Rulebook, packaged_rules_dir

FIRST_ROW = 3
HEAD = ["合同编号", "借款人姓名", "身份证号", "学校", "学历层次", "贷款年度", "贷款金额（元）", "发放日期", "预计毕业年份",
        "还款状态", "应还日期", "应还本金", "应还利息", "实还金额", "逾期天数", "所属县区", "联系电话", "家庭住址"]
APP_HEAD = ["序号", "受理日期", "所属县区", "姓名", "身份证号", "贷款年度", "审核结果", "不通过原因"]
SAMPLE_REGISTER = SAMPLES / "loans" / "生源地信用助学贷款台账.xlsx"
SAMPLE_APPLICATIONS = SAMPLES / "loans" / "2024年度贷款申请受理清单.xlsx"
PLANTED = json.loads((SAMPLES / "loans" / "planted.json").read_text(encoding="utf-8"))
CENT = Decimal("0.01")
BIRTH = "19880315"        # borrowers born before every loan year the tests use (2007 on)


# --- helpers (this file's own) --------------------------------------------------------------------

def contract(i: int, **over) -> dict:
    """A clean contract in study: 本专科, loan year 2023, 8000 yuan, graduating 2026."""
    row = {"合同编号": f"HT2023{i:04d}", "借款人姓名": f"借款人{hanzi(i)}", "身份证号": make_id(BIRTH, seq=100 + 2 * i),
           "学校": "湖北大学", "学历层次": "本专科", "贷款年度": "2023", "贷款金额（元）": 8000, "发放日期": "2023-10-15",
           "预计毕业年份": 2026, "还款状态": "在读", "应还日期": None, "应还本金": 0, "应还利息": 0, "实还金额": 0,
           "逾期天数": 0, "所属县区": "城关区", "联系电话": f"1380000{i:04d}", "家庭住址": "城关区解放街道红星村3组"}
    row.update(over)
    return row


def repaying(i: int, *, unpaid: int = 0, due: str = "2024-12-20", **over) -> dict:
    """A graduate in repayment: 1,000 principal and 320 interest fallen due, `unpaid` of it not paid."""
    return contract(i, **{"贷款年度": "2019", "发放日期": "2019-10-15", "预计毕业年份": 2021, "还款状态": "还款期",
                          "应还日期": due, "应还本金": 1000, "应还利息": 320, "实还金额": 1320 - unpaid, **over})


def register(tmp_path: Path, rows: list[dict], name: str = "台账.xlsx", headers: list[str] = HEAD) -> Path:
    return write_roster(tmp_path / name, rows, headers, above=[["国家开发银行生源地信用助学贷款台账"]])


def applications(tmp_path: Path, rows: list[tuple[str, str]], name: str = "受理清单.xlsx") -> Path:
    """(county, result) pairs as an application list for loan year 2024."""
    data = [{"序号": i, "受理日期": "2024-07-15", "所属县区": county, "姓名": f"申请人{hanzi(i)}",
             "身份证号": make_id("20050101", seq=100 + 2 * i), "贷款年度": "2024", "审核结果": result}
            for i, (county, result) in enumerate(rows, start=1)]
    return write_roster(tmp_path / name, data, APP_HEAD, above=[["2024年度生源地信用助学贷款申请受理清单"]])


def check(run, path: Path, *, expect_exit: int | None = None, workspace: Path | None = None) -> dict:
    code, doc, err = run("loans", "check", path, "--format", "json", "--workspace", workspace or path.parent,
                         as_json=True)
    assert isinstance(doc, dict), (code, doc, err)
    if expect_exit is not None:
        assert code == expect_exit, (code, doc, err)
    return doc


def summary(run, path: Path, year: int, *extra, expect_exit: int | None = None) -> dict:
    code, doc, err = run("loans", "summary", "--year", year, path, "--format", "json", "--workspace", path.parent,
                         *extra, as_json=True)
    assert isinstance(doc, dict), (code, doc, err)
    if expect_exit is not None:
        assert code == expect_exit, (code, doc, err)
    return doc


def finding(doc: dict, row: int, *, code: str) -> dict:
    """The one finding `code` on Excel row `row` (fails unless there is exactly one)."""
    hits = [f for f in doc["findings"] if f["code"] == code and f["row"] == row]
    assert len(hits) == 1, doc["findings"]
    return hits[0]


def codes(doc: dict) -> set[tuple[int | None, str]]:
    return {(f["row"], f["code"]) for f in doc["findings"]}


def by_hand(*segments: tuple[str, str, int], base: int = 360) -> str:
    """Σ principal × rate% × days ÷ base, exact in Decimal, ROUND_HALF_UP to the fen: the rule the
    README states, worked here independently of aidctl's integer arithmetic."""
    total = sum((Decimal(p) * Decimal(r) / 100 * d for p, r, d in segments), Decimal(0)) / base
    return str(total.quantize(CENT, rounding=ROUND_HALF_UP))


def county(doc: dict, name: str) -> dict:
    return next(c for c in doc["counties"] if c["county"] == name)


# --- check: negative control, shape, exit codes ---------------------------------------------------------

def test_a_clean_register_has_no_findings_and_exits_0(run, tmp_path):
    path = register(tmp_path, [contract(1), contract(2, 贷款年度="2024", 发放日期="2024-10-20", 预计毕业年份=2027,
                                                  **{"贷款金额（元）": 20000}), repaying(3)])
    doc = check(run, path, expect_exit=0)
    assert doc["findings"] == []
    assert doc["version"] == 1 and doc["summary"] == {"records": 3, "errors": 0, "warnings": 0}
    assert doc["files"] == [{"file": str(path), "sheet": "Sheet1", "header_row": 2, "records": 3}]


def test_check_json_shape_matches_validate(run, tmp_path):
    path = register(tmp_path, [contract(1, **{"贷款金额（元）": 17000})])       # 2023 本专科 cap: 16,000
    doc = check(run, path, expect_exit=1)
    assert set(doc) == {"version", "files", "summary", "findings"}
    assert set(doc["findings"][0]) == {"file", "sheet", "row", "column", "code", "severity", "message", "value"}
    f = finding(doc, FIRST_ROW, code="loan.over_cap")
    assert (f["file"], f["sheet"], f["column"], f["severity"], f["value"]) == (str(path), "Sheet1", "贷款金额（元）",
                                                                                 "error", "17000")


def test_table_output_and_report_workbook(run, tmp_path):
    path = register(tmp_path, [contract(1, **{"贷款金额（元）": 17000}), contract(2)])
    report = tmp_path / "台账检查.xlsx"
    code, out, err = run("loans", "check", path, "--workspace", tmp_path, "--report", report)
    assert code == 1, err
    assert "loan.over_cap" in out and "错误 1 个" in out
    wb = openpyxl.load_workbook(report)
    assert wb.sheetnames == ["汇总", "问题清单"]
    rows = list(wb["问题清单"].iter_rows(min_row=2, values_only=True))
    assert [(r[2], r[3], r[4]) for r in rows] == [(FIRST_ROW, "贷款金额（元）", "loan.over_cap")]
    assert rows[0][9] == "HT20230001" and rows[0][11] == "城关区"


@pytest.mark.parametrize("make", ["roster", "text", "missing", "empty"])
def test_a_file_that_is_no_register_is_exit_2_in_one_line(run, tmp_path, make):
    path = tmp_path / "x.xlsx"
    if make == "roster":
        write_roster(path, [voc_row(1)])
    elif make == "text":
        path.write_text("not a workbook", encoding="utf-8")
    elif make == "empty":
        path.write_bytes(b"")
    for args in (("check", path), ("summary", "--year", "2024", path), ("collect", "--as-of", "2025-01-10", path)):
        code, out, err = run("loans", *args, "--workspace", tmp_path)
        assert code == 2, (args, out, err)
        assert err.startswith("aidctl: 错误：") and "x.xlsx" in err and len(err.strip().splitlines()) == 1
        assert "Traceback" not in err


def test_a_bad_option_is_exit_2(run, tmp_path):
    path = register(tmp_path, [contract(1)])
    assert run("loans", "collect", "--as-of", "2025-13-01", path)[0] == 2
    assert run("loans", "summary", path)[0] == 2                       # --year is required


def test_a_missing_required_column_is_a_file_finding(run, tmp_path):
    headers = [h for h in HEAD if h != "预计毕业年份"]
    path = register(tmp_path, [contract(1)], headers=headers)
    doc = check(run, path, expect_exit=1)
    f = [x for x in doc["findings"] if x["code"] == "schema.missing_column"]
    assert len(f) == 1 and f[0]["row"] is None and f[0]["column"] == "预计毕业年份"
    assert "预计毕业年份" in f[0]["message"]


# --- identity: the same checks as rosters ---------------------------------------------------------------

def test_borrower_identity_is_checked_as_on_rosters(run, tmp_path):
    good = make_id(BIRTH, seq=200)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    path = register(tmp_path, [
        contract(1, 借款人姓名=None),
        contract(2, 身份证号=None),
        contract(3, 身份证号="4201022004031512"),
        contract(4, 身份证号=wrong),
        contract(5, 身份证号=make_id("20250101", seq=300)),        # born after the loan year began
        contract(6, 身份证号=int(make_id(BIRTH, seq=400)[:15] + "000")),
        contract(7, 身份证号="４２０１０２" + make_id(BIRTH, seq=500)[6:] + " "),   # full-width, a stray space
    ])
    doc = check(run, path, expect_exit=1)
    assert "借款学生姓名" in finding(doc, 3, code="name.missing")["message"]
    assert finding(doc, 4, code="id.missing")["column"] == "身份证号"
    assert "共16位" in finding(doc, 5, code="id.format")["message"]
    assert f"应为“{good[17]}”" in finding(doc, 6, code="id.checksum")["message"]
    assert "晚于贷款年度开学日（2023-09-01）" in finding(doc, 7, code="id.birthdate")["message"]
    assert finding(doc, 8, code="id.precision_lost")["severity"] == "error"
    assert 9 not in {row for row, _ in codes(doc)}


def test_a_contract_whose_borrower_id_has_an_error_is_counted_nowhere(run, tmp_path):
    """A wrong check character or a blank 身份证号 was counted in new loans, 贴息, the repayment
    figures and the 催收 list with exit 0, as if the borrower were known (a blank one stopped the
    催收 list with an internal error). The borrower is not known: whether it is a second contract of
    the year cannot be told. Such a contract is counted nowhere, as a duplicate is, and listed under
    `excluded` with the ID's finding (exit 1). An old 15-digit ID (id.legacy, a warning) is counted."""
    good = make_id(BIRTH, seq=200)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    new = {"贷款年度": "2024", "发放日期": "2024-10-15", "预计毕业年份": 2027}
    rows = [contract(1, 身份证号=wrong, **new), contract(2, **new),
            repaying(3, 身份证号=None, unpaid=320), repaying(4, unpaid=100),
            contract(5, 身份证号="420102880315101", **new)]
    path = register(tmp_path, rows)
    assert codes(check(run, path, expect_exit=1)) == {(3, "id.checksum"), (5, "id.missing"), (7, "id.legacy")}
    doc = summary(run, path, 2024, "--as-of", "2025-01-10", expect_exit=1)
    t = doc["totals"]
    assert (t["new_loans"], t["new_amount"], t["interest_loans"]) == (2, "16000.00", 2)
    assert (t["due"], t["overdue"], t["overdue_amount"], t["risk_compensation"]) == (1, 1, "100.00", "2400.00")
    reasons = {e["row"]: e["reasons"] for e in doc["excluded"]}
    assert sorted(reasons) == [3, 5]
    assert "校验位错误" in reasons[3][0] and reasons[5] == ["身份证号码为空：请补填借款学生的18位身份证号码"]
    code, col, _ = collect(run, path)
    assert code == 1 and [b["rows"] for b in col["borrowers"]] == [[6]]
    assert [e["row"] for e in col["excluded"]] == [3, 5]


def test_a_contract_without_its_borrowers_name_is_counted_nowhere(run, tmp_path):
    """A blank 借款人姓名 (name.missing, an error) was counted in new loans, 贴息, 风险补偿金, the
    repayment figures and the 催收 list with exit 0 and no word. The name and the ID are what the
    register says of the borrower, one checked against the other; with one of them missing the
    contract is treated as with an ID error: counted nowhere, listed under `excluded` (exit 1)."""
    new = {"贷款年度": "2024", "发放日期": "2024-10-15", "预计毕业年份": 2027}
    rows = [contract(1, 借款人姓名=None, **new), contract(2, **new),
            repaying(3, 借款人姓名=None, unpaid=320), repaying(4, unpaid=100)]
    path = register(tmp_path, rows)
    assert codes(check(run, path, expect_exit=1)) == {(3, "name.missing"), (5, "name.missing")}
    doc = summary(run, path, 2024, "--as-of", "2025-01-10", expect_exit=1)
    t = doc["totals"]
    assert (t["new_loans"], t["new_amount"], t["interest_loans"], t["risk_compensation"]) == (1, "8000.00", 1, "1200.00")
    assert (t["due"], t["overdue"], t["overdue_amount"]) == (1, 1, "100.00")
    reasons = {e["row"]: e["reasons"] for e in doc["excluded"]}
    assert reasons == {3: ["姓名为空：请补填借款学生姓名"], 5: ["姓名为空：请补填借款学生姓名"]}
    code, col, _ = collect(run, path)
    assert code == 1 and [b["rows"] for b in col["borrowers"]] == [[6]]
    assert [e["row"] for e in col["excluded"]] == [3, 5]


def test_a_borrowers_name_holding_a_note_or_two_people_is_invalid_and_counted_nowhere(run, tmp_path):
    """借款人姓名 was never checked as roster names are: 张三（补）, 李四/王五 and 赵六2 were counted in new
    loans, 贴息, 风险补偿金 and the 催收 list, exit 0. Each is name.invalid now (the rosters' check,
    joiners allowed), and the contract is treated as a blank name is: counted nowhere, listed."""
    new = {"贷款年度": "2024", "发放日期": "2024-10-15", "预计毕业年份": 2027}
    rows = [contract(1, 借款人姓名="张三（补）", **new), contract(2, 借款人姓名="李四/王五", **new),
            repaying(3, 借款人姓名="赵六2", unpaid=320), contract(4, 借款人姓名="阿依古丽·买买提", **new),
            repaying(5, unpaid=100)]
    path = register(tmp_path, rows)
    doc = check(run, path, expect_exit=1)
    assert codes(doc) == {(3, "name.invalid"), (4, "name.invalid"), (5, "name.invalid")}
    f = finding(doc, 3, code="name.invalid")
    assert (f["column"], f["value"], f["severity"]) == ("借款人姓名", "张三(补)", "error")   # read folded
    assert "“(”“)”" in f["message"]
    assert "“/”" in finding(doc, 4, code="name.invalid")["message"]
    assert "“2”" in finding(doc, 5, code="name.invalid")["message"]
    t = summary(run, path, 2024, "--as-of", "2025-01-10", expect_exit=1)
    totals = t["totals"]
    assert (totals["new_loans"], totals["new_amount"], totals["risk_compensation"]) == (1, "8000.00", "1200.00")
    assert (totals["due"], totals["overdue"], totals["overdue_amount"], totals["unjudged"]) == (1, 1, "100.00", 3)
    assert [e["row"] for e in t["excluded"]] == [3, 4, 5]
    code, got, _ = collect(run, path)
    assert code == 1 and [b["rows"] for b in got["borrowers"]] == [[7]]
    assert [e["row"] for e in got["excluded"]] == [3, 4, 5]


def test_applications_whose_name_is_no_name_are_named_not_counted(run, tmp_path):
    """An application list's 姓名 was not checked: 刘一/刘二 (two students, or one?) counted as one
    application, exit 0. The rosters' check applies: such an application of the year is counted in
    no 受理 figure, listed under `unread` with its column, said in a note naming the characters."""
    path = register(tmp_path, [contract(1)])
    apps = applications(tmp_path, [("城关区", "审核通过"), ("城关区", "审核通过"), ("城关区", "不通过"),
                                   ("城关区", "审核通过")])
    wb = openpyxl.load_workbook(apps)
    wb.active.cell(row=3, column=4).value = "刘一/刘二"
    wb.active.cell(row=4, column=4).value = "王五（补）"
    wb.active.cell(row=6, column=4).value = "阿依古丽·买买提"
    wb.save(apps)
    doc = summary(run, path, 2024, "--applications", apps, expect_exit=1)
    c = county(doc, "城关区")
    assert (c["applications"], c["approved"], c["rejected"], c["approval_rate"]) == (2, 1, 1, "50.00%")
    assert doc["applications"]["unread"] == [
        {"file": str(apps), "sheet": "Sheet1", "row": 3, "column": "姓名", "value": "刘一/刘二"},
        {"file": str(apps), "sheet": "Sheet1", "row": 4, "column": "姓名", "value": "王五(补)"}]
    assert any("2条本年度申请的姓名不是一名学生的姓名" in n and "第3行姓名“刘一/刘二”含有“/”" in n for n in doc["notes"])


# --- loan.over_cap: the caps change by loan year ------------------------------------------------------

@pytest.mark.parametrize("level,year,amount,over", [
    ("本专科", 2007, 6000, False), ("本专科", 2013, 6001, True), ("研究生", 2013, 8000, True),
    ("本专科", 2014, 8000, False), ("本专科", 2014, 8000.01, True), ("研究生", 2014, 12000, False),
    ("本专科", 2020, 12000, True), ("本专科", 2021, 12000, False), ("研究生", 2021, 16000, False),
    ("本专科", 2022, 12000.01, True), ("研究生", 2022, 16001, True),
    # 教财〔2023〕4号: 16,000 / 20,000 from the 2023 loan year (a 13,000 本科 or 18,000 硕士 loan is within it)
    ("本专科", 2023, 13000, False), ("硕士", 2023, 18000, False), ("本专科", 2023, 16000, False),
    ("本专科", 2023, 16000.01, True), ("研究生", 2023, 20000, False), ("研究生", 2023, 20001, True),
    ("本专科", 2023, 20000, True), ("本专科", 2024, 20000, False),
    ("本专科", 2024, 20000.01, True), ("研究生", 2024, 25000, False), ("研究生", 2024, 25001, True),
])
def test_caps_change_by_loan_year(run, tmp_path, level, year, amount, over):
    path = register(tmp_path, [contract(1, 学历层次=level, 贷款年度=str(year), 发放日期=f"{year}-10-15",
                                        预计毕业年份=year + 2, **{"贷款金额（元）": amount})])
    doc = check(run, path)
    if over:
        f = finding(doc, FIRST_ROW, code="loan.over_cap")
        assert f["column"] == "贷款金额（元）" and f"{year}贷款年度{level}每人每年最多贷款" in f["message"]
    else:
        assert doc["findings"] == []


def test_the_cap_switches_on_the_school_years_first_day():
    loans = Rulebook().loans
    assert loans.cap(date(2023, 8, 31)).per_year == {"本专科": Decimal("12000"), "研究生": Decimal("16000")}
    assert loans.cap(date(2023, 9, 1)).per_year == {"本专科": Decimal("16000"), "研究生": Decimal("20000")}
    assert "教财〔2023〕4号" in loans.cap(date(2023, 9, 1)).source
    assert loans.cap(date(2024, 8, 31)).per_year == {"本专科": Decimal("16000"), "研究生": Decimal("20000")}
    assert loans.cap(date(2024, 9, 1)).per_year == {"本专科": Decimal("20000"), "研究生": Decimal("25000")}
    assert "财教〔2024〕188号" in loans.cap(date(2024, 9, 1)).source
    assert loans.cap(date(2007, 8, 31)) is None


def test_over_cap_message_names_the_cap_the_amount_and_the_excess(run, tmp_path):
    path = register(tmp_path, [contract(1, 学历层次="研究生", 贷款年度="2024", 发放日期="2024-10-15", 预计毕业年份=2027,
                                        **{"贷款金额（元）": "26,000"})])
    f = finding(check(run, path, expect_exit=1), FIRST_ROW, code="loan.over_cap")
    for part in ("25000.00元", "财教〔2024〕188号", "本合同26000.00元", "超出1000.00元"):
        assert part in f["message"]


def test_a_contract_over_the_cap_is_left_out_of_the_loan_figures_and_listed(run, tmp_path):
    """A 2024 本专科 loan of 21000 (cap 20000) was counted whole in 新增贷款 and 风险补偿金 with exit 0
    and no word, only its 贴息 capped: an amount the bank is asked to verify, counted as read. It is
    now left out of new loans, 贴息 and 风险补偿金 (as a 贷款金额 not read is), listed under
    `excluded` with the finding (exit 1). Its repayment figures do not rest on the amount: an
    over-cap graduate's arrears stay in 到期应还, 逾期 and the 催收 list."""
    new = {"贷款年度": "2024", "发放日期": "2024-10-15", "预计毕业年份": 2027}
    rows = [contract(1, **new, **{"贷款金额（元）": 21000}), contract(2, **new),
            repaying(3, unpaid=100, **{"贷款金额（元）": 9000})]               # 2019 本专科 cap: 8000
    path = register(tmp_path, rows)
    assert codes(check(run, path, expect_exit=1)) == {(3, "loan.over_cap"), (5, "loan.over_cap")}
    alone = summary(run, register(tmp_path, [contract(2, **new)], name="只有第2份.xlsx"), 2024,
                    "--as-of", "2025-01-10", expect_exit=0)["totals"]
    doc = summary(run, path, 2024, "--as-of", "2025-01-10", expect_exit=1)
    t = doc["totals"]
    assert (t["new_loans"], t["new_amount"], t["risk_compensation"]) == (1, "8000.00", "1200.00")
    assert (t["interest_loans"], t["interest"]) == (1, alone["interest"])
    assert (t["due"], t["overdue"], t["overdue_amount"]) == (1, 1, "100.00")      # row 5: its arrears stand
    reasons = {e["row"]: e["reasons"] for e in doc["excluded"]}
    assert sorted(reasons) == [3, 5]
    assert "本合同21000.00元，超出1000.00元" in reasons[3][0] and "不计入新增贷款、在校期间贴息和风险补偿金" in reasons[3][0]
    code, col, _ = collect(run, path)
    assert code == 0 and [b["rows"] for b in col["borrowers"]] == [[5]] and col["excluded"] == []


def test_amounts_honour_the_unit_in_the_header(run, tmp_path):
    headers = [h if h != "贷款金额（元）" else "贷款金额（万元）" for h in HEAD]
    rows = [{**contract(1), "贷款金额（万元）": 1.6}, {**contract(2), "贷款金额（万元）": 1.61}]   # 2023 cap: 16,000
    doc = check(run, register(tmp_path, rows, headers=headers), expect_exit=1)
    assert codes(doc) == {(FIRST_ROW + 1, "loan.over_cap")}


# --- loan.duplicate_contract ------------------------------------------------------------------------

def test_a_money_cell_merged_down_over_two_contracts_is_invalid_not_counted_on_each(run, tmp_path):
    """贷款金额 8000 typed once and merged over two contracts (G3:G4) was read as 8000 on each: new
    loans, 贴息 and 风险补偿金 counted it twice, and `loans check` said nothing. So was an 应还本金 merged
    over two graduates' rows (L6:L7), in their 到期应还 and arrears. Each is loan.invalid now, naming
    the range, and the contracts are left out of the figures that need the amount. A 发放日期 and a
    还款状态 merged down (H8:H9, J8:J9) are a fill-down, the same for each, and stay read."""
    rows = [contract(1), contract(2, **{"贷款金额（元）": None}), contract(3),
            repaying(4, unpaid=1000), repaying(5, 应还本金=None),
            contract(6), contract(7, 发放日期=None, 还款状态=None)]
    path = merge_cells(register(tmp_path, rows), "G3:G4", "L6:L7", "H8:H9", "J8:J9")
    doc = check(run, path, expect_exit=1)
    assert codes(doc) == {(3, "loan.invalid"), (4, "loan.invalid"), (6, "loan.invalid"), (7, "loan.invalid")}
    for row in (3, 4):
        f = finding(doc, row, code="loan.invalid")
        assert f["column"] == "贷款金额（元）" and f["value"] == "8000", f
        assert "单元格G3:G4合并了第3—4行，2份合同共用一个金额“8000”" in f["message"]
        assert "无法确定这是每份合同的金额还是几份合同的合计" in f["message"]
    f = finding(doc, 6, code="loan.invalid")
    assert f["column"] == "应还本金" and "L6:L7合并了第6—7行" in f["message"] and "催收名单" in f["message"]
    t = summary(run, path, 2023, "--as-of", "2025-01-10", expect_exit=1)
    assert [e["row"] for e in t["excluded"]] == [3, 4, 6, 7]
    totals = t["totals"]
    # contracts 3, 6 and 7 (8, 9: the dates merged down read for each), never 8000 twice more
    assert (totals["new_loans"], totals["new_amount"], totals["risk_compensation"]) == (3, "24000.00", "3600.00")
    assert (totals["due"], totals["overdue"]) == (0, 0)            # 6 and 7: out of the repayment figures
    code, got, _ = collect(run, path)
    assert code == 1 and got["borrowers"] == [] and [e["row"] for e in got["excluded"]] == [6, 7]   # the amount: not needed


def test_two_contracts_of_one_borrower_in_one_year_are_both_flagged(run, tmp_path):
    same = make_id(BIRTH, seq=222)
    path = register(tmp_path, [contract(1, 身份证号=same), contract(2), contract(3, 身份证号=same, **{"贷款金额（元）": 2000}),
                               contract(4, 身份证号=same, 贷款年度="2024", 发放日期="2024-10-15")])
    doc = check(run, path, expect_exit=1)
    first = finding(doc, 3, code="loan.duplicate_contract")
    second = finding(doc, 5, code="loan.duplicate_contract")
    assert first["column"] == "合同编号" and first["value"] == "HT20230001"
    for part in ("2023贷款年度有2份合同", "第3行（合同HT20230001，8000.00元）", "第5行（合同HT20230003，2000.00元）"):
        assert part in first["message"] and part in second["message"]
    assert codes(doc) == {(3, "loan.duplicate_contract"), (5, "loan.duplicate_contract")}   # 2024 is another year


def test_a_lost_id_is_nobodys_duplicate(run, tmp_path):
    lost = int(make_id(BIRTH, seq=222)[:15] + "000")
    doc = check(run, register(tmp_path, [contract(1, 身份证号=lost), contract(2, 身份证号=lost)]), expect_exit=1)
    assert {c for _, c in codes(doc)} == {"id.precision_lost"}


# --- loan.graduation_year ---------------------------------------------------------------------------

@pytest.mark.parametrize("level,graduation,flagged", [
    ("本专科", 2024, True), ("本专科", 2025, False), ("本专科", 2029, False), ("本专科", 2030, True),
    ("研究生", 2025, False), ("研究生", 2028, False), ("研究生", 2029, True), ("研究生", 2023, True),
])
def test_graduation_year_must_fit_the_level(run, tmp_path, level, graduation, flagged):
    path = register(tmp_path, [contract(1, 学历层次=level, 贷款年度="2024", 发放日期="2024-10-15",
                                        预计毕业年份=graduation, **{"贷款金额（元）": 8000})])
    doc = check(run, path)
    if flagged:
        f = finding(doc, FIRST_ROW, code="loan.graduation_year")
        assert f["column"] == "预计毕业年份" and f"相差{graduation - 2024}年" in f["message"]
    else:
        assert doc["findings"] == []


def test_graduation_bounds_are_rules_a_workspace_can_change(run, tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    text = (packaged_rules_dir() / "loans.yaml").read_text(encoding="utf-8")
    (rules / "loans.yaml").write_text(text.replace("本专科: {min_years: 1, max_years: 5}",
                                                   "本专科: {min_years: 2, max_years: 5}"), encoding="utf-8")
    doc = check(run, register(tmp_path, [contract(1, 预计毕业年份=2024)]), expect_exit=1)
    assert "不在2—5年之内" in finding(doc, FIRST_ROW, code="loan.graduation_year")["message"]


# --- loan.invalid -----------------------------------------------------------------------------------

def test_a_graduation_year_written_as_a_school_year_or_a_class_is_invalid(run, tmp_path):
    """“2025-2026学年” was read as 2025 (a 贷款年度's first year), so the 贴息 of 2026 was cut, and
    “2022级”, a class by its year of entry, as graduation in 2022. Neither is a graduation year now:
    loan.invalid, saying why, and out of 贴息. A year as a whole (2026, 2026年, 2026届, 2026年6月) is read."""
    rows = [contract(1, 预计毕业年份="2025-2026学年"), contract(2, 预计毕业年份="2026-2027"),
            contract(3, 预计毕业年份="2022级"), contract(4, 预计毕业年份="2026年"),
            contract(5, 预计毕业年份="2026届"), contract(6, 预计毕业年份="2026年6月"), contract(7)]
    path = register(tmp_path, rows)
    doc = check(run, path, expect_exit=1)
    assert codes(doc) == {(3, "loan.invalid"), (4, "loan.invalid"), (5, "loan.invalid")}
    for row, value in ((3, "2025-2026学年"), (4, "2026-2027")):
        f = finding(doc, row, code="loan.invalid")
        assert (f["column"], f["value"]) == ("预计毕业年份", value)
        assert f"预计毕业年份“{value}”是一个学年，不是毕业年份" in f["message"] and "4位年份" in f["message"]
    f = finding(doc, 5, code="loan.invalid")
    assert "预计毕业年份“2022级”是按入学年份称呼的年级，不是毕业年份" in f["message"]
    t = summary(run, path, 2026, "--as-of", "2026-12-31", expect_exit=1)
    assert [e["row"] for e in t["excluded"]] == [3, 4, 5]
    # 2026: 1 January to 31 August in study for the four read (none cut at 2025, none taken from 2022)
    assert t["totals"]["interest_loans"] == 4


def test_blank_or_unreadable_figures_are_invalid_not_guessed(run, tmp_path):
    path = register(tmp_path, [
        contract(1, **{"贷款金额（元）": None}),
        contract(2, **{"贷款金额（元）": "五千"}),
        contract(3, **{"贷款金额（元）": 0}),
        contract(4, 学历层次="中专"),
        contract(5, 贷款年度="二〇二三"),
        contract(6, 贷款年度="2005", 发放日期="2005-10-15", 预计毕业年份=2008),
        contract(7, 发放日期="2023-13-01"),
        contract(8, 预计毕业年份=None),
        repaying(9, 应还本金="一千"),
        repaying(10, 逾期天数="十天"),
        repaying(11, 应还日期="下月"),
    ])
    doc = check(run, path, expect_exit=1)
    expect = {3: "贷款金额（元）", 4: "贷款金额（元）", 5: "贷款金额（元）", 6: "学历层次", 7: "贷款年度", 8: "贷款年度",
              9: "发放日期", 10: "预计毕业年份", 11: "应还本金", 12: "逾期天数", 13: "应还日期"}
    for row, column in expect.items():
        assert finding(doc, row, code="loan.invalid")["column"] == column
    assert {c for _, c in codes(doc)} == {"loan.invalid"}
    assert "rules/loans.yaml 从2007-09-01起" in finding(doc, 8, code="loan.invalid")["message"]
    assert "本专科、研究生" in finding(doc, 6, code="loan.invalid")["message"]


def test_a_year_is_read_from_the_whole_cell_never_picked_out_of_other_text(run, tmp_path):
    # 12024 was read as 2024 (the year found inside the digits), 2023-2025 as 2023, 2026-13 as 2026
    ok = [contract(1, 贷款年度="2023年度", 预计毕业年份="2026年6月"),
          contract(2, 贷款年度="2023—2024学年", 预计毕业年份="2026-06-30"),
          contract(3, 贷款年度=" 2023 ", 预计毕业年份="2026届")]
    bad = [contract(4, 贷款年度="12023"), contract(5, 贷款年度="2023-2025"), contract(6, 预计毕业年份="20260"),
           contract(7, 预计毕业年份="2026-13"), contract(8, 贷款年度="2023-24")]
    doc = check(run, register(tmp_path, ok + bad), expect_exit=1)
    assert {(f["row"], f["column"], f["value"]) for f in doc["findings"]} == {
        (6, "贷款年度", "12023"), (7, "贷款年度", "2023-2025"), (8, "预计毕业年份", "20260"),
        (9, "预计毕业年份", "2026-13"), (10, "贷款年度", "2023-24")}
    assert {f["code"] for f in doc["findings"]} == {"loan.invalid"}
    apps = applications(tmp_path, [("城关区", "审核通过"), ("城关区", "审核通过")])
    wb = openpyxl.load_workbook(apps)
    wb.active.cell(row=4, column=6).value = "12024"
    wb.save(apps)
    s = summary(run, register(tmp_path, [contract(1)], name="b.xlsx"), 2024, "--applications", apps, expect_exit=1)
    assert county(s, "城关区")["applications"] == 1 and [u["value"] for u in s["applications"]["unread"]] == ["12024"]


def test_a_settled_status_and_the_settlement_date_must_agree(run, tmp_path):
    # 结清 without its date bore 贴息 for the whole year; a 结清日期 on a contract 在读 (or with no
    # status) cut its 贴息 at that date while it stayed in study and in the repayment figures
    rows = [contract(1, 还款状态="结清"),
            contract(2, 结清日期="2024-05-01"),
            contract(3, 还款状态=None, 结清日期="2024-05-01"),
            contract(4, 还款状态="已结清", 结清日期="2024-03-01"),                       # agree
            repaying(5, 还款状态="代偿", 结清日期="2024-03-01"),                         # the state repaid it
            contract(6, 还款状态="提前结清", 结清日期="2024-03-01")]                     # agree
    path = register(tmp_path, rows, headers=HEAD + ["结清日期"])
    doc = check(run, path, expect_exit=1)
    assert {(f["row"], f["column"], f["code"]) for f in doc["findings"]} == {
        (3, "结清日期", "loan.invalid"), (4, "还款状态", "loan.invalid"), (5, "还款状态", "loan.invalid")}
    assert "还款状态为“结清”，但结清日期为空" in finding(doc, 3, code="loan.invalid")["message"]
    assert "结清日期为2024-05-01，但还款状态为“在读”" in finding(doc, 4, code="loan.invalid")["message"]
    assert "但还款状态为“空”" in finding(doc, 5, code="loan.invalid")["message"]
    t = summary(run, path, 2024, "--as-of", "2025-01-10", expect_exit=1)
    assert t["totals"]["interest_loans"] == 2                  # rows 6 and 8, each to the day before 结清
    assert [e["row"] for e in t["excluded"]] == [3, 4, 5]


def test_dates_that_contradict_each_other_are_invalid(run, tmp_path):
    # each was read as written: a loan 结清 before it was paid bore no 贴息 and was counted as lent, one
    # paid after its borrower's graduation bore none either, without a word
    rows = [contract(1, 合同签订日期="2023-11-01"),                                   # signed after paid
            contract(2, 结清日期="2023-09-30", 还款状态="提前结清"),                   # settled before paid
            repaying(3, 应还日期="2019-09-20"),                                       # due before paid
            contract(4, 预计毕业年份=2024, 发放日期="2024-09-10"),                      # paid after study
            contract(5, 合同签订日期="2023-10-15", 结清日期="2024-05-01", 还款状态="提前结清")]   # consistent
    path = register(tmp_path, rows, headers=HEAD + ["合同签订日期", "结清日期"])
    doc = check(run, path, expect_exit=1)
    assert codes(doc) == {(3, "loan.invalid"), (4, "loan.invalid"), (5, "loan.invalid"), (6, "loan.invalid")}
    expect = {3: ("合同签订日期", "2023-11-01晚于发放日期2023-10-15"), 4: ("结清日期", "2023-09-30早于发放日期2023-10-15"),
              5: ("应还日期", "2019-09-20早于发放日期2019-10-15"), 6: ("发放日期", "2024-09-10晚于预计毕业年份的在校截止日2024-08-31")}
    for row, (column, says) in expect.items():
        f = finding(doc, row, code="loan.invalid")
        assert f["column"] == column and says in f["message"], f
    t = summary(run, path, 2023, "--as-of", "2025-01-10", expect_exit=1)
    # new loans: rows 4 (its 贴息 alone is in doubt) and 7; 贴息: row 7 alone; row 5 is out of 到期应还
    assert (t["totals"]["new_loans"], t["totals"]["interest_loans"], t["totals"]["due"]) == (2, 1, 0)
    assert [e["row"] for e in t["excluded"]] == [3, 4, 5, 6]


def test_dates_are_read_however_the_bank_writes_them(run, tmp_path):
    rows = [contract(i, 发放日期=d) for i, d in enumerate(
        ["2023-10-15", "2023/10/5", "2023.10.15", "2023年10月15日", "20231015", "2023-10-15 00:00:00"], start=1)]
    doc = check(run, register(tmp_path, rows), expect_exit=0)
    assert doc["findings"] == []


# --- 在校期间贴息: the arithmetic, by hand ------------------------------------------------------------

def interest(run, tmp_path, rows: list[dict], year: int, *extra) -> dict:
    return summary(run, register(tmp_path, rows), year, *extra)["totals"]


def test_interest_for_a_whole_year_of_study(run, tmp_path):
    """A 2022 loan is priced LPR − 30 BP (教财〔2020〕4号), not at the 4.90% benchmark: 2023 in study,
    5-year LPR 4.30% to 19 June (170 days), 4.20% from 20 June (195 days):
    8000 × (4.00% × 170 + 3.90% × 195) ÷ 360 = 320.1111… → 320.11."""
    expected = by_hand(("8000", "4.00", 170), ("8000", "3.90", 195))
    assert expected == "320.11"
    t = interest(run, tmp_path, [contract(1, 贷款年度="2022", 发放日期="2022-10-15")], 2023)
    assert (t["interest"], t["interest_loans"]) == (expected, 1)


def test_interest_starts_on_the_disbursement_day(run, tmp_path):
    """A 2023 loan is priced LPR − 60 BP (教财〔2023〕4号): 4.20% − 0.60% = 3.60% from 15 October to
    31 December 2023 inclusive, 17 + 30 + 31 = 78 days: 8000 × 3.60% × 78 ÷ 360 = 62.40."""
    expected = by_hand(("8000", "3.60", 78))
    assert expected == "62.40"
    assert interest(run, tmp_path, [contract(1)], 2023)["interest"] == expected


def test_interest_stops_after_the_last_day_of_study(run, tmp_path):
    """A 2021 loan (LPR − 30 BP) graduating 2024: 1 January – 31 August 2024 (a leap year), 244 days:
    3.90% to 19 February (50 days), 3.65% to 21 July (153), 3.55% to 31 August (41):
    8000 × (3.90% × 50 + 3.65% × 153 + 3.55% × 41) ÷ 360 = 199.7777… → 199.78. Then the borrower pays."""
    expected = by_hand(("8000", "3.90", 50), ("8000", "3.65", 153), ("8000", "3.55", 41))
    assert expected == "199.78"
    assert interest(run, tmp_path, [contract(1, 预计毕业年份=2024, 贷款年度="2021", 发放日期="2021-10-15")],
                    2024)["interest"] == expected
    assert interest(run, tmp_path, [contract(2, 预计毕业年份=2024, 贷款年度="2021", 发放日期="2021-10-15")],
                    2025)["interest"] == "0.00"


def test_a_year_spanning_rate_changes_is_split_at_each_change(run, tmp_path):
    """A 2023 loan (LPR − 60 BP) in study all of 2024: 4.20% → 3.60% to 19 February (50 days),
    3.95% → 3.35% to 21 July (153), 3.85% → 3.25% to 20 October (91), 3.60% → 3.00% from 21 October
    (72): 10000 × (3.60% × 50 + 3.35% × 153 + 3.25% × 91 + 3.00% × 72) ÷ 360 = 334.5277… → 334.53.
    It stays on − 60 BP after 2024-09-01: the − 70 BP of 财教〔2024〕188号 reaches an earlier contract
    only by agreement with the bank (reprice_existing: false)."""
    expected = by_hand(("10000", "3.60", 50), ("10000", "3.35", 153), ("10000", "3.25", 91), ("10000", "3.00", 72))
    assert expected == "334.53"
    t = interest(run, tmp_path, [contract(1, **{"贷款金额（元）": 10000})], 2024)
    assert t["interest"] == expected


def test_repricing_an_existing_contract_is_a_rule(run, tmp_path):
    """reprice_existing: true moves the 2023 loan to − 70 BP on 2024-09-01: 3.25% to 31 August (41 of
    the 91 days), 3.15% to 20 October (50), 2.90% from 21 October (72): 10000 × (3.60% × 50 + 3.35% ×
    153 + 3.25% × 41 + 3.15% × 50 + 2.90% × 72) ÷ 360 = 331.1388… → 331.14."""
    _workspace_rules(tmp_path, "reprice_existing: false", "reprice_existing: true")
    expected = by_hand(("10000", "3.60", 50), ("10000", "3.35", 153), ("10000", "3.25", 41), ("10000", "3.15", 50),
                       ("10000", "2.90", 72))
    assert expected == "331.14"
    doc = summary(run, register(tmp_path, [contract(1, **{"贷款金额（元）": 10000})]), 2024)
    assert doc["totals"]["interest"] == expected and doc["interest"]["reprice_existing"] is True


def test_a_contract_before_2020_stays_on_the_benchmark(run, tmp_path):
    """A 2019 loan was priced on the PBOC benchmark (4.90% since 2015-10-24): 2020 in study all year,
    8000 × 4.90% × 366 ÷ 360 = 398.5333… → 398.53; a 2020 loan (LPR − 30 BP) disbursed 15 October 2020:
    4.65% − 0.30% = 4.35% for 78 days, 8000 × 4.35% × 78 ÷ 360 = 75.40."""
    old, new = by_hand(("8000", "4.90", 366)), by_hand(("8000", "4.35", 78))
    assert (old, new) == ("398.53", "75.40")
    rows = [contract(1, 贷款年度="2019", 发放日期="2019-10-15", 预计毕业年份=2022),
            contract(2, 贷款年度="2020", 发放日期="2020-10-15", 预计毕业年份=2023)]
    doc = summary(run, register(tmp_path, rows), 2020)
    assert doc["totals"]["interest"] == str(Decimal(old) + Decimal(new))
    assert {(r["basis"], r["contracts"]) for r in doc["interest"]["rates"]} >= {
        ("基准利率4.90%", "贷款年度开学日在2006-08-19起、2020-01-01前的合同"),
        ("LPR4.65%−30BP", "贷款年度开学日在2020-01-01起、2023-09-01前的合同")}


def test_a_loan_disbursed_between_two_rate_changes(run, tmp_path):
    # 15 – 20 October 2024 at 3.15% (6 days), 21 October – 31 December at 2.90% (72 days): 126.50 exactly
    expected = by_hand(("20000", "3.15", 6), ("20000", "2.90", 72))
    assert expected == "126.50"
    row = contract(1, 贷款年度="2024", 发放日期="2024-10-15", 预计毕业年份=2027, **{"贷款金额（元）": 20000})
    assert interest(run, tmp_path, [row], 2024)["interest"] == expected


def test_rounding_is_half_up_to_the_fen_not_half_even(run, tmp_path):
    # 9000 × 2.90% × 1 day ÷ 360 = 0.725 exactly: half up gives 0.73 (half even would give 0.72)
    assert by_hand(("9000", "2.90", 1)) == "0.73"
    row = contract(1, 贷款年度="2024", 发放日期="2024-12-31", 预计毕业年份=2027, **{"贷款金额（元）": 9000})
    assert interest(run, tmp_path, [row], 2024)["interest"] == "0.73"


def test_each_loan_is_rounded_then_summed(run, tmp_path):
    # two loans of 0.725 each: 0.73 + 0.73 = 1.46 (rounding the sum 1.45 would differ)
    rows = [contract(i, 贷款年度="2024", 发放日期="2024-12-31", 预计毕业年份=2027, **{"贷款金额（元）": 9000})
            for i in (1, 2)]
    assert interest(run, tmp_path, rows, 2024)["interest"] == "1.46"


def test_no_interest_on_a_loan_over_the_cap_not_even_up_to_it(run, tmp_path):
    # 21,000 lent against a 20,000 cap bore 贴息 on 20,000 (49.94, 1 – 31 December 2024 at 2.90%), as
    # if the excess alone were wrong: the amount is the bank's to verify, so none is counted on a guess
    row = contract(1, 贷款年度="2024", 发放日期="2024-12-01", 预计毕业年份=2028, **{"贷款金额（元）": 21000})
    doc = summary(run, register(tmp_path, [row]), 2024, expect_exit=1)
    assert (doc["totals"]["interest_loans"], doc["totals"]["interest"]) == (0, "0.00")
    assert [e["row"] for e in doc["excluded"]] == [FIRST_ROW]
    row["贷款金额（元）"] = 20000                                       # at the cap: 20,000 × 2.90% × 31 ÷ 360
    assert interest(run, tmp_path, [row], 2024)["interest"] == by_hand(("20000", "2.90", 31)) == "49.94"


def _workspace_rules(tmp_path: Path, old: str, new: str) -> None:
    rules = tmp_path / "rules"
    rules.mkdir(exist_ok=True)
    text = (packaged_rules_dir() / "loans.yaml").read_text(encoding="utf-8")
    assert old in text
    (rules / "loans.yaml").write_text(text.replace(old, new), encoding="utf-8")


def test_day_count_is_a_rule(run, tmp_path):
    _workspace_rules(tmp_path, "day_count: ACT/360", "day_count: ACT/365")
    expected = by_hand(("8000", "4.00", 170), ("8000", "3.90", 195), base=365)   # 115240 ÷ 365 = 315.726…
    assert expected == "315.73"
    doc = summary(run, register(tmp_path, [contract(1, 贷款年度="2022", 发放日期="2022-10-15")]), 2023)
    assert doc["totals"]["interest"] == expected and doc["interest"]["day_count"] == "ACT/365"


def test_annual_repricing_fixes_the_rate_on_1_january(run, tmp_path):
    _workspace_rules(tmp_path, "repricing: on_change", "repricing: annual")
    # a 2023 loan (LPR − 60 BP) in study all of 2024: the 3.60% of 1 January holds for 366 days
    whole = by_hand(("10000", "3.60", 366))
    # disbursed 15 October 2024: the rate of that day (3.15%) holds to 31 December (78 days)
    first = by_hand(("20000", "3.15", 78))
    rows = [contract(1, **{"贷款金额（元）": 10000}),
            contract(2, 贷款年度="2024", 发放日期="2024-10-15", 预计毕业年份=2027, **{"贷款金额（元）": 20000})]
    assert (whole, first) == ("366.00", "136.50")
    assert interest(run, tmp_path, rows, 2024)["interest"] == str(Decimal(whole) + Decimal(first))


EARLY = {"贷款年度": "2020", "发放日期": "2019-06-01", "预计毕业年份": 2023}   # lent before the first LPR (2019-08-20)


@pytest.mark.parametrize("rule, row, year, says", [
    # a spread that takes the rate below zero: named with the pricing period that makes it
    (("spread_bp: -70", "spread_bp: -500"), {"贷款年度": "2024", "发放日期": "2024-10-15", "预计毕业年份": 2027}, 2024,
     ("interest.pricing", "2024-09-01 起的定价（LPR−500BP）", "= -0.15%，不是正数")),
    # a 2020 loan (LPR − 30 BP) lent 2019-06-01: the first day without a rate, whichever the repricing
    # (and the contract that has it, for the date may be the register's mistake, not the rules')
    (None, EARLY, 2019, ("键 interest：", "没有 2019-06-01 的贴息利率", "1 份合同，如合同 HT20230002，",
                                                "台账.xlsx第4行，发放日期 2019-06-01")),
    (("repricing: on_change", "repricing: annual"), EARLY, 2019, ("键 interest：", "没有 2019-06-01 的贴息利率",
                                                                  "如合同 HT20230002，", "台账.xlsx第4行")),
    # a loan year before the first pricing period: the pricing periods lack it, not the rate tables
    (("- from: 2006-08-19\n      base: benchmark", "- from: 2010-08-19\n      base: benchmark"),
     {"贷款年度": "2008", "发放日期": "2008-10-15", "预计毕业年份": 2011, "贷款金额（元）": 6000}, 2009,
     ("interest.pricing", "1 份2009年在校的合同", "早于 interest.pricing 最早的时段（2010-08-19 起）",
      "如合同 HT20230002，", "台账.xlsx第4行，发放日期 2008-10-15")),
])
def test_a_day_of_study_without_a_positive_rate_stops_the_summary(run, tmp_path, rule, row, year, says):
    """贴息 is never counted at a rate below zero, nor a day left out for want of a rate: the summary
    stops, naming rules/loans.yaml, the key and the day or period, and a contract that has such a day."""
    if rule:
        _workspace_rules(tmp_path, *rule)
    path = register(tmp_path, [contract(1), contract(2, **row)])  # the second contract lacks a rate
    code, out, err = run("loans", "summary", "--year", year, path, "--workspace", tmp_path)
    assert code == 2 and out == ""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "loans.yaml" in lines[0] and "Traceback" not in err, err
    for word in says:
        assert word in lines[0], (word, lines[0])
    if rule and "spread_bp" in rule[0]:   # the rate table alone shows it: rules check refuses the file too
        code, _, err = run("rules", "check", "--workspace", tmp_path)
        assert code == 2 and "LPR−500BP" in err


def test_the_rates_in_force_are_reported_with_their_basis(run, tmp_path):
    doc = summary(run, register(tmp_path, [contract(1)]), 2024)
    # the 2023 contract's rates (LPR − 60 BP): the one in force on 1 January, then each change
    assert [(r["from"], r["rate"], r["basis"]) for r in doc["interest"]["rates"]] == [
        ("2023-06-20", "3.60", "LPR4.20%−60BP"), ("2024-02-20", "3.35", "LPR3.95%−60BP"),
        ("2024-07-22", "3.25", "LPR3.85%−60BP"), ("2024-10-21", "3.00", "LPR3.60%−60BP")]
    assert "教财〔2023〕4号" in doc["interest"]["rates"][0]["source"]
    assert doc["interest"]["rounding"].startswith("每笔贷款每年四舍五入到分")


def test_integer_arithmetic_matches_decimal_on_many_loans():
    """The vectorised integer path against Decimal, loan by loan, over awkward amounts and dates."""
    from aidctl.loans import rate_on, rate_steps, year_interest

    rules = Rulebook().loans.interest
    steps = rate_steps(rules)
    rng = np.random.default_rng(7)
    n = 120
    principal = rng.integers(1, 2_500_000, n)
    start = np.datetime64("2023-06-01") + rng.integers(0, 600, n).astype("timedelta64[D]")
    last = start + rng.integers(0, 900, n).astype("timedelta64[D]")
    fen, days = year_interest(principal, start, last, 2024, rules, steps)
    for p, a, b, got, d in zip(principal, start.astype(object), last.astype(object), fen, days):
        total, counted = Decimal(0), 0
        day = max(a, date(2024, 1, 1))
        while day <= min(b, date(2024, 12, 31)):
            total += Decimal(int(p)) * rate_on(steps, day).rate / 100
            counted += 1
            day = date.fromordinal(day.toordinal() + 1)
        assert counted == d
        assert Decimal(int(got)) == (total / 360).quantize(Decimal(1), rounding=ROUND_HALF_UP)


# --- the year's figures: 审批通过率, 履约率, 风险补偿金 -----------------------------------------------------

def test_approval_rate_is_approved_over_applications(run, tmp_path):
    path = register(tmp_path, [contract(1, 贷款年度="2024", 发放日期="2024-10-15", 预计毕业年份=2027)])
    apps = applications(tmp_path, [("城关区", "审核通过"), ("城关区", "通过"), ("城关区", "不通过"),
                                   ("东河县", "审核通过"), ("东河县", "不通过"), ("东河县", "待审核"),
                                   ("东河县", "同意"), ("东河县", "不合格"), ("东河县", None)])
    doc = summary(run, path, 2024, "--applications", apps, expect_exit=0)
    c, d = county(doc, "城关区"), county(doc, "东河县")
    assert (c["applications"], c["approved"], c["rejected"], c["pending"], c["approval_rate"]) == (3, 2, 1, 0, "66.67%")
    assert (d["applications"], d["approved"], d["rejected"], d["pending"], d["approval_rate"]) == (6, 2, 2, 2, "33.33%")
    t = doc["totals"]
    assert (t["applications"], t["approved"], t["approval_rate"]) == (9, 4, "44.44%")   # 4 ÷ 9 = 44.444…%
    assert doc["applications"]["year_source"] == "loan_year"


def test_applications_of_other_years_do_not_count(run, tmp_path):
    path = register(tmp_path, [contract(1)])
    apps = applications(tmp_path, [("城关区", "审核通过"), ("城关区", "不通过")])
    wb = openpyxl.load_workbook(apps)
    wb.active.cell(row=3, column=6).value = "2023"
    wb.save(apps)
    doc = summary(run, path, 2024, "--applications", apps)
    assert (county(doc, "城关区")["applications"], county(doc, "城关区")["approval_rate"]) == (1, "0.00%")


def test_applications_whose_year_cannot_be_read_are_named_not_dropped(run, tmp_path):
    # 2O24 (a letter O) and 24 were read as no year and silently left out of every year's 受理
    path = register(tmp_path, [contract(1)])
    apps = applications(tmp_path, [("城关区", "审核通过"), ("城关区", "不通过"), ("城关区", "审核通过")])
    wb = openpyxl.load_workbook(apps)
    wb.active.cell(row=3, column=6).value = "2O24"
    wb.active.cell(row=4, column=6).value = "24"
    wb.save(apps)
    doc = summary(run, path, 2024, "--applications", apps, expect_exit=1)
    assert county(doc, "城关区")["applications"] == 1 and doc["excluded"] == []
    assert doc["applications"]["unread"] == [
        {"file": str(apps), "sheet": "Sheet1", "row": 3, "column": "贷款年度", "value": "2O24"},
        {"file": str(apps), "sheet": "Sheet1", "row": 4, "column": "贷款年度", "value": "24"}]
    assert any("2条申请的贷款年度无法识别" in n and "第3行“2O24”" in n for n in doc["notes"])
    code, text, _ = run("loans", "summary", "--year", 2024, path, "--applications", apps, "--workspace", tmp_path)
    assert code == 1 and "第4行“24”" in text.replace("\n", "")


def test_one_students_repeated_applications_are_counted_once_or_not_at_all(run, tmp_path):
    # the same student on two rows was two applications (and two approvals): 受理 and 审批通过率 wrong
    path = register(tmp_path, [contract(1)])
    apps = applications(tmp_path, [("城关区", "审核通过"), ("城关区", "审核通过"), ("城关区", "不通过"),
                                   ("城关区", "审核通过"), ("城关区", "不通过")])
    wb = openpyxl.load_workbook(apps)
    sheet = wb.active
    sheet.cell(row=4, column=5).value = sheet.cell(row=3, column=5).value      # rows 3, 4: one student, 通过 twice
    sheet.cell(row=7, column=5).value = sheet.cell(row=6, column=5).value      # rows 6, 7: 通过, then 不通过
    wb.save(apps)
    doc = summary(run, path, 2024, "--applications", apps, expect_exit=1)
    c = county(doc, "城关区")
    assert (c["applications"], c["approved"], c["rejected"], c["approval_rate"]) == (2, 1, 1, "50.00%")
    first, second = make_id("20050101", seq=102), make_id("20050101", seq=108)
    assert doc["applications"]["repeated"] == [
        {"id_number": first[:6] + "********" + first[-4:], "rows": [f"{apps}第3行", f"{apps}第4行"],
         "results": ["审核通过", "审核通过"], "counted": True},
        {"id_number": second[:6] + "********" + second[-4:], "rows": [f"{apps}第6行", f"{apps}第7行"],
         "results": ["审核通过", "不通过"], "counted": False}]
    assert any("重复登记2次" in n and "只计1次" in n for n in doc["notes"])
    assert any("均未计入" in n and "第7行（不通过）" in n for n in doc["notes"])


def test_without_applications_the_approval_fields_are_null(run, tmp_path):
    doc = summary(run, register(tmp_path, [contract(1)]), 2024, expect_exit=0)
    assert doc["applications"] is None
    assert all(county(doc, "城关区")[k] is None for k in ("applications", "approved", "approval_rate"))


def test_performance_rate_is_on_time_over_fallen_due(run, tmp_path):
    rows = [repaying(1), repaying(2), repaying(3), repaying(4, unpaid=320),            # 城关区: 3 of 4 on time
            repaying(5, 所属县区="东河县"), repaying(6, 所属县区="东河县", unpaid=1320),
            repaying(7, 所属县区="东河县", 应还日期="2025-03-20"),                       # not yet due at 2024-12-31
            contract(8, 所属县区="东河县"),                                               # in study
            repaying(9, 所属县区="东河县", unpaid=500, 还款状态="已代偿")]                 # compensated: out of 履约率
    doc = summary(run, register(tmp_path, rows), 2024)
    c, d, t = county(doc, "城关区"), county(doc, "东河县"), doc["totals"]
    assert (c["due"], c["repaid_on_time"], c["performance_rate"], c["overdue"], c["overdue_amount"]) == \
        (4, 3, "75.00%", 1, "320.00")
    assert (c["due_amount"], c["repaid_amount"]) == ("5280.00", "4960.00")
    # 东河县: 5 on time, 6 overdue; 9 was repaid by the state (代偿), so it is out of 履约率 (1 of 2, not
    # 1 of 3); the total is 4 of 6
    assert (d["due"], d["repaid_on_time"], d["performance_rate"], d["overdue"], d["overdue_amount"]) == \
        (2, 1, "50.00%", 1, "1320.00")
    assert (t["due"], t["repaid_on_time"], t["performance_rate"], t["overdue"]) == (6, 4, "66.67%", 2)
    assert (c["in_repayment"], d["in_repayment"]) == (4, 3)     # the compensated contract is not in repayment
    assert doc["as_of"] == "2024-12-31"


def test_as_of_moves_the_repayment_picture(run, tmp_path):
    path = register(tmp_path, [repaying(1, unpaid=320)])
    before = summary(run, path, 2024, "--as-of", "2024-12-20")["totals"]      # due that day: not yet overdue
    after = summary(run, path, 2024, "--as-of", "2024-12-21")["totals"]
    assert (before["due"], before["overdue"]) == (0, 0)
    assert (after["due"], after["overdue"], after["overdue_amount"]) == (1, 1, "320.00")


def test_without_as_of_repayment_is_judged_by_today_never_by_a_day_to_come(run, tmp_path, monkeypatch):
    """Run on 2024-06-30, the summary of 2024 judged repayment as of 31 December: an instalment due
    2024-09-20 and not yet paid counted as fallen due and overdue. Now the day is today (or 31
    December, when earlier), and it is said aloud."""
    import importlib
    from datetime import date

    from aidctl.core.dates import default_as_of

    assert default_as_of(2024, today=date(2024, 6, 30)) == date(2024, 6, 30)
    assert default_as_of(2024, today=date(2026, 12, 3)) == date(2024, 12, 31)
    dates = importlib.import_module("aidctl.core.dates")  # the module the command will use
    monkeypatch.setattr(dates, "default_as_of", lambda year: default_as_of(year, today=date(2024, 6, 30)))
    path = register(tmp_path, [repaying(1, unpaid=1320, due="2024-09-20")])
    doc = summary(run, path, 2024)
    assert doc["as_of"] == "2024-06-30"
    assert (doc["totals"]["due"], doc["totals"]["overdue"]) == (0, 0)
    assert "未指定 --as-of：按 2024-06-30 判断到期、履约和逾期（今天，或2024年12月31日如更早）" in doc["notes"]
    named = summary(run, path, 2024, "--as-of", "2024-12-31")  # a day the user names is used, and not noted
    assert (named["totals"]["due"], named["totals"]["overdue"]) == (1, 1)
    assert not any("--as-of" in n for n in named["notes"])


def test_new_loans_and_risk_compensation(run, tmp_path):
    rows = [contract(1, 贷款年度="2024", 发放日期="2024-10-15", 预计毕业年份=2027, **{"贷款金额（元）": "12345.67"}),
            contract(2, 贷款年度="2024", 发放日期="2024-10-16", 预计毕业年份=2027, 所属县区="东河县",
                     **{"贷款金额（元）": 8000}),
            contract(3)]                                                           # 2023: not new in 2024
    doc = summary(run, register(tmp_path, rows), 2024)
    c, d = county(doc, "城关区"), county(doc, "东河县")
    assert (c["new_loans"], c["new_amount"], d["new_loans"], d["new_amount"]) == (1, "12345.67", 1, "8000.00")
    # 15% × 12,345.67 = 1,851.8505 → 1,851.85 (half up, per county); the total is the sum of the counties
    assert (c["risk_compensation"], d["risk_compensation"]) == ("1851.85", "1200.00")
    assert doc["totals"]["risk_compensation"] == "3051.85"
    assert doc["risk_compensation"]["ratio"] == "0.15" and "REVIEW" in doc["risk_compensation"]["source"]


def test_risk_ratio_is_a_dated_rule(run, tmp_path):
    _workspace_rules(tmp_path, "risk_compensation:\n  - from: 2007-09-01\n    ratio: \"0.15\"",
                     "risk_compensation:\n  - from: 2007-09-01\n    ratio: \"0.15\"\n    source: old\n"
                     "  - from: 2024-09-01\n    ratio: \"0.10\"")
    rows = [contract(1, 贷款年度="2024", 发放日期="2024-10-15", 预计毕业年份=2027, **{"贷款金额（元）": 8000})]
    doc = summary(run, register(tmp_path, rows), 2024)
    assert doc["totals"]["risk_compensation"] == "800.00" and doc["risk_compensation"]["from"] == "2024-09-01"


def test_summary_json_shape(run, tmp_path):
    doc = summary(run, register(tmp_path, [contract(1)]), 2024)
    assert set(doc) == {"version", "year", "as_of", "files", "applications", "counties", "totals", "interest",
                        "risk_compensation", "overdue_rule", "excluded", "notes"}
    fields = {"applications", "approved", "rejected", "pending", "approval_rate", "new_loans", "new_amount",
              "interest_loans", "interest", "risk_compensation", "in_repayment", "due", "due_amount",
              "repaid_on_time", "repaid_amount", "performance_rate", "overdue", "overdue_amount", "unjudged"}
    assert set(doc["counties"][0]) == fields | {"county"} and set(doc["totals"]) == fields
    assert set(doc["interest"]) == {"day_count", "repricing", "study_ends", "pricing_date", "reprice_existing",
                                    "rounding", "rates"}
    assert set(doc["interest"]["rates"][0]) == {"from", "rate", "basis", "source", "contracts"}


def test_summary_leaves_out_invalid_contracts_and_exits_1(run, tmp_path):
    rows = [contract(1, 贷款年度="2024", 发放日期="2024-10-15", 预计毕业年份=2027),
            contract(2, 贷款年度="2024", 发放日期="2024-10-15", 预计毕业年份=2027, **{"贷款金额（元）": "待定"})]
    doc = summary(run, register(tmp_path, rows), 2024, expect_exit=1)
    assert doc["totals"]["new_loans"] == 1
    assert [(e["row"], e["contract"]) for e in doc["excluded"]] == [(4, "HT20230002")]
    assert "待定" in doc["excluded"][0]["reasons"][0]


def test_a_fault_keeps_a_contract_out_only_of_the_figures_that_need_it(run, tmp_path):
    rows = [repaying(1, 应还本金="一千"),                                     # out of the repayment figures
            repaying(2, unpaid=320, **{"贷款金额（元）": "待定"}),             # out of the loan figures only
            contract(3, 贷款年度="2024", 发放日期="2024-10-15", 预计毕业年份=2027, 应还利息="x")]
    t = summary(run, register(tmp_path, rows), 2024, expect_exit=1)
    doc_t = t["totals"]
    assert (doc_t["due"], doc_t["overdue"], doc_t["overdue_amount"]) == (1, 1, "320.00")
    assert (doc_t["new_loans"], doc_t["new_amount"], doc_t["interest_loans"]) == (1, "8000.00", 1)
    assert [e["row"] for e in t["excluded"]] == [3, 4, 5]


def test_an_unknown_repayment_status_is_invalid_and_counted_nowhere(run, tmp_path):
    # 还款中 is no word of rules/loans.yaml: it was read as no word at all, so a graduate's contract
    # was taken to be in repayment and its arrears overdue, on a guess
    rows = [repaying(1, unpaid=320, 还款状态="还款中"), repaying(2, unpaid=100)]
    path = register(tmp_path, rows)
    f = finding(check(run, path, expect_exit=1), FIRST_ROW, code="loan.invalid")
    assert (f["column"], f["value"]) == ("还款状态", "还款中") and "无法识别" in f["message"]
    totals = summary(run, path, 2019, "--as-of", "2025-01-10", expect_exit=1)
    t, excluded = totals["totals"], totals["excluded"]
    assert (t["new_loans"], t["in_repayment"], t["due"], t["overdue"], t["overdue_amount"]) == (1, 1, 1, 1, "100.00")
    assert [(e["row"], e["contract"]) for e in excluded] == [(FIRST_ROW, "HT20230001")]
    code, doc, _ = collect(run, path)
    assert code == 1 and [b["rows"] for b in doc["borrowers"]] == [[FIRST_ROW + 1]]
    assert [e["row"] for e in doc["excluded"]] == [FIRST_ROW]


def test_summary_table_and_workbook(run, tmp_path):
    path = register(tmp_path, [contract(1), repaying(2, unpaid=100)])
    out = tmp_path / "汇总.xlsx"
    code, text, err = run("loans", "summary", "--year", "2024", path, "--workspace", tmp_path, "--report", out)
    assert code == 0, err
    assert "城关区" in text and "合计" in text and "ACT/360" in text
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["县区汇总", "贴息明细", "说明", "未计入"]
    rows = list(wb["县区汇总"].iter_rows(min_row=4, values_only=True))
    assert rows[-1][0] == "合计" and rows[-1][16] == pytest.approx(100)
    detail = list(wb["贴息明细"].iter_rows(min_row=2, values_only=True))
    ident = make_id(BIRTH, seq=102)
    assert [(r[2], r[4]) for r in detail] == [("HT20230001", ident[:6] + "********" + ident[-4:])]


# --- collect: the 催收 list -------------------------------------------------------------------------

def collect(run, path: Path, as_of: str = "2025-01-10", *extra) -> tuple[int, dict, Path]:
    out = path.parent / "催收.xlsx"
    code, doc, err = run("loans", "collect", "--as-of", as_of, path, "--out", out, "--format", "json",
                         "--workspace", path.parent, *extra, as_json=True)
    assert isinstance(doc, dict), (code, doc, err)
    return code, doc, out


def test_overdue_is_arrears_with_a_due_date_before_as_of(run, tmp_path):
    rows = [repaying(1, unpaid=320),                                   # 21 days at 2025-01-10
            repaying(2),                                               # paid
            repaying(3, unpaid=100, 应还日期="2025-01-10"),             # due that day: not yet overdue
            repaying(4, unpaid=100, 应还日期=None, 逾期天数=45),         # no due date: the bank's days
            repaying(5, unpaid=100, 应还日期=None, 逾期天数=0),         # owing, 0 days, no date: excluded, said
            repaying(6, unpaid=100, 还款状态="已结清"),                # settled, yet owing: excluded, said
            repaying(7, unpaid=100, 还款状态="代偿")]
    code, doc, _ = collect(run, register(tmp_path, rows))
    assert code == 1
    got = [(b["name"], b["days_overdue"], b["days_source"], b["amount_due"]) for b in doc["borrowers"]]
    assert got == [("借款人四", 45, "register", "100.00"), ("借款人一", 21, "due_date", "320.00")]
    assert doc["totals"] == {"borrowers": 2, "amount_due": "420.00"}
    assert [(e["row"], e["contract"]) for e in doc["excluded"]] == [(FIRST_ROW + 4, "HT20230005"),
                                                                    (FIRST_ROW + 5, "HT20230006")]


def test_arrears_neither_on_time_nor_overdue_are_excluded_and_said(run, tmp_path):
    """Two contracts in arrears were counted fallen due but neither on time nor overdue: 履约率 fell with
    no note, and `collect` left the borrower off the 催收 list without a word. One has neither 应还日期
    nor 逾期天数 (whether overdue cannot be read); one is 结清 yet owes 100 (the word contradicts the
    figures). Each is loan.invalid now, naming what contradicts what, listed under `excluded`, out of
    every repayment figure (the 结清 one, whose settlement is in doubt, out of every figure)."""
    rows = [repaying(1), repaying(2, unpaid=320),
            repaying(3, unpaid=100, 应还日期=None, 逾期天数=None),
            repaying(4, unpaid=100, 还款状态="结清")]
    path = register(tmp_path, rows)
    doc = check(run, path, expect_exit=1)
    assert codes(doc) == {(5, "loan.invalid"), (6, "loan.invalid")}
    f = finding(doc, 5, code="loan.invalid")
    assert f["column"] == "应还日期" and "尚欠100.00元，但应还日期和逾期天数都为空" in f["message"]
    assert "是否逾期无法判断" in f["message"]
    f = finding(doc, 6, code="loan.invalid")
    assert (f["column"], f["value"]) == ("还款状态", "结清")
    assert "还款状态为“结清”，但应还本金＋应还利息1320.00元，实还金额1220.00元，尚欠100.00元" in f["message"]
    t = summary(run, path, 2024, "--as-of", "2025-01-10", expect_exit=1)
    assert [(e["row"], e["contract"]) for e in t["excluded"]] == [(5, "HT20230003"), (6, "HT20230004")]
    totals = t["totals"]
    assert (totals["due"], totals["repaid_on_time"], totals["overdue"], totals["performance_rate"]) == \
        (2, 1, 1, "50.00%")
    assert totals["new_loans"] == 0 and totals["in_repayment"] == 2
    code, got, _ = collect(run, path)
    assert code == 1 and [b["rows"] for b in got["borrowers"]] == [[4]]
    assert [e["row"] for e in got["excluded"]] == [5, 6]
    assert any("结清" in r for r in got["excluded"][1]["reasons"])


def test_arrears_with_zero_days_overdue_and_no_due_date_are_unjudged_and_said(run, tmp_path):
    """A contract owing 100 with no 应还日期 and 逾期天数 0 was counted fallen due yet neither on time
    nor overdue: 履约率 fell (2 of 4 instead of 2 of 3) with no word, and `collect` left the borrower
    off the 催收 list without a word. Owing with 0 days and no due date cannot be judged (not yet due,
    or due and the 0 wrong), as with neither 应还日期 nor 逾期天数: loan.invalid on 逾期天数, naming the
    cell, out of every repayment figure, counted as 还款情况无法判断 and listed; the totals add up."""
    rows = [repaying(1), repaying(2, unpaid=320),
            repaying(3, unpaid=100, 应还日期=None, 逾期天数=0),
            repaying(4, unpaid=100, 应还日期=None, 逾期天数="0天", 所属县区="东河县"),
            repaying(5, 应还日期=None, 逾期天数=0),                                   # paid in full: on time
            repaying(6, unpaid=100, 应还日期=None, 逾期天数=0, 还款状态="代偿"),      # the state's: no default
            contract(7)]                                                              # in study: nothing owed
    path = register(tmp_path, rows)
    doc = check(run, path, expect_exit=1)
    assert codes(doc) == {(5, "loan.invalid"), (6, "loan.invalid")}
    f = finding(doc, 5, code="loan.invalid")
    assert (f["file"], f["sheet"], f["column"], f["value"]) == (str(path), "Sheet1", "逾期天数", "0")
    assert "尚欠100.00元，但应还日期为空、逾期天数为“0”" in f["message"] and "无法判断" in f["message"]
    assert finding(doc, 6, code="loan.invalid")["value"] == "0天"
    out = tmp_path / "汇总.xlsx"
    t = summary(run, path, 2024, "--as-of", "2025-01-10", "--report", out, expect_exit=1)
    assert [(e["row"], e["contract"]) for e in t["excluded"]] == [(5, "HT20230003"), (6, "HT20230004")]
    assert any("逾期天数为“0”" in r for r in t["excluded"][0]["reasons"])
    totals = t["totals"]
    assert (totals["due"], totals["repaid_on_time"], totals["overdue"], totals["performance_rate"],
            totals["unjudged"]) == (3, 2, 1, "66.67%", 2)
    for c in [*t["counties"], totals]:        # every contract fallen due is on time or overdue, never neither
        assert c["due"] == c["repaid_on_time"] + c["overdue"]
    assert (county(t, "城关区")["unjudged"], county(t, "东河县")["unjudged"]) == (1, 1)
    code, shown, _ = run("loans", "summary", "--year", 2024, path, "--as-of", "2025-01-10", "--workspace", tmp_path)
    assert code == 1 and "无法判断" in shown.split("还款情况无法判断")[0]   # a column of the table, above the note
    assert any(n.startswith("2 份合同的还款情况无法判断") and "第5行" in n and "第6行" in n for n in t["notes"])
    sheet = openpyxl.load_workbook(out)["县区汇总"]
    assert sheet.cell(row=3, column=18).value == "还款情况无法判断（笔）"
    last = list(sheet.iter_rows(min_row=4, values_only=True))[-1]
    assert last[0] == "合计" and last[17] == 2
    code, got, _ = collect(run, path)
    assert code == 1 and [b["rows"] for b in got["borrowers"]] == [[4]]
    assert [e["row"] for e in got["excluded"]] == [5, 6]
    assert "逾期天数为0" not in got["rule"] and "逾期天数为空或为0" in got["rule"]


def test_a_status_saying_arrears_on_a_contract_owing_nothing_is_invalid_and_unjudged(run, tmp_path):
    """逾期, 违约 and 欠款 (rules/loans.yaml status_claims.in_arrears) on a contract whose 应还本金 +
    应还利息 − 实还金额 is 0 (or below), with 逾期天数 0, blank or even above 0, were counted 按期还款:
    the register contradicts itself, and a borrower the bank marks in arrears was off the 催收 list
    without a word. Each is loan.invalid on 还款状态, naming the word and the money, out of every
    repayment figure (还款情况无法判断) and the 催收 list, listed; its loan figures, which do not rest on
    the word, stand. A word and money that agree (逾期 owing 320) stay counted."""
    rows = [repaying(1), repaying(2, unpaid=320),
            repaying(3, 还款状态="逾期"),                                           # owes 0, 逾期天数 0
            repaying(4, 还款状态="违约", 逾期天数=None, 所属县区="东河县"),          # owes 0, 逾期天数 blank
            repaying(5, 还款状态="欠款", 应还日期=None, 逾期天数=None),             # owes 0, no date, no days
            repaying(6, 还款状态="逾期", 实还金额=1500, 逾期天数=30),               # overpaid 180, 30 days
            repaying(7, unpaid=320, 还款状态="逾期", 逾期天数=21)]                  # agrees: overdue
    path = register(tmp_path, rows)
    doc = check(run, path, expect_exit=1)
    assert codes(doc) == {(5, "loan.invalid"), (6, "loan.invalid"), (7, "loan.invalid"), (8, "loan.invalid")}
    f = finding(doc, 5, code="loan.invalid")
    assert (f["file"], f["sheet"], f["column"], f["value"]) == (str(path), "Sheet1", "还款状态", "逾期")
    assert "还款状态为“逾期”（欠款逾期），但应还本金＋应还利息1320.00元，实还金额1320.00元，尚欠0.00元，逾期天数为“0”" \
        in f["message"] and "台账自相矛盾" in f["message"] and "不计入到期应还、履约率、逾期和催收名单" in f["message"]
    assert "逾期天数为空" in finding(doc, 6, code="loan.invalid")["message"]
    assert finding(doc, 7, code="loan.invalid")["value"] == "欠款"
    assert "多还180.00元，逾期天数为“30”" in finding(doc, 8, code="loan.invalid")["message"]
    t = summary(run, path, 2019, "--as-of", "2025-01-10", expect_exit=1)
    assert [(e["row"], e["contract"]) for e in t["excluded"]] == [(5, "HT20230003"), (6, "HT20230004"),
                                                                 (7, "HT20230005"), (8, "HT20230006")]
    assert any("“违约”" in r and "尚欠0.00元" in r for r in t["excluded"][1]["reasons"])
    totals = t["totals"]
    assert (totals["in_repayment"], totals["due"], totals["repaid_on_time"], totals["overdue"],
            totals["overdue_amount"], totals["performance_rate"], totals["unjudged"]) == \
        (3, 3, 1, 2, "640.00", "33.33%", 4)
    assert (totals["new_loans"], totals["new_amount"]) == (7, "56000.00")    # the loan figures keep them all
    for c in [*t["counties"], totals]:        # every contract fallen due is on time or overdue, never neither
        assert c["due"] == c["repaid_on_time"] + c["overdue"]
    assert (county(t, "城关区")["unjudged"], county(t, "东河县")["unjudged"]) == (3, 1)
    assert any(n.startswith("4 份合同的还款情况无法判断") for n in t["notes"])
    code, got, _ = collect(run, path)
    assert code == 1 and sorted(b["rows"] for b in got["borrowers"]) == [[4], [9]]
    assert [e["row"] for e in got["excluded"]] == [5, 6, 7, 8]
    assert "还款状态与还款金额、逾期天数相互矛盾" in got["rule"]


def test_a_status_saying_in_order_on_a_contract_the_bank_counts_overdue_is_invalid(run, tmp_path):
    """正常 and 正常还款 (status_claims.current) on a contract owing money whose 逾期天数, the bank's own
    count at the export, is above 0: counted overdue and called on days the bank's word denies. The
    register contradicts itself: loan.invalid on 还款状态, out of the repayment figures and the 催收
    list, listed. 正常 owing with 逾期天数 0 and an 应还日期 before --as-of is no contradiction in the
    register (the word and the days are the export's, the date is judged at --as-of): overdue by the date."""
    rows = [repaying(1, unpaid=320, 还款状态="正常", 逾期天数=21),
            repaying(2, unpaid=100, 还款状态="正常还款", 应还日期=None, 逾期天数="45天"),
            repaying(3, unpaid=100, 还款状态="正常", 逾期天数=0),                 # overdue by its 应还日期
            repaying(4, 还款状态="正常")]                                          # paid: on time
    path = register(tmp_path, rows)
    doc = check(run, path, expect_exit=1)
    assert codes(doc) == {(3, "loan.invalid"), (4, "loan.invalid")}
    f = finding(doc, 3, code="loan.invalid")
    assert (f["column"], f["value"]) == ("还款状态", "正常")
    assert "还款状态为“正常”（正常还款），但应还本金＋应还利息1320.00元，实还金额1000.00元，尚欠320.00元，逾期天数为“21”" \
        in f["message"] and "请与经办银行核对还款状态和逾期天数" in f["message"]
    assert "逾期天数为“45天”" in finding(doc, 4, code="loan.invalid")["message"]
    t = summary(run, path, 2024, "--as-of", "2025-01-10", expect_exit=1)["totals"]
    assert (t["due"], t["repaid_on_time"], t["overdue"], t["overdue_amount"], t["unjudged"]) == (2, 1, 1, "100.00", 2)
    code, got, _ = collect(run, path)
    assert code == 1 and [(b["rows"], b["days_overdue"]) for b in got["borrowers"]] == [([5], 21)]
    assert [e["row"] for e in got["excluded"]] == [3, 4]


def test_which_status_words_say_arrears_or_order_is_a_rule(run, tmp_path):
    """status_claims is data: a workspace that lists no word finds no contradiction; a word that is no
    repayment word is refused naming the file and key; a copy of loans.yaml made before the key
    existed takes the packaged words, and is told so."""
    rows = [repaying(1, 还款状态="逾期")]
    _workspace_rules(tmp_path, "  in_arrears: [逾期, 违约, 欠款]", "  in_arrears: []")
    assert check(run, register(tmp_path, rows), expect_exit=0)["findings"] == []
    _workspace_rules(tmp_path, "  in_arrears: [逾期, 违约, 欠款]", "  in_arrears: [逾期, 违约, 欠款, 已结清]")
    code, _, err = run("loans", "check", register(tmp_path, rows), "--workspace", tmp_path)
    assert code == 2 and "loans.yaml" in err and "status_claims.in_arrears" in err and "“已结清”不是" in err, err
    _workspace_rules(tmp_path, "  current: [正常, 正常还款]", "  current: [正常, 逾期]")
    code, _, err = run("loans", "check", register(tmp_path, rows), "--workspace", tmp_path)
    assert code == 2 and "“逾期”同时列在 in_arrears 和 current 中" in err, err
    text = (packaged_rules_dir() / "loans.yaml").read_text(encoding="utf-8")
    (tmp_path / "rules" / "loans.yaml").write_text(text.split("status_claims:")[0] + "applications:"
                                                   + text.split("applications:", 1)[1], encoding="utf-8")
    book = Rulebook(tmp_path / "rules")
    assert book.loans.status_claims.in_arrears == ["逾期", "违约", "欠款"]
    [said] = book.notes
    assert "未写 status_claims" in said and "按内置规则的值" in said, said
    doc = check(run, register(tmp_path, rows), expect_exit=1)
    assert [(f["row"], f["column"]) for f in doc["findings"]] == [(FIRST_ROW, "还款状态")]


def test_the_repayment_buckets_hold_every_contract_once(run, tmp_path, monkeypatch):
    """Were a contract in arrears ever judged neither on time nor overdue with no check saying so,
    it would count in 到期应还 alone (the old fault): it is taken out of every repayment figure,
    counted as 还款情况无法判断 and listed with the reason, in `summary` and in `collect`."""
    from aidctl.loans import checks

    monkeypatch.setattr(checks, "_arrears_unjudged", lambda frame, title: [])   # a check that misses one
    path = register(tmp_path, [repaying(1), repaying(2, unpaid=100, 应还日期=None, 逾期天数=0)])
    t = summary(run, path, 2024, "--as-of", "2025-01-10", expect_exit=1)["totals"]
    assert (t["due"], t["repaid_on_time"], t["overdue"], t["unjudged"]) == (1, 1, 0, 1)
    code, got, _ = collect(run, path)
    assert code == 1 and got["borrowers"] == []
    assert [(e["row"], e["reasons"]) for e in got["excluded"]] == \
        [(4, ["有欠款，既不能认定按期还款也不能认定逾期：是否逾期无法判断，未列入催收名单"])]


def test_one_line_per_borrower_with_contracts_summed(run, tmp_path):
    same = make_id("20000101", seq=500)
    rows = [repaying(1, 身份证号=same, unpaid=320, 应还日期="2023-12-20"),
            repaying(2, 身份证号=same, unpaid=100, 贷款年度="2020", 发放日期="2020-10-15")]
    _, doc, _ = collect(run, register(tmp_path, rows))
    [b] = doc["borrowers"]
    assert (b["days_overdue"], b["amount_due"], b["loan_years"], b["rows"]) == (387, "420.00", "2019、2020", [3, 4])
    assert b["contracts"] == "HT20230001、HT20230002" and b["due_date"] == "2023-12-20"


def test_collect_workbook_one_sheet_per_county_sorted_with_contact_columns(run, tmp_path):
    rows = [repaying(1, unpaid=100, 应还日期="2024-12-20"), repaying(2, unpaid=900, 应还日期="2024-06-20"),
            repaying(3, unpaid=50, 应还日期="2024-12-20"), repaying(4, unpaid=320, 所属县区="东河县"),
            repaying(5, unpaid=10, 所属县区="西山县[二区]")]
    code, doc, out = collect(run, register(tmp_path, rows))
    assert code == 0 and doc["out"] == str(out.relative_to(tmp_path))
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["汇总", "东河县", "城关区", "西山县二区"]
    ws = wb["城关区"]
    header = [c.value for c in ws[3]]
    assert header[-4:] == ["联系日期", "联系结果", "承诺还款日期", "经办人"]
    assert {"借款人姓名", "逾期天数", "逾期金额（元）", "联系电话", "家庭住址"} <= set(header)
    data = [dict(zip(header, r)) for r in ws.iter_rows(min_row=4, values_only=True) if r[0] is not None]
    assert [(r["借款人姓名"], r["逾期天数"], r["逾期金额（元）"]) for r in data] == \
        [("借款人二", 204, 900), ("借款人一", 21, 100), ("借款人三", 21, 50)]   # most overdue first, then amount
    assert all(r["联系日期"] is None and r["经办人"] is None for r in data)
    assert data[0]["联系电话"] == "13800000002" and data[0]["身份证号"].count("*") == 8
    assert ws.freeze_panes == "C4" and ws.print_title_rows == "$3:$3"
    lists = [v for v in ws.data_validations.dataValidation if v.type == "list"]
    assert lists and "无法联系" in lists[0].formula1
    summary_rows = list(wb["汇总"].iter_rows(min_row=5, values_only=True))
    assert summary_rows[-1][:4] == ("合计", "", 5, pytest.approx(1380))


def test_collect_defaults_to_the_workspace_out_folder(run, tmp_path):
    path = register(tmp_path, [repaying(1, unpaid=320)])
    code, doc, err = run("loans", "collect", "--as-of", "2025-01-10", path, "--workspace", tmp_path, "--format", "json",
                         as_json=True)
    assert code == 0, err
    assert doc["out"] == "out/loans/生源地贷款逾期催收名单_2025-01-10.xlsx"
    assert (tmp_path / doc["out"]).is_file()


def test_collect_needs_the_repayment_columns(run, tmp_path):
    headers = [h for h in HEAD if h not in ("应还日期", "逾期天数")]
    path = register(tmp_path, [repaying(1)], headers=headers)
    code, out, err = run("loans", "collect", "--as-of", "2025-01-10", path, "--workspace", tmp_path)
    assert code == 2 and "应还日期或逾期天数" in err and len(err.strip().splitlines()) == 1


def test_collect_workbook_masks_ids_to_the_workspaces_widths(run, tmp_path):
    """A workspace whose rules/publicity.yaml shows less of an ID (first 3, last 2) gets that on the
    催收 list: it was masked with the packaged 6 + 4 whatever the rules said."""
    from test_publish import workspace_publicity

    path = register(tmp_path, [repaying(1, unpaid=100)])
    workspace_publicity(path.parent, masking={"id_head": 3, "id_tail": 2, "card_tail": 2})
    code, doc, out = collect(run, path)
    assert code == 0, doc
    ws = openpyxl.load_workbook(out)["城关区"]
    header = [c.value for c in ws[3]]
    shown = dict(zip(header, next(ws.iter_rows(min_row=4, values_only=True))))["身份证号"]
    person = doc["borrowers"][0]["id_number"]
    assert shown == person[:3] + "*" * 13 + person[-2:], (shown, person)


def test_collect_json_shape_and_table(run, tmp_path):
    path = register(tmp_path, [repaying(1, unpaid=320), repaying(2, 应还本金="一千")])
    code, doc, _ = collect(run, path)
    assert code == 1                                                  # a contract could not be judged
    assert set(doc) == {"version", "as_of", "rule", "files", "counties", "borrowers", "excluded", "totals", "notes", "out"}
    assert set(doc["borrowers"][0]) == {"county", "name", "id_number", "contracts", "loan_years", "days_overdue",
                                        "days_source", "amount_due", "due_date", "phone", "co_borrower", "co_phone",
                                        "address", "school", "file", "rows"}
    assert [e["row"] for e in doc["excluded"]] == [4]
    code, text, err = run("loans", "collect", "--as-of", "2025-01-10", path, "--workspace", tmp_path)
    assert "逾期借款人 1 人" in text and "催收名单已写入" in text


# --- issue 16: early repayment, one contract number, early disbursement, levels, masked IDs --------------

SETTLED_HEAD = [*HEAD, "结清日期"]


def test_interest_stops_at_early_repayment(run, tmp_path):
    """A 2023 loan (LPR − 60 BP) repaid early on 1 March 2024 bears 贴息 to 29 February only (算头不算尾):
    3.60% for 50 days to 19 February, 3.35% for 10 days to 29 February:
    8000 × (3.60% × 50 + 3.35% × 10) ÷ 360 = 47.4444… → 47.44 (not the whole year's 267.62)."""
    expected = by_hand(("8000", "3.60", 50), ("8000", "3.35", 10))
    assert expected == "47.44"
    assert by_hand(("8000", "3.60", 50), ("8000", "3.35", 153), ("8000", "3.25", 91), ("8000", "3.00", 72)) == "267.62"
    rows = [contract(1, 还款状态="提前结清", 结清日期="2024-03-01")]
    doc = summary(run, register(tmp_path, rows, headers=SETTLED_HEAD), 2024, expect_exit=0)
    assert doc["totals"]["interest"] == expected
    assert doc["totals"]["interest"] == summary(run, register(tmp_path, [contract(1, 还款状态="结清", 结清日期="2024-03-01")],
                                                              name="b.xlsx", headers=SETTLED_HEAD), 2024)["totals"]["interest"]


def test_early_repayment_without_its_date_is_invalid_and_bears_no_guess(run, tmp_path):
    rows = [contract(1, 还款状态="提前结清"), contract(2)]
    path = register(tmp_path, rows)                              # no 结清日期 column at all
    f = finding(check(run, path, expect_exit=1), FIRST_ROW, code="loan.invalid")
    assert f["column"] == "结清日期" and "提前结清" in f["message"]
    doc = summary(run, path, 2024, expect_exit=1)
    # the contract still counts as a loan of its year, but bears no 贴息 (one loan in study, not two)
    assert doc["totals"]["interest_loans"] == 1 and [e["row"] for e in doc["excluded"]] == [FIRST_ROW]
    doc = summary(run, path, 2023, expect_exit=1)
    assert (doc["totals"]["new_loans"], doc["totals"]["interest_loans"]) == (2, 1)


def test_settled_without_a_settlement_date_column_bears_no_guessed_interest(run, tmp_path):
    """结清 in a register with no 结清日期 column at all: the 2023 loan in study bore all of 2024's 贴息,
    as if never repaid, with no word (with the column, a blank date is loan.invalid). Its 贴息 stops
    the day before a date the file does not give: it bears none, is listed as left out with the
    reason, and a note says so; its other figures stand. A graduate's 结清 needs no date for 2024."""
    rows = [contract(1, 还款状态="结清"), contract(2), repaying(3, 还款状态="结清")]
    path = register(tmp_path, rows)                                 # no 结清日期 column
    assert check(run, path, expect_exit=0)["findings"] == []
    doc = summary(run, path, 2024, "--as-of", "2024-12-31", expect_exit=1)
    t = doc["totals"]
    assert (t["interest_loans"], t["interest"]) == (1, "267.62")   # row 4 alone, the whole year
    [e] = doc["excluded"]
    assert (e["row"], e["contract"]) == (FIRST_ROW, "HT20230001")
    assert e["reasons"] == ["还款状态为“结清”，但台账没有结清日期列：不知何时结清，2024年在校期间贴息（只计到结清前一天）"
                            "无法计算，未计入贴息：请从经办银行系统导出含结清日期的台账"]
    [note] = [n for n in doc["notes"] if "结清日期列" in n]
    assert note.startswith("1 份2024年在校的合同还款状态为结清") and f"{path}第3行（合同HT20230001，还款状态“结清”）" in note
    assert (t["due"], t["repaid_on_time"]) == (1, 1)               # the graduate's 结清 is counted as before
    # still a new loan of its year: that figure needs no date
    doc = summary(run, path, 2023, "--as-of", "2023-12-31", expect_exit=1)
    assert (doc["totals"]["new_loans"], doc["totals"]["interest_loans"]) == (2, 1)
    # a year in which no 结清 contract was in study depends on no such date
    assert summary(run, path, 2027, "--as-of", "2027-12-31", expect_exit=0)["excluded"] == []


@pytest.mark.parametrize("word", ["代偿", "已代偿", "代偿结清"])
def test_compensated_without_its_date_bears_no_guessed_interest(run, tmp_path, word):
    """代偿 (the state repaid the loan, e.g. on the student's enlistment) ends the loan as 结清 does, but
    with no 结清日期 a 2023 loan in study bore all of 2024's 贴息, as if never repaid, with no word:
    in a register without the column, and with the column left blank. Now as for 结清: without the
    column it bears none, is listed under `excluded` and noted; a blank cell is loan.invalid on
    结清日期 (out of 贴息). Its other figures stand; a graduate's 代偿 needs no date for 2024's 贴息."""
    rows = [contract(1, 还款状态=word), contract(2), repaying(3, 还款状态=word, unpaid=100)]
    path = register(tmp_path, rows)                                 # no 结清日期 column
    assert check(run, path, expect_exit=0)["findings"] == []
    doc = summary(run, path, 2024, "--as-of", "2025-01-10", expect_exit=1)
    t = doc["totals"]
    assert (t["interest_loans"], t["interest"]) == (1, "267.62")   # row 4 alone, the whole year
    assert (t["due"], t["overdue"]) == (0, 0)                      # the state repaid row 5: nobody's default
    [e] = doc["excluded"]
    assert (e["row"], e["reasons"]) == (FIRST_ROW, [
        f"还款状态为“{word}”，但台账没有结清日期列：不知何时结清，2024年在校期间贴息（只计到结清前一天）无法计算，"
        "未计入贴息：请从经办银行系统导出含结清日期的台账"])
    [note] = [n for n in doc["notes"] if "结清日期列" in n]
    assert note.startswith("1 份2024年在校的合同还款状态为代偿，但台账没有结清日期列") and f"还款状态“{word}”" in note
    assert summary(run, path, 2027, "--as-of", "2027-12-31", expect_exit=0)["excluded"] == []
    # the column there, the cell blank: loan.invalid on 结清日期, as for 结清, and out of 贴息
    dated = register(tmp_path, [{**r, "结清日期": None} for r in rows], name="有结清日期.xlsx", headers=HEAD + ["结清日期"])
    doc = check(run, dated, expect_exit=1)
    assert {(f["row"], f["column"], f["code"]) for f in doc["findings"]} == {
        (3, "结清日期", "loan.invalid"), (5, "结清日期", "loan.invalid")}
    assert f"还款状态为“{word}”，但结清日期为空" in finding(doc, 3, code="loan.invalid")["message"]
    doc = summary(run, dated, 2024, "--as-of", "2025-01-10", expect_exit=1)
    assert (doc["totals"]["interest_loans"], doc["totals"]["interest"]) == (1, "267.62")
    assert [e["row"] for e in doc["excluded"]] == [3, 5]
    # with its date: 贴息 to the day before, and nothing to say
    rows[0]["结清日期"] = "2024-03-01"
    rows[2]["结清日期"] = "2023-06-01"
    doc = summary(run, register(tmp_path, rows, name="有日期.xlsx", headers=HEAD + ["结清日期"]), 2024,
                  "--as-of", "2025-01-10", expect_exit=0)
    assert doc["totals"]["interest_loans"] == 2 and doc["excluded"] == []


def test_one_contract_number_on_two_borrowers_is_a_finding(run, tmp_path):
    rows = [contract(1), contract(2, 合同编号="HT20230001"), contract(3)]
    doc = check(run, register(tmp_path, rows), expect_exit=1)
    assert codes(doc) == {(FIRST_ROW, "loan.contract_shared"), (FIRST_ROW + 1, "loan.contract_shared")}
    f = finding(doc, FIRST_ROW, code="loan.contract_shared")
    assert f["column"] == "合同编号" and "2名借款人" in f["message"] and "借款人二" in f["message"]
    # the same contract twice for one borrower is not this finding (a duplicate contract of a year is)
    same = contract(4, 合同编号="HT20230009")
    doc = check(run, register(tmp_path, [same, {**same}], name="b.xlsx"))
    assert "loan.contract_shared" not in {c for _, c in codes(doc)}


def test_duplicate_shared_and_graduation_year_contracts_are_left_out_of_the_figures(run, tmp_path):
    # each was flagged by `loans check` and still counted: the duplicate twice in new loans and 贴息,
    # the shared 合同编号 on both borrowers, the 2040 graduate's 贴息 to 2040
    twice = make_id(BIRTH, seq=900)
    rows = [contract(1, 身份证号=twice, 贷款年度="2024", 发放日期="2024-10-15", 预计毕业年份=2027),
            contract(2, 身份证号=twice, 贷款年度="2024", 发放日期="2024-10-20", 预计毕业年份=2027),
            contract(3, 合同编号="HTSAME", 贷款年度="2024", 发放日期="2024-10-15", 预计毕业年份=2027),
            contract(4, 合同编号="HTSAME", 贷款年度="2024", 发放日期="2024-10-15", 预计毕业年份=2027),
            contract(5, 贷款年度="2024", 发放日期="2024-10-15", 预计毕业年份=2040),
            contract(6, 贷款年度="2024", 发放日期="2024-10-15", 预计毕业年份=2027),
            repaying(7, unpaid=320, 合同编号="HTOWED"), repaying(8, unpaid=320, 合同编号="HTOWED")]
    path = register(tmp_path, rows)
    doc = summary(run, path, 2024, "--as-of", "2025-01-10", expect_exit=1)
    t = doc["totals"]
    assert (t["new_loans"], t["new_amount"], t["interest_loans"], t["due"], t["overdue"]) == (1, "8000.00", 1, 0, 0)
    # row 8 alone, LPR − 70 BP: 3.85 − 0.70 from 2024-10-15, 3.60 − 0.70 from 10-21 to 12-31
    assert t["interest"] == by_hand(("8000", "3.15", 6), ("8000", "2.90", 72))
    reasons = {e["row"]: "；".join(e["reasons"]) for e in doc["excluded"]}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 9, 10]
    assert "2份合同" in reasons[3] and "2名借款人" in reasons[5] and "2040年毕业" in reasons[7]
    code, col, _ = collect(run, path)
    # the 催收 list leaves out the duplicate and shared contracts, not the graduation year (no figure of it)
    assert code == 1 and col["borrowers"] == [] and [e["row"] for e in col["excluded"]] == [3, 4, 5, 6, 9, 10]


def test_a_disbursement_before_its_loan_year_is_a_warning(run, tmp_path):
    rows = [contract(1, 发放日期="2023-08-31"), contract(2, 发放日期="2023-09-01")]
    doc = check(run, register(tmp_path, rows), expect_exit=0)
    assert codes(doc) == {(FIRST_ROW, "loan.disbursed_early")}
    f = finding(doc, FIRST_ROW, code="loan.disbursed_early")
    assert f["severity"] == "warning" and "2023-09-01" in f["message"]


def test_a_disbursement_before_its_loan_year_is_counted_and_said_so(run, tmp_path):
    """It was counted in the year's new loans and 贴息 (from the early date) with no word, though
    the warning questions the very dates they rest on. It is still counted (a warning), and a note
    says how many, in which figures, and where: the repayment figures use neither date."""
    rows = [contract(1, 发放日期="2023-08-01"), contract(2),
            contract(3, 发放日期="2023-08-15", **{"贷款金额（元）": "待定"}),          # left out: not counted, not noted
            repaying(4, 发放日期="2019-08-20", unpaid=320)]                            # early, in repayment only
    path = register(tmp_path, rows)
    doc = summary(run, path, 2023, "--as-of", "2023-12-31", expect_exit=1)
    t = doc["totals"]
    assert (t["new_loans"], t["interest_loans"]) == (2, 2)
    # LPR 4.20 − 60 BP, from 1 August (153 days) and from 15 October (78 days)
    assert t["interest"] == str(Decimal(by_hand(("8000", "3.60", 153))) + Decimal(by_hand(("8000", "3.60", 78))))
    [note] = [n for n in doc["notes"] if "loan.disbursed_early" in n]
    assert note.startswith("1 份合同的发放日期早于其贷款年度的开学日") and "新增贷款 1 笔、在校期间贴息 1 笔" in note
    assert f"{path}第3行（合同HT20230001，发放日期2023-08-01，2023贷款年度）" in note
    [later] = [n for n in summary(run, path, 2024, "--as-of", "2024-12-31", expect_exit=1)["notes"]
               if "loan.disbursed_early" in n]
    assert later.startswith("1 份合同") and "在校期间贴息 1 笔" in later and "新增贷款" not in later
    # a register whose early contracts are in no figure of the year says nothing of them
    assert not [n for n in summary(run, path, 2027, "--as-of", "2027-12-31", expect_exit=1)["notes"]
                if "loan.disbursed_early" in n]


@pytest.mark.parametrize("level", ["第二学士学位", "预科", "预科生", "高职"])
def test_second_degree_and_preparatory_students_have_the_undergraduate_cap(run, tmp_path, level):
    """They are 本专科 for the caps (“含第二学士学位、高职学生、预科生”): 16,000 passes in 2023, 16,001 does not."""
    rows = [contract(1, 学历层次=level, **{"贷款金额（元）": 16000}), contract(2, 学历层次=level, **{"贷款金额（元）": 16001})]
    doc = check(run, register(tmp_path, rows), expect_exit=1)
    assert codes(doc) == {(FIRST_ROW + 1, "loan.over_cap")}
    assert "本专科每人每年最多贷款16000.00元" in finding(doc, FIRST_ROW + 1, code="loan.over_cap")["message"]


def test_an_unknown_level_is_an_error_naming_the_value(run, tmp_path):
    doc = check(run, register(tmp_path, [contract(1, 学历层次="中专")]), expect_exit=1)
    f = finding(doc, FIRST_ROW, code="loan.invalid")
    assert f["column"] == "学历层次" and "“中专”" in f["message"] and f["value"] == "中专"


def test_the_collect_json_masks_ids_like_the_workbook(run, tmp_path):
    person = make_id(BIRTH, seq=102)
    _, doc, _ = collect(run, register(tmp_path, [repaying(1, unpaid=320)]))
    [b] = doc["borrowers"]
    assert b["id_number"] == person[:6] + "********" + person[-4:]
    assert person not in json.dumps(doc, ensure_ascii=False)


# --- the sample files -------------------------------------------------------------------------------

def test_the_sample_register_has_exactly_the_planted_problems(run):
    doc = check(run, SAMPLE_REGISTER, expect_exit=1, workspace=SAMPLES)
    got = {(f["row"], f["column"], f["code"]) for f in doc["findings"]}
    assert got == {(p["row"], p["column"], p["code"]) for p in PLANTED["findings"]}


def test_the_sample_collect_list_is_the_planted_overdue_borrowers(run, tmp_path):
    shutil.copy(SAMPLE_REGISTER, tmp_path / SAMPLE_REGISTER.name)
    code, doc, out = collect(run, tmp_path / SAMPLE_REGISTER.name, PLANTED["exported"])
    # exit 1: the planted duplicate contracts are nobody's arrears until the bank says which is right,
    # nor those of a borrower whose name is blank or whose ID has an error
    assert code == 1
    assert [e["row"] for e in doc["excluded"]] == \
        sorted(p["row"] for p in PLANTED["findings"] if p["code"] == "loan.duplicate_contract"
               or p["code"].startswith(("id.", "name.")))
    got = sorted((b["name"], b["county"], b["days_overdue"], b["amount_due"], b["rows"]) for b in doc["borrowers"])
    assert got == sorted((o["name"], o["county"], o["days"], o["amount"], o["rows"]) for o in PLANTED["overdue"])


def test_the_sample_summary_counts_the_planted_applications(run, tmp_path):
    for p in (SAMPLE_REGISTER, SAMPLE_APPLICATIONS):
        shutil.copy(p, tmp_path / p.name)
    doc = summary(run, tmp_path / SAMPLE_REGISTER.name, 2024, "--applications", tmp_path / SAMPLE_APPLICATIONS.name,
                  expect_exit=1)
    for name, k in PLANTED["applications_2024"].items():
        c = county(doc, name)
        assert {x: c[x] for x in ("applications", "approved", "rejected", "pending")} == k
    # the planted invalid, over-cap, duplicate, graduation-year contracts, and those whose borrower's
    # name is blank or ID has an error
    uncounted = {"loan.invalid", "loan.over_cap", "loan.duplicate_contract", "loan.graduation_year", "id.checksum",
                 "id.precision_lost", "name.missing"}
    assert [e["row"] for e in doc["excluded"]] == sorted(p["row"] for p in PLANTED["findings"] if p["code"] in uncounted)


def test_make_loans_writes_the_samples_byte_for_byte(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("make_loans", SAMPLES / "make_loans.py")
    mod = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "make_loans", mod)      # its dataclasses look themselves up there
    spec.loader.exec_module(mod)
    mod.OUT = tmp_path
    mod.main()
    for p in sorted((SAMPLES / "loans").iterdir()):
        assert (tmp_path / p.name).read_bytes() == p.read_bytes(), p.name


# --- the rule file ----------------------------------------------------------------------------------

def test_loans_yaml_marks_what_is_unconfirmed_for_review():
    text = (packaged_rules_dir() / "loans.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert "REVIEW" in data["risk_compensation"][0]["source"]
    assert "REVIEW" in text.split("risk_compensation:")[0].rsplit("\n\n", 1)[-1]   # the comment above it
    assert {p["from"] for p in data["caps"]} == {date(2007, 9, 1), date(2014, 9, 1), date(2021, 9, 1), date(2023, 9, 1),
                                                 date(2024, 9, 1)}
    assert [(p["from"], p["base"], p["spread_bp"]) for p in data["interest"]["pricing"]] == [
        (date(2006, 8, 19), "benchmark", 0), (date(2020, 1, 1), "lpr", -30), (date(2023, 9, 1), "lpr", -60),
        (date(2024, 9, 1), "lpr", -70)]
    assert data["interest"]["reprice_existing"] is False
    assert "REVIEW" in data["interest"]["pricing"][0]["source"] and "教财〔2020〕4号" in data["interest"]["pricing"][1]["source"]
    assert data["interest"]["pricing"][-1] == {"from": date(2024, 9, 1), "base": "lpr", "spread_bp": -70,
                                               "source": data["interest"]["pricing"][-1]["source"]}


def test_a_bad_loans_yaml_is_exit_2_naming_the_file_and_key(run, tmp_path):
    _workspace_rules(tmp_path, 'per_year: {本专科: "8000", 研究生: "12000"}', 'per_year: {本专科: "8000"}')
    code, out, err = run("loans", "check", register(tmp_path, [contract(1)]), "--workspace", tmp_path)
    assert code == 2 and "loans.yaml" in err and "caps" in err and "Traceback" not in err


def test_a_money_header_that_is_no_alias_is_reported_not_dropped(run, tmp_path):
    headers = [*HEAD, "逾期本金（元）"]
    doc = check(run, register(tmp_path, [repaying(1, **{"逾期本金（元）": 320})], headers=headers), expect_exit=0)
    assert len(doc["findings"]) == 1
    f = finding(doc, None, code="schema.unrecognised_column")      # a whole-sheet finding: no row
    assert (f["severity"], f["column"]) == ("warning", "逾期本金（元）")
    assert "可能是" in f["message"] and "应还本金" in f["message"]


@pytest.mark.parametrize("command", [("check",), ("summary", "--year", "2024")])
def test_two_amount_columns_no_rule_can_tell_apart_stop_the_command(tmp_path, run, command):
    """贷款金额（元） beside 贷款金额 holding another figure: never read as a loan of 0.00 nor guessed;
    exit 2 names both columns."""
    heads = [*HEAD[:7], "贷款金额", *HEAD[7:]]
    path = register(tmp_path, [contract(1, 贷款金额=16000)], headers=heads)
    code, out, err = run("loans", *command[:1], path, *command[1:], "--format", "json", "--workspace", tmp_path)
    assert code == 2 and out == ""
    assert "“贷款金额（元）”" in err and "“贷款金额”" in err, err


def test_a_column_a_rule_set_aside_is_named_once_not_also_as_unrecognised(tmp_path, run):
    """An old 贷款金额 column hidden beside the visible one: the visible is read, and the hidden one is
    named by schema.ambiguous_column only (it is a known header, not an unrecognised one)."""
    import openpyxl

    heads = [*HEAD[:7], "贷款金额", *HEAD[7:]]
    path = register(tmp_path, [contract(1, **{"贷款金额（元）": 6000, "贷款金额": 8000})], headers=heads)
    wb = openpyxl.load_workbook(path)
    wb.active.column_dimensions["G"].hidden = True
    wb.save(path)
    doc = check(run, path, expect_exit=0)
    about = [(f["code"], f["severity"]) for f in doc["findings"] if f["row"] is None]
    assert about == [("schema.ambiguous_column", "warning")], doc["findings"]


# --- sums beyond 64 bits: refused, never wrapped round ---------------------------------------------

LARGEST = "999999999999999"      # the largest amount a cell holds (just under 10^15 yuan, 10^17 fen)


def test_interest_on_the_largest_principal_is_exact_not_wrapped_round(run, tmp_path):
    """fen × rate in millionths × days left 64 bits for a principal of 10^17 fen: 2024's 贴息 came
    out as 119,809,663.08 yuan for 33,452,777,777,777.74, with no word. Now it is exact, in both
    repricing rules (and in the summary of a workspace whose cap lets such a principal bear 贴息)."""
    from aidctl.loans import rate_steps, year_interest

    segments = ((LARGEST, "3.60", 50), (LARGEST, "3.35", 153), (LARGEST, "3.25", 91), (LARGEST, "3.00", 72))
    expected = by_hand(*segments)
    rules = Rulebook().loans.interest
    fen, days = year_interest(np.array([int(LARGEST) * 100]), np.array(["2023-10-15"], dtype="datetime64[D]"),
                              np.array(["2026-08-31"], dtype="datetime64[D]"), 2024, rules, rate_steps(rules, 2))
    assert (str(Decimal(int(fen[0])) / 100), int(days[0])) == (expected, 366)
    annual = rules.model_copy(update={"repricing": "annual"})
    fen, _ = year_interest(np.array([int(LARGEST) * 100]), np.array(["2023-10-15"], dtype="datetime64[D]"),
                           np.array(["2026-08-31"], dtype="datetime64[D]"), 2024, annual, rate_steps(annual, 2))
    assert str(Decimal(int(fen[0])) / 100) == by_hand((LARGEST, "3.60", 366))
    _workspace_rules(tmp_path, 'per_year: {本专科: "16000", 研究生: "20000"}',
                     f'per_year: {{本专科: "{LARGEST}", 研究生: "{LARGEST}"}}')
    doc = summary(run, register(tmp_path, [contract(1, **{"贷款金额（元）": LARGEST})]), 2024, expect_exit=0)
    assert doc["totals"]["interest"] == expected


def test_summary_figures_beyond_64_bits_stop_it_naming_the_largest_contract(run, tmp_path):
    """100 new loans of 10^15 yuan summed to a negative 新增贷款 (−84,467,440,737,095,616.16) with exit 0,
    and 100 such arrears to a negative 到期应还 and 逾期: now exit 2, naming the figure and the
    largest contract's file, row and column, and nothing that looks like an answer. A loan over the
    cap is counted in no loan figure (loan.over_cap), so the workspace's rules raise the 2024 cap."""
    _workspace_rules(tmp_path, '本专科: "20000", 研究生: "25000"', f'本专科: "{LARGEST}", 研究生: "25000"')
    rows = [contract(i, 贷款年度="2024", 发放日期="2024-10-15", 预计毕业年份=2027, **{"贷款金额（元）": LARGEST})
            for i in range(100)]
    path = register(tmp_path, rows)
    code, out, err = run("loans", "summary", "--year", 2024, path, "--format", "json", "--workspace", tmp_path)
    assert code == 2 and out == "", (code, out)
    assert "新增贷款金额合计" in err and f"{path}第3行“贷款金额（元）”列" in err and "溢出" in err, err
    owed = register(tmp_path, [repaying(i, 应还本金=LARGEST, 实还金额=0) for i in range(100)], name="b.xlsx")
    code, out, err = run("loans", "summary", "--year", 2019, owed, "--as-of", "2025-01-10", "--format", "json",
                         "--workspace", tmp_path)
    assert code == 2 and out == "" and "到期应还金额合计" in err and "“应还本金”、“应还利息”列" in err, err
    # a register within 64 bits is summed exactly, however large: 9 such loans
    doc = summary(run, register(tmp_path, rows[:9], name="c.xlsx"), 2024, expect_exit=0)
    assert doc["totals"]["new_amount"] == str(Decimal(LARGEST) * 9) + ".00"


def test_collect_arrears_beyond_64_bits_are_refused_not_wrapped(run, tmp_path):
    """100 overdue borrowers owing 10^15 yuan each: the 催收 list's county and 合计 arrears were a
    negative number (exit 0, the workbook written). Now exit 2 naming the largest, and no workbook."""
    path = register(tmp_path, [repaying(i, 应还本金=LARGEST, 实还金额=0) for i in range(100)])
    out = tmp_path / "催收.xlsx"
    code, doc, err = run("loans", "collect", "--as-of", "2025-01-10", path, "--out", out, "--format", "json",
                         "--workspace", tmp_path)
    assert code == 2 and doc == "" and not out.exists(), (code, doc)
    assert "逾期金额合计" in err and f"{path}第3行" in err and "“应还本金”" in err, err
    code, doc, _ = collect(run, register(tmp_path, [repaying(i, 应还本金=LARGEST, 实还金额=0) for i in range(9)],
                                         name="b.xlsx"))
    assert code == 0 and doc["totals"]["amount_due"] == str((Decimal(LARGEST) + 320) * 9) + ".00"
    assert doc["counties"][0]["amount_due"] == doc["totals"]["amount_due"]
