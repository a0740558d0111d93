"""Terminal tables of rules check, rules show and rules diff."""

from __future__ import annotations

from decimal import Decimal

from rich import box
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from aidctl.rulebook import amount_text


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
    def pct(text: str) -> str:
        return f"{(Decimal(text) * 100).normalize():f}%"

    rates = "；".join(f"{k} {pct(v['min_rate'])}" + ("" if v["min_rate"] == v["max_rate"]
                     else f"—{pct(v['max_rate'])}") for k, v in doc["extraction"].items())
    console.print(f"校内资助资金提取比例（{doc['term'][:4]}年）：{rates}")
    if doc["quotas"]:
        quotas = "；".join(f"{k} {v}%" for k, v in doc["quotas"].items())
        console.print(f"资助面核定比例（{doc['quota_region']}）：{quotas}")
    console.print(f"花名册报送截止：{doc['submission_deadline']}")
    loans = doc["loans"]
    if loans["caps"]:
        caps = "；".join(f"{k} {v} 元" for k, v in loans["caps"].items())
        console.print(f"生源地信用助学贷款（{loans['loan_year']}贷款年度，{loans['caps_from']}起）每人每年上限：{caps}"
                      f"（{loans['caps_source']}）")
    if loans["pricing"]:
        p = loans["pricing"]
        base = "基准利率" if p["base"] == "benchmark" else "LPR"
        spread = "" if not p["spread_bp"] else f"{'−' if p['spread_bp'] < 0 else '+'}{abs(p['spread_bp'])}BP"
        again = "；此前签订的合同按约定利率，经协商才调整" if not loans["reprice_existing"] else "；此前签订的合同一并调整"
        console.print(f"  该贷款年度合同的利率：{base}{spread}（{p['from']}起，{p['source']}）{again}")
    enlist = doc["enlistment"]
    if enlist:
        caps = "；".join(f"{k} {v} 元" for k, v in enlist["per_year"].items())
        console.print(f"应征入伍学费补偿/贷款代偿（{enlist['from']}起入伍）每学年上限：{caps}（{enlist['source']}"
                      + (f"；待核：{enlist['review']}" if enlist["review"] else "") + "）")
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


def rules_check(console: Console, doc: dict) -> None:
    rules_files(console, doc["files"])
    for w in doc["warnings"]:
        console.print(Text.assemble(("提醒：", "yellow"), w))
    for r in doc["cases"]:
        mark = ("通过", "green") if r["passed"] else ("未通过", "red")
        console.print(Text.assemble(mark, f" {r['file']}：{r['name']}" + ("" if r["passed"] else f"：{r['detail']}")))
    console.print(f"规则指纹（SHA-256）：{doc['fingerprint']}")
    failed = sum(not r["passed"] for r in doc["cases"])
    console.print(Text("规则文件检查通过。", style="green") if not failed else Text(f"{failed} 个规则案例未通过。", style="red"))


VERDICTS = {"payable": "可发放", "refused": "不予发放", "unread": "未读取"}
BASES = {"fixed": "定额", "tier": "按档", "roster": "按花名册金额"}
ORIGINS = {"packaged": "内置", "workspace": "工作目录", "new": "新增"}


def rules_diff(console: Console, doc: dict, limit: int = 20) -> None:
    t = doc["totals"]
    console.print(Text(f"{doc['term']} 规则测算（{doc['rules']['dir']}）：记录 {t['records']} 条；可发放 "
                       f"{t['payable_before']} → {t['payable_after']} 条，金额 {t['amount_before']} → "
                       f"{t['amount_after']} 元，增减 {t['delta']} 元", style="bold"))
    files = "；".join(f"{r['file']}（替换{ORIGINS.get(r['replaces'], r['replaces'])}"
                     + ("" if r["differs"] else "，内容相同") + "）" for r in doc["rules"]["replaced"])
    console.print(f"对比规则文件：{files}")
    if not (t["verdict_changes"] or t["amount_changes"]):
        console.print(Text("两版规则下没有学生的资格或金额发生变化。", style="green"))
    for key, title in (("by_programme", "按资助项目"), ("by_county", "按县区"), ("by_school", "按学校")):
        table = RichTable(title=title, box=box.SIMPLE_HEAD, title_justify="left")
        names = {"by_programme": ["资助项目"], "by_county": ["县区"], "by_school": ["学校", "县区"]}[key]
        for h in (*names, "记录", "现行可发放", "对比可发放", "现行金额", "对比金额", "增减", "资格变化", "金额变化"):
            table.add_column(h, justify="left" if h in names else "right", overflow="fold")
        for g in doc[key]:
            keys = [g[k] for k in {"by_programme": ["programme"], "by_county": ["county"],
                                   "by_school": ["school", "county"]}[key]]
            table.add_row(*keys, *(str(g[k]) for k in ("records", "payable_before", "payable_after", "amount_before",
                                                      "amount_after", "delta", "verdict_changes", "amount_changes")))
        console.print(table)
    verdicts = doc["verdicts"]
    if verdicts:
        table = RichTable(title=f"资格变化（前 {min(limit, len(verdicts))} 条，共 {len(verdicts)} 条；--report 可导出全部）",
                          box=box.SIMPLE_HEAD, title_justify="left")
        for h in ("文件", "行", "学校", "姓名", "资助项目", "现行", "对比", "增减", "决定资格的问题与条件"):
            table.add_column(h, overflow="fold")
        for v in verdicts[:limit]:
            why = "、".join(v["codes"]) + ("：" + "；".join(v["conditions"]) if v["conditions"] else "")
            table.add_row(v["file"], str(v["row"]), v["school"], v["name"] or "", v["programme"],
                          VERDICTS[v["before"]], VERDICTS[v["after"]], v["delta"], why)
        console.print(table)
    amounts = doc["amounts"]
    if amounts:
        table = RichTable(title=f"金额变化（前 {min(limit, len(amounts))} 条，共 {len(amounts)} 条；--report 可导出全部）",
                          box=box.SIMPLE_HEAD, title_justify="left")
        for h in ("文件", "行", "学校", "姓名", "资助项目", "现行", "对比", "增减", "标准"):
            table.add_column(h, overflow="fold")
        for a in amounts[:limit]:
            basis = BASES.get(a["basis_before"], a["basis_before"]) + (f"（{a['tier_before']}）" if a["tier_before"] else "")
            after = BASES.get(a["basis_after"], a["basis_after"]) + (f"（{a['tier_after']}）" if a["tier_after"] else "")
            table.add_row(a["file"], str(a["row"]), a["school"], a["name"] or "", a["programme"], a["amount_before"],
                          a["amount_after"], a["delta"], basis if basis == after else f"{basis} → {after}")
        console.print(table)
    if doc["report"]:
        console.print(f"测算工作簿已写入：{doc['report']}")
