"""Masking: the one helper that hides resident IDs and bank cards in what aidctl writes for internal use.

An ID shows its first `id_head` and last `id_tail` characters (420124********4356), a card only its
last `card_tail` digits (****0832). The widths are data (rules/publicity.yaml `masking`); the
workbook layer (core.xlsx) applies `mask_text` to every text cell of every internal workbook, free
text included, so a message that quotes a number hides it too.

Whatever the widths, the birth date of an ID (GB 11643-1999: characters 7–14 of 18, 7–12 of an old
15-digit number) is among what is hidden: an old number shows at most its last 3 (its sequence, not
the last digit of the day), an ID-shaped text of 16–19 characters (a digit dropped or added) no more
of its end than an 18-character ID would. Nothing aidctl writes beside a masked ID may state the birth
date either (check.people says what is wrong with one without its digits).

In free text a number is masked when it is a run of 15 or more digits (an ID's final X included, a
single space or dash allowed between digit groups) standing apart from ASCII letters and digits, or
an 18-character ID behind one letter that is no hex digit (the 全国学籍号 G420124…, J…, L…). What it
is, is said by the nearest name of an ID or a card before it in the text (身份证号码“…”, 银行卡号“…”;
a run after another without a name between is of the same kind: 旧号码“…”升位为“…”), so that a number
quoted in a message is masked as its column is; where nothing names it, its length says: a run of 15
digits, or 18 characters ending in a check character, is an ID, any other run (16–19 digits: a card;
longer) shows only its last digits. A shorter run (8–14 digits: an ID or a card with digits dropped,
id.format, card.format) is masked only right after its name (身份证号码“4201131995031”), so that an amount,
a date or a telephone number is not; a number cell read as text in scientific notation
(4.20102199503121E+17: an ID's first 15 digits) shows no more than an ID's head. A batch id
(B20261126111242962D) or a SHA-256 (hex) is not a person's number: letters stand against its digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_STAR = "*"
# a candidate, cheap to test over a whole column with Arrow (RE2, no look-around)
CANDIDATE = r"[0-9](?:[ \-]?[0-9]){14}|[0-9]\.[0-9]{9}|[0-9]{8}"
# a run of digits (behind no letter, or behind one that is no hex digit); or a number Excel wrote in
# scientific notation (4.20102199503121E+17: a number cell read as text, its leading digits an ID's or
# a card's)
_NUMBER = re.compile(r"(?:(?<![0-9A-Za-z])|(?<![0-9A-Za-z])(?P<prefix>[G-Zg-z]))"
                     r"(?P<run>[0-9](?:[ \-]?[0-9]){14,}(?:[ \-]?[0-9Xx])?)(?![0-9A-Za-z])"
                     r"|(?<![0-9A-Za-z.])(?P<sci>[0-9]\.[0-9]{9,}[Ee]\+?(?P<exp>1[4-9]|2[0-9]))(?![0-9A-Za-z.])"
                     r"|(?<![0-9A-Za-z.])(?P<short>[0-9]{8,14}[0-9Xx]?)(?![0-9A-Za-z.])")
# a shorter run (an ID or a card with digits dropped: id.format, card.format) is a person's number only
# right after its name (身份证号码“4201131995031”): at most this many characters between them
_SHORT_NAMED_WITHIN = 4
# the names of the numbers in aidctl's messages and in the headers and remarks of schools' sheets: the
# last one before a run says what it is (1: an ID, 2: a card)
_NAMED = re.compile(r"(身份证|身份号码|证件号)|(银行卡|卡号|账号|帐号|账户|帐户|存折)")
_ID_SHAPED = re.compile(r"[0-9]{17}[0-9Xx]")


@dataclass(frozen=True)
class Masking:
    """How much of an ID and a card stays visible."""

    id_head: int = 6
    id_tail: int = 4
    card_tail: int = 4

    def tail(self, length: int) -> int:
        """How many characters at the end of an ID of `length` characters stay visible: id_tail, but
        never into the birth date (an old 15-digit number: 3; 16–19 characters: what an 18-character
        ID shows, less what it lacks)."""
        if length == 15:
            return min(self.id_tail, 3)
        if length >= 16:
            return max(min(self.id_tail, length - 14), 0)
        return self.id_tail

    def id(self, ident: str) -> str:
        """An ID with each character between its first id_head and last `tail` starred (a 15-digit ID
        keeps its length); a text no longer than both together (no ID) has nothing between them."""
        tail = max(len(ident) - self.tail(len(ident)), self.id_head)
        return ident[:self.id_head] + _STAR * (tail - self.id_head) + ident[tail:]

    def card(self, card: str) -> str:
        return _STAR * 4 + card[len(card) - self.card_tail:]

    def number(self, run: str, kind: str | None = None) -> str:
        """A run of digits found in text, masked as `kind` says it is ("id", "card"), else as its
        length says."""
        digits = re.sub(r"[ \-]", "", run)
        if kind is None:
            kind = "id" if len(digits) == 15 or (len(digits) == 18 and digits[:17].isdigit()) else "card"
        return self.id(digits.upper()) if kind == "id" else self.card(digits)

    def scientific(self, number: str, kind: str | None = None) -> str:
        """A number in scientific notation (4.20102199503121E+17) masked: an ID's shows the digits of its
        head, a card's none (its last digits are lost); `kind` as in `number`, else the exponent says
        (14 or 17: a number of 15 or 18 digits, an ID)."""
        mantissa, _, exponent = number.partition("E") if "E" in number else number.partition("e")
        if kind is None:
            kind = "id" if int(exponent.lstrip("+")) in (14, 17) else "card"
        shown = self.id_head if kind == "id" else 0
        digits = 0
        out = []
        for ch in mantissa:
            if ch.isdigit():
                digits += 1
                out.append(ch if digits <= shown else _STAR)
            else:
                out.append(ch)
        return "".join(out) + number[len(mantissa):]

    def text(self, value: str) -> str:
        """Every ID or card number in a text masked, each as the name before it says (see the module
        docstring)."""
        if len(value) < 8:
            return value
        out, at, kind = [], 0, None
        for m in _NUMBER.finditer(value):
            group = next(g for g in ("run", "sci", "short") if m.group(g))
            found = m.group(group)
            if m.group("prefix") and not _ID_SHAPED.fullmatch(found):
                continue   # a code behind a letter, not a 学籍号 holding an ID: not a person's number
            names = list(_NAMED.finditer(value, at, m.start(group)))
            named = names[-1] if names else None
            if group == "short":
                if named is None or m.start(group) - named.end() > _SHORT_NAMED_WITHIN:
                    continue   # an amount, a date, a telephone number: nothing names it a person's number
                masked = self.number(found, "id" if named.group(1) else "card")
                out += [value[at:m.start(group)], masked]
                at = m.end(group)
                continue
            if named is not None:
                kind = "id" if named.group(1) else "card"
            masked = self.scientific(found, kind) if group == "sci" else self.number(found, kind)
            out += [value[at:m.start(group)], masked]
            at = m.end(group)
        return "".join(out) + value[at:] if out else value

    def ids(self, ids: pd.Series) -> pd.Series:
        """A column of IDs masked as `id` masks one, vectorised over each length present (NA stays NA)."""
        arr = pa.array(ids.astype("string[pyarrow]"), type=pa.large_string())
        length = pc.utf8_length(arr)
        tails = pc.if_else(pc.equal(length, 15), min(self.id_tail, 3),
                           pc.if_else(pc.greater_equal(length, 16),
                                      pc.max_element_wise(pc.min_element_wise(pc.subtract(length, 14), self.id_tail), 0),
                                      self.id_tail))
        hidden = pc.max_element_wise(pc.subtract(pc.subtract(length, self.id_head), tails), 0)
        tail = pa.repeat(pa.scalar("", pa.large_string()), len(arr))
        for t in range(1, self.id_tail + 1):   # each row's last `tails` characters (a few widths)
            tail = pc.if_else(pc.equal(tails, t), pc.utf8_slice_codeunits(arr, -t), tail)
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
    """True when a text holds an unmasked ID or card number (one `Masking.text` would mask)."""
    return DEFAULT.text(value) != value
