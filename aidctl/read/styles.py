"""Struck-out text (删除线) in a workbook: which cell styles and which shared strings draw a line through
(and, read from the same styles part, which cell styles have a number format that shows another
number than the cell holds: read.numformat; and which draw their text so that nobody sees it: a font
coloured as the cell's fill, or too small: `invisible_styles`, cell.invisible).

A school that drops a student often strikes the row through instead of deleting it; the text is
still there and a reader of the values alone would pay the student. Only the look of the cell says
otherwise, so the reader of a sheet (sheetxml) is told which style numbers and which shared strings
are struck. Most workbooks have none, and then nothing more is looked at.
"""

from __future__ import annotations

import colorsys
import contextlib
import posixpath
import re
import zipfile
from collections.abc import Callable
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
                 formats: dict[int, Display] | None = None, invisible: dict[int, str] | None = None,
                 look=None, styles_look: StylesLook | None = None):
        self.styles = styles
        # the style numbers whose text nobody sees (invisible_styles: style → what hides it), and the
        # rules' sizes (rules/columns.yaml `look`: a row lower than its row_height_below is hidden);
        # None: not looked for (a reader given no rules)
        self.invisible = invisible or {}
        self.look = look
        self.styles_look = styles_look   # the workbook's colours, fonts and fills (runs are judged by them)
        self._runs: dict[int, list[tuple[bool, float | None, str | None]]] = {}
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
        self._search()
        return self._strings

    @property
    def runs(self) -> dict[int, list[tuple[bool, float | None, str | None]]]:
        """The shared strings (by number) with a run of text whose size or colour may hide it from
        view (invisible_runs), looked for only with the rules' `look`."""
        self._search()
        return self._runs

    def _search(self) -> None:
        """The shared strings searched once: for a struck run, and, with the rules, for a run of
        rich text whose own size or colour is given (a workbook without rich text: neither mark)."""
        if self._source is None:
            return
        source, self._source = self._source, None
        rich = self.look is not None and self.styles_look is not None
        if isinstance(source, bytes):
            data = source
        else:
            where, part = source
            with contextlib.nullcontext(where) if isinstance(where, zipfile.ZipFile) else zipfile.ZipFile(where) as zf:
                strike, runs = _has_mark(zf, part, rich)
                data = zf.read(part) if strike or runs else b""
        self._strings = struck_strings(data)
        if rich:
            self._runs = invisible_runs(data, self.look.font_size_below, self.styles_look.colours)

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
_REL_TYPE = re.compile(rb'\sType="[^"]*/(styles|sharedStrings|theme)"')
_REL_TARGET = re.compile(rb'\sTarget="([^"]*)"')
_CHUNK = 1 << 20


def workbook_struck(zf: zipfile.ZipFile, held: dict[str, bytes], reopen: Path | None = None, look=None) -> Struck:
    """The struck-out styles and shared strings of an open .xlsx, from the parts its workbook's
    relationships (xl/_rels/workbook.xml.rels) name; `held`: parts of `zf` inflated already (the
    limits check's), used rather than inflated again. Shared strings not held are searched later, in
    chunks, for a strike mark and parsed only when one is there: in `zf`, or in the file `reopen`
    when `zf` is closed by then. With `look` (rules/columns.yaml), the styles whose text nobody sees
    too (invisible_styles; the theme part read only where a theme colour is to be compared)."""
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
    theme = parts.get(b"theme")
    styles_look = StylesLook(part, read(theme) if look is not None and theme in names else b"") \
        if look is not None else None
    return Struck(struck_styles(part), source=source, formats=number_formats(part), look=look, styles_look=styles_look,
                  invisible=styles_look.invisible(look.font_size_below, getattr(look, "contrast_below", None))
                  if styles_look is not None else {})


def _has_mark(zf: zipfile.ZipFile, part: str, rich: bool = False) -> tuple[bool, bool]:
    """Whether the part may hold a struck run, and (`rich`) a run of rich text whose look is given: with
    `rich`, a run's properties (rPr>, where a strike is written too), else a strike mark. One literal
    search a chunk either way."""
    mark = b"rPr>" if rich else b"strike"
    with zf.open(part) as fh:
        tail = b""
        while chunk := fh.read(_CHUNK):
            if mark in tail + chunk:
                return True, rich
            tail = chunk[-8:]
    return False, False


# --- text nobody sees: a font coloured as its cell's fill, or too small (cell.invisible) ------------

WHITE, BLACK = "FFFFFF", "000000"
# Excel's default palette, indexed colours 0–63 (an .xls's icv 8–63 too); 64 is the system's text
# colour (black), 65 its window's (white). A workbook may replace the palette (<indexedColors>).
PALETTE = ("000000", "FFFFFF", "FF0000", "00FF00", "0000FF", "FFFF00", "FF00FF", "00FFFF",
           "000000", "FFFFFF", "FF0000", "00FF00", "0000FF", "FFFF00", "FF00FF", "00FFFF",
           "800000", "008000", "000080", "808000", "800080", "008080", "C0C0C0", "808080",
           "9999FF", "993366", "FFFFCC", "CCFFFF", "660066", "FF8080", "0066CC", "CCCCFF",
           "000080", "FF00FF", "FFFF00", "00FFFF", "800080", "800000", "008080", "0000FF",
           "00CCFF", "CCFFFF", "CCFFCC", "FFFF99", "99CCFF", "FF99CC", "CC99FF", "FFCC99",
           "3366FF", "33CCCC", "99CC00", "FFCC00", "FF9900", "FF6600", "666699", "969696",
           "003366", "339966", "003300", "333300", "993300", "993366", "333399", "333333",
           BLACK, WHITE)
# a theme colour's index (theme="0") names these of the theme's colour scheme: Excel's order, the light
# and dark first pairs swapped against the scheme's own (theme 0 is lt1, "背景 1", white in every
# Office theme; theme 1 is dk1, "文字 1", the default font colour)
_THEME_ORDER = (b"lt1", b"dk1", b"lt2", b"dk2", b"accent1", b"accent2", b"accent3", b"accent4", b"accent5",
                b"accent6", b"hlink", b"folHlink")
# where a workbook carries no theme part, Excel's built-in one says lt1 and dk1 (the others: unknown)
_NO_THEME = (WHITE, BLACK)
_THEME_COLOUR = {name: re.compile(rb"<(?:\w+:)?" + name + rb">\s*<(?:\w+:)?(?:srgbClr\b[^>]*?\bval|sysClr\b[^>]*?\blastClr)"
                                  rb'="([0-9A-Fa-f]{6})"') for name in _THEME_ORDER}
BLOCK = {name: re.compile(rb"<(?:\w+:)?" + name + rb"\b[^>]*>(.*?)</(?:\w+:)?" + name + rb">", re.S)
         for name in (b"fonts", b"fills", b"cellXfs", b"indexedColors", b"dxfs")}
ITEM = {name: re.compile(rb"<(?:\w+:)?" + name + rb"\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?" + name + rb">)", re.S)
        for name in (b"font", b"fill", b"dxf")}
_XF = re.compile(rb"<(?:\w+:)?xf\b([^>]*)>")
_SIZE = re.compile(rb'<(?:\w+:)?sz\b[^>]*?\bval="([^"]*)"')
COLOR = re.compile(rb"<(?:\w+:)?color\b([^>]*)>")
FG = re.compile(rb"<(?:\w+:)?fgColor\b([^>]*)>")
_PATTERN = re.compile(rb"<(?:\w+:)?patternFill\b([^>]*)>")
_RGB = re.compile(rb"<(?:\w+:)?rgbColor\b[^>]*?\brgb=\"([0-9A-Fa-f]{6,8})\"")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')


def theme_colours(theme: bytes) -> tuple[str | None, ...]:
    """The colours (RRGGBB) a theme index names, from a workbook's theme part (xl/theme/theme1.xml);
    Excel's built-in lt1 and dk1 where it has none."""
    if not theme:
        return _NO_THEME
    found = tuple((m.group(1).decode().upper() if (m := _THEME_COLOUR[name].search(theme)) else None)
                  for name in _THEME_ORDER)
    return found if any(found) else _NO_THEME


def tinted(rgb: str, tint: float) -> str:
    """A colour lightened (tint > 0) or darkened (tint < 0) as Excel does: on its HLS luminance."""
    if not tint:
        return rgb
    h, lum, sat = colorsys.rgb_to_hls(*(int(rgb[i:i + 2], 16) / 255 for i in (0, 2, 4)))
    lum = lum * (1 + tint) if tint < 0 else lum * (1 - tint) + tint
    return "".join(f"{round(v * 255):02X}" for v in colorsys.hls_to_rgb(h, min(max(lum, 0.0), 1.0), sat))


def colour_name(rgb: str) -> str:
    """白色, 黑色, or the colour's #RRGGBB, for a message."""
    return {WHITE: "白色", BLACK: "黑色"}.get(rgb, f"#{rgb}")


def luminance(rgb: str) -> float:
    """A colour's relative luminance, as WCAG 2.1 defines it (sRGB channels linearised, weighted
    0.2126, 0.7152, 0.0722): 0 for black, 1 for white."""
    channels = []
    for i in (0, 2, 4):
        c = int(rgb[i:i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


def contrast(one: str, other: str) -> float:
    """WCAG 2.1's contrast ratio of two colours, (L1 + 0.05) / (L2 + 0.05) with L1 the lighter's
    relative luminance: 1 for the same colour, 21 for black on white."""
    a, b = sorted((luminance(one), luminance(other)))
    return (b + 0.05) / (a + 0.05)


def hides(colour: str | None, fill: str | None, contrast_below: float | None = None) -> str | None:
    """What hides text of `colour` on `fill` (None: it is seen, or a colour is unknown): the same
    colour, or (`contrast_below`, rules/columns.yaml look.contrast_below) a contrast ratio below it."""
    if colour is None or fill is None:
        return None
    if colour == fill:
        return f"字体颜色与单元格底色相同（均为{colour_name(fill)}）"
    if contrast_below is not None:
        ratio = contrast(colour, fill)
        if ratio < contrast_below:
            return (f"字体颜色（{colour_name(colour)}）与单元格底色（{colour_name(fill)}）几乎相同"
                    f"（对比度 {ratio:.2f}:1，低于 {contrast_below:g}:1）")
    return None


def parse_number(text: bytes | str | None) -> float | None:
    """A number written in a file (11, 0.75), None where it is none (or not finite)."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if value == value and abs(value) != float("inf") else None


class _Colours:
    """Resolves a colour element's attributes (rgb, indexed, theme and tint, auto) to RRGGBB; the theme
    part is read the first time a theme colour is asked for."""

    def __init__(self, palette: tuple[str, ...], theme: Callable[[], tuple[str | None, ...]]):
        self.palette = palette
        self._theme = theme
        self._themes: tuple[str | None, ...] | None = None

    def rgb(self, attrs: dict[bytes, bytes], default: str | None) -> str | None:
        """None where the colour is unknown (a theme index past the scheme, a malformed value)."""
        if not attrs or attrs.get(b"auto", b"0").strip() in (b"1", b"true"):
            return default
        found: str | None = None
        if b"rgb" in attrs:
            value = attrs[b"rgb"].decode("ascii", "replace").strip().upper()
            found = value[-6:] if len(value) in (6, 8) and all(c in "0123456789ABCDEF" for c in value) else None
        elif b"indexed" in attrs:
            index = attrs[b"indexed"].strip()
            found = self.palette[int(index)] if index.isdigit() and int(index) < len(self.palette) else None
        elif b"theme" in attrs:
            if self._themes is None:
                self._themes = self._theme()
            index = attrs[b"theme"].strip()
            found = self._themes[int(index)] if index.isdigit() and int(index) < len(self._themes) else None
        else:
            return default
        tint = parse_number(attrs.get(b"tint")) or 0.0
        return tinted(found, tint) if found is not None and tint else found


def tag_attrs(raw: bytes) -> dict[bytes, bytes]:
    return dict(_ATTR.findall(raw))


def _index(value: bytes | None) -> int:
    return int(value) if value is not None and value.strip().isdigit() else 0


class StylesLook:
    """What xl/styles.xml says of who sees a cell's text: its palette, each font's size and colour,
    each fill's colour (no fill is the sheet's white, a solid fill its foreground colour; another
    pattern or a gradient is not compared), each cell style's font and fill. The fonts and fills are
    read at once (a few dozen); the cell styles only where some font is too small or coloured as some
    fill, or a run of rich text is to be judged, which few workbooks ask for. `theme`: the workbook's
    theme part (b"": none), its colours read the first time one is asked for."""

    def __init__(self, styles: bytes, theme: bytes = b""):
        self.styles = styles
        palette_block = BLOCK[b"indexedColors"].search(styles)
        palette = PALETTE
        if palette_block is not None:
            given = [m.decode().upper()[-6:] for m in _RGB.findall(palette_block.group(1))]
            palette = tuple(given) + PALETTE[len(given):]
        self.colours = _Colours(palette, lambda: theme_colours(theme))
        self.font_sizes: list[float | None] = []
        self.font_rgb: list[str | None] = []
        fonts_block = BLOCK[b"fonts"].search(styles)
        for m in ITEM[b"font"].finditer(fonts_block.group(1) if fonts_block else b""):
            body = m.group(2) or b""
            size = _SIZE.search(body)
            self.font_sizes.append(parse_number(size.group(1)) if size else None)
            colour = COLOR.search(body)
            self.font_rgb.append(self.colours.rgb(tag_attrs(colour.group(1)) if colour else {}, BLACK))
        fills_block = BLOCK[b"fills"].search(styles)
        self.fill_rgb: list[str | None] = []
        for m in ITEM[b"fill"].finditer(fills_block.group(1) if fills_block else b""):
            body = m.group(2) or b""
            pattern = _PATTERN.search(body)
            kind = tag_attrs(pattern.group(1)).get(b"patternType", b"none").strip() if pattern else \
                (b"gradient" if b"gradientFill" in body else b"none")
            if kind == b"none":
                self.fill_rgb.append(WHITE)
            elif kind == b"solid":
                fg = FG.search(body)   # none: the system's foreground colour, black (as Excel draws it)
                self.fill_rgb.append(self.colours.rgb(tag_attrs(fg.group(1)), BLACK) if fg else BLACK)
            else:
                self.fill_rgb.append(None)   # a pattern of two colours, a gradient: not compared
        self._xfs: list[tuple[int, int, int]] | None = None
        # the cell styles whose number format draws some of its sections in a colour of their own, and
        # so hides one kind of value and not another (drawn.Sections: judged a cell at a time)
        self.sectioned: dict = {}

    @property
    def xfs(self) -> list[tuple[int, int, int]]:
        """Each cell style's (font, fill, number format), in cellXfs order, read once."""
        if self._xfs is None:
            block = BLOCK[b"cellXfs"].search(self.styles)
            self._xfs = [(_index(a.get(b"fontId")), _index(a.get(b"fillId")), _index(a.get(b"numFmtId")))
                         for a in (tag_attrs(m.group(1)) for m in _XF.finditer(block.group(1) if block else b""))]
        return self._xfs

    def font_of(self, style: int) -> str | None:
        """The colour of the font of a cell of this style (None: unknown)."""
        xfs = self.xfs
        font = xfs[style][0] if 0 <= style < len(xfs) else 0
        return self.font_rgb[font] if 0 <= font < len(self.font_rgb) else None

    def fill_of(self, style: int) -> str | None:
        """The colour a cell of this style is filled with (None: not compared)."""
        xfs = self.xfs
        fill = xfs[style][1] if 0 <= style < len(xfs) else 0
        return self.fill_rgb[fill] if 0 <= fill < len(self.fill_rgb) else None

    def invisible(self, font_size_below: float, contrast_below: float | None = None) -> dict[int, str]:
        """The cell style numbers (a cell's `s`) whose text nobody sees, each with what hides it: a
        font smaller than `font_size_below` points, or a font colour equal to the cell's fill (white
        text on no fill or on a white one; black on black) or, with `contrast_below`, too close to it
        (hides). Colours are compared as Excel draws them: an rgb, an indexed colour (the workbook's
        palette or Excel's), a theme colour with its tint; and where the style's number format draws
        a section in a colour of its own ([White], [Color2]), by that colour for that section: a style
        hiding every value alike is listed here, one hiding some only in `sectioned`."""
        from aidctl.read.drawn import coloured_formats

        tiny = {i: size for i, size in enumerate(self.font_sizes) if size is not None and size < font_size_below}
        matched = {}
        for i, rgb in enumerate(self.font_rgb):
            fills = {j: why for j, fill in enumerate(self.fill_rgb) if (why := hides(rgb, fill, contrast_below))}
            if fills:
                matched[i] = fills
        coloured = coloured_formats(self.styles, self.colours.palette)
        if not tiny and not matched and not coloured:
            return {}
        out: dict[int, str] = {}
        self.sectioned = {}
        for index, (font, fill, number) in enumerate(self.xfs):
            if font in tiny:
                out[index] = f"字号为 {tiny[font]:g} 磅，小于 {font_size_below:g} 磅"
                continue
            base = matched.get(font, {}).get(fill)
            sections = coloured.get(number)
            if sections is None:
                if base:
                    out[index] = base
                continue
            judged = sections.judged(base, self.fill_rgb[fill] if 0 <= fill < len(self.fill_rgb) else None,
                                     contrast_below)
            if judged.every is not None:
                out[index] = judged.every
            elif judged.some:
                self.sectioned[index] = judged
        return out


def invisible_styles(styles: bytes, font_size_below: float, theme: bytes = b"") -> dict[int, str]:
    """StylesLook.invisible of a styles part (and the workbook's theme part)."""
    return StylesLook(styles, theme).invisible(font_size_below)


# a run of rich text's properties (<rPr>, </rPr>), in the shared strings and in a sheet's inline
# strings: a mark looked for first (a struck run is one too)
RUN_MARK = re.compile(rb"rPr>")
_RUN = re.compile(rb"<(?:\w+:)?r>\s*(?:<(?:\w+:)?rPr>(.*?)</(?:\w+:)?rPr>)?\s*<(?:\w+:)?t\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?t>)",
                  re.S)
_SST_ROOT = re.compile(rb"<(\w+:)?sst\b")


def invisible_runs(shared: bytes, font_size_below: float, colours: _Colours) -> dict[int, list[tuple]]:
    """The shared strings (xl/sharedStrings.xml, by number) of rich text with a run whose own size is
    below `font_size_below` points or whose own colour is given: each string's runs as (blank?, its
    size if too small, its colour), to be judged against the fill of the cell that shows it
    (hidden_runs). A run without properties of its own is drawn in the cell's font. Only the strings
    holding such a run are parsed: the others are counted (their number), not read."""
    if RUN_MARK.search(shared) is None:
        return {}
    root = _SST_ROOT.search(shared)
    prefix = (root.group(1) or b"") if root else b""
    opening, closing = b"<" + prefix + b"si>", b"</" + prefix + b"si>"
    out: dict[int, list[tuple]] = {}
    seen, counted_to, pos = 0, 0, 0
    while (hit := RUN_MARK.search(shared, pos)) is not None:
        hit = hit.start()
        start = shared.rfind(opening, 0, hit)
        end = shared.find(closing, hit)
        if start < 0 or end < 0:
            break
        index = seen + shared.count(opening, counted_to, start)
        seen, counted_to, pos = index + 1, start + 1, end
        runs = text_runs(shared, start, end, font_size_below, colours)
        if runs is not None:
            out[index] = runs
    return out


def text_runs(data: bytes, start: int, end: int, font_size_below: float, colours: _Colours) -> list[tuple] | None:
    """The runs of rich text between `start` and `end` of `data` (a shared string's <si>, an inline
    string's <is>), each as (blank?, its size if smaller than `font_size_below`, its own colour);
    None where no run gives a size too small or a colour of its own (nothing to judge)."""
    runs, telling = [], False
    for run in _RUN.finditer(data, start, end):
        props = run.group(1) or b""
        size = _SIZE.search(props)
        size = parse_number(size.group(1)) if size else None
        small = size if size is not None and size < font_size_below else None
        colour = COLOR.search(props)
        rgb = colours.rgb(tag_attrs(colour.group(1)), BLACK) if colour else None
        telling = telling or small is not None or rgb is not None
        runs.append((not (run.group(2) or b"").strip(), small, rgb))
    return runs if telling else None


def hidden_runs(runs: list[tuple], fill: str | None, font_size_below: float,
                contrast_below: float | None = None) -> str | None:
    """What hides a rich string's text in a cell filled with `fill` (None: nothing): a run smaller
    than `font_size_below` points, or coloured as the fill or (`contrast_below`) too close to it; the
    whole text so hidden is said as a cell's is, a part as 部分文字."""
    shown = [(small, rgb) for blank, small, rgb in runs if not blank]
    hidden = [(small, rgb, hides(rgb, fill, contrast_below)) for small, rgb in shown]
    hidden = [(small, rgb, why) for small, rgb, why in hidden if small is not None or why]
    if not hidden:
        return None
    part = len(hidden) < len(shown)
    small = [s for s, _, _ in hidden if s is not None]
    if small:
        return f"{'部分文字' if part else ''}字号为 {min(small):g} 磅，小于 {font_size_below:g} 磅"
    why = hidden[0][2]
    return f"部分文字的{why[2:]}" if part else why
