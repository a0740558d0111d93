"""Find the table in a sheet: the header (header.py), the columns it maps to, the data rows.

Schools put a merged title and a 填报单位 line above the header, spell headers their own way, add
units such as （元）, split the header in two rows under merged group headers, and put 合计 and
signature rows below the data. None of that is an error. What the reader decided is kept with the
table (the rows dropped and why, hidden rows read, columns that competed for a field, formulas
without a value, error values) so that the checks can report it and the files list can show it.
"""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from aidctl.core import identity
from aidctl.core.errors import ReadError
from aidctl.core.findings import file_finding
from aidctl.core.text import blank_text, fold_arrow, one_array, text_series
from aidctl.read.header import (
    HEADER_SEARCH_ROWS,
    ColumnMatch,
    Contest,
    Header,
    UnitLine,
    cells_of,
    find_header,
    locate,
    matcher_of,
    settle,
    with_unit_lines,
)
from aidctl.read.merged import placed_above
from aidctl.read.numformat import formatted_cells
from aidctl.read.rows import (
    BLANK,
    NOTE,
    OTHER_HEADER,
    REPEATED_HEADER,
    Captions,
    captions,
    colour_notes,
    counted,
    grand_totals,
    header_again,
    header_at,
    header_block,
    header_difference,
    header_shown,
    header_texts,
    last_row,
    name_words,
    reasons,
    refining,
    struck_cells,
    unread_cells,
    unread_rows,
    unrecognised_columns,
    with_unit_notes,
    withdrawn_parts,
)
from aidctl.read.unknown import refuse_formatted, refuse_struck, refuse_uncalculated
from aidctl.read.unseen import invisible_cells, refuse_invisible
from aidctl.read.workbook import RawSheet, open_sheets
from aidctl.rulebook import Rulebook, TableSpec

__all__ = ["ColumnMatch", "Contest", "Table", "extract", "extract_parts", "locate", "read_tables", "stack",
           "file_info", "having_column", "missing_columns", "set_aside", "unrecognised_columns"]

FOLD_THREADS = 2
THREADED_FROM_ROWS = 20_000  # a table this long is folded on two threads
# text kept with its inner spaces (runs of them made one): an address, remarks, and the 年级 as the school
# wrote it, for the messages that quote it (a date cell, 2011-09-01 00:00:00); the grade is read
# without its spaces (roster._grades folds each value), so 二 年级 is still 二年级
KEEP_SPACES = ("address", "remarks", "grade")


_NONE: dict[str, pd.DataFrame] = {}


def _none_of(what: str) -> pd.DataFrame:
    """The cells of a table that has none of `what` ("formula": formulas without a value, "value":
    error values): Excel row, field, formula or value (one frame each, shared: no reader changes a
    table's formulas or errors in place)."""
    if what not in _NONE:
        _NONE[what] = pd.DataFrame({"excel_row": np.zeros(0, dtype=np.int64), "key": np.zeros(0, dtype=object),
                                    what: np.zeros(0, dtype=object)})
    return _NONE[what]


def _no_formulas() -> pd.DataFrame:
    return _none_of("formula")


def _no_errors() -> pd.DataFrame:
    return _none_of("value")


def _no_formatted() -> pd.DataFrame:
    return _none_of("display")


@dataclass
class Table:
    """One recognised table: a sheet of a file, its header and its data rows as canonical columns.

    The rows are kept as Arrow (`cells`, a text column a field, and `excel_rows`): a term's thousand
    small tables are stacked from there (read.roster) without a pandas frame each; `data` makes that
    frame for the readers that want one."""

    file: str                 # the name as given on the command line
    path: Path
    sheet: str
    header_row: int
    columns: dict[str, ColumnMatch]
    cells: pa.Table           # canonical columns (large_string text), a row a record
    excel_rows: np.ndarray    # the Excel row of each record (int64)
    above: list[str] = field(default_factory=list)  # text of the rows above the header
    big_numbers: dict[str, np.ndarray] = field(default_factory=dict)  # column key → bool mask
    parent_row: int | None = None       # the group-header row of a two-row header
    contests: list[Contest] = field(default_factory=list)   # columns that competed for a field
    dropped: dict[str, int] = field(default_factory=dict)   # rows under the header not read, by why
    hidden_rows: int = 0                # records read from hidden rows (a clerk's filter)
    # whether the file says which rows and columns are hidden (not an .xls whose records could not be
    # read: hidden_rows is then unknown, never "none hidden")
    hidden_known: bool = True
    hidden_at: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # their Excel rows
    formulas: pd.DataFrame = field(default_factory=lambda: _no_formulas())
    unplaced_formulas: int = 0          # formulas without a value in cells without a reference
    errors: pd.DataFrame = field(default_factory=lambda: _no_errors())  # error values: Excel row, field, value
    unplaced_errors: int = 0            # error values in cells without a reference
    # the records' cells whose text is struck out (删除线): field → Excel rows; None: unknown (an .xls
    # whose records could not be read)
    struck: dict[str, np.ndarray] | None = field(default_factory=dict)
    unplaced_struck: int = 0            # struck-out cells without a reference
    # the records' money cells whose number format shows another number than they hold (read.numformat:
    # 0!.0, shows 元 as 万元): Excel row, field, what the format does (display) and the value read
    formatted: pd.DataFrame = field(default_factory=lambda: _no_formatted())
    unplaced_formatted: int = 0             # such cells without a reference
    invisible: pd.DataFrame | None = None   # text nobody sees: excel_row (-1: no reference), key, said, value
    workbook_sheets: int = 1            # visible sheets of the workbook
    hidden_sheets: list[str] = field(default_factory=list)
    unread_sheets: list[str] = field(default_factory=list)  # the workbook's visible sheets with content and no header
    sheet_kind: str = "xlsx"
    other_headers: list[str] = field(default_factory=list)  # the header cells that mapped to no column
    # the total rows dropped (合计, 一班小计): Excel row, the row's first text, its amount cell as read
    totals: list[tuple[int, str | None, str | None]] = field(default_factory=list)
    # the rows above the header cell by cell, where `above` joins each row's text and writes cells
    # equal in value once: Excel row, then each cell's place (A = 0) and
    # text, a merged range's once (its first cell). What a bank declares there (总笔数 | 1250 | 成功笔数 |
    # 1250) is read from these: no figure is lost for equalling the one before it
    above_cells: list[tuple[int, list[tuple[int, str]]]] = field(default_factory=list)
    # the same of the rows under the header not read as records, where extract was asked to keep them
    below_cells: list[tuple[int, list[tuple[int, str]]]] = field(default_factory=list)
    # the parts of the table under a caption row that withdraws them (二、未通过审核学生名单, 以下学生不予
    # 资助): the caption's Excel row, the last row of its part, the caption's text, the word
    withdrawn_parts: list[tuple[int, int, str, str]] = field(default_factory=list)
    # the notes telling students apart by colour and withdrawing some (红色标注的学生未通过审核): the
    # note's Excel row (None above the header), its text, the colour word
    colour_notes: list[tuple[int | None, str, str]] = field(default_factory=list)
    # the merged ranges below the header that span two or more columns or rows (row1, col1, row2,
    # col2): the grid shows their value in every cell they span, which no reader can tell from values
    # written in each
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    # the cells that state the unit of the money columns whose header states none (单位：万元): above the
    # header, and in the rows under it not read as records (under 合计, beside 制表人, a note)
    unit_lines: list[UnitLine] = field(default_factory=list)

    @property
    def records(self) -> int:
        return self.cells.num_rows

    def __reduce__(self):
        # Handed back by a worker process (read.parallel): the cells as one Arrow IPC stream and the
        # shared empty formulas as None, a quarter of the time of pickling them (to and fro), which
        # was most of the hand-over of a small file. The frame `data` is made again where wanted.
        state = {f.name: getattr(self, f.name) for f in fields(self)}
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, self.cells.schema) as stream:
            stream.write_table(self.cells)
        state["cells"] = sink.getvalue()
        if self.formulas is _no_formulas():
            state["formulas"] = None
        if self.errors is _no_errors():
            state["errors"] = None
        return _unpickled_table, (state,)

    @functools.cached_property
    def data(self) -> pd.DataFrame:
        """The canonical columns as text Series, index = Excel row."""
        index = pd.Index(self.excel_rows, dtype="int64")
        return pd.DataFrame({key: text_series(one_array(self.cells.column(key)), index)
                             for key in self.cells.column_names}, index=index)

    @property
    def struck_rows(self) -> int | None:
        """How many records have a cell struck out; None when the file does not say (an .xls whose
        records could not be read)."""
        if self.struck is None:
            return None
        return len(np.unique(np.concatenate(list(self.struck.values())))) if self.struck else 0

    def place(self, row: int | None = None) -> str:
        """'a.xlsx 工作表“二班”第5行': the sheet is named when the workbook has more than one. For
        messages that name another record's place (duplicates, shared cards)."""
        sheet = f" 工作表“{self.sheet}”" if self.workbook_sheets > 1 else ""
        return f"{self.file}{sheet}" + (f"第{row}行" if row is not None else "")

    def info(self, detailed: bool = False) -> dict:
        """The table as the JSON files list shows it; `detailed` adds what the reader decided."""
        out = {"file": self.file, "sheet": self.sheet, "header_row": self.header_row, "records": self.records}
        if detailed:
            # a file that does not tell which rows are hidden: unknown (null), never "none hidden"
            out.update({"dropped": dict(self.dropped),
                        "hidden_rows": self.hidden_rows if self.hidden_known else None,
                        "hidden_sheets": list(self.hidden_sheets),
                        "struck_rows": self.struck_rows})
        return out


def _unpickled_table(state: dict) -> Table:
    state["cells"] = pa.ipc.open_stream(state["cells"]).read_all()
    if state["formulas"] is None:
        state["formulas"] = _no_formulas()
    if state["errors"] is None:
        state["errors"] = _no_errors()
    return Table(**state)


def file_info(tables: list[Table]) -> list[dict]:
    """Each table as the JSON documents list it: file, sheet, header row, records."""
    return [t.info() for t in tables]


def having_column(frame: pd.DataFrame, tables: list[Table], column: str) -> pd.Series:
    """True for the records of `frame` (a `table` column indexing `tables`) whose table has `column`."""
    return frame["table"].isin([i for i, t in enumerate(tables) if column in t.columns])


def missing_columns(tables: list[Table], spec: TableSpec, advice: str = "请补上该列后重新提交") -> list[pd.DataFrame]:
    """schema.missing_column for each required column of `spec` a table lacks (a whole-file finding);
    a column set aside as another person's or an old value is named."""
    out = []
    for i, t in enumerate(tables):
        for key, col in spec.columns.items():
            if not col.required or key in t.columns:
                continue
            why = set_aside(t, key, col.title)
            out.append(file_finding(i, "schema.missing_column", key,
                                    f"缺少必填列“{col.title}”（也可写作：{'、'.join(col.aliases[:4])}）"
                                    f"{f'（{why}）' if why else ''}：{advice}"))
    return out


def set_aside(t: Table, key: str, title: str) -> str:
    """“X”列标明是上学期的，不作为“title”读取: why `t` has no column for `key` although some column
    stood for it (its remark or group header names another person, an old value, a yearly figure);
    "" when none did."""
    for c in t.contests:
        if c.key == key and c.chosen is None:
            named = "、".join(f"“{m.header}”" for m in c.others)
            return f"{named}列标明是{c.others[0].qualifier}的，不作为“{title}”读取"
    return ""


def extract(path: Path, display: str, sheet: RawSheet, header_row: int,
            columns: dict[str, ColumnMatch], spec: TableSpec, rules: Rulebook, header: Header | None = None,
            footers: list[str] | None = None) -> Table:
    """The table under the header of a sheet read whole (extract_parts, another header stops it)."""
    return extract_parts(path, display, sheet, header_row, columns, spec, rules, header, footers, split=False)[0]


@dataclass
class _Part:
    """The rows of a sheet under one header, up to the next header that is not that header again."""

    header_row: int
    header: Header | None
    columns: dict[str, ColumnMatch]
    contests: list[Contest]
    body: dict[int, pa.ChunkedArray]
    excel_rows: np.ndarray
    data: dict[str, pa.Array]
    why: np.ndarray


def extract_parts(path: Path, display: str, sheet: RawSheet, header_row: int,
                  columns: dict[str, ColumnMatch], spec: TableSpec, rules: Rulebook, header: Header | None = None,
                  footers: list[str] | None = None, split: bool = True) -> list[Table]:
    """Cut the data rows below the header into canonical columns, dropping blank, total, signature
    and note rows and the header repeated; with the `header` found by read_tables, the column read
    for each field is settled by the rule of header.settle. Done in Arrow: a school's table of a
    few hundred rows costs a fixed number of calls, not one a cell or a pandas object a column.
    With `footers` (a bank's 总笔数, 成功笔数 …), a row beginning with one is a note, and the cells
    of the rows not read are kept (Table.below_cells). A row that looks like a header and is not
    the header again (rows.OTHER_HEADER) starts another table, read by that header (rows.header_at)
    with the sheet's title, 单位 lines and captions: a Table each. Without `split` (an input read
    whole) it stops the command, naming the row and how the headers differ."""
    matcher = matcher_of(spec, rules.columns.units, rules.columns.header_words)
    markers = with_unit_notes(rules.vocabulary.rows.markers(), rules.columns.header_words.unit_line)
    if footers:
        markers = {**markers, NOTE: [*markers.get(NOTE, []), *footers]}
    judged = functools.partial(_judge, sheet, spec=spec, rules=rules, matcher=matcher, markers=markers)
    origin, parts = (header_row, header), []
    looked: np.ndarray | None = None   # the rows the first pass found looking like a header (where a part may end)
    while True:
        again = header_again(sheet, header, header_row, spec, matcher)
        # the first header's rows are judged down to the sheet's end; a later one's down to the row above
        # the first of the rows looked at that is not its header again
        stop = sheet.rows if looked is None else last_row(sheet, again, matcher, looked[looked > header_row])
        part = judged(header_row, header, columns, stop, again)
        flagged = part.excel_rows[np.isin(part.why, [REPEATED_HEADER, OTHER_HEADER])]
        looked = flagged if looked is None else looked
        refining(part.why, part.excel_rows, sheet, again, matcher)
        other = part.excel_rows[part.why == OTHER_HEADER]
        at = int(other[0]) if len(other) else stop + 1   # where the next header is, or the row after the sheet
        if at > sheet.rows:
            parts.append(part)
            break
        nxt = header_at(sheet, header_block(at, np.union1d(looked, flagged), header_row), spec,
                        rules.columns.units, rules.columns.header_words)
        end = (nxt.parent_row or nxt.row) - 1
        if end != stop or len(other):
            # the rows judged do not end right above the next header (under the first header, the whole
            # sheet; a group row above the row that differs; a row over it that only adds to it): judged
            # again down to the row above it, so that no row of the next part settles this part's columns
            # and no row above that header is left unjudged
            part = judged(header_row, header, columns, end, again)
            refining(part.why, part.excel_rows, sheet, again, matcher)
            part.why[part.why == OTHER_HEADER] = REPEATED_HEADER   # header-like rows right above it
        parts.append(part)
        header, header_row, columns = nxt, nxt.row, nxt.first_choice()
    parts = [p for p in parts if len(p.excel_rows)] or parts[-1:]  # a header right above another: no table
    if not split and len(parts) > 1:
        shown = [header_shown(sheet, p.header, p.header_row) for p in parts[:2]]
        raise ReadError(f"第{parts[1].header_row}行又有一行表头，与第{parts[0].header_row}行的表头不同"
                        f"（{header_difference(*shown)}）：其下的行不能按第{parts[0].header_row}行的表头读取，本文件未读取；"
                        "请把两部分分别放在各自的工作表，或把表头改为一致后重新提交",
                        file=display, sheet=sheet.name, row=parts[1].header_row)
    return _tables(path, display, sheet, parts, origin, spec, rules, matcher, footers)


def _judge(sheet: RawSheet, header_row: int, header: Header | None, columns: dict[str, ColumnMatch], stop: int,
           again, *, spec: TableSpec, rules: Rulebook, matcher, markers) -> _Part:
    """The rows under `header_row` down to Excel row `stop`: their columns settled, folded and judged."""
    first = min(header_row, sheet.rows)  # the first row under the header, from 0
    stop = max(first, min(stop, sheet.rows))
    body = {c: sheet.column(c).slice(first, stop - first) for c in sheet.columns}
    excel_rows = np.arange(first + 1, stop + 1, dtype=np.int64)
    contests: list[Contest] = []
    if header is not None:
        columns, contests = settle(header, spec, cells_of(body))
    # an amount keeps its inner spaces for money.parse to judge: "7 500" is grouped, "7 50" is not 750
    keep_spaces = {key: (spec.columns[key].kind == "text" and key in KEEP_SPACES) or spec.columns[key].kind == "money"
                   for key in columns}
    if len(excel_rows) >= THREADED_FROM_ROWS:
        # Arrow's string kernels run without the GIL: two threads fold the columns on two cores
        def fold_column(key: str) -> pa.Array:
            return fold_arrow(body[columns[key].index], keep_inner_spaces=keep_spaces[key])

        with ThreadPoolExecutor(max_workers=FOLD_THREADS) as pool:
            data = dict(zip(columns, pool.map(fold_column, list(columns))))
    else:  # a school's file of a few hundred rows: its columns folded together, as one array
        data = _fold_together(body, columns, keep_spaces)
    empty = np.ones(len(excel_rows), dtype=bool)
    for key, values in data.items():
        if key != "seq":
            empty &= values.is_null().to_numpy(zero_copy_only=False)
    why = reasons(list(body.values()), data, header_texts(sheet, header_row, header, columns),
                  name_words(spec), markers, rules.vocabulary.rows.total_anywhere, empty, matcher.states_unit,
                  matcher.unit_words, again)
    return _Part(header_row, header, columns, contests, body, excel_rows, data, why)


def _tables(path: Path, display: str, sheet: RawSheet, parts: list[_Part], origin: tuple[int, Header | None],
            spec: TableSpec, rules: Rulebook, matcher, footers: list[str] | None) -> list[Table]:
    """A Table of each part, with what the sheet says of them all: its title above the first header
    (`origin`: its row, its header), 单位 lines anywhere, captions that withdraw rows, colour notes."""
    first, header = origin
    top = sheet.top(max(HEADER_SEARCH_ROWS, first))
    lines = list(header.unit_lines) if header is not None else matcher.sheet_unit(top, first)
    formulas, errors, totals, found, below = [], [], [], [], []
    for p in parts:
        formulas.append(_cells_of(sheet.formulas, "formula", p.columns))
        errors.append(_cells_of(sheet.errors, "value", p.columns))
        for unknown in (formulas[-1], errors[-1]):
            if len(unknown):  # a row whose only content is formulas without a value or errors is not blank: unknown
                content = unknown.loc[unknown["key"] != "seq", "excel_row"].to_numpy()
                p.why[np.isin(p.excel_rows, content) & (p.why == BLANK)] = None
        totals.append(grand_totals(p.why, p.body, p.data, p.excel_rows, rules.vocabulary.rows.grand_total))
        found.append(captions(p.why, list(p.body.values()), p.excel_rows, sheet.merges,
                              [p.columns[k].index for k in ("name", "id_number") if k in p.columns]))
        # a 单位：万元 under the table (beside 制表人, under 合计, in a note) states the unit as one above it does
        below += matcher.unit_lines(unread_cells(p.why, list(p.body.values()), p.excel_rows, matcher.unit_words),
                                    below=True)
    above = []
    for row in top.values[:first - 1]:
        if cells_above := [v.strip() for v in row if isinstance(v, str) and v.strip()]:
            above.append("  ".join(dict.fromkeys(cells_above)))  # a title merged across the sheet: once
    above_cells = placed_above(top, first, sheet.merges)
    every = Captions(np.concatenate([f.rows for f in found]), pa.concat_arrays([f.texts for f in found]),
                     pa.concat_arrays([f.folded for f in found])) if len(found) > 1 else found[0]
    words = rules.vocabulary
    last = parts[-1].excel_rows
    withdrawn = withdrawn_parts(every, int(last[-1]) if len(last) else parts[-1].header_row, words.status,
                                words.rows.colour_words)
    colours = colour_notes(every, above, words.rows.colour_words, words.status)
    # the lines in a header's own rows (a cell of its group row: 资助金额（万元） merged down) are its own
    own = [[u for u in p.header.unit_lines if u.row >= (p.header.parent_row or p.header.row)] if p.header else []
           for p in parts]
    lines = [u for u in lines if header is None or u.row < (header.parent_row or header.row)]
    return [_table(path, display, sheet, p, spec, matcher, lines + own[i] + below, formulas[i], errors[i], totals[i],
                   footers,
                   above=above, above_cells=above_cells, withdrawn_parts=withdrawn, colour_notes=colours)
            for i, p in enumerate(parts)]


def _table(path: Path, display: str, sheet: RawSheet, p: _Part, spec: TableSpec, matcher, lines: list[UnitLine],
           formulas: pd.DataFrame, errors: pd.DataFrame, totals: list, footers: list[str] | None, **shared) -> Table:
    """The Table of one part of a sheet; `shared` what the sheet says of every part."""
    columns, why, excel_rows = p.columns, p.why, p.excel_rows
    if lines:
        columns = {key: with_unit_lines(m, lines) if spec.columns[key].kind == "money" else m
                   for key, m in columns.items()}
    keep = why == None  # noqa: E711 (an object array, element by element)
    kept = pa.array(np.flatnonzero(keep))
    cells = pa.table({key: values.take(kept) for key, values in p.data.items()})
    rows = excel_rows[keep]
    if len(formulas):
        formulas = formulas[formulas["excel_row"].isin(rows)].reset_index(drop=True)
    if len(errors):
        errors = errors[errors["excel_row"].isin(rows)].reset_index(drop=True)
    big = {}
    for key, match in columns.items():
        if spec.columns[key].kind in ("id", "card"):
            big[key] = sheet.big_number_mask(match.index, rows)
            if sheet.kind == "csv":
                big[key] |= csv_digits_lost(text_series(one_array(cells.column(key)), pd.RangeIndex(len(rows))),
                                            spec.columns[key].kind)
    hidden_at = rows[np.isin(rows, sheet.hidden_rows)] if len(sheet.hidden_rows) else rows[:0]
    formatted = formatted_cells(sheet, columns, rows, cells, spec, matcher) if sheet.formatted else None
    # a column another one won a field from is named by schema.ambiguous_column, not as unrecognised
    used = {m.index for m in columns.values()} | {m.index for c in p.contests for m in c.others}
    others = [v.strip() for j, v in header_shown(sheet, None, p.header_row).items() if j not in used and v.strip()]
    return Table(display, path, sheet.name, p.header_row, columns, cells, rows, big_numbers=big,
                 parent_row=p.header.parent_row if p.header else None, contests=p.contests,
                 dropped=counted(why[~keep]), hidden_rows=len(hidden_at), hidden_known=sheet.hidden_known,
                 hidden_at=hidden_at, formulas=formulas, unplaced_formulas=sheet.unplaced_formulas,
                 errors=errors, unplaced_errors=sheet.unplaced_errors,
                 struck=struck_cells(sheet, columns, rows), unplaced_struck=sheet.unplaced_struck,
                 formatted=_no_formatted() if formatted is None else formatted,
                 unplaced_formatted=sheet.unplaced_formatted, invisible=invisible_cells(sheet, columns, rows, cells, spec),
                 workbook_sheets=sheet.workbook_sheets, hidden_sheets=list(sheet.hidden_sheets),
                 sheet_kind=sheet.kind, other_headers=others, totals=totals,
                 below_cells=unread_rows(why, p.body, excel_rows) if footers is not None else [],
                 unit_lines=lines, merges=[m for m in sheet.merges if (m[3] > m[1] or m[2] > m[0]) and m[2] > p.header_row],
                 **shared)


def _fold_together(body: dict[int, pa.ChunkedArray], columns: dict[str, ColumnMatch],
                   keep_spaces: dict[str, bool]) -> dict[str, pa.Array]:
    """Each column of `columns` folded (text.fold_arrow), in that order: the columns that keep their
    inner spaces and the others each folded as one array, then cut apart. Folding is value by value,
    so the result is the same as column by column, for a fixed cost of two calls, not one a column."""
    text = pa.large_string()
    arrays = {key: body[match.index] for key, match in columns.items()}
    out: dict[str, pa.Array] = {}
    for keep in (False, True):
        keys = [key for key in columns if keep_spaces[key] == keep]
        if not keys:
            continue
        chunks = [chunk for key in keys for chunk in arrays[key].chunks]
        if len({chunk.type for chunk in chunks}) > 1:  # one cast of the whole, not one a column
            chunks = [chunk.cast(text) for chunk in chunks]
        folded = fold_arrow(pa.chunked_array(chunks, type=chunks[0].type if chunks else text),
                            keep_inner_spaces=keep)
        at = 0
        for key in keys:
            out[key] = folded.slice(at, len(arrays[key]))
            at += len(arrays[key])
    return {key: out[key] for key in columns}


def _cells_of(cells: list[tuple[int, int, str]], what: str, columns: dict[str, ColumnMatch]) -> pd.DataFrame:
    """The cells of the table's columns among `cells` (row, column, text: the sheet's formulas
    without a value, or its error values): Excel row, field, and the text as `what`."""
    if not cells:  # nearly every sheet
        return _none_of(what)
    key_of = {m.index: k for k, m in columns.items()}
    found = pd.DataFrame(cells, columns=["excel_row", "col", what]).astype({"excel_row": "int64"})
    found["key"] = found["col"].map(key_of).astype(object)
    return found.loc[found["key"].notna(), ["excel_row", "key", what]].reset_index(drop=True)


def csv_digits_lost(cells: pd.Series, kind: str) -> np.ndarray:
    """In a CSV, the ID or card cells that carry Excel's 15-significant-digit signature: 16–19
    digits (an ID: 18) whose digits after the 15th are all 0 ("420102199503121000"). Each such cell
    whose check fails (the GB 11643 check character, Luhn) has lost digits; where the column shows
    the signature plainly (an exponent form such as "4.20102E+17", or two cells with two or more
    zeros after the 15th digit), every such cell has."""
    text = identity.clean_card(cells) if kind == "card" else identity.clean_id(cells)
    pattern = r"\d{15}000" if kind == "id" else r"\d{15}0{1,4}"
    tail = text.str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)
    if not tail.any():
        return tail
    strong = tail & (text.str.len().fillna(0).to_numpy() >= 17)
    if strong.sum() > 1 or text.str.fullmatch(identity.SCIENTIFIC[1:-1]).fillna(False).any():
        return tail
    hit = text[tail]
    if kind == "id":
        fails = (identity.check_char(hit.str.slice(0, 17)) != hit.str.slice(17, 18)).to_numpy()
    else:
        fails = ~identity.luhn_ok(hit).to_numpy(dtype=bool)
    out = np.zeros(len(text), dtype=bool)
    out[np.flatnonzero(tail)[fails]] = True
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


def read_tables(path: Path, display: str, kind: str, rules: Rulebook, all_sheets: bool = True,
                per_record: bool = False) -> list[Table]:
    """Every sheet of a file that holds a recognisable table of `kind` (roster, registry, schools …).

    Raises ReadError when no sheet does: the file is not what it should be; and when a sheet's table
    holds a formula without a value (refuse_uncalculated), struck-out text (refuse_struck) or an amount
    whose number format shows another number (refuse_formatted), unless `per_record`: a roster reports
    each such cell as a finding on its record (check.cells).
    """
    spec = rules.columns.tables[kind]
    units = rules.columns.units
    tables = []
    unread = []
    sheets = open_sheets(path, display, rules.columns.look)
    for sheet in sheets:
        if sheet.empty:
            continue
        header = find_header(sheet, spec, units, rules.columns.header_words)
        if header is None:
            unread.append(sheet.name)
            continue
        # a roster's table under another header in the data is read by it; an input read whole stops
        parts = extract_parts(path, display, sheet, header.row, header.first_choice(), spec, rules, header,
                              split=per_record)
        for table in parts if not per_record else []:
            refuse_uncalculated(table)
            refuse_struck(table)
            refuse_formatted(table)
            refuse_invisible(table)
        tables += parts
        if not all_sheets:
            break
    for table in tables:
        table.unread_sheets = unread
    if not tables:
        must = "、".join(spec.columns[k].title for k in spec.header_must_have)
        names = "、".join(f"“{s.name}”" for s in sheets) or "（无可见工作表）"
        hidden = sheets[0].hidden_sheets if sheets else []
        more = f"；隐藏的工作表 {'、'.join(f'“{h}”' for h in hidden)} 不读取，如花名册在其中，请取消隐藏后重新提交" \
            if hidden else ""
        raise ReadError(f"没有找到{spec.description}的表头（需含 {must} 等列，前 {HEADER_SEARCH_ROWS} 行内）；"
                        f"已查看工作表 {names}{more}。请确认提交的是正确的文件", file=display)
    return tables

