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


def resident_ids(raw: pd.Series, number_cell: pd.Series, reference) -> pd.DataFrame:
    """Everything the ID checks read, derived once from the ID cells as read (folded text).

    `number_cell` is True where the cell was stored as a number; `reference` (a date, or a Series of
    Timestamps aligned with `raw`) is the day no birth date may follow (a term start, a loan year's
    start). Columns: id_number (normalised), id18 (the 18-character form, 15-digit numbers upgraded),
    id_legacy, id_digits_lost, id_expected_check, id_checksum_ok, birth_date, birth_ok, id_valid.
    Shared by rosters and every other register that carries resident IDs (loans …).
    """
    ids = clean_id(raw)
    shape18 = ids.str.fullmatch(ID18).fillna(False).astype(bool)
    shape15 = ids.str.fullmatch(ID15).fillna(False).astype(bool)
    id18 = ids.where(shape18)
    if shape15.any():
        id18 = id18.mask(shape15, upgrade_15(ids[shape15]))
    # a long number stored as a number cell, or Excel's "4.20102E+17" typed as text: digits gone
    lost = (ids.notna() & (pd.Series(number_cell, index=ids.index).fillna(False).astype(bool)
                           | ids.str.fullmatch(SCIENTIFIC).fillna(False))).astype(bool)
    has18 = id18.notna()
    expected = pd.Series(pd.NA, index=ids.index, dtype="string[pyarrow]")
    if has18.any():
        expected[has18] = check_char(id18[has18].str.slice(0, 17)).astype("string[pyarrow]")
    checksum_ok = (id18.str.slice(17, 18) == expected).fillna(False).astype(bool)
    births = birth_dates(id18.where(checksum_ok))
    limit = reference if isinstance(reference, pd.Series) else pd.Timestamp(reference)
    birth_ok = (births.notna() & (births <= limit).fillna(False) & (births.dt.year >= 1900)).astype(bool)
    return pd.DataFrame({"id_number": ids, "id18": id18, "id_legacy": shape15, "id_digits_lost": lost,
                         "id_expected_check": expected, "id_checksum_ok": checksum_ok, "birth_date": births,
                         "birth_ok": birth_ok, "id_valid": (checksum_ok & birth_ok & ~lost).astype(bool)},
                        index=ids.index)


def bank_cards(card: pd.Series, number_cell: pd.Series) -> pd.DataFrame:
    """What the card checks read, from the card cells after clean_card: card_digits_lost (a number
    cell, or Excel's "6.22203E+18" typed as text), card_shape_ok (16–19 digits, nothing lost) and
    card_luhn_ok. Shared by rosters and every other list that pays to a card (enlist …)."""
    lost = (card.notna() & (pd.Series(number_cell, index=card.index).fillna(False).astype(bool)
                            | card.str.fullmatch(SCIENTIFIC).fillna(False))).astype(bool)
    shape = card.str.fullmatch(CARD).fillna(False).astype(bool) & ~lost
    luhn = pd.Series(False, index=card.index)
    if shape.any():
        luhn[shape] = luhn_ok(card[shape])
    return pd.DataFrame({"card_digits_lost": lost, "card_shape_ok": shape, "card_luhn_ok": luhn.astype(bool)},
                        index=card.index)


def person(ids: pd.DataFrame) -> pd.Series:
    """Who a record is, for duplicates and the ledger: the valid 18-character ID, else the ID as typed;
    nobody when the digits are lost (twins' IDs both read 420102199605211000, yet are two people).
    `ids` holds the columns of resident_ids."""
    return ids["id18"].where(ids["id_valid"]).fillna(ids["id_number"]).mask(ids["id_digits_lost"])
