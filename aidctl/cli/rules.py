"""aidctl rules check | show: the rule files checked, and what is in force for a term."""

from __future__ import annotations

import typer

from aidctl.cli.common import (
    DebugOpt,
    Format,
    FormatOpt,
    TermOpt,
    WorkspaceOpt,
    app,
    emit_json,
    guarded,
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

    doc = rules_in_force(workspace_at(workspace).rules, term_of(term))
    if format is Format.json:
        emit_json(doc)
    else:
        from aidctl.cli.render import rules as render

        render.rules_in_force(stdout_console(), doc)
