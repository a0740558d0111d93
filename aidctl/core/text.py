"""Vectorised text clean-up: full-width to half-width (NFKC), spaces, vocabulary look-ups."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

STRING = pd.StringDtype("pyarrow")
CARDINALITY_SAMPLE = 2_048


def one_array(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    """An array, or a chunked array as one array: a single chunk as it is (combine_chunks copies
    even that: a 500,000-row column held twice)."""
    if isinstance(arr, pa.Array):
        return arr
    return arr.chunk(0) if arr.num_chunks == 1 else arr.combine_chunks()


def arrow_text(series: pd.Series) -> pa.Array:
    """A text Series as one Arrow large_string array (no copy of the values when Arrow-backed)."""
    if isinstance(series.array, pd.arrays.ArrowStringArray):
        arr = one_array(series.array._pa_array)
    else:
        arr = pa.array(series.astype(STRING), type=pa.large_string())
    return arr.cast(pa.large_string())


def text_series(arr: pa.Array, index: pd.Index) -> pd.Series:
    """An Arrow string array as a text Series on `index` (the values are not copied)."""
    return pd.Series(pd.arrays.ArrowStringArray(arr.cast(pa.large_string())), index=index)


def integer_text(values) -> pa.Array:
    """Integers as decimal text ("7", "-12"), one Arrow large_string array."""
    return pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.large_string())


def filled(text: pd.Series) -> pd.Series:
    """True where a cell holds something other than spaces (what a reader of a number must name
    when it cannot read it; a blank cell says nothing)."""
    return text.astype("string").str.strip().fillna("").ne("")


def whole_numbers(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Each cell's whole number as written plainly ("12", or "12.0" as a number cell saved it), as
    Int64; and the text of each non-blank cell that is something else ("2a", "2.5", "1e3", "七"):
    never coerced, rounded or cast, for the caller to name. Blank → NA in both."""
    raw = text.astype("string")
    digits = raw.str.extract(r"^\s*(\d{1,15})(?:\.0+)?\s*$", expand=False)
    number = pd.to_numeric(digits).astype("Int64")
    return number, raw.where(filled(raw) & number.isna())


def blank_text(length: int, index: pd.Index) -> pd.Series:
    """A text column with nothing in it (a column a file lacks), without a value per row."""
    return pd.Series(pd.arrays.ArrowStringArray(pa.nulls(length, pa.large_string())), index=index)


def fold(series: pd.Series, *, keep_inner_spaces: bool = False) -> pd.Series:
    """NFKC-fold (Ｘ→X, ４→4, （→( ), trim, drop inner spaces unless told; empty → NA (fold_arrow)."""
    return text_series(fold_arrow(arrow_text(series), keep_inner_spaces=keep_inner_spaces), series.index)


def fold_arrow(arr: pa.Array | pa.ChunkedArray, *, keep_inner_spaces: bool = False) -> pa.Array:
    """`fold` of an Arrow text array, as one large_string array.

    Most roster columns repeat a few values (学校, 年级, 户口性质 …): those are folded once per
    distinct value. Columns of mostly distinct values (姓名, 身份证号) are folded directly.
    """
    arr = one_array(arr)
    arr = arr.cast(pa.large_string())
    sample = arr.slice(0, CARDINALITY_SAMPLE)  # hashing costs more than folding when most values differ
    if len(arr) > 4 * len(sample) and pc.count_distinct(sample).as_py() * 4 < len(sample):
        encoded = pc.dictionary_encode(arr)
        return pc.take(_fold_array(encoded.dictionary, keep_inner_spaces), encoded.indices)
    return _fold_array(arr, keep_inner_spaces)


def starts_with(arr: pa.Array, prefixes: list[str]) -> np.ndarray:
    """True where the (folded) text begins with one of `prefixes` (blank → False)."""
    if not prefixes or len(arr) == 0:
        return np.zeros(len(arr), dtype=bool)
    pattern = "^(?:" + "|".join(re.escape(fold_one(p)) for p in prefixes) + ")"
    return pc.match_substring_regex(arr, pattern).fill_null(False).to_numpy(zero_copy_only=False)


def value_bytes(arr: pa.Array) -> np.ndarray:
    """The UTF-8 bytes of all values of a (large_)string array, as one uint8 view (no copy)."""
    arr = arr.cast(pa.large_string())
    _, offsets, data = arr.buffers()
    if data is None or len(arr) == 0:
        return np.zeros(0, dtype=np.uint8)
    bounds = np.frombuffer(offsets, dtype=np.int64)[[arr.offset, arr.offset + len(arr)]]
    return np.frombuffer(data, dtype=np.uint8)[bounds[0]:bounds[1]]


def _fold_array(arr: pa.Array, keep_inner_spaces: bool) -> pa.Array:
    arr = pc.utf8_normalize(arr, form="NFKC")
    # RE2's \s is ASCII whitespace only (after NFKC, U+3000 and U+00A0 are plain spaces too): one
    # pass over the bytes tells whether any value holds some, which most columns do not
    if (value_bytes(arr) <= 0x20).any():
        spaced = pc.match_substring_regex(arr, r"\s")
        if keep_inner_spaces:
            fixed = pc.replace_substring_regex(pc.utf8_trim_whitespace(arr), r"\s+", " ")
        else:
            fixed = pc.replace_substring_regex(arr, r"\s+", "")
        arr = pc.if_else(spaced, fixed, arr)
    if pc.any(pc.equal(pc.binary_length(arr), 0)).as_py():
        arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr)
    return arr


def missing(value: object) -> bool:
    """True for a scalar with nothing in it: None, NaN, pd.NA, NaT."""
    return value is None or (not isinstance(value, (str, bytes)) and bool(pd.isna(value)))


def text_or_none(value: object) -> str | None:
    """A cell value as text, or None where it holds nothing."""
    return None if missing(value) else str(value)


def text_or_empty(value: object) -> str:
    """A cell value as text, or "" where it holds nothing (what a workbook cell shows)."""
    return "" if missing(value) else str(value)


def column_letters(index: int) -> str:
    """A sheet's column as Excel names it: 0 → 'A', 27 → 'AB'."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def fold_one(text: object) -> str:
    """The same folding for one value (headers, vocabulary words)."""
    if missing(text):
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))


def per_distinct(series: pd.Series, fn) -> pd.Series:
    """`fn` applied once per distinct non-blank value, spread back as a categorical (blank → NA).

    Coded columns (年级, 户口性质, 学校 …) hold a handful of distinct values among many rows.
    """
    codes, uniques = pd.factorize(series)
    targets = [fn(u) for u in uniques]
    cats = list(dict.fromkeys(t for t in targets if t is not None and t == t))
    position = {c: i for i, c in enumerate(cats)}
    remap = np.array([position.get(t, -1) if t is not None and t == t else -1 for t in targets] + [-1],
                     dtype=np.int64)
    return pd.Series(pd.Categorical.from_codes(remap[codes], categories=cats), index=series.index)


KEY_SPAN = 2**63  # combinations a 64-bit key numbers exactly (per_distinct_rows)


def per_distinct_rows(frame: pd.DataFrame, columns: list[str], fn, outputs: list[str]) -> pd.DataFrame:
    """`fn(*values)` → a tuple of `outputs`, called once per distinct combination of `columns`
    (blank → None) and spread back over the rows as object columns."""
    key, span = np.zeros(len(frame), dtype=np.int64), 1  # each combination's number; how many there can be
    for col in columns:
        c, uniques = pd.factorize(frame[col])
        width = len(uniques) + 1  # blank → 0
        if span * width > KEY_SPAN:  # the next number would wrap: renumber the combinations seen so far
            _, key = np.unique(key, return_inverse=True)
            span = int(key.max(initial=0)) + 1
        key, span = key * width + (c.astype(np.int64) + 1), span * width
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    sample = frame[columns].iloc[first].astype(object)
    results = [fn(*[None if missing(v) else v for v in row])
               for row in sample.itertuples(index=False, name=None)]
    table = np.empty((len(results), len(outputs)), dtype=object)
    for i, r in enumerate(results):
        table[i] = r
    spread = table[inverse] if len(frame) else np.empty((0, len(outputs)), dtype=object)
    return pd.DataFrame(spread, columns=outputs, index=frame.index)


def lookup(series: pd.Series, words: dict) -> pd.Series:
    """Map folded cell text to a canonical word through `{canonical: [spellings]}` (or
    `{spelling: value}`); unknown or blank → NA, as a categorical."""
    table: dict[str, object] = {}
    for canonical, spellings in words.items():
        if isinstance(spellings, list):
            for s in spellings:
                table[fold_one(s).upper()] = canonical
            table[fold_one(canonical).upper()] = canonical
        else:
            table[fold_one(canonical).upper()] = spellings
    return per_distinct(series, lambda v: table.get(fold_one(v).upper()))
