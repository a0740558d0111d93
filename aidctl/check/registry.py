"""registry.not_found / registry.mismatch: the roster against a 学籍 export (--registry)."""

from __future__ import annotations

import pandas as pd

from aidctl.core import identity
from aidctl.core.findings import build, empty
from aidctl.read import Roster, Table


def registry_frame(tables: list[Table]) -> pd.DataFrame:
    """The export's students by 18-character ID (15-digit numbers upgraded); first entry wins."""
    data = pd.concat([t.data for t in tables], ignore_index=True)
    ids = identity.clean_id(data["id_number"])
    legacy = ids.str.fullmatch(identity.ID15).fillna(False).astype(bool)
    if legacy.any():
        ids = ids.mask(legacy, identity.upgrade_15(ids[legacy]))
    frame = pd.DataFrame({"id18": ids, "name": data["name"],
                          "school": data.get("school", pd.NA)})
    return frame.dropna(subset=["id18"]).drop_duplicates("id18").set_index("id18")


def check(roster: Roster, registry: pd.DataFrame, registry_file: str) -> pd.DataFrame:
    f = roster.frame
    checkable = f["id_valid"].to_numpy()
    found = checkable & f["id18"].isin(registry.index).to_numpy()
    out = [build(checkable & ~found, "registry.not_found", "id_number",
                 "学籍库（{reg}）中没有身份证号码为“{id}”的学生：请核实是否在籍，不在籍的不得申报",
                 f["id_number"], reg=registry_file, id=f["id18"])]
    sub = f[found]
    reg = registry.reindex(sub["id18"].astype(object))
    reg.index = sub.index
    reg_name, reg_school = reg["name"].astype("string"), reg["school"].astype("string")
    name_differs = sub["name"].notna() & reg_name.notna() & (sub["name"] != reg_name).fillna(False)
    out.append(build(f.index.isin(name_differs[name_differs].index), "registry.mismatch", "name",
                     "姓名“{n}”与学籍库中的“{r}”不一致：请核实是否为同一学生", f["name"], n=f["name"], r=reg_name))
    school_differs = sub["school"].notna() & reg_school.notna() & (sub["school"] != reg_school).fillna(False)
    out.append(build(f.index.isin(school_differs[school_differs].index), "registry.mismatch", "school",
                     "学籍库登记该生在“{r}”就读，花名册由“{s}”申报：请核实学籍所在学校", f["school"],
                     s=f["school"], r=reg_school))
    parts = [p for p in out if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else empty()
