"""What aidctl reads: regular files, within technical safety limits checked before anything is parsed.

The workbook readers (fastexcel and python-calamine, in Rust) believe what a file says of itself. One
stray cell at XFD1048576 makes them ask for a grid of 17 billion cells (512 GiB) and the process dies
(SIGABRT, no message); a shared-strings table that declares four billion strings does the same from a
1 KB file; a zip part that inflates a thousandfold fills the memory; a CSV line of two million commas
becomes two million columns. So every input is checked here first, by what it declares and what its
parts inflate to, and refused with exit 2 and one line naming the file and the limit.

The checks cost next to nothing: the zip's directory (sizes, ratios), the head of the shared strings
and of each sheet (the count, the `<dimension>`). Only a sheet that does not declare its size (no
`<dimension>`, or one cell, as streaming writers leave it), declares one beyond the limits, or is
small (at most `MEASURE_SHEETS_UP_TO` inflated, so that a small file cannot lie) is measured: one
streaming pass over its XML for the farthest cell that holds a value. Cells without a value (a
format only) do not count: the readers skip them, so the sheet is read as far as its data goes, and a
range declared far beyond it is no reason to refuse. A large sheet that declares a small range but
holds a cell beyond it is trusted on its word: measuring every large sheet would add a third to the read
(0.35 s per 100,000 rows). One of at most `KEEP_SHEETS_UP_TO` is still inflated to its end (its CRC
checked) and handed to the layout scan, which would inflate it again otherwise.

These are technical safety limits, not policy: they keep the machine alive, and a clerk's real roster
is far below every one of them (a city's 500,000-row roster of 14 columns is a 42 MB file whose sheet
inflates to 260 MB: 7 million cells). They are constants here, not rules in rules/: a workspace has no
reason to change them.

Only regular files are read: a FIFO, a device or a socket would block the reader (a FIFO never ends),
so one named as an input or lying in intake/ is refused at once, before anything is opened.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from aidctl.core.errors import ReadError
from aidctl.read.biff import XLS_COLUMNS, sheet_records, xls_book, xls_workbook_stream
from aidctl.read.sheetxml import workbook_sheets

KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30

# Every limit, and why (README, "Limits").
MAX_FILE_BYTES = 256 * MiB        # a CSV, .xls or XML file: read whole into memory (500,000 CSV rows: ~75 MB)
MAX_ZIP_ENTRIES = 10_000          # parts of an .xlsx (a workbook holds tens; each costs the zip readers memory)
MAX_ZIP_DIRECTORY_BYTES = 16 * MiB  # the zip's directory, read whole before anything else
MAX_SHEET_BYTES = 1 * GiB         # one worksheet or the shared strings, inflated (500,000 rows: 260 MB)
MAX_PART_BYTES = 64 * MiB         # the other parts read, inflated: workbook, styles, relationships
                                  # (parts no reader inflates, such as a pivot cache, are not counted)
MAX_UNZIPPED_BYTES = 2 * GiB      # all the parts read of a workbook together, inflated
MAX_INFLATE_RATIO = 100           # inflated ÷ compressed for a part above RATIO_FROM_BYTES (sheets: ~10;
RATIO_FROM_BYTES = 1 * MiB        # styled empty rows: ~50; a zip bomb: 300–1,000)
MAX_ROWS = 1_048_576              # Excel's own: no sheet Excel writes holds more
MAX_COLUMNS = 16_384              # Excel's own (XFD)
MAX_CELLS = 20_000_000            # rows × columns of a sheet's grid, as the reader allocates it
MAX_SHARED_STRINGS = MAX_CELLS    # the distinct texts of a workbook: no more than its cells
MEASURE_SHEETS_UP_TO = 64 * KiB   # a sheet part this small is always measured (under a millisecond)
# a trusted sheet part up to this size is inflated whole here and handed to the layout scan
# (sheetxml.scan_sheet), which reads it whole anyway: a school's sheet is not inflated twice
KEEP_SHEETS_UP_TO = 4 * MiB

_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
_EOCD64 = b"PK\x06\x06"
_HEAD = 1 << 16
_CHUNK = 1 << 22
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s[^>]*?ref="\$?([A-Z]{1,3})\$?(\d{1,10})'
                        rb'(?::\$?([A-Z]{1,3})\$?(\d{1,10}))?"')
_UNIQUE_COUNT = re.compile(rb'<(?:\w+:)?sst\b[^>]*?\suniqueCount="(\d+)"')
# a cell that holds a value: a reference, and a tag that is not self-closing (<c r="B2" s="1"/> is a format)
_VALUE_CELL = re.compile(rb' r="([A-Z]{1,4})(\d{1,10})"[^>]*(?<!/)>')
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIGITS = "0123456789"
_WORKSHEET_PART = re.compile(r"(?i)(?:^|/)worksheets/[^/]+\.xml$")
# the other parts the readers inflate: content types, relationships, the workbook, its styles
_READ_PART = re.compile(r"(?i)(?:^\[Content_Types\]\.xml|\.rels|(?:^|/)(?:workbook|styles)\.xml)$")
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CSV_LINES = re.compile("\r\n?|\n")
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError)
_KIND = {stat.S_ISFIFO: "命名管道（FIFO）", stat.S_ISCHR: "字符设备", stat.S_ISBLK: "块设备", stat.S_ISSOCK: "套接字"}


def shown(path: str | os.PathLike) -> str:
    """A file's name as aidctl shows it everywhere: its text, with bytes that are not UTF-8 (a GBK name
    from a Windows zip) escaped as \\xbb, since they can be neither printed nor stored as they are."""
    text = os.fspath(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(text).decode("utf-8", "backslashreplace")
    return text


def rust_source(path: Path, suffixes: tuple[str, ...] = ()) -> str | bytes:
    """The path as the Rust readers (fastexcel, python-calamine) open it; the file's bytes instead
    (fastexcel takes them as they are; wrap them in BytesIO for python-calamine) for a name that is
    not UTF-8, which they cannot open, and for a name whose suffix is none of `suffixes`, the ones
    of what the file holds: from a path they read the format the name says (an .xls saved as
    a.xlsx would be read as a zip and fail), from bytes the one its content is."""
    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return Path(path).read_bytes()
    if suffixes and Path(path).suffix.lower() not in suffixes:
        return Path(path).read_bytes()
    return text


def regular_file(path: Path, display: str | None = None) -> os.stat_result | None:
    """The file's status when it is a regular file. What is there but is no regular file is refused at
    once: a FIFO would block the reader for ever, a device or a socket is no roster. A missing file or a
    folder is left to the reader, which says so in its own words: None then."""
    display = display or shown(path)
    try:
        st = os.stat(path)
    except OSError:
        return None
    if stat.S_ISDIR(st.st_mode) or stat.S_ISREG(st.st_mode):
        return st if stat.S_ISREG(st.st_mode) else None
    kind = next((name for test, name in _KIND.items() if test(st.st_mode)), "特殊文件")
    raise ReadError(f"这是一个{kind}，不是普通文件，aidctl 不读取：请改为指定要读取的文件本身（Excel、CSV 等）",
                    file=display)


def check_input(path: Path, display: str | None = None) -> None:
    """Refuse, before any parsing, an input that is no regular file or that declares or inflates beyond
    the limits (see the module docstring). Called at the start of every read of a spreadsheet file."""
    with checked_input(path, display):
        pass


@dataclass
class Opened:
    """What the limits check opened of a workbook, for its reader to go on with: the zip, its
    directory read once, and the small parts the check inflated whole (the workbook's directory,
    small sheets, shared strings and styles): opening the zip again and inflating such a part twice
    cost several per cent of a school's small file."""
    zip: zipfile.ZipFile | None = None
    parts: dict[str, bytes] = field(default_factory=dict)

    def read(self, name: str) -> bytes:
        """A part of the open zip: as the check inflated it, else inflated now."""
        held = self.parts.get(name)
        return held if held is not None else self.zip.read(name)


@contextlib.contextmanager
def checked_input(path: Path, display: str | None = None) -> Iterator[Opened]:
    """check_input, then what it opened, kept open for the block."""
    display = display or shown(path)
    st = regular_file(path, display)
    if st is None:
        yield Opened()
        return
    with open(path, "rb") as fh:
        head = fh.read(8)
        if head.startswith(b"PK\x03\x04"):
            _check_zip_directory(fh, st.st_size, display)
            try:
                zf = zipfile.ZipFile(fh)
            except (zipfile.BadZipFile, OSError, ValueError):
                zf = None  # the reader reports a damaged file in its own words
            if zf is None:
                yield Opened()
                return
            with zf:
                opened = Opened(zf)
                _check_workbook(zf, display, opened.parts)
                yield opened
            return
    if st.st_size > MAX_FILE_BYTES:
        raise ReadError(f"文件有 {_size(st.st_size)}，超过 aidctl 读取的上限 {_size(MAX_FILE_BYTES)}；"
                        "花名册远小于此，请确认提交的是正确的文件", file=display)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        _check_xls(path, display)
    yield Opened()


def check_text_file(path: Path, display: str | None = None) -> None:
    """A file read whole as text or XML (a bank's pain.002 report): regular, and within MAX_FILE_BYTES."""
    display = display or shown(path)
    st = regular_file(path, display)
    if st is not None and st.st_size > MAX_FILE_BYTES:
        raise ReadError(f"文件有 {_size(st.st_size)}，超过 aidctl 读取的上限 {_size(MAX_FILE_BYTES)}；"
                        "请确认提交的是正确的文件", file=display)


def csv_width(text: str, sep: str, display: str, quoted: bool) -> int:
    """The number of columns to read from a CSV's text: the widest line up to its last non-empty field
    (trailing empty fields are no columns: a line of two million commas is one blank line). Refused
    when the grid would be beyond MAX_COLUMNS, MAX_ROWS or MAX_CELLS. With quotes in the text a line
    may hold a separator inside a field, and a record may span lines: then every separator counts, so
    that no field is ever dropped (pandas then reports a line wider than the rest)."""
    lines = _CSV_LINES.split(text)  # where pandas ends a line, no more (str.splitlines ends more)
    if quoted:
        width = max((line.count(sep) for line in lines), default=0) + 1
    else:
        width = max((line.rstrip(sep).count(sep) for line in lines), default=0) + 1
    rows = len(lines)
    _check_extent(rows, width, display, None, f"第{rows:,}行" if rows > MAX_ROWS else f"第{width:,}列")
    return width


# --- .xlsx ---------------------------------------------------------------------------------------

def _check_zip_directory(fh, size: int, display: str) -> None:
    """The zip's end record, before Python or Rust read the directory it points to."""
    tail_len = min(size, 22 + 65535)
    fh.seek(size - tail_len)
    tail = fh.read(tail_len)
    at = tail.rfind(_EOCD)
    if at < 0 or at + 22 > len(tail):
        return  # not a complete zip: the reader says it is damaged
    entries, directory = struct.unpack("<10xHL6x", tail[at:at + 22])
    if entries == 0xFFFF or directory == 0xFFFFFFFF:  # zip64: the real figures are in its own end record
        loc = tail.rfind(_EOCD64_LOCATOR, 0, at)
        if loc >= 0 and loc + 20 <= len(tail):
            (offset,) = struct.unpack("<8xQ4x", tail[loc:loc + 20])
            fh.seek(offset)
            record = fh.read(56)
            if record[:4] == _EOCD64 and len(record) == 56:
                entries, directory = struct.unpack("<32xQQ8x", record)
    if entries > MAX_ZIP_ENTRIES:
        raise ReadError(f"压缩包内有 {entries:,} 个部件，超过 aidctl 读取的上限 {MAX_ZIP_ENTRIES:,} 个；"
                        "这不像一个 Excel 工作簿，请用 Excel 打开另存后重新提交", file=display)
    if directory > MAX_ZIP_DIRECTORY_BYTES:
        raise ReadError(f"压缩包目录有 {_size(directory)}，超过 aidctl 读取的上限 {_size(MAX_ZIP_DIRECTORY_BYTES)}；"
                        "这不像一个 Excel 工作簿，请用 Excel 打开另存后重新提交", file=display)
    fh.seek(0)


def _check_workbook(zf: zipfile.ZipFile, display: str, whole: dict[str, bytes]) -> None:
    """The zip's parts within the limits; the small parts inflated whole are put in `whole`."""
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_ENTRIES:
        raise ReadError(f"压缩包内有 {len(infos):,} 个部件，超过 aidctl 读取的上限 {MAX_ZIP_ENTRIES:,} 个",
                        file=display)
    names = _sheet_names(zf, display, whole)
    sheets = {i.filename for i in infos if _WORKSHEET_PART.search(i.filename)} | set(names)
    strings = {i.filename for i in infos if i.filename.lower().endswith("sharedstrings.xml")}
    big = sheets | strings | {i.filename for i in infos if i.filename == "content.xml"}  # .ods: its sheets
    total = 0
    for info in infos:
        if info.filename not in big and not _READ_PART.search(info.filename):
            continue  # pictures, comments, drawings, pivot caches: no reader inflates them
        total += info.file_size
        limit = MAX_SHEET_BYTES if info.filename in big else MAX_PART_BYTES
        what = _part_name(info.filename, names)
        if info.file_size > limit:
            raise ReadError(f"{what}解压后有 {_size(info.file_size)}，超过 aidctl 读取的上限 {_size(limit)}；"
                            "请确认提交的是正确的文件", file=display, sheet=names.get(info.filename))
        if info.file_size > RATIO_FROM_BYTES and info.file_size > MAX_INFLATE_RATIO * max(info.compress_size, 1):
            raise ReadError(f"{what}从 {_size(info.compress_size)} 解压为 {_size(info.file_size)}（"
                            f"{info.file_size // max(info.compress_size, 1):,} 倍），超过 aidctl 允许的 "
                            f"{MAX_INFLATE_RATIO} 倍：这是异常压缩的文件（压缩炸弹），不予读取；"
                            "请用 Excel 打开另存后重新提交", file=display, sheet=names.get(info.filename))
    if total > MAX_UNZIPPED_BYTES:
        raise ReadError(f"工作簿解压后共有 {_size(total)}，超过 aidctl 读取的上限 {_size(MAX_UNZIPPED_BYTES)}；"
                        "请确认提交的是正确的文件", file=display)
    for info in infos:  # workbook.xml and its relationships were read whole above, sheets are below
        if (info.filename in strings or info.filename.lower().endswith("styles.xml")) \
                and info.file_size <= MEASURE_SHEETS_UP_TO:
            whole[info.filename] = _inflates_as_declared(zf, info, display, None)
    for part in sorted(strings):
        _check_shared_strings(zf, part, display)
    for part in sorted(sheets):
        if part in zf.NameToInfo:
            _check_sheet(zf, zf.getinfo(part), names.get(part), display, whole)


def _inflates_as_declared(zf: zipfile.ZipFile, info: zipfile.ZipInfo, display: str, sheet: str | None) -> bytes:
    """A small part inflated whole (it costs nothing): Python's zip reader stops at the declared size
    and checks the CRC, so a part that says it is small but inflates to more is caught here."""
    try:
        with zf.open(info) as fh:
            return fh.read()
    except _DAMAGED as exc:
        raise ReadError(f"文件已损坏（部件 {info.filename} 无法解压：{exc}）；请用 Excel 打开另存后重新提交",
                        file=display, sheet=sheet) from None


def _sheet_names(zf: zipfile.ZipFile, display: str, whole: dict[str, bytes]) -> dict[str, str]:
    """Worksheet part → sheet name, from workbook.xml and its relationships (put in `whole`); {} when
    they cannot be read (the reader then says what is wrong)."""
    directory = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
    try:
        if any(zf.getinfo(p).file_size > MAX_PART_BYTES for p in directory):
            return {}
        book, rels = (zf.read(p) for p in directory)
        sheets = workbook_sheets(book, rels)
        whole.update(zip(directory, (book, rels)))
    except (KeyError, ElementTree.ParseError):
        return {}
    except _DAMAGED as exc:
        raise ReadError(f"文件已损坏（工作簿目录无法解压：{exc}）；请用 Excel 打开另存后重新提交", file=display) from None
    return {part: name for name, part, _ in sheets if part is not None}


def _part_name(part: str, names: dict[str, str]) -> str:
    if part in names:
        return "工作表"
    if part.lower().endswith("sharedstrings.xml"):
        return "共享字符串表"
    return f"部件 {part} "


def _check_shared_strings(zf: zipfile.ZipFile, part: str, display: str) -> None:
    """The readers reserve room for every string the table declares, before reading one."""
    try:
        with zf.open(part) as fh:
            head = fh.read(4096)
    except _DAMAGED:
        return  # the reader says so
    m = _UNIQUE_COUNT.search(head)
    if m and int(m.group(1)) > MAX_SHARED_STRINGS:
        raise ReadError(f"共享字符串表声明有 {int(m.group(1)):,} 个字符串，超过 aidctl 读取的上限 "
                        f"{MAX_SHARED_STRINGS:,} 个；请用 Excel 打开另存后重新提交", file=display)


@dataclass
class _Extent:
    rows: int
    columns: int
    lowest: str = "A1"     # the cell that sets `rows`, as Excel names it
    rightmost: str = "A1"  # the cell that sets `columns`

    @property
    def cells(self) -> int:
        return self.rows * self.columns

    def within(self) -> bool:
        return self.rows <= MAX_ROWS and self.columns <= MAX_COLUMNS and self.cells <= MAX_CELLS

    @property
    def where(self) -> str:
        """The cell(s) that take the grid beyond the limits."""
        if self.rows > MAX_ROWS or self.lowest == self.rightmost:
            return f"单元格 {self.lowest}"
        if self.columns > MAX_COLUMNS:
            return f"单元格 {self.rightmost}"
        return f"单元格 {self.lowest} 和 {self.rightmost}"


def _check_sheet(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str | None, display: str,
                 whole: dict[str, bytes]) -> None:
    """A sheet's grid runs from A1 to its farthest cell: within MAX_ROWS, MAX_COLUMNS and MAX_CELLS.
    A sheet read whole here (measured, within the first read) is put in `whole`."""
    try:
        with zf.open(info) as fh:
            head = fh.read(_HEAD)
            m = _DIMENSION.search(head)
            declared = None
            if m and m.group(3):
                declared = _Extent(int(m.group(4)), _column(m.group(3)))
            if declared is not None and declared.within() and info.file_size > MEASURE_SHEETS_UP_TO:
                # declared, and within the limits: trusted (module docstring)
                if info.file_size <= KEEP_SHEETS_UP_TO and len(head) == _HEAD:
                    whole[info.filename] = head + fh.read()  # to the part's end: its CRC checked
                return
            used = _measure(fh, head)  # to the part's end: its CRC checked
    except _DAMAGED as exc:
        raise ReadError(f"文件已损坏（工作表部件 {info.filename} 无法解压：{exc}）；请用 Excel 打开另存后重新提交",
                        file=display, sheet=name) from None
    if not used.within():
        _check_extent(used.rows, used.columns, display, name, used.where)
    if len(head) == info.file_size:
        whole[info.filename] = head


def _measure(fh, head: bytes) -> _Extent:
    """The farthest row and column of a sheet's cells that hold a value, in one streaming pass. The
    search is for cells beyond the extent found so far (regular expressions built for it, so that a
    sheet's ordinary cells cost the regex engine a glance): the last cell of each chunk starts it."""
    extent = _Extent(1, 1)
    pending = head
    while True:
        chunk = fh.read(_CHUNK)
        buf = pending + chunk
        cut = buf.rfind(b"<") if chunk else len(buf)
        if cut <= 0 and chunk:
            pending = buf
            continue
        body, pending = buf[:cut], buf[cut:]
        tail = _VALUE_CELL.findall(body, max(0, len(body) - 16384))
        if tail:
            _widen(extent, *tail[-1])
        for beyond in (_beyond_columns, _beyond_rows):
            pos = 0
            while (m := beyond(extent).search(body, pos)) is not None:
                _widen(extent, m.group(1), m.group(2))
                if not extent.within():
                    return extent
                pos = m.end()
        if not chunk:
            return extent


def _widen(extent: _Extent, letters: bytes, digits: bytes) -> None:
    row, col = int(digits), _column(letters)
    if row > extent.rows:
        extent.rows, extent.lowest = row, (letters + digits).decode()
    if col > extent.columns:
        extent.columns, extent.rightmost = col, (letters + digits).decode()


_COMPILED: dict[tuple, re.Pattern] = {}


def _beyond_columns(extent: _Extent) -> re.Pattern:
    key = ("c", extent.columns)
    if key not in _COMPILED:
        _COMPILED[key] = re.compile(rb' r="((?:' + _greater(_letters(extent.columns), _LETTERS) +
                                    rb'))(\d{1,10})"[^>]*(?<!/)>')
    return _COMPILED[key]


def _beyond_rows(extent: _Extent) -> re.Pattern:
    key = ("r", extent.rows)
    if key not in _COMPILED:
        _COMPILED[key] = re.compile(rb' r="([A-Z]{1,4})((?:' + _greater(str(extent.rows), _DIGITS) +
                                    rb'))"[^>]*(?<!/)>')
    return _COMPILED[key]


def _greater(numeral: str, alphabet: str) -> bytes:
    """A regex alternation for the numerals written in `alphabet` (digits, or Excel's column letters)
    that are greater than `numeral`: longer ones, or as long and greater at the first difference."""
    low, high = alphabet[0], alphabet[-1]
    first = alphabet[1] if low == "0" else low  # no leading zero
    alts = [f"[{first}-{high}][{low}-{high}]{{{len(numeral)},}}"]
    for i, ch in enumerate(numeral):
        k = alphabet.index(ch)
        if k + 1 < len(alphabet):
            rest = len(numeral) - i - 1
            alts.append(numeral[:i] + f"[{alphabet[k + 1]}-{high}]" + (f"[{low}-{high}]{{{rest}}}" if rest else ""))
    return "|".join(alts).encode()


def _column(letters: bytes | str) -> int:
    n = 0
    for ch in letters.decode() if isinstance(letters, bytes) else letters:
        n = n * 26 + ord(ch) - 64
    return n


def _letters(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = _LETTERS[r] + out
    return out


def _check_extent(rows: int, columns: int, display: str, sheet: str | None, where: str) -> None:
    if rows > MAX_ROWS:
        limit = f"{MAX_ROWS:,} 行"
    elif columns > MAX_COLUMNS:
        limit = f"{MAX_COLUMNS:,} 列"
    elif rows * columns > MAX_CELLS:
        limit = f"{MAX_CELLS:,} 个单元格"
    else:
        return
    raise ReadError(f"表格延伸到{where}（{rows:,} 行 × {columns:,} 列），超过 aidctl 读取的上限 {limit}；"
                    "多半是表格以外某处误填了内容：请删除多余的内容（或把花名册复制到新工作簿）后另存，再提交",
                    file=display, sheet=sheet)


def _size(n: int) -> str:
    for unit, size in (("GB", GiB), ("MB", MiB), ("KB", KiB)):
        if n >= size:
            return f"{n / size:,.1f} {unit}"
    return f"{n} 字节"


# --- .xls ----------------------------------------------------------------------------------------

XLS_ROWS = 65_536  # the rows of an .xls sheet (BIFF8); XLS_COLUMNS, its 256 columns
# BIFF records that put a value in one cell: NUMBER, LABEL, RSTRING, BOOLERR, RK, LABELSST, FORMULA
_XLS_CELLS = {0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006}
_XLS_MULRK, _XLS_DIMENSIONS = 0x00BD, 0x0200


def _check_xls(path: Path, display: str) -> None:
    """An .xls sheet's records, looked at before python-calamine reads them: it reserves room for the
    range a DIMENSIONS record declares, and lays the cells out on a grid from the first to the farthest.
    The declaration is checked for every sheet; the cells themselves (each must lie on the .xls grid)
    only in a small file, or in a sheet that declares no range (the module docstring says why)."""
    stream = xls_workbook_stream(path)  # None for a damaged container: the reader says it is damaged
    if stream is None:
        return
    for start, name in xls_book(stream).sheets:  # names decoded as the file's version and code page say
        _check_xls_sheet(stream, start, display, name, whole=len(stream) <= MEASURE_SHEETS_UP_TO)


def _check_xls_sheet(stream: bytes, start: int, display: str, sheet: str | None, whole: bool) -> None:
    rows = columns = 0
    u16 = struct.Struct("<HH").unpack_from
    for typ, at, length in sheet_records(stream, start):
        if typ in _XLS_CELLS and length >= 4:
            row, col = u16(stream, at)
            rows, columns = max(rows, row + 1), max(columns, col + 1)
        elif typ == _XLS_MULRK and length >= 6:
            (row,) = struct.unpack_from("<H", stream, at)
            (col,) = struct.unpack_from("<H", stream, at + length - 2)
            rows, columns = max(rows, row + 1), max(columns, col + 1)
        elif typ == _XLS_DIMENSIONS and length in (10, 14):
            first_row, last_row, first_col, last_col = struct.unpack_from(
                "<LLHH" if length == 14 else "<HHHH", stream, at)
            if last_row > XLS_ROWS or last_col > XLS_COLUMNS or last_row < first_row or last_col < first_col:
                raise ReadError(f"工作表声明的数据区域（第{first_row + 1:,}至{last_row:,}行、第{first_col + 1:,}至"
                                f"{last_col:,}列）超出 .xls 格式的范围（{XLS_ROWS:,} 行 × {XLS_COLUMNS} 列）："
                                "文件已损坏；请用 Excel 打开另存为 .xlsx 后重新提交", file=display, sheet=sheet)
            if not whole and rows == 0:
                return  # declared, on the .xls grid, before any cell: trusted
    if columns > XLS_COLUMNS:
        raise ReadError(f"有单元格位于第{columns:,}列，超出 .xls 格式的 {XLS_COLUMNS} 列：文件已损坏；"
                        "请用 Excel 打开另存为 .xlsx 后重新提交", file=display, sheet=sheet)
