"""Vectorised text clean-up: full-width to half-width (NFKC, footnote marks kept), spaces, vocabulary look-ups."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

STRING = pd.StringDtype("pyarrow")
CARDINALITY_SAMPLE = 2_048

# Characters that are no decimal digit (Unicode category Nd) but that NFKC turns into digits:
# superscripts and subscripts (¹ ₂), circled, parenthesised and full-stop numbers (① ㉑ ⑴ ⒈ ⓪ 🄁),
# fractions (½ ⅟), and the squared telegraph and unit symbols (㋀ 9月, ㏠ 1日, ㍘ 0点, ㎡ m2). Schools
# write them as footnote marks after an amount or a card number (750¹, 6222…①: 见备注); folded,
# they would become one more digit of it (7501, a 19-digit card). Folding leaves each of them as
# written, so that a number holding one is no number and is reported. Full-width digits (０-９, Nd)
# and the mathematical digits (𝟕, Nd) still fold to 0-9; Roman numerals (Ⅱ, Ⅹ) fold to Latin letters,
# never to digits. The set is NFKC's, found over every code point (tests/test_identity.py keeps it so).
DIGIT_LIKE_RANGES = ((0xB2, 0xB3), (0xB9, 0xB9), (0xBC, 0xBE), (0x2070, 0x2070), (0x2074, 0x2079),
                     (0x2080, 0x2089), (0x2150, 0x215F), (0x2189, 0x2189), (0x2460, 0x249B),
                     (0x24EA, 0x24EA), (0x3251, 0x325F), (0x32B1, 0x32CB), (0x3358, 0x3370),
                     (0x3378, 0x3379), (0x339F, 0x33A6), (0x33A8, 0x33A8), (0x33AF, 0x33AF),
                     (0x33E0, 0x33FE), (0x1F100, 0x1F10A))
DIGIT_LIKE = "[" + "".join(f"\\x{{{a:x}}}-\\x{{{b:x}}}" for a, b in DIGIT_LIKE_RANGES) + "]"  # RE2 (Arrow)
NOT_A_DIGIT = "不是数字（上标、圈码、带括号或带点的序号、分数等脚注记号都不算数字）"  # the messages' words for them
_DIGIT_LIKE_RE = re.compile("([" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in DIGIT_LIKE_RANGES) + "])")


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
    arr = nfkc(arr)
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


def nfkc(arr: pa.Array) -> pa.Array:
    """NFKC of an Arrow text array, each character of DIGIT_LIKE left as written ("750¹" stays
    "750¹", "７５０" is "750"). Only values holding one are split around them (an ASCII column, or one
    without any, costs a pass over its bytes)."""
    marked = None
    if _may_hold_digit_like(value_bytes(arr)):
        marked = pc.fill_null(pc.match_substring_regex(arr, DIGIT_LIKE), False)
    if marked is None or not pc.any(marked).as_py():
        return pc.utf8_normalize(arr, form="NFKC")
    kept = _nfkc_around_marks(pc.filter(arr, marked))
    return pc.replace_with_mask(pc.utf8_normalize(arr, form="NFKC"), marked, kept)  # in order, marked rows


# The first two bytes of the UTF-8 of every DIGIT_LIKE character: C2 B2-BE, E2 81-93, E3 89-8F, F0 9F
_LEADS = {0xC2: (0xB2, 0xBE), 0xE2: (0x81, 0x93), 0xE3: (0x89, 0x8F), 0xF0: (0x9F, 0x9F)}


def _may_hold_digit_like(data: np.ndarray) -> bool:
    """False when no DIGIT_LIKE character can be in these UTF-8 bytes: a test of their leading bytes
    (a column of IDs, or of names in the common hanzi, E4-E9, has none), then of the byte after each."""
    if not (data >= 0xC2).any():  # ASCII (IDs, cards, amounts)
        return False
    head = data[:-1]
    lead = np.flatnonzero((head == 0xC2) | (head == 0xE2) | (head == 0xE3) | (head == 0xF0))
    for first, (low, high) in _LEADS.items():
        at = lead[data[lead] == first]
        if ((data[at + 1] >= low) & (data[at + 1] <= high)).any():
            return True
    return False


def _nfkc_around_marks(arr: pa.Array) -> pa.Array:
    """NFKC of the text between the DIGIT_LIKE marks of each value, the marks kept: the value is split
    at its marks into k + 1 pieces, its marks alone (k of them, one per piece but the last) are lined
    up with the pieces, and each piece is normalised and joined with the mark that followed it."""
    pieces = pc.split_pattern_regex(arr, DIGIT_LIKE)
    only_marks = pc.replace_substring_regex(arr, DIGIT_LIKE.replace("[", "[^", 1), "")
    # only marks are left, so a line break can stand after each without meeting one in the text
    marks = pc.split_pattern(pc.replace_substring_regex(only_marks, "(.)", "\\1\n"), "\n")
    if not pieces.offsets.equals(marks.offsets):  # one mark per split, always: never joined out of step
        raise AssertionError("NFKC around footnote marks: pieces and marks out of step")
    nothing = pa.scalar("", pa.large_string())
    joined = pc.binary_join_element_wise(pc.utf8_normalize(pieces.flatten(), form="NFKC"), marks.flatten(), nothing)
    return pc.binary_join(type(pieces).from_arrays(pieces.offsets, joined), nothing)


def nfkc_one(text: str) -> str:
    """`nfkc` of one value."""
    parts = _DIGIT_LIKE_RE.split(text)
    parts[::2] = [unicodedata.normalize("NFKC", p) for p in parts[::2]]
    return "".join(parts)


def holds_digit_like(series: pd.Series) -> np.ndarray:
    """True where the (folded) text holds a DIGIT_LIKE character (a footnote mark: 750¹, 6222…①)."""
    return pc.fill_null(pc.match_substring_regex(arrow_text(series), DIGIT_LIKE), False).to_numpy(zero_copy_only=False)


def digit_like_marks(text: object) -> str:
    """The DIGIT_LIKE characters of one value, each once, quoted for a message ("“①”"); "" if none."""
    if missing(text):
        return ""
    return "".join(f"“{c}”" for c in dict.fromkeys(_DIGIT_LIKE_RE.findall(str(text))))


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
    return re.sub(r"\s+", "", nfkc_one(str(text)))


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
