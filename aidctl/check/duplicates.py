"""id.duplicate: one person claimed twice for one programme, or by two schools (重复享受/虚报冒领)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from aidctl.core.findings import build, empty
from aidctl.read import Roster
from aidctl.rulebook import Rulebook


def check(roster: Roster, rules: Rulebook) -> pd.DataFrame:
    f = roster.frame
    repeated = f["person"].notna().to_numpy() & f["person"].duplicated(keep=False).to_numpy()
    if not repeated.any():
        return empty()
    sub = f[repeated]
    found = _duplicates(sub)
    dup = np.zeros(len(f), dtype=bool)
    dup[np.flatnonzero(repeated)[found]] = True
    return _findings(roster, f, dup)


def _duplicates(f: pd.DataFrame) -> np.ndarray:
    """Among records of people who stand more than once: same programme twice, or two schools."""
    who, _ = pd.factorize(f["person"])
    programme = f["programme_name"].astype(object).fillna(f["programme"].astype(object))
    prog, prog_names = pd.factorize(programme)
    school, _ = pd.factorize(f["school"])
    known = who >= 0
    key = who.astype(np.int64) * (len(prog_names) + 1) + (prog + 1)
    same_programme = known & pd.Series(key).duplicated(keep=False).to_numpy()
    named = known & (school >= 0)  # a roster that names no school is no evidence of a second school
    pairs = pd.DataFrame({"who": who[named], "school": school[named]}).drop_duplicates()
    per_person = pairs.groupby("who").size()
    two_schools = known & pd.Series(who).map(per_person).gt(1).to_numpy()
    return same_programme | two_schools


def _findings(roster: Roster, f: pd.DataFrame, dup: np.ndarray) -> pd.DataFrame:
    sub = f[dup]
    programme = sub["programme_name"].astype(object).fillna(sub["programme"].astype(object))
    files = pd.Series([t.file for t in roster.tables])
    place = (files.reindex(sub["table"].to_numpy()).to_numpy() + " 第" + sub["excel_row"].astype(str)
             + "行（" + sub["school"].astype("string").fillna("学校不明") + "，"
             + programme.astype("string").fillna("项目不明") + "）")
    places = place.groupby(sub["person"]).agg("；".join)
    counts = sub["person"].value_counts()
    return build(dup, "id.duplicate", "id_number",
                 "同一学生（身份证号码“{id}”）在本次检查的花名册中出现{n}次：{places}。"
                 "同一学生同一项目只能享受一次，也不能由两所学校申报：请核实学籍后只保留一处",
                 f["id_number"], id=sub["person"], n=sub["person"].map(counts),
                 places=sub["person"].map(places))
