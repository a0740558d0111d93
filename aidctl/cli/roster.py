"""Checking rosters: validate, and codes (the finding catalogue)."""

from pathlib import Path
from typing import Annotated

import typer

from aidctl.cli.common import (
    DebugOpt,
    Format,
    FormatOpt,
    QuietOpt,
    TermOpt,
    WorkspaceOpt,
    app,
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
def validate(
    rosters: Annotated[list[Path] | None, typer.Argument(
        help="花名册文件（.xlsx/.xls/.ods/.csv），可多个；一起检查，跨表查重。省略时读取 intake/<学期>/。",
        show_default=False)] = None,
    term: TermOpt = None,
    registry: Annotated[Path | None, typer.Option("--registry", help="学籍系统导出（学籍号/身份证号/姓名/学校），用于核对。")] = None,
    report: Annotated[Path | None, typer.Option("--report", help="把审核结果写成 Excel 工作簿（汇总 + 问题清单）。")] = None,
    returns: Annotated[Path | None, typer.Option(
        "--returns", file_okay=False,
        help="为每所有问题的学校写出退回修改工作簿（学校原表的副本，问题单元格标色并加批注）到此目录。")] = None,
    limit: Annotated[int, typer.Option("--limit", min=0, help="终端上显示的问题条数。")] = 20,
    format: FormatOpt = Format.table,
    workspace: WorkspaceOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
):
    """审核花名册：身份证、银行卡、学籍、资格、金额、重复申报。有错误时退出码为 1。

    --returns 目录：每所有问题的学校一个“<学校>_<学期>_退回修改.xlsx”，可直接发回学校改正。

    示例：aidctl validate samples/intake/2011-autumn/*.xlsx --term 2011-autumn --report 审核结果.xlsx --returns 退回
    """
    with importing():  # the collector paused meanwhile (core.runtime)
        from aidctl.check import validate as run
    ws = workspace_at(workspace)
    the_term = term_of(term)
    paths, displays = ws.rosters(rosters, the_term)
    show_progress(quiet)
    result = run(paths, ws, term=the_term, registry=registry, displays=displays, record_intake=True,
                 report=report, returns=returns)
    for line in result.notes:
        say(line)
    if format is Format.json:
        emit_json(result.to_json(frames=True))
    else:
        from aidctl.cli.render import check as render

        render.validation(stdout_console(), result, limit)
        if report is not None:
            stdout_console().print(f"审核报告已写入：{report}")
        if returns is not None:
            stdout_console().print(f"退回修改工作簿 {len(result.returns)} 个，已写入：{returns}")
    raise typer.Exit(Exit.DATA_ERRORS if result.errors else Exit.OK)


@app.command()
@guarded
def codes(format: FormatOpt = Format.table, debug: DebugOpt = False):
    """列出全部问题代码及其默认严重程度。

    示例：aidctl codes --format json
    """
    from aidctl.core.catalogue import catalogue_doc

    if format is Format.json:
        emit_json(catalogue_doc())
    else:
        from aidctl.cli.render import check as render

        render.catalogue(stdout_console())
