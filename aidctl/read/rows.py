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

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from aidctl.core.text import fold_arrow, fold_one, starts_with
from aidctl.read.merged import containing, covering

BLANK = "blank"
TOTAL = "total"  # the kind of rules' skip_markers whose rows are totals (合计, 小计)
REPEATED_HEADER = "repeated_header"
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
            empty: np.ndarray) -> np.ndarray:
    """Why each row under the header is not a student (a word of `markers`, BLANK, REPEATED_HEADER),
    or None, as an object array.

    `body` is the raw cells below the header, a column each in the sheet's order; `data` the folded
    canonical columns on the same rows; `header_texts` maps a field to the header texts of its
    column (the header row and the group header), for finding the header repeated in the data;
    `name_words` are the spellings of the 姓名 header; `markers` the skip words by kind; `empty` is
    True for the rows blank in every column but 序号."""
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


def withdrawn_parts(merges: list[tuple[int, int, int, int]], why: np.ndarray, body: list[pa.Array],
                    spans: list[int], excel_rows: np.ndarray, words) -> list[tuple[int, int, str, str]]:
    """The parts of a table under a caption row whose text withdraws them (二、未通过审核学生名单, 以下学生
    不予资助, 备用名单: the words of status.withdrawn_sheets and withdrawn_remarks), each to the next
    caption or the end. A caption is a row with text but no student's value (dropped as blank), or a
    row merged across both the 姓名 and the 身份证号码 columns (no student's row is; it is dropped as
    a caption, not read as a student named by its text). `body` is the raw cells under the header by
    column, `spans` the sheet columns of 姓名 and 身份证号码 (where the table has them), `merges` the
    sheet's merged ranges. Sets the merged captions' reason in `why`."""
    if len(spans) == 2:
        across = containing(excel_rows, covering(merges, min(spans), max(spans))) >= 0
        why[across & (why == None)] = CAPTION  # noqa: E711
    at = np.flatnonzero((why == BLANK) | (why == CAPTION))
    if len(at) == 0:
        return []
    texts = pc.coalesce(*[column.take(pa.array(at)).cast(pa.large_string()) for column in body])
    folded = fold_arrow(texts)   # null where the row holds no text: no caption
    at, texts, folded = at[folded.is_valid().to_numpy(zero_copy_only=False)], texts.filter(folded.is_valid()), \
        folded.filter(folded.is_valid())
    vocabulary = list(dict.fromkeys(w for w in [*words.withdrawn_sheets, *words.withdrawn_remarks] if w))
    word = np.full(len(at), None, dtype=object)
    for w in reversed(vocabulary):   # the first word of the list that a caption holds is the one named
        word[_flags(pc.match_substring(folded, fold_one(w)))] = w
    out = []
    for k in np.flatnonzero(word != None):  # noqa: E711 (the withdrawing captions: a few)
        last = int(excel_rows[at[k + 1]]) - 1 if k + 1 < len(at) else int(excel_rows[-1])
        out.append((int(excel_rows[at[k]]), last, texts[int(k)].as_py().strip(), word[k]))
    return out
