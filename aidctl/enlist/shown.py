"""An 入伍时间 or 入学年份 held as a date cell whose number format shows less of it than aidctl reads.

A date cell 2024-03-15 formatted `yyyy` (or yyyy"年") shows the clerk 2024 while the reader gets the
whole date: aidctl took the hidden month (March) and its cap, so what the clerk signed off (2024, no
month) was not what was paid on. As with an amount shown as another number (read.numformat), what
the sheet shows is what counts:

- a date cell of 入伍时间 shown without its month (and no 入伍月份 filled in beside it), in a year in
  which the student's cap changes, takes no day and no cap: enlist.invalid says what is shown and what
  the cell holds, and both caps. In a year whose changes leave the student's cap as it was, the month
  changes nothing: it is read, and enlist.month_unknown says what is shown and what is held;
- a date cell of 入伍时间 or 入学年份 whose format shows no year at all (m"月"d"日", d-mmm, h:mm) is
  refused (enlist.invalid): the year decides the years counted and the cap.
- a date cell of 入伍时间 shown without its day (yyyy"年"m"月", or yyyy beside 入伍月份) in a month
  within which the student's cap changes on another day than the 1st (2013-08-20) takes no day and no
  cap either (the day is read since seasons.day_of_month: 2013-08-25 is after the change).

The formats are the ones the sheet's reader found (RawSheet.formatted, .formats: .xlsx, .xls); the
file is opened again only where a cell of these columns holds a date. An .ods keeps the text it
shows beside the date (text:p): `ods_date_texts` reads it.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

import numpy as np
import pandas as pd

from aidctl.core.findings import build
from aidctl.enlist.seasons import cap_text
from aidctl.read import open_sheets

KEYS = {"enlisted": "入伍时间", "enrolled": "入学年份"}
COLUMNS = ["row", "held", "says", "year", "month", "day"]
# a date cell as read (2024-03-15 00:00:00; folded: 2024-03-1500:00:00)
_DATE_CELL = r"^\s*((?:19|20)\d{2})-(\d{2})-(\d{2})\s*(?:\d{2}:\d{2}(?::\d{2})?)?\s*$"
# text, padding, [colour] [$-804] [DBNum1], General, AM/PM: no date code
_LITERAL = re.compile(r'"[^"]*"|\\.|!.|_.|\*.|\[[^\]]*\]|general|am/pm|a/p', re.IGNORECASE)


def parts_shown(code: str) -> tuple[bool, bool, bool]:
    """(year, month, day shown) by a date format's first section: y (or e, an era's year) for the
    year; an m that is a month, not the minutes (m after h, or before s, is the minutes); d or dd for
    the day (ddd, dddd: the day of the week)."""
    section = _LITERAL.sub(" ", code).split(";")[0].lower()   # its quoted text gone: the first ; ends it
    runs = [m.group(0) for m in re.finditer(r"([ymdhse])\1*", section)]
    year = any(r[0] in "ye" for r in runs)
    month = any(r[0] == "m" and (i == 0 or runs[i - 1][0] != "h") and (i + 1 == len(runs) or runs[i + 1][0] != "s")
                for i, r in enumerate(runs))
    return year, month, any(r in ("d", "dd") for r in runs)


def shown_dates(f: pd.DataFrame, tables: list, look) -> None:
    """None: adds to `f`, for each key of KEYS, `<key>_held` (the date a date cell holds, as text),
    `<key>_shows` (what shows it, 数字格式为“yyyy” or 单元格显示为“2024”, where that shows no year,
    or for 入伍时间 no month; NA elsewhere) and `<key>_year_hidden`; and `month_given` (a 入伍月份
    filled in). Before the years are read."""
    f["month_given"] = f["enlisted_month"].astype("string").str.strip().replace("", pd.NA).notna()
    for key in KEYS:
        parts = f[key].astype("string").str.extract(_DATE_CELL)
        f[f"{key}_held"] = (parts[0] + "-" + parts[1] + "-" + parts[2]).astype("string")
        f[f"{key}_shows"] = pd.Series(pd.NA, index=f.index, dtype="string")
        f[f"{key}_year_hidden"] = False
    f["day_shows"] = pd.Series(pd.NA, index=f.index, dtype="string")
    dated = np.logical_or.reduce([f[f"{key}_held"].notna().to_numpy() for key in KEYS])
    opened: dict = {}
    for i in pd.unique(f.loc[dated, "table"]):   # the tables with a date cell in these columns: a few
        t = tables[int(i)]
        if t.path not in opened:
            opened[t.path] = {s.name: s for s in open_sheets(t.path, t.file, look)}
        sheet = opened[t.path].get(t.sheet)
        mine = (f["table"] == i).to_numpy()
        for key in (k for k in KEYS if k in t.columns and sheet is not None):
            held = f.loc[mine, f"{key}_held"].dropna()
            cells = pd.DataFrame({"row": f.loc[held.index, "row"].astype("int64"), "held": held})
            said = cells.reset_index().merge(shown_cells(sheet, t.path, t.columns[key].index, cells),
                                             on=["row", "held"]).set_index("index")
            if not len(said):
                continue
            hides = ~said["year"] | (~said["month"] & (key == "enlisted"))
            f.loc[said.index[hides], f"{key}_shows"] = said.loc[hides, "says"]
            f.loc[said.index[~said["year"]], f"{key}_year_hidden"] = True
            if key == "enlisted":   # 2013-08-25 shown as 2013年8月 (or 2013 beside 入伍月份 8): no day shown
                no_day = said["year"] & ~said["day"]
                f.loc[said.index[no_day], "day_shows"] = said.loc[no_day, "says"]


def shown_cells(sheet, path, col: int, cells: pd.DataFrame) -> pd.DataFrame:
    """Of the date cells `cells` (Excel row, the date held) of column `col` (its place in the sheet):
    row, held, what shows the cell (says), year, month and day (shown or not), by the number format the
    reader found for it (.xlsx, .xls), or by the text an .ods shows (`_groups`); cells shown in full by
    a plain format are left out."""
    if sheet.kind == "ods":
        texts = pd.Series(ods_date_texts(path, sheet.name, col), dtype="string")
        out = cells.assign(text=cells["row"].map(texts).astype("string")).dropna(subset=["text"])
        pairs = {(t, h): _groups(t, h) for t, h in set(zip(out["text"], out["held"]))}   # the few shown
        parts = [pairs[t, h] for t, h in zip(out["text"], out["held"])]
        return out.assign(says="单元格显示为“" + out["text"] + "”", year=[p[0] for p in parts],
                          month=[p[1] for p in parts], day=[p[2] for p in parts])[COLUMNS]
    found = pd.DataFrame(sheet.formatted, columns=["row", "col", "style"])
    found = found[found["col"] == col].drop_duplicates("row", keep="last")
    codes = {s: d.code for s, d in sheet.formats.items() if not d.text}
    out = cells.merge(found.assign(code=found["style"].map(codes).astype("string")).dropna(subset=["code"]),
                      on="row")
    parts = {c: parts_shown(c) for c in out["code"].unique()}
    shown = {name: out["code"].map(lambda c, j=j: parts[c][j]).astype(bool)
             for j, name in enumerate(("year", "month", "day"))}
    return out.assign(says="数字格式为“" + out["code"] + "”", **shown)[COLUMNS]


def ods_date_texts(path, sheet: str, col: int) -> dict[int, str]:
    """Excel row → the text an .ods date cell of column `col` shows (text:p), in sheet `sheet`."""
    import zipfile
    from xml.etree import ElementTree

    table, text = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}", "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
    office = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
    out: dict[int, str] = {}
    with zipfile.ZipFile(path) as z, z.open("content.xml") as fh:
        root = ElementTree.parse(fh).getroot()
    for t in root.iter(f"{table}table"):
        if t.get(f"{table}name") != sheet:
            continue
        row = 0
        for r in t.iter(f"{table}table-row"):
            rows = int(r.get(f"{table}number-rows-repeated", "1"))
            at = 0
            for c in r:
                if c.tag not in (f"{table}table-cell", f"{table}covered-table-cell"):
                    continue
                span = int(c.get(f"{table}number-columns-repeated", "1"))
                if at <= col < at + span and c.get(f"{office}value-type") == "date":
                    shown = "\n".join("".join(p.itertext()) for p in c.iter(f"{text}p"))
                    out.update(dict.fromkeys(range(row + 1, row + rows + 1), shown))
                at += span
                if at > col:
                    break
            row += rows
    return out


def _groups(text: str, held: str) -> tuple[bool, bool, bool]:
    """(year, month, day shown) of the date `held` (2024-03-15) by the text an .ods shows: the year
    as four digits, or its last two alone; the month as a number of its own (a second one where the
    day is the same number: one alone could be the day), a number before 月, or its name (Mar); the
    day as a number of its own (a second one where the month is the same number), or before 日."""
    y, m, d = (int(x) for x in held.split("-"))
    groups = re.findall(r"\d+", text)
    year = str(y) in groups or f"{y % 100:02d}" in groups
    rest = list(groups)
    for g in (str(y), f"{y % 100:02d}"):
        if g in rest:
            rest.remove(g)
            break
    same = sum(int(g) == m for g in rest if len(g) <= 2)
    month = same > (1 if d == m else 0) or re.search(rf"(?<!\d)0?{m}\s*月", text) is not None \
        or calendar.month_abbr[m].lower() in text.lower()
    days = sum(int(g) == d for g in rest if len(g) <= 2)
    day = days > (1 if d == m else 0) or re.search(rf"(?<!\d)0?{d}\s*[日号]", text) is not None
    return year, month, day


def hidden_dates(f: pd.DataFrame, book) -> None:
    """None: after the years and caps are read (compensation._levels_and_caps), adds `<key>_unshown`
    for each key of KEYS (why no day and no cap are taken: its year not shown, or for 入伍时间 a month
    not shown whose cap it changes) and `shown_note` (a month not shown in a year whose changes leave
    the student's cap as it was), NA elsewhere; a student with either `_unshown` gets no day and no cap."""
    for key, label in KEYS.items():
        f[f"{key}_unshown"] = (label + "单元格的值为" + f[f"{key}_held"] + "，但" + f[f"{key}_shows"]
                               + "，不显示年份（表中看不到" + label + "的年份）").where(f[f"{key}_year_hidden"])
    month_hidden = f["enlisted_shows"].notna() & ~f["enlisted_year_hidden"] & ~f["month_given"] \
        & f["enlisted_year"].notna() & f["month_unsure"].isna() & f["season_unsure"].isna()
    said = pd.Series("", index=f.index, dtype="string")
    depends = pd.Series(False, index=f.index)
    changed = pd.Series(False, index=f.index)
    for (y, lv), rows in f[month_hidden].groupby(["enlisted_year", "level_key"], dropna=False).groups.items():
        days = [date(int(y), 1, 1), *sorted(p.from_ for p in book.caps if p.from_.year == int(y)
                                            and (p.from_.month, p.from_.day) != (1, 1))]
        caps = [cap_text(book, d, lv) for d in days]
        changed[rows] = len(days) > 1
        # a level not known: any change may be the student's
        depends[rows] = len(set(caps)) > 1 or (len(days) > 1 and not isinstance(lv, str))
        said[rows] = "，".join(f"{d}起{c}" for d, c in zip(days, caps))
    what = "入伍时间单元格的值为" + f["enlisted_held"] + "，但" + f["enlisted_shows"] \
        + "，只显示年份、不显示月份（表中看到的是" + f["enlisted_year"].astype("string") + "年）"
    f["enlisted_unshown"] = f["enlisted_unshown"].mask(month_hidden & depends,
                                                       what + "，而该年补偿上限有调整（" + said + "）")
    f["shown_note"] = (what + "；该年补偿上限的调整不改变该生的上限（" + said + "）").where(month_hidden & changed & ~depends)
    day_hidden = f["day_shows"].notna() & f["enlisted_month"].notna() & f["enlisted_unshown"].isna() \
        & f["day_unsure"].isna() & f["month_unsure"].isna()
    for (y, m, lv), rows in f[day_hidden].groupby(["enlisted_year", "enlisted_month", "level_key"],
                                                  dropna=False).groups.items():
        days = [date(int(y), int(m), 1), *sorted(p.from_ for p in book.caps if (p.from_.year, p.from_.month)
                                                 == (int(y), int(m)) and p.from_.day != 1)]
        caps = [cap_text(book, d, lv) for d in days]
        if len(set(caps)) > 1 or (len(days) > 1 and not isinstance(lv, str)):
            f.loc[rows, "enlisted_unshown"] = (
                "入伍时间单元格的值为" + f.loc[rows, "enlisted_held"] + "，但" + f.loc[rows, "day_shows"]
                + f"，不显示日期（表中看到的是{int(y)}年{int(m)}月），而该月补偿上限有调整（"
                + "，".join(f"{d}起{c}" for d, c in zip(days, caps)) + "）")
    unsure = f["enlisted_unshown"].notna() | f["enrolled_unshown"].notna()
    f["enlist_day"] = f["enlist_day"].mask(unsure, None)
    for col in ("cap_from", "cap_source", "cap_level", "cap_basis"):
        f[col] = f[col].mask(unsure, None)
    f["cap_fen"] = f["cap_fen"].mask(unsure)


def shown_findings(f: pd.DataFrame) -> list[pd.DataFrame]:
    """enlist.invalid where no day is taken for what the sheet does not show; enlist.month_unknown
    where the month not shown is read because it leaves the cap as it is."""
    parts = f["enlisted_held"].str.extract(r"^(\d{4})-(\d{2})-(\d{2})").apply(pd.to_numeric, errors="coerce")
    day = parts.astype("Int64").astype("string")
    example = {"enlisted": "如“" + day[0] + "年" + day[1] + "月" + day[2] + "日”",
               "enrolled": "如“" + f["enrolled_held"].str[:4] + "”"}
    out = [build(f[f"{key}_unshown"].notna(), "enlist.invalid", key,
                 "{why}：表中显示的与单元格的值不同，aidctl 不按表中看不到的日期计算，不予发放：请把该列改为"
                 "显示完整日期的格式（如 yyyy\"年\"m\"月\"d\"日\"），或直接填写文字（{example}），核对表中显示的内容后"
                 "重新提交", f[key].astype("string"), why=f[f"{key}_unshown"], example=example[key]) for key in KEYS]
    out.append(build(f["shown_note"].notna(), "enlist.month_unknown", "enlisted",
                     "{why}：按单元格的值计算；请核对入伍月份，把该列改为显示完整日期的格式（如 yyyy\"年\"m\"月\"d\"日\"）",
                     f["enlisted"].astype("string"), why=f["shown_note"]))
    return out
