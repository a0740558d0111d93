"""Which rows under a header are not students, and why: blank rows, totals (合计, 一班小计),
signatures and contact lines (制表人, 填表人, 联系电话), notes and markers (注：, 以下为补报学生,
以下空白, （本页以下无正文）), and the header repeated inside the data. The words are in
rules/vocabulary.yaml (`rows`); nothing here names one.

A row that looks like a header is the header repeated only when it IS the header again: every
column's text, folded as the header's, the same in the same place. One that differs (another unit,
another order, another field, a column more or less) is OTHER_HEADER: another table starts there,
read by its own header (header_at), never by the one above it (read.tables).

A row carrying an ID number is a student whatever else it holds, so only the others are judged.
An ID number is a cell of six or more digits without a Chinese character in it: "联系电话：1380…"
typed under 身份证号码 is a footer, "4201021995" is a student with a bad ID.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from aidctl.core.findings import file_finding
from aidctl.core.text import column_letters, fold_arrow, fold_one, one_array, starts_with
from aidctl.read.header import (
    HEADER_SEARCH_ROWS,
    MARKERS,
    ColumnMatch,
    Header,
    find_header,
    matcher_of,
    split_header_remarks,
)
from aidctl.read.merged import containing, covering
from aidctl.read.workbook import RawSheet
from aidctl.rulebook import TableSpec

BLANK = "blank"
TOTAL = "total"  # the kind of rules' skip_markers whose rows are totals (合计, 小计)
REPEATED_HEADER = "repeated_header"
# a row that looks like a header and is not the header again: another table starts (never a kind dropped)
OTHER_HEADER = "other_header"
FEW_CAPTIONS = 64    # captions of a table looked at in Python (Captions.holding)
NOTE = "note"        # the kind of rules' skip_markers whose rows are notes (注：…, 以下为…)
CAPTION = "caption"  # a row merged across the student's columns: a part's title, not a student (read.tables)
_LEADING_PUNCT = r"^[\s(\[（【〔<《*＊#\-—_·.。、]+"
_CJK = "[\u3400-\u9fff]"  # the characters themselves: Arrow's RE2 knows no \u escape
_REMARKS = r"(\([^()]*\))+$"  # after one, folded: 身份证号码(必填), 资助金额(元)


def lead(arr: pa.Array) -> pa.Array:
    """Text without brackets, dashes or stars in front ("(本页以下无正文)" → "本页以下无正文)")."""
    return pc.replace_substring_regex(arr, _LEADING_PUNCT, "")


def _flags(arr: pa.Array) -> np.ndarray:
    return arr.fill_null(False).to_numpy(zero_copy_only=False)


def reasons(body: list[pa.Array], data: dict[str, pa.Array], header_texts: dict[str, set[str]],
            name_words: set[str], markers: dict[str, list[str]], total_anywhere: list[str],
            empty: np.ndarray, states_unit=None, unit_words: re.Pattern | None = None,
            again: HeaderAgain | None = None) -> np.ndarray:
    """Why each row under the header is not a student (a word of `markers`, BLANK, REPEATED_HEADER,
    OTHER_HEADER), or None, as an object array.

    `body` is the raw cells below the header, a column each in the sheet's order; `data` the folded
    canonical columns on the same rows; `header_texts` maps a field to the header texts of its
    column (the header row and the group header), for finding the header repeated in the data;
    `name_words` are the spellings of the 姓名 header; `markers` the skip words by kind; `empty` is
    True for the rows blank in every column but 序号; `states_unit(text)` is true for a text that states
    a unit of money: a row whose one filled cell does so (单位为万元, （万元）, 金额以万元为单位) is a note
    (asked only of the cells `unit_words` finds a word of a unit in). With `again`, a row that looks
    like a header (the name or two fields' headers in their columns, or a header's fields anywhere)
    is REPEATED_HEADER when it is one of the header's rows again, else OTHER_HEADER; without it,
    REPEATED_HEADER."""
    out = np.full(len(empty), None, dtype=object)
    if "id_number" in data:
        ids = data["id_number"]
        id_like = _flags(pc.and_kleene(pc.match_substring_regex(ids, r"\d{6}"),
                                       pc.invert(pc.match_substring_regex(ids, _CJK))))
        rows = np.flatnonzero(~id_like)
    else:
        rows = np.arange(len(empty))
    if len(rows) == 0:
        return out
    take = pa.array(rows)
    sub = [column.take(take).cast(pa.large_string()) for column in body]
    texts = [fold_arrow(c) for c in sub[:2]]
    # a signature row may start further right: "制表人：" under 身份证号码, the first cells blank
    first_filled = fold_arrow(pc.coalesce(*sub) if len(sub) > 1 else sub[0]) if sub \
        else pa.nulls(len(rows), pa.large_string())
    texts.append(first_filled)
    picked = {k: data[k].take(take) for k in ("seq", "name") if k in data}
    texts += picked.values()
    texts = [lead(t) for t in texts]
    found = np.full(len(rows), None, dtype=object)
    for kind, words in markers.items():
        hit = np.zeros(len(rows), dtype=bool)
        for text in texts:
            hit |= starts_with(text, words)
        found[hit & (found == None)] = kind  # noqa: E711 (an object array, element by element)
    if total_anywhere:
        pattern = "|".join(re.escape(fold_one(w)) for w in total_anywhere)
        hit = _flags(pc.match_substring_regex(first_filled, pattern))
        if "name" in picked:
            hit |= _flags(pc.match_substring_regex(picked["name"], pattern))
        kind = TOTAL if TOTAL in markers else next(iter(markers), "marker")
        found[hit & (found == None)] = kind  # noqa: E711
    if states_unit is not None and sub:
        alone = np.flatnonzero((np.sum([_flags(c.is_valid()) for c in sub], axis=0) == 1) & (found == None))  # noqa: E711
        if len(alone) and unit_words is not None:  # the few that hold a 单位 word or 元, then in Python
            cells = pc.coalesce(*[c.take(pa.array(alone)) for c in sub])
            alone = alone[_flags(pc.match_substring_regex(cells, unit_words.pattern))]
            cells = pc.coalesce(*[c.take(pa.array(alone)) for c in sub]).to_pylist() if len(alone) else []
            found[alone[np.array([bool(states_unit(text)) for text in cells], dtype=bool)]] = NOTE
    repeated = np.zeros(len(rows), dtype=int)
    for key, words in header_texts.items():
        if key in data and words:
            repeated += _flags(pc.is_in(data[key].take(take), value_set=pa.array(sorted(words), pa.large_string())))
    if "name" in picked:  # a header repeated inside the data (classes pasted one under another)
        named = _flags(pc.is_in(picked["name"], value_set=pa.array(sorted(name_words), pa.large_string())))
    else:
        named = np.zeros(len(rows), dtype=bool)
    looks = (named | (repeated >= 2)) & (found == None)  # noqa: E711
    if again is not None:
        free = np.flatnonzero(~looks & (found == None) & ~np.asarray(empty, dtype=bool)[rows])  # noqa: E711
        if len(free):  # a header in another order (every column moved) names its fields all the same
            looks[free[again.spelled([c.take(pa.array(free)) for c in sub])]] = True
        at = np.flatnonzero(looks)
        same = again.same([c.take(pa.array(at)) for c in sub]) if len(at) else np.zeros(0, dtype=bool)
        found[at[same]] = REPEATED_HEADER
        found[at[~same]] = OTHER_HEADER
    else:
        found[looks] = REPEATED_HEADER
    out[rows] = found
    # a row whose only text is a marker ("合计" under 序号) is that kind of row, not a blank one
    out[np.asarray(empty, dtype=bool) & (out == None)] = BLANK  # noqa: E711
    return out


@dataclass
class Captions:
    """The rows under a header that speak of the rows around them rather than being students: rows
    with text but no student's value (dropped as blank), rows merged across both the 姓名 and the
    身份证号码 columns (no student's row is), and notes (注：…, 以下为…). Their Excel rows, text as
    written and folded, in sheet order."""

    rows: np.ndarray
    texts: pa.Array
    folded: pa.Array

    def holding(self, words: list[str]) -> np.ndarray:
        """The first word of `words` each caption holds (None where none), as an object array. A
        table's few captions are looked at in Python (a call into Arrow a word costs more); many, by
        Arrow a word at a time."""
        words = [(w, fold_one(w)) for w in dict.fromkeys(w for w in words if w)]
        found = np.full(len(self.rows), None, dtype=object)
        if len(self.rows) <= FEW_CAPTIONS:
            for i, text in enumerate(self.folded.to_pylist()):
                found[i] = next((w for w, f in words if f in text), None)
            return found
        for w, f in reversed(words):
            found[_flags(pc.match_substring(self.folded, f))] = w
        return found


def captions(why: np.ndarray, body: list[pa.Array], excel_rows: np.ndarray, merges: list[tuple[int, int, int, int]],
             spans: list[int]) -> Captions:
    """The captions of a table (Captions). `body` is the raw cells under the header by column, `spans`
    the sheet columns of 姓名 and 身份证号码 (where the table has them), `merges` the sheet's merged
    ranges. A row merged across both is set to CAPTION in `why`: dropped, never read as a student
    named by its text."""
    if len(spans) == 2:
        across = containing(excel_rows, covering(merges, min(spans), max(spans))) >= 0
        why[across & (why == None)] = CAPTION  # noqa: E711
    at = np.flatnonzero((why == BLANK) | (why == CAPTION) | (why == NOTE))
    if len(at) == 0 or not body:   # (most tables: nothing to look at)
        none = pa.array([], pa.large_string())
        return Captions(np.zeros(0, dtype=np.int64), none, none)
    texts = one_array(pc.coalesce(*[column.take(pa.array(at, pa.int64())).cast(pa.large_string()) for column in body]))
    folded = fold_arrow(texts)
    # a blank row holds no text, a numbered empty row only its 序号: neither is a caption
    held = pc.and_(folded.is_valid(), pc.invert(pc.fill_null(pc.match_substring_regex(folded, r"^[0-9.]+$"), False)))
    return Captions(excel_rows[at[held.to_numpy(zero_copy_only=False)]], texts.filter(held), folded.filter(held))


def with_unit_notes(markers: dict[str, list[str]], unit_line: list[str]) -> dict[str, list[str]]:
    """The skip markers by kind, a line stating the unit of money (a word of columns.yaml
    `header_words.unit_line` and a colon: 单位：万元) among the notes."""
    unit = [f"{w}：" for w in unit_line]
    return {**markers, NOTE: [*markers.get(NOTE, []), *unit]} if unit else markers


def unread_cells(why: np.ndarray, body: list[pa.ChunkedArray], excel_rows: np.ndarray,
                 words: re.Pattern | None) -> list[tuple[int, str]]:
    """(Excel row, text) of the cells holding one of `words` (the 单位 words) in the rows under the
    header not read as records (合计, 制表人, notes, blank rows with text beside the table; not the
    header repeated, whose 资助资金（单位：万元） is a header's unit): every cell of those rows, in the
    sheet's order."""
    at = np.flatnonzero((why != None) & (why != REPEATED_HEADER))  # noqa: E711 (object array, element by element)
    if not len(at) or not body or words is None:
        return []
    take = pa.array(at)
    if len(at) <= FEW_CAPTIONS:  # a 合计 and a 制表人 row: taken at once and looked at in Python
        rows = pa.table({str(i): column for i, column in enumerate(body)}).take(take).to_pylist()
        return [(int(excel_rows[k]), value) for k, row in zip(at, rows) for value in row.values()
                if isinstance(value, str) and words.search(value)]
    text = pa.large_string()
    cells = pa.chunked_array([chunk.cast(text) for column in body for chunk in column.take(take).chunks], type=text)
    hit = np.flatnonzero(_flags(pc.match_substring_regex(cells, words.pattern)))
    if not len(hit):
        return []
    rows = excel_rows[at][hit % len(at)].tolist()
    return sorted(zip(rows, cells.take(pa.array(hit)).to_pylist()), key=lambda cell: cell[0])


def unread_rows(why: np.ndarray, body: dict, excel_rows: np.ndarray) -> list[tuple[int, list[tuple[int, str]]]]:
    """The rows under the header not read as records (合计, signature and note rows, a footer; not
    the header repeated), each with its cells that hold text and their columns, as
    Table.above_cells gives the rows above it."""
    at = np.flatnonzero((why != None) & (why != REPEATED_HEADER))  # noqa: E711 (object array, element by element)
    if not len(at) or not body:
        return []
    columns = list(body)
    rows = pa.table({str(i): body[c] for i, c in enumerate(columns)}).take(pa.array(at)).to_pylist()
    out = []
    for k, row in zip(at, rows):
        cells = [(int(c), v.strip()) for c, v in zip(columns, row.values()) if isinstance(v, str) and v.strip()]
        if cells:
            out.append((int(excel_rows[k]), cells))
    return out


def withdrawing(words) -> list[str]:
    """The words that withdraw students in a caption, a note or a sheet's name: status.withdrawn_sheets
    and status.withdrawn_remarks of rules/vocabulary.yaml."""
    return [*words.withdrawn_sheets, *words.withdrawn_remarks]


def withdrawn_parts(found: Captions, last_row: int, words, colour_words: list[str]) -> list[tuple[int, int, str, str]]:
    """The parts of a table under a caption whose text withdraws them (二、未通过审核学生名单, 以下为未通过
    审核学生, 备用名单: the words of status.withdrawn_sheets and withdrawn_remarks), each to the next
    caption or the table's `last_row`: (caption row, last row, caption, word). A caption that withdraws
    by colour (colour_notes) speaks of the coloured rows, not of the part below it."""
    word = found.holding(withdrawing(words))
    word[found.holding(colour_words) != None] = None  # noqa: E711
    out = []
    for k in np.flatnonzero(word != None):  # noqa: E711 (the withdrawing captions: a few)
        last = int(found.rows[k + 1]) - 1 if k + 1 < len(found.rows) else last_row
        out.append((int(found.rows[k]), last, found.texts[int(k)].as_py().strip(), word[k]))
    return out


def colour_notes(found: Captions, above: list[str], colour_words: list[str], words) -> list[tuple[int | None, str, str]]:
    """The captions and notes, and the lines above the header, that tell students apart by the look
    of their rows and withdraw some of them (红色标注的学生未通过审核, 标黄的已退学): a colour word of
    `colour_words` and a withdrawal word (status.withdrawn_sheets, withdrawn_remarks) together. aidctl
    does not read a cell's colour. (Excel row or None above the header, text, colour word)."""
    out = []
    for line in above:   # a title and a 填报单位 line or two (HEADER_SEARCH_ROWS at most)
        text = fold_one(line)
        colour = next((w for w in colour_words if w and fold_one(w) in text), None)
        if colour is not None and any(w and fold_one(w) in text for w in withdrawing(words)):
            out.append((None, line.strip(), colour))
    if len(found.rows):
        colour, withdrawn = found.holding(colour_words), found.holding(withdrawing(words))
        out += [(int(found.rows[k]), found.texts[int(k)].as_py().strip(), colour[k])
                for k in np.flatnonzero((colour != None) & (withdrawn != None))]  # noqa: E711
    return out


@dataclass
class HeaderAgain:
    """What tells the header found again inside the data from another header there: the header's rows
    in `sheet` (its group-header row, then its own: `at`), and the header spellings of the table's
    fields (header.alias_table), how many fields a header names at least and those it must name (the
    table spec's rule for a header)."""

    sheet: RawSheet
    at: list[int]
    spellings: dict[str, str]
    least: int
    must: list[str]

    @functools.cached_property
    def rows(self) -> np.ndarray:
        """The header's rows, each its cells folded (None where blank), a column each in the sheet's
        order: made when a row that looks like a header is met."""
        at = pa.array(np.asarray(self.at, dtype=np.int64) - 1)
        return _folded([self.sheet.column(c).take(at) for c in self.sheet.columns]).T

    def same(self, cells: list[pa.Array]) -> np.ndarray:
        """True for each row of `cells` (a column each, in the sheet's order) that is one of the
        header's rows again: every column's text, folded as the header's, the same, blank where it
        is blank (a unit, an order, a field or a column more or less: not the same)."""
        grid = _folded(cells)
        out = np.zeros(grid.shape[1], dtype=bool)
        for head in self.rows:
            out |= (grid == head[:, None]).all(axis=0)
        return out

    def spelled(self, cells: list[pa.Array]) -> np.ndarray:
        """True for each row of `cells` whose cells name, in whatever columns, as many fields as a
        header must and the fields it must name (姓名): a header whose every column moved."""
        count = len(cells[0]) if cells else 0
        fields = sorted(set(self.spellings.values()))
        if not count or not fields:
            return np.zeros(count, dtype=bool)
        keys = pa.array(list(self.spellings), pa.large_string())
        field_of = np.array([fields.index(v) for v in self.spellings.values()], dtype=np.int64)
        text = pc.replace_substring_regex(pc.replace_substring_regex(_folded(cells, grid=False), MARKERS, ""),
                                          _REMARKS, "")
        at = pc.fill_null(pc.index_in(pc.utf8_upper(text), value_set=keys), -1).to_numpy(zero_copy_only=False)
        hit = np.flatnonzero(at >= 0)
        named = np.zeros((count, len(fields)), dtype=bool)
        named[hit % count, field_of[at[hit]]] = True
        must = [fields.index(k) for k in self.must if k in fields]
        return (named.sum(axis=1) >= self.least) & named[:, must].all(axis=1)


def _folded(cells: list, grid: bool = True):
    """`cells` (a column each, as many rows each) folded in one call: a columns × rows object array
    (None where blank), or with `grid` False the Arrow array, column after column."""
    text = pa.large_string()
    chunks = [chunk.cast(text) for column in cells
              for chunk in (column.chunks if isinstance(column, pa.ChunkedArray) else [column])]
    folded = fold_arrow(pa.chunked_array(chunks, type=text))
    if not grid:
        return folded
    return np.asarray(folded.to_pylist(), dtype=object).reshape(len(cells), len(cells[0]) if cells else 0)


def header_again(sheet: RawSheet, header: Header | None, header_row: int, spec, matcher) -> HeaderAgain:
    """The HeaderAgain of a table whose header is `header` (at `header_row`) in `sheet`; `matcher`
    its spec's (header.matcher_of), whose alias table it reads."""
    rows = [r for r in (header.parent_row if header is not None else None, header_row) if r]
    return HeaderAgain(sheet, rows, matcher.aliases, spec.min_header_matches, list(spec.header_must_have))


def _window(sheet: RawSheet, first: int, last: int) -> RawSheet:
    """Excel rows first … last of `sheet` as a sheet of their own (row `first` its row 1), with the
    merged ranges over them."""
    table = pa.table({str(c): sheet.column(c).slice(first - 1, last - first + 1) for c in sheet.columns})
    merges = [(max(r1, first) - first + 1, c1, min(r2, last) - first + 1, c2)
              for r1, c1, r2, c2 in sheet.merges if r1 <= last and r2 >= first]
    return RawSheet(sheet.name, table=table, columns=sheet.columns, merges=merges,
                    hidden_columns=sheet.hidden_columns)


def _moved(header: Header, by: int) -> Header:
    """A header found in a window of the sheet, its rows numbered as the sheet's."""
    def line(m: ColumnMatch) -> ColumnMatch:
        return replace(m, unit_line=m.unit_line + by) if m.unit_line is not None else m

    return replace(header, row=header.row + by, parent_row=header.parent_row + by if header.parent_row else None,
                   candidates={k: [line(m) for m in c] for k, c in header.candidates.items()},
                   unit_lines=[replace(u, row=u.row + by) for u in header.unit_lines])


def refines(sheet: RawSheet, row: int, again: HeaderAgain, matcher) -> bool:
    """Whether Excel row `row`, a row that looks like the header `again`, only adds to it: each of its
    cells is the header's text in that column again (blank where it is blank), or names no field, no
    unit and no word of money, a date or an account (the table's `watch` words): the header's lower
    row repeated alone, 本学期 under 资助金额（万元）. Its fields and units then stand."""
    watch = [fold_one(w) for w in matcher.spec.watch if w]
    cells = _folded([sheet.column(c).slice(row - 1, 1) for c in sheet.columns])[:, 0]
    for j, cell in enumerate(cells):
        if any(head[j] == cell for head in again.rows):
            continue
        if cell is None or matcher.match(cell, None) is not None or matcher.states_unit(cell) \
                or any(w in cell for w in watch):
            return False
    return True


def first_other(rows: np.ndarray, same: np.ndarray, sheet: RawSheet, again: HeaderAgain, matcher) -> int | None:
    """The first of `rows` (Excel rows that look like a header, in order; `same`: each is the header
    again) that starts another table: neither the header again nor a row that only adds to it
    (refines: the lower row of the header repeated alone, 本学期 under 资助金额（万元）)."""
    for row in rows[~same]:   # a few
        if not refines(sheet, int(row), again, matcher):
            return int(row)
    return None



def last_row(sheet: RawSheet, again, matcher, looks: np.ndarray) -> int:
    """The last row a part under a later header can hold: the row above the first of `looks` (the rows
    under it that the first pass found looking like a header, in order) that neither is its header
    again nor only adds to it (rows.first_other); the sheet's last row when none. Looked at a few at a
    time, then twice as many: a long table repeats its header on every printed page."""
    size = 8
    while len(looks):
        head, looks, size = looks[:size], looks[size:], size * 2
        same = again.same([sheet.column(c).take(pa.array(head - 1)) for c in sheet.columns])
        if (differ := first_other(head, same, sheet, again, matcher)) is not None:
            return differ - 1
    return sheet.rows


def refining(why: np.ndarray, excel_rows: np.ndarray, sheet: RawSheet, again: HeaderAgain, matcher) -> None:
    """The rows that look like a header and only add to it (refines), before the first that starts
    another table: set to REPEATED_HEADER in `why`, part of the header, as they always were."""
    at = np.flatnonzero(why == OTHER_HEADER)
    other = first_other(excel_rows[at], np.zeros(len(at), dtype=bool), sheet, again, matcher)
    why[at[excel_rows[at] < other if other is not None else slice(None)]] = REPEATED_HEADER


def header_at(sheet: RawSheet, rows: list[int], spec, units: dict[str, Decimal], words) -> Header:
    """The header of the table under `rows` (Excel rows that look like a header, one under another):
    the lowest of them that does more than add to the one above it (refines) or is read with it as
    a header on two rows, as find_header reads a sheet's first header (the row above its group
    header where that one is merged over its sub-columns)."""
    matcher = matcher_of(spec, units, words)
    found = _header_of(sheet, rows[:1], spec, units, words)
    for k in range(1, len(rows)):
        lower = _header_of(sheet, rows[:k + 1], spec, units, words)
        if lower.parent_row == rows[k - 1] or not refines(sheet, rows[k], header_again(sheet, found, found.row, spec,
                                                                                       matcher), matcher):
            found = lower
    return found


def _header_of(sheet: RawSheet, rows: list[int], spec, units: dict[str, Decimal], words) -> Header:
    """The header at the last of `rows`, with the one above it as its group header where find_header
    takes it so. A row that is no header by find_header's rule (no 姓名, too few fields) stands for the
    fields it names, so that the table under it lacks the others (schema.missing_column) and is never
    read by another header."""
    last = rows[-1]
    for first in ([last - 1] if len(rows) > 1 and rows[-2] == last - 1 else []) + [last]:
        found = find_header(_window(sheet, first, last), spec, units, words)
        if found is not None and found.row == last - first + 1 and (first == last or found.parent_row):
            return _moved(found, first - 1)
    matcher = matcher_of(spec, units, words)
    cells = {c: v for c in sheet.columns if (v := sheet.column(c)[last - 1].as_py()) is not None}
    candidates: dict[str, list[ColumnMatch]] = {}
    for col, cell in cells.items():
        hit = matcher.match(cell, None)
        if hit is not None:
            key, level, unit, word, _, unknown = hit
            candidates.setdefault(key, []).append(ColumnMatch(key, col, str(cell).strip(), unit or Decimal(1), level,
                                                              col in sheet.hidden_columns, word, unit is not None,
                                                              unknown))
    for found in candidates.values():
        found.sort(key=lambda m: (-m.level, m.hidden, m.index))
    return Header(last, None, candidates, {c: fold_one(v) for c, v in cells.items()})


def header_difference(before: dict[int, str], after: dict[int, str], shown: int = 3) -> str:
    """How a header differs from the one above it, column by column (`before`, `after`: each column's
    header as written): 'H列“资助金额（万元）”，此处为“资助金额（元）”'."""
    differ = [c for c in sorted(before.keys() | after.keys())
              if fold_one(before.get(c)) != fold_one(after.get(c))]
    said = [f"{column_letters(c)}列“{before.get(c) or '空'}”，此处为“{after.get(c) or '空'}”" for c in differ[:shown]]
    return "；".join(said) + ("等" if len(differ) > shown else "")


def grand_totals(why: np.ndarray, body: dict[int, pa.Array], data: dict[str, pa.Array], excel_rows: np.ndarray,
            grand_words: list[str]) -> list[tuple[int, str | None, str | None]]:
    """The whole-table total rows dropped (their first text begins with a word of `grand_words`:
    合计, not 一班小计), with that text and their amount as read (folded), for the check of a
    school's own total (check.totals)."""
    at = np.flatnonzero(why == TOTAL)
    if not len(at) or "amount" not in data or not body or not grand_words:
        return []
    take = pa.array(at)
    cells = [column.take(take).cast(pa.large_string()) for column in body.values()]
    label = pc.coalesce(*[pc.if_else(pc.equal(pc.utf8_trim_whitespace(c), ""), pa.scalar(None, c.type), c)
                          for c in cells])
    grand = starts_with(lead(fold_arrow(label)), grand_words)
    return list(zip(excel_rows[at][grand].tolist(), label.filter(pa.array(grand)).to_pylist(),
                    data["amount"].take(take).filter(pa.array(grand)).to_pylist()))


def header_texts(sheet: RawSheet, header_row: int, header: Header | None,
                  columns: dict[str, ColumnMatch]) -> dict[str, set[str]]:
    """For each field, the folded header texts of its column (header row and group header)."""
    if header is None:
        cells = {c: fold_one(v) for c, v in sheet.top(max(HEADER_SEARCH_ROWS, header_row)).row(header_row).items()}
        parents: dict[int, str] = {}
    else:
        cells, parents = header.header_cells, header.parent_cells
    out = {}
    for key, match in columns.items():
        out[key] = {t for t in (cells.get(match.index), parents.get(match.index)) if t}
    return out


def name_words(spec: TableSpec) -> set[str]:
    if "name" not in spec.columns:
        return set()
    return {fold_one(a) for a in [spec.columns["name"].title, *spec.columns["name"].aliases]}


def header_block(at: int, looks: np.ndarray, header_row: int) -> list[int]:
    """The Excel rows that look like a header one under another around row `at` (below `header_row`)."""
    ahead = set(looks.tolist())
    first, last = at, at
    while first - 1 in ahead and first - 1 > header_row:
        first -= 1
    while last + 1 in ahead:
        last += 1
    return list(range(first, last + 1))


def header_shown(sheet: RawSheet, header: Header | None, row: int) -> dict[int, str]:
    """Each column's header as written: 'group header/header' on two rows."""
    rows = [r for r in (header.parent_row if header is not None else None, row) if r]
    cells = [{c: v.strip() for c in sheet.columns if isinstance(v := sheet.column(c)[r - 1].as_py(), str) and v.strip()}
             for r in rows]
    return {c: "/".join(dict.fromkeys(x[c] for x in cells if c in x)) for c in set().union(*cells)}


def counted(values: np.ndarray) -> dict[str, int]:
    """Each value with its count, the commonest first (ties: the first seen first)."""
    kinds, first, counts = np.unique(values.astype(str), return_index=True, return_counts=True)
    order = sorted(range(len(kinds)), key=lambda i: (-counts[i], first[i]))
    return {str(kinds[i]): int(counts[i]) for i in order}


def unrecognised_columns(tables: list, spec: TableSpec, units: dict[str, Decimal],
                         kind: str) -> list[pd.DataFrame]:
    """schema.unrecognised_column for each header that holds one of the table's `watch` words (it
    names money or a date aidctl reads) but matches no alias: a whole-file finding naming the header
    and the columns it may be, so that it is mapped (an alias) or renamed, never dropped silently."""
    out = []
    for i, t in enumerate(tables):
        for header in t.other_headers:
            base, _, _ = split_header_remarks(header, units)
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


def struck_cells(sheet: RawSheet, columns: dict[str, ColumnMatch], rows: np.ndarray) -> dict[str, np.ndarray] | None:
    """The records' cells of the table's columns whose text is struck out: field → Excel rows."""
    if sheet.struck is None:
        return None
    if not sheet.struck:  # nearly every sheet
        return {}
    cells = np.asarray(sheet.struck, dtype=np.int64).reshape(-1, 2)
    out = {}
    for key, match in columns.items():
        hit = np.unique(cells[cells[:, 1] == match.index, 0])
        hit = hit[np.isin(hit, rows)]
        if len(hit):
            out[key] = hit
    return out
