"""Reading real rosters: the messy layouts schools send, each written here with openpyxl.

Each test asserts on `aidctl validate --format json` (files[].sheet/header_row/records and
findings[].row/column) and, where it says more, on the library (read_tables, roster.build).
"""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import openpyxl
import pytest
from conftest import SAMPLES, VOC_HEADERS, hanzi, make_card, make_id, voc_row, write_roster
from hypothesis import given
from hypothesis import strategies as st

from aidctl.core.terms import Term
from aidctl.read import Workspace, read_tables
from aidctl.read import build_roster as build

TITLE = "第一职业中学2011年秋季学期中职国家助学金发放花名册"
# an ID whose check character is X, born on another day than voc_row's students
ID_X = next(n for n in (make_id(birth="19960521", seq=s) for s in range(0, 999, 2)) if n.endswith("X"))
WIDTH = len(VOC_HEADERS)


# --- helpers --------------------------------------------------------------------------------------

def values(i: int, headers: list[str] = VOC_HEADERS, **over) -> list:
    """voc_row as a list in header order; keys of `over` are header names."""
    row = voc_row(i)
    row.update(over)
    return [row.get(h) for h in headers]


def book(path: Path, *sheets: dict) -> Path:
    """Write a workbook: each sheet is {name, rows, merges=[], hidden=False}.

    A row is a list of cell values (int/float → number cell, str → text cell), [] for a blank row.
    """
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for spec in sheets:
        ws = wb.create_sheet(spec.get("name", "Sheet1"))
        for r, row in enumerate(spec["rows"], start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(row=r, column=c, value=value)
        for rng in spec.get("merges", []):
            ws.merge_cells(rng)
        if spec.get("hidden"):
            ws.sheet_state = "hidden" if spec["hidden"] is True else spec["hidden"]
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def roster(path: Path, rows: list[list], *, above: list[list] = (), below: list[list] = (),
           headers: list[str] = VOC_HEADERS, name: str = "Sheet1", merges: list[str] = ()) -> Path:
    return book(path, {"name": name, "rows": [*above, headers, *rows, *below], "merges": list(merges)})


@pytest.fixture
def check(run, tmp_path):
    """validate the named files (in tmp_path) for 2011-autumn; returns (exit code, JSON doc)."""

    def go(*names: str, term: str | None = "2011-autumn", extra: tuple = ()):
        args = ["validate", *names, "--format", "json", *extra]
        if term:
            args += ["--term", term]
        code, doc, err = run(*args, as_json=True)
        assert code in (0, 1), err
        assert isinstance(doc, dict), (code, doc, err)
        return code, doc

    return go


def codes(doc: dict) -> list[str]:
    return [f["code"] for f in doc["findings"]]


def where(doc: dict) -> list[tuple]:
    return [(f["row"], f["column"], f["code"]) for f in doc["findings"]]


def frame_of(path: Path, term: str = "2011-autumn"):
    ws = Workspace(path.parent)
    tables = read_tables(path, path.name, "roster", ws.rules)
    return build(tables, Term.parse(term), ws).frame


# --- above the header -----------------------------------------------------------------------------

def test_merged_title_and_unit_row_above_header(check, tmp_path):
    roster(tmp_path / "a.xlsx", [values(i) for i in range(1, 6)],
           above=[[TITLE], ["填报单位：第一职业中学（盖章）", None, None, None, None, None, None,
                            "填报日期：2011年9月20日"]],
           merges=["A1:J1", "A2:F2"])
    code, doc = check("a.xlsx")
    assert code == 0, doc["findings"]
    assert doc["files"] == [{"file": "a.xlsx", "sheet": "Sheet1", "header_row": 3, "records": 5, "dropped": {}, "hidden_rows": 0, "hidden_sheets": [], "struck_rows": 0}]
    assert doc["findings"] == []
    frame = frame_of(tmp_path / "a.xlsx")
    assert set(frame["school"]) == {"第一职业中学"}
    assert list(frame["excel_row"]) == [4, 5, 6, 7, 8]


def test_title_names_the_term_when_no_term_given(check, tmp_path):
    roster(tmp_path / "a.xlsx", [values(i) for i in range(1, 3)], above=[[TITLE]], merges=["A1:J1"])
    code, doc = check("a.xlsx", term=None)
    assert doc["term"] == "2011-autumn"
    assert code == 0, doc["findings"]


def test_header_on_row_5_with_blank_rows_above(check, tmp_path):
    rows = [values(i) for i in range(1, 4)]
    rows[1][3] = make_id(seq=200)[:-1] + ("0" if make_id(seq=200)[-1] != "0" else "1")
    roster(tmp_path / "a.xlsx", rows, above=[[], [], [], []])
    code, doc = check("a.xlsx")
    assert doc["files"][0]["header_row"] == 5
    assert doc["files"][0]["records"] == 3
    assert where(doc) == [(7, "身份证号码", "id.checksum")]
    assert code == 1


def test_a_header_of_exactly_the_fewest_known_columns_is_found_below_rows_naming_fewer(tmp_path):
    """The header search passes over rows that name fewer fields than a header must (a note naming
    two, data rows) without building their matches, and finds a header that names exactly
    min_header_matches of them, with the spec's must-have among them."""
    from aidctl.read import Workspace, read_tables

    ws = Workspace(tmp_path)
    spec = ws.rules.columns.tables["roster"]
    known = ["姓名", "身份证号码", "银行卡号"]
    assert spec.min_header_matches == len(known) and spec.header_must_have == ["name"]
    rows = [["说明：", "姓名", "身份证号码"],                     # two fields named: no header
            [*known, "班主任签字", "家访记录"],
            ["张三", make_id(seq=11), make_card(seed=1), None, None],
            ["李四", make_id(seq=12), make_card(seed=2), None, None]]
    path = book(tmp_path / "a.xlsx", {"rows": rows})
    [table] = read_tables(path, "a.xlsx", "roster", ws.rules)
    assert table.header_row == 2 and table.records == 2
    assert set(table.columns) == {"name", "id_number", "card"}
    assert table.data["name"].tolist() == ["张三", "李四"]


def test_header_starting_in_a_later_column(check, tmp_path):
    """Blank rows above and a blank first column: rows and columns still line up."""
    rows = [[None, *values(i)] for i in range(1, 4)]
    rows[2][9] = 800
    roster(tmp_path / "a.xlsx", rows, headers=[None, *VOC_HEADERS], above=[[], [], [None, TITLE]])
    code, doc = check("a.xlsx")
    assert doc["files"][0]["header_row"] == 4
    assert where(doc) == [(7, "资助金额（元）", "amount.mismatch")]


def test_a_sheet_starting_in_column_c_places_numbers_merges_and_hidden_rows(check, tmp_path):
    """A sheet whose first two columns hold nothing: fastexcel's columns begin at C, and every cell
    the sheet's XML tells about (a number too long to keep, a merged 资助项目, a hidden row) lands on
    the column it is in, not two to the left."""
    rows = [[None, None, *values(i)] for i in range(1, 5)]
    rows[1][2 + VOC_HEADERS.index("身份证号码")] = float(make_id(birth="19960101")[:15] + "000")
    rows[2][2 + VOC_HEADERS.index("银行卡号")] = 6.22202123456789e18   # a number, merged over two rows
    path = roster(tmp_path / "a.xlsx", rows, headers=[None, None, *VOC_HEADERS])
    wb = openpyxl.load_workbook(path)
    programme = openpyxl.utils.get_column_letter(3 + VOC_HEADERS.index("资助项目"))
    wb.active.merge_cells(f"{programme}2:{programme}5")   # the programme written once, merged down
    card = openpyxl.utils.get_column_letter(3 + VOC_HEADERS.index("银行卡号"))
    wb.active.merge_cells(f"{card}4:{card}5")
    wb.active.row_dimensions[4].hidden = True
    wb.save(path)
    code, doc = check("a.xlsx")
    assert [w for w in where(doc) if w[2].endswith("precision_lost")] == [
        (3, "身份证号码", "id.precision_lost"), (4, "银行卡号", "card.precision_lost"),
        (5, "银行卡号", "card.precision_lost")]
    assert doc["files"][0]["hidden_rows"] == 1 and doc["files"][0]["records"] == 4
    frame = frame_of(path)
    assert frame["programme"].tolist() == [voc_row(1)["资助项目"]] * 4


# --- header spellings -----------------------------------------------------------------------------

@pytest.mark.parametrize("id_h", ["身份证号", "身份证号码", "公民身份号码"])
@pytest.mark.parametrize("card_h", ["银行卡号", "卡号", "账号"])
@pytest.mark.parametrize("amount_h", ["金额", "资助金额（元）"])
def test_header_spellings(check, tmp_path, id_h, card_h, amount_h):
    headers = [{"身份证号码": id_h, "银行卡号": card_h, "资助金额（元）": amount_h}.get(h, h)
               for h in VOC_HEADERS]
    rows = [values(i) for i in range(1, 4)]
    rows[0][3] = make_id(seq=300)[:-1] + ("1" if make_id(seq=300)[-1] != "1" else "2")  # row 2
    rows[1][9] = make_card(seed=2)[:-1] + str((int(make_card(seed=2)[-1]) + 1) % 10)   # row 3: Luhn
    rows[2][8] = 800                                                                  # row 4
    roster(tmp_path / "a.xlsx", rows, headers=headers)
    code, doc = check("a.xlsx")
    assert doc["files"][0]["records"] == 3
    assert where(doc) == [(2, id_h, "id.checksum"), (3, card_h, "card.luhn"),
                          (4, amount_h, "amount.mismatch")]
    assert code == 1


def test_header_with_line_break_and_star_marker(check, tmp_path):
    headers = ["序号", "*姓名", "性别", "*身份证\n号码", "年级", "户口\n性质", "学籍状态", "资助项目",
               "资助金额\n（元）", "＊银行卡号\n（必填）"]
    rows = [values(i) for i in range(1, 4)]
    rows[2][3] = "4201021995031212"   # 16 characters
    roster(tmp_path / "a.xlsx", rows, headers=headers, above=[[TITLE]])
    code, doc = check("a.xlsx")
    assert doc["files"][0]["header_row"] == 2
    assert doc["files"][0]["records"] == 3
    assert where(doc) == [(5, "*身份证\n号码", "id.format")]
    frame = frame_of(tmp_path / "a.xlsx")
    assert frame["card"].notna().all()
    assert list(frame["amount_yuan"].astype(str)) == ["750.00"] * 3


# --- which sheets are read ------------------------------------------------------------------------

def test_roster_on_second_sheet_after_instructions(check, tmp_path):
    book(tmp_path / "a.xlsx",
         {"name": "填表说明", "rows": [["填表说明："], ["1. 身份证号码请设为文本格式"],
                                       ["2. 姓名、性别、银行卡号必须填写"]]},
         {"name": "花名册", "rows": [[TITLE], VOC_HEADERS, *[values(i) for i in range(1, 5)]]})
    code, doc = check("a.xlsx")
    assert code == 0, doc["findings"]
    assert doc["files"] == [{"file": "a.xlsx", "sheet": "花名册", "header_row": 2, "records": 4, "dropped": {}, "hidden_rows": 0, "hidden_sheets": [], "struck_rows": 0}]


def test_two_roster_sheets_are_both_read(check, tmp_path):
    cls1 = [values(i, 班级="1班") for i in range(1, 4)]
    cls2 = [values(i, 班级="2班") for i in range(4, 6)]
    cls2[1][5] = "城市"   # 户口性质 城市, no difficulty: not eligible
    book(tmp_path / "a.xlsx",
         {"name": "一年级", "rows": [[TITLE], VOC_HEADERS, *cls1]},
         {"name": "二年级", "rows": [VOC_HEADERS, *cls2]})
    code, doc = check("a.xlsx")
    assert doc["files"] == [{"file": "a.xlsx", "sheet": "一年级", "header_row": 2, "records": 3, "dropped": {}, "hidden_rows": 0, "hidden_sheets": [], "struck_rows": 0},
                            {"file": "a.xlsx", "sheet": "二年级", "header_row": 1, "records": 2, "dropped": {}, "hidden_rows": 0, "hidden_sheets": [], "struck_rows": 0}]
    assert doc["summary"]["records"] == 5
    assert [(f["sheet"], f["row"], f["column"], f["code"]) for f in doc["findings"]] == [
        ("二年级", 3, "户口性质", "eligibility.not_eligible")]


def test_the_same_student_on_two_sheets_is_a_duplicate(check, tmp_path):
    book(tmp_path / "a.xlsx",
         {"name": "一班", "rows": [VOC_HEADERS, values(1), values(2)]},
         {"name": "二班", "rows": [VOC_HEADERS, values(3), values(1)]})
    code, doc = check("a.xlsx")
    dups = [(f["sheet"], f["row"]) for f in doc["findings"] if f["code"] == "id.duplicate"]
    assert sorted(dups) == [("一班", 2), ("二班", 3)]


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_hidden_sheet_is_not_read(check, tmp_path, state):
    broken = [values(i, 身份证号码="123", 银行卡号="") for i in range(1, 4)]
    book(tmp_path / "a.xlsx",
         {"name": "花名册", "rows": [VOC_HEADERS, *[values(i) for i in range(1, 4)]]},
         {"name": "旧名单", "rows": [VOC_HEADERS, *broken], "hidden": state},
         {"name": "下拉选项", "rows": [["农村"], ["县镇非农"], ["城市"]], "hidden": True})
    code, doc = check("a.xlsx")
    assert code == 0, doc["findings"]
    assert [f["sheet"] for f in doc["files"]] == ["花名册"]
    assert doc["summary"]["records"] == 3


# --- rows below and inside the data ---------------------------------------------------------------

def _blank_row(seq=None):
    return [seq] + [None] * (WIDTH - 1)


def test_totals_signatures_notes_and_blank_rows_are_dropped(check, tmp_path):
    data = [values(i) for i in range(1, 4)]
    data += [["小计", None, None, None, None, None, None, None, 2250, None]]
    data += [_blank_row()]
    data += [values(i) for i in range(4, 7)]
    data += [[None, "小计", None, None, None, None, None, None, 2250, None]]
    data += [_blank_row(7), _blank_row(8)]   # numbered in advance, never filled
    below = [
        ["合 计", None, None, None, None, None, None, None, 4500, None],
        ["总计：6人", None, None, None, None, None, None, None, "4500.00", None],
        [],
        ["制表人：张三", None, None, "审核人：李四", None, None, "校长：王五", None, None, None],
        ["注：1. 户口性质填农村、县镇非农或城市；2. 金额单位为元"],
        ["填报日期：2011年9月20日"],
    ]
    roster(tmp_path / "a.xlsx", data, above=[[TITLE], ["填报单位：第一职业中学"]], below=below,
           merges=["A1:J1"])
    code, doc = check("a.xlsx")
    assert code == 0, doc["findings"]
    assert doc["findings"] == []
    assert doc["files"][0]["records"] == 6
    frame = frame_of(tmp_path / "a.xlsx")
    assert list(frame["excel_row"]) == [4, 5, 6, 9, 10, 11]
    assert list(frame["name"]) == [f"学生{hanzi(i)}" for i in range(1, 7)]


@pytest.mark.parametrize("first", ["合计", "合  计", "合　计", "总 计", "小计：", "共计3人",
                                   "制表人：张三", "审核人：", "注：以上学生均已公示", "说明：金额单位元",
                                   "单位负责人：张三", "填报单位（盖章）：第一职业中学", "单位名称：第一职业中学",
                                   "学校负责人：", "分管领导签字："])
def test_each_kind_of_footer_row_is_dropped(check, tmp_path, first):
    below = [[first, None, None, None, None, None, None, None, 2250, None]]
    roster(tmp_path / "a.xlsx", [values(i) for i in range(1, 4)], below=below)
    code, doc = check("a.xlsx")
    assert doc["findings"] == []
    assert doc["files"][0]["records"] == 3


def test_total_written_in_the_name_column(check, tmp_path):
    below = [[None, "合计", None, None, None, None, None, None, 2250, None],
             [None, "制表：张三", None, None, "审核：李四", None, None, None, None, None]]
    roster(tmp_path / "a.xlsx", [values(i) for i in range(1, 4)], below=below)
    code, doc = check("a.xlsx")
    assert doc["findings"] == []
    assert doc["files"][0]["records"] == 3


def test_signature_row_spread_over_the_columns(check, tmp_path):
    """A signature row whose first cells are blank: the words stand under 身份证号码 and 户口性质."""
    below = [[],
             [None, None, None, "制表人：张三", None, "审核人：李四", None, None, "校长（签字）：", None]]
    roster(tmp_path / "a.xlsx", [values(i) for i in range(1, 4)], below=below)
    code, doc = check("a.xlsx")
    assert doc["findings"] == []
    assert doc["files"][0]["records"] == 3


def test_header_repeated_in_the_data_is_dropped(check, tmp_path):
    data = [values(i, 班级="1班") for i in range(1, 4)]
    data += [[TITLE.replace("花名册", "（二班）")], VOC_HEADERS]
    data += [values(i) for i in range(4, 7)]
    data[-1][9] = "62220212345"      # Excel row 9: card too short
    roster(tmp_path / "a.xlsx", data)
    code, doc = check("a.xlsx")
    # header 1; 学生1–3 on rows 2–4; title 5; header again 6; 学生4–6 on rows 7–9
    assert doc["files"][0]["records"] == 6
    assert where(doc) == [(9, "银行卡号", "card.format")]
    assert list(frame_of(tmp_path / "a.xlsx")["excel_row"]) == [2, 3, 4, 7, 8, 9]


# --- a header again inside the data: the same header, or another table's ---------------------------

KINDER = ["序号", "姓名", "性别", "身份证号码", "困难等级", "学籍状态", "资助项目", "资助金额（万元）", "银行卡号"]
KINDER_ABOVE = [["城关幼儿园2011年秋季学期受助幼儿名单"], ["填报单位：城关幼儿园"]]


def kinder(i: int, amount) -> list:
    """A 学前教育资助 record in KINDER's order (its standard is the roster's own amount)."""
    return [i, f"幼儿{hanzi(i)}", "男", make_id(birth="20080312", seq=100 + 2 * i), "一档", "在籍", "学前教育资助",
            amount, make_card(seed=i)]


def named(i: int, **over) -> list:
    """values() of a student whose name holds no digit (学生一)."""
    return values(i, 姓名=f"学生{hanzi(i)}", **over)


def plan(run, tmp_path: Path, rows: list[list], merges: list[str] = ()) -> tuple[Path, dict]:
    """The roster `rows` as the one roster of a workspace's term; (its path, disburse --dry-run JSON)."""
    path = book(tmp_path / "ws" / "intake" / "2011-autumn" / "a.xlsx", {"rows": rows, "merges": list(merges)})
    code, doc, err = run("disburse", "--dry-run", "--term", "2011-autumn", "--workspace", tmp_path / "ws",
                         "--format", "json", as_json=True)
    assert code in (0, 1) and isinstance(doc, dict), (code, err)
    return path, doc


def test_a_part_under_a_header_in_another_unit_is_read_in_that_unit(run, check, tmp_path):
    """资助金额（万元） 0.075 above; 二班 under the same header again (and its lower row 本学期 alone),
    read as the first; a 补报 part under 资助金额（元） 750 is read in 元: 750.00 each, never
    7,500,000.00 (its header was dropped as the one repeated and its rows read in 万元)."""
    again = KINDER[:7] + ["本学期", "银行卡号"]
    yuan = KINDER[:7] + ["资助金额（元）", "银行卡号"]
    rows = [*KINDER_ABOVE, KINDER, kinder(1, 0.075), ["二班"], KINDER, again, kinder(2, 0.075),
            ["补报幼儿"], yuan, kinder(3, 750), kinder(4, 750)]
    path, doc = plan(run, tmp_path, rows)
    assert [(p["row"], p["amount"]) for p in doc["payments"]] == [(4, "750.00"), (8, "750.00"), (11, "750.00"),
                                                                    (12, "750.00")], doc["refused"]
    assert doc["refused"] == [] and doc["totals"]["amount"] == "3000.00"
    code, doc = check(str(path))
    assert code == 0 and doc["findings"] == [], doc["findings"]
    assert [(f["header_row"], f["records"], f["dropped"]) for f in doc["files"]] == [
        (3, 2, {"blank": 2, "repeated_header": 2}), (10, 2, {})]


def test_a_part_under_a_header_in_another_order_is_read_by_that_header(run, tmp_path):
    """A 补报 part whose header puts 监护人姓名 before 姓名: its rows are read by it, so the bank file
    holds the students, never their guardians (read by the first header's places)."""
    headers = ["序号", "姓名", "监护人姓名", *VOC_HEADERS[2:]]
    swapped = ["序号", "监护人姓名", "姓名", *VOC_HEADERS[2:]]

    def row(i: int, order: list[str]) -> list:
        student = dict(zip(VOC_HEADERS, named(i)), 监护人姓名=f"家长{hanzi(i)}")
        return [student[h] for h in order]

    rows = [[TITLE], headers, row(1, headers), row(2, headers), [], ["补报学生名单"], swapped, row(3, swapped),
            row(4, swapped)]
    path, doc = plan(run, tmp_path, rows)
    assert [(p["row"], p["name"]) for p in doc["payments"]] == [(3, "学生一"), (4, "学生二"), (8, "学生三"),
                                                                  (9, "学生四")], doc["refused"]
    tables = read_tables(path, "a.xlsx", "roster", Workspace(path.parent).rules, per_record=True)
    assert [(t.header_row, t.records) for t in tables] == [(2, 2), (7, 2)]


def test_a_header_with_a_column_more_in_front_starts_another_table(run, tmp_path):
    """民族 put before every column of the header again moves them all: no column holds its header
    text there, yet the row names the fields; the rows under it are read by it."""
    more = ["民族", *VOC_HEADERS]
    rows = [[TITLE], VOC_HEADERS, named(1), named(2), ["补报"], more, ["汉", *named(3)], ["回", *named(4)]]
    _, doc = plan(run, tmp_path, rows)
    assert doc["refused"] == []
    assert [(p["row"], p["name"], p["amount"]) for p in doc["payments"]] == [
        (3, "学生一", "750.00"), (4, "学生二", "750.00"), (7, "学生三", "750.00"), (8, "学生四", "750.00")]


def test_a_later_header_naming_more_fields_does_not_hide_the_students_above_it(run, tmp_path):
    """A 补报 part under a header with a column more (班级) within the first rows: that header names
    more fields, and was taken for the table's header: the students above it were not read, and
    nothing said. The first header is the table's; the later one starts another part."""
    more = [*VOC_HEADERS, "班级"]
    rows = [[TITLE], VOC_HEADERS, named(1), named(2), more, [*named(3), "1班"], [*named(4), "2班"]]
    _, doc = plan(run, tmp_path, rows)
    assert doc["refused"] == []
    assert [(p["row"], p["name"]) for p in doc["payments"]] == [(3, "学生一"), (4, "学生二"), (6, "学生三"),
                                                                  (7, "学生四")]


def test_a_caption_above_another_tables_header_still_withdraws_its_rows(check, tmp_path):
    """二、未通过审核学生名单 over a part under another header: the part is read by its header and
    withdrawn by the caption above it, as under the same header again."""
    swapped = ["序号", "性别", "姓名", *VOC_HEADERS[3:]]
    rows = [[TITLE], VOC_HEADERS, named(1), named(2), ["二、未通过审核学生名单"], swapped]
    rows += [[r[0], r[2], r[1], *r[3:]] for r in (named(3), named(4))]
    book(tmp_path / "a.xlsx", {"rows": rows})
    code, doc = check("a.xlsx")
    assert where(doc) == [(7, None, "section.withdrawn"), (8, None, "section.withdrawn")]
    ws = Workspace(tmp_path)
    frame = build(read_tables(tmp_path / "a.xlsx", "a.xlsx", "roster", ws.rules, per_record=True),
                  Term.parse("2011-autumn"), ws).frame
    assert list(zip(frame["excel_row"], frame["name"])) == [(3, "学生一"), (4, "学生二"), (7, "学生三"), (8, "学生四")]


def test_an_input_read_whole_stops_at_another_header(run, check, tmp_path):
    """A 学籍 export whose second part puts 姓名 before 身份证号: exit 2 naming the row and the
    columns that differ, never its rows read by the first header's places."""
    book(tmp_path / "a.xlsx", {"rows": [[TITLE], VOC_HEADERS, named(1), named(2)]})
    first, second = named(1), named(2)
    book(tmp_path / "reg.xlsx", {"rows": [["身份证号", "姓名", "学校", "学籍状态"], [first[3], first[1], "第一职业中学", "在籍"],
                                          ["姓名", "身份证号", "学校", "学籍状态"], [second[1], second[3], "第一职业中学", "在籍"]]})
    code, _, err = run("validate", "a.xlsx", "--term", "2011-autumn", "--registry", "reg.xlsx", "--format", "json")
    assert code == 2, err
    assert "第3行又有一行表头，与第1行的表头不同（A列“身份证号”，此处为“姓名”；B列“姓名”，此处为“身份证号”）" in err


def test_rows_are_excel_rows_even_with_rows_dropped_above(check, tmp_path):
    data = [values(1), _blank_row(), ["小计", None, None, None, None, None, None, None, 750, None],
            values(2), [], values(3, 学籍状态="退学"), values(4)]
    roster(tmp_path / "a.xlsx", data, above=[[TITLE], [], ["填报单位：第一职业中学"], []],
           merges=["A1:J1"])
    code, doc = check("a.xlsx")
    assert doc["files"][0]["header_row"] == 5
    assert doc["files"][0]["records"] == 4
    # header 5; data: 6 学生一, 7 blank, 8 小计, 9 学生二, 10 blank, 11 学生三 (退学), 12 学生四
    assert where(doc) == [(11, "学籍状态", "status.not_enrolled")]
    f = doc["findings"][0]
    assert f["sheet"] == "Sheet1" and f["file"] == "a.xlsx" and f["value"] == "退学"


# --- how IDs and cards are typed ------------------------------------------------------------------

FULL = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@pytest.mark.parametrize("typed", [
    ID_X.translate(FULL),                       # full-width digits and Ｘ
    ID_X[:-1] + "x",                            # lower-case x
    f"{ID_X[:6]} {ID_X[6:14]} {ID_X[14:]}",      # spaces inside
    f" {ID_X}  ",                               # stray spaces around
    f"'{ID_X}",                                 # leading apostrophe
    f"{ID_X[:6]}\u3000{ID_X[6:]}",              # ideographic space
    ID_X[:-1] + "ｘ",                           # full-width lower-case x
])
def test_id_typing_is_normalised_without_finding(check, tmp_path, typed):
    card = make_card(seed=9)
    rows = [values(1), values(2, 身份证号码=typed, 性别="男",
                               银行卡号=f"'{card[:4]} {card[4:8]} {card[8:]}".translate(FULL))]
    roster(tmp_path / "a.xlsx", rows)
    code, doc = check("a.xlsx")
    assert code == 0, doc["findings"]
    assert doc["findings"] == []
    frame = frame_of(tmp_path / "a.xlsx")
    assert frame["id_number"].iloc[1] == ID_X
    assert frame["card"].iloc[1] == card
    assert bool(frame["id_valid"].iloc[1])


def test_normalised_ids_are_still_found_as_duplicates(check, tmp_path):
    rows = [values(1, 身份证号码=ID_X), values(2, 身份证号码=ID_X.translate(FULL).lower())]
    roster(tmp_path / "a.xlsx", rows)
    code, doc = check("a.xlsx")
    assert where(doc) == [(2, "身份证号码", "id.duplicate"), (3, "身份证号码", "id.duplicate")]


def test_id_stored_as_number_is_precision_lost(check, tmp_path):
    rows = [values(1), values(2, 身份证号码=int(make_id(seq=400))),        # all 18 digits in the XML
            values(3, 身份证号码=float(make_id(birth="19960101")[:15] + "000")),  # Excel's 4.2E+17
            values(4)]
    roster(tmp_path / "a.xlsx", rows)
    code, doc = check("a.xlsx")
    assert where(doc) == [(3, "身份证号码", "id.precision_lost"), (4, "身份证号码", "id.precision_lost")]
    assert code == 1


def test_ids_that_lost_digits_are_not_duplicates_of_each_other(check, tmp_path):
    """Twins: same area, same birthday, consecutive numbers. Stored as numbers, both IDs read
    420102199605211000 — yet they are two students, not one student listed twice."""
    twin_a, twin_b = make_id(birth="19960521", seq=100), make_id(birth="19960521", seq=102)
    assert twin_a[:15] == twin_b[:15] and twin_a != twin_b
    rows = [values(1, 身份证号码=float(twin_a[:15] + "000")),
            values(2, 身份证号码=float(twin_b[:15] + "000")), values(3)]
    roster(tmp_path / "a.xlsx", rows)
    code, doc = check("a.xlsx")
    assert where(doc) == [(2, "身份证号码", "id.precision_lost"), (3, "身份证号码", "id.precision_lost")]


def test_card_stored_as_number_is_precision_lost(check, tmp_path):
    rows = [values(1, 银行卡号=int(make_card(seed=1))), values(2),
            values(3, 银行卡号=6.22202123456789e18)]
    roster(tmp_path / "a.xlsx", rows)
    code, doc = check("a.xlsx")
    assert where(doc) == [(2, "银行卡号", "card.precision_lost"), (4, "银行卡号", "card.precision_lost")]


def test_legacy_15_digit_id_as_number_is_not_precision_lost(check, tmp_path):
    rows = [values(1), values(2, 身份证号码=420104951116869, 性别="男"), values(3, 身份证号码="420104951116869")]
    rows[2][1] = "学生二"  # the same student typed again as text: a duplicate by the upgraded ID
    roster(tmp_path / "a.xlsx", rows[:2])
    code, doc = check("a.xlsx")
    assert where(doc) == [(3, "身份证号码", "id.legacy")]
    assert doc["findings"][0]["severity"] == "warning"
    assert "420104199511168690" in doc["findings"][0]["message"]
    assert code == 0


def test_16_digit_number_in_card_column_is_precision_lost_not_format(check, tmp_path):
    # a 16-digit card stored as a number: Excel already turned its last digit into 0
    rows = [values(1, 银行卡号=6222021234567890), values(2)]
    roster(tmp_path / "a.xlsx", rows)
    code, doc = check("a.xlsx")
    assert where(doc) == [(2, "银行卡号", "card.precision_lost")]


# --- amounts --------------------------------------------------------------------------------------

def test_amount_in_wan_yuan(check, tmp_path):
    headers = [("资助金额（万元）" if h == "资助金额（元）" else h) for h in VOC_HEADERS]
    rows = [values(1, headers), values(2, headers), values(3, headers)]
    rows[0][8] = 0.075
    rows[1][8] = "0.075"
    rows[2][8] = 0.08       # 800 yuan
    roster(tmp_path / "a.xlsx", rows, headers=headers)
    code, doc = check("a.xlsx")
    assert where(doc) == [(4, "资助金额（万元）", "amount.mismatch")]
    assert "800" in doc["findings"][0]["message"]
    frame = frame_of(tmp_path / "a.xlsx")
    assert list(frame["amount_yuan"].astype(str)) == ["750.00", "750.00", "800.00"]


def test_amount_800_in_yuan_column_is_mismatch(check, tmp_path):
    rows = [values(1), values(2, **{"资助金额（元）": 800}), values(3)]
    roster(tmp_path / "a.xlsx", rows)
    code, doc = check("a.xlsx")
    assert where(doc) == [(3, "资助金额（元）", "amount.mismatch")]
    assert code == 1


@pytest.mark.parametrize("typed", ["750", "750.00", "750.0", " 750 ", "７５０", "750元", "￥750.00",
                                   750, 750.0])
def test_amount_as_text_compares_as_number(check, tmp_path, typed):
    rows = [values(1, **{"资助金额（元）": typed}), values(2)]
    roster(tmp_path / "a.xlsx", rows)
    code, doc = check("a.xlsx")
    assert doc["findings"] == [], typed
    assert code == 0


@pytest.mark.parametrize("typed", ["1,500", "1,500.00", "1500", "1，500", "1 500", "￥1,500元"])
def test_thousands_separator_is_read_as_a_number(check, tmp_path, typed):
    # 1500 is the yearly standard; 2011-autumn pays 750 a term: a mismatch, not an invalid amount
    rows = [values(1, **{"资助金额（元）": typed}), values(2)]
    roster(tmp_path / "a.xlsx", rows)
    code, doc = check("a.xlsx")
    assert where(doc) == [(2, "资助金额（元）", "amount.mismatch")]
    assert "1500.00" in doc["findings"][0]["message"]


# a comma or a space that is no thousands separator: "7,50" was read as 750 (or 7.50 meant?), never guessed
@pytest.mark.parametrize("typed", ["七百五十", "750.005", "-750", "0", "7,50", "75,0", "7 50", "750,00", "1,5,00"])
def test_amount_that_is_no_amount_is_invalid(check, tmp_path, typed):
    rows = [values(1, **{"资助金额（元）": typed})]
    roster(tmp_path / "a.xlsx", rows)
    code, doc = check("a.xlsx")
    assert where(doc) == [(2, "资助金额（元）", "amount.invalid")]


# --- grades ---------------------------------------------------------------------------------------

def test_grades_written_many_ways(check, tmp_path):
    grades = ["一年级", "二年级", "2011级", "2010级", "高一", "2009级", "11级", "1", "二"]
    rows = [values(i, 年级=g) for i, g in enumerate(grades, start=1)]
    rows[7][4] = 1   # a number cell
    roster(tmp_path / "a.xlsx", rows)
    code, doc = check("a.xlsx")
    assert where(doc) == [(7, "年级", "eligibility.not_eligible")]
    assert "2009级" in doc["findings"][0]["message"]
    frame = frame_of(tmp_path / "a.xlsx")
    assert list(frame["v_grade"]) == [1, 2, 1, 2, 1, 3, 1, 1, 2]


def test_a_date_in_the_grade_is_quoted_as_the_cell_shows_it(check, tmp_path):
    """A date cell typed in 年级 was quoted as “2011-09-0100:00:00” (its spaces folded away); it is
    quoted as the cell reads, and 二 年级 with a space is still the second year."""
    import datetime

    rows = [values(1, 年级=datetime.datetime(2011, 9, 1)), values(2, 年级="二 年级")]
    roster(tmp_path / "a.xlsx", rows)
    code, doc = check("a.xlsx")
    assert where(doc) == [(2, "年级", "eligibility.not_eligible")]
    assert "年级为“2011-09-01 00:00:00”" in doc["findings"][0]["message"]
    assert doc["findings"][0]["value"] == "2011-09-01 00:00:00"
    assert frame_of(tmp_path / "a.xlsx")["v_grade"].tolist()[1] == 2


def test_cohort_grade_depends_on_the_term(check, tmp_path):
    roster(tmp_path / "a.xlsx", [values(1, 年级="2010级")])
    code, doc = check("a.xlsx", term="2012-autumn")   # 2010级 is in its third year then
    assert "eligibility.not_eligible" in codes(doc)
    code, doc = check("a.xlsx", term="2012-spring")   # still school year 2011–2012: second year
    assert "eligibility.not_eligible" not in codes(doc)


# --- programme from the title ---------------------------------------------------------------------

def test_programme_taken_from_title(check, tmp_path):
    headers = [h for h in VOC_HEADERS if h != "资助项目"]
    rows = [values(i, headers) for i in range(1, 4)]
    rows[1][headers.index("资助金额（元）")] = 800
    roster(tmp_path / "a.xlsx", rows, headers=headers, above=[[TITLE]], merges=["A1:I1"])
    code, doc = check("a.xlsx")
    assert where(doc) == [(4, "资助金额（元）", "amount.mismatch")]
    frame = frame_of(tmp_path / "a.xlsx")
    assert set(frame["programme_name"]) == {"中职国家助学金"}


def test_no_programme_column_and_no_title_is_missing_column(check, tmp_path):
    headers = [h for h in VOC_HEADERS if h != "资助项目"]
    roster(tmp_path / "a.xlsx", [values(i, headers) for i in range(1, 3)], headers=headers)
    code, doc = check("a.xlsx")
    assert [(f["row"], f["code"]) for f in doc["findings"]] == [(None, "schema.missing_column")]
    assert doc["findings"][0]["column"] == "资助项目"
    assert code == 1


# --- CSV ------------------------------------------------------------------------------------------

def _csv_text(rows: list[list]) -> str:
    lines = [",".join("" if v is None else str(v) for v in row) for row in rows]
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk", "utf-8"])
def test_csv_roster(check, tmp_path, encoding):
    rows = [VOC_HEADERS, *[values(i) for i in range(1, 4)],
            values(4, 身份证号码="4.20102E+17"),
            values(5, 银行卡号="6.22202E+18"),
            ["合计", None, None, None, None, None, None, None, 3750, None]]
    (tmp_path / "名单.csv").write_bytes(_csv_text(rows).encode(encoding))
    code, doc = check("名单.csv")
    assert doc["files"] == [{"file": "名单.csv", "sheet": "名单", "header_row": 1, "records": 5,
                             "dropped": {"total": 1}, "hidden_rows": 0, "hidden_sheets": [], "struck_rows": 0}]
    assert where(doc) == [(5, "身份证号码", "id.precision_lost"), (6, "银行卡号", "card.precision_lost")]
    assert code == 1


def test_csv_in_gbk_behind_a_utf8_mark_is_named_for_what_it_is(run, tmp_path):
    """A UTF-8 mark (BOM) before GBK text: refused as "neither UTF-8 nor GBK", which sent the clerk to
    save it as GBK again; now the contradiction is named, and nothing is guessed."""
    rows = [VOC_HEADERS, *[values(i) for i in range(1, 3)]]
    (tmp_path / "名单.csv").write_bytes(b"\xef\xbb\xbf" + _csv_text(rows).encode("gbk"))
    code, out, err = run("validate", "名单.csv", "--term", "2011-autumn")
    assert code == 2 and "名单.csv" in err and "UTF-8 编码标记（BOM）" in err and "GBK 编码" in err, err
    assert "既不是" not in err


def test_csv_where_every_id_lost_its_digits(check, tmp_path):
    """A whole ID column mangled to 4.20102E+17 by Excel: precision lost, not one duplicated student."""
    rows = [VOC_HEADERS, *[values(i, 身份证号码="4.20102E+17") for i in range(1, 5)]]
    (tmp_path / "a.csv").write_bytes(_csv_text(rows).encode("utf-8-sig"))
    code, doc = check("a.csv")
    assert codes(doc) == ["id.precision_lost"] * 4


@pytest.mark.parametrize("sep", [",", "\t"])
def test_csv_with_an_unpadded_title_row(check, tmp_path, sep):
    rows = [[TITLE], ["填报单位：第一职业中学"], VOC_HEADERS, *[values(i) for i in range(1, 4)]]
    text = "\r\n".join(sep.join("" if v is None else str(v) for v in r) for r in rows) + "\r\n"
    (tmp_path / "a.csv").write_bytes(text.encode("gbk"))
    code, doc = check("a.csv", term=None)
    assert doc["files"] == [{"file": "a.csv", "sheet": "a", "header_row": 3, "records": 3, "dropped": {}, "hidden_rows": 0, "hidden_sheets": [], "struck_rows": 0}]
    assert doc["term"] == "2011-autumn"
    assert doc["findings"] == []


def test_csv_with_title_row_and_tabs(check, tmp_path):
    rows = [[TITLE], VOC_HEADERS, *[values(i) for i in range(1, 4)]]
    text = "\r\n".join("\t".join("" if v is None else str(v) for v in r) for r in rows) + "\r\n"
    (tmp_path / "a.csv").write_bytes(text.encode("gbk"))
    code, doc = check("a.csv")
    assert doc["files"][0]["header_row"] == 2
    assert doc["files"][0]["records"] == 3
    assert doc["findings"] == []


# --- Excel 97–2003 -------------------------------------------------------------------------------

def test_a_workbook_whose_name_says_another_format_is_read_as_what_it_holds(tmp_path, run):
    """An .xls saved under a name ending .xlsx (a clerk renamed it, as schools are asked for .xlsx),
    and an .xlsx named .xls: each is read as what it holds, with the same records and findings as
    under its own name. Before, the readers went by the name: the first was refused as a damaged
    zip (invalid Zip archive), the second as an invalid OLE file."""
    import shutil

    xls = Path(__file__).parent / "fixtures" / "roster.xls"
    xlsx = write_roster(tmp_path / "roster.xlsx", [voc_row(1), voc_row(2, 身份证号码="123")], VOC_HEADERS)
    for right, wrong in ((xls, tmp_path / "改名.xlsx"), (xlsx, tmp_path / "改名.xls")):
        shutil.copyfile(right, wrong)
        docs = []
        for path in (right, wrong):
            code, doc, err = run("validate", path, "--term", "2011-autumn", "--format", "json", as_json=True)
            assert code == 1, err
            docs.append(doc)
        assert [f["records"] for f in docs[0]["files"]] == [f["records"] for f in docs[1]["files"]] != [0]
        assert [(f["row"], f["code"]) for f in docs[0]["findings"]] == [(f["row"], f["code"]) for f in docs[1]["findings"]]


def test_an_xls_roster_reads_as_the_same_cells_in_xlsx_do(tmp_path, run):
    """Schools still send .xls. The committed fixture (tests/fixtures/make_xls.py wrote it) and the
    same cells written as .xlsx give the same records and the same findings, at the same rows and
    columns with the same values: an ID typed as a number is id.precision_lost, a bad check digit,
    a repeated student, an amount in words."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
    import make_xls

    xls = Path(__file__).parent / "fixtures" / "roster.xls"
    xlsx = write_roster(tmp_path / "roster.xlsx", make_xls.rows(), VOC_HEADERS, above=[[make_xls.TITLE]])
    docs = []
    for path in (xls, xlsx):
        code, doc, err = run("validate", path, "--term", "2011-autumn", "--format", "json", as_json=True)
        assert code == 1, err
        docs.append(doc)
    (one,), (other,) = docs[0]["files"], docs[1]["files"]
    assert (one["sheet"], one["header_row"], one["records"]) == (other["sheet"], other["header_row"], other["records"]) \
        == ("Sheet1", 2, 7)
    # an .xls says which rows are hidden (none here) and which cells are struck (none), as an .xlsx does
    assert (one["hidden_rows"], other["hidden_rows"]) == (0, 0)
    assert (one["struck_rows"], other["struck_rows"]) == (0, 0)
    code, out, err = run("validate", xls, "--term", "2011-autumn")
    assert "看不出" not in out  # the terminal's files list has nothing unknown to say

    def seen(doc):
        return sorted((f["row"], f["column"], f["code"], f["value"]) for f in doc["findings"])

    assert seen(docs[0]) == seen(docs[1])
    assert {(row, code) for row, _, code, _ in seen(docs[0])} == {
        (3, "id.duplicate"), (9, "id.duplicate"), (4, "id.precision_lost"), (5, "id.checksum"),
        (7, "amount.invalid")}
    assert docs[0]["summary"] == docs[1]["summary"] == {"records": 7, "errors": 5, "warnings": 0}

    # in a workspace's intake, disburse takes it as it is: the two students without an error are paid
    intake = tmp_path / "ws" / "intake" / "2011-autumn"
    intake.mkdir(parents=True)
    (intake / xls.name).write_bytes(xls.read_bytes())
    code, doc, err = run("disburse", "--term", "2011-autumn", "--workspace", tmp_path / "ws", "--dry-run",
                         "--format", "json", as_json=True)
    assert code == 1, err
    assert sorted(r["row"] for r in doc["refused"]) == [3, 4, 5, 7, 9]
    assert sorted(p["row"] for p in doc["payments"]) == [6, 8] and doc["totals"]["amount"] == "1500.00"


def test_a_workbook_without_cell_references_still_shows_ids_typed_as_numbers(tmp_path, run):
    """Cell and row references (r="D4") are optional in .xlsx, and some writers leave them out.
    The scan for numbers too long for Excel cannot place such a cell; aidctl then takes the sheet's
    typed cells from python-calamine, and finds the same as in the file with references."""
    import re
    import sys
    import zipfile

    sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
    import make_xls

    with_refs = write_roster(tmp_path / "with.xlsx", make_xls.rows(), VOC_HEADERS, above=[[make_xls.TITLE]])
    without = tmp_path / "without.xlsx"
    with zipfile.ZipFile(with_refs) as zin, zipfile.ZipFile(without, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb'(<(?:c|row))\s+r="[A-Z]*\d+"', rb"\1", data)
                assert b' r="' not in data
            zout.writestr(item, data)
    found = []
    for path in (with_refs, without):
        code, doc, err = run("validate", path, "--term", "2011-autumn", "--format", "json", as_json=True)
        assert code == 1, err
        found.append(sorted((f["row"], f["column"], f["code"], f["value"]) for f in doc["findings"]))
    assert found[0] == found[1]
    assert (4, "身份证号码", "id.precision_lost", "420102199503121024") in found[1]


def test_the_roster_frame_takes_each_column_by_its_name_whatever_the_tables_column_order(tmp_path):
    """Stacking the tables reads each column under its own header: a table whose columns were moved
    (pandas then keeps its arrays in another order than its columns) gives the same roster."""
    from aidctl.core.terms import Term
    from aidctl.read import Workspace, build_roster, read_roster_tables

    ws = Workspace(SAMPLES)
    paths = ws.intake(Term.parse("2011-autumn"))
    tables = read_roster_tables(paths, ws.rules)
    before = build_roster(tables, Term.parse("2011-autumn"), ws).frame
    for t in tables:
        moved = t.data.pop("name")
        t.data.insert(0, "name", moved)
    after = build_roster(tables, Term.parse("2011-autumn"), ws).frame
    for key in ("name", "id_number", "card"):
        assert after[key].tolist() == before[key].tolist()


def test_workbook_sheets_are_parsed_once_for_the_limits_and_the_reader():
    """Absolute and relative relationship targets give the zip member's path; a sheet without a
    relationship has none; hidden and very hidden sheets are hidden. The limits check and the
    reader of the same file share the one parse."""
    from aidctl.read.sheetxml import workbook_sheets

    main = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    workbook = (b"<workbook " + main + b" " + rel + b"><sheets>"
                b'<sheet name="\xe8\x8a\xb1\xe5\x90\x8d\xe5\x86\x8c" sheetId="1" r:id="rId1"/>'
                b'<sheet name="list" sheetId="2" state="hidden" r:id="rId2"/>'
                b'<sheet name="old" sheetId="3" state="veryHidden" r:id="rId3"/>'
                b'<sheet name="lost" sheetId="4" r:id="rId9"/></sheets></workbook>')
    rels = (b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Target="worksheets/sheet1.xml"/>'
            b'<Relationship Id="rId2" Target="/xl/worksheets/sheet2.xml"/>'
            b'<Relationship Id="rId3" Target="../xl/worksheets/sheet3.xml"/></Relationships>')
    assert workbook_sheets(workbook, rels) == (("花名册", "xl/worksheets/sheet1.xml", False),
                                               ("list", "xl/worksheets/sheet2.xml", True),
                                               ("old", "xl/worksheets/sheet3.xml", True),
                                               ("lost", None, False))
    assert workbook_sheets(bytes(workbook), bytes(rels)) is workbook_sheets(workbook, rels)
    # kept by a digest of the two parts: the same bytes cut at another place are other parts
    with pytest.raises(ElementTree.ParseError):
        workbook_sheets(workbook[:-10], workbook[-10:] + rels)


def test_the_limits_check_and_the_reader_parse_a_workbook_once(tmp_path, monkeypatch):
    from aidctl.read import open_sheets, sheetxml

    path = roster(tmp_path / "a.xlsx", [voc_row(1)])
    parses = []
    real = sheetxml._parse_workbook
    monkeypatch.setattr(sheetxml, "_PARSED", {})   # an earlier test's workbook.xml may be the same bytes
    monkeypatch.setattr(sheetxml, "_parse_workbook", lambda *parts: parses.append(parts) or real(*parts))
    assert [s.name for s in open_sheets(path)] == ["Sheet1"]
    assert len(parses) == 1
    assert all(not isinstance(v, bytes) for v in sheetxml._PARSED.values())


@pytest.mark.parametrize("students", [4, 400])  # a sheet part of ~3 KB (measured) and ~100 KB (trusted)
def test_a_small_workbook_is_opened_once_and_its_sheet_inflated_once(tmp_path, monkeypatch, students):
    """The limits check opens the zip and inflates a school's sheet (measuring a small one, reading
    a trusted one to its end); the reader and the layout scan go on with both instead of opening
    and inflating them again, and the scan finds from those bytes what it finds from the file
    (merged ranges, hidden rows, long numbers)."""
    import zipfile

    from aidctl.read import limits
    from aidctl.read import workbook as W
    from aidctl.read.sheetxml import scan_sheet

    rows = [values(i) for i in range(1, students + 1)]
    rows[1][VOC_HEADERS.index("身份证号码")] = float(make_id(birth="19960101")[:15] + "000")
    path = roster(tmp_path / "a.xlsx", rows)
    wb = openpyxl.load_workbook(path)
    programme = openpyxl.utils.get_column_letter(1 + VOC_HEADERS.index("资助项目"))
    wb.active.merge_cells(f"{programme}2:{programme}5")
    wb.active.row_dimensions[4].hidden = True
    wb.save(path)
    part = "xl/worksheets/sheet1.xml"
    from_file = scan_sheet(path, part)
    opened, inflated = [], []
    real_init, real_open = zipfile.ZipFile.__init__, zipfile.ZipFile.open

    def counting_init(self, *args, **kwargs):
        opened.append(args[0])
        real_init(self, *args, **kwargs)

    def counting_open(self, name, *args, **kwargs):
        inflated.append(name.filename if isinstance(name, zipfile.ZipInfo) else name)
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "__init__", counting_init)
    monkeypatch.setattr(zipfile.ZipFile, "open", counting_open)
    sheets = W.open_sheets(path)
    assert len(opened) == 1 and inflated.count(part) == 1
    size = zipfile.ZipFile(path).getinfo(part).file_size
    assert (size <= limits.MEASURE_SHEETS_UP_TO) == (students == 4)
    assert sheets[0].merges == from_file.merges == [(2, VOC_HEADERS.index("资助项目"), 5, VOC_HEADERS.index("资助项目"))]
    assert list(sheets[0].hidden_rows) == list(from_file.hidden_rows) == [4]
    assert {c: list(r) for c, r in sheets[0].big_numbers.items()} == \
        {c: list(r) for c, r in from_file.big_numbers.items()} == {VOC_HEADERS.index("身份证号码"): [3]}


@pytest.mark.parametrize("written", ["4201021996010100", "420102199601010000", "420102199601010000.5", "4.201021996010100e+17",
                                     "4.2010219960101E+17", "4.2010219960101E17", "4.2e17", "1E+100"])
def test_a_long_number_is_found_however_its_writer_wrote_it(tmp_path, written):
    """A number cell of 16 or more digits, written out, in an exponent form (Excel's E+17, Python's
    e+17, without the sign) or beyond: found in every form, and not a number of 15 digits."""
    import zipfile

    from aidctl.read.sheetxml import scan_sheet

    path = roster(tmp_path / "a.xlsx", [values(1), values(2)])
    part = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    column = openpyxl.utils.get_column_letter(1 + VOC_HEADERS.index("身份证号码"))
    xml = parts[part].decode()
    assert f'<c r="{column}3" t="n"><v>' not in xml
    for row, number in ((2, "420102199601010"), (3, written)):
        start = xml.index(f'<c r="{column}{row}"')
        xml = xml[:start] + f'<c r="{column}{row}" t="n"><v>{number}</v></c>' + xml[xml.index("</c>", start) + 4:]
    parts[part] = xml.encode()
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    assert {c: list(r) for c, r in scan_sheet(path, part).big_numbers.items()} == \
        {VOC_HEADERS.index("身份证号码"): [3]}


def test_tables_with_other_columns_in_another_order_stack_by_name(tmp_path):
    """A term's files need not agree on their columns: each is stacked by name, a column a file
    lacks blank for its records, whatever the order and whether a table is empty or held as Arrow's
    `string` rather than `large_string`."""
    import dataclasses

    import pandas as pd
    import pyarrow as pa

    ws = Workspace(SAMPLES)
    shuffled = list(reversed(VOC_HEADERS))
    fewer = [h for h in VOC_HEADERS if h not in ("性别", "年级")]
    files = [roster(tmp_path / "a.xlsx", [values(i) for i in range(1, 4)]),
             roster(tmp_path / "b.xlsx", [values(i, shuffled) for i in range(4, 6)], headers=shuffled),
             roster(tmp_path / "c.xlsx", [values(i, fewer) for i in range(6, 10)], headers=fewer)]
    tables = [t for f in files for t in read_tables(f, f.name, "roster", ws.rules)]
    narrow = tables[1].cells
    tables[1] = dataclasses.replace(tables[1], cells=narrow.cast(pa.schema([(n, pa.string()) for n in narrow.column_names])))
    empty = tables[0]
    tables.insert(2, dataclasses.replace(empty, cells=empty.cells.slice(0, 0), excel_rows=empty.excel_rows[:0],
                                         big_numbers={k: v[:0] for k, v in empty.big_numbers.items()}))
    assert [t.records for t in tables] == [3, 2, 0, 4]
    frame = build(tables, Term.parse("2011-autumn"), ws).frame
    expected = pd.concat([t.data for t in tables], ignore_index=True)
    assert len(frame) == 9
    for key in expected.columns:
        assert frame[key].tolist() == expected[key].tolist(), key
    assert frame["gender"].isna().tolist() == [False] * 5 + [True] * 4
    assert frame["name"].tolist() == [f"学生{hanzi(i)}" for i in range(1, 10)]


def test_one_table_is_stacked_without_copying_its_columns(tmp_path):
    """A big file is one table: its columns become the roster frame's (and the table's own frame),
    and Arrow text again, as they are (combine_chunks copies even a single chunk: the 500,000-row
    roster held twice)."""
    from aidctl.core.text import arrow_text
    from aidctl.read.roster import _concat_text

    ws = Workspace(SAMPLES)
    path = roster(tmp_path / "a.xlsx", [values(i) for i in range(1, 4)])
    (table,) = read_tables(path, path.name, "roster", ws.rules)
    frame = _concat_text([table], table.records)
    shared = 0
    for key in table.cells.column_names:
        theirs = table.cells.column(key).chunk(0).buffers()[2]
        if theirs is None or theirs.size == 0:
            continue
        assert arrow_text(frame[key]).buffers()[2].address == theirs.address, key
        assert arrow_text(table.data[key]).buffers()[2].address == theirs.address, key  # the table's own frame
        shared += 1
    assert shared >= 8


@given(st.lists(st.tuples(st.integers(1, 60), st.integers(0, 4)), max_size=12), st.lists(st.integers(0, 70), max_size=40))
def test_containing_places_each_row_in_its_merged_range(spans, rows):
    """read.merged.containing (a binary search over a sheet's ranges, which never overlap) agrees with
    looking at every range: the rule that keeps merged-range lookups linear however many ranges."""
    from aidctl.read.merged import containing

    ranges, taken = [], set()
    for first, extra in spans:   # non-overlapping ranges, as a sheet's are
        cells = set(range(first, first + extra + 1))
        if not cells & taken:
            taken |= cells
            ranges.append((first, 3, first + extra, 3))
    ranges.sort()
    got = containing(np.asarray(rows, dtype=np.int64), ranges).tolist()
    want = [next((j for j, (r1, _, r2, _) in enumerate(ranges) if r1 <= r <= r2), -1) for r in rows]
    assert got == want
