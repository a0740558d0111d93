"""Terminal tables of the loans commands."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from aidctl.core.catalogue import CATALOGUE, SEVERITY_WORDS

STYLE = {"error": "red", "warning": "yellow"}
SHOWN = 30


def check(console: Console, doc: dict) -> None:
    s = doc["summary"]
    console.print(Text(f"生源地信用助学贷款台账：合同 {s['records']} 份，错误 {s['errors']} 个，警告 {s['warnings']} 个",
                       style="bold"))
    files = RichTable(box=box.SIMPLE_HEAD)
    for h in ("文件", "工作表", "表头行", "合同数"):
        files.add_column(h, overflow="fold")
    for f in doc["files"]:
        files.add_row(f["file"], f["sheet"], str(f["header_row"]), str(f["records"]))
    console.print(files)
    findings = doc["findings"]
    if findings:
        counts: dict[tuple[str, str], int] = {}
        for f in findings:
            counts[(f["code"], f["severity"])] = counts.get((f["code"], f["severity"]), 0) + 1
        table = RichTable(title="问题分类", box=box.SIMPLE_HEAD, title_justify="left")
        for h in ("问题代码", "问题", "严重程度", "数量"):
            table.add_column(h)
        order = list(CATALOGUE)
        for (code, sev), n in sorted(counts.items(), key=lambda kv: order.index(kv[0][0])):
            table.add_row(code, CATALOGUE[code].title, Text(SEVERITY_WORDS.get(sev, sev), style=STYLE.get(sev)), str(n))
        console.print(table)
        items = RichTable(title=f"问题明细（前 {min(SHOWN, len(findings))} 条，共 {len(findings)} 条；--report 可导出全部）",
                          box=box.SIMPLE_HEAD, title_justify="left")
        for h in ("文件", "行", "列", "问题代码", "说明"):
            items.add_column(h, overflow="fold")
        for f in findings[:SHOWN]:
            items.add_row(f["file"], "" if f["row"] is None else str(f["row"]), f["column"] or "",
                          Text(f["code"], style=STYLE.get(f["severity"])), f["message"])
        console.print(items)
    console.print(Text("有错误：请与经办银行核实更正台账。", style="red") if s["errors"] else Text("没有错误。", style="green"))


def summary(console: Console, doc: dict) -> None:
    t = doc["totals"]
    console.print(Text(f"{doc['year']}年度生源地信用助学贷款（还款情况截至{doc['as_of']}）：新增 {t['new_loans']} 笔 "
                       f"{t['new_amount']} 元，在校期间贴息 {t['interest']} 元，风险补偿金 {t['risk_compensation']} 元，"
                       f"逾期 {t['overdue']} 笔 {t['overdue_amount']} 元", style="bold"))
    table = RichTable(box=box.SIMPLE_HEAD)
    heads = [("县区", "county"), ("受理", "applications"), ("通过", "approved"), ("通过率", "approval_rate"),
             ("新增笔数", "new_loans"), ("新增金额", "new_amount"), ("贴息", "interest"),
             ("风险补偿金", "risk_compensation"), ("还款期", "in_repayment"), ("到期应还", "due"),
             ("按期还款", "repaid_on_time"), ("履约率", "performance_rate"), ("逾期笔数", "overdue"),
             ("逾期金额", "overdue_amount"), ("无法判断", "unjudged")]
    for h, _ in heads:
        table.add_column(h, justify="left" if h == "县区" else "right", overflow="fold")
    for r in [*doc["counties"], {"county": "合计", **doc["totals"]}]:
        table.add_row(*["—" if r[k] is None else str(r[k]) for _, k in heads],
                      style="bold" if r["county"] == "合计" else None)
    console.print(table)
    i = doc["interest"]
    rates = "；".join(f"{r['from']} 起 {r['rate']}%（{r['basis']}）" for r in i["rates"])
    console.print(f"贴息：{i['day_count']}，{i['rounding']}；执行利率：{rates}")
    rc = doc["risk_compensation"]
    console.print(f"风险补偿金比例：{rc['ratio']}（{rc['source']}）")
    for n in doc["notes"]:
        console.print(Text(f"说明：{n}", style="yellow"))
    if doc["excluded"]:
        console.print(Text(f"{len(doc['excluded'])} 份合同有错误或数据不全，未计入（原因见 JSON 的 excluded 或 --report 的“未计入”表）",
                           style="red"))


def collection(console: Console, doc: dict) -> None:
    t = doc["totals"]
    console.print(Text(f"截至{doc['as_of']}逾期借款人 {t['borrowers']} 人，逾期金额 {t['amount_due']} 元", style="bold"))
    table = RichTable(box=box.SIMPLE_HEAD)
    for h in ("县区", "逾期人数", "逾期金额", "最长逾期天数"):
        table.add_column(h, justify="left" if h == "县区" else "right")
    for c in doc["counties"]:
        table.add_row(c["county"], str(c["borrowers"]), c["amount_due"], str(c["max_days_overdue"]))
    console.print(table)
    console.print(doc["rule"])
    for n in doc.get("notes", []):
        console.print(Text(f"说明：{n}", style="yellow"))
    if doc["excluded"]:
        console.print(Text(f"{len(doc['excluded'])} 份合同有错误或数据不全，未列入名单（原因见 JSON 的 excluded）", style="red"))
    if doc["out"]:
        console.print(f"催收名单已写入：{doc['out']}")
