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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from aidctl import ledger as L
from aidctl.core.money import yuan, yuan_text
from aidctl.core.terms import Term
from aidctl.core.text import text_or_none
from aidctl.ledger import intake_names, record_intake
from aidctl.pay.batch import execute, mark_sent, recover, write_manifest
from aidctl.pay.plan import Plan, make_plan
from aidctl.read import Workspace


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
        refused = [{"id_number": text_or_none(i), "name": text_or_none(n), "file": r.file, "row": int(r.row), "codes": list(r.codes)}
                   for r, i, n in zip(p.refused.itertuples(), frame["id_number"].iloc[recs].astype(object),
                                      frame["name"].iloc[recs].astype(object))]
        failed = [{"id_number": r.person, "programme": r.programme, "card": r.card, "reason": r.failure_reason,
                   "file": r.file, "row": int(r.row)} for r in p.failed_unchanged.itertuples()]
        return {"version": 1, "term": str(p.term), "batch": self.batch, "dry_run": self.dry_run,
                "payments": payments, "refused": refused, "already_paid": already,
                "failed_unchanged": failed, "school_funded": len(p.school_funded),
                "recovered_batches": self.recovered, "files": [rel(f) for f in self.files],
                "report": rel(self.report) if self.report else None,
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
    payments). The batch is complete when the block ends, or the marking's failure is raised there:
    show nothing before then."""
    from aidctl.pay.lock import workspace_lock
    from aidctl.pay.workbook import write_payment_report

    rosters, named = ws.rosters(rosters, term)  # regular files only, refused before the lock is taken
    displays = displays or named
    if dry_run:
        ledger = L.Ledger(ws.ledger_url(db)) if (db or ws.has_ledger()) else None
        plan = make_plan(ws, term, rosters, ledger, bank, displays)
        yield Outcome(plan, None, [], [], None, dry_run=True)
        return
    with workspace_lock(ws.root, wait), ThreadPoolExecutor(max_workers=1) as marker:
        ledger = L.Ledger(ws.ledger_url(db))
        recovered = recover(ws, ledger, term)
        plan = make_plan(ws, term, rosters, ledger, bank, displays)
        record_intake(ledger, plan.validation, "disburse", display=intake_names(ws),
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
