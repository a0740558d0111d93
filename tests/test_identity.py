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
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from stdnum import luhn
from stdnum.cn import ric
from typer.testing import CliRunner

from aidctl import identity
from aidctl.cli import app

from conftest import VOC_HEADERS, make_card, voc_row

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
    with pytest.raises(Exception):
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
