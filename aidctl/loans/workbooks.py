"""The loans workbooks: the register check report, the year's summary, and the 催收 list.

Amounts are numeric cells in yuan, so that a clerk can sum and filter them; the exact figures are
the JSON's. IDs are masked to the rules' widths (rules/publicity.yaml `masking`, at most first 6 and last 4)
except in the check report's cell contents, which the
centre needs to correct the register. Every workbook is written to a temporary name and renamed.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd

from aidctl.core.catalogue import SEVERITY_WORDS
from aidctl.core.files import atomic_path
from aidctl.core.findings import CATALOGUE
from aidctl.core.money import exact_total, yuan, yuan_or_none
from aidctl.core.text import missing, text_or_empty
from aidctl.core.xlsx import Book, write_table
from aidctl.loans.register import OVERDUE_RULE

CONTACT = [("联系日期", 12), ("联系结果", 18), ("承诺还款日期", 14), ("经办人", 10)]


def _num(fen) -> float | None:
    value = yuan_or_none(fen)
    return None if value is None else float(value)


def write_check_report(register, target: Path) -> Path:
    """汇总 (files, counts by code and by county) and 问题清单 (one row a finding, with a filter)."""
    with atomic_path(target) as tmp:
        wb = Book(tmp)
        fmt = wb.fmt
        ws = wb.add_worksheet("汇总")
        s = register.summary()
        ws.write(0, 0, "生源地信用助学贷款台账检查报告", fmt["title"])
        ws.write(1, 0, f"生成时间：{datetime.now():%Y-%m-%d %H:%M}；合同 {s['records']} 份，错误 {s['errors']} 个，"
                       f"警告 {s['warnings']} 个")
        row = write_table(ws, fmt, 3, [("文件", 34), ("工作表", 14), ("表头行", 10), ("合同数", 10)],
                     [[i["file"], i["sheet"], i["header_row"], i["records"]] for i in register.file_info()])
        row = write_table(ws, fmt, row + 1, [("问题代码", 34), ("问题", 14), ("严重程度", 10), ("数量", 10)],
                     [[c, t, SEVERITY_WORDS.get(sev, sev), int(n)] for c, sev, n, t in
                      register.by_code()[["code", "severity", "count", "title"]].itertuples(index=False, name=None)])
        write_table(ws, fmt, row + 1, [("所属县区", 34), ("合同数", 14), ("错误", 10), ("警告", 10)],
               [[c, int(a), int(b), int(d)] for c, a, b, d in register.by_county().itertuples(index=False, name=None)])
        sheet = wb.add_worksheet("问题清单")
        f = register.findings
        titles = {c: t.title for c, t in CATALOGUE.items()}
        rows = [[text_or_empty(r.file), text_or_empty(r.sheet), None if missing(r.row) else int(r.row), text_or_empty(r.column),
                 r.code, SEVERITY_WORDS.get(r.severity, r.severity), titles.get(r.code, ""), text_or_empty(r.message),
                 text_or_empty(r.value), text_or_empty(r.contract), text_or_empty(r.name), text_or_empty(r.county)] for r in f.itertuples(index=False)]
        write_table(sheet, fmt, 0, [("文件", 28), ("工作表", 12), ("行号", 7), ("列", 14), ("问题代码", 24), ("严重程度", 9),
                               ("问题", 22), ("说明", 80), ("单元格内容", 22), ("合同编号", 16), ("借款人", 10),
                               ("所属县区", 10)], rows)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(rows), 1), 11)
        wb.close()
    return target


def write_summary_report(summary, target: Path, masking) -> Path:
    """县区汇总 with a 合计 row, 贴息明细 (every loan that bore 贴息 in the year), 说明 (the rules
    used), and 未计入 (the contracts left out, with reasons); IDs masked to `masking` (the rules')."""
    rows = summary.rows()
    with atomic_path(target) as tmp:
        wb = Book(tmp, masking)
        fmt = wb.fmt
        amount = wb.add_format({"border": 1, "num_format": "#,##0.00"})
        total_amount = wb.add_format({"border": 1, "num_format": "#,##0.00", "bold": True})
        rate_total = wb.add_format({"border": 1, "num_format": "0.00%", "bold": True})
        ws = wb.add_worksheet("县区汇总")
        ws.write(0, 0, f"{summary.year}年度生源地信用助学贷款工作情况（还款情况截至{summary.as_of}）", fmt["title"])
        heads = [("所属县区", 12, "county"), ("受理申请", 9, "applications"), ("审核通过", 9, "approved"),
                 ("审批通过率", 10, "approval_rate"), ("新增贷款（笔）", 10, "new_loans"),
                 ("新增贷款金额（元）", 16, "new_amount"), ("在校贴息（笔）", 10, "interest_loans"),
                 ("在校期间贴息（元）", 16, "interest"), ("风险补偿金（元）", 16, "risk_compensation"),
                 ("还款期贷款（笔）", 10, "in_repayment"), ("到期应还（笔）", 10, "due"),
                 ("到期应还金额（元）", 16, "due_amount"), ("按期还款（笔）", 10, "repaid_on_time"),
                 ("已还金额（元）", 14, "repaid_amount"), ("履约率", 9, "performance_rate"),
                 ("逾期（笔）", 9, "overdue"), ("逾期金额（元）", 14, "overdue_amount"),
                 ("还款情况无法判断（笔）", 12, "unjudged")]
        money_keys = {"new_amount", "interest", "risk_compensation", "due_amount", "repaid_amount", "overdue_amount"}
        for j, (h, w, _) in enumerate(heads):
            ws.set_column(j, j, w)
            ws.write_string(2, j, h, fmt["head"])
        for n, r in enumerate(rows, start=3):
            last = r["county"] == "合计"
            for j, (_, _, key) in enumerate(heads):
                v = r[key]
                if key in money_keys:
                    ws.write_number(n, j, float(v), total_amount if last else amount)
                elif isinstance(v, int):
                    ws.write_number(n, j, v, fmt["total"] if last else fmt["cell"])
                elif isinstance(v, str) and v.endswith("%"):  # a rate: the fraction, shown as the JSON's per cent
                    ws.write_number(n, j, float(v[:-1]) / 100, rate_total if last else fmt["pct"])
                else:
                    ws.write_string(n, j, "" if v is None else str(v), fmt["total"] if last else fmt["cell"])
        ws.freeze_panes(3, 1)

        ds = wb.add_worksheet("贴息明细")
        d = summary.interest_detail
        files = [t.file for t in summary.register.tables]
        ids = masking.ids(d["id_number"].astype("string")) if len(d) else pd.Series(dtype="string")
        heads = [("文件", 24), ("行号", 7), ("合同编号", 16), ("借款人", 10), ("身份证号", 20), ("所属县区", 10),
                 ("学历层次", 8), ("贷款年度", 8), ("贷款金额（元）", 14), ("计息本金（元）", 14), ("发放日期", 12),
                 ("贴息截止日", 12), ("本年计息天数", 10), ("本年贴息（元）", 14)]
        for j, (h, w) in enumerate(heads):
            ds.set_column(j, j, w)
            ds.write_string(0, j, h, fmt["head"])
        for n, (r, masked) in enumerate(zip(d.itertuples(index=False), ids), start=1):
            texts = [files[int(r.table)], None, text_or_empty(r.contract), text_or_empty(r.name), text_or_empty(masked), text_or_empty(r.county), text_or_empty(r.level),
                     text_or_empty(r.year)]
            for j, v in enumerate(texts):
                if j == 1:
                    ds.write_number(n, j, int(r.excel_row), fmt["cell"])
                else:
                    ds.write_string(n, j, v, fmt["cell"])
            ds.write_number(n, 8, _num(r.amount_fen), amount)
            ds.write_number(n, 9, _num(r.interest_principal_fen), amount)
            ds.write_string(n, 10, f"{r.disbursed:%Y-%m-%d}", fmt["cell"])
            ds.write_string(n, 11, f"{r.study_end:%Y-%m-%d}", fmt["cell"])
            ds.write_number(n, 12, int(r.days), fmt["cell"])
            ds.write_number(n, 13, _num(r.interest_fen), amount)
        ds.freeze_panes(1, 0)
        ds.autofilter(0, 0, max(len(d), 1), len(heads) - 1)

        ns = wb.add_worksheet("说明")
        ns.set_column(0, 0, 20)
        ns.set_column(1, 1, 100)
        ir = summary.interest_rules
        risk = summary.risk
        lines = [
            ("贴息年度", f"{summary.year}年1月1日至12月31日（自然年）"),
            ("计息规则", f"本金（不超过当年额度）×年利率×计息天数÷{ir['day_count'].split('/')[1]}"
                     f"（{ir['day_count']}），发放日当天起计，至预计毕业年份{ir['study_ends']}止（含）"),
            ("利率调整", "利率调整日起按新利率分段计息" if ir["repricing"] == "on_change"
             else "每年1月1日按当日利率执行全年（发放当年按发放日利率）"),
            ("舍入", "每笔贷款每年的贴息四舍五入到分；合计为各县区之和"),
            *[("执行利率", f"{r['from']} 起 {r['rate']}%（{r['basis']}）：{r['source']}") for r in summary.rates],
            ("风险补偿金", f"新增贷款金额×{risk['ratio']}（{risk['source']}），各县区分别四舍五入到分"),
            ("审批通过率", "审核通过人数÷受理申请人数（待审核的计入受理）"),
            ("履约率", "按期还款笔数÷到期应还笔数；按期还款＝到期应还且未逾期、已足额还清；"
                    "到期应还的合同不是按期还款就是逾期"),
            ("还款情况无法判断", "数据有误或不全、无法判断是否到期或逾期的合同（如有欠款而没有应还日期、逾期天数为空或为0），"
                         "不计入还款期、到期应还、按期还款、履约率和逾期，另列笔数，原因见“未计入”表"),
            ("逾期", OVERDUE_RULE),
            *[("说明", n) for n in summary.notes],
            ("生成时间", f"{datetime.now():%Y-%m-%d %H:%M}"),
        ]
        for n, (k, v) in enumerate(lines):
            ns.write_string(n, 0, k, fmt["cell"])
            ns.write_string(n, 1, v, fmt["wrap"])

        xs = wb.add_worksheet("未计入")
        excluded = summary.excluded
        write_table(xs, fmt, 0, [("文件", 28), ("行号", 7), ("合同编号", 16), ("借款人", 10), ("原因", 90)],
               [[e["file"], e["row"], text_or_empty(e["contract"]), text_or_empty(e["name"]), "；".join(e["reasons"])] for e in excluded])
        wb.close()
    return target


def write_collection(collection, target: Path, rules) -> Path:
    """汇总, then one sheet per county: the overdue borrowers, most days overdue first, with blank
    columns to record each call (联系日期, 联系结果 with a drop-down, 承诺还款日期, 经办人)."""
    from aidctl.loans.collect import sheet_names

    b = collection.borrowers
    counties = collection.counties()
    names = sheet_names(list(counties["county"]))
    as_of = collection.as_of
    with atomic_path(target) as tmp:
        wb = Book(tmp, rules.publicity.masking.masking())
        fmt = wb.fmt
        amount = wb.add_format({"border": 1, "num_format": "#,##0.00"})
        text = wb.add_format({"border": 1, "num_format": "@"})
        fill = wb.add_format({"border": 1, "bg_color": "#FFF2CC", "num_format": "@"})
        fill_date = wb.add_format({"border": 1, "bg_color": "#FFF2CC", "num_format": "yyyy-mm-dd"})
        rule = wb.add_format({"text_wrap": True, "valign": "top", "font_size": 9})

        ws = wb.add_worksheet("汇总")
        ws.write(0, 0, f"生源地信用助学贷款逾期催收名单（截至{as_of}）", fmt["title"])
        ws.merge_range(1, 0, 1, 4, OVERDUE_RULE, rule)
        ws.set_row(1, 48)
        for j, (h, w) in enumerate([("所属县区", 14), ("工作表", 14), ("逾期人数", 10), ("逾期金额（元）", 16),
                                    ("最长逾期天数", 12)]):
            ws.set_column(j, j, w)
            ws.write_string(3, j, h, fmt["head"])
        n = 3
        for n, r in enumerate(counties.itertuples(index=False), start=4):
            ws.write_string(n, 0, str(r.county), fmt["cell"])
            ws.write_url(n, 1, f"internal:'{names[r.county]}'!A1", string=names[r.county])
            ws.write_number(n, 2, int(r.borrowers), fmt["cell"])
            ws.write_number(n, 3, _num(r.arrears_fen), amount)
            ws.write_number(n, 4, int(r.max_days), fmt["cell"])
        ws.write_string(n + 1, 0, "合计", fmt["total"])
        ws.write_string(n + 1, 1, "", fmt["total"])
        ws.write_number(n + 1, 2, int(len(b)), fmt["total"])
        ws.write_number(n + 1, 3, _num(exact_total(b["arrears_fen"])), amount)
        ws.write_string(n + 1, 4, "", fmt["total"])

        heads = [("序号", 5), ("借款人姓名", 10), ("身份证号", 20), ("合同编号", 18), ("贷款年度", 10), ("学校", 18),
                 ("逾期天数", 8), ("逾期金额（元）", 12), ("应还本金（元）", 12), ("应还利息（元）", 11),
                 ("实还金额（元）", 12), ("应还日期", 11), ("联系电话", 13), ("共同借款人", 10), ("共同借款人电话", 13),
                 ("家庭住址", 26), ("台账行号", 9), *CONTACT]
        first_contact = len(heads) - len(CONTACT)
        for county, sheet_name in names.items():
            rows = b[b["county"] == county]
            sh = wb.add_worksheet(sheet_name)
            last_col = len(heads) - 1
            sh.merge_range(0, 0, 0, last_col, f"{county}生源地信用助学贷款逾期催收名单（截至{as_of}）", fmt["title"])
            sh.merge_range(1, 0, 1, last_col, f"共 {len(rows)} 人，逾期金额 {yuan(exact_total(rows['arrears_fen']))} 元。"
                                              + OVERDUE_RULE, rule)
            sh.set_row(1, 30)
            for j, (h, w) in enumerate(heads):
                sh.set_column(j, j, w)
                sh.write_string(2, j, h, fmt["head"])
            for i, r in enumerate(rows.itertuples(index=False), start=1):
                n = 2 + i
                sh.write_number(n, 0, i, fmt["cell"])
                for j, v in ((1, r.name), (2, r.id_masked), (3, r.contracts), (4, r.loan_years), (5, r.school)):
                    sh.write_string(n, j, text_or_empty(v), fmt["cell"])
                sh.write_number(n, 6, int(r.days), fmt["cell"])
                for j, v in ((7, r.arrears_fen), (8, r.principal_due_fen), (9, r.interest_due_fen), (10, r.repaid_fen)):
                    sh.write_number(n, j, _num(v), amount)
                sh.write_string(n, 11, text_or_empty(r.due_date), fmt["cell"])
                for j, v in ((12, r.phone), (13, r.co_borrower), (14, r.co_phone), (15, r.address)):
                    sh.write_string(n, j, text_or_empty(v), text)
                sh.write_string(n, 16, "、".join(map(str, r.rows)), fmt["cell"])
                for j in range(first_contact, len(heads)):
                    style = fill_date if heads[j][0] in ("联系日期", "承诺还款日期") else fill
                    sh.write_blank(n, j, None, style)
            last = 2 + max(len(rows), 1)
            for j, (h, _) in enumerate(heads):
                if h in ("联系日期", "承诺还款日期"):
                    sh.data_validation(3, j, last, j, {"validate": "date", "criteria": ">=",
                                                        "value": datetime(2000, 1, 1),
                                                        "error_message": "请填写日期，如 2025-01-15"})
                elif h == "联系结果":
                    sh.data_validation(3, j, last, j, {"validate": "list", "source": list(rules.loans.collection_results),
                                                        "show_error": False})
            sh.freeze_panes(3, 2)
            sh.autofilter(2, 0, last, last_col)
            sh.set_landscape()
            sh.set_paper(9)
            sh.fit_to_pages(1, 0)
            sh.repeat_rows(2)
            sh.set_footer("&C第 &P 页，共 &N 页")
        wb.close()
    return target
