"""id.duplicate: one person claimed twice for one programme, or by two schools (重复享受/虚报冒领)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from aidctl.core.findings import build, empty, group_places
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
    """One finding per record, so that every record of a group is refused; each names the group once:
    how many times the student stands, and the group's first places (file, sheet, row, school,
    programme), the rest counted."""
    sub = f[dup]
    programme = sub["programme_name"].astype(object).fillna(sub["programme"].astype(object))
    place = (places(roster, sub) + "（" + sub["school"].astype("string").fillna("学校不明") + "，"
             + programme.astype("string").fillna("项目不明") + "）")
    group = group_places(sub["person"], place)
    return build(dup, "id.duplicate", "id_number",
                 "同一学生（身份证号码“{id}”）在本次检查的花名册中出现{n}次：{places}。"
                 "同一学生同一项目只能享受一次，也不能由两所学校申报：请核实学籍后只保留一处",
                 f["id_number"], id=sub["person"], n=sub["person"].map(group["count"]),
                 places=sub["person"].map(group["places"]))


def places(roster: Roster, rows: pd.DataFrame) -> pd.Series:
    """Where each of `rows` (roster records) stands, as a clerk finds it: the file, the sheet when the
    file gave more than one table, the Excel row ("a.xlsx 第5行", "b.xlsx 工作表“2班”第7行")."""
    tables = roster.tables
    per_file = pd.Series([t.file for t in tables]).value_counts()
    label = pd.Series([t.file + (f" 工作表“{t.sheet}”" if per_file[t.file] > 1 else " ") for t in tables],
                      dtype="string")
    where = label.reindex(rows["table"].to_numpy()).to_numpy()
    row = rows["excel_row"] if "excel_row" in rows.columns else rows["row"]  # enlist's frame calls it row
    return pd.Series(where, index=rows.index, dtype="string") + "第" + row.astype("string") + "行"
