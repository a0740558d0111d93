"""Text a school hid in an .ods is cell.invisible as in an .xlsx. Before, the .ods reader read a cell
style's font and fill and its text spans only: a number format's colour (LibreOffice writes [White]0,
0;0;0;[White]@, [White][>700]0;0 as number:number-style / number:text-style with a fo:color and
style:map conditions on value()) and a conditional format (calcext:conditional-format, and style:map
on the cells' styles) whose style draws the text in its fill's colour passed silently and the record
was paid; and a rich cell whose whole text is 1 pt was worded 部分文字 as if some of it were seen.

The LibreOffice test builds the roster as an .xlsx with openpyxl and has LibreOffice save it as .ods
(as a school's copy is); both must say the same. The others write the .ods's XML as ODF 1.2 writes it
(style:map, no calcext), so that no LibreOffice is needed.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
from conftest import VOC_HEADERS, needs_soffice, saved_by_libreoffice, voc_row
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.formatting.rule import CellIsRule, FormulaRule, Rule
from openpyxl.styles import Font, PatternFill
from openpyxl.styles.differential import DifferentialStyle
from test_look import dry_run, intake

from aidctl.read.workbook import open_sheets
from aidctl.rulebook import Rulebook

TERM = "2011-autumn"
TITLE = "2011年秋季学期中职国家助学金发放花名册"
WHITE_FONT = Font(color="FFFFFF")
# (Excel row, header) the roster hides; every other record is seen and paid
HIDDEN = [(4, "资助金额（元）"), (5, "姓名"), (7, "资助金额（元）"), (9, "资助金额（元）"), (10, "姓名"), (12, "姓名"),
          (13, "姓名"), (14, "姓名")]


def roster(path: Path) -> Path:
    """Records in rows 3–14: number formats [White]0 (row 4's amount), 0;0;0;[White]@ (row 5's name),
    0;[White]-0 (row 6: 750 is seen), [White][>700]0;0 (row 7: 750 hidden); conditional formats: amounts
    above 1000 in white (row 9: 1200), the name 学生八 filled black (row 10), names containing 学生一〇
    in white (row 12), $G13="退学" in white on B13 (a formula: possibly hidden); row 14's name a rich
    text whose only run is 1 pt."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.cell(1, 1, TITLE)
    for c, head in enumerate(VOC_HEADERS, start=1):
        ws.cell(2, c, head)
    for r in range(3, 15):
        record = voc_row(r - 2, **({"资助金额（元）": 1200} if r == 9 else {}))
        for c, head in enumerate(VOC_HEADERS, start=1):
            ws.cell(r, c, record[head])
    ws["I4"].number_format = "[White]0"
    ws["B5"].number_format = "0;0;0;[White]@"
    ws["I6"].number_format = "0;[White]-0"
    ws["I7"].number_format = "[White][>700]0;0"
    ws.conditional_formatting.add("I3:I20", CellIsRule(operator="greaterThan", formula=["1000"], font=WHITE_FONT))
    ws.conditional_formatting.add("B3:B20", CellIsRule(operator="equal", formula=['"学生八"'],
                                                       fill=PatternFill("solid", bgColor="FF000000")))
    ws.conditional_formatting.add("B3:B20", Rule(type="containsText", operator="containsText", text="学生一〇",
                                                 dxf=DifferentialStyle(font=WHITE_FONT)))
    ws.conditional_formatting.add("B13:B13", FormulaRule(formula=['$G13="退学"'], font=WHITE_FONT))
    ws["B14"].value = CellRichText(TextBlock(InlineFont(sz=1), "学生一二"))
    wb.save(path)
    return path


def validate(run, path: Path) -> dict:
    code, doc, err = run("validate", path, "--term", TERM, "--format", "json", as_json=True)
    assert code in (0, 1) and isinstance(doc, dict), (code, doc, err)
    return doc


@needs_soffice
def test_an_ods_hides_format_colours_and_conditional_formats_as_the_xlsx_does(run, tmp_path):
    """The roster as .xlsx and as LibreOffice's .ods: the same cell.invisible findings with the same
    messages (the format's code, the rule, 条件格式可能使其不可见 for a formula, 字号为 1 磅 for a rich
    cell all in 1 pt), and the hidden records are not paid."""
    xlsx = roster(tmp_path / "roster.xlsx")
    ods = saved_by_libreoffice(xlsx, "ods", tmp_path / "lo")
    twin, doc = validate(run, xlsx), validate(run, ods)
    found = [(f["row"], f["column"]) for f in doc["findings"] if f["code"] == "cell.invisible"]
    assert found == HIDDEN
    assert [(f["row"], f["code"], f["message"]) for f in doc["findings"]] == \
        [(f["row"], f["code"], f["message"]) for f in twin["findings"]]
    said = {f["row"]: f["message"] for f in doc["findings"] if f["code"] == "cell.invisible"}
    assert "数字格式“[White]0”使字体颜色与单元格底色相同（均为白色）" in said[4]
    assert "数字格式“0;0;0;[White]@”使字体颜色与单元格底色相同" in said[5]
    assert "数字格式“[White][>700]0;0”使字体颜色与单元格底色相同" in said[7]
    assert "条件格式（单元格值大于1000）使其字体颜色与单元格底色相同（均为白色）" in said[9]
    assert "条件格式（单元格值等于\"学生八\"）使其字体颜色与单元格底色相同（均为黑色）" in said[10]
    assert "条件格式（文本包含“学生一〇”）" in said[12]
    assert "条件格式可能使其不可见" in said[13] and "$G13" in said[13]
    assert "“姓名”字号为 1 磅，小于 3 磅，表中看上去是空白" in said[14]
    plan = dry_run(run, intake(tmp_path, ods))
    assert sorted(r["row"] for r in plan["refused"]) == [row for row, _ in HIDDEN]
    assert sorted(p["row"] for p in plan["payments"]) == [3, 6, 8, 11]


# --- an .ods written by hand, as ODF 1.2 lays it out (no LibreOffice needed) ------------------------

_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
       'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
       'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
       'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
       'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" '
       'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"')
_AUTOMATIC = (
    '<number:number-style style:name="N1"><style:text-properties fo:color="#ffffff"/>'
    '<number:number number:decimal-places="0" number:min-integer-digits="1"/></number:number-style>'
    '<style:style style:name="ce1" style:family="table-cell" style:parent-style-name="Default" '
    'style:data-style-name="N1"/>'
    '<style:style style:name="ce2" style:family="table-cell" style:parent-style-name="Default">'
    '<style:map style:condition="cell-content()&gt;1000" style:apply-style-name="Hide" '
    'style:base-cell-address="Sheet1.B2"/></style:style>'
    '<style:style style:name="ce3" style:family="table-cell" style:parent-style-name="Default">'
    '<style:map style:condition="cell-content()=&quot;学生三&quot;" style:apply-style-name="Hide" '
    'style:base-cell-address="Sheet1.A2"/></style:style>'
    '<style:style style:name="T1" style:family="text"><style:text-properties fo:font-size="1pt" '
    'style:font-size-asian="1pt"/></style:style>')

_MANIFEST = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
             'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
             '<manifest:file-entry manifest:full-path="/" '
             'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
             '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
             '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
             "</manifest:manifest>")


def _cell(value, style: str | None = None, span: str | None = None) -> str:
    st = f' table:style-name="{style}"' if style else ""
    if isinstance(value, int):
        return f'<table:table-cell{st} office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'
    text = value if span is None else f'{value}<text:span text:style-name="T1">{span}</text:span>'
    return f'<table:table-cell{st} office:value-type="string"><text:p>{text}</text:p></table:table-cell>'


def hand_ods(path: Path) -> Path:
    rows = [[_cell("姓名"), _cell("金额")],
            [_cell("学生一", "ce3"), _cell(750, "ce1")],            # [White]0: hidden
            [_cell("学生三", "ce3"), _cell(1200, "ce2")],           # both maps apply: hidden
            [_cell("学生四", "ce3"), _cell(900, "ce2")],            # neither applies: seen
            [_cell("", None, "学生五"), _cell(750)],                # the whole text in 1 pt
            [_cell("学生六", None, "（退学）"), _cell(750)]]        # a part in 1 pt
    body = "".join(f"<table:table-row>{''.join(cells)}</table:table-row>" for cells in rows)
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_NS} office:version="1.2">'
               f"<office:automatic-styles>{_AUTOMATIC}</office:automatic-styles><office:body><office:spreadsheet>"
               f'<table:table table:name="Sheet1"><table:table-column table:number-columns-repeated="2"/>{body}'
               "</table:table></office:spreadsheet></office:body></office:document-content>")
    styles = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-styles {_NS} office:version="1.2">'
              '<office:styles><style:style style:name="Default" style:family="table-cell"><style:text-properties '
              'fo:color="#000000" fo:font-size="11pt" style:font-size-asian="11pt"/></style:style>'
              '<style:style style:name="Hide" style:family="table-cell" style:parent-style-name="Default">'
              '<style:text-properties fo:color="#ffffff"/></style:style></office:styles></office:document-styles>')
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", _MANIFEST, zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        z.writestr("styles.xml", styles, zipfile.ZIP_DEFLATED)
    return path


def test_an_ods_number_format_style_map_and_a_whole_tiny_run_are_read(tmp_path):
    """A data style drawing numbers white; style:map conditions on the cells' styles (no calcext),
    judged by each cell's value; a cell whose only text is a 1 pt span (字号为 1 磅, not 部分文字), and
    one with a 1 pt part (部分文字字号为 1 磅)."""
    (sheet,) = open_sheets(hand_ods(tmp_path / "hand.ods"), look=Rulebook().columns.look)
    assert sorted(set(sheet.invisible)) == [
        (2, 1, "数字格式“[White]0”使字体颜色与单元格底色相同（均为白色）"),
        (3, 0, "条件格式（单元格值等于\"学生三\"）使其字体颜色与单元格底色相同（均为白色）"),
        (3, 1, "条件格式（单元格值大于1000）使其字体颜色与单元格底色相同（均为白色）"),
        (5, 0, "字号为 1 磅，小于 3 磅"),
        (6, 0, "部分文字字号为 1 磅，小于 3 磅")]
    (plain,) = open_sheets(tmp_path / "hand.ods")   # without the rules: no look read
    assert plain.invisible == []
