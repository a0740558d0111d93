"""term.mismatch: a roster whose title, sheet, file name or folder names another term than the one
it is judged under. Paid as 2012-spring, a roster titled 2011年秋季 would pay last term again."""

from __future__ import annotations

import pandas as pd

from aidctl.core.findings import empty, file_finding
from aidctl.read import Roster, term_evidence
from aidctl.rulebook import Rulebook


def check(roster: Roster, rules: Rulebook) -> pd.DataFrame:
    term = roster.term
    label = rules.term_label(term)
    parts = []
    for i, table in enumerate(roster.tables):
        other = [e for e in term_evidence(table, rules) if term not in e.terms]
        if not other:
            continue
        said = "；".join(dict.fromkeys(e.says(rules) for e in other))
        parts.append(file_finding(i, "term.mismatch", None,
                                  f"{said}，本次按{label}（{term}）审核：不是本学期的花名册不得按本学期发放。"
                                  "请核对学期：如确为本学期的名单，请更正标题或文件名；否则请放到对应学期的"
                                  " intake 文件夹，或用 --term 指定该学期"))
    return pd.concat(parts, ignore_index=True) if parts else empty()
