"""What a reader of a sheet does not see though the file holds it (cell.invisible): the records'
cells whose text is drawn so that nobody sees it, as the reader of each format lists them
(SheetScan.invisible), kept with their table or refusing an input read whole; and, for the readers of
.ods and .xls, which of their styles hide text: an .ods's cell, text and row styles (OdsLook), an
.xls's fonts and fills (xls_invisible_xfs). An .xlsx's are its styles part's (styles.StylesLook).
"""

from __future__ import annotations

import re

from aidctl.read.conditional import MAYBE
from aidctl.read.styles import BLACK, PALETTE, WHITE, hides, parse_number

# --- the records' cells nobody sees (cell.invisible; an input read whole is refused) ----------------

INVISIBLE_ADVICE = ("请将该单元格的字体颜色改为与底色不同（如黑色）、字号改为常规大小，核对表中显示的内容后重新提交；"
                    "如该内容不应填报，请删除")
_QUOTED = 40   # characters of a hidden cell's value a message quotes


def quoted(value: str) -> str:
    """A cell's value as a message quotes it: its first _QUOTED characters."""
    return value if len(value) <= _QUOTED else value[:_QUOTED] + "…"


def invisible_cells(sheet, columns: dict, rows, cells, spec):
    """The records' cells of `sheet`, in the table's columns, that hold something nobody sees
    (SheetScan.invisible): a frame of Excel row, field (key), what hides it (said), the value read, and
    whether the column decides who is paid, how much and where (`watched`: an amount, every money
    column; a key column, numformat.KEY_KINDS and KEY_FIELDS: name, ID, card, 学籍状态, 备注 …, as
    number_format's hidden (;;;) cells are chosen): a roster's record is judged by those, an input
    read whole by any. A cell whose value reads as blank is left out (nothing is hidden there); a cell
    without a reference is a row of its own with excel_row -1 (no record can be named); None when
    there is none. `rows` are the records' Excel rows (ascending), `cells` their Arrow columns. Linear
    in the cells the scan found, and in the records a conditional format's ranges hold
    (conditional.conditional_cells)."""
    rules = getattr(sheet.invisible, "rules", None)
    if not sheet.invisible and not rules:
        return None
    import numpy as np
    import pandas as pd

    from aidctl.read.numformat import KEY_FIELDS, KEY_KINDS

    key_of = {m.index: k for k, m in columns.items()}
    # one a cell (its style and a run of its text may both hide it: the first said), in row order
    placed = {(row, col): why for row, col, why in reversed(sheet.invisible) if row >= 0 and col in key_of}
    if rules:   # a cell's own look is said first; a conditional format's where it has none
        from aidctl.read.conditional import conditional_cells

        index_of = {k: i for i, k in key_of.items()}
        for row, key, why in conditional_cells(rules, key_of, rows, cells):
            placed.setdefault((row, index_of[key]), why)
    found = sorted((row, key_of[col], why) for (row, col), why in placed.items())
    at = np.searchsorted(rows, np.asarray([row for row, _, _ in found], dtype=np.int64))
    kept = []
    for (row, key, why), i in zip(found, at.tolist()):
        if i < len(rows) and rows[i] == row:
            value = cells.column(key)[i].as_py()
            if value is not None and str(value).strip():
                watched = spec.columns[key].kind in (*KEY_KINDS, "money") or key in KEY_FIELDS
                kept.append((row, key, why, str(value), watched))
    kept += [(-1, None, why, None, True) for row, _, why in sheet.invisible if row < 0]
    if not kept:
        return None
    return pd.DataFrame(kept, columns=["excel_row", "key", "said", "value", "watched"]).astype({"excel_row": "int64"})


def refuse_invisible(table) -> None:
    """A table read whole (every input but a roster, whose records each carry their own cell.invisible)
    with a cell that holds something nobody sees: what the sheet means is not known, so the file is
    refused, naming the first such cell, what hides it and how many there are."""
    from aidctl.core.errors import ReadError

    found = table.invisible
    if found is None or not len(found):
        return
    placed = found[found["excel_row"] >= 0]
    count = len(found)
    many = f"（共 {count} 处）" if count > 1 else ""
    if not len(placed):
        raise ReadError(f"有 {count} 个单元格{found['said'].iloc[0]}，表中看上去是空白，且无法确定在哪一行：{INVISIBLE_ADVICE}",
                        file=table.file, sheet=table.sheet)
    first = placed.assign(place=placed["key"].map(lambda k: table.columns[k].index)).sort_values(
        ["excel_row", "place"]).iloc[0]
    seen = "表中看不到这部分文字" if first["said"].startswith("部分") else \
        "表中可能看上去是空白" if first["said"].startswith(MAYBE) else "表中看上去是空白"
    raise ReadError(f"单元格{first['said']}，{seen}，文件中却有内容“{quoted(first['value'])}”，以哪个为准无法确定"
                    f"{many}：{INVISIBLE_ADVICE}", file=table.file, sheet=table.sheet, row=int(first["excel_row"]),
                    column=table.columns[first["key"]].header)


# --- .ods: the look of cell, text and row styles -------------------------------------------------

_ODS_STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
_ODS_FO = "{urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0}"
_POINTS = {"pt": 1.0, "in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4, "pc": 12.0, "px": 0.75}
_LENGTH = re.compile(r"\s*([0-9.]+)\s*([a-z%]*)\s*$")
# Excel's column width unit in points: the digit of its default font (Calibri 11) with the padding, 7
# pixels at 96 per inch (ECMA-376 Part 1, 18.3.1.13); an .ods column's length is compared in it
POINTS_PER_WIDTH = 7 * 0.75


def _points(text: str | None, of: float | None = None) -> float | None:
    """A length of an .ods attribute (0.2083in, 11pt, 0.5cm) in points; a percentage of `of`."""
    m = _LENGTH.match(text or "")
    value = parse_number(m.group(1)) if m else None
    if value is None:
        return None
    if m.group(2) == "%":
        return value * of / 100 if of is not None else None
    scale = _POINTS.get(m.group(2) or "pt")
    return value * scale if scale is not None else None


def _ods_colour(text: str | None) -> str | None:
    text = (text or "").strip()
    if text.lower() == "transparent":
        return WHITE
    return text[1:].upper() if len(text) == 7 and text.startswith("#") else None


class OdsLook:
    """Who sees a cell of an .ods: each cell style's font colour and sizes (Western and Asian: a Chinese
    name is drawn in the Asian one) and background, each text style's colour and size, each row
    style's height. Named styles (styles.xml) are read first, then the automatic ones of content.xml
    as the scan meets them (`add`); a style says what it does not say itself through its parent. Text
    in the window's colour ("automatic") is black, a cell of no background the sheet's white."""

    def __init__(self, look, named: bytes | None = None):
        self.look = look
        self._own: dict[str, dict] = {}     # style → what it says itself, and its parent
        self._rows: dict[str, float] = {}   # row style → its height in points
        self._columns: dict[str, float] = {}   # column style → its width in points
        self._why: dict[str, tuple[str | None, str, float | None]] = {}
        if named:
            import io
            from xml.etree import ElementTree

            for _, el in ElementTree.iterparse(io.BytesIO(named)):
                if el.tag == f"{_ODS_STYLE}style":
                    self.add(el)

    def add(self, el) -> None:
        """A style:style element, read whole."""
        name = el.get(f"{_ODS_STYLE}name", "")
        family = el.get(f"{_ODS_STYLE}family")
        if family in ("table-row", "table-column"):   # a row's height, a column's width
            kind = family.removeprefix("table-")
            props = el.find(f"{_ODS_STYLE}{family}-properties")
            size = _points(props.get(f"{_ODS_STYLE}{kind}-{'height' if kind == 'row' else 'width'}")) \
                if props is not None else None
            if size is not None:
                (self._rows if kind == "row" else self._columns)[name] = size
            return
        if family not in ("table-cell", "text"):
            return
        own: dict = {"parent": el.get(f"{_ODS_STYLE}parent-style-name")}
        if el.get(f"{_ODS_STYLE}data-style-name"):   # its number format (odsstyle.OdsStyles)
            own["data"] = el.get(f"{_ODS_STYLE}data-style-name")
        text = el.find(f"{_ODS_STYLE}text-properties")
        if text is not None:
            if text.get(f"{_ODS_STYLE}use-window-font-color") == "true":
                own["colour"] = BLACK
            elif (colour := _ods_colour(text.get(f"{_ODS_FO}color"))) is not None:
                own["colour"] = colour
            for key, attr in (("size", f"{_ODS_FO}font-size"), ("asian", f"{_ODS_STYLE}font-size-asian")):
                if text.get(attr):
                    own[key] = text.get(attr)
        cell = el.find(f"{_ODS_STYLE}table-cell-properties")
        if cell is not None and (background := _ods_colour(cell.get(f"{_ODS_FO}background-color"))) is not None:
            own["background"] = background
        self._own[name] = own
        self._why.clear()

    def _said(self, name: str | None, key: str, depth: int = 0, root: bool = True):
        """What style `name` or its nearest parent that says it says of `key` (sizes as written);
        without `root`, not what the root among its parents (Default) says."""
        while name is not None and depth < 16:
            own = self._own.get(name)
            if own is None or not root and depth and own["parent"] is None:
                return None
            if key in own:
                return own[key]
            name, depth = own["parent"], depth + 1
        return None

    def said(self, name: str | None, key: str, root: bool = True):
        """_said, for odsstyle: "colour", "background", "data" (its number format)."""
        return self._said(name, key, 0, root)

    def _size(self, name: str | None, key: str) -> float | None:
        said = self._said(name, key)
        if said is None or not said.strip().endswith("%"):
            return _points(said)
        parent = self._own.get(name or "", {}).get("parent")
        return _points(said, self._size(parent, key) if parent else None)

    def cell(self, name: str | None) -> tuple[str | None, str, float | None]:
        """What hides the text of a cell of style `name` (None: nothing), its background, its font size."""
        if name not in self._why:
            colour = self._said(name, "colour") or BLACK
            background = self._said(name, "background") or WHITE
            sizes = [s for s in (self._size(name, "size"), self._size(name, "asian")) if s is not None]
            why = None
            small = [s for s in sizes if s < self.look.font_size_below]
            if small:
                why = f"字号为 {min(small):g} 磅，小于 {self.look.font_size_below:g} 磅"
            else:
                why = hides(colour, background, getattr(self.look, "contrast_below", None))
            self._why[name] = (why, background, min(sizes) if sizes else None)
        return self._why[name]

    def span(self, name: str | None, cell_style: str | None) -> str | None:
        """What hides a run of text (text:span of style `name`) in a cell of style `cell_style`: its own
        colour the cell's background, or its own size too small."""
        if name not in self._own:
            return None
        colour, small = self.span_look(name)
        if small is not None:
            return f"部分文字字号为 {small:g} 磅，小于 {self.look.font_size_below:g} 磅"
        _, background, _ = self.cell(cell_style)
        why = hides(colour, background, getattr(self.look, "contrast_below", None))
        return f"部分文字的{why[2:]}" if why else None

    def span_look(self, name: str | None) -> tuple[str | None, float | None]:
        """A text style's own colour (None: the cell's) and its size where smaller than the rules allow."""
        own = self._own.get(name or "", {})
        small = [s for s in (_points(own.get("size")), _points(own.get("asian")))
                 if s is not None and s < self.look.font_size_below]
        return own.get("colour"), min(small) if small else None

    def low_row(self, name: str | None) -> bool:
        """Whether a row of style `name` is lower than the rules' row_height_below."""
        height = self._rows.get(name or "")
        return height is not None and height < self.look.row_height_below

    def narrow_column(self, name: str | None) -> bool:
        """Whether a column of style `name` is narrower than the rules' column_width_below (Excel's
        width unit: POINTS_PER_WIDTH points)."""
        width = self._columns.get(name or "")
        below = getattr(self.look, "column_width_below", None)
        return width is not None and below is not None and width / POINTS_PER_WIDTH < below


# --- .xls: the fonts and fills of its cell formats ---------------------------------------------------

AUTO_COLOUR = 0x7FFF  # a FONT's icv: the window's text colour ("automatic": black)


def xls_colour(book, icv: int) -> str | None:
    """RRGGBB of an .xls colour index (icv): the workbook's palette from 8 (a PALETTE record), Excel's
    default one, the system's text (64, and automatic: black) and window (65: white) colours."""
    if icv == AUTO_COLOUR:
        return BLACK
    if 8 <= icv < 8 + len(book.palette):
        return book.palette[icv - 8]
    return PALETTE[icv] if 0 <= icv < len(PALETTE) else None


def xls_font(book, font: int) -> tuple[float, str | None] | None:
    """The size (points) and colour of an .xls font index, as an XF or a run of rich text gives it
    (font index 4 is never written: MS-XLS FontIndex); None where no FONT record is there."""
    record = font if font < 4 else font - 1
    if not 0 <= record < len(book.font_looks):
        return None
    height, icv = book.font_looks[record]
    return height / 20, xls_colour(book, icv)


def xls_fill(book, xf: int) -> str | None:
    """The colour an .xls cell of XF `xf` is filled with: no fill, the sheet's white; a solid one, its
    foreground colour; another pattern (or an XF too short to say): None, not compared."""
    pattern, fore = book.xf_fills[xf] if 0 <= xf < len(book.xf_fills) else (-1, 0)
    return WHITE if pattern == 0 else xls_colour(book, fore) if pattern == 1 else None


def xls_invisible_xfs(book, font_size_below: float, contrast_below: float | None = None,
                      sections: dict | None = None, sectioned: dict | None = None) -> dict[int, str]:
    """The cells' XF indexes of an .xls (biff.XlsBook) whose text nobody sees, each with what hides
    it: a font smaller than `font_size_below` points, or a font colour equal to the cell's fill
    (xls_fill) or, with `contrast_below`, too close to it (styles.hides); and where the XF's number
    format draws a section in a colour of its own (`sections`: XF → drawn.Sections), by that colour
    for that section: an XF hiding every value alike is listed, one hiding some only is put in
    `sectioned` (XF → drawn.Judged), as StylesLook.invisible finds them in an .xlsx."""
    out = {}
    for i, font in enumerate(book.xf_fonts):
        look = xls_font(book, font)
        if look is None or i >= len(book.xf_fills):
            continue
        size, colour = look
        fill = xls_fill(book, i)
        if size < font_size_below:
            out[i] = f"字号为 {size:g} 磅，小于 {font_size_below:g} 磅"
            continue
        why = hides(colour, fill, contrast_below)
        judged = sections[i].judged(why, fill, contrast_below) if sections and i in sections else None
        if judged is None:
            if why:
                out[i] = why
        elif judged.every is not None:
            out[i] = judged.every
        elif judged.some and sectioned is not None:
            sectioned[i] = judged
    return out
