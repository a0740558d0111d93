"""The one layer every workbook aidctl writes goes through: cell formats and tables."""

from __future__ import annotations

from aidctl.core.text import missing

SEVERITY_WORDS = {"error": "错误", "warning": "警告"}


def formats(wb):
    """The cell formats every workbook shares: title, head, cell, money, total, wrap."""
    return {"title": wb.add_format({"bold": True, "font_size": 14}),
            "head": wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True}),
            "cell": wb.add_format({"border": 1}),
            "money": wb.add_format({"border": 1, "align": "right"}),
            "total": wb.add_format({"border": 1, "bold": True}),
            "wrap": wb.add_format({"border": 1, "text_wrap": True, "valign": "top"})}


def write_table(ws, fmt, row: int, headers: list[tuple[str, int]], rows, money_cols: set[int] = frozenset()) -> int:
    """A header row of (title, width) at `row`, then the rows; returns the row after the last."""
    for j, (h, width) in enumerate(headers):
        ws.set_column(j, j, width)
        ws.write_string(row, j, h, fmt["head"])
    n = row
    for n, values in enumerate(rows, start=row + 1):
        for j, v in enumerate(values):
            style = fmt["money"] if j in money_cols else fmt["wrap"] if headers[j][1] >= 40 else fmt["cell"]
            if missing(v):
                ws.write_blank(n, j, None, style)
            elif isinstance(v, int):
                ws.write_number(n, j, v, style)
            else:
                ws.write_string(n, j, str(v), style)
    return n + 1
