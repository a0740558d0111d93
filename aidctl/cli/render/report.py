"""Terminal tables of report and publish."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text


def publicity(console: Console, doc: dict) -> None:
    students = sum(s["students"] for s in doc["schools"])
    how = "，仅按周末推算，请核对节假日" if doc["calendar"] == "weekends-only" else "，已扣除法定节假日、计入调休"
    console.print(Text(f"{doc['term']} 公示名单：{len(doc['schools'])} 所学校，{students} 名学生；公示期 {doc['from']} 至 "
                       f"{doc['until']}（{doc['working_days']} 个工作日{how}）", style="bold"))
    table = RichTable(box=box.SIMPLE_HEAD)
    for h in ("学校", "学生", "公示名单（可张贴）", "内部核对名单（不得张贴）"):
        table.add_column(h, overflow="fold", justify="right" if h == "学生" else "left")
    for s in doc["schools"]:
        table.add_row(s["school"], str(s["students"]), s["public_file"], s["internal_file"])
    console.print(table)
    if not doc["schools"]:
        console.print("没有可公示的学生。")
    if doc["not_listed"]:
        console.print(f"另有 {doc['not_listed']} 条记录未通过审核，不列入公示（用 aidctl validate 查看原因）。")
    if doc.get("paid_not_listed"):
        gone = RichTable(title="账本中已发放或正在发放、但不在本次公示名单中的学生：请核对花名册后重新生成",
                         box=box.SIMPLE_HEAD, title_justify="left")
        for h in ("学校", "姓名", "资助项目", "批次", "花名册文件", "行"):
            gone.add_column(h, overflow="fold")
        for g in doc["paid_not_listed"]:
            gone.add_row(g["school"], g["name"], g["programme"], g["batch"], g["file"] or "",
                         "" if g["row"] is None else str(g["row"]))
        console.print(gone)
    if doc["masked_cells"]:
        masked = RichTable(title="已用＊遮盖的单元格（含一长串数字，疑似证件号、卡号或电话）：请学校更正花名册",
                           box=box.SIMPLE_HEAD, title_justify="left")
        for h in ("学校", "文件", "行", "列"):
            masked.add_column(h, overflow="fold")
        for m in doc["masked_cells"]:
            masked.add_row(m["school"], m["file"], str(m["row"]), m["column"])
        console.print(masked)
    console.print(f"监督电话：{doc['complaint_phone'] or '（未设置，请在 aidctl.toml 中设置 complaint_phone）'}")


def term_report(console: Console, doc: dict) -> None:
    t = doc["totals"]
    failed_only = f"，付款全部失败 {t['students_all_failed']} 人" if t["students_all_failed"] else ""
    console.print(Text(f"{doc['term']} 资助情况：受助学生 {t['students']} 人{failed_only}；已入账 {t['paid']['count']} 笔 "
                       f"{t['paid']['amount']} 元，待银行确认 {t['sent']['count']} 笔 {t['sent']['amount']} 元，"
                       f"失败 {t['failed']['count']} 笔 {t['failed']['amount']} 元", style="bold"))
    console.print(Text(doc["students_rule"], style="dim"))
    for note in doc["notes"]:
        console.print(Text(note, style="yellow"))
    money = ("金额合计（元）", "已入账（元）", "待银行确认（元）", "失败（元）")
    counties = RichTable(title="按县区", box=box.SIMPLE_HEAD, title_justify="left")
    for h in ("县区", "报送记录", "不予发放", "受助学生", "笔数", *money, "付款全部失败学生"):
        counties.add_column(h, justify="left" if h == "县区" else "right")
    for r in doc["by_county"]:
        counties.add_row(r["county"], str(r["roster_records"]), str(r["refused"]), str(r["students"]),
                         str(r["payments"]), r["amount"], r["paid"], r["sent"], r["failed"], str(r["students_all_failed"]))
    counties.add_row(Text("合计", style="bold"), str(sum(r["roster_records"] for r in doc["by_county"])),
                     str(sum(r["refused"] for r in doc["by_county"])), str(t["students"]),
                     str(t["payments"]["count"]), t["payments"]["amount"], t["paid"]["amount"], t["sent"]["amount"],
                     t["failed"]["amount"], str(t["students_all_failed"]))
    console.print(counties)
    programmes = RichTable(title="按资助项目", box=box.SIMPLE_HEAD, title_justify="left")
    for h in ("资助项目", "受助学生", "笔数", *money, "付款全部失败学生", "金额占比"):
        programmes.add_column(h, justify="left" if h == "资助项目" else "right")
    for r in doc["by_programme"]:
        programmes.add_row(r["programme"], str(r["students"]), str(r["payments"]), r["amount"], r["paid"], r["sent"],
                           r["failed"], str(r["students_all_failed"]), f"{r['amount_share']}%" if r["amount_share"] else "")
    programmes.add_row(Text("合计", style="bold"), str(t["students"]), str(t["payments"]["count"]),
                       t["payments"]["amount"], t["paid"]["amount"], t["sent"]["amount"], t["failed"]["amount"],
                       str(t["students_all_failed"]), "100.0%" if doc["by_programme"] else "")
    console.print(programmes)
    if doc["rosters"] is not None:
        refused = RichTable(title=f"不予发放原因（花名册记录 {doc['rosters']['records']} 条，"
                                  f"不予发放 {doc['rosters']['refused']} 条）", box=box.SIMPLE_HEAD, title_justify="left")
        for h in ("问题代码", "问题", "记录数"):
            refused.add_column(h, justify="right" if h == "记录数" else "left")
        for r in doc["refused_by_code"]:
            refused.add_row(r["code"], r["title"], str(r["count"]))
        console.print(refused)
    if doc["over_quota"]:
        over = RichTable(title="受助比例超出核定比例的学校（供复核）", box=box.SIMPLE_HEAD, title_justify="left")
        for h in ("学校", "县区", "受助学生", "在校生人数", "受助比例", "核定比例"):
            over.add_column(h, justify="left" if h in ("学校", "县区") else "right")
        for r in doc["over_quota"]:
            over.add_row(r["school"], r["county"], str(r["students"]), str(r["enrolment"]), f"{r['share']}%",
                         f"{r['quota']}%")
        console.print(over)
    else:
        console.print("没有受助比例超出核定比例的学校。")
    if doc["report"]:
        console.print(f"报告已写入：{doc['report']}")
