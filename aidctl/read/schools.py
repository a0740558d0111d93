"""What the centre knows of a school: type (中职/普高/学前), ownership (公办/民办) and county.

schools.xlsx is the centre's own register and wins where it knows the school (by 学校代码, then by
name); then what the file itself says; last, words in the school's name (职业 → 中职).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from aidctl.core.text import blank_text, filled, fold_one, missing, per_distinct_rows, whole_numbers
from aidctl.rulebook import Rulebook

ATTRIBUTES = ["v_school_type", "v_ownership", "v_county"]
AMBIGUOUS = "v_school_shared"  # the school's name, where schools.xlsx gives it to schools that differ
CONTRADICTED = "v_school_contradicted"  # what the roster says of its school that schools.xlsx does not
GUESSED = "v_school_type_guessed"  # where the type comes from a word of the school's name: how it was told
ALIAS_SPLIT = re.compile(r"[、，,；;/／\s]+")  # between the names of one 别名 cell


def aliases_of(cell: object) -> list[str]:
    """The names a 别名 cell gives a school (全称, 简称, 曾用名 …), folded."""
    return [fold_one(a) for a in ALIAS_SPLIT.split(cell) if a] if isinstance(cell, str) else []


def counts(cells: pd.Series | None, index: pd.Index) -> tuple[pd.Series, pd.Series]:
    """Each cell's count as a positive whole number (Int64: 1200, 1,200, or 1200.0 as a number cell
    saved it), and the text of each cell that holds something else (-5, 12.5, 0, 约1200): never read
    as a count, never truncated; blank → NA in both."""
    if cells is None:
        return pd.Series(pd.NA, index=index, dtype="Int64"), pd.Series(pd.NA, index=index, dtype="string")
    text = cells.astype("string")
    grouped = text.str.fullmatch(r"\s*\d{1,3}(?:,\d{3})+(?:\.0+)?\s*").fillna(False)
    number, _ = whole_numbers(text.where(~grouped, text.str.replace(",", "", regex=False)))
    number = number.where(number > 0)
    return number, text.where(filled(text) & number.isna())


def school_keys(schools: pd.DataFrame) -> pd.DataFrame:
    """Every name and 别名 of schools.xlsx, folded (`key`), indexed by its school's row: the names
    first, then the 别名 (`alias`: a key that is a school's name is no alias); blank ones left out."""
    aliases = schools["aliases"] if "aliases" in schools else pd.Series(None, index=schools.index)
    names, others = schools["school"].map(fold_one), aliases.astype(object).map(aliases_of).explode()
    keys = pd.DataFrame({"key": pd.concat([names, others]),
                         "alias": np.repeat([False, True], [len(names), len(others)])})
    return keys[(keys["key"].notna() & (keys["key"] != "")).to_numpy()]


def named(schools: pd.DataFrame | None, compared: list[str], kept: list[str] = ()) -> pd.DataFrame:
    """schools.xlsx by every name and 别名 it gives (folded, the index): the `compared` and `kept`
    columns of the school a key names (the first row giving it), `alias` (no school has it as its
    name) and `shared`. A key two rows give (第一中学 in two counties, or 一中 as the 别名 of two
    schools) tells each `compared` column only where those rows agree on it (two 第一中学 that are
    both 中职 are 中职); a column they differ on is None, and the key is `shared`. The one reading of
    a name for every command (the roster's school attributes, the registry's school, the report)."""
    columns = [*compared, *kept]
    if schools is None or schools.empty:
        return pd.DataFrame({**{c: pd.Series(dtype=object) for c in columns}, "alias": pd.Series(dtype=bool),
                             "shared": pd.Series(dtype=bool)}, index=pd.Index([], dtype=object, name="key"))
    keys = school_keys(schools)
    rows = schools.loc[keys.index, columns].astype(object)
    rows = rows.where(rows.notna(), None).set_axis(pd.Index(keys["key"].to_numpy(), name="key"))
    rows["alias"] = keys["alias"].to_numpy()
    told = rows[compared].astype("string").fillna("")
    differ = told.groupby(level="key", sort=False).nunique().gt(1)
    out = rows[~rows.index.duplicated()].copy()[[*columns, "alias"]]
    differ = differ.reindex(out.index, fill_value=False)
    for column in compared:
        out.loc[differ[column].to_numpy(), column] = None
    out["shared"] = differ.any(axis=1).to_numpy()
    return out


# what two schools of one name or 别名 may differ on: a key giving such schools tells none of them
SCHOOL_KEYS = ["school", "school_code", "v_county"]


def registered_schools(ws, names: pd.Series, codes: pd.Series | None = None) -> pd.DataFrame:
    """Each school as every command reads it: schools.xlsx by 学校代码, else by its name or a 别名
    (named, names folded; `ws` the workspace, its schools.xlsx). One row per value of `names` (its index):
    - `school`: the name schools.xlsx registers, else the name as written; NA where blank;
    - `by`: how it was told: "code", "name" or "alias"; else why it names no registered school:
      "shared" (a name or 别名 schools.xlsx gives two schools that differ), "unregistered" (neither
      code nor name nor 别名 is in schools.xlsx), "no_register" (there is no schools.xlsx); NA where
      both name and code are blank;
    - `by_name`: the school its name or 别名 alone gives (NA: none, or shared), where a clash of code
      and name leaves two candidates;
    - `code_unregistered`: a 学校代码 schools.xlsx does not register, the school told by its name."""
    index = names.index
    written = names.astype("string").str.strip().replace("", pd.NA)
    folded = written.map(fold_one, na_action="ignore").astype("string")
    code = codes.astype("string").str.strip().replace("", pd.NA) if codes is not None else \
        pd.Series(pd.NA, index=index, dtype="string")
    given = (written.notna() | code.notna()).to_numpy(dtype=bool)
    none = pd.Series(pd.NA, index=index, dtype="string")
    out = pd.DataFrame({"school": written, "by": none, "by_name": none, "code_unregistered": False})
    schools = ws.schools
    if schools is None:
        out.loc[given, "by"] = "no_register"
        return out
    register = named(schools, SCHOOL_KEYS)
    listed = schools.assign(code=schools["school_code"].astype("string")).dropna(subset=["code"])
    by_code = code.map(listed.drop_duplicates("code").set_index("code")["school"]).astype("string")
    shared = folded.map(register["shared"]).astype("boolean").fillna(False).to_numpy(dtype=bool)
    by_name = folded.map(register["school"]).astype("string").where(~shared)
    alias = folded.map(register["alias"]).astype("boolean").fillna(False).to_numpy(dtype=bool)
    coded = by_code.notna().to_numpy(dtype=bool)
    by_name_only = ~coded & by_name.notna().to_numpy(dtype=bool)
    out["school"] = by_code.fillna(by_name).fillna(written)
    out["by_name"] = by_name
    out["by"] = pd.Series(np.select([coded, by_name_only & alias, by_name_only, given & shared, given],
                                    ["code", "alias", "name", "shared", "unregistered"], None),
                          index=index, dtype="string")
    out["code_unregistered"] = code.notna().to_numpy(dtype=bool) & by_name_only
    return out


def unregistered_note(resolved: pd.DataFrame, places: pd.Series, source: str, unit: str,
                      kept: str) -> str | None:
    """What `registered_schools` could not tell, said aloud: the rows (`places`, as a reader finds
    them) whose school is no school of schools.xlsx, or one of several, and what was done (`kept`)."""
    said = []
    for by, why in (("unregistered", "不在 schools.xlsx 中（学校代码、学校名称和别名都没有登记）"),
                    ("shared", "在 schools.xlsx 中是不止一所学校的名称或别名，无法确定是哪一所")):
        hit = (resolved["by"] == by).fillna(False).to_numpy(dtype=bool)
        if hit.any():
            shown = [f"{p}“{s}”" for p, s in zip(places[hit].iloc[:10], resolved["school"][hit].iloc[:10])]
            said.append(f"{source}中 {int(hit.sum())} {unit}的学校{why}：{'、'.join(shown)}{'等' if hit.sum() > 10 else ''}")
    if not said:
        return None
    return "；".join(said) + f"：{kept}；请核对学校名称或代码，或在 schools.xlsx 中登记该校（名称或别名）"


def school_attributes(frame: pd.DataFrame, rules: Rulebook, ws, source: str = "花名册",
                      guessed: bool = False, schools: pd.DataFrame | None = None) -> pd.DataFrame:
    """v_school_type, v_ownership, v_county for each row of a frame with the columns school,
    school_code, school_type, ownership, county (absent ones all blank); decided once per distinct
    combination. Beside them, for the notes: AMBIGUOUS, CONTRADICTED (what `source`, the document
    read, says against schools.xlsx) and, with `guessed`, GUESSED (the type taken from a word of the
    name, and what the document wrote of the type, if anything). `schools` stands for ws.schools
    where the caller has read its codes otherwise (a 学校代码 that lost its leading zeros)."""
    vocab = rules.vocabulary
    type_of = {fold_one(a).upper(): t for t, words in vocab.school_types.items() for a in [t, *words.aliases]}
    owner_of = {fold_one(a).upper(): o for o, words in vocab.ownership.items() for a in [o, *words]}
    schools = ws.schools if schools is None else schools
    by_code: dict = {}
    if schools is not None and "school_code" in schools:
        rows = schools[["school_code", *ATTRIBUTES]].astype(object)
        for code, *attrs in rows.itertuples(index=False, name=None):
            if not missing(code):  # one 学校代码, one school (Workspace.schools refuses two)
                by_code.setdefault(code, [None if missing(a) else a for a in attrs])
    register = named(schools, ATTRIBUTES)
    by_name = dict(zip(register.index, register[ATTRIBUTES].to_numpy().tolist()))
    shared = set(register.index[register["shared"]])

    def decide(school_type, ownership, county, code, name):
        known = by_code.get(code)
        ambiguous = known is None and fold_one(name) in shared
        known = known or by_name.get(fold_one(name)) or [None, None, None]
        written_type = type_of.get(fold_one(school_type).upper()) if school_type else None
        st = known[0] or written_type
        guessed = None
        if st is None and name:
            st, word = next(((t, k) for t, words in vocab.school_types.items()
                             for k in words.name_keywords if k in name), (None, None))
            if st:
                written = f"{source}中为“{school_type}”，不是可识别的学校类型" if school_type else f"{source}中未填"
                guessed = f"{name}：按校名中的“{word}”推定为{st}（{written}）"
        written_own = owner_of.get(fold_one(ownership).upper()) if ownership else None
        own = known[1] or written_own
        said = [(title, written, kept) for title, written, kept in
                (("学校类型", written_type, known[0]), ("办学性质", written_own, known[1]),
                 ("所属县区", fold_one(county) if county else None, fold_one(known[2]) if known[2] else None))
                if written and kept and written != kept]
        contradicted = "；".join(f"{t}{source}为“{w}”，schools.xlsx 为“{k}”" for t, w, k in said) if said else None
        return st, own, known[2] or county, name if ambiguous else None, \
            f"{name or code}（{contradicted}）" if contradicted else None, guessed

    columns = ["school_type", "ownership", "county", "school_code", "school"]
    absent = [c for c in columns if c not in frame.columns]
    work = frame.assign(**{c: blank_text(len(frame), frame.index) for c in absent})
    out = per_distinct_rows(work, columns, decide, [*ATTRIBUTES, AMBIGUOUS, CONTRADICTED, GUESSED])
    return out if guessed else out.drop(columns=GUESSED)


def _listed(frame: pd.DataFrame, column: str, quote: bool = False) -> tuple[pd.Series, str] | None:
    """The values of `column` given (None without any) and the first ten of them, as a note shows them."""
    if column not in frame:
        return None
    given = frame[column].dropna()
    if given.empty:
        return None
    first = [f"“{v}”" if quote else v for v in given.unique()[:10]]
    return given, ("、" if quote else "；").join(first) + ("等" if given.nunique() > 10 else "")


def contradicted_note(frame: pd.DataFrame, source: str = "花名册", unit: str = "条", record: str = "记录") -> str | None:
    """The records whose roster (`source`) says of its school another type, ownership or county
    than schools.xlsx, said aloud: the register is followed, and the two cannot both be right (a
    school named wrongly, a register out of date)."""
    if (listed := _listed(frame, CONTRADICTED)) is None:
        return None
    said, shown = listed
    return (f"{len(said)} {unit}{record}的{source}所填学校信息与 schools.xlsx 登记的不同，已按 schools.xlsx 判断：{shown}；"
            f"请核对{source}的学校名称或代码是否填错，或更新 schools.xlsx")


def shared_note(frame: pd.DataFrame, source: str = "花名册", unit: str = "条", record: str = "记录") -> str | None:
    """The records whose school schools.xlsx cannot tell (AMBIGUOUS), said aloud: what the schools
    of that name differ on comes from the roster (`source`) itself, or from nothing."""
    if (listed := _listed(frame, AMBIGUOUS, quote=True)) is None:
        return None
    names, shown = listed
    return (f"{len(names)} {unit}{record}的学校 {shown} 在 schools.xlsx 中是不止一所学校的名称或别名，这些学校的类型、办学性质或县区"
            f"不同，{record}又没有 schools.xlsx 中登记的学校代码：无法确定是哪一所，不同之处只按{source}所填（及校名）判断，"
            f"未填的为不明；请在{source}中填写学校代码，或在 schools.xlsx 中区分这些学校的名称")


def guessed_note(frame: pd.DataFrame, what: str) -> str | None:
    """The schools whose type neither schools.xlsx nor the document gave, but a word of the name
    (GUESSED), said aloud with what `what` rests on that type (the rate of extraction)."""
    if (listed := _listed(frame, GUESSED)) is None:
        return None
    told, shown = listed
    return (f"{told.nunique()} 所学校的学校类型 schools.xlsx 中没有登记、表中也没有读出，是按校名推定的，{what}按推定的类型："
            f"{shown}；请在 schools.xlsx 中登记这些学校的学校类型")
