"""The aidctl command line: parse options, call one library function, render. No logic here."""

from __future__ import annotations

import typer

from aidctl.cli.common import (
    DebugOpt,
    Format,
    FormatOpt,
    TermOpt,
    WorkspaceOpt,
    _emit_json,
    _stdout,
    _term,
    _workspace,
    app,
    guarded,
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
    from aidctl.check import cases as rulecases
    from aidctl.rulebook import view as rules_view

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
        from aidctl.cli.render import rules as render

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

    from aidctl.core.terms import Term
    from aidctl.rulebook import view as rules_view

    ws = _workspace(workspace)
    doc = rules_view.in_force(ws.rules, _term(term) or Term.from_date(date.today()))
    if format is Format.json:
        _emit_json(doc)
    else:
        from aidctl.cli.render import rules as render

        render.rules_in_force(_stdout(), doc)
