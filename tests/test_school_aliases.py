"""One school written two ways is one school in the duplicate checks (id.duplicate, roster.two_versions):
schools.xlsx tells it by 学校代码, name or 别名, names folded (spaces, full-width forms), as the report and
publish do (read.registered_schools). A student on a school's 助学金 roster (填报单位：第一职业中学) and on
its 免学费 roster (填报单位：一职中, its 别名) is paid on both; the same programme on both is refused as one
school's two files, never as two schools; two schools that share a name but not a 学校代码 are two."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import VOC_HEADERS, make_id, voc_row, write_roster
from test_checks import FREE_HEADERS, check, free_row, roster
from test_disburse import TERM, add_roster, disburse, make_ws

SCHOOLS_HEADERS = ["学校代码", "学校名称", "学校类型", "所属县区", "办学性质", "别名"]
SCHOOLS = [
    {"学校代码": "3101", "学校名称": "第一职业中学", "学校类型": "中职", "所属县区": "城关区", "办学性质": "公办",
     "别名": "一职中、YZ职校"},
    {"学校代码": "3102", "学校名称": "城关职业技术学校", "学校类型": "中职", "所属县区": "城关区", "办学性质": "公办",
     "别名": "城关职校"}]


def register(root: Path, rows: list[dict] = SCHOOLS) -> Path:
    return write_roster(root / "schools.xlsx", rows, SCHOOLS_HEADERS)


def dups(doc: dict) -> list[dict]:
    return [f for f in doc["findings"] if f["code"] == "id.duplicate"]


def test_a_students_grant_and_fee_waiver_of_one_school_under_its_name_and_alias_are_both_paid(tmp_path, run):
    """The engineer's case: 中职国家助学金 filed as 第一职业中学, 免学费 as 一职中 (its 别名): one school, two
    programmes, no duplicate; disburse pays both records."""
    root = make_ws(tmp_path, {"grant.xlsx": [voc_row(1), voc_row(2)]})
    add_roster(root, "free.xlsx", [free_row(1), free_row(3)], headers=FREE_HEADERS, school="一职中")
    register(root)
    code, doc, err = run("validate", "--term", TERM, "--workspace", root, "--format", "json", as_json=True)
    assert code == 0 and dups(doc) == [], (err, doc["findings"])
    paid = disburse(run, root, dry=True, expect=0)
    assert paid["refused"] == []
    assert sorted(p["name"] for p in paid["payments"]) == ["学生一", "学生二"]   # the 助学金, by bank
    assert paid["school_funded"] == 2                                            # the 免学费, to the school


def test_an_alias_written_with_spaces_or_full_width_letters_is_the_same_school(tmp_path, run):
    """学校名称 “一 职 中” and “ＹＺ 职校” (full-width letters, a space) are the 别名 一职中 and YZ职校, folded."""
    register(tmp_path)
    same = make_id(seq=230)
    write_roster(tmp_path / "grant.xlsx", [voc_row(1, 身份证号码=same, 学校名称="一 职 中")], [*VOC_HEADERS, "学校名称"])
    write_roster(tmp_path / "free.xlsx", [free_row(1, 身份证号码=same, 学校名称="ＹＺ 职校")], [*FREE_HEADERS, "学校名称"])
    doc = check(run, "grant.xlsx", "free.xlsx")
    assert doc["_exit"] == 0 and dups(doc) == [], doc["findings"]


def test_the_same_programme_under_name_and_alias_is_refused_as_one_schools_two_files(tmp_path, run):
    """A real duplicate still: both records refused, and the message says they are one school's files
    (the alias named as written), not two schools."""
    register(tmp_path)
    same = make_id(seq=240)
    roster(tmp_path, [voc_row(1, 身份证号码=same), voc_row(2), voc_row(3)], name="a.xlsx", school="第一职业中学")
    roster(tmp_path, [voc_row(4), voc_row(5, 身份证号码=same), voc_row(6)], name="b.xlsx", school="一职中")
    doc = check(run, "a.xlsx", "b.xlsx", expect_exit=1)
    found = dups(doc)
    assert sorted((f["file"], f["row"]) for f in found) == [("a.xlsx", 4), ("b.xlsx", 5)]
    for f in found:
        assert f["severity"] == "error"
        message = f["message"]
        assert "b.xlsx 第5行（第一职业中学，填报为“一职中”，中职国家助学金）" in message, message
        assert "这些记录都在第一职业中学一所学校的2个文件中（不是两所学校；各文件写法不同的学校名称" in message, message
        assert "同一学生同一项目只能享受一次" in message and "两所学校申报" not in message, message


def test_two_registered_schools_are_two_and_a_name_schools_xlsx_lacks_is_said_to_be_unsure(tmp_path, run):
    """城关职校 is the 别名 of another school: two schools, named as registered. 第1职业中学 is in no row
    of schools.xlsx: refused as a second school, and the message says it could not tell."""
    register(tmp_path)
    same = make_id(seq=250)
    roster(tmp_path, [voc_row(1, 身份证号码=same)], name="grant.xlsx", school="第一职业中学")
    roster(tmp_path, [free_row(1, 身份证号码=same)], name="free.xlsx", school="城关职校", headers=FREE_HEADERS)
    doc = check(run, "grant.xlsx", "free.xlsx", expect_exit=1)
    assert len(dups(doc)) == 2
    for f in dups(doc):
        assert "这些记录分属2所学校（第一职业中学；城关职业技术学校）：同一学生不能由两所学校申报" in f["message"], f["message"]
    roster(tmp_path, [free_row(1, 身份证号码=same)], name="free.xlsx", school="第1职业中学", headers=FREE_HEADERS)
    doc = check(run, "grant.xlsx", "free.xlsx", expect_exit=1)
    assert len(dups(doc)) == 2
    for f in dups(doc):
        assert "其中“第1职业中学”不在 schools.xlsx 中，不能确定是否为同一所学校，按两所学校处理" in f["message"], f["message"]
        assert "请在 schools.xlsx 中登记该校及其别名" in f["message"]


def test_two_schools_of_one_name_told_apart_by_their_codes_are_two_schools(tmp_path, run):
    """Two 第一中学 (城关区 3201, 西山县 3999): rosters that give the 学校代码 are two schools' rosters,
    though they write one name; a student on both is a duplicate even for two programmes."""
    register(tmp_path, [
        {"学校代码": "3201", "学校名称": "第一中学", "学校类型": "中职", "所属县区": "城关区", "办学性质": "公办"},
        {"学校代码": "3999", "学校名称": "第一中学", "学校类型": "中职", "所属县区": "西山县", "办学性质": "公办"}])
    same = make_id(seq=260)
    roster(tmp_path, [voc_row(1, 身份证号码=same, 学校代码="3201")], name="grant.xlsx", school="第一中学",
           headers=[*VOC_HEADERS, "学校代码"])
    roster(tmp_path, [free_row(1, 身份证号码=same, 学校代码="3999")], name="free.xlsx", school="第一中学",
           headers=[*FREE_HEADERS, "学校代码"])
    doc = check(run, "grant.xlsx", "free.xlsx", expect_exit=1)
    assert sorted((f["file"], f["row"]) for f in dups(doc)) == [("free.xlsx", 4), ("grant.xlsx", 4)]
    assert "分属2所学校（第一中学（学校代码3201）；第一中学（学校代码3999））" in dups(doc)[0]["message"]


def test_a_revision_under_the_alias_is_a_version_and_the_schools_fee_waiver_roster_is_paid(tmp_path, run):
    """初报 as 第一职业中学, 修改版 as 一职中: two versions of one roster (none of either paid); 学生一's
    免学费 on the school's third file (一职中) is no duplicate of either and is paid."""
    root = make_ws(tmp_path, {"初报.xlsx": [voc_row(i) for i in (1, 2, 3)]})
    add_roster(root, "修改版.xlsx", [voc_row(1), voc_row(2)], school="一职中")
    add_roster(root, "免学费.xlsx", [free_row(1)], headers=FREE_HEADERS, school="一职中")
    register(root)
    code, doc, err = run("validate", "--term", TERM, "--workspace", root, "--format", "json", as_json=True)
    versions = [f for f in doc["findings"] if f["code"] == "roster.two_versions"]
    assert sorted(Path(f["file"]).name for f in versions) == ["修改版.xlsx", "初报.xlsx"], doc["findings"]
    assert "是第一职业中学同一份花名册的两个版本" in versions[0]["message"]
    assert dups(doc) == [], dups(doc)
    assert not [f for f in doc["findings"] if f["file"].endswith("免学费.xlsx")]
    paid = disburse(run, root, dry=True, expect=1)
    refused = {(r["name"], Path(r["file"]).name): r["codes"] for r in paid["refused"]}
    assert sorted(refused) == sorted([(f"学生{n}", "初报.xlsx") for n in "一二三"]
                                     + [(f"学生{n}", "修改版.xlsx") for n in "一二"])
    assert all(codes == ["roster.two_versions"] for codes in refused.values())
    assert paid["payments"] == [] and paid["school_funded"] == 1   # 学生一's 免学费, to the school


def test_without_schools_xlsx_two_names_are_refused_as_unsure_and_a_roster_naming_no_school_is_no_schools(tmp_path, run):
    """No schools.xlsx: 第一职业中学 and 一职中 cannot be told for one school; refused as two, and the
    message says it could not check. A roster naming no school is neither school's: the same
    programme there is a duplicate, said without any second school."""
    same = make_id(seq=270)
    roster(tmp_path, [voc_row(1, 身份证号码=same)], name="grant.xlsx", school="第一职业中学")
    roster(tmp_path, [free_row(1, 身份证号码=same)], name="free.xlsx", school="一职中", headers=FREE_HEADERS)
    doc = check(run, "grant.xlsx", "free.xlsx", expect_exit=1)
    assert len(dups(doc)) == 2
    for f in dups(doc):
        assert "分属2所学校（第一职业中学；一职中），工作目录中没有 schools.xlsx，不能核对这些名称是否为同一所学校" in f["message"]
    roster(tmp_path, [voc_row(1, 身份证号码=same), voc_row(4), voc_row(5)], name="grant.xlsx", school="第一职业中学")
    write_roster(tmp_path / "grant2.xlsx", [voc_row(1, 身份证号码=same), voc_row(2), voc_row(3)], VOC_HEADERS)
    doc = check(run, "grant.xlsx", "grant2.xlsx", expect_exit=1)
    assert sorted((f["file"], f["row"]) for f in dups(doc)) == [("grant.xlsx", 4), ("grant2.xlsx", 2)]
    for f in dups(doc):
        assert "grant2.xlsx 第2行（学校不明，中职国家助学金）" in f["message"], f["message"]
        assert f["message"].endswith("同一学生同一项目只能享受一次：请核实学籍后只保留一处")
        assert "两所学校" not in f["message"]


@pytest.mark.parametrize("line, school", [
    ("填报单位：一 职 中", "一职中"),                        # spaced out a character at a time: one name
    ("填报单位：一　职　中  填报日期：2011-10-08", "一职中"),
    ("填报单位：第一职业中学 联系人 张三", "第一职业中学"),     # fields sharing the line: the first is the name
])
def test_a_school_name_spaced_out_in_the_title_is_read_whole(tmp_path, line, school):
    """填报单位：一 职 中 was read as the school 一: a wrong name on every record, in every list."""
    from test_real_rosters import frame_of, sheet_of, values

    path = sheet_of(tmp_path / "a.xlsx", [["2011年秋季学期中职国家助学金发放花名册"], [line], VOC_HEADERS,
                                          values(1), values(2)])
    assert set(frame_of(path, TERM)["school"]) == {school}
