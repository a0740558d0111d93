"""Number formats that make a cell show another number than the one it holds.

A reader of the values (fastexcel, python-calamine) gets what the cell holds; the clerk who checked
the sheet saw what its number format shows. The two differ where the format scales the number
(#,##0, shows 1234567 as 1,235: the thousands; 0.00,, as millions), multiplies it (0% shows 0.05 as
5%), puts text among its digits (0!.0000 shows 12345678 as 1234.5678, the favourite way to show 元
as 万元), shows a date, a time or a fraction instead, shows nothing (;;;), or writes a unit beside it
(0.00"万元" shows 100 as 100.00万元). In a money column each leaves the amount in doubt: a sheet
headed 事业收入（万元） whose cells hold 元 and show 万元 is ten thousand times too large if read as
its header says. This module tells, from a format's code, whether and how it does so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# Excel's built-in formats that show no plain number (ECMA-376 Part 1, 18.8.30; the Chinese
# locale's 27–36 and 50–58 are dates): percent, fractions, dates and times.
_BUILT_IN = {9: "0%", 10: "0.00%", 12: "# ?/?", 13: "# ??/??", 14: "yyyy/m/d", 15: "d-mmm-yy", 16: "d-mmm",
             17: "mmm-yy", 18: "h:mm AM/PM", 19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss", 22: "yyyy/m/d h:mm",
             45: "mm:ss", 46: "[h]:mm:ss", 47: "mm:ss.0",
             **dict.fromkeys((*range(27, 37), *range(50, 59)), 'yyyy"年"m"月"d"日"')}
_PLACEHOLDERS = set("0#?")
_DATE_CODES = set("yYmMdDhHsSeEgGbBaA")
_FIRST_CUSTOM = 164


@dataclass(frozen=True)
class Display:
    """What a number format does to the number it shows: `change`, how it shows another number
    (None: it shows the number); `literal`, the text it writes beside it (units are judged by the
    caller, who knows the column's)."""

    code: str
    change: str | None
    literal: str
    text: bool = False   # `code` is the text an .ods shows (display_of_text), not a format's code
    # what the format does to a text cell (its text section: the fourth, or a lone section with @):
    # hides it (;;;), shows words instead of it ("已退学"), or writes words beside it (@"（已退学）");
    # None: the text is shown as it is
    text_shows: str | None = None

    def describe(self, more: list[str] = ()) -> str:
        """What a message says of it, with `more` the caller found: 数字格式“0!.0,”在数字中间插入文字…,
        or, in an .ods, 显示为“12,346”（…）."""
        said = [w for w in (self.change, *more) if w and w != DIFFERENT]
        if self.text:
            return f"显示为“{self.code}”" + (f"（{'、'.join(said)}）" if said else "")
        return f"数字格式“{self.code}”" + "、".join(said)


DIFFERENT = "显示的数与单元格的值不同"   # an .ods cell's text shows another number (display_of_text)
_SHOWN_NUMBER = re.compile(r"[-−]?\d[\d,]*(?:\.\d+)?")


def display_of_text(value: str, text: str, percentage: bool = False) -> Display | None:
    """What an .ods cell shows against what it holds: an .ods keeps both, the number (office:value)
    and the text its number style made of it (text:p). Another number shown (rounding to the decimals
    shown aside), no number, a percentage, or words beside the number are told as `display` tells
    them; the code is the text shown."""
    shown_text = text.strip()
    if percentage:
        return Display(shown_text, "放大100倍显示为百分数", "", text=True)
    m = _SHOWN_NUMBER.search(shown_text)
    if m is None:
        return Display(shown_text, "不显示数值" if not shown_text else "不显示为数字", shown_text, text=True)
    rest = (shown_text[:m.start()] + shown_text[m.end():]).strip()
    digits = m.group(0).replace(",", "").replace("−", "-")
    try:
        held = Decimal(value)
        places = Decimal(1).scaleb(-len(digits.partition(".")[2]))
        same = held.quantize(places, rounding=ROUND_HALF_UP) == Decimal(digits)
    except (InvalidOperation, ValueError):
        same = False
    change = None if same and not any(ch.isdigit() for ch in rest) else DIFFERENT
    if change is None and not rest:
        return None
    return Display(shown_text, change, rest, text=True)


def format_code(num_fmt_id: int, custom: dict[int, str]) -> str | None:
    """The code of a cell's number format: its workbook's own (numFmts), else Excel's built-in one
    where that shows no plain number; None for the plain built-ins (General, 0.00, #,##0 …)."""
    if num_fmt_id in custom:
        return custom[num_fmt_id]
    return _BUILT_IN.get(num_fmt_id)


def display(code: str) -> Display | None:
    """How a number format's code shows a number (None when it shows the number as it is, writes
    nothing beside it and shows a text cell as it is). Of its sections (positive;negative;zero;text)
    the three for numbers are read; a section's [colour], [condition] and [$-804] are skipped; "text",
    \\x and !x are literal text; _x and *x are padding. A first section without a digit placeholder,
    a date code or @ shows no number, only its words ("不发放") or nothing (;;;). The text section is
    read apart (`text_shows`)."""
    every = split_sections(code)
    sections = every[:3]
    changes: list[str] = []
    literal = ""
    for index, section in enumerate(sections):
        tokens = _tokens(section)
        text = "".join(value for kind, value in tokens if kind == "text")
        literal += text
        codes = [value for kind, value in tokens if kind == "code"]
        placed = [i for i, (kind, value) in enumerate(tokens) if kind == "code" and value in _PLACEHOLDERS]
        if not tokens and index == 0:
            changes.append("不显示数值")
            continue
        if index == 0 and not placed and "@" not in codes and not any(value in _DATE_CODES for value in codes):
            changes.append("不显示数值")   # only words ("不发放"), or padding: no number at all
        if any(value in _DATE_CODES for value in codes) and not placed:
            changes.append("显示为日期或时间")
        if "%" in codes:
            changes.append("放大100倍显示为百分数")
        if "/" in codes and placed:
            changes.append("显示为分数")
        if placed:
            first, last = placed[0], placed[-1]
            if any(kind == "text" and value.strip() for kind, value in tokens[first:last]):
                changes.append("在数字中间插入文字（如小数点）")
            scaled = 0
            for kind, value in tokens[last + 1:]:
                if kind == "code" and value == ",":
                    scaled += 1
                elif kind == "code" and value in _PLACEHOLDERS | {".", "E", "e"}:
                    break
                else:
                    break
            if scaled:
                changes.append(f"缩小{1000 ** scaled:,}倍显示")
    change = "、".join(dict.fromkeys(changes)) or None
    literal = literal.strip()
    text_shows = _text_shows(every)
    if change is None and not literal and text_shows is None:
        return None
    return Display(code, change, literal, text_shows=text_shows)


def _text_shows(sections: list[str]) -> str | None:
    """What a format does to a text cell: the fourth section is for text, and so is a lone section
    holding @; a format without one shows text as it is. A text section without @ shows its words
    instead of the text, or nothing (;;;); one with @ and words or digits beside it adds them
    (@"（已退学）" shows 张三（已退学）). Padding, spaces and punctuation beside @ say nothing."""
    if len(sections) >= 4:
        section = sections[3]
    elif len(sections) == 1 and any(kind == "code" and value == "@" for kind, value in _tokens(sections[0])):
        section = sections[0]
    else:
        return None
    tokens = _tokens(section)
    words = "".join(value for kind, value in tokens if kind == "text").strip()
    if not any(kind == "code" and value == "@" for kind, value in tokens):
        return f"不显示文字，只显示“{words}”" if words else "不显示文字"
    if any(ch.isalnum() for ch in words):
        return f"在文字旁显示“{words}”"
    return None


def split_sections(code: str) -> list[str]:
    """The code cut at each ; that is not inside quotes or escaped."""
    out, current, quoted, escaped = [], [], False, False
    for ch in code:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch in "\\!" and not quoted:
            current.append(ch)
            escaped = True
        elif ch == '"':
            current.append(ch)
            quoted = not quoted
        elif ch == ";" and not quoted:
            out.append("".join(current))
            current = []
        else:
            current.append(ch)
    out.append("".join(current))
    return out


_GENERAL = re.compile(r"general", re.IGNORECASE)


def _tokens(section: str) -> list[tuple[str, str]]:
    """A section as ("code", one character) and ("text", literal text) tokens; General is a 0."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(section):
        ch = section[i]
        if ch == '"':
            end = section.find('"', i + 1)
            end = len(section) if end < 0 else end
            out.append(("text", section[i + 1:end]))
            i = end + 1
        elif ch in "\\!":
            out.append(("text", section[i + 1:i + 2]))
            i += 2
        elif ch in "_*":
            i += 2  # padding the width of the next character, or filling with it
        elif ch == "[":
            end = section.find("]", i)
            i = len(section) if end < 0 else end + 1
        elif _GENERAL.match(section, i):
            out.append(("code", "0"))
            i += len("general")
        elif ch in "Ee" and section[i + 1:i + 2] in ("+", "-"):
            out.append(("code", "E"))  # scientific: E+00 shows the number, its exponent apart
            i += 2
        elif ch in " $-+():^'{}<>=~&€¥￥£":
            out.append(("text", ch) if ch not in " " else ("space", ch))
            i += 1
        elif ch == "@":
            out.append(("code", "@"))
            i += 1
        elif ch.isascii() and (ch in "0#?.,%/Ee" or ch in _DATE_CODES):
            out.append(("code", ch))
            i += 1
        else:
            out.append(("text", ch))  # a character Excel shows as itself (元, 万)
            i += 1
    return out


_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_FORMAT_ID = re.compile(rb'numFmtId="(\d+)"')


def custom_formats(styles: bytes, root=None) -> dict[int, str]:
    """The workbook's own number formats (numFmts) of a styles part, by numFmtId; `root`: the part
    already parsed (ElementTree), else it is parsed where it names a numFmt at all."""
    if root is None:
        if re.search(rb"numFmt\s", styles) is None:
            return {}
        from xml.etree import ElementTree

        root = ElementTree.fromstring(styles)
    return {int(f.get("numFmtId", "-1")): f.get("formatCode", "") for f in root.iter(f"{_NS_MAIN}numFmt")}


def number_formats(styles: bytes) -> dict[int, Display]:
    """The cell style numbers (a cell's `s`) of xl/styles.xml whose number format shows another number
    than the cell holds, writes words beside it, or hides a text cell or adds words to it (see
    `display`, `telling`). Most workbooks use plain formats
    only: a look at the ids they name settles that without parsing the part."""
    from xml.etree import ElementTree

    ids = {int(i) for i in _FORMAT_ID.findall(styles)}
    if not any(i in _BUILT_IN or i >= _FIRST_CUSTOM for i in ids) and b"<numFmt " not in styles \
            and b":numFmt " not in styles:
        return {}
    root = ElementTree.fromstring(styles)
    custom = custom_formats(styles, root)
    xfs = root.find(f"{_NS_MAIN}cellXfs")
    out: dict[int, Display] = {}
    for index, xf in enumerate(xfs.iter(f"{_NS_MAIN}xf") if xfs is not None else ()):
        number = xf.get("numFmtId", "0")
        code = format_code(int(number), custom) if number.isdigit() else None
        found = display(code) if code else None
        if telling(found):
            out[index] = found
    return out


def telling(found: Display | None) -> bool:
    """Whether a format's Display is worth a look at its cells: it shows another number, writes
    words beside it (a unit, maybe: the column judges), or hides a text cell or adds words to it
    (text_shows); ¥ or a sign beside the number is nothing."""
    return found is not None and bool(found.change or any(ch.isalpha() for ch in found.literal)
                                      or found.text_shows)


# the record's cells other than its amounts that decide who is paid and where: a format that hides
# one (;;;) or writes words beside it (@"（已退学）") shows the clerk what the file does not hold
KEY_KINDS = ("id", "card")
KEY_FIELDS = ("name", "status", "remarks", "pay", "bank")
HIDES = "不显示数值"


def formatted_cells(sheet, columns: dict, rows, cells, spec, matcher):
    """The records' cells of `sheet` whose number format shows the clerk another thing than the cell
    holds: in a money column, another number, no number, or words beside it other than the column's
    own unit (0.00"万元" in a column read in 元, 0"（暂缓发放）", "不发放"); in a record's key column
    (KEY_KINDS, KEY_FIELDS: name, ID, card, 学籍状态, 备注 …), a format that hides the cell (;;;) or
    writes words or digits beside it (@"（已退学）"). A frame of Excel row, field (key), what the
    format does (display) and the value read; None when there is none. `rows` are the records' Excel
    rows (ascending), `cells` their Arrow columns. Linear in the formatted cells the scan found."""
    import numpy as np
    import pandas as pd

    money = {m.index: k for k, m in columns.items() if spec.columns[k].kind == "money"}
    key_cols = {m.index: k for k, m in columns.items()
                if spec.columns[k].kind in KEY_KINDS or k in KEY_FIELDS}
    found = []
    for row, col, style in sheet.formatted:
        fmt = sheet.formats.get(style)
        if fmt is None:
            continue
        if col in money:
            key = money[col]
            said = _money_says(fmt, matcher, columns[key].unit)
            if fmt.change or said:
                found.append((row, key, fmt.describe(said)))
        elif col in key_cols:
            said = _key_says(fmt)
            if said:
                found.append((row, key_cols[col], fmt.describe(said) if fmt.text else
                              f"数字格式“{fmt.code}”" + "、".join(said)))
    at = np.searchsorted(rows, np.asarray([row for row, _, _ in found], dtype=np.int64))
    on = [i < len(rows) and rows[i] == row for i, (row, _, _) in zip(at.tolist(), found)]
    kept = [(row, key, said, cells.column(key)[i].as_py())
            for (row, key, said), i, yes in zip(found, at.tolist(), on) if yes]
    if not kept:
        return None
    return pd.DataFrame(kept, columns=["excel_row", "key", "display", "value"]).astype({"excel_row": "int64"})


def _money_says(fmt: Display, matcher, unit) -> list[str]:
    """What the words a format writes beside an amount say: nothing where they are the unit the
    column is read in (元 under 资助金额（元）) or a currency word (人民币, RMB: `currency_words`); a
    unit of money other than the column's, or any other word (暂缓发放, 不发放, 整), is said."""
    words = "".join(ch for ch in fmt.literal if ch.isalpha())
    currency = getattr(matcher, "currency", None)
    if currency is not None:
        words = currency.sub("", words)
    if not words:
        return []
    if words in matcher.units or matcher.unknown_unit([words]):
        return [] if matcher.units.get(words) == unit else [f"在数字旁显示“{fmt.literal}”，与该列读取的金额单位不符"]
    return [f"显示文字“{fmt.literal}”"]


def _key_says(fmt: Display) -> list[str]:
    """What a format does to a record's key cell, number or text (the scan does not tell which): it
    hides it (;;;, or a format of words alone), or writes words or digits beside it."""
    hides = bool(fmt.change and HIDES in fmt.change)
    words = any(ch.isalnum() for ch in fmt.literal)
    if hides and not words and (fmt.text_shows or "").startswith("不显示文字"):
        return ["不显示单元格的内容"]   # ;;;: neither a number nor a text
    said = [fmt.text_shows] if fmt.text_shows else [HIDES] if hides else []
    if words and not fmt.text_shows:
        said.append(f"显示文字“{fmt.literal}”")
    return said
