"""Find the table in a sheet: the header row, the columns it maps to, the data rows.

Schools put a merged title and a 填报单位 line above the header, spell headers their own way, add
units such as （元）, and put 合计 and signature rows below the data. None of that is an error.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from aidctl.core.errors import ReadError
from aidctl.core.findings import file_finding
from aidctl.core.text import blank_text, fold, fold_one, missing, starts_with_any
from aidctl.read.workbook import RawSheet, open_sheets
from aidctl.rulebook import Rulebook, TableSpec

HEADER_SEARCH_ROWS = 30  # how far down a sheet a header may start
FOLD_THREADS = 2
_UNIT_RE = re.compile(r"^(.*?)[(\[]\s*(?:单位[:：])?\s*([^()\[\]]*?)\s*[)\]]$")
_MARKERS_RE = re.compile(r"^[*＊★※#]+")


@dataclass
class ColumnMatch:
    """Where a canonical column stands in a sheet and how its header was written."""

    key: str
    index: int
    header: str
    unit: Decimal = Decimal(1)


@dataclass
class Table:
    """One recognised table: a sheet of a file, its header and its data rows as canonical columns."""

    file: str                 # the name as given on the command line
    path: Path
    sheet: str
    header_row: int
    columns: dict[str, ColumnMatch]
    data: pd.DataFrame        # canonical columns (text), index = Excel row
    above: list[str] = field(default_factory=list)  # text of the rows above the header
    big_numbers: dict[str, np.ndarray] = field(default_factory=dict)  # column key → bool mask
    other_headers: list[str] = field(default_factory=list)  # the header cells that mapped to no column

    @property
    def records(self) -> int:
        return len(self.data)


def file_info(tables: list[Table]) -> list[dict]:
    """Each table as the JSON documents list it: file, sheet, header row, records."""
    return [{"file": t.file, "sheet": t.sheet, "header_row": t.header_row, "records": t.records} for t in tables]


def having_column(frame: pd.DataFrame, tables: list[Table], column: str) -> pd.Series:
    """True for the records of `frame` (a `table` column indexing `tables`) whose table has `column`."""
    return frame["table"].isin([i for i, t in enumerate(tables) if column in t.columns])


def missing_columns(tables: list[Table], spec: TableSpec, advice: str = "请补上该列后重新提交") -> list[pd.DataFrame]:
    """schema.missing_column for each required column of `spec` a table lacks (a whole-file finding)."""
    return [file_finding(i, "schema.missing_column", key,
                         f"缺少必填列“{col.title}”（也可写作：{'、'.join(col.aliases[:4])}）：{advice}")
            for i, t in enumerate(tables) for key, col in spec.columns.items()
            if col.required and key not in t.columns]


def split_header(text: object, units: dict[str, Decimal]) -> tuple[str, Decimal | None]:
    """'资助金额（万元）' → ('资助金额', 10000); a non-unit remark in brackets is dropped."""
    folded = _MARKERS_RE.sub("", fold_one(text))
    unit = None
    m = _UNIT_RE.match(folded)
    while m:
        inner = m.group(2)
        if inner in units:
            unit = units[inner]
        folded = m.group(1)
        m = _UNIT_RE.match(folded)
    m = re.match(r"^(.*?)[/／](元|万元|千元)$", folded)
    if m and m.group(2) in units:
        folded, unit = m.group(1), units[m.group(2)]
    return folded, unit


def alias_table(spec: TableSpec) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, col in spec.columns.items():
        for alias in [col.title, *col.aliases]:
            out.setdefault(fold_one(alias).upper(), key)
    return out


def match_header_row(cells: list[object], spec: TableSpec, aliases: dict[str, str],
                     units: dict[str, Decimal], col_indexes: list[int]) -> dict[str, ColumnMatch]:
    found: dict[str, ColumnMatch] = {}
    for idx, cell in zip(col_indexes, cells):
        if missing(cell):
            continue
        base, unit = split_header(cell, units)
        key = aliases.get(base.upper()) or aliases.get(fold_one(cell).upper())
        if key and key not in found:
            found[key] = ColumnMatch(key, idx, str(cell).strip(), unit or Decimal(1))
    return found


def locate(sheet: RawSheet, spec: TableSpec, units: dict[str, Decimal]) -> tuple[int, dict[str, ColumnMatch]] | None:
    """The header row (Excel number) and its column matches, or None if the sheet holds no table."""
    aliases = alias_table(spec)
    best: tuple[int, int, dict[str, ColumnMatch]] | None = None
    head = sheet.grid.head(HEADER_SEARCH_ROWS)
    col_indexes = list(head.columns)
    for row_no, row in zip(head.index, head.itertuples(index=False, name=None)):
        found = match_header_row(list(row), spec, aliases, units, col_indexes)
        if len(found) < spec.min_header_matches:
            continue
        if not all(k in found for k in spec.header_must_have):
            continue
        if best is None or len(found) > best[1]:
            best = (row_no, len(found), found)
    if best is None:
        return None
    return best[0], best[2]


def extract(path: Path, display: str, sheet: RawSheet, header_row: int,
            columns: dict[str, ColumnMatch], spec: TableSpec, rules: Rulebook) -> Table:
    """Cut the data rows below the header into canonical columns, dropping blank/total/signature rows."""
    body = sheet.grid.loc[header_row + 1:]
    keep_spaces = {key: spec.columns[key].kind == "text" and key in ("address", "remarks") for key in columns}
    # Arrow's string kernels run without the GIL: two threads fold the columns on two cores
    with ThreadPoolExecutor(max_workers=FOLD_THREADS) as pool:
        folded = pool.map(lambda key: fold(body[columns[key].index], keep_inner_spaces=keep_spaces[key]),
                          list(columns))
        data = pd.DataFrame(dict(zip(columns, folded)), index=body.index)
    markers = rules.vocabulary.rows.skip_markers
    content_cols = [k for k in data.columns if k != "seq"]
    blank = data[content_cols].isna().all(axis=1) if content_cols else pd.Series(True, index=data.index)
    # a row carrying an ID number is a student, whatever else it holds: only the others can be
    # totals, signatures, notes or a repeated header
    if "id_number" in data.columns:
        candidates = ~data["id_number"].str.contains(r"\d{6}", regex=True).fillna(False).astype(bool)
    else:
        candidates = pd.Series(True, index=data.index)
    rows = candidates[candidates].index
    sub = body.loc[rows]
    first_cols = [fold(sub[c]) for c in list(sub.columns)[:2]]
    # a signature row may start further right: "制表人：" under 身份证号码, the first cells blank
    first_filled = pd.Series(pd.NA, index=sub.index, dtype="string")
    for c in sub.columns:
        first_filled = first_filled.fillna(sub[c])
        if not first_filled.isna().any():
            break
    first_cols.append(fold(first_filled))
    marked = pd.Series(False, index=sub.index)
    for series in first_cols + [data.loc[rows, k] for k in ("seq", "name") if k in data.columns]:
        marked |= starts_with_any(series, markers)
    if "name" in data.columns:  # a header repeated inside the data (classes pasted one under another)
        name_aliases = {fold_one(a) for a in [spec.columns["name"].title, *spec.columns["name"].aliases]}
        marked |= data.loc[rows, "name"].isin(name_aliases).fillna(False).astype(bool)
    drop = blank.copy()
    drop[marked[marked].index] = True
    data = data[~drop.to_numpy()]
    big = {}
    for key, match in columns.items():
        if spec.columns[key].kind in ("id", "card"):
            big[key] = sheet.big_number_mask(match.index, data.index)
    above = []
    for _, row in sheet.grid.loc[:header_row - 1].iterrows():
        cells = [str(v).strip() for v in row if isinstance(v, str) and v.strip()]
        if cells:
            above.append("  ".join(cells))
    used = {m.index for m in columns.values()}
    others = [str(v).strip() for j, v in sheet.grid.loc[header_row].items() if j not in used and not missing(v)
              and str(v).strip()]
    return Table(display, path, sheet.name, header_row, columns, data, above, big, others)


def unrecognised_columns(tables: list[Table], spec: TableSpec, units: dict[str, Decimal],
                         kind: str) -> list[pd.DataFrame]:
    """schema.unrecognised_column for each header that holds one of the table's `watch` words (it
    names money or a date aidctl reads) but matches no alias: a whole-file finding naming the header
    and the columns it may be, so that it is mapped (an alias) or renamed, never dropped silently."""
    out = []
    for i, t in enumerate(tables):
        for header in t.other_headers:
            base, _ = split_header(header, units)
            words = [w for w in spec.watch if fold_one(w) in base]
            if not words:
                continue
            maybe = [c.title for c in spec.columns.values()
                     if any(fold_one(w) in fold_one(a) for w in words for a in [c.title, *c.aliases])]
            out.append(file_finding(i, "schema.unrecognised_column", header,
                                    f"列“{header}”不是可识别的表头写法，本次没有读取"
                                    + (f"（可能是“{'”“'.join(maybe)}”）" if maybe else "")
                                    + f"：请改用标准表头，或在 rules/columns.yaml 的 {kind} 表中为该列增加别名"))
    return out


def stack(tables: list[Table], spec: TableSpec) -> pd.DataFrame:
    """All tables as one frame, a row a record: every column of `spec` (blank where a table lacks
    it), `table` (index into `tables`), `excel_row`, `file`; for each id/card column
    `<key>_number_cell` (the cell was a long number: digits lost); for each money column
    `<key>_fen` (Int64, the header's unit applied, exact) and `<key>_ok`."""
    from aidctl.core import money

    parts = []
    for i, t in enumerate(tables):
        part = t.data.copy()
        for key in spec.columns:
            if key not in part.columns:
                part[key] = blank_text(len(part), part.index)
        for key, col in spec.columns.items():
            if col.kind == "money":
                unit = t.columns[key].unit if key in t.columns else Decimal(1)
                _, part[f"{key}_fen"], part[f"{key}_ok"] = money.parse(part[key].astype("string"), unit)
            elif col.kind in ("id", "card"):
                mask = t.big_numbers.get(key)
                part[f"{key}_number_cell"] = mask if mask is not None else False
        part.insert(0, "excel_row", part.index.astype("int64"))
        part.insert(0, "table", i)
        part["file"] = t.file
        parts.append(part.reset_index(drop=True))
    frame = pd.concat(parts, ignore_index=True)
    frame["table"] = frame["table"].astype("int64")
    for key, col in spec.columns.items():
        if col.kind in ("id", "card"):
            frame[f"{key}_number_cell"] = frame[f"{key}_number_cell"].fillna(False).astype(bool)
    return frame


def read_tables(path: Path, display: str, kind: str, rules: Rulebook, *,
                all_sheets: bool = True) -> list[Table]:
    """Every sheet of a file that holds a recognisable table of `kind` (roster, registry, schools).

    Raises ReadError when no sheet does: the file is not what it should be.
    """
    spec = rules.columns.tables[kind]
    units = rules.columns.units
    tables = []
    sheets = open_sheets(path, display)
    for sheet in sheets:
        if sheet.grid.empty:
            continue
        hit = locate(sheet, spec, units)
        if hit is None:
            continue
        tables.append(extract(path, display, sheet, hit[0], hit[1], spec, rules))
        if not all_sheets:
            break
    if not tables:
        must = "、".join(spec.columns[k].title for k in spec.header_must_have)
        names = "、".join(f"“{s.name}”" for s in sheets) or "（无可见工作表）"
        raise ReadError(f"没有找到{spec.description}的表头（需含 {must} 等列，前 {HEADER_SEARCH_ROWS} 行内）；"
                        f"已查看工作表 {names}。请确认提交的是正确的文件", file=display)
    return tables
