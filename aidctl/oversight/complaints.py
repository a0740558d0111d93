"""complaints: the year's complaint register by county and school.

Per county and school: complaints, the complaint rate per 1,000 aided students, complaints closed
on time and late, open ones, overdue open ones, and 投诉按时办结率.

Counting days. 受理日期 is day 0 and is never counted; the first working day after it is working
day 1. The deadline is working day N, N = rules/assessment.yaml `complaints.closing_working_days`;
a complaint closed on or before its deadline is closed on time. Working days leave out weekends and
statutory holidays and include the weekend days made working days (调休), from the chinesecalendar
package (aidctl/workdays.py); a year the package does not know is counted by weekends alone, and
`calendar` says "weekends-only". Example, N = 5: accepted Wednesday 2011-09-28, working days 1–2
are 29–30 September, 1–7 October are 国庆, Saturday 8 and Sunday 9 October are 调休 working days 3
and 4, and the deadline is Monday 10 October.

As of a date (--as-of, default today or 31 December of the year if earlier): a complaint counts
when its 受理日期 lies in the year and not after that date. It is closed when its 办结日期 is on or
before that date (a later 办结日期 is not known yet: the complaint is open); a 办结日期 beside a
办理结果 that says the complaint is not closed (rules/assessment.yaml complaints.not_closed_results:
未办结、退回重新核查、办理中 …) is complaint.invalid, left out until corrected, and so is a blank
办结日期 beside a 办理结果 that says it is closed (complaints.closed_results: 已办结、办结、已结案 …;
read only where no not-closed word is found, so 未办结 is never 办结); an open complaint is
overdue when its deadline is before that date. 投诉按时办结率 = closed on time ÷ (closed + overdue
open): complaints still open within their deadline are not judged yet.

Aided students: the distinct students (by resident ID) with a payment the bank has not returned
(any status but failed, as `report` counts them) in the ledger for the spring and autumn terms of
the year, by the school and county the payments record; the total counts a student once. Students
whose every payment of the year failed are no aided students; the notes say how many. Rate per 1,000 = complaints × 1000 ÷ aided students, exact, rounded half up for display.
Without payments (no ledger, or none for the year) the rate is 无数据 (null), never 0.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from aidctl.check import settle_headers
from aidctl.core.dates import (
    CALENDAR_STATUTORY,
    CALENDAR_WEEKENDS,
    as_of_said,
    cell_dates,
    default_as_of,  # noqa: F401  (aidctl.oversight exports it)
    nth_working_day,
    working_days_after,
)
from aidctl.core.errors import ReadError
from aidctl.core.findings import CATALOGUE, severities
from aidctl.core.labels import NO_SCHOOL_NAMED, UNKNOWN_COUNTY
from aidctl.core.money import number, percent, ratio
from aidctl.core.text import fold_one, text_or_empty
from aidctl.read import (
    Table,
    Workspace,
    file_info,
    read_tables,
    registered_schools,
    school_attributes,
    unregistered_note,
)

KIND = "complaints"
NO_CATEGORY = "（未分类）"
DAY_RULE = ("受理日期当天不计，受理日期之后的第一个工作日为第1个工作日，第{n}个工作日（含）之前办结为按时办结；"
            "工作日不含周末和法定节假日，含调休上班的周末")
NO_REGISTER = "没有给出投诉登记台账，{folder} 下也没有：请在命令行上列出文件"
COUNTS = ["complaints", "closed", "closed_on_time", "closed_late", "open", "overdue_open"]
STATUS_WORDS = {"on_time": "按时办结", "late": "超期办结", "overdue": "超期未办结", "open": "办理中"}


COMPLAINT_HEADS = [("投诉件数", "complaints"), ("受助学生", "aided_students"), ("每千名受助学生投诉", "rate_per_thousand"),
                   ("已办结", "closed"), ("按时办结", "closed_on_time"), ("超期办结", "closed_late"),
                   ("未办结", "open"), ("超期未办结", "overdue_open"), ("投诉按时办结率", "on_time_rate")]


@dataclass
class Aided:
    """Distinct aided students of the year from the ledger; `known` is False without payments."""

    terms: list[str]
    known: bool
    total: int | None = None
    by_school: dict[str, int] = field(default_factory=dict)     # folded school name → students
    by_county: dict[str, int] = field(default_factory=dict)
    county_of_school: dict[str, str] = field(default_factory=dict)
    school_names: dict[str, str] = field(default_factory=dict)  # folded → as recorded
    all_failed: int = 0          # students of the year whose every payment failed: not aided

    def school(self, name: str) -> int | None:
        return self.by_school.get(fold_one(name), 0) if self.known else None

    def county(self, name: str) -> int | None:
        return self.by_county.get(name, 0) if self.known else None


def aided_students(ws: Workspace, year: int, db: str | None = None) -> Aided:
    """Distinct students with a payment not failed in the ledger for the spring and autumn terms of `year`."""
    terms = [f"{year}-spring", f"{year}-autumn"]
    if not db and not ws.has_ledger():  # never create a ledger just to find it empty
        return Aided(terms, False)
    from sqlalchemy import select

    from aidctl import ledger as L

    ledger = L.Ledger(ws.ledger_url(db))
    p = L.payments
    with ledger.connect() as conn:
        rows = conn.execute(select(p.c.person, p.c.school, p.c.county, p.c.status).where(p.c.term.in_(terms))).all()
    if not rows:
        return Aided(terms, False)
    frame = pd.DataFrame(list(map(tuple, rows)), columns=["person", "school", "county", "status"])
    everyone = int(frame["person"].nunique())
    frame = frame[frame["status"] != "failed"].drop(columns="status")   # returned by the bank: not aided
    if frame.empty:
        return Aided(terms, True, 0, all_failed=everyone)
    frame["county"] = frame["county"].where(frame["county"].notna(), UNKNOWN_COUNTY)
    # a school the payments record by a 别名 is the school schools.xlsx registers, as a complaint is
    school = registered_schools(ws, frame["school"])["school"]
    frame["school"] = school.astype(object).where(school.notna(), None)
    frame["key"] = frame["school"].map(lambda s: fold_one(s) if s else NO_SCHOOL_NAMED)
    by_school = frame.groupby("key")["person"].nunique()
    county_of = frame.groupby("key")["county"].agg(lambda s: s.mode().iloc[0])
    names = frame.groupby("key")["school"].first()
    return Aided(terms, True, int(frame["person"].nunique()),
                 {k: int(v) for k, v in by_school.items()},
                 {k: int(v) for k, v in frame.groupby("county")["person"].nunique().items()},
                 {k: str(v) for k, v in county_of.items()},
                 {k: (str(v) if v else NO_SCHOOL_NAMED) for k, v in names.items()},
                 everyone - int(frame["person"].nunique()))


@dataclass
class ComplaintSummary:
    year: int
    as_of: date
    closing_working_days: int
    calendar: str
    tables: list[Table]
    complaints: pd.DataFrame     # one row per complaint counted: location, dates, deadline, status
    schools: pd.DataFrame        # county, school, COUNTS, aided
    counties: pd.DataFrame       # county, COUNTS, aided
    aided: Aided
    findings: list[dict]
    by_category: list[dict]
    notes: list[str]

    @property
    def errors(self) -> int:
        return sum(f["severity"] == "error" for f in self.findings)

    def totals(self) -> dict:
        out = {c: int(self.counties[c].sum()) for c in COUNTS}
        out["aided_students"] = self.aided.total
        return out

    @staticmethod
    def figures(counts: dict, aided: int | None) -> dict:
        """The JSON figures of one county, school or the total (rates exact, shown half up)."""
        due = counts["closed"] + counts["overdue_open"]
        rate = ratio(counts["complaints"] * 1000, aided)
        return {**{c: int(counts[c]) for c in COUNTS}, "aided_students": aided,
                "rate_per_thousand": number(rate), "due": due,
                "on_time_rate": percent(ratio(counts["closed_on_time"], due))}

    def to_json(self) -> dict:
        def rows(frame, keys):
            return [{**{k: getattr(r, k) for k in keys},
                     **self.figures({c: getattr(r, c) for c in COUNTS},
                                    None if pd.isna(r.aided) else int(r.aided))}
                    for r in frame.itertuples(index=False)]

        c = self.complaints
        items = [{"file": r.file, "row": int(r.row), "number": r.number, "accepted_on": r.accepted.isoformat(),
                  "county": r.county, "school": r.school, "category": r.category,
                  "closed_on": r.closed.isoformat() if r.closed else None, "deadline": r.deadline.isoformat(),
                  "working_days": int(r.working_days), "status": r.status}
                 for r in c.itertuples(index=False)]
        return {"version": 1, "year": self.year, "as_of": self.as_of.isoformat(),
                "closing_working_days": self.closing_working_days,
                "day_rule": DAY_RULE.format(n=self.closing_working_days), "calendar": self.calendar,
                "files": file_info(self.tables),
                "aided": {"source": "ledger", "terms": self.aided.terms, "known": self.aided.known},
                "counties": rows(self.counties, ["county"]),
                "schools": rows(self.schools, ["county", "school"]),
                "totals": self.figures(self.totals(), self.aided.total),
                "by_category": self.by_category, "complaints": items,
                "findings": self.findings, "notes": self.notes}


def _read(paths: list[Path], displays: list[str], ws: Workspace) -> tuple[list[Table], pd.DataFrame, list]:
    """(the tables, their rows as one frame, the findings about their headers: check.settle_headers)."""
    rules = ws.rules
    spec = rules.columns.tables[KIND]
    tables = [t for p, d in zip(paths, displays) for t in read_tables(p, d, KIND, rules)]
    header = settle_headers(tables, spec, rules.columns.units, KIND)
    parts = []
    for i, t in enumerate(tables):
        if "school" not in t.columns and "county" not in t.columns:
            raise ReadError("投诉登记台账既没有学校列也没有县区列，无法按县区和学校统计：请补上“学校”或“所属县区”列",
                            file=t.file, sheet=t.sheet, row=t.header_row)
        part = t.data.copy()
        for key in spec.columns:
            if key not in part.columns:
                part[key] = pd.Series(pd.NA, index=part.index, dtype="string")
        part.insert(0, "row", part.index.astype("int64"))
        part.insert(0, "table", i)
        parts.append(part.reset_index(drop=True))
    return tables, pd.concat(parts, ignore_index=True), header


def summarise(paths: list[Path] | None, ws: Workspace, year: int, *, as_of: date | None = None,
              displays: list[str] | None = None, db: str | None = None,
              aided: Aided | None = None, report: Path | None = None) -> ComplaintSummary:
    """Read the complaint register(s) (those given, else the workspace's complaints/) and count the
    year's complaints by county and school; with `report`, the workbook is written there (refused
    first when it would replace an input or a file the workspace keeps)."""
    rules = ws.rules
    said: list[str] = []
    as_of = as_of_said(as_of, year, "判断办结与超期", said)
    n_days = rules.assessment.complaints.closing_working_days
    if displays is None:
        paths, displays = ws.inputs(paths, "complaints", NO_REGISTER)
    ws.output(report, paths, db=db)
    tables, frame, header = _read(paths, displays, ws)
    accepted = cell_dates(frame["accepted_on"])
    closed = cell_dates(frame["closed_on"])
    findings, bad = _findings(frame, tables, ws, accepted, closed, header)

    work, notes = _in_year(frame, bad, accepted, closed, ws, year, as_of)
    notes = [*ws.unread_notes(), *said, *notes]
    deadlines, taken, status, calendar = _deadlines(work, n_days, as_of)
    work["deadline"], work["working_days"], work["status"] = deadlines, taken, status
    if calendar == CALENDAR_WEEKENDS:
        notes.append("部分日期超出节假日数据的年份，只按周末计算工作日：请按当年节假日安排核对"
                     "（升级 chinesecalendar 包可获得新年份）")
    work["file"] = [tables[int(t)].file for t in work["table"]]
    notes += [n for n in [_as_registered(work, ws)] if n]

    aided = aided if aided is not None else aided_students(ws, year, db)
    if not aided.known:
        notes.append(f"账本中没有{year}年春季、秋季学期的发放记录：受助学生数不明，投诉率显示为无数据")
    elif aided.all_failed:
        notes.append(f"{aided.all_failed} 名学生{year}年的付款全部失败（银行退回）：不计入受助学生"
                     "（每千名受助学生投诉的分母），重发成功后计入")
    notes += [n for n in [_unknown_counties(work, ws, aided)] if n]
    flags = _flags(work)
    schools = _schools(flags, aided)
    counties = _counties(flags, aided)
    categories = [{"category": k, "complaints": v}
                  for k, v in sorted(Counter(work["category"]).items(), key=lambda kv: (-kv[1], kv[0]))]
    columns = ["file", "row", "number", "accepted", "county", "school", "category", "closed", "deadline",
               "working_days", "status"]
    work["number"] = work["number"].astype(object).where(work["number"].notna(), None)
    result = ComplaintSummary(year, as_of, n_days, calendar, tables, work[columns].reset_index(drop=True),
                              schools, counties, aided, findings, categories, notes)
    if report is not None:
        from aidctl.oversight.workbooks import write_complaints_report

        write_complaints_report(result, report)
    return result


def _findings(frame: pd.DataFrame, tables: list[Table], ws: Workspace, accepted: pd.Series,
              closed: pd.Series, header: list[pd.DataFrame]) -> tuple[list[dict], pd.Series]:
    """(findings in file and row order, True where a row is not counted): at most one finding a row."""
    rules = ws.rules
    spec = rules.columns.tables[KIND]
    headers = {(i, k): m.header for i, t in enumerate(tables) for k, m in t.columns.items()}
    severity = rules.severity("complaint.invalid", CATALOGUE["complaint.invalid"].severity)
    findings: list[dict] = []
    bad = pd.Series(False, index=frame.index)

    def flag(mask: pd.Series, column: str, message) -> None:
        nonlocal bad
        for i in frame.index[mask.fillna(False).to_numpy(dtype=bool) & ~bad.to_numpy()]:
            t = int(frame.at[i, "table"])
            value = frame.at[i, column]
            findings.append({"file": tables[t].file, "sheet": tables[t].sheet, "row": int(frame.at[i, "row"]),
                             "column": headers.get((t, column), spec.columns[column].title),
                             "code": "complaint.invalid", "severity": severity,
                             "message": message(i), "value": None if pd.isna(value) else str(value)})
        bad |= mask.fillna(False).astype(bool)

    flag(accepted.isna(), "accepted_on",
         lambda i: f"受理日期“{text_or_empty(frame.at[i, 'accepted_on'])}”为空或不是日期：该投诉未计入，请补正后重新统计")
    flag(frame["closed_on"].notna() & closed.isna(), "closed_on",
         lambda i: f"办结日期“{text_or_empty(frame.at[i, 'closed_on'])}”不是日期：该投诉未计入，请改为日期或留空（未办结）")
    flag(closed < accepted, "closed_on",
         lambda i: f"办结日期{closed[i]:%Y-%m-%d}早于受理日期{accepted[i]:%Y-%m-%d}：该投诉未计入，请核对日期")
    words = rules.assessment.complaints
    says_open, says_closed = _says(frame["result"], words.not_closed_results, words.closed_results)
    flag(closed.notna() & says_open.notna(), "result",
         lambda i: f"办结日期{closed[i]:%Y-%m-%d}已填写，但办理结果“{text_or_empty(frame.at[i, 'result'])}”写明尚未办结"
                   f"（“{says_open[i]}”）：该投诉未计入，请核对：确已办结的请更正办理结果，尚未办结的请清空办结日期")
    no_column = {i for i, t in enumerate(tables) if "closed_on" not in t.columns}
    flag(frame["closed_on"].isna() & says_closed.notna(), "closed_on",
         lambda i: f"办理结果“{text_or_empty(frame.at[i, 'result'])}”写明已办结（“{says_closed[i]}”），但"
                   + ("台账没有办结日期列" if int(frame.at[i, "table"]) in no_column else "办结日期为空")
                   + "：无法判断是否按时办结，该投诉未计入（既不按已办结、也不按未办结计），请核对："
                     "确已办结的请填写办结日期，尚未办结的请更正办理结果")
    flag(frame["school"].isna() & frame["county"].isna(), "school",
         lambda i: "学校和所属县区都为空：无法归入县区或学校，该投诉未计入，请补填")
    if header:  # a header read as nothing, or columns that could not be told apart
        about = pd.concat(header, ignore_index=True)
        about["severity"] = severities(about, rules.severity)
        for t, code, column, message, severity in about[["table", "code", "column", "message", "severity"]].itertuples(
                index=False, name=None):
            findings.append({"file": tables[int(t)].file, "sheet": tables[int(t)].sheet, "row": None, "column": column,
                             "code": code, "severity": severity, "message": message, "value": None})
    findings.sort(key=lambda f: (f["file"], f["row"] is not None, f["row"] or 0))
    return findings, bad


def _says(result: pd.Series, not_closed: list[str], closed: list[str]) -> tuple[pd.Series, pd.Series]:
    """(the first of `not_closed`, the first of `closed` each 办理结果 holds: rules/assessment.yaml
    complaints.not_closed_results and closed_results), spaces and full-width forms folded; None where
    it holds none, or is blank. The not-closed words are read first: a result holding one of them
    says nothing closed (未办结 is never read as 办结), whatever else it holds."""
    open_words = [(w, fold_one(w)) for w in not_closed if fold_one(w)]
    closed_words = [(w, fold_one(w)) for w in closed if fold_one(w)]

    def found(value, words) -> str | None:
        text = fold_one(value)
        return next((w for w, f in words if f in text), None) if text else None

    says_open = [found(v, open_words) for v in result]
    says_closed = [None if o is not None else found(v, closed_words) for v, o in zip(result, says_open)]
    return (pd.Series(says_open, index=result.index, dtype=object),
            pd.Series(says_closed, index=result.index, dtype=object))


def _in_year(frame: pd.DataFrame, bad: pd.Series, accepted: pd.Series, closed: pd.Series, ws: Workspace,
             year: int, as_of: date) -> tuple[pd.DataFrame, list[str]]:
    """(the complaints counted, with their dates, county, school and category, the notes on those left out)."""
    notes: list[str] = []
    cutoff = pd.Timestamp(as_of)
    in_year = ~bad & (accepted.dt.year == year).fillna(False) & (accepted <= cutoff).fillna(False)
    other = int((~bad & ~in_year).sum())
    if other:
        notes.append(f"{other} 件投诉的受理日期不在{year}年内或晚于截止日{as_of}，未计入")
    later = int((in_year & (closed > cutoff).fillna(False)).sum())
    if later:
        notes.append(f"{later} 件投诉的办结日期晚于截止日{as_of}：截至该日按未办结计")
    work = frame[in_year].copy()
    work["accepted"] = [t.date() for t in accepted[in_year]]
    work["closed"] = [t.date() if not pd.isna(t) and t <= cutoff else None for t in closed[in_year]]
    work["county"] = school_attributes(work, ws.rules, ws)["v_county"].to_numpy() if len(work) else []
    work["county"] = work["county"].astype(object).where(work["county"].notna(), UNKNOWN_COUNTY)
    work["school"] = work["school"].astype(object).where(work["school"].notna(), NO_SCHOOL_NAMED)
    work["category"] = work["category"].astype(object).where(work["category"].notna(), NO_CATEGORY)
    return work, notes


def _as_registered(work: pd.DataFrame, ws: Workspace) -> str | None:
    """Each complaint's school as schools.xlsx registers it (registered_schools: a 别名 counts for its
    school); the note on those it cannot tell, which are counted under the name as written."""
    given = (work["school"] != NO_SCHOOL_NAMED).to_numpy(dtype=bool)
    resolved = registered_schools(ws, work["school"].where(given))
    work["school"] = resolved["school"].astype(object).where(given, NO_SCHOOL_NAMED)
    if (resolved["by"] == "no_register").any():
        return ("工作目录没有 schools.xlsx：投诉按台账所写的学校名称统计，学校的别名、简称未能归入登记的学校；"
                "请在工作目录中放置 schools.xlsx（学校名称、别名）")
    places = work["file"].astype("string") + " 第" + work["row"].astype("string") + "行"
    return unregistered_note(resolved, places, "投诉登记台账", "件投诉", "按台账所写的学校名称单独统计，所属县区按台账所填")


def _unknown_counties(work: pd.DataFrame, ws: Workspace, aided: Aided) -> str | None:
    """The note on complaints whose 所属县区 (as the register writes it: their school is not in
    schools.xlsx, or none is named) is neither a county schools.xlsx registers nor one the ledger's
    payments record: a misspelt county would otherwise stand as a county of its own, unsaid."""
    registered = ws.schools["v_county"].dropna().astype(str) if ws.schools is not None else pd.Series(dtype=str)
    known = {fold_one(c) for c in [*registered, *aided.by_county] if c != UNKNOWN_COUNTY}
    if not known or work.empty:     # nothing to compare with: the notes on schools.xlsx and the ledger say so
        return None
    odd = (~work["county"].map(fold_one).isin(known) & (work["county"] != UNKNOWN_COUNTY)).to_numpy(dtype=bool)
    if not odd.any():
        return None
    places = [f"{f} 第{r}行“{c}”" for f, r, c in zip(work["file"][odd], work["row"][odd], work["county"][odd])]
    sources = "，也不是".join([*([" schools.xlsx 登记的县区"] if len(registered) else []),
                              *(["账本中付款记录的县区"] if aided.by_county else [])])
    return (f"投诉登记台账中 {len(places)} 件投诉的所属县区不是{sources}：{'、'.join(places[:10])}"
            f"{'等' if len(places) > 10 else ''}；按台账所填的县区单独统计（没有受助学生记录，投诉率为无数据），"
            "请核对县区名称（是否写错），或在 schools.xlsx 中登记该县区的学校")


def _deadlines(work: pd.DataFrame, n_days: int, as_of: date) -> tuple[list[date], list[int], list[str], str]:
    """(deadline, working days taken, status) of each complaint, and the calendar the days were counted by."""
    calendars = set()
    deadlines, taken, status = [], [], []
    for day, done in zip(work["accepted"], work["closed"]):  # a register holds hundreds of rows at most
        deadline, cal = nth_working_day(day, n_days, count_start=False)
        used, cal2 = working_days_after(day, done or as_of)
        calendars |= {cal, cal2}
        deadlines.append(deadline)
        taken.append(used)
        if done is not None:
            status.append("on_time" if done <= deadline else "late")
        else:
            status.append("overdue" if deadline < as_of else "open")
    calendar = CALENDAR_WEEKENDS if CALENDAR_WEEKENDS in calendars else CALENDAR_STATUTORY
    return deadlines, taken, status, calendar


def _flags(work: pd.DataFrame) -> pd.DataFrame:
    """One row a complaint: county, school and a 0/1 column for each of COUNTS."""
    return pd.DataFrame({
        "county": work["county"], "school": work["school"], "complaints": 1,
        "closed": work["status"].isin(["on_time", "late"]).astype(int),
        "closed_on_time": (work["status"] == "on_time").astype(int),
        "closed_late": (work["status"] == "late").astype(int),
        "open": work["status"].isin(["open", "overdue"]).astype(int),
        "overdue_open": (work["status"] == "overdue").astype(int)})


def _schools(flags: pd.DataFrame, aided: Aided) -> pd.DataFrame:
    """One row a county and school, the ledger's schools without a complaint too: COUNTS and aided."""
    schools = flags.groupby(["county", "school"], sort=True)[COUNTS].sum().reset_index()
    # the ledger's schools with no complaint have a rate too (0 per 1,000 is a real figure)
    named = {fold_one(s) for s in schools["school"]}
    extra = [{"county": aided.county_of_school[k], "school": aided.school_names[k], **dict.fromkeys(COUNTS, 0)}
             for k in aided.by_school if k not in named and k != NO_SCHOOL_NAMED]
    if extra:
        schools = pd.concat([schools, pd.DataFrame(extra)], ignore_index=True)
    schools = schools.sort_values(["county", "school"], kind="stable").reset_index(drop=True)
    schools["aided"] = pd.array([None if s == NO_SCHOOL_NAMED else aided.school(s) for s in schools["school"]],
                                dtype="Int64")
    return schools


def _counties(flags: pd.DataFrame, aided: Aided) -> pd.DataFrame:
    """One row a county, the ledger's counties without a complaint too: COUNTS and aided."""
    counties = flags.groupby("county", sort=True)[COUNTS].sum()
    counties = counties.reindex(sorted(set(counties.index) | set(aided.by_county)), fill_value=0)
    counties = counties.rename_axis("county").reset_index()
    counties["aided"] = pd.array([aided.county(c) for c in counties["county"]], dtype="Int64")
    return counties
