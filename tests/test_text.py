"""aidctl.text.fold (vectorised, with fast paths for columns without spaces or blanks) against
fold_one, the same folding for one value; per_distinct_rows against deciding each row alone."""

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


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(*[st.sampled_from(["甲", "乙", "１", "1", None]) for _ in range(3)]), min_size=1, max_size=40))
def test_per_distinct_rows_decides_each_row_by_its_own_values(rows):
    from aidctl.core.text import per_distinct_rows

    frame = pd.DataFrame(rows, columns=["a", "b", "c"], dtype="string[pyarrow]")
    calls = []
    got = per_distinct_rows(frame, ["a", "b", "c"], lambda *v: calls.append(v) or ("|".join(map(str, v)),), ["key"])
    assert got["key"].tolist() == ["|".join(map(str, row)) for row in rows]
    assert len(calls) == len(set(rows))  # once per distinct combination


def test_per_distinct_rows_tells_apart_combinations_past_a_64_bit_number():
    """Five columns of 65,535 distinct values number 65,536⁵ combinations: multiplied out in 64
    bits the first column would drop out, and a row differing from another only there would be
    decided as that other row (a school's type taken from another school)."""
    from aidctl.core.text import per_distinct_rows

    n = 65_535
    values = [f"v{i}" for i in range(n)]
    frame = pd.DataFrame({c: [*values, "v0"] for c in "abcde"}, dtype="string[pyarrow]")
    frame.loc[n, "a"] = "v1"  # the last row is row 0 but for its first column
    got = per_distinct_rows(frame, list("abcde"), lambda *v: (v[0],), ["a"])["a"]
    assert (got.iloc[0], got.iloc[n]) == ("v0", "v1")
    assert got.tolist() == frame["a"].tolist()


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**15 - 1), st.sampled_from(["{}", " {} ", "{}.0", "{}.00"]))
def test_whole_numbers_reads_a_plain_whole_number_exactly(n, written):
    from aidctl.core.text import whole_numbers

    number, unread = whole_numbers(pd.Series([written.format(n)], dtype="string"))
    assert number.tolist() == [n] and unread.isna().all()


def test_whole_numbers_names_what_is_not_one_and_never_casts_it():
    """"2.5" is not 2, "1e3" not 1000, 20 digits not a wrapped or float number: each is returned as
    written for the caller to name; a blank is neither a number nor something to name."""
    from aidctl.core.text import whole_numbers

    cells = ["2.5", "1e3", "2a", "-3", "七", "1,000", "9" * 20, None, " "]
    number, unread = whole_numbers(pd.Series(cells, dtype="string"))
    assert number.isna().all()
    assert unread.tolist()[:7] == cells[:7] and unread.iloc[7:].isna().all()


def test_counts_reads_thousands_separators_and_names_the_rest():
    from aidctl.read.schools import counts

    cells = pd.Series(["1,200", "1200.0", "1,20,0", "0", "12.5", "9" * 20, None], dtype="string")
    number, unread = counts(cells, cells.index)
    assert number.tolist()[:2] == [1200, 1200] and number.iloc[2:].isna().all()
    assert unread.tolist()[2:6] == ["1,20,0", "0", "12.5", "9" * 20] and unread.iloc[[0, 1, 6]].isna().all()


# --- one NFKC for the whole package: footnote marks are never folded into digits --------------------

def test_a_term_written_with_a_footnote_mark_names_no_term():
    """terms.yaml's reader folded with plain NFKC: "201①年秋季" named 2011-autumn (① read as 1), and a
    list number before a title ("①2011年…") hid the year (12011). A footnote mark now stays as
    written (core.text.nfkc_one), as in every roster cell; full-width digits still fold."""
    from aidctl.core.terms import Term
    from aidctl.rulebook import Rulebook, terms_named

    words = Rulebook().terms.words
    assert terms_named(words, "201①年秋季学期中职国家助学金名单") == frozenset()
    assert terms_named(words, "2011—201②学年第一学期") == frozenset()
    assert terms_named(words, "①2011年秋季学期中职国家助学金名单") == frozenset({Term(2011, "autumn")})
    assert terms_named(words, "２０１１年秋季") == frozenset({Term(2011, "autumn")})


# where plain NFKC may stay, and why (each a count of uses in its file): the 公示 list's last check
# for an ID or card (report/publicity.py: folding a mark into a digit finds more, never fewer); the
# header reader (read/header.py, not yet moved); the blank-word check of 备注 words (vocabulary.py:
# blank either way)
PLAIN_NFKC_LEFT = {"report/publicity.py": 1, "read/header.py": 2, "rulebook/vocabulary.py": 1}


def test_text_is_folded_by_one_helper_that_keeps_footnote_marks():
    """pay/declared.py and rulebook/terms.py folded with plain NFKC (a 回盘's "1500¹" read 15001). Text
    is folded by core.text.nfkc / nfkc_one; the uses left are listed above, each with its reason."""
    import re
    from pathlib import Path

    import aidctl

    package = Path(aidctl.__file__).parent
    plain = re.compile(r"""normalize\(\s*["']NFKC["']|utf8_normalize\(""")
    found = {}
    for path in sorted(package.rglob("*.py")):
        name = path.relative_to(package).as_posix()
        if name != "core/text.py" and (n := len(plain.findall(path.read_text(encoding="utf-8")))):
            found[name] = n
    assert {k: v for k, v in found.items() if v > PLAIN_NFKC_LEFT.get(k, 0)} == {}, found
