"""id.duplicate: one person claimed twice for one programme, or by two schools (重复享受/虚报冒领)."""

from __future__ import annotations

import pandas as pd

from aidctl.findings import build, empty, text
from aidctl.rulebook import Rulebook
from aidctl.roster import Roster


def check(roster: Roster, rules: Rulebook) -> pd.DataFrame:
    f = roster.frame
    who = f["person"]
    known = who.notna()
    programme = f["programme_name"].astype(object).fillna(f["programme"].astype(object)).fillna("")
    school = f["school"].astype(object).fillna("")
    same_programme = known & pd.Series(
        pd.MultiIndex.from_arrays([who.astype(object), programme]).duplicated(keep=False), index=f.index)
    schools_per_person = school[known].groupby(who[known]).nunique()
    two_schools = known & who.map(schools_per_person).fillna(0).gt(1)
    dup = same_programme | two_schools
    if not dup.any():
        return empty()
    names = [t.file for t in roster.tables]
    place = (pd.Series(names, dtype="string").reindex(f["table"]).reset_index(drop=True)
             + " 第" + f["excel_row"].astype("string") + "行（" + f["school"].astype("string").fillna("学校不明")
             + "，" + programme.astype("string").replace("", "项目不明") + "）")
    places = place[dup].groupby(who[dup]).agg("；".join)
    counts = who[dup].value_counts()
    message = text("同一学生（身份证号码“{id}”）在本次检查的花名册中出现{n}次：{places}。"
                   "同一学生同一项目只能享受一次，也不能由两所学校申报：请核实学籍后只保留一处",
                   id=who, n=who.map(counts).astype("Int64").astype("string"), places=who.map(places))
    return build(dup, "id.duplicate", "id_number", message, f["id_number"])
