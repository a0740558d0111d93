"""reconcile: read the bank's result file (回盘), mark payments paid or failed, report the rest.

A result line is applied only when it matches exactly one outstanding attempt of the term by card
and amount (and by 序号 where the bank returns it). Unknown accounts, amounts that differ, unknown
status words and lines already settled are reported and never applied. All updates are one
transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import bindparam, select, update

from aidctl import ledger as L
from aidctl.core.errors import UsageError
from aidctl.core.money import yuan
from aidctl.core.terms import Term
from aidctl.core.text import missing
from aidctl.pay.results import read_result
from aidctl.read import Workspace, regular_file, shown


@dataclass
class Reconciliation:
    term: Term
    file: str
    profile: str
    paid: pd.DataFrame
    failed: pd.DataFrame
    problems: pd.DataFrame   # row, card, amount_fen, status, issue

    def to_json(self) -> dict:
        def items(df, cols):
            out = []
            for r in df[cols].astype(object).itertuples(index=False):
                out.append({c: (None if missing(v) else
                                str(yuan(v)) if c == "amount" else int(v) if c == "row" else v)
                            for c, v in zip(cols, r)})
            return out

        cols = ["row", "id_number", "name", "programme", "card", "amount", "batch"]
        return {"version": 1, "term": str(self.term), "file": self.file, "bank_profile": self.profile,
                "paid": items(self.paid, cols), "failed": items(self.failed, cols + ["reason"]),
                "problems": items(self.problems, ["row", "card", "amount", "status", "issue"]),
                "totals": {"paid": len(self.paid), "paid_amount": str(yuan(int(self.paid["amount"].sum()))),
                           "failed": len(self.failed),
                           "failed_amount": str(yuan(int(self.failed["amount"].sum()))),
                           "problems": len(self.problems)}}


def _attempts(conn, term: str) -> pd.DataFrame:
    q = (select(L.attempts.c.id.label("attempt_id"), L.attempts.c.payment_id, L.attempts.c.batch_id,
                L.attempts.c.file_seq, L.attempts.c.card, L.attempts.c.amount_fen, L.attempts.c.status,
                L.payments.c.person, L.payments.c.name, L.payments.c.programme, L.payments.c.bank_profile)
         .join(L.payments, L.payments.c.id == L.attempts.c.payment_id).where(L.payments.c.term == term))
    return pd.DataFrame(list(map(tuple, conn.execute(q).all())), columns=[
        "attempt_id", "payment_id", "batch_id", "file_seq", "card", "amount_fen", "status", "person", "name",
        "programme", "bank_profile"])


def reconcile(ws: Workspace, term: Term, result: Path, *, bank: str | None = None, db: str | None = None,
              display: str | None = None, wait: float = 0) -> Reconciliation:
    from aidctl.pay.lock import workspace_lock

    rules = ws.rules
    display = display or shown(result)
    regular_file(result, display)  # a FIFO would block the reader while the workspace is locked
    with workspace_lock(ws.root, wait):
        ledger = L.Ledger(ws.ledger_url(db))
        with ledger.connect() as conn:
            attempts = _attempts(conn, str(term))
        outstanding = attempts[attempts["status"] == "sent"]
        if bank is None:
            profiles = sorted(set(outstanding["bank_profile"])) or [ws.settings.bank_profile or rules.default_bank]
            if len(profiles) != 1:
                raise UsageError(f"{term} 有 {len(profiles)} 个银行格式的待回盘付款（{'、'.join(profiles) or '无'}）："
                                 f"请用 --bank 指明这是哪家银行的回盘")
            bank = profiles[0]
        profile = rules.bank(bank)
        lines = read_result(profile, result, display, rules)
        lines = lines.assign(card=lines["card"].astype("string").str.replace(r"\s", "", regex=True))
        lines = _by_reference(lines, attempts)
        matched, problems = _match(lines, outstanding[outstanding["bank_profile"] == bank], attempts)
        applied = matched
        with ledger.transaction() as conn:
            stamp = L.now()
            rows = [{"aid": int(r.attempt_id), "pid": int(r.payment_id), "outcome": r.outcome,
                     "reason": _reason(r.reason),
                     "payment_reason": None if r.outcome == "paid" else _reason(r.reason)}
                    for r in applied.itertuples()]
            if rows:
                conn.execute(update(L.attempts).where(L.attempts.c.id == bindparam("aid"),
                                                      L.attempts.c.status == "sent")
                             .values(status=bindparam("outcome"), reason=bindparam("reason"), settled_at=stamp), rows)
                conn.execute(update(L.payments).where(L.payments.c.id == bindparam("pid"))
                             .values(status=bindparam("outcome"), failure_reason=bindparam("payment_reason"),
                                     updated_at=stamp), rows)
    view = applied.rename(columns={"person": "id_number", "amount_fen": "amount", "batch_id": "batch"})
    return Reconciliation(term, display, bank, view[view["outcome"] == "paid"], view[view["outcome"] == "failed"],
                          problems)


def _reason(value) -> str | None:
    """The bank's failure reason as text; None where the line gives none (None, NaN or pd.NA)."""
    return None if value is None or pd.isna(value) else str(value)


def _by_reference(lines: pd.DataFrame, attempts: pd.DataFrame) -> pd.DataFrame:
    """A pain.002 names each payment by its EndToEndId (<batch>-<序号>) and need not repeat the account
    or the amount: take those from that attempt, so that the usual matching (and its checks) applies."""
    if "e2e" not in lines.columns or lines.empty:
        return lines
    refs = attempts[["batch_id", "file_seq", "card", "amount_fen"]].set_axis(
        ["ref_batch", "seq", "ref_card", "ref_amount"], axis=1).astype({"seq": "Int64"})
    out = lines.reset_index(drop=True).assign(
        ref_batch=lines["e2e"].astype("string").str.rsplit("-", n=1).str[0].to_numpy())
    out = out.merge(refs, on=["ref_batch", "seq"], how="left")
    out["card"] = out["card"].fillna(out["ref_card"])
    out["amount_fen"] = out["amount_fen"].fillna(out["ref_amount"]).astype("Int64")
    return out.drop(columns=["ref_batch", "ref_card", "ref_amount"])


def _match(lines: pd.DataFrame, outstanding: pd.DataFrame, everything: pd.DataFrame):
    """Each result line to one outstanding attempt (card + amount, and 序号 where given), by merges."""
    lines = lines.reset_index(drop=True).assign(line=lambda d: d.index)
    unknown_status = lines[lines["outcome"].isna()]
    usable = lines[lines["outcome"].notna()]
    pairs = usable.drop(columns="name").merge(outstanding.rename(columns={"status": "attempt_status"}),
                                              on=["card", "amount_fen"], how="inner")
    seq_hit = pairs["seq"].notna() & (pairs["file_seq"] == pairs["seq"].astype("Float64")).fillna(False)
    has_seq_hit = seq_hit.groupby(pairs["line"]).transform("any")
    pairs = pairs[seq_hit | ~has_seq_hit]            # where the 序号 settles it, keep that pair only
    per_line = pairs.groupby("line").size()
    ambiguous_lines = per_line[per_line > 1].index
    single = pairs[pairs["line"].isin(per_line[per_line == 1].index)]
    repeated = single["attempt_id"].duplicated(keep="first")   # the same payment twice in one file
    matched = single[~repeated]

    problems = [unknown_status.assign(issue="处理结果“" + unknown_status["status"].astype(str)
                                      + "”无法识别为成功或失败，未入账")]
    amb = usable[usable["line"].isin(ambiguous_lines)]
    problems.append(amb.assign(issue="账号和金额对应多笔待回盘付款，无法确定是哪一笔：请人工核对"))
    dup = usable[usable["line"].isin(single.loc[repeated, "line"])]
    problems.append(dup.assign(issue="同一笔付款在回盘中出现不止一次，只按第一次入账"))
    missing = usable[~usable["line"].isin(pairs["line"])]
    if len(missing):  # few in practice; each gets its own explanation
        problems.append(missing.assign(issue=[_why_unmatched(r, everything) for r in missing.itertuples()]))
    problems_df = pd.concat(problems, ignore_index=True).rename(columns={"amount_fen": "amount"})
    problems_df = problems_df.sort_values("row")[["row", "card", "amount", "status", "issue"]]
    cols = ["attempt_id", "payment_id", "batch_id", "file_seq", "card", "amount_fen", "person", "name",
            "programme", "bank_profile", "row", "outcome", "reason"]
    return matched[cols], problems_df


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
        return f"该笔已在此前的回盘中处理（{settled.iloc[0]['status']}），未重复入账"
    return "该笔付款尚未发出，未入账：请核对回盘文件"
