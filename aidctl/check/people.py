"""Who the student is: name, resident ID (GB 11643-1999), gender and age against the ID."""

from __future__ import annotations

import numpy as np
import pandas as pd

from aidctl.core.findings import WARNING, build, empty, malformed_number
from aidctl.core.text import fold_one, per_distinct
from aidctl.read import Roster
from aidctl.rulebook import Rulebook


def check(roster: Roster, rules: Rulebook) -> pd.DataFrame:
    f = roster.frame
    out = identity_findings(f, has_name=roster.present("name"), has_id=roster.present("id_number"),
                            reference=str(rules.term_start(roster.term)))
    male = f["id18"].str.slice(16, 17).isin(list("13579"))
    said = f["v_gender"]
    mismatch = f["id_valid"] & said.notna() & ((said == "男") != male)
    out.append(build(mismatch, "gender.mismatch", "gender",
                     "性别填“{g}”，身份证号码第17位表示“{id_g}”：请核对性别或身份证号码", f["gender"],
                     g=f["gender"], id_g=male.map({True: "男", False: "女"})))
    # a 性别 no word of rules/vocabulary.yaml gender reads (男生 before it was listed, 0, 未知) is never
    # taken for a blank: said, and not compared with the ID
    words = "或".join(f"“{w}”" for w in rules.vocabulary.gender)
    out.append(build(f["gender"].notna() & said.isna(), "gender.unread", "gender",
                     "性别“{g}”无法识别，没有与身份证号码核对：请填写" + words, f["gender"], g=f["gender"]))
    out.append(_ages(roster, rules))
    out.append(invalid_names(f, rules.vocabulary.names.joiners))
    out.append(_birth_dates(roster))
    out.append(_ambiguous_grades(roster, rules))
    parts = [p for p in out if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else empty()


# What no name can hold and a bank file must not carry: C0/C1 control characters (NUL, ESC, line
# breaks …), and the invisible format characters that reorder or hide text (bidirectional overrides,
# zero-width characters, BOM). They are found as characters outside a name's (below), and named as
# such (_what_is_wrong).
# A leading = + - @ makes a spreadsheet (the bank's xlsx file, the audit workbook opened by a clerk, a
# CSV export) read the cell as a formula: OWASP, "CSV Injection".
_FORMULA_START = "=+-@"
_CONTROL_NAMES = {0x00: "NUL", 0x07: "BEL", 0x08: "BS", 0x09: "TAB", 0x0A: "LF", 0x0D: "CR", 0x1B: "ESC",
                  0x7F: "DEL", 0x200B: "零宽空格", 0x202E: "从右至左强制", 0xFEFF: "BOM"}


# What a name is made of: hanzi (RE2's Han script: the CJK blocks, 〇, 々), or for a foreign student
# Latin letters alone (with their accents, and the spaces between words where a name keeps them); and
# between its parts the joiners of rules/vocabulary.yaml (names.joiners: ·, -, ' …). Anything else (a
# digit, a bracket, a slash, punctuation, another script's letter, a symbol) or a Latin letter beside
# hanzi is a note or a second student in the cell, not a name (王五（补）, 赵六2, 刘一/刘二, 吴十A).
_HAN = r"\p{Han}"
_LATIN = r"\p{Latin}\p{M} "


def _joiner_class(joiners: list[str]) -> str:
    """The joiners (folded as the names are) as RE2 class members."""
    return "".join(f"\\x{{{ord(c):x}}}" for c in dict.fromkeys(fold_one(j) for j in joiners) if len(c) == 1)


def invalid_names(f: pd.DataFrame, joiners: list[str]) -> pd.DataFrame:
    """name.invalid: a name holding a control or invisible format character, or starting with a
    character that makes a spreadsheet read it as a formula; or holding a character no name on a
    resident ID card holds (a digit, a bracket, a slash, punctuation: a note, or two students in one
    cell), or a Latin letter beside hanzi. `joiners` (rules/vocabulary.yaml names.joiners) may stand
    between a name's parts. The message names the character(s)."""
    import pyarrow.compute as pc

    from aidctl.core.text import arrow_text

    names = arrow_text(f["name"])
    joined = _joiner_class(joiners)
    odd = pc.fill_null(pc.match_substring_regex(names, "^[" + "".join("\\" + c for c in _FORMULA_START) + "]"),
                       False).to_numpy(zero_copy_only=False).copy()
    # one pass over every name: a name of hanzi and joiners alone (nearly all) is a name; the few others
    # (a control character, a note, a Latin name) are looked at again
    rest = np.flatnonzero(pc.fill_null(pc.match_substring_regex(names, f"[^{_HAN}{joined}]"), False)
                          .to_numpy(zero_copy_only=False))
    if len(rest):
        others = names.take(rest)
        odd[rest] |= pc.fill_null(pc.or_(pc.match_substring_regex(others, _HAN),  # beside hanzi: a note
                                         pc.match_substring_regex(others, f"[^{_LATIN}{joined}]")),
                                  False).to_numpy(zero_copy_only=False)
    if not odd.any():
        return empty()
    flagged = f["name"].where(odd)
    kinds = _kinds(flagged.dropna().unique(), joined)
    why = per_distinct(flagged, lambda name: _what_is_wrong(name, kinds))
    return build(odd, "name.invalid", "name", "姓名“{v}”{why}",
                 f["name"], v=flagged.map(_shown, na_action="ignore"), why=why)


def _kinds(names, joined: str) -> dict[str, tuple[bool, bool, bool, bool]]:
    """For each character of `names`: (hanzi, Latin letter, fits a name of hanzi, fits a Latin name),
    by the classes the column is judged by (Arrow's regex engine), all characters in one array."""
    import pyarrow as pa
    import pyarrow.compute as pc

    chars = pa.array(sorted({c for n in names for c in n}), pa.large_string())
    tests = [f"^{_HAN}$", r"^\p{Latin}$", f"^[{_HAN}{joined}]$", f"^[{_LATIN}{joined}]$"]
    flags = [pc.match_substring_regex(chars, t).to_pylist() for t in tests]
    return {c: tuple(f[i] for f in flags) for i, c in enumerate(chars.to_pylist())}


_NOT_A_NAME = ("：身份证上的姓名只有汉字（少数民族姓名各部分之间用间隔点“·”）或外籍学生的拉丁字母姓名，没有数字、括号、"
               "斜杠、标点或其他符号。补报、代领、监护人等说明请写在“备注”列；一格只填一名学生，两名学生请分两行填写。"
               "请更正后重新报送")


def _what_is_wrong(name: str, kinds: dict[str, tuple[bool, bool, bool, bool]]) -> str | None:
    """Why `name` is no name, for the message; `kinds` classes its characters (_kinds)."""
    import re

    for ch in name:
        cp = ord(ch)
        if cp < 0x20 or 0x7F <= cp <= 0x9F or re.match(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]",
                                                     ch):
            label = _CONTROL_NAMES.get(cp, "控制字符")
            return f"含有控制字符 {label}（U+{cp:04X}）：银行文件不能写入，请更正后重新报送"
    if name[:1] in _FORMULA_START:
        return f"以“{name[0]}”开头，电子表格会把它当作公式：银行文件不能写入，请更正后重新报送"
    chars = list(dict.fromkeys(name))
    if any(kinds[c][0] for c in chars):   # a name of hanzi: a Latin letter in it is a note
        letters = [c for c in chars if not kinds[c][2] and kinds[c][1]]
        others = [c for c in chars if not kinds[c][2] and not kinds[c][1]]
    else:
        letters, others = [], [c for c in chars if not kinds[c][3]]
    said = []
    if others:
        said.append("含有" + "".join(f"“{c}”" for c in others))
    if letters:
        said.append("在汉字中夹有拉丁字母" + "".join(f"“{c}”" for c in letters))
    return "，".join(said) + _NOT_A_NAME if said else None


def _shown(name: str) -> str:
    """The name as a message can show it: each control character as <U+XXXX>."""
    import re

    return re.sub(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]",
                  lambda m: f"<U+{ord(m.group()):04X}>", name)


def identity_findings(f: pd.DataFrame, *, has_name: pd.Series, has_id: pd.Series,
                      reference: str | pd.Series, reference_label: str = "开学日",
                      who: str = "学生") -> list[pd.DataFrame]:
    """name.missing and the resident-ID findings (id.missing, id.precision_lost, id.format, id.legacy,
    id.checksum, id.birthdate) for any frame holding `name`, `id_number` and the columns of
    identity.resident_ids. `has_name`/`has_id` say which records' tables have the column; a birth
    date after `reference` (text, or a Series per record) is named as “晚于{reference_label}”."""
    ids = f["id_number"]
    out = [
        build(f["name"].isna() & has_name, "name.missing", "name", f"姓名为空：请补填{who}姓名"),
        build(ids.isna() & has_id, "id.missing", "id_number", f"身份证号码为空：请补填{who}的18位身份证号码"),
    ]
    lost = f["id_digits_lost"]
    out.append(build(lost, "id.precision_lost", "id_number",
                     "身份证号码以数字格式保存，Excel 只保留15位有效数字，末几位已丢失（现为“{v}”）："
                     "请把该列设为“文本”格式，照原件重新录入", ids, v=ids))
    checkable = ids.notna() & ~lost
    malformed = (checkable & f["id18"].isna()).to_numpy(dtype=bool)
    out += malformed_number(malformed, "id.format", "id_number", ids,
                            "身份证号码", "“{v}”不是18位（17位数字加校验位数字或X），共{n}位：请核对原件后更正",
                            "号码只填身份证上的18位（17位数字加校验位数字或X），说明请写在“备注”列", n=ids.str.len())
    out.append(build(checkable & f["id_legacy"], "id.legacy", "id_number",
                     f"15位旧身份证号码“{{v}}”，已按国标升位为“{{new}}”核对：请收集{who}的18位新号码",
                     ids, v=ids, new=f["id18"]))
    wrong_check = checkable & f["id18"].notna() & ~f["id_checksum_ok"] & ~f["id_legacy"]
    out.append(build(wrong_check, "id.checksum", "id_number",
                     "身份证号码“{v}”校验位错误（按前17位应为“{c}”）：号码有误，请核对身份证原件后更正",
                     ids, v=ids, c=f["id_expected_check"]))
    # the message names what is wrong with the birth date, never its digits: beside an ID masked in a
    # workbook (420124********4356: the eight hidden are the birth date) they would give the whole number
    bad_birth = checkable & f["id_checksum_ok"] & ~f["birth_ok"]
    out.append(build(bad_birth, "id.birthdate", "id_number", "身份证号码“{v}”中的出生日期{why}：请核对身份证原件后更正",
                     ids, v=ids, why=_birth_wrong(f["birth_date"], bad_birth, reference, reference_label)))
    return out


def _birth_wrong(born: pd.Series, flagged: pd.Series, reference: str | pd.Series, label: str) -> pd.Series:
    """Why each flagged ID's birth date is wrong, in words without its digits: no real date, before
    1900, or after `reference` (text, or a Series per record)."""
    rows = flagged[flagged.fillna(False)].index
    start = reference.reindex(rows) if isinstance(reference, pd.Series) else pd.Series(reference, index=rows)
    date = born.reindex(rows)
    why = ("晚于" + label + "（" + start.astype("string") + "）").astype(object)
    why[date.isna()] = "不是真实存在的日期"
    why[date.notna() & (date.dt.year < 1900)] = "早于1900年"
    return why


def _ages(roster: Roster, rules: Rulebook) -> pd.DataFrame:
    f = roster.frame
    ranges = rules.ages.by_school_type
    school_type = f["v_school_type"]
    kind, kinds = pd.factorize(school_type)  # a few school types: look each up once
    low = pd.Series(np.array([ranges[k].min if k in ranges else np.nan for k in kinds] + [np.nan])[kind],
                    index=f.index)
    high = pd.Series(np.array([ranges[k].max if k in ranges else np.nan for k in kinds] + [np.nan])[kind],
                     index=f.index)
    age = f["age"].astype("float64")
    outside = f["age"].notna() & low.notna() & ((age < low) | (age > high))
    # the message says which side of the range, never the age: beside an ID masked over its birth date
    # (420124********4356) the age at term start gives the birth year back to two years; the finding's
    # cell is the ID, as for the id.* findings (masked in every workbook), not the age
    side = pd.Series(np.where(age < low, "低于", "高于"), index=f.index)
    return build(outside.fillna(False), "age.out_of_range", "id_number",
                 "开学时年龄{side}{t}学生的合理范围（{lo}—{hi}周岁）：请核实是否在校就读（高年龄受助学生须重点核查）",
                 f["id_number"], side=side, t=school_type, lo=low.astype("Int64"), hi=high.astype("Int64"))


# 出生日期 as written: 1995-03-12, 1995/3/12, 1995.3.12, 1995年3月12日, 19950312, a date cell
# (1995-03-12 00:00:00); 出生年月 without the day: 1995-03, 1995.3, 1995年3月, 199503
_BIRTH = (r"^(?P<y>(?:19|20)\d{2})(?:[-/.年](?P<m1>\d{1,2})(?:[-/.月](?P<d1>\d{1,2})日?)?月?"
          r"|(?P<m2>\d{2})(?P<d2>\d{2})?)(?:T?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")


def _birth_dates(roster: Roster) -> pd.DataFrame:
    """birthdate.mismatch: the 出生日期 column against the birth date in a valid ID (to the month
    where only 出生年月 is written); a value that is no date is named too. The messages quote neither
    date: beside an ID masked in a workbook the ID's birth date is the eight characters hidden, and the
    written one is most often it with a slip (1995-03-21 for 19950312), or it in a form not read
    (95.3.12). They say which part differs; the cell stays in the finding's value."""
    f = roster.frame
    written = f["date_of_birth"]
    checkable = (written.notna() & f["id_valid"]).to_numpy()
    if not checkable.any():
        return empty()
    sub = written[checkable]
    parts = sub.str.extract(_BIRTH)
    year = pd.to_numeric(parts["y"], errors="coerce")
    month = pd.to_numeric(parts["m1"].fillna(parts["m2"]), errors="coerce")
    day = pd.to_numeric(parts["d1"].fillna(parts["d2"]), errors="coerce")
    born = f.loc[checkable, "id18"].str.slice(6, 14)
    id_year = pd.to_numeric(born.str.slice(0, 4))
    id_month = pd.to_numeric(born.str.slice(4, 6))
    id_day = pd.to_numeric(born.str.slice(6, 8))
    unreadable = year.isna() | month.isna() | ~month.between(1, 12) | (day.notna() & ~day.between(1, 31))
    year_differs, month_differs = (year != id_year), (month != id_month)
    day_differs = day.notna() & (day != id_day)
    differs = ~unreadable & (year_differs | month_differs | day_differs)
    idx = np.flatnonzero(checkable)
    hit = differs.to_numpy(dtype=bool)
    which = pd.Series(pd.NA, index=f.index, dtype=object)   # 年份、月份 … : the few that differ, in words
    which.iloc[idx[hit]] = ["、".join(w for w, d in zip(("年份", "月份", "日"), flags) if d)
                            for flags in zip(*(part.fillna(False).to_numpy(dtype=bool)[hit]
                                               for part in (year_differs, month_differs, day_differs)))]
    out = []
    flagged = np.zeros(len(f), dtype=bool)
    flagged[idx[hit]] = True
    out.append(build(flagged, "birthdate.mismatch", "date_of_birth",
                     "出生日期与身份证号码中的出生日期不符（{which}不同）：请核对出生日期或身份证号码", written,
                     which=which))
    bad = np.zeros(len(f), dtype=bool)
    bad[idx[unreadable.to_numpy(dtype=bool)]] = True
    out.append(build(bad, "birthdate.mismatch", "date_of_birth",
                     "出生日期无法识别为日期：请按 2011-09-01 的格式填写身份证上的出生日期", written))
    parts = [p for p in out if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else empty()


def _ambiguous_grades(roster: Roster, rules: Rulebook) -> pd.DataFrame:
    """grade.ambiguous: a 年级 written as a year with a suffix whose meaning the rules leave undecided
    (2011届: rules/vocabulary.yaml grades.class_of_suffixes, class_of_means: undecided), from which no
    year of study is read (read.roster._grades). An error where the record's programme in force reads
    the grade (or the programme is not known); a warning, paid, where it does not (学前教育资助)."""
    f = roster.frame
    suffix = f["grade_class_of"]
    flagged = suffix.notna().to_numpy()
    if not flagged.any():
        return empty()
    reads = {}
    for name in rules.programmes.programmes:
        period = rules.period_in_force(name, roster.term)
        reads[name] = period is None or any("grade" in c.fields() for c in period.conditions) \
            or (period.amount.tiers is not None and period.amount.tiers.field == "grade")
    decides = f["programme_name"].astype(object).map(reads).fillna(True).astype(bool).to_numpy()
    year = per_distinct(f["grade"].where(flagged), _year_of)
    cohorts = rules.vocabulary.grades.cohort_suffixes
    said = ("年级“{v}”读不出是几年级：“{s}”有的学校按毕业年份称呼（“{v}”即{y}年毕业的一届），有的按入学年份，"
            "两种读法得出的年级不同")
    ask = "请学校写明入学年级" + (f"（入学年份加“{cohorts[0]}”）" if cohorts else "") + "或“一年级”“二年级”等"
    out = [build(flagged & decides, "grade.ambiguous", "grade",
                 said + "，而年级决定是否符合资助条件：不予发放，" + ask + "后重新报送", f["grade"],
                 v=f["grade"], s=suffix, y=year)]
    light = build(flagged & ~decides, "grade.ambiguous", "grade",
                  said + "；该项目不按年级审核，照常发放：" + ask, f["grade"], v=f["grade"], s=suffix, y=year)
    if len(light):
        light["severity"] = WARNING
    out.append(light)
    parts = [p for p in out if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else empty()


def _year_of(grade: str) -> str:
    """The year a grade such as 2011届 or 11届 is written with, in four digits (2011)."""
    import re

    from aidctl.read import TWO_DIGIT_YEARS_FROM

    m = re.match(r"\d+", fold_one(grade))
    if m is None:
        return fold_one(grade)
    return str(int(m.group()) + (TWO_DIGIT_YEARS_FROM if len(m.group()) == 2 else 0))
