"""aidctl.text.fold (vectorised, with fast paths for columns without spaces or blanks) against
fold_one, the same folding for one value."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from aidctl.core.text import fold, fold_one

# full-width letters and digits, the ideographic and no-break spaces (NFKC makes them plain), tabs,
# newlines and carriage returns
ALPHABET = "aX张１２Ｘ（) \t\n\r\u3000\u00a0"
VALUES = st.one_of(st.text(alphabet=ALPHABET, max_size=8), st.none())


@settings(max_examples=300, deadline=None)
@given(st.lists(VALUES, min_size=1, max_size=30), st.booleans())
def test_fold_agrees_with_fold_one(values, repeat):
    column = pd.Series(values * (40 if repeat else 1), dtype="string[pyarrow]")  # 40×: the shared path
    got = fold(column)
    for value, folded in zip(column, got):
        want = fold_one(value) if isinstance(value, str) else ""
        assert (folded if isinstance(folded, str) else "") == want, repr(value)
        assert not (isinstance(folded, str) and folded == "")  # blank is NA, never ""


def test_fold_keeps_inner_spaces_when_told():
    column = pd.Series(["  上海市\u3000黄浦区\t人民路 1 号 ", "\t", "无空格"], dtype="string[pyarrow]")
    assert fold(column, keep_inner_spaces=True).tolist() == ["上海市 黄浦区 人民路 1 号", pd.NA, "无空格"]
    assert fold(column).tolist() == ["上海市黄浦区人民路1号", pd.NA, "无空格"]


def test_column_letters_are_excels_for_every_column():
    from openpyxl.utils import get_column_letter

    from aidctl.core.text import column_letters

    assert [column_letters(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]
    assert all(column_letters(i) == get_column_letter(i + 1) for i in range(16384))
