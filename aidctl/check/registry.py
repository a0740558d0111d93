"""With --registry, the roster against a 学籍 export: registry.not_found, registry.mismatch (name,
学籍号, school) and status.not_enrolled (the export's 学籍状态 is 退学, 休学, 转出 …)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from aidctl.core import identity
from aidctl.core.findings import build, empty
from aidctl.core.text import fold, fold_one, lookup
from aidctl.read import Roster, Table, named
from aidctl.rulebook import Rulebook


def header_notes(tables: list[Table], rules: Rulebook) -> list[str]:
    """The 学籍 export's header as check.settle_headers finds it, said as notes (its findings have no
    place among the roster's); an export in which no rule settles a field (two 学籍状态 columns that
    differ) stops the command there, naming the columns, never guessed."""
    from aidctl.check.schema import settle_headers

    found = settle_headers(tables, rules.columns.tables["registry"], rules.columns.units, "registry")
    return [f"学籍库导出 {tables[int(p['table'].iat[0])].place()}：{p['message'].iat[0]}" for p in found]


def registry_frame(tables: list[Table], rules: Rulebook | None = None) -> pd.DataFrame:
    """The export's students by 18-character ID (15-digit numbers upgraded), one row each. With
    `rules`, `v_status` is the export's 学籍状态 in the vocabulary (enrolled / not_enrolled). An ID
    standing on several rows that agree (an export that overlaps) is one student; rows that differ
    in name, school, 学籍号 or 学籍状态 are never settled by their order: `conflict` names them."""
    data = pd.concat([t.data for t in tables], ignore_index=True)
    table_of = np.repeat(np.arange(len(tables)), [len(t.data) for t in tables])  # to name a row: few are named
    row_of = np.concatenate([t.data.index.to_numpy(dtype=np.int64) for t in tables] or [np.zeros(0, np.int64)])
    ids = identity.clean_id(data["id_number"])
    legacy = ids.str.fullmatch(identity.ID15).fillna(False).astype(bool)
    if legacy.any():
        ids = ids.mask(legacy, identity.upgrade_15(ids[legacy]))
    frame = pd.DataFrame({"id18": ids, "name": data["name"], "school": data.get("school", pd.NA),
                          "student_no": data.get("student_no", pd.NA), "status": data.get("status", pd.NA)})
    if rules is not None and "status" in data:
        vocab = rules.vocabulary.status
        frame["v_status"] = lookup(data["status"], {"enrolled": vocab.enrolled, "not_enrolled": vocab.not_enrolled})
    else:
        frame["v_status"] = pd.NA
    frame = frame.dropna(subset=["id18"])
    frame["conflict"] = None
    again = frame["id18"].duplicated(keep=False)
    if again.any():
        said = ["name", "school", "student_no", "status"]
        dup = frame[again]
        folded = pd.DataFrame({c: fold(dup[c].astype("string")).fillna("") for c in said}, index=dup.index)
        differ = folded.groupby(dup["id18"]).nunique().gt(1).any(axis=1)
        conflicted = dup[dup["id18"].isin(differ.index[differ.to_numpy()])]
        for rows in conflicted.groupby("id18", sort=False).groups.values():  # the few whose rows disagree
            frame.loc[rows[0], "conflict"] = "；".join(
                tables[int(table_of[i])].place(int(row_of[i])) + "："
                + "，".join(v for v in dup.loc[i, said].astype(object) if isinstance(v, str) and v)
                for i in rows)
    return frame.drop_duplicates("id18").set_index("id18")


def school_names(schools: pd.DataFrame | None) -> dict[str, str]:
    """Every name and alias of schools.xlsx (folded) → the school's name there (folded). A name or
    alias of two schools names neither: it is left out, and compared as written."""
    if schools is None:
        return {}
    register = named(schools.assign(canonical=schools["school"].map(fold_one)), ["canonical"])
    return register.loc[~register["shared"], "canonical"].to_dict()


def check(roster: Roster, registry: pd.DataFrame, registry_file: str, *, rules: Rulebook | None = None,
          schools: pd.DataFrame | None = None) -> pd.DataFrame:
    f = roster.frame
    checkable = f["id_valid"].to_numpy()
    found = checkable & f["id18"].isin(registry.index).to_numpy()
    out = [build(checkable & ~found, "registry.not_found", "id_number",
                 "学籍库（{reg}）中没有身份证号码为“{id}”的学生：请核实是否在籍，不在籍的不得申报",
                 f["id_number"], reg=registry_file, id=f["id18"])]
    sub = f[found]
    reg = registry.reindex(sub["id18"].astype(object))
    reg.index = sub.index
    conflict = reg["conflict"].astype("string") if "conflict" in reg else pd.Series(pd.NA, index=reg.index)
    out.append(build(f.index.isin(conflict[conflict.notna()].index), "registry.mismatch", "id_number",
                     "学籍库（{reg}）中该身份证号码有多条不一致的记录（{c}）：无法确定哪一条是该生的学籍，"
                     "请先在学籍系统核实", f["id_number"], reg=registry_file, c=conflict))
    reg_name, reg_school = reg["name"].astype("string"), reg["school"].astype("string")
    name_differs = sub["name"].notna() & reg_name.notna() & (sub["name"] != reg_name).fillna(False)
    out.append(build(f.index.isin(name_differs[name_differs].index), "registry.mismatch", "name",
                     "姓名“{n}”与学籍库中的“{r}”不一致：请核实是否为同一学生", f["name"], n=f["name"], r=reg_name))
    if "student_no" in reg:
        reg_no = reg["student_no"].astype("string").str.upper()
        mine = sub["student_no"].astype("string").str.upper()
        no_differs = mine.notna() & reg_no.notna() & (mine != reg_no).fillna(False)
        out.append(build(f.index.isin(no_differs[no_differs].index), "registry.mismatch", "student_no",
                         "学籍号“{s}”与学籍库（{reg}）中该身份证号码的学籍号“{r}”不一致：请核实是否为同一学生",
                         f["student_no"], s=f["student_no"], r=reg["student_no"].astype("string"), reg=registry_file))
    names = school_names(schools)

    def canonical(series: pd.Series) -> pd.Series:  # a few schools among many rows: once per name
        codes, uniques = pd.factorize(series)
        known = [names.get(fold_one(u), fold_one(u)) for u in uniques] + [None]
        return pd.Series(np.asarray(known, dtype=object)[codes], index=series.index, dtype="string")

    school_differs = sub["school"].notna() & reg_school.notna() & \
        (canonical(sub["school"]) != canonical(reg_school)).fillna(False)
    out.append(build(f.index.isin(school_differs[school_differs].index), "registry.mismatch", "school",
                     "学籍库登记该生在“{r}”就读，花名册由“{s}”申报：请核实学籍所在学校（同一学校的全称、简称，"
                     "请在 schools.xlsx 的“别名”列登记）", f["school"], s=f["school"], r=reg_school))
    if rules is not None:
        reg_status = reg["v_status"].astype(object)
        written = reg["status"].astype("string")
        left = written.notna() & (reg_status != "enrolled").fillna(True)
        out.append(build(f.index.isin(left[left].index), "status.not_enrolled", "status",
                         "学籍库（{reg}）中该生学籍状态为“{s}”，不是在籍学生：不得发放（花名册填写的学籍状态不能代替学籍库）",
                         f["status"], reg=registry_file, s=written))
    parts = [p for p in out if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else empty()
