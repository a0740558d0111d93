"""status.not_enrolled: only students enrolled this term (在籍) may be paid; remark.withdrawn: the
school's own 备注 says the student is not to be paid (已转学, 不予发放); sheet.withdrawn: the name of the
sheet says so of its whole list (作废, 未通过名单); section.withdrawn: a caption row says so of the part
below it; note.colour: a note tells the withdrawn apart by colour, which is not read; pay.declined: the school's 是否发放 column says 否,
or what it says is neither 是 nor 否."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from aidctl.core.findings import build, empty, file_finding
from aidctl.core.text import fold_one
from aidctl.read import Roster
from aidctl.rulebook import Rulebook


def check(roster: Roster, rules: Rulebook) -> pd.DataFrame:
    f = roster.frame
    written = f["status"].notna()
    left = written & (f["v_status"] == "not_enrolled")
    unknown = written & f["v_status"].isna()
    enrolled_words = "、".join(rules.vocabulary.status.enrolled[:3])
    parts = [
        build(left, "status.not_enrolled", "status",
              "学籍状态为“{s}”，不是在籍学生：不得发放，请从名单中删除或说明情况", f["status"], s=f["status"]),
        build(unknown, "status.not_enrolled", "status",
              "学籍状态“{s}”无法识别为在籍（{words}等）：请核实后按规范填写", f["status"], s=f["status"],
              words=enrolled_words),
    ]
    said = f["pay"].notna()
    yes, no = rules.vocabulary.pay_words.paid, rules.vocabulary.pay_words.declined
    pay = rules.columns.tables["roster"].columns["pay"].title
    parts += [
        build(said & (f["v_pay"] == no), "pay.declined", "pay",
              "“{t}”为“{p}”：学校写明本学期不发放该生，本条不予发放；如该生不申请，请从名单中删除该行，"
              "如应发放，请改为“{yes}”", f["pay"], t=pay, p=f["pay"], yes=yes),
        build(said & f["v_pay"].isna(), "pay.declined", "pay",
              "“{t}”为“{p}”，不是“{yes}”或“{no}”：学校是否要发放该生无法确定，本条暂不发放；请改为“{yes}”或“{no}”",
              f["pay"], t=pay, p=f["pay"], yes=yes, no=no),
    ]
    table = f["table"].to_numpy()
    used = np.bincount(table, weights=said.to_numpy(dtype=bool), minlength=len(roster.tables)) > 0
    parts.append(build(~said & used[table], "pay.declined", "pay",
                       "“{t}”为空，而本表其他学生填写了：学校是否要发放该生无法确定，本条暂不发放；请填写“{yes}”或“{no}”",
                       f["pay"], t=pay, yes=yes, no=no))
    words = rules.vocabulary.status.withdrawn_remarks
    with_remark = np.flatnonzero(f["remarks"].notna().to_numpy(dtype=bool))
    parts.append(_withdrawn(f["remarks"].iloc[with_remark], len(f), words, "remarks", "备注“{r}”写有“{w}”"))
    # 张三（已转学）: the remark written in brackets after the name (a few names: one pass in Arrow finds them)
    name = pa.array(f["name"].astype("string[pyarrow]").array)
    bracketed = np.flatnonzero(pc.fill_null(pc.or_(pc.ends_with(name, "）"), pc.ends_with(name, ")")), False)
                               .to_numpy(zero_copy_only=False))
    names = f["name"].iloc[bracketed]
    parts.append(_withdrawn(names.str.extract(r"[（(]([^（()）]*)[)）]$")[0].dropna(), len(f), words, "name",
                            "姓名“{n}”的括注写有“{w}”", n=names))
    parts += _withdrawn_sheets(roster, rules.vocabulary.status.withdrawn_sheets)
    parts += _withdrawn_parts(roster)
    parts += [file_finding(i, "note.colour", None,
                           (f"第{row}行" if row is not None else "表头上方") + f"“{text}”以“{colour}”区分学生，"
                           "而 aidctl 读不出单元格的颜色或字形：哪些学生应发放无法确定，本表暂不发放；请删去不申报的"
                           "学生（或在“备注”列逐行写明）后重新提交")
              for i, t in enumerate(roster.tables) for row, text, colour in t.colour_notes[:1]]
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else empty()


def _withdrawn_sheets(roster: Roster, words: list[str]) -> list[pd.DataFrame]:
    """sheet.withdrawn for each table on a sheet whose name holds one of `words`: a school keeps the
    applicants it turned down, or an old copy, on a sheet of their own (未通过名单, 作废), and the
    sheet's name is all that says so."""
    out = []
    folded = [(w, fold_one(w)) for w in words]
    for i, t in enumerate(roster.tables):
        name = fold_one(t.sheet or "")
        word = next((w for w, f in folded if f and f in name), None)
        if word is not None:
            out.append(file_finding(i, "sheet.withdrawn", None,
                                    f"工作表名称写有“{word}”：学校可能用它存放不申报、未通过或已作废的名单，"
                                    f"其中 {t.records} 名学生是否应发放无法确定，本表暂不发放；如应发放，请把名单移到"
                                    "正式报送的工作表，或改正工作表名称后重新提交"))
    return out


def _withdrawn_parts(roster: Roster) -> list[pd.DataFrame]:
    """section.withdrawn for each record under a caption row that withdraws its part of the table
    (Table.withdrawn_parts: 二、未通过审核学生名单, 以下学生不予资助): a school lists the applicants it
    turned down below those it puts forward, and the caption is all that tells them apart."""
    f = roster.frame
    out = []
    table, row = f["table"].to_numpy(), f["excel_row"].to_numpy()
    for i, t in enumerate(roster.tables):
        for first, last, caption, word in t.withdrawn_parts:
            under = (table == i) & (row > first) & (row <= last)
            out.append(build(under, "section.withdrawn", None,
                             f"本行在第{first}行“{caption}”之下，该行写有“{word}”：学校可能用它标明以下学生不申报、"
                             "未通过或已作废，是否应发放无法确定，本条暂不发放；如应发放，请删去或改正该行说明、"
                             "把这些学生移到正式名单中后重新提交"))
    return out


def _withdrawn(remark: pd.Series, rows: int, words: list[str], column: str, said: str, **parts) -> pd.DataFrame:
    """remark.withdrawn where `remark` (the records that have one, by position among `rows`) holds
    one of `words`: a school that drops a student often says so in 备注, or in brackets after the
    name, instead of deleting the row, and whether the student is still meant is not known. Judged
    once per distinct remark."""
    if not words or remark.empty:
        return empty()
    codes, distinct = pd.factorize(remark)
    found = pd.Series(distinct, dtype="string").str.extract(f"({'|'.join(map(re.escape, words))})")[0]
    word = pd.Series(found.to_numpy(dtype=object)[codes], index=remark.index).dropna()
    mask = np.zeros(rows, dtype=bool)
    mask[word.index.to_numpy()] = True
    return build(mask, "remark.withdrawn", column,
                 said + "，学校说明该生本学期不应发放或已不在校，是否仍应发放无法确定，本条暂不发放；"
                 "如该生仍应受助，请删去这一说明后重新提交，否则请从名单中删除该行", parts.get("n", remark),
                 r=remark, w=word, **parts)
