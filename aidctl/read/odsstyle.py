"""What hides an .ods cell's text beyond its cell style's font and fill (cell.invisible), as an .xlsx's
is judged: a number format's colour (LibreOffice writes [White]0, 0;0;0;[White]@ as number:number-style
and number:text-style elements with a fo:color, their sections as style:map conditions on value()),
judged a cell at a time by the value it holds (drawn.Sections, Judged); a conditional format
(calcext:conditional-format: a condition and the cell style it applies) whose style draws the text
in its fill's colour, judged by conditional.judged as the .xlsx's rules are, its ranges kept as
ranges (SheetScan.invisible.rules); a conditional format written only as style:map on the cells'
styles (ODF 1.2, without LibreOffice's calcext) is judged by the same rules, the cells' values
gathered during the scan; and a rich cell's runs (text:span), judged whole (styles.hidden_runs).

The scan (sheetxml.scan_ods) calls OdsStyles at a cell's start (`cell`), at the end of a style, a
conditional format, a cell and a table (`end`): linear in the cells.
"""

from __future__ import annotations

import io
import re
from xml.etree import ElementTree

from aidctl.read.conditional import Rule, judged, rule_why
from aidctl.read.drawn import NAMED, Sections
from aidctl.read.styles import BLACK, WHITE, hidden_runs, hides

_NUMBER = "{urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0}"
_STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
_FO = "{urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0}"
_T = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_CALCEXT = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}"
DATA_STYLES = frozenset(f"{_NUMBER}{kind}-style" for kind in
                        ("number", "currency", "percentage", "date", "time", "boolean", "text"))
_CF = f"{_CALCEXT}conditional-format"
_CELLS = frozenset((f"{_T}table-cell", f"{_T}covered-table-cell"))
TAGS = DATA_STYLES | _CELLS | {_CF, f"{_T}table", f"{_STYLE}style"}   # the elements `end` is called for
_VALUE_CONDITION = re.compile(r"\s*value\(\)\s*(<=|>=|!=|<>|<|>|=)\s*([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)\s*$")
_PLAIN = set("-+()$:/ ,.%")   # a format's literal text written without quotes
# a calcext condition (LibreOffice) or a style:map condition (ODF 1.2) → conditional.judged's kinds
_COMPARE = re.compile(r"\s*(?:cell-content\(\)\s*)?(<=|>=|!=|<>|<|>|=)(.*)$", re.S)
_OPERATORS = {"<": "lessThan", ">": "greaterThan", "<=": "lessThanOrEqual", ">=": "greaterThanOrEqual",
              "=": "equal", "!=": "notEqual", "<>": "notEqual"}
_CALL = re.compile(r"\s*([a-z-]+)\((.*)\)\s*$", re.S)
_BETWEEN = {"between": "between", "not-between": "notBetween", "cell-content-is-between": "between",
            "cell-content-is-not-between": "notBetween"}
_TEXT_KINDS = {"contains-text": "containsText", "not-contains-text": "notContainsText",
               "begins-with": "beginsWith", "ends-with": "endsWith"}
_ODF_REF = re.compile(r"\[\$?(?:'((?:[^']|'')*)'|([^\].']*))\.([^\]]+)\]")
_SHEET = re.compile(r"(?:\$?'(?:[^']|'')*'|\$?[^\s.:'$]+)\.(?=\$?[A-Z])")
_VALUE_KIND = {"float": b"n", "percentage": b"n", "currency": b"n", "date": b"n", "time": b"n",
               "string": b"s", "boolean": b"b"}


def _colour(el) -> str | None:
    props = el.find(f"{_STYLE}text-properties")
    text = (props.get(f"{_FO}color") or "") if props is not None else ""
    return text[1:].upper() if len(text) == 7 and text.startswith("#") else None


def _body(el) -> str:
    """A data style's elements as an Excel format section's code (for a message: 0, -0, #,##0.00, @)."""
    out = []
    for part in el:
        kind = part.tag.removeprefix(_NUMBER)
        if kind in ("number", "scientific-number", "fraction"):
            digits = int(part.get(f"{_NUMBER}min-integer-digits", "1") or 1)
            whole = ("#,##" + "0" * max(digits, 1)) if part.get(f"{_NUMBER}grouping") == "true" else "0" * digits or "#"
            places = int(part.get(f"{_NUMBER}decimal-places", "0") or 0)
            least = int(part.get(f"{_NUMBER}min-decimal-places", str(places)) or 0)
            out.append(whole + ("." + "0" * least + "#" * (places - least) if places else ""))
            if kind == "scientific-number":
                out.append("E+" + "0" * int(part.get(f"{_NUMBER}min-exponent-digits", "2") or 2))
        elif kind in ("text", "currency-symbol"):
            text = part.text or ""
            out.append(text if set(text) <= _PLAIN else '"' + text.replace('"', "") + '"')
        elif kind == "text-content":
            out.append("@")
        elif kind in ("year", "month", "day", "hours", "minutes", "seconds", "day-of-week", "am-pm"):
            long = part.get(f"{_NUMBER}style") == "long"
            out.append({"year": "yyyy" if long else "yy", "month": "mm" if long else "m", "day": "dd" if long else "d",
                        "hours": "hh" if long else "h", "minutes": "mm", "seconds": "ss", "day-of-week": "aaaa",
                        "am-pm": "AM/PM"}[kind])
    return "".join(out)


def _odf_formula(text: str) -> str:
    """An ODF formula's references as Excel writes them: [.$C1] → $C1, [Sheet2.A1] → Sheet2!A1."""
    return _ODF_REF.sub(lambda m: (f"{m.group(1) or m.group(2)}!" if (m.group(1) or m.group(2)) else "")
                        + m.group(3), text).removeprefix("of:=").strip()


def _arguments(text: str) -> list[str]:
    """A call's arguments, cut at the commas and semicolons outside quotes and brackets."""
    out, current, depth, quoted = [], [], 0, False
    for ch in text:
        quoted ^= ch == '"'
        depth += (ch in "([") - (ch in ")]") if not quoted else 0
        if ch in ",;" and not quoted and depth == 0:
            out.append("".join(current))
            current = []
        else:
            current.append(ch)
    return [*out, "".join(current)] if current or out else []


def condition(text: str) -> tuple[tuple | None, str]:
    """A calcext condition (>1000, between(200,300), contains-text("退学"), formula-is([.$C1]="退学"),
    top-elements(1) …) or a style:map's (cell-content()>1000, cell-content-is-between(1,2),
    is-true-formula(…)), judged as the .xlsx's rule of the same kind is (conditional.judged)."""
    compare = _COMPARE.match(text)
    if compare:
        return judged("cellIs", {"operator": _OPERATORS[compare.group(1)]}, [_odf_formula(compare.group(2))])
    call = _CALL.match(text)
    name = call.group(1) if call else ""
    if name in _BETWEEN:
        return judged("cellIs", {"operator": _BETWEEN[name]}, [_odf_formula(a) for a in _arguments(call.group(2))])
    if name in _TEXT_KINDS:
        (arg, *_) = _arguments(call.group(2)) or [""]
        arg = arg.strip()
        quoted = len(arg) >= 2 and arg[0] == arg[-1] == '"'
        return judged(_TEXT_KINDS[name], {"text": arg[1:-1].replace('""', '"')} if quoted else {}, [])
    if name in ("formula-is", "is-true-formula"):
        return judged("expression", {}, [_odf_formula(call.group(2))])
    return judged(text.strip(), {}, [])   # top-elements(1), duplicate, … : cannot be judged (MAYBE)


def _cells_range(address: str) -> list[tuple[int, int, int, int]]:
    from aidctl.read.conditional import cell_ranges

    return cell_ranges(_SHEET.sub("", address))


class OdsStyles:
    """The number formats, conditional formats and rich text of an .ods that hide text (see the module)."""

    def __init__(self, looks, named: bytes | None = None):
        self.looks = looks   # unseen.OdsLook
        self.contrast_below = getattr(looks.look, "contrast_below", None)
        self.data: dict[str, tuple] = {}     # data style → (text style?, colour, code, maps: (condition, style))
        self.display: dict[str, str] = {}    # a style's display name → its name (calcext names the display one)
        self.maps: dict[str, list[tuple[str, str]]] = {}   # cell style → its style:map (condition, style)
        self._sections: dict[str | None, Sections | None] = {}
        self._judged: dict[str | None, object] = {}
        self._colours: dict[str | None, tuple[str, str]] = {}
        self.spans = False   # a text:span of the current cell may hide some of its text (sheetxml sets it)
        self._table()
        if named:
            for _, el in ElementTree.iterparse(io.BytesIO(named)):
                if el.tag in DATA_STYLES or el.tag == f"{_STYLE}style":
                    self._style(el)

    def _table(self) -> None:
        self.looks_of: dict[tuple[str, str], int] = {(BLACK, WHITE): 0}  # a cell's (colour, fill) → its number
        self.placed: dict[tuple[int, int], int] = {}   # (row, col) → look number, for a look other than 0
        self.mapped: list[tuple[int, int, str, str]] = []   # (row, col, style, value) of styles with style:map
        self.calcext = False   # the table has calcext conditional formats (its style:map are their copies)

    def _style(self, el) -> None:
        if el.tag in DATA_STYLES:
            maps = [(m.get(f"{_STYLE}condition", ""), m.get(f"{_STYLE}apply-style-name", ""))
                    for m in el.findall(f"{_STYLE}map")]
            self.data[el.get(f"{_STYLE}name", "")] = (el.tag == f"{_NUMBER}text-style", _colour(el), _body(el), maps)
        else:
            name = el.get(f"{_STYLE}name", "")
            self.display[el.get(f"{_STYLE}display-name") or name] = name
            maps = [(m.get(f"{_STYLE}condition", ""), m.get(f"{_STYLE}apply-style-name", ""))
                    for m in el.findall(f"{_STYLE}map")]
            if maps and el.get(f"{_STYLE}family") == "table-cell":
                self.maps[name] = maps
        self._sections.clear()
        self._judged.clear()
        self._colours.clear()

    # --- number formats ---------------------------------------------------------------------------

    def sections(self, name: str | None) -> Sections | None:
        """The sections of data style `name` where one draws in a colour of its own (drawn.Sections,
        its code as Excel writes it: LibreOffice's main style is the last section, its maps the others)."""
        if name not in self._sections:
            self._sections[name] = self._read_sections(name)
        return self._sections[name]

    def _read_sections(self, name: str | None) -> Sections | None:
        main = self.data.get(name or "")
        if main is None:
            return None
        is_text, colour, body, maps = main
        parts = []
        for text, applied in maps:
            m = _VALUE_CONDITION.match(text)
            # a condition not of value() (none LibreOffice writes) is taken to show every value it is asked of
            cond = (("<>" if m.group(1) == "!=" else m.group(1)), float(m.group(2))) if m else None
            parts.append((cond, self.data.get(applied, (False, None, "", []))))
        numbers = tuple((look[1], cond) for cond, look in parts) + (() if is_text else ((colour, None),))
        if not any(c for c, _ in numbers) and not (is_text and colour):
            return None
        conds = [cond for cond, _ in parts]
        plain = conds in ([(">=", 0.0)], [(">", 0.0), ("<", 0.0)], [(">", 0.0), ("<", 0.0), ("=", 0.0)])

        def code(look, cond) -> str:
            said = "" if plain or cond is None else f"[{cond[0]}{cond[1]:g}]"
            return (f"[{_colour_name(look[1])}]" if look[1] else "") + said + look[2]

        text = ";".join([*(code(look, cond) for cond, look in parts), code(main, None)])
        return Sections(text, numbers or ((None, None),), colour if is_text else None, is_text)

    def cell(self, scan, row: int, col: int, repeat: int, style: str | None, el) -> None:
        """A cell's start (Excel row, 0-based column, its repeat, its style): its number format's colour
        judged by its value; its look kept for the conditional formats."""
        kind = el.get(f"{_OFFICE}value-type")
        if not kind:
            return
        look = self._look(style)
        if look:
            self.placed.update(((row, c), look) for c in range(col, col + repeat))
        if style not in self._judged:
            sections = self.sections(self.looks.said(style, "data"))
            base, background, _ = self.looks.cell(style)
            found = sections.judged(None, background, self.contrast_below) if sections and not base else None
            self._judged[style] = found if found is not None and found.some else None
        found = self._judged[style]
        if found is not None:
            value = el.get(f"{_OFFICE}value", "1" if kind in ("date", "time") else "")   # a date: a positive number
            why = found.why(_VALUE_KIND.get(kind, b"e"), value.encode())
            if why:
                scan.invisible.extend((row, c, why) for c in range(col, col + repeat))

    def _look(self, style: str | None) -> int:
        """The number of a cell style's (font colour, fill) among the table's looks (0: black on white)."""
        if style not in self._colours:
            self._colours[style] = (self.looks.said(style, "colour") or BLACK, self.looks.said(style, "background") or WHITE)
        return self.looks_of.setdefault(self._colours[style], len(self.looks_of))

    # --- the end of an element --------------------------------------------------------------------

    def end(self, el, scan, cell: tuple[int, int] | None, style: str | None) -> None:
        """The end of a style, a conditional format, a cell or a table (TAGS)."""
        if el.tag in DATA_STYLES or el.tag == f"{_STYLE}style":
            self._style(el)
        elif scan is None:
            return
        elif el.tag in _CELLS:
            repeat = min(int(el.get(f"{_T}number-columns-repeated", "1")), 10_000)
            if self.spans and cell is not None and (why := self._runs(el, style)):
                scan.invisible.extend((cell[0], c, why) for c in range(cell[1], cell[1] + repeat))
            if style in self.maps and cell is not None and el.get(f"{_OFFICE}value-type"):
                value = el.get(f"{_OFFICE}value") or "\n".join("".join(p.itertext()) for p in el.findall(f"{_TEXT}p"))
                self.mapped.extend((cell[0], c, style, value) for c in range(cell[1], cell[1] + repeat))
            self.spans = False
        elif el.tag == _CF:
            self.calcext = True
            ranges = _cells_range(el.get(f"{_CALCEXT}target-range-address", ""))
            found = [self._rule(ranges, c.get(f"{_CALCEXT}value", ""), c.get(f"{_CALCEXT}apply-style-name"))
                     for c in el if c.tag == f"{_CALCEXT}condition"]
            found += [self._rule(ranges, f"date-is({c.get(f'{_CALCEXT}date')})", c.get(f"{_CALCEXT}style"))
                      for c in el if c.tag == f"{_CALCEXT}date-is"]
            scan.invisible.rules = [*scan.invisible.rules, *(r for r in found if r is not None)]
        else:   # the end of a table
            for rule in scan.invisible.rules:
                rule.cells = self.placed
            if self.mapped and not self.calcext:
                self._mapped(scan)
            self._table()

    def _rule(self, ranges, text: str, applied: str | None) -> Rule | None:
        """A conditional format's condition as a conditional.Rule where its style hides text on some
        look of the table's cells (`styles`: the looks' numbers, None: every one)."""
        test, said = condition(text)
        if test in (("never",), ("containsBlanks",)):
            return None   # applies to no cell holding something
        name = self.display.get(applied or "", applied)
        font, fill = self.looks.said(name, "colour", root=False), self.looks.said(name, "background", root=False)
        if font is None and fill is None:
            return None
        # its own colours laid over the cell's (as an .xlsx's dxf is); LibreOffice may draw the colour of
        # the style's root (Default) instead of the cell's own: hidden either way is said
        root = self.looks.said(name, "colour")
        whys = {n: hides(font or colour, fill or background, self.contrast_below)
                or hides(root or colour, fill or background, self.contrast_below)
                for (colour, background), n in self.looks_of.items()}
        hidden = frozenset(n for n, why in whys.items() if why)
        if not hidden:
            return None
        kind = test[0] if test else text
        return Rule(ranges, kind, test, said, rule_why(test, said, whys[min(hidden)]),
                    None if len(hidden) == len(whys) else hidden, len(whys))

    def _mapped(self, scan) -> None:
        """The cells whose styles carry style:map and no calcext format: each map, in order, judged
        over the values of its style's cells at once; the first that applies is the one drawn."""
        import numpy as np
        import pandas as pd

        from aidctl.read.conditional import applies

        frame = pd.DataFrame(self.mapped, columns=["row", "col", "style", "value"])
        for style, group in frame.groupby("style", sort=False):
            values = group["value"].fillna("").astype(str).reset_index(drop=True)
            left = (values.str.strip() != "").to_numpy()
            for text, applied in self.maps[style]:
                test, said = condition(text)
                if test in (("never",), ("containsBlanks",)):
                    continue   # applies to no cell holding something
                taken = left & applies(Rule([], "", test, said, ""), values)
                rule = self._rule([], text, applied)
                if rule is not None and (rule.styles is None or self._look(style) in rule.styles):
                    at = np.flatnonzero(taken)
                    scan.invisible.extend((row, col, rule.why) for row, col in zip(
                        group["row"].to_numpy()[at].tolist(), group["col"].to_numpy()[at].tolist()))
                left = left & ~taken

    # --- rich text --------------------------------------------------------------------------------

    def _runs(self, el, style: str | None) -> str | None:
        """What hides a rich cell's text (its paragraphs, not a comment's), judged whole as an .xlsx's runs
        are (styles.hidden_runs): every run hidden, as a cell's; some, 部分文字."""
        why, fill, _ = self.looks.cell(style)
        colour = self.looks.said(style, "colour") or BLACK
        runs: list[tuple] = []
        for p in el.findall(f"{_TEXT}p"):
            self._walk(p, colour, None, runs)
        return hidden_runs(runs, fill, self.looks.look.font_size_below, self.contrast_below)

    def _walk(self, node, colour: str | None, small: float | None, runs: list) -> None:
        if node.text:
            runs.append((not node.text.strip(), small, colour))
        for child in node:
            if child.tag == f"{_TEXT}span":
                own, own_small = self.looks.span_look(child.get(f"{_TEXT}style-name"))
                self._walk(child, own or colour, own_small if own_small is not None else small, runs)
            elif child.tag != f"{_OFFICE}annotation":
                self._walk(child, colour, small, runs)
            if child.tail:
                runs.append((not child.tail.strip(), small, colour))


def _colour_name(rgb: str) -> str:
    """A format colour as Excel writes it: [White] for FFFFFF; another, by its RRGGBB."""
    return next((name.capitalize() for name, value in NAMED.items() if value == rgb and name.isascii()), f"#{rgb}")
