"""Terminal rendering with rich: summaries for people. JSON is rendered by the CLI from the same data."""

from __future__ import annotations

from decimal import Decimal

from rich import box
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from aidctl.findings import CATALOGUE
from aidctl.reports import SEVERITY_WORDS
from aidctl.rules_view import amount_text

STYLE = {"error": "red", "warning": "yellow"}


def findings(console: Console, located: list[tuple[str, dict]], file_findings: list[dict]) -> None:
    """A line per finding, coloured by severity: where it stands, then code and message; then the
    findings about whole files."""
    for where, f in located:
        console.print(Text(f"{where}{f['code']}：{f['message']}", style=STYLE.get(f["severity"])))
    for f in file_findings:
        console.print(Text(f"{f['file']} {f['code']}：{f['message']}", style=STYLE.get(f["severity"])))


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
    def pct(text: str) -> str:
        return f"{(Decimal(text) * 100).normalize():f}%"

    rates = "；".join(f"{k} {pct(v['min_rate'])}" + ("" if v["min_rate"] == v["max_rate"]
                     else f"—{pct(v['max_rate'])}") for k, v in doc["extraction"].items())
    console.print(f"校内资助资金提取比例（{doc['term'][:4]}年）：{rates}")
    if doc["quotas"]:
        quotas = "；".join(f"{k} {v}%" for k, v in doc["quotas"].items())
        console.print(f"资助面核定比例（{doc['quota_region']}）：{quotas}")
    console.print(f"花名册报送截止：{doc['submission_deadline']}")
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


STATUS_WORDS = {"pending": "待发", "sent": "已发送", "paid": "已入账", "failed": "失败", "reissued": "已重发",
                "recorded": "已登记（文件未写出）", "complete": "完成"}


def disbursement(console: Console, doc: dict) -> None:
    head = "（试算，未写账本和文件）" if doc["dry_run"] else (f"批次 {doc['batch']}" if doc["batch"] else "本次没有新的发放")
    console.print(Text(f"{doc['term']} 发放{head}：{doc['totals']['payments']} 笔，合计 {doc['totals']['amount']} 元",
                       style="bold"))
    if doc["recovered_batches"]:
        console.print(f"已补完上次中断的批次：{'、'.join(doc['recovered_batches'])}")
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
    if doc["masked_cells"]:
        masked = RichTable(title="已用＊遮盖的单元格（含一长串数字，疑似证件号、卡号或电话）：请学校更正花名册",
                           box=box.SIMPLE_HEAD, title_justify="left")
        for h in ("学校", "文件", "行", "列"):
            masked.add_column(h, overflow="fold")
        for m in doc["masked_cells"]:
            masked.add_row(m["school"], m["file"], str(m["row"]), m["column"])
        console.print(masked)
    console.print(f"监督电话：{doc['complaint_phone'] or '（未设置，请在 aidctl.toml 中设置 complaint_phone）'}")


def reconciliation(console: Console, doc: dict) -> None:
    t = doc["totals"]
    console.print(Text(f"{doc['term']} 回盘 {doc['file']}：入账 {t['paid']} 笔 {t['paid_amount']} 元，"
                       f"失败 {t['failed']} 笔 {t['failed_amount']} 元，未入账的行 {t['problems']} 个", style="bold"))
    if doc["failed"]:
        table = RichTable(title="失败的付款（学校更正卡号后，下次 disburse 会重发）", box=box.SIMPLE_HEAD,
                          title_justify="left")
        for h in ("行", "姓名", "资助项目", "卡号", "金额", "原因"):
            table.add_column(h, overflow="fold")
        for r in doc["failed"]:
            table.add_row(str(r["row"]), r["name"] or "", r["programme"], r["card"], r["amount"], r["reason"] or "")
        console.print(table)
    if doc["problems"]:
        table = RichTable(title="未入账的回盘行（请与银行核对）", box=box.SIMPLE_HEAD, title_justify="left")
        for h in ("行", "卡号", "金额", "处理结果", "问题"):
            table.add_column(h, overflow="fold")
        for r in doc["problems"]:
            table.add_row(str(r["row"]), r["card"] or "", r["amount"] or "", r["status"] or "", r["issue"])
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


def extraction(console: Console, doc: dict) -> None:
    s = doc["summary"]
    console.print(Text(f"{doc['year']}年度校内资助资金提取审核：{s['schools']} 所学校，合规 {s['compliant']}，"
                       f"需关注 {s['attention']}，不合规 {s['non_compliant']}；少提取合计 {s['shortfall'] or '0.00'} 元",
                       style="bold"))
    table = RichTable(box=box.SIMPLE_HEAD)
    for h in ("县区", "学校", "类型", "事业收入", "应提比例", "应提下限", "实提", "实提比例", "少提", "结论"):
        table.add_column(h, overflow="fold", justify="right" if h in ("事业收入", "应提下限", "实提", "少提") else "left")
    for r in doc["schools"]:
        codes = [f["code"] for f in r["findings"]]
        verdict = "不合规" if any(f["severity"] == "error" for f in r["findings"]) else "需关注" if codes else "合规"
        rates = r["min_rate"] if r["min_rate"] == r["max_rate"] else f"{r['min_rate']}—{r['max_rate']}"
        table.add_row(r["county"] or "", r["school_name"] or "", r["type"] or "", r["income"] or "", rates or "",
                      r["required_min"] or "", r["extracted"] or "", r["rate"] or "", r["shortfall"] or "",
                      Text(verdict, style={"不合规": "red", "需关注": "yellow"}.get(verdict, "green")))
    console.print(table)
    findings(console, [(f"{r['school_name']}（第{r['row']}行）", f) for r in doc["schools"] for f in r["findings"]],
             doc["file_findings"])


def term_report(console: Console, doc: dict) -> None:
    t = doc["totals"]
    console.print(Text(f"{doc['term']} 资助情况：受助学生 {t['students']} 人；已入账 {t['paid']['count']} 笔 "
                       f"{t['paid']['amount']} 元，待银行确认 {t['sent']['count']} 笔 {t['sent']['amount']} 元，"
                       f"失败 {t['failed']['count']} 笔 {t['failed']['amount']} 元", style="bold"))
    for note in doc["notes"]:
        console.print(Text(note, style="yellow"))
    money = ("金额合计（元）", "已入账（元）", "待银行确认（元）", "失败（元）")
    counties = RichTable(title="按县区", box=box.SIMPLE_HEAD, title_justify="left")
    for h in ("县区", "报送记录", "不予发放", "受助学生", "笔数", *money):
        counties.add_column(h, justify="left" if h == "县区" else "right")
    for r in doc["by_county"]:
        counties.add_row(r["county"], str(r["roster_records"]), str(r["refused"]), str(r["students"]),
                         str(r["payments"]), r["amount"], r["paid"], r["sent"], r["failed"])
    counties.add_row(Text("合计", style="bold"), str(sum(r["roster_records"] for r in doc["by_county"])),
                     str(sum(r["refused"] for r in doc["by_county"])), str(t["students"]),
                     str(t["payments"]["count"]), t["payments"]["amount"], t["paid"]["amount"], t["sent"]["amount"],
                     t["failed"]["amount"])
    console.print(counties)
    programmes = RichTable(title="按资助项目", box=box.SIMPLE_HEAD, title_justify="left")
    for h in ("资助项目", "受助学生", "笔数", *money, "金额占比"):
        programmes.add_column(h, justify="left" if h == "资助项目" else "right")
    for r in doc["by_programme"]:
        programmes.add_row(r["programme"], str(r["students"]), str(r["payments"]), r["amount"], r["paid"], r["sent"],
                           r["failed"], f"{r['amount_share']}%" if r["amount_share"] else "")
    programmes.add_row(Text("合计", style="bold"), str(t["students"]), str(t["payments"]["count"]),
                       t["payments"]["amount"], t["paid"]["amount"], t["sent"]["amount"], t["failed"]["amount"],
                       "100.0%" if doc["by_programme"] else "")
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
