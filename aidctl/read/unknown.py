"""Cells a reader gives as empty though they are not: formulas without a value and error values.

A file written by a program and never opened in Excel keeps its formulas without their results; a
cell holding an error value (#N/A, #DIV/0! …) has no value a reader gives. Both are read as empty by
fastexcel and python-calamine. A formula of plain arithmetic (=750, =1500/2) is computed here;
every other such cell is listed with its sheet (RawSheet.formulas, RawSheet.errors) for the checks
to report (check.cells) or the reader of a whole file to refuse (refuse_uncalculated, and refuse_struck for struck-out text;
refuse_formatted for an amount whose number format shows another number).

A text cell that reads as an error value ("#N/A" typed, or pasted as values from a program that
wrote its errors as text) is no more a value than the error itself: in a CSV, where every cell is
text, and in a workbook's text cells alike, it is listed as an error value and blank (text_errors).
"""

from __future__ import annotations

import ast
import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from aidctl.core.errors import ReadError
from aidctl.read.sheetxml import ERROR_TEXT

if TYPE_CHECKING:
    from aidctl.read.tables import Table
    from aidctl.read.workbook import RawSheet

# a cell's whole text an error value, with the spaces str.strip() would take around it
_SPACE = r"[\s\pZ\x0b\x1c-\x1f\x{85}]*"
_ERROR_CELL = f"^{_SPACE}(?:{ERROR_TEXT}){_SPACE}$"
_ARITHMETIC = re.compile(r"^[\d.\s+\-*/()]+$")


def arithmetic_value(formula: str) -> str | None:
    """The value of a formula of plain arithmetic on numbers (750, 1500/2, (600+900)*0.5) as exact
    decimal text; None for anything else (a cell reference, a function, text)."""
    text = formula.strip().lstrip("=")
    if not text or not _ARITHMETIC.match(text):
        return None
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        return None

    def value(node) -> Decimal:
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return Decimal(ast.get_source_segment(text, node))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
            v = value(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](value(node.left), value(node.right))
        raise ValueError(ast.dump(node))

    try:
        result = value(tree.body)
    except (ValueError, ArithmeticError, InvalidOperation):
        return None
    if not result.is_finite():
        return None
    return format(result.normalize(), "f") if result != result.to_integral_value() else str(int(result))


_OPS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
        ast.Div: lambda a, b: a / b}


def settle_formulas(sheet: RawSheet, formulas: list[tuple[int, int, str]]) -> None:
    """Write the value of each plain-arithmetic formula without a value into the grid; keep the
    others in `sheet.formulas` (never read as empty). A formula cell at the edge of the sheet, which
    the reader left out for want of a value, widens the grid to hold it."""
    if not formulas:
        return
    computed = []
    for row, col, text in formulas:
        value = arithmetic_value(text)
        if value is None:
            sheet.formulas.append((row, col, text))
        else:
            computed.append((row, col, value))
    grid = _widened(sheet.grid, formulas)
    for row, col, value in computed:
        grid.at[row, col] = value
    sheet.grid = grid


def _widened(grid: pd.DataFrame, cells: list[tuple[int, int, str]]) -> pd.DataFrame:
    """The grid, grown to hold each of `cells` (row, column, …): a cell at the edge of the sheet that
    the reader left out for want of a value (a formula without one, an error value)."""
    rows = max(r for r, _, _ in cells)
    cols = sorted(set(grid.columns) | {c for _, c, _ in cells})
    if rows > len(grid) or len(cols) != grid.shape[1]:
        added = [c for c in cols if c not in grid.columns]
        grid = grid.reindex(index=pd.RangeIndex(1, max(rows, len(grid)) + 1), columns=cols)
        grid = grid.astype(dict.fromkeys(added, "string"))
    return grid


def set_errors(sheet: RawSheet, errors: list[tuple[int, int, str]], unplaced: int = 0) -> None:
    """List the sheet's error values (#N/A …), never read as empty: each cell of a merged range whose
    first cell holds one is listed too, as the range shows it; the grid is grown to hold them all."""
    sheet.unplaced_errors = unplaced
    if not errors:
        return
    at = {(r, c): v for r, c, v in errors}
    for r1, c1, r2, c2 in sheet.merges:
        if (r1, c1) in at:
            at.update({(r, c): at[r1, c1] for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)})
    sheet.errors = sorted((r, c, v) for (r, c), v in at.items())
    sheet.grid = _widened(sheet.grid, sheet.errors)


def text_errors(sheet: RawSheet) -> None:
    """List the sheet's text cells whose whole text is an error value (#N/A, #REF! …, ERROR_TEXT) with its
    error values, and blank them, as a CSV's are. Vectorised, and gated so that the regex runs only on
    a column that may hold one: a small sheet's text is searched once for "#" and "Err:" (every error's
    text holds one), then each column's cells are looked at by their first byte (_may_hold_error).
    Nothing else is touched in a sheet without such a cell (nearly every sheet)."""
    columns = [(col, sheet.column(col)) for col in sheet.columns]
    if not _sheet_may_hold_error([c for _, c in columns]):
        return
    hits = {}
    for col, column in columns:
        if column.null_count == len(column) or not _may_hold_error(column):
            continue
        found = pc.match_substring_regex(column, _ERROR_CELL)
        if pc.any(found).as_py():
            hits[col] = pc.fill_null(found, False).to_numpy(zero_copy_only=False).astype(bool)
    if not hits:
        return
    grid = sheet.grid.copy(deep=False)
    listed = []
    for col, mask in hits.items():
        listed += [(int(r), int(col), str(v).strip()) for r, v in grid[col][mask].items()]  # a few cells
        grid[col] = grid[col].mask(mask)
    sheet.grid = grid
    sheet.errors = sorted({*sheet.errors, *listed})


# the first byte of a cell whose text may be an error's: "#" (#N/A …), "E" (Err:502, LibreOffice's), or a
# space before it (the first byte in UTF-8 of each character str.isspace() takes: U+0085 and U+00A0
# begin with 0xC2, U+1680 with 0xE1, U+2000–U+205F with 0xE2, U+3000 with 0xE3)
_LEADS = np.zeros(256, dtype=bool)
_LEADS[np.frombuffer(b"#E \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\xc2\xe1\xe2\xe3", dtype=np.uint8)] = True
SMALL_SHEET = 100_000   # cells: a school's file of a few thousand rows, searched whole at once


def _sheet_may_hold_error(columns: list[pa.ChunkedArray]) -> bool:
    """Whether a small sheet's text holds "#" or "Err:" anywhere (every error's text holds one, spaces
    around it or not): one search of all its columns' bytes, where looking at each column in turn costs
    more than the search for a sheet of a few hundred rows. A bigger sheet, or a column of another
    layout, may hold one (each column is then looked at by _may_hold_error)."""
    if sum(len(c) for c in columns) > SMALL_SHEET:   # (ChunkedArray.nbytes costs more than the search)
        return True
    parts = []
    for column in columns:
        if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
            return True
        parts += [chunk.buffers()[2] for chunk in column.chunks]
    text = b"".join(p.to_pybytes() for p in parts if p is not None)
    return b"#" in text or b"Err:" in text


def _may_hold_error(column: pa.ChunkedArray) -> bool:
    """Whether a text column may hold a cell whose text is an error's: one of its cells begins with a
    byte of _LEADS. Each cell's first byte is taken from the Arrow buffers by its offset (about 4 ms
    for 500,000 IDs, where reading every byte of the column cost 14 ms and a regex over every cell
    far more). A column of another layout (a string view keeps short texts such as "#N/A" outside its
    data buffers) may always hold one."""
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        return True
    for chunk in column.chunks:
        _, offsets, data = chunk.buffers()
        if data is None or not len(chunk):
            continue
        width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        at = np.frombuffer(offsets, dtype=width)[chunk.offset:chunk.offset + len(chunk) + 1]
        starts = at[:-1][at[:-1] < at[1:]]   # the cells that hold text
        if _LEADS[np.frombuffer(data, dtype=np.uint8)[starts]].any():
            return True
    return False


FORMULA_ADVICE = "请在 Excel 中打开该文件、确认数值后保存，再重新提交"
ERROR_ADVICE = "请在 Excel 中改正该单元格（填入实际的值，或改正出错的公式）后保存，再重新提交"


def error_value_words(value: str) -> str:
    """How a message names what an error cell holds: 错误值“#N/A” (错误值 alone when the file gives no text)."""
    return f"错误值“{value}”" if value else "错误值"


def refuse_uncalculated(table: Table) -> None:
    """A table read whole (every input but a roster, whose records each carry their own
    cell.formula_uncalculated or cell.error_value): a formula in one of its columns with no value
    saved (a file a program wrote, never opened in Excel), or an error value (#N/A, #DIV/0! …), is
    never read as blank. The file is refused, naming the first such cell and how many there are."""
    _refuse_errors(table)
    placed = len(table.formulas)
    if not placed and not table.unplaced_formulas:
        return
    if not placed:
        raise ReadError(f"有 {table.unplaced_formulas} 个公式单元格没有保存计算结果，且无法确定在哪一行：{FORMULA_ADVICE}",
                        file=table.file, sheet=table.sheet)
    first = table.formulas.sort_values("excel_row", kind="stable").iloc[0]
    title = table.columns[first["key"]].header
    count = placed + table.unplaced_formulas
    raise ReadError(f"单元格是公式“={first['formula']}”，文件中没有保存计算结果（文件可能由程序生成、未在 Excel 中"
                    f"打开保存），aidctl 不把它当作空白{f'（共 {count} 处）' if count > 1 else ''}：{FORMULA_ADVICE}",
                    file=table.file, sheet=table.sheet, row=int(first["excel_row"]), column=title)


def refuse_struck(table: Table) -> None:
    """A table read whole with text struck out (删除线) in one of its columns: whether that row still
    counts is not known, so the file is refused, naming the first such cell. So is one whose struck
    cells are unknown (an .xls whose records could not be read): whether any row is struck is not known."""
    if table.struck is None:
        raise ReadError(f"该 .xls 文件的格式记录无法读取，看不出哪些单元格有删除线（学校常用删除线表示该行作废），"
                        f"aidctl 不把它当作没有删除线：{STRUCK_UNKNOWN_ADVICE}", file=table.file, sheet=table.sheet)
    if not table.struck and not table.unplaced_struck:
        return
    if not table.struck:
        raise ReadError(f"有 {table.unplaced_struck} 个单元格有删除线，且无法确定在哪一行：{STRUCK_ADVICE}",
                        file=table.file, sheet=table.sheet)
    row, key = min((int(rows[0]), key) for key, rows in table.struck.items())
    count = sum(len(rows) for rows in table.struck.values()) + table.unplaced_struck
    raise ReadError(f"单元格有删除线，aidctl 不知道这一行是否作废{f'（共 {count} 处）' if count > 1 else ''}：{STRUCK_ADVICE}",
                    file=table.file, sheet=table.sheet, row=row, column=table.columns[key].header)


STRUCK_ADVICE = "如该行已作废，请删除该行；如仍有效，请取消删除线，再重新提交"
FORMAT_ADVICE = "请将该列设为“常规”、“数值”或“文本”格式，核对表中显示的内容（金额含单位）后重新提交"


def refuse_formatted(table: Table) -> None:
    """A table read whole with a money cell whose number format shows another number than the cell
    holds (read.numformat: 0!.0, shows 元 as 万元): which the sheet means is not known, so the file is
    refused, naming the first such cell and what its format does."""
    if not len(table.formatted) and not table.unplaced_formatted:
        return
    if not len(table.formatted):
        raise ReadError(f"有 {table.unplaced_formatted} 个金额单元格的数字格式使表中显示的数与单元格的值不同，"
                        f"且无法确定在哪一行：{FORMAT_ADVICE}", file=table.file, sheet=table.sheet)
    cells = table.formatted.assign(place=table.formatted["key"].map(lambda k: table.columns[k].index))
    first = cells.sort_values(["excel_row", "place"]).iloc[0]
    count = len(table.formatted) + table.unplaced_formatted
    raise ReadError(f"单元格的{first['display']}，表中显示的数与单元格的值（{first['value']}）不同，金额无法确定"
                    f"{f'（共 {count} 处）' if count > 1 else ''}：{FORMAT_ADVICE}", file=table.file, sheet=table.sheet,
                    row=int(first["excel_row"]), column=table.columns[first["key"]].header)
STRUCK_UNKNOWN_ADVICE = "请用 Excel 或 WPS 打开后另存为 .xlsx，再重新提交"


def _refuse_errors(table: Table) -> None:
    """refuse_uncalculated for error values: the first one in the table's columns, and how many."""
    placed = len(table.errors)
    if not placed and not table.unplaced_errors:
        return
    if not placed:
        raise ReadError(f"有 {table.unplaced_errors} 个单元格是 Excel 错误值（如 #N/A），且无法确定在哪一行，"
                        f"aidctl 不把它们当作空白：{ERROR_ADVICE}", file=table.file, sheet=table.sheet)
    first = table.errors.sort_values("excel_row", kind="stable").iloc[0]
    count = placed + table.unplaced_errors
    raise ReadError(f"单元格是{error_value_words(first['value'])}（公式出错或引用的数据不存在），aidctl 不把它当作空白"
                    f"{f'（共 {count} 处）' if count > 1 else ''}：{ERROR_ADVICE}",
                    file=table.file, sheet=table.sheet, row=int(first["excel_row"]),
                    column=table.columns[first["key"]].header)
