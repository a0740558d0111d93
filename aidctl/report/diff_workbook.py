"""The rules diff workbook (测算): through the one workbook layer (core.xlsx), IDs and cards masked.

汇总      the rule files compared, the key figures under each version, by programme and by county
按学校    every school's payable records and amounts under each version, with the delta
资格变化  the records whose verdict changes, with the codes and conditions that decided it
金额变化  the records payable under both whose amount changes
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd

from aidctl.core.files import atomic_path
from aidctl.core.masking import DEFAULT
from aidctl.core.money import yuan
from aidctl.core.xlsx import Book, write_table
from aidctl.report.rules_diff import VERDICT_WORDS

TOTAL = "合计"
BASIS_WORDS = {"fixed": "定额", "tier": "按档", "roster": "按花名册金额"}
ORIGIN_WORDS = {"packaged": "内置", "workspace": "工作目录", "new": "新增"}
GROUP_HEADERS = [("记录数", 10), ("现行可发放", 12), ("对比可发放", 12), ("现行金额（元）", 16),
                 ("对比金额（元）", 16), ("增减（元）", 14), ("资格变化", 10), ("金额变化", 10)]


def write_diff_report(diff, target: Path, masking=DEFAULT) -> Path:
    """The four sheets of the module docstring, written to a temporary name and renamed."""
    title = f"资助规则测算（{diff.term}）"
    with atomic_path(target) as tmp:
        wb = Book(tmp, masking, title=title)
        fmt = wb.fmt
        _summary(wb.add_worksheet("汇总"), fmt, diff, title)
        schools = wb.add_worksheet("按学校")
        _group_table(schools, fmt, 0, [("学校", 30), ("县区", 12)], diff.by_school, ["school", "county"])
        _changes(wb, wb.add_worksheet("资格变化"), diff.verdicts, [
            ("文件", 30, "file"), ("工作表", 10, "sheet"), ("行号", 7, "row"), ("学校", 22, "school"),
            ("县区", 10, "county"), ("姓名", 10, "name"), ("身份证号码", 22, "id_number"), ("资助项目", 16, "programme"),
            ("现行", 10, "before"), ("对比", 10, "after"), ("现行金额（元）", 14, "amount_before"),
            ("对比金额（元）", 14, "amount_after"), ("增减（元）", 12, "delta"), ("决定资格的问题", 30, "codes"),
            ("未满足的条件", 40, "conditions")], "资格没有变化的记录。")
        _changes(wb, wb.add_worksheet("金额变化"), diff.amounts, [
            ("文件", 30, "file"), ("工作表", 10, "sheet"), ("行号", 7, "row"), ("学校", 22, "school"),
            ("县区", 10, "county"), ("姓名", 10, "name"), ("身份证号码", 22, "id_number"), ("资助项目", 16, "programme"),
            ("现行金额（元）", 14, "amount_before"), ("对比金额（元）", 14, "amount_after"), ("增减（元）", 12, "delta"),
            ("现行标准", 12, "basis_before"), ("对比标准", 12, "basis_after"), ("现行档次", 8, "tier_before"),
            ("对比档次", 8, "tier_after")], "金额没有变化的记录。")
        wb.close()
    return target


def _summary(sheet, fmt, diff, title: str) -> None:
    sheet.write_string(0, 0, title, fmt["title"])
    t = diff.totals
    sheet.write_string(1, 0, f"生成时间：{datetime.now():%Y-%m-%d %H:%M}；对比规则文件夹：{diff.overlay}；"
                             f"现行规则指纹 {diff.fingerprints['before'][:16]}，对比规则指纹 {diff.fingerprints['after'][:16]}")
    r = write_table(sheet, fmt, 3, [("规则文件", 24), ("替换", 12), ("内容不同", 10), ("路径", 50)],
                    [[x["file"], ORIGIN_WORDS.get(x["replaces"], x["replaces"]), "是" if x["differs"] else "否", x["path"]]
                     for x in diff.replaced])
    for note in diff.notes:
        sheet.write_string(r, 0, f"提醒：{note}")
        r += 1
    r = write_table(sheet, fmt, r + 1, [("项目", 24), ("现行规则", 16), ("对比规则", 16), ("增减", 16)], [
        ["记录数", t["records"], t["records"], 0],
        ["可发放记录", t["payable_before"], t["payable_after"], t["payable_after"] - t["payable_before"]],
        ["资格变化：可发放 → 不予发放", "", t["to_refused"], ""],
        ["资格变化：不予发放 → 可发放", "", t["to_payable"], ""],
        ["金额变化的记录", "", t["amount_changes"], ""],
    ])
    money = fmt["money"]
    sheet.write_string(r, 0, "发放金额（元）", fmt["cell"])
    for j, key in enumerate(("amount_before", "amount_after", "delta"), start=1):
        sheet.write_number(r, j, float(t[key]), money)
    r += 2
    r = _group_table(sheet, fmt, r, [("资助项目", 24)], diff.by_programme, ["programme"])
    _group_table(sheet, fmt, r + 1, [("县区", 24)], diff.by_county, ["county"])
    sheet.header_row = None  # several small tables: no header repeats on this sheet


def _group_table(sheet, fmt, row: int, keys: list[tuple[str, int]], frame: pd.DataFrame, columns: list[str]) -> int:
    """A table by group with a 合计 row; money in yuan as numbers. Returns the row after it."""
    money_cols = {len(keys) + 3, len(keys) + 4, len(keys) + 5}
    rows = []
    for r in frame.to_dict("records"):
        rows.append([*(r[c] for c in columns), r["records"], r["payable_before"], r["payable_after"],
                     yuan(r["amount_before"]), yuan(r["amount_after"]), yuan(r["delta"]),
                     r["verdict_changes"], r["amount_changes"]])
    end = write_table(sheet, fmt, row, [*keys, *GROUP_HEADERS], rows, money_cols)
    sums = [int(frame[c].sum()) for c in ("records", "payable_before", "payable_after", "amount_before",
                                           "amount_after", "delta", "verdict_changes", "amount_changes")]
    sheet.write_string(end, 0, TOTAL, fmt["total"])
    for j in range(1, len(keys)):
        sheet.write_blank(end, j, None, fmt["total"])
    for j, value in enumerate(sums, start=len(keys)):
        if j in money_cols:
            sheet.write_number(end, j, float(yuan(value)), fmt["total_money"])
        else:
            sheet.write_number(end, j, value, fmt["total_int"])
    return end + 1


def _changes(wb, sheet, frame: pd.DataFrame, columns: list[tuple[str, int, str]], empty: str) -> None:
    """One row a record (the bulk path: a new standard may change every record of the term)."""
    fmt = wb.fmt
    if not len(frame):
        sheet.empty(0, empty, fmt["empty"])
        return
    words = VERDICT_WORDS
    kinds, data = [], {}
    for j, (heading, width, key) in enumerate(columns):
        sheet.set_column(j, j, width)
        sheet.write_string(0, j, heading, fmt["head"])
        values = frame[key].reset_index(drop=True)
        if key in ("amount_before", "amount_after", "delta", "row"):
            kinds.append(("number", fmt["money"] if key != "row" else fmt["int"]))
            data[j] = values.astype("string")
            continue
        if key in ("before", "after"):
            values = values.map(lambda v: words.get(v, v))
        elif key.startswith("basis_"):
            values = values.map(lambda v: BASIS_WORDS.get(v, v))
        elif key in ("codes", "conditions"):
            values = values.map(lambda v: "；".join(v) if isinstance(v, list) else v)
        kinds.append(("text", fmt["wrap"] if width >= 30 and key in ("conditions", "codes") else fmt["cell"]))
        data[j] = values.astype("string")
    end = sheet.bulk_table(1, kinds, data)
    sheet.autofilter(0, 0, end - 1, len(columns) - 1)
