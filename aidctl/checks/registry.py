"""registry.not_found / registry.mismatch: the roster against a 学籍 export (--registry)."""

from __future__ import annotations

import pandas as pd

from aidctl import identity
from aidctl.findings import build, empty, text
from aidctl.roster import Roster
from aidctl.tables import Table


def registry_frame(tables: list[Table]) -> pd.DataFrame:
    """The export's students by 18-character ID (15-digit numbers upgraded); first entry wins."""
    data = pd.concat([t.data for t in tables], ignore_index=True)
    ids = identity.clean_id(data["id_number"])
    legacy = ids.str.fullmatch(identity.ID15).fillna(False).astype(bool)
    if legacy.any():
        ids = ids.mask(legacy, identity.upgrade_15(ids[legacy]))
    frame = pd.DataFrame({"id18": ids, "name": data["name"],
                          "school": data["school"] if "school" in data else pd.NA})
    return frame.dropna(subset=["id18"]).drop_duplicates("id18").set_index("id18")


def check(roster: Roster, registry: pd.DataFrame, registry_file: str) -> pd.DataFrame:
    f = roster.frame
    checkable = f["id_valid"]
    key = f["id18"].astype(object)
    found = key.isin(registry.index) & checkable
    out = [build(checkable & ~found, "registry.not_found", "id_number",
                 text("学籍库（" + registry_file + "）中没有身份证号码为“{id}”的学生：请核实是否在籍，"
                      "不在籍的不得申报", id=f["id18"]), f["id_number"])]
    reg_name = key.map(registry["name"]).astype("string")
    reg_school = key.map(registry["school"]).astype("string")
    name_differs = found & f["name"].notna() & reg_name.notna() & (f["name"] != reg_name).fillna(False)
    out.append(build(name_differs, "registry.mismatch", "name",
                     text("姓名“{n}”与学籍库中的“{r}”不一致：请核实是否为同一学生", n=f["name"], r=reg_name),
                     f["name"]))
    school_differs = found & f["school"].notna() & reg_school.notna() & \
        (f["school"] != reg_school).fillna(False)
    out.append(build(school_differs, "registry.mismatch", "school",
                     text("学籍库登记该生在“{r}”就读，花名册由“{s}”申报：请核实学籍所在学校",
                          s=f["school"], r=reg_school), f["school"]))
    parts = [p for p in out if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else empty()
