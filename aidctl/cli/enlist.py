"""aidctl enlist: 应征入伍 学费补偿 and 国家助学贷款代偿."""

from pathlib import Path
from typing import Annotated

import typer

from aidctl.cli.common import (
    BankOpt,
    DebugOpt,
    Format,
    FormatOpt,
    WorkspaceOpt,
    app,
    emit_json,
    guarded,
    stdout_console,
    workspace_at,
)
from aidctl.core.errors import Exit
from aidctl.core.terms import FIRST_YEAR, LAST_YEAR


@app.command()
@guarded
def enlist(
    rosters: Annotated[list[Path], typer.Argument(
        help="应征入伍学生名单（每名学生一行：姓名、身份证号、学校、学历层次、入学年份、入伍年份、"
             "第1学年学费、第2学年学费……、贷款本金、银行卡号），可多个，一起查重。", show_default=False)],
    year: Annotated[int, typer.Option("--year", min=FIRST_YEAR, max=LAST_YEAR, help="本次补偿的年度，如 2024。")] = ...,
    report: Annotated[Path | None, typer.Option(
        "--report", help="审核工作簿（.xlsx）；默认 out/enlist-<年度>/应征入伍学费补偿审核_<年度>.xlsx。")] = None,
    bank: BankOpt = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="银行文件写到的目录（默认 out/enlist-<年度>/）。")] = None,
    format: FormatOpt = Format.table,
    workspace: WorkspaceOpt = None,
    debug: DebugOpt = False,
):
    """应征入伍学费补偿和国家助学贷款代偿：每个计入的学年按实缴学费与入伍时上限中较低者计，先代偿贷款本金，
    余额发给学生；写出银行文件和审核工作簿（上限和计算方法见 rules/enlistment.yaml）。

    这些付款不记入发放账本：银行文件交财务支付，重复运行会生成同样的名单。有学生不予发放时退出码为 1。

    示例：aidctl enlist samples/enlist/2024年应征入伍学生学费补偿申请表.xlsx --year 2024 --workspace samples
    """
    from aidctl.enlist import enlist as run

    ws = workspace_at(workspace)
    result = run(list(rosters), ws, year=year, bank=bank, out=out, report=report,
                 displays=[str(p) for p in rosters])
    doc = result.to_json(ws.root)
    if format is Format.json:
        emit_json(doc)
    else:
        from aidctl.cli.render import enlist as render

        render.enlistment(stdout_console(), doc)
    raise typer.Exit(Exit.DATA_ERRORS if result.errors else Exit.OK)
