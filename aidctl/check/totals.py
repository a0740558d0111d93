"""total.mismatch: a school's own total (合计) disagrees with the records read from its table.

A roster's 合计 row is dropped as not a student, but the amount written on it is the school's own
statement of what it asks for. When it differs from the sum of the amounts read, something is not as
the school meant it: a student's row taken for a note or a blank, a miswritten amount, or a
miswritten total. Which one is not known, so the table is not paid until the school mends it.

A table's whole-table totals are its total rows that begin with a word of the rules'
`rows.grand_total` (合计, 总计; not 一班小计: read.tables keeps only those). Where several are written (a total on each printed page,
then the whole), the table agrees when any of them equals the sum.

A sheet may hold parts, each under its own header (read.tables.extract_parts: a 补报 part under a header
naming a 班级 column more), each a table of its own. A 合计 written under a part that another part follows
is that part's. One under a later part may be that part's or the whole sheet's, the parts above it
included: it agrees when it equals either sum, each record counted in fen as read under its own part's
header (元 above, 万元 below), and one that equals all the parts vouches for the parts above it too.
Which it is is not guessed: when it equals neither, its part is total.mismatch naming both sums, and so
is each part above it with no total of its own that agrees (nothing vouches for it). Where a record of a
part above cannot be read, the sum of all is not known: a total that does not equal its own part is
then not held against the records (students under it are still not paid on trust, below).

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

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from aidctl.core.findings import empty, file_finding
from aidctl.core.money import parse, yuan
from aidctl.read import Roster
from aidctl.rulebook import Rulebook

CODE = "total.mismatch"
SHOWN_ROWS = 5   # the rows a message lists (then 等 n 条)


@dataclass
class _Sums:
    """What a set of records of one table, or of the parts of a sheet together, is read as asking for."""

    records: int
    known: bool           # every amount known (read, or a blank's standard), and the table has the column
    fen: int              # what is paid (a blank counted at its standard), exact
    filled: int           # the amounts filled alone
    blank_fen: int
    blank_rows: np.ndarray
    below_fen: int
    below_rows: np.ndarray


def check(roster: Roster, rules: Rulebook, decisions=None) -> pd.DataFrame:
    f, tables = roster.frame, roster.tables
    written = [(i, row, amount, t.columns["amount"].unit) for i, t in enumerate(tables)
               if t.totals and "amount" in t.columns for row, _, amount in t.totals]
    if not written or "amount_fen" not in f.columns:
        return empty()
    totals = pd.DataFrame(written, columns=["table", "excel_row", "amount", "unit"])
    _, stated, readable = parse(totals["amount"].astype("string"), totals["unit"])
    totals = totals.assign(stated=stated.to_numpy(), readable=readable)
    above = _parts_above(tables, set(totals["table"].tolist()))
    covered = sorted(set(totals["table"].tolist()).union(*above.values()))
    # only the records of the tables that carry a 合计, and of the parts of their sheets above them (a
    # term's other tables cost nothing here)
    rec = f.loc[f["table"].isin(covered).to_numpy(), ["table", "excel_row", "amount", "amount_fen", "amount_ok"]]
    sums = _sums(roster, rules, decisions, rec, totals, covered)
    agree: dict[int, bool] = {}
    compared: dict[int, bool] = {}
    bottom: dict[int, tuple] = {}      # the bottom total of a table that can be compared: row, stated, both sums
    vouched: set[int] = set()          # parts above a total that equals all the parts down to it
    stray: dict[int, tuple] = {}       # the bottom total under parts above that equals neither sum
    for t, row, stated_fen, ok in zip(totals["table"].tolist(), totals["excel_row"].tolist(),
                                      totals["stated"].tolist(), totals["readable"].tolist()):
        own, parts = sums[t], above.get(t, ())
        if not own.records:   # a table of no records is not compared (a part of none counts nothing in a sum)
            continue
        whole = _joined([sums[j] for j in (*parts, t)]) if parts else None
        own_ok = bool(ok) and own.known
        whole_ok = whole is not None and bool(ok) and whole.known
        written_fen = int(stated_fen) if own_ok or whole_ok else None
        agrees = (own_ok and written_fen == own.fen) or (whole_ok and written_fen == whole.fen)
        # all the parts down to it, or all but the students added under it (the part's mismatch says so)
        if whole_ok and written_fen in (whole.fen, whole.fen - own.below_fen):
            vouched.update(parts)
        # a total under a later part can be held against the records only where every sum it may be
        # is known: that of its own part and, under parts above, that of them all
        decidable = own_ok and (whole is None or whole_ok)
        agree[t] = agree.get(t, False) or agrees
        compared[t] = compared.get(t, False) or agrees or decidable
        if decidable:
            bottom[t] = (row, written_fen, whole)
            if whole is not None and not agrees:
                stray[t] = (row, written_fen, whole)
    found = []
    mismatched = [t for t in sorted(bottom) if not agree[t]]
    for t in mismatched:
        row, written_fen, whole = bottom[t]
        own = sums[t]
        message = (_message(row, written_fen, own) if whole is None else
                   _message_parts(row, written_fen, own, whole, tables[t].header_row,
                                  [tables[j].header_row for j in above[t]]))
        found.append(file_finding(t, CODE, "amount", message))
    unchecked = [t for t in sorted(compared) if not compared[t] and len(sums[t].below_rows)]
    # a part above a total that agrees with nothing, neither its own part nor all the parts down to it,
    # with no total of its own that agrees: nothing vouches for it (a part already a finding is not named
    # again). So even where the part of that total agrees by another total of its own.
    named = set(mismatched) | set(unchecked)
    for t in sorted(stray, reverse=True):
        row, written_fen, whole = stray[t]
        for j in above.get(t, ()):
            if j in named or j in vouched or agree.get(j, False) or not sums[j].records:
                continue
            named.add(j)
            found.append(file_finding(j, CODE, "amount", _not_vouched(
                row, written_fen, sums[j], tables[j].header_row, sums[t], tables[t].header_row, whole)))
    last_row = totals.groupby("table")["excel_row"].max()
    readable_last = totals.groupby("table")["readable"].last()
    for t in unchecked:
        found.append(file_finding(t, CODE, "amount", _unchecked(
            int(last_row[t]), sums[t].below_rows, bool(readable_last[t]), sums[t].known)))
    return pd.concat(found, ignore_index=True) if found else empty()


def _parts_above(tables: list, wanted: set[int]) -> dict[int, tuple[int, ...]]:
    """For each table of `wanted`, the parts of its sheet above it (read.tables.extract_parts: a header
    further down that is not the header again starts another part): the tables just before it in the
    list from the same file and sheet, each under a header higher up."""
    out: dict[int, tuple[int, ...]] = {}
    run: list[int] = []
    for i, t in enumerate(tables):
        if run:
            last = tables[run[-1]]
            if (last.path, last.file, last.sheet) != (t.path, t.file, t.sheet) or last.header_row >= t.header_row:
                run = []
        if i in wanted and run:
            out[i] = tuple(run)
        run.append(i)
    return out


def _sums(roster: Roster, rules: Rulebook, decisions, rec: pd.DataFrame, totals: pd.DataFrame,
          covered: list[int]) -> dict[int, _Sums]:
    """Each table of `covered`: what its records are read as asking for (exact, at any size)."""
    fen = rec["amount_fen"].astype("Int64")
    blank = rec["amount"].isna().to_numpy()
    filled = ~blank & rec["amount_ok"].to_numpy(dtype=bool) & fen.notna().to_numpy()
    paid = fen.where(filled, pd.NA)
    if blank.any():   # a blank amount is paid the standard (amount.blank): that is what the table asks for
        paid[blank] = _paid_for(roster, rules, rec.index[blank], decisions).to_numpy()
    known = paid.notna().to_numpy()
    table = rec["table"].to_numpy()
    last_total = totals.groupby("table")["excel_row"].max()
    below = rec["excel_row"].to_numpy() > rec["table"].map(last_total).to_numpy(dtype=float, na_value=np.inf)
    frame = pd.DataFrame({"table": table, "known": known})
    names = ("fen", "filled", "blank_fen", "below_fen")
    for name, values in zip(names, (paid.fillna(0), fen.where(filled, 0).fillna(0), paid.where(blank, 0).fillna(0),
                                    paid.where(below, 0).fillna(0))):
        a = values.to_numpy(dtype=np.int64)   # summed as high and low 32 bits: exact, never wrapped round
        frame[f"{name}_hi"], frame[f"{name}_lo"] = a >> 32, a & 0xFFFFFFFF
    by_table = frame.groupby("table")
    per = by_table.sum()
    at = {int(t): k for k, t in enumerate(per.index.tolist())}
    sums = {name: [hi * 2 ** 32 + lo for hi, lo in zip(per[f"{name}_hi"].tolist(), per[f"{name}_lo"].tolist())]
            for name in names}
    counts, alls = by_table.size().tolist(), by_table["known"].all().tolist()
    rows = rec["excel_row"].to_numpy(dtype=np.int64)
    blank_rows, below_rows = _by_table(rows, table, blank & known), _by_table(rows, table, below)
    out = {}
    for t in covered:
        k = at.get(t)
        got = {name: sums[name][k] if k is not None else 0 for name in names}
        out[t] = _Sums(records=counts[k] if k is not None else 0,
                       # a part without an amount column asks for what is not known
                       known=(alls[k] if k is not None else True) and "amount" in roster.tables[t].columns,
                       blank_rows=blank_rows.get(t, _NONE), below_rows=below_rows.get(t, _NONE), **got)
    return out


def _joined(parts: list[_Sums]) -> _Sums:
    """The parts of a sheet together (records under a part's 合计 are the part's: none is below)."""
    return _Sums(records=sum(p.records for p in parts), known=all(p.known for p in parts),
                 fen=sum(p.fen for p in parts), filled=sum(p.filled for p in parts),
                 blank_fen=sum(p.blank_fen for p in parts),
                 blank_rows=np.concatenate([p.blank_rows for p in parts]), below_fen=0, below_rows=_NONE)


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


def _message(row: int, written: int, p: _Sums) -> str:
    read, records = p.fen, p.records
    out = f"学校在第{row}行填写的合计金额为 {yuan(written)} 元，而本表读取的 {records} 条学生记录金额合计为 {yuan(read)} 元"
    out += _blanks(p)
    out += f"，{_more_less(read, written)}："
    out += _why(written, p, read > written)
    if len(p.below_rows):
        out += (f"；合计以下还有 {len(p.below_rows)} 条学生记录（{_rows(p.below_rows)}）"
                + ("，多出的正是这些记录的金额" if read - written == p.below_fen else "")
                + "：合计和签字之下的行不在学校审核签报的范围内")
    return out + "；本表暂不发放，请学校核对后重新提交"


def _message_parts(row: int, written: int, own: _Sums, whole: _Sums, header_row: int,
                   above_rows: list[int]) -> str:
    """A total under the last of two or more parts (each under its own header) that equals neither
    its part alone nor all the parts together: whose total it is is not known, so both sums are named."""
    heads = "、".join(str(r) for r in above_rows)
    out = (f"学校在第{row}行填写的合计金额为 {yuan(written)} 元，既不等于第{header_row}行表头下这一部分的 {own.records} "
           f"条学生记录金额合计 {yuan(own.fen)} 元（{_more_less(own.fen, written)}），也不等于连同上方第{heads}行表头下的部分"
           f"在内全表 {whole.records} 条学生记录的金额合计 {yuan(whole.fen)} 元（{_more_less(whole.fen, written)}）")
    out += _blanks(whole)
    below_only = len(own.below_rows) and whole.fen - written == own.below_fen   # all but the students under it
    out += "：" if below_only else "；该合计是这一部分的还是全表的，无法确定："
    more = True if min(own.fen, whole.fen) > written else False if max(own.fen, whole.fen) < written else None
    out += _why(written, whole if whole.filled == written else own, more)
    if len(own.below_rows):
        out += (f"；合计以下还有 {len(own.below_rows)} 条学生记录（{_rows(own.below_rows)}）"
                + ("，全表多出的正是这些记录的金额" if whole.fen - written == own.below_fen
                   else "，这一部分多出的正是这些记录的金额" if own.fen - written == own.below_fen else "")
                + "：合计和签字之下的行不在学校审核签报的范围内")
    return out + "；本表暂不发放，请学校核对后重新提交"


def _not_vouched(row: int, written: int, p: _Sums, header_row: int, last: _Sums, last_header: int,
                 whole: _Sums) -> str:
    """A part above the total of a later part that agrees with nothing, with no total of its own that agrees."""
    return (f"第{header_row}行表头下这一部分的 {p.records} 条学生记录（金额合计 {yuan(p.fen)} 元）没有可以核对的合计，"
            f"而其下第{row}行的合计金额 {yuan(written)} 元与全表 {whole.records} 条学生记录的金额合计 {yuan(whole.fen)} 元"
            f"不符，也与第{last_header}行表头下那一部分的 {yuan(last.fen)} 元不符，不能证明本部分的金额；"
            "本表暂不发放，请学校核对合计后重新提交")


def _more_less(read: int, written: int) -> str:
    return f"{'多' if read > written else '少'} {yuan(abs(read - written))} 元"


def _blanks(p: _Sums) -> str:
    if not len(p.blank_rows):
        return ""
    return (f"（其中{_rows(p.blank_rows)}资助金额为空，按标准计 {yuan(p.blank_fen)} 元，"
            f"已填写的金额合计 {yuan(p.filled)} 元）")


def _why(written: int, p: _Sums, more: bool | None) -> str:
    """What may be wrong; `more`: whether more is read than written (None: more by one sum, less by the other)."""
    if len(p.blank_rows) and p.filled == written:
        return ("合计与已填写的金额相符，即学校没有把资助金额为空的学生计入合计（可能不打算资助他们），"
                "而按标准发放将超出学校签报的合计；请删除这些学生，或填写其金额并更正合计")
    extra = "可能有不应申报的行仍在表中（如已转出或删去的学生、重复的行）"
    unread = "可能有学生行没有作为学生读取（被当作空行、备注、签名行或合计行）"
    return ((extra if more else unread if more is False else f"{unread}或不应申报的行仍在表中")
            + "、金额填写有误，或合计填写有误")


def _unchecked(row: int, below_rows: np.ndarray, total_readable: bool, own_known: bool = True) -> str:
    why = ("合计行的金额为空或无法读取，无法核对" if not total_readable
           else "本表有资助金额无法读取（或为空而无标准金额）的记录，合计无法核对" if not own_known
           # a total under parts above, one of which holds such a record: neither sum it may be is known
           else "本表上方另一表头下的部分有资助金额无法读取（或为空而无标准金额）的记录，合计无法核对")
    return (f"第{row}行合计以下还有 {len(below_rows)} 条学生记录（{_rows(below_rows)}），而{why}：合计和制表人、"
            "审核人签字之下的行不在学校审核签报的范围内，可能是事后补加的学生；本表暂不发放，请学校把全部学生"
            "列在合计行之上、核对合计后重新提交")
