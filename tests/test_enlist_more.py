"""enlist: an 入伍时间 written with a season (2024年春) is that season, never the year alone."""

from __future__ import annotations

import pytest
import yaml
from conftest import write_roster
from test_enlist import HEAD, TITLE, codes, enlist, student

from aidctl.rulebook import packaged_rules_dir

HIGH = (25000, 25000, 25000)   # above every 本专科 cap: each year is the cap


@pytest.mark.parametrize("enlisted, cap", [("2024年春", 16000), ("2024年春季", 16000), ("2024年上半年", 16000),
                                           ("2023年春", 12000), ("2024年秋", 20000), ("2024年下半年", 20000)])
def test_a_season_settles_the_cap_of_a_year_whose_cap_changed(run, tmp_path, enlisted, cap):
    """2024年春 was read as the year alone, taken as 1 September and given the cap that rose that day
    (20000), with a warning that only the year was written: a spring enlistee was paid 3 × 4000 too
    much. The spring conscription enlists before the change: the older cap, and no warning."""
    doc = enlist(run, tmp_path, student(1, tuition=HIGH, 入学年份=2021, 入伍年份=enlisted), expect_exit=0)
    s = doc["students"][0]
    counted = s["years_counted"]
    assert s["payable"] and s["total"] == f"{counted * cap:.2f}", s
    assert {y["cap"] for y in s["years"]} == {f"{cap:.2f}"}
    assert codes(doc) == [["enlist.year_not_counted"] if counted == 2 else []], codes(doc)


def test_a_season_within_which_the_cap_changes_takes_neither_cap(run, tmp_path):
    """A workspace whose 下半年 runs July to December: in 2024 the cap changed on 1 September, within it.
    The student is refused naming the season and the change, and no amount is given."""
    rules = yaml.safe_load((packaged_rules_dir() / "enlistment.yaml").read_text(encoding="utf-8"))
    rules["season_months"] = {"下半年": [7, 12]}
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "enlistment.yaml").write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    doc = enlist(run, tmp_path, student(1, tuition=HIGH, 入学年份=2021, 入伍年份="2024年下半年"),
                 student(2, tuition=HIGH, 入学年份=2021, 入伍年份="2022年下半年"), expect_exit=1)
    refused, other = doc["students"]
    assert not refused["payable"] and refused["total"] is None and refused["enlisted_on"] is None, refused
    message = [f["message"] for f in refused["findings"] if f["code"] == "enlist.invalid"]
    assert len(message) == 1 and "“下半年”按7—12月计" in message[0] and "2024-09-01起补偿上限有调整" in message[0]
    assert "enlist.not_covered" not in codes(doc)[0] and "enlist.month_unknown" not in codes(doc)[0]
    assert other["payable"] and other["total"] == "12000.00", other   # no cap changed in 2022: 1 year, 12000


def test_a_season_that_is_not_two_months_in_order_is_a_refused_rule(run, tmp_path):
    rules = yaml.safe_load((packaged_rules_dir() / "enlistment.yaml").read_text(encoding="utf-8"))
    rules["season_months"] = {"春": [3, 2]}
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "enlistment.yaml").write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    path = write_roster(tmp_path / "入伍名单.xlsx", [student(1)], HEAD, above=TITLE)
    code, _, err = run("enlist", path.name, "--year", "2024", "--format", "json")
    assert code == 2 and "season_months.春" in err, err


NOT_READ = ["2021-2022", "2022年13月", "2022.13", "2022年9月或10月", "2024年冬"]
READ = ["2022", "2022年", "2022年9月", "2022.09", "2022年9月10日", "2022/09/10", "2022年9月入伍", "2022年秋季"]


def test_an_enlistment_time_not_read_in_full_is_no_year(run, tmp_path):
    """2021-2022 was read as 2021 (one year counted, not two), 2022年13月 and 2022年9月或10月 as the year
    alone, 2024年冬 as 1 September: the rest of the cell was passed over. Each is now enlist.invalid
    naming the cell, and no amount is given; the forms read in full are read as before."""
    rows = [student(i, 入伍年份=v) for i, v in enumerate([*NOT_READ, *READ], start=1)]
    doc = enlist(run, tmp_path, *rows, expect_exit=1)
    refused, paid = doc["students"][:len(NOT_READ)], doc["students"][len(NOT_READ):]
    for s, written in zip(refused, NOT_READ):
        assert not s["payable"] and (s["total"], s["years_counted"], s["enlisted_on"]) == (None, None, None), s
        assert [f["message"] for f in s["findings"]] == \
            [f"入伍年份“{written}”不是年份：请填写四位年份，如 2012（或写明年月，如 2014年9月）"], s["findings"]
    assert [(s["total"], s["findings"]) for s in paid] == [("11700.00", [])] * len(READ), paid
