"""Terminal rendering with rich: summaries for people. JSON is rendered by the CLI from the same data."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from aidctl.findings import CATALOGUE
from aidctl.reports import SEVERITY_WORDS
from aidctl.rules_view import amount_text

STYLE = {"error": "red", "warning": "yellow"}


def validation(console: Console, v, limit: int = 20) -> None:
    s = v.summary()
    console.print(Text(f"{v.term}：{len(v.roster.tables)} 个表，受助学生记录 {s['records']} 条，"
                       f"错误 {s['errors']} 个，警告 {s['warnings']} 个", style="bold"))
    files = RichTable(title="读取的花名册", box=box.SIMPLE_HEAD, title_justify="left")
    for h in ("文件", "工作表", "表头行", "记录数"):
        files.add_column(h, overflow="fold")
    for item in v.roster.file_info():
        files.add_row(item["file"], item["sheet"], str(item["header_row"]), str(item["records"]))
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
        for h in ("文件", "行", "列", "问题代码", "说明"):
            items.add_column(h, overflow="fold")
        for file, row, col, code, sev, msg in shown[["file", "row", "column", "code", "severity", "message"]] \
                .itertuples(index=False, name=None):
            items.add_row(file, "" if row is None or row != row else str(int(row)), col or "",
                          Text(code, style=STYLE.get(sev)), msg)
        console.print(items)
    if s["errors"]:
        console.print(Text("有错误：标为“错误”的记录不会发放，请退回学校更正。", style="red"))
    else:
        console.print(Text("没有错误。", style="green"))


def rules_in_force(console: Console, doc: dict) -> None:
    console.print(Text(f"{doc['term']}（学年 {doc['school_year']}，开学日 {doc['term_start']}）执行的资助规则",
                       style="bold"))
    table = RichTable(box=box.SIMPLE_HEAD)
    for h in ("资助项目", "学校类型", "资助标准", "资格条件", "起始", "依据"):
        table.add_column(h, overflow="fold")
    for p in doc["programmes"]:
        if not p["in_force"]:
            table.add_row(p["programme"], "、".join(p["school_types"]), Text("本学期不在执行期", style="dim"),
                          "", "", "")
            continue
        table.add_row(p["programme"], "、".join(p["school_types"]), amount_text(p), "；".join(p["conditions"]),
                      p["from"], p["source"])
    console.print(table)
    ages = "；".join(f"{k} {v['min']}—{v['max']} 周岁" for k, v in doc["ages"].items())
    console.print(f"年龄范围（超出为警告）：{ages}")
    if doc["severity_overrides"]:
        console.print(f"严重程度调整：{doc['severity_overrides']}")
    rules_files(console, doc["files"])


def rules_files(console: Console, files: list[dict]) -> None:
    table = RichTable(title="规则文件", box=box.SIMPLE_HEAD, title_justify="left")
    for h in ("文件", "来源", "路径"):
        table.add_column(h, overflow="fold")
    for f in files:
        table.add_row(f["file"], "工作目录" if f["origin"] == "workspace" else "内置", f["path"])
    console.print(table)


def catalogue(console: Console) -> None:
    table = RichTable(box=box.SIMPLE_HEAD)
    for h in ("问题代码", "默认严重程度", "问题"):
        table.add_column(h)
    for code, t in CATALOGUE.items():
        table.add_row(code, SEVERITY_WORDS[t.severity], t.title)
    console.print(table)
