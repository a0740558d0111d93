"""The validation report: a workbook a clerk can filter and print (汇总 + 问题清单)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import xlsxwriter

from aidctl.core.files import atomic_path
from aidctl.core.findings import CATALOGUE
from aidctl.core.xlsx import SEVERITY_WORDS

DROPPED = {"blank": "空行", "total": "合计/小计", "signature": "签字/联系人", "note": "注释/标记",
           "marker": "合计/签字/注释", "repeated_header": "重复表头"}
FINDING_HEADERS = [("文件", 28), ("工作表", 12), ("行号", 7), ("列", 14), ("问题代码", 22),
                   ("严重程度", 9), ("问题", 22), ("说明", 80), ("单元格内容", 22), ("学校", 18),
                   ("姓名", 10)]


def write_validation_report(validation, target: Path) -> Path:
    """Summary sheet (files, counts by code and school) and a findings sheet with a filter."""
    rules_term = str(validation.term)
    with atomic_path(target) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, "strings_to_numbers": False,
                                            "strings_to_formulas": False, "strings_to_urls": False})
        title = wb.add_format({"bold": True, "font_size": 14})
        head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
        cell = wb.add_format({"border": 1})
        wrap = wb.add_format({"border": 1, "text_wrap": True, "valign": "top"})
        text_fmt = wb.add_format({"border": 1, "num_format": "@"})

        summary = wb.add_worksheet("汇总")
        summary.set_column(0, 0, 34)
        summary.set_column(1, 6, 12)
        s = validation.summary()
        r = 0
        summary.write(r, 0, f"花名册审核报告（{rules_term}）", title)
        r += 1
        summary.write(r, 0, f"生成时间：{datetime.now():%Y-%m-%d %H:%M}；受助学生记录 {s['records']} 条，"
                            f"错误 {s['errors']} 个，警告 {s['warnings']} 个")
        r += 2
        for j, h in enumerate(["文件", "工作表", "表头行", "记录数", "未计入的行", "隐藏行（已读取）", "隐藏工作表（未读取）"]):
            summary.write(r, j, h, head)
        r += 1
        for item in validation.roster.file_info():
            for j, key in enumerate(["file", "sheet", "header_row", "records"]):
                summary.write(r, j, item[key], cell)
            summary.write(r, 4, "，".join(f"{DROPPED.get(k, k)} {n}" for k, n in item["dropped"].items()), cell)
            summary.write(r, 5, item["hidden_rows"], cell)
            summary.write(r, 6, "、".join(item["hidden_sheets"]), cell)
            r += 1
        if validation.notes:
            r += 1
            for note in validation.notes:
                summary.write(r, 0, f"提醒：{note}")
                r += 1
        r += 1
        for j, h in enumerate(["问题代码", "问题", "严重程度", "数量"]):
            summary.write(r, j, h, head)
        r += 1
        for code, severity, count, name in validation.by_code()[["code", "severity", "count", "title"]] \
                .itertuples(index=False, name=None):
            summary.write_row(r, 0, [code, name, SEVERITY_WORDS.get(severity, severity), int(count)], cell)
            r += 1
        r += 1
        for j, h in enumerate(["学校", "受助学生", "不予发放", "错误", "警告"]):
            summary.write(r, j, h, head)
        r += 1
        for row in validation.by_school().itertuples(index=False, name=None):
            summary.write_row(r, 0, [row[0], *map(int, row[1:])], cell)
            r += 1

        sheet = wb.add_worksheet("问题清单")
        for j, (_, width) in enumerate(FINDING_HEADERS):
            sheet.set_column(j, j, width)
        sheet.freeze_panes(1, 0)
        for j, (h, _) in enumerate(FINDING_HEADERS):
            sheet.write(0, j, h, head)
        f = validation.findings
        cols = ["file", "sheet", "row", "column", "code", "severity", "message", "value", "school", "name"]
        data = f[cols].astype(object).where(f[cols].notna(), None)
        titles = {c: t.title for c, t in CATALOGUE.items()}
        n = 0
        for n, (file, sh, row, col, code, sev, msg, val, school, name) in enumerate(
                data.itertuples(index=False, name=None), start=1):
            sheet.write_string(n, 0, str(file), cell)
            sheet.write_string(n, 1, str(sh), cell)
            if row is None:
                sheet.write_blank(n, 2, None, cell)
            else:
                sheet.write_number(n, 2, int(row), cell)
            sheet.write_string(n, 3, col or "", cell)
            sheet.write_string(n, 4, code, cell)
            sheet.write_string(n, 5, SEVERITY_WORDS.get(sev, sev), cell)
            sheet.write_string(n, 6, titles.get(code, ""), cell)
            sheet.write_string(n, 7, str(msg), wrap)
            sheet.write_string(n, 8, "" if val is None else str(val), text_fmt)
            sheet.write_string(n, 9, "" if school is None else str(school), cell)
            sheet.write_string(n, 10, "" if name is None else str(name), cell)
        sheet.autofilter(0, 0, max(n, 1), len(FINDING_HEADERS) - 1)
        wb.close()
    return target
