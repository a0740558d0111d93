"""Every roster finding code, triggered by a roster written here and seen through `validate --format json`.

Each test pins the code, the severity, the Excel row, the header as written in the file and a Chinese
message that names the problem. Rosters carry a title and a 填报单位 line above the header (as schools
write them), so the header is on row 3 and the k-th record (0-based) is on Excel row 4 + k.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml
from conftest import VOC_HEADERS, hanzi, make_card, make_id, saved_by_libreoffice, voc_row, write_roster

from aidctl.core.findings import CATALOGUE
from aidctl.rulebook import packaged_rules_dir

TERM = "2011-autumn"
FIRST_ROW = 4  # Excel row of the first record under the two title lines and the header
CJK = re.compile(r"[\u4e00-\u9fff]")
LEGACY_15 = "420102950312123"           # an old 15-digit ID …
LEGACY_18 = make_id(birth="19950312", seq=123)  # … and its 18-digit form (19 inserted, check appended)

HS_HEADERS = ["序号", "姓名", "性别", "身份证号", "年级", "困难等级", "学籍状态", "资助项目", "金额", "账号"]
FREE_HEADERS = ["序号", "姓名", "性别", "身份证号码", "年级", "办学性质", "困难等级", "学籍状态", "资助项目",
                "资助金额（元）", "银行卡号"]


# --- helpers (this file's own; conftest.py is shared) ---------------------------------------------

def roster(tmp_path: Path, rows: list[dict], name: str = "a.xlsx", school: str = "第一职业中学",
           headers: list[str] | None = None) -> Path:
    """A roster as a school writes it: title row, 填报单位 row, header on row 3, data from row 4."""
    return write_roster(tmp_path / name, rows, headers or VOC_HEADERS,
                        above=[[f"{school}2011年秋季学期受助学生名单"], [f"填报单位：{school}", None, None, "填报日期：2011年9月20日"]])


def hs_row(i: int, **over) -> dict:
    """A clean 普高国家助学金 record (一档, 1000 yuan in 2011-autumn)."""
    row = {"序号": i, "姓名": f"高中生{hanzi(i)}", "性别": "男", "身份证号": make_id("19950601", seq=300 + 2 * i),
           "年级": "高一", "困难等级": "一档", "学籍状态": "在籍", "资助项目": "普高国家助学金", "金额": 1000,
           "账号": make_card(seed=500 + i)}
    row.update(over)
    return row


def free_row(i: int, **over) -> dict:
    """A clean 中职免学费 record (公办, 一档; the amount is the school's approved fee)."""
    row = voc_row(i)
    row.pop("户口性质")
    row.update({"办学性质": "公办", "困难等级": "一档", "资助项目": "中职免学费", "资助金额（元）": 1000})
    row.update(over)
    return row


def check(run, *files, term: str | None = TERM, extra: tuple = (), expect_exit: int | None = None) -> dict:
    args = ["validate", *[Path(f).name for f in files], "--format", "json", *extra]
    if term:
        args += ["--term", term]
    code, doc, err = run(*args, as_json=True)
    assert isinstance(doc, dict), (code, doc, err)
    if expect_exit is not None:
        assert code == expect_exit, (code, doc, err)
    doc["_exit"] = code
    return doc


def dry_run(run, tmp_path: Path, roster_file: Path) -> tuple:
    """`disburse --dry-run` of a workspace whose intake holds `roster_file`: what would be paid."""
    (tmp_path / "intake" / TERM).mkdir(parents=True)
    shutil.copy(roster_file, tmp_path / "intake" / TERM / "a.xlsx")
    return run("disburse", "--term", TERM, "--workspace", tmp_path, "--dry-run", "--format", "json", as_json=True)


def found(doc: dict, code: str | None = None) -> list[dict]:
    return [f for f in doc["findings"] if code is None or f["code"] == code]


def codes(doc: dict) -> set[tuple]:
    return {(Path(f["file"]).name, f["row"], f["code"]) for f in doc["findings"]}


def only(doc: dict, code: str) -> dict:
    hits = found(doc, code)
    assert len(hits) == 1, doc["findings"]
    return hits[0]


def assert_finding(f: dict, *, code: str, severity: str, row: int | None, column: str | None,
                   file: str = "a.xlsx", says: tuple[str, ...] = ()) -> None:
    assert f["code"] == code
    assert f["severity"] == severity, f
    assert f["row"] == row, f
    assert f["column"] == column, f
    assert Path(f["file"]).name == file
    assert CJK.search(f["message"]), f["message"]
    for part in says:
        assert part in f["message"], (part, f["message"])


# --- negative controls ------------------------------------------------------------------------------

def test_clean_vocational_roster_has_no_findings(tmp_path, run):
    roster(tmp_path, [voc_row(i) for i in range(1, 6)])
    doc = check(run, "a.xlsx", expect_exit=0)
    assert doc["findings"] == []
    assert doc["summary"] == {"records": 5, "errors": 0, "warnings": 0}


def test_clean_high_school_roster_has_no_findings(tmp_path, run):
    roster(tmp_path, [hs_row(1, 困难等级="一档", 金额=1000), hs_row(2, 困难等级="二档", 金额=750),
                      hs_row(3, 困难等级="三档", 金额=500)], school="第一中学", headers=HS_HEADERS)
    doc = check(run, "a.xlsx", expect_exit=0)
    assert doc["findings"] == []


def test_clean_fee_waiver_roster_has_no_findings(tmp_path, run):
    roster(tmp_path, [free_row(i) for i in range(1, 4)], headers=FREE_HEADERS)
    doc = check(run, "a.xlsx", expect_exit=0)
    assert doc["findings"] == []


def test_every_roster_code_has_a_test_here():
    """Every code in the catalogue must get a test that asserts it: a trigger test in this file, or,
    for the codes only disburse and the ledger report (bank.*, ledger.already_paid), one in the
    payment tests; for extraction.*, one in the audit-extraction tests; for enlist.*, one in the
    enlistment tests; for loan.*, one in the loans tests; for complaint.*, one in the complaints tests;
    for cell.number_format, one in the number-format tests; for cell.invisible, one in the look tests.
    Each is asserted through a helper's `code="…"` argument."""
    here = Path(__file__).parent
    files = [Path(__file__), here / "test_disburse.py", here / "test_bankfiles.py", here / "test_reconcile.py",
             here / "test_extraction.py", here / "test_enlist.py", here / "test_loans.py",
             here / "test_complaints.py", here / "test_inspect.py", here / "test_numformat.py", here / "test_look.py"]
    source = "".join(f.read_text(encoding="utf-8") for f in files)
    missing = [c for c in CATALOGUE if f'code="{c}"' not in source]
    assert not missing, f"no test asserts these codes: {missing}"


# --- schema -----------------------------------------------------------------------------------------

def test_schema_missing_required_column(tmp_path, run):
    headers = [h for h in VOC_HEADERS if h != "银行卡号"]
    roster(tmp_path, [voc_row(1), voc_row(2)], headers=headers)
    doc = check(run, "a.xlsx", expect_exit=1)
    f = only(doc, "schema.missing_column")
    assert_finding(f, code="schema.missing_column", severity="error", row=None, column="银行卡号",
                   says=("缺少", "银行卡号"))
    assert f["sheet"] == "Sheet1"


def test_schema_missing_column_a_condition_needs(tmp_path, run):
    """中职国家助学金 in 2011 needs 户口性质 or 困难等级: a roster with neither cannot be judged."""
    headers = [h for h in VOC_HEADERS if h != "户口性质"]
    roster(tmp_path, [voc_row(1)], headers=headers)
    doc = check(run, "a.xlsx", expect_exit=1)
    missing = found(doc, "schema.missing_column")
    assert missing and all(f["row"] is None for f in missing)
    assert "户口性质" in {f["column"] for f in missing}


def test_schema_ambiguous_column_settled_by_the_rule_and_unsettled(tmp_path, run):
    """资助卡号 beside 银行卡号: the more specific 资助卡号 is read, a warning names the other; 银行卡号
    beside 卡号: no rule decides, an error for the file (tests/test_real_rosters.py has the rest)."""
    headers = VOC_HEADERS + ["资助卡号"]
    roster(tmp_path, [voc_row(1, 资助卡号=make_card(seed=41))], headers=headers)
    f = only(check(run, "a.xlsx", expect_exit=0), "schema.ambiguous_column")
    assert_finding(f, code="schema.ambiguous_column", severity="warning", row=None, column="资助卡号",
                   says=("读取“资助卡号”（第K列）", "未读取“银行卡号”（第J列）"))
    headers = VOC_HEADERS + ["卡号"]
    roster(tmp_path, [voc_row(1, 卡号=make_card(seed=41))], headers=headers)
    f = only(check(run, "a.xlsx", expect_exit=1), "schema.ambiguous_column")
    assert_finding(f, code="schema.ambiguous_column", severity="error", row=None, column="银行卡号",
                   says=("“卡号”（第K列）", "请只保留一列"))


@pytest.mark.parametrize("header", ["资助金额（元/年）", "资助标准（元/生·年）", "资助金额（每学年）", "资助金额（元/学年）",
                                    "资助金额（2011-2012学年）", "资助金额（本学年）", "资助金额（两学期合计）",
                                    "资助金额（2011年度）", "资助金额（学年）", "资助金额（一学年）"])
def test_a_yearly_amount_is_not_read_as_the_terms(tmp_path, run, header):
    """中职免学费 pays the roster's own amount for the term: a column that says it holds the year's
    figure (2000 a year is 1000 a term) was read as the term's and funded 2000. It is now set aside,
    and the missing column names it. A school year (2011-2012学年, 本学年), two terms or a 年度 is a
    year's figure too: those were read as the term's."""
    rows = [free_row(i) for i in range(1, 4)]
    for r in rows:
        r[header] = 2000
        del r["资助金额（元）"]
    path = roster(tmp_path, rows, headers=list(rows[0]))
    doc = check(run, "a.xlsx", expect_exit=1)
    f = next(f for f in found(doc, "schema.missing_column") if f["row"] is None)
    assert f"“{header}”列标明是全年（或每学年）的，不作为“资助金额”读取" in f["message"], f
    code, plan, err = dry_run(run, tmp_path, path)
    assert plan["school_funded"] == 0, (code, plan, err)


@pytest.mark.parametrize("header", ["资助金额（2011年秋季学期）", "资助金额（2011-2012学年第一学期）", "资助金额（元/学期）"])
def test_an_amount_for_the_term_is_read(tmp_path, run, header):
    """Only a yearly figure is set aside: a header naming the year of the term, or the school year
    the term is in, is the term's amount."""
    rows = [free_row(i) for i in range(1, 4)]
    for r in rows:
        r[header] = 1000
        del r["资助金额（元）"]
    path = roster(tmp_path, rows, headers=list(rows[0]))
    assert found(check(run, "a.xlsx", expect_exit=0)) == []
    code, plan, err = dry_run(run, tmp_path, path)
    assert plan["school_funded"] == 3, (code, plan, err)


@pytest.mark.parametrize("amounts, flagged", [
    ([1000, 1000, 1000, 100000], [7]),            # a slip of the keyboard: 100000 among 1000s
    ([1000, 100000], [4, 5]),                     # two students, 100 times apart: which is right?
    ([1000, 1000, 100000, 1001000], [4, 5, 6, 7]),  # half far from the other half: every one
    ([1000, 2000, 3500, 4999], []),               # fees differ by major, within 5 times
    ([1000, 5000, 5000], []),                     # 5 times is within (more than 5 is not)
])
def test_a_roster_amount_far_from_its_tables_others_is_not_paid(tmp_path, run, amounts, flagged):
    """中职免学费 pays the school's own figure: 100000 among 1000s was paid as written. More than
    `spread` (5) times the table's lower median, or less than its upper median divided by it, is
    amount.outlier, not paid; the message gives the table's range."""
    rows = [free_row(i, **{"资助金额（元）": a}) for i, a in enumerate(amounts, start=1)]
    path = roster(tmp_path, rows, headers=list(rows[0]))
    doc = check(run, "a.xlsx", expect_exit=1 if flagged else 0)
    got = found(doc, "amount.outlier")
    assert sorted(f["row"] for f in got) == flagged, got
    if flagged:
        assert_finding(got[0], code="amount.outlier", severity="error", row=flagged[0], column="资助金额（元）",
                       says=("相差5倍以上", f"从{min(amounts)}.00元到{max(amounts)}.00元", "请核对"))
    code, plan, err = dry_run(run, tmp_path, path)
    assert plan["school_funded"] == len(amounts) - len(flagged), (code, plan, err)


def test_an_only_column_set_aside_is_said(tmp_path, run):
    """A roster whose only amount column is last term's (资助金额（上学期）) for a programme with a
    standard: the standard is paid, as for a roster without the column, but the column set aside is
    named (it used to be dropped without a word)."""
    rows = [voc_row(i) for i in range(1, 3)]
    for r in rows:
        r["资助金额（上学期）"] = 700
        del r["资助金额（元）"]
    roster(tmp_path, rows, headers=list(rows[0]))
    f = only(check(run, "a.xlsx", expect_exit=0), "schema.ambiguous_column")
    assert_finding(f, code="schema.ambiguous_column", severity="warning", row=None, column="资助金额",
                   says=("“资助金额（上学期）”（第J列）标明是上学期的", "未作为“资助金额”读取", "按没有该列处理"))


@pytest.mark.parametrize("unit", ["百万元", "千", "万", "百"])
def test_schema_unknown_unit(tmp_path, run, unit):
    """资助金额（百万元）, or the figure of a unit alone (资助金额（千）: 千元? 千分?): the figures cannot
    be turned into 元; the table is refused, never paid as 元."""
    head = f"资助金额（{unit}）"
    headers = [h if h != "资助金额（元）" else head for h in VOC_HEADERS]
    roster(tmp_path, [{**voc_row(i), head: 750} for i in (1, 2)], headers=headers)
    f = only(check(run, "a.xlsx", expect_exit=1), "schema.unknown_unit")
    assert_finding(f, code="schema.unknown_unit", severity="error", row=None, column=head,
                   says=("第I列", f"“{unit}”", "本表暂不发放"))
    code, plan, err = dry_run(run, tmp_path, tmp_path / "a.xlsx")
    assert plan["payments"] == [], (code, err)


def test_a_remark_with_a_figure_is_no_unit_and_a_unit_line_above_is_one(tmp_path, run):
    headers = [h if h != "资助金额（元）" else "资助金额（每生每学期750元）" for h in VOC_HEADERS]
    roster(tmp_path, [{**voc_row(i), "资助金额（每生每学期750元）": 750} for i in (1, 2)], headers=headers)
    assert not found(check(run, "a.xlsx", expect_exit=0))
    write_roster(tmp_path / "a.xlsx", [{**voc_row(i), "资助金额（元）": 0.075} for i in (1, 2)], VOC_HEADERS,
                 above=[["第一职业中学2011年秋季学期受助学生名单"], ["填报单位：第一职业中学", None, None, "单位：万元"]])
    doc = check(run, "a.xlsx", expect_exit=1)   # the header's own （元） wins over the line: 0.075 元 is no amount
    assert {f["code"] for f in found(doc)} == {"amount.invalid"}
    write_roster(tmp_path / "a.xlsx", [{**voc_row(i), "资助金额": 0.075} for i in (1, 2)],
                 [h if h != "资助金额（元）" else "资助金额" for h in VOC_HEADERS],
                 above=[["第一职业中学2011年秋季学期受助学生名单"], ["填报单位：第一职业中学", None, None, "单位：万元"]])
    assert not found(check(run, "a.xlsx", expect_exit=0))   # 0.075 万元 = 750 元, the standard


def test_a_unit_line_under_a_roster_is_one_and_two_lines_that_disagree_refuse_the_table(tmp_path, run):
    """单位：万元 beside 制表人 under the roster states the unit as a line above does (0.075 万元 is the
    standard 750 元); 单位：元 above the header and 单位：万元 under the table leave the amount's unit
    unknown: schema.unknown_unit naming both lines, nothing of the table paid."""
    headers = [h if h != "资助金额（元）" else "资助金额" for h in VOC_HEADERS]
    rows = [{**voc_row(i), "资助金额": 0.075} for i in (1, 2)]
    title = [["第一职业中学2011年秋季学期受助学生名单"], ["填报单位：第一职业中学"]]
    write_roster(tmp_path / "a.xlsx", rows, headers, above=title, below=[["制表人：张三", None, None, None, "单位：万元"]])
    assert not found(check(run, "a.xlsx", expect_exit=0))
    write_roster(tmp_path / "a.xlsx", rows, headers, above=[*title[:1], ["填报单位：第一职业中学", None, None, "单位：元"]],
                 below=[["制表人：张三", None, None, None, "单位：万元"]])
    f = only(check(run, "a.xlsx", expect_exit=1), "schema.unknown_unit")
    assert_finding(f, code="schema.unknown_unit", severity="error", row=None, column="资助金额",
                   says=("表头上方第2行“单位：元”", "表格下方第6行“单位：万元”", "不一致", "本表暂不发放"))
    code, plan, err = dry_run(run, tmp_path, tmp_path / "a.xlsx")
    assert plan["payments"] == [], (code, err)


@pytest.mark.parametrize("above, below", [("单位为万元", None), ("（万元）", None), (None, "金额以万元为单位")])
def test_a_unit_line_without_a_colon_states_the_rosters_unit(tmp_path, run, above, below):
    """单位为万元 above a roster, 金额以万元为单位 under it: 0.075 is 750 元, the standard (it was read as
    0.075 元, amount.invalid); the line under the table is no student."""
    headers = [h if h != "资助金额（元）" else "资助金额" for h in VOC_HEADERS]
    write_roster(tmp_path / "a.xlsx", [{**voc_row(i), "资助金额": 0.075} for i in (1, 2)], headers,
                 above=[["第一职业中学2011年秋季学期受助学生名单"], *([[None, None, None, above]] if above else [])],
                 below=[[below]] if below else ())
    doc = check(run, "a.xlsx", expect_exit=0)
    assert not found(doc) and doc["summary"]["records"] == 2, doc


@pytest.mark.parametrize("line, amount, says", [
    ("金额：万元", 0.075, None),                       # 金额 is a unit line's word: 0.075 万元 = 750 元
    ("金额（万元）", 0.075, None),
    ("资助标准：每生每学期750元", 750, None),            # a figure with its unit is an amount, no unit
    ("金额：每生每学期750元", 750, None),
    ("资助标准：每生每年一千五百元", 750, None),
    ("填报单位：万元村职业中学", 750, None),             # 万元村 is a place
    ("本表总金额（万元）：0.15", 750, None),             # a figure's own unit
    ("注：资助金额为万元", 0.075, "“注：资助金额为万元”提到了金额单位"),   # whose unit? never 元, never a guess
    ("资助金额：万元", 0.075, "“资助金额：万元”提到了金额单位"),
    ("本表万元", 750, "“本表万元”提到了金额单位")])
def test_a_line_that_names_a_unit_without_saying_whose_is_no_guess(tmp_path, run, line, amount, says):
    """注：资助金额为万元 above a roster whose 资助金额 states no unit named 万元 in no form aidctl reads
    as a 单位 line: the amount was read as 元 without a word. Whose unit it is is not known, so the
    table is not paid and the finding names the line; 金额：万元 is a unit line, and a figure with its
    unit (750元, 一千五百元) or a place named 万元村 names no unit of a column."""
    headers = [h if h != "资助金额（元）" else "资助金额" for h in VOC_HEADERS]
    write_roster(tmp_path / "a.xlsx", [{**voc_row(i), "资助金额": amount} for i in (1, 2)], headers,
                 above=[["第一职业中学2011年秋季学期受助学生名单"], [None, None, None, line]])
    if says is None:
        doc = check(run, "a.xlsx", expect_exit=0)
        assert not found(doc) and doc["summary"]["records"] == 2, doc
        return
    f = only(check(run, "a.xlsx", expect_exit=1), "schema.unknown_unit")
    assert_finding(f, code="schema.unknown_unit", severity="error", row=None, column="资助金额",
                   says=("表头没有写单位", says, "没有写明是哪些列的单位", "本表暂不发放", "单位：万元"))
    code, plan, err = dry_run(run, tmp_path, tmp_path / "a.xlsx")
    assert plan["payments"] == [], (code, err)


def test_a_roster_naming_no_school_is_said(tmp_path, run):
    """名单.xlsx with no title, no 填报单位 and no 学校名称: paid with no school and not a word (its school
    type is only the programme's). The notes name the file now; a roster whose title names the
    school says nothing."""
    write_roster(tmp_path / "名单.xlsx", [voc_row(1), voc_row(2)], VOC_HEADERS)
    doc = check(run, "名单.xlsx", expect_exit=0)
    note = next(n for n in doc["notes"] if "没有写明学校" in n)
    assert note.startswith("2 条记录") and "名单.xlsx" in note and "（学校不明）" in note and "按资助项目推定" in note
    roster(tmp_path, [voc_row(1), voc_row(2)])
    assert not any("没有写明学校" in n for n in check(run, "a.xlsx", expect_exit=0)["notes"])


@pytest.mark.parametrize("remark", ["未报到", "已迁出", "已离世", "不再就读", "长期未到校", "外出打工", "没来上学",
                                    "已离开本校", "已注销学籍", "重读生（已享受过）", "已领取", "已发放", "已在外校申报",
                                    "家长要求不要", "已就业", "退回", "未入学"])
def test_remarks_of_a_student_gone_or_paid_elsewhere_withdraw_them(tmp_path, run, remark):
    """A 备注 saying the student never came, left, is paid already or elsewhere, or works was paid
    without a word; 外校转入 (a student who came in) still says nothing."""
    headers = VOC_HEADERS + ["备注"]
    roster(tmp_path, [{**voc_row(1), "备注": remark}, {**voc_row(2), "备注": "外校转入"}], headers=headers)
    assert codes(check(run, "a.xlsx", expect_exit=1)) == {("a.xlsx", 4, "remark.withdrawn")}


def test_remark_withdrawn(tmp_path, run):
    """The school says in 备注 that a student left or is not to be paid: not paid, whatever else the
    row says. A remark about the future (毕业) is no withdrawal (remark.unread, a warning: paid), and
    one about a student who came in (转入) says nothing. A remark in brackets after the name is no
    part of the name either (name.invalid), whatever it says."""
    headers = VOC_HEADERS + ["备注"]
    rows = [{**voc_row(1), "备注": "已转学"}, {**voc_row(2), "备注": "2012年6月毕业"}, voc_row(3),
            {**voc_row(4), "备注": "重复申报，不予发放"}, {**voc_row(5), "备注": "转入"},
            {**voc_row(6), "姓名": "学生六（休学）"}, {**voc_row(7), "姓名": "学生七(维吾尔族)"}]
    roster(tmp_path, rows, headers=headers)
    doc = check(run, "a.xlsx", expect_exit=1)
    assert codes(doc) == {("a.xlsx", 4, "remark.withdrawn"), ("a.xlsx", 5, "remark.unread"),
                          ("a.xlsx", 7, "remark.withdrawn"),
                          ("a.xlsx", 9, "remark.withdrawn"), ("a.xlsx", 9, "name.invalid"),
                          ("a.xlsx", 10, "name.invalid")}
    assert_finding(found(doc, "remark.withdrawn")[0], code="remark.withdrawn", severity="error", row=4,
                   column="备注", says=("备注“已转学”写有“转学”", "本条暂不发放"))
    assert_finding(found(doc, "remark.withdrawn")[2], code="remark.withdrawn", severity="error", row=9,
                   column="姓名", says=("姓名“学生六(休学)”的括注写有“休学”",))
    code, plan, err = dry_run(run, tmp_path, tmp_path / "a.xlsx")
    assert sorted(p["row"] for p in plan["payments"]) == [5, 6, 8], (code, err)


REMARKS_SAYING_NOTHING = ["建档立卡", "建档立卡户、低保", "孤儿", "残疾（行动不便）", "单亲家庭", "特困", "新生",
                         "补报", "外校转入", "住校", "与学生二为兄妹", "父亲去世", "事实无人抚养儿童", "无", "/", "——",
                         "暂 无"]


def test_a_remark_no_word_list_reads_is_a_warning_and_paid(tmp_path, run):
    """A 备注 outside every word list (见附件, 家长说下学期再报) was read by nobody and paid without a
    word. It is remark.unread now: a warning naming the remark, one a record, the record still
    paid, for the bureau to read. Reasons a student is aided, a new or late student, siblings, and
    a blank said as 无 or / (rules/vocabulary.yaml harmless_remarks, blank_remarks) say nothing, as
    before; so does a harmless word beside another (建档立卡户、低保)."""
    headers = VOC_HEADERS + ["备注"]
    rows = [{**voc_row(1), "备注": "见附件"}, {**voc_row(2), "备注": "家长说下学期再报"},
            {**voc_row(3), "备注": "建档立卡，详见附件"},
            *({**voc_row(i), "备注": r} for i, r in enumerate(REMARKS_SAYING_NOTHING, start=4))]
    roster(tmp_path, rows, headers=headers)
    doc = check(run, "a.xlsx", expect_exit=0)
    assert codes(doc) == {("a.xlsx", 4, "remark.unread"), ("a.xlsx", 5, "remark.unread"),
                          ("a.xlsx", 6, "remark.unread")}
    assert doc["summary"] == {"records": len(rows), "errors": 0, "warnings": 3}
    for f, remark in zip(found(doc, "remark.unread"), ["见附件", "家长说下学期再报", "建档立卡,详见附件"]):
        assert f["value"] == remark
        assert_finding(f, code="remark.unread", severity="warning", row=f["row"], column="备注",
                       says=(f"备注“{remark}”", "无法识别", "不因此暂停发放", "人工核对"))
    code, plan, err = dry_run(run, tmp_path, tmp_path / "a.xlsx")
    assert code == 0 and len(plan["payments"]) == len(rows), (code, err)


@pytest.mark.parametrize("remark, word", [("本学期不申请", "不申请"), ("待核实", "待核实"), ("信息有误", "有误"),
                                          ("非建档立卡", "非"), ("低保户，家长说暂不领", "暂不"),
                                          ("建档立卡 已核实，无学籍", "无"), ("停", "停")])
def test_a_remark_that_negates_pauses_or_doubts_the_claim_is_not_paid(tmp_path, run, remark, word):
    """What a 备注 says beside its harmless words, negating, pausing or doubting the claim (不, 非, 暂,
    待, 核实, 有误 …: status.unsettled_remarks), was paid without a word: 低保户，本学期不申请 read as
    harmless would pay a student the school held back, for good. It is remark.unsettled, an error
    naming the remark and the word, not paid; a harmless word holding a negation (行动不便) is taken
    out first, and 外校转入 still says nothing."""
    headers = VOC_HEADERS + ["备注"]
    roster(tmp_path, [{**voc_row(1), "备注": remark}, {**voc_row(2), "备注": "残疾，行动不便"},
                      {**voc_row(3), "备注": "外校转入"}], headers=headers)
    doc = check(run, "a.xlsx", expect_exit=1)
    assert codes(doc) == {("a.xlsx", 4, "remark.unsettled")}
    shown = remark.replace("，", ",").replace("　", " ")
    assert_finding(only(doc, "remark.unsettled"), code="remark.unsettled", severity="error", row=4, column="备注",
                   says=(f"备注“{shown}”写有“{word}”", "本条暂不发放"))
    code, plan, err = dry_run(run, tmp_path, tmp_path / "a.xlsx")
    assert sorted(p["row"] for p in plan["payments"]) == [5, 6], (code, err)


def test_remarks_are_read_once_per_distinct_remark(tmp_path, monkeypatch):
    """A term's remarks are judged per distinct value by Arrow's kernels: the word lists' regexes run
    over the distinct remarks, never once a record (50,000 records of 4 remarks: a handful of calls
    over at most 4 values each)."""
    import pyarrow.compute as pc

    from aidctl.check import enrolment
    from aidctl.rulebook import Rulebook

    seen = []
    real = pc.replace_substring_regex

    def counted(values, *args, **kwargs):
        seen.append(len(values))
        return real(values, *args, **kwargs)

    monkeypatch.setattr(enrolment.pc, "replace_substring_regex", counted)
    remarks = pd.Series(["建档立卡", "见附件", None, "待核实"] * 12_500, dtype="string[pyarrow]")
    parts = enrolment._remarks(remarks, Rulebook().vocabulary.status)
    got = {p["code"].iloc[0]: len(p) for p in parts if len(p)}
    assert got == {"remark.unread": 12_500, "remark.unsettled": 12_500}
    assert seen and max(seen) <= 3 and len(seen) <= 4


def test_a_blank_word_in_the_remark_lists_is_refused():
    """An empty word matches everywhere: a harmless one would hide every remark, an unsettled one
    refuse every student. The rule file is refused."""
    from pydantic import ValidationError

    from aidctl.rulebook.vocabulary import StatusWords

    with pytest.raises(ValidationError, match="空白"):
        StatusWords(enrolled=["在籍"], not_enrolled=["退学"], harmless_remarks=["低保", " "])


def test_schema_unrecognised_column_on_a_roster(tmp_path, run):
    """实发金额 and 是否停发 may say how much or whether a student is paid: not read, so said, once a
    table; a column of no consequence (民族) says nothing."""
    headers = VOC_HEADERS + ["实发金额", "是否停发", "民族"]
    roster(tmp_path, [{**voc_row(1), "实发金额": 375, "是否停发": "是", "民族": "汉"}, voc_row(2)], headers=headers)
    doc = check(run, "a.xlsx", expect_exit=0)
    got = found(doc, "schema.unrecognised_column")
    assert sorted(f["column"] for f in got) == ["实发金额", "是否停发"] and all(f["row"] is None for f in got)
    assert all(f["severity"] == "warning" and "本次没有读取" in f["message"] for f in got)


@pytest.mark.parametrize("header", ["持卡人姓名", "户名", "收款人姓名", "账户名称", "银行卡户名", "领款人"])
def test_whose_account_it_is_is_never_dropped_silently(tmp_path, run, header):
    """A column naming the card's holder (a parent's card, 王大山) was dropped without a word, while
    the bank file names the student as the account's holder: said now, as any unread column about
    the money."""
    roster(tmp_path, [{**voc_row(i), header: "王大山"} for i in (1, 2)], headers=VOC_HEADERS + [header])
    got = found(check(run, "a.xlsx", expect_exit=0), "schema.unrecognised_column")
    assert [(f["column"], f["row"]) for f in got] == [(header, None)], got


def test_pay_declined(tmp_path, run):
    """A school that lists a whole class marks who is paid: 否 is not paid, and neither is a mark that
    is neither 是 nor 否, nor a blank where the table's other students have one; 是 and √ are paid. A
    table without the column, or with it empty throughout, says nothing."""
    headers = VOC_HEADERS + ["是否享受"]
    rows = [{**voc_row(1), "是否享受": "是"}, {**voc_row(2), "是否享受": "否"}, {**voc_row(3), "是否享受": None},
            {**voc_row(4), "是否享受": "待定"}, {**voc_row(5), "是否享受": "√"}]
    roster(tmp_path, rows, headers=headers)
    doc = check(run, "a.xlsx", expect_exit=1)
    assert codes(doc) == {("a.xlsx", r, "pay.declined") for r in (5, 6, 7)}
    assert_finding(found(doc)[0], code="pay.declined", severity="error", row=5, column="是否享受",
                   says=("为“否”", "本条不予发放"))
    assert "为空，而本表其他学生填写了" in found(doc)[1]["message"] and "“待定”" in found(doc)[2]["message"]
    code, plan, err = dry_run(run, tmp_path, tmp_path / "a.xlsx")
    assert sorted(p["row"] for p in plan["payments"]) == [4, 8], (code, err)
    roster(tmp_path, [{**voc_row(1), "是否享受": None}, {**voc_row(2), "是否享受": None}], headers=headers)
    assert not found(check(run, "a.xlsx", expect_exit=0))


def test_term_mismatch(tmp_path, run):
    """The title says 2011年秋季学期; judged as 2012-spring it is another term's roster."""
    roster(tmp_path, [voc_row(1)])
    f = only(check(run, "a.xlsx", term="2012-spring", expect_exit=1), "term.mismatch")
    assert_finding(f, code="term.mismatch", severity="error", row=None, column=None,
                   says=("2011年秋季学期", "2012年春季学期"))


def test_cell_formula_uncalculated(tmp_path, run):
    roster(tmp_path, [voc_row(1), voc_row(2, **{"资助金额（元）": "=SUM(I4:I4)"})])
    f = only(check(run, "a.xlsx", expect_exit=1), "cell.formula_uncalculated")
    assert_finding(f, code="cell.formula_uncalculated", severity="error", row=5, column="资助金额（元）",
                   says=("=SUM(I4:I4)", "没有保存计算结果"))


def test_cell_error_value(tmp_path, run):
    """#N/A in the amount (a VLOOKUP that found nothing) was read as blank and paid the standard amount."""
    roster(tmp_path, [voc_row(1), voc_row(2, **{"资助金额（元）": "#N/A"})])
    f = only(check(run, "a.xlsx", expect_exit=1), "cell.error_value")
    assert_finding(f, code="cell.error_value", severity="error", row=5, column="资助金额（元）",
                   says=("错误值“#N/A”", "不把它当作空白", "标准金额"))
def strike(path: Path, whole_rows: tuple[int, ...] = (), names: tuple[int, ...] = ()) -> None:
    """Strike rows through as a clerk does: every cell of `whole_rows` by its font, and the name of
    `names` by a struck run of text (edited inside the cell)."""
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont
    from openpyxl.styles import Font

    wb = openpyxl.load_workbook(path)
    ws = wb.active
    for r in whole_rows:
        for cell in ws[r]:
            cell.font = Font(strike=True)
    for r in names:
        ws.cell(r, 2).value = CellRichText([TextBlock(InlineFont(strike=True), str(ws.cell(r, 2).value))])
    wb.save(path)


def test_cell_struck_out(tmp_path, run):
    """A row struck through, or a name struck inside its cell: one error each, naming the struck
    columns; the record is not paid (it is refused by the plan too)."""
    path = roster(tmp_path, [voc_row(1), voc_row(2), voc_row(3), voc_row(4)])
    strike(path, whole_rows=(5,), names=(7,))
    doc = check(run, "a.xlsx", expect_exit=1, extra=("--report", "审核结果.xlsx"))
    summary = list(openpyxl.load_workbook(tmp_path / "审核结果.xlsx")["汇总"].iter_rows(values_only=True))
    header = next(r for r in summary if r and r[0] == "文件")
    assert summary[summary.index(header) + 1][header.index("删除线行（不予发放）")] == 2
    hits = sorted(found(doc, "cell.struck_out"), key=lambda f: f["row"])
    assert [f["row"] for f in hits] == [5, 7], doc["findings"]
    assert_finding(hits[0], code="cell.struck_out", severity="error", row=5, column="序号",
                   says=("“姓名”", "“银行卡号”", "删除线", "不予发放"))
    assert_finding(hits[1], code="cell.struck_out", severity="error", row=7, column="姓名", says=("本行“姓名”有删除线",))
    assert "“身份证号码”" not in hits[1]["message"]
    assert [i["struck_rows"] for i in doc["files"]] == [2]
    code, plan, err = dry_run(run, tmp_path, path)
    assert sorted(p["name"] for p in plan["payments"]) == [voc_row(1)["姓名"], voc_row(3)["姓名"]], (code, err)


@pytest.mark.parametrize("rows", [4, 1500])
def test_a_name_struck_inside_a_shared_string(tmp_path, run, rows):
    """Excel keeps a name struck inside its cell as a run of the shared-strings table, not as the
    cell's style (openpyxl writes inline text instead): xlsxwriter writes it Excel's way. A small
    table is taken as the limits check inflated it, a big one (1,500 rows: past 64 KB) searched
    again in the zip; either way the struck name is not paid."""
    import xlsxwriter

    path = tmp_path / "a.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Sheet1")
    ws.write_row(0, 0, ["第一职业中学2011年秋季学期受助学生名单"])
    ws.write_row(1, 0, ["填报单位：第一职业中学"])
    ws.write_row(2, 0, VOC_HEADERS)
    strike_font = wb.add_format({"font_strikeout": True})
    for i in range(1, rows + 1):
        row = voc_row(i)
        ws.write_row(2 + i, 0, [row[h] for h in VOC_HEADERS])
        if i == 3:   # 学生三: struck inside the cell, as a run
            ws.write_rich_string(2 + i, 1, strike_font, row["姓名"][:2], strike_font, row["姓名"][2:])
    wb.close()
    with zipfile.ZipFile(path) as z:
        table = z.read("xl/sharedStrings.xml")
    assert b"<strike" in table and (len(table) > 1 << 16) == (rows > 4)
    doc = check(run, "a.xlsx", expect_exit=1)
    assert [(f["row"], f["column"]) for f in found(doc, "cell.struck_out")] == [(6, "姓名")], doc["findings"]
    code, plan, err = dry_run(run, tmp_path, path)
    paid = {p["name"] for p in plan["payments"]}
    assert "学生三" not in paid and {"学生二", "学生四"} <= paid, (code, err)


@pytest.mark.parametrize("sheet", ["作废（勿用）", "未通过名单", "备份"])
def test_a_sheet_named_as_withdrawn_is_not_paid(tmp_path, run, sheet):
    """A school keeps the applicants it turned down, or an old copy, on a sheet of their own beside
    the list it puts forward: every visible sheet holding a roster is read, and that sheet's students
    were paid with no word. Now the sheet is one sheet.withdrawn error and none of its students is
    paid; the sheet put forward is paid as before."""
    from conftest import VOC_HEADERS as headers
    wb = openpyxl.Workbook()
    for title, students in (("受助名单", range(1, 4)), (sheet, range(4, 6))):
        ws = wb.active if title == "受助名单" else wb.create_sheet(title)
        ws.title = title
        ws.append(["第一职业中学2011年秋季学期受助学生名单"])
        ws.append(headers)
        for i in students:
            ws.append([voc_row(i)[h] for h in headers])
    path = tmp_path / "a.xlsx"
    wb.save(path)
    doc = check(run, "a.xlsx", expect_exit=1)
    f = only(doc, "sheet.withdrawn")
    assert_finding(f, code="sheet.withdrawn", severity="error", row=None, column=None,
                   says=("工作表名称写有", "2 名学生", "本表暂不发放"))
    assert f["sheet"] == sheet
    assert len(found(doc)) == 1
    code, plan, err = dry_run(run, tmp_path, path)
    assert sorted(p["name"] for p in plan["payments"]) == sorted(voc_row(i)["姓名"] for i in (1, 2, 3)), (code, err)
    assert len(plan["refused"]) == 2


def parts_roster(path: Path, parts: list[tuple[str | None, range]], merged: bool = False, repeat: bool = True) -> Path:
    """One sheet: the header, then parts of students, each under its caption row (merged across the
    row when `merged`) and the header again (when `repeat`), as schools list classes or outcomes."""
    from conftest import VOC_HEADERS as headers
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["第一职业中学2011年秋季学期受助学生名单"])
    ws.append(headers)
    for caption, students in parts:
        if caption is not None:
            ws.append([caption])
            if merged:
                ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=len(headers))
            if repeat:
                ws.append(headers)
        for i in students:
            ws.append([voc_row(i)[h] for h in headers])
    wb.save(path)
    return path


@pytest.mark.parametrize("merged", [False, True])
@pytest.mark.parametrize("caption", ["二、未通过审核学生名单", "以下学生不予资助：", "备用名单（候补）"])
def test_students_under_a_caption_that_withdraws_them_are_not_paid(tmp_path, run, caption, merged):
    """A school lists the applicants it turned down below those it puts forward, under a caption row
    (merged across the row or not) and the header again. The caption was dropped as a blank row, or
    read as a student named by its text, and the students under it were paid. Now each of them is
    section.withdrawn, naming the caption, until the next caption (二年级 …) or the table's end."""
    path = parts_roster(tmp_path / "a.xlsx", [(None, range(1, 4)), (caption, range(4, 6)), ("二年级", range(6, 8))],
                        merged=merged)
    doc = check(run, "a.xlsx", expect_exit=1)
    hits = found(doc, "section.withdrawn")
    assert len(found(doc)) == len(hits) == 2, doc["findings"]
    assert [f["row"] for f in hits] == [8, 9], hits   # caption on row 6, the header again on row 7
    assert_finding(hits[0], code="section.withdrawn", severity="error", row=8, column=None,
                   says=(f"第6行“{caption}”之下", "本条暂不发放"))
    assert doc["files"][0]["records"] == 7
    assert doc["files"][0]["dropped"].get("caption", 0) == (2 if merged else 0)
    code, plan, err = dry_run(run, tmp_path, path)
    assert sorted(p["name"] for p in plan["payments"]) == sorted(voc_row(i)["姓名"] for i in (1, 2, 3, 6, 7)), (code, err)


def test_many_captions_are_judged_alike(tmp_path, run):
    """A table of seventy classes, each under its caption (past rows.FEW_CAPTIONS: judged in Arrow),
    one of them 未通过名单: only its students are withdrawn."""
    parts = [(f"{k}班", range(k, k + 1)) for k in range(1, 71)]
    parts[40] = ("未通过名单", range(41, 42))
    parts_roster(tmp_path / "a.xlsx", parts, repeat=False)
    doc = check(run, "a.xlsx", expect_exit=1)
    assert [(f["code"], f["row"]) for f in found(doc)] == [("section.withdrawn", 84)]   # caption on 83


def test_a_note_that_withdraws_the_students_below_it(tmp_path, run):
    """以下为… is a note (dropped as such); 以下为未通过审核学生 withdraws the students below it."""
    parts_roster(tmp_path / "a.xlsx", [(None, range(1, 4)), ("以下为未通过审核学生", range(4, 6))], repeat=False)
    doc = check(run, "a.xlsx", expect_exit=1)
    assert [(f["code"], f["row"]) for f in found(doc)] == [("section.withdrawn", 7), ("section.withdrawn", 8)]
    assert doc["files"][0]["dropped"] == {"note": 1}


@pytest.mark.parametrize("above, note", [(None, "注：红色标注的学生未通过审核"), ("说明：表中标黄的学生已退学，不予发放", None)])
def test_a_note_that_withdraws_students_by_colour_stops_the_table(tmp_path, run, above, note):
    """A school marks the students it turned down in red, or the ones who left in yellow, and says so
    in a note: aidctl does not read a cell's colour, so which students are meant is not known. The
    table is one note.colour error, and none of it is paid (it was all paid)."""
    from conftest import VOC_HEADERS as headers
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["第一职业中学2011年秋季学期受助学生名单"])
    if above:
        ws.append([above])
    ws.append(headers)
    for i in range(1, 6):
        ws.append([voc_row(i)[h] for h in headers])
    if note:
        ws.append([note])
    path = tmp_path / "a.xlsx"
    wb.save(path)
    doc = check(run, "a.xlsx", expect_exit=1)
    f = only(doc, "note.colour")
    assert_finding(f, code="note.colour", severity="error", row=None, column=None,
                   says=(("第8行" if note else "表头上方") + f"“{note or above}”", "读不出单元格的颜色", "本表暂不发放"))
    assert len(found(doc)) == 1
    code, plan, err = dry_run(run, tmp_path, path)
    assert plan["payments"] == [] and len(plan["refused"]) == 5, (code, err)


def test_a_colour_note_that_withdraws_nobody_is_only_a_note(tmp_path, run):
    """黄色为必填项 (a template's instruction) and 标黄的为新增学生 say nothing of who is paid."""
    from conftest import VOC_HEADERS as headers
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["填表说明：黄色为必填项"])
    ws.append(headers)
    for i in range(1, 4):
        ws.append([voc_row(i)[h] for h in headers])
    ws.append(["注：标黄的为新增学生"])
    wb.save(tmp_path / "a.xlsx")
    assert found(check(run, "a.xlsx", expect_exit=0)) == []


def test_a_numbered_empty_row_does_not_end_a_withdrawn_part(tmp_path, run):
    """A row holding only its 序号 (a numbered line left empty) is no caption: the students after it
    are still under 以下学生不予资助."""
    from conftest import VOC_HEADERS as headers
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers)
    ws.append([voc_row(1)[h] for h in headers])
    ws.append(["以下学生不予资助："])
    ws.append([voc_row(2)[h] for h in headers])
    ws.append([3])
    ws.append([voc_row(4)[h] for h in headers])
    wb.save(tmp_path / "a.xlsx")
    doc = check(run, "a.xlsx", term="2011-autumn", expect_exit=1)
    assert [(f["code"], f["row"]) for f in found(doc)] == [("section.withdrawn", 4), ("section.withdrawn", 6)]


def test_captions_that_withdraw_nothing_are_only_dropped(tmp_path, run):
    """Classes under their own captions, a 补报 marker, a caption without the header again: nothing
    withdrawn, every student read and paid."""
    parts_roster(tmp_path / "a.xlsx", [("一年级", range(1, 3)), ("二年级", range(3, 5)),
                                       ("以下为补报学生", range(5, 6))], merged=True)
    doc = check(run, "a.xlsx", expect_exit=0)
    assert found(doc) == [] and doc["files"][0]["records"] == 5


def test_struck_out_cells_empty_or_in_other_columns_are_not_findings(tmp_path, run):
    """A struck empty cell, or a struck note beside the table, says nothing about a student."""
    path = roster(tmp_path, [voc_row(1), voc_row(2)])
    from openpyxl.styles import Font
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws.cell(4, 20).font = Font(strike=True)          # an empty cell far right
    ws.cell(1, 1).font = Font(strike=True)           # the title above the header
    wb.save(path)
    doc = check(run, "a.xlsx", expect_exit=0)
    assert not found(doc, "cell.struck_out")
    assert [i["struck_rows"] for i in doc["files"]] == [0]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("kind", ["ods", "xlsx", "xls"])
def test_cell_struck_out_in_files_libreoffice_writes(tmp_path, run, kind):
    """The same struck rows survive LibreOffice's own .ods, .xlsx and .xls (styles and text spans
    written its way; in an .xls the font of a cell's XF and the runs of a shared string). An .xls
    said nothing before (struck_rows null) and its struck students were paid."""
    src = tmp_path / "src"
    src.mkdir()
    strike(roster(src, [voc_row(1), voc_row(2), voc_row(3)]), whole_rows=(5,), names=(6,))
    saved_by_libreoffice(src / "a.xlsx", kind, tmp_path)
    doc = check(run, f"a.{kind}", expect_exit=1)
    assert sorted(f["row"] for f in found(doc, "cell.struck_out")) == [5, 6], doc["findings"]
    assert [i["struck_rows"] for i in doc["files"]] == [2]
    intake = tmp_path / "ws" / "intake" / TERM
    intake.mkdir(parents=True)
    shutil.copy(tmp_path / f"a.{kind}", intake)
    code, plan, err = run("disburse", "--term", TERM, "--workspace", tmp_path / "ws", "--dry-run", "--format", "json",
                          as_json=True)
    assert sorted(p["name"] for p in plan["payments"]) == [voc_row(1)["姓名"]], (code, err)


def test_amount_blank(tmp_path, run):
    """One blank amount among filled ones: paid the standard, said as a warning naming it; a table
    that leaves the whole column blank says nothing (the standard is what the rules pay)."""
    roster(tmp_path, [voc_row(1), voc_row(2, **{"资助金额（元）": None}), voc_row(3)])
    f = only(check(run, "a.xlsx", expect_exit=0), "amount.blank")
    assert_finding(f, code="amount.blank", severity="warning", row=5, column="资助金额（元）",
                   says=("资助金额为空", "750.00元", "请从名单中删除"))
    roster(tmp_path, [voc_row(i, **{"资助金额（元）": None}) for i in (1, 2)], name="b.xlsx")
    assert not found(check(run, "b.xlsx", expect_exit=0), "amount.blank")


def test_total_mismatch(tmp_path, run):
    """The school's own 合计 says 1,500 yuan (two students) but three are read: a student it meant to
    drop is still in the table. An error on the whole table: none of it is paid."""
    roster(tmp_path, [voc_row(1), voc_row(2), {"姓名": "注：学生3已转学"}, voc_row(3),
                      {"序号": "合计", "资助金额（元）": 1500}])
    f = only(check(run, "a.xlsx", expect_exit=1), "total.mismatch")
    assert_finding(f, code="total.mismatch", severity="error", row=None, column="资助金额（元）",
                   says=("第8行", "1500.00 元", "3 条学生记录", "2250.00 元", "多 750.00 元", "本表暂不发放"))
    code, plan, err = dry_run(run, tmp_path, tmp_path / "a.xlsx")
    assert plan["payments"] == [], (code, err)


def test_total_agrees_in_its_unit_on_the_last_of_its_page_totals_and_class_subtotals_are_not_compared(tmp_path, run):
    """金额（万元）: 0.15 on a page's 合计 (two students), 一班小计 beside, and 总计 0.225 for all three:
    the table agrees when one whole-table total equals the sum; 小计 says nothing about the table."""
    headers = [h if h != "资助金额（元）" else "资助金额（万元）" for h in VOC_HEADERS]
    rows = [{**voc_row(i), "资助金额（万元）": 0.075} for i in (1, 2)]
    rows += [{"姓名": "一班小计", "资助金额（万元）": 0.01}, {"序号": "合计", "资助金额（万元）": 0.15},
             {**voc_row(3), "资助金额（万元）": 0.075}, {"序号": "（总计）", "资助金额（万元）": 0.225}]
    roster(tmp_path, rows, headers=headers)
    doc = check(run, "a.xlsx", expect_exit=0)
    assert not found(doc, "total.mismatch") and doc["files"][0]["dropped"] == {"total": 3}
    rows[-1]["资助金额（万元）"] = 0.3
    roster(tmp_path, rows, headers=headers)
    f = only(check(run, "a.xlsx", expect_exit=1), "total.mismatch")
    assert "第9行" in f["message"] and "3000.00 元" in f["message"] and "少 750.00 元" in f["message"]


def test_each_table_is_compared_with_its_own_total(tmp_path, run):
    """Three schools: one without a 合计, one whose 合计 agrees, one whose 合计 does not. The finding is
    on that one only, and its sum counts its own students, not the others'."""
    roster(tmp_path, [voc_row(1), voc_row(2)], name="a.xlsx")
    roster(tmp_path, [voc_row(3), voc_row(4), {"序号": "合计", "资助金额（元）": 1500}], name="b.xlsx",
           school="第二职业中学")
    roster(tmp_path, [voc_row(5), voc_row(6), voc_row(7), {"序号": "合计", "资助金额（元）": 1500}], name="c.xlsx",
           school="第三职业中学")
    doc = check(run, "a.xlsx", "b.xlsx", "c.xlsx", expect_exit=1)
    f = only(doc, "total.mismatch")
    assert f["file"].endswith("c.xlsx") and "3 条学生记录" in f["message"] and "2250.00 元" in f["message"]


def merge_amounts(path: Path, first: int, last: int) -> Path:
    """The amount cells of Excel rows first … last merged into one, as a clerk merges a repeated figure."""
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    col = [c.value for c in ws[3]].index("资助金额（元）") + 1
    ws.merge_cells(start_row=first, start_column=col, end_row=last, end_column=col)
    wb.save(path)
    return path


def test_an_amount_merged_over_students_where_the_roster_sets_it(tmp_path, run):
    """中职免学费 pays the school's approved fee as the roster gives it: 3000 merged over three students
    may be 3000 each or 1000 each. It was read as each one's (9000 in all) without a word; now each of
    the three is amount.merged, an error, and only the two others are funded."""
    rows = [free_row(i, **{"资助金额（元）": 3000 if i == 2 else None if i in (3, 4) else 1000}) for i in range(1, 6)]
    path = merge_amounts(roster(tmp_path, rows, headers=list(rows[0])), 5, 7)
    doc = check(run, "a.xlsx", expect_exit=1)
    hits = found(doc, "amount.merged")
    assert [f["row"] for f in hits] == [5, 6, 7], doc["findings"]
    assert_finding(hits[1], code="amount.merged", severity="error", row=6, column="资助金额（元）",
                   says=("第5—7行", "3名学生", "“3000”", "中职免学费", "每人", "合计", "取消合并"))
    assert len(found(doc)) == 3
    code, plan, err = dry_run(run, tmp_path, path)
    assert plan["school_funded"] == 2 and len(plan["refused"]) == 3, (code, plan, err)


def test_an_amount_merged_over_students_against_a_standard(tmp_path, run):
    """Where the rules give the standard, a merged figure is judged against it: 750 merged over three
    中职国家助学金 students is 750 each (no finding); 2250 merged is amount.mismatch, not amount.merged."""
    rows = [voc_row(i, **{"资助金额（元）": 750 if i in (1, 2, 5) else None}) for i in range(1, 6)]
    merge_amounts(roster(tmp_path, rows), 5, 7)
    assert found(check(run, "a.xlsx", expect_exit=0)) == []
    rows[1]["资助金额（元）"] = 2250
    merge_amounts(roster(tmp_path, rows), 5, 7)
    doc = check(run, "a.xlsx", expect_exit=1)
    assert {f["code"] for f in found(doc)} == {"amount.mismatch"}
    assert [f["row"] for f in found(doc)] == [5, 6, 7]


def test_total_is_not_compared_where_an_amount_could_not_be_read(tmp_path, run):
    roster(tmp_path, [voc_row(1), voc_row(2, **{"资助金额（元）": "七百五"}), {"序号": "合计", "资助金额（元）": 1500}])
    doc = check(run, "a.xlsx", expect_exit=1)
    assert found(doc, "amount.invalid") and not found(doc, "total.mismatch")
    roster(tmp_path, [voc_row(1), voc_row(2), {"序号": "合计", "资助金额（元）": "壹仟伍佰元"}])   # nor a total in words
    doc = check(run, "a.xlsx", expect_exit=0)
    assert not found(doc, "total.mismatch") and doc["files"][0]["dropped"] == {"total": 1}


def test_birthdate_mismatch(tmp_path, run):
    """The message says which part differs and quotes neither date: beside the ID masked in a
    workbook (420102********1234, the eight hidden being the birth date) the ID's date undid the mask,
    and the written one, a slip of it (1995-03-21) or it in a form not read (95.3.12), nearly did. The
    cell stays in the finding's value."""
    headers = VOC_HEADERS + ["出生日期"]
    rows = [voc_row(1, 出生日期="1995-03-12"), voc_row(2, 出生日期="1995-03-21"), voc_row(3, 出生日期="1996年3月"),
            voc_row(4, 出生日期="95.3.12")]
    roster(tmp_path, rows, headers=headers)
    doc = check(run, "a.xlsx", expect_exit=0)
    got = sorted(found(doc, "birthdate.mismatch"), key=lambda f: f["row"])
    assert [f["row"] for f in got] == [5, 6, 7]
    assert_finding(got[0], code="birthdate.mismatch", severity="warning", row=5, column="出生日期", says=("（日不同）",))
    assert "（年份不同）" in got[1]["message"] and "无法识别为日期" in got[2]["message"]
    assert [f["value"] for f in got] == ["1995-03-21", "1996年3月", "95.3.12"]
    for f in got:
        assert not re.search(r"19\d\d|95\.|03|3月", f["message"]), f["message"]


# --- people ----------------------------------------------------------------------------------------

def test_name_missing(tmp_path, run):
    roster(tmp_path, [voc_row(1), voc_row(2, 姓名=None)])
    doc = check(run, "a.xlsx", expect_exit=1)
    assert codes(doc) == {("a.xlsx", 5, "name.missing")}
    assert_finding(only(doc, "name.missing"), code="name.missing", severity="error", row=5, column="姓名",
                   says=("姓名为空",))


def test_name_invalid(tmp_path, run):
    """A name holding ESC (written by xlsxwriter, which stores control characters) or starting with
    "=": one error each, naming the character; a name with ·, a hyphen inside or a space is fine."""
    import xlsxwriter

    rows = [voc_row(1), voc_row(2, 姓名="张\x1b三"), voc_row(3, 姓名="=1+1"), voc_row(4, 姓名="买买提·艾力"),
            voc_row(5, 姓名="欧阳-娜娜")]
    wb = xlsxwriter.Workbook(str(tmp_path / "a.xlsx"), {"strings_to_formulas": False, "strings_to_numbers": False})
    sheet = wb.add_worksheet()
    sheet.write_row(0, 0, VOC_HEADERS)
    for i, r in enumerate(rows, start=1):
        sheet.write_row(i, 0, [r[h] for h in VOC_HEADERS])
    wb.close()
    doc = check(run, "a.xlsx", expect_exit=1)
    assert codes(doc) == {("a.xlsx", 3, "name.invalid"), ("a.xlsx", 4, "name.invalid")}
    esc, formula = sorted(found(doc, "name.invalid"), key=lambda f: f["row"])
    assert_finding(esc, code="name.invalid", severity="error", row=3, column="姓名",
                   says=("张<U+001B>三", "控制字符 ESC（U+001B）"))
    assert_finding(formula, code="name.invalid", severity="error", row=4, column="姓名", says=("以“=”开头",))


NOTES_IN_NAMES = ["王五(补)", "赵六2", "孙八（补报）", "周九（代领：周父）", "吴十A", "郑十一?", "冯十二（家长）",
                  "刘一/刘二", "陈七、陈八", "阿依古丽.买买提"]
NAMES = ["阿依古丽·买买提", "买买提•艾力", "欧阳-娜娜", "Maria José", "O'Brien", "张　三"]


def test_a_note_or_a_second_student_in_the_name_cell_is_name_invalid(tmp_path, run):
    """A note in the name cell (王五(补), 周九（代领：周父）, 吴十A) or two students in one (刘一/刘二,
    陈七、陈八) went into the bank file's 户名 and was paid. A name on an ID card holds no digit,
    bracket, slash or punctuation, and no Latin letter beside hanzi: name.invalid, naming the
    characters, saying where a note goes; not paid. Minority names with their dots, a hyphen, and a
    name wholly in Latin letters are names."""
    rows = [voc_row(i, 姓名=n) for i, n in enumerate(NOTES_IN_NAMES + NAMES, start=1)]
    path = roster(tmp_path, rows)
    doc = check(run, "a.xlsx", expect_exit=1)
    bad = range(FIRST_ROW, FIRST_ROW + len(NOTES_IN_NAMES))
    assert codes(doc) == {("a.xlsx", r, "name.invalid") for r in bad}
    said = {f["row"]: f["message"] for f in found(doc, "name.invalid")}
    for row, chars in [(4, "“(”“)”"), (5, "“2”"), (7, "“(”“:”“)”"), (9, "“?”"), (11, "“/”"), (12, "“、”"),
                       (13, "“.”")]:
        assert f"含有{chars}" in said[row], said[row]
    assert "在汉字中夹有拉丁字母“A”" in said[8]
    assert all("“备注”列" in m and "分两行" in m for m in said.values())
    assert_finding(only({"findings": [f for f in found(doc) if f["row"] == 4]}, "name.invalid"), code="name.invalid",
                   severity="error", row=4, column="姓名", says=("姓名“王五(补)”含有“(”“)”",))
    code, plan, err = dry_run(run, tmp_path, path)
    assert sorted(p["name"] for p in plan["payments"]) == sorted(["阿依古丽·买买提", "欧阳-娜娜", "MariaJosé", "O'Brien",
                                                                  "张三"]), (code, err)
    # • is a name's dot, but not in GBK: the text bank file (the default profile) cannot carry it
    assert {r["row"]: r["codes"] for r in plan["refused"]} == {**{r: ["name.invalid"] for r in bad},
                                                               FIRST_ROW + len(NOTES_IN_NAMES) + 1: ["bank.unwritable"]}


def test_the_characters_a_name_may_hold_between_its_parts_are_the_workspaces(tmp_path, run):
    """vocabulary.yaml names.joiners: a bureau whose bank takes only the ID card's dot keeps only ·,
    and 买买提•艾力 is then name.invalid; a joiner that is a letter or a digit is refused."""
    roster(tmp_path, [voc_row(1, 姓名="阿依古丽·买买提"), voc_row(2, 姓名="买买提•艾力")])
    assert check(run, "a.xlsx", expect_exit=0)["findings"] == []
    path = copy_rule(tmp_path, "vocabulary.yaml")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["names"] = {"joiners": ["·"]}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert_finding(only(check(run, "a.xlsx", expect_exit=1), "name.invalid"), code="name.invalid",
                   severity="error", row=5, column="姓名", says=("含有“•”",))
    data["names"] = {"joiners": ["·", "1"]}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    code, out, err = run("validate", "a.xlsx", "--term", TERM)
    assert code == 2 and "joiners" in err and "“1”" in err, err


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def test_a_footnote_mark_after_a_card_or_an_id_is_no_digit(tmp_path, run):
    """An 18-digit card with ① after it (见备注) was folded by NFKC to a 19-digit card passing Luhn
    and paid to it; an ID with ① for its last character to a valid ID. Neither is a digit: card.format
    and id.format, each naming the mark; not paid."""
    card = next(c for c in (make_card(length=18, seed=s) for s in range(1000)) if _luhn_ok(c + "1"))
    number = next(n for n in (make_id(seq=2 * s) for s in range(500)) if n.endswith("1"))
    rows = [voc_row(1), voc_row(2, 银行卡号=card + "①"), voc_row(3, 身份证号码=number[:17] + "①"),
            voc_row(4, 银行卡号=card + "¹")]
    path = roster(tmp_path, rows)
    doc = check(run, "a.xlsx", expect_exit=1)
    assert codes(doc) == {("a.xlsx", 5, "card.format"), ("a.xlsx", 6, "id.format"), ("a.xlsx", 7, "card.format")}
    cards = sorted(found(doc, "card.format"), key=lambda f: f["row"])
    assert_finding(cards[0], code="card.format", severity="error", row=5, column="银行卡号",
                   says=(f"银行卡号“{card}①”中的“①”不是数字", "备注"))
    assert "“¹”不是数字" in cards[1]["message"]
    assert_finding(only(doc, "id.format"), code="id.format", severity="error", row=6, column="身份证号码",
                   says=(f"身份证号码“{number[:17]}①”中的“①”不是数字", "备注"))
    code, plan, err = dry_run(run, tmp_path, path)
    assert [p["row"] for p in plan["payments"]] == [4], (code, err)


def test_a_footnote_mark_after_an_amount_is_no_digit(tmp_path, run):
    """学前教育资助 pays the roster's amount: 750¹ and 750① were read as 7501 and paid 7,501.00. They
    are amount.invalid and not paid; ７５０ (full-width digits) is 750."""
    rows = [{"序号": k, "幼儿姓名": name, "性别": "男", "身份证号码": make_id(birth="20070312", seq=170 + 2 * k),
             "困难等级": "一档", "资助项目": "学前教育资助", "资助金额（元）": amount, "银行卡号": make_card(seed=20 + k)}
            for k, (name, amount) in enumerate([("幼儿甲", 750), ("幼儿乙", "750¹"), ("幼儿丙", "750①"),
                                                ("幼儿丁", "７５０")], start=1)]
    path = write_roster(tmp_path / "k.xlsx", rows, list(rows[0]), above=[["填报单位：城关幼儿园"]])
    doc = check(run, "k.xlsx", expect_exit=1)
    assert codes(doc) == {("k.xlsx", 4, "amount.invalid"), ("k.xlsx", 5, "amount.invalid")}
    assert [f["value"] for f in found(doc, "amount.invalid")] == ["750¹", "750①"]
    code, plan, err = dry_run(run, tmp_path, path)
    assert sorted((p["row"], p["amount"]) for p in plan["payments"]) == [(3, "750.00"), (6, "750.00")], (code, err)


def test_id_missing(tmp_path, run):
    roster(tmp_path, [voc_row(1), voc_row(2, 身份证号码=None)])
    doc = check(run, "a.xlsx", expect_exit=1)
    assert codes(doc) == {("a.xlsx", 5, "id.missing")}
    assert_finding(only(doc, "id.missing"), code="id.missing", severity="error", row=5, column="身份证号码",
                   says=("身份证号码为空",))


def test_id_format_seventeen_characters(tmp_path, run):
    bad = make_id(seq=130)[:-1]
    roster(tmp_path, [voc_row(1, 身份证号码=bad)])
    doc = check(run, "a.xlsx", expect_exit=1)
    assert codes(doc) == {("a.xlsx", 4, "id.format")}
    f = only(doc, "id.format")
    assert_finding(f, code="id.format", severity="error", row=4, column="身份证号码", says=(bad, "17"))
    assert f["value"] == bad


def test_id_legacy_fifteen_digits_is_a_warning(tmp_path, run):
    roster(tmp_path, [voc_row(1, 身份证号码=LEGACY_15)])
    doc = check(run, "a.xlsx", expect_exit=0)
    assert codes(doc) == {("a.xlsx", 4, "id.legacy")}
    assert_finding(only(doc, "id.legacy"), code="id.legacy", severity="warning", row=4, column="身份证号码",
                   says=(LEGACY_15, "15位", LEGACY_18))


def test_id_checksum(tmp_path, run):
    good = make_id(seq=140)
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    # the header written another way: the finding names the header as written
    headers = [h if h != "身份证号码" else "公民身份号码" for h in VOC_HEADERS]
    roster(tmp_path, [{**voc_row(1), "公民身份号码": voc_row(1)["身份证号码"]}, {**voc_row(2), "公民身份号码": wrong}],
           headers=headers)
    doc = check(run, "a.xlsx", expect_exit=1)
    assert codes(doc) == {("a.xlsx", 5, "id.checksum")}
    assert_finding(only(doc, "id.checksum"), code="id.checksum", severity="error", row=5, column="公民身份号码",
                   says=(wrong, f"应为“{good[-1]}”"))


def test_id_birthdate_after_term_start(tmp_path, run):
    late = make_id(birth="20111001", seq=150)
    roster(tmp_path, [voc_row(1, 身份证号码=late)])
    doc = check(run, "a.xlsx", expect_exit=1)
    assert codes(doc) == {("a.xlsx", 4, "id.birthdate")}
    f = only(doc, "id.birthdate")
    assert_finding(f, code="id.birthdate", severity="error", row=4, column="身份证号码",
                   says=(late, "晚于开学日（2011-09-01）"))
    # the ID is quoted whole (a workbook masks it); its birth date alone never (it is what the mask hides)
    assert "20111001" not in f["message"].replace(late, "")


def test_id_birthdate_that_does_not_exist(tmp_path, run):
    impossible = make_id(birth="19950230", seq=152)
    old = make_id(birth="18991231", seq=154)
    roster(tmp_path, [voc_row(1, 身份证号码=impossible), voc_row(2, 身份证号码=old)])
    doc = check(run, "a.xlsx", expect_exit=1)
    assert codes(doc) == {("a.xlsx", 4, "id.birthdate"), ("a.xlsx", 5, "id.birthdate")}
    got = sorted(found(doc, "id.birthdate"), key=lambda f: f["row"])
    assert "出生日期不是真实存在的日期" in got[0]["message"] and "早于1900年" in got[1]["message"]
    assert "19950230" not in got[0]["message"].replace(impossible, "")


def test_id_precision_lost_number_cell(tmp_path, run):
    roster(tmp_path, [voc_row(1), voc_row(2, 身份证号码=420102199503121234)])
    doc = check(run, "a.xlsx", expect_exit=1)
    assert ("a.xlsx", 5, "id.precision_lost") in codes(doc)
    assert not [f for f in doc["findings"] if f["code"] in ("id.checksum", "id.format", "id.birthdate")]
    assert_finding(only(doc, "id.precision_lost"), code="id.precision_lost", severity="error", row=5,
                   column="身份证号码", says=("文本",))


def test_gender_mismatch(tmp_path, run):
    roster(tmp_path, [voc_row(1, 性别="女")])  # voc_row's IDs are male
    doc = check(run, "a.xlsx", expect_exit=0)
    assert codes(doc) == {("a.xlsx", 4, "gender.mismatch")}
    f = only(doc, "gender.mismatch")
    assert_finding(f, code="gender.mismatch", severity="warning", row=4, column="性别", says=("女", "男"))
    assert f["value"] == "女"


def test_a_gender_no_word_reads_is_said_and_not_compared(tmp_path, run):
    """A 性别 no word of rules/vocabulary.yaml gender reads (0, GB/T 2261.1's 未知的性别; 未知) was taken for
    a blank: nothing said, and explain called the comparison with the ID 通过. It is gender.unread, a
    warning, paid; explain shows the comparison 未检查 and why. The GB/T 2261.1 codes 1 and 2 (学籍系统
    exports, number cells too) and 男生/女生 are read: 2 against a male ID is gender.mismatch. A blank
    性别 says nothing, and explain says it was not compared."""
    female = make_id(seq=181, male=False)
    rows = [voc_row(1, 性别="0"), voc_row(2, 性别="未知"), voc_row(3, 性别=2), voc_row(4, 性别="2", 身份证号码=female),
            voc_row(5, 性别="男生"), voc_row(6, 性别=None), voc_row(7, 性别=1)]
    path = roster(tmp_path, rows)
    doc = check(run, "a.xlsx", expect_exit=0)
    assert codes(doc) == {("a.xlsx", 4, "gender.unread"), ("a.xlsx", 5, "gender.unread"),
                          ("a.xlsx", 6, "gender.mismatch")}
    unread = sorted(found(doc, "gender.unread"), key=lambda f: f["row"])
    assert_finding(unread[0], code="gender.unread", severity="warning", row=4, column="性别",
                   says=("性别“0”无法识别", "没有与身份证号码核对", "“男”或“女”"))
    assert [f["value"] for f in unread] == ["0", "未知"]
    assert "性别填“2”" in only(doc, "gender.mismatch")["message"]
    code, plan, err = dry_run(run, tmp_path, path)
    assert len(plan["payments"]) == len(rows), (code, err)
    verdicts = {}
    for row in (4, 6, 7, 9):
        code, doc, err = run("explain", "--file", tmp_path / "intake" / TERM / "a.xlsx", "--row", row, "--term", TERM,
                             "--workspace", tmp_path, "--format", "json", as_json=True)
        gender = next(c for c in doc["records"][0]["checks"] if c["check"] == "gender")
        verdicts[row] = (gender["verdict"], gender["detail"] or "")
    assert verdicts[4][0] == "not_checked" and "性别“0”无法识别" in verdicts[4][1]
    assert verdicts[6][0] == "warning" and verdicts[7] == ("passed", "")
    assert verdicts[9][0] == "not_checked" and "性别为空" in verdicts[9][1]


def test_a_grade_written_with_jie_is_not_read_until_the_rules_say_what_it_means(tmp_path, run):
    """2011届 names the class graduating in 2011 in most schools (gone by the autumn), the class that
    entered in 2011 in some; it was read as 2011级 and 2011届 paid as 一年级. Unless the rules say what
    届 means (rules/vocabulary.yaml grades.class_of_means), no year of study is read from it:
    grade.ambiguous, an error, not paid; a warning, paid, where the programme reads no grade (学前). A
    bureau that has found its schools mean the year of entry says so (entry); a copy of the rule file
    made before the keys (届 among cohort_suffixes) still reads it as undecided, and is told so."""
    rows = [voc_row(1), voc_row(2, 年级="2011届"), voc_row(3, 年级="10届"), voc_row(4, 年级="2011级")]
    path = roster(tmp_path, rows)
    doc = check(run, "a.xlsx", expect_exit=1)
    got = sorted(found(doc, "grade.ambiguous"), key=lambda f: f["row"])
    assert [f["row"] for f in got] == [5, 6]
    assert_finding(got[0], code="grade.ambiguous", severity="error", row=5, column="年级",
                   says=("年级“2011届”", "毕业", "入学", "不予发放"))
    assert "“10届”即2010年毕业" in got[1]["message"] and got[1]["value"] == "10届"
    assert not found(doc, "eligibility.not_eligible")   # not known to fail the 年级 condition: unknown
    code, plan, err = dry_run(run, tmp_path, path)
    assert [p["row"] for p in plan["payments"]] == [4, 7], (code, err)
    assert {r["row"]: "grade.ambiguous" in r["codes"] for r in plan["refused"]} == {5: True, 6: True}
    code, doc, err = run("explain", "--file", tmp_path / "intake" / TERM / "a.xlsx", "--row", 5, "--term", TERM,
                         "--workspace", tmp_path, "--format", "json", as_json=True)
    grade = next(c for c in doc["records"][0]["checks"] if c["check"] == "grade")
    assert grade["verdict"] == "error" and doc["verdict"] == "refused", grade
    # a kindergarten aid reads no grade: said, paid
    kids = [{"序号": 1, "幼儿姓名": "幼儿甲", "性别": "男", "身份证号码": make_id(birth="20070312", seq=170), "年级": "2011届",
             "困难等级": "一档", "资助项目": "学前教育资助", "资助金额（元）": 750, "银行卡号": make_card(seed=20)}]
    write_roster(tmp_path / "k.xlsx", kids, list(kids[0]), above=[["填报单位：城关幼儿园"]])
    f = only(check(run, "k.xlsx", expect_exit=0), "grade.ambiguous")
    assert_finding(f, code="grade.ambiguous", severity="warning", row=3, column="年级", file="k.xlsx",
                   says=("照常发放",))
    # the bureau has found that its schools write 届 for the year of entry
    rule = copy_rule(tmp_path, "vocabulary.yaml")
    data = yaml.safe_load(rule.read_text(encoding="utf-8"))
    data["grades"]["class_of_means"] = "entry"
    rule.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert check(run, "a.xlsx", expect_exit=0)["findings"] == []   # 2011届: 一年级; 10届: 二年级
    # a copy made before the keys were added
    data["grades"] = {"words": data["grades"]["words"], "cohort_suffixes": ["级", "届"]}
    rule.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    doc = check(run, "a.xlsx", expect_exit=1)
    assert sorted(f["row"] for f in found(doc, "grade.ambiguous")) == [5, 6]
    code, said, err = run("rules", "check", "--workspace", tmp_path, "--format", "json", as_json=True)
    assert any("未写 class_of_suffixes" in w and "届" in w for w in said["warnings"]), said
    # 届 read from the graduation year is not offered: the length of the course is not on the roster
    data["grades"]["class_of_means"] = "graduation"
    rule.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    code, out, err = run("validate", "a.xlsx", "--term", TERM)
    assert code == 2 and "class_of_means" in err and "学制" in err, err


def test_age_out_of_range_for_vocational_at_26_not_25(tmp_path, run):
    aged_26 = make_id(birth="19850901", seq=160)   # 26 on 2011-09-01
    aged_25 = make_id(birth="19850902", seq=162)   # 25 on 2011-09-01 (birthday the next day)
    roster(tmp_path, [voc_row(1, 身份证号码=aged_26), voc_row(2, 身份证号码=aged_25)])
    doc = check(run, "a.xlsx", expect_exit=0)
    assert codes(doc) == {("a.xlsx", 4, "age.out_of_range")}
    assert_finding(only(doc, "age.out_of_range"), code="age.out_of_range", severity="warning", row=4,
                   column="身份证号码", says=("高于", "中职", "25"))
    assert doc["summary"]["errors"] == 0


# --- cards -----------------------------------------------------------------------------------------

def test_card_missing(tmp_path, run):
    roster(tmp_path, [voc_row(1, 银行卡号=None)])
    doc = check(run, "a.xlsx", expect_exit=1)
    assert codes(doc) == {("a.xlsx", 4, "card.missing")}
    assert_finding(only(doc, "card.missing"), code="card.missing", severity="error", row=4, column="银行卡号",
                   says=("银行卡号为空",))


def test_card_format(tmp_path, run):
    headers = [h if h != "银行卡号" else "资助卡号" for h in VOC_HEADERS]
    roster(tmp_path, [{**voc_row(1), "资助卡号": "622202285544086"}], headers=headers)
    doc = check(run, "a.xlsx", expect_exit=1)
    assert codes(doc) == {("a.xlsx", 4, "card.format")}
    assert_finding(only(doc, "card.format"), code="card.format", severity="error", row=4, column="资助卡号",
                   says=("622202285544086", "15"))


def test_card_precision_lost_number_cell(tmp_path, run):
    roster(tmp_path, [voc_row(1), voc_row(2, 银行卡号=6222021234567890123)])
    doc = check(run, "a.xlsx", expect_exit=1)
    assert codes(doc) == {("a.xlsx", 5, "card.precision_lost")}
    assert_finding(only(doc, "card.precision_lost"), code="card.precision_lost", severity="error", row=5,
                   column="银行卡号", says=("文本",))


def test_card_luhn_is_a_warning_and_the_record_is_not_refused(tmp_path, run):
    good = make_card(seed=7)
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    roster(tmp_path, [voc_row(1), voc_row(2, 银行卡号=bad)])
    doc = check(run, "a.xlsx", expect_exit=0)
    assert codes(doc) == {("a.xlsx", 5, "card.luhn")}
    assert_finding(only(doc, "card.luhn"), code="card.luhn", severity="warning", row=5, column="银行卡号",
                   says=(bad, "校验"))
    assert doc["summary"] == {"records": 2, "errors": 0, "warnings": 1}
    # and through the library: the record is still paid
    from aidctl.check import validate
    from aidctl.core.terms import Term
    from aidctl.read import Workspace

    result = validate([tmp_path / "a.xlsx"], Workspace(tmp_path), term=Term.parse(TERM))
    assert not result.refused().any()


def test_card_shared_by_two_students(tmp_path, run):
    card = make_card(seed=42)
    roster(tmp_path, [voc_row(1, 银行卡号=card), voc_row(2), voc_row(3, 银行卡号=card)])
    doc = check(run, "a.xlsx", expect_exit=0)
    assert codes(doc) == {("a.xlsx", 4, "card.shared"), ("a.xlsx", 6, "card.shared")}
    for f, row in zip(found(doc, "card.shared"), (4, 6)):
        assert_finding(f, code="card.shared", severity="warning", row=row, column="银行卡号", says=(card, "2名"))


# --- enrolment -------------------------------------------------------------------------------------

@pytest.mark.parametrize("status", ["退学", "休学", "毕业", "转出"])
def test_status_not_enrolled(tmp_path, run, status):
    roster(tmp_path, [voc_row(1), voc_row(2, 学籍状态=status)])
    doc = check(run, "a.xlsx", expect_exit=1)
    assert codes(doc) == {("a.xlsx", 5, "status.not_enrolled")}
    f = only(doc, "status.not_enrolled")
    assert_finding(f, code="status.not_enrolled", severity="error", row=5, column="学籍状态",
                   says=(status, "不是在籍"))
    assert f["value"] == status


def test_status_unrecognised_word(tmp_path, run):
    roster(tmp_path, [voc_row(1, 学籍状态="待定")])
    doc = check(run, "a.xlsx", expect_exit=1)
    assert codes(doc) == {("a.xlsx", 4, "status.not_enrolled")}
    assert_finding(only(doc, "status.not_enrolled"), code="status.not_enrolled", severity="error", row=4,
                   column="学籍状态", says=("待定", "无法识别"))


@pytest.mark.parametrize("status", ["在籍", "在校", "正常"])
def test_status_enrolled_words_pass(tmp_path, run, status):
    roster(tmp_path, [voc_row(1, 学籍状态=status)])
    assert check(run, "a.xlsx", expect_exit=0)["findings"] == []


# --- eligibility and amounts -----------------------------------------------------------------------

def test_not_eligible_third_year_names_the_condition(tmp_path, run):
    roster(tmp_path, [voc_row(1), voc_row(2, 年级="三年级")])
    doc = check(run, "a.xlsx", expect_exit=1)
    assert codes(doc) == {("a.xlsx", 5, "eligibility.not_eligible")}
    f = only(doc, "eligibility.not_eligible")
    assert_finding(f, code="eligibility.not_eligible", severity="error", row=5, column="年级",
                   says=("一、二年级", "三年级", "中职国家助学金"))


def test_not_eligible_city_household_without_difficulty(tmp_path, run):
    roster(tmp_path, [voc_row(1, 户口性质="城市")])
    doc = check(run, "a.xlsx", expect_exit=1)
    assert codes(doc) == {("a.xlsx", 4, "eligibility.not_eligible")}
    assert_finding(only(doc, "eligibility.not_eligible"), code="eligibility.not_eligible", severity="error",
                   row=4, column="户口性质", says=("城市", "农村户籍"))


def test_county_town_household_is_eligible(tmp_path, run):
    roster(tmp_path, [voc_row(1, 户口性质="县镇非农")])
    assert check(run, "a.xlsx", expect_exit=0)["findings"] == []


def test_unknown_programme_name(tmp_path, run):
    roster(tmp_path, [voc_row(1), voc_row(2, 资助项目="营养改善计划")])
    doc = check(run, "a.xlsx", expect_exit=1)
    assert codes(doc) == {("a.xlsx", 5, "eligibility.unknown_program")}
    f = only(doc, "eligibility.unknown_program")
    assert_finding(f, code="eligibility.unknown_program", severity="error", row=5, column="资助项目",
                   says=("营养改善计划",))
    assert f["value"] == "营养改善计划"


def test_programme_not_in_force_that_term(tmp_path, run):
    """学前教育资助 starts 2011-09-01: in 2010-autumn it is not in force."""
    child = make_id(birth="20070312", seq=170)
    rows = [{"序号": 1, "幼儿姓名": "幼儿一", "性别": "男", "身份证号码": child, "困难等级": "一档",
             "资助项目": "学前教育资助", "资助金额（元）": 500, "银行卡号": make_card(seed=9)}]
    headers = list(rows[0])
    write_roster(tmp_path / "k.xlsx", rows, headers, above=[["填报单位：城关幼儿园"]])
    doc = check(run, "k.xlsx", term="2010-autumn", expect_exit=1)
    assert codes(doc) == {("k.xlsx", 3, "eligibility.unknown_program")}
    assert_finding(only(doc, "eligibility.unknown_program"), code="eligibility.unknown_program",
                   severity="error", row=3, column="资助项目", file="k.xlsx",
                   says=("学前教育资助", "2010年秋季学期", "不在执行期"))
    # and the same roster in 2011-autumn passes
    assert check(run, "k.xlsx", term="2011-autumn", expect_exit=0)["findings"] == []


@pytest.mark.parametrize("written, per_term", [("一档", 1000), ("二档", 750), ("三档", 500), ("特别困难", 1000),
                                               ("困难", 750), ("一般困难", 500)])
def test_high_school_tiers_pass_at_their_amount(tmp_path, run, written, per_term):
    roster(tmp_path, [hs_row(1, 困难等级=written, 金额=per_term)], school="第一中学", headers=HS_HEADERS)
    assert check(run, "a.xlsx", expect_exit=0)["findings"] == []


@pytest.mark.parametrize("written, given, expected", [("一档", 750, "1000.00"), ("二档", 1000, "750.00"),
                                                      ("三档", 750, "500.00"), ("特别困难", 750, "1000.00")])
def test_high_school_tier_amount_mismatch(tmp_path, run, written, given, expected):
    roster(tmp_path, [hs_row(1), hs_row(2, 困难等级=written, 金额=given)], school="第一中学", headers=HS_HEADERS)
    doc = check(run, "a.xlsx", expect_exit=1)
    assert codes(doc) == {("a.xlsx", 5, "amount.mismatch")}
    assert_finding(only(doc, "amount.mismatch"), code="amount.mismatch", severity="error", row=5, column="金额",
                   says=(str(given), expected))


def test_high_school_needs_a_difficulty_tier(tmp_path, run):
    roster(tmp_path, [hs_row(1, 困难等级=None)], school="第一中学", headers=HS_HEADERS)
    doc = check(run, "a.xlsx", expect_exit=1)
    assert ("a.xlsx", 4, "eligibility.not_eligible") in codes(doc)
    f = only(doc, "eligibility.not_eligible")
    assert_finding(f, code="eligibility.not_eligible", severity="error", row=4, column="困难等级",
                   says=("家庭经济困难", "困难等级为空"))


def test_amount_mismatch_vocational(tmp_path, run):
    roster(tmp_path, [voc_row(1), voc_row(2, **{"资助金额（元）": 800})])
    doc = check(run, "a.xlsx", expect_exit=1)
    assert codes(doc) == {("a.xlsx", 5, "amount.mismatch")}
    f = only(doc, "amount.mismatch")
    assert_finding(f, code="amount.mismatch", severity="error", row=5, column="资助金额（元）", says=("800", "750"))


def test_amount_in_ten_thousands_of_yuan_is_converted(tmp_path, run):
    headers = [h if h != "资助金额（元）" else "金额（万元）" for h in VOC_HEADERS]
    rows = [{**voc_row(1), "金额（万元）": 0.075}]
    roster(tmp_path, rows, headers=headers)
    assert check(run, "a.xlsx", expect_exit=0)["findings"] == []
    rows = [{**voc_row(1), "金额（万元）": "750元"}]   # 元 in the cell, 万元 in the header: 750 or 750万?
    roster(tmp_path, rows, headers=headers)
    assert_finding(only(check(run, "a.xlsx", expect_exit=1), "amount.invalid"), code="amount.invalid",
                   severity="error", row=4, column="金额（万元）", says=("750元",))


@pytest.mark.parametrize("amount", [0, -750, "七百五十", "7元50", "¥750元整"])
def test_amount_invalid(tmp_path, run, amount):
    roster(tmp_path, [voc_row(1), voc_row(2, **{"资助金额（元）": amount})])
    doc = check(run, "a.xlsx", expect_exit=1)
    assert codes(doc) == {("a.xlsx", 5, "amount.invalid")}
    assert_finding(only(doc, "amount.invalid"), code="amount.invalid", severity="error", row=5,
                   column="资助金额（元）", says=(str(amount), "金额"))


# --- duplicates ------------------------------------------------------------------------------------

def test_duplicate_within_one_file(tmp_path, run):
    same = make_id(seq=180)
    roster(tmp_path, [voc_row(1, 身份证号码=same), voc_row(2), voc_row(3, 身份证号码=same, 银行卡号=make_card(seed=99))])
    doc = check(run, "a.xlsx", expect_exit=1)
    assert codes(doc) == {("a.xlsx", 4, "id.duplicate"), ("a.xlsx", 6, "id.duplicate")}
    for f, row in zip(found(doc, "id.duplicate"), (4, 6)):
        assert_finding(f, code="id.duplicate", severity="error", row=row, column="身份证号码",
                       says=(same, "2次", "a.xlsx 第4行", "a.xlsx 第6行"))


def test_duplicate_across_two_files_names_the_other(tmp_path, run):
    same = make_id(seq=190)
    roster(tmp_path, [voc_row(1), voc_row(2, 身份证号码=same)], name="a.xlsx", school="第一职业中学")
    roster(tmp_path, [voc_row(3, 身份证号码=same), voc_row(4)], name="b.xlsx", school="东河县职业高级中学")
    doc = check(run, "a.xlsx", "b.xlsx", expect_exit=1)
    assert codes(doc) == {("a.xlsx", 5, "id.duplicate"), ("b.xlsx", 4, "id.duplicate")}
    fa = [f for f in found(doc, "id.duplicate") if f["file"] == "a.xlsx"][0]
    fb = [f for f in found(doc, "id.duplicate") if f["file"] == "b.xlsx"][0]
    assert_finding(fa, code="id.duplicate", severity="error", row=5, column="身份证号码", file="a.xlsx",
                   says=("b.xlsx 第4行", "东河县职业高级中学"))
    assert_finding(fb, code="id.duplicate", severity="error", row=4, column="身份证号码", file="b.xlsx",
                   says=("a.xlsx 第5行", "第一职业中学"))


def test_same_student_in_two_programmes_of_one_school_is_not_a_duplicate(tmp_path, run):
    same = make_id(seq=200)
    roster(tmp_path, [voc_row(1, 身份证号码=same)], name="grant.xlsx")
    roster(tmp_path, [free_row(1, 身份证号码=same)], name="free.xlsx", headers=FREE_HEADERS)
    doc = check(run, "grant.xlsx", "free.xlsx", expect_exit=0)
    assert found(doc, "id.duplicate") == []
    assert doc["findings"] == []


def test_same_student_at_two_schools_is_a_duplicate_even_for_different_programmes(tmp_path, run):
    same = make_id(seq=210)
    roster(tmp_path, [voc_row(1, 身份证号码=same)], name="grant.xlsx", school="第一职业中学")
    roster(tmp_path, [free_row(1, 身份证号码=same)], name="free.xlsx", school="城关职业技术学校",
           headers=FREE_HEADERS)
    doc = check(run, "grant.xlsx", "free.xlsx", expect_exit=1)
    assert codes(doc) == {("grant.xlsx", 4, "id.duplicate"), ("free.xlsx", 4, "id.duplicate")}
    for f in found(doc, "id.duplicate"):
        other = "free.xlsx 第4行" if f["file"] == "grant.xlsx" else "grant.xlsx 第4行"
        assert_finding(f, code="id.duplicate", severity="error", row=4, column="身份证号码", file=f["file"],
                       says=(other,))


def test_a_roster_that_names_no_school_is_not_a_second_school(tmp_path, run):
    """School unknown on one roster (no 填报单位, no school column): different programmes are not a duplicate."""
    same = make_id(seq=220)
    roster(tmp_path, [voc_row(1, 身份证号码=same)], name="grant.xlsx", school="第一职业中学")
    write_roster(tmp_path / "free.xlsx", [free_row(1, 身份证号码=same)], FREE_HEADERS)
    doc = check(run, "grant.xlsx", "free.xlsx", expect_exit=0)
    assert found(doc, "id.duplicate") == []
    # the same programme twice is still a duplicate, school known or not (two students more in each:
    # one shared of three is no second version of one roster, roster.two_versions)
    roster(tmp_path, [voc_row(1, 身份证号码=same), voc_row(4), voc_row(5)], name="grant.xlsx", school="第一职业中学")
    write_roster(tmp_path / "grant2.xlsx", [voc_row(1, 身份证号码=same), voc_row(2), voc_row(3)], VOC_HEADERS)
    doc = check(run, "grant.xlsx", "grant2.xlsx", expect_exit=1)
    assert codes(doc) == {("grant.xlsx", 4, "id.duplicate"), ("grant2.xlsx", 2, "id.duplicate")}


def test_a_first_roster_and_its_revision_read_together_are_two_versions(tmp_path, run):
    """初报 and 修改版 of one school (the 修改版 removed 学生三): one error a file, the students shared not
    listed one by one (more in test_two_versions.py)."""
    roster(tmp_path, [voc_row(i) for i in (1, 2, 3)], name="a.xlsx")
    roster(tmp_path, [voc_row(i) for i in (1, 2)], name="b.xlsx")
    doc = check(run, "a.xlsx", "b.xlsx", expect_exit=1)
    assert codes(doc) == {("a.xlsx", None, "roster.two_versions"), ("b.xlsx", None, "roster.two_versions")}
    for f in found(doc):
        assert_finding(f, code="roster.two_versions", severity="error", row=None, column=None, file=f["file"],
                       says=("“a.xlsx”和“b.xlsx”是第一职业中学同一份花名册的两个版本", "2 名学生相同"))


def test_legacy_and_new_id_of_one_student_are_a_duplicate(tmp_path, run):
    new = LEGACY_18
    roster(tmp_path, [voc_row(1, 身份证号码=LEGACY_15), voc_row(2, 身份证号码=new, 银行卡号=make_card(seed=77))])
    doc = check(run, "a.xlsx")
    assert {("a.xlsx", 4, "id.duplicate"), ("a.xlsx", 5, "id.duplicate")} <= codes(doc)


# --- registry --------------------------------------------------------------------------------------

def write_registry(path: Path, students: list[tuple[str, str, str]]) -> Path:
    rows = [{"学籍号": f"G{i:08d}", "身份证号": sid, "姓名": name, "学校": school}
            for i, (sid, name, school) in enumerate(students, 1)]
    return write_roster(path, rows, ["学籍号", "身份证号", "姓名", "学校"])


def test_registry_not_found_and_mismatch(tmp_path, run):
    rows = [voc_row(i) for i in range(1, 5)]
    roster(tmp_path, rows)
    write_registry(tmp_path / "reg.xlsx", [
        (rows[0]["身份证号码"], rows[0]["姓名"], "第一职业中学"),
        (rows[1]["身份证号码"], "别的名字", "第一职业中学"),
        (rows[2]["身份证号码"], rows[2]["姓名"], "城关职业技术学校"),
        # rows[3] is not in the registry
    ])
    # without --registry nothing is said
    assert check(run, "a.xlsx", expect_exit=0)["findings"] == []
    doc = check(run, "a.xlsx", extra=("--registry", "reg.xlsx"), expect_exit=1)
    assert codes(doc) == {("a.xlsx", 5, "registry.mismatch"), ("a.xlsx", 6, "registry.mismatch"),
                          ("a.xlsx", 7, "registry.not_found")}
    by_row = {f["row"]: f for f in doc["findings"]}
    assert_finding(by_row[5], code="registry.mismatch", severity="error", row=5, column="姓名",
                   says=(rows[1]["姓名"], "别的名字"))
    assert_finding(by_row[6], code="registry.mismatch", severity="error", row=6, column="学校名称",
                   says=("城关职业技术学校", "第一职业中学"))
    assert_finding(by_row[7], code="registry.not_found", severity="error", row=7, column="身份证号码",
                   says=(rows[3]["身份证号码"], "reg.xlsx"))


def test_an_id_on_registry_rows_that_disagree_is_a_finding_never_settled_by_their_order(tmp_path, run):
    """学生1 stands twice in the export, at two schools: which row is true is not aidctl's to guess
    (the first row used to win, and 学生1 passed). 学生2 stands twice alike: one student."""
    rows = [voc_row(1), voc_row(2)]
    roster(tmp_path, rows)
    write_registry(tmp_path / "reg.xlsx", [
        (rows[0]["身份证号码"], rows[0]["姓名"], "第一职业中学"),
        (rows[1]["身份证号码"], rows[1]["姓名"], "第一职业中学"),
        (rows[0]["身份证号码"], rows[0]["姓名"], "城关职业技术学校"),
        (rows[1]["身份证号码"], rows[1]["姓名"], "第一职业中学"),
    ])
    path = tmp_path / "reg.xlsx"
    wb = openpyxl.load_workbook(path)
    wb.active["A5"] = wb.active["A3"].value  # the same 学籍号 on 学生2's two rows: the rows agree
    wb.save(path)
    doc = check(run, "a.xlsx", extra=("--registry", "reg.xlsx"), expect_exit=1)
    assert codes(doc) == {("a.xlsx", 4, "registry.mismatch")}
    assert_finding(doc["findings"][0], code="registry.mismatch", severity="error", row=4, column="身份证号码",
                   says=("多条不一致的记录", "reg.xlsx第2行", "第一职业中学", "reg.xlsx第4行", "城关职业技术学校"))


def test_an_alias_two_schools_share_in_schools_xlsx_names_neither_against_the_registry(tmp_path, run):
    """一职 is the 别名 of two schools: a roster sent as 一职 is not taken for the first of them, so a
    registry that has the student at 第一职业中学 is a mismatch to look at, not a silent match."""
    rows = [voc_row(1)]
    roster(tmp_path, rows, school="一职")
    write_roster(tmp_path / "schools.xlsx", [
        {"学校代码": "3101", "学校名称": "第一职业中学", "学校类型": "中职", "所属县区": "城关区", "别名": "一职"},
        {"学校代码": "3102", "学校名称": "城关职业技术学校", "学校类型": "中职", "所属县区": "城关区", "别名": "一职、城关职校"}],
        ["学校代码", "学校名称", "学校类型", "所属县区", "别名"])
    write_registry(tmp_path / "reg.xlsx", [(rows[0]["身份证号码"], rows[0]["姓名"], "第一职业中学")])
    doc = check(run, "a.xlsx", extra=("--registry", "reg.xlsx"), expect_exit=1)
    assert codes(doc) == {("a.xlsx", 4, "registry.mismatch")}
    assert "一职" in doc["findings"][0]["message"] and "第一职业中学" in doc["findings"][0]["message"]


TWO_FIRST_SCHOOLS = [
    {"学校代码": "3201", "学校名称": "第一中学", "学校类型": "中职", "所属县区": "城关区", "别名": "城关一中"},
    {"学校代码": "3999", "学校名称": "第一中学", "学校类型": "中职", "所属县区": "西山县", "别名": "西山一中"}]


def test_a_school_name_schools_xlsx_gives_two_schools_is_said_aloud_by_validate(tmp_path, run):
    """Two 第一中学, both 中职, in 城关区 and 西山县: a roster of 第一中学 without its 学校代码 is 中职 (both
    are) but takes neither one's county, and validate says so in its notes (stderr and JSON); with
    the code, or under a 别名 only one of them has, the register decides and nothing is said."""
    write_roster(tmp_path / "schools.xlsx", TWO_FIRST_SCHOOLS, ["学校代码", "学校名称", "学校类型", "所属县区", "别名"])
    roster(tmp_path, [voc_row(1), voc_row(2)], school="第一中学")
    code, doc, err = run("validate", "a.xlsx", "--term", TERM, "--format", "json", as_json=True)
    said = [n for n in doc["notes"] if "schools.xlsx" in n]
    assert code == 0 and said == [
        "2 条记录的学校 “第一中学” 在 schools.xlsx 中是不止一所学校的名称或别名，这些学校的类型、办学性质或县区不同，记录又"
        "没有 schools.xlsx 中登记的学校代码：无法确定是哪一所，不同之处只按花名册所填（及校名）判断，未填的为不明；"
        "请在花名册中填写学校代码，或在 schools.xlsx 中区分这些学校的名称"], (code, doc["notes"], doc["findings"])
    assert said[0] in err
    roster(tmp_path, [voc_row(1, 学校代码="3999"), voc_row(2, 学校代码="3999")], school="第一中学",
           headers=[*VOC_HEADERS, "学校代码"])
    assert not [n for n in check(run, "a.xlsx", expect_exit=0)["notes"] if "schools.xlsx" in n]
    roster(tmp_path, [voc_row(1), voc_row(2)], school="西山一中")
    assert not [n for n in check(run, "a.xlsx", expect_exit=0)["notes"] if "schools.xlsx" in n]


def test_what_a_roster_says_of_its_school_against_schools_xlsx_is_said_aloud(tmp_path, run):
    """The roster says 普通高中, 民办, 东河县 of a school schools.xlsx registers as 中职, 公办, 城关区: the
    register decides, and the run says which records disagree, on what (stderr and JSON notes)."""
    write_roster(tmp_path / "schools.xlsx", [{"学校代码": "3101", "学校名称": "第一职业中学", "学校类型": "中等职业学校",
                                              "所属县区": "城关区", "办学性质": "公办"}],
                 ["学校代码", "学校名称", "学校类型", "所属县区", "办学性质"])
    headers = [*VOC_HEADERS, "学校类型", "所属县区", "办学性质"]
    rows = [{**voc_row(i), "学校类型": "普通高中", "所属县区": "东河县", "办学性质": "民办"} for i in (1, 2)]
    roster(tmp_path, rows, headers=headers)
    code, doc, err = run("validate", "a.xlsx", "--term", TERM, "--format", "json", as_json=True)
    said = [n for n in doc["notes"] if "schools.xlsx 登记的不同" in n]
    assert code == 0 and len(said) == 1 and said[0] in err, doc["notes"]
    assert said[0].startswith("2 条记录") and "第一职业中学（学校类型花名册为“普高”，schools.xlsx 为“中职”；办学性质花名册为" \
        "“民办”，schools.xlsx 为“公办”；所属县区花名册为“东河县”，schools.xlsx 为“城关区”）" in said[0]
    roster(tmp_path, [{**voc_row(i), "学校类型": "中职", "所属县区": "城关区", "办学性质": "公办"} for i in (1, 2)],
           headers=headers)   # the same words, written otherwise (中职 for 中等职业学校): nothing to say
    assert not [n for n in check(run, "a.xlsx", expect_exit=0)["notes"] if "schools.xlsx" in n]


def test_a_name_two_schools_share_leaves_the_registry_comparing_names_not_counties(tmp_path, run):
    """The two 第一中学 differ in county but not in name: a student the registry has at 第一中学 is at
    a 第一中学 whichever it is, and one registered under 城关一中 (one of them) is at 第一中学 too."""
    write_roster(tmp_path / "schools.xlsx", TWO_FIRST_SCHOOLS, ["学校代码", "学校名称", "学校类型", "所属县区", "别名"])
    rows = [voc_row(1), voc_row(2)]
    roster(tmp_path, rows, school="第一中学")
    write_registry(tmp_path / "reg.xlsx", [(rows[0]["身份证号码"], rows[0]["姓名"], "第一中学"),
                                           (rows[1]["身份证号码"], rows[1]["姓名"], "城关一中")])
    doc = check(run, "a.xlsx", extra=("--registry", "reg.xlsx"), expect_exit=0)
    assert codes(doc) == set()


def test_registry_finds_a_legacy_id_under_its_18_digit_form(tmp_path, run):
    new = LEGACY_18
    roster(tmp_path, [voc_row(1, 身份证号码=LEGACY_15)])
    write_registry(tmp_path / "reg.xlsx", [(new, voc_row(1)["姓名"], "第一职业中学")])
    doc = check(run, "a.xlsx", extra=("--registry", "reg.xlsx"))
    assert codes(doc) == {("a.xlsx", 4, "id.legacy")}


def test_registry_with_two_status_columns_no_rule_decides_stops_the_check(tmp_path, run):
    """学籍状态 and 在校状态 disagreeing in the 学籍 export: never guessed; exit 2 naming both columns."""
    rows = [voc_row(1)]
    roster(tmp_path, rows)
    write_roster(tmp_path / "reg.xlsx", [{"身份证号": rows[0]["身份证号码"], "姓名": rows[0]["姓名"], "学校": "第一职业中学",
                                          "学籍状态": "在籍", "在校状态": "退学"}],
                 ["身份证号", "姓名", "学校", "学籍状态", "在校状态"])
    code, out, err = run("validate", "a.xlsx", "--term", TERM, "--registry", "reg.xlsx")
    assert code == 2 and "reg.xlsx" in err and "“学籍状态”（第D列）" in err and "“在校状态”" in err, err


def test_registry_column_settled_by_a_rule_is_said_in_the_notes(tmp_path, run):
    rows = [voc_row(1)]
    roster(tmp_path, rows)
    path = write_roster(tmp_path / "reg.xlsx", [{"身份证号": rows[0]["身份证号码"], "姓名": rows[0]["姓名"], "学校": "第一职业中学",
                                                 "学籍状态": "退学", "在校状态": "在籍"}],
                        ["身份证号", "姓名", "学校", "学籍状态", "在校状态"])
    wb = openpyxl.load_workbook(path)
    wb.active.column_dimensions["D"].hidden = True   # an old status, hidden: the visible one is read
    wb.save(path)
    doc = check(run, "a.xlsx", extra=("--registry", "reg.xlsx"), expect_exit=0)
    assert any("学籍库导出" in n and "“学籍状态”（第D列，已隐藏）" in n for n in doc["notes"]), doc["notes"]


# --- rules are data --------------------------------------------------------------------------------

def copy_rule(tmp_path: Path, name: str) -> Path:
    target = tmp_path / "rules" / name
    target.parent.mkdir(exist_ok=True)
    shutil.copy(packaged_rules_dir() / name, target)
    return target


def test_workspace_severity_override_changes_severity_and_exit(tmp_path, run):
    good = make_card(seed=8)
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    roster(tmp_path, [voc_row(1, 银行卡号=bad)])
    assert only(check(run, "a.xlsx", expect_exit=0), "card.luhn")["severity"] == "warning"
    path = copy_rule(tmp_path, "severities.yaml")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["overrides"] = {"card.luhn": "error"}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    doc = check(run, "a.xlsx", expect_exit=1)
    assert only(doc, "card.luhn")["severity"] == "error"
    assert doc["summary"]["errors"] == 1 and doc["summary"]["warnings"] == 0


def test_workspace_programmes_copy_changes_the_standard(tmp_path, run):
    path = copy_rule(tmp_path, "programmes.yaml")
    text = path.read_text(encoding="utf-8")
    marker = 'from: 2007-09-01\n        amount: {per_term: "750.00"}'
    assert marker in text
    path.write_text(text.replace(marker, 'from: 2007-09-01\n        amount: {per_term: "800.00"}'),
                    encoding="utf-8")
    roster(tmp_path, [voc_row(1, **{"资助金额（元）": 800})], name="a.xlsx")
    assert check(run, "a.xlsx", expect_exit=0)["findings"] == []
    roster(tmp_path, [voc_row(1, **{"资助金额（元）": 750})], name="b.xlsx")
    doc = check(run, "b.xlsx", expect_exit=1)
    assert codes(doc) == {("b.xlsx", 4, "amount.mismatch")}
    assert "800.00" in only(doc, "amount.mismatch")["message"]



@pytest.mark.parametrize("conditions", [62, 63])
def test_a_period_holds_at_most_62_conditions(tmp_path, run, conditions):
    """Each record's failed conditions are kept as bits of one 64-bit number: a workspace period with
    more top-level conditions than it holds is refused, naming the file, the programme and the period."""
    from aidctl.check.eligibility import MAX_CONDITIONS

    assert MAX_CONDITIONS == 62
    path = copy_rule(tmp_path, "programmes.yaml")
    text = path.read_text(encoding="utf-8")
    first = "          - {field: grade, in: [1, 2], label: 一、二年级}\n"     # the 2007 period's first of two
    assert first in text
    more = "".join(f"          - {{field: grade, in: [1, 2], label: 一、二年级{k}}}\n" for k in range(conditions - 3))
    last = "          - {field: grade, in: [2], label: 二年级（最后一个条件）}\n"   # the highest bit: 一年级 fails it
    path.write_text(text.replace(first, first + more + last, 1), encoding="utf-8")
    roster(tmp_path, [voc_row(1)])
    if conditions <= MAX_CONDITIONS:
        f = only(check(run, "a.xlsx", expect_exit=1), "eligibility.not_eligible")
        assert "二年级（最后一个条件）" in f["message"] and "一、二年级1" not in f["message"]
        return
    code, out, err = run("validate", "a.xlsx", "--term", TERM)
    assert code == 2 and out == ""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and str(path) in lines[0], err
    assert "“中职国家助学金”自 2007-09-01 起的时段有 63 个条件，最多 62 个" in lines[0]

def test_messages_are_filled_from_parts_and_blanks_read_empty():
    """A finding's message: its template filled record by record from aligned columns (a blank
    shows as 空) and plain text, whatever the columns hold (text, numbers, categories)."""
    from aidctl.core.findings import build

    person = pd.Series(["甲", None, "乙", "丙"], dtype="string")  # aligned with the roster's records
    years = pd.Series([17, 18, 19, 20])
    kind = pd.Series(pd.Categorical(["x", "y", None, "x"]))
    found = build(pd.Series([True, True, False, True]), "id.checksum", "id_number",
                  "{who}（{age} 岁，{kind}）在{where}", who=person, age=years, kind=kind, where="某校")
    assert found["rec"].tolist() == [0, 1, 3]
    assert found["message"].tolist() == ["甲（17 岁，x）在某校", "空（18 岁，y）在某校", "丙（20 岁，x）在某校"]
    assert build(pd.Series([True, True]), "id.checksum", None, "固定的话")["message"].tolist() == ["固定的话"] * 2


def test_findings_are_ordered_by_file_row_then_the_catalogue(tmp_path, run):
    """Within a row, the catalogue's order of codes decides, not the order the checks ran in."""
    from aidctl.core.findings import per_code

    order = {c: i for i, c in enumerate(CATALOGUE)}
    codes_ = pd.Series(["card.luhn", "id.checksum", "card.luhn", "no.such.code"], dtype="str")
    got = per_code(codes_, order)
    assert got[:3].tolist() == [order["card.luhn"], order["id.checksum"], order["card.luhn"]] and np.isnan(got[3])
    good = make_card(seed=8)
    wrong_id = make_id(seq=141)
    wrong_id = wrong_id[:-1] + ("0" if wrong_id[-1] != "0" else "1")
    roster(tmp_path, [voc_row(1, 银行卡号=good[:-1] + str((int(good[-1]) + 1) % 10), 身份证号码=wrong_id)])
    doc = check(run, "a.xlsx", expect_exit=1)
    found = [f["code"] for f in doc["findings"] if f["row"] == 4]
    assert len(found) >= 2 and found == sorted(found, key=order.__getitem__)
