"""aidctl.money.parse against Decimal arithmetic, value by value, on columns that repeat values
under different units (parse works once per distinct cell and unit)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from aidctl.core import money

CELLS = st.one_of(
    st.decimals(min_value=0, max_value=99999, places=3, allow_nan=False).map(str),
    st.integers(0, 2_000_000).map(lambda n: f"{n:,}"),
    st.integers(10 ** 10, 10 ** 16).map(str),  # about the bound, under each unit
    st.sampled_from(["860", "1,250.00", "0.086", "￥1000元", " 750 ", "abc", "", "-5", "1e3", "0.0001",
                     "7,50", "75,0", "7 50", "7 500", "1,234,567.50", "1，234", "1,234，567", "12,3456",
                     "750元", "¥ 750", "7元50", "元750", "750￥", "750元元", "1,500.00 元"]),
    st.none(),
)
UNITS = st.sampled_from([Decimal(1), Decimal(1000), Decimal(10000), Decimal(100_000_000)])


def reference(cell, unit: Decimal) -> int | None:
    """Fen by Decimal: the cell without its currency sign before the figure and 元 after it (元 only
    where the unit is 元) and thousands separators (a comma or a space between groups of three
    digits, the same one throughout; anywhere else the cell is no amount), times the unit, exact to
    a fen."""
    if cell is None:
        return None
    text = cell.strip()
    if text.endswith("元"):
        if unit != 1:
            return None
        text = text[:-1].strip()
    if text[:1] in ("¥", "￥"):
        text = text[1:].strip()
    if re.search(r"[,，\s]", text):
        if not re.fullmatch(r"[+-]?\d{1,3}(?:(?:,\d{3})+|(?:，\d{3})+|(?: +\d{3})+)(?:\.\d*)?", text):
            return None
        text = re.sub(r"[,，\s]", "", text)
    if not re.fullmatch(r"[+-]?\d{1,15}(?:\.\d{1,10})?", text):
        return None
    try:
        yuan = Decimal(text) * unit
    except InvalidOperation:
        return None
    if abs(yuan) >= Decimal(10) ** 15:  # the bound, after the unit
        return None
    fen = yuan * 100
    return int(fen) if fen == fen.to_integral_value() else None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(CELLS, UNITS), min_size=1, max_size=60))
def test_parse_agrees_with_decimal_value_by_value(pairs):
    cells = pd.Series([c for c, _ in pairs] * 2, dtype="string")  # every value twice: the shared path
    units = pd.Series([u for _, u in pairs] * 2)
    yuan, fen, ok = money.parse(cells, units)
    for i, (cell, unit) in enumerate(pairs * 2):
        want = reference(cell, unit)
        assert (None if pd.isna(fen.iloc[i]) else int(fen.iloc[i])) == want, (cell, unit)
        assert bool(ok[i]) == (want is not None), (cell, unit)
        if want is not None:
            assert yuan.iloc[i] == Decimal(want) / 100


def test_parse_keeps_the_index_and_takes_one_unit():
    cells = pd.Series(["0.086", None, "1,250.00"], index=[7, 8, 9], dtype="string")
    yuan, fen, ok = money.parse(cells, Decimal(10000))
    assert list(fen.index) == [7, 8, 9]
    assert fen.tolist() == [86000, pd.NA, 1250000000]
    assert ok.tolist() == [True, False, True]


def test_disagreement_names_every_figure_only_when_they_differ():
    assert money.disagreement({"银行文件笔数": 40, "账本笔数": 40}, {"银行文件金额": 3000000, "账本金额": 3000000}) is None
    assert money.disagreement({"银行文件笔数": 40, "账本笔数": 39}, {"银行文件金额": 3000000, "账本金额": 3000000}) == \
        "银行文件笔数 40；账本笔数 39；银行文件金额 30000.00；账本金额 30000.00"
    assert money.disagreement({"银行文件笔数": 40}, {"银行文件金额": 3000000, "账本金额": 2999999}) == \
        "银行文件笔数 40；银行文件金额 30000.00；账本金额 29999.99"


# --- footnote marks: folded, never a digit ---------------------------------------------------------

def test_an_amount_with_a_footnote_mark_is_no_amount():
    """750¹ and 750① (750 with a note mark) were folded by NFKC to 7501 and paid 7,501.00. The cells
    are folded as a roster's are (text.fold), then parsed: a mark that is no decimal digit is no
    amount; full-width and mathematical digits (category Nd) still are."""
    from aidctl.core.text import fold

    cells = pd.Series(["750¹", "750①", "7⑸0", "1½", "750⒈", "７５０", "𝟕𝟓𝟎", "750"], dtype="string[pyarrow]")
    folded = fold(cells, keep_inner_spaces=True)
    assert folded.tolist()[:5] == ["750¹", "750①", "7⑸0", "1½", "750⒈"]
    yuan, fen, ok = money.parse(folded)
    assert ok.tolist() == [False] * 5 + [True] * 3
    assert fen.tolist() == [pd.NA] * 5 + [75000] * 3
