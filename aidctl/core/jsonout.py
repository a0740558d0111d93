"""The JSON documents aidctl prints: one document, "version": 1, fast for large lists.

A top-level value may be a DataFrame (for example 500,000 payments). It is encoded column by column
with Arrow's string kernels, as UTF-8 from end to end, and spliced into the document, instead of
building a Python dict per row. Large documents are printed on one line (the json module's C
encoder is used only without indent). A document without a frame needs neither pandas nor Arrow,
and this module imports them only for one that has (`aidctl codes --format json` is quick).
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

INDENT_MAX_ITEMS = 2_048


def encode(doc: dict) -> bytes:
    """The document as UTF-8 JSON (see the module docstring)."""
    return b"".join(encode_pieces(doc))


def encode_pieces(doc: dict) -> list:
    """encode(doc) as the buffers that joined make it, for a caller that writes them one after the
    other: a term's 500,000 records make a document of some 90 MB, and one copy less saves a fifth
    of the time it takes to print."""
    pandas = sys.modules.get("pandas")  # a value can be a DataFrame only once pandas is imported
    frames = {k: v for k, v in doc.items() if pandas is not None and isinstance(v, pandas.DataFrame)}
    items = sum(len(v) for k, v in doc.items() if isinstance(v, list) or k in frames)
    if not frames or items <= INDENT_MAX_ITEMS:
        plain = {k: (v.astype(object).where(v.notna(), None).to_dict("records") if k in frames else v)
                 for k, v in doc.items()}
        return [json.dumps(plain, ensure_ascii=False, indent=2 if items <= INDENT_MAX_ITEMS else None).encode()]
    marks = {k: f"\x00{k}\x00" for k in frames}
    text = json.dumps({k: marks.get(k, v) for k, v in doc.items()}, ensure_ascii=False).encode()
    pieces = []
    for k, frame in frames.items():  # in the document's order, so that each mark is in what follows
        head, text = text.split(json.dumps(marks[k]).encode(), 1)
        pieces += [head, *_array(frame)]
    return [*pieces, text]


def records(frame: pd.DataFrame) -> bytes:
    """A frame as a JSON array of objects, one per row (what to_dict("records") and json give)."""
    return b"".join(_array(frame))


def _array(frame: pd.DataFrame) -> list:
    """The pieces of records(frame), to be joined once: "[", the rows, "]"."""
    import pyarrow.compute as pc

    from aidctl.core.text import value_bytes

    if frame.empty:
        return [b"[]"]
    pieces: list = []
    quote = ""  # the closing quote of the column before, when its values came unquoted
    for i, column in enumerate(frame.columns):
        values, bare = _values(frame[column])
        name = json.dumps(str(column), ensure_ascii=False)
        pieces.append(_text(quote + ("{" if i == 0 else ",") + name + ":" + ('"' if bare else "")))
        pieces.append(values)
        quote = '"' if bare else ""
    pieces.append(_text(quote + "},"))
    rows = pc.binary_join_element_wise(*pieces, _text(""))
    return [b"[", value_bytes(rows)[:-1], b"]"]  # the last row's "," dropped


def _text(value: str) -> pa.Scalar:
    import pyarrow as pa

    return pa.scalar(value, pa.large_string())


def _values(series: pd.Series) -> tuple[pa.Array, bool]:
    """Each value of a column as JSON text: strings quoted and escaped, null for NA; and whether the
    values are bare text that still wants its quotes (a text column without a null: the quotes are
    then written once into the pieces between the columns, not copied into every value)."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    from aidctl.core.text import arrow_text, integer_text, value_bytes

    if series.dtype == bool:
        return pa.array(np.where(series.to_numpy(), "true", "false"), type=pa.large_string()), False
    if pd.api.types.is_integer_dtype(series.dtype):  # nullable (Int64) too: NA → null
        missing = series.isna().to_numpy()
        if not missing.any():
            return integer_text(series.to_numpy(dtype=np.int64)), False
        return pc.if_else(pa.array(missing), _text("null"),
                          integer_text(series.to_numpy(dtype=np.int64, na_value=0))), False
    if not (isinstance(series.dtype, pd.StringDtype)
            or pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty")):
        return _by_json_module(series), False  # numbers with gaps, dates …: rare in a large list
    arr = arrow_text(series)
    data = value_bytes(arr)
    if len(data) and data.min() < 0x20:  # (the smallest byte: one pass, no array of flags)
        return _by_json_module(series), False  # a control character (rare: cells are folded)
    escaped = arr
    if (data == ord("\\")).any():
        escaped = pc.replace_substring(escaped, "\\", "\\\\")
    if (data == ord('"')).any():
        escaped = pc.replace_substring(escaped, '"', '\\"')
    if not escaped.null_count:
        return escaped, True
    quote = _text('"')
    return pc.fill_null(pc.binary_join_element_wise(quote, escaped, quote, _text("")), _text("null")), False


def _by_json_module(series: pd.Series) -> pa.Array:
    import pyarrow as pa

    from aidctl.core.text import missing

    return pa.array([json.dumps(None if missing(v) else v, ensure_ascii=False, default=str)
                     for v in series.astype(object)], type=pa.large_string())


