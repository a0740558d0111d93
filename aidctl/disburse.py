"""disburse: checked rosters → payment plan → ledger → bank files and the payment audit workbook.

Order of work, so that nothing is ever paid twice or half-written:
1. plan: validate the rosters; refuse every record with an error; route each payment to a bank
   profile and prove its file can carry it; compare with the ledger (already paid → reported;
   failed and now on a corrected card → re-issued);
2. record the batch, its payments and attempts in one ledger transaction (status pending);
3. render the bank files from the records just recorded, once their count, amount and Σ 序号 ×
   amount per bank profile equal the ledger's; check file totals = ledger totals = the plan's,
   write them to temporary names and rename; write SHA256SUMS;
4. mark the batch complete (payments sent / reissued) in a second transaction, while the audit
   workbook (and the CLI's document) are made; nothing is shown before it has committed.
A run killed after 2 leaves a recorded batch: the next run reads its records back from the ledger,
renders the same files through the same renderer and completes it before planning anything new.
"""

from __future__ import annotations

import contextlib
import getpass
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import bindparam, case, func, insert, select, update

from aidctl import intake
from aidctl import ledger as L
from aidctl.bankfiles import BankFile, render, unwritable, write_files
from aidctl.money import disagreement, yuan_text
from aidctl.checks.eligibility import expected_fen
from aidctl.checks.ledger import PAID_OR_UNDER_WAY, paid_keys
from aidctl.errors import AidctlError
from aidctl.files import atomic_path, sha256
from aidctl.findings import ERROR
from aidctl.terms import Term
from aidctl.text import arrow_text, fold_one, per_distinct
from aidctl.validation import Validation, validate
from aidctl.workspace import Workspace

MANIFEST = "SHA256SUMS"


@dataclass
class Plan:
    """What a disbursement run would do; nothing in it has touched the ledger or the disk."""

    term: Term
    validation: Validation
    pay: pd.DataFrame              # one row a payment to send (new, or re-issue of a failed one)
    refused: pd.DataFrame          # rec, codes, reasons
    already: pd.DataFrame          # records the ledger already holds (paid or under way)
    failed_unchanged: pd.DataFrame  # failed before and the roster still has the same card
    school_funded: pd.DataFrame    # programmes paid to the school (免学费): not in student bank files
    inputs: list[dict] = field(default_factory=list)

    @property
    def total_fen(self) -> int:
        return int(self.pay["amount_fen"].sum()) if len(self.pay) else 0


@dataclass
class Outcome:
    plan: Plan
    batch: str | None
    files: list[Path]
    recovered: list[str]
    report: Path | None
    dry_run: bool = False

    def to_json(self, root: Path, *, frames: bool = False) -> dict:
        """The disburse document of the README's contract. With `frames`, the two lists as long as
        the term (payments, already_paid) are DataFrames, for jsonout.encode."""
        p = self.plan
        frame = p.validation.roster.frame

        def rel(path: Path) -> str:
            return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)

        pay = p.pay
        payments = pd.DataFrame({
            "id_number": pay["person"], "name": pay["name"], "school": pay["school"],
            "programme": pay["programme"], "amount": yuan_text(pay["amount_fen"]), "file": pay["source_file"],
            "row": pay["source_row"].astype("int64"), "bank_profile": pay["bank_profile"],
            "reissue": pay["payment_id"].notna()})
        a = p.already
        already = pd.DataFrame({"id_number": a["person"], "programme": a["programme"], "batch": a["batch"],
                                "status": a["status"], "file": a["file"], "row": a["row"].astype("int64")})
        if not frames:
            payments = payments.astype(object).to_dict("records")
            already = already.astype(object).to_dict("records")
        recs = p.refused["rec"].to_numpy(dtype="int64")
        refused = [{"id_number": _text(i), "name": _text(n), "file": r.file, "row": int(r.row), "codes": list(r.codes)}
                   for r, i, n in zip(p.refused.itertuples(), frame["id_number"].iloc[recs].astype(object),
                                      frame["name"].iloc[recs].astype(object))]
        failed = [{"id_number": r.person, "programme": r.programme, "card": r.card, "reason": r.failure_reason,
                   "file": r.file, "row": int(r.row)} for r in p.failed_unchanged.itertuples()]
        return {"version": 1, "term": str(p.term), "batch": self.batch, "dry_run": self.dry_run,
                "payments": payments, "refused": refused, "already_paid": already,
                "failed_unchanged": failed, "school_funded": len(p.school_funded),
                "recovered_batches": self.recovered, "files": [rel(f) for f in self.files],
                "report": rel(self.report) if self.report else None,
                "totals": {"payments": len(p.pay), "amount": str(L.yuan(p.total_fen))}}


def _text(value) -> str | None:
    return None if value is None or value is pd.NA or (isinstance(value, float) and value != value) else str(value)


# --- planning ------------------------------------------------------------------------------------

def make_plan(ws: Workspace, term: Term, rosters: list[Path], ledger: L.Ledger | None,
              bank: str | None = None, displays: list[str] | None = None) -> Plan:
    rules = ws.rules
    v = validate(rosters, ws, term=term, displays=displays, check_ledger=False)
    f = v.roster.frame
    tables = v.roster.tables
    source_file = pd.Series([t.file for t in tables]).reindex(f["table"].to_numpy()).to_numpy()
    refused = v.refused().to_numpy()
    extra_codes: dict[int, list[str]] = {}

    programmes = rules.programmes.programmes
    payee = per_distinct(f["programme_name"], lambda n: programmes[n].payee if n in programmes else None)
    school_funded = ~refused & (payee == "school").fillna(False).to_numpy(dtype=bool)
    candidate = ~refused & (payee == "student").fillna(False).to_numpy(dtype=bool)

    amount = pd.Series(pd.NA, index=f.index, dtype="Int64")
    for name in programmes:
        rows = candidate & (f["programme_name"] == name).fillna(False).to_numpy()
        if not rows.any():
            continue
        period = rules.period_in_force(name, term)
        standard = expected_fen(f, period.amount)
        value = f["amount_fen"] if standard is None else standard.fillna(f["amount_fen"])
        amount[rows] = value[rows]
    amount_missing = candidate & amount.isna().to_numpy()  # cannot happen after validation; never guess
    if amount_missing.any():
        raise AidctlError(f"{int(amount_missing.sum())} 条记录无法确定发放金额：这是 aidctl 的缺陷，请报告")

    profile = _route(f, rules, ws, bank)
    unknown_bank = candidate & profile.isna().to_numpy()
    for rec in np.flatnonzero(unknown_bank):
        extra_codes.setdefault(int(rec), []).append("bank.unknown")
    candidate &= ~unknown_bank

    memo_label = rules.term_label(term)

    def of_candidates(column: pd.Series):
        # filtered in the column's own storage (Arrow for text): turning 500,000 values into Python
        # objects here only to have them turned back into Arrow costs ~0.2 s
        return column.array[candidate]

    person = of_candidates(f["person"])
    pay = pd.DataFrame({
        "rec": np.flatnonzero(candidate),
        "person": person,
        "name": of_candidates(f["name"]),
        "school": of_candidates(f["school"]),
        "county": of_candidates(f["v_county"]),
        "programme": of_candidates(f["programme_name"]),
        "amount_fen": amount.to_numpy()[candidate].astype("int64"),
        "card": of_candidates(f["card"]),
        "id_number": person,
        "bank_profile": of_candidates(profile),
        "source_file": source_file[candidate],
        "source_row": f["excel_row"].to_numpy()[candidate],
    })
    pay["memo"] = memo_label + pay["programme"]
    for pid, group in pay.groupby("bank_profile"):
        reasons = unwritable(rules.bank(pid), group)
        for rec in group["rec"][reasons.notna().to_numpy()]:  # a rare name the bank's encoding lacks
            extra_codes.setdefault(int(rec), []).append("bank.unwritable")
    pay = pay[~pay["rec"].isin(list(extra_codes))]

    already, failed_unchanged, reissue = _against_ledger(pay, ledger, term)
    pay = pay.assign(payment_id=pay["rec"].map(reissue).astype("Int64"))
    pay = pay[~pay["rec"].isin(already["rec"]) & ~pay["rec"].isin(failed_unchanged["rec"])]
    pay = pay.sort_values(["bank_profile", "school", "programme", "source_file", "source_row"],
                          na_position="last", kind="stable").reset_index(drop=True)

    refused_df = _refusals(v, refused, extra_codes, source_file)
    already = already.assign(file=source_file[already["rec"]], row=f["excel_row"].to_numpy()[already["rec"]])
    failed_unchanged = failed_unchanged.assign(file=source_file[failed_unchanged["rec"]],
                                               row=f["excel_row"].to_numpy()[failed_unchanged["rec"]])
    inputs = [{"file": str(p), "sha256": sha256(p),
               "records": sum(t.records for t in tables if t.path == p)} for p in dict.fromkeys(rosters)]
    return Plan(term, v, pay, refused_df, already, failed_unchanged,
                pd.DataFrame({"rec": np.flatnonzero(school_funded)}), inputs)


def _route(f: pd.DataFrame, rules, ws: Workspace, bank: str | None) -> pd.Series:
    """The bank profile of each record: --bank; else the profile naming its 开户银行; else, with no
    开户银行 written, the workspace's agent bank; a bank named but without a profile → None."""
    if bank:
        rules.bank(bank)
        return pd.Series(bank, index=f.index, dtype=object)
    default = ws.settings.bank_profile or rules.default_bank
    rules.bank(default)
    by_name = {fold_one(n): pid for pid, p in rules.banks.items() for n in p.bank_names}
    written = f["bank"]

    def pick(name):
        key = fold_one(name)
        return by_name.get(key) or next((pid for n, pid in by_name.items() if n and n in key), None)

    return per_distinct(written, pick).astype(object).where(written.notna(), default)


def _against_ledger(pay: pd.DataFrame, ledger: L.Ledger | None, term: Term):
    """Split by what the ledger holds: standing payments (not paid again), failed ones whose card is
    unchanged (not sent again), and failed ones now on another card (rec → payment id to re-issue)."""
    cols = ["rec", "person", "programme", "batch", "status", "card", "payment_id", "failure_reason"]
    if ledger is None or pay.empty:
        return pd.DataFrame(columns=cols), pd.DataFrame(columns=cols), pd.Series(dtype="Int64")
    known = paid_keys(ledger, str(term))
    merged = pay[["rec", "person", "programme", "card"]].merge(
        known.rename(columns={"card": "paid_card"}), on=["person", "programme"], how="inner")
    standing = merged[merged["status"].isin(PAID_OR_UNDER_WAY)]
    failed = merged[merged["status"] == "failed"]
    unchanged = failed[failed["card"] == failed["paid_card"]]
    reissue = failed[failed["card"] != failed["paid_card"]].set_index("rec")["payment_id"]
    return (standing.drop(columns="paid_card")[cols],
            unchanged.drop(columns="card").rename(columns={"paid_card": "card"})[cols], reissue)


def _refusals(v: Validation, refused: np.ndarray, extra: dict[int, list[str]], source_file) -> pd.DataFrame:
    f = v.findings
    errors = f[f["severity"] == ERROR]
    frame = v.roster.frame
    codes: dict[int, list[str]] = {}
    for rec, code in errors.loc[errors["rec"] >= 0, ["rec", "code"]].itertuples(index=False, name=None):
        codes.setdefault(int(rec), []).append(code)
    whole_file = errors.loc[errors["rec"] < 0].groupby("table")["code"].agg(list).to_dict()
    recs = sorted(set(np.flatnonzero(refused)) | set(extra))
    out = []
    tables = frame["table"].to_numpy()
    excel_rows = frame["excel_row"].to_numpy()
    for rec in recs:  # refused records are few; each keeps its codes in order of the catalogue
        table = int(tables[rec])
        all_codes = list(dict.fromkeys(whole_file.get(table, []) + codes.get(rec, []) + extra.get(rec, [])))
        out.append({"rec": rec, "file": source_file[rec], "row": int(excel_rows[rec]), "codes": all_codes})
    return pd.DataFrame(out, columns=["rec", "file", "row", "codes"])


# --- executing -----------------------------------------------------------------------------------

def new_batch_id() -> str:
    return "B" + datetime.now().strftime("%Y%m%d%H%M%S") + secrets.token_hex(2).upper()


def execute(plan: Plan, ws: Workspace, ledger: L.Ledger, operator: str | None = None) -> tuple[str, list[Path]]:
    """Record the plan as one batch, then put its files in place. Returns the batch id and the files;
    the batch is complete once mark_sent has run (until then the next run would complete it)."""
    rules = ws.rules
    batch_id = new_batch_id()
    created = L.now()
    pay = plan.pay.copy(deep=False)  # copy-on-write: the plan keeps its own columns
    pay["file_seq"] = np.arange(1, len(pay) + 1)
    ctx = _context(ws, plan.term, batch_id, created)
    # each record was proven writable in the plan; one record per profile proves the templates and
    # settings (header fields, payer account for ISO 20022) before the ledger is touched
    for pid, group in pay.groupby("bank_profile"):
        render(pid, rules.bank(pid), group.head(1), ctx | {"programme": ""})
    operator = operator or ws.settings.operator or getpass.getuser()
    with ledger.transaction() as conn, ThreadPoolExecutor(max_workers=1) as pool:
        conn.execute(insert(L.batches).values(
            id=batch_id, term=str(plan.term), created_at=created, operator=operator,
            rules_fingerprint=rules.fingerprint, status="recorded", payments=len(pay),
            total_fen=int(pay["amount_fen"].sum())))
        if plan.inputs:
            conn.execute(insert(L.batch_inputs), [i | {"batch_id": batch_id} for i in plan.inputs])
        again = pay[pay["payment_id"].notna()]
        for r in again.itertuples():  # failed payments sent again to a corrected card: few
            conn.execute(update(L.payments).where(L.payments.c.id == int(r.payment_id),
                                                  L.payments.c.status == "failed")
                         .values(card=r.card, name=r.name, bank_profile=r.bank_profile, status="pending",
                                 batch_id=batch_id, failure_reason=None, updated_at=created))
        if len(again):  # a re-issue keeps the school it was first paid under: the files show the ledger's
            schools = dict(conn.execute(select(L.payments.c.id, L.payments.c.school)
                                        .where(L.payments.c.id.in_([int(i) for i in again["payment_id"]]))).all())
            pay.loc[again.index, "school"] = [schools[int(i)] for i in again["payment_id"]]
        records = pay[RECORD_COLUMNS].reset_index(drop=True)  # in 序号 order: numbered in plan order
        # The files are rendered in memory while SQLite takes the rows (it steps without the GIL); they
        # are proven against the ledger and written only after this transaction (put_in_place).
        rendering = pool.submit(render_batch, ws, {"id": batch_id, "term": str(plan.term), "created_at": created},
                                records)
        # New payments are numbered in the order of the ledger's unique key (programme, person within
        # the term) and inserted in that order, attempts in payment order: every index then grows at
        # its end instead of at random places (~2× faster for a term of 500,000 payments).
        new = pay[pay["payment_id"].isna()]
        new = new.iloc[_key_order(new["programme"], new["person"])]
        first_id = (conn.execute(select(func.max(L.payments.c.id))).scalar() or 0) + 1  # under BEGIN IMMEDIATE
        ids = pd.Series(np.arange(first_id, first_id + len(new)), index=new.index)
        pay["pid"] = pay["payment_id"].astype("Int64")
        pay.loc[new.index, "pid"] = ids
        if len(new):
            rows = pd.DataFrame({
                "id": ids.astype("int64"), "programme": new["programme"], "person": new["person"],
                "name": new["name"], "school": new["school"], "county": new["county"], "card": new["card"],
                "bank_profile": new["bank_profile"], "amount_fen": new["amount_fen"].astype("int64"),
                "source_file": new["source_file"], "source_row": new["source_row"].astype("int64")})
            L.bulk_insert(conn, L.payments, rows, {"term": str(plan.term), "status": "pending",
                                                   "batch_id": batch_id, "updated_at": created})
        attempts = pd.DataFrame({
            "payment_id": pay["pid"].astype("int64"), "file_seq": pay["file_seq"], "card": pay["card"],
            "amount_fen": pay["amount_fen"].astype("int64")}).sort_values("payment_id", kind="stable")
        L.bulk_insert(conn, L.attempts, attempts, {"batch_id": batch_id, "status": "pending",
                                                   "created_at": created})
    files = put_in_place(ws, ledger, batch_id, records=records, files=rendering.result(),
                         expected_total_fen=plan.total_fen, expected_count=len(pay))
    return batch_id, files


def _key_order(programme: pd.Series, person: pd.Series) -> np.ndarray:
    """Positions that sort rows by (programme, person) as SQLite's index does (UTF-8 bytes), stable."""
    import pyarrow as pa
    import pyarrow.compute as pc

    # a handful of programmes: sorted as Python orders text (by code point, as UTF-8 bytes are)
    codes, _ = pd.factorize(programme, sort=True)
    keys = pa.table({"programme": codes, "person": arrow_text(person)})
    return pc.sort_indices(keys, sort_keys=[("programme", "ascending"), ("person", "ascending")]).to_numpy()


def _context(ws: Workspace, term: Term, batch_id: str, created: str) -> dict:
    moment = datetime.fromisoformat(created)
    return {"term": str(term), "term_label": ws.rules.term_label(term), "batch": batch_id,
            "date": moment.strftime("%Y%m%d"), "date_iso": moment.strftime("%Y-%m-%d"),
            "timestamp": moment.strftime("%Y-%m-%dT%H:%M:%S"),
            "payer_name": ws.settings.payer_name, "payer_account": ws.settings.payer_account}


RECORD_COLUMNS = ["file_seq", "card", "amount_fen", "name", "id_number", "programme", "school", "bank_profile"]


def _batch_join():
    return L.attempts.join(L.payments, L.payments.c.id == L.attempts.c.payment_id)


def batch_records(conn, batch_id: str) -> pd.DataFrame:
    """A batch's records in file order, from the ledger (what its bank files must hold)."""
    a, p = L.attempts.c, L.payments.c
    rows = conn.execute(select(a.file_seq, a.card, a.amount_fen, p.name, p.person, p.programme, p.school,
                               p.bank_profile).select_from(_batch_join())
                        .where(a.batch_id == batch_id).order_by(a.file_seq)).all()
    return pd.DataFrame(list(map(tuple, rows)), columns=RECORD_COLUMNS)


def _ledger_sums(conn, batch_id: str, profiles) -> tuple[int, int, dict]:
    """The batch's attempts in the ledger: their count and amount, and per bank profile of
    `profiles` their count, amount and Σ 序号 × amount (the last changes when any record moves or
    takes another's amount). One pass, without sorting the batch by profile."""
    a, p = L.attempts.c, L.payments.c
    columns = [func.count(), func.coalesce(func.sum(a.amount_fen), 0)]
    for pid in profiles:
        mine = p.bank_profile == pid
        columns += [func.count(case((mine, 1))), func.coalesce(func.sum(case((mine, a.amount_fen))), 0),
                    func.coalesce(func.sum(case((mine, a.file_seq * a.amount_fen))), 0)]
    row = [int(v) for v in conn.execute(select(*columns).select_from(
        L.attempts.outerjoin(L.payments, L.payments.c.id == a.payment_id)).where(a.batch_id == batch_id)).one()]
    return row[0], row[1], {pid: tuple(row[2 + 3 * i:5 + 3 * i]) for i, pid in enumerate(profiles)}


def _record_sums(records: pd.DataFrame) -> dict:
    amount = records["amount_fen"].astype("int64")
    weighted = records["file_seq"].astype("int64") * amount
    grouped = pd.DataFrame({"n": 1, "amount": amount, "weighted": weighted}).groupby(
        records["bank_profile"].to_numpy()).sum()
    return {pid: (int(r.n), int(r.amount), int(r.weighted)) for pid, r in grouped.iterrows()}


def complete_batch(ws: Workspace, ledger: L.Ledger, batch_id: str) -> list[Path]:
    """Complete a recorded batch: its files put in place from the ledger's records, then marked sent."""
    written = put_in_place(ws, ledger, batch_id)
    mark_sent(ledger, batch_id)
    return written


def put_in_place(ws: Workspace, ledger: L.Ledger, batch_id: str, *, records: pd.DataFrame | None = None,
                 files: list[BankFile] | None = None, expected_total_fen: int | None = None,
                 expected_count: int | None = None) -> list[Path]:
    """Render a recorded batch's files, prove the totals, put them in place (and SHA256SUMS).

    `records` are the rows just recorded, and `files` those rendered from them (execute); without
    them (recovering an interrupted run) the batch's records are read back from the ledger and
    rendered here. Either way the files come from the same columns through render_batch, and the
    records' count, amount and Σ 序号 × amount per bank profile must equal the ledger's before
    anything is written."""
    with ledger.connect() as conn:
        batch = conn.execute(select(L.batches).where(L.batches.c.id == batch_id)).mappings().one()
        if records is None:
            records = batch_records(conn, batch_id)
        record_sums = _record_sums(records)
        count, total, ledger_sums = _ledger_sums(conn, batch_id, sorted(record_sums))
    # every attempt of the batch is under one of the records' profiles, with their sums
    if record_sums != ledger_sums or sum(n for n, _, _ in ledger_sums.values()) != count:
        raise AidctlError(f"批次 {batch_id} 的发放明细与账本记录不一致（按银行格式的笔数、金额或序号），银行文件没有写出："
                          "请报告此问题，勿手工改账")
    if files is None:
        files = render_batch(ws, batch, records)
    _prove_totals(batch_id, files, records, count, total, batch, expected_total_fen, expected_count)
    out = ws.out_dir(Term.parse(batch["term"]))
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob(".*.part"):
        stale.unlink(missing_ok=True)  # left by a run killed while writing
    written = write_files(files, out)
    write_manifest(out)
    return written


def mark_sent(ledger: L.Ledger, batch_id: str, reissued: list[int] | None = None) -> None:
    """The batch's files are in place: its attempts and payments are sent, the payments sent before
    (to a card that failed) reissued, and the batch complete. `reissued` are those payments' ids when
    the caller knows them (the plan does); else the ledger says which of the batch's payments have
    an earlier attempt (recovery)."""
    p = L.payments.c
    with ledger.transaction() as conn:
        conn.execute(update(L.attempts).where(L.attempts.c.batch_id == batch_id, L.attempts.c.status == "pending")
                     .values(status="sent"))
        if reissued is None:
            earlier = select(func.count()).where(L.attempts.c.payment_id == p.id).scalar_subquery() > 1
            reissued = list(conn.execute(select(p.id).where(p.batch_id == batch_id, p.status == "pending", earlier))
                            .scalars())
        now = L.now()
        conn.execute(update(L.payments).where(p.batch_id == batch_id, p.status == "pending")
                     .values(status="sent", updated_at=now))
        if reissued:  # a few: one statement, the ids bound one at a time
            conn.execute(update(L.payments).where(p.id == bindparam("pid"), p.batch_id == batch_id)
                         .values(status="reissued"), [{"pid": int(i)} for i in reissued])
        conn.execute(update(L.batches).where(L.batches.c.id == batch_id).values(status="complete"))


def render_batch(ws: Workspace, batch, records: pd.DataFrame) -> list[BankFile]:
    """The bank files of a batch (its ledger row) holding `records` (RECORD_COLUMNS, in file order)."""
    ctx = _context(ws, Term.parse(batch["term"]), batch["id"], batch["created_at"])
    records = records.assign(memo=ctx["term_label"] + records["programme"])
    files: list[BankFile] = []
    for pid, group in records.groupby("bank_profile", sort=True):
        files += render(pid, ws.rules.bank(pid), group, ctx | {"programme": ""})
    return files


def _prove_totals(batch_id, files, records, count, total, batch, expected_total, expected_count) -> None:
    """Bank file totals = ledger totals = the sum of the records (= the plan's): else write nothing."""
    file_count = sum(f.count for f in files)
    file_total = sum(f.total_fen for f in files)
    declared = sum(f.declared_total_fen for f in files)
    checks = {"银行文件笔数": file_count, "账本笔数": count, "批次登记笔数": batch["payments"],
              "明细笔数": len(records)}
    amounts = {"银行文件金额": file_total, "银行文件汇总行金额": declared, "账本金额": total,
               "批次登记金额": batch["total_fen"], "明细金额": int(records["amount_fen"].sum())}
    if expected_count is not None:
        checks["发放计划笔数"] = expected_count
    if expected_total is not None:
        amounts["发放计划金额"] = expected_total
    detail = disagreement(checks, amounts)
    if detail:
        raise AidctlError(f"批次 {batch_id} 合计不符，银行文件没有写出（{detail}）：请报告此问题，勿手工改账")


def write_manifest(out: Path) -> Path:
    """SHA256SUMS over every file aidctl wrote in the term's folder (the format sha256sum -c reads)."""
    lines = [f"{sha256(p)}  {p.name}\n" for p in sorted(out.iterdir())
             if p.is_file() and p.name != MANIFEST and not p.name.startswith(".")]
    target = out / MANIFEST
    with atomic_path(target) as tmp:
        tmp.write_text("".join(lines), encoding="utf-8")
    return target


def recover(ws: Workspace, ledger: L.Ledger, term: Term) -> list[str]:
    """Complete every batch of the term that was recorded but whose files were never put in place."""
    with ledger.connect() as conn:
        pending = [b["id"] for b in ledger.unfinished_batches(conn, str(term))]
    for batch_id in pending:
        complete_batch(ws, ledger, batch_id)
    return pending


def disburse(ws: Workspace, term: Term, rosters: list[Path] | None = None, *, bank: str | None = None,
             dry_run: bool = False, db: str | None = None, wait: float = 0,
             displays: list[str] | None = None, operator: str | None = None) -> Outcome:
    """Plan and (unless dry_run) pay the term's rosters; see the module docstring for the order of work."""
    with disbursing(ws, term, rosters, bank=bank, dry_run=dry_run, db=db, wait=wait, displays=displays,
                    operator=operator) as outcome:
        return outcome


@contextlib.contextmanager
def disbursing(ws: Workspace, term: Term, rosters: list[Path] | None = None, *, bank: str | None = None,
               dry_run: bool = False, db: str | None = None, wait: float = 0,
               displays: list[str] | None = None, operator: str | None = None):
    """disburse(), for a caller with more to do with the outcome (the CLI makes its document): the
    outcome is given while SQLite still marks the batch sent, without the GIL (~1 s for 500,000
    payments). The batch is complete when the block ends, or the marking's failure is raised there:
    show nothing before then."""
    from aidctl.ledger import workspace_lock
    from aidctl.reports import write_payment_report

    if not rosters:
        rosters = ws.intake(term)
        displays = [ws.display(p) for p in rosters]
    if dry_run:
        ledger = L.Ledger(ws.ledger_url(db)) if (db or ws.has_ledger()) else None
        plan = make_plan(ws, term, rosters, ledger, bank, displays)
        yield Outcome(plan, None, [], [], None, dry_run=True)
        return
    with workspace_lock(ws.root, wait), ThreadPoolExecutor(max_workers=1) as marker:
        ledger = L.Ledger(ws.ledger_url(db))
        recovered = recover(ws, ledger, term)
        plan = make_plan(ws, term, rosters, ledger, bank, displays)
        intake.record(ledger, plan.validation, "disburse", display=intake.workspace_names(ws),
                      digests={Path(i["file"]): i["sha256"] for i in plan.inputs})  # hashed while planning
        batch, files, marking = None, [], None
        if len(plan.pay):
            batch, files = execute(plan, ws, ledger, operator)
            reissued = plan.pay["payment_id"].dropna().astype("int64").tolist()
            marking = marker.submit(mark_sent, ledger, batch, reissued)
        report = write_payment_report(plan, batch, files, ws.out_dir(term), ws.rules)  # while marking
        write_manifest(ws.out_dir(term))
        yield Outcome(plan, batch, files, recovered, report)
        if marking is not None:
            marking.result()
