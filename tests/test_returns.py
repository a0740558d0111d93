"""The correction workbook (退回修改): the school's own workbook, the cells at fault marked and commented,
a first sheet listing the problems; nothing else of the school's workbook changes."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
from conftest import VOC_HEADERS, make_card, make_id, voc_row, write_roster
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

TERM = "2011-autumn"
BAD_ID = make_id(seq=400)[:-1] + ("0" if make_id(seq=400)[-1] != "0" else "1")
BAD_CARD = make_card(seed=7)[:-1] + str((int(make_card(seed=7)[-1]) + 1) % 10)   # Luhn fails: a warning


def styled_roster(path: Path, school: str = "第一职业中学") -> Path:
    """A roster as a school formats it: a 填表说明 sheet first, a merged title, a styled header, widths,
    number formats, a merged note below the data, a formula."""
    wb = openpyxl.Workbook()
    note = wb.active
    note.title = "填表说明"
    note["A1"] = "身份证号码请以文本格式填写"
    note["A1"].font = Font(italic=True, color="FF0000")
    ws = wb.create_sheet("花名册")
    ws.append([f"{school}2011年秋季学期中职国家助学金发放花名册"])
    ws.merge_cells("A1:J1")
    ws["A1"].font = Font(bold=True, size=16)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([f"填报单位：{school}"])
    ws.append(VOC_HEADERS)
    thin = Side(style="thin")
    for c in ws[3]:
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", start_color="D9E1F2", end_color="D9E1F2")
        c.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    rows = [voc_row(1), voc_row(2, 身份证号码=BAD_ID), voc_row(3, 姓名=None), voc_row(4, 银行卡号=BAD_CARD), voc_row(5)]
    for r in rows:
        ws.append([r[h] for h in VOC_HEADERS])
    for row in ws.iter_rows(min_row=4, max_row=8):
        for c in row:
            c.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        row[8].number_format = "#,##0.00"
    ws.append(["合计", None, None, None, None, None, None, None, "=SUM(I4:I8)", None])
    ws.append(["制表人：张老师　　审核人：李校长"])
    ws.merge_cells("A10:J10")
    for col, width in zip("ABCDEFGHIJ", [6, 10, 6, 22, 8, 8, 8, 16, 12, 24]):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A4"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def cell_state(c) -> tuple:
    return (c.value, c.font.b, c.font.i, c.font.sz, c.font.color.rgb if c.font.color else None, c.number_format,
            c.border.left.style, c.fill.fill_type, c.fill.start_color.rgb, c.alignment.horizontal)


def test_each_school_gets_its_own_workbook_back_with_the_cells_marked(run, tmp_path):
    intake = tmp_path / "intake" / TERM
    a = styled_roster(intake / "a.xlsx")
    write_roster(intake / "b.xlsx", [voc_row(i) for i in range(10, 13)], VOC_HEADERS,
                 above=[["第二职业中学2011年秋季学期受助学生名单"]])   # a clean school: nothing to send back
    out = tmp_path / "退回"
    code, doc, err = run("validate", "--term", TERM, "--workspace", tmp_path, "--returns", out, "--format", "json",
                         as_json=True)
    assert code == 1, err
    target = out / f"第一职业中学_{TERM}_退回修改.xlsx"
    assert doc["returns"] == [str(target)] and sorted(p.name for p in out.iterdir()) == [target.name]

    before, after = openpyxl.load_workbook(a), openpyxl.load_workbook(target)
    assert after.sheetnames == ["退回修改说明", *before.sheetnames] and after.active.title == "退回修改说明"
    marked = {(4 + 1, 4): "id.checksum", (4 + 2, 2): "name.missing", (4 + 3, 10): "card.luhn"}
    for name in before.sheetnames:
        old, new = before[name], after[name]
        assert sorted(map(str, old.merged_cells.ranges)) == sorted(map(str, new.merged_cells.ranges))
        assert old.freeze_panes == new.freeze_panes
        assert {k: d.width for k, d in old.column_dimensions.items()} == \
            {k: d.width for k, d in new.column_dimensions.items()}
        assert old.max_row == new.max_row and old.max_column == new.max_column
        for row in old.iter_rows():
            for c in row:
                n = new[c.coordinate]
                if name == "花名册" and (c.row, c.column) in marked:
                    assert n.value == c.value and n.number_format == c.number_format and n.font.b == c.font.b
                    assert n.fill.fill_type == "solid" and n.comment is not None
                else:
                    assert cell_state(n) == cell_state(c), c.coordinate
                    assert n.comment is None, c.coordinate
    sheet = after["花名册"]
    assert "校验位" in sheet["D5"].comment.text and sheet["D5"].fill.start_color.rgb.endswith("FFC7CE")
    assert sheet["J7"].fill.start_color.rgb.endswith("FFEB9C")   # a warning: yellow, not red
    assert sheet["D5"].value == BAD_ID   # the school's own file: nothing masked

    listing = list(after["退回修改说明"].iter_rows(min_row=4, values_only=True))
    assert [(r[1], r[2], r[3]) for r in listing] == [("花名册", 5, "身份证号码"), ("花名册", 6, "姓名"),
                                                     ("花名册", 7, "银行卡号")]
    assert "须更正" in listing[0][5] and "请核对" in listing[2][5] and listing[0][7] == BAD_ID


def test_the_sheet_sent_back_is_read_again_as_the_roster_it_is(run, tmp_path):
    intake = tmp_path / "intake" / TERM
    styled_roster(intake / "a.xlsx")
    out = tmp_path / "退回"
    run("validate", "--term", TERM, "--workspace", tmp_path, "--returns", out)
    back = next(out.iterdir())
    fixed = openpyxl.load_workbook(back)   # the school corrects the cells in place and sends the file again
    fixed["花名册"]["D5"] = make_id(seq=104)
    fixed["花名册"]["B6"] = "学生三"
    fixed.save(back)
    code, doc, err = run("validate", back, "--term", TERM, "--format", "json", as_json=True)
    assert code == 0, doc["findings"]
    assert [f["sheet"] for f in doc["files"]] == ["花名册"] and doc["summary"]["records"] == 5


def test_whole_file_findings_go_to_the_first_sheet_and_csv_gets_an_xlsx_copy(run, tmp_path):
    intake = tmp_path / "intake" / TERM
    headers = [h for h in VOC_HEADERS if h != "银行卡号"]   # a missing column: no cell to mark
    rows = [voc_row(1), voc_row(2, 身份证号码=BAD_ID)]
    lines = ["第三职业中学2011年秋季学期受助学生名单", ",".join(headers)]
    lines += [",".join(str(r[h]) for h in headers) for r in rows]
    (intake).mkdir(parents=True)
    (intake / "c.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "退回"
    code, doc, err = run("validate", "--term", TERM, "--workspace", tmp_path, "--returns", out, "--format", "json",
                         as_json=True)
    target = out / f"第三职业中学_{TERM}_退回修改.xlsx"
    assert doc["returns"] == [str(target)]
    wb = openpyxl.load_workbook(target)
    assert wb.sheetnames == ["退回修改说明", "c"]
    listing = list(wb["退回修改说明"].iter_rows(min_row=4, values_only=True))
    assert listing[0][2] is None and "银行卡号" in listing[0][6]      # the missing column: no row, no cell
    assert wb["c"]["D4"].value == BAD_ID and wb["c"]["D4"].comment is not None
    assert wb["c"]["A1"].value == "第三职业中学2011年秋季学期受助学生名单"


def test_an_xls_roster_gets_an_xlsx_copy_with_its_cells(run, tmp_path):
    xls = Path(__file__).parent / "fixtures" / "roster.xls"
    shutil.copy(xls, tmp_path / "r.xls")
    out = tmp_path / "退回"
    code, doc, err = run("validate", tmp_path / "r.xls", "--term", TERM, "--returns", out, "--format", "json",
                         as_json=True)
    assert doc["findings"]
    made = [Path(p) for p in doc["returns"]]
    assert made and all(p.suffix == ".xlsx" for p in made)
    wb = openpyxl.load_workbook(made[0])
    f = next(f for f in doc["findings"] if f["row"] is not None)
    sheet = wb[f["sheet"]]
    marked = [c for row in sheet.iter_rows(min_row=f["row"], max_row=f["row"]) for c in row if c.comment]
    assert marked and f["message"] in marked[0].comment.text


def test_disburse_writes_them_in_its_output_folder_and_removes_stale_ones(run, tmp_path):
    intake = tmp_path / "intake" / TERM
    a = styled_roster(intake / "a.xlsx")
    code, doc, err = run("disburse", "--term", TERM, "--workspace", tmp_path, "--format", "json", as_json=True)
    folder = tmp_path / "out" / TERM / "退回修改"
    assert doc["returns"] == [f"out/{TERM}/退回修改/第一职业中学_{TERM}_退回修改.xlsx"]
    assert (folder / f"第一职业中学_{TERM}_退回修改.xlsx").is_file()
    # the school corrects its roster: the next run leaves no stale workbook to be mailed
    fixed = openpyxl.load_workbook(a)
    fixed["花名册"]["D5"] = make_id(seq=104)
    fixed["花名册"]["B6"] = "学生三"
    fixed["花名册"]["J7"] = make_card(seed=4)
    fixed.save(a)
    code, doc, err = run("disburse", "--term", TERM, "--workspace", tmp_path, "--format", "json", as_json=True)
    assert doc["returns"] == [] and list(folder.iterdir()) == [] and "已删除" in err
    code, doc, err = run("disburse", "--term", TERM, "--workspace", tmp_path, "--dry-run", "--format", "json",
                         as_json=True)
    assert doc["returns"] == []
