#!/usr/bin/env python3
"""Write the sample filled-in inspection workbook (抽查核对表), for `aidctl inspect record`.

The sample cycle is run on a temporary copy of this workspace: disburse the 2011-autumn rosters,
reconcile the bank's result file (38 paid, 2 failed), then `inspect sample --seed 2011
--per-school 3`. The payment ids, and so the draw and its sample id, are the same on every run and
on every machine that runs the same cycle, which is what the README example relies on.

The sign-off workbook of 第一职业中学 is then filled in as an inspector would, in Excel:
  序号1  本人在校 是, 资助卡由本人持有 是, 实收 750.00: agrees with the ledger
  序号2  本人在校 否 (transferred out, not seen): a discrepancy, absent
  序号3  本人在校 是, 卡 是, 实收 700.00 against 750.00 in the ledger: a discrepancy, amount differs
and signed by the inspector 李明 and the school head 王建国, 2011-11-16. Deterministic: fixed sample time, workbook timestamps and zip entry
times, so running it twice gives byte-identical files.
"""

from __future__ import annotations

import io
import re
import shutil
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl

from aidctl.core.terms import Term
from aidctl.oversight import draw_sample as sample
from aidctl.pay import disburse, reconcile
from aidctl.read import Workspace

HERE = Path(__file__).resolve().parent
TERM = "2011-autumn"
SCHOOL = "第一职业中学"
SAMPLED_AT = datetime(2011, 11, 14, 9, 0, 0)
ZIP_TIME = (2011, 11, 16, 17, 0, 0)
# 序号 → 本人在校, 资助卡由本人持有, 实收金额, 情况说明
RESULTS = {1: ("是", "是", 750, None),
           2: ("否", None, None, "该生10月已转学，检查时本人不在校"),
           3: ("是", "是", 700, "学生称班主任代扣班费50元")}
TARGET = HERE / "inspection" / f"{SCHOOL}_{TERM}_资助资金抽查核对表_已填.xlsx"


def main() -> Path:
    term = Term.parse(TERM)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "samples"
        shutil.copytree(HERE, root, ignore=shutil.ignore_patterns("out", "aidctl.db", ".aidctl.lock",
                                                                  "__pycache__", "inspection"))
        ws = Workspace(root)
        disburse(ws, term, operator="资助中心")
        reconcile(ws, term, root / "bank" / f"回盘_工商银行_{TERM}.txt")
        drawn = sample(ws, term, per_school=3, seed=2011, now=SAMPLED_AT, operator="资助中心检查组")
        fill(drawn.files[SCHOOL], TARGET)
    return TARGET


def fill(source: Path, target: Path) -> Path:
    wb = openpyxl.load_workbook(source)
    sheet = wb.worksheets[0]
    for row in sheet.iter_rows(min_row=4):
        position = row[0].value
        if isinstance(position, int) and position in RESULTS:
            for cell, value in zip(row[7:11], RESULTS[position]):
                cell.value = value
        if row[0].value == "检查人签字：":
            sheet.cell(row=row[0].row, column=3).value = "李明"
            sheet.cell(row=row[0].row, column=7).value = "王建国"
            sheet.cell(row=row[0].row, column=10).value = "2011-11-16"
    wb.properties.creator = wb.properties.lastModifiedBy = "资助中心检查组"
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    target.parent.mkdir(parents=True, exist_ok=True)
    stamp = "2011-11-16T17:00:00Z"
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():  # fixed entry times and document dates: the same file on every run
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = data.decode("utf-8")
                for tag in ("dcterms:created", "dcterms:modified"):
                    text = re.sub(rf"(<{tag}[^>]*>)[^<]*(</{tag}>)", rf"\g<1>{stamp}\g<2>", text)
                data = text.encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, data)
    return target


if __name__ == "__main__":
    print(main())
