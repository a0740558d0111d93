"""Files aidctl cannot read, and rule files it must refuse: exit 2, one line naming the file, no traceback.

A recognisable roster that lacks a required column is not such a file: that is a finding (exit 1).
"""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import msoffcrypto
import pytest
import yaml
from conftest import VOC_HEADERS, voc_row, write_roster
from msoffcrypto.format.ooxml import OOXMLFile

from aidctl.rulebook import packaged_rules_dir

TERM = ("--term", "2011-autumn")


def one_line_naming(stderr: str, *words: str) -> str:
    """The single stderr line of an exit 2; it names each of `words` and holds no traceback."""
    assert "Traceback" not in stderr
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, stderr
    for w in words:
        assert w in lines[0], (w, lines[0])
    return lines[0]


def good_roster(path: Path, n: int = 3) -> Path:
    return write_roster(path, [voc_row(i) for i in range(1, n + 1)], VOC_HEADERS)


# --- unreadable rosters ---------------------------------------------------------------------------

def _missing(tmp: Path) -> str:
    return "不存在.xlsx"


def _empty(tmp: Path) -> str:
    (tmp / "空.xlsx").write_bytes(b"")
    return "空.xlsx"


def _docx(tmp: Path) -> str:
    with zipfile.ZipFile(tmp / "通知.xlsx", "w") as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types '
                    'xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        zf.writestr("_rels/.rels", "<Relationships/>")
        zf.writestr("word/document.xml", "<w:document xmlns:w='urn:w'><w:body/></w:document>")
    return "通知.xlsx"


def _plain_zip(tmp: Path) -> str:
    with zipfile.ZipFile(tmp / "打包.xlsx", "w") as zf:
        zf.writestr("名单/花名册.xlsx", b"not really")
    return "打包.xlsx"


def _truncated(tmp: Path) -> str:
    full = good_roster(tmp / "full.xlsx", n=40).read_bytes()
    (tmp / "半个.xlsx").write_bytes(full[: len(full) // 2])
    return "半个.xlsx"


def _random(tmp: Path) -> str:
    data = random.Random(7).randbytes(4096)
    assert not data.startswith((b"PK", b"\xd0\xcf"))
    (tmp / "乱码.xlsx").write_bytes(data)
    return "乱码.xlsx"


def _encrypted(tmp: Path) -> str:
    plain = good_roster(tmp / "plain.xlsx")
    out = io.BytesIO()
    with plain.open("rb") as fh:
        OOXMLFile(fh).encrypt("123456", out)
    (tmp / "加密.xlsx").write_bytes(out.getvalue())
    return "加密.xlsx"


def _bad_workbook_xml(tmp: Path) -> str:
    with zipfile.ZipFile(tmp / "坏结构.xlsx", "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook><sheets><sheet name='a'")
        zf.writestr("xl/_rels/workbook.xml.rels", "<Relationships/>")
    return "坏结构.xlsx"


def _no_rels(tmp: Path) -> str:
    with zipfile.ZipFile(tmp / "缺部件.xlsx", "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", '<workbook xmlns="http://schemas.openxmlformats.org/'
                                       'spreadsheetml/2006/main"><sheets/></workbook>')
    return "缺部件.xlsx"


def _corrupt_sheet(tmp: Path) -> str:
    """A well-formed package whose sheet XML is cut off."""
    good = good_roster(tmp / "good.xlsx")
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(tmp / "坏表.xlsx", "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            dst.writestr(item, data)
    return "坏表.xlsx"


def _folder(tmp: Path) -> str:
    (tmp / "文件夹.xlsx").mkdir()
    return "文件夹.xlsx"


def _instructions_only(tmp: Path) -> str:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "填表说明"
    for line in ["填表说明：", "1. 请在“花名册”工作表中填写", "2. 身份证号码请设为文本格式"]:
        ws.append([line])
    wb.create_sheet("Sheet2")
    wb.save(tmp / "说明.xlsx")
    return "说明.xlsx"


def _header_without_name(tmp: Path) -> str:
    # three known headers, but no 姓名: not a roster header
    write_roster(tmp / "无姓名.xlsx", [{"身份证号码": "1", "银行卡号": "2", "资助金额（元）": 750}],
                 ["身份证号码", "银行卡号", "资助金额（元）"])
    return "无姓名.xlsx"


def _header_too_low(tmp: Path) -> str:
    write_roster(tmp / "太靠下.xlsx", [voc_row(1)], VOC_HEADERS, above=[[]] * 30 + [["名单"]])
    return "太靠下.xlsx"


def _random_csv(tmp: Path) -> str:
    data = bytes(random.Random(11).randrange(0x80, 0x100) for _ in range(2000))
    (tmp / "乱码.csv").write_bytes(data)
    return "乱码.csv"


def _csv_without_header(tmp: Path) -> str:
    (tmp / "名单.csv").write_text("张三,男,420102199503121234\n李四,女,420102199503121226\n",
                                  encoding="utf-8")
    return "名单.csv"


BAD = [_missing, _empty, _docx, _plain_zip, _truncated, _random, _encrypted, _bad_workbook_xml,
       _no_rels, _corrupt_sheet, _folder, _instructions_only, _header_without_name, _header_too_low,
       _random_csv, _csv_without_header]


@pytest.mark.parametrize("make", BAD, ids=[f.__name__.strip("_") for f in BAD])
@pytest.mark.parametrize("fmt", ["json", "table"])
def test_unreadable_file_is_exit_2_with_one_line(run, tmp_path, make, fmt):
    name = make(tmp_path)
    code, out, err = run("validate", name, *TERM, "--format", fmt)
    assert code == 2, (out, err)
    one_line_naming(err, name)
    assert out.strip() == ""          # no half a JSON document, no table
    assert "Traceback" not in out


def test_empty_file_message_says_empty(run, tmp_path):
    code, _, err = run("validate", _empty(tmp_path), *TERM)
    assert "文件是空的（0 字节）" in one_line_naming(err, "空.xlsx")


def test_a_sheet_whose_layout_cannot_be_read_is_not_read_without_it(run, tmp_path, monkeypatch):
    """The cells are read by fastexcel and the layout (hidden rows and columns, merged ranges, formulas
    without a value) by aidctl's own scan of the sheet: should the scan fail, the file is refused,
    never read as if nothing were hidden or merged."""
    import aidctl.read.workbook as W

    def broken(*args, **kwargs):
        raise zipfile.BadZipFile("Bad CRC-32 for file 'xl/worksheets/sheet1.xml'")

    monkeypatch.setattr(W, "scan_sheet", broken)
    code, out, err = run("validate", good_roster(tmp_path / "a.xlsx"), *TERM)
    assert code == 2 and "文件已损坏" in one_line_naming(err, "a.xlsx") and "CRC" in err


def test_encrypted_file_message_says_password(run, tmp_path):
    name = _encrypted(tmp_path)
    with open(tmp_path / name, "rb") as fh:
        assert msoffcrypto.OfficeFile(fh).is_encrypted()
    code, _, err = run("validate", name, *TERM)
    assert code == 2
    assert "密码" in one_line_naming(err, name)


def test_docx_message_says_word(run, tmp_path):
    code, _, err = run("validate", _docx(tmp_path), *TERM)
    assert "Word" in one_line_naming(err, "通知.xlsx")


def test_no_header_message_names_the_sheets(run, tmp_path):
    code, _, err = run("validate", _instructions_only(tmp_path), *TERM)
    assert code == 2
    one_line_naming(err, "说明.xlsx", "填表说明", "姓名")


def test_one_bad_file_among_good_ones_stops_the_run(run, tmp_path):
    good_roster(tmp_path / "a.xlsx")
    good_roster(tmp_path / "c.xlsx")
    bad = _truncated(tmp_path)
    code, out, err = run("validate", "a.xlsx", bad, "c.xlsx", *TERM, "--format", "json")
    assert code == 2
    line = one_line_naming(err, bad)
    assert "a.xlsx" not in line.replace(bad, "")
    assert out.strip() == ""


def test_file_named_by_full_path(run, tmp_path):
    path = tmp_path / "sub" / "不存在.xlsx"
    code, _, err = run("validate", str(path), *TERM)
    assert code == 2
    one_line_naming(err, str(path))


def test_debug_shows_the_traceback(run, tmp_path):
    name = _truncated(tmp_path)
    code, _, err = run("validate", name, *TERM, "--debug")
    assert code == 2
    assert "Traceback" in err
    assert name in err.strip().splitlines()[-1]


def test_hidden_roster_only_is_no_roster(run, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["填表说明：见隐藏表"])
    hidden = wb.create_sheet("花名册")
    hidden.append(VOC_HEADERS)
    hidden.append([voc_row(1)[h] for h in VOC_HEADERS])
    hidden.sheet_state = "hidden"
    wb.save(tmp_path / "隐藏.xlsx")
    code, out, err = run("validate", "隐藏.xlsx", *TERM)
    assert code == 2
    one_line_naming(err, "隐藏.xlsx")


# --- a recognisable roster with a column missing: a finding, not a failure ------------------------

def test_missing_card_column_is_a_finding(run, tmp_path):
    headers = [h for h in VOC_HEADERS if h != "银行卡号"]
    write_roster(tmp_path / "无卡号.xlsx", [voc_row(i) for i in range(1, 4)], headers)
    code, doc, err = run("validate", "无卡号.xlsx", *TERM, "--format", "json", as_json=True)
    assert code == 1, err
    assert doc["files"][0]["records"] == 3
    missing = [f for f in doc["findings"] if f["code"] == "schema.missing_column"]
    assert len(missing) == 1
    f = missing[0]
    assert f["row"] is None
    assert f["column"] == "银行卡号"
    assert f["severity"] == "error"
    assert f["file"] == "无卡号.xlsx" and f["sheet"] == "Sheet1"
    # the file-level finding stands for the column: no card.missing on every record
    assert [x["code"] for x in doc["findings"]] == ["schema.missing_column"]


def test_missing_id_column_is_a_finding(run, tmp_path):
    headers = [h for h in VOC_HEADERS if h != "身份证号码"]
    write_roster(tmp_path / "a.xlsx", [voc_row(i) for i in range(1, 3)], headers)
    code, doc, err = run("validate", "a.xlsx", *TERM, "--format", "json", as_json=True)
    assert code == 1, err
    assert [(f["row"], f["column"], f["code"]) for f in doc["findings"]] == [
        (None, "身份证号码", "schema.missing_column")]


def test_missing_household_column_named_by_the_programme(run, tmp_path):
    # 中职国家助学金 in 2011 needs 户口性质 or 困难等级 to decide eligibility
    headers = [h for h in VOC_HEADERS if h != "户口性质"]
    write_roster(tmp_path / "a.xlsx", [voc_row(i) for i in range(1, 3)], headers)
    code, doc, err = run("validate", "a.xlsx", *TERM, "--format", "json", as_json=True)
    assert code == 1, err
    missing = [(f["row"], f["column"]) for f in doc["findings"] if f["code"] == "schema.missing_column"]
    assert missing and all(row is None for row, _ in missing)
    assert {c for _, c in missing} & {"户口性质", "困难等级"}


# --- bad options ----------------------------------------------------------------------------------

@pytest.mark.parametrize("term", ["nonsense", "2011", "2011-winter", "autumn-2011", "2011-13"])
def test_bad_term_is_exit_2(run, tmp_path, term):
    good_roster(tmp_path / "a.xlsx")
    code, out, err = run("validate", "a.xlsx", "--term", term, "--format", "json")
    assert code == 2
    one_line_naming(err, term)
    assert out.strip() == ""


def test_no_roster_and_no_term_is_exit_2(run, tmp_path):
    code, out, err = run("validate")
    assert code == 2
    one_line_naming(err)


def test_empty_intake_folder_is_exit_2(run, tmp_path):
    (tmp_path / "intake" / "2011-autumn").mkdir(parents=True)
    code, out, err = run("validate", *TERM)
    assert code == 2
    one_line_naming(err, "2011-autumn")


def test_what_the_intake_folder_holds_besides_spreadsheets_is_said_aloud(run, tmp_path):
    """A roster saved as .xlsm or WPS .et, or unpacked into a sub-folder, is not read: its students
    are in nothing the run reports, so the run says so (stderr and the JSON notes). Excel's lock
    file, hidden files and Windows' Thumbs.db are no one's roster."""
    intake = tmp_path / "intake" / "2011-autumn"
    write_roster(intake / "a.xlsx", [voc_row(1)], VOC_HEADERS, above=[["第一职业中学2011年秋季学期受助学生名单"]])
    write_roster(intake / "第三中学" / "b.xlsx", [voc_row(2)], VOC_HEADERS)
    for name in ("c.et", "d.xlsm", "~$a.xlsx", ".DS_Store", "Thumbs.db"):
        (intake / name).write_bytes(b"x")
    code, doc, err = run("validate", *TERM, "--format", "json", as_json=True)
    assert code == 0 and doc["summary"]["records"] == 1, err
    said = [n for n in doc["notes"] if "未读取" in n]
    assert len(said) == 1 and "3 个文件或文件夹未读取" in said[0] and "c.et、d.xlsm、第三中学/" in said[0], doc["notes"]
    assert said[0] in err
    code, plan, err = run("disburse", *TERM, "--dry-run", "--format", "json", as_json=True)
    assert [n for n in plan["notes"] if "未读取" in n] == said
    (intake / "c.et").unlink()
    (intake / "d.xlsm").unlink()
    (intake / "第三中学" / "b.xlsx").unlink()
    (intake / "第三中学").rmdir()
    code, doc, err = run("validate", *TERM, "--format", "json", as_json=True)
    assert not [n for n in doc["notes"] if "未读取" in n], doc["notes"]


def test_missing_workspace_is_exit_2(run, tmp_path):
    good_roster(tmp_path / "a.xlsx")
    code, out, err = run("validate", "a.xlsx", *TERM, "--workspace", str(tmp_path / "nowhere"))
    assert code == 2
    assert "Traceback" not in err


# --- bad rule files -------------------------------------------------------------------------------

def _programmes() -> dict:
    return yaml.safe_load((packaged_rules_dir() / "programmes.yaml").read_text(encoding="utf-8"))


def _workspace_with(tmp_path: Path, programmes: dict | str) -> Path:
    ws = tmp_path / "ws"
    (ws / "rules").mkdir(parents=True)
    text = programmes if isinstance(programmes, str) else \
        yaml.safe_dump(programmes, allow_unicode=True, sort_keys=False)
    (ws / "rules" / "programmes.yaml").write_text(text, encoding="utf-8")
    return ws


def _unknown_key(p):
    p["programmes"]["中职国家助学金"]["amout"] = 750
    return "programmes.中职国家助学金.amout"


def _unknown_period_key(p):
    p["programmes"]["中职国家助学金"]["periods"][0]["ammount"] = {"per_term": "750.00"}
    return "programmes.中职国家助学金.periods.0.ammount"


def _wrong_type(p):
    p["programmes"]["中职国家助学金"]["school_types"] = 5
    return "programmes.中职国家助学金.school_types"


def _bad_date(p):
    p["programmes"]["普高国家助学金"]["periods"][0]["from"] = "秋季"
    return "programmes.普高国家助学金.periods.0.from"


def _bad_amount(p):
    p["programmes"]["中职国家助学金"]["periods"][0]["amount"] = {"per_term": "七百五十"}
    return "programmes.中职国家助学金.periods.0.amount.per_term"


def _overlap(p):
    p["programmes"]["中职国家助学金"]["periods"][0]["until"] = "2013-06-30"   # next starts 2012-09-01
    return "programmes.中职国家助学金.periods"


def _same_start(p):
    periods = p["programmes"]["普高国家助学金"]["periods"]
    periods[1]["from"] = periods[0]["from"]
    return "programmes.普高国家助学金.periods"


def _unknown_school_type(p):
    p["programmes"]["学前教育资助"]["school_types"] = ["幼儿"]
    return "programmes.学前教育资助.school_types"


def _unknown_condition_value(p):
    p["programmes"]["中职国家助学金"]["periods"][0]["conditions"][1]["any_of"][0]["in"] = ["乡村"]
    return "programmes.中职国家助学金.periods.0"


RULE_BREAKS = [_unknown_key, _unknown_period_key, _wrong_type, _bad_date, _bad_amount, _overlap,
               _same_start, _unknown_school_type, _unknown_condition_value]


@pytest.mark.parametrize("breaks", RULE_BREAKS, ids=[f.__name__.strip("_") for f in RULE_BREAKS])
def test_bad_rule_file_is_exit_2_naming_file_and_key(run, tmp_path, breaks):
    programmes = _programmes()
    key = breaks(programmes)
    ws = _workspace_with(tmp_path, programmes)
    code, out, err = run("rules", "check", "--workspace", str(ws))
    assert code == 2, (out, err)
    one_line_naming(err, "programmes.yaml", key)
    assert str(ws / "rules") in err   # the workspace's file, not the packaged one


@pytest.mark.parametrize("words", [{"paid": "是", "declined": "不"}, {"paid": "否", "declined": "否"}])
def test_pay_words_that_are_not_two_yes_no_words_are_exit_2(run, tmp_path, words):
    vocabulary = yaml.safe_load((packaged_rules_dir() / "vocabulary.yaml").read_text(encoding="utf-8"))
    vocabulary["pay_words"] = words
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "vocabulary.yaml").write_text(yaml.safe_dump(vocabulary, allow_unicode=True), encoding="utf-8")
    code, out, err = run("rules", "check", "--workspace", str(tmp_path))
    assert code == 2, (out, err)
    one_line_naming(err, "vocabulary.yaml", "pay_words")


def test_unchanged_copy_of_the_rules_passes(run, tmp_path):
    ws = _workspace_with(tmp_path, _programmes())
    code, out, err = run("rules", "check", "--workspace", str(ws), "--format", "json", as_json=True)
    assert code == 0, err
    assert out["ok"] is True


def test_yaml_syntax_error_names_file_and_line(run, tmp_path):
    ws = _workspace_with(tmp_path, "description: x\nsource: y\nprogrammes:\n  a: [1, 2\n  b: 3\n")
    code, out, err = run("rules", "check", "--workspace", str(ws))
    assert code == 2
    line = one_line_naming(err, "programmes.yaml")
    assert "行" in line


def test_empty_rule_file_is_exit_2(run, tmp_path):
    ws = _workspace_with(tmp_path, "")
    code, out, err = run("rules", "check", "--workspace", str(ws))
    assert code == 2
    one_line_naming(err, "programmes.yaml")


def test_bad_rule_file_stops_validate_too(run, tmp_path):
    programmes = _programmes()
    key = _overlap(programmes)
    ws = _workspace_with(tmp_path, programmes)
    good_roster(ws / "a.xlsx")
    code, out, err = run("validate", "a.xlsx", *TERM, "--format", "json", cwd=ws)
    assert code == 2
    one_line_naming(err, "programmes.yaml", key)
    assert out.strip() == ""


def test_bad_rule_file_with_debug_shows_traceback(run, tmp_path):
    programmes = _programmes()
    key = _unknown_key(programmes)
    ws = _workspace_with(tmp_path, programmes)
    code, out, err = run("rules", "check", "--workspace", str(ws), "--debug")
    assert code == 2
    assert "Traceback" in err
    assert "RuleError" in err
    last = err.strip().splitlines()[-1]
    assert "programmes.yaml" in last and key in last


# --- a formula without its value, in a file read whole --------------------------------------------
# Every input but a roster (whose records each carry cell.formula_uncalculated) read such a cell as
# blank: a finance sheet's 提取金额 “空”, a complaint's 办结时间 open and overdue, a loan's 实还金额 unpaid.
SAMPLES_DIR = Path(__file__).resolve().parents[1] / "samples"
UNCALCULATED = {
    "a finance sheet's 提取金额": ("finance/2011年度校内资助资金提取情况.xlsx", "G4", "=F4*10000*0.05",
                                ["audit-extraction"], "“提取金额（元）”"),
    "a complaint's 办结时间": ("complaints/2011年度学生资助投诉登记台账.xlsx", "J4", "=C4+11",
                            ["complaints", "--year", "2011"], "“办结时间”"),
    "a loan's 实还金额": ("loans/生源地信用助学贷款台账.xlsx", "O4", "=M4+N4",
                      ["loans", "summary", "--year", "2024", "{ws}/loans/生源地信用助学贷款台账.xlsx"], "“实还金额”"),
    "a registry's 学籍状态": ("registry/学籍2011秋.xlsx", "E2", '=IF(A2="","","在籍")',
                          ["validate", "--term", "2011-autumn", "--registry", "{ws}/registry/学籍2011秋.xlsx"], "“学籍状态”"),
    "schools.xlsx's 在校生人数": ("schools.xlsx", "F2", "=SUM(F3:F7)", ["report", "--term", "2011-autumn"], "“在校生人数”"),
    "an enlistment's 学费": ("enlist/2024年应征入伍学生学费补偿申请表.xlsx", "I4", "=J4",
                           ["enlist", "{ws}/enlist/2024年应征入伍学生学费补偿申请表.xlsx", "--year", "2024"], "“第1学年学费（元）”"),
}


def run_with_the_cell(run, tmp_path, case, change) -> tuple[int, str, str, int, str]:
    """Run the case's command on a copy of the samples whose input has its cell changed by
    `change(cell)` (openpyxl): (exit code, stdout, stderr, the cell's Excel row, its column's name)."""
    import shutil

    import openpyxl

    name, cell, _, command, column = UNCALCULATED[case]
    ws = tmp_path / "ws"
    shutil.copytree(SAMPLES_DIR, ws, ignore=shutil.ignore_patterns("aidctl.db", "out", ".aidctl.lock"))
    path = ws / name
    wb = openpyxl.load_workbook(path)
    change(wb.active[cell])
    wb.save(path)
    row = int("".join(c for c in cell if c.isdigit()))
    code, out, err = run(*[c.format(ws=ws) for c in command], "--workspace", ws)
    return code, out, err, row, column


@pytest.mark.parametrize("case", UNCALCULATED)
def test_a_formula_without_its_value_is_never_read_as_blank(run, tmp_path, case):
    formula = UNCALCULATED[case][2]

    def change(cell):
        cell.value = formula   # openpyxl saves the formula without a value, as a program would

    code, out, err, row, column = run_with_the_cell(run, tmp_path, case, change)
    assert code == 2, (out, err)
    one_line_naming(err, f"第{row}行", column, f"单元格是公式“{formula}”", "没有保存计算结果", "不把它当作空白",
                    "请在 Excel 中打开该文件")


@pytest.mark.parametrize("case", UNCALCULATED)
def test_struck_out_text_in_an_input_read_whole_is_refused(run, tmp_path, case):
    """The same inputs with one cell struck out (删除线): whether its row still counts is not known."""
    from openpyxl.styles import Font

    def change(cell):
        if cell.value in (None, ""):
            cell.value = 1
        cell.font = Font(strike=True)

    code, out, err, row, column = run_with_the_cell(run, tmp_path, case, change)
    assert code == 2, (out, err)
    one_line_naming(err, f"第{row}行", column, "单元格有删除线", "是否作废", "请删除该行")


# An error value (#N/A, #DIV/0! …) in those files was read as blank in the same way: the spreadsheet
# readers give such a cell as empty. Each input's cell holds another of Excel's error values.
ERRORS = dict(zip(UNCALCULATED, ["#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!"]))


@pytest.mark.parametrize("case", UNCALCULATED)
def test_an_error_value_is_never_read_as_blank(run, tmp_path, case):
    def change(cell):
        cell.value = ERRORS[case]   # openpyxl saves it as an error cell, as Excel saves a pasted #N/A

    code, out, err, row, column = run_with_the_cell(run, tmp_path, case, change)
    assert code == 2, (out, err)
    one_line_naming(err, f"第{row}行", column, f"单元格是错误值“{ERRORS[case]}”", "不把它当作空白",
                    "请在 Excel 中改正该单元格")
