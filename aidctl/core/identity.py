"""Resident-ID (GB 11643-1999) and bank-card normalisation and checks, vectorised over Series."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from aidctl.core.text import arrow_text, text_series, value_bytes

WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK_CHARS = np.frombuffer(b"10X98765432", dtype=np.uint8)
ID15 = r"^\d{15}$"
# What Excel shows for a long number that was stored as a number: 4.20102E+17, 6.22203E+18
SCIENTIFIC = r"^\d(?:\.\d+)?E\+?\d+$"

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
    return value_bytes(arrow_text(series)).reshape(-1, width)


def check_char(first17: pd.Series) -> pd.Series:
    """The check character GB 11643 gives for each 17-digit prefix."""
    chars = CHECK_CHARS[_check_index(_digits(first17, 17))]
    return pd.Series(chars.view("S1").astype(str), index=first17.index)


def _check_index(first17: np.ndarray) -> np.ndarray:
    """Position in CHECK_CHARS of the check character for each row of 17 ASCII digits (uint16 is
    wide enough: 57 × the weights' sum 97 < 65,536)."""
    total = first17.astype(np.uint16) @ WEIGHTS.astype(np.uint16) - np.uint16(48 * WEIGHTS.sum())
    return total % 11


def upgrade_15(ids15: pd.Series) -> pd.Series:
    """Old 15-digit numbers to 18: insert 19 before the two-digit birth year, append the check."""
    first17 = ids15.str.slice(0, 6) + "19" + ids15.str.slice(6, 15)
    return first17 + check_char(first17)


def birth_dates(ids18: pd.Series) -> pd.Series:
    """Birth date in positions 7–14 (NaT where it is no real date)."""
    return pd.to_datetime(ids18.str.slice(6, 14), format="%Y%m%d", errors="coerce")


_DOUBLED = np.array([0, 2, 4, 6, 8, 1, 3, 5, 7, 9], dtype=np.uint16)  # 2d, digits summed


def luhn_ok(cards: pd.Series) -> pd.Series:
    """The Luhn check for digit strings of up to 19 digits (left-padded with zeros, which is neutral)."""
    return pd.Series(_luhn(_digits(cards.str.zfill(19), 19) - np.uint8(48)), index=cards.index)


def _luhn(d: np.ndarray) -> np.ndarray:
    """The Luhn check over a (k, width) matrix of digit values (the check digit last)."""
    doubled = _DOUBLED[d[:, -2::-2]].sum(axis=1, dtype=np.uint16)  # 2nd, 4th, … from the right
    plain = d[:, ::-2].sum(axis=1, dtype=np.uint16)
    return (doubled + plain) % 10 == 0


def _flags(arr: pa.Array) -> np.ndarray:
    """An Arrow boolean array as a numpy bool array, null → False."""
    return pc.fill_null(arr, False).to_numpy(zero_copy_only=False)


def _of_width(arr: pa.Array, width: int) -> tuple[np.ndarray, np.ndarray]:
    """(positions, bytes): the values exactly `width` bytes long and their (k, width) uint8 matrix."""
    rows = np.flatnonzero(_flags(pc.equal(pc.binary_length(arr), width)))
    return rows, value_bytes(arr.take(rows)).reshape(-1, width)


def _all_digits(matrix: np.ndarray) -> np.ndarray:
    return ((matrix >= 48) & (matrix <= 57)).all(axis=1)


def _dates(matrix: np.ndarray) -> np.ndarray:
    """YYYYMMDD as (k, 8) ASCII digits → datetime64[D], NaT where it is no real date."""
    d = matrix.astype(np.int32) - 48
    year = d[:, 0] * 1000 + d[:, 1] * 100 + d[:, 2] * 10 + d[:, 3]
    month = d[:, 4] * 10 + d[:, 5]
    day = d[:, 6] * 10 + d[:, 7]
    ok = (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1)
    months = np.where(ok, (year - 1970) * 12 + month - 1, 0).astype("datetime64[M]")
    first = months.astype("datetime64[D]")
    ok &= day <= ((months + 1).astype("datetime64[D]") - first).astype(np.int64)
    return np.where(ok, first + (day - 1).astype("timedelta64[D]"), np.datetime64("NaT", "D"))


def resident_ids(raw: pd.Series, number_cell: pd.Series, reference) -> pd.DataFrame:
    """Everything the ID checks read, derived once from the ID cells as read (folded text).

    `number_cell` is True where the cell was stored as a number; `reference` (a date, or a Series of
    Timestamps aligned with `raw`) is the day no birth date may follow (a term start, a loan year's
    start). Columns: id_number (normalised), id18 (the 18-character form, 15-digit numbers upgraded),
    id_legacy, id_digits_lost, id_expected_check, id_checksum_ok, birth_date, birth_ok, id_valid.
    Shared by rosters and every other register that carries resident IDs (loans …).
    """
    ids = clean_id(raw)
    arr = arrow_text(ids)
    n = len(arr)
    rows18, m18 = _of_width(arr, 18)
    keep = _all_digits(m18[:, :17]) & (_all_digits(m18[:, 17:]) | (m18[:, 17] == ord("X")))
    rows18, m18 = rows18[keep], m18[keep]
    rows15, m15 = _of_width(arr, 15)
    keep = _all_digits(m15)
    rows15, m15 = rows15[keep], m15[keep]
    shape18 = np.zeros(n, dtype=bool)
    shape18[rows18] = True
    shape15 = np.zeros(n, dtype=bool)
    shape15[rows15] = True
    id18 = ids.where(shape18)
    if len(rows15):
        id18 = id18.mask(shape15, upgrade_15(ids[shape15]))
    # a long number stored as a number cell, or Excel's "4.20102E+17" typed as text: digits gone
    lost = ids.notna().to_numpy() & (pd.Series(number_cell, index=ids.index).fillna(False).to_numpy(dtype=bool)
                                     | _flags(pc.match_substring_regex(arr, SCIENTIFIC)))
    # the 17-digit prefixes of every 18-character form (old numbers get 19 before their year)
    nineteen = np.frombuffer(b"19", dtype=np.uint8)
    first17 = np.vstack([m18[:, :17],
                         np.hstack([m15[:, :6], np.broadcast_to(nineteen, (len(m15), 2)), m15[:, 6:]])])
    rows = np.concatenate([rows18, rows15])
    wanted = _check_index(first17)
    given = np.concatenate([m18[:, 17], CHECK_CHARS[wanted[len(rows18):]]])
    checksum = given == CHECK_CHARS[wanted]
    checksum_ok = np.zeros(n, dtype=bool)
    checksum_ok[rows] = checksum
    index = np.zeros(n, dtype=np.int8)
    index[rows] = wanted
    expected = pa.DictionaryArray.from_arrays(pa.array(index, mask=~(shape18 | shape15)),
                                              pa.array(list(CHECK_CHARS.tobytes().decode()), pa.large_string()))
    births = np.full(n, np.datetime64("NaT", "D"))
    births[rows[checksum]] = _dates(first17[checksum, 6:14])
    births = pd.Series(births.astype("datetime64[us]"), index=ids.index)
    limit = reference if isinstance(reference, pd.Series) else pd.Timestamp(reference)
    birth_ok = (births.notna() & (births <= limit).fillna(False) & (births.dt.year >= 1900)).astype(bool)
    return pd.DataFrame({"id_number": ids, "id18": id18, "id_legacy": shape15, "id_digits_lost": lost,
                         "id_expected_check": text_series(expected, ids.index),
                         "id_checksum_ok": checksum_ok, "birth_date": births,
                         "birth_ok": birth_ok, "id_valid": checksum_ok & birth_ok.to_numpy() & ~lost},
                        index=ids.index)


def bank_cards(card: pd.Series, number_cell: pd.Series) -> pd.DataFrame:
    """What the card checks read, from the card cells after clean_card: card_digits_lost (a number
    cell, or Excel's "6.22203E+18" typed as text), card_shape_ok (16–19 digits, nothing lost) and
    card_luhn_ok. Shared by rosters and every other list that pays to a card (enlist …)."""
    arr = arrow_text(card)
    lost = card.notna().to_numpy() & (pd.Series(number_cell, index=card.index).fillna(False).to_numpy(dtype=bool)
                                      | _flags(pc.match_substring_regex(arr, SCIENTIFIC)))
    shape = np.zeros(len(arr), dtype=bool)
    luhn = np.zeros(len(arr), dtype=bool)
    for width in range(16, 20):
        rows, matrix = _of_width(arr, width)
        digits = _all_digits(matrix)
        rows, matrix = rows[digits], matrix[digits]
        shape[rows] = True
        luhn[rows] = _luhn(matrix - np.uint8(48))
    shape &= ~lost
    return pd.DataFrame({"card_digits_lost": lost, "card_shape_ok": shape, "card_luhn_ok": luhn & shape},
                        index=card.index)


def person(ids: pd.DataFrame) -> pd.Series:
    """Who a record is, for duplicates and the ledger: the valid 18-character ID, else the ID as typed;
    nobody when the digits are lost (twins' IDs both read 420102199605211000, yet are two people).
    `ids` holds the columns of resident_ids."""
    return ids["id18"].where(ids["id_valid"]).fillna(ids["id_number"]).mask(ids["id_digits_lost"])


ID_IN_TEXT = re.compile(r"(?<![0-9])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9])")
