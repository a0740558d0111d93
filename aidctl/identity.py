"""Resident-ID (GB 11643-1999) and bank-card normalisation and checks, vectorised over Series."""

from __future__ import annotations

import numpy as np
import pandas as pd

WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK_CHARS = np.frombuffer(b"10X98765432", dtype=np.uint8)
ID18 = r"^\d{17}[\dX]$"
ID15 = r"^\d{15}$"
# What Excel shows for a long number that was stored as a number: 4.20102E+17, 6.22203E+18
SCIENTIFIC = r"^\d(?:\.\d+)?E\+?\d+$"
CARD = r"^\d{16,19}$"


def clean_id(series: pd.Series) -> pd.Series:
    """Folded text (see text.fold) upper-cased, without the quote or dashes people type."""
    return series.str.upper().str.replace(r"^['‘’`]+|[-—_]", "", regex=True)


def clean_card(series: pd.Series) -> pd.Series:
    return series.str.replace(r"^['‘’`]+|[-—_]", "", regex=True)


def _digits(series: pd.Series, width: int) -> np.ndarray:
    """An (n, width) uint8 matrix of the ASCII codes of fixed-width strings."""
    if len(series) == 0:
        return np.zeros((0, width), dtype=np.uint8)
    return np.array(series.tolist(), dtype=f"S{width}").view(np.uint8).reshape(-1, width)


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


def luhn_ok(cards: pd.Series) -> pd.Series:
    """The Luhn check for digit strings of up to 19 digits."""
    d = _digits(cards.str.zfill(19), 19).astype(np.int64) - 48
    from_right = np.arange(18, -1, -1)
    doubled = d * np.where(from_right % 2 == 1, 2, 1)
    doubled = np.where(doubled > 9, doubled - 9, doubled)
    return pd.Series(doubled.sum(axis=1) % 10 == 0, index=cards.index)


def mask_id(ids: pd.Series) -> pd.Series:
    """First 6 and last 4 characters shown, the rest starred (for internal reports only)."""
    return ids.str.slice_replace(6, -4, "********")
