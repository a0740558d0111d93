"""Number formats that show another number than the cell holds (read.numformat), and what the
roster check and the readers of whole sheets make of them (cell.number_format, exit 2)."""

from __future__ import annotations

import zipfile

import openpyxl
import pytest
from conftest import VOC_HEADERS, needs_soffice, saved_by_libreoffice, voc_row
from test_checks import assert_finding, check, dry_run, found, roster
from test_extraction import HEAD, school, sheet

from aidctl.read.numformat import DIFFERENT, display, display_of_text, number_formats


@pytest.mark.parametrize("code, change", [
    ("#,##0,", "缩小1,000倍显示"), ("0.0,,", "缩小1,000,000倍显示"), ('#,##0,"千"', "缩小1,000倍显示"),
    ("0!.0000", "在数字中间插入文字（如小数点）"), ('0"."0000', "在数字中间插入文字（如小数点）"),
    ("0\\.0000", "在数字中间插入文字（如小数点）"), ("0!.0,", "在数字中间插入文字（如小数点）、缩小1,000倍显示"),
    ('[>=10000]0!.0,"万";0', "在数字中间插入文字（如小数点）、缩小1,000倍显示"),
    ("0%", "放大100倍显示为百分数"), ("0.00%", "放大100倍显示为百分数"), ("# ?/?", "显示为分数"),
    ("yyyy/m/d", "显示为日期或时间"), ('yyyy"年"m"月"d"日"', "显示为日期或时间"), ("h:mm:ss", "显示为日期或时间"),
    (";;;", "不显示数值"), ("0.00;-0.00;0.00%", "放大100倍显示为百分数"),
])
def test_a_format_that_shows_another_number_says_how(code, change):
    assert display(code).change == change


@pytest.mark.parametrize("code", ["General", "0", "0.00", "#,##0", "#,##0.00", "0_ ", "0.00E+00", "0.00e-00",
                                  "#,##0.00_);[Red](#,##0.00)", "[Red]#,##0.00;-#,##0.00", "¥#,##0.00",
                                  '_(¥* #,##0.00_);_(¥* (#,##0.00);_(¥* "-"??_);_(@_)', "[DBNum1][$-804]General",
                                  "0.00;;", "@", '0.00;-0.00;0.00;"万元"@'])
def test_a_format_that_shows_the_number_changes_nothing(code):
    """Thousands separators, decimals, currency signs, padding, colours, scientific, Chinese numerals:
    the number shown is the number held (a comma between digits groups them; only one after a
    section's last digit scales), and the fourth section, for text, is not a number's."""
    found_ = display(code)
    assert found_ is None or found_.change is None and not any(ch.isalpha() for ch in found_.literal), found_


def test_a_unit_written_beside_the_number_is_kept_for_the_column_to_judge():
    assert display('0.00"万元"').literal == "万元" and display('0.00"万元"').change is None
    assert display('#,##0.00"元"').literal == "元"


@pytest.mark.parametrize("value, text, change, literal", [
    ("12345678", "12,346", DIFFERENT, ""), ("12345678", "12345!.7", DIFFERENT, "!.7"),
    ("12345678", "2038/3/14", DIFFERENT, "/3/14"), ("12345678", "", "不显示数值", ""),
    ("12345678", "12345678.00万元", None, "万元"), ("0.75", "75%", "放大100倍显示为百分数", ""),
])
def test_an_ods_cell_shows_another_number_than_it_holds(value, text, change, literal):
    found = display_of_text(value, text, percentage=text.endswith("%"))
    assert (found.change, found.literal) == (change, literal)


@pytest.mark.parametrize("value, text", [("12345678", "12345678.00"), ("12345678", "12,345,678"),
                                         ("750.4", "750"), ("750.5", "751"), ("-750", "-750.00"),
                                         ("750", "¥750.00")])
def test_an_ods_cell_that_shows_its_number_says_nothing(value, text):
    """Thousands separators, decimals, a sign, a currency sign: the number held, rounded to the
    decimals shown (as an .xlsx format's rounding is not told either)."""
    found = display_of_text(value, text)
    assert found is None or (found.change is None and not any(ch.isalpha() for ch in found.literal)), found


def test_the_workbooks_styles_name_the_formats_that_show_another_number(tmp_path):
    wb = openpyxl.Workbook()
    codes = ["General", "0.00", "#,##0,", "0!.0,", '0.00"万元"', "0%", "¥#,##0.00", "yyyy/m/d"]
    for i, code in enumerate(codes, start=1):
        wb.active.cell(i, 1, 1234567).number_format = code
    wb.save(tmp_path / "a.xlsx")
    styles = zipfile.ZipFile(tmp_path / "a.xlsx").read("xl/styles.xml")
    assert sorted(f.code for f in number_formats(styles).values()) == sorted(["#,##0,", "0!.0,", '0.00"万元"', "0%",
                                                                             "yyyy/m/d"])
    plain = openpyxl.Workbook()
    plain.active["A1"] = 1
    plain.save(tmp_path / "b.xlsx")
    assert number_formats(zipfile.ZipFile(tmp_path / "b.xlsx").read("xl/styles.xml")) == {}


AMOUNT = VOC_HEADERS.index("资助金额（元）") + 1


def _formatted_roster(tmp_path, formats: dict[int, str], amounts: dict[int, object] | None = None,
                      column: int = AMOUNT):
    """a.xlsx of four students (rows 4–7), the cells of `column` on the rows given in `formats` so
    formatted (and holding `amounts` where given)."""
    path = roster(tmp_path, [voc_row(i) for i in range(1, 5)])
    wb = openpyxl.load_workbook(path)
    for row, code in formats.items():
        cell = wb.active.cell(row, column)
        cell.number_format = code
        if amounts and row in amounts:
            cell.value = amounts[row]
    wb.save(path)
    return path


def test_an_amount_shown_as_another_number_is_an_error_on_its_record_and_not_paid(tmp_path, run):
    """7,500,000 held in 元 and shown as 750.0 (万元) by 0!.0, ; 750 shown with 万元 beside it under
    资助金额（元）; 0.75 shown as 75%: each the clerk checked as shown, each held otherwise: not paid.
    ¥ and 元 written beside the amount of a column read in 元, and a plain 0.00, say nothing."""
    path = _formatted_roster(tmp_path, {4: "0!.0,", 5: '0.00"万元"', 6: '¥#,##0.00"元"', 7: "0.00"},
                             {4: 7_500_000})
    doc = check(run, path.name, expect_exit=1)
    hits = sorted(found(doc, "cell.number_format"), key=lambda f: f["row"])
    assert [f["row"] for f in hits] == [4, 5], hits
    assert_finding(hits[0], code="cell.number_format", severity="error", row=4, column="资助金额（元）",
                   says=("“0!.0,”", "在数字中间插入文字", "缩小1,000倍显示", "（7500000）", "常规"))
    assert_finding(hits[1], code="cell.number_format", severity="error", row=5, column="资助金额（元）",
                   says=("“万元”", "与该列读取的金额单位不符"))
    # the cell says all there is to say about that amount: not also a non-standard amount
    assert [f["code"] for f in doc["findings"] if f["row"] == 4] == ["cell.number_format"], doc["findings"]
    code, plan, err = dry_run(run, tmp_path, path)
    assert sorted(p["row"] for p in plan["payments"]) == [6, 7], (code, err)


def test_a_format_on_text_or_on_a_column_that_is_not_money_says_nothing(tmp_path, run):
    """A text amount ("750") under 0!.0, shows as held; an ID column's own format is no amount's."""
    path = _formatted_roster(tmp_path, {4: "0!.0,"}, {4: "750"})
    wb = openpyxl.load_workbook(path)
    wb.active.cell(5, 1 + VOC_HEADERS.index("序号")).number_format = "0%"
    wb.save(path)
    assert found(check(run, path.name, expect_exit=0), "cell.number_format") == []


@pytest.mark.parametrize("code, said", [("0!.0,", "缩小1,000倍显示"), ("#,##0,", "缩小1,000倍显示"),
                                        ('0.00"万元"', "在数字旁显示“万元”"), ("0%", "放大100倍显示为百分数")])
def test_a_finance_figure_shown_as_another_number_stops_audit_extraction(run, tmp_path, code, said):
    """事业收入 held as 12345678 元 and shown as 1234.6 (万元): read as held, a sheet headed （万元）
    would be ten thousand times too large, one headed （元） disagrees with what the clerk saw: exit 2,
    naming the row, the column and what the format does."""
    path = sheet(tmp_path / "finance.xlsx", [school(income=12_345_678, extracted=617_284)], HEAD)
    wb = openpyxl.load_workbook(path)
    wb.active.cell(3, 1 + HEAD.index("事业收入（元）")).number_format = code
    wb.save(path)
    code_, doc, err = run("audit-extraction", path, "--format", "json", "--workspace", tmp_path, as_json=True)
    assert code_ == 2 and doc == "", (code_, doc)
    assert "第3行" in err and "事业收入（元）" in err and said in err and "12345678" in err and "常规" in err, err


@needs_soffice
@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_an_amount_shown_as_another_number_in_files_libreoffice_writes(tmp_path, run, kind):
    """The same amounts saved by LibreOffice: an .xls keeps the format's code (FORMAT and XF
    records), an .ods the text each cell shows beside its number; either way the amount shown as
    thousands, with 万元 beside it, or as a percentage is cell.number_format and not paid, and ¥…元
    or 0.00 under a column read in 元 say nothing."""
    src = tmp_path / "src"
    src.mkdir()
    _formatted_roster(src, {4: "#,##0,", 5: '0.00"万元"', 6: "0%", 7: '¥#,##0.00"元"'}, {4: 7_500_000})
    saved_by_libreoffice(src / "a.xlsx", kind, tmp_path)
    doc = check(run, f"a.{kind}", expect_exit=1)
    hits = sorted(found(doc, "cell.number_format"), key=lambda f: f["row"])
    assert [(f["row"], f["column"]) for f in hits] == [(4, "资助金额（元）"), (5, "资助金额（元）"), (6, "资助金额（元）")], \
        doc["findings"]
    assert "7500000" in hits[0]["message"] and "万元" in hits[1]["message"] and "百分数" in hits[2]["message"], hits
    code, plan, err = dry_run(run, tmp_path / "ws", tmp_path / f"a.{kind}")
    assert sorted(p["row"] for p in plan["payments"]) == [7], (code, err)


# --- words instead of the number or beside it; a record's key cell hidden or added to -----------------

@pytest.mark.parametrize("code, text_shows", [
    ('@"（已退学）"', "在文字旁显示“（已退学）”"), (";;;", "不显示文字"), ('0;-0;0;"已退学"', "不显示文字，只显示“已退学”"),
    ('0.00;-0.00;0.00;"万元"@', "在文字旁显示“万元”"), ("@", None), ("0.00;;", None), ('0"（暂缓发放）"', None),
    ('_(¥* #,##0.00_);_(¥* (#,##0.00);_(¥* "-"??_);_(@_)', None),
])
def test_the_text_section_says_what_a_text_cell_shows(code, text_shows):
    """The fourth section (or a lone one holding @) is a text cell's: without @ it hides the text,
    with words beside @ it adds them; padding beside @ says nothing, and a format without one shows
    text as it is."""
    found_ = display(code)
    assert (found_.text_shows if found_ else None) == text_shows


def test_a_format_of_words_alone_shows_no_number():
    """"不发放" shows 不发放 whatever the cell holds: no number at all, as ;;; shows nothing."""
    assert display('"不发放"').change == "不显示数值" and display('"不发放"').literal == "不发放"
    assert display('0"（暂缓发放）"').change is None and display('0"（暂缓发放）"').literal == "（暂缓发放）"


def test_an_amount_shown_with_words_or_as_words_is_an_error_and_not_paid(tmp_path, run):
    """750 shown as 不发放 (format "不发放"), as 750（暂缓发放） and as 750.00元整 was paid 750.00: what
    the clerk saw is no plain amount. ¥/人民币 and 元 beside a column read in 元 say nothing."""
    path = _formatted_roster(tmp_path, {4: '"不发放"', 5: '0"（暂缓发放）"', 6: '0.00"元整"', 7: '"人民币"#,##0.00"元"'})
    doc = check(run, path.name, expect_exit=1)
    hits = sorted(found(doc, "cell.number_format"), key=lambda f: f["row"])
    assert [f["row"] for f in hits] == [4, 5, 6], doc["findings"]
    assert_finding(hits[0], code="cell.number_format", severity="error", row=4, column="资助金额（元）",
                   says=("不显示数值", "“不发放”", "（750）"))
    assert "“（暂缓发放）”" in hits[1]["message"] and "“元整”" in hits[2]["message"], hits
    code, plan, err = dry_run(run, tmp_path, path)
    assert sorted(p["row"] for p in plan["payments"]) == [7], (code, err)


def test_a_key_number_cell_a_format_hides_is_an_error_and_not_paid(tmp_path, run):
    """An old 15-digit ID typed as a number (intact: only id.legacy) and formatted ;;; shows the clerk
    an empty cell: cell.number_format on its record, not paid; 序号 formatted ;;; says nothing."""
    path = _formatted_roster(tmp_path, {5: ";;;"}, {5: 420102950312201}, column=1 + VOC_HEADERS.index("身份证号码"))
    wb = openpyxl.load_workbook(path)
    wb.active.cell(6, 1 + VOC_HEADERS.index("序号")).number_format = ";;;"
    wb.save(path)
    doc = check(run, path.name, expect_exit=1)
    hit = found(doc, "cell.number_format")
    assert [(f["row"], f["column"]) for f in hit] == [(5, "身份证号码")], doc["findings"]
    assert "不显示单元格的内容" in hit[0]["message"], hit
    code, plan, err = dry_run(run, tmp_path, path)
    assert sorted(p["row"] for p in plan["payments"]) == [4, 6, 7], (code, err)


def test_a_key_text_cell_a_format_hides_or_adds_to_is_an_error_and_not_paid(tmp_path, run):
    """The name formatted @"（已退学）" shows 学生1（已退学）: typed, it is remark.withdrawn; a card
    typed as text and formatted ;;; shows nothing. Each is cell.number_format and not paid."""
    path = _formatted_roster(tmp_path, {4: '@"（已退学）"'}, column=1 + VOC_HEADERS.index("姓名"))
    wb = openpyxl.load_workbook(path)
    wb.active.cell(5, 1 + VOC_HEADERS.index("银行卡号")).number_format = ";;;"
    wb.save(path)
    doc = check(run, path.name, expect_exit=1)
    hits = sorted(found(doc, "cell.number_format"), key=lambda f: f["row"])
    assert [(f["row"], f["column"]) for f in hits] == [(4, "姓名"), (5, "银行卡号")], doc["findings"]
    code, plan, err = dry_run(run, tmp_path, path)
    assert sorted(p["row"] for p in plan["payments"]) == [6, 7], (code, err)
