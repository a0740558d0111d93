"""The vectorised ID and card functions of aidctl.identity against python-stdnum as an oracle.

Pure functions get a few hundred random examples each; the end-to-end properties write a roster with
openpyxl and run `aidctl validate --format json` on it, so they get fewer.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import VOC_HEADERS, make_card, voc_row
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from stdnum import luhn
from stdnum.cn import ric
from typer.testing import CliRunner

from aidctl.cli.common import app
from aidctl.core import identity

PURE = settings(max_examples=200, deadline=None)
E2E = settings(max_examples=20, deadline=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# Area codes that stdnum's table knows for every birth year from 1950 on (so stdnum validates the IDs).
AREAS = ["110101", "310101", "120101"]

digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


def digit_string(n_min: int, n_max: int | None = None):
    return st.text(alphabet="0123456789", min_size=n_min, max_size=n_max or n_min)


def stdnum_check(first17: str) -> str:
    # stdnum's calc_check_digit takes the whole number and ignores its last character
    return ric.calc_check_digit(first17 + "0")


@st.composite
def valid_ids(draw, start=dt.date(1950, 1, 1), end=dt.date(2010, 12, 31)) -> str:
    """An 18-character resident ID that python-stdnum validates (place, birth date, check)."""
    area = draw(st.sampled_from(AREAS))
    born = draw(st.dates(min_value=start, max_value=end))
    seq = draw(st.integers(0, 999))
    first17 = f"{area}{born:%Y%m%d}{seq:03d}"
    number = first17 + stdnum_check(first17)
    assert ric.is_valid(number), number
    return number


# --- check_char -----------------------------------------------------------------------------------

@PURE
@given(st.lists(digit_string(17), min_size=1, max_size=30))
def test_check_char_agrees_with_stdnum(prefixes):
    got = identity.check_char(pd.Series(prefixes, dtype="string[pyarrow]"))
    assert list(got) == [stdnum_check(p) for p in prefixes]


def test_check_char_keeps_the_index_and_knows_x():
    # 11010519491231002 → X is the GB 11643 example number
    s = pd.Series(["11010519491231002", "42010219950312123"], index=[7, 3])
    got = identity.check_char(s)
    assert list(got.index) == [7, 3]
    assert got[7] == "X"
    assert got[3] == stdnum_check("42010219950312123")


def test_check_char_of_nothing_is_empty():
    got = identity.check_char(pd.Series([], dtype="string[pyarrow]"))
    assert len(got) == 0


# --- luhn_ok --------------------------------------------------------------------------------------

@PURE
@given(st.lists(digit_string(16, 19), min_size=1, max_size=30))
def test_luhn_agrees_with_stdnum(cards):
    got = identity.luhn_ok(pd.Series(cards, dtype="string[pyarrow]"))
    assert list(got) == [luhn.is_valid(c) for c in cards]


@PURE
@given(st.integers(0, 3), digit_string(12, 15))
def test_luhn_with_leading_zeros(zeros, body):
    card = "0" * zeros + body
    card = card + luhn.calc_check_digit(card)
    assume(16 <= len(card) <= 19)
    assert bool(identity.luhn_ok(pd.Series([card]))[0]) is True
    wrong = card[:-1] + str((int(card[-1]) + 1) % 10)
    assert bool(identity.luhn_ok(pd.Series([wrong]))[0]) is False


def test_luhn_known_cards():
    cards = pd.Series([make_card(seed=s, length=n) for s in range(5) for n in (16, 19)])
    assert identity.luhn_ok(cards).all()


# --- upgrade_15 -----------------------------------------------------------------------------------

@st.composite
def valid_15(draw) -> tuple[str, str]:
    """(15-digit old ID, the 18-digit ID it becomes), both built by hand and checked with stdnum."""
    area = draw(st.sampled_from(AREAS))
    born = draw(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(1999, 12, 31)))
    seq = draw(st.integers(0, 999))
    old = f"{area}{born:%y%m%d}{seq:03d}"
    first17 = f"{area}{born:%Y%m%d}{seq:03d}"
    return old, first17 + stdnum_check(first17)


@PURE
@given(st.lists(valid_15(), min_size=1, max_size=20))
def test_upgrade_15_gives_a_valid_18_digit_id(pairs):
    olds = pd.Series([p[0] for p in pairs], dtype="string[pyarrow]")
    got = identity.upgrade_15(olds)
    assert list(got) == [p[1] for p in pairs]
    for number in got:
        assert len(number) == 18
        assert ric.is_valid(number), number


def test_upgrade_15_known_number():
    # the sample workspace's legacy ID and its 18-digit form
    got = identity.upgrade_15(pd.Series(["420104951116869"]))
    assert got[0] == "420104199511168690"


# --- birth_dates ----------------------------------------------------------------------------------

@PURE
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)), digit_string(4))
def test_birth_dates_real_dates(born, tail):
    number = f"420102{born:%Y%m%d}{tail}"
    got = identity.birth_dates(pd.Series([number]))
    assert got[0] == pd.Timestamp(born)
    assert got[0].date() == ric.get_birth_date(number)


@pytest.mark.parametrize("ymd", ["19950230", "19950229", "19950431", "19951301", "19950001",
                                 "19950100", "19000229", "19951232", "00000000"])
def test_birth_dates_impossible_are_nat(ymd):
    number = f"420102{ymd}1234"
    got = identity.birth_dates(pd.Series([number, "420102200002291234"]))
    assert pd.isna(got[0])
    assert got[1] == pd.Timestamp("2000-02-29")
    with pytest.raises(ValueError):  # stdnum's InvalidComponent is a ValueError
        ric.get_birth_date(number)


# --- clean_id / clean_card ------------------------------------------------------------------------

def test_clean_id_and_card():
    ids = pd.Series(["'11010519491231002x", "110105-19491231-002X", "‘110105194912310021"],
                    dtype="string[pyarrow]")
    assert list(identity.clean_id(ids)) == ["11010519491231002X", "11010519491231002X",
                                            "110105194912310021"]
    cards = pd.Series(["'6222021234567890123", "6222-0212-3456-7890-123"], dtype="string[pyarrow]")
    assert list(identity.clean_card(cards)) == ["6222021234567890123"] * 2


# --- end to end -----------------------------------------------------------------------------------

def _validate_ids(ids: list[str], folder: Path) -> dict:
    """Write one 中职国家助学金 roster with these IDs (as text) and validate it for 2011-autumn."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(VOC_HEADERS)
    for i, number in enumerate(ids, start=1):
        row = voc_row(i, 身份证号码=number)
        row["性别"] = "男" if int(number[16]) % 2 else "女"
        ws.append([row[h] for h in VOC_HEADERS])
    path = folder / "roster.xlsx"
    wb.save(path)
    result = CliRunner().invoke(app, ["validate", str(path), "--term", "2011-autumn", "--format", "json",
                                      "--workspace", str(folder)])
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


@E2E
@given(st.lists(valid_ids(end=dt.date(2011, 9, 1)), min_size=1, max_size=5, unique=True))
def test_valid_ids_give_no_id_finding(ids):
    with tempfile.TemporaryDirectory() as tmp:
        doc = _validate_ids(ids, Path(tmp))
    assert doc["files"][0]["records"] == len(ids)
    id_findings = [f for f in doc["findings"] if f["code"].startswith("id.")]
    assert id_findings == []
    assert not [f for f in doc["findings"] if f["code"] == "gender.mismatch"]


@E2E
@given(valid_ids(end=dt.date(2011, 9, 1)), st.sampled_from(list("0123456789X")), st.booleans())
def test_wrong_check_character_gives_exactly_one_checksum(number, other, lower):
    assume(other != number[-1])
    wrong = number[:-1] + (other.lower() if lower else other)
    with tempfile.TemporaryDirectory() as tmp:
        doc = _validate_ids([wrong], Path(tmp))
    id_findings = [f for f in doc["findings"] if f["code"].startswith("id.")]
    assert [f["code"] for f in id_findings] == ["id.checksum"], id_findings
    f = id_findings[0]
    assert (f["row"], f["column"], f["severity"]) == (2, "身份证号码", "error")
    assert f["value"] == wrong.upper()
    assert number[-1] in f["message"]  # the message names the right check character


@E2E
@given(valid_ids(start=dt.date(2011, 9, 2), end=dt.date(2030, 12, 31)))
def test_birth_after_term_start_is_birthdate_error(number):
    with tempfile.TemporaryDirectory() as tmp:
        doc = _validate_ids([number], Path(tmp))
    codes = [f["code"] for f in doc["findings"] if f["code"].startswith("id.")]
    assert codes == ["id.birthdate"]


# --- resident_ids / bank_cards over mixed columns --------------------------------------------------
# The roster-wide functions take fixed-width paths through the Arrow buffers; these compare them, on
# columns mixing every shape, with stdnum and the standard library value by value.

REFERENCE_DAY = dt.date(2011, 9, 1)

@st.composite
def id_shaped(draw) -> str:
    """18 characters: a place, a date that may not exist (30 February, month 13, year 1899 …), a
    sequence, then the right check character or another character (wrong, lower-case, not a digit)."""
    date = f"{draw(st.integers(1890, 2030)):04d}{draw(st.integers(0, 13)):02d}{draw(st.integers(0, 32)):02d}"
    first17 = f"{draw(st.sampled_from(AREAS))}{date}{draw(digit_string(3))}"
    return first17 + draw(st.one_of(st.just(stdnum_check(first17)), st.sampled_from(list("0123456789Xx a-张"))))


@st.composite
def id_old(draw) -> str:
    """15 digits: place, a two-digit year, a month and day that may not exist, a sequence."""
    return (f"{draw(st.sampled_from(AREAS))}{draw(digit_string(2))}{draw(st.integers(0, 13)):02d}"
            f"{draw(st.integers(0, 32)):02d}{draw(digit_string(3))}")


id_like = st.one_of(
    valid_ids(),
    id_shaped(),
    id_old(),
    id_shaped().map(lambda n: n[:-1]),                                            # 17 characters
    digit_string(14, 19),
    st.text(alphabet="0123456789Xx张 -'", min_size=0, max_size=20),
    st.just("4.20102E+17"),
    st.none(),
)


def _reference_id(text, number_cell: bool) -> dict:
    """One ID cell's verdict, by stdnum and datetime."""
    ids = identity.clean_id(pd.Series([text], dtype="string[pyarrow]"))[0]
    out = {"id18": None, "checksum": False, "birth": None, "lost": False}
    if ids is None or ids is pd.NA:
        return out
    out["lost"] = number_cell or bool(pd.Series([ids]).str.fullmatch(identity.SCIENTIFIC)[0])
    if len(ids) == 15 and ids.isascii() and ids.isdigit():
        first17 = ids[:6] + "19" + ids[6:]
        ids18 = first17 + stdnum_check(first17)
    elif len(ids) == 18 and ids[:17].isascii() and ids[:17].isdigit() and ids[17] in "0123456789X":
        ids18 = ids
    else:
        return out
    out["id18"] = ids18
    out["checksum"] = stdnum_check(ids18[:17]) == ids18[17]
    if out["checksum"]:
        try:
            born = dt.datetime.strptime(ids18[6:14], "%Y%m%d").date()
            out["birth"] = born if born.year >= 1900 and born <= REFERENCE_DAY else None
        except ValueError:
            pass
    return out


@PURE
@given(st.lists(st.tuples(id_like, st.booleans()), min_size=1, max_size=40))
def test_resident_ids_agree_with_stdnum_value_by_value(cells):
    raw = pd.Series([c for c, _ in cells], dtype="string[pyarrow]")
    number_cell = pd.Series([n for _, n in cells])
    got = identity.resident_ids(raw, number_cell, REFERENCE_DAY)
    for i, (text, cell) in enumerate(cells):
        want = _reference_id(text, cell and text is not None)
        row = got.iloc[i]
        assert (None if pd.isna(row["id18"]) else row["id18"]) == want["id18"], text
        assert bool(row["id_checksum_ok"]) == want["checksum"], text
        assert bool(row["id_digits_lost"]) == want["lost"], text
        assert bool(row["birth_ok"]) == (want["birth"] is not None), text
        if want["birth"] is not None:
            assert row["birth_date"].date() == want["birth"]
        assert bool(row["id_valid"]) == (want["checksum"] and want["birth"] is not None and not want["lost"])
        if want["id18"] is not None:
            assert row["id_expected_check"] == stdnum_check(want["id18"][:17])


card_like = st.one_of(digit_string(16, 19), digit_string(10, 22),
                      st.text(alphabet="0123456789 -'a", min_size=0, max_size=21),
                      st.just("6.22203E+18"), st.none())


@PURE
@given(st.lists(card_like, min_size=1, max_size=40))
def test_bank_cards_agree_with_stdnum_value_by_value(cards):
    clean = identity.clean_card(pd.Series(cards, dtype="string[pyarrow]"))
    got = identity.bank_cards(clean, pd.Series([False] * len(cards)))
    for i, card in enumerate(clean):
        present = isinstance(card, str)
        shaped = present and card.isascii() and card.isdigit() and 16 <= len(card) <= 19
        assert bool(got["card_shape_ok"].iloc[i]) == shaped, card
        assert bool(got["card_luhn_ok"].iloc[i]) == (shaped and luhn.is_valid(card)), card
        assert bool(got["card_digits_lost"].iloc[i]) == (present and card == "6.22203E+18")



@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(st.one_of(st.none(), st.text(alphabet="0123456789Xx身份证", max_size=24)), max_size=12),
       head=st.integers(0, 8), tail=st.integers(0, 6))
def test_a_column_of_ids_is_masked_as_each_id_alone(values, head, tail):
    """Masking.ids (a column, vectorised) and Masking.id (one ID, in messages) agree character for
    character whatever the widths and lengths: a 15-digit ID keeps its 15 characters, a text no longer
    than the head and tail together is shown as it is (no ID), and no character is shown twice. The
    tail shown never reaches into the birth date (Masking.tail: 3 of an old 15-digit number)."""
    from aidctl.core.masking import Masking

    m = Masking(id_head=head, id_tail=tail)
    column = m.ids(pd.Series(values, dtype="string", index=range(len(values), 0, -1)))
    assert list(column.index) == list(range(len(values), 0, -1))
    for value, masked in zip(values, column, strict=True):
        if value is None:
            assert masked is pd.NA
            continue
        assert masked == m.id(value) and len(masked) == len(value)
        shown = m.tail(len(value))
        assert shown <= tail   # never more than the widths; never into the birth date
        assert len(value) < 15 or len(value) - shown >= (12 if len(value) == 15 else 14)
        if len(value) > head + shown:
            assert masked[:head] == value[:head] and masked[len(value) - shown:] == value[len(value) - shown:]
            assert set(masked[head:len(value) - shown]) == {"*"}


@settings(max_examples=200, deadline=None)
@given(born=st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2011, 8, 31)),
       head=st.integers(0, 6), tail=st.integers(0, 4), seq=digit_string(3))
def test_no_masked_id_shows_a_digit_of_its_birth_date(born, head, tail, seq):
    """Within the widths rules/publicity.yaml allows (first ≤ 6, last ≤ 4), an 18-character ID and an
    old 15-digit one masked show no character of the birth date (characters 7–14, 7–12), alone and
    in a column; so a message that quotes the number beside its column gives nothing more."""
    from aidctl.core.masking import Masking

    m = Masking(id_head=head, id_tail=tail)
    first17 = f"420124{born:%Y%m%d}{seq}"
    long, old = first17 + stdnum_check(first17), f"420124{born:%y%m%d}{seq}"
    for number, birth in ((long, range(6, 14)), (old, range(6, 12))):
        for masked in (m.id(number), m.ids(pd.Series([number], dtype="string")).iloc[0],
                       m.text(f"身份证号码“{number}”")[len("身份证号码“"):-1]):
            assert all(masked[i] == "*" for i in birth), (number, masked)


def test_masked_ids_known():
    from aidctl.core.masking import DEFAULT

    ids = pd.Series(["420124199001014356", "420124900101435", None], dtype="string")
    assert list(DEFAULT.ids(ids).fillna("")) == ["420124********4356", "420124******435", ""]
    assert DEFAULT.id("420124900101435") == "420124******435"   # 900101: the birth date, all hidden


SEVENTEEN = "42011319950312213"            # an ID with a digit dropped (id.format)
CARD_15 = "622202133949434"                # a card of 15 digits (card.format)


@pytest.mark.parametrize("text, masked", [
    # a number is masked as the name before it says, as its column is: an ID of any length as IDs are,
    # a card as cards are (the 15-digit card was masked as an ID, showing 6 digits more than its column)
    (f"身份证号码“{SEVENTEEN}”不是18位", "身份证号码“420113********213”不是18位"),
    (f"银行卡号“{CARD_15}”不是16—19位数字", "银行卡号“****9434”不是16—19位数字"),
    (f"卡号{CARD_15}，身份证{SEVENTEEN}", "卡号****9434，身份证420113********213"),
    # a run after another with no name between is of its kind
    ("15位旧身份证号码“420102950312123”，已按国标升位为“420102199503121232”核对",
     "15位旧身份证号码“420102******123”，已按国标升位为“420102********1232”核对"),
    # nothing names it: its length says (two numbers a single space apart are one run: all hidden)
    ("备注 420124199511114356，6222021339494349278", "备注 420124********4356，****9278"),
    ("备注 420124199511114356 6222021339494349278", "备注 ****9278"),
    # the 全国学籍号 is G (J, L) and the ID
    ("学籍号“G420102199503121234”不一致", "学籍号“G420102********1234”不一致"),
    # a number cell read as text in scientific notation: the ID's first 15 digits, the birth date among them
    ("末几位已丢失（现为“4.20102199503121E+17”）", "末几位已丢失（现为“4.20102*********E+17”）"),
    ("银行卡号以数字格式保存（现为“6.22202133949435E+18”）", "银行卡号以数字格式保存（现为“*.**************E+18”）"),
    # no person's number: a batch id, a SHA-256, a code behind a hex letter, a small number in notation
    ("批次 B20261126111242962D 校验 3fa9c0e1b2d3a4f5e6d7c8b9a0f1e2d3c4b5a6978877665544332211aabbccdd",
     "批次 B20261126111242962D 校验 3fa9c0e1b2d3a4f5e6d7c8b9a0f1e2d3c4b5a6978877665544332211aabbccdd"),
    ("金额 7.50000000000E+02 元，编号 K12345678901234567", "金额 7.50000000000E+02 元，编号 K12345678901234567"),
    # a shorter run is a person's number only right after its name (digits dropped: id.format, card.format)
    ("身份证号码“4201131995031”不是18位，共13位", "身份证号码“420113***5031”不是18位，共13位"),
    ("银行卡号“62220213394”不是16—19位数字", "银行卡号“****3394”不是16—19位数字"),
    ("联系电话 13812345678，开学日 20110901，身份证号码以数字格式保存，Excel 只保留15位有效数字",
     "联系电话 13812345678，开学日 20110901，身份证号码以数字格式保存，Excel 只保留15位有效数字"),
])
def test_a_number_in_text_is_masked_as_its_name_says(text, masked):
    from aidctl.core.masking import DEFAULT, has_number

    assert DEFAULT.text(text) == masked
    assert list(DEFAULT.series(pd.Series([text, "无"], dtype="string"))) == [masked, "无"]
    assert has_number(text) == (text != masked) and not has_number(masked)


def test_a_number_in_a_message_is_masked_as_its_column():
    """The ID and card columns of a workbook (Masking.ids, .cards) and a message quoting the cell
    (Masking.text) show the same characters, whatever the length."""
    from aidctl.core.masking import DEFAULT

    for number in ["420124199511114356", "420124951111435", SEVENTEEN, SEVENTEEN + "45", "4201131995031"]:
        column = DEFAULT.ids(pd.Series([number], dtype="string")).iloc[0]
        assert DEFAULT.text(f"身份证号码“{number}”有误") == f"身份证号码“{column}”有误", number
    for card in [CARD_15, "6222021339494349278", "6222021339494349"]:
        column = DEFAULT.cards(pd.Series([card], dtype="string")).iloc[0]
        assert DEFAULT.text(f"银行卡号“{card}”有误") == f"银行卡号“{column}”有误", card


# --- footnote marks: folded, never a digit ---------------------------------------------------------

def test_the_characters_kept_through_folding_are_those_nfkc_makes_digits_of():
    """text.DIGIT_LIKE_RANGES is every character that is no decimal digit (Nd) and that Arrow's NFKC
    (the folding every roster cell goes through) turns into text holding one: over all of Unicode
    that Python's unicodedata knows (Arrow's may be newer: its outlined digits 𜳰, U+1CCF0-1CCF9 of
    Unicode 16, are Nd there, and fold to 0-9 as ０-９ do)."""
    import unicodedata

    import pyarrow as pa
    import pyarrow.compute as pc

    from aidctl.core.text import DIGIT_LIKE_RANGES

    points = [cp for cp in range(0x110000) if unicodedata.category(chr(cp)) not in ("Cs", "Cn")]
    folded = pc.utf8_normalize(pa.array([chr(cp) for cp in points]), form="NFKC").to_pylist()
    found = {cp for cp, text in zip(points, folded)
             if unicodedata.category(chr(cp)) != "Nd" and any(unicodedata.category(c) == "Nd" for c in text)}
    assert found == {cp for a, b in DIGIT_LIKE_RANGES for cp in range(a, b + 1)}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(alphabet="7X张１（) \u3000¹①⑴⒈½㉑🄁\u0301e", max_size=8), st.none()),
                min_size=1, max_size=30), st.booleans())
def test_fold_keeps_the_marks_and_agrees_with_fold_one(values, repeat):
    """The vectorised folding (marked values split around their marks in Arrow) gives what folding
    one value gives, on the shared path too; no mark ever becomes a digit."""
    from aidctl.core.text import DIGIT_LIKE_RANGES, fold, fold_one

    marks = {chr(cp) for a, b in DIGIT_LIKE_RANGES for cp in range(a, b + 1)}
    column = pd.Series(values * (40 if repeat else 1), dtype="string[pyarrow]")
    for value, folded in zip(column, fold(column)):
        want = fold_one(value) if isinstance(value, str) else ""
        assert (folded if isinstance(folded, str) else "") == want, repr(value)
        if isinstance(value, str):
            assert [c for c in value if c in marks] == [c for c in want if c in marks]
            assert sum(c.isdigit() and c not in marks for c in want) == sum(c in "7１" for c in value)


def test_an_id_or_a_card_with_a_footnote_mark_is_no_id_or_card():
    """An 18-digit card written with ① after it (见备注) was folded to a 19-digit card passing Luhn;
    an ID likewise. Folded as roster cells are, they are of no shape; ０-９ still fold to digits."""
    from aidctl.core.text import fold

    body = next(f"62220816479447{n:03d}" for n in range(1000)
                if luhn.is_valid(f"62220816479447{n:03d}" + luhn.calc_check_digit(f"62220816479447{n:03d}") + "1"))
    card18 = body + luhn.calc_check_digit(body)
    assert luhn.is_valid(card18 + "1")   # what folding ① to 1 used to make of it: a valid 19-digit card
    cards = identity.clean_card(fold(pd.Series([card18 + "①", card18 + "¹", card18.translate(FULL_WIDTH)],
                                               dtype="string[pyarrow]")))
    got = identity.bank_cards(cards, pd.Series([False] * 3))
    assert got["card_shape_ok"].tolist() == [False, False, True]
    number = "11010519491231002X"
    ids = identity.clean_id(fold(pd.Series([number[:17] + "⑴", number[:17] + "①", "１１０１０５１９４９１２３１００２Ｘ"],
                                           dtype="string[pyarrow]")))
    got = identity.resident_ids(ids, pd.Series([False] * 3), dt.date(2011, 9, 1))
    assert got["id18"].isna().tolist() == [True, True, False]


FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
