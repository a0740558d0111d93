"""What a sheet's file says beyond the text of its cells, read in one streaming pass.

fastexcel (and python-calamine) give the text a cell shows, not how the sheet is laid out. A reader
of the sheet also sees which cells are merged, which rows and columns are hidden, which cells hold a
formula that was never calculated (a file written by a script and never opened in Excel), and, for
the checks of IDs and cards, which cells hold a number too long for Excel to keep. For .xlsx this is
a byte-level scan of the sheet's XML part beside fastexcel's parse; for .ods an iterparse of
content.xml (ODS rosters are small); for .xls, read.biff walks the sheet's BIFF records. Nothing
here loads a sheet into openpyxl.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

import numpy as np

from aidctl.read.conditional import sheet_rules, styled_cells
from aidctl.read.numformat import display_of_text, telling
from aidctl.read.odsstyle import TAGS, OdsStyles
from aidctl.read.styles import NONE_STRUCK, RUN_MARK, STRIKE_MARK, Struck, hidden_runs, strike_on, text_runs
from aidctl.read.unseen import OdsLook

# A number value with 16+ integer digits: Excel keeps 15 significant digits, so the rest is gone.
# The scan looks for such values first (rare, and a literal-prefixed pattern is fast), then reads
# the enclosing cell tag for its reference and type.
_BIG_VALUE = rb'v>(?:\d{16,}(?:\.\d*)?|\d(?:\.\d+)?[eE]\+?(?:1[5-9]|[2-9]\d|\d{3}))</'
CELL_REF = re.compile(rb'\sr="([A-Z]{1,3})(\d+)"')
_CELL_TYPE = re.compile(rb'\st="(\w+)"')
_ROW_NUMBER = re.compile(rb'\sr="(\d+)"')
_STYLE_NUMBER = re.compile(rb'\ss="(\d+)"')
_COL_SPAN = re.compile(rb'\smin="(\d+)"[^>]*?\smax="(\d+)"|\smax="(\d+)"[^>]*?\smin="(\d+)"')
_ROOT_PREFIX = re.compile(rb'<(\w+:)?worksheet\b')
CHUNK = 1 << 22
# How a spreadsheet shows an error value (Excel's, and LibreOffice's Err:502): in a CSV, and in an .ods
# written without LibreOffice's own "error" type, the error is known by its text alone. Each begins with
# "#" or "Err:" (unknown.text_errors looks for these bytes before it matches a column's cells).
ERROR_TEXT = (r"#(?:NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A|GETTING_DATA|SPILL!|CALC!|FIELD!|BLOCKED!"
              r"|UNKNOWN!|BUSY!|CONNECT!|PYTHON!|EXTERNAL!)|Err:\d{3}")
_ERROR_TEXT = re.compile(ERROR_TEXT)


@dataclass
class SheetScan:
    """The layout of one sheet. Rows are Excel row numbers, columns 0-based (A = 0)."""

    big_numbers: dict[int, np.ndarray] | None = field(default_factory=dict)  # None: some unplaced
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)    # (row1, col1, row2, col2)
    hidden_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    hidden_columns: frozenset[int] = frozenset()
    formulas: list[tuple[int, int, str]] = field(default_factory=list)  # (row, col, formula): no value
    unplaced_formulas: int = 0  # formulas without a value in cells that carry no reference
    errors: list[tuple[int, int, str]] = field(default_factory=list)  # (row, col, error value): #N/A …
    unplaced_errors: int = 0    # error values in cells that carry no reference
    # (row, col): text struck out (删除线); None: unknown (an .xls whose records cannot be read: read.biff)
    struck: list[tuple[int, int]] | None = field(default_factory=list)
    unplaced_struck: int = 0    # struck-out cells that carry no reference
    # (row, col, style): number cells whose number format shows another number than they hold
    # (read.numformat); their style is a key of the workbook's Struck.formats
    formatted: list[tuple[int, int, int]] = field(default_factory=list)
    unplaced_formatted: int = 0  # such cells that carry no reference
    # an .ods sheet's own: what each of its formatted cells shows (the style of `formatted` a key
    # here), as the text it keeps beside the number tells (numformat.display_of_text); an .xlsx's or
    # .xls's formats are its workbook's styles (Struck.formats, XlsBook.formatted_xfs)
    formats: dict = field(default_factory=dict)
    # (row, col, what hides it): cells holding something drawn so that nobody sees it (a font coloured
    # as the fill, or too small: styles.StylesLook, unseen.OdsLook, unseen.xls_invisible_xfs); row and
    # col -1: a cell without a reference
    invisible: list[tuple[int, int, str]] = field(default_factory=lambda: Invisible())


class Invisible(list):
    """SheetScan.invisible, with an .xlsx sheet's conditional formats that hide text in some cells
    (`rules`: conditional.Rule), judged against the records' values when the table is read."""

    rules: list | tuple = ()   # (a class default: replaced, never changed in place)


_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"


_PARSED: dict[bytes, tuple[tuple[str, str | None, bool], ...]] = {}   # digest of the two parts → sheets
_PARSED_KEPT = 8


def workbook_sheets(workbook: bytes, rels: bytes) -> tuple[tuple[str, str | None, bool], ...]:
    """(name, part, hidden?) of each sheet of an .xlsx, in the workbook's order, from the bytes of
    xl/workbook.xml and xl/_rels/workbook.xml.rels; the part is the zip member's path (None when no
    relationship names one). Parsed once for the limits check and the reader of the same file: the
    few last parses are kept by a digest of the parts (the parts themselves, up to 64 MB each, are
    not held). Raises ElementTree.ParseError."""
    key = hashlib.blake2b(len(workbook).to_bytes(8, "little") + workbook + rels, digest_size=20).digest()
    found = _PARSED.get(key)
    if found is None:
        found = _parse_workbook(workbook, rels)
        if len(_PARSED) >= _PARSED_KEPT:
            _PARSED.clear()
        _PARSED[key] = found
    return found


def _parse_workbook(workbook: bytes, rels: bytes) -> tuple[tuple[str, str | None, bool], ...]:
    targets = {}
    for rel in ElementTree.fromstring(rels).iter(f"{_NS_PKG}Relationship"):
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        targets[rel.get("Id")] = posixpath.normpath(path)
    return tuple((sheet.get("name", ""), targets.get(sheet.get(f"{_NS_REL}id")),
                  sheet.get("state", "visible") != "visible")
                 for sheet in ElementTree.fromstring(workbook).iter(f"{_NS_MAIN}sheet"))


def letter_index(letters: str | bytes) -> int:
    """'A' → 0, 'AB' → 27."""
    n = 0
    for ch in letters.decode() if isinstance(letters, bytes) else letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


class _Patterns:
    """The scan's patterns for one namespace prefix (most files have none, some write "x:")."""

    def __init__(self, prefix: bytes, row_height_below: float | None = None,
                 column_width_below: float | None = None):
        self.prefix = prefix
        p = re.escape(prefix)
        # a row lower than the rules' row_height_below (rules/columns.yaml `look`) is hidden too; without
        # the rules, a row of no height. `small` matches a superset of those heights, checked after
        self.row_height_below = row_height_below
        small = heights_up_to(row_height_below) if row_height_below else rb"0+(?:\.0+)?"
        self.cell_start = b"<" + prefix + b"c "
        # literal marks, looked for first: re's literal search is twice as fast as `in` for a
        # needle that starts with "<", the commonest byte of the file
        self.formula_mark = re.compile(re.escape(b"</" + prefix + b"f>"))
        self.hidden_mark = re.compile(rb'hidden="')
        # a row of no height, a column of no width: hidden to whoever reads the sheet, though the
        # file does not say hidden (written so by WPS or a program, not by Excel's own Hide)
        # (not customHeight="1", which many a writer puts on every row: a match each, each looked at)
        self.zero_mark = re.compile(rb'ht="(?<![Hh]eight=")' + small + b'"')
        # … and a column narrower than the rules' column_width_below (without the rules, of no width)
        self.column_width_below = column_width_below
        narrow = heights_up_to(column_width_below) if column_width_below else rb"0+(?:\.0+)?"
        self.zero_width_mark = re.compile(rb'width="' + narrow + b'"')
        self.big = re.compile(b"<" + p + _BIG_VALUE + p)
        # what `big` needs somewhere in the part, each found by a literal-led search (a third of the
        # time of `big` itself, whose alternation is tried at every value): 16 digits opening a
        # value, or an exponent of two or more digits
        self.big_gates = (re.compile(b"<" + p + rb"v>\d{16}"), re.compile(rb"E\+?\d\d"), re.compile(rb"e\+?\d\d"))
        self.row = re.compile(b"<" + p + rb'row\s[^>]*?\b(?:hidden="(?:1|true)"|ht="' + small + rb'")[^>]*>')
        self.any_row = re.compile(b"<" + p + rb"row\s[^>]*>")
        self.default_height = re.compile(b"<" + p + rb'sheetFormatPr\b[^>]*?\bdefaultRowHeight="([^"]*)"')
        self.col = re.compile(b"<" + p + rb'col\s[^>]*?\b(?:hidden="(?:1|true)"|width="' + narrow + rb'")[^>]*>')
        # a cell whose formula is followed by no value, or by an empty one
        self.formula = re.compile(b"<" + p + rb"c\s([^>]*[^/])>\s*<" + p + rb"f\b[^>]*?(?:/>|>([^<]*)</" + p
                                  + rb"f>)\s*(<" + p + rb"v\s*/>|<" + p + rb"v>\s*</" + p + rb"v>)?\s*</" + p
                                  + rb"c>")
        # a cell of type "e" (an error value such as #N/A, with or without its formula)
        self.error_mark = re.compile(rb't="e"')   # a literal: a gate before `error`, 5× faster than with \s
        self.error = re.compile(b"<" + p + rb'c\s((?:[^>]*?\s)?t="e"[^>]*?)>(?:<' + p + rb"f\b[^>]*?/>|<" + p
                                + rb"f\b[^>]*>[^<]*</" + p + rb"f>)?\s*<" + p + rb"v>([^<]*)</" + p + rb"v>")
        self.empty_end = re.compile(rb"\s*</" + p + b"c>")
        self.merge = re.compile(b"<" + p + rb'mergeCell\s[^>]*?ref="([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?"')

    def struck(self, struck: Struck) -> list[re.Pattern]:
        """Cells drawn struck out: by a struck style (a non-empty cell's tag), by a shared string
        with a struck run (its number the value); an inline string's struck run is found by
        STRIKE_MARK, which appears in a sheet's part only there."""
        p = re.escape(self.prefix)
        found = []
        if struck.styles:
            numbers = b"|".join(str(n).encode() for n in sorted(struck.styles))
            found.append(re.compile(b"<" + p + rb'c\s[^>]*?\bs="(?:' + numbers + rb')"[^>]*>(?!\s*</' + p + b"c>)"))
        if struck.strings:
            numbers = b"|".join(str(n).encode() for n in sorted(struck.strings))
            found.append(re.compile(b"<" + p + rb'c\s[^>]*?\bt="s"[^>]*>\s*<' + p + rb"v>\s*(?:" + numbers
                                    + rb")\s*</" + p + b"v>"))
        return found

    def style_marks(self, numbers) -> re.Pattern | None:
        """The style attribute (s="N") of one of `numbers`, its number group 1: a literal-led search, nine
        times faster over a sheet than `styled` (whose "<c" is at every cell); its cell is looked at
        after (styled_cell)."""
        if not numbers:
            return None
        return re.compile(rb's="(' + b"|".join(str(n).encode() for n in sorted(numbers)) + rb')"')

    def styled_cell(self, buf: bytes, hit: re.Match) -> bytes | None:
        """The tag of the cell whose style attribute `hit` (style_marks) is, where the cell holds
        something; None for another element's (a row's style) or another attribute (spans="…"), and
        for an empty cell."""
        start = buf.rfind(b"<", 0, hit.start())
        if not buf.startswith(self.cell_start, start) or not buf[hit.start() - 1:hit.start()].isspace():
            return None
        end = buf.find(b">", hit.end())
        tag = buf[start:end + 1]
        if tag.endswith(b"/>") or self.empty_end.match(buf, end + 1):
            return None
        return tag

    def strings(self, numbers) -> re.Pattern | None:
        """A shared-string cell whose string is one of `numbers`: its tag (group 1), the number (2)."""
        if not numbers:
            return None
        p = re.escape(self.prefix)
        alternatives = b"|".join(str(n).encode() for n in sorted(numbers))
        return re.compile(b"(<" + p + rb'c\s[^>]*?\bt="s"[^>]*>)\s*<' + p + rb"v>\s*(" + alternatives + rb")\s*</"
                          + p + b"v>")

    def styled(self, numbers) -> re.Pattern | None:
        """A non-empty cell's tag whose style (`s`) is one of `numbers`; its style is group 1."""
        if not numbers:
            return None
        p = re.escape(self.prefix)
        alternatives = b"|".join(str(n).encode() for n in sorted(numbers))
        return re.compile(b"<" + p + rb'c\s[^>]*?\bs="(' + alternatives + rb')"[^>]*>(?!\s*</' + p + b"c>)")


def heights_up_to(limit: float) -> bytes:
    """A regex of the decimal numbers whose whole part is at most `limit`'s (3 for 3.0: 0.75, 2.25,
    3.5): a superset of the heights below `limit`, each then compared (low_row)."""
    whole = int(limit)
    if whole > 999:
        return rb"\d+(?:\.\d*)?"
    return rb"0*(?:" + b"|".join(str(n).encode() for n in range(whole, -1, -1)) + rb")(?:\.\d*)?"


_HT = re.compile(rb'\sht="([^"]*)"')
_HIDDEN_ATTR = re.compile(rb'\shidden="(?:1|true)"')
_WIDTH = re.compile(rb'\swidth="([^"]*)"')


def narrow_column(tag: bytes, below: float | None) -> bool:
    """Whether a <col> tag hides its columns: marked hidden, or narrower than `below` (characters; of
    no width without the rules)."""
    if _HIDDEN_ATTR.search(tag):
        return True
    width = _WIDTH.search(tag)
    try:
        value = float(width.group(1)) if width else None
    except ValueError:
        return False
    return value is not None and (value < below if below else value == 0)


def low_row(tag: bytes, below: float | None, default_low: bool = False) -> bool:
    """Whether a <row> tag is hidden: marked so, or lower than `below` points (of no height without
    the rules); one without a height of its own is as low as the sheet's default (`default_low`)."""
    if _HIDDEN_ATTR.search(tag):
        return True
    ht = _HT.search(tag)
    if ht is None:
        return default_low
    try:
        height = float(ht.group(1))
    except ValueError:
        return False
    return height < below if below else height == 0


def _attribute(mark: re.Pattern, buf: bytes) -> bool:
    """A literal mark found as an attribute's start (after white space): ht="0 is a row's height,
    and also the end of pageMargins' right="0.7", found in nearly every sheet."""
    return any(buf[m.start() - 1:m.start()].isspace() for m in mark.finditer(buf))


def open_part(stack: contextlib.ExitStack, source, part: str, data: bytes | None):
    """A sheet part to read in chunks: `data` when the caller inflated it whole, else the part of
    `source` (an open ZipFile or a path), closed with `stack`."""
    if data is not None:
        return io.BytesIO(data)
    zf = source if isinstance(source, zipfile.ZipFile) else stack.enter_context(zipfile.ZipFile(source))
    return stack.enter_context(zf.open(part))


def scan_sheet(source: Path | zipfile.ZipFile, part: str, data: bytes | None = None,
               struck: Struck = NONE_STRUCK) -> SheetScan:
    """Scan a worksheet part of an .xlsx (a path or an open zip) for its layout, in chunks, without
    building a tree. `data`: the part already inflated whole, when the caller has it; `struck`: the
    workbook's struck-out styles and shared strings (styles.workbook_struck)."""
    out = SheetScan()
    big: dict[int, list[int]] = {}
    hidden_rows: list[int] = []
    hidden_cols: set[int] = set()
    unplaced_big = 0
    formulas_seen = False  # a sheet's first formula cell holds its text (</f>); later ones may not
    big_seen = False       # a long number may be in the part: no more gates before `big` (a third of its cost)
    with contextlib.ExitStack() as stack:
        fh = open_part(stack, source, part, data)
        head = fh.read(1 << 16)
        m = _ROOT_PREFIX.search(head)
        below = struck.look.row_height_below if struck.look is not None else None
        pat = _Patterns((m.group(1) or b"") if m else b"", below, getattr(struck.look, "column_width_below", None))
        struck_cells = pat.struck(struck)
        formatted = pat.styled(struck.formats)
        unseen = pat.style_marks(struck.invisible)
        runs = pat.strings(struck.runs)   # shared strings with a run of rich text that may be hidden
        # styles whose number format's colour hides one kind of value and not another (drawn.Judged)
        sectioned = pat.style_marks(struck.styles_look.sectioned) if struck.styles_look is not None else None
        p = re.escape(pat.prefix)
        value_after = re.compile(rb"\s*(?:<" + p + rb"f\b[^>]*?(?:/>|>[^<]*</" + p + rb"f>))?\s*(?:<" + p
                                 + rb"v>([^<]*)</" + p + rb"v>)?")
        contrast_below = getattr(struck.look, "contrast_below", None)
        default = pat.default_height.search(head) if below else None
        # a sheet whose rows are by default lower than the rules allow (defaultRowHeight="1"): every
        # row without a height of its own is hidden, each looked at
        default_low = default is not None and low_row(b' ht="' + default.group(1) + b'"', below)

        def place(buf: bytes, start: int) -> None:
            """Note the struck-out cell whose tag begins at `start`."""
            ref = CELL_REF.search(buf[start:buf.find(b">", start)]) if start >= 0 else None
            if ref is None:
                out.unplaced_struck += 1
            else:
                out.struck.append((int(ref.group(2)), letter_index(ref.group(1))))

        def collect(buf: bytes, first: bool, last: bool) -> None:
            """`first`: the part before the cells (<cols> with hidden columns); `last`: the part
            after them (<mergeCells>); every cell lies in some middle part."""
            nonlocal unplaced_big, formulas_seen, big_seen
            big_seen = big_seen or any(gate.search(buf) for gate in pat.big_gates)
            for hit in pat.big.finditer(buf) if big_seen else ():
                start = buf.rfind(pat.cell_start, 0, hit.start())
                tag = buf[start:buf.find(b">", start)] if start >= 0 else b""
                ref = CELL_REF.search(tag)
                kind = _CELL_TYPE.search(tag)
                if kind is not None and kind.group(1) != b"n":
                    continue
                if ref is None:
                    unplaced_big += 1
                    continue
                big.setdefault(letter_index(ref.group(1)), []).append(int(ref.group(2)))
            if (default_low or pat.hidden_mark.search(buf) or _attribute(pat.zero_mark, buf)
                    or (first and _attribute(pat.zero_width_mark, buf))):
                for hit in (pat.any_row if default_low else pat.row).finditer(buf):
                    r = _ROW_NUMBER.search(hit.group(0))
                    if r and low_row(hit.group(0), pat.row_height_below, default_low):
                        hidden_rows.append(int(r.group(1)))
                for hit in pat.col.finditer(buf) if first else ():
                    span = _COL_SPAN.search(hit.group(0))
                    if span and narrow_column(hit.group(0), pat.column_width_below):
                        lo, hi = (span.group(1), span.group(2)) if span.group(1) else (span.group(4), span.group(3))
                        hidden_cols.update(range(int(lo) - 1, min(int(hi), 16_384)))
            formulas_seen = formulas_seen or pat.formula_mark.search(buf) is not None
            if formulas_seen:
                for hit in pat.formula.finditer(buf):
                    attrs = hit.group(1)
                    kind = _CELL_TYPE.search(attrs)
                    if kind is not None and kind.group(1) == b"str" and hit.group(3):
                        continue  # a formula whose value is the empty string: calculated
                    ref = CELL_REF.search(b" " + attrs)
                    if ref is None:
                        out.unplaced_formulas += 1
                        continue
                    text = html.unescape((hit.group(2) or b"").decode("utf-8", "replace"))
                    out.formulas.append((int(ref.group(2)), letter_index(ref.group(1)), text))
            if pat.error_mark.search(buf):
                for hit in pat.error.finditer(buf):
                    ref = CELL_REF.search(b" " + hit.group(1))
                    if ref is None:
                        out.unplaced_errors += 1
                        continue
                    value = html.unescape(hit.group(2).decode("utf-8", "replace")).strip()
                    out.errors.append((int(ref.group(2)), letter_index(ref.group(1)), value))
            for found in struck_cells:
                for hit in found.finditer(buf):
                    if not hit.group(0).endswith(b"/>"):  # an empty cell: nothing struck
                        place(buf, hit.start())
            for hit in formatted.finditer(buf) if formatted is not None else ():
                tag = hit.group(0)
                kind = _CELL_TYPE.search(tag)
                if tag.endswith(b"/>"):
                    continue  # an empty cell
                if kind is not None and kind.group(1) != b"n" and not struck.formats[int(hit.group(1))].text_shows:
                    continue  # text: a number format shows no other number (unless it hides or adds to text)
                ref = CELL_REF.search(tag)
                if ref is None:
                    out.unplaced_formatted += 1
                else:
                    out.formatted.append((int(ref.group(2)), letter_index(ref.group(1)), int(hit.group(1))))
            for hit in unseen.finditer(buf) if unseen is not None else ():
                tag = pat.styled_cell(buf, hit)
                if tag is None:
                    continue  # not a cell's style, or an empty cell: nothing to see
                ref = CELL_REF.search(tag)
                why = struck.invisible[int(hit.group(1))]
                out.invisible.append((int(ref.group(2)), letter_index(ref.group(1)), why) if ref else (-1, -1, why))
            for hit in sectioned.finditer(buf) if sectioned is not None else ():
                tag = pat.styled_cell(buf, hit)
                if tag is None:
                    continue
                kind = _CELL_TYPE.search(tag)
                value = value_after.match(buf, buf.find(b">", hit.end()) + 1)
                why = struck.styles_look.sectioned[int(hit.group(1))].why(kind.group(1) if kind else None,
                                                                         value.group(1) if value else None)
                ref = CELL_REF.search(tag)
                if why:
                    out.invisible.append((int(ref.group(2)), letter_index(ref.group(1)), why) if ref else (-1, -1, why))
            for hit in runs.finditer(buf) if runs is not None else ():
                style = _STYLE_NUMBER.search(hit.group(1))
                fill = struck.styles_look.fill_of(int(style.group(1)) if style else 0)
                why = hidden_runs(struck.runs[int(hit.group(2))], fill, struck.look.font_size_below, contrast_below)
                ref = CELL_REF.search(hit.group(1))
                if why:
                    out.invisible.append((int(ref.group(2)), letter_index(ref.group(1)), why) if ref else (-1, -1, why))
            judged = -1   # the inline string whose runs were judged last (one look a cell)
            for hit in RUN_MARK.finditer(buf):  # a run of rich text of an inline string: struck, or hidden?
                lt = buf.rfind(b"<", 0, hit.start())
                if buf[lt + 1:lt + 2] == b"/":
                    continue   # </rPr> (</x:rPr>): its run was looked at from its <rPr>
                close = buf.find(b"rPr>", hit.end())
                close = len(buf) if close < 0 else close
                for mark in STRIKE_MARK.finditer(buf, hit.end(), close):
                    if strike_on(buf, mark.end()):
                        place(buf, buf.rfind(pat.cell_start, 0, hit.start()))
                if struck.look is None or struck.styles_look is None:
                    continue
                start = buf.rfind(pat.cell_start, 0, hit.start())
                if start < 0 or start == judged:
                    continue
                judged = start
                tag_end = buf.find(b">", start)
                found = text_runs(buf, tag_end, buf.find(b"</" + pat.prefix + b"is>", tag_end),
                                  struck.look.font_size_below, struck.styles_look.colours)
                if found is None:
                    continue
                tag = buf[start:tag_end]
                style = _STYLE_NUMBER.search(tag)
                why = hidden_runs(found, struck.styles_look.fill_of(int(style.group(1)) if style else 0),
                                  struck.look.font_size_below, contrast_below)
                ref = CELL_REF.search(tag)
                if why:
                    out.invisible.append((int(ref.group(2)), letter_index(ref.group(1)), why) if ref else (-1, -1, why))
            if last:  # <mergeCells> follows the cells: looked for after the end of <sheetData> when it is here
                for hit in pat.merge.finditer(buf, max(buf.rfind(b"sheetData>"), 0)):
                    r1, c1 = int(hit.group(2)), letter_index(hit.group(1))
                    r2, c2 = (int(hit.group(4)), letter_index(hit.group(3))) if hit.group(3) else (r1, c1)
                    if (r1, c1) != (r2, c2):
                        out.merges.append((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
                if struck.look is not None and struck.styles_look is not None:
                    out.invisible.rules = sheet_rules(buf[max(buf.rfind(b"sheetData>"), 0):], struck.styles_look,
                                                      contrast_below)

        pending = head
        first = True
        while True:
            chunk = fh.read(CHUNK)
            buf = pending + chunk
            if not chunk:  # after the last cell start: the end of the sheet, <mergeCells> included
                collect(buf, first, True)
                break
            cut = buf.rfind(pat.cell_start)  # the last cell may be cut in two: keep it for the next round
            if cut <= 0:
                pending = buf
                continue
            collect(buf[:cut], first, False)
            first = False
            pending = buf[cut:]
    if any(rule.styles is not None for rule in out.invisible.rules):
        styled_cells(source, part, data, pat, out.invisible.rules)
    out.big_numbers = None if unplaced_big else {c: np.asarray(r, dtype=np.int64) for c, r in big.items()}
    out.hidden_rows = np.unique(np.asarray(hidden_rows, dtype=np.int64))
    out.hidden_columns = frozenset(hidden_cols)
    return out


# --- .ods ------------------------------------------------------------------------------------------

_T = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_CALCEXT = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
_HIDDEN = {"collapse", "filter"}
_MAX_REPEAT = 10_000  # a longer run of repeated rows or columns is the sheet's empty remainder


def scan_ods(path: Path, look=None) -> dict[str, SheetScan]:
    """Merged ranges, hidden rows and columns, error values and struck-out cells of each table of an
    .ods (content.xml). An error value (LibreOffice: calcext:value-type="error") is read by
    python-calamine as empty. With `look` (rules/columns.yaml), a row lower than it allows is hidden
    and a cell whose text nobody sees is listed (SheetScan.invisible: unseen.OdsLook, odsstyle.OdsStyles)."""
    out: dict[str, SheetScan] = {}
    struck: set[str] = set()    # automatic styles (of cells, of text spans) that strike text out
    cell: tuple[int, int] | None = None  # the cell being read, (row, col), while inside it
    cell_style: str | None = None        # … and its style
    row_style: str | None = None
    column_styles: list[tuple[int, int, str]] = []   # a table's columns' default cell styles: from, to, style
    with zipfile.ZipFile(path) as zf, zf.open("content.xml") as fh:
        named = zf.read("styles.xml") if "styles.xml" in zf.NameToInfo else None
        looks = OdsLook(look, named) if look else None
        extra = OdsStyles(looks, named) if look else None   # number and conditional formats, rich text
        scan: SheetScan | None = None
        row = col = 0
        rows_repeat = 1
        hidden_rows: list[int] = []
        hidden_cols: set[int] = set()
        column = 0
        for event, el in ElementTree.iterparse(fh, events=("start", "end")):
            tag = el.tag
            if event == "start":
                if tag == f"{_TEXT}span":
                    if cell is not None and el.get(f"{_TEXT}style-name") in struck and scan is not None:
                        scan.struck.append(cell)
                    if looks is not None and cell is not None and looks.span(el.get(f"{_TEXT}style-name"), cell_style):
                        extra.spans = True   # the cell's runs are judged whole at its end
                elif tag == f"{_T}table":
                    scan = out.setdefault(el.get(f"{_T}name", ""), SheetScan())
                    row = column = 0
                    hidden_rows, hidden_cols, column_styles = [], set(), []
                elif scan is None:
                    continue
                elif tag == f"{_T}table-column":
                    repeat = int(el.get(f"{_T}number-columns-repeated", "1"))
                    narrow = looks is not None and looks.narrow_column(el.get(f"{_T}style-name"))
                    if (el.get(f"{_T}visibility") in _HIDDEN or narrow) and repeat <= _MAX_REPEAT:
                        hidden_cols.update(range(column, column + repeat))
                    if el.get(f"{_T}default-cell-style-name"):
                        column_styles.append((column, column + repeat, el.get(f"{_T}default-cell-style-name")))
                    column += repeat
                elif tag == f"{_T}table-row":
                    rows_repeat = int(el.get(f"{_T}number-rows-repeated", "1"))
                    row_style = el.get(f"{_T}default-cell-style-name")
                    low = looks is not None and looks.low_row(el.get(f"{_T}style-name"))
                    if (el.get(f"{_T}visibility") in _HIDDEN or low) and rows_repeat <= _MAX_REPEAT:
                        hidden_rows.extend(range(row + 1, row + rows_repeat + 1))
                    col = 0
                elif tag in (f"{_T}table-cell", f"{_T}covered-table-cell"):
                    span_c = int(el.get(f"{_T}number-columns-spanned", "1"))
                    span_r = int(el.get(f"{_T}number-rows-spanned", "1"))
                    if span_c > 1 or span_r > 1:
                        scan.merges.append((row + 1, col, row + span_r, col + span_c - 1))
                    repeat = int(el.get(f"{_T}number-columns-repeated", "1"))
                    cell = (row + 1, col)
                    if el.get(f"{_OFFICE}value-type") and el.get(f"{_T}style-name", row_style) in struck:
                        scan.struck.extend((row + 1, c) for c in range(col, col + min(repeat, _MAX_REPEAT)))
                    if looks is not None:
                        cell_style = el.get(f"{_T}style-name") or row_style or next(
                            (s for lo, hi, s in column_styles if lo <= col < hi), None)
                        why = looks.cell(cell_style)[0] if el.get(f"{_OFFICE}value-type") else None
                        if why:
                            scan.invisible.extend((row + 1, c, why) for c in range(col, col + min(repeat, _MAX_REPEAT)))
                        extra.cell(scan, row + 1, col, min(repeat, _MAX_REPEAT), cell_style, el)
                    col += repeat
            else:
                if extra is not None and tag in TAGS:
                    extra.end(el, scan, cell, cell_style)
                if tag == f"{_T}table-cell" and scan is not None and f"{_T}formula" in el.attrib:
                    shows = "".join(el.itertext()).strip()
                    if el.get(f"{_CALCEXT}value-type") == "error" or (
                            el.get(f"{_OFFICE}value-type", "string") == "string"
                            and not el.get(f"{_OFFICE}string-value") and _ERROR_TEXT.fullmatch(shows)):
                        repeat = int(el.get(f"{_T}number-columns-repeated", "1"))
                        if rows_repeat <= _MAX_REPEAT and repeat <= _MAX_REPEAT:
                            scan.errors.extend((r, c, shows) for r in range(row + 1, row + rows_repeat + 1)
                                               for c in range(col - repeat, col))
                if tag == f"{_T}table-cell" and scan is not None and \
                        el.get(f"{_OFFICE}value-type") in ("float", "percentage", "currency"):
                    paragraphs = el.findall(f"{_TEXT}p")   # what the cell shows (a comment is not among them)
                    found = display_of_text(el.get(f"{_OFFICE}value", ""),
                                            "\n".join("".join(p.itertext()) for p in paragraphs),
                                            el.get(f"{_OFFICE}value-type") == "percentage") if paragraphs else None
                    repeat = int(el.get(f"{_T}number-columns-repeated", "1"))
                    if telling(found) and rows_repeat <= _MAX_REPEAT and repeat <= _MAX_REPEAT:
                        style = len(scan.formats)
                        scan.formats[style] = found
                        scan.formatted.extend((r, c, style) for r in range(row + 1, row + rows_repeat + 1)
                                              for c in range(col - repeat, col))
                if tag == f"{_STYLE}style":
                    if looks is not None:
                        looks.add(el)
                    props = el.find(f"{_STYLE}text-properties")
                    if props is not None and any(props.get(f"{_STYLE}text-line-through-{a}", "none") != "none"
                                                 for a in ("style", "type")):
                        struck.add(el.get(f"{_STYLE}name", ""))
                elif tag in (f"{_T}table-cell", f"{_T}covered-table-cell"):
                    cell = None
                if tag == f"{_T}table-row":
                    row += rows_repeat
                    el.clear()
                elif tag == f"{_T}table" and scan is not None:
                    scan.hidden_rows = np.unique(np.asarray(hidden_rows, dtype=np.int64))
                    scan.hidden_columns = frozenset(hidden_cols)
                    scan = None
                    el.clear()
    return out
