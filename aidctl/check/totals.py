"""total.mismatch: a school's own total (合计) disagrees with the records read from its table.

A roster's 合计 row is dropped as not a student, but the amount written on it is the school's own
statement of what it asks for. When it differs from the sum of the amounts read, something is not as
the school meant it: a student's row taken for a note or a blank, a miswritten amount, or a
miswritten total. Which one is not known, so the table is not paid until the school mends it.

A table's whole-table totals are its total rows that begin with a word of the rules'
`rows.grand_total` (合计, 总计; not 一班小计: read.tables keeps only those). Where several are written (a total on each printed page,
then the whole), the table agrees when any of them equals the sum.

The sum is what the table is read as asking for, which is what will be paid: a blank amount (amount.blank,
a warning) counts as the standard paid for it, not as nothing. A finance auditor reconciles what left
the account with the total the school signed for: a 合计 that equals the filled amounts alone says the
blank student was asked nothing, and paying the standard would pay more than the school signed for, so
that table disagrees too (the message says so). Nothing is compared for a table with a record whose
amount could not be read (those records are already findings: amount.invalid) or whose totals carry no
amount that can be read; but records under the table's last 合计 row (students added below the 合计 and
the 制表人/审核人 lines, outside what was signed) are then never paid on trust: the table is
total.mismatch, saying the 合计 cannot vouch for them.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from aidctl.core.findings import empty, file_finding
from aidctl.core.money import parse, yuan
from aidctl.read import Roster
from aidctl.rulebook import Rulebook

CODE = "total.mismatch"
SHOWN_ROWS = 5   # the rows a message lists (then 等 n 条)


def check(roster: Roster, rules: Rulebook, decisions=None) -> pd.DataFrame:
    f = roster.frame
    written = [(i, row, amount, t.columns["amount"].unit) for i, t in enumerate(roster.tables)
               if t.totals and "amount" in t.columns for row, _, amount in t.totals]
    if not written or "amount_fen" not in f.columns:
        return empty()
    totals = pd.DataFrame(written, columns=["table", "excel_row", "amount", "unit"])
    _, stated, readable = parse(totals["amount"].astype("string"), totals["unit"])
    totals = totals.assign(stated=stated.to_numpy(), readable=readable)
    # only the records of the tables that carry a 合计 (a term's other tables cost nothing here)
    rec = f.loc[f["table"].isin(totals["table"].unique()).to_numpy(), ["table", "excel_row", "amount",
                                                                       "amount_fen", "amount_ok"]]
    if not len(rec):
        return empty()
    fen = rec["amount_fen"].astype("Int64")
    blank = rec["amount"].isna().to_numpy()
    filled = ~blank & rec["amount_ok"].to_numpy(dtype=bool) & fen.notna().to_numpy()
    paid = fen.where(filled, pd.NA)
    if blank.any():   # a blank amount is paid the standard (amount.blank): that is what the table asks for
        paid[blank] = _paid_for(roster, rules, rec.index[blank], decisions).to_numpy()
    known = paid.notna().to_numpy()
    last_total = totals.groupby("table")["excel_row"].max()
    below = rec["excel_row"].to_numpy() > rec["table"].map(last_total).to_numpy()
    table = rec["table"].to_numpy()
    per = pd.DataFrame({"table": table, "records": 1, "known": known, "fen": paid.fillna(0).to_numpy(dtype="int64"),
                        "filled": fen.where(filled, 0).fillna(0).to_numpy(dtype="int64"),
                        "blanks": blank & known, "blank_fen": paid.where(blank, 0).fillna(0).to_numpy(dtype="int64"),
                        "below": below, "below_fen": paid.where(below, 0).fillna(0).to_numpy(dtype="int64")}
                       ).groupby("table").agg(records=("records", "size"), known=("known", "all"), fen=("fen", "sum"),
                                              filled=("filled", "sum"), blanks=("blanks", "sum"),
                                              blank_fen=("blank_fen", "sum"), below=("below", "sum"),
                                              below_fen=("below_fen", "sum"))
    rows = rec["excel_row"].to_numpy(dtype=np.int64)
    blank_rows, below_rows = _by_table(rows, table, blank & known), _by_table(rows, table, below)
    totals = totals.join(per, on="table", how="inner")
    comparable = (totals["readable"] & totals["known"]).to_numpy(dtype=bool)
    agrees = comparable & (totals["stated"].fillna(0).astype("int64") == totals["fen"]).to_numpy(dtype=bool)
    by_table = totals.assign(agrees=agrees, comparable=comparable).groupby("table")
    agreeing = by_table["agrees"].transform("any").to_numpy(dtype=bool)
    compared = by_table["comparable"].transform("any").to_numpy(dtype=bool)
    # the bottom total of a table none of whose totals agree; a table none of whose totals can be
    # compared, with records under its last total: that total
    mismatched = totals[comparable & ~agreeing].groupby("table").tail(1)
    unchecked = totals[~compared & (totals["below"] > 0).to_numpy()].groupby("table").tail(1)
    parts = [file_finding(int(r.table), CODE, "amount", _message(
                 int(r.excel_row), int(r.stated), r, blank_rows.get(int(r.table), _NONE),
                 below_rows.get(int(r.table), _NONE))) for r in mismatched.itertuples(index=False)]
    parts += [file_finding(int(r.table), CODE, "amount", _unchecked(
                  int(r.excel_row), below_rows[int(r.table)], bool(r.readable))) for r in unchecked.itertuples(index=False)]
    return pd.concat(parts, ignore_index=True) if parts else empty()


def _paid_for(roster: Roster, rules: Rulebook, recs: pd.Index, decisions=None) -> pd.Series:
    """What each of the records `recs` (blank amounts) is paid: the standard of its programme in force,
    from the decision record the eligibility check made (`decisions`; without it, decided for these few
    records only), NA where none is known: the record is then amount.invalid or unknown, and the table
    is not compared."""
    if decisions is not None:
        return decisions.frame["amount_fen"].loc[recs].astype("Int64")
    from aidctl.check.eligibility import decide

    return decide(replace(roster, frame=roster.frame.loc[recs]), rules).frame["amount_fen"].astype("Int64")


_NONE = np.zeros(0, dtype=np.int64)


def _by_table(rows: np.ndarray, table: np.ndarray, where: np.ndarray) -> dict[int, np.ndarray]:
    """The Excel rows where `where` holds, by table (the few blank or misplaced records only)."""
    if not where.any():
        return {}
    return {int(t): r.to_numpy(dtype=np.int64) for t, r in pd.Series(rows[where]).groupby(table[where])}


def _rows(rows: np.ndarray) -> str:
    shown = "、".join(str(r) for r in rows[:SHOWN_ROWS].tolist())
    return f"第{shown}行" + (f"等 {len(rows)} 条" if len(rows) > SHOWN_ROWS else "")


def _message(row: int, written: int, p, blank_rows: np.ndarray, below_rows: np.ndarray) -> str:
    read, records = int(p.fen), int(p.records)
    out = f"学校在第{row}行填写的合计金额为 {yuan(written)} 元，而本表读取的 {records} 条学生记录金额合计为 {yuan(read)} 元"
    if len(blank_rows):
        out += (f"（其中{_rows(blank_rows)}资助金额为空，按标准计 {yuan(int(p.blank_fen))} 元，"
                f"已填写的金额合计 {yuan(int(p.filled))} 元）")
    out += f"，{'多' if read > written else '少'} {yuan(abs(read - written))} 元："
    if len(blank_rows) and int(p.filled) == written:
        out += ("合计与已填写的金额相符，即学校没有把资助金额为空的学生计入合计（可能不打算资助他们），"
                "而按标准发放将超出学校签报的合计；请删除这些学生，或填写其金额并更正合计")
    else:
        out += ("可能有不应申报的行仍在表中（如已转出或删去的学生、重复的行）" if read > written
                else "可能有学生行没有作为学生读取（被当作空行、备注、签名行或合计行）") + "、金额填写有误，或合计填写有误"
    if len(below_rows):
        out += (f"；合计以下还有 {len(below_rows)} 条学生记录（{_rows(below_rows)}）"
                + ("，多出的正是这些记录的金额" if read - written == int(p.below_fen) else "")
                + "：合计和签字之下的行不在学校审核签报的范围内")
    return out + "；本表暂不发放，请学校核对后重新提交"


def _unchecked(row: int, below_rows: np.ndarray, total_readable: bool) -> str:
    why = ("本表有资助金额无法读取（或为空而无标准金额）的记录，合计无法核对" if total_readable
           else "合计行的金额为空或无法读取，无法核对")
    return (f"第{row}行合计以下还有 {len(below_rows)} 条学生记录（{_rows(below_rows)}），而{why}：合计和制表人、"
            "审核人签字之下的行不在学校审核签报的范围内，可能是事后补加的学生；本表暂不发放，请学校把全部学生"
            "列在合计行之上、核对合计后重新提交")
