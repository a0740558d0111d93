"""total.mismatch: a school's own total (合计) disagrees with the records read from its table.

A roster's 合计 row is dropped as not a student, but the amount written on it is the school's own
statement of what it asks for. When it differs from the sum of the amounts read, something is not as
the school meant it: a student's row taken for a note or a blank, a miswritten amount, or a
miswritten total. Which one is not known, so the table is not paid until the school mends it.

A table's whole-table totals are its total rows that begin with a word of the rules'
`rows.grand_total` (合计, 总计; not 一班小计: read.tables keeps only those). Where several are written (a total on each printed page,
then the whole), the table agrees when any of them equals the sum. Nothing is compared for a table
with a record whose amount could not be read (those records are already findings), or whose totals
carry no amount.
"""

from __future__ import annotations

import pandas as pd

from aidctl.core.findings import empty, file_finding
from aidctl.core.money import parse, yuan
from aidctl.read import Roster
from aidctl.rulebook import Rulebook

CODE = "total.mismatch"


def check(roster: Roster, rules: Rulebook) -> pd.DataFrame:
    f = roster.frame
    written = [(i, row, amount, t.columns["amount"].unit) for i, t in enumerate(roster.tables)
               if t.totals and "amount" in t.columns for row, _, amount in t.totals]
    if not written or "amount_fen" not in f.columns:
        return empty()
    totals = pd.DataFrame(written, columns=["table", "excel_row", "amount", "unit"])
    _, stated, ok = parse(totals["amount"].astype("string"), totals["unit"])
    totals = totals.assign(stated=stated.to_numpy())[ok]
    fen = f["amount_fen"].astype("Int64")
    read = pd.DataFrame({"table": f["table"].to_numpy(), "fen": fen.fillna(0).to_numpy(dtype="int64"),
                         "ok": f["amount_ok"].to_numpy(dtype=bool) & fen.notna().to_numpy()}
                        ).groupby("table", as_index=False).agg(records=("ok", "size"), ok=("ok", "all"),
                                                               fen=("fen", "sum"))
    totals = totals.merge(read[read["ok"]], on="table", how="inner")
    totals["agrees"] = totals["stated"].astype("int64") == totals["fen"]
    agreeing = totals.groupby("table")["agrees"].transform("any")
    last = totals[~agreeing].groupby("table").tail(1)   # the bottom total of a table none of whose totals agree
    parts = [file_finding(int(r.table), CODE, "amount", _message(int(r.excel_row), int(r.stated), int(r.fen),
                                                                 int(r.records)))
             for r in last.itertuples(index=False)]
    return pd.concat(parts, ignore_index=True) if parts else empty()


def _message(row: int, written: int, read: int, records: int) -> str:
    return (f"学校在第{row}行填写的合计金额为 {yuan(written)} 元，而本表读取的 {records} 条学生记录金额合计为 "
            f"{yuan(read)} 元，{'多' if read > written else '少'} {yuan(abs(read - written))} 元："
            + ("可能有不应申报的行仍在表中（如已转出或删去的学生、重复的行）" if read > written
               else "可能有学生行没有作为学生读取（被当作空行、备注、签名行或合计行）")
            + "、金额填写有误，或合计填写有误；本表暂不发放，请学校核对后重新提交")
