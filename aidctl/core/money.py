"""Money and rates, exact: yuan and fen from cells with the unit the header gives (元, 万元), and the one
half-up rounding every figure shown goes through ("95.00%", "1.25" per 1,000, "750.00")."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from aidctl.core.amounts import INT64_MAX, YUAN_DIGITS, YUAN_LIMIT
from aidctl.core.errors import AidctlError
from aidctl.core.text import integer_text, missing, text_series

_MONEY_TEXT = rf"^[+-]?\d{{1,{YUAN_DIGITS}}}(?:\.\d{{1,10}})?$"
# a currency sign before the figure, 元 after it: "¥750", "750元"; anywhere else ("7元50") no amount
_SIGN = r"^[¥￥]\s*"
_YUAN = r"\s*元$"
_SEPARATOR = r"[,，\s]"
# a thousands separator stands between groups of three digits, the same one throughout
_GROUPED = r"^[+-]?\d{1,3}(?:(?:,\d{3})+|(?:，\d{3})+|(?: +\d{3})+)(?:\.\d*)?$"


def _ungrouped(arr: pa.Array) -> pa.Array:
    """Amount text without its thousands separators ("7,500", "1,234,567.50", "7 500"); null where a
    comma or a space stands anywhere else: "7,50", "75,0" or "7 50" may be 750 or 7.50, never guessed."""
    separated = pc.fill_null(pc.match_substring_regex(arr, _SEPARATOR), False)
    grouped = pc.fill_null(pc.match_substring_regex(arr, _GROUPED), False)
    plain = pc.replace_substring_regex(arr, _SEPARATOR, "")
    return pc.if_else(separated, pc.if_else(grouped, plain, pa.scalar(None, arr.type)), arr)


def parse(text: pd.Series, unit: Decimal | pd.Series = Decimal(1)) -> tuple[pd.Series, pd.Series, np.ndarray]:
    """(yuan as an exact Arrow decimal, fen as Int64, ok) for cells such as "860", "1,250.00", "0.086"
    under 万元, "¥750", "750元". Not ok where blank, not a number, holding a currency sign or 元 other
    than before or after the figure ("7元50"), saying 元 under a header of another unit ("750元" under
    万元: which one is meant is not known), holding a part below one fen after
    the unit, holding a comma or an inner space that is no thousands separator ("7,50", "7 50"), or
    reaching YUAN_LIMIT (10^15 yuan) after the unit: "1.5" under 亿元 is 150,000,000 yuan, read;
    "200000000" under 亿元 is refused, never wrapped round in 64 bits.

    A roster's amounts repeat a handful of values: each distinct (cell, unit) is parsed once."""
    cells, cell_values = pd.factorize(text, use_na_sentinel=True)
    if isinstance(unit, pd.Series):
        units, unit_values = pd.factorize(unit.astype(object))
        unit_values = list(unit_values)
    else:
        units, unit_values = np.zeros(len(text), dtype=np.int64), [unit]
    key = (cells.astype(np.int64) + 1) * max(len(unit_values), 1) + units
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    values = np.append(np.asarray(cell_values, dtype=object), None)  # code -1 (blank) → None
    yuan2, fen, ok = _parse_distinct(pd.Series(values[cells[first]], dtype="string"),
                                     [unit_values[u] for u in units[first]])
    take = pa.array(inverse.reshape(-1))
    return (pd.Series(pd.arrays.ArrowExtensionArray(yuan2.take(take)), index=text.index),
            pd.Series(pd.arrays.ArrowExtensionArray(fen.take(take)), index=text.index).astype("Int64"),
            ok[inverse.reshape(-1)])


def _parse_distinct(text: pd.Series, units: list) -> tuple[pa.Array, pa.Array, np.ndarray]:
    arr = pc.utf8_trim_whitespace(pa.array(text.astype("string[pyarrow]")))
    said_yuan = pc.fill_null(pc.match_substring_regex(arr, _YUAN), False)
    arr = _ungrouped(pc.replace_substring_regex(pc.replace_substring_regex(arr, _SIGN, ""), _YUAN, ""))
    other_unit = pa.array([Decimal(u) != 1 for u in units], type=pa.bool_())
    matches = pc.and_not(pc.fill_null(pc.match_substring_regex(arr, _MONEY_TEXT), False),
                         pc.and_(said_yuan, other_unit))
    # the bound is applied to the amount in yuan, after the unit (wide decimals until then): a
    # finance sheet's 亿元 is read, and a cell beyond the bound is not an amount
    value = pc.cast(pc.if_else(matches, arr, pa.scalar(None, arr.type)), pa.decimal256(YUAN_DIGITS + 10, 10))
    yuan = pc.multiply(value, pa.array([Decimal(u) for u in units], type=pa.decimal256(30, 4)))
    rounded = pc.round(yuan, ndigits=2, round_mode="half_up")
    exact = pc.fill_null(pc.and_(pc.equal(rounded, yuan),
                                 pc.less(pc.abs(rounded), pa.scalar(Decimal(YUAN_LIMIT), pa.decimal256(YUAN_DIGITS + 1, 0)))),
                         False)
    yuan2 = pc.cast(pc.if_else(exact, rounded, pa.scalar(None, rounded.type)), pa.decimal128(18, 2))
    fen = pc.cast(pc.multiply(yuan2, pa.scalar(Decimal(100), pa.decimal128(3, 0))), pa.int64())
    ok = matches.to_numpy(zero_copy_only=False) & exact.to_numpy(zero_copy_only=False)
    return yuan2, fen, ok


def yuan_text(fen: pd.Series) -> pd.Series:
    """Integer fen → yuan text with two decimals: 125000 → "1250.00" (exact, vectorised)."""
    f = fen.astype("int64").to_numpy()
    a = np.abs(f)

    def word(value: str) -> pa.Scalar:
        return pa.scalar(value, pa.large_string())

    joined = pc.binary_join_element_wise(pc.if_else(pa.array(f < 0), word("-"), word("")), integer_text(a // 100),
                                         word("."), pc.utf8_lpad(integer_text(a % 100), width=2, padding="0"), word(""))
    return text_series(joined, fen.index)


def fen_from_text(text: pd.Series) -> pd.Series:
    """Yuan text → integer fen: "1250.00" / "1250" / "1,250.50" → 125000 / 125000 / 125050; NA where
    the text is not an amount in yuan and fen (a comma that is no thousands separator: "12,50")."""
    arr = _ungrouped(pa.array(text.astype("string").str.strip().astype("string[pyarrow]")))
    ok = pc.fill_null(pc.match_substring_regex(arr, rf"^-?\d{{1,{YUAN_DIGITS}}}(\.\d{{1,2}})?$"), False)
    value = pc.cast(pc.if_else(ok, arr, pa.scalar(None, arr.type)), pa.decimal128(18, 2))
    fen = pc.cast(pc.multiply(value, pa.scalar(Decimal(100), pa.decimal128(3, 0))), pa.int64())
    return pd.Series(pd.arrays.ArrowExtensionArray(fen), index=text.index).astype("Int64")


def disagreement(counts: dict[str, int], amounts: dict[str, int]) -> str | None:
    """None when every count is the same number and every amount (fen) the same sum; else all of
    them, named, for the message that stops the writing ("银行文件笔数 40；…；账本金额 30000.00")."""
    if len(set(counts.values())) <= 1 and len(set(amounts.values())) <= 1:
        return None
    return "；".join([*(f"{k} {v}" for k, v in counts.items()), *(f"{k} {yuan(v)}" for k, v in amounts.items())])


def exact_total(fen) -> int:
    """The sum of a fen column (NA left out) as a Python int, exact at any size: each value split in
    its high and low 32 bits, each half summed in int64 (2^31 values of either half fit), then joined.
    An int64 sum of the column is this number only when it fits in 64 bits."""
    a = pd.Series(fen).dropna().to_numpy(dtype=np.int64)
    return int((a >> 32).sum()) * 2 ** 32 + int((a & 0xFFFFFFFF).sum())


def check_sums(fen, what: str, seq=None, hint: str = "") -> int:
    """The exact Σ fen (a Python int), refused (AidctlError, exit 2) when Σ |fen| or, given the
    序号 `seq` (≥ 1), Σ 序号 × |fen| — the check-sum a batch's files are proven by against the ledger
    — leaves the 64 bits a fen column and the ledger hold. Within them no int64 sum of a part of
    the column wraps round. `what` names the figures ("本次发放"); `hint` names the largest."""
    a = pd.Series(fen).dropna().to_numpy(dtype=np.int64)
    total, size = exact_total(a), exact_total(np.abs(a))
    weighted = size
    if seq is not None and len(a):
        s = np.asarray(seq, dtype=np.int64)
        weighted = size * int(s.max())  # a bound; exact (Python ints) only when the bound is too large
        if weighted > INT64_MAX:
            weighted = int((s.astype(object) * np.abs(a).astype(object)).sum())
    if size <= INT64_MAX and weighted <= INT64_MAX:
        return total
    said = f"{what}金额合计 {yuan(size)} 元" if size > INT64_MAX else \
        f"{what} {len(a)} 笔，合计 {yuan(total)} 元，用于核对银行文件与账本的“序号×金额”之和"
    raise AidctlError(f"{said}超出账本能记录的范围（以分计的 64 位整数，最多 {yuan(INT64_MAX)} 元），"
                      f"计算会溢出成错误的数字，本次不予处理{hint}：多半是金额填错了（如把万元当元、多写了几位），"
                      "请核对后重新提交")


def yuan(fen: int) -> Decimal:
    """Integer fen → Decimal yuan with two places."""
    return (Decimal(int(fen)) / 100).quantize(Decimal("0.01"))


def yuan_or_none(fen: object) -> Decimal | None:
    """Fen (int, or a blank cell's NA) → Decimal yuan, or None."""
    return None if missing(fen) else yuan(int(fen))


def yuan_text_or_none(fen: object) -> str | None:
    """Fen → "1250.00", or None: how one figure reads in the JSON documents."""
    return None if missing(fen) else str(yuan(int(fen)))


def _python_ints(values: pd.Series) -> np.ndarray:
    """An Int64 column (NA as 0) as Python ints: their products never wrap round in 64 bits."""
    return values.fillna(0).to_numpy(dtype=np.int64).astype(object)


def times_half_up(value: pd.Series, numerator, denominator) -> pd.Series:
    """value × numerator ÷ denominator, rounded half up to a whole number (fen), exactly: the
    product is taken in Python ints, so 10^17 fen × 123 is never a wrapped 64-bit number. value,
    numerator (Series or int) ≥ 0, denominator > 0; NA where any is NA. The result fits int64
    when the ratio is at most 1 (a rate, a share)."""
    v = value.astype("Int64")
    n = pd.Series(numerator, index=v.index).astype("Int64")
    d = pd.Series(denominator, index=v.index).astype("Int64")
    known = v.notna() & n.notna() & d.notna() & (d > 0).fillna(False)
    out = divide_half_up(_python_ints(v.where(known, 0)) * _python_ints(n.where(known, 0)),
                         _python_ints(d.where(known, 1)))
    return pd.Series(pd.array(list(out), dtype="Int64"), index=v.index).where(known)


def share_text(part: pd.Series, whole: pd.Series) -> pd.Series:
    """part / whole as a percentage with two decimals ("4.50%", "-4.50%"), exact half-up (away from
    zero) in Python ints at any size; NA where whole ≤ 0."""
    p = part.astype("Int64")
    w = whole.astype("Int64")
    usable = p.notna() & w.notna() & (w > 0)
    a = _python_ints(p.where(usable, 0))
    bp = divide_half_up(np.abs(a) * 10_000, _python_ints(w.where(usable, 1)))
    sign = pd.Series(np.where(a < 0, "-", ""), index=p.index)
    text = sign + pd.Series(bp // 100, index=p.index).astype(str) + "." + \
        pd.Series(bp % 100, index=p.index).astype(str).str.zfill(2) + "%"
    return text.where(usable, None)


NO_DATA = "无数据"


def ratio(part: int, whole: int | None) -> Fraction | None:
    """part ÷ whole, or None when there is no denominator (never 0 for "no data")."""
    if whole is None or whole <= 0:
        return None
    return Fraction(int(part), int(whole))


def divide_half_up(numerator, denominator):
    """numerator ÷ denominator rounded half up to a whole number, exactly: the one rounding aidctl
    does. Integers, numpy integer arrays and pandas Int64 Series alike; numerator ≥ 0, denominator > 0."""
    return (2 * numerator + denominator) // (2 * denominator)


def half_up(value: Fraction | Decimal | int, places: int = 2) -> Decimal:
    """An exact number rounded half up (away from zero at .5) to `places` decimals."""
    exact = Fraction(value)
    scaled = abs(exact) * 10 ** places
    out = Decimal(divide_half_up(scaled.numerator, scaled.denominator)).scaleb(-places)
    return (-out if exact < 0 else out).quantize(Decimal(1).scaleb(-places))


def percent(value: Fraction | None, places: int = 2) -> str | None:
    """0.955 → "95.50%"; None stays None."""
    return None if value is None else f"{half_up(value * 100, places)}%"


def number(value: Fraction | None, places: int = 2) -> str | None:
    """1.255 → "1.26"; None stays None."""
    return None if value is None else str(half_up(value, places))


def shown(value: object) -> str:
    """What a table or workbook shows: the figure, or 无数据."""
    return NO_DATA if value is None else str(value)
