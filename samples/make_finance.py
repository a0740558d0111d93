"""Write the sample finance sheet: each school's 事业收入 and the aid money it set aside in 2011.

Laid out as a finance office sends it: a merged title, a 填报单位 line, 事业收入 in 万元 beside the
other figures in 元, school types written several ways (schools.xlsx decides), a 合计 row and a
signature row. Six schools: two comply, one extracts too little, one deposits less than it
extracted, one extracts above the 普高 ceiling, one keeps most of its deposit unspent.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font

HERE = Path(__file__).resolve().parent
# 学校代码, 学校名称, 学校类型 as written, 所属县区, 事业收入（万元）, 提取, 划入专户, 发放 (元)
SCHOOLS = [
    ("3101", "第一职业中学", "中等职业学校", "城关区", "2000", 1_000_000, 1_000_000, 950_000),      # complies (5%)
    ("3102", "城关职业技术学校", "职高", "城关区", "800", 300_000, 300_000, 280_000),            # under: 5% is 400,000
    ("3201", "第一中学", "普通高中", "城关区", "3000", 1_200_000, 1_000_000, 980_000),          # 4%, but 200,000 not deposited
    ("3202", "实验中学", "普高", "东河县", "1500", 800_000, 800_000, 790_000),                  # over: 5.33% > 5%
    ("3301", "东河县职业高级中学", "中职", "东河县", "1200", 600_000, 600_000, 100_000),         # complies, 83% unspent
    ("3401", "西山县第二中学", "高中", "西山县", "1000.5", 400_020, 400_020, 390_000),          # 4.00%, complies
]


def main() -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2011年度"
    ws.append(["2011年度学校事业收入及校内资助资金提取情况统计表"])
    ws.merge_cells("A1:I1")
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(["填报单位：市教育局计划财务科", None, None, None, None, None, "单位：见各列"])
    ws.append(["序号", "学校代码", "学校名称", "学校类型", "所属县区", "事业收入（万元）", "提取金额（元）",
               "划入专户金额（元）", "发放金额（元）"])
    for i, (code, name, kind, county, income, extracted, deposited, spent) in enumerate(SCHOOLS, start=1):
        ws.append([i, code, name, kind, county, float(income) if "." in income else int(income),
                   extracted, deposited, spent])
    last = ws.max_row
    ws.append(["合计", None, None, None, None, f"=SUM(F4:F{last})", f"=SUM(G4:G{last})",
               f"=SUM(H4:H{last})", f"=SUM(I4:I{last})"])
    ws.append(["制表人：张敏        审核人：李华        填报日期：2012年1月15日"])
    wb.properties.created = wb.properties.modified = datetime(2012, 1, 15, 9, 0)
    target = HERE / "finance" / "2011年度校内资助资金提取情况.xlsx"
    target.parent.mkdir(exist_ok=True)
    wb.save(target)
    return target


if __name__ == "__main__":
    print(main())
