"""Money that does not fit: amounts far beyond any roster's are refused cell by cell, after the
header's unit (元, 万元, 亿元), and every total a run makes is checked exactly, never wrapped round
in 64 bits. Every test writes the workbook it reads (openpyxl) and looks at what the command said."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
from conftest import hanzi, make_card, make_id, write_roster

from aidctl.core import money

TERM = "2011-autumn"
FINANCE = ["学校代码", "学校名称", "学校类型", "年度", "事业收入（亿元）", "提取金额（元）", "划入专户金额（元）",
           "发放金额（元）"]
KINDER = ["序号", "姓名", "性别", "身份证号码", "困难等级", "学籍状态", "资助项目", "资助金额（万元）", "银行卡号"]


def finance_sheet(path: Path, rows: list[list], headers: list[str] = FINANCE) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2011年度校内资助资金提取情况"])
    ws.append(headers)
    for r in rows:
        ws.append(r)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def kinder_row(i: int, amount) -> dict:
    """A 学前教育资助 record (its standard is the roster's own amount), amount in 万元."""
    return {"序号": i, "姓名": f"幼儿{hanzi(i)}", "性别": "男", "身份证号码": make_id(birth="20080312", seq=100 + 2 * i),
            "困难等级": "一档", "学籍状态": "在籍", "资助项目": "学前教育资助", "资助金额（万元）": amount,
            "银行卡号": make_card(seed=i)}


def kinder_workspace(tmp_path: Path, amounts: list) -> Path:
    root = tmp_path / "ws"
    write_roster(root / "intake" / TERM / "城关幼儿园.xlsx", [kinder_row(i, a) for i, a in enumerate(amounts, 1)],
                 KINDER, above=[["城关幼儿园2011年秋季学期受助幼儿名单"], ["填报单位：城关幼儿园"]])
    return root


# --- one cell: the bound after the unit ----------------------------------------------------------

def test_parse_applies_the_bound_after_the_unit():
    cells = pd.Series(["1.5", "9999999.99", "10000000", "999999999999", "999999999999999.99",
                       "1000000000000000", "9e15"], dtype="string")
    units = pd.Series([Decimal(100_000_000), Decimal(100_000_000), Decimal(100_000_000), Decimal(10_000),
                       Decimal(1), Decimal(1), Decimal(1)])
    _, fen, ok = money.parse(cells, units)
    assert ok.tolist() == [True, True, False, False, True, False, False]
    assert fen.tolist() == [15_000_000_000, 99_999_999_900_000_000, pd.NA, pd.NA, 99_999_999_999_999_999,
                            pd.NA, pd.NA]


def test_a_finance_sheet_in_yi_yuan_is_read_in_yi_yuan(run, tmp_path):
    """事业收入 1.5 under （亿元） is 150,000,000 yuan: 5% is 7,500,000, which the school extracted."""
    path = finance_sheet(tmp_path / "finance.xlsx", [["9001", "测试职业中学", "中职", 2011, 1.5, 7_500_000,
                                                      7_500_000, 7_000_000]])
    code, doc, err = run("audit-extraction", path, "--format", "json", "--workspace", tmp_path, as_json=True)
    assert code == 0, (err, doc)
    school = doc["schools"][0]
    assert (school["income"], school["required_min"], school["rate"]) == ("150000000.00", "7500000.00", "5.00%")
    assert school["findings"] == []


def test_a_finance_figure_beyond_the_bound_after_its_unit_is_invalid(run, tmp_path):
    """20,000,000 亿元 is 2 × 10^15 yuan: not an amount aidctl reads; the school is not audited."""
    path = finance_sheet(tmp_path / "finance.xlsx", [["9001", "测试职业中学", "中职", 2011, "20000000", 7_500_000,
                                                      7_500_000, 7_000_000]])
    code, doc, err = run("audit-extraction", path, "--format", "json", "--workspace", tmp_path, as_json=True)
    assert code == 1, (err, doc)
    school = doc["schools"][0]
    assert school["income"] is None and school["verdict"] == "无法审核"
    found = [f["message"] for f in school["findings"] if f["code"] == "extraction.invalid"]
    assert len(found) == 1 and "“20000000”" in found[0] and "1000万亿元" in found[0], school["findings"]


def test_a_roster_amount_beyond_the_bound_in_wan_yuan_is_invalid(run, tmp_path):
    """999,999,999,999 万元 is about 10^16 yuan: amount.invalid on its row, never a payment."""
    root = kinder_workspace(tmp_path, ["0.05", "999999999999"])
    code, doc, err = run("validate", root / "intake" / TERM / "城关幼儿园.xlsx", "--term", TERM, "--format", "json",
                         "--workspace", root, as_json=True)
    invalid = [f for f in doc["findings"] if f["code"] == "amount.invalid"]
    assert [f["row"] for f in invalid] == [5], doc["findings"]
    assert "1000万亿元" in invalid[0]["message"]


# --- totals: exact, and refused beyond 64 bits ---------------------------------------------------

def test_exact_total_does_not_wrap_round():
    column = pd.Series([90_000_000_000_000_000] * 200 + [pd.NA, -5], dtype="Int64")
    assert int(column.sum()) != 18_000_000_000_000_000_000 - 5  # what int64 makes of it
    assert money.exact_total(column) == 18_000_000_000_000_000_000 - 5


def disburse_ws(run, root: Path, *extra):
    return run("disburse", "--term", TERM, "--workspace", root, "--format", "json", *extra)


def nothing_recorded(root: Path) -> None:
    import sqlite3

    db = root / "aidctl.db"
    if db.exists():
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT count(*) FROM batches").fetchone() == (0,)
            assert conn.execute("SELECT count(*) FROM payments").fetchone() == (0,)
    out = root / "out" / TERM
    assert not out.exists() or not [p for p in out.rglob("*") if p.is_file()]


def test_a_plan_whose_total_leaves_64_bits_is_refused(run, tmp_path):
    """100 amounts of 99,999,999,999 万元, each below the bound, sum to 10^17 yuan: an int64 sum
    was a negative 合计 in the dry run; now the run stops (exit 2), naming the largest amount's row."""
    root = kinder_workspace(tmp_path, ["99999999999"] * 100)
    for extra in (["--dry-run"], []):
        code, out, err = disburse_ws(run, root, *extra)
        assert code == 2, (extra, code, out, err)
        assert "超出账本能记录的范围" in err and "第4行" in err and "万元" in err, err
        nothing_recorded(root)


def test_a_batch_whose_check_sum_leaves_64_bits_is_refused_before_the_ledger(run, tmp_path):
    """20 amounts of 99,999,999,999 万元 total 2 × 10^16 yuan, which fits; Σ 序号 × 金额, the
    check-sum proving the bank files against the ledger, does not: it was refused by SQLite only
    after the batch was recorded. Now nothing is recorded."""
    root = kinder_workspace(tmp_path, ["99999999999"] * 20)
    code, out, err = disburse_ws(run, root)
    assert code == 2, (code, out, err)
    assert "序号×金额" in err, err
    nothing_recorded(root)


# --- products: exact in Python ints ---------------------------------------------------------------

def test_the_extraction_rate_of_a_large_figure_is_exact(run, tmp_path):
    """提取 10,000,000,000,000 元 of 事业收入 200,000,000,000,000 元 is 5.00%: × 10,000 for the
    percentage left 64 bits and the rate read “0.39%”."""
    path = finance_sheet(tmp_path / "finance.xlsx", [["9001", "测试职业中学", "中职", 2011, "2000000",
                                                      "10000000000000", "10000000000000", "10000000000000"]])
    code, doc, err = run("audit-extraction", path, "--format", "json", "--workspace", tmp_path, as_json=True)
    assert code == 0, (err, doc)
    school = doc["schools"][0]
    assert (school["income"], school["required_min"], school["rate"]) == \
        ("200000000000000.00", "10000000000000.00", "5.00%")


ENLIST = ["序号", "姓名", "身份证号码", "学校", "学历层次", "入学年份", "入伍年份", "第1学年学费（元）",
          "第2学年学费（元）", "贷款本金（元）", "第1学年贷款（元）", "第2学年贷款（元）", "贷款利息（元）", "银行卡号"]


def test_the_enlist_interest_shared_by_year_is_exact(run, tmp_path):
    """Interest 1,000,000,000 元 shared over loans of 1,000,000,000 元 a year: × the running total
    (10^11 × 2 × 10^11 fen) left 64 bits. Each year counts 1,500,000,000.00 元 of loan."""
    row = {"序号": 1, "姓名": "入伍生1", "身份证号码": make_id("20020301", seq=202), "学校": "江城大学",
           "学历层次": "本科", "入学年份": 2020, "入伍年份": 2022, "第1学年学费（元）": 7500, "第2学年学费（元）": 7500,
           "贷款本金（元）": "2000000000", "第1学年贷款（元）": "1000000000", "第2学年贷款（元）": "1000000000",
           "贷款利息（元）": "1000000000", "银行卡号": make_card(seed=701)}
    path = write_roster(tmp_path / "入伍名单.xlsx", [row], ENLIST,
                        above=[["2024年应征入伍高校学生学费补偿国家助学贷款代偿申请表"], ["填报单位：江城大学"]])
    code, doc, err = run("enlist", path.name, "--year", "2024", "--format", "json", as_json=True)
    assert isinstance(doc, dict), (code, err)
    assert [y["loan_counted"] for y in doc["students"][0]["years"]] == ["1500000000.00", "1500000000.00"]


LOANS = ["合同编号", "借款人姓名", "身份证号", "学校", "学历层次", "贷款年度", "贷款金额（元）", "发放日期", "预计毕业年份",
         "还款状态", "所属县区"]


def test_the_risk_compensation_of_a_large_county_total_is_exact(run, tmp_path):
    """35 new loans of 999,999,999,999,999 元: the county's 35 × 10^17 fen fits 64 bits, × 3 (15% is
    3/20) did not, and the 风险补偿金 wrapped round. It is 15% of the total, to the fen. A loan over
    the cap is counted in no loan figure (loan.over_cap), so the workspace's rules raise the 2024 cap."""
    from aidctl.rulebook import packaged_rules_dir

    text = (packaged_rules_dir() / "loans.yaml").read_text(encoding="utf-8")
    capped = '本专科: "20000", 研究生: "25000"'
    assert capped in text
    (tmp_path / "rules").mkdir(exist_ok=True)
    (tmp_path / "rules" / "loans.yaml").write_text(text.replace(capped, '本专科: "999999999999999", 研究生: "25000"'),
                                                   encoding="utf-8")
    rows = [{"合同编号": f"HT2024{i:04d}", "借款人姓名": f"借款人{hanzi(i)}", "身份证号": make_id("19880315", seq=100 + 2 * i),
             "学校": "湖北大学", "学历层次": "本专科", "贷款年度": "2024", "贷款金额（元）": "999999999999999",
             "发放日期": "2024-10-15", "预计毕业年份": 2027, "还款状态": "在读", "所属县区": "城关区"}
            for i in range(1, 36)]
    path = write_roster(tmp_path / "台账.xlsx", rows, LOANS, above=[["国家开发银行生源地信用助学贷款台账"]])
    code, doc, err = run("loans", "summary", "--year", 2024, path, "--format", "json", "--workspace", tmp_path,
                         as_json=True)
    assert isinstance(doc, dict) and code == 0 and doc["excluded"] == [], (code, err)
    county = next(c for c in doc["counties"] if c["county"] == "城关区")
    total = Decimal("999999999999999") * 35
    assert county["new_amount"] == f"{total:.2f}"
    assert county["risk_compensation"] == f"{total * Decimal('0.15'):.2f}"


# --- rules diff: integer fen, never float64 ---------------------------------------------------------

def test_rules_diff_counts_amounts_beyond_2_to_the_53_exactly(run, tmp_path):
    """9,999,999,999.999999 万元 is 9,999,999,999,999,999 fen, above 2^53: as a float64 it was
    10,000,000,000,000,000 and the diff stopped, calling its own sums a defect. Identical rules
    now show the amount to the fen and no change."""
    import shutil

    from aidctl.rulebook import RULE_FILES, packaged_rules_dir

    # two such amounts (two far apart would be amount.outlier and paid nobody)
    root = kinder_workspace(tmp_path, ["9999999999.999999", "9999999999.999998"])
    folder = tmp_path / "same"
    folder.mkdir()
    for name in RULE_FILES:
        shutil.copy(packaged_rules_dir() / name, folder / name)
    code, doc, err = run("rules", "diff", folder, "--term", TERM, "--workspace", root, "--format", "json",
                         as_json=True)
    assert code == 0, (code, err)
    t = doc["totals"]
    assert (t["amount_before"], t["amount_after"], t["delta"]) == ("199999999999999.97", "199999999999999.97", "0.00")
    assert doc["amounts"] == [] and doc["verdicts"] == []


# --- the school's own 合计 (total.mismatch): a blank amount, and students under the 合计 ----------------

def _voc_table(tmp_path: Path, rows: list[dict], name: str = "a.xlsx") -> Path:
    from test_checks import roster

    return roster(tmp_path, rows, name=name)


BLANK = {"资助金额（元）": None}
SIGNED = {"序号": "制表人：李老师", "身份证号码": "审核人：张校长"}


def _plan(run, tmp_path: Path, path: Path, folder: str) -> dict:
    from test_checks import dry_run

    code, plan, err = dry_run(run, tmp_path / folder, path)
    assert isinstance(plan, dict), (code, err)
    return plan


def test_a_blank_amount_does_not_switch_off_the_total_and_students_under_it_are_not_paid(tmp_path, run):
    """Three students (one amount blank), 合计 1500, the 制表人/审核人 line, then three more students:
    the blank used to take the table out of the comparison, and all six were paid (4500.00) against
    the school's own 1500. The blank counts as the standard it is paid; the table disagrees, the
    message names the blank and the students under the 合计, and none of it is paid."""
    from conftest import voc_row
    from test_checks import assert_finding, check, found, only

    path = _voc_table(tmp_path, [voc_row(1), voc_row(2), voc_row(3, **BLANK), {"序号": "合计", "资助金额（元）": 1500},
                                 SIGNED, voc_row(4), voc_row(5), voc_row(6)])
    doc = check(run, path.name, expect_exit=1)
    assert_finding(only(doc, "total.mismatch"), code="total.mismatch", severity="error", row=None,
                   column="资助金额（元）", says=("第7行", "1500.00 元", "6 条学生记录", "4500.00 元", "第6行资助金额为空",
                                                 "按标准计 750.00 元", "多 3000.00 元", "合计以下还有 3 条学生记录",
                                                 "第9、10、11行", "本表暂不发放"))
    assert [f["row"] for f in found(doc, "amount.blank")] == [6]
    assert _plan(run, tmp_path, path, "ws")["payments"] == []


def test_a_total_of_the_filled_amounts_alone_is_not_what_would_be_paid(tmp_path, run):
    """合计 1500 over 750, blank, 750: the school's total asks nothing for the blank student, and the
    standard paid for it would exceed what the school signed for: total.mismatch, saying so. A 合计 of
    2250 counts the standard: it agrees, and the blank is only amount.blank (paid, listed)."""
    from conftest import voc_row
    from test_checks import check, found, only

    rows = [voc_row(1), voc_row(2, **BLANK), voc_row(3), {"序号": "合计", "资助金额（元）": 1500}]
    path = _voc_table(tmp_path, rows)
    f = only(check(run, path.name, expect_exit=1), "total.mismatch")
    assert "2250.00 元" in f["message"] and "合计与已填写的金额相符" in f["message"], f["message"]
    assert _plan(run, tmp_path, path, "ws1")["payments"] == []
    rows[-1] = {"序号": "合计", "资助金额（元）": 2250}
    path = _voc_table(tmp_path, rows, name="b.xlsx")
    doc = check(run, path.name, expect_exit=0)
    assert not found(doc, "total.mismatch") and [f["row"] for f in found(doc, "amount.blank")] == [5]
    assert len(_plan(run, tmp_path, path, "ws2")["payments"]) == 3


def test_students_under_a_total_that_cannot_be_compared_are_not_paid_on_trust(tmp_path, run):
    """Students under the 合计 and the signatures, where the 合计 cannot vouch for them: its amount
    blank, or a record above whose amount cannot be read (amount.invalid, so nothing is compared). The
    table is total.mismatch naming them; a table with nothing under its 合计 is as before."""
    from conftest import voc_row
    from test_checks import check, found, only

    path = _voc_table(tmp_path, [voc_row(1), voc_row(2), {"序号": "合计"}, SIGNED, voc_row(3)])
    f = only(check(run, path.name, expect_exit=1), "total.mismatch")
    assert "第6行合计以下还有 1 条学生记录（第8行）" in f["message"] and "为空或无法读取" in f["message"], f["message"]
    assert _plan(run, tmp_path, path, "ws1")["payments"] == []
    path = _voc_table(tmp_path, [voc_row(1), voc_row(2, **{"资助金额（元）": "七百五"}),
                                 {"序号": "合计", "资助金额（元）": 1500}, voc_row(3)], name="b.xlsx")
    doc = check(run, path.name, expect_exit=1)
    assert found(doc, "amount.invalid") and "第7行" in only(doc, "total.mismatch")["message"]
    assert _plan(run, tmp_path, path, "ws2")["payments"] == []
