"""The enlistment payment list: the bank file(s) of the students paid to their card, proven against the result's totals."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from aidctl.core import money
from aidctl.core.errors import AidctlError
from aidctl.enlist.compensation import PROGRAMME, Enlistment, bank_records, compute
from aidctl.read import Workspace


def batch_token(year: int) -> str:
    return f"RW{year}"


def write_payment_list(result: Enlistment, ws: Workspace, out_dir: Path) -> list[Path]:
    """The bank file(s) of the students paid to their card, through the chosen profile; totals proven
    equal to the document's before anything is written; files of an earlier run for the same year
    that this run does not write again are removed (so no stale list can be paid)."""
    from aidctl.pay import now_context
    from aidctl.pay import render_bank_files as render
    from aidctl.pay import write_bank_files as write_files

    rules = ws.rules
    pay = result.payments
    token = batch_token(result.year)
    files = []
    if len(pay):
        ctx = now_context() | {"term": f"enlist-{result.year}", "term_label": f"{result.year}年{PROGRAMME}",
                               "batch": token, "programme": "", "payer_name": ws.settings.payer_name,
                               "payer_account": ws.settings.payer_account}
        files = render(result.bank_profile, rules.bank(result.bank_profile), bank_records(pay, result.year), ctx)
    expected = int(pay["to_student_fen"].sum()) if len(pay) else 0
    counts = {"银行文件笔数": sum(f.count for f in files), "发放名单笔数": len(pay)}
    totals = money.fen_from_text(pd.Series([result.totals()[k] for k in ("amount", "loan_repayment", "to_students")]))
    amounts = {"银行文件金额": sum(f.total_fen for f in files), "银行文件汇总行金额": sum(f.declared_total_fen for f in files),
               "发放名单金额": expected, "结果文档发给学生的金额": int(totals[2]),
               "结果文档补偿总额减贷款代偿": int(totals[0] - totals[1])}
    detail = money.disagreement(counts, amounts)
    if detail:
        raise AidctlError(f"合计不符，银行文件没有写出（{detail}）：这是 aidctl 的缺陷，请报告")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = write_files(files, out_dir)
    for stale in out_dir.iterdir():
        if f"_{token}_" in stale.name and stale.is_file() and stale not in written:
            stale.unlink()
    return written


def enlist(paths: list[Path], ws: Workspace, *, year: int, bank: str | None = None, out: Path | None = None,
           report: Path | None = None, displays: list[str] | None = None) -> Enlistment:
    """Compute, then write the payment list and the audit workbook into out/enlist-<year>/ (or `out`)."""
    from aidctl.enlist.workbook import write_enlistment_report
    from aidctl.pay import write_manifest

    out_dir = ws.output_folder(out) if out is not None else ws.root / "out" / f"enlist-{year}"
    # an output that would replace an input or what the workspace keeps is refused before anything is read
    report = ws.output(report or out_dir / f"应征入伍学费补偿审核_{year}.xlsx", paths)
    result = compute(paths, ws, year=year, bank=bank, displays=displays)
    result.out_dir = out_dir
    result.bank_files = write_payment_list(result, ws, out_dir)
    result.report = write_enlistment_report(result, report, ws.rules)
    write_manifest(out_dir)
    return result
