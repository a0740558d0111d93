"""enlist: an 入伍时间 held as a date cell is read as the sheet shows it, and a header that may matter is
never dropped without a word.

A date cell 2024-03-15 formatted `yyyy` shows the clerk 2024; aidctl read the hidden March and paid
the cap of March (16000), and 2024-10-15 under yyyy"年" the cap of October (20000): what was signed off
(2024, no month) was not what was paid on. Lists carry a title and a 填报单位 line (test_enlist), so
the k-th student (0-based) is on Excel row 4 + k.
"""

from __future__ import annotations

import subprocess
from datetime import datetime

import openpyxl
import pytest
from conftest import needs_soffice, write_roster
from test_enlist import FIRST_ROW, HEAD, TITLE, YEAR, codes, student

HIGH = (30000, 30000)   # above every 本专科 cap: each year is the cap


def enlist_formatted(run, tmp_path, rows, formats, *, headers=HEAD, column="入伍年份", convert=None, name="入伍名单"):
    """The list with `formats` (student index → number format) on the students' `column` cells."""
    path = write_roster(tmp_path / f"{name}.xlsx", rows, headers, above=TITLE)
    wb = openpyxl.load_workbook(path)
    col = headers.index(column) + 1
    for k, fmt in formats.items():
        wb.active.cell(FIRST_ROW + k, col).number_format = fmt
    wb.save(path)
    if convert:   # an .ods or .xls, as LibreOffice saves it
        subprocess.run(["soffice", "--headless", "--convert-to", convert, "--outdir", str(tmp_path), str(path)],
                       check=True, capture_output=True, timeout=180)
        path.unlink()
        path = path.with_suffix(f".{convert}")
    code, doc, err = run("enlist", path.name, "--year", YEAR, "--format", "json", as_json=True)
    assert isinstance(doc, dict), (code, doc, err)
    doc["_exit"] = code
    return doc


def test_a_date_shown_as_its_year_alone_takes_no_hidden_month_where_the_cap_changes(run, tmp_path):
    """2024 changed the cap on 1 September: a date cell shown as 2024 (yyyy, yyyy"年") takes neither
    cap, and the finding says what is shown and what is held; a 2022 date shown as its year (no change
    that year), a 2024 date shown with its month, and one shown as 2024 beside 入伍月份 3 (the clerk saw
    the month there, and it agrees) are read as before."""
    head = [*HEAD, "入伍月份"]
    rows = [student(1, tuition=HIGH, 入学年份=2022, 入伍年份=datetime(2024, 3, 15)),
            student(2, tuition=HIGH, 入学年份=2022, 入伍年份=datetime(2024, 10, 15)),
            student(3, 入学年份=2020, 入伍年份=datetime(2022, 3, 15)),
            student(4, tuition=HIGH, 入学年份=2022, 入伍年份=datetime(2024, 3, 15)),
            student(5, tuition=HIGH, 入学年份=2022, 入伍年份=datetime(2024, 3, 15), 入伍月份=3)]
    doc = enlist_formatted(run, tmp_path, rows, {0: "yyyy", 1: 'yyyy"年"', 2: "yyyy", 3: 'yyyy"年"m"月"', 4: "yyyy"},
                           headers=head)
    assert doc["_exit"] == 1
    first, second, other, shown, month = doc["students"]
    for s, held, fmt, example in ((first, "2024-03-15", "yyyy", "2024年3月15日"),
                                            (second, "2024-10-15", 'yyyy"年"', "2024年10月15日")):
        assert (s["payable"], s["total"], s["enlisted_on"], s["years"]) == (False, None, None, []), s
        [f] = s["findings"]
        assert (f["code"], f["severity"], f["column"]) == ("enlist.invalid", "error", "入伍年份"), f
        assert f"单元格的值为{held}，但数字格式为“{fmt}”，只显示年份、不显示月份" in f["message"], f
        assert "2024-01-01起每学年上限16000.00元，2024-09-01起每学年上限20000.00元" in f["message"], f
        assert f"如“{example}”" in f["message"], f
    assert (other["payable"], other["total"], other["findings"]) == (True, "11700.00", []), other
    assert (shown["payable"], shown["total"], shown["findings"]) == (True, "32000.00", []), shown
    assert (month["payable"], month["total"], month["enlisted_on"], month["findings"]) == \
        (True, "32000.00", "2024-03-15", []), month


def test_a_hidden_month_that_leaves_the_cap_as_it_was_is_read_and_said(run, tmp_path):
    """2013 changed the caps on 20 August, but not 本专科's (6000 before and after): the hidden month
    changes nothing for a 本科 student, who is paid, with a warning saying what is shown and held; a
    硕士 student's cap rose (6000 to 8000): refused."""
    rows = [student(1, 入学年份=2011, 入伍年份=datetime(2013, 3, 15)),
            student(2, tuition=(9000, 9000), 学历层次="硕士研究生", 入学年份=2011, 入伍年份=datetime(2013, 3, 15))]
    doc = enlist_formatted(run, tmp_path, rows, {0: "yyyy", 1: "yyyy"})
    bachelor, master = doc["students"]
    assert (bachelor["payable"], bachelor["total"]) == (True, "11700.00"), bachelor
    [f] = bachelor["findings"]
    assert (f["code"], f["severity"]) == ("enlist.month_unknown", "warning"), f
    assert "单元格的值为2013-03-15" in f["message"] and "不改变该生的上限" in f["message"], f
    assert (master["payable"], master["total"]) == (False, None), master
    assert codes(doc)[1] == ["enlist.invalid"], codes(doc)


def test_a_date_shown_without_its_year_is_refused(run, tmp_path):
    """m"月"d"日" on 入伍时间, m/d on 入学年份: the clerk never saw the year the years and the cap rest on."""
    rows = [student(1, 入学年份=2020, 入伍年份=datetime(2022, 3, 15))]
    doc = enlist_formatted(run, tmp_path, rows, {0: 'm"月"d"日"'})
    [f] = doc["students"][0]["findings"]
    assert (f["code"], f["column"]) == ("enlist.invalid", "入伍年份"), f
    assert "数字格式为“m\"月\"d\"日\"”，不显示年份" in f["message"], f
    rows = [student(1, 入学年份=datetime(2020, 9, 1), 入伍年份=2022)]
    doc = enlist_formatted(run, tmp_path, rows, {0: "m/d"}, column="入学年份", name="入学日期")
    s = doc["students"][0]
    assert (s["payable"], s["total"]) == (False, None), s
    [f] = s["findings"]
    assert (f["code"], f["column"]) == ("enlist.invalid", "入学年份") and "如“2020”" in f["message"], f


def test_the_day_is_read_and_a_month_a_cap_changes_within_takes_no_day(run, tmp_path):
    """The caps of 财教〔2013〕236号 are in force from 2013-08-20: a 硕士 who enlisted on 2013-08-25 (a
    date cell shown in full, or 2013年8月25日) was taken as enlisting on 2013-08-01 and paid the older
    6000 a year instead of 8000. The day is read; 2013年8月 (either side of the 20th), and a date cell
    shown as 2013年8月 (or as 2013 beside 入伍月份 8), take no day; a 本科 student's cap is 6000 on both sides: 2013年8月 is read."""
    master = {"tuition": (9000, 9000), "学历层次": "硕士研究生", "入学年份": 2011}
    rows = [student(1, **master, 入伍年份=datetime(2013, 8, 25)), student(2, **master, 入伍年份="2013年8月25日"),
            student(3, **master, 入伍年份="2013年8月"), student(4, **master, 入伍年份=datetime(2013, 8, 25)),
            student(5, **master, 入伍年份="2013年8月10日"), student(6, 入学年份=2011, 入伍年份="2013年8月"),
            student(7, **master, 入伍年份=datetime(2013, 8, 25), 入伍月份=8)]
    doc = enlist_formatted(run, tmp_path, rows, {3: 'yyyy"年"m"月"', 6: "yyyy"}, headers=[*HEAD, "入伍月份"])
    got = [(s["enlisted_on"], s["total"], s["payable"]) for s in doc["students"]]
    assert got == [("2013-08-25", "16000.00", True), ("2013-08-25", "16000.00", True), (None, None, False),
                   (None, None, False), ("2013-08-10", "12000.00", True), ("2013-08-01", "11700.00", True),
                   (None, None, False)], got
    assert codes(doc) == [[], [], ["enlist.invalid"], ["enlist.invalid"], [], [], ["enlist.invalid"]], codes(doc)
    month, hidden = doc["students"][2]["findings"][0], doc["students"][3]["findings"][0]
    assert "“2013年8月”只写到8月，没有日期" in month["message"], month
    assert "2013-08-01起每学年上限6000.00元，2013-08-20起每学年上限8000.00元" in month["message"], month
    assert "单元格的值为2013-08-25，但数字格式为“yyyy\"年\"m\"月\"”，不显示日期" in hidden["message"], hidden


@needs_soffice
@pytest.mark.parametrize("kind, says", [("ods", "单元格显示为“2024”"), ("xls", "数字格式为“yyyy”")])
def test_an_ods_or_xls_date_shown_as_its_year_alone_is_refused(run, tmp_path, kind, says):
    rows = [student(1, tuition=HIGH, 入学年份=2022, 入伍年份=datetime(2024, 3, 15)),
            student(2, 入学年份=2020, 入伍年份=datetime(2022, 3, 15))]
    doc = enlist_formatted(run, tmp_path, rows, {0: "yyyy", 1: "yyyy-mm-dd"}, convert=kind)
    refused, paid = doc["students"]
    assert (refused["payable"], refused["total"]) == (False, None), refused
    assert f"{says}，只显示年份" in refused["findings"][0]["message"], refused
    assert (paid["payable"], paid["total"], paid["findings"]) == (True, "11700.00", []), paid


def test_headers_that_may_decide_the_payment_are_reported_not_dropped(run, tmp_path):
    """入伍地点, 退役时间, 服役年限, 复学时间, 是否已领取 matched no alias and were dropped without a word."""
    extra = ["入伍地点", "退役时间", "服役年限", "复学时间", "是否已领取", "联系电话"]
    rows = [student(1, **dict.fromkeys(extra, "是"))]
    path = write_roster(tmp_path / "入伍名单.xlsx", rows, [*HEAD, *extra], above=TITLE)
    code, doc, err = run("enlist", path.name, "--year", YEAR, "--format", "json", as_json=True)
    found = [(f["code"], f["severity"], f["column"]) for f in doc["file_findings"]]
    assert found == [("schema.unrecognised_column", "warning", h) for h in extra[:-1]], found
    assert doc["students"][0]["payable"] and code == 0, (code, err)
