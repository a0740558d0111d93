"""Struck-out text (删除线) in a workbook: which cell styles and which shared strings draw a line through
(and, read from the same styles part, which cell styles have a number format that shows another
number than the cell holds: read.numformat).

A school that drops a student often strikes the row through instead of deleting it; the text is
still there and a reader of the values alone would pay the student. Only the look of the cell says
otherwise, so the reader of a sheet (sheetxml) is told which style numbers and which shared strings
are struck. Most workbooks have none, and then nothing more is looked at.
"""

from __future__ import annotations

import contextlib
import posixpath
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from aidctl.read.numformat import Display, number_formats

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
# <strike/> or <strike val="1"/> draws the line; val="0" / "false" takes it away
_OFF = {"0", "false", "off"}
# looked for as a plain word (a literal search, fast over a sheet's part), then checked as a tag
STRIKE_MARK = re.compile(rb"strike")
_STRIKE_TAG = re.compile(rb'\s*(?:val="([^"]*)")?\s*/?>')


class Struck:
    """Cell style numbers (the `s` of a cell) whose font is struck out, and shared-string numbers
    with a struck-out run of text. The shared strings (58 MB in a 500,000-row workbook) are searched
    when first asked for, by the thread that scans the sheet while fastexcel parses it."""

    def __init__(self, styles: frozenset[int] = frozenset(), strings: frozenset[int] = frozenset(),
                 source: tuple[zipfile.ZipFile | Path, str] | bytes | None = None,
                 formats: dict[int, Display] | None = None):
        self.styles = styles
        # and, read from the same part, the style numbers whose number format shows another number
        # than the cell holds, writes words beside it, or hides or adds to a text cell (;;;,
        # @"（已退学）": Display.text_shows) (numformat.number_formats): the look of a cell, as its
        # strike is; a workbook without custom or built-in telling formats costs one search
        self.formats = formats or {}
        self._strings = strings
        # (the workbook, the part of its shared strings), or the part itself when inflated already:
        # until searched
        self._source = source

    @property
    def strings(self) -> frozenset[int]:
        if isinstance(self._source, bytes):
            self._strings = struck_strings(self._source)
        elif self._source is not None:
            where, part = self._source
            with contextlib.nullcontext(where) if isinstance(where, zipfile.ZipFile) else zipfile.ZipFile(where) as zf:
                self._strings = struck_strings(zf.read(part)) if _has_mark(zf, part) else frozenset()
        self._source = None
        return self._strings

    def __repr__(self) -> str:
        return f"Struck(styles={sorted(self.styles)}, strings={sorted(self.strings)})"


NONE_STRUCK = Struck()


def strike_on(buf: bytes, end: int) -> bool:
    """Whether the STRIKE_MARK ending at `end` is a <strike> tag that draws the line."""
    before = buf[end - 7:end - 6]
    tag = _STRIKE_TAG.match(buf, end)
    return before in (b"<", b":") and tag is not None and (tag.group(1) or b"1").strip().lower() not in _OFF_BYTES


_OFF_BYTES = {v.encode() for v in _OFF}


def _struck(font: ElementTree.Element | None) -> bool:
    if font is None:
        return False
    mark = font.find(f"{_NS_MAIN}strike")
    return mark is not None and mark.get("val", "1").strip().lower() not in _OFF


def struck_styles(styles: bytes) -> frozenset[int]:
    """The cell style numbers of xl/styles.xml whose font is struck out."""
    if not STRIKE_MARK.search(styles):
        return frozenset()
    root = ElementTree.fromstring(styles)
    fonts_el = root.find(f"{_NS_MAIN}fonts")
    fonts = [_struck(f) for f in fonts_el.iter(f"{_NS_MAIN}font")] if fonts_el is not None else []
    xfs = root.find(f"{_NS_MAIN}cellXfs")
    out = set()
    for i, xf in enumerate(xfs.iter(f"{_NS_MAIN}xf") if xfs is not None else ()):
        font = int(xf.get("fontId", "0") or 0)
        if 0 <= font < len(fonts) and fonts[font]:
            out.add(i)
    return frozenset(out)


def struck_strings(shared: bytes) -> frozenset[int]:
    """The numbers of the shared strings (xl/sharedStrings.xml) that have a struck-out run."""
    if not STRIKE_MARK.search(shared):
        return frozenset()
    out = set()
    for i, si in enumerate(ElementTree.fromstring(shared).iter(f"{_NS_MAIN}si")):
        if any(_struck(run.find(f"{_NS_MAIN}rPr")) for run in si.iter(f"{_NS_MAIN}r")):
            out.add(i)
    return frozenset(out)


_REL = re.compile(rb'<(?:\w+:)?Relationship\b[^>]*>')
_REL_TYPE = re.compile(rb'\sType="[^"]*/(styles|sharedStrings)"')
_REL_TARGET = re.compile(rb'\sTarget="([^"]*)"')
_CHUNK = 1 << 20


def workbook_struck(zf: zipfile.ZipFile, held: dict[str, bytes], reopen: Path | None = None) -> Struck:
    """The struck-out styles and shared strings of an open .xlsx, from the parts its workbook's
    relationships (xl/_rels/workbook.xml.rels) name; `held`: parts of `zf` inflated already (the
    limits check's), used rather than inflated again. Shared strings not held are searched later, in
    chunks, for a strike mark and parsed only when one is there: in `zf`, or in the file `reopen`
    when `zf` is closed by then."""
    def read(part: str) -> bytes:
        return held[part] if part in held else zf.read(part)

    parts = {}
    for rel in _REL.finditer(read("xl/_rels/workbook.xml.rels")):
        kind, target = _REL_TYPE.search(rel.group(0)), _REL_TARGET.search(rel.group(0))
        if kind and target:
            path = target.group(1).decode("utf-8", "replace")
            parts[kind.group(1)] = posixpath.normpath(path.lstrip("/") if path.startswith("/") else f"xl/{path}")
    names = zf.NameToInfo
    styles = parts.get(b"styles")
    strings = parts.get(b"sharedStrings")
    source = held.get(strings) if strings in held else ((reopen or zf), strings) if strings in names else None
    if styles not in names:
        return Struck(source=source)
    part = read(styles)
    return Struck(struck_styles(part), source=source, formats=number_formats(part))


def _has_mark(zf: zipfile.ZipFile, part: str) -> bool:
    with zf.open(part) as fh:
        tail = b""
        while chunk := fh.read(_CHUNK):
            if b"strike" in tail + chunk:
                return True
            tail = chunk[-8:]
    return False
