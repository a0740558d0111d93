"""assess: the year's 量化考核 scorecard of counties and schools (rules/assessment.yaml).

Indicators aidctl computes, each a numerator over a denominator (exact fractions), for year Y (its
spring and autumn terms):
- 及时发放率 (timely_payment): the ledger's payments of the terms; on time when the first attempt
  that went to the bank (sent or paid, not failed) was recorded on or before the term's payment
  deadline (rules/assessment.yaml `payment_deadlines`). A payment never sent is not on time.
- 数据准确率 (data_accuracy): from the intake history, each school's first submission of a term:
  the version with the earliest receipt (as 按时报送率 and intake show take it), alone, even when a
  later version was first read in the same run: Σ max(records − error findings, 0) ÷ Σ records.
  A record with two errors counts twice, so the figure never flatters a school. Versions sharing
  the earliest receipt are ordered as intake show orders them (first reading, then file name), and
  a note names them.
- 按时报送率 (on_time_submission): school-terms whose first submission was received (aidctl intake
  receive, or the file's time in intake/) on or before rules/oversight.yaml's deadline ÷ school-terms
  expected. A term counts only when the history holds
  submissions for it (a note names a term left out); a school of schools.xlsx that sent nothing that
  term counts as not on time. A submission that names no school (（学校不明）) counts for no school,
  and a note names its file.
- Not yet due: as of --as-of, before a term's deadline has passed (payment or submission), a payment
  not yet sent and a school-term not yet received are not judged (neither on time nor late; a note
  says how many); a school or county with nothing judged yet is covered, nothing due (not_due).
- 校内资助金提取达标率 (extraction): schools of the finance sheet that comply (audit-extraction:
  no error finding) ÷ schools audited; a school scores 100% or 0%.
- 投诉率 (complaint_rate, per 1,000 aided students, lower is better) and 投诉按时办结率
  (complaint_closure), as aidctl complaints computes them.
- 生源地贷款履约率 (loan_performance): per county only (a loan belongs to the borrower's home
  county, not to a school): 按期还款 ÷ 到期应还 as aidctl loans summary computes it.
A county's figure is computed from its own numerators and denominators, never as an average of its
schools' rates.

Scoring (per indicator, rules/assessment.yaml): proportional — higher is better: weight ×
min(1, value ÷ target); lower is better: the weight when value ≤ target, else weight × target ÷
value — or pass_fail — the weight when the target is met, else 0. An indicator without data
(无数据: no source given, or a zero denominator) is not scored and is NOT counted as zero: the total
is normalised over the weights of the indicators that have data, total = 100 × Σ score ÷ Σ weight
with data, and `weight_with_data` says how much of the computed weights it rests on. A county or
school with no data at all has no total and no rank.

Coverage: the weight of the indicators a county or school is covered by, over the weight of those
that apply to it in this run (an indicator applies when its source was given; 贷款履约率 is the
counties' only). An indicator is covered when it has data, or when its source holds nothing due for
that county or school (no complaint due: nothing to close on time; no loan fallen due). Missing data
never lifts anyone to the top: ranks go by coverage first, then by total, highest first; equal
coverage and equal totals (exactly equal fractions) share a rank (1, 1, 3). Indicators of the rule file that aidctl does not
compute are listed as not computed, with their target and weight, and never enter the total.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from pathlib import Path

import pandas as pd

from aidctl.core.dates import as_of_said
from aidctl.core.errors import ReadError
from aidctl.core.labels import NO_SCHOOL_NAMED, UNKNOWN_COUNTY, UNKNOWN_SCHOOL
from aidctl.core.money import number, percent
from aidctl.core.terms import Term
from aidctl.core.text import fold_one, missing
from aidctl.oversight import complaints as C
from aidctl.read import Workspace, registered_schools, unregistered_note
from aidctl.rulebook import COMPUTED_INDICATORS

UNPLACED = {NO_SCHOOL_NAMED, UNKNOWN_SCHOOL}
COUNTY_ONLY = {"loan_performance"}                     # a loan belongs to the borrower's home county
NOTHING_DUE = {"complaint_closure", "loan_performance"}  # a zero denominator is nothing due, not missing data
# a deadline not passed as of --as-of: a payment not yet sent, a roster not yet received is not judged;
# a school or county whose every one is so has a zero denominator: nothing due yet, not missing data
NOT_YET_DUE = {"timely_payment", "on_time_submission"}
TOTAL_RULE = ("总分 = 100 × 有数据指标得分之和 ÷ 有数据指标权重之和（无数据的指标不计分、也不按0分计入）；"
              "比例类指标按比例计分：得分 = 权重 × min(1, 实际值 ÷ 目标值)；投诉率越低越好：不超过目标值得满分，"
              "否则得分 = 权重 × 目标值 ÷ 实际值；pass_fail 计分：达到目标得满分，否则0分")


@dataclass
class Counts:
    """Numerator and denominator of one indicator, per county and per school (folded name)."""

    counties: dict[str, list[int]] = field(default_factory=dict)
    schools: dict[str, list[int]] = field(default_factory=dict)

    def add(self, table: str, key: str, num: int, den: int) -> None:
        slot = getattr(self, table).setdefault(key, [0, 0])
        slot[0] += int(num)
        slot[1] += int(den)


@dataclass
class Scorecard:
    year: int
    as_of: date
    rules: object                # the AssessmentFile
    sources: dict
    counts: dict[str, Counts]    # indicator key → counts (absent: no source for it)
    counties: list[dict]
    schools: list[dict]
    notes: list[str]
    problems: list[dict]
    # the exact figures behind the JSON's text (for workbooks): ("counties" | "schools", name) →
    # {"total", "coverage", "indicators": {key: {"value", "score"}}} as Fractions (None: 无数据)
    exact: dict = field(default_factory=dict)

    def indicators(self) -> list[dict]:
        book = self.rules
        return [{"key": k, "name": i.name, "target": _value_text(Fraction(i.target), i.unit),
                 "weight": str(i.weight), "better": i.better, "unit": i.unit, "method": book.method(k),
                 "computed": True, "has_source": k in self.counts, "source": i.source}
                for k, i in book.indicators.items() if k in COMPUTED_INDICATORS]

    def not_computed(self) -> list[dict]:
        return [{"key": k, "name": i.name, "target": _value_text(Fraction(i.target), i.unit),
                 "weight": str(i.weight), "source": i.source}
                for k, i in self.rules.indicators.items() if k not in COMPUTED_INDICATORS]

    def to_json(self) -> dict:
        return {"version": 1, "year": self.year, "as_of": self.as_of.isoformat(), "sources": self.sources,
                "indicators": self.indicators(), "not_computed": self.not_computed(),
                "total_rule": TOTAL_RULE, "counties": self.counties, "schools": self.schools,
                "notes": self.notes, "problems": self.problems}


def _value_text(value: Fraction | None, unit: str) -> str | None:
    return percent(value) if unit == "share" else number(value)


def score(value: Fraction, target: Fraction, weight: Fraction, better: str, method: str) -> Fraction:
    """The points an indicator earns (see the module docstring)."""
    meets = value >= target if better == "higher" else value <= target
    if method == "pass_fail" or meets:
        return weight if meets else Fraction(0)
    if better == "higher":
        return weight * value / target if target else weight
    return weight * target / value if value else weight


def rank(totals: list, coverage: list[Fraction] | None = None) -> list[int | None]:
    """Competition ranking by coverage, then total, highest first; None (no total) stays unranked."""
    keys = [None if tot is None else ((coverage[i] if coverage else Fraction(0)), tot) for i, tot in enumerate(totals)]
    ordered = sorted((k for k in keys if k is not None), reverse=True)
    first = {}
    for i, k in enumerate(ordered, start=1):
        first.setdefault(k, i)
    return [first[k] if k is not None else None for k in keys]


def card(counts: dict[str, Counts], table: str, key: str, book) -> dict:
    """One county's or school's indicators, total, weight with data and coverage (exact Fractions in
    `total`, `coverage` and each indicator's `exact`; the caller turns them into text)."""
    out, points, weights = {}, Fraction(0), Fraction(0)
    computed = [k for k in book.indicators if k in COMPUTED_INDICATORS]
    applicable, covered, not_due, missing = Fraction(0), Fraction(0), [], []
    for k in computed:
        ind = book.indicators[k]
        applies = k in counts and not (table == "schools" and k in COUNTY_ONLY)
        applicable += Fraction(ind.weight) if applies else 0
        slot = getattr(counts[k], table).get(key) if k in counts else None
        num, den = slot if slot else (None, None)
        if not den:
            out[k] = {"value": None, "numerator": num, "denominator": den, "score": None, "meets": None}
            if applies and (k in NOTHING_DUE or (k in NOT_YET_DUE and slot is not None)):
                covered += Fraction(ind.weight)
                not_due.append(k)
            elif applies:
                missing.append(k)
            continue
        value = Fraction(num, den) * (1000 if ind.unit == "per_thousand" else 1)
        weight = Fraction(ind.weight)
        pts = score(value, Fraction(ind.target), weight, ind.better, book.method(k))
        meets = value >= Fraction(ind.target) if ind.better == "higher" else value <= Fraction(ind.target)
        out[k] = {"value": _value_text(value, ind.unit), "numerator": num, "denominator": den,
                  "score": number(pts), "meets": meets}
        out[k]["_exact"] = (value, pts)
        points += pts
        weights += weight
        covered += weight if applies else 0
    total = points * 100 / weights if weights else None
    all_weights = sum((Fraction(book.indicators[k].weight) for k in computed), Fraction(0))
    return {"total": total, "weight_with_data": number(weights), "weight_computed": number(all_weights),
            "weight_applicable": number(applicable), "coverage": covered / applicable if applicable else None,
            "not_due": not_due, "missing": missing, "indicators": out}


# --- the sources ---------------------------------------------------------------------------------

def _terms(year: int) -> list[Term]:
    return [Term(year, "spring"), Term(year, "autumn")]


def _registered(ws: Workspace, schools) -> dict:
    """Each distinct school name of a source → the name schools.xlsx registers (by name or 别名, the
    one reading every command makes: registered_schools), else the name as written."""
    distinct = pd.Series(list(dict.fromkeys(x for x in schools if isinstance(x, str) and x)), dtype=object)
    return dict(zip(distinct, registered_schools(ws, distinct)["school"].astype(object)))


def _payments(ws: Workspace, year: int, db: str | None, book, counts: dict, county_of: dict,
              names: dict, notes: list[str], as_of: date) -> bool:
    from sqlalchemy import select

    from aidctl import ledger as L

    terms = {str(t): book.payment_deadline(t) for t in _terms(year)}
    ledger = L.Ledger(ws.ledger_url(db))
    p, a = L.payments, L.attempts
    with ledger.connect() as conn:
        pays = conn.execute(select(p.c.id, p.c.term, p.c.school, p.c.county).where(p.c.term.in_(list(terms)))).all()
        sent = conn.execute(select(a.c.payment_id, a.c.created_at).join(p, p.c.id == a.c.payment_id)
                            .where(p.c.term.in_(list(terms)), a.c.status.in_(["sent", "paid"]))).all()
    if not pays:
        notes.append(f"账本中没有{year}年春季、秋季学期的付款：及时发放率为无数据")
        return False
    held = {term for _, term, _, _ in pays}
    if len(held) < len(terms):
        notes.append(f"账本中没有{'、'.join(t for t in terms if t not in held)}的付款：及时发放率只按"
                     f"{'、'.join(t for t in terms if t in held)}计算（没有付款的学期不计）")
    canonical = _registered(ws, [school for _, _, school, _ in pays])
    first: dict[int, str] = {}
    for pid, created in sent:
        if pid not in first or created < first[pid]:
            first[pid] = created
    c = counts.setdefault("timely_payment", Counts())
    late_dates = 0
    waiting: dict[str, int] = {}    # term → payments not sent as of as_of, its deadline not passed: not judged
    for pid, term, school, county in pays:
        when = first.get(pid)
        day = date.fromisoformat(when[:10]) if when is not None else None
        on_time = day is not None and day <= terms[term]
        judged = terms[term] < as_of or (day is not None and day <= as_of)
        waiting[term] = waiting.get(term, 0) + (not judged)
        late_dates += judged and day is not None and day.year > year
        county = county or UNKNOWN_COUNTY
        c.add("counties", county, on_time and judged, judged)
        school = canonical.get(school)
        if school:
            c.add("schools", fold_one(school), on_time and judged, judged)
            county_of.setdefault(fold_one(school), county)
            names.setdefault(fold_one(school), school)
    if late_dates:
        notes.append(f"{late_dates} 笔付款的发送日期晚于{year}年（账本记录的是 aidctl 实际发送的日期）：按未及时发放计")
    for term, n in waiting.items():
        if n:
            notes.append(f"截至{as_of}，{term}的发放期限{terms[term]}未到：{n} 笔尚未发送的付款不计入及时发放率"
                         "（不按未及时发放计，期限过后再评）")
    return True


def _history(ws: Workspace, year: int, db: str | None, rules, counts: dict, names: dict,
             notes: list[str], as_of: date) -> bool:
    from aidctl import ledger as L
    from aidctl.ledger import intake_history as history

    ledger = L.Ledger(ws.ledger_url(db))
    accuracy = counts.setdefault("data_accuracy", Counts())
    timely = counts.setdefault("on_time_submission", Counts())
    any_term = False
    later = by_default = 0
    tied: list[str] = []        # schools whose first submission shares its receipt time with another version
    empty, waiting, unplaced = [], [], []
    for term in _terms(year):
        h = history(ledger, str(term))
        if h.empty:
            empty.append(str(term))
            continue
        any_term = True
        deadline = rules.oversight.deadline(term)
        due = deadline < as_of       # as of as_of the deadline has passed: a school that sent nothing is late
        nowhere = h["school"].isin(UNPLACED)
        unplaced += [f"{term} {f}" for f in dict.fromkeys(h.loc[nowhere, "file"].astype(str))]
        h = h[~nowhere]
        h = h.assign(school=h["school"].map(_registered(ws, h["school"])))   # a 别名 is its school
        h = h.assign(_at=h["received_at"].astype(str), _seen=h["first_seen"].astype(str), _file=h["file"].astype(str))
        sent = set()
        for school, g in h.groupby("school", sort=True):
            # the school's first submission is the content it sent first (its earliest receipt), never
            # the files aidctl happened to read first (a 初报 and a 修改版 read in one run are two
            # submissions); receipts tied are ordered as intake show orders them (first reading, then
            # file name), and said
            g = g.sort_values(["_at", "_seen", "_file"], kind="stable")
            earliest = g.iloc[0]
            first = g[g["sha256"] == earliest["sha256"]]   # one content: its rows under a name and a 别名
            key = fold_one(school)
            names.setdefault(key, school)
            sent.add(key)
            records = int(first["records"].sum())
            clean = int((first["records"] - first["errors"]).clip(lower=0).sum())
            accuracy.add("schools", key, clean, records)
            rivals = g[(g["_at"] == earliest["_at"]) & (g["sha256"] != earliest["sha256"])]
            if len(rivals):
                tied.append(f"{term} {school}（按 {earliest['_file']} 计，同时接收的还有 "
                            f"{'、'.join(dict.fromkeys(rivals['_file']))}）")
            # on time by when the school first sent a version (its earliest receipt), not by when aidctl
            # read it nor by the order it read the files in
            by_default += earliest["received_source"] == "now"
            day = date.fromisoformat(str(earliest["received_at"])[:10])
            judged = due or day <= as_of   # not received as of as_of, the deadline not passed: not judged yet
            later += judged and day.year > year
            waiting += [] if judged else [f"{term} {school}"]
            timely.add("schools", key, judged and day <= deadline, judged)
        if ws.schools is not None:
            for name in ws.schools["school"].astype(str):
                if fold_one(name) not in sent:
                    names.setdefault(fold_one(name), name)
                    timely.add("schools", fold_one(name), 0, due)
                    waiting += [] if due else [f"{term} {name}"]
    if not any_term:
        del counts["data_accuracy"], counts["on_time_submission"]
        notes.append(f"报送记录（intake）中没有{year}年春季、秋季学期的花名册：数据准确率、按时报送率为无数据")
    elif empty:
        notes.append(f"报送记录（intake）中没有{'、'.join(empty)}的花名册：数据准确率、按时报送率只按"
                     f"{'、'.join(str(t) for t in _terms(year) if str(t) not in empty)}计算（没有报送记录的学期不计，"
                     "其学校不按未报送计）")
    if unplaced:
        notes.append(f"{len(unplaced)} 份报送无法确定是哪所学校的（花名册没有写学校，intake show 列为{UNKNOWN_SCHOOL}）："
                     f"{'、'.join(unplaced[:10])}{'等' if len(unplaced) > 10 else ''}；未计入任何学校的数据准确率和按时报送率，"
                     "报送它的学校可能因此按未报送计：请在花名册中写明填报单位，或用学校名称命名文件")
    if waiting:
        notes.append(f"截至{as_of}报送期限未到、尚未收到花名册的 {len(waiting)} 个学校学期不计入按时报送率（不按逾期计，期限过后再评）："
                     f"{'、'.join(waiting[:10])}{'等' if len(waiting) > 10 else ''}")
    if later:
        notes.append(f"{later} 份首次报送的接收日期晚于{year}年（没有接收记录的按 aidctl 第一次读到文件的日期）：按逾期报送计")
    if by_default:
        notes.append(f"{by_default} 份首次报送的接收时间是 intake receive 未指定 --at 时按登记当时的时间记的，可能晚于学校实际发出的时间："
                     "按时报送率据此计算；请用 intake receive --at 登记实际接收时间")
    if tied:
        notes.append(f"{'；'.join(tied[:10])}{'等' if len(tied) > 10 else ''}：首次报送有接收时间相同的几个版本，"
                     "哪一版是首次报送按 aidctl 第一次读到的时间和文件名排（与 intake show 相同），不一定是学校先发出的一版，"
                     "数据准确率按排在前的一版计；请用 intake receive --at 登记各版本的实际接收时间")
    return any_term


def _extraction(paths: list[Path], displays: list[str], ws: Workspace, year: int, counts: dict,
                county_of: dict, names: dict, problems: list[dict], notes: list[str]) -> tuple[list[str], set[str]]:
    """校内资助金提取达标率 from audit-extraction's rows, each school as schools.xlsx registers it (by
    学校代码, else by name or 别名: registered_schools). A row the audit could not count or audit (an
    unreadable 年度 or figure, a code and a name of two schools, a school-year twice) is a problem,
    and every school it may be is held: its figure is 无数据, never scored on its other rows as if
    the row were not there. Returns (the files read, the held schools' keys)."""
    from aidctl.oversight.extraction import UNAUDITABLE, UNREADABLE, audit

    result = audit(paths, ws, year=year, displays=displays)
    s = result.schools
    if s.empty:
        counts.setdefault("extraction", Counts())
        return [t.file for t in result.tables], set()
    f = result.findings
    why = f[(f["rec"] >= 0) & f["code"].isin([*UNREADABLE, "schema.missing_column"])].groupby("rec")["message"].agg(
        lambda m: "；".join(dict.fromkeys(m))).reindex(s.index)
    verdicts = result.verdicts()
    bad = (~s["counted"].astype(bool) | verdicts.eq(UNAUDITABLE) | why.notna()).to_numpy(dtype=bool)
    who = registered_schools(ws, s["school"], s["school_code"])
    key = who["school"].map(fold_one, na_action="ignore")
    by_name = who["by_name"].map(fold_one, na_action="ignore")
    held = set(key[bad].dropna()) | set(by_name[bad].dropna())   # a code and a name of two schools: both
    tables = result.tables
    for r in s.index[bad]:
        t = tables[int(s.at[r, "table"])]
        sheet = f"工作表“{t.sheet}”" if t.workbook_sheets > 1 else ""
        reason = why[r] if isinstance(why[r], str) else "财务数据无法识别"
        problems.append({"source": "finance", "file": s.at[r, "file"], "sheet": t.sheet, "row": int(s.at[r, "row"]),
                         "message": f"{sheet}{reason}（该行未计入校内资助金提取达标率，所涉学校的达标率为无数据）"})
    c = counts.setdefault("extraction", Counts())
    county = s["county"].astype(object).where(s["county"].notna(), UNKNOWN_COUNTY)
    scored = ~bad & ~key.isin(held).to_numpy(dtype=bool)
    rows = pd.DataFrame({"county": county, "key": key, "school": who["school"],
                         "ok": (verdicts != "不合规").astype(int)})
    for table, by in (("counties", "county"), ("schools", "key")):
        for name, (num, den) in rows[scored].groupby(by)["ok"].agg(["sum", "size"]).iterrows():
            c.add(table, name, num, den)
    for k, school, place in rows.dropna(subset=["key"])[["key", "school", "county"]].itertuples(index=False):
        names.setdefault(k, school)        # a held school is listed too, its figure 无数据
        county_of.setdefault(k, place)
    left_out = sorted(set(county[bad | ~scored]))
    if left_out:
        notes.append(f"财务报表有无法计入的行（见问题清单）：{'、'.join(left_out)}的校内资助金提取达标率只按其余能审核的学校计算，"
                     "涉及的学校为无数据")
    places = pd.Series([f"{t.place(int(r))}" for t, r in zip((tables[int(i)] for i in s["table"]), s["row"])],
                       index=s.index, dtype="string")
    shown = ~bad
    if (who["by"][shown] == "no_register").any():
        notes.append("工作目录没有 schools.xlsx：财务报表的学校按报表所写的学校名称计分，未按学校代码或别名归入登记的学校；"
                     "请在工作目录中放置 schools.xlsx（学校代码、名称、别名）")
    said = unregistered_note(who[shown], places[shown], "财务报表", "行", "按报表所写的学校名称单独计分")
    if said:
        notes.append(said)
    coded = (who["code_unregistered"] & shown).to_numpy(dtype=bool)
    if coded.any():
        notes.append("财务报表中 " + f"{int(coded.sum())} 行的学校代码不在 schools.xlsx 中，已按学校名称（或别名）归入登记的学校："
                     + "、".join(f"{p}“{code}”→{school}" for p, code, school in
                                zip(places[coded].iloc[:10], s["school_code"][coded].iloc[:10], who["school"][coded].iloc[:10]))
                     + "；请核对学校代码")
    return [t.file for t in tables], {k for k in held if isinstance(k, str)}


def _complaints(summary: C.ComplaintSummary, counts: dict, county_of: dict, names: dict,
                problems: list[dict]) -> None:
    rate = counts.setdefault("complaint_rate", Counts())
    closure = counts.setdefault("complaint_closure", Counts())
    for r in summary.counties.itertuples(index=False):
        if not pd.isna(r.aided):
            rate.add("counties", r.county, r.complaints, int(r.aided))
        closure.add("counties", r.county, r.closed_on_time, r.closed + r.overdue_open)
    for r in summary.schools.itertuples(index=False):
        if r.school in UNPLACED:
            continue
        key = fold_one(r.school)
        names.setdefault(key, r.school)
        county_of.setdefault(key, UNKNOWN_COUNTY if missing(r.county) else r.county)
        if not pd.isna(r.aided):
            rate.add("schools", key, r.complaints, int(r.aided))
        closure.add("schools", key, r.closed_on_time, r.closed + r.overdue_open)
    for f in summary.findings:
        if f["severity"] == "error":   # a row that could not be counted (a warning is in the complaints output)
            problems.append({"source": "complaints", "file": f["file"], "sheet": f.get("sheet"), "row": f["row"],
                             "message": f["message"]})


def _loans(paths: list[Path], displays: list[str], ws: Workspace, year: int, as_of: date, counts: dict,
           problems: list[dict], skip_unrecognised: bool) -> list[str]:
    from aidctl.loans import summarise_loans as summarise

    c = counts.setdefault("loan_performance", Counts())
    used = []
    for path, display in zip(paths, displays):
        try:
            s = summarise(path, ws, year, as_of=as_of, display=display)
        except ReadError:
            if skip_unrecognised:  # loans/ also holds the application list: not a register
                continue
            raise
        used.append(display)
        for r in s.counties.itertuples(index=False):
            c.add("counties", r.county, r.repaid_on_time, r.due)
        for e in s.excluded:
            problems.append({"source": "loans", "file": e["file"], "sheet": e.get("sheet"), "row": e["row"],
                             "message": "；".join(e["reasons"]) if isinstance(e["reasons"], list) else str(e["reasons"])})
    if not used:
        del counts["loan_performance"]
    return used


def assess(ws: Workspace, year: int, *, finance: list[Path] | None = None, complaints: list[Path] | None = None,
           loans: list[Path] | None = None, db: str | None = None, as_of: date | None = None,
           report: Path | None = None) -> Scorecard:
    """The year's scorecard. Sources not given default to the workspace's finance/, complaints/ and
    loans/ folders when they hold files; a source that is absent leaves its indicators 无数据. With
    `report`, the workbook is written there (refused first when it would replace an input or a file
    the workspace keeps)."""
    ws.output(report, [*(finance or []), *(complaints or []), *(loans or [])], db=db)
    rules = ws.rules
    book = rules.assessment
    notes: list[str] = []
    as_of = as_of_said(as_of, year, "判断投诉办结、贷款履约，以及发放和报送期限是否已过", notes)
    counts: dict[str, Counts] = {}
    county_of: dict[str, str] = {}
    names: dict[str, str] = {}
    problems: list[dict] = []
    held: set[str] = set()       # schools a finance row may be that could not be counted: listed, 无数据
    sources: dict = {"ledger": False, "intake_history": False, "finance": None, "complaints": None, "loans": None}

    has_ledger = bool(db) or ws.has_ledger()
    if has_ledger:
        sources["ledger"] = _payments(ws, year, db, book, counts, county_of, names, notes, as_of)
        sources["intake_history"] = _history(ws, year, db, rules, counts, names, notes, as_of)
    else:
        notes.append("工作目录没有账本（aidctl.db）：及时发放率、数据准确率、按时报送率、投诉率为无数据")

    def given(paths, folder):
        if paths:
            return list(paths), [str(p) for p in paths], False
        found = ws.spreadsheets(folder)  # optional here: a missing source is 无数据
        return found, [ws.display(p) for p in found], True

    paths, displays, _ = given(finance, "finance")
    if paths:
        sources["finance"], held = _extraction(paths, displays, ws, year, counts, county_of, names, problems, notes)
    else:
        notes.append("没有财务报表（--finance 或 finance/）：校内资助金提取达标率为无数据")
    paths, displays, _ = given(complaints, "complaints")
    if paths:
        aided = C.aided_students(ws, year, db) if has_ledger else C.Aided(
            [str(t) for t in _terms(year)], False)
        summary = C.summarise(paths, ws, year, as_of=as_of, displays=displays, aided=aided)
        notes.extend(summary.notes)
        _complaints(summary, counts, county_of, names, problems)
        sources["complaints"] = [t.file for t in summary.tables]
    else:
        notes.append("没有投诉登记台账（--complaints 或 complaints/）：投诉率、投诉按时办结率为无数据")
    paths, displays, from_folder = given(loans, "loans")
    if paths:
        sources["loans"] = _loans(paths, displays, ws, year, as_of, counts, problems, from_folder) or None
    if not sources["loans"]:
        notes.append("没有生源地贷款台账（--loans 或 loans/）：贷款履约率为无数据")

    # where a school belongs: schools.xlsx first, then what the sources recorded
    if names:
        from aidctl.read import school_attributes

        frame = pd.DataFrame({"school": pd.Series(list(names.values()), dtype="string")})
        known = school_attributes(frame, rules, ws)["v_county"].tolist()
        for key, county in zip(names, known):
            if not missing(county):   # a school neither schools.xlsx nor the ledger knows keeps its source's county
                county_of[key] = county
        shared = [n for n, by in zip(names.values(), registered_schools(ws, frame["school"])["by"]) if by == "shared"]
        if shared:
            notes.append(f"schools.xlsx 中{'、'.join(f'“{n}”' for n in shared)}是不止一所学校的名称或别名：付款、报送记录和"
                         "投诉按名称无法确定是哪一所，按该名称合并为一所学校计分，所属县区按付款等记录所填；"
                         "同名的学校各自的指标没有计算：请在 schools.xlsx 中区分学校名称，或让学校在花名册中写明学校代码")
    for key_ind in ("data_accuracy", "on_time_submission"):
        if key_ind in counts:
            for school, (num, den) in counts[key_ind].schools.items():
                counts[key_ind].add("counties", county_of.get(school, UNKNOWN_COUNTY), num, den)

    counties = sorted({c for k in counts.values() for c in k.counties})
    schools = sorted({s for k in counts.values() for s in k.schools} | held,
                     key=lambda s: (county_of.get(s, UNKNOWN_COUNTY), names.get(s, s)))
    county_cards = [{"county": c, **card(counts, "counties", c, book)} for c in counties]
    school_cards = [{"school": names.get(s, s), "county": county_of.get(s, UNKNOWN_COUNTY),
                     **card(counts, "schools", s, book)} for s in schools]
    # the （县区不明） bucket is shown but not ranked: it is no county
    def coverage(cards: list[dict]) -> list[Fraction]:
        return [c["coverage"] or Fraction(0) for c in cards]

    for c, r in zip(county_cards, rank([None if c["county"] == UNKNOWN_COUNTY else c["total"] for c in county_cards],
                                       coverage(county_cards))):
        c["rank"] = r
    for c, r in zip(school_cards, rank([c["total"] for c in school_cards], coverage(school_cards))):
        c["rank"] = r
    exact = {}
    for table, cards, name in (("counties", county_cards, "county"), ("schools", school_cards, "school")):
        cards.sort(key=lambda c: (c["rank"] is None, c["rank"] or 0))   # stable: by name within a rank
        for c in cards:
            exact[(table, c[name])] = {"total": c["total"], "coverage": c["coverage"], "indicators": {
                k: dict(zip(("value", "score"), x.pop("_exact", (None, None)))) for k, x in c["indicators"].items()}}
            c["total"] = number(c["total"])
            c["coverage"] = percent(c["coverage"])
    if any(c["missing"] for c in county_cards + school_cards):
        notes.append("有的县区或学校缺少部分指标的数据（见各自的 missing）：排名先按数据覆盖率、再按总分，"
                     "缺数据的不会因按有数据指标折算而排到前面")
    if UNKNOWN_COUNTY in counties:
        notes.append(f"有数据无法归入县区，列为“{UNKNOWN_COUNTY}”，不参加县区排名：请在 schools.xlsx 中登记学校所属县区")
    notes = list(dict.fromkeys([*ws.unread_notes(), *notes]))   # a folder read twice is said once
    result = Scorecard(year, as_of, book, sources, counts, county_cards, school_cards, notes, problems, exact)
    if report is not None:
        from aidctl.oversight.workbooks import write_scorecard_report

        write_scorecard_report(result.to_json(), report)
    return result


def target_label(i: dict) -> str:
    """目标100.00% / 目标≤1.00‰ for an indicator of the JSON."""
    return f"目标{'≤' if i['better'] == 'lower' else ''}{i['target']}{'‰' if i['unit'] == 'per_thousand' else ''}"
