"""Open a spreadsheet file and hand back its sheets as grids of text, with the Excel row numbers,
as a reader of the sheet sees them.

The fast path for .xlsx is fastexcel with every cell as text. Reading a cell as text hides whether
it was typed as text or stored as a number, and a number of 16 or more digits has already lost its
tail in Excel (an ID typed as a number). It also hides the layout: merged cells (fastexcel gives
the value to the first cell only), hidden rows and columns, and formulas that were never calculated
(read as empty), and error values (#N/A, #DIV/0! …, read as empty too). So, in a thread beside the
reader (fastexcel releases the GIL), the sheet's XML is scanned for these (sheetxml.scan_sheet).
Merged ranges are then filled, so that every cell of a range shows its value; a formula of plain
arithmetic (=750, =1500/2) is computed; any other formula without a value, and every error value, is
listed for the checks to report. .xls and .ods go through python-calamine, which keeps cell types
but gives an error value as empty and says nothing of the layout: the error cells, the hidden rows and
columns and the struck-out cells are found in the BIFF records for .xls (biff.scan_xls), in
content.xml for .ods, with merged ranges from calamine for .xls, from content.xml for .ods; .csv has
no types, but Excel's "4.20102E+17" survives as text, its ="…" and leading-tab forms are unwrapped,
and an error value exported as its text (#N/A) is listed like the others, as is a workbook's text
cell holding that text (unknown.text_errors).
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pandas as pd
import pyarrow as pa

from aidctl.core.errors import ReadError
from aidctl.core.text import arrow_text, one_array
from aidctl.read.biff import XlsBook, xls_layout
from aidctl.read.limits import Opened, checked_input, csv_width, rust_source, shown
from aidctl.read.sheetxml import SheetScan, scan_ods, scan_sheet, workbook_sheets
from aidctl.read.styles import Struck, workbook_struck
from aidctl.read.unknown import set_errors, settle_formulas, text_errors

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")

ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
SMALL_FILL = 64  # merged ranges ending within this many rows are filled value by value
THREADED_SCAN_FROM = 4 << 20  # a sheet part this large (inflated) is scanned on a thread beside the reader


class Head:
    """A sheet's first rows as Python objects: `values[r - 1, j]` is the cell of Excel row r at the
    place `columns[j]`, text or None where blank."""

    def __init__(self, values: np.ndarray, columns: list[int]):
        self.values = values
        self.columns = columns

    @property
    def rows(self) -> int:
        return len(self.values)

    def row(self, row: int) -> dict[int, str]:
        """The cells of Excel row `row` that hold something, by place ({} beyond the rows held)."""
        if not 1 <= row <= len(self.values):
            return {}
        return {c: v for c, v in zip(self.columns, self.values[row - 1]) if v is not None}


class RawSheet:
    """One sheet as text cells, Excel row n at position n - 1, each column with its place in the
    sheet (A = 0): an Arrow table (`table`, as the .xlsx reader gives it; the table is cut from
    it without pandas) or a pandas grid (`grid`: index = Excel row, columns = the places), each made
    from the other once when asked for.

    Merged ranges are already filled; `merges` keeps them for the header search (a group header over
    sub-columns). `formulas` lists the cells whose formula has no value (row, column, formula);
    `unplaced_formulas` counts those that carry no cell reference. `errors` lists the cells that
    hold an error value (row, column, value such as "#N/A"), blank in the grid, every cell of a
    merged range included; `unplaced_errors` counts those that carry no cell reference."""

    def __init__(self, name: str, grid: pd.DataFrame | None = None,
                 big_numbers: dict[int, np.ndarray] | None = None, kind: str = "xlsx",
                 merges: list[tuple[int, int, int, int]] | None = None, hidden_rows: np.ndarray | None = None,
                 hidden_columns: frozenset[int] | None = frozenset(), unplaced_formulas: int = 0, *,
                 table: pa.Table | None = None, columns: list[int] | None = None):
        if (grid is None) == (table is None):
            raise ValueError("a sheet is a grid or an Arrow table")
        self.name = name
        self.big_numbers = big_numbers if big_numbers is not None else {}  # column → Excel rows
        self.kind = kind   # xlsx, xls, ods, csv
        self.merges = merges if merges is not None else []
        self.hidden_rows = hidden_rows if hidden_rows is not None else np.zeros(0, dtype=np.int64)
        # whether the file says which rows and columns are hidden: not an .xls whose records could not
        # be read (its hidden_rows and hidden_columns are then empty, and mean "unknown", not "none")
        self.hidden_known = hidden_columns is not None
        self.hidden_columns = hidden_columns if hidden_columns is not None else frozenset()
        self.formulas: list[tuple[int, int, str]] = []
        self.unplaced_formulas = unplaced_formulas
        self.errors: list[tuple[int, int, str]] = []
        self.unplaced_errors = 0
        # cells whose text is struck out (row, column); None: unknown (an .xls whose records could not be read)
        self.struck: list[tuple[int, int]] | None = []
        self.unplaced_struck, self.invisible = 0, []  # invisible: text nobody sees (SheetScan.invisible)
        # number cells whose format shows another number (row, column, style): style → formats (numformat)
        self.formatted: list[tuple[int, int, int]] = []
        self.unplaced_formatted = 0
        self.formats: dict = {}
        self.workbook_sheets = 1    # visible sheets of the workbook it belongs to
        self.hidden_sheets: list[str] = []  # the workbook's hidden sheets (not read)
        self._grid = grid
        self._table = table
        self._place = {c: i for i, c in enumerate(columns)} if table is not None else None  # place → position
        self._top: dict[int, Head] = {}

    @property
    def grid(self) -> pd.DataFrame:
        """The sheet as a pandas frame (index = Excel row, columns = places), made once."""
        if self._grid is None:
            grid = self._table.to_pandas()
            grid.columns = list(self._place)
            grid.index = pd.RangeIndex(1, len(grid) + 1)
            self._grid = grid
        return self._grid

    @grid.setter
    def grid(self, grid: pd.DataFrame) -> None:
        self._grid, self._table, self._place, self._top = grid, None, None, {}

    def _arrow(self) -> pa.Table:
        """The sheet as Arrow, made once from the grid where the sheet came as one."""
        if self._table is None:
            places = [int(c) for c in self._grid.columns]
            self._table = pa.table({str(c): _chunks(self._grid[c]) for c in places}) if places \
                else pa.table({"_": pa.nulls(len(self._grid), pa.large_string())}).drop_columns(["_"])
            self._place = {c: i for i, c in enumerate(places)}
        return self._table

    @property
    def columns(self) -> list[int]:
        """Each column's place in the sheet (A = 0), in order."""
        self._arrow()
        return list(self._place)

    @property
    def rows(self) -> int:
        """The rows read, from Excel row 1."""
        return self._table.num_rows if self._table is not None else len(self._grid)

    @property
    def empty(self) -> bool:
        return self.rows == 0 or not self.columns

    def column(self, col: int) -> pa.ChunkedArray:
        """The text cells of the column at place `col`, from Excel row 1 (null where blank)."""
        return self._arrow().column(self._place[col])

    def top(self, rows: int) -> Head:
        """The sheet's first `rows` rows as Python objects, made once: the header search and the
        title above the header read them, a sheet at a time."""
        if rows not in self._top:
            count = min(rows, self.rows)
            columns = self.columns
            values = np.empty((count, len(columns)), dtype=object)
            for j, col in enumerate(columns):
                values[:, j] = self.column(col).slice(0, count).to_pylist()
            self._top[rows] = Head(values, columns)
        return self._top[rows]

    def big_number_mask(self, col: int, rows: np.ndarray) -> np.ndarray:
        """True where the cell in `col` at each of `rows` (Excel rows) is a number too long for
        Excel to keep."""
        found = self.big_numbers.get(col)
        if found is None or len(found) == 0:
            return np.zeros(len(rows), dtype=bool)
        return np.isin(np.asarray(rows), found)


def open_sheets(path: Path, display: str | None = None, look=None) -> list[RawSheet]:
    """All visible sheets of a workbook (or the single table of a CSV) as RawSheets."""
    display = display or shown(path)
    # a regular file, within the limits (read/limits.py), before any parsing; what the check opened
    # of a workbook (the zip, its small sheets inflated) is read on, not opened again
    with checked_input(path, display) as opened:
        return _open_checked(path, display, opened, look)


def _open_checked(path: Path, display: str, opened: Opened, look=None) -> list[RawSheet]:
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except FileNotFoundError:
        raise ReadError("文件不存在；请检查路径", file=display) from None
    except IsADirectoryError:
        raise ReadError("这是一个文件夹，不是 Excel 文件", file=display) from None
    except OSError as exc:
        raise ReadError(f"无法打开文件（{exc.strerror}）", file=display) from None
    suffix = path.suffix.lower()
    if head.startswith(ZIP_MAGIC):
        return _in_workbook(_open_zip(path, display, opened, look))
    if head.startswith(OLE_MAGIC):
        if _ENCRYPTED_MARK in path.read_bytes()[:1 << 20]:
            raise ReadError("文件设置了打开密码，aidctl 无法读取；请去掉密码后另存为 .xlsx 再提交",
                            file=display)
        return _in_workbook(_open_calamine(path, display, "xls", look))
    if suffix in (".csv", ".txt"):
        return [_open_csv(path, display)]
    if len(head) == 0:
        raise ReadError("文件是空的（0 字节）；请重新导出后提交", file=display)
    raise ReadError("不是 Excel 工作簿（.xlsx/.xls/.ods）或 CSV 文件；请用 Excel 另存为 .xlsx 后再提交",
                    file=display)


def _in_workbook(found: tuple[list[RawSheet], list[str]]) -> list[RawSheet]:
    """Tell each visible sheet how many visible sheets its workbook has, and which are hidden."""
    sheets, hidden = found
    for sheet in sheets:
        sheet.workbook_sheets = len(sheets)
        sheet.hidden_sheets = hidden
    return sheets


def _open_zip(path: Path, display: str, opened: Opened, look=None) -> tuple[list[RawSheet], list[str]]:
    """An .xlsx, or an .ods (an OpenDocument spreadsheet is a zip too)."""
    try:
        with contextlib.nullcontext(opened.zip) if opened.zip is not None else zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "xl/workbook.xml" not in names:
                mime = zf.read("mimetype").strip() if "mimetype" in names else b""
                if mime.startswith(ODS_MIME):
                    return _open_calamine(path, display, "ods", look)
                if "word/document.xml" in names or mime.startswith(b"application/vnd.oasis.opendocument.text"):
                    kind = "文字处理文档（Word/WPS 文字）"
                else:
                    kind = "压缩文件"
                raise ReadError(f"这是{kind}，不是电子表格；请提交 .xlsx 花名册", file=display)
            parts = _sheet_xml_paths(opened.read if opened.zip is not None else zf.read)
            sizes = {info.filename: info.file_size for info in zf.infolist()}
            struck = workbook_struck(zf, opened.parts, reopen=None if opened.zip is not None else path, look=look)
    except zipfile.BadZipFile:
        raise ReadError("文件已损坏，无法作为 .xlsx 打开；请用 Excel 打开另存后重新提交", file=display) from None
    except ElementTree.ParseError:
        raise ReadError("工作簿结构已损坏（workbook.xml 或 styles.xml 无法解析）；请用 Excel 打开另存后重新提交",
                        file=display) from None
    except KeyError as exc:
        raise ReadError(f"工作簿缺少部件 {exc}；请用 Excel 打开另存后重新提交", file=display) from None
    return _open_xlsx(path, display, parts, sizes, opened, struck)


# --- .xlsx ---------------------------------------------------------------------------------------

def _sheet_xml_paths(read: Callable[[str], bytes]) -> dict[str, tuple[str | None, bool]]:
    """Sheet name → (path of its XML part, hidden?), from workbook.xml and its relationships."""
    sheets = workbook_sheets(read("xl/workbook.xml"), read("xl/_rels/workbook.xml.rels"))
    return {name: (part, hidden) for name, part, hidden in sheets}


def big_numbers_in(rows: list[list]) -> dict[int, np.ndarray]:
    """Excel rows, by column, of the number cells too long to have kept all their digits, among
    typed cells (python-calamine's, the first row and column being A1)."""
    found: dict[int, list[int]] = {}
    for r_i, row in enumerate(rows, start=1):
        for c_i, cell in enumerate(row):
            if isinstance(cell, float) and math.isfinite(cell) and abs(cell) >= 1e15:
                found.setdefault(c_i, []).append(r_i)
    return {c: np.asarray(v, dtype=np.int64) for c, v in found.items()}


def _typed_rows(path: Path, display: str, sheet: str) -> list[list]:
    """A sheet's cells with their types (python-calamine), from A1."""
    try:
        return _calamine(path, "xlsx").get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except Exception as exc:  # python-calamine raises its own errors, all of them mean "unreadable"
        raise ReadError(f"无法读取工作表（{_short(exc)}）；请用 Excel 打开另存后重新提交", file=display,
                        sheet=sheet) from None


def _open_xlsx(path: Path, display: str, parts: dict[str, tuple[str | None, bool]],
               sizes: dict[str, int], opened: Opened, struck: Struck) -> tuple[list[RawSheet], list[str]]:
    import fastexcel

    try:
        reader = fastexcel.read_excel(rust_source(path, SUFFIXES["xlsx"]))
    except Exception as exc:  # fastexcel raises its own hierarchy, all of them mean "unreadable"
        raise ReadError(f"无法读取工作簿（{_short(exc)}）；请用 Excel 打开另存后重新提交",
                        file=display) from None
    sheets, hidden_sheets = [], []
    for idx, name in enumerate(reader.sheet_names):
        part, hidden = parts.get(name, (None, False))
        if hidden:
            hidden_sheets.append(name)  # drop-down lists and old copies, not the roster sent
            continue
        scan: dict[str, object] = {}
        worker = None
        if part:
            def run(p=part, scan=scan):  # joined before the next sheet: bound for clarity
                try:
                    scan["result"] = scan_sheet(opened.zip or path, p, opened.parts.get(p), struck)
                except Exception as exc:  # reported below, in the caller's thread
                    scan["error"] = exc
            if sizes.get(part, 0) >= THREADED_SCAN_FROM:
                worker = threading.Thread(target=run, daemon=True)
                worker.start()
            else:  # a school's sheet of a few hundred rows: scanned in a millisecond, a thread costs more
                run()
        cols: list[int] = []  # each column's place in the sheet (A = 0): the first may be any
        try:
            # eager: Arrow made while the sheet is parsed, a third less time than parse, then convert
            batch = reader.load_sheet(idx, header_row=None, skip_rows=0, dtypes="string", eager=True,
                                      use_columns=lambda column, cols=cols: cols.append(column.absolute_index) or True)
            if len(cols) != batch.num_columns:
                raise ValueError(f"{len(cols)} columns placed for {batch.num_columns} read")
        except Exception as exc:
            if worker:
                worker.join()
            raise ReadError(f"无法读取工作表（{_short(exc)}）；请用 Excel 打开另存后重新提交",
                            file=display, sheet=name) from None
        if worker:
            worker.join()
        if "error" in scan:
            raise ReadError(f"文件已损坏（{_short(scan['error'])}）；请用 Excel 打开另存后重新提交",
                            file=display, sheet=name)
        layout: SheetScan = scan.get("result") or SheetScan()
        targets = {}
        table = pa.Table.from_batches([batch])
        if layout.merges and not layout.formulas:  # (a formula's value may be a range's first cell: filled after)
            # filled in Arrow, before pandas: in a school's sheet of a few hundred rows a pandas
            # column costs more than its fill
            targets = _merge_targets(layout.merges, batch.num_rows, set(cols))
            place = {c: i for i, c in enumerate(cols)}
            for c, values in _filled({c: batch.column(i) for c, i in place.items()}, targets).items():
                table = table.set_column(place[c], table.schema.field(place[c]), values)
        big = layout.big_numbers
        if big is None:  # a writer that leaves out cell references: the typed cells say where
            big = big_numbers_in(_typed_rows(path, display, name))
        raw = RawSheet(name, None, big, "xlsx", layout.merges, layout.hidden_rows, layout.hidden_columns,
                       layout.unplaced_formulas, table=table, columns=cols)
        raw.struck, raw.unplaced_struck, raw.invisible = layout.struck, layout.unplaced_struck, layout.invisible
        raw.formatted, raw.unplaced_formatted, raw.formats = layout.formatted, layout.unplaced_formatted, struck.formats
        if targets:
            _spread_big_numbers(raw, targets)
        else:
            settle_formulas(raw, layout.formulas)
            _fill_merged(raw)
        set_errors(raw, layout.errors, layout.unplaced_errors)
        text_errors(raw)
        sheets.append(raw)
    return sheets, hidden_sheets


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


# --- what a reader of the sheet sees: merged ranges ------------------------------------------------

def _merge_targets(merges: list[tuple[int, int, int, int]], rows: int,
                   present: set[int]) -> dict[int, list[tuple[int, int, int, int]]]:
    """Column → (first row, last row, source column, source row) of each merged range's cells other
    than its first, within the `rows` read and the columns `present`."""
    per_column: dict[int, list[tuple[int, int, int, int]]] = {}
    for r1, c1, r2, c2 in merges:
        if r1 > rows or c1 not in present:
            continue
        for c in range(c1, c2 + 1):
            first = r1 + (1 if c == c1 else 0)
            if c in present and first <= min(r2, rows):
                per_column.setdefault(c, []).append((first, min(r2, rows), c1, r1))
    return per_column


def _filled(columns: dict[int, pa.Array | pa.ChunkedArray],
            targets: dict[int, list[tuple[int, int, int, int]]]) -> dict[int, pa.ChunkedArray]:
    """Each column of `targets` with every cell of a merged range showing the range's first value,
    as Excel shows it (fastexcel and calamine give it to the first cell only): one Arrow take a
    column, never cell by cell, rebuilding only the rows down to the last one filled (a teacher may
    merge 班级 over every class of a long roster; a title merged across the sheet touches every column)."""
    def chunks(arr) -> pa.ChunkedArray:
        return arr if isinstance(arr, pa.ChunkedArray) else pa.chunked_array([arr], type=arr.type)

    sources: dict[tuple[int, int], object] = {}  # a title merged across the sheet: one value, many columns
    for spans in targets.values():
        for _, _, src_col, src_row in spans:
            if (src_col, src_row) not in sources:
                sources[src_col, src_row] = columns[src_col].slice(src_row - 1, 1).to_pylist()[0]
    filled = {}
    for col, spans in targets.items():
        column = chunks(columns[col])
        end = max(last for _, last, _, _ in spans)
        if end <= SMALL_FILL:  # rows at the top (a title, a header merged down): filled as Python values
            head = column.slice(0, end).to_pylist()
            for first, last, src_col, src_row in spans:
                head[first - 1:last] = [sources[src_col, src_row]] * (last - first + 1)
            filled[col] = pa.chunked_array([pa.array(head, type=column.type), *column.slice(end).chunks],
                                           type=column.type)
            continue
        values = [sources[src_col, src_row] for _, _, src_col, src_row in spans]
        lengths = np.array([last - first + 1 for first, last, _, _ in spans], dtype=np.int64)
        rows = np.concatenate([np.arange(first - 1, last, dtype=np.int64) for first, last, _, _ in spans])
        take = np.arange(end, dtype=np.int64)
        take[rows] = end + np.repeat(np.arange(len(spans), dtype=np.int64), lengths)
        head = pa.concat_arrays([one_array(column.slice(0, end)), pa.array(values, type=column.type)])
        filled[col] = pa.chunked_array([head.take(pa.array(take)), *column.slice(end).chunks], type=column.type)
    return filled


def _spread_big_numbers(sheet: RawSheet, targets: dict[int, list[tuple[int, int, int, int]]]) -> None:
    """A number cell merged down counts on every row of its range (id.precision_lost)."""
    for col, found in list(sheet.big_numbers.items()):
        numbers = set(found.tolist())
        extra = [np.arange(first, last + 1) for first, last, src_col, src_row in targets.get(col, [])
                 if src_col == col and src_row in numbers]
        if extra:
            sheet.big_numbers[col] = np.unique(np.concatenate([found, *extra]))


def _fill_merged(sheet: RawSheet) -> RawSheet:
    """The sheet's grid with its merged ranges filled (_filled) and its number cells spread over
    them, for a grid already in pandas (.xls, .ods, an .xlsx with formulas settled first)."""
    if not sheet.merges:
        return sheet
    grid = sheet.grid
    targets = _merge_targets(sheet.merges, len(grid), set(grid.columns))
    needed = set(targets) | {src for spans in targets.values() for _, _, src, _ in spans}
    filled = _filled({c: _chunks(grid[c]) for c in needed}, targets)
    if filled:  # one new frame, the columns not filled shared as they are
        sheet.grid = pd.DataFrame({c: pd.Series(pd.arrays.ArrowStringArray(filled[c]), index=grid.index)
                                   if c in filled else grid[c] for c in grid.columns}, index=grid.index, copy=False)
    _spread_big_numbers(sheet, targets)
    return sheet


def _chunks(series: pd.Series) -> pa.ChunkedArray:
    """A text column as Arrow chunks, without a copy where it is Arrow-backed already."""
    if isinstance(series.array, pd.arrays.ArrowStringArray):
        return series.array.__arrow_array__()
    return pa.chunked_array([arrow_text(series)])


# --- .xls and .ods (python-calamine) -------------------------------------------------------------

# the suffixes of a file holding each kind: a name with another (an .xls saved as a.xlsx) is read from its
# bytes, as what it holds (rust_source)
SUFFIXES = {"xlsx": (".xlsx", ".xlsm"), "xls": (".xls",), "ods": (".ods",)}


def _calamine(path: Path, kind: str):
    """python-calamine's workbook of a file holding `kind` (from its bytes when the name is not UTF-8 or
    says another format: rust_source)."""
    from python_calamine import CalamineWorkbook

    source = rust_source(path, SUFFIXES[kind])
    return CalamineWorkbook.from_object(io.BytesIO(source) if isinstance(source, bytes) else source)


def _open_calamine(path: Path, display: str, kind: str, look=None) -> tuple[list[RawSheet], list[str]]:
    label = ".xls" if kind == "xls" else ".ods"
    try:
        wb = _calamine(path, kind)
    except Exception as exc:
        raise ReadError(f"无法读取 {label} 工作簿（{_short(exc)}）；请用 Excel 另存为 .xlsx 后重新提交",
                        file=display) from None
    layouts = {}
    book = xls_layout(path, look) if kind == "xls" else XlsBook()
    if kind == "xls":
        _refuse_undecoded_xls(book, wb, display)
    # the BIFF records' sheets are calamine's, in the same order: their layouts go by place, not by a name
    # one of the two may spell otherwise
    by_place = len(book.sheets) == len(wb.sheets_metadata)
    if kind == "ods":
        try:
            layouts = scan_ods(path, look)
        except (ElementTree.ParseError, KeyError, zipfile.BadZipFile) as exc:
            raise ReadError(f"无法读取 .ods 工作簿（{_short(exc)}）；请另存为 .xlsx 后重新提交",
                            file=display) from None
    sheets, hidden_sheets = [], []
    for index, meta in enumerate(wb.sheets_metadata):
        if str(getattr(meta, "visible", "visible")).lower().endswith("hidden"):
            hidden_sheets.append(meta.name)
            continue
        try:
            sheet = wb.get_sheet_by_name(meta.name)
            rows = sheet.to_python(skip_empty_area=False)
            merged = sheet.merged_cell_ranges or []
        except Exception as exc:
            raise ReadError(f"无法读取工作表（{_short(exc)}）", file=display, sheet=meta.name) from None
        width = max((len(r) for r in rows), default=0)
        text_rows = [[_typed_text(cell) for cell in row] + [None] * (width - len(row))
                     for row in rows]  # .xls holds at most 65,536 rows; .ods rosters are small
        grid = pd.DataFrame(text_rows, columns=range(width), dtype="string",
                            index=pd.RangeIndex(1, len(text_rows) + 1))
        if kind == "ods":
            layout = layouts.get(meta.name, SheetScan())
            raw = RawSheet(meta.name, grid, big_numbers_in(rows), "ods", layout.merges, layout.hidden_rows,
                           layout.hidden_columns)
            raw.struck, raw.invisible = layout.struck, layout.invisible
            raw.formatted, raw.formats = layout.formatted, layout.formats
        else:
            place = index if by_place else next((i for i, (_, n) in enumerate(book.sheets) if n == meta.name), -1)
            layout = book.scans.get(place)   # None: its records could not be read, its layout is unknown
            merges = [(r1 + 1, c1, r2 + 1, c2) for (r1, c1), (r2, c2) in merged]
            raw = RawSheet(meta.name, grid, big_numbers_in(rows), "xls", merges,
                           layout.hidden_rows if layout else None, layout.hidden_columns if layout else None)
            raw.struck, raw.invisible = (layout.struck, layout.invisible) if layout else (None, [])
            layout = layout or SheetScan()
            raw.formatted, raw.formats = layout.formatted, book.formatted_xfs
        _fill_merged(raw)
        set_errors(raw, layout.errors)
        text_errors(raw)
        sheets.append(raw)
    return sheets, hidden_sheets


def _refuse_undecoded_xls(book: XlsBook, wb, display: str) -> None:
    """An Excel 5.0/95 (BIFF5) workbook keeps its text in the code page its CODEPAGE record names (cp936
    for Chinese). python-calamine decodes a double-byte one wrongly (姓名 comes out as U+FFFD and NUL
    characters), so no header is found and the sheet would be named garbled. Where its sheet names
    differ from the names the records give in that code page, its text is not read at all: the file is
    refused, naming the sheet as the file does, and asking for an .xlsx."""
    if book.biff8 or len(book.sheets) != len(wb.sheets_metadata):
        return
    for (_, name), meta in zip(book.sheets, wb.sheets_metadata):
        if name is not None and name != meta.name:
            page = f"代码页 {book.codepage}" if book.codepage is not None else "未注明的代码页"
            raise ReadError(f"这是 Excel 5.0/95 格式的 .xls 文件（BIFF5），文字按{page}（{book.encoding}）存储，"
                            "aidctl 使用的读取组件不能正确解码其中的文字（中文会读成乱码），不读取该文件："
                            "请用 Excel 或 WPS 打开后另存为 .xlsx，再提交", file=display, sheet=name)


def _typed_text(cell) -> str | None:
    if cell is None or cell == "":
        return None
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float):
        if cell.is_integer():
            return str(int(cell))
        return repr(cell)
    return str(cell)


# --- .csv ----------------------------------------------------------------------------------------

_BOM = b"\xef\xbb\xbf"


def _undecodable(raw: bytes) -> str:
    """Why a CSV decodes neither as UTF-8 nor as GBK: a UTF-8 mark (BOM) before text in GBK (an
    export that added the mark and wrote GBK) is named as such, not as an unknown encoding."""
    if raw.startswith(_BOM):
        try:
            raw[len(_BOM):].decode("gb18030")
        except UnicodeDecodeError:
            pass
        else:
            return ("文件开头有 UTF-8 编码标记（BOM），其后的内容却是 GBK 编码，两者矛盾，aidctl 不猜测按哪一种读取；"
                    "请用 Excel 或记事本重新另存为“CSV UTF-8”或 .xlsx 后再提交")
    return "无法识别文件编码（既不是 UTF-8 也不是 GBK）；请另存为 UTF-8 CSV 或 .xlsx"

def _open_csv(path: Path, display: str) -> RawSheet:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ReadError(_undecodable(raw), file=display)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;|")
        sep = dialect.delimiter
    except csv.Error:  # rows of unequal width (a title line above the header): the commonest one
        counts = {d: text[:4096].count(d) for d in ",\t;|"}
        sep = max(counts, key=counts.get) if any(counts.values()) else ","
    # a title line has fewer fields than the header: size the grid by the widest line (trailing empty
    # fields are no columns; within the limits: read/limits.py)
    quoted = '"' in text
    width = csv_width(text, sep, display, quoted)
    try:
        grid = pd.read_csv(io.StringIO(text), sep=sep, header=None, names=range(width), dtype="string",
                           keep_default_na=False, skip_blank_lines=False,
                           usecols=None if quoted else range(width))
    except Exception as exc:
        raise ReadError(f"CSV 文件格式错误（{_short(exc)}）", file=display) from None
    grid = grid.replace("", pd.NA)
    grid.index = pd.RangeIndex(1, len(grid) + 1)
    grid.columns = range(grid.shape[1])
    for col in grid.columns:  # ="0123…" and a leading tab: what exporters write to keep digits as text
        column = grid[col]
        wrapped = column.str.contains(r'^(?:="|\t)', regex=True).fillna(False)
        if wrapped.any():
            grid[col] = column.mask(wrapped, column[wrapped].str.replace(r'^="(.*)"$|^\t+', r"\1", regex=True))
    sheet = RawSheet(Path(display).stem, grid, {}, "csv")
    text_errors(sheet)  # an error value exported as its text (#N/A): listed, and blank as in a workbook
    return sheet
