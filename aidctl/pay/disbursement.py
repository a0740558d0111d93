"""disburse: checked rosters → payment plan → ledger → bank files and the payment audit workbook.

Order of work, so that nothing is ever paid twice or half-written:
1. plan: validate the rosters; refuse every record with an error; route each payment to a bank
   profile and prove its file can carry it; compare with the ledger (already paid → reported;
   failed and now on a corrected card → re-issued);
2. record the batch, its payments and attempts in one ledger transaction (status pending);
3. render the bank files from the records just recorded, once their count, amount and Σ 序号 ×
   amount per bank profile equal the ledger's; check file totals = ledger totals = the plan's,
   write them to temporary names and rename; write SHA256SUMS;
4. mark the batch complete (payments sent / reissued) in a second transaction, while the CLI's
   document is made; nothing is shown before it has committed.
The audit workbook is made on a second thread from 2 on (its sheets come from the plan), lists the
bank files once 3 has put them in place, and is written only if 2 and 3 succeed.
A run killed after 2 leaves a recorded batch: the next run reads its records back from the ledger,
renders the same files through the same renderer and completes it before planning anything new,
and writes the batch's audit workbook. Ctrl-C during 2–4 is held off until they end.
A ledger shared by several workspaces takes one paying run at a time (Ledger.paying_lock).
"""

from __future__ import annotations

import contextlib
import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from aidctl import ledger as L
from aidctl.check import RETURNS_FOLDER, write_returns
from aidctl.core import progress
from aidctl.core.errors import AidctlError
from aidctl.core.interrupts import interrupts_deferred
from aidctl.core.money import yuan, yuan_text
from aidctl.core.terms import Term
from aidctl.core.text import text_or_none
from aidctl.ledger import intake_names, record_intake
from aidctl.pay.batch import (
    MANIFEST,
    batch_records,
    execute,
    foresee,
    mark_sent,
    new_batch_id,
    recover,
    render_batch,
    write_manifest,
)
from aidctl.pay.plan import Plan, make_plan
from aidctl.read import Workspace

# A school's roster is copied into its correction workbook through openpyxl (about 0.2 ms a cell): a
# file larger than this is not a school's roster as sent, and is left to `validate --returns`, said aloud.
RETURNS_MAX_RECORDS = 10_000
# … and the files to copy in one run together: a city's term (250 schools × 2,000 students, ~0.25 s a
# file) would spend a minute in openpyxl. Beyond it none is copied, said aloud in one line, and
# `validate --returns DIR` makes them; workbooks already made from the same file and findings stay.
RETURNS_BUDGET_RECORDS = 20_000


@dataclass
class Outcome:
    plan: Plan
    batch: str | None
    files: list[Path]
    recovered: list[str]
    report: Path | None
    dry_run: bool = False
    returns: list[Path] = field(default_factory=list)   # the correction workbooks (退回修改) written
    notes: list[str] = field(default_factory=list)      # stderr and JSON: no new workbook, returns not copied …
    recovered_reports: list[Path] = field(default_factory=list)
    unfinished_elsewhere: list[dict] = field(default_factory=list)
    last_report: Path | None = None  # the workbook that still stands when this run wrote none (paid nobody)

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
        refused = [{"id_number": text_or_none(i), "name": text_or_none(n), "file": r.file, "row": int(r.row), "codes": list(r.codes)}
                   for r, i, n in zip(p.refused.itertuples(), frame["id_number"].iloc[recs].astype(object),
                                      frame["name"].iloc[recs].astype(object))]
        failed = [{"id_number": r.person, "programme": r.programme, "card": r.card, "reason": r.failure_reason,
                   "file": r.file, "row": int(r.row)} for r in p.failed_unchanged.itertuples()]
        return {"version": 1, "term": str(p.term), "batch": self.batch, "dry_run": self.dry_run,
                "payments": payments, "refused": refused, "already_paid": already,
                "failed_unchanged": failed, "school_funded": len(p.school_funded),
                "recovered_batches": self.recovered, "recovered_reports": [rel(f) for f in self.recovered_reports],
                "unfinished_elsewhere": self.unfinished_elsewhere, "files": [rel(f) for f in self.files],
                "report": rel(self.report) if self.report else None,
                "last_report": rel(self.last_report) if self.last_report else None, "notes": list(self.notes),
                "returns": [rel(f) for f in self.returns],
                "totals": {"payments": len(p.pay), "amount": str(yuan(p.total_fen))}}


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
    payments), and the payment audit workbook is still being written at the path it names (~2 s).
    The batch is complete and the workbook in place when the block ends, or the failure of either
    is raised there: show nothing before then."""
    from aidctl.pay.lock import workspace_lock
    from aidctl.pay.workbook import new_report_path, write_payment_report

    rosters, named = ws.rosters(rosters, term)  # regular files only, refused before the lock is taken
    displays = displays or named
    ws.rules.banks  # noqa: B018  (read now: a bad bank profile stops the run before the lock and the ledger)
    if dry_run:
        ledger = L.Ledger(ws.ledger_url(db)) if (db or ws.has_ledger()) else None
        ahead, elsewhere = _foreseen(ws, ledger, term) if ledger is not None else ({}, [])
        plan = make_plan(ws, term, rosters, ledger, bank, displays)
        yield Outcome(plan, None, [], [], None, dry_run=True, notes=[*ahead_notes(ahead), *plan.notes],
                      unfinished_elsewhere=elsewhere)
        return
    holder = f"aidctl pid={os.getpid()} {ws.root}"
    # one bar for the whole run (validate's stages report on it): 读取花名册, 审核, 写入账本 …
    with progress.track("读取花名册", files=len(rosters)) as bar, workspace_lock(ws.root, wait), \
            ThreadPoolExecutor(max_workers=2) as beside:
        ledger = L.Ledger(ws.ledger_url(db))
        with ledger.paying_lock(wait, holder):
            with interrupts_deferred(HOLDING):
                recovered, elsewhere = recover(ws, ledger, term)
            plan = make_plan(ws, term, rosters, ledger, bank, displays)
            bar.stage("记录收件")
            record_intake(ledger, plan.validation, "disburse", display=intake_names(ws),
                          digests={Path(i["file"]): i["sha256"] for i in plan.inputs})  # hashed while planning
            out = ws.out_dir(term)
            # every recovered batch gets the workbook its interrupted run would have written, and so
            # does a batch of this workspace whose run ended before its workbook was written (asked
            # now: a read once the marking below holds the ledger's write lock would wait for it)
            missing = {b: _bank_files(ws, ledger, b) for b in _without_workbook(ws, ledger, term)
                       if b not in recovered}
            with interrupts_deferred(HOLDING):
                batch, files, marking, writing, report = None, [], None, None, None
                if len(plan.pay):
                    # The payment audit workbook is made on a second thread while the batch is recorded
                    # (SQLite steps without the GIL), and finished once the bank files are in place: it
                    # lists them. Should the batch not be recorded, it is not written.
                    batch = new_batch_id()
                    report = new_report_path(out, term, batch)
                    placed: Future = Future()
                    writing = beside.submit(write_payment_report, plan, batch, placed, out, ws.rules, report)
                    try:
                        batch, files = execute(plan, ws, ledger, operator, batch)
                    except BaseException:
                        placed.cancel()  # the workbook stops there, its temporary file removed
                        raise
                    placed.set_result(files)
                    reissued = plan.pay["payment_id"].dropna().astype("int64").tolist()
                    marking = beside.submit(mark_sent, ledger, batch, reissued)
                bar.stage("写出发放审核表")
                recovered_reports = [write_payment_report(_recovered_plan(plan, ledger, b), b, written, out, ws.rules)
                                     for b, written in (recovered | missing).items()]
                last = None if batch or recovered_reports else last_report(out, term)
                # a retry that pays nobody writes no workbook: the last one still stands (its 已发放 sheet
                # would be the whole term again); said aloud below
                if batch is None and last is None:
                    report = new_report_path(out, term, None)
                    writing = beside.submit(write_payment_report, plan, None, [], out, ws.rules, report)
                bar.stage("写出退回修改工作簿")
                back = write_returns(plan.validation, out / RETURNS_FOLDER, max_records=RETURNS_MAX_RECORDS,
                                     budget=RETURNS_BUDGET_RECORDS)
                notes = [*plan.notes, *back.notes(ws.display)]
                if last is not None:
                    notes.append(f"本次没有新的发放，没有写出新的发放审核表；最近的发放审核表是 {ws.display(last)}")
                try:
                    yield Outcome(plan, batch, files, list(recovered), report, recovered_reports=recovered_reports,
                                  unfinished_elsewhere=elsewhere, returns=back.files, notes=notes, last_report=last)
                finally:  # the workbook, the manifest and the marking are done (or their failure raised) here
                    if writing is not None:
                        writing.result()
                    if report is not None or recovered_reports or not (out / MANIFEST).is_file():
                        write_manifest(out)  # (the bank files' publishing wrote it already)
                    if marking is not None:
                        marking.result()


HOLDING = "aidctl: 收到中断：正在完成本批次的账本记录和银行文件，完成后退出……"


WOULD_STOP = "实际运行 disburse 会先补全本学期已记入账本的批次，并停在这里（退出码 2），不会发放任何学生"


def _foreseen(ws: Workspace, ledger: L.Ledger, term: Term) -> tuple[dict[str, int], list[dict]]:
    """The batches the real run would complete before planning (batch.foresee). One it could not
    complete stops the dry run as it stops the real run (exit 2, the same message and way out):
    a plan after it, listing the batch's students as paid, is not what the real run would do."""
    try:
        return foresee(ws, ledger, term)
    except AidctlError as exc:
        raise AidctlError(f"试运行：{WOULD_STOP}（花名册的审核结果可用 aidctl validate 查看）。{exc.message}",
                          file=exc.file) from None


def ahead_notes(ahead: dict[str, int]) -> list[str]:
    """What a plan made without running (dry run, explain) says of each batch the real run would
    complete first (batch id → its payments): its students are shown as paid, pending."""
    return [f"实际运行会先补全上次没有完成的批次 {b}（{n} 笔：已记入账本，银行文件尚未写出），再按本计划发放；"
            "该批次的学生在此列为已发放（待发）" for b, n in ahead.items()]


def foreseen_notes(ws: Workspace, ledger: L.Ledger, term: Term) -> list[str]:
    """ahead_notes of the term's unfinished batches, or, where one cannot be completed, the note that
    the real run would stop there and why (explain: it explains, it does not stop)."""
    try:
        return ahead_notes(foresee(ws, ledger, term)[0])
    except AidctlError as exc:
        return [f"{WOULD_STOP}：{exc.message}"]


def last_report(out: Path, term: Term) -> Path | None:
    """The newest payment audit workbook of the term in `out` (None when there is none)."""
    found = [p for p in out.glob(f"发放审核_{term}_*.xlsx") if p.is_file()]
    return max(found, key=lambda p: (p.stat().st_mtime_ns, p.name)) if found else None


def _without_workbook(ws: Workspace, ledger: L.Ledger, term: Term) -> list[str]:
    """This workspace's complete batches of the term whose 发放审核 workbook is not in out/<term>/."""
    from sqlalchemy import select

    from aidctl.pay.workbook import report_path

    b = L.batches.c
    with ledger.connect() as conn:
        ids = conn.execute(select(b.id).where(b.term == str(term), b.status == "complete",
                                              b.workspace == str(ws.root)).order_by(b.created_at)).scalars().all()
    return [i for i in ids if not report_path(ws.out_dir(term), term, i).exists()]


def _bank_files(ws: Workspace, ledger: L.Ledger, batch_id: str) -> list[Path]:
    """The bank files of a batch, as named in out/<term>/ (rendered again from the ledger for their names)."""
    from sqlalchemy import select

    with ledger.connect() as conn:
        batch = conn.execute(select(L.batches).where(L.batches.c.id == batch_id)).mappings().one()
        names = [f.name for f in render_batch(ws, batch, batch_records(conn, batch_id))]
    out = ws.out_dir(Term.parse(batch["term"]))
    return [out / n for n in names if (out / n).is_file()]


def _recovered_plan(plan: Plan, ledger: L.Ledger, batch_id: str) -> Plan:
    """The plan as the workbook of a recovered batch shows it: the batch's payments as the ledger
    holds them (each tied to its roster record where this run's rosters still hold it, for the
    warnings to review); refusals, failed payments and the rest as this run found them, the batch's
    own payments no longer counted as paid before."""
    from sqlalchemy import func, select

    a, pm = L.attempts.c, L.payments.c
    earlier = select(func.count()).where(a.payment_id == pm.id, a.batch_id != batch_id).scalar_subquery()
    with ledger.connect() as conn:
        records = batch_records(conn, batch_id)
        where = L.fetch_frame(conn, select(pm.person, pm.programme, pm.source_file, pm.source_row, pm.id, earlier)
                              .where(pm.id.in_(select(a.payment_id).where(a.batch_id == batch_id))),
                              ["id_number", "programme", "source_file", "source_row", "pid", "earlier"])
    records = records.merge(where, on=["id_number", "programme"], how="left")
    already = plan.already
    mine = already[already["batch"] == batch_id][["person", "programme", "rec"]].rename(columns={"person": "id_number"})
    records = records.merge(mine.drop_duplicates(["id_number", "programme"]), on=["id_number", "programme"],
                            how="left")
    pay = pd.DataFrame({"rec": records["rec"].astype("Int64"), "person": records["id_number"],
                        "name": records["name"], "school": records["school"], "programme": records["programme"],
                        "amount_fen": records["amount_fen"].astype("int64"), "card": records["card"],
                        "bank_profile": records["bank_profile"], "source_file": records["source_file"],
                        "source_row": records["source_row"].astype("Int64"),
                        # a re-issue: the payment was attempted in an earlier batch (its id, as the plan holds it)
                        "payment_id": records["pid"].where(records["earlier"].fillna(0) > 0).astype("Int64")})
    return replace(plan, pay=pay, already=already[already["batch"] != batch_id])
