"""The register's export date: the day its amounts, 还款状态 and 逾期天数 were taken, as a line above
the header writes it (数据截至：2025年1月10日; the labels are rules/loans.yaml export_date_labels).

A sheet gives it or not: one date beside a label, in the rows above the header, is read; none, two
different ones, or a label beside no real date, and the sheet's export date is not known (never taken
from 打印日期, the file's own dates, or the latest date in the register). checks._status_contradicts
judges a 正常 contract owing money with 逾期天数 0 against a date read, checks._days_against_export
any contract owing money whose 逾期天数 and 应还日期 disagree at it; where none is, `unread_notes`
says once, naming the first rows, that such contracts are judged by their 应还日期 at --as-of alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from aidctl.core.dates import cell_dates
from aidctl.loans.register import CLOSED
from aidctl.read import Table

_DATE = r"(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?|\d{8})"


@dataclass(frozen=True)
class Exported:
    """A sheet's export date (None when not known), and why not: "none" or the texts found ("several")."""

    day: pd.Timestamp | None
    label: str | None = None
    found: tuple[str, ...] = ()


def export_dates(tables: list[Table], labels: list[str]) -> list[Exported]:
    """Each table's export date, from the rows above its header."""
    if not labels:
        return [Exported(None) for _ in tables]
    words = "|".join(re.escape(w) for w in sorted(labels, key=len, reverse=True))
    pattern = re.compile(rf"({words})\s*[：:]?\s*(?:为\s*)?{_DATE}")
    out = []
    for t in tables:
        hits = [(m.group(1), re.sub(r"\s+", "", m.group(2))) for line in t.above for m in pattern.finditer(line)]
        if not hits:
            out.append(Exported(None))
            continue
        days = cell_dates(pd.Series([h[1] for h in hits], dtype="string"))
        distinct = set(days.dropna())
        if days.isna().any() or len(distinct) != 1:
            out.append(Exported(None, found=tuple(dict.fromkeys(f"{w}：{d}" for w, d in hits))))
        else:
            out.append(Exported(pd.Timestamp(distinct.pop()), label=hits[0][0]))
    return out


def per_record(frame: pd.DataFrame, dates: list[Exported]) -> pd.Series:
    """Each contract's export date (its sheet's), NaT where not known."""
    days = pd.Series([d.day for d in dates], dtype="datetime64[ns]")   # None: NaT
    return pd.Series(days.reindex(frame["table"].astype("int64")).to_numpy(), index=frame.index, dtype="datetime64[ns]")


def unread_notes(frame: pd.DataFrame, tables: list[Table], labels: list[str], judged: np.ndarray,
                 as_of: date) -> list[str]:
    """The notes, each once, where contracts owing money (neither settled nor repaid by the state)
    are judged by their 应还日期 at `as_of` alone, their sheet giving no export date, so whether the
    word, 逾期天数 and the date contradict each other at the export (checks._status_contradicts,
    checks._days_against_export) is not known:
    - 应还日期 before `as_of`, and 正常 (status_claims current) with 逾期天数 0 or blank, or a word that
      says nothing of the money (还款期, blank …) with 逾期天数 0: judged overdue;
    - 逾期天数 above 0, 应还日期 on or after `as_of`: judged not yet due, off the 催收 list.
    `judged`: the contracts the repayment figures count (the others are listed with their reasons)."""
    due = frame["principal_due_fen"].fillna(0) + frame["interest_due_fen"].fillna(0)
    owing = (due - frame["repaid_fen"].fillna(0) > 0).fillna(False).to_numpy(dtype=bool)
    days = frame["days_overdue_n"]
    zero = days.eq(0).fillna(False).to_numpy(dtype=bool)
    quiet = zero | frame["days_overdue"].isna().to_numpy()
    claim = frame["v_claim"]
    open_ = judged & owing & frame["exported"].isna().to_numpy() & ~frame["v_status"].isin(CLOSED).to_numpy()
    cutoff = pd.Timestamp(as_of)
    past = open_ & (frame["due"] < cutoff).fillna(False).to_numpy(dtype=bool) \
        & (((claim == "current").to_numpy() & quiet) | (claim.isna().to_numpy() & zero))
    ahead = open_ & (days > 0).fillna(False).to_numpy(dtype=bool) & (frame["due"] >= cutoff).fillna(False).to_numpy(dtype=bool)
    if not (past.any() or ahead.any()):
        return []
    dates = export_dates(tables, labels)
    hint = ("若应还日期早于银行导出台账的日期，还款状态和逾期天数与之相互矛盾，是否逾期应由经办银行确认，"
            "这一点无法核对：请向经办银行索取表头注明“数据截至”日期的台账（用语见 rules/loans.yaml export_date_labels）")
    notes = []
    if past.any():
        notes.append(f"台账的数据截至（导出）日期不明：{_sheets(frame, tables, dates, past)}。其中{int(past.sum())}份合同有欠款、"
                     f"应还日期早于截止日{as_of}，而还款状态为正常还款、逾期天数为0或空，或还款状态未说明还款情况（如还款期）、"
                     f"逾期天数为0（{_rows(frame, tables, past)}）：按应还日期认定逾期（逾期天数＝截止日－应还日期）。{hint}")
    if ahead.any():
        notes.append(f"台账的数据截至（导出）日期不明：{_sheets(frame, tables, dates, ahead)}。其中{int(ahead.sum())}份合同有欠款、"
                     f"逾期天数＞0，而应还日期不早于截止日{as_of}（{_rows(frame, tables, ahead)}）：按应还日期认定截止日尚未到期，"
                     "未计入到期应还和逾期，也未列入催收名单。若银行导出台账时应还日期还没到，逾期天数与之相互矛盾"
                     "（应还日期可能是下一期的），是否逾期应由经办银行确认，这一点无法核对："
                     "请向经办银行索取表头注明“数据截至”日期的台账（用语见 rules/loans.yaml export_date_labels）")
    return notes


def _sheets(frame: pd.DataFrame, tables: list[Table], dates: list[Exported], hit: np.ndarray) -> str:
    sheets = []
    for t in sorted(set(frame.loc[hit, "table"].astype(int))):
        d = dates[t]
        why = f"写有{'、'.join(d.found)}，无法确定是哪一天" if d.found else "表头上方没有注明"
        sheets.append(f"{tables[t].file} {tables[t].sheet}（{why}）")
    return "；".join(sheets)


def _rows(frame: pd.DataFrame, tables: list[Table], hit: np.ndarray, shown: int = 5) -> str:
    """The first contracts of `hit` by place and 合同编号, and how many in all beyond them."""
    at = np.flatnonzero(hit)
    rows = frame.iloc[at[:shown]]
    text = "、".join(f"{tables[int(t)].place(int(r))}合同{c if isinstance(c, str) and c else '编号空'}"
                     for t, r, c in zip(rows["table"], rows["excel_row"], rows["contract"]))
    return text + (f"等{len(at)}份" if len(at) > shown else "")
