"""cell.formula_uncalculated: a cell whose formula has no value saved is never read as empty.

A file written by a program (openpyxl, a school's own system) and never opened in Excel keeps its
formulas without their results; fastexcel reads such a cell as empty. The reader computes plain
arithmetic (=750, =1500/2) and lists the rest; each listed cell of a record is a finding here, and
the other findings about that same cell are withdrawn (it is not empty: it is not known). The same
withdrawal serves a column that only the record's programme needs (schema.missing_column on it).
"""

from __future__ import annotations

import pandas as pd

from aidctl.core.findings import empty, file_finding
from aidctl.read import FORMULA_ADVICE, Roster
from aidctl.rulebook import Rulebook

CODE = "cell.formula_uncalculated"
ADVICE = FORMULA_ADVICE


def check(roster: Roster, rules: Rulebook) -> pd.DataFrame:
    frame = roster.frame
    parts = []
    cells = [t.formulas.assign(table=i) for i, t in enumerate(roster.tables) if len(t.formulas)]
    if cells:
        found = pd.concat(cells, ignore_index=True)
        recs = frame[["table", "excel_row"]].reset_index(names="rec")
        hit = found.merge(recs, on=["table", "excel_row"], how="inner")
        titles = {k: c.title for k, c in rules.columns.tables["roster"].columns.items()}
        parts.append(pd.DataFrame({
            "rec": hit["rec"].astype("int64"),
            "column": hit["key"].astype(object),
            "code": CODE,
            "message": ("“" + hit["key"].map(titles) + "”是公式“=" + hit["formula"]
                        + "”，文件中没有保存计算结果（文件可能由程序生成、未在 Excel 中打开保存），aidctl 不把它当作空白"
                        + hit["key"].map({"amount": "，也不按标准金额代替"}).fillna("") + "：" + ADVICE
                        ).to_numpy(dtype=object),
            "value": ("=" + hit["formula"]).to_numpy(dtype=object),
        }))
    for i, t in enumerate(roster.tables):
        if t.unplaced_formulas:  # a writer that leaves out cell references: no record can be named
            parts.append(file_finding(i, CODE, None, f"有 {t.unplaced_formulas} 个公式单元格没有保存计算结果，"
                                                     f"且无法确定在哪一行：{ADVICE}"))
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else empty()


# A finding of these codes on a record's cell says all there is to say about that cell: the cell
# holds a formula whose value is unknown, or the record's programme needs a column the table lacks.
COVERING = (CODE, "schema.missing_column")


def withdraw_covered(findings: pd.DataFrame) -> pd.DataFrame:
    """Drop the other findings about a cell that a COVERING finding speaks for: its content is not
    known, so "empty", "not a card" or "not eligible" would be wrong or noise."""
    covering = findings["code"].isin(COVERING).to_numpy() & (findings["rec"] >= 0).to_numpy()
    if not covering.any():
        return findings
    key = findings["rec"].astype("int64").astype(str) + "|" + findings["column"].astype(str)
    covered = key.isin(set(key[covering])).to_numpy()
    return findings[covering | ~covered].reset_index(drop=True)
