"""Terminal tables of validate and codes."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from aidctl.core.catalogue import CATALOGUE, SEVERITY_WORDS
from aidctl.core.labels import dropped_text, hidden_rows_text

STYLE = {"error": "red", "warning": "yellow"}


def findings(console: Console, located: list[tuple[str, dict]], file_findings: list[dict]) -> None:
    """A line per finding, coloured by severity: where it stands, then code and message; then the
    findings about whole files."""
    for where, f in located:
        console.print(Text(f"{where}{f['code']}：{f['message']}", style=STYLE.get(f["severity"])))
    for f in file_findings:
        sheet = f" 工作表“{f['sheet']}”" if f.get("sheet") else ""
        console.print(Text(f"{f['file']}{sheet} {f['code']}：{f['message']}", style=STYLE.get(f["severity"])))


def validation(console: Console, v, limit: int = 20) -> None:
    from aidctl.core.text import missing, text_or_empty  # pandas: here, not for codes

    s = v.summary()
    already = v.already_paid
    paid = f"，本学期已发放 {already} 条（账本记录，不是学校的错误）" if already else ""
    console.print(Text(f"{v.term}：{len(v.roster.tables)} 个表，受助学生记录 {s['records']} 条，"
                       f"错误 {s['errors']} 个，警告 {s['warnings']} 个{paid}", style="bold"))
    files = RichTable(title="读取的花名册", box=box.SIMPLE_HEAD, title_justify="left")
    for h in ("文件", "工作表", "表头行", "记录数", "未计入的行", "隐藏行（已读取）"):
        files.add_column(h, overflow="fold")
    for item in v.roster.file_info():
        dropped = dropped_text(item["dropped"])
        hidden = hidden_rows_text(item["hidden_rows"])
        if item["hidden_sheets"]:
            hidden += ("；" if hidden else "") + "隐藏工作表未读：" + "、".join(item["hidden_sheets"])
        files.add_row(item["file"], item["sheet"], str(item["header_row"]), str(item["records"]), dropped, hidden)
    console.print(files)
    if len(v.findings):
        codes = RichTable(title="问题分类", box=box.SIMPLE_HEAD, title_justify="left")
        for h in ("问题代码", "问题", "严重程度", "数量"):
            codes.add_column(h)
        for code, sev, count, title in v.by_code()[["code", "severity", "count", "title"]].itertuples(
                index=False, name=None):
            codes.add_row(code, title, Text(SEVERITY_WORDS.get(sev, sev), style=STYLE.get(sev)), str(count))
        console.print(codes)
    schools = RichTable(title="按学校", box=box.SIMPLE_HEAD, title_justify="left")
    for h in ("学校", "受助学生", "不予发放", "错误", "警告"):
        schools.add_column(h, justify="left" if h == "学校" else "right")
    for row in v.by_school().itertuples(index=False, name=None):
        schools.add_row(str(row[0]), *(str(x) for x in row[1:]))
    console.print(schools)
    if len(v.findings):
        shown = v.findings.head(limit)
        items = RichTable(title=f"问题明细（前 {len(shown)} 条，共 {len(v.findings)} 条；--report 可导出全部）",
                          box=box.SIMPLE_HEAD, title_justify="left", show_lines=False)
        for h in ("文件", "工作表", "行", "列", "问题代码", "说明"):
            items.add_column(h, overflow="fold")
        for file, sheet, row, col, code, sev, msg in shown[["file", "sheet", "row", "column", "code", "severity",
                                                            "message"]].itertuples(index=False, name=None):
            items.add_row(file, text_or_empty(sheet), "" if missing(row) else str(int(row)), text_or_empty(col),
                          Text(code, style=STYLE.get(sev)), msg)
        console.print(items)
    if s["errors"]:
        console.print(Text("有错误：标为“错误”的记录不会发放，请退回学校更正。", style="red"))
    else:
        console.print(Text("学校花名册没有错误。" if already else "没有错误。", style="green"))
    if already:
        console.print(Text(f"{already} 条记录本学期已经发放（ledger.already_paid）：这是账本的状态，"
                           "不是学校的错误，无需退回学校；disburse 不会重复发放。", style="yellow"))


def catalogue(console: Console) -> None:
    table = RichTable(box=box.SIMPLE_HEAD)
    for h in ("问题代码", "默认严重程度", "问题"):
        table.add_column(h)
    for code, t in CATALOGUE.items():
        table.add_row(code, SEVERITY_WORDS[t.severity], t.title)
    console.print(table)
