"""Read the loan register (贷款台账) the bank exports: one row a contract, one contract a loan year.

The frame keeps every cell as text and adds, computed once and vectorised: the resident-ID columns
(identity.resident_ids, the same as rosters), the level of study, the loan year and its start date,
the cap in force, exact money in fen (units per column from the header), dates, the repayment status
word, and who the borrower is. Checks (aidctl/checks/loans.py) and figures read these columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from aidctl.core import identity, money
from aidctl.core.dates import cell_dates, cell_years
from aidctl.core.findings import CATALOGUE, ERROR, WARNING, FindingCounts
from aidctl.core.labels import UNKNOWN_COUNTY
from aidctl.core.terms import FIRST_YEAR, LAST_YEAR, Term
from aidctl.core.text import lookup, per_distinct_rows, text_or_none
from aidctl.read import Table, Workspace, file_info, having_column, read_tables, shown, stack
from aidctl.rulebook import Rulebook

KIND = "loan_register"
MONEY = ["amount", "principal_due", "interest_due", "repaid"]
# a finding on 还款状态 whose fault bears on the repayment figures only: its word (rules/loans.yaml
# status_claims) says the opposite of the money and 逾期天数 (checks._status_contradicts). The loan
# figures (new loans, 贴息, 风险补偿金) do not rest on it, as they do on a word not understood: its
# `key` (Register.invalid) is this, not "status"; it stands on the 还款状态 cell all the same
STATUS_REPAYMENT = "status:repayment"
# the columns the repayment figures need: the amounts and dates, and the 还款状态 that says whether a
# contract is settled, compensated or in repayment
REPAYMENT = frozenset({"principal_due", "interest_due", "repaid", "due_date", "days_overdue", "status",
                       STATUS_REPAYMENT})
CARRY = ("name", "id_number", "contract", "county")   # carried onto each finding
# the 还款状态 kinds (rules/loans.yaml statuses) that end the loan: 贴息 stops the day before its
# 结清日期, so a contract of these kinds in study bears none without it. settled_early must give the
# date, column or not (loan.invalid); the others (结清, 代偿 …) must where the register has the column
# (loan.invalid on a blank cell), and without the column bear no 贴息 in a year they were in study
CLOSED = ("settled", "settled_early", "compensated")
UNDATED_OK = tuple(k for k in CLOSED if k != "settled_early")   # need the date only with the column
# a contract the register holds twice (one borrower, one year) or a 合同编号 on two borrowers: which
# row is right is the bank's to say, so none is counted, in any figure
UNCOUNTED = ("loan.duplicate_contract", "loan.contract_shared")
# a borrower whose 身份证号 has an error (blank, not 18 characters, a wrong check character, a birth
# date that cannot be, digits lost to a number cell) is not known: whether the contract is a second
# one of the year (loan.duplicate_contract), and whose arrears it is, cannot be told. Counted
# nowhere either, as an UNCOUNTED contract is (a register is not read without the column at all).
# So is one whose 借款人姓名 is blank (name.missing): the name and the ID are the two things the
# register says of the borrower, each the check of the other, and an ID alone cannot be told from
# another borrower's copied onto the row (as on rosters, where a record without a name is not paid).
# So is one whose 借款人姓名 holds a note or a second borrower (name.invalid: 张三（补）, 李四/王五)
ID_ERRORS = tuple(c for c, t in CATALOGUE.items() if c.startswith(("id.", "name.")) and t.severity == ERROR)
# faults on a value (the finding's column) that keep the contract out of the figures needing it.
# loan.over_cap is on 贷款金额: an amount above the cap in force is one the bank is asked to verify
# (a slip of the pen, or a loan that should not have been made), so new loans, 贴息 and 风险补偿金
# do not count it, in full or capped; the repayment figures, which do not rest on it, do
VALUE_FAULTS = ("loan.invalid", "loan.graduation_year", "loan.over_cap")


@dataclass
class Register(FindingCounts):
    """The register's contracts, the tables they came from, and the located findings."""

    frame: pd.DataFrame
    tables: list[Table]
    findings: pd.DataFrame

    def present(self, column: str) -> pd.Series:
        return having_column(self.frame, self.tables, column)

    def file_info(self) -> list[dict]:
        return file_info(self.tables)

    def summary(self) -> dict:
        return {"records": int(len(self.frame)), "errors": self.errors, "warnings": self.warnings}

    def _faults(self, columns: frozenset[str] | None) -> pd.DataFrame:
        f = self.findings
        hit = (f["code"].isin(VALUE_FAULTS) & (f["rec"] >= 0)) \
            | ((f["code"] == "schema.missing_column") & (f["rec"] < 0))
        if columns is not None:
            hit &= f["key"].isin(columns)
        hit |= f["code"].isin([*UNCOUNTED, *ID_ERRORS]) & (f["rec"] >= 0)
        return f[hit]

    def invalid(self, columns: frozenset[str] | None = None) -> pd.Series:
        """True for the contracts that cannot be counted: a VALUE_FAULTS finding (loan.invalid,
        loan.graduation_year, loan.over_cap), or a sheet lacking a required column; with `columns` (REPAYMENT for the repayment
        figures), only faults in those. A contract with an UNCOUNTED finding or an error in its
        borrower's name or ID (ID_ERRORS) is never counted."""
        f = self._faults(columns)
        bad = np.zeros(len(self.frame), dtype=bool)
        bad[f.loc[f["rec"] >= 0, "rec"].to_numpy(dtype=np.int64)] = True
        bad |= self.frame["table"].isin(f.loc[f["rec"] < 0, "table"]).to_numpy()
        return pd.Series(bad, index=self.frame.index)

    def excluded(self, columns: frozenset[str] | None = None, also: dict[int, str] | None = None) -> list[dict]:
        """The contracts left out (see invalid), with the reasons: for the JSON and the workbooks.
        `also` adds contracts (by position) a figure of one command leaves out, with its reason."""
        also = also or {}
        marked = self.invalid(columns).to_numpy().copy()
        marked[list(also)] = True
        bad = np.flatnonzero(marked)
        if not len(bad):
            return []
        f = self._faults(columns)
        per_rec = f[f["rec"] >= 0].groupby("rec")["message"].agg(list)
        per_table = f[f["rec"] < 0].groupby("table")["message"].agg(list)
        rows = self.frame.iloc[bad]
        files = [t.file for t in self.tables]
        return [{"file": files[int(t)], "row": int(r), "contract": text_or_none(c), "name": text_or_none(n),
                 "reasons": per_rec.get(rec, []) + per_table.get(t, []) + ([also[rec]] if rec in also else [])}
                for rec, t, r, c, n in zip(bad, rows["table"], rows["excel_row"], rows["contract"], rows["name"])]

    def held_total(self, fen: pd.Series, what: str, columns: tuple[str, ...]) -> int:
        """money.check_sums over a figure per contract (`fen`, indexed as the frame or a part of it):
        the exact total, or AidctlError (exit 2) when the figures leave the 64 bits of a fen column,
        naming the largest contract's place and its `columns` as the register heads them. Within
        them no sum of a part of the figures (by county, by borrower) wraps round."""
        a = fen.fillna(0).to_numpy(dtype=np.int64)
        hint = ""
        if len(a):
            top = int(np.argmax(np.abs(a)))
            r = self.frame.loc[fen.index[top]]
            t = self.tables[int(r["table"])]
            heads = "、".join(f"“{t.columns[k].header}”" for k in columns if k in t.columns)
            hint = (f"（最大的一笔：{t.place(int(r['excel_row']))}{heads}列，合同{text_or_none(r['contract']) or '编号空'}，"
                    f"{money.yuan(int(a[top]))} 元）")
        return money.check_sums(pd.Series(a), what, hint=hint)

    def by_code(self) -> pd.DataFrame:
        counts = self.findings.groupby(["code", "severity"]).size().rename("count").reset_index()
        order = {c: i for i, c in enumerate(CATALOGUE)}
        counts["title"] = counts["code"].map({c: t.title for c, t in CATALOGUE.items()})
        return counts.sort_values("code", key=lambda s: s.map(order)).reset_index(drop=True)

    def by_county(self) -> pd.DataFrame:
        county = self.frame["county"].astype(object).fillna(UNKNOWN_COUNTY)
        records = county.value_counts().rename("records")
        f = self.findings[self.findings["rec"] >= 0]
        fc = county.to_numpy()[f["rec"].to_numpy(dtype=np.int64)] if len(f) else np.array([], dtype=object)
        errors = pd.Series(fc[(f["severity"] == ERROR).to_numpy()]).value_counts().rename("errors")
        warnings = pd.Series(fc[(f["severity"] == WARNING).to_numpy()]).value_counts().rename("warnings")
        out = pd.concat([records, errors, warnings], axis=1).fillna(0).astype("int64").sort_index()
        out.index.name = "county"
        return out.reset_index()

    def to_json(self) -> dict:
        cols = ["file", "sheet", "row", "column", "code", "severity", "message", "value"]
        rows = self.findings[cols].astype(object)
        rows = rows.where(rows.notna(), None)
        findings = [dict(zip(cols, r)) for r in rows.itertuples(index=False, name=None)]
        for item in findings:
            if item["row"] is not None:
                item["row"] = int(item["row"])
        return {"version": 1, "files": self.file_info(), "summary": self.summary(), "findings": findings}


def read_register(path: Path, ws: Workspace, display: str | None = None, *,
                  today: date | None = None) -> Register:
    """Read the register, derive its columns and check it (findings located by file, sheet, row)."""
    from aidctl.check import locate_in
    from aidctl.loans import checks as loan_checks

    rules = ws.rules
    from aidctl.check import settle_headers

    tables = read_tables(path, display or shown(path), KIND, rules)
    header = settle_headers(tables, rules.columns.tables[KIND], rules.columns.units, KIND)
    frame = build_frame(tables, rules, today=today)
    findings = loan_checks.check(frame, tables, rules)
    if header:
        findings = pd.concat([findings, *header], ignore_index=True)
    findings["key"] = findings["column"]          # the canonical column, before locate writes the header
    located = locate_in(findings, frame, tables, rules, KIND, CARRY)
    if "figures_key" in located:                  # a fault bearing on some figures only (STATUS_REPAYMENT)
        located["key"] = located["figures_key"].where(located["figures_key"].notna(), located["key"])
        located = located.drop(columns="figures_key")
    return Register(frame, tables, located)


def check_register(path: Path, ws: Workspace, display: str | None = None, *,
                   report: Path | None = None) -> Register:
    """`loans check`: the register read and checked; with `report`, the check workbook written there
    (refused before anything is read when it would replace the register or a file the workspace keeps)."""
    ws.output(report, [path])
    register = read_register(path, ws, display)
    if report is not None:
        from aidctl.loans.workbooks import write_check_report

        write_check_report(register, report)
    return register


def build_frame(tables: list[Table], rules: Rulebook, *, today: date | None = None) -> pd.DataFrame:
    from aidctl.loans.exported import export_dates, per_record

    frame = stack(tables, rules.columns.tables[KIND])
    derive(frame, rules, today=today or date.today())
    # the day the bank exported each sheet (数据截至 above the header), NaT where it does not say
    frame["exported"] = per_record(frame, export_dates(tables, rules.loans.export_date_labels))
    return frame


def derive(frame: pd.DataFrame, rules: Rulebook, *, today: date) -> None:
    loans = rules.loans
    frame["year"] = cell_years(frame["loan_year"])
    frame.loc[(frame["year"] < FIRST_YEAR) | (frame["year"] > LAST_YEAR), "year"] = pd.NA
    starts = {int(y): pd.Timestamp(rules.term_start(Term(int(y), "autumn"))) for y in frame["year"].dropna().unique()}
    frame["year_start"] = pd.to_datetime(frame["year"].map(starts, na_action="ignore"))
    reference = frame["year_start"].fillna(pd.Timestamp(today))
    for col, values in identity.resident_ids(frame["id_number"], frame["id_number_number_cell"], reference).items():
        frame[col] = values
    frame["person"] = identity.person(frame)
    frame["v_level"] = lookup(frame["level"], loans.levels).astype(object)
    frame["v_status"] = lookup(frame["status"], loans.statuses.model_dump()).astype(object)
    # what a repayment word also says of the money (status_claims): in_arrears, current, or NA
    claims = {w: kind for kind, words in loans.status_claims.model_dump().items() for w in words}
    claim = lookup(frame["status"], claims).astype(object)
    frame["v_claim"] = claim.where((frame["v_status"] == "repayment").to_numpy() & claim.notna().to_numpy(), None)

    def cap(level, year):
        if level is None or year is None:
            return None, None, None
        period = loans.cap(rules.term_start(Term(int(year), "autumn")))
        if period is None:
            return None, None, None
        value = period.per_year[level]
        return int(value * 100), f"{value:.2f}", period.source

    caps = per_distinct_rows(frame, ["v_level", "year"], cap, ["cap_fen", "cap_yuan", "cap_source"])
    frame["cap_fen"] = pd.array(caps["cap_fen"].tolist(), dtype="Int64")
    frame["cap_yuan"] = caps["cap_yuan"]
    frame["cap_source"] = caps["cap_source"]
    frame["disbursed"] = cell_dates(frame["disbursed_on"])
    frame["signed"] = cell_dates(frame["signed_on"])
    frame["settled"] = cell_dates(frame["settled_on"])
    frame["due"] = cell_dates(frame["due_date"])
    frame["graduation"], frame["graduation_form"] = graduation_years(frame["graduation_year"])
    frame["days_overdue_n"] = pd.to_numeric(
        frame["days_overdue"].astype("string").str.replace("天", "", regex=False).str.extract(r"^(\d{1,5})$",
                                                                                              expand=False),
        errors="coerce").astype("Int64")
    month, day = (int(x) for x in loans.interest.study_ends.split("-"))
    grad = frame["graduation"]
    ok = grad.notna() & (grad >= FIRST_YEAR) & (grad <= LAST_YEAR)
    ends = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    if ok.any():
        ends[ok] = pd.to_datetime(pd.DataFrame({"year": grad[ok].astype("int64"), "month": month, "day": day}))
    frame["study_end"] = ends            # the last day of study, inclusive
    # the last day of 贴息, inclusive: the last day of study, or the day before an early repayment
    before = frame["settled"] - pd.Timedelta(days=1)
    frame["interest_end"] = ends.where(~(before < ends).fillna(False), before)
    county = frame["county"].astype(object)
    frame["county"] = county.where(county.notna(), None)


# 预计毕业年份 is a year as a whole: 2027, 2027年, 2027届, 2027年6月, a date (cell_years, as 贷款年度). Not a
# school year (2026-2027学年, 2027-2028, 2027学年): cell_years takes its first year, right for a
# 贷款年度 and a year short for a graduation (in the summer of the second), so which year is meant
# is not known; nor a class by its year of entry (2024级): neither is taken for a graduation year
_GRADUATION_SCHOOL_YEAR = r"^\s*\d{4}\s*(?:[-—–~至/]\s*\d{4}\s*(?:学年度?|年度?)?|学年度?)\s*$"
_GRADUATION_CLASS = r"^\s*\d{4}\s*级\s*$"


def graduation_years(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(the graduation year each cell gives as a whole, Int64; why a year read is no graduation year:
    "school_year" or "class", NA else). The year is NA where it is either, or unreadable."""
    year = cell_years(text)
    t = text.astype("string")
    form = pd.Series(pd.NA, index=text.index, dtype="string")
    form = form.mask(year.notna() & t.str.match(_GRADUATION_SCHOOL_YEAR).fillna(False), "school_year")
    form = form.mask(year.notna() & t.str.match(_GRADUATION_CLASS).fillna(False), "class")
    return year.mask(form.notna()), form


# --- repayment at a date ---------------------------------------------------------------------------

OVERDUE_RULE = ("逾期认定：应还本金＋应还利息－实还金额＞0（欠款），且台账有应还日期的，应还日期早于截止日"
                "（逾期天数＝截止日－应还日期）；没有应还日期的，按银行导出时的逾期天数＞0认定（天数照录）。"
                "还款状态为结清、代偿的合同不计逾期。有欠款、没有应还日期而逾期天数为空或为0的，"
                "是否到期、是否逾期无法判断，不计入到期应还、履约率和逾期，也不列入催收名单（列为数据有误）。"
                "还款状态与还款金额、逾期天数相互矛盾的（还款状态说欠款逾期而应还本金＋应还利息－实还金额≤0，"
                "或说正常还款而有欠款且逾期天数＞0，或说正常还款、逾期天数为空或为0而有欠款且应还日期早于表头上方注明的数据截至日期；"
                "用语见 rules/loans.yaml status_claims、export_date_labels），有欠款而逾期天数与应还日期在数据截至日期相互矛盾的"
                "（应还日期早于数据截至日期、还款状态未说明还款情况而逾期天数记为0的，或应还日期不早于数据截至日期而逾期天数＞0），"
                "以及没有欠款而逾期天数＞0的（代偿除外；已结清而逾期天数＞0的，可能是逾期后才结清，不算按期还款），"
                "同样无法判断，不计入、不列入，列为数据有误。")


def repayment(frame: pd.DataFrame, as_of: date, rules: Rulebook) -> pd.DataFrame:
    """Per contract at `as_of`: due_fen (应还本金 + 应还利息, blank = 0), repaid_fen, arrears_fen,
    fallen_due, days (overdue), days_source, overdue, on_time, unjudged, closed, in_repayment.

    A contract is **overdue** at `as_of` when its arrears (应还 − 实还) are positive, it is neither
    settled nor compensated, and: its 应还日期 is before `as_of` (days = as_of − 应还日期); or,
    without an 应还日期, the bank's 逾期天数 at the export is positive (days as exported).
    Its amounts have **fallen due** when 应还 > 0, its 应还日期 (if any) is before `as_of` and it
    was not repaid by the state (代偿: a compensated contract is out of 履约率, never a default);
    it is **on time** when they have fallen due, it is not overdue and nothing is left unpaid.
    It is **in repayment** when not settled or compensated and its status is a grace or repayment
    word, or (no such word) its study ended before `as_of`.
    A contract in arrears that could be neither on time nor overdue (结清 yet owing; no 应还日期 and
    逾期天数 blank or 0) is loan.invalid (checks._arrears_unjudged), so Register.invalid keeps it out;
    so is one whose 还款状态 word contradicts the money or the days (checks._status_contradicts: 逾期
    owing nothing would be on time here, 正常 owing with days overdue would be overdue).
    **unjudged** marks any contract fallen due that is still neither: none once the checks have run,
    and the figures keep such a one out of every repayment bucket, with a reason, never in `due` alone.
    """
    due = frame["principal_due_fen"].fillna(0) + frame["interest_due_fen"].fillna(0)
    repaid = frame["repaid_fen"].fillna(0)
    arrears = due - repaid
    status = frame["v_status"]
    closed = status.isin(CLOSED).to_numpy()
    compensated = (status == "compensated").to_numpy()
    cutoff = pd.Timestamp(as_of)
    has_date = frame["due"].notna()
    by_date = (cutoff - frame["due"]).dt.days.astype("Int64")
    days = by_date.where(has_date, frame["days_overdue_n"]).fillna(0).astype("int64")
    # a contract the state repaid (代偿, e.g. for a student who enlisted) is nobody's default: out of 履约率
    fallen = ((due > 0) & (~has_date | (frame["due"] < cutoff))).to_numpy(dtype=bool) & ~compensated
    overdue = fallen & ~closed & (arrears > 0).to_numpy(dtype=bool) & (days > 0).to_numpy()
    on_time = fallen & ~overdue & (arrears <= 0).to_numpy(dtype=bool)
    unjudged = fallen & ~overdue & ~on_time
    worded = status.isin(["grace", "repayment"]).to_numpy()
    unworded = status.isna().to_numpy()            # blank (an unknown word is loan.invalid)
    studied = (frame["study_end"] < cutoff).fillna(False).to_numpy(dtype=bool)
    in_repayment = ~closed & (worded | (unworded & studied))
    return pd.DataFrame({"due_fen": due.astype("int64"), "repaid_fen": repaid.astype("int64"),
                         "arrears_fen": arrears.astype("int64"), "fallen_due": fallen,
                         "days": np.where(overdue, days, 0), "days_source": np.where(has_date, "due_date", "register"),
                         "overdue": overdue, "on_time": on_time, "unjudged": unjudged, "closed": closed, "in_repayment": in_repayment},
                        index=frame.index)

