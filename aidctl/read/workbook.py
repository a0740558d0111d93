"""Open a spreadsheet file and hand back its sheets as grids of text, with the Excel row numbers.

The fast path for .xlsx is fastexcel with every cell as text. Reading a cell as text hides whether
it was typed as text or stored as a number, and a number of 16 or more digits has already lost its
tail in Excel (an ID typed as a number). So, in a thread beside the reader (fastexcel releases the
GIL), the sheet's XML is scanned for number cells holding such large values. .xls goes through
python-calamine, which keeps cell types; .csv has no types, but Excel's "4.20102E+17" survives as text.
"""

from __future__ import annotations

import csv
import io
import math
import re
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from aidctl.core.errors import ReadError
from aidctl.read.limits import check_input, csv_width, rust_source, shown

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")

# A number value with 16+ integer digits: Excel keeps 15 significant digits, so the rest is gone.
# The scan looks for such values first (rare, and a literal-prefixed pattern is fast), then reads
# the enclosing cell tag for its reference and type.
_BIG_VALUE = rb'v>(?:\d{16,}(?:\.\d*)?|\d(?:\.\d+)?[eE]\+?(?:1[5-9]|[2-9]\d|\d{3}))</'
_CELL_REF = re.compile(rb'\sr="([A-Z]{1,3})(\d+)"')
_CELL_TYPE = re.compile(rb'\st="(\w+)"')
_ROOT_PREFIX = re.compile(rb'<(\w+:)?worksheet\b')


@dataclass
class RawSheet:
    """One sheet as text cells. `grid` index = Excel row number, columns = 0-based column index."""

    name: str
    grid: pd.DataFrame
    big_numbers: dict[int, np.ndarray] = field(default_factory=dict)  # column → Excel rows

    def big_number_mask(self, col: int, rows: pd.Index) -> np.ndarray:
        """True where the cell in `col` at each of `rows` is a number too long for Excel to keep."""
        found = self.big_numbers.get(col)
        if found is None or len(found) == 0:
            return np.zeros(len(rows), dtype=bool)
        return np.isin(rows.to_numpy(), found)


def _letter_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def open_sheets(path: Path, display: str | None = None) -> list[RawSheet]:
    """All visible sheets of a workbook (or the single table of a CSV) as RawSheets."""
    display = display or shown(path)
    check_input(path, display)  # regular file, within the limits (read/limits.py), before any parsing
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
        return _open_xlsx(path, display)
    if head.startswith(OLE_MAGIC):
        if _ENCRYPTED_MARK in path.read_bytes()[:1 << 20]:
            raise ReadError("文件设置了打开密码，aidctl 无法读取；请去掉密码后另存为 .xlsx 再提交",
                            file=display)
        return _open_xls(path, display)
    if suffix in (".csv", ".txt"):
        return [_open_csv(path, display)]
    if len(head) == 0:
        raise ReadError("文件是空的（0 字节）；请重新导出后提交", file=display)
    raise ReadError("不是 Excel 工作簿（.xlsx/.xls）或 CSV 文件；请用 Excel 另存为 .xlsx 后再提交",
                    file=display)


# --- .xlsx ---------------------------------------------------------------------------------------

def _sheet_xml_paths(zf: zipfile.ZipFile) -> dict[str, tuple[str | None, bool]]:
    """Sheet name → (path of its XML part, hidden?), from workbook.xml and its relationships."""
    ns_main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    ns_rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    ns_pkg = "{http://schemas.openxmlformats.org/package/2006/relationships}"
    wb_root = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    rel_root = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for rel in rel_root.iter(f"{ns_pkg}Relationship"):
        target = rel.get("Target", "")
        if target.startswith("/"):
            target = target.lstrip("/")
        else:
            target = str(PurePosixPath("xl") / target)
        targets[rel.get("Id")] = target
    out = {}
    for sheet in wb_root.iter(f"{ns_main}sheet"):
        hidden = sheet.get("state", "visible") != "visible"
        out[sheet.get("name")] = (targets.get(sheet.get(f"{ns_rel}id")), hidden)
    return out


def scan_big_numbers(zf_path: Path, part: str) -> dict[int, np.ndarray] | None:
    """Excel rows, by column, of number cells too long to have kept all their digits; None when
    such a cell carries no reference (r="D7", optional in the format) to place it by."""
    found: dict[int, list[int]] = {}
    unplaced = []
    with zipfile.ZipFile(zf_path) as zf, zf.open(part) as fh:
        head = fh.read(1 << 16)
        m = _ROOT_PREFIX.search(head)
        prefix = (m.group(1) or b"") if m else b""
        value = re.compile(b"<" + prefix + _BIG_VALUE + prefix)
        cell_start = b"<" + prefix + b"c "

        def collect(buf: bytes) -> None:
            for hit in value.finditer(buf):
                start = buf.rfind(cell_start, 0, hit.start())
                tag = buf[start:buf.find(b">", start)] if start >= 0 else b""
                ref = _CELL_REF.search(tag)
                kind = _CELL_TYPE.search(tag)
                if kind is not None and kind.group(1) != b"n":
                    continue
                if ref is None:
                    unplaced.append(hit.start())
                    continue
                found.setdefault(_letter_index(ref.group(1).decode()), []).append(int(ref.group(2)))

        pending = head
        while True:
            chunk = fh.read(1 << 22)
            buf = pending + chunk
            if not chunk:
                collect(buf)
                break
            cut = buf.rfind(cell_start)  # the last cell may be cut in two: keep it for the next round
            if cut <= 0:
                pending = buf
                continue
            collect(buf[:cut])
            pending = buf[cut:]
    if unplaced:
        return None
    return {c: np.asarray(rows, dtype=np.int64) for c, rows in found.items()}


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
        return _calamine(path).get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except Exception as exc:  # python-calamine raises its own errors, all of them mean "unreadable"
        raise ReadError(f"无法读取工作表（{_short(exc)}）；请用 Excel 打开另存后重新提交", file=display,
                        sheet=sheet) from None


def _open_xlsx(path: Path, display: str) -> list[RawSheet]:
    import fastexcel

    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "xl/workbook.xml" not in names:
                kind = "Word 文档" if "word/document.xml" in names else "压缩文件"
                raise ReadError(f"这是{kind}，不是 Excel 工作簿；请提交 .xlsx 花名册", file=display)
            parts = _sheet_xml_paths(zf)
    except zipfile.BadZipFile:
        raise ReadError("文件已损坏，无法作为 .xlsx 打开；请用 Excel 打开另存后重新提交", file=display) from None
    except ElementTree.ParseError:
        raise ReadError("工作簿结构已损坏（workbook.xml 无法解析）；请用 Excel 打开另存后重新提交",
                        file=display) from None
    except KeyError as exc:
        raise ReadError(f"工作簿缺少部件 {exc}；请用 Excel 打开另存后重新提交", file=display) from None
    try:
        reader = fastexcel.read_excel(rust_source(path))
    except Exception as exc:  # fastexcel raises its own hierarchy, all of them mean "unreadable"
        raise ReadError(f"无法读取工作簿（{_short(exc)}）；请用 Excel 打开另存后重新提交",
                        file=display) from None
    sheets = []
    for idx, name in enumerate(reader.sheet_names):
        part, hidden = parts.get(name, (None, False))
        if hidden:
            continue  # hidden sheets hold drop-down lists and old copies, not the roster sent
        scan: dict[str, object] = {}
        worker = None
        if part:
            def run(p=part, scan=scan):  # joined before the next sheet: bound for clarity
                try:
                    scan["result"] = scan_big_numbers(path, p)
                except Exception as exc:  # reported below, in the caller's thread
                    scan["error"] = exc
            worker = threading.Thread(target=run, daemon=True)
            worker.start()
        try:
            sheet = reader.load_sheet(idx, header_row=None, skip_rows=0, dtypes="string")
            grid = sheet.to_pandas()
            cols = [c.absolute_index for c in sheet.available_columns()]
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
        grid.columns = cols
        grid.index = pd.RangeIndex(1, len(grid) + 1)
        big = scan.get("result", {})
        if big is None:  # a writer that leaves out cell references: the typed cells say where
            big = big_numbers_in(_typed_rows(path, display, name))
        sheets.append(RawSheet(name, grid, big))
    return sheets


def _calamine(path: Path):
    from python_calamine import CalamineWorkbook

    source = rust_source(path)
    return CalamineWorkbook.from_object(io.BytesIO(source) if isinstance(source, bytes) else source)


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


# --- .xls ----------------------------------------------------------------------------------------

def _open_xls(path: Path, display: str) -> list[RawSheet]:

    try:
        wb = _calamine(path)
    except Exception as exc:
        raise ReadError(f"无法读取 .xls 工作簿（{_short(exc)}）；请用 Excel 另存为 .xlsx 后重新提交",
                        file=display) from None
    sheets = []
    for meta in wb.sheets_metadata:
        if str(getattr(meta, "visible", "visible")).lower().endswith("hidden"):
            continue
        try:
            rows = wb.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
        except Exception as exc:
            raise ReadError(f"无法读取工作表（{_short(exc)}）", file=display, sheet=meta.name) from None
        width = max((len(r) for r in rows), default=0)
        text_rows = [[_xls_text(cell) for cell in row] + [None] * (width - len(row))
                     for row in rows]  # .xls holds at most 65,536 rows
        grid = pd.DataFrame(text_rows, columns=range(width), dtype="string",
                            index=pd.RangeIndex(1, len(text_rows) + 1))
        sheets.append(RawSheet(meta.name, grid, big_numbers_in(rows)))
    return sheets


def _xls_text(cell) -> str | None:
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

def _open_csv(path: Path, display: str) -> RawSheet:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ReadError("无法识别文件编码（既不是 UTF-8 也不是 GBK）；请另存为 UTF-8 CSV 或 .xlsx",
                        file=display)
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
    return RawSheet(Path(display).stem, grid, {})
