"""What the centre hands over: report (the term report), publish (the 公示 lists), and explain (one
student's every decision, for a parent, an auditor or a clerk)."""

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from aidctl.cli.common import (
    DbOpt,
    DebugOpt,
    Format,
    FormatOpt,
    WorkspaceOpt,
    app,
    emit_json,
    guarded,
    say,
    stdout_console,
    term_of,
    workspace_at,
)
from aidctl.core.errors import Exit


@app.command()
@guarded
def publish(
    rosters: Annotated[list[Path] | None, typer.Argument(
        help="花名册文件；省略时读取 intake/<学期>/。", show_default=False)] = None,
    term: Annotated[str, typer.Option("--term", help="学期，如 2011-autumn。")] = ...,
    start: Annotated[datetime | None, typer.Option(
        "--from", formats=["%Y-%m-%d"], show_default=False,
        help="公示开始日期 YYYY-MM-DD（默认今天）；公示期按工作日推算，扣除法定节假日、计入调休上班日。")] = None,
    format: FormatOpt = Format.table,
    workspace: WorkspaceOpt = None,
    debug: DebugOpt = False,
):
    """公示名单：每校一份可张贴的受助学生名单公示，和一份内部核对名单，写到 out/<学期>/公示/。

    公示名单只含姓名、学校、系部、年级、专业、班级和资助项目（教财厅函〔2017〕28号），不含身份证号码
    （脱敏也不含）、银行卡号、出生日期、住址、电话、金额和困难等级；内部核对名单的身份证号码只显示前6位后4位。
    名单中出现一长串数字（疑似证件号、卡号、电话）的单元格用＊遮盖并列出，此时退出码为 1。

    示例：aidctl publish --term 2011-autumn --from 2011-09-29
    """
    from aidctl.report import publish as run

    ws = workspace_at(workspace)
    outcome = run(ws, term_of(term), list(rosters) if rosters else None, start=start.date() if start else None)
    doc = outcome.to_json(ws.root)
    for line in outcome.warnings:
        say(line)
    if format is Format.json:
        emit_json(doc)
    else:
        from aidctl.cli.render import report as render

        render.publicity(stdout_console(), doc)
    raise typer.Exit(Exit.DATA_ERRORS if doc["masked_cells"] or doc["paid_not_listed"] else Exit.OK)


@app.command("report")
@guarded
def report(
    term: Annotated[str, typer.Option("--term", help="学期，如 2011-autumn。")] = ...,
    out: Annotated[Path | None, typer.Option(
        "--out", help="报告工作簿（.xlsx）；默认 out/<学期>/资助情况报告_<学期>.xlsx。")] = None,
    db: DbOpt = None,
    format: FormatOpt = Format.table,
    workspace: WorkspaceOpt = None,
    debug: DebugOpt = False,
):
    """资助情况报告：按县区、学校、资助项目汇总本学期的受助学生和金额（已入账、待银行确认、失败分列），
    不予发放的原因，各校受助比例与核定比例（rules/quotas.yaml）的比对；写出带图表和一页汇总的 Excel 工作簿。

    数据来自发放账本和 intake/<学期>/ 的花名册；账本中还没有付款时只报告花名册一侧。

    示例：aidctl report --term 2011-autumn --workspace samples
    """
    from aidctl.report import term_report

    ws = workspace_at(workspace)
    result = term_report(ws, term_of(term), out=out, db=db)
    doc = result.to_json(ws.root)
    if format is Format.json:
        emit_json(doc)
    else:
        from aidctl.cli.render import report as render

        render.term_report(stdout_console(), doc)


@app.command()
@guarded
def explain(
    student: Annotated[str | None, typer.Argument(
        help="学生的身份证号码（可脱敏，如 420113********8173，须只对应一名学生）或姓名；也可改用 --file 和 --row。",
        show_default=False)] = None,
    term: Annotated[str, typer.Option("--term", help="学期，如 2011-autumn。")] = ...,
    file: Annotated[Path | None, typer.Option("--file", help="花名册文件：与 --row 一起指定学生所在的行。")] = None,
    row: Annotated[int | None, typer.Option("--row", min=1, help="Excel 显示的行号（与 --file 一起用）。")] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="工作表名（文件有多个花名册工作表时）。")] = None,
    registry: Annotated[Path | None, typer.Option("--registry", help="学籍系统导出，一并核对。")] = None,
    db: DbOpt = None,
    format: FormatOpt = Format.table,
    workspace: WorkspaceOpt = None,
    debug: DebugOpt = False,
):
    """说明一名学生本学期的每一项审核和发放决定：每个值从哪个文件、工作表、行、列读取，原单元格和换算后的值；
    每项检查的结果；资助项目的执行时段、每个资格条件及其取值、资助标准如何得出、所依据的文件（文号）；
    账本中的发放记录（批次、银行结果、重发）；重复申报和共用银行卡的其他行。

    退出码：已发放或可发放为 0，不予发放为 1，找不到学生为 2（列出姓名或号码相近的学生）。
    输出中的身份证号码和银行卡号与 validate 的 JSON 一样不脱敏：这是经办人查询的这名学生本人的数据。

    示例：aidctl explain 420113199603028173 --term 2011-autumn
    """
    from aidctl.report import explain_student

    ws = workspace_at(workspace)
    result = explain_student(ws, term_of(term), student, file=file, row=row, sheet=sheet, registry=registry, db=db)
    for line in result.notes:
        say(line)
    if format is Format.json:
        emit_json(result.to_json())
    else:
        from aidctl.cli.render import explain as render

        render.explanation(stdout_console(), result.to_json())
    raise typer.Exit(Exit.DATA_ERRORS if result.refused else Exit.OK)
