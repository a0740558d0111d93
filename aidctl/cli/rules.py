"""aidctl rules check | show | diff: the rule files checked, what is in force for a term, and what
another version of them would change."""

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

rules_app = typer.Typer(no_args_is_help=True,
                        help="检查和查看资助规则（rules/*.yaml）。\n\n示例：aidctl rules show --term 2011-autumn")
app.add_typer(rules_app, name="rules")


@rules_app.command("check")
@guarded
def rules_check(format: FormatOpt = Format.table, workspace: WorkspaceOpt = None, debug: DebugOpt = False):
    """检查所有规则文件：格式、取值、日期时段的重叠与空档，并运行 rules/tests 中的案例。

    示例：aidctl rules check --workspace samples
    """
    from aidctl.oversight import rules_check as run

    doc = run(workspace_at(workspace))
    if format is Format.json:
        emit_json(doc)
    else:
        from aidctl.cli.render import rules as render

        render.rules_check(stdout_console(), doc)
    raise typer.Exit(Exit.OK if doc["ok"] else Exit.DATA_ERRORS)


@rules_app.command("show")
@guarded
def rules_show(term: TermOpt = None, format: FormatOpt = Format.table, workspace: WorkspaceOpt = None,
               debug: DebugOpt = False):
    """显示某学期执行的资助项目、标准、条件和依据，以及每个规则文件的来源。

    示例：aidctl rules show --term 2011-autumn
    """
    from aidctl.rulebook import rules_in_force

    rules = workspace_at(workspace).rules
    the_term, notes = _term_or_today(term, rules)
    doc = rules_in_force(rules, the_term)
    # nobody chose today's term, nor a key a copy of a rule file leaves out: said on stderr and in JSON
    doc["notes"] = list(dict.fromkeys([*notes, *getattr(rules, "notes", [])]))
    for line in doc["notes"]:
        say(line)
    if format is Format.json:
        emit_json(doc)
    else:
        from aidctl.cli.render import rules as render

        render.rules_in_force(stdout_console(), doc)


def _term_or_today(term: str | None, rules):
    """(the term given, else the one today falls in; the note saying the latter aloud)."""
    from datetime import date

    from aidctl.core.terms import Term

    if term:
        return term_of(term), []
    today = date.today()
    the_term = Term.from_date(today)
    return the_term, [f"未用 --term 指定学期：按今天（{today:%Y-%m-%d}）所在的 {the_term}（{rules.term_label(the_term)}）"
                      "显示执行的规则。如需其他学期，请用 --term 指定"]


@rules_app.command("diff")
@guarded
def rules_diff(
    folder: Annotated[Path, typer.Argument(
        help="对比规则文件夹：其中的规则文件替换工作目录（或内置）的同名文件，与工作目录的 rules/ 相同。",
        show_default=False)],
    rosters: Annotated[list[Path] | None, typer.Argument(
        help="花名册文件；省略时读取 intake/<学期>/。", show_default=False)] = None,
    term: Annotated[str, typer.Option("--term", help="学期，如 2011-autumn。")] = ...,
    report: Annotated[Path | None, typer.Option(
        "--report", help="把测算结果写成 Excel 工作簿（汇总、按学校、资格变化、金额变化；身份证号码脱敏）。")] = None,
    limit: Annotated[int, typer.Option("--limit", min=0, help="终端上每类变化显示的记录条数。")] = 20,
    format: FormatOpt = Format.table,
    workspace: WorkspaceOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
):
    """规则测算：本学期的花名册分别按现行规则和对比规则审核、计算，列出资格变化（可发放 ↔ 不予发放，及决定的条件）
    和金额变化的学生，按学校、县区、资助项目汇总增减金额。不写账本，除 --report 外不写任何文件。

    示例：aidctl rules diff proposed-rules/ --term 2011-autumn --report 测算.xlsx
    """
    from aidctl.report import diff_rules

    ws = workspace_at(workspace)
    show_progress(quiet)
    result = diff_rules(ws, folder, term_of(term), list(rosters) if rosters else None, report=report)
    for line in result.notes:
        say(line)
    if format is Format.json:
        emit_json(result.to_json(frames=True))
    else:
        from aidctl.cli.render import rules as render

        render.rules_diff(stdout_console(), result.to_json(), limit)
    raise typer.Exit(Exit.OK)
