"""Vectorised text clean-up: full-width to half-width (NFKC), spaces, vocabulary look-ups."""

from __future__ import annotations

import re
import unicodedata

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

STRING = pd.StringDtype("pyarrow")


def _arrow(series: pd.Series) -> pa.Array:
    return pa.array(series.astype(STRING), type=pa.large_string()) if len(series) else \
        pa.array([], type=pa.large_string())


def _series(arr: pa.Array, index: pd.Index) -> pd.Series:
    return pd.Series(pd.arrays.ArrowStringArray(arr.cast(pa.large_string())), index=index)


def fold(series: pd.Series, *, keep_inner_spaces: bool = False) -> pd.Series:
    """NFKC-fold (Ｘ→X, ４→4, （→( ), trim, drop inner spaces unless told; empty → NA."""
    arr = pc.utf8_normalize(_arrow(series), form="NFKC")
    if keep_inner_spaces:
        arr = pc.utf8_trim_whitespace(arr)
        arr = pc.replace_substring_regex(arr, r"\s+", " ")
    else:
        arr = pc.replace_substring_regex(arr, r"\s+", "")
    arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.large_string()), arr)
    return _series(arr, series.index)


def fold_one(text: object) -> str:
    """The same folding for one value (headers, vocabulary words)."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))


def lookup(series: pd.Series, words: dict[str, list[str]] | dict[str, object]) -> pd.Series:
    """Map folded cell text to a canonical word through `{canonical: [spellings]}`; unknown → NA."""
    table: dict[str, object] = {}
    for canonical, spellings in words.items():
        if isinstance(spellings, list):
            for s in spellings:
                table[fold_one(s).upper()] = canonical
            table[fold_one(canonical).upper()] = canonical
        else:
            table[fold_one(canonical).upper()] = spellings
    mapped = series.str.upper().map(table).astype(object)
    return mapped.where(mapped.notna(), None)


def starts_with_any(series: pd.Series, prefixes: list[str]) -> pd.Series:
    """True where the folded text begins with one of `prefixes` (NA → False)."""
    if not prefixes:
        return pd.Series(False, index=series.index)
    pattern = "^(?:" + "|".join(re.escape(fold_one(p)) for p in prefixes) + ")"
    return series.str.contains(pattern, regex=True).fillna(False).astype(bool)
