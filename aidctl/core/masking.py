"""Masking: the one helper that hides resident IDs and bank cards in what aidctl writes for internal use.

An ID shows its first `id_head` and last `id_tail` characters (420124********4356), a card only its
last `card_tail` digits (****0832). The widths are data (rules/publicity.yaml `masking`); the
workbook layer (core.xlsx) applies `mask_text` to every text cell of every internal workbook, free
text included, so a message that quotes a number hides it too.

In free text a number is masked when it is a run of 15 or more digits (an ID's final X included, a
single space or dash allowed between digit groups) standing apart from ASCII letters and digits: a
run of 15 digits, or 18 characters ending in a check character, is an ID; any other run (16–19
digits: a card; longer) shows only its last digits. A batch id (B20261126111242962D) or a SHA-256
(hex) is not a person's number: letters stand against its digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_STAR = "*"
# a candidate, cheap to test over a whole column with Arrow (RE2, no look-around)
CANDIDATE = r"[0-9](?:[ \-]?[0-9]){14}"
_NUMBER = re.compile(r"(?<![0-9A-Za-z])([0-9](?:[ \-]?[0-9]){14,}(?:[ \-]?[0-9Xx])?)(?![0-9A-Za-z])")


@dataclass(frozen=True)
class Masking:
    """How much of an ID and a card stays visible."""

    id_head: int = 6
    id_tail: int = 4
    card_tail: int = 4

    def id(self, ident: str) -> str:
        """An ID with each character between its first id_head and last id_tail starred (a 15-digit ID
        keeps its length); a text no longer than both together (no ID) has nothing between them."""
        tail = max(len(ident) - self.id_tail, self.id_head)
        return ident[:self.id_head] + _STAR * (tail - self.id_head) + ident[tail:]

    def card(self, card: str) -> str:
        return _STAR * 4 + card[len(card) - self.card_tail:]

    def number(self, run: str) -> str:
        """A run of digits found in text, masked as what its length says it is."""
        digits = re.sub(r"[ \-]", "", run)
        if len(digits) == 15 or (len(digits) == 18 and digits[:17].isdigit()):
            return self.id(digits.upper())
        return self.card(digits)

    def text(self, value: str) -> str:
        """Every ID or card number in a text masked."""
        if len(value) < 15:
            return value
        return _NUMBER.sub(lambda m: self.number(m.group(1)), value)

    def ids(self, ids: pd.Series) -> pd.Series:
        """A column of IDs masked as `id` masks one, vectorised over each length present (NA stays NA)."""
        arr = pa.array(ids.astype("string[pyarrow]"), type=pa.large_string())
        hidden = pc.max_element_wise(pc.subtract(pc.utf8_length(arr), self.id_head + self.id_tail), 0)
        tail = pc.utf8_slice_codeunits(arr, -self.id_tail) if self.id_tail else pa.scalar("", pa.large_string())
        masked = pc.binary_join_element_wise(
            pc.utf8_slice_codeunits(arr, 0, self.id_head),
            pc.binary_repeat(pa.scalar(_STAR, pa.large_string()), hidden), tail, pa.scalar("", pa.large_string()))
        # a text no longer than the head and the tail together has nothing between them, as in id()
        out = pc.if_else(pc.greater(hidden, 0), masked, arr)
        values = out.to_pandas(types_mapper=pd.ArrowDtype).array
        return pd.Series(values, index=ids.index, name=ids.name).astype(ids.dtype)

    def cards(self, cards: pd.Series) -> pd.Series:
        """A column of card numbers masked to their last digits, vectorised (NA stays NA)."""
        return _STAR * 4 + cards.str.slice(-self.card_tail if self.card_tail else len(cards))

    def series(self, values: pd.Series) -> pd.Series:
        """Every ID or card number in a column of free text masked: the column is scanned with Arrow,
        and only the cells holding a long digit run are rewritten in Python."""
        arr = pa.array(values.astype("string[pyarrow]"), type=pa.large_string())
        hit = pc.fill_null(pc.match_substring_regex(arr, CANDIDATE), False).to_numpy(zero_copy_only=False)
        if not hit.any():
            return values
        out = values.astype(object).copy()
        out[hit] = [self.text(v) for v in out[hit]]
        return out


DEFAULT = Masking()


def has_number(value: str) -> bool:
    """True when a text holds an unmasked ID or card number."""
    return bool(_NUMBER.search(value))
