"""Who sees an .xls cell's text beyond its XF's font and fill (cell.invisible): the colour sections of
its number format, judged by the cell's value ([White]@ hides text, 0;[White]-0 the negative numbers:
drawn.Sections), and the runs of a rich string whose own font is too small or too close in colour to
the cell's fill (styles.hidden_runs), in the shared strings (SST) or in an RSTRING cell; and the
conditional formats (CONDFMT and its CF records, BIFF8) whose font colour or fill hides the text
(conditional.Rule, judged by each cell's value as an .xlsx's are). What an .xlsx says in its styles
part, shared strings and sheets, read from the BIFF records (read.biff) and judged by the same
helpers, so that both formats say the same of the same look. Not read: the CF12 and CFEX records of
Excel 2007's extensions, a rule's formula other than a constant (said as 公式条件, never guessed).
"""

from __future__ import annotations

import struct

from aidctl.read.conditional import MAYBE, OPERATORS, Rule, judged
from aidctl.read.drawn import coloured_sections
from aidctl.read.styles import PALETTE, WHITE, hidden_runs, hides
from aidctl.read.unseen import xls_colour, xls_fill, xls_font, xls_invisible_xfs

_LABELSST, _LABEL, _RSTRING, _NUMBER, _RK, _MULRK, _BOOLERR, _FORMULA = (0x00FD, 0x0204, 0x00D6, 0x0203, 0x027E,
                                                                        0x00BD, 0x0205, 0x0006)
_U16 = struct.Struct("<H").unpack_from
_U32 = struct.Struct("<L").unpack_from
_RK_INT = struct.Struct("<l").unpack_from
_DOUBLE = struct.Struct("<d").unpack_from


def rk_number(rk: int) -> float:
    """The number an RK value holds (MS-XLS 2.5.217 RkNumber): bit 1 an integer of 30 bits (signed),
    else the top 30 bits of a double's 64; bit 0, divided by 100."""
    if rk & 0x02:
        value = float(_RK_INT(struct.pack("<L", rk))[0] >> 2)
    else:
        value = _DOUBLE(struct.pack("<Q", (rk & 0xFFFFFFFC) << 32))[0]
    return value / 100 if rk & 0x01 else value


def xls_rich_strings(stream: bytes, book) -> dict[int, tuple[str, tuple[tuple[int, int], ...]]] | None:
    """The shared strings (SST, BIFF8) of rich text, by number: each its text and its runs (first
    character, font index); None where the table cannot be read to its end (which strings are rich
    is then unknown). The others are passed over, not decoded.

    Each string: its length in characters (2 bytes), flags (1: fHighByte, 4: fExtSt, 8: fRichSt),
    the count of runs (2 bytes, fRichSt) and the size of the phonetic block (4 bytes, fExtSt), its
    characters (1 or 2 bytes each), its runs (4 bytes each: the first character, the font index) and
    the phonetic block. Where the SST record ends, the table goes on in the next CONTINUE record; a
    string's characters cut there go on after a flags byte of their own (MS-XLS SST,
    XLUnicodeRichExtendedString)."""
    if not book.sst:
        return {}
    pieces = [stream[at:at + length] for at, length in book.sst]
    out: dict[int, tuple[str, tuple[tuple[int, int], ...]]] = {}
    k, pos, data = 0, 8, pieces[0]
    size = len(data)

    def take(n: int) -> bytes:
        """The next `n` bytes, across records (IndexError past the last one)."""
        nonlocal k, pos, data, size
        got = b""
        while len(got) < n:
            if pos >= size:
                k += 1
                data, pos = pieces[k], 0
                size = len(data)
            part = data[pos:pos + n - len(got)]
            got += part
            pos += len(part)
        return got

    head = struct.Struct("<HB").unpack_from
    try:
        count = _U32(data, 4)[0]   # the unique strings
        for index in range(count):
            if pos >= size and k + 1 == len(pieces):
                break   # the table ends at a string's end: fewer strings than it counted, none cut short
            if pos + 3 <= size:   # nearly every string lies whole in its record: read in place
                cch, flags = head(data, pos)
                pos += 3
            else:
                cch, flags = head(take(3))
            runs = _U16(take(2))[0] if flags & 0x08 else 0
            phonetic = _U32(take(4))[0] if flags & 0x04 else 0
            left, wide = cch, flags & 0x01
            text = []
            while True:
                here = min((size - pos) >> wide, left)
                if runs:
                    chars = data[pos:pos + (here << wide)]
                    text.append(chars.decode("utf-16-le" if wide else "latin-1", "replace"))
                pos += here << wide
                left -= here
                if not left:
                    break
                k += 1
                data = pieces[k]
                size = len(data)
                wide, pos = data[0] & 0x01, 1
            if runs:
                raw = take(4 * runs)
                out[index] = ("".join(text), tuple(struct.unpack_from(f"<{2 * runs}H", raw)[j:j + 2]
                                                   for j in range(0, 2 * runs, 2)))
            if phonetic:
                take(phonetic)
    except (IndexError, struct.error):
        return None
    return out


def rstring_runs(stream: bytes, at: int, length: int, biff8: bool,
                 encoding: str) -> tuple[str, tuple[tuple[int, int], ...]] | None:
    """The text of an RSTRING cell (text with runs of fonts) and its runs (first character, font
    index); None where they cannot be read. BIFF8: the text as a Unicode string, then the runs' count
    (2 bytes) and runs of 4 bytes; BIFF5: the text's length (2 bytes) and bytes in the workbook's code
    page (`encoding`), the count (1 byte) and runs of 2 bytes."""
    end = at + length
    try:
        cch = _U16(stream, at + 6)[0]
        if biff8:
            flags = stream[at + 8]
            p, skip = at + 9, 0
            if flags & 0x08:
                skip += 4 * _U16(stream, p)[0]
                p += 2
            if flags & 0x04:
                skip += _U32(stream, p)[0]
                p += 4
            width = 2 if flags & 0x01 else 1
            text = stream[p:p + cch * width].decode("utf-16-le" if width == 2 else "latin-1", "replace")
            p += cch * width + skip
            count = _U16(stream, p)[0]
            first, fmt = p + 2, f"<{2 * count}H"
        else:
            text = stream[at + 8:at + 8 + cch].decode(encoding, "replace")
            p = at + 8 + cch
            count = stream[p]
            first, fmt = p + 1, f"<{2 * count}B"
        if first + struct.calcsize(fmt) != end:
            return None
        flat = struct.unpack_from(fmt, stream, first)
    except (IndexError, struct.error, LookupError):
        return None
    return text, tuple(flat[j:j + 2] for j in range(0, len(flat), 2))


class XlsLook:
    """Which cells of an .xls hide their text, with the rules' `look` (rules/columns.yaml): `every`,
    the XFs whose text nobody sees whatever the cell holds (unseen.xls_invisible_xfs: a font too small,
    or coloured as its fill or too close to it, or a number format drawing every value so);
    `sectioned`, the XFs whose number format hides some values only (drawn.Judged, a cell judged by
    its value); `runs`, the rich shared strings a run of which the fill of some XF hides, and
    `rich_xfs` the XFs of such fills (a string is judged against the fill of the cell showing it).
    Looked at by the walk of a sheet's records (biff._scan_xls_sheet) for the cells of these XFs, and
    for every RSTRING where some font may hide a run (`hiding`)."""

    def __init__(self, book, look):
        self.book = book
        self.below = look.font_size_below
        self.contrast = getattr(look, "contrast_below", None)
        palette = tuple(xls_colour(book, i) or PALETTE[i] for i in range(len(PALETTE)))
        formats: dict[int, object] = {}   # ifmt → its coloured sections (None: none)
        sections = {}
        for xf, ifmt in enumerate(book.xf_formats):
            if ifmt is not None:
                if ifmt not in formats:
                    formats[ifmt] = coloured_sections(ifmt, book.formats, palette)
                if formats[ifmt] is not None:
                    sections[xf] = formats[ifmt]
        self.sectioned: dict = {}
        self.every = xls_invisible_xfs(book, self.below, self.contrast, sections, self.sectioned)
        self.xfs = frozenset(self.every) | frozenset(self.sectioned)
        self._fonts: dict[int, tuple[float | None, str | None]] = {}
        self._fill_of = [xls_fill(book, xf) for xf in range(len(book.xf_fills))]
        fonts = [font for font in range(len(book.font_looks) + 1) if font != 4]   # font index 4 is never written
        colours = {self._font(f)[1] for f in fonts}   # a workbook's fonts share a few colours
        on = {fill: {c for c in colours if hides(c, fill, self.contrast)} for fill in {*self._fill_of, WHITE}}
        # each fill (of some XF) → the font indexes a run of which it hides (or that are too small)
        self._hidden_on = {fill: frozenset(f for f in fonts if self._font(f)[0] is not None or self._font(f)[1] in hidden)
                           for fill, hidden in on.items()}
        # the fonts that may hide a run on some fill: a workbook without one has no rich text to read
        self.hiding = frozenset().union(*self._hidden_on.values())
        self.runs: dict[int, list[tuple]] = {}   # rich shared strings some fill hides a run of
        self.rich_xfs: frozenset[int] = frozenset()   # the XFs of such a fill: their LABELSST looked at

    def read_strings(self, rich: dict | None) -> None:
        """Keeps the rich shared strings (xls_rich_strings) a run of which the fill of some XF hides:
        their runs as hidden_runs judges them (SST number → runs), and the XFs of such fills, whose
        cells showing a shared string are looked at (judged against their own fill)."""
        hiding_fills = set()
        for i, (text, runs) in (rich or {}).items():
            fonts = {font for _, font in runs}
            if not fonts & self.hiding:
                continue
            judged = self._runs(text, runs)
            found = {fill for fill, hidden in self._hidden_on.items() if fonts & hidden
                     and hidden_runs(judged, fill, self.below, self.contrast)}
            if found:
                self.runs[i] = judged
                hiding_fills |= found
        self.rich_xfs = frozenset(xf for xf, fill in enumerate(self._fill_of) if fill in hiding_fills)

    def __bool__(self) -> bool:
        return bool(self.xfs or self.rich_xfs)

    def fill_of(self, xf: int) -> str | None:
        """The colour a cell of XF `xf` is filled with (None: not compared)."""
        return self._fill_of[xf] if 0 <= xf < len(self._fill_of) else None

    def _font(self, font: int) -> tuple[float | None, str | None]:
        """A run's font as hidden_runs judges it: its size where too small, its colour."""
        if font not in self._fonts:
            look = xls_font(self.book, font)
            self._fonts[font] = (None, None) if look is None else (look[0] if look[0] < self.below else None, look[1])
        return self._fonts[font]

    def _runs(self, text: str, runs: tuple[tuple[int, int], ...]) -> list[tuple]:
        """A rich string's runs as styles.text_runs gives an .xlsx's: (blank?, size if too small,
        colour); the text before the first run is drawn in the cell's own font (its XF: `every`)."""
        out = []
        starts = sorted(runs)
        if not starts or starts[0][0] > 0:
            out.append((not text[:starts[0][0] if starts else len(text)].strip(), None, None))
        for j, (first, font) in enumerate(starts):
            end = starts[j + 1][0] if j + 1 < len(starts) else len(text)
            out.append((not text[first:end].strip(), *self._font(font)))
        return out

    def why(self, typ: int, stream: bytes, at: int, length: int, xf: int) -> str | None:
        """What hides the text of the cell record of type `typ` at `at` (its data), of XF `xf` (None:
        nothing): its XF, then its number format's section for its value, then a run of its text."""
        if xf in self.every:
            return self.every[xf]
        judged = self.sectioned.get(xf)
        if typ in (_LABELSST, _LABEL, _RSTRING):
            if judged is not None and judged.text:
                return judged.text
            if typ == _LABELSST and length >= 10:
                runs = self.runs.get(_U32(stream, at + 6)[0]) if self.runs else None
            elif typ == _RSTRING:
                found = rstring_runs(stream, at, length, self.book.biff8, self.book.encoding)
                runs = self._runs(*found) if found else None
            else:
                runs = None
            return hidden_runs(runs, self.fill_of(xf), self.below, self.contrast) if runs else None
        if judged is None:
            return None
        if typ == _NUMBER and length >= 14:
            return judged.why(None, _DOUBLE(stream, at + 6)[0])
        if typ == _RK and length >= 10:
            return judged.why(None, rk_number(_U32(stream, at + 6)[0]))
        if typ == _BOOLERR:
            return judged.other
        if typ == _FORMULA and length >= 14:
            if stream[at + 12:at + 14] != b"\xff\xff":
                return judged.why(None, _DOUBLE(stream, at + 6)[0])
            kind = stream[at + 6]
            return judged.text if kind == 0 else judged.other if kind in (1, 2) else None   # 3: an empty string
        return None

    def mulrk(self, stream: bytes, at: int, length: int) -> list[tuple[int, str]]:
        """(column offset, what hides it) of each number of a MULRK record (rw, the first column, then
        (ixfe, rk) a cell) whose text nobody sees."""
        out = []
        for j in range((length - 6) // 6):
            xf = _U16(stream, at + 4 + 6 * j)[0]
            why = self.every.get(xf)
            if why is None and xf in self.sectioned:
                why = self.sectioned[xf].why(None, rk_number(_U32(stream, at + 6 + 6 * j)[0]))
            if why:
                out.append((j, why))
        return out



# --- conditional formats: a CONDFMT record's ranges, each CF record after it a rule ----------------

_CF_OPERATORS = {1: "between", 2: "notBetween", 3: "equal", 4: "notEqual", 5: "greaterThan", 6: "lessThan",
                 7: "greaterThanOrEqual", 8: "lessThanOrEqual"}
# DXFN (MS-XLS 2.5.77): the bits of its first 4 bytes saying which blocks follow, in this order, and
# their sizes (a number format's: 2 bytes, or its own count where fIfmtUser); flsNinch, icvBNinch: the
# fill's pattern, its background colour left as the cell's
_NUM, _FONT, _ALIGN, _BORDER, _PATTERN, _PROTECT = (1 << 25, 1 << 26, 1 << 27, 1 << 28, 1 << 29, 1 << 30)
_FLS_NINCH, _ICVB_NINCH = 1 << 16, 1 << 18
_UNSET = 0xFFFFFFFF   # a DXFFntD's icvFore left as the cell's


def condfmt_ranges(stream: bytes, at: int, length: int) -> list[tuple[int, int, int, int]]:
    """The ranges of a CONDFMT record (ccf, flags, the bounding Ref8U, then cref and its Ref8U: rwFirst,
    rwLast, colFirst, colLast) as conditional.Rule keeps them: (row1, col1, row2, col2), Excel rows."""
    if length < 14:
        return []
    count = min(_U16(stream, at + 12)[0], (length - 14) // 8)
    refs = [struct.unpack_from("<HHHH", stream, at + 14 + 8 * k) for k in range(count)]
    return [(r1 + 1, c1, r2 + 1, c2) for r1, r2, c1, c2 in refs]


def _constant(rgce: bytes) -> str | None:
    """A CF formula (its parsed tokens) that is a constant, as it is written (1000, -5, "退学", TRUE);
    None for any other (a reference to a cell, a function …)."""
    if not rgce:
        return None
    ptg, sign = rgce[0], ""
    if rgce[-1:] == b"\x13":   # PtgUminus after the constant
        rgce, sign = rgce[:-1], "-"
    try:
        if ptg == 0x1E and len(rgce) == 3:      # PtgInt
            return sign + str(_U16(rgce, 1)[0])
        if ptg == 0x1F and len(rgce) == 9:      # PtgNum
            return sign + f"{_DOUBLE(rgce, 1)[0]:g}"
        if ptg == 0x1D and len(rgce) == 2 and not sign:   # PtgBool
            return "TRUE" if rgce[1] else "FALSE"
        if ptg == 0x17 and len(rgce) >= 3 and not sign:   # PtgStr: cch, fHighByte, the characters
            count, wide = rgce[1], rgce[2] & 0x01
            text = rgce[3:].decode("utf-16-le" if wide else "latin-1")
            return '"' + text.replace('"', '""') + '"' if len(text) == count else None
    except (struct.error, UnicodeDecodeError):
        return None
    return None


def cf_rule(look: XlsLook, stream: bytes, at: int, length: int, ranges: list) -> Rule | None:
    """The rule of a CF record (ct: 1 a cell's value, 2 a formula; cp, the operator; the sizes of its
    two formulas; a DXFN; the formulas) where its font colour or fill hides text on some cell XF (on
    each the XF's font and fill with the rule's laid over them compared, as conditional.sheet_rules
    compares an .xlsx's dxf), judged as an .xlsx's cellIs or expression rule (conditional.judged);
    None where it hides nothing or cannot be read."""
    book = look.book
    try:
        ct, cp, cce1, cce2, flags, user = struct.unpack_from("<BBHHLH", stream, at)
        p = at + 12
        if flags & _NUM:
            p += _U16(stream, p)[0] if user & 0x01 else 2
        font = fill = None
        if flags & _FONT:
            icv = _U32(stream, p + 80)[0]
            font = xls_colour(book, icv) if icv != _UNSET else None
            p += 118
        p += (8 if flags & _ALIGN else 0) + (8 if flags & _BORDER else 0)
        if flags & _PATTERN:
            fls, icvs = _U16(stream, p)[0] >> 10, _U16(stream, p + 2)[0]
            if not flags & _FLS_NINCH and fls == 0:
                fill = WHITE
            elif not flags & _ICVB_NINCH:
                fill = xls_colour(book, (icvs >> 7) & 0x7F)
            p += 4
        p += 2 if flags & _PROTECT else 0
        rgces = [stream[p:p + cce1], stream[p + cce1:p + cce1 + cce2]]
        if p + cce1 + cce2 > at + length:
            return None
    except struct.error:
        return None
    if font is None and fill is None:
        return None
    xfs = [xf for xf, ifmt in enumerate(book.xf_formats) if ifmt is not None] or list(range(len(book.xf_fonts)))
    whys = {}
    for xf in xfs:
        own = xls_font(book, book.xf_fonts[xf]) if xf < len(book.xf_fonts) else None
        whys[xf] = hides(font or (own[1] if own else None), fill or look.fill_of(xf), look.contrast)
    hidden = frozenset(xf for xf, why in whys.items() if why)
    if not hidden:
        return None
    formulas = [_constant(r) for r in (rgces if cce2 else rgces[:1])]
    operator = _CF_OPERATORS.get(cp, "")
    if ct == 1 and operator and all(f is not None for f in formulas):
        test, said = judged("cellIs", {"operator": operator}, formulas)
    elif ct == 2 and formulas[0] is not None:
        test, said = judged("expression", {}, formulas)
    else:
        test, said = None, f"单元格值{OPERATORS.get(operator, '满足')}公式的结果" if ct == 1 else "公式条件"
    if test in (("never",), ("containsBlanks",)):
        return None
    why = whys[min(hidden)]
    why = f"条件格式（{said}）使其{why}" if test is not None else \
        f"{MAYBE}（{said}无法在不计算公式的情况下判断是否生效，生效时{why}）"
    return Rule(ranges, "cellIs" if ct == 1 else "expression", test, said, why,
                None if len(hidden) == len(whys) else hidden, len(whys))
