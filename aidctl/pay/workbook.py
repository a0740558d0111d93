"""The payment audit workbook (发放审核) of a disburse run."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import xlsxwriter

from aidctl.core.files import atomic_path
from aidctl.core.identity import ID_IN_TEXT
from aidctl.core.labels import UNKNOWN_SCHOOL
from aidctl.core.text import text_or_empty
from aidctl.core.xlsx import formats, write_table


def report_path(out_dir: Path, term, batch: str) -> Path:
    """Where the payment audit workbook of `batch` goes."""
    return Path(out_dir) / f"发放审核_{term}_{batch}.xlsx"


def write_payment_report(plan, batch: str | None, files: list[Path], out_dir: Path, rules) -> Path:
    """The payment audit workbook: totals by school and programme, refused records with reasons,
    records already paid, failed payments not re-sent, warnings to review, the files written."""
    from aidctl.core.files import sha256
    from aidctl.core.identity import mask_id
    from aidctl.core.money import yuan

    term_label = rules.term_label(plan.term)
    stamp = datetime.now().strftime("%Y%m%d%H%M%S")
    target = report_path(out_dir, plan.term, batch or "无新发放_" + stamp)
    frame = plan.validation.roster.frame
    findings = plan.validation.findings
    with atomic_path(target) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_numbers": False, "strings_to_formulas": False,
                                            "strings_to_urls": False})
        fmt = formats(wb)
        ws = wb.add_worksheet("汇总")
        ws.write(0, 0, f"{term_label}学生资助发放审核表", fmt["title"])
        ws.write(1, 0, f"批次：{batch or '本次没有新的发放'}；生成时间：{datetime.now():%Y-%m-%d %H:%M}；"
                       f"规则指纹：{rules.fingerprint[:16]}")
        pay = plan.pay
        by = (pay.groupby(["school", "programme"], dropna=False)["amount_fen"].agg(["size", "sum"])
              .reset_index() if len(pay) else pd.DataFrame(columns=["school", "programme", "size", "sum"]))
        rows = [[text_or_empty(r.school) or UNKNOWN_SCHOOL, r.programme, int(r.size), str(yuan(r.sum))] for r in by.itertuples()]
        rows.append(["合计", "", int(len(pay)), str(yuan(plan.total_fen))])
        row = write_table(ws, fmt, 3, [("学校", 26), ("资助项目", 18), ("受助学生", 10), ("金额（元）", 16)], rows, {3})
        counts = [["本次发放", len(pay)], ["不予发放", len(plan.refused)], ["已发放（不重复发放）", len(plan.already)],
                  ["发放失败且未更正卡号（未重发）", len(plan.failed_unchanged)],
                  ["拨付学校的项目（不入学生银行文件）", len(plan.school_funded)]]
        row = write_table(ws, fmt, row + 1, [("项目", 26), ("人数", 18)], counts)
        file_rows = [[f.name, sha256(f)] for f in files]
        write_table(ws, fmt, row + 1, [("银行文件", 26), ("SHA-256", 18)], file_rows)

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
            refused_rows.append([r.file, int(r.row), text_or_empty(name), text_or_empty(ident) or "", "、".join(r.codes), msg])
        write_table(sheet, fmt, 0, [("文件", 28), ("行号", 7), ("姓名", 10), ("身份证号码", 20), ("问题代码", 26),
                               ("说明", 80)], refused_rows)
        sheet.autofilter(0, 0, max(len(refused_rows), 1), 5)

        sheet = wb.add_worksheet("已发放")
        ids = mask_id(plan.already["person"].astype("string")) if len(plan.already) else pd.Series(dtype="string")
        write_table(sheet, fmt, 0, [("文件", 28), ("行号", 7), ("身份证号码", 20), ("资助项目", 18), ("批次", 22),
                               ("状态", 10)],
               [[r.file, int(r.row), i, r.programme, r.batch, r.status]
                for r, i in zip(plan.already.itertuples(), ids)])

        sheet = wb.add_worksheet("失败未重发")
        ids = mask_id(plan.failed_unchanged["person"].astype("string")) if len(plan.failed_unchanged) \
            else pd.Series(dtype="string")
        write_table(sheet, fmt, 0, [("文件", 28), ("行号", 7), ("身份证号码", 20), ("资助项目", 18), ("卡号", 22),
                               ("银行退回原因", 40)],
               [[r.file, int(r.row), i, r.programme, r.card, r.failure_reason or ""]
                for r, i in zip(plan.failed_unchanged.itertuples(), ids)])

        sheet = wb.add_worksheet("待复核")
        warn = findings[(findings["severity"] == "warning") & findings["rec"].isin(pay["rec"])]
        write_table(sheet, fmt, 0, [("文件", 28), ("行号", 7), ("姓名", 10), ("问题代码", 22), ("说明", 80)],
               [[r.file, int(r.row), text_or_empty(r.name), r.code, ID_IN_TEXT.sub(r"\1********\2", r.message)]
                for r in warn.itertuples()])
        wb.close()
    return target


