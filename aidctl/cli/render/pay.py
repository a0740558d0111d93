"""Terminal tables of disburse, reconcile and ledger show."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from aidctl.ledger import STATUS_WORDS


def disbursement(console: Console, doc: dict) -> None:
    head = "（试算，未写账本和文件）" if doc["dry_run"] else (f"批次 {doc['batch']}" if doc["batch"] else "本次没有新的发放")
    console.print(Text(f"{doc['term']} 发放{head}：{doc['totals']['payments']} 笔，合计 {doc['totals']['amount']} 元",
                       style="bold"))
    if doc["recovered_batches"]:
        console.print(f"已补完上次中断的批次：{'、'.join(doc['recovered_batches'])}")
        for r in doc.get("recovered_reports", []):
            console.print(f"补完批次的发放审核表：{r}")
    for b in doc.get("unfinished_elsewhere", []):
        console.print(Text(f"批次 {b['batch']} 由工作目录 {b['workspace']} 记入账本，尚未完成："
                           "请在该工作目录运行 disburse 完成它（其学生不会在此重复发放）", style="yellow"))
    table = RichTable(box=box.SIMPLE_HEAD)
    for h in ("类别", "人数"):
        table.add_column(h)
    table.add_row("本次发放", str(len(doc["payments"])))
    table.add_row("其中：失败后更正卡号重发", str(sum(p["reissue"] for p in doc["payments"])))
    table.add_row(Text("不予发放（有错误）", style="red" if doc["refused"] else None), str(len(doc["refused"])))
    table.add_row("已发放，不重复发放", str(len(doc["already_paid"])))
    table.add_row("发放失败、卡号未更正，未重发", str(len(doc["failed_unchanged"])))
    table.add_row("拨付学校的项目（不入学生银行文件）", str(doc["school_funded"]))
    console.print(table)
    if doc["refused"]:
        refused = RichTable(title="不予发放（前 20 条）", box=box.SIMPLE_HEAD, title_justify="left")
        for h in ("文件", "行", "姓名", "问题代码"):
            refused.add_column(h, overflow="fold")
        for r in doc["refused"][:20]:
            refused.add_row(r["file"], str(r["row"]), r["name"] or "", "、".join(r["codes"]))
        console.print(refused)
    for f in doc["files"]:
        console.print(f"已写出：{f}")
    if doc["report"]:
        console.print(f"发放审核表：{doc['report']}")


def _line(r: dict, without: str) -> str:
    """A result line's row, with its sheet where the file answers in more than one."""
    if not r["row"]:
        return without
    return f"{r['sheet']} {r['row']}" if r.get("sheet") else str(r["row"])


def _declared(figures: list[dict]) -> str:
    """总笔数 3 笔；总金额 2250.00 元, each with its sheet where they stand on more than one."""
    several = len({f["sheet"] for f in figures}) > 1
    out = []
    for f in figures:
        sheet = f"工作表“{f['sheet']}”" if several and f["sheet"] else ""
        out.append(f"{sheet}{f['label']} {f['value']} {'笔' if f['figure'].endswith('count') else '元'}")
    return "；".join(out)


def reconciliation(console: Console, doc: dict) -> None:
    t = doc["totals"]
    console.print(Text(f"{doc['term']} 回盘 {doc['file']}：入账 {t['paid']} 笔 {t['paid_amount']} 元，"
                       f"失败 {t['failed']} 笔 {t['failed_amount']} 元，已受理未完成 {len(doc.get('pending', []))} 笔，"
                       f"未入账的行 {t['problems']} 个", style="bold"))
    if doc.get("batches"):
        console.print(f"答复的批次：{'、'.join(doc['batches'])}（依据：{doc.get('bound_by') or '序号'}）")
    if doc.get("declared"):
        console.print(f"回盘表头上方写明的笔数和金额，已与逐笔结果核对一致：{_declared(doc['declared'])}")
    if doc["failed"]:
        table = RichTable(title="失败的付款（学校更正卡号后，下次 disburse 会重发）", box=box.SIMPLE_HEAD,
                          title_justify="left")
        for h in ("行", "姓名", "资助项目", "卡号", "金额", "原因"):
            table.add_column(h, overflow="fold")
        for r in doc["failed"]:
            table.add_row(_line(r, "整组"), r["name"] or "", r["programme"], r["card"], r["amount"],
                          r["reason"] or "")
        console.print(table)
    if doc.get("pending"):
        table = RichTable(title="已受理、尚未最终完成的付款（仍为已发送，待银行的最终状态）", box=box.SIMPLE_HEAD,
                          title_justify="left")
        for h in ("行", "姓名", "卡号", "金额", "状态"):
            table.add_column(h, overflow="fold")
        for r in doc["pending"]:
            table.add_row(_line(r, ""), r["name"] or "", r["card"], r["amount"], r["status"] or "")
        console.print(table)
    if doc["problems"]:
        table = RichTable(title="未入账的回盘行（请与银行核对）", box=box.SIMPLE_HEAD, title_justify="left")
        for h in ("行", "卡号", "金额", "处理结果", "问题"):
            table.add_column(h, overflow="fold")
        for r in doc["problems"]:
            table.add_row(_line(r, "整组"), r["card"] or "", r["amount"] or "", r["status"] or "", r["issue"])
        console.print(table)


def ledger(console: Console, doc: dict) -> None:
    table = RichTable(title="发放批次", box=box.SIMPLE_HEAD, title_justify="left")
    for h in ("批次", "学期", "时间", "经办人", "状态", "笔数", "金额（元）", "各状态"):
        table.add_column(h, overflow="fold")
    for b in doc["batches"]:
        statuses = "；".join(f"{STATUS_WORDS.get(k, k)} {v['count']} 笔 {v['amount']} 元" for k, v in b["statuses"].items())
        table.add_row(b["id"], b["term"], b["created_at"], b["operator"] or "", STATUS_WORDS.get(b["status"], b["status"]),
                      str(b["payments"]), b["total"], statuses)
    console.print(table)
    totals = RichTable(title="付款状态", box=box.SIMPLE_HEAD, title_justify="left")
    for h in ("状态", "笔数", "金额（元）"):
        totals.add_column(h)
    for k, v in doc["payments"].items():
        totals.add_row(STATUS_WORDS.get(k, k), str(v["count"]), v["amount"])
    console.print(totals)
