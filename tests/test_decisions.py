"""The decision record: the eligibility check records, once, which rule period judged each record,
which of its conditions failed, and the standard amount and how it was reached; the refusal messages
name the period's source, and the payment plan pays the record's amount."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import SAMPLES, voc_row, write_roster

from aidctl.check import validate
from aidctl.core.terms import Term
from aidctl.pay import make_plan
from aidctl.read import Workspace

TERM = Term.parse("2011-autumn")
SOURCE_2007 = "国发〔2007〕13号"


@pytest.fixture(scope="module")
def samples():
    ws = Workspace(SAMPLES)
    return validate(ws.intake(TERM), ws, term=TERM, check_ledger=False)


def record(v, file_part: str, row: int) -> int:
    f = v.roster.frame
    hit = [i for i, (t, r) in enumerate(zip(f["table"], f["excel_row"]))
           if file_part in v.roster.tables[t].file and r == row]
    assert len(hit) == 1, (file_part, row)
    return hit[0]


def test_every_record_of_a_programme_in_force_cites_its_period(samples):
    d = samples.decisions
    f = samples.roster.frame
    assert set(d.periods) == {"中职国家助学金@2007-09-01", "普高国家助学金@2010-09-01"}
    known = f["programme_name"].notna().to_numpy()
    assert d.frame["period"].notna().to_numpy().tolist() == known.tolist()
    vocational = (f["programme_name"] == "中职国家助学金").to_numpy()
    assert (d.frame["period"][vocational] == "中职国家助学金@2007-09-01").all()
    assert d.periods["中职国家助学金@2007-09-01"].source.startswith(SOURCE_2007)
    assert d.periods["中职国家助学金@2007-09-01"].labels == ("一、二年级", "农村户籍、县镇非农户口或城市家庭经济困难学生")


def test_failed_conditions_are_recorded_bit_by_bit(samples):
    d = samples.decisions
    third_year = record(samples, "第一职业中学", 12)      # 三年级: the first condition fails
    city = record(samples, "东河县职业高级中学", 10)       # 城市, no difficulty: the second
    clean = record(samples, "东河县职业高级中学", 3)
    no_tier = record(samples, "第一中学普高", 15)           # 困难等级 blank: the second of 普高
    assert int(d.frame["failed"].iloc[third_year]) == 0b01
    assert int(d.frame["failed"].iloc[city]) == 0b10
    assert int(d.frame["failed"].iloc[clean]) == 0
    assert d.failed_labels(np.array([third_year, city, clean, no_tier])) == [
        ["一、二年级"], ["农村户籍、县镇非农户口或城市家庭经济困难学生"], [], ["经认定的家庭经济困难学生（一、二、三档）"]]


def test_standard_amount_and_its_basis(samples):
    d = samples.decisions.frame
    first_tier = record(samples, "第一中学普高", 2)        # 一档: 1000.00 by tier
    mismatch = record(samples, "第一职业中学", 15)         # roster says 800, the standard is 750
    no_tier = record(samples, "第一中学普高", 15)
    assert (d["basis"].iloc[first_tier], d["tier"].iloc[first_tier], d["standard_fen"].iloc[first_tier]) == \
        ("tier", "一档", 100_000)
    assert (d["basis"].iloc[mismatch], d["standard_fen"].iloc[mismatch], d["amount_fen"].iloc[mismatch]) == \
        ("fixed", 75_000, 75_000)
    assert d["basis"].iloc[no_tier] == "roster" and d["standard_fen"].isna().iloc[no_tier]
    assert d["amount_fen"].iloc[no_tier] == 75_000   # the roster's amount, as the plan always paid it


def test_refusal_messages_name_the_period_and_its_source(samples):
    f = samples.findings
    for code in ("eligibility.not_eligible", "amount.mismatch"):
        messages = f.loc[f["code"] == code, "message"]
        assert len(messages) >= 2
        assert all("（依据：" in m and "起执行）" in m for m in messages), messages.tolist()
    third = f[(f["code"] == "eligibility.not_eligible") & (f["row"] == 12)]["message"].iloc[0]
    assert SOURCE_2007 in third and "2007-09-01起执行" in third


def test_not_in_force_names_the_periods_of_the_rules(tmp_path, run):
    write_roster(tmp_path / "k.xlsx", [voc_row(1, 资助项目="学前教育资助")], above=[["填报单位：城关幼儿园"]])
    code, doc, err = run("validate", "k.xlsx", "--term", "2010-autumn", "--format", "json", as_json=True)
    unknown = [x for x in doc["findings"] if x["code"] == "eligibility.unknown_program"]
    assert unknown and "规则中的执行期：2011-09-01起" in unknown[0]["message"], doc


def test_the_plan_pays_the_decision_records_amount(tmp_path):
    """A locally set standard (学前教育资助, from_roster) pays the roster's amount; a fixed one the
    standard. The plan's amounts are the decision record's, record by record."""
    root = tmp_path / "ws"
    rows = [voc_row(1), voc_row(2)]
    write_roster(root / "intake" / "2011-autumn" / "a.xlsx", rows, above=[["填报单位：第一职业中学"]])
    ws = Workspace(root)
    plan = make_plan(ws, TERM, ws.intake(TERM), None)
    d = plan.validation.decisions.frame
    assert plan.pay["amount_fen"].tolist() == d["amount_fen"].iloc[plan.pay["rec"]].tolist() == [75_000, 75_000]


def test_rows_of_a_mutated_standard_follow_the_record(tmp_path, monkeypatch):
    """The plan reads the record's amount, not the rules again: a decision record changed after the
    checks is what is paid (so that a second computation in the plan would show here)."""
    from aidctl.check import validation

    real = validation.judge

    def doubled(roster, rules, also_standard=None, ws=None):
        findings, decisions = real(roster, rules, also_standard, ws)
        decisions.frame["amount_fen"] = decisions.frame["amount_fen"] * 2
        return findings, decisions

    monkeypatch.setattr(validation, "judge", doubled)
    root = tmp_path / "ws"
    write_roster(root / "intake" / "2011-autumn" / "a.xlsx", [voc_row(1)], above=[["填报单位：第一职业中学"]])
    ws = Workspace(root)
    plan = make_plan(ws, TERM, ws.intake(TERM), None)
    assert plan.pay["amount_fen"].tolist() == [150_000]


def test_samples_unchanged_by_the_record(samples):
    """The decision record adds no finding and removes none: the planted problems stand."""
    assert samples.summary() == {"records": 62, "errors": 22, "warnings": 6}
    assert Path(samples.roster.tables[0].file).suffix == ".xlsx"
