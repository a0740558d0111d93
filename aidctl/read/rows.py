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
import pandas as pd

from aidctl.core.text import fold, fold_one, starts_with_any

BLANK = "blank"
REPEATED_HEADER = "repeated_header"
_LEADING_PUNCT = r"^[\s(\[（【〔<《*＊#\-—_·.。、]+"
_CJK = "[\u3400-\u9fff]"  # the characters themselves: Arrow's RE2 knows no \u escape


def _lead(series: pd.Series) -> pd.Series:
    """Text without brackets, dashes or stars in front ("(本页以下无正文)" → "本页以下无正文)")."""
    return series.str.replace(_LEADING_PUNCT, "", regex=True)


def reasons(body: pd.DataFrame, data: pd.DataFrame, header_texts: dict[str, set[str]],
            name_words: set[str], markers: dict[str, list[str]], total_anywhere: list[str],
            empty: np.ndarray | None = None) -> pd.Series:
    """Why each row of `data` (folded canonical columns, index = Excel row) is not a student, or NA.

    `body` is the raw grid below the header; `header_texts` maps a field to the header texts of its
    column (the header row and the group header), for finding the header repeated in the data;
    `name_words` are the spellings of the 姓名 header; `markers` the skip words by kind; `empty`, where
    the caller knows it, is True for the rows blank in every column but 序号."""
    out = pd.Series(pd.NA, index=data.index, dtype=object)
    content = [k for k in data.columns if k != "seq"]
    if empty is None:
        empty = data[content].isna().all(axis=1).to_numpy(dtype=bool) if content else np.ones(len(data), dtype=bool)
    blank = pd.Series(empty, index=data.index)
    if "id_number" in data.columns:
        ids = data["id_number"]
        id_like = (ids.str.contains(r"\d{6}", regex=True) & ~ids.str.contains(_CJK, regex=True)).fillna(False)
        candidates = ~id_like.astype(bool)
    else:
        candidates = pd.Series(True, index=data.index)
    rows = candidates[candidates].index
    if len(rows) == 0:
        return out
    sub = body.loc[rows]
    texts = [fold(sub[c]) for c in list(sub.columns)[:2]]
    # a signature row may start further right: "制表人：" under 身份证号码, the first cells blank
    first_filled = pd.Series(pd.NA, index=sub.index, dtype="string")
    for c in sub.columns:
        first_filled = first_filled.fillna(sub[c])
        if not first_filled.isna().any():
            break
    first_filled = fold(first_filled)
    texts.append(first_filled)
    texts += [data.loc[rows, k] for k in ("seq", "name") if k in data.columns]
    texts = [_lead(t) for t in texts]
    found = pd.Series(pd.NA, index=rows, dtype=object)
    for kind, words in markers.items():
        hit = np.zeros(len(rows), dtype=bool)
        for series in texts:
            hit |= starts_with_any(series, words).to_numpy()
        found = found.mask(hit & found.isna().to_numpy(), kind)
    if total_anywhere:
        pattern = "|".join(re.escape(fold_one(w)) for w in total_anywhere)
        hit = first_filled.str.contains(pattern, regex=True).fillna(False).to_numpy()
        if "name" in data.columns:
            hit |= data.loc[rows, "name"].str.contains(pattern, regex=True).fillna(False).to_numpy()
        kind = "total" if "total" in markers else next(iter(markers), "marker")
        found = found.mask(hit & found.isna().to_numpy(), kind)
    repeated = np.zeros(len(rows), dtype=int)
    for key, words in header_texts.items():
        if key in data.columns and words:
            repeated += data.loc[rows, key].isin(words).fillna(False).to_numpy(dtype=bool)
    if "name" in data.columns:  # a header repeated inside the data (classes pasted one under another)
        named = data.loc[rows, "name"].isin(name_words).fillna(False).to_numpy(dtype=bool)
    else:
        named = np.zeros(len(rows), dtype=bool)
    found = found.mask((named | (repeated >= 2)) & found.isna().to_numpy(), REPEATED_HEADER)
    out.loc[rows] = found.to_numpy()
    # a row whose only text is a marker ("合计" under 序号) is that kind of row, not a blank one
    out[(blank & out.isna()).to_numpy(dtype=bool)] = BLANK
    return out
