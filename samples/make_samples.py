#!/usr/bin/env python3
"""Generate the aidctl sample workspace (term 2011-autumn).

Writes, into the folder this script lives in:

    aidctl.toml
    schools.xlsx
    intake/2011-autumn/<five school rosters>.xlsx
    registry/学籍2011秋.xlsx
    planted.json
    PLANTED.md

Everything is deterministic: a fixed random seed, no use of the current date,
fixed workbook created/modified timestamps and fixed zip entry timestamps, so
running the script twice produces byte-identical files.

planted.json and PLANTED.md are written from the same row objects that are
written into the workbooks, so the Excel row numbers cannot drift.
"""

from __future__ import annotations

import io
import json
import random
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter
from stdnum import luhn  # used only to double-check generated numbers
from stdnum.cn import ric

OUT = Path(__file__).parent
INTAKE = OUT / "intake" / "2011-autumn"
REGISTRY = OUT / "registry"

SEED = 20110901
TERM_START = date(2011, 9, 1)
ZIP_TIME = (2011, 10, 12, 9, 0, 0)

# --------------------------------------------------------------------------
# Identity numbers and bank cards
# --------------------------------------------------------------------------

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def id_check_char(first17: str) -> str:
    """GB 11643-1999 check character for the first 17 digits."""
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS)) % 11]


def luhn_check_digit(body: str) -> str:
    """Luhn check digit to append to ``body``."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:  # these positions get doubled once the check digit is appended
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def excel_rounded(digits: str) -> int:
    """What Excel keeps of a long number typed into a General/number cell:
    15 significant digits, the rest replaced by zeros."""
    n = int(digits)
    p = 10 ** (len(digits) - 15)
    return (n + p // 2) // p * p


FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

# Districts of the sample city: real 4201xx area codes that were in use for
# the birth years 1984-1996 (stdnum checks the code against the birth year).
URBAN_AREAS = ["420102", "420103", "420104", "420105", "420106", "420107", "420111"]
RURAL_AREAS = ["420112", "420113", "420123", "420124"]

# ICBC debit card BINs (19-digit cards); the bank profile is icbc-txt.
CARD_BINS = ["622202", "621226", "622208"]

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢熊金雷夏付汪方"
)
MALE_GIVEN = [
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "鹏", "浩", "亮", "俊",
    "志强", "建华", "文博", "宇航", "俊杰", "浩然", "家豪", "晨阳", "志远", "鑫", "凯", "博文",
    "思远", "振宇", "天宇", "明辉", "海涛", "少华", "国庆", "小龙", "子健", "健", "一鸣", "嘉伟",
    "立新", "文杰", "永康", "泽宇", "浩宇", "俊峰", "红军", "雄", "世杰", "德明", "雨辰",
]
FEMALE_GIVEN = [
    "芳", "娟", "敏", "静", "丽", "艳", "婷", "雪", "慧", "倩", "晓燕", "丹丹", "欣怡", "雨欣",
    "佳琪", "梦瑶", "思雨", "婷婷", "雅琪", "心怡", "文静", "梦婷", "玉洁", "晓丽", "春燕",
    "红梅", "小红", "秀英", "琳", "颖", "佳慧", "美玲", "海燕", "金凤", "雪梅", "晓琴", "露",
    "莉莉", "思琪", "紫涵", "月", "甜甜", "诗雨", "俊英", "桂香", "明月", "佳怡", "瑶", "萍",
]

# grade -> (cohort year, first possible birth date, last possible birth date)
# All ranges give ages 15-17 at TERM_START, well inside 中职 15-19 / 普高 15-18.
GRADE_BIRTHS = {
    1: (2011, date(1995, 9, 10), date(1996, 7, 31)),
    2: (2010, date(1994, 9, 10), date(1995, 7, 31)),
    3: (2009, date(1993, 9, 10), date(1994, 7, 31)),
}


@dataclass
class Student:
    name: str
    male: bool
    birth: date
    area: str
    rid: str  # the true 18-digit ID, as the registry has it
    card: str  # the true card number
    grade: int  # 1, 2, 3
    cohort: int
    rural: bool

    @property
    def gender(self) -> str:
        return "男" if self.male else "女"


class Gen:
    """Deterministic generator of people, IDs and cards."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.names: set[str] = set()
        self.ids: set[str] = set()
        self.cards: set[str] = set()

    def name(self, male: bool, surname: str | None = None) -> str:
        while True:
            s = surname or self.rng.choice(SURNAMES)
            g = self.rng.choice(MALE_GIVEN if male else FEMALE_GIVEN)
            if s + g not in self.names:
                self.names.add(s + g)
                return s + g

    def birth_between(self, lo: date, hi: date) -> date:
        return date.fromordinal(self.rng.randint(lo.toordinal(), hi.toordinal()))

    def rid(self, area: str, birth: date, male: bool, check: str = "digit") -> str:
        """18-digit ID. check: "digit" (0-9), "X", or "any"."""
        while True:
            seq = self.rng.randint(0, 99) * 10 + self.rng.choice(
                (1, 3, 5, 7, 9) if male else (0, 2, 4, 6, 8)
            )
            body = f"{area}{birth:%Y%m%d}{seq:03d}"
            rid = body + id_check_char(body)
            if rid in self.ids:
                continue
            if check == "X" and rid[-1] != "X":
                continue
            if check == "digit" and rid[-1] == "X":
                continue
            assert ric.is_valid(rid), rid
            self.ids.add(rid)
            return rid

    def card(self, bin_: str | None = None) -> str:
        while True:
            body = (bin_ or self.rng.choice(CARD_BINS)) + "".join(
                str(self.rng.randint(0, 9)) for _ in range(12)
            )
            card = body + luhn_check_digit(body)
            assert luhn.is_valid(card), card
            if card not in self.cards:
                self.cards.add(card)
                return card

    def student(
        self,
        grade: int,
        male: bool | None = None,
        rural: bool = True,
        surname: str | None = None,
        check: str = "digit",
        birth: date | None = None,
        area: str | None = None,
    ) -> Student:
        if male is None:
            male = self.rng.random() < 0.5
        cohort, lo, hi = GRADE_BIRTHS[grade]
        birth = birth or self.birth_between(lo, hi)
        area = area or self.rng.choice(RURAL_AREAS if rural else URBAN_AREAS)
        return Student(
            name=self.name(male, surname),
            male=male,
            birth=birth,
            area=area,
            rid=self.rid(area, birth, male, check),
            card=self.card(),
            grade=grade,
            cohort=cohort,
            rural=rural,
        )


# --------------------------------------------------------------------------
# Roster model
# --------------------------------------------------------------------------

WARNINGS = {"id.legacy", "gender.mismatch", "age.out_of_range", "card.luhn", "card.shared"}


@dataclass
class Plant:
    code: str
    column: str | None  # header as written in the file, or None
    why: str
    registry: bool = False


@dataclass
class Row:
    values: dict[str, object]
    student: Student | None = None
    plants: list[Plant] = field(default_factory=list)
    formats: dict[str, str] = field(default_factory=dict)  # header -> number format
    # registry entry for this student: None = use the student as is
    registry_name: str | None = None
    registry_status: str = "在籍"
    in_registry: bool = True
    school: str = ""
    xjh: str = ""  # 学籍号


@dataclass
class Layout:
    """Where a roster's pieces go in its sheet. Row numbers are Excel rows."""

    file: str
    sheet: str
    headers: list[str]
    header_row: int
    top: list[tuple[int, str, bool]]  # (row, text, merged across the table)
    # body: list of Row or ("blank",) or ("sum", label, header->value)
    body: list
    footer: list[tuple[int, str]]  # (row offset after the body, text in column A)
    text_cols: list[str]
    extra_sheets_before: list[tuple[str, list[str]]] = field(default_factory=list)
    extra_sheets_after: list[str] = field(default_factory=list)
    widths: dict[str, float] = field(default_factory=dict)
    harmless: list[str] = field(default_factory=list)
    row_notes: list[tuple[Row, str]] = field(default_factory=list)  # harmless noise on data rows
    created: datetime = datetime(2011, 10, 8, 9, 0, 0)


MAJORS = [
    ("计算机应用", "计算机"),
    ("数控技术应用", "数控"),
    ("会计", "会计"),
    ("汽车运用与维修", "汽修"),
    ("电子技术应用", "电子"),
]
GRADE_CN = {1: "一年级", 2: "二年级", 3: "三年级"}
GRADE_HS = {1: "高一", 2: "高二", 3: "高三"}
TIER_AMOUNT = {1: 1000, 2: 750, 3: 500}
TIER_STD = {1: "一档", 2: "二档", 3: "三档"}
TIER_SYX = {1: "特别困难", 2: "困难", 3: "一般困难"}


class XjhCounter:
    """Local 学籍号: school code + cohort year + 4-digit sequence."""

    def __init__(self) -> None:
        self.next: dict[tuple[str, int], int] = {}

    def __call__(self, school_code: str, cohort: int) -> str:
        key = (school_code, cohort)
        n = self.next.get(key, 1)
        self.next[key] = n + 1
        return f"{school_code}{cohort}{n:04d}"


# --------------------------------------------------------------------------
# Schools
# --------------------------------------------------------------------------

SCHOOLS = [
    # 学校代码, 学校名称, 学校类型, 所属县区, 办学性质, 在校生人数
    ("3101", "第一职业中学", "中等职业学校", "城关区", "公办", 1850),
    ("3102", "城关职业技术学校", "中职", "城关区", "民办", 920),
    ("3201", "第一中学", "普通高中", "城关区", "公办", 2400),
    ("3202", "实验中学", "普高", "东河县", "公办", 1600),
    ("3301", "东河县职业高级中学", "职高", "东河县", "公办", 1100),
    ("3401", "西山县第二中学", "普通高中", "西山县", "公办", 1300),
]
SCHOOL_CODE = {s[1]: s[0] for s in SCHOOLS}


# --------------------------------------------------------------------------
# The five rosters
# --------------------------------------------------------------------------


def roster1(gen: Gen, xjh: XjhCounter, shared: dict) -> Layout:
    """第一职业中学 (中职): title rows, header on row 3, no 资助项目 column."""
    school = "第一职业中学"
    H = ["序号", "姓名", "性别", "身份证号码", "年级", "专业", "班级", "户口性质",
         "学籍状态", "资助金额（元）", "银行卡号", "开户银行", "备注"]
    ID, CARD, AMT = "身份证号码", "银行卡号", "资助金额（元）"
    banks = ["中国工商银行", "工商银行", "工行城关支行"]
    rng = gen.rng

    def row(st: Student, major_i: int | None = None, **over) -> Row:
        major, abbr = MAJORS[major_i if major_i is not None else rng.randrange(len(MAJORS))]
        v = {
            "姓名": st.name, "性别": st.gender, ID: st.rid, "年级": GRADE_CN[st.grade],
            "专业": major, "班级": f"{st.cohort % 100:02d}{abbr}{rng.randint(1, 3)}班",
            "户口性质": "农村" if st.rural else "县镇非农",
            "学籍状态": "在籍", AMT: 750, CARD: st.card,
            "开户银行": rng.choice(banks), "备注": None,
        }
        v.update(over)
        return Row(values=v, student=st, school=school)

    rows: list[Row] = []
    harmless: list[str] = []

    s = gen.student(1)
    r = row(s, **{ID: " " + s.rid})
    rows.append(r)
    harmless_ids = [(r, "身份证号码 typed with a leading space")]

    rows.append(row(gen.student(2, rural=False), 备注="住校"))

    s = gen.student(1)
    bad = s.rid[:17] + ("0" if s.rid[17] != "0" else "1")
    r = row(s, **{ID: bad})
    r.plants.append(Plant("id.checksum", ID, f"check character typed as {bad[-1]}, should be {s.rid[-1]}"))
    rows.append(r)

    rows.append(row(gen.student(2)))

    # Siblings sharing the family's card.
    area = rng.choice(RURAL_AREAS)
    sib_a = gen.student(2, male=True, area=area)
    sur = sib_a.name[0]
    sib_b = gen.student(1, male=False, area=area, surname=sur)
    sib_b.card = sib_a.card
    r = row(sib_a, 0, 备注="与" + sib_b.name + "为兄妹")
    r.plants.append(Plant("card.shared", CARD, f"same card as {sib_b.name} (sister, see the other card.shared row)"))
    rows.append(r)

    s = gen.student(1)
    r = row(s, 学籍状态="退学")
    r.registry_status = "退学"
    r.plants.append(Plant("status.not_enrolled", "学籍状态", "学籍状态 退学: dropped out, not eligible"))
    rows.append(r)

    s = gen.student(2, check="X")
    r = row(s, **{ID: s.rid.lower()})
    rows.append(r)
    harmless_ids.append((r, "身份证号码 with a lower-case x check character"))

    s = gen.student(2)
    r = row(s, **{ID: excel_rounded(s.rid)})
    r.formats[ID] = "0"
    r.plants.append(Plant("id.precision_lost", ID,
                          f"ID stored as a number ({excel_rounded(s.rid)}); Excel kept 15 digits, true ID {s.rid}"))
    rows.append(r)

    s = gen.student(3)
    r = row(s)
    r.plants.append(Plant("eligibility.not_eligible", "年级", "三年级: 中职国家助学金 covers 一、二年级 only"))
    rows.append(r)

    r = row(sib_b, 0, 备注="与" + sib_a.name + "为兄妹")
    r.plants.append(Plant("card.shared", CARD, f"same card as {sib_a.name} (brother, see the other card.shared row)"))
    rows.append(r)

    rows.append(row(gen.student(1), 学籍状态="在校"))

    s = gen.student(2)
    r = row(s, **{AMT: 800})
    r.plants.append(Plant("amount.mismatch", AMT, "800 yuan; 中职国家助学金 is 750 per term"))
    rows.append(r)

    # The student who is also on the 东河县职业高级中学 roster.
    dup = gen.student(2)
    shared["dup_zz"] = dup
    r = row(dup)
    r.plants.append(Plant("id.duplicate", ID, f"{dup.name} {dup.rid} also on 东河县职业高级中学_2011年秋季.xlsx"))
    rows.append(r)

    rows.append(row(gen.student(1)))

    for i, r in enumerate(rows, 1):
        r.values["序号"] = i
    total = sum(r.values[AMT] for r in rows)
    body = rows + [("blank",), ("sum", "合计", {AMT: total})]
    harmless += [
        "row 1: merged title 第一职业中学2011年秋季学期中职国家助学金发放花名册 (programme taken from the title; no 资助项目 column)",
        "row 2: 填报单位/填报日期 line",
        "header on row 3",
        "a blank row after the data, then a 合计 row (合计 in 序号, sum in 资助金额（元）)",
        "signature row 制表人/审核人/校长签字 and a 注：本表一式三份 row below the 合计",
        "学籍状态 written 在籍 or 在校",
        "开户银行 spelled three ways (中国工商银行 / 工商银行 / 工行城关支行)",
        "备注 holds harmless notes (住校, 与…为兄妹)",
        "one 县镇非农 student (eligible)",
    ]
    return Layout(
        file="第一职业中学_2011秋_助学金.xlsx",
        sheet="Sheet1",
        headers=H,
        header_row=3,
        top=[(1, "第一职业中学2011年秋季学期中职国家助学金发放花名册", True),
             (2, "填报单位：第一职业中学    填报日期：2011年10月8日", False)],
        body=body,
        footer=[(1, "制表人：王芳        审核人：李强        校长签字："), (2, "注：本表一式三份")],
        text_cols=[ID, CARD],
        widths={ID: 22, CARD: 24, "班级": 12, "专业": 16, "开户银行": 14, "备注": 16},
        harmless=harmless,
        row_notes=harmless_ids,
        created=datetime(2011, 10, 8, 8, 30, 0),
    )


def roster2(gen: Gen, xjh: XjhCounter, shared: dict) -> Layout:
    """城关职业技术学校 (中职): instructions sheet first, roster on sheet 2011秋, amounts in 万元."""
    school = "城关职业技术学校"
    H = ["序号", "学生姓名", "性别", "公民身份号码", "学籍号", "年级", "所学专业", "户籍",
         "学籍状态", "资助项目", "金额（万元）", "卡号"]
    ID, CARD, AMT, NAME = "公民身份号码", "卡号", "金额（万元）", "学生姓名"
    rng = gen.rng
    rows: list[Row] = []
    notes: list[tuple[Row, str]] = []

    def row(st: Student, **over) -> Row:
        v = {
            NAME: st.name, "性别": st.gender, ID: st.rid,
            "学籍号": None,  # filled in below once the student's 学籍号 is known
            "年级": f"{st.cohort}级",
            "所学专业": rng.choice(["计算机应用", "电子商务", "服装设计与工艺", "旅游服务与管理", "学前教育"]),
            "户籍": "农村" if st.rural else "县镇非农",
            "学籍状态": rng.choice(["在籍", "在籍", "正常"]),
            "资助项目": "国家助学金", AMT: 0.075, CARD: st.card,
        }
        v.update(over)
        return Row(values=v, student=st, school=school)

    rows.append(row(gen.student(1)))

    s = gen.student(2)
    r = row(s, **{ID: f"{s.rid[:6]} {s.rid[6:14]} {s.rid[14:]}"})
    rows.append(r)
    notes.append((r, "公民身份号码 typed with spaces inside (6 8 4 grouping)"))

    s = gen.student(1)
    r = row(s, **{CARD: excel_rounded(s.card)})
    r.formats[CARD] = "0"
    r.plants.append(Plant("card.precision_lost", CARD,
                          f"card stored as a number ({excel_rounded(s.card)}); true card {s.card}"))
    rows.append(r)

    rows.append(row(gen.student(2, rural=False)))

    s = gen.student(1)
    r = row(s, **{ID: None})
    r.plants.append(Plant("id.missing", ID, "公民身份号码 left blank"))
    rows.append(r)

    s = gen.student(2)
    r = row(s, **{CARD: " ".join(s.card[i:i + 4] for i in range(0, len(s.card), 4))})
    rows.append(r)
    notes.append((r, "卡号 typed in groups of four with spaces"))

    s = gen.student(1)
    bad = s.card[:18] + str((int(s.card[18]) + 3) % 10)
    r = row(s, **{CARD: bad})
    r.plants.append(Plant("card.luhn", CARD, f"19-digit card {bad} fails the Luhn check (last digit should be {s.card[18]})"))
    rows.append(r)

    s = gen.student(2)
    r = row(s, 学籍状态="休学")
    r.registry_status = "休学"
    r.plants.append(Plant("status.not_enrolled", "学籍状态", "学籍状态 休学: suspended, not eligible"))
    rows.append(r)

    rows.append(row(gen.student(1)))

    # Registry spells the name with a different character.
    s = gen.student(2, male=False)
    s.name = s.name[0] + "晓燕"
    gen.names.add(s.name)
    r = row(s)
    r.registry_name = s.name[0] + "小燕"
    r.plants.append(Plant("registry.mismatch", NAME,
                          f"registry has {r.registry_name} for this ID, roster has {s.name}", registry=True))
    rows.append(r)

    s = gen.student(1)
    r = row(s, **{ID: s.rid + " "})
    rows.append(r)
    notes.append((r, "公民身份号码 typed with a trailing space"))

    rows.append(row(gen.student(2)))

    for i, r in enumerate(rows, 1):
        r.values["序号"] = i
    total = round(sum(r.values[AMT] for r in rows), 4)
    body = rows + [("sum", "合计", {AMT: total})]
    harmless = [
        "first sheet 填表说明 holds instructions only, no roster; the roster is on the second sheet 2011秋",
        "row 1: merged title; header on row 2",
        "资助项目 written 国家助学金 (school type 中职 resolves it to 中职国家助学金)",
        "amounts in 万元 (0.075 = 750 yuan), header 金额（万元）",
        "年级 written as cohorts 2011级 / 2010级",
        "学籍状态 written 在籍 or 正常",
        "户籍 column (not 户口性质); some 县镇非农 students (eligible)",
        "a 学籍号 column",
        "合计 row right after the data",
    ]
    return Layout(
        file="城关职业技术学校国家助学金名单.xlsx",
        sheet="2011秋",
        headers=H,
        header_row=2,
        top=[(1, "城关职业技术学校2011年秋季学期国家助学金受助学生名单", True)],
        body=body,
        footer=[],
        text_cols=[ID, CARD, "学籍号"],
        extra_sheets_before=[("填表说明", [
            "填表说明：",
            "1．本表由学校资助工作人员填写，请勿改动表格格式，不要合并单元格。",
            "2．公民身份号码、卡号请先将单元格设置为“文本”格式再录入，以免出现科学计数法。",
            "3．金额单位为万元，每生每学期0.075万元。",
            "4．学籍状态填写：在籍、休学、退学、转出等。",
            "5．年级按入学年份填写，如2011级。",
        ])],
        widths={ID: 22, CARD: 24, "学籍号": 14, "所学专业": 16},
        harmless=harmless,
        row_notes=notes,
        created=datetime(2011, 10, 9, 15, 20, 0),
    )


def roster3(gen: Gen, xjh: XjhCounter, shared: dict) -> Layout:
    """第一中学 (普高): header on row 1, 小计 per class, 合计 at the end."""
    school = "第一中学"
    H = ["序号", "姓名", "性别", "身份证号", "年级", "班级", "困难等级", "学籍状态",
         "资助项目", "金额", "账号"]
    ID, CARD, AMT = "身份证号", "账号", "金额"
    rng = gen.rng
    notes: list[tuple[Row, str]] = []

    def row(st: Student, tier: int, cls: str, **over) -> Row:
        v = {
            "姓名": st.name, "性别": st.gender, ID: st.rid, "年级": GRADE_HS[st.grade],
            "班级": cls, "困难等级": TIER_STD[tier], "学籍状态": rng.choice(["在籍", "在籍", "在校"]),
            "资助项目": "普高国家助学金", AMT: TIER_AMOUNT[tier], CARD: st.card,
        }
        v.update(over)
        return Row(values=v, student=st, school=school)

    # --- 高一(2)班
    c1 = "高一(2)班"
    g1: list[Row] = [row(gen.student(1, rural=False), 1, c1)]

    # Old 15-digit ID, typed as text.
    birth = gen.birth_between(date(1995, 9, 10), date(1996, 7, 31))
    area = rng.choice(URBAN_AREAS)
    while True:
        seq = rng.randint(0, 99) * 10 + rng.choice((1, 3, 5, 7, 9))
        id15 = f"{area}{birth:%y%m%d}{seq:03d}"
        body = f"{area}{birth:%Y%m%d}{seq:03d}"
        id18 = body + id_check_char(body)
        if id18 not in gen.ids:
            gen.ids.add(id18)
            break
    assert ric.is_valid(id18), id18
    s = Student(gen.name(True), True, birth, area, id18, gen.card(), 1, 2011, False)
    r = row(s, 2, c1, **{ID: id15})
    r.plants.append(Plant("id.legacy", ID, f"valid old 15-digit ID {id15} (18-digit form {id18}, which the registry holds)"))
    g1.append(r)

    s = gen.student(1)
    r = row(s, 2, c1, **{ID: s.rid.translate(FULLWIDTH)})
    g1.append(r)
    notes.append((r, "身份证号 typed in full-width digits"))

    s = gen.student(1, male=False)
    r = row(s, 3, c1, 性别="男")
    r.plants.append(Plant("gender.mismatch", "性别", "性别 男 but the ID's 17th digit is even (female)"))
    g1.append(r)

    g1.append(row(gen.student(1), 3, c1))

    # --- 高二(5)班
    c2 = "高二(5)班"
    dup = gen.student(2)
    dup_card2 = gen.card()
    r_dup_a = row(dup, 2, c2)
    r_dup_a.plants.append(Plant("id.duplicate", ID, f"{dup.name} {dup.rid} listed twice in this roster"))
    r_dup_b = row(dup, 2, c2, **{CARD: dup_card2})
    r_dup_b.plants.append(Plant("id.duplicate", ID, f"{dup.name} {dup.rid} listed twice in this roster (second entry, other card)"))

    g2: list[Row] = [r_dup_a, row(gen.student(2), 3, c2)]

    s = gen.student(2)
    r = row(s, 1, c2, **{AMT: 750})
    r.plants.append(Plant("amount.mismatch", AMT, "一档 is 1000 yuan, roster has 750"))
    g2.append(r)
    g2.append(r_dup_b)

    s = gen.student(2)
    r = row(s, 2, c2, **{CARD: s.card + " "})
    g2.append(r)
    notes.append((r, "账号 typed with a trailing space"))

    # --- 高三(1)班
    c3 = "高三(1)班"
    g3: list[Row] = [row(gen.student(3), 1, c3)]
    s = gen.student(3)
    r = row(s, 2, c3, 困难等级=None)
    r.plants.append(Plant("eligibility.not_eligible", "困难等级", "困难等级 blank: 普高国家助学金 needs a difficulty tier"))
    g3.append(r)
    s = gen.student(3)
    r = row(s, 3, c3, **{ID: s.rid + " "})
    g3.append(r)
    notes.append((r, "身份证号 typed with a trailing space"))
    g3.append(row(gen.student(3, rural=False), 1, c3))

    body: list = []
    n = 0
    grand = 0
    for g in (g1, g2, g3):
        for r in g:
            n += 1
            r.values["序号"] = n
        sub = sum(r.values[AMT] for r in g)
        grand += sub
        body += g + [("sum", "小计", {AMT: sub})]
    body.append(("sum", "合计", {AMT: grand}))
    harmless = [
        "header directly on row 1 (no title); school name only in the file name",
        "a 小计 row after each class (高一(2)班, 高二(5)班, 高三(1)班) and a 合计 row at the end, label in 序号",
        "困难等级 一档 / 二档 / 三档 with 1000 / 750 / 500 yuan",
        "学籍状态 written 在籍 or 在校",
        "card column headed 账号",
    ]
    return Layout(
        file="第一中学普高助学金2011秋.xlsx",
        sheet="普高助学金",
        headers=H,
        header_row=1,
        top=[],
        body=body,
        footer=[],
        text_cols=[ID, CARD],
        widths={ID: 22, CARD: 24, "班级": 12, "资助项目": 16},
        harmless=harmless,
        row_notes=notes,
        created=datetime(2011, 10, 10, 10, 5, 0),
    )


def roster4(gen: Gen, xjh: XjhCounter, shared: dict) -> Layout:
    """实验中学 (普高): title, 填报单位, blank row, header on row 4, no 资助项目 column."""
    school = "实验中学"
    H = ["序号", "姓名", "性别", "身份证号码", "年级", "班级", "困难等级", "资助金额（元）",
         "银行卡号", "联系电话", "家庭住址"]
    ID, CARD, AMT = "身份证号码", "银行卡号", "资助金额（元）"
    rng = gen.rng
    notes: list[tuple[Row, str]] = []
    towns = ["东河镇", "柳林乡", "石桥镇", "三合乡", "白沙镇"]
    villages = ["王家湾村", "新河村", "东岗村", "杨柳村", "青山村", "马庄村"]

    def row(st: Student, tier: int, **over) -> Row:
        v = {
            "姓名": st.name, "性别": st.gender, ID: st.rid, "年级": GRADE_HS[st.grade],
            "班级": f"{rng.randint(1, 8)}班", "困难等级": TIER_SYX[tier], AMT: TIER_AMOUNT[tier],
            CARD: st.card,
            "联系电话": int(rng.choice(["139", "135", "138", "158", "151"]) + "".join(
                str(rng.randint(0, 9)) for _ in range(8))),
            "家庭住址": f"东河县{rng.choice(towns)}{rng.choice(villages)}{rng.randint(1, 9)}组",
        }
        v.update(over)
        return Row(values=v, student=st, school=school)

    rows: list[Row] = [row(gen.student(1), 1)]

    s = gen.student(2)
    r = row(s, 2, **{ID: excel_rounded(s.rid)})
    r.formats[ID] = "0"
    r.plants.append(Plant("id.precision_lost", ID,
                          f"ID stored as a number ({excel_rounded(s.rid)}); Excel kept 15 digits, true ID {s.rid}"))
    rows.append(r)

    s = gen.student(3)
    r = row(s, 3, **{ID: s.rid + " "})
    rows.append(r)
    notes.append((r, "身份证号码 typed with a trailing space"))

    s = gen.student(1)
    r = row(s, 2, 姓名=None)
    r.plants.append(Plant("name.missing", "姓名", f"姓名 left blank (registry: {s.name})"))
    rows.append(r)

    rows.append(row(gen.student(2), 1))

    # Checksum-correct ID with 30 February as birth date.
    s = gen.student(2, birth=date(1995, 3, 20))
    body17 = s.rid[:6] + "19950230" + s.rid[14:17]
    bad = body17 + id_check_char(body17)
    r = row(s, 2, **{ID: bad})
    r.plants.append(Plant("id.birthdate", ID, f"{bad}: check character right, birth date 1995-02-30 impossible"))
    rows.append(r)

    rows.append(row(gen.student(3), 2))

    s = gen.student(1)
    r = row(s, 3, **{CARD: None})
    r.plants.append(Plant("card.missing", CARD, "银行卡号 left blank"))
    rows.append(r)

    s = gen.student(2, check="X")
    r = row(s, 3, **{ID: s.rid.lower()})
    rows.append(r)
    notes.append((r, "身份证号码 with a lower-case x check character"))

    s = gen.student(3)
    r = row(s, 1)
    r.in_registry = False
    r.plants.append(Plant("registry.not_found", None, f"{s.name} {s.rid} is not in 学籍2011秋.xlsx", registry=True))
    rows.append(r)

    rows.append(row(gen.student(1), 2))

    for i, r in enumerate(rows, 1):
        r.values["序号"] = i
    total = sum(r.values[AMT] for r in rows)
    body = rows + [("sum", "合计", {AMT: total})]
    harmless = [
        "row 1: merged title 实验中学2011年秋季学期普通高中国家助学金受助学生名单 (programme from the title; no 资助项目 column)",
        "row 2: 填报单位 line; row 3 blank; header on row 4",
        "困难等级 written 特别困难 / 困难 / 一般困难 (= 一档 / 二档 / 三档)",
        "no 学籍状态 column",
        "联系电话 typed as numbers; 家庭住址 column",
        "合计 row, then a 经办人/审核人 signature row",
        "two empty default sheets Sheet2 and Sheet3 after the roster",
    ]
    return Layout(
        file="实验中学.xlsx",
        sheet="Sheet1",
        headers=H,
        header_row=4,
        top=[(1, "实验中学2011年秋季学期普通高中国家助学金受助学生名单", True),
             (2, "填报单位：实验中学（盖章）                填报时间：2011年10月10日", False)],
        body=body,
        footer=[(1, "经办人：周敏            审核人：            联系电话：0710-3312456")],
        text_cols=[ID, CARD],
        extra_sheets_after=["Sheet2", "Sheet3"],
        widths={ID: 22, CARD: 24, "联系电话": 14, "家庭住址": 28},
        harmless=harmless,
        row_notes=notes,
        created=datetime(2011, 10, 10, 16, 40, 0),
    )


def roster5(gen: Gen, xjh: XjhCounter, shared: dict) -> Layout:
    """东河县职业高级中学 (职高 = 中职): title, header on row 2."""
    school = "东河县职业高级中学"
    H = ["序号", "姓名", "性别", "身份证号", "年级", "专业", "户口性质", "资助项目",
         "资助金额", "资助卡号", "学籍状态"]
    ID, CARD, AMT = "身份证号", "资助卡号", "资助金额"
    rng = gen.rng
    notes: list[tuple[Row, str]] = []

    def row(st: Student, **over) -> Row:
        v = {
            "姓名": st.name, "性别": st.gender, ID: st.rid, "年级": GRADE_CN[st.grade],
            "专业": rng.choice(["种植", "畜牧兽医", "农业机械使用与维护", "计算机应用", "服装设计与工艺"]),
            "户口性质": "农村" if st.rural else "县镇非农", "资助项目": "中职国家助学金",
            AMT: 750, CARD: st.card, "学籍状态": "在籍",
        }
        v.update(over)
        return Row(values=v, student=st, school=school)

    rows: list[Row] = [row(gen.student(1))]

    dup: Student = shared["dup_zz"]
    r = row(dup, **{CARD: gen.card()})
    r.in_registry = False  # the registry holds this student once, under 第一职业中学
    r.plants.append(Plant("id.duplicate", ID, f"{dup.name} {dup.rid} also on 第一职业中学_2011秋_助学金.xlsx"))
    rows.append(r)

    s = gen.student(1)
    bad = s.rid[:8] + s.rid[9:]  # one digit of the birth year dropped
    r = row(s, **{ID: bad})
    r.plants.append(Plant("id.format", ID, f"{bad} has 17 characters (a digit was dropped)"))
    rows.append(r)

    s = gen.student(2)
    r = row(s, **{ID: f"{s.rid[:6]} {s.rid[6:14]} {s.rid[14:]}"})
    rows.append(r)
    notes.append((r, "身份证号 typed with spaces inside"))

    s = gen.student(2, birth=date(1984, 4, 16))
    r = row(s)
    r.plants.append(Plant("age.out_of_range", ID, "born 1984-04-16: 27 at 2011-09-01, far above the 中职 age range"))
    rows.append(r)

    s = gen.student(1)
    body = s.card[:14]
    short = body + luhn_check_digit(body)
    r = row(s, **{CARD: short})
    r.plants.append(Plant("card.format", CARD, f"{short} has 15 digits"))
    rows.append(r)

    s = gen.student(1, check="X")
    r = row(s, **{ID: s.rid.lower()})
    rows.append(r)
    notes.append((r, "身份证号 with a lower-case x check character"))

    s = gen.student(1, rural=False)
    r = row(s, 户口性质="城市")
    r.plants.append(Plant("eligibility.not_eligible", "户口性质",
                          "户口性质 城市 with no family-difficulty information: not eligible"))
    rows.append(r)

    s = gen.student(2)
    r = row(s, **{AMT: 0})
    r.plants.append(Plant("amount.invalid", AMT, "资助金额 0"))
    rows.append(r)

    rows.append(row(gen.student(2, rural=False)))
    rows.append(row(gen.student(1)))

    for i, r in enumerate(rows, 1):
        r.values["序号"] = i
    harmless = [
        "row 1: merged title; header on row 2",
        "school type written 职高 in schools.xlsx (= 中职)",
        "年级 written 一年级 / 二年级",
        "学籍状态 is the last column",
        "no 合计 row",
        "one 县镇非农 student (eligible)",
    ]
    return Layout(
        file="东河县职业高级中学_2011年秋季.xlsx",
        sheet="Sheet1",
        headers=H,
        header_row=2,
        top=[(1, "东河县职业高级中学2011年秋季学期中职国家助学金申请汇总表", True)],
        body=rows,
        footer=[],
        text_cols=[ID, CARD],
        widths={ID: 22, CARD: 24, "专业": 18, "资助项目": 16},
        harmless=harmless,
        row_notes=notes,
        created=datetime(2011, 10, 11, 11, 0, 0),
    )


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def new_workbook(created: datetime) -> Workbook:
    wb = Workbook()
    wb.properties.creator = "Administrator"
    wb.properties.lastModifiedBy = "Administrator"
    wb.properties.created = created
    wb.properties.modified = created
    return wb


def save(wb: Workbook, path: Path, zip_time: tuple = ZIP_TIME) -> None:
    """Save without openpyxl's 'modified = now' and with fixed zip timestamps (byte-identical runs)."""
    modified = wb.properties.modified
    buf = io.BytesIO()
    archive = zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    wb.properties.modified = modified
    ExcelWriter(wb, archive).save()  # closes the archive
    buf.seek(0)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=zip_time)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, src.read(info.filename))


def write_roster(lay: Layout) -> tuple[list[dict], dict[int, int]]:
    """Write one roster workbook. Returns planted entries and {id(Row): excel row}."""
    wb = new_workbook(lay.created)
    first = wb.active
    sheets_before = []
    for title, lines in lay.extra_sheets_before:
        sheets_before.append((title, lines))
    if sheets_before:
        first.title = sheets_before[0][0]
        for i, line in enumerate(sheets_before[0][1], 1):
            first.cell(row=i, column=1, value=line)
        first.column_dimensions["A"].width = 80
        ws = wb.create_sheet(lay.sheet)
    else:
        ws = first
        ws.title = lay.sheet

    ncol = len(lay.headers)
    col = {h: i + 1 for i, h in enumerate(lay.headers)}
    for r, text, merged in lay.top:
        c = ws.cell(row=r, column=1, value=text)
        if merged:
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncol)
            c.font = Font(name="宋体", size=16, bold=True)
            c.alignment = Alignment(horizontal="center", vertical="center")
            ws.row_dimensions[r].height = 30
    for h, i in col.items():
        c = ws.cell(row=lay.header_row, column=i, value=h)
        c.font = Font(name="宋体", size=11, bold=True)
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

    excel_row: dict[int, int] = {}
    r = lay.header_row + 1
    for item in lay.body:
        if isinstance(item, Row):
            excel_row[id(item)] = r
            for h, v in item.values.items():
                c = ws.cell(row=r, column=col[h], value=v)
                if h in item.formats:
                    c.number_format = item.formats[h]
                elif h in lay.text_cols:
                    c.number_format = "@"
        elif item[0] == "sum":
            ws.cell(row=r, column=1, value=item[1])
            for h, v in item[2].items():
                ws.cell(row=r, column=col[h], value=v)
        # ("blank",): leave the row empty
        r += 1
    last = r - 1
    for off, text in lay.footer:
        ws.cell(row=last + off, column=1, value=text)

    for h, i in col.items():
        ws.column_dimensions[get_column_letter(i)].width = lay.widths.get(h, 9 if h != "姓名" else 10)
    for title in lay.extra_sheets_after:
        wb.create_sheet(title)
    save(wb, INTAKE / lay.file)

    planted = []
    for item in lay.body:
        if isinstance(item, Row):
            for p in item.plants:
                e = {"file": lay.file, "sheet": lay.sheet, "row": excel_row[id(item)],
                     "column": p.column, "code": p.code}
                if p.registry:
                    e["registry"] = True
                e["_why"] = p.why
                planted.append(e)
    return planted, excel_row


def write_schools() -> None:
    wb = new_workbook(datetime(2011, 8, 25, 9, 0, 0))
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["学校代码", "学校名称", "学校类型", "所属县区", "办学性质", "在校生人数"])
    for code, *rest in SCHOOLS:
        ws.append([code, *rest])
        ws.cell(row=ws.max_row, column=1).number_format = "@"
    for letter, w in zip("ABCDEF", (10, 22, 14, 10, 10, 12)):
        ws.column_dimensions[letter].width = w
    save(wb, OUT / "schools.xlsx")


def write_registry(layouts: list[Layout], gen: Gen, xjh: XjhCounter) -> None:
    entries: list[tuple[str, str, str, str, str]] = []
    seen: set[str] = set()
    for lay in layouts:
        for item in lay.body:
            if not isinstance(item, Row):
                continue
            st = item.student
            if st.rid in seen or not item.in_registry:
                continue
            seen.add(st.rid)
            entries.append((item.xjh, st.rid, item.registry_name or st.name, item.school, item.registry_status))
    # Students of each school who get no aid this term: the registry is the
    # whole enrolment, the rosters only hold aided students.
    for code, name, _kind, *_ in SCHOOLS:
        for k in range(3):
            grade = k % 3 + 1
            st = gen.student(grade, rural=gen.rng.random() < 0.5)
            entries.append((xjh(code, st.cohort), st.rid, st.name, name, "在籍"))
    entries.sort(key=lambda e: e[0])

    wb = new_workbook(datetime(2011, 9, 20, 14, 0, 0))
    ws = wb.active
    ws.title = "学籍信息"
    ws.append(["学籍号", "身份证号", "姓名", "学校", "学籍状态"])
    for e in entries:
        ws.append(list(e))
        for c in (1, 2):
            ws.cell(row=ws.max_row, column=c).number_format = "@"
    for letter, w in zip("ABCDE", (16, 22, 10, 22, 10)):
        ws.column_dimensions[letter].width = w
    save(wb, REGISTRY / "学籍2011秋.xlsx")


def assign_xjh(layouts: list[Layout], xjh: XjhCounter) -> None:
    """Give every rostered student a 学籍号 (one per student, at the first school)."""
    by_id: dict[str, str] = {}
    for lay in layouts:
        for item in lay.body:
            if not isinstance(item, Row):
                continue
            st = item.student
            if st.rid not in by_id and not item.in_registry:
                continue  # no 学籍 record at all (registry.not_found)
            if st.rid not in by_id:
                by_id[st.rid] = xjh(SCHOOL_CODE[item.school], st.cohort)
            item.xjh = by_id[st.rid]
            if "学籍号" in item.values:
                item.values["学籍号"] = item.xjh


def write_planted_md(layouts: list[Layout], planted: list[dict], rows_of: dict[int, int]) -> None:
    lines = [
        "# Planted problems in the sample workspace",
        "",
        "Generated by `make_samples.py` from the same data it writes the workbooks with; "
        "do not edit by hand. Term 2011-autumn, term start 2011-09-01.",
        "",
        "Row numbers are Excel rows as Excel shows them; *Column* is the header as written in that file. "
        "Findings marked *registry* only appear with `aidctl validate --registry registry/学籍2011秋.xlsx`. "
        "`planted.json` holds the same list.",
        "",
        "| File | Sheet | Row | Column | Code | Warning | Registry | Why |",
        "|---|---|---:|---|---|---|---|---|",
    ]
    for e in planted:
        lines.append(
            f"| {e['file']} | {e['sheet']} | {e['row']} | {e['column'] or '—'} | `{e['code']}` | "
            f"{'warning' if e['code'] in WARNINGS else ''} | {'registry' if e.get('registry') else ''} | {e['_why']} |"
        )
    lines += [
        "",
        "Every other data row is clean and eligible. The duplicate pairs and the shared-card pair are "
        "findings on both rows. Rows whose ID is broken (id.checksum, id.precision_lost, id.format, "
        "id.birthdate, id.missing) are otherwise clean; no gender/age/registry check applies to them.",
        "",
        "## Notes on the registry (`registry/学籍2011秋.xlsx`)",
        "",
        "- Holds every rostered student once, with the true 18-digit ID (also for rows whose roster ID is "
        "broken), except the registry.not_found student of 实验中学.xlsx.",
        "- The 15-digit id.legacy student of 第一中学 is in the registry under the 18-digit form of the same ID.",
        "- The student duplicated on 第一职业中学 and 东河县职业高级中学 is registered once, at 第一职业中学.",
        "- The 退学 and 休学 students have the same status in the registry as on the roster.",
        "- The registry also lists 18 enrolled students who are on no roster (3 per school, including "
        "西山县第二中学, which sent no roster). They are not findings.",
        "",
        "## Messy-but-harmless layout features (must NOT produce findings)",
        "",
        "- `schools.xlsx`: 学校类型 spelled 中等职业学校 / 中职 / 职高 / 普通高中 / 普高; 学校代码 stored as text.",
        "- `aidctl.toml`: settings file with a comment line.",
    ]
    for lay in layouts:
        lines.append(f"- `intake/2011-autumn/{lay.file}`:")
        for h in lay.harmless:
            lines.append(f"  - {h}")
        for row, h in lay.row_notes:
            lines.append(f"  - row {rows_of[id(row)]}: {h}")
    lines.append("")
    (OUT / "PLANTED.md").write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    gen = Gen(SEED)
    xjh = XjhCounter()
    shared: dict = {}
    layouts = [f(gen, xjh, shared) for f in (roster1, roster2, roster3, roster4, roster5)]
    assign_xjh(layouts, xjh)

    (OUT / "aidctl.toml").write_text(
        "# aidctl workspace settings for the sample city\n"
        'bank_profile = "icbc-txt"\n'
        'complaint_phone = "0716-8123456"\n'
        'publicity_issuer = "市学生资助管理中心"\n',
        encoding="utf-8",
    )
    write_schools()
    planted: list[dict] = []
    rows_of: dict[int, int] = {}
    for lay in layouts:
        p, rows = write_roster(lay)
        planted += p
        rows_of.update(rows)
    write_registry(layouts, gen, xjh)
    write_planted_md(layouts, planted, rows_of)

    clean = [{k: v for k, v in e.items() if not k.startswith("_")} for e in planted]
    (OUT / "planted.json").write_text(
        json.dumps(clean, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
