"""status.not_enrolled: only students enrolled this term (在籍) may be paid; remark.withdrawn: the
school's own 备注 says the student is not to be paid (已转学, 不予发放); sheet.withdrawn: the name of the
sheet says so of its whole list (作废, 未通过名单); section.withdrawn: a caption row says so of the part
below it; note.colour: a note tells the withdrawn apart by colour, which is not read; pay.declined: the school's 是否发放 column says 否,
or what it says is neither 是 nor 否; remark.unsettled: what a 备注 says beside its harmless words
negates, pauses or doubts the claim (本学期不申请, 待核实); remark.unread: it says something aidctl has
no word for (a warning: paid, for the bureau to read)."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from aidctl.core.findings import build, empty, file_finding
from aidctl.core.text import fold_one
from aidctl.read import Roster
from aidctl.rulebook import Rulebook, StatusWords


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
    parts += _remarks(f["remarks"], rules.vocabulary.status)
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
    return build(mask, "remark.withdrawn", column, said + WITHDRAWN_SAYS, parts.get("n", remark),
                 r=remark, w=word, **parts)


WITHDRAWN_SAYS = ("，学校说明该生本学期不应发放或已不在校，是否仍应发放无法确定，本条暂不发放；"
                  "如该生仍应受助，请删去这一说明后重新提交，否则请从名单中删除该行")


# taken out of a 备注 before it is read: spaces, punctuation (brackets, 、，。/ —) and invisible format
# characters. RE2 (Arrow's regex engine) knows the Unicode classes.
_NOISE = r"[\s\pZ\pP\p{Cf}]+"
# what "…" in a harmless_remarks word stands for: a name (热依拉·艾力: its dot is noise, taken out first)
_NAME = r"\p{Han}{1,8}"


def _remarks(remarks: pd.Series, words: StatusWords) -> list[pd.DataFrame]:
    """Every 备注 read whole, once per distinct remark (Arrow's kernels over the distinct values: no
    Python step a record). Its noise taken out, then its harmless_remarks (the longest first), what
    is left is judged: a withdrawn_remarks word there is remark.withdrawn (error); nothing left, or a
    whole 备注 of blank_remarks, says nothing; an unsettled_remarks word there is remark.unsettled
    (error); anything else is remark.unread (a warning: paid, the bureau reads it). A remark that only
    looked for known words would let 低保户，本学期不申请 (or 与张三重复 beside a harmless word) pass as
    harmless, and say nothing of 家长说下学期再报 at all."""
    codes, distinct = pd.factorize(remarks)
    if not len(distinct):
        return []
    said = pa.array(pd.Series(distinct, dtype="string[pyarrow]").array).cast(pa.large_string())
    squeezed = pc.replace_substring_regex(said, _NOISE, "")
    left = squeezed
    harmless = sorted({_pattern(w) for w in words.harmless_remarks} - {""}, key=lambda p: (-len(p), p))
    if harmless:
        left = pc.replace_substring_regex(left, "|".join(harmless), "")
    withdrawn = _first(left, words.withdrawn_remarks)
    unsettled = _first(left, words.unsettled_remarks)
    nothing = pc.or_(pc.equal(left, ""), pc.is_in(squeezed, pa.array(sorted(_squeezed(words.blank_remarks)),
                                                                       pa.large_string())))
    nothing = nothing.to_numpy(zero_copy_only=False)
    w_word = withdrawn.to_numpy(zero_copy_only=False)
    u_word = unsettled.to_numpy(zero_copy_only=False)
    kind = np.where(w_word != None, 1, np.where(nothing, 0, np.where(u_word != None, 2, 3)))  # noqa: E711
    if not (kind > 0).any():  # the common case: every remark harmless
        return []
    at = np.append(kind, 0).astype(np.int8)[codes]  # (a blank remark's code is -1: the 0 appended)
    flagged = np.flatnonzero((at == 1) | (at == 2))  # the word named, at those records only
    word = pd.Series(np.where(kind == 1, w_word, u_word)[codes[flagged]], index=remarks.index[flagged], dtype=object)
    return [
        build(at == 1, "remark.withdrawn", "remarks",
              "备注“{r}”写有“{w}”" + WITHDRAWN_SAYS, remarks, r=remarks, w=word),
        build(at == 2, "remark.unsettled", "remarks",
              "备注“{r}”写有“{w}”：学校可能在备注中否定、暂缓或尚未确定该生的申报（本学期不申请、待核实……），"
              "是否应发放无法确定，本条暂不发放；如该生应发放，请删去或改正这一说明后重新提交，否则请从名单中删除该行",
              remarks, r=remarks, w=word),
        build(at == 3, "remark.unread", "remarks",
              "备注“{r}”的内容 aidctl 无法识别（不是已知的无碍说明，也没有写明不发放或待定）：本条不因此暂停发放，"
              "请人工核对这一说明是否影响发放；如该生不应发放，请学校删除该行或在备注中写明“不予发放”",
              remarks, r=remarks),
    ]


def _squeezed(words: list[str]) -> set[str]:
    """`words` as a remark is compared with them: folded, their noise (_NOISE's classes) taken out."""
    return {"".join(c for c in fold_one(w) if not (c.isspace() or unicodedata.category(c) in _NOISY))
            for w in words} - {""}


_NOISY = {"Zs", "Zl", "Zp", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Cf"}


def _pattern(word: str) -> str:
    """A harmless word as a regex: its pieces folded as a remark is, "…" (or "...") a name between them."""
    pieces = re.split(r"…|\.\.\.", word)
    return _NAME.join(re.escape(p) for p in (next(iter(_squeezed([p])), "") for p in pieces))


def _first(text: pa.Array, words: list[str]) -> pa.Array:
    """The first of `words` (folded as a remark is) found in each value of `text`, else null."""
    folded = sorted(_squeezed(words), key=lambda w: (-len(w), w))
    if not folded:
        return pa.nulls(len(text), pa.large_string())
    found = pc.extract_regex(text, "(?P<w>" + "|".join(map(re.escape, folded)) + ")")
    return pc.if_else(pc.is_valid(found), pc.struct_field(found, "w"), pa.scalar(None, pa.large_string()))
