"""A school's 初报 and its 修改版 read together are two versions of one roster, not two rosters: one
roster.two_versions error a file, none of either paid (a student the 修改版 removed stands in the 初报
alone, and used to be paid from it); a 补报 of new students, or one that repeats a student or two, is
not a version (rules/oversight.yaml versions.shared_share)."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import yaml
from conftest import voc_row, write_roster
from test_disburse import HS_HEADERS, TERM, add_roster, disburse, hs_row, make_ws

from aidctl.rulebook import packaged_rules_dir

CODE = "roster.two_versions"
FIRST, REVISED = "初报.xlsx", "修改版.xlsx"


def arrive(stamp: str, path: Path) -> None:
    """The file was saved into intake/ at `stamp`: when the school sent it."""
    when = datetime.fromisoformat(stamp).timestamp()
    os.utime(path, (when, when))


def first_and_revised(tmp_path: Path, *, school: str = "实验中学", extra: dict | None = None) -> Path:
    """实验中学's 初报 of five 普高 students and its 修改版 received a day later: 高中生五 removed
    (withdrawn), 高中生二 corrected from 一档 (1000) to 二档 (750)."""
    root = make_ws(tmp_path)
    first = [hs_row(i) for i in range(1, 6)]
    revised = [hs_row(1), hs_row(2, "二档"), hs_row(3), hs_row(4)]
    for name, rows, stamp in ((FIRST, first, "2011-10-08T09:00:00"), (REVISED, revised, "2011-10-09T09:00:00")):
        arrive(stamp, add_roster(root, name, rows, headers=HS_HEADERS, school=school))
    for name, rows in (extra or {}).items():
        add_roster(root, name, rows, headers=HS_HEADERS, school=school)
    return root


def validate(run, root: Path, *extra) -> tuple[int, dict, str]:
    code, doc, err = run("validate", "--term", TERM, "--workspace", root, "--format", "json", *extra, as_json=True)
    assert isinstance(doc, dict), (code, err)
    return code, doc, err


def of(doc: dict, code: str) -> list[dict]:
    return [f for f in doc["findings"] if f["code"] == code]


def test_a_first_roster_and_its_revision_are_one_error_a_file_naming_both_and_the_later_one(tmp_path, run):
    root = first_and_revised(tmp_path)
    code, doc, err = validate(run, root)
    assert code == 1, err
    found = of(doc, CODE)
    assert sorted((f["file"], f["row"], f["severity"]) for f in found) == [
        (f"intake/{TERM}/{REVISED}", None, "error"), (f"intake/{TERM}/{FIRST}", None, "error")]
    message = found[0]["message"]
    assert message == found[1]["message"]
    assert f"“intake/{TERM}/{FIRST}”和“intake/{TERM}/{REVISED}”是实验中学同一份花名册的两个版本" in message
    assert "4 名学生相同" in message and f"“intake/{TERM}/{FIRST}”可比对的 5 名" in message
    assert f"“intake/{TERM}/{REVISED}”接收在后（2011-10-09 09:00:00" in message
    assert "把被替代的文件" in message and f"intake/{TERM}/ 文件夹" in message
    # the students shared are not listed one by one: the pair's finding speaks for them
    assert of(doc, "id.duplicate") == []
    assert doc["summary"]["errors"] == 2


def test_disburse_pays_neither_version_not_even_the_student_the_revision_removed(tmp_path, run):
    root = first_and_revised(tmp_path)
    doc = disburse(run, root, dry=True, expect=1)
    assert doc["payments"] == []
    refused = {(r["name"], Path(r["file"]).name): r["codes"] for r in doc["refused"]}
    assert len(refused) == 9                       # five of the 初报, four of the 修改版
    assert refused[("高中生五", FIRST)] == [CODE]  # removed by the 修改版: never paid from the 初报
    assert all(codes == [CODE] for codes in refused.values())


def test_a_supplement_of_new_students_is_no_version_and_is_paid(tmp_path, run):
    """补报.xlsx lists two students neither version has: it stays a roster of its own, paid, beside the
    two versions refused."""
    root = first_and_revised(tmp_path, extra={"补报.xlsx": [hs_row(6), hs_row(7)]})
    code, doc, _ = validate(run, root)
    assert code == 1
    assert {Path(f["file"]).name for f in of(doc, CODE)} == {FIRST, REVISED}
    assert not [f for f in doc["findings"] if f["file"].endswith("补报.xlsx")]
    paid = disburse(run, root, dry=True, expect=1)
    assert sorted((p["name"], Path(p["file"]).name) for p in paid["payments"]) == [
        ("高中生七", "补报.xlsx"), ("高中生六", "补报.xlsx")]


def test_a_supplement_repeating_one_student_is_a_duplicate_of_that_student_only(tmp_path, run):
    """补报.xlsx of four students repeats one of the 初报 (1 of 4: below versions.shared_share): that
    student is id.duplicate on each file he stands in; the supplement's others are paid."""
    root = make_ws(tmp_path)
    add_roster(root, FIRST, [hs_row(i) for i in range(1, 6)], headers=HS_HEADERS, school="实验中学")
    add_roster(root, "补报.xlsx", [hs_row(5)] + [hs_row(i) for i in range(6, 9)], headers=HS_HEADERS, school="实验中学")
    # beside them, another school's 初报 and 修改版: those two are versions
    add_roster(root, "一中初报.xlsx", [hs_row(i) for i in range(11, 14)], headers=HS_HEADERS, school="第一中学")
    add_roster(root, "一中修改版.xlsx", [hs_row(i) for i in range(11, 13)], headers=HS_HEADERS, school="第一中学")
    code, doc, _ = validate(run, root)
    assert code == 1
    assert {Path(f["file"]).name for f in of(doc, CODE)} == {"一中初报.xlsx", "一中修改版.xlsx"}
    assert sorted((Path(f["file"]).name, f["row"]) for f in of(doc, "id.duplicate")) == [
        (FIRST, 8), ("补报.xlsx", 4)]
    paid = disburse(run, root, dry=True, expect=1)
    assert sorted(p["name"] for p in paid["payments"]) == sorted(f"高中生{n}" for n in "一二三四六七八")


def test_a_student_also_on_another_schools_roster_keeps_that_duplicate(tmp_path, run):
    """高中生一 stands in both versions and on 第一中学's roster too: his id.duplicate stays on every
    one of his three records; the others shared by the two versions are folded into the pair's finding."""
    root = first_and_revised(tmp_path)
    add_roster(root, "一中.xlsx", [hs_row(1), hs_row(20)], headers=HS_HEADERS, school="第一中学")
    code, doc, _ = validate(run, root)
    assert code == 1
    assert len(of(doc, CODE)) == 2
    dups = of(doc, "id.duplicate")
    assert sorted(Path(f["file"]).name for f in dups) == sorted([FIRST, REVISED, "一中.xlsx"])
    assert all(f["row"] == 4 for f in dups)   # 高中生一, the first student of each
    assert "出现3次" in dups[0]["message"]


def test_rosters_naming_no_school_that_share_their_students_are_versions(tmp_path, run):
    """Two files with no school named anywhere (no title, no 填报单位, no school in the name) that list
    the same students: their students are the only sign of whose roster they are."""
    root = make_ws(tmp_path)
    folder = root / "intake" / TERM
    write_roster(folder / "名单.xlsx", [voc_row(i) for i in range(1, 5)])
    write_roster(folder / "名单（改）.xlsx", [voc_row(i) for i in range(1, 4)])
    code, doc, _ = validate(run, root)
    assert code == 1
    found = of(doc, CODE)
    assert len(found) == 2 and "没有写明学校" in found[0]["message"] and "3 名学生相同" in found[0]["message"]
    assert disburse(run, root, dry=True, expect=1)["payments"] == []


def test_the_share_that_makes_two_files_versions_is_the_workspace_rule(tmp_path, run):
    """修改版 replaces 高中生五 by 高中生六: 4 of 5 shared. Packaged rule (0.5): versions. A workspace copy
    of rules/oversight.yaml asking for 0.9: four id.duplicate pairs instead, 五 and 六 paid."""
    root = make_ws(tmp_path)
    add_roster(root, FIRST, [hs_row(i) for i in range(1, 6)], headers=HS_HEADERS, school="实验中学")
    add_roster(root, REVISED, [hs_row(i) for i in (1, 2, 3, 4, 6)], headers=HS_HEADERS, school="实验中学")
    code, doc, _ = validate(run, root)
    assert len(of(doc, CODE)) == 2 and "达到 rules/oversight.yaml versions.shared_share 的 50%" in of(doc, CODE)[0]["message"]
    rules = yaml.safe_load((packaged_rules_dir() / "oversight.yaml").read_text(encoding="utf-8"))
    rules["versions"]["shared_share"] = "0.9"
    (root / "rules").mkdir()
    (root / "rules" / "oversight.yaml").write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    code, doc, _ = validate(run, root)
    assert code == 1 and of(doc, CODE) == []
    assert len(of(doc, "id.duplicate")) == 8
    paid = disburse(run, root, dry=True, expect=1)
    assert sorted(p["name"] for p in paid["payments"]) == ["高中生五", "高中生六"]


def test_a_workspace_copy_without_the_rule_takes_the_packaged_share_and_says_so(tmp_path, run):
    root = first_and_revised(tmp_path)
    rules = yaml.safe_load((packaged_rules_dir() / "oversight.yaml").read_text(encoding="utf-8"))
    assert rules["versions"]["shared_share"] == "0.5"
    del rules["versions"]
    (root / "rules").mkdir()
    (root / "rules" / "oversight.yaml").write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    code, doc, _ = validate(run, root)
    assert code == 1 and len(of(doc, CODE)) == 2
    assert any("rules/oversight.yaml 未写 versions" in n for n in doc["notes"]), doc["notes"]


def test_explain_shows_the_pair_for_the_student_the_revision_removed(tmp_path, run):
    root = first_and_revised(tmp_path)
    code, doc, err = run("explain", "高中生五", "--term", TERM, "--workspace", root, "--format", "json", as_json=True)
    assert code == 1, err
    assert doc["verdict"] == "refused"
    (record,) = doc["records"]
    check = {c["check"]: c for c in record["checks"]}["duplicate"]
    assert check["verdict"] == "error"
    assert [f["code"] for f in check["findings"]] == [CODE]
    assert "两个版本" in check["findings"][0]["message"]


def test_three_versions_fold_every_student_they_share_and_pay_none(tmp_path, run):
    """初报, 修改版 and a second 修改版: each pair is a finding on both its files, no student they share
    is listed one by one, and none of the three files is paid."""
    root = first_and_revised(tmp_path)
    arrive("2011-10-10T09:00:00", add_roster(root, "修改版2.xlsx", [hs_row(1), hs_row(2, "二档"), hs_row(3)],
                                            headers=HS_HEADERS, school="实验中学"))
    code, doc, _ = validate(run, root)
    assert code == 1
    per_file = {}
    for f in of(doc, CODE):
        per_file[Path(f["file"]).name] = per_file.get(Path(f["file"]).name, 0) + 1
    assert per_file == {FIRST: 2, REVISED: 2, "修改版2.xlsx": 2}
    assert of(doc, "id.duplicate") == []
    assert disburse(run, root, dry=True, expect=1)["payments"] == []


def test_a_student_on_many_files_pairs_them_in_a_chain_not_every_two():
    """One ID on every file of a run would pair k files k² ways: beyond a few files each file is paired
    with the next, which still joins them all into one group of versions, at a cost linear in records."""
    import pandas as pd

    from aidctl.check.versions import _ALL_PAIRS_UP_TO, _groups, _pairs

    k = 40
    again = pd.DataFrame({"file": list(range(k)) + [0, 1, 2], "school": [0] * (k + 3),
                          "who": [7] * k + [8] * 3, "prog": [0] * (k + 3)})
    both = _pairs(again)
    chained = both[both["who"] == 7]
    assert k > _ALL_PAIRS_UP_TO
    assert len(chained) == k - 1
    assert sorted(zip(chained["file_a"], chained["file_b"])) == [(i, i + 1) for i in range(k - 1)]
    assert set(chained["school_a"]) == set(chained["school_b"]) == {0}
    few = both[both["who"] == 8]   # a student on three files: every ordered pair, as a merge gives
    assert len(few) == 9
    groups = _groups(k, pd.DataFrame({"a": chained["file_a"], "b": chained["file_b"]}))
    assert len(set(groups.tolist())) == 1
