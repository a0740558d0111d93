"""What the centre knows of a school: type (中职/普高/学前), ownership (公办/民办) and county.

schools.xlsx is the centre's own register and wins where it knows the school (by 学校代码, then by
name); then what the file itself says; last, words in the school's name (职业 → 中职).
"""

from __future__ import annotations

import re

import pandas as pd

from aidctl.core.text import blank_text, filled, fold_one, missing, per_distinct_rows, whole_numbers
from aidctl.rulebook import Rulebook

ATTRIBUTES = ["v_school_type", "v_ownership", "v_county"]
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


def school_attributes(frame: pd.DataFrame, rules: Rulebook, ws) -> pd.DataFrame:
    """v_school_type, v_ownership, v_county for each row of a frame with the columns school,
    school_code, school_type, ownership, county (absent ones all blank); decided once per distinct
    combination."""
    vocab = rules.vocabulary
    type_of = {fold_one(a).upper(): t for t, words in vocab.school_types.items() for a in [t, *words.aliases]}
    owner_of = {fold_one(a).upper(): o for o, words in vocab.ownership.items() for a in [o, *words]}
    by_code, by_name = {}, {}

    def remember(table: dict, key, attrs: list | None) -> None:
        # a name two schools of the register share (第一中学 in two counties) decides nothing: None
        if key in table and table[key] != attrs:
            table[key] = None
        else:
            table.setdefault(key, attrs)

    if ws.schools is not None:
        rows = ws.schools[["school_code", "school", *ATTRIBUTES]].astype(object)
        for code, name, *attrs in rows.itertuples(index=False, name=None):
            attrs = [None if missing(a) else a for a in attrs]
            if not missing(code):
                by_code.setdefault(code, attrs)  # one 学校代码, one school (Workspace.schools refuses two)
            remember(by_name, name, attrs)
        aliases = ws.schools.get("aliases")
        if aliases is not None:  # a school named by its full name, short name or former name
            for name, more in zip(ws.schools["school"].astype(object), aliases.astype(object)):
                for alias in aliases_of(more):
                    if name in by_name:
                        remember(by_name, alias, by_name[name])

    def decide(school_type, ownership, county, code, name):
        known = by_code.get(code) or by_name.get(name) or [None, None, None]
        written_type = type_of.get(fold_one(school_type).upper()) if school_type else None
        st = known[0] or written_type
        if st is None and name:
            st = next((t for t, words in vocab.school_types.items()
                       if any(k in name for k in words.name_keywords)), None)
        own = known[1] or (owner_of.get(fold_one(ownership).upper()) if ownership else None)
        return st, own, known[2] or county

    columns = ["school_type", "ownership", "county", "school_code", "school"]
    absent = [c for c in columns if c not in frame.columns]
    work = frame.assign(**{c: blank_text(len(frame), frame.index) for c in absent})
    return per_distinct_rows(work, columns, decide, ATTRIBUTES)
