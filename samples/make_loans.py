#!/usr/bin/env python3
"""Generate the sample 生源地信用助学贷款 files for `aidctl loans`.

Writes, into samples/loans/:

    生源地信用助学贷款台账.xlsx        the register as the development bank's system exports it,
                                      data as of 2025-01-10 (one row a contract, one contract a year)
    2024年度贷款申请受理清单.xlsx      the county offices' application list for loan year 2024
    planted.json, PLANTED.md          the problems planted on purpose, with their Excel rows

Deterministic: a fixed seed, no use of the current date, fixed workbook and zip timestamps, so
running it twice gives byte-identical files. IDs are valid (GB 11643) and use the sample area codes
420102–420107, 420111–420113, 420123 and 420124; counties are those of samples/schools.xlsx.
"""

from __future__ import annotations

import json
import random
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sample scripts share one writer
from make_samples import new_workbook  # noqa: E402
from make_samples import save as save_workbook  # noqa: E402

OUT = Path(__file__).parent / "loans"
SEED = 20250110
EXPORTED = date(2025, 1, 10)
ZIP_TIME = (2025, 1, 10, 9, 0, 0)
DUE_DAY = (12, 20)                      # 生源地 loans fall due each year by 20 December

COUNTIES = {"城关区": ["420102", "420103", "420104", "420105"],
            "东河县": ["420106", "420107", "420111", "420112"],
            "西山县": ["420113", "420123", "420124"]}
TOWNS = {"城关区": ["解放街道", "新华街道", "滨江街道", "东门街道"],
         "东河县": ["河口镇", "柳林镇", "白沙乡", "龙泉镇"],
         "西山县": ["西坪镇", "石门乡", "桃花镇", "青山乡"]}
VILLAGES = ["红星村", "新建村", "杨湾村", "李家村", "团结村", "幸福社区", "胜利社区", "河东村"]
UNDERGRAD = ["武汉大学", "华中科技大学", "华中师范大学", "武汉理工大学", "湖北大学", "湖北工业大学",
             "中南财经政法大学", "武汉纺织大学", "江汉大学"]
VOCATIONAL = ["武汉职业技术学院", "长江职业学院", "湖北交通职业技术学院", "武汉船舶职业技术学院"]
GRADUATE = ["武汉大学", "华中科技大学", "华中师范大学", "武汉理工大学"]
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎")
MALE = ["伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超", "浩然", "子轩", "宇航", "俊杰", "文博", "志强", "建华", "思远"]
FEMALE = ["芳", "娜", "敏", "静", "丽", "艳", "婷", "雪", "欣怡", "梓涵", "诗雨", "佳怡", "雨萱", "晓燕", "玉兰", "思琪"]
PARENT_M = ["国华", "建国", "德明", "长青", "红兵", "永福", "志刚", "金山"]
PARENT_F = ["秀英", "桂兰", "玉梅", "春华", "小红", "淑芬", "翠兰", "美华"]
W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)

HEADERS = ["序号", "合同编号", "借款人姓名", "身份证号", "学校", "学历层次", "贷款年度", "贷款金额（元）", "发放日期",
           "预计毕业年份", "还款状态", "应还日期", "应还本金", "应还利息", "实还金额", "逾期天数", "所属县区",
           "联系电话", "共同借款人", "共同借款人电话", "家庭住址"]


def cap(level: str, year: int) -> int:
    """The cap the register is generated within (rules/loans.yaml holds the real ones)."""
    if year >= 2024:
        return 20000 if level == "本专科" else 25000
    if year >= 2021:
        return 12000 if level == "本专科" else 16000
    return 8000 if level == "本专科" else 12000


def check_char(first17: str) -> str:
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, W)) % 11]


@dataclass
class Contract:
    year: int
    amount: object                       # int, or text for a planted bad amount
    disbursed: date
    status: str = "在读"
    due_date: str | None = None
    principal_due: int = 0
    interest_due: int = 0
    repaid: int = 0
    days: int = 0
    no: str = ""
    plant: list[tuple[str, str, str]] = field(default_factory=list)   # (code, column, why)
    graduation: int | None = None        # overrides the borrower's (planted)
    level: str | None = None             # overrides the borrower's level as written (planted)


@dataclass
class Borrower:
    name: str
    rid: str
    male: bool
    county: str
    level: str
    school: str
    enrolled: int
    graduation: int
    phone: str
    parent: str
    parent_phone: str
    address: str
    contracts: list[Contract] = field(default_factory=list)
    id_cell: object = None               # what the register holds for the ID (planted variants)
    name_cell: object = None
    overdue: dict | None = None          # expected in the 催收 list at EXPORTED


class Gen:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.names: set[str] = set()
        self.ids: set[str] = set()
        self.serial = 0

    def person(self, male: bool) -> str:
        while True:
            n = self.rng.choice(SURNAMES) + self.rng.choice(MALE if male else FEMALE)
            if n not in self.names:
                self.names.add(n)
                return n

    def rid(self, area: str, birth: date, male: bool) -> str:
        while True:
            seq = self.rng.randint(0, 99) * 10 + self.rng.choice((1, 3, 5, 7, 9) if male else (0, 2, 4, 6, 8))
            body = f"{area}{birth:%Y%m%d}{seq:03d}"
            rid = body + check_char(body)
            if rid not in self.ids:
                self.ids.add(rid)
                return rid

    def phone(self) -> str:
        return self.rng.choice(["13", "15", "17", "18", "19"]) + "".join(str(self.rng.randint(0, 9)) for _ in range(9))

    def borrower(self, county: str | None = None, level: str | None = None, enrolled: int | None = None,
                 length: int | None = None) -> Borrower:
        rng = self.rng
        county = county or rng.choice(list(COUNTIES))
        level = level or ("研究生" if rng.random() < 0.15 else "本专科")
        if level == "研究生":
            length = length or 3
            school = rng.choice(GRADUATE)
            enrolled = enrolled or rng.randint(2018, 2024)
            age = 22
        else:
            length = length or rng.choice((3, 4, 4, 4))
            school = rng.choice(VOCATIONAL if length == 3 else UNDERGRAD)
            enrolled = enrolled or rng.randint(2016, 2024)
            age = 18
        male = rng.random() < 0.5
        birth = date.fromordinal(rng.randint(date(enrolled - age - 1, 9, 1).toordinal(),
                                             date(enrolled - age, 8, 31).toordinal()))
        rid = self.rid(rng.choice(COUNTIES[county]), birth, male)
        surname_parent = rng.choice(SURNAMES)
        parent = surname_parent + rng.choice(PARENT_M if rng.random() < 0.5 else PARENT_F)
        address = f"{county}{rng.choice(TOWNS[county])}{rng.choice(VILLAGES)}{rng.randint(1, 12)}组{rng.randint(1, 60)}号"
        return Borrower(self.person(male), rid, male, county, level, school, enrolled, enrolled + length,
                        self.phone(), parent, self.phone(), address)

    def loans(self, b: Borrower, years: list[int] | None = None) -> None:
        """One contract a year of study up to 2024, within the caps, with the repayment picture."""
        rng = self.rng
        years = years or list(range(b.enrolled, min(b.graduation, 2025)))
        for y in years:
            top = cap(b.level, y)
            amount = rng.choice([top, top, top - 2000, top - 4000])
            disbursed = date.fromordinal(rng.randint(date(y, 10, 10).toordinal(), date(y, 11, 25).toordinal()))
            b.contracts.append(Contract(y, amount, disbursed))
        self.repayment(b)

    def repayment(self, b: Borrower, settled: bool = False) -> None:
        """As of EXPORTED: in study, or in the 3-year grace period (interest only), or repaying."""
        for c in b.contracts:
            if b.graduation > 2024:
                continue
            n_due = 2024 - b.graduation + 1              # due dates passed: 20 Dec of G … 2024
            c.interest_due = round(c.amount * 0.04 * n_due)
            c.principal_due = c.amount * max(0, n_due - 3) // 8
            c.status = "宽限期" if n_due <= 3 else "还款期"
            c.due_date = "2024-12-20"
            if settled:
                c.status, c.principal_due = "已结清", c.amount
            c.repaid = c.principal_due + c.interest_due


def make() -> tuple[list[Borrower], Gen]:
    gen = Gen(SEED)
    people: list[Borrower] = []
    for _ in range(34):
        b = gen.borrower()
        gen.loans(b)
        people.append(b)
    # two who paid off early
    for county in ("城关区", "东河县"):
        b = gen.borrower(county, "本专科", 2016, 4)
        gen.loans(b)
        gen.repayment(b, settled=True)
        people.append(b)

    # --- overdue at 2025-01-10 -------------------------------------------------------------------
    b = gen.borrower("城关区", "本专科", 2016, 4)              # repaying since 2023, nothing paid since 2023
    gen.loans(b)
    for c in b.contracts:
        c.status = "逾期"
        last_two = c.amount // 8 * 2 + round(c.amount * 0.04 * 2)
        c.repaid -= last_two
        c.due_date, c.days = "2023-12-20", (EXPORTED - date(2023, 12, 20)).days
    b.overdue = {"days": 387, "why": "nothing paid on the 2023 and 2024 instalments: due 2023-12-20"}
    people.append(b)
    b = gen.borrower("东河县", "本专科", 2019, 3)              # grace period, 2024 interest unpaid
    gen.loans(b)
    for c in b.contracts:
        c.status, c.days = "逾期", 21
        c.repaid -= round(c.amount * 0.04)
    b.overdue = {"days": 21, "why": "2024 interest unpaid: due 2024-12-20"}
    people.append(b)
    b = gen.borrower("西山县", "研究生", 2018, 3)              # repaying, 2024 instalment half paid
    gen.loans(b)
    for c in b.contracts:
        c.status, c.days = "逾期", 21
        c.repaid -= (c.amount // 8 + round(c.amount * 0.04)) // 2
    b.overdue = {"days": 21, "why": "2024 instalment half paid: due 2024-12-20"}
    people.append(b)
    b = gen.borrower("西山县", "本专科", 2016, 3)              # the export has no due date: 逾期天数 as exported
    gen.loans(b)
    for c in b.contracts:
        c.status, c.due_date, c.days = "逾期", None, 45
        c.repaid -= c.amount // 8
    b.overdue = {"days": 45, "why": "应还日期 blank: the bank's 逾期天数 (45) as exported"}
    people.append(b)
    b = gen.borrower("城关区", "本专科", 2017, 4)              # one of two contracts in arrears
    gen.loans(b)
    c = b.contracts[-1]
    c.status, c.days = "逾期", 21
    c.repaid -= round(c.amount * 0.04) + c.amount // 8
    b.overdue = {"days": 21, "why": "the last contract's 2024 instalment unpaid: due 2024-12-20"}
    people.append(b)
    b = gen.borrower("东河县", "本专科", 2017, 4)              # arrears, but 代偿 (enlisted): not overdue
    gen.loans(b)
    for c in b.contracts:
        c.status = "已代偿"
        c.repaid -= round(c.amount * 0.04)
    people.append(b)

    # --- planted register problems ---------------------------------------------------------------
    b = gen.borrower("城关区", "本专科", 2023, 4)
    gen.loans(b)
    good = b.rid
    b.id_cell = good[:17] + ("0" if good[17] != "0" else "1")
    b.contracts[0].plant.append(("id.checksum", "身份证号", f"check character typed wrong (true ID {good})"))
    b.contracts[1].plant.append(("id.checksum", "身份证号", "same wrong ID on the borrower's second contract"))
    people.append(b)
    b = gen.borrower("东河县", "本专科", 2024, 4)
    gen.loans(b)
    b.id_cell = int(b.rid[:15] + "000")      # typed as a number: Excel kept 15 digits
    b.contracts[0].plant.append(("id.precision_lost", "身份证号", f"ID stored as a number (true ID {b.rid})"))
    people.append(b)
    b = gen.borrower("西山县", "本专科", 2022, 3)
    gen.loans(b)
    b.name_cell = ""
    b.contracts[1].plant.append(("name.missing", "借款人姓名", f"借款人姓名 left blank (the borrower is {b.name})"))
    people.append(b)
    b = gen.borrower("城关区", "本专科", 2017, 4)
    gen.loans(b)
    over = next(c for c in b.contracts if c.year == 2020)
    over.amount = 9000
    gen.repayment(b)
    over.plant.append(("loan.over_cap", "贷款金额（元）", "2020: 本专科 cap 8000, lent 9000"))
    people.append(b)
    b = gen.borrower("东河县", "本专科", 2021, 4)
    gen.loans(b)
    over = next(c for c in b.contracts if c.year == 2022)
    over.amount = 13000
    over.plant.append(("loan.over_cap", "贷款金额（元）", "2022: 本专科 cap 12000, lent 13000"))
    people.append(b)
    b = gen.borrower("西山县", "研究生", 2024, 3)
    gen.loans(b)
    b.contracts[0].amount = 26000
    b.contracts[0].plant.append(("loan.over_cap", "贷款金额（元）", "2024: 研究生 cap 25000 (财教〔2024〕188号), lent 26000"))
    people.append(b)
    b = gen.borrower("城关区", "本专科", 2021, 4)
    gen.loans(b)
    c2023 = next(c for c in b.contracts if c.year == 2023)
    twin = Contract(2023, 6000, date(2023, 11, 28))
    c2023.amount = 6000
    c2023.plant.append(("loan.duplicate_contract", "合同编号", "two contracts for 2023 (the other is below)"))
    twin.plant.append(("loan.duplicate_contract", "合同编号", "second 2023 contract of the same borrower"))
    b.contracts.append(twin)
    people.append(b)
    b = gen.borrower("东河县", "本专科", 2024, 4)
    gen.loans(b)
    b.contracts[0].graduation = 2031
    b.contracts[0].plant.append(("loan.graduation_year", "预计毕业年份", "本专科 2024 loan, graduation 2031: 7 years"))
    people.append(b)
    b = gen.borrower("西山县", "研究生", 2023, 3)
    gen.loans(b)
    b.contracts[0].graduation = 2023
    b.contracts[0].plant.append(("loan.graduation_year", "预计毕业年份", "研究生 2023 loan, graduation 2023: 0 years"))
    people.append(b)
    b = gen.borrower("城关区", "本专科", 2024, 4)
    gen.loans(b)
    b.contracts[0].amount = "待核实"
    b.contracts[0].plant.append(("loan.invalid", "贷款金额（元）", "amount typed as 待核实"))
    people.append(b)
    b = gen.borrower("东河县", "本专科", 2024, 3)
    gen.loans(b)
    b.contracts[0].level = "中职"
    b.contracts[0].plant.append(("loan.invalid", "学历层次", "学历层次 中职: not a level 生源地 loans serve"))
    people.append(b)
    return people, gen


def rows_of(people: list[Borrower]) -> list[tuple[Borrower, Contract]]:
    pairs = [(b, c) for b in people for c in b.contracts]
    order = {c: i for i, c in enumerate(COUNTIES)}
    pairs.sort(key=lambda p: (order[p[0].county], p[1].year, p[1].disbursed, p[0].rid))
    serial = {}
    for b, c in pairs:
        area = b.rid[:6]
        serial[(c.year, area)] = serial.get((c.year, area), 0) + 1
        c.no = f"SYD{c.year}{area}{serial[(c.year, area)]:04d}"
    return pairs


def save(wb: Workbook, path: Path) -> None:
    """The sample workspace's deterministic writer, with this file's zip timestamp."""
    save_workbook(wb, path, zip_time=ZIP_TIME)


def write_register(pairs: list[tuple[Borrower, Contract]]) -> tuple[list[dict], list[dict]]:
    wb = new_workbook(datetime(2025, 1, 10, 9, 0))
    ws = wb.active
    ws.title = "贷款台账"
    ws.append(["国家开发银行生源地信用助学贷款台账"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(["经办银行：国家开发银行湖北省分行", None, None, None, None, None, None, None, None, None,
               "数据截至：2025年1月10日"])
    ws.append(HEADERS)
    planted, overdue = [], {}
    total = 0
    for i, (b, c) in enumerate(pairs, start=1):
        row = 3 + i
        name = b.name_cell if b.name_cell is not None and c.plant and c.plant[0][0] == "name.missing" else b.name
        ident = b.id_cell if b.id_cell is not None else b.rid
        ws.append([i, c.no, name or None, ident, b.school, c.level or b.level, str(c.year), c.amount,
                   datetime(c.disbursed.year, c.disbursed.month, c.disbursed.day), c.graduation or b.graduation,
                   c.status, c.due_date, c.principal_due, c.interest_due, c.repaid, c.days, b.county, b.phone,
                   b.parent, b.parent_phone, b.address])
        ws.cell(row=row, column=9).number_format = "yyyy-mm-dd"
        if isinstance(ident, str):
            ws.cell(row=row, column=4).number_format = "@"
        if isinstance(c.amount, int):
            total += c.amount
        for code, column, why in c.plant:
            planted.append({"row": row, "column": column, "code": code, "name": b.name, "contract": c.no, "why": why})
        if b.overdue:
            o = overdue.setdefault(b.rid, {"name": b.name, "county": b.county, "days": b.overdue["days"],
                                           "amount": 0, "rows": [], "why": b.overdue["why"]})
            arrears = c.principal_due + c.interest_due - c.repaid
            if arrears > 0:
                o["amount"] += arrears
                o["rows"].append(row)
    ws.append(["合计", None, None, None, None, None, None, total])
    ws.append(["制表：城关支行 刘敏", None, None, None, None, None, None, None, None, None, "打印日期：2025-01-10"])
    for col, width in zip("ABCDEFGHIJKLMNOPQRSTU", (6, 22, 10, 21, 20, 9, 9, 13, 12, 12, 9, 12, 10, 10, 10, 9, 9,
                                                    13, 10, 13, 34)):
        ws.column_dimensions[col].width = width
    save(wb, OUT / "生源地信用助学贷款台账.xlsx")
    return planted, [{**o, "amount": f"{o['amount']}.00"} for o in overdue.values()]


def write_applications(people: list[Borrower], gen: Gen) -> dict:
    rng = gen.rng
    rows = []
    for b in people:
        if any(c.year == 2024 for c in b.contracts):
            rows.append((b.county, b.name, b.rid, "审核通过", None))
    reasons = ["非家庭经济困难学生", "已在就读高校办理校园地国家助学贷款", "申请材料不全，逾期未补交",
               "共同借款人不符合条件", "未被全日制普通高校录取"]
    for i, reason in enumerate(reasons):
        b = gen.borrower(list(COUNTIES)[i % 3], "本专科", 2024, 4)
        rows.append((b.county, b.name, b.rid, "不通过", reason))
    for i in range(2):
        b = gen.borrower(list(COUNTIES)[i], "本专科", 2024, 4)
        rows.append((b.county, b.name, b.rid, "待审核", None))
    order = {c: i for i, c in enumerate(COUNTIES)}
    rows.sort(key=lambda r: (order[r[0]], r[2]))
    wb = new_workbook(datetime(2024, 9, 30, 17, 0))
    ws = wb.active
    ws.title = "受理清单"
    ws.append(["2024年度生源地信用助学贷款申请受理及审核情况"])
    ws.merge_cells("A1:H1")
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["序号", "受理日期", "所属县区", "姓名", "身份证号", "贷款年度", "审核结果", "不通过原因"])
    counts: dict[str, dict[str, int]] = {}
    for i, (county, name, rid, result, reason) in enumerate(rows, start=1):
        accepted = date.fromordinal(rng.randint(date(2024, 7, 1).toordinal(), date(2024, 9, 20).toordinal()))
        ws.append([i, f"{accepted:%Y-%m-%d}", county, name, rid, "2024", result, reason])
        ws.cell(row=2 + i, column=5).number_format = "@"
        k = counts.setdefault(county, {"applications": 0, "approved": 0, "rejected": 0, "pending": 0})
        k["applications"] += 1
        k[{"审核通过": "approved", "不通过": "rejected", "待审核": "pending"}[result]] += 1
    ws.append(["合计", None, None, f"{len(rows)}人"])
    for col, width in zip("ABCDEFGH", (6, 12, 10, 10, 21, 9, 10, 30)):
        ws.column_dimensions[col].width = width
    save(wb, OUT / "2024年度贷款申请受理清单.xlsx")
    return counts


def write_planted(planted: list[dict], overdue: list[dict], applications: dict) -> None:
    doc = {"register": "生源地信用助学贷款台账.xlsx", "sheet": "贷款台账", "exported": str(EXPORTED),
           "findings": planted, "overdue": overdue, "applications_2024": applications}
    (OUT / "planted.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    lines = ["# Planted problems in the sample loan files", "",
             "Generated by `make_loans.py`; do not edit by hand. Rows are Excel rows of 生源地信用助学贷款台账.xlsx "
             "(sheet 贷款台账, header on row 3).", "",
             "## `aidctl loans check`", "", "| Row | Column | Code | Contract | Why |", "|---:|---|---|---|---|"]
    lines += [f"| {p['row']} | {p['column']} | `{p['code']}` | {p['contract']} | {p['why']} |" for p in planted]
    lines += ["", f"## `aidctl loans collect --as-of {EXPORTED}`", "",
              "| Borrower | County | Days overdue | Amount due | Rows | Why |", "|---|---|---:|---:|---|---|"]
    lines += [f"| {o['name']} | {o['county']} | {o['days']} | {o['amount']} | {', '.join(map(str, o['rows']))} | "
              f"{o['why']} |" for o in overdue]
    lines += ["", "A borrower in arrears whose contracts are 已代偿 (compensated after enlistment) is not overdue.",
              "", "## 2024 applications (`aidctl loans summary --year 2024 --applications …`)", "",
              "| County | Applications | Approved | Rejected | Pending |", "|---|---:|---:|---:|---:|"]
    lines += [f"| {c} | {k['applications']} | {k['approved']} | {k['rejected']} | {k['pending']} |"
              for c, k in applications.items()]
    (OUT / "PLANTED.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    people, gen = make()
    pairs = rows_of(people)
    planted, overdue = write_register(pairs)
    applications = write_applications(people, gen)
    write_planted(planted, overdue, applications)
    print(f"wrote {OUT}: {len(pairs)} contracts, {len(planted)} planted findings, {len(overdue)} overdue borrowers")


if __name__ == "__main__":
    main()
