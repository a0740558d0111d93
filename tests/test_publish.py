"""`aidctl publish`: the 公示 lists. What a school posts must never carry an ID or a card number.

The tests write real workbooks and read them back: with openpyxl for what a clerk sees, and by
unzipping the .xlsx for every byte of XML it holds (shared strings, sheets, properties), so that a
number cannot hide anywhere in a public file.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

import chinese_calendar
import openpyxl
import pytest
import yaml
from conftest import SAMPLES, VOC_HEADERS, make_card, make_id, voc_row, write_roster
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aidctl.check import validate
from aidctl.core.dates import CALENDAR_STATUTORY, CALENDAR_WEEKENDS
from aidctl.core.terms import Term
from aidctl.read import Workspace
from aidctl.report import MASK, publicity_period, publish, scrub
from aidctl.rulebook import PublicityFile, packaged_rules_dir

TERM = "2011-autumn"
FROM = "2011-09-29"
PUBLIC_HEADERS = {"序号", "姓名", "学校", "系部", "年级", "专业", "班级", "资助项目"}
SEVEN_DIGITS = re.compile(r"[0-9０-９]{7,}")


# --- helpers ---------------------------------------------------------------------------------------

@pytest.fixture
def sample_ws(tmp_path) -> Path:
    root = tmp_path / "samples"
    shutil.copytree(SAMPLES, root, ignore=shutil.ignore_patterns("out", "aidctl.db", "*.py", "__pycache__"))
    return root


def publish_json(run, root: Path, *extra, expect: int = 0) -> tuple[dict, str]:
    code, doc, err = run("publish", "--term", TERM, "--from", FROM, "--workspace", root, "--format", "json",
                         *extra, as_json=True)
    assert code == expect, (code, err, doc)
    return doc, err


ATTRIBUTE = re.compile(r'\s[\w:]+="[^"]*"')


def xml_text(path: Path) -> str:
    """Every part of an .xlsx (shared strings, sheets, properties …) as one text: the tags and what
    they hold, without the attributes (column widths such as width="14.7109375" are layout, not data)."""
    with zipfile.ZipFile(path) as z:
        return "".join(ATTRIBUTE.sub("", z.read(name).decode("utf-8")) for name in z.namelist())


def cells(path: Path) -> list[tuple]:
    return list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))


def table_rows(path: Path) -> list[dict]:
    """The student rows of a list: headings on row 3, data until the blank row."""
    rows = cells(path)
    headers = rows[2]
    out = []
    for row in rows[3:]:
        if all(v is None for v in row):
            break
        out.append({h: v for h, v in zip(headers, row) if h is not None})
    return out


def roster_values(root: Path) -> dict[str, set[str]]:
    """IDs, cards, phones and addresses in the workspace's rosters, as aidctl reads them and raw."""
    ws = Workspace(root)
    frame = validate(ws.intake(Term.parse(TERM)), ws, term=Term.parse(TERM), check_ledger=False).roster.frame
    found = {}
    for key in ("id_number", "id18", "person", "card", "phone", "address"):
        found[key] = {str(v) for v in frame[key].dropna() if len(str(v)) >= 5}
    raw = set()
    for path in (root / "intake" / TERM).glob("*.xlsx"):
        for sheet in openpyxl.load_workbook(path).worksheets:
            for row in sheet.iter_rows(values_only=True):
                raw |= {str(v) for v in row if v is not None and re.fullmatch(r"\d{15,19}[\dXx]?", str(v))}
    found["raw_numbers"] = raw
    return found


# --- the sample workspace ----------------------------------------------------------------------------

def test_sample_lists_one_pair_per_school_with_the_refused_left_out(sample_ws, run, planted):
    doc, err = publish_json(run, sample_ws)
    assert doc["version"] == 1 and doc["term"] == TERM
    assert doc["from"] == FROM and doc["until"] == "2011-10-10" and doc["working_days"] == 5
    assert doc["calendar"] == CALENDAR_STATUTORY
    assert doc["complaint_phone"] == "0716-8123456" and doc["masked_cells"] == []
    schools = {s["school"]: s for s in doc["schools"]}
    assert set(schools) == {"第一职业中学", "城关职业技术学校", "实验中学", "第一中学", "东河县职业高级中学"}

    # who is listed is who disburse would pay: every record without an error finding
    code, plan, _ = run("disburse", "--term", TERM, "--workspace", sample_ws, "--dry-run", "--format", "json",
                        as_json=True)
    assert sum(s["students"] for s in doc["schools"]) == len(plan["payments"]) == 40
    assert doc["not_listed"] == len(plan["refused"])
    paid = {(p["file"], p["row"]) for p in plan["payments"]}

    listed = set()
    for s in doc["schools"]:
        rows = table_rows(sample_ws / s["internal_file"])
        assert len(rows) == s["students"] == len(table_rows(sample_ws / s["public_file"]))
        listed |= {(r["花名册文件"], r["花名册行号"]) for r in rows}
        assert all(r["学校"] == s["school"] for r in rows)
    assert listed == paid
    errors = {("intake/2011-autumn/" + p["file"], p["row"]) for p in planted
              if p["code"] not in ("card.shared", "card.luhn", "id.legacy", "gender.mismatch", "age.out_of_range",
                                   "registry.mismatch", "registry.not_found")}
    assert errors and not errors & listed

    # the 退学 student of 第一职业中学 (row 9) and the 休学 one of 城关职业技术学校 (row 10) are not on the lists
    dropped = {(p["file"], p["row"]) for p in planted if p["code"] == "status.not_enrolled"}
    assert dropped == {("第一职业中学_2011秋_助学金.xlsx", 9), ("城关职业技术学校国家助学金名单.xlsx", 10)}
    for file, row in dropped:
        sheet = openpyxl.load_workbook(sample_ws / "intake" / TERM / file).worksheets[-1]
        header_row = next(r for r in sheet.iter_rows() if any(str(c.value).endswith("姓名") for c in r if c.value))
        col = next(c.column for c in header_row if c.value and str(c.value).endswith("姓名"))
        name = sheet.cell(row=row, column=col).value
        school = "第一职业中学" if file.startswith("第一职业中学") else "城关职业技术学校"
        assert name and name not in {r["姓名"] for r in table_rows(sample_ws / schools[school]["public_file"])}


def test_sample_public_lists_show_only_the_allowed_fields(sample_ws, run):
    doc, _ = publish_json(run, sample_ws)
    values = roster_values(sample_ws)
    assert values["id_number"] and values["card"] and values["phone"] and values["address"]
    assert values["raw_numbers"]
    for s in doc["schools"]:
        path = sample_ws / s["public_file"]
        rows = cells(path)
        assert rows[0][0].startswith(s["school"]) and rows[0][0].endswith("受助学生名单公示")
        assert "2011年9月29日至2011年10月10日" in rows[1][0] and "5个工作日" in rows[1][0]
        headers = [h for h in rows[2] if h]
        assert set(headers) <= PUBLIC_HEADERS
        assert headers[0] == "序号" and {"姓名", "学校", "资助项目"} <= set(headers)
        footer = "\n".join(str(r[0]) for r in rows if r[0])
        assert "监督电话：0716-8123456" in footer and "市学生资助管理中心" in footer and "2011年9月29日" in footer
        assert "经办人（签字）" in footer and "（盖章）" in footer   # a place to sign and stamp
        text = xml_text(path)
        for key, found in values.items():
            for value in found:
                assert value not in text, (path.name, key, value)
        assert "身份证" not in text and "银行卡" not in text and "卡号" not in text
        assert "********" not in text and not re.search(r"\d{6}\*+\d{3}[\dX]", text)  # not even masked
        assert not re.search(r"[0-9]{7,}", text.replace("0716-8123456", ""))
        for word in ("金额", "困难", "一档", "二档", "出生", "电话：1", "住址"):
            assert word not in text


def test_sample_headings_follow_what_each_roster_has(sample_ws, run):
    doc, _ = publish_json(run, sample_ws)
    heads = {s["school"]: [h for h in cells(sample_ws / s["public_file"])[2] if h] for s in doc["schools"]}
    assert heads["第一职业中学"] == ["序号", "姓名", "学校", "年级", "专业", "班级", "资助项目"]
    assert heads["实验中学"] == ["序号", "姓名", "学校", "年级", "班级", "资助项目"]   # no 专业 column
    assert heads["城关职业技术学校"] == ["序号", "姓名", "学校", "年级", "专业", "资助项目"]
    rows = table_rows(sample_ws / next(s for s in doc["schools"] if s["school"] == "城关职业技术学校")["public_file"])
    assert {r["资助项目"] for r in rows} == {"中职国家助学金"}   # the rules' name, not the roster's 国家助学金
    assert [r["序号"] for r in rows] == list(range(1, len(rows) + 1))


def test_sample_internal_lists_carry_masked_ids_only(sample_ws, run):
    doc, _ = publish_json(run, sample_ws)
    values = roster_values(sample_ws)
    for s in doc["schools"]:
        path = sample_ws / s["internal_file"]
        rows = table_rows(path)
        masked = [r["身份证号码（前6位后4位）"] for r in rows]
        assert all(re.fullmatch(r"\d{6}\*{8}\d{3}[\dX]", m) for m in masked), masked
        text = xml_text(path)
        for key in ("id_number", "id18", "person", "card", "raw_numbers"):
            for value in values[key]:
                assert value not in text, (path.name, key, value)
        first = rows[0]
        assert first["花名册文件"].startswith("intake/2011-autumn/") and isinstance(first["花名册行号"], int)


def test_file_names_public_with_公示_internal_without(sample_ws, run):
    doc, _ = publish_json(run, sample_ws)
    folder = sample_ws / "out" / TERM / "公示"
    written = sorted(p.name for p in folder.iterdir())
    # the 公示 folder holds only what may be posted; the internal lists live apart, in 内部/
    assert len(written) == len(doc["schools"]) and all(name.endswith("公示.xlsx") for name in written)
    inside = sorted(p.name for p in (sample_ws / "out" / TERM / "内部").iterdir())
    assert len(inside) == len(doc["schools"]) and not any("公示" in name for name in inside)
    for s in doc["schools"]:
        public, internal = Path(s["public_file"]), Path(s["internal_file"])
        assert public.parent == Path("out") / TERM / "公示" and internal.parent == Path("out") / TERM / "内部"
        assert public.name == f"{s['school']}_{TERM}_受助学生名单公示.xlsx"
        assert internal.name == f"{s['school']}_{TERM}_受助学生内部核对名单.xlsx"
        assert "公示" in public.name and "公示" not in internal.name
    assert not [n for n in written if n.startswith(".")]   # no temporary file left behind


def test_sample_table_output(sample_ws, run):
    code, out, err = run("publish", "--term", TERM, "--from", FROM, "--workspace", sample_ws)
    assert code == 0, err
    assert "公示期 2011-09-29 至 2011-10-10" in out and "第一职业中学" in out
    assert "22 条记录未通过审核" in out and "监督电话：0716-8123456" in out
    assert err == ""


# --- 公示期 ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("start, until, why", [
    # Thu 29 Sep, Fri 30 Sep; 1–7 Oct 国庆 holiday; Sat 8 and Sun 9 Oct were working days (调休); Mon 10 Oct
    ("2011-09-29", "2011-10-10", "across 国庆 with its two 调休 working days"),
    ("2011-09-16", "2011-09-22", "Friday, then a weekend"),
    ("2011-09-17", "2011-09-23", "posted on a Saturday: counting starts on Monday"),
    ("2011-09-09", "2011-09-16", "across the 中秋 weekend and Monday 12 Sep"),
    ("2012-09-28", "2012-10-10", "across 中秋+国庆 2012: Fri 28, Sat 29 Sep (调休), then 8–10 Oct"),
])
def test_publicity_period_counts_statutory_working_days(start, until, why):
    day = dt.date.fromisoformat(start)
    end, calendar = publicity_period(day, 5)
    assert (end.isoformat(), calendar) == (until, CALENDAR_STATUTORY), why
    # the same, independently, from the package's own list of working days
    assert chinese_calendar.get_workdays(day, end)[-1] == end
    assert len(chinese_calendar.get_workdays(day, end)) == 5


def test_publicity_period_outside_the_calendar_years_counts_weekends_only():
    start = dt.date(2099, 1, 1)   # a Thursday, in no year the package will ever hold
    end, calendar = publicity_period(start, 5)
    assert calendar == CALENDAR_WEEKENDS
    assert start.weekday() == 3 and end == dt.date(2099, 1, 7)   # Thu, Fri, Mon, Tue, Wed
    assert publicity_period(dt.date(2099, 1, 3), 5)[0] == dt.date(2099, 1, 9)   # Saturday → Mon–Fri


def test_weekends_only_is_said_in_the_json_and_on_the_list(sample_ws, run):
    code, doc, err = run("publish", "--term", TERM, "--from", "2099-01-01", "--workspace", sample_ws,
                         "--format", "json", as_json=True)
    assert code == 0, err
    assert doc["calendar"] == "weekends-only" and doc["until"] == "2099-01-07"
    assert "周末" in err
    footer = "\n".join(str(r[0]) for r in cells(sample_ws / doc["schools"][0]["public_file"]) if r[0])
    assert "仅扣除周末推算" in footer


def test_from_defaults_to_today_and_says_so(sample_ws, run):
    """Nobody chose today as the first day of the 公示期 printed on every list: the run says so
    (stderr and the JSON's notes); with --from it does not."""
    code, doc, err = run("publish", "--term", TERM, "--workspace", sample_ws, "--format", "json", as_json=True)
    assert code == 0, err
    today = dt.date.today().isoformat()
    assert doc["from"] == today
    said = [n for n in doc["notes"] if "--from" in n]
    assert said == [f"未用 --from 指定公示开始日期：按今天（{today}）起算，公示期至 {doc['until']}；名单张贴日不是今天时，"
                    "请用 --from 指定后重新生成"] and said[0] in err
    code, doc, err = run("publish", "--term", TERM, "--from", FROM, "--workspace", sample_ws, "--format", "json",
                         as_json=True)
    assert code == 0 and not [n for n in doc["notes"] if "--from" in n] and "--from" not in err


def test_a_bad_from_date_is_exit_2(sample_ws, run):
    code, out, err = run("publish", "--term", TERM, "--from", "2011/09/29", "--workspace", sample_ws)
    assert code == 2


# --- settings --------------------------------------------------------------------------------------

def test_without_complaint_phone_the_lists_are_written_and_say_so(sample_ws, run):
    toml = sample_ws / "aidctl.toml"
    toml.write_text("".join(line for line in toml.read_text(encoding="utf-8").splitlines(keepends=True)
                            if not line.startswith("complaint_phone")), encoding="utf-8")
    doc, err = publish_json(run, sample_ws)
    assert doc["complaint_phone"] is None
    assert "complaint_phone" in err and err.startswith("aidctl: 提醒：")
    footer = "\n".join(str(r[0]) for r in cells(sample_ws / doc["schools"][0]["public_file"]) if r[0])
    assert "监督电话：（未设置，请在 aidctl.toml 中设置 complaint_phone）" in footer


def test_without_issuer_each_school_signs_its_own_list(sample_ws, run):
    toml = sample_ws / "aidctl.toml"
    toml.write_text("".join(line for line in toml.read_text(encoding="utf-8").splitlines(keepends=True)
                            if not line.startswith("publicity_issuer")), encoding="utf-8")
    doc, _ = publish_json(run, sample_ws)
    for s in doc["schools"]:
        footer = [str(r[0]) for r in cells(sample_ws / s["public_file"]) if r[0]]
        assert s["school"] in footer   # the signature line
        assert "市学生资助管理中心" not in "\n".join(footer)


def test_a_card_number_as_complaint_phone_stops_the_command(sample_ws, run):
    toml = sample_ws / "aidctl.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('"0716-8123456"', f'"{make_card()}"'),
                    encoding="utf-8")
    code, out, err = run("publish", "--term", TERM, "--from", FROM, "--workspace", sample_ws)
    assert code == 2
    assert "15位以上的数字" in err and "Traceback" not in err
    assert not list((sample_ws / "out" / TERM / "公示").glob("*公示.xlsx"))


# --- a number typed where it does not belong ------------------------------------------------------

def ws_with(tmp_path: Path, rows: list[dict], headers: list[str], *, name: str = "ws") -> Path:
    root = tmp_path / name
    write_roster(root / "intake" / TERM / "花名册.xlsx", rows, headers,
                 above=[["第一职业中学2011年秋季学期中职国家助学金发放花名册"]])
    return root


TEXT_HEADERS = VOC_HEADERS + ["学校名称", "学校类型", "专业", "班级"]


def clean_row(i: int, **over) -> dict:
    # 学校类型 is written: a number typed into the middle of 职业 must not turn the school into a 普高
    return voc_row(i, 学校名称="第一职业中学", 学校类型="中职", 专业="计算机应用", 班级="11计算机1班") | over


def test_an_id_typed_into_a_text_cell_is_masked_reported_and_exit_1(tmp_path, run):
    """An ID typed into 专业 and a phone into 班级 are masked on the lists and named; an ID typed into
    姓名 is no name at all (name.invalid): that student is on no list."""
    ident = make_id(seq=700)
    rows = [clean_row(1), clean_row(2, 专业=f"计算机{ident}"), clean_row(3, 班级="11计算机1班 13812345678"),
            clean_row(4, 姓名=f"张三{ident}")]
    root = ws_with(tmp_path, rows, TEXT_HEADERS)
    doc, err = publish_json(run, root, expect=1)
    assert doc["masked_cells"] == [
        {"school": "第一职业中学", "file": "intake/2011-autumn/花名册.xlsx", "row": 4, "column": "专业"},
        {"school": "第一职业中学", "file": "intake/2011-autumn/花名册.xlsx", "row": 5, "column": "班级"}]
    assert "2 个单元格" in err and doc["not_listed"] == 1
    public = Path(root / doc["schools"][0]["public_file"])
    assert [r["姓名"] for r in table_rows(public)] == ["学生一", "学生二", "学生三"]
    assert [r["专业"] for r in table_rows(public)][1] == f"计算机{MASK}"
    assert ident not in xml_text(public) and "13812345678" not in xml_text(public)
    assert ident not in xml_text(root / doc["schools"][0]["internal_file"])

    code, out, err = run("publish", "--term", TERM, "--from", FROM, "--workspace", root)
    assert code == 1 and "已用＊遮盖的单元格" in out and "专业" in out


def test_a_student_with_two_programmes_at_one_school_is_listed_once(tmp_path, run):
    student = voc_row(1)
    free = {k: v for k, v in student.items() if k != "户口性质"} | {
        "办学性质": "公办", "困难等级": "一档", "资助项目": "中职免学费", "资助金额（元）": 1000}
    root = tmp_path / "ws"
    above = [["第一职业中学2011年秋季学期受助学生名单"], ["填报单位：第一职业中学"]]
    write_roster(root / "intake" / TERM / "助学金.xlsx", [student, voc_row(2)], VOC_HEADERS, above=above)
    write_roster(root / "intake" / TERM / "免学费.xlsx", [free],
                 ["序号", "姓名", "性别", "身份证号码", "年级", "办学性质", "困难等级", "学籍状态", "资助项目",
                  "资助金额（元）", "银行卡号"], above=above)
    doc, _ = publish_json(run, root)
    assert doc["schools"][0]["students"] == 2
    public = root / doc["schools"][0]["public_file"]
    rows = {r["姓名"]: r["资助项目"] for r in table_rows(public)}
    assert rows == {"学生一": "中职国家助学金、中职免学费", "学生二": "中职国家助学金"}
    assert cells(public)[0][0] == "第一职业中学2011年秋季学期中职国家助学金、中职免学费受助学生名单公示"


def test_a_student_no_bank_file_can_pay_is_not_listed_and_said(tmp_path, run):
    """学生二's 开户银行 is a bank no profile serves: validation finds nothing wrong, but disburse refuses
    the record (bank.unknown). The 公示 list is the records disburse would pay: 学生二 was posted as
    aided and never paid. Now not listed, counted under not_listed, and a note says why and where."""
    rows = [clean_row(1), clean_row(2, 开户银行="花旗银行"), clean_row(3, 开户银行="中国工商银行")]
    root = ws_with(tmp_path, rows, TEXT_HEADERS + ["开户银行"])
    code, plan, err = run("disburse", "--term", TERM, "--dry-run", "--workspace", root, "--format", "json",
                          as_json=True)
    assert [r["codes"] for r in plan["refused"]] == [["bank.unknown"]], (code, plan, err)
    doc, err = publish_json(run, root)   # exit 0: as for a record validation refuses (exit 1: masked cells)
    assert [r["姓名"] for r in table_rows(root / doc["schools"][0]["public_file"])] == ["学生一", "学生三"]
    assert doc["not_listed"] == 1 and doc["schools"][0]["students"] == 2, doc
    note = next(n for n in doc["notes"] if "银行文件无法发放" in n)
    assert "1 名学生" in note and "花名册.xlsx 第4行" in note and "disburse --dry-run" in note, note
    assert note in err


def test_a_school_without_a_name_goes_under_学校不明(tmp_path, run):
    root = tmp_path / "ws"
    write_roster(root / "intake" / TERM / "名单.xlsx", [voc_row(1), voc_row(2)], VOC_HEADERS)
    doc, _ = publish_json(run, root)
    assert [s["school"] for s in doc["schools"]] == ["（学校不明）"]
    assert doc["schools"][0]["public_file"].endswith("（学校不明）_2011-autumn_受助学生名单公示.xlsx")


def test_an_unreadable_roster_is_exit_2(tmp_path, run):
    bad = tmp_path / "坏文件.xlsx"
    bad.write_bytes(b"not a spreadsheet")
    code, out, err = run("publish", str(bad), "--term", TERM, "--from", FROM, "--workspace", tmp_path)
    assert code == 2 and "坏文件.xlsx" in err and "Traceback" not in err


@pytest.mark.parametrize("text, masked", [
    ("张三420102199503121013", "张三" + MASK),
    ("42010219950312101X班", MASK + "班"),
    ("４２０１０２１９９５０３１２１０１３", MASK),
    ("138-1234-5678", MASK),
    ("电话 0716 8123456", "电话 " + MASK),
    ("6222 0252 6018 1590 832", MASK),
    ("高一(2)班", "高一(2)班"),
    ("2011级计算机1班", "2011级计算机1班"),
    ("123456", "123456"),
])
def test_scrub(text, masked):
    import pandas as pd

    frame = pd.DataFrame({"name": [text, None]}, dtype="string[pyarrow]")
    out, hits = scrub(frame, ["name"])
    assert out["name"].iloc[0] == masked
    assert bool(hits["name"].iloc[0]) == (masked != text)
    assert out["name"].isna().iloc[1] and not hits["name"].iloc[1]


# the property: whatever number a school types into whichever text cell, no public list carries it

def numbers():
    ids = st.builds(lambda d, s: make_id(birth=d.strftime("%Y%m%d"), seq=s),
                    st.dates(dt.date(1990, 1, 1), dt.date(2005, 12, 31)), st.integers(0, 999))
    cards = st.builds(lambda n, s: make_card(length=n, seed=s), st.integers(16, 19), st.integers(0, 10**6))
    phones = st.builds(lambda p, n: f"1{p}{n:09d}", st.sampled_from("3589"), st.integers(0, 10**9 - 1))
    landlines = st.builds(lambda a, n: f"0{a:03d}-{n:07d}", st.integers(10, 999), st.integers(10**6, 10**7 - 1))
    short = st.text("0123456789", min_size=7, max_size=12)
    return st.one_of(ids, cards, phones, landlines, short)


# (a number in a 姓名 is name.invalid: that student is on no list at all)
insertion = st.tuples(st.sampled_from(["专业", "班级", "学校名称"]), numbers(), st.floats(0, 1))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(insertion, max_size=3), min_size=1, max_size=4))
def test_no_public_list_carries_a_number_typed_into_a_text_cell(tmp_path, per_row):
    rows, inserted = [], []
    for i, inserts in enumerate(per_row, start=1):
        row = clean_row(i)
        for column, number, where in inserts:
            text = str(row[column])
            at = round(where * len(text))
            row[column] = text[:at] + number + text[at:]
            inserted.append(number)
        rows.append(row)
    root = ws_with(Path(tempfile.mkdtemp(dir=tmp_path)), rows, TEXT_HEADERS)

    result = publish(Workspace(root), Term.parse(TERM), start=dt.date(2011, 9, 29))
    assert sum(s.students for s in result.schools) == len(rows)   # every student listed: not a vacuous pass
    assert bool(result.masked_cells) == bool(inserted)
    for s in result.schools:
        for path in (s.public_file, s.internal_file):
            for row in cells(path):
                for value in row:
                    assert not SEVEN_DIGITS.search(str(value or "")), (path.name, value)
            text = xml_text(path) + path.name
            for number in inserted:
                assert number not in text, (path.name, number)


# --- the rule file ---------------------------------------------------------------------------------

def workspace_publicity(root: Path, **changes) -> Path:
    data = yaml.safe_load((packaged_rules_dir() / "publicity.yaml").read_text(encoding="utf-8"))
    for key, value in changes.items():
        if callable(value):
            value(data)
        else:
            data[key] = value
    target = root / "rules" / "publicity.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


@pytest.mark.parametrize("field, title", [("id_number", "身份证号码"), ("card", "银行卡号"), ("phone", "联系电话"),
                                          ("difficulty", "困难等级"), ("amount", "金额"), ("remarks", "备注")])
def test_a_rule_file_cannot_add_a_forbidden_public_field(tmp_path, run, field, title):
    workspace_publicity(tmp_path, public_fields=lambda d: d["public_fields"].update({field: title}))
    code, out, err = run("rules", "check", "--workspace", tmp_path)
    assert code == 2, (out, err)
    assert "publicity.yaml" in err and f"public_fields.{field}" in err and "Traceback" not in err
    code, out, err = run("publish", "--term", TERM, "--from", FROM, "--workspace", tmp_path)
    assert code == 2 and "publicity.yaml" in err


def test_a_rule_file_cannot_shorten_the_publicity_period(tmp_path, run):
    workspace_publicity(tmp_path, min_working_days=3)
    code, out, err = run("rules", "check", "--workspace", tmp_path)
    assert code == 2 and "publicity.yaml" in err and "min_working_days" in err


def test_a_rule_file_may_lengthen_the_period_and_reword(sample_ws, run):
    workspace_publicity(sample_ws, min_working_days=7, title="{school}{term_label}资助名单公示",
                        always_shown=["name", "school", "department", "programme"])   # no roster has 系部
    code, doc, err = run("rules", "check", "--workspace", sample_ws, "--format", "json", as_json=True)
    assert code == 0, err
    assert {f["file"]: f["origin"] for f in doc["files"]}["publicity.yaml"] == "workspace"
    doc, _ = publish_json(run, sample_ws)
    assert doc["working_days"] == 7 and doc["until"] == "2011-10-12"
    rows = cells(sample_ws / doc["schools"][0]["public_file"])
    assert rows[0][0].endswith("2011年秋季学期资助名单公示")
    assert "系部" in rows[2] and rows[3][rows[2].index("系部")] is None


def test_the_internal_list_shows_no_more_of_an_id_than_the_workspaces_masking(tmp_path, run):
    """A workspace that shows less of an ID (rules/publicity.yaml masking: first 3, last 2) gets that on
    the internal check list too, and its note says so: the list's IDs were masked with the packaged
    6 + 4 whatever the rules said, and the note read 前6位和后4位."""
    root = tmp_path / "ws"
    rows = [voc_row(1), voc_row(2, 身份证号码=make_id(seq=137, male=False))]
    write_roster(root / "intake" / TERM / "a.xlsx", rows, above=[["填报单位：第一职业中学"]])
    workspace_publicity(root, masking={"id_head": 3, "id_tail": 2, "card_tail": 2},
                        internal_fields={"id_masked": "身份证号码（脱敏）", "source_file": "花名册文件",
                                         "source_row": "花名册行号"})
    doc, _ = publish_json(run, root)
    path = root / doc["schools"][0]["internal_file"]
    ids = [r["身份证号码（脱敏）"] for r in table_rows(path)]
    assert ids == [r["身份证号码"][:3] + "*" * 13 + r["身份证号码"][-2:] for r in rows]   # one a character hidden
    text = xml_text(path)
    for r in rows:
        assert r["身份证号码"][:6] not in text and r["身份证号码"][-4:] not in text
    assert any(v and "前3位和后2位" in str(v) for row in cells(path) for v in row)


def test_a_template_with_an_unknown_placeholder_is_refused(tmp_path, run):
    workspace_publicity(tmp_path, title="{school}{id_number}公示")
    code, out, err = run("rules", "check", "--workspace", tmp_path)
    assert code == 2 and "title" in err and "id_number" in err


def test_the_packaged_file_holds_the_2017_rule():
    data = yaml.safe_load((packaged_rules_dir() / "publicity.yaml").read_text(encoding="utf-8"))
    model = PublicityFile.model_validate(data)
    assert "教财厅函〔2017〕28号" in model.source
    assert model.min_working_days == 5
    assert list(model.public_fields) == ["name", "school", "department", "grade", "major", "class", "programme"]
    assert list(model.internal_fields) == ["id_masked", "source_file", "source_row"]


def test_a_list_from_an_earlier_run_is_removed_when_the_school_has_no_one_left(tmp_path, run):
    """A stale 公示 could be posted by mistake: a school with no listed student keeps no list."""
    import shutil as _shutil

    from conftest import SAMPLES as _SAMPLES

    ws = tmp_path / "ws"
    _shutil.copytree(_SAMPLES, ws, ignore=_shutil.ignore_patterns("out", "aidctl.db"))
    code, first, err = run("publish", "--term", "2011-autumn", "--workspace", ws, "--from", "2011-09-05",
                           "--format", "json", as_json=True)
    assert code in (0, 1), err
    folder = ws / "out" / "2011-autumn" / "公示"
    gone = list((ws / "intake" / "2011-autumn").glob("实验中学*.xlsx"))
    assert gone and any(f.name.startswith("实验中学_") for f in folder.iterdir())
    for p in gone:
        p.unlink()
    code, second, err = run("publish", "--term", "2011-autumn", "--workspace", ws, "--from", "2011-09-05",
                            "--format", "json", as_json=True)
    assert code in (0, 1), err
    assert not any(f.name.startswith("实验中学_") for f in folder.iterdir())
    assert not any(f.name.startswith("实验中学_") for f in (folder.parent / "内部").iterdir())
    assert len(list(folder.iterdir())) == len(second["schools"])


def test_internal_lists_left_in_the_公示_folder_by_an_earlier_version_are_removed(sample_ws, run):
    folder = sample_ws / "out" / TERM / "公示"
    folder.mkdir(parents=True, exist_ok=True)
    stale = folder / f"第一职业中学_{TERM}_受助学生内部核对名单.xlsx"
    stale.write_bytes(b"old")
    doc, err = publish_json(run, sample_ws)
    assert not stale.exists() and "已删除" in err
