"""The payment audit workbook (发放审核) of a disburse run, through the one workbook layer (core.xlsx):
every ID and card number masked in every cell, money as numbers, sheets that print."""

from __future__ import annotations

from concurrent.futures import Future
from datetime import datetime
from pathlib import Path

import pandas as pd

from aidctl.core.files import atomic_path
from aidctl.core.labels import UNKNOWN_SCHOOL
from aidctl.core.text import text_or_empty
from aidctl.core.xlsx import Book, write_table

PAID_HEADS = [("学校", 24), ("资助项目", 16), ("姓名", 10), ("身份证号码", 20), ("卡号", 10), ("金额（元）", 12),
              ("银行格式", 10), ("重发", 6), ("花名册文件", 30), ("行号", 7)]


def report_path(out_dir: Path, term, batch: str) -> Path:
    """Where the payment audit workbook of `batch` goes."""
    return Path(out_dir) / f"发放审核_{term}_{batch}.xlsx"


def new_report_path(out_dir: Path, term, batch: str | None) -> Path:
    """Where the workbook of this run goes: its batch's, or, for a run that paid nobody, one named
    for the moment it was made."""
    return report_path(out_dir, term, batch or "无新发放_" + datetime.now().strftime("%Y%m%d%H%M%S"))


def write_payment_report(plan, batch: str | None, files: list[Path] | Future, out_dir: Path, rules,
                         target: Path | None = None) -> Path:
    """The payment audit workbook: 汇总 (totals by school and programme, the counts, the bank files),
    本次发放 (this batch's payments), 不予发放 (with reasons), 已发放 (records the ledger already holds),
    失败未重发 (failed, card unchanged) and 待复核 (warnings on records paid). An empty sheet says so in
    one line. IDs show their first 6 and last 4 characters, cards their last 4, wherever they stand.
    Written at `target` (new_report_path by default). `files` may be a Future of the bank files: the
    sheets are made meanwhile, and nothing is written should it fail."""
    from aidctl.core.files import sha256
    from aidctl.core.money import yuan, yuan_text

    masking = rules.publicity.masking.masking()
    term_label = rules.term_label(plan.term)
    target = target or new_report_path(out_dir, plan.term, batch)
    frame = plan.validation.roster.frame
    findings = plan.validation.findings
    pay = plan.pay
    with atomic_path(target) as tmp:
        wb = Book(tmp, masking, title=f"{term_label}学生资助发放审核表")
        fmt = wb.fmt
        ws = wb.add_worksheet("汇总")
        ws.write(0, 0, f"{term_label}学生资助发放审核表", fmt["title"])
        ws.write(1, 0, f"批次：{batch or '本次没有新的发放'}；生成时间：{datetime.now():%Y-%m-%d %H:%M}；"
                       f"规则指纹：{rules.fingerprint[:16]}")
        by = (pay.groupby(["school", "programme"], dropna=False)["amount_fen"].agg(["size", "sum"])
              .reset_index() if len(pay) else pd.DataFrame(columns=["school", "programme", "size", "sum"]))
        rows = [[text_or_empty(r.school) or UNKNOWN_SCHOOL, r.programme, int(r.size), yuan(r.sum)] for r in by.itertuples()]
        rows.append(["合计", "", int(len(pay)), yuan(plan.total_fen)])
        row = write_table(ws, fmt, 3, [("学校", 26), ("资助项目", 18), ("受助学生", 10), ("金额（元）", 16)], rows, {3})
        counts = [["本次发放", len(pay)], ["不予发放", len(plan.refused)], ["已发放（不重复发放）", len(plan.already)],
                  ["发放失败且未更正卡号（未重发）", len(plan.failed_unchanged)],
                  ["拨付学校的项目（不入学生银行文件）", len(plan.school_funded)]]
        files_at = write_table(ws, fmt, row + 1, [("项目", 26), ("人数", 18)], counts) + 1
        summary = ws

        sheet = wb.add_worksheet("本次发放")
        if len(pay):
            kinds = [("text", fmt["cell"])] * 5 + [("number", fmt["money"])] + [("text", fmt["cell"])] * 3 + \
                [("number", fmt["int"])]
            _bulk_sheet(sheet, fmt, PAID_HEADS, kinds, [
                pay["school"].astype("string").fillna(UNKNOWN_SCHOOL), pay["programme"],
                pay["name"], masking.ids(pay["person"].astype("string")),
                masking.cards(pay["card"].astype("string")), yuan_text(pay["amount_fen"]), pay["bank_profile"],
                pay["payment_id"].notna().map({True: "是", False: None}), pay["source_file"],
                pd.Series(pay["source_row"]).astype("int64").astype("string")])
        else:
            sheet.empty(0, "本次没有新的发放：没有符合条件且尚未发放的学生。", fmt["empty"])

        sheet = wb.add_worksheet("不予发放")
        messages = findings[findings["severity"] == "error"].groupby("rec")["message"].agg("；".join)
        file_msgs = findings[(findings["severity"] == "error") & (findings["rec"] < 0)] \
            .groupby("table")["message"].agg("；".join)
        refused_rows = []
        recs = plan.refused["rec"].to_numpy(dtype="int64")
        tables = frame["table"].to_numpy()[recs]
        names = frame["name"].iloc[recs].astype(object).to_numpy()  # the refused rows only: a few
        banks = frame["bank"].iloc[recs].astype(object).to_numpy()
        masked = masking.ids(frame["id_number"].iloc[recs].astype("string")).astype(object).to_numpy()
        for r, table, name, bank, ident in zip(plan.refused.itertuples(), tables, names, banks, masked):
            msg = "；".join(x for x in [file_msgs.get(int(table), ""), messages.get(r.rec, "")] if x)
            if "bank.unknown" in r.codes and not msg:
                msg = f"开户银行“{bank}”没有对应的报盘格式，或对应不止一个（rules/banks/ 的 bank_names）"
            elif "bank.unwritable" in r.codes and not msg:
                msg = "银行文件无法写入该记录（生僻字或超长），请与银行核对"
            refused_rows.append([r.file, int(r.row), text_or_empty(name), text_or_empty(ident) or "", "、".join(r.codes), msg])
        end = write_table(sheet, fmt, 0, [("文件", 28), ("行号", 7), ("姓名", 10), ("身份证号码", 20), ("问题代码", 26),
                                     ("说明", 80)], refused_rows, empty="没有不予发放的记录。")
        if refused_rows:
            sheet.autofilter(0, 0, end - 1, 5)

        sheet = wb.add_worksheet("已发放")
        already = plan.already
        if len(already):
            heads = [("文件", 28), ("行号", 7), ("身份证号码", 20), ("资助项目", 18), ("批次", 22), ("状态", 10)]
            kinds = [("text", fmt["cell"]), ("number", fmt["int"])] + [("text", fmt["cell"])] * 4
            _bulk_sheet(sheet, fmt, heads, kinds, [
                already["file"], pd.Series(already["row"]).astype("int64").astype("string"),
                masking.ids(already["person"].astype("string")), already["programme"], already["batch"],
                already["status"]])
        else:
            sheet.empty(0, "没有本学期已经发放过的记录。", fmt["empty"])

        sheet = wb.add_worksheet("失败未重发")
        failed = plan.failed_unchanged
        ids = masking.ids(failed["person"].astype("string")) if len(failed) else pd.Series(dtype="string")
        cards = masking.cards(failed["card"].astype("string")) if len(failed) else pd.Series(dtype="string")
        write_table(sheet, fmt, 0, [("文件", 28), ("行号", 7), ("身份证号码", 20), ("资助项目", 18), ("卡号", 12),
                                    ("银行退回原因", 40)],
                    [[r.file, int(r.row), i, r.programme, c, r.failure_reason or ""]
                     for r, i, c in zip(failed.itertuples(), ids, cards)],
                    empty="没有发放失败且卡号未更正的记录。")

        sheet = wb.add_worksheet("待复核")
        warn = findings[(findings["severity"] == "warning") & findings["rec"].isin(pay["rec"])]
        write_table(sheet, fmt, 0, [("文件", 28), ("行号", 7), ("姓名", 10), ("问题代码", 22), ("说明", 80)],
                    [[r.file, int(r.row), text_or_empty(r.name), r.code, r.message] for r in warn.itertuples()],
                    empty="本次发放的记录没有需要复核的警告。")
        file_rows = [[f.name, sha256(f)] for f in (files.result() if isinstance(files, Future) else files)]
        write_table(summary, fmt, files_at, [("银行文件", 26), ("SHA-256", 18)], file_rows,
                    empty="本次没有写出银行文件。")
        wb.close()
    return target


def _bulk_sheet(sheet, fmt, heads: list[tuple[str, int]], kinds: list, columns: list) -> None:
    """A sheet of a row per payment: its header, the rows through the bulk path (core.xlsx), a filter.
    The `columns` are let go on return (the sheet keeps its own): a term's 500,000 payments are
    written beside the ledger's work, and two copies of them would meet its peak."""
    for j, (h, width) in enumerate(heads):
        sheet.set_column(j, j, width)
        sheet.write_string(0, j, h, fmt["head"])
    end = sheet.bulk_table(1, kinds, {j: pd.Series(v).reset_index(drop=True) for j, v in enumerate(columns)})
    sheet.autofilter(0, 0, end - 1, len(heads) - 1)
