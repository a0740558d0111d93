"""Hidden by look: a row too low to see, and text drawn so that nobody sees it (a font coloured as the
cell's fill, or too small). The clerk who signed the roster saw nothing there; the file holds a value.

A row lower than rules/columns.yaml `look.row_height_below` is a hidden row (read, counted, named), as
a row of no height is; a record whose key cell or amount is drawn invisibly is cell.invisible, an
error, and not paid; an input read whole with such a cell stops (exit 2). Each test here fails with
the reader as it was before: such rows and cells were read and paid like any other.
"""

from __future__ import annotations

import shutil
import struct
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pytest
from conftest import VOC_HEADERS, make_card, voc_row, write_roster
from openpyxl.styles import Color, Font, PatternFill

from aidctl.read.workbook import open_sheets
from aidctl.rulebook import Rulebook, packaged_rules_dir

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures"))
import make_look_xls  # noqa: E402
from make_look_xls import LOOKS, LOW_HEIGHT, LOW_ROW, TITLE  # noqa: E402

TERM = "2011-autumn"
FIXTURE_XLS = Path(__file__).resolve().parent / "fixtures" / "look.xls"
# what the roster of LOOKS gives: (Excel row, column, code) of each finding about the look
INVISIBLE = [(4, "姓名", "cell.invisible"), (5, "身份证号码", "cell.invisible"), (7, "资助金额（元）", "cell.invisible")]
FONTS = {"white": {"font": Font(color="FFFFFF")},
         "white_on_white": {"font": Font(color="FFFFFF"), "fill": PatternFill("solid", fgColor="FFFFFF")},
         "black_on_white": {"font": Font(color="000000"), "fill": PatternFill("solid", fgColor="FFFFFF")},
         "tiny": {"font": Font(size=1)},
         "white_on_dark": {"font": Font(color="FFFFFF"), "fill": PatternFill("solid", fgColor="000080")}}


def styled(path: Path, rows: list[dict], looks: dict[tuple[int, str], dict], heights: dict[int, float] = (),
           headers: list[str] = VOC_HEADERS) -> Path:
    """A roster under a title (header in row 2), its cells given a font and fill by (Excel row, header),
    its rows given a height by Excel row."""
    write_roster(path, rows, headers, above=[[TITLE]])
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    for (row, header), look in looks.items():
        cell = ws.cell(row, headers.index(header) + 1)
        for attr, value in look.items():
            setattr(cell, attr, value)
    for row, height in dict(heights).items():
        ws.row_dimensions[row].height = height
    wb.save(path)
    return path


def look_roster(path: Path) -> Path:
    """The roster of tests/fixtures/make_look_xls.py (look.xls) as an .xlsx: the same cells and looks."""
    return styled(path, make_look_xls.records(), {(row, header): FONTS[look] for row, (header, look) in LOOKS.items()},
                  {LOW_ROW: LOW_HEIGHT})


def validate(run, path: Path, *extra) -> dict:
    code, doc, err = run("validate", path, "--term", TERM, "--format", "json", *extra, as_json=True)
    assert code in (0, 1) and isinstance(doc, dict), (code, doc, err)
    return doc


def looks(doc: dict) -> list[tuple]:
    return [(f["row"], f["column"], f["code"]) for f in doc["findings"] if f["code"] == "cell.invisible"]


def finding(doc: dict, row: int, *, code: str) -> dict:
    """The one finding of `code` on Excel row `row`."""
    (found,) = [f for f in doc["findings"] if f["row"] == row and f["code"] == code]
    return found


def messages(doc: dict) -> dict[int, str]:
    """The message of each cell.invisible finding, by its Excel row."""
    return {f["row"]: f["message"] for f in doc["findings"] if f["code"] == "cell.invisible"}


def intake(tmp_path: Path, *files: Path) -> Path:
    root = tmp_path / "ws"
    (root / "intake" / TERM).mkdir(parents=True, exist_ok=True)
    for f in files:
        shutil.copy(f, root / "intake" / TERM / f.name)
    return root


def dry_run(run, root: Path) -> dict:
    code, plan, err = run("disburse", "--term", TERM, "--workspace", root, "--dry-run", "--format", "json", as_json=True)
    assert code in (0, 1) and isinstance(plan, dict), (code, plan, err)
    return plan


# --- .xlsx -------------------------------------------------------------------------------------------

def test_text_coloured_as_its_fill_or_too_small_is_not_paid_and_a_low_row_is_hidden(run, tmp_path):
    """White on no fill (姓名, row 4), white on white (身份证号码, row 5), 1 pt (资助金额, row 7): each an
    error naming the cell, what hides it and the value, and the record is not paid. Black on white
    (row 6), white on dark blue (row 10) and an invisible 序号 (row 9, which decides nothing) say
    nothing. The row 0.75 pt high (row 8) is a hidden row: counted, read and paid like one."""
    path = look_roster(tmp_path / "a.xlsx")
    doc = validate(run, path)
    assert looks(doc) == INVISIBLE
    (entry,) = doc["files"]
    assert (entry["records"], entry["hidden_rows"]) == (8, 1)
    said = messages(doc)
    assert {f["severity"] for f in doc["findings"] if f["code"] == "cell.invisible"} == {"error"}
    assert finding(doc, 4, code="cell.invisible")["column"] == "姓名"
    assert "字体颜色与单元格底色相同（均为白色）" in said[4] and "“学生二”" in said[4]
    assert "表中看上去是空白" in said[5]
    assert "字号为 1 磅，小于 3 磅" in said[7] and "“750”" in said[7]
    assert not [f for f in doc["findings"] if f["row"] in (4, 5, 7) and f["code"] != "cell.invisible"]

    plan = dry_run(run, intake(tmp_path, path))
    assert sorted((r["row"], tuple(r["codes"])) for r in plan["refused"]) == [
        (4, ("cell.invisible",)), (5, ("cell.invisible",)), (7, ("cell.invisible",))]
    assert sorted(p["row"] for p in plan["payments"]) == [3, 6, 8, 9, 10]   # the low row 8 is read and paid


def test_an_ordinary_roster_has_nothing_invisible_and_no_low_row(run, tmp_path):
    """A roster as schools colour it: a yellow header, a bold title, black on white, white on dark blue,
    grey text, rows of 13.5 and 3 pt (3 is not below the rules' 3): nothing is invisible, nothing hidden,
    everyone paid. The same roster with one name in white: that one record, and no other."""
    rows = [voc_row(i) for i in range(1, 7)]
    cells = {(2, "姓名"): {"fill": PatternFill("solid", fgColor="FFFF00"), "font": Font(bold=True)},
             (3, "姓名"): {"font": Font(color="000000"), "fill": PatternFill("solid", fgColor="FFFFFF")},
             (4, "身份证号码"): {"font": Font(color="FFFFFF"), "fill": PatternFill("solid", fgColor="1F4E79")},
             (5, "银行卡号"): {"font": Font(color="808080", size=9)},
             (6, "资助金额（元）"): {"font": Font(color=Color(theme=1))}}
    path = styled(tmp_path / "a.xlsx", rows, cells, {1: 20, 3: 13.5, 7: 3})
    doc = validate(run, path)
    assert looks(doc) == [] and doc["files"][0]["hidden_rows"] == 0
    plan = dry_run(run, intake(tmp_path, path))
    assert plan["refused"] == [] and sorted(p["row"] for p in plan["payments"]) == [3, 4, 5, 6, 7, 8]
    one = styled(tmp_path / "one" / "a.xlsx", rows, {**cells, (8, "姓名"): {"font": Font(color="FFFFFF")}},
                 {1: 20, 3: 13.5, 7: 3})
    assert looks(validate(run, one)) == [(8, "姓名", "cell.invisible")]


def test_colours_are_compared_as_excel_draws_them(tmp_path):
    """A theme colour (theme 0 is "背景 1", white) on no fill, an indexed one (9: white), black on a
    black fill are not seen; the same theme colour darkened (tint -0.5: grey), white on a fill of
    red, an indexed red: seen (white on yellow, 1.07:1, is too close: test_look_more). Only the cells holding something are listed (an empty white cell
    hides nothing)."""
    rows = [voc_row(i) for i in range(1, 8)]
    path = styled(tmp_path / "a.xlsx", rows,
                  {(3, "姓名"): {"font": Font(color=Color(theme=0))},
                   (4, "姓名"): {"font": Font(color=Color(indexed=9))},
                   (5, "姓名"): {"font": Font(color="000000"), "fill": PatternFill("solid", fgColor="000000")},
                   (6, "姓名"): {"font": Font(color=Color(theme=0, tint=-0.5))},
                   (7, "姓名"): {"font": Font(color="FFFFFF"), "fill": PatternFill("solid", fgColor="FF0000")},
                   (8, "姓名"): {"font": Font(color=Color(indexed=10))}})
    wb = openpyxl.load_workbook(path)
    wb.active.cell(12, 2).font = Font(color="FFFFFF")   # an empty cell below the table
    wb.save(path)
    (sheet,) = open_sheets(path, look=Rulebook().columns.look)
    assert sorted(sheet.invisible) == [(3, 1, "字体颜色与单元格底色相同（均为白色）"),
                                       (4, 1, "字体颜色与单元格底色相同（均为白色）"),
                                       (5, 1, "字体颜色与单元格底色相同（均为黑色）")]
    (unruled,) = open_sheets(path)   # a reader given no rules looks for none
    assert unruled.invisible == []


def test_the_sizes_are_the_rules(run, tmp_path):
    """A row 4 pt high and text of 6 pt are seen under the packaged rules (below 3 pt); a workspace
    whose columns.yaml says 5 and 8 hides the row and the text."""
    rows = [voc_row(i) for i in range(1, 4)]
    path = styled(tmp_path / "a.xlsx", rows, {(4, "银行卡号"): {"font": Font(size=6)}}, {5: 4})
    doc = validate(run, path)
    assert looks(doc) == [] and doc["files"][0]["hidden_rows"] == 0
    ws = tmp_path / "ws"
    (ws / "rules").mkdir(parents=True)
    text = (packaged_rules_dir() / "columns.yaml").read_text(encoding="utf-8")
    assert "  row_height_below: 3\n" in text and "  font_size_below: 3\n" in text
    (ws / "rules" / "columns.yaml").write_text(text.replace("  row_height_below: 3\n", "  row_height_below: 5\n")
                                               .replace("  font_size_below: 3\n", "  font_size_below: 8\n"),
                                               encoding="utf-8")
    doc = validate(run, path, "--workspace", ws)
    assert looks(doc) == [(4, "银行卡号", "cell.invisible")] and doc["files"][0]["hidden_rows"] == 1
    assert "字号为 6 磅，小于 8 磅" in messages(doc)[4]
    # a copy made before the key: the packaged sizes, said aloud; `look: null` (a choice) looks for nothing
    start, end = text.index("\nlook:"), text.index("\ntables:")
    (ws / "rules" / "columns.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    low = styled(tmp_path / "b.xlsx", rows, {(4, "银行卡号"): {"font": Font(size=1)}}, {5: 1})
    doc = validate(run, low, "--workspace", ws)
    assert looks(doc) == [(4, "银行卡号", "cell.invisible")] and doc["files"][0]["hidden_rows"] == 1
    assert any("未写 look" in n and "按内置规则的值" in n for n in doc["notes"]), doc["notes"]
    (ws / "rules" / "columns.yaml").write_text(text[:start] + "\nlook: null" + text[end:], encoding="utf-8")
    doc = validate(run, low, "--workspace", ws)
    assert looks(doc) == [] and not any("look" in n for n in doc["notes"])


def test_a_sheet_whose_rows_are_by_default_too_low_hides_every_row_without_a_height(run, tmp_path):
    """defaultRowHeight="1": every row that does not say its own height is 1 pt high, hidden; a row
    that says 15 pt is seen."""
    rows = [voc_row(i) for i in range(1, 5)]
    path = styled(tmp_path / "a.xlsx", rows, {}, {1: 15, 2: 15, 4: 15})
    wb = openpyxl.load_workbook(path)
    wb.active.sheet_format.defaultRowHeight = 1
    wb.active.sheet_format.customHeight = True
    wb.save(path)
    doc = validate(run, path)
    assert doc["files"][0]["hidden_rows"] == 3   # rows 3, 5 and 6


def test_a_low_row_without_the_rules_is_as_before(tmp_path):
    """The reader given no rules (explain's look at a record's cells) hides a row of no height only."""
    path = styled(tmp_path / "a.xlsx", [voc_row(i) for i in range(1, 4)], {}, {3: 0.75})
    (sheet,) = open_sheets(path)
    assert list(sheet.hidden_rows) == []
    (sheet,) = open_sheets(path, look=Rulebook().columns.look)
    assert list(sheet.hidden_rows) == [3]


def rich_roster(path: Path, writer: str) -> Path:
    """A roster (header in row 1) whose names are rich text: row 2 学生一 and a white run （已退学）, row 3
    all of it 1 pt, row 4 a white run on a dark blue cell, row 5 a red run. `writer`: openpyxl (inline
    strings, as it writes them) or xlsxwriter (shared strings, as Excel writes them)."""
    rows = [voc_row(i) for i in range(1, 6)]
    if writer == "openpyxl":
        from openpyxl.cell.rich_text import CellRichText, TextBlock
        from openpyxl.cell.text import InlineFont

        write_roster(path, rows, VOC_HEADERS)
        wb = openpyxl.load_workbook(path)
        ws = wb.active
        ws.cell(2, 2).value = CellRichText(["学生一", TextBlock(InlineFont(color="FFFFFF"), "（已退学）")])
        ws.cell(3, 2).value = CellRichText([TextBlock(InlineFont(sz=1), "学生"), TextBlock(InlineFont(sz=1), "二")])
        ws.cell(4, 2).value = CellRichText(["学生三", TextBlock(InlineFont(color="FFFFFF"), "（已退学）")])
        ws.cell(4, 2).fill = PatternFill("solid", fgColor="1F4E79")
        ws.cell(5, 2).value = CellRichText(["学生", TextBlock(InlineFont(color="FF0000"), "四")])
        wb.save(path)
        return path
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Sheet1")
    white, tiny = wb.add_format({"font_color": "white"}), wb.add_format({"font_size": 1})
    for c, header in enumerate(VOC_HEADERS):
        ws.write(0, c, header)
        for r, row in enumerate(rows, start=1):
            ws.write(r, c, row[header])
    ws.write_rich_string(1, 1, "学生一", white, "（已退学）")
    ws.write_rich_string(2, 1, tiny, "学生", tiny, "二")
    ws.write_rich_string(3, 1, "学生三", white, "（已退学）", wb.add_format({"bg_color": "#1F4E79"}))
    ws.write_rich_string(4, 1, "学生", wb.add_format({"font_color": "red"}), "四")
    wb.close()
    return path


@pytest.mark.parametrize("writer", ["openpyxl", "xlsxwriter"])
def test_a_run_of_rich_text_nobody_sees_counts(run, tmp_path, writer):
    """A name with a white run after it (学生一 shows, （已退学） does not) and a name wholly in 1-pt runs:
    cell.invisible, the first said to hide part of the text. A white run on a dark blue cell, a red
    run: seen. In inline strings (openpyxl) and shared strings (xlsxwriter, as Excel writes them)."""
    doc = validate(run, rich_roster(tmp_path / "a.xlsx", writer))
    assert looks(doc) == [(2, "姓名", "cell.invisible"), (3, "姓名", "cell.invisible")]
    said = messages(doc)
    assert "部分文字的颜色与单元格底色相同（均为白色），表中看不到这部分文字" in said[2] and "学生一(已退学)" in said[2]
    assert "“姓名”字号为 1 磅，小于 3 磅，表中看上去是空白" in said[3]


# --- inputs read whole: the command stops, naming the cell ---------------------------------------

def test_an_invisible_cell_in_an_input_read_whole_is_refused(run, tmp_path):
    """schools.xlsx, a finance sheet, a registry export, a register …: a cell drawn in white on no fill
    stops the command (exit 2), naming the cell and what hides it, as a struck cell does."""
    from test_bad_files import UNCALCULATED, one_line_naming, run_with_the_cell

    for case in UNCALCULATED:
        def change(cell):
            if cell.value in (None, ""):
                cell.value = 1
            cell.font = Font(color="FFFFFF")

        code, out, err, row, column = run_with_the_cell(run, tmp_path / case.replace(" ", "_"), case, change)
        assert code == 2, (case, out, err)
        one_line_naming(err, f"第{row}行", column, "字体颜色与单元格底色相同（均为白色）", "表中看上去是空白", "请将该单元格的字体颜色")


def test_an_xlsx_result_with_an_invisible_line_is_refused(tmp_path, run):
    """A bank's 回盘 whose 交易状态 is written in white: what the bank said is not known; nothing settled."""
    import sqlite3

    from test_disburse import disburse, make_ws

    root = make_ws(tmp_path, {"a.xlsx": [voc_row(1, 开户银行="建设银行")]}, headers=[*VOC_HEADERS, "开户银行"])
    disburse(run, root, expect=0)
    book = tmp_path / "ccb.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["序号", "收款人账号", "收款人姓名", "金额", "交易状态", "失败原因"])
    wb.active.append([1, voc_row(1)["银行卡号"], "学生一", 750, "成功", None])
    wb.active.cell(2, 5).font = Font(color="FFFFFF")
    wb.save(book)
    code, out, err = run("reconcile", book, "--term", TERM, "--workspace", root)
    assert code == 2 and "第2行" in err and "“交易状态”" in err and "表中看上去是空白" in err, err
    with sqlite3.connect(root / "aidctl.db") as conn:
        assert conn.execute("SELECT status FROM payments").fetchall() == [("sent",)]


# --- .xls ----------------------------------------------------------------------------------------

def test_an_xls_says_the_same_as_the_xlsx(run, tmp_path):
    """tests/fixtures/look.xls (BIFF8, written by xlwt: make_look_xls.py) holds the cells and looks of
    look_roster: the same findings, the same hidden row, the same records paid."""
    doc = validate(run, FIXTURE_XLS)
    same = validate(run, look_roster(tmp_path / "look.xlsx"))
    assert looks(doc) == looks(same) == INVISIBLE
    assert [f["message"] for f in doc["findings"]] == [f["message"] for f in same["findings"]]
    assert doc["files"][0]["hidden_rows"] == 1
    plan = dry_run(run, intake(tmp_path, FIXTURE_XLS))
    assert sorted(r["row"] for r in plan["refused"]) == [4, 5, 7]
    assert sorted(p["row"] for p in plan["payments"]) == [3, 6, 8, 9, 10]


def test_an_excel_95_workbook_says_its_invisible_cells_and_low_rows(tmp_path):
    """BIFF5 (Excel 5.0/95): a FONT's colour (icv 9, white) on no fill, a FONT 1 pt high, a font on a
    solid fill of its own colour (black on black, BIFF5's XF layout), a number in a MULRK by its XF,
    a ROW 0.75 pt (15 twips) high."""
    import make_biff5

    rows = [["name", "amount", "card"], ["Ann", 750, "111"], [("xf", 16, "Bob"), 750, "222"],
            [("xf", 17, "Carl"), 750, "333"], ["Dan", ("xf", 18, 750), "444"], ["Eve", 750, "555"],
            ["Fay", ("mulrk", [(16, 750), (15, 9)]), None]]
    stream = bytearray(make_biff5.biff5_stream({"Sheet1": rows}, 1252, fonts=[False] * 5, xfs=[0] * 16 + [1, 2, 3]))

    def records(typ: int, length: int) -> list[int]:
        """Where the data of each record of this type and length begins."""
        found, at = [], 0
        while (at := stream.find(struct.pack("<HH", typ, length), at)) >= 0:
            found.append(at + 4)
            at += 4
        return found

    fonts = records(0x0031, 20)
    struct.pack_into("<H", stream, fonts[1] + 4, 9)        # font 1: white (icv 9)
    struct.pack_into("<H", stream, fonts[2], 20)           # font 2: 1 pt (20 twips)
    struct.pack_into("<L", stream, records(0x00E0, 16)[18] + 8, (1 << 16) | 8)   # XF 18: solid black fill
    for at in records(0x0208, 16):
        if struct.unpack_from("<H", stream, at)[0] == 5:   # Excel row 6 (Eve)
            struct.pack_into("<H", stream, at + 6, 15)
    path = tmp_path / "w.xls"
    path.write_bytes(make_biff5.compound_file("Book", bytes(stream)))
    (sheet,) = open_sheets(path, look=Rulebook().columns.look)
    assert sheet.invisible == [(3, 0, "字体颜色与单元格底色相同（均为白色）"), (4, 0, "字号为 1 磅，小于 3 磅"),
                               (5, 1, "字体颜色与单元格底色相同（均为黑色）"), (7, 1, "字体颜色与单元格底色相同（均为白色）")]
    assert list(sheet.hidden_rows) == [6]


# --- .ods ----------------------------------------------------------------------------------------
# An .ods's cell styles say a cell's font colour and sizes (Western and Asian) and background, a row
# style its height; LibreOffice writes its automatic styles in content.xml, named ones (Default) in
# styles.xml, and leaves a cell in its column's default style without a style of its own. Written
# here as LibreOffice lays them out, so that no LibreOffice is needed.

_ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
           'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
           'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"')
_ODS_STYLES = (
    '<style:style style:name="ce1" style:family="table-cell" style:parent-style-name="Default">'
    '<style:text-properties fo:color="#ffffff"/></style:style>'
    '<style:style style:name="ce2" style:family="table-cell" style:parent-style-name="Default">'
    '<style:table-cell-properties fo:background-color="#ffffff"/><style:text-properties fo:color="#ffffff"/></style:style>'
    '<style:style style:name="ce3" style:family="table-cell" style:parent-style-name="Default">'
    '<style:table-cell-properties fo:background-color="#ffffff"/><style:text-properties fo:color="#000000"/></style:style>'
    '<style:style style:name="ce4" style:family="table-cell" style:parent-style-name="Default">'
    '<style:text-properties fo:font-size="1pt" style:font-size-asian="1pt"/></style:style>'
    '<style:style style:name="ce5" style:family="table-cell" style:parent-style-name="Default">'
    '<style:table-cell-properties fo:background-color="#000080"/><style:text-properties fo:color="#ffffff"/></style:style>'
    '<style:style style:name="T1" style:family="text"><style:text-properties fo:color="#ffffff"/></style:style>'
    '<style:style style:name="ro1" style:family="table-row"><style:table-row-properties style:row-height="0.1799in"/>'
    '</style:style><style:style style:name="ro2" style:family="table-row">'
    '<style:table-row-properties style:row-height="0.0104in"/></style:style>')
_ODS_LOOKS = {"white": "ce1", "white_on_white": "ce2", "black_on_white": "ce3", "tiny": "ce4", "white_on_dark": "ce5"}


def _ods_cell(value, style: str | None, span: str | None = None) -> str:
    st = f' table:style-name="{style}"' if style else ""
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, (int, float)):
        return f'<table:table-cell{st} office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'
    text = escape(value) if span is None else f'{escape(value)}<text:span text:style-name="T1">{escape(span)}</text:span>'
    return f'<table:table-cell{st} office:value-type="string"><text:p>{text}</text:p></table:table-cell>'


def look_ods(path: Path) -> Path:
    """look_roster as an .ods, and in row 3 a name with a run of white text after it (学生一（已退学）)."""
    rows = [[_ods_cell(TITLE, None)], [_ods_cell(h, None) for h in VOC_HEADERS]]
    for r, record in enumerate(make_look_xls.records(), start=3):
        look = LOOKS.get(r)
        rows.append([_ods_cell(record[h], _ODS_LOOKS[look[1]] if look and look[0] == h else None,
                               "（已退学）" if r == 3 and h == "姓名" else None) for h in VOC_HEADERS])
    body = "".join(f'<table:table-row table:style-name="{"ro2" if r == LOW_ROW else "ro1"}">{"".join(cells)}'
                   f"</table:table-row>" for r, cells in enumerate(rows, start=1))
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS} office:version="1.2">'
               f"<office:automatic-styles>{_ODS_STYLES}</office:automatic-styles><office:body><office:spreadsheet>"
               '<table:table table:name="Sheet1"><table:table-column table:number-columns-repeated="12" '
               f'table:default-cell-style-name="Default"/>{body}</table:table></office:spreadsheet></office:body>'
               "</office:document-content>")
    styles = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-styles {_ODS_NS} office:version="1.2">'
              '<office:styles><style:style style:name="Default" style:family="table-cell"><style:text-properties '
              'fo:color="#000000" fo:font-size="11pt" style:font-size-asian="11pt"/></style:style></office:styles>'
              "</office:document-styles>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        for name, text in (("META-INF/manifest.xml", manifest), ("content.xml", content), ("styles.xml", styles)):
            z.writestr(name, text, zipfile.ZIP_DEFLATED)
    return path


def test_an_ods_says_the_same_and_a_run_of_invisible_text_counts(run, tmp_path):
    """The .ods of look_roster: the same findings about its look and the same hidden row; besides,
    row 3's name has a run of white text after it (a text span: 学生一 shows, （已退学） does not),
    which is cell.invisible too."""
    path = look_ods(tmp_path / "look.ods")
    doc = validate(run, path)
    assert looks(doc) == [(3, "姓名", "cell.invisible"), *INVISIBLE]
    assert "部分文字的颜色与单元格底色相同（均为白色），表中看不到这部分文字" in messages(doc)[3]
    assert "学生一(已退学)" in messages(doc)[3]   # the name as read (brackets folded)
    assert not [f for f in doc["findings"] if f["row"] == 3 and f["code"] != "cell.invisible"]   # covered
    assert doc["files"][0]["hidden_rows"] == 1
    plan = dry_run(run, intake(tmp_path, path))
    assert sorted(r["row"] for r in plan["refused"]) == [3, 4, 5, 7]
    assert sorted(p["row"] for p in plan["payments"]) == [6, 8, 9, 10]


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_every_format_reads_its_look_only_with_the_rules(tmp_path, fmt):
    """Every format still opens without the rules (explain's look at a record's cells) and finds no look
    there; given the rules' `look`, it finds the same cells."""
    path = {"xlsx": lambda: look_roster(tmp_path / "a.xlsx"), "xls": lambda: FIXTURE_XLS,
            "ods": lambda: look_ods(tmp_path / "a.ods")}[fmt]()
    (sheet,) = open_sheets(path)
    assert sheet.invisible == [] and list(sheet.hidden_rows) == [] and sheet.grid.iat[3, 1] == "学生二"
    assert make_card(seed=1) in set(sheet.grid[9].dropna())
    (sheet,) = open_sheets(path, look=Rulebook().columns.look)
    assert {(r, c) for r, c, _ in sheet.invisible} >= {(4, 1), (5, 3), (7, 8), (9, 0)}
    assert list(sheet.hidden_rows) == [LOW_ROW]
