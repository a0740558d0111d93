"""What audit-extraction's totals cover: the school-years every total sums (those whose figures were all
read), and the schools of schools.xlsx of the types audited that sent no row for the year."""

from __future__ import annotations

import pandas as pd

from aidctl.core.text import fold_one
from aidctl.read import school_keys

AMOUNTS = ["income", "extracted", "deposited", "spent"]   # the figures a finance row gives
MISSING_COLUMNS = ["school_code", "school", "v_county", "v_school_type"]


def in_totals(frame: pd.DataFrame, findings: pd.DataFrame) -> pd.Series:
    """The school-years every total sums: counted, every figure read (事业收入, 提取, 划入专户, 发放, and the
    required amount, so the school has a rate) and no extraction.invalid on the row (事业收入 of 0). A
    total over other schools than its neighbour (事业收入 without the school whose income is unread,
    实提 with it) is no total."""
    invalid = findings.loc[(findings["rec"] >= 0) & (findings["code"] == "extraction.invalid"), "rec"]
    read = frame[[*AMOUNTS, "required_min"]].notna().all(axis=1)
    return frame["counted"].astype(bool) & read & ~frame.index.isin(invalid.astype("int64"))


def totals_note(frame: pd.DataFrame) -> list[str]:
    """The school-years counted but not in the totals, said aloud: the totals are over the rest."""
    out = frame["counted"].astype(bool) & ~frame["in_totals"]
    if not out.any():
        return []
    names = frame.loc[out, "school"].fillna(frame.loc[out, "school_code"]).astype("string").fillna("（未填校名）")
    shown = "、".join(names.iloc[:10]) + ("等" if out.sum() > 10 else "")
    rest = int(frame["in_totals"].sum())
    return [f"{int(out.sum())}所学校（{shown}）的数据未能全部读出或无法审核，已读出的金额也不计入合计："
            + (f"事业收入、应提、实提、划入专户、发放和少提金额的合计都只包括其余{rest}所学校" if rest else
               "没有一所学校的数据全部读出，各项金额合计为空")]


def missing_schools(frame: pd.DataFrame, schools: pd.DataFrame | None, rules, year: int) -> pd.DataFrame:
    """The schools of schools.xlsx whose type has a rate for the year (rules/extraction.yaml: the types
    the audit covers) and that no row of the year names, by 学校代码 or by name or 别名."""
    if schools is None or schools.empty:
        return pd.DataFrame(columns=MISSING_COLUMNS)
    types = schools["v_school_type"].astype("string")
    covered = types.map({t: rules.extraction.rates(t, year) is not None for t in types.dropna().unique()})
    codes = schools["school_code"].astype("string") if "school_code" in schools \
        else pd.Series(pd.NA, index=schools.index, dtype="string")
    keys = school_keys(schools)["key"]
    written = set(frame["school"].map(fold_one, na_action="ignore").dropna()) - {""}
    by_name = keys.isin(written).groupby(level=0).any().reindex(schools.index, fill_value=False)
    sent = codes.isin(set(frame["school_code"].astype("string").dropna())).fillna(False) | by_name
    out = schools.loc[covered.fillna(False).astype(bool).to_numpy() & ~sent.to_numpy(), MISSING_COLUMNS]
    return out.drop_duplicates().reset_index(drop=True)


def missing_note(missing: pd.DataFrame, schools: pd.DataFrame | None, rules, year: int) -> list[str]:
    """The schools of schools.xlsx that sent no row, said aloud; without schools.xlsx, that whether
    any school sent none cannot be told."""
    types = "、".join(t for t in rules.extraction.by_school_type if rules.extraction.rates(t, year) is not None)
    if schools is None or schools.empty:
        return [f"工作区中没有 schools.xlsx：无法核对是否有学校（{types}）没有报送{year}年度的财务数据，本次只审核了表中的学校"]
    if missing.empty:
        return []
    m = missing.astype(object).where(missing.notna(), None)
    shown = "、".join(f"{c + ' ' if c else ''}{n}（{k or '县区不明'}，{t}）" for c, n, k, t in
                      m[MISSING_COLUMNS].iloc[:10].itertuples(index=False, name=None))
    return [f"schools.xlsx 登记的{len(missing)}所学校（{types}）在报表中没有{year}年度的数据行，未审核：{shown}"
            f"{'等' if len(missing) > 10 else ''}；本次审核不完整，请这些学校补报后重新审核"]
