"""The term report's workbook: a one-page summary, then by county, school and programme, and the refusals; printable, with charts."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd

from aidctl.core.files import atomic_path
from aidctl.core.money import yuan
from aidctl.core.text import missing
from aidctl.core.xlsx import chart_below
from aidctl.report.term import (
    MONEY,
    OVER_QUOTA_LINES,
    REFUSED_TOP_LINES,
    REGION_WORDS,
    STUDENTS_RULE,
    TOTAL,
    WORDS,
    TermReport,
    pct,
)


def _yuan_number(fen: int) -> float:
    """For a cell: the exact Decimal yuan as Excel's number (shown exactly below 10^13 yuan)."""
    return float(yuan(fen))


def write_workbook(report: TermReport, target: Path, rules) -> Path:
    """汇总 (one printable page), 按县区 (with a column chart), 按学校, 按项目 (with a pie chart),
    不予发放原因; written to a temporary name and renamed."""
    from aidctl.core.xlsx import Book

    with atomic_path(target) as tmp:
        wb = Book(tmp, rules.publicity.masking.masking(), title=f"{report.term_label}学生资助情况报告")
        wb.set_properties({"title": f"{report.term_label}学生资助情况报告", "author": "aidctl",
                           "comments": f"规则指纹 {report.fingerprint}"})
        fmt = _formats(wb)
        summary = wb.add_worksheet("汇总")
        county_sheet = wb.add_worksheet("按县区")
        school_sheet = wb.add_worksheet("按学校")
        programme_sheet = wb.add_worksheet("按项目")
        refused_sheet = wb.add_worksheet("不予发放原因")
        _summary_sheet(summary, fmt, report)
        _county_sheet(wb, county_sheet, fmt, report)
        _school_sheet(school_sheet, fmt, report)
        _programme_sheet(wb, programme_sheet, fmt, report)
        _refused_sheet(refused_sheet, fmt, report)
        summary.activate()
        wb.close()
    return target


def _formats(wb) -> dict:
    base = {"border": 1, "valign": "vcenter"}
    money = "#,##0.00"
    return {
        "title": wb.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"}),
        "subtitle": wb.add_format({"font_size": 10, "align": "center"}),
        "section": wb.add_format({"bold": True, "font_size": 12}),
        "note": wb.add_format({"font_size": 9, "italic": True, "text_wrap": True, "valign": "top"}),
        "line": wb.add_format({"text_wrap": True, "valign": "top"}),
        "warn": wb.add_format({"font_size": 10, "bold": True, "font_color": "#C00000", "text_wrap": True}),
        "head": wb.fmt["head"],
        "text": wb.add_format(base),
        "int": wb.add_format({**base, "num_format": "#,##0"}),
        "money": wb.add_format({**base, "num_format": money}),
        "pct": wb.add_format({**base, "num_format": "0.0%"}),
        "flag": wb.add_format({**base, "bold": True, "font_color": "#C00000", "align": "center"}),
        "pct_over": wb.add_format({**base, "num_format": "0.0%", "bold": True, "font_color": "#C00000",
                                   "bg_color": "#FCE4D6"}),
        "total_text": wb.add_format({**base, "bold": True, "bg_color": "#F2F2F2"}),
        "total_int": wb.add_format({**base, "bold": True, "bg_color": "#F2F2F2", "num_format": "#,##0"}),
        "total_money": wb.add_format({**base, "bold": True, "bg_color": "#F2F2F2", "num_format": money}),
        "total_pct": wb.add_format({**base, "bold": True, "bg_color": "#F2F2F2", "num_format": "0.0%"}),
        "total_blank": wb.add_format({**base, "bg_color": "#F2F2F2"}),
    }


def _cell(sheet, fmt, row: int, col: int, value, kind: str, total: bool = False) -> None:
    """Write one cell: kind is text, int, money (fen), pct (a Decimal per cent) or flag."""
    style = fmt.get(f"total_{kind}", fmt["total_blank"]) if total else fmt[kind]
    if missing(value):
        sheet.write_blank(row, col, None, style)
    elif kind == "money":
        sheet.write_number(row, col, _yuan_number(value), style)
    elif kind == "int":
        sheet.write_number(row, col, int(value), style)
    elif kind == "pct":  # the per cent as shown in JSON (one decimal), as Excel's fraction
        sheet.write_number(row, col, float(Decimal(pct(value)) / 100), style)
    else:
        sheet.write_string(row, col, str(value), style)


def _table(sheet, fmt, top: int, columns: list[tuple[str, str, int]], rows: list[list], total: list | None,
           first_col: int = 0) -> int:
    """A header, the rows and a 合计 row; columns are (heading, kind, width). Returns the next free row."""
    for j, (heading, _, width) in enumerate(columns):
        if width is not None:
            sheet.set_column(first_col + j, first_col + j, width)
        sheet.write_string(top, first_col + j, heading, fmt["head"])
    r = top + 1
    for values in rows:
        for j, ((_, kind, _), v) in enumerate(zip(columns, values)):
            _cell(sheet, fmt, r, first_col + j, v, kind)
        r += 1
    if total is not None:
        for j, ((_, kind, _), v) in enumerate(zip(columns, total)):
            _cell(sheet, fmt, r, first_col + j, v, kind, total=True)
        r += 1
    return r


def _print_setup(sheet, report: TermReport, header_rows: int | None = 0, last_col: int | None = None) -> None:
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.center_horizontally()
    sheet.set_footer(f"&L&8{report.term_label}学生资助情况报告&R&8第 &P 页，共 &N 页")
    if header_rows is not None:
        sheet.repeat_rows(header_rows)
    sheet.fit_to_pages(1, 0)  # one page wide, as long as it takes


MONEY_COLUMNS = [(WORDS["amount"], "money", 15), (WORDS["paid"], "money", 15), (WORDS["sent"], "money", 15),
                 (WORDS["failed"], "money", 13)]


def _money_values(r) -> list:
    return [r["amount"], r["paid"], r["sent"], r["failed"]]


def _totals(frame: pd.DataFrame) -> list:
    return [int(frame[m].sum()) if len(frame) else 0 for m in MONEY]


def _summary_sheet(sheet, fmt, report: TermReport) -> None:
    """One printable A4 page: key figures, refusals by reason, counties, schools over the quota."""
    width = 6
    for col, w in enumerate([34, 26, 16, 16, 16, 16]):
        sheet.set_column(col, col, w)
    sheet.merge_range(0, 0, 0, width - 1, f"{report.term_label}学生资助情况报告", fmt["title"])
    sheet.set_row(0, 28)
    sheet.merge_range(1, 0, 1, width - 1,
                      f"学期：{report.term}　生成时间：{report.generated_at:%Y-%m-%d %H:%M}　"
                      f"规则指纹：{report.fingerprint[:16]}", fmt["subtitle"])
    r = 3
    for note in report.notes:
        _note(sheet, r, width, note, fmt["warn"])
        r += 1
    r += bool(report.notes)

    sheet.write_string(r, 0, "一、发放情况（发放账本）", fmt["section"])
    paid, sent, failed, total = report.group("paid"), report.group("sent"), report.group("failed"), report.all_payments
    failed_only = (f"；另有 {report.students_all_failed} 名学生的付款全部失败（银行退回，待更正卡号后重发），"
                   "不计入受助学生和受助比例") if report.students_all_failed else ""
    _note(sheet, r + 1, width, f"受助学生 {report.students} 人（本学期账本中至少有一笔付款未被银行退回——已入账或"
                                f"待银行确认——的学生，按身份证号码计一次）{failed_only}", fmt["line"])
    rows = [["已入账（银行确认）", paid[0], paid[1]],
            ["已发送、待银行确认（含重发、待发）", sent[0], sent[1]],
            ["失败（银行退回，待更正卡号后重发）", failed[0], failed[1]]]
    r = _table(sheet, fmt, r + 2, [("付款状态", "text", None), ("笔数", "int", None), ("金额（元）", "money", None)],
               rows, [TOTAL, total[0], total[1]])

    r += 1
    sheet.write_string(r, 0, "二、花名册审核：不予发放的主要原因", fmt["section"])
    if report.rosters is None:
        sheet.write_string(r + 1, 0, f"本学期没有花名册（intake/{report.term}/ 为空）。")
        r += 3
    else:
        info = report.rosters
        sheet.write_string(r + 1, 0, f"花名册 {len(info['files'])} 个，记录 {info['records']} 条，"
                                     f"不予发放 {info['refused']} 条（一条记录可有多个原因）")
        by_code = report.refused_by_code
        rows = [[t, c, int(n)] for c, t, n in by_code.head(REFUSED_TOP_LINES).itertuples(index=False, name=None)]
        rest = by_code.iloc[REFUSED_TOP_LINES:]
        if len(rest):
            rows.append([f"其他 {len(rest)} 种原因", "", int(rest["count"].sum())])
        r = _table(sheet, fmt, r + 2, [("原因", "text", None), ("问题代码", "text", None), ("记录数", "int", None)],
                   rows, [TOTAL, "（不予发放的记录数）", info["refused"]])

    r += 1
    sheet.write_string(r, 0, "三、按县区", fmt["section"])
    rows = [[x["county"], x["students"], x["payments"], x["amount"], x["paid"], x["failed"]]
            for x in report.by_county.to_dict("records")]
    r = _table(sheet, fmt, r + 1, [("县区", "text", None), (WORDS["students"], "int", None),
                                   (WORDS["payments"], "int", None), (WORDS["amount"], "money", None),
                                   (WORDS["paid"], "money", None), (WORDS["failed"], "money", None)],
               rows, [TOTAL, report.students, total[0], total[1], paid[1], failed[1]])

    r += 1
    band = REGION_WORDS.get(report.region, report.region)
    sheet.write_string(r, 0, "四、受助比例超出核定比例的学校（供复核）", fmt["section"])
    _note(sheet, r + 1, width, f"受助比例 = 受助学生（付款未全部失败）÷ schools.xlsx 的在校生人数；核定比例见 rules/quotas.yaml"
                                f"（{band}地区），高出 {pct(report.tolerance)} 个百分点以上的学校列于此", fmt["note"])
    over = report.over_quota
    if len(over):
        rows = [[x["school"], x["county"], x["counted"], x["enrolment"], x["share"], x["quota"]]
                for x in over.head(OVER_QUOTA_LINES).to_dict("records")]
        r = _table(sheet, fmt, r + 2, [("学校", "text", None), ("县区", "text", None), ("受助学生", "int", None),
                                       ("在校生人数", "int", None), ("受助比例", "pct", None),
                                       ("核定比例", "pct", None)], rows, None)
        if len(over) > OVER_QUOTA_LINES:
            sheet.write_string(r, 0, f"另有 {len(over) - OVER_QUOTA_LINES} 所，见“按学校”工作表“超出比例”列")
            r += 1
    else:
        sheet.write_string(r + 2, 0, "无")
        r += 3
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.center_horizontally()
    sheet.fit_to_pages(1, 1)
    sheet.print_area(0, 0, r - 1, width - 1)
    sheet.set_footer(f"&L&8aidctl 生成于 {report.generated_at:%Y-%m-%d %H:%M}&R&8规则指纹 {report.fingerprint[:16]}")


def _note(sheet, row: int, width: int, text: str, style) -> None:
    """A note across the page, tall enough for its lines (Excel does not grow merged rows)."""
    sheet.merge_range(row, 0, row, width - 1, text, style)
    lines = -(-len(text) * 2 // 120)  # a CJK character is about two width units; the page is ~124
    if lines > 1:
        sheet.set_row(row, 15 * lines)


def _county_sheet(wb, sheet, fmt, report: TermReport) -> None:
    c = report.by_county
    # 付款全部失败学生 after 失败（元）: the columns before it keep their places (printed, charted)
    columns = [("县区", "text", 16), (WORDS["roster_records"], "int", 10), (WORDS["refused"], "int", 10),
               (WORDS["students"], "int", 10), (WORDS["payments"], "int", 8), *MONEY_COLUMNS,
               (WORDS["students_all_failed"], "int", 10)]
    rows = [[x["county"], x["roster_records"], x["refused"], x["students"], x["payments"], *_money_values(x),
             x["students_all_failed"]] for x in c.to_dict("records")]
    total = [TOTAL, int(c["roster_records"].sum()), int(c["refused"].sum()), report.students,
             report.all_payments[0], *_totals(c), report.students_all_failed]
    end = _table(sheet, fmt, 0, columns, rows, total)
    _table_note(sheet, fmt, end + 1, columns, STUDENTS_RULE + "。")
    sheet.freeze_panes(1, 1)
    _print_setup(sheet, report)
    if report.ledger and rows:
        chart = wb.add_chart({"type": "column", "subtype": "stacked"})
        # the columns 已入账, 待银行确认, 失败 of the table above, stacked: each bar is the county's total
        heads = [h for h, _, _ in columns]
        for j, colour in ((heads.index(WORDS["paid"]), "#548235"), (heads.index(WORDS["sent"]), "#FFC000"),
                          (heads.index(WORDS["failed"]), "#C00000")):
            chart.add_series({"name": ["按县区", 0, j], "categories": ["按县区", 1, 0, len(rows), 0],
                              "values": ["按县区", 1, j, len(rows), j], "fill": {"color": colour}, "gap": 60})
        chart.set_title({"name": f"{report.term_label}各县区资助金额（元）"})
        chart.set_x_axis({"name": "县区"})
        chart.set_y_axis({"name": "金额（元）", "num_format": "#,##0", "major_gridlines": {"visible": True}})
        chart.set_legend({"position": "bottom"})
        chart_below(sheet, chart, end + 2, len(columns))


def _table_note(sheet, fmt, row: int, columns: list[tuple[str, str, int]], text: str) -> None:
    """A note under a table, across its columns and tall enough for its lines (Excel does not grow
    merged rows): what 受助学生 counts (STUDENTS_RULE), how the share is computed."""
    units = sum(width or 8.43 for _, _, width in columns)
    sheet.merge_range(row, 0, row, len(columns) - 1, text, fmt["note"])
    lines = -(-len(text) * 2 // int(units))  # a CJK character is about two width units
    if lines > 1:
        sheet.set_row(row, 13 * lines)


def _school_sheet(sheet, fmt, report: TermReport) -> None:
    s = report.by_school
    columns = [("县区", "text", 12), ("学校", "text", 24), ("学校类型", "text", 8),
               (WORDS["roster_records"], "int", 9), (WORDS["refused"], "int", 9), (WORDS["students"], "int", 9),
               (WORDS["payments"], "int", 7), *MONEY_COLUMNS, (WORDS["students_all_failed"], "int", 9),
               (WORDS["enrolment"], "int", 10),
               (WORDS["share"], "pct", 9), (WORDS["quota"], "pct", 9), (WORDS["over_quota"], "flag", 9)]
    rows = [[x["county"], x["school"], x["school_type"], x["roster_records"], x["refused"], x["students"],
             x["payments"], *_money_values(x), x["students_all_failed"], x["enrolment"], x["share"], x["quota"],
             "是" if x["over_quota"] else ""] for x in s.to_dict("records")]
    enrolled = s["enrolment"].dropna()
    total = [TOTAL, "", "", int(s["roster_records"].sum()), int(s["refused"].sum()), report.students,
             report.all_payments[0], *_totals(s), report.students_all_failed,
             int(enrolled.sum()) if len(enrolled) else None, None, None, None]
    end = _table(sheet, fmt, 0, columns, rows, total)
    share_col = [h for h, _, _ in columns].index(WORDS["share"])
    for i, x in enumerate(s.to_dict("records"), start=1):  # the share of a school over its quota, in red
        if x["over_quota"]:
            _cell(sheet, {"pct": fmt["pct_over"]}, i, share_col, x["share"], "pct")
    sheet.freeze_panes(1, 2)
    if rows:
        sheet.autofilter(0, 0, len(rows), len(columns) - 1)
    band = REGION_WORDS.get(report.region, report.region)
    _table_note(sheet, fmt, end + 1, columns, f"受助比例 = 受助学生（核定比例所计项目中至少有一笔付款未被银行退回的学生）"
                                              f"÷ schools.xlsx 的在校生人数；核定比例见 rules/quotas.yaml（{band}地区），"
                                              f"超出 {pct(report.tolerance)} 个百分点以上在“超出比例”列标“是”，供复核，"
                                              f"不是不予发放的理由。")
    _table_note(sheet, fmt, end + 2, columns, STUDENTS_RULE + "。")
    _print_setup(sheet, report)


def _programme_sheet(wb, sheet, fmt, report: TermReport) -> None:
    p = report.by_programme
    columns = [("资助项目", "text", 20), (WORDS["students"], "int", 10), (WORDS["payments"], "int", 8), *MONEY_COLUMNS,
               (WORDS["students_all_failed"], "int", 10), (WORDS["amount_share"], "pct", 10)]
    rows = [[x["programme"], x["students"], x["payments"], *_money_values(x), x["students_all_failed"],
             x["amount_share"]] for x in p.to_dict("records")]
    total = [TOTAL, report.students, report.all_payments[0], *_totals(p), report.students_all_failed,
             Decimal(100) if report.all_payments[1] else None]
    end = _table(sheet, fmt, 0, columns, rows, total)
    _table_note(sheet, fmt, end + 1, columns, STUDENTS_RULE + "。")
    amount_col = [h for h, _, _ in columns].index(WORDS["amount"])
    sheet.freeze_panes(1, 1)
    _print_setup(sheet, report)
    if report.ledger and rows:
        chart = wb.add_chart({"type": "pie"})
        chart.add_series({"name": "各资助项目金额占比", "categories": ["按项目", 1, 0, len(rows), 0],
                          "values": ["按项目", 1, amount_col, len(rows), amount_col],
                          "data_labels": {"percentage": True, "category": True, "separator": "\n",
                                          "position": "best_fit"}})
        chart.set_title({"name": f"{report.term_label}各资助项目金额占比"})
        chart.set_legend({"position": "right"})
        chart_below(sheet, chart, end + 2, len(columns), height=340)


def _refused_sheet(sheet, fmt, report: TermReport) -> None:
    rows = [[c, t, int(n)] for c, t, n in report.refused_by_code.itertuples(index=False, name=None)]
    refused = report.rosters["refused"] if report.rosters else 0
    end = _table(sheet, fmt, 0, [("问题代码", "text", 26), ("问题", "text", 36), ("不予发放记录数", "int", 14)],
                 rows, [TOTAL, "不予发放的记录（一条记录可有多个原因）", refused])
    note = ("本学期没有花名册，没有不予发放的记录。" if report.rosters is None else
            f"来自 intake/{report.term}/ 的 {len(report.rosters['files'])} 个花名册，按 aidctl disburse 的规则审核；"
            f"每条记录的全部原因见发放审核表（发放审核_*.xlsx）的“不予发放”工作表。")
    sheet.write_string(end + 1, 0, note, fmt["note"])
    sheet.freeze_panes(1, 0)
    _print_setup(sheet, report)
