"""audit-extraction: each school's set-aside from 事业收入 against rules/extraction.yaml.

Finance sheets come from schools or the finance bureau, one row per school, as messily as rosters:
title rows, 合计 rows, and units per column (事业收入（万元） beside 提取金额（元）), which are honoured
column by column, or for the sheet by a 单位：万元 line above the header or under the table (one the
lines state two ways leaves the figures it governs unread). Money is integer fen throughout; required
amounts are rate × income rounded half up to the fen, computed exactly with the rate as a fraction.
A 学校代码 typed as a number has lost its leading zeros (00123 → 123): it is read as the code it
lost them from only where that is one school, else not guessed (`_lost_zeros`); one schools.xlsx does not
hold beside a registered school's name is not a school of its own (`_who`). Every total is over the same
school-years, those whose figures were all read (`in_totals`), and the registered schools of the types
audited that sent no row are listed (`missing`): the audit is then incomplete.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd

from aidctl.check import UNIT_CONFLICT_ADVICE, settle_headers, unit_conflict_words
from aidctl.core import money
from aidctl.core.amounts import YUAN_LIMIT_TEXT
from aidctl.core.findings import ERROR, WARNING, FindingCounts, build, empty, severities
from aidctl.core.labels import UNKNOWN_COUNTY
from aidctl.core.money import yuan_text_or_none
from aidctl.core.text import filled, fold_one
from aidctl.oversight.coverage import AMOUNTS, MISSING_COLUMNS, in_totals, missing_note, missing_schools, totals_note
from aidctl.oversight.finance_units import UNSAID_ADVICE, unit_notes, unsaid_units
from aidctl.read import (
    Table,
    Workspace,
    aliases_of,
    contradicted_note,
    file_info,
    guessed_note,
    having_column,
    merged_range,
    missing_columns,
    read_tables,
    school_attributes,
    school_keys,
    shared_note,
    sheet_notes,
    stack,
)

NO_FINANCE = "没有给出财务报表，{folder} 下也没有：请在命令行上列出文件"
_YEAR = re.compile(r"(\d{4})\s*年")
COMPLIANT, ATTENTION, NON_COMPLIANT, UNAUDITABLE = "合规", "需关注", "不合规", "无法审核"
BREACHES = ("extraction.under", "extraction.not_deposited")  # found on figures that were read
UNREADABLE = ("extraction.invalid", "extraction.duplicate")   # the figures could not be audited
TOTALLED = ["income", "required_min", "required_max", "extracted", "deposited", "spent", "shortfall"]


@dataclass
class ExtractionAudit(FindingCounts):
    year: int
    year_source: str
    tables: list[Table]
    schools: pd.DataFrame      # one row per school row read, with its figures (fen); `counted` once a school-year,
    #                            `in_totals` where it is counted and every figure was read (what every total sums)
    findings: pd.DataFrame     # rec (school row), table, column, code, severity, message
    notes: list[str] = field(default_factory=list)   # said aloud: the year chosen, rows left out
    # the schools of schools.xlsx, of a type the year has a rate for, that no row of the year names
    missing: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=MISSING_COLUMNS))

    @property
    def errors(self) -> int:
        """The error findings, and each school of schools.xlsx that sent no row (the audit is then
        incomplete): what exit 1 rests on. `summary.errors` counts the findings alone."""
        return int((self.findings["severity"] == ERROR).sum()) + len(self.missing)

    def verdicts(self) -> pd.Series:
        """Per school row: 不合规 (a shortfall or a gap in the deposit, found on figures read), 无法审核
        (a figure could not be read, or the school-year stands twice: never 合规), 需关注 (warnings
        only) or 合规. A school-year given twice is 无法审核 whatever its figures say."""
        f = self.findings[self.findings["rec"] >= 0]
        codes = f.groupby("rec")["code"].agg(set).reindex(self.schools.index)
        severities = f.groupby("rec")["severity"].agg(set).reindex(self.schools.index)

        def one(c, sv):
            if not isinstance(c, set):
                return COMPLIANT
            if "extraction.duplicate" in c:
                return UNAUDITABLE
            if c & set(BREACHES):
                return NON_COMPLIANT
            if c & set(UNREADABLE):
                return UNAUDITABLE
            return NON_COMPLIANT if ERROR in sv else ATTENTION if WARNING in sv else COMPLIANT

        return pd.Series([one(c, sv) for c, sv in zip(codes, severities)], index=self.schools.index, dtype=object)

    def by_county(self) -> pd.DataFrame:
        """The county roll-up over the school-years counted (each once): the schools, 不合规 and 无法审核
        among them, and `totalled`, those in the sums; every sum is over those (`in_totals`), so that
        事业收入, 应提 and 实提 of a county are of the same schools."""
        s = self.schools.assign(verdict=self.verdicts(), county=self.schools["county"].fillna(UNKNOWN_COUNTY))
        s = s[s["counted"].astype(bool)]
        grouped = s.groupby("county", sort=True)
        summed = s[s["in_totals"].astype(bool)].groupby("county", sort=True)
        out = pd.DataFrame({
            "schools": grouped.size(),
            "non_compliant": grouped["verdict"].agg(lambda v: int((v == NON_COMPLIANT).sum())),
            "unauditable": grouped["verdict"].agg(lambda v: int((v == UNAUDITABLE).sum())),
            "totalled": summed.size().reindex(grouped.size().index, fill_value=0),
            **{c: summed[c].sum(min_count=1).reindex(grouped.size().index) for c in TOTALLED},
        }).reset_index()
        return out

    def to_json(self) -> dict:
        f = self.findings
        by_rec = {rec: [{"code": c, "severity": s, "message": m} for c, s, m in
                        zip(g["code"], g["severity"], g["message"])] for rec, g in f[f["rec"] >= 0].groupby("rec")}
        s = self.schools

        verdicts = self.verdicts()
        schools = []
        for rec, r in zip(s.index, s.itertuples()):  # one row per school: a few hundred at most
            schools.append({
                "file": r.file, "row": int(r.row), "school_code": r.school_code, "school_name": r.school,
                "type": r.school_type, "county": r.county, "year": int(r.year) if r.year == r.year else None,
                "income": yuan_text_or_none(r.income), "required_min": yuan_text_or_none(r.required_min),
                "required_max": yuan_text_or_none(r.required_max), "extracted": yuan_text_or_none(r.extracted),
                "deposited": yuan_text_or_none(r.deposited), "spent": yuan_text_or_none(r.spent), "rate": r.rate,
                "min_rate": r.min_rate, "max_rate": r.max_rate, "shortfall": yuan_text_or_none(r.shortfall),
                "verdict": verdicts[rec], "counted": bool(r.counted), "in_totals": bool(r.in_totals),
                "findings": by_rec.get(rec, [])})
        file_level = [{"file": self.tables[int(t)].file, "code": c, "severity": sv, "message": m}
                      for t, c, sv, m in f.loc[f["rec"] < 0, ["table", "code", "severity", "message"]]
                      .itertuples(index=False, name=None)]
        counted = s["counted"].astype(bool).to_numpy()
        once = s[counted]
        v = verdicts[counted]
        summed = s[s["in_totals"].astype(bool).to_numpy()]   # every total over the same schools
        total = lambda col: yuan_text_or_none(summed[col].sum(min_count=1))  # noqa: E731
        missing = [{"school_code": c, "school_name": n, "county": k, "type": t}
                   for c, n, k, t in self.missing[MISSING_COLUMNS].astype(object)
                   .where(self.missing[MISSING_COLUMNS].notna(), None).itertuples(index=False, name=None)]
        return {"version": 1, "year": self.year, "year_source": self.year_source,
                "files": file_info(self.tables),
                "schools": schools, "file_findings": file_level, "missing_schools": missing, "notes": self.notes,
                "summary": {"schools": len(once), "compliant": int((v == COMPLIANT).sum()),
                            "attention": int((v == ATTENTION).sum()),
                            "non_compliant": int((v == NON_COMPLIANT).sum()),
                            "unauditable": int((v == UNAUDITABLE).sum()),
                            "errors": int((f["severity"] == ERROR).sum()),
                            "warnings": int((f["severity"] == WARNING).sum()),
                            "totalled": len(summed),
                            "income": total("income"), "required_min": total("required_min"),
                            "extracted": total("extracted"), "deposited": total("deposited"),
                            "spent": total("spent"), "shortfall": total("shortfall")}}


def _title_year(table: Table) -> int | None:
    """The year a table's title (the rows above its header), else its file's name, states."""
    for text in [*table.above, table.path.stem]:
        m = _YEAR.search(text) or re.search(r"(20\d{2})", text)
        if m:
            return int(m.group(1))
    return None


def _year(stated: pd.Series, from_title: pd.Series, year: int | None, notes: list[str]) -> tuple[int, str]:
    """The year audited: --year, else the years the rows state (in the 年度 column, else in their
    table's title): the latest, said aloud, when they state several; else last year (said aloud)."""
    if year:
        return year, "option"
    years = sorted(int(y) for y in stated.dropna().unique())
    by_title = bool(from_title[stated.notna()].all())   # no row states its year in a 年度 column
    source = "title" if by_title else "column"
    if len(years) == 1:
        return years[0], source
    if years:
        where = "各表标题" if by_title else "年度列和表标题" if from_title.any() else "年度列"
        notes.append(f"{where}中有{'、'.join(map(str, years))}年的数据，未指定 --year：审核最近的{years[-1]}年度；"
                     "其他年度请用 --year 指定")
        return years[-1], source
    last = date.today().year - 1
    notes.append(f"表中没有年度列，标题和文件名中也没有年度：按上一年度{last}年审核；请用 --year 指定")
    return last, "default"


def audit(paths: list[Path] | None, ws: Workspace, *, year: int | None = None,
          displays: list[str] | None = None, report: Path | None = None) -> ExtractionAudit:
    """Read the finance sheets (those given, else the workspace's finance/) and check each school's
    extraction, deposit and spending for one year: the rows of other years are left out, 小计 rows
    are not schools, and a school-year that stands twice is an error, counted once. With `report`,
    the audit workbook is written there (refused first when it would replace an input or a file the
    workspace keeps)."""
    rules = ws.rules
    spec = rules.columns.tables["finance"]
    if displays is None:
        paths, displays = ws.inputs(paths, "finance", NO_FINANCE)
    ws.output(report, paths)
    tables = [t for p, d in zip(paths, displays) for t in read_tables(p, d, "finance", rules)]
    header = settle_headers(tables, spec, rules.columns.units, "finance", unit_conflicts_by_row=True)
    frame = stack(tables, spec).rename(columns={"excel_row": "row"})
    notes: list[str] = ws.unread_notes()
    # the reader drops total rows by the first cell; a finance sheet also names them in its school or
    # county column ("戊县小计"): the same words, from rules/vocabulary.yaml
    words = rules.vocabulary.rows.markers().get("total", []) + rules.vocabulary.rows.total_anywhere
    ending = "(?:" + "|".join(map(re.escape, dict.fromkeys(words))) + ")$"
    subtotal = pd.Series(False, index=frame.index)
    for key in ("school", "county", "school_code", "seq"):
        subtotal |= frame[key].str.contains(ending, regex=True).fillna(False).astype(bool)
    read_away = sum(t.dropped.get("total", 0) for t in tables)
    if subtotal.any() or read_away:
        names = frame.loc[subtotal, ["school", "county", "school_code", "seq"]].bfill(axis=1).iloc[:, 0].dropna()
        example = f"（如“{names.iloc[0]}”）" if len(names) else ""
        notes.append(f"略去{int(subtotal.sum()) + read_away}个小计/合计行{example}：它们不是学校")
    frame = frame[~subtotal.to_numpy()].reset_index(drop=True)
    unsaid = [unsaid_units(t, spec, rules.columns.units) for t in tables]
    for key in AMOUNTS:  # the figures in fen, under their own names from here on; none is below zero
        fen = frame[f"{key}_fen"]
        # a figure in a merged range (事业收入 merged down over two schools, 提取金额 across 划入专户金额)
        # shows one value in each cell: whose it is, or whether it is their total, is not known
        frame[f"{key}_merged"] = merged_range(frame, tables, key, row="row")
        # a figure whose column states no unit while the sheet's 单位 lines state two (单位：元 above, 单位：万元
        # under the table): in which of them it is written is not known
        # So is one whose column states no unit, nor any line, while another money column states 万元:
        # 元 or 万元 is not known (`unsaid_units`)
        frame[f"{key}_unit_conflict"] = frame["table"].map(
            {i: unit_conflict_words(t, t.columns[key]) if t.columns[key].unit_conflict else unsaid[i][key]
             for i, t in enumerate(tables) if key in t.columns and (t.columns[key].unit_conflict or key in unsaid[i])}
        ).astype("string")
        frame[f"{key}_unit_advice"] = frame["table"].map(
            lambda i: UNSAID_ADVICE if key in unsaid[i] else UNIT_CONFLICT_ADVICE)  # noqa: B023
        ok = frame[f"{key}_ok"].to_numpy(dtype=bool) & ~(fen < 0).fillna(False).to_numpy(dtype=bool) \
            & frame[f"{key}_merged"].isna().to_numpy() & frame[f"{key}_unit_conflict"].isna().to_numpy()
        frame[f"{key}_text"], frame[f"{key}_ok"], frame[key] = frame[key], ok, fen.where(ok)  # the text names a cell
    # a 年度 is one four-digit year ("2011", "2011年度"); "11年" or "2011-2012" is not read as one
    written = frame["year"].astype("string")
    row_year = pd.to_numeric(written.str.extract(r"^\D*(\d{4})\D*$", expand=False)).astype("Int64")
    unread = (filled(written) & row_year.isna()).to_numpy(dtype=bool)
    # a row without a 年度 is of the year its table's title states (two files, 2011年度… and 2012年度…)
    titled = frame["table"].map({i: _title_year(t) for i, t in enumerate(tables)}).astype("Int64")
    from_title = (row_year.isna() & ~unread & titled.notna()).astype(bool)
    row_year = row_year.where(~from_title, titled)
    the_year, source = _year(row_year, from_title, year, notes)
    other = (row_year.notna() & (row_year != the_year)).to_numpy(dtype=bool)
    if other.any():
        years = "、".join(str(int(y)) for y in sorted(row_year[other].unique()))
        notes.append(f"{int(other.sum())}行属于其他年度（{years}，见年度列或表标题），未审核：本次审核{the_year}年度")
    blank = row_year.isna().to_numpy(dtype=bool) & ~unread & having_column(frame, tables, "year").to_numpy()
    if blank.any():
        notes.append(f"{int(blank.sum())}行的年度为空，按{the_year}年度审核")
    frame = frame[~other].reset_index(drop=True)
    notes += sheet_notes(tables, "学校", frame, row="row") + unit_notes(tables, spec, rules.columns.units)
    frame["year_written"] = frame["year"]
    frame["year_unread"] = unread[~other]  # its school is not audited: a finding names the cell
    frame["year"] = the_year
    # a 学校代码 typed as a number lost its leading zeros (00123 → 123): read as the code the other rows
    # or schools.xlsx give with them where that is one school, else not guessed (code_unsure)
    frame["school_code"], frame["code_unsure"], register, said = _lost_zeros(frame, ws.schools)
    notes += said
    attrs = school_attributes(frame, rules, ws, source="报表", guessed=True, schools=register)
    frame["school_type"] = attrs["v_school_type"]
    frame["county"] = attrs["v_county"]
    # the rate rests on the type: where schools.xlsx overrode the sheet, could not tell the school, or
    # the type came from the name alone, that is said
    notes += [n for n in (shared_note(attrs, "报表", "", "行"), contradicted_note(attrs, "报表", "", "行"),
                          guessed_note(attrs, "提取比例")) if n]
    _requirements(frame, rules)
    frame["who"], frame["unsure"], frame["clash"], frame["stray"] = _who(frame, register)
    frame["counted"] = _first_of_school_year(frame)
    findings = _findings(frame, tables, rules, header)
    frame["in_totals"] = in_totals(frame, findings)
    notes += totals_note(frame)
    missing = missing_schools(frame, register, rules, the_year)
    notes += missing_note(missing, register, rules, the_year)
    columns = ["file", "row", "table", "school_code", "school", "school_type", "county", "year", *AMOUNTS,
               "required_min", "required_max", "shortfall", "deposit_gap", "unspent", "rate",
               "min_rate", "max_rate", "counted", "in_totals"]
    result = ExtractionAudit(the_year, source, tables, frame[columns].astype(object).where(frame[columns].notna(),
                                                                                           None), findings, notes,
                             missing)
    if report is not None:
        from aidctl.oversight.workbooks import write_extraction_report

        write_extraction_report(result, report)
    return result


def _who(frame: pd.DataFrame, schools: pd.DataFrame | None) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """Who each row is: its 学校代码; without one, the 学校代码 that the other rows and schools.xlsx (by
    name or 别名) give its name, when they give it one (a school's own file without the column beside
    the county's file with it); else its name folded (NA without either). Then, where which school it
    is cannot be told (NA elsewhere): for a row without a code whose name they give two or more codes
    (两所第一中学), those codes (“9001、9002”); for a row whose code schools.xlsx gives one school and
    its name another (3201 beside 城关职业技术学校, 3102), the two schools as the register names them.
    Last, `stray`: for a row whose code schools.xlsx does not hold while its name (or 别名) is a
    registered school's (3210 第一中学, registered 3201), the registered code(s) of that name (NA
    elsewhere). Such a row is that school where the name gives one code (so that the school-year
    standing twice is seen), else no school; it is never counted (`_first_of_school_year`)."""
    name = frame["school"].map(fold_one, na_action="ignore").replace("", None).astype("string")
    code = frame["school_code"].astype("string")
    register = pd.DataFrame({"name": pd.Series(dtype="string"), "code": pd.Series(dtype="string")})
    if schools is not None and "school_code" in schools:
        keys = school_keys(schools)["key"]
        register = pd.DataFrame({"name": keys.to_numpy(), "code": schools.loc[keys.index, "school_code"].to_numpy()},
                                dtype="string").replace("", None).dropna().drop_duplicates()
    registered = register.groupby("name")["code"].agg(list) if len(register) else pd.Series(dtype=object)
    name_codes = name.map(registered)
    named_by = dict(zip(schools["school_code"].astype("string"), schools["school"])) if len(register) else {}
    # a code the register does not hold beside a name it does: a mistyped code, or another school of that
    # name? (a code that lost its leading zeros has its own finding, code_unsure)
    stray = (code.notna() & ~code.isin(list(named_by)) & name_codes.notna()
             & frame["code_unsure"].isna()).fillna(False).astype(bool)
    stray_codes = name.map(registered.map("、".join)).where(stray).astype("string")
    registered_one = name.map(registered[registered.map(len) == 1].map(lambda c: c[0])).astype("string")
    pairs = pd.concat([pd.DataFrame({"name": name, "code": code})[~stray].dropna(), register]).drop_duplicates()
    codes = pairs.groupby("name")["code"].agg(list) if len(pairs) else pd.Series(dtype=object)
    one = name.map(codes[codes.map(len) == 1].map(lambda c: c[0])).astype("string")
    several = name.map(codes[codes.map(len) > 1].map("、".join)).astype("string")
    clash = pd.Series([f"学校代码{c}在 schools.xlsx 中是“{named_by[c]}”，而“{n}”登记的学校代码是{'、'.join(r)}"
                       if isinstance(r, list) and c in named_by and c not in r else None
                       for c, n, r in zip(code, frame["school"], name_codes)], index=frame.index, dtype="string")
    who = code.fillna(one).fillna(name).mask(stray, registered_one)
    return who, several.where(code.isna()), clash, stray_codes


def _school_year_key(frame: pd.DataFrame) -> pd.Series:
    """The school (`who`) of the rows of the year audited (NA for a row whose 年度 could not be read,
    or whose school cannot be told: among schools of its name, between its code's and its name's, or
    among the codes its code may be with its leading zeros)."""
    return frame["who"].where(~frame["year_unread"] & frame["unsure"].isna() & frame["clash"].isna()
                              & frame["code_unsure"].isna())


def _lost_zeros(frame: pd.DataFrame, schools: pd.DataFrame | None) -> tuple[pd.Series, pd.Series,
                                                                            pd.DataFrame | None, list[str]]:
    """The rows' 学校代码 and schools.xlsx as read where a code of digits lost its leading zeros: a
    number cell keeps no zero in front, so 00123 typed as a number is 123, in the sheet or in
    schools.xlsx. Codes that differ only in the zeros in front (123, 00123) are one school's when
    exactly one of them has zeros in front, schools.xlsx does not register both, and every name given
    with them (on the sheets' rows; in schools.xlsx, with its 别名) is one school's: the code without
    zeros is then read as the one with them, in the rows and in the register, and a note says so.
    Otherwise the rows whose code cannot be told (the one without zeros; one with zeros that
    schools.xlsx has only without them) get why in `code_unsure` (NA elsewhere): never matched to a
    school by a guess, nor left a school of their own in silence.
    Returns (codes, code_unsure, schools with its codes as read, notes)."""
    code = frame["school_code"].astype("string")
    unsure = pd.Series(pd.NA, index=frame.index, dtype="string")
    registered = schools["school_code"].astype("string") if schools is not None and "school_code" in schools \
        else pd.Series(dtype="string")
    digits = lambda s: s.str.fullmatch(r"[0-9]+").fillna(False).astype(bool)  # noqa: E731
    groups: dict[str, list[str]] = {}   # the codes of digits (a few hundred), by their digits after the zeros
    for form in sorted(set(code[digits(code)]) | set(registered[digits(registered)])):
        groups.setdefault(form.lstrip("0") or "0", []).append(form)
    groups = {key: group for key, group in groups.items() if len(group) > 1 and key in group}
    if not groups:
        return code, unsure, schools, []
    in_register = set(registered.dropna())
    folded = frame["school"].map(fold_one, na_action="ignore").replace("", None)
    names_of = {}   # a registered code → its name and 别名, folded
    if len(in_register):
        for c, name, aliases in zip(registered, schools["school"],
                                    schools["aliases"] if "aliases" in schools else [None] * len(schools)):
            if c is not pd.NA:
                names_of.setdefault(c, set()).update([fold_one(name), *aliases_of(aliases)])
    mapping, notes = {}, []
    where = frame["file"] + " 第" + frame["row"].astype("string") + "行"
    for key, group in groups.items():  # the codes told apart by their zeros alone: a few at most
        padded = sorted((g for g in group if g != key), key=len)
        rows = code.isin(group).fillna(False).to_numpy(dtype=bool)
        said = set(folded[rows].dropna())
        known = set().union(*(names_of[g] for g in group if g in names_of))
        both = key in in_register and any(p in in_register for p in padded)
        agree = said <= known if known else len(said) <= 1
        if len(padded) == 1 and not both and agree:
            mapping[key] = padded[0]
            bare_rows = (code == key).fillna(False).to_numpy(dtype=bool)
            if bare_rows.any():
                source = " schools.xlsx " if padded[0] in in_register else "报表其他行"
                notes.append(f"学校代码“{key}”（{where[bare_rows].iloc[0]}"
                             f"{f'等{int(bare_rows.sum())}行' if bare_rows.sum() > 1 else ''}）按{source}中的“{padded[0]}”读取："
                             "学校代码单元格可能是数字格式，前导零已丢失；请将该列设为文本格式")
            if key in in_register:
                notes.append(f"schools.xlsx 中的学校代码“{key}”按报表中的“{padded[0]}”读取：schools.xlsx 中该单元格可能是"
                             "数字格式，前导零已丢失；请将该列设为文本格式")
            continue
        doubt = [key] + ([p for p in padded if p not in in_register] if key in in_register else [])
        reason = ("，不知是其中哪一个" if len(padded) > 1 else
                  "，而 schools.xlsx 中它们是两所学校" if both else
                  f"，而同这些代码一起填写的学校名称不是同一所学校（{'、'.join(sorted(said | known))}）")
        for c in doubt:
            others = "、".join(f"“{g}”" + ("（schools.xlsx）" if g in in_register else "") for g in group if g != c)
            hit = (code == c).fillna(False).to_numpy(dtype=bool)
            unsure[hit] = (f"学校代码“{c}”与{others}只差前导零（数字格式的单元格会丢失前导零）{reason}：无法确定是哪一所学校，"
                           "该校无法审核，不计入合计：请将学校代码列设为文本格式，按 schools.xlsx 登记的代码填写")
    if not mapping:
        return code, unsure, schools, notes
    if len(in_register):
        schools = schools.assign(school_code=registered.replace(mapping))
    return code.replace(mapping), unsure, schools, notes


def _first_of_school_year(frame: pd.DataFrame) -> pd.Series:
    """True for the first row of each school-year: what totals count. A row whose 年度 could not be
    read is of no known year, and one naming no school (a total row without a label, its figures
    the sum of the rows above), or whose school cannot be told, is of no known school: never counted.
    Nor is a row whose code schools.xlsx does not hold (`stray`): the school-year is counted from its
    first row with a registered code, if any."""
    key = _school_year_key(frame)
    stray = frame["stray"].notna().to_numpy(dtype=bool)
    order = np.argsort(stray, kind="stable")  # the rows with a registered code first
    first = pd.Series(~key.iloc[order].duplicated(keep="first").to_numpy(), index=key.index[order])
    return key.notna() & first.reindex(key.index) & ~stray


def _requirements(frame: pd.DataFrame, rules) -> None:
    """required_min/max (fen), the shortfall, the deposit gap, what is left unspent, the rates."""
    book = rules.extraction
    lo_num, lo_den, hi_num, hi_den, lo_text, hi_text = ([] for _ in range(6))
    for st, yr in zip(frame["school_type"], frame["year"]):  # per school: a few hundred rows
        period = book.rates(st, int(yr)) if st else None
        lo = Fraction(period.min_rate) if period else None
        hi = Fraction(period.max_rate) if period else None
        lo_num.append(lo.numerator if lo is not None else np.nan)
        lo_den.append(lo.denominator if lo is not None else np.nan)
        hi_num.append(hi.numerator if hi is not None else np.nan)
        hi_den.append(hi.denominator if hi is not None else np.nan)
        lo_text.append(_percent(period.min_rate) if period else None)
        hi_text.append(_percent(period.max_rate) if period else None)
    income = frame["income"]

    def times(num, den):
        n = pd.Series(num, index=frame.index, dtype="Float64").astype("Int64")
        d = pd.Series(den, index=frame.index, dtype="Float64").astype("Int64")
        return money.times_half_up(income, n, d)  # rate × income, to the fen (income ≥ 0), exact

    frame["required_min"] = times(lo_num, lo_den)
    frame["required_max"] = times(hi_num, hi_den)
    frame["min_rate"], frame["max_rate"] = lo_text, hi_text
    frame["shortfall"] = (frame["required_min"] - frame["extracted"]).clip(lower=0)
    frame["deposit_gap"] = (frame["extracted"] - frame["deposited"]).clip(lower=0)
    frame["unspent"] = frame["deposited"] - frame["spent"]
    # figures the sheet gives that contradict each other: more paid into the 专户 than was extracted, more
    # paid out of it than was paid in (a 结余 below zero)
    frame["over_deposit"] = (frame["deposited"] - frame["extracted"]).clip(lower=0)
    frame["overspent"] = (frame["spent"] - frame["deposited"]).clip(lower=0)
    frame["rate"] = money.share_text(frame["extracted"], income)


def _percent(rate) -> str:
    return f"{(rate * 100).normalize():f}%"


def _findings(frame: pd.DataFrame, tables: list[Table], rules, header: list[pd.DataFrame]) -> pd.DataFrame:
    spec = rules.columns.tables["finance"]
    out = missing_columns(tables, spec) + header
    yuan = {k: frame[k].map(lambda v: None if v is pd.NA else str(money.yuan(v))) for k in
            [*AMOUNTS, "required_min", "required_max", "shortfall", "deposit_gap", "unspent", "over_deposit",
             "overspent"]}
    titles = {k: spec.columns[k].title for k in AMOUNTS}
    read = {}  # key → the figure was read (its column is there and the cell is an amount)
    for key in AMOUNTS:
        present = having_column(frame, tables, key)
        read[key] = present & frame[f"{key}_ok"].astype(bool)
        written = frame[f"{key}_text"].astype("string")
        merged = frame[f"{key}_merged"].notna()
        conflict = frame[f"{key}_unit_conflict"].notna() & ~merged
        out.append(build(conflict, "extraction.invalid", key,
                         "{title}“{v}”未读取：{c}；该校无法审核：{a}后重新提交", written, title=titles[key],
                         v=written.fillna("空"), c=frame[f"{key}_unit_conflict"], a=frame[f"{key}_unit_advice"]))
        out.append(build(merged, "extraction.invalid", key,
                         "{title}“{v}”在合并单元格{m}中，这一个数显示在合并的每一格里，不知是本校的数还是几所学校"
                         "（或几列）共用的合计：未读取，该校无法审核：请取消合并，每格填写本校该项的数",
                         written, title=titles[key], v=written, m=frame[f"{key}_merged"]))
        out.append(build(present & ~read[key] & ~merged & ~conflict, "extraction.invalid", key,
                         "{title}“{v}”为空、为负数或不是有效金额（精确到分，按表头单位折算后低于{limit}）：请填写（单位见表头）；"
                         "该校无法审核", written, title=titles[key], v=written, limit=YUAN_LIMIT_TEXT))
        out.append(build(~present, "extraction.invalid", key,
                         "表中没有读出“{title}”列（表头见第{h}行），该校的{title}无法审核：请按每列一个表头填写",
                         None, title=titles[key], h=frame["table"].map(lambda t: tables[t].header_row).astype("string")))
    # 事业收入 of 0: rate × 0 requires nothing, so any extraction would be 合规; a sheet never filled in
    # (or a figure typed as 0) cannot be told from a school with no income
    zero = read["income"] & (frame["income"] == 0).fillna(False)
    out.append(build(zero, "extraction.invalid", "income",
                     "{title}为0（“{v}”）：应提取金额按比例为0，提取是否足额无从审核，不知是确无事业收入还是未填写："
                     "该校无法审核，不计入合计；请核实，确无事业收入的请附说明", frame["income_text"].astype("string"),
                     title=titles["income"], v=frame["income_text"].astype("string")))
    nameless = frame["school"].isna() & frame["school_code"].isna()
    out.append(build(nameless, "extraction.invalid", "school",
                     "学校名称为空：无法确定是哪所学校（或是没有标明的合计行），未审核，不计入合计：请填写学校名称，"
                     "合计行请标明“合计”", None))
    out.append(build(frame["year_unread"], "extraction.invalid", "year",
                     "年度“{v}”无法识别为一个四位年份：不知是哪一年度的数据，该校无法审核，不计入合计",
                     frame["year_written"].astype("string"), v=frame["year_written"].astype("string")))
    unsure = frame["unsure"]
    out.append(build(unsure.notna(), "extraction.invalid", "school",
                     "“{school}”没有填学校代码，而表中或 schools.xlsx 中有不止一所学校叫这个名字（学校代码{codes}）：无法确定是哪一所，"
                     "该校无法审核，不计入合计：请填写学校代码", frame["school"].astype("string"),
                     school=frame["school"].astype("string"), codes=unsure))
    out.append(build(frame["code_unsure"].notna(), "extraction.invalid", "school_code", "{why}",
                     frame["school_code"].astype("string"), why=frame["code_unsure"]))
    out.append(build(frame["clash"].notna() & frame["code_unsure"].isna(), "extraction.invalid", "school_code",
                     "{clash}：学校代码与学校名称不是同一所学校，无法确定是哪一所，该校无法审核，不计入合计："
                     "请核对学校代码和学校名称", frame["school_code"].astype("string"), clash=frame["clash"]))
    key = _school_year_key(frame)
    twice = key.notna() & key.duplicated(keep=False)
    stray = frame["stray"]
    out.append(build(stray.notna() & ~twice, "extraction.invalid", "school_code",
                     "学校代码“{c}”在 schools.xlsx 中没有登记，而学校名称“{school}”是 schools.xlsx 中学校代码{r}的学校："
                     "不知是学校代码填错还是另一所学校，该校无法审核，不计入合计：请按 schools.xlsx 登记的代码填写，"
                     "或在 schools.xlsx 中登记该校", frame["school_code"].astype("string"),
                     c=frame["school_code"].astype("string"), school=frame["school"].astype("string"), r=stray))
    if twice.any():
        where = frame["file"] + " 第" + frame["row"].astype("string") + "行"
        others = pd.Series(pd.NA, index=frame.index, dtype="string")
        for _, group in frame[twice].groupby(key[twice]):  # the rows standing twice: few
            for i in group.index:
                others[i] = "、".join(where[j] for j in group.index if j != i)
        # a row whose code schools.xlsx does not hold is the school its name is: said, with both codes
        why = ("；本行的学校代码“" + frame["school_code"].astype("string") + "”在 schools.xlsx 中没有登记，按学校名称“"
               + frame["school"].astype("string") + "”读作学校代码" + stray + "的学校，本行不计入合计").fillna("")
        out.append(build(twice, "extraction.duplicate", "school",
                         "“{school}”{year}年度的数据不止一行（另见 {others}{why}）：请只保留一行，重复的不计入合计；该校无法审核",
                         frame["school"].astype("string"), school=frame["school"].fillna(frame["school_code"]),
                         year=frame["year"].astype("string"), others=others, why=why))
    no_rate = frame["min_rate"].isna()
    out.append(build(no_rate & ~nameless, "extraction.invalid", "school_type",
                     "学校类型为“{t}”，{y}年度没有该类学校的提取比例规定（见 rules/extraction.yaml）：请在学校名单中登记学校类型",
                     frame["school_type"].astype("string"), t=frame["school_type"].astype("string").fillna("不明"),
                     y=frame["year"].astype("string")))
    audited = frame["counted"].astype(bool)  # a later row of a school-year standing twice is not audited
    checkable = audited & read["income"] & read["extracted"] & ~no_rate
    under = checkable & (frame["extracted"] < frame["required_min"]).fillna(False)
    out.append(build(under, "extraction.under", "extracted",
                     "事业收入{i}元，应按{r}至少提取{req}元，实际提取{e}元（{rate}），少提取{s}元："
                     "请足额提取并划入国家助学金资助专户", yuan["extracted"], i=yuan["income"],
                     r=frame["min_rate"], req=yuan["required_min"], e=yuan["extracted"], rate=frame["rate"],
                     s=yuan["shortfall"]))
    over = checkable & (frame["extracted"] > frame["required_max"]).fillna(False)
    out.append(build(over, "extraction.over", "extracted",
                     "提取{e}元，占事业收入{i}元的{rate}，高于规定上限{r}（{req}元）：请核实提取依据",
                     yuan["extracted"], e=yuan["extracted"], i=yuan["income"], rate=frame["rate"],
                     r=frame["max_rate"], req=yuan["required_max"]))
    short_deposit = audited & read["extracted"] & read["deposited"] & \
        (frame["deposited"] < frame["extracted"]).fillna(False)
    out.append(build(short_deposit, "extraction.not_deposited", "deposited",
                     "提取{e}元，划入专户{d}元，差{g}元：提取的资金须全部划入国家助学金资助专户统一管理",
                     yuan["deposited"], e=yuan["extracted"], d=yuan["deposited"], g=yuan["deposit_gap"]))
    # 划入专户 above 提取, or 发放 above 划入专户 (a 结余 below zero): the sheet's figures disagree, said with both
    # figures; never a 结余 share nor 合规 in silence
    more_in = audited & read["extracted"] & read["deposited"] & (frame["over_deposit"] > 0).fillna(False)
    out.append(build(more_in, "extraction.over_deposited", "deposited",
                     "划入专户{d}元，多于提取金额{e}元，多{x}元：划入专户的应是提取的资金，两数不符，不知是提取金额少填、"
                     "划入专户金额多填，还是专户另有资金（如上年结余）划入；提取是否足额按提取金额{e}元审核：请核实，"
                     "另有资金划入的请附说明", yuan["deposited"], d=yuan["deposited"], e=yuan["extracted"],
                     x=yuan["over_deposit"]))
    more_out = audited & read["deposited"] & read["spent"] & (frame["overspent"] > 0).fillna(False)
    out.append(build(more_out, "extraction.overspent", "spent",
                     "划入专户{d}元，年内发放{s}元，发放多于划入专户{x}元，结余为负：不知是动用了上年结余、由其他资金垫付，"
                     "还是金额填错：请核实并说明多发放部分的资金来源", yuan["spent"], d=yuan["deposited"],
                     s=yuan["spent"], x=yuan["overspent"]))
    threshold = Fraction(rules.extraction.unspent_warning_share)
    deposited = frame["deposited"]
    kept = audited & read["deposited"] & read["spent"] & (deposited > 0).fillna(False) & \
        (frame["unspent"] * threshold.denominator > deposited * threshold.numerator).fillna(False)
    out.append(build(kept, "extraction.unspent", "spent",
                     "划入专户{d}元，年内发放{s}元，结余{u}元（{share}），超过{t}：请说明原因，确保及时足额发放、专款专用",
                     yuan["spent"], d=yuan["deposited"], s=yuan["spent"], u=yuan["unspent"],
                     share=money.share_text(frame["unspent"], deposited), t=_percent(rules.extraction.unspent_warning_share)))
    parts = [p for p in out if len(p)]
    f = pd.concat(parts, ignore_index=True) if parts else empty()
    rec = f["rec"].astype("int64")
    f["table"] = np.where(rec >= 0, frame["table"].to_numpy()[rec.clip(lower=0)], f.get("table"))
    headers = {(i, k): m.header for i, t in enumerate(tables) for k, m in t.columns.items()}
    f["header"] = [headers.get((int(t), c), spec.columns[c].title if c in spec.columns else c)
                   for t, c in zip(f["table"], f["column"])]
    f["severity"] = severities(f, rules.severity)
    return f.sort_values(["table", "rec"], kind="stable").reset_index(drop=True)
