"""What an .xls says beyond the text of its cells, read from its BIFF records.

An .xls (BIFF8, Excel 97–2003; BIFF5, Excel 5.0/95) is a compound file whose Workbook (Book) stream
is a run of records: the workbook's globals (the sheets, the code page, the fonts, the cell formats,
the shared strings), then each sheet's own, from its BOF to its EOF. python-calamine reads the cells;
what a reader of the sheet also sees is in the records as an .xlsx's XML holds it (sheetxml): an
error value (read by calamine as empty), a ROW record's fDyZero hiding the row, a COLINFO record's
fHidden hiding its columns, and a cell struck out when the font of its format (XF) is, or, for text,
when a run of it is (a rich string of the shared strings, or an RSTRING cell). The same records in
BIFF5, but for the shared strings (none: the text is in the cell) and RSTRING's shorter runs. The
result is a sheetxml.SheetScan a sheet, as for the other formats.
"""

from __future__ import annotations

import codecs
import math
import re
import struct
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from aidctl.read.biffstyle import XlsLook, cf_rule, condfmt_ranges, rstring_runs, xls_rich_strings
from aidctl.read.numformat import Display, display, format_code, telling
from aidctl.read.sheetxml import SheetScan
from aidctl.read.unseen import AUTO_COLOUR

_BIFF_BOF, _BIFF_EOF, _BIFF_BOUNDSHEET, _BIFF_BOOLERR, _BIFF_FORMULA = 0x0809, 0x000A, 0x0085, 0x0205, 0x0006
_BIFF_CODEPAGE, _BIFF_FORMAT, _BIFF_PALETTE = 0x0042, 0x041E, 0x0092
_BIFF_ROW, _BIFF_COLINFO, _BIFF_FONT, _BIFF_XF, _BIFF_SST, _BIFF_CONTINUE = 0x0208, 0x007D, 0x0031, 0x00E0, 0x00FC, 0x003C
_BIFF_LABELSST, _BIFF_LABEL, _BIFF_RSTRING, _BIFF_NUMBER, _BIFF_RK, _BIFF_MULRK = (0x00FD, 0x0204, 0x00D6, 0x0203,
                                                                                   0x027E, 0x00BD)
_BIFF8 = 0x0600  # the BOF's version: BIFF8 (Excel 97–2003); 0x0500 is BIFF5/BIFF7 (Excel 5.0/95)
_ROW_HIDDEN = 0x20    # ROW: the low byte of its flags (offset 12), fDyZero: the row is hidden (MS-XLS 2.4.221)
_COL_HIDDEN = 0x01    # COLINFO: the low byte of its flags (offset 8), fHidden (MS-XLS 2.4.53)
_FONT_STRUCK = 0x08   # FONT: the low byte of its flags (offset 2), fStrikeOut (MS-XLS 2.4.122)
_XF_STYLE = 0x04      # XF: the low byte of its flags (offset 4), fStyle: a style's XF, no cell's (MS-XLS 2.4.353)
XLS_COLUMNS = 256     # an .xls sheet's columns: a COLINFO may reach 256 (one past the last)
# the error codes of BIFF8 (a BOOLERR cell, or a FORMULA's cached result) and how Excel shows them
XLS_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
              0x2A: "#N/A", 0x2B: "#GETTING_DATA"}
_CODES = b"[" + b"".join(re.escape(bytes([c])) for c in XLS_ERRORS) + b"]"


def _bit_set(mask: int) -> bytes:
    """A regex class of the bytes with a bit of `mask` set."""
    return b"[" + b"".join(re.escape(bytes([b])) for b in range(256) if b & mask) + b"]"


# Records looked for in the stream first, as bytes anywhere (nearly every file has none): a superset of
# the records themselves, so that a sheet in which none is found needs no walk through its records.
# Each begins with its record's type, a literal that re finds fast (an alternation of the two error
# records would search 4× slower).
# BOOLERR with fError = 1, and FORMULA whose cached result is of type 2 (error)
_XLS_ERROR_HINTS = (re.compile(rb"\x05\x02\x08\x00.{6}" + _CODES + rb"\x01", re.DOTALL),
                    re.compile(rb"\x06\x00.{8}\x02." + _CODES + rb"...\xff\xff", re.DOTALL))
# a ROW (16 bytes) with fDyZero set; a COLINFO (12 bytes; 10 or 11 from some writers) with fHidden set
_XLS_HIDDEN_ROW_HINT = re.compile(rb"\x08\x02\x10\x00.{12}" + _bit_set(_ROW_HIDDEN), re.DOTALL)
_XLS_HIDDEN_COL_HINT = re.compile(rb"\x7d\x00[\x0a-\x0c]\x00.{8}" + _bit_set(_COL_HIDDEN), re.DOTALL)
# … or of no width (coldx 0), which nobody reading the sheet sees either though fHidden is clear (a ROW's
# height may not be 0: MS-XLS 2.4.221 asks at least 2 twips, and a row of none is fDyZero)
# (or, with the rules, narrower than look.column_width_below: coldx is in 1/256 of a character, the
# unit of an .xlsx's width; _narrow_hint)
_XLS_NO_WIDTH_COL_HINT = re.compile(rb"\x7d\x00[\x0a-\x0c]\x00.{4}\x00\x00", re.DOTALL)
_XLS_RSTRING_HINT = re.compile(rb"\xd6\x00")
# a CF record (BIFF8: a conditional format's rule): its type, length, ct (1 or 2) and cp (0 to 8)
_XLS_CF_HINT = re.compile(rb"\xb1\x01..[\x01\x02][\x00-\x08]", re.DOTALL)
_BIFF_CONDFMT, _BIFF_CF = 0x01B0, 0x01B1
# CODEPAGE values that are no Windows code page number Python knows by cpNNN (MS-XLS 2.4.52)
_CODEPAGES = {367: "ascii", 1200: "utf-16-le", 10000: "mac_roman", 0x8000: "mac_roman", 0x8001: "cp1252"}
_U16 = struct.Struct("<H").unpack_from
_U16X2 = struct.Struct("<HH").unpack_from
_U16X3 = struct.Struct("<HHH").unpack_from


def biff_records(stream: bytes, pos: int):
    """(type, start of data, length) of each BIFF record from `pos`."""
    end = len(stream)
    unpack = _U16X2
    while pos + 4 <= end:
        typ, length = unpack(stream, pos)
        yield typ, pos + 4, min(length, end - pos - 4)
        pos += 4 + length


def sheet_records(stream: bytes, start: int):
    """(type, start of data, length) of each record of the sheet whose BOF is at `start`, up to its
    EOF; the records of a chart embedded in it (a BOF … EOF inside) are left out."""
    depth = 0
    for typ, at, length in biff_records(stream, start):
        if typ == _BIFF_BOF:
            depth += 1
        elif typ == _BIFF_EOF:
            depth -= 1
            if depth <= 0:
                return
        elif depth == 1:
            yield typ, at, length


@dataclass
class XlsBook:
    """What an .xls Workbook stream's globals say: BIFF8 or older (BIFF5/7: Excel 5.0/95), the code
    page of its 8-bit text (CODEPAGE; None where the stream gives none), each sheet's place in the
    stream and name, in BOUNDSHEET order (the order python-calamine lists the sheets in), and what
    tells a struck-out cell: whether each FONT strikes its text out, each XF's font, and where the
    shared strings (SST and its CONTINUE records) are. `scans`: each sheet's layout, by sheet index
    (scan_xls); a sheet without one is one whose records could not be read (its layout unknown)."""

    biff8: bool = True
    codepage: int | None = None
    sheets: list[tuple[int, str | None]] = field(default_factory=list)
    fonts: list[bool] = field(default_factory=list)     # by FONT record: fStrikeOut
    xf_fonts: list[int] = field(default_factory=list)   # by XF record: its font (a font index, 4 skipped)
    formats: dict[int, str] = field(default_factory=dict)   # FORMAT records: ifmt → format code
    xf_formats: list[int | None] = field(default_factory=list)  # by XF record: its ifmt (None: a style's)
    sst: list[tuple[int, int]] = field(default_factory=list)  # (start of data, length): SST, its CONTINUEs
    scans: dict[int, SheetScan] = field(default_factory=dict)
    # who sees a cell's text: each FONT's height (twips) and colour (icv), each XF's fill (pattern, its
    # foreground colour: MS-XLS 2.4.353 fls, icvFore), the palette a PALETTE record gives (icv 8 on)
    font_looks: list[tuple[int, int]] = field(default_factory=list)
    xf_fills: list[tuple[int, int]] = field(default_factory=list)
    palette: list[str] = field(default_factory=list)

    @property
    def encoding(self) -> str:
        """The Python codec of the 8-bit text (cp1252, Excel's default, where none is given or known)."""
        return codepage_codec(self.codepage) or "cp1252"

    @property
    def struck_fonts(self) -> frozenset[int]:
        """The font indexes (as XF and runs give them) that strike text out. Font index 4 is never
        written: the fifth FONT record is font 5 (MS-XLS FontIndex)."""
        return frozenset(i if i < 4 else i + 1 for i, struck in enumerate(self.fonts) if struck)

    @cached_property
    def formatted_xfs(self) -> dict[int, Display]:
        """The cells' XF indexes whose number format shows another number than the cell holds, or
        writes words beside it (read.numformat)."""
        out = {}
        for i, ifmt in enumerate(self.xf_formats):
            code = format_code(ifmt, self.formats) if ifmt is not None else None
            found = display(code) if code else None
            if telling(found):
                out[i] = found
        return out

    def struck_xfs(self, fonts: frozenset[int]) -> frozenset[int]:
        """The XF indexes (a cell's ixfe) whose font is one of `fonts`."""
        return frozenset(i for i, font in enumerate(self.xf_fonts) if font in fonts) if fonts else frozenset()


def codepage_codec(codepage: int | None) -> str | None:
    """The Python codec of a CODEPAGE record's value (936: cp936), None where Python has none."""
    if codepage is None:
        return None
    name = _CODEPAGES.get(codepage, f"cp{codepage}")
    try:
        codecs.lookup(name)
    except LookupError:
        return None
    return name


def xls_book(stream: bytes) -> XlsBook:
    """The globals of an .xls Workbook (or Book) stream: version, code page, sheets, fonts, cell
    formats and where the shared strings are (XlsBook)."""
    book = XlsBook()
    found = []
    in_sst = False   # the record before was the SST or one of its CONTINUEs
    for n, (typ, at, length) in enumerate(biff_records(stream, 0)):
        if in_sst and typ == _BIFF_CONTINUE:
            book.sst.append((at, length))
            continue
        in_sst = False
        if typ == _BIFF_BOF and length >= 2 and n == 0:
            book.biff8 = struct.unpack_from("<H", stream, at)[0] >= _BIFF8
        elif typ == _BIFF_CODEPAGE and length >= 2:
            book.codepage = struct.unpack_from("<H", stream, at)[0]
        elif typ == _BIFF_BOUNDSHEET and length >= 7:
            found.append((at, length))
        elif typ == _BIFF_FONT and length >= 4:
            book.fonts.append(bool(stream[at + 2] & _FONT_STRUCK))
            book.font_looks.append(_U16X3(stream, at)[::2] if length >= 6 else (_U16(stream, at)[0], AUTO_COLOUR))
        elif typ == _BIFF_XF and length >= 2:
            book.xf_fonts.append(_U16(stream, at)[0])
            book.xf_fills.append(_xf_fill(stream, at, length, book.biff8))
            book.xf_formats.append(_U16(stream, at + 2)[0] if length >= 6 and not stream[at + 4] & _XF_STYLE else None)
        elif typ == _BIFF_FORMAT and length >= 3:
            code = _format_code(stream[at + 2:at + length], book)
            if code is not None:
                book.formats[_U16(stream, at)[0]] = code
        elif typ == _BIFF_PALETTE and length >= 2:
            count = min(_U16(stream, at)[0], (length - 2) // 4)
            book.palette = [stream[at + 2 + 4 * k:at + 5 + 4 * k].hex().upper() for k in range(count)]
        elif typ == _BIFF_SST and not book.sst:
            book.sst.append((at, length))
            in_sst = True
        elif typ == _BIFF_EOF:
            break
    book.sheets = [(struct.unpack_from("<L", stream, at)[0], xls_sheet_name(stream[at:at + length], book))
                   for at, length in found]
    return book


def _xf_fill(stream: bytes, at: int, length: int, biff8: bool) -> tuple[int, int]:
    """An XF's fill pattern (0 none, 1 solid …) and foreground colour index. BIFF8 (MS-XLS 2.4.353,
    CellXF): fls the top 6 bits of the 4 bytes at 14, icvFore the low 7 bits of the 2 at 18; BIFF5
    (OpenOffice.org's "Excel File Format"): icvFore the low 7 bits, the pattern bits 16–21, of the 4
    bytes at 8. A record too short to say: (-1, 0), not compared."""
    if biff8 and length >= 20:
        return struct.unpack_from("<L", stream, at + 14)[0] >> 26, _U16(stream, at + 18)[0] & 0x7F
    if not biff8 and length >= 12:
        word = struct.unpack_from("<L", stream, at + 8)[0]
        return (word >> 16) & 0x3F, word & 0x7F
    return -1, 0


def _format_code(data: bytes, book: XlsBook) -> str | None:
    """The code of a FORMAT record after its ifmt: BIFF8 an XLUnicodeString (a 2-byte count, a flags
    byte, then UTF-16 or one byte a character); BIFF5/7 a count byte and the bytes in the code page.
    None where it cannot be read (the cells of that format are then taken as plain numbers)."""
    try:
        if book.biff8:
            count, flags = _U16(data, 0)[0], data[2]
            text = data[3:3 + count * 2].decode("utf-16-le") if flags & 1 else data[3:3 + count].decode("latin-1")
            return text if len(text) == count else None
        count = data[0]
        return data[1:1 + count].decode(book.encoding) if len(data) >= 1 + count else None
    except (UnicodeDecodeError, struct.error, IndexError):
        return None


def xls_sheet_name(data: bytes, book: XlsBook) -> str | None:
    """The name in a BOUNDSHEET record, for messages. BIFF8: a short Unicode string after 6 bytes (a
    flags byte, then UTF-16 or one byte a character); BIFF5/7: a length byte and the name's bytes in the
    workbook's code page (cp936 for Chinese), with no flags byte."""
    count = data[6]
    if not book.biff8:
        return data[7:7 + count].decode(book.encoding, "replace") or None
    flags = data[7] if len(data) > 7 else 0
    raw = data[8:8 + count * (2 if flags & 1 else 1)]
    return raw.decode("utf-16-le" if flags & 1 else "latin-1", "replace") or None


def xls_struck_strings(stream: bytes, book: XlsBook, fonts: frozenset[int],
                       rich: dict | None | bool = False) -> frozenset[int] | None:
    """The numbers of the shared strings (SST, BIFF8) with a run of text in one of `fonts`, as
    struck_strings finds them in an .xlsx: a name struck inside its cell counts, wholly or in part.
    None where the table cannot be read to its end (which strings are struck is then unknown).
    `rich`: the table's rich strings read already (biffstyle.xls_rich_strings), else read here."""
    if not fonts or not book.sst:
        return frozenset()
    if rich is False:
        rich = xls_rich_strings(stream, book)
    if rich is None:
        return None
    return frozenset(i for i, (_, runs) in rich.items() if any(font in fonts for _, font in runs))


def _rstring_struck(stream: bytes, at: int, length: int, book: XlsBook, fonts: frozenset[int]) -> bool | None:
    """Whether an RSTRING cell (text with runs of fonts) has a run in one of `fonts`; None where its
    runs cannot be read (biffstyle.rstring_runs)."""
    found = rstring_runs(stream, at, length, book.biff8, book.encoding)
    return None if found is None else any(font in fonts for _, font in found[1])


def scan_xls(stream: bytes, book: XlsBook | None = None, look=None) -> dict[int, SheetScan]:
    """Sheet index (BOUNDSHEET order) → the layout of each sheet of an .xls Workbook stream that
    python-calamine does not give: the cells holding an error value (it reads them as empty; a BOOLERR
    error, or a formula whose result is an error), the hidden rows and columns, the struck-out
    cells (None where the runs of a rich string cannot be read), and the number cells whose format
    shows another number than they hold (formatted, by XF: XlsBook.formatted_xfs). A sheet whose records cannot be read
    (no BOF where the workbook says it begins, no EOF before the stream ends) has none: its layout is
    unknown, never taken for "nothing hidden".

    One walk through a sheet's records, and only where it can find something: none for a sheet with no
    error value, no hidden row or column (the bytes of such a record are looked for first) and a
    workbook with no struck font and no cell format that shows another number, which is nearly
    every file. With `look` (rules/columns.yaml), a row lower than it allows (a ROW's miyRw) is hidden
    too, and the cells whose text nobody sees are listed (biffstyle.XlsLook: by their XF, their number
    format's colour for their value, a run of their rich text)."""
    book = book or xls_book(stream)
    low = _heights_below(math.ceil(look.row_height_below * 20)) if look is not None else None
    narrow = _narrow(look)
    fonts = book.struck_fonts
    xfs = book.struck_xfs(fonts)
    numbers = frozenset(book.formatted_xfs)   # formats that show another number (numformat)
    unseen = XlsLook(book, look) if look is not None else None
    # the rich shared strings, read where a font strikes text out or may hide it
    rich = xls_rich_strings(stream, book) if book.biff8 and (fonts or unseen is not None and unseen.hiding) else {}
    strings = xls_struck_strings(stream, book, fonts, rich) if book.biff8 else frozenset()
    if unseen is not None:
        unseen.read_strings(rich)
    starts = [start for start, _ in book.sheets]
    low_rows = (re.compile(rb"\x08\x02\x10\x00.{6}" + low, re.DOTALL),) if low else ()
    hints = [_hinted(patterns, stream, starts) for patterns in (_XLS_ERROR_HINTS, (_XLS_HIDDEN_ROW_HINT, *low_rows),
                                                               (_XLS_HIDDEN_COL_HINT, _narrow_hint(narrow)))]
    # an RSTRING record's type (cells of rich text, BIFF5's above all), where some font may hide a run
    rstrings = _hinted((_XLS_RSTRING_HINT,), stream, starts) if unseen is not None and unseen.hiding else set()
    # conditional formats (biffstyle.cf_rule): a sheet with one has each of its cells looked at
    formats_cf = _hinted((_XLS_CF_HINT,), stream, starts) if unseen is not None and book.biff8 else set()
    out: dict[int, SheetScan] = {}
    for index, start in enumerate(starts):
        if start + 4 > len(stream) or _U16(stream, start)[0] != _BIFF_BOF:
            continue
        wanted = (start in hints[0], start in hints[1], start in hints[2], bool(fonts), bool(numbers),
                  bool(unseen) or start in rstrings or start in formats_cf)
        if not any(wanted):
            out[index] = SheetScan()
            continue
        scan = _scan_xls_sheet(stream, start, book, wanted, fonts, xfs, strings, numbers,
                               unseen if wanted[5] else None, low if wanted[1] else None, start in formats_cf,
                               narrow)
        if scan is not None:
            out[index] = scan
    return out


def _narrow(look) -> int:
    """The COLINFO width (coldx, 1/256 of a character) below which a column is hidden: the rules'
    look.column_width_below, else a width of 0 alone."""
    below = getattr(look, "column_width_below", None) if look is not None else None
    return max(1, math.ceil(below * 256)) if below else 1


def _narrow_hint(narrow: int) -> re.Pattern:
    """The bytes of a COLINFO (12 bytes; 10 or 11 from some writers) whose coldx is below `narrow`."""
    if narrow <= 1:
        return _XLS_NO_WIDTH_COL_HINT
    return re.compile(rb"\x7d\x00[\x0a-\x0c]\x00.{4}" + _heights_below(narrow), re.DOTALL)


def _hinted(patterns: tuple[re.Pattern, ...], stream: bytes, starts: list[int]) -> set[int]:
    """The sheet starts after which one of `patterns` is found in `stream`: the stream is searched
    once, from the last sheet back (a hint after a sheet's start is after every earlier start too)."""
    found: set[int] = set()
    end = len(stream)
    for start in sorted(set(starts), reverse=True):
        if found or any(p.search(stream, start, end) is not None for p in patterns):
            found.add(start)
        end = min(start + 32, len(stream))   # a hint is shorter than 32 bytes: one begun before `start`
    return found


_XLS_CELLS = frozenset({_BIFF_LABELSST, _BIFF_LABEL, _BIFF_RSTRING, _BIFF_NUMBER, _BIFF_RK, _BIFF_MULRK,
                        _BIFF_BOOLERR, _BIFF_FORMULA})   # the cells that show something (not BLANK, MULBLANK)
_LOOKAHEAD_MAX = 64   # struck XFs (or struck strings) beyond this many: their cells are looked at one by one


def _none_of(values: frozenset[int], fmt: str) -> bytes:
    """A regex of the bytes of one field (`fmt`: <H, <L) holding none of `values`."""
    width = struct.calcsize(fmt)
    if not values:
        return b"." * width
    return b"(?!" + b"|".join(re.escape(struct.pack(fmt, v)) for v in sorted(values)) + b")" + b"." * width


def _heights_below(twips: int) -> bytes | None:
    """A regex of the 2 bytes of a ROW's miyRw (the row's height in twips, 1/20 pt) holding a height
    below `twips`; None where none is. (In BIFF5 its top bit says the row has the sheet's default
    height: such a row is not taken for a low one.)"""
    most = min(twips - 1, 0x7FFF)
    if most < 0:
        return None
    parts = []
    for hi in range(most >> 8, -1, -1):
        top = 0xFF if hi < most >> 8 else most & 0xFF
        parts.append(b"[\\x00-" + b"\\x%02x" % top + b"]" + b"\\x%02x" % hi)
    return b"(?:" + b"|".join(parts) + b")"


def _skip_pattern(errors: bool, rows: bool, struck: bool, xfs: frozenset[int],
                  strings: frozenset[int] | None, numbers: frozenset[int] = frozenset(),
                  unseen: frozenset[int] = frozenset(), low: bytes | None = None,
                  rich_xfs: frozenset[int] = frozenset(), every_cell: bool = False) -> re.Pattern:
    """A run of the records a sheet's walk passes over, matched in C rather than looked at one by one
    (a 65,536-row sheet is a million records): the commonest cells, fixed in size (LABELSST, RK,
    NUMBER, BOOLERR, BLANK), that say nothing the walk asks for, and the ROW records of visible rows.
    Not in it: a cell whose format is struck (`xfs`), a number cell (RK, NUMBER) whose format shows
    another number (`numbers`), a LABELSST of a struck string, a BOOLERR holding an error (`errors`),
    a hidden row (`rows`: marked so, or lower than `low`, a regex of its miyRw), a cell whose XF may
    hide its text (`unseen`), a LABELSST of an XF whose fill may hide a run of a rich string
    (`rich_xfs`); every cell where `every_cell` (a sheet with conditional formats); a record of another size, and every record of another type (MULRK, FORMULA,
    LABEL …), are looked at by the walk. Possessive: no backtracking, no state kept for the records
    passed."""
    def record(typ: int, length: int) -> bytes:
        return re.escape(struct.pack("<HH", typ, length))

    row = record(_BIFF_ROW, 16) + (rb".{6}" + (b"(?!" + low + b")" if low else b"") + rb".{6}"
                                   + _bit_clear(_ROW_HIDDEN) + rb".{3}" if rows else rb".{16}")
    cell_xfs = (xfs if struck else frozenset()) | unseen
    if every_cell or len(cell_xfs) > _LOOKAHEAD_MAX or len(cell_xfs | numbers) > _LOOKAHEAD_MAX:   # every cell is looked at
        return re.compile(b"(?:" + row + b")*+", re.DOTALL)
    fmt = rb".{4}" + (_none_of(cell_xfs, "<H") if cell_xfs else rb"..")   # rw, col, then the cell's XF
    watched = cell_xfs | numbers
    number = rb".{4}" + (_none_of(watched, "<H") if watched else rb"..")
    alternatives = [record(_BIFF_RK, 10) + number + rb".{4}", record(_BIFF_NUMBER, 14) + number + rb".{8}",
                    record(_BIFF_BOOLERR, 8) + fmt + (rb".[^\x01]" if errors else rb".."),
                    record(0x0201, 6) + rb".{6}",   # BLANK: an empty cell, struck or not
                    row]
    labels = cell_xfs | rich_xfs   # the XFs whose LABELSST is looked at
    if (not struck or strings is None or len(strings) <= _LOOKAHEAD_MAX) and len(labels) <= _LOOKAHEAD_MAX:
        sst = _none_of(strings, "<L") if struck and strings else rb".{4}"
        alternatives.insert(0, record(_BIFF_LABELSST, 10) + rb".{4}" + (_none_of(labels, "<H") if labels else rb"..")
                            + sst)
    return re.compile(b"(?:" + b"|".join(alternatives) + b")*+", re.DOTALL)


def _bit_clear(mask: int) -> bytes:
    """A regex class of the bytes with no bit of `mask` set."""
    return b"[" + b"".join(re.escape(bytes([b])) for b in range(256) if not b & mask) + b"]"


def _scan_xls_sheet(stream: bytes, start: int, book: XlsBook, wanted: tuple[bool, ...],
                    fonts: frozenset[int], xfs: frozenset[int], strings: frozenset[int] | None,
                    numbers: frozenset[int] = frozenset(), unseen: XlsLook | None = None,
                    low: bytes | None = None, conditional: bool = False, narrow: int = 1) -> SheetScan | None:
    """scan_xls for the sheet whose BOF is at `start`: one walk through its records, looking at those
    `wanted` asks for (error values, hidden rows, hidden columns, struck cells, number cells of the
    XFs `numbers`, cells whose text nobody sees: `unseen`, biffstyle.XlsLook) and passing over runs of
    the others in C (_skip_pattern). With `conditional` (and `unseen`), the rules of its conditional
    formats that hide text (biffstyle.cf_rule: SheetScan.invisible.rules), each cell's XF noted where
    a rule hides text on some XFs only (Rule.cells)."""
    errors, rows, cols, struck, formats = wanted[:5]
    below = (re.compile(low, re.DOTALL).fullmatch if low else None)
    types = {_BIFF_BOF, _BIFF_EOF}
    if errors:
        types |= {_BIFF_BOOLERR, _BIFF_FORMULA}
    if rows:
        types.add(_BIFF_ROW)
    if cols:
        types.add(_BIFF_COLINFO)
    if struck or unseen is not None:
        types |= _XLS_CELLS
    if formats:
        types |= {_BIFF_NUMBER, _BIFF_RK, _BIFF_MULRK, _BIFF_FORMULA}
    conditional = conditional and unseen is not None
    if conditional:
        types |= {_BIFF_CONDFMT, _BIFF_CF}
    placed: list[tuple[int, int, int]] | None = [] if conditional else None   # (row, col, XF) of each cell
    ranges: list[tuple[int, int, int, int]] = []   # the last CONDFMT's, its CF records' ranges
    rules = []
    skip = _skip_pattern(errors, rows, struck, xfs, strings, numbers if formats else frozenset(),
                         unseen.xfs if unseen is not None else frozenset(), low,
                         unseen.rich_xfs if unseen is not None else frozenset(), conditional).match
    out = SheetScan()
    hidden_rows: list[int] = []
    hidden_cols: set[int] = set()
    cells: list[tuple[int, int]] = []
    unread_runs = strings is None and struck
    end = len(stream)
    pos, depth, closed = start, 0, False
    while pos + 4 <= end:
        pos = skip(stream, pos).end()
        if pos + 4 > end:
            break
        typ, length = _U16X2(stream, pos)
        at = pos + 4
        pos = at + length
        if typ not in types:
            continue
        if pos > end:
            break   # the stream ends inside the record
        if typ == _BIFF_BOF:
            depth += 1
            continue
        if typ == _BIFF_EOF:
            depth -= 1
            if depth <= 0:
                closed = True
                break
            continue
        if depth != 1:
            continue   # a chart's records
        if typ == _BIFF_ROW:   # the lengths the hints look for: a record of another is none MS-XLS knows
            if length == 16 and (stream[at + 12] & _ROW_HIDDEN or (below and below(stream, at + 6, at + 8))):
                hidden_rows.append(_U16(stream, at)[0] + 1)
            continue
        if typ == _BIFF_COLINFO:
            if 10 <= length <= 12 and (stream[at + 8] & _COL_HIDDEN or _U16(stream, at + 4)[0] < narrow):
                first, last = _U16X2(stream, at)
                hidden_cols.update(range(first, min(last, XLS_COLUMNS - 1) + 1))
            continue
        if typ == _BIFF_CONDFMT:
            ranges = condfmt_ranges(stream, at, length)
            continue
        if typ == _BIFF_CF:
            if ranges and (rule := cf_rule(unseen, stream, at, length, ranges)) is not None:
                rules.append(rule)
            continue
        if length < 6:
            continue
        row, col, xf = _U16X3(stream, at)
        if placed is not None and typ in _XLS_CELLS:
            if typ == _BIFF_MULRK:
                placed += [(row + 1, col + j, _U16(stream, at + 4 + 6 * j)[0]) for j in range((length - 6) // 6)]
            else:
                placed.append((row + 1, col, xf))
        if errors:
            if typ == _BIFF_BOOLERR and length == 8 and stream[at + 7] == 1:
                out.errors.append((row + 1, col, XLS_ERRORS.get(stream[at + 6], "#N/A")))
            elif typ == _BIFF_FORMULA and length >= 14 and stream[at + 6] == 2 and stream[at + 12:at + 14] == b"\xff\xff":
                out.errors.append((row + 1, col, XLS_ERRORS.get(stream[at + 8], "#N/A")))
        if formats:
            if typ == _BIFF_MULRK:
                for j in range((length - 6) // 6):
                    cell_xf = _U16(stream, at + 4 + 6 * j)[0]
                    if cell_xf in numbers:
                        out.formatted.append((row + 1, col + j, cell_xf))
            elif xf in numbers and (typ in (_BIFF_NUMBER, _BIFF_RK) or (
                    typ == _BIFF_FORMULA and length >= 14 and stream[at + 12:at + 14] != b"\xff\xff")):
                out.formatted.append((row + 1, col, xf))   # a number, or a formula whose result is one
        if unseen is not None and typ in _XLS_CELLS:
            if typ == _BIFF_MULRK:
                out.invisible += [(row + 1, col + j, why) for j, why in unseen.mulrk(stream, at, length)]
            elif (why := unseen.why(typ, stream, at, length, xf)) is not None:
                out.invisible.append((row + 1, col, why))
        if not struck:
            continue
        if typ == _BIFF_MULRK:   # rw, the first column, (ixfe, rk) a cell, the last column
            for j in range((length - 6) // 6):
                if _U16(stream, at + 4 + 6 * j)[0] in xfs:
                    cells.append((row + 1, col + j))
        elif xf in xfs:
            cells.append((row + 1, col))
        elif typ == _BIFF_LABELSST:
            if strings and length >= 10 and struct.unpack_from("<L", stream, at + 6)[0] in strings:
                cells.append((row + 1, col))
        elif typ == _BIFF_RSTRING:
            hit = _rstring_struck(stream, at, length, book, fonts)
            if hit is None:
                unread_runs = True
            elif hit:
                cells.append((row + 1, col))
    if not closed:
        return None
    out.hidden_rows = np.unique(np.asarray(hidden_rows, dtype=np.int64))
    out.hidden_columns = frozenset(hidden_cols)
    out.struck = None if unread_runs else cells
    if rules:
        _place_rules(rules, placed or [])
        out.invisible.rules = rules
    return out


def _place_rules(rules: list, placed: list[tuple[int, int, int]]) -> None:
    """Each rule that hides text on some XFs only is given the XF of each cell of its ranges (Rule.cells:
    (row, col) → XF), from the cells of the sheet (`placed`: row, col, XF), a mask a range."""
    cells = np.asarray(placed, dtype=np.int64).reshape(-1, 3)
    for rule in rules:
        if rule.styles is None:
            continue
        inside = np.zeros(len(cells), dtype=bool)
        for r1, c1, r2, c2 in rule.ranges:
            inside |= (cells[:, 0] >= r1) & (cells[:, 0] <= r2) & (cells[:, 1] >= c1) & (cells[:, 1] <= c2)
        hit = cells[inside]
        rule.cells = dict(zip(zip(hit[:, 0].tolist(), hit[:, 1].tolist()), hit[:, 2].tolist()))


def xls_workbook_stream(path: Path) -> bytes | None:
    """The Workbook stream of an .xls ("Book" in Excel 5.0/95), None where the container cannot give it."""
    import olefile

    try:
        with open(path, "rb") as fh, olefile.OleFileIO(fh) as ole:
            name = next((n for n in ("Workbook", "Book") if ole.exists(n)), None)
            return ole.openstream(name).read() if name else None
    except Exception:  # olefile's own errors: calamine has read the file, so its cells are what there is
        return None


def xls_layout(path: Path, look=None) -> XlsBook:
    """An .xls's globals (xls_book) with the layout of each sheet, by sheet index (scan_xls); no
    sheet's where the container does not give the Workbook stream."""
    stream = xls_workbook_stream(path)
    if stream is None:
        return XlsBook()
    book = xls_book(stream)
    book.scans = scan_xls(stream, book, look)
    return book
