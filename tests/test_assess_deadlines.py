"""assess, complaints: outcomes that were silently wrong (round 38).

- A roster not yet received, a payment not yet sent, before the deadline has passed as of --as-of,
  were counted as late.
- A term with no submissions or no payments was left out of the figures without a word.
- A submission naming no school ((学校不明)) was left out of every school without a word.
- A complaint's 所属县区 that neither schools.xlsx nor the ledger knows (a misspelt county) stood as a
  county of its own without a word.
- A school name schools.xlsx gives to two schools was scored as one school without a word."""

from __future__ import annotations

import datetime as dt

from test_assess import _json, submit, ws  # noqa: F401  (ws: the two-school fixture)
from test_complaints import write_register, write_schools

from aidctl.core.labels import UNKNOWN_SCHOOL

D = dt.date


def _school(doc: dict, name: str) -> dict:
    return {s["school"]: s for s in doc["schools"]}[name]


def test_a_roster_not_yet_received_before_the_deadline_is_not_late(ws, run):  # noqa: F811
    """As of 2011-10-12 (deadline 10-15) 乙校's roster, received 10-20, has not come yet: not judged
    (nothing due: covered), never 0%. 甲校's, received 10-10, is on time."""
    code, doc, err = _json(run, ws, "--as-of", "2011-10-12")
    assert code == 0, err
    b = _school(doc, "乙校")
    t = b["indicators"]["on_time_submission"]
    assert (t["numerator"], t["denominator"], t["value"]) == (0, 0, None)
    assert "on_time_submission" in b["not_due"] and "on_time_submission" not in b["missing"]
    a = _school(doc, "甲校")["indicators"]["on_time_submission"]
    assert (a["numerator"], a["denominator"]) == (1, 1)
    assert any(n.startswith("截至2011-10-12报送期限未到、尚未收到花名册的 1 个学校学期不计入按时报送率")
               and "2011-autumn 乙校" in n for n in doc["notes"]), doc["notes"]
    # once the deadline has passed, the same roster is late
    code, doc, err = _json(run, ws, "--as-of", "2011-10-16")
    t = _school(doc, "乙校")["indicators"]["on_time_submission"]
    assert (t["numerator"], t["denominator"]) == (0, 1)


def test_a_payment_not_yet_sent_before_the_deadline_is_not_late(ws, run):  # noqa: F811
    """As of 2011-11-25 (deadline 11-30) 甲校's fourth payment, sent 12-05, has not gone yet: 3/3, not 3/4."""
    code, doc, err = _json(run, ws, "--as-of", "2011-11-25")
    assert code == 0, err
    t = _school(doc, "甲校")["indicators"]["timely_payment"]
    assert (t["numerator"], t["denominator"], t["value"]) == (3, 3, "100.00%")
    east = {c["county"]: c for c in doc["counties"]}["东区"]["indicators"]["timely_payment"]
    assert (east["numerator"], east["denominator"]) == (3, 3)
    assert any(n.startswith("截至2011-11-25，2011-autumn的发放期限2011-11-30未到：1 笔尚未发送的付款不计入及时发放率")
               for n in doc["notes"]), doc["notes"]
    _, doc, _ = _json(run, ws, "--as-of", "2011-12-31")
    t = _school(doc, "甲校")["indicators"]["timely_payment"]
    assert (t["numerator"], t["denominator"]) == (3, 4)


def test_a_term_without_submissions_or_payments_is_said(ws, run):  # noqa: F811
    code, doc, err = _json(run, ws)
    assert code == 0, err
    assert "账本中没有2011-spring的付款：及时发放率只按2011-autumn计算（没有付款的学期不计）" in doc["notes"]
    assert any(n.startswith("报送记录（intake）中没有2011-spring的花名册：数据准确率、按时报送率只按2011-autumn计算")
               for n in doc["notes"]), doc["notes"]


def test_a_submission_naming_no_school_is_said(ws, run):  # noqa: F811
    submit(ws, [("2011-autumn", UNKNOWN_SCHOOL, 1, "2011-10-11T09:00:00", 7, 0)])
    code, doc, err = _json(run, ws)
    assert code == 0, err
    [note] = [n for n in doc["notes"] if "无法确定是哪所学校" in n]
    assert f"2011-autumn intake/2011-autumn/{UNKNOWN_SCHOOL}_1.xlsx" in note
    assert UNKNOWN_SCHOOL not in {s["school"] for s in doc["schools"]}


def test_a_complaint_county_nobody_knows_is_said(ws, run):  # noqa: F811
    """东曲 (for 东区) is no county of the ledger: counted as written, and said, in complaints and assess."""
    write_register(ws / "complaints" / "台账.xlsx", [
        ["T1", D(2011, 9, 5), "东区", "甲校", "资金发放", "王某", D(2011, 9, 16)],
        ["T2", D(2011, 9, 6), "东曲", None, "政策咨询", "李某", D(2011, 9, 8)]])
    code, doc, err = run("complaints", "--year", "2011", "--workspace", ws, "--format", "json", as_json=True)
    assert code == 0, err
    [note] = [n for n in doc["notes"] if "所属县区不是" in n]
    assert "complaints/台账.xlsx 第5行“东曲”" in note and "账本中付款记录的县区" in note
    _, doc, _ = _json(run, ws)
    assert note in doc["notes"]


def test_a_name_schools_xlsx_gives_two_schools_is_said_in_assess(ws, run):  # noqa: F811
    write_schools(ws, [("1", "甲校", "中等职业学校", "东区", None), ("2", "甲校", "普通高中", "西区", None),
                       ("3", "乙校", "中等职业学校", "西区", None)])
    code, doc, err = _json(run, ws)
    assert code == 0, err
    assert any(n.startswith("schools.xlsx 中“甲校”是不止一所学校的名称或别名") for n in doc["notes"]), doc["notes"]
