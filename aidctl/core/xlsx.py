"""The one layer every workbook aidctl writes goes through (validate's report, 发放审核, the extraction
audit, the term report, the 公示 and internal lists, enlist, loans, complaints, assess, inspection).

`Book` is an xlsxwriter Workbook whose sheets (`Sheet`)
- mask every resident ID and bank-card number in every text cell (core.masking), free text included,
  unless the book is built with `masking=None` (no internal workbook is);
- fit each column's width to what it holds (a CJK character is two units), never narrower than the
  width a writer set, never wider than WIDEST unless a writer set it so;
- print: A4, one page wide, landscape when the columns are wider than a portrait page, the header row
  frozen and repeated on every page, a footer with the book's title and page numbers; a writer's
  own settings stand;
- give a wrapped note merged across columns the height its lines need (Excel does not grow merged rows);
- write footers that read right: a font-size code (&8) followed by digits would swallow them ("&82011"
  is font size 82011), so a space is put between.
Money is a number with two decimals and thousands separators ("money"), counts "int", rates "pct",
points "score". A table that holds every payment of a term goes through `Sheet.bulk_table`: its rows
are made with Arrow's string kernels and spliced into the sheet's XML when the book closes (xlsxwriter
writes about 4 µs a cell: 16 s for 500,000 payments; this path about 1 s).
"""

from __future__ import annotations

import os
import re
import unicodedata
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from aidctl.core.masking import DEFAULT, Masking
from aidctl.core.terminal import printable
from aidctl.core.text import column_letters, missing, one_array

MONEY_FORMAT = "#,##0.00"
WIDEST = 50            # a fitted column is never wider (a wrapped note may be, when a writer says so)
PORTRAIT_WIDTH = 95    # column units an A4 portrait page holds at a readable scale
OPTIONS = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}

if not hasattr(Worksheet, "_write_string"):  # the one place every text cell passes (xlsxwriter ≥ 3.0)
    raise ImportError("xlsxwriter without Worksheet._write_string: the masking layer needs it")


def display_width(text: str) -> int:
    """Column units a text takes: 2 for a wide (CJK) character, 1 otherwise."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def footer_text(text: str) -> str:
    """A header/footer string that prints what it says: & doubled where it is text, and a space after
    a font-size code (&8) that digits would follow."""
    def split(m: re.Match) -> str:
        run = m.group(1)
        if len(run) <= 2:
            return m.group(0)
        size = run[:2] if int(run[:2]) <= 72 else run[:1]  # no footer prints above 72 points
        return f"&{size} {run[len(size):]}"

    return re.sub(r"(?<!&)&(\d+)", split, text)


class Sheet(Worksheet):
    """A worksheet of a Book: see the module docstring."""

    def __init__(self):
        super().__init__()
        self.masking: Masking | None = DEFAULT
        self.widths: dict[int, int] = {}        # column → widest content (units)
        self.set_widths: dict[int, tuple] = {}  # column → (width, format) a writer set
        self.header_row: int | None = None
        self.bulk = None
        self._merging = False
        self.book_title = ""

    # every text cell: masked, measured
    def _write_string(self, row, col, string, cell_format=None):
        if self.masking is not None and len(string) >= 15:
            string = self.masking.text(string)
        if getattr(cell_format, "aidctl_head", False) and self.header_row is None:
            self.header_row = row
        if not self._merging and not (cell_format is not None and cell_format.text_wrap):
            width = max(display_width(line) for line in string.split("\n")) if string else 0
            if width > self.widths.get(col, 0):
                self.widths[col] = width
        return super()._write_string(row, col, string, cell_format)

    def _write_number(self, row, col, number, cell_format=None):
        width = len(f"{number:,.2f}") if isinstance(number, float) else len(str(number))
        if width > self.widths.get(col, 0):
            self.widths[col] = width
        return super()._write_number(row, col, number, cell_format)

    def merge_range(self, first_row, first_col, last_row, last_col, data, cell_format=None):
        self._merging = True
        try:
            result = super().merge_range(first_row, first_col, last_row, last_col, data, cell_format)
        finally:
            self._merging = False
        if isinstance(data, str) and cell_format is not None and cell_format.text_wrap and first_row == last_row:
            span = sum(self.set_widths.get(c, (8.43,))[0] or 8.43 for c in range(first_col, last_col + 1))
            lines = sum(-(-max(display_width(part), 1) // max(int(span) - 2, 1)) for part in data.split("\n"))
            size = getattr(cell_format, "font_size", 11) or 11
            if lines > 1 and first_row not in self.row_sizes:
                self.set_row(first_row, max(15, lines * size * 1.45))
        return result

    def set_column(self, first_col, last_col, width=None, cell_format=None, options=None):
        for c in range(first_col, last_col + 1):
            self.set_widths[c] = (width, cell_format)
        return super().set_column(first_col, last_col, width, cell_format, options)

    def set_footer(self, footer="", options=None, margin=None):
        return super().set_footer(footer_text(footer), options, margin)

    def set_header(self, header="", options=None, margin=None):
        return super().set_header(footer_text(header), options, margin)

    def empty(self, row: int, text: str, fmt=None) -> int:
        """One line saying the table is empty (instead of a header that prints on a page of its own)."""
        self.write_string(row, 0, text, fmt)
        return row + 1

    def bulk_table(self, first_row: int, columns: list[tuple[str, object]], data: dict) -> int:
        """Rows from `first_row` on, made at close with Arrow: `columns` are (kind, Format) with kind
        "text" or "number"; `data` maps each column position to a pandas Series (text, or numbers as
        text in their shortest exact form, e.g. money as "750.00"). Nothing may be written below them
        with the cell methods. Returns the row after the last."""
        n = len(next(iter(data.values()))) if data else 0
        cols = {}
        for j, (kind, fmt) in enumerate(columns):
            values = data[j].astype("string")
            if kind == "text" and self.masking is not None:
                values = self.masking.series(values)
            sample = values.dropna().head(500)  # widths from the first rows: the columns are uniform
            fitted = max((display_width(v) for v in sample), default=0)
            self.widths[j] = max(self.widths.get(j, 0), fitted)
            cols[j] = (kind, fmt, values.reset_index(drop=True).astype("string[pyarrow]"))
        _share(self.str_table, cols)  # now, not at close: a writer may make its book beside other work
        self.bulk = (first_row, cols, n)
        return first_row + n

    def finish(self) -> None:
        """Widths and print settings, before the book is written."""
        final = {c: (w or 8.43) for c, (w, _) in self.set_widths.items()}
        for col, fitted in self.widths.items():
            width, fmt = self.set_widths.get(col, (None, None))
            want = min(fitted + 2, WIDEST)
            if width is None or width < want:
                super().set_column(col, col, max(want, 4), fmt)
                final[col] = max(want, 4)
        if not self.paper_size:
            self.set_paper(9)  # A4
        if not self.fit_page:
            self.fit_to_pages(1, 0)
        if self.orientation == 1 and sum(final.values()) > PORTRAIT_WIDTH:
            self.set_landscape()
        if self.header_row is not None:
            if not self.repeat_row_range:
                self.repeat_rows(self.header_row)
            if not self.panes:
                self.freeze_panes(self.header_row + 1, 0)
        if not self.footer:
            self.set_footer(f"&L&8{self.book_title}&R&8第 &P 页，共 &N 页")
        self.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.7)


class Book(xlsxwriter.Workbook):
    """A workbook through the layer: `Book(path, masking, title=…)`; `masking=None` only for a book
    that holds no person's number by construction (the 公示 lists are scrubbed more strictly still)."""

    worksheet_class = Sheet

    def __init__(self, path, masking: Masking | None = DEFAULT, *, title: str = "", constant_memory: bool = False):
        super().__init__(str(path), OPTIONS | {"constant_memory": constant_memory})
        self.path = Path(path)
        self.masking = masking
        self.title = title
        if title:
            self.set_properties({"title": title, "author": "aidctl"})
        self.fmt = formats(self)

    def add_worksheet(self, name=None, worksheet_class=None):
        sheet = super().add_worksheet(name, worksheet_class)
        sheet.masking = self.masking
        sheet.book_title = f"{self.title}　{sheet.name}" if self.title else sheet.name
        return sheet

    def close(self):
        for sheet in self.worksheets():
            if isinstance(sheet, Sheet):
                sheet.finish()
        bulky = [s for s in self.worksheets() if isinstance(s, Sheet) and s.bulk and s.bulk[2]]
        for sheet in bulky:  # the formats the bulk rows use get their style index now
            for _kind, fmt, _ in sheet.bulk[1].values():
                if fmt is not None:
                    fmt._get_xf_index()
        result = super().close()
        if bulky:
            _splice(self.path, bulky)
        return result


def formats(wb) -> dict:
    """The cell formats every workbook shares."""
    base = {"border": 1, "valign": "vcenter"}
    head = wb.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "text_wrap": True, "align": "center"})
    head.aidctl_head = True  # the first row written in this format is the header: frozen, repeated
    total = {**base, "bold": True, "bg_color": "#F2F2F2"}
    return {"title": wb.add_format({"bold": True, "font_size": 14}),
            "subtitle": wb.add_format({"font_size": 10}),
            "head": head,
            "cell": wb.add_format(base),
            "text": wb.add_format(base),
            "int": wb.add_format({**base, "num_format": "#,##0"}),
            "money": wb.add_format({**base, "num_format": MONEY_FORMAT}),
            "pct": wb.add_format({**base, "num_format": "0.00%"}),
            "score": wb.add_format({**base, "num_format": "0.00"}),
            "total": wb.add_format(total),
            "total_int": wb.add_format({**total, "num_format": "#,##0"}),
            "total_money": wb.add_format({**total, "num_format": MONEY_FORMAT}),
            "wrap": wb.add_format({**base, "text_wrap": True, "valign": "top"}),
            "note": wb.add_format({"text_wrap": True, "valign": "top", "font_size": 10}),
            "red": wb.add_format({**base, "font_color": "#C00000", "bold": True}),
            "empty": wb.add_format({"italic": True, "font_color": "#595959"})}


def write_table(ws, fmt, row: int, headers: list[tuple[str, int]], rows, money_cols: set[int] = frozenset(),
                empty: str | None = None) -> int:
    """A header row of (title, width) at `row`, then the rows; returns the row after the last.
    Columns in `money_cols` hold yuan (Decimal or text "750.00") and are written as numbers.
    With `empty` and no rows, that one line is written instead of the header."""
    rows = list(rows)
    if not rows and empty is not None:
        return ws.empty(row, empty, fmt.get("empty"))
    for j, (h, width) in enumerate(headers):
        ws.set_column(j, j, width)
        ws.write_string(row, j, h, fmt["head"])
    n = row
    for n, values in enumerate(rows, start=row + 1):
        for j, v in enumerate(values):
            style = fmt["money"] if j in money_cols else fmt["wrap"] if headers[j][1] >= 40 else fmt["cell"]
            if missing(v):
                ws.write_blank(n, j, None, style)
            elif j in money_cols:
                ws.write_number(n, j, float(v), style)
            elif isinstance(v, int):
                ws.write_number(n, j, v, style)
            else:
                ws.write_string(n, j, str(v), style)
    return n + 1


def chart_below(ws, chart, row: int, ncols: int, height: int = 360) -> None:
    """Insert `chart` at `row`, as wide as the table's `ncols` columns (so the page fitted to the table's
    width holds it) and starting a printed page of its own (never cut in two)."""
    units = sum((ws.set_widths.get(c, (8.43,))[0] or 8.43) for c in range(ncols))
    chart.set_size({"width": int(min(max(units * 7 + 5, 480), 1000)), "height": height})
    ws.insert_chart(row, 0, chart)
    ws.set_h_pagebreaks([row])


# --- bulk rows: Arrow-made XML spliced into the sheet --------------------------------------------

_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"
_SPECIAL = r"[\x00-\x08\x0b\x0c\x0e-\x1f&<>]"  # what a cell's text needs removed or escaped
CHUNK = 50_000


def _share(table, cols: dict) -> None:
    """Put the text columns of few distinct values (a school, a programme, a file name) in the book's
    shared-string table, as Excel itself writes text: each cell then holds the value's index, not
    the value (a third of the bytes of 500,000 payments, to make and to compress). `cols` is
    changed in place: such a column becomes ("shared", format, its cells' indices as text)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for j, (kind, fmt, values) in list(cols.items()):
        if kind != "text":
            continue
        arr = pa.array(values, type=pa.large_string())
        coded = one_array(arr).dictionary_encode()
        if len(coded.dictionary) * 4 > len(coded):
            continue
        words = pc.replace_substring_regex(coded.dictionary, _CONTROL, "")  # as inline cells: no cell holds them
        index = [table._get_shared_string_index(v) for v in words.to_pylist()]  # counts one use each
        table.count += pc.count(coded.indices).as_py() - len(index)
        cols[j] = ("shared", fmt, pa.DictionaryArray.from_arrays(
            coded.indices, pa.array([str(i) for i in index], type=pa.large_string())))


def _rows_xml(first_row: int, cols: dict, start: int, stop: int) -> bytes:
    """The <row> elements of rows start..stop (0-based within the table) as one UTF-8 buffer."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    def lit(text: str):
        return pa.scalar(text, pa.large_string())

    def cells(kind: str, style: int, arr):
        if kind == "text":
            if pc.any(pc.match_substring_regex(arr, _SPECIAL)).as_py():  # one scan; most columns have none
                arr = pc.replace_substring_regex(arr, _CONTROL, "")
                for raw, esc in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
                    arr = pc.replace_substring(arr, raw, esc)
            full = pc.binary_join_element_wise(lit(f"<c s=\"{style}\" t=\"inlineStr\"><is><t>"), arr,
                                               lit("</t></is></c>"), lit(""))
        else:
            full = pc.binary_join_element_wise(lit(f"<c s=\"{style}\"><v>"), arr, lit("</v></c>"), lit(""))
        return pc.coalesce(full, lit(f"<c s=\"{style}\"/>"))

    numbers = pa.array(np.arange(first_row + 1 + start, first_row + 1 + stop)).cast(pa.large_string())
    parts = [lit("<row r=\""), numbers, lit("\">")]
    for kind, fmt, values in cols.values():  # cells without a reference: they stand in column order
        style = fmt.xf_index if fmt is not None else 0
        if kind == "shared":  # an index into the shared strings, made once a distinct value
            coded = values.slice(start, stop - start)
            made = pc.binary_join_element_wise(lit(f"<c s=\"{style}\" t=\"s\"><v>"), coded.dictionary,
                                               lit("</v></c>"), lit("")).take(coded.indices)
            parts.append(pc.coalesce(made, lit(f"<c s=\"{style}\"/>")))
            continue
        arr = one_array(pa.array(values.iloc[start:stop], type=pa.large_string()))
        coded = arr.dictionary_encode()  # a school, a programme, a file …: each distinct value made once
        if len(coded.dictionary) * 4 <= len(arr):
            made = cells(kind, style, coded.dictionary).take(coded.indices)
            parts.append(pc.coalesce(made, lit(f"<c s=\"{style}\"/>")))  # (a null index stays null)
        else:
            parts.append(cells(kind, style, arr))
    parts.append(lit("</row>"))
    return _buffer(pc.binary_join_element_wise(*parts, lit("")))


def _buffer(rows) -> memoryview:
    """The values of a string array with no nulls, end to end, without a copy."""
    import numpy as np

    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int64, count=len(rows) + 1, offset=rows.offset * 8)
    return memoryview(rows.buffers()[2])[int(offsets[0]):int(offsets[-1])]


def _splice(path: Path, sheets: list[Sheet]) -> None:
    """Write the bulk rows of `sheets` into the book at `path`: each sheet's part is rewritten with the
    rows after those xlsxwriter wrote, its dimension widened; every other part is copied."""
    parts = {f"xl/worksheets/sheet{s.index + 1}.xml": s for s in sheets}
    tmp = path.with_name(path.name + ".bulk")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            sheet = parts.get(item.filename)
            if sheet is None:
                dst.writestr(item, data)
                continue
            first_row, cols, n = sheet.bulk
            text = data.decode()
            last = first_row + n
            last_col = column_letters(max(cols))
            text = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{last_col}{last}"/>', text, count=1)
            if "<sheetData/>" in text:
                text = text.replace("<sheetData/>", "<sheetData></sheetData>", 1)
            head, tail = text.split("</sheetData>", 1)
            # opened by name: the entry takes the book's compression level (1); a ZipInfo of its own
            # would be compressed at zlib's default (6), twice the time for a tenth fewer bytes
            with dst.open(item.filename, "w", force_zip64=True) as out, ThreadPoolExecutor(max_workers=1) as pool:
                out.write(head.encode())
                pending = None
                for start in range(0, n, CHUNK):  # zlib compresses one chunk while Arrow makes the next
                    rows = _rows_xml(first_row, cols, start, min(start + CHUNK, n))
                    if pending is not None:
                        pending.result()
                    pending = pool.submit(out.write, rows)
                if pending is not None:
                    pending.result()
                out.write(("</sheetData>" + tail).encode())
    os.replace(tmp, path)


def cell_text(value):
    """A value as an openpyxl cell can hold it: a string with control characters (which no xlsx cell
    holds) shows them escaped (\\x1b), as the terminal does; other values unchanged."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return printable(value) if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value) else value


def append_text_row(sheet, values) -> None:
    """Append a row to an openpyxl sheet keeping every string as text: openpyxl takes a string that
    begins with = for a formula, and a school's cell or a message may begin so. Control characters
    are shown escaped (cell_text)."""
    sheet.append([cell_text(v) for v in values])
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"
