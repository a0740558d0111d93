"""The aidctl command line: parse options, call one library function, render. No logic here."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from aidctl.cli.common import (
    DebugOpt,
    Format,
    FormatOpt,
    TermOpt,
    WorkspaceOpt,
    _emit_json,
    _imports_done,
    _stdout,
    _term,
    _workspace,
    app,
    guarded,
)
from aidctl.core.errors import Exit, UsageError


@app.command()
@guarded
def validate(
    rosters: Annotated[Optional[list[Path]], typer.Argument(
        help="花名册文件（.xlsx/.xls/.csv），可多个；一起检查，跨表查重。省略时读取 intake/<学期>/。",
        show_default=False)] = None,
    term: TermOpt = None,
    registry: Annotated[Optional[Path], typer.Option("--registry", help="学籍系统导出（学籍号/身份证号/姓名/学校），用于核对。")] = None,
    report: Annotated[Optional[Path], typer.Option("--report", help="把审核结果写成 Excel 工作簿（汇总 + 问题清单）。")] = None,
    limit: Annotated[int, typer.Option("--limit", min=0, help="终端上显示的问题条数。")] = 20,
    format: FormatOpt = Format.table,
    workspace: WorkspaceOpt = None,
    debug: DebugOpt = False,
):
    """审核花名册：身份证、银行卡、学籍、资格、金额、重复申报。有错误时退出码为 1。

    示例：aidctl validate samples/intake/2011-autumn/*.xlsx --term 2011-autumn --report 审核结果.xlsx
    """
    from aidctl.check.validation import validate as run

    _imports_done()
    ws = _workspace(workspace)
    the_term = _term(term)
    if not rosters:
        if the_term is None:
            raise UsageError("请列出要审核的花名册文件，或用 --term 指定学期以读取 intake/<学期>/ 下的文件")
        rosters = ws.intake(the_term)
        displays = [ws.display(p) for p in rosters]
    else:
        displays = [str(p) for p in rosters]  # as given on the command line
    console = Console(stderr=True)
    with console.status("正在读取和审核花名册…") if console.is_terminal else contextlib.nullcontext():
        result = run(list(rosters), ws, term=the_term, registry=registry, displays=displays, record_intake=True)
    for line in result.notes:
        typer.echo(f"aidctl: 提醒：{line}", err=True)
    if report is not None:
        from aidctl.check.workbook import write_validation_report

        write_validation_report(result, report)
    if format is Format.json:
        _emit_json(result.to_json())
    else:
        from aidctl.cli.render import check as render

        render.validation(_stdout(), result, limit)
        if report is not None:
            _stdout().print(f"审核报告已写入：{report}")
    raise typer.Exit(Exit.DATA_ERRORS if result.errors else Exit.OK)


@app.command()
@guarded
def codes(format: FormatOpt = Format.table, debug: DebugOpt = False):
    """列出全部问题代码及其默认严重程度。

    示例：aidctl codes --format json
    """
    from aidctl.core.findings import CATALOGUE

    if format is Format.json:
        _emit_json({"version": 1, "codes": [{"code": c, "severity": t.severity, "title": t.title, "when": t.when}
                                            for c, t in CATALOGUE.items()]})
    else:
        from aidctl.cli.render import check as render

        render.catalogue(_stdout())
