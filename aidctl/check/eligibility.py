"""Programme, eligibility conditions and amount, against the rules in force for the term."""

from __future__ import annotations

import numpy as np
import pandas as pd

from aidctl.core.findings import build, empty
from aidctl.core.money import yuan_text
from aidctl.read import Roster
from aidctl.rulebook import Condition, Rulebook


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


def check(roster: Roster, rules: Rulebook) -> pd.DataFrame:
    f = roster.frame
    term_label = rules.term_label(roster.term)
    titles = {k: c.title for k, c in rules.columns.tables["roster"].columns.items()}
    school_type = f["v_school_type"]
    out = [
        build(f["programme"].notna() & f["programme_name"].isna(), "eligibility.unknown_program", "programme",
              "资助项目“{p}”不在资助规则中，或无法判断是哪一类学校的项目（学校类型：{t}）："
              "请写项目全称（如“中职国家助学金”）", f["programme"], p=f["programme"],
              t=school_type.astype("string").fillna("不明")),
        build(f["programme"].isna() & roster.present("programme"), "eligibility.unknown_program",
              "programme", "资助项目为空：请填写资助项目"),
    ]
    for name, prog in rules.programmes.programmes.items():
        rows = (f["programme_name"] == name).fillna(False).to_numpy(dtype=bool)
        if not rows.any():
            continue
        period = rules.period_in_force(name, roster.term)
        if period is None:
            out.append(build(rows, "eligibility.unknown_program", "programme",
                             "“{name}”在{term}不在执行期：请核对学期或资助项目", f["programme"],
                             name=name, term=term_label))
            continue
        wrong_school = rows & (school_type.notna() & ~school_type.isin(prog.school_types)).to_numpy()
        out.append(build(wrong_school, "eligibility.not_eligible", "programme",
                         "“{name}”只资助{types}学校学生，该生所在学校为{t}", f["programme"],
                         name=name, types="、".join(prog.school_types), t=school_type))
        for cond in period.conditions:
            fails = rows & ~holds(f, cond)
            column = cond.fields()[0]
            out.append(build(fails, "eligibility.not_eligible", column,
                             "不符合“{name}”{term}的资格条件“{label}”：{shown}。请核实，不符合条件的不得申报",
                             f[column] if column in f.columns else None, name=name, term=term_label,
                             label=cond.label or titles.get(column, column),
                             shown=_shown(f[fails], cond, titles)))
        out.append(_amounts(f, rows, name, period, term_label))
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


def _amounts(f: pd.DataFrame, rows: np.ndarray, name: str, period, term_label: str) -> pd.DataFrame:
    amount = period.amount
    has_amount = f["amount"].notna().to_numpy()
    fen = f["amount_fen"]
    bad = ~f["amount_ok"].to_numpy() | (fen.fillna(0) <= 0).to_numpy()
    invalid = rows & ((has_amount & bad) | (~has_amount & amount.from_roster))
    out = [build(invalid, "amount.invalid", "amount",
                 "资助金额“{a}”不是有效的正数金额（精确到分）：请填写本学期应发金额", f["amount"], a=f["amount"])]
    expected = expected_fen(f, amount)
    if expected is not None:
        differs = rows & has_amount & ~invalid & expected.notna().to_numpy() & \
            (fen != expected).fillna(False).to_numpy(dtype=bool)
        tier = ("（" + f["v_" + amount.tiers.field][differs].astype("string") + "）") if amount.tiers else ""
        out.append(build(differs, "amount.mismatch", "amount",
                         "资助金额{a}元，与“{name}”{term}标准{tier}{e}元/生不符：请按标准更正", f["amount"],
                         a=f["amount_yuan"], name=name, term=term_label, tier=tier,
                         e=yuan_text(expected[differs])))
    parts = [p for p in out if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else empty()
