"""report: the term overview the centre hands to finance and the bureau head.

From the ledger (the term's payments, by status) and the term's rosters (checked as `disburse`
checks them, to count the refused records by reason), one report shape feeds the JSON, the
terminal tables and an Excel workbook with native charts and a one-page printable summary:

- money by county, school and programme: the ledger's amount, split into paid (confirmed by the
  bank), sent and not yet confirmed (sent, reissued, pending) and failed (returned by the bank);
- refused roster records by finding code;
- students aided: the distinct students (by resident ID) with at least one payment of the term the
  bank has not returned (paid, or sent and not yet confirmed); a student whose every payment failed
  is no aided student, and is counted apart (students_all_failed) until the payment is reissued;
- the share of each school's students aided, against 在校生人数 in schools.xlsx and the quota for
  its school type in rules/quotas.yaml; schools above it by more than the tolerance are listed, and
  a school the students whose payments all failed would take above it is said aloud.

Money is integer fen until it is rendered (Decimal yuan text in JSON). Before anything is written,
the totals by county, by school and by programme are checked against the ledger's own sums.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
from sqlalchemy import func, select

from aidctl.core.errors import AidctlError, UsageError
from aidctl.core.findings import CATALOGUE
from aidctl.core.labels import UNKNOWN_COUNTY, UNKNOWN_SCHOOL
from aidctl.core.money import half_up, yuan
from aidctl.core.terms import Term
from aidctl.core.text import fold_one, missing
from aidctl.ledger import Ledger, batches, payments
from aidctl.read import Workspace, named

STATUSES = ("paid", "sent", "reissued", "failed", "pending")


# how finance reads a payment's status: confirmed by the bank, not yet confirmed, returned
GROUP_OF_STATUS = {"paid": "paid", "sent": "sent", "reissued": "sent", "pending": "sent", "failed": "failed"}


GROUPS = ("paid", "sent", "failed")


MONEY = ("amount", "paid", "sent", "failed")          # fen columns of every breakdown


TOTAL = "合计"


REFUSED_TOP_LINES = 5          # reasons listed on the one-page summary; the rest are one line


OVER_QUOTA_LINES = 15          # schools over the quota listed on the summary; all are on 按学校


# the words the workbook and the terminal use
WORDS = {"county": "县区", "school": "学校", "school_type": "学校类型", "programme": "资助项目",
         "roster_records": "报送记录", "refused": "不予发放", "students": "受助学生",
         "students_all_failed": "付款全部失败学生", "payments": "笔数",
         "amount": "金额合计（元）", "paid": "已入账（元）", "sent": "待银行确认（元）", "failed": "失败（元）",
         "enrolment": "在校生人数", "share": "受助比例", "quota": "核定比例", "over_quota": "超出比例",
         "amount_share": "金额占比"}


REGION_WORDS = {"east": "东部", "centre": "中部", "west": "西部"}


# what 受助学生 counts, said in the JSON (students_rule), the terminal and the workbook
STUDENTS_RULE = ("受助学生：本学期账本中至少有一笔付款未被银行退回（已入账或待银行确认）的学生，按身份证号码计一次；"
                 "付款全部失败（银行退回）的学生不计入受助学生和受助比例，另计为“付款全部失败学生”")


@dataclass
class TermReport:
    """The term overview: every figure of the JSON, the terminal and the workbook."""

    term: Term
    term_label: str
    fingerprint: str
    generated_at: datetime
    ledger: bool                    # the ledger holds payments for the term
    statuses: dict[str, tuple[int, int]]   # status → (count, fen), from the ledger's own sums
    students: int                   # distinct students with a payment of the term not failed (STUDENTS_RULE)
    students_all_failed: int        # distinct students of the term whose every payment failed
    by_county: pd.DataFrame
    by_school: pd.DataFrame
    by_programme: pd.DataFrame
    refused_by_code: pd.DataFrame   # code, title, count (refused records carrying the code)
    rosters: dict | None            # files, records, refused, school_funded; None without rosters
    region: str
    tolerance: Decimal
    notes: list[str] = field(default_factory=list)
    path: Path | None = None

    def group(self, name: str) -> tuple[int, int]:
        """(count, fen) of a status group: paid, sent (not yet confirmed) or failed."""
        pairs = [v for k, v in self.statuses.items() if GROUP_OF_STATUS.get(k) == name]
        return sum(c for c, _ in pairs), sum(f for _, f in pairs)

    @property
    def all_payments(self) -> tuple[int, int]:
        return sum(c for c, _ in self.statuses.values()), sum(f for _, f in self.statuses.values())

    @property
    def over_quota(self) -> pd.DataFrame:
        return self.by_school[self.by_school["over_quota"]]

    def to_json(self, root: Path) -> dict:
        def money(pair):
            return {"count": int(pair[0]), "amount": str(yuan(pair[1]))}

        report = None
        if self.path is not None:
            report = str(self.path.relative_to(root)) if self.path.is_relative_to(root) else str(self.path)
        return {
            "version": 1, "term": str(self.term), "ledger": self.ledger,
            "students_rule": STUDENTS_RULE,
            "totals": {"students": self.students, "students_all_failed": self.students_all_failed,
                       "payments": money(self.all_payments),
                       **{g: money(self.group(g)) for g in GROUPS},
                       "statuses": {s: money(self.statuses.get(s, (0, 0))) for s in STATUSES}},
            "by_county": _records(self.by_county, ["county"]),
            "by_school": _records(self.by_school, ["county", "school", "school_type"], school=True),
            "by_programme": _records(self.by_programme, ["programme"], programme=True),
            "refused_by_code": [{"code": c, "title": t, "count": int(n)}
                                for c, t, n in self.refused_by_code.itertuples(index=False, name=None)],
            "over_quota": [{"school": r.school, "county": r.county, "school_type": r.school_type,
                            "students": int(r.counted), "enrolment": int(r.enrolment), "share": pct(r.share),
                            "quota": pct(r.quota), "excess": pct(r.share - r.quota)}
                           for r in self.over_quota.itertuples()],
            "quota": {"region": self.region, "tolerance": pct(self.tolerance)},
            "rosters": self.rosters,
            "notes": self.notes,
            "report": report,
        }


def _records(frame: pd.DataFrame, keys: list[str], *, school: bool = False, programme: bool = False) -> list[dict]:
    out = []
    for r in frame.to_dict("records"):
        item = {k: r[k] for k in keys}
        if not programme:
            item |= {"roster_records": int(r["roster_records"]), "refused": int(r["refused"])}
        item |= {"students": int(r["students"]), "students_all_failed": int(r["students_all_failed"]),
                 "payments": int(r["payments"])}
        item |= {m: str(yuan(r[m])) for m in MONEY}
        if school:
            item |= {"enrolment": None if r["enrolment"] is None else int(r["enrolment"]),
                     "share": pct(r["share"]), "quota": pct(r["quota"]), "over_quota": bool(r["over_quota"])}
        if programme:
            item["amount_share"] = pct(r["amount_share"])
        out.append(item)
    return out


def pct(value: Decimal | None) -> str | None:
    """A percentage as text with one decimal ("20.0"), half up; None stays None."""
    return None if missing(value) else str(half_up(value, 1))


def term_report(ws: Workspace, term: Term, *, out: Path | None = None, db: str | None = None,
                write: bool = True) -> TermReport:
    """The term overview from the ledger and the term's rosters; the workbook written to `out`
    (default out/<term>/资助情况报告_<term>.xlsx). Raises AidctlError when there is nothing to report
    or when the totals disagree (then nothing is written)."""
    rules = ws.rules
    target = ws.output(out or ws.out_dir(term) / f"资助情况报告_{term}.xlsx",  # the inputs: the rosters, the ledger
                       ws.spreadsheets(Path("intake") / str(term)), db=db)
    if out is not None and Path(out).suffix.lower() != ".xlsx":
        raise UsageError(f"--out 应是 .xlsx 文件：{out}")
    paid_rows, statuses, unfinished, elsewhere = _ledger_side(ws, term, db)
    rosters = _roster_files(ws, term)
    if not statuses and not rosters:
        raise UsageError(f"{term}：账本中没有该学期的付款，intake/{term}/ 下也没有花名册，没有可报告的内容；"
                         f"请检查 --term 和 --workspace")
    roster_rows, roster_info, refused_by_code, roster_notes = _roster_side(ws, term, rosters, db)
    schools = _school_register(ws)

    pay = paid_rows.copy()
    pay["school"] = pay["school"].where(pay["school"].notna() & (pay["school"] != ""), UNKNOWN_SCHOOL)
    pay["key"] = _canonical(pay["school"].map(fold_one), schools)
    pay["county"] = _county(pay["county"], pay["key"], schools)
    pay["group"] = pay["status"].map(GROUP_OF_STATUS)
    for g in GROUPS:
        pay[g] = pay["amount_fen"].where(pay["group"] == g, 0)
    pay["amount"] = pay["amount_fen"]
    # a student is aided by a payment the bank has not returned (STUDENTS_RULE)
    pay["aided"] = pay["person"].where(pay["group"] != "failed")

    roster_rows["key"] = _canonical(roster_rows["school"].map(fold_one), schools)
    roster_rows["county"] = _county(roster_rows["county"], roster_rows["key"], schools)

    by_county = _by_county(pay, roster_rows, schools)
    by_school, held_under = _by_school(pay, roster_rows, schools, rules, term)
    by_programme = _by_programme(pay)
    _cross_check(statuses, pay, by_county, by_school, by_programme, roster_rows)

    # what reading the rosters said aloud (a file in intake/ not read, a school the register cannot
    # tell …), as disburse says it: the roster figures below are without what was not read
    notes = list(dict.fromkeys([*ws.unread_notes(), *roster_notes])) + _unfinished_notes(unfinished, term)
    notes += _elsewhere_notes(elsewhere, term)
    if not statuses:
        notes.append("本学期账本中还没有付款（尚未运行 aidctl disburse）：本报告只有花名册审核情况。")
    if not rosters:
        notes.append(f"intake/{term}/ 下没有花名册：本报告只有账本中的付款，没有不予发放的原因。")
    if schools is None:
        notes.append("工作目录没有 schools.xlsx：无法按在校生人数计算受助比例。")
    else:
        unread = ws.schools[ws.schools["enrolment_unread"].notna()]
        if len(unread):
            cells = [f"{c}为“{v}”" for c, v in zip(unread["enrolment_cell"].head(10), unread["enrolment_unread"].head(10))]
            notes.append(f"在校生人数有 {len(unread)} 处不是正整数，没有读取，这些学校未计算受助比例："
                         + "；".join(cells) + ("等" if len(unread) > 10 else ""))
        explained = set(unread["school"].astype(object).map(fold_one))
        if schools["shared"].any():
            names = schools.index[schools["shared"]].tolist()
            notes.append(f"schools.xlsx 中 {'、'.join(names[:10])}{'等' if len(names) > 10 else ''}是不止一所学校的名称或别名"
                         "（县区、类型或在校生人数不同）：按名称无法确定是哪一所，未取其县区和在校生人数，未计算受助比例")
            explained |= set(names)
        missing = by_school[by_school["enrolment"].isna() & (by_school["students"] > 0)
                            & ~by_school["school"].astype(object).map(fold_one).isin(explained)]
        if len(missing):
            notes.append(f"{len(missing)} 所学校不在 schools.xlsx 中或没有在校生人数，未计算受助比例："
                         + "、".join(missing["school"].head(10)) + ("等" if len(missing) > 10 else ""))
    if held_under:
        listed = "、".join(f"{r.school}（受助 {r.counted} 人，另有付款全部失败 {r.counted_all_failed} 人，"
                          f"计入后 {pct(r.share_all)}%，核定比例 {pct(r.quota)}%）" for r in held_under[:10])
        notes.append(f"{len(held_under)} 所学校若计入付款全部失败的学生（待更正卡号后重发），受助比例将超出核定比例："
                     f"{listed}{'等' if len(held_under) > 10 else ''}；重发成功后这些学生计入受助学生，请复核")
    aided = int(pay["aided"].nunique())
    quotas = rules.quotas
    report = TermReport(
        term=term, term_label=rules.term_label(term), fingerprint=rules.fingerprint,
        generated_at=datetime.now(), ledger=bool(statuses), statuses=statuses,
        students=aided, students_all_failed=int(pay["person"].nunique()) - aided,
        by_county=by_county, by_school=by_school,
        by_programme=by_programme, refused_by_code=refused_by_code, rosters=roster_info,
        region=quotas.region, tolerance=quotas.tolerance, notes=notes)
    if write:
        from aidctl.report.term_workbook import write_workbook

        report.path = write_workbook(report, target, rules)
    return report


def _ledger_side(ws: Workspace, term: Term, db: str | None) -> tuple[pd.DataFrame, dict, list, list]:
    """The term's payments (one row each), count and fen by status from a separate SQL sum, the
    term's batches not complete (recorded by a run interrupted before its bank files were in place),
    and (workspace, payments, fen) of the term's payments whose batch another workspace recorded (a
    ledger shared by several workspaces, or this workspace copied from another: its rosters are
    not here)."""
    columns = ["person", "school", "county", "programme", "status", "amount_fen"]
    empty = pd.DataFrame({c: pd.Series(dtype="int64" if c == "amount_fen" else object) for c in columns})
    if not db and not ws.has_ledger():
        return empty, {}, [], []
    ledger = Ledger(ws.ledger_url(db))
    with ledger.connect() as conn:
        unfinished = ledger.unfinished_batches(conn, str(term))
        rows = conn.execute(select(*(payments.c[c] for c in columns))
                            .where(payments.c.term == str(term))).all()
        sums = conn.execute(select(payments.c.status, func.count(), func.coalesce(func.sum(payments.c.amount_fen), 0))
                            .where(payments.c.term == str(term)).group_by(payments.c.status)).all()
        elsewhere = conn.execute(
            select(batches.c.workspace, func.count(), func.coalesce(func.sum(payments.c.amount_fen), 0))
            .select_from(payments.join(batches, payments.c.batch_id == batches.c.id))
            .where(payments.c.term == str(term), batches.c.workspace.is_not(None),
                   batches.c.workspace != str(ws.root))
            .group_by(batches.c.workspace).order_by(batches.c.workspace)).all()
    statuses = {s: (int(n), int(fen)) for s, n, fen in sums}
    unknown = [s for s in statuses if s not in GROUP_OF_STATUS]
    if unknown:
        raise AidctlError(f"账本中有未知的付款状态 {unknown}：请升级 aidctl 或报告此问题", file=ledger.shown)
    elsewhere = [(w, int(n), int(fen)) for w, n, fen in elsewhere]
    if not rows:
        return empty, statuses, unfinished, elsewhere
    frame = pd.DataFrame(list(map(tuple, rows)), columns=columns)
    frame["amount_fen"] = frame["amount_fen"].astype("int64")
    return frame.astype({c: object for c in columns if c != "amount_fen"}), statuses, unfinished, elsewhere


def _elsewhere_notes(elsewhere: list, term: Term) -> list[str]:
    """The term's payments another workspace's batches made (a shared ledger, or a copied workspace):
    in the money and the students aided, but their rosters are not among this report's. Said aloud."""
    if not elsewhere:
        return []
    n, fen = sum(c for _, c, _ in elsewhere), sum(f for _, _, f in elsewhere)
    where = "、".join(f"{w}（{c} 笔 {yuan(f)} 元）" for w, c, f in elsewhere[:5]) + ("等" if len(elsewhere) > 5 else "")
    return [f"账本中本学期有 {n} 笔付款（{yuan(fen)} 元）是在其他工作目录发放的：{where}。金额和受助学生含这些付款，"
            f"但报送记录和不予发放只来自本工作目录 intake/{term}/ 的花名册；这些学校的花名册审核情况请在发放它们的工作目录生成报告"]


def _unfinished_notes(unfinished: list, term: Term) -> list[str]:
    """A batch recorded by a run interrupted before its bank files were in place: its payments are
    pending, counted under 待银行确认 though the bank has never been sent them. Said aloud."""
    if not unfinished:
        return []
    batches = "、".join(f"{b['id']}（{b['payments']} 笔 {yuan(b['total_fen'])} 元）" for b in unfinished[:10])
    more = "等" if len(unfinished) > 10 else ""
    return [f"账本中本学期有 {len(unfinished)} 个批次尚未完成：{batches}{more}。发放在写出银行报盘文件前中断，"
            "这些付款还没有发给银行，报告将其计入“待银行确认”；请在记入该批次的工作目录运行 "
            f"aidctl disburse --term {term} 补完批次后重新生成报告"]


def _roster_files(ws: Workspace, term: Term) -> list[Path]:
    try:
        return ws.intake(term)
    except UsageError:  # no rosters for the term: the report has the ledger's side only
        return []


def _roster_side(ws: Workspace, term: Term, rosters: list[Path], db: str | None):
    """One row per roster record (school, county, school type, refused), the refusals by code,
    exactly as `disburse` plans them, and the notes the validation said aloud."""
    cols = ["school", "county", "school_type", "refused"]
    if not rosters:
        return (pd.DataFrame({c: pd.Series(dtype=object) for c in cols}), None,
                pd.DataFrame(columns=["code", "title", "count"]), [])
    from aidctl.pay import make_plan

    ledger = Ledger(ws.ledger_url(db)) if (db or ws.has_ledger()) else None
    plan = make_plan(ws, term, rosters, ledger, displays=[ws.display(p) for p in rosters])
    frame = plan.validation.roster.frame
    refused = pd.Series(False, index=frame.index)
    refused[plan.refused["rec"].astype("int64").to_numpy()] = True
    rows = pd.DataFrame({
        "school": frame["school"].astype(object).where(frame["school"].notna(), UNKNOWN_SCHOOL),
        "county": frame["v_county"].astype(object).where(frame["v_county"].notna(), None),
        "school_type": frame["v_school_type"].astype(object).where(frame["v_school_type"].notna(), None),
        "refused": refused.to_numpy()})
    codes = plan.refused["codes"].explode().dropna()
    order = {c: i for i, c in enumerate(CATALOGUE)}
    counts = codes.value_counts()
    by_code = pd.DataFrame({"code": counts.index.astype(object), "count": counts.to_numpy(dtype="int64")})
    by_code["title"] = by_code["code"].map(lambda c: CATALOGUE[c].title if c in CATALOGUE else c)
    by_code["_order"] = by_code["code"].map(lambda c: order.get(c, len(order)))
    by_code = by_code.sort_values(["count", "_order"], ascending=[False, True], kind="stable")
    by_code = by_code[["code", "title", "count"]].reset_index(drop=True)
    info = {"files": [ws.display(p) for p in rosters], "records": int(len(frame)),
            "refused": int(refused.sum()), "school_funded": int(len(plan.school_funded))}
    return rows, info, by_code, list(plan.validation.notes)


def _school_register(ws: Workspace) -> pd.DataFrame | None:
    """schools.xlsx by every folded name and 别名 (read.named): school, county, school type,
    enrolment, `canonical` (the folded name a 别名 stands for: one school, one line of the report),
    `alias` and `shared`. A name or 别名 two schools share with other attributes (第一中学 in two
    counties) tells none of them."""
    frame = ws.schools
    if frame is None:
        return None
    told = {"county": frame["v_county"], "school_type": frame["v_school_type"], "enrolment": frame["enrolment"],
            "canonical": frame["school"].map(fold_one)}
    return named(frame.assign(**told), list(told), ["school"])


def _canonical(key: pd.Series, schools: pd.DataFrame | None) -> pd.Series:
    """Each folded school name as the report groups it: a 别名 under its school's name, unless
    that name is shared (then the 别名 alone says which school)."""
    if schools is None:
        return key
    name = key.map(schools["canonical"])
    return name.where(name.map(schools["shared"]).eq(False), key)


def _county(written: pd.Series, key: pd.Series, schools: pd.DataFrame | None) -> pd.Series:
    """The county as recorded, else schools.xlsx's for the school, else 县区不明."""
    county = written.astype(object).where(written.notna() & (written.astype(object) != ""), None)
    if schools is not None:
        county = county.where(county.notna(), key.map(schools["county"]))
    return county.where(county.notna(), UNKNOWN_COUNTY).astype(object)


def _money(pay: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """students aided (distinct, a payment not failed: STUDENTS_RULE), students whose every payment
    of the key failed, payments and fen by status group for each key."""
    if pay.empty:
        return pd.DataFrame(columns=[*keys, "students", "students_all_failed", "payments", *MONEY])
    g = pay.groupby(keys, sort=False, dropna=False)
    aided = g["aided"].nunique()
    out = pd.concat([aided.rename("students"), (g["person"].nunique() - aided).rename("students_all_failed"),
                     g.size().rename("payments"), g[list(MONEY)].sum()], axis=1)
    return out.reset_index()


def _roster_counts(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    if rows.empty:
        return pd.DataFrame(columns=[*keys, "roster_records", "refused"])
    g = rows.groupby(keys, sort=False, dropna=False)
    return pd.concat([g.size().rename("roster_records"), g["refused"].sum().rename("refused")], axis=1).reset_index()


def _fill(frame: pd.DataFrame, columns) -> pd.DataFrame:
    for c in columns:
        frame[c] = frame[c].fillna(0).astype("int64")
    return frame


def _by_county(pay, roster_rows, schools) -> pd.DataFrame:
    merged = _money(pay, ["county"]).merge(_roster_counts(roster_rows, ["county"]), on="county", how="outer")
    if schools is not None:  # every county of schools.xlsx, even one with no roster and no payment
        listed = pd.DataFrame({"county": schools["county"].dropna().unique()})
        merged = merged.merge(listed, on="county", how="outer")
    merged = _fill(merged, ["roster_records", "refused", "students", "students_all_failed", "payments", *MONEY])
    merged["_unknown"] = merged["county"] == UNKNOWN_COUNTY
    merged = merged.sort_values(["_unknown", "county"], kind="stable").drop(columns="_unknown")
    return merged[["county", "roster_records", "refused", "students", "students_all_failed", "payments",
                   *MONEY]].reset_index(drop=True)


def _by_school(pay, roster_rows, schools, rules, term: Term) -> tuple[pd.DataFrame, list]:
    """One row a school; and the schools the students whose payments all failed would take over the
    quota (said aloud: the share counts aided students only, STUDENTS_RULE)."""
    keys = ["county", "key"]
    merged = _money(pay, keys).merge(_roster_counts(roster_rows, keys), on=keys, how="outer")
    if schools is not None:  # every school of schools.xlsx, even one that sent no roster
        listed = schools[~schools["alias"]].reset_index()[["key", "county"]]
        listed = listed[~listed["key"].isin(merged["key"])].assign(
            county=lambda t: t["county"].where(t["county"].notna(), UNKNOWN_COUNTY))
        merged = pd.concat([merged, listed], ignore_index=True)
    merged = _fill(merged, ["roster_records", "refused", "students", "students_all_failed", "payments", *MONEY])
    # the school's name and type: schools.xlsx, else the ledger's and the roster's
    seen_names = pd.concat([pay[["key", "school"]], roster_rows[["key", "school"]]]).drop_duplicates("key") \
        .set_index("key")["school"]
    reg = schools if schools is not None else pd.DataFrame(columns=["school", "county", "school_type", "enrolment"])
    # as objects: a map that found nothing is all-NaN float, which pandas will not fill with text
    merged["school"] = merged["key"].map(reg["school"]).astype(object).fillna(
        merged["key"].map(seen_names).astype(object)).fillna(merged["key"].astype(object))
    single_type = {n: p.school_types[0] for n, p in rules.programmes.programmes.items() if len(p.school_types) == 1}
    seen_types = pd.concat([roster_rows[["key", "school_type"]].dropna(),
                            pd.DataFrame({"key": pay["key"], "school_type": pay["programme"].map(single_type)}).dropna()])
    seen_types = seen_types.drop_duplicates("key").set_index("key")["school_type"]
    merged["school_type"] = merged["key"].map(reg["school_type"]).astype(object).fillna(
        merged["key"].map(seen_types).astype(object))
    merged["school_type"] = merged["school_type"].astype(object).where(merged["school_type"].notna(), None)
    enrolment = merged["key"].map(reg["enrolment"]).astype(object)  # a positive whole number, or none read
    merged["enrolment"] = pd.Series([None if pd.isna(e) else int(e) for e in enrolment], index=merged.index, dtype=object)

    # the share aided: distinct students aided (STUDENTS_RULE) in the quota's programmes (every
    # programme when it names none); those whose payments there all failed counted apart
    quotas = rules.quotas
    restricted = {t: e.programmes for t, e in quotas.by_school_type.items() if e.programmes}
    typed = pay[["county", "key", "programme", "person", "aided"]].merge(merged[[*keys, "school_type"]], on=keys,
                                                                        how="left")
    if restricted:
        pairs = pd.DataFrame([(t, p) for t, ps in restricted.items() for p in ps], columns=["school_type", "programme"])
        typed = typed.merge(pairs.assign(_counted=True), on=["school_type", "programme"], how="left")
        typed = typed[~typed["school_type"].isin(list(restricted)) | typed["_counted"].notna()]
    if len(typed):
        g = typed.groupby(keys)
        counted = pd.concat([g["aided"].nunique().rename("counted"),
                             (g["person"].nunique() - g["aided"].nunique()).rename("counted_all_failed")],
                            axis=1).reset_index()
    else:
        counted = pd.DataFrame(columns=[*keys, "counted", "counted_all_failed"])
    merged = _fill(merged.merge(counted, on=keys, how="left"), ["counted", "counted_all_failed"])
    day = rules.term_start(term)
    merged["quota"] = pd.Series([quotas.quota(t, day) for t in merged["school_type"]], index=merged.index, dtype=object)
    merged["share"] = pd.Series([None if e is None else Decimal(int(n) * 100) / Decimal(e)
                                 for n, e in zip(merged["counted"], merged["enrolment"])], index=merged.index, dtype=object)
    merged["over_quota"] = [quotas.over(s, q) for s, q in zip(merged["share"], merged["quota"])]
    merged["share_all"] = pd.Series([None if e is None else Decimal(int(n + f) * 100) / Decimal(e) for n, f, e
                                     in zip(merged["counted"], merged["counted_all_failed"], merged["enrolment"])],
                                    index=merged.index, dtype=object)
    merged["_unknown"] = merged["county"] == UNKNOWN_COUNTY
    merged = merged.sort_values(["_unknown", "county", "school"], kind="stable")
    held_under = [r for r in merged.itertuples() if not r.over_quota and quotas.over(r.share_all, r.quota)]
    return merged[["county", "school", "school_type", "roster_records", "refused", "students", "students_all_failed",
                   "payments", *MONEY, "enrolment", "counted", "counted_all_failed", "share", "quota",
                   "over_quota"]].reset_index(drop=True), held_under


def _by_programme(pay) -> pd.DataFrame:
    out = _money(pay, ["programme"])
    out = _fill(out, ["students", "students_all_failed", "payments", *MONEY]).sort_values("amount", ascending=False,
                                                                                          kind="stable")
    total = int(out["amount"].sum())
    out["amount_share"] = [Decimal(a * 100) / Decimal(total) if total else None for a in out["amount"]]
    return out.reset_index(drop=True)


def _cross_check(statuses, pay, by_county, by_school, by_programme, roster_rows) -> None:
    """Sum by county = by school = by programme = the ledger's own sums; else write nothing."""
    ledger = {"payments": sum(n for n, _ in statuses.values()),
              "amount": sum(f for _, f in statuses.values())}
    for g in GROUPS:
        ledger[g] = sum(f for s, (_, f) in statuses.items() if GROUP_OF_STATUS.get(s) == g)
    sources = {"账本逐笔": pay.assign(payments=1), "按县区": by_county, "按学校": by_school, "按项目": by_programme}
    wrong = []
    for name, frame in sources.items():
        for column, want in ledger.items():
            got = int(frame[column].sum()) if len(frame) else 0
            if got != want:
                shown = (lambda v: str(v)) if column == "payments" else (lambda v: f"{yuan(v)} 元")
                wrong.append(f"{name}{WORDS[column]} {shown(got)}，账本 {shown(want)}")
    for column in ("roster_records", "refused"):
        want = len(roster_rows) if column == "roster_records" else int(roster_rows["refused"].sum())
        for name, frame in (("按县区", by_county), ("按学校", by_school)):
            got = int(frame[column].sum()) if len(frame) else 0
            if got != want:
                wrong.append(f"{name}{WORDS[column]} {got}，花名册 {want}")
    if wrong:
        raise AidctlError("资助情况报告的合计不符，报告没有写出（" + "；".join(wrong) + "）：请报告此问题，勿手工改账")
