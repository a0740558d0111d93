"""Terminal rendering of the oversight commands (intake show, inspect sample, inspect record)."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

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
        for h in ("学校", "版本", "文件", "首次见到", "记录", "错误", "警告", "来自"):
            files.add_column(h, overflow="fold")
        for v in doc["submissions"]:
            files.add_row(v["school"], str(v["version"]), v["file"], v["first_seen"].replace("T", " "),
                          str(v["records"]), str(v["errors"]), str(v["warnings"]), v["command"])
        console.print(files)


def inspection_sample(console: Console, doc: dict) -> None:
    seed_note = "（未指定，按日期生成）" if doc["seed_source"] == "date" else ""
    again = "（此前已抽取过同一样本，沿用原记录）" if doc["existing"] else ""
    console.print(Text(f"抽样编号 {doc['sample']}{again}：{doc['term']}，随机种子 {doc['seed']}{seed_note}，"
                       f"每校 {doc['per_school']} 人，共 {doc['totals']['students']} 人", style="bold"))
    schools = RichTable(title="各校抽查", box=box.SIMPLE_HEAD, title_justify="left")
    for h in ("学校", "可抽学生", "依据", "抽取", "核对表"):
        schools.add_column(h, overflow="fold")
    for s in doc["schools"]:
        schools.add_row(s["school"], str(s["population"]), "已入账" if s["basis"] == "paid" else "已发送（未回盘）",
                        str(s["drawn"]), s["file"] or "")
    console.print(schools)
    students = RichTable(title="抽查学生", box=box.SIMPLE_HEAD, title_justify="left")
    for h in ("学校", "序号", "核对编号", "姓名", "身份证号码", "资助项目", "金额", "卡号"):
        students.add_column(h, overflow="fold")
    for s in doc["students"]:
        students.add_row(s["school"], str(s["position"]), s["reference"], s["name"], s["id_number"], s["programme"],
                         s["amount"], s["card"])
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
