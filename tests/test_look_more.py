"""Text hidden by a colour the font does not say, or by one merely close to its fill: a number format's
colour section ([White], [Color2]), a conditional format's differential style, text too close to its
fill (WCAG 2.1 contrast ratio below rules/columns.yaml look.contrast_below). Each a cell.invisible on a
key cell; a conditional format that cannot be judged without a formula engine is said to possibly
hide the cell (条件格式可能使其不可见). Each test fails with the reader as it was before: such cells
were read and paid like any other.
"""

from __future__ import annotations

import time
from pathlib import Path

import openpyxl
from conftest import VOC_HEADERS, voc_row, write_roster
from openpyxl.formatting.rule import CellIsRule, FormulaRule, Rule
from openpyxl.styles import Font, PatternFill
from openpyxl.styles.differential import DifferentialStyle
from test_look import TERM, looks, messages, validate

from aidctl.read.workbook import open_sheets
from aidctl.rulebook import Rulebook, packaged_rules_dir

NAME, AMOUNT = 2, VOC_HEADERS.index("资助金额（元）") + 1   # 1-based columns (B, I)


def roster(path: Path, n: int = 8):
    """A roster, header in row 1, records in rows 2..n+1; the open workbook and its sheet."""
    write_roster(path, [voc_row(i) for i in range(1, n + 1)], VOC_HEADERS)
    wb = openpyxl.load_workbook(path)
    return wb, wb.active


def hidden(path: Path) -> dict[tuple[int, int], str]:
    """(row, 0-based column) → what hides it, as the reader with the packaged rules lists it."""
    (sheet,) = open_sheets(path, look=Rulebook().columns.look)
    return {(r, c): why for r, c, why in sheet.invisible}


def test_text_too_close_to_its_fill_is_not_paid(run, tmp_path):
    """#FFFFFE and #F8F8F8 on white, #010101 on black, yellow on white: too close to be read
    (contrast below 1.5:1): cell.invisible, saying the contrast. Grey #808080 (3.9:1), #BFBFBF (1.9:1)
    and red on white are seen."""
    path = tmp_path / "a.xlsx"
    wb, ws = roster(path)
    ws.cell(2, NAME).font = Font(color="FFFFFE")
    ws.cell(3, NAME).font = Font(color="F8F8F8")
    ws.cell(4, NAME).font = Font(color="010101")
    ws.cell(4, NAME).fill = PatternFill("solid", fgColor="000000")
    ws.cell(5, AMOUNT).font = Font(color="FFFF00")
    ws.cell(6, NAME).font = Font(color="808080")
    ws.cell(7, NAME).font = Font(color="BFBFBF")
    ws.cell(8, NAME).font = Font(color="FF0000")
    wb.save(path)
    doc = validate(run, path)
    assert looks(doc) == [(2, "姓名", "cell.invisible"), (3, "姓名", "cell.invisible"), (4, "姓名", "cell.invisible"),
                          (5, "资助金额（元）", "cell.invisible")]
    said = messages(doc)
    assert "字体颜色（#F8F8F8）与单元格底色（白色）几乎相同（对比度 1.06:1，低于 1.5:1）" in said[3]
    assert "（#010101）与单元格底色（黑色）" in said[4] and "表中看上去是空白" in said[2]


def test_a_number_formats_colour_hides_only_the_values_of_its_section(tmp_path):
    """[White]0;[Red]-0 hides a positive amount, not a negative one; 0;[White]-0 hides a negative one
    only; 0;0;0;[White]@ hides a text (a name), not a number; [Color2] is the palette's white;
    [White]0 on a text cell, and [White]0 on a black fill, hide nothing."""
    path = tmp_path / "a.xlsx"
    wb, ws = roster(path)
    for row, fmt, value in [(2, "[White]0;[Red]-0", 750), (3, "[White]0;[Red]-0", -750), (4, "0;[White]-0", 750),
                            (5, "0;[White]-0", -750), (6, "[Color2]0", 750), (7, "[White]0", 750)]:
        ws.cell(row, AMOUNT).value = value
        ws.cell(row, AMOUNT).number_format = fmt
    ws.cell(7, AMOUNT).fill = PatternFill("solid", fgColor="000000")
    ws.cell(2, NAME).number_format = "0;0;0;[White]@"
    ws.cell(3, NAME).number_format = "[White]0"
    wb.save(path)
    found = hidden(path)
    amount = AMOUNT - 1
    assert sorted(found) == [(2, 1), (2, amount), (5, amount), (6, amount)]
    assert found[(2, amount)] == "数字格式“[White]0;[Red]-0”使字体颜色与单元格底色相同（均为白色）"


def _cf(ws, rng: str, rule) -> None:
    ws.conditional_formatting.add(rng, rule)


def test_a_conditional_format_that_hides_text_is_judged_a_cell_at_a_time(run, tmp_path):
    """cellIs equal "学生三" in white: that name only; containsText 学生五: that one; a rule filling the
    amounts black where they are above 790 (800 in row 6) (black text on black); an expression TRUE in white over
    the cards: every card. A red font over every name hides nothing."""
    path = tmp_path / "a.xlsx"
    wb, ws = roster(path)
    white = DifferentialStyle(font=Font(color="FFFFFF"))
    _cf(ws, "B2:B9", CellIsRule(operator="equal", formula=['"学生三"'], font=Font(color="FFFFFF")))
    _cf(ws, "B2:B9", Rule(type="containsText", operator="containsText", text="学生五", dxf=white))
    _cf(ws, "B1:B100", CellIsRule(operator="notEqual", formula=['"x"'], font=Font(color="FF0000")))
    ws.cell(6, AMOUNT).value = 800
    _cf(ws, "I2:I9", Rule(type="cellIs", operator="greaterThan", formula=["790"],
                          dxf=DifferentialStyle(fill=PatternFill("solid", bgColor="FF000000"))))
    _cf(ws, "J5:J6", FormulaRule(formula=["TRUE"], font=Font(color="FFFFFF")))
    wb.save(path)
    doc = validate(run, path)
    assert sorted(looks(doc)) == [(4, "姓名", "cell.invisible"), (5, "银行卡号", "cell.invisible"),
                                  (6, "姓名", "cell.invisible"), (6, "资助金额（元）", "cell.invisible"),
                                  (6, "银行卡号", "cell.invisible")]
    said = messages(doc)
    assert "条件格式（单元格值等于\"学生三\"）使其字体颜色与单元格底色相同（均为白色）" in said[4]


def test_a_conditional_format_on_another_cell_is_said_to_possibly_hide(run, tmp_path):
    """A rule whose formula refers to another cell ($G2="退学": the trick that hides a withdrawn
    student's row) cannot be judged without a formula engine: every key cell of its range that holds
    something is said to be possibly hidden, not paid. On a dark-blue cell, where its white would be
    seen, it says nothing (the cell's own fill is looked at)."""
    path = tmp_path / "a.xlsx"
    wb, ws = roster(path, 3)
    ws.cell(3, NAME).fill = PatternFill("solid", fgColor="1F4E79")
    _cf(ws, "B2:B4", FormulaRule(formula=['$G2="退学"'], font=Font(color="FFFFFF")))
    wb.save(path)
    doc = validate(run, path)
    assert looks(doc) == [(2, "姓名", "cell.invisible"), (4, "姓名", "cell.invisible")]
    said = messages(doc)[2]
    assert "条件格式可能使其不可见" in said and "表中可能看上去是空白" in said and "$G2" in said


def test_a_huge_conditional_range_is_not_expanded(run, tmp_path):
    """A rule over A1:Z500000 on an 8-record roster is judged over the records alone, at once."""
    path = tmp_path / "a.xlsx"
    wb, ws = roster(path)
    _cf(ws, "A1:Z500000", CellIsRule(operator="equal", formula=['"学生三"'], font=Font(color="FFFFFF")))
    wb.save(path)
    assert hidden(path) == {}    # judged by the values, when the table is read (unseen.invisible_cells)
    start = time.perf_counter()
    doc = validate(run, path)
    assert time.perf_counter() - start < 20
    assert looks(doc) == [(4, "姓名", "cell.invisible")]


def test_contrast_below_is_the_rules_and_a_copy_without_it_takes_the_packaged_value(run, tmp_path):
    """A workspace whose look says contrast_below: 1.01 sees #F8F8F8 on white (1.06:1); a copy of
    `look` written before the key takes the packaged 1.5, said aloud."""
    path = tmp_path / "a.xlsx"
    wb, ws = roster(path, 3)
    ws.cell(2, NAME).font = Font(color="F8F8F8")
    wb.save(path)
    text = (packaged_rules_dir() / "columns.yaml").read_text(encoding="utf-8")
    assert "  contrast_below: 1.5\n" in text
    root = tmp_path / "ws"
    (root / "rules").mkdir(parents=True)
    (root / "rules" / "columns.yaml").write_text(text.replace("  contrast_below: 1.5\n", "  contrast_below: 1.01\n"),
                                                 encoding="utf-8")
    assert looks(validate(run, path, "--workspace", root)) == []
    (root / "rules" / "columns.yaml").write_text(text.replace("  contrast_below: 1.5\n", ""), encoding="utf-8")
    doc = validate(run, path, "--workspace", root)
    assert looks(doc) == [(2, "姓名", "cell.invisible")]
    assert any("contrast_below" in n and "按内置规则的值" in n for n in doc["notes"]), doc["notes"]


def test_an_input_read_whole_with_a_conditionally_hidden_cell_stops(run, tmp_path):
    """schools.xlsx-like inputs: a cell a conditional format hides stops the command, as a white one."""
    from test_bad_files import UNCALCULATED, one_line_naming, run_with_the_cell

    case = UNCALCULATED[0] if isinstance(UNCALCULATED, (list, tuple)) else next(iter(UNCALCULATED))

    def change(cell):
        if cell.value in (None, ""):
            cell.value = 1
        cell.parent.conditional_formatting.add(cell.coordinate, FormulaRule(formula=["TRUE"], font=Font(color="FFFFFF")))

    code, out, err, row, column = run_with_the_cell(run, tmp_path / "w", case, change)
    assert code == 2, (case, out, err)
    one_line_naming(err, f"第{row}行", column, "条件格式（公式 TRUE）使其字体颜色与单元格底色相同（均为白色）")


assert TERM
