"""Dates: working days (工作日): weekends and statutory holidays off, the weekend days made working days
(调休) on, from the chinese_calendar package (PyPI: chinesecalendar).

The package knows a range of years (2004 to the year after its release). A day outside that range
is judged by the weekday alone, and the calendar used is then reported as "weekends-only" so that
the reader knows the holidays of that year were not taken into account.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import pandas as pd

CALENDAR_STATUTORY = "statutory"     # statutory holidays and 调休 from the chinese_calendar package
CALENDAR_WEEKENDS = "weekends-only"  # some day counted lies outside the package's years


def default_as_of(year: int, today: date | None = None) -> date:
    """The day a year's figures are judged by when the user names none: today, or 31 December of the
    year when that is earlier (a day not yet come is never judged: nothing has fallen due on it)."""
    return min(today or date.today(), date(year, 12, 31))


def as_of_said(as_of: date | None, year: int, judged: str, notes: list[str]) -> date:
    """`as_of` when the user named it; else default_as_of, with a note in `notes` saying which day
    was taken and for what (`judged`: 判断到期、履约和逾期 …): a default nobody chose is said aloud."""
    if as_of is not None:
        return as_of
    day = default_as_of(year)
    notes.append(f"未指定 --as-of：按 {day} {judged}（今天，或{year}年12月31日如更早）")
    return day


@lru_cache(maxsize=4096)
def is_working_day(day: date) -> tuple[bool, bool]:
    """(working, known): whether `day` is a working day, and whether the statutory calendar knew it."""
    import chinese_calendar

    try:
        return bool(chinese_calendar.is_workday(day)), True
    except NotImplementedError:  # "no available data for year …"
        return day.weekday() < 5, False


def nth_working_day(start: date, n: int, *, count_start: bool) -> tuple[date, str]:
    """The day that completes `n` working days, and the calendar used.

    With `count_start` the start day is working day 1 when it is a working day (a 公示 posted on a
    Monday for five working days ends on Friday). Without it, counting begins the day after `start`:
    the first working day after `start` is working day 1 (a complaint accepted on a Monday with five
    working days to close must be closed by the next Monday). n = 0 gives `start` itself.
    """
    calendar = CALENDAR_STATUTORY
    day, counted = (start, 0) if count_start else (start + timedelta(days=1), 0)
    if n <= 0:
        return start, calendar
    while True:  # ends: any seven days hold a working day
        working, known = is_working_day(day)
        if not known:
            calendar = CALENDAR_WEEKENDS
        if working:
            counted += 1
            if counted == n:
                return day, calendar
        day += timedelta(days=1)


def working_days_after(start: date, end: date) -> tuple[int, str]:
    """How many working days lie after `start` up to and including `end` (0 when end ≤ start),
    and the calendar used: the count of nth_working_day(start, n, count_start=False)."""
    calendar = CALENDAR_STATUTORY
    counted = 0
    day = start + timedelta(days=1)
    while day <= end:
        working, known = is_working_day(day)
        if not known:
            calendar = CALENDAR_WEEKENDS
        counted += working
        day += timedelta(days=1)
    return counted, calendar


_DATE = (r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
         r"(?:T?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")


_Y = r"((?:19|20|21)\d{2})"
# the whole cell: a year (2024, 2024年, 2024年度, 2028届), a school year (2024-2025, 2024—2025学年:
# the second year the next), or a year and month (2028年6月, 2028-06, 2028.6)
_YEAR_CELL = (rf"^\s*{_Y}\s*(?:(?:学年度?|年度?|届|级)|[-—–~至/]\s*{_Y}\s*(?:学年度?|年度?)?"
              r"|(?:[-/.]|年)\s*(\d{1,2})\s*(?:月份?)?)?\s*$")


def cell_years(text: pd.Series) -> pd.Series:
    """The year each cell gives as a whole: "2024", "2024年度", "2024-2025学年", "2028年6月", or a
    date (cell_dates) as Int64; NA else. Nothing is picked out of other text: "12024" (a slip of the
    keyboard), "2023-2025" (no school year), "2028-13" and "2024-25" are no year."""
    t = text.astype("string")
    m = t.str.extract(_YEAR_CELL)
    year, second, month = (pd.to_numeric(m[i], errors="coerce").astype("Int64") for i in range(3))
    ok = year.notna() & (second.isna() | (second == year + 1)) & (month.isna() | month.between(1, 12))
    dated = cell_dates(t).dt.year.astype("Int64")
    return year.where(ok.fillna(False), dated)


def cell_dates(text: pd.Series) -> pd.Series:
    """Dates written 2024-09-15, 2024/9/15, 2024.9.15, 2024年9月15日, 20240915, or as Excel shows a
    date cell (2024-09-15 00:00:00); NaT where blank or not a real date."""
    t = text.astype("string").str.strip()
    m = t.str.extract(_DATE)
    compact = t.str.extract(r"^(\d{4})(\d{2})(\d{2})$")
    y, mo, d = (m[i].fillna(compact[i]) for i in range(3))
    iso = y + "-" + mo.str.zfill(2) + "-" + d.str.zfill(2)
    return pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce").astype("datetime64[ns]")
