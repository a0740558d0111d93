"""Text a school hid in an .xls (Excel 97–2003, BIFF8; Excel 5.0/95, BIFF5) is cell.invisible as in an
.xlsx: a font colour too close to the fill by WCAG contrast (below rules/columns.yaml
look.contrast_below: #FFFFFE or light yellow on white), a number format's colour section ([White]0,
0;0;0;[White]@, [Color2]@, [White][>700]0;0) and a run of rich text (a white run, a 1 pt run) in the
shared strings or in an RSTRING cell. Before, the .xls reader compared a font's colour with its fill
for equality only, and read neither number-format colours nor runs: each of these passed silently
and the record was paid.

tests/fixtures/xls_invisible.xls is written by xlwt (which aidctl does not need) from `LOOKS` and
`RICH` below; the test writes the same cells and looks as an .xlsx with openpyxl, and both must say the
same. To write the fixture again:

    PYTHONPATH=<xlwt> python tests/test_xls_invisible.py
"""

from __future__ import annotations

import shutil
import struct
import sys
from pathlib import Path

import openpyxl
from conftest import VOC_HEADERS, voc_row
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import Font, PatternFill

from aidctl.read.workbook import open_sheets
from aidctl.rulebook import Rulebook

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures"))
import make_biff5  # noqa: E402

TERM = "2011-autumn"
TITLE = "2011年秋季学期中职国家助学金发放花名册"
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "xls_invisible.xls"
# Excel row → (header, look): font colour (RRGGBB), fill (RRGGBB), number format. The title is row 1,
# the header row 2, records from 3.
LOOKS = {
    4: ("姓名", {"font": "FFFFFE"}),                            # near white (a PALETTE record's colour)
    5: ("姓名", {"font": "FFFF99"}),                            # light yellow on white: contrast 1.05
    6: ("资助金额（元）", {"format": "[White]0"}),              # every number white
    7: ("姓名", {"format": "0;0;0;[White]@"}),                  # the text section white
    8: ("身份证号码", {"format": "[Color2]@"}),                 # palette colour 2: white
    9: ("资助金额（元）", {"format": "0;[White]-0"}),           # negatives white: 750 is seen
    12: ("姓名", {"font": "808080"}),                           # grey on white, contrast 3.9: seen
    13: ("姓名", {"font": "FFFFFF", "fill": "000080"}),         # white on dark blue: seen
}
# Excel row → (header, runs of text: (text, font colour or None, size in points or None))
RICH = {
    10: ("姓名", [("学生八", None, None), ("（已退学）", "FFFFFF", None)]),   # a white run: part hidden
    11: ("姓名", [("学生九", None, 1)]),                                    # the whole text in 1 pt
    14: ("姓名", [("学生", "FF0000", None), ("十二", None, None)]),        # a red run: seen
}
ROWS = range(3, 15)
EXPECTED = [(4, "姓名"), (5, "姓名"), (6, "资助金额（元）"), (7, "姓名"), (8, "身份证号码"), (10, "姓名"), (11, "姓名")]


def records() -> list[dict]:
    return [voc_row(r - 2) for r in ROWS]


def twin_xlsx(path: Path) -> Path:
    """The fixture's cells and looks as an .xlsx (openpyxl)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.cell(1, 1, TITLE)
    for c, head in enumerate(VOC_HEADERS, start=1):
        ws.cell(2, c, head)
    for r, record in zip(ROWS, records()):
        for c, head in enumerate(VOC_HEADERS, start=1):
            cell = ws.cell(r, c, record[head])
            if r in RICH and RICH[r][0] == head:
                cell.value = CellRichText(*[TextBlock(InlineFont(color=colour, sz=size), text)
                                            if colour or size else text for text, colour, size in RICH[r][1]])
            if r in LOOKS and LOOKS[r][0] == head:
                look = LOOKS[r][1]
                if "font" in look:
                    cell.font = Font(color=look["font"])
                if "fill" in look:
                    cell.fill = PatternFill("solid", fgColor=look["fill"])
                if "format" in look:
                    cell.number_format = look["format"]
    wb.save(path)
    return path


def validate(run, path: Path) -> dict:
    code, doc, err = run("validate", path, "--term", TERM, "--format", "json", as_json=True)
    assert code in (0, 1) and isinstance(doc, dict), (code, doc, err)
    return doc


def invisible(doc: dict) -> list[tuple[int, str]]:
    return [(f["row"], f["column"]) for f in doc["findings"] if f["code"] == "cell.invisible"]


def test_an_xls_hides_near_colours_format_colours_and_runs_as_the_xlsx_does(run, tmp_path):
    """Each look of the fixture is found in the .xls as in its .xlsx twin, with the same messages (the
    contrast ratio, the format's code, 部分文字); the seen ones (grey, white on dark blue, a red run, a
    positive number under 0;[White]-0) are not; the hidden records are not paid."""
    doc = validate(run, FIXTURE)
    twin = validate(run, twin_xlsx(tmp_path / "twin.xlsx"))
    assert invisible(doc) == invisible(twin) == EXPECTED
    assert [(f["row"], f["code"], f["message"]) for f in doc["findings"]] == \
        [(f["row"], f["code"], f["message"]) for f in twin["findings"]]
    said = {f["row"]: f["message"] for f in doc["findings"] if f["code"] == "cell.invisible"}
    assert "字体颜色（#FFFFFE）与单元格底色（白色）几乎相同（对比度 1.00:1，低于 1.5:1）" in said[4]
    assert "字体颜色（#FFFF99）与单元格底色（白色）几乎相同（对比度 1.05:1，低于 1.5:1）" in said[5]
    assert "数字格式“[White]0”使字体颜色与单元格底色相同（均为白色）" in said[6]
    assert "数字格式“0;0;0;[White]@”使字体颜色与单元格底色相同" in said[7]
    assert "数字格式“[Color2]@”使字体颜色与单元格底色相同" in said[8]
    assert "部分文字的颜色与单元格底色相同（均为白色），表中看不到这部分文字" in said[10]
    assert "字号为 1 磅，小于 3 磅" in said[11]
    root = tmp_path / "ws"
    (root / "intake" / TERM).mkdir(parents=True)
    shutil.copy(FIXTURE, root / "intake" / TERM / FIXTURE.name)
    code, plan, err = run("disburse", "--term", TERM, "--workspace", root, "--dry-run", "--format", "json",
                          as_json=True)
    assert code in (0, 1) and isinstance(plan, dict), (code, plan, err)
    assert sorted(r["row"] for r in plan["refused"]) == [4, 5, 6, 7, 8, 10, 11]
    assert sorted(p["row"] for p in plan["payments"]) == [3, 9, 12, 13, 14]


def _globals(stream: bytes, typ: int) -> list[int]:
    """Where the data of each record of type `typ` in a stream's globals (up to their EOF) begins."""
    found, pos = [], 0
    while pos + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, pos)
        if kind == typ:
            found.append(pos + 4)
        if kind == 0x000A:
            return found
        pos += 4 + length
    return found


def _insert_format(stream: bytes, ifmt: int, code: str) -> bytes:
    """A BIFF5 stream (make_biff5) with a FORMAT record (ifmt, a count byte, the code) after its
    CODEPAGE, the sheets' BOUNDSHEET offsets moved past it."""
    data = struct.pack("<HB", ifmt, len(code)) + code.encode("ascii")
    record = struct.pack("<HH", 0x041E, len(data)) + data
    at = _globals(stream, 0x0042)[0] + 2
    out = bytearray(stream[:at] + record + stream[at:])
    for sheet in _globals(bytes(out), 0x0085):
        struct.pack_into("<L", out, sheet, struct.unpack_from("<L", out, sheet)[0] + len(record))
    return bytes(out)


def test_an_excel_95_rich_cell_and_a_conditional_format_colour_are_seen_by_value(tmp_path):
    """BIFF5: an RSTRING cell (its text in cp936) with a run in a white font is partly hidden; a font of
    light yellow (icv 26, #FFFFCC) on no fill is too close to white; in a MULRK of an XF whose format is
    [White][>700]0;0, 750 is hidden and 9 is seen (the RK values read, the section chosen by its
    condition)."""
    rows = [["name", "amount", "card"], ["Ann", 750, "111"], [("rich", "张三（已退学）", [(0, 0), (2, 1)]), 750, "222"],
            [("xf", 17, "Carl"), 750, "333"], ["Dan", ("mulrk", [(18, 750), (18, 9)]), None]]
    stream = bytearray(make_biff5.biff5_stream({"Sheet1": rows}, 936, fonts=[False] * 4, xfs=[0] * 16 + [1, 2, 0]))
    fonts = _globals(bytes(stream), 0x0031)
    struct.pack_into("<H", stream, fonts[1] + 4, 9)    # font 1: white (icv 9)
    struct.pack_into("<H", stream, fonts[2] + 4, 26)   # font 2: #FFFFCC
    xf18 = _globals(bytes(stream), 0x00E0)[18]
    struct.pack_into("<H", stream, xf18 + 2, 164)      # XF 18: number format 164
    stream = _insert_format(bytes(stream), 164, "[White][>700]0;0")
    path = tmp_path / "w.xls"
    path.write_bytes(make_biff5.compound_file("Book", stream))
    (sheet,) = open_sheets(path, look=Rulebook().columns.look)
    assert sorted(sheet.invisible) == [
        (3, 0, "部分文字的颜色与单元格底色相同（均为白色）"),
        (4, 0, "字体颜色（#FFFFCC）与单元格底色（白色）几乎相同（对比度 1.03:1，低于 1.5:1）"),
        (5, 1, "数字格式“[White][>700]0;0”使字体颜色与单元格底色相同（均为白色）")]
    (plain,) = open_sheets(path)   # without the rules: no look read
    assert plain.invisible == []


def _with_conditional_formats(stream: bytes, records: bytes) -> bytes:
    """An .xls Workbook stream of one sheet with `records` (CONDFMT, CF …) put before its sheet's EOF."""
    from aidctl.read.biff import sheet_records, xls_book

    start = xls_book(stream).sheets[0][0]
    *_, (_, at, length) = sheet_records(stream, start)
    eof = at + length                    # the sheet's EOF follows its last record
    assert struct.unpack_from("<H", stream, eof)[0] == 0x000A
    return stream[:eof] + records + stream[eof:]


def _record(typ: int, data: bytes) -> bytes:
    return struct.pack("<HH", typ, len(data)) + data


def test_an_xls_conditional_format_hides_text_as_an_xlsx_one_does(run, tmp_path):
    """BIFF8 conditional formats (CONDFMT and its CF records), which the .xls reader did not read: a
    rule "单元格值介于 700 与 800" filling the cell black hides the black amounts of I3:I5 (judged by each
    value, on each cell's own XF: the fixture's white-on-dark-blue XF would be seen); a rule whose
    formula refers to a cell (PtgRef) drawing the text white may hide B3 (条件格式可能使其不可见)."""
    from aidctl.read.biff import xls_workbook_stream
    def condfmt(r1: int, r2: int, c: int) -> bytes:   # 0-based rows and column: one range
        ref = struct.pack("<HHHH", r1, r2, c, c)
        return _record(0x01B0, struct.pack("<HH", 1, 1) + ref + struct.pack("<H", 1) + ref)

    keep = 0xFFFF | 0x3F << 16   # DXFN: alignment, protection, pattern and number format left as the cell's
    fill = _record(0x01B1, struct.pack("<BBHHLH", 1, 1, 3, 9, (keep & ~(0b101 << 16)) | 1 << 29, 0)
                   + struct.pack("<HH", 1 << 10, 8 << 7)   # solid, its background colour icv 8: black
                   + bytes([0x1E]) + struct.pack("<H", 700) + bytes([0x1F]) + struct.pack("<d", 800.0))
    font = bytearray(118)
    struct.pack_into("<L", font, 64, 0xFFFFFFFF)   # height: the cell's
    struct.pack_into("<L", font, 80, 9)            # icvFore 9: white
    white = _record(0x01B1, struct.pack("<BBHHLH", 2, 0, 5, 0, keep | 1 << 26, 0) + bytes(font)
                    + bytes([0x24]) + struct.pack("<HH", 2, 0xC006))   # PtgRef G3: refers to a cell
    stream = _with_conditional_formats(xls_workbook_stream(FIXTURE), condfmt(2, 4, 8) + fill + condfmt(2, 2, 1) + white)
    path = tmp_path / "cf.xls"
    path.write_bytes(make_biff5.compound_file("Workbook", stream))
    doc = validate(run, path)
    said = {(f["row"], f["column"]): f["message"] for f in doc["findings"] if f["code"] == "cell.invisible"}
    for row in (3, 4, 5):
        assert "“资助金额”条件格式（单元格值介于700与800）使其字体颜色与单元格底色相同（均为黑色）" in said[(row, "资助金额（元）")]
    assert "条件格式可能使其不可见（公式条件无法在不计算公式的情况下判断是否生效，生效时字体颜色与单元格底色相同（均为白色））" \
        in said[(3, "姓名")]
    assert set(said) == {*EXPECTED, (3, "姓名"), (3, "资助金额（元）"), (4, "资助金额（元）"), (5, "资助金额（元）")}


def test_an_xls_with_many_invisible_formats_is_read(tmp_path):
    """More XFs hiding text than the walk's pattern passes over by name (64) had the walk fail on its
    first cell (an internal error): every cell is then looked at one by one."""
    rows = [["name", "amount"], *[[("xf", 16 + i, f"N{i}"), 750] for i in range(70)]]
    stream = bytearray(make_biff5.biff5_stream({"Sheet1": rows}, 1252, fonts=[False] * 2, xfs=[0] * 16 + [1] * 70))
    struct.pack_into("<H", stream, _globals(bytes(stream), 0x0031)[1] + 4, 9)    # font 1: white
    path = tmp_path / "w.xls"
    path.write_bytes(make_biff5.compound_file("Book", bytes(stream)))
    (sheet,) = open_sheets(path, look=Rulebook().columns.look)
    assert sorted(r for r, _, _ in sheet.invisible) == list(range(2, 72))


def main() -> None:
    """Write tests/fixtures/xls_invisible.xls with xlwt."""
    import xlwt

    names = {"FFFFFE": "near_white", "FFFF99": "light_yellow", "808080": "gray50", "FFFFFF": "white",
             "000080": "dark_blue", "FF0000": "red"}
    xlwt.add_palette_colour("near_white", 0x21)
    book = xlwt.Workbook(encoding="utf-8")
    book.set_colour_RGB(0x21, 0xFF, 0xFF, 0xFE)
    sheet = book.add_sheet("Sheet1")
    sheet.write(0, 0, TITLE)
    for c, head in enumerate(VOC_HEADERS):
        sheet.write(1, c, head)

    def font(colour: str | None, size: float | None) -> xlwt.Font:
        f = xlwt.Font()
        if colour:
            f.colour_index = xlwt.Style.colour_map[names[colour]]
        if size:
            f.height = int(size * 20)
        return f

    for r, record in zip(ROWS, records()):
        for c, head in enumerate(VOC_HEADERS):
            if r in RICH and RICH[r][0] == head:
                sheet.write_rich_text(r - 1, c, [(text, font(colour, size)) for text, colour, size in RICH[r][1]])
            elif r in LOOKS and LOOKS[r][0] == head:
                look = LOOKS[r][1]
                said = [f"font: colour {names[look['font']]}"] if "font" in look else []
                said += [f"pattern: pattern solid, fore_colour {names[look['fill']]}"] if "fill" in look else []
                sheet.write(r - 1, c, record[head], xlwt.easyxf("; ".join(said), num_format_str=look.get("format")))
            else:
                sheet.write(r - 1, c, record[head])
    book.save(str(FIXTURE))


if __name__ == "__main__":
    main()
