"""Terminal view of explain: one student, every decision, from the same document the JSON prints."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from aidctl.ledger import STATUS_WORDS

VERDICTS = {"paid": ("已发放", "green"), "payable": ("可发放", "green"), "refused": ("不予发放", "red"),
            "failed": ("银行退回，未重发", "red")}
CHECK_WORDS = {"passed": ("通过", "green"), "error": ("错误", "red"), "warning": ("警告", "yellow"),
               "not_checked": ("未检查", "dim"), "info": ("说明", "cyan")}
OUTCOMES = {"payable": "本次可发放", "reissue": "重发到更正后的卡", "school_funded": "资金拨付学校（不发到学生卡）",
            "already_paid": "账本中已发放，不再发放", "failed_unchanged": "银行退回且卡号未更正，不重发",
            "refused": "不予发放"}
FOUND_BY = {"id": "身份证号码", "masked_id": "脱敏的身份证号码", "name": "姓名", "file_row": "花名册文件和行号"}
BASES = {"fixed": "定额", "tier": "按档", "roster": "按花名册金额（标准由地方或学校确定）"}


def explanation(console: Console, doc: dict) -> None:
    s = doc["student"]
    word, style = VERDICTS[doc["verdict"]]
    console.print(Text(f"{doc['term']}：{s['name'] or '（无姓名）'} {s['id_number'] or '（无身份证号码）'}"
                       f"（按{FOUND_BY[doc['found_by']]}找到）", style="bold"))
    console.print(Text(f"结论：{word}", style=f"bold {style}"))
    if not doc["records"]:
        console.print("本学期的花名册中没有该生的记录。")
    for n, r in enumerate(doc["records"], start=1):
        _record(console, n, r)
    _ledger(console, doc["ledger"])
    _related(console, doc["related"])


def _record(console: Console, n: int, r: dict) -> None:
    console.rule(Text(f"记录 {n}：{r['file']} 工作表“{r['sheet']}”第{r['row']}行 — {r['school'] or '（学校不明）'} — "
                      f"{r['programme'] or '（项目不明）'}"))
    cells = RichTable(title="一、读取的数据", box=box.SIMPLE_HEAD, title_justify="left")
    for h in ("字段", "表头（原文）", "列", "单元格", "读取", "审核所用的值", "说明"):
        cells.add_column(h, overflow="fold")
    for c in r["cells"]:
        cell = _shown(c["cell"]) if c["column"] is not None else "—"
        cells.add_row(c["title"], c["column"] or "—", c["letter"] or "—", cell, _shown(c["value"]),
                      _shown(c["normalised"]), c["note"] or "")
    console.print(cells)
    checks = RichTable(title="二、审核", box=box.SIMPLE_HEAD, title_justify="left")
    for h in ("检查", "结果", "说明"):
        checks.add_column(h, overflow="fold")
    for c in r["checks"]:
        word, style = CHECK_WORDS[c["verdict"]]
        lines = [f"{f['code']}：{f['message']}" for f in c["findings"]]
        if c["detail"]:
            lines.append(c["detail"])
        checks.add_row(c["title"], Text(word, style=style), "\n".join(lines))
    console.print(checks)
    _decision(console, r["decision"])
    o = r["outcome"]
    line = OUTCOMES[o["status"]]
    if o.get("amount"):
        line += f"：{o['amount']} 元"
    if o.get("bank_profile"):
        line += f"（报盘格式 {o['bank_profile']}）"
    if o.get("batch"):
        line += f"（批次 {o['batch']}，{STATUS_WORDS.get(o['ledger_status'], o['ledger_status'])}）"
    if o.get("reason"):
        line += f"（{o['reason']}）"
    if o["codes"]:
        line += "：" + "、".join(o["codes"])
    console.print(Text(f"四、结果：{line}", style="bold"))


def _decision(console: Console, d: dict) -> None:
    console.print(Text("三、资格与金额", style="bold"))
    if d["programme"] is None:
        console.print(f"资助项目“{d['programme_written'] or ''}”不在资助规则中，无法判断资格和标准。")
        return
    if not d["in_force"]:
        console.print(f"“{d['programme']}”在本学期不在执行期。")
        return
    p = d["period"]
    span = f"{p['from']} 起" + (f"至 {p['until']}" if p["until"] else "（至下一时段开始）")
    console.print(f"资助项目：{d['programme']}（花名册写作“{d['programme_written'] or '—'}”）；执行时段：{span}（{p['id']}）")
    console.print(f"依据：{p['source']}")
    table = RichTable(box=box.SIMPLE_HEAD)
    for h in ("条件", "读取的值", "结果"):
        table.add_column(h, overflow="fold")
    st = d["school_type"]
    if st is not None:
        verdict = ("不明，未判断", "dim") if st["passed"] is None else (("符合", "green") if st["passed"] else ("不符合", "red"))
        table.add_row(f"学校类型为{'、'.join(st['allowed'])}", st["value"] or "（不明）", Text(*verdict))
    for c in d["conditions"]:
        values = "；".join(f"{v['title']}：{v['written'] if v['written'] is not None else '空'}"
                          + (f"（{v['value']}）" if v["value"] is not None and str(v["value"]) != v["written"] else "")
                          for v in c["values"])
        table.add_row(c["label"], values, Text("符合", style="green") if c["passed"] else Text("不符合", style="red"))
    console.print(table)
    a = d["amount"]
    if "per_term" in a["rule"]:
        rule = f"定额 {a['rule']['per_term']} 元/生·学期"
    elif "tiers" in a["rule"]:
        tiers = "，".join(f"{k} {v}" for k, v in a["rule"]["tiers"].items())
        rule = f"按{a['rule']['by_title']}分档（{tiers} 元/生·学期）"
        rule += f"；该生为{a['tier']}：{a['standard']} 元" if a["tier"] else f"；{a['rule']['by_title']}不明，无法按档确定"
    else:
        rule = "标准由地方或学校确定：按花名册金额"
    roster = f"；花名册填写 {a['roster_written']}" if a["roster_written"] is not None else "；花名册未填金额"
    console.print(f"资助标准：{rule}（{BASES.get(a['basis'], a['basis'])}）{roster}；应发 {a['amount'] or '—'} 元")


def _ledger(console: Console, history: list[dict]) -> None:
    if not history:
        console.print("账本：本学期没有该生的付款记录。")
        return
    table = RichTable(title="五、发放账本", box=box.SIMPLE_HEAD, title_justify="left")
    for h in ("资助项目", "状态", "金额", "卡号", "批次", "每次发送（序号、卡号、金额、银行结果）"):
        table.add_column(h, overflow="fold")
    for p in history:
        tries = "\n".join(f"{t['batch']}（{t['batch_created']}）第{t['seq']}笔 {t['card']} {t['amount']} 元 "
                          f"{STATUS_WORDS.get(t['status'], t['status'])}" + (f"：{t['reason']}" if t["reason"] else "")
                          for t in p["attempts"])
        status = STATUS_WORDS.get(p["status"], p["status"]) + ("（重发）" if p["reissued"] else "")
        table.add_row(p["programme"], status, p["amount"], p["card"], p["batch"], tries)
    console.print(table)


def _related(console: Console, related: dict) -> None:
    if len(related["duplicates"]) > 1:
        console.print(Text("六、重复申报：该生在本次审核的花名册中出现在", style="bold"))
        for d in related["duplicates"]:
            console.print(f"  {d['file']} 工作表“{d['sheet']}”第{d['row']}行（{d['school'] or '学校不明'}，{d['programme']}）")
    for s in related["shared_cards"]:
        others = "；".join(f"{o['file']} 第{o['row']}行 {o['name'] or '（无姓名）'}" for o in s["others"])
        console.print(Text(f"共用银行卡：{s['card']} 同时登记给 {others}", style="yellow"))


def _shown(value) -> str:
    return "（空）" if value is None else str(value)
