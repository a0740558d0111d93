"""enlist: 应征入伍 学费补偿 and 国家助学贷款代偿 for students who enlist, by rules/enlistment.yaml.

One row a student, as universities send the list: name, ID, school, 学历层次, 入学年份, 入伍年份, 学制
where given, the tuition actually paid in one column per year of study (第1学年学费 …), the loan
received per year (第1学年贷款 …) and/or the outstanding loan (贷款本金, 贷款利息, 贷款本息), and the
bank card. For each student and each year of study counted, the amount is the higher of the tuition
paid and the loan received for that year with its interest, at most the cap in force when the student
enlisted (amounts.py); the outstanding loan with its interest is repaid first out of those amounts,
year by year, and the rest goes to the student's card. rules/enlistment.yaml says how (and README
repeats it); every figure carries the reason it was reached.

The payments are not recorded in the disbursement ledger: the bank file is a list for the finance
office to pay, and its totals are proven equal to the document's before anything is written.
Money is integer fen throughout.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from aidctl.check import settle_headers
from aidctl.core import identity
from aidctl.core.findings import CATALOGUE, ERROR, FindingCounts, build, empty, file_finding, group_places, severities
from aidctl.core.labels import UNKNOWN_SCHOOL
from aidctl.core.money import yuan_text_or_none
from aidctl.core.text import lookup, missing, text_or_none
from aidctl.enlist.amounts import lines as year_lines
from aidctl.enlist.amounts import loan_figures, student_totals
from aidctl.enlist.seasons import day_of_month, month_column, not_read, season_findings, season_months
from aidctl.enlist.shown import hidden_dates, shown_dates, shown_findings
from aidctl.enlist.units import unit_doubts, unit_findings
from aidctl.read import (
    Table,
    Workspace,
    file_info,
    having_column,
    merged_across,
    merged_down,
    missing_columns,
    read_tables,
    shown,
    stack,
)
from aidctl.rulebook import BankProfile, EnlistCapPeriod, Rulebook

KIND = "enlist"
PROGRAMME = "应征入伍学费补偿"
_YEAR = re.compile(r"^\D*((?:19|20)\d{2})(?:\s*(?:年|\.|-|/)\s*(\d{1,2}))?")

# 2019.1 as a number is 2019.10 too (Excel drops the trailing 0): January or October?
_MONTH_1_OR_10 = r"^\s*(?:19|20)\d{2}\.1\s*$"


_DOC_NUMBER = re.compile(r"[^\s（(：:]*〔\d{4}〕\d+号")


@dataclass
class Enlistment(FindingCounts):
    """The students of the lists read, their years of study counted, and the findings."""

    year: int
    tables: list[Table]
    students: pd.DataFrame      # one row a student record (index = rec)
    lines: pd.DataFrame         # one row a student and year of study counted
    findings: pd.DataFrame      # rec (-1: a whole sheet), table, column, header, code, severity, message
    bank_profile: str
    loan_first: bool
    out_dir: Path | None = None
    bank_files: list[Path] = field(default_factory=list)
    report: Path | None = None

    @property
    def payments(self) -> pd.DataFrame:
        """The students paid to their card: payable, with something left after the loan."""
        s = self.students
        return s[s["payable"] & (s["to_student_fen"] > 0).fillna(False)]

    def totals(self) -> dict:
        s = self.students
        paid = s[s["payable"]]
        return {"students": len(s), "payable": int(s["payable"].sum()), "refused": int((~s["payable"]).sum()),
                "amount": yuan_text_or_none(paid["total_fen"].sum()), "loan_repayment": yuan_text_or_none(paid["loan_fen_repaid"].sum()),
                "to_students": yuan_text_or_none(paid["to_student_fen"].sum()), "payments": len(self.payments),
                "errors": self.errors, "warnings": self.warnings}

    def by_school(self) -> pd.DataFrame:
        """Students, payable, refused and the amounts (fen) by school, for the workbook and terminal."""
        s = self.students.assign(school=self.students["school"].fillna(UNKNOWN_SCHOOL))
        paid = s.assign(**{c: s[c].where(s["payable"], 0) for c in ("total_fen", "loan_fen_repaid", "to_student_fen")})
        g = paid.groupby("school", sort=True)
        return pd.DataFrame({"students": g.size(), "payable": g["payable"].sum().astype(int),
                             "total_fen": g["total_fen"].sum().astype("int64"),
                             "loan_fen": g["loan_fen_repaid"].sum().astype("int64"),
                             "to_student_fen": g["to_student_fen"].sum().astype("int64")}).reset_index()

    def to_json(self, root: Path | None = None) -> dict:
        f = self.findings
        per_rec: dict[int, list] = {}
        for rec, code, sev, col, msg in f.loc[f["rec"] >= 0, ["rec", "code", "severity", "header", "message"]] \
                .itertuples(index=False, name=None):
            per_rec.setdefault(int(rec), []).append({"code": code, "severity": sev, "column": col, "message": msg})
        lines = dict(iter(self.lines.groupby("rec"))) if len(self.lines) else {}
        students = []
        for rec, r in self.students.iterrows():  # one per enlisted student: hundreds a year
            years = []
            for ln in (lines[rec].itertuples() if rec in lines else []):
                years.append({"year_of_study": int(ln.year_of_study), "school_year": ln.school_year,
                              "tuition": yuan_text_or_none(ln.tuition_fen),
                              "loan_counted": yuan_text_or_none(ln.loan_counted_fen), "loan": yuan_text_or_none(ln.loan_fen),
                              "cap": yuan_text_or_none(ln.cap_fen), "amount": yuan_text_or_none(ln.amount_fen), "reason": ln.reason})
            students.append({
                "file": r["file"], "row": int(r["row"]), "id_number": text_or_none(r["id_number"]), "name": text_or_none(r["name"]),
                "school": text_or_none(r["school"]), "level": text_or_none(r["group"]), "level_detail": text_or_none(r["level_key"]),
                "enrolled": _int(r["enrolled_year"]), "enlisted": _int(r["enlisted_year"]),
                "enlisted_on": str(r["enlist_day"]) if r["enlist_day"] is not None else None,
                "years_counted": _int(r["counted"]), "years_reason": text_or_none(r["years_reason"]),
                "schooling": _int(r["schooling_years"]),
                "cap_source": text_or_none(r["cap_source"]), "years": years,
                "loan_principal": yuan_text_or_none(r["principal_fen"]), "loan_interest": yuan_text_or_none(r["interest_fen"]),
                "loan_owed": yuan_text_or_none(r["owed_fen"]), "loan_by_year": bool(r["by_year"]),
                "total": yuan_text_or_none(r["total_fen"]), "loan_repayment": yuan_text_or_none(r["loan_fen_repaid"]),
                "to_student": yuan_text_or_none(r["to_student_fen"]), "payable": bool(r["payable"]),
                "findings": per_rec.get(int(rec), [])})
        file_level = [{"file": self.tables[int(t)].file, "sheet": self.tables[int(t)].sheet, "code": c,
                       "severity": sv, "column": h, "message": m}
                      for t, c, sv, h, m in f.loc[f["rec"] < 0, ["table", "code", "severity", "header", "message"]]
                      .itertuples(index=False, name=None)]

        def rel(path: Path | None) -> str | None:
            if path is None:
                return None
            return str(path.relative_to(root)) if root and path.is_relative_to(root) else str(path)

        return {"version": 1, "year": self.year,
                "files": file_info(self.tables),
                "students": students, "file_findings": file_level, "totals": self.totals(),
                "bank_profile": self.bank_profile, "bank_files": [rel(p) for p in self.bank_files],
                "report": rel(self.report), "ledger": False}


def _int(value) -> int | None:
    return None if missing(value) else int(value)


def _years(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(year, month) from 2012 / 2012级 / 2012年9月 / 2012.09 / 2014-09-10 (a date cell); NA otherwise."""
    parts = text.astype("string").str.extract(_YEAR)
    year = pd.to_numeric(parts[0], errors="coerce").astype("Int64")
    month = pd.to_numeric(parts[1], errors="coerce").astype("Int64")
    return year, month.where((month >= 1) & (month <= 12))


def compute(paths: list[Path], ws: Workspace, *, year: int, bank: str | None = None,
            displays: list[str] | None = None) -> Enlistment:
    """Read the lists, check every student, and work out each year's amount with its reason."""
    rules = ws.rules
    book = rules.enlistment
    profile_id = bank or ws.settings.bank_profile or rules.default_bank
    profile = rules.bank(profile_id)
    displays = displays or [shown(p) for p in paths]
    tables = [t for p, d in zip(paths, displays) for t in read_tables(p, d, KIND, rules)]
    spec = rules.columns.tables[KIND]
    header = settle_headers(tables, spec, rules.columns.units, KIND)
    f = stack(tables, spec).rename(columns={"excel_row": "row"})
    tuition_keys = [k for k in spec.columns if k.startswith("tuition_")]
    loan_keys = [k for k in spec.columns if k.startswith("loan_") and k[5:].isdigit()]

    shown_dates(f, tables, rules.columns.look)   # a date cell formatted yyyy: its month is not shown
    _levels_and_caps(f, rules)
    hidden_dates(f, book)

    # money: tuition and loan per year, the loan's totals, each with its column's unit
    money_keys = [*tuition_keys, *loan_keys, "loan", "loan_interest", "loan_total"]
    for key in money_keys:
        # parsed with their units by stack(); a negative figure is no figure
        f[f"{key}_ok"] = f[f"{key}_ok"] & (f[f"{key}_fen"].fillna(-1) >= 0).to_numpy()
    # a figure merged across columns (one amount over 第1学年 and 第2学年) is one value shown in each:
    # each year's, or their total? So is one merged down over two or more students' rows (10000 over
    # 张伟 and 李强: each one's, or theirs together?). Neither is read (enlist.invalid names the range).
    # A blank or a 0 merged down is the same either way; a range over one student and blank rows is
    # no question (merged_down leaves it)
    for key in money_keys:
        f[f"{key}_merged"] = merged_across(f, tables, key, row="row")
        zero = (f[f"{key}_ok"] & (f[f"{key}_fen"] == 0)).fillna(False)
        f[f"{key}_down"] = merged_down(f, tables, key, row="row").where(f[key].notna() & ~zero)
        unread = f[f"{key}_merged"].notna().to_numpy() | f[f"{key}_down"].notna().to_numpy()
        f[f"{key}_ok"] = f[f"{key}_ok"] & ~unread
        f[f"{key}_fen"] = f[f"{key}_fen"].mask(unread)
    f["loan_given"] = f["loan"].notna()
    f["loan_fen"] = f["loan_fen"].where(f["loan_given"], 0).astype("Int64")  # blank: no loan

    reference = _identity(f, year)
    _years_counted(f, year)
    unit_doubts(f, tables, [*tuition_keys, *loan_keys], rules.columns.units)   # 5000 under 学费（万元）
    loan_figures(f, loan_keys, lambda key: having_column(f, tables, key))

    lines = year_lines(f, tuition_keys, loan_keys, book.loan_first)
    student_totals(f, lines)
    raw = _findings(f, tables, rules, year, tuition_keys, reference)
    raw += _loan_input_findings(f, tables, loan_keys) + unit_findings(f, money_keys) + shown_findings(f)
    raw += header
    if book.loan_first:
        raw.append(_loan_findings(f))
    findings = _finalise(raw, f, tables, rules)
    f["payable"] = (~_refused(f, findings) & f["total_fen"].notna()).astype(bool)
    findings = _refuse_unwritable(f, raw, findings, tables, rules, profile, year)
    return Enlistment(year, tables, f, lines, findings, profile_id, book.loan_first)


def _levels_and_caps(f: pd.DataFrame, rules: Rulebook) -> None:
    """None: adds to `f` each student's level, years, day of enlistment and the cap in force that day."""
    book = rules.enlistment
    levels = book.levels
    f["level_key"] = lookup(f["level"], {k: [k, *v.aliases] for k, v in levels.items()}).astype(object)
    f["group"] = f["level_key"].map({k: v.group for k, v in levels.items()})
    f["normal_years"] = f["level_key"].map({k: v.normal_years for k, v in levels.items()}).astype("Int64")
    f["schooling_years"] = _schooling(f["schooling"])
    f["enrolled_year"], _ = _years(f["enrolled"])
    f["enlisted_year"], month = _years(f["enlisted"])
    f["enlisted_year"] = f["enlisted_year"].mask(not_read(f["enlisted"], month, book))  # 2021-2022: no year
    # 2024年春: the season's first month; no day where a cap changes within its months (enlist.invalid)
    season, f["season_unsure"] = season_months(f["enlisted"], f["enlisted_year"], book)
    month, f["month_unsure"] = month_column(f, month.fillna(season))   # 入伍月份 3 beside 入伍年份 2024
    # 2019.1: January, or 2019.10 that Excel stored as a number? No day is taken (enlist.invalid)
    f["month_1_or_10"] = f["enlisted"].astype("string").str.match(_MONTH_1_OR_10).fillna(False).astype(bool)
    f["enlisted_month"] = month.mask(f["month_1_or_10"])
    only_month, only_day = (int(x) for x in book.year_only_date.split("-"))
    days = []
    day, f["day_unsure"] = day_of_month(f, month.mask(f["month_1_or_10"]), book)   # 2013-08-25, not the 1st
    no_day = f["month_1_or_10"] | f["season_unsure"].notna() | f["month_unsure"].notna() | f["day_unsure"].notna()
    for y, m, d, unsure in zip(f["enlisted_year"], month, day, no_day):  # a few distinct values
        days.append(None if y is pd.NA or unsure else date(int(y), only_month if m is pd.NA else int(m),
                                                           only_day if m is pd.NA else 1 if d is pd.NA else int(d)))
    f["enlist_day"] = pd.Series(days, index=f.index, dtype=object)
    periods: dict[date, EnlistCapPeriod | None] = {d: book.cap(d) for d in set(days) if d is not None}
    period = f["enlist_day"].map(lambda d: periods.get(d) if d is not None else None)
    f["cap_from"] = period.map(lambda p: p.from_ if p is not None else None)
    f["cap_source"] = period.map(lambda p: p.source if p is not None else None)
    cap_yuan = [book.cap_for(p, lv) if p is not None and isinstance(lv, str) else None
                for p, lv in zip(period, f["level_key"])]
    # the level's name where the period sets its own cap (2013: 硕士, 博士), for the reasons
    f["cap_level"] = [lv if p is not None and isinstance(lv, str) and lv in p.per_year else None
                      for p, lv in zip(period, f["level_key"])]
    f["cap_fen"] = pd.Series([int(c * 100) if c is not None else pd.NA for c in cap_yuan],
                             index=f.index, dtype="Int64")
    f["cap_basis"] = [(_DOC_NUMBER.search(p.source).group(0) if _DOC_NUMBER.search(p.source)
                       else f"{p.from_}起执行的标准") if p is not None else None for p in period]


def _cap_text(book, day: date, level) -> str:
    """The cap per year for `level` on `day` as the reasons say it (“8000.00元/学年”), or why there is none."""
    period = book.cap(day)
    cap = book.cap_for(period, level) if period is not None and isinstance(level, str) else None
    return "无补偿标准" if cap is None else f"每学年上限{yuan_text_or_none(int(cap * 100))}元"


_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8}


def _schooling(text: pd.Series) -> pd.Series:
    """学制 in years from 5 / 5年 / 五年 / 5.0 / 四年制 (1–8); NA where blank or not such a length."""
    t = text.astype("string").str.strip()
    digits = pd.to_numeric(t.str.extract(r"^(\d)(?:\.0+)?\s*(?:年|年制|学年)?$", expand=False), errors="coerce")
    words = t.str.extract(r"^([一二两三四五六七八])\s*(?:年|年制|学年)$", expand=False).map(_CN_DIGITS)
    years = digits.fillna(words).astype("Int64")
    return years.where((years >= 1) & (years <= 8))


def _years_counted(f: pd.DataFrame, year: int) -> None:
    """None: adds to `f` the school years each student studied, those counted and why."""
    # school years begun before the year of enlistment, up to the 学制 the list gives, else the normal length
    years_ok = (f["enrolled_year"].notna() & f["enlisted_year"].notna() & (f["enlisted_year"] >= f["enrolled_year"])
                & (f["enlisted_year"] <= year) & ~_enrolled_before_birth(f)).fillna(False).astype(bool)
    studied = (f["enlisted_year"] - f["enrolled_year"]).where(years_ok)
    f["studied"] = studied.astype("Int64")
    normal = f["schooling_years"].fillna(f["normal_years"]).astype("Int64")
    f["length"] = normal
    f["counted"] = studied.where((studied <= normal).fillna(False), normal).where(normal.notna() & years_ok) \
        .astype("Int64")
    f["years_reason"] = _years_reasons(f)


def _enrolled_before_birth(f: pd.DataFrame) -> pd.Series:
    """入学年份 before the year of birth in a valid ID (1900: a date cell left empty, Excel's day 0)."""
    born = f["birth_date"].dt.year.where(f["id_valid"]).astype("Int64")
    return (f["enrolled_year"] < born).fillna(False).astype(bool)


def _identity(f: pd.DataFrame, year: int) -> pd.Series:
    """The day each ID is checked against; adds the ID and card columns to `f`, as for rosters."""
    reference = pd.to_datetime(f["enlist_day"].map(lambda d: d if d is not None else date(year, 12, 31)))
    ids = identity.resident_ids(f["id_number"], f["id_number_number_cell"], reference)
    for col in ids.columns:
        f[col] = ids[col]
    f["person"] = identity.person(ids)
    f["card"] = identity.clean_card(f["card"])
    for col, values in identity.bank_cards(f["card"], f["card_number_cell"]).items():
        f[col] = values
    return reference


def _refuse_unwritable(f: pd.DataFrame, raw: list[pd.DataFrame], findings: pd.DataFrame, tables: list[Table],
                       rules: Rulebook, profile: BankProfile, year: int) -> pd.DataFrame:
    """The findings, with bank.unwritable on each record the bank file cannot carry (made not payable in `f`)."""
    # a record the bank file cannot carry (a 生僻字 outside its encoding …) is refused before writing
    candidates = f[f["payable"] & (f["to_student_fen"] > 0).fillna(False)]
    if len(candidates):
        from aidctl.pay import unwritable

        reasons = unwritable(profile, bank_records(candidates, year))  # indexed by record
        bad = reasons.notna() & (reasons == reasons)
        if bad.any():
            mask = f.index.isin(reasons[bad].index)
            raw.append(build(mask, "bank.unwritable", "name", "{why}", f["name"].astype("string"),
                             why=reasons.reindex(f.index).astype("string")))
            findings = _finalise(raw, f, tables, rules)
            f.loc[mask, "payable"] = False
    return findings


def _years_reasons(f: pd.DataFrame) -> pd.Series:
    out = []
    for enrolled, enlisted, studied, counted, level, normal, given in zip(
            f["enrolled_year"], f["enlisted_year"], f["studied"], f["counted"], f["level_key"], f["length"],
            f["schooling_years"]):
        if counted is pd.NA or counted is None:
            out.append(None)
            continue
        text = f"{enrolled}年入学、{enlisted}年入伍，入伍前在校{studied}个学年"
        if studied > normal:
            whose = "名单填写的学制" if given is not pd.NA else f"{level}学制"
            text += f"，超过{whose}{normal}年，按{normal}个学年计"
        text += "：没有计入的学年" if counted == 0 else \
            ("：计入第1学年" if counted == 1 else f"：计入第1—{counted}学年")
        out.append(text)
    return pd.Series(out, index=f.index, dtype=object)


def _alone(f: pd.DataFrame, key: str) -> pd.Series:
    """Whether each student's cell of `key` is in no merged range that keeps it unread (across columns,
    or down over other students' rows): its own finding says why, not “不是有效金额”."""
    doubt = f[f"{key}_unit_doubt"] if f"{key}_unit_doubt" in f else pd.Series(pd.NA, index=f.index)  # units.py
    return f[f"{key}_merged"].isna() & f[f"{key}_down"].isna() & doubt.isna()


def _refused(f: pd.DataFrame, findings: pd.DataFrame) -> pd.Series:
    errors = findings[findings["severity"] == ERROR]
    bad_recs = set(errors.loc[errors["rec"] >= 0, "rec"].astype(int))
    bad_tables = set(errors.loc[errors["rec"] < 0, "table"].astype(int))
    return pd.Series(f.index.isin(list(bad_recs)) | f["table"].isin(list(bad_tables)).to_numpy(), index=f.index)


def _findings(f: pd.DataFrame, tables: list[Table], rules: Rulebook, year: int, tuition_keys: list[str],
              reference: pd.Series) -> list[pd.DataFrame]:
    from aidctl.check import card_findings, identity_findings, invalid_names
    from aidctl.core.terms import Term
    from aidctl.read import Roster

    spec = rules.columns.tables[KIND]
    out = missing_columns(tables, spec)
    for i, t in enumerate(tables):
        if not any(k in t.columns for k in tuition_keys):
            out.append(file_finding(i, "schema.missing_column", tuition_keys[0],
                                    "没有各学年实缴学费列（第1学年学费、第2学年学费……）：每名学生一行、每个学年一列；"
                                    "按学年分行填写的表请改成这种格式后重新提交"))

    def present(key: str) -> pd.Series:
        return having_column(f, tables, key)

    # who the student is, and the card: the same checks and messages as rosters (a note or a second
    # student in 姓名 is name.invalid, an error: the student is not paid, as on rosters)
    out += identity_findings(f, has_name=present("name"), has_id=present("id_number"),
                              reference=reference.dt.strftime("%Y-%m-%d"), reference_label="入伍时间")
    out.append(invalid_names(f, rules.vocabulary.names.joiners))
    term = Term(year, "autumn")  # card checks read no dates; a Roster needs one
    out.append(card_findings(Roster(f, tables, term), rules))

    # the figures
    out += _level_and_year_findings(f, present, rules, year)
    out += _tuition_findings(f, present, rules, tuition_keys)
    for key in [k for k in spec.columns if f"{k}_merged" in f]:
        text = f[key].astype("string")
        down = f[f"{key}_down"]
        out.append(build(f[f"{key}_merged"].notna() & down.isna(), "enlist.invalid", key,
                         "{cols}合并为一个单元格“{v}”：无法确定这是每一列的金额还是几列的合计，本列不读取该数："
                         "请取消合并，每列分别填写（没有的填0）", text, cols=f[f"{key}_merged"], v=text))
        sharing = down.groupby([f["table"], down]).transform("size").astype("string")
        out.append(build(down.notna(), "enlist.invalid", key,
                         spec.columns[key].title + "单元格合并了{rows}，{n}名学生共用一个金额“{v}”：无法确定这是每名学生的"
                         "金额还是他们的合计，本行不读取该数：请取消合并，逐行填写每名学生的金额（没有的填0）",
                         text, rows=down, n=sharing, v=text))
    loan_text = f["loan"].astype("string")
    out.append(build(f["loan_given"] & ~f["loan_ok"] & _alone(f, "loan"), "enlist.invalid", "loan",
                     "贷款本金“{v}”不是有效金额：没有贷款请留空或填0", loan_text, v=loan_text))
    out.append(build(f["cap_fen"].notna() & f["counted"].fillna(-1).astype(int).eq(0), "enlist.no_years", "enlisted",
                     "入学年份与入伍年份同为{e}年，入伍前没有完整的学年：新生入伍如已缴纳第1学年学费，请按政策另行核定",
                     f["enlisted"].astype("string"), e=f["enlisted_year"]))
    out.append(_duplicates(f, tables))
    return out


def _level_and_year_findings(f: pd.DataFrame, present: Callable[[str], pd.Series], rules: Rulebook,
                             year: int) -> list[pd.DataFrame]:
    """The findings on the level, the years of enrolment and enlistment, and the cap they lead to."""
    book = rules.enlistment
    out = []
    level_text = f["level"].astype("string")
    known_levels = "、".join(book.levels)
    out.append(build(present("level") & f["level_key"].isna(), "enlist.invalid", "level",
                     "学历层次“{v}”无法识别：应为 " + known_levels + " 之一（见 rules/enlistment.yaml 的 levels）",
                     level_text, v=level_text))
    for key, label in (("enrolled", "入学年份"), ("enlisted", "入伍年份")):
        text = f[key].astype("string")
        year_col = f[f"{key}_year"]
        out.append(build(present(key) & year_col.isna(), "enlist.invalid", key,
                         label + "“{v}”不是年份：请填写四位年份，如 2012（或写明年月，如 2014年9月）", text, v=text))
    early = _enrolled_before_birth(f)
    out.append(build(early, "enlist.invalid", "enrolled",
                     # the birth year is not quoted: beside a masked ID it would give back part of it
                     "入学年份{s}早于身份证号码中的出生年份：可能是空白或错误的日期单元格（Excel 把空日期显示为1900年），"
                     "不计算入伍前的学年：请填写实际入学年份", f["enrolled"].astype("string"), s=f["enrolled_year"]))
    both = f["enrolled_year"].notna() & f["enlisted_year"].notna()
    out.append(build(both & (f["enlisted_year"] < f["enrolled_year"]).fillna(False), "enlist.invalid", "enlisted",
                     "入伍年份{e}早于入学年份{s}：请核对两个年份", f["enlisted"].astype("string"),
                     e=f["enlisted_year"], s=f["enrolled_year"]))
    out.append(build(both & (f["enlisted_year"] > year).fillna(False), "enlist.invalid", "enlisted",
                     "入伍年份{e}晚于本次补偿的年度{y}：请核对，或在入伍当年办理", f["enlisted"].astype("string"),
                     e=f["enlisted_year"], y=str(year)))
    schooling = f["schooling"].astype("string")
    out.append(build(present("schooling") & f["schooling"].notna() & f["schooling_years"].isna(), "enlist.invalid",
                     "schooling", "学制“{v}”无法识别：请填写年数，如 4 或 5年", schooling, v=schooling))
    split = f["cap_from"].notna() & f["level_key"].notna() & f["cap_fen"].isna()
    out.append(build(split, "enlist.invalid", "level",
                     "学历层次为“{v}”，{d}起的补偿标准按硕士、博士分别规定（{s}）：请写明硕士或博士", level_text,
                     v=level_text, d=f["cap_from"].astype("string"), s=f["cap_source"].astype("string")))
    unsure = f["month_1_or_10"]
    caps = {(y, lv, m): _cap_text(book, date(int(y), m, 1), lv) for y, lv in
            zip(f.loc[unsure, "enlisted_year"], f.loc[unsure, "level_key"]) for m in (1, 10) if y is not pd.NA}
    both = pd.Series(["" if not u or y is pd.NA else
                      (f"，两者补偿上限不同（1月入伍{caps[y, lv, 1]}，10月入伍{caps[y, lv, 10]}）"
                       if caps[y, lv, 1] != caps[y, lv, 10] else "") for u, y, lv in
                      zip(unsure, f["enlisted_year"], f["level_key"])], index=f.index, dtype="string")
    out.append(build(unsure, "enlist.invalid", "enlisted",
                     "入伍时间“{v}”可能是{y}年1月，也可能是{y}年10月（Excel 把数字 {y}.10 显示为 {y}.1）{both}，"
                     "不按任何一种计算：请写成文字，如“{y}年10月”或“{y}年1月”", f["enlisted"].astype("string"),
                     v=f["enlisted"].astype("string"), y=f["enlisted_year"], both=both))
    out += season_findings(f)
    first = min(p.from_ for p in book.caps)
    no_cap = f["enlist_day"].notna() & f["cap_from"].isna()
    out.append(build(no_cap, "enlist.not_covered", "enlisted",
                     "{e}年入伍（按{d}计），早于 rules/enlistment.yaml 最早的补偿标准（" + str(first) +
                     "起）：不在学费补偿和贷款代偿的政策范围内", f["enlisted"].astype("string"),
                     e=f["enlisted_year"], d=f["enlist_day"].astype("string")))
    changes = {y: [p.from_ for p in book.caps if p.from_.year == y and (p.from_.month, p.from_.day) != (1, 1)]
               for y in f["enlisted_year"].dropna().unique()}
    change = f["enlisted_year"].map(lambda y: "、".join(map(str, changes.get(y, []))) if y is not pd.NA else "")
    unsure = f["cap_fen"].notna() & f["enlisted_month"].isna() & change.astype(bool)
    out.append(build(unsure, "enlist.month_unknown", "enlisted",
                     "入伍时间“{v}”只读出{y}年，没有月份{m}，而该年补偿上限有调整（{c}起）：按{d}计，每学年上限{cap}元；"
                     "调整前入伍的适用原上限，请核实入伍月份后填写（如 2024年3月）", f["enlisted"].astype("string"),
                     v=f["enlisted"].astype("string"), c=change.astype("string"), d=f["enlist_day"].astype("string"),
                     cap=f["cap_fen"].map(yuan_text_or_none), y=f["enlisted_year"].astype("string"),
                     m=pd.Series(np.where(present("enlisted_month"), "（入伍月份为空）", ""), index=f.index)))
    return out


def _tuition_findings(f: pd.DataFrame, present: Callable[[str], pd.Series], rules: Rulebook,
                      tuition_keys: list[str]) -> list[pd.DataFrame]:
    """The findings on each year's tuition column: missing or unreadable where counted, given where not."""
    spec = rules.columns.tables[KIND]
    out = []
    counted = f["counted"].fillna(-1).astype(int)
    measurable = f["cap_fen"].notna()
    for k, key in enumerate(tuition_keys, start=1):
        title = spec.columns[key].title
        text = f[key].astype("string")
        need = measurable & (counted >= k)
        out.append(build(need & present(key) & ~f[f"{key}_ok"] & _alone(f, key), "enlist.invalid", key,
                         title + "“{v}”为空或不是有效金额：计入的每个学年都要填写实际缴纳的学费（未缴纳填0）",
                         text, v=text))
        out.append(build(need & ~present(key), "enlist.invalid", key,
                         f"计入第{k}学年，但表中没有“{title}”列：请补上该列后重新提交"))
        beyond = measurable & (counted < k) & (counted >= 0) & present(key) & f[f"{key}_ok"] \
            & (f[f"{key}_fen"].fillna(0) > 0)
        out.append(build(beyond, "enlist.year_not_counted", key,
                         title + "{v}元未计入：{why}", text, v=f[f"{key}_fen"].map(yuan_text_or_none),
                         why=f["years_reason"].astype("string")))
    more = measurable & (counted > len(tuition_keys))
    out.append(build(more, "enlist.invalid", "enlisted",
                     "计入{n}个学年，多于名单能读取的学年学费列（" + str(len(tuition_keys)) + "列）：请在 rules/columns.yaml "
                     "的 enlist 表中增加该学年学费列的写法", f["enlisted"].astype("string"), n=f["counted"]))
    return out


def _loan_findings(f: pd.DataFrame) -> pd.DataFrame:
    """enlist.loan_exceeds: the loan with its interest beyond what the years counted can repay (after
    the totals)."""
    total = f["total_fen"]
    owed = f["owed_fen"]
    over = (total.notna() & owed.notna() & (owed > total.fillna(0))).fillna(False).to_numpy(dtype=bool)
    return build(over, "enlist.loan_exceeds", _loan_column(f),
                 "贷款本息{l}元，超过可补偿总额{t}元：代偿{t}元后，余下{r}元仍由学生按借款合同归还",
                 f["loan"].astype("string"), l=owed.map(yuan_text_or_none), t=total.map(yuan_text_or_none),
                 r=(owed - total).map(yuan_text_or_none))


def _loan_column(f: pd.DataFrame) -> str:
    """The column a finding on the loan as a whole names: the first the list has of 贷款本息, 贷款本金."""
    return "loan_total" if f["loan_total"].notna().any() else "loan"


def _loan_input_findings(f: pd.DataFrame, tables: list[Table], loan_keys: list[str]) -> list[pd.DataFrame]:
    """The findings on the loan as the list gives it: unreadable figures, totals that disagree, a total
    without the loan by year (warning), a loan written for a year not counted (warning)."""
    def present(key: str) -> pd.Series:
        return having_column(f, tables, key)

    out = []
    for key, label in (("loan_interest", "贷款利息"), ("loan_total", "贷款本息")):
        text = f[key].astype("string")
        out.append(build(present(key) & f[key].notna() & ~f[f"{key}_ok"] & _alone(f, key),
                         "enlist.invalid", key, label + "“{v}”不是有效金额：没有请留空或填0", text, v=text))
    counted = f["counted"].fillna(-1).astype(int)
    for k, key in enumerate(loan_keys, start=1):
        text = f[key].astype("string")
        out.append(build(present(key) & f[key].notna() & ~f[f"{key}_ok"] & _alone(f, key),
                         "enlist.invalid", key, f"第{k}学年贷款“{{v}}”不是有效金额：该学年没有贷款请留空或填0", text,
                         v=text))
        beyond = (counted < k) & (counted >= 0) & present(key) & f[f"{key}_ok"] & (f[f"{key}_fen"].fillna(0) > 0)
        out.append(build(beyond, "enlist.year_not_counted", key,
                         f"第{k}学年贷款{{v}}元未计入：{{why}}", text, v=f[f"{key}_fen"].map(yuan_text_or_none),
                         why=f["years_reason"].astype("string")))
    yuan = yuan_text_or_none
    out.append(build(f["loan_total_conflict"].notna(), "enlist.invalid", "loan_total", "{why}：{advice}",
                     f["loan_total"].astype("string"), why=f["loan_total_conflict"], advice=f["loan_total_advice"]))
    out.append(build(f["loan_principal_conflict"].notna(), "enlist.invalid", "loan",
                     "{why}，两者应是同一笔贷款，不按其中任何一个计算：请核对各学年贷款和贷款本金（贷款本金应等于各学年贷款合计）", f["loan"].astype("string"),
                     why=f["loan_principal_conflict"]))
    total_only = ~f["by_year"] & (f["owed_fen"] > 0).fillna(False) & (counted >= 2) & f["cap_fen"].notna()
    out.append(build(total_only, "enlist.loan_not_by_year", _loan_column(f),
                     "名单只有贷款总额（本息{o}元），没有各学年的贷款：各学年按实缴学费计（不超过上限），贷款本息高出"
                     "学费合计的部分只计入各学年贷款无论怎样分布都应补偿的{a}元。按学年计算的补偿只会相同或更高："
                     "请按学年填写贷款（第1学年贷款、第2学年贷款……）后重新计算", f["loan"].astype("string"),
                     o=f["owed_fen"].map(yuan), a=f["loan_added_fen"].map(yuan)))
    return out


def _duplicates(f: pd.DataFrame, tables: list[Table]) -> pd.DataFrame:
    who = f["person"]
    dup = who.notna() & who.duplicated(keep=False)
    if not dup.any():
        return empty()
    sub = f[dup]
    place = sub["file"] + " 第" + sub["row"].astype(str) + "行（" + sub["school"].astype("string").fillna("学校不明") + "）"
    group = group_places(sub["person"], place)  # a group described once: linear however many copies
    return build(dup, "enlist.duplicate", "id_number",
                 "同一学生（身份证号码“{id}”）在名单中出现{n}次：{places}。每名入伍学生的学费补偿和贷款代偿只办理一次："
                 "请核实后只保留一处", f["id_number"], id=who, n=who.map(group["count"]),
                 places=who.map(group["places"]))


def _finalise(parts: list[pd.DataFrame], f: pd.DataFrame, tables: list[Table], rules: Rulebook) -> pd.DataFrame:
    """One findings frame: the table, the header as written, severity, file and Excel row of each."""
    spec = rules.columns.tables[KIND]
    parts = [p for p in parts if len(p)]
    findings = pd.concat(parts, ignore_index=True) if parts else empty()
    rec = findings["rec"].astype("int64").to_numpy()
    on_record = rec >= 0
    table = findings["table"].to_numpy(dtype=object).copy() if "table" in findings else np.full(len(rec), None)
    table[on_record] = f["table"].to_numpy()[rec[on_record]]
    findings["rec"] = rec
    findings["table"] = table.astype("int64")
    headers = {(i, k): m.header for i, t in enumerate(tables) for k, m in t.columns.items()}
    findings["header"] = [headers.get((int(t), c), spec.columns[c].title if c in spec.columns else c)
                          for t, c in zip(findings["table"], findings["column"])]
    findings["severity"] = severities(findings, rules.severity)
    findings["file"] = [tables[int(t)].file for t in findings["table"]]
    findings["row"] = [int(f.at[r, "row"]) if r >= 0 else None for r in findings["rec"]]
    order = {c: i for i, c in enumerate(CATALOGUE)}  # per record, in the catalogue's order
    findings["_order"] = findings["code"].map(order)
    return findings.sort_values(["table", "rec", "_order"], kind="stable").drop(columns="_order") \
        .reset_index(drop=True)

def bank_records(students: pd.DataFrame, year: int) -> pd.DataFrame:
    s = students.sort_values(["school", "table", "row"], kind="stable", na_position="last")
    return pd.DataFrame({
        "file_seq": np.arange(1, len(s) + 1), "name": s["name"].astype(object).to_numpy(),
        "card": s["card"].astype(object).to_numpy(), "amount_fen": s["to_student_fen"].astype("int64").to_numpy(),
        "id_number": s["person"].astype(object).to_numpy(), "school": s["school"].astype(object).to_numpy(),
        "programme": PROGRAMME, "memo": f"{year}年{PROGRAMME}"}, index=s.index)
