"""What a masked workbook shows of a student's ID, the messages beside it included.

The payment audit workbook (发放审核) shows an ID as 420124********4356: the eight characters hidden
are the birth date. A message on the same row that stated the birth date (出生日期“19950230”, 身份证号码中的
出生日期是1995年11月11日), or the roster's own 出生日期 when it is that date in a form not read (95.3.12) or
a slip of it, gave the whole number back; one that quoted the number in another form (4.20102199503121E+17,
a 17-digit or a 13-digit ID, a 15-digit card) showed more of it than its column. Each student here is
refused or paid with a warning, so that their messages are on the workbook; none of the workbook's text,
nor any message of validate's JSON, may hold the birth date.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import openpyxl
from conftest import SAMPLES, VOC_HEADERS, hanzi, make_card, make_id, write_roster

TERM = "2011-autumn"
HEADERS = VOC_HEADERS[:4] + ["出生日期"] + VOC_HEADERS[4:]
BORN = "19950312"


def student(i: int, number: str, born: str | None = None, card: str | None = None) -> dict:
    return {"序号": i, "姓名": f"学生{hanzi(i)}", "性别": "男", "身份证号码": number, "出生日期": born, "年级": "一年级",
            "户口性质": "农村", "学籍状态": "在籍", "资助项目": "中职国家助学金", "资助金额（元）": 750,
            "银行卡号": card or make_card(seed=40 + i)}


def ids() -> dict[str, tuple[str, str]]:
    """Each case: the ID as written, and its birth date as the ID writes it."""
    full = make_id(BORN, seq=401)
    return {
        "slip": (full, BORN),                                         # 出生日期 1995-03-21: birthdate.mismatch
        "unread": (make_id(BORN, seq=403), BORN),                     # 出生日期 95.3.12, that date unread
        "impossible": (make_id("19950230", seq=405), "19950230"),     # id.birthdate
        "late": (make_id("20111001", seq=407), "20111001"),           # id.birthdate, after the term's start
        "seventeen": (make_id(BORN, seq=409)[:17], BORN),             # id.format
        "thirteen": (make_id(BORN, seq=411)[:13], "1995031"),         # id.format
        "legacy": ("420102950312413", "950312"),                      # id.legacy (paid)
        "scientific": ("4.20102199503121E+17", BORN),                 # id.precision_lost
        "card15": (make_id(BORN, seq=415), BORN),                     # card.format, a 15-digit card
    }


def workspace(tmp_path: Path) -> tuple[Path, dict]:
    root = tmp_path / "ws"
    (root / "intake" / TERM).mkdir(parents=True)
    shutil.copy(SAMPLES / "schools.xlsx", root / "schools.xlsx")
    cases = ids()
    extra = {"slip": {"born": "1995-03-21"}, "unread": {"born": "95.3.12"},
             "card15": {"card": make_card(seed=9, length=15)}}
    rows = [student(i, number, **extra.get(name, {})) for i, (name, (number, _)) in enumerate(cases.items(), start=1)]
    write_roster(root / "intake" / TERM / "第一职业中学.xlsx", rows, HEADERS,
                 above=[["第一职业中学2011年秋季学期中职国家助学金发放花名册"]])
    return root, cases


def texts(path: Path, sheets: tuple[str, ...] | None = None) -> list[str]:
    wb = openpyxl.load_workbook(path, read_only=True)
    return [str(v) for ws in wb if sheets is None or ws.title in sheets
            for row in ws.iter_rows(values_only=True) for v in row if v is not None]


def birth_forms(born: str) -> list[str]:
    """The birth date as an ID writes it and as a message or a clerk would (1995年03月12日, 1995-03-12)."""
    if len(born) == 6:
        return [born]
    forms = [born]
    if len(born) == 8:
        y, m, d = born[:4], born[4:6], born[6:]
        forms += [f"{y}年{m}月{d}日", f"{y}-{m}-{d}", f"{y}年{int(m)}月{int(d)}日"]
    return forms


def test_no_message_beside_a_masked_id_gives_its_birth_date_back(tmp_path, run):
    root, cases = workspace(tmp_path)
    code, doc, err = run("validate", "--term", TERM, "--workspace", root, "--format", "json", as_json=True)
    by_row = {}
    for f in doc["findings"]:
        by_row.setdefault(f["row"], []).append(f)
    assert {f["code"] for f in doc["findings"]} >= {"birthdate.mismatch", "id.birthdate", "id.format", "id.legacy",
                                                    "id.precision_lost", "card.format"}, doc["findings"]
    for row, (name, (number, born)) in enumerate(cases.items(), start=3):
        for f in by_row.get(row, []):
            # the ID itself is quoted, as written or upgraded to 18 digits (a workbook masks it)
            said = re.sub(r"[0-9][0-9Xx]{14,}", "《号码》", f["message"].replace(number, "《号码》"))
            for form in birth_forms(born):
                assert form not in said, (name, f["message"])
            assert "1995-03-21" not in said and "95.3.12" not in said, (name, f["message"])

    code, out, err = run("disburse", "--term", TERM, "--workspace", root)
    assert code == 1, (out, err)   # some refused, the others paid
    [book] = (root / "out" / TERM).glob("发放审核_*.xlsx")
    shown = texts(book)
    people = texts(book, ("本次发放", "不予发放", "待复核"))
    assert any("birthdate.mismatch" in t for t in shown) and any("id.birthdate" in t for t in shown)
    for name, (number, born) in cases.items():
        digits = re.sub(r"\D", "", number)
        for text in shown:
            assert number not in text and (len(digits) < 8 or digits not in text), (name, text)
            for form in birth_forms(born):
                assert form not in text, (name, form, text)
            assert "1995-03-21" not in text and "95.3.12" not in text, (name, text)
    # nothing on a student's row holds a run of 7 digits (an ID's part holding its birth date)
    assert not [t for t in people if re.search(r"\d{7,}", t)]
    # the validation workbook quotes each finding's cell: not a 出生日期, which completes the masked ID
    report = tmp_path / "审核.xlsx"
    run("validate", "--term", TERM, "--workspace", root, "--report", report)
    quoted = texts(report)
    assert any("出生日期可补全" in t for t in quoted)
    assert not [t for t in quoted if "1995-03-21" in t or "95.3.12" in t]


def test_a_number_in_a_message_is_masked_as_its_column_is(tmp_path, run):
    """The 17- and 13-digit IDs are masked in their message as in the ID column beside it; the 15-digit
    card shows its last 4 digits as the card columns do, not its first 6 as an ID would."""
    root, cases = workspace(tmp_path)
    run("disburse", "--term", TERM, "--workspace", root)
    [book] = (root / "out" / TERM).glob("发放审核_*.xlsx")
    wb = openpyxl.load_workbook(book, read_only=True)
    refused = {row[1]: row for row in wb["不予发放"].iter_rows(min_row=2, values_only=True)}
    names = list(cases)
    for name in ("seventeen", "thirteen"):
        file, row, person, masked, codes, message = refused[3 + names.index(name)]
        assert "id.format" in codes and "*" in masked and f"身份证号码“{masked}”" in message, (masked, message)
    file, row, person, masked, codes, message = refused[3 + names.index("card15")]
    assert re.search(r"银行卡号“\*{4}\d{4}”", message), message


def test_age_out_of_range_says_the_side_of_the_range_never_the_age(tmp_path, run):
    """Beside an ID masked over its birth date (420124********4356), the age at term start gave the
    birth year back to two years (开学时27周岁 → born 1983 or 1984). age.out_of_range says whether the age
    is below or above the range, not the age, in validate's JSON, the validation workbook, the
    returns workbook, the payment audit workbook and explain; the finding's cell is the ID (masked in
    the workbooks), not the age."""
    root = tmp_path / "ws"
    (root / "intake" / TERM).mkdir(parents=True)
    shutil.copy(SAMPLES / "schools.xlsx", root / "schools.xlsx")
    older, younger = make_id("19840416", seq=421), make_id("20000101", seq=423)   # 27 and 11 on 2011-09-01
    write_roster(root / "intake" / TERM / "第一职业中学.xlsx", [student(1, older), student(2, younger)], HEADERS,
                 above=[["第一职业中学2011年秋季学期中职国家助学金发放花名册"]])
    ages = ("27", "11")

    def ageless(text: str) -> bool:
        # the range's bounds (14—25周岁) are the rules', not the student's: nothing else is a number
        return not re.search(r"\d", re.sub(r"（\d+—\d+周岁）", "", text))

    code, doc, err = run("validate", "--term", TERM, "--workspace", root, "--format", "json", as_json=True)
    found = {f["row"]: f for f in doc["findings"] if f["code"] == "age.out_of_range"}
    assert set(found) == {3, 4}, doc["findings"]
    assert "高于" in found[3]["message"] and "低于" in found[4]["message"], found
    for f in found.values():
        assert ageless(f["message"]) and "中职" in f["message"], f["message"]
        assert f["value"] not in ages, f

    report, returns = tmp_path / "审核.xlsx", tmp_path / "退回"
    run("validate", "--term", TERM, "--workspace", root, "--report", report, "--returns", returns)
    wb = openpyxl.load_workbook(report, read_only=True)
    rows = [r for r in wb["问题清单"].iter_rows(min_row=2, values_only=True) if r[4] == "age.out_of_range"]
    assert len(rows) == 2
    for r in rows:
        assert ageless(r[7]) and str(r[8]) not in ages and "*" in str(r[8]), r
    [back] = returns.glob("*.xlsx")
    said = [t for t in texts(back) if "合理范围" in t]
    wb = openpyxl.load_workbook(back)
    said += [c.comment.text for ws in wb for row in ws.iter_rows() for c in row if c.comment and "合理范围" in c.comment.text]
    assert said and all(ageless(t.split("合理范围", 1)[1]) and "周岁，超出" not in t for t in said), said

    code, out, err = run("disburse", "--term", TERM, "--workspace", root)
    [book] = (root / "out" / TERM).glob("发放审核_*.xlsx")
    said = [t for t in texts(book) if "合理范围" in t]
    assert len(said) >= 2 and all(ageless(t) for t in said), said

    code, doc, err = run("explain", "--file", root / "intake" / TERM / "第一职业中学.xlsx", "--row", 3, "--term", TERM,
                         "--workspace", root, "--format", "json", as_json=True)
    [age] = [c for r in doc["records"] for c in r["checks"] if c["check"] == "age"]
    assert age["verdict"] == "warning" and [i["code"] for i in age["findings"]] == ["age.out_of_range"], age
    assert all(ageless(i["message"]) and "高于" in i["message"] for i in age["findings"]), age
