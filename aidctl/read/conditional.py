"""Conditional formatting that hides a cell's text (cell.invisible): a sheet's <conditionalFormatting>
rule whose differential style (a dxf of xl/styles.xml) draws the text in its fill's colour, or fills
the cell with its text's colour, or near enough (rules/columns.yaml look.contrast_below).

A rule judged without a formula engine is judged a cell at a time, by the value read: cellIs with
constant operands, containsText, notContainsText, beginsWith, endsWith, containsBlanks,
notContainsBlanks, an expression that is a constant (TRUE, 1). Any other (a formula referring to
cells, top10, duplicateValues …) may or may not hide a cell of its ranges: each such cell is said to
be possibly hidden (条件格式可能使其不可见), not guessed either way. Ranges are kept as ranges: the
records of a range are found by a search over their sorted rows, never cell by cell. Rules of the
x14 extension (extLst), colour scales and data bars are not looked at.
"""

from __future__ import annotations

import contextlib
import html
import re
from dataclasses import dataclass, field

from aidctl.read.styles import BLOCK, COLOR, FG, ITEM, WHITE, StylesLook, hides, tag_attrs

_BG = re.compile(rb"<(?:\w+:)?bgColor\b([^>]*)>")
_PATTERN = re.compile(rb'patternType="([^"]*)"')
_CF_BLOCK = re.compile(rb"<(?:\w+:)?conditionalFormatting\b([^>]*)>(.*?)</(?:\w+:)?conditionalFormatting>", re.S)
_SQREF = re.compile(rb'\bsqref="([^"]*)"')
_RULE = re.compile(rb"<(?:\w+:)?cfRule\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?cfRule>)", re.S)
_FORMULA = re.compile(rb"<(?:\w+:)?formula>(.*?)</(?:\w+:)?formula>", re.S)
_REF = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?")
_NUMBER = re.compile(r"[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?")
_TEXT_TYPES = {"containsText", "notContainsText", "beginsWith", "endsWith"}
OPERATORS = {"equal": "等于", "notEqual": "不等于", "greaterThan": "大于", "lessThan": "小于",
              "greaterThanOrEqual": "大于或等于", "lessThanOrEqual": "小于或等于", "between": "介于",
              "notBetween": "不介于"}
MAYBE = "条件格式可能使其不可见"


def _attrs(raw: bytes) -> dict[str, str]:
    return {k.decode(): html.unescape(v.decode("utf-8", "replace")) for k, v in tag_attrs(raw).items()}


def dxf_looks(look: StylesLook) -> list[tuple[str | None, str | None]]:
    """Each differential style's (font colour, fill colour) of a styles part, None where it says none.
    A dxf's solid fill is its bgColor (ECMA-376 Part 1, 18.8.17), or its fgColor where it gives only that."""
    block = BLOCK[b"dxfs"].search(look.styles)
    out = []
    for m in ITEM[b"dxf"].finditer(block.group(1) if block else b""):
        body = m.group(2) or b""
        font = ITEM[b"font"].search(body)
        colour = COLOR.search(font.group(2) or b"") if font else None
        rgb = look.colours.rgb(tag_attrs(colour.group(1)), None) if colour else None
        fill = ITEM[b"fill"].search(body)
        back = None
        if fill:
            inner = fill.group(2) or b""
            kind = _PATTERN.search(inner)
            if kind is not None and kind.group(1) == b"none":
                back = WHITE
            elif given := (_BG.search(inner) or FG.search(inner)):
                back = look.colours.rgb(tag_attrs(given.group(1)), None)
        out.append((rgb, back))
    return out


@dataclass
class Rule:
    """A conditional format that hides text in some cells of `ranges` ((row1, col1, row2, col2), Excel
    rows, 0-based columns): `test` says which values it applies to (None: it cannot be told: MAYBE);
    `why`, what hides the text where it applies; `styles`, the cell styles on which its dxf hides the
    text (None: every one), and `cells`, the styled cells of its ranges the sheet's second look found
    with such a style (or, `hidden_unstyled` False… see `hidden_at`)."""

    ranges: list[tuple[int, int, int, int]]
    kind: str
    test: tuple | None
    said: str
    why: str
    styles: frozenset[int] | None = None
    count: int = 0    # the workbook's cell styles
    # the styled cells (row, col) → style, of the styles any rule asks about (second look)
    cells: dict = field(default_factory=dict)

    def hidden_at(self, row: int, col: int) -> bool:
        """Whether the rule's dxf hides the text of the cell at (row, col), by the cell's own style."""
        return self.styles is None or self.cells.get((row, col), 0) in self.styles


def cell_ranges(sqref: str) -> list[tuple[int, int, int, int]]:
    """(row1, col1, row2, col2) of each range of an sqref ("B2:B9 D4"): Excel rows, 0-based columns."""
    from aidctl.read.sheetxml import letter_index

    out = []
    for m in _REF.finditer(sqref):
        r1, c1 = int(m.group(2)), letter_index(m.group(1))
        r2, c2 = (int(m.group(4)), letter_index(m.group(3))) if m.group(3) else (r1, c1)
        out.append((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
    return out


def _constant(formula: str) -> tuple[str, float | str] | None:
    """A formula that is a constant: a number, or a quoted text ("退学"); None otherwise."""
    text = formula.strip()
    if _NUMBER.fullmatch(text):
        return ("n", float(text))
    if len(text) >= 2 and text[0] == text[-1] == '"' and '"' not in text[1:-1].replace('""', ""):
        return ("t", text[1:-1].replace('""', '"'))
    return None


def judged(kind: str, attrs: dict[str, str], formulas: list[str]) -> tuple[tuple | None, str]:
    """How a rule is judged by a cell's value (None: it cannot be), and what it says, for a message."""
    if kind == "cellIs":
        operator = attrs.get("operator", "equal")
        operands = [_constant(f) for f in formulas]
        said = f"单元格值{OPERATORS.get(operator, operator)}{'与'.join(formulas)}"
        if operator in OPERATORS and operands and all(operands) and \
                len(operands) >= (2 if operator in ("between", "notBetween") else 1):
            return ("cellIs", operator, operands), said
        return None, said
    if kind in _TEXT_TYPES:
        text = attrs.get("text")
        words = {"containsText": "包含", "notContainsText": "不包含", "beginsWith": "开头是", "endsWith": "结尾是"}
        return (("text", kind, text) if text is not None else None), f"文本{words[kind]}“{text or ''}”"
    if kind in ("containsBlanks", "notContainsBlanks"):
        return (kind,), "单元格为空" if kind == "containsBlanks" else "单元格非空"
    if kind == "expression":
        formula = formulas[0].strip().upper() if formulas else ""
        if formula in ("TRUE", "1", "TRUE()"):
            return ("always",), f"公式 {formulas[0].strip()}"
        if formula in ("FALSE", "0", "FALSE()"):
            return ("never",), f"公式 {formulas[0].strip()}"
        return None, f"公式“{formulas[0].strip() if formulas else ''}”"
    return None, f"规则类型 {kind}"


def sheet_rules(tail: bytes, look: StylesLook, contrast_below: float | None) -> list[Rule]:
    """The conditional formats of a sheet (the part after its cells, `tail`) whose dxf hides text on
    some cell style: on each style its font and fill with the dxf's laid over them compared (hides)."""
    if b"conditionalFormatting" not in tail:
        return []
    dxfs = dxf_looks(look)
    xfs = range(max(len(look.xfs), 1))
    out = []
    for block in _CF_BLOCK.finditer(tail):
        sqref = _SQREF.search(block.group(1))
        if sqref is None:
            continue   # an x14 extension's (its sqref an element): not looked at
        ranges = cell_ranges(sqref.group(1).decode("ascii", "replace"))
        for m in _RULE.finditer(block.group(2)):
            attrs = _attrs(m.group(1))
            dxf = attrs.get("dxfId", "")
            if not dxf.isdigit() or int(dxf) >= len(dxfs):
                continue
            font, fill = dxfs[int(dxf)]
            if font is None and fill is None:
                continue
            whys = {s: hides(font or look.font_of(s), fill or look.fill_of(s), contrast_below) for s in xfs}
            hidden = frozenset(s for s, why in whys.items() if why)
            if not hidden:
                continue
            formulas = [html.unescape(f.decode("utf-8", "replace")) for f in _FORMULA.findall(m.group(2) or b"")]
            test, said = judged(attrs.get("type", ""), attrs, formulas)
            if test == ("never",) or test == ("containsBlanks",):
                continue   # applies to no cell holding something
            why = rule_why(test, said, whys[min(hidden)])
            out.append(Rule(ranges, attrs.get("type", ""), test, said, why,
                            None if len(hidden) == len(xfs) else hidden, len(xfs)))
    return out


def rule_why(test: tuple | None, said: str, why: str) -> str:
    """What a rule that hides text (`why`) where it applies says of a cell: judged (`test`), or not."""
    return f"条件格式（{said}）使其{why}" if test is not None else \
        f"{MAYBE}（{said}无法在不计算公式的情况下判断是否生效，生效时{why}）"


def applies(rule: Rule, values):
    """Which of `values` (a pandas Series of the cells' values as read, none blank) the rule applies
    to: a boolean array; every one where the rule cannot be judged (it may)."""
    import numpy as np
    import pandas as pd

    test = rule.test
    if test is None or test[0] in ("always", "notContainsBlanks"):
        return np.ones(len(values), dtype=bool)
    text = values.astype(str).str.strip()
    lower = text.str.lower()
    if test[0] == "text":
        _, kind, word = test
        word = word.lower()
        found = {"containsText": lambda: lower.str.contains(word, regex=False),
                 "notContainsText": lambda: ~lower.str.contains(word, regex=False),
                 "beginsWith": lambda: lower.str.startswith(word),
                 "endsWith": lambda: lower.str.endswith(word)}[kind]()
        return found.to_numpy(dtype=bool)
    _, operator, operands = test
    numbers = pd.to_numeric(text, errors="coerce")

    def compare(operand, op: str):
        kind, value = operand
        if kind == "n":
            # a text compared with a number is larger than any (Excel's order of types)
            result = {"equal": numbers == value, "notEqual": numbers != value, "greaterThan": numbers > value,
                      "lessThan": numbers < value, "greaterThanOrEqual": numbers >= value,
                      "lessThanOrEqual": numbers <= value}[op]
            is_text = numbers.isna()
            return result.where(~is_text, op in ("notEqual", "greaterThan", "greaterThanOrEqual")).astype(bool)
        word = str(value).lower()
        result = {"equal": lower == word, "notEqual": lower != word, "greaterThan": lower > word,
                  "lessThan": lower < word, "greaterThanOrEqual": lower >= word, "lessThanOrEqual": lower <= word}[op]
        # a number compared with a text is smaller than any
        return result.where(numbers.isna(), op in ("notEqual", "lessThan", "lessThanOrEqual")).astype(bool)

    if operator in ("between", "notBetween"):
        low, high = operands[0], operands[1]
        inside = compare(low, "greaterThanOrEqual") & compare(high, "lessThanOrEqual")
        either = inside | (compare(high, "greaterThanOrEqual") & compare(low, "lessThanOrEqual"))
        return (either if operator == "between" else ~either).to_numpy(dtype=bool)
    return compare(operands[0], operator).to_numpy(dtype=bool)


def conditional_cells(rules: list[Rule], key_of: dict[int, str], rows, cells) -> list[tuple[int, str, str]]:
    """(Excel row, key, why) of the records' cells (`rows` ascending, `cells` their Arrow columns) in
    the columns `key_of` (0-based column → key) that a rule hides or may hide: each rule's ranges
    cut out of the records by a search over `rows`, its test run over their values at once."""
    import numpy as np

    found = []
    for rule in rules:
        for r1, c1, r2, c2 in rule.ranges:
            lo, hi = np.searchsorted(rows, r1), np.searchsorted(rows, r2, side="right")
            if lo >= hi:
                continue
            for col, key in key_of.items():
                if not c1 <= col <= c2:
                    continue
                values = cells.column(key).slice(lo, hi - lo).to_pandas()
                held = values.notna() & (values.astype(str).str.strip() != "")
                if not held.any():
                    continue
                at = np.flatnonzero(held.to_numpy())
                hit = at[applies(rule, values.iloc[at].reset_index(drop=True))]
                for i in hit.tolist():
                    row = int(rows[lo + i])
                    if rule.hidden_at(row, col):
                        found.append((row, key, rule.why))
    return found


def styled_cells(source, part: str, data: bytes | None, pat, rules: list) -> None:
    """A second look at a sheet (sheetxml._Patterns `pat`), where a conditional format hides text on
    some cell styles and not on others: the style of each cell holding something with a style the
    rules judge otherwise than the default one (written without s=), kept by the rules. In chunks."""
    from aidctl.read.sheetxml import CELL_REF, CHUNK, letter_index, open_part

    # the styles on which some rule says otherwise than on the default style: a cell not found is as it
    asked = {s for rule in rules if rule.styles is not None for s in range(1, rule.count)
             if (s in rule.styles) != (0 in rule.styles)}
    marks = pat.style_marks(asked)
    cells: dict[tuple[int, int], int] = {}
    with contextlib.ExitStack() as stack:
        fh = open_part(stack, source, part, data)
        pending = b""
        while True:
            chunk = fh.read(CHUNK)
            buf = pending + chunk
            cut = buf.rfind(pat.cell_start) if chunk else len(buf)
            if cut <= 0 and chunk:
                pending = buf
                continue
            for hit in marks.finditer(buf, 0, cut) if marks is not None else ():
                tag = pat.styled_cell(buf, hit)
                ref = CELL_REF.search(tag) if tag is not None else None
                if ref is not None:
                    cells[(int(ref.group(2)), letter_index(ref.group(1)))] = int(hit.group(1))
            if not chunk:
                break
            pending = buf[cut:]
    for rule in rules:
        rule.cells = cells
