"""audit-extraction: each school's set-aside from 事业收入 against rules/extraction.yaml.

Finance sheets come from schools or the finance bureau, one row per school, as messily as rosters:
title rows, 合计 rows, and units per column (事业收入（万元） beside 提取金额（元）), which are honoured
column by column. Money is integer fen throughout; required amounts are rate × income rounded half
up to the fen, computed exactly with the rate as a fraction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd

from aidctl.core import money
from aidctl.core.findings import CATALOGUE, ERROR, WARNING, FindingCounts, build, empty
from aidctl.core.labels import UNKNOWN_COUNTY
from aidctl.core.money import divide_half_up, yuan_text_or_none
from aidctl.read import Table, Workspace, file_info, missing_columns, read_tables, school_attributes, stack

NO_FINANCE = "没有给出财务报表，{folder} 下也没有：请在命令行上列出文件"
AMOUNTS = ["income", "extracted", "deposited", "spent"]
_YEAR = re.compile(r"(\d{4})\s*年")


@dataclass
class ExtractionAudit(FindingCounts):
    year: int
    year_source: str
    tables: list[Table]
    schools: pd.DataFrame      # one row per school with its figures (fen) and verdict
    findings: pd.DataFrame     # rec (school row), table, column, code, severity, message

    def verdicts(self) -> pd.Series:
        """合规 / 需关注 (warnings only) / 不合规 (an error) per school."""
        f = self.findings[self.findings["rec"] >= 0]
        worst = f.groupby("rec")["severity"].agg(lambda s: ERROR if (s == ERROR).any() else WARNING)
        worst = worst.reindex(self.schools.index)
        return worst.map({ERROR: "不合规", WARNING: "需关注"}).fillna("合规")

    def by_county(self) -> pd.DataFrame:
        s = self.schools.assign(verdict=self.verdicts(), county=self.schools["county"].fillna(UNKNOWN_COUNTY))
        grouped = s.groupby("county", sort=True)
        out = pd.DataFrame({
            "schools": grouped.size(),
            "non_compliant": grouped["verdict"].agg(lambda v: int((v == "不合规").sum())),
            **{c: grouped[c].sum(min_count=1) for c in
               ["income", "required_min", "required_max", "extracted", "deposited", "spent", "shortfall"]},
        }).reset_index()
        return out

    def to_json(self) -> dict:
        f = self.findings
        by_rec = {rec: [{"code": c, "severity": s, "message": m} for c, s, m in
                        zip(g["code"], g["severity"], g["message"])] for rec, g in f[f["rec"] >= 0].groupby("rec")}
        s = self.schools

        schools = []
        for rec, r in zip(s.index, s.itertuples()):  # one row per school: a few hundred at most
            schools.append({
                "file": r.file, "row": int(r.row), "school_code": r.school_code, "school_name": r.school,
                "type": r.school_type, "county": r.county, "year": int(r.year) if r.year == r.year else None,
                "income": yuan_text_or_none(r.income), "required_min": yuan_text_or_none(r.required_min),
                "required_max": yuan_text_or_none(r.required_max), "extracted": yuan_text_or_none(r.extracted),
                "deposited": yuan_text_or_none(r.deposited), "spent": yuan_text_or_none(r.spent), "rate": r.rate,
                "min_rate": r.min_rate, "max_rate": r.max_rate, "shortfall": yuan_text_or_none(r.shortfall),
                "findings": by_rec.get(rec, [])})
        verdicts = self.verdicts()
        file_level = [{"file": self.tables[int(t)].file, "code": c, "severity": sv, "message": m}
                      for t, c, sv, m in f.loc[f["rec"] < 0, ["table", "code", "severity", "message"]]
                      .itertuples(index=False, name=None)]
        total = lambda col: yuan_text_or_none(s[col].sum(min_count=1))  # noqa: E731
        return {"version": 1, "year": self.year, "year_source": self.year_source,
                "files": file_info(self.tables),
                "schools": schools, "file_findings": file_level,
                "summary": {"schools": len(s), "compliant": int((verdicts == "合规").sum()),
                            "attention": int((verdicts == "需关注").sum()),
                            "non_compliant": int((verdicts == "不合规").sum()),
                            "errors": self.errors, "warnings": int((f["severity"] == WARNING).sum()),
                            "income": total("income"), "required_min": total("required_min"),
                            "extracted": total("extracted"), "deposited": total("deposited"),
                            "spent": total("spent"), "shortfall": total("shortfall")}}


def _year(tables: list[Table], frame: pd.DataFrame, year: int | None) -> tuple[int, str]:
    if year:
        return year, "option"
    written = pd.to_numeric(frame["year"].str.extract(r"(\d{4})")[0], errors="coerce").dropna()
    if len(written):
        return int(written.mode().iloc[0]), "column"
    for t in tables:
        for text in [*t.above, t.path.stem]:
            m = _YEAR.search(text) or re.search(r"(20\d{2})", text)
            if m:
                return int(m.group(1)), "title"
    return date.today().year - 1, "default"


def audit(paths: list[Path] | None, ws: Workspace, *, year: int | None = None,
          displays: list[str] | None = None, report: Path | None = None) -> ExtractionAudit:
    """Read the finance sheets (those given, else the workspace's finance/) and check each school's
    extraction, deposit and spending; with `report`, the audit workbook is written there (refused
    first when it would replace an input or a file the workspace keeps)."""
    rules = ws.rules
    spec = rules.columns.tables["finance"]
    if displays is None:
        paths, displays = ws.inputs(paths, "finance", NO_FINANCE)
    ws.output(report, paths)
    tables = [t for p, d in zip(paths, displays) for t in read_tables(p, d, "finance", rules)]
    frame = stack(tables, spec).rename(columns={"excel_row": "row"})
    for key in AMOUNTS:  # the figures in fen, under their own names from here on
        frame[key] = frame[f"{key}_fen"]
    the_year, source = _year(tables, frame, year)
    row_year = pd.to_numeric(frame["year"].str.extract(r"(\d{4})")[0], errors="coerce")
    frame["year"] = row_year.fillna(the_year).astype("int64") if year is None else the_year
    attrs = school_attributes(frame, rules, ws)
    frame["school_type"] = attrs["v_school_type"]
    frame["county"] = attrs["v_county"]
    _requirements(frame, rules)
    findings = _findings(frame, tables, rules)
    columns = ["file", "row", "table", "school_code", "school", "school_type", "county", "year", *AMOUNTS,
               "required_min", "required_max", "shortfall", "deposit_gap", "unspent", "rate",
               "min_rate", "max_rate"]
    result = ExtractionAudit(the_year, source, tables, frame[columns].astype(object).where(frame[columns].notna(),
                                                                                           None), findings)
    if report is not None:
        from aidctl.oversight.workbooks import write_extraction_report

        write_extraction_report(result, report)
    return result


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
        return divide_half_up(income * n, d)  # rate × income, to the fen (income ≥ 0)

    frame["required_min"] = times(lo_num, lo_den)
    frame["required_max"] = times(hi_num, hi_den)
    frame["min_rate"], frame["max_rate"] = lo_text, hi_text
    frame["shortfall"] = (frame["required_min"] - frame["extracted"]).clip(lower=0)
    frame["deposit_gap"] = (frame["extracted"] - frame["deposited"]).clip(lower=0)
    frame["unspent"] = frame["deposited"] - frame["spent"]
    frame["rate"] = money.share_text(frame["extracted"], income)


def _percent(rate) -> str:
    return f"{(rate * 100).normalize():f}%"


def _findings(frame: pd.DataFrame, tables: list[Table], rules) -> pd.DataFrame:
    spec = rules.columns.tables["finance"]
    out = missing_columns(tables, spec)
    present = {key: frame["table"].isin([i for i, t in enumerate(tables) if key in t.columns]) for key in AMOUNTS}
    yuan = {k: frame[k].map(lambda v: None if v is pd.NA else str(money.yuan(v))) for k in
            [*AMOUNTS, "required_min", "required_max", "shortfall", "deposit_gap", "unspent"]}
    titles = {k: spec.columns[k].title for k in AMOUNTS}
    figures_ok = pd.Series(True, index=frame.index)
    for key in AMOUNTS:
        bad = present[key] & ~frame[f"{key}_ok"].astype(bool)
        figures_ok &= ~bad
        out.append(build(bad, "extraction.invalid", key, "{title}“{v}”为空或不是有效金额：请填写（单位见表头）",
                         frame[key].astype("string"), title=titles[key], v=frame[key].astype("string")))
    no_rate = frame["min_rate"].isna()
    out.append(build(no_rate, "extraction.invalid", "school_type",
                     "学校类型为“{t}”，{y}年度没有该类学校的提取比例规定（见 rules/extraction.yaml）：请在学校名单中登记学校类型",
                     frame["school_type"].astype("string"), t=frame["school_type"].astype("string").fillna("不明"),
                     y=frame["year"].astype("string")))
    checkable = figures_ok & ~no_rate
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
    short_deposit = figures_ok & (frame["deposited"] < frame["extracted"]).fillna(False)
    out.append(build(short_deposit, "extraction.not_deposited", "deposited",
                     "提取{e}元，划入专户{d}元，差{g}元：提取的资金须全部划入国家助学金资助专户统一管理",
                     yuan["deposited"], e=yuan["extracted"], d=yuan["deposited"], g=yuan["deposit_gap"]))
    threshold = Fraction(rules.extraction.unspent_warning_share)
    deposited = frame["deposited"]
    kept = figures_ok & (deposited > 0).fillna(False) & \
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
    f["severity"] = f["code"].map({c: rules.severity(c, t.severity) for c, t in CATALOGUE.items()})
    return f.sort_values(["table", "rec"], kind="stable").reset_index(drop=True)
