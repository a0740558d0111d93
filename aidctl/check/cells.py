"""cell.formula_uncalculated: a cell whose formula has no value saved is never read as empty;
cell.error_value: nor is a cell that holds an error value (#N/A, #DIV/0!, #REF! …);
cell.struck_out: a record whose text is struck out (删除线) is not taken as meant;
cell.number_format: nor is an amount whose number format shows another number than the cell holds;
cell.invisible: nor is a key cell or an amount whose text nobody sees (a font coloured as its fill, or too small).

A file written by a program (openpyxl, a school's own system) and never opened in Excel keeps its
formulas without their results; fastexcel reads such a cell as empty. The reader computes plain
arithmetic (=750, =1500/2) and lists the rest; each listed cell of a record is a finding here, and
the other findings about that same cell are withdrawn (it is not empty: it is not known). An error
value (a VLOOKUP that found nothing, a division by zero, pasted as values or not) is read as empty by
fastexcel and python-calamine alike: the reader lists those cells too, and each is a finding here,
withdrawing the others in the same way. The same withdrawal serves a column that only the record's
programme needs (schema.missing_column on it).

A school that drops a student often strikes the row through rather than deleting it: the text is
still there, only its look says it is withdrawn. Whether the student is meant is not known, so the
record is not paid until the school deletes the row or removes the line.

An amount whose number format shows another number than the cell holds (0!.0, shows 元 as 万元,
#,##0, as thousands, 0% as a percentage, 0.00"万元" a unit the column is not read in) was checked by
the clerk as it shows, and is read as it is held: which was meant is not known (read.numformat).
"""

from __future__ import annotations

import pandas as pd

from aidctl.core.findings import empty, file_finding
from aidctl.read import ERROR_ADVICE, FORMAT_ADVICE, FORMULA_ADVICE, Roster, error_value_words
from aidctl.rulebook import Rulebook

CODE = "cell.formula_uncalculated"
ERROR_CODE = "cell.error_value"
ADVICE = FORMULA_ADVICE
STRUCK = "cell.struck_out"
STRUCK_ADVICE = "如已删去该学生，请删除该行；如仍申报，请取消删除线，再重新提交"
FORMATTED = "cell.number_format"
INVISIBLE = "cell.invisible"
INVISIBLE_ADVICE = ("请将该单元格的字体颜色改为与底色不同（如黑色）、字号改为常规大小，核对表中显示的内容后重新提交；"
                    "如该内容不应填报，请删除")


def check(roster: Roster, rules: Rulebook) -> pd.DataFrame:
    parts = []
    hit = _on_records(roster, "formulas")
    if hit is not None:
        parts.append(_cell_findings(hit, rules, CODE, "是公式“=" + hit["formula"] + "”，文件中没有保存计算结果"
                                    "（文件可能由程序生成、未在 Excel 中打开保存）", ADVICE, "=" + hit["formula"]))
    for i, t in enumerate(roster.tables):
        if t.unplaced_formulas:  # a writer that leaves out cell references: no record can be named
            parts.append(file_finding(i, CODE, None, f"有 {t.unplaced_formulas} 个公式单元格没有保存计算结果，"
                                                     f"且无法确定在哪一行：{ADVICE}"))
    parts += _error_values(roster, rules)
    parts.append(_struck(roster, rules))
    hit = _on_records(roster, "formatted")
    if hit is not None:
        parts.append(_cell_findings(hit, rules, FORMATTED, hit["display"] + "，表中显示的内容与单元格的值（"
                                    + hit["value"].fillna("") + "）不同，以哪个为准无法确定", FORMAT_ADVICE,
                                    hit["value"]))
    for i, t in enumerate(roster.tables):
        if t.unplaced_formatted:
            parts.append(file_finding(i, FORMATTED, None, f"有 {t.unplaced_formatted} 个金额单元格的数字格式使表中显示的数与"
                                                      f"单元格的值不同，且无法确定在哪一行：{FORMAT_ADVICE}"))
    parts += _invisible(roster, rules)
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else empty()


def _on_records(roster: Roster, listed: str) -> pd.DataFrame | None:
    """The cells the tables list in `listed` ("formulas", "errors") that lie on a record, each with
    its record (rec); None where no table lists any."""
    cells = [getattr(t, listed).assign(table=i) for i, t in enumerate(roster.tables) if len(getattr(t, listed))]
    if not cells:
        return None
    recs = roster.frame[["table", "excel_row"]].reset_index(names="rec")
    return pd.concat(cells, ignore_index=True).merge(recs, on=["table", "excel_row"], how="inner")


def _cell_findings(hit: pd.DataFrame, rules: Rulebook, code: str, said: pd.Series, advice: str,
                   value: pd.Series) -> pd.DataFrame:
    """A finding on each listed cell of a record (`hit`, from _on_records): “<column>”<said>, which
    is never read as blank (an amount not replaced by the standard either), and the advice."""
    titles = {k: c.title for k, c in rules.columns.tables["roster"].columns.items()}
    return pd.DataFrame({
        "rec": hit["rec"].astype("int64"),
        "column": hit["key"].astype(object),
        "code": code,
        "message": ("“" + hit["key"].map(titles) + "”" + said + "，aidctl 不把它当作空白"
                    + hit["key"].map({"amount": "，也不按标准金额代替"}).fillna("") + "：" + advice).to_numpy(dtype=object),
        "value": value.astype(object).to_numpy(dtype=object),
    })


def _error_values(roster: Roster, rules: Rulebook) -> list[pd.DataFrame]:
    """cell.error_value on each record's cell that holds an error value, and on the file for those
    that carry no cell reference."""
    parts = []
    hit = _on_records(roster, "errors")
    if hit is not None:
        parts.append(_cell_findings(hit, rules, ERROR_CODE, "是" + hit["value"].map(error_value_words)
                                    + "（公式出错或引用的数据不存在）", ERROR_ADVICE, hit["value"]))
    for i, t in enumerate(roster.tables):
        if t.unplaced_errors:
            parts.append(file_finding(i, ERROR_CODE, None, f"有 {t.unplaced_errors} 个单元格是 Excel 错误值（如 #N/A），"
                                                           f"且无法确定在哪一行，aidctl 不把它们当作空白：{ERROR_ADVICE}"))
    return parts


def _struck(roster: Roster, rules: Rulebook) -> pd.DataFrame:
    """One finding per record with struck-out cells, naming them in the table's column order; one for
    the table where which cells are struck is unknown (an .xls whose records could not be read)."""
    cells = [pd.DataFrame({"table": i, "excel_row": rows, "key": key, "order": order})
             for i, t in enumerate(roster.tables) if t.struck
             for order, (key, rows) in enumerate(sorted(t.struck.items(), key=lambda kv: t.columns[kv[0]].index))]
    parts = [file_finding(i, STRUCK, None, f"有 {t.unplaced_struck} 个单元格有删除线，且无法确定在哪一行："
                                           f"{STRUCK_ADVICE}")
             for i, t in enumerate(roster.tables) if t.unplaced_struck]
    parts += [file_finding(i, STRUCK, None, "该 .xls 文件的格式记录无法读取，看不出哪些单元格有删除线（学校常用删除线表示"
                                           "删去该学生），aidctl 不把它当作没有删除线，本表的记录暂不发放："
                                           "请用 Excel 或 WPS 打开后另存为 .xlsx，再重新提交")
              for i, t in enumerate(roster.tables) if t.struck is None]
    if cells:
        titles = {k: c.title for k, c in rules.columns.tables["roster"].columns.items()}
        recs = roster.frame[["table", "excel_row"]].reset_index(names="rec")
        hit = pd.concat(cells, ignore_index=True).merge(recs, on=["table", "excel_row"], how="inner")
        hit = hit.sort_values(["rec", "order"], kind="stable")
        hit["title"] = "“" + hit["key"].map(titles) + "”"
        by_rec = hit.groupby("rec", sort=True).agg(column=("key", "first"), titles=("title", "、".join))
        parts.append(pd.DataFrame({
            "rec": by_rec.index.to_numpy(dtype="int64"),
            "column": by_rec["column"].to_numpy(dtype=object),
            "code": STRUCK,
            "message": ("本行" + by_rec["titles"] + "有删除线：学校可能已删去该学生，aidctl 不把它当作照常申报，本次不予发放："
                        + STRUCK_ADVICE).to_numpy(dtype=object),
            "value": None,
        }))
    return pd.concat(parts, ignore_index=True) if parts else empty()


def _invisible(roster: Roster, rules: Rulebook) -> list[pd.DataFrame]:
    """cell.invisible on each record's key cell or amount whose text nobody sees (read.styles: a font
    coloured as the cell's fill, or smaller than the rules' `look`), and on the file for such cells
    that carry no reference: the clerk who signed the roster saw an empty cell, the file holds a value."""
    found = [t.invisible.assign(table=i) for i, t in enumerate(roster.tables) if t.invisible is not None]
    if not found:
        return []
    cells = pd.concat(found, ignore_index=True)
    cells = cells[cells["watched"]]   # a name, an ID, a card, an amount, 学籍状态, 备注 …: not 序号 or 班级
    parts = [file_finding(int(i), INVISIBLE, None, f"有 {len(g)} 个单元格{g['said'].iloc[0]}，表中看上去是空白，"
                                                   f"且无法确定在哪一行：{INVISIBLE_ADVICE}")
             for i, g in cells[cells["excel_row"] < 0].groupby("table")]
    recs = roster.frame[["table", "excel_row"]].reset_index(names="rec")
    hit = cells[cells["excel_row"] >= 0].merge(recs, on=["table", "excel_row"], how="inner")
    if len(hit):
        titles = {k: c.title for k, c in rules.columns.tables["roster"].columns.items()}
        value = hit["value"].astype(str)
        shown = value.where(value.str.len() <= 40, value.str.slice(0, 40) + "…")
        # a run of the text hidden (部分文字…): the rest shows; else the cell looks empty
        seen = hit["said"].str.startswith("部分").map({True: "，表中看不到这部分文字", False: "，表中看上去是空白"})
        seen = seen.where(~hit["said"].str.startswith("条件格式可能"), "，表中可能看上去是空白")   # read.conditional.MAYBE
        parts.append(pd.DataFrame({
            "rec": hit["rec"].astype("int64"),
            "column": hit["key"].astype(object),
            "code": INVISIBLE,
            "message": ("“" + hit["key"].map(titles) + "”" + hit["said"] + seen + "，文件中却有内容“" + shown
                        + "”：签字审核的人看到的与文件不同，以哪个为准无法确定，本次不予发放：" + INVISIBLE_ADVICE).to_numpy(dtype=object),
            "value": hit["value"].astype(object).to_numpy(dtype=object),
        }))
    return parts


# A finding of these codes on a record's cell says all there is to say about that cell: the cell
# holds a formula whose value is unknown or an error value, shows another thing than it holds (its
# number format, or text nobody sees), or the record's programme needs a column the table lacks.
COVERING = (CODE, ERROR_CODE, FORMATTED, INVISIBLE, "schema.missing_column")


def withdraw_covered(findings: pd.DataFrame) -> pd.DataFrame:
    """Drop the other findings about a cell that a COVERING finding speaks for: its content is not
    known, so "empty", "not a card" or "not eligible" would be wrong or noise."""
    covering = findings["code"].isin(COVERING).to_numpy() & (findings["rec"] >= 0).to_numpy()
    if not covering.any():
        return findings
    key = findings["rec"].astype("int64").astype(str) + "|" + findings["column"].astype(str)
    covered = key.isin(set(key[covering])).to_numpy()
    return findings[covering | ~covered].reset_index(drop=True)
