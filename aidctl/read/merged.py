"""Where a record's cell lies in a merged range of its table (Table.merges): a range shows its one
value in every cell it spans, which no reader can tell from the same value written in each. Across
columns (one amount over 第1学年学费 and 第2学年学费: the same figure twice, or one total?) and down
rows (one amount over three students: each one's, or theirs together?). A sheet's ranges never
overlap; each row is placed in its range by a binary search, so the cost stays linear in rows and
ranges however many there are."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from aidctl.core.text import column_letters

if TYPE_CHECKING:
    from aidctl.read.tables import Table


def containing(rows: np.ndarray, ranges: list[tuple[int, int, int, int]]) -> np.ndarray:
    """For each Excel row of `rows`, the position in `ranges` (merged ranges over one column, sorted by
    their first row) of the range that holds it, or -1."""
    if not ranges:
        return np.full(len(rows), -1, dtype=np.int64)
    starts = np.fromiter((m[0] for m in ranges), dtype=np.int64, count=len(ranges))
    ends = np.fromiter((m[2] for m in ranges), dtype=np.int64, count=len(ranges))
    at = np.searchsorted(starts, rows, side="right") - 1
    inside = (at >= 0) & (rows <= ends[np.maximum(at, 0)])
    return np.where(inside, at, -1)


def covering(merges: list[tuple[int, int, int, int]], low: int, high: int) -> list[tuple[int, int, int, int]]:
    """The ranges spanning columns low … high, sorted by their first row."""
    return sorted(m for m in merges if m[1] <= low and high <= m[3])


def merged_across(frame: pd.DataFrame, tables: list[Table], key: str, row: str = "excel_row") -> pd.Series:
    """For each record of `frame` (a `table` column indexing `tables`, its Excel row in `row`), the
    columns of the merged range spanning two or more columns that holds its cell of `key`, as the
    sheet names them (“第1学年学费（元）”、“第2学年学费（元）”; a column of no field by its letter,
    “J列”); NA where there is none."""
    def named(t: Table, r1: int, c1: int, r2: int, c2: int, records: int) -> str | None:
        headers = {m.index: m.header for m in t.columns.values()}
        return "、".join(f"“{headers[c]}”" if c in headers else f"“{column_letters(c)}列”"
                        for c in range(c1, c2 + 1)) if c2 > c1 else None

    return _by_table(frame, tables, key, row, named)


def merged_down(frame: pd.DataFrame, tables: list[Table], key: str, row: str = "excel_row") -> pd.Series:
    """For each record of `frame`, the rows (“第5—7行”) of the merged range over the rows of two or
    more records that holds its cell of `key`; NA where there is none."""
    return _by_table(frame, tables, key, row,
                     lambda t, r1, c1, r2, c2, records: f"第{r1}—{r2}行" if records > 1 else None)


def merged_range(frame: pd.DataFrame, tables: list[Table], key: str, row: str = "excel_row") -> pd.Series:
    """For each record of `frame`, the merged range of two or more cells, across columns or down rows,
    that holds its cell of `key`, as Excel names it (“E3:E4”); NA where there is none. Its one value
    shows in each cell: whose figure is it, one row's or the rows' total?"""
    return _by_table(frame, tables, key, row,
                     lambda t, r1, c1, r2, c2, records: f"{column_letters(c1)}{r1}:{column_letters(c2)}{r2}")


def _by_table(frame: pd.DataFrame, tables: list[Table], key: str, row: str, named) -> pd.Series:
    """`named(table, r1, c1, r2, c2, records)` of the range holding each record's cell of `key` (None:
    the range does not count), once per range a record lies in."""
    out = pd.Series(pd.NA, index=frame.index, dtype="string")
    for i, t in enumerate(tables):
        if key not in t.columns or not t.merges:
            continue
        place = t.columns[key].index
        ranges = covering(t.merges, place, place)
        mine = np.flatnonzero((frame["table"] == i).to_numpy())
        at = containing(frame[row].to_numpy()[mine], ranges)
        if not (at >= 0).any():
            continue
        held = containing(np.asarray(t.excel_rows), ranges)
        records = np.bincount(held[held >= 0], minlength=len(ranges))
        texts = np.full(len(ranges), None, dtype=object)
        for j in np.unique(at[at >= 0]):
            texts[j] = named(t, *ranges[j], int(records[j]))
        shown = texts[np.maximum(at, 0)]
        put = (at >= 0) & (shown != None)  # noqa: E711 (an object array, element by element)
        out.iloc[mine[put]] = shown[put]
    return out


def placed_above(top: pd.DataFrame, header_row: int,
                 merges: list[tuple[int, int, int, int]]) -> list[tuple[int, list[tuple[int, str]]]]:
    """Table.above_cells: the rows above the header (a group header's too: a label merged over two
    cells may be taken for one), each cell that holds text with its place; of a merged range (which
    the grid shows in every cell it spans) only the first."""
    columns = np.asarray(top.columns)
    covered = np.zeros((max(header_row - 1, 0), len(columns)), dtype=bool)  # spanned, not a range's first
    for r1, c1, r2, c2 in merges:  # each range once, by slices: linear however many there are
        if r1 < header_row:
            lo, hi = np.searchsorted(columns, c1, "left"), np.searchsorted(columns, c2, "right")
            covered[r1 - 1:min(r2, header_row - 1), lo:hi] = True
            if lo < len(columns) and columns[lo] == c1:
                covered[r1 - 1, lo] = False
    out = []
    for r, values in enumerate(top.values[:header_row - 1], start=1):
        cells = [(c, v.strip()) for i, (c, v) in enumerate(zip(top.columns, values))
                 if isinstance(v, str) and v.strip() and not covered[r - 1, i]]
        if cells:
            out.append((r, cells))
    return out
