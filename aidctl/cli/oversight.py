"""The oversight commands: audit-extraction, intake show, inspect sample | record, complaints, assess."""

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from aidctl.cli.common import (
    AsOfOpt,
    DbOpt,
    DebugOpt,
    Format,
    FormatOpt,
    WorkspaceOpt,
    YearOpt,
    app,
    emit_json,
    guarded,
    percent_of,
    say,
    stdout_console,
    term_of,
    workspace_at,
)
from aidctl.core.errors import Exit
from aidctl.core.terms import FIRST_YEAR, LAST_YEAR


@app.command("audit-extraction")
@guarded
def audit_extraction(
    finance: Annotated[list[Path] | None, typer.Argument(
        help="财务报表（每校一行：事业收入、提取金额、划入专户金额、发放金额）；省略时读取 finance/。",
        show_default=False)] = None,
    year: Annotated[int | None, typer.Option("--year", min=FIRST_YEAR, max=LAST_YEAR,
                                                help="年度（默认取表中的年度列或标题）。")] = None,
    report: Annotated[Path | None, typer.Option("--report", help="写出审核工作簿（学校明细、县区汇总与图表）。")] = None,
    format: FormatOpt = Format.table,
    workspace: WorkspaceOpt = None,
    debug: DebugOpt = False,
):
    """校内资助资金提取审核：职高按事业收入的5%、普高3%—5%提取并划入资助专户（比例见 rules/extraction.yaml）。

    有学校提取不足、未划入专户，或数据无法读出（无法审核）、同一学校同一年度重复时退出码为 1。
    --year 只审核该年度的行；不指定而年度列有多个年度时审核最近的年度，并在标准错误输出上说明。

    示例：aidctl audit-extraction samples/finance/2011年度校内资助资金提取情况.xlsx --report 提取审核.xlsx
    """
    from aidctl.oversight import audit_extraction as audit

    result = audit(finance, workspace_at(workspace), year=year, report=report)
    for note in result.notes:
        say(note)
    doc = result.to_json()
    if format is Format.json:
        emit_json(doc)
    else:
        from aidctl.cli.render import oversight as render

        render.extraction(stdout_console(), doc)
        if report is not None:
            stdout_console().print(f"审核工作簿已写入：{report}")
    raise typer.Exit(Exit.DATA_ERRORS if result.errors else Exit.OK)


intake_app = typer.Typer(no_args_is_help=True, help=(
    "花名册报送情况：各校每学期报送了哪些版本、是否按时（按接收时间与 rules/oversight.yaml 的期限比较）、"
    "哪些学校未报送；登记收到的花名册。\n\n"
    "示例：aidctl intake show --term 2011-autumn"))
app.add_typer(intake_app, name="intake")


@intake_app.command("receive")
@guarded
def intake_receive(
    files: Annotated[list[Path], typer.Argument(help="学校报送的花名册（.xlsx、.xls、.csv）。", show_default=False)],
    term: Annotated[str, typer.Option("--term", help="学期，如 2011-autumn。")] = ...,
    at: Annotated[datetime | None, typer.Option(
        "--at", formats=["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"],
        help="学校发出（资助中心收到）的时间，如 \"2011-10-14 16:30\"；不指定时，已在 intake/<学期>/ 中的文件按其修改时间，"
             "新复制进去的按现在，并在标准错误输出上说明。")] = None,
    db: DbOpt = None,
    format: FormatOpt = Format.table,
    workspace: WorkspaceOpt = None,
    debug: DebugOpt = False,
):
    """登记收到的花名册：复制到 intake/<学期>/（已在其中的不复制），并把接收时间记入账本。

    是否按时报送按接收时间判断，不按 aidctl 第一次读到文件的时间。没有登记的，按文件放入 intake/ 时的修改时间计。
    不指定 --at 时：已在 intake/<学期>/ 中的文件按其修改时间登记，新复制进去的按现在登记，并说明；这样的默认时间
    不替换已有的接收时间。--at 给出的时间替换按文件时间或默认登记的接收时间；同一内容已用 --at 登记过的，沿用第一次的。
    intake/<学期>/ 中已有同名而内容不同的文件时拒绝接收（退出码 2）。

    示例：aidctl intake receive 第一职业中学_2011秋.xlsx --term 2011-autumn --at "2011-10-14 16:30" --workspace samples
    """
    from aidctl.oversight import receive_intake as receive

    ws = workspace_at(workspace)
    doc = receive(ws, term_of(term), files, at=at, db=db)
    for note in doc["notes"]:
        say(note)
    if format is Format.json:
        emit_json(doc)
    else:
        from aidctl.cli.render import oversight as oversight_render

        oversight_render.intake_receipts(stdout_console(), doc)


@intake_app.command("show")
@guarded
def intake_show(
    term: Annotated[str, typer.Option("--term", help="学期，如 2011-autumn。")] = ...,
    db: DbOpt = None,
    format: FormatOpt = Format.table,
    workspace: WorkspaceOpt = None,
    debug: DebugOpt = False,
):
    """列出本学期各校报送的花名册：版本数、首次和最近报送时间、按时或逾期（按最早的接收时间与
    rules/oversight.yaml 的报送期限比较）、首版和最新版的记录数、错误数、警告数，以及 schools.xlsx 中未报送的学校。

    学校按 schools.xlsx 认定（花名册写的是登记的别名时计入该校）；各版本按接收时间先后编号，不按读入的先后。

    报送记录由 aidctl validate（工作目录自己的花名册）和 aidctl disburse 写入账本；接收时间由 aidctl intake receive
    登记，没有登记的按文件放入 intake/ 时的修改时间计。
    有学校逾期、或期限已过仍有学校未报送时退出码为 1。

    示例：aidctl intake show --term 2011-autumn --workspace samples
    """
    from aidctl.oversight import intake_non_compliant as non_compliant
    from aidctl.oversight import show_intake as show

    ws = workspace_at(workspace)
    doc = show(ws, term_of(term), db=db)
    if format is Format.json:
        emit_json(doc)
    else:
        from aidctl.cli.render import oversight as oversight_render

        oversight_render.intake(stdout_console(), doc)
    raise typer.Exit(Exit.DATA_ERRORS if non_compliant(doc) else Exit.OK)


inspect_app = typer.Typer(no_args_is_help=True, help=(
    "抽查受助学生：从账本中按学校随机抽取已发放的学生，生成可打印的核对签字表，再把填好的核对表读回并列出问题。\n\n"
    "示例：aidctl inspect sample --term 2011-autumn --seed 2011 --per-school 3"))
app.add_typer(inspect_app, name="inspect")


@inspect_app.command("sample")
@guarded
def inspect_sample(
    term: Annotated[str, typer.Option("--term", help="学期，如 2011-autumn。")] = ...,
    per_school: Annotated[int | None, typer.Option(
        "--per-school", min=1, help="每校抽取的学生数（默认 rules/oversight.yaml 的 per_school_default）。")] = None,
    share: Annotated[str | None, typer.Option(
        "--share", help="每校按受助学生人数的百分比抽取（向上取整），如 10 或 10%；与 --per-school 同时给出时取较多者。")] = None,
    seed: Annotated[int | None, typer.Option(
        "--seed", min=0, help="随机种子；同一种子、同一账本抽出同样的学生。默认取当月（如 202503），同一个月内抽出同样的学生。")] = None,
    db: DbOpt = None,
    format: FormatOpt = Format.table,
    workspace: WorkspaceOpt = None,
    debug: DebugOpt = False,
):
    """随机抽取已入账的受助学生（某校尚无回盘时取已发送的），每校一份核对签字表写到 out/<学期>/检查/。

    抽样编号、随机种子和抽样方法记入账本，审计时可按同一方法重新抽出同样的学生。民办学校多抽、高年龄受助学生
    被抽中的权重更高（rules/oversight.yaml 的 weights），核对表上注明。核对表只显示身份证号码前6位后4位
    和卡号后4位，留有本人在校、资助卡由本人持有、实收金额、情况说明四栏和检查人、学校负责人签字栏。

    示例：aidctl inspect sample --term 2011-autumn --seed 2011 --per-school 3 --workspace samples
    """
    from aidctl.oversight import draw_sample as sample

    ws = workspace_at(workspace)
    result = sample(ws, term_of(term), per_school=per_school, seed=seed, share=percent_of(share, "--share"), db=db)
    doc = result.to_json(ws.root)
    if format is Format.json:
        emit_json(doc)
    else:
        from aidctl.cli.render import oversight as oversight_render

        oversight_render.inspection_sample(stdout_console(), doc)


@inspect_app.command("record")
@guarded
def inspect_record(
    file: Annotated[Path, typer.Argument(help="填好的核对表（aidctl inspect sample 生成的 .xlsx）。", show_default=False)],
    db: DbOpt = None,
    format: FormatOpt = Format.table,
    workspace: WorkspaceOpt = None,
    debug: DebugOpt = False,
):
    """读回填好的核对表，把每名学生的检查结果记入账本，列出问题：本人不在校、资助卡不由本人持有、
    实收金额与账本不符（多收、少收，精确到分）、未填写（尚未检查）；缺检查人、学校负责人签字或日期的为
    inspect.unsigned。行按核对编号匹配，重新排序不影响；同一份表再记一次不重复记录。

    有任何问题时退出码为 1。

    示例：aidctl inspect record samples/inspection/第一职业中学_2011-autumn_资助资金抽查核对表_已填.xlsx --workspace samples
    """
    from aidctl.oversight import record_inspection as record

    ws = workspace_at(workspace)
    result = record(ws, file, db=db, display=str(file))
    doc = result.to_json()
    if format is Format.json:
        emit_json(doc)
    else:
        from aidctl.cli.render import oversight as oversight_render

        oversight_render.inspection_record(stdout_console(), doc)
    raise typer.Exit(Exit.DATA_ERRORS if doc["discrepancies"] or result.errors else Exit.OK)


@app.command()
@guarded
def complaints(
    register: Annotated[list[Path] | None, typer.Argument(
        help="投诉登记台账（每件投诉一行：受理日期、所属县区、学校、类别、办结日期、投诉人……）；省略时读取 complaints/。",
        show_default=False)] = None,
    year: YearOpt = ...,
    as_of: AsOfOpt = None,
    report: Annotated[Path | None, typer.Option(
        "--report", help="写出工作簿：县区汇总（附图表）、学校汇总、投诉明细、说明。")] = None,
    db: DbOpt = None,
    format: FormatOpt = Format.table,
    workspace: WorkspaceOpt = None,
    debug: DebugOpt = False,
):
    """投诉统计（按县区、学校）：投诉件数，每千名受助学生投诉数（受助学生取账本中该年春季、秋季学期付款的
    不重复学生；账本没有数据时显示“无数据”），按时办结、超期办结、超期未办结，投诉按时办结率。

    办结时限按工作日计（rules/assessment.yaml，扣除法定节假日、计入调休上班日）：受理日期当天不计，
    受理日期之后的第一个工作日为第1个工作日。有无法计入的投诉（受理日期无法识别等）时退出码为 1。

    示例：aidctl complaints --year 2011 --workspace samples --report 投诉统计.xlsx
    """
    from aidctl.oversight import summarise_complaints

    result = summarise_complaints(register, workspace_at(workspace), year, as_of=as_of.date() if as_of else None,
                                  db=db, report=report)
    doc = result.to_json()
    if format is Format.json:
        emit_json(doc)
    else:
        from aidctl.cli.render.oversight import render_complaints

        render_complaints(stdout_console(), doc)
        if report is not None:
            stdout_console().print(f"投诉统计工作簿已写入：{report}")
    raise typer.Exit(Exit.DATA_ERRORS if result.errors else Exit.OK)


@app.command()
@guarded
def assess(
    year: YearOpt = ...,
    finance: Annotated[list[Path] | None, typer.Option(
        "--finance", help="财务报表（校内资助金提取）；默认 finance/ 下的文件。")] = None,
    complaints_file: Annotated[list[Path] | None, typer.Option(
        "--complaints", help="投诉登记台账；默认 complaints/ 下的文件。")] = None,
    loans: Annotated[list[Path] | None, typer.Option(
        "--loans", help="生源地贷款台账；默认 loans/ 下能识别为台账的文件。")] = None,
    report: Annotated[Path | None, typer.Option(
        "--report", help="写出考核工作簿：县区得分（附各县区总分条形图）、学校得分、指标与权重、说明。")] = None,
    as_of: Annotated[datetime | None, typer.Option(
        "--as-of", formats=["%Y-%m-%d"], show_default=False,
        help="截止日 YYYY-MM-DD：投诉的办结与超期、贷款的到期与履约按此日认定（默认今天；该年12月31日早于今天时取12月31日）。")] = None,
    db: DbOpt = None,
    format: FormatOpt = Format.table,
    workspace: WorkspaceOpt = None,
    debug: DebugOpt = False,
):
    """量化考核：各县区、各学校的及时发放率、数据准确率、按时报送率、校内资助金提取达标率、投诉率、
    投诉按时办结率、贷款履约率，按 rules/assessment.yaml 的目标值和权重计分、合计、排名。

    无数据的指标显示“无数据”，不按0分计：总分 = 100 × 有数据指标得分之和 ÷ 有数据指标权重之和。
    aidctl 无法计算的指标（资金支出率、满意度等）列为未计算。有输入记录无法计入时退出码为 1。

    示例：aidctl assess --year 2011 --workspace samples --report 量化考核.xlsx
    """
    from aidctl.oversight import assess as run

    ws = workspace_at(workspace)
    result = run(ws, year, finance=finance, complaints=complaints_file, loans=loans, db=db,
                 as_of=as_of.date() if as_of else None, report=report)
    doc = result.to_json()
    if format is Format.json:
        emit_json(doc)
    else:
        from aidctl.cli.render.oversight import render_scorecard

        render_scorecard(stdout_console(), doc)
        if report is not None:
            stdout_console().print(f"考核工作簿已写入：{report}")
    raise typer.Exit(Exit.DATA_ERRORS if doc["problems"] else Exit.OK)
