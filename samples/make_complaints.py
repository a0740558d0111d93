"""Write the sample complaint register: the centre's 2011 投诉登记台账, as a clerk keeps it.

Laid out as offices keep it: a merged title, a 填报单位 line, headers in the clerk's words (受理时间,
涉及县区, 被投诉学校, 投诉类别, 办结时间 …), dates as date cells or typed as text, a signature row.
With the packaged deadline of 15 working days (rules/assessment.yaml):
- rows 1–3 and 6 are closed on time;
- row 4 is closed late across 国庆: accepted 2011-09-20, its 15th working day is 2011-10-14
  (1–7 October are holidays, Saturday 8 and Sunday 9 October are 调休 working days), closed 2011-10-17;
- row 5 is still open and overdue at 2011-12-31 (accepted 2011-11-21, deadline 2011-12-12);
- row 7 is still open within its deadline at 2011-12-31 (accepted 2011-12-22);
- row 6 names a county office and no school (西山县, which has no payments in the sample ledger);
- row 8 was accepted in 2010: not counted for 2011.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font

HERE = Path(__file__).resolve().parent
D = datetime
# 受理编号, 受理时间, 涉及县区, 被投诉学校, 投诉类别, 投诉人, 联系电话, 投诉内容, 办结时间, 处理结果
ROWS = [
    ("TS2011-001", D(2011, 3, 14), "城关区", "第一职业中学", "资金发放", "王某", "13800000001",
     "春季学期助学金未到账", D(2011, 3, 25), "已核实，银行卡号错误，更正后补发"),
    ("TS2011-002", "2011年5月9日", "东河县", "实验中学", "资格认定", "李某", "13800000002",
     "家庭经济困难未被认定", "2011年5月20日", "已复核，认定程序符合规定，已答复"),
    ("TS2011-003", D(2011, 9, 5), "城关区", "城关职业技术学校", "资金发放", "赵某", "13800000003",
     "学校代领资助卡", D(2011, 9, 16), "已责令学校将资助卡交还学生本人"),
    ("TS2011-004", D(2011, 9, 20), "城关区", "第一中学", "资助标准", "钱某", "13800000004",
     "助学金金额与公示标准不符", D(2011, 10, 17), "已核实，按标准补足差额"),
    ("TS2011-005", "2011/11/21", "东河县", "东河县职业高级中学", "公示", "孙某", "13800000005",
     "公示名单张贴不足五个工作日", None, None),
    ("TS2011-006", D(2011, 6, 13), "西山县", None, "政策咨询", "周某", "13800000006",
     "县资助中心未答复贷款咨询", D(2011, 6, 24), "已答复"),
    ("TS2011-007", D(2011, 12, 22), "城关区", "第一职业中学", "资金发放", "吴某", "13800000007",
     "秋季学期助学金到账时间", None, None),
    ("TS2010-031", D(2010, 12, 6), "城关区", "第一中学", "资格认定", "郑某", "13800000008",
     "（2010年受理）", D(2010, 12, 15), "已答复"),
]


def main() -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "投诉登记"
    ws.append(["2011年度学生资助投诉举报登记台账"])
    ws.merge_cells("A1:K1")
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(["填报单位：市学生资助管理中心", None, None, None, None, None, None, None, "监督电话：0000-12345678"])
    ws.append(["序号", "受理编号", "受理时间", "涉及县区", "被投诉学校", "投诉类别", "投诉人", "联系电话", "投诉内容",
               "办结时间", "处理结果"])
    for i, row in enumerate(ROWS, start=1):
        ws.append([i, *row])
        for col in (3, 10):
            cell = ws.cell(ws.max_row, col)
            if isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd"
    ws.append(["制表人：刘芳        审核人：陈军        填报日期：2012年1月6日"])
    wb.properties.created = wb.properties.modified = datetime(2012, 1, 6, 9, 0)
    target = HERE / "complaints" / "2011年度学生资助投诉登记台账.xlsx"
    target.parent.mkdir(exist_ok=True)
    wb.save(target)
    return target


if __name__ == "__main__":
    print(main())
