"""Never silently wrong on a real roster (issue 12): each layout that schools and other programs
really write, built here with openpyxl (and, in tests/fixtures/, saved by LibreOffice), with the
records read, the findings and the Excel rows asserted through `validate --format json` and, where
it pays, `disburse --dry-run`.
"""

from __future__ import annotations

import shutil
import struct
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import VOC_HEADERS, make_card, make_id, needs_soffice, saved_by_libreoffice, voc_row, write_roster

from aidctl.core.terms import Term
from aidctl.read import Workspace, read_tables
from aidctl.read import build_roster as build

sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
import make_layouts  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"
TERM = "2011-autumn"
TITLE = "第一职业中学2011年秋季学期中职国家助学金发放花名册"


def validate(run, *files, term: str | None = TERM, extra: tuple = ()) -> tuple[int, dict, str]:
    args = ["validate", *map(str, files), "--format", "json", *extra]
    if term:
        args += ["--term", term]
    code, doc, err = run(*args, as_json=True)
    assert code in (0, 1) and isinstance(doc, dict), (code, doc, err)
    return code, doc, err


def dry_run(run, root: Path, term: str = TERM) -> tuple[int, dict]:
    code, doc, err = run("disburse", "--term", term, "--workspace", root, "--dry-run", "--format", "json",
                         as_json=True)
    assert code in (0, 1) and isinstance(doc, dict), (code, doc, err)
    return code, doc


def where(doc: dict) -> list[tuple]:
    return [(f["row"], f["column"], f["code"], f["severity"]) for f in doc["findings"]]


def frame_of(path: Path, term: str = TERM):
    ws = Workspace(path.parent)
    return build(read_tables(path, path.name, "roster", ws.rules, per_record=True), Term.parse(term), ws).frame


def sheet_of(path: Path, rows: list[list], *, merges=(), hidden_rows=(), hidden_cols=(), name="Sheet1",
             more: dict | None = None) -> Path:
    """A workbook from rows of cell values (None: blank), with merged ranges, hidden rows/columns."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = name
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(row=r, column=c, value=value)
    for rng in merges:
        ws.merge_cells(rng)
    for r in hidden_rows:
        ws.row_dimensions[r].hidden = True
    for c in hidden_cols:
        ws.column_dimensions[c].hidden = True
    for sheet_name, (sheet_rows, state) in (more or {}).items():
        extra = wb.create_sheet(sheet_name)
        for row in sheet_rows:
            extra.append(row)
        extra.sheet_state = state
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def values(i: int, headers: list[str] = VOC_HEADERS, **over) -> list:
    row = voc_row(i)
    row.update(over)
    return [row.get(h) for h in headers]


# --- 1. two-row headers with merged group headers ---------------------------------------------------

TWO_ROW_FILES = ["openpyxl", "two_row_header_lo.xlsx", "two_row_header.ods"]


@pytest.mark.parametrize("source", TWO_ROW_FILES)
def test_two_row_header_finds_every_column(run, tmp_path, source):
    """学生信息 over 姓名|性别|身份证号, 银行卡信息 over 开户银行|卡号, 年级/户口性质/学籍状态 merged
    down both rows, 资助金额（元） under 资助信息: every column is found, every student read (the
    same from openpyxl, from LibreOffice's .xlsx and from its .ods). Before, the header was one row:
    9 records, schema.missing_column and eligibility errors for every student."""
    path = make_layouts.two_row_header(tmp_path / "two.xlsx") if source == "openpyxl" else FIXTURES / source
    code, doc, _ = validate(run, path)
    assert doc["files"] == [{"file": str(path), "sheet": "花名册", "header_row": 3, "records": 6,
                             "dropped": {"note": 2, "total": 1, "signature": 1}, "hidden_rows": 1,
                             "hidden_sheets": [], "struck_rows": 0}]
    # the only finding: the hidden old card column, named and not read
    assert where(doc) == [(None, "卡号", "schema.ambiguous_column", "warning")]
    assert "银行卡号（旧）" in doc["findings"][0]["message"] and "第L列" in doc["findings"][0]["message"]
    assert code == 0
    if source == "openpyxl":
        frame = frame_of(path)
        assert list(frame["excel_row"]) == [4, 5, 6, 7, 8, 10]
        assert list(frame["grade"]) == ["一年级"] * 3 + ["二年级"] * 2 + ["一年级"]   # merged down
        assert list(frame["bank"]) == ["工商银行"] * 6
        assert list(frame["card"]) == [make_card(seed=i) for i in (1, 2, 3, 4, 5, 66)]   # not the old ones
        assert list(frame["amount_yuan"].astype(str)) == ["750.00"] * 6


def test_unit_in_the_merged_group_header_applies_to_its_columns(run, tmp_path):
    """资助金额（万元） merged over 本学期 | 备注: 本学期 is the amount (本学期资助金额), in 万元."""
    headers = ["序号", "姓名", "性别", "身份证号码", "年级", "户口性质", "学籍状态", "资助项目", "资助金额（万元）", None, "银行卡号"]
    sub = [None, None, None, None, None, None, None, None, "本学期", "备注", None]
    rows = [values(i, VOC_HEADERS[:8]) + [0.075, None, make_card(seed=i)] for i in range(1, 4)]
    rows[2][8] = 0.08
    merges = ["I1:J1"] + [f"{c}1:{c}2" for c in "ABCDEFGHK"]
    path = sheet_of(tmp_path / "a.xlsx", [headers, sub, *rows], merges=merges)
    code, doc, _ = validate(run, path)
    assert doc["files"][0]["header_row"] == 2 and doc["files"][0]["records"] == 3
    assert where(doc) == [(5, "资助金额（万元）/本学期", "amount.mismatch", "error")]
    assert list(frame_of(path)["amount_yuan"].astype(str)) == ["750.00", "750.00", "800.00"]


# --- 2. vertically merged data cells ---------------------------------------------------------------

def test_merged_data_cells_apply_to_every_row_of_the_merge(run, tmp_path):
    """A teacher merges 年级, 户口性质 and 开户银行 over a class's rows: each row has the value, as a
    reader of the sheet sees it; before, only the top row had it and the rest were refused."""
    headers = VOC_HEADERS + ["开户银行"]
    rows = [values(i, headers, 开户银行="工商银行") for i in range(1, 7)]
    for row in rows[1:3] + rows[4:6]:
        row[4] = row[5] = row[10] = None     # 年级, 户口性质, 开户银行 only in each class's first row
    rows[3][4] = "二年级"
    rows[3][5] = "县镇非农"
    path = sheet_of(tmp_path / "a.xlsx", [[TITLE], headers, *rows],
                    merges=["A1:K1", "E3:E5", "F3:F5", "E6:E8", "F6:F8", "K3:K8"])
    code, doc, _ = validate(run, path)
    assert code == 0 and doc["findings"] == [], doc["findings"]
    frame = frame_of(path)
    assert list(frame["grade"]) == ["一年级"] * 3 + ["二年级"] * 3
    assert list(frame["household"]) == ["农村"] * 3 + ["县镇非农"] * 3
    assert list(frame["bank"]) == ["工商银行"] * 6
    # without the merges the same cells are blank: the rows under each class's first are refused
    bare = sheet_of(tmp_path / "b.xlsx", [[TITLE], headers, *rows])
    code, doc, _ = validate(run, bare)
    assert {f["row"] for f in doc["findings"] if f["code"] == "eligibility.not_eligible"} == {4, 5, 7, 8}


def test_merged_data_cells_far_down_a_long_class_apply_to_every_row(run, tmp_path):
    """Ranges ending near the top are filled value by value, longer ones by one Arrow take: both
    give every row of a range its value, and the rows outside keep their own."""
    headers = VOC_HEADERS + ["开户银行"]
    rows = [values(i, headers, 开户银行="工商银行") for i in range(1, 101)]
    for row in rows[1:60] + rows[61:100]:
        row[4] = row[10] = None   # 年级 and 开户银行 only in the first row of each range
    rows[60][4] = "二年级"
    rows[60][10] = "农业银行"
    # columns E and K hold ranges ending beyond the rows filled value by value (E63:E102), the title
    # row is filled value by value
    path = sheet_of(tmp_path / "a.xlsx", [[TITLE], headers, *rows],
                    merges=["A1:K1", "E3:E62", "K3:K62", "E63:E102", "K63:K102"])
    code, doc, _ = validate(run, path)
    assert code == 0 and doc["findings"] == [], doc["findings"][:3]
    frame = frame_of(path)
    assert list(frame["grade"]) == ["一年级"] * 60 + ["二年级"] * 40
    assert list(frame["bank"]) == ["工商银行"] * 60 + ["农业银行"] * 40
    assert frame["excel_row"].tolist() == list(range(3, 103))


# --- 3. competing columns --------------------------------------------------------------------------

CARD_HEADERS = VOC_HEADERS[:-1] + ["银行卡号", "资助卡号"]


def card_rows(n: int = 3) -> list[list]:
    """银行卡号 holds last term's cards (seed 900+), 资助卡号 this term's (seed i)."""
    return [values(i, CARD_HEADERS, 银行卡号=make_card(seed=900 + i), 资助卡号=make_card(seed=i)) for i in range(1, n + 1)]


def test_hidden_old_card_column_loses_to_the_visible_aid_card(run, tmp_path):
    """A hidden column of last term's cards (银行卡号) beside the visible 资助卡号: the 资助卡号 is paid,
    and a warning names the column not read. Before, the hidden column was paid, silently."""
    root = tmp_path / "ws"
    path = sheet_of(root / "intake" / TERM / "a.xlsx", [[TITLE], CARD_HEADERS, *card_rows()], hidden_cols=["J"])
    code, doc, _ = validate(run, path)
    assert where(doc) == [(None, "资助卡号", "schema.ambiguous_column", "warning")]
    message = doc["findings"][0]["message"]
    assert "“资助卡号”（第K列）" in message and "“银行卡号”（第J列，已隐藏）" in message
    assert code == 0
    code, plan = dry_run(run, root)
    assert sorted(p["row"] for p in plan["payments"]) == [3, 4, 5]
    paid_cards = {p["row"]: p for p in plan["payments"]}
    assert list(frame_of(path)["card"]) == [make_card(seed=i) for i in (1, 2, 3)]
    assert len(paid_cards) == 3


def no_height_no_width(path: Path, rows: list[int], column: int) -> Path:
    """Rows of no height (ht="0") and a column of no width (width="0"), neither marked hidden: how
    WPS and some programs write what a reader cannot see (openpyxl leaves a zero size out)."""
    import zipfile

    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    for r in rows:
        xml = xml.replace(f'<row r="{r}"', f'<row r="{r}" ht="0.0" customHeight="1"', 1)
    xml = xml.replace("<sheetData>", f'<cols><col min="{column}" max="{column}" width="0" customWidth="1"/></cols>'
                      "<sheetData>", 1)
    assert xml.count('ht="0.0"') == len(rows) and 'width="0"' in xml
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def test_a_row_of_no_height_and_a_column_of_no_width_are_hidden(run, tmp_path):
    """A column squeezed to no width holding last term's cards beside the visible 资助卡号, and rows
    squeezed to no height: the file does not say hidden, but nobody reading the sheet sees them. The
    column loses to the visible one and is named 已隐藏; the rows are read and counted hidden. Before,
    both were taken as visible: the two card columns an error, nobody paid."""
    root = tmp_path / "ws"
    path = no_height_no_width(sheet_of(root / "intake" / TERM / "a.xlsx", [[TITLE], CARD_HEADERS, *card_rows(4)]),
                              rows=[4, 6], column=10)
    code, doc, _ = validate(run, path)
    assert where(doc) == [(None, "资助卡号", "schema.ambiguous_column", "warning")], doc["findings"]
    assert "“银行卡号”（第J列，已隐藏）" in doc["findings"][0]["message"] and code == 0
    assert doc["files"][0]["hidden_rows"] == 2
    assert list(frame_of(path)["card"]) == [make_card(seed=i) for i in (1, 2, 3, 4)]


def test_an_aid_card_column_of_no_width_is_not_paid_over_the_visible_card(run, tmp_path):
    """资助卡号 squeezed to no width beside a visible 银行卡号: the two rules disagree, as for a
    资助卡号 marked hidden. Before, the more specific name won and the column nobody sees was paid."""
    root = tmp_path / "ws"
    path = no_height_no_width(sheet_of(root / "intake" / TERM / "a.xlsx", [[TITLE], CARD_HEADERS, *card_rows()]),
                              rows=[], column=11)
    code, doc, _ = validate(run, path)
    assert [(f["code"], f["severity"]) for f in doc["findings"]] == [("schema.ambiguous_column", "error")], \
        doc["findings"]
    assert code == 1
    code, plan = dry_run(run, root)
    assert plan["payments"] == []


@pytest.mark.parametrize("hidden, chosen", [([], "资助卡号"), (["K"], None)])
def test_visible_rule_and_specific_rule_together(run, tmp_path, hidden, chosen):
    """Both visible, the more specific 资助卡号 wins; 资助卡号 hidden beside a visible 银行卡号, the two
    rules disagree: no rule decides, an error for the file, and nobody in it is paid."""
    root = tmp_path / "ws"
    path = sheet_of(root / "intake" / TERM / "a.xlsx", [[TITLE], CARD_HEADERS, *card_rows()], hidden_cols=hidden)
    code, doc, _ = validate(run, path)
    (f,) = doc["findings"]
    assert f["code"] == "schema.ambiguous_column" and f["row"] is None
    if chosen:
        assert (f["severity"], f["column"], code) == ("warning", chosen, 0)
        assert list(frame_of(path)["card"]) == [make_card(seed=i) for i in (1, 2, 3)]
    else:
        assert (f["severity"], code) == ("error", 1)
        assert "请只保留一列" in f["message"]
        code, plan = dry_run(run, root)
        assert plan["payments"] == [] and sorted(r["row"] for r in plan["refused"]) == [3, 4, 5]
        assert all("schema.ambiguous_column" in r["codes"] for r in plan["refused"])


def test_two_plain_card_columns_are_an_error(run, tmp_path):
    headers = VOC_HEADERS + ["卡号"]
    rows = [values(i, headers, 卡号=make_card(seed=300 + i)) for i in range(1, 3)]
    code, doc, _ = validate(run, sheet_of(tmp_path / "a.xlsx", [headers, *rows]))
    assert where(doc) == [(None, "银行卡号", "schema.ambiguous_column", "error")]
    assert code == 1


def test_two_columns_holding_the_same_values_are_one(run, tmp_path):
    headers = VOC_HEADERS + ["年级"]
    rows = [values(i, headers) for i in range(1, 3)]
    code, doc, _ = validate(run, sheet_of(tmp_path / "a.xlsx", [headers, *rows]))
    assert code == 0 and doc["findings"] == []


def test_two_remark_columns_read_the_first_with_a_warning(run, tmp_path):
    headers = VOC_HEADERS + ["备注", "备注"]
    rows = [values(i, headers) + ["新生", "住校"] for i in range(1, 3)]
    rows = [r[:len(VOC_HEADERS)] + ["新生", "住校"] for r in rows]   # harmless remarks: no remark.unread
    code, doc, _ = validate(run, sheet_of(tmp_path / "a.xlsx", [headers, *rows]))
    assert where(doc) == [(None, "备注", "schema.ambiguous_column", "warning")]
    assert code == 0


def test_guardian_id_beside_the_students_is_named_not_read(run, tmp_path):
    headers = VOC_HEADERS[:4] + ["身份证号（监护人）"] + VOC_HEADERS[4:]
    rows = [values(i, headers, **{"身份证号（监护人）": make_id("19700101", seq=500 + 2 * i)}) for i in range(1, 3)]
    path = sheet_of(tmp_path / "a.xlsx", [headers, *rows])
    code, doc, _ = validate(run, path)
    assert where(doc) == [(None, "身份证号码", "schema.ambiguous_column", "warning")]
    assert "身份证号（监护人）" in doc["findings"][0]["message"] and "监护人" in doc["findings"][0]["message"]
    assert list(frame_of(path)["id_number"]) == [voc_row(i)["身份证号码"] for i in (1, 2)]


def test_guardian_id_alone_is_not_the_students(run, tmp_path):
    headers = [h if h != "身份证号码" else "身份证号码（家长）" for h in VOC_HEADERS]
    rows = [values(i, headers, **{"身份证号码（家长）": voc_row(i)["身份证号码"]}) for i in range(1, 3)]
    code, doc, _ = validate(run, sheet_of(tmp_path / "a.xlsx", [headers, *rows]))
    assert where(doc) == [(None, "身份证号码", "schema.missing_column", "error")]
    assert "身份证号码（家长）" in doc["findings"][0]["message"]


def test_guardian_group_header_sets_its_columns_aside(run, tmp_path):
    """监护人信息 merged over 姓名 | 身份证号 | 联系电话: the guardian's name and ID are not the student's;
    the phone is still the contact phone."""
    top = ["序号", "姓名", "性别", "身份证号码", "年级", "户口性质", "学籍状态", "资助项目", "资助金额（元）", "银行卡号",
           "监护人信息", None, None]
    sub = [None] * 10 + ["姓名", "身份证号", "联系电话"]
    rows = [values(i) + [f"家长{i}", make_id("19700101", seq=600 + 2 * i), "13807160000"] for i in range(1, 3)]
    merges = ["K1:M1"] + [f"{c}1:{c}2" for c in "ABCDEFGHIJ"]
    path = sheet_of(tmp_path / "a.xlsx", [top, sub, *rows], merges=merges)
    code, doc, _ = validate(run, path)
    assert sorted((f["column"], f["severity"]) for f in doc["findings"]) == [
        ("姓名", "warning"), ("身份证号码", "warning")]
    frame = frame_of(path)
    assert list(frame["name"]) == ["学生一", "学生二"] and list(frame["phone"]) == ["13807160000"] * 2


def test_a_title_merged_over_part_of_the_header_is_no_group_header(run, tmp_path):
    """A title is the only text of its row: merged over A:F, saying 上学期 and 家长, it sets nothing
    aside (a group header row holds more than one value)."""
    path = sheet_of(tmp_path / "a.xlsx", [["第一职业中学上学期学生家长信息核对后补发名单"], VOC_HEADERS, values(1), values(2)],
                    merges=["A1:F1"])
    code, doc, _ = validate(run, path)
    assert code == 0 and doc["findings"] == [] and doc["files"][0]["records"] == 2


# --- 4. hidden rows and hidden sheets --------------------------------------------------------------

def test_hidden_rows_are_read_and_counted_hidden_sheets_are_not(run, tmp_path):
    """Hidden rows are data a clerk may have filtered: read, and counted in the files list. A hidden
    sheet (an old copy) is not the roster: not read, and named in the files list."""
    broken = [values(i, 身份证号码="123") for i in range(1, 3)]
    path = sheet_of(tmp_path / "a.xlsx", [[TITLE], VOC_HEADERS, *[values(i) for i in range(1, 6)]],
                    hidden_rows=[4, 6], more={"旧名单": ([VOC_HEADERS, *broken], "hidden")})
    code, doc, _ = validate(run, path)
    assert code == 0 and doc["findings"] == []
    assert doc["files"] == [{"file": str(path), "sheet": "Sheet1", "header_row": 2, "records": 5, "dropped": {},
                             "hidden_rows": 2, "hidden_sheets": ["旧名单"], "struck_rows": 0}]


def test_a_roster_only_on_a_hidden_sheet_says_so(run, tmp_path):
    path = sheet_of(tmp_path / "a.xlsx", [["填表说明：见花名册"]],
                    more={"花名册": ([VOC_HEADERS, values(1)], "hidden")})
    code, out, err = run("validate", path, "--term", TERM)
    assert code == 2 and "隐藏的工作表 “花名册”" in err and "取消隐藏" in err


# --- 5. the term -----------------------------------------------------------------------------------

@pytest.mark.parametrize("title, term", [
    ("第一职业中学2011—2012学年第一学期国家助学金发放花名册", "2011-autumn"),
    ("第一职业中学2011-2012学年第二学期国家助学金发放花名册", "2012-spring"),
    ("第一职业中学2011学年秋季国家助学金发放花名册", "2011-autumn"),
    ("第一职业中学二〇一一年秋季国家助学金发放花名册", "2011-autumn"),
    ("第一职业中学2012年春季学期国家助学金发放花名册", "2012-spring"),
])
def test_term_titles_are_understood(run, tmp_path, title, term):
    path = write_roster(tmp_path / "a.xlsx", [voc_row(1)], VOC_HEADERS, above=[[title]])
    code, doc, err = validate(run, path, term=None)
    assert doc["term"] == term
    assert doc["notes"] and term in doc["notes"][0] and term in err
    assert not [f for f in doc["findings"] if f["code"] == "term.mismatch"]


def test_no_term_given_or_found_is_said_before_todays_term_is_used(run, tmp_path):
    path = write_roster(tmp_path / "a.xlsx", [voc_row(1)], VOC_HEADERS, above=[["填报单位：第一职业中学（春节前报送）"]])
    code, doc, err = validate(run, path, term=None)
    assert len(doc["notes"]) == 1 and "--term" in doc["notes"][0] and doc["term"] in doc["notes"][0]
    assert "aidctl: 提醒：" in err and doc["notes"][0] in err


def test_disburse_refuses_a_roster_titled_for_another_term(run, tmp_path):
    """A roster titled 2011年秋季 in intake/2012-spring/: paid as 2012-spring it would pay last term's
    students again. It is term.mismatch for that file; the 2012 roster beside it is paid."""
    root = tmp_path / "ws"
    intake = root / "intake" / "2012-spring"
    write_roster(intake / "old.xlsx", [voc_row(i) for i in range(1, 3)], VOC_HEADERS, above=[[TITLE]])
    write_roster(intake / "new.xlsx", [voc_row(i) for i in range(3, 5)], VOC_HEADERS,
                 above=[["第一职业中学2012年春季学期中职国家助学金发放花名册"]])
    code, plan = dry_run(run, root, "2012-spring")
    assert code == 1
    assert sorted((r["file"], r["row"], tuple(r["codes"])) for r in plan["refused"]) == [
        ("intake/2012-spring/old.xlsx", 3, ("term.mismatch",)), ("intake/2012-spring/old.xlsx", 4, ("term.mismatch",))]
    assert sorted(p["row"] for p in plan["payments"]) == [3, 4] and {p["file"] for p in plan["payments"]} == {
        "intake/2012-spring/new.xlsx"}
    code, doc, _ = validate(run, intake / "old.xlsx", term="2012-spring")
    (f,) = [f for f in doc["findings"] if f["code"] == "term.mismatch"]
    assert "2011年秋季学期" in f["message"] and "2012年春季学期" in f["message"] and f["row"] is None


def test_a_folder_naming_another_term_is_a_mismatch(run, tmp_path):
    path = write_roster(tmp_path / "2011-autumn" / "a.xlsx", [voc_row(1)], VOC_HEADERS)
    code, doc, _ = validate(run, path, term="2012-spring")
    assert [(f["code"], f["severity"]) for f in doc["findings"]] == [("term.mismatch", "error")]
    assert "所在文件夹“2011-autumn”" in doc["findings"][0]["message"]
    code, doc, _ = validate(run, path, term="2011-autumn")
    assert doc["findings"] == []


def test_rosters_naming_two_terms_without_term_given(run, tmp_path):
    a = write_roster(tmp_path / "a.xlsx", [voc_row(1)], VOC_HEADERS, above=[[TITLE]])
    b = write_roster(tmp_path / "b.xlsx", [voc_row(2)], VOC_HEADERS, above=[[TITLE]])
    c = write_roster(tmp_path / "c.xlsx", [voc_row(3)], VOC_HEADERS, above=[["2012年春季学期国家助学金名单"]])
    code, doc, err = validate(run, a, b, c, term=None)
    assert doc["term"] == "2011-autumn"
    assert [(Path(f["file"]).name, f["code"]) for f in doc["findings"]] == [("c.xlsx", "term.mismatch")]
    assert len(doc["notes"]) == 3 and "不一致" in doc["notes"][1] and "没有写明学校" in doc["notes"][2]


# --- 6. rows that are not students -----------------------------------------------------------------

def test_marker_footer_subtotal_and_repeated_rows_are_dropped_and_counted(run, tmp_path):
    width = len(VOC_HEADERS)
    blank = [None] * width
    rows = [values(1), values(2)]
    rows += [[None, "以下为补报学生"] + [None] * (width - 2)]
    rows += [values(3)]
    rows += [[None, "一班小计"] + [None] * 6 + [2250, None]]
    rows += [VOC_HEADERS]                                         # the header again (classes pasted)
    rows += [values(4)]
    rows += [[None, "以下空白"] + [None] * (width - 2), blank]
    rows += [["填表人：张三", None, None, "联系电话：13807160000"] + [None] * (width - 4)]
    rows += [[None, "（本页以下无正文）"] + [None] * (width - 2)]
    path = sheet_of(tmp_path / "a.xlsx", [[TITLE], VOC_HEADERS, *rows])
    code, doc, _ = validate(run, path)
    assert code == 0 and doc["findings"] == [], doc["findings"]
    assert doc["files"][0]["records"] == 4
    assert doc["files"][0]["dropped"] == {"note": 3, "total": 1, "repeated_header": 1, "blank": 1, "signature": 1}
    assert list(frame_of(path)["excel_row"]) == [3, 4, 6, 9]


def test_a_student_whose_id_looks_like_an_id_is_never_dropped(run, tmp_path):
    """A row carrying an ID is a student even when its name starts like a marker word."""
    path = sheet_of(tmp_path / "a.xlsx", [VOC_HEADERS, values(1), values(2, 姓名="以上")])
    code, doc, _ = validate(run, path)
    assert doc["files"][0]["records"] == 2 and doc["findings"] == []


# --- 7. formulas without a value -------------------------------------------------------------------

def test_formulas_without_a_value_are_reported_or_computed(run, tmp_path):
    """openpyxl writes formulas with no value, as a school's own program would: =750 and =1500/2 are
    computed; =H5*2 in the amount and a formula in the card are cell.formula_uncalculated, never read
    as empty (no card.missing) and never replaced by the standard amount (the record is refused)."""
    amount = "资助金额（元）"
    rows = [voc_row(1, **{amount: "=750"}), voc_row(2, **{amount: "=1500/2"}), voc_row(3, **{amount: "=H5*2"}),
            voc_row(4, 银行卡号='=TEXT(A1,"0")'), voc_row(5, **{amount: "=1000/2"})]
    root = tmp_path / "ws"
    path = write_roster(root / "intake" / TERM / "a.xlsx", rows, VOC_HEADERS, above=[[TITLE]])
    code, doc, _ = validate(run, path)
    assert where(doc) == [(5, "资助金额（元）", "cell.formula_uncalculated", "error"),
                          (6, "银行卡号", "cell.formula_uncalculated", "error"),
                          (7, "资助金额（元）", "amount.mismatch", "error")]
    assert doc["findings"][0]["value"] == "=H5*2" and "=H5*2" in doc["findings"][0]["message"]
    assert "标准金额" in doc["findings"][0]["message"]
    code, plan = dry_run(run, root)
    assert sorted(p["row"] for p in plan["payments"]) == [3, 4]
    assert {r["row"]: r["codes"] for r in plan["refused"]} == {
        5: ["cell.formula_uncalculated"], 6: ["cell.formula_uncalculated"], 7: ["amount.mismatch"]}


def test_a_row_of_formulas_only_is_a_record_not_a_blank(run, tmp_path):
    rows = [voc_row(1)]
    path = write_roster(tmp_path / "a.xlsx", rows, VOC_HEADERS, below=[[None, "=B2"]])
    code, doc, _ = validate(run, path)
    assert doc["files"][0]["records"] == 2
    assert (3, "姓名", "cell.formula_uncalculated", "error") in where(doc)


def test_formulas_in_a_column_at_the_edge_of_the_sheet(run, tmp_path):
    """A last column holding nothing but formulas without a value is outside what the reader gives:
    it is still found, computed where it can be and reported where it cannot."""
    headers = VOC_HEADERS[:8] + ["银行卡号", "资助金额（元）"]
    rows = [voc_row(i, **{"资助金额（元）": "=750" if i < 3 else "=H2*0"}) for i in range(1, 4)]
    path = write_roster(tmp_path / "a.xlsx", rows, headers)
    code, doc, _ = validate(run, path)
    assert where(doc) == [(4, "资助金额（元）", "cell.formula_uncalculated", "error")]
    assert list(frame_of(path)["amount"])[:2] == ["750", "750"]


def test_a_calculated_formula_is_read_as_its_value(run, tmp_path):
    """A file saved by LibreOffice keeps each formula's value: nothing to report."""
    with zipfile.ZipFile(FIXTURES / "two_row_header_lo.xlsx") as zf:
        sheet = next(n for n in zf.namelist() if n.startswith("xl/worksheets/sheet"))
        assert b"<v>" in zf.read(sheet)
    code, doc, _ = validate(run, FIXTURES / "two_row_header_lo.xlsx")
    assert "cell.formula_uncalculated" not in {f["code"] for f in doc["findings"]}


# --- 8. numbers that lost digits in CSV ------------------------------------------------------------

def _csv(path: Path, rows: list[list]) -> Path:
    path.write_bytes(("\r\n".join(",".join("" if v is None else str(v) for v in r) for r in rows) + "\r\n")
                     .encode("utf-8-sig"))
    return path


def test_csv_with_excels_fifteen_digit_signature(run, tmp_path):
    """An 18-digit ID ending 000 whose check fails, and two 19-digit cards ending 0000 (the column
    shows the signature plainly): digits lost. ="…" and a leading tab are unwrapped."""
    lost_id = voc_row(2)["身份证号码"][:15] + "000"
    rows = [VOC_HEADERS, values(1), values(2, 身份证号码=lost_id),
            values(3, 银行卡号=make_card(seed=3)[:15] + "0000"), values(4, 银行卡号=make_card(seed=4)[:15] + "0000"),
            values(5, 身份证号码=f'="{voc_row(5)["身份证号码"]}"', 银行卡号=f'="{make_card(seed=5)}"'),
            values(6, 身份证号码="\t" + voc_row(6)["身份证号码"])]
    code, doc, _ = validate(run, _csv(tmp_path / "a.csv", rows))
    assert where(doc) == [(3, "身份证号码", "id.precision_lost", "error"), (4, "银行卡号", "card.precision_lost", "error"),
                          (5, "银行卡号", "card.precision_lost", "error")]
    assert doc["files"][0]["records"] == 6


def test_csv_cards_and_ids_that_end_in_zero_by_chance_are_kept(run, tmp_path):
    """A real ID or card may end in 0: alone, with its check passing, it has lost nothing."""
    card = next(c for c in (make_card(length=16, seed=s) for s in range(200)) if c.endswith("0"))
    ident = next(i for i in (make_id(seq=s) for s in range(0, 999, 2)) if i.endswith("0"))
    rows = [VOC_HEADERS, values(1, 银行卡号=card, 身份证号码=ident), values(2)]
    code, doc, _ = validate(run, _csv(tmp_path / "a.csv", rows))
    assert doc["findings"] == [] and code == 0


# --- 9. columns that one programme needs -----------------------------------------------------------

def test_a_column_only_one_programme_needs_refuses_only_its_records(run, tmp_path):
    """No 资助金额 column: 中职免学费 (whose standard is the school's fee) cannot be judged, 国家助学金
    (a fixed standard) can. Only the 免学费 records are refused; before, every student of the file."""
    headers = ["序号", "姓名", "性别", "身份证号码", "年级", "户口性质", "办学性质", "困难等级", "是否涉农专业", "学籍状态",
               "资助项目", "银行卡号"]
    rows = [voc_row(i, 办学性质="公办", 困难等级="一档", 是否涉农专业="否") for i in range(1, 4)]
    rows += [voc_row(i, 办学性质="公办", 困难等级="一档", 是否涉农专业="否", 资助项目="中职免学费") for i in range(4, 6)]
    root = tmp_path / "ws"
    write_roster(root / "intake" / TERM / "a.xlsx", rows, headers, above=[[TITLE]])
    code, plan = dry_run(run, root)
    assert sorted(p["row"] for p in plan["payments"]) == [3, 4, 5]
    assert [(r["row"], r["codes"]) for r in plan["refused"]] == [(6, ["schema.missing_column"]),
                                                                 (7, ["schema.missing_column"])]
    code, doc, _ = validate(run, root / "intake" / TERM / "a.xlsx")
    assert where(doc) == [(6, "资助金额", "schema.missing_column", "error"), (7, "资助金额", "schema.missing_column", "error")]
    assert "中职免学费" in doc["findings"][0]["message"]


# --- 10. the 学籍 export ---------------------------------------------------------------------------

REGISTRY = ["学籍号", "身份证号", "姓名", "学校", "学籍状态"]


def _registry_case(tmp_path: Path, aliases: str | None) -> tuple[Path, Path]:
    headers = VOC_HEADERS[:4] + ["学籍号", "学校名称"] + VOC_HEADERS[4:]
    rows = [voc_row(i, 学籍号=f"G{i:03d}", 学校名称="东方职业中学") for i in range(1, 5)]
    write_roster(tmp_path / "a.xlsx", rows, headers)
    reg = [{"学籍号": f"G{i:03d}" if i != 2 else "G999", "身份证号": r["身份证号码"], "姓名": r["姓名"],
            "学校": "武汉市东方职业中学", "学籍状态": "退学" if i == 3 else "在籍"} for i, r in enumerate(rows, 1)]
    write_roster(tmp_path / "reg.xlsx", reg, REGISTRY)
    if aliases is not None:
        write_roster(tmp_path / "schools.xlsx", [{"学校名称": "东方职业中学", "学校类型": "中职", "别名": aliases}],
                     ["学校名称", "学校类型", "别名"])
    return tmp_path / "a.xlsx", tmp_path / "reg.xlsx"


def test_registry_status_student_number_and_school_aliases(run, tmp_path):
    """退学 in the export refuses the record though the roster says 在籍; a different 学籍号 is a
    mismatch; 武汉市东方职业中学 = 东方职业中学 through schools.xlsx's 别名, so no school mismatch."""
    roster, reg = _registry_case(tmp_path, "武汉市东方职业中学、东方职中")
    code, doc, _ = validate(run, roster, extra=("--registry", reg))
    assert where(doc) == [(3, "学籍号", "registry.mismatch", "error"), (4, "学籍状态", "status.not_enrolled", "error")]
    assert "G999" in doc["findings"][0]["message"] and "退学" in doc["findings"][1]["message"]


def test_registry_school_full_name_without_an_alias_is_a_mismatch(run, tmp_path):
    roster, reg = _registry_case(tmp_path, None)
    code, doc, _ = validate(run, roster, extra=("--registry", reg))
    schools = [f for f in doc["findings"] if f["code"] == "registry.mismatch" and f["column"] == "学校名称"]
    assert [f["row"] for f in schools] == [2, 3, 4, 5] and "别名" in schools[0]["message"]


# --- 11. 出生日期 ----------------------------------------------------------------------------------

def test_birth_date_column_against_the_id(run, tmp_path):
    headers = VOC_HEADERS[:4] + ["出生日期"] + VOC_HEADERS[4:]
    born = ["1995-03-12", "1995年4月", "199503", "不详", "1995/3/12"]   # voc_row's IDs: born 1995-03-12
    rows = [voc_row(i, 出生日期=b) for i, b in enumerate(born, 1)]
    code, doc, _ = validate(run, write_roster(tmp_path / "a.xlsx", rows, headers))
    assert where(doc) == [(3, "出生日期", "birthdate.mismatch", "warning"), (5, "出生日期", "birthdate.mismatch", "warning")]
    first = doc["findings"][0]["message"]
    assert "（月份不同）" in first and "无法识别" in doc["findings"][1]["message"]
    assert not any(d in f["message"] for f in doc["findings"] for d in ("1995年03月12日", "19950312", "1995-03-12"))
    assert code == 0


# --- 12. the sheet in messages and on the terminal -------------------------------------------------

def test_messages_name_the_sheet_when_the_workbook_has_several(run, tmp_path):
    bad = values(2, 银行卡号="")
    path = sheet_of(tmp_path / "a.xlsx", [VOC_HEADERS, values(1), bad], name="一班",
                    more={"二班": ([VOC_HEADERS, values(3)], "visible")})
    code, doc, _ = validate(run, path)
    (f,) = doc["findings"]
    assert f["sheet"] == "一班" and f["message"].startswith("工作表“一班”：")
    single = sheet_of(tmp_path / "b.xlsx", [VOC_HEADERS, values(1), bad])
    code, doc, _ = validate(run, single)
    assert not doc["findings"][0]["message"].startswith("工作表")
    code, out, _ = run("validate", path, "--term", TERM)
    assert "工作表" in out and "一班" in out


# --- 13. .ods --------------------------------------------------------------------------------------

def test_ods_is_read_from_intake_and_an_odt_is_named_for_what_it_is(run, tmp_path):
    code, doc, _ = validate(run, FIXTURES / "two_row_header.ods")
    assert doc["files"][0]["records"] == 6
    root = tmp_path / "ws"
    (root / "intake" / TERM).mkdir(parents=True)
    (root / "intake" / TERM / "名单.ods").write_bytes((FIXTURES / "two_row_header.ods").read_bytes())
    code, plan = dry_run(run, root)
    assert sorted(p["row"] for p in plan["payments"]) == [4, 5, 6, 7, 8, 10] and plan["refused"] == []
    odt = tmp_path / "a.odt"
    with zipfile.ZipFile(odt, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        zf.writestr("content.xml", "<x/>")
    code, out, err = run("validate", odt, "--term", TERM)
    assert code == 2 and "文字处理文档" in err and "压缩文件" not in err


# --- 14. error values -------------------------------------------------------------------------------
# fastexcel and python-calamine read a cell holding #N/A, #DIV/0! … as empty: a 资助金额 of #N/A was
# paid the standard amount, a 银行卡号 of #REF! was card.missing. In a CSV the error is its text.

EXCEL_ERRORS = ["#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!"]
ERROR_KINDS = {"xlsx": None, "xlsx saved by LibreOffice": "xlsx", "ods": "ods", "xls": "xls", "csv": None}


def error_roster(root: Path, kind: str) -> Path:
    """A roster in intake/ whose 资助金额 holds each of Excel's error values (rows 4–10) and whose
    银行卡号 holds #N/A (row 11), row 3 clean: openpyxl writes them as error cells (values pasted), and
    LibreOffice saves them as formulas whose result is the error."""
    amount = "资助金额（元）"
    rows = [voc_row(1), *(voc_row(i + 2, **{amount: e}) for i, e in enumerate(EXCEL_ERRORS)),
            voc_row(9, 银行卡号="#N/A")]
    intake = root / "intake" / TERM
    if kind == "csv":
        intake.mkdir(parents=True)
        lines = [TITLE, ",".join(VOC_HEADERS), *(",".join(str(r[h]) for h in VOC_HEADERS) for r in rows)]
        (intake / "a.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        return intake / "a.csv"
    built = write_roster(root.parent / "built" / "a.xlsx", rows, VOC_HEADERS, above=[[TITLE]])
    if ERROR_KINDS[kind]:
        built = saved_by_libreoffice(built, ERROR_KINDS[kind], root.parent / "saved")
    intake.mkdir(parents=True)
    return Path(shutil.copy(built, intake / built.name))


@pytest.mark.parametrize("kind", [k if k in ("xlsx", "csv") else pytest.param(k, marks=needs_soffice)
                                  for k in ERROR_KINDS])
def test_an_error_value_is_a_finding_never_a_blank(run, tmp_path, kind):
    root = tmp_path / "ws"
    path = error_roster(root, kind)
    code, doc, _ = validate(run, path)
    assert code == 1
    assert where(doc) == [(4 + i, "资助金额（元）", "cell.error_value", "error") for i in range(7)] + [
        (11, "银行卡号", "cell.error_value", "error")]
    assert [f["value"] for f in doc["findings"]] == [*EXCEL_ERRORS, "#N/A"]
    first = doc["findings"][0]["message"]
    assert "错误值“#N/A”" in first and "不把它当作空白" in first and "标准金额" in first
    code, plan = dry_run(run, root)
    assert [p["row"] for p in plan["payments"]] == [3]
    assert {r["row"]: r["codes"] for r in plan["refused"]} == {r: ["cell.error_value"] for r in range(4, 12)}


def test_a_row_of_error_values_only_and_a_merged_error_are_records(run, tmp_path):
    """A row whose only content is an error value is not blank; an error in a merged range is on
    every row of the range, as the sheet shows it."""
    path = sheet_of(tmp_path / "a.xlsx", [VOC_HEADERS, values(1), values(2, **{"资助金额（元）": "#N/A"}),
                                          values(3), [None, "#REF!"]], merges=["I3:I4"])
    code, doc, _ = validate(run, path)
    assert doc["files"][0]["records"] == 4
    assert [w for w in where(doc) if w[2] == "cell.error_value"] == [
                          (3, "资助金额（元）", "cell.error_value", "error"),
                          (4, "资助金额（元）", "cell.error_value", "error"),
                          (5, "姓名", "cell.error_value", "error")]


TEXT_ERROR_KINDS = {"xlsx": None, "ods": "ods", "xls": "xls", "csv": None}


@pytest.mark.parametrize("kind", [k if k in ("xlsx", "csv") else pytest.param(k, marks=needs_soffice)
                                  for k in TEXT_ERROR_KINDS])
def test_a_text_cell_holding_an_errors_text_is_an_error_value_as_in_a_csv(run, tmp_path, kind):
    """A text cell reading #N/A (typed, or pasted as values from a program that writes its errors as
    text) was read as that text in a workbook: a 资助金额 of “#N/A” was amount.invalid (“不是有效的正数
    金额”), a 银行卡号 of “#REF!” card.format (“现为5位”), an ID id.format, and a 姓名 of “#N/A” no
    finding at all: the student was paid under that name. In a CSV such text was already an error
    value; in .xlsx, .ods and .xls text cells it now is too (spaces around it included), and the row
    is refused with cell.error_value alone, never paid."""
    amount = "资助金额（元）"
    rows = [voc_row(1), voc_row(2, **{amount: "#N/A"}), voc_row(3, 银行卡号=" #REF! "), voc_row(4, 身份证号码="#N/A"),
            voc_row(5, 姓名="#N/A"), voc_row(6, **{amount: "#DIV/0!"}), voc_row(7, 姓名="#N/A 张三")]
    root = tmp_path / "ws"
    intake = root / "intake" / TERM
    intake.mkdir(parents=True)
    if kind == "csv":
        lines = [TITLE, ",".join(VOC_HEADERS), *(",".join(str(r[h]) for h in VOC_HEADERS) for r in rows)]
        (intake / "a.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        path = intake / "a.csv"
    else:
        built = write_roster(tmp_path / "built" / "a.xlsx", rows, VOC_HEADERS, above=[[TITLE]])
        wb = openpyxl.load_workbook(built)
        for row in wb.active.iter_rows():
            for cell in row:
                if cell.data_type == "e":  # openpyxl makes "#N/A" an error cell: the cell is text here
                    cell.data_type = "s"
        wb.save(built)
        assert b't="e"' not in zipfile.ZipFile(built).read("xl/worksheets/sheet1.xml")
        if TEXT_ERROR_KINDS[kind]:
            built = saved_by_libreoffice(built, TEXT_ERROR_KINDS[kind], tmp_path / "saved")
        path = Path(shutil.copy(built, intake / built.name))
    code, doc, _ = validate(run, path)
    assert code == 1
    assert where(doc) == [(4, amount, "cell.error_value", "error"), (5, "银行卡号", "cell.error_value", "error"),
                          (6, "身份证号码", "cell.error_value", "error"), (7, "姓名", "cell.error_value", "error"),
                          (8, amount, "cell.error_value", "error"), (9, "姓名", "name.invalid", "error")]
    assert [f["value"] for f in doc["findings"]] == ["#N/A", "#REF!", "#N/A", "#N/A", "#DIV/0!", "#N/A张三"]
    assert "错误值“#N/A”" in doc["findings"][0]["message"] and "标准金额" in doc["findings"][0]["message"]
    code, plan = dry_run(run, root)
    assert sorted(p["row"] for p in plan["payments"]) == [3]
    # “#N/A 张三” is no error value, but a name holds no # nor /: name.invalid
    assert {r["row"]: r["codes"] for r in plan["refused"]} == {**{r: ["cell.error_value"] for r in range(4, 9)},
                                                               9: ["name.invalid"]}


def test_every_errors_text_in_a_text_cell_is_found_in_one_pass():
    """Each text ERROR_TEXT knows, with spaces around it, is listed from a workbook's Arrow columns and
    blanked; text that only contains one is not. The texts are read off ERROR_TEXT itself: one that
    did not begin with "#" or "Err:" would escape the byte scan that lets the regex run only where
    such a text can be, and fails here first."""
    import re

    import pyarrow as pa

    from aidctl.read.sheetxml import ERROR_TEXT
    from aidctl.read.unknown import text_errors
    from aidctl.read.workbook import RawSheet

    body = re.fullmatch(r"#\(\?:(.*)\)\|Err:\\d\{3\}", ERROR_TEXT)
    assert body, ERROR_TEXT
    texts = ["#" + re.sub(r"\\(.)", r"\1", t) for t in body.group(1).split("|")] + ["Err:502"]
    cells = [f"\u3000{t} " for t in texts] + ["#N/A 张三", "第#N/A", "750", None]
    sheet = RawSheet("Sheet1", table=pa.table({"0": pa.array(cells, pa.string()), "1": pa.array(["x"] * len(cells))}),
                     columns=[0, 1])
    text_errors(sheet)
    assert sheet.errors == [(r, 0, t) for r, t in enumerate(texts, start=1)]
    assert sheet.column(0).to_pylist() == [None] * len(texts) + ["#N/A 张三", "第#N/A", "750", None]
    assert sheet.column(1).to_pylist() == ["x"] * len(cells)


def test_an_errors_text_after_any_space_is_found_and_a_column_without_one_is_not_searched(monkeypatch):
    """The gate that spares a column the regex looks at each cell's first byte: every space
    str.strip() takes may stand before "#N/A", in a column sliced as Arrow slices it, and still be
    found; a column whose cells begin otherwise never reaches the regex."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from aidctl.read import unknown
    from aidctl.read.workbook import RawSheet

    spaces = [chr(c) for c in range(0x110000) if chr(c).isspace()]
    for space, small in [(s, 100_000) for s in spaces] + [(s, 0) for s in spaces]:   # 0: every sheet "big"
        monkeypatch.setattr(unknown, "SMALL_SHEET", small)
        for cells in (pa.array(["张三", space + "#N/A"]), pa.array(["x", "张三", space + "#N/A"]).slice(1),
                      pa.array(["张三", space + "#N/A"], pa.large_string())):
            sheet = RawSheet("Sheet1", table=pa.table({"0": cells}), columns=[0])
            unknown.text_errors(sheet)
            assert sheet.errors == [(2, 0, "#N/A")], (repr(space), small)
    monkeypatch.setattr(unknown, "SMALL_SHEET", 100_000)
    searched, regex = [], pc.match_substring_regex
    monkeypatch.setattr(unknown.pc, "match_substring_regex", lambda *a, **k: searched.append(a) or regex(*a, **k))
    sheet = RawSheet("Sheet1", table=pa.table({"0": pa.array(["张三", "李四", "750", None]),
                                               "1": pa.array(["x", None, None, "Err:502", "y"]).slice(1)}),
                     columns=[0, 1])
    unknown.text_errors(sheet)
    assert len(searched) == 1 and sheet.errors == [(3, 1, "Err:502")]
    sheet = RawSheet("Sheet1", table=pa.table({"0": pa.array(["张三", " 李四", "750"]), "1": pa.array(["E", None, "x"])}),
                     columns=[0, 1])
    unknown.text_errors(sheet)   # a small sheet without "#" or "Err:": one search of its bytes, no regex
    assert len(searched) == 1 and sheet.errors == []


# --- 15. Excel 5.0/95 (BIFF5) ------------------------------------------------------------------------
# An Excel 95 .xls keeps its sheet names and text in 8-bit code-page bytes (cp936 for Chinese, named by
# its CODEPAGE record), with no flags byte before a name as BIFF8 has. The BOUNDSHEET reader took the
# name's first byte for BIFF8's flags: "花名册" came out as "쎨닻�". No program at hand writes BIFF5, so
# tests/fixtures/make_biff5.py builds the records and the compound file; python-calamine reads them.

def _biff5(path: Path, sheets: dict, codepage: int = 936, edit=None, **layout) -> Path:
    import make_biff5

    stream = make_biff5.biff5_stream(sheets, codepage, **layout)
    if edit:
        stream = edit(bytearray(stream))
    path.write_bytes(make_biff5.compound_file("Book", bytes(stream)))
    return path


def test_an_excel_95_workbooks_sheets_are_named_in_its_code_page_and_keep_their_error_values(tmp_path):
    """The BIFF records' sheet names, decoded with the CODEPAGE record, are the file's ("花名册",
    "二年级"), and each sheet's error values (a BOOLERR #N/A, a formula's #REF!) are its own. In a
    cp1252 workbook, which python-calamine reads, the error values of "Sheet1" were matched to no sheet
    (its name garbled) and read as blank cells; they are now listed, by the sheet's place."""
    import make_biff5

    from aidctl.read.workbook import open_sheets

    path = _biff5(tmp_path / "w.xls", {"Übersicht": [["Hinweis"]],
                                        "Sheet1": [["x", "y"], ["1", ("error", 0x2A)], ["2", ("formula-error", 0x07)]]},
                  codepage=1252)
    sheets = open_sheets(path)
    assert [(s.name, s.errors) for s in sheets] == [("Übersicht", []), ("Sheet1", [(2, 1, "#N/A"), (3, 1, "#DIV/0!")])]

    from aidctl.read.biff import scan_xls, xls_book

    stream = make_biff5.biff5_stream({"花名册": [["姓名", "金额"], ["张三", ("error", 0x2A)]],
                                      "二年级": [["姓名", "金额"], ["李四", 750], ["王五", ("formula-error", 0x17)]]})
    book = xls_book(stream)
    assert (book.biff8, book.codepage, [n for _, n in book.sheets]) == (False, 936, ["花名册", "二年级"])
    assert {i: scan.errors for i, scan in scan_xls(stream, book).items()} == {0: [(2, 1, "#N/A")], 1: [(3, 1, "#REF!")]}


def test_an_excel_95_workbook_in_gbk_is_refused_naming_its_sheet_as_the_file_does(run, tmp_path):
    """python-calamine reads a BIFF5 workbook's cp936 text as "��\\x00…": no header was found and the
    refusal named the sheet “������”. The file is now refused for what it is, naming “花名册”, and asks
    for an .xlsx; a sheet beyond the .xls grid is named as the file does too."""
    rows = [[TITLE], VOC_HEADERS, values(1), values(2, **{"资助金额（元）": ("error", 0x2A)})]
    path = _biff5(tmp_path / "名单.xls", {"花名册": rows})
    code, out, err = run("validate", path, "--term", TERM)
    assert code == 2 and "工作表“花名册”" in err and "Excel 5.0/95" in err and "代码页 936" in err
    assert "另存为 .xlsx" in err and "�" not in err and "没有找到" not in err

    def wide(stream: bytearray) -> bytearray:  # the sheet's DIMENSIONS: 300 columns, beyond the .xls's 256
        at = stream.index(b"\x00\x02\x0a\x00", 8) + 4
        struct.pack_into("<H", stream, at + 6, 300)
        return stream

    path = _biff5(tmp_path / "宽.xls", {"花名册": rows}, edit=wide)
    code, out, err = run("validate", path, "--term", TERM)
    assert code == 2 and "工作表“花名册”" in err and "超出 .xls 格式的范围" in err and "�" not in err


# --- 16. .xls: hidden rows, hidden columns and struck-out cells, from the BIFF records --------------
# An .xls says which rows and columns are hidden (ROW's fDyZero, COLINFO's fHidden) and which cells are
# struck out (the FONT of a cell's XF, a run of a shared string or of an RSTRING), as an .xlsx does.
# They were not read: a hidden old 银行卡号 beside the new one stopped the file (or, left of it, was the
# one read), hidden rows were "unknown", struck students were paid. Files LibreOffice saves as .xls
# (as schools' copies are) and Excel 95 files built record by record are read here.

def xls_layout_roster(folder: Path) -> tuple[Path, Path]:
    """(the .xlsx built, the .xls LibreOffice saved of it) in `folder`: a title, the header (a hidden
    old 银行卡号 in J left of the visible current one in K), 1,500 students (the shared strings run over
    their first record into CONTINUE records), rows 4 and 1,202 hidden, row 1,002 struck out by its
    font, the name in row 6 struck out as a whole run of text and the name in row 1,302 in part."""
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont
    from openpyxl.styles import Font

    headers = [*VOC_HEADERS, "银行卡号"]
    rows = [[TITLE], headers, *(values(i, headers, 身份证号码=make_id(f"199503{12 + i // 400}", seq=100 + 2 * (i % 400)))
                                for i in range(1, 1501))]
    for row in rows[2:]:
        row[9] = make_card(seed=5000 + row[0])   # J: last year's card, hidden; K: this year's
    path = sheet_of(folder / "a.xlsx", rows, hidden_rows=[4, 1202], hidden_cols=["J"])
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    for cell in ws[1002]:
        cell.font = Font(strike=True)
    name = ws.cell(6, 2).value
    ws.cell(6, 2).value = CellRichText([TextBlock(InlineFont(strike=True), name)])
    name = ws.cell(1302, 2).value
    ws.cell(1302, 2).value = CellRichText([name[:2], TextBlock(InlineFont(strike=True), name[2:])])
    wb.save(path)
    return path, saved_by_libreoffice(path, "xls", folder / "saved")


@pytest.fixture(scope="module")
def layout_xls(tmp_path_factory) -> tuple[Path, Path]:
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    return xls_layout_roster(tmp_path_factory.mktemp("xls-layout"))


@needs_soffice
def test_an_xls_says_its_hidden_rows_hidden_columns_and_struck_cells(layout_xls):
    """Read from the records, exactly: the hidden rows; the hidden column J alone (LibreOffice's last
    COLINFO spans L to column 256, not hidden); each struck cell, by its font (row 1,002), by a run
    of its shared string (the names of rows 6 and 1,302; those of row 1,302's string lie in a CONTINUE
    record). The same as the .xlsx the file was saved from."""
    from aidctl.read.biff import xls_book, xls_workbook_stream
    from aidctl.read.workbook import open_sheets

    xlsx, xls = layout_xls
    stream = xls_workbook_stream(xls)
    book = xls_book(stream)
    assert len(book.sst) > 2 and book.biff8   # the strings run over into CONTINUE records
    (sheet,), (same,) = open_sheets(xls), open_sheets(xlsx)
    assert sheet.kind == "xls" and sheet.hidden_known
    assert list(sheet.hidden_rows) == list(same.hidden_rows) == [4, 1202]
    assert sheet.hidden_columns == same.hidden_columns == frozenset({9})
    assert sorted(set(sheet.struck)) == sorted(set(same.struck)) == [
        (6, 1), *((1002, c) for c in range(11)), (1302, 1)]


@needs_soffice
def test_an_xls_hidden_old_card_column_loses_to_the_visible_one_and_struck_students_are_not_paid(run, tmp_path,
                                                                                                layout_xls):
    """The .xls as the .xlsx: the visible 银行卡号 (K) is read and paid, the hidden old one (J) named
    in a warning (before: two columns for one field and no visibility to tell them apart, an error
    for the file, nobody paid); the two hidden rows are counted; the three struck students are
    cell.struck_out and not paid (before: struck_rows null, and paid)."""
    xlsx, xls = layout_xls
    docs = {}
    for path in (xlsx, xls):
        code, doc, _ = validate(run, path)
        assert code == 1
        docs[path.suffix] = doc
    for doc in docs.values():
        (entry,) = doc["files"]
        assert (entry["records"], entry["hidden_rows"], entry["struck_rows"]) == (1500, 2, 3)
        assert where(doc) == [(None, "银行卡号", "schema.ambiguous_column", "warning"),
                              (6, "姓名", "cell.struck_out", "error"), (1002, "序号", "cell.struck_out", "error"),
                              (1302, "姓名", "cell.struck_out", "error")]
        message = doc["findings"][0]["message"]
        assert "读取“银行卡号”（第K列）" in message and "未读取“银行卡号”（第J列，已隐藏）" in message
        assert "看不出" not in message
    assert [f["message"] for f in docs[".xls"]["findings"]] == [f["message"] for f in docs[".xlsx"]["findings"]]
    root = tmp_path / "ws"
    (root / "intake" / TERM).mkdir(parents=True)
    shutil.copy(xls, root / "intake" / TERM / xls.name)
    assert list(frame_of(root / "intake" / TERM / xls.name)["card"][:3]) == [make_card(seed=i) for i in (1, 2, 3)]
    code, plan = dry_run(run, root)
    assert sorted(r["row"] for r in plan["refused"]) == [6, 1002, 1302]
    paid = {p["row"]: p for p in plan["payments"]}
    assert len(paid) == 1497 and 4 in paid and 1202 in paid
    code, out, err = run("validate", xls, "--term", TERM)
    assert "看不出" not in out


def test_an_excel_95_workbook_says_its_hidden_rows_hidden_columns_and_struck_cells(tmp_path):
    """BIFF5 has the same ROW, COLINFO, FONT and XF records (its RSTRING runs are 2 bytes): a hidden
    row and column, a cell struck by the fifth FONT record (font index 5: there is no font 4), a name
    struck by a run of its RSTRING, a number in a MULRK by its XF. A font index taken as the record's
    place would strike nothing. An RSTRING whose runs cannot be read leaves the struck cells unknown."""
    from aidctl.read.workbook import open_sheets

    rows = [["name", "amount", "old card", "card"], ["Ann", 750, "111", "222"],
            [("xf", 17, "Bob"), ("xf", 17, 750), "333", "444"], [("rich", "Carl", [(0, 0), (2, 5)]), 750, "5", "6"],
            [("rich", "Dan", [(0, 1)]), ("xf", 16, 750), "7", "8"], ["Eve", ("mulrk", [(16, 750), (17, 9), (16, 10)]), None, None]]
    layout = {"codepage": 1252, "fonts": [False, True, False, False, True], "xfs": [0] * 16 + [0, 5],
              "hidden_rows": {"Sheet1": [4]}, "hidden_columns": {"Sheet1": [(2, 2)]}}
    (sheet,) = open_sheets(_biff5(tmp_path / "w.xls", {"Sheet1": rows}, **layout))
    assert sheet.grid.iat[2, 0] == "Bob" and sheet.grid.iat[5, 2] == "9" and sheet.hidden_known
    assert list(sheet.hidden_rows) == [4] and sheet.hidden_columns == frozenset({2})
    # font 1 is struck too: the run of Dan's RSTRING is in it; Eve's 9, in a run of numbers (MULRK), by its XF
    assert sorted(sheet.struck) == [(3, 0), (3, 1), (4, 0), (5, 0), (6, 2)]

    def runs_cut(stream: bytearray) -> bytearray:   # Carl's RSTRING counts 3 runs and holds 2
        at = stream.index(b"\xd6\x00\x11\x00" + struct.pack("<HHHH", 3, 0, 0x0F, 4) + b"Carl")
        stream[at + 4 + 6 + 2 + 4] = 3
        return stream

    (sheet,) = open_sheets(_biff5(tmp_path / "cut.xls", {"Sheet1": rows}, edit=runs_cut, **layout))
    assert sheet.struck is None and list(sheet.hidden_rows) == [4]   # which cells are struck: unknown


def test_an_xls_column_of_no_width_is_hidden(tmp_path):
    """A COLINFO giving its column no width (coldx 0) with fHidden clear, as a program sizes a column
    to nothing: nobody reading the sheet sees it, so it is hidden, as in an .xlsx (width="0"). A
    column of some width with fHidden clear is not."""
    from aidctl.read.workbook import open_sheets

    rows = [["name", "amount", "old card", "card"], ["Ann", 750, "111", "222"]]

    def width(coldx: int):
        def edit(stream: bytearray) -> bytearray:
            at = stream.index(b"\x7d\x00\x0c\x00" + struct.pack("<HHH", 2, 2, 2048))
            stream[at + 4 + 4:at + 4 + 6] = struct.pack("<H", coldx)
            stream[at + 4 + 8] = 0   # fHidden clear
            return stream
        return edit

    layout = {"codepage": 1252, "hidden_columns": {"Sheet1": [(2, 2)]}}
    (squeezed,) = open_sheets(_biff5(tmp_path / "none.xls", {"Sheet1": rows}, edit=width(0), **layout))
    (shown,) = open_sheets(_biff5(tmp_path / "some.xls", {"Sheet1": rows}, edit=width(2048), **layout))
    assert squeezed.hidden_columns == frozenset({2}) and shown.hidden_columns == frozenset()


def test_an_xls_whose_records_cannot_be_read_says_unknown_never_none(run, tmp_path, monkeypatch):
    """Where the Workbook stream cannot be had (a container olefile does not read), which rows and
    columns are hidden and which cells struck is unknown: the files list says null, the terminal 不明;
    a roster is one cell.struck_out error for the file (none of it paid), a table read whole is
    refused, a command that reads sheets whole says so in a note; two columns for one field that only
    visibility would settle are an error saying why."""
    import pandas as pd

    from aidctl.core.errors import ReadError
    from aidctl.read import Workspace, biff, read_tables, sheet_notes

    monkeypatch.setattr(biff, "xls_workbook_stream", lambda path: None)
    code, doc, _ = validate(run, FIXTURES / "roster.xls")
    assert [(i["hidden_rows"], i["struck_rows"]) for i in doc["files"]] == [(None, None)]
    (whole,) = [f for f in doc["findings"] if f["code"] == "cell.struck_out"]
    assert whole["row"] is None and whole["severity"] == "error" and "看不出哪些单元格有删除线" in whole["message"]
    code, out, err = run("validate", FIXTURES / "roster.xls", "--term", TERM, "--workspace", tmp_path)
    text = out.replace("\n", "").replace(" ", "")
    assert "不明（该.xls文件的格式记录无法读取，看不出隐藏行）" in text
    rules = Workspace(tmp_path).rules
    with pytest.raises(ReadError, match="看不出哪些单元格有删除线"):
        read_tables(FIXTURES / "roster.xls", "roster.xls", "roster", rules)
    tables = read_tables(FIXTURES / "roster.xls", "roster.xls", "roster", rules, per_record=True)
    notes = sheet_notes(tables, "学生", pd.DataFrame({"table": [0], "excel_row": [3]}))
    assert any("看不出哪些行、列已隐藏" in n for n in notes), notes

    from aidctl.check.schema import HIDDEN_UNKNOWN, contest_findings
    from aidctl.read.header import ColumnMatch, Contest

    old = ColumnMatch("card", 9, "银行卡号", 1, 3, False)
    new = ColumnMatch("card", 10, "银行卡号", 1, 3, False)
    (part,) = contest_findings(0, [Contest("card", old, [new], "unresolved")], lambda key: "银行卡号",
                               hidden_unknown=True)
    assert part["message"].iat[0].endswith(HIDDEN_UNKNOWN)


def test_an_xls_with_nothing_hidden_struck_or_in_error_is_not_walked(monkeypatch):
    """Nearly every file: the records a walk would look for are first looked for as bytes, and none
    being there, no sheet's records are walked one by one (a 65,536-row sheet is a million of them)."""
    from aidctl.read import biff
    from aidctl.read.workbook import open_sheets

    def walked(*args, **kwargs):
        raise AssertionError("walked")

    monkeypatch.setattr(biff, "_scan_xls_sheet", walked)
    (sheet,) = open_sheets(FIXTURES / "roster.xls")
    assert sheet.hidden_known and sheet.struck == [] and len(sheet.hidden_rows) == 0


def test_an_xls_rich_string_cut_across_continue_records_is_read_to_its_runs():
    """The shared strings go on in CONTINUE records; a string's characters cut there go on after a
    flags byte of their own (here: 1-byte characters, then 2-byte ones), its runs may be cut anywhere.
    String 1 has runs in fonts 1 and 6, past the cut; string 2 one in font 5; string 0 none. A table
    cut inside a string is unknown (None), never "none struck"."""
    from aidctl.read.biff import xls_book, xls_struck_strings

    def record(typ: int, data: bytes) -> bytes:
        return struct.pack("<HH", typ, len(data)) + data

    one = struct.pack("<HB", 3, 0) + b"abc"                                    # plain
    two = struct.pack("<HBH", 4, 0x08, 2) + b"de"                              # rich: 2 runs, cut in its text
    rest = bytes([0x01]) + "fg".encode("utf-16-le") + struct.pack("<HHHH", 0, 1, 2, 6)   # runs: font 1, font 6
    three = struct.pack("<HBH", 1, 0x09, 1) + "h".encode("utf-16-le") + struct.pack("<HH", 0, 5)
    stream = (record(0x0809, struct.pack("<HHHH", 0x0600, 0x0005, 0, 0))
              + record(0x00FC, struct.pack("<LL", 3, 3) + one + two)
              + record(0x003C, rest[:7]) + record(0x003C, rest[7:] + three)   # cut inside string 1's runs
              + record(0x000A, b""))
    book = xls_book(stream)
    assert len(book.sst) == 3
    assert xls_struck_strings(stream, book, frozenset({5, 6})) == frozenset({1, 2})
    assert xls_struck_strings(stream, book, frozenset({1})) == frozenset({1})
    assert xls_struck_strings(stream, book, frozenset({7})) == frozenset()
    book.sst = book.sst[:2]
    assert xls_struck_strings(stream, book, frozenset({5, 6})) is None
