"""Programme, eligibility conditions and amount, against the rules in force for the term.

The check produces the decision record of every record once (`decide`): the rule period that judged
it, which of that period's conditions failed, whether the school type was one the programme aids,
the standard amount and how it was reached (fixed, by tier, or the roster's own where the standard
is set locally), and the amount a payment would carry. The findings are made from it, the payment
plan pays its amount, and `aidctl explain` and `aidctl rules diff` read it; nothing decides twice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from aidctl.core.amounts import YUAN_LIMIT_TEXT
from aidctl.core.errors import RuleError
from aidctl.core.findings import build, empty
from aidctl.core.money import yuan_text, yuan_text_or_none
from aidctl.core.text import text_or_none
from aidctl.read import Roster, merged_down
from aidctl.rulebook import Condition, Period, Rulebook, period_id

BASES = ["fixed", "tier", "roster"]   # how the standard was reached: fixed, by the tier's value, the roster's
MAX_CONDITIONS = 62                   # top-level conditions of one period that the bit mask holds


@dataclass(frozen=True)
class RulePeriod:
    """A programme's period that judged records of this run, as a decision cites it."""

    id: str
    programme: str
    period: Period
    school_types: tuple[str, ...]
    payee: str
    labels: tuple[str, ...]           # each top-level condition as the bureau words it

    @property
    def source(self) -> str:
        return self.period.source


@dataclass
class Decisions:
    """The decision record of each roster record (one row per record, the roster frame's index):

    period        the id of the period in force for the record's programme (NA: programme unknown,
                  or not in force that term)
    wrong_school  the record's school type is known and not one the programme aids
    failed        bit i set when the period's i-th condition fails
    standard_fen  the standard per term in fen (NA where set locally, or the tier is unknown)
    basis         fixed / tier / roster: how the amount was reached
    tier          the tier the standard was read at (tiers only)
    amount_fen    what a payment carries: the standard, else the roster's amount

    `periods` holds each period cited, by id."""

    frame: pd.DataFrame
    periods: dict[str, RulePeriod]

    def failed_labels(self, recs: np.ndarray) -> list[list[str]]:
        """The labels of the conditions each of `recs` failed (the few records a report shows)."""
        f = self.frame
        out = []
        for period, bits in zip(f["period"].to_numpy(dtype=object)[recs], f["failed"].to_numpy()[recs]):
            labels = self.periods[period].labels if isinstance(period, str) else ()
            out.append([label for i, label in enumerate(labels) if int(bits) >> i & 1])
        return out


def field_values(frame: pd.DataFrame, field: str) -> pd.Series:
    """The value a condition compares: the vocabulary value (v_<field>) where there is one."""
    return frame[f"v_{field}"] if f"v_{field}" in frame.columns else frame[field]


def holds(frame: pd.DataFrame, cond: Condition) -> np.ndarray:
    """Where a condition holds, as a boolean array over the frame."""
    if cond.field:
        return field_values(frame, cond.field).isin(cond.in_).fillna(False).to_numpy(dtype=bool)
    subs = [holds(frame, c) for c in (cond.any_of or cond.all_of or [])]
    combine = np.logical_or if cond.any_of is not None else np.logical_and
    return combine.reduce(subs)


def _shown(sub: pd.DataFrame, cond: Condition, titles: dict[str, str]) -> pd.Series:
    """'户口性质为“城市”、困难等级为空' for the fields a condition reads (on the failing rows)."""
    out = None
    for field in cond.fields():
        title = titles.get(field, field)
        raw = sub[field].astype("string") if field in sub.columns else None
        value = field_values(sub, field).astype("string")
        value = raw.fillna(value) if raw is not None else value
        part = (title + "为“" + value + "”").fillna(title + "为空")
        out = part if out is None else out + "、" + part
    return out


def _titles(rules: Rulebook) -> dict[str, str]:
    return {k: c.title for k, c in rules.columns.tables["roster"].columns.items()}


def decide(roster: Roster, rules: Rulebook) -> Decisions:
    """The decision record of every record (see Decisions), vectorised: per programme, each
    condition is evaluated once over the frame."""
    f = roster.frame
    n = len(f)
    titles = _titles(rules)
    school_type = f["v_school_type"]
    period_code = np.full(n, -1, dtype=np.int64)
    wrong_school = np.zeros(n, dtype=bool)
    failed = np.zeros(n, dtype=np.int64)
    standard = pd.Series(pd.NA, index=f.index, dtype="Int64")
    basis_code = np.full(n, -1, dtype=np.int64)
    tier = pd.Series(pd.NA, index=f.index, dtype=object)
    periods: list[RulePeriod] = []
    for name, prog in rules.programmes.programmes.items():
        rows = (f["programme_name"] == name).fillna(False).to_numpy(dtype=bool)
        if not rows.any():
            continue
        period = rules.period_in_force(name, roster.term)
        if period is None:
            continue
        if len(period.conditions) > MAX_CONDITIONS:
            raise RuleError(f"“{name}”自 {period.from_} 起的时段有 {len(period.conditions)} 个条件，"
                            f"最多 {MAX_CONDITIONS} 个：请用 any_of/all_of 合并", file=str(rules.paths["programmes.yaml"]))
        period_code[rows] = len(periods)
        periods.append(RulePeriod(period_id(name, period), name, period, tuple(prog.school_types), prog.payee,
                                  tuple(c.label or titles.get(c.fields()[0], c.fields()[0]) for c in period.conditions)))
        wrong_school |= rows & (school_type.notna() & ~school_type.isin(prog.school_types)).to_numpy(dtype=bool)
        for i, cond in enumerate(period.conditions):
            failed[rows & ~holds(f, cond)] |= np.int64(1) << i
        expected = expected_fen(f, period.amount)
        if expected is None:
            basis_code[rows] = BASES.index("roster")
            continue
        standard[rows] = expected[rows]
        known = rows & expected.notna().to_numpy()
        if period.amount.tiers is not None:
            basis_code[known] = BASES.index("tier")
            basis_code[rows & ~known] = BASES.index("roster")  # no tier: the roster's amount stands
            tier[known] = field_values(f, period.amount.tiers.field).astype(object)[known]
        else:
            basis_code[rows] = BASES.index("fixed")
    ids = [p.id for p in periods]
    has_period = period_code >= 0
    amount = standard.where(standard.notna(), f["amount_fen"]).where(has_period, pd.NA).astype("Int64")
    frame = pd.DataFrame({
        "period": pd.Categorical.from_codes(period_code, categories=ids) if ids
        else pd.Categorical([None] * n, categories=[]),
        "wrong_school": wrong_school,
        "failed": failed,
        "standard_fen": standard,
        "basis": pd.Categorical.from_codes(basis_code, categories=BASES),
        "tier": tier,
        "amount_fen": amount,
    }, index=f.index)
    return Decisions(frame, {p.id: p for p in periods})


def check(roster: Roster, rules: Rulebook, decisions: Decisions | None = None,
          also_standard: pd.Series | None = None) -> pd.DataFrame:
    """eligibility.unknown_program, eligibility.not_eligible and the amount findings, from the
    decision record (made here when not given): each refusal names the rule period's source.

    `also_standard` (fen, by record: rules diff, the other version's standard) is a second amount a
    record's written amount may equal: such a record is not amount.mismatch, and the decision
    record's `other_standard` column marks it (the diff counts and says them)."""
    decisions = decisions if decisions is not None else decide(roster, rules)
    if also_standard is not None:
        decisions.frame["other_standard"] = False
    f = roster.frame
    d = decisions.frame
    term_label = rules.term_label(roster.term)
    titles = _titles(rules)
    school_type = f["v_school_type"]
    out = [
        build(f["programme"].notna() & f["programme_name"].isna(), "eligibility.unknown_program", "programme",
              "资助项目“{p}”不在资助规则中，或无法判断是哪一类学校的项目（学校类型：{t}）："
              "请写项目全称（如“中职国家助学金”）", f["programme"], p=f["programme"],
              t=school_type.astype("string").fillna("不明")),
        build(f["programme"].isna() & roster.present("programme"), "eligibility.unknown_program",
              "programme", "资助项目为空：请填写资助项目"),
    ]
    period = d["period"].astype(object)
    failed = d["failed"].to_numpy()
    down = merged_down(f, roster.tables, "amount")  # an amount merged over several records' rows
    for name, prog in rules.programmes.programmes.items():
        rows = (f["programme_name"] == name).fillna(False).to_numpy(dtype=bool)
        if not rows.any():
            continue
        in_force = rows & period.notna().to_numpy()
        if not in_force.any():
            spans = "；".join(f"{p.from_}至{p.until}" if p.until else f"{p.from_}起"
                             for p in sorted(prog.periods, key=lambda p: p.from_))
            out.append(build(rows, "eligibility.unknown_program", "programme",
                             "“{name}”在{term}不在执行期（规则中的执行期：{spans}）：请核对学期或资助项目",
                             f["programme"], name=name, term=term_label, spans=spans))
            continue
        rp = decisions.periods[period[in_force].iloc[0]]
        cited = f"（依据：{rp.source}，{rp.period.from_}起执行）"
        out.append(build(rows & d["wrong_school"].to_numpy(), "eligibility.not_eligible", "programme",
                         "“{name}”只资助{types}学校学生，该生所在学校为{t}{cited}", f["programme"],
                         name=name, types="、".join(prog.school_types), t=school_type, cited=cited))
        for i, cond in enumerate(rp.period.conditions):
            fails = rows & (failed >> i & 1).astype(bool)
            if "grade" in cond.fields():   # 2011届 is not known to fail: grade.ambiguous says so instead
                fails &= f["grade_class_of"].isna().to_numpy()
            column = cond.fields()[0]
            out.append(build(fails, "eligibility.not_eligible", column,
                             "不符合“{name}”{term}的资格条件“{label}”：{shown}{cited}。请核实，不符合条件的不得申报",
                             f[column] if column in f.columns else None, name=name, term=term_label,
                             label=rp.labels[i], shown=_shown(f[fails], cond, titles), cited=cited))
        out.append(_amounts(f, d, rows, rp, term_label, cited, also_standard, down))
    parts = [p for p in out if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else empty()


def expected_fen(frame: pd.DataFrame, amount) -> pd.Series | None:
    """The standard amount per record in fen (NA where a tier is unknown), or None if set locally."""
    if amount.per_term is not None:
        return pd.Series(int(amount.per_term * 100), index=frame.index, dtype="Int64")
    if amount.tiers is not None:
        tiers = {k: int(v * 100) for k, v in amount.tiers.per_term.items()}
        return frame["v_" + amount.tiers.field].astype(object).map(tiers).astype("Int64")
    return None


def _amounts(f: pd.DataFrame, d: pd.DataFrame, rows: np.ndarray, rp: RulePeriod, term_label: str,
             cited: str, also_standard: pd.Series | None, down: pd.Series) -> pd.DataFrame:
    amount = rp.period.amount
    has_amount = f["amount"].notna().to_numpy()
    fen = f["amount_fen"]
    bad = ~f["amount_ok"].to_numpy() | (fen.fillna(0) <= 0).to_numpy()
    invalid = rows & ((has_amount & bad) | (~has_amount & amount.from_roster))
    out = [build(invalid, "amount.invalid", "amount",
                 "资助金额“{a}”不是有效的正数金额（精确到分，按表头单位折算后低于{limit}）：请填写本学期应发金额",
                 f["amount"], a=f["amount"], limit=YUAN_LIMIT_TEXT)]
    # where the roster's own amount is paid, one merged over several students is each one's or theirs
    # together: no rule tells (against a standard, amount.mismatch below decides)
    merged = rows & has_amount & ~invalid & down.notna().to_numpy() & (d["basis"] == "roster").to_numpy()
    if merged.any():
        sharing = down.groupby([f["table"], down]).transform("size")
        out.append(build(merged, "amount.merged", "amount",
                         "资助金额单元格合并了{rows}，{n}名学生共用一个金额“{a}”：“{name}”按学校填报的金额发放，"
                         "无法判断这是每人的金额还是合计，本次不予发放：请取消合并，逐行填写每名学生的金额",
                         f["amount"], rows=down, n=sharing.astype("string"), a=f["amount"], name=rp.programme))
    if amount.spread is not None:
        out.append(_outliers(f, rows & has_amount & ~invalid & ~merged, rp, amount.spread))
    expected = d["standard_fen"]
    # a blank amount in a table whose other records have theirs: the standard is paid, and said
    filled_elsewhere = pd.Series(has_amount).groupby(f["table"].to_numpy()).transform("any").to_numpy()
    blank = rows & ~has_amount & filled_elsewhere & expected.notna().to_numpy() & (not amount.from_roster)
    out.append(build(blank, "amount.blank", "amount",
                     "资助金额为空（本表其他学生填写了金额）：按“{name}”{term}标准{e}元发放；如该生本学期不应受助，"
                     "请从名单中删除", name=rp.programme, term=term_label,
                     e=yuan_text(expected[blank])))
    differs = rows & has_amount & ~invalid & expected.notna().to_numpy() & \
        (fen != expected).fillna(False).to_numpy(dtype=bool)
    if also_standard is not None:
        other = differs & (fen == also_standard).fillna(False).to_numpy(dtype=bool)
        d.loc[other, "other_standard"] = True
        differs &= ~other
    if differs.any():
        tier = ("（" + d["tier"][differs].astype("string") + "）") if amount.tiers else ""
        out.append(build(differs, "amount.mismatch", "amount",
                         "资助金额{a}元，与“{name}”{term}标准{tier}{e}元/生不符{cited}：请按标准更正", f["amount"],
                         a=f["amount_yuan"], name=rp.programme, term=term_label, tier=tier,
                         e=yuan_text(expected[differs]), cited=cited))
    parts = [p for p in out if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else empty()


def _outliers(f: pd.DataFrame, considered: np.ndarray, rp: RulePeriod, spread) -> pd.DataFrame:
    """amount.outlier: among the amounts the roster gives (from_roster) for the programme in one table
    (two or more), one more than `spread` times the lower median, or less than the upper median
    divided by it: 75000 among 750s is a slip of the keyboard as likely as a student's due. Where
    half the table is far from the other half (750, 750, 75000, 750750) which half is right cannot be
    told, and every one of them is flagged. Exact: the medians are amounts, `spread` a fraction."""
    at = np.flatnonzero(considered)
    if len(at) < 2:
        return empty()
    fen = pd.Series(f["amount_fen"].to_numpy()[at].astype(np.int64))
    table = f["table"].to_numpy()[at]
    by = fen.groupby(table)
    low = by.transform(lambda v: np.sort(v.to_numpy())[(len(v) - 1) // 2]).to_numpy()
    high = by.transform(lambda v: np.sort(v.to_numpy())[len(v) // 2]).to_numpy()
    counts = by.transform("size").to_numpy()
    num, den = spread.as_integer_ratio()
    values = fen.to_numpy()
    odd = (counts >= 2) & ((values * den > num * low) | (values * num < high * den))
    if not odd.any():
        return empty()
    flagged = np.zeros(len(f), dtype=bool)
    flagged[at[odd]] = True
    lo, hi = (pd.Series(pd.NA, index=f.index, dtype="Int64") for _ in range(2))
    lo.iloc[at[odd]] = by.transform("min").to_numpy()[odd]
    hi.iloc[at[odd]] = by.transform("max").to_numpy()[odd]
    return build(flagged, "amount.outlier", "amount",
                 "资助金额{a}元，与本表“{name}”其他学生的金额相差{k}倍以上（本表该项目的金额从{lo}元到{hi}元）："
                 "该项目按学校填报的金额发放，请核对是否多写或少写了位数，更正后重新报送", f["amount"],
                 a=f["amount_yuan"], name=rp.programme, k=f"{spread.normalize():f}",
                 lo=yuan_text(lo[flagged]), hi=yuan_text(hi[flagged]))


def describe(decisions: Decisions, roster: Roster, rules: Rulebook, rec: int) -> dict:
    """One record's decision as a document (for the few records `aidctl explain` shows): the
    programme, the period in force with its source, each condition with the values it read and
    whether it held, and the amount and how it was reached. Read from the decision record; only the
    text is assembled here."""
    f = roster.frame
    row = f.iloc[rec]
    d = decisions.frame.iloc[rec]
    titles = _titles(rules)
    programme = text_or_none(row["programme_name"])
    doc = {"programme": programme, "programme_written": text_or_none(row["programme"]), "in_force": False,
           "period": None, "school_type": None, "conditions": [], "amount": None}
    if programme is None or pd.isna(d["period"]):
        return doc
    rp = decisions.periods[d["period"]]
    school_type = text_or_none(row["v_school_type"])
    doc.update({
        "in_force": True,
        "period": {"id": rp.id, "from": str(rp.period.from_),
                   "until": str(rp.period.until) if rp.period.until else None, "source": rp.source},
        "school_type": {"value": school_type, "allowed": list(rp.school_types),
                        "passed": None if school_type is None else not bool(d["wrong_school"])},
    })
    for i, cond in enumerate(rp.period.conditions):
        values = []
        for field in cond.fields():
            written = text_or_none(row[field]) if field in f.columns else None
            value = row[f"v_{field}"] if f"v_{field}" in f.columns else row.get(field)
            values.append({"field": field, "title": titles.get(field, field), "written": written,
                           "value": None if value is None or pd.isna(value) else
                           (int(value) if isinstance(value, (int, np.integer)) else str(value))})
        doc["conditions"].append({"label": rp.labels[i], "passed": not (int(d["failed"]) >> i & 1),
                                  "values": values})
    amount = rp.period.amount
    doc["amount"] = {
        "basis": str(d["basis"]),
        "rule": ({"per_term": f"{amount.per_term:.2f}"} if amount.per_term is not None else
                 {"tiers": {k: f"{v:.2f}" for k, v in amount.tiers.per_term.items()},
                  "by": amount.tiers.field, "by_title": titles.get(amount.tiers.field, amount.tiers.field)}
                 if amount.tiers is not None else {"from_roster": True}),
        "tier": text_or_none(d["tier"]),
        "standard": yuan_text_or_none(d["standard_fen"]),
        "roster": yuan_text_or_none(row["amount_fen"]) if bool(row["amount_ok"]) else None,
        "roster_written": text_or_none(row["amount"]),
        "amount": yuan_text_or_none(d["amount_fen"]),
    }
    return doc
