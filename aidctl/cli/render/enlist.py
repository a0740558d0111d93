"""Terminal tables of enlist."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from aidctl.cli.render.check import findings


def enlistment(console: Console, doc: dict) -> None:
    t = doc["totals"]
    console.print(Text(f"{doc['year']}年应征入伍学费补偿和贷款代偿：{t['students']} 名学生，可发放 {t['payable']}，"
                       f"不予发放 {t['refused']}；补偿合计 {t['amount']} 元，其中代偿贷款 {t['loan_repayment']} 元，"
                       f"发给学生 {t['to_students']} 元（{t['payments']} 笔）", style="bold"))
    table = RichTable(box=box.SIMPLE_HEAD)
    for h in ("行", "姓名", "学校", "层次", "入学", "入伍", "计入学年", "补偿", "代偿贷款", "发给学生", "结论"):
        table.add_column(h, overflow="fold", justify="right" if h in ("补偿", "代偿贷款", "发给学生") else "left")
    for s in doc["students"]:
        verdict = "可发放" if s["payable"] else "不予发放"
        table.add_row(str(s["row"]), s["name"] or "", s["school"] or "", s["level_detail"] or "",
                      str(s["enrolled"] or ""), str(s["enlisted"] or ""),
                      "" if s["years_counted"] is None else str(s["years_counted"]), s["total"] or "",
                      s["loan_repayment"] or "", s["to_student"] or "",
                      Text(verdict, style="green" if s["payable"] else "red"))
    console.print(table)
    findings(console, [(f"{s['file']} 第{s['row']}行 {s['name'] or ''} ", f) for s in doc["students"]
                       for f in s["findings"]], doc["file_findings"])
    for path in doc["bank_files"]:
        console.print(f"银行文件已写入：{path}")
    if doc["report"]:
        console.print(f"审核工作簿已写入：{doc['report']}")
    console.print(Text("本名单不记入发放账本：由财务按银行文件支付，代偿贷款部分另行划付；重复运行会生成同样的名单，请勿重复支付。",
                       style="yellow"))
