"""aidctl loans check | summary | collect: 生源地信用助学贷款."""

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from aidctl.cli.common import (
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

loans_app = typer.Typer(no_args_is_help=True, help=(
    "生源地信用助学贷款：检查经办银行导出的贷款台账，汇总年度贴息、风险补偿金和履约率，生成逾期催收名单。\n\n"
    "示例：aidctl loans check samples/loans/生源地信用助学贷款台账.xlsx"))
app.add_typer(loans_app, name="loans")
RegisterArg = Annotated[Path, typer.Argument(
    help="经办银行系统导出的贷款台账（每份合同一行：合同编号、借款人姓名、身份证号、学历层次、贷款年度、贷款金额、"
         "发放日期、预计毕业年份、还款情况……）。", show_default=False)]


@loans_app.command("check")
@guarded
def loans_check(
    register: RegisterArg,
    report: Annotated[Path | None, typer.Option("--report", help="把检查结果写成 Excel 工作簿（汇总 + 问题清单）。")] = None,
    format: FormatOpt = Format.table,
    workspace: WorkspaceOpt = None,
    debug: DebugOpt = False,
):
    """检查贷款台账：借款人姓名和身份证号码，贷款金额是否超过当年额度，同一借款人同一贷款年度是否有多份合同，
    预计毕业年份是否与学历层次相符（额度和范围见 rules/loans.yaml）。有错误时退出码为 1。

    示例：aidctl loans check samples/loans/生源地信用助学贷款台账.xlsx --report 台账检查.xlsx
    """
    from aidctl.loans import check_register

    ws = workspace_at(workspace)
    result = check_register(register, ws, str(register), report=report)
    doc = result.to_json()
    if format is Format.json:
        emit_json(doc)
    else:
        from aidctl.cli.render import loans as render

        render.check(stdout_console(), doc)
        if report is not None:
            stdout_console().print(f"检查报告已写入：{report}")
    raise typer.Exit(Exit.DATA_ERRORS if result.errors else Exit.OK)


@loans_app.command("summary")
@guarded
def loans_summary(
    register: RegisterArg,
    year: Annotated[int, typer.Option("--year", min=FIRST_YEAR, max=LAST_YEAR,
                                      help="年度：新增贷款和审批按贷款年度，贴息按自然年。")] = ...,
    applications: Annotated[Path | None, typer.Option(
        "--applications", help="贷款申请受理清单（受理日期、审核结果、所属县区……），用于审批通过率。")] = None,
    as_of: Annotated[datetime | None, typer.Option(
        "--as-of", formats=["%Y-%m-%d"], show_default=False,
        help="还款情况（到期、履约、逾期）的截止日 YYYY-MM-DD，默认今天（该年已过去时为该年12月31日）。")] = None,
    report: Annotated[Path | None, typer.Option(
        "--report", help="写出工作簿：县区汇总、贴息明细、说明、未计入。")] = None,
    format: FormatOpt = Format.table,
    workspace: WorkspaceOpt = None,
    debug: DebugOpt = False,
):
    """年度汇总（按县区）：受理、审核通过和审批通过率，新增贷款，在校期间贴息，风险补偿金，还款期贷款、
    到期应还、按期还款和履约率，逾期笔数和金额。利率、计息规则和比例见 rules/loans.yaml。

    台账中有数据有误或不全（含借款人姓名为空或有误、身份证号码有误）、无法计入的合同，或申请受理清单中有年度无法识别、姓名有误、重复登记且审核结果不一致的申请时，
    退出码为 1（其余照常汇总）。

    示例：aidctl loans summary --year 2024 samples/loans/生源地信用助学贷款台账.xlsx --applications samples/loans/2024年度贷款申请受理清单.xlsx
    """
    from aidctl.loans import summarise_loans as summarise

    ws = workspace_at(workspace)
    result = summarise(register, ws, year, applications=applications, as_of=as_of.date() if as_of else None,
                       display=str(register), applications_display=str(applications) if applications else None,
                       report=report)
    doc = result.to_json()
    if format is Format.json:
        emit_json(doc)
    else:
        from aidctl.cli.render import loans as render

        render.summary(stdout_console(), doc)
        if report is not None:
            stdout_console().print(f"汇总工作簿已写入：{report}")
    apps = doc["applications"]
    # an application left out: its year unread, or repeated with results that disagree
    left_out = apps is not None and (apps["unread"] or not all(r["counted"] for r in apps["repeated"]))
    raise typer.Exit(Exit.DATA_ERRORS if doc["excluded"] or left_out else Exit.OK)


@loans_app.command("collect")
@guarded
def loans_collect(
    register: RegisterArg,
    as_of: Annotated[datetime, typer.Option("--as-of", formats=["%Y-%m-%d"], show_default=False,
                                            help="截止日 YYYY-MM-DD：认定这一天逾期的借款人。")] = ...,
    out: Annotated[Path | None, typer.Option(
        "--out", help="催收名单工作簿（.xlsx）；默认 out/loans/生源地贷款逾期催收名单_<截止日>.xlsx。")] = None,
    format: FormatOpt = Format.table,
    workspace: WorkspaceOpt = None,
    debug: DebugOpt = False,
):
    """逾期催收名单：截止日逾期的每名借款人（欠款＞0，且应还日期早于截止日；没有应还日期的按台账的逾期天数），
    按县区每县一张工作表，逾期天数多的在前，附联系电话、共同借款人和住址，并留出联系日期、联系结果、
    承诺还款日期、经办人四列供县区资助中心记录。

    名单写出即退出码 0；有合同数据有误或不全（含借款人姓名为空或有误、身份证号码有误）、未列入名单时退出码为 1。

    示例：aidctl loans collect --as-of 2025-01-10 samples/loans/生源地信用助学贷款台账.xlsx --out 催收名单.xlsx
    """
    from aidctl.loans import collect_overdue

    ws = workspace_at(workspace)
    result = collect_overdue(register, ws, as_of.date(), display=str(register), out=out)
    doc = result.to_json(ws.root)
    if format is Format.json:
        emit_json(doc)
    else:
        from aidctl.cli.render import loans as render

        render.collection(stdout_console(), doc)
    raise typer.Exit(Exit.DATA_ERRORS if doc["excluded"] else Exit.OK)
