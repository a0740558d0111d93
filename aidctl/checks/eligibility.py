"""Programme, eligibility conditions and amount, against the rules in force for the term."""

from __future__ import annotations

import numpy as np
import pandas as pd

from aidctl.findings import build, empty, text
from aidctl.rulebook import Condition, Rulebook
from aidctl.roster import Roster


def field_values(frame: pd.DataFrame, field: str) -> pd.Series:
    """The value a condition compares: the vocabulary value (v_<field>) where there is one."""
    return frame[f"v_{field}"] if f"v_{field}" in frame.columns else frame[field]


def _holds(frame: pd.DataFrame, cond: Condition) -> pd.Series:
    if cond.field:
        return field_values(frame, cond.field).isin(cond.in_).fillna(False).astype(bool)
    subs = [_holds(frame, c) for c in (cond.any_of or cond.all_of or [])]
    combine = np.logical_or if cond.any_of is not None else np.logical_and
    return pd.Series(combine.reduce([s.to_numpy() for s in subs]), index=frame.index)


def _shown(frame: pd.DataFrame, cond: Condition, titles: dict[str, str]) -> pd.Series:
    """'户口性质为“城市”、困难等级为空' for the fields a condition reads."""
    fields = cond.fields()
    parts = []
    for field in fields:
        raw = frame[field].astype("string") if field in frame.columns else None
        value = field_values(frame, field).astype("string")
        value = raw.fillna(value) if raw is not None else value
        parts.append((titles.get(field, field) + "为“" + value + "”").fillna(titles.get(field, field) + "为空"))
    out = parts[0]
    for p in parts[1:]:
        out = out + "、" + p
    return out


def check(roster: Roster, rules: Rulebook) -> pd.DataFrame:
    f = roster.frame
    term_label = rules.term_label(roster.term)
    titles = {k: c.title for k, c in rules.columns.tables["roster"].columns.items()}
    out = []
    # programme named but not known, or blank in a table that has the column
    text_given = f["programme"].notna()
    unknown = text_given & f["programme_name"].isna()
    out.append(build(unknown, "eligibility.unknown_program", "programme",
                     text("资助项目“{p}”不在资助规则中，或无法判断是哪一类学校的项目（学校类型：{t}）："
                          "请写项目全称（如“中职国家助学金”）", p=f["programme"],
                          t=f["v_school_type"].astype("string").fillna("不明")), f["programme"]))
    out.append(build(f["programme"].isna() & roster.present("programme"), "eligibility.unknown_program",
                     "programme", "资助项目为空：请填写资助项目"))
    for name, prog in rules.programmes.programmes.items():
        rows = (f["programme_name"] == name).fillna(False).astype(bool)
        if not rows.any():
            continue
        period = rules.period_in_force(name, roster.term)
        if period is None:
            out.append(build(rows, "eligibility.unknown_program", "programme",
                             f"“{name}”在{term_label}不在执行期：请核对学期或资助项目", f["programme"]))
            continue
        sub = f[rows]
        wrong_school = sub["v_school_type"].notna() & ~sub["v_school_type"].isin(prog.school_types)
        out.append(_at(rows, wrong_school, "eligibility.not_eligible", "programme",
                       text("“" + name + "”只资助" + "、".join(prog.school_types) + "学校学生，该生所在学校为{t}",
                            t=sub["v_school_type"].astype("string")), sub["programme"]))
        for cond in period.conditions:
            fails = ~_holds(sub, cond)
            label = cond.label or titles.get(cond.field, cond.field)
            column = cond.fields()[0]
            shown = _shown(sub, cond, titles)
            out.append(_at(rows, fails, "eligibility.not_eligible", column,
                           ("不符合“" + name + "”" + term_label + "的资格条件“" + label + "”：" + shown
                            + "。请核实，不符合条件的不得申报").astype("string"),
                           sub[column].astype("string") if column in sub else None))
        out.append(_amounts(f, rows, sub, name, period, term_label))
    parts = [p for p in out if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else empty()


def _at(rows: pd.Series, sub_mask: pd.Series, code, column, message, value=None) -> pd.DataFrame:
    """Findings for a sub-frame's mask, placed back on the whole roster's record numbers."""
    full = pd.Series(False, index=rows.index)
    full[rows[rows].index] = sub_mask.to_numpy()
    def widen(x):
        if isinstance(x, pd.Series):
            w = pd.Series(pd.NA, index=rows.index, dtype=object)
            w[rows[rows].index] = x.astype(object).to_numpy()
            return w
        return x
    return build(full, code, column, widen(message), widen(value))


def _amounts(f, rows, sub, name, period, term_label) -> pd.DataFrame:
    amount = period.amount
    has_amount = sub["amount"].notna()
    out = []
    invalid = has_amount & (~sub["amount_ok"] | (sub["amount_yuan"].fillna(0) <= 0))
    if amount.from_roster:
        invalid = invalid | sub["amount"].isna()
    out.append(_at(rows, invalid, "amount.invalid", "amount",
                   text("资助金额“{a}”不是有效的正数金额（精确到分）：请填写本学期应发金额",
                        a=sub["amount"].astype("string").fillna("空")), sub["amount"]))
    if amount.per_term is not None:
        expected = pd.Series(str(amount.per_term), index=sub.index, dtype="string")
    elif amount.tiers is not None:
        col = "v_" + amount.tiers.field
        expected = sub[col].map({k: str(v) for k, v in amount.tiers.per_term.items()}).astype("string")
    else:
        expected = None
    if expected is not None:
        valid = has_amount & ~invalid & expected.notna()
        differs = valid & (sub["amount_yuan"].astype("string") != expected).fillna(False)
        tier = ("（" + sub["v_" + amount.tiers.field].astype("string") + "）") if amount.tiers else ""
        out.append(_at(rows, differs, "amount.mismatch", "amount",
                       text("资助金额{a}元，与“" + name + "”" + term_label + "标准{tier}{e}元/生不符："
                            "请按标准更正", a=sub["amount_yuan"].astype("string"), e=expected,
                            tier=tier if isinstance(tier, pd.Series) else pd.Series(tier, index=sub.index)),
                       sub["amount"]))
    parts = [p for p in out if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else empty()
