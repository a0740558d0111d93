#!/usr/bin/env python3
"""Write the sample list of students who enlisted (应征入伍), for `aidctl enlist --year 2024`.

Laid out as the universities' returns are collated by the centre: a merged title, a 填报单位 line,
one row a student with the tuition actually paid in one column per year of study (第1学年学费 …,
in 元), the 国家助学贷款 received per year where the university gives it (第1学年贷款 …), the loan
outstanding with its interest (国家助学贷款本息), the bank card as text, then a 合计 row and a
signature row.

Deterministic: fixed names, IDs (area codes 420102–420107, 420111–420113, 420123, 420124), cards,
workbook timestamps and zip entry times, so running it twice gives byte-identical files.

The cases, by Excel row (the header is on row 3). Each year's amount is the higher of the tuition
paid and the loan received that year (with interest), at most the cap in force when the student
enlisted; the loan is repaid first:
  4  陈思远  本科 2020→2022   tuition 5850 a year, below the 2022 cap (12000): 2 years, 11700.00
  5  刘雨涵  本科 2021→2023年3月  tuition 13800 a year, above the cap (spring 2023: still 12000): 24000.00
  6  王志强  专科 2022→2024   本息 8000 with no loan by year (enlist.loan_not_by_year): 6500 + 6500 = 13000.00,
                            of which 8000.00 repays the loan, 5000.00 to the card; 2024 without a month, the
                            year the cap rose (enlist.month_unknown): 20000 cap
  7  赵磊    本科 2012→2014年9月  the 2014 cap (8000, 财教〔2014〕180号): 5000 + 5200 = 10200.00
  8  孙浩然  本科 2017→2021年3月  spring 2021, before 财教〔2021〕310号 applies: tuition 9800 capped at
                            8000 (not 12000), 4 years, 32000.00
  9  周婷    硕士研究生 2021→2023年9月  the 2023 研究生 cap 20000 (教财〔2023〕4号), tuition 18000 above the
                            loan of 6000 each year: 36000.00, the 12000 loan repaid first, 24000.00 to the card
 10  吴俊杰  专科 2019→2023年9月  graduated, then enlisted: 4 years studied, 专科 counts 3: 16500.00
 11  郑凯    本科 2021→2023年9月  第3学年学费 written but not counted (enlist.year_not_counted): 12400.00
 12  黄明    本科 2022→2024.03  第2学年学费 "已缴" (enlist.invalid): refused
 13  马文博  本科 2021→2023年9月  … and again on row 15 (enlist.duplicate): both refused
 14  何宇航  本科 2021→2024年9月  tuition 6000 a year, a loan of 8000 each year: the loan is the higher,
                            3 × 8000 = 24000.00, all of it repays the loan (not 18000 with 6000 left to repay)
 15  马文博  (the duplicate)
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.writer.excel import ExcelWriter

HERE = Path(__file__).resolve().parent
TARGET = HERE / "enlist" / "2024年应征入伍学生学费补偿申请表.xlsx"
CREATED = datetime(2024, 10, 21, 9, 30)
ZIP_TIME = (2024, 10, 21, 9, 30, 0)
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)

HEADERS = ["序号", "姓名", "性别", "身份证号码", "学校名称", "学历层次", "入学年份", "入伍时间",
           "第1学年学费（元）", "第2学年学费（元）", "第3学年学费（元）", "第4学年学费（元）",
           "第1学年贷款（元）", "第2学年贷款（元）", "第3学年贷款（元）", "国家助学贷款本息（元）", "银行卡号", "开户银行"]

# name, gender, area, birth, seq, school, level, enrolled, enlisted, tuition per year, loan per year,
# loan outstanding with interest (本息), card seed
STUDENTS = [
    ("陈思远", "男", "420102", "20020314", 31, "江城大学", "本科", 2020, 2022, [5850, 5850], [], None, 1),
    ("刘雨涵", "女", "420103", "20030708", 42, "江城大学", "本科", 2021, "2023年3月", [13800, 13800], [], None, 2),
    ("王志强", "男", "420104", "20031122", 53, "江城职业技术学院", "专科", 2022, 2024, [6500, 6500], [], 8000, 3),
    ("赵磊", "男", "420105", "19940905", 64, "江城理工大学", "本科", 2012, "2014年9月", [5000, 5200], [], None, 4),
    ("孙浩然", "男", "420106", "19990117", 75, "江城大学", "本科", 2017, "2021年3月",
     [9800, 9800, 9800, 9800], [], None, 5),
    ("周婷", "女", "420107", "19980630", 86, "江城师范学院", "硕士研究生", 2021, "2023年9月", [18000, 18000],
     [6000, 6000], 12000, 6),
    ("吴俊杰", "男", "420111", "20010402", 97, "江城职业技术学院", "专科", 2019, "2023年9月",
     [5500, 5500, 5500], [], None, 7),
    ("郑凯", "男", "420112", "20021219", 18, "江城理工大学", "本科", 2021, "2023年9月", [6200, 6200, 6200], [], None,
     8),
    ("黄明", "男", "420113", "20040225", 29, "江城大学", "本科", 2022, "2024.03", [5850, "已缴"], [], None, 9),
    ("马文博", "男", "420123", "20020811", 30, "江城师范学院", "本科", 2021, "2023年9月", [4800, 4800], [], None, 10),
    ("何宇航", "男", "420124", "20030101", 41, "江城大学", "本科", 2021, "2024年9月", [6000, 6000, 6000],
     [8000, 8000, 8000], 24000, 11),
]
DUPLICATE_OF = "马文博"  # typed twice, at the end of the list


def resident_id(area: str, birth: str, seq: int, male: bool) -> str:
    seq = seq - seq % 2 + (1 if male else 0)
    first17 = f"{area}{birth}{seq:03d}"
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


def card(seed: int) -> str:
    """A Luhn-valid 19-digit UnionPay debit card number (622202 …), from the seed alone."""
    body = "622202" + f"{(seed * 7_919_113_417) % 10**12:012d}"
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return body + str((10 - total % 10) % 10)


def rows() -> list[list]:
    out = []
    for name, gender, area, birth, seq, school, level, enrolled, enlisted, tuition, loans, owed, seed in STUDENTS:
        fees = [*tuition, *[None] * (4 - len(tuition))]
        by_year = [*loans, *[None] * (3 - len(loans))]
        out.append([name, gender, resident_id(area, birth, seq, gender == "男"), school, level, enrolled, enlisted,
                    *fees, *by_year, owed, card(seed), "工商银行"])
    out.append(list(next(r for r in out if r[0] == DUPLICATE_OF)))
    return out


def main(target: Path = TARGET) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "入伍学生名单"
    ws.append(["2024年应征入伍高校学生学费补偿国家助学贷款代偿申请汇总表"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(["填报单位：市学生资助管理中心（汇总各高校报送）", None, None, None, None, None, None, None, None, None,
               None, None, None, None, None, None, "金额单位：元"])
    ws.append(HEADERS)
    data = rows()
    for i, r in enumerate(data, start=1):
        ws.append([i, *r])
    last = ws.max_row
    ws.append(["合计", None, None, None, None, None, None, None,
               *[f"=SUM({c}4:{c}{last})" for c in "IJKLMNOP"]])
    ws.append(["制表人：李敏        审核人：王华        填报日期：2024年10月21日"])
    for col, width in zip("ABCDEFGHIJKLMNOPQR", (5, 8, 5, 21, 18, 11, 9, 12, 12, 12, 12, 12, 12, 12, 12, 14, 22,
                                                 10)):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=4, max_row=last):
        for cell in (row[3], row[16]):  # IDs and cards typed as text, as a careful clerk does
            cell.number_format = "@"
    wb.properties.creator = wb.properties.lastModifiedBy = "Administrator"
    wb.properties.created = wb.properties.modified = CREATED
    target.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED)).save()  # closes the archive
    buf.seek(0)
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():  # fixed entry times: the file is the same on every run
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, src.read(info.filename))
    return target


if __name__ == "__main__":
    print(main())
