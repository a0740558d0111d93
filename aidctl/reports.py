"""Excel workbooks a clerk can filter and print: the validation report."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pandas as pd
import xlsxwriter

from aidctl.files import atomic_path
from aidctl.findings import CATALOGUE

SEVERITY_WORDS = {"error": "错误", "warning": "警告"}
ID_IN_TEXT = re.compile(r"(?<![0-9])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9])")
FINDING_HEADERS = [("文件", 28), ("工作表", 12), ("行号", 7), ("列", 14), ("问题代码", 22),
                   ("严重程度", 9), ("问题", 22), ("说明", 80), ("单元格内容", 22), ("学校", 18),
                   ("姓名", 10)]


def write_validation_report(validation, target: Path) -> Path:
    """Summary sheet (files, counts by code and school) and a findings sheet with a filter."""
    rules_term = str(validation.term)
    with atomic_path(target) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, "strings_to_numbers": False,
                                            "strings_to_formulas": False, "strings_to_urls": False})
        title = wb.add_format({"bold": True, "font_size": 14})
        head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
        cell = wb.add_format({"border": 1})
        wrap = wb.add_format({"border": 1, "text_wrap": True, "valign": "top"})
        text_fmt = wb.add_format({"border": 1, "num_format": "@"})

        summary = wb.add_worksheet("汇总")
        summary.set_column(0, 0, 34)
        summary.set_column(1, 5, 12)
        s = validation.summary()
        r = 0
        summary.write(r, 0, f"花名册审核报告（{rules_term}）", title)
        r += 1
        summary.write(r, 0, f"生成时间：{datetime.now():%Y-%m-%d %H:%M}；受助学生记录 {s['records']} 条，"
                            f"错误 {s['errors']} 个，警告 {s['warnings']} 个")
        r += 2
        for j, h in enumerate(["文件", "工作表", "表头行", "记录数"]):
            summary.write(r, j, h, head)
        r += 1
        for item in validation.roster.file_info():
            for j, key in enumerate(["file", "sheet", "header_row", "records"]):
                summary.write(r, j, item[key], cell)
            r += 1
        r += 1
        for j, h in enumerate(["问题代码", "问题", "严重程度", "数量"]):
            summary.write(r, j, h, head)
        r += 1
        for code, severity, count, name in validation.by_code()[["code", "severity", "count", "title"]] \
                .itertuples(index=False, name=None):
            summary.write_row(r, 0, [code, name, SEVERITY_WORDS.get(severity, severity), int(count)], cell)
            r += 1
        r += 1
        for j, h in enumerate(["学校", "受助学生", "不予发放", "错误", "警告"]):
            summary.write(r, j, h, head)
        r += 1
        for row in validation.by_school().itertuples(index=False, name=None):
            summary.write_row(r, 0, [row[0], *map(int, row[1:])], cell)
            r += 1

        sheet = wb.add_worksheet("问题清单")
        for j, (h, width) in enumerate(FINDING_HEADERS):
            sheet.set_column(j, j, width)
        sheet.freeze_panes(1, 0)
        for j, (h, _) in enumerate(FINDING_HEADERS):
            sheet.write(0, j, h, head)
        f = validation.findings
        cols = ["file", "sheet", "row", "column", "code", "severity", "message", "value", "school", "name"]
        data = f[cols].astype(object).where(f[cols].notna(), None)
        titles = {c: t.title for c, t in CATALOGUE.items()}
        n = 0
        for n, (file, sh, row, col, code, sev, msg, val, school, name) in enumerate(
                data.itertuples(index=False, name=None), start=1):
            sheet.write_string(n, 0, str(file), cell)
            sheet.write_string(n, 1, str(sh), cell)
            if row is None:
                sheet.write_blank(n, 2, None, cell)
            else:
                sheet.write_number(n, 2, int(row), cell)
            sheet.write_string(n, 3, col or "", cell)
            sheet.write_string(n, 4, code, cell)
            sheet.write_string(n, 5, SEVERITY_WORDS.get(sev, sev), cell)
            sheet.write_string(n, 6, titles.get(code, ""), cell)
            sheet.write_string(n, 7, str(msg), wrap)
            sheet.write_string(n, 8, "" if val is None else str(val), text_fmt)
            sheet.write_string(n, 9, "" if school is None else str(school), cell)
            sheet.write_string(n, 10, "" if name is None else str(name), cell)
        sheet.autofilter(0, 0, max(n, 1), len(FINDING_HEADERS) - 1)
        wb.close()
    return target


def _formats(wb):
    return {"title": wb.add_format({"bold": True, "font_size": 14}),
            "head": wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True}),
            "cell": wb.add_format({"border": 1}),
            "money": wb.add_format({"border": 1, "align": "right"}),
            "total": wb.add_format({"border": 1, "bold": True}),
            "wrap": wb.add_format({"border": 1, "text_wrap": True, "valign": "top"})}


def _table(ws, fmt, row: int, headers: list[tuple[str, int]], rows, money_cols: set[int] = frozenset()) -> int:
    for j, (h, width) in enumerate(headers):
        ws.set_column(j, j, width)
        ws.write_string(row, j, h, fmt["head"])
    n = row
    for n, values in enumerate(rows, start=row + 1):
        for j, v in enumerate(values):
            style = fmt["money"] if j in money_cols else fmt["wrap"] if headers[j][1] >= 40 else fmt["cell"]
            if v is None or (isinstance(v, float) and v != v):
                ws.write_blank(n, j, None, style)
            elif isinstance(v, int):
                ws.write_number(n, j, v, style)
            else:
                ws.write_string(n, j, str(v), style)
    return n + 1


def write_payment_report(plan, batch: str | None, files: list[Path], out_dir: Path, rules) -> Path:
    """The payment audit workbook: totals by school and programme, refused records with reasons,
    records already paid, failed payments not re-sent, warnings to review, the files written."""
    from aidctl.files import sha256
    from aidctl.identity import mask_id
    from aidctl.ledger import yuan

    term_label = rules.term_label(plan.term)
    stamp = datetime.now().strftime("%Y%m%d%H%M%S")
    target = Path(out_dir) / f"发放审核_{plan.term}_{batch or '无新发放_' + stamp}.xlsx"
    frame = plan.validation.roster.frame
    findings = plan.validation.findings
    with atomic_path(target) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_numbers": False, "strings_to_formulas": False,
                                            "strings_to_urls": False})
        fmt = _formats(wb)
        ws = wb.add_worksheet("汇总")
        ws.write(0, 0, f"{term_label}学生资助发放审核表", fmt["title"])
        ws.write(1, 0, f"批次：{batch or '本次没有新的发放'}；生成时间：{datetime.now():%Y-%m-%d %H:%M}；"
                       f"规则指纹：{rules.fingerprint[:16]}")
        pay = plan.pay
        by = (pay.groupby(["school", "programme"], dropna=False)["amount_fen"].agg(["size", "sum"])
              .reset_index() if len(pay) else pd.DataFrame(columns=["school", "programme", "size", "sum"]))
        rows = [[_s(r.school) or "（学校不明）", r.programme, int(r.size), str(yuan(r.sum))] for r in by.itertuples()]
        rows.append(["合计", "", int(len(pay)), str(yuan(plan.total_fen))])
        row = _table(ws, fmt, 3, [("学校", 26), ("资助项目", 18), ("受助学生", 10), ("金额（元）", 16)], rows, {3})
        counts = [["本次发放", len(pay)], ["不予发放", len(plan.refused)], ["已发放（不重复发放）", len(plan.already)],
                  ["发放失败且未更正卡号（未重发）", len(plan.failed_unchanged)],
                  ["拨付学校的项目（不入学生银行文件）", len(plan.school_funded)]]
        row = _table(ws, fmt, row + 1, [("项目", 26), ("人数", 18)], counts)
        file_rows = [[f.name, sha256(f)] for f in files]
        _table(ws, fmt, row + 1, [("银行文件", 26), ("SHA-256", 18)], file_rows)

        sheet = wb.add_worksheet("不予发放")
        messages = findings[findings["severity"] == "error"].groupby("rec")["message"].agg("；".join)
        file_msgs = findings[(findings["severity"] == "error") & (findings["rec"] < 0)] \
            .groupby("table")["message"].agg("；".join)
        refused_rows = []
        recs = plan.refused["rec"].to_numpy(dtype="int64")
        tables = frame["table"].to_numpy()[recs]
        names = frame["name"].iloc[recs].astype(object).to_numpy()  # the refused rows only: a few
        banks = frame["bank"].iloc[recs].astype(object).to_numpy()
        masked = mask_id(frame["id_number"].iloc[recs].astype("string")).astype(object).to_numpy()
        for r, table, name, bank, ident in zip(plan.refused.itertuples(), tables, names, banks, masked):
            msg = "；".join(x for x in [file_msgs.get(int(table), ""), messages.get(r.rec, "")] if x)
            if "bank.unknown" in r.codes and not msg:
                msg = f"开户银行“{bank}”没有对应的报盘格式（rules/banks/）"
            elif "bank.unwritable" in r.codes and not msg:
                msg = "银行文件无法写入该记录（生僻字或超长），请与银行核对"
            msg = ID_IN_TEXT.sub(r"\1********\2", msg)  # the workbook goes to finance and audit: no full ID
            refused_rows.append([r.file, int(r.row), _s(name), _s(ident) or "", "、".join(r.codes), msg])
        _table(sheet, fmt, 0, [("文件", 28), ("行号", 7), ("姓名", 10), ("身份证号码", 20), ("问题代码", 26),
                               ("说明", 80)], refused_rows)
        sheet.autofilter(0, 0, max(len(refused_rows), 1), 5)

        sheet = wb.add_worksheet("已发放")
        ids = mask_id(plan.already["person"].astype("string")) if len(plan.already) else pd.Series(dtype="string")
        _table(sheet, fmt, 0, [("文件", 28), ("行号", 7), ("身份证号码", 20), ("资助项目", 18), ("批次", 22),
                               ("状态", 10)],
               [[r.file, int(r.row), i, r.programme, r.batch, r.status]
                for r, i in zip(plan.already.itertuples(), ids)])

        sheet = wb.add_worksheet("失败未重发")
        ids = mask_id(plan.failed_unchanged["person"].astype("string")) if len(plan.failed_unchanged) \
            else pd.Series(dtype="string")
        _table(sheet, fmt, 0, [("文件", 28), ("行号", 7), ("身份证号码", 20), ("资助项目", 18), ("卡号", 22),
                               ("银行退回原因", 40)],
               [[r.file, int(r.row), i, r.programme, r.card, r.failure_reason or ""]
                for r, i in zip(plan.failed_unchanged.itertuples(), ids)])

        sheet = wb.add_worksheet("待复核")
        warn = findings[(findings["severity"] == "warning") & findings["rec"].isin(pay["rec"])]
        _table(sheet, fmt, 0, [("文件", 28), ("行号", 7), ("姓名", 10), ("问题代码", 22), ("说明", 80)],
               [[r.file, int(r.row), _s(r.name), r.code, ID_IN_TEXT.sub(r"\1********\2", r.message)]
                for r in warn.itertuples()])
        wb.close()
    return target


def _s(value) -> str:
    return "" if value is None or value is pd.NA or (isinstance(value, float) and value != value) else str(value)


def write_extraction_report(audit, target: Path) -> Path:
    """Every school with its figures and verdict, a county roll-up with a native chart of required
    against extracted, and the findings. Amounts are numeric cells (yuan) so that Excel can chart
    and sum them; the exact figures are the JSON's and the terminal's."""
    from aidctl.money import yuan

    def num(fen):
        return None if fen is None or fen is pd.NA or fen != fen else float(yuan(fen))

    verdicts = audit.verdicts()
    with atomic_path(target) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_numbers": False, "strings_to_formulas": False,
                                            "strings_to_urls": False})
        fmt = _formats(wb)
        amount = wb.add_format({"border": 1, "num_format": "#,##0.00"})
        bad = wb.add_format({"border": 1, "font_color": "#C00000", "bold": True})
        ws = wb.add_worksheet("学校明细")
        ws.write(0, 0, f"{audit.year}年度校内资助资金提取情况审核", fmt["title"])
        s = audit.schools
        headers = [("所属县区", 10), ("学校代码", 9), ("学校名称", 20), ("学校类型", 8), ("事业收入（元）", 15),
                   ("应提比例", 10), ("应提下限（元）", 14), ("应提上限（元）", 14), ("实提金额（元）", 14),
                   ("实提比例", 9), ("少提金额（元）", 13), ("划入专户（元）", 14), ("发放金额（元）", 14),
                   ("结论", 8), ("问题", 60)]
        for j, (h, w) in enumerate(headers):
            ws.set_column(j, j, w)
            ws.write(2, j, h, fmt["head"])
        messages = audit.findings[audit.findings["rec"] >= 0].groupby("rec")["message"].agg("；".join)
        for n, (rec, r) in enumerate(zip(s.index, s.itertuples()), start=3):
            rate_range = r.min_rate if r.min_rate == r.max_rate else f"{r.min_rate}—{r.max_rate}"
            texts = [r.county, r.school_code, r.school, r.school_type]
            for j, v in enumerate(texts):
                ws.write_string(n, j, v or "", fmt["cell"])
            ws.write(n, 4, num(r.income), amount)
            ws.write_string(n, 5, rate_range or "", fmt["cell"])
            for j, col in ((6, "required_min"), (7, "required_max"), (8, "extracted")):
                ws.write(n, j, num(getattr(r, col)), amount)
            ws.write_string(n, 9, r.rate or "", fmt["cell"])
            for j, col in ((10, "shortfall"), (11, "deposited"), (12, "spent")):
                ws.write(n, j, num(getattr(r, col)), amount)
            ws.write_string(n, 13, verdicts[rec], bad if verdicts[rec] == "不合规" else fmt["cell"])
            ws.write_string(n, 14, messages.get(rec, ""), fmt["wrap"])
        ws.autofilter(2, 0, max(2 + len(s), 3), len(headers) - 1)
        ws.freeze_panes(3, 3)

        county = audit.by_county()
        cs = wb.add_worksheet("县区汇总")
        cs.write(0, 0, f"{audit.year}年度各县区校内资助资金提取情况", fmt["title"])
        heads = [("所属县区", 12), ("学校数", 8), ("不合规学校", 10), ("事业收入（元）", 16),
                 ("应提下限（元）", 16), ("实提金额（元）", 16), ("少提金额（元）", 14), ("划入专户（元）", 16),
                 ("发放金额（元）", 16)]
        for j, (h, w) in enumerate(heads):
            cs.set_column(j, j, w)
            cs.write(2, j, h, fmt["head"])
        for n, r in enumerate(county.itertuples(), start=3):
            cs.write_string(n, 0, r.county, fmt["cell"])
            cs.write_number(n, 1, int(r.schools), fmt["cell"])
            cs.write_number(n, 2, int(r.non_compliant), fmt["cell"])
            for j, col in enumerate(["income", "required_min", "extracted", "shortfall", "deposited", "spent"],
                                    start=3):
                cs.write(n, j, num(getattr(r, col)), amount)
        total_row = 3 + len(county)
        cs.write_string(total_row, 0, "合计", fmt["total"])
        cs.write_number(total_row, 1, int(county["schools"].sum()), fmt["total"])
        cs.write_number(total_row, 2, int(county["non_compliant"].sum()), fmt["total"])
        for j, col in enumerate(["income", "required_min", "extracted", "shortfall", "deposited", "spent"], start=3):
            cs.write(total_row, j, num(county[col].sum(min_count=1)), amount)
        chart = wb.add_chart({"type": "column"})
        last = total_row - 1
        for col, name in ((4, "应提下限"), (5, "实提金额")):
            chart.add_series({"name": name, "categories": ["县区汇总", 3, 0, last, 0],
                              "values": ["县区汇总", 3, col, last, col], "data_labels": {"value": False}})
        chart.set_title({"name": f"{audit.year}年度各县区应提与实提校内资助资金（元）"})
        chart.set_y_axis({"num_format": "#,##0"})
        chart.set_legend({"position": "bottom"})
        cs.insert_chart(total_row + 2, 0, chart, {"x_scale": 1.6, "y_scale": 1.3})

        fs = wb.add_worksheet("问题清单")
        rows = []
        for r in audit.findings.itertuples():
            school = s.at[r.rec, "school"] if r.rec >= 0 else ""
            row = s.at[r.rec, "row"] if r.rec >= 0 else None
            rows.append([audit.tables[int(r.table)].file, row, school or "", r.header or "", r.code,
                         SEVERITY_WORDS.get(r.severity, r.severity), r.message])
        _table(fs, fmt, 0, [("文件", 30), ("行号", 7), ("学校", 20), ("列", 16), ("问题代码", 24), ("严重程度", 9),
                            ("说明", 80)], rows)
        wb.close()
    return target


def write_enlistment_report(result, target: Path, rules) -> Path:
    """The enlistment audit workbook: totals by school with 合计, every student with the years
    counted and why, every year's line with its reason, the findings, and the caps applied.
    Amounts are numeric cells (yuan) so that Excel can sum them; IDs are masked (first 6, last 4)."""
    from aidctl.identity import mask_id
    from aidctl.money import yuan

    def num(fen):
        return None if fen is None or fen is pd.NA or fen != fen else float(yuan(fen))

    s = result.students
    with atomic_path(target) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_numbers": False, "strings_to_formulas": False,
                                            "strings_to_urls": False})
        fmt = _formats(wb)
        amount = wb.add_format({"border": 1, "num_format": "#,##0.00"})
        total_amount = wb.add_format({"border": 1, "bold": True, "num_format": "#,##0.00"})
        bad = wb.add_format({"border": 1, "font_color": "#C00000", "bold": True})

        ws = wb.add_worksheet("汇总")
        ws.write(0, 0, f"{result.year}年应征入伍学生学费补偿和国家助学贷款代偿审核表", fmt["title"])
        ws.write(1, 0, f"生成时间：{datetime.now():%Y-%m-%d %H:%M}；规则指纹：{rules.fingerprint[:16]}；"
                       f"银行格式：{result.bank_profile}")
        ws.write(2, 0, "本名单不记入发放账本：发给学生的部分由财务按银行文件支付，代偿贷款的部分另行划付贷款经办机构；"
                       "重复运行会生成同样的名单，请勿重复支付。")
        heads = [("学校", 26), ("学生", 8), ("可发放", 8), ("不予发放", 9), ("补偿总额（元）", 16),
                 ("其中代偿贷款（元）", 18), ("发给学生（元）", 16)]
        for j, (h, w) in enumerate(heads):
            ws.set_column(j, j, w)
            ws.write(4, j, h, fmt["head"])
        by = result.by_school()
        for n, r in enumerate(by.itertuples(), start=5):
            ws.write_string(n, 0, r.school, fmt["cell"])
            for j, v in ((1, r.students), (2, r.payable), (3, r.students - r.payable)):
                ws.write_number(n, j, int(v), fmt["cell"])
            for j, v in ((4, r.total_fen), (5, r.loan_fen), (6, r.to_student_fen)):
                ws.write(n, j, num(v), amount)
        row = 5 + len(by)
        ws.write_string(row, 0, "合计", fmt["total"])
        for j, v in ((1, by["students"].sum()), (2, by["payable"].sum()),
                     (3, by["students"].sum() - by["payable"].sum())):
            ws.write_number(row, j, int(v), fmt["total"])
        for j, col in ((4, "total_fen"), (5, "loan_fen"), (6, "to_student_fen")):
            ws.write(row, j, num(int(by[col].sum())), total_amount)
        totals = result.totals()
        row += 2
        ws.write(row, 0, f"银行文件（发给学生 {totals['payments']} 笔，{totals['to_students']} 元）", fmt["head"])
        for p in result.bank_files:
            row += 1
            ws.write_string(row, 0, p.name, fmt["cell"])

        people = wb.add_worksheet("学生明细")
        messages = result.findings[result.findings["rec"] >= 0].groupby("rec")["message"].agg("；".join)
        ids = mask_id(s["person"].astype("string").fillna(s["id_number"].astype("string")))
        heads = [("文件", 26), ("行号", 7), ("姓名", 10), ("身份证号码", 20), ("学校", 20), ("学历层次", 10),
                 ("入学年份", 9), ("入伍年份", 9), ("计入学年", 9), ("每学年上限（元）", 14), ("补偿总额（元）", 14),
                 ("贷款本金（元）", 14), ("代偿贷款（元）", 14), ("发给学生（元）", 14), ("结论", 9),
                 ("计入学年的说明", 50), ("问题", 60)]
        for j, (h, w) in enumerate(heads):
            people.set_column(j, j, w)
            people.write(0, j, h, fmt["head"])
        for n, (rec, r) in enumerate(s.iterrows(), start=1):
            texts = [r["file"], None, _s(r["name"]), _s(ids[rec]), _s(r["school"]),
                     _s(r["level_key"]) or _s(r["level"])]
            for j, v in enumerate(texts):
                if j != 1:
                    people.write_string(n, j, v or "", fmt["cell"])
            people.write_number(n, 1, int(r["row"]), fmt["cell"])
            for j, col in ((6, "enrolled_year"), (7, "enlisted_year"), (8, "counted")):
                v = r[col]
                people.write(n, j, None if v is None or v is pd.NA else int(v), fmt["cell"])
            for j, col in ((9, "cap_fen"), (10, "total_fen"), (11, "loan_fen"), (12, "loan_fen_repaid"),
                           (13, "to_student_fen")):
                people.write(n, j, num(r[col]), amount)
            verdict = "可发放" if r["payable"] else "不予发放"
            people.write_string(n, 14, verdict, fmt["cell"] if r["payable"] else bad)
            people.write_string(n, 15, _s(r["years_reason"]), fmt["wrap"])
            people.write_string(n, 16, ID_IN_TEXT.sub(r"\1********\2", messages.get(rec, "")), fmt["wrap"])
        people.autofilter(0, 0, max(len(s), 1), len(heads) - 1)
        people.freeze_panes(1, 3)

        years = wb.add_worksheet("分学年明细")
        heads = [("文件", 26), ("行号", 7), ("姓名", 10), ("学校", 20), ("学年", 6), ("学年区间", 11),
                 ("实缴学费（元）", 14), ("每学年上限（元）", 14), ("补偿金额（元）", 14), ("代偿贷款（元）", 14),
                 ("发给学生（元）", 14), ("说明", 90)]
        for j, (h, w) in enumerate(heads):
            years.set_column(j, j, w)
            years.write(0, j, h, fmt["head"])
        for n, ln in enumerate(result.lines.itertuples(), start=1):
            r = s.loc[ln.rec]
            years.write_string(n, 0, r["file"], fmt["cell"])
            years.write_number(n, 1, int(r["row"]), fmt["cell"])
            years.write_string(n, 2, _s(r["name"]), fmt["cell"])
            years.write_string(n, 3, _s(r["school"]), fmt["cell"])
            years.write_number(n, 4, int(ln.year_of_study), fmt["cell"])
            years.write_string(n, 5, ln.school_year, fmt["cell"])
            for j, v in ((6, ln.tuition_fen), (7, ln.cap_fen), (8, ln.amount_fen), (9, ln.loan_fen),
                         (10, ln.to_student_fen)):
                years.write(n, j, num(v), amount)
            years.write_string(n, 11, ln.reason, fmt["wrap"])
        years.autofilter(0, 0, max(len(result.lines), 1), len(heads) - 1)
        years.freeze_panes(1, 3)

        problems = wb.add_worksheet("问题清单")
        rows = []
        for r in result.findings.itertuples():
            name = _s(s.at[r.rec, "name"]) if r.rec >= 0 else ""
            rows.append([r.file, int(r.row) if r.rec >= 0 else None, name, r.header or "", r.code,
                         SEVERITY_WORDS.get(r.severity, r.severity), ID_IN_TEXT.sub(r"\1********\2", r.message)])
        _table(problems, fmt, 0, [("文件", 26), ("行号", 7), ("姓名", 10), ("列", 16), ("问题代码", 24),
                                  ("严重程度", 9), ("说明", 80)], rows)

        caps = wb.add_worksheet("补偿标准")
        book = rules.enlistment
        caps.write(0, 0, "每学年补偿上限（rules/enlistment.yaml）", fmt["title"])
        groups = list(dict.fromkeys(lv.group for lv in book.levels.values()))
        heads = [("入伍时间起", 12), *[(f"{g}（元/学年）", 16) for g in groups], ("依据", 60), ("待核（REVIEW）", 50)]
        rows = [[str(p.from_), *[f"{p.per_year[g]:.2f}" for g in groups], p.source, p.review or ""]
                for p in sorted(book.caps, key=lambda p: p.from_)]
        row = _table(caps, fmt, 2, heads, rows)
        caps.write(row + 1, 0, "计算方法：" + book.description)
        levels = "；".join(f"{k}（{v.group}，学制{v.normal_years}年）" for k, v in book.levels.items())
        caps.write(row + 2, 0, f"学历层次：{levels}；只写年份的入伍时间按 {book.year_only_date} 计")
        wb.close()
    return target
