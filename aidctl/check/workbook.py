"""The validation report: a workbook a clerk can filter and print (汇总 + 问题清单), through the one
workbook layer (core.xlsx): every ID and card number masked, the sheets print."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd

from aidctl.core.catalogue import SEVERITY_WORDS
from aidctl.core.files import atomic_path
from aidctl.core.findings import CATALOGUE
from aidctl.core.labels import dropped_text, hidden_rows_text, struck_rows_text
from aidctl.core.masking import DEFAULT
from aidctl.core.xlsx import Book, write_table

FINDING_HEADERS = [("文件", 28), ("工作表", 12), ("行号", 7), ("列", 14), ("问题代码", 22),
                   ("严重程度", 9), ("问题", 22), ("说明", 80), ("单元格内容", 22), ("学校", 18),
                   ("姓名", 10)]


def write_validation_report(validation, target: Path, masking=DEFAULT) -> Path:
    """Summary sheet (files, counts by code and school) and a findings sheet with a filter; IDs and
    cards masked in every cell (`masking`: the rules' widths)."""
    rules_term = str(validation.term)
    with atomic_path(target) as tmp:
        wb = Book(tmp, masking, title=f"花名册审核报告（{rules_term}）")
        fmt = wb.fmt
        summary = wb.add_worksheet("汇总")
        s = validation.summary()
        summary.write(0, 0, f"花名册审核报告（{rules_term}）", fmt["title"])
        paid = validation.already_paid
        summary.write(1, 0, f"生成时间：{datetime.now():%Y-%m-%d %H:%M}；受助学生记录 {s['records']} 条，"
                            f"错误 {s['errors']} 个，警告 {s['warnings']} 个"
                            + (f"；本学期已发放 {paid} 条（账本记录，不是学校的错误，不计入错误）" if paid else ""))
        r = write_table(summary, fmt, 3, [("文件", 34), ("工作表", 12), ("表头行", 12), ("记录数", 12),
                                          ("未计入的行", 20), ("隐藏行（已读取）", 12), ("隐藏工作表（未读取）", 20),
                                          ("删除线行（不予发放）", 14)],
                        [[i["file"], i["sheet"], i["header_row"], i["records"],
                          dropped_text(i["dropped"]),
                          i["hidden_rows"] if i["hidden_rows"] is not None else hidden_rows_text(None),
                          "、".join(i["hidden_sheets"]), struck_rows_text(i["struck_rows"])]
                         for i in validation.roster.file_info()])
        for note in validation.notes:
            summary.write(r, 0, f"提醒：{note}")
            r += 1
        r = write_table(summary, fmt, r + 1, [("问题代码", 34), ("问题", 12), ("严重程度", 12), ("数量", 12)],
                        [[code, name, SEVERITY_WORDS.get(severity, severity), int(count)] for code, severity, count, name
                         in validation.by_code()[["code", "severity", "count", "title"]].itertuples(index=False, name=None)],
                        empty="没有发现问题。")
        write_table(summary, fmt, r + 1, [("学校", 34), ("受助学生", 12), ("不予发放", 12), ("错误", 12), ("警告", 12)],
                    [[row[0], *map(int, row[1:])] for row in validation.by_school().itertuples(index=False, name=None)])
        summary.header_row = None  # several small tables: no header repeats on this sheet

        sheet = wb.add_worksheet("问题清单")
        f = validation.findings
        if not len(f):
            sheet.empty(0, "没有发现问题。", fmt["empty"])
            wb.close()
            return target
        for j, (h, width) in enumerate(FINDING_HEADERS):
            sheet.set_column(j, j, width)
            sheet.write_string(0, j, h, fmt["head"])
        titles = {c: t.title for c, t in CATALOGUE.items()}

        def text(col) -> pd.Series:
            return f[col].astype("string").reset_index(drop=True)

        data = [text("file"), text("sheet"), f["row"].astype("Int64").astype("string").reset_index(drop=True),
                text("column").fillna(""), text("code"), text("severity").map(lambda v: SEVERITY_WORDS.get(v, v)),
                text("code").map(titles), text("message"), _value(f), text("school"), text("name")]
        kinds = [("text", fmt["cell"]), ("text", fmt["cell"]), ("number", fmt["int"]), *[("text", fmt["cell"])] * 4,
                 ("text", fmt["wrap"]), ("text", wb.add_format({"border": 1, "num_format": "@"})),
                 ("text", fmt["cell"]), ("text", fmt["cell"])]
        end = sheet.bulk_table(1, kinds, dict(enumerate(data)))
        sheet.autofilter(0, 0, end - 1, len(FINDING_HEADERS) - 1)
        wb.close()
    return target


HIDDEN_BIRTH_DATE = "（不显示：出生日期可补全已隐去的身份证号码）"


def _value(f: pd.DataFrame) -> pd.Series:
    """The cells the findings quote; a 出生日期 cell not shown: beside an ID masked over its birth date
    (the same student's id.* findings), it would give the number back."""
    value = f["value"].astype("string").reset_index(drop=True)
    return value.mask(f["key"].reset_index(drop=True).eq("date_of_birth").fillna(False).to_numpy(), HIDDEN_BIRTH_DATE)
