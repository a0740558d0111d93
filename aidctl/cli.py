"""The aidctl command line: parse options, call one library function, render. No logic here."""

from __future__ import annotations

import contextlib
import functools
import sys
import traceback
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from aidctl import __version__
from aidctl.errors import AidctlError, Exit, UsageError
from aidctl.terms import FIRST_YEAR, LAST_YEAR

app = typer.Typer(name="aidctl", no_args_is_help=True, add_completion=False,
                  pretty_exceptions_enable=False, rich_markup_mode=None,
                  help="学生资助管理中心的批处理工具：审核花名册、通过银行发放、接受审计。")
rules_app = typer.Typer(no_args_is_help=True,
                        help="检查和查看资助规则（rules/*.yaml）。\n\n示例：aidctl rules show --term 2011-autumn")
app.add_typer(rules_app, name="rules")


class Format(str, Enum):
    table = "table"
    json = "json"


# Options shared by every command, defined once.
FormatOpt = Annotated[Format, typer.Option("--format", help="输出格式：table（默认）或 json（标准输出，一个文档）。")]
WorkspaceOpt = Annotated[Optional[Path], typer.Option(
    "--workspace", "-w", envvar="AIDCTL_WORKSPACE", file_okay=False,
    help="工作目录（默认当前目录，或环境变量 AIDCTL_WORKSPACE）。")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="出错时打印完整的调用栈。")]
TermOpt = Annotated[Optional[str], typer.Option("--term", help="学期，如 2011-autumn、2012-spring。")]


def _stdout() -> Console:
    return Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 160)


def _imports_done() -> None:
    """Put what exists so far, nearly all of it the modules a command has just imported, beyond the
    cyclic garbage collector: it lives as long as the process, and walking it again at every
    collection cost a 500,000-row validate ~0.14 s."""
    import gc

    if not gc.get_freeze_count():  # once a process (a test session invokes many commands)
        gc.freeze()


def _emit_json(doc: dict) -> None:
    from aidctl.jsonout import encode

    _emit_bytes(encode(doc))


def _emit_bytes(data: bytes) -> None:
    """A JSON document (UTF-8 bytes) on stdout."""
    if hasattr(sys.stdout, "buffer"):  # JSON is UTF-8 (RFC 8259), whatever the terminal's locale
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.write(b"\n")
        sys.stdout.buffer.flush()
    else:
        sys.stdout.write(data.decode() + "\n")


def guarded(fn):
    """Turn aidctl's errors into one line on stderr and exit 2; never a traceback unless --debug."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except AidctlError as exc:
            if kwargs.get("debug"):
                traceback.print_exc()
            typer.echo(f"aidctl: 错误：{exc}", err=True)
            raise typer.Exit(Exit.CANNOT_RUN) from None
        except KeyboardInterrupt:
            # files are renamed into place whole, and a batch in the ledger is completed by the next run
            typer.echo("aidctl: 已中断。没有留下写了一半的文件；已记入账本的发放批次，下次运行 disburse 时会先完成。",
                       err=True)
            raise typer.Exit(130) from None
        except Exception as exc:  # a bug in aidctl: still one line, and the way to see more
            if type(exc).__module__.startswith(("typer", "click")):
                raise  # exits and usage errors of the CLI framework itself
            if kwargs.get("debug"):
                traceback.print_exc()
            typer.echo(f"aidctl: 内部错误：{type(exc).__name__}: {exc}（加 --debug 查看详情，并请报告此问题）",
                       err=True)
            raise typer.Exit(Exit.CANNOT_RUN) from None

    return wrapper


def _workspace(path: Path | None):
    from aidctl.workspace import Workspace

    return Workspace(path)


def _term(text: str | None):
    from aidctl.terms import Term

    return Term.parse(text) if text else None


def _version(value: bool):
    if value:
        typer.echo(f"aidctl {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="显示版本号。")] = False):
    """学生资助管理中心的批处理工具：审核花名册、通过银行发放、接受审计。"""


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
    from aidctl.validation import validate as run

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
        from aidctl.reports import write_validation_report

        write_validation_report(result, report)
    if format is Format.json:
        _emit_json(result.to_json())
    else:
        from aidctl import render

        render.validation(_stdout(), result, limit)
        if report is not None:
            _stdout().print(f"审核报告已写入：{report}")
    raise typer.Exit(Exit.DATA_ERRORS if result.errors else Exit.OK)


DbOpt = Annotated[Optional[str], typer.Option("--db", help="账本数据库 URL（默认 aidctl.toml 的 database_url 或工作目录下的 aidctl.db）。")]
WaitOpt = Annotated[float, typer.Option("--wait", min=0, help="另一个发放任务正在运行时最多等待的秒数（默认不等，直接退出）。")]
BankOpt = Annotated[Optional[str], typer.Option("--bank", help="银行格式（rules/banks/ 中的文件名，如 icbc-txt）。")]


@app.command()
@guarded
def disburse(
    rosters: Annotated[Optional[list[Path]], typer.Argument(
        help="花名册文件；省略时读取 intake/<学期>/*.xlsx。", show_default=False)] = None,
    term: Annotated[str, typer.Option("--term", help="学期，如 2011-autumn。")] = ...,
    bank: BankOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只列出将发放的记录，不写账本、不写文件。")] = False,
    db: DbOpt = None,
    wait: WaitOpt = 0,
    format: FormatOpt = Format.table,
    workspace: WorkspaceOpt = None,
    debug: DebugOpt = False,
):
    """发放：审核花名册，每名符合条件的学生每个项目发放一次，记入账本，写出银行报盘文件和发放审核表。

    重复运行不会重复发放：账本中已有的学生只列出，不再发放；银行退回（失败）且卡号已更正的才重发。
    有记录不予发放时退出码为 1（其余照常发放）。

    示例：aidctl disburse --term 2011-autumn --dry-run
    """
    from aidctl.disburse import disbursing

    _imports_done()
    ws = _workspace(workspace)
    the_term = _term(term)
    # the document is made while the ledger marks the batch sent, and shown only once it has
    with disbursing(ws, the_term, list(rosters) if rosters else None, bank=bank, dry_run=dry_run, db=db,
                    wait=wait) as outcome:
        if format is Format.json:
            from aidctl.jsonout import encode

            data = encode(outcome.to_json(ws.root, frames=True))
        else:
            doc = outcome.to_json(ws.root)
    if format is Format.json:
        _emit_bytes(data)
    else:
        from aidctl import render

        render.disbursement(_stdout(), doc)
    raise typer.Exit(Exit.DATA_ERRORS if len(outcome.plan.refused) else Exit.OK)


@app.command()
@guarded
def reconcile(
    result: Annotated[Path, typer.Argument(help="银行回盘文件（文本、xlsx 或 pain.002 XML）。")],
    term: Annotated[str, typer.Option("--term", help="学期，如 2011-autumn。")] = ...,
    bank: BankOpt = None,
    db: DbOpt = None,
    wait: WaitOpt = 0,
    format: FormatOpt = Format.table,
    workspace: WorkspaceOpt = None,
    debug: DebugOpt = False,
):
    """对账：读入银行回盘，把付款标为已入账或失败，列出失败原因；对不上的行只报告、不入账。

    有失败付款或对不上的行时退出码为 1。失败的付款在学校更正卡号后，下一次 disburse 会重发。

    示例：aidctl reconcile samples/bank/回盘_工商银行_2011-autumn.txt --term 2011-autumn
    """
    from aidctl.reconcile import reconcile as run

    ws = _workspace(workspace)
    outcome = run(ws, _term(term), result, bank=bank, db=db, display=str(result), wait=wait)
    doc = outcome.to_json()
    if format is Format.json:
        _emit_json(doc)
    else:
        from aidctl import render

        render.reconciliation(_stdout(), doc)
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
    from aidctl.ledger import Ledger, status_totals

    ws = _workspace(workspace)
    if not ws.has_ledger() and not db:
        raise UsageError(f"{ws.root} 还没有账本（aidctl.db）：先运行 aidctl disburse")
    ledger = Ledger(ws.ledger_url(db))
    with ledger.connect() as conn:
        the_term = _term(term)
        doc = {"version": 1, "term": str(the_term) if the_term else None,
               "batches": ledger.batch_summary(conn, str(the_term) if the_term else None),
               "payments": status_totals(conn, str(the_term) if the_term else None)}
    if format is Format.json:
        _emit_json(doc)
    else:
        from aidctl import render

        render.ledger(_stdout(), doc)


@app.command("audit-extraction")
@guarded
def audit_extraction(
    finance: Annotated[Optional[list[Path]], typer.Argument(
        help="财务报表（每校一行：事业收入、提取金额、划入专户金额、发放金额）；省略时读取 finance/。",
        show_default=False)] = None,
    year: Annotated[Optional[int], typer.Option("--year", min=FIRST_YEAR, max=LAST_YEAR,
                                                help="年度（默认取表中的年度列或标题）。")] = None,
    report: Annotated[Optional[Path], typer.Option("--report", help="写出审核工作簿（学校明细、县区汇总与图表）。")] = None,
    format: FormatOpt = Format.table,
    workspace: WorkspaceOpt = None,
    debug: DebugOpt = False,
):
    """校内资助资金提取审核：职高按事业收入的5%、普高3%—5%提取并划入资助专户（比例见 rules/extraction.yaml）。

    有学校提取不足或未划入专户时退出码为 1。

    示例：aidctl audit-extraction samples/finance/2011年度校内资助资金提取情况.xlsx --report 提取审核.xlsx
    """
    from aidctl.extraction import audit, default_paths
    from aidctl.reports import write_extraction_report

    ws = _workspace(workspace)
    paths = list(finance) if finance else default_paths(ws)
    displays = [str(p) for p in finance] if finance else [ws.display(p) for p in paths]
    result = audit(paths, ws, year=year, displays=displays)
    if report is not None:
        write_extraction_report(result, report)
    doc = result.to_json()
    if format is Format.json:
        _emit_json(doc)
    else:
        from aidctl import render

        render.extraction(_stdout(), doc)
        if report is not None:
            _stdout().print(f"审核工作簿已写入：{report}")
    raise typer.Exit(Exit.DATA_ERRORS if result.errors else Exit.OK)


@app.command()
@guarded
def publish(
    rosters: Annotated[Optional[list[Path]], typer.Argument(
        help="花名册文件；省略时读取 intake/<学期>/。", show_default=False)] = None,
    term: Annotated[str, typer.Option("--term", help="学期，如 2011-autumn。")] = ...,
    start: Annotated[Optional[datetime], typer.Option(
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
    from aidctl.publish import publish as run

    ws = _workspace(workspace)
    outcome = run(ws, _term(term), list(rosters) if rosters else None, start=start.date() if start else None)
    doc = outcome.to_json(ws.root)
    for line in outcome.warnings:
        typer.echo(f"aidctl: 提醒：{line}", err=True)
    if format is Format.json:
        _emit_json(doc)
    else:
        from aidctl import render

        render.publicity(_stdout(), doc)
    raise typer.Exit(Exit.DATA_ERRORS if doc["masked_cells"] else Exit.OK)


@app.command("report")
@guarded
def report(
    term: Annotated[str, typer.Option("--term", help="学期，如 2011-autumn。")] = ...,
    out: Annotated[Optional[Path], typer.Option(
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
    from aidctl.term_report import term_report

    ws = _workspace(workspace)
    result = term_report(ws, _term(term), out=out, db=db)
    doc = result.to_json(ws.root)
    if format is Format.json:
        _emit_json(doc)
    else:
        from aidctl import render

        render.term_report(_stdout(), doc)


@app.command()
@guarded
def enlist(
    rosters: Annotated[list[Path], typer.Argument(
        help="应征入伍学生名单（每名学生一行：姓名、身份证号、学校、学历层次、入学年份、入伍年份、"
             "第1学年学费、第2学年学费……、贷款本金、银行卡号），可多个，一起查重。", show_default=False)],
    year: Annotated[int, typer.Option("--year", min=FIRST_YEAR, max=LAST_YEAR, help="本次补偿的年度，如 2024。")] = ...,
    report: Annotated[Optional[Path], typer.Option(
        "--report", help="审核工作簿（.xlsx）；默认 out/enlist-<年度>/应征入伍学费补偿审核_<年度>.xlsx。")] = None,
    bank: BankOpt = None,
    out: Annotated[Optional[Path], typer.Option(
        "--out", file_okay=False, help="银行文件写到的目录（默认 out/enlist-<年度>/）。")] = None,
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

    ws = _workspace(workspace)
    result = run(list(rosters), ws, year=year, bank=bank, out=out, report=report,
                 displays=[str(p) for p in rosters])
    doc = result.to_json(ws.root)
    if format is Format.json:
        _emit_json(doc)
    else:
        from aidctl import render

        render.enlistment(_stdout(), doc)
    raise typer.Exit(Exit.DATA_ERRORS if result.errors else Exit.OK)


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
    report: Annotated[Optional[Path], typer.Option("--report", help="把检查结果写成 Excel 工作簿（汇总 + 问题清单）。")] = None,
    format: FormatOpt = Format.table,
    workspace: WorkspaceOpt = None,
    debug: DebugOpt = False,
):
    """检查贷款台账：借款人姓名和身份证号码，贷款金额是否超过当年额度，同一借款人同一贷款年度是否有多份合同，
    预计毕业年份是否与学历层次相符（额度和范围见 rules/loans.yaml）。有错误时退出码为 1。

    示例：aidctl loans check samples/loans/生源地信用助学贷款台账.xlsx --report 台账检查.xlsx
    """
    from aidctl.loans.register import read_register

    ws = _workspace(workspace)
    result = read_register(register, ws, str(register))
    if report is not None:
        from aidctl.loans.workbooks import write_check_report

        write_check_report(result, report)
    doc = result.to_json()
    if format is Format.json:
        _emit_json(doc)
    else:
        from aidctl.loans import render

        render.check(_stdout(), doc)
        if report is not None:
            _stdout().print(f"检查报告已写入：{report}")
    raise typer.Exit(Exit.DATA_ERRORS if result.errors else Exit.OK)


@loans_app.command("summary")
@guarded
def loans_summary(
    register: RegisterArg,
    year: Annotated[int, typer.Option("--year", min=FIRST_YEAR, max=LAST_YEAR,
                                      help="年度：新增贷款和审批按贷款年度，贴息按自然年。")] = ...,
    applications: Annotated[Optional[Path], typer.Option(
        "--applications", help="贷款申请受理清单（受理日期、审核结果、所属县区……），用于审批通过率。")] = None,
    as_of: Annotated[Optional[datetime], typer.Option(
        "--as-of", formats=["%Y-%m-%d"], show_default=False,
        help="还款情况（到期、履约、逾期）的截止日 YYYY-MM-DD，默认该年12月31日。")] = None,
    report: Annotated[Optional[Path], typer.Option(
        "--report", help="写出工作簿：县区汇总、贴息明细、说明、未计入。")] = None,
    format: FormatOpt = Format.table,
    workspace: WorkspaceOpt = None,
    debug: DebugOpt = False,
):
    """年度汇总（按县区）：受理、审核通过和审批通过率，新增贷款，在校期间贴息，风险补偿金，还款期贷款、
    到期应还、按期还款和履约率，逾期笔数和金额。利率、计息规则和比例见 rules/loans.yaml。

    台账中有数据不全、无法计入的合同时退出码为 1（其余照常汇总）。

    示例：aidctl loans summary --year 2024 samples/loans/生源地信用助学贷款台账.xlsx --applications samples/loans/2024年度贷款申请受理清单.xlsx
    """
    from aidctl.loans.summary import summarise

    ws = _workspace(workspace)
    result = summarise(register, ws, year, applications=applications, as_of=as_of.date() if as_of else None,
                       display=str(register), applications_display=str(applications) if applications else None)
    if report is not None:
        from aidctl.loans.workbooks import write_summary_report

        write_summary_report(result, report)
    doc = result.to_json()
    if format is Format.json:
        _emit_json(doc)
    else:
        from aidctl.loans import render

        render.summary(_stdout(), doc)
        if report is not None:
            _stdout().print(f"汇总工作簿已写入：{report}")
    raise typer.Exit(Exit.DATA_ERRORS if doc["excluded"] else Exit.OK)


@loans_app.command("collect")
@guarded
def loans_collect(
    register: RegisterArg,
    as_of: Annotated[datetime, typer.Option("--as-of", formats=["%Y-%m-%d"], show_default=False,
                                            help="截止日 YYYY-MM-DD：认定这一天逾期的借款人。")] = ...,
    out: Annotated[Optional[Path], typer.Option(
        "--out", help="催收名单工作簿（.xlsx）；默认 out/loans/生源地贷款逾期催收名单_<截止日>.xlsx。")] = None,
    format: FormatOpt = Format.table,
    workspace: WorkspaceOpt = None,
    debug: DebugOpt = False,
):
    """逾期催收名单：截止日逾期的每名借款人（欠款＞0，且应还日期早于截止日；没有应还日期的按台账的逾期天数），
    按县区每县一张工作表，逾期天数多的在前，附联系电话、共同借款人和住址，并留出联系日期、联系结果、
    承诺还款日期、经办人四列供县区资助中心记录。

    名单写出即退出码 0；有合同数据不全、无法认定时退出码为 1。

    示例：aidctl loans collect --as-of 2025-01-10 samples/loans/生源地信用助学贷款台账.xlsx --out 催收名单.xlsx
    """
    from aidctl.loans.collect import collect, default_out
    from aidctl.loans.workbooks import write_collection

    ws = _workspace(workspace)
    day = as_of.date()
    result = collect(register, ws, day, display=str(register))
    result.out = write_collection(result, out or default_out(ws, day), ws.rules)
    doc = result.to_json(ws.root)
    if format is Format.json:
        _emit_json(doc)
    else:
        from aidctl.loans import render

        render.collection(_stdout(), doc)
    raise typer.Exit(Exit.DATA_ERRORS if doc["excluded"] else Exit.OK)


intake_app = typer.Typer(no_args_is_help=True, help=(
    "花名册报送情况：各校每学期报送了哪些版本、是否按时（期限见 rules/oversight.yaml）、哪些学校未报送。\n\n"
    "示例：aidctl intake show --term 2011-autumn"))
app.add_typer(intake_app, name="intake")


@intake_app.command("show")
@guarded
def intake_show(
    term: Annotated[str, typer.Option("--term", help="学期，如 2011-autumn。")] = ...,
    db: DbOpt = None,
    format: FormatOpt = Format.table,
    workspace: WorkspaceOpt = None,
    debug: DebugOpt = False,
):
    """列出本学期各校报送的花名册：版本数、首次和最近报送时间、按时或逾期（按首版与 rules/oversight.yaml
    的报送期限比较）、首版和最新版的记录数、错误数、警告数，以及 schools.xlsx 中未报送的学校。

    报送记录由 aidctl validate（工作目录自己的花名册）和 aidctl disburse 写入账本。
    有学校逾期、或期限已过仍有学校未报送时退出码为 1。

    示例：aidctl intake show --term 2011-autumn --workspace samples
    """
    from aidctl.intake import non_compliant, show

    ws = _workspace(workspace)
    doc = show(ws, _term(term), db=db)
    if format is Format.json:
        _emit_json(doc)
    else:
        from aidctl import oversight_render

        oversight_render.intake(_stdout(), doc)
    raise typer.Exit(Exit.DATA_ERRORS if non_compliant(doc) else Exit.OK)


inspect_app = typer.Typer(no_args_is_help=True, help=(
    "抽查受助学生：从账本中按学校随机抽取已发放的学生，生成可打印的核对签字表，再把填好的核对表读回并列出问题。\n\n"
    "示例：aidctl inspect sample --term 2011-autumn --seed 2011 --per-school 3"))
app.add_typer(inspect_app, name="inspect")


@inspect_app.command("sample")
@guarded
def inspect_sample(
    term: Annotated[str, typer.Option("--term", help="学期，如 2011-autumn。")] = ...,
    per_school: Annotated[Optional[int], typer.Option(
        "--per-school", min=1, help="每校抽取的学生数（默认 rules/oversight.yaml 的 per_school_default）。")] = None,
    seed: Annotated[Optional[int], typer.Option(
        "--seed", min=0, help="随机种子；同一种子、同一账本抽出同样的学生。默认取当天日期（如 20250314）。")] = None,
    db: DbOpt = None,
    format: FormatOpt = Format.table,
    workspace: WorkspaceOpt = None,
    debug: DebugOpt = False,
):
    """随机抽取已入账的受助学生（某校尚无回盘时取已发送的），每校一份核对签字表写到 out/<学期>/检查/。

    抽样编号、随机种子和抽样方法记入账本，审计时可按同一方法重新抽出同样的学生。核对表只显示身份证号码前6位后4位
    和卡号后4位，留有本人在校、资助卡由本人持有、实收金额、情况说明四栏和检查人、学校负责人签字栏。

    示例：aidctl inspect sample --term 2011-autumn --seed 2011 --per-school 3 --workspace samples
    """
    from aidctl.inspection import sample

    ws = _workspace(workspace)
    result = sample(ws, _term(term), per_school=per_school, seed=seed, db=db)
    doc = result.to_json(ws.root)
    if format is Format.json:
        _emit_json(doc)
    else:
        from aidctl import oversight_render

        oversight_render.inspection_sample(_stdout(), doc)


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
    实收金额与账本不符（精确到分）、未填写（尚未检查）。行按核对编号匹配，重新排序不影响；同一份表再记一次不重复记录。

    有任何问题时退出码为 1。

    示例：aidctl inspect record samples/inspection/第一职业中学_2011-autumn_资助资金抽查核对表_已填.xlsx --workspace samples
    """
    from aidctl.inspection import record

    ws = _workspace(workspace)
    result = record(ws, file, db=db, display=str(file))
    doc = result.to_json()
    if format is Format.json:
        _emit_json(doc)
    else:
        from aidctl import oversight_render

        oversight_render.inspection_record(_stdout(), doc)
    raise typer.Exit(Exit.DATA_ERRORS if doc["discrepancies"] else Exit.OK)


YearOpt = Annotated[int, typer.Option("--year", min=FIRST_YEAR, max=LAST_YEAR, help="年度，如 2011（该年春季、秋季学期）。")]
AsOfOpt = Annotated[Optional[datetime], typer.Option(
    "--as-of", formats=["%Y-%m-%d"], show_default=False,
    help="截止日 YYYY-MM-DD：认定办结和超期的日期（默认今天；该年12月31日早于今天时取12月31日）。")]


@app.command()
@guarded
def complaints(
    register: Annotated[Optional[list[Path]], typer.Argument(
        help="投诉登记台账（每件投诉一行：受理日期、所属县区、学校、类别、办结日期、投诉人……）；省略时读取 complaints/。",
        show_default=False)] = None,
    year: YearOpt = ...,
    as_of: AsOfOpt = None,
    report: Annotated[Optional[Path], typer.Option(
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
    from aidctl.complaints import default_paths, summarise

    ws = _workspace(workspace)
    paths = list(register) if register else default_paths(ws)
    displays = [str(p) for p in register] if register else [ws.display(p) for p in paths]
    result = summarise(paths, ws, year, as_of=as_of.date() if as_of else None, displays=displays, db=db)
    if report is not None:
        from aidctl.assess_output import write_complaints_report

        write_complaints_report(result, report)
    doc = result.to_json()
    if format is Format.json:
        _emit_json(doc)
    else:
        from aidctl.assess_output import render_complaints

        render_complaints(_stdout(), doc)
        if report is not None:
            _stdout().print(f"投诉统计工作簿已写入：{report}")
    raise typer.Exit(Exit.DATA_ERRORS if result.errors else Exit.OK)


@app.command()
@guarded
def assess(
    year: YearOpt = ...,
    finance: Annotated[Optional[list[Path]], typer.Option(
        "--finance", help="财务报表（校内资助金提取）；默认 finance/ 下的文件。")] = None,
    complaints_file: Annotated[Optional[list[Path]], typer.Option(
        "--complaints", help="投诉登记台账；默认 complaints/ 下的文件。")] = None,
    loans: Annotated[Optional[list[Path]], typer.Option(
        "--loans", help="生源地贷款台账；默认 loans/ 下能识别为台账的文件。")] = None,
    report: Annotated[Optional[Path], typer.Option(
        "--report", help="写出考核工作簿：县区得分（附各县区总分条形图）、学校得分、指标与权重、说明。")] = None,
    as_of: Annotated[Optional[datetime], typer.Option(
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
    from aidctl.assessment import assess as run

    ws = _workspace(workspace)
    result = run(ws, year, finance=finance, complaints=complaints_file, loans=loans, db=db,
                 as_of=as_of.date() if as_of else None)
    doc = result.to_json()
    if report is not None:
        from aidctl.assess_output import write_scorecard_report

        write_scorecard_report(doc, report)
    if format is Format.json:
        _emit_json(doc)
    else:
        from aidctl.assess_output import render_scorecard

        render_scorecard(_stdout(), doc)
        if report is not None:
            _stdout().print(f"考核工作簿已写入：{report}")
    raise typer.Exit(Exit.DATA_ERRORS if doc["problems"] else Exit.OK)


@rules_app.command("check")
@guarded
def rules_check(format: FormatOpt = Format.table, workspace: WorkspaceOpt = None, debug: DebugOpt = False):
    """检查所有规则文件：格式、取值、日期时段的重叠与空档，并运行 rules/tests 中的案例。

    示例：aidctl rules check --workspace samples
    """
    from aidctl import rulecases, rules_view

    ws = _workspace(workspace)
    rules = ws.rules
    rules.banks  # parsed on first use elsewhere: checked here with the rest
    results = rulecases.run_cases(ws)
    failed = [r for r in results if not r["passed"]]
    doc = {"version": 1, "ok": not failed, "fingerprint": rules.fingerprint,
           "files": rules_view.files(rules), "warnings": [str(w) for w in rules.warnings],
           "cases": results}
    if format is Format.json:
        _emit_json(doc)
    else:
        from aidctl import render

        console = _stdout()
        render.rules_files(console, doc["files"])
        for w in doc["warnings"]:
            console.print(f"[yellow]提醒：[/yellow]{w}")
        for r in results:
            mark = "[green]通过[/green]" if r["passed"] else "[red]未通过[/red]"
            console.print(f"{mark} {r['file']}：{r['name']}" + ("" if r["passed"] else f"：{r['detail']}"))
        console.print(f"规则指纹（SHA-256）：{doc['fingerprint']}")
        console.print("[green]规则文件检查通过。[/green]" if not failed else f"[red]{len(failed)} 个规则案例未通过。[/red]")
    raise typer.Exit(Exit.OK if not failed else Exit.DATA_ERRORS)


@rules_app.command("show")
@guarded
def rules_show(term: TermOpt = None, format: FormatOpt = Format.table, workspace: WorkspaceOpt = None,
               debug: DebugOpt = False):
    """显示某学期执行的资助项目、标准、条件和依据，以及每个规则文件的来源。

    示例：aidctl rules show --term 2011-autumn
    """
    from datetime import date

    from aidctl import rules_view
    from aidctl.terms import Term

    ws = _workspace(workspace)
    doc = rules_view.in_force(ws.rules, _term(term) or Term.from_date(date.today()))
    if format is Format.json:
        _emit_json(doc)
    else:
        from aidctl import render

        render.rules_in_force(_stdout(), doc)


@app.command()
@guarded
def codes(format: FormatOpt = Format.table, debug: DebugOpt = False):
    """列出全部问题代码及其默认严重程度。

    示例：aidctl codes --format json
    """
    from aidctl.findings import CATALOGUE

    if format is Format.json:
        _emit_json({"version": 1, "codes": [{"code": c, "severity": t.severity, "title": t.title, "when": t.when}
                                            for c, t in CATALOGUE.items()]})
    else:
        from aidctl import render

        render.catalogue(_stdout())


@app.command()
@guarded
def init(directory: Annotated[Path, typer.Argument(help="新工作目录（默认当前目录）。")] = Path("."),
         format: FormatOpt = Format.table, debug: DebugOpt = False):
    """建立一个空的工作目录：intake/、out/、rules/ 和 aidctl.toml。

    示例：aidctl init 资助2011
    """
    from aidctl.workspace import init_workspace

    made = init_workspace(directory)
    if format is Format.json:
        _emit_json({"version": 1, "workspace": str(directory), "created": [str(p) for p in made]})
    else:
        for p in made:
            typer.echo(f"已建立 {p}")


def main() -> None:
    app()
