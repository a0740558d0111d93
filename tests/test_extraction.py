"""audit-extraction: the set-aside from 事业收入 (职高 5%, 普高 3–5%), deposit into the 专户, spending."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import SAMPLES

SAMPLE = SAMPLES / "finance" / "2011年度校内资助资金提取情况.xlsx"
HEAD = ["学校代码", "学校名称", "学校类型", "所属县区", "事业收入（元）", "提取金额（元）", "划入专户金额（元）", "发放金额（元）"]


def sheet(path: Path, rows: list[list], headers: list[str] = HEAD, above: list[list] | None = None,
          below: list[list] = ()) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for line in above or [["2011年度校内资助资金提取情况"]]:
        ws.append(line)
    ws.append(headers)
    for r in [*rows, *below]:
        ws.append(r)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def school(code="9001", name="测试职业中学", kind="中职", county="甲县", income=1_000_000, extracted=50_000,
           deposited=None, spent=None):
    deposited = extracted if deposited is None else deposited
    spent = deposited if spent is None else spent
    return [code, name, kind, county, income, extracted, deposited, spent]


def audit(run, tmp_path, *rows, headers=HEAD, extra=()):
    path = sheet(tmp_path / "finance.xlsx", list(rows), headers)
    code, doc, err = run("audit-extraction", path, "--format", "json", "--workspace", tmp_path, *extra,
                         as_json=True)
    assert code in (0, 1), err
    return code, doc


def finding(doc, school: int, *, code: str) -> dict:
    """The one finding `code` of the school at position `school` (fails if there is not exactly one)."""
    hits = [f for f in doc["schools"][school]["findings"] if f["code"] == code]
    assert len(hits) == 1, doc["schools"][school]["findings"]
    return hits[0]


def codes(doc) -> list[list[str]]:
    return [[f["code"] for f in s["findings"]] for s in doc["schools"]]


def test_the_sample_sheet_finds_each_kind_of_problem(run):
    code, doc, err = run("audit-extraction", SAMPLE, "--format", "json", "--workspace", SAMPLES, as_json=True)
    assert code == 1, err
    assert doc["version"] == 1 and doc["year"] == 2011
    found = {s["school_name"]: [f["code"] for f in s["findings"]] for s in doc["schools"]}
    assert found == {"第一职业中学": [], "城关职业技术学校": ["extraction.under"], "第一中学": ["extraction.not_deposited"],
                     "实验中学": ["extraction.over"], "东河县职业高级中学": ["extraction.unspent"], "西山县第二中学": []}
    s = doc["summary"]
    assert (s["schools"], s["compliant"], s["attention"], s["non_compliant"]) == (6, 2, 2, 2)
    assert s["shortfall"] == "100000.00" and s["income"] == "95005000.00"


def test_units_are_honoured_column_by_column(run):
    # 事业收入 in 万元, the others in 元: 2000万 × 5% = 100万 required
    code, doc, err = run("audit-extraction", SAMPLE, "--format", "json", "--workspace", SAMPLES, as_json=True)
    first = doc["schools"][0]
    assert first["income"] == "20000000.00" and first["required_min"] == "1000000.00"
    west = [x for x in doc["schools"] if x["school_name"] == "西山县第二中学"][0]
    assert west["income"] == "10005000.00"            # 1000.5 万元, exact
    assert west["required_min"] == "300150.00" and west["required_max"] == "500250.00"
    assert west["rate"] == "4.00%"


def test_a_unit_stated_above_the_header_applies_to_the_money_columns_without_their_own(run, tmp_path):
    """单位：人、万元 above the table: 事业收入 100 is 100万元, 提取金额 5 is 5万元; a column that states
    its own unit (元) keeps it; 填报单位 and 单位：见各列 state no unit."""
    headers = ["学校代码", "学校名称", "学校类型", "所属县区", "事业收入", "提取金额", "划入专户金额（元）", "发放金额（元）"]
    above = [["2011年度校内资助资金提取情况"], ["填报单位：市教育局计划财务科", None, None, None, None, "单位：人、万元"]]
    path = sheet(tmp_path / "finance.xlsx", [school(income=100, extracted=5, deposited=50_000, spent=50_000)], headers,
                 above)
    code, doc, err = run("audit-extraction", path, "--format", "json", "--workspace", tmp_path, as_json=True)
    assert code == 0, err
    s = doc["schools"][0]
    assert (s["income"], s["extracted"], s["deposited"]) == ("1000000.00", "50000.00", "50000.00"), s
    above[1][5] = "单位：见各列"
    sheet(tmp_path / "finance.xlsx", [school(income=1_000_000, extracted=50_000)], headers, above)
    code, doc, err = run("audit-extraction", path, "--format", "json", "--workspace", tmp_path, as_json=True)
    assert code == 0 and doc["schools"][0]["income"] == "1000000.00", err


@pytest.mark.parametrize("income_head, above, below", [("事业收入（百万元）", None, None), ("事业收入", "单位：百万元", None),
                                                       ("事业收入", "单位：元、万元", None),
                                                       ("事业收入", None, "单位：百万元"),
                                                       ("事业收入", "单位：万元", "单位：元、万元")])
def test_a_unit_of_money_the_rules_do_not_know_is_never_read_as_yuan(run, tmp_path, income_head, above, below):
    headers = [income_head if h == "事业收入（元）" else h for h in HEAD]
    if above:   # the other money columns state their own unit (元): only 事业收入 depends on the line
        lines = [["2011年度校内资助资金提取情况"], [None, None, None, None, None, above]]
    else:
        lines = None
    path = sheet(tmp_path / "finance.xlsx", [school(income=1)], headers, lines,
                 below=[["制表人：张三", None, None, None, None, below]] if below else ())
    code, doc, err = run("audit-extraction", path, "--format", "json", "--workspace", tmp_path, as_json=True)
    assert code == 2 and doc == "", (code, doc)
    assert "金额单位" in err and "不是可识别的单位" in err and "finance.xlsx" in err and "事业收入" in err, err


def test_under_extraction_is_an_error_with_the_shortfall(run, tmp_path):
    code, doc = audit(run, tmp_path, school(income=1_000_000, extracted=40_000))
    assert code == 1 and codes(doc) == [["extraction.under"]]
    s = doc["schools"][0]
    assert (s["required_min"], s["extracted"], s["shortfall"], s["rate"]) == ("50000.00", "40000.00", "10000.00", "4.00%")
    f = finding(doc, 0, code="extraction.under")
    assert f["severity"] == "error" and "少提取10000.00元" in f["message"] and "5%" in f["message"]


def test_exactly_the_minimum_complies_and_rounding_is_half_up_to_the_fen(run, tmp_path):
    # 普高 3% of 1,000,001.50 yuan = 30,000.045 → 30,000.05 required
    code, doc = audit(run, tmp_path, school(kind="普通高中", income="1000001.50", extracted="30000.05"),
                      school(code="9002", kind="普通高中", income="1000001.50", extracted="30000.04"))
    assert [s["required_min"] for s in doc["schools"]] == ["30000.05", "30000.05"]
    assert codes(doc) == [[], ["extraction.under"]]
    assert doc["schools"][1]["shortfall"] == "0.01"


def test_over_the_ceiling_is_a_warning(run, tmp_path):
    code, doc = audit(run, tmp_path, school(kind="普高", income=1_000_000, extracted=60_000))
    assert code == 0 and codes(doc) == [["extraction.over"]]
    assert finding(doc, 0, code="extraction.over")["severity"] == "warning"
    assert doc["schools"][0]["required_max"] == "50000.00"


def test_vocational_rate_is_five_percent_and_general_three_to_five(run, tmp_path):
    code, doc = audit(run, tmp_path, school(kind="职高", extracted=40_000),
                      school(code="9002", name="测试中学", kind="普高", extracted=40_000))
    assert codes(doc) == [["extraction.under"], []]
    assert [(s["min_rate"], s["max_rate"]) for s in doc["schools"]] == [("5%", "5%"), ("3%", "5%")]


def test_not_deposited_is_an_error_naming_the_gap(run, tmp_path):
    code, doc = audit(run, tmp_path, school(extracted=50_000, deposited=45_000))
    assert code == 1 and codes(doc) == [["extraction.not_deposited"]]
    assert "差5000.00元" in finding(doc, 0, code="extraction.not_deposited")["message"]


def test_figures_that_contradict_each_other_are_warnings_naming_both(run, tmp_path):
    """More paid into the 专户 than extracted, more paid out than in: 需关注, never 合规 in silence."""
    code, doc = audit(run, tmp_path, school(extracted=50_000, deposited=80_000, spent=80_000),
                      school(code="9002", extracted=50_000, deposited=50_000, spent=70_000))
    assert code == 0 and codes(doc) == [["extraction.over_deposited"], ["extraction.overspent"]]
    assert "多30000.00元" in finding(doc, 0, code="extraction.over_deposited")["message"]
    assert "发放多于划入专户20000.00元" in finding(doc, 1, code="extraction.overspent")["message"]


def test_unspent_over_the_threshold_is_a_warning_and_at_it_is_not(run, tmp_path):
    code, doc = audit(run, tmp_path, school(extracted=50_000, spent=34_999),     # 30.002% unspent
                      school(code="9002", extracted=50_000, spent=35_000))       # exactly 30%
    assert code == 0 and codes(doc) == [["extraction.unspent"], []]
    f = finding(doc, 0, code="extraction.unspent")
    assert f["severity"] == "warning" and "30%" in f["message"]


def test_blank_or_text_figures_are_invalid_not_guessed(run, tmp_path):
    code, doc = audit(run, tmp_path, school(income=None),
                      school(code="9002", extracted="五万元", deposited=50_000, spent=50_000))
    assert code == 1 and codes(doc) == [["extraction.invalid"], ["extraction.invalid"]]
    assert finding(doc, 0, code="extraction.invalid")["message"].startswith("事业收入“空”")
    assert finding(doc, 1, code="extraction.invalid")["message"].startswith("提取金额“五万元”")  # as written


def test_a_figure_below_zero_is_invalid_never_audited_or_summed(run, tmp_path):
    """A negative 事业收入 made the school 需关注 ("提取0.00元，占事业收入-1000000.00元的空，高于规定上限");
    a negative 提取金额 made it 不合规 and entered the totals. Neither is a figure a school can have."""
    code, doc = audit(run, tmp_path, school(income=-1_000_000, extracted=0),
                      school(code="9002", name="乙职业中学", extracted=-50_000, deposited=0, spent=0),
                      school(code="9003", name="丙职业中学"))
    assert code == 1 and [x["verdict"] for x in doc["schools"]] == ["无法审核", "无法审核", "合规"]
    assert codes(doc) == [["extraction.invalid"], ["extraction.invalid"], []]
    assert finding(doc, 0, code="extraction.invalid")["message"].startswith("事业收入“-1000000”为空、为负数")
    assert finding(doc, 1, code="extraction.invalid")["message"].startswith("提取金额“-50000”")
    # every total is over the one school whose figures were all read
    assert doc["summary"]["income"] == "1000000.00" and doc["summary"]["extracted"] == "50000.00"


def test_a_school_type_without_a_rate_is_invalid(run, tmp_path):
    code, doc = audit(run, tmp_path, school(name="某某幼儿园", kind="幼儿园"))
    assert code == 1 and codes(doc) == [["extraction.invalid"]]
    assert "rules/extraction.yaml" in doc["schools"][0]["findings"][0]["message"]


def test_schools_xlsx_decides_type_and_county(run, tmp_path):
    shutil.copy(SAMPLES / "schools.xlsx", tmp_path / "schools.xlsx")
    # the sheet calls 第一中学 a 中职 in 乙县: the register says 普通高中 in 城关区, and its 3–5% applies
    code, doc = audit(run, tmp_path, school(code="3201", name="第一中学", kind="中职", county="乙县", extracted=40_000))
    s = doc["schools"][0]
    assert (s["type"], s["county"], s["min_rate"]) == ("普高", "城关区", "3%") and codes(doc) == [[]]


def test_a_code_and_a_name_of_two_registered_schools_are_not_guessed(run, tmp_path):
    """学校代码 3201 (第一中学, 普高 in schools.xlsx) beside 城关职业技术学校 (3102, 中职): the code chose
    the school, and a 中职 that extracted 3% was found 合规 at 普高's rate. Which school the row is
    cannot be told: extraction.invalid names both; 无法审核, outside the totals."""
    shutil.copy(SAMPLES / "schools.xlsx", tmp_path / "schools.xlsx")
    code, doc = audit(run, tmp_path, school(code="3201", name="城关职业技术学校", extracted=30_000),
                      school(code="3101", name="第一职业中学"))
    assert code == 1
    assert [x["verdict"] for x in doc["schools"]] == ["无法审核", "合规"]
    message = finding(doc, 0, code="extraction.invalid")["message"]
    assert message.startswith("学校代码3201在 schools.xlsx 中是“第一中学”，而“城关职业技术学校”登记的学校代码是3102")
    assert doc["summary"]["schools"] == 1 and doc["summary"]["income"] == "1000000.00"


def test_a_school_name_two_schools_share_in_schools_xlsx_decides_nothing(run, tmp_path):
    """Two schools called 第一中学 (城关区 普高, 3201; 西山县 中职, 3999): a sheet naming 第一中学 without
    its code is not given the first one's type and county; its own 中职 and 乙县 stand. With the code,
    the register decides."""
    shutil.copy(SAMPLES / "schools.xlsx", tmp_path / "schools.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "schools.xlsx")
    wb.active.append(["3999", "第一中学", "中职", "西山县", "公办", 900])
    wb.save(tmp_path / "schools.xlsx")
    code, doc = audit(run, tmp_path, school(code=None, name="第一中学", kind="中职", county="乙县"),
                      school(code="3201", name="第一中学", kind="中职", county="乙县", extracted=40_000))
    assert [(s["type"], s["county"]) for s in doc["schools"]] == [("中职", "乙县"), ("普高", "城关区")]
    # and which of the two the row without a code is cannot be told: 无法审核, outside the totals
    assert "学校代码3201、3999" in finding(doc, 0, code="extraction.invalid")["message"]
    assert [s["verdict"] for s in doc["schools"]][0] == "无法审核" and doc["summary"]["schools"] == 1


def test_a_school_type_the_sheet_did_not_give_is_said_aloud_with_where_it_came_from(run, tmp_path):
    """The rate rests on the type. schools.xlsx overriding the sheet's 普高 with 中职 (5%, not 3%), a
    type taken from a word of the name (第一中学 → 普高), or a type the sheet wrote in words aidctl does
    not know (职教中心) replaced by the name's, were decided without a word: each is now a note."""
    shutil.copy(SAMPLES / "schools.xlsx", tmp_path / "schools.xlsx")
    code, doc = audit(run, tmp_path, school(code="3101", name="第一职业中学", kind="普高", extracted=30_000),
                      school(code="9002", name="东风中学", kind=None, extracted=30_000),
                      school(code="9003", name="新华职业中学", kind="职教中心"))
    assert [s["type"] for s in doc["schools"]] == ["中职", "普高", "中职"]
    notes = "\n".join(doc["notes"])
    assert "第一职业中学（学校类型报表为“普高”，schools.xlsx 为“中职”；" in notes, notes
    assert "东风中学：按校名中的“中学”推定为普高（报表中未填）" in notes, notes
    assert "新华职业中学：按校名中的“职业”推定为中职（报表中为“职教中心”，不是可识别的学校类型）" in notes, notes
    assert "提取比例按推定的类型" in notes and "2 所学校" in notes
    code, out, err = run("audit-extraction", tmp_path / "finance.xlsx", "--workspace", tmp_path)
    assert "东风中学：按校名中的“中学”推定为普高" in err


def test_one_school_code_for_two_schools_in_schools_xlsx_is_refused_naming_both_rows(run, tmp_path):
    shutil.copy(SAMPLES / "schools.xlsx", tmp_path / "schools.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "schools.xlsx")
    wb.active.append(["3201", "西山县第三中学", "普高", "西山县", "公办", 900])   # 3201 is 第一中学 (row 4)
    wb.save(tmp_path / "schools.xlsx")
    path = sheet(tmp_path / "finance.xlsx", [school()])
    code, out, err = run("audit-extraction", path, "--workspace", tmp_path)
    assert code == 2 and "schools.xlsx" in err and "学校代码“3201”登记了不同的学校" in err, err
    assert "第4行“第一中学”" in err and "第8行“西山县第三中学”" in err


def test_a_missing_column_is_a_file_finding(run, tmp_path):
    code, doc = audit(run, tmp_path, school()[:7], headers=HEAD[:7])
    assert code == 1
    assert [(f["code"], f["severity"]) for f in doc["file_findings"]] == [("schema.missing_column", "error")]
    assert "发放金额" in doc["file_findings"][0]["message"]


def test_year_from_option_column_or_title(run, tmp_path):
    _, doc = audit(run, tmp_path, school(), extra=("--year", "2012"))
    assert (doc["year"], doc["year_source"]) == (2012, "option")
    path = sheet(tmp_path / "b.xlsx", [["2013", *school()]], headers=["年度", *HEAD])
    code, doc, err = run("audit-extraction", path, "--format", "json", "--workspace", tmp_path, as_json=True)
    assert (doc["year"], doc["year_source"]) == (2013, "column") and doc["schools"][0]["year"] == 2013


def test_rates_are_rules_a_workspace_can_change(run, tmp_path):
    from aidctl.rulebook import packaged_rules_dir

    rules = tmp_path / "rules"
    rules.mkdir()
    text = (packaged_rules_dir() / "extraction.yaml").read_text(encoding="utf-8")
    (rules / "extraction.yaml").write_text(text.replace('min_rate: "0.03"', 'min_rate: "0.04"'), encoding="utf-8")
    code, doc = audit(run, tmp_path, school(kind="普高", extracted=35_000))
    assert codes(doc) == [["extraction.under"]] and doc["schools"][0]["min_rate"] == "4%"


def test_json_shape_is_the_contract(run, tmp_path):
    _, doc = audit(run, tmp_path, school())
    assert set(doc) >= {"version", "year", "schools", "summary"}
    assert set(doc["schools"][0]) >= {"file", "row", "school_code", "school_name", "type", "county", "income",
                                      "required_min", "required_max", "extracted", "deposited", "spent", "rate",
                                      "shortfall", "findings"}
    assert doc["schools"][0]["row"] == 3 and doc["schools"][0]["file"].endswith("finance.xlsx")


def test_report_workbook_has_schools_county_rollup_and_a_native_chart(run, tmp_path):
    out = tmp_path / "审核.xlsx"
    code, _, err = run("audit-extraction", SAMPLE, "--workspace", SAMPLES, "--report", out)
    assert code == 1, err
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["学校明细", "县区汇总", "问题清单"]
    rows = list(wb["县区汇总"].iter_rows(min_row=4, values_only=True))
    total = [r for r in rows if r[0] == "合计"][0]
    assert total[1] == 6 and total[2] == 2 and total[3] == pytest.approx(95005000)
    with zipfile.ZipFile(out) as z:
        chart = z.read("xl/charts/chart1.xml").decode()
        assert "<c:barChart>" in chart and "应提下限" in chart and "实提金额" in chart
        assert any(n.startswith("xl/drawings/") for n in z.namelist())
    verdicts = [r[13] for r in wb["学校明细"].iter_rows(min_row=4, values_only=True) if r[2]]
    assert verdicts.count("不合规") == 2 and verdicts.count("合规") == 2
    assert not list(tmp_path.glob(".*.part"))


def test_terminal_table_lists_every_school(run):
    code, out, err = run("audit-extraction", SAMPLE, "--workspace", SAMPLES)
    assert code == 1
    for name in ("第一职业中学", "城关职业技术学校", "西山县第二中学"):
        assert name in out
    assert "不合规" in out and "少提取合计 100000.00 元" in out


def test_without_files_reads_the_finance_folder(run):
    code, doc, err = run("audit-extraction", "--workspace", SAMPLES, "--format", "json", as_json=True)
    assert code == 1 and doc["files"][0]["file"] == "finance/2011年度校内资助资金提取情况.xlsx"


def test_a_finance_sheet_in_another_format_is_said_to_be_unread(run, tmp_path):
    sheet(tmp_path / "finance" / "a.xlsx", [school()])
    (tmp_path / "finance" / "县区汇总.et").write_bytes(b"x")   # WPS: not read, so its schools are in no figure
    code, doc, err = run("audit-extraction", "--workspace", tmp_path, "--format", "json", as_json=True)
    assert code == 0 and len(doc["schools"]) == 1, err
    assert any("finance 中有 1 个文件或文件夹未读取" in n and "县区汇总.et" in n for n in doc["notes"]), doc["notes"]


def test_a_roster_is_not_a_finance_sheet(run):
    roster = next((SAMPLES / "intake" / "2011-autumn").glob("*.xlsx"))
    code, out, err = run("audit-extraction", roster)
    assert code == 2 and "事业收入" in err and len(err.strip().splitlines()) == 1


# --- finance sheets as finance offices lay them out: two-row merged headers, several years, 小计 rows ---

def merged_sheet(path: Path, rows: list[list], *, unit: str = "（元）", income_head: str = "事业收入（元）",
                 with_year: bool = False, title: str = "校内资助资金提取情况表") -> Path:
    """序号/学校名称/… merged down over two rows; "校内资助资金<unit>" merged across 提取金额 | 划入专户金额 |
    发放金额, the unit written only in the merged upper cell."""
    wb = openpyxl.Workbook()
    ws = wb.active
    heads = ["序号", *(["年度"] if with_year else []), "学校代码", "学校名称", "学校类型", "所属县区", income_head]
    width = len(heads) + 3
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.append([*heads, f"校内资助资金{unit}", None, None])
    ws.append([None] * len(heads) + ["提取金额", "划入专户金额", "发放金额"])
    for j in range(1, len(heads) + 1):
        ws.merge_cells(start_row=2, start_column=j, end_row=3, end_column=j)
    ws.merge_cells(start_row=2, start_column=len(heads) + 1, end_row=2, end_column=width)
    for i, r in enumerate(rows, start=1):
        ws.append([i, *r])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def four_schools() -> list[list]:
    return [school(code="9001", name="甲职业中学", income=1_000_000, extracted=50_000),
            school(code="9002", name="乙职业中学", income=2_000_000, extracted=80_000),       # under: 20,000 short
            school(code="9003", name="丙中学", kind="普高", income=1_000_000, extracted=30_000),
            school(code="9004", name="丁中学", kind="普高", income=1_000_000, extracted=40_000, deposited=30_000)]


def run_sheet(run, tmp_path, path, *extra):
    code, doc, err = run("audit-extraction", path, "--format", "json", "--workspace", tmp_path, *extra, as_json=True)
    assert code in (0, 1), err
    return code, doc


def test_a_two_row_merged_header_is_read_with_the_unit_of_the_merged_cell(run, tmp_path):
    path = merged_sheet(tmp_path / "f.xlsx", four_schools())
    code, doc = run_sheet(run, tmp_path, path)
    assert code == 1 and doc["file_findings"] == []
    s = doc["schools"]
    assert [x["extracted"] for x in s] == ["50000.00", "80000.00", "30000.00", "40000.00"]
    assert [x["verdict"] for x in s] == ["合规", "不合规", "合规", "不合规"]
    assert codes(doc) == [[], ["extraction.under"], [], ["extraction.not_deposited"]]
    assert s[1]["shortfall"] == "20000.00" and s[0]["row"] == 4


def test_a_unit_in_the_merged_upper_cell_applies_to_each_column_under_it(run, tmp_path):
    rows = [[*school(income=100, extracted=5)[:4], 100, 5, 5, 5]]  # income in 万元, the set-aside too
    path = merged_sheet(tmp_path / "f.xlsx", rows, unit="（万元）", income_head="事业收入（万元）")
    _, doc = run_sheet(run, tmp_path, path)
    s = doc["schools"][0]
    assert (s["income"], s["extracted"], s["deposited"], s["spent"]) == ("1000000.00", "50000.00", "50000.00", "50000.00")
    assert s["verdict"] == "合规"


def group_over(path: Path, group: str, subs: list[str], row: list) -> Path:
    """学校代码 … 事业收入 merged down over two rows, `group` merged across two sub-columns `subs`,
    then 划入专户金额 and 发放金额 merged down."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2011年度校内资助资金提取情况"])
    ws.append([*HEAD[:5], group, None, *HEAD[6:]])
    ws.append([None] * 5 + subs + [None, None])
    for c in "ABCDEHI":
        ws.merge_cells(f"{c}2:{c}3")
    ws.merge_cells("F2:G2")
    ws.append(row)
    wb.save(path)
    return path


def test_a_group_header_that_names_a_figure_is_not_read_for_its_first_sub_column(run, tmp_path):
    """提取金额（元） merged over 应提 | 实提: the upper row alone names every field, and was taken for the
    header: 提取金额 was read from 应提 (the amount required, 50,000) and 实提 (10,000) never looked
    at, the school found to have extracted in full. The two rows are one header: both sub-columns
    stand for 提取金额, and the sheet is refused naming both (never a guess)."""
    path = group_over(tmp_path / "f.xlsx", "提取金额（元）", ["应提", "实提"],
                      ["9001", "测试职业中学", "中职", "甲县", 1_000_000, 50_000, 10_000, 10_000, 10_000])
    code, out, err = run("audit-extraction", path, "--format", "json", "--workspace", tmp_path)
    assert code == 2 and out == "", (code, out)
    assert "第3行" in err and "“提取金额（元）/应提”（第F列）" in err and "“提取金额（元）/实提”（第G列）" in err, err
    # sub-columns that name their fields are read under the group, as before
    path = group_over(tmp_path / "g.xlsx", "提取金额（元）", ["实际提取金额", "提取比例"],
                      ["9001", "测试职业中学", "中职", "甲县", 1_000_000, 10_000, "5%", 10_000, 10_000])
    code, doc = run_sheet(run, tmp_path, path)
    assert codes(doc) == [["extraction.under"]] and doc["schools"][0]["extracted"] == "10000.00"


def test_figures_not_read_are_unauditable_never_compliant(run, tmp_path):
    # the same four schools, but the second header row is lost: the three columns under the merged
    # cell cannot be read, and no school may come out 合规 with blank figures
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["学校代码", "学校名称", "学校类型", "所属县区", "事业收入（元）", "校内资助资金（元）", None, None])
    ws.merge_cells("F1:H1")
    for r in four_schools():
        ws.append(r)
    wb.save(tmp_path / "f.xlsx")
    code, doc = run_sheet(run, tmp_path, tmp_path / "f.xlsx")
    assert code == 1
    assert [x["verdict"] for x in doc["schools"]] == ["无法审核"] * 4
    assert doc["summary"]["compliant"] == 0 and doc["summary"]["unauditable"] == 4
    assert all(x["extracted"] is None for x in doc["schools"])
    first = [f for f in doc["schools"][0]["findings"] if f["code"] == "extraction.invalid"]
    assert {f["severity"] for f in first} == {"error"} and any("提取金额" in f["message"] for f in first)
    out = tmp_path / "r.xlsx"
    run("audit-extraction", tmp_path / "f.xlsx", "--workspace", tmp_path, "--report", out)
    verdicts = [r[13] for r in openpyxl.load_workbook(out)["学校明细"].iter_rows(min_row=4, values_only=True) if r[2]]
    assert verdicts == ["无法审核"] * 4


def test_unreadable_figure_is_unauditable_and_counted_apart(run, tmp_path):
    code, doc = audit(run, tmp_path, school(), school(code="9002", extracted="五万元"))
    assert [x["verdict"] for x in doc["schools"]] == ["合规", "无法审核"]
    assert (doc["summary"]["compliant"], doc["summary"]["non_compliant"], doc["summary"]["unauditable"]) == (1, 0, 1)


def test_year_selects_the_rows_of_that_year(run, tmp_path):
    rows = [["2009年", *school(code="9001")], ["2010年", *school(code="9001")], ["2011年", *school(code="9001")],
            ["2012年", *school(code="9001")], ["2011年", *school(code="9002", name="乙职业中学", extracted=40_000)]]
    path = merged_sheet(tmp_path / "f.xlsx", rows, with_year=True, title="2009—2012年度校内资助资金提取情况")
    code, doc = run_sheet(run, tmp_path, path, "--year", "2011")
    assert [(x["school_code"], x["year"], x["row"]) for x in doc["schools"]] == [("9001", 2011, 6), ("9002", 2011, 8)]
    assert doc["summary"]["schools"] == 2 and codes(doc) == [[], ["extraction.under"]]
    assert any("3行属于其他年度" in n for n in doc["notes"])
    # without --year the latest year is audited, and that is said aloud
    code, doc, err = run("audit-extraction", path, "--workspace", tmp_path, "--format", "json", as_json=True)
    assert doc["year"] == 2012 and [x["row"] for x in doc["schools"]] == [7]
    assert any("审核最近的2012年度" in n for n in doc["notes"])
    code, out, err = run("audit-extraction", path, "--workspace", tmp_path)
    assert "审核最近的2012年度" in err


def test_a_sheet_whose_title_states_another_year_is_not_audited_as_this_one(run, tmp_path):
    """Two files without a 年度 column, titled 2011年度… and 2012年度…: the first title's year was the
    year of every row, so the 2012 school was audited and summed as 2011 (and under --year 2012, the
    2011 one as 2012). A row is of its title's year: the other year's rows are left out, said aloud."""
    y11 = sheet(tmp_path / "a.xlsx", [school(code="9001")], above=[["2011年度校内资助资金提取情况"]])
    y12 = sheet(tmp_path / "b.xlsx", [school(code="9002", name="乙职业中学", extracted=10_000)],
                above=[["2012年度校内资助资金提取情况"]])
    code, doc, err = run("audit-extraction", y11, y12, "--format", "json", "--workspace", tmp_path, as_json=True)
    assert doc["year"] == 2012 and doc["year_source"] == "title"
    assert [x["school_code"] for x in doc["schools"]] == ["9002"] and doc["summary"]["income"] == "1000000.00"
    assert any("各表标题中有2011、2012年的数据" in n for n in doc["notes"]), doc["notes"]
    assert any("1行属于其他年度（2011" in n for n in doc["notes"]), doc["notes"]
    code, doc, err = run("audit-extraction", y11, y12, "--year", "2011", "--format", "json", "--workspace", tmp_path,
                         as_json=True)
    assert code == 0 and [x["school_code"] for x in doc["schools"]] == ["9001"], err


def test_a_year_that_cannot_be_read_is_named_and_its_row_not_audited(run, tmp_path):
    """"11年" or "2011-2012" is not a year: the row is 无法审核 (never 不合规 or 合规 by the audited
    year's rates), named, outside the totals, and no duplicate of its school's row of that year."""
    rows = [["2011年", *school(code="9001", extracted=50_000)],
            ["11年", *school(code="9001", extracted=10_000)],                       # the same school, year unread
            ["2011-2012", *school(code="9002", name="乙职业中学", extracted=10_000)],  # short, if it were 2011
            ["", *school(code="9003", name="丙职业中学")]]                           # blank: the year audited, said
    code, doc = run_sheet(run, tmp_path, merged_sheet(tmp_path / "f.xlsx", rows, with_year=True))
    assert code == 1 and doc["year"] == 2011
    assert [x["verdict"] for x in doc["schools"]] == ["合规", "无法审核", "无法审核", "合规"]
    assert codes(doc) == [[], ["extraction.invalid"], ["extraction.invalid"], []]
    assert finding(doc, 1, code="extraction.invalid")["message"].startswith("年度“11年”无法识别")
    assert "“2011-2012”" in finding(doc, 2, code="extraction.invalid")["message"]
    assert doc["summary"]["schools"] == 2 and doc["summary"]["extracted"] == "100000.00"
    assert any("1行的年度为空，按2011年度审核" in n for n in doc["notes"])


def test_subtotal_rows_are_not_schools(run, tmp_path):
    rows = [school(code="9001", county="戊县"), school(code="9002", name="乙职业中学", county="戊县"),
            [None, "戊县小计", None, "戊县", 2_000_000, 100_000, 100_000, 100_000],
            [None, None, None, "己县小计", 1, 1, 1, 1],
            [None, "全市汇总", None, None, 2_000_001, 100_001, 100_001, 100_001]]   # 汇总: a total too
    code, doc = audit(run, tmp_path, *rows)
    assert code == 0 and [x["school_name"] for x in doc["schools"]] == ["测试职业中学", "乙职业中学"]
    assert doc["summary"]["income"] == "2000000.00" and any("略去3个小计/合计行" in n for n in doc["notes"])


def test_a_row_naming_no_school_is_never_in_the_totals(run, tmp_path):
    """A total row without a label (the clerk's sums under the schools): it was 无法审核 "未审核", yet
    counted as a third school, its figures in every total (事业收入 4,000,000 for two schools of
    1,000,000) and in a county （县区不明） of the roll-up. It is now outside the totals and the school
    count, named by its finding."""
    rows = [school(code="9001"), school(code="9002", name="乙职业中学"), [None, None, None, None, 2_000_000, 100_000,
                                                                        100_000, 100_000]]
    path = sheet(tmp_path / "f.xlsx", rows)
    out = tmp_path / "r.xlsx"
    code, doc, err = run("audit-extraction", path, "--format", "json", "--workspace", tmp_path, "--report", out,
                         as_json=True)
    assert code == 1, err
    assert codes(doc) == [[], [], ["extraction.invalid"]]
    assert [x["counted"] for x in doc["schools"]] == [True, True, False]
    assert "不计入合计" in finding(doc, 2, code="extraction.invalid")["message"]
    s = doc["summary"]
    assert (s["schools"], s["income"], s["extracted"]) == (2, "2000000.00", "100000.00")
    rollup = [r for r in openpyxl.load_workbook(out)["县区汇总"].iter_rows(min_row=4, values_only=True) if r[0]]
    assert [(r[0], r[1], r[3]) for r in rollup] == [("甲县", 2, 2_000_000), ("合计", 2, 2_000_000)]


def test_one_school_year_twice_is_a_duplicate_never_a_doubled_total(run, tmp_path):
    path = sheet(tmp_path / "f.xlsx", [school(code="9001"), school(code="9002", name="乙职业中学")])
    code, doc, err = run("audit-extraction", path, path, "--format", "json", "--workspace", tmp_path, as_json=True)
    assert code == 1
    assert all("extraction.duplicate" in c for c in codes(doc))
    assert [x["verdict"] for x in doc["schools"]] == ["无法审核"] * 4
    assert doc["summary"]["schools"] == 2 and doc["summary"]["income"] == "2000000.00"
    dup = finding(doc, 0, code="extraction.duplicate")
    assert dup["severity"] == "error" and "f.xlsx 第3行" in dup["message"]
    # two files, one school in both: also a duplicate; the county total counts it once
    other = sheet(tmp_path / "g.xlsx", [school(code="9001", extracted=10_000)])
    code, doc, err = run("audit-extraction", path, other, "--format", "json", "--workspace", tmp_path, as_json=True)
    assert codes(doc) == [["extraction.duplicate"], [], ["extraction.duplicate"]]
    assert doc["summary"]["extracted"] == "100000.00" and doc["summary"]["schools"] == 2


def test_a_school_given_with_its_code_and_elsewhere_by_name_alone_is_one_school(run, tmp_path):
    """The school's own file has no 学校代码 column; the county's file gives the school with its code.
    Both rows are the one school-year: a duplicate, counted once, never two schools (one 合规, one
    不合规) in a doubled total."""
    county = sheet(tmp_path / "county.xlsx", [school(code="9001"), school(code="9002", name="乙职业中学")])
    own = sheet(tmp_path / "own.xlsx", [school(extracted=10_000)[1:]], HEAD[1:])
    code, doc, err = run("audit-extraction", county, own, "--format", "json", "--workspace", tmp_path, as_json=True)
    assert code == 1, err
    assert codes(doc) == [["extraction.duplicate"], [], ["extraction.duplicate"]]
    assert [x["verdict"] for x in doc["schools"]] == ["无法审核", "合规", "无法审核"]
    assert doc["summary"]["schools"] == 2 and doc["summary"]["income"] == "2000000.00"
    assert "own.xlsx 第3行" in finding(doc, 0, code="extraction.duplicate")["message"]


def test_a_name_schools_xlsx_gives_one_code_is_that_school(run, tmp_path):
    """schools.xlsx gives 第一职业中学 the code 3101 and the 别名 一职中: the county's row of 3101 and
    the school's own row of 一职中 (no 学校代码 column) are one school-year, counted once."""
    wb = openpyxl.load_workbook(SAMPLES / "schools.xlsx")
    wb.active["G1"] = "别名"
    wb.active["G2"] = "一职中"
    wb.save(tmp_path / "schools.xlsx")
    county = sheet(tmp_path / "county.xlsx", [school(code="3101", name="第一职业中学")])
    own = sheet(tmp_path / "own.xlsx", [school(name="一职中", extracted=10_000)[1:]], HEAD[1:])
    code, doc, err = run("audit-extraction", county, own, "--format", "json", "--workspace", tmp_path, as_json=True)
    assert code == 1, err
    assert codes(doc) == [["extraction.duplicate"], ["extraction.duplicate"]]
    assert doc["summary"]["schools"] == 1 and doc["summary"]["income"] == "1000000.00"


def test_a_name_without_code_that_two_coded_schools_share_is_not_guessed(run, tmp_path):
    """两所第一中学 with their codes, and a row of 第一中学 without one: which it is cannot be told. The
    row is 无法审核 and outside the totals; the two coded schools are audited as they stand."""
    kind = {"kind": "普高", "extracted": 30_000}
    city = sheet(tmp_path / "city.xlsx", [school(code="9001", name="第一中学", county="甲县", **kind),
                                          school(code="9002", name="第一中学", county="乙县", **kind)])
    own = sheet(tmp_path / "own.xlsx", [school(name="第一中学", kind="普高", extracted=10_000)[1:]], HEAD[1:])
    code, doc, err = run("audit-extraction", city, own, "--format", "json", "--workspace", tmp_path, as_json=True)
    assert code == 1, err
    assert codes(doc) == [[], [], ["extraction.invalid"]]
    assert [x["verdict"] for x in doc["schools"]] == ["合规", "合规", "无法审核"]
    message = finding(doc, 2, code="extraction.invalid")["message"]
    assert "“第一中学”没有填学校代码" in message and "9001、9002" in message
    assert doc["summary"]["schools"] == 2 and doc["summary"]["extracted"] == "60000.00"


def test_a_figure_in_a_merged_range_is_not_read_for_each_school_it_spans(run, tmp_path):
    """事业收入 2,000,000 merged down over two schools' rows: Excel shows it in each row, but is it each
    school's, or their total? Read as each's, both schools were 不合规 and the income counted twice.
    Likewise 提取金额 merged across 划入专户金额: one figure for both, or extracted and all deposited?
    Such a figure is extraction.invalid naming the range; the school is 无法审核, the figure unsummed."""
    path = sheet(tmp_path / "f.xlsx", [school(code="9001", income=2_000_000), school(code="9002", name="乙职业中学"),
                                       school(code="9003", name="丙职业中学", spent=10_000)])
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws["E4"] = None
    ws.merge_cells("E3:E4")      # one 事业收入 over 9001 and 9002
    ws["G5"] = None
    ws.merge_cells("F5:G5")      # one figure over 提取金额 and 划入专户金额 of 9003
    wb.save(path)
    code, doc, err = run("audit-extraction", path, "--format", "json", "--workspace", tmp_path, as_json=True)
    assert code == 1, err
    assert [x["verdict"] for x in doc["schools"]] == ["无法审核"] * 3
    assert codes(doc) == [["extraction.invalid"], ["extraction.invalid"], ["extraction.invalid"] * 2]
    assert [x["income"] for x in doc["schools"]] == [None, None, "1000000.00"]
    assert (doc["schools"][2]["extracted"], doc["schools"][2]["deposited"]) == (None, None)
    message = finding(doc, 1, code="extraction.invalid")["message"]
    assert message.startswith("事业收入“2000000”在合并单元格E3:E4中") and "无法审核" in message
    assert "F5:G5" in doc["schools"][2]["findings"][0]["message"]
    # no school has all its figures read: no total (丙's 事业收入 alone would be a total of other schools)
    assert doc["summary"]["income"] is None and doc["summary"]["compliant"] == 0 and doc["summary"]["totalled"] == 0


def test_what_the_reader_passed_over_in_a_workbook_is_said_aloud(run, tmp_path):
    """A county's workbook: 甲县 on a visible sheet (a school on a hidden row, 事业收入 in a hidden
    column), 乙县's schools on a hidden sheet, a sheet in another layout. The hidden sheet and the
    sheet without a header were passed over, the hidden row and column read, all without a word:
    the totals were 甲县's alone and looked like the county's. Each is now a note."""
    path = sheet(tmp_path / "county.xlsx", [school(), school(code="9002", name="乙职业中学")])
    wb = openpyxl.load_workbook(path)
    wb.active.title = "甲县"
    wb.active.row_dimensions[4].hidden = True
    wb.active.column_dimensions["E"].hidden = True
    hidden = wb.create_sheet("乙县")
    hidden.append(HEAD)
    hidden.append(school(code="9003", name="丙职业中学", county="乙县"))
    hidden.sheet_state = "hidden"
    other = wb.create_sheet("补充")
    other.append(["单位", "收入", "提取"])
    other.append(["丁职业中学", 100, 5])
    wb.save(path)
    code, doc, err = run("audit-extraction", path, "--format", "json", "--workspace", tmp_path, as_json=True)
    assert code == 0, err
    assert [x["school_code"] for x in doc["schools"]] == ["9001", "9002"]
    notes = doc["notes"]
    assert any("隐藏工作表“乙县”未读取" in n for n in notes), notes
    assert any("工作表“补充”中没有找到可识别的表头，未读取" in n for n in notes), notes
    assert any("第4行已隐藏，仍作为学校读取" in n for n in notes), notes
    assert any("列“事业收入（元）”已隐藏，仍读取" in n for n in notes), notes
    code, out, err = run("audit-extraction", path, "--workspace", tmp_path)
    assert "隐藏工作表“乙县”未读取" in err


# --- two columns for one figure (issue 12, item 3, for finance sheets) ------------------------------

def test_a_column_of_the_set_aside_not_read_is_named(run, tmp_path):
    """提取比例 3% beside amounts that make 5%, 应提取金额 beside 提取金额: columns aidctl does not read
    were dropped without a word. Each is now schema.unrecognised_column (a warning) naming it."""
    heads = [*HEAD[:5], "应提取金额（元）", HEAD[5], "提取比例", *HEAD[6:]]
    row = school()
    path = sheet(tmp_path / "finance.xlsx", [[*row[:5], 50_000, row[5], "3%", *row[6:]]], heads)
    code, doc, err = run("audit-extraction", path, "--format", "json", "--workspace", tmp_path, as_json=True)
    assert code == 0, err
    named = [f["message"] for f in doc["file_findings"] if f["code"] == "schema.unrecognised_column"]
    assert len(named) == 2 and named[0].startswith("列“应提取金额（元）”") and named[1].startswith("列“提取比例”")
    assert doc["summary"]["warnings"] == 2 and doc["schools"][0]["verdict"] == "合规"


def test_two_columns_for_one_figure_stop_the_audit_naming_both(run, tmp_path):
    """A sheet with 提取金额 twice, holding different figures: neither is guessed and no school is
    judged on either; exit 2 names both columns."""
    heads = [*HEAD[:6], "提取金额", *HEAD[6:]]
    rows = [[*r[:6], r[5] * 10, *r[6:]] for r in (school(), school(code="9002", name="乙职业中学"))]
    path = sheet(tmp_path / "finance.xlsx", rows, heads)
    code, out, err = run("audit-extraction", path, "--format", "json", "--workspace", tmp_path)
    assert code == 2 and out == ""
    assert "finance.xlsx" in err and "“提取金额（元）”（第F列）" in err and "“提取金额”（第G列）" in err


def test_a_hidden_old_column_beside_the_visible_one_is_named_and_the_visible_one_read(run, tmp_path):
    heads = [*HEAD[:5], "提取金额（元）", *HEAD[5:]]
    path = sheet(tmp_path / "finance.xlsx", [[*school()[:5], 1, *school()[5:]]], heads)
    wb = openpyxl.load_workbook(path)
    wb.active.column_dimensions["F"].hidden = True   # last year's figure, hidden by the clerk
    wb.save(path)
    code, doc, err = run("audit-extraction", path, "--format", "json", "--workspace", tmp_path, as_json=True)
    assert code == 0, err
    assert doc["summary"]["compliant"] == 1 and doc["summary"]["extracted"] == "50000.00"
    (ambiguous,) = doc["file_findings"]   # the column not read is named once, not also as unrecognised
    assert ambiguous["code"] == "schema.ambiguous_column"
    assert ambiguous["severity"] == "warning" and "第F列，已隐藏" in ambiguous["message"]


# --- a unit written under the table; a 学校代码 that lost its leading zeros --------------------------

NO_UNIT = ["学校代码", "学校名称", "学校类型", "所属县区", "事业收入", "提取金额", "划入专户金额（元）", "发放金额（元）"]


def in_wan(code="9001", name="测试职业中学", income=100, extracted=5):
    """A school whose 事业收入 and 提取金额 are in 万元 (the sheet's 单位 line), the rest in 元 (its header)."""
    return school(code=code, name=name, income=income, extracted=extracted, deposited=50_000, spent=50_000)


def audit_sheet(run, tmp_path, rows, *, above=None, below=(), headers=NO_UNIT, exit_code=None):
    path = sheet(tmp_path / "finance.xlsx", rows, headers, above, below)
    code, doc, err = run("audit-extraction", path, "--format", "json", "--workspace", tmp_path, as_json=True)
    assert code in ((0, 1) if exit_code is None else (exit_code,)), (code, err)
    return doc


@pytest.mark.parametrize("below", [
    [[None, "合计", None, None, 100, 5, 50_000, 50_000], ["单位：万元"]],                          # under the 合计 row
    [["制表人：张三", None, None, "审核人：李四", None, "单位：万元"]],                           # beside 制表人
    [[None, "合计", None, None, 100, 5, 50_000, 50_000], ["注：1.金额单位：万元；2.数据截至12月31日"]],  # a footnote
    [[None, None, None, None, None, None, None, None, "（单位：万元）"]],                         # beside the table
], ids=["under-total", "beside-signature", "footnote", "beside"])
def test_a_unit_written_below_the_table_counts_as_one_above_it(run, tmp_path, below):
    """单位：万元 under the table was not looked at: 事业收入 100 (万元) was read as 100 元, and the
    school's 5 万元 extracted against 100 元 of income made it 需关注 at 5000%. A 单位 line under the
    table (under 合计, beside 制表人, in a note) now states the unit as one above it does; the line is
    no school, and a note says which columns took it."""
    doc = audit_sheet(run, tmp_path, [in_wan()], below=below)
    assert len(doc["schools"]) == 1, doc["schools"]
    s = doc["schools"][0]
    assert (s["income"], s["extracted"], s["deposited"], s["verdict"]) == \
        ("1000000.00", "50000.00", "50000.00", "合规"), s
    notes = "\n".join(doc["notes"])
    assert "表格下方第" in notes and "“事业收入”、“提取金额”按万元读取" in notes, notes


UNIT_STATED = ["单位为万元", "单位是万元", "单位 万元", "单位万元", "单位（万元）", "单位/万元", "金额单位为：万元",
               "金额以万元为单位", "（万元）", "万元", "单位：人民币万元", "单位：万元人民币", "人民币单位：万元", "RMB万元"]


@pytest.mark.parametrize("line", UNIT_STATED)
@pytest.mark.parametrize("where", ["above", "below"])
def test_a_unit_written_without_a_colon_is_a_unit_line(run, tmp_path, line, where):
    """单位为万元, 单位（万元）, 金额以万元为单位, （万元） … were not seen as a 单位 line (only 单位：万元
    was): 事业收入 100 (万元) was read as 100 元, and below the table the line was taken for a school.
    Each states 万元 now, above the header or under the table, and the line is no school."""
    lines = {"above": [["2011年度校内资助资金提取情况"], [None, None, None, None, None, line]], "below": None}[where]
    doc = audit_sheet(run, tmp_path, [in_wan()], above=lines, below=[[line]] if where == "below" else ())
    assert len(doc["schools"]) == 1, doc["schools"]
    s = doc["schools"][0]
    assert (s["income"], s["extracted"], s["verdict"]) == ("1000000.00", "50000.00", "合规"), s
    assert any(f"“{line}”写明了金额单位" in n and "按万元读取" in n for n in doc["notes"]), doc["notes"]


def test_a_title_ending_in_a_bracketed_unit_states_it(run, tmp_path):
    doc = audit_sheet(run, tmp_path, [in_wan()], above=[["2011年度校内资助资金提取情况（万元）"]])
    assert doc["schools"][0]["income"] == "1000000.00", doc["schools"]


@pytest.mark.parametrize("line", ["填报单位：元宝山区第一中学", "单位名称：元宝山区第一中学", "单位负责人：张元",
                                  "制表人（张元）", "张元", "单位：人", "单位是否盖章：是", "2011年度（2011年）"])
def test_words_that_only_look_like_a_unit_line_state_none(run, tmp_path, line):
    """A school named 元宝山区…, a person named 张元, 单位名称 or 单位：人 state no unit of money: the figures
    are read in 元, their headers' unit, and nothing is said of a unit line."""
    doc = audit_sheet(run, tmp_path, [in_wan(income=1_000_000, extracted=50_000)],
                      above=[["2011年度校内资助资金提取情况"], [None, None, None, None, None, line]])
    assert doc["schools"][0]["income"] == "1000000.00", doc["schools"]
    assert not any("写明了金额单位" in n for n in doc["notes"]), doc["notes"]


@pytest.mark.parametrize("line", ["单位：万", "单位为千", "（美元）", "单位为百万元"])
def test_a_unit_line_stating_a_bare_figure_or_another_currency_refuses_the_sheet(run, tmp_path, line):
    """单位：万 (万元? 万人?) or （美元）: the figures cannot be turned into 元 with confidence: refused,
    naming the line, never read as 元."""
    path = sheet(tmp_path / "finance.xlsx", [in_wan()], NO_UNIT,
                 [["2011年度校内资助资金提取情况"], [None, None, None, None, None, line]])
    code, doc, err = run("audit-extraction", path, "--format", "json", "--workspace", tmp_path, as_json=True)
    assert code == 2 and doc == "", (code, doc)
    assert f"写作“{line}”" in err and "不是可识别的单位" in err and "事业收入" in err, err


@pytest.mark.parametrize("income_head, line, said", [
    ("事业收入（万）", None, "“万”"), ("事业收入（百万）", None, "“百万”"), ("事业收入（千）（人民币）", None, "“千”"),
    ("事业收入", "单位：百万", "写作“单位：百万”"), ("事业收入", "单位：十万", "写作“单位：十万”"),
    ("事业收入", "金额以百万为单位", "写作“金额以百万为单位”")])
def test_the_figure_of_a_unit_alone_refuses_the_sheet(run, tmp_path, income_head, line, said):
    """事业收入（万）, 单位：百万: how many, not of what (万元? 万人?): a unit the rules do not know
    (header_words.unit_figures), never read as 元. 事业收入（万） of 100 was read as 100 元 and,
    with 提取金额（万） of 5, called 合规."""
    headers = [income_head if h == "事业收入" else "提取金额（万）" if h == "提取金额" and not line else h
               for h in NO_UNIT]
    above = [["2011年度校内资助资金提取情况"], [None, None, None, None, None, line]] if line else None
    path = sheet(tmp_path / "finance.xlsx", [in_wan()], headers, above)
    code, doc, err = run("audit-extraction", path, "--format", "json", "--workspace", tmp_path, as_json=True)
    assert code == 2 and doc == "", (code, doc)
    assert said in err and "不是可识别的单位" in err and "事业收入" in err, err


def test_unit_figures_are_rules(run, tmp_path):
    """A workspace whose unit_figures are [万] reads 单位：十 as no unit stated (十 is no word it
    knows), and still refuses 事业收入（万）."""
    from aidctl.rulebook import packaged_rules_dir

    rules = tmp_path / "rules"
    rules.mkdir()
    text = (packaged_rules_dir() / "columns.yaml").read_text(encoding="utf-8")
    assert "unit_figures: [十, 百, 千, 万, 亿]" in text
    (rules / "columns.yaml").write_text(text.replace("unit_figures: [十, 百, 千, 万, 亿]", "unit_figures: [万]"),
                                        encoding="utf-8")
    above = [["2011年度校内资助资金提取情况"], [None, None, None, None, None, "单位：十"]]
    doc = audit_sheet(run, tmp_path, [in_wan(income=1_000_000, extracted=50_000)], above=above)
    assert doc["schools"][0]["income"] == "1000000.00"
    headers = ["事业收入（万）" if h == "事业收入" else h for h in NO_UNIT]
    path = sheet(tmp_path / "finance.xlsx", [in_wan()], headers)
    code, _, err = run("audit-extraction", path, "--format", "json", "--workspace", tmp_path, as_json=True)
    assert code == 2 and "“万”" in err, (code, err)


def test_unit_phrases_are_rules(run, tmp_path):
    """A workspace whose unit_phrases gain 按{}计 reads 按万元计 as the unit; a phrase without the {}
    where the unit stands is refused, naming the key."""
    from aidctl.rulebook import packaged_rules_dir

    rules = tmp_path / "rules"
    rules.mkdir()
    text = (packaged_rules_dir() / "columns.yaml").read_text(encoding="utf-8")
    (rules / "columns.yaml").write_text(text.replace('unit_phrases: ["以{}为单位"', 'unit_phrases: ["按{}计", "以{}为单位"'),
                                        encoding="utf-8")
    doc = audit_sheet(run, tmp_path, [in_wan()], below=[["金额按万元计"]])
    assert doc["schools"][0]["income"] == "1000000.00" and len(doc["schools"]) == 1, doc["schools"]
    (rules / "columns.yaml").write_text(text.replace('unit_phrases: ["以{}为单位"', 'unit_phrases: ["以为单位"'),
                                        encoding="utf-8")
    path = sheet(tmp_path / "finance.xlsx", [in_wan()], NO_UNIT)
    code, _, err = run("audit-extraction", path, "--format", "json", "--workspace", tmp_path, as_json=True)
    assert code == 2 and "unit_phrases" in err and "以为单位" in err, (code, err)


def test_the_words_of_a_unit_line_below_are_the_rules(run, tmp_path):
    """金额单位：元 and 单位:千元 below the table; 填报单位：… and 单位：见各列 state none; a workspace
    that adds 币种 to `unit_line` has 币种：万元 read as the unit."""
    doc = audit_sheet(run, tmp_path, [in_wan(income=1_000, extracted=50)], below=[["单位:千元"]])
    assert doc["schools"][0]["income"] == "1000000.00"
    doc = audit_sheet(run, tmp_path, [in_wan(income=1_000_000, extracted=50_000)],
                      below=[["填报单位：市教育局计划财务科", None, None, None, None, "单位：见各列"]])
    assert doc["schools"][0]["income"] == "1000000.00" and not any("按万元" in n for n in doc["notes"])
    rules = tmp_path / "rules"
    rules.mkdir()
    from aidctl.rulebook import packaged_rules_dir

    text = (packaged_rules_dir() / "columns.yaml").read_text(encoding="utf-8")
    (rules / "columns.yaml").write_text(text.replace("unit_line: [单位,", "unit_line: [币种, 单位,"), encoding="utf-8")
    doc = audit_sheet(run, tmp_path, [in_wan()], below=[["币种：万元"]])
    assert doc["schools"][0]["income"] == "1000000.00" and len(doc["schools"]) == 1


def test_a_header_unit_wins_over_a_line_below_and_the_difference_is_said(run, tmp_path):
    """As above the table: 事业收入（元） keeps its 元 under a 单位：万元 line; the difference is a note."""
    doc = audit_sheet(run, tmp_path, [school()], headers=HEAD, below=[["单位：万元"]])
    s = doc["schools"][0]
    assert (s["income"], s["verdict"]) == ("1000000.00", "合规"), s
    assert any("表格下方第4行“单位：万元”与“事业收入（元）”、“提取金额（元）”" in n and "按表头写的单位读取" in n
               for n in doc["notes"]), doc["notes"]


@pytest.mark.parametrize("above, below", [("单位：元", "单位：万元"), ("单位：万元", "单位：元"), (None, ["单位：万元", "单位：元"])])
def test_unit_lines_that_disagree_leave_the_columns_they_govern_unread(run, tmp_path, above, below):
    """单位：元 above the header and 单位：万元 under the table (or two lines under it): which one the
    columns without their own unit are in is not known. Their figures are extraction.invalid naming
    the file and both lines' rows, the schools 无法审核 and outside every total; a column that states
    its own unit (划入专户金额（元）) is read."""
    lines = [["2011年度校内资助资金提取情况"], [None, None, None, None, None, above]] if above else None
    under = [[line] for line in below] if isinstance(below, list) else [["制表人：张三", None, None, None, None, below]]
    doc = audit_sheet(run, tmp_path, [in_wan(), in_wan(code="9002", name="乙职业中学", extracted=4)],
                      above=lines, below=under, exit_code=1)
    assert [x["verdict"] for x in doc["schools"]] == ["无法审核", "无法审核"]
    assert codes(doc) == [["extraction.invalid"] * 2] * 2      # 事业收入 and 提取金额; never extraction.under
    assert [(x["income"], x["extracted"], x["deposited"]) for x in doc["schools"]] == [(None, None, "50000.00")] * 2
    message = doc["schools"][0]["findings"][0]["message"]
    first, second = (2, 6) if above else (5, 6)    # the rows of the two lines
    assert message.startswith("事业收入“100”未读取") and "finance.xlsx" in message, message
    assert f"第{first}行“单位：" in message and f"表格下方第{second}行“单位：" in message, message
    assert "不一致" in message and "无法审核" in message
    assert doc["summary"]["income"] is None and doc["summary"]["unauditable"] == 2
    assert not any("按万元读取" in n or "按元读取" in n for n in doc["notes"])


def test_unit_lines_above_and_below_that_agree_are_the_unit(run, tmp_path):
    lines = [["2011年度校内资助资金提取情况"], [None, None, None, None, None, "单位：万元"]]
    doc = audit_sheet(run, tmp_path, [in_wan()], above=lines, below=[["单位：万元"]], exit_code=0)
    assert doc["schools"][0]["income"] == "1000000.00" and codes(doc) == [[]]


def registry(path: Path, rows: list[list]) -> Path:
    wb = openpyxl.Workbook()
    wb.active.append(["学校代码", "学校名称", "学校类型", "所属县区", "办学性质", "在校生人数", "别名"])
    for r in rows:
        wb.active.append(r)
    wb.save(path)
    return path


def test_a_code_typed_as_a_number_is_the_registered_code_with_its_zeros(run, tmp_path):
    """00123 typed as a number is 123: schools.xlsx's 00123 (中职, 5%) was not found by its code, and
    the school was audited as the sheet said (普高, 3%: 合规). It is now read as 00123, said aloud,
    where the name is 00123's (its 别名 一职中); a name schools.xlsx does not give 00123 is not guessed."""
    registry(tmp_path / "schools.xlsx", [["00123", "第一职业中学", "中职", "城关区", "公办", 900]])
    doc = audit_sheet(run, tmp_path, [school(code=123, name="一职中", kind="普高", extracted=30_000)], headers=HEAD)
    s = doc["schools"][0]
    assert (s["school_code"], s["verdict"], s["counted"]) == ("123", "无法审核", False), s
    message = finding(doc, 0, code="extraction.invalid")["message"]
    assert "“00123”（schools.xlsx）只差前导零" in message and "一职中" in message and "第一职业中学" in message, message
    registry(tmp_path / "schools.xlsx", [["00123", "第一职业中学", "中职", "城关区", "公办", 900, "一职中"]])
    doc = audit_sheet(run, tmp_path, [school(code=123, name="一职中", kind="普高", extracted=30_000)], headers=HEAD)
    s = doc["schools"][0]
    assert (s["school_code"], s["type"], s["min_rate"], s["verdict"]) == ("00123", "中职", "5%", "不合规"), s
    assert codes(doc) == [["extraction.under"]]
    assert any("学校代码“123”" in n and "按 schools.xlsx 中的“00123”读取" in n and "前导零" in n for n in doc["notes"])


def test_a_code_that_lost_its_zeros_in_one_file_is_the_same_school_as_in_another(run, tmp_path):
    """The county's file gives 00123 as text, the school's own file as a number (123): one school
    twice, counted twice in the totals. The two rows are now one school-year: extraction.duplicate,
    counted once. schools.xlsx holding the code as a number (123) is read the same way."""
    county = sheet(tmp_path / "county.xlsx", [school(code="00123"), school(code="00456", name="乙职业中学")])
    own = sheet(tmp_path / "own.xlsx", [school(code=123, extracted=10_000)])
    code, doc, err = run("audit-extraction", county, own, "--format", "json", "--workspace", tmp_path, as_json=True)
    assert code == 1, err
    assert [x["school_code"] for x in doc["schools"]] == ["00123", "00456", "00123"]
    assert codes(doc) == [["extraction.duplicate"], [], ["extraction.duplicate"]]
    assert doc["summary"]["schools"] == 2 and doc["summary"]["income"] == "2000000.00"
    assert any("学校代码“123”（" in n and "own.xlsx 第3行）按报表其他行中的“00123”读取" in n for n in doc["notes"])
    registry(tmp_path / "schools.xlsx", [[123, "测试职业中学", "普高", "城关区", "公办", 900],   # two of one name:
                                         [456, "测试职业中学", "中职", "西山县", "公办", 900]])  # the code tells
    doc = audit_sheet(run, tmp_path, [school(code="00123", kind="中职", extracted=30_000)], headers=HEAD)
    s = doc["schools"][0]
    assert (s["school_code"], s["type"], s["county"], s["verdict"]) == ("00123", "普高", "城关区", "合规"), s
    assert any("schools.xlsx 中的学校代码“123”按报表中的“00123”读取" in n for n in doc["notes"]), doc["notes"]


@pytest.mark.parametrize("registered, other", [
    ([["00123", "测试职业中学", "中职", "城关区", "公办", 900], ["0123", "测试中学", "普高", "城关区", "公办", 900]], None),
    ([["00123", "测试职业中学", "中职", "城关区", "公办", 900], ["123", "测试中学", "普高", "城关区", "公办", 900]], None),
    (None, ["00123", "测试中学"]),
], ids=["two-padded-codes", "both-registered", "names-differ"])
def test_a_code_whose_zeros_cannot_be_told_is_not_guessed(run, tmp_path, registered, other):
    """123 beside 00123 and 0123 (or beside 00123 and 123, both registered, or beside 00123 given to
    another school): which school the row is cannot be told. It is extraction.invalid naming the
    codes, 无法审核, outside the totals; the rows whose code is written in full are audited."""
    if registered:
        registry(tmp_path / "schools.xlsx", registered)
    rows = [school(code=123, kind="中职")] + ([school(code=other[0], name=other[1], kind="普高", extracted=30_000)]
                                           if other else [])
    doc = audit_sheet(run, tmp_path, rows, headers=HEAD, exit_code=1)
    assert doc["schools"][0]["school_code"] == "123" and doc["schools"][0]["verdict"] == "无法审核"
    message = finding(doc, 0, code="extraction.invalid")["message"]
    assert message.startswith("学校代码“123”与") and "“00123”" in message and "只差前导零" in message, message
    assert "不计入合计" in message
    assert [x["counted"] for x in doc["schools"]] == [False] + [True] * (len(rows) - 1)
    assert codes(doc)[1:] == [[]] * (len(rows) - 1)
    assert doc["summary"]["schools"] == len(rows) - 1


def test_a_unit_line_under_many_rows_not_read_is_found_as_under_a_few(run, tmp_path):
    """The rows not read as records are looked at in Python when few, in Arrow when many (70 note
    rows): the unit line under them is found either way."""
    notes = [[f"注：{i}."] for i in range(70)]
    doc = audit_sheet(run, tmp_path, [in_wan()], below=[*notes, [None, None, None, None, None, "单位：万元"]])
    assert len(doc["schools"]) == 1 and doc["schools"][0]["income"] == "1000000.00", doc["schools"]
    assert any("表格下方第74行“单位：万元”" in n for n in doc["notes"]), doc["notes"]


def test_a_group_header_stating_its_unit_is_no_unit_line_for_the_sheet(run, tmp_path):
    """校内资助资金（单位：万元） merged over 提取金额 | 划入专户金额 | 发放金额 is their unit, not the
    sheet's: 事业收入 beside it, with no unit of its own, is never read as 万元 on its account (nor as 元:
    beside columns in 万元, which of the two it is cannot be told); repeated under the table, the header
    is no unit line either."""
    rows = [school(income=1_000_000, extracted=5, deposited=5, spent=5)]
    path = merged_sheet(tmp_path / "f.xlsx", rows, unit="（单位：万元）", income_head="事业收入")
    code, doc = run_sheet(run, tmp_path, path)
    s = doc["schools"][0]
    assert (s["income"], s["extracted"], s["verdict"]) == (None, "50000.00", "无法审核"), s
    assert "不知该列是按元还是按万元填写" in finding(doc, 0, code="extraction.invalid")["message"]
    assert not any("写明了金额单位" in n for n in doc["notes"]), doc["notes"]
    wb = openpyxl.load_workbook(path)
    wb.active.append([])
    wb.active.append(["序号", "学校代码", "学校名称", "学校类型", "所属县区", "事业收入", "校内资助资金（单位：万元）"])
    wb.active.append([None] * 6 + ["提取金额", "划入专户金额", "发放金额"])   # the two-row header again
    for j in range(1, 7):
        wb.active.merge_cells(start_row=6, start_column=j, end_row=7, end_column=j)
    wb.active.merge_cells("G6:I6")
    wb.save(path)
    code, doc = run_sheet(run, tmp_path, path)
    assert len(doc["schools"]) == 1 and doc["schools"][0]["extracted"] == "50000.00", doc["schools"]


# --- a school counted twice by a mistyped code, a school that sent nothing, totals over one set of schools,
#     事业收入 of 0


def test_a_code_schools_xlsx_does_not_hold_beside_a_registered_name_is_never_a_second_school(run, tmp_path):
    """3210 typed for 第一中学 (registered 3201) beside its row of 3201: two schools, both 合规, the totals
    doubled, no finding. The row is now the school-year standing twice (extraction.duplicate naming
    3210 and 3201), kept out of the totals; alone, which school it is cannot be told (extraction.invalid)."""
    registry(tmp_path / "schools.xlsx", [["3201", "第一中学", "普通高中", "城关区", "公办", 2400],
                                         ["3101", "第一职业中学", "中职", "城关区", "公办", 1850, "市一职"]])
    pupil = {"kind": "普高", "county": "城关区", "income": 30_000_000, "extracted": 1_200_000}
    doc = audit_sheet(run, tmp_path, [school(code="3201", name="第一中学", **pupil),
                                      school(code="3210", name="第一中学", **pupil),
                                      school(code="3101", name="第一职业中学", county="城关区")],
                      headers=HEAD, exit_code=1)
    assert codes(doc) == [["extraction.duplicate"], ["extraction.duplicate"], []]
    assert [x["counted"] for x in doc["schools"]] == [True, False, True]
    message = finding(doc, 1, code="extraction.duplicate")["message"]
    assert doc["schools"][1]["row"] == 4 and "finance.xlsx 第3行；" in message, message
    assert "学校代码“3210”在 schools.xlsx 中没有登记" in message and "读作学校代码3201" in message, message
    s = doc["summary"]
    assert (s["schools"], s["income"], s["extracted"]) == (2, "31000000.00", "1250000.00"), s
    # alone, by its 别名: a mistyped code or another school? 无法审核, outside the totals
    doc = audit_sheet(run, tmp_path, [school(code="3201", name="第一中学", **pupil),
                                      school(code="3110", name="市一职", county="城关区", extracted=30_000)],
                      headers=HEAD, exit_code=1)
    assert codes(doc) == [[], ["extraction.invalid"]]
    stray = doc["schools"][1]
    assert (stray["row"], stray["verdict"], stray["counted"], stray["in_totals"]) == (4, "无法审核", False, False)
    message = finding(doc, 1, code="extraction.invalid")["message"]
    assert message.startswith("学校代码“3110”在 schools.xlsx 中没有登记，而学校名称“市一职”是 schools.xlsx 中学校代码3101"), message
    assert "不计入合计" in message
    assert (doc["summary"]["schools"], doc["summary"]["income"]) == (1, "30000000.00")


def test_a_registered_school_that_sent_no_row_is_named_and_the_audit_is_incomplete(run, tmp_path):
    """schools.xlsx registers 第一中学 (普高), which sent no row for 2011: the summary read 1 of 1 合规,
    exit 0, not a word. It is now listed in missing_schools and a note, on its own sheet of the
    workbook, and the exit is 1. A 幼儿园 (学前: no rate in rules/extraction.yaml) is not expected;
    a school given by its 别名 alone did send its row."""
    registry(tmp_path / "schools.xlsx", [["3101", "第一职业中学", "中职", "城关区", "公办", 1850, "市一职"],
                                         ["3201", "第一中学", "普通高中", "城关区", "公办", 2400],
                                         ["3501", "城关幼儿园", "学前", "城关区", "公办", 300]])
    path = sheet(tmp_path / "finance.xlsx", [school(name="市一职", county="城关区")[1:]], HEAD[1:])
    out = tmp_path / "审核.xlsx"
    code, doc, err = run("audit-extraction", path, "--format", "json", "--workspace", tmp_path, "--report", out,
                         as_json=True)
    assert code == 1, err
    assert codes(doc) == [[]] and doc["schools"][0]["verdict"] == "合规" and doc["summary"]["errors"] == 0
    assert doc["missing_schools"] == [{"school_code": "3201", "school_name": "第一中学", "county": "城关区",
                                       "type": "普高"}]
    note = [n for n in doc["notes"] if "没有2011年度的数据行" in n]
    assert len(note) == 1 and "3201 第一中学（城关区，普高）" in note[0] and "未审核" in note[0], doc["notes"]
    assert "幼儿园" not in note[0] and "3201 第一中学" in err
    rows = list(openpyxl.load_workbook(out)["未报送学校"].iter_rows(min_row=4, values_only=True))
    assert rows == [("3201", "第一中学", "城关区", "普高")]
    # every school sent its row: nothing missing, exit 0; without schools.xlsx that cannot be told, and is said
    path = sheet(tmp_path / "finance.xlsx", [school(code="3101", name="第一职业中学"),
                                             school(code="3201", name="第一中学", kind="普高", extracted=40_000)])
    code, doc, err = run("audit-extraction", path, "--format", "json", "--workspace", tmp_path, as_json=True)
    assert code == 0 and doc["missing_schools"] == [], err
    (tmp_path / "schools.xlsx").unlink()
    code, doc, err = run("audit-extraction", path, "--format", "json", "--workspace", tmp_path, as_json=True)
    assert code == 0 and doc["missing_schools"] == []
    assert any("没有 schools.xlsx" in n and "无法核对" in n for n in doc["notes"]), doc["notes"]


def test_every_total_is_over_the_same_schools(run, tmp_path):
    """乙's 事业收入 unread kept its 提取金额 in `extracted`; 丙's 提取金额 unread kept its income and required
    amount in theirs: income, required and extracted were sums over different schools. Every total, in
    the JSON and in the county roll-up, is now over the schools whose figures were all read, and a note
    says how many were left out."""
    rows = [school(code="9001"), school(code="9002", name="乙职业中学", income="一百万"),
            school(code="9003", name="丙职业中学", income=2_000_000, extracted="-", deposited=100_000, spent=100_000)]
    path = sheet(tmp_path / "f.xlsx", rows)
    out = tmp_path / "r.xlsx"
    code, doc, err = run("audit-extraction", path, "--format", "json", "--workspace", tmp_path, "--report", out,
                         as_json=True)
    assert code == 1, err
    assert [x["in_totals"] for x in doc["schools"]] == [True, False, False]
    s = doc["summary"]
    assert (s["schools"], s["totalled"], s["unauditable"]) == (3, 1, 2)
    assert [s[k] for k in ("income", "required_min", "extracted", "deposited", "spent", "shortfall")] == \
        ["1000000.00", "50000.00", "50000.00", "50000.00", "50000.00", "0.00"], s
    assert any("2所学校（乙职业中学、丙职业中学）" in n and "只包括其余1所学校" in n for n in doc["notes"]), doc["notes"]
    rollup = [r for r in openpyxl.load_workbook(out)["县区汇总"].iter_rows(min_row=4, values_only=True) if r[0]]
    total = [r for r in rollup if r[0] == "合计"][0]
    assert (total[1], total[3], total[4], total[5], total[10]) == (3, 1_000_000, 50_000, 50_000, 1), total
    assert any(str(r[0]).startswith("金额只合计数据全部读出的1所学校；另有2所学校") for r in rollup), rollup


def test_income_of_zero_is_not_compliant_but_unauditable_and_named(run, tmp_path):
    """事业收入 0 (a sheet never filled in, or 0 typed for a figure): rate × 0 asks nothing, so the row
    was 合规 with no rate and no word. It is now extraction.invalid naming the cell: 无法审核, outside
    the totals."""
    code, doc = audit(run, tmp_path, school(code="9001"), school(code="9002", name="乙职业中学", income=0, extracted=0))
    assert code == 1 and codes(doc) == [[], ["extraction.invalid"]]
    zero = doc["schools"][1]
    assert (zero["row"], zero["verdict"], zero["rate"], zero["in_totals"]) == (4, "无法审核", None, False)
    message = finding(doc, 1, code="extraction.invalid")["message"]
    assert message.startswith("事业收入为0（“0”）") and "无法审核" in message and "不计入合计" in message, message
    s = doc["summary"]
    assert (s["compliant"], s["unauditable"], s["totalled"], s["income"]) == (1, 1, 1, "1000000.00")
