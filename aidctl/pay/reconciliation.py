"""reconcile: read the bank's result file (回盘), bind it to the batch it answers, mark payments paid or
failed, report the rest.

Binding (see the README's reconcile section). A result line applies only when its batch is known
and the line agrees with that batch's attempt:
- the batch is named: by --batch; by a batch id the bank echoes in the file name, the text above
  the table or a 批次号 column; by pain.002's OrgnlMsgId / OrgnlPmtInfId (<batch>-<first>-<last>)
  and OrgnlEndToEndId (<batch>-<序号>);
- or, when nothing names it, by 序号: the line's 序号, card and amount must be those of one attempt
  of the term. Such a file must not agree as well with a batch of another term (unless its name
  or its title names this term).
A file naming a batch of another term, or one the ledger does not hold (a batch id is known by its
form, pay.batch.BATCH_ID, in the file name and the text above the table), or naming another term (its
name, or a title row above its table: settled.title_terms_against), is refused as a whole (exit 2),
saying what it answers. Within a known batch the 序号 (or EndToEndId) picks the attempt, and card
and amount must agree with it; a line of a result table leaving either blank is not bound. The
bank's 户名, where written, must be the payee's name or its beginning. Unknown
accounts, amounts that differ, unknown status words, contradicting 序号, a blank card or amount,
another name, lines already settled and conflicting repeats are reported and never applied; so is
every payment of a pain.002 group whose final status its entries contradict. All updates are one
transaction.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import bindparam, select, update

from aidctl import ledger as L
from aidctl.core.errors import ReadError, UsageError
from aidctl.core.interrupts import interrupts_deferred
from aidctl.core.money import fen_from_text, yuan
from aidctl.core.terms import Term
from aidctl.core.text import filled, fold, fold_one, missing
from aidctl.pay.batch import BATCH_ID
from aidctl.pay.results import LINE_COLUMNS, ResultFile, outcomes, read_result
from aidctl.pay.settled import dates_against, hidden_notes, settled_issues, unanswered, unanswered_note
from aidctl.read import Workspace, regular_file, shown

_TERM_IN_NAME = re.compile(r"(?<![0-9])(\d{4}-(?:spring|autumn))(?![a-z])")


@dataclass
class Reconciliation:
    term: Term
    file: str
    profile: str
    paid: pd.DataFrame
    failed: pd.DataFrame
    problems: pd.DataFrame   # row, sheet, card, amount, status, issue
    pending: pd.DataFrame = field(default_factory=pd.DataFrame)
    batches: list[str] = field(default_factory=list)
    bound_by: str = ""
    declared: list[dict] = field(default_factory=list)   # the figures above the table, each agreeing
    notes: list[str] = field(default_factory=list)      # said aloud: rule keys a workspace copy leaves out,
    # lines read from hidden rows, payments of the batches answered still sent after the file
    unanswered: list[dict] = field(default_factory=list)  # per batch answered: payments still sent after it

    def to_json(self) -> dict:
        def items(df, cols):
            out = []
            for r in df[cols].astype(object).itertuples(index=False):
                out.append({c: (None if missing(v) else
                                str(yuan(v)) if c == "amount" else int(v) if c == "row" else v)
                            for c, v in zip(cols, r)})
            return out

        cols = ["row", "sheet", "id_number", "name", "programme", "card", "amount", "batch"]
        pending = self.pending if len(self.pending) else pd.DataFrame(columns=[*cols, "status"])
        return {"version": 1, "term": str(self.term), "file": self.file, "bank_profile": self.profile,
                "batches": self.batches, "bound_by": self.bound_by, "declared": self.declared, "notes": self.notes,
                "unanswered": [u | {"amount": str(yuan(u["amount"]))} for u in self.unanswered],
                "paid": items(self.paid, cols), "failed": items(self.failed, cols + ["reason"]),
                "pending": items(pending, cols + ["status"]),
                "problems": items(self.problems, ["row", "sheet", "card", "amount", "status", "issue"]),
                "totals": {"paid": len(self.paid), "paid_amount": str(yuan(int(self.paid["amount"].sum()))),
                           "failed": len(self.failed),
                           "failed_amount": str(yuan(int(self.failed["amount"].sum()))),
                           "problems": len(self.problems)}}


ATTEMPT_COLUMNS = ["attempt_id", "payment_id", "batch_id", "file_seq", "card", "amount_fen", "status", "person",
                   "name", "programme", "bank_profile", "reason"]


def _attempts(conn, term: str) -> pd.DataFrame:
    q = (select(L.attempts.c.id.label("attempt_id"), L.attempts.c.payment_id, L.attempts.c.batch_id,
                L.attempts.c.file_seq, L.attempts.c.card, L.attempts.c.amount_fen, L.attempts.c.status,
                L.payments.c.person, L.payments.c.name, L.payments.c.programme, L.payments.c.bank_profile,
                L.attempts.c.reason)
         .join(L.payments, L.payments.c.id == L.attempts.c.payment_id).where(L.payments.c.term == term))
    frame = L.fetch_frame(conn, q, ATTEMPT_COLUMNS)
    return frame.astype({"file_seq": "int64", "amount_fen": "int64"}) if len(frame) else frame


def _elsewhere(conn, term: str, cards: list[str]) -> pd.DataFrame:
    """Attempts of other terms to the given cards: batch_id, term, file_seq, card, amount_fen."""
    a, b = L.attempts.c, L.batches.c
    parts = []
    for start in range(0, len(cards), 5000):
        q = (select(a.batch_id, b.term, a.file_seq, a.card, a.amount_fen)
             .join(L.batches, L.batches.c.id == a.batch_id)
             .where(b.term != term, a.card.in_(cards[start:start + 5000])))
        rows = [tuple(r) for r in conn.execute(q)]  # an expanding IN: the Core path
        parts.append(pd.DataFrame(rows, columns=["batch_id", "term", "file_seq", "card", "amount_fen"]))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["batch_id", "term", "file_seq", "card", "amount_fen"])


def reconcile(ws: Workspace, term: Term, result: Path, *, bank: str | None = None, db: str | None = None,
              display: str | None = None, wait: float = 0, batch: str | None = None) -> Reconciliation:
    """Apply the bank's result file to the batch it answers (see the module docstring)."""
    from aidctl.pay.lock import workspace_lock
    from aidctl.pay.settled import title_terms_against

    rules = ws.rules
    display = display or shown(result)
    regular_file(result, display)  # a FIFO would block the reader while the workspace is locked
    with workspace_lock(ws.root, wait):
        ledger = L.Ledger(ws.ledger_url(db))
        with ledger.paying_lock(wait, f"aidctl pid={os.getpid()} {ws.root}"):
            with ledger.connect() as conn:
                attempts = _attempts(conn, str(term))
                known = dict(conn.execute(select(L.batches.c.id, L.batches.c.term)).all())
            outstanding = attempts[attempts["status"] == "sent"]
            if bank is None:
                profiles = sorted(set(outstanding["bank_profile"])) or [ws.settings.bank_profile or rules.default_bank]
                if len(profiles) != 1:
                    raise UsageError(f"{term} 有 {len(profiles)} 个银行格式的待回盘付款（{'、'.join(profiles) or '无'}）："
                                     f"请用 --bank 指明这是哪家银行的回盘")
                bank = profiles[0]
            profile = rules.bank(bank)
            file = read_result(profile, result, display, rules)
            lines = file.lines.assign(card=file.lines["card"].astype("string").str.replace(r"\s", "", regex=True))
            named, bound_by = _named_batches(file, lines, Path(display).name, known, str(term), batch, display)
            titled, titles_said = title_terms_against(file.titles, term, named, display, rules)   # its title's term
            lines = pd.concat([lines, _group_lines(file, lines, named, attempts, bank, profile)], ignore_index=True)
            if lines.empty:
                raise ReadError("回盘文件中没有任何付款结果（没有逐笔结果，也没有可适用的整组状态）：请核对文件", file=display)
            if not named:
                with ledger.connect() as conn:
                    bound_by = _by_sequence(lines, attempts, known, str(term), Path(display).name, conn, display,
                                            titled)
            # the columns every line must fill to be bound: a profile's result table has card and amount
            # (rulebook); a pain.002 entry may leave out OrgnlTxRef, its EndToEndId binding it
            needs = [k for k in ("card", "amount") if k in profile.result.columns]
            matched, problems = _match(lines, attempts[attempts["bank_profile"] == bank], attempts, named, needs,
                                       joiners=rules.vocabulary.names.joiners)
            applied = matched[matched["outcome"].isin(["paid", "failed"])]
            dated = dates_against(file.dates, sorted(set(matched["batch_id"].dropna()) | set(named)), ledger, display)
            with interrupts_deferred("aidctl: 收到中断：正在完成本次对账的账本记录，完成后退出……"), \
                    ledger.transaction() as conn:
                stamp = L.now()
                rows = [{"aid": int(r.attempt_id), "pid": int(r.payment_id), "outcome": r.outcome,
                         "reason": _reason(r.reason),
                         "payment_reason": None if r.outcome == "paid" else _reason(r.reason)}
                        for r in applied.itertuples()]
                if rows:
                    conn.execute(update(L.attempts).where(L.attempts.c.id == bindparam("aid"),
                                                          L.attempts.c.status == "sent")
                                 .values(status=bindparam("outcome"), reason=bindparam("reason"), settled_at=stamp),
                                 rows)
                    conn.execute(update(L.payments).where(L.payments.c.id == bindparam("pid"))
                                 .values(status=bindparam("outcome"), failure_reason=bindparam("payment_reason"),
                                         updated_at=stamp), rows)
    view = matched.rename(columns={"person": "id_number", "amount_fen": "amount", "batch_id": "batch"})
    answered = sorted(set(matched["batch_id"].dropna()) | set(named))
    left = unanswered(attempts, applied["attempt_id"], answered, bank)
    return Reconciliation(term, display, bank, view[view["outcome"] == "paid"], view[view["outcome"] == "failed"],
                          problems, view[view["outcome"] == "pending"], answered, bound_by,
                          [f.to_json() for f in file.declared],
                          [*ws.rules.notes, *hidden_notes(file.hidden), *titles_said, *dated,
                           *(unanswered_note(u, profile.name) for u in left)],
                          left)


def _reason(value) -> str | None:
    """The bank's failure reason as text; None where the line gives none (None, NaN or pd.NA)."""
    return None if value is None or pd.isna(value) else str(value)


# --- which batch the file answers ------------------------------------------------------------------

def _batch_of(reference: str | None, known: dict) -> str | None:
    """The ledger batch an id the bank echoes starts with (<batch>-…), or None."""
    if not reference:
        return None
    reference = str(reference).strip()
    if reference in known:
        return reference
    return next((b for b in known if reference.startswith(b + "-")), None)


def _named_batches(file: ResultFile, lines: pd.DataFrame, name: str, known: dict, term: str, given: str | None,
                   display: str) -> tuple[list[str], str]:
    """The batches the file names, and by what; refuses the whole file when it names another term's
    batch, a batch the ledger does not hold, or another term. Sets each line's batch where the line
    itself names it (batch column, EndToEndId)."""
    found: dict[str, str] = {}       # batch → where it is named
    unknown: list[tuple[str, str]] = []
    if given:
        if given not in known:
            raise UsageError(f"--batch {given} 不在账本中：请用 aidctl ledger show 查看批次号")
        found[given] = "--batch"
    for b in known:
        if b in name:
            found.setdefault(b, "文件名")
        if any(b in text for text in file.text):
            found.setdefault(b, "表头上方的文字")
    # an id of aidctl's form the ledger does not hold (a batch of another ledger, or lost with a
    # restored one) names a batch all the same: the file is not bound by 序号 to another one
    for where, texts in (("文件名", [name]), ("表头上方的文字", file.text)):
        for value in dict.fromkeys(m.group() for text in texts for m in BATCH_ID.finditer(text)):
            if value.upper() in known:   # the hex digits written in lower case: that batch
                found.setdefault(value.upper(), where)
            elif value not in known:
                unknown.append((value, where))
    for col, where in (("batch", "批次号列"), ("e2e", "OrgnlEndToEndId")):
        values = lines[col].dropna().astype(str)
        if col == "e2e":
            values = values.str.rsplit("-", n=1).str[0]
        for value in values.unique():
            b = _batch_of(value, known)
            if b is None:
                unknown.append((value, where))
            else:
                found.setdefault(b, where)
        if col == "batch" and len(values):
            lines["batch"] = lines["batch"].map(lambda v: _batch_of(v, known), na_action="ignore")
    for group in file.groups:
        if group.get("id"):
            b = _batch_of(group["id"], known)
            if b is None:
                unknown.append((group["id"], group["level"]))
            else:
                found.setdefault(b, group["level"])
    if unknown:
        value, where = unknown[0]
        raise ReadError(f"回盘文件答复的批次“{value}”（{where}）不在账本中：这不是本账本发出的文件，整份文件未入账",
                        file=display)
    other = {b: w for b, w in found.items() if known[b] != term}
    if other:
        b, where = next(iter(other.items()))
        raise ReadError(f"回盘文件答复的是 {known[b]} 学期的批次 {b}（见{where}），不是 {term}：整份文件未入账；"
                        f"请用 --term {known[b]} 对账", file=display)
    if given and len(found) > 1:
        others = "、".join(f"{b}（{w}）" for b, w in found.items() if b != given)
        raise ReadError(f"回盘文件写明的批次 {others} 与 --batch {given} 不符：整份文件未入账", file=display)
    terms = set(_TERM_IN_NAME.findall(name)) - {term}
    if terms and not found:
        raise ReadError(f"回盘文件名写的是 {'、'.join(sorted(terms))} 学期，不是 {term}：整份文件未入账；"
                        f"请核对文件，或用 --term {sorted(terms)[0]} 对账", file=display)
    if not lines["batch"].notna().any() and len(found) == 1 and not lines["e2e"].notna().any():
        lines["batch"] = next(iter(found))
    elif len(found) > 1 and lines["batch"].isna().any() and not lines["e2e"].notna().any():
        raise ReadError(f"回盘文件写有多个批次（{'、'.join(f'{b}（{w}）' for b, w in found.items())}），"
                        "其各行没有写明属于哪一批：整份文件未入账；请用 --batch 指明", file=display)
    if lines["e2e"].notna().any():
        lines["batch"] = lines["e2e"].map(lambda v: _batch_of(str(v).rsplit("-", 1)[0], known) if "-" in str(v)
                                          else None, na_action="ignore")
    return list(found), "、".join(dict.fromkeys(found.values()))


def _by_sequence(lines: pd.DataFrame, attempts: pd.DataFrame, known: dict, term: str, name: str, conn,
                 display: str, titled: bool = False) -> str:
    """A file that names no batch is bound line by line by 序号 + card + amount; it is refused when
    it has no 序号, or when it agrees at least as well with a batch of another term (unless its name
    or, `titled`, its title names this term)."""
    if not lines["seq"].notna().any():
        raise ReadError("回盘文件没有写明批次号（文件名、表头上方或批次号列），也没有序号：无法确定它答复哪一批发放，"
                        "整份文件未入账；请用 --batch 指明批次", file=display)
    keys = ["file_seq", "card", "amount_fen"]
    probe = lines.dropna(subset=["seq", "card", "amount_fen"]).assign(
        file_seq=lambda d: d["seq"].astype("int64"), amount_fen=lambda d: d["amount_fen"].astype("int64"),
        line=lambda d: d.index)[["line", *keys]]   # a line, not its row: two sheets have a row 2 each
    here = probe.merge(attempts[[*keys, "batch_id"]], on=keys)["line"].nunique()
    if term not in _TERM_IN_NAME.findall(name) and not titled:
        cards = sorted(set(probe["card"].dropna()))
        there = probe.merge(_elsewhere(conn, term, cards).astype({"file_seq": "int64", "amount_fen": "int64"}),
                            on=keys)
        if len(there) and there["line"].nunique() >= here:
            top = there.groupby(["term", "batch_id"]).size().sort_values(ascending=False).index[0]
            raise ReadError(f"回盘文件没有写明批次号或学期，其各行的序号、账号和金额同样符合 {top[0]} 学期的批次 "
                            f"{top[1]}（{there['line'].nunique()} 行，本学期 {here} 行）：无法确定它答复哪一批，"
                            f"整份文件未入账；请用 --batch 指明批次，或用 --term {top[0]} 对账", file=display)
    return "序号"


def _group_lines(file: ResultFile, lines: pd.DataFrame, named: list[str], attempts: pd.DataFrame, bank: str,
                 profile) -> pd.DataFrame:
    """pain.002 statuses given for a whole message (GrpSts) or payment-information block (PmtInfSts),
    read as ISO 20022 defines them: a group's status is the status of every transaction in it (a
    group whose transactions differ is PART, partially accepted), and a block without a status of
    its own has its message's.

    - A group whose status is final (ACSC, RJCT: the profile's success and failure words) and that
      holds an entry, or a block, saying anything else contradicts itself: one problem line, each
      of its entries a problem too (`lines`' issue is set), nothing of that group applied.
    - A block without entries per payment: one line per payment the block held
      (<batch>-<first>-<last>), with the block's status.
    - A block with entries: its entries apply as they say; the payments it held that it does not
      list, still sent, take the block's status where it is final, else are listed as pending
      (PART, ACSP …: the bank has not said whether they are settled).
    A block whose payments cannot be told from the ledger, or whose count or control sum differs
    from them, is one problem line."""
    final = {**dict.fromkeys(profile.result.success, "paid"), **dict.fromkeys(profile.result.failure, "failed")}
    kinds = {**dict.fromkeys(profile.result.pending, "pending"), **final}
    message = next((g for g in file.groups if g["level"] == "OrgnlMsgId"), None)
    blocks = [g for g in file.groups if g["level"] == "OrgnlPmtInfId"]
    alone = not blocks and not len(lines) and message is not None   # a message status, nothing under it
    if alone:
        blocks = [message]
    out: list[dict] = []

    def contradicted(g: dict, status: str, said: str, rows: pd.Series, inner: list[dict]) -> bool:
        """Whether group `g` (final status `status`, meaning `said`) holds an entry (the lines
        where `rows`) or a block (`inner`) saying otherwise; if so its lines are problems."""
        entries = lines[rows & lines["outcome"].notna() & (lines["outcome"] != said)]
        others = [b for b in inner if b.get("status") and kinds.get(b["status"]) != said]
        if not len(entries) and not others:
            return False
        label = "原报文" if g["level"] == "OrgnlMsgId" else "付款信息块"
        words = "、".join(dict.fromkeys(entries["status"].astype(str)))
        detail = "、".join([*([f"其中 {len(entries)} 笔的逐笔状态为 {words}"] if len(entries) else []),
                            *(f"付款信息块 {b['id']} 的状态为 {b['status']}" for b in others)])
        m = re.fullmatch(r"(.+)-(\d+)-(\d+)", g.get("id") or "")
        held = attempts[(attempts["batch_id"] == m.group(1)) & attempts["file_seq"].between(
            int(m.group(2)), int(m.group(3))) & (attempts["bank_profile"] == bank)] if m else lines[rows]
        out.append({"row": 0, "sheet": None, "seq": None, "name": None, "reason": g.get("reason"), "e2e": None,
                    "status": status, "outcome": None, "card": None, "amount_fen": None,
                    "batch": m.group(1) if m and m.group(1) in named else None,
                    "issue": f"状态报告对{label} {g.get('id')} 整组给出 {status}，而{detail}：整组状态与组内的状态"
                             "相互矛盾（ISO 20022 中组状态是组内每一笔的状态，部分成功的组应为 PART），该组"
                             f" {len(held)} 笔付款均未入账：请向银行核对"})
        lines.loc[rows & lines["issue"].isna(), "issue"] = \
            f"{label} {g.get('id')} 的整组状态 {status} 与组内的状态相互矛盾，该组付款均未入账：请向银行核对"
        return True

    if message is not None and message.get("status") in final and not alone \
            and contradicted(message, message["status"], final[message["status"]],
                             pd.Series(True, index=lines.index), blocks):
        return _frame(out, profile)
    inherited = message.get("status") if message is not None else None
    for g in blocks:
        status = g.get("status") or inherited
        rows = lines["row"].isin(g.get("rows") or [])
        listed = bool(rows.any()) and g is not message
        if listed and status in final and contradicted(g, status, final[status], rows, []):
            continue
        if not status and not listed:
            continue
        m = re.fullmatch(r"(.+)-(\d+)-(\d+)", g["id"] or "")
        batch = m.group(1) if m else None
        base = {"row": 0, "sheet": None, "seq": None, "name": None, "reason": g.get("reason"), "e2e": None,
                "status": status, "outcome": None}
        if not m or batch not in named:
            if not listed:   # a block listing its entries is answered by them; its other payments unknown
                out.append(base | {"card": None, "amount_fen": None, "batch": None,
                                   "issue": f"状态报告对原报文 {g['id']} 整组给出 {status}，没有逐笔结果，"
                                            "该报文含哪些付款无法从账本确定：请人工核对，未入账"})
            continue
        first, last = int(m.group(2)), int(m.group(3))
        held = attempts[(attempts["batch_id"] == batch) & attempts["file_seq"].between(first, last)
                        & (attempts["bank_profile"] == bank)]
        count = int(g["count"]) if g.get("count") and str(g["count"]).isdigit() else None
        total = fen_from_text(pd.Series([g["ctrl_sum"]])).iloc[0] if g.get("ctrl_sum") else None
        if (count is not None and count != len(held)) or (total is not None and not pd.isna(total)
                                                           and int(total) != int(held["amount_fen"].sum())):
            out.append(base | {"card": None, "amount_fen": None, "batch": batch,
                               "issue": f"状态报告对原报文 {g['id']} 的笔数或金额（{g.get('count')} 笔，{g.get('ctrl_sum')}）"
                                        f"与账本（{len(held)} 笔，{yuan(int(held['amount_fen'].sum()))}）不符：未入账"})
            continue
        waiting = False
        if listed:   # the payments of the block it does not list, still waiting for their result
            said = lines.loc[rows & (lines["batch"] == batch), "seq"].dropna().astype("int64")
            held = held[~held["file_seq"].isin(said) & (held["status"] == "sent")]
            waiting = status not in final
            if waiting:
                base = base | {"status": f"{status}（整组状态，本笔未逐笔列出）" if status else "（状态报告未逐笔列出本笔）"}
        for r in held.itertuples():
            out.append(base | {"row": 0, "seq": r.file_seq, "card": r.card, "amount_fen": r.amount_fen,
                               "batch": batch, "e2e": f"{batch}-{r.file_seq}", "issue": None, "pending": waiting})
    return _frame(out, profile)


def _frame(out: list[dict], profile) -> pd.DataFrame:
    """The lines _group_lines made (LINE_COLUMNS), each with its outcome by its status word; a line
    marked `pending` (a payment its block does not list) stays sent whatever its block says."""
    if not out:
        return pd.DataFrame(columns=LINE_COLUMNS)
    frame = outcomes(profile, pd.DataFrame(out))
    if "pending" in frame:
        frame.loc[frame["pending"].fillna(False).astype(bool), "outcome"] = "pending"
    return frame[LINE_COLUMNS].astype({"seq": "Int64", "amount_fen": "Int64"})


# --- each line to its attempt ----------------------------------------------------------------------

def _match(lines: pd.DataFrame, mine: pd.DataFrame, everything: pd.DataFrame, named: list[str],
           needs: list[str] = (), *, joiners: list[str]):
    """Each result line to one attempt of its batch (or, bound by 序号, of the term) among `mine`
    (the attempts paid through this bank profile), by merges; the lines that cannot apply become
    problems with the reason (`everything`: all the term's attempts, to explain them). A line
    leaving blank a column of `needs` (card, amount: the file has them) is a problem: the ledger's
    card and amount are never shown for what the bank did not write. `joiners`: the characters
    between a name's parts (rules/vocabulary.yaml names.joiners), not compared in a 户名."""
    lines = lines.reset_index(drop=True).assign(line=lambda d: d.index)
    if "issue" not in lines:
        lines["issue"] = None
    lines["seq"] = lines["seq"].astype("Int64")
    lines["amount_fen"] = lines["amount_fen"].astype("Int64")
    att = mine.rename(columns={"status": "attempt_status", "card": "att_card", "amount_fen": "att_amount",
                                     "batch_id": "att_batch", "name": "att_name", "reason": "att_reason"})
    issues = lines["issue"].copy()
    hit = pd.Series(pd.NA, index=lines.index, dtype="Int64")    # the attempt each line binds to

    # 0. a line that leaves its card or its amount blank says nothing that binds it to a payment
    blank_card = ~filled(lines["card"]) if "card" in needs else pd.Series(False, index=lines.index)
    blank_amount = lines["amount_fen"].isna() if "amount" in needs else pd.Series(False, index=lines.index)
    blank = (blank_card | blank_amount) & issues.isna()
    what = pd.Series(np.select([blank_card & blank_amount, blank_card], ["账号和金额", "账号"], "金额"), index=lines.index)
    issues[blank] = ("本行的" + what[blank] + "为空：回盘每行须写明账号和金额，才能确认它答复的是哪一笔付款，未入账："
                     "请与银行核对")

    # 1. a line whose batch is known and whose 序号 is given: that attempt, card and amount agreeing
    with_seq = lines[lines["batch"].notna() & lines["seq"].notna() & issues.isna()]
    if len(with_seq):
        m = with_seq[["line", "batch", "seq", "card", "amount_fen"]].merge(
            att.assign(seq=att["file_seq"].astype("Int64")), left_on=["batch", "seq"], right_on=["att_batch", "seq"],
            how="left")
        absent = m["attempt_id"].isna()
        issues[m.loc[absent, "line"].to_numpy()] = [f"批次 {b} 中没有序号 {s} 的付款，未入账：请与银行核对"
                                                  for b, s in zip(m.loc[absent, "batch"], m.loc[absent, "seq"])]
        m = m[~absent]
        card_ok = m["card"].isna() | (m["card"] == m["att_card"])
        amount_ok = m["amount_fen"].isna() | (m["amount_fen"] == m["att_amount"]).fillna(False)
        bad = ~(card_ok & amount_ok)
        for r in m[bad].itertuples():
            by = "EndToEndId" if lines.at[r.line, "e2e"] is not None and not pd.isna(lines.at[r.line, "e2e"]) \
                else "序号"
            got = "空" if pd.isna(r.amount_fen) else str(yuan(int(r.amount_fen)))
            issues[r.line] = (f"{by} {r.seq} 在批次 {r.batch} 中是账号 {r.att_card}、金额 {yuan(int(r.att_amount))}，"
                              f"本行为账号 {r.card if not pd.isna(r.card) else '空'}、金额 {got}：{by}与账号、金额不符，"
                              "未入账")
        good = m[~bad]
        hit[good["line"].to_numpy()] = good["attempt_id"].astype("int64").to_numpy()

    # 2. a line whose batch is known, without 序号: card + amount within that batch
    no_seq = lines[lines["batch"].notna() & lines["seq"].isna() & issues.isna()]
    if len(no_seq):
        m = no_seq[["line", "batch", "card", "amount_fen"]].merge(
            att, left_on=["batch", "card", "amount_fen"], right_on=["att_batch", "att_card", "att_amount"])
        per = m.groupby("line").size()
        one = m[m["line"].isin(per[per == 1].index)]
        hit[one["line"].to_numpy()] = one["attempt_id"].astype("int64").to_numpy()
        for line in per[per > 1].index:
            issues[line] = "账号和金额对应该批次中多笔付款，无法确定是哪一笔：请人工核对"

    # 3. a line of a file that names no batch: 序号, card and amount all those of one attempt of the term
    free = lines[lines["batch"].isna() & lines["seq"].notna() & issues.isna()]
    if len(free):
        m = free[["line", "seq", "card", "amount_fen"]].merge(
            att.assign(seq=att["file_seq"].astype("Int64")), left_on=["seq", "card", "amount_fen"],
            right_on=["seq", "att_card", "att_amount"])
        per = m.groupby("line").size()
        one = m[m["line"].isin(per[per == 1].index)]
        hit[one["line"].to_numpy()] = one["attempt_id"].astype("int64").to_numpy()
        lines.loc[one["line"].to_numpy(), "batch"] = one["att_batch"].to_numpy()
        for line in per[per > 1].index:
            issues[line] = "序号、账号和金额对应本学期多笔付款，无法确定是哪一笔：请用 --batch 指明批次"
        # the card and amount of an attempt under another 序号: the 序号 contradicts them
        rest = free[~free["line"].isin(m["line"])]
        if len(rest):
            other = rest[["line", "seq", "card", "amount_fen"]].merge(
                att, left_on=["card", "amount_fen"], right_on=["att_card", "att_amount"])
            for line, group in other.groupby("line"):
                issues[line] = (f"序号 {lines.at[line, 'seq']} 与账号、金额不符（该账号和金额在本学期的序号为 "
                                f"{'、'.join(str(s) for s in group['file_seq'])}）：未入账")
    no_ref = lines[lines["batch"].isna() & lines["seq"].isna() & issues.isna()]
    issues[no_ref["line"].to_numpy()] = "该行没有序号，所属批次不明：未入账；请用 --batch 指明批次"

    lines["attempt_id"] = hit
    bound = lines[lines["attempt_id"].notna()].merge(att, on="attempt_id", how="left")
    # the bank's 户名, where it writes one, must be the payee's name or its beginning (a bank cuts a
    # long name to its field); both are folded as a roster's names are (full width, spaces; a footnote
    # mark kept), and the joiners of a name (买买提·艾力, rules/vocabulary.yaml names.joiners) are not compared
    said = _name_compared(bound["name"], joiners)
    payee = _name_compared(bound["att_name"], joiners)
    other = (said != "").to_numpy() & ~np.char.startswith(payee.to_numpy(dtype=str), said.to_numpy(dtype=str))
    if other.any():
        wrong = bound[other]
        issues[wrong["line"].to_numpy()] = ("户名“" + wrong["name"].astype("string") + "”与该笔付款的收款人“"
                                            + wrong["att_name"].astype("string") + "”不符（银行截短的户名须是收款人姓名"
                                            "的开头部分），未入账：请与银行核对").to_numpy()
        bound = bound[~other]
    # unmatched lines get their own explanation
    unmatched = lines[lines["attempt_id"].isna() & issues.isna()]
    for r in unmatched.itertuples():
        issues[r.line] = _why_unmatched(r, everything)
    unknown_status = bound[bound["outcome"].isna()]
    # a blank 处理结果 (an empty cell, a line short of its last fields) is named as blank: its text
    # is NA, and NA joined to a message is NA, which dropped the line without a word
    written = unknown_status["status"].astype("string")
    issues[unknown_status["line"].to_numpy()] = ("处理结果“" + written + "”无法识别为成功、失败或处理中，未入账").where(
        filled(written), "处理结果为空，无法识别为成功、失败或处理中，未入账：请与银行核对").to_numpy()
    bound = bound[bound["outcome"].notna()]
    settled = bound[bound["attempt_status"].isin(["paid", "failed"])]
    issues[settled["line"].to_numpy()] = settled_issues(settled, everything)   # a repeat, or a result contradicting it
    early = bound[bound["attempt_status"] == "pending"]
    issues[early["line"].to_numpy()] = "该笔付款尚未发出，未入账：请核对回盘文件"
    bound = bound[bound["attempt_status"] == "sent"]
    # the same payment more than once in the file: agreeing final results apply once; conflicting
    # ones are held for review; a status not final beside a final one gives way to it
    final = bound[bound["outcome"].isin(["paid", "failed"])]
    several = lines["sheet"].nunique() > 1   # a workbook answering in two sheets: a row is named with its sheet
    kinds = final.groupby("attempt_id")["outcome"].nunique()
    conflicting = final[final["attempt_id"].isin(kinds[kinds > 1].index)]
    for _aid, group in conflicting.groupby("attempt_id"):
        words = "、".join(dict.fromkeys(group["status"].astype(str)))
        rows = "、".join(f"工作表“{s}”第 {int(r)} 行" if several else f"第 {int(r)} 行"
                        for r, s in zip(group["row"], group["sheet"]))
        issues[group["line"].to_numpy()] = f"同一笔付款在回盘中有相互矛盾的结果（{words}，{rows}）：待人工核对，未入账"
    final = final[~final["attempt_id"].isin(conflicting["attempt_id"])]
    repeated = final["attempt_id"].duplicated(keep="first")
    issues[final.loc[repeated, "line"].to_numpy()] = "同一笔付款在回盘中出现不止一次，只按第一次入账"
    final = final[~repeated]
    waiting = bound[(bound["outcome"] == "pending") & ~bound["attempt_id"].isin(bound.loc[
        bound["outcome"].isin(["paid", "failed"]), "attempt_id"])]
    waiting = waiting[~waiting["attempt_id"].duplicated(keep="last")]
    matched = pd.concat([final, waiting], ignore_index=True)

    lines["issue"] = issues
    problems = lines[lines["issue"].notna()].rename(columns={"amount_fen": "amount"})
    problems = problems.assign(row=problems["row"].where(problems["row"] > 0, None))
    problems = problems.sort_values("line")[["row", "sheet", "card", "amount", "status", "issue"]]
    cols = ["attempt_id", "payment_id", "batch_id", "file_seq", "card", "amount_fen", "person", "name",
            "programme", "bank_profile", "row", "sheet", "outcome", "reason", "status"]
    matched = matched.rename(columns={"att_batch": "batch_id", "att_card": "card_", "att_amount": "amount_fen_",
                                      "att_name": "name_"})
    matched = matched.assign(card=matched["card_"], amount_fen=matched["amount_fen_"], name=matched["name_"])
    matched = matched.assign(row=matched["row"].where(matched["row"] > 0, None))
    return matched[cols].reset_index(drop=True), problems.reset_index(drop=True)


def _name_compared(names: pd.Series, joiners: list[str]) -> pd.Series:
    """A name as the 户名 check compares it: folded (fold: full width to half, spaces dropped, a
    footnote mark kept as written) and without the joiners (folded alike); blank → ""."""
    folded = fold(names.astype("string"))
    marks = "".join(dict.fromkeys(c for c in map(fold_one, joiners) if len(c) == 1))
    if marks:
        folded = folded.str.replace(f"[{re.escape(marks)}]", "", regex=True)
    return folded.fillna("")


def _why_unmatched(line, everything: pd.DataFrame) -> str:
    same_card = everything[everything["card"] == line.card]
    if same_card.empty:
        return "账号不在本学期的发放记录中，未入账：请与银行核对"
    same = same_card[same_card["amount_fen"] == line.amount_fen]
    if same.empty:
        expected = "、".join(str(yuan(v)) for v in same_card["amount_fen"].unique())
        got = "空" if pd.isna(line.amount_fen) else str(yuan(line.amount_fen))
        return f"金额 {got} 与发放记录（{expected}）不符，未入账：请与银行核对"
    settled = same[same["status"].isin(["paid", "failed"])]
    if len(settled):
        return f"该笔已在此前的回盘中处理（{L.STATUS_WORDS.get(settled.iloc[0]['status'])}），未重复入账"
    return "该笔付款尚未发出，未入账：请核对回盘文件"

