"""Which rows under a header are not students, and why: blank rows, totals (合计, 一班小计),
signatures and contact lines (制表人, 填表人, 联系电话), notes and markers (注：, 以下为补报学生,
以下空白, （本页以下无正文）), and the header repeated inside the data. The words are in
rules/vocabulary.yaml (`rows`); nothing here names one.

A row carrying an ID number is a student whatever else it holds, so only the others are judged.
An ID number is a cell of six or more digits without a Chinese character in it: "联系电话：1380…"
typed under 身份证号码 is a footer, "4201021995" is a student with a bad ID.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from aidctl.core.text import fold_arrow, fold_one, one_array, starts_with
from aidctl.read.merged import containing, covering

BLANK = "blank"
TOTAL = "total"  # the kind of rules' skip_markers whose rows are totals (合计, 小计)
REPEATED_HEADER = "repeated_header"
FEW_CAPTIONS = 64    # captions of a table looked at in Python (Captions.holding)
NOTE = "note"        # the kind of rules' skip_markers whose rows are notes (注：…, 以下为…)
CAPTION = "caption"  # a row merged across the student's columns: a part's title, not a student (read.tables)
_LEADING_PUNCT = r"^[\s(\[（【〔<《*＊#\-—_·.。、]+"
_CJK = "[\u3400-\u9fff]"  # the characters themselves: Arrow's RE2 knows no \u escape


def lead(arr: pa.Array) -> pa.Array:
    """Text without brackets, dashes or stars in front ("(本页以下无正文)" → "本页以下无正文)")."""
    return pc.replace_substring_regex(arr, _LEADING_PUNCT, "")


def _flags(arr: pa.Array) -> np.ndarray:
    return arr.fill_null(False).to_numpy(zero_copy_only=False)


def reasons(body: list[pa.Array], data: dict[str, pa.Array], header_texts: dict[str, set[str]],
            name_words: set[str], markers: dict[str, list[str]], total_anywhere: list[str],
            empty: np.ndarray, states_unit=None, unit_words: re.Pattern | None = None) -> np.ndarray:
    """Why each row under the header is not a student (a word of `markers`, BLANK, REPEATED_HEADER),
    or None, as an object array.

    `body` is the raw cells below the header, a column each in the sheet's order; `data` the folded
    canonical columns on the same rows; `header_texts` maps a field to the header texts of its
    column (the header row and the group header), for finding the header repeated in the data;
    `name_words` are the spellings of the 姓名 header; `markers` the skip words by kind; `empty` is
    True for the rows blank in every column but 序号; `states_unit(text)` is true for a text that states
    a unit of money: a row whose one filled cell does so (单位为万元, （万元）, 金额以万元为单位) is a note
    (asked only of the cells `unit_words` finds a word of a unit in)."""
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
    found[(named | (repeated >= 2)) & (found == None)] = REPEATED_HEADER  # noqa: E711
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
