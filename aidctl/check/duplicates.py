"""id.duplicate: one person claimed twice for one programme, or by two schools (重复享受/虚报冒领).

A school is told as every command tells it (read.registered_schools: schools.xlsx by 学校代码, else by
name or 别名, names folded: 一职中 is 第一职业中学 where schools.xlsx gives it as its 别名, and
“第一 职业中学” is 第一职业中学). One school's two rosters under its name and its 别名 are one school:
its 助学金 and 免学费 of one student are no duplicate, the same programme twice is one, and the
message says it is one school's files. Two names schools.xlsx cannot tell for one school (one not in
it, or one it gives two schools) stay two schools, and the message says why and how to tell them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aidctl.core.findings import build, empty, group_places
from aidctl.core.text import fold_one
from aidctl.read import Roster
from aidctl.rulebook import Rulebook

# how registered_schools said it could not tell a school (`by`), as the message says it
UNTOLD = {"unregistered": "不在 schools.xlsx 中", "shared": "在 schools.xlsx 中是不止一所学校的名称或别名"}


def check(roster: Roster, rules: Rulebook, ws=None) -> pd.DataFrame:
    """id.duplicate findings; `ws` (the workspace) tells the schools by its schools.xlsx, without it
    they are told by their names as written, folded."""
    f = roster.frame
    repeated = f["person"].notna().to_numpy() & f["person"].duplicated(keep=False).to_numpy()
    if not repeated.any():
        return empty()
    sub = f[repeated]
    school = schools(sub, ws)
    found = _duplicates(sub, school["key"].to_numpy())
    dup = np.zeros(len(f), dtype=bool)
    dup[np.flatnonzero(repeated)[found]] = True
    return _findings(roster, f, dup, school[found])


def schools(sub: pd.DataFrame, ws=None) -> pd.DataFrame:
    """Each record's school, told once per distinct name and 学校代码 written: `key` (a number, -1 where
    none is named), `school` (the name schools.xlsx registers, else as written), `written` (the name
    on the roster) and `by` (registered_schools' word; NA without `ws`)."""
    at, told = told_schools(sub, ws)
    out = {c: told[c].to_numpy()[at] for c in told.columns if c != "written"}
    return pd.DataFrame({**out, "written": sub["school"].astype("string").to_numpy(dtype=object)},
                        index=sub.index)[["key", "school", "code", "written", "by", "spelling", "renamed"]]


def told_schools(sub: pd.DataFrame, ws=None) -> tuple[np.ndarray, pd.DataFrame]:
    """schools() as each distinct (name, 学校代码) written tells it, and each record's position among
    them: what a caller needing a column or two for a whole term's records expands itself (500,000
    rows of seven columns would hold some 100 MB more at validate's peak)."""
    from aidctl.read import registered_schools

    names = sub["school"].astype("string")
    codes = sub["school_code"].astype("string") if "school_code" in sub.columns else \
        pd.Series(pd.NA, index=sub.index, dtype="string")
    at = pd.DataFrame({"n": names, "c": codes}).groupby(["n", "c"], dropna=False, sort=False).ngroup().to_numpy()
    first = pd.Series(np.arange(len(at))).groupby(at).first().to_numpy()
    distinct_names = names.iloc[first].reset_index(drop=True)
    folded_written = distinct_names.map(fold_one, na_action="ignore").astype("string")
    if ws is not None:
        distinct_codes = codes.iloc[first].reset_index(drop=True)
        told = registered_schools(ws, distinct_names, distinct_codes)
        resolved, by = told["school"].astype("string"), told["by"].astype("string")
        identity = _identity(ws, resolved, by, distinct_codes)
    else:
        resolved, by = distinct_names, pd.Series(pd.NA, index=distinct_names.index, dtype="string")
        identity = "=" + folded_written
    identity = identity.where(resolved.notna() & (identity != "="), None)
    key, _ = pd.factorize(identity)   # -1 where no school is named
    shown = pd.Series(resolved.to_numpy(dtype=object)).groupby(key).first()   # a key's name, as first met
    name = pd.Series(key).map(shown).where(key >= 0)
    code = identity.where(identity.str.startswith("#", na=False)).str[1:]   # the 学校代码 it is told by
    spelling, _ = pd.factorize(folded_written)
    renamed = (resolved.notna() & (folded_written.isna()
                                   | (folded_written != resolved.map(fold_one, na_action="ignore").astype("string"))))
    return at, pd.DataFrame({"key": key, "school": name.to_numpy(dtype=object), "code": code.to_numpy(dtype=object),
                             "written": distinct_names.to_numpy(dtype=object), "by": by.to_numpy(dtype=object),
                             "spelling": spelling, "renamed": renamed.fillna(False).to_numpy(dtype=bool)})


def _identity(ws, resolved: pd.Series, by: pd.Series, codes: pd.Series) -> pd.Series:
    """Which school each told school is: its 学校代码 in schools.xlsx (told by the code, or by a name or
    别名 that names one row of it: two 第一中学 of two counties are two schools, told apart by their
    codes), else the name schools.xlsx registers, else the name as written, folded."""
    from aidctl.read import SCHOOL_KEYS, named

    register = named(ws.schools, SCHOOL_KEYS)
    name = resolved.map(fold_one, na_action="ignore").astype("string")
    registered_code = name.map(register["school_code"].astype("string")).where(by.isin(["name", "alias"]))
    told = codes.astype("string").str.strip().where((by == "code").fillna(False)).astype(object)
    code = told.where(told.notna(), registered_code.astype(object)).astype("string")
    return ("#" + code).astype(object).where(code.notna(), ("=" + name).astype(object))


def _duplicates(f: pd.DataFrame, school: np.ndarray) -> np.ndarray:
    """Among records of people who stand more than once: same programme twice, or two schools
    (`school`: each record's, as schools() tells it)."""
    who, _ = pd.factorize(f["person"])
    programme = f["programme_name"].astype(object).fillna(f["programme"].astype(object))
    prog, prog_names = pd.factorize(programme)
    known = who >= 0
    key = who.astype(np.int64) * (len(prog_names) + 1) + (prog + 1)
    same_programme = known & pd.Series(key).duplicated(keep=False).to_numpy()
    named = known & (school >= 0)  # a roster that names no school is no evidence of a second school
    pairs = pd.DataFrame({"who": who[named], "school": school[named]}).drop_duplicates()
    per_person = pairs.groupby("who").size()
    two_schools = known & pd.Series(who).map(per_person).gt(1).to_numpy()
    return same_programme | two_schools


def _findings(roster: Roster, f: pd.DataFrame, dup: np.ndarray, school: pd.DataFrame) -> pd.DataFrame:
    """One finding per record, so that every record of a group is refused; each names the group once:
    how many times the student stands, the group's first places (file, sheet, row, school, programme),
    the rest counted, and why: two schools, or one school's programme twice (its files named as one
    school's, whatever name or 别名 each was written under)."""
    sub = f[dup]
    programme = sub["programme_name"].astype(object).fillna(sub["programme"].astype(object))
    place = (places(roster, sub) + "（" + _school_shown(school) + "，"
             + programme.astype("string").fillna("项目不明") + "）")
    group = group_places(sub["person"], place)
    why = _why(roster, sub, school)
    return build(dup, "id.duplicate", "id_number",
                 "同一学生（身份证号码“{id}”）在本次检查的花名册中出现{n}次：{places}。{why}",
                 f["id_number"], id=sub["person"], n=sub["person"].map(group["count"]),
                 places=sub["person"].map(group["places"]), why=sub["person"].map(why))


def _school_shown(school: pd.DataFrame) -> pd.Series:
    """A record's school as its place shows it: the name schools.xlsx registers, and the name the
    roster wrote where that is another (a 别名, a 学校代码's school)."""
    name = school["school"].astype("string")
    written = school["written"].astype("string")
    other = school["renamed"].to_numpy(dtype=bool)
    shown = name.fillna("学校不明")
    return shown.where(~other, shown + "，" + ("填报为“" + written + "”").fillna("按学校代码"))


def _why(roster: Roster, sub: pd.DataFrame, school: pd.DataFrame) -> pd.Series:
    """For each person (the index) of `sub`, the records flagged: why they are a duplicate and what to
    do — two schools (named, and why schools.xlsx did not tell them for one where it could not), or
    one school's (or no school's) programme twice, its files named as one school's."""
    files = pd.Series([t.file for t in roster.tables], dtype=object)
    g = pd.DataFrame({"who": sub["person"].to_numpy(dtype=object), "key": school["key"].to_numpy(),
                      "school": school["school"].to_numpy(dtype=object), "by": school["by"].to_numpy(dtype=object),
                      "written": school["written"].to_numpy(dtype=object), "code": school["code"].to_numpy(dtype=object),
                      "spelling": school["spelling"].to_numpy(),
                      "file": files.to_numpy()[sub["table"].to_numpy()]})
    named = g[g["key"].to_numpy() >= 0]
    distinct = named.drop_duplicates(["who", "key"])
    n_schools = distinct.groupby("who").size()
    label = distinct["school"].astype("string")
    alike = distinct.duplicated(["who", "school"], keep=False).to_numpy() & distinct["code"].notna().to_numpy()
    label[alike] = label[alike] + "（学校代码" + distinct["code"][alike].astype("string") + "）"   # two of one name
    listed = _joined(distinct["who"], label)
    untold = named[named["by"].isin(list(UNTOLD)).to_numpy()].drop_duplicates(["who", "written"])
    doubt = _joined(untold["who"], "“" + untold["written"].astype("string") + "”" + untold["by"].map(UNTOLD).astype("string"))
    per = pd.DataFrame(index=pd.Index(g["who"].unique()))
    per["schools"] = n_schools.reindex(per.index).fillna(0).astype("int64")
    per["files"] = g.groupby("who")["file"].nunique().reindex(per.index)
    per["one"] = named.drop_duplicates("who").set_index("who")["school"].reindex(per.index).astype("string")
    per["unnamed"] = g.groupby("who").size().sub(named.groupby("who").size(), fill_value=0).reindex(per.index)
    two = per["schools"].to_numpy() >= 2
    doubted = doubt.reindex(per.index).astype("string")
    out = pd.Series("同一学生同一项目只能享受一次：请核实学籍后只保留一处", index=per.index, dtype="string")
    one_school = (~two) & per["one"].notna().to_numpy() & (per["files"].to_numpy() >= 2) & (per["unnamed"].to_numpy() == 0)
    variants = named.groupby("who")["spelling"].nunique()
    spelt = variants.reindex(per.index).fillna(0).to_numpy() > 1
    alike = pd.Series("", index=per.index, dtype="string").where(~spelt, "；各文件写法不同的学校名称，按 schools.xlsx "
                                                                "的学校代码、名称和别名是同一所学校")
    out[one_school] = ("这些记录都在" + per["one"][one_school] + "一所学校的" + per["files"][one_school].astype("string")
                       + "个文件中（不是两所学校" + alike[one_school] + "）：同一学生同一项目只能享受一次，请核实后只保留一处")
    both = "这些记录分属" + per["schools"].astype("string") + "所学校（" + listed.reindex(per.index).astype("string") + "）"
    out[two] = both[two] + "：同一学生不能由两所学校申报，请核实学籍后只保留一处"
    no_register = pd.Series(pd.NA, index=per.index, dtype="string")
    no_register[per.index.isin(named.loc[(named["by"] == "no_register").to_numpy(), "who"])] = \
        "工作目录中没有 schools.xlsx，不能核对这些名称是否为同一所学校"
    doubted = no_register.fillna("其中" + doubted + "，不能确定是否为同一所学校")
    unsure = two & doubted.notna().to_numpy()
    out[unsure] = (both[unsure] + "，" + doubted[unsure] + "，按两所学校处理：同一学生不能由两所学校申报，请核实学籍后只保留一处；"
                   "如确为同一所学校，请在 schools.xlsx 中登记该校及其别名（或在花名册中填写学校代码）后重新审核")
    return out


def _joined(group: pd.Series, text: pd.Series, shown: int = 5) -> pd.Series:
    """Each group's first `shown` texts joined by "；" ("等 n 个" after them where there are more),
    indexed by group: joined column by column (a group has a few schools), not a Python join a group."""
    frame = pd.DataFrame({"group": group.to_numpy(dtype=object), "text": text.astype("string").to_numpy()})
    nth = frame.groupby("group", sort=False).cumcount().to_numpy()
    count = frame.groupby("group", sort=False).size()
    out = frame[nth == 0].set_index("group")["text"].reindex(count.index)
    for i in range(1, shown):
        out = out + ("；" + frame[nth == i].set_index("group")["text"].reindex(count.index)).fillna("")
    more = (count > shown).to_numpy()
    out[more] = out[more] + "等" + count[more].astype("string") + "个"
    return out


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
