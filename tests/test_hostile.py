"""Hostile inputs: bounded before anything is spent, linear whatever the repetition, only regular files.

The corpus is generated here, small: files that declare or inflate to huge sizes, never a huge file in
the repository. Each command runs as the installed `aidctl` in a subprocess under a 2 GiB address-space
limit and a time limit, with HOME and TMPDIR inside the test's folder: an exit 2 with one line naming the
file and the limit, no native crash, no hang, and nothing outside the workspace (nor in it) changed.
"""

from __future__ import annotations

import json
import os
import re
import resource
import signal
import socket
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import SAMPLES, VOC_HEADERS, make_card, make_id, voc_row, write_roster
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter

from aidctl.core.errors import ReadError
from aidctl.read import check_input
from aidctl.read import limits as L

MEMORY = 2 << 30      # address space of each command: a 512 GiB grid, or any real bomb, cannot fit
SECONDS = 120         # a hang fails the test instead of the suite
TERM = "2011-autumn"
FAR_ROW = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'


# --- running a command, bounded ----------------------------------------------------------------------

def _bounded():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def aidctl(tmp_path: Path, *args, cwd: Path | None = None, timeout: float = SECONDS):
    """Run the installed command in a subprocess under the memory limit; (exit code, stdout, stderr).
    HOME and TMPDIR point inside tmp_path, so that anything written there is seen."""
    env = {k: v for k, v in os.environ.items() if k not in ("AIDCTL_WORKSPACE", "COLUMNS")}
    env |= {"HOME": str(tmp_path / "home"), "TMPDIR": str(tmp_path / "tmp"), "COLUMNS": "200"}
    for d in ("home", "tmp"):
        (tmp_path / d).mkdir(exist_ok=True)
    argv = [os.fsencode(a) if isinstance(a, (str, Path)) else a for a in args]
    done = subprocess.run([sys.executable, "-m", "aidctl", *argv], cwd=cwd or tmp_path, env=env,
                          preexec_fn=_bounded, capture_output=True, timeout=timeout)
    return done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8", "backslashreplace")


def tree(root: Path) -> dict[str, tuple]:
    """Every entry under root (FIFOs and sockets too, never opened): size and modification time."""
    out = {}
    for p in root.rglob("*"):
        st_ = p.lstat()
        out[str(p.relative_to(root))] = (st_.st_mode, st_.st_size, st_.st_mtime_ns)
    return out


def one_line(stderr: str, *words: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr and "内部错误" not in stderr, stderr
    assert lines[0].startswith("aidctl: 错误："), lines[0]
    for w in words:
        assert w in lines[0], (w, lines[0])
    return lines[0]


def refused(tmp_path: Path, *args, words: tuple[str, ...], cwd: Path | None = None) -> str:
    """The command exits 2 with one line naming `words`, bounded, and changes nothing anywhere."""
    for d in ("home", "tmp"):
        (tmp_path / d).mkdir(exist_ok=True)
    before = tree(tmp_path)
    code, out, err = aidctl(tmp_path, *args, cwd=cwd)
    assert code == 2, (code, out[:500], err[:2000])
    line = one_line(err, *words)
    assert tree(tmp_path) == before
    return line


def raw_reader_dies(path: Path) -> int:
    """What fastexcel alone does with the file under the same memory limit (the exit signal)."""
    code = ("import sys, fastexcel\n"
            "r = fastexcel.read_excel(sys.argv[1])\n"
            "[r.load_sheet(i, header_row=None, dtypes='string') for i in range(len(r.sheet_names))]")
    done = subprocess.run([sys.executable, "-c", code, str(path)], preexec_fn=_bounded, capture_output=True,
                          timeout=SECONDS)
    return done.returncode


# --- crafting workbooks ------------------------------------------------------------------------------

def roster(path: Path, n: int = 3) -> Path:
    return write_roster(path, [voc_row(i) for i in range(1, n + 1)], VOC_HEADERS)


def rezip(src: Path, dst: Path, parts: dict) -> Path:
    """Copy a workbook part by part; `parts` maps a part name to new bytes or a function of the old
    bytes. A part not in the source is added."""
    edits = dict(parts)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            edit = edits.pop(info.filename, None)
            if edit is not None:
                data = edit(data) if callable(edit) else edit
            zout.writestr(info.filename, data)
        for name, data in edits.items():
            zout.writestr(name, data)
    return dst


def with_far_cell(data: bytes, dimension: str | None = "keep") -> bytes:
    """A sheet's XML with a value at XFD1048576; its <dimension> kept, set, or removed (None)."""
    data = data.replace(b"</sheetData>", FAR_ROW.encode() + b"</sheetData>")
    if dimension is None:
        return re.sub(rb"<dimension [^>]*/>", b"", data)
    if dimension != "keep":
        return re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{dimension}"'.encode(), data)
    return re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', data)


def first_sheet(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return sorted(n for n in zf.namelist() if re.search(r"worksheets/sheet\d+\.xml$", n))[0]


def far_cell_copy(src: Path, dst: Path, dimension: str | None = "keep") -> Path:
    return rezip(src, dst, {first_sheet(src): lambda d: with_far_cell(d, dimension)})


def streamed_part(zout: zipfile.ZipFile, name: str, piece: bytes, times: int) -> None:
    with zout.open(name, "w", force_zip64=True) as fh:
        block = piece * 10_000
        for _ in range(times // 10_000):
            fh.write(block)


# --- 1. resources are bounded before they are spent ---------------------------------------------------

def test_a_stray_cell_at_xfd1048576_is_refused_naming_the_cell_and_the_limit(tmp_path):
    """openpyxl writes the stray cell and its honest dimension: fastexcel alone asks for 512 GiB and
    dies; aidctl says where the sheet ends and what the limit is."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(VOC_HEADERS)
    ws.append([voc_row(1)[h] for h in VOC_HEADERS])
    ws["XFD1048576"] = "x"
    wb.save(tmp_path / "花名册.xlsx")
    assert (tmp_path / "花名册.xlsx").stat().st_size < 10_000
    assert raw_reader_dies(tmp_path / "花名册.xlsx") == -signal.SIGABRT
    refused(tmp_path, "validate", "花名册.xlsx", "--term", TERM,
            words=("花名册.xlsx", "XFD1048576", "1,048,576 行 × 16,384 列", f"{L.MAX_CELLS:,} 个单元格"))


@pytest.mark.parametrize("dimension", [None, "A1", "A1:J5"], ids=["no-dimension", "one-cell", "lying"])
def test_a_small_sheet_cannot_hide_a_far_cell_behind_its_dimension(tmp_path, dimension):
    far = far_cell_copy(roster(tmp_path / "good.xlsx"), tmp_path / "远.xlsx", dimension)
    refused(tmp_path, "validate", far.name, "--term", TERM, words=("远.xlsx", "XFD1048576"))


def test_a_far_cell_holding_no_value_is_trimmed_and_the_roster_read(tmp_path):
    """A format far away (a styled empty cell, a dimension to XFD1048576) is no data: the sheet is read
    as far as its values go and the students are checked; nothing is refused for it."""
    styled = '<row r="1048576"><c r="XFD1048576" s="0"/></row>'
    src = roster(tmp_path / "good.xlsx", n=4)
    rezip(src, tmp_path / "格式.xlsx", {first_sheet(src): lambda d: re.sub(
        rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', d.replace(
            b"</sheetData>", styled.encode() + b"</sheetData>"))})
    code, out, err = aidctl(tmp_path, "validate", "格式.xlsx", "--term", TERM, "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["summary"] == {"records": 4, "errors": 0, "warnings": 0}


def test_a_sheet_that_inflates_to_millions_of_rows_is_refused_before_it_is_inflated(tmp_path):
    """A sheet of three million rows in a file of a few hundred KB: refused for its inflation ratio
    from the zip's directory, before a byte of it is inflated."""
    src = roster(tmp_path / "good.xlsx")
    bomb = tmp_path / "炸弹.xlsx"
    part = first_sheet(src)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename != part:
                zout.writestr(info.filename, zin.read(info))
        with zout.open(part, "w", force_zip64=True) as fh:
            fh.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            block = b"<row><c><v>1</v></c></row>" * 100_000
            for _ in range(30):
                fh.write(block)
            fh.write(b"</sheetData></worksheet>")
    assert bomb.stat().st_size < 1_000_000
    refused(tmp_path, "validate", bomb.name, "--term", TERM, words=("炸弹.xlsx", "压缩炸弹", f"{L.MAX_INFLATE_RATIO} 倍"))


def test_parts_no_reader_inflates_are_not_held_against_the_roster(tmp_path):
    """A pivot cache of 80 MB, inflating 1,000-fold, beside a good roster: the readers never inflate
    it, so it is no reason to refuse the file (a clerk's pivot table over the roster is ordinary)."""
    src = roster(tmp_path / "good.xlsx", n=4)
    with_pivot = tmp_path / "透视.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(with_pivot, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info))
        streamed_part(zout, "xl/pivotCache/pivotCacheRecords1.xml", b'<r><x v="0"/><n v="750"/></r>', 3_000_000)
    with zipfile.ZipFile(with_pivot) as zf:
        info = zf.getinfo("xl/pivotCache/pivotCacheRecords1.xml")
        assert info.file_size > L.MAX_PART_BYTES and info.file_size > L.MAX_INFLATE_RATIO * info.compress_size
    code, out, err = aidctl(tmp_path, "validate", with_pivot.name, "--term", TERM, "--format", "json")
    assert code == 0, err
    assert json.loads(out)["summary"] == {"records": 4, "errors": 0, "warnings": 0}


def test_a_zip_directory_that_declares_a_huge_part_is_refused(tmp_path):
    """The directory says the sheet inflates to 3 GB: refused on its word (the Rust zip reader would
    inflate as far as the data goes)."""
    src = roster(tmp_path / "good.xlsx")
    data = bytearray(src.read_bytes())
    name = first_sheet(src).encode()
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        (length,) = struct.unpack_from("<H", data, at + 28)
        if data[at + 46:at + 46 + length] == name:
            struct.pack_into("<L", data, at + 24, 3 << 30)
        at = data.find(b"PK\x01\x02", at + 4)
    (tmp_path / "大.xlsx").write_bytes(bytes(data))
    refused(tmp_path, "validate", "大.xlsx", "--term", TERM, words=("大.xlsx", "3.0 GB", "1.0 GB"))


def test_a_sheet_declaring_thirty_million_rows_with_a_cell_there_is_refused(tmp_path):
    src = roster(tmp_path / "good.xlsx")
    far = '<row r="30000000"><c r="A30000000"><v>1</v></c></row>'
    rezip(src, tmp_path / "三千万行.xlsx", {first_sheet(src): lambda d: re.sub(
        rb'<dimension ref="[^"]*"', b'<dimension ref="A1:J30000000"', d).replace(
            b"</sheetData>", far.encode() + b"</sheetData>")})
    refused(tmp_path, "validate", "三千万行.xlsx", "--term", TERM, words=("三千万行.xlsx", "A30000000", "1,048,576 行"))


def test_a_shared_strings_table_that_declares_four_billion_strings_is_refused(tmp_path):
    """A 5 KB workbook whose shared-strings table declares 4,000,000,000 strings: fastexcel reserves
    room for them first, and dies."""
    src = roster(tmp_path / "good.xlsx")
    sst = (b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
           b'count="4000000000" uniqueCount="4000000000"><si><t>x</t></si></sst>')
    bomb = rezip(src, tmp_path / "字符串.xlsx", {"xl/sharedStrings.xml": sst})
    assert raw_reader_dies(bomb) == -signal.SIGABRT
    refused(tmp_path, "validate", bomb.name, "--term", TERM,
            words=("字符串.xlsx", "共享字符串表", "4,000,000,000", f"{L.MAX_SHARED_STRINGS:,}"))


def test_a_shared_strings_bomb_is_refused_for_its_ratio(tmp_path):
    src = roster(tmp_path / "good.xlsx")
    bomb = tmp_path / "串炸弹.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info))
        with zout.open("xl/sharedStrings.xml", "w", force_zip64=True) as fh:
            fh.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            for _ in range(40):
                fh.write(b"<si><t>a</t></si>" * 100_000)
            fh.write(b"</sst>")
    assert bomb.stat().st_size < 500_000
    refused(tmp_path, "validate", bomb.name, "--term", TERM, words=("串炸弹.xlsx", "共享字符串表", "压缩炸弹"))


def test_a_zip_of_too_many_parts_is_refused_from_its_end_record(tmp_path):
    src = roster(tmp_path / "good.xlsx")
    many = tmp_path / "万件.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(many, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info))
        for i in range(L.MAX_ZIP_ENTRIES + 1):
            zout.writestr(f"xl/media/{i}.bin", b"")
    refused(tmp_path, "validate", many.name, "--term", TERM, words=("万件.xlsx", f"{L.MAX_ZIP_ENTRIES:,}"))


def _bombed(kind: str, tmp_path: Path) -> tuple[list, str]:
    """The same far cell in each kind of file that goes through the reader: (command, file named)."""
    ws = tmp_path / "ws"
    (ws / "intake" / TERM).mkdir(parents=True)
    good = roster(ws / "intake" / TERM / "a.xlsx")
    if kind == "schools":
        far_cell_copy(SAMPLES / "schools.xlsx", ws / "schools.xlsx")
        return ["validate", "--term", TERM, "--workspace", ws], "schools.xlsx"
    if kind == "registry":
        far_cell_copy(SAMPLES / "registry" / "学籍2011秋.xlsx", tmp_path / "学籍.xlsx")
        return ["validate", good, "--term", TERM, "--registry", tmp_path / "学籍.xlsx"], "学籍.xlsx"
    if kind == "finance":
        far_cell_copy(SAMPLES / "finance" / "2011年度校内资助资金提取情况.xlsx", tmp_path / "财务.xlsx")
        return ["audit-extraction", tmp_path / "财务.xlsx", "--year", "2011", "--workspace", ws], "财务.xlsx"
    far_cell_copy(good, ws / "intake" / TERM / "b.xlsx")
    return ["disburse", "--term", TERM, "--workspace", ws, "--dry-run"], "b.xlsx"


@pytest.mark.parametrize("kind", ["intake", "schools", "registry", "finance"])
def test_every_file_through_the_reader_is_bounded(tmp_path, kind):
    args, named = _bombed(kind, tmp_path)
    refused(tmp_path, *args, words=(named, "XFD1048576"))


def test_a_paying_run_refuses_a_bomb_in_intake_and_pays_nobody(tmp_path):
    """Not a dry run: the bomb stops the run with exit 2 before anything is paid; the ledger, if made,
    holds no payment, and no bank file is written."""
    args, _ = _bombed("intake", tmp_path)
    ws = tmp_path / "ws"
    code, out, err = aidctl(tmp_path, *[a for a in args if a != "--dry-run"])
    assert code == 2, err
    one_line(err, "b.xlsx", "XFD1048576")
    assert not (ws / "out").exists()
    if (ws / "aidctl.db").exists():
        import sqlite3

        with sqlite3.connect(ws / "aidctl.db") as con:
            assert con.execute("select count(*) from payments").fetchone() == (0,)


def test_a_csv_line_of_two_million_commas_is_one_blank_line(tmp_path):
    """Trailing empty fields are no columns: the roster above it is read at once."""
    lines = [",".join(VOC_HEADERS)] + [",".join(str(voc_row(i)[h]) for h in VOC_HEADERS) for i in (1, 2)]
    (tmp_path / "逗号.csv").write_text("\n".join(lines) + "\n" + "," * 2_000_000 + "\n", encoding="utf-8")
    started = time.monotonic()
    code, out, err = aidctl(tmp_path, "validate", "逗号.csv", "--term", TERM, "--format", "json")
    assert code == 0, err
    assert json.loads(out)["summary"] == {"records": 2, "errors": 0, "warnings": 0}
    assert time.monotonic() - started < 30


def test_a_csv_with_old_mac_line_ends_is_read_line_by_line(run, tmp_path):
    """Lines end where pandas ends them (\\r, \\n, \\r\\n): a CR-only CSV of 2,000 rows is not one line
    of 22,000 fields, beyond the column limit."""
    line = ",".join(str(voc_row(1)[h]) for h in VOC_HEADERS) + ",,"
    (tmp_path / "mac.csv").write_bytes(("\r".join([",".join(VOC_HEADERS)] + [line] * 2_000) + "\r").encode("utf-8"))
    code, doc, err = run("validate", "mac.csv", "--term", TERM, "--format", "json", as_json=True)
    assert code == 1, err
    assert doc["summary"]["records"] == 2_000


@pytest.mark.parametrize("name", ["大.csv", "大.xls"])
def test_a_file_read_whole_beyond_the_size_limit_is_refused_before_it_is_read(tmp_path, name):
    """A CSV or an .xls is read whole into memory: one beyond MAX_FILE_BYTES is refused from its size
    (a sparse file here: it takes no disk)."""
    big = tmp_path / name
    with big.open("wb") as fh:
        if name.endswith(".xls"):
            fh.write(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
        fh.truncate(L.MAX_FILE_BYTES + 1)
    refused(tmp_path, "validate", name, "--term", TERM, words=(name, "超过 aidctl 读取的上限", "256.0 MB"))


def test_a_csv_wider_than_the_limit_is_refused(tmp_path):
    (tmp_path / "宽.csv").write_text(",".join(VOC_HEADERS) + "\n" + ",".join(["x"] * 1_000_000) + "\n",
                                    encoding="utf-8")
    refused(tmp_path, "validate", "宽.csv", "--term", TERM, words=("宽.csv", f"{L.MAX_COLUMNS:,} 列"))


def _patched_xls(dst: Path, edit) -> Path:
    """The committed .xls fixture with its Workbook stream edited in place (same length)."""
    import olefile

    dst.write_bytes((Path(__file__).parent / "fixtures" / "roster.xls").read_bytes())
    with olefile.OleFileIO(str(dst), write_mode=True) as ole:
        data = bytearray(ole.openstream("Workbook").read())
        pos = 0
        while pos + 4 <= len(data):
            typ, length = struct.unpack_from("<HH", data, pos)
            if edit(typ, data, pos + 4):
                break
            pos += 4 + length
        ole.write_stream("Workbook", bytes(data))
    return dst


def test_an_xls_whose_dimensions_or_cells_leave_the_xls_grid_is_refused(tmp_path):
    def declare_four_billion_rows(typ, data, at):
        if typ == 0x0200:
            struct.pack_into("<L", data, at + 4, 0xFFFFFFF0)
            return True
        return False

    def cell_at_column_32768(typ, data, at):
        if typ == 0x00FD:
            struct.pack_into("<HH", data, at, 0xFFFF, 0x7FFF)
            return True
        return False

    for name, edit in (("声明.xls", declare_four_billion_rows), ("远列.xls", cell_at_column_32768)):
        bad = _patched_xls(tmp_path / name, edit)
        done = subprocess.run([sys.executable, "-c", "import sys; from python_calamine import CalamineWorkbook as W; "
                               "W.from_path(sys.argv[1])", str(bad)], preexec_fn=_bounded, capture_output=True,
                              timeout=SECONDS)
        assert done.returncode == -signal.SIGABRT, done.stderr[-300:]
        refused(tmp_path, "validate", name, "--term", TERM, words=(name, ".xls 格式"))


ROWS = st.one_of(st.integers(1, 3_000), st.integers(1, 40_000_000))
COLUMNS = st.one_of(st.integers(1, 60), st.integers(1, 16_384))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.tuples(ROWS, COLUMNS), min_size=1, max_size=6), declared=st.booleans())
def test_the_measure_finds_the_farthest_values_in_any_order_whatever_the_dimension_says(tmp_path, cells, declared):
    """A small sheet with values here and there, in any order: refused exactly when its grid, from A1
    to its lowest and rightmost values, is beyond the limits, whatever its dimension declares; the
    refusal names the cells that take it there."""
    rows, columns = max(r for r, _ in cells), max(c for _, c in cells)
    dimension = f"A1:{get_column_letter(columns)}{rows}" if declared else "A1:B2"
    body = "".join(f'<row r="{r}"><c r="{get_column_letter(c)}{r}"><v>1</v></c></row>' for r, c in cells)
    sheet = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f'<dimension ref="{dimension}"/><sheetData>{body}</sheetData></worksheet>')
    path = tmp_path / "h.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("xl/worksheets/sheet1.xml", sheet)
    beyond = rows > L.MAX_ROWS or columns > L.MAX_COLUMNS or rows * columns > L.MAX_CELLS
    try:
        check_input(path, "h.xlsx")
    except ReadError as exc:
        assert beyond, str(exc)
        # the measure stops once the grid is beyond the limits: what it names is a true lower bound
        seen_rows, seen_columns = (int(n.replace(",", "")) for n in re.search(r"（([\d,]+) 行 × ([\d,]+) 列）",
                                                                              str(exc)).groups())
        assert seen_rows <= rows and seen_columns <= columns
        assert seen_rows > L.MAX_ROWS or seen_columns > L.MAX_COLUMNS or seen_rows * seen_columns > L.MAX_CELLS
        named = re.findall(r"单元格 ([A-Z]+\d+)", str(exc))
        assert named and all(ref in {f"{get_column_letter(c)}{r}" for r, c in cells} for ref in named), str(exc)
    else:
        assert not beyond


# --- 2. linear in the worst case ---------------------------------------------------------------------

def _csv(path: Path, rows: list[dict]) -> Path:
    path.write_text("\n".join([",".join(VOC_HEADERS)] + [",".join(str(r[h]) for h in VOC_HEADERS) for r in rows])
                    + "\n", encoding="utf-8")
    return path


def test_one_student_on_five_thousand_rows_costs_what_five_thousand_students_cost(tmp_path):
    """Every record of the group is refused (one finding each), and each message names the group once:
    the count, its first places, the rest counted. Before, every message listed every place: the run
    died in 3.4 GB."""
    n = 5_000
    same = [voc_row(1, 序号=i) for i in range(1, n + 1)]
    distinct = [voc_row(i, 身份证号码=make_id(birth=f"1995{(i % 12) + 1:02d}{(i % 28) + 1:02d}", seq=i % 999),
                        银行卡号=make_card(seed=i)) for i in range(1, n + 1)]
    _csv(tmp_path / "同一人.csv", same)
    _csv(tmp_path / "各不同.csv", distinct)
    timings = {}
    docs = {}
    for name in ("各不同.csv", "同一人.csv"):
        started = time.monotonic()
        code, out, err = aidctl(tmp_path, "validate", name, "--term", TERM, "--format", "json")
        timings[name] = time.monotonic() - started
        assert code in (0, 1), err
        docs[name] = out
    assert timings["同一人.csv"] < 3 * timings["各不同.csv"] + 5, timings
    assert len(docs["同一人.csv"]) < 3 * len(docs["各不同.csv"]) + 2_000_000
    doc = json.loads(docs["同一人.csv"])
    dups = [f for f in doc["findings"] if f["code"] == "id.duplicate"]
    assert len(dups) == n and {f["row"] for f in dups} == set(range(2, n + 2))
    for f in dups:
        assert len(f["message"]) < 400
        assert f"出现{n}次" in f["message"] and f"另有{n - 3}处" in f["message"]
        assert "同一人.csv 第2行" in f["message"] and "同一人.csv 第4行" in f["message"]
    # disburse refuses by record: all five thousand, none paid
    ws = tmp_path / "ws"
    (ws / "intake" / TERM).mkdir(parents=True)
    (ws / "intake" / TERM / "同一人.csv").write_bytes((tmp_path / "同一人.csv").read_bytes())
    code, out, err = aidctl(tmp_path, "disburse", "--term", TERM, "--workspace", ws, "--dry-run", "--format", "json")
    assert code == 1, err
    plan = json.loads(out)
    assert len(plan["refused"]) == n and plan["payments"] == []
    assert all("id.duplicate" in r["codes"] for r in plan["refused"])


def test_a_sheet_four_times_as_wide_costs_about_four_times_as_much(tmp_path):
    """Columns are found by their place through a table made once, never by searching the list of
    places: a roster beside 16,000 columns of remarks is read in about four times what 4,000 cost
    (searched, it took sixteen times as much: 2.7 s against 0.6 s)."""
    from aidctl.read import Workspace, read_tables

    def sheet(width: int) -> Path:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(VOC_HEADERS + [f"备注{i}" for i in range(width)])
        for i in range(1, 4):
            ws.append([voc_row(i)[h] for h in VOC_HEADERS])
        path = tmp_path / f"wide{width}.xlsx"
        wb.save(path)
        return path

    rules = Workspace(tmp_path).rules
    cost = {}
    for width in (4_000, 16_000):
        path = sheet(width)
        runs = []
        for _ in range(2):
            started = time.perf_counter()
            [table] = read_tables(path, path.name, "roster", rules)
            runs.append(time.perf_counter() - started)
        assert table.records == 3
        cost[width] = min(runs)
    assert cost[16_000] < 8 * cost[4_000], cost


def test_one_card_given_for_three_thousand_students_is_one_short_warning_each(tmp_path):
    n = 3_000
    card = make_card(seed=4242)
    rows = [voc_row(i, 身份证号码=make_id(birth=f"1995{(i % 12) + 1:02d}{(i % 28) + 1:02d}", seq=i % 999),
                    银行卡号=card) for i in range(1, n + 1)]
    _csv(tmp_path / "一卡.csv", rows)
    code, out, err = aidctl(tmp_path, "validate", "一卡.csv", "--term", TERM, "--format", "json")
    assert code in (0, 1), err
    shared = [f for f in json.loads(out)["findings"] if f["code"] == "card.shared"]
    people = len({r["身份证号码"] for r in rows})
    assert len(shared) == n
    for f in shared:
        assert len(f["message"]) < 300 and f"{people}名" in f["message"] and "一卡.csv 第2行（学生一）" in f["message"]


def test_enlistment_and_loan_duplicates_are_described_once_too(run, tmp_path):
    """The same grouping serves enlist.duplicate and loan.duplicate_contract: 400 copies, short
    messages, every copy flagged."""
    from test_enlist import enlist, student
    from test_loans import check, contract, register

    n = 400
    twin = student(1)
    doc = enlist(run, tmp_path, *[dict(twin, 序号=i) for i in range(1, n + 1)], expect_exit=1)
    messages = [f["message"] for s in doc["students"] for f in s["findings"] if f["code"] == "enlist.duplicate"]
    assert len(messages) == n and all(len(m) < 300 and f"出现{n}次" in m and f"另有{n - 3}处" in m for m in messages)
    one = contract(1)
    doc = check(run, register(tmp_path, [dict(one, 序号=i, 合同编号=f"HT{i:04d}") for i in range(1, n + 1)]))
    messages = [f["message"] for f in doc["findings"] if f["code"] == "loan.duplicate_contract"]
    assert len(messages) == n and all(len(m) < 300 and f"{n}份合同" in m and f"另有{n - 3}处" in m for m in messages)


def test_a_group_is_described_once_in_the_order_given():
    import pandas as pd

    from aidctl.core.findings import group_places

    group = pd.Series(["a", "b", "a", "c", "a", "a", "a", "b"])
    place = pd.Series([f"第{i}行" for i in range(8)])
    got = group_places(group, place)
    assert got.loc["a", "places"] == "第0行；第2行；第4行；……另有2处"
    assert got.loc["b", "places"] == "第1行；第7行"
    assert got.loc["c", "places"] == "第3行"
    assert got["count"].to_dict() == {"a": 5, "b": 2, "c": 1}
    assert group_places(group.head(1), place.head(1), shown=0).loc["a", "places"] == "……另有1处"


# --- 3. only regular files; names that are not UTF-8 ---------------------------------------------------

def _fifo_workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    (ws / "intake" / TERM).mkdir(parents=True)
    roster(ws / "intake" / TERM / "a.xlsx")
    os.mkfifo(ws / "intake" / TERM / "管道.xlsx")
    return ws


@pytest.mark.parametrize("command", [
    ["validate", "--term", TERM], ["disburse", "--term", TERM], ["disburse", "--term", TERM, "--dry-run"],
    ["publish", "--term", TERM, "--from", "2011-09-29"], ["report", "--term", TERM]])
def test_a_fifo_in_intake_is_refused_at_once(tmp_path, command):
    ws = _fifo_workspace(tmp_path)
    refused(tmp_path, *command, "--workspace", ws, words=("管道.xlsx", "命名管道"))


def test_a_fifo_device_or_socket_given_as_an_input_is_refused_at_once(tmp_path):
    ws = _fifo_workspace(tmp_path)
    fifo = ws / "intake" / TERM / "管道.xlsx"
    good = ws / "intake" / TERM / "a.xlsx"
    sock_path = tmp_path / "套接字.csv"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(sock_path))
        cases = [
            (["validate", fifo, "--term", TERM], "管道.xlsx", "命名管道"),
            (["validate", "/dev/zero", "--term", TERM], "/dev/zero", "字符设备"),
            (["validate", sock_path, "--term", TERM], "套接字.csv", "套接字"),
            (["validate", good, "--term", TERM, "--registry", fifo], "管道.xlsx", "命名管道"),
            (["disburse", fifo, "--term", TERM, "--workspace", ws], "管道.xlsx", "命名管道"),
            (["audit-extraction", fifo, "--year", "2011", "--workspace", ws], "管道.xlsx", "命名管道"),
            (["reconcile", fifo, "--term", TERM, "--workspace", ws], "管道.xlsx", "命名管道"),
            (["inspect", "record", fifo, "--workspace", ws], "管道.xlsx", "命名管道"),
        ]
        for args, name, kind in cases:
            refused(tmp_path, *args, words=(name, kind))
    assert not (ws / ".aidctl.lock").exists()  # refused before disburse takes the workspace lock


def test_a_schools_xlsx_that_is_a_fifo_is_refused_not_ignored(tmp_path):
    ws = tmp_path / "ws"
    (ws / "intake" / TERM).mkdir(parents=True)
    roster(ws / "intake" / TERM / "a.xlsx")
    os.mkfifo(ws / "schools.xlsx")
    refused(tmp_path, "validate", "--term", TERM, "--workspace", ws, words=("schools.xlsx", "命名管道"))


def test_a_gbk_file_name_is_read_and_named_with_its_bytes_escaped(tmp_path):
    """A roster unzipped from a Windows zip keeps its GBK name, which is not UTF-8: it is read (the Rust
    readers cannot open such a name: they get the bytes), and named with the bytes that are not UTF-8
    escaped, in the table, the JSON, the report, the ledger and the bank run."""
    ws = tmp_path / "ws"
    intake = ws / "intake" / TERM
    intake.mkdir(parents=True)
    raw = "第一职业中学花名册".encode("gbk") + b".xlsx"
    name = os.fsdecode(raw)
    try:
        write_roster(intake / name, [voc_row(1), voc_row(2), voc_row(3, 身份证号码="123")], VOC_HEADERS)
    except (OSError, UnicodeEncodeError):
        pytest.skip("this file system does not take names that are not UTF-8")
    shown = raw.decode("utf-8", "backslashreplace")
    assert "\\x" in shown

    code, out, err = aidctl(tmp_path, "validate", "--term", TERM, "--workspace", ws, "--format", "json")
    assert code == 1, err
    doc = json.loads(out)
    assert doc["files"][0]["file"] == f"intake/{TERM}/{shown}" and doc["summary"]["records"] == 3
    assert [f["file"] for f in doc["findings"]] == [f"intake/{TERM}/{shown}"]
    code, out, err = aidctl(tmp_path, "validate", name, "--term", TERM, "--report", tmp_path / "审核.xlsx", cwd=intake)
    assert code == 1, err
    assert f"  {shown}  " in out
    cells = [c for row in openpyxl.load_workbook(tmp_path / "审核.xlsx").worksheets[1].iter_rows(values_only=True)
             for c in row]
    assert any(isinstance(c, str) and shown in c for c in cells)

    code, out, err = aidctl(tmp_path, "disburse", "--term", TERM, "--workspace", ws, "--format", "json")
    assert code == 1, err
    doc = json.loads(out)
    assert len(doc["payments"]) == 2 and doc["refused"][0]["file"] == f"intake/{TERM}/{shown}"
    import sqlite3

    with sqlite3.connect(ws / "aidctl.db") as con:
        (stored,) = con.execute("select file from batch_inputs").fetchone()
    assert stored.endswith(shown)
