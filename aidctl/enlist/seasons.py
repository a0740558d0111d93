"""An 入伍时间 written with a season instead of a month (2024年春, 2024年下半年).

The season was once passed over: 2024年春 was read as the year alone, taken as year_only_date (1
September) and given the cap that rose on that day, while the student enlisted in the spring, under
the older one. A season of rules/enlistment.yaml's `season_months` is now the months its conscription
enlists in: the first of them is the day of enlistment, and where a cap changes within them no day is
taken (the student is refused, naming the change). An 入伍时间 in no form read in full (2024年冬, a word
the rules do not list; 2021-2022; 2022年13月) is no year at all (`not_read`): enlist.invalid names it.

A month in a column of its own (入伍年份 2024 beside 入伍月份 3) was once passed over: the student was
taken as enlisting on year_only_date and told the list “只写了年份”. It is read (`month_column`); one
that is no month, or that another month written in 入伍时间 contradicts, takes no day (enlist.invalid).

The day written with the month (2013年8月25日, a date cell 2013-08-25) was once dropped for the 1st: a
硕士 who enlisted on 2013-08-25 was given the cap before 财教〔2013〕236号 (in force from 2013-08-20). It
is read (`day_of_month`); a month alone within which a cap changes on another day than the 1st takes
no day (enlist.invalid), as a season does.
"""

from __future__ import annotations

import calendar
from datetime import date

import pandas as pd

from aidctl.core.findings import build
from aidctl.core.money import yuan_text_or_none

_SEASON = r"^\s*(?:19|20)\d{2}\s*年?\s*(\S.*?)\s*$"
_YEAR_ALONE = r"^\s*(?:19|20)\d{2}(?:\.0+)?\s*(?:年度?)?\s*(?:入伍)?\s*$"   # 2022, 2022.0 (a number), 2022年
# 2022年9月, 2022.09, 2022年9月10日, 2022-09-10 00:00:00 (a date cell), 2022年9月入伍
_MONTH_ALONE = r"^(\d{1,2})(?:\.0+)?\s*(?:月份?)?$"   # 入伍月份: 3, 3.0 (a number), 3月, 03月份
# the day after a year and a month: 2013年8月25日, 2013-08-25, 2013-08-2500:00:00 (a date cell, folded)
_DAY = r"^\s*(?:19|20)\d{2}\s*[年./-]\s*\d{1,2}\s*(?:月份?\s*|[./-]\s*)(\d{1,2})(?=\d{2}:\d{2}|\D|$)"
_WITH_MONTH = (r"^\s*(?:19|20)\d{2}\s*[年./-]\s*\d{1,2}\s*(?:月份?)?\s*(?:[./-]?\s*\d{1,2}\s*[日号]?)?"
               r"\s*(?:\d{1,2}:\d{2}(?::\d{2})?)?\s*(?:入伍)?\s*$")


def not_read(text: pd.Series, month: pd.Series, book) -> pd.Series:
    """True for an 入伍时间 that is none of the forms read in full: a year alone, a year with a month
    (1–12) and perhaps a day, a year with a season of `book.season_months`. Its year was once taken from
    its first four digits and the rest passed over: 2021-2022 was 2021, 2022年13月 the year alone."""
    t = text.astype("string")
    season = t.str.extract(_SEASON, expand=False).str.strip().isin(list(book.season_months))
    full = t.str.match(_YEAR_ALONE) | (t.str.match(_WITH_MONTH) & month.notna()) | season
    return (t.notna() & ~full.fillna(False)).astype(bool)


def season_months(text: pd.Series, year: pd.Series, book) -> tuple[pd.Series, pd.Series]:
    """(month, why) for each 入伍时间 that is a year and a season of `book.season_months`: the season's
    first month, and where a cap period begins within its months, why no day is taken (NA elsewhere)."""
    word = text.astype("string").str.extract(_SEASON, expand=False).str.strip()
    months = book.season_months
    known = word.isin(list(months)).fillna(False).astype(bool) & year.notna()
    first = pd.Series(pd.NA, index=text.index, dtype="Int64")
    why = pd.Series(pd.NA, index=text.index, dtype="string")
    for (y, w), rows in word[known].groupby([year[known], word[known]]).groups.items():  # a few seasons
        a, b = months[w]
        first[rows] = a
        start, end = date(int(y), a, 1), date(int(y), b, calendar.monthrange(int(y), b)[1])
        changes = [p.from_ for p in book.caps if start < p.from_ <= end]
        if changes:
            why[rows] = (f"“{w}”按{a}—{b}月计（rules/enlistment.yaml 的 season_months），其间"
                         f"{'、'.join(map(str, changes))}起补偿上限有调整")
    return first, why


def month_column(f: pd.DataFrame, month: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(month, why) with the 入伍月份 column read: 3, 3月, 3月份 (a number cell 3.0) is the month where
    入伍时间 gives none; why no day is taken (NA elsewhere) where it is no month (1–12) or another month
    written in 入伍时间 contradicts it (2024年3月 beside 10)."""
    text = f["enlisted_month"].astype("string").str.strip().replace("", pd.NA)
    said = pd.to_numeric(text.str.extract(_MONTH_ALONE, expand=False), errors="coerce").astype("Int64")
    said = said.where((said >= 1) & (said <= 12))
    why = pd.Series(pd.NA, index=f.index, dtype="string")
    why = why.mask(text.notna() & said.isna(), "入伍月份“" + text + "”不是月份（1—12）")
    clash = (said.notna() & month.notna() & (said != month)).fillna(False).astype(bool)
    why = why.mask(clash, "入伍时间“" + f["enlisted"].astype("string") + "”与入伍月份“" + text + "”不是同一个月")
    return month.fillna(said).where(why.isna()), why


def day_of_month(f: pd.DataFrame, month: pd.Series, book) -> tuple[pd.Series, pd.Series]:
    """(day, why) of each 入伍时间: the day written with its month (2013年8月25日, 2013-08-25 a date
    cell), once taken as the 1st; and why no day is taken (NA elsewhere) where the day is no day of
    that month (2022年2月30日), or only the month is known and a cap period begins within it on a day
    other than the 1st (2013年8月, the cap of 2013-08-20): either side of the change is possible."""
    year = f["enlisted_year"]
    day = pd.to_numeric(f["enlisted"].astype("string").str.extract(_DAY, expand=False), errors="coerce")
    day = day.astype("Int64").where(month.notna() & year.notna())
    why = pd.Series(pd.NA, index=f.index, dtype="string")
    known = (year.notna() & month.notna()).fillna(False).astype(bool)
    text = f["enlisted"].astype("string")
    level = f["level_key"].astype(object)
    for (y, m, lv), rows in f[known].groupby([year[known], month[known], level[known]],
                                             dropna=False).groups.items():   # a few months
        last = calendar.monthrange(int(y), int(m))[1]
        bad = rows[((day[rows] < 1) | (day[rows] > last)).fillna(False).to_numpy(dtype=bool)]
        why[bad] = "入伍时间“" + text[bad] + f"”中的日期不存在（{int(y)}年{int(m)}月只有{last}天）"
        changes = [p.from_ for p in book.caps if (p.from_.year, p.from_.month) == (int(y), int(m)) and p.from_.day != 1]
        caps = [cap_text(book, d, lv) for d in (date(int(y), int(m), 1), *changes)]
        if len(set(caps)) > 1 or (changes and not isinstance(lv, str)):   # a level not known: any change
            open_ = rows[day[rows].isna().to_numpy(dtype=bool) & f.loc[rows, "season_unsure"].isna().to_numpy()]
            why[open_] = ("入伍时间“" + text[open_] + f"”只写到{int(m)}月，没有日期，而该月"
                          "补偿上限有调整（" + "，".join(f"{d}起{c}" for d, c in zip((date(int(y), int(m), 1), *changes), caps))
                          + "），不知适用调整前还是调整后的上限")
    return day.where(why.isna()), why


def cap_text(book, day: date, level) -> str:
    """“每学年上限20000.00元” for the level on the day, or why there is none."""
    period = book.cap(day)
    cap = book.cap_for(period, level) if period is not None and isinstance(level, str) else None
    return "无补偿标准" if cap is None else f"每学年上限{yuan_text_or_none(int(cap * 100))}元"


def season_findings(f: pd.DataFrame) -> list[pd.DataFrame]:
    """enlist.invalid for a season within whose months a cap changes, or a 入伍月份 that is no month or
    contradicts 入伍时间: neither cap is taken."""
    text = f["enlisted"].astype("string")
    month = f["enlisted_month"].astype("string")
    return [
        build(f["season_unsure"].notna(), "enlist.invalid", "enlisted",
              "入伍时间“{v}”：{why}，不知适用调整前还是调整后的上限，不按任何一个计算：请填写入伍月份（如 2024年3月）",
              text, v=text, why=f["season_unsure"]),
        build(f["day_unsure"].notna(), "enlist.invalid", "enlisted",
              "{why}，不按任何补偿上限计算：请填写实际入伍日期（年、月、日，如“{y}年8月25日”）", text, why=f["day_unsure"], y=f["enlisted_year"].astype("string")),
        build(f["month_unsure"].notna(), "enlist.invalid", "enlisted_month",
              "{why}：不知在哪个月入伍，不按任何补偿上限计算：请按实际入伍月份填写（如 3）", month, why=f["month_unsure"]),
    ]
