"""The money commands: disburse, reconcile, ledger show."""

from pathlib import Path
from typing import Annotated

import typer

from aidctl.cli.common import (
    BankOpt,
    DbOpt,
    DebugOpt,
    Format,
    FormatOpt,
    QuietOpt,
    TermOpt,
    WaitOpt,
    WorkspaceOpt,
    app,
    emit_bytes,
    emit_json,
    guarded,
    say,
    show_progress,
    stdout_console,
    term_of,
    workspace_at,
)
from aidctl.core.errors import Exit
from aidctl.core.runtime import importing


@app.command()
@guarded
def disburse(
    rosters: Annotated[list[Path] | None, typer.Argument(
        help="花名册文件；省略时读取 intake/<学期>/*.xlsx。", show_default=False)] = None,
    term: Annotated[str, typer.Option("--term", help="学期，如 2011-autumn。")] = ...,
    bank: BankOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只列出将发放的记录，不写账本、不写文件。")] = False,
    db: DbOpt = None,
    wait: WaitOpt = 0,
    format: FormatOpt = Format.table,
    workspace: WorkspaceOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
):
    """发放：审核花名册，每名符合条件的学生每个项目发放一次，记入账本，写出银行报盘文件和发放审核表。

    重复运行不会重复发放：账本中已有的学生只列出，不再发放；银行退回（失败）且卡号已更正的才重发。
    有记录不予发放时退出码为 1（其余照常发放）。

    示例：aidctl disburse --term 2011-autumn --dry-run
    """
    with importing():  # the collector paused meanwhile (core.runtime)
        from aidctl.pay import disbursing
    show_progress(quiet)
    ws = workspace_at(workspace)
    the_term = term_of(term)
    # the document is made while the ledger marks the batch sent, and shown only once it has
    with disbursing(ws, the_term, list(rosters) if rosters else None, bank=bank, dry_run=dry_run, db=db,
                    wait=wait) as outcome:
        if format is Format.json:
            from aidctl.core.jsonout import encode_pieces

            data = encode_pieces(outcome.to_json(ws.root, frames=True))
        else:
            doc = outcome.to_json(ws.root)
    for note in outcome.notes:
        say(note)
    if format is Format.json:
        emit_bytes(data)
    else:
        from aidctl.cli.render import pay as render

        render.disbursement(stdout_console(), doc)
    raise typer.Exit(Exit.DATA_ERRORS if len(outcome.plan.refused) else Exit.OK)


@app.command()
@guarded
def reconcile(
    result: Annotated[Path, typer.Argument(help="银行回盘文件（文本、xlsx 或 pain.002 XML）。")],
    term: Annotated[str, typer.Option("--term", help="学期，如 2011-autumn。")] = ...,
    bank: BankOpt = None,
    batch: Annotated[str | None, typer.Option(
        "--batch", help="回盘答复的批次号（回盘文件没有写明批次号、又无法由序号确定时使用）。")] = None,
    db: DbOpt = None,
    wait: WaitOpt = 0,
    format: FormatOpt = Format.table,
    workspace: WorkspaceOpt = None,
    debug: DebugOpt = False,
):
    """对账：读入银行回盘，把付款标为已入账或失败，列出失败原因；对不上的行只报告、不入账。

    回盘只用于它答复的批次：由回盘写明的批次号（文件名、表头上方、批次号列、pain.002 的原报文标识）或各行的
    序号（须与账号、金额一致）确定；答复其他学期或批次的回盘整份拒绝。pain.002 中只有 ACSC 为已入账，
    ACCP、ACSP、ACWC、PDNG 为已受理未完成（付款仍为已发送），RJCT 为失败。回盘在表头上方写明的总笔数、总金额、
    成功和失败的笔数与金额（用词见 rules/bank_results.yaml）及表格下方的合计须与逐笔结果一致，无法读取或不一致时
    整份回盘不入账。
    有失败付款或对不上的行时退出码为 1。失败的付款在学校更正卡号后，下一次 disburse 会重发。

    示例：aidctl reconcile samples/bank/回盘_工商银行_2011-autumn.txt --term 2011-autumn
    """
    from aidctl.pay import reconcile as run

    ws = workspace_at(workspace)
    outcome = run(ws, term_of(term), result, bank=bank, db=db, display=None, wait=wait, batch=batch)
    doc = outcome.to_json()
    for line in doc["notes"]:
        say(line)
    if format is Format.json:
        emit_json(doc)
    else:
        from aidctl.cli.render import pay as render

        render.reconciliation(stdout_console(), doc)
    raise typer.Exit(Exit.DATA_ERRORS if doc["failed"] or doc["problems"] else Exit.OK)


ledger_app = typer.Typer(no_args_is_help=True, help="查看发放账本。示例：aidctl ledger show --term 2011-autumn")
app.add_typer(ledger_app, name="ledger")


@ledger_app.command("show")
@guarded
def ledger_show(term: TermOpt = None, db: DbOpt = None, format: FormatOpt = Format.table,
                workspace: WorkspaceOpt = None, debug: DebugOpt = False):
    """列出发放批次：笔数、金额、各状态（待发、已发、已入账、失败、已重发）的笔数和金额。

    示例：aidctl ledger show --term 2011-autumn
    """
    from aidctl.pay import ledger_overview

    doc = ledger_overview(workspace_at(workspace), term_of(term), db)
    if format is Format.json:
        emit_json(doc)
    else:
        from aidctl.cli.render import pay as render

        render.ledger(stdout_console(), doc)
