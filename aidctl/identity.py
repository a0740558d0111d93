"""Resident-ID (GB 11643-1999) and bank-card normalisation and checks, vectorised over Series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK_CHARS = np.frombuffer(b"10X98765432", dtype=np.uint8)
ID18 = r"^\d{17}[\dX]$"
ID15 = r"^\d{15}$"
# What Excel shows for a long number that was stored as a number: 4.20102E+17, 6.22203E+18
SCIENTIFIC = r"^\d(?:\.\d+)?E\+?\d+$"
CARD = r"^\d{16,19}$"


_TYPED_NOISE = r"^['‘’`]+|[-—_]"  # the quote that forces text in Excel, dashes between digit groups


def _strip_noise(series: pd.Series) -> pd.Series:
    noisy = series.str.contains(_TYPED_NOISE, regex=True).fillna(False)
    if not noisy.any():
        return series
    return series.mask(noisy, series[noisy].str.replace(_TYPED_NOISE, "", regex=True))


def clean_id(series: pd.Series) -> pd.Series:
    """Folded text (see text.fold) upper-cased, without the quote or dashes people type."""
    return _strip_noise(series.str.upper())


def clean_card(series: pd.Series) -> pd.Series:
    return _strip_noise(series)


def _digits(series: pd.Series, width: int) -> np.ndarray:
    """An (n, width) uint8 matrix of the ASCII codes of strings all `width` long (read from the
    Arrow buffer without a Python object per row)."""
    if len(series) == 0:
        return np.zeros((0, width), dtype=np.uint8)
    arr = pa.array(series, type=pa.large_string()) if not isinstance(series.array, pd.arrays.ArrowStringArray) \
        else series.array._pa_array.combine_chunks()
    arr = arr.cast(pa.large_string())
    _, offsets, data = arr.buffers()
    start = np.frombuffer(offsets, dtype=np.int64)[arr.offset]
    raw = np.frombuffer(data, dtype=np.uint8)[start:start + len(arr) * width]
    return raw.reshape(-1, width)


def check_char(first17: pd.Series) -> pd.Series:
    """The check character GB 11643 gives for each 17-digit prefix."""
    codes = _digits(first17, 17).astype(np.int64) - 48
    chars = CHECK_CHARS[(codes @ WEIGHTS) % 11]
    return pd.Series(chars.view("S1").astype(str), index=first17.index)


def upgrade_15(ids15: pd.Series) -> pd.Series:
    """Old 15-digit numbers to 18: insert 19 before the two-digit birth year, append the check."""
    first17 = ids15.str.slice(0, 6) + "19" + ids15.str.slice(6, 15)
    return first17 + check_char(first17)


def birth_dates(ids18: pd.Series) -> pd.Series:
    """Birth date in positions 7–14 (NaT where it is no real date)."""
    return pd.to_datetime(ids18.str.slice(6, 14), format="%Y%m%d", errors="coerce")


def is_male(ids18: pd.Series) -> pd.Series:
    return (ids18.str.slice(16, 17).astype("int64") % 2) == 1


_DOUBLED = np.array([0, 2, 4, 6, 8, 1, 3, 5, 7, 9], dtype=np.uint16)  # 2d, digits summed


def luhn_ok(cards: pd.Series) -> pd.Series:
    """The Luhn check for digit strings of up to 19 digits (left-padded with zeros, which is neutral)."""
    d = _digits(cards.str.zfill(19), 19) - np.uint8(48)
    doubled = _DOUBLED[d[:, 1::2]].sum(axis=1)  # positions 2, 4, … from the right in a 19-wide row
    plain = d[:, 0::2].sum(axis=1, dtype=np.uint16)
    return pd.Series((doubled + plain) % 10 == 0, index=cards.index)


def mask_id(ids: pd.Series) -> pd.Series:
    """First 6 and last 4 characters shown, the rest starred (for internal reports only)."""
    return ids.str.slice_replace(6, -4, "********")
