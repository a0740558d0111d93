"""The colour a cell's text is drawn in where its font does not say it: a number format's colour
sections ([White]0;[Red]-0;[White]0;[White]@, [Color2] of the 56-colour palette), each drawing the
values its section shows (cell.invisible, a cell at a time: styles.StylesLook.invisible, sheetxml).

A format's sections are positive;negative;zero;text (ECMA-376 Part 1, 18.8.31): one section shows
every number, two the positive and zero numbers and the negative ones, three the positive, negative
and zero ones; a fourth, or a lone section holding @, shows text. A section may say its condition
([>100], [<=0]) instead of its sign. A section without a colour of its own draws in the font's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aidctl.read.numformat import custom_formats, split_sections

# Excel's named format colours (ECMA-376 Part 1, 18.8.31), as Chinese Excel and WPS write them too
_NAMED = {"black": "000000", "white": "FFFFFF", "red": "FF0000", "green": "00FF00", "blue": "0000FF",
          "yellow": "FFFF00", "magenta": "FF00FF", "cyan": "00FFFF",
          "黑色": "000000", "白色": "FFFFFF", "红色": "FF0000", "绿色": "00FF00", "蓝色": "0000FF",
          "黄色": "FFFF00", "洋红": "FF00FF", "青色": "00FFFF"}
NAMED = _NAMED   # read by odsstyle, which writes an .ods format's colour as Excel names it
_COLOR_N = re.compile(r"(?:color|颜色)\s*(\d{1,2})$", re.IGNORECASE)
_CONDITION = re.compile(r"(<=|>=|<>|<|>|=)\s*([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)$")
_BRACKET = re.compile(r'"[^"]*"|\\.|!.|\[([^\]]*)\]')
# Excel's built-in formats that draw a section in a colour (ECMA-376 Part 1, 18.8.30)
_BUILT_IN = {6: '"$"#,##0_);[Red]("$"#,##0)', 8: '"$"#,##0.00_);[Red]("$"#,##0.00)',
             38: "#,##0_);[Red](#,##0)", 40: "#,##0.00_);[Red](#,##0.00)"}
_OPS = {"<": float.__lt__, ">": float.__gt__, "=": float.__eq__, "<=": float.__le__, ">=": float.__ge__,
        "<>": float.__ne__}


def _colour_and_condition(section: str, palette: tuple[str, ...]) -> tuple[str | None, tuple | None]:
    """A section's [colour] (RRGGBB) and [condition] (operator, number), each None where not said."""
    colour = condition = None
    for m in _BRACKET.finditer(section):
        inside = (m.group(1) or "").strip()
        if not inside:
            continue
        if inside.lower() in _NAMED:
            colour = _NAMED[inside.lower()]
        elif (n := _COLOR_N.match(inside)) and 1 <= int(n.group(1)) <= 56:
            colour = palette[int(n.group(1)) + 7] if int(n.group(1)) + 7 < len(palette) else None
        elif c := _CONDITION.match(inside):
            condition = (c.group(1), float(c.group(2)))
    return colour, condition


@dataclass(frozen=True)
class Sections:
    """A format's sections for numbers (up to three: colour, condition) and for text (its colour;
    `text_section`: whether it has one)."""

    code: str
    numbers: tuple[tuple[str | None, tuple | None], ...]
    text: str | None
    text_section: bool

    def number_section(self, value: float) -> int | None:
        """The section that shows `value` (None: none does, Excel shows ####)."""
        n = len(self.numbers)
        if not any(cond for _, cond in self.numbers):
            if n == 1:
                return 0
            if n == 2:
                return 0 if value >= 0 else 1
            return 0 if value > 0 else 1 if value < 0 else 2
        defaults = [(">", 0.0), ("<", 0.0)] if n >= 3 else [(">=", 0.0)]
        for i, (_, cond) in enumerate(self.numbers):
            cond = cond or (defaults[i] if i < len(defaults) and i < n - 1 else None)
            if cond is None or _OPS[cond[0]](value, cond[1]):
                return i
        return None

    def judged(self, base: str | None, fill: str | None, contrast_below: float | None) -> Judged:
        """What hides each kind of value in a cell of this format whose font alone hides it as `base`
        says (None: seen) and whose fill is `fill`."""
        from aidctl.read.styles import hides

        def why(colour: str | None) -> str | None:
            if colour is None:
                return base
            said = hides(colour, fill, contrast_below)
            return f"数字格式“{self.code}”使{said}" if said else None

        numbers = tuple(why(colour) for colour, _ in self.numbers)
        text = why(self.text) if self.text_section else base
        every = set(numbers) | {text}
        return Judged(self, numbers, text, base, next(iter(every)) if len(every) == 1 else None,
                      any(every))


@dataclass(frozen=True)
class Judged:
    """What hides each section's values of a cell style (None: seen): `every`, the one answer for
    all values where there is one; `some`: whether some value is hidden."""

    sections: Sections
    numbers: tuple[str | None, ...]
    text: str | None
    other: str | None     # a boolean or an error value: drawn in the font's colour
    every: str | None
    some: bool

    def why(self, kind: bytes | None, value: bytes | None) -> str | None:
        """What hides a cell of type `kind` (its t attribute) holding `value` (its <v>)."""
        if kind in (b"s", b"str", b"inlineStr"):
            return self.text
        if kind not in (None, b"n"):
            return self.other
        try:
            number = float(value)
        except (TypeError, ValueError):
            return None
        section = self.sections.number_section(number)
        return self.numbers[section] if section is not None and section < len(self.numbers) else None


def coloured_formats(styles: bytes, palette: tuple[str, ...]) -> dict[int, Sections]:
    """The number formats (by numFmtId) of a styles part that draw some section in a colour of its
    own: the workbook's (numFmts, numformat.custom_formats) and Excel's built-in ones that do; a
    format without "[" in its code is passed over at once."""
    custom = custom_formats(styles)
    out = {}
    for number in {**_BUILT_IN, **custom}:
        if (found := coloured_sections(number, custom, palette)) is not None:
            out[number] = found
    return out


def coloured_sections(number: int, custom: dict[int, str], palette: tuple[str, ...]) -> Sections | None:
    """The sections of number format `number` (the workbook's own code in `custom`, else Excel's
    built-in one) where it draws some section in a colour of its own ([ColorN]: `palette`, indexed
    from 0); None where it draws none (a code without "[" is passed over at once). An .xlsx's numFmtId
    and an .xls's ifmt alike (biffstyle)."""
    code = custom.get(number, _BUILT_IN.get(number))
    if not code or "[" not in code:
        return None
    every = split_sections(code)
    looks = [_colour_and_condition(s, palette) for s in every]
    text_section = len(every) >= 4 or (len(every) == 1 and "@" in _BRACKET.sub("", every[0]))
    numbers = tuple(looks[:3]) if not (len(every) == 1 and text_section) else ((None, None),)
    text = looks[3][0] if len(every) >= 4 else looks[0][0] if text_section else None
    if any(colour for colour, _ in numbers) or text:
        return Sections(code, numbers, text, text_section)
    return None
