"""schema.missing_column: a required column, or one the programme's conditions need, is absent."""

from __future__ import annotations

import pandas as pd

from aidctl.core.findings import empty, file_finding
from aidctl.read import Roster, missing_columns
from aidctl.rulebook import Condition, Rulebook

# columns that the roster may lack because schools.xlsx or the school's name supplies them
SUPPLIED_ELSEWHERE = {"ownership", "school_type", "county"}


def _unmet(cond: Condition, present: set[str]) -> list[str]:
    """Fields to add so that `cond` can be evaluated at all (any_of: one of its fields suffices)."""
    if cond.field:
        return [] if cond.field in present | SUPPLIED_ELSEWHERE else [cond.field]
    subs = [_unmet(c, present) for c in (cond.any_of or cond.all_of or [])]
    if cond.any_of is not None:
        return [] if any(not s for s in subs) else sorted({f for s in subs for f in s})
    return sorted({f for s in subs for f in s})


def check(roster: Roster, rules: Rulebook) -> pd.DataFrame:
    spec = rules.columns.tables["roster"]
    frame = roster.frame

    def title(key: str) -> str:
        return spec.columns[key].title

    out = missing_columns(roster.tables, spec)
    for i, table in enumerate(roster.tables):
        present = set(table.columns)
        rows = frame["table"] == i
        if "programme" not in present and frame.loc[rows, "programme"].isna().all():
            out.append(file_finding(i, "schema.missing_column", "programme",
                                    f"缺少“{title('programme')}”列，标题中也没有写明资助项目："
                                    f"请补上该列或在标题中写明项目名称"))
        for name in frame.loc[rows, "programme_name"].dropna().unique():
            period = rules.period_in_force(name, roster.term)
            if period is None:
                continue
            needs = [c for cond in period.conditions for c in _unmet(cond, present)]
            if period.amount.tiers and period.amount.tiers.field not in present:
                needs.append(period.amount.tiers.field)
            if period.amount.from_roster and "amount" not in present:
                needs.append("amount")
            for key in dict.fromkeys(needs):
                out.append(file_finding(i, "schema.missing_column", key,
                                        f"“{name}”的资格条件或资助标准需要“{title(key)}”列，表中没有："
                                        f"请补上该列后重新提交"))
    return pd.concat(out, ignore_index=True) if out else empty()
