"""The year's loan figures by county: applications and approvals, new loans, 在校期间贴息,
风险补偿金, and the repayment picture (in repayment, fallen due, repaid on time, 履约率, overdue).

Money is integer fen throughout. Rounding: 贴息 half up to the fen per loan and year (interest.py);
风险补偿金 half up to the fen per county (ratio × the county's new loans); every total is the sum of
the rounded county figures, so the table adds up. Rates are percentages with two decimals, half up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd

from aidctl.core import money
from aidctl.core.dates import as_of_said, cell_dates, cell_years
from aidctl.core.labels import UNKNOWN_COUNTY
from aidctl.core.terms import Term
from aidctl.core.text import lookup, text_or_none
from aidctl.loans.exported import unread_notes
from aidctl.loans.interest import (
    NoRate,
    contracts_interest,
    contracts_label,
    pricing_index,
    pricings,
    rate_steps,
    steps_in_year,
)
from aidctl.loans.register import (
    KIND,
    OVERDUE_RULE,
    REPAYMENT,
    UNDATED_OK,
    Register,
    read_register,
    repayment,
)
from aidctl.read import Table, Workspace, read_tables, shown, stack
from aidctl.rulebook import LoanInterest

# unjudged: the contracts whose repayment could not be judged (left out of in_repayment, due,
# repaid_on_time and overdue, each listed under `excluded` with its reason): every contract is judged
# or unjudged, and every judged contract fallen due is on time or overdue, never neither
COUNTS = ["applications", "approved", "rejected", "pending", "new_loans", "interest_loans", "in_repayment",
          "due", "repaid_on_time", "overdue", "unjudged"]
AMOUNTS = ["new_amount", "interest", "risk_compensation", "due_amount", "repaid_amount", "overdue_amount"]
APPLICATION_FIELDS = ["applications", "approved", "rejected", "pending", "approval_rate"]
# the money figures summed from the contracts, what they are called, and the register's columns they come from
PER_CONTRACT = (("new_amount", "新增贷款", ("amount",)), ("interest", "在校期间贴息", ("amount",)),
                ("due_amount", "到期应还", ("principal_due", "interest_due")), ("repaid_amount", "已还", ("repaid",)),
                ("overdue_amount", "逾期", ("principal_due", "interest_due", "repaid")))
ORDER = [*APPLICATION_FIELDS, "new_loans", "new_amount", "interest_loans", "interest", "risk_compensation",
         "in_repayment", "due", "due_amount", "repaid_on_time", "repaid_amount", "performance_rate", "overdue",
         "overdue_amount", "unjudged"]


@dataclass
class Applications:
    file: str
    tables: list[Table]
    frame: pd.DataFrame          # county, year, v_result for the year's applications
    year_source: str             # loan_year | accepted_on | none
    unknown_results: list[str] = field(default_factory=list)
    header_problems: list[str] = field(default_factory=list)   # check.settle_headers, said as notes
    # the applications whose year (贷款年度, or 受理日期 without it) cannot be read: counted in no year
    unread: list[dict] = field(default_factory=list)
    # one student's applications of the year on several rows (see _repeated)
    repeated: list[dict] = field(default_factory=list)
    # the year's applications whose 姓名 is no one's name (name.invalid, as on rosters: a note, or two
    # students in one cell): counted in no year, as `unread` (the JSON lists them there, the column named)
    bad_names: list[dict] = field(default_factory=list)

    def unread_all(self) -> list[dict]:
        """`unread` and `bad_names` as the JSON's `unread`: the applications not counted, each located."""
        keys = ("file", "sheet", "row", "column", "value")
        return self.unread + [{k: b[k] for k in keys} for b in self.bad_names]


@dataclass
class LoanSummary:
    year: int
    as_of: date
    register: Register
    counties: pd.DataFrame       # one row a county: COUNTS (int) and AMOUNTS (fen)
    interest_detail: pd.DataFrame
    applications: Applications | None
    rates: list[dict]
    risk: dict
    interest_rules: dict         # day_count, repricing, study_ends
    notes: list[str]
    # contracts (by position) left out of a figure of this year for want of a column, with the reason
    left_out: dict[int, str] = field(default_factory=dict)

    @property
    def excluded(self) -> list[dict]:
        return self.register.excluded(also=self.left_out)

    def totals(self) -> pd.Series:
        return self.counties[COUNTS + AMOUNTS].sum()

    def rows(self) -> list[dict]:
        """County rows and a 合计 row, as JSON values (money as yuan text, rates as percentages)."""
        frame = pd.concat([self.counties, pd.DataFrame([{"county": "合计", **self.totals().to_dict()}])],
                          ignore_index=True)
        approval = money.share_text(frame["approved"], frame["applications"])
        performance = money.share_text(frame["repaid_on_time"], frame["due"])
        out = []
        for i, r in enumerate(frame.itertuples(index=False)):
            values = {c: int(getattr(r, c)) for c in COUNTS}
            values.update({c: str(money.yuan(getattr(r, c))) for c in AMOUNTS})
            values["approval_rate"] = None if pd.isna(approval.iloc[i]) else approval.iloc[i]
            values["performance_rate"] = None if pd.isna(performance.iloc[i]) else performance.iloc[i]
            if self.applications is None:
                values.update(dict.fromkeys(APPLICATION_FIELDS))
            out.append({"county": r.county, **{k: values[k] for k in ORDER}})
        return out

    def to_json(self) -> dict:
        rows = self.rows()
        apps = None
        if self.applications is not None:
            apps = {"file": self.applications.file, "year_source": self.applications.year_source,
                    "unknown_results": self.applications.unknown_results,
                    "unread": self.applications.unread_all(),
                    "repeated": self.applications.repeated}
        return {"version": 1, "year": self.year, "as_of": str(self.as_of),
                "files": self.register.file_info(), "applications": apps,
                "counties": rows[:-1], "totals": {k: v for k, v in rows[-1].items() if k != "county"},
                "interest": {**self.interest_rules,
                             "rounding": "每笔贷款每年四舍五入到分（ROUND_HALF_UP）",
                             "rates": self.rates},
                "risk_compensation": self.risk, "overdue_rule": OVERDUE_RULE,
                "excluded": self.excluded, "notes": self.notes}


def _applications(path: Path, display: str, ws: Workspace, year: int) -> Applications:
    rules = ws.rules
    from aidctl.check import settle_headers

    tables = read_tables(path, display, "loan_applications", rules)
    header = settle_headers(tables, rules.columns.tables["loan_applications"], rules.columns.units,
                            "loan_applications")
    spec = rules.columns.tables["loan_applications"]
    frame = stack(tables, spec)
    if any("loan_year" in t.columns for t in tables):
        source, row_year = "loan_year", cell_years(frame["loan_year"])
    elif any("accepted_on" in t.columns for t in tables):
        source, row_year = "accepted_on", cell_dates(frame["accepted_on"]).dt.year.astype("Int64")
    else:
        source, row_year = "none", pd.Series(year, index=frame.index, dtype="Int64")
    lost = row_year.isna().to_numpy()
    unread = [{"file": tables[t].file, "sheet": tables[t].sheet, "row": int(r),
               "column": tables[t].columns[source].header if source in tables[t].columns else spec.columns[source].title,
               "value": text_or_none(v)}
              for t, r, v in zip(frame["table"][lost], frame["excel_row"][lost], frame[source][lost])]
    words = rules.loans.applications.model_dump()
    result = lookup(frame["result"], words).astype(object)
    unknown = sorted(set(frame.loc[result.isna() & frame["result"].notna(), "result"].astype(str)))
    county = frame["county"].astype(object)
    verdict = result.where(result.notna(), "pending")
    keep = (row_year == year).fillna(False).to_numpy(dtype=bool)
    keep, bad_names = _bad_names(frame, keep, tables, spec, rules.vocabulary.names.joiners)
    keep, repeated = _repeated(frame, verdict, keep, tables, rules.publicity.masking.masking())
    out = pd.DataFrame({"county": county.where(county.notna(), UNKNOWN_COUNTY).to_numpy()[keep],
                        "v_result": verdict.to_numpy()[keep]})
    problems = [f"{tables[int(p['table'].iat[0])].place()}：{p['message'].iat[0]}" for p in header]
    return Applications(display, tables, out, source, unknown, problems, unread, repeated, bad_names)


def _bad_names(frame: pd.DataFrame, keep: np.ndarray, tables: list[Table], spec,
               joiners: list[str]) -> tuple[np.ndarray, list[dict]]:
    """The year's applications (`keep`) whose 姓名 is name.invalid (check.people.invalid_names, the
    rosters' check): one application or two in the cell cannot be told, so none is counted. The rows
    kept, and each left out, located, with the finding's message."""
    from aidctl.check import invalid_names

    found = invalid_names(frame, joiners)
    if not len(found):
        return keep, []
    found = found[keep[found["rec"].to_numpy(dtype=np.int64)]]
    bad = [{"file": tables[t].file, "sheet": tables[t].sheet, "row": int(r),
            "column": tables[t].columns["name"].header if "name" in tables[t].columns else spec.columns["name"].title,
            "value": text_or_none(v), "message": m}
           for t, r, v, m in zip(frame["table"].to_numpy()[found["rec"]], frame["excel_row"].to_numpy()[found["rec"]],
                                 frame["name"].to_numpy()[found["rec"]], found["message"])]
    out = keep.copy()
    out[found["rec"].to_numpy(dtype=np.int64)] = False
    return out, bad


def _repeated(frame: pd.DataFrame, verdict: pd.Series, keep: np.ndarray,
              tables: list[Table], masking) -> tuple[np.ndarray, list[dict]]:
    """One student's applications of the year (by the 身份证号 as written) on several rows: counted
    once when they agree on the 审核结果, not at all when they do not (which one stands is not known).
    The rows kept, and each group for the JSON (the ID masked, the rows and results as written)."""
    ids = frame["id_number"].astype("string").str.strip().str.upper()
    twice = pd.Series(keep, index=frame.index) & ids.notna() & ids.where(keep).duplicated(keep=False)
    if not twice.any():
        return keep, []
    key = ids[twice]
    agree = verdict[twice].groupby(key).transform("nunique").eq(1)
    counted = agree & ~key.duplicated()
    drop = twice & ~counted.reindex(frame.index, fill_value=False)
    groups = pd.DataFrame({
        "key": key, "agree": agree, "result": frame["result"].astype("string").fillna("空")[twice],
        "place": [tables[t].place(int(r)) for t, r in zip(frame["table"][twice], frame["excel_row"][twice])],
    }).groupby("key", sort=False)
    first = groups.first()
    repeated = [{"id_number": m, "rows": p, "results": r, "counted": bool(a)} for m, p, r, a in
                zip(masking.ids(pd.Series(first.index, dtype="string")), groups["place"].agg(list),
                    groups["result"].agg(list), first["agree"])]
    return keep & ~drop.to_numpy(dtype=bool), repeated


def summarise(path: Path, ws: Workspace, year: int, *, applications: Path | None = None,
              as_of: date | None = None, display: str | None = None,
              applications_display: str | None = None, report: Path | None = None) -> LoanSummary:
    """Read and check the register, then the year's figures by county; with `report`, the workbook
    written there (refused first when it would replace an input or a file the workspace keeps)."""
    ws.output(report, [path, applications])
    rules = ws.rules
    loans = rules.loans
    register = read_register(path, ws, display)
    f = register.frame
    # a fault in a repayment figure keeps a contract out of the repayment figures; any other fault,
    # out of the loan figures (new loans, 贴息, 风险补偿金). A 还款状态 not understood keeps it out of
    # both: the word may say the contract is void (作废, 撤销), so it is counted nowhere.
    loan_keys = frozenset(rules.columns.tables[KIND].columns) - REPAYMENT - {"settled_on"} | {"status"}
    usable = ~register.invalid(loan_keys).to_numpy()
    # 还款期 needs the end of study where the status is blank: a faulty 预计毕业年份 keeps it out too
    payable = ~register.invalid(REPAYMENT | {"graduation_year"}).to_numpy()
    county = f["county"].astype(object).where(f["county"].notna(), UNKNOWN_COUNTY)
    notes: list[str] = []
    as_of = as_of_said(as_of, year, "判断到期、履约和逾期", notes)

    # new loans of the loan year
    new = usable & (f["year"] == year).fillna(False).to_numpy(dtype=bool)
    principal = f["amount_fen"].fillna(0).astype("int64").to_numpy()
    # 贴息 needs, beyond the loan figures, a readable 结清日期 where the contract was repaid early
    bears = usable & ~register.invalid(frozenset({"settled_on"})).to_numpy()
    pricing = _pricing(f, register, loans.interest, notes)
    capped, fen, days = _interest(f, bears, principal, pricing, year, loans.interest, register.tables)
    fen, days, left_out = _undated_settlements(register, fen, days, year, rules, notes)
    in_study = days > 0
    # repayment at as_of
    rep = repayment(f, as_of, rules)
    payable = _judged(register, payable, rep, left_out)
    notes += _unjudged_note(register, payable)
    notes += unread_notes(f, register.tables, loans.export_date_labels, payable, as_of)
    apps = None
    if applications is not None:
        apps = _applications(applications, applications_display or shown(applications), ws, year)
        notes += _application_notes(apps)

    notes += _counted_warnings(register, new, in_study)
    per = _per_loan(county, new, principal, fen, in_study, payable, rep).set_axis(f.index)
    # each figure's contracts, exact: beyond 64 bits a county's sum or the 合计 would wrap round
    for column, what, cells in PER_CONTRACT:
        register.held_total(per[column], what, cells)
    counties = _by_county(per, apps)
    # 风险补偿金: ratio in force for the loan year × the county's new loans, half up to the fen
    period = loans.risk_ratio(rules.term_start(Term(year, "autumn")))
    ratio = Fraction(period.ratio) if period else Fraction(0)
    counties["risk_compensation"] = money.times_half_up(counties["new_amount"], ratio.numerator,
                                                        ratio.denominator).astype("int64")
    if period is None:
        notes.append(f"rules/loans.yaml 没有 {year} 贷款年度的风险补偿金比例：按 0 计")
    counties = counties.reset_index().rename(columns={"index": "county"})
    detail = pd.DataFrame({"table": f["table"], "excel_row": f["excel_row"], "contract": f["contract"],
                           "name": f["name"], "id_number": f["id_number"], "county": county,
                           "level": f["v_level"], "year": f["year"], "amount_fen": principal,
                           "interest_principal_fen": capped,
                           "disbursed": f["disbursed"], "study_end": f["interest_end"], "days": days,
                           "interest_fen": fen})[in_study].reset_index(drop=True)
    used = sorted(set(pricing[in_study].tolist())) or list(range(len(pricings(loans.interest))))
    rates = [{"from": str(s.start), "rate": f"{s.rate:.2f}", "basis": s.basis, "source": s.source,
              "contracts": contracts_label(loans.interest, i)}
             for i in used if i >= 0 for s in steps_in_year(rate_steps(loans.interest, i), year)]
    risk = {"ratio": str(period.ratio) if period else None, "from": str(period.from_) if period else None,
            "source": period.source if period else None}
    interest_rules = {"day_count": loans.interest.day_count, "repricing": loans.interest.repricing,
                      "study_ends": loans.interest.study_ends, "pricing_date": loans.interest.pricing_date,
                      "reprice_existing": loans.interest.reprice_existing}
    result = LoanSummary(year, as_of, register, counties, detail, apps, rates, risk, interest_rules, notes, left_out)
    if report is not None:
        from aidctl.loans.workbooks import write_summary_report

        write_summary_report(result, report, ws.rules.publicity.masking.masking())
    return result


def _pricing(f: pd.DataFrame, register: Register, interest: LoanInterest, notes: list[str]) -> np.ndarray:
    """The pricing period (index into the sorted pricing periods) of each contract, by `pricing_date`."""
    if interest.pricing_date == "loan_year":
        day = f["year_start"]
    else:
        has = register.present("signed_on").to_numpy() & f["signed"].notna().to_numpy()
        day = f["signed"].where(has, f["disbursed"])
        if not has.all():
            notes.append(f"{int((~has).sum())} 份合同没有合同签订日期：按发放日期确定利率定价时段"
                         "（rules/loans.yaml interest.pricing_date: signed）")
    return pricing_index(interest, day.to_numpy(dtype="datetime64[D]"))


def _interest(f: pd.DataFrame, usable: np.ndarray, principal: np.ndarray, pricing: np.ndarray, year: int,
              interest: LoanInterest, tables: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(principal bearing 贴息, 贴息 in fen, days in study) per loan for the calendar year; 0 where not usable."""
    # 在校期间贴息 for the calendar year, on every usable loan that was in study some day of it
    start = f["disbursed"].to_numpy(dtype="datetime64[D]")
    last = f["interest_end"].to_numpy(dtype="datetime64[D]")
    # on the principal up to the year's cap: a contract above it (loan.over_cap) is not usable at all
    capped = np.minimum(principal, f["cap_fen"].fillna(0).astype("int64").to_numpy())
    try:
        fen, days = contracts_interest(np.where(usable, capped, 0), np.where(usable, start, np.datetime64("NaT")),
                                       last, np.where(usable, pricing, 0), year, interest)
    except NoRate as exc:  # the rules may lack the rate, or the register may hold a wrong date: name a contract
        first = f.iloc[int(exc.loans[0])]
        raise NoRate(f"{exc.message}（{len(exc.loans)} 份合同，如合同 {first['contract']}，{tables[int(first['table'])].place(int(first['excel_row']))}，"
                     f"发放日期 {first['disbursed']:%Y-%m-%d}：如是日期填错，请更正合同台账）", exc.loans,
                     file=exc.file, key=exc.key) from None
    return capped, np.where(usable, fen, 0), np.where(usable, days, 0)


def _undated_settlements(register: Register, fen: np.ndarray, days: np.ndarray, year: int, rules,
                         notes: list[str]) -> tuple[np.ndarray, np.ndarray, dict[int, str]]:
    """A contract 结清 or 代偿 (`settled`, `compensated` words: UNDATED_OK) in a register without a
    结清日期 column, in study some day of the year: its 贴息 stops the day before a date the file does
    not give, so it bears none here (never the whole year on a guess). Left out of the 贴息 only,
    listed with the reason and noted. With the column, a blank 结清日期 on such a contract is
    loan.invalid (checks); 提前结清 without the date is loan.invalid, column or not."""
    f = register.frame
    kind = f["v_status"]
    hit = kind.isin(UNDATED_OK).to_numpy() & ~register.present("settled_on").to_numpy() & (days > 0)
    if not hit.any():
        return fen, days, {}
    statuses = rules.loans.statuses.model_dump()
    kinds = "或".join(statuses[k][0] for k in UNDATED_OK if (kind[hit] == k).any())   # 结清, 代偿: as the rules word them
    title = rules.columns.tables[KIND].columns["settled_on"].title
    status = f["status"].astype("string")
    reason = ("还款状态为“" + status[hit] + f"”，但台账没有{title}列：不知何时结清，{year}年在校期间贴息"
              f"（只计到结清前一天）无法计算，未计入贴息：请从经办银行系统导出含{title}的台账")
    reasons = dict(zip(np.flatnonzero(hit).tolist(), reason.tolist()))
    said = "还款状态“" + status + "”"
    notes.append(f"{int(hit.sum())} 份{year}年在校的合同还款状态为{kinds}，但台账没有{title}列，不知何时结清："
                 f"{year}年在校期间贴息无法计算，未计入贴息（列在“未计入”中）：{_places(register, hit, said)}。"
                 f"请从经办银行系统导出含{title}的台账后重新汇总")
    return np.where(hit, 0, fen), np.where(hit, 0, days), reasons


def _judged(register: Register, payable: np.ndarray, rep: pd.DataFrame, left_out: dict[int, str]) -> np.ndarray:
    """The contracts whose repayment is judged: `payable`, less any fallen due that repayment() could
    judge neither on time nor overdue (the checks make them loan.invalid first, so none is expected):
    such a one joins the unjudged, listed in `left_out` with the reason, never counted in 到期应还 alone."""
    limbo = payable & rep["unjudged"].to_numpy(dtype=bool)
    if limbo.any():
        reason = "到期应还，但既不能认定按期还款也不能认定逾期：还款情况无法判断，未计入还款期、到期应还、履约率和逾期"
        for i in np.flatnonzero(limbo).tolist():
            left_out[i] = f"{left_out[i]}；{reason}" if i in left_out else reason
    return payable & ~limbo


def _unjudged_note(register: Register, judged: np.ndarray) -> list[str]:
    """Say how many contracts' repayment was not judged, and where: the 履约率 is over the others only."""
    hit = ~judged
    if not hit.any():
        return []
    county = register.frame["county"].astype("string").fillna(UNKNOWN_COUNTY)
    said = "所属县区" + county
    return [f"{int(hit.sum())} 份合同的还款情况无法判断（数据有误或不全），未计入还款期、到期应还、按期还款、履约率和逾期，"
            f"另计为“还款情况无法判断”：{_places(register, hit, said)}。原因见 excluded（--report 的“未计入”表）"]


def _places(register: Register, hit: np.ndarray, said: pd.Series, shown_: int = 5) -> str:
    """The first contracts of `hit` by file, sheet, row and 合同编号 with what `said` says of each
    (text per contract), and how many in all beyond them."""
    at = np.flatnonzero(hit)[:shown_]
    rows = register.frame.iloc[at]
    text = "、".join(f"{register.tables[int(t)].place(int(r))}（合同{text_or_none(c) or '编号空'}，{w}）"
                     for t, r, c, w in zip(rows["table"], rows["excel_row"], rows["contract"], said.iloc[at]))
    n = int(hit.sum())
    return text + (f"等{n}份" if n > shown_ else "")


def _counted_warnings(register: Register, new: np.ndarray, in_study: np.ndarray) -> list[str]:
    """Say aloud the contracts counted in the year's new loans or 贴息 although loan.disbursed_early
    (a warning) questions the two values those figures rest on: 发放日期 (贴息 counts from it) and
    贷款年度 (the year of the new loan, its cap and its pricing). The repayment figures use neither."""
    f, findings = register.frame, register.findings
    early = np.zeros(len(f), dtype=bool)
    early[findings.loc[(findings["code"] == "loan.disbursed_early") & (findings["rec"] >= 0), "rec"]
          .to_numpy(dtype=np.int64)] = True
    hit = early & (new | in_study)
    if not hit.any():
        return []
    said = "发放日期" + f["disbursed"].dt.strftime("%Y-%m-%d").astype("string") + "，" + f["year"].astype("string") + "贷款年度"
    n_new, n_interest = int((hit & new).sum()), int((hit & in_study).sum())
    parts = ([f"新增贷款 {n_new} 笔"] if n_new else []) + ([f"在校期间贴息 {n_interest} 笔（自发放日期起计）"] if n_interest else [])
    return [f"{int(hit.sum())} 份合同的发放日期早于其贷款年度的开学日（loan.disbursed_early，警告），照台账计入了"
            f"{'、'.join(parts)}：{_places(register, hit, said)}。发放日期或贷款年度如有误，这些数字随之有误："
            "请与经办银行核对后重新汇总"]


def _application_notes(apps: Applications) -> list[str]:
    """The notes on how the applications list was read: no year to select by, results not understood."""
    notes = []
    if apps.year_source == "none":
        notes.append("申请受理清单没有贷款年度和受理日期列：全部申请计入本年度")
    notes.extend(apps.header_problems)
    if apps.unread:
        shown_rows = "、".join(f"{u['file']}（{u['sheet']}）第{u['row']}行“{u['value'] or '空'}”" for u in apps.unread[:5])
        more = f"等{len(apps.unread)}条" if len(apps.unread) > 5 else ""
        notes.append(f"申请受理清单中{len(apps.unread)}条申请的{apps.unread[0]['column']}无法识别，未计入任何年度的受理数："
                     f"{shown_rows}{more}。请填写4位年份（如2024）或有效日期后重新汇总")
    if apps.bad_names:
        shown_rows = "；".join(f"{b['file']}（{b['sheet']}）第{b['row']}行{b['message']}" for b in apps.bad_names[:5])
        more = f"等{len(apps.bad_names)}条" if len(apps.bad_names) > 5 else ""
        notes.append(f"申请受理清单中{len(apps.bad_names)}条本年度申请的{apps.bad_names[0]['column']}不是一名学生的姓名"
                     f"（name.invalid），是一条申请还是两条无法确定，未计入受理数：{shown_rows}{more}")
    for r in apps.repeated:
        rows = "、".join(f"{p}（{w}）" for p, w in zip(r["rows"], r["results"]))
        notes.append(f"身份证号{r['id_number']}的本年度申请重复登记{len(r['rows'])}次：{rows}。"
                     + ("审核结果一致，只计1次" if r["counted"] else "审核结果不一致，无法确定以哪次为准，均未计入：请核实后删去重复的行"))
    if apps.unknown_results:
        notes.append(f"审核结果“{'、'.join(apps.unknown_results)}”无法识别，按待审核计（用语见 rules/loans.yaml）")
    return notes


def _per_loan(county: pd.Series, new: np.ndarray, principal: np.ndarray, fen: np.ndarray, in_study: np.ndarray,
              payable: np.ndarray, rep: pd.DataFrame) -> pd.DataFrame:
    """One row a loan: its county and what it adds to each county figure but the applications and 风险补偿金."""
    return pd.DataFrame({
        "county": county.to_numpy(),
        "new_loans": new.astype(np.int64),
        "new_amount": np.where(new, principal, 0),
        "interest_loans": in_study.astype(np.int64),
        "interest": fen,
        "in_repayment": (payable & rep["in_repayment"].to_numpy()).astype(np.int64),
        "due": (payable & rep["fallen_due"].to_numpy()).astype(np.int64),
        "due_amount": np.where(payable & rep["fallen_due"].to_numpy(), rep["due_fen"].to_numpy(), 0),
        "repaid_on_time": (payable & rep["on_time"].to_numpy()).astype(np.int64),
        "repaid_amount": np.where(payable & rep["fallen_due"].to_numpy(),
                                  np.minimum(rep["repaid_fen"].to_numpy(), rep["due_fen"].to_numpy()), 0),
        "overdue": (payable & rep["overdue"].to_numpy()).astype(np.int64),
        "overdue_amount": np.where(payable & rep["overdue"].to_numpy(), rep["arrears_fen"].to_numpy(), 0),
        "unjudged": (~payable).astype(np.int64),
    })


def _by_county(per: pd.DataFrame, apps: Applications | None) -> pd.DataFrame:
    """The loan and application figures summed by county (the index), all but 风险补偿金, as int64."""
    counties = per.groupby("county", sort=True).sum()
    if apps is not None:
        a = apps.frame.assign(n=1).pivot_table(index="county", columns="v_result", values="n", aggfunc="sum",
                                               fill_value=0)
        a = a.reindex(columns=["approved", "rejected", "pending"], fill_value=0)
        a["applications"] = a.sum(axis=1)
        counties = counties.join(a, how="outer")
    counties = counties.reindex(columns=[c for c in COUNTS + AMOUNTS if c != "risk_compensation"]).fillna(0)
    return counties.astype("int64")
