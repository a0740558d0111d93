"""What a sheet's layout hides, said per workbook for the commands that read tables whole: the
sheets passed over (hidden, or with no recognisable header), the hidden rows and columns read. (The
merged ranges a record's cell lies in: read.merged.)"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aidctl.read.tables import Table
from aidctl.read.workspace import NAMES_SHOWN

__all__ = ["sheet_notes"]


def sheet_notes(tables: list[Table], what: str, frame: pd.DataFrame, row: str = "excel_row") -> list[str]:
    """What the reader passed over in the workbooks of `tables`, said aloud for a command that reads
    each sheet whole (`what`: what its rows are, 学校): the hidden sheets and the visible sheets with
    no recognisable header (not read), the hidden columns read, and the hidden rows among the
    records of `frame` (a `table` column indexing `tables`, the Excel row in `row`): read as any
    other; and a table whose file does not say which are hidden (an .xls whose records could not be
    read)."""
    notes, told = [], set()
    for i, t in enumerate(tables):
        if t.file not in told:
            told.add(t.file)
            if t.hidden_sheets:
                notes.append(f"{t.file} 中的隐藏工作表{'、'.join(f'“{h}”' for h in t.hidden_sheets)}未读取：如其中有"
                             f"{what}的数据，请取消隐藏后重新提交")
            if t.unread_sheets:
                notes.append(f"{t.file} 的工作表{'、'.join(f'“{h}”' for h in t.unread_sheets)}中没有找到可识别的表头，"
                             f"未读取：如其中有{what}的数据，请按标准表头填写后重新提交")
        if not t.hidden_known:
            notes.append(f"{t.place()} 的格式记录无法读取（.xls），看不出哪些行、列已隐藏：隐藏的行、列仍作为"
                         f"{what}读取、计入，不会单独列出")
        columns = [m.header for m in t.columns.values() if m.hidden]
        if columns:
            notes.append(f"{t.place()} 的列{'、'.join(f'“{c}”' for c in columns)}已隐藏，仍读取：如该列不应计入，"
                         "请删除该列后重新提交")
        hidden = t.hidden_at[np.isin(t.hidden_at, frame.loc[frame["table"] == i, row].to_numpy())].tolist() \
            if len(t.hidden_at) else []
        if hidden:
            shown = "、".join(map(str, hidden[:NAMES_SHOWN])) + ("等" if len(hidden) > NAMES_SHOWN else "")
            notes.append(f"{t.place()} 第{shown}行已隐藏，仍作为{what}读取、计入（共 {len(hidden)} 行）："
                         "如已作废，请删除该行后重新提交")
    return notes
