"""What reconcile says of a result line whose payment an earlier 回盘 settled already. The same result
again is a repeat, not applied twice. Another final result (退票 after 成功, 成功 after 失败) is no
repeat: it contradicts the ledger, which is not changed, and the line says so, naming the earlier
result and, where the failed payment was re-sent since, the batch that re-sent it (a 成功 for the
attempt that failed means the student may be paid twice). Both used to read "已在此前的回盘中处理，
未重复入账", which a clerk takes for a harmless repeat."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from aidctl.core.terms import Term
from aidctl.ledger import STATUS_WORDS


def settled_issues(settled: pd.DataFrame, everything: pd.DataFrame) -> list[str]:
    """The issue of each line of `settled` (result lines bound to an attempt already paid or failed:
    attempt_id, payment_id, attempt_status, att_reason, outcome, status, reason), in order;
    `everything`: the term's attempts (attempt_id, payment_id, batch_id, status), for a re-send."""
    later = everything.merge(settled[["payment_id", "attempt_id"]].rename(columns={"attempt_id": "settled_id"}),
                             on="payment_id")
    later = later[later["attempt_id"] > later["settled_id"]].drop_duplicates("settled_id", keep="last")
    resent = dict(zip(later["settled_id"], zip(later["batch_id"], later["status"])))
    before_said = settled["attempt_status"].map(STATUS_WORDS).fillna(settled["attempt_status"]).astype(str)
    out = ("该笔已在此前的回盘中处理（" + before_said + "），未重复入账").tolist()   # a repeat: nearly every line
    contradicting = (settled["outcome"].isin(["paid", "failed"]).to_numpy(dtype=bool)
                     & settled["outcome"].ne(settled["attempt_status"]).astype("boolean").to_numpy(dtype=bool, na_value=True))
    for i, r in zip(contradicting.nonzero()[0].tolist(), settled[contradicting].itertuples()):   # few
        before = r.attempt_status
        said = _text(r.reason)
        earlier = _text(r.att_reason)
        issue = (f"此前的回盘已将该笔记为{STATUS_WORDS[before]}{f'（{earlier}）' if earlier else ''}，本回盘为“{r.status}”"
                 f"{f'（{said}）' if said else ''}：与此前的结果相互矛盾，本回盘的结果未入账，账本未改动（仍为{STATUS_WORDS[before]}）")
        if before == "paid":
            issue += "：请与银行核对该笔是否已退回"
        elif r.attempt_id in resent:
            batch, status = resent[r.attempt_id]
            issue += (f"；该付款已在批次 {batch} 重发（{STATUS_WORDS.get(status, status)}），如银行确已入账，学生可能收到两笔："
                      "请立即与银行核对")
        else:
            issue += "：请与银行核对该笔是否已入账"
        out[i] = issue
    return out


def _text(value) -> str:
    """A reason as text; "" where blank (None, NaN, pd.NA)."""
    return "" if value is None or pd.isna(value) or not str(value).strip() else str(value).strip()


def unanswered(attempts: pd.DataFrame, applied: pd.Series, batches: list[str], bank: str) -> list[dict]:
    """Per batch the file answers, the payments through `bank` still sent once it is applied
    (`attempts`: the term's, as they were; `applied`: the attempt ids it settles): {batch, count,
    amount (fen)}. A 回盘 answering part of its batch (one part file of several, half the lines) used to
    print "答复的批次：B…" and nothing of the rest, which looks like the batch answered."""
    still = attempts[(attempts["bank_profile"] == bank) & attempts["batch_id"].isin(batches)
                     & (attempts["status"] == "sent") & ~attempts["attempt_id"].isin(applied)]
    if still.empty:
        return []
    per = still.groupby("batch_id")["amount_fen"].agg(["size", "sum"])
    return [{"batch": b, "count": int(r["size"]), "amount": int(r["sum"])} for b, r in per.iterrows()]


def unanswered_note(left: dict, paid_through: str) -> str:
    """The line said aloud of a batch whose payments are not all settled by the file."""
    from aidctl.core.money import yuan

    return (f"批次 {left['batch']} 中经“{paid_through}”发放的付款还有 {left['count']} 笔（{yuan(left['amount'])} 元）"
            "在本回盘后仍为已发送、没有最终结果（回盘只答复了其中一部分，或其行未入账、尚未完成）："
            "请待银行的其余回盘，或向银行核对")


def hidden_notes(hidden: list) -> list[str]:
    """A line said aloud per sheet of an xlsx 回盘 whose lines were read from hidden rows (`hidden`:
    (sheet, Excel rows)): they are read and applied as a roster's are, never passed over, and named,
    as hiding a row does not withdraw it: a clerk who meant it so now sees which."""
    out = []
    for sheet, rows in hidden:
        shown = "、".join(str(r) for r in rows[:10]) + ("等" if len(rows) > 10 else "")
        out.append(f"回盘工作表“{sheet}”的第 {shown} 行（共 {len(rows)} 行）是隐藏的行，已照常读取并按其结果处理："
                   "隐藏不等于作废，如其中有不应入账的行，请立即与银行核对")
    return out


def dates_against(dates: list, batches: list[str], ledger, display: str) -> list[str]:
    """The dates a 回盘 writes (results.Dated: 交易日期, 批次日期 …) against the day each batch it answers
    (`batches`) was generated, from the ledger: the bank answers a batch after receiving its file,
    so a date earlier than that day says the file answers another batch (an earlier one, another
    term's, one paid by another system), whatever binds it to this one (序号, card and amount alike,
    a batch id pasted in its name). The file is then refused as a whole, before anything is applied.
    Returns the notes said aloud: a date word followed by no date that can be read is not compared."""
    from sqlalchemy import select

    from aidctl import ledger as L
    from aidctl.core.errors import ReadError

    notes = [f"回盘 {display}{f' 工作表“{d.sheet}”' if d.sheet else ''}在{d.where}第{d.row}行写有“{d.label}”，"
             + (f"其后的“{d.text}”无法读取为日期" if d.text else "其后没有日期") + "，未与所答复批次的生成日期核对"
             for d in dates if d.day is None]
    read = [d for d in dates if d.day is not None]
    if not read or not batches:
        return notes
    with ledger.connect() as conn:
        made = dict(conn.execute(select(L.batches.c.id, L.batches.c.created_at).where(L.batches.c.id.in_(batches))).all())
    days = {b: str(at)[:10] for b, at in made.items() if at}
    if not days:
        return notes
    latest = max(days, key=days.get)
    early = next((d for d in read if d.day.isoformat() < days[latest]), None)
    if early is not None:
        raise ReadError(f"回盘在{early.where}写的“{early.label}”为 {early.day.isoformat()}，早于它所答复的批次 {latest} "
                        f"的生成日期 {days[latest]}：银行只能在收到报盘之后处理，这份回盘答复的不是该批次（可能是此前批次、"
                        "其他学期或其他系统发出的报盘的回盘）；整份回盘未入账，请向银行核对或重新获取回盘",
                        file=display, sheet=early.sheet, row=early.row)
    return notes


@dataclass(frozen=True)
class TitleTerm:
    """A row above a 回盘's table (its title, a 学期： line) that writes a term, read as a roster's title
    is (rulebook.terms_named with terms.yaml `words`, as read.term does): `terms` empty where a term
    word stands in it but no term can be read from it (2012年第二学期, 2O12-spring)."""

    sheet: str | None
    row: int
    text: str
    terms: frozenset[Term]

    def says(self, rules) -> str:
        """'标题“…”写的是2012年春季学期（2012-spring）', as a roster's term.mismatch says (read.term.Evidence)."""
        return f"标题“{self.text}”写的是{'或'.join(f'{rules.term_label(t)}（{t}）' for t in sorted(self.terms))}"


def title_terms(table, sheet: str | None, rules) -> list[TitleTerm]:
    """The rows above `table`'s header (Table.above_cells) that write a term, or a word of a term
    (terms.yaml `words`: a half, a school year, a season word of two characters or more, a season's
    code such as spring) from which none is read. A lone 春 or 秋 (a branch's name) is no term word."""
    from aidctl.core.text import nfkc_one
    from aidctl.rulebook import terms_named

    words = rules.terms.words
    marks = [*(w for ws in words.halves.values() for w in ws), *words.school_year,
             *(w for ws in words.seasons.values() for w in ws if len(w) > 1), *rules.terms.seasons]
    out = []
    for row, cells in table.above_cells:   # the few rows above a header, not a roster's lines
        text = "  ".join(dict.fromkeys(t for _, t in cells))
        terms = terms_named(words, text)
        plain = nfkc_one(text).lower()
        for w in words.not_terms:
            plain = plain.replace(nfkc_one(w).lower(), " ")
        if terms or any(nfkc_one(w).lower() in plain for w in marks):
            out.append(TitleTerm(sheet, row, text.strip()[:60], terms))
    return out


def title_terms_against(titles: list[TitleTerm], term, batches: list[str], display: str,
                        rules) -> tuple[bool, list[str]]:
    """The terms a 回盘's title rows write against the term reconciled (--term, the term of every batch
    it answers: `batches`). The file name's term was compared (reconciliation._TERM_IN_NAME), its title's
    was not: a 回盘 of the same students paid in another term (same 序号, cards and amounts) applied
    under a title naming that term. A title naming other terms only refuses the file as a whole,
    naming its row and both terms; one naming this term alone is silent and returns True (the file
    names its term, as its name may); a school year (两个学期) or a term word naming none is said aloud."""
    from aidctl.core.errors import ReadError

    label = f"{term}（{rules.term_label(term)}）"
    other = next((t for t in titles if t.terms and term not in t.terms), None)
    if other is not None:
        names = " 或 ".join(str(t) for t in sorted(other.terms))
        answered = f"，回盘所指的批次 {'、'.join(batches)} 也属于 {term}" if batches else ""
        advice = "请向银行核对这份回盘答复的是哪一学期的哪一批" if batches else f"请核对文件，或用 --term {names} 对账"
        raise ReadError(f"回盘表头上方的{other.says(rules)}，而本次对账的学期是 {label}{answered}：这份回盘答复的"
                        "可能是另一学期的发放（同一批学生在两个学期的序号、账号和金额可以完全相同），整份回盘未入账；"
                        f"{advice}", file=display, sheet=other.sheet, row=other.row)
    agreed = any(t.terms == {term} for t in titles)   # then a school year holding it is no doubt
    where = [f"回盘 {display}{f' 工作表“{t.sheet}”' if t.sheet else ''}在表头上方第{t.row}行" for t in titles]
    notes = [f"{w}写有“{t.text}”，其中的学期无法读取，未与本次对账的学期 {label}核对：请核对这份回盘答复的是否为本学期"
             if not t.terms else
             f"{w}的{t.says(rules)}，是整个学年，没有写明是哪一学期：按本次对账的学期 {label} 处理，请核对"
             for w, t in zip(where, titles) if not t.terms or (len(t.terms) > 1 and not agreed)]
    return agreed, notes
