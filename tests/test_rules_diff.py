"""`aidctl rules diff DIR`: the term's rosters judged under the rules in force and under DIR's, through
the same validation and planning code; who changes and how much, by school, county and programme.
It writes nothing but its --report workbook and touches no ledger."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from conftest import SAMPLES
from test_clear_errors import one_clear_line

from aidctl.report import rules_diff as rd
from aidctl.rulebook import RULE_FILES, packaged_rules_dir

TERM = "2011-autumn"
PACKAGED = packaged_rules_dir()
OLD_2007 = '''      - from: 2007-09-01
        amount: {per_term: "750.00"}          # 1500 元/生·年
        conditions:
          - {field: grade, in: [1, 2], label: 一、二年级}'''


@pytest.fixture
def ws(tmp_path) -> Path:
    root = tmp_path / "samples"
    shutil.copytree(SAMPLES, root, ignore=shutil.ignore_patterns("out", "aidctl.db", ".aidctl.lock", "__pycache__"))
    return root


def proposed(tmp_path: Path, replace: str | None = None, by: str | None = None, name: str = "proposed") -> Path:
    """A folder holding programmes.yaml, the packaged one with `replace` changed to `by`."""
    folder = tmp_path / name
    folder.mkdir()
    text = (PACKAGED / "programmes.yaml").read_text(encoding="utf-8")
    if replace is not None:
        assert text.count(replace) == 1, replace
        text = text.replace(replace, by)
    (folder / "programmes.yaml").write_text(text, encoding="utf-8")
    return folder


def diff(run, root: Path, folder: Path, *extra, expect: int = 0) -> dict:
    code, doc, err = run("rules", "diff", folder, "--term", TERM, "--workspace", root, "--format", "json", *extra,
                         as_json=True)
    assert code == expect, (code, doc, err)
    doc["_stderr"] = err
    return doc


def payees(run, root: Path) -> dict[tuple[str, int], dict]:
    """The sample term's payments as disburse --dry-run plans them, by (file, row)."""
    code, doc, err = run("disburse", "--term", TERM, "--workspace", root, "--dry-run", "--format", "json",
                         as_json=True)
    assert code == 1, (code, err)
    return {(p["file"], p["row"]): p for p in doc["payments"]}


def test_identical_rules_report_nothing(ws, run, tmp_path):
    folder = tmp_path / "same"
    folder.mkdir()
    for name in RULE_FILES:   # every rule file, copied as it is
        shutil.copy(PACKAGED / name, folder / name)
    doc = diff(run, ws, folder)
    assert doc["verdicts"] == [] and doc["amounts"] == []
    t = doc["totals"]
    assert (t["delta"], t["verdict_changes"], t["amount_changes"], t["to_refused"], t["to_payable"]) == \
        ("0.00", 0, 0, 0, 0)
    assert t["amount_before"] == t["amount_after"] == "30000.00" and t["payable_before"] == t["payable_after"] == 40
    assert all(g["delta"] == "0.00" and g["amount_before"] == g["amount_after"]
               for key in ("by_programme", "by_county", "by_school") for g in doc[key])
    assert {r["file"] for r in doc["rules"]["replaced"]} == set(RULE_FILES)
    assert not any(r["differs"] for r in doc["rules"]["replaced"])
    assert doc["rules"]["fingerprint_before"] == doc["rules"]["fingerprint_after"]  # the same content
    code, out, err = run("rules", "diff", folder, "--term", TERM, "--workspace", ws)
    assert code == 0 and "没有学生的资格或金额发生变化" in out


def test_750_to_1000_for_vocational_grants_changes_every_vocational_payee(ws, run, tmp_path):
    folder = proposed(tmp_path, OLD_2007, OLD_2007.replace('"750.00"', '"1000.00"'))
    paid = payees(run, ws)
    vocational = {k for k, p in paid.items() if p["programme"] == "中职国家助学金"}
    assert len(vocational) == 23 and len(paid) == 40
    doc = diff(run, ws, folder)
    assert doc["verdicts"] == []
    changed = {(a["file"], a["row"]): a for a in doc["amounts"]}
    assert set(changed) == vocational
    assert all((a["amount_before"], a["amount_after"], a["delta"], a["basis_before"], a["basis_after"],
                a["period_after"]) == ("750.00", "1000.00", "250.00", "fixed", "fixed", "中职国家助学金@2007-09-01")
               for a in changed.values())
    assert all(changed[k]["id_number"] == paid[k]["id_number"] and changed[k]["name"] == paid[k]["name"]
               for k in vocational)
    t = doc["totals"]
    assert (t["amount_before"], t["amount_after"], t["delta"]) == ("30000.00", "35750.00", "5750.00")
    assert Decimal(t["delta"]) == 250 * len(vocational)
    by_programme = {g["programme"]: g for g in doc["by_programme"]}
    assert by_programme["中职国家助学金"]["delta"] == "5750.00" and by_programme["中职国家助学金"]["amount_changes"] == 23
    assert by_programme["普高国家助学金"]["delta"] == "0.00" and by_programme["普高国家助学金"]["amount_changes"] == 0
    for key in ("by_county", "by_school"):
        assert sum(Decimal(g["delta"]) for g in doc[key]) == Decimal("5750.00")
    by_school = {g["school"]: g for g in doc["by_school"]}
    assert by_school["第一职业中学"]["delta"] == "2000.00" and by_school["实验中学"]["delta"] == "0.00"
    # the roster's 750 was written to today's standard: said aloud, not refused as amount.mismatch
    assert any("amount.mismatch" in n and "现行规则的标准" in n for n in doc["notes"])
    # 雷军 wrote 800: refused under both versions, so no change
    assert (next(iter(vocational))[0], 15) not in changed


def test_a_narrower_condition_refuses_with_the_condition_that_decided(ws, run, tmp_path):
    old = "          - {field: grade, in: [1, 2], label: 一、二年级}\n          - any_of:\n" \
          "              - {field: household, in: [农村, 县镇非农]}"
    folder = proposed(tmp_path, old, old.replace("in: [1, 2], label: 一、二年级", "in: [1], label: 一年级"))
    doc = diff(run, ws, folder)
    assert doc["amounts"] == []
    second_years = doc["verdicts"]
    from aidctl.core.terms import Term
    from aidctl.pay import make_plan
    from aidctl.read import Workspace

    w = Workspace(ws)
    plan = make_plan(w, Term.parse(TERM), w.intake(Term.parse(TERM)), None)
    f = plan.validation.roster.frame.iloc[plan.pay["rec"]]
    expected = f[(f["programme_name"] == "中职国家助学金") & (f["v_grade"] == 2)]
    assert sorted((v["name"], v["row"]) for v in second_years) == sorted(zip(expected["name"], expected["excel_row"]))
    assert second_years and all((v["before"], v["after"]) == ("payable", "refused") for v in second_years)
    assert all(v["codes"] == ["eligibility.not_eligible"] and v["conditions"] == ["一年级"] for v in second_years)
    assert all(v["delta"] == "-750.00" and v["amount_before"] == "750.00" and v["amount_after"] is None
               for v in second_years)
    t = doc["totals"]
    assert t["to_refused"] == len(second_years) and t["to_payable"] == 0
    assert Decimal(t["delta"]) == -750 * len(second_years)


def test_a_wider_condition_pays_the_student_it_refused(ws, run, tmp_path):
    old = "          - {field: grade, in: [1, 2], label: 一、二年级}\n          - any_of:\n" \
          "              - {field: household, in: [农村, 县镇非农]}"
    folder = proposed(tmp_path, old, old.replace("in: [1, 2], label: 一、二年级", "in: [1, 2, 3], label: 一至三年级"))
    doc = diff(run, ws, folder)
    (v,) = doc["verdicts"]
    assert (v["file"].endswith("第一职业中学_2011秋_助学金.xlsx"), v["row"], v["name"]) == (True, 12, "胡琳")
    assert (v["before"], v["after"], v["delta"], v["amount_after"]) == ("refused", "payable", "750.00", "750.00")
    assert v["codes"] == ["eligibility.not_eligible"] and v["conditions"] == ["一、二年级"]  # what refused it before
    assert doc["totals"]["to_payable"] == 1 and doc["totals"]["delta"] == "750.00"


def test_the_report_workbook_masks_ids_and_sums_to_the_totals(ws, run, tmp_path):
    folder = proposed(tmp_path, OLD_2007, OLD_2007.replace('"750.00"', '"1000.00"'))
    target = tmp_path / "测算.xlsx"
    doc = diff(run, ws, folder, "--report", target)
    assert doc["report"] == str(target) and target.is_file()
    wb = openpyxl.load_workbook(target)
    assert wb.sheetnames == ["汇总", "按学校", "资格变化", "金额变化"]
    cells = [c for s in wb for row in s.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert not any(a["id_number"] in c for a in doc["amounts"] for c in cells)
    changes = list(wb["金额变化"].iter_rows(min_row=2, values_only=True))
    assert len(changes) == 23 and all(r[6].startswith(r[6][:6]) and "********" in r[6] for r in changes)
    assert sum(r[10] for r in changes) == 5750
    schools = list(wb["按学校"].iter_rows(min_row=2, values_only=True))
    assert schools[-1][0] == "合计" and schools[-1][7] == 5750 and schools[-1][5] == 30000 and schools[-1][6] == 35750
    assert list(wb["资格变化"].iter_rows(values_only=True))[0][0] == "资格没有变化的记录。"


def test_writes_nothing_else_and_touches_no_ledger(ws, run, tmp_path):
    folder = proposed(tmp_path, OLD_2007, OLD_2007.replace('"750.00"', '"1000.00"'))
    before = sorted(p.relative_to(ws) for p in ws.rglob("*"))
    diff(run, ws, folder)
    assert sorted(p.relative_to(ws) for p in ws.rglob("*")) == before   # no ledger made, no out/
    code, _, err = run("disburse", "--term", TERM, "--workspace", ws, "--format", "json")
    assert code == 1, err
    ledger = ws / "aidctl.db"
    digest, mtime = hashlib.sha256(ledger.read_bytes()).hexdigest(), ledger.stat().st_mtime_ns
    files = sorted(p.relative_to(ws) for p in ws.rglob("*"))
    doc = diff(run, ws, folder)
    assert doc["totals"]["delta"] == "5750.00"   # what the rules decide, whatever the ledger holds
    assert hashlib.sha256(ledger.read_bytes()).hexdigest() == digest and ledger.stat().st_mtime_ns == mtime
    assert sorted(p.relative_to(ws) for p in ws.rglob("*")) == files


def test_rules_that_read_rosters_otherwise_are_read_again_and_matched_by_row(ws, run, tmp_path):
    """A columns.yaml that differs (here by a comment only) makes the rosters read under each version;
    the records are matched by file, sheet and row, and nothing changes."""
    folder = tmp_path / "reading"
    folder.mkdir()
    (folder / "columns.yaml").write_text("# 对比：只多一行注释\n" + (PACKAGED / "columns.yaml").read_text(encoding="utf-8"),
                                         encoding="utf-8")
    doc = diff(run, ws, folder)
    assert doc["verdicts"] == [] and doc["amounts"] == [] and doc["totals"]["records"] == 62
    assert any("各读一次" in n for n in doc["notes"])


def test_what_dir_holds_is_said(ws, run, tmp_path):
    folder = proposed(tmp_path, OLD_2007, OLD_2007.replace('"750.00"', '"1000.00"'))
    (folder / "programme.yaml").write_text("description: 拼错的文件名\n", encoding="utf-8")
    doc = diff(run, ws, folder)
    assert doc["rules"]["ignored"] == ["programme.yaml"]
    assert any("programme.yaml 不是 aidctl 读取的规则文件" in n for n in doc["notes"])
    assert "programme.yaml" in doc["_stderr"]
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = run("rules", "diff", empty, "--term", TERM, "--workspace", ws)
    assert code == 2 and "没有 aidctl 的规则文件" in err and len(err.strip().splitlines()) == 1
    code, _, err = run("rules", "diff", tmp_path / "nowhere", "--term", TERM, "--workspace", ws)
    assert code == 2 and "文件夹不存在" in err
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "programmes.yaml").write_text("description: x\nsource: y\nprogrammes: {甲: {school_types: []}}\n",
                                            encoding="utf-8")
    code, _, err = run("rules", "diff", broken, "--term", TERM, "--workspace", ws)
    assert code == 2 and "programmes.yaml" in err


def test_rosters_given_on_the_command_line(ws, run, tmp_path):
    folder = proposed(tmp_path, OLD_2007, OLD_2007.replace('"750.00"', '"1000.00"'))
    one = ws / "intake" / TERM / "第一职业中学_2011秋_助学金.xlsx"
    code, doc, err = run("rules", "diff", folder, one, "--term", TERM, "--workspace", ws, "--format", "json",
                         as_json=True)
    assert code == 0, err
    assert [f["file"] for f in doc["files"]] == [str(one)]
    # checked alone, 王婷婷 (row 16) is no duplicate of 东河县's row: 9 payees
    assert doc["totals"]["delta"] == "2250.00" and len(doc["amounts"]) == 9


def _first_fen_more(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    out = frame.copy()
    out.loc[out.index[0], column] += 1
    return out


def _without_amount(plan, v, *_, **__):
    """The decision record of the first payment loses its amount (as if the plan paid a record with none)."""
    d = v.decisions.frame
    d["amount_fen"] = d["amount_fen"].mask(d.index == d.index[plan.pay["rec"].iloc[0]])
    return plan


def _refused_with_money(side: rd.Side, *_, **__) -> rd.Side:
    amount = side.amount.copy()
    amount[np.flatnonzero(side.verdict == rd.REFUSED)[0]] = 100   # refused under both versions: moves 1 元
    return replace(side, amount=amount)


# the defects each cross-check of rules diff stands against, made at the seam whose result it checks:
# (the rules_diff function, its call whose result is changed (1: the rules in force, 2: DIR's), how, the words)
DEFECTS = {
    "a_record_fewer_from_the_same_tables": (
        "validate", 2, lambda v, *_, **__: replace(v, roster=replace(v.roster, frame=v.roster.frame.iloc[:-1])),
        ["两版规则从相同的花名册读出的记录不同", "62 条与 61 条"]),
    "the_same_tables_read_in_another_order": (
        "validate", 2, lambda v, *_, **__: replace(v, roster=replace(v.roster, frame=v.roster.frame.iloc[
            [1, 0, *range(2, len(v.roster.frame))]])),
        ["两版规则从相同的花名册读出的记录不同", "62 条与 62 条"]),
    "a_record_neither_paid_nor_refused": (
        "plan_validation", 2, lambda plan, *_, **__: replace(plan, refused=plan.refused.iloc[1:]),
        ["既未发放也未拒绝"]),
    "a_record_paid_and_refused": (
        "plan_validation", 2, lambda plan, *_, **__: replace(plan, refused=pd.concat(
            [plan.refused, plan.refused.iloc[:1].assign(rec=plan.pay["rec"].iloc[0])], ignore_index=True)),
        ["两者皆是"]),
    "a_record_paid_twice": (
        "plan_validation", 2, lambda plan, *_, **__: replace(plan, pay=pd.concat([plan.pay, plan.pay.iloc[:1]])),
        ["不止一次"]),
    "a_payment_without_an_amount": ("plan_validation", 2, _without_amount, ["有可发放的记录没有金额"]),
    "a_plan_paying_another_amount_than_decided": (
        "plan_validation", 1, lambda plan, *_, **__: replace(plan, pay=_first_fen_more(plan.pay, "amount_fen")),
        ["测算所计的金额与发放计划的金额不符"]),
    "schools_summing_to_another_total": (
        "_groups", 1, lambda g, *_, **__: _first_fen_more(g, "amount_after"), ["按学校汇总的金额与总额不符"]),
    "counties_summing_to_another_total": (
        "_groups", 2, lambda g, *_, **__: _first_fen_more(g, "amount_before"), ["按县区汇总的金额与总额不符"]),
    "programmes_summing_to_another_total": (
        "_groups", 3, lambda g, *_, **__: _first_fen_more(g, "delta"), ["按资助项目汇总的金额与总额不符"]),
    "a_delta_that_is_not_after_less_before": (
        "_records", 1, lambda r, *_, **__: _first_fen_more(r, "delta"), ["变化金额与两版总额之差不符"]),
    "a_refused_record_that_moves_money": ("_side", 2, _refused_with_money, ["变化记录的金额之和与总变化不符"]),
}


@pytest.mark.parametrize("defect", DEFECTS)
def test_a_diff_that_does_not_add_up_stops_before_anything_is_shown_or_written(ws, run, tmp_path, monkeypatch,
                                                                               defect):
    """The cross-checks are proofs that the diff's arithmetic is consistent: no roster trips them.
    Each defect is made here at the seam whose result a check verifies; the command must then stop
    with the check's one line, print no diff and write no --report, rather than show a wrong one."""
    seam, nth, change, words = DEFECTS[defect]
    real, calls = getattr(rd, seam), []

    def wrong(*args, **kwargs):
        result = real(*args, **kwargs)
        calls.append(seam)
        return change(result, *args, **kwargs) if len(calls) == nth else result

    monkeypatch.setattr(rd, seam, wrong)
    folder = proposed(tmp_path, OLD_2007, OLD_2007.replace('"750.00"', '"1000.00"'))
    target = tmp_path / "测算.xlsx"
    code, out, err = run("rules", "diff", folder, "--term", TERM, "--workspace", ws, "--report", target,
                         "--format", "json")
    assert (code, out) == (2, ""), (code, out, err)
    one_clear_line(err, *words, "这是 aidctl 的缺陷，请报告")
    assert not target.exists() and len(calls) >= nth


# --- rules show: a term nobody chose is said aloud ------------------------------------------------------

def test_rules_show_without_a_term_says_it_used_todays_term(tmp_path, run):
    """Without --term, rules show shows the term today falls in: nobody chose it, so it is said on
    stderr (table and JSON alike, as validate says its term) and in JSON `notes`; with --term, nothing."""
    from datetime import date

    from aidctl.core.terms import Term

    today = date.today()
    term = str(Term.from_date(today))
    code, doc, err = run("rules", "show", "--workspace", tmp_path, "--format", "json", as_json=True)
    assert code == 0, err
    [said] = [n for n in doc["notes"] if "--term" in n]
    assert doc["term"] == term and f"未用 --term 指定学期：按今天（{today:%Y-%m-%d}）所在的 {term}" in said
    assert said in err
    code, out, err = run("rules", "show", "--workspace", tmp_path)
    assert code == 0 and f"aidctl: 提醒：未用 --term 指定学期：按今天（{today:%Y-%m-%d}）" in err
    assert out.startswith(f"{term}（")
    code, doc, err = run("rules", "show", "--term", TERM, "--workspace", tmp_path, "--format", "json", as_json=True)
    assert code == 0 and doc["notes"] == [] and "--term" not in err

