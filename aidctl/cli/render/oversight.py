"""Terminal tables of the oversight commands: audit-extraction, intake show, inspect, complaints, assess.

Rates without data are shown as 无数据, never as 0."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from aidctl.cli.render.check import findings
from aidctl.core.money import NO_DATA, shown
from aidctl.oversight import COMPLAINT_HEADS, target_label

STATUS_STYLE = {"按时": "green", "逾期": "red", "未报送": "yellow"}


def intake(console: Console, doc: dict) -> None:
    t = doc["totals"]
    console.print(Text(f"{doc['term']} 花名册报送情况（报送期限 {doc['deadline']}）：{t['schools']} 所学校，"
                       f"按时 {t['on_time']}，逾期 {t['late']}，未报送 {t['nothing']}；共 {t['submissions']} 个版本",
                       style="bold"))
    table = RichTable(box=box.SIMPLE_HEAD)
    for h in ("学校", "状态", "版本数", "首次报送", "最近报送", "首版 记录/错误/警告", "最新版 记录/错误/警告"):
        table.add_column(h, justify="right" if h == "版本数" else "left", overflow="fold")

    def figures(v):
        return "" if v is None else f"{v['records']}/{v['errors']}/{v['warnings']}"

    for s in doc["schools"]:
        table.add_row(s["school"], Text(s["status"], style=STATUS_STYLE.get(s["status"])), str(s["versions"]),
                      (s["first_submitted"] or "").replace("T", " "), (s["latest_submitted"] or "").replace("T", " "),
                      figures(s["first"]), figures(s["latest"]))
    console.print(table)
    if doc["submissions"]:
        files = RichTable(title="各版本文件", box=box.SIMPLE_HEAD, title_justify="left")
        for h in ("学校", "版本", "文件", "接收时间", "首次读到", "记录", "错误", "警告", "来自"):
            files.add_column(h, overflow="fold")
        how = {"receive": "（登记）", "file_time": "（文件时间）", "now": "（未指定时间，按登记当时）",
               "first_seen": "（无接收记录）"}
        for v in doc["submissions"]:
            written = v.get("school_written")
            files.add_row(v["school"] + (f"（表中为 {written}）" if written and written != v["school"] else ""),
                          str(v["version"]), v["file"],
                          v["received_at"].replace("T", " ") + how.get(v["received_source"], ""),
                          v["first_seen"].replace("T", " "), str(v["records"]), str(v["errors"]), str(v["warnings"]),
                          v["command"])
        console.print(files)
    for note in doc["notes"]:
        console.print(Text(note, style="yellow"))


def intake_receipts(console: Console, doc: dict) -> None:
    table = RichTable(title=f"{doc['term']} 接收的花名册", box=box.SIMPLE_HEAD, title_justify="left")
    for h in ("文件", "接收时间", "说明"):
        table.add_column(h, overflow="fold")
    told = {"receive": "--at 指定", "file_time": "按文件时间", "now": "未指定 --at，按现在"}
    for r in doc["received"]:
        note = ("已复制到 intake 目录" if r["copied"] else "已在 intake 目录") + \
            (f"；{told.get(r['source'], r['source'])}" if r["new"] else f"；此前已有接收时间（{told.get(r['source'], r['source'])}），沿用") + \
            ("；替换了原接收时间 " + r["replaced"]["received_at"].replace("T", " ") if r.get("replaced") else "")
        table.add_row(r["file"], r["received_at"].replace("T", " "), note)
    console.print(table)


def inspection_sample(console: Console, doc: dict) -> None:
    seed_note = "（未指定，按月份生成，本月内抽样相同）" if doc["seed_source"] == "month" else ""
    again = "（此前已抽取过同一样本，沿用原记录）" if doc["existing"] else ""
    size = " 或 ".join(p for p in ((f"每校 {doc['per_school']} 人" if doc["per_school"] else ""),
                                  (f"每校受助学生的 {doc['share']}%（向上取整）" if doc["share"] else "")) if p)
    console.print(Text(f"抽样编号 {doc['sample']}{again}：{doc['term']}，随机种子 {doc['seed']}{seed_note}，"
                       f"{size}（取较多者），共 {doc['totals']['students']} 人" if doc["share"] and doc["per_school"]
                       else f"抽样编号 {doc['sample']}{again}：{doc['term']}，随机种子 {doc['seed']}{seed_note}，"
                       f"{size}，共 {doc['totals']['students']} 人", style="bold"))
    w = doc["weights"]
    console.print(f"抽样权重：民办学校抽查人数×{w['private_school']}，高年龄受助学生被抽中的权重为{w['older_student']}")
    schools = RichTable(title="各校抽查", box=box.SIMPLE_HEAD, title_justify="left")
    for h in ("学校", "办学性质", "可抽学生", "依据", "抽取", "核对表"):
        schools.add_column(h, overflow="fold")
    for s in doc["schools"]:
        schools.add_row(s["school"], s["ownership"] or "", str(s["population"]),
                        "已入账" if s["basis"] == "paid" else "已发送（未回盘）", str(s["drawn"]), s["file"] or "")
    console.print(schools)
    students = RichTable(title="抽查学生", box=box.SIMPLE_HEAD, title_justify="left")
    for h in ("学校", "序号", "核对编号", "姓名", "身份证号码", "资助项目", "金额", "卡号", "权重"):
        students.add_column(h, overflow="fold")
    for s in doc["students"]:
        students.add_row(s["school"], str(s["position"]), s["reference"], s["name"], s["id_number"], s["programme"],
                         s["amount"], s["card"], f"{s['tickets']}（高年龄）" if s["older"] else str(s["tickets"]))
    console.print(students)
    console.print(f"抽样方法（可据此复核）：{doc['method']}")


def inspection_record(console: Console, doc: dict) -> None:
    c = doc["counts"]
    console.print(Text(f"抽样 {doc['sample']}，{doc['school'] or ''}：抽查 {c['students']} 人，已检查 {c['inspected']}，"
                       f"未填写 {c['not_inspected']}，无异常 {c['agreed']}，有问题 {c['with_discrepancies']} 人；"
                       f"本次记入 {c['recorded']}，更新 {c['updated']}，与已记录相同 {c['unchanged']}", style="bold"))
    if doc["discrepancies"]:
        table = RichTable(title="发现的问题", box=box.SIMPLE_HEAD, title_justify="left")
        for h in ("序号", "核对编号", "姓名", "问题", "说明", "行"):
            table.add_column(h, overflow="fold")
        for d in doc["discrepancies"]:
            table.add_row("" if d["position"] is None else str(d["position"]), d["reference"], d["name"] or "",
                          Text(d["title"], style="red"), d["detail"], "" if d["row"] is None else str(d["row"]))
        console.print(table)
    else:
        console.print(Text("抽查学生全部核对无误。", style="green"))
    for f in doc["findings"]:
        console.print(Text(f"{f['code']}：{f['message']}", style="red"))


def extraction(console: Console, doc: dict) -> None:
    s = doc["summary"]
    console.print(Text(f"{doc['year']}年度校内资助资金提取审核：{s['schools']} 所学校，合规 {s['compliant']}，"
                       f"需关注 {s['attention']}，不合规 {s['non_compliant']}，无法审核 {s['unauditable']}；"
                       f"少提取合计 {s['shortfall'] or '0.00'} 元", style="bold"))
    table = RichTable(box=box.SIMPLE_HEAD)
    for h in ("县区", "学校", "类型", "事业收入", "应提比例", "应提下限", "实提", "实提比例", "少提", "结论"):
        table.add_column(h, overflow="fold", justify="right" if h in ("事业收入", "应提下限", "实提", "少提") else "left")
    for r in doc["schools"]:
        verdict = r["verdict"]
        rates = r["min_rate"] if r["min_rate"] == r["max_rate"] else f"{r['min_rate']}—{r['max_rate']}"
        table.add_row(r["county"] or "", r["school_name"] or "", r["type"] or "", r["income"] or "", rates or "",
                      r["required_min"] or "", r["extracted"] or "", r["rate"] or "", r["shortfall"] or "",
                      Text(verdict, style={"不合规": "red", "无法审核": "red", "需关注": "yellow"}.get(verdict, "green")))
    console.print(table)
    findings(console, [(f"{r['school_name']}（第{r['row']}行）", f) for r in doc["schools"] for f in r["findings"]],
             doc["file_findings"])


def render_complaints(console: Console, doc: dict) -> None:
    t = doc["totals"]
    console.print(Text(f"{doc['year']}年投诉情况（截至{doc['as_of']}）：{t['complaints']} 件，按时办结 {t['closed_on_time']}，"
                       f"超期办结 {t['closed_late']}，超期未办结 {t['overdue_open']}，办理中 "
                       f"{t['open'] - t['overdue_open']}；投诉按时办结率 {shown(t['on_time_rate'])}，"
                       f"每千名受助学生投诉 {shown(t['rate_per_thousand'])}", style="bold"))
    console.print(f"办结时限：{doc['closing_working_days']} 个工作日（{doc['day_rule']}）")
    for title, rows, keys in (("按县区", doc["counties"], ["county"]), ("按学校", doc["schools"], ["county", "school"])):
        table = RichTable(title=title, box=box.SIMPLE_HEAD, title_justify="left")
        for k in keys:
            table.add_column({"county": "县区", "school": "学校"}[k])
        for h, _ in COMPLAINT_HEADS:
            table.add_column(h, justify="right")
        for r in rows:
            table.add_row(*[r[k] for k in keys], *[shown(r[k]) for _, k in COMPLAINT_HEADS])
        console.print(table)
    overdue = [c for c in doc["complaints"] if c["status"] == "overdue"]
    if overdue:
        console.print(Text(f"超期未办结的投诉（{len(overdue)} 件）：", style="red bold"))
        for c in overdue:
            console.print(Text(f"  {c['number'] or ''} 受理 {c['accepted_on']}，时限 {c['deadline']}，{c['county']} "
                               f"{c['school']}（{c['file']} 第{c['row']}行）", style="red"))
    findings(console, [(f"{f['file']} 第{f['row']}行 ", f) for f in doc["findings"] if f["row"] is not None],
             [f for f in doc["findings"] if f["row"] is None])
    for note in doc["notes"]:
        console.print(Text(note, style="yellow"))


def render_scorecard(console: Console, doc: dict) -> None:
    inds = doc["indicators"]
    console.print(Text(f"{doc['year']}年度学生资助量化考核（截至{doc['as_of']}）", style="bold"))
    for title, rows, keys in (("县区", doc["counties"], ["county"]), ("学校", doc["schools"], ["county", "school"])):
        table = RichTable(title=f"按{title}（得分/权重；无数据的指标不计分，总分按有数据指标的权重折算为百分制）",
                          box=box.SIMPLE_HEAD, title_justify="left")
        table.add_column("排名", justify="right")
        for k in keys:
            table.add_column({"county": "县区", "school": "学校"}[k])
        for i in inds:
            table.add_column(f"{i['name']}\n{target_label(i)}·{i['weight']}分", justify="right", overflow="fold")
        table.add_column("总分", justify="right")
        table.add_column("数据覆盖\n（有数据/适用权重）", justify="right")
        for r in rows:
            cells = []
            for i in inds:
                x = r["indicators"][i["key"]]
                cells.append(Text(NO_DATA, style="dim") if x["value"] is None else
                             Text(f"{x['value']}\n{x['score']}", style=None if x["meets"] else "yellow"))
            table.add_row(str(r["rank"] or "—"), *[r[k] for k in keys], *cells, shown(r["total"]),
                          f"{shown(r['coverage'])}\n（{r['weight_with_data']}/{r['weight_applicable']}）")
        console.print(table)
    if doc["not_computed"]:
        console.print("未计算的指标（aidctl 无数据来源，不计入总分）：" + "、".join(
            f"{i['name']}（目标{i['target']}，{i['weight']}分）" for i in doc["not_computed"]))
    for p in doc["problems"]:
        console.print(Text(f"{p['file']} 第{p['row']}行：{p['message']}", style="red"))
    for note in doc["notes"]:
        console.print(Text(note, style="yellow"))
