"""Where a record's cell lies in a merged range of its table (Table.merges): a range shows its one
value in every cell it spans, which no reader can tell from the same value written in each. Across
columns (one amount over 第1学年学费 and 第2学年学费: the same figure twice, or one total?) and down
rows (one amount over three students: each one's, or theirs together?)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from aidctl.core.text import column_letters
from aidctl.read.tables import Table


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


def _by_table(frame: pd.DataFrame, tables: list[Table], key: str, row: str, named) -> pd.Series:
    """`named(table, r1, c1, r2, c2, records)` of the range holding each record's cell of `key` (None:
    the range does not count), over a table's few ranges, each over its rows at once."""
    out = pd.Series(pd.NA, index=frame.index, dtype="string")
    for i, t in enumerate(tables):
        if key not in t.columns or not t.merges:
            continue
        place = t.columns[key].index
        mine = np.flatnonzero((frame["table"] == i).to_numpy())
        rows = frame[row].to_numpy()[mine]
        for r1, c1, r2, c2 in t.merges:
            if c1 <= place <= c2:
                inside = (rows >= r1) & (rows <= r2)
                text = named(t, r1, c1, r2, c2, int(((t.excel_rows >= r1) & (t.excel_rows <= r2)).sum()))
                if text is not None and inside.any():
                    out.iloc[mine[inside]] = text
    return out
