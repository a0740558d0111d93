"""A batch: record a plan as one batch, put its bank files in place proven against the ledger, mark it
sent; and complete the batches a killed or interrupted run recorded but never put in place."""

from __future__ import annotations

import getpass
import os
import re
import secrets
import shutil
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import bindparam, case, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from aidctl import ledger as L
from aidctl.core import money, progress
from aidctl.core.errors import AidctlError
from aidctl.core.files import atomic_path, fsync_folder, sha256, write_failure
from aidctl.core.money import disagreement
from aidctl.core.terms import Term
from aidctl.core.text import arrow_text
from aidctl.pay.bankfiles import BankFile, UnwritableRecords, render, unwritable, write_files
from aidctl.pay.plan import Plan
from aidctl.read import Workspace

MANIFEST = "SHA256SUMS"
STAGING = ".staging-"          # + batch id: a hidden folder in out/<term>/ where a batch's files are written
IN_PROGRESS = "正在写入_"       # + batch id + "_请勿发送.txt": stands in out/<term>/ while files are moved in
BATCH_KEY = 0x61696433         # the advisory lock class id of a batch's transaction on PostgreSQL


def new_batch_id() -> str:
    return "B" + datetime.now().strftime("%Y%m%d%H%M%S") + secrets.token_hex(2).upper()


# a batch id as new_batch_id writes it (B, the time to the second, four hex digits), found by its form
# in a 回盘's name and text whether or not the ledger holds it (pay.reconciliation)
BATCH_ID = re.compile(r"(?<![0-9A-Za-z])B\d{14}[0-9A-Fa-f]{4}(?![0-9A-Za-z])")


def execute(plan: Plan, ws: Workspace, ledger: L.Ledger, operator: str | None = None,
            batch_id: str | None = None) -> tuple[str, list[Path]]:
    """Record the plan as one batch (numbered `batch_id`, new_batch_id by default), then put its
    files in place. Returns the batch id and the files; the batch is complete once mark_sent has
    run (until then the next run would complete it)."""
    rules = ws.rules
    batch_id = batch_id or new_batch_id()
    created = L.now()
    pay = plan.pay.copy(deep=False)  # copy-on-write: the plan keeps its own columns
    pay["file_seq"] = np.arange(1, len(pay) + 1)
    ctx = _context(ws, plan.term, batch_id, created)
    # each record was proven writable in the plan; one record per profile proves the templates and
    # settings (header fields, payer account for ISO 20022) before the ledger is touched
    for pid, group in pay.groupby("bank_profile"):
        render(pid, rules.bank(pid), group.head(1), ctx | {"programme": ""})
    operator = operator or ws.settings.operator or getpass.getuser()
    progress.stage(f"写入账本（{len(pay):,} 笔）")
    try:
        records, rendered = _record(plan, ws, ledger, batch_id, created, operator, pay)
    except IntegrityError as exc:  # the ledger's unique key: another run on the same ledger came first
        raise AidctlError("账本拒绝了本批次（其中有学生在同一项目和学期已有付款记录：另一个使用同一账本的发放任务"
                          f"在本次计划之后记入了他们）；本次没有记录任何内容：请重新运行 disburse，已发放的学生不会"
                          f"重复发放（{L.first_line(exc.orig)}）", file=ledger.shown) from None
    except UnwritableRecords as exc:  # the plan passed them by the renderer's own test: never expected
        raise AidctlError(f"{exc.message}；本次没有记录任何内容（发放计划本应已将其列为 bank.unwritable："
                          "这是 aidctl 的缺陷，请报告）") from None
    progress.stage("写出银行报盘文件")
    files = put_in_place(ws, ledger, batch_id, records=records, files=rendered,
                         expected_total_fen=plan.total_fen, expected_count=len(pay))
    return batch_id, files


def _record(plan: Plan, ws: Workspace, ledger: L.Ledger, batch_id: str, created: str, operator: str,
            pay: pd.DataFrame):
    """The batch, its payments and attempts, in one transaction; its files rendered meanwhile, and
    waited for before it commits: a batch whose files cannot be made is not recorded."""
    rules = ws.rules
    with ledger.transaction() as conn, ThreadPoolExecutor(max_workers=1) as pool:
        _serialise(conn)
        conn.execute(insert(L.batches).values(
            id=batch_id, term=str(plan.term), created_at=created, operator=operator,
            rules_fingerprint=rules.fingerprint, status="recorded", payments=len(pay),
            total_fen=plan.total_fen, workspace=str(ws.root)))
        if plan.inputs:
            conn.execute(insert(L.batch_inputs), [i | {"batch_id": batch_id} for i in plan.inputs])
        again = pay[pay["payment_id"].notna()]
        for r in again.itertuples():  # failed payments sent again to a corrected card: few
            done = conn.execute(update(L.payments).where(L.payments.c.id == int(r.payment_id),
                                                         L.payments.c.status == "failed")
                                .values(card=r.card, name=r.name, bank_profile=r.bank_profile, status="pending",
                                        batch_id=batch_id, failure_reason=None, updated_at=created)).rowcount
            if done != 1:  # another run on the same ledger re-issued it since this run's plan
                raise AidctlError(f"{r.name}的付款已由另一个使用同一账本的发放任务重发；本次没有记录任何内容："
                                  "请重新运行 disburse")
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
        files = rendering.result()  # (the pool waits for it before the commit anyway)
    return records, files


def _serialise(conn) -> None:
    """On PostgreSQL a batch's transaction first takes the ledger's write lock (SQLite's BEGIN
    IMMEDIATE already holds it): the payment ids are numbered from the ledger's largest, and two
    runs on one ledger must not number alike. A student another run recorded since this run's
    plan is then refused by the ledger's unique key, which Ledger.transaction turns into a clear
    message; a re-issue another run made is caught by _reissue below."""
    L.exclusive(conn, BATCH_KEY)


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
    # exact first: within 64 bits no sum below (nor the ledger's in SQL) wraps round
    money.check_sums(amount, "批次明细", seq=records["file_seq"].astype("int64"))
    weighted = records["file_seq"].astype("int64") * amount
    grouped = pd.DataFrame({"n": 1, "amount": amount, "weighted": weighted}).groupby(
        records["bank_profile"].to_numpy()).sum()
    return {pid: (int(r.n), int(r.amount), int(r.weighted)) for pid, r in grouped.iterrows()}


def put_in_place(ws: Workspace, ledger: L.Ledger, batch_id: str, *, records: pd.DataFrame | None = None,
                 files: list[BankFile] | None = None, expected_total_fen: int | None = None,
                 expected_count: int | None = None) -> list[Path]:
    """Render a recorded batch's files, prove the totals, put them in place (and SHA256SUMS).

    `records` are the rows just recorded, and `files` those rendered from them (execute); without
    them (recovering an interrupted run) the batch's records are read back from the ledger and
    rendered here. Either way the files come from the same columns through render_batch, and the
    records' count, amount and Σ 序号 × amount per bank profile must equal the ledger's before
    anything is written."""
    out, files = prepare(ws, ledger, batch_id, records=records, files=files, expected_total_fen=expected_total_fen,
                         expected_count=expected_count)
    try:
        return publish(out, batch_id, files)
    except AidctlError as exc:
        raise AidctlError(f"{exc.message}；批次 {batch_id} 已记入账本，其银行文件没有放入 {out.name}/，"
                          "下次运行 disburse 时会先补全", file=exc.file) from None


def prepare(ws: Workspace, ledger: L.Ledger, batch_id: str, *, records: pd.DataFrame | None = None,
            files: list[BankFile] | None = None, expected_total_fen: int | None = None,
            expected_count: int | None = None) -> tuple[Path, list[BankFile]]:
    """put_in_place up to the writing: the batch's files rendered (from the ledger where `records`
    are not given) and proven against the ledger, in memory; the folder they go to. Nothing is
    written or changed, so that disburse --dry-run can ask it of a batch the real run would
    complete (foresee), and meet the error the real run would stop with."""
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
        try:
            files = render_batch(ws, batch, records)
        except UnwritableRecords as exc:  # recorded by an older aidctl, whose check let the character by
            raise _stuck(ledger, batch_id, exc) from None
    _prove_totals(batch_id, files, records, count, total, batch, expected_total_fen, expected_count)
    return ws.out_dir(Term.parse(batch["term"])), files


def _stuck(ledger: L.Ledger, batch_id: str, exc: UnwritableRecords) -> AidctlError:
    """What to do about a recorded batch holding a record its bank file cannot carry (an older aidctl
    let • and other characters outside GBK by). The ledger keeps the name as recorded, so correcting
    the roster changes nothing, and aidctl has no command to void a batch: the one way out is a
    profile that writes the character, offered only where it would (GB18030 carries every record),
    and only where the bank takes such a file."""
    first = exc.records.iloc[0]
    a, p = L.attempts.c, L.payments.c
    with ledger.connect() as conn:
        source = conn.execute(select(p.source_file, p.source_row).select_from(_batch_join())
                              .where(a.batch_id == batch_id, a.file_seq == int(first["file_seq"]))).first()
    where = f"（{source.source_file} 第{source.source_row}行）" if source else ""
    others = f"；同批次共 {len(exc.records)} 名学生如此" if len(exc.records) > 1 else ""
    pid, profile = exc.profile_id, exc.profile
    gb18030 = profile.model_copy(update={"allow_gb18030": True})
    way = (f"若代理银行接受 GB18030 编码的报盘，在工作目录的 rules/banks/{pid}.yaml（没有时复制 aidctl 自带的同名格式）"
           "中设 allow_gb18030: true 后再运行 disburse，该批次即以 GB18030 写出并补全。否则，"
           if not profile.allow_gb18030 and unwritable(gb18030, exc.records).isna().all() else "")
    return AidctlError(
        f"批次 {batch_id} 已记入账本，但其银行文件无法写出：学生 {first['name']}{where}的{exc.reasons.iloc[0]}{others}。"
        "该批次记入时没有查出这一点（旧版 aidctl 的检查遗漏，或此后改过银行格式），其付款都还没有发送；"
        "补全批次用的是账本记下的内容，更正花名册无济于事，每次 disburse 都会停在这里。"
        f"{way}aidctl 没有作废已记入批次的命令：请勿手工修改账本，将批次号 {batch_id} 和本提示报告 aidctl 维护人员")


def publish(out: Path, batch_id: str, files: list[BankFile]) -> list[Path]:
    """Put a batch's files into `out` whole: each is written (and fsynced) in the hidden folder
    .staging-<batch> first, then, with 正在写入_<batch>_请勿发送.txt standing in `out`, moved in by
    rename and SHA256SUMS rewritten; the note goes last. A run cut off while writing leaves
    nothing of the batch in `out`; one cut off while moving leaves the note beside the files; the
    next run writes them again from the ledger either way."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        for stale in out.glob(".*.part"):
            stale.unlink(missing_ok=True)  # left by a run killed while writing
        stage = out / f"{STAGING}{batch_id}"
        shutil.rmtree(stage, ignore_errors=True)
        stage.mkdir()
    except OSError as exc:
        raise write_failure(exc, out) or AidctlError(f"无法在此写入（{exc.strerror}）", file=str(out)) from None
    try:
        staged = write_files(files, stage)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)  # a full disk gets its space back
        raise
    note = out / f"{IN_PROGRESS}{batch_id}_请勿发送.txt"
    with atomic_path(note) as tmp:
        tmp.write_text(f"批次 {batch_id} 的银行文件正在放入本目录。本文件还在时，该批次的文件不完整，请勿发送；"
                       "aidctl disburse 会补全它们。\r\n", encoding="utf-8")
    written = []
    try:
        for path in staged:
            os.replace(path, out / path.name)
            written.append(out / path.name)
        fsync_folder(out)
    except OSError as exc:
        raise write_failure(exc, out) or AidctlError(f"无法写入（{exc.strerror}）", file=str(out)) from None
    write_manifest(out)
    note.unlink()
    shutil.rmtree(stage, ignore_errors=True)
    fsync_folder(out)
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
               "批次登记金额": batch["total_fen"], "明细金额": money.exact_total(records["amount_fen"])}
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
             if p.is_file() and p.name != MANIFEST and not p.name.startswith((".", IN_PROGRESS))]
    target = out / MANIFEST
    with atomic_path(target) as tmp:
        tmp.write_text("".join(lines), encoding="utf-8")
    return target


def complete_batch(ws: Workspace, ledger: L.Ledger, batch_id: str) -> list[Path]:
    """Complete a recorded batch: its files put in place from the ledger's records, then marked sent."""
    written = put_in_place(ws, ledger, batch_id)
    mark_sent(ledger, batch_id)
    return written


def recover(ws: Workspace, ledger: L.Ledger, term: Term) -> tuple[dict[str, list[Path]], list[dict]]:
    """Complete every batch of the term that this workspace recorded but whose files were never put
    in place: batch id → its files. Batches another workspace sharing the ledger recorded are its
    to complete (their files belong in its out/): they are returned as {batch, workspace}."""
    mine, elsewhere = _unfinished(ws, ledger, term)
    return {b["id"]: complete_batch(ws, ledger, b["id"]) for b in mine}, elsewhere


def foresee(ws: Workspace, ledger: L.Ledger, term: Term) -> tuple[dict[str, int], list[dict]]:
    """What recover would do, doing none of it (disburse --dry-run): each batch the real run would
    complete first (batch id → its payments), its files rendered from the ledger and proven as
    recovery renders and proves them, in memory; and the batches of other workspaces. A batch
    recovery could not complete (one an older aidctl recorded with a name its bank file cannot
    carry) raises the error the real run stops with: the dry run never shows its students as paid."""
    mine, elsewhere = _unfinished(ws, ledger, term)
    for b in mine:
        prepare(ws, ledger, b["id"])
    return {b["id"]: int(b["payments"]) for b in mine}, elsewhere


def _unfinished(ws: Workspace, ledger: L.Ledger, term: Term) -> tuple[list, list[dict]]:
    """The term's batches not complete: this workspace's (or a workspace's whose folder is gone), as
    their ledger rows, oldest first; the others' as {batch, workspace}."""
    with ledger.connect() as conn:
        pending = ledger.unfinished_batches(conn, str(term))
    mine = [b for b in pending if b.get("workspace") in (None, str(ws.root)) or not Path(b["workspace"]).is_dir()]
    ids = {b["id"] for b in mine}
    return mine, [{"batch": b["id"], "workspace": b["workspace"]} for b in pending if b["id"] not in ids]
